//! M2 endpoints: activities and attachments, obligations, compliance.

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
