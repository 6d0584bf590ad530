//! M3/M4 pages: work plans, the task and rectification ledgers, inboxes, bulletins.

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
