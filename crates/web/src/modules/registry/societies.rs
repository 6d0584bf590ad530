//! The societies register: list with search, filters and pages (htmx updates the table as
//! one types), and the create / view-edit / delete forms.

use domain::policy::Permission;
use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::{Coverage, Sector, Society, SocietyInput, SocietyKind, SocietyPatch};
use store::StoreError;

use crate::modules::registry::api::society_filter;
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::i18n::Lang;
use crate::AppState;

use crate::modules::registry::orgs::{org_choices, org_options, OrgOption, ORG_SELECT_MAX};
use crate::platform::session::{Flash, Item, OrPage, PageError, PageUser};
use crate::ui::ctx::{group, html, url_encode, Ctx, FormState};

pub struct Row {
    pub s: Society,
    pub org_name: String,
}

pub struct PageLink {
    pub label: String,
    pub href: Option<String>,
    pub current: bool,
}

/// The table, its count and its pages: the part htmx replaces.
pub struct Results {
    pub rows: Vec<Row>,
    pub pages: Vec<PageLink>,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub page_count: i64,
    pub summary: String,
}

pub struct Filters {
    pub q: String,
    pub kind: String,
    pub sector: String,
    pub coverage: String,
    pub party_org_id: String,
    pub should_establish: String,
}

impl Filters {
    /// Whether the filter `field` is set to `code` (for `selected`).
    pub fn sel(&self, field: &str, code: &str) -> bool {
        let v = match field {
            "kind" => &self.kind,
            "sector" => &self.sector,
            "coverage" => &self.coverage,
            "party_org_id" => &self.party_org_id,
            "should_establish" => &self.should_establish,
            _ => return false,
        };
        v == code
    }

    /// Any filter other than the search text is set.
    pub fn any(&self) -> bool {
        [
            &self.kind,
            &self.sector,
            &self.coverage,
            &self.party_org_id,
            &self.should_establish,
        ]
        .iter()
        .any(|v| !v.is_empty())
    }
}

#[derive(Template)]
#[template(path = "registry/societies.html")]
struct ListPage {
    ctx: Ctx,
    f: Filters,
    r: Results,
    orgs: Option<Vec<OrgOption>>,
    org_filter_name: Option<String>,
    kinds: Vec<(&'static str, &'static str)>,
    sectors: Vec<(&'static str, &'static str)>,
    coverages: Vec<(&'static str, &'static str)>,
    may_edit: bool,
}

#[derive(Template)]
#[template(path = "registry/societies_results.html")]
struct ResultsFragment {
    ctx: Ctx,
    r: Results,
}

pub fn kinds(lang: Lang) -> Vec<(&'static str, &'static str)> {
    SocietyKind::CODES
        .iter()
        .map(|c| (*c, lang.code_label("society_kind", c)))
        .collect()
}

pub fn sectors(lang: Lang) -> Vec<(&'static str, &'static str)> {
    Sector::CODES
        .iter()
        .map(|c| (*c, lang.code_label("sector", c)))
        .collect()
}

pub fn coverages(lang: Lang) -> Vec<(&'static str, &'static str)> {
    Coverage::CODES
        .iter()
        .map(|c| (*c, lang.code_label("coverage", c)))
        .collect()
}

fn query_string(f: &Filters, page: i64) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("q", &f.q),
        ("kind", &f.kind),
        ("sector", &f.sector),
        ("coverage", &f.coverage),
        ("party_org_id", &f.party_org_id),
        ("should_establish", &f.should_establish),
    ] {
        if !v.is_empty() {
            parts.push(format!("{k}={}", url_encode(v)));
        }
    }
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    if parts.is_empty() {
        "/societies".into()
    } else {
        format!("/societies?{}", parts.join("&"))
    }
}

fn page_links(f: &Filters, page: i64, page_count: i64) -> Vec<PageLink> {
    let mut nums: Vec<i64> = vec![1, page_count];
    nums.extend((page - 2).max(1)..=(page + 2).min(page_count));
    nums.sort_unstable();
    nums.dedup();
    let mut out = Vec::new();
    let mut last = 0;
    for n in nums.into_iter().filter(|n| *n >= 1) {
        if n > last + 1 {
            out.push(PageLink {
                label: "…".into(),
                href: None,
                current: false,
            });
        }
        out.push(PageLink {
            label: n.to_string(),
            href: Some(query_string(f, n)),
            current: n == page,
        });
        last = n;
    }
    out
}

pub async fn list(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let lang = u.lang;
    let mut p = p.or_page(&u)?;
    let filter = society_filter(&mut p);
    let page_req = p.page();
    let keep = |k: &str| p.str(k).unwrap_or("").to_string();
    let f = Filters {
        q: keep("q"),
        kind: filter
            .kind
            .map(|k| k.as_str().to_string())
            .unwrap_or_default(),
        sector: filter
            .sector
            .map(|k| k.as_str().to_string())
            .unwrap_or_default(),
        coverage: filter
            .coverage
            .map(|k| k.as_str().to_string())
            .unwrap_or_default(),
        party_org_id: filter
            .party_org_id
            .map(|k| k.to_string())
            .unwrap_or_default(),
        should_establish: filter
            .should_establish
            .map(|k| k.to_string())
            .unwrap_or_default(),
    };
    let msg = p.str("msg").map(str::to_string);
    let scope = u.scope().clone();
    // The org filter is a drop-down only for trees small enough to list; the names shown in
    // the rows come from one lookup of the orgs on this page.
    let (paged, org_count) = tokio::try_join!(
        st.store.list_societies(&scope, &filter, page_req),
        st.store.org_count(&scope)
    )
    .or_page(&u)?;
    let all_orgs_listed = org_count <= ORG_SELECT_MAX;
    let orgs = if all_orgs_listed && !u.htmx {
        st.store.all_orgs(&scope).await.or_page(&u)?
    } else {
        Vec::new()
    };
    let mut wanted: Vec<i64> = paged.items.iter().filter_map(|s| s.party_org_id).collect();
    wanted.extend(filter.party_org_id);
    wanted.sort_unstable();
    wanted.dedup();
    let names = st.store.org_names(&scope, &wanted).await.or_page(&u)?;
    let per_page = page_req.per_page;
    let page_count = ((paged.total + per_page - 1) / per_page).max(1);
    let page = paged.page;
    let from = if paged.items.is_empty() {
        0
    } else {
        page_req.offset() + 1
    };
    let to = page_req.offset() + paged.items.len() as i64;
    let rows = paged
        .items
        .into_iter()
        .map(|s| Row {
            org_name: s
                .party_org_id
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_default(),
            s,
        })
        .collect();
    let summary = if paged.total == 0 {
        lang.t("societies.summary_none").to_string()
    } else {
        lang.tf(
            "societies.summary",
            &[&group(paged.total), &group(from), &group(to)],
        )
    };
    let r = Results {
        summary,
        rows,
        pages: page_links(&f, page, page_count),
        prev: (page > 1).then(|| query_string(&f, page - 1)),
        next: (page < page_count).then(|| query_string(&f, page + 1)),
        page_count,
    };
    let ctx = u.section_ctx("societies").with_flash(msg.as_deref());
    let mut res = if u.htmx {
        html(StatusCode::OK, &ResultsFragment { ctx, r })
    } else {
        let org_filter_name = filter.party_org_id.and_then(|id| names.get(&id).cloned());
        let page = ListPage {
            ctx,
            r,
            orgs: all_orgs_listed.then(|| org_options(&orgs, lang)),
            org_filter_name,
            kinds: kinds(lang),
            sectors: sectors(lang),
            coverages: coverages(lang),
            may_edit: u.may_edit(),
            f,
        };
        html(StatusCode::OK, &page)
    };
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("HX-Request"));
    Ok(res)
}

// ------------------------------------------------------------------ the form

#[derive(Template)]
#[template(path = "registry/society_form.html")]
struct FormPage {
    ctx: Ctx,
    /// `None` for a new society.
    s: Option<Society>,
    org_name: Option<String>,
    f: FormState,
    /// `None`: too many orgs for a list; the form takes an id.
    orgs: Option<Vec<OrgOption>>,
    kinds: Vec<(&'static str, &'static str)>,
    sectors: Vec<(&'static str, &'static str)>,
    may_edit: bool,
    is_admin: bool,
}

fn values_of(s: &Society) -> FormState {
    let mut f = FormState::default();
    f.set("name", &s.name);
    f.set("kind", s.kind.as_str());
    f.set("sector", s.sector.as_str());
    f.set("full_members", s.full_members.to_string());
    f.set("probationary_members", s.probationary_members.to_string());
    if s.charter_has_party_building {
        f.set("charter_has_party_building", "on");
    }
    f.set("instructor", s.instructor.clone().unwrap_or_default());
    f.set(
        "party_org_id",
        s.party_org_id.map(|i| i.to_string()).unwrap_or_default(),
    );
    f
}

fn form_of(map: HashMap<String, String>) -> FormState {
    FormState {
        values: map,
        ..Default::default()
    }
}

/// Reads the form into a patch; field errors (including the domain's) go into `f`.
fn patch_of(f: &mut FormState, base: Option<&SocietyInput>, lang: Lang) -> SocietyPatch {
    let full = f.int("full_members", Some(0), lang);
    let prob = f.int("probationary_members", Some(0), lang);
    let org = f.opt_id("party_org_id", lang);
    let patch = SocietyPatch {
        name: Some(f.v("name").to_string()),
        kind: Some(f.v("kind").to_string()),
        sector: Some(f.v("sector").to_string()),
        full_members: Some(full.unwrap_or(0)),
        probationary_members: Some(prob.unwrap_or(0)),
        charter_has_party_building: Some(f.checked("charter_has_party_building")),
        instructor: Some(f.opt("instructor")),
        party_org_id: Some(org),
        ..Default::default()
    };
    if let Err(e) = patch.apply(base) {
        f.store_errors(&e, lang);
    }
    patch
}

/// Maps a store error of a save to form errors, or to an error page.
pub fn save_error(u: &PageUser, f: &mut FormState, e: StoreError) -> Result<(), PageError> {
    match e {
        StoreError::Invalid(fe) => {
            f.store_errors(&fe, u.lang);
            Ok(())
        }
        StoreError::Conflict(field) => {
            f.error(field, u.lang.t("form.name_taken"));
            Ok(())
        }
        e => Err(u.error(e).into()),
    }
}

async fn render_form(
    st: &AppState,
    u: &PageUser,
    s: Option<Society>,
    f: FormState,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let lang = u.lang;
    let orgs = org_choices(st, u.scope()).await.or_page(u)?;
    let current: Vec<i64> = s
        .as_ref()
        .and_then(|s| s.party_org_id)
        .into_iter()
        .collect();
    let org_name = st
        .store
        .org_names(u.scope(), &current)
        .await
        .or_page(u)?
        .into_values()
        .next();
    let title = match &s {
        Some(s) => s.name.clone(),
        None => lang.t("page.society.new").to_string(),
    };
    let ctx = u.item_ctx("societies", title).with_flash(msg);
    let page = FormPage {
        ctx,
        s,
        org_name,
        f,
        orgs: orgs.map(|o| org_options(&o, lang)),
        kinds: kinds(lang),
        sectors: sectors(lang),
        may_edit: u.may_edit(),
        is_admin: u.is_admin(),
    };
    Ok(html(status, &page))
}

pub async fn new_form(State(st): State<AppState>, u: PageUser) -> Result<Response, PageError> {
    u.may(Permission::EditRegistry)?;
    let mut f = FormState::default();
    f.set("kind", SocietyKind::Society.as_str());
    f.set("sector", Sector::Other.as_str());
    f.set("full_members", "0");
    f.set("probationary_members", "0");
    render_form(&st, &u, None, f, StatusCode::OK, None).await
}

pub async fn create(
    State(st): State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let actor = u.may(Permission::EditRegistry)?;
    let mut f = form_of(form);
    let patch = patch_of(&mut f, None, u.lang);
    if f.ok() {
        match st.store.create_society(&actor, u.scope(), &patch).await {
            Ok(s) => {
                return Ok(Redirect::to(&format!("/societies/{}?msg=created", s.id)).into_response())
            }
            Err(e) => save_error(&u, &mut f, e)?,
        }
    }
    render_form(&st, &u, None, f, StatusCode::UNPROCESSABLE_ENTITY, None).await
}

pub async fn show(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let s = st.store.get_society(u.scope(), id).await.or_page(&u)?;
    let f = values_of(&s);
    render_form(&st, &u, Some(s), f, StatusCode::OK, msg.as_deref()).await
}

pub async fn update(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let s = st.store.get_society(u.scope(), id).await.or_page(&u)?;
    let actor = u.may(Permission::EditRegistry)?;
    let mut f = form_of(form);
    let base = SocietyInput::from(&s);
    let patch = patch_of(&mut f, Some(&base), u.lang);
    if f.ok() {
        match st.store.update_society(&actor, u.scope(), id, &patch).await {
            Ok(s) => {
                return Ok(Redirect::to(&format!("/societies/{}?msg=saved", s.id)).into_response())
            }
            Err(e) => save_error(&u, &mut f, e)?,
        }
    }
    render_form(&st, &u, Some(s), f, StatusCode::UNPROCESSABLE_ENTITY, None).await
}

pub async fn delete(
    State(st): State<AppState>,
    Item { u, id }: Item,
) -> Result<Response, PageError> {
    st.store.get_society(u.scope(), id).await.or_page(&u)?;
    let actor = u.may(Permission::EditRegistry)?;
    st.store
        .delete_society(&actor, u.scope(), id)
        .await
        .or_page(&u)?;
    Ok(Redirect::to("/societies?msg=deleted").into_response())
}
