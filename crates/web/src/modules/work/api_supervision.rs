//! M4 API: inspections, findings, rectifications (submit, verify), figures, ledgers and bulletins.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::ledger::RECTIFICATIONS;
use domain::policy::Permission;
use domain::work::{DecisionInput, FindingInput, InspectionInput, SubmitInput};
use domain::FieldError;
use serde_json::Value;
use store::work::{AssignmentFilter, LedgerSort, RectificationFilter};

use crate::modules::registry::api::xlsx_response;
use crate::modules::work::sheets as work_io;
use crate::platform::auth::Caller;
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::{ApiJson, Id, Params};
use crate::platform::i18n::Lang;
use crate::AppState;

use super::api::*;
use super::service;

// ---------------------------------------------------------------- inspections

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

pub async fn list_inspections(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let page = p.page();
    p.finish()?;
    Ok(Json(st.store.list_inspections(&caller.scope, page).await?))
}

pub async fn get_inspection(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_inspection(&caller.scope, id).await?))
}

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

pub async fn submit(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<SubmitInput>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(service::submit(&st, &caller, id, &body).await?))
}

pub async fn verify(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<DecisionInput>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(service::verify(&st, &caller, id, &body).await?))
}

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

pub async fn export_rectifications(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<Response> {
    let f = rectification_filter(&mut p);
    p.finish()?;
    let rows = st
        .store
        .export_rectifications(&caller.scope, &f, st.clock.today())
        .await?;
    let offset = st.clock.offset();
    let bytes = tokio::task::spawn_blocking(move || work_io::rectifications_xlsx(rows, offset))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(xlsx_response(bytes, "整改台账.xlsx"))
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
    let mut res = xlsx_response(bytes, file_name);
    if let Ok(v) = header::HeaderValue::from_str(docx::MIME_TYPE) {
        res.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    let disposition = res
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.replace(".xlsx\"", ".docx\""));
    if let Some(v) = disposition.and_then(|d| header::HeaderValue::from_str(&d).ok()) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

pub(super) async fn bulletin(
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

pub async fn rectification_bulletin(
    State(st): State<AppState>,
    caller: Caller,
    lang: Lang,
    p: Params,
) -> ApiResult<Response> {
    bulletin(st, caller, lang, p, BulletinKind::Rectification).await
}

pub async fn task_bulletin(
    State(st): State<AppState>,
    caller: Caller,
    lang: Lang,
    p: Params,
) -> ApiResult<Response> {
    bulletin(st, caller, lang, p, BulletinKind::Tasks).await
}
