//! JSON API v1, as API.md fixes it: the modules' routes under one error rendering.

pub use crate::modules::admin::api::{validate_new_user, NewUserBody, PASSWORD_MIN};
pub use crate::modules::registry::api::import_bytes;

use axum::middleware;
use axum::routing::get;
use axum::Router;

use crate::platform::error::{render_errors, AppError};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(crate::platform::openapi::spec))
        .merge(crate::modules::admin::api_router())
        .merge(crate::modules::registry::api_router())
        .merge(crate::modules::life::api_router())
        .merge(crate::modules::work::api_router())
        .merge(crate::modules::reports::api_router())
        .merge(crate::modules::training::api_router())
        .merge(crate::modules::campaigns::api_router())
        .merge(crate::modules::assessment::api_router())
        .merge(crate::platform::attachments::router())
        .merge(crate::modules::liaison::api_router())
        .merge(crate::modules::channels::api_router())
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(middleware::from_fn(render_errors))
}
