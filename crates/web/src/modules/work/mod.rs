//! M3/M4 work plans, tasks and assignments, inspections, findings and rectifications, their
//! ledgers and bulletins.

mod answers;
pub mod api;
mod api_supervision;
mod api_tasks;
pub mod bulletin;
mod bulletins;
pub(crate) mod openapi;
pub mod pages;
mod plans;
pub mod service;
pub mod sheets;
mod supervision;

use axum::Router;

use crate::AppState;

/// Its part of `/api/v1`.
pub fn api_router() -> Router<AppState> {
    api::router()
}

/// Its pages.
pub fn page_router() -> Router<AppState> {
    pages::router()
}
