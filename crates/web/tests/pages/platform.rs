use axum::http::{header, StatusCode};
use testkit::*;
use web::platform::i18n::Lang;

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
    include_str!("../../templates/ui/import.html"),
    include_str!("../../src/ui/import.rs"),
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
    include_str!("../../src/modules/life/pages.rs"),
    include_str!("../../src/modules/admin/pages.rs"),
    include_str!("../../src/ui/ctx.rs"),
    include_str!("../../src/modules/dashboard/pages.rs"),
    include_str!("../../src/modules/dashboard/figures.rs"),
    include_str!("../../templates/screen/screen.html"),
    include_str!("../../src/modules/screen/pages.rs"),
    include_str!("../../src/modules/registry/io.rs"),
    include_str!("../../src/modules/registry/orgs.rs"),
    include_str!("../../src/platform/session.rs"),
    include_str!("../../src/modules/registry/societies.rs"),
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
    include_str!("../../src/modules/work/pages.rs"),
    include_str!("../../src/modules/work/bulletin.rs"),
    include_str!("../../src/modules/work/plans.rs"),
    include_str!("../../src/modules/work/answers.rs"),
    include_str!("../../src/modules/work/supervision.rs"),
    include_str!("../../src/modules/work/bulletins.rs"),
    include_str!("../../src/modules/life/compliance.rs"),
    include_str!("../../src/ui/ledger.rs"),
    include_str!("../../templates/reports/list.html"),
    include_str!("../../templates/reports/fields.html"),
    include_str!("../../templates/reports/form_actions.html"),
    include_str!("../../templates/reports/fill.html"),
    include_str!("../../templates/reports/submission.html"),
    include_str!("../../templates/reports/matrix.html"),
    include_str!("../../templates/reports/designer.html"),
    include_str!("../../templates/reports/projects.html"),
    include_str!("../../templates/reports/project.html"),
    include_str!("../../src/modules/reports/pages.rs"),
    include_str!("../../src/modules/reports/designer.rs"),
    include_str!("../../src/modules/reports/projects.rs"),
    include_str!("../../templates/campaigns/list.html"),
    include_str!("../../templates/campaigns/campaign.html"),
    include_str!("../../templates/campaigns/campaign_form.html"),
    include_str!("../../templates/campaigns/record.html"),
    include_str!("../../src/modules/campaigns/pages.rs"),
    include_str!("../../src/modules/campaigns/sheets.rs"),
    include_str!("../../templates/training/office_holders.html"),
    include_str!("../../templates/training/office_holder_form.html"),
    include_str!("../../templates/training/courses.html"),
    include_str!("../../templates/training/course_form.html"),
    include_str!("../../templates/training/course.html"),
    include_str!("../../templates/training/hours.html"),
    include_str!("../../src/modules/training/pages.rs"),
    include_str!("../../src/modules/training/courses.rs"),
    include_str!("../../src/modules/training/hours.rs"),
    include_str!("../../src/modules/training/sheets.rs"),
    include_str!("../../templates/liaison/panel.html"),
    include_str!("../../templates/liaison/matrix.html"),
    include_str!("../../templates/liaison/visits.html"),
    include_str!("../../templates/liaison/visit_form.html"),
    include_str!("../../templates/liaison/visit.html"),
    include_str!("../../templates/liaison/files.html"),
    include_str!("../../templates/liaison/reports.html"),
    include_str!("../../templates/liaison/report.html"),
    include_str!("../../templates/liaison/report_form.html"),
    include_str!("../../templates/liaison/cases.html"),
    include_str!("../../templates/liaison/case.html"),
    include_str!("../../templates/liaison/case_form.html"),
    include_str!("../../templates/liaison/case_print.html"),
    include_str!("../../templates/channels/list.html"),
    include_str!("../../templates/channels/channel.html"),
    include_str!("../../templates/channels/form.html"),
    include_str!("../../src/modules/liaison/pages.rs"),
    include_str!("../../src/modules/liaison/visits.rs"),
    include_str!("../../src/modules/liaison/research.rs"),
    include_str!("../../src/modules/liaison/cases.rs"),
    include_str!("../../src/modules/liaison/sheets.rs"),
    include_str!("../../src/modules/channels/pages.rs"),
    include_str!("../../src/modules/assessment/designer.rs"),
    include_str!("../../src/modules/assessment/bulletin.rs"),
    include_str!("../../src/modules/assessment/sheets.rs"),
    include_str!("../../templates/assessment/table.html"),
    include_str!("../../templates/assessment/org.html"),
    include_str!("../../templates/assessment/finalize.html"),
    include_str!("../../src/modules/assessment/pages.rs"),
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

/// The page routes that take a POST, read from the routers' own source, with `{…}` as `1`.
fn post_routes() -> Vec<String> {
    let sources = [
        include_str!("../../src/pages/mod.rs"),
        include_str!("../../src/modules/registry/mod.rs"),
        include_str!("../../src/modules/admin/mod.rs"),
        include_str!("../../src/modules/life/pages.rs"),
        include_str!("../../src/modules/work/pages.rs"),
        include_str!("../../src/modules/reports/pages.rs"),
        include_str!("../../src/modules/campaigns/pages.rs"),
        include_str!("../../src/modules/training/pages.rs"),
        include_str!("../../src/modules/liaison/pages.rs"),
        include_str!("../../src/modules/liaison/visits.rs"),
        include_str!("../../src/modules/liaison/research.rs"),
        include_str!("../../src/modules/liaison/cases.rs"),
        include_str!("../../src/modules/channels/pages.rs"),
        include_str!("../../src/modules/assessment/designer.rs"),
        include_str!("../../src/modules/assessment/pages.rs"),
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
    for f in [
        "saved",
        "created",
        "deleted",
        "password",
        "revoked",
        "own_password",
    ] {
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
    for e in web::modules::admin::pages::ENTITIES {
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
        "reports",
        "office_holders",
        "courses",
        "training_hours",
    ] {
        dynamic.push(format!("nav.{n}"));
    }
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
        (
            "report_submission_state",
            domain::reports::SubmissionState::CODES,
        ),
        ("field_type", domain::reports::FieldType::CODES),
        ("applies_to", domain::reports::AppliesTo::CODES),
        ("assess.metric", domain::assessment::Metric::CODES),
        ("design.method", domain::assessment::Method::CODES),
        (
            "design.starter",
            web::modules::assessment::designer::STARTER_KEYS,
        ),
        ("design.bulletin.h", &["grade1", "grade2", "grade3"][..]),
    ] {
        for c in codes {
            dynamic.push(format!("{group}.{c}"));
        }
    }
    // the import pages' success lines and the store's sign-in sheet errors
    for k in [
        "import.ok",
        "train.import.ok",
        "train.import.unknown_holder",
        "train.import.not_in_position",
        "train.import.ambiguous",
        "train.import.duplicate_in_file",
        "train.import.already_attended",
    ] {
        dynamic.push(k.to_string());
    }
    dynamic.extend(web::ui::ledger::text_keys());
    let missing: Vec<_> = keys
        .iter()
        .chain(&dynamic)
        .filter(|k| !has(Lang::Zh, k) || !has(Lang::En, k))
        .collect();
    assert!(missing.is_empty(), "missing text keys: {missing:?}");
}

#[tokio::test]
async fn signed_out_pages_redirect_to_login() {
    let app = TestApp::pages().await;
    let res = app.get_page("/societies?q=x", "").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/login?next=%2Fsocieties%3Fq%3Dx");
    let res = app
        .get_page_with("/societies", "", &[("hx-request", "true")])
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        res.headers.get("hx-redirect").and_then(|v| v.to_str().ok()),
        Some("/login?next=%2Fsocieties")
    );
    // A forged or stale cookie is no session either.
    let res = app.get_page("/", "dj_session=deadbeef").await;
    assert_eq!(res.location(), "/login");
}

#[tokio::test]
async fn login_checks_csrf_and_credentials() {
    let app = TestApp::pages().await;
    let form = app.get_page("/login", "").await;
    assert!(
        !form.body.contains("demo-logins"),
        "no demo table outside demo mode"
    );
    let cookie = form.cookie("dj_csrf").expect("cookie");
    let csrf = form.csrf();
    let res = app
        .post_form(
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
    let res = app
        .post_form(
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
    let res = app
        .post_form(
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
    let app = TestApp::pages_with(|c| {
        c.demo_logins = vec![("admin".into(), "demo-pass".into())];
    })
    .await;
    let form = app.get_page("/login", "").await;
    assert!(form.body.contains("id=\"demo-logins\""));
    assert!(form.body.contains("demo-pass"));
}

#[tokio::test]
async fn every_page_renders_with_the_layout_and_security_headers() {
    let (app, cookie, _) = TestApp::pages_as_admin().await;
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
        let res = app.get_page(path, &cookie).await;
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
    let res = app.get_page("/no/such/page", &cookie).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.body.contains("页面不存在") && res.body.contains("sidenav"));
    let res = app.get_page("/societies/abc", &cookie).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app.get_page("/societies/999", &cookie).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app.get_page("/import/template.xlsx", &cookie).await;
    assert_eq!(res.status, StatusCode::OK);
    let res = app.get_page("/export/societies.xlsx", &cookie).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("spreadsheetml")));
}

#[tokio::test]
async fn logout_ends_the_session_and_lang_switches() {
    let (app, cookie, csrf) = TestApp::pages_as_admin().await;
    let res = app.post_form("/logout", &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(res.location(), "/login");
    assert!(res.cookie("dj_session").is_some_and(|c| c == "dj_session="));
    assert_eq!(
        app.get_page("/", &cookie).await.status,
        StatusCode::SEE_OTHER
    );
    let res = app.get_page("/lang?to=en&next=%2Fsocieties", "").await;
    assert_eq!(res.location(), "/societies");
    assert_eq!(res.cookie("lang").as_deref(), Some("lang=en"));
    let res = app
        .get_page("/lang?to=en&next=https://evil.example", "")
        .await;
    assert_eq!(res.location(), "/");
    let login_en = app.get_page("/login", "lang=en").await;
    assert!(login_en.body.contains("<html lang=\"en\">") && login_en.body.contains("Sign in"));
}

#[tokio::test]
async fn assets_are_embedded_with_long_cache() {
    let app = TestApp::pages().await;
    for (path, mime) in [
        ("/assets/app.css", "text/css"),
        ("/assets/app.js", "text/javascript"),
        ("/assets/htmx.min.js", "text/javascript"),
        ("/assets/favicon.svg", "image/svg+xml"),
    ] {
        let res = app.get_page(path, "").await;
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
        app.get_page("/assets/nope.js", "").await.status,
        StatusCode::NOT_FOUND
    );
}

/// One layer guards every POST: without the session's token, or from another site with it,
/// each route answers 403 and writes nothing.
#[tokio::test]
async fn every_post_route_refuses_a_missing_token_and_another_site() {
    let (app, cookie, csrf) = TestApp::pages_as_admin().await;
    let routes = post_routes();
    assert!(routes.len() >= 25, "{routes:?}");
    assert!(routes.contains(&"/activities/1".to_string()), "{routes:?}");
    let before = app.audit_len().await;
    for path in routes.iter().filter(|p| *p != "/login") {
        let form = [("name", "跨站"), ("csrf", "")];
        let res = app.post_form(path, &cookie, &form).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path} without a token");
        let parts = Multipart::new().field("name", "跨站").file(
            "files",
            "a.pdf",
            "application/octet-stream",
            b"%PDF-1.4",
        );
        let res = app.send_multipart(path, &cookie, parts).await;
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
            let res = app.post_form_with(path, &cookie, &form, &[(h, v)]).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{path} with {h}: {v}");
        }
    }
    assert_eq!(app.audit_len().await, before, "nothing was written");
    // the login form is checked for its origin too
    let login = [("username", "admin"), ("password", "x")];
    let res = app
        .post_form_with("/login", "", &login, &[("origin", "http://evil.example")])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // and the same origin with the token passes
    let same_origin = [
        ("origin", "http://localhost"),
        ("host", "localhost"),
        ("sec-fetch-site", "same-origin"),
    ];
    let res = app
        .post_form_with("/logout", &cookie, &[("csrf", csrf.as_str())], &same_origin)
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
}

/// Every response carries the security headers, and personal data is never cached: pages,
/// JSON, exports and errors alike. HTML is compressed for a client that accepts it; the
/// zipped Office files are not compressed again.
#[tokio::test]
async fn every_response_has_the_security_headers_and_html_is_compressed() {
    let (app, cookie, _) = TestApp::pages_as_admin().await;
    for path in [
        "/",
        "/export/societies.xlsx",
        "/no-such-page",
        "/api/v1/societies",
    ] {
        let res = app
            .get_page_with(path, &cookie, &[("accept-encoding", "gzip, br")])
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

/// Every list is one table that turns into cards on a phone: class `cards` on the table and
/// a `data-label` on every cell of its rows (the label a card shows beside the value), a
/// title cell first; the stylesheet holds the one rule that does it.
#[tokio::test]
async fn every_list_reads_as_cards_on_a_phone() {
    let (app, cookie, _) = TestApp::pages_as_admin().await;
    let org = app.org("卡片党支部", "branch", Some(1)).await;
    app.society("卡片学会", Some(org), serde_json::json!({}))
        .await;
    app.post(
        "/api/v1/activities",
        &app.admin,
        serde_json::json!({"party_org_id": org, "kind": "theme_day", "held_on": day(-1), "topic": "卡片主题党日"}),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/tasks",
        &app.admin,
        serde_json::json!({"title": "卡片任务", "due_on": day(10), "party_org_ids": [org]}),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/findings",
        &app.admin,
        serde_json::json!({"source": "self_check", "party_org_id": org, "description": "卡片问题",
            "severity": "minor", "due_on": day(30)}),
    )
    .await
    .expect(201);
    for (path, id) in [
        ("/societies", "societies-table"),
        ("/activities", "activities"),
        ("/tasks", "tasks-table"),
        ("/rectifications", "rects-table"),
        ("/inspections", "inspections"),
        ("/work-plans", "plans"),
        ("/obligations", "obligations"),
        ("/users", "users-table"),
        ("/audit", "audit-table"),
    ] {
        let page = app.get_page(path, &cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let Some(table) = page
            .body
            .split(&format!("id=\"{id}\""))
            .nth(1)
            .and_then(|t| t.split("</table>").next())
        else {
            // No plan imported yet: no table.
            assert_eq!(path, "/work-plans", "{path}: no table #{id}");
            continue;
        };
        let open = page
            .body
            .split(&format!("id=\"{id}\""))
            .next()
            .unwrap_or("");
        let tag = &open[open.rfind("<table").unwrap_or(0)..];
        assert!(tag.contains("class=\"data cards"), "{path}: {tag}");
        let body = table.split("<tbody>").nth(1).unwrap_or("");
        let cells: Vec<&str> = body.split("<td").skip(1).collect();
        if path != "/work-plans" {
            assert!(!cells.is_empty(), "{path}: rows expected");
        }
        for c in &cells {
            let tag = c.split('>').next().unwrap_or("");
            // The admin's save button of a rule needs no label; an empty list's one cell
            // neither.
            let exempt = tag.contains("class=\"empty\"") || c.contains("type=\"submit\"");
            assert!(
                exempt || tag.contains("data-label=\""),
                "{path}: a cell without a label: <td{tag}>"
            );
        }
        if !cells.is_empty() && !cells[0].contains("class=\"empty\"") && path != "/obligations" {
            assert!(body.contains("card-title"), "{path}: a title cell");
        }
    }
    let css = app.get_page("/assets/app.css", &cookie).await.body;
    assert!(css.contains("table.data.cards td[data-label]::before"));
}
