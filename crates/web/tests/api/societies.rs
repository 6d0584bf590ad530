//! `/societies`: CRUD, derived coverage and should-establish, names, filters.

use serde_json::{json, Value};

use testkit::*;

const SOCIETY_KEYS: [&str; 11] = [
    "id",
    "name",
    "kind",
    "sector",
    "full_members",
    "probationary_members",
    "charter_has_party_building",
    "instructor",
    "party_org_id",
    "coverage",
    "should_establish",
];

fn society_keys() -> Vec<String> {
    sorted(SOCIETY_KEYS.to_vec())
}

#[tokio::test]
async fn crud_happy_path() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    let branch = app.org("市计算机学会党支部", "branch", Some(root)).await;
    let body = json!({"name": "重庆市计算机学会", "kind": "society", "sector": "intelligent_tech",
        "full_members": 12, "probationary_members": 1, "charter_has_party_building": true,
        "instructor": null, "party_org_id": branch});
    let r = app
        .post("/api/v1/societies", &app.admin, body.clone())
        .await
        .expect(201);
    assert_eq!(keys(&r.json), society_keys());
    let id = r.id();
    let mut expected = body.clone();
    expected["id"] = json!(id);
    expected["coverage"] = json!("own_branch");
    expected["should_establish"] = json!(false);
    assert_eq!(r.json, expected);

    let got = app
        .get(&format!("/api/v1/societies/{id}"), &app.admin)
        .await
        .expect(200);
    assert_eq!(got.json, expected);

    let list = app.get("/api/v1/societies", &app.admin).await.expect(200);
    assert_eq!(
        keys(&list.json),
        sorted(vec!["items", "total", "page", "per_page"])
    );
    assert_eq!(list.json["total"], 1);
    assert_eq!(list.json["page"], 1);
    assert_eq!(list.json["per_page"], 50);
    assert_eq!(list.items(), &vec![expected.clone()]);

    // PATCH: absent fields stay; moving off the org with an instructor → instructor coverage.
    let r = app
        .patch(
            &format!("/api/v1/societies/{id}"),
            &app.admin,
            json!({"party_org_id": null, "instructor": "王老师", "sector": "frontier"}),
        )
        .await
        .expect(200);
    let mut after = expected.clone();
    after["party_org_id"] = Value::Null;
    after["instructor"] = json!("王老师");
    after["sector"] = json!("frontier");
    after["coverage"] = json!("instructor");
    after["should_establish"] = json!(true); // 12 full members, no own branch
    assert_eq!(r.json, after);
    assert_eq!(
        app.get(&format!("/api/v1/societies/{id}"), &app.admin)
            .await
            .json,
        after
    );

    app.delete(&format!("/api/v1/societies/{id}"), &app.admin)
        .await
        .expect(204);
    app.get(&format!("/api/v1/societies/{id}"), &app.admin)
        .await
        .expect_error(404, "not_found");
    app.patch(
        &format!("/api/v1/societies/{id}"),
        &app.admin,
        json!({"full_members": 1}),
    )
    .await
    .expect(404);
    app.delete(&format!("/api/v1/societies/{id}"), &app.admin)
        .await
        .expect(404);
    let list = app.get("/api/v1/societies", &app.admin).await.expect(200);
    assert_eq!(list.json["total"], 0);
    assert!(list.items().is_empty());
}

#[tokio::test]
async fn defaults_on_create() {
    let app = spawn_app().await;
    let r = app
        .post("/api/v1/societies", &app.admin, json!({"name": "最小学会"}))
        .await
        .expect(201);
    assert_eq!(r.json["full_members"], 0);
    assert_eq!(r.json["probationary_members"], 0);
    assert_eq!(r.json["charter_has_party_building"], false);
    assert_eq!(r.json["instructor"], Value::Null);
    assert_eq!(r.json["party_org_id"], Value::Null);
    assert_eq!(r.json["coverage"], "none");
    assert_eq!(r.json["should_establish"], false);
    assert!(SOCIETY_KIND.contains(&r.json["kind"].as_str().unwrap()));
    assert!(SECTORS.contains(&r.json["sector"].as_str().unwrap()));
}

const SOCIETY_KIND: [&str; 3] = ["society", "non_enterprise", "foundation"];
const SECTORS: [&str; 5] = [
    "intelligent_tech",
    "life_health",
    "green_low_carbon",
    "frontier",
    "other",
];

#[tokio::test]
async fn every_kind_and_sector_round_trips() {
    let app = spawn_app().await;
    for (i, kind) in SOCIETY_KIND.iter().enumerate() {
        for (j, sector) in SECTORS.iter().enumerate() {
            let s = app
                .society(
                    &format!("学会{i}-{j}"),
                    None,
                    json!({"kind": kind, "sector": sector}),
                )
                .await;
            assert_eq!(s["kind"], *kind);
            assert_eq!(s["sector"], *sector);
        }
    }
    assert_eq!(app.all_societies(&app.admin).await.len(), 15);
}

#[tokio::test]
async fn coverage_follows_the_covering_org() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    let cases = [
        ("committee", "own_branch"),
        ("general_branch", "own_branch"),
        ("branch", "own_branch"),
        ("joint_branch", "joint_branch"),
        ("functional_branch", "functional_branch"),
    ];
    for (kind, coverage) in cases {
        let org = if kind == "committee" {
            root
        } else {
            app.org(&format!("{kind}组织"), kind, Some(root)).await
        };
        // The org decides, with or without an instructor.
        let s = app
            .society(&format!("{kind}学会"), Some(org), json!({}))
            .await;
        assert_eq!(s["coverage"], coverage, "org kind {kind}");
        let s = app
            .society(
                &format!("{kind}带指导员学会"),
                Some(org),
                json!({"instructor": "刘指导员"}),
            )
            .await;
        assert_eq!(s["coverage"], coverage, "org kind {kind} with instructor");
    }
    let s = app
        .society("有指导员学会", None, json!({"instructor": "刘指导员"}))
        .await;
    assert_eq!(s["coverage"], "instructor");
    let s = app.society("无覆盖学会", None, json!({})).await;
    assert_eq!(s["coverage"], "none");
    // A blank instructor is no instructor.
    let s = app
        .society("空指导员学会", None, json!({"instructor": "   "}))
        .await;
    assert_eq!(s["coverage"], "none");
    assert_eq!(s["instructor"], Value::Null);

    // The coverage filter finds each.
    for (cov, n) in [
        ("own_branch", 6),
        ("joint_branch", 2),
        ("functional_branch", 2),
        ("instructor", 1),
        ("none", 2),
    ] {
        let r = app
            .get(&format!("/api/v1/societies?coverage={cov}"), &app.admin)
            .await
            .expect(200);
        assert_eq!(r.json["total"], n, "coverage {cov}");
        assert!(r.items().iter().all(|s| s["coverage"] == cov));
    }
}

#[tokio::test]
async fn should_establish_at_the_threshold() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    let own = app.org("独立支部", "branch", Some(root)).await;
    let joint = app.org("联合支部", "joint_branch", Some(root)).await;
    let two = app
        .society(
            "两名党员",
            None,
            json!({"full_members": 2, "probationary_members": 5}),
        )
        .await;
    assert_eq!(
        two["should_establish"], false,
        "probationary members do not count"
    );
    let three = app
        .society("三名党员", None, json!({"full_members": 3}))
        .await;
    assert_eq!(three["should_establish"], true);
    let three_joint = app
        .society("联合三名", Some(joint), json!({"full_members": 3}))
        .await;
    assert_eq!(three_joint["should_establish"], true);
    let three_instr = app
        .society(
            "指导员三名",
            None,
            json!({"full_members": 3, "instructor": "赵"}),
        )
        .await;
    assert_eq!(three_instr["should_establish"], true);
    let own_many = app
        .society("独立三十名", Some(own), json!({"full_members": 30}))
        .await;
    assert_eq!(own_many["should_establish"], false);

    let r = app
        .get("/api/v1/societies?should_establish=true", &app.admin)
        .await
        .expect(200);
    let mut names: Vec<&str> = r
        .items()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, {
        let mut v = vec!["三名党员", "联合三名", "指导员三名"];
        v.sort();
        v
    });
    assert_eq!(r.json["total"], 3);

    // Crossing the threshold by PATCH flips it.
    let id = two["id"].as_i64().unwrap();
    let r = app
        .patch(
            &format!("/api/v1/societies/{id}"),
            &app.admin,
            json!({"full_members": 3}),
        )
        .await
        .expect(200);
    assert_eq!(r.json["should_establish"], true);
    // Moving under an own branch clears it.
    let r = app
        .patch(
            &format!("/api/v1/societies/{id}"),
            &app.admin,
            json!({"party_org_id": own}),
        )
        .await
        .expect(200);
    assert_eq!(r.json["coverage"], "own_branch");
    assert_eq!(r.json["should_establish"], false);
}

#[tokio::test]
async fn the_establish_threshold_is_configuration() {
    let app = spawn_app_with(domain::Rules {
        establish_threshold: 5,
        ..domain::Rules::default()
    })
    .await;
    let four = app.society("四名", None, json!({"full_members": 4})).await;
    assert_eq!(four["should_establish"], false);
    let five = app.society("五名", None, json!({"full_members": 5})).await;
    assert_eq!(five["should_establish"], true);
}

#[tokio::test]
async fn changing_an_org_kind_updates_its_societies() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    let org = app.org("某支部", "branch", Some(root)).await;
    let other = app.org("别的支部", "branch", Some(root)).await;
    let a = app
        .society("甲", Some(org), json!({"full_members": 4}))
        .await;
    let b = app
        .society("乙", Some(org), json!({"full_members": 1}))
        .await;
    let c = app
        .society("丙", Some(other), json!({"full_members": 4}))
        .await;
    assert_eq!(a["coverage"], "own_branch");

    for (kind, coverage, se_a) in [
        ("joint_branch", "joint_branch", true),
        ("functional_branch", "functional_branch", true),
        ("general_branch", "own_branch", false),
        ("branch", "own_branch", false),
    ] {
        app.patch(
            &format!("/api/v1/party-orgs/{org}"),
            &app.admin,
            json!({"kind": kind}),
        )
        .await
        .expect(200);
        for s in [&a, &b] {
            let got = app
                .get(&format!("/api/v1/societies/{}", s["id"]), &app.admin)
                .await
                .expect(200);
            assert_eq!(got.json["coverage"], coverage, "after kind {kind}");
        }
        let got = app
            .get(&format!("/api/v1/societies/{}", a["id"]), &app.admin)
            .await
            .json;
        assert_eq!(got["should_establish"], se_a, "after kind {kind}");
        // The coverage filter agrees with the stored value.
        let r = app
            .get(
                &format!("/api/v1/societies?coverage={coverage}&party_org_id={org}"),
                &app.admin,
            )
            .await
            .expect(200);
        assert_eq!(r.json["total"], 2, "filter after kind {kind}");
        // Another org's society is untouched.
        let got = app
            .get(&format!("/api/v1/societies/{}", c["id"]), &app.admin)
            .await
            .json;
        assert_eq!(got["coverage"], "own_branch");
    }
}

#[tokio::test]
async fn coverage_and_should_establish_are_read_only() {
    let app = spawn_app().await;
    // Echoing the read-only fields back is accepted and changes nothing.
    let s = app
        .society(
            "只读学会",
            None,
            json!({"coverage": "own_branch", "should_establish": false, "full_members": 3}),
        )
        .await;
    assert_eq!(s["coverage"], "none");
    assert_eq!(s["should_establish"], true);
    let id = s["id"].as_i64().unwrap();
    let mut echo = s.clone();
    echo["coverage"] = json!("joint_branch");
    echo["name"] = json!("只读学会改名");
    let r = app
        .patch(&format!("/api/v1/societies/{id}"), &app.admin, echo)
        .await
        .expect(200);
    assert_eq!(r.json["coverage"], "none");
    assert_eq!(r.json["name"], "只读学会改名");
    assert_eq!(r.json["id"], id);
}

#[tokio::test]
async fn names_are_unique_among_live_societies() {
    let app = spawn_app().await;
    let first = app.society("唯一学会", None, json!({})).await;
    let r = app
        .post("/api/v1/societies", &app.admin, json!({"name": "唯一学会"}))
        .await
        .expect_error(409, "conflict");
    assert!(r.json["error"]["fields"]["name"].is_string());
    app.post(
        "/api/v1/societies",
        &app.admin,
        json!({"name": "  唯一学会 "}),
    )
    .await
    .expect(409);
    let other = app.society("另一学会", None, json!({})).await;
    app.patch(
        &format!("/api/v1/societies/{}", other["id"]),
        &app.admin,
        json!({"name": "唯一学会"}),
    )
    .await
    .expect_error(409, "conflict");
    assert_eq!(
        app.society_names(&app.admin).await,
        sorted(vec!["另一学会", "唯一学会"])
    );
    // Soft delete frees the name.
    app.delete(&format!("/api/v1/societies/{}", first["id"]), &app.admin)
        .await
        .expect(204);
    let again = app.society("唯一学会", None, json!({})).await;
    assert_ne!(again["id"], first["id"]);
    // The deleted one stays deleted.
    app.get(&format!("/api/v1/societies/{}", first["id"]), &app.admin)
        .await
        .expect(404);
    // And a second deletion of the new one frees it again.
    app.delete(&format!("/api/v1/societies/{}", again["id"]), &app.admin)
        .await
        .expect(204);
    app.patch(
        &format!("/api/v1/societies/{}", other["id"]),
        &app.admin,
        json!({"name": "唯一学会"}),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn list_filters() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    let b1 = app.org("一支部", "branch", Some(root)).await;
    let jb = app.org("联合支部", "joint_branch", Some(root)).await;
    app.society(
        "计算机学会",
        Some(b1),
        json!({"sector": "intelligent_tech", "full_members": 5}),
    )
    .await;
    app.society(
        "人工智能学会",
        Some(jb),
        json!({"sector": "intelligent_tech", "full_members": 5}),
    )
    .await;
    app.society(
        "医学基金会",
        None,
        json!({"kind": "foundation", "sector": "life_health"}),
    )
    .await;
    app.society(
        "环保研究院",
        None,
        json!({"kind": "non_enterprise", "sector": "green_low_carbon", "instructor": "周"}),
    )
    .await;
    app.society("100%_特殊", None, json!({})).await;

    let names = |r: Resp| -> Vec<String> {
        let mut v: Vec<String> = r
            .items()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        assert_eq!(r.json["total"], v.len() as i64);
        v
    };
    let q = |s: &str| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    let get = |uri: String| {
        let app = &app;
        async move { app.get(&uri, &app.admin).await.expect(200) }
    };
    assert_eq!(
        names(get(format!("/api/v1/societies?q={}", q("学会"))).await),
        sorted(vec!["人工智能学会", "计算机学会"])
    );
    // LIKE wildcards in q are literal.
    assert_eq!(
        names(get(format!("/api/v1/societies?q={}", q("%_"))).await),
        sorted(vec!["100%_特殊"])
    );
    assert_eq!(
        names(get("/api/v1/societies?kind=foundation".into()).await),
        sorted(vec!["医学基金会"])
    );
    assert_eq!(
        names(get("/api/v1/societies?sector=intelligent_tech".into()).await),
        sorted(vec!["人工智能学会", "计算机学会"])
    );
    assert_eq!(
        names(get(format!("/api/v1/societies?party_org_id={jb}")).await),
        sorted(vec!["人工智能学会"])
    );
    assert_eq!(
        names(get("/api/v1/societies?should_establish=true".into()).await),
        sorted(vec!["人工智能学会"])
    );
    assert_eq!(
        names(get("/api/v1/societies?coverage=instructor".into()).await),
        sorted(vec!["环保研究院"])
    );
    // Filters combine.
    assert_eq!(
        names(get("/api/v1/societies?sector=intelligent_tech&coverage=own_branch".into()).await),
        sorted(vec!["计算机学会"])
    );
    assert!(names(get("/api/v1/societies?kind=foundation&sector=other".into()).await).is_empty());

    // Unknown values are 422 naming the parameter.
    for (param, value) in [
        ("kind", "club"),
        ("sector", "space"),
        ("coverage", "partial"),
        ("should_establish", "maybe"),
        ("party_org_id", "x"),
        ("page", "first"),
    ] {
        app.get(&format!("/api/v1/societies?{param}={value}"), &app.admin)
            .await
            .expect_field(param);
    }

    // Paging over societies.
    let p = get("/api/v1/societies?per_page=2&page=3".into()).await;
    assert_eq!(p.json["total"], 5);
    assert_eq!(p.items().len(), 1);
    assert_eq!(p.json["page"], 3);
    assert_eq!(p.json["per_page"], 2);
}

#[tokio::test]
async fn a_missing_covering_org_is_422() {
    let app = spawn_app().await;
    app.post(
        "/api/v1/societies",
        &app.admin,
        json!({"name": "孤立学会", "party_org_id": 4242}),
    )
    .await
    .expect_field("party_org_id");
    // A deleted org cannot cover anything either.
    let root = app.org("党委", "committee", None).await;
    let gone = app.org("已撤销支部", "branch", Some(root)).await;
    app.delete(&format!("/api/v1/party-orgs/{gone}"), &app.admin)
        .await
        .expect(204);
    app.post(
        "/api/v1/societies",
        &app.admin,
        json!({"name": "孤立学会", "party_org_id": gone}),
    )
    .await
    .expect_field("party_org_id");
    assert!(app.society_names(&app.admin).await.is_empty());
}

#[tokio::test]
async fn deleted_societies_leave_lists_and_filters() {
    let app = spawn_app().await;
    let a = app.society("留下", None, json!({"full_members": 4})).await;
    let b = app.society("删掉", None, json!({"full_members": 4})).await;
    app.delete(&format!("/api/v1/societies/{}", b["id"]), &app.admin)
        .await
        .expect(204);
    for uri in [
        "/api/v1/societies",
        "/api/v1/societies?should_establish=true",
        "/api/v1/societies?coverage=none",
    ] {
        let r = app.get(uri, &app.admin).await.expect(200);
        assert_eq!(r.json["total"], 1, "{uri}");
        assert_eq!(r.items()[0]["id"], a["id"]);
    }
}
