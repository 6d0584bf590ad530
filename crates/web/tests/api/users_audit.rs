//! `/users` (admin only) and `/audit` (admin only, newest first, before and after).

use axum::body::Body;
use axum::http::{header, Method, Request};
use domain::Role;
use serde_json::{json, Value};

use testkit::*;

#[tokio::test]
async fn admin_creates_users_who_can_log_in() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    let branch = app.org("某支部", "branch", Some(root)).await;
    for (name, role, org) in [
        ("weiyuan", "committee", Value::Null),
        ("duzhi", "inspector", Value::Null),
        ("zhibu", "branch", json!(branch)),
        ("lingdao", "viewer", Value::Null),
        ("admin2", "admin", Value::Null),
    ] {
        let r = app
            .post(
                "/api/v1/users",
                &app.admin,
                json!({"username": name, "password": "pass-word-8", "role": role, "party_org_id": org}),
            )
            .await
            .expect(201);
        assert_eq!(r.json["username"], name);
        assert_eq!(r.json["role"], role);
        assert_eq!(r.json["party_org_id"], org);
        assert!(r.json["id"].is_i64());
        let text = String::from_utf8_lossy(&r.bytes);
        assert!(
            !text.contains("pass-word-8") && !text.contains("argon2"),
            "{text}"
        );
        let token = app.login(name, "pass-word-8").await;
        app.get("/api/v1/societies", &token).await.expect(200);
        app.token_resp(name, "wrong-password")
            .await
            .expect_error(401, "unauthorized");
    }
    // The new branch user is scoped to its org.
    let t = app.login("zhibu", "pass-word-8").await;
    assert_eq!(app.org_names(&t).await, vec!["某支部"]);

    let list = app.get("/api/v1/users", &app.admin).await.expect(200);
    assert_eq!(
        keys(&list.json),
        sorted(vec!["items", "total", "page", "per_page"])
    );
    assert_eq!(list.json["total"], 6);
    let names: Vec<&str> = list
        .items()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    for n in ["admin", "weiyuan", "duzhi", "zhibu", "lingdao", "admin2"] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    let text = String::from_utf8_lossy(&list.bytes);
    assert!(
        !text.contains("password") && !text.contains("argon2"),
        "{text}"
    );
    // The list pages like every other list.
    let p = app
        .get("/api/v1/users?per_page=4&page=2", &app.admin)
        .await
        .expect(200);
    assert_eq!(p.json["total"], 6);
    assert_eq!(p.json["page"], 2);
    assert_eq!(p.json["per_page"], 4);
    assert_eq!(p.items().len(), 2);
}

#[tokio::test]
async fn only_admin_manages_users() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    for role in [Role::Committee, Role::Inspector, Role::Viewer, Role::Branch] {
        let org = (role == Role::Branch).then_some(root);
        let t = app.token_for(role, org).await;
        app.get("/api/v1/users", &t)
            .await
            .expect_error(403, "forbidden");
        app.post(
            "/api/v1/users",
            &t,
            json!({"username": "sneaky", "password": "pass-word-8", "role": "admin"}),
        )
        .await
        .expect_error(403, "forbidden");
    }
    app.token_resp("sneaky", "pass-word-8").await.expect(401);
}

#[tokio::test]
async fn user_validation() {
    let app = spawn_app().await;
    let ok = json!({"username": "newbie", "password": "pass-word-8", "role": "viewer"});
    // A branch user needs a party org, and a live one.
    app.post(
        "/api/v1/users",
        &app.admin,
        json!({"username": "zb", "password": "pass-word-8", "role": "branch"}),
    )
    .await
    .expect_field("party_org_id");
    app.post(
        "/api/v1/users",
        &app.admin,
        json!({"username": "zb", "password": "pass-word-8", "role": "branch", "party_org_id": null}),
    )
    .await
    .expect_field("party_org_id");
    app.post(
        "/api/v1/users",
        &app.admin,
        json!({"username": "zb", "password": "pass-word-8", "role": "branch", "party_org_id": 777}),
    )
    .await
    .expect_field("party_org_id");
    for (field, value) in [
        ("role", json!("superuser")),
        ("role", Value::Null),
        ("username", json!("")),
        ("username", json!("has space")),
        ("password", json!("short")),
        ("password", json!("")),
        ("username", json!(42)),
    ] {
        let mut body = ok.clone();
        body[field] = value;
        app.post("/api/v1/users", &app.admin, body)
            .await
            .expect_field(field);
    }
    app.token_resp("zb", "pass-word-8").await.expect(401);
    // Duplicate usernames conflict.
    app.post("/api/v1/users", &app.admin, ok.clone())
        .await
        .expect(201);
    let r = app
        .post("/api/v1/users", &app.admin, ok.clone())
        .await
        .expect_error(409, "conflict");
    assert!(r.json["error"]["fields"]["username"].is_string());
    app.post(
        "/api/v1/users",
        &app.admin,
        json!({"username": "admin", "password": "pass-word-8", "role": "admin"}),
    )
    .await
    .expect(409);
    let list = app.get("/api/v1/users", &app.admin).await.expect(200);
    assert_eq!(list.json["total"], 2);
}

/// The audit rows of one object, newest first.
async fn audit_of(app: &TestApp, entity: &str, id: &Value) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/audit?entity={entity}&entity_id={id}"),
            &app.admin,
        )
        .await
        .expect(200);
    r.items().clone()
}

#[tokio::test]
async fn audit_records_create_update_delete_newest_first() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    let req = |method: Method, uri: String, body: Value, rid: &str| {
        Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", app.admin))
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-request-id", rid)
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let created = app
        .send(req(
            Method::POST,
            "/api/v1/societies".into(),
            json!({"name": "审计学会", "full_members": 3}),
            "req-create-1",
        ))
        .await
        .expect(201);
    assert_eq!(created.header("x-request-id"), Some("req-create-1"));
    let id = created.json["id"].clone();
    app.send(req(
        Method::PATCH,
        format!("/api/v1/societies/{id}"),
        json!({"name": "审计学会改", "party_org_id": root}),
        "req-update-2",
    ))
    .await
    .expect(200);
    app.send(req(
        Method::DELETE,
        format!("/api/v1/societies/{id}"),
        Value::Null,
        "req-delete-3",
    ))
    .await
    .expect(204);

    let rows = audit_of(&app, "society", &id).await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["delete", "update", "create"]);
    for r in &rows {
        for k in [
            "at",
            "actor",
            "action",
            "entity",
            "entity_id",
            "before",
            "after",
        ] {
            assert!(r.get(k).is_some(), "audit row lacks {k}: {r}");
        }
        assert_eq!(r["actor"], "admin");
        assert_eq!(r["entity"], "society");
        assert_eq!(r["entity_id"], id);
        chrono::DateTime::parse_from_rfc3339(r["at"].as_str().unwrap()).expect("at is RFC 3339");
    }
    let (delete, update, create) = (&rows[0], &rows[1], &rows[2]);
    assert_eq!(create["before"], Value::Null);
    assert_eq!(create["after"]["name"], "审计学会");
    assert_eq!(create["after"]["full_members"], 3);
    assert_eq!(update["before"]["name"], "审计学会");
    assert_eq!(update["before"]["coverage"], "none");
    assert_eq!(update["after"]["name"], "审计学会改");
    assert_eq!(update["after"]["party_org_id"], root);
    assert_eq!(update["after"]["coverage"], "own_branch");
    assert_eq!(delete["before"]["name"], "审计学会改");
    assert_eq!(delete["after"], Value::Null);
    // The request id of each change is kept.
    let rids: Vec<&str> = rows
        .iter()
        .map(|r| r["request_id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(rids, vec!["req-delete-3", "req-update-2", "req-create-1"]);
    // Times never go backwards down the list.
    let times: Vec<&str> = rows.iter().map(|r| r["at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");

    // Party orgs are audited the same way.
    app.patch(
        &format!("/api/v1/party-orgs/{root}"),
        &app.admin,
        json!({"secretary": "新书记"}),
    )
    .await
    .expect(200);
    let rows = audit_of(&app, "party_org", &json!(root)).await;
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["update", "create"]);
    assert_eq!(rows[0]["before"]["secretary"], Value::Null);
    assert_eq!(rows[0]["after"]["secretary"], "新书记");

    // The unfiltered log is newest first across entities, and every row has a request id.
    let all = app.get("/api/v1/audit", &app.admin).await.expect(200);
    assert_eq!(all.items()[0]["entity"], "party_org");
    assert_eq!(all.items()[1]["action"], "delete");
    assert!(all
        .items()
        .iter()
        .all(|r| r["request_id"].as_str().is_some_and(|s| !s.is_empty())));
}

#[tokio::test]
async fn failed_changes_leave_no_audit_row() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    let child = app.org("子支部", "branch", Some(root)).await;
    app.society("已有学会", Some(child), json!({})).await;
    let before = app.audit_count().await;
    app.post("/api/v1/societies", &app.admin, json!({"name": "已有学会"}))
        .await
        .expect(409);
    app.patch(
        &format!("/api/v1/party-orgs/{root}"),
        &app.admin,
        json!({"parent_id": child}),
    )
    .await
    .expect(422);
    app.delete(&format!("/api/v1/party-orgs/{child}"), &app.admin)
        .await
        .expect(409);
    app.post(
        "/api/v1/societies",
        &app.admin,
        json!({"name": "负数", "full_members": -1}),
    )
    .await
    .expect(422);
    assert_eq!(app.audit_count().await, before);
}

#[tokio::test]
async fn audit_is_admin_only_and_validates_its_query() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    for role in [Role::Committee, Role::Inspector, Role::Viewer, Role::Branch] {
        let org = (role == Role::Branch).then_some(root);
        let t = app.token_for(role, org).await;
        app.get("/api/v1/audit", &t)
            .await
            .expect_error(403, "forbidden");
        app.get("/api/v1/audit?entity=society&entity_id=1", &t)
            .await
            .expect_error(403, "forbidden");
    }
    app.get("/api/v1/audit?entity_id=abc", &app.admin)
        .await
        .expect_field("entity_id");
    // No rows for an object with no history.
    let r = app
        .get("/api/v1/audit?entity=society&entity_id=4242", &app.admin)
        .await
        .expect(200);
    assert!(r.items().is_empty());
    // User creation is audited without the password hash.
    app.post(
        "/api/v1/users",
        &app.admin,
        json!({"username": "audited", "password": "pass-word-8", "role": "viewer"}),
    )
    .await
    .expect(201);
    let r = app
        .get("/api/v1/audit?entity=user", &app.admin)
        .await
        .expect(200);
    let text = serde_json::to_string(&r.json).unwrap();
    assert!(text.contains("audited"));
    assert!(
        !text.contains("argon2") && !text.contains("pass-word-8"),
        "{text}"
    );
}
