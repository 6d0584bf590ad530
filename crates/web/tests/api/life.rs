//! M2: activities, attachments, obligations, compliance, to-do, reminders (API.md M2).

use std::time::Duration as StdDuration;

use chrono::{TimeZone, Utc};
use domain::Role;
use serde_json::{json, Value};
use store::{LifeStore, Store};

use testkit::*;

/// A committee root and a branch under it, established long ago.
async fn tree(app: &TestApp) -> (i64, i64) {
    let root = app
        .org_with(
            "科技社团党委",
            "committee",
            None,
            json!({"established_on": "2010-01-01"}),
        )
        .await;
    let b = app
        .org_with(
            "甲学会党支部",
            "branch",
            Some(root),
            json!({"established_on": "2015-03-01", "full_members": 5}),
        )
        .await;
    (root, b)
}

fn activity(org: i64, kind: &str, held_on: &str) -> Value {
    json!({"party_org_id": org, "kind": kind, "held_on": held_on, "topic": "学习党的二十大精神",
           "first_agenda": true, "attendees_expected": 10, "attendees_present": 9, "notes": "会议记录见附件"})
}

fn item<'a>(c: &'a Value, org: i64, kind: &str, period: &str) -> &'a Value {
    c["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["party_org_id"] == org && i["kind"] == kind && i["period"] == period)
        .unwrap_or_else(|| panic!("no item {org} {kind} {period} in {c}"))
}

#[tokio::test]
async fn activity_crud_round_trips_and_is_audited() {
    let app = spawn_app().await;
    let (_, b) = tree(&app).await;
    let r = app
        .post(
            "/api/v1/activities",
            &app.admin,
            activity(b, "theme_day", "2024-06-01"),
        )
        .await
        .expect(201);
    let id = r.id();
    for k in [
        "id",
        "party_org_id",
        "kind",
        "held_on",
        "topic",
        "first_agenda",
        "attendees_expected",
        "attendees_present",
        "notes",
    ] {
        assert!(r.json.get(k).is_some(), "{k} missing in {}", r.json);
    }
    assert_eq!(r.json["first_agenda"], true);
    assert_eq!(r.json["held_on"], "2024-06-01");
    let g = app
        .get(&format!("/api/v1/activities/{id}"), &app.admin)
        .await
        .expect(200);
    assert_eq!(g.json["topic"], "学习党的二十大精神");
    // PATCH one field keeps the rest; first_agenda may also be the study item's text.
    let p = app
        .patch(
            &format!("/api/v1/activities/{id}"),
            &app.admin,
            json!({"topic": "主题党日：志愿服务", "first_agenda": "学习贯彻重要讲话精神"}),
        )
        .await
        .expect(200);
    assert_eq!(p.json["attendees_present"], 9);
    assert_eq!(p.json["first_agenda"], "学习贯彻重要讲话精神");
    let list = app
        .get(&format!("/api/v1/activities?party_org_id={b}"), &app.admin)
        .await
        .expect(200);
    assert_eq!(list.json["total"], 1);
    assert_eq!(list.json["page"], 1);
    let audit = app
        .get(
            &format!("/api/v1/audit?entity=activity&entity_id={id}"),
            &app.admin,
        )
        .await
        .expect(200);
    assert_eq!(audit.items().len(), 2, "{}", audit.json);
    app.delete(&format!("/api/v1/activities/{id}"), &app.admin)
        .await
        .expect(204);
    app.get(&format!("/api/v1/activities/{id}"), &app.admin)
        .await
        .expect(404);
    let audit = app
        .get(
            &format!("/api/v1/audit?entity=activity&entity_id={id}"),
            &app.admin,
        )
        .await
        .expect(200);
    assert_eq!(audit.items().len(), 3);
}

#[tokio::test]
async fn bad_activities_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let (_, b) = tree(&app).await;
    let url = "/api/v1/activities";
    // Future date (today is 2024-06-15).
    app.post(url, &app.admin, activity(b, "theme_day", &day(1)))
        .await
        .expect_field("held_on");
    // Today is fine.
    app.post(url, &app.admin, activity(b, "theme_day", &day(0)))
        .await
        .expect(201);
    let mut v = activity(b, "theme_day", "2024-06-01");
    v["attendees_present"] = json!(11);
    app.post(url, &app.admin, v)
        .await
        .expect_field("attendees_present");
    app.post(url, &app.admin, activity(b, "picnic", "2024-06-01"))
        .await
        .expect_field("kind");
    app.post(url, &app.admin, activity(b, "theme_day", "2024-02-30"))
        .await
        .expect_field("held_on");
    let mut v = activity(b, "theme_day", "2024-06-01");
    v["attendees_expected"] = json!(-1);
    app.post(url, &app.admin, v)
        .await
        .expect_field("attendees_expected");
    let mut v = activity(b, "theme_day", "2024-06-01");
    v["attendees_expected"] = json!("ten");
    app.post(url, &app.admin, v)
        .await
        .expect_error(422, "validation");
    let mut v = activity(b, "theme_day", "2024-06-01");
    v["mood"] = json!("good");
    app.post(url, &app.admin, v)
        .await
        .expect_error(422, "validation");
    app.post(url, &app.admin, json!({"kind": "theme_day"}))
        .await
        .expect_field("party_org_id");
    // Unknown org → 422 naming it, as for a task or a society (a branch gets 403: below).
    app.post(url, &app.admin, activity(99_999, "theme_day", "2024-06-01"))
        .await
        .expect_field("party_org_id");
    let raw = app
        .call_raw(
            axum::http::Method::POST,
            url,
            Some(&app.admin),
            b"{\"kind\":".to_vec(),
        )
        .await;
    assert_eq!(raw.status.as_u16(), 400);
    let list = app.get(url, &app.admin).await.expect(200);
    assert_eq!(
        list.json["total"], 1,
        "only the valid record: {}",
        list.json
    );
    app.get(&format!("{url}?kind=picnic"), &app.admin)
        .await
        .expect_field("kind");
    app.get(&format!("{url}?from=yesterday"), &app.admin)
        .await
        .expect_field("from");
    app.get("/api/v1/activities/abc", &app.admin)
        .await
        .expect(400);
}

#[tokio::test]
async fn attachments_are_checked_by_content_limited_and_scoped() {
    let app = spawn_app().await;
    let (root, b) = tree(&app).await;
    let other = app.org("乙学会党支部", "branch", Some(root)).await;
    let id = app
        .post(
            "/api/v1/activities",
            &app.admin,
            activity(b, "member_meeting", "2024-05-20"),
        )
        .await
        .expect(201)
        .id();
    let url = format!("/api/v1/activities/{id}/attachments");
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    let mine = app.token_for(Role::Branch, Some(b)).await;
    let r = app
        .upload_to(&url, &mine, "file", "会议记录.pdf", pdf)
        .await
        .expect(201);
    assert_eq!(r.json["content_type"], "application/pdf");
    assert_eq!(r.json["file_name"], "会议记录.pdf");
    let att = r.id();
    // A file that claims to be a PDF but is not.
    app.upload_to(
        &url,
        &mine,
        "file",
        "fake.pdf",
        b"<html><script>alert(1)</script></html>",
    )
    .await
    .expect_field("file");
    // Too large (the test limit is 64 KiB).
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(MAX_UPLOAD + 1, b'0');
    app.upload_to(&url, &mine, "file", "big.pdf", &big)
        .await
        .expect(413);
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    app.upload_to(&url, &mine, "file", "photo", png)
        .await
        .expect(201);
    let list = app.get(&url, &mine).await.expect(200);
    assert_eq!(list.items().len(), 2);
    assert_eq!(
        app.get(&format!("/api/v1/activities/{id}"), &mine)
            .await
            .json["attachments"],
        2
    );
    // Download returns the bytes with the checked type.
    let d = app
        .get(&format!("/api/v1/attachments/{att}"), &mine)
        .await
        .expect(200);
    assert_eq!(d.bytes, pdf);
    assert_eq!(d.header("content-type"), Some("application/pdf"));
    assert!(d.header("content-disposition").unwrap().contains("UTF-8''"));
    // Another branch: the activity, its attachments and the file are all 404.
    let theirs = app.token_for(Role::Branch, Some(other)).await;
    app.get(&format!("/api/v1/attachments/{att}"), &theirs)
        .await
        .expect(404);
    app.get(&url, &theirs).await.expect(404);
    app.upload_to(&url, &theirs, "file", "x.pdf", pdf)
        .await
        .expect(404);
    // Read-only roles may download but not attach.
    let viewer = app.token_for(Role::Viewer, None).await;
    app.get(&format!("/api/v1/attachments/{att}"), &viewer)
        .await
        .expect(200);
    app.upload_to(&url, &viewer, "file", "x.pdf", pdf)
        .await
        .expect(403);
    app.delete(&format!("/api/v1/attachments/{att}"), &mine)
        .await
        .expect(204);
    app.get(&format!("/api/v1/attachments/{att}"), &mine)
        .await
        .expect(404);
}

#[tokio::test]
async fn branches_keep_their_own_records_only() {
    let app = spawn_app().await;
    let (root, b) = tree(&app).await;
    let other = app.org("乙学会党支部", "branch", Some(root)).await;
    let mine = app.token_for(Role::Branch, Some(b)).await;
    let theirs = app.token_for(Role::Branch, Some(other)).await;
    let id = app
        .post(
            "/api/v1/activities",
            &mine,
            activity(b, "theme_day", "2024-06-03"),
        )
        .await
        .expect(201)
        .id();
    // Recording for another branch's org: 403 (API.md: creating outside the subtree), and
    // the same for an org that does not exist (existence never leaks).
    for org in [other, 99_999] {
        app.post(
            "/api/v1/activities",
            &mine,
            activity(org, "theme_day", "2024-06-03"),
        )
        .await
        .expect_error(403, "forbidden");
    }
    app.get(&format!("/api/v1/activities/{id}"), &theirs)
        .await
        .expect(404);
    app.patch(
        &format!("/api/v1/activities/{id}"),
        &theirs,
        json!({"topic": "x"}),
    )
    .await
    .expect(404);
    app.delete(&format!("/api/v1/activities/{id}"), &theirs)
        .await
        .expect(404);
    // Moving one's record to another branch names an org outside: 403, as in the registry.
    app.patch(
        &format!("/api/v1/activities/{id}"),
        &mine,
        json!({"party_org_id": other}),
    )
    .await
    .expect_error(403, "forbidden");
    assert_eq!(app.total("/api/v1/activities", &theirs).await, 0);
    assert_eq!(app.total("/api/v1/activities", &mine).await, 1);
    // Compliance: the other branch's subtree is 404, its own is visible.
    app.get(
        &format!("/api/v1/compliance?year=2024&party_org_id={b}"),
        &theirs,
    )
    .await
    .expect(404);
    let c = app
        .get("/api/v1/compliance?year=2024", &theirs)
        .await
        .expect(200);
    assert!(c.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["party_org_id"] == other));
    // Inspectors and viewers read but do not record.
    let inspector = app.token_for(Role::Inspector, None).await;
    app.get(&format!("/api/v1/activities/{id}"), &inspector)
        .await
        .expect(200);
    app.post(
        "/api/v1/activities",
        &inspector,
        activity(b, "theme_day", "2024-06-03"),
    )
    .await
    .expect(403);
    app.patch(
        &format!("/api/v1/activities/{id}"),
        &inspector,
        json!({"topic": "x"}),
    )
    .await
    .expect(403);
}

#[tokio::test]
async fn obligations_are_seeded_data_editable_by_admin_and_audited() {
    let app = spawn_app().await;
    let list = app.get("/api/v1/obligations", &app.admin).await.expect(200);
    let items = list.items().clone();
    let find = |k: &str| {
        items
            .iter()
            .find(|o| o["kind"] == k)
            .unwrap_or_else(|| panic!("{k}"))
            .clone()
    };
    assert_eq!(find("theme_day")["period"], "month");
    assert_eq!(find("member_meeting")["period"], "quarter");
    assert_eq!(find("party_lecture")["period"], "quarter");
    assert_eq!(find("org_life_meeting")["period"], "year");
    assert_eq!(find("member_review")["period"], "year");
    assert_eq!(find("committee_meeting")["min_full_members"], 7);
    assert_eq!(find("committee_session")["org_kinds"], json!(["committee"]));
    assert_eq!(find("work_conference")["period"], "year");
    assert!(items
        .iter()
        .all(|o| o["active_from"].is_null() && o["min_count"] == 1));
    for k in [
        "id",
        "kind",
        "period",
        "min_count",
        "org_kinds",
        "min_full_members",
        "active_from",
    ] {
        assert!(items[0].get(k).is_some(), "{k}");
    }
    let td = find("theme_day")["id"].as_i64().unwrap();
    let committee = app.token_for(Role::Committee, None).await;
    app.patch(
        &format!("/api/v1/obligations/{td}"),
        &committee,
        json!({"min_count": 2}),
    )
    .await
    .expect(403);
    let p = app
        .patch(
            &format!("/api/v1/obligations/{td}"),
            &app.admin,
            json!({"min_count": 2, "active_from": "2024-01-01"}),
        )
        .await
        .expect(200);
    assert_eq!(p.json["min_count"], 2);
    assert_eq!(p.json["org_kinds"], find("theme_day")["org_kinds"]);
    app.patch(
        &format!("/api/v1/obligations/{td}"),
        &app.admin,
        json!({"min_count": 0}),
    )
    .await
    .expect_field("min_count");
    app.patch(
        &format!("/api/v1/obligations/{td}"),
        &app.admin,
        json!({"period": "week"}),
    )
    .await
    .expect_field("period");
    app.patch(
        &format!("/api/v1/obligations/{td}"),
        &app.admin,
        json!({"org_kinds": ["branch", "club"]}),
    )
    .await
    .expect_field("org_kinds");
    let audit = app
        .get(
            &format!("/api/v1/audit?entity=obligation&entity_id={td}"),
            &app.admin,
        )
        .await
        .expect(200);
    assert_eq!(audit.items().len(), 2, "seed + one change: {}", audit.json);
    let n = app
        .post(
            "/api/v1/obligations",
            &app.admin,
            json!({"kind": "party_lecture", "period": "month", "org_kinds": ["joint_branch"]}),
        )
        .await
        .expect(201);
    assert_eq!(n.json["min_count"], 1);
    app.post(
        "/api/v1/obligations",
        &app.admin,
        json!({"kind": "party_lecture"}),
    )
    .await
    .expect_field("period");
    app.delete(&format!("/api/v1/obligations/{}", n.id()), &app.admin)
        .await
        .expect(204);
    app.get(&format!("/api/v1/obligations/{}", n.id()), &app.admin)
        .await
        .expect(404);
}

#[tokio::test]
async fn compliance_follows_records_periods_and_dates() {
    let app = spawn_app().await;
    let (root, b) = tree(&app).await;
    // Established mid-May: May does not count, June does.
    let young = app
        .org_with(
            "丙学会党支部",
            "branch",
            Some(root),
            json!({"established_on": "2024-05-15"}),
        )
        .await;
    for (org, kind, on) in [
        (b, "theme_day", "2024-01-20"),
        (b, "theme_day", "2024-03-05"),
        (b, "member_meeting", "2024-02-01"),
        (root, "committee_session", "2024-03-30"),
    ] {
        app.record(activity(org, kind, on)).await;
    }
    let c = app
        .get("/api/v1/compliance?year=2024", &app.admin)
        .await
        .expect(200);
    for (org, kind, period, status) in [
        (b, "theme_day", "2024-01", "met"),
        (b, "theme_day", "2024-02", "missed"),
        (b, "theme_day", "2024-03", "met"),
        (b, "theme_day", "2024-06", "due"),
        (b, "theme_day", "2024-07", "upcoming"),
        (b, "member_meeting", "2024-Q1", "met"),
        (b, "member_meeting", "2024-Q2", "due"),
        (b, "org_life_meeting", "2024", "due"),
        (root, "committee_session", "2024-Q1", "met"),
        (root, "work_conference", "2024", "due"),
    ] {
        assert_eq!(
            item(&c.json, org, kind, period)["status"],
            status,
            "{kind} {period}"
        );
    }
    let mar = item(&c.json, b, "theme_day", "2024-03");
    assert_eq!(
        (mar["required"].as_i64(), mar["done"].as_i64()),
        (Some(1), Some(1))
    );
    // Committee meetings need ≥ 7 full members: this branch has 5.
    assert!(!c.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["party_org_id"] == b && i["kind"] == "committee_meeting"));
    // The young branch: nothing before June.
    let young_periods: Vec<&str> = c.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["party_org_id"] == young && i["kind"] == "theme_day")
        .map(|i| i["period"].as_str().unwrap())
        .collect();
    assert_eq!(young_periods.first(), Some(&"2024-06"));
    assert!(!c.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["party_org_id"] == young && i["period"] == "2024-Q2"));
    // Summary: rate = met / (met + missed).
    let s = &c.json["summary"];
    let (met, missed) = (s["met"].as_f64().unwrap(), s["missed"].as_f64().unwrap());
    assert!((s["rate"].as_f64().unwrap() - met / (met + missed)).abs() < 1e-9);
    let statuses = |st: &str| {
        c.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["status"] == st)
            .count() as i64
    };
    assert_eq!(s["met"].as_i64(), Some(statuses("met")));
    assert_eq!(s["missed"].as_i64(), Some(statuses("missed")));
    assert_eq!(s["due"].as_i64(), Some(statuses("due")));
    // Recording June's themed day turns it met, at once.
    app.record(activity(b, "theme_day", "2024-06-14")).await;
    let c = app
        .get(
            &format!("/api/v1/compliance?year=2024&party_org_id={b}"),
            &app.admin,
        )
        .await
        .expect(200);
    assert_eq!(item(&c.json, b, "theme_day", "2024-06")["status"], "met");
    assert!(c.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["party_org_id"] == b));
    // A past year is all decided: met or missed only.
    let past = app
        .get("/api/v1/compliance?year=2023", &app.admin)
        .await
        .expect(200);
    assert!(past.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["status"] == "met" || i["status"] == "missed"));
    // A rule's active_from: periods before it do not count.
    let obs = app.get("/api/v1/obligations", &app.admin).await;
    let td = obs
        .items()
        .iter()
        .find(|o| o["kind"] == "theme_day")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    app.patch(
        &format!("/api/v1/obligations/{td}"),
        &app.admin,
        json!({"active_from": "2024-04-01"}),
    )
    .await
    .expect(200);
    let c = app
        .get(
            &format!("/api/v1/compliance?year=2024&party_org_id={b}"),
            &app.admin,
        )
        .await
        .expect(200);
    let months: Vec<&str> = c.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "theme_day")
        .map(|i| i["period"].as_str().unwrap())
        .collect();
    assert_eq!(months.first(), Some(&"2024-04"));
    // Deleting a record lowers done again.
    let list = app
        .get(
            &format!("/api/v1/activities?party_org_id={b}&kind=theme_day&from=2024-06-01"),
            &app.admin,
        )
        .await;
    let id = list.items()[0]["id"].as_i64().unwrap();
    app.delete(&format!("/api/v1/activities/{id}"), &app.admin)
        .await
        .expect(204);
    let c = app
        .get(
            &format!("/api/v1/compliance?year=2024&party_org_id={b}"),
            &app.admin,
        )
        .await
        .expect(200);
    assert_eq!(item(&c.json, b, "theme_day", "2024-06")["status"], "due");
    app.get("/api/v1/compliance?year=abc", &app.admin)
        .await
        .expect_field("year");
    app.get("/api/v1/compliance?year=1800", &app.admin)
        .await
        .expect_field("year");
    app.get(
        "/api/v1/compliance?year=2024&party_org_id=99999",
        &app.admin,
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn compliance_ledger_exports_as_xlsx() {
    let app = spawn_app().await;
    let (_, b) = tree(&app).await;
    app.record(activity(b, "theme_day", "2024-01-20")).await;
    let r = app
        .get(
            &format!("/api/v1/export/compliance.xlsx?year=2024&party_org_id={b}"),
            &app.admin,
        )
        .await
        .expect(200);
    assert_eq!(r.header("content-type"), Some(XLSX_TYPE));
    let (header, rows) = read_xlsx(&r.bytes);
    assert_eq!(header[0], "党组织");
    let jan = rows
        .iter()
        .find(|r| r[2] == "主题党日" && r[3] == "2024年1月")
        .expect("January row");
    assert_eq!(
        (jan[0].as_str(), jan[5].as_str(), jan[6].as_str()),
        ("甲学会党支部", "1", "已完成")
    );
    let feb = rows
        .iter()
        .find(|r| r[2] == "主题党日" && r[3] == "2024年2月")
        .unwrap();
    assert_eq!(feb[6], "未完成");
}

#[tokio::test]
async fn todo_lists_what_is_due_and_missed() {
    let app = spawn_app().await;
    let (_, b) = tree(&app).await;
    app.record(activity(b, "theme_day", "2024-06-02")).await;
    let mine = app.token_for(Role::Branch, Some(b)).await;
    let t = app.get("/api/v1/todo", &mine).await.expect(200);
    let due: Vec<&str> = t.json["due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert!(due.contains(&"member_meeting"), "{}", t.json);
    assert!(
        !due.contains(&"theme_day"),
        "June's themed day is done: {}",
        t.json
    );
    let q2 = t.json["due"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "member_meeting")
        .unwrap();
    assert_eq!(q2["days_left"], 15, "2024-06-15 → 2024-06-30");
    assert_eq!(q2["org_name"], "甲学会党支部");
    let missed: Vec<&str> = t.json["missed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["period"].as_str().unwrap())
        .collect();
    assert!(missed.contains(&"2024-05"), "{}", t.json);
}

#[tokio::test]
async fn reminders_are_prepared_once_and_emailed() {
    let sink = mail::sink::Sink::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(
        store::SqlStore::open_sqlite(&dir.path().join("t.db"), domain::Rules::default()).unwrap(),
    );
    let clock = web::Clock::default();
    clock.set(Utc.with_ymd_and_hms(2024, 6, 25, 1, 0, 0).unwrap());
    let config = web::WebConfig {
        files_dir: dir.path().join("files"),
        smtp: Some(mail::SmtpConfig {
            host: "127.0.0.1".into(),
            port: sink.addr().port(),
            security: mail::Security::None,
            ca_file: None,
            from: "dangjian@example.org".into(),
            from_name: Some("科技社团党委".into()),
            username: None,
            password: None,
            hello_name: "dangjian".into(),
            timeout: StdDuration::from_secs(5),
        }),
        reminder_days: 7,
        ..web::WebConfig::default()
    };
    let state = web::AppState::new(
        store.clone() as std::sync::Arc<dyn store::Store>,
        config,
        clock.clone(),
    );
    let actor = store::Actor::system("test");
    let root = store
        .create_org(
            &actor,
            &store::Scope::All,
            &serde_json::from_value(json!({"name": "党委", "kind": "committee"})).unwrap(),
        )
        .await
        .unwrap();
    let b = store
        .create_org(
            &actor,
            &store::Scope::All,
            &serde_json::from_value(
                json!({"name": "甲支部", "kind": "branch", "parent_id": root.id}),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let hash = web::platform::auth::hash_password("secret-pass-1".into())
        .await
        .unwrap();
    let u = store
        .create_user(
            &actor,
            store::NewUser {
                username: "zhibu".into(),
                password_hash: hash,
                role: Role::Branch,
                party_org_id: Some(b.id),
            },
        )
        .await
        .unwrap();
    store
        .set_user_email(&actor, u.id, Some("zhibu@example.org"))
        .await
        .unwrap();
    let out = web::modules::life::reminders::run_once(&state)
        .await
        .unwrap();
    assert!(out.prepared > 0);
    assert_eq!(out.emailed, 1, "one message for the branch user: {out:?}");
    let got = sink.wait_for(1, StdDuration::from_secs(5));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rcpt_to, vec!["zhibu@example.org".to_string()]);
    assert!(got[0].subject.contains("提醒"), "{}", got[0].subject);
    assert!(got[0].body.contains("甲支部"), "{}", got[0].body);
    assert!(got[0].body.contains("主题党日"), "{}", got[0].body);
    assert!(
        got[0].body.contains("还剩 5 天"),
        "June 25 → June 30: {}",
        got[0].body
    );
    assert!(
        got[0].body.contains("2024年5月"),
        "May was missed: {}",
        got[0].body
    );
    // A second run the same day prepares and sends nothing new.
    let again = web::modules::life::reminders::run_once(&state)
        .await
        .unwrap();
    assert_eq!((again.prepared, again.emailed), (0, 0));
    assert_eq!(sink.wait_for(2, StdDuration::from_millis(300)).len(), 1);
    // In-app: the reminders are listed for the scope.
    let list = store
        .reminders(
            &store::Scope::All,
            chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
            100,
        )
        .await
        .unwrap();
    assert_eq!(list.len(), out.prepared);
    // The branch's were e-mailed; the root's have no recipient with an address.
    assert!(list
        .iter()
        .all(|r| r.emailed_at.is_some() == (r.party_org_id == b.id)));
}

#[tokio::test]
async fn reminders_without_smtp_stay_in_app() {
    let app = spawn_app().await;
    let (_, b) = tree(&app).await;
    let out = app
        .post("/api/v1/reminders/run", &app.admin, json!({}))
        .await
        .expect(200);
    assert!(out.json["prepared"].as_i64().unwrap() > 0);
    assert_eq!(out.json["emailed"], 0);
    let mine = app.token_for(Role::Branch, Some(b)).await;
    let r = app.get("/api/v1/reminders", &mine).await.expect(200);
    assert!(r.items().iter().all(|i| i["party_org_id"] == b));
    assert!(!r.items().is_empty());
    app.post("/api/v1/reminders/run", &mine, json!({}))
        .await
        .expect(403);
}

#[tokio::test]
async fn openapi_describes_m2() {
    let app = spawn_app().await;
    let doc = app
        .get("/api/v1/openapi.json", &app.admin)
        .await
        .expect(200);
    for p in [
        "/activities",
        "/activities/{id}",
        "/activities/{id}/attachments",
        "/obligations",
        "/compliance",
    ] {
        assert!(doc.json["paths"][p].is_object(), "{p}");
    }
    let schemas = &doc.json["components"]["schemas"];
    assert_eq!(
        schemas["Activity"]["properties"]["kind"]["$ref"],
        "#/components/schemas/ActivityKind"
    );
    assert_eq!(
        schemas["ActivityKind"]["enum"].as_array().unwrap().len(),
        10
    );
}

#[tokio::test]
async fn users_carry_an_optional_reminder_address() {
    let app = spawn_app().await;
    let (_, b) = tree(&app).await;
    let body = |email: Value| json!({"username": "zhibu2", "password": "long-enough-1", "role": "branch", "party_org_id": b, "email": email});
    app.post(
        "/api/v1/users",
        &app.admin,
        body(json!("not an address\r\nBcc: x@y.z")),
    )
    .await
    .expect_field("email");
    assert!(
        !app.get("/api/v1/users", &app.admin)
            .await
            .json
            .to_string()
            .contains("zhibu2"),
        "nothing created"
    );
    let u = app
        .post(
            "/api/v1/users",
            &app.admin,
            body(json!("zhibu@kx.example.gov.cn")),
        )
        .await
        .expect(201);
    assert_eq!(u.json["email"], "zhibu@kx.example.gov.cn");
    let id = u.id();
    app.patch(
        &format!("/api/v1/users/{id}"),
        &app.admin,
        json!({"email": "bad"}),
    )
    .await
    .expect_field("email");
    let p = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &app.admin,
            json!({"email": null}),
        )
        .await
        .expect(200);
    assert!(p.json["email"].is_null());
    let committee = app.token_for(Role::Committee, None).await;
    app.patch(
        &format!("/api/v1/users/{id}"),
        &committee,
        json!({"email": "a@b.cn"}),
    )
    .await
    .expect(403);
    app.patch(
        "/api/v1/users/99999",
        &app.admin,
        json!({"email": "a@b.cn"}),
    )
    .await
    .expect(404);
}
