//! M1 endpoints: party orgs, societies, coverage figures, rule checks, import and export.

use domain::policy::Permission;
use std::collections::HashMap;

use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::{PartyOrgPatch, SocietyPatch};
use serde_json::json;
use store::{OrgFilter, SocietyFilter, StoreError};

use crate::modules::registry::sheets as registry_io;
use crate::platform::auth::Caller;
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::{ApiJson, Id, Params, Upload};
use crate::platform::i18n::Lang;
use crate::AppState;

pub async fn list_orgs(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let f: OrgFilter = p.filter();
    let page = p.page();
    p.finish()?;
    Ok(Json(st.store.list_orgs(&caller.scope, &f, page).await?))
}

pub async fn get_org(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_org(&caller.scope, id).await?))
}

pub async fn create_org(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PartyOrgPatch>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::EditRegistry)?;
    let org = st.store.create_org(&actor, &caller.scope, &body).await?;
    Ok((StatusCode::CREATED, Json(org)))
}

pub async fn update_org(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<PartyOrgPatch>,
) -> ApiResult<impl IntoResponse> {
    // Existence (in scope) is answered before the role: scope never leaks.
    st.store.get_org(&caller.scope, id).await?;
    let actor = caller.may(Permission::EditRegistry)?;
    Ok(Json(
        st.store
            .update_org(&actor, &caller.scope, id, &body)
            .await?,
    ))
}

pub async fn delete_org(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    st.store.get_org(&caller.scope, id).await?;
    let actor = caller.may(Permission::EditRegistry)?;
    st.store.delete_org(&actor, &caller.scope, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The societies filter from query parameters; shared with the pages.
pub fn society_filter(p: &mut Params) -> SocietyFilter {
    p.filter()
}

pub async fn list_societies(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let f = society_filter(&mut p);
    let page = p.page();
    p.finish()?;
    Ok(Json(
        st.store.list_societies(&caller.scope, &f, page).await?,
    ))
}

pub async fn get_society(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_society(&caller.scope, id).await?))
}

pub async fn create_society(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<SocietyPatch>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::EditRegistry)?;
    let s = st
        .store
        .create_society(&actor, &caller.scope, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(s)))
}

pub async fn update_society(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<SocietyPatch>,
) -> ApiResult<impl IntoResponse> {
    st.store.get_society(&caller.scope, id).await?;
    let actor = caller.may(Permission::EditRegistry)?;
    Ok(Json(
        st.store
            .update_society(&actor, &caller.scope, id, &body)
            .await?,
    ))
}

pub async fn delete_society(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    st.store.get_society(&caller.scope, id).await?;
    let actor = caller.may(Permission::EditRegistry)?;
    st.store.delete_society(&actor, &caller.scope, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn coverage_stats(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let org = p.i64("party_org_id");
    p.finish()?;
    Ok(Json(st.store.coverage_stats(&caller.scope, org).await?))
}

/// Runs the rule checks for a scope; shared with the dashboard.
pub async fn run_checks(
    st: &AppState,
    scope: &store::Scope,
) -> Result<Vec<domain::checks::Check>, AppError> {
    let orgs = st.store.all_orgs(scope).await?;
    let facts = st.store.society_facts(scope).await?;
    Ok(domain::checks::run(
        &orgs,
        &facts,
        &st.config.rules,
        st.clock.today(),
    ))
}

pub fn check_message(c: &domain::checks::Check, lang: Lang) -> String {
    let value = domain::validate::parse_date(&c.value)
        .map(|d| lang.date(d))
        .unwrap_or_else(|| c.value.clone());
    lang.tf(&format!("check.{}", c.rule.as_str()), &[&c.subject, &value])
}

pub async fn checks(
    State(st): State<AppState>,
    caller: Caller,
    lang: Lang,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let rule = p.code(
        "rule",
        domain::checks::Rule::parse,
        domain::checks::Rule::CODES,
    );
    p.finish()?;
    let items: Vec<_> = run_checks(&st, &caller.scope)
        .await?
        .into_iter()
        .filter(|c| rule.is_none_or(|r| r == c.rule))
        .map(|c| {
            json!({
                "rule": c.rule.as_str(),
                "party_org_id": c.party_org_id,
                "society_id": c.society_id,
                "message": check_message(&c, lang),
            })
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

pub fn xlsx_response(bytes: Vec<u8>, file_name: &str) -> Response {
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        file_name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            + ".xlsx",
        crate::platform::extract::url_encode(file_name)
    );
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

pub async fn import_template(_caller: Caller) -> ApiResult<Response> {
    Ok(xlsx_response(
        registry_io::template_xlsx()?,
        "社团导入模板.xlsx",
    ))
}

pub async fn export_societies(State(st): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let rows = st.store.export_societies(&caller.scope).await?;
    let bytes = tokio::task::spawn_blocking(move || registry_io::export_xlsx(rows))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(xlsx_response(bytes, "社团名册.xlsx"))
}

/// The outcome of an import: `200` with counts, or `422` with the errors by row and column.
pub async fn import_bytes(
    st: &AppState,
    caller: &Caller,
    lang: Lang,
    bytes: &[u8],
) -> Result<Response, AppError> {
    let actor = caller.may(Permission::EditRegistry)?;
    // Parsing a large sheet is CPU work: keep it off the async threads.
    let owned = bytes.to_vec();
    let table = tokio::task::spawn_blocking(move || registry_io::read_upload(&owned))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let orgs: HashMap<String, i64> = st
        .store
        .all_orgs(&caller.scope)
        .await?
        .into_iter()
        .map(|o| (o.name, o.id))
        .collect();
    let failed = |errors: Vec<registry_io::ImportError>| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"created": 0, "updated": 0, "errors": errors})),
        )
            .into_response()
    };
    let rows = match registry_io::parse_rows(&table, &orgs, lang) {
        Ok(rows) => rows,
        Err(errors) => return Ok(failed(errors)),
    };
    match st.store.import_societies(&actor, &caller.scope, rows).await {
        Ok(o) => Ok(
            Json(json!({"created": o.created, "updated": o.updated, "errors": []})).into_response(),
        ),
        Err(StoreError::Rows(errors)) => {
            Ok(failed(registry_io::translate_row_errors(errors, lang)))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn import_societies(
    State(st): State<AppState>,
    caller: Caller,
    lang: Lang,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Response> {
    let mp = mp.map_err(|_| AppError::BadRequest("error.multipart", String::new()))?;
    let upload = Upload::from_multipart(mp, st.config.max_upload_bytes).await?;
    import_bytes(&st, &caller, lang, &upload.bytes).await
}
