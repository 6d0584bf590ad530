//! M8 training: the office-holder register, courses and their attendance (added by hand or
//! imported from a sign-in sheet), the yearly hours against the requirement; their pages
//! and ledgers.

pub mod api;
mod courses;
mod hours;
pub(crate) mod openapi;
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
