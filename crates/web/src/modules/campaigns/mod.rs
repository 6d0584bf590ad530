//! M7 campaigns: campaigns with a target, the orgs taking part, their records with
//! attachments, and progress; their pages and sheets (demo and seed follow).

pub mod api;
pub(crate) mod openapi;
pub mod pages;
mod sheets;

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
