//! M3/M4 pages: work plans (import with a confirmation step), tasks, the task and
//! rectification ledgers, assignment and rectification pages with their forms, inspections,
//! each org's inbox, and bulletin previews.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::work::{
    AssignmentEvent, AssignmentState, DecisionInput, FindingInput, InspectionInput, InspectionKind,
    RectificationEvent as RectEvent, RectificationState, ReportInput, ReviewDecision, Severity,
    SubmitInput, TaskInput, VerifyDecision,
};
use domain::workplan::ParsedPlan;
use store::work::{
    Assignment, AssignmentFilter, AttachmentOwner, Inspection, ItemProgress, LedgerSort,
    ProgressReport, Rectification, RectificationEvent, RectificationFilter, Task, WorkAttachment,
    WorkPlan,
};
use store::{PageReq, StoreError};

use crate::modules::life::api::accept_file;
use crate::modules::work::api::{
    self as api, assignment_filter, bulletin_document, bulletin_heading, new_plan, parse_plan,
    rectification_filter, when, BulletinKind, FINDERS, INSPECTORS, ORG_USERS, PLANNERS, REVIEWERS,
    VERIFIERS,
};
use crate::modules::work::sheets as work_io;
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::files;
use crate::platform::i18n::Lang;
use crate::AppState;

use crate::modules::registry::orgs::{org_choices, org_options, OrgOption};
use crate::platform::session::{OrPage, PageError, PageUser};
use crate::ui::ctx::{group, html, parse_id, url_encode, Ctx, FormState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/work-plans", get(plans).post(save_plan))
        .route("/work-plans/preview", post(preview_plan))
        .route("/work-plans/{id}", get(plan))
        .route("/tasks", get(tasks).post(create_task))
        .route("/tasks/new", get(new_task))
        .route("/tasks/export.xlsx", get(export_tasks))
        .route("/assignments/{id}", get(assignment))
        .route("/assignments/{id}/report", post(report))
        .route("/assignments/{id}/review", post(review))
        .route("/assignments/{id}/files/{file}", get(assignment_file))
        .route("/rectifications", get(rectifications))
        .route("/rectifications/export.xlsx", get(export_rectifications))
        .route("/rectifications/{id}", get(rectification))
        .route("/rectifications/{id}/submit", post(submit))
        .route("/rectifications/{id}/verify", post(verify))
        .route("/rectifications/{id}/files/{file}", get(rectification_file))
        .route("/inspections", get(inspections).post(create_inspection))
        .route("/inspections/{id}", get(inspection))
        .route("/inspections/{id}/findings", post(add_finding))
        .route("/findings", post(add_own_finding))
        .route("/inbox", get(inbox))
        .route("/bulletins/rectification", get(rect_bulletin_page))
        .route("/bulletins/tasks", get(task_bulletin_page))
        .route("/bulletins/rectification.docx", get(rect_bulletin_docx))
        .route("/bulletins/tasks.docx", get(task_bulletin_docx))
        .route("/bulletins/preview.css", get(preview_css))
}

fn may(u: &PageUser, roles: &[domain::Role]) -> bool {
    roles.contains(&u.role())
}

fn require(u: &PageUser, roles: &[domain::Role]) -> Result<(), PageError> {
    if may(u, roles) {
        Ok(())
    } else {
        Err(u.forbidden().into())
    }
}

fn codes(lang: Lang, group: &str, codes: &[&'static str]) -> Vec<(&'static str, &'static str)> {
    codes
        .iter()
        .map(|c| (*c, lang.code_label(group, c)))
        .collect()
}

fn params(p: Result<Params, AppError>, u: &PageUser) -> Result<Params, PageError> {
    p.map_err(|e| u.error(e).into())
}

/// The query string of a ledger with the page replaced.
fn link(base: &str, f: &FormState, keys: &[&str], page: i64) -> String {
    let mut q: Vec<String> = keys
        .iter()
        .filter(|k| !f.v(k).is_empty())
        .map(|k| format!("{k}={}", url_encode(f.v(k))))
        .collect();
    if page > 1 {
        q.push(format!("page={page}"));
    }
    if q.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", q.join("&"))
    }
}

/// Field errors of a store call, or an error page.
fn store_error(u: &PageUser, f: &mut FormState, e: StoreError) -> Result<(), PageError> {
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

async fn org_names(
    st: &AppState,
    u: &PageUser,
    ids: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, String>, PageError> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    st.store.org_names(u.scope(), &ids).await.or_page(u)
}

// ---------------------------------------------------------------- work plans

#[derive(Template)]
#[template(path = "work_plans.html")]
struct PlansPage {
    ctx: Ctx,
    plans: Vec<store::work::PlanSummary>,
    may_plan: bool,
    f: FormState,
}

async fn render_plans(
    st: &AppState,
    u: &PageUser,
    f: FormState,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let plans = st
        .store
        .list_plans(PageReq {
            page: 1,
            per_page: 100,
        })
        .await
        .or_page(u)?
        .items;
    let page = PlansPage {
        ctx: u.section_ctx("work_plans").with_flash(msg),
        plans,
        may_plan: may(u, PLANNERS),
        f,
    };
    Ok(html(status, &page))
}

async fn plans(
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
#[template(path = "work_plan_preview.html")]
struct PreviewPage {
    ctx: Ctx,
    parsed: ParsedPlan,
    warnings: Vec<String>,
    f: FormState,
}

/// The text of the import form: the uploaded file, else the pasted text.
async fn plan_form(
    st: &AppState,
    u: &PageUser,
    mp: Multipart,
) -> Result<(FormState, Option<String>), PageError> {
    let form = files::Form::read(mp, st.config.max_upload_bytes)
        .await
        .map_err(|e| u.error(e))?;
    require(u, PLANNERS)?;
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

async fn preview_plan(
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
    let warnings = api::warnings_json(&parsed, u.lang)
        .into_iter()
        .filter_map(|w| w["message"].as_str().map(str::to_string))
        .collect();
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

async fn save_plan(
    State(st): State<AppState>,
    u: PageUser,
    mp: Multipart,
) -> Result<Response, PageError> {
    let (mut f, text) = plan_form(&st, &u, mp).await?;
    let Some(text) = text else {
        return render_plans(&st, &u, f, StatusCode::UNPROCESSABLE_ENTITY, None).await;
    };
    let year = f.int("year", None, u.lang);
    let saved = match parse_plan(&text, "text", u.lang)
        .and_then(|p| new_plan(p, text.clone(), f.opt("title").as_deref(), year))
    {
        Ok(plan) => st.store.import_plan(&u.actor(), plan).await.or_page(&u)?,
        Err(AppError::Validation(e)) => {
            f.store_errors(&e, u.lang);
            return render_plans(&st, &u, f, StatusCode::UNPROCESSABLE_ENTITY, None).await;
        }
        Err(e) => return Err(u.error(e).into()),
    };
    Ok(Redirect::to(&format!("/work-plans/{}?msg=created", saved.id)).into_response())
}

#[derive(Template)]
#[template(path = "work_plan.html")]
struct PlanPage {
    ctx: Ctx,
    plan: WorkPlan,
    progress: HashMap<i64, ItemProgress>,
    may_plan: bool,
}

impl PlanPage {
    fn tasks_of(&self, item: &i64) -> &[store::work::TaskProgress] {
        self.progress
            .get(item)
            .map(|p| p.tasks.as_slice())
            .unwrap_or(&[])
    }
}

async fn plan(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let plan = st.store.get_plan(id).await.or_page(&u)?;
    let progress = st
        .store
        .plan_progress(u.scope(), id, st.clock.today())
        .await
        .or_page(&u)?
        .into_iter()
        .map(|p| (p.work_item_id, p))
        .collect();
    let msg = p.ok().and_then(|p| p.str("msg").map(str::to_string));
    let ctx = u
        .item_ctx("work_plans", plan.title.clone())
        .with_flash(msg.as_deref());
    Ok(html(
        StatusCode::OK,
        &PlanPage {
            ctx,
            plan,
            progress,
            may_plan: may(&u, PLANNERS),
        },
    ))
}

// ---------------------------------------------------------------- tasks

#[derive(Template)]
#[template(path = "work_task_form.html")]
struct TaskFormPage {
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

async fn render_task_form(
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

/// A work item by id (the plans are few; items are found by walking them).
async fn find_item(st: &AppState, id: i64) -> Option<store::work::WorkItem> {
    let plans = st
        .store
        .list_plans(PageReq {
            page: 1,
            per_page: 100,
        })
        .await
        .ok()?;
    for p in plans.items {
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

async fn new_task(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    require(&u, PLANNERS)?;
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

async fn create_task(
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
    require(&u, PLANNERS)?;
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
        Ok(t) => match st.store.create_task(&u.actor(), u.scope(), t).await {
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
#[template(path = "work_tasks.html")]
struct TasksPage {
    ctx: Ctx,
    rows: Vec<AssignmentRow>,
    summary: String,
    f: FormState,
    orgs: Option<Vec<OrgOption>>,
    states: Vec<(&'static str, &'static str)>,
    sorts: Vec<(&'static str, &'static str)>,
    prev: Option<String>,
    next: Option<String>,
    export: String,
    may_plan: bool,
    task: Option<Task>,
}

const TASK_KEYS: &[&str] = &[
    "party_org_id",
    "task_id",
    "state",
    "overdue",
    "from",
    "to",
    "sort",
];
const RECT_KEYS: &[&str] = &[
    "party_org_id",
    "inspection_id",
    "state",
    "severity",
    "overdue",
    "from",
    "to",
    "sort",
];

fn sorts(lang: Lang) -> Vec<(&'static str, &'static str)> {
    codes(lang, "ledger_sort", LedgerSort::CODES)
}

fn kept(p: &Params, keys: &[&str]) -> FormState {
    let mut f = FormState::default();
    for k in keys {
        f.set(k, p.str(k).unwrap_or(""));
    }
    f
}

fn summary(lang: Lang, total: i64, page: PageReq, shown: usize) -> String {
    if total == 0 {
        return lang.t("work.summary_none").to_string();
    }
    let from = page.offset() + 1;
    let to = page.offset() + shown as i64;
    lang.tf("work.summary", &[&group(total), &group(from), &group(to)])
}

async fn tasks(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = params(p, &u)?;
    let filter = assignment_filter(&mut p);
    let page = p.page();
    let msg = p.str("msg").map(str::to_string);
    let f = kept(&p, TASK_KEYS);
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
    let pages = (res.total + page.per_page - 1) / page.per_page;
    let orgs = org_choices(&st, u.scope()).await.or_page(&u)?;
    let view = TasksPage {
        ctx: u.section_ctx("tasks").with_flash(msg.as_deref()),
        summary: summary(u.lang, res.total, page, res.items.len()),
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
        prev: (page.page > 1).then(|| link("/tasks", &f, TASK_KEYS, page.page - 1)),
        next: (page.page < pages).then(|| link("/tasks", &f, TASK_KEYS, page.page + 1)),
        export: link("/tasks/export.xlsx", &f, TASK_KEYS, 1),
        may_plan: may(&u, PLANNERS),
        task,
        f,
    };
    Ok(html(StatusCode::OK, &view))
}

async fn export_tasks(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let p = params(p, &u)?;
    api::export_assignments(State(st), u.caller(), p)
        .await
        .map_err(|e| u.error(e).into())
}

// ---------------------------------------------------------------- an assignment

#[derive(Template)]
#[template(path = "work_assignment.html")]
struct AssignmentPage {
    ctx: Ctx,
    a: Assignment,
    task: Option<Task>,
    org_name: String,
    reports: Vec<ProgressReport>,
    files: Vec<WorkAttachment>,
    may_report: bool,
    may_review: bool,
    f: FormState,
}

async fn render_assignment(
    st: &AppState,
    u: &PageUser,
    id: i64,
    f: FormState,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let a = st
        .store
        .get_assignment(u.scope(), id, st.clock.today())
        .await
        .or_page(u)?;
    let task = st.store.get_task(u.scope(), a.task_id).await.ok();
    let reports = st
        .store
        .assignment_reports(u.scope(), id)
        .await
        .or_page(u)?;
    let files = st
        .store
        .list_work_attachments(u.scope(), AttachmentOwner::Assignment, id)
        .await
        .or_page(u)?;
    let org_name = org_names(st, u, std::iter::once(a.party_org_id))
        .await?
        .remove(&a.party_org_id)
        .unwrap_or_default();
    let page = AssignmentPage {
        ctx: u.item_ctx("tasks", a.task_title.clone()).with_flash(msg),
        // The forms follow the state machine: shown only where the step is allowed.
        may_report: may(u, ORG_USERS) && a.state.next(AssignmentEvent::Report).is_ok(),
        may_review: may(u, REVIEWERS)
            && a.state
                .next(AssignmentEvent::Review(ReviewDecision::Accept))
                .is_ok(),
        a,
        task,
        org_name,
        reports,
        files,
        f,
    };
    Ok(html(status, &page))
}

async fn assignment(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let msg = p.ok().and_then(|p| p.str("msg").map(str::to_string));
    let mut f = FormState::default();
    f.set("progress", "100");
    render_assignment(&st, &u, id, f, StatusCode::OK, msg.as_deref()).await
}

/// Stores the files of a form as evidence of `owner`; an unreadable file → a field error.
async fn evidence(
    st: &AppState,
    u: &PageUser,
    owner: AttachmentOwner,
    id: i64,
    files: Vec<(Option<String>, axum::body::Bytes)>,
    f: &mut FormState,
) -> Result<(), PageError> {
    for (name, bytes) in files {
        match accept_file(st, name.as_deref(), bytes).await {
            Ok(new) => {
                st.store
                    .add_work_attachment(&u.actor(), u.scope(), owner, id, &new)
                    .await
                    .or_page(u)?;
            }
            Err(AppError::Validation(e)) => f.store_errors(&e, u.lang),
            Err(e) => return Err(u.error(e).into()),
        }
    }
    Ok(())
}

fn files_ok(form: &files::Form) -> bool {
    form.files.iter().all(|(_, b)| files::sniff(b).is_some())
}

fn bad_file(u: &PageUser, f: &mut FormState) {
    f.error(
        "file",
        u.lang.field_error(&domain::FieldError::UnknownValue {
            allowed: vec![
                "PDF", "JPEG", "PNG", "GIF", "WebP", "DOCX", "XLSX", "PPTX", "DOC/XLS",
            ],
        }),
    );
}

/// The org's answer: a progress report on an assignment or the submission of a
/// rectification, with evidence files; by the org's own users or admin.
async fn answer(
    st: &AppState,
    u: &PageUser,
    owner: AttachmentOwner,
    raw: &str,
    mp: Multipart,
) -> Result<Response, PageError> {
    let id = parse_id(raw).ok_or_else(|| u.not_found())?;
    let form = files::Form::read(mp, st.config.max_upload_bytes)
        .await
        .map_err(|e| u.error(e))?;
    owner_exists(st, u, owner, id).await?;
    require(u, ORG_USERS)?;
    let ok_files = files_ok(&form);
    let mut f = FormState {
        values: form.fields,
        ..Default::default()
    };
    if !ok_files {
        bad_file(u, &mut f);
    }
    let done = match owner {
        AttachmentOwner::Assignment => {
            let input = ReportInput {
                progress: f.int("progress", None, u.lang),
                text: f.opt("text"),
            };
            match input.validate() {
                Ok(r) if f.ok() => Some(
                    st.store
                        .report(&u.actor(), u.scope(), id, r, when(st))
                        .await
                        .map(|_| ()),
                ),
                Ok(_) => None,
                Err(e) => {
                    f.store_errors(&e, u.lang);
                    None
                }
            }
        }
        AttachmentOwner::Rectification => {
            if f.opt("response").is_none() {
                f.error("response", u.lang.t("field.required"));
            }
            match (SubmitInput {
                response: f.opt("response"),
            })
            .validate()
            {
                Ok(resp) if f.ok() => Some(
                    st.store
                        .submit_rectification(&u.actor(), u.scope(), id, resp, when(st))
                        .await
                        .map(|_| ()),
                ),
                Ok(_) => None,
                Err(e) => {
                    f.store_errors(&e, u.lang);
                    None
                }
            }
        }
    };
    if let Some(Ok(())) = done {
        evidence(st, u, owner, id, form.files, &mut f).await?;
    }
    settle(st, u, owner, id, f, done).await
}

/// The committee's review of a report, or the inspector's verification of a rectification;
/// returning needs a reason.
async fn decide(
    st: &AppState,
    u: &PageUser,
    owner: AttachmentOwner,
    raw: &str,
    form: HashMap<String, String>,
) -> Result<Response, PageError> {
    let id = parse_id(raw).ok_or_else(|| u.not_found())?;
    owner_exists(st, u, owner, id).await?;
    require(
        u,
        match owner {
            AttachmentOwner::Assignment => REVIEWERS,
            AttachmentOwner::Rectification => VERIFIERS,
        },
    )?;
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    if f.v("decision") == "return" && f.opt("comment").is_none() {
        f.error("comment", u.lang.t("work.comment_required"));
    }
    let input = DecisionInput {
        decision: f.opt("decision"),
        comment: f.opt("comment"),
    };
    let (actor, scope, when) = (u.actor(), u.scope(), when(st));
    let done = match owner {
        AttachmentOwner::Assignment => {
            match input.validate(ReviewDecision::parse, ReviewDecision::CODES) {
                Ok((d, c)) if f.ok() => Some(
                    st.store
                        .review(&actor, scope, id, d, c, when)
                        .await
                        .map(|_| ()),
                ),
                Ok(_) => None,
                Err(e) => {
                    f.store_errors(&e, u.lang);
                    None
                }
            }
        }
        AttachmentOwner::Rectification => {
            match input.validate(VerifyDecision::parse, VerifyDecision::CODES) {
                Ok((d, c)) if f.ok() => Some(
                    st.store
                        .verify_rectification(&actor, scope, id, d, c, when)
                        .await
                        .map(|_| ()),
                ),
                Ok(_) => None,
                Err(e) => {
                    f.store_errors(&e, u.lang);
                    None
                }
            }
        }
    };
    settle(st, u, owner, id, f, done).await
}

fn page_of(owner: AttachmentOwner) -> &'static str {
    match owner {
        AttachmentOwner::Assignment => "assignments",
        AttachmentOwner::Rectification => "rectifications",
    }
}

/// The record in scope, or the error page.
async fn owner_exists(
    st: &AppState,
    u: &PageUser,
    owner: AttachmentOwner,
    id: i64,
) -> Result<(), PageError> {
    let today = st.clock.today();
    match owner {
        AttachmentOwner::Assignment => st
            .store
            .get_assignment(u.scope(), id, today)
            .await
            .map(|_| ()),
        AttachmentOwner::Rectification => st
            .store
            .get_rectification(u.scope(), id, today)
            .await
            .map(|_| ()),
    }
    .or_page(u)
}

/// After a form: saved → back to the page with a notice; refused → the page with the
/// errors next to the fields.
async fn settle(
    st: &AppState,
    u: &PageUser,
    owner: AttachmentOwner,
    id: i64,
    mut f: FormState,
    done: Option<Result<(), StoreError>>,
) -> Result<Response, PageError> {
    match done {
        Some(Ok(())) => {
            return Ok(Redirect::to(&format!("/{}/{id}?msg=saved", page_of(owner))).into_response())
        }
        Some(Err(e)) => store_error(u, &mut f, e)?,
        None => {}
    }
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    match owner {
        AttachmentOwner::Assignment => render_assignment(st, u, id, f, status, None).await,
        AttachmentOwner::Rectification => render_rect(st, u, id, f, status, None).await,
    }
}

async fn report(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    mp: Multipart,
) -> Result<Response, PageError> {
    answer(&st, &u, AttachmentOwner::Assignment, &raw, mp).await
}

async fn review(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    decide(&st, &u, AttachmentOwner::Assignment, &raw, form).await
}

async fn submit(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    mp: Multipart,
) -> Result<Response, PageError> {
    answer(&st, &u, AttachmentOwner::Rectification, &raw, mp).await
}

async fn verify(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    decide(&st, &u, AttachmentOwner::Rectification, &raw, form).await
}

async fn download(
    st: &AppState,
    u: &PageUser,
    owner: AttachmentOwner,
    raw: (String, String),
) -> Result<Response, PageError> {
    let (Some(id), Some(file)) = (parse_id(&raw.0), parse_id(&raw.1)) else {
        return Err(u.not_found().into());
    };
    let a = st
        .store
        .get_work_attachment(u.scope(), owner, id, file)
        .await
        .or_page(u)?;
    files::download(
        &st.config.files_dir,
        &a.sha256,
        &a.content_type,
        &a.file_name,
    )
    .await
    .map_err(|e| u.error(e).into())
}

async fn assignment_file(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<(String, String)>,
) -> Result<Response, PageError> {
    download(&st, &u, AttachmentOwner::Assignment, raw).await
}

async fn rectification_file(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<(String, String)>,
) -> Result<Response, PageError> {
    download(&st, &u, AttachmentOwner::Rectification, raw).await
}

// ---------------------------------------------------------------- rectifications

pub struct RectRow {
    pub r: Rectification,
    pub org_name: String,
}

#[derive(Template)]
#[template(path = "work_rects.html")]
struct RectsPage {
    ctx: Ctx,
    rows: Vec<RectRow>,
    summary: String,
    f: FormState,
    orgs: Option<Vec<OrgOption>>,
    states: Vec<(&'static str, &'static str)>,
    severities: Vec<(&'static str, &'static str)>,
    sources: Vec<(&'static str, &'static str)>,
    sorts: Vec<(&'static str, &'static str)>,
    prev: Option<String>,
    next: Option<String>,
    export: String,
    may_find: bool,
    /// The self-check form.
    nf: FormState,
    stats: domain::work::RectStats,
}

async fn render_rects(
    st: &AppState,
    u: &PageUser,
    p: Result<Params, AppError>,
    nf: FormState,
    status: StatusCode,
) -> Result<Response, PageError> {
    let mut p = params(p, u)?;
    let filter = rectification_filter(&mut p);
    let page = p.page();
    let msg = p.str("msg").map(str::to_string);
    let f = kept(&p, RECT_KEYS);
    p.finish().map_err(|e| u.error(e))?;
    let today = st.clock.today();
    let (res, stats) = tokio::try_join!(
        st.store
            .list_rectifications(u.scope(), &filter, today, page),
        st.store.rectification_stats(u.scope(), None, today)
    )
    .or_page(u)?;
    let names = org_names(st, u, res.items.iter().map(|r| r.party_org_id)).await?;
    let pages = (res.total + page.per_page - 1) / page.per_page;
    let orgs = org_choices(st, u.scope()).await.or_page(u)?;
    let view = RectsPage {
        ctx: u.section_ctx("rectifications").with_flash(msg.as_deref()),
        summary: summary(u.lang, res.total, page, res.items.len()),
        rows: res
            .items
            .into_iter()
            .map(|r| RectRow {
                org_name: names.get(&r.party_org_id).cloned().unwrap_or_default(),
                r,
            })
            .collect(),
        orgs: orgs.map(|o| org_options(&o, u.lang)),
        states: codes(u.lang, "rectification_state", RectificationState::CODES),
        severities: codes(u.lang, "severity", Severity::CODES),
        sources: codes(
            u.lang,
            "finding_source",
            &domain::work::FindingSource::CODES[1..],
        ),
        sorts: sorts(u.lang),
        prev: (page.page > 1).then(|| link("/rectifications", &f, RECT_KEYS, page.page - 1)),
        next: (page.page < pages).then(|| link("/rectifications", &f, RECT_KEYS, page.page + 1)),
        export: link("/rectifications/export.xlsx", &f, RECT_KEYS, 1),
        may_find: may(u, FINDERS),
        f,
        nf,
        stats,
    };
    Ok(html(status, &view))
}

async fn rectifications(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut nf = FormState::default();
    nf.set("source", "self_check");
    nf.set("severity", "minor");
    nf.set("found_on", st.clock.today().to_string());
    render_rects(&st, &u, p, nf, StatusCode::OK).await
}

async fn export_rectifications(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let p = params(p, &u)?;
    api::export_rectifications(State(st), u.caller(), p)
        .await
        .map_err(|e| u.error(e).into())
}

#[derive(Template)]
#[template(path = "work_rect.html")]
struct RectPage {
    ctx: Ctx,
    r: Rectification,
    org_name: String,
    events: Vec<RectificationEvent>,
    files: Vec<WorkAttachment>,
    may_submit: bool,
    may_verify: bool,
    f: FormState,
}

async fn render_rect(
    st: &AppState,
    u: &PageUser,
    id: i64,
    f: FormState,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let r = st
        .store
        .get_rectification(u.scope(), id, st.clock.today())
        .await
        .or_page(u)?;
    let events = st
        .store
        .rectification_events(u.scope(), id)
        .await
        .or_page(u)?;
    let files = st
        .store
        .list_work_attachments(u.scope(), AttachmentOwner::Rectification, id)
        .await
        .or_page(u)?;
    let org_name = org_names(st, u, std::iter::once(r.party_org_id))
        .await?
        .remove(&r.party_org_id)
        .unwrap_or_default();
    let title = u.lang.tf("rect.title", &[&r.id.to_string()]);
    let page = RectPage {
        ctx: u.item_ctx("rectifications", title).with_flash(msg),
        may_submit: may(u, ORG_USERS) && r.state.next(RectEvent::Submit).is_ok(),
        may_verify: may(u, VERIFIERS)
            && r.state
                .next(RectEvent::Verify(VerifyDecision::Verify))
                .is_ok(),
        r,
        org_name,
        events,
        files,
        f,
    };
    Ok(html(status, &page))
}

async fn rectification(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let msg = p.ok().and_then(|p| p.str("msg").map(str::to_string));
    render_rect(
        &st,
        &u,
        id,
        FormState::default(),
        StatusCode::OK,
        msg.as_deref(),
    )
    .await
}

fn finding_input(f: &mut FormState, lang: Lang, source: bool) -> FindingInput {
    FindingInput {
        source: if source { f.opt("source") } else { None },
        party_org_id: f.opt_id("party_org_id", lang),
        description: f.opt("description"),
        severity: f.opt("severity"),
        found_on: f.opt("found_on"),
        due_on: f.opt("due_on"),
    }
}

async fn add_own_finding(
    State(st): State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    require(&u, FINDERS)?;
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let input = finding_input(&mut f, u.lang, true);
    if f.opt("party_org_id").is_none() {
        f.error("party_org_id", u.lang.t("field.required"));
    }
    match input.validate(None, st.clock.today()) {
        Ok(n) if f.ok() => match st
            .store
            .create_finding(&u.actor(), u.scope(), n, when(&st))
            .await
        {
            Ok(found) => {
                return Ok(Redirect::to(&format!(
                    "/rectifications/{}?msg=created",
                    found.rectification.id
                ))
                .into_response())
            }
            Err(StoreError::Forbidden) => f.error("party_org_id", u.lang.t("error.forbidden")),
            Err(e) => store_error(&u, &mut f, e)?,
        },
        Ok(_) => {}
        Err(e) => f.store_errors(&e, u.lang),
    }
    render_rects(
        &st,
        &u,
        Ok(Params::from_map(HashMap::new())),
        f,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

// ---------------------------------------------------------------- inspections

#[derive(Template)]
#[template(path = "work_inspections.html")]
struct InspectionsPage {
    ctx: Ctx,
    items: Vec<Inspection>,
    may_inspect: bool,
    f: FormState,
    kinds: Vec<(&'static str, &'static str)>,
    orgs: Option<Vec<OrgOption>>,
}

impl InspectionsPage {
    fn org_checked(&self, id: &str) -> bool {
        self.f.v("party_org_ids").split(',').any(|x| x == id)
    }
}

async fn render_inspections(
    st: &AppState,
    u: &PageUser,
    f: FormState,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let items = st
        .store
        .list_inspections(
            u.scope(),
            PageReq {
                page: 1,
                per_page: 200,
            },
        )
        .await
        .or_page(u)?
        .items;
    let orgs = org_choices(st, u.scope()).await.or_page(u)?;
    let page = InspectionsPage {
        ctx: u.section_ctx("inspections").with_flash(msg),
        items,
        may_inspect: may(u, INSPECTORS),
        f,
        kinds: codes(u.lang, "inspection_kind", InspectionKind::CODES),
        orgs: orgs.map(|o| org_options(&o, u.lang)),
    };
    Ok(html(status, &page))
}

async fn inspections(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let msg = p.ok().and_then(|p| p.str("msg").map(str::to_string));
    let mut f = FormState::default();
    f.set("kind", "supervision");
    f.set("held_on", st.clock.today().to_string());
    render_inspections(&st, &u, f, StatusCode::OK, msg.as_deref()).await
}

async fn create_inspection(
    State(st): State<AppState>,
    u: PageUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let mut values: HashMap<String, String> = HashMap::new();
    let mut org_ids = Vec::new();
    for (k, v) in pairs {
        if k == "party_org_ids" {
            org_ids.push(v);
        } else {
            values.insert(k, v);
        }
    }
    values.insert("party_org_ids".into(), org_ids.join(","));
    require(&u, INSPECTORS)?;
    let mut f = FormState {
        values,
        ..Default::default()
    };
    let party_org_ids = f.id_list("party_org_ids", &org_ids, u.lang);
    let input = InspectionInput {
        title: f.opt("title"),
        kind: f.opt("kind"),
        held_on: f.opt("held_on"),
        party_org_ids,
        team: f
            .v("team")
            .split(['，', ',', '、', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    };
    match input.validate() {
        _ if !f.ok() => {}
        Ok(n) => match st.store.create_inspection(&u.actor(), u.scope(), n).await {
            Ok(i) => {
                return Ok(
                    Redirect::to(&format!("/inspections/{}?msg=created", i.id)).into_response()
                )
            }
            Err(e) => store_error(&u, &mut f, e)?,
        },
        Err(e) => f.store_errors(&e, u.lang),
    }
    render_inspections(&st, &u, f, StatusCode::UNPROCESSABLE_ENTITY, None).await
}

#[derive(Template)]
#[template(path = "work_inspection.html")]
struct InspectionPage {
    ctx: Ctx,
    i: Inspection,
    org_list: Vec<(i64, String)>,
    rows: Vec<RectRow>,
    may_inspect: bool,
    f: FormState,
    severities: Vec<(&'static str, &'static str)>,
}

async fn render_inspection(
    st: &AppState,
    u: &PageUser,
    id: i64,
    f: FormState,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let i = st.store.get_inspection(u.scope(), id).await.or_page(u)?;
    let filter = RectificationFilter {
        inspection_id: Some(id),
        sort: LedgerSort::Org,
        ..Default::default()
    };
    let rows = st
        .store
        .list_rectifications(
            u.scope(),
            &filter,
            st.clock.today(),
            PageReq {
                page: 1,
                per_page: 500,
            },
        )
        .await
        .or_page(u)?
        .items;
    let names = org_names(
        st,
        u,
        i.party_org_ids
            .iter()
            .copied()
            .chain(rows.iter().map(|r| r.party_org_id)),
    )
    .await?;
    let org_list = i
        .party_org_ids
        .iter()
        .map(|id| (*id, names.get(id).cloned().unwrap_or_default()))
        .collect();
    let page = InspectionPage {
        ctx: u.item_ctx("inspections", i.title.clone()).with_flash(msg),
        rows: rows
            .into_iter()
            .map(|r| RectRow {
                org_name: names.get(&r.party_org_id).cloned().unwrap_or_default(),
                r,
            })
            .collect(),
        org_list,
        may_inspect: may(u, INSPECTORS),
        i,
        f,
        severities: codes(u.lang, "severity", Severity::CODES),
    };
    Ok(html(status, &page))
}

async fn inspection(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let msg = p.ok().and_then(|p| p.str("msg").map(str::to_string));
    let mut f = FormState::default();
    f.set("severity", "minor");
    render_inspection(&st, &u, id, f, StatusCode::OK, msg.as_deref()).await
}

async fn add_finding(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let i = st.store.get_inspection(u.scope(), id).await.or_page(&u)?;
    require(&u, INSPECTORS)?;
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let input = finding_input(&mut f, u.lang, false);
    match input.validate(Some((i.id, i.held_on)), st.clock.today()) {
        Ok(n) if f.ok() => match st
            .store
            .create_finding(&u.actor(), u.scope(), n, when(&st))
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/inspections/{id}?msg=created")).into_response())
            }
            Err(e) => store_error(&u, &mut f, e)?,
        },
        Ok(_) => {}
        Err(e) => f.store_errors(&e, u.lang),
    }
    render_inspection(&st, &u, id, f, StatusCode::UNPROCESSABLE_ENTITY, None).await
}

// ---------------------------------------------------------------- inbox

#[derive(Template)]
#[template(path = "work_inbox.html")]
struct InboxPage {
    ctx: Ctx,
    assignments: Vec<AssignmentRow>,
    rects: Vec<RectRow>,
    today: chrono::NaiveDate,
}

impl InboxPage {
    /// Days left until `due` (negative: overdue).
    fn days_left(&self, due: &chrono::NaiveDate) -> i64 {
        (*due - self.today).num_days()
    }
}

/// Each org's open assignments and rectifications, soonest deadline first.
async fn inbox(State(st): State<AppState>, u: PageUser) -> Result<Response, PageError> {
    let today = st.clock.today();
    let page = PageReq {
        page: 1,
        per_page: 200,
    };
    let mut open_assignments = Vec::new();
    // What waits for the org: the states from which it may report or submit.
    let to_report = AssignmentState::ALL
        .iter()
        .filter(|s| s.next(AssignmentEvent::Report).is_ok());
    for &state in to_report {
        let f = AssignmentFilter {
            state: Some(state),
            sort: LedgerSort::DueOn,
            ..Default::default()
        };
        open_assignments.extend(
            st.store
                .list_assignments(u.scope(), &f, today, page)
                .await
                .or_page(&u)?
                .items,
        );
    }
    open_assignments.sort_by_key(|a| (a.due_on, a.id));
    let mut open_rects = Vec::new();
    let to_submit = RectificationState::ALL
        .iter()
        .filter(|s| s.next(RectEvent::Submit).is_ok());
    for &state in to_submit {
        let f = RectificationFilter {
            state: Some(state),
            sort: LedgerSort::DueOn,
            ..Default::default()
        };
        open_rects.extend(
            st.store
                .list_rectifications(u.scope(), &f, today, page)
                .await
                .or_page(&u)?
                .items,
        );
    }
    open_rects.sort_by_key(|r| (r.due_on, r.id));
    let names = org_names(
        &st,
        &u,
        open_assignments
            .iter()
            .map(|a| a.party_org_id)
            .chain(open_rects.iter().map(|r| r.party_org_id)),
    )
    .await?;
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let view = InboxPage {
        ctx: u.section_ctx("inbox"),
        assignments: open_assignments
            .into_iter()
            .map(|a| AssignmentRow {
                org_name: name(a.party_org_id),
                a,
            })
            .collect(),
        rects: open_rects
            .into_iter()
            .map(|r| RectRow {
                org_name: name(r.party_org_id),
                r,
            })
            .collect(),
        today,
    };
    Ok(html(StatusCode::OK, &view))
}

// ---------------------------------------------------------------- bulletins

#[derive(Template)]
#[template(path = "work_bulletin.html")]
struct BulletinPage {
    ctx: Ctx,
    preview: String,
    docx_href: String,
    f: FormState,
    action: &'static str,
}

async fn bulletin_page(
    st: AppState,
    u: PageUser,
    p: Result<Params, AppError>,
    kind: BulletinKind,
) -> Result<Response, PageError> {
    let mut p = params(p, &u)?;
    let f = kept(&p, &["from", "to", "doc_number"]);
    let h = bulletin_heading(&st, u.scope(), &mut p, u.lang)
        .await
        .map_err(|e| u.error(e))?;
    let doc = bulletin_document(&st, u.scope(), kind, &h, u.lang)
        .await
        .map_err(|e| u.error(e))?;
    let (action, nav) = match kind {
        BulletinKind::Rectification => ("/bulletins/rectification", "rectifications"),
        BulletinKind::Tasks => ("/bulletins/tasks", "tasks"),
    };
    let mut ff = f;
    ff.set("from", h.from.to_string());
    ff.set("to", h.to.to_string());
    ff.set("doc_number", h.doc_number.clone());
    let page = BulletinPage {
        ctx: u.item_ctx(nav, doc.title.clone()),
        preview: docx::to_html(&doc),
        docx_href: link(
            &format!("{action}.docx"),
            &ff,
            &["from", "to", "doc_number"],
            1,
        ),
        f: ff,
        action,
    };
    Ok(html(StatusCode::OK, &page))
}

async fn bulletin_docx(
    st: AppState,
    u: PageUser,
    p: Result<Params, AppError>,
    kind: BulletinKind,
) -> Result<Response, PageError> {
    let p = params(p, &u)?;
    let res = match kind {
        BulletinKind::Rectification => {
            api::rectification_bulletin(State(st), u.caller(), u.lang, p).await
        }
        BulletinKind::Tasks => api::task_bulletin(State(st), u.caller(), u.lang, p).await,
    };
    res.map_err(|e| u.error(e).into())
}

async fn rect_bulletin_page(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    bulletin_page(st, u, p, BulletinKind::Rectification).await
}
async fn task_bulletin_page(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    bulletin_page(st, u, p, BulletinKind::Tasks).await
}
async fn rect_bulletin_docx(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    bulletin_docx(st, u, p, BulletinKind::Rectification).await
}
async fn task_bulletin_docx(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    bulletin_docx(st, u, p, BulletinKind::Tasks).await
}

/// The preview's stylesheet (the strict CSP allows no inline styles).
async fn preview_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        docx::PREVIEW_CSS,
    )
        .into_response()
}

// ---------------------------------------------------------------- dashboard block

#[derive(Template)]
#[template(path = "work_dashboard.html")]
struct DashboardPanel<'a> {
    ctx: &'a Ctx,
    a: store::work::AssignmentStats,
    r: domain::work::RectStats,
    chart: String,
    legend: Vec<(&'static str, &'static str, i64)>,
}

fn rect_color(s: RectificationState) -> &'static str {
    match s {
        RectificationState::Open => "#a9aeb8",
        RectificationState::Submitted => "#5b7db1",
        RectificationState::Returned => "#d9a21b",
        RectificationState::Verified => "#1f9d74",
    }
}

/// The M3/M4 block of the dashboard: overdue tasks and rectifications, on-time rate,
/// median days to close, and the rectifications by state as a chart.
pub async fn dashboard_panel(st: &AppState, u: &PageUser, ctx: &Ctx) -> Result<String, AppError> {
    let today = st.clock.today();
    let (a, r) = tokio::try_join!(
        st.store.assignment_stats(u.scope(), today),
        st.store.rectification_stats(u.scope(), None, today)
    )?;
    let lang = u.lang;
    let count_of = |s: RectificationState| match s {
        RectificationState::Open => r.open,
        RectificationState::Submitted => r.submitted,
        RectificationState::Returned => r.returned,
        RectificationState::Verified => r.verified,
    };
    let data: Vec<crate::ui::charts::Datum> = RectificationState::ALL
        .iter()
        .map(|s| crate::ui::charts::Datum {
            label: lang
                .code_label("rectification_state", s.as_str())
                .to_string(),
            value: count_of(*s),
            color: rect_color(*s),
        })
        .collect();
    let unit = |n: i64| lang.tf("unit.items", &[&group(n)]);
    let chart = crate::ui::charts::donut(
        "rect",
        lang.t("dash.work.chart"),
        &format!("{:.1}%", domain::work::rate(r.verified, r.total) * 100.0),
        lang.t("dash.work.closed_rate"),
        &data,
        &unit,
    );
    let legend = RectificationState::ALL
        .iter()
        .map(|s| {
            (
                s.as_str(),
                lang.code_label("rectification_state", s.as_str()),
                count_of(*s),
            )
        })
        .collect();
    let panel = DashboardPanel {
        ctx,
        a,
        r,
        chart,
        legend,
    };
    panel
        .render()
        .map_err(|e| AppError::Internal(e.to_string()))
}
