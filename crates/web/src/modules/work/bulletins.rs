//! M3/M4 pages: bulletin previews and their .docx.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use domain::policy::Permission;

use crate::modules::work::api::{
    self as api, bulletin_code, bulletin_document, bulletin_heading, doc_number_text, BulletinEdit,
    BulletinKind,
};
use crate::modules::work::bulletin::Texts;
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
    /// The edit form: the drafted or edited texts, the number the Word file takes.
    e: FormState,
    may_issue: bool,
    /// "takes 渝科协社党发〔2026〕12号", empty without a configured code.
    next_no: String,
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
    let p = params(p, &u)?;
    render_bulletin(&st, &u, p, kind, None, FormState::default(), StatusCode::OK).await
}

/// The preview page with the drafted texts, or `edited` ones, in the edit form; `e` carries
/// the edit form's values and errors when it is shown again.
async fn render_bulletin(
    st: &AppState,
    u: &PageUser,
    mut p: Params,
    kind: BulletinKind,
    edited: Option<Texts>,
    mut e: FormState,
    status: StatusCode,
) -> Result<Response, PageError> {
    use chrono::Datelike;
    let h = bulletin_heading(st, u.scope(), &mut p, u.lang)
        .await
        .map_err(|e| u.error(e))?;
    let (doc, texts) = bulletin_document(st, u.scope(), kind, &h, u.lang, edited.as_ref())
        .await
        .map_err(|e| u.error(e))?;
    let (action, nav) = match kind {
        BulletinKind::Rectification => ("/bulletins/rectification", "rectifications"),
        BulletinKind::Tasks => ("/bulletins/tasks", "tasks"),
    };
    let mut ff = FormState::default();
    ff.set("from", h.from.to_string());
    ff.set("to", h.to.to_string());
    if let Some(n) = p.str("doc_number") {
        ff.set("doc_number", n.to_string());
    }
    for (k, v) in [
        ("praise", &texts.praise),
        ("criticism", &texts.criticism),
        ("next", &texts.next),
    ] {
        if e.v(k).is_empty() {
            e.set(k, v.clone());
        }
    }
    let next_no = match bulletin_code(st, u.scope()) {
        Some(code) => {
            let year = h.today.year();
            let n = st
                .store
                .next_bulletin_no(code, year)
                .await
                .map_err(|e| u.error(e))?;
            u.lang.tf(
                "bulletin.doc_no_hint",
                &[&doc_number_text(Some(code), year, Some(n), u.lang)],
            )
        }
        None => String::new(),
    };
    let page = BulletinPage {
        ctx: u.item_ctx(nav, doc.title.replace(docx::TITLE_BREAK, "")),
        preview: docx::to_html(&doc),
        docx_href: crate::ui::list::link::<BulletinQuery>(&format!("{action}.docx"), &ff, 1),
        f: ff,
        action,
        e,
        may_issue: u.allowed(Permission::PlanWork),
        next_no,
    };
    Ok(html(status, &page))
}

/// The edit form as sent.
fn edit_form(form: &HashMap<String, String>) -> (Params, FormState, Texts) {
    let mut q = HashMap::new();
    for k in ["from", "to", "doc_number"] {
        if let Some(v) = form.get(k) {
            q.insert(k.to_string(), v.clone());
        }
    }
    let mut e = FormState::default();
    for k in ["praise", "criticism", "next", "doc_no"] {
        if let Some(v) = form.get(k) {
            // A cleared text stays cleared (the paragraph is left out).
            e.set(k, if v.trim().is_empty() { " " } else { v.as_str() });
        }
    }
    let text = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let texts = Texts {
        praise: text("praise"),
        criticism: text("criticism"),
        next: text("next"),
    };
    (Params::from_map(q), e, texts)
}

/// `POST /bulletins/{kind}`: the preview with the edited texts (no number taken).
pub(super) async fn bulletin_preview(
    st: AppState,
    u: PageUser,
    form: HashMap<String, String>,
    kind: BulletinKind,
) -> Result<Response, PageError> {
    let (p, e, texts) = edit_form(&form);
    render_bulletin(&st, &u, p, kind, Some(texts), e, StatusCode::OK).await
}

/// `POST /bulletins/{kind}.docx`: the Word file of the edited bulletin, taking its number.
/// Bad input shows the page again with the reason next to the field.
pub(super) async fn bulletin_issue(
    st: AppState,
    u: PageUser,
    form: HashMap<String, String>,
    kind: BulletinKind,
) -> Result<Response, PageError> {
    let (p, mut e, texts) = edit_form(&form);
    let mut doc_no = None;
    if let Some(raw) = form
        .get("doc_no")
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
    {
        match raw.parse::<i64>() {
            Ok(n) => doc_no = Some(n),
            Err(_) => e.error("doc_no", u.lang.tf("field.too_small", &["1"])),
        }
    }
    let get = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let edit = BulletinEdit {
        from: get("from"),
        to: get("to"),
        doc_number: get("doc_number"),
        doc_no,
        praise: Some(texts.praise.clone()),
        criticism: Some(texts.criticism.clone()),
        next: Some(texts.next.clone()),
    };
    let failed = if e.ok() {
        match api::issue_bulletin(&st, &u.caller(), u.lang, kind, edit).await {
            Ok(doc) => {
                let name = kind.file_name().to_string();
                return tokio::task::spawn_blocking(move || api::docx_response(&doc, &name))
                    .await
                    .map_err(|e| u.error(AppError::Internal(e.to_string())))?
                    .map_err(|e| u.error(e).into());
            }
            Err(AppError::Validation(fe)) => {
                e.store_errors(&fe, u.lang);
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Err(AppError::Conflict(_)) => {
                e.error("doc_no", u.lang.t("field.taken"));
                StatusCode::CONFLICT
            }
            Err(AppError::Forbidden) => return Err(u.forbidden().into()),
            Err(err) => return Err(u.error(err).into()),
        }
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_bulletin(&st, &u, p, kind, Some(texts), e, failed).await
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

pub(super) async fn rect_bulletin_preview(
    State(st): State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    bulletin_preview(st, u, form, BulletinKind::Rectification).await
}
pub(super) async fn task_bulletin_preview(
    State(st): State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    bulletin_preview(st, u, form, BulletinKind::Tasks).await
}
pub(super) async fn rect_bulletin_issue(
    State(st): State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    bulletin_issue(st, u, form, BulletinKind::Rectification).await
}
pub(super) async fn task_bulletin_issue(
    State(st): State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    bulletin_issue(st, u, form, BulletinKind::Tasks).await
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
