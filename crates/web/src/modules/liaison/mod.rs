//! M9 liaison and research: committee members' liaisons with orgs (联系点), their visits,
//! research reports and the typical-case library. (The channel register, M10, is the
//! `channels` module: another owner, scope by society, and its own rule checks.)

pub mod api;
mod cases;
pub(crate) mod openapi;
pub mod pages;
mod research;
mod sheets;
mod visits;

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
