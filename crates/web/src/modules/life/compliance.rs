//! M2 pages: the compliance heat map (orgs × months, rates by kind, the lowest orgs) and each org's year calendar.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use domain::life::{Cell, Period, Status};

use crate::modules::life::api::compliance_query;
use crate::modules::life::reminders::period_label;
use crate::modules::registry::api::xlsx_response;
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::AppState;

use crate::modules::registry::orgs::{org_choices, org_options, OrgOption};
use crate::platform::session::{Item, OrPage, PageError, PageUser};
use crate::ui::charts::{rate_bars, Datum};
use crate::ui::ctx::{html, percent, Ctx, FormState};

use super::pages::*;

// ------------------------------------------------------------------------ heat map

pub struct HeatRow {
    pub org_id: i64,
    pub name: String,
    /// Class, title, and the link to the records behind the cell.
    pub cells: Vec<(String, String, String)>,
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
#[template(path = "life/compliance.html")]
pub(super) struct HeatPage {
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
pub(super) const HEAT_ROWS: usize = 100;

pub(super) fn cell_class(c: &Cell) -> &'static str {
    match c.status() {
        None => "none",
        Some(Status::Met) => "met",
        Some(Status::Missed) => "missed",
        Some(Status::Due) => "due",
        Some(Status::Upcoming) => "upcoming",
    }
}

/// The org's activities held in `from..=to` (of `kind`, if given): the records behind a
/// cell of the heat map or the calendar.
fn records_href(
    org: i64,
    kind: Option<&str>,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> String {
    let kind = kind.map(|k| format!("&kind={k}")).unwrap_or_default();
    format!("/activities?party_org_id={org}{kind}&from={from}&to={to}")
}

/// The days whose records a heat-map month's cell counts: from the start of the longest
/// period of the rules that ends in that month (a quarter in March, the year in December)
/// to the month's end.
fn month_span(
    kinds: &[domain::life::PeriodKind],
    year: i32,
    month: u32,
) -> (chrono::NaiveDate, chrono::NaiveDate) {
    let day = chrono::NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default();
    let to = Period::containing(domain::life::PeriodKind::Month, day).last_day();
    let from = kinds
        .iter()
        .map(|k| Period::containing(*k, day))
        .filter(|p| *p.months().end() == month)
        .map(|p| p.first_day())
        .min()
        .unwrap_or(day);
    (from, to)
}

pub(super) fn rate_text(met: i64, missed: i64) -> String {
    if met + missed == 0 {
        "—".into()
    } else {
        format!("{}%", percent(met as f64 / (met + missed) as f64))
    }
}

pub(super) async fn heat_map(
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
    let period_kinds: Vec<domain::life::PeriodKind> = st
        .store
        .list_obligations()
        .await
        .or_page(&u)?
        .iter()
        .map(|o| o.period)
        .collect();
    let spans: Vec<_> = (1..=12)
        .map(|m| month_span(&period_kinds, year, m))
        .collect();
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
                        let (from, to) = spans[m];
                        (
                            cell_class(c).to_string(),
                            title,
                            records_href(*id, None, from, to),
                        )
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

pub(super) async fn export(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let (year, org) = compliance_query(&mut p, st.clock.today().year());
    p.finish().map_err(|e| u.error(e))?;
    let title = crate::modules::registry::api::ledger_title(
        &st,
        u.scope(),
        u.lang,
        &u.lang.tf("life.export_name", &[&year.to_string()]),
    )
    .await
    .map_err(|e| u.error(e))?;
    let bytes = crate::modules::life::sheets::compliance_xlsx(
        &st,
        u.scope(),
        org,
        year,
        u.lang,
        Some(title),
    )
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
    /// The org's activities of the row's kind in the cell's period.
    pub href: String,
}

pub struct CalRow {
    pub label: String,
    pub period: &'static str,
    pub cells: Vec<CalCell>,
}

#[derive(Template)]
#[template(path = "life/compliance_org.html")]
pub(super) struct CalendarPage {
    ctx: Ctx,
    org_id: i64,
    year: i32,
    years: Vec<i32>,
    rows: Vec<CalRow>,
    months: Vec<String>,
    rate: String,
    may_record: bool,
}

pub(super) async fn calendar(
    State(st): State<AppState>,
    Item { u, id }: Item,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
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
                let href = records_href(id, Some(ob.kind.as_str()), p.first_day(), p.last_day());
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
                        href,
                    },
                    None => CalCell {
                        span,
                        class: "none",
                        text: String::new(),
                        title: period_label(lang, &p.label()),
                        href,
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
