//! M2 endpoints: activities and attachments, obligations, compliance, to-do and reminders.

use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Datelike;
use domain::life::{ActivityKind, ActivityPatch, ObligationPatch, PeriodKind, Status};
use domain::policy::Permission;
use domain::{FieldError, FieldErrors, OrgKind};
use serde_json::{json, Value};
use store::life::{ActivityFilter, NewAttachment};
use store::Paged;

use crate::modules::life::{reminders, sheets as life_io};
use crate::modules::registry::api::xlsx_response;
use crate::platform::auth::Caller;
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::{ApiJson, Id, Params, Upload};
use crate::platform::files;
use crate::platform::i18n::Lang;
use crate::platform::openapi::{enum_of, id, list_of, op, paging, q, r};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/activities", get(list_activities).post(create_activity))
        .route(
            "/activities/{id}",
            get(get_activity)
                .patch(update_activity)
                .delete(delete_activity),
        )
        .route(
            "/activities/{id}/attachments",
            get(list_attachments)
                .post(add_attachment)
                .layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/attachments/{id}",
            get(download_attachment).delete(delete_attachment),
        )
        .route(
            "/obligations",
            get(list_obligations).post(create_obligation),
        )
        .route(
            "/obligations/{id}",
            get(get_obligation)
                .patch(update_obligation)
                .delete(delete_obligation),
        )
        .route("/compliance", get(compliance))
        .route("/export/compliance.xlsx", get(export_compliance))
        .route("/export/activities.xlsx", get(export_activities))
        .route("/todo", get(todo))
        .route("/reminders", get(list_reminders))
        .route("/reminders/run", post(run_reminders))
}

/// The activity filter from query parameters; shared with the pages and the export.
/// `year` is a shorthand for `from`/`to` spanning that year.
pub fn activity_filter(p: &mut Params) -> ActivityFilter {
    let year = p.i64("year");
    let mut f: ActivityFilter = p.filter();
    if let Some(y) = year.and_then(|y| i32::try_from(y).ok()) {
        f.from = chrono::NaiveDate::from_ymd_opt(y, 1, 1).or(f.from);
        f.to = chrono::NaiveDate::from_ymd_opt(y, 12, 31).or(f.to);
    }
    f
}

async fn export_activities(
    State(st): State<AppState>,
    caller: Caller,
    lang: Lang,
    mut p: Params,
) -> ApiResult<Response> {
    let f = activity_filter(&mut p);
    p.finish()?;
    let bytes = life_io::activities_xlsx(&st, &caller.scope, &f, lang).await?;
    Ok(xlsx_response(bytes, lang.t("act.sheet_name")))
}

async fn list_activities(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let f = activity_filter(&mut p);
    let page = p.page();
    p.finish()?;
    Ok(Json(
        st.store.list_activities(&caller.scope, &f, page).await?,
    ))
}

async fn get_activity(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_activity(&caller.scope, id).await?))
}

async fn create_activity(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ActivityPatch>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::RecordActivity)?;
    let input = body
        .apply(None, st.clock.today())
        .map_err(AppError::Validation)?;
    let a = st
        .store
        .create_activity(&actor, &caller.scope, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

async fn update_activity(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<ActivityPatch>,
) -> ApiResult<impl IntoResponse> {
    let base = st.store.get_activity(&caller.scope, id).await?;
    let actor = caller.may(Permission::RecordActivity)?;
    let input = body
        .apply(Some(&base.input()), st.clock.today())
        .map_err(AppError::Validation)?;
    Ok(Json(
        st.store
            .update_activity(&actor, &caller.scope, id, &input)
            .await?,
    ))
}

async fn delete_activity(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    st.store.get_activity(&caller.scope, id).await?;
    let actor = caller.may(Permission::RecordActivity)?;
    st.store.delete_activity(&actor, &caller.scope, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Checks an uploaded file by its content and stores it; the facts to record.
pub async fn accept_file(
    st: &AppState,
    file_name: Option<&str>,
    bytes: axum::body::Bytes,
) -> Result<NewAttachment, AppError> {
    let Some(kind) = files::sniff(&bytes) else {
        return Err(AppError::Validation(FieldErrors::single(
            "file",
            FieldError::UnknownValue {
                allowed: vec![
                    "PDF",
                    "JPEG",
                    "PNG",
                    "GIF",
                    "WebP",
                    "HEIC",
                    "DOCX",
                    "XLSX",
                    "PPTX",
                    "ODT",
                    "ODS",
                    "DOC/XLS/WPS",
                ],
            },
        )));
    };
    let size = bytes.len() as i64;
    let sha = files::save(&st.config.files_dir, bytes)
        .await
        .map_err(|e| AppError::Internal(format!("saving attachment: {e}")))?;
    Ok(NewAttachment {
        file_name: files::clean_name(file_name, kind.ext),
        content_type: kind.content_type.to_string(),
        size,
        sha256: sha,
    })
}

async fn add_attachment(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    mp: Multipart,
) -> ApiResult<impl IntoResponse> {
    st.store.get_activity(&caller.scope, id).await?;
    let actor = caller.may(Permission::RecordActivity)?;
    let up = Upload::from_multipart(mp, st.config.max_upload_bytes).await?;
    let new = accept_file(&st, up.file_name.as_deref(), up.bytes).await?;
    let a = st
        .store
        .add_attachment(&actor, &caller.scope, id, &new)
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

async fn list_attachments(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    let items = st.store.list_attachments(&caller.scope, id).await?;
    let n = items.len() as i64;
    Ok(Json(Paged {
        items,
        total: n,
        page: 1,
        per_page: n.max(1),
    }))
}

async fn download_attachment(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Response> {
    let a = st.store.get_attachment(&caller.scope, id).await?;
    files::download(
        &st.config.files_dir,
        &a.sha256,
        &a.content_type,
        &a.file_name,
    )
    .await
}

async fn delete_attachment(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    st.store.get_attachment(&caller.scope, id).await?;
    let actor = caller.may(Permission::RecordActivity)?;
    st.store
        .delete_attachment(&actor, &caller.scope, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_obligations(
    State(st): State<AppState>,
    _caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let page = p.page();
    p.finish()?;
    let all = st.store.list_obligations().await?;
    let total = all.len() as i64;
    let items = all
        .into_iter()
        .skip(page.offset() as usize)
        .take(page.per_page as usize)
        .collect();
    Ok(Json(Paged {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    }))
}

async fn get_obligation(
    State(st): State<AppState>,
    _caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_obligation(id).await?))
}

async fn create_obligation(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ObligationPatch>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::ManageObligations)?;
    let input = body.apply(None).map_err(AppError::Validation)?;
    let o = st.store.create_obligation(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json(o)))
}

async fn update_obligation(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<ObligationPatch>,
) -> ApiResult<impl IntoResponse> {
    let base = st.store.get_obligation(id).await?;
    let actor = caller.may(Permission::ManageObligations)?;
    let input = body
        .apply(Some(&base.input()))
        .map_err(AppError::Validation)?;
    Ok(Json(st.store.update_obligation(&actor, id, &input).await?))
}

async fn delete_obligation(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    st.store.get_obligation(id).await?;
    let actor = caller.may(Permission::ManageObligations)?;
    st.store.delete_obligation(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `year` (default: this year) and `party_org_id` of a compliance query.
pub fn compliance_query(p: &mut Params, this_year: i32) -> (i32, Option<i64>) {
    let year = match p.i64("year") {
        Some(y) if (1921..=9998).contains(&y) => y as i32,
        Some(y) => {
            let e = if y < 1921 {
                FieldError::TooSmall { min: 1921 }
            } else {
                FieldError::TooLarge { max: 9998 }
            };
            p.errors.add("year", e);
            this_year
        }
        None => this_year,
    };
    (year, p.i64("party_org_id"))
}

async fn compliance(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<Response> {
    let today = st.clock.today();
    let (year, org) = compliance_query(&mut p, today.year());
    p.finish()?;
    let report = st.store.compliance(&caller.scope, org, year, today).await?;
    // Large reports (a whole national tree) are serialized off the async threads.
    let body = tokio::task::spawn_blocking(move || serde_json::to_vec(&*report))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

async fn export_compliance(
    State(st): State<AppState>,
    caller: Caller,
    lang: Lang,
    mut p: Params,
) -> ApiResult<Response> {
    let today = st.clock.today();
    let (year, org) = compliance_query(&mut p, today.year());
    p.finish()?;
    let bytes = life_io::compliance_xlsx(&st, &caller.scope, org, year, lang).await?;
    Ok(xlsx_response(
        bytes,
        &lang.tf("life.export_name", &[&year.to_string()]),
    ))
}

async fn todo(State(st): State<AppState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        reminders::todo(&st, &caller.user, &caller.scope).await?,
    ))
}

async fn list_reminders(
    State(st): State<AppState>,
    caller: Caller,
) -> ApiResult<impl IntoResponse> {
    let since = st.clock.today() - chrono::Days::new(31);
    let items = st.store.reminders(&caller.scope, since, 200).await?;
    Ok(Json(json!({ "items": items })))
}

/// Runs the daily reminder job now (admin): what the scheduler does each morning.
async fn run_reminders(State(st): State<AppState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    caller.may(Permission::ManageObligations)?;
    let out = reminders::run_once(&st).await?;
    Ok(Json(out))
}

/// This module's part of the OpenAPI description.
pub(crate) fn openapi(doc: &mut Value) {
    let date = json!({"type": "string", "format": "date"});
    let e = ["400", "401", "403", "404", "422"];
    let mut act_params = vec![
        q(
            "party_org_id",
            json!({"type": "integer"}),
            "records of exactly this org",
        ),
        q("kind", enum_of(ActivityKind::CODES), ""),
        q("from", date.clone(), "held on or after"),
        q("to", date.clone(), "held on or before"),
        q(
            "year",
            json!({"type": "integer"}),
            "extension: held in this year (sets from and to)",
        ),
        q("q", json!({"type": "string"}), "topic contains"),
    ];
    act_params.extend(paging());
    let comp_params = json!([
        q(
            "year",
            json!({"type": "integer", "minimum": 1921}),
            "default: this year"
        ),
        q(
            "party_org_id",
            json!({"type": "integer"}),
            "the subtree of this org (default: the caller's scope)"
        )
    ]);
    let paths = json!({
        "/activities": {
            "get": op("List activity records in scope, newest first", json!(act_params), None, ("200", list_of("Activity")), &e),
            "post": op("Record a held activity (admin, committee, branch within its subtree). held_on may not be in the future; attendees_present ≤ attendees_expected. An org outside the caller's scope → 404.", json!([]), Some("ActivityInput"), ("201", r("Activity")), &e),
        },
        "/activities/{id}": {
            "get": op("One activity", json!([id()]), None, ("200", r("Activity")), &e),
            "patch": op("Change an activity; absent fields keep their value, null clears", json!([id()]), Some("ActivityInput"), ("200", r("Activity")), &e),
            "delete": op("Soft-delete an activity (audited)", json!([id()]), None, ("204", json!({})), &e),
        },
        "/activities/{id}/attachments": {
            "get": op("The activity's attachments", json!([id()]), None, ("200", list_of("Attachment")), &e),
            "post": {"summary": "Attach a file (multipart field `file`): PDF, JPEG, PNG, GIF, WebP, HEIC, DOCX/XLSX/PPTX, ODT/ODS, legacy DOC/XLS/WPS — checked by content, not by name. Too large (default 20 MiB, configurable) → 413; another type → 422 naming `file`.",
                "parameters": [id()],
                "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}},
                "responses": {"201": {"description": "Stored", "content": {"application/json": {"schema": r("Attachment")}}},
                    "413": {"$ref": "#/components/responses/E413"}, "422": {"$ref": "#/components/responses/E422"}, "404": {"$ref": "#/components/responses/E404"}}},
        },
        "/attachments/{id}": {
            "get": {"summary": "Download an attachment (only within the caller's scope)", "parameters": [id()],
                "responses": {"200": {"description": "The file, with its checked content type"}, "404": {"$ref": "#/components/responses/E404"}}},
            "delete": op("Soft-delete an attachment", json!([id()]), None, ("204", json!({})), &e),
        },
        "/obligations": {
            "get": op("Obligation rules (seeded with PRODUCT.md's defaults)", json!(paging()), None, ("200", list_of("Obligation")), &e),
            "post": op("Add a rule (admin)", json!([]), Some("ObligationInput"), ("201", r("Obligation")), &e),
        },
        "/obligations/{id}": {
            "get": op("One rule", json!([id()]), None, ("200", r("Obligation")), &e),
            "patch": op("Change a rule (admin; audited)", json!([id()]), Some("ObligationInput"), ("200", r("Obligation")), &e),
            "delete": op("Retire a rule (admin; audited)", json!([id()]), None, ("204", json!({})), &e),
        },
        "/compliance": {
            "get": op("Per org, obligation and period of the year: required, done and status. A period counts only if the org existed on its first day (an org without an establishment date counts as existing) and it starts on or after the rule's active_from. party_org_id selects that org's subtree.", comp_params.clone(), None, ("200", r("Compliance")), &e),
        },
        "/export/compliance.xlsx": {
            "get": {"summary": "The compliance ledger as xlsx", "parameters": comp_params,
                "responses": {"200": {"description": "xlsx", "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}}},
        },
        "/export/activities.xlsx": {
            "get": {"summary": "Extension: the activity records as xlsx (same filters as the list)", "parameters": json!(act_params.clone()),
                "responses": {"200": {"description": "xlsx", "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}}},
        },
        "/users/{id}": {
            "patch": op("Extension (admin): set or clear a user's reminder address {\"email\": \"…\" | null}", json!([id()]), None, ("200", r("User")), &e),
        },
        "/todo": {
            "get": op("Extension: the caller's to-do — unmet obligations of this period with days left, and this year's misses (up to 50 each, with totals), across the subtree of the caller's org, or the whole tree for users without one; plus this year's figures for the scope", json!([]), None, ("200", json!({"type": "object"})), &e),
        },
        "/reminders": {
            "get": op("Extension: reminders prepared in the last 31 days for the orgs in scope", json!([]), None, ("200", json!({"type": "object", "properties": {"items": {"type": "array", "items": r("Reminder")}}})), &e),
        },
        "/reminders/run": {
            "post": op("Extension (admin): run the daily reminder job now; returns how many reminders were prepared and e-mailed", json!([]), None, ("200", json!({"type": "object"})), &e),
        },
    });
    let nullable_int = json!({"type": ["integer", "null"], "minimum": 0});
    let schemas = json!({
        "Activity": {"type": "object", "properties": {
            "id": {"type": "integer", "readOnly": true}, "party_org_id": {"type": "integer"},
            "kind": enum_of(ActivityKind::CODES), "held_on": date,
            "topic": {"type": "string", "maxLength": 200},
            "first_agenda": {"description": "第一议题: true/false (held or not), or the text of the study item; null when not recorded",
                "oneOf": [{"type": "boolean"}, {"type": "string", "maxLength": 500}, {"type": "null"}]},
            "attendees_expected": nullable_int, "attendees_present": nullable_int,
            "notes": {"type": ["string", "null"], "maxLength": 4000},
            "attachments": {"type": "integer", "readOnly": true, "description": "extension: number of attachments"}}},
        "ActivityInput": {"description": "On POST party_org_id, kind, held_on and topic are required. Unknown fields → 422.", "allOf": [r("Activity")]},
        "Attachment": {"type": "object", "properties": {"id": {"type": "integer"}, "activity_id": {"type": "integer"},
            "file_name": {"type": "string"}, "content_type": {"type": "string"}, "size": {"type": "integer"},
            "sha256": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}}},
        "Obligation": {"type": "object", "properties": {"id": {"type": "integer", "readOnly": true},
            "kind": enum_of(ActivityKind::CODES), "period": enum_of(PeriodKind::CODES),
            "min_count": {"type": "integer", "minimum": 1, "maximum": 100},
            "org_kinds": {"type": "array", "items": enum_of(OrgKind::CODES), "description": "an empty list binds no org (the rule is kept but off)"},
            "min_full_members": {"type": ["integer", "null"], "minimum": 0},
            "active_from": {"type": ["string", "null"], "format": "date"}}},
        "ObligationInput": {"description": "On POST kind and period are required; min_count defaults to 1.", "allOf": [r("Obligation")]},
        "ComplianceItem": {"type": "object", "properties": {"party_org_id": {"type": "integer"}, "obligation_id": {"type": "integer"},
            "kind": enum_of(ActivityKind::CODES), "period": {"type": "string", "examples": ["2023-03", "2023-Q1", "2023"]},
            "required": {"type": "integer"}, "done": {"type": "integer"}, "status": enum_of(Status::CODES),
            "ends_on": {"type": "string", "format": "date", "description": "extension: the period's last day"}}},
        "Compliance": {"type": "object", "properties": {"items": {"type": "array", "items": r("ComplianceItem")},
            "summary": {"type": "object", "properties": {"met": {"type": "integer"}, "missed": {"type": "integer"}, "due": {"type": "integer"},
                "upcoming": {"type": "integer", "description": "extension"},
                "rate": {"type": ["number", "null"], "description": "met / (met + missed); null while no period is decided"}}}}},
        "Reminder": {"type": "object", "properties": {"id": {"type": "integer"}, "party_org_id": {"type": "integer"},
            "obligation_id": {"type": "integer"}, "period": {"type": "string"}, "reason": enum_of(&["due", "missed"]),
            "kind": enum_of(ActivityKind::CODES), "ends_on": {"type": "string", "format": "date"},
            "required": {"type": "integer"}, "done": {"type": "integer"}, "created_on": {"type": "string", "format": "date"},
            "emailed_at": {"type": ["string", "null"], "format": "date-time"}}},
    });
    crate::platform::openapi::extend(doc, paths, schemas);
}
