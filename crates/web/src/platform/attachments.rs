//! The one attachment mechanism of the API: a record's module routes
//! `POST/GET …/{id}/attachments` to [`receive`] and [`list`] with its owner, and
//! `GET`/`DELETE /attachments/{id}` serve every owner's files here, each checked by the
//! owning record's scope (404) before the role (403).

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::policy::Permission;
use domain::{FieldError, FieldErrors};
use store::attachments::{AttachmentOwner, NewAttachment};

use crate::platform::auth::Caller;
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::{Id, Upload};
use crate::platform::files;
use crate::platform::ledger::whole_list;
use crate::platform::openapi::{IdPath, E400, E401, E403, E404, E422};
use crate::AppState;

/// The permission that adds and removes an owner's files (the one that writes the record).
pub fn write_permission(owner: AttachmentOwner) -> Permission {
    match owner {
        AttachmentOwner::Activity => Permission::RecordActivity,
        AttachmentOwner::CampaignRecord => Permission::RecordCampaignWork,
        AttachmentOwner::Visit | AttachmentOwner::ResearchReport => Permission::RecordLiaisonWork,
    }
}

/// Checks an uploaded file by its content and stores it; the facts to record.
pub async fn accept_file(
    st: &AppState,
    file_name: Option<&str>,
    bytes: axum::body::Bytes,
) -> Result<NewAttachment, AppError> {
    let Some(kind) = files::sniff(&bytes) else {
        return Err(AppError::Validation(FieldErrors::single(
            "file",
            FieldError::UnknownValue {
                allowed: vec![
                    "PDF",
                    "JPEG",
                    "PNG",
                    "GIF",
                    "WebP",
                    "HEIC",
                    "DOCX",
                    "XLSX",
                    "PPTX",
                    "ODT",
                    "ODS",
                    "DOC/XLS/WPS",
                ],
            },
        )));
    };
    let size = bytes.len() as i64;
    let sha = files::save(&st.config.files_dir, bytes)
        .await
        .map_err(|e| AppError::Internal(format!("saving attachment: {e}")))?;
    Ok(NewAttachment {
        file_name: files::clean_name(file_name, kind.ext),
        content_type: kind.content_type.to_string(),
        size,
        sha256: sha,
    })
}

/// `POST …/{id}/attachments` of `owner`: the record in scope (else 404), the role that
/// writes it (else 403), the multipart `file` within the size limit (413) and of a known
/// type (422), stored → 201 with the attachment.
pub async fn receive(
    st: &AppState,
    caller: &Caller,
    owner: AttachmentOwner,
    id: i64,
    mp: Multipart,
) -> ApiResult<Response> {
    st.store.attachment_owner(&caller.scope, owner, id).await?;
    let actor = caller.may(write_permission(owner))?;
    let up = Upload::from_multipart(mp, st.config.max_upload_bytes).await?;
    let new = accept_file(st, up.file_name.as_deref(), up.bytes).await?;
    let a = st
        .store
        .add_attachment(&actor, &caller.scope, owner, id, &new)
        .await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

/// `GET …/{id}/attachments` of `owner`: the record's files, in the list envelope.
pub async fn list(
    st: &AppState,
    caller: &Caller,
    owner: AttachmentOwner,
    id: i64,
) -> ApiResult<Response> {
    let items = st.store.list_attachments(&caller.scope, owner, id).await?;
    Ok(Json(whole_list(items)).into_response())
}

/// `/attachments/{id}`: download and delete, for every owner.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/attachments/{id}",
        get(download_attachment).delete(delete_attachment),
    )
}

#[utoipa::path(
    get,
    path = "/attachments/{id}",
    summary = "Download an attachment of an activity, a campaign record, a visit or a research report (only within the caller's scope, checked through the record's org)",
    params(IdPath),
    responses((status = 200, description = "The file, with its checked content type"), E404),
)]
async fn download_attachment(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Response> {
    let a = st.store.get_attachment(&caller.scope, id).await?;
    files::serve(&st, &a).await
}

#[utoipa::path(
    delete,
    path = "/attachments/{id}",
    summary = "Soft-delete an attachment (the roles that write its record, within scope)",
    params(IdPath),
    responses((status = 204, description = "Deleted"), E400, E401, E403, E404, E422),
)]
async fn delete_attachment(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    let a = st.store.get_attachment(&caller.scope, id).await?;
    let actor = caller.may(write_permission(a.owner))?;
    st.store
        .delete_attachment(&actor, &caller.scope, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This part of the description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(download_attachment, delete_attachment))]
pub(crate) struct AttachmentsApi;
