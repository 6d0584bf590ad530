//! M7 campaigns: campaigns with a target, the orgs taking part, their records with
//! attachments, and progress (pages, demo and seed follow).

pub mod api;
pub(crate) mod openapi;

use axum::Router;

use crate::AppState;

/// Its part of `/api/v1`.
pub fn api_router() -> Router<AppState> {
    api::router()
}
