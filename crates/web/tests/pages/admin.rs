use axum::http::StatusCode;
use store::{Actor, Scope};
use testkit::*;

#[tokio::test]
async fn tokens_page_issues_a_working_api_token_once() {
    let (app, cookie, csrf) = TestApp::pages_as_admin().await;
    let res = app
        .post_form("/tokens", &cookie, &[("csrf", &csrf), ("name", "对接")])
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let at = res.body.find("id=\"secret-value\">").expect("secret shown") + 18;
    let secret = res.body[at..].split('<').next().unwrap_or("").to_string();
    assert_eq!(secret.len(), 64);
    let api = app.get("/api/v1/societies", &secret).await;
    assert_eq!(api.status, StatusCode::OK);
    let page = app.get_page("/tokens", &cookie).await;
    assert!(
        !page.body.contains(&secret),
        "the secret is shown only once"
    );
    let tokens = app.state.store.list_api_tokens(1).await.expect("tokens");
    let res = app
        .post_form(
            &format!("/tokens/{}/revoke", tokens[0].id),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.location(), "/tokens?msg=revoked");
}

#[tokio::test]
async fn users_page_creates_users_with_field_errors() {
    let (app, cookie, csrf) = TestApp::pages_as_admin().await;
    let res = app
        .post_form(
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
    let res = app
        .post_form(
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
    let res = app
        .post_form(
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
    let res = app
        .post_form(
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
async fn audit_view_names_the_orgs_a_change_refers_to() {
    let app = TestApp::pages().await;
    let patch: domain::SocietyPatch =
        serde_json::from_str(r#"{"name":"审计学会","party_org_id":1}"#).expect("patch");
    let s = app
        .state
        .store
        .create_society(&Actor::system("test"), &Scope::All, &patch)
        .await
        .expect("society");
    let (cookie, _) = app.page_login("admin").await;
    let page = app
        .get_page(
            &format!("/audit?entity=society&entity_id={}", s.id),
            &cookie,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    // The covering org shows by name (测试党委), not as its id.
    assert!(page.body.contains("<ins>测试党委</ins>"), "{}", page.body);
}

#[tokio::test]
async fn the_account_page_changes_ones_own_password() {
    let app = TestApp::pages().await;
    let (cookie, csrf) = app.page_session(domain::Role::Inspector, None).await;
    let page = app.get_page("/tokens", &cookie).await;
    assert!(page.body.contains("id=\"own-password\""));
    let wrong = app
        .post_form(
            "/account/password",
            &cookie,
            &[
                ("csrf", &csrf),
                ("current", "nope"),
                ("new", "new-pass-2026"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains("id=\"e-current\">不正确"),
        "{}",
        wrong.body
    );
    assert!(
        !wrong.body.contains("new-pass-2026"),
        "a password is never sent back"
    );
    let ok = app
        .post_form(
            "/account/password",
            &cookie,
            &[
                ("csrf", &csrf),
                ("current", USER_PASSWORD),
                ("new", "new-pass-2026"),
            ],
        )
        .await;
    assert_eq!(ok.location(), "/tokens?msg=own_password");
    // this session stays
    let after = app.get_page("/tokens?msg=own_password", &cookie).await;
    assert_eq!(after.status, StatusCode::OK);
    assert!(after.body.contains("密码已修改"));
}

/// Menus show only what the role can use: no 导入 for viewer and inspector, no user
/// management or audit log but for admin.
#[tokio::test]
async fn menus_follow_the_policy_table() {
    let app = TestApp::pages().await;
    for (role, import, users) in [
        (domain::Role::Viewer, false, false),
        (domain::Role::Inspector, false, false),
        (domain::Role::Committee, true, false),
        (domain::Role::Admin, true, true),
    ] {
        let (cookie, _) = app.page_session(role, None).await;
        let body = app.get_page("/tasks", &cookie).await.body;
        let nav = body
            .split("id=\"sidenav\"")
            .nth(1)
            .and_then(|n| n.split("</nav>").next())
            .unwrap_or("")
            .to_string();
        assert_eq!(nav.contains("href=\"/import\""), import, "{role:?}");
        assert_eq!(nav.contains("href=\"/users\""), users, "{role:?}");
        assert_eq!(nav.contains("href=\"/audit\""), users, "{role:?}");
        assert!(nav.contains("href=\"/inbox\""), "{role:?}");
    }
}

/// The audit log's entity filter covers every entity it records, with links to the
/// records (a rectification's page here).
#[tokio::test]
async fn the_audit_filter_covers_the_work_records() {
    let (app, cookie, _) = TestApp::pages_as_admin().await;
    let org = app.org("甲学会党支部", "branch", Some(1)).await;
    let f = app
        .post(
            "/api/v1/findings",
            &app.admin,
            serde_json::json!({"source": "self_check", "party_org_id": org, "description": "台账不全",
                "severity": "minor", "due_on": day(30)}),
        )
        .await
        .expect(201);
    let rect = f.json["rectification"]["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/rectifications/{rect}/submit"),
        &app.admin,
        serde_json::json!({"response": "已补齐"}),
    )
    .await
    .expect(200);
    let page = app.get_page("/audit", &cookie).await;
    assert!(
        page.body.contains("<option value=\"rectification\""),
        "the filter offers it"
    );
    let page = app.get_page("/audit?entity=rectification", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("整改事项"), "{}", page.body);
    assert!(
        page.body
            .contains(&format!("href=\"/rectifications/{rect}\"")),
        "{}",
        page.body
    );
}
