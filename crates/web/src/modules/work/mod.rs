//! M3/M4 work plans, tasks and assignments, inspections, findings and rectifications, their
//! ledgers and bulletins.

pub mod api;
pub mod bulletin;
pub mod pages;
pub mod sheets;

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
