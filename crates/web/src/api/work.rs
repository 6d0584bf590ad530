//! M3/M4 endpoints: work plans, tasks and assignments, inspections, findings, rectifications, bulletins.

use axum::Router;
use serde_json::{json, Value};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}

/// This module's part of the OpenAPI description.
pub(super) fn openapi(doc: &mut Value) {
    super::openapi::extend(doc, json!({}), json!({}));
}
