//! M6 endpoints: schemes (admin), assessments (every role in scope), manual scores,
//! overrides and grade overrides (admin, committee), finalize (admin), grade history.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use domain::assessment::{GradeInput, SchemeInput, ScoreInput, Thresholds};
use domain::policy::Permission;
use domain::{FieldError, FieldErrors, Grade};
use serde_json::{Map, Value};
use store::assessment::{NewGrade, NewScore};

use super::openapi::{AssessmentQuery, SchemePath, SchemeQuery};
use crate::modules::reports::api::merged;
use crate::platform::auth::Caller;
use crate::platform::error::ApiResult;
use crate::platform::extract::{ApiJson, Id, Params};
use crate::platform::openapi::{IdPath, Paging, E400, E401, E403, E404, E409, E422};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assessment-schemes", get(list_schemes).post(create_scheme))
        .route(
            "/assessment-schemes/{id}",
            get(get_scheme).patch(update_scheme),
        )
        .route("/assessment-schemes/{id}/finalize", post(finalize_scheme))
        .route("/assessments", get(list_assessments))
        .route("/assessments/{scheme_id}/scores", put(put_score))
        .route("/assessments/{scheme_id}/grades", put(put_grade))
        .route("/party-orgs/{id}/grades", get(org_grades))
}

/// The thresholds a scheme gets when it sends none ([rules] grade_a, grade_b).
pub(crate) fn default_thresholds(st: &AppState) -> Thresholds {
    let r = &st.config.rules;
    Thresholds {
        a: r.grade_a,
        b: r.grade_b,
    }
}

// ---------------------------------------------------------------- schemes

#[utoipa::path(
    get,
    path = "/assessment-schemes",
    summary = "Assessment schemes, latest year first (every role reads them)",
    params(Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::assessment::Scheme>), E401, E422),
)]
pub async fn list_schemes(
    State(st): State<AppState>,
    _caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let page = p.page();
    p.finish()?;
    Ok(Json(st.store.list_schemes(page).await?))
}

#[utoipa::path(
    post,
    path = "/assessment-schemes",
    summary = "Define a scheme (admin): the indicator tree as a flat list whose `id`s are the request's own keys for `parent_id`; a parent's points = the sum of its children's, the roots' 100; leaves `manual` or `auto` with a metric; thresholds default to [rules] (A 90, B 75); org_kinds to the four grassroots kinds",
    request_body = domain::assessment::SchemeInput,
    responses((status = 201, description = "OK", body = store::assessment::Scheme), E400, E401, E403, E422),
)]
pub async fn create_scheme(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<SchemeInput>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::DesignAssessment)?;
    let s = body.validate(default_thresholds(&st))?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.create_scheme(&actor, s).await?),
    ))
}

#[utoipa::path(
    get,
    path = "/assessment-schemes/{id}",
    summary = "A scheme with its indicators, parents first",
    params(IdPath),
    responses((status = 200, description = "OK", body = store::assessment::Scheme), E401, E404),
)]
pub async fn get_scheme(
    State(st): State<AppState>,
    _caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_scheme(id).await?))
}

#[utoipa::path(
    patch,
    path = "/assessment-schemes/{id}",
    summary = "Change an open scheme (admin). `indicators`, when sent, replaces the tree: an indicator sent with its stored `id` keeps its scores (a leaf whose method or metric changes loses them; scores above new points are lowered to them); stored ones not sent are removed. A final scheme → 409",
    params(IdPath),
    request_body = domain::assessment::SchemeInput,
    responses((status = 200, description = "OK", body = store::assessment::Scheme), E400, E401, E403, E404, E409, E422),
)]
pub async fn update_scheme(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(patch): ApiJson<Map<String, Value>>,
) -> ApiResult<impl IntoResponse> {
    let cur = st.store.get_scheme(id).await?;
    let actor = caller.may(Permission::DesignAssessment)?;
    if cur.is_final() {
        return Err(store::StoreError::InUse("assessment_final").into());
    }
    let input: SchemeInput = merged(&cur.def(), patch)?;
    let s = input.validate(default_thresholds(&st))?;
    Ok(Json(st.store.update_scheme(&actor, id, s).await?))
}

#[utoipa::path(
    post,
    path = "/assessment-schemes/{id}/finalize",
    summary = "Finalize (admin): every score is frozen, each assessed org's grade becomes its current grade and enters its grade history (source assessment, with the override's reason). Afterwards any score, grade or indicator change → 409; finalizing twice → 409",
    params(IdPath),
    responses((status = 200, description = "OK", body = store::assessment::Scheme), E401, E403, E404, E409),
)]
pub async fn finalize_scheme(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    st.store.get_scheme(id).await?;
    let actor = caller.may(Permission::DesignAssessment)?;
    Ok(Json(
        st.store
            .finalize_scheme(&actor, id, st.clock.today())
            .await?,
    ))
}

// ---------------------------------------------------------------- assessments

#[utoipa::path(
    get,
    path = "/assessments",
    summary = "One item per assessed org (live, of the scheme's org_kinds; a final scheme: those it froze) in scope, tree order unless sorted. Auto leaves: points × rate over the org and its subtree for the scheme's year (full points when there is nothing to count), with basis {numerator, denominator}; a manual leaf not yet scored counts 0 and makes complete false. `party_org_id` reads that org alone (only its subtree's records: fast); one outside the caller's scope → 404",
    params(SchemeQuery, AssessmentQuery, Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::assessment::Assessment>), E401, E404, E422),
)]
pub async fn list_assessments(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let scheme = p.i64("scheme_id");
    let f = p.filter();
    let page = p.page();
    p.finish()?;
    let Some(scheme) = scheme else {
        return Err(FieldErrors::single("scheme_id", FieldError::Required).into());
    };
    Ok(Json(
        st.store
            .assessments(&caller.scope, scheme, &f, st.clock.today(), page)
            .await?,
    ))
}

/// The org and scheme a write names exist and the org lies in the caller's scope (a
/// scheme not found → 404; an org outside the scope → 403).
async fn org_in_scope(st: &AppState, caller: &Caller, org: Option<i64>) -> ApiResult<i64> {
    let Some(org) = org else {
        return Err(FieldErrors::single("party_org_id", FieldError::Required).into());
    };
    match st.store.get_org(&store::Scope::All, org).await {
        Ok(_) => {}
        Err(store::StoreError::NotFound) => {
            return Err(FieldErrors::single("party_org_id", FieldError::NotFound).into())
        }
        Err(e) => return Err(e.into()),
    }
    // the roles that score see the whole tree; a narrower scope is read once more
    let narrower = matches!(caller.scope, store::Scope::Subtree { .. });
    if narrower && st.store.get_org(&caller.scope, org).await.is_err() {
        return Err(crate::platform::error::AppError::Forbidden);
    }
    Ok(org)
}

#[utoipa::path(
    put,
    path = "/assessments/{scheme_id}/scores",
    summary = "A manual leaf's score, or an override of an auto leaf (then `comment` is required), in [0, points] to one decimal; `score` null removes it (admin, committee). Answers the org's assessment; a final scheme → 409",
    params(SchemePath),
    request_body = domain::assessment::ScoreInput,
    responses((status = 200, description = "OK", body = store::assessment::Assessment), E400, E401, E403, E404, E409, E422),
)]
pub async fn put_score(
    State(st): State<AppState>,
    caller: Caller,
    Id(scheme): Id,
    ApiJson(body): ApiJson<ScoreInput>,
) -> ApiResult<impl IntoResponse> {
    st.store.get_scheme(scheme).await?;
    let actor = caller.may(Permission::ScoreAssessment)?;
    let Some(indicator) = body.indicator_id else {
        return Err(FieldErrors::single("indicator_id", FieldError::Required).into());
    };
    let org = org_in_scope(&st, &caller, body.party_org_id).await?;
    let s = NewScore {
        party_org_id: org,
        indicator_id: indicator,
        score: body.score,
        comment: body.comment,
    };
    Ok(Json(
        st.store
            .put_score(&actor, scheme, s, st.clock.today())
            .await?,
    ))
}

#[utoipa::path(
    put,
    path = "/assessments/{scheme_id}/grades",
    summary = "Override an org's grade (admin, committee): a grade other than the suggested one needs a `reason`; `grade` null removes the override. Answers the org's assessment; a final scheme → 409",
    params(SchemePath),
    request_body = domain::assessment::GradeInput,
    responses((status = 200, description = "OK", body = store::assessment::Assessment), E400, E401, E403, E404, E409, E422),
)]
pub async fn put_grade(
    State(st): State<AppState>,
    caller: Caller,
    Id(scheme): Id,
    ApiJson(body): ApiJson<GradeInput>,
) -> ApiResult<impl IntoResponse> {
    st.store.get_scheme(scheme).await?;
    let actor = caller.may(Permission::ScoreAssessment)?;
    let grade = match body.grade.as_deref() {
        None => None,
        Some(g) => Some(Grade::parse(g).ok_or_else(|| {
            FieldErrors::single(
                "grade",
                FieldError::UnknownValue {
                    allowed: Grade::CODES.to_vec(),
                },
            )
        })?),
    };
    let org = org_in_scope(&st, &caller, body.party_org_id).await?;
    let g = NewGrade {
        party_org_id: org,
        grade,
        reason: body.reason,
    };
    Ok(Json(
        st.store
            .put_grade(&actor, scheme, g, st.clock.today())
            .await?,
    ))
}

/// `{"items": [...]}`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct GradeHistory {
    pub items: Vec<store::assessment::GradeEntry>,
}

#[utoipa::path(
    get,
    path = "/party-orgs/{id}/grades",
    summary = "The org's grade history, newest first: `assessment` entries written by a finalize (with the override's reason and the scheme), `manual` ones by a PATCH of the org's grade",
    params(IdPath),
    responses((status = 200, description = "OK", body = GradeHistory), E401, E404),
)]
pub async fn org_grades(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(GradeHistory {
        items: st.store.grade_history(&caller.scope, id).await?,
    }))
}
