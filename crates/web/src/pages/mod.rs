//! Server-rendered pages (askama + htmx). Filled in by the pages module files.

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
