//! M5 periodic reports and funded programmes: report forms as data, the expected
//! submissions and their review, completeness and timeliness, funded projects' budgets,
//! expenditures and indicators.

pub mod api;
mod designer;
pub(crate) mod openapi;
pub mod pages;
mod projects;
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
