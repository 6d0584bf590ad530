//! Auth tokens, users and the audit log.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::Duration;
use domain::policy::Permission;
use domain::{FieldError, FieldErrors, Role};
use serde::Deserialize;
use serde_json::json;
use store::{NewUser, SessionKind};

use crate::platform::auth::{self, Caller};
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::{ApiJson, Params};
use crate::platform::openapi::{IdPath, Items, Paging, E400, E401, E403, E404, E409, E422};
use crate::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Credentials {
    username: String,
    password: String,
}

/// A bearer token and when it expires.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct Token {
    token: String,
    expires_at: chrono::DateTime<chrono::Utc>,
}

#[utoipa::path(
    post,
    path = "/auth/token",
    summary = "Exchange username and password for a bearer token",
    security(()),
    request_body = Credentials,
    responses(
        (status = 200, description = "token", body = Token),
        E401,
        (status = 429, description = "Too many failed attempts (5 in 15 minutes); Retry-After"),
    ),
)]
pub async fn token(
    State(st): State<AppState>,
    ApiJson(c): ApiJson<Credentials>,
) -> ApiResult<impl IntoResponse> {
    let user = auth::login(&st, &c.username, &c.password).await?;
    let expires_at = st.clock.now() + Duration::hours(st.config.session_hours);
    let (token, _) = auth::issue(&st, &user, SessionKind::Bearer, None, Some(expires_at)).await?;
    Ok(Json(json!({
        "token": token,
        "expires_at": expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })))
}

/// `POST /auth/password`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// the password now
    current: Option<String>,
    /// the new password (at least 8 characters)
    new: Option<String>,
}

#[utoipa::path(
    post,
    path = "/auth/password",
    summary = "Change one's own password (any signed-in user): `current` wrong → 422 on current, `new` too short → 422 on new; every other session and token of the user ends, this one stays",
    request_body = PasswordChange,
    responses((status = 204, description = "changed"), E400, E401, E422),
)]
pub async fn change_password(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PasswordChange>,
) -> ApiResult<impl IntoResponse> {
    auth::change_own_password(&st, &caller, body.current.as_deref(), body.new.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/users",
    summary = "List users (admin)",
    params(Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::User>), E401, E403, E422),
)]
pub async fn list_users(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    caller.may(Permission::ManageUsers)?;
    let page = p.page();
    p.finish()?;
    let users = st.store.list_users().await?;
    let total = users.len();
    let items: Vec<_> = users
        .into_iter()
        .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(page.per_page).unwrap_or(0))
        .collect();
    Ok(Json(
        json!({"items": items, "total": total, "page": page.page, "per_page": page.per_page}),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = NewUser)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    #[schema(required)]
    username: Option<String>,
    #[schema(required, min_length = 8)]
    password: Option<String>,
    #[schema(required, value_type = Role)]
    role: Option<String>,
    party_org_id: Option<i64>,
    /// Extension: a work address for reminders.
    #[serde(default)]
    email: Option<String>,
}

/// Checks an e-mail address for reminders (empty → none).
pub fn validate_email(v: Option<&str>) -> Result<Option<String>, FieldErrors> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(a) if mail::valid_address(a) => Ok(Some(a.to_string())),
        Some(_) => Err(FieldErrors::single(
            "email",
            FieldError::Malformed {
                detail: "not an e-mail address".into(),
            },
        )),
    }
}

pub const PASSWORD_MIN: usize = 8;

/// Validates a new user; shared by the API and the users page.
pub async fn validate_new_user(b: NewUserBody) -> Result<NewUser, AppError> {
    let mut errs = FieldErrors::new();
    let username = b
        .username
        .as_deref()
        .map(str::trim)
        .unwrap_or("")
        .to_string();
    if username.is_empty() {
        errs.add("username", FieldError::Required);
    } else if username.chars().count() > 50 {
        errs.add("username", FieldError::TooLong { max: 50 });
    } else if username
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        errs.add(
            "username",
            FieldError::Malformed {
                detail: "whitespace".into(),
            },
        );
    }
    let password = b.password.unwrap_or_default();
    if password.is_empty() {
        errs.add("password", FieldError::Required);
    } else if password.chars().count() < PASSWORD_MIN {
        errs.add("password", FieldError::TooShort { min: PASSWORD_MIN });
    } else if password.len() > 1024 {
        errs.add("password", FieldError::TooLong { max: 1024 });
    }
    let role = match b.role.as_deref() {
        None => {
            errs.add("role", FieldError::Required);
            None
        }
        Some(r) => {
            let role = Role::parse(r);
            if role.is_none() {
                errs.add(
                    "role",
                    FieldError::UnknownValue {
                        allowed: Role::CODES.to_vec(),
                    },
                );
            }
            role
        }
    };
    if role == Some(Role::Branch) && b.party_org_id.is_none() {
        errs.add("party_org_id", FieldError::Required);
    }
    errs.into_result()?;
    let role = role.unwrap_or(Role::Viewer);
    Ok(NewUser {
        username,
        password_hash: auth::hash_password(password).await?,
        role,
        party_org_id: b.party_org_id,
    })
}

impl NewUserBody {
    pub fn new(
        username: String,
        password: String,
        role: String,
        party_org_id: Option<i64>,
    ) -> Self {
        NewUserBody {
            username: Some(username),
            password: Some(password),
            role: Some(role),
            party_org_id,
            email: None,
        }
    }
}

#[utoipa::path(
    post,
    path = "/users",
    summary = "Create a user (admin); password ≥ 8 characters; party_org_id required for role branch",
    request_body = NewUserBody,
    responses((status = 201, description = "OK", body = store::User), E400, E401, E403, E409, E422),
)]
pub async fn create_user(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<NewUserBody>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::ManageUsers)?;
    let email = validate_email(b.email.as_deref()).map_err(AppError::Validation)?;
    let new = validate_new_user(b).await?;
    let mut user = st.store.create_user(&actor, new).await?;
    if email.is_some() {
        user = st
            .store
            .set_user_email(&actor, user.id, email.as_deref())
            .await?;
    }
    Ok((StatusCode::CREATED, Json(user)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[schema(value_type = Option<String>)]
    #[serde(default, deserialize_with = "domain::registry::double_option")]
    email: Option<Option<String>>,
}

/// Extension (admin): `PATCH /users/{id}` `{"email": "…" | null}`.
#[utoipa::path(
    patch,
    path = "/users/{id}",
    summary = "Extension (admin): set or clear a user's reminder address {\"email\": \"…\" | null}",
    params(IdPath),
    request_body = UserPatch,
    responses((status = 200, description = "OK", body = store::User), E400, E401, E403, E404, E422),
)]
pub async fn update_user(
    State(st): State<AppState>,
    caller: Caller,
    crate::platform::extract::Id(id): crate::platform::extract::Id,
    ApiJson(b): ApiJson<UserPatch>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::ManageUsers)?;
    let Some(email) = b.email else {
        let user = st
            .store
            .list_users()
            .await?
            .into_iter()
            .find(|u| u.id == id)
            .ok_or(AppError::NotFound)?;
        return Ok(Json(user));
    };
    let email = validate_email(email.as_deref()).map_err(AppError::Validation)?;
    Ok(Json(
        st.store
            .set_user_email(&actor, id, email.as_deref())
            .await?,
    ))
}

/// The audit log's query parameters, for the description.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct AuditQuery {
    /// society, party_org, user, …
    entity: Option<String>,
    entity_id: Option<i64>,
    #[param(maximum = 1000, default = 200)]
    limit: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/audit",
    summary = "Audit log, newest first (admin)",
    params(AuditQuery),
    responses((status = 200, description = "OK", body = Items<store::AuditEntry>), E401, E403, E422),
)]
pub async fn audit(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    caller.may(Permission::ReadAudit)?;
    let entity = p.str("entity").map(str::to_string);
    let entity_id = p.i64("entity_id");
    let limit = p.i64("limit").unwrap_or(200).clamp(1, 1000);
    p.finish()?;
    let rows = st.store.audit(entity.as_deref(), entity_id, limit).await?;
    let items: Vec<_> = rows
        .into_iter()
        .map(|a| {
            json!({
                "id": a.id,
                "at": a.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "actor": a.actor,
                "action": a.action,
                "entity": a.entity,
                "entity_id": a.entity_id,
                "before": a.before,
                "after": a.after,
                "request_id": a.request_id,
            })
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// The users, tokens and audit part of the description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(token, change_password, list_users, create_user, update_user, audit))]
pub(crate) struct AdminApi;
