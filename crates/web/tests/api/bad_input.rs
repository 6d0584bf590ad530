//! Bad input answers 400 / 422 / 413 / 405 in the error envelope, never 500.

use axum::http::Method;
use serde_json::json;

use testkit::*;

#[tokio::test]
async fn malformed_json_is_400() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    let s = app.society("某学会", None, json!({})).await;
    let targets = [
        (Method::POST, "/api/v1/societies".to_string()),
        (Method::PATCH, format!("/api/v1/societies/{}", s["id"])),
        (Method::POST, "/api/v1/party-orgs".to_string()),
        (Method::PATCH, format!("/api/v1/party-orgs/{root}")),
        (Method::POST, "/api/v1/users".to_string()),
    ];
    for (method, uri) in &targets {
        for body in [
            "{\"name\": ",
            "{'name': 'x'}",
            "not json",
            "{\"name\":\"x\",}",
            "",
        ] {
            app.call_raw(method.clone(), uri, Some(&app.admin), body)
                .await
                .expect_error(400, "bad_request");
        }
    }
    assert_eq!(app.society_names(&app.admin).await, vec!["某学会"]);
}

/// A body declared as something other than JSON (text/plain, a form, multipart) → 415; JSON
/// with its charset, a `+json` type, or a body with no declared type is read.
#[tokio::test]
async fn a_body_that_is_not_declared_json_is_415() {
    use axum::body::Body;
    use axum::http::header;
    let app = spawn_app().await;
    let body = json!({"name": "纯文本学会"}).to_string();
    for ct in [
        Some("text/plain"),
        Some("text/plain; charset=utf-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
    ] {
        let mut b = TestApp::request(Method::POST, "/api/v1/societies", Some(&app.admin));
        if let Some(ct) = ct {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        let r = app.send(b.body(Body::from(body.clone())).unwrap()).await;
        r.expect_error(415, "unsupported_media_type");
    }
    // JSON with its charset, or a +json type, is read
    let r = app
        .send(
            TestApp::request(Method::POST, "/api/v1/societies", Some(&app.admin))
                .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    r.expect(201);
    let untyped = json!({"name": "无类型学会"}).to_string();
    let r = app
        .send(
            TestApp::request(Method::POST, "/api/v1/societies", Some(&app.admin))
                .body(Body::from(untyped))
                .unwrap(),
        )
        .await;
    r.expect(201);
    let mut names = app.society_names(&app.admin).await;
    names.sort();
    assert_eq!(names, vec!["无类型学会", "纯文本学会"]);
}

#[tokio::test]
async fn wrong_types_are_422_naming_the_field() {
    let app = spawn_app().await;
    for (field, value) in [
        ("name", json!(5)),
        ("name", json!(["x"])),
        ("full_members", json!("12")),
        ("full_members", json!(1.5)),
        ("probationary_members", json!(true)),
        ("charter_has_party_building", json!("是")),
        ("instructor", json!(7)),
        ("party_org_id", json!("1")),
        ("kind", json!(1)),
        ("sector", json!({"code": "other"})),
    ] {
        let mut body = json!({"name": "类型错误学会"});
        body[field] = value;
        app.post("/api/v1/societies", &app.admin, body)
            .await
            .expect_field(field);
    }
    let root = app.org("党委", "committee", None).await;
    for (field, value) in [
        ("parent_id", json!("x")),
        ("secretary_cross_appointed", json!("yes")),
        ("term_ends_on", json!(20250301)),
        ("full_members", json!(-0.5)),
    ] {
        let mut body = json!({"name": "类型错误支部", "kind": "branch", "parent_id": root});
        body[field] = value;
        app.post("/api/v1/party-orgs", &app.admin, body)
            .await
            .expect_field(field);
    }
    // Not an object at all.
    for body in [json!([1, 2]), json!("x"), json!(3)] {
        app.post("/api/v1/societies", &app.admin, body)
            .await
            .expect_error(422, "validation");
    }
    assert!(app.society_names(&app.admin).await.is_empty());
}

#[tokio::test]
async fn negative_and_huge_counts_are_422() {
    let app = spawn_app().await;
    for field in ["full_members", "probationary_members"] {
        app.post(
            "/api/v1/societies",
            &app.admin,
            json!({"name": "负数学会", field: -1}),
        )
        .await
        .expect_field(field);
        app.post(
            "/api/v1/societies",
            &app.admin,
            json!({"name": "负数学会", field: 10_000_000_000i64}),
        )
        .await
        .expect_field(field);
    }
    // Beyond i64 is a type error, still 422.
    app.call_raw(
        Method::POST,
        "/api/v1/societies",
        Some(&app.admin),
        r#"{"name":"大数学会","full_members":99999999999999999999999}"#,
    )
    .await
    .expect_field("full_members");
    let s = app
        .society("正数学会", None, json!({"full_members": 0}))
        .await;
    app.patch(
        &format!("/api/v1/societies/{}", s["id"]),
        &app.admin,
        json!({"probationary_members": -3}),
    )
    .await
    .expect_field("probationary_members");
    assert_eq!(app.society_names(&app.admin).await, vec!["正数学会"]);
}

#[tokio::test]
async fn unknown_enums_are_422() {
    let app = spawn_app().await;
    for (field, value) in [
        ("kind", "club"),
        ("sector", "space"),
        ("coverage", "partial"),
        ("kind", ""),
        ("sector", "Other"),
    ] {
        app.post(
            "/api/v1/societies",
            &app.admin,
            json!({"name": "枚举学会", field: value}),
        )
        .await
        .expect_field(field);
    }
    let s = app.society("枚举学会", None, json!({})).await;
    for (field, value) in [
        ("kind", "club"),
        ("sector", "space"),
        ("coverage", "partial"),
    ] {
        app.patch(
            &format!("/api/v1/societies/{}", s["id"]),
            &app.admin,
            json!({field: value}),
        )
        .await
        .expect_field(field);
    }
    // In list filters.
    for (param, value) in [
        ("kind", "club"),
        ("sector", "space"),
        ("coverage", "partial"),
    ] {
        app.get(&format!("/api/v1/societies?{param}={value}"), &app.admin)
            .await
            .expect_field(param);
    }
    app.get("/api/v1/party-orgs?kind=cell", &app.admin)
        .await
        .expect_field("kind");
    app.get("/api/v1/checks?rule=made_up", &app.admin)
        .await
        .expect_field("rule");
}

#[tokio::test]
async fn unknown_fields_are_422() {
    let app = spawn_app().await;
    app.post(
        "/api/v1/societies",
        &app.admin,
        json!({"name": "多字段学会", "colour": "red"}),
    )
    .await
    .expect_field("colour");
    let root = app.org("党委", "committee", None).await;
    app.post(
        "/api/v1/party-orgs",
        &app.admin,
        json!({"name": "多字段支部", "kind": "branch", "parent_id": root, "members": 3}),
    )
    .await
    .expect_field("members");
    app.patch(
        &format!("/api/v1/party-orgs/{root}"),
        &app.admin,
        json!({"secretary_name": "张"}),
    )
    .await
    .expect_field("secretary_name");
    app.post(
        "/api/v1/users",
        &app.admin,
        json!({"username": "u1", "password": "long-enough-1", "role": "viewer", "email": "x"}),
    )
    .await
    .expect_field("email");
    assert!(app.society_names(&app.admin).await.is_empty());
}

#[tokio::test]
async fn missing_and_blank_names_are_422() {
    let app = spawn_app().await;
    app.post("/api/v1/societies", &app.admin, json!({"kind": "society"}))
        .await
        .expect_field("name");
    app.post("/api/v1/societies", &app.admin, json!({"name": "   "}))
        .await
        .expect_field("name");
    app.post("/api/v1/societies", &app.admin, json!({"name": null}))
        .await
        .expect_field("name");
    app.post(
        "/api/v1/societies",
        &app.admin,
        json!({"name": "名".repeat(101)}),
    )
    .await
    .expect_field("name");
    app.post(
        "/api/v1/societies",
        &app.admin,
        json!({"name": "指导员过长", "instructor": "名".repeat(51)}),
    )
    .await
    .expect_field("instructor");
    app.post(
        "/api/v1/party-orgs",
        &app.admin,
        json!({"kind": "committee"}),
    )
    .await
    .expect_field("name");
    app.post("/api/v1/party-orgs", &app.admin, json!({"name": "无类型"}))
        .await
        .expect_field("kind");
}

#[tokio::test]
async fn non_integer_ids_are_400() {
    let app = spawn_app().await;
    for base in ["/api/v1/societies", "/api/v1/party-orgs"] {
        for id in ["abc", "1.5", "1e3", "99999999999999999999999", "%20"] {
            let uri = format!("{base}/{id}");
            app.get(&uri, &app.admin)
                .await
                .expect_error(400, "bad_request");
            app.patch(&uri, &app.admin, json!({"name": "x"}))
                .await
                .expect_error(400, "bad_request");
            app.delete(&uri, &app.admin)
                .await
                .expect_error(400, "bad_request");
        }
        // Integers that name nothing are 404.
        for id in ["0", "-1", "424242"] {
            app.get(&format!("{base}/{id}"), &app.admin)
                .await
                .expect_error(404, "not_found");
        }
    }
}

#[tokio::test]
async fn oversized_json_is_413() {
    let app = spawn_app().await;
    let body = format!("{{\"name\":\"{}\"}}", "x".repeat(2 * 1024 * 1024));
    app.call_raw(Method::POST, "/api/v1/societies", Some(&app.admin), body)
        .await
        .expect_error(413, "payload_too_large");
}

#[tokio::test]
async fn unsupported_methods_are_405() {
    let app = spawn_app().await;
    let s = app.society("某学会", None, json!({})).await;
    app.call(
        Method::PUT,
        &format!("/api/v1/societies/{}", s["id"]),
        Some(&app.admin),
        Some(json!({"name": "x"})),
    )
    .await
    .expect_error(405, "method_not_allowed");
    app.call(Method::DELETE, "/api/v1/societies", Some(&app.admin), None)
        .await
        .expect(405);
}

#[tokio::test]
async fn control_characters_are_refused_by_field_on_every_backend() {
    let app = spawn_app().await;
    let r = app
        .call_raw(
            Method::POST,
            "/api/v1/societies",
            Some(&app.admin),
            "{\"name\":\"a\\u0000b\",\"kind\":\"society\",\"sector\":\"other\"}",
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(r.body.contains("\"name\""), "{}", r.body);
    assert!(r.body.contains("U+0000"), "{}", r.body);
    // Line breaks and tabs are text like any other.
    app.post(
        "/api/v1/societies",
        &app.admin,
        json!({"name": "甲\t乙", "kind": "society", "sector": "other"}),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn hostile_bodies_never_answer_500() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    let bodies = [
        "{\"name\":\"\\u0000\"}",
        "{\"name\":\"\\ud800\"}",
        "{\"name\":\"a\",\"name\":\"b\"}",
        "{\"party_org_id\":-9223372036854775808,\"name\":\"n1\"}",
        "{\"full_members\":9223372036854775807,\"name\":\"n2\"}",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        "null",
        "{}",
        "{\"instructor\":null,\"party_org_id\":null}",
        "{\"name\":\"' OR 1=1 --\"}",
    ];
    for body in bodies {
        for (method, uri) in [
            (Method::POST, "/api/v1/societies".to_string()),
            (Method::POST, "/api/v1/party-orgs".to_string()),
            (Method::PATCH, format!("/api/v1/party-orgs/{root}")),
        ] {
            let r = app.call_raw(method, &uri, Some(&app.admin), body).await;
            assert!(
                r.status.as_u16() < 500,
                "{uri} {body}: {} {}",
                r.status,
                String::from_utf8_lossy(&r.bytes)
            );
            if !r.status.is_success() {
                assert!(r.json["error"]["code"].is_string(), "{body}: {}", r.json);
            }
        }
    }
    for q in [
        "q=%FF%FE",
        "page=-1",
        "per_page=0",
        "page=99999999999999999999",
        "page=9223372036854775807&per_page=500",
        "page=4611686018427387904&per_page=4",
        "party_org_id=1%00",
        "q=%25%25%25",
    ] {
        for list in ["societies", "party-orgs", "users"] {
            let r = app.get(&format!("/api/v1/{list}?{q}"), &app.admin).await;
            assert!(r.status.as_u16() < 500, "{list}?{q}: {}", r.status);
        }
    }
}

#[tokio::test]
async fn errors_follow_accept_language() {
    let app = spawn_app().await;
    let ask = |lang: &'static str| {
        axum::http::Request::builder()
            .uri("/api/v1/societies/4242")
            .header("authorization", format!("Bearer {}", app.admin))
            .header("accept-language", lang)
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let zh = app
        .send(ask("zh-CN,zh;q=0.9"))
        .await
        .expect_error(404, "not_found");
    let en = app
        .send(ask("en-US,en;q=0.8"))
        .await
        .expect_error(404, "not_found");
    let zh_msg = zh.json["error"]["message"].as_str().unwrap();
    let en_msg = en.json["error"]["message"].as_str().unwrap();
    assert!(!zh_msg.is_ascii(), "{zh_msg}");
    assert!(en_msg.is_ascii(), "{en_msg}");
    // The code is the same in every language.
    assert_eq!(zh.json["error"]["code"], en.json["error"]["code"]);
}
