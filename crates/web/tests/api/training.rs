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
