//! M9 pages: a committee member's part of the dashboard (my contact points, the last visit
//! to each, "记一次走访" on a phone, my visits this year against the yearly expectation),
//! the liaison matrix of the office (members × orgs, orgs without a liaison and the form
//! that assigns one, members below the target, visits per quarter), the routes of every M9
//! page and the helpers they share. The visits (`visits`), research reports (`research`)
//! and the typical-case library (`cases`) have their own files; every list exports as xlsx
//! (`sheets`).
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
use domain::liaison::{CaseCategory, LiaisonInput, VisitKind};
use domain::policy::Permission;
use domain::{FieldError, Role};
use store::attachments::{Attachment, AttachmentOwner};
use store::liaison::{Liaison, LiaisonFilter, LiaisonStatsItem, OrgName};
use store::{PageReq, Scope, StoreError};

use crate::modules::registry::orgs::{org_options, OrgOption, ORG_SELECT_MAX};
use crate::platform::attachments::accept_file;
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::files;
use crate::platform::session::{Flash, OrPage, PageError, PageUser};
use crate::ui::ctx::{html, Ctx, FormState};
use crate::AppState;

use super::cases::*;
use super::research::*;
use super::sheets;
use super::visits::*;

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
pub(super) const MAX_FILES: usize = 20;
/// Rows a page of a list shows.
pub(super) const PER_PAGE: i64 = 20;
/// Orgs without a liaison listed on the matrix.
pub(super) const WITHOUT_SHOWN: i64 = 50;

pub(super) fn may_record(u: &PageUser) -> bool {
    u.allowed(Permission::RecordLiaisonWork)
}

pub(super) fn kinds(u: &PageUser) -> Vec<(&'static str, &'static str)> {
    VisitKind::CODES
        .iter()
        .map(|c| (*c, u.lang.code_label("visit_kind", c)))
        .collect()
}

pub(super) fn categories(u: &PageUser) -> Vec<(&'static str, &'static str)> {
    CaseCategory::CODES
        .iter()
        .map(|c| (*c, u.lang.code_label("case_category", c)))
        .collect()
}

/// The notice after a write (`?msg=…`): the layout's, or this module's own.
pub(super) fn flash(ctx: Ctx, msg: Option<&str>) -> Ctx {
    match msg {
        Some(m @ ("visited" | "assigned" | "published" | "withdrawn" | "proposed")) => {
            let text = ctx.t(&format!("liaison.flash.{m}")).to_string();
            ctx.with_notice(text)
        }
        other => ctx.with_flash(other),
    }
}

pub(super) fn photos_of(all: &[Attachment]) -> Vec<Attachment> {
    all.iter()
        .filter(|a| a.content_type.starts_with("image/") && a.content_type != "image/heic")
        .cloned()
        .collect()
}

/// Checks the files of a multipart form: how many, and that each is a known type.
pub(super) fn check_files(
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

pub(super) async fn store_files(
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

pub(super) async fn my_points(
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

pub(super) async fn matrix(
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

pub(super) async fn render_matrix(
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
pub(super) async fn assign(
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

/// The orgs of the scope as a select while they are few.
pub(super) async fn org_choices(
    st: &AppState,
    u: &PageUser,
) -> Result<Option<Vec<OrgOption>>, StoreError> {
    let orgs = st.store.all_orgs(u.scope()).await?;
    Ok((orgs.len() as i64 <= ORG_SELECT_MAX).then(|| org_options(&orgs, u.lang)))
}

/// `POST /visits/{id}/files` and `/research-reports/{id}/files` (multipart): adds files to
/// the record; a file of no known type is refused and nothing is added.
pub(super) async fn add_files(
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
