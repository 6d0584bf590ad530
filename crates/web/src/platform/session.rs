//! Browser sessions: the `dj_session` cookie, the page-user extractor, CSRF, login, logout
//! and the language switch.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Duration;
use domain::Role;
use store::{SessionKind, SessionUser};

use crate::platform::auth::{self, Caller};
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::i18n::Lang;
use crate::AppState;

use crate::ui::ctx::{app_error_page, html, safe_next, url_encode, Crumb, Ctx};

pub const SESSION_COOKIE: &str = "dj_session";
pub const LOGIN_CSRF_COOKIE: &str = "dj_csrf";

/// A `Set-Cookie` value with the flags every cookie of ours carries.
pub fn set_cookie(st: &AppState, name: &str, value: &str, path: &str, max_age: i64) -> String {
    let mut c = cookie_of(st, name, value, path, max_age);
    c.set_http_only(true);
    c.to_string()
}

/// A cookie with our path, `SameSite=Lax`, lifetime and `Secure` where configured.
fn cookie_of(
    st: &AppState,
    name: &str,
    value: &str,
    path: &str,
    max_age: i64,
) -> axum_extra::extract::cookie::Cookie<'static> {
    use axum_extra::extract::cookie::{Cookie, SameSite};
    Cookie::build((name.to_string(), value.to_string()))
        .path(path.to_string())
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(max_age))
        .secure(st.config.secure_cookies)
        .build()
}

fn is_htmx(h: &HeaderMap) -> bool {
    h.contains_key("hx-request") && !h.contains_key("hx-history-restore-request")
}

/// A signed-in browser user. Not signed in → a redirect to the login page (or `HX-Redirect`
/// for htmx requests).
pub struct PageUser {
    pub session: SessionUser,
    pub token_hash: String,
    pub lang: Lang,
    pub request_id: String,
    /// Path and query of the request.
    pub uri: String,
    /// An htmx request that wants a fragment.
    pub htmx: bool,
    /// What waits on the user in the review ledgers (the inbox's badge).
    pub waiting: i64,
    /// The configured zone's UTC offset, for showing instants.
    pub offset: chrono::FixedOffset,
}

/// The live browser session of a request's cookie, and its token's hash.
pub(crate) async fn session_of(
    headers: &HeaderMap,
    st: &AppState,
) -> Result<Option<(SessionUser, String)>, AppError> {
    let Some(token) = auth::cookie(headers, SESSION_COOKIE).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    Ok(auth::resolve(st, &token)
        .await?
        .filter(|s| s.kind == SessionKind::Web)
        .map(|s| (s, auth::token_hash(&token))))
}

fn uri_of(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into())
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Response> {
        let lang = Lang::from_headers(&parts.headers);
        let request_id = auth::request_id(parts);
        let uri = uri_of(parts);
        match session_of(&parts.headers, st).await {
            Ok(Some((session, token_hash))) => {
                let htmx = is_htmx(&parts.headers);
                // A fragment has no navigation; a failed count shows no badge.
                let waiting = if htmx {
                    0
                } else {
                    crate::platform::ledger::waiting(st, &session.user, &session.scope)
                        .await
                        .map(|w| w.iter().map(|w| w.total).sum())
                        .unwrap_or(0)
                };
                Ok(PageUser {
                    session,
                    token_hash,
                    lang,
                    request_id,
                    uri,
                    htmx,
                    waiting,
                    offset: st.clock.offset(),
                })
            }
            Ok(None) => {
                let next = if parts.method == Method::GET {
                    uri
                } else {
                    "/".to_string()
                };
                let target = if next == "/" {
                    "/login".to_string()
                } else {
                    format!("/login?next={}", url_encode(&next))
                };
                if parts.headers.contains_key("hx-request") {
                    let mut res = StatusCode::UNAUTHORIZED.into_response();
                    if let Ok(v) = HeaderValue::from_str(&target) {
                        res.headers_mut().insert("hx-redirect", v);
                    }
                    Err(res)
                } else {
                    Err(Redirect::to(&target).into_response())
                }
            }
            Err(e) => Err(app_error_page(Ctx::new(lang, &uri, ""), &e, &request_id)),
        }
    }
}

impl PageUser {
    pub fn role(&self) -> Role {
        self.session.user.role
    }
    pub fn is_admin(&self) -> bool {
        self.role() == Role::Admin
    }
    pub fn may_edit(&self) -> bool {
        self.role().may_edit_registry()
    }
    pub fn scope(&self) -> &store::Scope {
        &self.session.scope
    }
    pub fn caller(&self) -> Caller {
        Caller::from_session(
            self.session.clone(),
            self.request_id.clone(),
            self.token_hash.clone(),
        )
    }
    /// The policy table's answer for this user: the actor of a store write, or a 403 page.
    pub fn may(&self, p: domain::policy::Permission) -> Result<store::Actor, PageError> {
        self.caller().may(p).map_err(|e| self.error(e).into())
    }
    /// Whether the table allows it (to show or hide a form or a button).
    pub fn allowed(&self, p: domain::policy::Permission) -> bool {
        domain::policy::allows(self.role(), p)
    }

    /// The layout context for this user; `nav` is the active navigation key.
    pub fn ctx(&self, nav: &str, title: impl Into<String>, crumbs: Vec<Crumb>) -> Ctx {
        let u = &self.session.user;
        Ctx::new(self.lang, &self.uri, title)
            .with_offset(self.offset)
            .signed_in(&u.username, u.role, &self.session.csrf, nav)
            .with_badge("inbox", self.waiting)
            .crumbs(crumbs)
    }

    /// The context of a section's main page (`nav` is its navigation key; breadcrumbs
    /// 仪表盘 › section).
    pub fn section_ctx(&self, nav: &str) -> Ctx {
        let title = self.lang.t(&format!("nav.{nav}"));
        self.ctx(
            nav,
            title,
            vec![
                Crumb::link(self.lang.t("nav.dashboard"), "/"),
                Crumb::here(title),
            ],
        )
    }

    /// The context of one item of a section (breadcrumbs 仪表盘 › section › item).
    pub fn item_ctx(&self, nav: &str, title: String) -> Ctx {
        let lang = self.lang;
        let crumbs = vec![
            Crumb::link(lang.t("nav.dashboard"), "/"),
            Crumb::link(lang.t(&format!("nav.{nav}")), crate::ui::ctx::nav_href(nav)),
            Crumb::here(title.clone()),
        ];
        self.ctx(nav, title, crumbs)
    }

    /// A page under an item of a module's list (an edit form, a record of a campaign):
    /// dashboard / the list / the item / `title`.
    pub fn sub_item_ctx(&self, nav: &str, item: (String, String), title: String) -> Ctx {
        let lang = self.lang;
        let crumbs = vec![
            Crumb::link(lang.t("nav.dashboard"), "/"),
            Crumb::link(lang.t(&format!("nav.{nav}")), crate::ui::ctx::nav_href(nav)),
            Crumb::link(item.0, item.1),
            Crumb::here(title.clone()),
        ];
        self.ctx(nav, title, crumbs)
    }

    /// A plain context for error pages.
    pub fn err_ctx(&self) -> Ctx {
        self.ctx("", "", Vec::new())
    }

    pub fn error(&self, e: impl Into<AppError>) -> Response {
        app_error_page(self.err_ctx(), &e.into(), &self.request_id)
    }

    pub fn forbidden(&self) -> Response {
        self.error(AppError::Forbidden)
    }

    pub fn not_found(&self) -> Response {
        self.error(AppError::NotFound)
    }
}

/// The signed-in user of a page about one record, and the record's `{id}` from the path: a
/// path id that is not a positive integer answers the 404 page, like an absent record.
pub struct Item {
    pub u: PageUser,
    pub id: i64,
}

impl FromRequestParts<AppState> for Item {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Response> {
        let u = PageUser::from_request_parts(parts, st).await?;
        let raw = axum::extract::Path::<String>::from_request_parts(parts, st)
            .await
            .ok();
        match raw.and_then(|axum::extract::Path(raw)| crate::ui::ctx::parse_id(&raw)) {
            Some(id) => Ok(Item { u, id }),
            None => Err(u.not_found()),
        }
    }
}

/// The notice a page was sent back with (`?msg=saved`); never fails.
pub struct Flash(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for Flash {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let msg = parts.uri.query().and_then(|q| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .ok()?
                .into_iter()
                .find(|(k, _)| k == "msg")
                .map(|(_, v)| v)
        });
        Ok(Flash(msg))
    }
}

/// An error page on its way out of a handler (boxed: a `Response` is large).
pub struct PageError(Box<Response>);

impl From<Response> for PageError {
    fn from(r: Response) -> Self {
        PageError(Box::new(r))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// Converts store and app errors into error pages inside a handler.
pub trait OrPage<T> {
    fn or_page(self, u: &PageUser) -> Result<T, PageError>;
}

impl<T, E: Into<AppError>> OrPage<T> for Result<T, E> {
    fn or_page(self, u: &PageUser) -> Result<T, PageError> {
        self.map_err(|e| u.error(e).into())
    }
}

/// The signed-in user if there is one (login page, 404 page).
pub struct MaybeUser(pub Option<PageUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Response> {
        match session_of(&parts.headers, st).await {
            Ok(Some((session, token_hash))) => Ok(MaybeUser(Some(PageUser {
                session,
                token_hash,
                lang: Lang::from_headers(&parts.headers),
                request_id: auth::request_id(parts),
                uri: uri_of(parts),
                htmx: is_htmx(&parts.headers),
                // Where a user is optional (the login page), no navigation shows a badge.
                waiting: 0,
                offset: st.clock.offset(),
            }))),
            _ => Ok(MaybeUser(None)),
        }
    }
}

// ------------------------------------------------------------------ login and logout

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    ctx: &'a Ctx,
    username: String,
    next: String,
    login_csrf: String,
    error: Option<String>,
    demo: &'a [(String, String)],
}

fn login_page(
    st: &AppState,
    lang: Lang,
    uri: &str,
    status: StatusCode,
    username: String,
    next: String,
    error: Option<String>,
) -> Response {
    let ctx = Ctx::new(lang, uri, lang.t("page.login.title"));
    let login_csrf = match auth::random_hex(16) {
        Ok(t) => t,
        Err(e) => return app_error_page(ctx, &e, ""),
    };
    let page = LoginPage {
        ctx: &ctx,
        username,
        next,
        login_csrf: login_csrf.clone(),
        error,
        demo: &st.config.demo_logins,
    };
    let mut res = html(status, &page);
    if let Ok(v) = HeaderValue::from_str(&set_cookie(
        st,
        LOGIN_CSRF_COOKIE,
        &login_csrf,
        "/login",
        3600,
    )) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn login_form(
    State(st): State<AppState>,
    MaybeUser(u): MaybeUser,
    lang: Lang,
    p: Params,
) -> Response {
    let next = safe_next(p.str("next"));
    if u.is_some() {
        return Redirect::to(&next).into_response();
    }
    let uri = if next == "/" {
        "/login".to_string()
    } else {
        format!("/login?next={}", url_encode(&next))
    };
    login_page(&st, lang, &uri, StatusCode::OK, String::new(), next, None)
}

pub async fn login(
    State(st): State<AppState>,
    headers: HeaderMap,
    lang: Lang,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let username = form.get("username").cloned().unwrap_or_default();
    let password = form.get("password").cloned().unwrap_or_default();
    let next = safe_next(form.get("next").map(String::as_str));
    let cookie_csrf = auth::cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    let form_csrf = form.get("csrf").map(String::as_str).unwrap_or("");
    let again = |status: StatusCode, key: String| {
        login_page(
            &st,
            lang,
            "/login",
            status,
            username.clone(),
            next.clone(),
            Some(key),
        )
    };
    if cookie_csrf.is_empty() || !crate::platform::csrf::constant_eq(&cookie_csrf, form_csrf) {
        return again(StatusCode::FORBIDDEN, lang.t("page.login.expired").into());
    }
    if username.trim().is_empty() || password.is_empty() {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            lang.t("page.login.missing").into(),
        );
    }
    let user = match auth::login(&st, &username, &password).await {
        Ok(u) => u,
        Err(e) => {
            let (msg, _) = e.message(lang, "");
            return again(e.status(), msg);
        }
    };
    let expires = st.clock.now() + Duration::hours(st.config.session_hours);
    let token = match auth::issue(&st, &user, SessionKind::Web, None, Some(expires)).await {
        Ok((token, _)) => token,
        Err(e) => return app_error_page(Ctx::new(lang, "/login", ""), &e, ""),
    };
    let mut res = Redirect::to(&next).into_response();
    let cookies = [
        set_cookie(
            &st,
            SESSION_COOKIE,
            &token,
            "/",
            st.config.session_hours * 3600,
        ),
        set_cookie(&st, LOGIN_CSRF_COOKIE, "", "/login", 0),
    ];
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

pub async fn logout(State(st): State<AppState>, u: PageUser) -> Response {
    if let Err(e) = st.store.delete_session(&u.token_hash).await {
        return u.error(e);
    }
    let mut res = Redirect::to("/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&set_cookie(&st, SESSION_COOKIE, "", "/", 0)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// `GET /lang?to=en&next=/societies` sets the `lang` cookie and goes back.
pub async fn switch_lang(State(st): State<AppState>, p: Params) -> Response {
    let to = match p.str("to") {
        Some("en") => "en",
        _ => "zh-CN",
    };
    let next = safe_next(p.str("next"));
    let mut res = Redirect::to(&next).into_response();
    // Read by the page's script too: not HttpOnly.
    let cookie = cookie_of(&st, "lang", to, "/", 31_536_000).to_string();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}
