//! Branch users see and change only their org's subtree; read-only roles change nothing.
//! Out of scope answers 404 (never leaking existence); creating or moving outside 403.

use domain::Role;
use serde_json::{json, Value};

use testkit::*;

struct World {
    app: TestApp,
    root: i64,
    a: i64,
    a1: i64,
    b: i64,
    b1: i64,
    /// Societies: covered by A1, by A, by B1, by nobody.
    sa1: Value,
    sa: Value,
    sb1: Value,
    su: Value,
    /// A branch user of A.
    user_a: String,
}

/// Root committee R with two general branches A and B, each with a branch A1 / B1.
async fn world() -> World {
    let app = spawn_app().await;
    let root = app.org("市科技社团党委", "committee", None).await;
    let a = app.org("甲总支", "general_branch", Some(root)).await;
    let a1 = app
        .org_with(
            "甲一支部",
            "branch",
            Some(a),
            json!({"term_ends_on": day(-10)}),
        )
        .await;
    let b = app.org("乙总支", "general_branch", Some(root)).await;
    let b1 = app
        .org_with(
            "乙一支部",
            "branch",
            Some(b),
            json!({"term_ends_on": day(-10)}),
        )
        .await;
    let sa1 = app
        .society("甲一学会", Some(a1), json!({"full_members": 5}))
        .await;
    let sa = app
        .society(
            "甲直属学会",
            Some(a),
            json!({"charter_has_party_building": true}),
        )
        .await;
    let sb1 = app
        .society("乙一学会", Some(b1), json!({"full_members": 5}))
        .await;
    let su = app
        .society("无组织学会", None, json!({"full_members": 9}))
        .await;
    let user_a = app.token_for(Role::Branch, Some(a)).await;
    World {
        app,
        root,
        a,
        a1,
        b,
        b1,
        sa1,
        sa,
        sb1,
        su,
        user_a,
    }
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap()
}

#[tokio::test]
async fn lists_show_only_the_subtree() {
    let w = world().await;
    let app = &w.app;
    assert_eq!(
        app.society_names(&w.user_a).await,
        sorted(vec!["甲一学会", "甲直属学会"])
    );
    app.expect_total("/api/v1/societies", &w.user_a, 2).await;
    assert_eq!(
        app.org_names(&w.user_a).await,
        sorted(vec!["甲总支", "甲一支部"])
    );
    app.expect_total("/api/v1/party-orgs", &w.user_a, 2).await;
    // Filters cannot widen the scope.
    app.expect_total(
        &format!("/api/v1/societies?party_org_id={}", w.b1),
        &w.user_a,
        0,
    )
    .await;
    app.expect_total("/api/v1/societies?coverage=none", &w.user_a, 0)
        .await;
    // A is a child of the root and in scope; its sibling B is not.
    let r = app
        .get(
            &format!("/api/v1/party-orgs?parent_id={}", w.root),
            &w.user_a,
        )
        .await
        .expect(200);
    assert_eq!(r.json["total"], 1);
    assert_eq!(r.items()[0]["id"], w.a);
    app.expect_total("/api/v1/societies?q=%E4%B9%99", &w.user_a, 0)
        .await; // q=乙
}

#[tokio::test]
async fn stats_cover_only_the_subtree() {
    let w = world().await;
    let app = &w.app;
    let r = app
        .get("/api/v1/stats/coverage", &w.user_a)
        .await
        .expect(200);
    assert_eq!(r.json["societies"], 2);
    assert_eq!(r.json["covered"], 2);
    assert_eq!(r.json["by_coverage"]["none"], 0);
    assert_eq!(r.json["should_establish"], 0);
    assert!((r.json["charter_rate"].as_f64().unwrap() - 0.5).abs() < 1e-9);
    let r = app
        .get(
            &format!("/api/v1/stats/coverage?party_org_id={}", w.a1),
            &w.user_a,
        )
        .await
        .expect(200);
    assert_eq!(r.json["societies"], 1);
    for other in [w.b, w.b1, w.root] {
        app.get(
            &format!("/api/v1/stats/coverage?party_org_id={other}"),
            &w.user_a,
        )
        .await
        .expect_error(404, "not_found");
    }
    // The admin sees everything.
    let r = app
        .get("/api/v1/stats/coverage", &app.admin)
        .await
        .expect(200);
    assert_eq!(r.json["societies"], 4);
}

#[tokio::test]
async fn out_of_scope_objects_answer_404() {
    let w = world().await;
    let app = &w.app;
    for s in [&w.sb1, &w.su] {
        let uri = format!("/api/v1/societies/{}", id(s));
        let absent = format!("/api/v1/societies/{}", 990_000 + id(s));
        // Exactly the answer for an id that does not exist.
        let r = app
            .get(&uri, &w.user_a)
            .await
            .expect_error(404, "not_found");
        let n = app.get(&absent, &w.user_a).await.expect(404);
        assert_eq!(r.json, n.json);
        app.patch(&uri, &w.user_a, json!({"full_members": 1}))
            .await
            .expect_error(404, "not_found");
        app.delete(&uri, &w.user_a)
            .await
            .expect_error(404, "not_found");
    }
    for o in [w.b, w.b1, w.root] {
        let uri = format!("/api/v1/party-orgs/{o}");
        app.get(&uri, &w.user_a)
            .await
            .expect_error(404, "not_found");
        app.patch(&uri, &w.user_a, json!({"secretary": "越权"}))
            .await
            .expect_error(404, "not_found");
        app.delete(&uri, &w.user_a)
            .await
            .expect_error(404, "not_found");
    }
    // Nothing changed.
    let sb1 = app
        .get(&format!("/api/v1/societies/{}", id(&w.sb1)), &app.admin)
        .await
        .expect(200);
    assert_eq!(sb1.json, w.sb1);
    let b1 = app
        .get(&format!("/api/v1/party-orgs/{}", w.b1), &app.admin)
        .await
        .expect(200);
    assert_eq!(b1.json["secretary"], Value::Null);
    // In-scope objects are readable.
    app.get(&format!("/api/v1/societies/{}", id(&w.sa1)), &w.user_a)
        .await
        .expect(200);
    app.get(&format!("/api/v1/party-orgs/{}", w.a1), &w.user_a)
        .await
        .expect(200);
}

#[tokio::test]
async fn creating_outside_the_subtree_is_403() {
    let w = world().await;
    let app = &w.app;
    app.post(
        "/api/v1/societies",
        &w.user_a,
        json!({"name": "越界学会", "party_org_id": w.b1}),
    )
    .await
    .expect_error(403, "forbidden");
    app.post(
        "/api/v1/societies",
        &w.user_a,
        json!({"name": "越界学会", "party_org_id": w.root}),
    )
    .await
    .expect_error(403, "forbidden");
    app.post("/api/v1/societies", &w.user_a, json!({"name": "无主学会"}))
        .await
        .expect_error(403, "forbidden");
    app.post(
        "/api/v1/societies",
        &w.user_a,
        json!({"name": "无主学会", "party_org_id": null, "instructor": "某"}),
    )
    .await
    .expect_error(403, "forbidden");
    app.post(
        "/api/v1/party-orgs",
        &w.user_a,
        json!({"name": "越界支部", "kind": "branch", "parent_id": w.b}),
    )
    .await
    .expect_error(403, "forbidden");
    app.post(
        "/api/v1/party-orgs",
        &w.user_a,
        json!({"name": "越界党委", "kind": "committee", "parent_id": null}),
    )
    .await
    .expect_error(403, "forbidden");
    assert_eq!(app.society_names(&app.admin).await.len(), 4);
    assert_eq!(app.org_names(&app.admin).await.len(), 5);

    // Inside the subtree the same calls work.
    let s = app
        .post(
            "/api/v1/societies",
            &w.user_a,
            json!({"name": "新甲学会", "party_org_id": w.a1}),
        )
        .await
        .expect(201);
    assert_eq!(s.json["coverage"], "own_branch");
    let o = app
        .post(
            "/api/v1/party-orgs",
            &w.user_a,
            json!({"name": "甲二支部", "kind": "joint_branch", "parent_id": w.a}),
        )
        .await
        .expect(201);
    let a2 = o.id();
    // The new org is in scope at once.
    app.get(&format!("/api/v1/party-orgs/{a2}"), &w.user_a)
        .await
        .expect(200);
    app.post(
        "/api/v1/societies",
        &w.user_a,
        json!({"name": "甲二学会", "party_org_id": a2}),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn moving_out_of_the_subtree_is_403() {
    let w = world().await;
    let app = &w.app;
    // A society of A to B's org.
    app.patch(
        &format!("/api/v1/societies/{}", id(&w.sa1)),
        &w.user_a,
        json!({"party_org_id": w.b1}),
    )
    .await
    .expect_error(403, "forbidden");
    // ... or to no org at all.
    app.patch(
        &format!("/api/v1/societies/{}", id(&w.sa1)),
        &w.user_a,
        json!({"party_org_id": null}),
    )
    .await
    .expect_error(403, "forbidden");
    // An org of A under B.
    app.patch(
        &format!("/api/v1/party-orgs/{}", w.a1),
        &w.user_a,
        json!({"parent_id": w.b}),
    )
    .await
    .expect_error(403, "forbidden");
    // The subtree root itself may not be moved or deleted by its own branch user.
    app.patch(
        &format!("/api/v1/party-orgs/{}", w.a),
        &w.user_a,
        json!({"parent_id": w.b}),
    )
    .await
    .expect_error(403, "forbidden");
    // Nothing moved.
    let s = app
        .get(&format!("/api/v1/societies/{}", id(&w.sa1)), &app.admin)
        .await
        .json;
    assert_eq!(s, w.sa1);
    let a1 = app
        .get(&format!("/api/v1/party-orgs/{}", w.a1), &app.admin)
        .await
        .json;
    assert_eq!(a1["parent_id"], w.a);
    let a = app
        .get(&format!("/api/v1/party-orgs/{}", w.a), &app.admin)
        .await
        .json;
    assert_eq!(a["parent_id"], w.root);

    // Moves inside the subtree are fine.
    app.patch(
        &format!("/api/v1/societies/{}", id(&w.sa1)),
        &w.user_a,
        json!({"party_org_id": w.a, "full_members": 6}),
    )
    .await
    .expect(200);
    // Ordinary edits of in-scope objects too.
    app.patch(
        &format!("/api/v1/party-orgs/{}", w.a),
        &w.user_a,
        json!({"secretary": "甲书记"}),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn deleting_in_scope_works_and_the_root_is_protected() {
    let w = world().await;
    let app = &w.app;
    app.delete(&format!("/api/v1/societies/{}", id(&w.sa1)), &w.user_a)
        .await
        .expect(204);
    app.delete(&format!("/api/v1/party-orgs/{}", w.a1), &w.user_a)
        .await
        .expect(204);
    app.delete(&format!("/api/v1/societies/{}", id(&w.sa)), &w.user_a)
        .await
        .expect(204);
    let r = app
        .delete(&format!("/api/v1/party-orgs/{}", w.a), &w.user_a)
        .await;
    assert!(
        [403, 409].contains(&r.status.as_u16()),
        "deleting one's own root: {}",
        r.status
    );
    app.get(&format!("/api/v1/party-orgs/{}", w.a), &app.admin)
        .await
        .expect(200);
}

#[tokio::test]
async fn import_cannot_reach_outside_the_subtree() {
    let w = world().await;
    let app = &w.app;
    let named = |org: &'static str| {
        vec![vec![
            "越界导入学会",
            "学会",
            "其他",
            "1",
            "0",
            "否",
            "",
            org,
        ]]
    };
    // B's org is reported exactly like an org that does not exist.
    let r = app
        .import(&w.user_a, &xlsx(&named("乙一支部")))
        .await
        .expect(422);
    let ghost = app
        .import(&w.user_a, &xlsx(&named("子虚乌有支部")))
        .await
        .expect(422);
    assert_eq!(r.json["created"], 0);
    let err = &r.json["errors"][0];
    assert_eq!(err["row"], 2);
    assert_eq!(err["column"], "所属党组织");
    assert_eq!(
        err["message"].as_str().unwrap().replace("乙一支部", "X"),
        ghost.json["errors"][0]["message"]
            .as_str()
            .unwrap()
            .replace("子虚乌有支部", "X")
    );
    assert_eq!(r.json["errors"].as_array().unwrap().len(), 1);
    // No org at all is outside the subtree too.
    let r = app.import(&w.user_a, &xlsx(&named(""))).await.expect(422);
    assert_eq!(r.json["errors"][0]["row"], 2);
    assert_eq!(r.json["errors"][0]["column"], "所属党组织");
    // A row naming B's society cannot take it over.
    let rows = vec![vec![
        "乙一学会",
        "学会",
        "其他",
        "1",
        "0",
        "否",
        "",
        "甲一支部",
    ]];
    let r = app.import(&w.user_a, &xlsx(&rows)).await.expect(422);
    assert_eq!(r.json["errors"][0]["row"], 2);
    assert_eq!(r.json["errors"][0]["column"], "名称");
    let sb1 = app
        .get(&format!("/api/v1/societies/{}", id(&w.sb1)), &app.admin)
        .await
        .json;
    assert_eq!(sb1, w.sb1);
    assert_eq!(app.society_names(&app.admin).await.len(), 4);
    // In scope it works, and updates A's own society.
    let rows = vec![
        vec!["甲一学会", "学会", "其他", "7", "0", "否", "", "甲一支部"],
        vec!["甲新学会", "学会", "其他", "1", "0", "否", "", "甲总支"],
    ];
    let r = app.import(&w.user_a, &xlsx(&rows)).await.expect(200);
    assert_eq!(r.json, json!({"created": 1, "updated": 1, "errors": []}));
}

#[tokio::test]
async fn checks_and_export_are_scoped() {
    let w = world().await;
    let app = &w.app;
    let r = app.get("/api/v1/checks", &w.user_a).await.expect(200);
    let orgs: Vec<&Value> = r.items().iter().map(|c| &c["party_org_id"]).collect();
    let socs: Vec<&Value> = r.items().iter().map(|c| &c["society_id"]).collect();
    // A1's expired term is there; B1's and the uncovered society's checks are not.
    assert!(r
        .items()
        .iter()
        .any(|c| c["rule"] == "term_expired" && c["party_org_id"] == w.a1));
    assert!(!orgs.contains(&&json!(w.b1)));
    assert!(!socs.contains(&&w.su["id"]));
    assert!(!socs.contains(&&w.sb1["id"]));
    assert!(!r.items().iter().any(|c| c["rule"] == "uncovered"));
    // The admin sees both expired terms and the uncovered society.
    let all = app.get("/api/v1/checks", &app.admin).await.expect(200);
    let expired: Vec<&Value> = all
        .items()
        .iter()
        .filter(|c| c["rule"] == "term_expired")
        .map(|c| &c["party_org_id"])
        .collect();
    assert_eq!(expired.len(), 2);
    assert!(all
        .items()
        .iter()
        .any(|c| c["rule"] == "uncovered" && c["society_id"] == w.su["id"]));

    let r = app
        .get("/api/v1/export/societies.xlsx", &w.user_a)
        .await
        .expect(200);
    let (header, rows) = read_xlsx(&r.bytes);
    assert_eq!(header, HEADERS.to_vec());
    let mut names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    names.sort();
    assert_eq!(names, {
        let mut v = vec!["甲一学会", "甲直属学会"];
        v.sort();
        v
    });
}

#[tokio::test]
async fn a_moved_subtree_changes_hands() {
    let w = world().await;
    let app = &w.app;
    let user_b = app.token_for(Role::Branch, Some(w.b)).await;
    // The admin moves A1 (with its society) under B.
    app.patch(
        &format!("/api/v1/party-orgs/{}", w.a1),
        &app.admin,
        json!({"parent_id": w.b}),
    )
    .await
    .expect(200);
    assert_eq!(app.society_names(&w.user_a).await, vec!["甲直属学会"]);
    assert_eq!(
        app.society_names(&user_b).await,
        sorted(vec!["甲一学会", "乙一学会"])
    );
    app.get(&format!("/api/v1/societies/{}", id(&w.sa1)), &w.user_a)
        .await
        .expect(404);
    app.get(&format!("/api/v1/societies/{}", id(&w.sa1)), &user_b)
        .await
        .expect(200);
    app.get(&format!("/api/v1/party-orgs/{}", w.a1), &user_b)
        .await
        .expect(200);
}

#[tokio::test]
async fn read_only_roles_cannot_write() {
    let w = world().await;
    let app = &w.app;
    for role in [Role::Viewer, Role::Inspector] {
        let t = app.token_for(role, None).await;
        // They read everything.
        assert_eq!(app.society_names(&t).await.len(), 4);
        app.get("/api/v1/stats/coverage", &t).await.expect(200);
        app.get("/api/v1/checks", &t).await.expect(200);
        app.get("/api/v1/export/societies.xlsx", &t)
            .await
            .expect(200);
        // They change nothing.
        app.post("/api/v1/societies", &t, json!({"name": "只读者学会"}))
            .await
            .expect_error(403, "forbidden");
        app.patch(
            &format!("/api/v1/societies/{}", id(&w.sa1)),
            &t,
            json!({"full_members": 1}),
        )
        .await
        .expect_error(403, "forbidden");
        app.delete(&format!("/api/v1/societies/{}", id(&w.sa1)), &t)
            .await
            .expect_error(403, "forbidden");
        app.post(
            "/api/v1/party-orgs",
            &t,
            json!({"name": "只读者支部", "kind": "branch", "parent_id": w.root}),
        )
        .await
        .expect_error(403, "forbidden");
        app.patch(
            &format!("/api/v1/party-orgs/{}", w.a1),
            &t,
            json!({"secretary": "x"}),
        )
        .await
        .expect_error(403, "forbidden");
        app.delete(&format!("/api/v1/party-orgs/{}", w.b1), &t)
            .await
            .expect_error(403, "forbidden");
        // Nor users and audit.
        app.get("/api/v1/users", &t)
            .await
            .expect_error(403, "forbidden");
        app.get("/api/v1/audit", &t)
            .await
            .expect_error(403, "forbidden");
    }
    let sa1 = app
        .get(&format!("/api/v1/societies/{}", id(&w.sa1)), &app.admin)
        .await
        .json;
    assert_eq!(sa1, w.sa1);
    assert_eq!(app.society_names(&app.admin).await.len(), 4);
    assert_eq!(app.org_names(&app.admin).await.len(), 5);

    // A committee user writes anywhere.
    let c = app.token_for(Role::Committee, None).await;
    app.post(
        "/api/v1/societies",
        &c,
        json!({"name": "委员学会", "party_org_id": w.b1}),
    )
    .await
    .expect(201);
    app.post("/api/v1/societies", &c, json!({"name": "委员无组织学会"}))
        .await
        .expect(201);
    app.patch(
        &format!("/api/v1/societies/{}", id(&w.sa1)),
        &c,
        json!({"party_org_id": w.b1}),
    )
    .await
    .expect(200);
    app.post(
        "/api/v1/party-orgs",
        &c,
        json!({"name": "委员支部", "kind": "branch", "parent_id": w.b}),
    )
    .await
    .expect(201);
    app.delete(&format!("/api/v1/societies/{}", id(&w.su)), &c)
        .await
        .expect(204);
    app.get("/api/v1/users", &c)
        .await
        .expect_error(403, "forbidden");
}

#[tokio::test]
async fn an_org_with_users_cannot_be_deleted() {
    let w = world().await;
    let app = &w.app;
    let root2 = app.org("临时党委", "committee", None).await;
    let temp = app.org("临时支部", "branch", Some(root2)).await;
    let user = app.user("orphan", Role::Branch, Some(temp)).await;
    let token = app
        .issue(
            &user,
            store::SessionKind::Bearer,
            Some(pinned_now() + chrono::Duration::hours(1)),
        )
        .await;
    // An org with users cannot be deleted.
    app.delete(&format!("/api/v1/party-orgs/{temp}"), &app.admin)
        .await
        .expect_error(409, "in_use");
    assert_eq!(app.org_names(&token).await, vec!["临时支部"]);
    assert!(app.society_names(&token).await.is_empty());
}
