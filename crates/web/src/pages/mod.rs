//! Server-rendered pages (askama + htmx): the browser face of M1, M11 and M12. Every page
//! is usable without JavaScript; htmx makes the societies list update as one types.

mod admin;
mod assets;
mod charts;
mod ctx;
mod dashboard;
mod io;
mod life;
mod orgs;
mod session;
mod societies;
mod work;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use crate::i18n::Lang;
use crate::AppState;

pub use ctx::{Crumb, Ctx, FormState};
pub use session::{MaybeUser, OrPage, PageError, PageUser, SESSION_COOKIE};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::show))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/lang", get(session::switch_lang))
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
        .route("/assets/{file}", get(assets::serve))
        .merge(life::router())
        .merge(work::router())
        .fallback(not_found)
        .layer(middleware::from_fn(security_headers))
}

async fn not_found(MaybeUser(u): MaybeUser, lang: Lang) -> Response {
    match u {
        Some(u) => u.not_found(),
        None => ctx::error_page(
            Ctx::new(lang, "/", ""),
            StatusCode::NOT_FOUND,
            lang.t("error.not_found").into(),
        ),
    }
}

/// Headers every page carries: no framing, no sniffing, scripts and styles from us only,
/// and HTML never cached (it holds personal data and CSRF tokens).
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let is_html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if is_html {
        h.insert(
            "content-security-policy",
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        );
        if !h.contains_key(header::CACHE_CONTROL) {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
    res
}

#[cfg(test)]
mod tests;
