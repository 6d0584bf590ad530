//! Page tests in-process: sessions, CSRF, roles, htmx fragments, and that every text key a
//! page uses exists in both languages.

use crate::platform::i18n::Lang;

const SOURCES: &[&str] = &[
    include_str!("../../templates/base.html"),
    include_str!("../../templates/macros.html"),
    include_str!("../../templates/login.html"),
    include_str!("../../templates/error.html"),
    include_str!("../../templates/dashboard/dashboard.html"),
    include_str!("../../templates/registry/societies.html"),
    include_str!("../../templates/registry/societies_results.html"),
    include_str!("../../templates/registry/society_form.html"),
    include_str!("../../templates/registry/orgs.html"),
    include_str!("../../templates/registry/org_form.html"),
    include_str!("../../templates/registry/import.html"),
    include_str!("../../templates/registry/export.html"),
    include_str!("../../templates/admin/users.html"),
    include_str!("../../templates/admin/tokens.html"),
    include_str!("../../templates/admin/audit.html"),
    include_str!("../../templates/life/activities.html"),
    include_str!("../../templates/life/activity_form.html"),
    include_str!("../../templates/life/compliance.html"),
    include_str!("../../templates/life/compliance_org.html"),
    include_str!("../../templates/life/obligations.html"),
    include_str!("../../templates/life/todo_panel.html"),
    include_str!("../modules/life/pages.rs"),
    include_str!("../modules/admin/pages.rs"),
    include_str!("../ui/ctx.rs"),
    include_str!("../modules/dashboard/pages.rs"),
    include_str!("../modules/registry/io.rs"),
    include_str!("../modules/registry/orgs.rs"),
    include_str!("../platform/session.rs"),
    include_str!("../modules/registry/societies.rs"),
    include_str!("../../templates/work/plans.html"),
    include_str!("../../templates/work/plan.html"),
    include_str!("../../templates/work/plan_preview.html"),
    include_str!("../../templates/work/task_form.html"),
    include_str!("../../templates/work/tasks.html"),
    include_str!("../../templates/work/assignment.html"),
    include_str!("../../templates/work/rects.html"),
    include_str!("../../templates/work/rect_rows.html"),
    include_str!("../../templates/work/rect.html"),
    include_str!("../../templates/work/inspections.html"),
    include_str!("../../templates/work/inspection.html"),
    include_str!("../../templates/work/inbox.html"),
    include_str!("../../templates/ui/ledger_record.html"),
    include_str!("../../templates/work/bulletin.html"),
    include_str!("../../templates/work/dashboard.html"),
    include_str!("../modules/work/pages.rs"),
    include_str!("../modules/work/bulletin.rs"),
    include_str!("../modules/work/plans.rs"),
    include_str!("../modules/work/answers.rs"),
    include_str!("../modules/work/supervision.rs"),
    include_str!("../modules/work/bulletins.rs"),
    include_str!("../modules/life/compliance.rs"),
    include_str!("../ui/ledger.rs"),
];

/// Literal keys passed to `t("…")` / `tf("…")`.
fn literal_keys() -> Vec<String> {
    let mut keys = Vec::new();
    for src in SOURCES {
        for pat in ["t(\"", "tf(\""] {
            for (i, _) in src.match_indices(pat) {
                let before = src[..i].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = &src[i + pat.len()..];
                if let Some(end) = rest.find('"') {
                    let key = &rest[..end];
                    if key.contains('.') && !key.contains('{') {
                        keys.push(key.to_string());
                    }
                }
            }
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

fn has(lang: Lang, key: &str) -> bool {
    lang.t(key) != key
}

#[test]
fn every_text_key_exists_in_both_languages() {
    let keys = literal_keys();
    assert!(keys.len() > 100, "found only {} keys", keys.len());
    let mut dynamic: Vec<String> = Vec::new();
    for n in [
        "dashboard",
        "societies",
        "orgs",
        "import",
        "export",
        "users",
        "tokens",
        "audit",
    ] {
        dynamic.push(format!("nav.{n}"));
    }
    for f in ["saved", "created", "deleted", "password", "revoked"] {
        dynamic.push(format!("flash.{f}"));
    }
    for r in domain::checks::Rule::ALL {
        dynamic.push(format!("rule.{}", r.as_str()));
    }
    for e in ["404", "403", "409", "500", "400"] {
        dynamic.push(format!("page.error.{e}"));
    }
    for a in ["create", "update", "delete", "import"] {
        dynamic.push(format!("audit.action.{a}"));
    }
    for e in ["society", "party_org", "user", "api_token", "bulk_load"] {
        dynamic.push(format!("audit.entity.{e}"));
    }
    for w in ["children", "societies", "users"] {
        dynamic.push(format!("error.in_use.{w}"));
    }
    for n in [
        "work_plans",
        "tasks",
        "rectifications",
        "inspections",
        "inbox",
    ] {
        dynamic.push(format!("nav.{n}"));
    }
    dynamic.extend(crate::ui::ledger::text_keys());
    for c in store::work::LedgerSort::CODES {
        dynamic.push(format!("ledger_sort.{c}"));
    }
    for (group, codes) in [
        ("assignment_state", domain::work::AssignmentState::CODES),
        (
            "rectification_state",
            domain::work::RectificationState::CODES,
        ),
        ("inspection_kind", domain::work::InspectionKind::CODES),
        ("severity", domain::work::Severity::CODES),
        ("finding_source", domain::work::FindingSource::CODES),
    ] {
        for c in codes {
            dynamic.push(format!("{group}.{c}"));
        }
    }
    let missing: Vec<_> = keys
        .iter()
        .chain(&dynamic)
        .filter(|k| !has(Lang::Zh, k) || !has(Lang::En, k))
        .collect();
    assert!(missing.is_empty(), "missing text keys: {missing:?}");
}

// ------------------------------------------------------------------ in-process page tests

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use domain::{PartyOrgPatch, Role};
use http_body_util::BodyExt;
use store::{Actor, NewUser, Scope, SqliteStore, Store};
use tower::ServiceExt;

use crate::{AppState, Clock, WebConfig};

const ADMIN_PASSWORD: &str = "admin-pass-1";

struct App {
    router: Router,
    state: AppState,
    _dir: tempfile::TempDir,
}

async fn app_with(config: WebConfig) -> App {
    let dir = tempfile::tempdir().expect("tempdir");
    let store =
        SqliteStore::open(&dir.path().join("t.db"), domain::Rules::default()).expect("store");
    let actor = Actor::system("test");
    for (name, role) in [("admin", Role::Admin), ("viewer1", Role::Viewer)] {
        store
            .create_user(
                &actor,
                NewUser {
                    username: name.into(),
                    password_hash: crate::platform::auth::hash_password(ADMIN_PASSWORD.into())
                        .await
                        .expect("hash"),
                    role,
                    party_org_id: None,
                },
            )
            .await
            .expect("user");
    }
    let patch: PartyOrgPatch =
        serde_json::from_str(r#"{"name":"测试党委","kind":"committee"}"#).expect("patch");
    store
        .create_org(&actor, &Scope::All, &patch)
        .await
        .expect("org");
    let state = AppState::new(Arc::new(store), config, Clock::default());
    App {
        router: crate::router(state.clone()),
        state,
        _dir: dir,
    }
}

async fn app() -> App {
    app_with(WebConfig::default()).await
}

struct Res {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Res {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(|c| c.split(';').next().unwrap_or("").to_string())
    }
    /// The value of the first hidden `csrf` field.
    fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a csrf field")
            + 19;
        self.body[at..].split('"').next().unwrap_or("").to_string()
    }
}

async fn send(app: &App, req: Request<Body>) -> Res {
    let res = app.router.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    Res {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn get(path: &str, cookie: &str) -> axum::http::request::Builder {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .header("accept-language", "zh-CN")
}

async fn get_page(app: &App, path: &str, cookie: &str) -> Res {
    send(app, get(path, cookie).body(Body::empty()).expect("req")).await
}

async fn post_form(app: &App, path: &str, cookie: &str, form: &[(&str, &str)]) -> Res {
    let body = serde_urlencoded::to_string(form).expect("form");
    send(
        app,
        Request::post(path)
            .header(header::COOKIE, cookie)
            .header("accept-language", "zh-CN")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("req"),
    )
    .await
}

/// Signs in; returns the cookie header and the session's CSRF token.
async fn login(app: &App, user: &str) -> (String, String) {
    let form = get_page(app, "/login", "").await;
    assert_eq!(form.status, StatusCode::OK);
    let login_cookie = form.cookie("dj_csrf").expect("dj_csrf cookie");
    let res = post_form(
        app,
        "/login",
        &login_cookie,
        &[
            ("username", user),
            ("password", ADMIN_PASSWORD),
            ("csrf", &form.csrf()),
            ("next", "/societies"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
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
    let page = get_page(app, "/", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    (cookie, page.csrf())
}

#[tokio::test]
async fn signed_out_pages_redirect_to_login() {
    let app = app().await;
    let res = get_page(&app, "/societies?q=x", "").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/login?next=%2Fsocieties%3Fq%3Dx");
    let res = send(
        &app,
        get("/societies", "")
            .header("hx-request", "true")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        res.headers.get("hx-redirect").and_then(|v| v.to_str().ok()),
        Some("/login?next=%2Fsocieties")
    );
    // A forged or stale cookie is no session either.
    let res = get_page(&app, "/", "dj_session=deadbeef").await;
    assert_eq!(res.location(), "/login");
}

#[tokio::test]
async fn login_checks_csrf_and_credentials() {
    let app = app().await;
    let form = get_page(&app, "/login", "").await;
    assert!(
        !form.body.contains("demo-logins"),
        "no demo table outside demo mode"
    );
    let cookie = form.cookie("dj_csrf").expect("cookie");
    let csrf = form.csrf();
    let res = post_form(
        &app,
        "/login",
        "",
        &[
            ("username", "admin"),
            ("password", ADMIN_PASSWORD),
            ("csrf", &csrf),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "no dj_csrf cookie");
    let res = post_form(
        &app,
        "/login",
        &cookie,
        &[
            ("username", "admin"),
            ("password", "wrong-pass"),
            ("csrf", &csrf),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert!(res.body.contains("用户名或密码错误"));
    assert!(res.body.contains("value=\"admin\""), "keeps the username");
    // The open-redirect guard.
    let res = post_form(
        &app,
        "/login",
        &cookie,
        &[
            ("username", "admin"),
            ("password", ADMIN_PASSWORD),
            ("csrf", &csrf),
            ("next", "//evil.example/"),
        ],
    )
    .await;
    assert_eq!(res.location(), "/");
}

#[tokio::test]
async fn demo_mode_lists_the_demo_logins() {
    let app = app_with(WebConfig {
        demo_logins: vec![("admin".into(), "demo-pass".into())],
        ..WebConfig::default()
    })
    .await;
    let form = get_page(&app, "/login", "").await;
    assert!(form.body.contains("id=\"demo-logins\""));
    assert!(form.body.contains("demo-pass"));
}

#[tokio::test]
async fn every_page_renders_with_the_layout_and_security_headers() {
    let app = app().await;
    let (cookie, _) = login(&app, "admin").await;
    for path in [
        "/",
        "/societies",
        "/societies/new",
        "/orgs",
        "/orgs/new",
        "/orgs/1",
        "/import",
        "/export",
        "/users",
        "/tokens",
        "/audit",
        "/audit?entity=party_org&entity_id=1",
    ] {
        let res = get_page(&app, path, &cookie).await;
        assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.body);
        assert!(res.body.contains("<nav id=\"sidenav\""), "{path}");
        assert!(res.body.contains("科技社团党建工作平台"), "{path}");
        let csp = res
            .headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(csp.contains("script-src 'self'"), "{path}");
        assert_eq!(
            res.headers
                .get(header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
    }
    let res = get_page(&app, "/no/such/page", &cookie).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.body.contains("页面不存在") && res.body.contains("sidenav"));
    let res = get_page(&app, "/societies/abc", &cookie).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = get_page(&app, "/societies/999", &cookie).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = get_page(&app, "/import/template.xlsx", &cookie).await;
    assert_eq!(res.status, StatusCode::OK);
    let res = get_page(&app, "/export/societies.xlsx", &cookie).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("spreadsheetml")));
}

#[tokio::test]
async fn society_forms_validate_keep_input_and_check_csrf() {
    let app = app().await;
    let (cookie, csrf) = login(&app, "admin").await;
    // Wrong CSRF token → 403, nothing written.
    let res = post_form(
        &app,
        "/societies",
        &cookie,
        &[
            ("csrf", "nope"),
            ("name", "甲学会"),
            ("kind", "society"),
            ("sector", "other"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Field errors next to the fields, in Chinese, keeping what was typed.
    let res = post_form(
        &app,
        "/societies",
        &cookie,
        &[
            ("csrf", &csrf),
            ("name", " "),
            ("kind", "society"),
            ("sector", "other"),
            ("full_members", "-3"),
            ("probationary_members", "abc"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"e-name\">必填"), "{}", res.body);
    assert!(res.body.contains("id=\"e-full_members\">不能为负数"));
    assert!(res
        .body
        .contains("id=\"e-probationary_members\">请输入整数"));
    assert!(res.body.contains("value=\"-3\"") && res.body.contains("value=\"abc\""));
    // A good one.
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "甲学会"),
        ("kind", "foundation"),
        ("sector", "frontier"),
        ("full_members", "5"),
        ("probationary_members", "1"),
        ("charter_has_party_building", "on"),
        ("instructor", ""),
        ("party_org_id", ""),
    ];
    let res = post_form(&app, "/societies", &cookie, &form).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let at = res.location().to_string();
    assert!(at.starts_with("/societies/") && at.ends_with("?msg=created"));
    let page = get_page(&app, &at, &cookie).await;
    assert!(page.body.contains("已新增"));
    assert!(page.body.contains("cov-none") && page.body.contains("应单独建立党支部"));
    // The same name again → 名称已被使用 on the name field.
    let res = post_form(&app, "/societies", &cookie, &form).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"e-name\">名称已被使用"));
    // Update and delete.
    let path = at.split('?').next().unwrap_or("").to_string();
    let mut changed = form.to_vec();
    changed[4] = ("full_members", "9");
    let res = post_form(&app, &path, &cookie, &changed).await;
    assert_eq!(res.location(), format!("{path}?msg=saved"));
    let res = post_form(&app, &format!("{path}/delete"), &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(res.location(), "/societies?msg=deleted");
    assert_eq!(
        get_page(&app, &path, &cookie).await.status,
        StatusCode::NOT_FOUND
    );
    // The audit view shows the change as a field diff.
    let id = path.trim_start_matches("/societies/");
    let audit = get_page(
        &app,
        &format!("/audit?entity=society&entity_id={id}"),
        &cookie,
    )
    .await;
    assert!(audit.body.contains("正式党员数"), "{}", audit.body);
    assert!(audit.body.contains("<del>5</del>") && audit.body.contains("<ins>9</ins>"));
}

#[tokio::test]
async fn read_only_roles_see_no_edit_buttons_and_get_403() {
    let app = app().await;
    let (cookie, csrf) = login(&app, "viewer1").await;
    let list = get_page(&app, "/societies", &cookie).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains("/societies/new"));
    assert!(!list.body.contains("href=\"/users\""), "admin nav hidden");
    assert_eq!(
        get_page(&app, "/societies/new", &cookie).await.status,
        StatusCode::FORBIDDEN
    );
    let res = post_form(
        &app,
        "/societies",
        &cookie,
        &[
            ("csrf", &csrf),
            ("name", "乙学会"),
            ("kind", "society"),
            ("sector", "other"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.body.contains("无权访问"));
    assert_eq!(
        get_page(&app, "/users", &cookie).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get_page(&app, "/audit", &cookie).await.status,
        StatusCode::FORBIDDEN
    );
    let org = get_page(&app, "/orgs/1", &cookie).await;
    assert!(org.body.contains("class=\"readonly panel\"") && !org.body.contains("id=\"org-form\""));
}

#[tokio::test]
async fn htmx_requests_get_the_table_fragment() {
    let app = app().await;
    let (cookie, _) = login(&app, "admin").await;
    let frag = send(
        &app,
        get("/societies?q=%E7%94%B2", &cookie)
            .header("hx-request", "true")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!(frag.status, StatusCode::OK);
    assert!(frag.body.contains("id=\"societies-table\""));
    assert!(!frag.body.contains("<html"));
    assert_eq!(
        frag.headers.get(header::VARY).and_then(|v| v.to_str().ok()),
        Some("HX-Request")
    );
    // History restoration wants the whole page.
    let full = send(
        &app,
        get("/societies", &cookie)
            .header("hx-request", "true")
            .header("hx-history-restore-request", "true")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert!(full.body.contains("<html"));
}

#[tokio::test]
async fn import_shows_errors_by_row_and_writes_nothing() {
    let app = app_with(WebConfig {
        max_upload_bytes: 2000,
        ..WebConfig::default()
    })
    .await;
    let (cookie, csrf) = login(&app, "admin").await;
    let csv = "名称,类型,领域,正式党员数\n好学会,学会,其他,3\n坏学会,学会,其他,-2\n";
    let upload = |file: &[u8], csrf: &str| {
        let mut body = Vec::new();
        body.extend_from_slice(
            format!("--XX\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(b"\r\n--XX--\r\n");
        Request::post("/import")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XX")
            .body(Body::from(body))
            .expect("req")
    };
    let res = send(&app, upload(csv.as_bytes(), &csrf)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("id=\"import-errors\""));
    assert!(res
        .body
        .contains("<td class=\"num\">3</td><td>正式党员数</td>"));
    assert!(res.body.contains("未写入任何数据"));
    let list = get_page(&app, "/societies?q=%E5%A5%BD", &cookie).await;
    assert!(list.body.contains("共 0 个社团"));
    // The same file with the row fixed goes in.
    let ok = csv.replace("-2", "2");
    let res = send(&app, upload(ok.as_bytes(), &csrf)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("导入成功：新增 2 个社团"));
    // Wrong CSRF and oversized files are refused with a clear message.
    let res = send(&app, upload(ok.as_bytes(), "nope")).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let big = vec![b'x'; 5000];
    let res = send(&app, upload(&big, &csrf)).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.body.contains("文件过大"), "{}", res.body);
}

#[tokio::test]
async fn logout_ends_the_session_and_lang_switches() {
    let app = app().await;
    let (cookie, csrf) = login(&app, "admin").await;
    let res = post_form(&app, "/logout", &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(res.location(), "/login");
    assert!(res.cookie("dj_session").is_some_and(|c| c == "dj_session="));
    assert_eq!(
        get_page(&app, "/", &cookie).await.status,
        StatusCode::SEE_OTHER
    );
    let res = get_page(&app, "/lang?to=en&next=%2Fsocieties", "").await;
    assert_eq!(res.location(), "/societies");
    assert_eq!(res.cookie("lang").as_deref(), Some("lang=en"));
    let res = get_page(&app, "/lang?to=en&next=https://evil.example", "").await;
    assert_eq!(res.location(), "/");
    let login_en = get_page(&app, "/login", "lang=en").await;
    assert!(login_en.body.contains("<html lang=\"en\">") && login_en.body.contains("Sign in"));
}

#[tokio::test]
async fn tokens_page_issues_a_working_api_token_once() {
    let app = app().await;
    let (cookie, csrf) = login(&app, "admin").await;
    let res = post_form(
        &app,
        "/tokens",
        &cookie,
        &[("csrf", &csrf), ("name", "对接")],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    let at = res.body.find("id=\"secret-value\">").expect("secret shown") + 18;
    let secret = res.body[at..].split('<').next().unwrap_or("").to_string();
    assert_eq!(secret.len(), 64);
    let api = send(
        &app,
        Request::get("/api/v1/societies")
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!(api.status, StatusCode::OK);
    let page = get_page(&app, "/tokens", &cookie).await;
    assert!(
        !page.body.contains(&secret),
        "the secret is shown only once"
    );
    let tokens = app.state.store.list_api_tokens(1).await.expect("tokens");
    let res = post_form(
        &app,
        &format!("/tokens/{}/revoke", tokens[0].id),
        &cookie,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(res.location(), "/tokens?msg=revoked");
}

#[tokio::test]
async fn users_page_creates_users_with_field_errors() {
    let app = app().await;
    let (cookie, csrf) = login(&app, "admin").await;
    let res = post_form(
        &app,
        "/users",
        &cookie,
        &[
            ("csrf", &csrf),
            ("username", "admin"),
            ("password", "short"),
            ("role", "branch"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("id=\"e-password\">至少 8 个字符"),
        "{}",
        res.body
    );
    assert!(res.body.contains("id=\"e-party_org_id\">必填"));
    let res = post_form(
        &app,
        "/users",
        &cookie,
        &[
            ("csrf", &csrf),
            ("username", "admin"),
            ("password", "long-enough"),
            ("role", "viewer"),
        ],
    )
    .await;
    assert!(
        res.body.contains("id=\"e-username\">用户名已被使用"),
        "{}",
        res.body
    );
    let res = post_form(
        &app,
        "/users",
        &cookie,
        &[
            ("csrf", &csrf),
            ("username", "new1"),
            ("password", "long-enough"),
            ("role", "branch"),
            ("party_org_id", "1"),
        ],
    )
    .await;
    assert_eq!(res.location(), "/users?msg=created");
    let res = post_form(
        &app,
        "/users/password",
        &cookie,
        &[
            ("csrf", &csrf),
            ("username", "new1"),
            ("password", "another-pass"),
        ],
    )
    .await;
    assert_eq!(res.location(), "/users?msg=password");
}

#[tokio::test]
async fn assets_are_embedded_with_long_cache() {
    let app = app().await;
    for (path, mime) in [
        ("/assets/app.css", "text/css"),
        ("/assets/app.js", "text/javascript"),
        ("/assets/htmx.min.js", "text/javascript"),
        ("/assets/favicon.svg", "image/svg+xml"),
    ] {
        let res = get_page(&app, path, "").await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert!(res
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with(mime)));
        assert!(res
            .headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("immutable")));
    }
    assert_eq!(
        get_page(&app, "/assets/nope.js", "").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn org_delete_refused_while_in_use() {
    let app = app().await;
    let (cookie, csrf) = login(&app, "admin").await;
    let res = post_form(
        &app,
        "/orgs",
        &cookie,
        &[
            ("csrf", &csrf),
            ("name", "测试支部"),
            ("kind", "branch"),
            ("parent_id", "1"),
            ("term_ends_on", "2020-02-30"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("id=\"e-term_ends_on\">日期格式应为"),
        "{}",
        res.body
    );
    let res = post_form(
        &app,
        "/orgs",
        &cookie,
        &[
            ("csrf", &csrf),
            ("name", "测试支部"),
            ("kind", "branch"),
            ("parent_id", "1"),
            ("term_ends_on", "2030-01-31"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = post_form(&app, "/orgs/1/delete", &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("该党组织还有下级组织，不能删除"));
    let tree = get_page(&app, "/orgs", &cookie).await;
    assert!(tree.body.contains("测试支部") && tree.body.contains("2030年1月31日"));
}

#[tokio::test]
async fn large_trees_are_shown_a_level_at_a_time_with_search() {
    let app = app().await;
    // More orgs than one page can show: 2,000 branches under a general branch under the root.
    let mut orgs = vec![store::BulkOrg {
        parent: None,
        org: domain::PartyOrgInput {
            name: "某联合党总支".into(),
            kind: domain::OrgKind::GeneralBranch,
            parent_id: None,
            secretary: None,
            secretary_joined_on: None,
            secretary_cross_appointed: false,
            established_on: None,
            term_ends_on: None,
            full_members: 60,
            probationary_members: 0,
            grade: None,
        },
    }];
    for i in 0..2000 {
        let mut o = orgs[0].org.clone();
        o.name = format!("第{i}党支部");
        o.kind = domain::OrgKind::Branch;
        orgs.push(store::BulkOrg {
            parent: Some(0),
            org: o,
        });
    }
    app.state
        .store
        .bulk_load(&Actor::system("test"), orgs, Vec::new())
        .await
        .expect("bulk");
    // bulk_load puts its first org at the top; hang it under the test committee.
    let general = app
        .state
        .store
        .list_orgs(
            &Scope::All,
            &store::OrgFilter {
                q: Some("某联合党总支".into()),
                ..Default::default()
            },
            store::PageReq {
                page: 1,
                per_page: 1,
            },
        )
        .await
        .expect("list")
        .items[0]
        .id;
    let patch: PartyOrgPatch = serde_json::from_str(r#"{"parent_id":1}"#).expect("patch");
    app.state
        .store
        .update_org(&Actor::system("test"), &Scope::All, general, &patch)
        .await
        .expect("move");
    let (cookie, _) = login(&app, "admin").await;
    // The top level: the root and its one child, with a drill-down link, not 2,002 nodes.
    let top = get_page(&app, "/orgs", &cookie).await;
    assert_eq!(top.status, StatusCode::OK);
    assert!(top.body.contains("共 2,002 个党组织"), "{}", top.body);
    assert!(top
        .body
        .contains(&format!("href=\"/orgs?parent_id={general}\"")));
    assert!(top.body.contains("下级 2000 个"), "{}", top.body);
    assert!(!top.body.contains("第7党支部"));
    // One level: a page of 100 children and a link to the next page.
    let level = get_page(&app, &format!("/orgs?parent_id={general}"), &cookie).await;
    assert_eq!(level.status, StatusCode::OK);
    assert_eq!(level.body.matches("class=\"leaf\"").count(), 100);
    assert!(
        level
            .body
            .contains(&format!("/orgs?page=2&#38;parent_id={general}")),
        "{}",
        level.body
    );
    // Search finds across the tree.
    let found = get_page(&app, "/orgs?q=%E7%AC%AC1999", &cookie).await;
    assert!(found.body.contains("第1999党支部"));
    assert_eq!(found.body.matches("class=\"leaf\"").count(), 1);
    // Forms offer an id field instead of a 2,002-option drop-down, and it still saves.
    let form = get_page(&app, "/societies/new", &cookie).await;
    assert!(
        form.body.contains("name=\"party_org_id\" type=\"number\""),
        "{}",
        form.body
    );
    assert!(!form.body.contains("第7党支部"));
    let users = get_page(&app, "/users", &cookie).await;
    assert!(users.body.contains("name=\"party_org_id\" type=\"number\""));
    let edit = get_page(&app, &format!("/orgs/{general}"), &cookie).await;
    assert!(edit.body.contains("name=\"parent_id\" type=\"number\""));
    let saved = post_form(
        &app,
        "/societies",
        &cookie,
        &[
            ("csrf", &form.csrf()),
            ("name", "编号选择学会"),
            ("kind", "society"),
            ("sector", "other"),
            ("party_org_id", &general.to_string()),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // Out of reach ids answer 404.
    assert_eq!(
        get_page(&app, "/orgs?parent_id=999999", &cookie)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn audit_view_names_the_orgs_a_change_refers_to() {
    let app = app().await;
    let patch: domain::SocietyPatch =
        serde_json::from_str(r#"{"name":"审计学会","party_org_id":1}"#).expect("patch");
    let s = app
        .state
        .store
        .create_society(&Actor::system("test"), &Scope::All, &patch)
        .await
        .expect("society");
    let (cookie, _) = login(&app, "admin").await;
    let page = get_page(
        &app,
        &format!("/audit?entity=society&entity_id={}", s.id),
        &cookie,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    // The covering org shows by name (测试党委), not as its id.
    assert!(page.body.contains("<ins>测试党委</ins>"), "{}", page.body);
}

// ------------------------------------------------------------------- M2 pages

fn multipart_body(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----dangjianPageBoundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_multipart(
    app: &App,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> Res {
    let (ct, body) = multipart_body(fields, files);
    send(
        app,
        Request::post(path)
            .header(header::COOKIE, cookie)
            .header("accept-language", "zh-CN")
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .expect("req"),
    )
    .await
}

#[tokio::test]
async fn recording_an_activity_from_the_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = app_with(WebConfig {
        files_dir: dir.path().to_path_buf(),
        ..WebConfig::default()
    })
    .await;
    let (cookie, csrf) = login(&app, "admin").await;
    let org = app.state.store.all_orgs(&Scope::All).await.expect("orgs")[0]
        .id
        .to_string();
    let form = get_page(&app, "/activities/new", &cookie).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("id=\"kind-theme_day\"") && form.body.contains("type=\"file\""));
    let today = app.state.clock.today().to_string();
    let fields = [
        ("csrf", csrf.as_str()),
        ("party_org_id", org.as_str()),
        ("kind", "committee_session"),
        ("held_on", today.as_str()),
        ("topic", "党委会：研究年度工作"),
        ("attendees_expected", "7"),
        ("attendees_present", "8"),
        ("first_agenda", "on"),
    ];
    // Present > expected and a file that is not what it claims: errors, nothing saved.
    let bad = post_multipart(
        &app,
        "/activities",
        &cookie,
        &fields,
        &[("minutes.pdf", b"not a pdf")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("field-error"), "{}", bad.body);
    assert!(
        bad.body.contains("党委会：研究年度工作"),
        "what was typed is kept"
    );
    let none = app
        .state
        .store
        .list_activities(
            &Scope::All,
            &Default::default(),
            store::PageReq {
                page: 1,
                per_page: 10,
            },
        )
        .await
        .expect("list");
    assert_eq!(none.total, 0);
    // Without the CSRF token: refused.
    let mut no_csrf = fields;
    no_csrf[0] = ("csrf", "");
    no_csrf[6] = ("attendees_present", "7");
    assert_eq!(
        post_multipart(&app, "/activities", &cookie, &no_csrf, &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut good = fields;
    good[6] = ("attendees_present", "7");
    let ok = post_multipart(
        &app,
        "/activities",
        &cookie,
        &good,
        &[("会议记录.pdf", b"%PDF-1.4 minutes")],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let shown = get_page(&app, ok.location(), &cookie).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown.body.contains("会议记录.pdf"),
        "the attachment is listed"
    );
    // The calendar and the heat map show the quarter as met.
    let cal = get_page(&app, &format!("/compliance/orgs/{org}"), &cookie).await;
    assert_eq!(cal.status, StatusCode::OK);
    assert!(cal.body.contains("data-status=\"met\""), "{}", cal.body);
    let heat = get_page(&app, "/compliance", &cookie).await;
    assert_eq!(heat.status, StatusCode::OK);
    assert!(heat.body.contains("id=\"heatmap\""));
    let dash = get_page(&app, "/", &cookie).await;
    assert!(dash.body.contains("id=\"todo\""));
    let obligations = get_page(&app, "/obligations", &cookie).await;
    assert!(obligations.body.contains("name=\"min_count\""));
    let xlsx = get_page(&app, "/compliance/export.xlsx", &cookie).await;
    assert_eq!(xlsx.status, StatusCode::OK);
}

#[tokio::test]
async fn read_only_roles_see_but_do_not_record() {
    let app = app().await;
    let (cookie, _) = login(&app, "viewer1").await;
    assert_eq!(
        get_page(&app, "/activities/new", &cookie).await.status,
        StatusCode::FORBIDDEN
    );
    let list = get_page(&app, "/activities", &cookie).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains("id=\"record-activity\""));
    let obligations = get_page(&app, "/obligations", &cookie).await;
    assert!(
        !obligations.body.contains("name=\"min_count\""),
        "rules are read-only for a viewer"
    );
}

#[tokio::test]
async fn work_pages_render_for_every_role_and_forms_check_csrf() {
    let app = app().await;
    let (cookie, csrf) = login(&app, "admin").await;
    for path in [
        "/work-plans",
        "/tasks",
        "/tasks/new",
        "/tasks?overdue=true&sort=due_on",
        "/rectifications",
        "/rectifications?state=open&sort=org",
        "/inspections",
        "/inbox",
        "/bulletins/rectification",
        "/bulletins/tasks?from=2024-01-01&to=2024-06-30",
    ] {
        let res = get_page(&app, path, &cookie).await;
        assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.body);
        assert!(res.body.contains("<nav id=\"sidenav\""), "{path}");
    }
    assert!(get_page(&app, "/", &cookie)
        .await
        .body
        .contains("id=\"work-dashboard\""));
    for path in [
        "/tasks?state=done",
        "/rectifications/999",
        "/assignments/abc",
        "/work-plans/7",
    ] {
        let res = get_page(&app, path, &cookie).await;
        assert!(res.status.is_client_error(), "{path}: {}", res.status);
    }
    for path in [
        "/bulletins/preview.css",
        "/tasks/export.xlsx?overdue=true",
        "/rectifications/export.xlsx",
        "/bulletins/rectification.docx?doc_number=x",
        "/bulletins/tasks.docx",
    ] {
        let res = get_page(&app, path, &cookie).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
    }
    let res = get_page(
        &app,
        "/bulletins/tasks.docx?from=2024-05-01&to=2024-04-01",
        &cookie,
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A finding from the page form: CSRF checked, then saved.
    let res = post_form(
        &app,
        "/findings",
        &cookie,
        &[
            ("source", "self_check"),
            ("party_org_id", "1"),
            ("severity", "minor"),
            ("due_on", "2030-01-01"),
            ("description", "x"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let form = [
        ("csrf", csrf.as_str()),
        ("source", "self_check"),
        ("party_org_id", "1"),
        ("severity", "minor"),
        ("due_on", "2030-01-01"),
        ("description", "台账不全"),
    ];
    let res = post_form(&app, "/findings", &cookie, &form).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let mut bad = form;
    bad[4] = ("due_on", "2000-01-01");
    let res = post_form(&app, "/findings", &cookie, &bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("不能早于") && res.body.contains("台账不全"),
        "errors shown, input kept"
    );
    // the viewer sees the pages but no forms, and is refused
    let (viewer, vcsrf) = login(&app, "viewer1").await;
    let res = get_page(&app, "/rectifications", &viewer).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(!res.body.contains("id=\"own-finding\""));
    let mut vform = form;
    vform[0] = ("csrf", vcsrf.as_str());
    assert_eq!(
        post_form(&app, "/findings", &viewer, &vform).await.status,
        StatusCode::FORBIDDEN
    );
}

/// The page routes that take a POST, read from the routers' own source, with `{…}` as `1`.
fn post_routes() -> Vec<String> {
    let sources = [
        include_str!("mod.rs"),
        include_str!("../modules/registry/mod.rs"),
        include_str!("../modules/admin/mod.rs"),
        include_str!("../modules/life/pages.rs"),
        include_str!("../modules/work/pages.rs"),
    ];
    let mut out = Vec::new();
    for src in sources {
        let mut rest = src;
        while let Some(at) = rest.find(".route(") {
            rest = &rest[at + 7..];
            let def_end = [".route(", ".merge(", ".fallback(", "\n}\n"]
                .iter()
                .filter_map(|p| rest.find(p))
                .min()
                .unwrap_or(rest.len());
            let def = &rest[..def_end];
            let Some(path) = def.split('"').nth(1) else {
                continue;
            };
            if def.contains("post(") {
                let mut p = String::new();
                let mut in_param = false;
                for c in path.chars() {
                    match c {
                        '{' => in_param = true,
                        '}' => {
                            in_param = false;
                            p.push('1');
                        }
                        _ if !in_param => p.push(c),
                        _ => {}
                    }
                }
                out.push(p);
            }
        }
    }
    out
}

/// One layer guards every POST: without the session's token, or from another site with it,
/// each route answers 403 and writes nothing.
#[tokio::test]
async fn every_post_route_refuses_a_missing_token_and_another_site() {
    let app = app().await;
    let (cookie, csrf) = login(&app, "admin").await;
    let routes = post_routes();
    assert!(routes.len() >= 25, "{routes:?}");
    assert!(routes.contains(&"/activities/1".to_string()), "{routes:?}");
    let audit = |app: &App| {
        let store = app.state.store.clone();
        async move { store.audit(None, None, 10_000).await.expect("audit").len() }
    };
    let before = audit(&app).await;
    for path in routes.iter().filter(|p| *p != "/login") {
        let form = [("name", "跨站"), ("csrf", "")];
        let res = post_form(&app, path, &cookie, &form).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path} without a token");
        let (ct, body) = multipart_body(&[("name", "跨站")], &[("a.pdf", b"%PDF-1.4")]);
        let res = send(
            &app,
            Request::post(path.as_str())
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .expect("req"),
        )
        .await;
        assert_eq!(
            res.status,
            StatusCode::FORBIDDEN,
            "{path} multipart without a token"
        );
        let form = [("name", "跨站"), ("csrf", csrf.as_str())];
        for (h, v) in [
            ("origin", "http://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ] {
            let body = serde_urlencoded::to_string(form).expect("form");
            let res = send(
                &app,
                Request::post(path.as_str())
                    .header(header::COOKIE, &cookie)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(h, v)
                    .body(Body::from(body))
                    .expect("req"),
            )
            .await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{path} with {h}: {v}");
        }
    }
    assert_eq!(audit(&app).await, before, "nothing was written");
    // the login form is checked for its origin too
    let res = send(
        &app,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("origin", "http://evil.example")
            .body(Body::from("username=admin&password=x"))
            .expect("req"),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // and the same origin with the token passes
    let body = serde_urlencoded::to_string([("csrf", csrf.as_str())]).expect("form");
    let res = send(
        &app,
        Request::post("/logout")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("origin", "http://localhost")
            .header(header::HOST, "localhost")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .expect("req"),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
}

/// Every response carries the security headers, and personal data is never cached: pages,
/// JSON, exports and errors alike. HTML is compressed for a client that accepts it; the
/// zipped Office files are not compressed again.
#[tokio::test]
async fn every_response_has_the_security_headers_and_html_is_compressed() {
    let app = app().await;
    let (cookie, _) = login(&app, "admin").await;
    for path in [
        "/",
        "/export/societies.xlsx",
        "/no-such-page",
        "/api/v1/societies",
    ] {
        let res = send(
            &app,
            get(path, &cookie)
                .header(header::ACCEPT_ENCODING, "gzip, br")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
        let h = |n: &str| {
            res.headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(h("cache-control"), "no-store", "{path}");
        match path {
            "/" => assert!(["gzip", "br"].contains(&h("content-encoding")), "{path}"),
            "/export/societies.xlsx" => assert_eq!(h("content-encoding"), "", "{path}"),
            _ => {}
        }
    }
}

/// Above 300 orgs the task form takes typed ids: "1,2" names two orgs; a piece that is no
/// number is an error next to the field and nothing is saved (it was dropped silently).
#[tokio::test]
async fn typed_org_ids_are_all_read_or_refused() {
    let app = app().await;
    let patch: PartyOrgPatch =
        serde_json::from_str(r#"{"name":"乙支部","kind":"branch","parent_id":1}"#).expect("patch");
    let second = app
        .state
        .store
        .create_org(&Actor::system("test"), &Scope::All, &patch)
        .await
        .expect("org");
    let (cookie, csrf) = login(&app, "admin").await;
    let ids = format!("1，{}", second.id);
    let task = |ids: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("title", "开展主题教育".to_string()),
            ("due_on", "2030-01-01".to_string()),
            ("party_org_ids", ids.to_string()),
        ]
    };
    let form = task("1,abc");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = post_form(&app, "/tasks", &cookie, &pairs).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("“abc”不是编号"), "{}", res.body);
    let form = task(&ids);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = post_form(&app, "/tasks", &cookie, &pairs).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let tasks = app
        .state
        .store
        .list_tasks(
            &Scope::All,
            store::PageReq {
                page: 1,
                per_page: 50,
            },
        )
        .await
        .expect("tasks");
    assert_eq!(tasks.total, 1);
    assert_eq!(tasks.items[0].assignments.len(), 2);
}
