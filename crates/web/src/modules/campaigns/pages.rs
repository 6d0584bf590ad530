//! M7 pages: the campaigns list with each one's progress, a campaign's page (the big
//! progress figure, participants by parent org, the places reported to, the records with
//! their photos, and a branch's one-tap "我们报到了" and "记一次服务" on a phone), a record's
//! page with its photos, the campaign form, and the exports of participants and records.
//!
//! Figures: the big figure of a campaign is the whole campaign's (participants of every
//! org against the campaign's one target) for every role — a target of 100 orgs means
//! nothing against one branch's subtree. A branch sees besides it its own part (whether its
//! org has reported, its subtree's participants and records); its lists keep to its scope.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use domain::campaigns::{CampaignInput, CampaignKind, ParticipantInput, RecordInput};
use domain::policy::Permission;
use domain::{FieldError, Role};
use store::attachments::{Attachment, AttachmentOwner};
use store::campaigns::{Campaign, CampaignFilter, CampaignRecord, Participant, Progress};
use store::{PageReq, Scope, StoreError};

use crate::modules::registry::orgs::{org_options, OrgOption, ORG_SELECT_MAX};
use crate::platform::attachments::accept_file;
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::files;
use crate::platform::session::{Flash, Item, OrPage, PageError, PageUser};
use crate::ui::ctx::{html, parse_id, percent, Ctx, FormState};
use crate::ui::list::{kept, Pager};
use crate::AppState;

use super::sheets;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list).post(create))
        .route("/campaigns/new", get(new_form))
        .route("/campaigns/{id}", get(show))
        .route("/campaigns/{id}/edit", get(edit_form).post(update))
        .route("/campaigns/{id}/participants", post(join))
        .route(
            "/campaigns/{id}/participants.xlsx",
            get(sheets::export_participants),
        )
        .route("/campaigns/{id}/records", post(create_record))
        .route("/campaigns/{id}/records/new", get(new_record))
        .route("/campaigns/{id}/records.xlsx", get(sheets::export_records))
        .route(
            "/campaign-records/{id}",
            get(show_record).post(update_record),
        )
        .route("/campaign-records/{id}/delete", post(delete_record))
        .route(
            "/campaign-records/{id}/attachments/{attachment_id}/delete",
            post(delete_attachment),
        )
        .layer(DefaultBodyLimit::disable())
}

/// Files one submit of the record form may carry.
const MAX_FILES: usize = 20;
/// Campaigns a page of the list shows.
const LIST_PER_PAGE: i64 = 20;
/// Records a page of the campaign shows.
const RECORDS_PER_PAGE: i64 = 10;
/// Thumbnails of one record on the campaign's page (all of them on the record's).
const PHOTOS_SHOWN: usize = 6;
/// Places listed before "另有 N 处".
const PLACES_SHOWN: usize = 20;

fn may_manage(u: &PageUser) -> bool {
    u.allowed(Permission::ManageCampaigns)
}

fn may_record(u: &PageUser) -> bool {
    u.allowed(Permission::RecordCampaignWork)
}

/// A branch's secretary on a phone: the one-tap actions for its own org.
fn is_branch(u: &PageUser) -> bool {
    u.role() == Role::Branch && u.session.user.party_org_id.is_some()
}

fn kinds(u: &PageUser) -> Vec<(&'static str, &'static str)> {
    CampaignKind::CODES
        .iter()
        .map(|c| (*c, u.lang.code_label("campaign_kind", c)))
        .collect()
}

/// The notice of a page sent back after a write (`?msg=…`): the layout's, or this
/// module's own.
fn flash(ctx: Ctx, msg: Option<&str>) -> Ctx {
    match msg {
        Some(m @ ("joined" | "recorded")) => {
            let text = ctx.t(&format!("campaign.flash.{m}")).to_string();
            ctx.with_notice(text)
        }
        other => ctx.with_flash(other),
    }
}

/// The campaign's participants in scope, in tree order.
pub(super) async fn all_participants(
    st: &AppState,
    scope: &Scope,
    id: i64,
) -> Result<Vec<Participant>, StoreError> {
    store::all_pages(|p| st.store.list_participants(scope, id, p)).await
}

// ------------------------------------------------------------------------- figures

/// A progress as the pages show it.
pub struct Figures {
    pub participants: i64,
    pub target: i64,
    pub active: i64,
    pub records: i64,
    /// `63.0` (percent of the target), empty without a target.
    pub rate: String,
    /// The bar's value: the participants, at most the target.
    pub bar: i64,
}

impl Figures {
    fn of(p: &Progress) -> Figures {
        Figures {
            participants: p.participants,
            target: p.target,
            active: p.active,
            records: p.records,
            rate: if p.target > 0 {
                percent(p.rate)
            } else {
                String::new()
            },
            bar: p.participants.min(p.target),
        }
    }
}

/// Where a campaign stands on a day.
fn state_of(c: &Campaign, today: NaiveDate) -> &'static str {
    if today < c.starts_on {
        "upcoming"
    } else if today > c.ends_on {
        "ended"
    } else {
        "open"
    }
}

/// The day a form's date starts at: today, kept within the campaign's days.
fn default_day(c: &Campaign, today: NaiveDate) -> NaiveDate {
    today.clamp(c.starts_on, c.ends_on)
}

// ---------------------------------------------------------------------------- list

pub struct Row {
    pub c: Campaign,
    pub state: &'static str,
    pub state_label: &'static str,
    pub fig: Figures,
    /// A branch's own part: its subtree's participants and records.
    pub own: Option<Figures>,
}

#[derive(Template)]
#[template(path = "campaigns/list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Row>,
    pager: Pager,
    f: FormState,
    kinds: Vec<(&'static str, &'static str)>,
    may_manage: bool,
    branch: bool,
}

async fn list(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let mut filter: CampaignFilter = p.filter();
    let today = st.clock.today();
    // "只看进行中" is the filter `open_on` today (kept so in the pages' links)
    let open = matches!(p.str("open"), Some("1" | "on" | "true")) || filter.open_on == Some(today);
    let mut page = p.page();
    if p.str("per_page").is_none() {
        page.per_page = LIST_PER_PAGE;
    }
    let mut f = kept::<CampaignFilter>(&p);
    p.finish().map_err(|e| u.error(e))?;
    if open {
        filter.open_on = Some(today);
        f.set("open_on", today.to_string());
        f.set("open", "1");
    }
    let res = st.store.list_campaigns(&filter, page).await.or_page(&u)?;
    let branch = is_branch(&u);
    let mut rows = Vec::with_capacity(res.items.len());
    for c in &res.items {
        let whole = st
            .store
            .campaign_progress(&Scope::All, c.id, None)
            .await
            .or_page(&u)?;
        let own = if branch {
            let p = st
                .store
                .campaign_progress(u.scope(), c.id, None)
                .await
                .or_page(&u)?;
            Some(Figures::of(&p))
        } else {
            None
        };
        let state = state_of(c, today);
        rows.push(Row {
            state,
            state_label: u.lang.t(&format!("campaign.state.{state}")),
            fig: Figures::of(&whole),
            own,
            c: c.clone(),
        });
    }
    let pager = Pager::of::<CampaignFilter>(
        u.lang,
        ("/campaigns", "/campaigns"),
        &f,
        page,
        res.total,
        rows.len(),
    );
    let page = ListPage {
        ctx: flash(u.section_ctx("campaigns"), msg.as_deref()),
        rows,
        pager,
        f,
        kinds: kinds(&u),
        may_manage: may_manage(&u),
        branch,
    };
    Ok(html(StatusCode::OK, &page))
}

// --------------------------------------------------------------------- the form

#[derive(Template)]
#[template(path = "campaigns/campaign_form.html")]
struct CampaignForm {
    ctx: Ctx,
    c: Option<Campaign>,
    f: FormState,
    kinds: Vec<(&'static str, &'static str)>,
}

fn campaign_values(c: &Campaign) -> FormState {
    let mut f = FormState::default();
    f.set("title", &c.title);
    f.set("kind", c.kind.as_str());
    f.set("starts_on", c.starts_on.to_string());
    f.set("ends_on", c.ends_on.to_string());
    f.set("target", c.target.to_string());
    f.set("description", c.description.clone().unwrap_or_default());
    f
}

fn render_campaign_form(
    u: &PageUser,
    c: Option<Campaign>,
    f: FormState,
    status: StatusCode,
) -> Response {
    let lang = u.lang;
    let ctx = match &c {
        Some(c) => u.sub_item_ctx(
            "campaigns",
            (c.title.clone(), format!("/campaigns/{}", c.id)),
            lang.t("campaign.edit_title").to_string(),
        ),
        None => u.item_ctx("campaigns", lang.t("campaign.new").to_string()),
    };
    let page = CampaignForm {
        ctx,
        c,
        f,
        kinds: kinds(u),
    };
    html(status, &page)
}

async fn new_form(State(st): State<AppState>, u: PageUser) -> Result<Response, PageError> {
    u.may(Permission::ManageCampaigns)?;
    let today = st.clock.today();
    let mut f = FormState::default();
    f.set("kind", CampaignKind::CommunityCheckIn.as_str());
    f.set("starts_on", today.to_string());
    f.set(
        "ends_on",
        NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 12, 31)
            .unwrap_or(today)
            .to_string(),
    );
    f.set("target", "100");
    Ok(render_campaign_form(&u, None, f, StatusCode::OK))
}

async fn edit_form(
    State(st): State<AppState>,
    Item { u, id }: Item,
) -> Result<Response, PageError> {
    let c = st.store.get_campaign(id).await.or_page(&u)?;
    u.may(Permission::ManageCampaigns)?;
    let f = campaign_values(&c);
    Ok(render_campaign_form(&u, Some(c), f, StatusCode::OK))
}

/// The form read into the API's input (a number that is not one is the form's error).
fn campaign_input(f: &mut FormState, u: &PageUser) -> CampaignInput {
    let target = f.int("target", None, u.lang);
    CampaignInput {
        title: Some(f.v("title").to_string()),
        kind: f.opt("kind"),
        starts_on: f.opt("starts_on"),
        ends_on: f.opt("ends_on"),
        target: target.or_else(|| f.opt("target").map(|_| 0)),
        description: f.opt("description"),
    }
}

async fn save_campaign(
    st: &AppState,
    u: &PageUser,
    id: Option<i64>,
    form: HashMap<String, String>,
) -> Result<Response, PageError> {
    let base = match id {
        Some(id) => Some(st.store.get_campaign(id).await.or_page(u)?),
        None => None,
    };
    let actor = u.may(Permission::ManageCampaigns)?;
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let input = campaign_input(&mut f, u);
    let checked = input.validate();
    if let Err(e) = &checked {
        f.store_errors(e, u.lang);
    }
    let (Ok(k), true) = (checked, f.ok()) else {
        return Ok(render_campaign_form(
            u,
            base,
            f,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let saved = match id {
        Some(id) => st.store.update_campaign(&actor, id, k).await,
        None => st.store.create_campaign(&actor, k).await,
    };
    match saved {
        Ok(c) => {
            let msg = if id.is_some() { "saved" } else { "created" };
            Ok(Redirect::to(&format!("/campaigns/{}?msg={msg}", c.id)).into_response())
        }
        Err(StoreError::Invalid(e)) => {
            f.store_errors(&e, u.lang);
            Ok(render_campaign_form(
                u,
                base,
                f,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(e) => Err(u.error(e).into()),
    }
}

async fn create(
    State(st): State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    save_campaign(&st, &u, None, form).await
}

async fn update(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    save_campaign(&st, &u, Some(id), form).await
}

// ------------------------------------------------------------------ a campaign's page

/// The participants under one parent org.
pub struct Group {
    pub name: String,
    pub members: Vec<Participant>,
}

/// A place reported to, with how many orgs reported there (`name` empty: not given).
pub struct Place {
    pub name: String,
    pub orgs: i64,
}

/// A record as the campaign's page lists it: its image attachments as thumbnails.
pub struct RecordRow {
    pub r: CampaignRecord,
    pub photos: Vec<Attachment>,
}

/// A branch's own part of the campaign.
pub struct Own {
    /// Its own org's participation.
    pub joined: Option<Participant>,
    /// Its subtree's participants and records.
    pub fig: Figures,
}

#[derive(Template)]
#[template(path = "campaigns/campaign.html")]
struct CampaignPage {
    ctx: Ctx,
    c: Campaign,
    state: &'static str,
    state_label: &'static str,
    fig: Figures,
    own: Option<Own>,
    groups: Vec<Group>,
    participants: usize,
    places: Vec<Place>,
    places_more: usize,
    records: Vec<RecordRow>,
    records_total: i64,
    prev: Option<String>,
    next: Option<String>,
    /// The join form: values and errors.
    jf: FormState,
    /// The orgs the join form offers (none: the branch's own, or an id field).
    join_orgs: Option<Vec<OrgOption>>,
    /// The branch's one-tap join is offered.
    show_join: bool,
    /// The "记一次服务" action is offered.
    show_record: bool,
    /// Admin and committee: the form that enters any org.
    show_add: bool,
    may_manage: bool,
}

/// Groups the participants under their parent org (in tree order); a participant whose
/// parent lies outside the scope (a branch's own org) heads its own group.
fn by_parent(parts: &[Participant], orgs: &[domain::PartyOrg]) -> Vec<Group> {
    let pos: HashMap<i64, (usize, &domain::PartyOrg)> = orgs
        .iter()
        .enumerate()
        .map(|(i, o)| (o.id, (i, o)))
        .collect();
    let mut groups: HashMap<i64, Vec<Participant>> = HashMap::new();
    for p in parts {
        let key = pos
            .get(&p.party_org_id)
            .and_then(|(_, o)| o.parent_id)
            .filter(|parent| pos.contains_key(parent))
            .unwrap_or(p.party_org_id);
        groups.entry(key).or_default().push(p.clone());
    }
    let mut out: Vec<(usize, Group)> = groups
        .into_iter()
        .map(|(key, members)| {
            let (i, name) = match pos.get(&key) {
                Some((i, o)) => (*i, o.name.clone()),
                None => (usize::MAX, members[0].party_org_name.clone()),
            };
            (i, Group { name, members })
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
    out.into_iter().map(|(_, g)| g).collect()
}

/// The distinct places, most orgs first; those who named none last.
fn places(parts: &[Participant]) -> Vec<Place> {
    let mut m: HashMap<String, i64> = HashMap::new();
    for p in parts {
        let name = p.place.as_deref().map(str::trim).unwrap_or("").to_string();
        *m.entry(name).or_default() += 1;
    }
    let mut out: Vec<Place> = m
        .into_iter()
        .map(|(name, orgs)| Place { name, orgs })
        .collect();
    out.sort_by(|a, b| {
        a.name
            .is_empty()
            .cmp(&b.name.is_empty())
            .then(b.orgs.cmp(&a.orgs))
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}

/// A record's image attachments (those a browser shows; HEIC is listed, not shown).
pub(super) fn photos_of(all: Vec<Attachment>) -> Vec<Attachment> {
    all.into_iter()
        .filter(|a| a.content_type.starts_with("image/") && a.content_type != "image/heic")
        .collect()
}

async fn render_campaign(
    st: &AppState,
    u: &PageUser,
    id: i64,
    page_no: i64,
    jf: FormState,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let c = st.store.get_campaign(id).await.or_page(u)?;
    let today = st.clock.today();
    let whole = st
        .store
        .campaign_progress(&Scope::All, id, None)
        .await
        .or_page(u)?;
    let parts = all_participants(st, u.scope(), id).await.or_page(u)?;
    let orgs = st.store.all_orgs(u.scope()).await.or_page(u)?;
    let branch = is_branch(u);
    let own = if branch {
        let mine = st
            .store
            .campaign_progress(u.scope(), id, None)
            .await
            .or_page(u)?;
        let me = u.session.user.party_org_id;
        Some(Own {
            joined: parts.iter().find(|p| Some(p.party_org_id) == me).cloned(),
            fig: Figures::of(&mine),
        })
    } else {
        None
    };
    let req = PageReq {
        page: page_no.max(1),
        per_page: RECORDS_PER_PAGE,
    };
    let recs = st
        .store
        .list_records(u.scope(), id, &Default::default(), req)
        .await
        .or_page(u)?;
    let mut records = Vec::with_capacity(recs.items.len());
    for r in recs.items {
        let photos = if r.attachments > 0 {
            photos_of(
                st.store
                    .list_attachments(u.scope(), AttachmentOwner::CampaignRecord, r.id)
                    .await
                    .or_page(u)?,
            )
        } else {
            Vec::new()
        };
        let mut photos = photos;
        photos.truncate(PHOTOS_SHOWN);
        records.push(RecordRow { r, photos });
    }
    let pages = (recs.total + req.per_page - 1) / req.per_page;
    let link = |n: i64| format!("/campaigns/{id}?page={n}#records");
    let state = state_of(&c, today);
    let writer = may_record(u);
    let started = today >= c.starts_on;
    // A branch's join offers its subtree's orgs not yet taking part, its own first; the
    // office and the committee pick any org.
    let taken: std::collections::HashSet<i64> = parts.iter().map(|p| p.party_org_id).collect();
    let join_orgs = if branch {
        let free: Vec<domain::PartyOrg> = orgs
            .iter()
            .filter(|o| !taken.contains(&o.id))
            .cloned()
            .collect();
        (free.len() > 1).then(|| org_options(&free, u.lang))
    } else {
        // a select while the orgs are few (as `org_choices`), else the id field
        (orgs.len() as i64 <= ORG_SELECT_MAX).then(|| {
            let free: Vec<domain::PartyOrg> = orgs
                .iter()
                .filter(|o| !taken.contains(&o.id))
                .cloned()
                .collect();
            org_options(&free, u.lang)
        })
    };
    // The one-tap form carries the branch's own org (a failed post for another is not
    // sent again by tapping once more).
    let mut jf = jf;
    if branch && join_orgs.is_none() {
        if let Some(me) = u.session.user.party_org_id {
            jf.set("party_org_id", me.to_string());
        }
    }
    let show_join =
        writer && branch && state == "open" && own.as_ref().is_some_and(|o| o.joined.is_none());
    let show_record = writer && started && !parts.is_empty();
    let show_add = writer && !branch;
    let groups = by_parent(&parts, &orgs);
    let mut places = places(&parts);
    let places_more = places.len().saturating_sub(PLACES_SHOWN);
    places.truncate(PLACES_SHOWN);
    let lang = u.lang;
    let ctx = u.item_ctx("campaigns", c.title.clone());
    let page = CampaignPage {
        ctx: flash(ctx, msg),
        state_label: lang.t(&format!("campaign.state.{state}")),
        state,
        fig: Figures::of(&whole),
        own,
        participants: parts.len(),
        groups,
        places,
        places_more,
        records,
        records_total: recs.total,
        prev: (req.page > 1).then(|| link(req.page - 1)),
        next: (req.page < pages).then(|| link(req.page + 1)),
        jf,
        join_orgs,
        show_join,
        show_record,
        show_add,
        may_manage: may_manage(u),
        c,
    };
    Ok(html(status, &page))
}

/// The join form as it starts: the user's own org, today.
fn join_values(u: &PageUser, today: NaiveDate) -> FormState {
    let mut jf = FormState::default();
    if is_branch(u) {
        if let Some(org) = u.session.user.party_org_id {
            jf.set("party_org_id", org.to_string());
        }
    }
    jf.set("joined_on", today.to_string());
    jf
}

async fn show(
    State(st): State<AppState>,
    Item { u, id }: Item,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let page = p.i64("page").unwrap_or(1);
    let msg = p.str("msg").map(str::to_string);
    p.finish().map_err(|e| u.error(e))?;
    let c = st.store.get_campaign(id).await.or_page(&u)?;
    let jf = join_values(&u, default_day(&c, st.clock.today()));
    render_campaign(&st, &u, id, page, jf, StatusCode::OK, msg.as_deref()).await
}

/// `POST /campaigns/{id}/participants`: "我们报到了", or the office entering an org.
/// An org outside the scope (403), a second entry (409) or bad input (422) is shown at
/// the form, and nothing is written.
async fn join(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let c = st.store.get_campaign(id).await.or_page(&u)?;
    let actor = u.may(Permission::RecordCampaignWork)?;
    let lang = u.lang;
    let mut jf = FormState {
        values: form,
        ..Default::default()
    };
    let org = jf.opt_id("party_org_id", lang);
    let input = ParticipantInput {
        party_org_id: org,
        joined_on: jf.opt("joined_on"),
        place: jf.opt("place"),
    };
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    match input.validate(c.days()) {
        Ok(p) if jf.ok() => match st.store.add_participant(&actor, u.scope(), id, p).await {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/campaigns/{id}?msg=joined")).into_response())
            }
            Err(StoreError::Invalid(e)) => jf.store_errors(&e, lang),
            Err(StoreError::Forbidden) => {
                status = StatusCode::FORBIDDEN;
                jf.error("party_org_id", lang.t("campaign.not_in_scope"));
            }
            Err(StoreError::Conflict(_)) => {
                status = StatusCode::CONFLICT;
                jf.error("party_org_id", lang.t("campaign.already_joined"));
            }
            Err(e) => return Err(u.error(e).into()),
        },
        Ok(_) => {}
        Err(e) => jf.store_errors(&e, lang),
    }
    render_campaign(&st, &u, id, 1, jf, status, None).await
}

// ---------------------------------------------------------------------- a record

#[derive(Template)]
#[template(path = "campaigns/record.html")]
struct RecordPage {
    ctx: Ctx,
    c: Campaign,
    r: Option<CampaignRecord>,
    attachments: Vec<Attachment>,
    f: FormState,
    /// The participants the record may be of (one: shown, not chosen).
    orgs: Vec<(String, String)>,
    may_record: bool,
    max_mb: usize,
    min_day: String,
    max_day: String,
}

fn record_values(r: &CampaignRecord) -> FormState {
    let mut f = FormState::default();
    f.set("party_org_id", r.party_org_id.to_string());
    f.set("held_on", r.held_on.to_string());
    f.set("title", &r.title);
    f.set(
        "participants",
        r.participants.map(|n| n.to_string()).unwrap_or_default(),
    );
    f.set("notes", r.notes.clone().unwrap_or_default());
    f
}

async fn render_record(
    st: &AppState,
    u: &PageUser,
    c: Campaign,
    r: Option<CampaignRecord>,
    f: FormState,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let attachments = match &r {
        Some(r) => st
            .store
            .list_attachments(u.scope(), AttachmentOwner::CampaignRecord, r.id)
            .await
            .or_page(u)?,
        None => Vec::new(),
    };
    let parts = all_participants(st, u.scope(), c.id).await.or_page(u)?;
    let mut orgs: Vec<(String, String)> = parts
        .iter()
        .map(|p| (p.party_org_id.to_string(), p.party_org_name.clone()))
        .collect();
    if let Some(r) = &r {
        if !parts.iter().any(|p| p.party_org_id == r.party_org_id) {
            orgs.push((r.party_org_id.to_string(), r.party_org_name.clone()));
        }
    }
    let lang = u.lang;
    let here = match &r {
        Some(r) => r.title.clone(),
        None => lang.t("campaign.record").to_string(),
    };
    let ctx = u.sub_item_ctx(
        "campaigns",
        (c.title.clone(), format!("/campaigns/{}", c.id)),
        here,
    );
    let today = st.clock.today();
    let page = RecordPage {
        ctx: flash(ctx, msg),
        r,
        attachments,
        f,
        orgs,
        may_record: may_record(u),
        max_mb: st.config.max_upload_bytes.div_ceil(1024 * 1024),
        min_day: c.starts_on.to_string(),
        max_day: today.min(c.ends_on).to_string(),
        c,
    };
    Ok(html(status, &page))
}

async fn new_record(
    State(st): State<AppState>,
    Item { u, id }: Item,
) -> Result<Response, PageError> {
    let c = st.store.get_campaign(id).await.or_page(&u)?;
    u.may(Permission::RecordCampaignWork)?;
    let mut f = FormState::default();
    f.set("held_on", default_day(&c, st.clock.today()).to_string());
    let own = u.session.user.party_org_id.filter(|_| is_branch(&u));
    let parts = all_participants(&st, u.scope(), id).await.or_page(&u)?;
    let pick = own
        .filter(|o| parts.iter().any(|p| p.party_org_id == *o))
        .or_else(|| (parts.len() == 1).then(|| parts[0].party_org_id));
    if let Some(org) = pick {
        f.set("party_org_id", org.to_string());
    }
    render_record(&st, &u, c, None, f, StatusCode::OK, None).await
}

/// Saves a record and its photos; a file that is no known type, bad input, an org outside
/// the scope or not taking part are errors at the form, and nothing is saved.
async fn save_record(
    st: &AppState,
    u: &PageUser,
    campaign_id: Option<i64>,
    id: Option<i64>,
    mp: Multipart,
) -> Result<Response, PageError> {
    let form = files::Form::read(mp, st.config.max_upload_bytes)
        .await
        .map_err(|e| u.error(e))?;
    let base = match id {
        Some(id) => Some(st.store.get_record(u.scope(), id).await.or_page(u)?),
        None => None,
    };
    let cid = base
        .as_ref()
        .map(|b| b.campaign_id)
        .or(campaign_id)
        .ok_or_else(|| u.not_found())?;
    let c = st.store.get_campaign(cid).await.or_page(u)?;
    let actor = u.may(Permission::RecordCampaignWork)?;
    let lang = u.lang;
    let mut f = FormState {
        values: form.fields,
        ..Default::default()
    };
    let org = f.opt_id("party_org_id", lang);
    let people = f.int("participants", None, lang);
    let input = RecordInput {
        party_org_id: org,
        held_on: f.opt("held_on"),
        title: Some(f.v("title").to_string()),
        participants: people,
        notes: f.opt("notes"),
    };
    let checked = input.validate(c.days(), st.clock.today());
    if let Err(e) = &checked {
        f.store_errors(e, lang);
    }
    if form.files.len() > MAX_FILES {
        f.error(
            "files",
            lang.field_error(&FieldError::TooLarge {
                max: MAX_FILES as i64,
            }),
        );
    }
    if form.files.iter().any(|(_, b)| files::sniff(b).is_none()) {
        f.error(
            "files",
            lang.field_error(&FieldError::UnknownValue {
                allowed: vec!["JPEG", "PNG", "HEIC", "PDF", "DOCX"],
            }),
        );
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Ok(k), true) = (checked, f.ok()) {
        let saved = match id {
            Some(id) => st.store.update_record(&actor, u.scope(), id, k).await,
            None => st.store.create_record(&actor, u.scope(), cid, k).await,
        };
        match saved {
            Ok(r) => {
                for (name, bytes) in form.files {
                    let new = accept_file(st, name.as_deref(), bytes)
                        .await
                        .map_err(|e| u.error(e))?;
                    st.store
                        .add_attachment(
                            &actor,
                            u.scope(),
                            AttachmentOwner::CampaignRecord,
                            r.id,
                            &new,
                        )
                        .await
                        .or_page(u)?;
                }
                let to = match id {
                    Some(id) => format!("/campaign-records/{id}?msg=saved"),
                    None => format!("/campaigns/{cid}?msg=recorded#records"),
                };
                return Ok(Redirect::to(&to).into_response());
            }
            Err(StoreError::Invalid(e)) => f.store_errors(&e, lang),
            Err(StoreError::Forbidden) => {
                status = StatusCode::FORBIDDEN;
                f.error("party_org_id", lang.t("campaign.not_in_scope"));
            }
            Err(e) => return Err(u.error(e).into()),
        }
    }
    render_record(st, u, c, base, f, status, None).await
}

async fn create_record(
    State(st): State<AppState>,
    Item { u, id }: Item,
    mp: Multipart,
) -> Result<Response, PageError> {
    save_record(&st, &u, Some(id), None, mp).await
}

async fn update_record(
    State(st): State<AppState>,
    Item { u, id }: Item,
    mp: Multipart,
) -> Result<Response, PageError> {
    save_record(&st, &u, None, Some(id), mp).await
}

async fn show_record(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let r = st.store.get_record(u.scope(), id).await.or_page(&u)?;
    let c = st.store.get_campaign(r.campaign_id).await.or_page(&u)?;
    let f = record_values(&r);
    render_record(&st, &u, c, Some(r), f, StatusCode::OK, msg.as_deref()).await
}

async fn delete_record(
    State(st): State<AppState>,
    Item { u, id }: Item,
) -> Result<Response, PageError> {
    let r = st.store.get_record(u.scope(), id).await.or_page(&u)?;
    let actor = u.may(Permission::RecordCampaignWork)?;
    st.store
        .delete_record(&actor, u.scope(), id)
        .await
        .or_page(&u)?;
    Ok(Redirect::to(&format!("/campaigns/{}?msg=deleted#records", r.campaign_id)).into_response())
}

/// Removes a file of a record from the record's page.
async fn delete_attachment(
    State(st): State<AppState>,
    u: PageUser,
    Path((raw, raw_attachment)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (Some(id), Some(aid)) = (parse_id(&raw), parse_id(&raw_attachment)) else {
        return Err(u.not_found().into());
    };
    let a = st.store.get_attachment(u.scope(), aid).await.or_page(&u)?;
    if a.owner != AttachmentOwner::CampaignRecord || a.owner_id != id {
        return Err(u.not_found().into());
    }
    let actor = u.may(Permission::RecordCampaignWork)?;
    st.store
        .delete_attachment(&actor, u.scope(), aid)
        .await
        .or_page(&u)?;
    Ok(Redirect::to(&format!("/campaign-records/{id}?msg=deleted")).into_response())
}
