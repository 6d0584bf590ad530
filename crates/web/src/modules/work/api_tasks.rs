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

use crate::modules::registry::api::xlsx_response;
use crate::modules::work::sheets as work_io;
use crate::platform::auth::Caller;
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::{ApiJson, Id, Params};
use crate::platform::ledger::whole_list;
use crate::AppState;

use super::service;

// ---------------------------------------------------------------- tasks

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

pub async fn get_task(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_task(&caller.scope, id).await?))
}

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

pub async fn list_reports(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    let items = st.store.assignment_reports(&caller.scope, id).await?;
    Ok(Json(whole_list(items)))
}

pub async fn create_report(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<ReportInput>,
) -> ApiResult<impl IntoResponse> {
    let report = service::report(&st, &caller, id, &body).await?;
    Ok((StatusCode::CREATED, Json(report)))
}

pub async fn review(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<DecisionInput>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(service::review(&st, &caller, id, &body).await?))
}

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
