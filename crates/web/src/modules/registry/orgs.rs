//! The party-org tree and its forms.

use domain::policy::Permission;
use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use domain::{Grade, OrgKind, PartyOrg, PartyOrgInput, PartyOrgPatch};
use store::StoreError;

use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::i18n::Lang;
use crate::AppState;

use crate::modules::registry::societies::save_error;
use crate::platform::session::{Flash, Item, OrPage, PageError, PageUser};
use crate::ui::ctx::{html, Ctx, FormState};

/// An org in a drop-down, indented by depth.
pub struct OrgOption {
    pub id: String,
    pub label: String,
}

/// The orgs in depth-first order with their depth; roots are orgs whose parent is not in
/// the list. Children in id order.
pub fn tree_order(orgs: &[PartyOrg]) -> Vec<(usize, &PartyOrg)> {
    let ids: std::collections::HashSet<i64> = orgs.iter().map(|o| o.id).collect();
    let mut children: HashMap<Option<i64>, Vec<&PartyOrg>> = HashMap::new();
    for o in orgs {
        let parent = o.parent_id.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(o);
    }
    for v in children.values_mut() {
        v.sort_by_key(|o| o.id);
    }
    let mut out = Vec::with_capacity(orgs.len());
    let mut stack: Vec<(usize, &PartyOrg)> = children
        .get(&None)
        .map(|v| v.iter().rev().map(|o| (0, *o)).collect())
        .unwrap_or_default();
    while let Some((depth, o)) = stack.pop() {
        out.push((depth, o));
        if let Some(kids) = children.get(&Some(o.id)) {
            stack.extend(kids.iter().rev().map(|k| (depth + 1, *k)));
        }
    }
    out
}

/// Above this many orgs in scope a form offers no drop-down (it would be megabytes) but an
/// id field; the org tree page helps find the id.
pub const ORG_SELECT_MAX: i64 = 300;

/// Every org in scope when there are few enough to choose from a list, else `None`.
pub async fn org_choices(
    st: &AppState,
    scope: &store::Scope,
) -> Result<Option<Vec<PartyOrg>>, StoreError> {
    if st.store.org_count(scope).await? > ORG_SELECT_MAX {
        return Ok(None);
    }
    st.store.all_orgs(scope).await.map(Some)
}

pub fn org_options(orgs: &[PartyOrg], lang: Lang) -> Vec<OrgOption> {
    tree_order(orgs)
        .into_iter()
        .map(|(depth, o)| OrgOption {
            id: o.id.to_string(),
            label: format!(
                "{}{}（{}）",
                "　".repeat(depth.min(8)),
                o.name,
                lang.code_label("org_kind", o.kind.as_str())
            ),
        })
        .collect()
}

/// A node of the tree as the page shows it.
pub struct Node {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub secretary: String,
    pub term_end: String,
    /// `expired`, `expiring` or empty.
    pub term_state: &'static str,
    pub members: String,
    pub grade: String,
    pub societies: i64,
    /// Child orgs, shown as a drill-down link in the large-tree view (0 in the full tree).
    pub children: i64,
    pub open: bool,
}

/// The tree flattened into open/leaf/close steps, so the template needs no recursion.
pub enum Step {
    Open(Node),
    Leaf(Node),
    Close,
}

#[derive(Template)]
#[template(path = "registry/orgs.html")]
struct TreePage {
    ctx: Ctx,
    steps: Vec<Step>,
    total_text: String,
    may_edit: bool,
    /// Set when the tree is too large to show whole: one level (or search results) at a time.
    drill: Option<Drill>,
}

/// One level of a large tree: the children of `parent`, or the orgs matching `q`.
pub struct Drill {
    pub q: String,
    /// The ancestors of the level shown, root first: (name, link).
    pub path: Vec<(String, String)>,
    pub heading: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// Above this many orgs the page shows the tree a level at a time (national deployments hold
/// tens of thousands; one page with all of them would be tens of megabytes).
const TREE_MAX: i64 = 2000;
const LEVEL_PAGE: i64 = 100;

fn node_of(
    o: &PartyOrg,
    lang: Lang,
    today: NaiveDate,
    warn: i64,
    societies: i64,
    children: i64,
    open: bool,
) -> Node {
    Node {
        id: o.id,
        name: o.name.clone(),
        kind: lang.code_label("org_kind", o.kind.as_str()),
        secretary: o.secretary.clone().unwrap_or_default(),
        term_end: o.term_ends_on.map(|d| lang.date(d)).unwrap_or_default(),
        term_state: term_state(o.term_ends_on, today, warn),
        members: lang.tf(
            "orgs.members_fmt",
            &[
                &o.full_members.to_string(),
                &o.probationary_members.to_string(),
            ],
        ),
        grade: o.grade.map(|g| g.as_str().to_string()).unwrap_or_default(),
        societies,
        children,
        open,
    }
}

pub fn term_state(end: Option<NaiveDate>, today: NaiveDate, warn_days: i64) -> &'static str {
    match end {
        Some(e) if e < today => "expired",
        Some(e) if (e - today).num_days() <= warn_days => "expiring",
        _ => "",
    }
}

pub async fn tree(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let lang = u.lang;
    let mut p = p.ok();
    let msg = p.as_ref().and_then(|p| p.str("msg").map(str::to_string));
    let scope = u.scope().clone();
    let q = p.as_ref().and_then(|p| p.str("q").map(str::to_string));
    let parent = p.as_mut().and_then(|p| p.i64("parent_id"));
    let page = p.as_mut().and_then(|p| p.i64("page")).unwrap_or(1).max(1);
    let total = st.store.org_count(&scope).await.or_page(&u)?;
    if total > TREE_MAX || q.is_some() || parent.is_some() {
        return level(&st, &u, msg, total, q, parent, page).await;
    }
    let (orgs, facts) =
        tokio::try_join!(st.store.all_orgs(&scope), st.store.society_facts(&scope)).or_page(&u)?;
    let mut covered: HashMap<i64, i64> = HashMap::new();
    for f in &facts {
        if let Some(o) = f.party_org_id {
            *covered.entry(o).or_default() += 1;
        }
    }
    let today = st.clock.today();
    let warn = st.config.rules.term_warning_days;
    let ordered = tree_order(&orgs);
    let mut steps = Vec::with_capacity(ordered.len() * 2);
    let mut open_depths: Vec<usize> = Vec::new();
    for (i, (depth, o)) in ordered.iter().enumerate() {
        while open_depths.last().is_some_and(|d| *d >= *depth) {
            open_depths.pop();
            steps.push(Step::Close);
        }
        let has_children = ordered
            .get(i + 1)
            .is_some_and(|(next_depth, _)| *next_depth > *depth);
        let societies = covered.get(&o.id).copied().unwrap_or(0);
        let node = node_of(o, lang, today, warn, societies, 0, *depth < 2);
        if has_children {
            open_depths.push(*depth);
            steps.push(Step::Open(node));
        } else {
            steps.push(Step::Leaf(node));
        }
    }
    for _ in open_depths {
        steps.push(Step::Close);
    }
    Ok(tree_page(&u, msg, steps, orgs.len() as i64, None))
}

fn tree_page(
    u: &PageUser,
    msg: Option<String>,
    steps: Vec<Step>,
    total: i64,
    drill: Option<Drill>,
) -> Response {
    html(
        StatusCode::OK,
        &TreePage {
            ctx: u.section_ctx("orgs").with_flash(msg.as_deref()),
            steps,
            total_text: u.lang.tf("orgs.total", &[&crate::ui::ctx::group(total)]),
            may_edit: u.may_edit(),
            drill,
        },
    )
}

/// The top of the caller's tree: its own org, or the root committee.
async fn top_org(st: &AppState, u: &PageUser) -> Result<Option<i64>, PageError> {
    if let store::Scope::Subtree { root, .. } = u.scope() {
        return Ok(Some(*root));
    }
    let roots = st
        .store
        .list_orgs(
            u.scope(),
            &store::OrgFilter {
                kind: Some(OrgKind::Committee),
                ..Default::default()
            },
            store::PageReq {
                page: 1,
                per_page: 50,
            },
        )
        .await
        .or_page(u)?;
    Ok(roots
        .items
        .iter()
        .find(|o| o.parent_id.is_none())
        .map(|o| o.id))
}

/// One level of a large tree (the children of `parent`, by default of the top org), or the
/// orgs whose name contains `q`; a page of `LEVEL_PAGE` at a time.
async fn level(
    st: &AppState,
    u: &PageUser,
    msg: Option<String>,
    total: i64,
    q: Option<String>,
    parent: Option<i64>,
    page: i64,
) -> Result<Response, PageError> {
    let lang = u.lang;
    let scope = u.scope();
    let parent = match (&q, parent) {
        (Some(_), _) => None,
        (None, Some(p)) => Some(p),
        (None, None) => top_org(st, u).await?,
    };
    // The ancestors from the top of the scope down to the level's parent.
    let mut path = Vec::new();
    let mut cursor = parent;
    while let Some(id) = cursor {
        match st.store.get_org(scope, id).await {
            Ok(o) => {
                cursor = o.parent_id;
                path.push(o);
            }
            Err(StoreError::NotFound) if !path.is_empty() => break,
            Err(e) => return Err(u.error(e).into()),
        }
        if path.len() > 50 {
            break;
        }
    }
    path.reverse();
    let filter = store::OrgFilter {
        q: q.clone(),
        parent_id: parent.filter(|_| q.is_none()),
        ..Default::default()
    };
    let listed = st
        .store
        .list_orgs(
            scope,
            &filter,
            store::PageReq {
                page,
                per_page: LEVEL_PAGE,
            },
        )
        .await
        .or_page(u)?;
    let mut ids: Vec<i64> = listed.items.iter().map(|o| o.id).collect();
    ids.extend(path.last().map(|o| o.id));
    let counts = st.store.org_counts(&ids).await.or_page(u)?;
    let today = st.clock.today();
    let warn = st.config.rules.term_warning_days;
    let count = |id: i64| counts.get(&id).copied().unwrap_or((0, 0));
    let mut steps = Vec::new();
    if let Some(top) = path.last().filter(|_| q.is_none()) {
        let (_, societies) = count(top.id);
        steps.push(Step::Open(node_of(
            top, lang, today, warn, societies, 0, true,
        )));
    }
    for o in &listed.items {
        let (children, societies) = count(o.id);
        steps.push(Step::Leaf(node_of(
            o, lang, today, warn, societies, children, false,
        )));
    }
    if q.is_none() && !path.is_empty() {
        steps.push(Step::Close);
    }
    let link = |pg: i64| {
        let mut s = format!("/orgs?page={pg}");
        if let Some(q) = &q {
            s.push_str(&format!("&q={}", crate::ui::ctx::url_encode(q)));
        } else if let Some(pid) = parent {
            s.push_str(&format!("&parent_id={pid}"));
        }
        s
    };
    let pages = (listed.total + LEVEL_PAGE - 1) / LEVEL_PAGE;
    let heading = match (&q, path.last()) {
        (Some(q), _) => lang.tf(
            "orgs.search_results",
            &[q, &crate::ui::ctx::group(listed.total)],
        ),
        (None, Some(o)) => lang.tf(
            "orgs.children_of",
            &[&o.name, &crate::ui::ctx::group(listed.total)],
        ),
        (None, None) => lang.tf("orgs.total", &[&crate::ui::ctx::group(listed.total)]),
    };
    let drill = Drill {
        q: q.clone().unwrap_or_default(),
        path: path
            .iter()
            .map(|o| (o.name.clone(), format!("/orgs?parent_id={}", o.id)))
            .collect(),
        heading,
        prev: (page > 1).then(|| link(page - 1)),
        next: (page < pages).then(|| link(page + 1)),
    };
    Ok(tree_page(u, msg, steps, total, Some(drill)))
}

// ------------------------------------------------------------------ the form

#[derive(Template)]
#[template(path = "registry/org_form.html")]
struct FormPage {
    ctx: Ctx,
    o: Option<PartyOrg>,
    f: FormState,
    /// `None`: too many orgs for a list; the form takes an id.
    parents: Option<Vec<OrgOption>>,
    kinds: Vec<(&'static str, &'static str)>,
    grades: &'static [&'static str],
    societies: i64,
    societies_text: String,
    term_state: &'static str,
    may_edit: bool,
    is_admin: bool,
    /// A message above the form (a refused delete).
    alert: Option<String>,
}

fn values_of(o: &PartyOrg) -> FormState {
    let mut f = FormState::default();
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    f.set("name", &o.name);
    f.set("kind", o.kind.as_str());
    f.set(
        "parent_id",
        o.parent_id.map(|i| i.to_string()).unwrap_or_default(),
    );
    f.set("secretary", o.secretary.clone().unwrap_or_default());
    f.set("secretary_joined_on", date(o.secretary_joined_on));
    if o.secretary_cross_appointed {
        f.set("secretary_cross_appointed", "on");
    }
    f.set("established_on", date(o.established_on));
    f.set("term_ends_on", date(o.term_ends_on));
    f.set("full_members", o.full_members.to_string());
    f.set("probationary_members", o.probationary_members.to_string());
    f.set(
        "grade",
        o.grade.map(|g| g.as_str().to_string()).unwrap_or_default(),
    );
    f
}

fn patch_of(f: &mut FormState, base: Option<&PartyOrgInput>, lang: Lang) -> PartyOrgPatch {
    let full = f.int("full_members", Some(0), lang);
    let prob = f.int("probationary_members", Some(0), lang);
    let parent = f.opt_id("parent_id", lang);
    let patch = PartyOrgPatch {
        name: Some(f.v("name").to_string()),
        kind: Some(f.v("kind").to_string()),
        parent_id: Some(parent),
        secretary: Some(f.opt("secretary")),
        secretary_joined_on: Some(f.opt("secretary_joined_on")),
        secretary_cross_appointed: Some(f.checked("secretary_cross_appointed")),
        established_on: Some(f.opt("established_on")),
        term_ends_on: Some(f.opt("term_ends_on")),
        full_members: Some(full.unwrap_or(0)),
        probationary_members: Some(prob.unwrap_or(0)),
        grade: Some(f.opt("grade")),
        grade_reason: f.opt("grade_reason"),
        ..Default::default()
    };
    if let Err(e) = patch.apply(base) {
        f.store_errors(&e, lang);
    }
    patch
}

struct FormArgs<'a> {
    o: Option<PartyOrg>,
    f: FormState,
    status: StatusCode,
    msg: Option<&'a str>,
    alert: Option<String>,
}

async fn render_form(st: &AppState, u: &PageUser, a: FormArgs<'_>) -> Result<Response, PageError> {
    let lang = u.lang;
    let scope = u.scope().clone();
    let orgs = org_choices(st, &scope).await.or_page(u)?;
    let societies = match &a.o {
        Some(o) => {
            st.store
                .list_societies(
                    &scope,
                    &store::SocietyFilter {
                        party_org_id: Some(o.id),
                        ..Default::default()
                    },
                    store::PageReq {
                        page: 1,
                        per_page: 1,
                    },
                )
                .await
                .or_page(u)?
                .total
        }
        None => 0,
    };
    // An org cannot move under itself or its subtree: leave those out of the parent list.
    let parents: Option<Vec<PartyOrg>> = orgs.map(|orgs| match &a.o {
        Some(me) => {
            let mut excluded = std::collections::HashSet::from([me.id]);
            for (_, o) in tree_order(&orgs) {
                if o.parent_id.is_some_and(|p| excluded.contains(&p)) {
                    excluded.insert(o.id);
                }
            }
            orgs.into_iter()
                .filter(|o| !excluded.contains(&o.id))
                .collect()
        }
        None => orgs,
    });
    let title = match &a.o {
        Some(o) => o.name.clone(),
        None => lang.t("page.org.new").to_string(),
    };
    let ctx = u.item_ctx("orgs", title).with_flash(a.msg);
    let term_state =
        a.o.as_ref()
            .map(|o| {
                term_state(
                    o.term_ends_on,
                    st.clock.today(),
                    st.config.rules.term_warning_days,
                )
            })
            .unwrap_or("");
    let page = FormPage {
        ctx,
        o: a.o,
        f: a.f,
        parents: parents.map(|p| org_options(&p, lang)),
        kinds: OrgKind::CODES
            .iter()
            .map(|c| (*c, lang.code_label("org_kind", c)))
            .collect(),
        grades: Grade::CODES,
        societies,
        societies_text: lang.tf("unit.societies", &[&crate::ui::ctx::group(societies)]),
        term_state,
        may_edit: u.may_edit(),
        is_admin: u.is_admin(),
        alert: a.alert,
    };
    Ok(html(a.status, &page))
}

pub async fn new_form(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    u.may(Permission::EditRegistry)?;
    let mut f = FormState::default();
    f.set("kind", OrgKind::Branch.as_str());
    f.set("full_members", "0");
    f.set("probationary_members", "0");
    if let Some(parent) = p.ok().and_then(|p| p.str("parent_id").map(str::to_string)) {
        f.set("parent_id", parent);
    } else if let store::Scope::Subtree { root, .. } = u.scope() {
        f.set("parent_id", root.to_string());
    }
    let a = FormArgs {
        o: None,
        f,
        status: StatusCode::OK,
        msg: None,
        alert: None,
    };
    render_form(&st, &u, a).await
}

pub async fn create(
    State(st): State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let actor = u.may(Permission::EditRegistry)?;
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let patch = patch_of(&mut f, None, u.lang);
    if f.ok() {
        match st.store.create_org(&actor, u.scope(), &patch).await {
            Ok(o) => {
                return Ok(Redirect::to(&format!("/orgs/{}?msg=created", o.id)).into_response())
            }
            Err(e) => save_error(&u, &mut f, e)?,
        }
    }
    let a = FormArgs {
        o: None,
        f,
        status: StatusCode::UNPROCESSABLE_ENTITY,
        msg: None,
        alert: None,
    };
    render_form(&st, &u, a).await
}

pub async fn show(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let o = st.store.get_org(u.scope(), id).await.or_page(&u)?;
    let a = FormArgs {
        f: values_of(&o),
        o: Some(o),
        status: StatusCode::OK,
        msg: msg.as_deref(),
        alert: None,
    };
    render_form(&st, &u, a).await
}

pub async fn update(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let o = st.store.get_org(u.scope(), id).await.or_page(&u)?;
    let actor = u.may(Permission::EditRegistry)?;
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let base = PartyOrgInput::from(&o);
    let patch = patch_of(&mut f, Some(&base), u.lang);
    if f.ok() {
        match st.store.update_org(&actor, u.scope(), id, &patch).await {
            Ok(o) => return Ok(Redirect::to(&format!("/orgs/{}?msg=saved", o.id)).into_response()),
            Err(e) => save_error(&u, &mut f, e)?,
        }
    }
    let a = FormArgs {
        o: Some(o),
        f,
        status: StatusCode::UNPROCESSABLE_ENTITY,
        msg: None,
        alert: None,
    };
    render_form(&st, &u, a).await
}

pub async fn delete(
    State(st): State<AppState>,
    Item { u, id }: Item,
) -> Result<Response, PageError> {
    let o = st.store.get_org(u.scope(), id).await.or_page(&u)?;
    let actor = u.may(Permission::EditRegistry)?;
    match st.store.delete_org(&actor, u.scope(), id).await {
        Ok(()) => Ok(Redirect::to("/orgs?msg=deleted").into_response()),
        Err(StoreError::InUse(what)) => {
            let alert = u.lang.t(&format!("error.in_use.{what}")).to_string();
            let a = FormArgs {
                f: values_of(&o),
                o: Some(o),
                status: StatusCode::CONFLICT,
                msg: None,
                alert: Some(alert),
            };
            render_form(&st, &u, a).await
        }
        Err(e) => Err(u.error(e).into()),
    }
}
