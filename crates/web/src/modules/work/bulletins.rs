//! M3/M4 pages: bulletin previews and their .docx.

use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::modules::work::api::{self as api, bulletin_document, bulletin_heading, BulletinKind};
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::AppState;

use crate::platform::session::{PageError, PageUser};
use crate::ui::ctx::{html, Ctx, FormState};

use super::pages::*;

// ---------------------------------------------------------------- bulletins

#[derive(Template)]
#[template(path = "work/bulletin.html")]
pub(super) struct BulletinPage {
    ctx: Ctx,
    preview: String,
    docx_href: String,
    f: FormState,
    action: &'static str,
}

domain::list_filter! {
    /// The period and number of a bulletin.
    pub struct BulletinQuery {
        /// period start (default 1 January of this year)
        from: chrono::NaiveDate,
        /// period end (default today)
        to: chrono::NaiveDate,
        /// 发文字号, e.g. 渝科协社党发〔2023〕11号
        doc_number: String,
    }
}

pub(super) async fn bulletin_page(
    st: AppState,
    u: PageUser,
    p: Result<Params, AppError>,
    kind: BulletinKind,
) -> Result<Response, PageError> {
    let mut p = params(p, &u)?;
    let h = bulletin_heading(&st, u.scope(), &mut p, u.lang)
        .await
        .map_err(|e| u.error(e))?;
    let doc = bulletin_document(&st, u.scope(), kind, &h, u.lang)
        .await
        .map_err(|e| u.error(e))?;
    let (action, nav) = match kind {
        BulletinKind::Rectification => ("/bulletins/rectification", "rectifications"),
        BulletinKind::Tasks => ("/bulletins/tasks", "tasks"),
    };
    let mut ff = FormState::default();
    ff.set("from", h.from.to_string());
    ff.set("to", h.to.to_string());
    ff.set("doc_number", h.doc_number.clone());
    let page = BulletinPage {
        ctx: u.item_ctx(nav, doc.title.clone()),
        preview: docx::to_html(&doc),
        docx_href: crate::ui::list::link::<BulletinQuery>(&format!("{action}.docx"), &ff, 1),
        f: ff,
        action,
    };
    Ok(html(StatusCode::OK, &page))
}

pub(super) async fn bulletin_docx(
    st: AppState,
    u: PageUser,
    p: Result<Params, AppError>,
    kind: BulletinKind,
) -> Result<Response, PageError> {
    let p = params(p, &u)?;
    api::bulletin(st, u.caller(), u.lang, p, kind)
        .await
        .map_err(|e| u.error(e).into())
}

pub(super) async fn rect_bulletin_page(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    bulletin_page(st, u, p, BulletinKind::Rectification).await
}
pub(super) async fn task_bulletin_page(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    bulletin_page(st, u, p, BulletinKind::Tasks).await
}
pub(super) async fn rect_bulletin_docx(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    bulletin_docx(st, u, p, BulletinKind::Rectification).await
}
pub(super) async fn task_bulletin_docx(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    bulletin_docx(st, u, p, BulletinKind::Tasks).await
}

/// The preview's stylesheet (the strict CSP allows no inline styles).
pub(super) async fn preview_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        docx::PREVIEW_CSS,
    )
        .into_response()
}
