//! M2 pages: record an activity, an org's year calendar, the heat map, the to-do list.

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
