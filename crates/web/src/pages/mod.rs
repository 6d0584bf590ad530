//! Server-rendered pages (askama + htmx): the browser face of M1, M11 and M12. Every page
//! is usable without JavaScript; htmx makes the societies list update as one types.

mod admin;
mod dashboard;
mod io;
mod life;
mod orgs;
mod societies;
mod work;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use crate::platform::i18n::Lang;
use crate::AppState;

pub use crate::platform::session::{MaybeUser, OrPage, PageError, PageUser, SESSION_COOKIE};
pub use crate::ui::ctx::{error_page, Crumb, Ctx, FormState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::show))
        .route(
            "/login",
            get(crate::platform::session::login_form).post(crate::platform::session::login),
        )
        .route("/logout", post(crate::platform::session::logout))
        .route("/lang", get(crate::platform::session::switch_lang))
        .route("/societies", get(societies::list).post(societies::create))
        .route("/societies/new", get(societies::new_form))
        .route(
            "/societies/{id}",
            get(societies::show).post(societies::update),
        )
        .route("/societies/{id}/delete", post(societies::delete))
        .route("/orgs", get(orgs::tree).post(orgs::create))
        .route("/orgs/new", get(orgs::new_form))
        .route("/orgs/{id}", get(orgs::show).post(orgs::update))
        .route("/orgs/{id}/delete", post(orgs::delete))
        .route(
            "/import",
            get(io::import_page)
                .post(io::import_upload)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/import/template.xlsx", get(io::template))
        .route("/export", get(io::export_page))
        .route("/export/societies.xlsx", get(io::export_societies))
        .route("/users", get(admin::users).post(admin::create_user))
        .route("/users/password", post(admin::reset_password))
        .route("/users/{id}/email", post(admin::set_email))
        .route("/tokens", get(admin::tokens).post(admin::create_token))
        .route("/tokens/{id}/revoke", post(admin::revoke_token))
        .route("/audit", get(admin::audit))
        .route("/assets/{file}", get(crate::platform::assets::serve))
        .merge(life::router())
        .merge(work::router())
        .fallback(not_found)
}

async fn not_found(MaybeUser(u): MaybeUser, lang: Lang) -> Response {
    match u {
        Some(u) => u.not_found(),
        None => crate::ui::ctx::error_page(
            Ctx::new(lang, "/", ""),
            StatusCode::NOT_FOUND,
            lang.t("error.not_found").into(),
        ),
    }
}

#[cfg(test)]
mod tests;
