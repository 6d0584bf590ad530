//! `POST /auth/token`, bearer tokens, throttling, and the unauthenticated answers.

use axum::body::Body;
use axum::http::{header, Method, Request};
use chrono::{DateTime, Duration};
use domain::Role;
use serde_json::json;
use store::SessionKind;

use testkit::*;

#[tokio::test]
async fn token_is_issued_and_accepted() {
    let app = spawn_app().await;
    let r = app.token_resp("admin", ADMIN_PASSWORD).await.expect(200);
    assert_eq!(keys(&r.json), sorted(vec!["token", "expires_at"]));
    let token = r.json["token"].as_str().unwrap();
    assert!(token.len() >= 32, "token too short: {token}");
    let exp = DateTime::parse_from_rfc3339(r.json["expires_at"].as_str().unwrap())
        .expect("expires_at is RFC 3339");
    assert!(exp > pinned_now(), "expires_at {exp} not after now");
    assert!(r.json["expires_at"].as_str().unwrap().ends_with('Z'));
    app.get("/api/v1/societies", token).await.expect(200);
    // Two logins give two different tokens, both valid.
    let other = app.login("admin", ADMIN_PASSWORD).await;
    assert_ne!(other, token);
    app.get("/api/v1/party-orgs", &other).await.expect(200);
}

#[tokio::test]
async fn wrong_credentials_answer_401() {
    let app = spawn_app().await;
    let r = app
        .token_resp("admin", "not-the-password")
        .await
        .expect_error(401, "unauthorized");
    assert!(r.json.get("token").is_none());
    // An unknown user gets the same answer as a wrong password.
    let unknown = app
        .token_resp("nobody", "whatever-pass")
        .await
        .expect_error(401, "unauthorized");
    assert_eq!(r.json, unknown.json);
}

#[tokio::test]
async fn missing_or_bad_bearer_answers_401() {
    let app = spawn_app().await;
    for uri in [
        "/api/v1/societies",
        "/api/v1/party-orgs",
        "/api/v1/party-orgs/1",
        "/api/v1/stats/coverage",
        "/api/v1/checks",
        "/api/v1/users",
        "/api/v1/audit",
        "/api/v1/import/societies/template",
        "/api/v1/export/societies.xlsx",
    ] {
        app.call(Method::GET, uri, None, None)
            .await
            .expect_error(401, "unauthorized");
        app.get(uri, "0123456789abcdef0123456789abcdef")
            .await
            .expect_error(401, "unauthorized");
    }
    // Not a bearer scheme, or an empty token.
    for value in [
        format!("Basic {}", app.admin),
        "Bearer ".to_string(),
        app.admin.clone(),
    ] {
        let req = Request::builder()
            .uri("/api/v1/societies")
            .header(header::AUTHORIZATION, value)
            .body(Body::empty())
            .unwrap();
        app.send(req).await.expect_error(401, "unauthorized");
    }
    // Writes without a token are 401 too, before the body is looked at.
    app.call(
        Method::POST,
        "/api/v1/societies",
        None,
        Some(json!({"name": "甲"})),
    )
    .await
    .expect_error(401, "unauthorized");
    app.call_raw(Method::POST, "/api/v1/societies", None, "{not json")
        .await
        .expect(401);
    let file = xlsx(&[vec!["甲", "学会", "其他", "1", "0", "否", "", ""]]);
    app.import("0123456789abcdef", &file)
        .await
        .expect_error(401, "unauthorized");
    assert!(app.society_names(&app.admin).await.is_empty());
}

#[tokio::test]
async fn five_failures_throttle_the_username() {
    let app = spawn_app().await;
    for _ in 0..5 {
        app.token_resp("admin", "wrong-password")
            .await
            .expect_error(401, "unauthorized");
    }
    // Locked now, even with the right password.
    let r = app
        .token_resp("admin", ADMIN_PASSWORD)
        .await
        .expect_error(429, "too_many_requests");
    let retry: u64 = r
        .header("retry-after")
        .expect("Retry-After header")
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "retry-after {retry}");
    // Another username is not affected.
    app.user("clerk", Role::Committee, None).await;
    app.login("clerk", USER_PASSWORD).await;
    // Existing tokens keep working.
    app.get("/api/v1/societies", &app.admin).await.expect(200);
}

#[tokio::test]
async fn four_failures_then_success_resets_the_count() {
    let app = spawn_app().await;
    for _ in 0..4 {
        app.token_resp("admin", "wrong-password").await.expect(401);
    }
    app.login("admin", ADMIN_PASSWORD).await;
    for _ in 0..4 {
        app.token_resp("admin", "wrong-password").await.expect(401);
    }
    app.login("admin", ADMIN_PASSWORD).await;
}

#[tokio::test]
async fn a_web_session_is_not_a_bearer_token() {
    let app = spawn_app().await;
    let user = app.user("browser", Role::Admin, None).await;
    let web = app
        .issue(
            &user,
            SessionKind::Web,
            Some(pinned_now() + Duration::hours(1)),
        )
        .await;
    app.get("/api/v1/societies", &web)
        .await
        .expect_error(401, "unauthorized");
    // A long-lived API token (made in the UI) is accepted.
    let api = app.issue(&user, SessionKind::Api, None).await;
    app.get("/api/v1/societies", &api).await.expect(200);
}

#[tokio::test]
async fn expired_tokens_answer_401() {
    let app = spawn_app().await;
    let user = app.user("late", Role::Committee, None).await;
    let old = app
        .issue(
            &user,
            SessionKind::Bearer,
            Some(pinned_now() - Duration::seconds(1)),
        )
        .await;
    app.get("/api/v1/societies", &old)
        .await
        .expect_error(401, "unauthorized");
    // A token from /auth/token stops working once the clock passes its expiry.
    let token = app.login("late", USER_PASSWORD).await;
    app.get("/api/v1/societies", &token).await.expect(200);
    app.state.clock.set(pinned_now() + Duration::days(2));
    app.get("/api/v1/societies", &token)
        .await
        .expect_error(401, "unauthorized");
}

#[tokio::test]
async fn token_endpoint_rejects_bad_bodies() {
    let app = spawn_app().await;
    app.call_raw(Method::POST, "/api/v1/auth/token", None, "{\"username\":")
        .await
        .expect_error(400, "bad_request");
    app.call(
        Method::POST,
        "/api/v1/auth/token",
        None,
        Some(json!({"username": "admin"})),
    )
    .await
    .expect_error(422, "validation");
    app.call(
        Method::POST,
        "/api/v1/auth/token",
        None,
        Some(json!({"username": 1, "password": "x"})),
    )
    .await
    .expect_field("username");
}

#[tokio::test]
async fn health_openapi_and_unknown_paths() {
    let app = spawn_app().await;
    let r = app
        .send(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .expect(200);
    assert!(!r.bytes.is_empty());
    let spec = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    // The description may or may not need a token; either way it is the real document.
    let spec = if spec.status.as_u16() == 401 {
        app.get("/api/v1/openapi.json", &app.admin).await
    } else {
        spec
    }
    .expect(200);
    assert!(spec.json["openapi"].as_str().unwrap().starts_with("3."));
    for p in [
        "/party-orgs",
        "/party-orgs/{id}",
        "/societies",
        "/societies/{id}",
        "/stats/coverage",
        "/checks",
        "/import/societies",
        "/import/societies/template",
        "/export/societies.xlsx",
        "/audit",
        "/users",
        "/auth/token",
    ] {
        assert!(spec.json["paths"][p].is_object(), "openapi lacks {p}");
    }
    app.get("/api/v1/no-such-thing", &app.admin)
        .await
        .expect_error(404, "not_found");
    // Every response carries a request id.
    let r = app.get("/api/v1/societies", &app.admin).await;
    assert!(r.header("x-request-id").is_some_and(|v| !v.is_empty()));
}

/// `POST /auth/password`: any signed-in user changes its own password; a wrong current one
/// or a short new one answers 422 naming the field and changes nothing; afterwards the
/// other sessions and tokens of the user end and this one stays.
#[tokio::test]
async fn own_password_change_ends_the_other_sessions() {
    let app = spawn_app().await;
    let viewer = app.new_user(Role::Viewer, None).await;
    let this = app.login(&viewer.username, USER_PASSWORD).await;
    let other = app.login(&viewer.username, USER_PASSWORD).await;
    let (user, _) = app
        .store
        .credentials(&viewer.username)
        .await
        .unwrap()
        .unwrap();
    let api_token = app.issue(&user, SessionKind::Api, None).await;
    let admin_other = app.login("admin", ADMIN_PASSWORD).await;
    let wrong = app
        .post(
            "/api/v1/auth/password",
            &this,
            json!({"current": "not-it", "new": "a-new-pass-2026"}),
        )
        .await
        .expect(422);
    assert!(
        wrong.json["error"]["fields"]["current"].is_string(),
        "{}",
        wrong.json
    );
    let short = app
        .post(
            "/api/v1/auth/password",
            &this,
            json!({"current": USER_PASSWORD, "new": "short"}),
        )
        .await
        .expect(422);
    assert!(short.json["error"]["fields"]["new"].is_string());
    assert!(short.json["error"]["fields"].get("current").is_none());
    app.post(
        "/api/v1/auth/password",
        &this,
        json!({"current": USER_PASSWORD, "new": "a-new-pass-2026", "extra": 1}),
    )
    .await
    .expect(422);
    // nothing changed yet: the old password still works, every session still lives
    app.get("/api/v1/societies", &other).await.expect(200);
    app.login(&viewer.username, USER_PASSWORD).await;
    app.post(
        "/api/v1/auth/password",
        &this,
        json!({"current": USER_PASSWORD, "new": "a-new-pass-2026"}),
    )
    .await
    .expect(204);
    app.get("/api/v1/societies", &this).await.expect(200);
    app.get("/api/v1/societies", &other).await.expect(401);
    app.get("/api/v1/societies", &api_token).await.expect(401);
    // another user's sessions are untouched
    app.get("/api/v1/societies", &admin_other).await.expect(200);
    app.token_resp(&viewer.username, USER_PASSWORD)
        .await
        .expect(401);
    app.login(&viewer.username, "a-new-pass-2026").await;
    // without a session: 401
    app.call(
        Method::POST,
        "/api/v1/auth/password",
        None,
        Some(json!({"current": "a", "new": "b"})),
    )
    .await
    .expect(401);
}
