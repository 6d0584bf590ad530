//! One error type for the API: picks the status in one place, never shows internals to the
//! client, renders the contract's shape `{"error":{"code","message","fields"}}` in the
//! caller's language (by the [`render_errors`] middleware, which knows the request).

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::{FieldError, FieldErrors};
use serde_json::{json, Map, Value};
use store::StoreError;

use crate::platform::i18n::Lang;
use crate::RequestId;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Malformed request; the key of the message and its argument.
    #[error("bad request: {0}")]
    BadRequest(&'static str, String),
    #[error("unauthorized")]
    Unauthorized(&'static str),
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict on {0}")]
    Conflict(&'static str),
    #[error("in use: {0}")]
    InUse(&'static str),
    #[error("payload too large")]
    PayloadTooLarge(usize),
    /// A body that is not of the media type the route reads; holds the type it wants.
    #[error("unsupported media type")]
    UnsupportedMediaType(&'static str),
    #[error("validation")]
    Validation(FieldErrors),
    /// Validation of an upload as a whole (unreadable file…): message key and argument.
    #[error("unprocessable: {0}")]
    Unprocessable(&'static str, String),
    #[error("too many attempts")]
    Throttled { retry_after_secs: u64 },
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(f) => AppError::Conflict(f),
            StoreError::InUse(w) => AppError::InUse(w),
            StoreError::Invalid(f) => AppError::Validation(f),
            StoreError::Forbidden => AppError::Forbidden,
            StoreError::Rows(_) => {
                AppError::Internal("import rows reached the generic error path".into())
            }
            StoreError::Internal(m) => AppError::Internal(m),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Validation(e)
    }
}

impl AppError {
    pub fn field(field: &str, err: FieldError) -> Self {
        AppError::Validation(FieldErrors::single(field, err))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(..) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) | AppError::InUse(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Validation(_) | AppError::Unprocessable(..) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(..) => "bad_request",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::Conflict(_) => "conflict",
            AppError::InUse(_) => "in_use",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::Validation(_) | AppError::Unprocessable(..) => "validation",
            AppError::Throttled { .. } => "too_many_requests",
            AppError::Internal(_) => "internal",
        }
    }

    /// The message and field reasons in `lang`.
    pub fn message(&self, lang: Lang, request_id: &str) -> (String, Option<Map<String, Value>>) {
        match self {
            AppError::BadRequest(key, arg) => (lang.tf(key, &[arg]), None),
            // An upload that cannot be read as a whole: the reason, also under `file`.
            AppError::Unprocessable(key, arg) => {
                let text = lang.tf(key, &[arg]);
                let mut m = Map::new();
                m.insert("file".into(), Value::String(text.clone()));
                (text, Some(m))
            }
            AppError::Unauthorized(key) => (lang.t(key).into(), None),
            AppError::Forbidden => (lang.t("error.forbidden").into(), None),
            AppError::NotFound => (lang.t("error.not_found").into(), None),
            AppError::MethodNotAllowed => (lang.t("error.method_not_allowed").into(), None),
            AppError::Conflict(f) => {
                let mut m = Map::new();
                m.insert((*f).into(), Value::String(lang.t("field.taken").into()));
                (lang.tf("error.conflict", &[f]), Some(m))
            }
            AppError::InUse(w) => (lang.t(&format!("error.in_use.{w}")).into(), None),
            AppError::UnsupportedMediaType(want) => {
                (lang.tf("error.unsupported_media_type", &[want]), None)
            }
            AppError::PayloadTooLarge(limit) => (
                lang.tf("error.payload_too_large", &[&human_bytes(*limit)]),
                None,
            ),
            AppError::Validation(f) => {
                let m =
                    f.0.iter()
                        .map(|(k, e)| (k.clone(), Value::String(lang.field_error(e))))
                        .collect();
                (lang.t("error.validation").into(), Some(m))
            }
            AppError::Throttled { retry_after_secs } => (
                lang.tf(
                    "error.throttled",
                    &[&retry_after_secs.div_ceil(60).to_string()],
                ),
                None,
            ),
            AppError::Internal(_) => (lang.tf("error.internal", &[request_id]), None),
        }
    }

    pub fn render(&self, lang: Lang, request_id: &str) -> Response {
        if let AppError::Internal(detail) = self {
            tracing::error!(request_id, detail, "internal error");
        }
        let (message, fields) = self.message(lang, request_id);
        let mut err = json!({"code": self.code(), "message": message});
        if let Some(f) = fields {
            err["fields"] = Value::Object(f);
        }
        let mut res = (self.status(), Json(json!({ "error": err }))).into_response();
        match self {
            AppError::Throttled { retry_after_secs } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    res.headers_mut().insert("retry-after", v);
                }
            }
            AppError::Unauthorized(_) => {
                res.headers_mut()
                    .insert("www-authenticate", HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        res
    }
}

pub fn human_bytes(n: usize) -> String {
    if n >= 1024 * 1024 {
        format!("{} MiB", n / (1024 * 1024))
    } else if n >= 1024 {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} B")
    }
}

/// An error waiting to be rendered in the request's language.
#[derive(Clone)]
struct PendingError(Arc<AppError>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut res = self.status().into_response();
        res.extensions_mut().insert(PendingError(Arc::new(self)));
        res
    }
}

/// Renders [`AppError`]s with the request's language and id.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let lang = Lang::from_headers(req.headers());
    let rid = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let mut res = next.run(req).await;
    if let Some(p) = res.extensions_mut().remove::<PendingError>() {
        return p.0.render(lang, &rid);
    }
    res
}

pub type ApiResult<T> = Result<T, AppError>;
