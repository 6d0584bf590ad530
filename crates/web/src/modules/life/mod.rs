//! M2 organizational life: activity records with attachments, obligations (the required
//! frequencies), compliance, the to-do, reminders.

pub mod api;
mod compliance;
pub mod pages;
pub mod reminders;
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
