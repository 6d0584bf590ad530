//! Several servers on one database act as one (API.md "Server start"): two apps on one
//! database — whichever backend `DANGJIAN_TEST_DB` names — with one files directory.

use serde_json::json;
use testkit::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_database_act_as_one() {
    let a = spawn_app().await;
    let b = a.twin().await;
    let root = a.org("党委", "committee", None).await;

    // B has looked (and memoized its figures and totals) before A changes anything.
    let count = |r: Resp| r.json["total"].as_i64().unwrap();
    assert_eq!(
        count(b.get("/api/v1/societies", &b.admin).await.expect(200)),
        0
    );
    let stats = b.get("/api/v1/stats/coverage", &b.admin).await.expect(200);
    assert_eq!(stats.json["societies"], 0);
    a.post(
        "/api/v1/societies",
        &a.admin,
        json!({"name": "甲学会", "kind": "society", "sector": "other", "party_org_id": root}),
    )
    .await
    .expect(201);
    // Seen at once through B: list, total, figures.
    assert_eq!(
        count(b.get("/api/v1/societies", &b.admin).await.expect(200)),
        1
    );
    let stats = b.get("/api/v1/stats/coverage", &b.admin).await.expect(200);
    assert_eq!(stats.json["societies"], 1);
    assert_eq!(stats.json["covered"], 1);

    // A password changed through A ends the user's other sessions on B at once.
    a.user("clerk", domain::Role::Committee, None).await;
    let keep = a.login("clerk", USER_PASSWORD).await;
    let other = b.login("clerk", USER_PASSWORD).await;
    b.get("/api/v1/societies", &other).await.expect(200);
    a.post(
        "/api/v1/auth/password",
        &keep,
        json!({"current": USER_PASSWORD, "new": "another-long-password"}),
    )
    .await
    .expect(204);
    b.get("/api/v1/societies", &other)
        .await
        .expect_error(401, "unauthorized");
    b.get("/api/v1/societies", &keep).await.expect(200);

    // Failed logins are counted across both: five in turns lock the name on both.
    for i in 0..5 {
        let server = if i % 2 == 0 { &a } else { &b };
        server
            .token_resp("admin", "wrong-password")
            .await
            .expect_error(401, "unauthorized");
    }
    a.token_resp("admin", ADMIN_PASSWORD)
        .await
        .expect_error(429, "too_many_requests");
    b.token_resp("admin", ADMIN_PASSWORD)
        .await
        .expect_error(429, "too_many_requests");

    // The daily job runs on one server a day.
    let first = web::modules::life::reminders::run_daily(&a.state, "a")
        .await
        .unwrap();
    let second = web::modules::life::reminders::run_daily(&b.state, "b")
        .await
        .unwrap();
    assert!(first.is_some());
    assert!(second.is_none());
    assert!(web::modules::life::reminders::run_daily(&a.state, "a")
        .await
        .unwrap()
        .is_none());

    // An attachment stored through A is served by B (one shared files directory).
    let activity = a
        .post(
            "/api/v1/activities",
            &a.admin,
            json!({"party_org_id": root, "kind": "member_meeting", "held_on": "2024-05-20",
                   "topic": "学习党章", "first_agenda": true, "attendees_expected": 10,
                   "attendees_present": 9, "notes": ""}),
        )
        .await
        .expect(201)
        .id();
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    let att = a
        .upload_to(
            &format!("/api/v1/activities/{activity}/attachments"),
            &a.admin,
            "file",
            "记录.pdf",
            pdf,
        )
        .await
        .expect(201)
        .id();
    let got = b
        .get(&format!("/api/v1/attachments/{att}"), &b.admin)
        .await
        .expect(200);
    assert_eq!(got.bytes, pdf);
}
