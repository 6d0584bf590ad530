//! The M3/M4 service step: scope → permission → validation → store, once, for the API and
//! the pages alike. The first two come from the ledger's table (`platform::ledger::begin`).

use axum::response::Response;
use domain::ledger::{Side, ASSIGNMENTS, RECTIFICATIONS};
use domain::work::{DecisionInput, ReportInput, ReviewDecision, SubmitInput, VerifyDecision};
use store::work::{
    Assignment, AssignmentFilter, ProgressReport, Rectification, RectificationFilter,
};

use crate::modules::registry::api::xlsx_response;
use crate::modules::work::api::when;
use crate::modules::work::sheets;
use crate::platform::auth::Caller;
use crate::platform::error::AppError;
use crate::platform::ledger::{begin, reason};
use crate::AppState;

/// The org's progress report on an assignment.
pub async fn report(
    st: &AppState,
    caller: &Caller,
    id: i64,
    input: &ReportInput,
) -> Result<ProgressReport, AppError> {
    let (actor, _) = begin(st, caller, &ASSIGNMENTS, id, Side::Org).await?;
    let r = input.validate()?;
    Ok(st
        .store
        .report(&actor, &caller.scope, id, r, when(st))
        .await?)
}

/// The committee's review of the latest report.
pub async fn review(
    st: &AppState,
    caller: &Caller,
    id: i64,
    input: &DecisionInput,
) -> Result<Assignment, AppError> {
    let (actor, row) = begin(st, caller, &ASSIGNMENTS, id, Side::Reviewer).await?;
    let (decision, comment) = input.validate(ReviewDecision::parse, ReviewDecision::CODES)?;
    reason(
        &ASSIGNMENTS,
        &row.state,
        decision.as_str(),
        comment.as_deref(),
    )?;
    Ok(st
        .store
        .review(&actor, &caller.scope, id, decision, comment, when(st))
        .await?)
}

/// The org's submission of its rectification.
pub async fn submit(
    st: &AppState,
    caller: &Caller,
    id: i64,
    input: &SubmitInput,
) -> Result<Rectification, AppError> {
    let (actor, _) = begin(st, caller, &RECTIFICATIONS, id, Side::Org).await?;
    let response = input.validate()?;
    Ok(st
        .store
        .submit_rectification(&actor, &caller.scope, id, response, when(st))
        .await?)
}

/// The inspector's verification (销号) or return.
pub async fn verify(
    st: &AppState,
    caller: &Caller,
    id: i64,
    input: &DecisionInput,
) -> Result<Rectification, AppError> {
    let (actor, row) = begin(st, caller, &RECTIFICATIONS, id, Side::Reviewer).await?;
    let (decision, comment) = input.validate(VerifyDecision::parse, VerifyDecision::CODES)?;
    reason(
        &RECTIFICATIONS,
        &row.state,
        decision.as_str(),
        comment.as_deref(),
    )?;
    Ok(st
        .store
        .verify_rectification(&actor, &caller.scope, id, decision, comment, when(st))
        .await?)
}

/// The task ledger (工作台账) as xlsx, the rows in the caller's scope the filter keeps.
pub async fn assignments_xlsx(
    st: &AppState,
    caller: &Caller,
    f: &AssignmentFilter,
) -> Result<Response, AppError> {
    let rows = st
        .store
        .export_assignments(&caller.scope, f, st.clock.today())
        .await?;
    let offset = st.clock.offset();
    let bytes = tokio::task::spawn_blocking(move || sheets::assignments_xlsx(rows, offset))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(xlsx_response(bytes, "工作台账.xlsx"))
}

/// The rectification ledger (整改台账) as xlsx.
pub async fn rectifications_xlsx(
    st: &AppState,
    caller: &Caller,
    f: &RectificationFilter,
) -> Result<Response, AppError> {
    let rows = st
        .store
        .export_rectifications(&caller.scope, f, st.clock.today())
        .await?;
    let offset = st.clock.offset();
    let bytes = tokio::task::spawn_blocking(move || sheets::rectifications_xlsx(rows, offset))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(xlsx_response(bytes, "整改台账.xlsx"))
}
