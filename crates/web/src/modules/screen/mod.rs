//! The leadership's big screen (大屏, M11): one full-screen page of the committee's figures at
//! 1920×1080 — coverage, compliance by month, tasks and rectifications by state, report
//! completeness, training, campaign progress, grades and the orgs most behind — built from
//! the dashboard's own figures (`modules::dashboard::figures` and the same store calls).

pub mod behind;
pub mod pages;

use axum::routing::get;
use axum::Router;

use crate::AppState;

/// Its pages.
pub fn page_router() -> Router<AppState> {
    Router::new().route("/screen", get(pages::show))
}
