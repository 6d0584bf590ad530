//! M10 endpoints: the channel register and its reviews. Scope follows the society (a branch
//! keeps the channels of the societies covered in its subtree); `last_reviewed_on` is
//! read-only (it follows the reviews). Every change is audited.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use domain::channels::{ChannelInput, ReviewInput, READ_ONLY};
use domain::policy::Permission;
use domain::FieldError;
use serde_json::{Map, Value};

use crate::modules::reports::api::merged;
use crate::platform::auth::Caller;
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::{ApiJson, Id, Params};
use crate::platform::ledger::whole_list;
use crate::platform::openapi::{IdPath, Paging, E400, E401, E403, E404, E409, E422};
use crate::AppState;

use super::openapi::ChannelQuery;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/channels", get(list_channels).post(create_channel))
        .route(
            "/channels/{id}",
            get(get_channel)
                .patch(update_channel)
                .delete(delete_channel),
        )
        .route(
            "/channels/{id}/reviews",
            get(list_channel_reviews).post(add_channel_review),
        )
}

/// A read-only key in a body → 422 naming it (as for funded projects).
fn refuse_read_only(body: &Map<String, Value>) -> Result<(), AppError> {
    match body.keys().find(|k| READ_ONLY.contains(&k.as_str())) {
        Some(k) => Err(AppError::field(
            k,
            FieldError::Malformed {
                detail: "read-only".into(),
            },
        )),
        None => Ok(()),
    }
}

#[utoipa::path(
    get,
    path = "/channels",
    summary = "The publication channels (阵地) of the societies in scope, by society; `review_overdue` as the channel_review_overdue check counts it",
    params(ChannelQuery, Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::channels::Channel>), E401, E422),
)]
pub async fn list_channels(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let f = p.filter();
    let page = p.page();
    p.finish()?;
    Ok(Json(
        st.store
            .list_channels(&caller.scope, &f, st.clock.today(), page)
            .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/channels",
    summary = "Register a channel (admin, committee; a branch for the societies covered in its subtree, else 403): kind journal|website|forum|social_account|other; emergency_plan_on not in the future; last_reviewed_on is read-only (422); the same name twice for one society → 409",
    request_body = domain::channels::ChannelInput,
    responses((status = 201, description = "OK", body = store::channels::Channel), E400, E401, E403, E409, E422),
)]
pub async fn create_channel(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::KeepChannels)?;
    refuse_read_only(&body)?;
    let input: ChannelInput = merged(&ChannelInput::default(), body)?;
    let ch = input.validate(st.clock.today())?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.create_channel(&actor, &caller.scope, ch).await?),
    ))
}

#[utoipa::path(
    get,
    path = "/channels/{id}",
    summary = "A channel",
    params(IdPath),
    responses((status = 200, description = "OK", body = store::channels::Channel), E400, E401, E404),
)]
pub async fn get_channel(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_channel(&caller.scope, id).await?))
}

#[utoipa::path(
    patch,
    path = "/channels/{id}",
    summary = "Change a channel (the keys given replace, null clears emergency_plan_on); last_reviewed_on and the other read-only keys → 422",
    params(IdPath),
    request_body = domain::channels::ChannelInput,
    responses((status = 200, description = "OK", body = store::channels::Channel), E400, E401, E403, E404, E409, E422),
)]
pub async fn update_channel(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(patch): ApiJson<Map<String, Value>>,
) -> ApiResult<impl IntoResponse> {
    let cur = st.store.get_channel(&caller.scope, id).await?;
    let actor = caller.may(Permission::KeepChannels)?;
    refuse_read_only(&patch)?;
    let input: ChannelInput = merged(&cur.def().input(), patch)?;
    let ch = input.validate(st.clock.today())?;
    Ok(Json(
        st.store
            .update_channel(&actor, &caller.scope, id, ch)
            .await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/channels/{id}",
    summary = "Remove a channel from the register (soft; the audit log keeps it)",
    params(IdPath),
    responses((status = 204, description = "deleted"), E400, E401, E403, E404),
)]
pub async fn delete_channel(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    st.store.get_channel(&caller.scope, id).await?;
    let actor = caller.may(Permission::KeepChannels)?;
    st.store.delete_channel(&actor, &caller.scope, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/channels/{id}/reviews",
    summary = "A channel's recorded reviews (阵地检查), latest first",
    params(IdPath),
    responses((status = 200, description = "OK: {items, total, page, per_page}", body = store::Paged<store::channels::ChannelReview>), E400, E401, E404),
)]
pub async fn list_channel_reviews(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(whole_list(
        st.store.list_channel_reviews(&caller.scope, id).await?,
    )))
}

#[utoipa::path(
    post,
    path = "/channels/{id}/reviews",
    summary = "Record a review of a channel's management (not of its content) (admin, committee, a branch in scope): reviewed_on not in the future; the channel's last_reviewed_on becomes the latest review",
    params(IdPath),
    request_body = domain::channels::ReviewInput,
    responses((status = 201, description = "OK", body = store::channels::ChannelReview), E400, E401, E403, E404, E422),
)]
pub async fn add_channel_review(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<ReviewInput>,
) -> ApiResult<impl IntoResponse> {
    st.store.get_channel(&caller.scope, id).await?;
    let actor = caller.may(Permission::KeepChannels)?;
    let r = body.validate(st.clock.today())?;
    Ok((
        StatusCode::CREATED,
        Json(
            st.store
                .add_channel_review(&actor, &caller.scope, id, r)
                .await?,
        ),
    ))
}
