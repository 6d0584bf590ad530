//! `GET /stats/coverage` and `GET /checks`.

use serde_json::{json, Value};

use testkit::*;

fn assert_close(actual: &Value, expected: f64) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {actual}"));
    assert!((a - expected).abs() < 1e-9, "{a} != {expected}");
}

#[tokio::test]
async fn empty_registry_has_zero_rates() {
    let app = spawn_app().await;
    let r = app
        .get("/api/v1/stats/coverage", &app.admin)
        .await
        .expect(200);
    for k in [
        "societies",
        "covered",
        "coverage_rate",
        "org_covered",
        "org_coverage_rate",
        "by_coverage",
        "charter_rate",
        "should_establish",
    ] {
        assert!(r.json.get(k).is_some(), "missing {k}: {}", r.json);
    }
    assert_eq!(r.json["societies"], 0);
    assert_eq!(r.json["covered"], 0);
    assert_close(&r.json["coverage_rate"], 0.0);
    assert_close(&r.json["org_coverage_rate"], 0.0);
    assert_close(&r.json["charter_rate"], 0.0);
    assert_eq!(r.json["should_establish"], 0);
    assert_eq!(
        r.json["by_coverage"],
        json!({"own_branch": 0, "joint_branch": 0, "functional_branch": 0, "instructor": 0, "none": 0})
    );
}

#[tokio::test]
async fn figures_count_every_coverage() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    let own = app.org("独立支部", "branch", Some(root)).await;
    let joint = app.org("联合支部", "joint_branch", Some(root)).await;
    let func = app.org("功能支部", "functional_branch", Some(root)).await;
    // 8 societies: 3 own, 2 joint, 1 functional, 1 instructor, 1 none.
    app.society(
        "独立1",
        Some(own),
        json!({"full_members": 9, "charter_has_party_building": true}),
    )
    .await;
    app.society(
        "独立2",
        Some(own),
        json!({"charter_has_party_building": true}),
    )
    .await;
    app.society("独立3", Some(root), json!({})).await;
    app.society(
        "联合1",
        Some(joint),
        json!({"full_members": 3, "charter_has_party_building": true}),
    )
    .await;
    app.society("联合2", Some(joint), json!({"full_members": 2}))
        .await;
    app.society("功能1", Some(func), json!({"full_members": 4}))
        .await;
    app.society(
        "指导1",
        None,
        json!({"instructor": "王", "charter_has_party_building": true}),
    )
    .await;
    app.society("未覆盖1", None, json!({"full_members": 3}))
        .await;
    // A deleted society counts nowhere.
    let gone = app
        .society(
            "已删除",
            None,
            json!({"full_members": 10, "charter_has_party_building": true}),
        )
        .await;
    app.delete(&format!("/api/v1/societies/{}", gone["id"]), &app.admin)
        .await
        .expect(204);

    let r = app
        .get("/api/v1/stats/coverage", &app.admin)
        .await
        .expect(200);
    assert_eq!(r.json["societies"], 8);
    assert_eq!(r.json["covered"], 7);
    assert_close(&r.json["coverage_rate"], 7.0 / 8.0);
    // 组织覆盖 leaves out the society covered by an instructor only
    assert_eq!(r.json["org_covered"], 6);
    assert_close(&r.json["org_coverage_rate"], 6.0 / 8.0);
    assert_close(&r.json["charter_rate"], 4.0 / 8.0);
    // should_establish: 联合1 (3), 功能1 (4), 未覆盖1 (3).
    assert_eq!(r.json["should_establish"], 3);
    assert_eq!(
        r.json["by_coverage"],
        json!({"own_branch": 3, "joint_branch": 2, "functional_branch": 1, "instructor": 1, "none": 1})
    );
    // The should_establish figure agrees with the list filter.
    let list = app
        .get("/api/v1/societies?should_establish=true", &app.admin)
        .await
        .expect(200);
    assert_eq!(list.json["total"], r.json["should_establish"]);
}

#[tokio::test]
async fn party_org_id_takes_the_subtree() {
    let app = spawn_app().await;
    let root = app.org("党委", "committee", None).await;
    let gb = app.org("总支", "general_branch", Some(root)).await;
    let b1 = app.org("总支下支部", "branch", Some(gb)).await;
    let jb = app.org("总支下联合支部", "joint_branch", Some(b1)).await;
    let b2 = app.org("另一支部", "branch", Some(root)).await;
    app.society(
        "总支直属",
        Some(gb),
        json!({"charter_has_party_building": true}),
    )
    .await;
    app.society("支部学会", Some(b1), json!({})).await;
    app.society("联合学会", Some(jb), json!({"full_members": 5}))
        .await;
    app.society(
        "别处学会",
        Some(b2),
        json!({"charter_has_party_building": true}),
    )
    .await;
    app.society("无组织", None, json!({})).await;

    let r = app
        .get(
            &format!("/api/v1/stats/coverage?party_org_id={gb}"),
            &app.admin,
        )
        .await
        .expect(200);
    assert_eq!(r.json["societies"], 3);
    assert_eq!(r.json["covered"], 3);
    assert_close(&r.json["coverage_rate"], 1.0);
    assert_close(&r.json["charter_rate"], 1.0 / 3.0);
    assert_eq!(r.json["should_establish"], 1);
    assert_eq!(r.json["by_coverage"]["own_branch"], 2);
    assert_eq!(r.json["by_coverage"]["joint_branch"], 1);
    assert_eq!(r.json["by_coverage"]["none"], 0);

    let r = app
        .get(
            &format!("/api/v1/stats/coverage?party_org_id={jb}"),
            &app.admin,
        )
        .await
        .expect(200);
    assert_eq!(r.json["societies"], 1);

    // The whole registry includes the uncovered one.
    let all = app
        .get("/api/v1/stats/coverage", &app.admin)
        .await
        .expect(200);
    assert_eq!(all.json["societies"], 5);
    assert_eq!(all.json["covered"], 4);
    assert_close(&all.json["coverage_rate"], 0.8);

    // A leaf without societies: zeros, not an error.
    let leaf = app.org("空支部", "branch", Some(root)).await;
    let r = app
        .get(
            &format!("/api/v1/stats/coverage?party_org_id={leaf}"),
            &app.admin,
        )
        .await
        .expect(200);
    assert_eq!(r.json["societies"], 0);
    assert_close(&r.json["coverage_rate"], 0.0);

    // Unknown org → 404; not an integer → 422.
    app.get("/api/v1/stats/coverage?party_org_id=9999", &app.admin)
        .await
        .expect_error(404, "not_found");
    app.get("/api/v1/stats/coverage?party_org_id=abc", &app.admin)
        .await
        .expect_field("party_org_id");
}

/// The checks of one rule, as (party_org_id, society_id) pairs.
async fn checks_of(app: &TestApp, token: &str, rule: &str) -> Vec<(Value, Value)> {
    let r = app.get("/api/v1/checks", token).await.expect(200);
    assert_eq!(keys(&r.json), vec!["items"]);
    r.items()
        .iter()
        .filter(|c| c["rule"] == rule)
        .map(|c| (c["party_org_id"].clone(), c["society_id"].clone()))
        .collect()
}

#[tokio::test]
async fn every_rule_fires_for_its_case() {
    let app = spawn_app().await;
    // A root without term or secretary, so it triggers nothing itself.
    let root = app.org("党委", "committee", None).await;

    // joint_branch_too_many_units: 6 societies; a joint branch with 5 is fine.
    let jb6 = app.org("六单位联合支部", "joint_branch", Some(root)).await;
    let jb5 = app.org("五单位联合支部", "joint_branch", Some(root)).await;
    for i in 0..6 {
        app.society(&format!("六联{i}"), Some(jb6), json!({})).await;
    }
    for i in 0..5 {
        app.society(&format!("五联{i}"), Some(jb5), json!({})).await;
    }
    // branch_too_large: 50 full + 1 probationary; exactly 50 is fine.
    let big = app
        .org_with(
            "大支部",
            "branch",
            Some(root),
            json!({"full_members": 50, "probationary_members": 1}),
        )
        .await;
    let fifty = app
        .org_with(
            "五十人支部",
            "branch",
            Some(root),
            json!({"full_members": 45, "probationary_members": 5}),
        )
        .await;
    // term_expired: ended yesterday; term_expiring: today, in 90 days; not in 91 days.
    let expired = app
        .org_with(
            "过期支部",
            "branch",
            Some(root),
            json!({"term_ends_on": day(-1)}),
        )
        .await;
    let ends_today = app
        .org_with(
            "今天届满支部",
            "branch",
            Some(root),
            json!({"term_ends_on": day(0)}),
        )
        .await;
    let expiring = app
        .org_with(
            "将届满支部",
            "branch",
            Some(root),
            json!({"term_ends_on": day(90)}),
        )
        .await;
    let later = app
        .org_with(
            "远期支部",
            "branch",
            Some(root),
            json!({"term_ends_on": day(91)}),
        )
        .await;
    // secretary_standing: joined less than a year before today; exactly a year is fine.
    let young = app
        .org_with(
            "新书记支部",
            "branch",
            Some(root),
            json!({"secretary": "新书记", "secretary_joined_on": "2023-06-16"}),
        )
        .await;
    let year = app
        .org_with(
            "满一年支部",
            "branch",
            Some(root),
            json!({"secretary": "老书记", "secretary_joined_on": "2023-06-15"}),
        )
        .await;
    // uncovered and should_establish.
    let uncovered = app
        .society("未覆盖学会", None, json!({"full_members": 1}))
        .await;
    let should = app
        .society(
            "应建学会",
            None,
            json!({"instructor": "指导员", "full_members": 3}),
        )
        .await;
    let own = app.org("自有支部", "branch", Some(root)).await;
    app.society("独立建制学会", Some(own), json!({"full_members": 40}))
        .await;

    let r = app.get("/api/v1/checks", &app.admin).await.expect(200);
    for c in r.items() {
        assert_eq!(
            keys(c),
            sorted(vec!["rule", "party_org_id", "society_id", "message"]),
            "{c}"
        );
        assert!(c["message"].as_str().is_some_and(|m| !m.is_empty()));
    }

    let org = |id: i64| (json!(id), Value::Null);
    assert_eq!(
        checks_of(&app, &app.admin, "joint_branch_too_many_units").await,
        vec![org(jb6)]
    );
    assert_eq!(
        checks_of(&app, &app.admin, "branch_too_large").await,
        vec![org(big)]
    );
    assert_eq!(
        checks_of(&app, &app.admin, "term_expired").await,
        vec![org(expired)]
    );
    let mut expiring_found = checks_of(&app, &app.admin, "term_expiring").await;
    expiring_found.sort_by_key(|p| p.0.as_i64());
    assert_eq!(expiring_found, vec![org(ends_today), org(expiring)]);
    assert_eq!(
        checks_of(&app, &app.admin, "secretary_standing").await,
        vec![org(young)]
    );
    assert_eq!(
        checks_of(&app, &app.admin, "uncovered").await,
        vec![(Value::Null, uncovered["id"].clone())]
    );
    assert_eq!(
        checks_of(&app, &app.admin, "should_establish").await,
        vec![(Value::Null, should["id"].clone())]
    );
    // Nothing fires for the cases below the thresholds.
    let all = app.get("/api/v1/checks", &app.admin).await.expect(200);
    for quiet in [jb5, fifty, later, year, own, root] {
        assert!(
            !all.items()
                .iter()
                .any(|c| c["party_org_id"] == quiet && c["society_id"].is_null()),
            "org {quiet} should have no check: {}",
            all.json
        );
    }
    // Messages name their subject.
    let msg = all
        .items()
        .iter()
        .find(|c| c["rule"] == "term_expired")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("过期支部"), "{msg}");

    // ?rule= keeps one rule.
    let only = app
        .get("/api/v1/checks?rule=term_expiring", &app.admin)
        .await
        .expect(200);
    assert_eq!(only.items().len(), 2);
    assert!(only.items().iter().all(|c| c["rule"] == "term_expiring"));

    // Fixing the data clears the check.
    app.patch(
        &format!("/api/v1/party-orgs/{expired}"),
        &app.admin,
        json!({"term_ends_on": day(400)}),
    )
    .await
    .expect(200);
    assert!(checks_of(&app, &app.admin, "term_expired").await.is_empty());
}

#[tokio::test]
async fn checks_follow_the_clock() {
    let app = spawn_app().await;
    let token = app.admin_api_token().await;
    let root = app.org("党委", "committee", None).await;
    let org = app
        .org_with(
            "支部",
            "branch",
            Some(root),
            json!({"term_ends_on": day(100)}),
        )
        .await;
    assert!(checks_of(&app, &token, "term_expiring").await.is_empty());
    app.state
        .clock
        .set(pinned_now() + chrono::Duration::days(10));
    assert_eq!(
        checks_of(&app, &token, "term_expiring").await,
        vec![(json!(org), Value::Null)]
    );
    app.state
        .clock
        .set(pinned_now() + chrono::Duration::days(101));
    assert_eq!(
        checks_of(&app, &token, "term_expired").await,
        vec![(json!(org), Value::Null)]
    );
}

#[tokio::test]
async fn an_empty_registry_has_no_checks() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/checks", &app.admin).await.expect(200);
    assert_eq!(r.json, json!({"items": []}));
}
