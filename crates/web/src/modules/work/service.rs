//! The M3/M4 service step: scope → permission → validation → store, once, for the API and
//! the pages alike. The first two come from the ledger's table (`platform::ledger::begin`).

use axum::response::Response;
use domain::ledger::{Side, ASSIGNMENTS, RECTIFICATIONS};
use domain::work::{DecisionInput, ReportInput, SubmitInput};
use store::work::{
    Assignment, AssignmentFilter, ProgressReport, Rectification, RectificationFilter,
};

use crate::modules::registry::api::sheet_response;
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
    let (actor, decision, comment) = decision(st, caller, &ASSIGNMENTS, id, input).await?;
    Ok(st
        .store
        .review(&actor, &caller.scope, id, decision, comment, when(st))
        .await?)
}

/// A reviewer's decision on a record of `kind`: scope and permission, the decision among
/// the codes of `D`, and the reason where the kind's step wants one.
pub(crate) async fn decision<D: domain::list::FilterValue + Copy>(
    st: &AppState,
    caller: &Caller,
    kind: &'static domain::ledger::LedgerKind,
    id: i64,
    input: &DecisionInput,
) -> Result<(store::Actor, D, Option<String>), AppError> {
    let (actor, row) = begin(st, caller, kind, id, Side::Reviewer).await?;
    let codes = match D::KIND {
        domain::list::FilterKind::Code(codes) => codes,
        _ => &[],
    };
    let (decision, comment) = input.validate(D::parse_value, codes)?;
    reason(kind, &row.state, &decision.to_value(), comment.as_deref())?;
    Ok((actor, decision, comment))
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
    let (actor, decision, comment) = decision(st, caller, &RECTIFICATIONS, id, input).await?;
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
    title: Option<sheet::Title>,
) -> Result<Response, AppError> {
    let rows = st
        .store
        .export_assignments(&caller.scope, f, st.clock.today())
        .await?;
    let offset = st.clock.offset();
    sheet_response("工作台账.xlsx", move || {
        sheets::assignments_xlsx(rows, offset, title)
    })
    .await
}

/// The rectification ledger (整改台账) as xlsx.
pub async fn rectifications_xlsx(
    st: &AppState,
    caller: &Caller,
    f: &RectificationFilter,
    title: Option<sheet::Title>,
) -> Result<Response, AppError> {
    let rows = st
        .store
        .export_rectifications(&caller.scope, f, st.clock.today())
        .await?;
    let offset = st.clock.offset();
    sheet_response("整改台账.xlsx", move || {
        sheets::rectifications_xlsx(rows, offset, title)
    })
    .await
}
