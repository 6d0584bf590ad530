//! M5 pages: what a branch has to fill in and the committee's view of every form, a form as
//! its respondent fills it in (phone first), a submission as the third instance of the one
//! ledger page, a form's respondents × periods matrix with its figures, the form designer
//! and the funded projects.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use domain::ledger::{LedgerKind, Side, SUBMISSIONS};
use domain::policy::Permission;
use domain::reports::{FieldDef, FieldType, SubmissionState};
use domain::work::DecisionInput;
use serde_json::{Map, Value};
use store::reports::{ReportForm, Respondent, Submission, SubmissionFilter, SubmissionKey};
use store::PageReq;

use crate::modules::life::reminders::period_label;
use crate::modules::work::api::when;
use crate::platform::auth::Caller;
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::files;
use crate::platform::i18n::Lang;
use crate::platform::session::{OrPage, PageError, PageUser};
use crate::ui::ctx::{html, parse_id, Ctx, FormState};
use crate::ui::ledger::{form_error, ledger_pages, notice, LedgerPage, LedgerView};
use crate::ui::list::kept;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", get(list))
        .route(
            "/reports/forms/new",
            get(super::designer::new_form).post(super::designer::save_new),
        )
        .route("/reports/forms/{id}", get(matrix))
        .route(
            "/reports/forms/{id}/edit",
            get(super::designer::edit_form).post(super::designer::save_edit),
        )
        .route("/reports/forms/{id}/fill", get(fill).post(fill_post))
        .route("/reports/forms/{id}/export.xlsx", get(export_period))
        .route("/reports/submissions/{id}", get(submission_alias))
        .route("/reports/submissions/{id}/save", post(save_post))
        .route("/reports/projects", get(super::projects::list))
        .route(
            "/reports/projects/export.xlsx",
            get(super::projects::export),
        )
        .route("/reports/projects/{id}", get(super::projects::show))
        .route(
            "/reports/projects/{id}/expenditures",
            post(super::projects::add_expenditure),
        )
        .merge(ledger_pages::<SubmissionPage>())
}

// ---------------------------------------------------------------- shared pieces

/// A form's field as a respondent sees it.
pub struct FieldView {
    pub key: String,
    /// The form field's name (and the store's error key): `values.KEY`.
    pub name: String,
    pub label: String,
    pub kind: &'static str,
    pub required: bool,
    pub min: String,
    pub max: String,
    pub unit: String,
    pub choices: Vec<String>,
    /// A file field's stored file: its link and name.
    pub file: Option<(String, String)>,
}

fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

pub fn field_views(defs: &[FieldDef]) -> Vec<FieldView> {
    defs.iter()
        .map(|d| FieldView {
            key: d.key.clone(),
            name: format!("values.{}", d.key),
            label: d.label.clone(),
            kind: d.kind.as_str(),
            required: d.required,
            min: d.min.map(num).unwrap_or_default(),
            max: d.max.map(num).unwrap_or_default(),
            unit: d.unit.clone().unwrap_or_default(),
            choices: d.choices.clone().unwrap_or_default(),
            file: None,
        })
        .collect()
}

/// A stored value as the form shows it.
fn shown(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n
            .as_i64()
            .map(|i| i.to_string())
            .or_else(|| n.as_f64().map(num))
            .unwrap_or_default(),
        v => v.to_string(),
    }
}

/// The submission's values into the form (where the form has nothing typed yet).
fn fill_values(f: &mut FormState, values: &Map<String, Value>) {
    for (k, v) in values {
        let name = format!("values.{k}");
        if !f.values.contains_key(&name) {
            f.set(&name, shown(v));
        }
    }
}

/// The typed values, read by the fields' types (a bad number is a field error); an empty
/// box clears the key (`null`).
fn values_from(defs: &[FieldDef], f: &mut FormState, lang: Lang) -> Map<String, Value> {
    let mut out = Map::new();
    for d in defs.iter().filter(|d| d.kind != FieldType::File) {
        let name = format!("values.{}", d.key);
        let raw = f.v(&name).trim().to_string();
        if raw.is_empty() {
            out.insert(d.key.clone(), Value::Null);
            continue;
        }
        let v = match d.kind {
            FieldType::Integer => match raw.replace([',', '，'], "").parse::<i64>() {
                Ok(n) => Value::from(n),
                Err(_) => {
                    f.error(&name, lang.t("form.not_integer"));
                    continue;
                }
            },
            FieldType::Number => match raw
                .replace([',', '，'], "")
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
            {
                Some(n) => Value::Number(n),
                None => {
                    f.error(&name, lang.t("report.not_number"));
                    continue;
                }
            },
            _ => Value::String(raw),
        };
        out.insert(d.key.clone(), v);
    }
    out
}

/// Codes with their labels, for a `<select>`.
pub fn codes(lang: Lang, group: &str, codes: &[&'static str]) -> Vec<(&'static str, &'static str)> {
    codes
        .iter()
        .map(|c| (*c, lang.code_label(group, c)))
        .collect()
}

fn period_of(lang: Lang, p: &str) -> String {
    period_label(lang, p)
}

/// All expected submissions the filter keeps (every page).
async fn all_rows(
    st: &AppState,
    u: &PageUser,
    f: &SubmissionFilter,
    limit: usize,
) -> Result<Vec<Submission>, PageError> {
    let today = st.clock.today();
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let req = PageReq {
            page,
            per_page: PageReq::MAX_PER_PAGE,
        };
        let res = st
            .store
            .list_submissions(u.scope(), f, today, req)
            .await
            .or_page(u)?;
        let n = res.items.len();
        out.extend(res.items);
        if n == 0 || out.len() as i64 >= res.total || out.len() >= limit {
            break;
        }
        page += 1;
    }
    Ok(out)
}

async fn all_forms(st: &AppState, u: &PageUser) -> Result<Vec<ReportForm>, PageError> {
    let req = PageReq {
        page: 1,
        per_page: PageReq::MAX_PER_PAGE,
    };
    Ok(st.store.list_forms(req).await.or_page(u)?.items)
}

/// Where an expected submission is filled in or read.
pub fn submission_href(s: &Submission) -> String {
    match s.id {
        Some(id) => format!("/report-submissions/{id}"),
        None => {
            let who = match (s.party_org_id, s.funded_project_id) {
                (_, Some(p)) => format!("funded_project_id={p}"),
                (Some(o), None) => format!("party_org_id={o}"),
                _ => String::new(),
            };
            format!(
                "/reports/forms/{}/fill?period={}&{who}",
                s.form_id, s.period
            )
        }
    }
}

// ---------------------------------------------------------------- /reports

/// One expected submission in a branch's list.
pub struct TodoRow {
    pub title: String,
    pub period: String,
    pub s: Submission,
    pub left: i64,
    pub href: String,
}

/// One form in the committee's list, with its current period's figures.
pub struct FormRow {
    pub form: ReportForm,
    pub period: Option<String>,
    pub stats: Option<domain::reports::ReportStats>,
}

#[derive(Template)]
#[template(path = "reports/list.html")]
struct ListPage {
    ctx: Ctx,
    org_side: bool,
    todo: Vec<TodoRow>,
    forms: Vec<FormRow>,
    may_design: bool,
}

impl ListPage {
    fn pct(&self, r: &f64) -> String {
        crate::ui::ctx::percent(*r)
    }
}

fn rank(s: SubmissionState) -> u8 {
    match s {
        SubmissionState::Returned => 0,
        SubmissionState::NotStarted | SubmissionState::Draft => 1,
        _ => 2,
    }
}

async fn list(State(st): State<AppState>, u: PageUser) -> Result<Response, PageError> {
    let today = st.clock.today();
    let forms = all_forms(&st, &u).await?;
    let org_side = crate::platform::ledger::side_of(&u.session.user) == Side::Org;
    let mut todo = Vec::new();
    let mut rows = Vec::new();
    if org_side {
        let titles: HashMap<i64, String> = forms.iter().map(|f| (f.id, f.title.clone())).collect();
        let mut items: Vec<Submission> = all_rows(&st, &u, &SubmissionFilter::default(), 2000)
            .await?
            .into_iter()
            .filter(|s| s.state != SubmissionState::Accepted)
            .collect();
        items.sort_by(|a, b| {
            rank(a.state)
                .cmp(&rank(b.state))
                .then(a.due_on.cmp(&b.due_on))
        });
        todo = items
            .into_iter()
            .take(200)
            .map(|s| TodoRow {
                title: titles.get(&s.form_id).cloned().unwrap_or_default(),
                period: period_of(u.lang, &s.period),
                left: (s.due_on - today).num_days(),
                href: submission_href(&s),
                s,
            })
            .collect();
    } else {
        for form in forms {
            let period = form.def().periods(today).first().map(|p| p.label());
            let stats = match &period {
                Some(p) => Some(
                    st.store
                        .report_stats(u.scope(), form.id, p, None, today)
                        .await
                        .or_page(&u)?,
                ),
                None => None,
            };
            rows.push(FormRow {
                period: period.map(|p| period_of(u.lang, &p)),
                form,
                stats,
            });
        }
    }
    let page = ListPage {
        ctx: u.section_ctx("reports"),
        org_side,
        todo,
        forms: rows,
        may_design: u.allowed(Permission::DesignReportForms),
    };
    Ok(html(StatusCode::OK, &page))
}

// ---------------------------------------------------------------- filling in

#[derive(Template)]
#[template(path = "reports/fill.html")]
struct FillPage {
    ctx: Ctx,
    form: ReportForm,
    s: Submission,
    period: String,
    fields: Vec<FieldView>,
    f: FormState,
    editable: bool,
    action: String,
}

/// The one expected submission of a form, period and respondent from the query.
async fn expected(
    st: &AppState,
    u: &PageUser,
    form_id: i64,
    f: &FormState,
) -> Result<Submission, PageError> {
    let filter = SubmissionFilter {
        form_id: Some(form_id),
        period: f.opt("period"),
        party_org_id: f.opt("party_org_id").and_then(|v| v.parse().ok()),
        funded_project_id: f.opt("funded_project_id").and_then(|v| v.parse().ok()),
        ..Default::default()
    };
    if filter.period.is_none()
        || (filter.party_org_id.is_none() && filter.funded_project_id.is_none())
    {
        return Err(u.not_found().into());
    }
    let res = st
        .store
        .list_submissions(
            u.scope(),
            &filter,
            st.clock.today(),
            PageReq {
                page: 1,
                per_page: 5,
            },
        )
        .await
        .or_page(u)?;
    // a project's org is also its party_org_id: the filter's respondent decides
    res.items
        .into_iter()
        .find(|s| match filter.funded_project_id {
            Some(p) => s.funded_project_id == Some(p),
            None => s.funded_project_id.is_none(),
        })
        .ok_or_else(|| u.not_found().into())
}

async fn render_fill(
    st: &AppState,
    u: &PageUser,
    form_id: i64,
    f: FormState,
    status: StatusCode,
) -> Result<Response, PageError> {
    let form = st.store.get_form(form_id).await.or_page(u)?;
    let s = expected(st, u, form_id, &f).await?;
    if let Some(id) = s.id {
        return Ok(Redirect::to(&format!("/report-submissions/{id}")).into_response());
    }
    let period = period_of(u.lang, &s.period);
    let title = format!("{} · {}", form.title, period);
    let page = FillPage {
        ctx: u.item_ctx("reports", title),
        fields: field_views(&form.fields),
        editable: u.allowed(SUBMISSIONS.permission_of(Side::Org)),
        action: format!("/reports/forms/{form_id}/fill"),
        form,
        s,
        period,
        f,
    };
    Ok(html(status, &page))
}

async fn fill(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let p = p.map_err(|e| u.error(e))?;
    let mut f = FormState::default();
    for k in ["period", "party_org_id", "funded_project_id"] {
        f.set(k, p.str(k).unwrap_or(""));
    }
    render_fill(&st, &u, id, f, StatusCode::OK).await
}

async fn read_form(st: &AppState, u: &PageUser, mp: Multipart) -> Result<files::Form, PageError> {
    files::Form::read(mp, st.config.max_upload_bytes)
        .await
        .map_err(|e| u.error(e).into())
}

/// The first save of an expected submission: the draft is made, then as [`save_post`].
async fn fill_post(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    mp: Multipart,
) -> Result<Response, PageError> {
    let form_id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let actor = u.may(SUBMISSIONS.permission_of(Side::Org))?;
    let mut upload = read_form(&st, &u, mp).await?;
    let form = st.store.get_form(form_id).await.or_page(&u)?;
    let mut f = FormState {
        values: std::mem::take(&mut upload.fields),
        ..Default::default()
    };
    let s = expected(&st, &u, form_id, &f).await?;
    if let Some(id) = s.id {
        return Ok(Redirect::to(&format!("/report-submissions/{id}")).into_response());
    }
    let mut values = values_from(&form.fields, &mut f, u.lang);
    values.retain(|_, v| !v.is_null());
    if !f.ok() {
        return render_fill(&st, &u, form_id, f, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let respondent = match s.funded_project_id {
        Some(p) => Respondent::Project(p),
        None => Respondent::Org(s.party_org_id.unwrap_or_default()),
    };
    let key = SubmissionKey {
        form_id,
        period: s.period.clone(),
        respondent,
    };
    let created = match st
        .store
        .create_submission(&actor, u.scope(), key, values, when(&st))
        .await
    {
        Ok(c) => c,
        Err(e) => {
            form_error(&u, &mut f, e.into())?;
            return render_fill(&st, &u, form_id, f, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let id = created.id.unwrap_or_default();
    after_save(&st, &u, id, f, upload).await
}

/// A later save of a draft or returned submission (`action` `edit` keeps it a draft,
/// `submit` submits it).
async fn save_post(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    mp: Multipart,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let caller = u.caller();
    crate::platform::ledger::begin(&st, &caller, &SUBMISSIONS, id, Side::Org)
        .await
        .map_err(|e| u.error(e))?;
    let mut upload = read_form(&st, &u, mp).await?;
    let s = st
        .store
        .get_submission(u.scope(), id, st.clock.today())
        .await
        .or_page(&u)?;
    let form = st.store.get_form(s.form_id).await.or_page(&u)?;
    let mut f = FormState {
        values: std::mem::take(&mut upload.fields),
        ..Default::default()
    };
    let values = values_from(&form.fields, &mut f, u.lang);
    if f.ok() {
        if let Err(e) = super::api::edit(&st, &caller, id, Some(values)).await {
            form_error(&u, &mut f, e)?;
        }
    }
    if !f.ok() {
        return <SubmissionPage as LedgerPage>::render(
            &st,
            &u,
            id,
            f,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
        )
        .await;
    }
    after_save(&st, &u, id, f, upload).await
}

/// The files of the form's file fields, then the submit when asked; back to the record
/// saying what changed, or the record with the errors next to the fields.
async fn after_save(
    st: &AppState,
    u: &PageUser,
    id: i64,
    mut f: FormState,
    upload: files::Form,
) -> Result<Response, PageError> {
    let caller = u.caller();
    for ((file_name, bytes), part) in upload.files.into_iter().zip(upload.parts) {
        let key = part.strip_prefix("values.").unwrap_or(&part).to_string();
        if let Err(e) = attach(st, &caller, id, &key, file_name, bytes).await {
            match e {
                // the file's own errors (its kind, the field it fills) belong to its field
                AppError::Validation(fe) => {
                    for v in fe.0.values() {
                        f.error(&part, u.lang.field_error(v));
                    }
                }
                e => form_error(u, &mut f, e)?,
            }
        }
    }
    let submit = f.v("action") == "submit";
    if f.ok() && submit {
        if let Err(e) = super::api::submit_one(st, &caller, id).await {
            form_error(u, &mut f, e)?;
        }
    }
    if f.ok() {
        let msg = if submit { "submitted" } else { "draft" };
        return Ok(Redirect::to(&format!("/report-submissions/{id}?msg={msg}")).into_response());
    }
    <SubmissionPage as LedgerPage>::render(st, u, id, f, StatusCode::UNPROCESSABLE_ENTITY, None)
        .await
}

async fn attach(
    st: &AppState,
    caller: &Caller,
    id: i64,
    key: &str,
    file_name: Option<String>,
    bytes: axum::body::Bytes,
) -> Result<(), AppError> {
    let (actor, _) =
        crate::platform::ledger::begin(st, caller, &SUBMISSIONS, id, Side::Org).await?;
    let new = crate::platform::attachments::accept_file(st, file_name.as_deref(), bytes).await?;
    st.store
        .attach_submission_file(&actor, &caller.scope, id, key, &new, when(st))
        .await?;
    Ok(())
}

async fn submission_alias(Path(raw): Path<String>) -> Response {
    let id = parse_id(&raw).unwrap_or(0);
    Redirect::permanent(&format!("/report-submissions/{id}")).into_response()
}

// ---------------------------------------------------------------- a submission

#[derive(Template)]
#[template(path = "reports/submission.html")]
pub(super) struct SubmissionPage {
    ctx: Ctx,
    ledger: LedgerView,
    form: ReportForm,
    s: Submission,
    period: String,
    fields: Vec<FieldView>,
    f: FormState,
    editable: bool,
    action: String,
}

impl SubmissionPage {
    /// A field's value as read-only text (with its unit; a file as its name).
    fn value_of(&self, fv: &FieldView) -> String {
        match self.s.values.get(&fv.key) {
            None | Some(Value::Null) => String::new(),
            Some(_) if fv.kind == "file" => {
                fv.file.as_ref().map(|(_, n)| n.clone()).unwrap_or_default()
            }
            Some(v) if fv.unit.is_empty() => shown(v),
            Some(v) => format!("{} {}", shown(v), fv.unit),
        }
    }
}

impl LedgerPage for SubmissionPage {
    const KIND: &'static LedgerKind = &SUBMISSIONS;

    async fn render(
        st: &AppState,
        u: &PageUser,
        id: i64,
        mut f: FormState,
        status: StatusCode,
        msg: Option<&str>,
    ) -> Result<Response, PageError> {
        let ledger = LedgerView::load(st, u, Self::KIND, id).await?;
        let s = st
            .store
            .get_submission(u.scope(), id, st.clock.today())
            .await
            .or_page(u)?;
        let form = st.store.get_form(s.form_id).await.or_page(u)?;
        fill_values(&mut f, &s.values);
        let mut fields = field_views(&form.fields);
        for fv in fields.iter_mut().filter(|fv| fv.kind == "file") {
            let att = s.values.get(&fv.key).and_then(Value::as_i64);
            fv.file = att.and_then(|a| {
                ledger.files.iter().find(|t| t.id == a).map(|t| {
                    (
                        format!("/report-submissions/{id}/files/{a}"),
                        t.file_name.clone(),
                    )
                })
            });
        }
        let period = period_of(u.lang, &s.period);
        let title = format!("{} · {}", form.title, period);
        let page = SubmissionPage {
            ctx: notice(u.item_ctx("reports", title), Self::KIND, msg),
            editable: ledger.answer.is_some(),
            action: format!("/reports/submissions/{id}/save"),
            ledger,
            form,
            s,
            period,
            fields,
            f,
        };
        Ok(html(status, &page))
    }

    async fn answer(
        st: &AppState,
        caller: &Caller,
        id: i64,
        f: &mut FormState,
        lang: Lang,
    ) -> Result<bool, AppError> {
        let s = st
            .store
            .get_submission(&caller.scope, id, st.clock.today())
            .await?;
        let form = st.store.get_form(s.form_id).await?;
        let values = values_from(&form.fields, f, lang);
        if !f.ok() {
            return Ok(false);
        }
        super::api::edit(st, caller, id, Some(values)).await?;
        super::api::submit_one(st, caller, id).await.map(|_| true)
    }

    async fn decide(
        st: &AppState,
        caller: &Caller,
        id: i64,
        f: &FormState,
    ) -> Result<(), AppError> {
        let body = DecisionInput {
            decision: f.opt("decision"),
            comment: f.opt("comment"),
        };
        super::api::review_one(st, caller, id, &body)
            .await
            .map(|_| ())
    }
}

// ---------------------------------------------------------------- the matrix

pub struct MatrixCell {
    pub class: &'static str,
    pub title: String,
    pub href: Option<String>,
}

pub struct MatrixRow {
    pub name: String,
    pub cells: Vec<MatrixCell>,
}

pub struct PeriodFigures {
    pub code: String,
    pub label: String,
    pub stats: domain::reports::ReportStats,
}

#[derive(Template)]
#[template(path = "reports/matrix.html")]
struct MatrixPage {
    ctx: Ctx,
    form: ReportForm,
    periods: Vec<PeriodFigures>,
    rows: Vec<MatrixRow>,
    chart: String,
    f: FormState,
    states: Vec<(&'static str, &'static str)>,
    may_design: bool,
}

impl MatrixPage {
    fn pct(&self, r: &f64) -> String {
        crate::ui::ctx::percent(*r)
    }
}

fn cell_class(s: &Submission) -> &'static str {
    match s.state {
        SubmissionState::NotStarted if s.late => "missed",
        SubmissionState::NotStarted => "upcoming",
        SubmissionState::Draft => "rs-draft",
        SubmissionState::Submitted => "rs-submitted",
        SubmissionState::Returned => "rs-returned",
        SubmissionState::Accepted => "met",
    }
}

/// A period's label under a chart's axis: `Q2`, `3月`, `上半年`-like codes shortened, a
/// year as itself.
fn short_label(lang: Lang, code: &str) -> String {
    match code.split_once('-') {
        Some((_, m)) if m.chars().all(|c| c.is_ascii_digit()) => {
            lang.tf("comp.month", &[m.trim_start_matches('0')])
        }
        Some((_, rest)) => rest.to_string(),
        None => code.to_string(),
    }
}

/// A matrix row's respondent: an org, or a funded project.
type Who = (Option<i64>, Option<i64>);

/// How many periods the matrix shows.
const MATRIX_PERIODS: usize = 12;

async fn matrix(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let mut p = p.map_err(|e| u.error(e))?;
    let filter: SubmissionFilter = p.filter();
    let f = kept::<SubmissionFilter>(&p);
    let msg = p.str("msg").map(str::to_string);
    p.finish().map_err(|e| u.error(e))?;
    let form = st.store.get_form(id).await.or_page(&u)?;
    let today = st.clock.today();
    let lang = u.lang;
    let periods: Vec<_> = form
        .def()
        .periods(today)
        .into_iter()
        .take(MATRIX_PERIODS)
        .collect();
    let mut order: Vec<Who> = Vec::new();
    let mut names: HashMap<Who, String> = HashMap::new();
    let mut cells: HashMap<(Who, usize), MatrixCell> = HashMap::new();
    let mut figures = Vec::new();
    for (i, period) in periods.iter().enumerate() {
        let code = period.label();
        let pf = SubmissionFilter {
            form_id: Some(id),
            period: Some(code.clone()),
            state: filter.state,
            late: filter.late,
            party_org_id: filter.party_org_id,
            ..Default::default()
        };
        let label = period_of(lang, &code);
        for s in all_rows(&st, &u, &pf, 5000).await? {
            let key = (
                s.funded_project_id
                    .is_none()
                    .then_some(s.party_org_id)
                    .flatten(),
                s.funded_project_id,
            );
            if let std::collections::hash_map::Entry::Vacant(e) = names.entry(key) {
                order.push(key);
                e.insert(s.respondent.clone());
            }
            let mut title = format!(
                "{} · {} · {}",
                s.respondent,
                label,
                lang.code_label("report_submission_state", s.state.as_str())
            );
            if s.late {
                title.push_str(" · ");
                title.push_str(lang.t("ledger.late"));
            }
            cells.insert(
                (key, i),
                MatrixCell {
                    class: cell_class(&s),
                    title,
                    href: Some(submission_href(&s)),
                },
            );
        }
        let stats = st
            .store
            .report_stats(u.scope(), id, &code, filter.party_org_id, today)
            .await
            .or_page(&u)?;
        figures.push(PeriodFigures { code, label, stats });
    }
    let rows = order
        .into_iter()
        .map(|key| MatrixRow {
            name: names.remove(&key).unwrap_or_default(),
            cells: (0..periods.len())
                .map(|i| {
                    cells.remove(&(key, i)).unwrap_or(MatrixCell {
                        class: "none",
                        title: String::new(),
                        href: None,
                    })
                })
                .collect(),
        })
        .collect();
    let chrono_order: Vec<&PeriodFigures> = figures.iter().rev().collect();
    let pct = |r: f64| (r * 100.0).round() as i64;
    let series = vec![
        crate::ui::charts::Series {
            label: lang.t("report.completeness").to_string(),
            color: "#5b7db1",
            values: chrono_order
                .iter()
                .map(|p| pct(p.stats.completeness_rate))
                .collect(),
        },
        crate::ui::charts::Series {
            label: lang.t("report.timeliness").to_string(),
            color: "#1f9d74",
            values: chrono_order
                .iter()
                .map(|p| pct(p.stats.timeliness_rate))
                .collect(),
        },
    ];
    let short: Vec<String> = chrono_order
        .iter()
        .map(|p| short_label(lang, &p.code))
        .collect();
    let long: Vec<String> = chrono_order.iter().map(|p| p.label.clone()).collect();
    let unit = |n: i64| format!("{n}%");
    let chart = if figures.len() > 1 {
        crate::ui::charts::lines_to(
            "report-trend",
            lang.t("report.trend"),
            &short,
            &long,
            &series,
            &unit,
            Some(100),
        )
    } else {
        String::new()
    };
    let page = MatrixPage {
        ctx: u
            .item_ctx("reports", form.title.clone())
            .with_flash(msg.as_deref()),
        form,
        periods: figures,
        rows,
        chart,
        f,
        states: codes(lang, "report_submission_state", SubmissionState::CODES),
        may_design: u.allowed(Permission::DesignReportForms),
    };
    Ok(html(StatusCode::OK, &page))
}

/// A form's period as the ledger people keep (title rows, 序号).
async fn export_period(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let p = p.map_err(|e| u.error(e))?;
    let form = st.store.get_form(id).await.or_page(&u)?;
    let period = match p.str("period") {
        Some(x) => x.to_string(),
        None => form
            .def()
            .periods(st.clock.today())
            .first()
            .map(|p| p.label())
            .ok_or_else(|| u.not_found())?,
    };
    let name = format!("{}（{}）", form.title, period_of(Lang::Zh, &period));
    let title = crate::modules::registry::api::ledger_title(&st, u.scope(), u.lang, &name)
        .await
        .map_err(|e| u.error(e))?;
    super::sheets::submissions_xlsx(&st, &u.caller(), id, &period, Some(title))
        .await
        .map_err(|e| u.error(e).into())
}
