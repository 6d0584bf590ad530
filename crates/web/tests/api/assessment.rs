//! M6: schemes and their indicator trees, each of the seven metrics against a
//! hand-computed reference on a small tree, manual scores and overrides with their reasons,
//! grade overrides, finalize freezing the scores while the records change afterwards, 409
//! after finalize, the grade history's order, and scope.

use domain::Role;
use serde_json::{json, Value};

use testkit::*;

/// A committee with branch A (A1 under it) and branch B; today is 2024-06-15.
struct World {
    app: TestApp,
    root: i64,
    a: i64,
    a1: i64,
    b: i64,
}

async fn world() -> World {
    let app = TestApp::builder().spawn().await;
    let root = app.org("科技社团党委", "committee", None).await;
    let a = app.org("甲学会党支部", "branch", Some(root)).await;
    let a1 = app.org("甲学会第一党支部", "branch", Some(a)).await;
    let b = app.org("乙学会党支部", "branch", Some(root)).await;
    World {
        app,
        root,
        a,
        a1,
        b,
    }
}

/// One leaf per metric and one manual leaf, under three roots summing to 100.
fn scheme() -> Value {
    json!({
        "year": 2024, "title": "2024年度党支部工作考核",
        "thresholds": {"A": 90, "B": 75},
        "indicators": [
            {"id": 1, "parent_id": null, "name": "组织建设", "points": 40},
            {"id": 11, "parent_id": 1, "name": "党建入章", "points": 10, "method": "auto", "metric": "charter_rate"},
            {"id": 12, "parent_id": 1, "name": "三会一课落实", "points": 20, "method": "auto", "metric": "compliance_rate"},
            {"id": 13, "parent_id": 1, "name": "活动质量", "points": 10, "method": "manual"},
            {"id": 2, "parent_id": null, "name": "工作落实", "points": 45},
            {"id": 21, "parent_id": 2, "name": "任务按时完成", "points": 15, "method": "auto", "metric": "task_rate"},
            {"id": 22, "parent_id": 2, "name": "整改按时销号", "points": 10, "method": "auto", "metric": "rectification_rate"},
            {"id": 23, "parent_id": 2, "name": "报表按时报送", "points": 10, "method": "auto", "metric": "report_rate"},
            {"id": 24, "parent_id": 2, "name": "培训学时达标", "points": 10, "method": "auto", "metric": "training_rate"},
            {"id": 3, "parent_id": null, "name": "专项行动", "points": 15, "method": "auto", "metric": "campaign_rate"}
        ]
    })
}

/// The stored id of the indicator named `name`.
fn ind(s: &Value, name: &str) -> i64 {
    s["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
        .unwrap_or_else(|| panic!("no indicator {name}: {s}"))["id"]
        .as_i64()
        .unwrap()
}

fn item(list: &Value, org: i64) -> Value {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["party_org_id"] == org)
        .unwrap_or_else(|| panic!("no org {org}: {list}"))
        .clone()
}

fn score(a: &Value, indicator: i64) -> Value {
    a["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["indicator_id"] == indicator)
        .unwrap_or_else(|| panic!("no indicator {indicator}: {a}"))
        .clone()
}

/// `(score, numerator, denominator)` of an auto leaf.
fn auto(a: &Value, indicator: i64) -> (f64, i64, i64) {
    let s = score(a, indicator);
    (
        s["score"].as_f64().unwrap(),
        s["basis"]["numerator"].as_i64().unwrap(),
        s["basis"]["denominator"].as_i64().unwrap(),
    )
}

impl World {
    async fn list(&self, scheme: i64, token: &str) -> Value {
        self.app
            .get(&format!("/api/v1/assessments?scheme_id={scheme}"), token)
            .await
            .expect(200)
            .json
    }

    async fn one(&self, scheme: i64, org: i64) -> Value {
        let r = self
            .app
            .get(
                &format!("/api/v1/assessments?scheme_id={scheme}&party_org_id={org}"),
                &self.app.admin,
            )
            .await
            .expect(200)
            .json;
        assert_eq!(r["total"], 1, "{r}");
        r["items"][0].clone()
    }

    async fn activity(&self, org: i64, held_on: &str) {
        self.app
            .post(
                "/api/v1/activities",
                &self.app.admin,
                json!({"party_org_id": org, "kind": "theme_day", "held_on": held_on,
                       "topic": "主题党日", "attendees_expected": 10, "attendees_present": 9}),
            )
            .await
            .expect(201);
    }

    /// The records behind each metric, as the reference in `every_metric_...` counts them.
    async fn records(&self) {
        let app = &self.app;
        let admin = &app.admin;
        let (a, a1, b) = (self.a, self.a1, self.b);
        // charter: A 1 of 1 with 党建入章, A1 1 of 2, B none
        app.society(
            "甲学会",
            Some(a),
            json!({"charter_has_party_building": true}),
        )
        .await;
        app.society(
            "甲一学会",
            Some(a1),
            json!({"charter_has_party_building": false}),
        )
        .await;
        app.society(
            "甲二学会",
            Some(a1),
            json!({"charter_has_party_building": true}),
        )
        .await;
        // compliance: one obligation, a theme day every month; Jan–May are over
        let obligations = app.get("/api/v1/obligations", admin).await.expect(200).json;
        for o in obligations["items"].as_array().unwrap() {
            app.delete(&format!("/api/v1/obligations/{}", o["id"]), admin)
                .await
                .expect(204);
        }
        app.post(
            "/api/v1/obligations",
            admin,
            json!({"kind": "theme_day", "period": "month", "org_kinds": ["branch"]}),
        )
        .await
        .expect(201);
        for d in ["2024-01-10", "2024-02-10", "2024-03-10"] {
            self.activity(a, d).await;
        }
        self.activity(a1, "2024-01-12").await;
        // tasks: due in 5 days to A, A1, B (A accepted, A1 reported only); due 5 days ago to
        // A (reported today: late, accepted); due in 2023 to B (not this year's)
        let t1 = app
            .post(
                "/api/v1/tasks",
                admin,
                json!({"title": "开展主题教育", "description": "按方案开展", "issued_on": day(-30),
                       "due_on": day(5), "party_org_ids": [a, a1, b]}),
            )
            .await
            .expect(201)
            .json;
        let t2 = app
            .post(
                "/api/v1/tasks",
                admin,
                json!({"title": "报送学习计划", "description": "", "issued_on": day(-30),
                       "due_on": day(-5), "party_org_ids": [a]}),
            )
            .await
            .expect(201)
            .json;
        app.post(
            "/api/v1/tasks",
            admin,
            json!({"title": "上年任务", "description": "", "issued_on": "2023-11-01",
                   "due_on": "2023-12-01", "party_org_ids": [b]}),
        )
        .await
        .expect(201);
        let assignment = |t: &Value, org: i64| {
            t["assignments"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["party_org_id"] == org)
                .unwrap()["id"]
                .as_i64()
                .unwrap()
        };
        let committee = app.token_for(Role::Committee, None).await;
        for (id, accept) in [
            (assignment(&t1, a), true),
            (assignment(&t1, a1), false),
            (assignment(&t2, a), true),
        ] {
            app.post(
                &format!("/api/v1/assignments/{id}/reports"),
                admin,
                json!({"progress": 100, "text": "已完成"}),
            )
            .await
            .expect(201);
            if accept {
                app.post(
                    &format!("/api/v1/assignments/{id}/review"),
                    &committee,
                    json!({"decision": "accept", "comment": "同意"}),
                )
                .await
                .expect(200);
            }
        }
        // rectifications: A's verified on time, B's still open
        let inspector = app.token_for(Role::Inspector, None).await;
        let mut rects = Vec::new();
        for org in [a, b] {
            let f = app
                .post(
                    "/api/v1/findings",
                    admin,
                    json!({"source": "self_check", "party_org_id": org, "description": "记录不全",
                           "severity": "minor", "found_on": day(-10), "due_on": day(10)}),
                )
                .await
                .expect(201)
                .json;
            rects.push(f["rectification"]["id"].as_i64().unwrap());
        }
        app.post(
            &format!("/api/v1/rectifications/{}/submit", rects[0]),
            admin,
            json!({"response": "已补齐"}),
        )
        .await
        .expect(200);
        app.post(
            &format!("/api/v1/rectifications/{}/verify", rects[0]),
            &inspector,
            json!({"decision": "verify", "comment": "属实"}),
        )
        .await
        .expect(200);
        // reports: a monthly form from May; A submits May (late) and June (on time), B June
        let form = app
            .post(
                "/api/v1/report-forms",
                admin,
                json!({"title": "党建工作月报", "period": "month", "due_days": 10,
                       "applies_to": "party_orgs", "org_kinds": ["branch"], "active_from": "2024-05-01",
                       "fields": [{"key": "notes", "label": "说明", "type": "text"}]}),
            )
            .await
            .expect(201)
            .id();
        for (org, period) in [(a, "2024-05"), (a, "2024-06"), (b, "2024-06")] {
            let s = app
                .post(
                    "/api/v1/report-submissions",
                    admin,
                    json!({"form_id": form, "period": period, "party_org_id": org, "values": {}}),
                )
                .await
                .expect(201)
                .id();
            app.post(
                &format!("/api/v1/report-submissions/{s}/submit"),
                admin,
                json!({}),
            )
            .await
            .expect(200);
        }
        // training: A's secretary has the year's 56 hours, A1's has none, B has nobody
        let holder = |org: i64, name: &str| json!({"name": name, "party_org_id": org, "position": "secretary", "since": "2020-01-01"});
        let ha = app
            .post("/api/v1/office-holders", admin, holder(a, "张明"))
            .await
            .expect(201)
            .id();
        app.post("/api/v1/office-holders", admin, holder(a1, "李华"))
            .await
            .expect(201);
        let course = app
            .post(
                "/api/v1/courses",
                admin,
                json!({"title": "党支部书记培训班", "kind": "class", "organizer": "市科协",
                       "starts_on": "2024-05-20", "ends_on": "2024-05-24", "hours": 56}),
            )
            .await
            .expect(201)
            .id();
        app.post(
            &format!("/api/v1/courses/{course}/attendance"),
            admin,
            json!({"office_holder_id": ha}),
        )
        .await
        .expect(201);
        // campaigns: two overlap 2024 (A1 takes part in one), one is 2023's
        let mut campaigns = Vec::new();
        for (starts, ends) in [
            ("2024-05-01", "2024-07-31"),
            ("2024-01-01", "2024-03-31"),
            ("2023-03-01", "2023-05-31"),
        ] {
            campaigns.push(
                app.post(
                    "/api/v1/campaigns",
                    admin,
                    json!({"title": format!("专项行动{starts}"), "kind": "other", "starts_on": starts,
                           "ends_on": ends, "target": 10}),
                )
                .await
                .expect(201)
                .id(),
            );
        }
        app.post(
            &format!("/api/v1/campaigns/{}/participants", campaigns[0]),
            admin,
            json!({"party_org_id": a1, "joined_on": "2024-05-10", "place": "花园路社区"}),
        )
        .await
        .expect(201);
        // and B in 2023's, which does not count for 2024
        app.post(
            &format!("/api/v1/campaigns/{}/participants", campaigns[2]),
            admin,
            json!({"party_org_id": b, "joined_on": "2023-03-10", "place": "花园路社区"}),
        )
        .await
        .expect(201);
    }
}

#[tokio::test]
async fn every_metric_matches_a_hand_computed_reference_over_the_subtree() {
    let w = world().await;
    w.records().await;
    let app = &w.app;
    let s = app
        .post("/api/v1/assessment-schemes", &app.admin, scheme())
        .await
        .expect(201)
        .json;
    assert_eq!(s["state"], "open");
    assert_eq!(
        s["org_kinds"],
        json!([
            "branch",
            "joint_branch",
            "functional_branch",
            "general_branch"
        ])
    );
    let id = s["id"].as_i64().unwrap();
    let [charter, compliance, manual, task, rect, report, training, campaign] = [
        "党建入章",
        "三会一课落实",
        "活动质量",
        "任务按时完成",
        "整改按时销号",
        "报表按时报送",
        "培训学时达标",
        "专项行动",
    ]
    .map(|n| ind(&s, n));
    let list = w.list(id, &app.admin).await;
    // the committee is not of the scheme's kinds
    assert_eq!(list["total"], 3, "{list}");
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["party_org_id"] != w.root));
    // A with A1 below it
    let a = item(&list, w.a);
    assert_eq!(auto(&a, charter), (6.7, 2, 3), "10 × 2/3");
    assert_eq!(auto(&a, compliance), (8.0, 4, 10), "20 × 4/10");
    assert_eq!(auto(&a, task), (5.0, 1, 3), "15 × 1/3");
    assert_eq!(auto(&a, rect), (10.0, 1, 1));
    assert_eq!(auto(&a, report), (2.5, 1, 4), "10 × 1/4");
    assert_eq!(auto(&a, training), (5.0, 1, 2));
    assert_eq!(
        auto(&a, campaign),
        (7.5, 1, 2),
        "A1's campaign counts for A"
    );
    let m = score(&a, manual);
    assert_eq!(m["source"], "manual");
    assert_eq!(m["score"], Value::Null);
    assert_eq!(m["basis"], Value::Null);
    assert_eq!(a["total"], 44.7);
    assert_eq!(a["complete"], false);
    assert_eq!(a["suggested_grade"], "C");
    assert_eq!(a["grade"], "C");
    // A1 alone
    let a1 = item(&list, w.a1);
    assert_eq!(auto(&a1, charter), (5.0, 1, 2));
    assert_eq!(auto(&a1, compliance), (4.0, 1, 5));
    assert_eq!(auto(&a1, task), (0.0, 0, 1));
    assert_eq!(
        auto(&a1, rect),
        (10.0, 0, 0),
        "nothing to count: full points"
    );
    assert_eq!(auto(&a1, report), (0.0, 0, 2));
    assert_eq!(auto(&a1, training), (0.0, 0, 1));
    assert_eq!(auto(&a1, campaign), (7.5, 1, 2));
    assert_eq!(a1["total"], 26.5);
    // B: no societies and nobody to train score full points
    let b = item(&list, w.b);
    assert_eq!(auto(&b, charter), (10.0, 0, 0));
    assert_eq!(auto(&b, compliance), (0.0, 0, 5));
    assert_eq!(auto(&b, task), (0.0, 0, 1), "2023's task is not counted");
    assert_eq!(auto(&b, rect), (0.0, 0, 1));
    assert_eq!(auto(&b, report), (5.0, 1, 2));
    assert_eq!(auto(&b, training), (10.0, 0, 0));
    assert_eq!(
        auto(&b, campaign),
        (0.0, 0, 2),
        "2023's campaign is not counted"
    );
    assert_eq!(b["total"], 25.0);
    // the ledgers behind the explanation list exactly the records counted for A's subtree
    for (url, n) in [
        (format!("/api/v1/societies?under={}", w.a), 3),
        (
            format!(
                "/api/v1/assignments?under={}&from=2024-01-01&to=2024-12-31",
                w.a
            ),
            3,
        ),
        (
            format!(
                "/api/v1/assignments?under={}&from=2024-01-01&to=2024-12-31&late=true",
                w.a
            ),
            1,
        ),
        (
            format!(
                "/api/v1/rectifications?under={}&due_from=2024-01-01&due_to=2024-12-31",
                w.a
            ),
            1,
        ),
        (format!("/api/v1/assignments?under={}", w.b), 2),
        (format!("/api/v1/societies?under={}", w.a1), 2),
    ] {
        app.expect_total(&url, &app.admin, n).await;
    }
    // one org read alone agrees with the whole list
    for org in [w.a, w.a1, w.b] {
        let one = w.one(id, org).await;
        assert_eq!(one, item(&list, org));
    }
    // a met record only raises a score: B holds January's theme day
    w.activity(w.b, "2024-01-20").await;
    let b = w.one(id, w.b).await;
    assert_eq!(auto(&b, compliance), (4.0, 1, 5));
    assert_eq!(b["total"], 29.0);
    // and the list sees it too, after the write
    assert_eq!(item(&w.list(id, &app.admin).await, w.b)["total"], 29.0);
}

#[tokio::test]
async fn the_tree_is_checked_and_only_the_admin_designs_schemes() {
    let w = world().await;
    let app = &w.app;
    let committee = app.token_for(Role::Committee, None).await;
    app.post("/api/v1/assessment-schemes", &committee, scheme())
        .await
        .expect_error(403, "forbidden");
    let bad = |path: &str, v: Value| {
        let mut s = scheme();
        let mut cur = &mut s;
        let parts: Vec<&str> = path.split('.').collect();
        for (i, p) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            let next = match p.parse::<usize>() {
                Ok(n) => &mut cur[n],
                Err(_) => &mut cur[*p],
            };
            if last {
                *next = v.clone();
                break;
            }
            cur = next;
        }
        s
    };
    for (body, field) in [
        // a child changes: its parent no longer sums
        (
            bad("indicators.1.points", json!(12)),
            "indicators[0].points",
        ),
        // the roots no longer sum to 100
        (bad("indicators.9.points", json!(10)), "indicators"),
        (
            bad("indicators.9.metric", json!("speech_rate")),
            "indicators[9].metric",
        ),
        (
            bad("indicators.9.method", json!(null)),
            "indicators[9].method",
        ),
        (
            bad("indicators.1.parent_id", json!(77)),
            "indicators[1].parent_id",
        ),
        (
            bad("indicators.1.points", json!(0.25)),
            "indicators[1].points",
        ),
        (bad("thresholds.B", json!(95)), "thresholds.B"),
        (bad("year", json!("2024")), "year"),
        (bad("title", json!(" ")), "title"),
        (bad("org_kinds", json!(["branch", "club"])), "org_kinds[1]"),
    ] {
        app.post("/api/v1/assessment-schemes", &app.admin, body)
            .await
            .expect_field(field);
    }
    app.expect_total("/api/v1/assessment-schemes", &app.admin, 0)
        .await;
    // defaults: thresholds from the rules
    let mut body = scheme();
    body.as_object_mut().unwrap().remove("thresholds");
    let s = app
        .post("/api/v1/assessment-schemes", &app.admin, body)
        .await
        .expect(201)
        .json;
    assert_eq!(s["thresholds"], json!({"A": 90.0, "B": 75.0}));
    let id = s["id"].as_i64().unwrap();
    // a PATCH keeps an indicator sent with its stored id, and its scores
    let manual = ind(&s, "活动质量");
    app.put(
        &format!("/api/v1/assessments/{id}/scores"),
        &committee,
        json!({"party_org_id": w.a, "indicator_id": manual, "score": 8, "comment": "活动扎实"}),
    )
    .await
    .expect(200);
    let mut tree = s["indicators"].as_array().unwrap().clone();
    for i in &mut tree {
        if i["name"] == "活动质量" {
            i["name"] = json!("活动质量与特色");
        }
    }
    let s2 = app
        .patch(
            &format!("/api/v1/assessment-schemes/{id}"),
            &app.admin,
            json!({"indicators": tree, "thresholds": {"A": 85, "B": 70}}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(ind(&s2, "活动质量与特色"), manual);
    assert_eq!(s2["thresholds"]["A"], 85.0);
    let a = w.one(id, w.a).await;
    assert_eq!(score(&a, manual)["score"], 8.0);
    // a field the scheme does not have, or a read-only one
    app.patch(
        &format!("/api/v1/assessment-schemes/{id}"),
        &app.admin,
        json!({"state": "final"}),
    )
    .await
    .expect_field("state");
    let audit = app
        .get(
            &format!("/api/v1/audit?entity=assessment_scheme&entity_id={id}"),
            &app.admin,
        )
        .await
        .expect(200);
    assert_eq!(
        audit.items().len(),
        3,
        "create, score, update: {}",
        audit.json
    );
}

#[tokio::test]
async fn manual_scores_overrides_and_grades_need_their_reasons() {
    let w = world().await;
    w.records().await;
    let app = &w.app;
    let s = app
        .post("/api/v1/assessment-schemes", &app.admin, scheme())
        .await
        .expect(201)
        .json;
    let id = s["id"].as_i64().unwrap();
    let (manual, compliance) = (ind(&s, "活动质量"), ind(&s, "三会一课落实"));
    let committee = app.token_for(Role::Committee, None).await;
    let branch = app.token_for(Role::Branch, Some(w.a)).await;
    let url = format!("/api/v1/assessments/{id}/scores");
    let put = |body: Value| app.put(&url, &committee, body);
    for token in [&branch, &app.token_for(Role::Viewer, None).await] {
        app.put(
            &url,
            token,
            json!({"party_org_id": w.a, "indicator_id": manual, "score": 5}),
        )
        .await
        .expect_error(403, "forbidden");
    }
    for (body, field) in [
        (
            json!({"party_org_id": w.a, "indicator_id": manual, "score": 10.5}),
            "score",
        ),
        (
            json!({"party_org_id": w.a, "indicator_id": manual, "score": -1}),
            "score",
        ),
        (
            json!({"party_org_id": w.a, "indicator_id": manual, "score": 2.25}),
            "score",
        ),
        (
            json!({"party_org_id": w.a, "indicator_id": compliance, "score": 15}),
            "comment",
        ),
        (
            json!({"party_org_id": w.a, "indicator_id": compliance, "score": 15, "comment": "  "}),
            "comment",
        ),
        (
            json!({"party_org_id": w.a, "indicator_id": 99999, "score": 1}),
            "indicator_id",
        ),
        (
            json!({"party_org_id": w.root, "indicator_id": manual, "score": 1}),
            "party_org_id",
        ),
        (
            json!({"party_org_id": 99999, "indicator_id": manual, "score": 1}),
            "party_org_id",
        ),
        (json!({"indicator_id": manual, "score": 1}), "party_org_id"),
        (
            json!({"party_org_id": w.a, "indicator_id": manual, "score": "8"}),
            "score",
        ),
    ] {
        put(body).await.expect_field(field);
    }
    let before = w.one(id, w.a).await;
    assert_eq!(before["total"], 44.7);
    // a manual score completes A
    let a = put(
        json!({"party_org_id": w.a, "indicator_id": manual, "score": 9.5, "comment": "活动扎实"}),
    )
    .await
    .expect(200)
    .json;
    assert_eq!(score(&a, manual)["score"], 9.5);
    assert_eq!(score(&a, manual)["comment"], "活动扎实");
    assert_eq!(a["total"], 54.2);
    assert_eq!(a["complete"], true);
    // an override keeps what was computed beside it
    let a = put(json!({"party_org_id": w.a, "indicator_id": compliance, "score": 20, "comment": "补录会议记录后全部落实"}))
        .await
        .expect(200)
        .json;
    let c = score(&a, compliance);
    assert_eq!(c["source"], "override");
    assert_eq!(c["computed"], 8.0);
    assert_eq!(c["score"], 20.0);
    assert_eq!(c["basis"]["numerator"], 4);
    assert_eq!(a["total"], 66.2);
    // removing the override gives the computed score back
    let a = put(json!({"party_org_id": w.a, "indicator_id": compliance, "score": null}))
        .await
        .expect(200)
        .json;
    assert_eq!(score(&a, compliance)["source"], "auto");
    assert_eq!(a["total"], 54.2);
    // grades: another than the suggested one needs a reason
    let gurl = format!("/api/v1/assessments/{id}/grades");
    app.put(
        &gurl,
        &committee,
        json!({"party_org_id": w.a, "grade": "A"}),
    )
    .await
    .expect_field("reason");
    app.put(
        &gurl,
        &committee,
        json!({"party_org_id": w.a, "grade": "D", "reason": "x"}),
    )
    .await
    .expect_field("grade");
    let same = app
        .put(
            &gurl,
            &committee,
            json!({"party_org_id": w.a, "grade": "C"}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(same["grade"], "C");
    let a = app
        .put(
            &gurl,
            &committee,
            json!({"party_org_id": w.a, "grade": "B", "reason": "承担全市科技志愿服务试点，成效突出"}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(a["suggested_grade"], "C");
    assert_eq!(a["grade"], "B");
    assert_eq!(a["grade_reason"], "承担全市科技志愿服务试点，成效突出");
    // filters: by grade, under an org, sorted by total
    let r = app
        .get(
            &format!("/api/v1/assessments?scheme_id={id}&grade=B"),
            &app.admin,
        )
        .await
        .expect(200)
        .json;
    assert_eq!(r["total"], 1);
    let r = app
        .get(
            &format!(
                "/api/v1/assessments?scheme_id={id}&under={}&sort=-total",
                w.a
            ),
            &app.admin,
        )
        .await
        .expect(200)
        .json;
    let totals: Vec<f64> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["total"].as_f64().unwrap())
        .collect();
    assert_eq!(totals, vec![54.2, 26.5]);
    app.get(
        &format!("/api/v1/assessments?scheme_id={id}&sort=name"),
        &app.admin,
    )
    .await
    .expect_field("sort");
    app.get("/api/v1/assessments", &app.admin)
        .await
        .expect_field("scheme_id");
    app.get("/api/v1/assessments?scheme_id=99999", &app.admin)
        .await
        .expect(404);
}

#[tokio::test]
async fn finalize_freezes_scores_writes_the_grades_and_refuses_changes_after() {
    let w = world().await;
    w.records().await;
    let app = &w.app;
    let s = app
        .post("/api/v1/assessment-schemes", &app.admin, scheme())
        .await
        .expect(201)
        .json;
    let id = s["id"].as_i64().unwrap();
    let (manual, compliance) = (ind(&s, "活动质量"), ind(&s, "三会一课落实"));
    let committee = app.token_for(Role::Committee, None).await;
    app.put(
        &format!("/api/v1/assessments/{id}/grades"),
        &committee,
        json!({"party_org_id": w.a, "grade": "B", "reason": "试点成效突出"}),
    )
    .await
    .expect(200);
    // an earlier grade set by hand
    app.patch(
        &format!("/api/v1/party-orgs/{}", w.b),
        &app.admin,
        json!({"grade": "A"}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/assessment-schemes/{id}/finalize"),
        &committee,
        json!({}),
    )
    .await
    .expect_error(403, "forbidden");
    let before = w.list(id, &app.admin).await;
    let f = app
        .post(
            &format!("/api/v1/assessment-schemes/{id}/finalize"),
            &app.admin,
            json!({}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(f["state"], "final");
    // the records change afterwards; the frozen scores do not move
    w.activity(w.b, "2024-02-20").await;
    w.activity(w.b, "2024-03-20").await;
    let after = w.list(id, &app.admin).await;
    assert_eq!(after["items"], before["items"]);
    assert_eq!(auto(&item(&after, w.b), compliance), (0.0, 0, 5));
    assert_eq!(w.one(id, w.b).await, item(&before, w.b));
    // every change is refused
    for r in [
        app.put(
            &format!("/api/v1/assessments/{id}/scores"),
            &committee,
            json!({"party_org_id": w.a, "indicator_id": manual, "score": 5}),
        )
        .await,
        app.put(
            &format!("/api/v1/assessments/{id}/grades"),
            &committee,
            json!({"party_org_id": w.a, "grade": null}),
        )
        .await,
        app.patch(
            &format!("/api/v1/assessment-schemes/{id}"),
            &app.admin,
            json!({"title": "改名"}),
        )
        .await,
        app.post(
            &format!("/api/v1/assessment-schemes/{id}/finalize"),
            &app.admin,
            json!({}),
        )
        .await,
    ] {
        r.expect(409);
    }
    // the grades are the orgs' current grades now
    let org = app
        .get(&format!("/api/v1/party-orgs/{}", w.a), &app.admin)
        .await
        .expect(200)
        .json;
    assert_eq!(org["grade"], "B");
    let org = app
        .get(&format!("/api/v1/party-orgs/{}", w.b), &app.admin)
        .await
        .expect(200)
        .json;
    assert_eq!(org["grade"], "C");
    // and in the history, newest first: a later manual change on top
    app.patch(
        &format!("/api/v1/party-orgs/{}", w.a),
        &app.admin,
        json!({"grade": "A", "grade_reason": "x".repeat(2001)}),
    )
    .await
    .expect_field("grade_reason");
    app.patch(
        &format!("/api/v1/party-orgs/{}", w.a),
        &app.admin,
        json!({"grade": "A", "grade_reason": "年中复核，整改全部完成"}),
    )
    .await
    .expect(200);
    let h = app
        .get(&format!("/api/v1/party-orgs/{}/grades", w.a), &app.admin)
        .await
        .expect(200)
        .json;
    let items = h["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{h}");
    assert_eq!(items[0]["source"], "manual");
    assert_eq!(items[0]["grade"], "A");
    assert_eq!(items[0]["reason"], "年中复核，整改全部完成");
    assert_eq!(items[0]["scheme_id"], Value::Null);
    assert_eq!(items[1]["source"], "assessment");
    assert_eq!(items[1]["grade"], "B");
    assert_eq!(items[1]["reason"], "试点成效突出");
    assert_eq!(items[1]["scheme_id"], id);
    assert_eq!(items[1]["since"], today().to_string());
    assert_eq!(items[1]["by"], "admin");
    let h = app
        .get(&format!("/api/v1/party-orgs/{}/grades", w.b), &app.admin)
        .await
        .expect(200)
        .json;
    let grades: Vec<&str> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["grade"].as_str().unwrap())
        .collect();
    assert_eq!(grades, vec!["C", "A"]);
}

#[tokio::test]
async fn a_branch_sees_its_own_subtree_s_assessments_only() {
    let w = world().await;
    let app = &w.app;
    let id = app
        .post("/api/v1/assessment-schemes", &app.admin, scheme())
        .await
        .expect(201)
        .id();
    let branch_a = app.token_for(Role::Branch, Some(w.a)).await;
    let branch_b = app.token_for(Role::Branch, Some(w.b)).await;
    let mine = w.list(id, &branch_a).await;
    let orgs: Vec<i64> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["party_org_id"].as_i64().unwrap())
        .collect();
    assert_eq!(orgs, vec![w.a, w.a1]);
    app.get(
        &format!("/api/v1/assessments?scheme_id={id}&party_org_id={}", w.a),
        &branch_b,
    )
    .await
    .expect(404);
    app.get(
        &format!("/api/v1/assessments?scheme_id={id}&party_org_id=99999"),
        &branch_b,
    )
    .await
    .expect_field("party_org_id");
    // a committee is not assessed: no item, no error
    app.expect_total(
        &format!("/api/v1/assessments?scheme_id={id}&party_org_id={}", w.root),
        &app.admin,
        0,
    )
    .await;
    app.get(&format!("/api/v1/party-orgs/{}/grades", w.a), &branch_b)
        .await
        .expect(404);
    app.get(&format!("/api/v1/party-orgs/{}/grades", w.a), &branch_a)
        .await
        .expect(200);
    // the viewer reads everything and writes nothing
    let viewer = app.token_for(Role::Viewer, None).await;
    assert_eq!(w.list(id, &viewer).await["total"], 3);
    // a committee member's score naming an org outside its scope: a branch cannot score
    // at all (403 before anything is read)
    let s = app
        .get(&format!("/api/v1/assessment-schemes/{id}"), &viewer)
        .await
        .expect(200)
        .json;
    app.put(
        &format!("/api/v1/assessments/{id}/scores"),
        &branch_a,
        json!({"party_org_id": w.a, "indicator_id": ind(&s, "活动质量"), "score": 1}),
    )
    .await
    .expect_error(403, "forbidden");
}
