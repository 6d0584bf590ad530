//! M9 pages: a committee member's part of the dashboard (my contact points, the last visit
//! to each, "记一次走访" on a phone, my visits this year against the yearly expectation),
//! the liaison matrix of the office (members × orgs, orgs without a liaison and the form
//! that assigns one, members below the target, visits per quarter), the visits list and a
//! visit's page with its photos, research reports, and the typical-case library with its
//! print view. Every list exports as xlsx (`sheets`).
//!
//! The yearly expectation of visits is one per contact point per quarter: 4 × the member's
//! current contact points ([`VISITS_PER_ORG_YEAR`]); a contact point not visited for
//! [`STALE_DAYS`] days (or never) is highlighted.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{Datelike, NaiveDate};
use domain::liaison::{
    CaseCategory, CaseInput, LiaisonInput, ResearchReportInput, VisitInput, VisitKind,
};
use domain::policy::Permission;
use domain::{FieldError, Role};
use store::attachments::{Attachment, AttachmentOwner};
use store::liaison::{
    Case, CaseFilter, Liaison, LiaisonFilter, LiaisonStatsItem, OrgName, ResearchReport,
    ResearchReportFilter, Visit, VisitFilter,
};
use store::{PageReq, Scope, StoreError};

use crate::modules::registry::orgs::{org_options, OrgOption, ORG_SELECT_MAX};
use crate::platform::attachments::accept_file;
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::files;
use crate::platform::session::{Flash, Item, OrPage, PageError, PageUser};
use crate::ui::ctx::{html, Crumb, Ctx, FormState};
use crate::ui::list::{kept, Pager};
use crate::AppState;

use super::sheets;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/liaison", get(matrix))
        .route("/liaison/liaisons.xlsx", get(sheets::export_liaisons))
        .route("/liaisons", post(assign))
        .route("/visits", get(visits).post(create_visit))
        .route("/visits.xlsx", get(sheets::export_visits))
        .route("/visits/new", get(new_visit))
        .route("/visits/{id}", get(show_visit))
        .route("/visits/{id}/files", post(visit_files))
        .route("/research-reports", get(reports).post(create_report))
        .route("/research-reports.xlsx", get(sheets::export_reports))
        .route("/research-reports/new", get(new_report))
        .route("/research-reports/{id}", get(show_report))
        .route("/research-reports/{id}/files", post(report_files))
        .route(
            "/research-reports/{id}/edit",
            get(edit_report).post(update_report),
        )
        .route("/cases", get(cases).post(create_case))
        .route("/cases.xlsx", get(sheets::export_cases))
        .route("/cases/new", get(new_case))
        .route("/cases/{id}", get(show_case))
        .route("/cases/{id}/edit", get(edit_case).post(update_case))
        .route("/cases/{id}/publish", post(publish_case))
        .route("/cases/{id}/print", get(print_case))
        .layer(DefaultBodyLimit::disable())
}

/// Visits expected per contact point per year: one a quarter.
pub const VISITS_PER_ORG_YEAR: i64 = 4;
/// A contact point not visited for this many days (or never) is highlighted.
pub const STALE_DAYS: i64 = 90;
/// Files one submit of a form may carry.
const MAX_FILES: usize = 20;
/// Rows a page of a list shows.
const PER_PAGE: i64 = 20;
/// Orgs without a liaison listed on the matrix.
const WITHOUT_SHOWN: i64 = 50;

fn may_record(u: &PageUser) -> bool {
    u.allowed(Permission::RecordLiaisonWork)
}

fn kinds(u: &PageUser) -> Vec<(&'static str, &'static str)> {
    VisitKind::CODES
        .iter()
        .map(|c| (*c, u.lang.code_label("visit_kind", c)))
        .collect()
}

fn categories(u: &PageUser) -> Vec<(&'static str, &'static str)> {
    CaseCategory::CODES
        .iter()
        .map(|c| (*c, u.lang.code_label("case_category", c)))
        .collect()
}

/// The notice after a write (`?msg=…`): the layout's, or this module's own.
fn flash(ctx: Ctx, msg: Option<&str>) -> Ctx {
    match msg {
        Some(m @ ("visited" | "assigned" | "published" | "withdrawn" | "proposed")) => {
            let text = ctx.t(&format!("liaison.flash.{m}")).to_string();
            ctx.with_notice(text)
        }
        other => ctx.with_flash(other),
    }
}

fn photos_of(all: &[Attachment]) -> Vec<Attachment> {
    all.iter()
        .filter(|a| a.content_type.starts_with("image/") && a.content_type != "image/heic")
        .cloned()
        .collect()
}

/// Checks the files of a multipart form: how many, and that each is a known type.
fn check_files(
    f: &mut FormState,
    form_files: &[(Option<String>, axum::body::Bytes)],
    lang: crate::platform::i18n::Lang,
) {
    if form_files.len() > MAX_FILES {
        f.error(
            "files",
            lang.field_error(&FieldError::TooLarge {
                max: MAX_FILES as i64,
            }),
        );
    }
    if form_files.iter().any(|(_, b)| files::sniff(b).is_none()) {
        f.error(
            "files",
            lang.field_error(&FieldError::UnknownValue {
                allowed: vec!["JPEG", "PNG", "HEIC", "PDF", "DOCX"],
            }),
        );
    }
}

async fn store_files(
    st: &AppState,
    u: &PageUser,
    actor: &store::Actor,
    owner: AttachmentOwner,
    id: i64,
    form_files: Vec<(Option<String>, axum::body::Bytes)>,
) -> Result<(), PageError> {
    for (name, bytes) in form_files {
        let new = accept_file(st, name.as_deref(), bytes)
            .await
            .map_err(|e| u.error(e))?;
        st.store
            .add_attachment(actor, u.scope(), owner, id, &new)
            .await
            .or_page(u)?;
    }
    Ok(())
}

// --------------------------------------------------------------- the dashboard part

/// One of my contact points as the dashboard shows it.
pub struct Point {
    pub l: Liaison,
    /// Days since the last visit (none: never visited).
    pub days: Option<i64>,
    pub stale: bool,
}

#[derive(Template)]
#[template(path = "liaison/panel.html")]
struct Panel<'a> {
    ctx: &'a Ctx,
    points: Vec<Point>,
    visits: i64,
    expected: i64,
    /// The bar's value: the visits, at most the expectation.
    bar: i64,
    year: i32,
    stale_days: i64,
    per_org: i64,
}

/// The committee member's part of the dashboard (empty for other roles).
pub async fn dashboard_panel(st: &AppState, u: &PageUser, ctx: &Ctx) -> Result<String, AppError> {
    if u.role() != Role::Committee {
        return Ok(String::new());
    }
    let today = st.clock.today();
    let me = u.session.user.id;
    let points = my_points(st, u.scope(), me, today).await?;
    let stats = st
        .store
        .liaison_stats(u.scope(), today, today.year())
        .await?;
    let visits = stats
        .items
        .iter()
        .find(|i| i.user_id == me)
        .map(|i| i.visits)
        .unwrap_or(0);
    let expected = VISITS_PER_ORG_YEAR * points.len() as i64;
    let panel = Panel {
        ctx,
        expected,
        bar: visits.min(expected),
        points,
        visits,
        year: today.year(),
        stale_days: STALE_DAYS,
        per_org: VISITS_PER_ORG_YEAR,
    };
    panel
        .render()
        .map_err(|e| AppError::Internal(e.to_string()))
}

async fn my_points(
    st: &AppState,
    scope: &Scope,
    me: i64,
    today: NaiveDate,
) -> Result<Vec<Point>, StoreError> {
    let f = LiaisonFilter {
        user_id: Some(me),
        current: Some(true),
        ..Default::default()
    };
    let ls = store::all_pages(|p| st.store.list_liaisons(scope, &f, today, p)).await?;
    Ok(ls
        .into_iter()
        .map(|l| {
            let days = l.last_visit_on.map(|d| (today - d).num_days());
            Point {
                stale: days.is_none_or(|d| d > STALE_DAYS),
                days,
                l,
            }
        })
        .collect())
}

// ------------------------------------------------------------------ the matrix

/// One committee member's row of the matrix.
pub struct MemberRow {
    pub s: LiaisonStatsItem,
    pub below: bool,
    pub orgs: Vec<Liaison>,
    /// Visits per quarter of the year.
    pub quarters: [i64; 4],
}

#[derive(Template)]
#[template(path = "liaison/matrix.html")]
struct MatrixPage {
    ctx: Ctx,
    year: i32,
    rows: Vec<MemberRow>,
    below: usize,
    target: i64,
    without: Vec<OrgName>,
    without_total: i64,
    /// The assign form (admin).
    af: FormState,
    may_assign: bool,
    max_quarter: i64,
}

async fn matrix(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let today = st.clock.today();
    let year = super::api::year_param(&mut p, today.year()).map_err(|e| u.error(e))?;
    let mut af = FormState::default();
    af.set("since", today.to_string());
    render_matrix(&st, &u, year, af, StatusCode::OK, msg.as_deref()).await
}

async fn render_matrix(
    st: &AppState,
    u: &PageUser,
    year: i32,
    af: FormState,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let today = st.clock.today();
    let scope = u.scope();
    let stats = st
        .store
        .liaison_stats(scope, today, year)
        .await
        .or_page(u)?;
    let f = LiaisonFilter {
        current: Some(true),
        ..Default::default()
    };
    let current = store::all_pages(|p| st.store.list_liaisons(scope, &f, today, p))
        .await
        .or_page(u)?;
    let counts = st.store.visit_counts(scope, year).await.or_page(u)?;
    let mut quarters: HashMap<i64, [i64; 4]> = HashMap::new();
    for c in &counts {
        if (1..=4).contains(&c.quarter) {
            quarters.entry(c.user_id).or_default()[c.quarter as usize - 1] += c.visits;
        }
    }
    let mut orgs: HashMap<i64, Vec<Liaison>> = HashMap::new();
    for l in current {
        orgs.entry(l.user_id).or_default().push(l);
    }
    let target = stats.items.first().map(|i| i.target).unwrap_or(3);
    let rows: Vec<MemberRow> = stats
        .items
        .into_iter()
        .map(|s| MemberRow {
            below: s.orgs < s.target,
            orgs: orgs.remove(&s.user_id).unwrap_or_default(),
            quarters: quarters.get(&s.user_id).copied().unwrap_or_default(),
            s,
        })
        .collect();
    let max_quarter = rows
        .iter()
        .flat_map(|r| r.quarters)
        .max()
        .unwrap_or(0)
        .max(1);
    let without = st
        .store
        .orgs_without_liaison(
            scope,
            today,
            PageReq {
                page: 1,
                per_page: WITHOUT_SHOWN,
            },
        )
        .await
        .or_page(u)?;
    let page = MatrixPage {
        ctx: flash(u.section_ctx("liaison"), msg),
        year,
        below: rows.iter().filter(|r| r.below).count(),
        rows,
        target,
        without: without.items,
        without_total: without.total,
        af,
        may_assign: u.allowed(Permission::ManageLiaisons),
        max_quarter,
    };
    Ok(html(status, &page))
}

/// `POST /liaisons`: admin assigns a committee member to an org; bad input, a user not of
/// role committee or an overlapping liaison are shown at the form, nothing written.
async fn assign(
    State(st): State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let actor = u.may(Permission::ManageLiaisons)?;
    let lang = u.lang;
    let today = st.clock.today();
    let mut af = FormState {
        values: form,
        ..Default::default()
    };
    let input = LiaisonInput {
        user_id: af.opt_id("user_id", lang),
        party_org_id: af.opt_id("party_org_id", lang),
        since: af.opt("since"),
        until: af.opt("until"),
    };
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    match input.validate() {
        Ok(l) if af.ok() => match st.store.create_liaison(&actor, l, today).await {
            Ok(_) => return Ok(Redirect::to("/liaison?msg=assigned").into_response()),
            Err(StoreError::Invalid(e)) => af.store_errors(&e, lang),
            Err(StoreError::Conflict(_)) => {
                status = StatusCode::CONFLICT;
                af.error("party_org_id", lang.t("liaison.assign.overlap"));
            }
            Err(e) => return Err(u.error(e).into()),
        },
        Ok(_) => {}
        Err(e) => af.store_errors(&e, lang),
    }
    render_matrix(&st, &u, today.year(), af, status, None).await
}

// ------------------------------------------------------------------- visits

pub struct VisitRow {
    pub v: Visit,
    pub photos: Vec<Attachment>,
}

#[derive(Template)]
#[template(path = "liaison/visits.html")]
struct VisitsPage {
    ctx: Ctx,
    rows: Vec<VisitRow>,
    pager: Pager,
    f: FormState,
    members: Vec<(String, String)>,
    orgs: Option<Vec<OrgOption>>,
    kinds: Vec<(&'static str, &'static str)>,
    may_record: bool,
}

/// The committee members as choices (id, username).
async fn members(st: &AppState, u: &PageUser) -> Result<Vec<(String, String)>, StoreError> {
    let today = st.clock.today();
    let s = st
        .store
        .liaison_stats(u.scope(), today, today.year())
        .await?;
    Ok(s.items
        .into_iter()
        .map(|i| (i.user_id.to_string(), i.username))
        .collect())
}

/// The orgs of the scope as a select while they are few.
async fn org_choices(st: &AppState, u: &PageUser) -> Result<Option<Vec<OrgOption>>, StoreError> {
    let orgs = st.store.all_orgs(u.scope()).await?;
    Ok((orgs.len() as i64 <= ORG_SELECT_MAX).then(|| org_options(&orgs, u.lang)))
}

async fn visits(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let filter: VisitFilter = p.filter();
    let mut page = p.page();
    if p.str("per_page").is_none() {
        page.per_page = PER_PAGE;
    }
    let f = kept::<VisitFilter>(&p);
    p.finish().map_err(|e| u.error(e))?;
    let res = st
        .store
        .list_visits(u.scope(), &filter, page)
        .await
        .or_page(&u)?;
    let mut rows = Vec::with_capacity(res.items.len());
    for v in res.items {
        let photos = if v.attachments > 0 {
            let all = st
                .store
                .list_attachments(u.scope(), AttachmentOwner::Visit, v.id)
                .await
                .or_page(&u)?;
            let mut ph = photos_of(&all);
            ph.truncate(4);
            ph
        } else {
            Vec::new()
        };
        rows.push(VisitRow { v, photos });
    }
    let pager = Pager::of::<VisitFilter>(
        u.lang,
        ("/visits", "/visits.xlsx"),
        &f,
        page,
        res.total,
        rows.len(),
    );
    let page = VisitsPage {
        ctx: flash(
            u.item_ctx("liaison", u.lang.t("liaison.visits").to_string()),
            msg.as_deref(),
        ),
        rows,
        pager,
        f,
        members: members(&st, &u).await.or_page(&u)?,
        orgs: org_choices(&st, &u).await.or_page(&u)?,
        kinds: kinds(&u),
        may_record: may_record(&u),
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "liaison/visit_form.html")]
struct VisitForm {
    ctx: Ctx,
    f: FormState,
    /// My contact points (a committee member picks among them as tiles).
    points: Vec<(String, String)>,
    /// Any org (the office).
    orgs: Option<Vec<OrgOption>>,
    kinds: Vec<(&'static str, &'static str)>,
    max_day: String,
    max_mb: usize,
}

async fn render_visit_form(
    st: &AppState,
    u: &PageUser,
    f: FormState,
    status: StatusCode,
) -> Result<Response, PageError> {
    let today = st.clock.today();
    let points: Vec<(String, String)> = my_points(st, u.scope(), u.session.user.id, today)
        .await
        .or_page(u)?
        .into_iter()
        .map(|p| (p.l.party_org_id.to_string(), p.l.party_org_name))
        .collect();
    let orgs = if u.role() == Role::Committee && !points.is_empty() {
        None
    } else {
        org_choices(st, u).await.or_page(u)?
    };
    let lang = u.lang;
    let ctx = u.ctx(
        "liaison",
        lang.t("liaison.record_visit"),
        vec![
            Crumb::link(lang.t("nav.dashboard"), "/"),
            Crumb::link(lang.t("liaison.visits"), "/visits"),
            Crumb::here(lang.t("liaison.record_visit")),
        ],
    );
    let page = VisitForm {
        ctx,
        f,
        points,
        orgs,
        kinds: kinds(u),
        max_day: today.to_string(),
        max_mb: st.config.max_upload_bytes.div_ceil(1024 * 1024),
    };
    Ok(html(status, &page))
}

async fn new_visit(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let org = p.i64("party_org_id");
    p.finish().map_err(|e| u.error(e))?;
    u.may(Permission::RecordLiaisonWork)?;
    let mut f = FormState::default();
    f.set("held_on", st.clock.today().to_string());
    f.set("kind", VisitKind::Visit.as_str());
    if let Some(o) = org {
        f.set("party_org_id", o.to_string());
    }
    render_visit_form(&st, &u, f, StatusCode::OK).await
}

/// `POST /visits` (multipart): a visit and its photos; bad input, an org outside the scope
/// or a file of no known type are shown at the form, and nothing is saved.
async fn create_visit(
    State(st): State<AppState>,
    u: PageUser,
    mp: Multipart,
) -> Result<Response, PageError> {
    let form = files::Form::read(mp, st.config.max_upload_bytes)
        .await
        .map_err(|e| u.error(e))?;
    let actor = u.may(Permission::RecordLiaisonWork)?;
    let lang = u.lang;
    let mut f = FormState {
        values: form.fields,
        ..Default::default()
    };
    let input = VisitInput {
        user_id: None,
        party_org_id: f.opt_id("party_org_id", lang),
        held_on: f.opt("held_on"),
        kind: f.opt("kind"),
        notes: f.opt("notes"),
    };
    let checked = input.validate(st.clock.today(), u.session.user.id);
    if let Err(e) = &checked {
        f.store_errors(e, lang);
    }
    check_files(&mut f, &form.files, lang);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Ok(v), true) = (checked, f.ok()) {
        match st.store.create_visit(&actor, u.scope(), v).await {
            Ok(v) => {
                store_files(&st, &u, &actor, AttachmentOwner::Visit, v.id, form.files).await?;
                return Ok(Redirect::to(&format!("/visits/{}?msg=visited", v.id)).into_response());
            }
            Err(StoreError::Invalid(e)) => f.store_errors(&e, lang),
            Err(StoreError::Forbidden) => {
                status = StatusCode::FORBIDDEN;
                f.error("party_org_id", lang.t("liaison.not_in_scope"));
            }
            Err(e) => return Err(u.error(e).into()),
        }
    }
    render_visit_form(&st, &u, f, status).await
}

#[derive(Template)]
#[template(path = "liaison/visit.html")]
struct VisitPage {
    ctx: Ctx,
    v: Visit,
    attachments: Vec<Attachment>,
    /// Where more files are sent (writers only).
    upload: Option<String>,
}

async fn show_visit(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let v = st.store.get_visit(u.scope(), id).await.or_page(&u)?;
    let attachments = st
        .store
        .list_attachments(u.scope(), AttachmentOwner::Visit, id)
        .await
        .or_page(&u)?;
    let lang = u.lang;
    let title = format!("{} · {}", v.party_org_name, lang.date(v.held_on));
    let ctx = u.ctx(
        "liaison",
        title.clone(),
        vec![
            Crumb::link(lang.t("nav.dashboard"), "/"),
            Crumb::link(lang.t("liaison.visits"), "/visits"),
            Crumb::here(title),
        ],
    );
    let page = VisitPage {
        ctx: flash(ctx, msg.as_deref()),
        upload: may_record(&u).then(|| format!("/visits/{id}/files")),
        v,
        attachments,
    };
    Ok(html(StatusCode::OK, &page))
}

// --------------------------------------------------------------- research reports

#[derive(Template)]
#[template(path = "liaison/reports.html")]
struct ReportsPage {
    ctx: Ctx,
    rows: Vec<ResearchReport>,
    pager: Pager,
    f: FormState,
    may_record: bool,
}

async fn reports(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let filter: ResearchReportFilter = p.filter();
    let mut page = p.page();
    if p.str("per_page").is_none() {
        page.per_page = PER_PAGE;
    }
    let f = kept::<ResearchReportFilter>(&p);
    p.finish().map_err(|e| u.error(e))?;
    let res = st
        .store
        .list_research_reports(u.scope(), &filter, page)
        .await
        .or_page(&u)?;
    let pager = Pager::of::<ResearchReportFilter>(
        u.lang,
        ("/research-reports", "/research-reports.xlsx"),
        &f,
        page,
        res.total,
        res.items.len(),
    );
    let page = ReportsPage {
        ctx: flash(u.section_ctx("research_reports"), msg.as_deref()),
        rows: res.items,
        pager,
        f,
        may_record: may_record(&u),
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "liaison/report.html")]
struct ReportPage {
    ctx: Ctx,
    r: ResearchReport,
    attachments: Vec<Attachment>,
    may_record: bool,
    upload: Option<String>,
}

async fn show_report(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let r = st
        .store
        .get_research_report(u.scope(), id)
        .await
        .or_page(&u)?;
    let attachments = st
        .store
        .list_attachments(u.scope(), AttachmentOwner::ResearchReport, id)
        .await
        .or_page(&u)?;
    let ctx = u.item_ctx("research_reports", r.title.clone());
    let page = ReportPage {
        ctx: flash(ctx, msg.as_deref()),
        r,
        attachments,
        may_record: may_record(&u),
        upload: may_record(&u).then(|| format!("/research-reports/{id}/files")),
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "liaison/report_form.html")]
struct ReportForm {
    ctx: Ctx,
    r: Option<ResearchReport>,
    f: FormState,
    orgs: Option<Vec<OrgOption>>,
    chosen: Vec<String>,
}

async fn render_report_form(
    st: &AppState,
    u: &PageUser,
    r: Option<ResearchReport>,
    f: FormState,
    chosen: Vec<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let lang = u.lang;
    let ctx = match &r {
        Some(r) => u.sub_item_ctx(
            "research_reports",
            (r.title.clone(), format!("/research-reports/{}", r.id)),
            lang.t("liaison.report.edit").to_string(),
        ),
        None => u.item_ctx("research_reports", lang.t("liaison.report.new").to_string()),
    };
    let page = ReportForm {
        ctx,
        r,
        f,
        orgs: org_choices(st, u).await.or_page(u)?,
        chosen,
    };
    Ok(html(status, &page))
}

async fn new_report(State(st): State<AppState>, u: PageUser) -> Result<Response, PageError> {
    u.may(Permission::RecordLiaisonWork)?;
    let mut f = FormState::default();
    f.set("year", st.clock.today().year().to_string());
    render_report_form(&st, &u, None, f, Vec::new(), StatusCode::OK).await
}

async fn edit_report(
    State(st): State<AppState>,
    Item { u, id }: Item,
) -> Result<Response, PageError> {
    let r = st
        .store
        .get_research_report(u.scope(), id)
        .await
        .or_page(&u)?;
    u.may(Permission::RecordLiaisonWork)?;
    let mut f = FormState::default();
    f.set("title", &r.title);
    f.set("year", r.year.to_string());
    f.set("summary", r.summary.clone().unwrap_or_default());
    let chosen: Vec<String> = r.party_org_ids.iter().map(|i| i.to_string()).collect();
    f.set("party_org_ids", chosen.join(","));
    render_report_form(&st, &u, Some(r), f, chosen, StatusCode::OK).await
}

async fn save_report(
    st: &AppState,
    u: &PageUser,
    id: Option<i64>,
    pairs: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let base = match id {
        Some(id) => Some(
            st.store
                .get_research_report(u.scope(), id)
                .await
                .or_page(u)?,
        ),
        None => None,
    };
    let actor = u.may(Permission::RecordLiaisonWork)?;
    let lang = u.lang;
    // the orgs come as checkboxes (one value each) or one typed box
    let orgs_raw: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "party_org_ids")
        .map(|(_, v)| v.clone())
        .collect();
    let mut f = FormState {
        values: pairs
            .into_iter()
            .filter(|(k, _)| k != "party_org_ids")
            .collect(),
        ..Default::default()
    };
    let ids = f.id_list("party_org_ids", &orgs_raw, lang);
    let year = f.int("year", None, lang);
    let input = ResearchReportInput {
        title: Some(f.v("title").to_string()),
        year: year.or_else(|| f.opt("year").map(|_| 0)),
        summary: f.opt("summary"),
        author_user_id: base.as_ref().map(|b| b.author_user_id),
        party_org_ids: Some(ids.clone()),
    };
    let checked = input.validate(u.session.user.id);
    if let Err(e) = &checked {
        f.store_errors(e, lang);
    }
    let chosen: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    if let (Ok(r), true) = (checked, f.ok()) {
        let saved = match id {
            Some(id) => st.store.update_research_report(&actor, id, r).await,
            None => st.store.create_research_report(&actor, r).await,
        };
        match saved {
            Ok(r) => {
                let msg = if id.is_some() { "saved" } else { "created" };
                return Ok(
                    Redirect::to(&format!("/research-reports/{}?msg={msg}", r.id)).into_response(),
                );
            }
            Err(StoreError::Invalid(e)) => f.store_errors(&e, lang),
            Err(e) => return Err(u.error(e).into()),
        }
    }
    if !f.has("party_org_ids") {
        f.set("party_org_ids", chosen.join(","));
    }
    render_report_form(st, u, base, f, chosen, StatusCode::UNPROCESSABLE_ENTITY).await
}

async fn create_report(
    State(st): State<AppState>,
    u: PageUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    save_report(&st, &u, None, pairs).await
}

async fn update_report(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    save_report(&st, &u, Some(id), pairs).await
}

/// `POST /visits/{id}/files` and `/research-reports/{id}/files` (multipart): adds files to
/// the record; a file of no known type is refused and nothing is added.
async fn add_files(
    st: &AppState,
    u: &PageUser,
    owner: AttachmentOwner,
    id: i64,
    back: String,
    mp: Multipart,
) -> Result<Response, PageError> {
    let form = files::Form::read(mp, st.config.max_upload_bytes)
        .await
        .map_err(|e| u.error(e))?;
    let actor = u.may(Permission::RecordLiaisonWork)?;
    let mut f = FormState::default();
    check_files(&mut f, &form.files, u.lang);
    if let Some(e) = f.err("files") {
        return Err(u
            .error(AppError::Validation(domain::FieldErrors::single(
                "files",
                FieldError::Malformed {
                    detail: e.to_string(),
                },
            )))
            .into());
    }
    store_files(st, u, &actor, owner, id, form.files).await?;
    Ok(Redirect::to(&format!("{back}?msg=saved")).into_response())
}

async fn visit_files(
    State(st): State<AppState>,
    Item { u, id }: Item,
    mp: Multipart,
) -> Result<Response, PageError> {
    st.store.get_visit(u.scope(), id).await.or_page(&u)?;
    add_files(
        &st,
        &u,
        AttachmentOwner::Visit,
        id,
        format!("/visits/{id}"),
        mp,
    )
    .await
}

async fn report_files(
    State(st): State<AppState>,
    Item { u, id }: Item,
    mp: Multipart,
) -> Result<Response, PageError> {
    st.store
        .get_research_report(u.scope(), id)
        .await
        .or_page(&u)?;
    add_files(
        &st,
        &u,
        AttachmentOwner::ResearchReport,
        id,
        format!("/research-reports/{id}"),
        mp,
    )
    .await
}

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

async fn cases(
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
async fn may_edit_case(st: &AppState, u: &PageUser, c: &Case) -> bool {
    if u.allowed(Permission::PublishCase) {
        return true;
    }
    if !u.allowed(Permission::ProposeCase) || c.published {
        return false;
    }
    st.store.get_org(u.scope(), c.party_org_id).await.is_ok()
}

async fn show_case(
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

async fn print_case(
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

async fn render_case_form(
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

async fn new_case(State(st): State<AppState>, u: PageUser) -> Result<Response, PageError> {
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

async fn edit_case(
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

async fn save_case(
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

async fn create_case(
    State(st): State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    save_case(&st, &u, None, form).await
}

async fn update_case(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    save_case(&st, &u, Some(id), form).await
}

/// `POST /cases/{id}/publish` (`published` = true or false): admin and committee publish
/// or withdraw a case.
async fn publish_case(
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
