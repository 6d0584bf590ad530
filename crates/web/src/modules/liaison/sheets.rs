//! M9 sheets: the liaison list (every liaison in scope with its days and the last visit),
//! the visits, the research reports and the typical cases — each the rows its page's
//! filters keep, in the user's scope.

use axum::extract::State;
use axum::response::Response;
use sheet::{Cell, Column};
use store::liaison::{CaseFilter, ResearchReportFilter, VisitFilter};

use crate::modules::registry::api::{ledger_title, sheet_response};
use crate::modules::work::sheets::ledger;
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::i18n::Lang;
use crate::platform::session::{OrPage, PageError, PageUser};
use crate::AppState;

fn col(lang: Lang, key: &str, width: f64) -> Column {
    Column::new(lang.t(key)).with_width(width)
}

fn opt_text(v: Option<String>) -> Cell {
    v.map(Cell::Text).unwrap_or(Cell::Empty)
}

fn opt_date(v: Option<chrono::NaiveDate>) -> Cell {
    v.map(Cell::Date).unwrap_or(Cell::Empty)
}

async fn finish(
    st: &AppState,
    u: &PageUser,
    key: &str,
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
) -> Result<Response, PageError> {
    let lang = u.lang;
    let name = lang.t(key);
    let title = ledger_title(st, u.scope(), lang, name)
        .await
        .map_err(|e| u.error(e))?;
    sheet_response(&format!("{name}.xlsx"), move || {
        ledger(name, columns, Some(title))
            .write(rows)
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| u.error(e).into())
}

/// `GET /liaison/liaisons.xlsx`: every liaison in scope (current and ended).
pub(super) async fn export_liaisons(
    State(st): State<AppState>,
    u: PageUser,
) -> Result<Response, PageError> {
    let today = st.clock.today();
    let f = Default::default();
    let all = store::all_pages(|p| st.store.list_liaisons(u.scope(), &f, today, p))
        .await
        .or_page(&u)?;
    let lang = u.lang;
    let columns = vec![
        col(lang, "liaison.col.member", 16.0),
        col(lang, "liaison.col.org", 32.0),
        col(lang, "liaison.fld.since", 12.0),
        col(lang, "liaison.fld.until", 12.0),
        col(lang, "liaison.col.current", 8.0),
        col(lang, "liaison.col.last_visit", 12.0),
    ];
    let rows = all
        .into_iter()
        .map(|l| {
            vec![
                Cell::Text(l.username),
                Cell::Text(l.party_org_name),
                Cell::Date(l.since),
                opt_date(l.until),
                Cell::Text(
                    lang.t(if l.current { "common.yes" } else { "common.no" })
                        .into(),
                ),
                opt_date(l.last_visit_on),
            ]
        })
        .collect();
    finish(&st, &u, "liaison.sheet.liaisons", columns, rows).await
}

/// `GET /visits.xlsx`: the visits the list's filters keep, newest first.
pub(super) async fn export_visits(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let f: VisitFilter = p.filter();
    p.finish().map_err(|e| u.error(e))?;
    let all = store::all_pages(|pg| st.store.list_visits(u.scope(), &f, pg))
        .await
        .or_page(&u)?;
    let lang = u.lang;
    let columns = vec![
        col(lang, "liaison.fld.held_on", 12.0),
        col(lang, "liaison.col.member", 16.0),
        col(lang, "liaison.col.org", 32.0),
        col(lang, "liaison.fld.kind", 8.0),
        col(lang, "liaison.fld.notes", 48.0),
        col(lang, "liaison.col.attachments", 8.0),
    ];
    let rows = all
        .into_iter()
        .map(|v| {
            vec![
                Cell::Date(v.held_on),
                Cell::Text(v.username),
                Cell::Text(v.party_org_name),
                Cell::Text(lang.code_label("visit_kind", v.kind.as_str()).into()),
                opt_text(v.notes),
                Cell::Int(v.attachments),
            ]
        })
        .collect();
    finish(&st, &u, "liaison.sheet.visits", columns, rows).await
}

/// `GET /research-reports.xlsx`.
pub(super) async fn export_reports(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let f: ResearchReportFilter = p.filter();
    p.finish().map_err(|e| u.error(e))?;
    let all = store::all_pages(|pg| st.store.list_research_reports(u.scope(), &f, pg))
        .await
        .or_page(&u)?;
    let lang = u.lang;
    let columns = vec![
        col(lang, "liaison.fld.title", 36.0),
        col(lang, "liaison.fld.year", 8.0),
        col(lang, "liaison.fld.author", 14.0),
        col(lang, "liaison.fld.orgs", 40.0),
        col(lang, "liaison.fld.summary", 48.0),
        col(lang, "liaison.col.attachments", 8.0),
    ];
    let rows = all
        .into_iter()
        .map(|r| {
            let orgs: Vec<String> = r.party_orgs.into_iter().map(|o| o.name).collect();
            vec![
                Cell::Text(r.title),
                Cell::Int(r.year as i64),
                Cell::Text(r.author),
                Cell::Text(orgs.join("、")),
                opt_text(r.summary),
                Cell::Int(r.attachments),
            ]
        })
        .collect();
    finish(&st, &u, "liaison.sheet.reports", columns, rows).await
}

/// `GET /cases.xlsx`.
pub(super) async fn export_cases(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let f: CaseFilter = p.filter();
    p.finish().map_err(|e| u.error(e))?;
    let all = store::all_pages(|pg| st.store.list_cases(u.scope(), &f, pg))
        .await
        .or_page(&u)?;
    let lang = u.lang;
    let columns = vec![
        col(lang, "liaison.fld.title", 36.0),
        col(lang, "liaison.col.org", 32.0),
        col(lang, "liaison.fld.category", 10.0),
        col(lang, "liaison.fld.year", 8.0),
        col(lang, "liaison.col.published", 8.0),
        col(lang, "liaison.fld.summary", 48.0),
    ];
    let rows = all
        .into_iter()
        .map(|c| {
            vec![
                Cell::Text(c.title),
                Cell::Text(c.party_org_name),
                Cell::Text(lang.code_label("case_category", c.category.as_str()).into()),
                Cell::Int(c.year as i64),
                Cell::Text(
                    lang.t(if c.published {
                        "liaison.case.published"
                    } else {
                        "liaison.case.proposed"
                    })
                    .into(),
                ),
                opt_text(c.summary),
            ]
        })
        .collect();
    finish(&st, &u, "liaison.sheet.cases", columns, rows).await
}
