//! M11/M12 administration: users and roles, API tokens, the audit log, and the bearer
//! token of `/auth/token`.

pub mod api;
pub mod pages;

use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

/// Its part of `/api/v1`.
pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/auth/token", post(api::token))
        .route("/auth/password", post(api::change_password))
        .route("/users", get(api::list_users).post(api::create_user))
        .route("/users/{id}", axum::routing::patch(api::update_user))
        .route("/audit", get(api::audit))
}

/// Its pages.
pub fn page_router() -> Router<AppState> {
    Router::new()
        .route("/users", get(pages::users).post(pages::create_user))
        .route("/users/password", post(pages::reset_password))
        .route("/users/{id}/email", post(pages::set_email))
        .route("/tokens", get(pages::tokens).post(pages::create_token))
        .route("/account/password", post(pages::change_own_password))
        .route("/tokens/{id}/revoke", post(pages::revoke_token))
        .route("/audit", get(pages::audit))
}
