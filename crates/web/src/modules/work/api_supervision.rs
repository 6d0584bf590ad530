//! M4 API: inspections, findings, rectifications (submit, verify), figures, ledgers and bulletins.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::ledger::RECTIFICATIONS;
use domain::policy::Permission;
use domain::work::{DecisionInput, FindingInput, InspectionInput, SubmitInput};
use domain::FieldError;
use serde_json::Value;
use store::work::{AssignmentFilter, LedgerSort, RectificationFilter};

use crate::platform::auth::Caller;
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::{ApiJson, Id, Params};
use crate::platform::i18n::Lang;
use crate::AppState;

use super::api::*;
use super::service;

// ---------------------------------------------------------------- inspections

#[utoipa::path(
    post,
    path = "/inspections",
    summary = "Create an inspection (admin, committee, inspector); `team`: the inspectors' names",
    request_body = domain::work::InspectionInput,
    responses((status = 201, description = "OK", body = store::work::Inspection), super::openapi::E400, super::openapi::E401, super::openapi::E403, super::openapi::E422),
)]
pub async fn create_inspection(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<InspectionInput>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::Inspect)?;
    let i = body.validate()?;
    let out = st.store.create_inspection(&actor, &caller.scope, i).await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(
    get,
    path = "/inspections",
    summary = "Inspections involving an org in scope, latest first",
    params(super::openapi::Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::work::Inspection>), super::openapi::E401, super::openapi::E422),
)]
pub async fn list_inspections(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let page = p.page();
    p.finish()?;
    Ok(Json(st.store.list_inspections(&caller.scope, page).await?))
}

#[utoipa::path(
    get,
    path = "/inspections/{id}",
    summary = "An inspection (its orgs in scope)",
    params(super::openapi::IdPath),
    responses((status = 200, description = "OK", body = store::work::Inspection), super::openapi::E401, super::openapi::E404),
)]
pub async fn get_inspection(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_inspection(&caller.scope, id).await?))
}

#[utoipa::path(
    post,
    path = "/inspections/{id}/findings",
    summary = "A finding of the inspection and its rectification (open); the org must be one of the inspection's; found_on defaults to the inspection's held_on; found_on in the future or due_on before found_on → 422 (admin, committee, inspector)",
    params(super::openapi::IdPath),
    request_body = domain::work::FindingInput,
    responses((status = 201, description = "OK", body = store::work::Finding), super::openapi::E400, super::openapi::E401, super::openapi::E403, super::openapi::E404, super::openapi::E422),
)]
pub async fn create_inspection_finding(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<FindingInput>,
) -> ApiResult<impl IntoResponse> {
    let insp = st.store.get_inspection(&caller.scope, id).await?;
    let actor = caller.may(Permission::Inspect)?;
    let f = body.validate(Some((insp.id, insp.held_on)), st.clock.today())?;
    let out = st
        .store
        .create_finding(&actor, &caller.scope, f, when(&st))
        .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(
    post,
    path = "/findings",
    summary = "A finding outside any inspection (source self_check|report|other; found_on defaults to today). Admin, committee, inspector, and branch users for orgs in their subtree.",
    request_body = domain::work::FindingInput,
    responses((status = 201, description = "OK", body = store::work::Finding), super::openapi::E400, super::openapi::E401, super::openapi::E403, super::openapi::E422),
)]
pub async fn create_finding(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<FindingInput>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::RecordFinding)?;
    let f = body.validate(None, st.clock.today())?;
    let out = st
        .store
        .create_finding(&actor, &caller.scope, f, when(&st))
        .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// The rectification-ledger filter from query parameters; shared with the pages.
pub fn rectification_filter(p: &mut Params) -> RectificationFilter {
    p.filter()
}

#[utoipa::path(
    get,
    path = "/rectifications",
    summary = "The rectification ledger",
    params(super::openapi::RectificationQuery, super::openapi::Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::work::Rectification>), super::openapi::E401, super::openapi::E422),
)]
pub async fn list_rectifications(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let f = rectification_filter(&mut p);
    let page = p.page();
    p.finish()?;
    Ok(Json(
        st.store
            .list_rectifications(&caller.scope, &f, st.clock.today(), page)
            .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/rectifications/{id}",
    summary = "A rectification with its history (`events`)",
    params(super::openapi::IdPath),
    responses((status = 200, description = "OK", body = store::work::Rectification), super::openapi::E401, super::openapi::E404),
)]
pub async fn get_rectification(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    let r = st
        .store
        .get_rectification(&caller.scope, id, st.clock.today())
        .await?;
    let events = st
        .store
        .ledger_history(&RECTIFICATIONS, &caller.scope, id)
        .await?;
    let mut v = serde_json::to_value(r).map_err(|e| AppError::Internal(e.to_string()))?;
    v["events"] = serde_json::to_value(events).unwrap_or(Value::Null);
    Ok(Json(v))
}

#[utoipa::path(
    post,
    path = "/rectifications/{id}/submit",
    summary = "Submit the rectification (the org's own users or admin): open|returned → submitted; else 409",
    params(super::openapi::IdPath),
    request_body = domain::work::SubmitInput,
    responses((status = 200, description = "OK", body = store::work::Rectification), super::openapi::E400, super::openapi::E401, super::openapi::E403, super::openapi::E404, super::openapi::E409, super::openapi::E422),
)]
pub async fn submit(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<SubmitInput>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(service::submit(&st, &caller, id, &body).await?))
}

#[utoipa::path(
    post,
    path = "/rectifications/{id}/verify",
    summary = "Verify (销号) or return (inspector, admin): submitted → verified|returned; else 409",
    params(super::openapi::IdPath),
    request_body = super::openapi::VerifyInput,
    responses((status = 200, description = "OK", body = store::work::Rectification), super::openapi::E400, super::openapi::E401, super::openapi::E403, super::openapi::E404, super::openapi::E409, super::openapi::E422),
)]
pub async fn verify(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<DecisionInput>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(service::verify(&st, &caller, id, &body).await?))
}

#[utoipa::path(
    get,
    path = "/stats/rectification",
    summary = "Rectification figures in scope, of findings found in `year`",
    params(("year" = Option<i64>, Query, description = "found_on's year")),
    responses((status = 200, description = "OK", body = domain::work::RectStats), super::openapi::E401, super::openapi::E422),
)]
pub async fn rectification_stats(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let year = p.i64("year");
    p.finish()?;
    let year = match year {
        None => None,
        Some(y) if (1949..=2200).contains(&y) => Some(y as i32),
        Some(_) => return Err(AppError::field("year", FieldError::TooLarge { max: 2200 })),
    };
    Ok(Json(
        st.store
            .rectification_stats(&caller.scope, year, st.clock.today())
            .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/export/rectifications.xlsx",
    summary = "The rectification ledger (整改台账) as xlsx, same filters as /rectifications",
    params(super::openapi::RectificationQuery),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), super::openapi::E401, super::openapi::E422),
)]
pub async fn export_rectifications(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<Response> {
    let f = rectification_filter(&mut p);
    p.finish()?;
    service::rectifications_xlsx(&st, &caller, &f).await
}

// ---------------------------------------------------------------- bulletins

/// Which bulletin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulletinKind {
    Rectification,
    Tasks,
}

/// The bulletin's period and heading from `?from=&to=&doc_number=` (default: this year up to
/// today); the issuer is the committee at the root of the caller's scope.
pub async fn bulletin_heading(
    st: &AppState,
    scope: &store::Scope,
    p: &mut Params,
    lang: Lang,
) -> Result<crate::modules::work::bulletin::Heading, AppError> {
    use chrono::Datelike;
    let today = st.clock.today();
    let from = p.date("from");
    let to = p.date("to");
    let doc_number = p.str("doc_number").map(str::to_string);
    p.finish()?;
    let from = from.unwrap_or_else(|| today.with_ordinal(1).unwrap_or(today));
    let to = to.unwrap_or(today);
    if to < from {
        return Err(AppError::field("to", FieldError::TooEarly));
    }
    let issuer = match scope {
        store::Scope::Subtree { root, .. } => {
            st.store.get_org(scope, *root).await.ok().map(|o| o.name)
        }
        store::Scope::All => st
            .store
            .list_orgs(
                scope,
                &store::OrgFilter {
                    kind: Some(domain::OrgKind::Committee),
                    ..Default::default()
                },
                store::PageReq {
                    page: 1,
                    per_page: 1,
                },
            )
            .await?
            .items
            .into_iter()
            .next()
            .map(|o| o.name),
    }
    .unwrap_or_else(|| lang.t("app.name").to_string());
    Ok(crate::modules::work::bulletin::Heading {
        issuer,
        doc_number: doc_number
            .unwrap_or_else(|| lang.tf("bulletin.doc_number", &[&to.year().to_string()])),
        from,
        to,
        today,
        offset: st.clock.offset(),
    })
}

/// The bulletin as a `docx::Document` (shared by the download and the page preview).
pub async fn bulletin_document(
    st: &AppState,
    scope: &store::Scope,
    kind: BulletinKind,
    h: &crate::modules::work::bulletin::Heading,
    lang: Lang,
) -> Result<docx::Document, AppError> {
    let today = st.clock.today();
    Ok(match kind {
        BulletinKind::Rectification => {
            let f = RectificationFilter {
                from: Some(h.from),
                to: Some(h.to),
                sort: Some(LedgerSort::Org),
                ..Default::default()
            };
            let rows = st.store.export_rectifications(scope, &f, today).await?;
            crate::modules::work::bulletin::rectification(h, &rows, lang)
        }
        BulletinKind::Tasks => {
            let f = AssignmentFilter {
                from: Some(h.from),
                to: Some(h.to),
                sort: Some(LedgerSort::Org),
                ..Default::default()
            };
            let rows = st.store.export_assignments(scope, &f, today).await?;
            crate::modules::work::bulletin::tasks(h, &rows, lang)
        }
    })
}

pub(super) fn docx_response(doc: &docx::Document, file_name: &str) -> ApiResult<Response> {
    let bytes = docx::write(doc).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::modules::registry::api::file_response(
        bytes,
        docx::MIME_TYPE,
        file_name,
        "docx",
    ))
}

pub async fn bulletin(
    st: AppState,
    caller: Caller,
    lang: Lang,
    mut p: Params,
    kind: BulletinKind,
) -> ApiResult<Response> {
    let h = bulletin_heading(&st, &caller.scope, &mut p, lang).await?;
    let doc = bulletin_document(&st, &caller.scope, kind, &h, lang).await?;
    let name = match kind {
        BulletinKind::Rectification => "督查整改通报.docx",
        BulletinKind::Tasks => "工作任务落实情况通报.docx",
    };
    let name = name.to_string();
    tokio::task::spawn_blocking(move || docx_response(&doc, &name))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

#[utoipa::path(
    get,
    path = "/bulletins/rectification.docx",
    summary = "The rectification bulletin (通报) as .docx in the GB/T 9704 layout: issuer (the committee at the root of the caller's scope), document number, title, overview figures, tables of closed-out and overdue findings by org, signature and date. Findings found in [from, to] (default: this year up to today).",
    params(super::openapi::BulletinQuery),
    responses((status = 200, description = "docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), super::openapi::E401, super::openapi::E422),
)]
pub async fn rectification_bulletin(
    State(st): State<AppState>,
    caller: Caller,
    lang: Lang,
    p: Params,
) -> ApiResult<Response> {
    bulletin(st, caller, lang, p, BulletinKind::Rectification).await
}

#[utoipa::path(
    get,
    path = "/bulletins/tasks.docx",
    summary = "The task bulletin (通报) as .docx: assignments due in [from, to], accepted and overdue ones by org.",
    params(super::openapi::BulletinQuery),
    responses((status = 200, description = "docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), super::openapi::E401, super::openapi::E422),
)]
pub async fn task_bulletin(
    State(st): State<AppState>,
    caller: Caller,
    lang: Lang,
    p: Params,
) -> ApiResult<Response> {
    bulletin(st, caller, lang, p, BulletinKind::Tasks).await
}
