//! M5 endpoints: report forms, expected submissions (draft → submitted → accepted |
//! returned), their figures and xlsx, funded projects and their expenditures.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::ledger::{Side, SUBMISSIONS};
use domain::policy::Permission;
use domain::reports::{ExpenditureInput, FormInput, ProjectInput};
use domain::work::{DecisionInput, ReviewDecision};
use domain::{FieldError, FieldErrors};
use serde::Deserialize;
use serde_json::{Map, Value};
use store::reports::{ProjectFilter, Respondent, Submission, SubmissionFilter};

use crate::modules::work::api::when;
use crate::platform::auth::Caller;
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::{parse_json, ApiJson, Id, Params, Upload};
use crate::platform::ledger::{begin, whole_list};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/report-forms", get(list_forms).post(create_form))
        .route("/report-forms/{id}", get(get_form).patch(update_form))
        .route(
            "/report-submissions",
            get(list_submissions).post(create_submission),
        )
        .route(
            "/report-submissions/{id}",
            get(get_submission).patch(update_submission),
        )
        .route("/report-submissions/{id}/submit", post(submit))
        .route("/report-submissions/{id}/review", post(review))
        .route("/stats/reports", get(report_stats))
        .route("/export/report-submissions.xlsx", get(export_submissions))
        .route("/funded-projects", get(list_projects).post(create_project))
        .route(
            "/funded-projects/{id}",
            get(get_project).patch(update_project),
        )
        .route(
            "/funded-projects/{id}/expenditures",
            get(list_expenditures).post(add_expenditure),
        )
        .merge(crate::platform::ledger::evidence_api_filling(
            &SUBMISSIONS,
            |st, caller, id, field, up| Box::pin(attach(st, caller, id, field, up)),
        ))
}

/// Merges a `PATCH` object into what the record's input is: keys given replace, `null`
/// clears; the merged whole is read (and checked) as a new input.
pub fn merged<T: serde::Serialize + serde::de::DeserializeOwned>(
    base: &T,
    patch: Map<String, Value>,
) -> Result<T, AppError> {
    let mut v = serde_json::to_value(base).map_err(|e| AppError::Internal(e.to_string()))?;
    if let Value::Object(m) = &mut v {
        for (k, x) in patch {
            m.insert(k, x);
        }
    }
    let bytes = serde_json::to_vec(&v).map_err(|e| AppError::Internal(e.to_string()))?;
    parse_json(&bytes)
}

// ---------------------------------------------------------------- forms

#[utoipa::path(
    get,
    path = "/report-forms",
    summary = "Report forms (every role reads them)",
    params(crate::platform::openapi::Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::reports::ReportForm>), crate::platform::openapi::E401),
)]
pub async fn list_forms(
    State(st): State<AppState>,
    _caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let page = p.page();
    p.finish()?;
    Ok(Json(st.store.list_forms(page).await?))
}

#[utoipa::path(
    post,
    path = "/report-forms",
    summary = "Define a report form (admin): fields number|integer|text|choice|file with bounds and `required`; respondents: the live orgs of `org_kinds`, exactly `party_org_ids`, or the funded projects of `programme`",
    request_body = domain::reports::FormInput,
    responses((status = 201, description = "OK", body = store::reports::ReportForm), crate::platform::openapi::E400, crate::platform::openapi::E401, crate::platform::openapi::E403, crate::platform::openapi::E422),
)]
pub async fn create_form(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<FormInput>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::DesignReportForms)?;
    let f = body.validate()?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.create_form(&actor, f).await?),
    ))
}

#[utoipa::path(
    get,
    path = "/report-forms/{id}",
    summary = "A report form",
    params(crate::platform::openapi::IdPath),
    responses((status = 200, description = "OK", body = store::reports::ReportForm), crate::platform::openapi::E401, crate::platform::openapi::E404),
)]
pub async fn get_form(
    State(st): State<AppState>,
    _caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_form(id).await?))
}

#[utoipa::path(
    patch,
    path = "/report-forms/{id}",
    summary = "Change a report form (admin): the keys given replace the form's (`fields` as a whole list). Once it has submissions, removing a field, changing a field's type, the period kind or who answers → 409; stored submissions' due days follow `due_days`",
    params(crate::platform::openapi::IdPath),
    request_body = domain::reports::FormInput,
    responses((status = 200, description = "OK", body = store::reports::ReportForm), crate::platform::openapi::E400, crate::platform::openapi::E401, crate::platform::openapi::E403, crate::platform::openapi::E404, crate::platform::openapi::E409, crate::platform::openapi::E422),
)]
pub async fn update_form(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(patch): ApiJson<Map<String, Value>>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::DesignReportForms)?;
    let form = st.store.get_form(id).await?;
    let mut base = form.def().input();
    // switching who answers clears the other way of saying it
    if patch.contains_key("applies_to") {
        base.programme = None;
        base.org_kinds = None;
        base.party_org_ids = None;
    }
    if patch.contains_key("org_kinds") {
        base.party_org_ids = None;
    }
    if patch.contains_key("party_org_ids") {
        base.org_kinds = None;
    }
    let input: FormInput = merged(&base, patch)?;
    let f = input.validate()?;
    Ok(Json(st.store.update_form(&actor, id, f).await?))
}

// ---------------------------------------------------------------- submissions

/// `POST /report-submissions`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionInput {
    #[schema(required)]
    pub form_id: Option<i64>,
    /// `2023-03`, `2023-Q1`, `2023-H1`, `2023`, of the form's kind.
    #[schema(required)]
    pub period: Option<String>,
    /// For a form of orgs.
    pub party_org_id: Option<i64>,
    /// For a form of funded projects.
    pub funded_project_id: Option<i64>,
    #[schema(value_type = Option<Object>)]
    pub values: Option<Map<String, Value>>,
}

impl SubmissionInput {
    pub fn validate(&self) -> Result<(i64, String, Respondent), FieldErrors> {
        let mut errs = FieldErrors::new();
        if self.form_id.is_none() {
            errs.add("form_id", FieldError::Required);
        }
        let period = self.period.as_deref().map(str::trim).unwrap_or("");
        if period.is_empty() {
            errs.add("period", FieldError::Required);
        }
        let who = match (self.party_org_id, self.funded_project_id) {
            (Some(o), None) => Some(Respondent::Org(o)),
            (None, Some(p)) => Some(Respondent::Project(p)),
            (Some(_), Some(_)) => {
                errs.add("funded_project_id", FieldError::Conflicts);
                None
            }
            (None, None) => {
                errs.add("party_org_id", FieldError::Required);
                None
            }
        };
        errs.into_result()?;
        match (self.form_id, who) {
            (Some(f), Some(w)) => Ok((f, period.to_string(), w)),
            _ => Err(FieldErrors::single("form_id", FieldError::Required)),
        }
    }
}

/// `PATCH /report-submissions/{id}`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValuesInput {
    /// The keys given replace, `null` clears.
    #[schema(required, value_type = Object)]
    pub values: Option<Map<String, Value>>,
}

pub fn submission_filter(p: &mut Params) -> SubmissionFilter {
    p.filter()
}

#[utoipa::path(
    get,
    path = "/report-submissions",
    summary = "Every expected submission in scope, stored or not (`id` null and state `not_started` when nothing is stored): forms in id order, periods latest first, respondents in tree order",
    params(super::openapi::SubmissionQuery, crate::platform::openapi::Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::reports::Submission>), crate::platform::openapi::E401, crate::platform::openapi::E404, crate::platform::openapi::E422),
)]
pub async fn list_submissions(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let f = submission_filter(&mut p);
    let page = p.page();
    p.finish()?;
    Ok(Json(
        st.store
            .list_submissions(&caller.scope, &f, st.clock.today(), page)
            .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/report-submissions",
    summary = "Start a submission as a draft (the respondent's users or admin): a second for the same form, period and respondent → 409; a period or respondent that is not expected → 422; values checked by type and bound (422 naming values.KEY)",
    request_body = SubmissionInput,
    responses((status = 201, description = "OK", body = store::reports::Submission), crate::platform::openapi::E400, crate::platform::openapi::E401, crate::platform::openapi::E403, crate::platform::openapi::E409, crate::platform::openapi::E422),
)]
pub async fn create_submission(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<SubmissionInput>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(SUBMISSIONS.permission_of(Side::Org))?;
    let (form_id, period, who) = body.validate()?;
    let s = st
        .store
        .create_submission(
            &actor,
            &caller.scope,
            store::reports::SubmissionKey {
                form_id,
                period,
                respondent: who,
            },
            body.values.unwrap_or_default(),
            when(&st),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(s)))
}

/// A submission with its history (`events`) and evidence files.
async fn with_history(st: &AppState, caller: &Caller, s: Submission) -> ApiResult<Value> {
    let mut v = serde_json::to_value(&s).map_err(|e| AppError::Internal(e.to_string()))?;
    if let Some(id) = s.id {
        let events = st
            .store
            .ledger_history(&SUBMISSIONS, &caller.scope, id)
            .await?;
        v["events"] = serde_json::to_value(events).unwrap_or(Value::Null);
    }
    Ok(v)
}

#[utoipa::path(
    get,
    path = "/report-submissions/{id}",
    summary = "A stored submission with its history (`events`)",
    params(crate::platform::openapi::IdPath),
    responses((status = 200, description = "OK", body = store::reports::Submission), crate::platform::openapi::E401, crate::platform::openapi::E404),
)]
pub async fn get_submission(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    let s = st
        .store
        .get_submission(&caller.scope, id, st.clock.today())
        .await?;
    Ok(Json(with_history(&st, &caller, s).await?))
}

#[utoipa::path(
    patch,
    path = "/report-submissions/{id}",
    summary = "Change a draft's or returned submission's values (the respondent's users or admin); another state → 409",
    params(crate::platform::openapi::IdPath),
    request_body = ValuesInput,
    responses((status = 200, description = "OK", body = store::reports::Submission), crate::platform::openapi::E400, crate::platform::openapi::E401, crate::platform::openapi::E403, crate::platform::openapi::E404, crate::platform::openapi::E409, crate::platform::openapi::E422),
)]
pub async fn update_submission(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<ValuesInput>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(edit(&st, &caller, id, body.values).await?))
}

/// The org's change of its values (the API and the form page).
pub async fn edit(
    st: &AppState,
    caller: &Caller,
    id: i64,
    values: Option<Map<String, Value>>,
) -> Result<Submission, AppError> {
    let (actor, _) = begin(st, caller, &SUBMISSIONS, id, Side::Org).await?;
    let Some(values) = values else {
        return Err(AppError::field("values", FieldError::Required));
    };
    Ok(st
        .store
        .update_submission(&actor, &caller.scope, id, values, when(st))
        .await?)
}

#[utoipa::path(
    post,
    path = "/report-submissions/{id}/submit",
    operation_id = "submit_report_submission",
    summary = "Submit (the respondent's users or admin): draft|returned → submitted; a required field empty → 422 naming it; else 409",
    params(crate::platform::openapi::IdPath),
    responses((status = 200, description = "OK", body = store::reports::Submission), crate::platform::openapi::E401, crate::platform::openapi::E403, crate::platform::openapi::E404, crate::platform::openapi::E409, crate::platform::openapi::E422),
)]
pub async fn submit(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(submit_one(&st, &caller, id).await?))
}

pub async fn submit_one(st: &AppState, caller: &Caller, id: i64) -> Result<Submission, AppError> {
    let (actor, _) = begin(st, caller, &SUBMISSIONS, id, Side::Org).await?;
    Ok(st
        .store
        .submit_submission(&actor, &caller.scope, id, when(st))
        .await?)
}

#[utoipa::path(
    post,
    path = "/report-submissions/{id}/review",
    operation_id = "review_report_submission",
    summary = "Accept or return (admin, committee): submitted → accepted|returned; return without a comment → 422; else 409",
    params(crate::platform::openapi::IdPath),
    request_body = crate::modules::work::openapi::ReviewInput,
    responses((status = 200, description = "OK", body = store::reports::Submission), crate::platform::openapi::E400, crate::platform::openapi::E401, crate::platform::openapi::E403, crate::platform::openapi::E404, crate::platform::openapi::E409, crate::platform::openapi::E422),
)]
pub async fn review(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<DecisionInput>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(review_one(&st, &caller, id, &body).await?))
}

pub async fn review_one(
    st: &AppState,
    caller: &Caller,
    id: i64,
    body: &DecisionInput,
) -> Result<Submission, AppError> {
    let (actor, decision, comment) = crate::modules::work::service::decision::<ReviewDecision>(
        st,
        caller,
        &SUBMISSIONS,
        id,
        body,
    )
    .await?;
    Ok(st
        .store
        .review_submission(&actor, &caller.scope, id, decision, comment, when(st))
        .await?)
}

/// An upload for a file field (`?field=KEY`), checked by content.
async fn attach(
    st: AppState,
    caller: Caller,
    id: i64,
    field: Option<String>,
    up: Upload,
) -> Result<store::ledger::LedgerAttachment, AppError> {
    let (actor, _) = begin(&st, &caller, &SUBMISSIONS, id, Side::Org).await?;
    let Some(field) = field.filter(|f| !f.trim().is_empty()) else {
        return Err(AppError::field("field", FieldError::Required));
    };
    let new =
        crate::platform::attachments::accept_file(&st, up.file_name.as_deref(), up.bytes).await?;
    let (a, _) = st
        .store
        .attach_submission_file(&actor, &caller.scope, id, field.trim(), &new, when(&st))
        .await?;
    Ok(a)
}

// ---------------------------------------------------------------- figures and ledger

/// `form_id` and `period` of a figure or export (both required).
fn form_period(p: &mut Params) -> Result<(i64, String), AppError> {
    let form = p.i64("form_id");
    let period = p.str("period").map(str::to_string);
    let mut errs = FieldErrors::new();
    if form.is_none() && p.str("form_id").is_none() {
        errs.add("form_id", FieldError::Required);
    }
    if period.as_deref().is_none_or(|s| s.trim().is_empty()) {
        errs.add("period", FieldError::Required);
    }
    errs.into_result()?;
    Ok((form.unwrap_or(0), period.unwrap_or_default()))
}

#[utoipa::path(
    get,
    path = "/stats/reports",
    summary = "Completeness and timeliness of a form's period in scope (`party_org_id`: of that org's subtree): rates over what was expected",
    params(
        ("form_id" = i64, Query, description = "the form"),
        ("period" = String, Query, description = "the period, of the form's kind"),
        ("party_org_id" = Option<i64>, Query, description = "figures of this org's subtree"),
    ),
    responses((status = 200, description = "OK", body = domain::reports::ReportStats), crate::platform::openapi::E401, crate::platform::openapi::E404, crate::platform::openapi::E422),
)]
pub async fn report_stats(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let fp = form_period(&mut p);
    let org = p.i64("party_org_id");
    p.finish()?;
    let (form, period) = fp?;
    Ok(Json(
        st.store
            .report_stats(&caller.scope, form, &period, org, st.clock.today())
            .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/export/report-submissions.xlsx",
    summary = "A form's period as xlsx: one row per expected submission — respondent, state, submitted at, late, then one column per field (its label)",
    params(
        ("form_id" = i64, Query, description = "the form"),
        ("period" = String, Query, description = "the period, of the form's kind"),
    ),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), crate::platform::openapi::E401, crate::platform::openapi::E404, crate::platform::openapi::E422),
)]
pub async fn export_submissions(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<Response> {
    let fp = form_period(&mut p);
    p.finish()?;
    let (form, period) = fp?;
    super::sheets::submissions_xlsx(&st, &caller, form, &period, None).await
}

// ---------------------------------------------------------------- funded projects

pub fn project_filter(p: &mut Params) -> ProjectFilter {
    p.filter()
}

#[utoipa::path(
    get,
    path = "/funded-projects",
    summary = "Funded projects in scope (a project is in a branch's scope when the org covering its society is), latest year first",
    params(super::openapi::ProjectQuery, crate::platform::openapi::Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::reports::FundedProject>), crate::platform::openapi::E401, crate::platform::openapi::E422),
)]
pub async fn list_projects(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let f = project_filter(&mut p);
    let page = p.page();
    p.finish()?;
    Ok(Json(st.store.list_projects(&caller.scope, &f, page).await?))
}

#[utoipa::path(
    post,
    path = "/funded-projects",
    summary = "A funded project (admin, committee): amounts in yuan with at most two decimals; party_org_id, spent and the rates are read-only",
    request_body = domain::reports::ProjectInput,
    responses((status = 201, description = "OK", body = store::reports::FundedProject), crate::platform::openapi::E400, crate::platform::openapi::E401, crate::platform::openapi::E403, crate::platform::openapi::E422),
)]
pub async fn create_project(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ProjectInput>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::ManageProjects)?;
    let p = body.validate()?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.create_project(&actor, &caller.scope, p).await?),
    ))
}

#[utoipa::path(
    get,
    path = "/funded-projects/{id}",
    summary = "A funded project",
    params(crate::platform::openapi::IdPath),
    responses((status = 200, description = "OK", body = store::reports::FundedProject), crate::platform::openapi::E401, crate::platform::openapi::E404),
)]
pub async fn get_project(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_project(&caller.scope, id).await?))
}

/// The read-only keys of a project.
const PROJECT_READ_ONLY: [&str; 5] = [
    "party_org_id",
    "spent",
    "execution_rate",
    "achievement_rate",
    "id",
];

#[utoipa::path(
    patch,
    path = "/funded-projects/{id}",
    summary = "Change a funded project (admin, committee): the keys given replace; read-only keys → 422",
    params(crate::platform::openapi::IdPath),
    request_body = domain::reports::ProjectInput,
    responses((status = 200, description = "OK", body = store::reports::FundedProject), crate::platform::openapi::E400, crate::platform::openapi::E401, crate::platform::openapi::E403, crate::platform::openapi::E404, crate::platform::openapi::E422),
)]
pub async fn update_project(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(patch): ApiJson<Map<String, Value>>,
) -> ApiResult<impl IntoResponse> {
    let cur = st.store.get_project(&caller.scope, id).await?;
    let actor = caller.may(Permission::ManageProjects)?;
    if let Some(k) = patch
        .keys()
        .find(|k| PROJECT_READ_ONLY.contains(&k.as_str()))
    {
        return Err(AppError::field(
            k,
            FieldError::Malformed {
                detail: "read-only".into(),
            },
        ));
    }
    let base = domain::reports::NewProject {
        programme: cur.programme,
        title: cur.title,
        society_id: cur.society_id,
        year: cur.year,
        budget_fen: cur.budget_fen,
        indicators: cur.indicators,
    }
    .input();
    let input: ProjectInput = merged(&base, patch)?;
    let p = input.validate()?;
    Ok(Json(
        st.store
            .update_project(&actor, &caller.scope, id, p)
            .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/funded-projects/{id}/expenditures",
    summary = "A project's expenditures, oldest first",
    params(crate::platform::openapi::IdPath),
    responses((status = 200, description = "OK: {items, total, page, per_page}", body = store::Paged<store::reports::Expenditure>), crate::platform::openapi::E401, crate::platform::openapi::E404),
)]
pub async fn list_expenditures(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(whole_list(
        st.store.list_expenditures(&caller.scope, id).await?,
    )))
}

#[utoipa::path(
    post,
    path = "/funded-projects/{id}/expenditures",
    summary = "Record an expenditure (admin, committee): amount > 0 in yuan with at most two decimals, spent_on not in the future",
    params(crate::platform::openapi::IdPath),
    request_body = domain::reports::ExpenditureInput,
    responses((status = 201, description = "OK", body = store::reports::Expenditure), crate::platform::openapi::E400, crate::platform::openapi::E401, crate::platform::openapi::E403, crate::platform::openapi::E404, crate::platform::openapi::E422),
)]
pub async fn add_expenditure(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<ExpenditureInput>,
) -> ApiResult<impl IntoResponse> {
    st.store.get_project(&caller.scope, id).await?;
    let actor = caller.may(Permission::ManageProjects)?;
    let e = body.validate(st.clock.today())?;
    Ok((
        StatusCode::CREATED,
        Json(
            st.store
                .add_expenditure(&actor, &caller.scope, id, e)
                .await?,
        ),
    ))
}
