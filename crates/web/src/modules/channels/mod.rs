//! M10 publication-channel register: each society's channels (journal, website, forum,
//! social account) with who is responsible, the emergency plan on file and the recorded
//! reviews; the two channel rules of `/checks`. Records only: nothing reads or rates what a
//! channel publishes (PRODUCT.md).

pub mod api;
pub(crate) mod openapi;
pub mod pages;

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
