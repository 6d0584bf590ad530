//! M10: the publication-channel register — scope by society, read-only
//! `last_reviewed_on`, reviews, the two channel checks with the configured days, audit and
//! bad input. Today is 2024-06-15.

use domain::{Role, Rules};
use serde_json::{json, Value};

use testkit::*;

async fn checks(app: &TestApp, token: &str, rule: &str) -> Vec<Value> {
    app.get(&format!("/api/v1/checks?rule={rule}"), token)
        .await
        .expect(200)
        .items()
        .clone()
}

#[tokio::test]
async fn a_branch_keeps_the_channels_of_its_societies_and_reviews_date_them() {
    let app = TestApp::builder().spawn().await;
    let root = app.org("科技社团党委", "committee", None).await;
    let a = app.org("甲学会党支部", "branch", Some(root)).await;
    let b = app.org("乙学会党支部", "branch", Some(root)).await;
    let s1 = app.society("重庆市计算机学会", Some(a), json!({})).await["id"]
        .as_i64()
        .unwrap();
    let s2 = app.society("重庆市化学学会", Some(b), json!({})).await["id"]
        .as_i64()
        .unwrap();
    let s3 = app.society("重庆市科普作家协会", None, json!({})).await["id"]
        .as_i64()
        .unwrap();
    let admin = app.admin_api_token().await;
    let branch_a = app.token_for(Role::Branch, Some(a)).await;
    let viewer = app.token_for(Role::Viewer, None).await;
    let committee = app.token_for(Role::Committee, None).await;
    let ch = |society: i64, kind: &str, name: &str| {
        json!({"society_id": society, "kind": kind, "name": name, "responsible": "秘书长 王敏",
               "emergency_plan_on": "2023-09-01"})
    };
    let r = app
        .post(
            "/api/v1/channels",
            &branch_a,
            ch(s1, "journal", "《计算机应用》"),
        )
        .await
        .expect(201);
    assert_eq!(r.json["society"], "重庆市计算机学会");
    assert_eq!(r.json["party_org_id"], a);
    assert!(r.json["last_reviewed_on"].is_null());
    let c1 = r.id();
    app.post(
        "/api/v1/channels",
        &branch_a,
        ch(s2, "website", "化学学会网站"),
    )
    .await
    .expect_error(403, "forbidden");
    app.post("/api/v1/channels", &branch_a, ch(s3, "website", "科普网"))
        .await
        .expect_error(403, "forbidden");
    app.post("/api/v1/channels", &viewer, ch(s1, "forum", "论坛"))
        .await
        .expect_error(403, "forbidden");
    let c2 = app
        .post(
            "/api/v1/channels",
            &committee,
            ch(s2, "social_account", "化学学会公众号"),
        )
        .await
        .expect(201)
        .id();
    let mut no_plan = ch(s3, "website", "科普作家网");
    merge(&mut no_plan, json!({"emergency_plan_on": null}));
    let c3 = app
        .post("/api/v1/channels", &admin, no_plan)
        .await
        .expect(201)
        .id();
    // the same name twice for one society conflicts
    app.post(
        "/api/v1/channels",
        &admin,
        ch(s1, "website", "《计算机应用》"),
    )
    .await
    .expect_error(409, "conflict");
    // bad input names the field; last_reviewed_on is read-only
    for (patch, field) in [
        (
            json!({"last_reviewed_on": "2024-01-01"}),
            "last_reviewed_on",
        ),
        (json!({"last_reviewed_on": null}), "last_reviewed_on"),
        (json!({"kind": "newspaper"}), "kind"),
        (json!({"society_id": 9999}), "society_id"),
        (json!({"emergency_plan_on": day(1)}), "emergency_plan_on"),
        (
            json!({"emergency_plan_on": "2024-13-01"}),
            "emergency_plan_on",
        ),
        (json!({"responsible": ""}), "responsible"),
        (json!({"content_rating": 5}), "content_rating"),
    ] {
        let mut body = ch(s1, "forum", "学术论坛");
        merge(&mut body, patch);
        app.post("/api/v1/channels", &admin, body)
            .await
            .expect_field(field);
    }
    for patch in [
        json!({"last_reviewed_on": "2024-06-01"}),
        json!({"name": "新名", "last_reviewed_on": null}),
    ] {
        app.patch(&format!("/api/v1/channels/{c1}"), &branch_a, patch)
            .await
            .expect_field("last_reviewed_on");
    }
    // scope follows the society
    app.expect_total("/api/v1/channels", &branch_a, 1).await;
    app.expect_total("/api/v1/channels", &viewer, 3).await;
    app.get(&format!("/api/v1/channels/{c2}"), &branch_a)
        .await
        .expect_error(404, "not_found");
    app.get(&format!("/api/v1/channels/{c3}"), &branch_a)
        .await
        .expect_error(404, "not_found");
    app.post(
        &format!("/api/v1/channels/{c2}/reviews"),
        &branch_a,
        json!({"reviewed_on": "2024-05-01"}),
    )
    .await
    .expect_error(404, "not_found");
    app.patch(
        &format!("/api/v1/channels/{c1}"),
        &branch_a,
        json!({"society_id": s2}),
    )
    .await
    .expect_error(403, "forbidden");
    // reviews: the latest is last_reviewed_on, whatever the order they are recorded in
    let reviews = format!("/api/v1/channels/{c1}/reviews");
    app.post(&reviews, &branch_a, json!({"reviewed_on": day(1)}))
        .await
        .expect_field("reviewed_on");
    app.post(&reviews, &branch_a, json!({"notes": "x"}))
        .await
        .expect_field("reviewed_on");
    app.post(&reviews, &viewer, json!({"reviewed_on": "2024-01-10"}))
        .await
        .expect_error(403, "forbidden");
    let r = app
        .post(
            &reviews,
            &branch_a,
            json!({"reviewed_on": "2024-01-10", "notes": "审读制度、应急预案、责任人落实情况检查"}),
        )
        .await
        .expect(201);
    assert_eq!(r.json["channel_id"], c1);
    let review_id = r.id();
    app.post(&reviews, &committee, json!({"reviewed_on": "2023-05-01"}))
        .await
        .expect(201);
    let got = app
        .get(&format!("/api/v1/channels/{c1}"), &viewer)
        .await
        .expect(200);
    assert_eq!(got.json["last_reviewed_on"], "2024-01-10");
    let list = app.get(&reviews, &branch_a).await.expect(200);
    assert_eq!(list.json["total"], 2);
    assert_eq!(list.items()[0]["reviewed_on"], "2024-01-10");
    // PATCH keeps the read-only figure; null clears the plan
    let r = app
        .patch(
            &format!("/api/v1/channels/{c1}"),
            &branch_a,
            json!({"responsible": "主编 李强", "emergency_plan_on": null}),
        )
        .await
        .expect(200);
    assert_eq!(r.json["last_reviewed_on"], "2024-01-10");
    assert!(r.json["emergency_plan_on"].is_null());
    assert_eq!(r.json["name"], "《计算机应用》");
    // filters
    app.expect_total("/api/v1/channels?without_plan=true", &admin, 2)
        .await;
    app.expect_total("/api/v1/channels?review_overdue=true", &admin, 2)
        .await;
    app.expect_total("/api/v1/channels?review_overdue=false", &admin, 1)
        .await;
    app.expect_total("/api/v1/channels?kind=journal", &admin, 1)
        .await;
    app.expect_total(&format!("/api/v1/channels?society_id={s2}"), &admin, 1)
        .await;
    app.expect_total(&format!("/api/v1/channels?party_org_id={b}"), &admin, 1)
        .await;
    app.expect_total("/api/v1/channels?q=公众号", &admin, 1)
        .await;
    app.get("/api/v1/channels?kind=tv", &admin)
        .await
        .expect_field("kind");
    // delete: gone from the list, audited
    app.delete(&format!("/api/v1/channels/{c2}"), &branch_a)
        .await
        .expect_error(404, "not_found");
    app.delete(&format!("/api/v1/channels/{c2}"), &committee)
        .await
        .expect(204);
    app.get(&format!("/api/v1/channels/{c2}"), &admin)
        .await
        .expect_error(404, "not_found");
    app.expect_total("/api/v1/channels", &admin, 2).await;
    let log = app
        .get(
            &format!("/api/v1/audit?entity=channel&entity_id={c1}"),
            &admin,
        )
        .await
        .expect(200);
    assert_eq!(log.items().len(), 2);
    assert_eq!(log.items()[0]["before"]["responsible"], "秘书长 王敏");
    let log = app
        .get(
            &format!("/api/v1/audit?entity=channel_review&entity_id={review_id}"),
            &admin,
        )
        .await
        .expect(200);
    assert_eq!(log.items().len(), 1);
    assert_eq!(
        app.get(
            &format!("/api/v1/audit?entity=channel&entity_id={c2}"),
            &admin
        )
        .await
        .expect(200)
        .items()[0]["action"],
        "delete"
    );
}

#[tokio::test]
async fn channel_checks_flag_missing_plans_and_reviews_older_than_the_configured_days() {
    let app = TestApp::builder()
        .rules(Rules {
            channel_review_days: 100,
            ..Rules::default()
        })
        .spawn()
        .await;
    let root = app.org("科技社团党委", "committee", None).await;
    let a = app.org("甲学会党支部", "branch", Some(root)).await;
    let b = app.org("乙学会党支部", "branch", Some(root)).await;
    let s1 = app.society("重庆市计算机学会", Some(a), json!({})).await["id"]
        .as_i64()
        .unwrap();
    let s2 = app.society("重庆市化学学会", Some(b), json!({})).await["id"]
        .as_i64()
        .unwrap();
    let admin = app.admin_api_token().await;
    let branch_a = app.token_for(Role::Branch, Some(a)).await;
    let add = |society: i64, name: &str, plan: Option<&str>| {
        json!({"society_id": society, "kind": "website", "name": name, "responsible": "办公室",
               "emergency_plan_on": plan})
    };
    let recent = app
        .post(
            "/api/v1/channels",
            &admin,
            add(s1, "学会网站", Some("2024-01-01")),
        )
        .await
        .expect(201)
        .id();
    let old = app
        .post("/api/v1/channels", &admin, add(s1, "学会公众号", None))
        .await
        .expect(201)
        .id();
    let never = app
        .post(
            "/api/v1/channels",
            &admin,
            add(s2, "化学学会网站", Some("2023-01-01")),
        )
        .await
        .expect(201)
        .id();
    // 100 days before 2024-06-15 is 2024-03-07: that day is still in time, the day before not
    for (id, on) in [(recent, "2024-03-07"), (old, "2024-03-06")] {
        app.post(
            &format!("/api/v1/channels/{id}/reviews"),
            &admin,
            json!({"reviewed_on": on}),
        )
        .await
        .expect(201);
    }
    let overdue = checks(&app, &admin, "channel_review_overdue").await;
    let ids: Vec<(Value, Value)> = overdue
        .iter()
        .map(|c| (c["society_id"].clone(), c["party_org_id"].clone()))
        .collect();
    assert_eq!(
        ids,
        vec![(json!(s1), json!(a)), (json!(s2), json!(b))],
        "{overdue:?}"
    );
    let msgs: Vec<&str> = overdue
        .iter()
        .map(|c| c["message"].as_str().unwrap())
        .collect();
    assert!(
        msgs[0].contains("学会公众号") && msgs[0].contains("2024年3月6日"),
        "{msgs:?}"
    );
    assert!(
        msgs[1].contains("化学学会网站") && msgs[1].contains("尚未"),
        "{msgs:?}"
    );
    let without = checks(&app, &admin, "channel_without_plan").await;
    assert_eq!(without.len(), 1);
    assert_eq!(without[0]["society_id"], s1);
    assert!(without[0]["message"]
        .as_str()
        .unwrap()
        .contains("学会公众号"));
    // the list's filter agrees with the check
    app.expect_total("/api/v1/channels?review_overdue=true", &admin, 2)
        .await;
    // a branch's checks cover its own societies' channels
    assert_eq!(
        checks(&app, &branch_a, "channel_review_overdue")
            .await
            .len(),
        1
    );
    let all = app.get("/api/v1/checks", &branch_a).await.expect(200);
    assert!(all
        .items()
        .iter()
        .all(|c| c["society_id"] != s2 && c["party_org_id"] != b));
    // a review today, a plan filed: the checks clear at once (the memo follows the data)
    app.post(
        &format!("/api/v1/channels/{never}/reviews"),
        &admin,
        json!({"reviewed_on": day(0)}),
    )
    .await
    .expect(201);
    app.patch(
        &format!("/api/v1/channels/{old}"),
        &admin,
        json!({"emergency_plan_on": day(0)}),
    )
    .await
    .expect(200);
    assert_eq!(
        checks(&app, &admin, "channel_review_overdue").await.len(),
        1
    );
    assert!(checks(&app, &admin, "channel_without_plan")
        .await
        .is_empty());
    // in English, the message names the channel too
    let req = TestApp::request(
        axum::http::Method::GET,
        "/api/v1/checks?rule=channel_review_overdue",
        Some(&admin),
    )
    .header("accept-language", "en")
    .body(axum::body::Body::empty())
    .unwrap();
    let en = app.send(req).await.expect(200);
    assert_eq!(
        en.items()[0]["message"],
        "重庆市计算机学会 · 学会公众号: last reviewed on 2024-03-06, longer ago than required"
    );
}
