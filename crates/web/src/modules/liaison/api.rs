//! M9 endpoints: liaisons (admin keeps them; the member must be of role committee), the
//! liaison figures, visits, research reports and typical cases. Every change is audited.
//! A branch reads what concerns orgs of its subtree, and every published case.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::liaison::{CaseInput, LiaisonInput, ResearchReportInput, VisitInput};
use domain::policy::{self, Permission};
use domain::FieldError;
use serde_json::{Map, Value};
use store::attachments::AttachmentOwner;

use crate::modules::reports::api::merged;
use crate::platform::attachments;
use crate::platform::auth::Caller;
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::{ApiJson, Id, Params};
use crate::platform::openapi::{
    FileUpload, IdPath, Paging, E400, E401, E403, E404, E409, E413, E422,
};
use crate::AppState;

use super::openapi::{CaseQuery, LiaisonQuery, ResearchReportQuery, VisitQuery};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/liaisons", get(list_liaisons).post(create_liaison))
        .route(
            "/liaisons/{id}",
            get(get_liaison)
                .patch(update_liaison)
                .delete(delete_liaison),
        )
        .route("/stats/liaison", get(liaison_stats))
        .route("/visits", get(list_visits).post(create_visit))
        .route("/visits/{id}", get(get_visit).patch(update_visit))
        .route(
            "/visits/{id}/attachments",
            get(list_visit_attachments).post(add_visit_attachment),
        )
        .route(
            "/research-reports",
            get(list_research_reports).post(create_research_report),
        )
        .route(
            "/research-reports/{id}",
            get(get_research_report).patch(update_research_report),
        )
        .route(
            "/research-reports/{id}/attachments",
            get(list_research_report_attachments).post(add_research_report_attachment),
        )
        .route("/cases", get(list_cases).post(create_case))
        .route("/cases/{id}", get(get_case).patch(update_case))
}

/// `year` of a query: default `this_year`, within 1949..=2200 (else 422 naming `year`).
pub fn year_param(p: &mut Params, this_year: i32) -> Result<i32, AppError> {
    let y = p.i64("year");
    p.finish()?;
    match y {
        None => Ok(this_year),
        Some(y) if y < domain::liaison::YEAR_MIN => Err(AppError::field(
            "year",
            FieldError::TooSmall {
                min: domain::liaison::YEAR_MIN,
            },
        )),
        Some(y) if y > domain::liaison::YEAR_MAX => Err(AppError::field(
            "year",
            FieldError::TooLarge {
                max: domain::liaison::YEAR_MAX,
            },
        )),
        Some(y) => Ok(y as i32),
    }
}

// ---------------------------------------------------------------- liaisons

#[utoipa::path(
    get,
    path = "/liaisons",
    summary = "Liaisons (联系点) of committee members with orgs in scope, by member then org; each with `current` (since ≤ today ≤ until) and the member's last visit to the org",
    params(LiaisonQuery, Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::liaison::Liaison>), E401, E422),
)]
pub async fn list_liaisons(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let f = p.filter();
    let page = p.page();
    p.finish()?;
    Ok(Json(
        st.store
            .list_liaisons(&caller.scope, &f, st.clock.today(), page)
            .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/liaisons",
    summary = "Assign a committee member to an org (admin): the user must have the role committee (422 on user_id); until not before since; an overlapping liaison of the same member with the same org → 409",
    request_body = domain::liaison::LiaisonInput,
    responses((status = 201, description = "OK", body = store::liaison::Liaison), E400, E401, E403, E409, E422),
)]
pub async fn create_liaison(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<LiaisonInput>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::ManageLiaisons)?;
    let l = body.validate()?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.create_liaison(&actor, l, st.clock.today()).await?),
    ))
}

#[utoipa::path(
    get,
    path = "/liaisons/{id}",
    summary = "A liaison",
    params(IdPath),
    responses((status = 200, description = "OK", body = store::liaison::Liaison), E400, E401, E404),
)]
pub async fn get_liaison(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        st.store
            .get_liaison(&caller.scope, id, st.clock.today())
            .await?,
    ))
}

#[utoipa::path(
    patch,
    path = "/liaisons/{id}",
    summary = "Extension: change a liaison (admin), e.g. end it by setting `until`; the keys given replace",
    params(IdPath),
    request_body = domain::liaison::LiaisonInput,
    responses((status = 200, description = "OK", body = store::liaison::Liaison), E400, E401, E403, E404, E409, E422),
)]
pub async fn update_liaison(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(patch): ApiJson<Map<String, Value>>,
) -> ApiResult<impl IntoResponse> {
    let today = st.clock.today();
    let cur = st.store.get_liaison(&caller.scope, id, today).await?;
    let actor = caller.may(Permission::ManageLiaisons)?;
    let input: LiaisonInput = merged(&cur.def().input(), patch)?;
    let l = input.validate()?;
    Ok(Json(st.store.update_liaison(&actor, id, l, today).await?))
}

#[utoipa::path(
    delete,
    path = "/liaisons/{id}",
    summary = "Remove a liaison (admin; soft, the audit log keeps it)",
    params(IdPath),
    responses((status = 204, description = "deleted"), E400, E401, E403, E404),
)]
pub async fn delete_liaison(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    let today = st.clock.today();
    st.store.get_liaison(&caller.scope, id, today).await?;
    let actor = caller.may(Permission::ManageLiaisons)?;
    st.store.delete_liaison(&actor, id, today).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/stats/liaison",
    summary = "Liaison figures of every committee member: orgs = current liaisons, target = [rules] liaison_orgs (3), visits held in `year` (default this year), last_visit_on = the latest visit held in or before it; orgs_without_liaison counts the live orgs of every kind but committee with no current liaison. A branch: counted over its subtree",
    params(("year" = Option<i64>, Query, description = "default: this year")),
    responses((status = 200, description = "OK", body = store::liaison::LiaisonStats), E401, E422),
)]
pub async fn liaison_stats(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    use chrono::Datelike;
    let today = st.clock.today();
    let year = year_param(&mut p, today.year())?;
    Ok(Json(
        st.store.liaison_stats(&caller.scope, today, year).await?,
    ))
}

// ---------------------------------------------------------------- visits

#[utoipa::path(
    get,
    path = "/visits",
    summary = "Visits (走访、指导、调研、宣讲) to orgs in scope, newest first",
    params(VisitQuery, Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::liaison::Visit>), E401, E422),
)]
pub async fn list_visits(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let f = p.filter();
    let page = p.page();
    p.finish()?;
    Ok(Json(st.store.list_visits(&caller.scope, &f, page).await?))
}

#[utoipa::path(
    post,
    path = "/visits",
    summary = "Record a visit (admin, committee): kind visit|guidance|research|lecture; held_on not in the future; user_id defaults to the caller and must be a committee member or office staff (admin)",
    request_body = domain::liaison::VisitInput,
    responses((status = 201, description = "OK", body = store::liaison::Visit), E400, E401, E403, E422),
)]
pub async fn create_visit(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<VisitInput>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::RecordLiaisonWork)?;
    let v = body.validate(st.clock.today(), caller.user.id)?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.create_visit(&actor, &caller.scope, v).await?),
    ))
}

#[utoipa::path(
    get,
    path = "/visits/{id}",
    summary = "A visit",
    params(IdPath),
    responses((status = 200, description = "OK", body = store::liaison::Visit), E400, E401, E404),
)]
pub async fn get_visit(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_visit(&caller.scope, id).await?))
}

#[utoipa::path(
    patch,
    path = "/visits/{id}",
    summary = "Change a visit (admin, committee): the keys given replace, null clears",
    params(IdPath),
    request_body = domain::liaison::VisitInput,
    responses((status = 200, description = "OK", body = store::liaison::Visit), E400, E401, E403, E404, E422),
)]
pub async fn update_visit(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(patch): ApiJson<Map<String, Value>>,
) -> ApiResult<impl IntoResponse> {
    let cur = st.store.get_visit(&caller.scope, id).await?;
    let actor = caller.may(Permission::RecordLiaisonWork)?;
    let input: VisitInput = merged(&cur.def().input(), patch)?;
    let v = input.validate(st.clock.today(), cur.user_id)?;
    Ok(Json(
        st.store.update_visit(&actor, &caller.scope, id, v).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/visits/{id}/attachments",
    summary = "Attach a photo or a note to a visit (admin, committee; multipart field `file`, as for activities): PDF, JPEG, PNG, GIF, WebP, HEIC, DOCX/XLSX/PPTX, ODT/ODS, legacy DOC/XLS/WPS — checked by content. Too large → 413; another type → 422 naming `file`. Download and delete through /attachments/{id}.",
    params(IdPath),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "Stored", body = store::attachments::Attachment), E400, E401, E403, E404, E413, E422),
)]
pub async fn add_visit_attachment(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    mp: Multipart,
) -> ApiResult<Response> {
    attachments::receive(&st, &caller, AttachmentOwner::Visit, id, mp).await
}

#[utoipa::path(
    get,
    path = "/visits/{id}/attachments",
    summary = "A visit's attachments",
    params(IdPath),
    responses((status = 200, description = "OK", body = store::Paged<store::attachments::Attachment>), E400, E401, E404),
)]
pub async fn list_visit_attachments(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Response> {
    attachments::list(&st, &caller, AttachmentOwner::Visit, id).await
}

// ---------------------------------------------------------------- research reports

#[utoipa::path(
    get,
    path = "/research-reports",
    summary = "Research reports (调研报告), latest year first; a branch reads those concerning an org of its subtree",
    params(ResearchReportQuery, Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::liaison::ResearchReport>), E401, E422),
)]
pub async fn list_research_reports(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let f = p.filter();
    let page = p.page();
    p.finish()?;
    Ok(Json(
        st.store
            .list_research_reports(&caller.scope, &f, page)
            .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/research-reports",
    summary = "A research report (admin, committee): author_user_id defaults to the caller and must be a committee member or admin; party_org_ids the orgs it concerns (each must exist)",
    request_body = domain::liaison::ResearchReportInput,
    responses((status = 201, description = "OK", body = store::liaison::ResearchReport), E400, E401, E403, E422),
)]
pub async fn create_research_report(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ResearchReportInput>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::RecordLiaisonWork)?;
    let r = body.validate(caller.user.id)?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.create_research_report(&actor, r).await?),
    ))
}

#[utoipa::path(
    get,
    path = "/research-reports/{id}",
    summary = "A research report",
    params(IdPath),
    responses((status = 200, description = "OK", body = store::liaison::ResearchReport), E400, E401, E404),
)]
pub async fn get_research_report(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_research_report(&caller.scope, id).await?))
}

#[utoipa::path(
    patch,
    path = "/research-reports/{id}",
    summary = "Change a research report (admin, committee): the keys given replace (party_org_ids as a whole)",
    params(IdPath),
    request_body = domain::liaison::ResearchReportInput,
    responses((status = 200, description = "OK", body = store::liaison::ResearchReport), E400, E401, E403, E404, E422),
)]
pub async fn update_research_report(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(patch): ApiJson<Map<String, Value>>,
) -> ApiResult<impl IntoResponse> {
    let cur = st.store.get_research_report(&caller.scope, id).await?;
    let actor = caller.may(Permission::RecordLiaisonWork)?;
    let input: ResearchReportInput = merged(&cur.def().input(), patch)?;
    let r = input.validate(cur.author_user_id)?;
    Ok(Json(st.store.update_research_report(&actor, id, r).await?))
}

#[utoipa::path(
    post,
    path = "/research-reports/{id}/attachments",
    summary = "Attach a file of the report (admin, committee; multipart field `file`, as for activities): PDF, images, DOCX/XLSX/PPTX, ODT/ODS, legacy DOC/XLS/WPS — checked by content. Too large → 413; another type → 422 naming `file`. Download and delete through /attachments/{id}.",
    params(IdPath),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "Stored", body = store::attachments::Attachment), E400, E401, E403, E404, E413, E422),
)]
pub async fn add_research_report_attachment(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    mp: Multipart,
) -> ApiResult<Response> {
    attachments::receive(&st, &caller, AttachmentOwner::ResearchReport, id, mp).await
}

#[utoipa::path(
    get,
    path = "/research-reports/{id}/attachments",
    summary = "A research report's files",
    params(IdPath),
    responses((status = 200, description = "OK", body = store::Paged<store::attachments::Attachment>), E400, E401, E404),
)]
pub async fn list_research_report_attachments(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Response> {
    attachments::list(&st, &caller, AttachmentOwner::ResearchReport, id).await
}

// ---------------------------------------------------------------- typical cases

#[utoipa::path(
    get,
    path = "/cases",
    summary = "Typical cases (典型案例), latest year first: every published case (readable by every role, the one exception to scope) and the proposed ones of orgs in scope; `q` searches title and summary",
    params(CaseQuery, Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::liaison::Case>), E401, E422),
)]
pub async fn list_cases(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let f = p.filter();
    let page = p.page();
    p.finish()?;
    Ok(Json(st.store.list_cases(&caller.scope, &f, page).await?))
}

/// Whether the caller's role publishes cases (admin, committee).
fn may_publish(caller: &Caller) -> bool {
    policy::allows(caller.role(), Permission::PublishCase)
}

#[utoipa::path(
    post,
    path = "/cases",
    summary = "Propose a typical case (admin, committee; a branch for orgs in its subtree, else 403): category party_leadership (党建引领) | service_innovation (服务创新) | org_building (组织建设) | volunteering (科技志愿) | other; only admin and committee publish — a branch sending published: true → 403",
    request_body = domain::liaison::CaseInput,
    responses((status = 201, description = "OK", body = store::liaison::Case), E400, E401, E403, E422),
)]
pub async fn create_case(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<CaseInput>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::ProposeCase)?;
    let k = body.validate()?;
    Ok((
        StatusCode::CREATED,
        Json(
            st.store
                .create_case(&actor, &caller.scope, k, may_publish(&caller))
                .await?,
        ),
    ))
}

#[utoipa::path(
    get,
    path = "/cases/{id}",
    summary = "A typical case: a published one for every role, a proposed one in scope",
    params(IdPath),
    responses((status = 200, description = "OK", body = store::liaison::Case), E400, E401, E404),
)]
pub async fn get_case(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_case(&caller.scope, id).await?))
}

#[utoipa::path(
    patch,
    path = "/cases/{id}",
    summary = "Change a case (the keys given replace): admin and committee change and publish (published: true) or withdraw any case; a branch changes only its subtree's proposed cases — a published case of any org, or published: true → 403 (reading a published case never extends to writing it)",
    params(IdPath),
    request_body = domain::liaison::CaseInput,
    responses((status = 200, description = "OK", body = store::liaison::Case), E400, E401, E403, E404, E422),
)]
pub async fn update_case(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(patch): ApiJson<Map<String, Value>>,
) -> ApiResult<impl IntoResponse> {
    let cur = st.store.get_case(&caller.scope, id).await?;
    let actor = caller.may(Permission::ProposeCase)?;
    let input: CaseInput = merged(&cur.def().input(), patch)?;
    let k = input.validate()?;
    Ok(Json(
        st.store
            .update_case(&actor, &caller.scope, id, k, may_publish(&caller))
            .await?,
    ))
}
