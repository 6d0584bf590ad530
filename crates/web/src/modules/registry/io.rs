//! Import (template, upload, the table of errors by row and column) and export pages.

use askama::Template;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::policy::Permission;
use serde::Deserialize;
use store::{PageReq, SocietyFilter};

use crate::modules::registry::api::{import_bytes, xlsx_response};
use crate::modules::registry::sheets as registry_io;
use crate::platform::error::{human_bytes, AppError};
use crate::AppState;

use crate::platform::session::{OrPage, PageError, PageUser};
use crate::ui::ctx::{group, html, Ctx};

#[derive(Deserialize)]
pub struct ImportErrorRow {
    pub row: usize,
    pub column: String,
    pub message: String,
}

#[derive(Deserialize)]
pub struct ImportResult {
    #[serde(default)]
    pub created: usize,
    #[serde(default)]
    pub updated: usize,
    #[serde(default)]
    pub errors: Vec<ImportErrorRow>,
}

#[derive(Template)]
#[template(path = "registry/import.html")]
struct ImportPage {
    ctx: Ctx,
    max_text: String,
    too_large_text: String,
    max_bytes: usize,
    outcome: String,
    result: Option<ImportResult>,
    error: Option<String>,
    file_name: String,
    may_edit: bool,
    headers: &'static [&'static str],
}

fn import_ctx(u: &PageUser) -> Ctx {
    u.section_ctx("import")
}

fn render_import(
    st: &AppState,
    u: &PageUser,
    status: StatusCode,
    result: Option<ImportResult>,
    error: Option<String>,
    file_name: String,
) -> Response {
    let lang = u.lang;
    let max = human_bytes(st.config.max_upload_bytes);
    let outcome = match &result {
        Some(r) if r.errors.is_empty() => lang.tf(
            "import.ok",
            &[&group(r.created as i64), &group(r.updated as i64)],
        ),
        Some(r) => lang.tf("import.failed", &[&group(r.errors.len() as i64)]),
        None => String::new(),
    };
    let page = ImportPage {
        ctx: import_ctx(u),
        max_text: lang.tf("import.step3", &[&max]),
        too_large_text: lang.tf("import.file_too_large", &[&max]),
        max_bytes: st.config.max_upload_bytes,
        outcome,
        result,
        error,
        file_name,
        may_edit: u.may_edit(),
        headers: &registry_io::HEADERS,
    };
    html(status, &page)
}

pub async fn import_page(State(st): State<AppState>, u: PageUser) -> Response {
    render_import(&st, &u, StatusCode::OK, None, None, String::new())
}

/// What an upload form sent: its CSRF token and file, or why the file was refused.
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

pub async fn import_upload(
    State(st): State<AppState>,
    u: PageUser,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let lang = u.lang;
    let limit = st.config.max_upload_bytes;
    let bad = |key: &str| {
        render_import(
            &st,
            &u,
            StatusCode::BAD_REQUEST,
            None,
            Some(lang.t(key).to_string()),
            String::new(),
        )
    };
    let Ok(mp) = mp else {
        return Ok(bad("error.multipart"));
    };
    let sent = match read_form(mp, limit).await {
        Ok(s) => s,
        Err(_) => return Ok(bad("error.multipart")),
    };
    u.may(Permission::EditRegistry)?;
    if sent.too_large {
        let msg = lang.tf("import.file_too_large", &[&human_bytes(limit)]);
        return Ok(render_import(
            &st,
            &u,
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            Some(msg),
            sent.file_name,
        ));
    }
    let Some(bytes) = sent.bytes.filter(|b| !b.is_empty()) else {
        return Ok(bad("import.no_file"));
    };
    let caller = u.caller();
    let res = match import_bytes(&st, &caller, lang, &bytes).await {
        Ok(r) => r,
        Err(AppError::Forbidden) => return Err(u.forbidden().into()),
        Err(e @ AppError::Internal(_)) => return Err(u.error(e).into()),
        Err(e) => {
            let (msg, _) = e.message(lang, &u.request_id);
            return Ok(render_import(
                &st,
                &u,
                e.status(),
                None,
                Some(msg),
                sent.file_name,
            ));
        }
    };
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 64 * 1024 * 1024)
        .await
        .map_err(|e| u.error(AppError::Internal(e.to_string())))?;
    let result: ImportResult =
        serde_json::from_slice(&body).map_err(|e| u.error(AppError::Internal(e.to_string())))?;
    Ok(render_import(
        &st,
        &u,
        status,
        Some(result),
        None,
        sent.file_name,
    ))
}

pub async fn template(u: PageUser) -> Result<Response, PageError> {
    let bytes = registry_io::template_xlsx().or_page(&u)?;
    Ok(xlsx_response(bytes, "社团导入模板.xlsx"))
}

#[derive(Template)]
#[template(path = "registry/export.html")]
struct ExportPage {
    ctx: Ctx,
    societies: String,
}

pub async fn export_page(State(st): State<AppState>, u: PageUser) -> Result<Response, PageError> {
    let lang = u.lang;
    let total = st
        .store
        .list_societies(
            u.scope(),
            &SocietyFilter::default(),
            PageReq {
                page: 1,
                per_page: 1,
            },
        )
        .await
        .or_page(&u)?
        .total;
    let ctx = u.section_ctx("export");
    Ok(html(
        StatusCode::OK,
        &ExportPage {
            ctx,
            societies: lang.tf("unit.societies", &[&group(total)]),
        },
    ))
}

pub async fn export_societies(
    State(st): State<AppState>,
    u: PageUser,
) -> Result<Response, PageError> {
    let title = crate::modules::registry::api::ledger_title(&st, u.scope(), u.lang, "社团名册")
        .await
        .map_err(|e| u.error(e))?;
    crate::modules::registry::api::societies_xlsx(&st, u.scope(), Some(title))
        .await
        .map_err(|e| u.error(e).into())
}

pub async fn export_orgs(State(st): State<AppState>, u: PageUser) -> Result<Response, PageError> {
    let title = crate::modules::registry::api::ledger_title(&st, u.scope(), u.lang, "党组织名册")
        .await
        .map_err(|e| u.error(e))?;
    crate::modules::registry::api::orgs_xlsx(&st, u.scope(), Some(title))
        .await
        .map_err(|e| u.error(e).into())
}
