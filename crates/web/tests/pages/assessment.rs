//! M6 pages: the scoring table (a committee member's contact points first, a branch its own
//! subtree), an org's assessment with each auto score explained and linked to its records,
//! manual scores, overrides and grade overrides through the forms (refused at the field
//! with nothing written), finalize with its confirmation, and the read-only final scheme.
//! The clock is pinned to 2024-06-15.

use axum::http::StatusCode;
use domain::Role;
use serde_json::{json, Value};
use testkit::*;
use web::platform::i18n::Lang;

struct World {
    app: TestApp,
    a: i64,
    b: i64,
    scheme: i64,
    /// The leaves: 党建入章 (auto, 40), 活动质量 (manual, 20), 特色工作 (manual, 40).
    charter: i64,
    quality: i64,
    feature: i64,
    admin: (String, String),
    committee: (String, String),
    branch: (String, String),
    viewer: (String, String),
    inspector: (String, String),
}

/// 甲 covers two societies, one with the charter clause (党建入章 20 of 40); 乙 covers
/// none (full 40). The committee member 委员李 liaises with 乙.
async fn world() -> World {
    let app = TestApp::pages().await;
    let a = app.org("甲学会党支部", "branch", Some(1)).await;
    let b = app.org("乙学会党支部", "branch", Some(1)).await;
    app.society(
        "甲学会",
        Some(a),
        json!({"charter_has_party_building": true}),
    )
    .await;
    app.society(
        "丙协会",
        Some(a),
        json!({"charter_has_party_building": false}),
    )
    .await;
    let s = app
        .post(
            "/api/v1/assessment-schemes",
            &app.admin,
            json!({"year": 2024, "title": "2024年度党支部工作考核", "indicators": [
                {"id": 1, "name": "基础工作", "points": 60},
                {"id": 2, "parent_id": 1, "name": "党建入章", "points": 40, "method": "auto", "metric": "charter_rate"},
                {"id": 3, "parent_id": 1, "name": "活动质量", "points": 20, "method": "manual"},
                {"id": 4, "name": "特色工作", "points": 40, "method": "manual"}
            ]}),
        )
        .await
        .expect(201)
        .json;
    let leaf = |name: &str| {
        s["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let member = app.user("委员李", Role::Committee, None).await;
    app.post(
        "/api/v1/liaisons",
        &app.admin,
        json!({"user_id": member.id, "party_org_id": b, "since": day(-100)}),
    )
    .await
    .expect(201);
    World {
        a,
        b,
        scheme: s["id"].as_i64().unwrap(),
        charter: leaf("党建入章"),
        quality: leaf("活动质量"),
        feature: leaf("特色工作"),
        admin: app.page_login("admin").await,
        committee: app.page_login("委员李").await,
        branch: app.page_session(Role::Branch, Some(a)).await,
        viewer: app.page_session(Role::Viewer, None).await,
        inspector: app.page_session(Role::Inspector, None).await,
        app,
    }
}

impl World {
    async fn assessment(&self, org: i64) -> Value {
        let res = self
            .app
            .get(
                &format!(
                    "/api/v1/assessments?scheme_id={}&party_org_id={org}",
                    self.scheme
                ),
                &self.app.admin,
            )
            .await
            .expect(200);
        res.json["items"][0].clone()
    }

    fn org_path(&self, org: i64) -> String {
        format!("/assessment/{}/orgs/{org}", self.scheme)
    }

    async fn score(&self, who: &(String, String), org: i64, form: &[(&str, &str)]) -> Resp {
        let mut f = vec![("csrf", who.1.as_str())];
        f.extend_from_slice(form);
        self.app
            .post_form(&format!("{}/scores", self.org_path(org)), &who.0, &f)
            .await
    }
}

fn score_of(a: &Value, indicator: i64) -> Value {
    a["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["indicator_id"] == indicator)
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn assessment_pages_answer_each_role_and_a_branch_sees_its_own() {
    let w = world().await;
    let s = w.scheme;
    for (who, (cookie, _)) in [
        ("admin", &w.admin),
        ("committee", &w.committee),
        ("inspector", &w.inspector),
        ("viewer", &w.viewer),
        ("branch", &w.branch),
    ] {
        for path in [
            "/assessment".to_string(),
            format!("/assessment?scheme_id={s}&grade=C&incomplete=true&sort=-total"),
            format!("/assessment?scheme_id={s}&under=1&sort=total&page=1"),
            w.org_path(w.a),
        ] {
            let res = w.app.get_page(&path, cookie).await;
            assert_eq!(res.status, StatusCode::OK, "{who} {path}: {}", res.body);
            assert!(res.body.contains("考核定级"), "{who} {path}: nav entry");
        }
        let res = w.app.get_page(&w.org_path(w.a), cookie).await;
        let may_score = matches!(who, "admin" | "committee");
        assert_eq!(
            res.body.contains("id=\"score-form-"),
            may_score,
            "{who}: score forms"
        );
        assert_eq!(res.body.contains("id=\"grade-form\""), may_score, "{who}");
        let finalize = w
            .app
            .get_page(&format!("/assessment/{s}/finalize"), cookie)
            .await;
        let expected = if who == "admin" {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(finalize.status, expected, "{who} finalize");
        let table = w.app.get_page("/assessment", cookie).await;
        assert_eq!(
            table.body.contains("id=\"finalize-link\""),
            who == "admin",
            "{who}"
        );
    }
    // the table: orgs × leaves, unscored manual leaves shown as 待评, the auto score
    let res = w.app.get_page("/assessment", &w.admin.0).await;
    for text in [
        "2024年度党支部工作考核",
        "甲学会党支部",
        "乙学会党支部",
        "党建入章",
        "活动质量",
        "特色工作",
        "待评",
        "sc-auto\">20<",
        "sc-auto\">40<",
    ] {
        assert!(res.body.contains(text), "{text}: {}", res.body);
    }
    // a branch sees its own subtree only: 乙 not listed, its page 404, its writes too
    let res = w.app.get_page("/assessment", &w.branch.0).await;
    assert!(res.body.contains("甲学会党支部"));
    assert!(!res.body.contains("乙学会党支部"), "another branch's");
    assert_eq!(
        w.app.get_page(&w.org_path(w.b), &w.branch.0).await.status,
        StatusCode::NOT_FOUND
    );
    let q = w.quality.to_string();
    let res = w
        .score(
            &w.branch,
            w.b,
            &[("indicator_id", &q), ("score", "10"), ("comment", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = w
        .score(
            &w.branch,
            w.a,
            &[("indicator_id", &q), ("score", "10"), ("comment", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "a branch does not score");
    assert!(score_of(&w.assessment(w.a).await, w.quality)["score"].is_null());
    // unknown scheme, org or a bad id → 404
    for path in [
        "/assessment/999/orgs/2".to_string(),
        format!("/assessment/{s}/orgs/999"),
        format!("/assessment/{s}/orgs/x"),
        "/assessment?scheme_id=999".to_string(),
        "/assessment/999/finalize".to_string(),
    ] {
        let res = w.app.get_page(&path, &w.admin.0).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
    }
    // a committee member's contact points come first, in their own block
    let res = w.app.get_page("/assessment", &w.committee.0).await;
    let mine = res.body.find("id=\"my-points\"").expect("我的联系点");
    let all = res.body.find("role=\"search\"").unwrap();
    let block = &res.body[mine..all];
    assert!(block.contains("我的联系点") && block.contains("乙学会党支部"));
    assert!(!block.contains("甲学会党支部"), "not a contact point");
    let res = w.app.get_page("/assessment", &w.admin.0).await;
    assert!(
        !res.body.contains("id=\"my-points\""),
        "only committee members"
    );
}

#[tokio::test]
async fn the_org_page_explains_each_auto_score_and_links_its_records() {
    let w = world().await;
    let res = w.app.get_page(&w.org_path(w.a), &w.committee.0).await;
    assert_eq!(res.status, StatusCode::OK);
    for text in [
        "党建入章率",
        "党建入章 1 / 2 个社团",
        "50.0%",
        &format!("/societies?under={}", w.a),
        "id=\"root-bars\"",
        "20 / 60",
        "0 / 40",
        "id=\"grade-letter\">C<",
        "还没有定级记录",
    ] {
        assert!(res.body.contains(text), "{text}: {}", res.body);
    }
    // the link lands on the org's societies
    let res = w
        .app
        .get_page(&format!("/societies?under={}", w.a), &w.committee.0)
        .await;
    assert!(res.body.contains("甲学会") && res.body.contains("丙协会"));
    // 乙 has nothing to count: full points, said so
    let res = w.app.get_page(&w.org_path(w.b), &w.committee.0).await;
    assert!(res.body.contains("党建入章 0 / 0 个社团"));
    assert!(res.body.contains("无此项不扣分"));
    // every metric has its name, its explanation and its basis line in both languages
    for m in domain::assessment::Metric::CODES {
        for key in ["assess.metric", "assess.metric_what", "assess.basis"] {
            for lang in [Lang::Zh, Lang::En] {
                let k = format!("{key}.{m}");
                assert_ne!(lang.t(&k), k, "{k} in {lang:?}");
            }
        }
    }
    for k in [
        "assess.source.auto",
        "assess.source.manual",
        "assess.source.override",
        "assess.history_source.assessment",
        "assess.history_source.manual",
    ] {
        for lang in [Lang::Zh, Lang::En] {
            assert_ne!(lang.t(k), k, "{k} in {lang:?}");
        }
    }
}

#[tokio::test]
async fn the_record_links_of_every_metric_land_on_filtered_lists() {
    let w = world().await;
    let token = w.app.admin.clone();
    // a scheme with every metric
    let metrics = domain::assessment::Metric::CODES;
    let mut inds = vec![json!({"id": 100, "name": "自动指标", "points": 70})];
    for (i, m) in metrics.iter().enumerate() {
        inds.push(json!({"id": i + 1, "parent_id": 100, "name": format!("指标{m}"), "points": 10, "method": "auto", "metric": m}));
    }
    inds.push(json!({"id": 50, "name": "人工", "points": 30, "method": "manual"}));
    let s = w
        .app
        .post(
            "/api/v1/assessment-schemes",
            &token,
            json!({"year": 2024, "title": "全指标方案", "indicators": inds}),
        )
        .await
        .expect(201)
        .id();
    let res = w
        .app
        .get_page(&format!("/assessment/{s}/orgs/{}", w.a), &w.admin.0)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let a = w.a;
    for link in [
        format!("/compliance?party_org_id={a}&#38;year=2024"),
        format!("/compliance/orgs/{a}?year=2024"),
        format!("/tasks?under={a}&#38;from=2024-01-01&#38;to=2024-12-31&#38;late=true"),
        format!(
            "/rectifications?under={a}&#38;due_from=2024-01-01&#38;due_to=2024-12-31&#38;late=true"
        ),
        format!("/training/hours?party_org_id={a}&#38;year=2024&#38;short=true"),
        "/campaigns?year=2024".to_string(),
    ] {
        assert!(res.body.contains(&link), "{link}");
        let res = w
            .app
            .get_page(&link.replace("&#38;", "&"), &w.admin.0)
            .await;
        assert_eq!(res.status, StatusCode::OK, "{link}");
    }
    for m in metrics {
        assert!(res.body.contains(&format!("指标{m}")));
    }
    // the rectification ledger's due-day range keeps only those due in the year
    let inspector = w.app.token_for(Role::Inspector, None).await;
    for due in ["2024-07-01", "2025-02-01"] {
        w.app
            .post(
                "/api/v1/findings",
                &inspector,
                json!({"source": "report", "party_org_id": a, "description": format!("问题{due}"),
                       "severity": "minor", "found_on": day(-30), "due_on": due}),
            )
            .await
            .expect(201);
    }
    let page = w
        .app
        .get_page(
            &format!("/rectifications?under={a}&due_from=2024-01-01&due_to=2024-12-31"),
            &w.admin.0,
        )
        .await;
    assert!(page.body.contains("问题2024-07-01"), "{}", page.body);
    assert!(!page.body.contains("问题2025-02-01"), "due next year");
    w.app
        .expect_total(
            &format!("/api/v1/rectifications?due_from=2025-01-01&party_org_id={a}"),
            &token,
            1,
        )
        .await;
    w.app
        .expect_total(
            &format!("/api/v1/rectifications?due_to=2024-12-31&party_org_id={a}"),
            &token,
            1,
        )
        .await;
}

#[tokio::test]
async fn scores_and_grades_through_the_forms() {
    let w = world().await;
    let (q, c, f) = (
        w.quality.to_string(),
        w.charter.to_string(),
        w.feature.to_string(),
    );
    // a manual score moves the total
    let res = w
        .score(
            &w.committee,
            w.a,
            &[
                ("indicator_id", &q),
                ("score", "15"),
                ("comment", "活动记录完整"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let a = w.assessment(w.a).await;
    assert_eq!(a["total"], 35.0);
    assert_eq!(score_of(&a, w.quality)["source"], "manual");
    let page = w.app.get_page(&w.org_path(w.a), &w.committee.0).await;
    assert!(
        page.body.contains("<span class=\"num\">35</span>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("活动记录完整"));
    // an override without a comment: refused at the field, nothing written
    let audit = w.app.audit_len().await;
    let res = w
        .score(
            &w.committee,
            w.a,
            &[("indicator_id", &c), ("score", "35"), ("comment", " ")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"e-comment-"), "{}", res.body);
    assert!(res.body.contains("value=\"35\""), "what was typed is kept");
    let a = w.assessment(w.a).await;
    assert_eq!(score_of(&a, w.charter)["source"], "auto");
    assert_eq!(a["total"], 35.0);
    assert_eq!(w.app.audit_len().await, audit);
    // out of range and not a number: at the score field
    for bad in ["25", "abc", "-1"] {
        let res = w
            .score(
                &w.committee,
                w.a,
                &[("indicator_id", &q), ("score", bad), ("comment", "x")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(res.body.contains("id=\"e-score-"), "{bad}");
    }
    assert_eq!(w.app.audit_len().await, audit);
    // an override with a comment is marked; removing it returns to the computed score
    let res = w
        .score(
            &w.committee,
            w.a,
            &[
                ("indicator_id", &c),
                ("score", "35"),
                ("comment", "丙协会章程修订已报批"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(w.assessment(w.a).await["total"], 50.0);
    let page = w.app.get_page(&w.org_path(w.a), &w.committee.0).await;
    assert!(page.body.contains("自动评分为 20 分"));
    assert!(page.body.contains("sc-override"));
    let res = w
        .score(
            &w.committee,
            w.a,
            &[("indicator_id", &c), ("score", ""), ("comment", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(w.assessment(w.a).await["total"], 35.0);
    // the grade moves with the total: 35 + 40 = 75 → B
    w.score(
        &w.admin,
        w.a,
        &[("indicator_id", &f), ("score", "40"), ("comment", "")],
    )
    .await;
    let page = w.app.get_page(&w.org_path(w.a), &w.admin.0).await;
    assert!(
        page.body.contains("id=\"grade-letter\">B<"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("未评完"), "every manual leaf scored");
    // a grade override needs a reason unless it is the suggested grade
    let grade = |g: &'static str, reason: &'static str| {
        let w = &w;
        async move {
            w.app
                .post_form(
                    &format!("{}/grade", w.org_path(w.a)),
                    &w.committee.0,
                    &[("csrf", &w.committee.1), ("grade", g), ("reason", reason)],
                )
                .await
        }
    };
    let res = grade("A", "").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"e-reason\""));
    assert_eq!(w.assessment(w.a).await["grade"], "B");
    assert_eq!(
        grade("Z", "x").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(grade("B", "").await.status, StatusCode::SEE_OTHER);
    let res = grade("A", "获评市级先进基层党组织").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let a = w.assessment(w.a).await;
    assert_eq!(
        (a["grade"].as_str(), a["suggested_grade"].as_str()),
        (Some("A"), Some("B"))
    );
    let page = w.app.get_page(&w.org_path(w.a), &w.admin.0).await;
    assert!(page.body.contains("获评市级先进基层党组织"));
    assert!(page.body.contains("建议 B"));
    // viewers and inspectors may not write
    for who in [&w.viewer, &w.inspector] {
        let res = w
            .score(
                who,
                w.a,
                &[("indicator_id", &q), ("score", "1"), ("comment", "")],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
    }
    // an indicator not of the scheme's leaves
    let res = w
        .score(&w.admin, w.a, &[("indicator_id", "99999"), ("score", "1")])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn finalize_shows_what_it_writes_and_leaves_the_pages_read_only() {
    let w = world().await;
    let s = w.scheme;
    let f = w.feature.to_string();
    let q = w.quality.to_string();
    // 甲: 20 + 20 + 40 = 80 → B; 乙: 40 + 0 + 0 = 40 → C, incomplete
    for (ind, score) in [(&q, "20"), (&f, "40")] {
        w.score(
            &w.admin,
            w.a,
            &[("indicator_id", ind), ("score", score), ("comment", "")],
        )
        .await
        .expect(303);
    }
    let page = w
        .app
        .get_page(&format!("/assessment/{s}/finalize"), &w.admin.0)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "id=\"count-A\"",
        "定档确认",
        "尚未评完的党组织",
        "乙学会党支部",
        "等次将发生变化的党组织（2 个）",
        "（未评定）",
        "id=\"finalize-form\"",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }
    let count = |g: &str| {
        let at = page.body.find(&format!("id=\"count-{g}\"")).unwrap();
        let rest = &page.body[at..];
        let n = rest.find("class=\"num\">").unwrap() + 12;
        rest[n..rest[n..].find('<').unwrap() + n].to_string()
    };
    assert_eq!(
        (count("A"), count("B"), count("C")),
        ("0".into(), "1".into(), "1".into())
    );
    // the committee may not finalize
    let res = w
        .app
        .post_form(
            &format!("/assessment/{s}/finalize"),
            &w.committee.0,
            &[("csrf", &w.committee.1)],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // finalize through the form: back to the table, grades in the history
    let res = w
        .app
        .post_form(
            &format!("/assessment/{s}/finalize"),
            &w.admin.0,
            &[("csrf", &w.admin.1)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        res.location(),
        format!("/assessment?scheme_id={s}&msg=finalized")
    );
    let hist = w
        .app
        .get(&format!("/api/v1/party-orgs/{}/grades", w.a), &w.app.admin)
        .await
        .expect(200);
    assert_eq!(hist.json["items"][0]["grade"], "B");
    assert_eq!(hist.json["items"][0]["source"], "assessment");
    let table = w.app.get_page(res.location(), &w.admin.0).await;
    assert!(table.body.contains("已定档"));
    assert!(table.body.contains("定档日期：20"), "{}", table.body);
    assert!(!table.body.contains("id=\"finalize-link\""));
    // the pages of a final scheme have no forms; its org page shows the history
    for (cookie, _) in [&w.admin, &w.committee] {
        let page = w.app.get_page(&w.org_path(w.a), cookie).await;
        assert!(page.body.contains("已定档"));
        assert!(!page.body.contains("id=\"score-form-"));
        assert!(!page.body.contains("id=\"grade-form\""));
        assert!(page.body.contains("年度考核定档"), "history");
        assert!(page.body.contains("2024年度党支部工作考核"));
    }
    let page = w
        .app
        .get_page(&format!("/assessment/{s}/finalize"), &w.admin.0)
        .await;
    assert!(!page.body.contains("id=\"finalize-form\""));
    assert!(page.body.contains("id=\"already-final\""));
    // writing to it is refused, and nothing moves
    let res = w
        .score(
            &w.admin,
            w.a,
            &[("indicator_id", &q), ("score", "1"), ("comment", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let res = w
        .app
        .post_form(
            &format!("/assessment/{s}/finalize"),
            &w.admin.0,
            &[("csrf", &w.admin.1)],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(w.assessment(w.a).await["total"], 80.0);
}
