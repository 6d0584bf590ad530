//! M3 API: tasks, assignments, reports and reviews, and the evidence files of both ledgers.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::policy::Permission;
use domain::work::{AssignmentState, DecisionInput, ReportInput, ReviewDecision, TaskInput};
use serde_json::Value;
use store::work::{AssignmentFilter, AttachmentOwner, LedgerSort};

use crate::modules::life::api::accept_file;
use crate::modules::registry::api::xlsx_response;
use crate::modules::work::sheets as work_io;
use crate::platform::auth::Caller;
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::{ApiJson, Id, Params, Upload};
use crate::platform::files;
use crate::AppState;

use super::api::*;

// ---------------------------------------------------------------- tasks

#[utoipa::path(
    post,
    path = "/tasks",
    summary = "Create a task and one assignment per org (admin, committee). Orgs: `party_org_ids`, and/or every org of `org_kinds` (all kinds when absent) in the subtree of `subtree_id` (itself included). `issued_on` defaults to today; `due_on` before `issued_on` → 422.",
    request_body = domain::work::TaskInput,
    responses((status = 201, description = "OK", body = store::work::Task), super::openapi::E400, super::openapi::E401, super::openapi::E403, super::openapi::E422),
)]
pub async fn create_task(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<TaskInput>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::PlanWork)?;
    let t = body.validate(st.clock.today())?;
    let task = st.store.create_task(&actor, &caller.scope, t).await?;
    Ok((StatusCode::CREATED, Json(task)))
}

#[utoipa::path(
    get,
    path = "/tasks/{id}",
    summary = "A task with its assignments in scope",
    params(super::openapi::IdPath),
    responses((status = 200, description = "OK", body = store::work::Task), super::openapi::E401, super::openapi::E404),
)]
pub async fn get_task(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_task(&caller.scope, id).await?))
}

#[utoipa::path(
    get,
    path = "/tasks",
    summary = "Tasks with at least one assignment in scope, newest first",
    params(super::openapi::Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::work::Task>), super::openapi::E401, super::openapi::E422),
)]
pub async fn list_tasks(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let page = p.page();
    p.finish()?;
    Ok(Json(st.store.list_tasks(&caller.scope, page).await?))
}

pub(super) fn sort_param(p: &mut Params) -> LedgerSort {
    p.code("sort", LedgerSort::parse, LedgerSort::CODES)
        .unwrap_or_default()
}

/// The task-ledger filter from query parameters; shared with the pages.
pub fn assignment_filter(p: &mut Params) -> AssignmentFilter {
    AssignmentFilter {
        party_org_id: p.i64("party_org_id"),
        task_id: p.i64("task_id"),
        state: p.code("state", AssignmentState::parse, AssignmentState::CODES),
        overdue: p.bool("overdue"),
        from: p.date("from"),
        to: p.date("to"),
        sort: sort_param(p),
    }
}

#[utoipa::path(
    get,
    path = "/assignments",
    summary = "The task ledger",
    params(super::openapi::AssignmentQuery, super::openapi::Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::work::Assignment>), super::openapi::E401, super::openapi::E422),
)]
pub async fn list_assignments(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let f = assignment_filter(&mut p);
    let page = p.page();
    p.finish()?;
    Ok(Json(
        st.store
            .list_assignments(&caller.scope, &f, st.clock.today(), page)
            .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/assignments/{id}",
    summary = "An assignment with its reports (`reports`)",
    params(super::openapi::IdPath),
    responses((status = 200, description = "OK", body = store::work::Assignment), super::openapi::E401, super::openapi::E404),
)]
pub async fn get_assignment(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    let a = st
        .store
        .get_assignment(&caller.scope, id, st.clock.today())
        .await?;
    let reports = st.store.assignment_reports(&caller.scope, id).await?;
    let mut v = serde_json::to_value(a).map_err(|e| AppError::Internal(e.to_string()))?;
    v["reports"] = serde_json::to_value(reports).unwrap_or(Value::Null);
    Ok(Json(v))
}

#[utoipa::path(
    get,
    path = "/assignments/{id}/reports",
    summary = "The reports of an assignment, oldest first",
    params(super::openapi::IdPath),
    responses((status = 200, description = "OK", body = store::Paged<store::work::ProgressReport>), super::openapi::E401, super::openapi::E404),
)]
pub async fn list_reports(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    let items = st.store.assignment_reports(&caller.scope, id).await?;
    Ok(Json(whole_list(items)))
}

#[utoipa::path(
    post,
    path = "/assignments/{id}/reports",
    summary = "Report progress (the org's own users — a branch user whose subtree holds the org — or admin): assigned|returned → reported; any other state → 409",
    params(super::openapi::IdPath),
    request_body = domain::work::ReportInput,
    responses((status = 201, description = "OK", body = store::work::ProgressReport), super::openapi::E400, super::openapi::E401, super::openapi::E403, super::openapi::E404, super::openapi::E409, super::openapi::E422),
)]
pub async fn create_report(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<ReportInput>,
) -> ApiResult<impl IntoResponse> {
    st.store
        .get_assignment(&caller.scope, id, st.clock.today())
        .await?;
    let actor = caller.may(Permission::AnswerForOrg)?;
    let r = body.validate()?;
    let report = st
        .store
        .report(&actor, &caller.scope, id, r, when(&st))
        .await?;
    Ok((StatusCode::CREATED, Json(report)))
}

#[utoipa::path(
    post,
    path = "/assignments/{id}/review",
    summary = "Accept or return the latest report (admin, committee): reported → accepted|returned; any other state → 409",
    params(super::openapi::IdPath),
    request_body = super::openapi::ReviewInput,
    responses((status = 200, description = "OK", body = store::work::Assignment), super::openapi::E400, super::openapi::E401, super::openapi::E403, super::openapi::E404, super::openapi::E409, super::openapi::E422),
)]
pub async fn review(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<DecisionInput>,
) -> ApiResult<impl IntoResponse> {
    st.store
        .get_assignment(&caller.scope, id, st.clock.today())
        .await?;
    let actor = caller.may(Permission::ReviewAssignment)?;
    let (decision, comment) = body.validate(ReviewDecision::parse, ReviewDecision::CODES)?;
    Ok(Json(
        st.store
            .review(&actor, &caller.scope, id, decision, comment, when(&st))
            .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/export/assignments.xlsx",
    summary = "The task ledger (工作台账) as xlsx, same filters as /assignments",
    params(super::openapi::AssignmentQuery),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), super::openapi::E401, super::openapi::E422),
)]
pub async fn export_assignments(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<Response> {
    let f = assignment_filter(&mut p);
    p.finish()?;
    let rows = st
        .store
        .export_assignments(&caller.scope, &f, st.clock.today())
        .await?;
    let offset = st.clock.offset();
    let bytes = tokio::task::spawn_blocking(move || work_io::assignments_xlsx(rows, offset))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(xlsx_response(bytes, "工作台账.xlsx"))
}

// ---------------------------------------------------------------- evidence

/// A short list that is never paged, in the shape of every list.
pub(super) fn whole_list<T>(items: Vec<T>) -> store::Paged<T> {
    let n = items.len() as i64;
    store::Paged {
        items,
        total: n,
        page: 1,
        per_page: n.max(1),
    }
}

/// Adds an evidence file (multipart `file`, checked by content) to an assignment or a
/// rectification in scope; by the org's own users or admin.
pub(super) async fn add_file(
    st: &AppState,
    caller: &Caller,
    owner: AttachmentOwner,
    id: i64,
    mp: Multipart,
) -> ApiResult<Response> {
    let today = st.clock.today();
    let closed = match owner {
        AttachmentOwner::Assignment => st
            .store
            .get_assignment(&caller.scope, id, today)
            .await
            .map(|a| a.state.is_final())?,
        AttachmentOwner::Rectification => st
            .store
            .get_rectification(&caller.scope, id, today)
            .await
            .map(|r| r.state.is_final())?,
    };
    let actor = caller.may(Permission::AnswerForOrg)?;
    // A closed record is final, its evidence too (the store checks it again in its write).
    if closed {
        return Err(AppError::Conflict("state"));
    }
    let up = Upload::from_multipart(mp, st.config.max_upload_bytes).await?;
    let new = accept_file(st, up.file_name.as_deref(), up.bytes).await?;
    let a = st
        .store
        .add_work_attachment(&actor, &caller.scope, owner, id, &new)
        .await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

pub(super) async fn list_files(
    st: &AppState,
    caller: &Caller,
    owner: AttachmentOwner,
    id: i64,
) -> ApiResult<Response> {
    let items = st
        .store
        .list_work_attachments(&caller.scope, owner, id)
        .await?;
    Ok(Json(whole_list(items)).into_response())
}

pub(super) async fn download_file(
    st: &AppState,
    caller: &Caller,
    owner: AttachmentOwner,
    id: i64,
    file: i64,
) -> ApiResult<Response> {
    let a = st
        .store
        .get_work_attachment(&caller.scope, owner, id, file)
        .await?;
    files::download(
        &st.config.files_dir,
        &a.sha256,
        &a.content_type,
        &a.file_name,
    )
    .await
}

/// `{id}` and `{file}` of an attachment path, both integers (else 400).
pub(super) fn two_ids(raw: (String, String)) -> Result<(i64, i64), AppError> {
    match (raw.0.parse(), raw.1.parse()) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        _ => Err(AppError::BadRequest("error.invalid_id", String::new())),
    }
}

#[utoipa::path(
    post,
    path = "/assignments/{id}/attachments",
    summary = "Add an evidence file (the org's own users or admin): multipart `file`, checked by content (PDF, JPEG, PNG, GIF, WebP, HEIC, Office documents); size limit from configuration (default 20 MiB) → 413; anything else → 422 on file",
    params(super::openapi::IdPath),
    request_body(content = crate::platform::openapi::FileUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "stored", body = store::work::WorkAttachment), super::openapi::E401, super::openapi::E403, super::openapi::E404, super::openapi::E413, super::openapi::E422),
)]
pub(super) async fn add_assignment_file(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    mp: Multipart,
) -> ApiResult<Response> {
    add_file(&st, &caller, AttachmentOwner::Assignment, id, mp).await
}
#[utoipa::path(
    post,
    path = "/rectifications/{id}/attachments",
    summary = "Add an evidence file of the fix (the org's own users or admin); as for assignments",
    params(super::openapi::IdPath),
    request_body(content = crate::platform::openapi::FileUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "stored", body = store::work::WorkAttachment), super::openapi::E401, super::openapi::E403, super::openapi::E404, super::openapi::E413, super::openapi::E422),
)]
pub(super) async fn add_rectification_file(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    mp: Multipart,
) -> ApiResult<Response> {
    add_file(&st, &caller, AttachmentOwner::Rectification, id, mp).await
}
#[utoipa::path(
    get,
    path = "/assignments/{id}/attachments",
    summary = "Evidence files of an assignment",
    params(super::openapi::IdPath),
    responses((status = 200, description = "OK", body = store::Paged<store::work::WorkAttachment>), super::openapi::E401, super::openapi::E404),
)]
pub(super) async fn list_assignment_files(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Response> {
    list_files(&st, &caller, AttachmentOwner::Assignment, id).await
}
#[utoipa::path(
    get,
    path = "/rectifications/{id}/attachments",
    summary = "Evidence files of a rectification",
    params(super::openapi::IdPath),
    responses((status = 200, description = "OK", body = store::Paged<store::work::WorkAttachment>), super::openapi::E401, super::openapi::E404),
)]
pub(super) async fn list_rectification_files(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Response> {
    list_files(&st, &caller, AttachmentOwner::Rectification, id).await
}
#[utoipa::path(
    get,
    path = "/assignments/{id}/attachments/{file}",
    summary = "Download an evidence file",
    params(super::openapi::FilePath),
    responses((status = 200, description = "the file"), super::openapi::E404),
)]
pub(super) async fn download_assignment_file(
    State(st): State<AppState>,
    caller: Caller,
    Path(raw): Path<(String, String)>,
) -> ApiResult<Response> {
    let (id, file) = two_ids(raw)?;
    download_file(&st, &caller, AttachmentOwner::Assignment, id, file).await
}
#[utoipa::path(
    get,
    path = "/rectifications/{id}/attachments/{file}",
    summary = "Download an evidence file",
    params(super::openapi::FilePath),
    responses((status = 200, description = "the file"), super::openapi::E404),
)]
pub(super) async fn download_rectification_file(
    State(st): State<AppState>,
    caller: Caller,
    Path(raw): Path<(String, String)>,
) -> ApiResult<Response> {
    let (id, file) = two_ids(raw)?;
    download_file(&st, &caller, AttachmentOwner::Rectification, id, file).await
}
