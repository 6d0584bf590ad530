//! M3/M4 endpoints: work plans, tasks and assignments, inspections, findings, rectifications, bulletins.

use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::ledger::{ASSIGNMENTS, RECTIFICATIONS};
use domain::policy::Permission;
use domain::work::{
    self as w, AssignmentState, RectificationState, ReviewDecision, Severity, VerifyDecision,
};
use domain::workplan::{self, ParsedPlan};
use domain::{FieldError, FieldErrors};
use serde::Deserialize;
use serde_json::{json, Value};
use store::work::{LedgerSort, NewPlan, When};

use crate::modules::work::sheets as work_io;
use crate::platform::auth::Caller;
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::{ApiJson, Id, Params};
use crate::platform::i18n::Lang;
use crate::platform::openapi::{enum_of, id, list_of, op, paging, q, r};
use crate::AppState;

pub use super::{api_supervision::*, api_tasks::*};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/work-plans/import",
            post(import_plan).layer(DefaultBodyLimit::disable()),
        )
        .route("/work-plans", get(list_plans))
        .route("/work-plans/{id}", get(get_plan))
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
        .route("/bulletins/rectification.docx", get(rectification_bulletin))
        .route("/bulletins/tasks.docx", get(task_bulletin))
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

pub async fn list_plans(
    State(st): State<AppState>,
    _caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let page = p.page();
    p.finish()?;
    Ok(Json(st.store.list_plans(page).await?))
}

pub async fn get_plan(
    State(st): State<AppState>,
    _caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_plan(id).await?))
}

/// This module's part of the OpenAPI description.
pub(crate) fn openapi(doc: &mut Value) {
    let date = json!({"type": "string", "format": "date"});
    let opt_date = json!({"type": ["string", "null"], "format": "date"});
    let time = json!({"type": ["string", "null"], "format": "date-time"});
    let xlsx = json!({"description": "xlsx", "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}});
    let bulletin_params = json!([
        q(
            "from",
            date.clone(),
            "period start (default 1 January of this year)"
        ),
        q("to", date.clone(), "period end (default today)"),
        q(
            "doc_number",
            json!({"type": "string"}),
            "发文字号, e.g. 渝科协社党发〔2023〕11号"
        )
    ]);
    let file_body = json!({"required": true, "content": {"multipart/form-data": {"schema": {"type": "object",
        "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"]}}}});
    let file_id =
        json!({"name": "file", "in": "path", "required": true, "schema": {"type": "integer"}});
    let sort = q(
        "sort",
        enum_of(LedgerSort::CODES),
        "id (default), due_on, -due_on, org (place in the tree)",
    );
    let mut a_params = vec![
        q(
            "party_org_id",
            json!({"type": "integer"}),
            "the assignment's org (exact)",
        ),
        q("task_id", json!({"type": "integer"}), ""),
        q("state", enum_of(AssignmentState::CODES), ""),
        q(
            "overdue",
            json!({"type": "boolean"}),
            "not accepted and today after due_on",
        ),
        q("from", date.clone(), "due_on on or after"),
        q("to", date.clone(), "due_on on or before"),
        sort.clone(),
    ];
    let a_export = Value::Array(a_params.clone());
    a_params.extend(paging());
    let mut r_params = vec![
        q(
            "party_org_id",
            json!({"type": "integer"}),
            "the owner org (exact)",
        ),
        q("inspection_id", json!({"type": "integer"}), ""),
        q("state", enum_of(RectificationState::CODES), ""),
        q("severity", enum_of(Severity::CODES), ""),
        q(
            "overdue",
            json!({"type": "boolean"}),
            "not verified and today after due_on",
        ),
        q("from", date.clone(), "found_on on or after"),
        q("to", date.clone(), "found_on on or before"),
        sort,
    ];
    let r_export = Value::Array(r_params.clone());
    r_params.extend(paging());
    let mut import = op(
        "Import a work plan (admin, committee). `?dry_run=true` parses without saving (200, id null) — the confirmation step of the page.",
        json!([q("dry_run", json!({"type": "boolean"}), "parse only")]),
        None,
        ("201", r("WorkPlan")),
        &["400", "401", "403", "413", "422"],
    );
    import["requestBody"] = json!({"required": true, "content": {
        "application/json": {"schema": r("WorkPlanImport")},
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary", "description": ".txt (UTF-8, UTF-8 BOM, GB18030, UTF-16 BOM) or .docx, detected by content"},
            "title": {"type": "string"}, "year": {"type": "integer"}}}}}});
    import["description"] = json!("A section starts at a line `一、…`; an item at a line `1.` `1．` `1、` (half- or full-width digits). \
        An item's `title` is its text up to the first `。`, without the `。`; its `body` is the rest, including paragraphs that continue it \
        across page breaks (blank lines, form feeds, page-number lines such as `— 3 —`, repeated running headers; a paragraph cut in mid \
        sentence is joined without a break, one that follows a finished sentence starts a new line). Lines before the first section or item \
        (the notice's header, addressee, preamble) and the signature block after the last item are not items. `title` and `year` default \
        to the document's own title line (…工作要点). `warnings` lists numbering problems (gap, repeat, out_of_order, section_gap) with a message; \
        numbering that starts again at 1 in a new section is not a problem. Text with no items → 422 on `text` (or `file`).");
    crate::platform::openapi::extend(
        doc,
        json!({
            "/work-plans/import": {"post": import},
            "/work-plans": {"get": op("List work plans (every role; plans are sent to every org)", Value::Array(paging()), None, ("200", list_of("WorkPlanSummary")), &["401", "422"])},
            "/work-plans/{id}": {"get": op("A work plan with its sections and items", json!([id()]), None, ("200", r("WorkPlan")), &["401", "404"])},
            "/tasks": {
                "get": op("Tasks with at least one assignment in scope, newest first", Value::Array(paging()), None, ("200", list_of("Task")), &["401", "422"]),
                "post": op("Create a task and one assignment per org (admin, committee). Orgs: `party_org_ids`, and/or every org of `org_kinds` (all kinds when absent) in the subtree of `subtree_id` (itself included). `issued_on` defaults to today; `due_on` before `issued_on` → 422.", json!([]), Some("TaskInput"), ("201", r("Task")), &["400", "401", "403", "422"])},
            "/tasks/{id}": {"get": op("A task with its assignments in scope", json!([id()]), None, ("200", r("Task")), &["401", "404"])},
            "/assignments": {"get": op("The task ledger", Value::Array(a_params), None, ("200", list_of("Assignment")), &["401", "422"])},
            "/assignments/{id}": {"get": op("An assignment with its reports (`reports`)", json!([id()]), None, ("200", r("Assignment")), &["401", "404"])},
            "/assignments/{id}/reports": {
                "get": op("The reports of an assignment, oldest first", json!([id()]), None, ("200", list_of("ProgressReport")), &["401", "404"]),
                "post": op("Report progress (the org's own users — a branch user whose subtree holds the org — or admin): assigned|returned → reported; any other state → 409", json!([id()]), Some("ReportInput"), ("201", r("ProgressReport")), &["400", "401", "403", "404", "409", "422"])},
            "/assignments/{id}/review": {"post": op("Accept or return the latest report (admin, committee): reported → accepted|returned; any other state → 409", json!([id()]), Some("ReviewInput"), ("200", r("Assignment")), &["400", "401", "403", "404", "409", "422"])},
            "/export/assignments.xlsx": {"get": {"summary": "The task ledger (工作台账) as xlsx, same filters as /assignments", "parameters": a_export, "responses": {"200": xlsx.clone(), "401": {"$ref": "#/components/responses/E401"}, "422": {"$ref": "#/components/responses/E422"}}}},
            "/inspections": {
                "get": op("Inspections involving an org in scope, latest first", Value::Array(paging()), None, ("200", list_of("Inspection")), &["401", "422"]),
                "post": op("Create an inspection (admin, committee, inspector); `team`: the inspectors' names", json!([]), Some("InspectionInput"), ("201", r("Inspection")), &["400", "401", "403", "422"])},
            "/inspections/{id}": {"get": op("An inspection (its orgs in scope)", json!([id()]), None, ("200", r("Inspection")), &["401", "404"])},
            "/inspections/{id}/findings": {"post": op("A finding of the inspection and its rectification (open); the org must be one of the inspection's; found_on defaults to the inspection's held_on; found_on in the future or due_on before found_on → 422 (admin, committee, inspector)", json!([id()]), Some("FindingInput"), ("201", r("Finding")), &["400", "401", "403", "404", "422"])},
            "/findings": {"post": op("A finding outside any inspection (source self_check|report|other; found_on defaults to today). Admin, committee, inspector, and branch users for orgs in their subtree.", json!([]), Some("FindingInput"), ("201", r("Finding")), &["400", "401", "403", "422"])},
            "/rectifications": {"get": op("The rectification ledger", Value::Array(r_params), None, ("200", list_of("Rectification")), &["401", "422"])},
            "/rectifications/{id}": {"get": op("A rectification with its history (`events`)", json!([id()]), None, ("200", r("Rectification")), &["401", "404"])},
            "/rectifications/{id}/submit": {"post": op("Submit the rectification (the org's own users or admin): open|returned → submitted; else 409", json!([id()]), Some("SubmitInput"), ("200", r("Rectification")), &["400", "401", "403", "404", "409", "422"])},
            "/rectifications/{id}/verify": {"post": op("Verify (销号) or return (inspector, admin): submitted → verified|returned; else 409", json!([id()]), Some("VerifyInput"), ("200", r("Rectification")), &["400", "401", "403", "404", "409", "422"])},
            "/assignments/{id}/attachments": {
                "get": op("Evidence files of an assignment", json!([id()]), None, ("200", list_of("WorkAttachment")), &["401", "404"]),
                "post": {"summary": "Add an evidence file (the org's own users or admin): multipart `file`, checked by content (PDF, JPEG, PNG, GIF, WebP, HEIC, Office documents); size limit from configuration (default 20 MiB) → 413; anything else → 422 on file",
                    "parameters": [id()], "requestBody": file_body.clone(), "responses": {"201": {"description": "stored", "content": {"application/json": {"schema": r("WorkAttachment")}}}}}},
            "/assignments/{id}/attachments/{file}": {"get": {"summary": "Download an evidence file", "parameters": [id(), file_id.clone()], "responses": {"200": {"description": "the file"}, "404": {"$ref": "#/components/responses/E404"}}}},
            "/rectifications/{id}/attachments": {
                "get": op("Evidence files of a rectification", json!([id()]), None, ("200", list_of("WorkAttachment")), &["401", "404"]),
                "post": {"summary": "Add an evidence file of the fix (the org's own users or admin); as for assignments",
                    "parameters": [id()], "requestBody": file_body, "responses": {"201": {"description": "stored", "content": {"application/json": {"schema": r("WorkAttachment")}}}}}},
            "/rectifications/{id}/attachments/{file}": {"get": {"summary": "Download an evidence file", "parameters": [id(), file_id], "responses": {"200": {"description": "the file"}, "404": {"$ref": "#/components/responses/E404"}}}},
            "/bulletins/rectification.docx": {"get": {"summary": "The rectification bulletin (通报) as .docx in the GB/T 9704 layout: issuer (the committee at the root of the caller's scope), document number, title, overview figures, tables of closed-out and overdue findings by org, signature and date. Findings found in [from, to] (default: this year up to today).",
                "parameters": bulletin_params.clone(), "responses": {"200": {"description": "docx", "content": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {}}}, "401": {"$ref": "#/components/responses/E401"}, "422": {"$ref": "#/components/responses/E422"}}}},
            "/bulletins/tasks.docx": {"get": {"summary": "The task bulletin (通报) as .docx: assignments due in [from, to], accepted and overdue ones by org.",
                "parameters": bulletin_params, "responses": {"200": {"description": "docx", "content": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {}}}, "401": {"$ref": "#/components/responses/E401"}, "422": {"$ref": "#/components/responses/E422"}}}},
            "/stats/rectification": {"get": op("Rectification figures in scope, of findings found in `year`", json!([q("year", json!({"type": "integer"}), "found_on's year")]), None, ("200", r("RectificationStats")), &["401", "422"])},
            "/export/rectifications.xlsx": {"get": {"summary": "The rectification ledger (整改台账) as xlsx, same filters as /rectifications", "parameters": r_export, "responses": {"200": xlsx, "401": {"$ref": "#/components/responses/E401"}, "422": {"$ref": "#/components/responses/E422"}}}},
        }),
        json!({
            "WorkPlanImport": {"type": "object", "required": ["text"], "properties": {"title": {"type": "string"}, "year": {"type": "integer"}, "text": {"type": "string"}}},
            "WorkPlanSummary": {"type": "object", "properties": {"id": {"type": "integer"}, "title": {"type": "string"}, "year": {"type": "integer"}, "items": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"}}},
            "WorkPlan": {"type": "object", "properties": {"id": {"type": ["integer", "null"]}, "title": {"type": "string"}, "year": {"type": "integer"},
                "sections": {"type": "array", "items": {"type": "object", "properties": {"no": {"type": "string", "description": "一, 二, …; empty for items before any section"}, "title": {"type": "string"},
                    "items": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"}, "no": {"type": "integer"}, "title": {"type": "string", "description": "text up to the first 。 (without it)"}, "body": {"type": "string"}}}}}}},
                "warnings": {"type": "array", "items": {"type": "object", "properties": {"kind": enum_of(&["gap", "repeat", "out_of_order", "section_gap"]), "message": {"type": "string"}}}}}},
            "TaskInput": {"type": "object", "required": ["title", "due_on"], "properties": {"title": {"type": "string", "maxLength": 200}, "description": {"type": ["string", "null"]},
                "work_item_id": {"type": ["integer", "null"]}, "issued_on": opt_date.clone(), "due_on": date.clone(), "party_org_ids": {"type": "array", "items": {"type": "integer"}},
                "subtree_id": {"type": ["integer", "null"]}, "org_kinds": {"type": "array", "items": enum_of(domain::OrgKind::CODES)}}},
            "Task": {"type": "object", "properties": {"id": {"type": "integer"}, "title": {"type": "string"}, "description": {"type": ["string", "null"]}, "work_item_id": {"type": ["integer", "null"]},
                "issued_on": date.clone(), "due_on": date.clone(), "assignments": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"}, "party_org_id": {"type": "integer"},
                "state": enum_of(AssignmentState::CODES), "due_on": date.clone(), "progress": {"type": "integer"}}}}}},
            "Assignment": {"type": "object", "properties": {"id": {"type": "integer"}, "task_id": {"type": "integer"}, "task_title": {"type": "string"}, "party_org_id": {"type": "integer"},
                "state": enum_of(AssignmentState::CODES), "due_on": date.clone(), "overdue": {"type": "boolean", "description": "not accepted and today is after due_on (the ledger's not closed in time)"}, "late": {"type": "boolean", "description": "the org's own lateness: first reported after due_on, or not yet reported and today is after due_on"}, "first_reported_on": date.clone(), "last_report_at": time.clone(), "progress": {"type": "integer"},
                "issued_on": date.clone(), "work_item_id": {"type": ["integer", "null"]}}},
            "ReportInput": {"type": "object", "required": ["progress"], "properties": {"progress": {"type": "integer", "minimum": 0, "maximum": 100}, "text": {"type": "string"}}},
            "ProgressReport": {"type": "object", "properties": {"id": {"type": "integer"}, "assignment_id": {"type": "integer"}, "progress": {"type": "integer"}, "text": {"type": "string"},
                "reported_at": {"type": "string", "format": "date-time"}, "reported_by": {"type": "string"}, "decision": {"type": ["string", "null"], "enum": ["accept", "return", null]},
                "comment": {"type": ["string", "null"]}, "reviewed_at": time.clone(), "reviewed_by": {"type": ["string", "null"]}}},
            "ReviewInput": {"type": "object", "required": ["decision"], "properties": {"decision": enum_of(ReviewDecision::CODES), "comment": {"type": "string"}}},
            "InspectionInput": {"type": "object", "required": ["title", "kind", "held_on", "party_org_ids"], "properties": {"title": {"type": "string"}, "kind": enum_of(w::InspectionKind::CODES),
                "held_on": date.clone(), "party_org_ids": {"type": "array", "items": {"type": "integer"}}, "team": {"type": "array", "items": {"type": "string"}}}},
            "Inspection": {"type": "object", "properties": {"id": {"type": "integer"}, "title": {"type": "string"}, "kind": enum_of(w::InspectionKind::CODES), "held_on": date.clone(),
                "party_org_ids": {"type": "array", "items": {"type": "integer"}}, "team": {"type": "array", "items": {"type": "string"}}, "findings": {"type": "integer"}}},
            "FindingInput": {"type": "object", "required": ["party_org_id", "description", "severity", "due_on"], "properties": {"source": enum_of(&w::FindingSource::CODES[1..]),
                "party_org_id": {"type": "integer"}, "description": {"type": "string"}, "severity": enum_of(Severity::CODES), "found_on": opt_date, "due_on": date.clone()}},
            "Finding": {"type": "object", "properties": {"id": {"type": "integer"}, "inspection_id": {"type": ["integer", "null"]}, "source": enum_of(w::FindingSource::CODES),
                "party_org_id": {"type": "integer"}, "description": {"type": "string"}, "severity": enum_of(Severity::CODES), "found_on": date.clone(), "due_on": date.clone(),
                "rectification": {"type": "object", "properties": {"id": {"type": "integer"}, "state": enum_of(RectificationState::CODES)}}}},
            "Rectification": {"type": "object", "properties": {"id": {"type": "integer"}, "finding_id": {"type": "integer"}, "party_org_id": {"type": "integer"}, "description": {"type": "string"},
                "severity": enum_of(Severity::CODES), "due_on": date.clone(), "state": enum_of(RectificationState::CODES), "overdue": {"type": "boolean", "description": "not verified and today is after due_on"}, "late": {"type": "boolean", "description": "first submitted after due_on, or not yet submitted and today is after due_on"}, "first_submitted_on": date.clone(), "submitted_at": time.clone(), "verified_at": time,
                "found_on": date, "source": enum_of(w::FindingSource::CODES), "inspection_id": {"type": ["integer", "null"]}, "response": {"type": ["string", "null"]}, "comment": {"type": ["string", "null"]}}},
            "WorkAttachment": {"type": "object", "properties": {"id": {"type": "integer"}, "owner": enum_of(&["assignment", "rectification"]), "owner_id": {"type": "integer"},
                "file_name": {"type": "string"}, "content_type": {"type": "string"}, "size": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"}}},
            "SubmitInput": {"type": "object", "properties": {"response": {"type": "string"}}},
            "VerifyInput": {"type": "object", "required": ["decision"], "properties": {"decision": enum_of(VerifyDecision::CODES), "comment": {"type": "string"}}},
            "RectificationStats": {"type": "object", "properties": {"total": {"type": "integer"}, "open": {"type": "integer"}, "submitted": {"type": "integer"}, "returned": {"type": "integer"},
                "verified": {"type": "integer"}, "overdue": {"type": "integer"}, "on_time_rate": {"type": "number", "description": "verified on or before due_on / verified; 0 when none is verified"},
                "median_days_to_close": {"type": ["number", "null"], "description": "from found_on to the day of verification; null when none is verified"}}},
        }),
    );
}
