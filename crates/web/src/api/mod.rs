//! JSON API v1, as API.md fixes it.

pub mod life;
pub mod platform;
pub mod registry;
pub mod work;

pub use platform::{validate_new_user, NewUserBody, PASSWORD_MIN};
pub use registry::import_bytes;

use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use axum::Router;

use crate::platform::error::{render_errors, AppError};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(crate::platform::openapi::spec))
        .route("/auth/token", post(platform::token))
        .route(
            "/users",
            get(platform::list_users).post(platform::create_user),
        )
        .route("/users/{id}", axum::routing::patch(platform::update_user))
        .route("/audit", get(platform::audit))
        .route(
            "/party-orgs",
            get(registry::list_orgs).post(registry::create_org),
        )
        .route(
            "/party-orgs/{id}",
            get(registry::get_org)
                .patch(registry::update_org)
                .delete(registry::delete_org),
        )
        .route(
            "/societies",
            get(registry::list_societies).post(registry::create_society),
        )
        .route(
            "/societies/{id}",
            get(registry::get_society)
                .patch(registry::update_society)
                .delete(registry::delete_society),
        )
        .route("/stats/coverage", get(registry::coverage_stats))
        .route("/checks", get(registry::checks))
        .route("/import/societies/template", get(registry::import_template))
        .route(
            "/import/societies",
            post(registry::import_societies).layer(DefaultBodyLimit::disable()),
        )
        .route("/export/societies.xlsx", get(registry::export_societies))
        .merge(life::router())
        .merge(work::router())
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(middleware::from_fn(render_errors))
}
