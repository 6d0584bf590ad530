//! M9 pages: the typical-case library — categories, search, a branch's proposed case,
//! publishing, and the A4 print view.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Datelike;
use domain::liaison::{CaseCategory, CaseInput};
use domain::policy::Permission;
use domain::Role;
use store::liaison::{Case, CaseFilter};
use store::{PageReq, StoreError};

use crate::modules::registry::orgs::OrgOption;
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::session::{Flash, Item, OrPage, PageError, PageUser};
use crate::ui::ctx::{html, Ctx, FormState};
use crate::ui::list::{kept, Pager};
use crate::AppState;

use super::pages::*;

// ------------------------------------------------------------------ typical cases

#[derive(Template)]
#[template(path = "liaison/cases.html")]
struct CasesPage {
    ctx: Ctx,
    rows: Vec<Case>,
    pager: Pager,
    f: FormState,
    may_propose: bool,
    may_publish: bool,
    /// Cases per category over the filters but the category (the category tabs).
    tabs: Vec<(&'static str, &'static str, i64)>,
}

pub(super) async fn cases(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let filter: CaseFilter = p.filter();
    let mut page = p.page();
    if p.str("per_page").is_none() {
        page.per_page = PER_PAGE;
    }
    let f = kept::<CaseFilter>(&p);
    p.finish().map_err(|e| u.error(e))?;
    let res = st
        .store
        .list_cases(u.scope(), &filter, page)
        .await
        .or_page(&u)?;
    let mut tabs = Vec::new();
    for (code, label) in categories(&u) {
        let mut of = filter.clone();
        of.category = CaseCategory::parse(code);
        let n = st
            .store
            .list_cases(
                u.scope(),
                &of,
                PageReq {
                    page: 1,
                    per_page: 1,
                },
            )
            .await
            .or_page(&u)?
            .total;
        tabs.push((code, label, n));
    }
    let pager = Pager::of::<CaseFilter>(
        u.lang,
        ("/cases", "/cases.xlsx"),
        &f,
        page,
        res.total,
        res.items.len(),
    );
    let page = CasesPage {
        ctx: flash(u.section_ctx("cases"), msg.as_deref()),
        rows: res.items,
        pager,
        f,
        may_propose: u.allowed(Permission::ProposeCase),
        may_publish: u.allowed(Permission::PublishCase),
        tabs,
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "liaison/case.html")]
struct CasePage {
    ctx: Ctx,
    c: Case,
    may_publish: bool,
    may_edit: bool,
}

/// Whether the user may change the case: admin and committee any; a branch its subtree's
/// proposed ones (a published case read through the exception is never writable).
pub(super) async fn may_edit_case(st: &AppState, u: &PageUser, c: &Case) -> bool {
    if u.allowed(Permission::PublishCase) {
        return true;
    }
    if !u.allowed(Permission::ProposeCase) || c.published {
        return false;
    }
    st.store.get_org(u.scope(), c.party_org_id).await.is_ok()
}

pub(super) async fn show_case(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let c = st.store.get_case(u.scope(), id).await.or_page(&u)?;
    let ctx = u.item_ctx("cases", c.title.clone());
    let page = CasePage {
        ctx: flash(ctx, msg.as_deref()),
        may_edit: may_edit_case(&st, &u, &c).await,
        may_publish: u.allowed(Permission::PublishCase),
        c,
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "liaison/case_print.html")]
struct CasePrint {
    ctx: Ctx,
    c: Case,
}

pub(super) async fn print_case(
    State(st): State<AppState>,
    Item { u, id }: Item,
) -> Result<Response, PageError> {
    let c = st.store.get_case(u.scope(), id).await.or_page(&u)?;
    let ctx = u.item_ctx("cases", c.title.clone());
    Ok(html(StatusCode::OK, &CasePrint { ctx, c }))
}

#[derive(Template)]
#[template(path = "liaison/case_form.html")]
struct CaseForm {
    ctx: Ctx,
    c: Option<Case>,
    f: FormState,
    orgs: Option<Vec<OrgOption>>,
    categories: Vec<(&'static str, &'static str)>,
    may_publish: bool,
}

pub(super) async fn render_case_form(
    st: &AppState,
    u: &PageUser,
    c: Option<Case>,
    f: FormState,
    status: StatusCode,
) -> Result<Response, PageError> {
    let lang = u.lang;
    let ctx = match &c {
        Some(c) => u.sub_item_ctx(
            "cases",
            (c.title.clone(), format!("/cases/{}", c.id)),
            lang.t("liaison.case.edit").to_string(),
        ),
        None => u.item_ctx("cases", lang.t("liaison.case.new").to_string()),
    };
    let page = CaseForm {
        ctx,
        c,
        f,
        orgs: org_choices(st, u).await.or_page(u)?,
        categories: categories(u),
        may_publish: u.allowed(Permission::PublishCase),
    };
    Ok(html(status, &page))
}

pub(super) async fn new_case(
    State(st): State<AppState>,
    u: PageUser,
) -> Result<Response, PageError> {
    u.may(Permission::ProposeCase)?;
    let mut f = FormState::default();
    f.set("year", st.clock.today().year().to_string());
    if u.role() == Role::Branch {
        if let Some(o) = u.session.user.party_org_id {
            f.set("party_org_id", o.to_string());
        }
    }
    render_case_form(&st, &u, None, f, StatusCode::OK).await
}

pub(super) async fn edit_case(
    State(st): State<AppState>,
    Item { u, id }: Item,
) -> Result<Response, PageError> {
    let c = st.store.get_case(u.scope(), id).await.or_page(&u)?;
    u.may(Permission::ProposeCase)?;
    if !may_edit_case(&st, &u, &c).await {
        return Err(u.forbidden().into());
    }
    let mut f = FormState::default();
    f.set("title", &c.title);
    f.set("party_org_id", c.party_org_id.to_string());
    f.set("category", c.category.as_str());
    f.set("year", c.year.to_string());
    f.set("summary", c.summary.clone().unwrap_or_default());
    if c.published {
        f.set("published", "on");
    }
    render_case_form(&st, &u, Some(c), f, StatusCode::OK).await
}

pub(super) async fn save_case(
    st: &AppState,
    u: &PageUser,
    id: Option<i64>,
    form: HashMap<String, String>,
) -> Result<Response, PageError> {
    let base = match id {
        Some(id) => Some(st.store.get_case(u.scope(), id).await.or_page(u)?),
        None => None,
    };
    let actor = u.may(Permission::ProposeCase)?;
    let lang = u.lang;
    let may_publish = u.allowed(Permission::PublishCase);
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let year = f.int("year", None, lang);
    let input = CaseInput {
        title: Some(f.v("title").to_string()),
        party_org_id: f.opt_id("party_org_id", lang),
        category: f.opt("category"),
        year: year.or_else(|| f.opt("year").map(|_| 0)),
        summary: f.opt("summary"),
        // a branch's form has no such box: it proposes (published false)
        published: Some(may_publish && f.checked("published")),
    };
    let checked = input.validate();
    if let Err(e) = &checked {
        f.store_errors(e, lang);
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Ok(k), true) = (checked, f.ok()) {
        let saved = match id {
            Some(id) => {
                st.store
                    .update_case(&actor, u.scope(), id, k, may_publish)
                    .await
            }
            None => {
                st.store
                    .create_case(&actor, u.scope(), k, may_publish)
                    .await
            }
        };
        match saved {
            Ok(c) => {
                let msg = match id {
                    Some(_) => "saved",
                    None if c.published => "created",
                    None => "proposed",
                };
                return Ok(Redirect::to(&format!("/cases/{}?msg={msg}", c.id)).into_response());
            }
            Err(StoreError::Invalid(e)) => f.store_errors(&e, lang),
            Err(StoreError::Forbidden) => {
                status = StatusCode::FORBIDDEN;
                f.error("party_org_id", lang.t("liaison.not_in_scope"));
            }
            Err(e) => return Err(u.error(e).into()),
        }
    }
    render_case_form(st, u, base, f, status).await
}

pub(super) async fn create_case(
    State(st): State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    save_case(&st, &u, None, form).await
}

pub(super) async fn update_case(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    save_case(&st, &u, Some(id), form).await
}

/// `POST /cases/{id}/publish` (`published` = true or false): admin and committee publish
/// or withdraw a case.
pub(super) async fn publish_case(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let c = st.store.get_case(u.scope(), id).await.or_page(&u)?;
    let actor = u.may(Permission::PublishCase)?;
    let publish = matches!(form.get("published").map(String::as_str), Some("true"));
    let mut k = c.def();
    k.published = publish;
    st.store
        .update_case(&actor, u.scope(), id, k, true)
        .await
        .or_page(&u)?;
    let msg = if publish { "published" } else { "withdrawn" };
    Ok(Redirect::to(&format!("/cases/{id}?msg={msg}")).into_response())
}
