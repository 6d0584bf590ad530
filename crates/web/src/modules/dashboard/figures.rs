//! The figures the dashboard and the big screen (`modules::screen`) both show, computed
//! once here so that the two never disagree: the same store calls, the same folding.

use domain::Coverage;
use store::PageReq;

use crate::platform::error::AppError;
use crate::platform::i18n::Lang;
use crate::ui::charts::{self, Datum};
use crate::ui::ctx::{group, percent};
use crate::AppState;

/// The societies by coverage, in [`Coverage::ALL`]'s order, as the coverage donut draws them.
pub fn coverage_data(lang: Lang, stats: &store::CoverageStats) -> Vec<Datum> {
    Coverage::ALL
        .iter()
        .map(|c| Datum {
            label: lang.code_label("coverage", c.as_str()).to_string(),
            value: stats.by_coverage.get(c.as_str()).copied().unwrap_or(0),
            color: coverage_color(*c),
        })
        .collect()
}

/// The coverage donut: the societies by coverage around the coverage rate (全覆盖).
pub fn coverage_chart(lang: Lang, stats: &store::CoverageStats, data: &[Datum]) -> String {
    charts::donut(
        "cov",
        lang.t("dash.chart.coverage"),
        &format!("{}%", percent(stats.coverage_rate)),
        lang.t("dash.kpi.coverage_rate"),
        data,
        &|n: i64| lang.tf("unit.societies", &[&group(n)]),
    )
}

pub fn coverage_color(c: Coverage) -> &'static str {
    match c {
        Coverage::OwnBranch => "#c8161d",
        Coverage::JointBranch => "#e8743b",
        Coverage::FunctionalBranch => "#d9a21b",
        Coverage::Instructor => "#5b7db1",
        Coverage::None => "#a9aeb8",
    }
}

/// This year's share of the office-holders in scope meeting the training requirement (M8).
pub async fn training_summary(
    st: &AppState,
    scope: &store::Scope,
) -> Result<store::training::HoursSummary, AppError> {
    use chrono::Datelike;
    Ok(st
        .store
        .training_summary(scope, st.clock.today().year())
        .await?)
}

/// M5 on the dashboard: completeness and timeliness of each form's latest period whose
/// deadline has passed (the current one while none has), and the funded projects of this
/// year with the lowest execution rate.
pub struct ReportsPanel {
    /// (title, period, completeness %, timeliness %, missing, href)
    pub forms: Vec<(String, String, i64, i64, i64, String)>,
    /// (title, society, execution %, href)
    pub projects: Vec<(String, String, i64, String)>,
}

/// Forms and projects shown on the dashboard.
const REPORTS_SHOWN: usize = 5;

pub async fn reports_panel(
    st: &AppState,
    scope: &store::Scope,
    lang: crate::platform::i18n::Lang,
) -> Result<ReportsPanel, crate::platform::error::AppError> {
    use chrono::Datelike;
    let today = st.clock.today();
    let forms = st
        .store
        .list_forms(PageReq {
            page: 1,
            per_page: 50,
        })
        .await?;
    let mut out = Vec::new();
    for f in forms.items.iter().take(REPORTS_SHOWN) {
        let def = f.def();
        let periods = def.periods(today);
        let Some(p) = periods
            .iter()
            .find(|p| def.due_on(p) < today)
            .or(periods.first())
        else {
            continue;
        };
        let label = p.label();
        let s = st
            .store
            .report_stats(scope, f.id, &label, None, today)
            .await?;
        out.push((
            f.title.clone(),
            crate::modules::life::reminders::period_label(lang, &label),
            (s.completeness_rate * 100.0).round() as i64,
            (s.timeliness_rate * 100.0).round() as i64,
            s.missing,
            format!("/reports/forms/{}", f.id),
        ));
    }
    let mut projects = st
        .store
        .list_projects(
            scope,
            &store::reports::ProjectFilter {
                year: Some(today.year() as i64),
                ..Default::default()
            },
            PageReq {
                page: 1,
                per_page: PageReq::MAX_PER_PAGE,
            },
        )
        .await?
        .items;
    projects.sort_by(|a, b| a.execution_rate.total_cmp(&b.execution_rate));
    Ok(ReportsPanel {
        forms: out,
        projects: projects
            .into_iter()
            .take(REPORTS_SHOWN)
            .map(|p| {
                (
                    p.title,
                    p.society,
                    (p.execution_rate * 100.0).round() as i64,
                    format!("/reports/projects/{}", p.id),
                )
            })
            .collect(),
    })
}
