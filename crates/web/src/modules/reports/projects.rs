//! The funded projects' ledger (budget, spending, execution and achievement) and one
//! project: its indicators, its expenditures with the form that adds one, and its periodic
//! report submissions.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::policy::Permission;
use domain::reports::ExpenditureInput;
use sheet::Cell;
use store::reports::{Expenditure, FundedProject, ProjectFilter, Submission, SubmissionFilter};
use store::PageReq;

use crate::modules::life::reminders::period_label;
use crate::modules::work::sheets::{columns, ledger};
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::session::{OrPage, PageError, PageUser};
use crate::ui::ctx::{html, parse_id, percent, Ctx, FormState};
use crate::ui::list::{kept, Pager};
use crate::AppState;

/// Yuan with two decimals and thousands separators: `86,000.50`.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    format!(
        "{sign}{}.{:02}",
        crate::ui::ctx::group((fen / 100) as i64),
        fen % 100
    )
}

fn fen(y: f64) -> i64 {
    (y * 100.0).round() as i64
}

#[derive(Template)]
#[template(path = "reports/projects.html")]
struct ProjectsPage {
    ctx: Ctx,
    rows: Vec<FundedProject>,
    pager: Pager,
    f: FormState,
}

impl ProjectsPage {
    fn money(&self, y: &f64) -> String {
        yuan(fen(*y))
    }
    fn pct(&self, r: &f64) -> String {
        percent(*r)
    }
    fn bar(&self, r: &f64) -> String {
        format!("{:.0}", (r * 100.0).clamp(0.0, 100.0))
    }
}

pub(super) async fn list(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let filter: ProjectFilter = p.filter();
    let page = p.page();
    let f = kept::<ProjectFilter>(&p);
    p.finish().map_err(|e| u.error(e))?;
    let res = st
        .store
        .list_projects(u.scope(), &filter, page)
        .await
        .or_page(&u)?;
    let pager = Pager::of::<ProjectFilter>(
        u.lang,
        ("/reports/projects", "/reports/projects/export.xlsx"),
        &f,
        page,
        res.total,
        res.items.len(),
    );
    let lang = u.lang;
    let title = lang.t("report.projects");
    let ctx = u.ctx(
        "reports",
        title,
        vec![
            crate::ui::ctx::Crumb::link(lang.t("nav.dashboard"), "/"),
            crate::ui::ctx::Crumb::link(lang.t("nav.reports"), "/reports"),
            crate::ui::ctx::Crumb::here(title),
        ],
    );
    let view = ProjectsPage {
        ctx,
        rows: res.items,
        pager,
        f,
    };
    Ok(html(StatusCode::OK, &view))
}

pub const PROJECT_HEADERS: [&str; 9] = [
    "项目名称",
    "所属社团",
    "项目计划",
    "年度",
    "预算（元）",
    "已支出（元）",
    "执行率（%）",
    "绩效达成率（%）",
    "编号",
];

/// The projects' ledger as people keep it (资助项目台账).
pub(super) async fn export(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let filter: ProjectFilter = p.filter();
    p.finish().map_err(|e| u.error(e))?;
    let mut rows = Vec::new();
    let mut page = 1;
    loop {
        let req = PageReq {
            page,
            per_page: PageReq::MAX_PER_PAGE,
        };
        let res = st
            .store
            .list_projects(u.scope(), &filter, req)
            .await
            .or_page(&u)?;
        let n = res.items.len();
        rows.extend(res.items);
        if n == 0 || rows.len() as i64 >= res.total {
            break;
        }
        page += 1;
    }
    let title = crate::modules::registry::api::ledger_title(&st, u.scope(), u.lang, "资助项目台账")
        .await
        .map_err(|e| u.error(e))?;
    crate::modules::registry::api::sheet_response("资助项目台账.xlsx", move || {
        let widths = [36.0, 32.0, 14.0, 8.0, 14.0, 14.0, 12.0, 14.0, 8.0];
        let cols: Vec<(&str, f64)> = PROJECT_HEADERS.iter().copied().zip(widths).collect();
        let data = rows.into_iter().map(|p| {
            vec![
                Cell::Text(p.title),
                Cell::Text(p.society),
                Cell::Text(
                    crate::platform::i18n::Lang::Zh
                        .code_label("programme", &p.programme)
                        .into(),
                ),
                Cell::Int(p.year as i64),
                Cell::Float(p.budget),
                Cell::Float(p.spent),
                Cell::Float((p.execution_rate * 1000.0).round() / 10.0),
                p.achievement_rate
                    .map(|r| Cell::Float((r * 1000.0).round() / 10.0))
                    .unwrap_or(Cell::Empty),
                Cell::Int(p.id),
            ]
        });
        ledger("资助项目台账", columns(&cols), Some(title))
            .write(data)
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| u.error(e).into())
}

/// A report submission of the project, as its page lists it.
pub struct ProjectReport {
    pub title: String,
    pub period: String,
    pub href: String,
    pub s: Submission,
}

#[derive(Template)]
#[template(path = "reports/project.html")]
struct ProjectPage {
    ctx: Ctx,
    p: FundedProject,
    expenditures: Vec<Expenditure>,
    reports: Vec<ProjectReport>,
    may_spend: bool,
    nf: FormState,
}

impl ProjectPage {
    fn money(&self, y: &f64) -> String {
        yuan(fen(*y))
    }
    fn pct(&self, r: &f64) -> String {
        percent(*r)
    }
    fn bar(&self, r: &f64) -> String {
        format!("{:.0}", (r * 100.0).clamp(0.0, 100.0))
    }
    fn rate(&self, r: f64) -> String {
        percent(r)
    }
    fn num(&self, x: &f64) -> String {
        if x.fract() == 0.0 {
            format!("{}", *x as i64)
        } else {
            format!("{x}")
        }
    }
}

async fn render(
    st: &AppState,
    u: &PageUser,
    id: i64,
    nf: FormState,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let p = st.store.get_project(u.scope(), id).await.or_page(u)?;
    let expenditures = st.store.list_expenditures(u.scope(), id).await.or_page(u)?;
    let filter = SubmissionFilter {
        funded_project_id: Some(id),
        ..Default::default()
    };
    let subs = st
        .store
        .list_submissions(
            u.scope(),
            &filter,
            st.clock.today(),
            PageReq {
                page: 1,
                per_page: 100,
            },
        )
        .await
        .or_page(u)?;
    let forms: HashMap<i64, String> = st
        .store
        .list_forms(PageReq {
            page: 1,
            per_page: PageReq::MAX_PER_PAGE,
        })
        .await
        .or_page(u)?
        .items
        .into_iter()
        .map(|f| (f.id, f.title))
        .collect();
    let reports = subs
        .items
        .into_iter()
        .map(|s| ProjectReport {
            title: forms.get(&s.form_id).cloned().unwrap_or_default(),
            period: period_label(u.lang, &s.period),
            href: super::pages::submission_href(&s),
            s,
        })
        .collect();
    let lang = u.lang;
    let ctx = u
        .ctx(
            "reports",
            p.title.clone(),
            vec![
                crate::ui::ctx::Crumb::link(lang.t("nav.dashboard"), "/"),
                crate::ui::ctx::Crumb::link(lang.t("nav.reports"), "/reports"),
                crate::ui::ctx::Crumb::link(lang.t("report.projects"), "/reports/projects"),
                crate::ui::ctx::Crumb::here(p.title.clone()),
            ],
        )
        .with_flash(msg);
    let page = ProjectPage {
        ctx,
        p,
        expenditures,
        reports,
        may_spend: u.allowed(Permission::ManageProjects),
        nf,
    };
    Ok(html(status, &page))
}

pub(super) async fn show(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let msg = p.ok().and_then(|p| p.str("msg").map(str::to_string));
    let mut nf = FormState::default();
    nf.set("spent_on", st.clock.today().to_string());
    render(&st, &u, id, nf, StatusCode::OK, msg.as_deref()).await
}

pub(super) async fn add_expenditure(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    st.store.get_project(u.scope(), id).await.or_page(&u)?;
    let actor = u.may(Permission::ManageProjects)?;
    let mut nf = FormState {
        values: form,
        ..Default::default()
    };
    let amount = match nf.opt("amount") {
        None => None,
        Some(raw) => match raw.replace([',', '，'], "").parse::<f64>() {
            Ok(a) => Some(a),
            Err(_) => {
                nf.error("amount", u.lang.t("report.not_number"));
                None
            }
        },
    };
    let input = ExpenditureInput {
        spent_on: nf.opt("spent_on"),
        amount,
        purpose: nf.opt("purpose"),
    };
    match input.validate(st.clock.today()) {
        Ok(e) if nf.ok() => match st.store.add_expenditure(&actor, u.scope(), id, e).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/reports/projects/{id}?msg=created")).into_response()
                )
            }
            Err(store::StoreError::Invalid(e)) => nf.store_errors(&e, u.lang),
            Err(e) => return Err(u.error(AppError::from(e)).into()),
        },
        Ok(_) => {}
        Err(e) => nf.store_errors(&e, u.lang),
    }
    render(&st, &u, id, nf, StatusCode::UNPROCESSABLE_ENTITY, None).await
}
