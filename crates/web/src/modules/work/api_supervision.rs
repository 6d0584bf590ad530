//! M4 API: inspections, findings, rectifications (submit, verify), figures, ledgers and bulletins.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::ledger::RECTIFICATIONS;
use domain::policy::Permission;
use domain::work::{DecisionInput, FindingInput, InspectionInput, SubmitInput};
use domain::FieldError;
use serde::Deserialize;
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
    service::rectifications_xlsx(&st, &caller, &f, None).await
}

// ---------------------------------------------------------------- bulletins

/// Which bulletin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulletinKind {
    Rectification,
    Tasks,
}

/// The bulletin's period and heading from `?from=&to=&doc_number=` (default: this year up to
/// today). The issuer is `[bulletin] issuer` for committee-wide callers, else the org at the
/// root of the caller's scope; the party-organ format applies when it is a party committee
/// (or as `[bulletin] layout` says). Without `doc_number` the number reads
/// `机关代字〔year〕号` with the number left blank: a GET takes no number.
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
    let cfg = &st.config.bulletin;
    let root = crate::modules::registry::api::keeping_unit(st, scope).await?;
    let configured = matches!(scope, store::Scope::All)
        .then(|| cfg.issuer.clone())
        .flatten();
    let root_is_committee = root
        .as_ref()
        .is_some_and(|o| o.kind == domain::OrgKind::Committee);
    let issuer = configured
        .clone()
        .or(root.map(|o| o.name))
        .unwrap_or_else(|| lang.t("app.name").to_string());
    let party = match cfg.layout.as_deref() {
        Some("party") => true,
        Some(_) => false,
        None => {
            crate::modules::work::bulletin::is_party_committee(&issuer)
                || (configured.is_none() && root_is_committee)
        }
    };
    let code = bulletin_code(st, scope);
    Ok(crate::modules::work::bulletin::Heading {
        issuer,
        doc_number: doc_number.unwrap_or_else(|| doc_number_text(code, today.year(), None, lang)),
        from,
        to,
        today,
        offset: st.clock.offset(),
        layout: if party {
            docx::Layout::Party
        } else {
            docx::Layout::Standard
        },
        copy_to: cfg.copy_to.clone(),
    })
}

/// The 机关代字 that numbers the caller's bulletins: the configured one, for committee-wide
/// callers (a branch's bulletin is its own, unnumbered).
pub fn bulletin_code<'a>(st: &'a AppState, scope: &store::Scope) -> Option<&'a str> {
    match scope {
        store::Scope::All => st.config.bulletin.code.as_deref(),
        store::Scope::Subtree { .. } => None,
    }
}

/// 渝科协社党发〔2026〕12号; the number blank (to be written by hand) when `None`.
pub fn doc_number_text(code: Option<&str>, year: i32, no: Option<i64>, lang: Lang) -> String {
    let no = no.map_or_else(|| "  ".to_string(), |n| n.to_string());
    lang.tf(
        "bulletin.doc_number",
        &[code.unwrap_or(""), &year.to_string(), &no],
    )
}

/// The bulletin as a `docx::Document` with its editable texts (shared by the downloads and
/// the page preview); `edited` replaces the drafted texts.
pub async fn bulletin_document(
    st: &AppState,
    scope: &store::Scope,
    kind: BulletinKind,
    h: &crate::modules::work::bulletin::Heading,
    lang: Lang,
    edited: Option<&crate::modules::work::bulletin::Texts>,
) -> Result<(docx::Document, crate::modules::work::bulletin::Texts), AppError> {
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
            crate::modules::work::bulletin::rectification(h, &rows, lang, edited)
        }
        BulletinKind::Tasks => {
            let f = AssignmentFilter {
                from: Some(h.from),
                to: Some(h.to),
                sort: Some(LedgerSort::Org),
                ..Default::default()
            };
            let rows = st.store.export_assignments(scope, &f, today).await?;
            crate::modules::work::bulletin::tasks(h, &rows, lang, edited)
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

impl BulletinKind {
    pub fn file_name(self) -> &'static str {
        match self {
            BulletinKind::Rectification => "督查整改通报.docx",
            BulletinKind::Tasks => "工作任务落实情况通报.docx",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            BulletinKind::Rectification => "rectification",
            BulletinKind::Tasks => "tasks",
        }
    }
}

async fn docx_download(doc: docx::Document, kind: BulletinKind) -> ApiResult<Response> {
    let name = kind.file_name().to_string();
    tokio::task::spawn_blocking(move || docx_response(&doc, &name))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

pub async fn bulletin(
    st: AppState,
    caller: Caller,
    lang: Lang,
    mut p: Params,
    kind: BulletinKind,
) -> ApiResult<Response> {
    let h = bulletin_heading(&st, &caller.scope, &mut p, lang).await?;
    let (doc, _) = bulletin_document(&st, &caller.scope, kind, &h, lang, None).await?;
    docx_download(doc, kind).await
}

/// What the edit form (or an integrator) sends to make a bulletin's Word file: the period,
/// the number and the edited texts.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulletinEdit {
    /// period start (default 1 January of this year)
    #[schema(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// period end (default today)
    #[schema(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
    /// the whole 发文字号, typed by hand; only where no 机关代字 is configured
    pub doc_number: Option<String>,
    /// the number within the year; absent takes the next free one (with a configured code)
    pub doc_no: Option<i64>,
    /// 表扬; absent keeps the drafted text, empty leaves the paragraph out
    pub praise: Option<String>,
    /// 批评
    pub criticism: Option<String>,
    /// 下一步工作要求
    pub next: Option<String>,
}

/// Checks the edit, takes the number (with a configured code) and builds the document.
pub async fn issue_bulletin(
    st: &AppState,
    caller: &Caller,
    lang: Lang,
    kind: BulletinKind,
    e: BulletinEdit,
) -> Result<docx::Document, AppError> {
    use crate::modules::work::bulletin::{Texts, TEXT_MAX};
    use chrono::Datelike;
    let actor = caller.may(Permission::PlanWork)?;
    let mut map = std::collections::HashMap::new();
    for (k, v) in [
        ("from", &e.from),
        ("to", &e.to),
        ("doc_number", &e.doc_number),
    ] {
        if let Some(v) = v {
            map.insert(k.to_string(), v.clone());
        }
    }
    let mut p = Params::from_map(map);
    let mut h = bulletin_heading(st, &caller.scope, &mut p, lang).await?;
    let mut errs = domain::FieldErrors::new();
    for (k, v) in [
        ("praise", &e.praise),
        ("criticism", &e.criticism),
        ("next", &e.next),
    ] {
        if v.as_ref().is_some_and(|t| t.chars().count() > TEXT_MAX) {
            errs.add(k, FieldError::TooLong { max: TEXT_MAX });
        }
    }
    if e.doc_no.is_some_and(|n| !(1..=99_999).contains(&n)) {
        errs.add("doc_no", FieldError::TooSmall { min: 1 });
    }
    errs.into_result()?;
    // The drafted texts, replaced where the edit gives one.
    let (_, drafted) = bulletin_document(st, &caller.scope, kind, &h, lang, None).await?;
    let texts = Texts {
        praise: e.praise.unwrap_or(drafted.praise),
        criticism: e.criticism.unwrap_or(drafted.criticism),
        next: e.next.unwrap_or(drafted.next),
    };
    if let Some(code) = bulletin_code(st, &caller.scope) {
        let year = h.today.year();
        let title: String = crate::modules::work::bulletin::plain_title(&h, lang, kind);
        let no = st
            .store
            .take_bulletin_no(
                &actor,
                store::work::BulletinNo {
                    code: code.to_string(),
                    year,
                    no: e.doc_no,
                    kind: kind.code().to_string(),
                    title,
                },
            )
            .await?;
        h.doc_number = doc_number_text(Some(code), year, Some(no), lang);
    }
    let (doc, _) = bulletin_document(st, &caller.scope, kind, &h, lang, Some(&texts)).await?;
    Ok(doc)
}

async fn issue(
    st: AppState,
    caller: Caller,
    lang: Lang,
    kind: BulletinKind,
    body: BulletinEdit,
) -> ApiResult<Response> {
    let doc = issue_bulletin(&st, &caller, lang, kind, body).await?;
    docx_download(doc, kind).await
}

#[utoipa::path(
    post,
    path = "/bulletins/rectification.docx",
    summary = "Make the rectification bulletin's Word file from edited text (admin, committee); not in API.md, which fixes the GET only.",
    description = "The period as for the GET; `praise`, `criticism`, `next` replace the drafted 表扬, 批评 and 下一步工作要求 \
        (absent keeps the draft, empty leaves the paragraph out, one paragraph a line, at most 5000 characters each → else 422). \
        With `[bulletin] code` configured this takes the bulletin's number (发文字号 code〔year〕no号, year of today): `doc_no` absent \
        takes the next free number of the year, a given one is taken as it is; a number already taken by another bulletin → 409 on \
        `doc_no` (the same bulletin made again keeps its number). Taking a number is audited (`entity` `bulletin`). Without a code, \
        `doc_number` is printed as given.",
    request_body = BulletinEdit,
    responses((status = 200, description = "docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), super::openapi::E401, super::openapi::E403, super::openapi::E409, super::openapi::E422),
)]
pub async fn issue_rectification_bulletin(
    State(st): State<AppState>,
    caller: Caller,
    lang: Lang,
    ApiJson(body): ApiJson<BulletinEdit>,
) -> ApiResult<Response> {
    issue(st, caller, lang, BulletinKind::Rectification, body).await
}

#[utoipa::path(
    post,
    path = "/bulletins/tasks.docx",
    summary = "Make the task bulletin's Word file from edited text (admin, committee); as for the rectification bulletin.",
    request_body = BulletinEdit,
    responses((status = 200, description = "docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), super::openapi::E401, super::openapi::E403, super::openapi::E409, super::openapi::E422),
)]
pub async fn issue_task_bulletin(
    State(st): State<AppState>,
    caller: Caller,
    lang: Lang,
    ApiJson(body): ApiJson<BulletinEdit>,
) -> ApiResult<Response> {
    issue(st, caller, lang, BulletinKind::Tasks, body).await
}

#[utoipa::path(
    get,
    path = "/bulletins/rectification.docx",
    summary = "The rectification bulletin (通报) as .docx: the party-organ format (red line with the star) when the issuer is a party committee, GB/T 9704 otherwise. Issuer `[bulletin] issuer` or the committee at the root of the caller's scope; document number `doc_number` as given, else `[bulletin] code`〔year〕 with the number blank (a GET takes no number: the POST does); title naming the period (关于2026年第三季度督查整改情况的通报), overview figures, tables of closed-out and late findings by org with the drafted praise and criticism, next steps, signature, date and 版记. Findings found in [from, to] (default: this year up to today).",
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
