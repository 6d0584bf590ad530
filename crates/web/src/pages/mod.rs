//! Server-rendered pages (askama + htmx): the browser face of M1, M11 and M12. Every page
//! is usable without JavaScript; htmx makes the societies list update as one types.

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
        .route("/", get(crate::modules::dashboard::pages::show))
        .route(
            "/login",
            get(crate::platform::session::login_form).post(crate::platform::session::login),
        )
        .route("/logout", post(crate::platform::session::logout))
        .route("/lang", get(crate::platform::session::switch_lang))
        .route("/assets/{file}", get(crate::platform::assets::serve))
        .merge(crate::modules::registry::page_router())
        .merge(crate::modules::admin::page_router())
        .merge(crate::modules::life::page_router())
        .merge(crate::modules::work::page_router())
        .merge(crate::modules::reports::page_router())
        .merge(crate::modules::campaigns::page_router())
        .merge(crate::modules::training::page_router())
        .merge(crate::modules::liaison::page_router())
        .merge(crate::modules::channels::page_router())
        .merge(crate::modules::assessment::page_router())
        .merge(crate::modules::screen::page_router())
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
