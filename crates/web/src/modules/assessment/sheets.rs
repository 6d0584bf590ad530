//! M6 sheets: a scheme's scoring table (考核评分表) — one row per assessed org in scope with
//! its parent, each leaf's score (headed by the leaf's name and points), the total, whether
//! it is complete, the suggested and the final grade and the override's reason — as the
//! API's export (header in row 1) and as the page's ledger (title rows, 序号).

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use sheet::{Cell, Column};
use store::assessment::AssessmentFilter;
use utoipa::OpenApi;

use crate::modules::registry::api::{ledger_title, sheet_response};
use crate::modules::work::sheets::{ledger, yes_no};
use crate::platform::auth::Caller;
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::Params;
use crate::platform::openapi::{E401, E404, E422};
use crate::platform::session::{PageError, PageUser};
use crate::AppState;

/// Its part of `/api/v1`.
pub fn api_router() -> Router<AppState> {
    Router::new().route("/export/assessments.xlsx", get(export_assessments))
}

#[derive(OpenApi)]
#[openapi(paths(export_assessments))]
pub(crate) struct AssessmentSheetsApi;

/// The columns before the leaves' and after them.
pub const HEADERS: [&str; 2] = ["党组织", "上级党组织"];
pub const TAIL_HEADERS: [&str; 5] = ["总分", "是否完整", "建议等次", "等次", "调整理由"];

/// A leaf's column header: its name and points, `三会一课落实（20分）`.
pub fn leaf_header(name: &str, points: f64) -> String {
    format!(
        "{name}（{}分）",
        domain::assessment::points_text((points * 10.0).round() as i64)
    )
}

fn scheme_param(p: &mut Params) -> Result<i64, AppError> {
    let id = p.i64("scheme_id");
    p.finish()?;
    id.ok_or_else(|| AppError::field("scheme_id", domain::FieldError::Required))
}

#[utoipa::path(
    get,
    path = "/export/assessments.xlsx",
    summary = "A scheme's scoring table (考核评分表) as xlsx: one row per assessed org in scope, as GET /assessments answers it, in tree order — 党组织, 上级党组织, one column per leaf headed `name（points分）` (empty: a manual leaf not scored yet), 总分, 是否完整, 建议等次, 等次, 调整理由",
    params(("scheme_id" = i64, Query, description = "the scheme (required)")),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), E401, E404, E422),
)]
pub async fn export_assessments(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<Response> {
    let id = scheme_param(&mut p)?;
    scoring_xlsx(&st, &caller.scope, id, None).await
}

/// `GET /export/assessments.xlsx?scheme_id=` of the pages: the ledger with its title rows.
pub(super) async fn page_export(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let id = scheme_param(&mut p).map_err(|e| u.error(e))?;
    let scheme = st.store.get_scheme(id).await.map_err(|e| u.error(e))?;
    let name = format!("{}·{}", scheme.title, u.lang.t("design.sheet"));
    let title = ledger_title(&st, u.scope(), u.lang, &name)
        .await
        .map_err(|e| u.error(e))?;
    scoring_xlsx(&st, u.scope(), id, Some(title))
        .await
        .map_err(|e| u.error(e).into())
}

pub async fn scoring_xlsx(
    st: &AppState,
    scope: &store::Scope,
    scheme_id: i64,
    title: Option<sheet::Title>,
) -> Result<Response, AppError> {
    let scheme = st.store.get_scheme(scheme_id).await?;
    let today = st.clock.today();
    let f = AssessmentFilter::default();
    let items = store::all_pages(|p| st.store.assessments(scope, scheme_id, &f, today, p)).await?;
    // the parent's name where the user may see it
    let orgs: HashMap<i64, (Option<i64>, String)> = st
        .store
        .all_orgs(scope)
        .await?
        .into_iter()
        .map(|o| (o.id, (o.parent_id, o.name)))
        .collect();
    let leaves: Vec<(i64, String)> = scheme
        .leaves()
        .map(|l| (l.id, leaf_header(&l.name, l.points)))
        .collect();
    let sheet_name = "考核评分表".to_string();
    let file = format!("{}_{sheet_name}.xlsx", scheme.title);
    sheet_response(&file, move || {
        let mut columns = vec![
            Column::new(HEADERS[0]).with_width(32.0),
            Column::new(HEADERS[1]).with_width(28.0),
        ];
        for (_, h) in &leaves {
            columns.push(Column::new(h.clone()).with_width(14.0));
        }
        for (h, w) in TAIL_HEADERS.iter().zip([10.0, 10.0, 10.0, 8.0, 36.0]) {
            columns.push(Column::new(*h).with_width(w));
        }
        let rows = items.into_iter().map(move |a| {
            let parent = orgs
                .get(&a.party_org_id)
                .and_then(|(parent, _)| *parent)
                .and_then(|parent| orgs.get(&parent))
                .map(|(_, n)| Cell::Text(n.clone()))
                .unwrap_or(Cell::Empty);
            let scores: HashMap<i64, Option<f64>> =
                a.scores.iter().map(|s| (s.indicator_id, s.score)).collect();
            let mut row = vec![Cell::Text(a.party_org_name), parent];
            for (id, _) in &leaves {
                row.push(match scores.get(id).copied().flatten() {
                    Some(x) => Cell::Float(x),
                    None => Cell::Empty,
                });
            }
            row.push(Cell::Float(a.total));
            row.push(yes_no(a.complete));
            row.push(Cell::Text(a.suggested_grade.as_str().into()));
            row.push(Cell::Text(a.grade.as_str().into()));
            row.push(a.grade_reason.map(Cell::Text).unwrap_or(Cell::Empty));
            row
        });
        ledger(&sheet_name, columns, title)
            .write(rows)
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
}
