//! `/party-orgs`: CRUD, the tree (cycles, deletion rules), filters and paging.

use serde_json::{json, Value};

use testkit::*;

const ORG_KEYS: [&str; 12] = [
    "id",
    "name",
    "kind",
    "parent_id",
    "secretary",
    "secretary_joined_on",
    "secretary_cross_appointed",
    "established_on",
    "term_ends_on",
    "full_members",
    "probationary_members",
    "grade",
];

#[tokio::test]
async fn crud_happy_path() {
    let app = spawn_app().await;
    let root = app
        .post(
            "/api/v1/party-orgs",
            &app.admin,
            json!({"name": "市科技社团党委", "kind": "committee", "parent_id": null}),
        )
        .await
        .expect(201);
    assert_eq!(keys(&root.json), sorted(ORG_KEYS.to_vec()));
    assert_eq!(root.json["parent_id"], Value::Null);
    assert_eq!(root.json["kind"], "committee");
    let root = root.id();

    let body = json!({"name": "市计算机学会党支部", "kind": "branch", "parent_id": root,
        "secretary": "张三", "secretary_joined_on": "2015-06-01", "secretary_cross_appointed": true,
        "established_on": "2019-03-01", "term_ends_on": "2025-03-01", "full_members": 12,
        "probationary_members": 1, "grade": "A"});
    let created = app
        .post("/api/v1/party-orgs", &app.admin, body.clone())
        .await
        .expect(201);
    let id = created.id();
    let mut expected = body.clone();
    expected["id"] = json!(id);
    assert_eq!(created.json, expected);

    // GET answers the same object.
    let got = app
        .get(&format!("/api/v1/party-orgs/{id}"), &app.admin)
        .await
        .expect(200);
    assert_eq!(got.json, expected);

    // The list envelope.
    let list = app.get("/api/v1/party-orgs", &app.admin).await.expect(200);
    assert_eq!(
        keys(&list.json),
        sorted(vec!["items", "total", "page", "per_page"])
    );
    assert_eq!(list.json["total"], 2);
    assert_eq!(list.json["page"], 1);
    assert_eq!(list.json["per_page"], 50);
    assert!(list.items().contains(&expected));

    // PATCH: given fields change, absent ones stay, null clears.
    let patched = app
        .patch(
            &format!("/api/v1/party-orgs/{id}"),
            &app.admin,
            json!({"secretary": "李四", "grade": null, "full_members": 20}),
        )
        .await
        .expect(200);
    let mut after = expected.clone();
    after["secretary"] = json!("李四");
    after["grade"] = Value::Null;
    after["full_members"] = json!(20);
    assert_eq!(patched.json, after);
    assert_eq!(
        app.get(&format!("/api/v1/party-orgs/{id}"), &app.admin)
            .await
            .json,
        after
    );

    // DELETE is soft: 204, then 404 and absent from lists.
    app.delete(&format!("/api/v1/party-orgs/{id}"), &app.admin)
        .await
        .expect(204);
    app.get(&format!("/api/v1/party-orgs/{id}"), &app.admin)
        .await
        .expect_error(404, "not_found");
    app.patch(
        &format!("/api/v1/party-orgs/{id}"),
        &app.admin,
        json!({"secretary": "王五"}),
    )
    .await
    .expect(404);
    app.delete(&format!("/api/v1/party-orgs/{id}"), &app.admin)
        .await
        .expect(404);
    let list = app.get("/api/v1/party-orgs", &app.admin).await.expect(200);
    assert_eq!(list.json["total"], 1);
    assert_eq!(app.org_names(&app.admin).await, vec!["市科技社团党委"]);
}

#[tokio::test]
async fn defaults_on_create() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    let r = app
        .post(
            "/api/v1/party-orgs",
            &app.admin,
            json!({"name": "支部", "kind": "branch", "parent_id": root}),
        )
        .await
        .expect(201);
    assert_eq!(r.json["secretary"], Value::Null);
    assert_eq!(r.json["secretary_cross_appointed"], false);
    assert_eq!(r.json["full_members"], 0);
    assert_eq!(r.json["probationary_members"], 0);
    assert_eq!(r.json["grade"], Value::Null);
    assert_eq!(r.json["term_ends_on"], Value::Null);
}

#[tokio::test]
async fn every_kind_is_accepted_and_unknown_is_422() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    for kind in [
        "committee",
        "general_branch",
        "branch",
        "joint_branch",
        "functional_branch",
    ] {
        let r = app
            .post(
                "/api/v1/party-orgs",
                &app.admin,
                json!({"name": format!("{kind}组织"), "kind": kind, "parent_id": root}),
            )
            .await
            .expect(201);
        assert_eq!(r.json["kind"], kind);
    }
    app.post(
        "/api/v1/party-orgs",
        &app.admin,
        json!({"name": "怪组织", "kind": "cell", "parent_id": root}),
    )
    .await
    .expect_field("kind");
}

#[tokio::test]
async fn parent_is_required_unless_root_committee() {
    let app = spawn_app().await;
    app.post(
        "/api/v1/party-orgs",
        &app.admin,
        json!({"name": "孤儿支部", "kind": "branch"}),
    )
    .await
    .expect_field("parent_id");
    app.post(
        "/api/v1/party-orgs",
        &app.admin,
        json!({"name": "孤儿支部", "kind": "branch", "parent_id": 999}),
    )
    .await
    .expect_field("parent_id");
    // Nothing was written by the failures.
    assert!(app.org_names(&app.admin).await.is_empty());
}

#[tokio::test]
async fn duplicate_names_conflict_until_deleted() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    let a = app.org("甲支部", "branch", Some(root)).await;
    let r = app
        .post(
            "/api/v1/party-orgs",
            &app.admin,
            json!({"name": "甲支部", "kind": "branch", "parent_id": root}),
        )
        .await
        .expect_error(409, "conflict");
    assert!(r.json["error"]["fields"]["name"].is_string());
    // Surrounding blanks do not make a different name.
    app.post(
        "/api/v1/party-orgs",
        &app.admin,
        json!({"name": " 甲支部 ", "kind": "branch", "parent_id": root}),
    )
    .await
    .expect(409);
    // Renaming another org to a taken name conflicts too.
    let b = app.org("乙支部", "branch", Some(root)).await;
    app.patch(
        &format!("/api/v1/party-orgs/{b}"),
        &app.admin,
        json!({"name": "甲支部"}),
    )
    .await
    .expect_error(409, "conflict");
    // Keeping one's own name is not a conflict.
    app.patch(
        &format!("/api/v1/party-orgs/{a}"),
        &app.admin,
        json!({"name": "甲支部", "full_members": 3}),
    )
    .await
    .expect(200);
    // After a soft delete the name is free again.
    app.delete(&format!("/api/v1/party-orgs/{a}"), &app.admin)
        .await
        .expect(204);
    let again = app.org("甲支部", "branch", Some(root)).await;
    assert_ne!(again, a);
}

#[tokio::test]
async fn cycles_in_the_tree_are_422() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    let gb = app.org("总支", "general_branch", Some(root)).await;
    let child = app.org("下级支部", "branch", Some(gb)).await;
    let grandchild = app.org("再下级", "functional_branch", Some(child)).await;
    // Onto itself.
    app.patch(
        &format!("/api/v1/party-orgs/{gb}"),
        &app.admin,
        json!({"parent_id": gb}),
    )
    .await
    .expect_field("parent_id");
    // Onto its own child and grandchild.
    for target in [child, grandchild] {
        app.patch(
            &format!("/api/v1/party-orgs/{gb}"),
            &app.admin,
            json!({"parent_id": target}),
        )
        .await
        .expect_field("parent_id");
    }
    // The root onto a descendant.
    app.patch(
        &format!("/api/v1/party-orgs/{root}"),
        &app.admin,
        json!({"parent_id": grandchild}),
    )
    .await
    .expect_field("parent_id");
    // Nothing moved.
    let got = app
        .get(&format!("/api/v1/party-orgs/{gb}"), &app.admin)
        .await
        .expect(200);
    assert_eq!(got.json["parent_id"], root);
    // A legal move still works, and the moved subtree follows.
    let other = app.org("另一总支", "general_branch", Some(root)).await;
    app.patch(
        &format!("/api/v1/party-orgs/{child}"),
        &app.admin,
        json!({"parent_id": other}),
    )
    .await
    .expect(200);
    // child (with grandchild) moved away, so gb under grandchild is legal now.
    let r = app
        .patch(
            &format!("/api/v1/party-orgs/{gb}"),
            &app.admin,
            json!({"parent_id": grandchild}),
        )
        .await
        .expect(200);
    assert_eq!(r.json["parent_id"], grandchild);
    // ... and now child (an ancestor of gb) may not go under gb.
    app.patch(
        &format!("/api/v1/party-orgs/{child}"),
        &app.admin,
        json!({"parent_id": gb}),
    )
    .await
    .expect_field("parent_id");
}

#[tokio::test]
async fn deleting_an_org_in_use_is_409() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    let gb = app.org("总支", "general_branch", Some(root)).await;
    let branch = app.org("支部", "branch", Some(gb)).await;
    // Has a child org.
    app.delete(&format!("/api/v1/party-orgs/{gb}"), &app.admin)
        .await
        .expect_error(409, "in_use");
    // Covers a society.
    let s = app.society("某学会", Some(branch), json!({})).await;
    app.delete(&format!("/api/v1/party-orgs/{branch}"), &app.admin)
        .await
        .expect_error(409, "in_use");
    // Both still there.
    app.get(&format!("/api/v1/party-orgs/{branch}"), &app.admin)
        .await
        .expect(200);
    app.get(&format!("/api/v1/party-orgs/{gb}"), &app.admin)
        .await
        .expect(200);
    // A deleted society no longer holds the org.
    app.delete(&format!("/api/v1/societies/{}", s["id"]), &app.admin)
        .await
        .expect(204);
    app.delete(&format!("/api/v1/party-orgs/{branch}"), &app.admin)
        .await
        .expect(204);
    app.delete(&format!("/api/v1/party-orgs/{gb}"), &app.admin)
        .await
        .expect(204);
}

#[tokio::test]
async fn list_filters_and_paging() {
    let app = spawn_app().await;
    let root = app.org("市党委", "committee", None).await;
    let gb = app.org("计算机总支", "general_branch", Some(root)).await;
    for i in 0..5 {
        app.org(&format!("计算机第{i}支部"), "branch", Some(gb))
            .await;
    }
    app.org("化学联合支部", "joint_branch", Some(root)).await;

    let r = app
        .get("/api/v1/party-orgs?kind=branch", &app.admin)
        .await
        .expect(200);
    assert_eq!(r.json["total"], 5);
    assert!(r.items().iter().all(|o| o["kind"] == "branch"));

    let r = app
        .get(&format!("/api/v1/party-orgs?parent_id={gb}"), &app.admin)
        .await
        .expect(200);
    assert_eq!(r.json["total"], 5);
    assert!(r.items().iter().all(|o| o["parent_id"] == gb));

    let r = app
        .get("/api/v1/party-orgs?q=%E8%81%94%E5%90%88", &app.admin) // q=联合
        .await
        .expect(200);
    assert_eq!(r.json["total"], 1);
    assert_eq!(r.items()[0]["name"], "化学联合支部");

    // Paging: total counts every match, items only the page.
    let p1 = app
        .get("/api/v1/party-orgs?per_page=3&page=1", &app.admin)
        .await
        .expect(200);
    let p3 = app
        .get("/api/v1/party-orgs?per_page=3&page=3", &app.admin)
        .await
        .expect(200);
    assert_eq!(p1.json["total"], 8);
    assert_eq!(p1.json["per_page"], 3);
    assert_eq!(p1.items().len(), 3);
    assert_eq!(p3.json["page"], 3);
    assert_eq!(p3.items().len(), 2);
    let p4 = app
        .get("/api/v1/party-orgs?per_page=3&page=4", &app.admin)
        .await
        .expect(200);
    assert!(p4.items().is_empty());
    assert_eq!(p4.json["total"], 8);
    // Pages do not overlap.
    let ids = |r: &Resp| -> Vec<i64> {
        r.items()
            .iter()
            .map(|o| o["id"].as_i64().unwrap())
            .collect()
    };
    assert!(ids(&p1).iter().all(|i| !ids(&p3).contains(i)));
    // per_page is capped at 500.
    let big = app
        .get("/api/v1/party-orgs?per_page=5000", &app.admin)
        .await
        .expect(200);
    assert_eq!(big.json["per_page"], 500);

    // A page far past the end is empty, not an error (and does not overflow).
    let far = app
        .get(
            "/api/v1/party-orgs?page=9223372036854775807&per_page=500",
            &app.admin,
        )
        .await
        .expect(200);
    assert!(far.items().is_empty());
    assert_eq!(far.json["total"], 8);

    app.get("/api/v1/party-orgs?kind=cell", &app.admin)
        .await
        .expect_field("kind");
    app.get("/api/v1/party-orgs?parent_id=abc", &app.admin)
        .await
        .expect_field("parent_id");
    let r = app
        .get("/api/v1/party-orgs?page=0", &app.admin)
        .await
        .expect_field("page");
    assert_eq!(r.json["error"]["fields"]["page"], "不能小于 1");
    app.get("/api/v1/party-orgs?per_page=x", &app.admin)
        .await
        .expect_field("per_page");
}

#[tokio::test]
async fn bad_field_values_name_the_field() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    let base = json!({"name": "支部", "kind": "branch", "parent_id": root});
    for (field, value) in [
        ("term_ends_on", json!("2023-02-30")),
        ("established_on", json!("2023/01/01")),
        ("secretary_joined_on", json!("yesterday")),
        ("grade", json!("D")),
        ("full_members", json!(-1)),
        ("probationary_members", json!(-5)),
        ("name", json!("")),
        ("name", json!("长".repeat(101))),
    ] {
        let mut body = base.clone();
        body[field] = value;
        app.post("/api/v1/party-orgs", &app.admin, body)
            .await
            .expect_field(field);
    }
    // A term that ends before the org was established.
    let mut body = base.clone();
    body["established_on"] = json!("2020-01-01");
    body["term_ends_on"] = json!("2019-01-01");
    app.post("/api/v1/party-orgs", &app.admin, body)
        .await
        .expect_field("term_ends_on");
    assert_eq!(app.org_names(&app.admin).await, vec!["党委"]);
}
