//! M8 in the to-do, the daily reminders and the dashboard: in the year's last quarter the
//! office-holders short of the year's hours are listed and reminded of, once a month.

use chrono::{TimeZone, Utc};
use domain::Role;
use serde_json::json;

use testkit::*;

/// A committee with one branch: its secretary trained 40 of 56 hours, its party worker
/// all 32 of theirs, and a secretary of another branch none.
async fn world(app: &TestApp) -> (i64, i64) {
    let root = app.org("科技社团党委", "committee", None).await;
    let a = app.org("甲学会党支部", "branch", Some(root)).await;
    let b = app.org("乙学会党支部", "branch", Some(root)).await;
    let admin = app.admin_api_token().await;
    let mut ids = Vec::new();
    for (name, org, position) in [
        ("张明", a, "secretary"),
        ("李华", a, "party_worker"),
        ("王强", b, "secretary"),
    ] {
        ids.push(
            app.post(
                "/api/v1/office-holders",
                &admin,
                json!({"name": name, "party_org_id": org, "position": position, "since": "2023-05-01"}),
            )
            .await
            .expect(201)
            .id(),
        );
    }
    let course = app
        .post(
            "/api/v1/courses",
            &admin,
            json!({"title": "党支部书记培训班", "kind": "class", "starts_on": "2024-03-01",
                   "ends_on": "2024-03-05", "hours": 40}),
        )
        .await
        .expect(201)
        .id();
    for (holder, hours) in [(ids[0], 40), (ids[1], 32)] {
        app.post(
            &format!("/api/v1/courses/{course}/attendance"),
            &admin,
            json!({"office_holder_id": holder, "hours": hours}),
        )
        .await
        .expect(201);
    }
    (a, b)
}

#[tokio::test]
async fn the_last_quarter_lists_and_reminds_of_those_short_of_hours() {
    let app = TestApp::builder()
        .now(Utc.with_ymd_and_hms(2024, 11, 15, 2, 0, 0).unwrap())
        .spawn()
        .await;
    let (a, b) = world(&app).await;
    let branch = app.token_for(Role::Branch, Some(a)).await;
    let t = app.get("/api/v1/todo", &branch).await.expect(200);
    let training = t.json["training"].as_array().unwrap();
    assert_eq!(training.len(), 1, "{}", t.json);
    assert_eq!(training[0]["name"], "张明");
    assert_eq!(training[0]["required"], 56);
    assert_eq!(training[0]["done"], 40.0);
    assert_eq!(training[0]["short"], 16.0);
    assert_eq!(t.json["training_total"], 1);
    // the office sees everyone short, most short first
    let t = app.get("/api/v1/todo", &app.admin).await.expect(200);
    let names: Vec<&str> = t.json["training"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["王强", "张明"]);
    // the daily job records each once this month
    let out = app
        .post("/api/v1/reminders/run", &app.admin, json!({}))
        .await
        .expect(200);
    let first = out.json["prepared"].as_i64().unwrap();
    assert!(first >= 2, "{}", out.json);
    let again = app
        .post("/api/v1/reminders/run", &app.admin, json!({}))
        .await
        .expect(200);
    assert_eq!(again.json["prepared"], 0);
    // the dashboard shows the rate: 1 of 3
    let (cookie, _) = app.page_session(Role::Committee, None).await;
    let page = app.get_page("/", &cookie).await;
    assert!(page.body.contains("id=\"dash-training\""), "{}", page.body);
    assert!(page.body.contains(">33.3%<"), "{}", page.body);
    // a branch's home lists its own short office-holder, not the other branch's
    let (cookie, _) = app.page_session(Role::Branch, Some(b)).await;
    let page = app.get_page("/", &cookie).await;
    assert!(page.body.contains("id=\"todo-training\""));
    assert!(page.body.contains("王强") && !page.body.contains("张明"));
}

#[tokio::test]
async fn before_the_last_quarter_nobody_is_chased() {
    let app = spawn_app().await;
    let (a, _) = world(&app).await;
    let branch = app.token_for(Role::Branch, Some(a)).await;
    let t = app.get("/api/v1/todo", &branch).await.expect(200);
    assert_eq!(t.json["training"], json!([]), "{}", t.json);
    assert_eq!(t.json["training_total"], 0);
}

#[tokio::test]
async fn the_dashboard_shows_each_open_campaigns_progress() {
    let app = spawn_app().await;
    let (a, b) = world(&app).await;
    let admin = app.admin_api_token().await;
    let mut ids = Vec::new();
    for (title, starts, ends) in [
        ("社区报到·治理增效", "2024-01-01", "2024-12-31"),
        ("去年的征文", "2023-03-01", "2023-09-30"),
    ] {
        ids.push(
            app.post(
                "/api/v1/campaigns",
                &admin,
                json!({"title": title, "kind": "community_check_in", "starts_on": starts,
                       "ends_on": ends, "target": 4}),
            )
            .await
            .expect(201)
            .id(),
        );
    }
    for org in [a, b] {
        app.post(
            &format!("/api/v1/campaigns/{}/participants", ids[0]),
            &admin,
            json!({"party_org_id": org, "joined_on": "2024-03-01", "place": "幸福里社区"}),
        )
        .await
        .expect(201);
    }
    let (cookie, _) = app.page_session(Role::Committee, None).await;
    let page = app.get_page("/", &cookie).await;
    assert!(page.body.contains("社区报到·治理增效"), "{}", page.body);
    assert!(page.body.contains("已参与 2 / 目标 4 个"), "{}", page.body);
    assert!(page.body.contains(">50.0%<"));
    assert!(
        !page.body.contains("去年的征文"),
        "a closed campaign is not shown"
    );
    // a branch sees its own part of it
    let (cookie, _) = app.page_session(Role::Branch, Some(a)).await;
    let page = app.get_page("/", &cookie).await;
    assert!(page.body.contains("已参与 1 / 目标 4 个"), "{}", page.body);
}
