//! M2 endpoints: activities and attachments, obligations, compliance, to-do and reminders.

use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Datelike;
use domain::life::{ActivityPatch, ObligationPatch};
use domain::policy::Permission;
use domain::FieldError;
use serde_json::json;
use store::attachments::AttachmentOwner;
use store::life::ActivityFilter;
use store::Paged;

use crate::modules::life::{reminders, sheets as life_io};
use crate::modules::registry::api::xlsx_response;
use crate::platform::attachments;
use crate::platform::auth::Caller;
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::{ApiJson, Id, Params};
use crate::platform::i18n::Lang;
use crate::platform::openapi::{
    FileUpload, IdPath, Items, Paging, E400, E401, E403, E404, E413, E422,
};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/activities", get(list_activities).post(create_activity))
        .route(
            "/activities/{id}",
            get(get_activity)
                .patch(update_activity)
                .delete(delete_activity),
        )
        .route(
            "/activities/{id}/attachments",
            get(list_attachments)
                .post(add_attachment)
                .layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/obligations",
            get(list_obligations).post(create_obligation),
        )
        .route(
            "/obligations/{id}",
            get(get_obligation)
                .patch(update_obligation)
                .delete(delete_obligation),
        )
        .route("/compliance", get(compliance))
        .route("/export/compliance.xlsx", get(export_compliance))
        .route("/export/activities.xlsx", get(export_activities))
        .route("/todo", get(todo))
        .route("/reminders", get(list_reminders))
        .route("/reminders/run", post(run_reminders))
}

/// The activity filter's query parameters, for the description.
pub(crate) type ActivityQuery = crate::platform::openapi::ListParams<ActivityFilter>;

/// The compliance query's parameters, for the description.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct ComplianceQuery {
    /// default: this year
    #[param(minimum = 1921)]
    year: Option<i64>,
    /// the subtree of this org (default: the caller's scope)
    party_org_id: Option<i64>,
}

/// The activity filter from query parameters; shared with the pages and the export.
/// `year` is a shorthand for `from`/`to` spanning that year.
pub fn activity_filter(p: &mut Params) -> ActivityFilter {
    let mut f: ActivityFilter = p.filter();
    // `year` is a shorthand the store does not see.
    if let Some(y) = f.year.take().and_then(|y| i32::try_from(y).ok()) {
        f.from = chrono::NaiveDate::from_ymd_opt(y, 1, 1).or(f.from);
        f.to = chrono::NaiveDate::from_ymd_opt(y, 12, 31).or(f.to);
    }
    f
}

#[utoipa::path(
    get,
    path = "/export/activities.xlsx",
    summary = "Extension: the activity records as xlsx (same filters as the list)",
    params(ActivityQuery),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), E401, E422),
)]
async fn export_activities(
    State(st): State<AppState>,
    caller: Caller,
    lang: Lang,
    mut p: Params,
) -> ApiResult<Response> {
    let f = activity_filter(&mut p);
    p.finish()?;
    let bytes = life_io::activities_xlsx(&st, &caller.scope, &f, lang, None).await?;
    Ok(xlsx_response(bytes, lang.t("act.sheet_name")))
}

#[utoipa::path(
    get,
    path = "/activities",
    summary = "List activity records in scope, newest first",
    params(ActivityQuery, Paging),
    responses((status = 200, description = "OK", body = Paged<domain::life::Activity>), E400, E401, E403, E404, E422),
)]
async fn list_activities(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let f = activity_filter(&mut p);
    let page = p.page();
    p.finish()?;
    Ok(Json(
        st.store.list_activities(&caller.scope, &f, page).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/activities/{id}",
    summary = "One activity",
    params(IdPath),
    responses((status = 200, description = "OK", body = domain::life::Activity), E400, E401, E403, E404, E422),
)]
async fn get_activity(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_activity(&caller.scope, id).await?))
}

#[utoipa::path(
    post,
    path = "/activities",
    summary = "Record a held activity (admin, committee, branch within its subtree). held_on may not be in the future; attendees_present ≤ attendees_expected. An org outside the caller's scope → 404.",
    request_body = ActivityPatch,
    responses((status = 201, description = "OK", body = domain::life::Activity), E400, E401, E403, E404, E422),
)]
async fn create_activity(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ActivityPatch>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::RecordActivity)?;
    let input = body
        .apply(None, st.clock.today())
        .map_err(AppError::Validation)?;
    let a = st
        .store
        .create_activity(&actor, &caller.scope, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

#[utoipa::path(
    patch,
    path = "/activities/{id}",
    summary = "Change an activity; absent fields keep their value, null clears",
    params(IdPath),
    request_body = ActivityPatch,
    responses((status = 200, description = "OK", body = domain::life::Activity), E400, E401, E403, E404, E422),
)]
async fn update_activity(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<ActivityPatch>,
) -> ApiResult<impl IntoResponse> {
    let base = st.store.get_activity(&caller.scope, id).await?;
    let actor = caller.may(Permission::RecordActivity)?;
    let input = body
        .apply(Some(&base.input()), st.clock.today())
        .map_err(AppError::Validation)?;
    Ok(Json(
        st.store
            .update_activity(&actor, &caller.scope, id, &input)
            .await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/activities/{id}",
    summary = "Soft-delete an activity (audited)",
    params(IdPath),
    responses((status = 204, description = "Deleted"), E400, E401, E403, E404, E422),
)]
async fn delete_activity(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    st.store.get_activity(&caller.scope, id).await?;
    let actor = caller.may(Permission::RecordActivity)?;
    st.store.delete_activity(&actor, &caller.scope, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/activities/{id}/attachments",
    summary = "Attach a file (multipart field `file`): PDF, JPEG, PNG, GIF, WebP, HEIC, DOCX/XLSX/PPTX, ODT/ODS, legacy DOC/XLS/WPS — checked by content, not by name. Too large (default 20 MiB, configurable) → 413; another type → 422 naming `file`.",
    params(IdPath),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "Stored", body = store::attachments::Attachment), E413, E422, E404),
)]
async fn add_attachment(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    mp: Multipart,
) -> ApiResult<Response> {
    attachments::receive(&st, &caller, AttachmentOwner::Activity, id, mp).await
}

#[utoipa::path(
    get,
    path = "/activities/{id}/attachments",
    summary = "The activity's attachments",
    params(IdPath),
    responses((status = 200, description = "OK", body = Paged<store::attachments::Attachment>), E400, E401, E403, E404, E422),
)]
async fn list_attachments(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Response> {
    attachments::list(&st, &caller, AttachmentOwner::Activity, id).await
}

#[utoipa::path(
    get,
    path = "/obligations",
    summary = "Obligation rules (seeded with PRODUCT.md's defaults)",
    params(Paging),
    responses((status = 200, description = "OK", body = Paged<domain::life::Obligation>), E400, E401, E403, E404, E422),
)]
async fn list_obligations(
    State(st): State<AppState>,
    _caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let page = p.page();
    p.finish()?;
    let all = st.store.list_obligations().await?;
    let total = all.len() as i64;
    let items = all
        .into_iter()
        .skip(page.offset() as usize)
        .take(page.per_page as usize)
        .collect();
    Ok(Json(Paged {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    }))
}

#[utoipa::path(
    get,
    path = "/obligations/{id}",
    summary = "One rule",
    params(IdPath),
    responses((status = 200, description = "OK", body = domain::life::Obligation), E400, E401, E403, E404, E422),
)]
async fn get_obligation(
    State(st): State<AppState>,
    _caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_obligation(id).await?))
}

#[utoipa::path(
    post,
    path = "/obligations",
    summary = "Add a rule (admin)",
    request_body = ObligationPatch,
    responses((status = 201, description = "OK", body = domain::life::Obligation), E400, E401, E403, E404, E422),
)]
async fn create_obligation(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ObligationPatch>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::ManageObligations)?;
    let input = body.apply(None).map_err(AppError::Validation)?;
    let o = st.store.create_obligation(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json(o)))
}

#[utoipa::path(
    patch,
    path = "/obligations/{id}",
    summary = "Change a rule (admin; audited)",
    params(IdPath),
    request_body = ObligationPatch,
    responses((status = 200, description = "OK", body = domain::life::Obligation), E400, E401, E403, E404, E422),
)]
async fn update_obligation(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<ObligationPatch>,
) -> ApiResult<impl IntoResponse> {
    let base = st.store.get_obligation(id).await?;
    let actor = caller.may(Permission::ManageObligations)?;
    let input = body
        .apply(Some(&base.input()))
        .map_err(AppError::Validation)?;
    Ok(Json(st.store.update_obligation(&actor, id, &input).await?))
}

#[utoipa::path(
    delete,
    path = "/obligations/{id}",
    summary = "Retire a rule (admin; audited)",
    params(IdPath),
    responses((status = 204, description = "Deleted"), E400, E401, E403, E404, E422),
)]
async fn delete_obligation(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    st.store.get_obligation(id).await?;
    let actor = caller.may(Permission::ManageObligations)?;
    st.store.delete_obligation(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `year` (default: this year) and `party_org_id` of a compliance query.
pub fn compliance_query(p: &mut Params, this_year: i32) -> (i32, Option<i64>) {
    let year = match p.i64("year") {
        Some(y) if (1921..=9998).contains(&y) => y as i32,
        Some(y) => {
            let e = if y < 1921 {
                FieldError::TooSmall { min: 1921 }
            } else {
                FieldError::TooLarge { max: 9998 }
            };
            p.errors.add("year", e);
            this_year
        }
        None => this_year,
    };
    (year, p.i64("party_org_id"))
}

#[utoipa::path(
    get,
    path = "/compliance",
    summary = "Per org, obligation and period of the year: required, done and status. A period counts only if the org existed on its first day (an org without an establishment date counts as existing) and it starts on or after the rule's active_from. party_org_id selects that org's subtree.",
    params(ComplianceQuery),
    responses((status = 200, description = "OK", body = store::life::ComplianceReport), E400, E401, E403, E404, E422),
)]
async fn compliance(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<Response> {
    let today = st.clock.today();
    let (year, org) = compliance_query(&mut p, today.year());
    p.finish()?;
    let report = st.store.compliance(&caller.scope, org, year, today).await?;
    // Large reports (a whole national tree) are serialized off the async threads.
    let body = tokio::task::spawn_blocking(move || serde_json::to_vec(&*report))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

#[utoipa::path(
    get,
    path = "/export/compliance.xlsx",
    summary = "The compliance ledger as xlsx: the first sheet one row per org, obligation and period (header in row 1); a second sheet 按月汇总, the org × month matrix (per month the obligation periods ending then that are met over those over or current, `met/expected`, then the year's rate met / (met + missed))",
    params(ComplianceQuery),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), E401, E422),
)]
async fn export_compliance(
    State(st): State<AppState>,
    caller: Caller,
    lang: Lang,
    mut p: Params,
) -> ApiResult<Response> {
    let today = st.clock.today();
    let (year, org) = compliance_query(&mut p, today.year());
    p.finish()?;
    let bytes = life_io::compliance_xlsx(&st, &caller.scope, org, year, lang, None).await?;
    Ok(xlsx_response(
        bytes,
        &lang.tf("life.export_name", &[&year.to_string()]),
    ))
}

#[utoipa::path(
    get,
    path = "/todo",
    summary = "Extension: the caller's to-do — unmet obligations of this period with days left, and this year's misses (up to 50 each, with totals), across the subtree of the caller's org, or the whole tree for users without one; plus this year's figures for the scope",
    responses((status = 200, description = "OK", body = reminders::Todo), E400, E401, E403, E404, E422),
)]
async fn todo(State(st): State<AppState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        reminders::todo(&st, &caller.user, &caller.scope).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/reminders",
    summary = "Extension: reminders prepared in the last 31 days for the orgs in scope",
    responses((status = 200, description = "OK", body = Items<store::life::Reminder>), E400, E401, E403, E404, E422),
)]
async fn list_reminders(
    State(st): State<AppState>,
    caller: Caller,
) -> ApiResult<impl IntoResponse> {
    let since = st.clock.today() - chrono::Days::new(31);
    let items = st.store.reminders(&caller.scope, since, 200).await?;
    Ok(Json(json!({ "items": items })))
}

/// Runs the daily reminder job now (admin): what the scheduler does each morning.
#[utoipa::path(
    post,
    path = "/reminders/run",
    summary = "Extension (admin): run the daily reminder job now; returns how many reminders were prepared and e-mailed",
    responses((status = 200, description = "OK", body = reminders::RunOutcome), E400, E401, E403, E404, E422),
)]
async fn run_reminders(State(st): State<AppState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    caller.may(Permission::ManageObligations)?;
    let out = reminders::run_once(&st).await?;
    Ok(Json(out))
}

/// This module's part of the description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_activities,
    create_activity,
    get_activity,
    update_activity,
    delete_activity,
    list_attachments,
    add_attachment,
    list_obligations,
    create_obligation,
    get_obligation,
    update_obligation,
    delete_obligation,
    compliance,
    export_compliance,
    export_activities,
    todo,
    list_reminders,
    run_reminders,
))]
pub(crate) struct LifeApi;
