//! M7 endpoints: campaigns (admin, committee), the orgs taking part and their records (a
//! branch for its own subtree), attachments of records, and progress against the target.

use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use domain::campaigns::{CampaignInput, ParticipantInput, RecordInput};
use domain::policy::Permission;
use serde_json::{Map, Value};
use store::attachments::AttachmentOwner;

use crate::modules::reports::api::merged;
use crate::platform::attachments;
use crate::platform::auth::Caller;
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::{ApiJson, Id, Params};
use crate::platform::ledger::two_ids;
use crate::platform::openapi::{
    FileUpload, IdPath, Paging, E400, E401, E403, E404, E409, E413, E422,
};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list_campaigns).post(create_campaign))
        .route("/campaigns/{id}", get(get_campaign).patch(update_campaign))
        .route(
            "/campaigns/{id}/participants",
            get(list_participants).post(add_participant),
        )
        .route(
            "/campaigns/{id}/participants/{party_org_id}",
            delete(delete_participant),
        )
        .route(
            "/campaigns/{id}/records",
            get(list_records).post(create_record),
        )
        .route("/campaigns/{id}/progress", get(campaign_progress))
        .route(
            "/campaign-records/{id}",
            get(get_record).patch(update_record).delete(delete_record),
        )
        .route(
            "/campaign-records/{id}/attachments",
            get(list_record_attachments)
                .post(add_record_attachment)
                .layer(DefaultBodyLimit::disable()),
        )
}

// ---------------------------------------------------------------- campaigns

#[utoipa::path(
    get,
    path = "/campaigns",
    summary = "Campaigns, latest first (every role reads them)",
    params(super::openapi::CampaignQuery, Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::campaigns::Campaign>), E401, E422),
)]
pub async fn list_campaigns(
    State(st): State<AppState>,
    _caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let f = p.filter();
    let page = p.page();
    p.finish()?;
    Ok(Json(st.store.list_campaigns(&f, page).await?))
}

#[utoipa::path(
    post,
    path = "/campaigns",
    summary = "Start a campaign (admin, committee): kind community_check_in|essay|lecture|other; ends_on not before starts_on; target an integer ≥ 0 (participating orgs aimed at)",
    request_body = domain::campaigns::CampaignInput,
    responses((status = 201, description = "OK", body = store::campaigns::Campaign), E400, E401, E403, E422),
)]
pub async fn create_campaign(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<CampaignInput>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::ManageCampaigns)?;
    let k = body.validate()?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.create_campaign(&actor, k).await?),
    ))
}

#[utoipa::path(
    get,
    path = "/campaigns/{id}",
    summary = "A campaign",
    params(IdPath),
    responses((status = 200, description = "OK", body = store::campaigns::Campaign), E401, E404),
)]
pub async fn get_campaign(
    State(st): State<AppState>,
    _caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_campaign(id).await?))
}

#[utoipa::path(
    patch,
    path = "/campaigns/{id}",
    summary = "Change a campaign (admin, committee): the keys given replace; days that would leave a participant's joined_on or a record's held_on outside → 422 on starts_on / ends_on",
    params(IdPath),
    request_body = domain::campaigns::CampaignInput,
    responses((status = 200, description = "OK", body = store::campaigns::Campaign), E400, E401, E403, E404, E422),
)]
pub async fn update_campaign(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(patch): ApiJson<Map<String, Value>>,
) -> ApiResult<impl IntoResponse> {
    let cur = st.store.get_campaign(id).await?;
    let actor = caller.may(Permission::ManageCampaigns)?;
    let input: CampaignInput = merged(&cur.def().input(), patch)?;
    let k = input.validate()?;
    Ok(Json(st.store.update_campaign(&actor, id, k).await?))
}

// ---------------------------------------------------------------- participants

#[utoipa::path(
    get,
    path = "/campaigns/{id}/participants",
    summary = "The campaign's participants in scope (a branch: its subtree's), by org in tree order, each with the org's name and its number of records",
    params(IdPath, Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::campaigns::Participant>), E401, E404, E422),
)]
pub async fn list_participants(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let page = p.page();
    p.finish()?;
    Ok(Json(
        st.store.list_participants(&caller.scope, id, page).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/campaigns/{id}/participants",
    summary = "Enter an org into the campaign (admin, committee; a branch for the orgs of its subtree, else 403): joined_on a day of the campaign (else 422); the same org twice → 409",
    params(IdPath),
    request_body = domain::campaigns::ParticipantInput,
    responses((status = 201, description = "OK", body = store::campaigns::Participant), E400, E401, E403, E404, E409, E422),
)]
pub async fn add_participant(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<ParticipantInput>,
) -> ApiResult<impl IntoResponse> {
    let campaign = st.store.get_campaign(id).await?;
    let actor = caller.may(Permission::RecordCampaignWork)?;
    let p = body.validate(campaign.days())?;
    Ok((
        StatusCode::CREATED,
        Json(
            st.store
                .add_participant(&actor, &caller.scope, id, p)
                .await?,
        ),
    ))
}

#[utoipa::path(
    delete,
    path = "/campaigns/{id}/participants/{party_org_id}",
    summary = "Take an org out of the campaign (admin, committee; a branch for the orgs of its subtree) while it has no records (else 409 `in_use`)",
    params(
        ("id" = i64, Path, description = "the campaign"),
        ("party_org_id" = i64, Path, description = "the participating org"),
    ),
    responses((status = 204, description = "deleted"), E400, E401, E403, E404, E409),
)]
pub async fn delete_participant(
    State(st): State<AppState>,
    caller: Caller,
    Path(raw): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    let (id, org) = two_ids(raw)?;
    st.store.get_campaign(id).await?;
    let actor = caller.may(Permission::RecordCampaignWork)?;
    st.store
        .delete_participant(&actor, &caller.scope, id, org)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- records

#[utoipa::path(
    get,
    path = "/campaigns/{id}/records",
    summary = "The campaign's records in scope, newest held_on first, each with its number of attachments",
    params(IdPath, super::openapi::RecordQuery, Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::campaigns::CampaignRecord>), E401, E404, E422),
)]
pub async fn list_records(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let f = p.filter();
    let page = p.page();
    p.finish()?;
    Ok(Json(
        st.store.list_records(&caller.scope, id, &f, page).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/campaigns/{id}/records",
    summary = "Record what a participant did (admin, committee; a branch for the orgs of its subtree, else 403): the org must take part (else 422 on party_org_id); held_on within the campaign and not in the future (else 422); participants a number of people ≥ 0",
    params(IdPath),
    request_body = domain::campaigns::RecordInput,
    responses((status = 201, description = "OK", body = store::campaigns::CampaignRecord), E400, E401, E403, E404, E422),
)]
pub async fn create_record(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<RecordInput>,
) -> ApiResult<impl IntoResponse> {
    let campaign = st.store.get_campaign(id).await?;
    let actor = caller.may(Permission::RecordCampaignWork)?;
    let r = body.validate(campaign.days(), st.clock.today())?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.create_record(&actor, &caller.scope, id, r).await?),
    ))
}

#[utoipa::path(
    get,
    path = "/campaign-records/{id}",
    summary = "A campaign record (in scope)",
    params(IdPath),
    responses((status = 200, description = "OK", body = store::campaigns::CampaignRecord), E401, E404),
)]
pub async fn get_record(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_record(&caller.scope, id).await?))
}

#[utoipa::path(
    patch,
    path = "/campaign-records/{id}",
    summary = "Change a campaign record (the keys given replace; the checks of POST)",
    params(IdPath),
    request_body = domain::campaigns::RecordInput,
    responses((status = 200, description = "OK", body = store::campaigns::CampaignRecord), E400, E401, E403, E404, E422),
)]
pub async fn update_record(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(patch): ApiJson<Map<String, Value>>,
) -> ApiResult<impl IntoResponse> {
    let cur = st.store.get_record(&caller.scope, id).await?;
    let actor = caller.may(Permission::RecordCampaignWork)?;
    let campaign = st.store.get_campaign(cur.campaign_id).await?;
    let input: RecordInput = merged(&cur.def().input(), patch)?;
    let r = input.validate(campaign.days(), st.clock.today())?;
    Ok(Json(
        st.store.update_record(&actor, &caller.scope, id, r).await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/campaign-records/{id}",
    summary = "Delete a campaign record (soft, as activities: it leaves lists and answers 404; the audit log keeps it)",
    params(IdPath),
    responses((status = 204, description = "deleted"), E400, E401, E403, E404),
)]
pub async fn delete_record(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    st.store.get_record(&caller.scope, id).await?;
    let actor = caller.may(Permission::RecordCampaignWork)?;
    st.store.delete_record(&actor, &caller.scope, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/campaign-records/{id}/attachments",
    summary = "Attach a file to a campaign record (multipart field `file`, as for activities): PDF, JPEG, PNG, GIF, WebP, HEIC, DOCX/XLSX/PPTX, ODT/ODS, legacy DOC/XLS/WPS — checked by content. Too large → 413; another type → 422 naming `file`. Download and delete through /attachments/{id}.",
    params(IdPath),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "Stored", body = store::attachments::Attachment), E400, E401, E403, E404, E413, E422),
)]
async fn add_record_attachment(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    mp: Multipart,
) -> ApiResult<Response> {
    attachments::receive(&st, &caller, AttachmentOwner::CampaignRecord, id, mp).await
}

#[utoipa::path(
    get,
    path = "/campaign-records/{id}/attachments",
    summary = "A campaign record's attachments",
    params(IdPath),
    responses((status = 200, description = "OK", body = store::Paged<store::attachments::Attachment>), E400, E401, E404),
)]
async fn list_record_attachments(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Response> {
    attachments::list(&st, &caller, AttachmentOwner::CampaignRecord, id).await
}

// ---------------------------------------------------------------- progress

#[utoipa::path(
    get,
    path = "/campaigns/{id}/progress",
    summary = "Progress against the target: participants (in scope; of party_org_id's subtree when given), active = participants with at least one record, records, rate = participants / target to 4 decimals (may exceed 1; 0 when the target is 0)",
    params(
        IdPath,
        ("party_org_id" = Option<i64>, Query, description = "of this org's subtree"),
    ),
    responses((status = 200, description = "OK", body = store::campaigns::Progress), E401, E404, E422),
)]
pub async fn campaign_progress(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let org = p.i64("party_org_id");
    p.finish()?;
    Ok(Json(
        st.store
            .campaign_progress(&caller.scope, id, org)
            .await
            .map_err(AppError::from)?,
    ))
}
