//! M6 assessment and grading: schemes with their indicator trees, each assessed org's
//! scores (auto from the records of its subtree, manual and overrides by hand), grade
//! overrides, finalize and the grade history; their pages, sheets and bulletin.

pub mod api;
pub(crate) mod openapi;
pub mod pages;

use axum::Router;

use crate::AppState;

/// Its part of `/api/v1`.
pub fn api_router() -> Router<AppState> {
    api::router()
}

/// Its pages: the scoring table, an org's assessment, finalize (`pages`); the scheme
/// designer joins them here (`designer::router()`).
pub fn page_router() -> Router<AppState> {
    pages::router()
}
