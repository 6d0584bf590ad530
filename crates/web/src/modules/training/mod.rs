//! M8 training: the office-holder register (courses, attendance and yearly hours follow).

pub mod api;
pub(crate) mod openapi;
pub mod sheets;

use axum::Router;

use crate::AppState;

/// Its part of `/api/v1`.
pub fn api_router() -> Router<AppState> {
    api::router()
}
