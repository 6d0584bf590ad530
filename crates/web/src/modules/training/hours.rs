//! M8 page: the yearly hours ledger — who is short and by how much, the share meeting the
//! requirement per position, the figures of the year, and its export.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use domain::training::Position;
use store::training::{HoursItem, HoursSummary};
use store::PageReq;

use crate::modules::registry::orgs::{org_choices, org_options, OrgOption};
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::session::{OrPage, PageError, PageUser};
use crate::ui::charts::{rate_bars, Datum};
use crate::ui::ctx::{html, percent, Ctx, FormState};
use crate::ui::list::{kept, Pager};
use crate::AppState;

use super::sheets::{hours_text, short_tenths};

domain::list_filter! {
    /// Filters of the hours ledger page.
    pub struct HoursFilter {
        /// the year (default: this year)
        year: i64,
        /// of this org's subtree
        party_org_id: i64,
        /// in this position
        position: Position,
        /// only those short of their hours (true) or only those who met them (false)
        short: bool,
        /// `shortfall`: the most hours short first; otherwise by org in tree order
        sort: String,
    }
}

/// One office-holder's row.
pub struct HoursRow {
    pub i: HoursItem,
    pub org_name: String,
    pub done: String,
    pub short: String,
    /// done / required, in percent up to 100 (for the bar).
    pub pct: i64,
}

/// The share of one position meeting the requirement.
pub struct PositionRate {
    pub label: &'static str,
    pub people: i64,
    pub met: i64,
    pub rate: String,
}

#[derive(Template)]
#[template(path = "training/hours.html")]
struct HoursPage {
    ctx: Ctx,
    year: i32,
    f: FormState,
    years: Vec<(String, String)>,
    orgs: Option<Vec<OrgOption>>,
    positions: Vec<(&'static str, &'static str)>,
    sorts: Vec<(&'static str, &'static str)>,
    summary: HoursSummary,
    rate: String,
    short_people: i64,
    short_hours: String,
    chart: String,
    by_position: Vec<PositionRate>,
    rows: Vec<HoursRow>,
    pager: Pager,
}

impl HoursPage {
    /// Whether a filter besides the year is set (keeps the filters open on a phone).
    fn filtered(&self) -> bool {
        ["party_org_id", "position", "short", "sort"]
            .iter()
            .any(|k| !self.f.v(k).is_empty())
    }
}

/// Rows of the ledger per page.
const ROWS: i64 = 50;

/// The year's items the filters keep, in the order asked, and the figures of those of the
/// year, org and position (the `short` filter narrows the list only).
async fn items(
    st: &AppState,
    u: &PageUser,
    filter: &HoursFilter,
) -> Result<(i32, Vec<HoursItem>, Vec<HoursItem>), PageError> {
    let year = super::api::hours_year(Some(filter.year.unwrap_or(st.clock.today().year() as i64)))
        .map_err(|e| u.error(e))?;
    let all = st
        .store
        .training_hours(u.scope(), year, filter.party_org_id)
        .await
        .or_page(u)?
        .items;
    let base: Vec<HoursItem> = all
        .into_iter()
        .filter(|i| filter.position.is_none_or(|p| i.position == p))
        .collect();
    let mut listed: Vec<HoursItem> = base
        .iter()
        .filter(|i| filter.short.is_none_or(|s| s != i.met))
        .cloned()
        .collect();
    if filter.sort.as_deref() == Some("shortfall") {
        // stable: within the same shortfall, the tree order stays
        listed.sort_by_key(|i| std::cmp::Reverse(short_tenths(i)));
    }
    Ok((year, base, listed))
}

fn summary_of(items: &[HoursItem]) -> HoursSummary {
    let people = items.len() as i64;
    let met = items.iter().filter(|i| i.met).count() as i64;
    HoursSummary {
        people,
        met,
        rate: if people > 0 {
            met as f64 / people as f64
        } else {
            0.0
        },
    }
}

fn rate_color(pct: i64) -> &'static str {
    if pct >= 90 {
        "#2e7d32"
    } else if pct >= 70 {
        "#c77700"
    } else {
        "#c8161d"
    }
}

pub(super) async fn ledger(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let filter: HoursFilter = p.filter();
    let page = p.i64("page").unwrap_or(1).max(1);
    let mut f = kept::<HoursFilter>(&p);
    p.finish().map_err(|e| u.error(e))?;
    let lang = u.lang;
    let (year, base, listed) = items(&st, &u, &filter).await?;
    f.set("year", year.to_string());
    let summary = summary_of(&base);
    let short: Vec<&HoursItem> = base.iter().filter(|i| !i.met).collect();
    let short_hours: i64 = short.iter().map(|i| short_tenths(i)).sum();
    let by_position: Vec<PositionRate> = Position::ALL
        .iter()
        .filter_map(|p| {
            let of: Vec<&HoursItem> = base.iter().filter(|i| i.position == *p).collect();
            if of.is_empty() {
                return None;
            }
            let met = of.iter().filter(|i| i.met).count() as i64;
            let people = of.len() as i64;
            Some(PositionRate {
                label: lang.code_label("position", p.as_str()),
                people,
                met,
                rate: format!("{}%", percent(met as f64 / people as f64)),
            })
        })
        .collect();
    let chart = if by_position.is_empty() {
        String::new()
    } else {
        rate_bars(
            "train-by-position",
            lang.t("train.hours.by_position"),
            &by_position
                .iter()
                .map(|r| {
                    let pct = r.met * 100 / r.people.max(1);
                    Datum {
                        label: r.label.to_string(),
                        value: pct,
                        color: rate_color(pct),
                    }
                })
                .collect::<Vec<_>>(),
        )
    };
    let req = PageReq {
        page,
        per_page: ROWS,
    };
    let shown: Vec<HoursItem> = listed
        .iter()
        .skip(req.offset() as usize)
        .take(ROWS as usize)
        .cloned()
        .collect();
    let ids: Vec<i64> = shown.iter().map(|i| i.party_org_id).collect();
    let names = st.store.org_names(u.scope(), &ids).await.or_page(&u)?;
    let pager = Pager::of::<HoursFilter>(
        lang,
        ("/training/hours", "/training/hours/export.xlsx"),
        &f,
        req,
        listed.len() as i64,
        shown.len(),
    );
    let rows = shown
        .into_iter()
        .map(|i| HoursRow {
            org_name: names.get(&i.party_org_id).cloned().unwrap_or_default(),
            done: hours_text((i.done * 10.0).round() as i64),
            short: hours_text(short_tenths(&i)),
            pct: if i.required > 0 {
                ((i.done * 100.0 / i.required as f64).round() as i64).min(100)
            } else {
                100
            },
            i,
        })
        .collect();
    let orgs = org_choices(&st, u.scope()).await.or_page(&u)?;
    let view = HoursPage {
        ctx: u.section_ctx("training_hours"),
        year,
        years: super::pages::years(st.clock.today()),
        orgs: orgs.map(|o| org_options(&o, lang)),
        positions: super::pages::positions(&u),
        sorts: vec![
            ("", lang.t("train.hours.sort_org")),
            ("shortfall", lang.t("train.hours.sort_shortfall")),
        ],
        rate: percent(summary.rate),
        short_people: short.len() as i64,
        short_hours: hours_text(short_hours),
        summary,
        chart,
        by_position,
        rows,
        pager,
        f,
    };
    Ok(html(StatusCode::OK, &view))
}

/// The ledger as people keep it (培训学时台账), with the page's filters and order.
pub(super) async fn export(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let filter: HoursFilter = p.filter();
    p.finish().map_err(|e| u.error(e))?;
    let (year, _, listed) = items(&st, &u, &filter).await?;
    let name = super::sheets::hours_sheet_name(year);
    let title = crate::modules::registry::api::ledger_title(&st, u.scope(), u.lang, &name)
        .await
        .map_err(|e| u.error(e))?;
    super::sheets::hours_xlsx(&st, u.scope(), name, listed, Some(title))
        .await
        .map_err(|e| u.error(e).into())
}
