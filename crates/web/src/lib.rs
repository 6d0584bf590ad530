//! HTTP: the JSON API v1 (`api/`), the pages (`pages/`), auth, sessions, CSRF, assets.

pub mod api;
pub mod modules;
pub mod pages;
pub mod platform;
pub mod ui;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use domain::Rules;
use store::Store;
use tracing::Instrument;

pub use platform::clock::Clock;

/// `[bulletin]`: how bulletins (通报) are headed and numbered.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BulletinConfig {
    /// 发文机关标志 and signature, e.g. "中共云川市科协科技社团委员会"; default: the name of the
    /// committee at the root of the caller's scope.
    pub issuer: Option<String>,
    /// 机关代字, e.g. "渝科协社党发": numbers read 渝科协社党发〔2026〕12号 and run on by
    /// themselves within a year. Without it the number is left blank to be filled by hand.
    pub code: Option<String>,
    /// 抄送 of the 版记, e.g. "市科协党组".
    pub copy_to: Option<String>,
    /// "party" (中国共产党机关公文格式, the red line with the star) or "standard"
    /// (GB/T 9704); default: "party" when the issuer is a party committee.
    pub layout: Option<String>,
}

/// Settings the web layer needs; the app fills them from flags, environment and file.
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub rules: Rules,
    /// Largest accepted upload, in bytes (imports, attachments).
    pub max_upload_bytes: usize,
    /// Demo mode: the login page shows the demo users' passwords.
    pub demo_logins: Vec<(String, String)>,
    /// Set the `Secure` flag on cookies (behind TLS).
    pub secure_cookies: bool,
    /// Lifetime of a browser session and of a bearer token from `/auth/token`, in hours.
    pub session_hours: i64,
    /// Where attachments are stored (by content digest), outside the database.
    pub files_dir: std::path::PathBuf,
    /// Reminders go out by e-mail where SMTP is configured; in-app always.
    pub smtp: Option<mail::SmtpConfig>,
    /// Remind of an unmet obligation this many days before its period ends.
    pub reminder_days: i64,
    /// How bulletins are headed and numbered.
    pub bulletin: BulletinConfig,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            rules: Rules::default(),
            max_upload_bytes: 20 * 1024 * 1024,
            demo_logins: Vec::new(),
            secure_cookies: false,
            session_hours: 12,
            files_dir: std::env::temp_dir().join("dangjian-files"),
            smtp: None,
            reminder_days: 7,
            bulletin: BulletinConfig::default(),
        }
    }
}

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<WebConfig>,
    pub clock: Clock,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: WebConfig, clock: Clock) -> Self {
        AppState {
            store,
            config: Arc::new(config),
            clock,
        }
    }
}

/// The request id of the current request, set by [`request_id`] middleware.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The outermost middleware: the request id (taken from `x-request-id` or made), one tracing
/// span per request carrying it, server errors logged with it, and the security headers.
async fn request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(str::to_string)
        .unwrap_or_else(|| platform::auth::unique_hex(8));
    req.extensions_mut().insert(RequestId(id.clone()));
    let span =
        tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path());
    // The span follows the request's future, not whichever thread happens to poll it.
    let mut res = next.run(req).instrument(span.clone()).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    if res.status().is_server_error() {
        span.in_scope(|| tracing::error!(status = %res.status(), "request failed"));
    }
    secure(&mut res);
    res
}

async fn healthz(State(_): State<AppState>) -> impl IntoResponse {
    (StatusCode::OK, "ok")
}

/// Headers every response carries, pages, API, downloads and errors alike: no framing, no
/// sniffing, scripts and styles from us only on HTML, and nothing cached unless the handler
/// says so (assets do): pages, JSON, ledgers, bulletins and attachments hold personal data.
/// (Set in the request-id middleware: one middleware a request, not two.)
fn secure(res: &mut Response) {
    let h = res.headers_mut();
    let is_html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if is_html {
        h.insert(
            "content-security-policy",
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .nest(
            "/api/v1",
            api::router().layer(platform::layers::api_catch_panic()),
        )
        .merge(
            pages::router()
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    platform::csrf::guard,
                ))
                .layer(platform::layers::page_catch_panic()),
        )
        .layer(platform::layers::compression())
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            platform::layers::REQUEST_TIMEOUT,
        ))
        .layer(middleware::from_fn(request_id))
        .with_state(state)
}
