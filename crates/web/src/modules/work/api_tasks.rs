//! M3 API: tasks, assignments, reports and reviews, and the evidence files of both ledgers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::ledger::ASSIGNMENTS;
use domain::policy::Permission;
use domain::work::{DecisionInput, ReportInput, TaskInput};
use serde_json::Value;
use store::work::AssignmentFilter;

use crate::platform::auth::Caller;
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::{ApiJson, Id, Params};
use crate::platform::ledger::whole_list;
use crate::AppState;

use super::service;

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

/// The task-ledger filter from query parameters; shared with the pages.
pub fn assignment_filter(p: &mut Params) -> AssignmentFilter {
    p.filter()
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
    let events = st
        .store
        .ledger_history(&ASSIGNMENTS, &caller.scope, id)
        .await?;
    let mut v = serde_json::to_value(a).map_err(|e| AppError::Internal(e.to_string()))?;
    v["reports"] = serde_json::to_value(reports).unwrap_or(Value::Null);
    v["events"] = serde_json::to_value(events).unwrap_or(Value::Null);
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
    let report = service::report(&st, &caller, id, &body).await?;
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
    Ok(Json(service::review(&st, &caller, id, &body).await?))
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
    service::assignments_xlsx(&st, &caller, &f, None).await
}
