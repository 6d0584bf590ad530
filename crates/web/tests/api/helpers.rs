//! A fresh application per test: a temp-dir SQLite store, a pinned clock, and one helper per
//! endpoint. Requests go through `tower::ServiceExt::oneshot` on `web::router(state)`.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use domain::{Role, Rules};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use sheet::{Cell, Column};
use store::{Actor, NewUser, SessionKind, SqliteStore, Store, User};
use tower::ServiceExt;
use web::{AppState, Clock, WebConfig};

/// Upload limit of the test app, small so that the 413 case is cheap.
pub const MAX_UPLOAD: usize = 64 * 1024;
pub const ADMIN_PASSWORD: &str = "admin-pass-2024";
pub const USER_PASSWORD: &str = "user-pass-2024";

/// The import sheet's header row, as API.md fixes it.
pub const HEADERS: [&str; 8] = [
    "名称",
    "类型",
    "领域",
    "正式党员数",
    "预备党员数",
    "党建入章",
    "党建指导员",
    "所属党组织",
];

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The instant every test app is pinned to: 2024-06-15 10:00 in Beijing.
pub fn pinned_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 15, 2, 0, 0).unwrap()
}

/// "Today" of the pinned clock.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 15).unwrap()
}

pub fn day(offset: i64) -> String {
    (today() + Duration::days(offset)).to_string()
}

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub store: Arc<SqliteStore>,
    pub admin: String,
    _dir: tempfile::TempDir,
}

/// A response, with the body read and (when it is JSON) parsed.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
    pub json: Value,
}

impl Resp {
    /// Asserts the status, printing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            String::from_utf8_lossy(&self.bytes)
        );
        self
    }

    /// Asserts the status and the error envelope `{"error":{"code","message",...}}`.
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str) -> Self {
        let r = self.expect(status);
        let err = &r.json["error"];
        assert!(err.is_object(), "no error envelope: {}", r.json);
        assert_eq!(err["code"], code, "error code: {}", r.json);
        assert!(
            err["message"].as_str().is_some_and(|m| !m.is_empty()),
            "error message missing: {}",
            r.json
        );
        if let Some(f) = err.get("fields") {
            assert!(f.is_object(), "fields must be an object: {}", r.json);
        }
        let keys: Vec<&String> = err.as_object().unwrap().keys().collect();
        for k in keys {
            assert!(
                ["code", "message", "fields"].contains(&k.as_str()),
                "unexpected key {k} in error: {}",
                r.json
            );
        }
        r
    }

    /// Asserts a 422 whose `fields` names `field`.
    #[track_caller]
    pub fn expect_field(self, field: &str) -> Self {
        let r = self.expect_error(422, "validation");
        assert!(
            r.json["error"]["fields"][field].is_string(),
            "field {field} not named: {}",
            r.json
        );
        r
    }

    pub fn id(&self) -> i64 {
        self.json["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no id in {}", self.json))
    }

    pub fn items(&self) -> &Vec<Value> {
        self.json["items"]
            .as_array()
            .unwrap_or_else(|| panic!("no items in {}", self.json))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The argon2 hash of [`USER_PASSWORD`], computed once per test binary.
async fn password_hash() -> String {
    static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    HASH.get_or_init(|| async {
        web::platform::auth::hash_password(USER_PASSWORD.into())
            .await
            .unwrap()
    })
    .await
    .clone()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Rules::default()).await
}

pub async fn spawn_app_with(rules: Rules) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("test.db"), rules.clone()).unwrap());
    let clock = Clock::default();
    clock.set(pinned_now());
    let config = WebConfig {
        rules,
        max_upload_bytes: MAX_UPLOAD,
        files_dir: dir.path().join("files"),
        ..WebConfig::default()
    };
    let state = AppState::new(store.clone() as Arc<dyn Store>, config, clock);
    let router = web::router(state.clone());
    store
        .create_user(
            &Actor::system("test"),
            NewUser {
                username: "admin".into(),
                password_hash: web::platform::auth::hash_password(ADMIN_PASSWORD.into())
                    .await
                    .unwrap(),
                role: Role::Admin,
                party_org_id: None,
            },
        )
        .await
        .unwrap();
    let mut app = TestApp {
        router,
        state,
        store,
        admin: String::new(),
        _dir: dir,
    };
    app.admin = app.login("admin", ADMIN_PASSWORD).await;
    app
}

/// A multipart body with one part `name` holding `bytes`; returns (content type, body).
pub fn multipart(name: &str, file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----dangjianTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestApp {
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            bytes,
            json,
        }
    }

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

    pub async fn get(&self, uri: &str, token: &str) -> Resp {
        self.call(Method::GET, uri, Some(token), None).await
    }
    pub async fn post(&self, uri: &str, token: &str, body: Value) -> Resp {
        self.call(Method::POST, uri, Some(token), Some(body)).await
    }
    pub async fn patch(&self, uri: &str, token: &str, body: Value) -> Resp {
        self.call(Method::PATCH, uri, Some(token), Some(body)).await
    }
    pub async fn delete(&self, uri: &str, token: &str) -> Resp {
        self.call(Method::DELETE, uri, Some(token), None).await
    }

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

    /// A user of `role` (with the shared test password), created in the store.
    pub async fn user(&self, username: &str, role: Role, party_org_id: Option<i64>) -> User {
        self.store
            .create_user(
                &Actor::system("test"),
                NewUser {
                    username: username.into(),
                    password_hash: password_hash().await,
                    role,
                    party_org_id,
                },
            )
            .await
            .unwrap()
    }

    /// A bearer token for a new user of `role` (issued directly, without the argon2 check).
    pub async fn token_for(&self, role: Role, party_org_id: Option<i64>) -> String {
        let n = self.store.user_count().await.unwrap();
        let user = self
            .user(&format!("{}{n}", role.as_str()), role, party_org_id)
            .await;
        self.issue(
            &user,
            SessionKind::Bearer,
            Some(pinned_now() + Duration::hours(1)),
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

    // ------------------------------------------------------------ registry helpers

    /// Creates a party org as admin; `extra` fields are merged into the body.
    pub async fn org(&self, name: &str, kind: &str, parent: Option<i64>) -> i64 {
        self.org_with(name, kind, parent, json!({})).await
    }

    pub async fn org_with(&self, name: &str, kind: &str, parent: Option<i64>, extra: Value) -> i64 {
        let mut body = json!({"name": name, "kind": kind, "parent_id": parent});
        merge(&mut body, extra);
        self.post("/api/v1/party-orgs", &self.admin, body)
            .await
            .expect(201)
            .id()
    }

    /// Creates a society as admin; `extra` fields are merged into the body.
    pub async fn society(&self, name: &str, org: Option<i64>, extra: Value) -> Value {
        let mut body =
            json!({"name": name, "kind": "society", "sector": "other", "party_org_id": org});
        merge(&mut body, extra);
        self.post("/api/v1/societies", &self.admin, body)
            .await
            .expect(201)
            .json
    }

    /// Every society the token sees, as the list returns it.
    pub async fn all_societies(&self, token: &str) -> Vec<Value> {
        self.get("/api/v1/societies?per_page=500", token)
            .await
            .expect(200)
            .items()
            .clone()
    }

    pub async fn society_names(&self, token: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .all_societies(token)
            .await
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    }

    pub async fn org_names(&self, token: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .get("/api/v1/party-orgs?per_page=500", token)
            .await
            .expect(200)
            .items()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    }

    pub async fn upload(&self, token: &str, field: &str, file_name: &str, bytes: &[u8]) -> Resp {
        self.upload_to("/api/v1/import/societies", token, field, file_name, bytes)
            .await
    }

    /// Posts `bytes` as a multipart field to `uri`.
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

    /// Imports `bytes` as the `file` field.
    pub async fn import(&self, token: &str, bytes: &[u8]) -> Resp {
        self.upload(token, "file", "societies.xlsx", bytes).await
    }

    pub async fn audit_count(&self) -> usize {
        self.get("/api/v1/audit?limit=1000", &self.admin)
            .await
            .expect(200)
            .items()
            .len()
    }
}

pub fn merge(base: &mut Value, extra: Value) {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        for (k, v) in e {
            b.insert(k, v);
        }
    }
}

/// An xlsx with the import header row and `rows` (numbers become number cells).
pub fn xlsx(rows: &[Vec<&str>]) -> Vec<u8> {
    xlsx_with_header(&HEADERS, rows)
}

pub fn xlsx_with_header(header: &[&str], rows: &[Vec<&str>]) -> Vec<u8> {
    let columns: Vec<Column> = header.iter().map(|h| Column::new(*h)).collect();
    let rows = rows.iter().map(|r| {
        r.iter()
            .map(|c| match c.parse::<i64>() {
                Ok(n) => Cell::Int(n),
                Err(_) if c.is_empty() => Cell::Empty,
                Err(_) => Cell::Text(c.to_string()),
            })
            .collect::<Vec<Cell>>()
    });
    sheet::write_xlsx("社团", &columns, rows).unwrap()
}

/// A CSV text with the import header row and `rows`.
pub fn csv(rows: &[Vec<&str>]) -> String {
    let mut s = HEADERS.join(",");
    s.push_str("\r\n");
    for r in rows {
        s.push_str(&r.join(","));
        s.push_str("\r\n");
    }
    s
}

/// Reads an xlsx download back into the header and rows of strings.
pub fn read_xlsx(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let t = sheet::read_table(bytes).unwrap();
    let width = t.header.len();
    let rows = t
        .rows
        .iter()
        .map(|r| (0..width).map(|i| r.get(i).to_string()).collect())
        .collect();
    (t.header, rows)
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
