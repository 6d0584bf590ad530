//! M3 pages: work plans (import with a confirmation step), the task form and the task ledger.

use domain::policy::Permission;
use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::work::{AssignmentState, TaskInput};
use domain::workplan::ParsedPlan;
use store::work::{Assignment, ItemProgress, LedgerSort, Task, WorkPlan};
use store::PageReq;

use crate::modules::work::api::{self as api, assignment_filter, new_plan, parse_plan};
use crate::modules::work::sheets as work_io;
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::files;
use crate::platform::i18n::Lang;
use crate::AppState;

use crate::modules::registry::orgs::{org_choices, org_options, OrgOption};
use crate::platform::session::{Item, OrPage, PageError, PageUser};
use crate::ui::ctx::{html, Ctx, FormState};
use crate::ui::list::{kept, Pager};

use super::pages::*;

// ---------------------------------------------------------------- work plans

#[derive(Template)]
#[template(path = "work/plans.html")]
pub(super) struct PlansPage {
    ctx: Ctx,
    plans: Vec<store::work::PlanSummary>,
    may_plan: bool,
    f: FormState,
}

pub(super) async fn render_plans(
    st: &AppState,
    u: &PageUser,
    f: FormState,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let plans = all_plans(st).await.or_page(u)?;
    let page = PlansPage {
        ctx: u.section_ctx("work_plans").with_flash(msg),
        plans,
        may_plan: u.allowed(Permission::PlanWork),
        f,
    };
    Ok(html(status, &page))
}

pub(super) async fn plans(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let p = params(p, &u)?;
    let msg = p.str("msg").map(str::to_string);
    render_plans(
        &st,
        &u,
        FormState::default(),
        StatusCode::OK,
        msg.as_deref(),
    )
    .await
}

#[derive(Template)]
#[template(path = "work/plan_preview.html")]
pub(super) struct PreviewPage {
    ctx: Ctx,
    parsed: ParsedPlan,
    warnings: Vec<String>,
    f: FormState,
}

/// The text of the import form: the uploaded file, else the pasted text.
pub(super) async fn plan_form(
    st: &AppState,
    u: &PageUser,
    mp: Multipart,
) -> Result<(FormState, Option<String>), PageError> {
    let form = files::Form::read(mp, st.config.max_upload_bytes)
        .await
        .map_err(|e| u.error(e))?;
    u.may(Permission::PlanWork)?;
    let mut f = FormState {
        values: form.fields,
        ..Default::default()
    };
    let text = match form.files.into_iter().next() {
        Some((_, bytes)) => match work_io::plan_text(&bytes) {
            Ok(t) => Some(t),
            Err(e) => {
                f.error("file", e.message(u.lang, &u.request_id).0);
                None
            }
        },
        None => f.opt("text"),
    };
    if text.is_none() && f.ok() {
        f.error("text", u.lang.t("field.required"));
    }
    Ok((f, text))
}

pub(super) async fn preview_plan(
    State(st): State<AppState>,
    u: PageUser,
    mp: Multipart,
) -> Result<Response, PageError> {
    let (mut f, text) = plan_form(&st, &u, mp).await?;
    let Some(text) = text else {
        return render_plans(&st, &u, f, StatusCode::UNPROCESSABLE_ENTITY, None).await;
    };
    let parsed = match parse_plan(&text, "text", u.lang) {
        Ok(p) => p,
        Err(AppError::Validation(e)) => {
            f.store_errors(&e, u.lang);
            return render_plans(&st, &u, f, StatusCode::UNPROCESSABLE_ENTITY, None).await;
        }
        Err(e) => return Err(u.error(e).into()),
    };
    if f.v("title").trim().is_empty() {
        f.set("title", parsed.title.clone().unwrap_or_default());
    }
    if f.v("year").trim().is_empty() {
        f.set(
            "year",
            parsed.year.map(|y| y.to_string()).unwrap_or_default(),
        );
    }
    f.set("text", text);
    let mut warnings: Vec<String> = api::warnings_json(&parsed, u.lang)
        .into_iter()
        .filter_map(|w| w["message"].as_str().map(str::to_string))
        .collect();
    // The same plan imported twice is almost always a mistake: say so before saving.
    let (title, year) = (
        f.v("title").trim().to_string(),
        f.v("year").trim().to_string(),
    );
    let same = all_plans(&st)
        .await
        .or_page(&u)?
        .into_iter()
        .find(|p| p.title == title && p.year.to_string() == year);
    if let Some(p) = same {
        let on = u
            .lang
            .date(p.created_at.with_timezone(&st.clock.offset()).date_naive());
        warnings.insert(0, u.lang.tf("plan.already_imported", &[&p.title, &on]));
    }
    let ctx = u.item_ctx("work_plans", u.lang.t("plan.preview").to_string());
    Ok(html(
        StatusCode::OK,
        &PreviewPage {
            ctx,
            parsed,
            warnings,
            f,
        },
    ))
}

pub(super) async fn save_plan(
    State(st): State<AppState>,
    u: PageUser,
    mp: Multipart,
) -> Result<Response, PageError> {
    let (mut f, text) = plan_form(&st, &u, mp).await?;
    let actor = u.may(Permission::PlanWork)?;
    let Some(text) = text else {
        return render_plans(&st, &u, f, StatusCode::UNPROCESSABLE_ENTITY, None).await;
    };
    let year = f.int("year", None, u.lang);
    let saved = match parse_plan(&text, "text", u.lang)
        .and_then(|p| new_plan(p, text.clone(), f.opt("title").as_deref(), year))
    {
        Ok(plan) => st.store.import_plan(&actor, plan).await.or_page(&u)?,
        Err(AppError::Validation(e)) => {
            f.store_errors(&e, u.lang);
            return render_plans(&st, &u, f, StatusCode::UNPROCESSABLE_ENTITY, None).await;
        }
        Err(e) => return Err(u.error(e).into()),
    };
    Ok(Redirect::to(&format!("/work-plans/{}?msg=created", saved.id)).into_response())
}

#[derive(Template)]
#[template(path = "work/plan.html")]
pub(super) struct PlanPage {
    ctx: Ctx,
    plan: WorkPlan,
    progress: HashMap<i64, ItemProgress>,
    may_plan: bool,
    /// The edit form (title, year), with its errors when sent back.
    f: FormState,
    /// Why the plan could not be deleted.
    error: Option<String>,
}

impl PlanPage {
    fn tasks_of(&self, item: &i64) -> &[store::work::TaskProgress] {
        self.progress
            .get(item)
            .map(|p| p.tasks.as_slice())
            .unwrap_or(&[])
    }
}

pub(super) async fn plan(
    State(st): State<AppState>,
    Item { u, id }: Item,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let msg = p.ok().and_then(|p| p.str("msg").map(str::to_string));
    render_plan(&st, &u, id, msg.as_deref(), None, None, StatusCode::OK).await
}

/// The plan page; `f` is the edit form sent back with its errors, `error` why a delete
/// was refused.
async fn render_plan(
    st: &AppState,
    u: &PageUser,
    id: i64,
    msg: Option<&str>,
    f: Option<FormState>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let plan = st.store.get_plan(id).await.or_page(u)?;
    let progress = st
        .store
        .plan_progress(u.scope(), id, st.clock.today())
        .await
        .or_page(u)?
        .into_iter()
        .map(|p| (p.work_item_id, p))
        .collect();
    let ctx = u.item_ctx("work_plans", plan.title.clone()).with_flash(msg);
    let f = f.unwrap_or_else(|| {
        let mut f = FormState::default();
        f.set("title", plan.title.clone());
        f.set("year", plan.year.to_string());
        f
    });
    Ok(html(
        status,
        &PlanPage {
            ctx,
            plan,
            progress,
            may_plan: u.allowed(Permission::PlanWork),
            f,
            error,
        },
    ))
}

/// `POST /work-plans/{id}/edit`: the title and year (admin, committee).
pub(super) async fn edit_plan(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut f = FormState::default();
    for k in ["title", "year"] {
        f.set(k, form.get(k).cloned().unwrap_or_default());
    }
    let year = f.int("year", None, u.lang);
    if year.is_none() && f.ok() {
        f.error("year", u.lang.t("field.required"));
    }
    if !f.ok() {
        return render_plan(
            &st,
            &u,
            id,
            None,
            Some(f),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let patch = api::PlanPatch {
        title: Some(f.v("title").to_string()),
        year,
    };
    match api::edit_plan(&st, &u.caller(), id, patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/work-plans/{id}?msg=saved")).into_response()),
        Err(AppError::Validation(fe)) => {
            f.store_errors(&fe, u.lang);
            render_plan(
                &st,
                &u,
                id,
                None,
                Some(f),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Forbidden) => Err(u.forbidden().into()),
        Err(e) => Err(u.error(e).into()),
    }
}

/// `POST /work-plans/{id}/delete`: only a plan no task was made from (admin, committee).
pub(super) async fn delete_plan(
    State(st): State<AppState>,
    Item { u, id }: Item,
) -> Result<Response, PageError> {
    match api::remove_plan(&st, &u.caller(), id).await {
        Ok(()) => Ok(Redirect::to("/work-plans?msg=deleted").into_response()),
        Err(e @ AppError::InUse(_)) => {
            let (msg, _) = e.message(u.lang, &u.request_id);
            render_plan(&st, &u, id, None, None, Some(msg), StatusCode::CONFLICT).await
        }
        Err(AppError::Forbidden) => Err(u.forbidden().into()),
        Err(e) => Err(u.error(e).into()),
    }
}

// ---------------------------------------------------------------- tasks

#[derive(Template)]
#[template(path = "work/task_form.html")]
pub(super) struct TaskFormPage {
    ctx: Ctx,
    f: FormState,
    orgs: Option<Vec<OrgOption>>,
    kinds: Vec<(&'static str, &'static str)>,
    item: Option<store::work::WorkItem>,
}

impl TaskFormPage {
    fn org_checked(&self, id: &str) -> bool {
        self.f.v("party_org_ids").split(',').any(|x| x == id)
    }
}

pub(super) async fn render_task_form(
    st: &AppState,
    u: &PageUser,
    f: FormState,
    status: StatusCode,
) -> Result<Response, PageError> {
    let orgs = org_choices(st, u.scope()).await.or_page(u)?;
    let item = match f.v("work_item_id").parse::<i64>() {
        Ok(id) => find_item(st, id).await,
        Err(_) => None,
    };
    let page = TaskFormPage {
        ctx: u.item_ctx("tasks", u.lang.t("task.new").to_string()),
        f,
        orgs: orgs.map(|o| org_options(&o, u.lang)),
        kinds: codes(u.lang, "org_kind", domain::OrgKind::CODES),
        item,
    };
    Ok(html(status, &page))
}

/// The work plans (a committee has a handful, one or two a year).
pub(super) async fn all_plans(
    st: &AppState,
) -> Result<Vec<store::work::PlanSummary>, store::StoreError> {
    let page = PageReq {
        page: 1,
        per_page: 100,
    };
    Ok(st.store.list_plans(page).await?.items)
}

/// A work item by id (the plans are few; items are found by walking them).
pub(super) async fn find_item(st: &AppState, id: i64) -> Option<store::work::WorkItem> {
    let plans = all_plans(st).await.ok()?;
    for p in plans {
        if let Ok(plan) = st.store.get_plan(p.id).await {
            if let Some(i) = plan
                .sections
                .into_iter()
                .flat_map(|s| s.items)
                .find(|i| i.id == id)
            {
                return Some(i);
            }
        }
    }
    None
}

pub(super) async fn new_task(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    u.may(Permission::PlanWork)?;
    let p = params(p, &u)?;
    let mut f = FormState::default();
    f.set("issued_on", st.clock.today().to_string());
    if let Some(item) = p.str("work_item_id") {
        f.set("work_item_id", item);
        if let Ok(id) = item.parse::<i64>() {
            if let Some(i) = find_item(&st, id).await {
                f.set("title", i.title);
                f.set("description", i.body);
            }
        }
    }
    render_task_form(&st, &u, f, StatusCode::OK).await
}

pub(super) async fn create_task(
    State(st): State<AppState>,
    u: PageUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    // Checkboxes repeat `party_org_ids`; keep them as one comma-separated value.
    let mut values: HashMap<String, String> = HashMap::new();
    let mut org_ids = Vec::new();
    let mut kinds = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            "party_org_ids" => org_ids.push(v),
            "org_kinds" => kinds.push(v),
            _ => {
                values.insert(k, v);
            }
        }
    }
    values.insert("party_org_ids".into(), org_ids.join(","));
    let actor = u.may(Permission::PlanWork)?;
    let mut f = FormState {
        values,
        ..Default::default()
    };
    let ids = f.id_list("party_org_ids", &org_ids, u.lang);
    let subtree = f.opt_id("subtree_id", u.lang);
    let input = TaskInput {
        title: f.opt("title"),
        description: f.opt("description"),
        work_item_id: f.opt_id("work_item_id", u.lang),
        issued_on: f.opt("issued_on"),
        due_on: f.opt("due_on"),
        party_org_ids: ids,
        subtree_id: subtree,
        org_kinds: subtree.map(|_| kinds),
    };
    match input.validate(st.clock.today()) {
        // an id that is no number: nothing is saved, the form says which
        _ if !f.ok() => {}
        Ok(t) => match st.store.create_task(&actor, u.scope(), t).await {
            Ok(task) => {
                return Ok(
                    Redirect::to(&format!("/tasks?task_id={}&msg=created", task.id))
                        .into_response(),
                )
            }
            Err(e) => store_error(&u, &mut f, e)?,
        },
        Err(e) => f.store_errors(&e, u.lang),
    }
    render_task_form(&st, &u, f, StatusCode::UNPROCESSABLE_ENTITY).await
}

pub struct AssignmentRow {
    pub a: Assignment,
    pub org_name: String,
}

#[derive(Template)]
#[template(path = "work/tasks.html")]
pub(super) struct TasksPage {
    ctx: Ctx,
    rows: Vec<AssignmentRow>,
    pager: Pager,
    f: FormState,
    orgs: Option<Vec<OrgOption>>,
    states: Vec<(&'static str, &'static str)>,
    sorts: Vec<(&'static str, &'static str)>,
    may_plan: bool,
    task: Option<Task>,
}

pub(super) fn sorts(lang: Lang) -> Vec<(&'static str, &'static str)> {
    codes(lang, "ledger_sort", LedgerSort::CODES)
}

pub(super) async fn tasks(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = params(p, &u)?;
    let filter = assignment_filter(&mut p);
    let page = p.page();
    let msg = p.str("msg").map(str::to_string);
    let f = kept::<store::work::AssignmentFilter>(&p);
    p.finish().map_err(|e| u.error(e))?;
    let res = st
        .store
        .list_assignments(u.scope(), &filter, st.clock.today(), page)
        .await
        .or_page(&u)?;
    let names = org_names(&st, &u, res.items.iter().map(|a| a.party_org_id)).await?;
    let task = match filter.task_id {
        Some(id) => st.store.get_task(u.scope(), id).await.ok(),
        None => None,
    };
    let orgs = org_choices(&st, u.scope()).await.or_page(&u)?;
    let pager = Pager::of::<store::work::AssignmentFilter>(
        u.lang,
        ("/tasks", "/tasks/export.xlsx"),
        &f,
        page,
        res.total,
        res.items.len(),
    );
    let view = TasksPage {
        ctx: u.section_ctx("tasks").with_flash(msg.as_deref()),
        pager,
        rows: res
            .items
            .into_iter()
            .map(|a| AssignmentRow {
                org_name: names.get(&a.party_org_id).cloned().unwrap_or_default(),
                a,
            })
            .collect(),
        orgs: orgs.map(|o| org_options(&o, u.lang)),
        states: codes(u.lang, "assignment_state", AssignmentState::CODES),
        sorts: sorts(u.lang),
        may_plan: u.allowed(Permission::PlanWork),
        task,
        f,
    };
    Ok(html(StatusCode::OK, &view))
}

pub(super) async fn export_tasks(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = params(p, &u)?;
    let f = api::assignment_filter(&mut p);
    p.finish().map_err(|e| u.error(e))?;
    let title = crate::modules::registry::api::ledger_title(&st, u.scope(), u.lang, "工作台账")
        .await
        .map_err(|e| u.error(e))?;
    super::service::assignments_xlsx(&st, &u.caller(), &f, Some(title))
        .await
        .map_err(|e| u.error(e).into())
}
