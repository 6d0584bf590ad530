//! `GET /screen`: the big screen. A page of its own — dark, no navigation, a fixed grid of
//! panels that fills 1920×1080 without scrolling, its own stylesheet (`assets/screen.css`)
//! and no script: it reloads itself every five minutes (`<meta http-equiv="refresh">`).
//!
//! Who: the leadership's roles (`Permission::ViewScreen`: admin, committee, viewer), who see
//! the whole tree; anyone else is refused (403) — a branch has its own dashboard. Every
//! figure is the dashboard's: the same store calls and the shared folding in
//! `dashboard::figures` and `work::pages`; the screen adds the monthly compliance rates (the
//! heat map's columns), the grades — this year's open assessment so far against the current
//! grades (last year's finalized), or, with no assessment open, the current grades against
//! the end of last year — and the orgs most behind (`behind`).

use std::borrow::Borrow;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate, TimeZone};
use domain::ledger::ASSIGNMENTS;
use domain::policy::Permission;
use domain::Grade;

use super::behind::{self, Behind};
use crate::modules::dashboard::figures;
use crate::platform::i18n::Lang;
use crate::platform::session::{OrPage, PageError, PageUser};
use crate::ui::charts::{self, Datum};
use crate::ui::ctx::{group, html, percent, Ctx};
use crate::AppState;

/// Seconds between the page's reloads.
pub const REFRESH_SECS: u32 = 300;
/// Orgs in the most-behind list.
const BEHIND_SHOWN: usize = 10;
/// Campaigns and report forms listed (the panels hold no more at 1920×1080).
const CAMPAIGNS_SHOWN: usize = 4;
const FORMS_SHOWN: usize = 5;

/// A legend line: colour class, label, count.
pub struct Legend {
    pub code: String,
    pub label: String,
    pub value: String,
}

/// A grade's line: label, now, at the end of last year, the change.
pub struct GradeRow {
    pub code: &'static str,
    pub label: &'static str,
    pub now: i64,
    pub then: i64,
}

impl GradeRow {
    /// `+3`, `-2`, `0`.
    pub fn change(&self) -> String {
        let d = self.now - self.then;
        if d > 0 {
            format!("+{d}")
        } else {
            d.to_string()
        }
    }
    /// `up`, `down` or `same`.
    pub fn trend(&self) -> &'static str {
        match self.now.cmp(&self.then) {
            std::cmp::Ordering::Greater => "up",
            std::cmp::Ordering::Less => "down",
            std::cmp::Ordering::Equal => "same",
        }
    }
}

/// A report form's latest closed period (the dashboard's reports panel).
pub struct FormLine {
    pub title: String,
    pub period: String,
    pub complete: i64,
    pub timely: i64,
    pub missing: i64,
}

#[derive(Template)]
#[template(path = "screen/screen.html")]
struct ScreenPage {
    ctx: Ctx,
    refresh: u32,
    scope_note: String,
    /// When the figures were read, in the local zone.
    as_of: String,
    year: i32,
    // coverage
    cov: store::CoverageStats,
    cov_chart: String,
    /// Covered by an instructor only (工作覆盖), and its share of the societies.
    instructor: i64,
    instructor_rate: f64,
    // compliance
    comp_rate: String,
    comp: domain::life::Summary,
    comp_chart: Option<String>,
    // tasks and rectifications
    tasks: store::ledger::LedgerCounts,
    tasks_chart: String,
    tasks_legend: Vec<Legend>,
    rect: domain::work::RectStats,
    rect_chart: String,
    rect_legend: Vec<Legend>,
    // reports, training, campaigns
    forms: Vec<FormLine>,
    forms_more: usize,
    training: store::training::HoursSummary,
    training_chart: String,
    campaigns: Vec<store::campaigns::OpenCampaign>,
    campaigns_more: usize,
    // grades
    grades: Vec<GradeRow>,
    grades_chart: String,
    /// The grade table's two columns: (the counts shown, what they are compared with).
    grade_heads: (String, String),
    // the orgs most behind
    behind: Vec<Behind>,
}

/// Formatting for the template (which hands values over by reference or by value).
impl ScreenPage {
    /// A rate as a percent with one decimal.
    fn pct(&self, rate: impl Borrow<f64>) -> String {
        percent(*rate.borrow())
    }
    /// A meter's value: a rate in percent, at most 100.
    fn meter(&self, rate: impl Borrow<f64>) -> i64 {
        (rate.borrow() * 100.0).clamp(0.0, 100.0).round() as i64
    }
    /// A count with thousands separators.
    fn n(&self, v: impl Borrow<i64>) -> String {
        group(*v.borrow())
    }
}

fn task_color(state: &str) -> &'static str {
    match state {
        "assigned" => "#8c96a8",
        "reported" => "#4f8fe0",
        "accepted" => "#22b07d",
        _ => "#e0a526",
    }
}

fn grade_color(g: Option<Grade>) -> &'static str {
    match g {
        Some(Grade::A) => "#e8453c",
        Some(Grade::B) => "#f0a830",
        Some(Grade::C) => "#4f8fe0",
        None => "#6d7890",
    }
}

/// This year's open assessment in scope, if there is one: its grades so far
/// (the override, else the suggested grade).
async fn this_years_grades(
    st: &AppState,
    scope: &store::Scope,
    year: i32,
    today: chrono::NaiveDate,
) -> Result<Option<store::GradeCounts>, store::StoreError> {
    let schemes = st
        .store
        .list_schemes(store::PageReq {
            page: 1,
            per_page: 20,
        })
        .await?;
    let Some(scheme) = schemes
        .items
        .into_iter()
        .find(|s| s.year == year && !s.is_final())
    else {
        return Ok(None);
    };
    let counts = st.store.assessment_grades(scope, scheme.id, today).await?;
    Ok(Some(counts))
}

/// The end of 31 December of `year − 1` in the zone at `offset`: the instant the grades
/// are compared with (the last millisecond before the year began).
fn end_of_last_year(
    year: i32,
    offset: chrono::FixedOffset,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let first = NaiveDate::from_ymd_opt(year, 1, 1)?.and_hms_opt(0, 0, 0)?;
    let start = offset.from_local_datetime(&first).single()?;
    Some(start.with_timezone(&chrono::Utc) - chrono::Duration::milliseconds(1))
}

fn items(lang: Lang, n: i64) -> String {
    lang.tf("unit.items", &[&group(n)])
}

pub async fn show(State(st): State<AppState>, u: PageUser) -> Result<Response, PageError> {
    if !u.allowed(Permission::ViewScreen) {
        return Err(u.forbidden().into());
    }
    let lang = u.lang;
    let scope = u.scope();
    let now = st.clock.now();
    let today = st.clock.today();
    let year = today.year();
    // One read after the other: a request then keeps to one reader connection, whose memo
    // holds every figure until the next write (reads side by side landed on readers without
    // them and computed the same figures again, on 2 cores no sooner).
    let cov = st.store.coverage_stats(scope, None).await.or_page(&u)?;
    let heat = st
        .store
        .compliance_heat(scope, None, year, today)
        .await
        .or_page(&u)?;
    let tasks = st
        .store
        .ledger_counts(&ASSIGNMENTS, scope, today)
        .await
        .or_page(&u)?;
    let rect = st
        .store
        .rectification_stats(scope, None, today)
        .await
        .or_page(&u)?;
    let reports = figures::reports_panel(&st, scope, lang).await.or_page(&u)?;
    let training = figures::training_summary(&st, scope).await.or_page(&u)?;
    let campaigns = st
        .store
        .open_campaigns_progress(scope, today)
        .await
        .or_page(&u)?;
    // grades: with this year's assessment open, its grades so far against the current ones
    // (last year's finalized); otherwise the current grades against the end of last year
    let current = st.store.grade_counts(scope, None).await.or_page(&u)?;
    let (grades_now, grades_then, grade_heads) = match this_years_grades(&st, scope, year, today)
        .await
        .or_page(&u)?
    {
        Some(counts) => (
            counts,
            current,
            (
                lang.tf("screen.grades.this_year", &[&year.to_string()]),
                lang.t("screen.grades.current").to_string(),
            ),
        ),
        None => {
            let then = match end_of_last_year(year, st.clock.offset()) {
                Some(at) => st.store.grade_counts(scope, Some(at)).await.or_page(&u)?,
                None => store::GradeCounts::default(),
            };
            (
                current,
                then,
                (
                    lang.t("screen.grades.now").to_string(),
                    lang.tf("screen.grades.then", &[&(year - 1).to_string()]),
                ),
            )
        }
    };
    let behind = behind::counts(&st, scope, today).await.or_page(&u)?;
    let behind = behind::most_behind(&st, scope, &heat, &behind, BEHIND_SHOWN)
        .await
        .or_page(&u)?;

    // coverage: the dashboard's donut and its parts
    let cov_data = figures::coverage_data(lang, &cov);
    let cov_chart = figures::coverage_chart(lang, &cov, &cov_data);
    let instructor = cov.by_coverage.get("instructor").copied().unwrap_or(0);

    // compliance: the year's rate, and each month's that has ended
    let comp = heat.summary.clone();
    let comp_rate = comp.rate.map(percent).unwrap_or_else(|| "—".into());
    let months = heat.by_month();
    let ended = if today.month() > 1 {
        today.month() as usize - 1
    } else {
        0
    };
    let comp_chart = (ended > 0).then(|| {
        let values: Vec<i64> = months[..ended]
            .iter()
            .map(|(met, missed)| {
                if met + missed > 0 {
                    (*met as f64 * 100.0 / (met + missed) as f64).round() as i64
                } else {
                    0
                }
            })
            .collect();
        let short: Vec<String> = (1..=ended)
            .map(|m| lang.tf("comp.month", &[&m.to_string()]))
            .collect();
        let long: Vec<String> = (1..=ended)
            .map(|m| lang.tf("period.month", &[&year.to_string(), &m.to_string()]))
            .collect();
        charts::lines_to(
            "screen-comp",
            lang.t("screen.comp.chart"),
            &short,
            &long,
            &[charts::Series {
                label: lang.t("screen.comp.rate").to_string(),
                color: "#ff5a4f",
                values,
            }],
            &|v| format!("{v}%"),
            Some(100),
        )
    });

    // tasks by state (the task ledger's counts) and rectifications by state (the dashboard's)
    let task_data: Vec<Datum> = tasks
        .by_state
        .iter()
        .map(|(s, n)| Datum {
            label: lang.code_label("assignment_state", s).to_string(),
            value: *n,
            color: task_color(s),
        })
        .collect();
    let tasks_chart = charts::donut(
        "screen-tasks",
        lang.t("screen.tasks.title"),
        &format!(
            "{}%",
            percent(domain::work::rate(
                tasks.of(ASSIGNMENTS.final_state),
                tasks.total
            ))
        ),
        lang.t("screen.tasks.done_rate"),
        &task_data,
        &|n| items(lang, n),
    );
    let tasks_legend = tasks
        .by_state
        .iter()
        .map(|(s, n)| Legend {
            code: format!("task-{s}"),
            label: lang.code_label("assignment_state", s).to_string(),
            value: group(*n),
        })
        .collect();
    let rect_chart = crate::modules::work::pages::rect_chart(lang, &rect);
    let rect_legend = domain::work::RectificationState::ALL
        .iter()
        .map(|s| Legend {
            code: format!("rect-{}", s.as_str()),
            label: lang
                .code_label("rectification_state", s.as_str())
                .to_string(),
            value: group(crate::modules::work::pages::rect_count(&rect, *s)),
        })
        .collect();

    // reports: the dashboard's reports panel (each form's latest closed period)
    let forms_more = reports.forms.len().saturating_sub(FORMS_SHOWN);
    let forms = reports
        .forms
        .into_iter()
        .take(FORMS_SHOWN)
        .map(|(title, period, complete, timely, missing, _)| FormLine {
            title,
            period,
            complete,
            timely,
            missing,
        })
        .collect();

    // training: met and short
    let training_chart = charts::donut(
        "screen-training",
        lang.t("screen.training.title"),
        &format!("{}%", percent(training.rate)),
        lang.t("screen.training.rate"),
        &[
            Datum {
                label: lang.t("screen.training.met").to_string(),
                value: training.met,
                color: "#22b07d",
            },
            Datum {
                label: lang.t("screen.training.short").to_string(),
                value: training.people - training.met,
                color: "#e8743b",
            },
        ],
        &|n| lang.tf("screen.unit.people", &[&group(n)]),
    );

    let campaigns_more = campaigns.len().saturating_sub(CAMPAIGNS_SHOWN);
    let campaigns = campaigns.into_iter().take(CAMPAIGNS_SHOWN).collect();

    // grades: now, and at the end of last year (the same orgs)
    let grades: Vec<GradeRow> = [Some(Grade::A), Some(Grade::B), Some(Grade::C), None]
        .into_iter()
        .map(|g| GradeRow {
            code: g.map(|g| g.as_str()).unwrap_or("none"),
            label: lang.t(&format!(
                "screen.grade.{}",
                g.map(|g| g.as_str()).unwrap_or("none")
            )),
            now: grades_now.of(g),
            then: grades_then.of(g),
        })
        .collect();
    let graded = grades_now.total() - grades_now.ungraded;
    let grades_chart = charts::donut(
        "screen-grades",
        lang.t("screen.grades.title"),
        &group(graded),
        lang.t("screen.grades.graded"),
        &[Some(Grade::A), Some(Grade::B), Some(Grade::C), None]
            .into_iter()
            .zip(&grades)
            .map(|(g, r)| Datum {
                label: r.label.to_string(),
                value: r.now,
                color: grade_color(g),
            })
            .collect::<Vec<_>>(),
        &|n| lang.tf("screen.unit.orgs", &[&group(n)]),
    );

    let scope_note = match scope {
        store::Scope::All => lang.t("dash.scope.all").to_string(),
        store::Scope::Subtree { root, .. } => {
            let name = st
                .store
                .get_org(scope, *root)
                .await
                .map(|o| o.name)
                .unwrap_or_default();
            lang.tf("dash.scope.subtree", &[&name])
        }
    };
    let ctx = u.ctx("screen", lang.t("screen.title"), Vec::new());
    let page = ScreenPage {
        as_of: ctx.instant(&now),
        ctx,
        refresh: REFRESH_SECS,
        scope_note,
        year,
        instructor,
        instructor_rate: domain::work::rate(instructor, cov.societies),
        cov,
        cov_chart,
        comp_rate,
        comp,
        comp_chart,
        tasks,
        tasks_chart,
        tasks_legend,
        rect,
        rect_chart,
        rect_legend,
        forms,
        forms_more,
        training,
        training_chart,
        campaigns,
        campaigns_more,
        grades,
        grades_chart,
        grade_heads,
        behind,
    };
    Ok(html(StatusCode::OK, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_year_ends_at_local_midnight() {
        let beijing = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
        let at = end_of_last_year(2026, beijing).unwrap();
        assert_eq!(
            at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "2025-12-31T15:59:59.999Z"
        );
    }
}
