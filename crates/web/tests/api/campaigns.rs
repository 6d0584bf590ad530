//! M7: campaigns, participants, records with attachments, and progress — the contract of
//! API.md, scope across branches (404 / 403) for every resource, bad input (422 naming the
//! field), conflicts (409) and audit.

use domain::Role;
use serde_json::{json, Value};

use testkit::*;

/// A committee with branch A (and A1 under it) and branch B.
struct Tree {
    a: i64,
    a1: i64,
    b: i64,
}

async fn tree(app: &TestApp) -> Tree {
    let root = app.org("科技社团党委", "committee", None).await;
    let a = app.org("甲学会党支部", "branch", Some(root)).await;
    let a1 = app.org("甲学会第一党小组", "branch", Some(a)).await;
    let b = app.org("乙学会党支部", "branch", Some(root)).await;
    Tree { a, a1, b }
}

/// A campaign of the 30 days around the pinned today.
fn campaign(target: i64) -> Value {
    json!({"title": "社区报到·治理增效", "kind": "community_check_in", "starts_on": day(-30),
           "ends_on": day(30), "target": target, "description": "党组织到社区报到、服务群众"})
}

async fn new_campaign(app: &TestApp, target: i64) -> i64 {
    app.post("/api/v1/campaigns", &app.admin, campaign(target))
        .await
        .expect(201)
        .id()
}

async fn join(app: &TestApp, token: &str, c: i64, org: i64) -> Resp {
    app.post(
        &format!("/api/v1/campaigns/{c}/participants"),
        token,
        json!({"party_org_id": org, "joined_on": day(-20), "place": "南岸区花园路社区"}),
    )
    .await
}

async fn record(app: &TestApp, token: &str, c: i64, org: i64, held_on: &str) -> Resp {
    app.post(
        &format!("/api/v1/campaigns/{c}/records"),
        token,
        json!({"party_org_id": org, "held_on": held_on, "title": "社区志愿服务",
               "participants": 12, "notes": "清理楼道、义诊"}),
    )
    .await
}

async fn progress(app: &TestApp, token: &str, url: &str) -> Value {
    app.get(url, token).await.expect(200).json
}

async fn audit_of(app: &TestApp, entity: &str, id: i64) -> Vec<Value> {
    app.get(
        &format!("/api/v1/audit?entity={entity}&entity_id={id}"),
        &app.admin,
    )
    .await
    .expect(200)
    .items()
    .clone()
}

#[tokio::test]
async fn campaigns_are_kept_by_the_committee_and_bad_input_names_the_field() {
    let app = TestApp::builder().spawn().await;
    let t = tree(&app).await;
    let committee = app.token_for(Role::Committee, None).await;
    let branch = app.token_for(Role::Branch, Some(t.a)).await;
    let viewer = app.token_for(Role::Viewer, None).await;
    let inspector = app.token_for(Role::Inspector, None).await;
    for token in [&branch, &viewer, &inspector] {
        app.post("/api/v1/campaigns", token, campaign(100))
            .await
            .expect_error(403, "forbidden");
    }
    for (patch, field) in [
        (json!({"ends_on": day(-31)}), "ends_on"),
        (json!({"target": -1}), "target"),
        (json!({"target": 2.5}), "target"),
        (json!({"target": null}), "target"),
        (json!({"kind": "parade"}), "kind"),
        (json!({"starts_on": "2024-02-30"}), "starts_on"),
        (json!({"title": " "}), "title"),
        (json!({"colour": "red"}), "colour"),
    ] {
        let mut body = campaign(100);
        merge(&mut body, patch);
        app.post("/api/v1/campaigns", &committee, body)
            .await
            .expect_field(field);
    }
    app.expect_total("/api/v1/campaigns", &viewer, 0).await;
    let r = app
        .post("/api/v1/campaigns", &committee, campaign(100))
        .await
        .expect(201);
    assert_eq!(r.json["kind"], "community_check_in");
    assert_eq!(r.json["target"], 100);
    assert_eq!(r.json["starts_on"], day(-30));
    let id = r.id();
    // a one-day campaign with target 0 is a campaign too
    let mut essay = campaign(0);
    merge(
        &mut essay,
        json!({"title": "“我与科协”征文", "kind": "essay", "starts_on": "2023-05-01", "ends_on": "2023-05-01"}),
    );
    let essay = app
        .post("/api/v1/campaigns", &app.admin, essay)
        .await
        .expect(201)
        .id();
    // every role reads campaigns: latest first, filters by kind, year and open day
    for token in [&branch, &viewer, &inspector] {
        let list = app.get("/api/v1/campaigns", token).await.expect(200);
        assert_eq!(list.json["total"], 2);
        assert_eq!(list.items()[0]["id"], id);
        app.get(&format!("/api/v1/campaigns/{id}"), token)
            .await
            .expect(200);
    }
    app.expect_total("/api/v1/campaigns?kind=essay", &viewer, 1)
        .await;
    app.expect_total("/api/v1/campaigns?year=2023", &viewer, 1)
        .await;
    app.expect_total(&format!("/api/v1/campaigns?open_on={}", day(0)), &viewer, 1)
        .await;
    app.get("/api/v1/campaigns?kind=parade", &viewer)
        .await
        .expect_field("kind");
    app.get("/api/v1/campaigns/9999", &viewer)
        .await
        .expect_error(404, "not_found");
    // PATCH merges and checks the same
    let r = app
        .patch(
            &format!("/api/v1/campaigns/{id}"),
            &committee,
            json!({"target": 120}),
        )
        .await
        .expect(200);
    assert_eq!(
        (r.json["target"].as_i64(), r.json["title"].as_str()),
        (Some(120), Some("社区报到·治理增效"))
    );
    for (patch, field) in [
        (json!({"ends_on": day(-40)}), "ends_on"),
        (json!({"target": -5}), "target"),
        (json!({"kind": "march"}), "kind"),
        (json!({"id": 7}), "id"),
    ] {
        app.patch(&format!("/api/v1/campaigns/{id}"), &committee, patch)
            .await
            .expect_field(field);
    }
    app.patch(
        &format!("/api/v1/campaigns/{id}"),
        &branch,
        json!({"target": 1}),
    )
    .await
    .expect_error(403, "forbidden");
    // days that would leave what was recorded outside are refused
    join(&app, &app.admin, id, t.a).await.expect(201);
    app.patch(
        &format!("/api/v1/campaigns/{id}"),
        &committee,
        json!({"starts_on": day(-10)}),
    )
    .await
    .expect_field("starts_on");
    record(&app, &app.admin, id, t.a, &day(-5))
        .await
        .expect(201);
    app.patch(
        &format!("/api/v1/campaigns/{id}"),
        &committee,
        json!({"ends_on": day(-6)}),
    )
    .await
    .expect_field("ends_on");
    let r = app
        .get(&format!("/api/v1/campaigns/{id}"), &viewer)
        .await
        .expect(200);
    assert_eq!(
        (r.json["starts_on"].as_str(), r.json["ends_on"].as_str()),
        (Some(day(-30).as_str()), Some(day(30).as_str()))
    );
    let audit = audit_of(&app, "campaign", id).await;
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert_eq!(audit[0]["action"], "update");
    assert_eq!(audit[0]["before"]["target"], 100);
    assert_eq!(audit[0]["after"]["target"], 120);
    assert_eq!(audit_of(&app, "campaign", essay).await.len(), 1);
}

#[tokio::test]
async fn participants_join_once_within_the_days_and_branches_keep_their_own() {
    let app = TestApp::builder().spawn().await;
    let t = tree(&app).await;
    let branch_a = app.token_for(Role::Branch, Some(t.a)).await;
    let branch_b = app.token_for(Role::Branch, Some(t.b)).await;
    let viewer = app.token_for(Role::Viewer, None).await;
    let committee = app.token_for(Role::Committee, None).await;
    let c = new_campaign(&app, 100).await;
    let url = format!("/api/v1/campaigns/{c}/participants");
    let r = join(&app, &branch_a, c, t.a).await.expect(201);
    assert_eq!(r.json["party_org_id"], t.a);
    assert_eq!(r.json["party_org_name"], "甲学会党支部");
    assert_eq!(r.json["place"], "南岸区花园路社区");
    assert_eq!(r.json["joined_on"], day(-20));
    assert_eq!(r.json["records"], 0);
    let pid = r.id();
    // the same org twice: a conflict, whoever asks
    join(&app, &branch_a, c, t.a)
        .await
        .expect_error(409, "conflict");
    join(&app, &app.admin, c, t.a)
        .await
        .expect_error(409, "conflict");
    // a day outside the campaign, none at all, a bad place
    for (body, field) in [
        (
            json!({"party_org_id": t.a1, "joined_on": day(-31)}),
            "joined_on",
        ),
        (
            json!({"party_org_id": t.a1, "joined_on": day(31)}),
            "joined_on",
        ),
        (json!({"party_org_id": t.a1}), "joined_on"),
        (json!({"joined_on": day(0)}), "party_org_id"),
        (
            json!({"party_org_id": t.a1, "joined_on": day(0), "place": "社".repeat(201)}),
            "place",
        ),
        (
            json!({"party_org_id": t.a1, "joined_on": day(0), "community": "x"}),
            "community",
        ),
    ] {
        app.post(&url, &branch_a, body).await.expect_field(field);
    }
    // a branch enters the orgs of its own subtree only; a viewer none
    join(&app, &branch_a, c, t.a1).await.expect(201);
    join(&app, &branch_a, c, t.b)
        .await
        .expect_error(403, "forbidden");
    join(&app, &viewer, c, t.b)
        .await
        .expect_error(403, "forbidden");
    join(&app, &committee, c, 9999)
        .await
        .expect_field("party_org_id");
    join(&app, &committee, 9999, t.b)
        .await
        .expect_error(404, "not_found");
    join(&app, &committee, c, t.b).await.expect(201);
    // each branch lists its own subtree's; the others everything, in tree order
    let mine = app.get(&url, &branch_a).await.expect(200);
    assert_eq!(mine.json["total"], 2);
    let names: Vec<&str> = mine
        .items()
        .iter()
        .map(|p| p["party_org_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["甲学会党支部", "甲学会第一党小组"]);
    app.expect_total(&url, &branch_b, 1).await;
    app.expect_total(&url, &viewer, 3).await;
    app.expect_total(&url, &committee, 3).await;
    app.expect_total(&format!("{url}?per_page=1&page=2"), &viewer, 3)
        .await;
    app.get("/api/v1/campaigns/9999/participants", &viewer)
        .await
        .expect_error(404, "not_found");
    // taking an org out: in scope, by the roles that enter it, only without records
    app.delete(&format!("{url}/{}", t.a), &branch_b)
        .await
        .expect_error(404, "not_found");
    app.delete(&format!("{url}/{}", t.b), &viewer)
        .await
        .expect_error(403, "forbidden");
    record(&app, &branch_a, c, t.a, &day(-1)).await.expect(201);
    app.delete(&format!("{url}/{}", t.a), &branch_a)
        .await
        .expect_error(409, "in_use");
    app.delete(&format!("{url}/{}", t.a1), &branch_a)
        .await
        .expect(204);
    app.delete(&format!("{url}/{}", t.a1), &branch_a)
        .await
        .expect_error(404, "not_found");
    app.delete(&format!("{url}/{}", t.b), &committee)
        .await
        .expect(204);
    app.delete(&format!("{url}/x"), &committee)
        .await
        .expect(400);
    let left = app.get(&url, &viewer).await.expect(200);
    assert_eq!(left.json["total"], 1);
    assert_eq!(left.items()[0]["records"], 1);
    // and it may join again
    join(&app, &branch_a, c, t.a1).await.expect(201);
    let audit = audit_of(&app, "campaign_participant", pid).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["after"]["party_org_id"], t.a);
    let a1_audit = app
        .get("/api/v1/audit?entity=campaign_participant", &app.admin)
        .await
        .expect(200);
    let actions: Vec<&str> = a1_audit
        .items()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "delete").count(),
        2,
        "{actions:?}"
    );
}

#[tokio::test]
async fn records_belong_to_participants_within_the_days_and_stay_in_scope() {
    let app = TestApp::builder().spawn().await;
    let t = tree(&app).await;
    let branch_a = app.token_for(Role::Branch, Some(t.a)).await;
    let branch_b = app.token_for(Role::Branch, Some(t.b)).await;
    let viewer = app.token_for(Role::Viewer, None).await;
    let c = new_campaign(&app, 10).await;
    join(&app, &app.admin, c, t.a).await.expect(201);
    join(&app, &app.admin, c, t.b).await.expect(201);
    let url = format!("/api/v1/campaigns/{c}/records");
    // not a participant, outside the campaign, in the future, bad counts
    record(&app, &app.admin, c, t.a1, &day(-1))
        .await
        .expect_field("party_org_id");
    record(&app, &app.admin, c, 9999, &day(-1))
        .await
        .expect_field("party_org_id");
    record(&app, &branch_a, c, t.a, &day(-31))
        .await
        .expect_field("held_on");
    record(&app, &branch_a, c, t.a, &day(1))
        .await
        .expect_field("held_on");
    for (patch, field) in [
        (json!({"participants": -1}), "participants"),
        (json!({"participants": 1.5}), "participants"),
        (json!({"title": ""}), "title"),
        (json!({"held_on": null}), "held_on"),
        (json!({"people": 3}), "people"),
    ] {
        let mut body = json!({"party_org_id": t.a, "held_on": day(-1), "title": "宣讲"});
        merge(&mut body, patch);
        app.post(&url, &branch_a, body).await.expect_field(field);
    }
    // a branch records for its own subtree only; a viewer never
    record(&app, &branch_a, c, t.b, &day(-1))
        .await
        .expect_error(403, "forbidden");
    record(&app, &viewer, c, t.a, &day(-1))
        .await
        .expect_error(403, "forbidden");
    record(&app, &branch_a, 9999, t.a, &day(-1))
        .await
        .expect_error(404, "not_found");
    let r = record(&app, &branch_a, c, t.a, &day(-10)).await.expect(201);
    assert_eq!(r.json["participants"], 12);
    assert_eq!(r.json["party_org_name"], "甲学会党支部");
    assert_eq!(r.json["attachments"], 0);
    let older = r.id();
    // today is the last day a record may be held on
    let newer = record(&app, &branch_a, c, t.a, &day(0))
        .await
        .expect(201)
        .id();
    let theirs = record(&app, &branch_b, c, t.b, &day(-5))
        .await
        .expect(201)
        .id();
    // newest held_on first; a branch sees its own
    let all = app.get(&url, &viewer).await.expect(200);
    let ids: Vec<i64> = all
        .items()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [newer, theirs, older]);
    let mine = app.get(&url, &branch_a).await.expect(200);
    assert_eq!(mine.json["total"], 2);
    app.expect_total(&format!("{url}?party_org_id={}", t.b), &viewer, 1)
        .await;
    app.expect_total(&format!("{url}?party_org_id={}", t.b), &branch_a, 0)
        .await;
    // another branch's record: 404 for every verb
    let theirs_url = format!("/api/v1/campaign-records/{theirs}");
    app.get(&theirs_url, &branch_a)
        .await
        .expect_error(404, "not_found");
    app.patch(&theirs_url, &branch_a, json!({"title": "改"}))
        .await
        .expect_error(404, "not_found");
    app.delete(&theirs_url, &branch_a)
        .await
        .expect_error(404, "not_found");
    app.get(&theirs_url, &viewer).await.expect(200);
    // PATCH merges, with the checks of POST
    let mine_url = format!("/api/v1/campaign-records/{older}");
    let r = app
        .patch(&mine_url, &branch_a, json!({"title": "政策宣讲进社区"}))
        .await
        .expect(200);
    assert_eq!(r.json["title"], "政策宣讲进社区");
    assert_eq!(r.json["held_on"], day(-10));
    for (patch, field) in [
        (json!({"held_on": day(1)}), "held_on"),
        (json!({"held_on": day(-40)}), "held_on"),
        (json!({"participants": -2}), "participants"),
        (json!({"party_org_id": t.a1}), "party_org_id"),
        (json!({"campaign_id": 1}), "campaign_id"),
    ] {
        app.patch(&mine_url, &branch_a, patch)
            .await
            .expect_field(field);
    }
    app.patch(&mine_url, &branch_a, json!({"party_org_id": t.b}))
        .await
        .expect_error(403, "forbidden");
    app.patch(&mine_url, &viewer, json!({"title": "x"}))
        .await
        .expect_error(403, "forbidden");
    // soft delete: gone from lists and 404, kept in the audit log
    app.delete(&format!("/api/v1/campaign-records/{newer}"), &branch_a)
        .await
        .expect(204);
    app.get(&format!("/api/v1/campaign-records/{newer}"), &viewer)
        .await
        .expect_error(404, "not_found");
    app.expect_total(&url, &viewer, 2).await;
    let actions: Vec<String> = audit_of(&app, "campaign_record", older)
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, ["update", "create"]);
    let deleted = audit_of(&app, "campaign_record", newer).await;
    assert_eq!(deleted[0]["action"], "delete");
    assert_eq!(deleted[0]["before"]["title"], "社区志愿服务");
}

#[tokio::test]
async fn record_attachments_are_served_and_removed_through_the_records_scope() {
    let app = TestApp::builder().spawn().await;
    let t = tree(&app).await;
    let branch_a = app.token_for(Role::Branch, Some(t.a)).await;
    let branch_b = app.token_for(Role::Branch, Some(t.b)).await;
    let viewer = app.token_for(Role::Viewer, None).await;
    let c = new_campaign(&app, 10).await;
    join(&app, &app.admin, c, t.a).await.expect(201);
    let rec = record(&app, &branch_a, c, t.a, &day(-2))
        .await
        .expect(201)
        .id();
    let url = format!("/api/v1/campaign-records/{rec}/attachments");
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    let r = app
        .upload_to(&url, &branch_a, "file", "报到登记表.pdf", pdf)
        .await
        .expect(201);
    assert_eq!(r.json["content_type"], "application/pdf");
    assert_eq!(r.json["owner"], "campaign_record");
    assert_eq!(r.json["owner_id"], rec);
    assert!(r.json.get("activity_id").is_none(), "{}", r.json);
    let att = r.id();
    // checked by content, limited in size
    app.upload_to(&url, &branch_a, "file", "fake.pdf", b"<html></html>")
        .await
        .expect_field("file");
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(MAX_UPLOAD + 1, b'0');
    app.upload_to(&url, &branch_a, "file", "big.pdf", &big)
        .await
        .expect(413);
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    app.upload_to(&url, &branch_a, "file", "现场照片.png", png)
        .await
        .expect(201);
    assert_eq!(app.get(&url, &branch_a).await.expect(200).items().len(), 2);
    assert_eq!(
        app.get(&format!("/api/v1/campaign-records/{rec}"), &branch_a)
            .await
            .json["attachments"],
        2
    );
    let d = app
        .get(&format!("/api/v1/attachments/{att}"), &branch_a)
        .await
        .expect(200);
    assert_eq!(d.bytes, pdf);
    assert_eq!(d.header("content-type"), Some("application/pdf"));
    // another branch: the record's files are all 404, whatever the verb
    app.get(&url, &branch_b)
        .await
        .expect_error(404, "not_found");
    app.upload_to(&url, &branch_b, "file", "x.pdf", pdf)
        .await
        .expect(404);
    app.get(&format!("/api/v1/attachments/{att}"), &branch_b)
        .await
        .expect(404);
    app.delete(&format!("/api/v1/attachments/{att}"), &branch_b)
        .await
        .expect(404);
    // read-only roles download, never attach or remove
    app.get(&format!("/api/v1/attachments/{att}"), &viewer)
        .await
        .expect(200);
    app.upload_to(&url, &viewer, "file", "x.pdf", pdf)
        .await
        .expect(403);
    app.delete(&format!("/api/v1/attachments/{att}"), &viewer)
        .await
        .expect_error(403, "forbidden");
    app.delete(&format!("/api/v1/attachments/{att}"), &branch_a)
        .await
        .expect(204);
    app.get(&format!("/api/v1/attachments/{att}"), &branch_a)
        .await
        .expect(404);
    assert_eq!(app.get(&url, &viewer).await.expect(200).items().len(), 1);
    let audit = audit_of(&app, "attachment", att).await;
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert_eq!(audit[1]["after"]["owner"], "campaign_record");
    // a deleted record takes its files with it
    let other = app
        .upload_to(&url, &branch_a, "file", "again.pdf", pdf)
        .await
        .expect(201)
        .id();
    app.delete(&format!("/api/v1/campaign-records/{rec}"), &branch_a)
        .await
        .expect(204);
    app.get(&format!("/api/v1/attachments/{other}"), &app.admin)
        .await
        .expect(404);
    app.get(&url, &app.admin)
        .await
        .expect_error(404, "not_found");
    // an activity's file is still answered in v1's shape
    let act = app
        .post(
            "/api/v1/activities",
            &app.admin,
            json!({"party_org_id": t.a, "kind": "member_meeting", "held_on": day(-3), "topic": "学习",
                   "first_agenda": true, "attendees_expected": 10, "attendees_present": 9}),
        )
        .await
        .expect(201)
        .id();
    let f = app
        .upload_to(
            &format!("/api/v1/activities/{act}/attachments"),
            &branch_a,
            "file",
            "纪要.pdf",
            pdf,
        )
        .await
        .expect(201);
    assert_eq!(f.json["activity_id"], act);
    assert_eq!(f.json["owner"], "activity");
}

#[tokio::test]
async fn progress_counts_participants_against_the_target_in_scope() {
    let app = TestApp::builder().spawn().await;
    let t = tree(&app).await;
    let branch_a = app.token_for(Role::Branch, Some(t.a)).await;
    let viewer = app.token_for(Role::Viewer, None).await;
    let c = new_campaign(&app, 4).await;
    for org in [t.a, t.a1, t.b] {
        join(&app, &app.admin, c, org).await.expect(201);
    }
    for (org, n) in [(t.a, 3), (t.a1, 2)] {
        for i in 0..n {
            record(&app, &app.admin, c, org, &day(-i)).await.expect(201);
        }
    }
    let url = format!("/api/v1/campaigns/{c}/progress");
    assert_eq!(
        progress(&app, &viewer, &url).await,
        json!({"target": 4, "participants": 3, "active": 2, "records": 5, "rate": 0.75})
    );
    // an org's figures are its subtree's
    assert_eq!(
        progress(&app, &viewer, &format!("{url}?party_org_id={}", t.a)).await,
        json!({"target": 4, "participants": 2, "active": 2, "records": 5, "rate": 0.5})
    );
    assert_eq!(
        progress(&app, &viewer, &format!("{url}?party_org_id={}", t.b)).await,
        json!({"target": 4, "participants": 1, "active": 0, "records": 0, "rate": 0.25})
    );
    // a branch sees its own subtree's, and nothing of another's
    let mine = app.get(&url, &branch_a).await.expect(200);
    assert_eq!(mine.json["participants"], 2);
    assert_eq!(mine.json["records"], 5);
    app.get(&format!("{url}?party_org_id={}", t.b), &branch_a)
        .await
        .expect_error(404, "not_found");
    app.get(&format!("{url}?party_org_id=9999"), &viewer)
        .await
        .expect_field("party_org_id");
    app.get(&format!("{url}?party_org_id=x"), &viewer)
        .await
        .expect_field("party_org_id");
    app.get("/api/v1/campaigns/9999/progress", &viewer)
        .await
        .expect_error(404, "not_found");
    // the figures follow every change at once (memoized until the data changes)
    let r = record(&app, &app.admin, c, t.b, &day(-3))
        .await
        .expect(201)
        .id();
    assert_eq!(
        progress(&app, &viewer, &url).await,
        json!({"target": 4, "participants": 3, "active": 3, "records": 6, "rate": 0.75})
    );
    app.delete(&format!("/api/v1/campaign-records/{r}"), &app.admin)
        .await
        .expect(204);
    app.patch(
        &format!("/api/v1/campaigns/{c}"),
        &app.admin,
        json!({"target": 2}),
    )
    .await
    .expect(200);
    // more participants than the target: above 1
    assert_eq!(
        progress(&app, &viewer, &url).await,
        json!({"target": 2, "participants": 3, "active": 2, "records": 5, "rate": 1.5})
    );
    // no target: rate 0
    let zero = new_campaign(&app, 0).await;
    join(&app, &app.admin, zero, t.a).await.expect(201);
    assert_eq!(
        progress(&app, &viewer, &format!("/api/v1/campaigns/{zero}/progress")).await,
        json!({"target": 0, "participants": 1, "active": 0, "records": 0, "rate": 0.0})
    );
}
