//! The one import page: how to fill the sheet (its template and columns), the upload, and
//! the answer — what was written, or the table of errors by row and column with nothing
//! written. Each import (the societies sheet, a course's sign-in sheet) says what differs:
//! its texts, its columns and where it posts; the upload and the answer are read here.

use std::future::Future;

use askama::Template;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::platform::error::{human_bytes, AppError};
use crate::platform::session::{PageError, PageUser};
use crate::ui::ctx::{group, html, Ctx};
use crate::AppState;

#[derive(Deserialize)]
pub struct ImportErrorRow {
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// An import's JSON answer (`{"created","updated","errors"}`), as the page shows it.
#[derive(Deserialize)]
pub struct ImportResult {
    #[serde(default)]
    pub created: usize,
    #[serde(default)]
    pub updated: usize,
    #[serde(default)]
    pub errors: Vec<ImportErrorRow>,
}

/// What one import's page says and where it posts.
pub struct ImportView {
    pub ctx: Ctx,
    /// The page's heading.
    pub heading: String,
    /// Where the upload form posts.
    pub action: String,
    pub template_href: String,
    /// The sheet's columns, as its header row names them.
    pub headers: &'static [&'static str],
    /// "One row per …, with these columns:".
    pub step2: String,
    pub step2_hint: String,
    /// The success line: `{0}` created, `{1}` updated.
    pub ok_key: &'static str,
    /// Where to look at what was imported.
    pub view_href: String,
    pub view_label: String,
    /// Whether the user may import (else the page is read-only).
    pub may_import: bool,
}

#[derive(Template)]
#[template(path = "ui/import.html")]
struct ImportPage {
    ctx: Ctx,
    v: ImportViewText,
    max_text: String,
    too_large_text: String,
    max_bytes: usize,
    outcome: String,
    result: Option<ImportResult>,
    error: Option<String>,
    file_name: String,
}

/// The view without its context (the template's `v`).
struct ImportViewText {
    heading: String,
    action: String,
    template_href: String,
    headers: &'static [&'static str],
    step2: String,
    step2_hint: String,
    view_href: String,
    view_label: String,
    may_import: bool,
}

impl ImportView {
    /// The page, with the outcome of an upload (`result`) or why it was refused (`error`).
    pub fn render(
        self,
        st: &AppState,
        status: StatusCode,
        result: Option<ImportResult>,
        error: Option<String>,
        file_name: String,
    ) -> Response {
        let lang = self.ctx.lang;
        let max = human_bytes(st.config.max_upload_bytes);
        let outcome = match &result {
            Some(r) if r.errors.is_empty() => lang.tf(
                self.ok_key,
                &[&group(r.created as i64), &group(r.updated as i64)],
            ),
            Some(r) => lang.tf("import.failed", &[&group(r.errors.len() as i64)]),
            None => String::new(),
        };
        let page = ImportPage {
            ctx: self.ctx,
            v: ImportViewText {
                heading: self.heading,
                action: self.action,
                template_href: self.template_href,
                headers: self.headers,
                step2: self.step2,
                step2_hint: self.step2_hint,
                view_href: self.view_href,
                view_label: self.view_label,
                may_import: self.may_import,
            },
            max_text: lang.tf("import.step3", &[&max]),
            too_large_text: lang.tf("import.file_too_large", &[&max]),
            max_bytes: st.config.max_upload_bytes,
            outcome,
            result,
            error,
            file_name,
        };
        html(status, &page)
    }
}

/// What an upload form sent: its file, or why the file was refused.
struct Sent {
    file_name: String,
    bytes: Option<Vec<u8>>,
    too_large: bool,
}

/// Reads the form. The file is read in chunks and refused past `limit`; the rest of an
/// oversized body is drained (up to a cap) so the browser receives the answer.
async fn read_form(mut mp: Multipart, limit: usize) -> Result<Sent, MultipartError> {
    let mut sent = Sent {
        file_name: String::new(),
        bytes: None,
        too_large: false,
    };
    let drain_cap = limit.saturating_mul(4).max(64 * 1024 * 1024);
    let mut drained = 0usize;
    while let Some(mut field) = mp.next_field().await? {
        match field.name() {
            Some("file") => {
                sent.file_name = field.file_name().unwrap_or("").to_string();
                let mut buf = Vec::new();
                while let Some(chunk) = field.chunk().await? {
                    if sent.too_large {
                        drained += chunk.len();
                        if drained > drain_cap {
                            return Ok(sent);
                        }
                        continue;
                    }
                    if buf.len() + chunk.len() > limit {
                        sent.too_large = true;
                        buf = Vec::new();
                        continue;
                    }
                    buf.extend_from_slice(&chunk);
                }
                if !sent.too_large {
                    sent.bytes = Some(buf);
                }
            }
            _ => while field.chunk().await?.is_some() {},
        }
    }
    Ok(sent)
}

/// An upload to an import page: the form is read (an oversized or missing file is said on
/// the page), `permission` is checked, then `run` imports the file's bytes and answers as
/// the API does (`200` or `422` with the import's JSON, or an error); the page shows that
/// answer.
pub async fn upload<F, Fut>(
    st: &AppState,
    u: &PageUser,
    view: ImportView,
    permission: domain::policy::Permission,
    mp: Result<Multipart, MultipartRejection>,
    run: F,
) -> Result<Response, PageError>
where
    F: FnOnce(Vec<u8>) -> Fut,
    Fut: Future<Output = Result<Response, AppError>>,
{
    let lang = u.lang;
    let limit = st.config.max_upload_bytes;
    let sent = match mp {
        Ok(mp) => read_form(mp, limit).await.ok(),
        Err(_) => None,
    };
    let Some(sent) = sent else {
        let msg = lang.t("error.multipart").to_string();
        return Ok(view.render(st, StatusCode::BAD_REQUEST, None, Some(msg), String::new()));
    };
    u.may(permission)?;
    if sent.too_large {
        let msg = lang.tf("import.file_too_large", &[&human_bytes(limit)]);
        return Ok(view.render(
            st,
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            Some(msg),
            sent.file_name,
        ));
    }
    let Some(bytes) = sent.bytes.filter(|b| !b.is_empty()) else {
        let msg = lang.t("import.no_file").to_string();
        return Ok(view.render(st, StatusCode::BAD_REQUEST, None, Some(msg), String::new()));
    };
    let res = match run(bytes).await {
        Ok(r) => r,
        Err(AppError::Forbidden) => return Err(u.forbidden().into()),
        Err(e @ AppError::Internal(_)) => return Err(u.error(e).into()),
        Err(e) => {
            let (msg, _) = e.message(lang, &u.request_id);
            return Ok(view.render(st, e.status(), None, Some(msg), sent.file_name));
        }
    };
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 64 * 1024 * 1024)
        .await
        .map_err(|e| u.error(AppError::Internal(e.to_string())))?;
    let result: ImportResult =
        serde_json::from_slice(&body).map_err(|e| u.error(AppError::Internal(e.to_string())))?;
    Ok(view.render(st, status, Some(result), None, sent.file_name))
}
