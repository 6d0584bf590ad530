//! M8: the office-holder register — the contract of API.md, scope (404 / 403), audit and
//! bad input (422).

use domain::Role;
use serde_json::json;

use testkit::*;

#[tokio::test]
async fn branches_keep_their_own_office_holders_and_every_change_is_audited() {
    let app = TestApp::builder().spawn().await;
    let root = app.org("科技社团党委", "committee", None).await;
    let a = app.org("甲学会党支部", "branch", Some(root)).await;
    let b = app.org("乙学会党支部", "branch", Some(root)).await;
    let branch_a = app.token_for(Role::Branch, Some(a)).await;
    let viewer = app.token_for(Role::Viewer, None).await;
    let admin = app.admin_api_token().await;
    let body =
        json!({"name": "张明", "party_org_id": a, "position": "secretary", "since": "2023-07-01"});
    let r = app
        .post("/api/v1/office-holders", &branch_a, body.clone())
        .await
        .expect(201);
    assert_eq!(r.json["position"], "secretary");
    assert!(r.json["until"].is_null());
    let id = r.id();
    // another branch's org: 403; a viewer never writes
    app.post(
        "/api/v1/office-holders",
        &branch_a,
        json!({"name": "李华", "party_org_id": b, "position": "party_worker", "since": "2024-01-01"}),
    )
    .await
    .expect_error(403, "forbidden");
    app.post("/api/v1/office-holders", &viewer, body.clone())
        .await
        .expect_error(403, "forbidden");
    let other = app
        .post(
            "/api/v1/office-holders",
            &admin,
            json!({"name": "李华", "party_org_id": b, "position": "party_worker", "since": "2024-01-01"}),
        )
        .await
        .expect(201)
        .id();
    app.get(&format!("/api/v1/office-holders/{other}"), &branch_a)
        .await
        .expect_error(404, "not_found");
    app.expect_total("/api/v1/office-holders", &branch_a, 1)
        .await;
    app.expect_total("/api/v1/office-holders", &viewer, 2).await;
    // bad input names the field
    for (patch, field) in [
        (json!({"position": "chairman"}), "position"),
        (json!({"since": "2023-02-30"}), "since"),
        (json!({"until": "2023-01-01"}), "until"),
        (json!({"name": ""}), "name"),
        (json!({"age": 40}), "age"),
    ] {
        app.patch(&format!("/api/v1/office-holders/{id}"), &branch_a, patch)
            .await
            .expect_field(field);
    }
    app.post(
        "/api/v1/office-holders",
        &admin,
        json!({"name": "王五", "party_org_id": 9999, "position": "secretary", "since": "2024-01-01"}),
    )
    .await
    .expect_field("party_org_id");
    // left mid-year: still listed for that year, not for the next
    let r = app
        .patch(
            &format!("/api/v1/office-holders/{id}"),
            &branch_a,
            json!({"until": "2024-03-31"}),
        )
        .await
        .expect(200);
    assert_eq!(r.json["until"], "2024-03-31");
    app.expect_total("/api/v1/office-holders?year=2024", &branch_a, 1)
        .await;
    app.expect_total("/api/v1/office-holders?year=2025", &branch_a, 0)
        .await;
    app.expect_total("/api/v1/office-holders?year=2022", &branch_a, 0)
        .await;
    app.delete(&format!("/api/v1/office-holders/{id}"), &branch_a)
        .await
        .expect(204);
    app.get(&format!("/api/v1/office-holders/{id}"), &admin)
        .await
        .expect_error(404, "not_found");
    let audit = app
        .get(
            &format!("/api/v1/audit?entity=office_holder&entity_id={id}"),
            &admin,
        )
        .await
        .expect(200);
    assert_eq!(audit.items().len(), 3, "{}", audit.json);
}

#[tokio::test]
async fn courses_take_attendance_within_their_hours_once_per_person() {
    let app = TestApp::builder().spawn().await;
    let root = app.org("科技社团党委", "committee", None).await;
    let a = app.org("甲学会党支部", "branch", Some(root)).await;
    let b = app.org("乙学会党支部", "branch", Some(root)).await;
    let branch_a = app.token_for(Role::Branch, Some(a)).await;
    let committee = app.token_for(Role::Committee, None).await;
    let admin = app.admin_api_token().await;
    let holder = |org: i64, name: &str| json!({"name": name, "party_org_id": org, "position": "secretary", "since": "2023-01-01"});
    let ha = app
        .post("/api/v1/office-holders", &admin, holder(a, "张明"))
        .await
        .expect(201)
        .id();
    let hb = app
        .post("/api/v1/office-holders", &admin, holder(b, "李华"))
        .await
        .expect(201)
        .id();
    let course = json!({"title": "党支部书记培训班", "kind": "class", "organizer": "市科协",
        "starts_on": "2024-05-20", "ends_on": "2024-05-24", "hours": 24});
    app.post("/api/v1/courses", &branch_a, course.clone())
        .await
        .expect_error(403, "forbidden");
    for (patch, field) in [
        (json!({"hours": 0}), "hours"),
        (json!({"hours": 2.25}), "hours"),
        (json!({"ends_on": "2024-05-01"}), "ends_on"),
        (json!({"kind": "seminar"}), "kind"),
    ] {
        let mut body = course.clone();
        merge(&mut body, patch);
        app.post("/api/v1/courses", &committee, body)
            .await
            .expect_field(field);
    }
    let c = app
        .post("/api/v1/courses", &committee, course)
        .await
        .expect(201);
    assert_eq!(c.json["hours"], 24.0);
    let cid = c.id();
    let att = format!("/api/v1/courses/{cid}/attendance");
    // hours default to the course's, more is refused, the same person twice is a conflict
    let r = app
        .post(&att, &committee, json!({"office_holder_id": ha}))
        .await
        .expect(201);
    assert_eq!(r.json["hours"], 24.0);
    app.post(
        &att,
        &committee,
        json!({"office_holder_id": ha, "hours": 8}),
    )
    .await
    .expect_error(409, "conflict");
    app.post(
        &att,
        &committee,
        json!({"office_holder_id": hb, "hours": 24.5}),
    )
    .await
    .expect_field("hours");
    app.post(&att, &committee, json!({"office_holder_id": 9999}))
        .await
        .expect_field("office_holder_id");
    app.post(
        &att,
        &committee,
        json!({"office_holder_id": hb, "hours": 12.5}),
    )
    .await
    .expect(201);
    // a branch reads its own people's attendance only
    let mine = app.get(&att, &branch_a).await.expect(200);
    assert_eq!(mine.json["total"], 1);
    assert_eq!(mine.items()[0]["name"], "张明");
    app.expect_total(&att, &committee, 2).await;
    app.delete(&format!("{att}/{hb}"), &branch_a)
        .await
        .expect_error(403, "forbidden");
    app.delete(&format!("{att}/{hb}"), &committee)
        .await
        .expect(204);
    app.delete(&format!("{att}/{hb}"), &committee)
        .await
        .expect_error(404, "not_found");
    app.expect_total(&att, &committee, 1).await;
    // PATCH merges
    let r = app
        .patch(
            &format!("/api/v1/courses/{cid}"),
            &committee,
            json!({"hours": 32}),
        )
        .await
        .expect(200);
    assert_eq!(
        (r.json["hours"].as_f64(), r.json["title"].as_str()),
        (Some(32.0), Some("党支部书记培训班"))
    );
}

#[tokio::test]
async fn yearly_hours_are_measured_against_the_pro_rata_requirement() {
    let app = TestApp::builder().spawn().await;
    let root = app.org("科技社团党委", "committee", None).await;
    let a = app.org("甲学会党支部", "branch", Some(root)).await;
    let b = app.org("乙学会党支部", "branch", Some(root)).await;
    let branch_a = app.token_for(Role::Branch, Some(a)).await;
    let admin = app.admin_api_token().await;
    let holder = |org: i64, name: &str, position: &str, since: &str| json!({"name": name, "party_org_id": org, "position": position, "since": since});
    let sec = app
        .post(
            "/api/v1/office-holders",
            &admin,
            holder(a, "张明", "secretary", "2020-01-01"),
        )
        .await
        .expect(201)
        .id();
    // appointed 1 July 2024: 184 of 366 days of 32 hours → 16.1 → 17
    let worker = app
        .post(
            "/api/v1/office-holders",
            &admin,
            holder(a, "王芳", "party_worker", "2024-07-01"),
        )
        .await
        .expect(201)
        .id();
    app.post(
        "/api/v1/office-holders",
        &admin,
        holder(b, "李华", "committee_member", "2021-03-01"),
    )
    .await
    .expect(201);
    // not in position in 2024
    app.post(
        "/api/v1/office-holders",
        &admin,
        holder(b, "赵六", "secretary", "2025-01-01"),
    )
    .await
    .expect(201);
    let course = |title: &str, ends: &str, hours: f64| json!({"title": title, "kind": "lecture", "starts_on": ends, "ends_on": ends, "hours": hours});
    let c1 = app
        .post(
            "/api/v1/courses",
            &admin,
            course("书记培训班", "2024-05-24", 40.0),
        )
        .await
        .expect(201)
        .id();
    let c2 = app
        .post(
            "/api/v1/courses",
            &admin,
            course("专题讲座", "2024-06-01", 16.0),
        )
        .await
        .expect(201)
        .id();
    // a course ending in 2023 does not count for 2024
    let c0 = app
        .post(
            "/api/v1/courses",
            &admin,
            course("去年讲座", "2023-12-20", 8.0),
        )
        .await
        .expect(201)
        .id();
    for (c, h) in [(c1, sec), (c2, sec), (c0, sec), (c2, worker)] {
        app.post(
            &format!("/api/v1/courses/{c}/attendance"),
            &admin,
            json!({"office_holder_id": h}),
        )
        .await
        .expect(201);
    }
    let r = app
        .get("/api/v1/training/hours?year=2024", &admin)
        .await
        .expect(200);
    let items = r.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{}", r.json);
    let of = |id: i64| items.iter().find(|i| i["office_holder_id"] == id).unwrap();
    assert_eq!(
        (of(sec)["required"].as_i64(), of(sec)["done"].as_f64()),
        (Some(56), Some(56.0))
    );
    assert_eq!(of(sec)["met"], true);
    assert_eq!(
        (of(worker)["required"].as_i64(), of(worker)["done"].as_f64()),
        (Some(17), Some(16.0))
    );
    assert_eq!(of(worker)["met"], false);
    assert_eq!(
        r.json["summary"],
        json!({"people": 3, "met": 1, "rate": 0.3333})
    );
    // a branch sees its own; an org's figures are its subtree's
    let mine = app
        .get("/api/v1/training/hours?year=2024", &branch_a)
        .await
        .expect(200);
    assert_eq!(mine.json["summary"]["people"], 2);
    let of_b = app
        .get(
            &format!("/api/v1/training/hours?year=2024&party_org_id={b}"),
            &admin,
        )
        .await
        .expect(200);
    assert_eq!(of_b.json["summary"]["people"], 1);
    app.get(
        &format!("/api/v1/training/hours?year=2024&party_org_id={b}"),
        &branch_a,
    )
    .await
    .expect_error(404, "not_found");
    app.get("/api/v1/training/hours", &admin)
        .await
        .expect_field("year");
    // the 2023 lecture counts for 2023
    let y23 = app
        .get("/api/v1/training/hours?year=2023", &admin)
        .await
        .expect(200);
    let s23 = y23.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["office_holder_id"] == sec)
        .unwrap()
        .clone();
    assert_eq!(s23["done"], 8.0);
}
