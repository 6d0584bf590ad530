//! The dashboard (M11): key figures, coverage and sector charts, the should-establish list
//! and the rule checks, all for the user's scope.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::checks::Rule;
use domain::{Coverage, Sector, Society};
use store::{PageReq, SocietyFilter};

use super::figures;
use crate::modules::registry::api::{check_message, run_checks};
use crate::AppState;

use crate::platform::session::{OrPage, PageError, PageUser};
use crate::ui::charts::{self, Datum};
use crate::ui::ctx::{group, html, percent, Ctx};

pub struct Kpi {
    pub id: &'static str,
    pub label: &'static str,
    pub value: String,
    pub unit: &'static str,
    pub note: String,
    pub href: Option<String>,
    pub warn: bool,
}

pub struct CheckItem {
    pub message: String,
    pub href: Option<String>,
}

pub struct CheckGroup {
    pub rule: &'static str,
    pub title: &'static str,
    pub count: usize,
    /// `bad` (act now) or `warn`.
    pub level: &'static str,
    pub items: Vec<CheckItem>,
    pub more_href: Option<String>,
    pub more_text: String,
}

#[derive(Template)]
#[template(path = "dashboard/dashboard.html")]
struct DashboardPage {
    ctx: Ctx,
    kpis: Vec<Kpi>,
    coverage_chart: String,
    coverage_legend: Vec<(String, &'static str, String)>,
    sector_chart: String,
    should_establish: Vec<Society>,
    se_count: String,
    se_hint: String,
    se_more: String,
    checks: Vec<CheckGroup>,
    checks_count: String,
    scope_note: String,
    /// M2: the user's to-do (organizational life), rendered by `pages::life`.
    todo: String,
    /// M3/M4: tasks and rectifications, rendered by `pages::work`.
    work: String,
    /// A committee member's contact points and visits (M9).
    liaison: String,
    /// Those who oversee see the figures first and their to-do after them; a branch sees
    /// what it must do first.
    summary_first: bool,
    /// The last 12 months' work as a line chart, for those who oversee (else empty).
    trend: Option<Trend>,
    /// M5: each form's latest closed period, and the projects spending least.
    reports: figures::ReportsPanel,
    /// M8: this year's share of office-holders meeting the training requirement.
    training: store::training::HoursSummary,
    /// M7: the campaigns open today with their progress in the scope.
    campaigns: Vec<store::campaigns::OpenCampaign>,
}

/// The trend block: its chart and legend (label, colour class, total of the 12 months).
pub struct Trend {
    pub chart: String,
    pub legend: Vec<(String, &'static str, String)>,
}

/// Months of the dashboard's trend, this one included.
const TREND_MONTHS: u32 = 12;

/// The work of the last 12 months, month by month, in the user's scope: organizational-life
/// records held, tasks first reported on by their orgs, rectifications closed out (销号).
async fn trend(st: &AppState, u: &PageUser) -> Result<Trend, crate::platform::error::AppError> {
    use chrono::{Datelike, Months};
    let lang = u.lang;
    let today = st.clock.today();
    let this_month = today.with_day(1).unwrap_or(today);
    let from = this_month
        .checked_sub_months(Months::new(TREND_MONTHS - 1))
        .unwrap_or(this_month);
    let months: Vec<chrono::NaiveDate> = (0..TREND_MONTHS)
        .filter_map(|i| from.checked_add_months(Months::new(i)))
        .collect();
    let mut held = Vec::with_capacity(months.len());
    for m in &months {
        let end = m
            .checked_add_months(Months::new(1))
            .and_then(|d| d.pred_opt())
            .unwrap_or(*m);
        let f = store::life::ActivityFilter {
            from: Some(*m),
            to: Some(end),
            ..Default::default()
        };
        let page = PageReq {
            page: 1,
            per_page: 1,
        };
        held.push(st.store.list_activities(u.scope(), &f, page).await?.total);
    }
    let tasks = st
        .store
        .ledger_by_month(&domain::ledger::ASSIGNMENTS, u.scope(), from, today)
        .await?;
    let rects = st
        .store
        .ledger_by_month(&domain::ledger::RECTIFICATIONS, u.scope(), from, today)
        .await?;
    let per_month = |rows: &[store::ledger::LedgerMonth],
                     f: &dyn Fn(&store::ledger::LedgerMonth) -> i64| {
        months
            .iter()
            .map(|m| {
                let key = m.format("%Y-%m").to_string();
                rows.iter().find(|r| r.month == key).map(f).unwrap_or(0)
            })
            .collect::<Vec<i64>>()
    };
    let series = vec![
        charts::Series {
            label: lang.t("dash.trend.activities").to_string(),
            color: "#c8161d",
            values: held,
        },
        charts::Series {
            label: lang.t("dash.trend.reports").to_string(),
            color: "#2f6fb5",
            values: per_month(&tasks, &|r| r.answered),
        },
        charts::Series {
            label: lang.t("dash.trend.closed").to_string(),
            color: "#1f9d74",
            values: per_month(&rects, &|r| r.closed.unwrap_or(0)),
        },
    ];
    let short: Vec<String> = months
        .iter()
        .map(|m| lang.tf("comp.month", &[&m.month().to_string()]))
        .collect();
    let long: Vec<String> = months
        .iter()
        .map(|m| {
            lang.tf(
                "period.month",
                &[&m.year().to_string(), &m.month().to_string()],
            )
        })
        .collect();
    let unit = |n: i64| lang.tf("unit.items", &[&group(n)]);
    let chart = charts::lines(
        "trend",
        lang.t("dash.trend.title"),
        &short,
        &long,
        &series,
        &unit,
    );
    let legend = series
        .iter()
        .zip(["activities", "reports", "closed"])
        .map(|(s, code)| {
            (
                s.label.clone(),
                code,
                lang.tf("dash.trend.total", &[&group(s.values.iter().sum())]),
            )
        })
        .collect();
    Ok(Trend { chart, legend })
}

fn sector_color(s: Sector) -> &'static str {
    match s {
        Sector::IntelligentTech => "#2f6fb5",
        Sector::LifeHealth => "#1f9d74",
        Sector::GreenLowCarbon => "#5c9e31",
        Sector::Frontier => "#8a4fb3",
        Sector::Other => "#8a919c",
    }
}

/// At most this many findings are listed per rule; the rest are behind a link.
const CHECKS_SHOWN: usize = 5;
/// Societies of the should-establish list shown on the home; the rest behind a link.
const SHOULD_ESTABLISH_SHOWN: i64 = 5;

pub async fn show(State(st): State<AppState>, u: PageUser) -> Result<Response, PageError> {
    let lang = u.lang;
    let scope = u.scope();
    let stats = st.store.coverage_stats(scope, None).await.or_page(&u)?;
    let orgs_total = st.store.org_count(scope).await.or_page(&u)?;
    let se = st
        .store
        .list_societies(
            scope,
            &SocietyFilter {
                should_establish: Some(true),
                ..Default::default()
            },
            PageReq {
                page: 1,
                per_page: SHOULD_ESTABLISH_SHOWN,
            },
        )
        .await
        .or_page(&u)?;
    let checks = run_checks(&st, scope).await.or_page(&u)?;

    let unit_soc = |n: i64| lang.tf("unit.societies", &[&group(n)]);
    let kpis = vec![
        Kpi {
            id: "kpi-societies",
            label: lang.t("dash.kpi.societies"),
            value: group(stats.societies),
            unit: lang.t("dash.unit.societies"),
            note: lang.tf("dash.kpi.covered", &[&group(stats.covered)]),
            href: Some("/societies".into()),
            warn: false,
        },
        Kpi {
            id: "kpi-coverage",
            label: lang.t("dash.kpi.coverage_rate"),
            value: percent(stats.coverage_rate),
            unit: "%",
            note: lang.tf(
                "dash.kpi.uncovered",
                &[&group(stats.societies - stats.covered)],
            ),
            href: Some("/societies?coverage=none".into()),
            warn: stats.covered < stats.societies,
        },
        Kpi {
            id: "kpi-charter",
            label: lang.t("dash.kpi.charter_rate"),
            value: percent(stats.charter_rate),
            unit: "%",
            note: lang.t("dash.kpi.charter_note").into(),
            href: None,
            warn: false,
        },
        Kpi {
            id: "kpi-should-establish",
            label: lang.t("dash.kpi.should_establish"),
            value: group(stats.should_establish),
            unit: lang.t("dash.unit.societies"),
            note: lang.t("dash.kpi.should_establish_note").into(),
            href: Some("/societies?should_establish=true".into()),
            warn: stats.should_establish > 0,
        },
        Kpi {
            id: "kpi-orgs",
            label: lang.t("dash.kpi.orgs"),
            value: group(orgs_total),
            unit: lang.t("dash.unit.orgs"),
            note: String::new(),
            href: Some("/orgs".into()),
            warn: false,
        },
    ];

    let total = stats.societies;
    let cov_data = figures::coverage_data(lang, &stats);
    let coverage_legend = Coverage::ALL
        .iter()
        .zip(&cov_data)
        .map(|(c, d)| {
            let pct = if total > 0 {
                format!("{:.1}", d.value as f64 * 100.0 / total as f64)
            } else {
                "0.0".into()
            };
            (
                d.label.clone(),
                c.as_str(),
                format!("{} · {pct}%", unit_soc(d.value)),
            )
        })
        .collect();
    let coverage_chart = figures::coverage_chart(lang, &stats, &cov_data);
    let sec_data: Vec<Datum> = Sector::ALL
        .iter()
        .map(|s| Datum {
            label: lang.code_label("sector", s.as_str()).to_string(),
            value: stats.by_sector.get(s.as_str()).copied().unwrap_or(0),
            color: sector_color(*s),
        })
        .collect();
    let sector_chart = charts::bars("sec", lang.t("dash.chart.sector"), &sec_data, &unit_soc);

    let checks_count = lang.tf("unit.items", &[&group(checks.len() as i64)]);
    let mut groups = Vec::new();
    for rule in Rule::ALL {
        let of_rule: Vec<_> = checks.iter().filter(|c| c.rule == *rule).collect();
        if of_rule.is_empty() {
            continue;
        }
        let items = of_rule
            .iter()
            .take(CHECKS_SHOWN)
            .map(|c| CheckItem {
                message: check_message(c, lang),
                href: match (c.society_id, c.party_org_id) {
                    // the channel checks lead to the society's channels in the register
                    (Some(s), _) if matches!(rule, Rule::ChannelWithoutPlan) => {
                        Some(format!("/channels?society_id={s}&without_plan=true"))
                    }
                    (Some(s), _) if matches!(rule, Rule::ChannelReviewOverdue) => {
                        Some(format!("/channels?society_id={s}&review_overdue=true"))
                    }
                    (Some(s), _) => Some(format!("/societies/{s}")),
                    (None, Some(o)) => Some(format!("/orgs/{o}")),
                    _ => None,
                },
            })
            .collect();
        let more_href = match rule {
            Rule::Uncovered => Some("/societies?coverage=none".to_string()),
            Rule::ShouldEstablish => Some("/societies?should_establish=true".to_string()),
            Rule::ChannelWithoutPlan => Some("/channels?without_plan=true".to_string()),
            Rule::ChannelReviewOverdue => Some("/channels?review_overdue=true".to_string()),
            _ => Some("/orgs".to_string()),
        }
        .filter(|_| of_rule.len() > CHECKS_SHOWN);
        groups.push(CheckGroup {
            rule: rule.as_str(),
            title: lang.t(&format!("rule.{}", rule.as_str())),
            count: of_rule.len(),
            level: match rule {
                Rule::Uncovered | Rule::TermExpired | Rule::ShouldEstablish => "bad",
                _ => "warn",
            },
            items,
            more_text: lang.tf("dash.checks.more", &[&group(of_rule.len() as i64)]),
            more_href,
        });
    }

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
    let ctx = u.ctx("dashboard", lang.t("nav.dashboard"), Vec::new());
    let todo = crate::modules::life::pages::todo_panel(&st, &u, &ctx)
        .await
        .or_page(&u)?;
    let work = crate::modules::work::pages::dashboard_panel(&st, &u, &ctx)
        .await
        .or_page(&u)?;
    let liaison = crate::modules::liaison::pages::dashboard_panel(&st, &u, &ctx)
        .await
        .or_page(&u)?;
    let summary_first =
        crate::platform::ledger::side_of(&u.session.user) == domain::ledger::Side::Reviewer;
    let trend = if summary_first {
        Some(trend(&st, &u).await.or_page(&u)?)
    } else {
        None
    };
    let reports = figures::reports_panel(&st, scope, lang).await.or_page(&u)?;
    let training = figures::training_summary(&st, scope).await.or_page(&u)?;
    let campaigns = st
        .store
        .open_campaigns_progress(scope, st.clock.today())
        .await
        .or_page(&u)?;
    let page = DashboardPage {
        campaigns,
        training,
        reports,
        summary_first,
        trend,
        todo,
        work,
        liaison,
        ctx,
        kpis,
        coverage_chart,
        coverage_legend,
        sector_chart,
        should_establish: se.items,
        se_count: unit_soc(se.total),
        se_hint: lang.tf(
            "dash.se.hint",
            &[&st.config.rules.establish_threshold.to_string()],
        ),
        se_more: lang.tf("dash.se.more", &[&group(se.total)]),
        checks: groups,
        checks_count,
        scope_note,
    };
    Ok(html(StatusCode::OK, &page))
}
