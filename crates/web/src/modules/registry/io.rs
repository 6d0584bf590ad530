//! Import (template, upload, the table of errors by row and column) and export pages.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::policy::Permission;
use store::{PageReq, SocietyFilter};

use crate::modules::registry::api::{import_bytes, xlsx_response};
use crate::modules::registry::sheets as registry_io;
use crate::AppState;

use crate::platform::session::{OrPage, PageError, PageUser};
use crate::ui::ctx::{group, html, Ctx};
use crate::ui::import::{upload, ImportView};

/// The societies import as the one import page shows it.
fn import_view(u: &PageUser) -> ImportView {
    let lang = u.lang;
    ImportView {
        ctx: u.section_ctx("import"),
        heading: lang.t("import.title").to_string(),
        action: "/import".into(),
        template_href: "/import/template.xlsx".into(),
        headers: &registry_io::HEADERS,
        step2: lang.t("import.step2").to_string(),
        step2_hint: lang.t("import.step2_hint").to_string(),
        ok_key: "import.ok",
        view_href: "/societies".into(),
        view_label: lang.t("import.view_list").to_string(),
        may_import: u.may_edit(),
    }
}

pub async fn import_page(State(st): State<AppState>, u: PageUser) -> Response {
    import_view(&u).render(&st, StatusCode::OK, None, None, String::new())
}

pub async fn import_upload(
    State(st): State<AppState>,
    u: PageUser,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let caller = u.caller();
    let lang = u.lang;
    let run = async |bytes: Vec<u8>| import_bytes(&st, &caller, lang, &bytes).await;
    upload(&st, &u, import_view(&u), Permission::EditRegistry, mp, run).await
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
