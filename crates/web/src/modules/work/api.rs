//! M3/M4 endpoints: work plans, tasks and assignments, inspections, findings, rectifications, bulletins.

use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::ledger::{ASSIGNMENTS, RECTIFICATIONS};
use domain::policy::Permission;
use domain::work as w;
use domain::workplan::{self, ParsedPlan};
use domain::{FieldError, FieldErrors};
use serde::Deserialize;
use serde_json::{json, Value};
use store::work::PlanEdit;
use store::work::{NewPlan, When};

use crate::modules::work::sheets as work_io;
use crate::platform::auth::Caller;
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::{ApiJson, Id, Params};
use crate::platform::i18n::Lang;
use crate::AppState;

pub use super::{api_supervision::*, api_tasks::*};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/work-plans/import",
            post(import_plan).layer(DefaultBodyLimit::disable()),
        )
        .route("/work-plans", get(list_plans))
        .route(
            "/work-plans/{id}",
            get(get_plan).patch(update_plan).delete(delete_plan),
        )
        .route("/tasks", get(list_tasks).post(create_task))
        .route("/tasks/{id}", get(get_task))
        .route("/assignments", get(list_assignments))
        .route("/assignments/{id}", get(get_assignment))
        .route(
            "/assignments/{id}/reports",
            get(list_reports).post(create_report),
        )
        .route("/assignments/{id}/review", post(review))
        .route("/export/assignments.xlsx", get(export_assignments))
        .route(
            "/inspections",
            get(list_inspections).post(create_inspection),
        )
        .route("/inspections/{id}", get(get_inspection))
        .route(
            "/inspections/{id}/findings",
            post(create_inspection_finding),
        )
        .route("/findings", post(create_finding))
        .route("/rectifications", get(list_rectifications))
        .route("/rectifications/{id}", get(get_rectification))
        .route("/rectifications/{id}/submit", post(submit))
        .route("/rectifications/{id}/verify", post(verify))
        .route(
            "/bulletins/rectification.docx",
            get(rectification_bulletin).post(issue_rectification_bulletin),
        )
        .route(
            "/bulletins/tasks.docx",
            get(task_bulletin).post(issue_task_bulletin),
        )
        .route("/stats/rectification", get(rectification_stats))
        .route("/export/rectifications.xlsx", get(export_rectifications))
        .merge(crate::platform::ledger::evidence_api(&ASSIGNMENTS))
        .merge(crate::platform::ledger::evidence_api(&RECTIFICATIONS))
}

pub fn when(st: &AppState) -> When {
    When {
        now: st.clock.now(),
        today: st.clock.today(),
    }
}

// ---------------------------------------------------------------- work plans

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PlanBody {
    title: Option<String>,
    year: Option<i64>,
    text: Option<String>,
}

/// Parses the text of a plan; no items → 422 on `field`.
pub fn parse_plan(text: &str, field: &str, lang: Lang) -> Result<ParsedPlan, AppError> {
    let parsed = workplan::parse(text);
    if parsed.item_count() == 0 {
        return Err(AppError::field(
            field,
            FieldError::Malformed {
                detail: lang.t("workplan.no_items").into(),
            },
        ));
    }
    Ok(parsed)
}

/// The plan to save: title and year from the request, else from the document.
pub fn new_plan(
    parsed: ParsedPlan,
    text: String,
    title: Option<&str>,
    year: Option<i64>,
) -> Result<NewPlan, AppError> {
    let mut errs = FieldErrors::new();
    let title = match title.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => domain::validate::name(&mut errs, "title", t, w::TITLE_MAX),
        None => match &parsed.title {
            Some(t) => t.clone(),
            None => {
                errs.add("title", FieldError::Required);
                String::new()
            }
        },
    };
    let year = match year.or(parsed.year.map(i64::from)) {
        Some(y) if (1949..=2200).contains(&y) => y as i32,
        Some(_) => {
            errs.add("year", FieldError::TooLarge { max: 2200 });
            0
        }
        None => {
            errs.add("year", FieldError::Required);
            0
        }
    };
    errs.into_result()?;
    Ok(NewPlan {
        title,
        year,
        source_text: text,
        parsed,
    })
}

/// The request's plan: JSON `{"title","year","text"}` or multipart `file` (+ `title`, `year`).
pub(super) async fn plan_request(
    st: &AppState,
    req: Request,
) -> Result<(PlanBody, &'static str), AppError> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        let ApiJson(body) = ApiJson::<PlanBody>::from_request(req, st).await?;
        return Ok((body, "text"));
    }
    let limit = st.config.max_upload_bytes;
    let mut mp = Multipart::from_request(req, st)
        .await
        .map_err(|_| AppError::BadRequest("error.multipart", String::new()))?;
    let map_err = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge(limit)
        } else {
            AppError::BadRequest("error.multipart", String::new())
        }
    };
    let mut body = PlanBody::default();
    let mut file = None;
    while let Some(mut field) = mp.next_field().await.map_err(map_err)? {
        let name = field.name().unwrap_or("").to_string();
        let mut buf = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(map_err)? {
            if buf.len() + chunk.len() > limit {
                return Err(AppError::PayloadTooLarge(limit));
            }
            buf.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "file" => file = Some(buf),
            "title" => body.title = Some(String::from_utf8_lossy(&buf).into_owned()),
            "year" => {
                let s = String::from_utf8_lossy(&buf).trim().to_string();
                if !s.is_empty() {
                    body.year = Some(s.parse().map_err(|_| {
                        AppError::field(
                            "year",
                            FieldError::WrongType {
                                expected: "integer",
                            },
                        )
                    })?);
                }
            }
            _ => {}
        }
    }
    let bytes = file.ok_or(AppError::BadRequest("error.no_file", String::new()))?;
    let text = tokio::task::spawn_blocking(move || work_io::plan_text(&bytes))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    body.text = Some(text);
    Ok((body, "file"))
}

pub(super) fn warning_text(wn: &workplan::Warning, lang: Lang) -> String {
    use workplan::Warning as W;
    match wn {
        W::Gap { after: 0, found } => lang.tf("workplan.warn.first", &[&found.to_string()]),
        W::Gap { after, found } => lang.tf(
            "workplan.warn.gap",
            &[&after.to_string(), &found.to_string()],
        ),
        W::Repeat { no } => lang.tf("workplan.warn.repeat", &[&no.to_string()]),
        W::OutOfOrder { after, found } => lang.tf(
            "workplan.warn.out_of_order",
            &[&after.to_string(), &found.to_string()],
        ),
        W::SectionGap { after, found } => lang.tf("workplan.warn.section_gap", &[after, found]),
    }
}

/// The numbering warnings with their message.
pub fn warnings_json(p: &ParsedPlan, lang: Lang) -> Vec<Value> {
    p.warnings
        .iter()
        .map(|wn| {
            let mut v = serde_json::to_value(wn).unwrap_or(Value::Null);
            v["message"] = Value::String(warning_text(wn, lang));
            v
        })
        .collect()
}

#[utoipa::path(
    post,
    path = "/work-plans/import",
    summary = "Import a work plan (admin, committee). `?dry_run=true` parses without saving (200, id null) — the confirmation step of the page.",
    description = "A section starts at a line `一、…`; an item at a line `1.` `1．` `1、` (half- or full-width digits). \
        An item's `title` is its text up to the first `。`, without the `。`; its `body` is the rest, including paragraphs that continue it \
        across page breaks (blank lines, form feeds, page-number lines such as `— 3 —`, repeated running headers; a paragraph cut in mid \
        sentence is joined without a break, one that follows a finished sentence starts a new line). Lines before the first section or item \
        (the notice's header, addressee, preamble) and the signature block after the last item are not items. `title` and `year` default \
        to the document's own title line (…工作要点). `warnings` lists numbering problems (gap, repeat, out_of_order, section_gap) with a message; \
        numbering that starts again at 1 in a new section is not a problem. Text with no items → 422 on `text` (or `file`).",
    params(("dry_run" = Option<bool>, Query, description = "parse only")),
    request_body(content(
        (super::openapi::WorkPlanImport = "application/json"),
        (super::openapi::WorkPlanFile = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "OK", body = super::openapi::ImportedPlan),
        (status = 200, description = "dry_run: parsed, not saved (id null)", body = super::openapi::ImportedPlan),
        super::openapi::E400, super::openapi::E401, super::openapi::E403, super::openapi::E413, super::openapi::E422,
    ),
)]
pub async fn import_plan(
    State(st): State<AppState>,
    caller: Caller,
    lang: Lang,
    mut p: Params,
    req: Request,
) -> ApiResult<Response> {
    let dry_run = p.bool("dry_run").unwrap_or(false);
    p.finish()?;
    let actor = caller.may(Permission::PlanWork)?;
    let (body, field) = plan_request(&st, req).await?;
    let text = body.text.unwrap_or_default();
    if text.trim().is_empty() {
        return Err(AppError::field(field, FieldError::Required));
    }
    let parsed = parse_plan(&text, field, lang)?;
    let warnings = warnings_json(&parsed, lang);
    if dry_run {
        let title = body.title.clone().or(parsed.title.clone());
        let year = body.year.or(parsed.year.map(i64::from));
        return Ok(Json(json!({"id": null, "title": title, "year": year,
            "sections": parsed.sections, "warnings": warnings}))
        .into_response());
    }
    let plan = new_plan(parsed, text, body.title.as_deref(), body.year)?;
    let saved = st.store.import_plan(&actor, plan).await?;
    let mut v = serde_json::to_value(&saved).map_err(|e| AppError::Internal(e.to_string()))?;
    v["warnings"] = Value::Array(warnings);
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

#[utoipa::path(
    get,
    path = "/work-plans",
    summary = "List work plans (every role; plans are sent to every org)",
    params(super::openapi::Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::work::PlanSummary>), super::openapi::E401, super::openapi::E422),
)]
pub async fn list_plans(
    State(st): State<AppState>,
    _caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let page = p.page();
    p.finish()?;
    Ok(Json(st.store.list_plans(page).await?))
}

#[utoipa::path(
    get,
    path = "/work-plans/{id}",
    summary = "A work plan with its sections and items",
    params(super::openapi::IdPath),
    responses((status = 200, description = "OK", body = store::work::WorkPlan), super::openapi::E401, super::openapi::E404),
)]
pub async fn get_plan(
    State(st): State<AppState>,
    _caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_plan(id).await?))
}

/// `PATCH /work-plans/{id}`: the plan's own fields.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanPatch {
    pub title: Option<String>,
    pub year: Option<i64>,
}

/// Validates a plan edit over the plan as it is (absent fields keep their value).
pub fn plan_edit(plan: &store::work::WorkPlan, p: PlanPatch) -> Result<PlanEdit, AppError> {
    let mut errs = FieldErrors::new();
    let title = match p.title.as_deref().map(str::trim) {
        Some("") => {
            errs.add("title", FieldError::Required);
            String::new()
        }
        Some(t) => domain::validate::name(&mut errs, "title", t, w::TITLE_MAX),
        None => plan.title.clone(),
    };
    let year = match p.year {
        Some(y) if (1949..=2200).contains(&y) => y as i32,
        Some(y) if y < 1949 => {
            errs.add("year", FieldError::TooSmall { min: 1949 });
            0
        }
        Some(_) => {
            errs.add("year", FieldError::TooLarge { max: 2200 });
            0
        }
        None => plan.year,
    };
    errs.into_result()?;
    Ok(PlanEdit { title, year })
}

/// Edits a plan (admin, committee); shared by the API and the page.
pub async fn edit_plan(
    st: &AppState,
    caller: &Caller,
    id: i64,
    p: PlanPatch,
) -> Result<store::work::WorkPlan, AppError> {
    let actor = caller.may(Permission::PlanWork)?;
    let plan = st.store.get_plan(id).await?;
    let edit = plan_edit(&plan, p)?;
    Ok(st.store.update_plan(&actor, id, edit).await?)
}

/// Deletes a plan (admin, committee) that no task was made from; shared by API and page.
pub async fn remove_plan(st: &AppState, caller: &Caller, id: i64) -> Result<(), AppError> {
    let actor = caller.may(Permission::PlanWork)?;
    Ok(st.store.delete_plan(&actor, id).await?)
}

#[utoipa::path(
    patch,
    path = "/work-plans/{id}",
    summary = "Change a work plan's title or year (admin, committee); not in API.md. Absent fields keep their value; its sections and items stay as imported.",
    params(super::openapi::IdPath),
    request_body = PlanPatch,
    responses((status = 200, description = "OK", body = store::work::WorkPlan), super::openapi::E400, super::openapi::E401, super::openapi::E403, super::openapi::E404, super::openapi::E422),
)]
pub async fn update_plan(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<PlanPatch>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(edit_plan(&st, &caller, id, body).await?))
}

#[utoipa::path(
    delete,
    path = "/work-plans/{id}",
    summary = "Delete a work plan (admin, committee); not in API.md. Soft and audited. Only a plan that no live task was made from: \
        tasks, their assignments and progress reports are records to keep, so a plan with tasks → 409 `in_use` (delete nothing).",
    params(super::openapi::IdPath),
    responses((status = 204, description = "deleted"), super::openapi::E401, super::openapi::E403, super::openapi::E404, super::openapi::E409),
)]
pub async fn delete_plan(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    remove_plan(&st, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
