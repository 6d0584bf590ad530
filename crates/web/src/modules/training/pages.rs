//! M8 pages: the office-holder register (a branch keeps its own subtree's: the list with
//! its filters and export, the form that adds, changes and ends a post), the courses with
//! their attendance and sign-in sheet import (`courses.rs`), and the yearly hours ledger
//! (`hours.rs`).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Datelike;
use domain::policy::Permission;
use domain::training::{OfficeHolderInput, Position};
use store::training::{OfficeHolder, OfficeHolderFilter};

use crate::modules::registry::orgs::{org_choices, org_options, OrgOption};
use crate::modules::registry::societies::save_error;
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::session::{Flash, Item, OrPage, PageError, PageUser};
use crate::ui::ctx::{html, Ctx, FormState};
use crate::ui::list::{kept, Pager};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/training/office-holders", get(list).post(create))
        .route("/training/office-holders/new", get(new_form))
        .route("/training/office-holders/export.xlsx", get(export))
        .route("/training/office-holders/{id}", get(show).post(update))
        .route("/training/office-holders/{id}/end", post(end))
        .route("/training/office-holders/{id}/delete", post(delete))
        .route(
            "/training/courses",
            get(super::courses::list).post(super::courses::create),
        )
        .route("/training/courses/new", get(super::courses::new_form))
        .route(
            "/training/courses/{id}",
            get(super::courses::show).post(super::courses::update),
        )
        .route(
            "/training/courses/{id}/edit",
            get(super::courses::edit_form),
        )
        .route(
            "/training/courses/{id}/attendance",
            post(super::courses::add_attendance),
        )
        .route(
            "/training/courses/{id}/attendance/{holder}/delete",
            post(super::courses::remove_attendance),
        )
        .route(
            "/training/courses/{id}/import",
            get(super::courses::import_page)
                .post(super::courses::import_upload)
                .layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/training/attendance-template.xlsx",
            get(super::courses::template),
        )
        .route("/training/hours", get(super::hours::ledger))
        .route("/training/hours/export.xlsx", get(super::hours::export))
}

/// The positions with their labels, for a `<select>`.
pub fn positions(u: &PageUser) -> Vec<(&'static str, &'static str)> {
    crate::modules::reports::pages::codes(u.lang, "position", Position::CODES)
}

/// The years a filter offers: from five years back to next year, latest first.
pub fn years(today: chrono::NaiveDate) -> Vec<(String, String)> {
    (today.year() - 5..=today.year() + 1)
        .rev()
        .map(|y| (y.to_string(), y.to_string()))
        .collect()
}

/// Whether the holder is in position on `day`.
pub fn in_position_on(h: &OfficeHolder, day: chrono::NaiveDate) -> bool {
    h.since <= day && h.until.is_none_or(|u| u >= day)
}

// ---------------------------------------------------------------- the register

pub struct HolderRow {
    pub h: OfficeHolder,
    pub org_name: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "training/office_holders.html")]
struct RegisterPage {
    ctx: Ctx,
    rows: Vec<HolderRow>,
    pager: Pager,
    f: FormState,
    orgs: Option<Vec<OrgOption>>,
    positions: Vec<(&'static str, &'static str)>,
    years: Vec<(String, String)>,
    may_edit: bool,
}

async fn list(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let filter: OfficeHolderFilter = p.filter();
    let page = p.page();
    let f = kept::<OfficeHolderFilter>(&p);
    let msg = p.str("msg").map(str::to_string);
    p.finish().map_err(|e| u.error(e))?;
    let res = st
        .store
        .list_office_holders(u.scope(), &filter, page)
        .await
        .or_page(&u)?;
    let ids: Vec<i64> = res.items.iter().map(|h| h.party_org_id).collect();
    let names = st.store.org_names(u.scope(), &ids).await.or_page(&u)?;
    let pager = Pager::of::<OfficeHolderFilter>(
        u.lang,
        (
            "/training/office-holders",
            "/training/office-holders/export.xlsx",
        ),
        &f,
        page,
        res.total,
        res.items.len(),
    );
    let today = st.clock.today();
    let orgs = org_choices(&st, u.scope()).await.or_page(&u)?;
    let view = RegisterPage {
        ctx: u.section_ctx("office_holders").with_flash(msg.as_deref()),
        rows: res
            .items
            .into_iter()
            .map(|h| HolderRow {
                org_name: names.get(&h.party_org_id).cloned().unwrap_or_default(),
                current: in_position_on(&h, today),
                h,
            })
            .collect(),
        pager,
        f,
        orgs: orgs.map(|o| org_options(&o, u.lang)),
        positions: positions(&u),
        years: years(today),
        may_edit: u.allowed(Permission::EditRegistry),
    };
    Ok(html(StatusCode::OK, &view))
}

/// The register as people keep it (党务干部名册), with the list's filters.
async fn export(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let filter: OfficeHolderFilter = p.filter();
    p.finish().map_err(|e| u.error(e))?;
    let title = crate::modules::registry::api::ledger_title(&st, u.scope(), u.lang, "党务干部名册")
        .await
        .map_err(|e| u.error(e))?;
    super::sheets::register_xlsx(&st, u.scope(), &filter, Some(title))
        .await
        .map_err(|e| u.error(e).into())
}

// ---------------------------------------------------------------- the form

#[derive(Template)]
#[template(path = "training/office_holder_form.html")]
struct HolderForm {
    ctx: Ctx,
    h: Option<OfficeHolder>,
    org_name: String,
    current: bool,
    f: FormState,
    /// The form that ends the post (its date).
    ef: FormState,
    orgs: Option<Vec<OrgOption>>,
    positions: Vec<(&'static str, &'static str)>,
    may_edit: bool,
    may_audit: bool,
}

fn values_of(h: &OfficeHolder) -> FormState {
    let mut f = FormState::default();
    f.set("name", &h.name);
    f.set("party_org_id", h.party_org_id.to_string());
    f.set("position", h.position.as_str());
    f.set("since", h.since.to_string());
    f.set("until", h.until.map(|d| d.to_string()).unwrap_or_default());
    f
}

#[allow(clippy::too_many_arguments)]
async fn render_form(
    st: &AppState,
    u: &PageUser,
    h: Option<OfficeHolder>,
    f: FormState,
    ef: Option<FormState>,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let lang = u.lang;
    let orgs = org_choices(st, u.scope()).await.or_page(u)?;
    let org_name = match &h {
        Some(h) => st
            .store
            .org_names(u.scope(), &[h.party_org_id])
            .await
            .or_page(u)?
            .remove(&h.party_org_id)
            .unwrap_or_default(),
        None => String::new(),
    };
    let title = match &h {
        Some(h) => format!(
            "{}（{}）",
            h.name,
            lang.code_label("position", h.position.as_str())
        ),
        None => lang.t("train.holder.new").to_string(),
    };
    let today = st.clock.today();
    let ef = ef.unwrap_or_else(|| {
        let mut ef = FormState::default();
        ef.set("until", today.to_string());
        ef
    });
    let page = HolderForm {
        ctx: u.item_ctx("office_holders", title).with_flash(msg),
        current: h.as_ref().is_some_and(|h| in_position_on(h, today)),
        h,
        org_name,
        f,
        ef,
        orgs: orgs.map(|o| org_options(&o, lang)),
        positions: positions(u),
        may_edit: u.allowed(Permission::EditRegistry),
        may_audit: u.allowed(Permission::ReadAudit),
    };
    Ok(html(status, &page))
}

async fn new_form(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    u.may(Permission::EditRegistry)?;
    let p = p.map_err(|e| u.error(e))?;
    let mut f = FormState::default();
    let org = p
        .str("party_org_id")
        .map(str::to_string)
        .or_else(|| u.session.user.party_org_id.map(|i| i.to_string()));
    f.set("party_org_id", org.unwrap_or_default());
    f.set("position", Position::Secretary.as_str());
    f.set("since", st.clock.today().to_string());
    render_form(&st, &u, None, f, None, StatusCode::OK, None).await
}

/// The form's office-holder; field errors go into `f`.
fn input_of(f: &mut FormState, u: &PageUser) -> OfficeHolderInput {
    let org = f.opt_id("party_org_id", u.lang);
    OfficeHolderInput {
        name: Some(f.v("name").trim().to_string()),
        party_org_id: org,
        position: f.opt("position"),
        since: f.opt("since"),
        until: f.opt("until"),
    }
}

async fn save(
    st: &AppState,
    u: &PageUser,
    id: Option<i64>,
    form: HashMap<String, String>,
) -> Result<Response, PageError> {
    let base = match id {
        Some(id) => Some(st.store.get_office_holder(u.scope(), id).await.or_page(u)?),
        None => None,
    };
    let actor = u.may(Permission::EditRegistry)?;
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let input = input_of(&mut f, u);
    let checked = input.validate();
    if let Err(e) = &checked {
        f.store_errors(e, u.lang);
    }
    let (Ok(h), true) = (checked, f.ok()) else {
        return render_form(st, u, base, f, None, StatusCode::UNPROCESSABLE_ENTITY, None).await;
    };
    let saved = match id {
        Some(id) => {
            st.store
                .update_office_holder(&actor, u.scope(), id, h)
                .await
        }
        None => st.store.create_office_holder(&actor, u.scope(), h).await,
    };
    match saved {
        Ok(h) => {
            let msg = if id.is_some() { "saved" } else { "created" };
            Ok(
                Redirect::to(&format!("/training/office-holders/{}?msg={msg}", h.id))
                    .into_response(),
            )
        }
        Err(store::StoreError::Forbidden) => {
            f.error("party_org_id", u.lang.t("train.holder.org_out_of_scope"));
            render_form(st, u, base, f, None, StatusCode::UNPROCESSABLE_ENTITY, None).await
        }
        Err(e) => {
            save_error(u, &mut f, e)?;
            render_form(st, u, base, f, None, StatusCode::UNPROCESSABLE_ENTITY, None).await
        }
    }
}

async fn create(
    State(st): State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    save(&st, &u, None, form).await
}

async fn show(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let h = st
        .store
        .get_office_holder(u.scope(), id)
        .await
        .or_page(&u)?;
    let f = values_of(&h);
    render_form(&st, &u, Some(h), f, None, StatusCode::OK, msg.as_deref()).await
}

async fn update(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    save(&st, &u, Some(id), form).await
}

/// Ends the post on the day given (离任): the record stays, with its `until`.
async fn end(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let h = st
        .store
        .get_office_holder(u.scope(), id)
        .await
        .or_page(&u)?;
    let actor = u.may(Permission::EditRegistry)?;
    let mut ef = FormState {
        values: form,
        ..Default::default()
    };
    let mut input = h.def().input();
    input.until = Some(ef.v("until").trim().to_string());
    if ef.opt("until").is_none() {
        ef.error("until", u.lang.t("field.required"));
    }
    let checked = input.validate();
    if let Err(e) = &checked {
        ef.store_errors(e, u.lang);
    }
    let (Ok(new), true) = (checked, ef.ok()) else {
        let f = values_of(&h);
        return render_form(
            &st,
            &u,
            Some(h),
            f,
            Some(ef),
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
        )
        .await;
    };
    st.store
        .update_office_holder(&actor, u.scope(), id, new)
        .await
        .or_page(&u)?;
    Ok(Redirect::to(&format!("/training/office-holders/{id}?msg=saved")).into_response())
}

async fn delete(State(st): State<AppState>, Item { u, id }: Item) -> Result<Response, PageError> {
    st.store
        .get_office_holder(u.scope(), id)
        .await
        .or_page(&u)?;
    let actor = u.may(Permission::EditRegistry)?;
    st.store
        .delete_office_holder(&actor, u.scope(), id)
        .await
        .or_page(&u)?;
    Ok(Redirect::to("/training/office-holders?msg=deleted").into_response())
}
