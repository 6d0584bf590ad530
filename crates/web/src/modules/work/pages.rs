//! M3/M4 pages: work plans (import with a confirmation step), tasks, the task and
//! rectification ledgers, assignment and rectification pages with their forms, inspections,
//! each org's inbox, and bulletin previews.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use domain::ledger::{LedgerKind, Side};
use domain::work::RectificationState;
use store::ledger::LedgerRow;
use store::StoreError;

use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::i18n::Lang;
use crate::AppState;

use crate::platform::session::{OrPage, PageError, PageUser};
use crate::ui::ctx::{group, html, Ctx, FormState};
use crate::ui::ledger::ledger_pages;

use super::{answers::*, bulletins::*, plans::*, supervision::*};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/work-plans", get(plans).post(save_plan))
        .route("/work-plans/preview", post(preview_plan))
        .route("/work-plans/{id}", get(plan))
        .route("/work-plans/{id}/edit", post(edit_plan))
        .route("/work-plans/{id}/delete", post(delete_plan))
        .route("/tasks", get(tasks).post(create_task))
        .route("/tasks/new", get(new_task))
        .route("/tasks/export.xlsx", get(export_tasks))
        .route("/rectifications", get(rectifications))
        .route("/rectifications/export.xlsx", get(export_rectifications))
        .route("/inspections", get(inspections).post(create_inspection))
        .route("/inspections/{id}", get(inspection))
        .route("/inspections/{id}/findings", post(add_finding))
        .route("/findings", post(add_own_finding))
        .route("/inbox", get(inbox))
        .route(
            "/bulletins/rectification",
            get(rect_bulletin_page).post(rect_bulletin_preview),
        )
        .route(
            "/bulletins/tasks",
            get(task_bulletin_page).post(task_bulletin_preview),
        )
        .route(
            "/bulletins/rectification.docx",
            get(rect_bulletin_docx).post(rect_bulletin_issue),
        )
        .route(
            "/bulletins/tasks.docx",
            get(task_bulletin_docx).post(task_bulletin_issue),
        )
        .route("/bulletins/preview.css", get(preview_css))
        .merge(ledger_pages::<AssignmentPage>())
        .merge(ledger_pages::<RectPage>())
}

pub(super) fn codes(
    lang: Lang,
    group: &str,
    codes: &[&'static str],
) -> Vec<(&'static str, &'static str)> {
    codes
        .iter()
        .map(|c| (*c, lang.code_label(group, c)))
        .collect()
}

pub(super) fn params(p: Result<Params, AppError>, u: &PageUser) -> Result<Params, PageError> {
    p.map_err(|e| u.error(e).into())
}

/// Field errors of a store call, or an error page.
pub(super) fn store_error(u: &PageUser, f: &mut FormState, e: StoreError) -> Result<(), PageError> {
    match e {
        StoreError::Invalid(fe) => {
            f.store_errors(&fe, u.lang);
            Ok(())
        }
        StoreError::Conflict(_) => {
            f.error("state", u.lang.t("work.state_changed"));
            Ok(())
        }
        e => Err(u.error(e).into()),
    }
}

pub(super) async fn org_names(
    st: &AppState,
    u: &PageUser,
    ids: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, String>, PageError> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    st.store.org_names(u.scope(), &ids).await.or_page(u)
}

// ---------------------------------------------------------------- inbox

/// One registered ledger's records waiting on this user.
pub(super) struct InboxSection {
    kind: &'static LedgerKind,
    side: Side,
    rows: Vec<(LedgerRow, String)>,
    total: i64,
}

impl InboxSection {
    /// `ledger.{entity}.inbox_org` / `…inbox_reviewer` and their empty texts.
    fn key(&self, what: &str) -> String {
        format!("ledger.{}.{what}_{}", self.kind.entity, self.side.as_str())
    }
    fn state_group(&self) -> String {
        format!("{}_state", self.kind.entity)
    }
}

#[derive(Template)]
#[template(path = "work/inbox.html")]
pub(super) struct InboxPage {
    ctx: Ctx,
    sections: Vec<InboxSection>,
    today: chrono::NaiveDate,
}

impl InboxPage {
    /// Days left until `due` (negative: overdue).
    fn days_left(&self, due: &chrono::NaiveDate) -> i64 {
        (*due - self.today).num_days()
    }
}

/// What waits on this user in every registered ledger, soonest deadline first: a branch's
/// records to report or fix, the committee's reports to review, the inspectors'
/// rectifications to verify.
pub(super) async fn inbox(State(st): State<AppState>, u: PageUser) -> Result<Response, PageError> {
    let today = st.clock.today();
    let side = crate::platform::ledger::side_of(&u.session.user);
    let found = crate::platform::ledger::waiting_rows(&st, &u.session.user, u.scope(), 200)
        .await
        .map_err(|e| u.error(e))?;
    let mut sections = Vec::new();
    for (w, rows) in found {
        let Some(kind) = domain::ledger::REGISTERED
            .into_iter()
            .find(|k| k.entity == w.kind)
        else {
            continue;
        };
        let names = org_names(&st, &u, rows.iter().map(|r| r.party_org_id)).await?;
        sections.push(InboxSection {
            kind,
            side,
            total: w.total,
            rows: rows
                .into_iter()
                .map(|r| {
                    let name = names.get(&r.party_org_id).cloned().unwrap_or_default();
                    (r, name)
                })
                .collect(),
        });
    }
    let view = InboxPage {
        ctx: u.section_ctx("inbox"),
        sections,
        today,
    };
    Ok(html(StatusCode::OK, &view))
}

// ---------------------------------------------------------------- dashboard block

/// An org named as behind: its late records in each registered ledger.
pub(super) struct Behind {
    org_id: i64,
    name: String,
    total: i64,
    per_kind: Vec<(&'static LedgerKind, i64)>,
}

/// The `limit` orgs with the most late records over every registered ledger (lateness is
/// the org's own delay, never the reviewer's: API.md `late`).
pub(super) async fn most_behind(
    st: &AppState,
    u: &PageUser,
    today: chrono::NaiveDate,
    limit: usize,
) -> Result<Vec<Behind>, AppError> {
    let mut by_org: HashMap<i64, Vec<(&'static LedgerKind, i64)>> = HashMap::new();
    for kind in domain::ledger::REGISTERED {
        for (org, n) in st
            .store
            .ledger_most_late(kind, u.scope(), today, limit)
            .await?
        {
            by_org.entry(org).or_default().push((kind, n));
        }
    }
    let ids: Vec<i64> = by_org.keys().copied().collect();
    let names = st.store.org_names(u.scope(), &ids).await?;
    let mut out: Vec<Behind> = by_org
        .into_iter()
        .map(|(org_id, per_kind)| Behind {
            org_id,
            name: names.get(&org_id).cloned().unwrap_or_default(),
            total: per_kind.iter().map(|(_, n)| n).sum(),
            per_kind,
        })
        .collect();
    out.sort_by(|a, b| b.total.cmp(&a.total).then(a.org_id.cmp(&b.org_id)));
    out.truncate(limit);
    Ok(out)
}

#[derive(Template)]
#[template(path = "work/dashboard.html")]
pub(super) struct DashboardPanel<'a> {
    ctx: &'a Ctx,
    /// Each registered ledger's counts (late, overdue, total).
    ledgers: Vec<(&'static LedgerKind, store::ledger::LedgerCounts)>,
    /// The orgs most behind (most late records over every ledger), for those who oversee.
    behind: Vec<Behind>,
    r: domain::work::RectStats,
    chart: String,
    legend: Vec<(&'static str, &'static str, i64)>,
}

pub fn rect_color(s: RectificationState) -> &'static str {
    match s {
        RectificationState::Open => "#a9aeb8",
        RectificationState::Submitted => "#5b7db1",
        RectificationState::Returned => "#d9a21b",
        RectificationState::Verified => "#1f9d74",
    }
}

/// The rectifications in `state` of the figures.
pub fn rect_count(r: &domain::work::RectStats, state: RectificationState) -> i64 {
    match state {
        RectificationState::Open => r.open,
        RectificationState::Submitted => r.submitted,
        RectificationState::Returned => r.returned,
        RectificationState::Verified => r.verified,
    }
}

/// The rectifications by state as a donut around the share closed out (销号): the
/// dashboard's and the big screen's.
pub fn rect_chart(lang: crate::platform::i18n::Lang, r: &domain::work::RectStats) -> String {
    let data: Vec<crate::ui::charts::Datum> = RectificationState::ALL
        .iter()
        .map(|s| crate::ui::charts::Datum {
            label: lang
                .code_label("rectification_state", s.as_str())
                .to_string(),
            value: rect_count(r, *s),
            color: rect_color(*s),
        })
        .collect();
    crate::ui::charts::donut(
        "rect",
        lang.t("dash.work.chart"),
        &format!("{:.1}%", domain::work::rate(r.verified, r.total) * 100.0),
        lang.t("dash.work.closed_rate"),
        &data,
        &|n: i64| lang.tf("unit.items", &[&group(n)]),
    )
}

/// The M3/M4 block of the dashboard: overdue tasks and rectifications, on-time rate,
/// median days to close, and the rectifications by state as a chart.
pub async fn dashboard_panel(st: &AppState, u: &PageUser, ctx: &Ctx) -> Result<String, AppError> {
    let today = st.clock.today();
    let r = st.store.rectification_stats(u.scope(), None, today).await?;
    let mut ledgers = Vec::new();
    for kind in domain::ledger::REGISTERED {
        ledgers.push((kind, st.store.ledger_counts(kind, u.scope(), today).await?));
    }
    let behind = if crate::platform::ledger::side_of(&u.session.user) == Side::Reviewer {
        most_behind(st, u, today, 10).await?
    } else {
        Vec::new()
    };
    let lang = u.lang;
    let chart = rect_chart(lang, &r);
    let legend = RectificationState::ALL
        .iter()
        .map(|s| {
            (
                s.as_str(),
                lang.code_label("rectification_state", s.as_str()),
                rect_count(&r, *s),
            )
        })
        .collect();
    let panel = DashboardPanel {
        ctx,
        ledgers,
        behind,
        r,
        chart,
        legend,
    };
    panel
        .render()
        .map_err(|e| AppError::Internal(e.to_string()))
}
