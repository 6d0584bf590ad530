//! M6 assessment and grading: schemes with their indicator trees, each assessed org's
//! scores (auto from the records of its subtree, manual and overrides by hand), grade
//! overrides, finalize and the grade history; their pages, sheets and bulletin.

pub mod api;
pub mod bulletin;
pub mod designer;
pub(crate) mod openapi;
pub mod pages;
pub mod sheets;

use axum::Router;

use crate::AppState;

/// Its part of `/api/v1`.
pub fn api_router() -> Router<AppState> {
    api::router().merge(sheets::api_router())
}

/// Its pages: the scoring table, an org's assessment, finalize (`pages`), the scheme
/// designer, its preview and the grade bulletin (`designer`).
pub fn page_router() -> Router<AppState> {
    pages::router().merge(designer::router())
}
