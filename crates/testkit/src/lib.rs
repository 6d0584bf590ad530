//! The one test application of the workspace, in the manner of zero-to-production's
//! `spawn_app`: every test gets a fresh store in a temporary directory, a clock pinned to
//! [`pinned_now`], an admin signed in by API token, and request helpers that return the
//! status, headers and body (parsed as JSON when it is JSON).
//!
//! - API tests: [`spawn_app`], [`TestApp::get`], [`TestApp::post`], … with bearer tokens.
//! - Page tests: [`TestApp::page_login`] signs in through the login form and returns the
//!   session cookie and its CSRF token; [`TestApp::get_page`], [`TestApp::post_form`],
//!   [`TestApp::post_multipart`].
//! - Browser tests: `spawn_server` (feature `server`) runs the real server on a free port.
//!
//! The database backend is chosen in one place, [`Backend::from_env`].

mod registry;
mod resp;
#[cfg(feature = "server")]
mod server;
mod sheets;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request};
use axum::Router;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use domain::{PartyOrgPatch, Role, Rules};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use store::{Actor, NewUser, Scope, SessionKind, SqlStore, Store, User};
use tower::ServiceExt;
use web::{AppState, Clock, WebConfig};

pub use resp::Resp;
#[cfg(feature = "server")]
pub use server::{spawn_server, TestServer, DEMO_ADMIN_PASSWORD};
pub use sheets::{
    csv, multipart, read_xlsx, xlsx, xlsx_with_header, Multipart, HEADERS, XLSX_TYPE,
};

/// Upload limit of the API test app, small so that the 413 case is cheap.
pub const MAX_UPLOAD: usize = 64 * 1024;
/// The password of `admin`.
pub const ADMIN_PASSWORD: &str = "admin-pass-2024";
/// The password of every other user the harness creates.
pub const USER_PASSWORD: &str = "user-pass-2024";

/// The instant every test app is pinned to: 2024-06-15 10:00 in Beijing.
pub fn pinned_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 15, 2, 0, 0).unwrap()
}

/// "Today" of the pinned clock.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 15).unwrap()
}

/// The pinned day `offset` days away, as `YYYY-MM-DD`.
pub fn day(offset: i64) -> String {
    (today() + Duration::days(offset)).to_string()
}

/// The database the tests run against, chosen once, by [`Backend::from_env`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    /// A PostgreSQL database (`postgres://…`); each store gets a fresh schema of its own.
    Postgres(String),
}

impl Backend {
    /// `DANGJIAN_TEST_DB`: `sqlite` (the default) or a `postgres://` URL (`.ci/pg-start`
    /// makes one).
    pub fn from_env() -> Backend {
        match std::env::var("DANGJIAN_TEST_DB").as_deref() {
            Err(_) | Ok("") | Ok("sqlite") => Backend::Sqlite,
            Ok(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Backend::Postgres(url.to_string())
            }
            Ok(other) => {
                panic!("DANGJIAN_TEST_DB={other}: neither `sqlite` nor a postgres:// URL")
            }
        }
    }

    /// A fresh, migrated store in `dir`.
    pub fn open(&self, dir: &std::path::Path, rules: Rules) -> Arc<dyn Store> {
        Arc::new(SqlStore::open(&self.fresh_db(dir), rules).unwrap())
    }

    /// The `--db` of a fresh, empty database: a file in `dir`, or a new PostgreSQL schema
    /// (named after `dir`, so that two stores opened on one `dir` share it).
    pub fn fresh_db(&self, dir: &std::path::Path) -> String {
        match self {
            Backend::Sqlite => dir.join("test.db").to_string_lossy().into_owned(),
            Backend::Postgres(url) => {
                let schema = schema_of(dir);
                let (url2, schema2) = (url.clone(), schema.clone());
                std::thread::spawn(move || {
                    let mut c = postgres::Client::connect(&url2, postgres::NoTls)
                        .expect("connect to DANGJIAN_TEST_DB");
                    c.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema2}"))
                        .unwrap();
                })
                .join()
                .unwrap();
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}options=-c%20search_path%3D{schema}")
            }
        }
    }
}

/// A schema name unique to the temporary directory `dir`.
fn schema_of(dir: &std::path::Path) -> String {
    let name: String = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    format!("t_{}_{name}", std::process::id())
}

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub store: Arc<dyn Store>,
    /// A bearer token of `admin`.
    pub admin: String,
    pub dir: tempfile::TempDir,
    /// The database (`--db`) the app runs on.
    pub db: String,
}

impl TestApp {
    /// A second server on the same database and the same files directory, with a clock of
    /// its own set to the same time: what a deployment of several servers runs.
    pub async fn twin(&self) -> TestApp {
        let store: Arc<dyn Store> =
            Arc::new(SqlStore::open(&self.db, self.state.config.rules.clone()).unwrap());
        let clock = Clock::default();
        clock.set(self.state.clock.now());
        let state = AppState::new(store.clone(), (*self.state.config).clone(), clock);
        TestApp {
            router: web::router(state.clone()),
            state,
            store,
            admin: self.admin.clone(),
            dir: tempfile::tempdir().unwrap(),
            db: self.db.clone(),
        }
    }
}

/// How to build a [`TestApp`]; [`spawn_app`] is `TestApp::builder().spawn()`.
pub struct Builder {
    rules: Rules,
    now: Option<DateTime<Utc>>,
    config: WebConfig,
    committee: bool,
}

impl Builder {
    /// The rules of the store and of the web layer.
    pub fn rules(mut self, rules: Rules) -> Self {
        self.rules = rules;
        self
    }

    /// Pins the clock to `now` instead of [`pinned_now`].
    pub fn now(mut self, now: DateTime<Utc>) -> Self {
        self.now = Some(now);
        self
    }

    /// Changes the web configuration (the files directory is the app's own by default).
    pub fn config(mut self, tweak: impl FnOnce(&mut WebConfig)) -> Self {
        tweak(&mut self.config);
        self
    }

    /// Starts with one party committee, `测试党委` (id 1), as the page tests expect.
    pub fn committee(mut self) -> Self {
        self.committee = true;
        self
    }

    pub async fn spawn(self) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db = Backend::from_env().fresh_db(dir.path());
        let store: Arc<dyn Store> = Arc::new(SqlStore::open(&db, self.rules.clone()).unwrap());
        let clock = Clock::default();
        clock.set(self.now.unwrap_or_else(pinned_now));
        let mut config = self.config;
        config.rules = self.rules;
        if config.files_dir == WebConfig::default().files_dir {
            config.files_dir = dir.path().join("files");
        }
        let state = AppState::new(store.clone(), config, clock);
        let router = web::router(state.clone());
        store
            .create_user(
                &Actor::system("test"),
                NewUser {
                    username: "admin".into(),
                    password_hash: password_hash(ADMIN_PASSWORD).await,
                    role: Role::Admin,
                    party_org_id: None,
                },
            )
            .await
            .unwrap();
        if self.committee {
            let patch: PartyOrgPatch =
                serde_json::from_value(json!({"name": "测试党委", "kind": "committee"})).unwrap();
            store
                .create_org(&Actor::system("test"), &Scope::All, &patch)
                .await
                .unwrap();
        }
        let mut app = TestApp {
            router,
            state,
            store,
            admin: String::new(),
            dir,
            db,
        };
        app.admin = app.login("admin", ADMIN_PASSWORD).await;
        app
    }
}

/// The argon2 hash of `password`, computed once per test binary for each of the two.
async fn password_hash(password: &str) -> String {
    static ADMIN: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    static USER: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let cell = match password {
        ADMIN_PASSWORD => &ADMIN,
        USER_PASSWORD => &USER,
        other => {
            return web::platform::auth::hash_password(other.into())
                .await
                .unwrap()
        }
    };
    cell.get_or_init(|| async {
        web::platform::auth::hash_password(password.into())
            .await
            .unwrap()
    })
    .await
    .clone()
}

/// A fresh app: no orgs, `admin` signed in by token, the clock at [`pinned_now`].
pub async fn spawn_app() -> TestApp {
    TestApp::builder().spawn().await
}

/// [`spawn_app`] with other rules.
pub async fn spawn_app_with(rules: Rules) -> TestApp {
    TestApp::builder().rules(rules).spawn().await
}

/// Merges the fields of the object `extra` into the object `base`.
pub fn merge(base: &mut Value, extra: Value) {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        for (k, v) in e {
            b.insert(k, v);
        }
    }
}

/// The keys of a JSON object, sorted.
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

pub fn sorted(mut v: Vec<&str>) -> Vec<String> {
    v.sort();
    v.into_iter().map(str::to_string).collect()
}

impl TestApp {
    pub fn builder() -> Builder {
        Builder {
            rules: Rules::default(),
            now: None,
            config: WebConfig {
                max_upload_bytes: MAX_UPLOAD,
                ..WebConfig::default()
            },
            committee: false,
        }
    }

    /// The app of the page tests: the committee `测试党委` (id 1) and the default upload limit.
    pub async fn pages() -> TestApp {
        Self::pages_with(|_| {}).await
    }

    /// [`TestApp::pages`] with `admin` signed in: the app, the cookie and the CSRF token.
    pub async fn pages_as_admin() -> (TestApp, String, String) {
        let app = Self::pages().await;
        let (cookie, csrf) = app.page_login("admin").await;
        (app, cookie, csrf)
    }

    /// [`TestApp::pages`] with a changed configuration.
    pub async fn pages_with(tweak: impl FnOnce(&mut WebConfig)) -> TestApp {
        Self::builder()
            .config(|c| {
                c.max_upload_bytes = WebConfig::default().max_upload_bytes;
                tweak(c)
            })
            .committee()
            .spawn()
            .await
    }

    // ------------------------------------------------------------------ requests

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Resp::new(status, headers, bytes)
    }

    /// A request builder with the bearer `token`, when given.
    pub fn request(method: Method, uri: &str, token: Option<&str>) -> axum::http::request::Builder {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        b
    }

    /// A JSON call; `body` is sent as is when given.
    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let b = Self::request(method, uri, token);
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        };
        self.send(req.unwrap()).await
    }

    /// A call with a raw body (malformed JSON and the like).
    pub async fn call_raw(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: impl Into<Body>,
    ) -> Resp {
        let req = Self::request(method, uri, token)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.into())
            .unwrap();
        self.send(req).await
    }

    /// The `total` of a list (`Null` when the answer has none).
    pub async fn total(&self, uri: &str, token: &str) -> Value {
        self.get(uri, token).await.json["total"].clone()
    }
    /// Asserts that the list at `uri` answers 200 with `total` items in all.
    pub async fn expect_total(&self, uri: &str, token: &str, total: i64) {
        let r = self.get(uri, token).await.expect(200);
        assert_eq!(r.json["total"], total, "{uri}: {}", r.json);
    }
    /// A spreadsheet download: asserts 200, the xlsx type and an attachment disposition.
    pub async fn get_xlsx(&self, uri: &str, token: &str) -> Resp {
        let r = self.get(uri, token).await.expect(200);
        assert_eq!(r.header("content-type"), Some(XLSX_TYPE), "{uri}");
        assert!(
            r.header("content-disposition")
                .is_some_and(|d| d.contains("attachment")),
            "{uri}"
        );
        r
    }
    pub async fn get(&self, uri: &str, token: &str) -> Resp {
        self.call(Method::GET, uri, Some(token), None).await
    }
    pub async fn post(&self, uri: &str, token: &str, body: Value) -> Resp {
        self.call(Method::POST, uri, Some(token), Some(body)).await
    }
    pub async fn patch(&self, uri: &str, token: &str, body: Value) -> Resp {
        self.call(Method::PATCH, uri, Some(token), Some(body)).await
    }
    pub async fn put(&self, uri: &str, token: &str, body: Value) -> Resp {
        self.call(Method::PUT, uri, Some(token), Some(body)).await
    }
    pub async fn delete(&self, uri: &str, token: &str) -> Resp {
        self.call(Method::DELETE, uri, Some(token), None).await
    }

    /// Posts `bytes` as the multipart file field `field` to `uri`.
    pub async fn upload_to(
        &self,
        uri: &str,
        token: &str,
        field: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Resp {
        let (ct, body) = multipart(field, file_name, bytes);
        let req = Self::request(Method::POST, uri, Some(token))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    // ------------------------------------------------------------------ pages

    /// A browser-like GET of a page: the cookie header and `Accept-Language: zh-CN`.
    pub fn page(path: &str, cookie: &str) -> axum::http::request::Builder {
        Request::get(path)
            .header(header::COOKIE, cookie)
            .header("accept-language", "zh-CN")
    }

    pub async fn get_page(&self, path: &str, cookie: &str) -> Resp {
        self.send(Self::page(path, cookie).body(Body::empty()).unwrap())
            .await
    }

    /// A page GET with extra headers (htmx, encodings).
    pub async fn get_page_with(&self, path: &str, cookie: &str, headers: &[(&str, &str)]) -> Resp {
        let mut b = Self::page(path, cookie);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    /// A form POST as a browser sends it.
    pub async fn post_form(&self, path: &str, cookie: &str, form: &[(&str, &str)]) -> Resp {
        self.post_form_with(path, cookie, form, &[("accept-language", "zh-CN")])
            .await
    }

    /// A form POST with the given headers besides the cookie (and no others).
    pub async fn post_form_with(
        &self,
        path: &str,
        cookie: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Resp {
        let body = serde_urlencoded::to_string(form).unwrap();
        let mut b = Request::post(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    /// A multipart form POST: text `fields`, then `files` as parts named `files`.
    pub async fn post_multipart(
        &self,
        path: &str,
        cookie: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &[u8])],
    ) -> Resp {
        let mut m = Multipart::new();
        for (k, v) in fields {
            m = m.field(k, v);
        }
        for (name, bytes) in files {
            m = m.file("files", name, "application/octet-stream", bytes);
        }
        self.send_multipart(path, cookie, m).await
    }

    /// Posts a multipart body from the page's session.
    pub async fn send_multipart(&self, path: &str, cookie: &str, m: Multipart) -> Resp {
        let (ct, body) = m.finish();
        self.send(
            Request::post(path)
                .header(header::COOKIE, cookie)
                .header("accept-language", "zh-CN")
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    // ------------------------------------------------------------------ users and logins

    pub async fn token_resp(&self, username: &str, password: &str) -> Resp {
        self.call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"username": username, "password": password})),
        )
        .await
    }

    /// Logs in through `POST /auth/token`.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let r = self.token_resp(username, password).await.expect(200);
        r.json["token"].as_str().unwrap().to_string()
    }

    /// Signs in through the login form as `username` (with [`ADMIN_PASSWORD`] for `admin`,
    /// [`USER_PASSWORD`] for the others); returns the cookie header and the session's CSRF
    /// token. Checks the session cookie's flags on the way.
    pub async fn page_login(&self, username: &str) -> (String, String) {
        let password = if username == "admin" {
            ADMIN_PASSWORD
        } else {
            USER_PASSWORD
        };
        let form = self.get_page("/login", "").await;
        assert_eq!(form.status.as_u16(), 200);
        let login_cookie = form.cookie("dj_csrf").expect("dj_csrf cookie");
        let res = self
            .post_form(
                "/login",
                &login_cookie,
                &[
                    ("username", username),
                    ("password", password),
                    ("csrf", &form.csrf()),
                    ("next", "/societies"),
                ],
            )
            .await;
        assert_eq!(res.status.as_u16(), 303, "{}", res.body);
        assert_eq!(res.location(), "/societies");
        let set = res
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("dj_session="))
            .expect("session cookie")
            .to_string();
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"));
        let cookie = res.cookie("dj_session").expect("session cookie");
        let page = self.get_page("/", &cookie).await;
        assert_eq!(page.status.as_u16(), 200);
        (cookie, page.csrf())
    }

    /// A page session of a new user of `role` (see [`TestApp::page_login`]).
    pub async fn page_session(&self, role: Role, party_org_id: Option<i64>) -> (String, String) {
        let user = self.new_user(role, party_org_id).await;
        self.page_login(&user.username).await
    }

    /// A user of `role` (with [`USER_PASSWORD`]), created in the store.
    pub async fn user(&self, username: &str, role: Role, party_org_id: Option<i64>) -> User {
        self.store
            .create_user(
                &Actor::system("test"),
                NewUser {
                    username: username.into(),
                    password_hash: password_hash(USER_PASSWORD).await,
                    role,
                    party_org_id,
                },
            )
            .await
            .unwrap()
    }

    /// A user of `role` with a fresh name (`viewer1`, `branch2`, …).
    pub async fn new_user(&self, role: Role, party_org_id: Option<i64>) -> User {
        let n = self.store.user_count().await.unwrap();
        self.user(&format!("{}{n}", role.as_str()), role, party_org_id)
            .await
    }

    /// A bearer token for a new user of `role` (issued directly, without the argon2 check).
    pub async fn token_for(&self, role: Role, party_org_id: Option<i64>) -> String {
        let user = self.new_user(role, party_org_id).await;
        self.issue(
            &user,
            SessionKind::Bearer,
            Some(self.state.clock.now() + Duration::hours(1)),
        )
        .await
    }

    /// A long-lived API token of `admin` (no expiry), for tests that move the clock.
    pub async fn admin_api_token(&self) -> String {
        let (user, _) = self.store.credentials("admin").await.unwrap().unwrap();
        self.issue(&user, SessionKind::Api, None).await
    }

    pub async fn issue(
        &self,
        user: &User,
        kind: SessionKind,
        expires_at: Option<DateTime<Utc>>,
    ) -> String {
        web::platform::auth::issue(&self.state, user, kind, None, expires_at)
            .await
            .unwrap()
            .0
    }

    /// How many audit rows there are.
    /// Runs `sql` on the app's database directly, for rows no endpoint writes (a grade
    /// history of past years); on PostgreSQL it also moves the change counter, as every
    /// write of the store does, so that no memoized figure outlives it.
    pub async fn exec_sql(&self, sql: &str) {
        let (db, sql) = (self.db.clone(), sql.to_string());
        std::thread::spawn(move || {
            if db.starts_with("postgres") {
                let mut c = postgres::Client::connect(&db, postgres::NoTls).unwrap();
                c.batch_execute(&format!("{sql}; UPDATE dangjian_changes SET n = n + 1"))
                    .unwrap();
            } else {
                rusqlite::Connection::open(&db)
                    .unwrap()
                    .execute_batch(&sql)
                    .unwrap();
            }
        })
        .join()
        .unwrap();
    }

    pub async fn audit_len(&self) -> usize {
        self.store.audit(None, None, 10_000).await.unwrap().len()
    }
}
