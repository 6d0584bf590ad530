//! M2 pages: record an activity (phone-first, photos from the camera), the records list,
//! the committee-wide heat map and rates, an org's year calendar, the obligation rules,
//! and the to-do panel of the dashboard.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Datelike;
use domain::life::{
    Activity, ActivityKind, ActivityPatch, Cell, FirstAgenda, ObligationPatch, Period, PeriodKind,
    Status,
};
use domain::OrgKind;
use store::StoreError;

use crate::modules::life::api::{accept_file, compliance_query, RECORDERS};
use crate::modules::life::reminders::{period_label, todo, Todo};
use crate::modules::registry::api::xlsx_response;
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::files;
use crate::AppState;

use crate::modules::registry::orgs::{org_choices, org_options, OrgOption};
use crate::platform::session::{OrPage, PageError, PageUser};
use crate::ui::charts::{rate_bars, Datum};
use crate::ui::ctx::{html, parse_id, percent, url_encode, Ctx, FormState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/activities", get(list).post(create))
        .route("/activities/new", get(new_form))
        .route("/activities/export.xlsx", get(export_activities))
        .route("/activities/{id}", get(show).post(update))
        .route("/activities/{id}/delete", post(delete))
        .route("/attachments/{id}", get(download))
        .route("/attachments/{id}/delete", post(delete_attachment))
        .route("/compliance", get(heat_map))
        .route("/compliance/orgs/{id}", get(calendar))
        .route("/compliance/export.xlsx", get(export))
        .route("/obligations", get(obligations))
        .route("/obligations/{id}", post(update_obligation))
        .layer(DefaultBodyLimit::disable())
}

/// Files one submit of the form may carry.
const MAX_FILES: usize = 20;

fn may_record(u: &PageUser) -> bool {
    RECORDERS.contains(&u.role())
}

fn require_recorder(u: &PageUser) -> Result<(), PageError> {
    if may_record(u) {
        Ok(())
    } else {
        Err(u.forbidden().into())
    }
}

fn kinds(u: &PageUser) -> Vec<(&'static str, &'static str)> {
    ActivityKind::CODES
        .iter()
        .map(|c| (*c, u.lang.code_label("activity_kind", c)))
        .collect()
}

// ----------------------------------------------------------------------------- list

pub struct ActRow {
    pub a: Activity,
    pub org_name: String,
}

#[derive(Template)]
#[template(path = "activities.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<ActRow>,
    total: i64,
    kinds: Vec<(&'static str, &'static str)>,
    orgs: Option<Vec<OrgOption>>,
    f: FormState,
    prev: Option<String>,
    next: Option<String>,
    may_record: bool,
    export_href: String,
}

async fn list(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let f = crate::modules::life::api::activity_filter(&mut p);
    let page = p.page();
    let mut form = FormState::default();
    for k in ["party_org_id", "kind", "year", "q"] {
        form.set(k, p.str(k).unwrap_or(""));
    }
    let msg = p.str("msg").map(str::to_string);
    let res = st
        .store
        .list_activities(u.scope(), &f, page)
        .await
        .or_page(&u)?;
    let ids: Vec<i64> = res.items.iter().map(|a| a.party_org_id).collect();
    let names = st.store.org_names(u.scope(), &ids).await.or_page(&u)?;
    let pages = (res.total + page.per_page - 1) / page.per_page;
    let export_href = format!(
        "/activities/export.xlsx?{}",
        ["party_org_id", "kind", "year", "q"]
            .iter()
            .filter(|k| !form.v(k).is_empty())
            .map(|k| format!("{k}={}", url_encode(form.v(k))))
            .collect::<Vec<_>>()
            .join("&")
    );
    let link = |n: i64| {
        let mut q: Vec<String> = ["party_org_id", "kind", "year", "q"]
            .iter()
            .filter(|k| !form.v(k).is_empty())
            .map(|k| format!("{k}={}", url_encode(form.v(k))))
            .collect();
        q.push(format!("page={n}"));
        format!("/activities?{}", q.join("&"))
    };
    let orgs = org_choices(&st, u.scope()).await.or_page(&u)?;
    let page_html = ListPage {
        ctx: u.section_ctx("activities").with_flash(msg.as_deref()),
        rows: res
            .items
            .into_iter()
            .map(|a| ActRow {
                org_name: names.get(&a.party_org_id).cloned().unwrap_or_default(),
                a,
            })
            .collect(),
        total: res.total,
        kinds: kinds(&u),
        orgs: orgs.map(|o| org_options(&o, u.lang)),
        prev: (page.page > 1).then(|| link(page.page - 1)),
        next: (page.page < pages).then(|| link(page.page + 1)),
        f: form,
        may_record: may_record(&u),
        export_href,
    };
    Ok(html(StatusCode::OK, &page_html))
}

async fn export_activities(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let f = crate::modules::life::api::activity_filter(&mut p);
    let bytes = crate::modules::life::sheets::activities_xlsx(&st, u.scope(), &f, u.lang)
        .await
        .map_err(|e| u.error(e))?;
    Ok(xlsx_response(bytes, u.lang.t("act.sheet_name")))
}

// ----------------------------------------------------------------------------- form

#[derive(Template)]
#[template(path = "activity_form.html")]
struct FormPage {
    ctx: Ctx,
    a: Option<Activity>,
    attachments: Vec<store::life::Attachment>,
    f: FormState,
    kinds: Vec<(&'static str, &'static str)>,
    orgs: Option<Vec<OrgOption>>,
    may_record: bool,
    max_mb: usize,
    today: String,
}

fn values_of(a: &Activity) -> FormState {
    let mut f = FormState::default();
    f.set("party_org_id", a.party_org_id.to_string());
    f.set("kind", a.kind.as_str());
    f.set("held_on", a.held_on.to_string());
    f.set("topic", &a.topic);
    match &a.first_agenda {
        Some(FirstAgenda::Held(true)) => f.set("first_agenda", "on"),
        Some(FirstAgenda::Text(t)) => {
            f.set("first_agenda", "on");
            f.set("first_agenda_text", t);
        }
        _ => {}
    }
    let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    f.set("attendees_expected", opt(a.attendees_expected));
    f.set("attendees_present", opt(a.attendees_present));
    f.set("notes", a.notes.clone().unwrap_or_default());
    f
}

/// Reads the form into a patch; field errors (including the domain's) go into `f`.
fn patch_of(f: &mut FormState, u: &PageUser) -> ActivityPatch {
    let lang = u.lang;
    let org = f.opt_id("party_org_id", lang);
    let expected = f.int("attendees_expected", None, lang);
    let present = f.int("attendees_present", None, lang);
    let first = if f.checked("first_agenda") {
        Some(match f.opt("first_agenda_text") {
            Some(t) => FirstAgenda::Text(t),
            None => FirstAgenda::Held(true),
        })
    } else {
        Some(FirstAgenda::Held(false))
    };
    ActivityPatch {
        party_org_id: org,
        kind: Some(f.v("kind").to_string()),
        held_on: Some(f.v("held_on").to_string()),
        topic: Some(f.v("topic").to_string()),
        first_agenda: Some(first),
        attendees_expected: Some(expected),
        attendees_present: Some(present),
        notes: Some(f.opt("notes")),
        ..Default::default()
    }
}

async fn render_form(
    st: &AppState,
    u: &PageUser,
    a: Option<Activity>,
    f: FormState,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let orgs = org_choices(st, u.scope()).await.or_page(u)?;
    let attachments = match &a {
        Some(a) => st
            .store
            .list_attachments(u.scope(), a.id)
            .await
            .or_page(u)?,
        None => Vec::new(),
    };
    let title = match &a {
        Some(a) => format!(
            "{} · {}",
            u.lang.code_label("activity_kind", a.kind.as_str()),
            a.topic
        ),
        None => u.lang.t("act.title_new").to_string(),
    };
    let page = FormPage {
        ctx: u.item_ctx("activities", title).with_flash(msg),
        a,
        attachments,
        f,
        kinds: kinds(u),
        orgs: orgs.map(|o| org_options(&o, u.lang)),
        may_record: may_record(u),
        max_mb: st.config.max_upload_bytes.div_ceil(1024 * 1024),
        today: st.clock.today().to_string(),
    };
    Ok(html(status, &page))
}

async fn new_form(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    require_recorder(&u)?;
    let p = p.map_err(|e| u.error(e))?;
    let mut f = FormState::default();
    f.set("held_on", st.clock.today().to_string());
    f.set(
        "kind",
        p.str("kind").unwrap_or(ActivityKind::ThemeDay.as_str()),
    );
    f.set("first_agenda", "on");
    let own = p
        .str("party_org_id")
        .map(str::to_string)
        .or_else(|| u.session.user.party_org_id.map(|i| i.to_string()));
    f.set("party_org_id", own.unwrap_or_default());
    render_form(&st, &u, None, f, StatusCode::OK, None).await
}

/// Saves the record and its files; invalid files are field errors and nothing is saved.
async fn save(
    st: &AppState,
    u: &PageUser,
    id: Option<i64>,
    mp: Multipart,
) -> Result<Response, PageError> {
    let form = files::Form::read(mp, st.config.max_upload_bytes)
        .await
        .map_err(|e| u.error(e))?;
    let base = match id {
        Some(id) => Some(st.store.get_activity(u.scope(), id).await.or_page(u)?),
        None => None,
    };
    require_recorder(u)?;
    let mut f = FormState {
        values: form.fields,
        ..Default::default()
    };
    let patch = patch_of(&mut f, u);
    let input = patch.apply(base.as_ref().map(|b| b.input()).as_ref(), st.clock.today());
    if let Err(e) = &input {
        f.store_errors(e, u.lang);
    }
    if form.files.len() > MAX_FILES {
        f.error(
            "files",
            u.lang.field_error(&domain::FieldError::TooLarge {
                max: MAX_FILES as i64,
            }),
        );
    }
    for (_, bytes) in &form.files {
        if files::sniff(bytes).is_none() {
            f.error(
                "files",
                u.lang.field_error(&domain::FieldError::UnknownValue {
                    allowed: vec!["PDF", "JPEG", "PNG", "HEIC", "DOCX", "XLSX"],
                }),
            );
        }
    }
    let (Ok(input), true) = (input, f.ok()) else {
        return render_form(st, u, base, f, StatusCode::UNPROCESSABLE_ENTITY, None).await;
    };
    let saved = match id {
        Some(id) => {
            st.store
                .update_activity(&u.actor(), u.scope(), id, &input)
                .await
        }
        None => {
            st.store
                .create_activity(&u.actor(), u.scope(), &input)
                .await
        }
    };
    let a = match saved {
        Ok(a) => a,
        Err(StoreError::NotFound) => {
            f.error("party_org_id", u.lang.t("field.not_found"));
            return render_form(st, u, base, f, StatusCode::UNPROCESSABLE_ENTITY, None).await;
        }
        Err(e) => return Err(u.error(e).into()),
    };
    for (name, bytes) in form.files {
        let new = accept_file(st, name.as_deref(), bytes)
            .await
            .map_err(|e| u.error(e))?;
        st.store
            .add_attachment(&u.actor(), u.scope(), a.id, &new)
            .await
            .or_page(u)?;
    }
    Ok(Redirect::to(&format!("/activities/{}?msg=saved", a.id)).into_response())
}

async fn create(
    State(st): State<AppState>,
    u: PageUser,
    mp: Multipart,
) -> Result<Response, PageError> {
    save(&st, &u, None, mp).await
}

async fn update(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    mp: Multipart,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    save(&st, &u, Some(id), mp).await
}

async fn show(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let a = st.store.get_activity(u.scope(), id).await.or_page(&u)?;
    let f = values_of(&a);
    let msg = p.ok().and_then(|p| p.str("msg").map(str::to_string));
    render_form(&st, &u, Some(a), f, StatusCode::OK, msg.as_deref()).await
}

async fn delete(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    st.store.get_activity(u.scope(), id).await.or_page(&u)?;
    require_recorder(&u)?;
    st.store
        .delete_activity(&u.actor(), u.scope(), id)
        .await
        .or_page(&u)?;
    Ok(Redirect::to("/activities?msg=deleted").into_response())
}

async fn download(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let a = st.store.get_attachment(u.scope(), id).await.or_page(&u)?;
    files::download(
        &st.config.files_dir,
        &a.sha256,
        &a.content_type,
        &a.file_name,
    )
    .await
    .map_err(|e| u.error(e).into())
}

async fn delete_attachment(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let a = st.store.get_attachment(u.scope(), id).await.or_page(&u)?;
    require_recorder(&u)?;
    st.store
        .delete_attachment(&u.actor(), u.scope(), id)
        .await
        .or_page(&u)?;
    Ok(Redirect::to(&format!("/activities/{}?msg=saved", a.activity_id)).into_response())
}

// ------------------------------------------------------------------------ heat map

pub struct HeatRow {
    pub org_id: i64,
    pub name: String,
    pub cells: Vec<(String, String)>,
    pub rate: String,
    pub missed: u32,
}

pub struct KindRate {
    pub label: &'static str,
    pub met: i64,
    pub missed: i64,
    pub rate: String,
    pub pct: i64,
}

#[derive(Template)]
#[template(path = "compliance.html")]
struct HeatPage {
    ctx: Ctx,
    year: i32,
    years: Vec<i32>,
    f: FormState,
    orgs: Option<Vec<OrgOption>>,
    summary: domain::life::Summary,
    rate: String,
    rows: Vec<HeatRow>,
    org_total: usize,
    by_kind: Vec<KindRate>,
    lowest: Vec<(i64, String, String, i64)>,
    chart: String,
    months: Vec<String>,
    prev: Option<String>,
    next: Option<String>,
    export_href: String,
}

/// Rows of the heat map per page.
const HEAT_ROWS: usize = 100;

fn cell_class(c: &Cell) -> &'static str {
    match c.status() {
        None => "none",
        Some(Status::Met) => "met",
        Some(Status::Missed) => "missed",
        Some(Status::Due) => "due",
        Some(Status::Upcoming) => "upcoming",
    }
}

fn rate_text(met: i64, missed: i64) -> String {
    if met + missed == 0 {
        "—".into()
    } else {
        format!("{}%", percent(met as f64 / (met + missed) as f64))
    }
}

async fn heat_map(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let today = st.clock.today();
    let (year, org) = compliance_query(&mut p, today.year());
    let only_missed = p.str("missed") == Some("1");
    let page = p.page();
    p.finish().map_err(|e| u.error(e))?;
    let lang = u.lang;
    let heat = st
        .store
        .compliance_heat(u.scope(), org, year, today)
        .await
        .or_page(&u)?;
    // Cells per org in the report's (tree) order.
    let cells: HashMap<i64, &[Cell; 12]> = heat.rows.iter().map(|(id, c)| (*id, c)).collect();
    let mut order: Vec<i64> = heat.rows.iter().map(|r| r.0).collect();
    if only_missed {
        order.retain(|id| cells[id].iter().any(|c| c.missed > 0));
    }
    let org_total = order.len();
    // The orgs with the lowest rate among those with decided periods (the whole filter).
    let mut ranked: Vec<(i64, i64, i64)> = order
        .iter()
        .map(|id| {
            let (met, missed) = cells[id].iter().fold((0i64, 0i64), |a, c| {
                (a.0 + c.met as i64, a.1 + c.missed as i64)
            });
            (*id, met, missed)
        })
        .filter(|(_, met, missed)| met + missed > 0)
        .collect();
    ranked.sort_by(|a, b| {
        let ra = a.1 as f64 / (a.1 + a.2) as f64;
        let rb = b.1 as f64 / (b.1 + b.2) as f64;
        ra.total_cmp(&rb).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0))
    });
    ranked.truncate(10);
    let shown: Vec<i64> = order
        .iter()
        .skip(page.offset() as usize)
        .take(HEAT_ROWS)
        .copied()
        .collect();
    let wanted: Vec<i64> = shown
        .iter()
        .chain(ranked.iter().map(|r| &r.0))
        .copied()
        .collect();
    let names = st.store.org_names(u.scope(), &wanted).await.or_page(&u)?;
    let lowest: Vec<(i64, String, String, i64)> = ranked
        .iter()
        .map(|(id, met, missed)| {
            (
                *id,
                names.get(id).cloned().unwrap_or_default(),
                rate_text(*met, *missed),
                *missed,
            )
        })
        .collect();
    let rows = shown
        .iter()
        .map(|id| {
            let c = &cells[id];
            let (met, missed) = c
                .iter()
                .fold((0, 0), |a, c| (a.0 + c.met as i64, a.1 + c.missed as i64));
            HeatRow {
                org_id: *id,
                name: names.get(id).cloned().unwrap_or_default(),
                cells: c
                    .iter()
                    .enumerate()
                    .map(|(m, c)| {
                        let title = lang.tf(
                            "comp.cell_title",
                            &[
                                &lang.tf("comp.month", &[&(m + 1).to_string()]),
                                &c.met.to_string(),
                                &c.total().to_string(),
                                c.status()
                                    .map(|s| lang.code_label("status", s.as_str()))
                                    .unwrap_or(""),
                            ],
                        );
                        (cell_class(c).to_string(), title)
                    })
                    .collect(),
                rate: rate_text(met, missed),
                missed: c.iter().map(|c| c.missed).sum(),
            }
        })
        .collect();
    let by_kind: Vec<KindRate> = heat
        .by_kind
        .iter()
        .map(|&(k, met, missed)| {
            let pct = if met + missed > 0 {
                met * 100 / (met + missed)
            } else {
                0
            };
            KindRate {
                label: lang.code_label("activity_kind", k.as_str()),
                met,
                missed,
                rate: rate_text(met, missed),
                pct,
            }
        })
        .collect();
    let chart = rate_bars(
        "comp-by-kind",
        lang.t("comp.by_kind"),
        &by_kind
            .iter()
            .map(|k| Datum {
                label: k.label.to_string(),
                value: k.pct,
                color: if k.pct >= 90 {
                    "#2e7d32"
                } else if k.pct >= 70 {
                    "#c77700"
                } else {
                    "#c8161d"
                },
            })
            .collect::<Vec<_>>(),
    );
    let mut f = FormState::default();
    f.set(
        "party_org_id",
        org.map(|o| o.to_string()).unwrap_or_default(),
    );
    if only_missed {
        f.set("missed", "1");
    }
    let q = |n: i64| {
        let mut parts = vec![format!("year={year}")];
        if let Some(o) = org {
            parts.push(format!("party_org_id={o}"));
        }
        if only_missed {
            parts.push("missed=1".into());
        }
        parts.push(format!("page={n}"));
        format!("/compliance?{}", parts.join("&"))
    };
    let pages = org_total.div_ceil(HEAT_ROWS) as i64;
    let orgs = org_choices(&st, u.scope()).await.or_page(&u)?;
    let s = heat.summary.clone();
    let page_html = HeatPage {
        ctx: u.section_ctx("compliance"),
        year,
        years: (today.year() - 4..=today.year()).rev().collect(),
        rate: s
            .rate
            .map(|r| format!("{}%", percent(r)))
            .unwrap_or_else(|| "—".into()),
        summary: s,
        f,
        orgs: orgs.map(|o| org_options(&o, lang)),
        rows,
        org_total,
        by_kind,
        lowest,
        chart,
        months: (1..=12)
            .map(|m| lang.tf("comp.month", &[&m.to_string()]))
            .collect(),
        prev: (page.page > 1).then(|| q(page.page - 1)),
        next: (page.page < pages).then(|| q(page.page + 1)),
        export_href: format!(
            "/compliance/export.xlsx?year={year}{}",
            org.map(|o| format!("&party_org_id={o}"))
                .unwrap_or_default()
        ),
    };
    Ok(html(StatusCode::OK, &page_html))
}

async fn export(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let (year, org) = compliance_query(&mut p, st.clock.today().year());
    p.finish().map_err(|e| u.error(e))?;
    let bytes = crate::modules::life::sheets::compliance_xlsx(&st, u.scope(), org, year, u.lang)
        .await
        .map_err(|e| u.error(e))?;
    Ok(xlsx_response(
        bytes,
        &u.lang.tf("life.export_name", &[&year.to_string()]),
    ))
}

// ------------------------------------------------------------------------ calendar

pub struct CalCell {
    pub span: usize,
    pub class: &'static str,
    pub text: String,
    pub title: String,
}

pub struct CalRow {
    pub label: String,
    pub period: &'static str,
    pub cells: Vec<CalCell>,
}

#[derive(Template)]
#[template(path = "compliance_org.html")]
struct CalendarPage {
    ctx: Ctx,
    org_id: i64,
    year: i32,
    years: Vec<i32>,
    rows: Vec<CalRow>,
    months: Vec<String>,
    rate: String,
    may_record: bool,
}

async fn calendar(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let mut p = p.map_err(|e| u.error(e))?;
    let today = st.clock.today();
    let (year, _) = compliance_query(&mut p, today.year());
    let org = st.store.get_org(u.scope(), id).await.or_page(&u)?;
    let lang = u.lang;
    let report = st
        .store
        .compliance(u.scope(), Some(id), year, today)
        .await
        .or_page(&u)?;
    let obligations = st.store.list_obligations().await.or_page(&u)?;
    let mut rows = Vec::new();
    for ob in &obligations {
        let items: HashMap<&str, &domain::life::ComplianceItem> = report
            .items
            .iter()
            .filter(|i| i.party_org_id == id && i.obligation_id == ob.id)
            .map(|i| (i.period.as_str(), i))
            .collect();
        if items.is_empty() {
            continue;
        }
        let cells = Period::of_year(ob.period, year)
            .map(|p| {
                let span = p.months().count();
                match items.get(p.label().as_str()) {
                    Some(i) => CalCell {
                        span,
                        class: match i.status {
                            Status::Met => "met",
                            Status::Missed => "missed",
                            Status::Due => "due",
                            Status::Upcoming => "upcoming",
                        },
                        text: format!("{}/{}", i.done, i.required),
                        title: format!(
                            "{} · {}",
                            period_label(lang, &i.period),
                            lang.code_label("status", i.status.as_str())
                        ),
                    },
                    None => CalCell {
                        span,
                        class: "none",
                        text: String::new(),
                        title: period_label(lang, &p.label()),
                    },
                }
            })
            .collect();
        rows.push(CalRow {
            label: lang
                .code_label("activity_kind", ob.kind.as_str())
                .to_string(),
            period: lang.code_label("period_kind", ob.period.as_str()),
            cells,
        });
    }
    let s = &report.summary;
    let page = CalendarPage {
        ctx: u.item_ctx(
            "compliance",
            lang.tf("comp.calendar_title", &[&org.name, &year.to_string()]),
        ),
        org_id: id,
        year,
        years: (today.year() - 4..=today.year()).rev().collect(),
        rows,
        months: (1..=12)
            .map(|m| lang.tf("comp.month", &[&m.to_string()]))
            .collect(),
        rate: s
            .rate
            .map(|r| format!("{}%", percent(r)))
            .unwrap_or_else(|| "—".into()),
        may_record: may_record(&u),
    };
    Ok(html(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------- obligations

pub struct ObRow {
    pub o: domain::life::Obligation,
    pub kinds: Vec<(&'static str, &'static str, bool)>,
    pub kind_label: &'static str,
    pub period_label: &'static str,
}

#[derive(Template)]
#[template(path = "obligations.html")]
struct ObligationsPage {
    ctx: Ctx,
    rows: Vec<ObRow>,
    periods: Vec<(&'static str, &'static str)>,
    is_admin: bool,
    error: Option<String>,
}

async fn render_obligations(
    st: &AppState,
    u: &PageUser,
    status: StatusCode,
    msg: Option<&str>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let lang = u.lang;
    let rows = st
        .store
        .list_obligations()
        .await
        .or_page(u)?
        .into_iter()
        .map(|o| ObRow {
            kinds: OrgKind::CODES
                .iter()
                .map(|c| {
                    let on = o.org_kinds.iter().any(|k| k.as_str() == *c);
                    (*c, lang.code_label("org_kind", c), on)
                })
                .collect(),
            kind_label: lang.code_label("activity_kind", o.kind.as_str()),
            period_label: lang.code_label("period_kind", o.period.as_str()),
            o,
        })
        .collect();
    let page = ObligationsPage {
        ctx: u.section_ctx("obligations").with_flash(msg),
        rows,
        periods: PeriodKind::CODES
            .iter()
            .map(|c| (*c, lang.code_label("period_kind", c)))
            .collect(),
        is_admin: u.is_admin(),
        error,
    };
    Ok(html(status, &page))
}

async fn obligations(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let msg = p.ok().and_then(|p| p.str("msg").map(str::to_string));
    render_obligations(&st, &u, StatusCode::OK, msg.as_deref(), None).await
}

async fn update_obligation(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    // Several checkboxes share the name `org_kinds`: read the pairs, not a map.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| u.error(AppError::BadRequest("error.bad_request", e.to_string())))?;
    let form: HashMap<String, String> = pairs.iter().cloned().collect();
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let base = st.store.get_obligation(id).await.or_page(&u)?;
    u.require_admin()?;
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let min = f.int("min_count", Some(1), u.lang);
    let members = f.int("min_full_members", None, u.lang);
    let patch = ObligationPatch {
        period: f.opt("period"),
        min_count: min,
        org_kinds: Some(
            pairs
                .iter()
                .filter(|(k, _)| k == "org_kinds")
                .map(|(_, v)| v.clone())
                .collect(),
        ),
        min_full_members: Some(members),
        active_from: Some(f.opt("active_from")),
        ..Default::default()
    };
    match patch.apply(Some(&base.input())) {
        Ok(input) if f.ok() => {
            st.store
                .update_obligation(&u.actor(), id, &input)
                .await
                .or_page(&u)?;
            Ok(Redirect::to("/obligations?msg=saved").into_response())
        }
        Ok(_) => {
            let msg = f.errors.values().next().cloned();
            render_obligations(&st, &u, StatusCode::UNPROCESSABLE_ENTITY, None, msg).await
        }
        Err(e) => {
            let msg = e.0.iter().next().map(|(k, v)| {
                format!(
                    "{}：{}",
                    u.lang.t(&format!("ob.{k}")),
                    u.lang.field_error(v)
                )
            });
            render_obligations(&st, &u, StatusCode::UNPROCESSABLE_ENTITY, None, msg).await
        }
    }
}

// ------------------------------------------------------------------------ dashboard

#[derive(Template)]
#[template(path = "todo_panel.html")]
struct TodoPanel<'a> {
    ctx: &'a Ctx,
    t: Todo,
    scope_line: String,
    rate: String,
    /// Recent reminders: (date, text, missed).
    recent: Vec<(String, String, bool)>,
    may_record: bool,
}

/// The to-do panel of the dashboard (rendered into it).
pub async fn todo_panel(st: &AppState, u: &PageUser, ctx: &Ctx) -> Result<String, AppError> {
    let t = todo(st, &u.session.user, u.scope()).await?;
    let s = &t.scope;
    let scope_line = u.lang.tf(
        "todo.scope",
        &[
            &s.rate
                .map(|r| format!("{}%", percent(r)))
                .unwrap_or_else(|| "—".into()),
            &s.missed.to_string(),
            &s.due.to_string(),
        ],
    );
    let rate = s
        .rate
        .map(|r| format!("{}%", percent(r)))
        .unwrap_or_else(|| "—".into());
    let since = st.clock.today() - chrono::Days::new(14);
    let reminders = st.store.reminders(u.scope(), since, 5).await?;
    let ids: Vec<i64> = reminders.iter().map(|r| r.party_org_id).collect();
    let names = st.store.org_names(u.scope(), &ids).await?;
    let lang = u.lang;
    let recent = reminders
        .iter()
        .map(|r| {
            let missed = r.reason == store::life::ReminderReason::Missed;
            let text = format!(
                "{} · {}{} {}/{}",
                names.get(&r.party_org_id).map(String::as_str).unwrap_or(""),
                period_label(lang, &r.period),
                lang.code_label("activity_kind", r.kind.as_str()),
                r.done,
                r.required
            );
            (ctx.date(r.created_on), text, missed)
        })
        .collect();
    let panel = TodoPanel {
        ctx,
        rate,
        recent,
        t,
        scope_line,
        may_record: may_record(u),
    };
    panel
        .render()
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The period label of an item, for templates.
pub fn period_text(ctx: &Ctx, label: &str) -> String {
    period_label(ctx.lang, label)
}
