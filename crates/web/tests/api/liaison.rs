//! M9: liaisons (committee members only), the liaison figures, visits, research reports and
//! typical cases — the contract of API.md, scope (404 / 403), the one exception to scope
//! (published cases), audit and bad input (422). Today is 2024-06-15.

use chrono::Duration;
use domain::{Role, Rules};
use serde_json::{json, Value};
use store::{SessionKind, User};

use testkit::*;

async fn token(app: &TestApp, user: &User) -> String {
    app.issue(
        user,
        SessionKind::Bearer,
        Some(app.state.clock.now() + Duration::hours(1)),
    )
    .await
}

fn member<'a>(stats: &'a Value, username: &str) -> &'a Value {
    stats["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["username"] == username)
        .unwrap_or_else(|| panic!("{username} not in {stats}"))
}

async fn audit_of(app: &TestApp, admin: &str, entity: &str, id: i64) -> Vec<Value> {
    app.get(
        &format!("/api/v1/audit?entity={entity}&entity_id={id}"),
        admin,
    )
    .await
    .expect(200)
    .items()
    .clone()
}

#[tokio::test]
async fn liaisons_are_of_committee_members_and_only_current_ones_count() {
    let app = TestApp::builder().spawn().await;
    let root = app.org("科技社团党委", "committee", None).await;
    let a = app.org("甲学会党支部", "branch", Some(root)).await;
    let b = app.org("乙学会党支部", "branch", Some(root)).await;
    let c = app.org("丙联合党支部", "joint_branch", Some(root)).await;
    let d = app
        .org("丁功能型党支部", "functional_branch", Some(root))
        .await;
    let m1 = app.user("wangwei", Role::Committee, None).await;
    let m2 = app.user("lina", Role::Committee, None).await;
    let br = app.user("branch_a", Role::Branch, Some(a)).await;
    let admin = app.admin_api_token().await;
    let t1 = token(&app, &m1).await;
    let tb = token(&app, &br).await;
    let l = |user: i64, org: i64, since: &str, until: Option<&str>| json!({"user_id": user, "party_org_id": org, "since": since, "until": until});
    // the member must be a committee member; only admin assigns
    app.post("/api/v1/liaisons", &admin, l(br.id, a, "2024-01-01", None))
        .await
        .expect_field("user_id");
    app.post("/api/v1/liaisons", &admin, l(9999, a, "2024-01-01", None))
        .await
        .expect_field("user_id");
    app.post(
        "/api/v1/liaisons",
        &admin,
        l(m1.id, 9999, "2024-01-01", None),
    )
    .await
    .expect_field("party_org_id");
    app.post(
        "/api/v1/liaisons",
        &admin,
        l(m1.id, a, "2024-01-01", Some("2023-12-31")),
    )
    .await
    .expect_field("until");
    app.post(
        "/api/v1/liaisons",
        &admin,
        json!({"user_id": m1.id, "party_org_id": a, "since": "2024-01-01", "role": "x"}),
    )
    .await
    .expect_field("role");
    app.post("/api/v1/liaisons", &t1, l(m1.id, a, "2024-01-01", None))
        .await
        .expect_error(403, "forbidden");
    let m1a = app
        .post("/api/v1/liaisons", &admin, l(m1.id, a, "2024-01-01", None))
        .await
        .expect(201);
    assert_eq!(m1a.json["current"], true);
    assert_eq!(m1a.json["username"], "wangwei");
    assert_eq!(m1a.json["party_org_name"], "甲学会党支部");
    let m1a = m1a.id();
    // ended, and not yet begun: neither is current
    let ended = app
        .post(
            "/api/v1/liaisons",
            &admin,
            l(m1.id, b, "2023-01-01", Some("2024-03-31")),
        )
        .await
        .expect(201);
    assert_eq!(ended.json["current"], false);
    app.post("/api/v1/liaisons", &admin, l(m1.id, c, "2024-07-01", None))
        .await
        .expect(201);
    let m2a = app
        .post("/api/v1/liaisons", &admin, l(m2.id, a, "2024-01-01", None))
        .await
        .expect(201)
        .id();
    // the same member and org twice over the same days is a conflict; after the end it is not
    app.post("/api/v1/liaisons", &admin, l(m1.id, a, "2024-05-01", None))
        .await
        .expect_error(409, "conflict");
    app.post("/api/v1/liaisons", &admin, l(m1.id, b, "2024-04-01", None))
        .await
        .expect(201);

    let stats = app
        .get("/api/v1/stats/liaison", &admin)
        .await
        .expect(200)
        .json;
    assert_eq!(member(&stats, "wangwei")["orgs"], 2, "{stats}");
    assert_eq!(member(&stats, "wangwei")["target"], 3);
    assert_eq!(member(&stats, "lina")["orgs"], 1);
    assert_eq!(
        stats["items"].as_array().unwrap().len(),
        2,
        "only committee members"
    );
    // c's liaison has not begun, d has none; the committee itself is not counted
    assert_eq!(stats["orgs_without_liaison"], 2, "{stats}");

    // visits: the caller by default, counted in the year, the last one up to its end
    for (org, on) in [(a, "2024-05-10"), (b, "2023-12-01"), (a, "2024-02-01")] {
        let v = app
            .post(
                "/api/v1/visits",
                &t1,
                json!({"party_org_id": org, "held_on": on, "kind": "visit"}),
            )
            .await
            .expect(201);
        assert_eq!(v.json["user_id"], m1.id);
    }
    let stats = app.get("/api/v1/stats/liaison", &t1).await.expect(200).json;
    let w = member(&stats, "wangwei");
    assert_eq!(
        (w["visits"].clone(), w["last_visit_on"].clone()),
        (json!(2), json!("2024-05-10"))
    );
    assert!(member(&stats, "lina")["last_visit_on"].is_null());
    let w23 = app
        .get("/api/v1/stats/liaison?year=2023", &t1)
        .await
        .expect(200)
        .json;
    let w = member(&w23, "wangwei");
    assert_eq!(
        (w["visits"].clone(), w["last_visit_on"].clone()),
        (json!(1), json!("2023-12-01"))
    );
    for bad in ["1800", "abc"] {
        app.get(&format!("/api/v1/stats/liaison?year={bad}"), &t1)
            .await
            .expect_field("year");
    }

    // the list: filters, the member's last visit to the org
    let cur = app
        .get(
            &format!("/api/v1/liaisons?current=true&user_id={}", m1.id),
            &admin,
        )
        .await
        .expect(200);
    assert_eq!(cur.json["total"], 2, "{}", cur.json);
    let la = cur.items().iter().find(|i| i["party_org_id"] == a).unwrap();
    assert_eq!(la["last_visit_on"], "2024-05-10");
    app.expect_total("/api/v1/liaisons?current=false", &admin, 2)
        .await;
    app.get("/api/v1/liaisons?current=maybe", &admin)
        .await
        .expect_field("current");

    // a branch reads its own org's liaisons only
    app.expect_total("/api/v1/liaisons", &tb, 2).await;
    let elsewhere = ended.id();
    app.get(&format!("/api/v1/liaisons/{elsewhere}"), &tb)
        .await
        .expect_error(404, "not_found");
    app.delete(&format!("/api/v1/liaisons/{m1a}"), &tb)
        .await
        .expect_error(403, "forbidden");
    let own = app.get("/api/v1/stats/liaison", &tb).await.expect(200).json;
    assert_eq!(member(&own, "wangwei")["orgs"], 1, "a only: {own}");
    assert_eq!(own["orgs_without_liaison"], 0);

    // ending one (PATCH until) and removing the other leaves a without a liaison
    let r = app
        .patch(
            &format!("/api/v1/liaisons/{m2a}"),
            &admin,
            json!({"until": "2024-06-14"}),
        )
        .await
        .expect(200);
    assert_eq!(r.json["current"], false);
    app.patch(
        &format!("/api/v1/liaisons/{m2a}"),
        &admin,
        json!({"user_id": br.id}),
    )
    .await
    .expect_field("user_id");
    app.delete(&format!("/api/v1/liaisons/{m1a}"), &admin)
        .await
        .expect(204);
    app.get(&format!("/api/v1/liaisons/{m1a}"), &admin)
        .await
        .expect_error(404, "not_found");
    let stats = app
        .get("/api/v1/stats/liaison", &admin)
        .await
        .expect(200)
        .json;
    assert_eq!(member(&stats, "wangwei")["orgs"], 1, "b since April");
    assert_eq!(member(&stats, "lina")["orgs"], 0);
    assert_eq!(stats["orgs_without_liaison"], 3, "{stats}");
    let without = app
        .state
        .store
        .orgs_without_liaison(
            &store::Scope::All,
            today(),
            store::PageReq {
                page: 1,
                per_page: 50,
            },
        )
        .await
        .unwrap();
    let names: Vec<&str> = without.items.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["甲学会党支部", "丙联合党支部", "丁功能型党支部"]);
    let _ = d;
    // every change audited
    assert_eq!(audit_of(&app, &admin, "liaison", m1a).await.len(), 2);
    let m2 = audit_of(&app, &admin, "liaison", m2a).await;
    assert_eq!(m2.len(), 2);
    assert_eq!(m2[0]["action"], "update");
    assert_eq!(m2[0]["after"]["until"], "2024-06-14");
}

#[tokio::test]
async fn the_target_is_the_configured_liaison_orgs() {
    let app = TestApp::builder()
        .rules(Rules {
            liaison_orgs: 2,
            ..Rules::default()
        })
        .spawn()
        .await;
    app.user("zhangli", Role::Committee, None).await;
    let admin = app.admin_api_token().await;
    let s = app
        .get("/api/v1/stats/liaison", &admin)
        .await
        .expect(200)
        .json;
    assert_eq!(member(&s, "zhangli")["target"], 2);
    assert_eq!(member(&s, "zhangli")["orgs"], 0);
    assert_eq!(s["orgs_without_liaison"], 0);
}

#[tokio::test]
async fn a_branch_reads_the_visits_to_its_orgs_only() {
    let app = TestApp::builder().spawn().await;
    let root = app.org("科技社团党委", "committee", None).await;
    let a = app.org("甲学会党支部", "branch", Some(root)).await;
    let a1 = app.org("甲学会第一党小组", "branch", Some(a)).await;
    let b = app.org("乙学会党支部", "branch", Some(root)).await;
    let m = app.user("wangwei", Role::Committee, None).await;
    let br = app.user("branch_a", Role::Branch, Some(a)).await;
    let admin = app.admin_api_token().await;
    let tm = token(&app, &m).await;
    let tb = token(&app, &br).await;
    let viewer = app.token_for(Role::Viewer, None).await;
    let inspector = app.token_for(Role::Inspector, None).await;
    let visit = |org: i64, on: &str, kind: &str| json!({"party_org_id": org, "held_on": on, "kind": kind, "notes": "了解支部工作"});
    let va = app
        .post("/api/v1/visits", &tm, visit(a, "2024-03-05", "guidance"))
        .await
        .expect(201);
    assert_eq!(va.json["username"], "wangwei");
    assert_eq!(va.json["attachments"], 0);
    let va = va.id();
    app.post("/api/v1/visits", &tm, visit(a1, "2024-04-05", "research"))
        .await
        .expect(201);
    let vb = app
        .post("/api/v1/visits", &tm, visit(b, "2023-11-20", "lecture"))
        .await
        .expect(201)
        .id();
    // an admin records for a member
    let r = app
        .post(
            "/api/v1/visits",
            &admin,
            json!({"user_id": m.id, "party_org_id": b, "held_on": "2024-06-15", "kind": "visit"}),
        )
        .await
        .expect(201);
    assert_eq!(r.json["user_id"], m.id);
    // who may write: admin and committee
    for t in [&tb, &viewer, &inspector] {
        app.post("/api/v1/visits", t, visit(a, "2024-03-05", "visit"))
            .await
            .expect_error(403, "forbidden");
    }
    // bad input names the field
    for (patch, field) in [
        (json!({"held_on": day(1)}), "held_on"),
        (json!({"held_on": "2024-02-30"}), "held_on"),
        (json!({"kind": "inspection"}), "kind"),
        (json!({"party_org_id": 9999}), "party_org_id"),
        (json!({"user_id": br.id}), "user_id"),
        (json!({"user_id": 9999}), "user_id"),
        (json!({"photos": 3}), "photos"),
        (json!({"notes": 5}), "notes"),
    ] {
        let mut body = visit(a, "2024-03-05", "visit");
        merge(&mut body, patch);
        app.post("/api/v1/visits", &tm, body)
            .await
            .expect_field(field);
    }
    // the branch reads the visits to its subtree only
    app.expect_total("/api/v1/visits", &tb, 2).await;
    app.expect_total("/api/v1/visits", &viewer, 4).await;
    app.expect_total("/api/v1/visits", &inspector, 4).await;
    app.get(&format!("/api/v1/visits/{vb}"), &tb)
        .await
        .expect_error(404, "not_found");
    app.get(&format!("/api/v1/visits/{va}"), &tb)
        .await
        .expect(200);
    app.patch(&format!("/api/v1/visits/{vb}"), &tb, json!({"notes": "x"}))
        .await
        .expect_error(404, "not_found");
    app.patch(&format!("/api/v1/visits/{va}"), &tb, json!({"notes": "x"}))
        .await
        .expect_error(403, "forbidden");
    // filters
    app.expect_total(&format!("/api/v1/visits?party_org_id={a}"), &admin, 1)
        .await;
    app.expect_total("/api/v1/visits?year=2024", &admin, 3)
        .await;
    app.expect_total("/api/v1/visits?from=2024-04-01&to=2024-06-01", &admin, 1)
        .await;
    app.expect_total("/api/v1/visits?kind=lecture", &admin, 1)
        .await;
    app.expect_total(&format!("/api/v1/visits?user_id={}", m.id), &admin, 4)
        .await;
    app.get("/api/v1/visits?from=yesterday", &admin)
        .await
        .expect_field("from");
    let newest = app.get("/api/v1/visits", &admin).await.expect(200);
    assert_eq!(newest.items()[0]["held_on"], "2024-06-15");
    // PATCH merges; null clears; every change audited
    let r = app
        .patch(
            &format!("/api/v1/visits/{va}"),
            &tm,
            json!({"kind": "visit", "notes": null}),
        )
        .await
        .expect(200);
    assert_eq!(r.json["kind"], "visit");
    assert!(r.json["notes"].is_null());
    assert_eq!(r.json["held_on"], "2024-03-05");
    app.patch(
        &format!("/api/v1/visits/{va}"),
        &tm,
        json!({"held_on": day(2)}),
    )
    .await
    .expect_field("held_on");
    let log = audit_of(&app, &admin, "visit", va).await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["before"]["kind"], "guidance");
}

#[tokio::test]
async fn research_reports_name_their_author_and_orgs() {
    let app = TestApp::builder().spawn().await;
    let root = app.org("科技社团党委", "committee", None).await;
    let a = app.org("甲学会党支部", "branch", Some(root)).await;
    let b = app.org("乙学会党支部", "branch", Some(root)).await;
    let c = app.org("丙学会党支部", "branch", Some(root)).await;
    let m = app.user("wangwei", Role::Committee, None).await;
    let br = app.user("branch_a", Role::Branch, Some(a)).await;
    let admin = app.admin_api_token().await;
    let tm = token(&app, &m).await;
    let tb = token(&app, &br).await;
    let body = json!({"title": "《进一步发挥科技社团作用》研究报告", "year": 2024,
        "summary": "围绕科技社团党建工作开展调研", "party_org_ids": [a, b, a]});
    let r = app
        .post("/api/v1/research-reports", &tm, body.clone())
        .await
        .expect(201);
    assert_eq!(r.json["author_user_id"], m.id);
    assert_eq!(r.json["author"], "wangwei");
    assert_eq!(r.json["party_org_ids"], json!([a, b]));
    assert_eq!(r.json["party_orgs"][1]["name"], "乙学会党支部");
    let id = r.id();
    let general = app
        .post(
            "/api/v1/research-reports",
            &admin,
            json!({"title": "全市科技社团党建工作调研", "year": 2023}),
        )
        .await
        .expect(201);
    assert_eq!(general.json["party_org_ids"], json!([]));
    app.post("/api/v1/research-reports", &tb, body.clone())
        .await
        .expect_error(403, "forbidden");
    for (patch, field) in [
        (json!({"author_user_id": br.id}), "author_user_id"),
        (json!({"party_org_ids": [a, 9999]}), "party_org_ids"),
        (json!({"year": 3000}), "year"),
        (json!({"year": null}), "year"),
        (json!({"title": " "}), "title"),
        (json!({"party_org_ids": "a"}), "party_org_ids"),
        (json!({"pages": 12}), "pages"),
    ] {
        let mut b2 = body.clone();
        merge(&mut b2, patch);
        app.post("/api/v1/research-reports", &tm, b2)
            .await
            .expect_field(field);
    }
    // a branch reads the reports concerning its subtree
    app.expect_total("/api/v1/research-reports", &tb, 1).await;
    app.get(&format!("/api/v1/research-reports/{}", general.id()), &tb)
        .await
        .expect_error(404, "not_found");
    app.expect_total("/api/v1/research-reports", &admin, 2)
        .await;
    app.expect_total("/api/v1/research-reports?year=2024", &admin, 1)
        .await;
    app.expect_total(
        &format!("/api/v1/research-reports?party_org_id={b}"),
        &admin,
        1,
    )
    .await;
    app.expect_total("/api/v1/research-reports?q=发挥", &admin, 1)
        .await;
    app.expect_total("/api/v1/research-reports?q=党建工作", &admin, 2)
        .await;
    // PATCH replaces the orgs as a whole: the branch no longer sees it
    let r = app
        .patch(
            &format!("/api/v1/research-reports/{id}"),
            &tm,
            json!({"party_org_ids": [c]}),
        )
        .await
        .expect(200);
    assert_eq!(r.json["party_org_ids"], json!([c]));
    assert_eq!(r.json["author_user_id"], m.id);
    app.get(&format!("/api/v1/research-reports/{id}"), &tb)
        .await
        .expect_error(404, "not_found");
    let log = audit_of(&app, &admin, "research_report", id).await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["before"]["party_org_ids"], json!([a, b]));
}

#[tokio::test]
async fn published_cases_are_read_by_every_role_but_never_written_outside_scope() {
    let app = TestApp::builder().spawn().await;
    let root = app.org("科技社团党委", "committee", None).await;
    let a = app.org("甲学会党支部", "branch", Some(root)).await;
    let b = app.org("乙学会党支部", "branch", Some(root)).await;
    let br = app.user("branch_a", Role::Branch, Some(a)).await;
    let admin = app.admin_api_token().await;
    let tb = token(&app, &br).await;
    let committee = app.token_for(Role::Committee, None).await;
    let viewer = app.token_for(Role::Viewer, None).await;
    let inspector = app.token_for(Role::Inspector, None).await;
    let case = |org: i64, title: &str, category: &str| {
        json!({"title": title, "party_org_id": org, "category": category, "year": 2024,
               "summary": "组织会员开展科技志愿服务进社区"})
    };
    // a branch proposes for its own orgs, unpublished
    let own = app
        .post(
            "/api/v1/cases",
            &tb,
            case(a, "学会党建引领学术交流", "party_leadership"),
        )
        .await
        .expect(201);
    assert_eq!(own.json["published"], false);
    assert_eq!(own.json["party_org_name"], "甲学会党支部");
    let own = own.id();
    let mut publish = case(a, "科技志愿进社区", "volunteering");
    merge(&mut publish, json!({"published": true}));
    app.post("/api/v1/cases", &tb, publish.clone())
        .await
        .expect_error(403, "forbidden");
    app.post("/api/v1/cases", &tb, case(b, "乙学会的做法", "other"))
        .await
        .expect_error(403, "forbidden");
    app.post("/api/v1/cases", &viewer, case(a, "x", "other"))
        .await
        .expect_error(403, "forbidden");
    app.post("/api/v1/cases", &inspector, case(a, "x", "other"))
        .await
        .expect_error(403, "forbidden");
    // the committee publishes
    let mut pb = case(b, "乙学会服务创新", "service_innovation");
    merge(
        &mut pb,
        json!({"published": true, "summary": "以服务创新凝聚会员"}),
    );
    let published_b = app.post("/api/v1/cases", &committee, pb).await.expect(201);
    assert_eq!(published_b.json["published"], true);
    let published_b = published_b.id();
    let hidden_b = app
        .post(
            "/api/v1/cases",
            &committee,
            case(b, "乙学会组织建设", "org_building"),
        )
        .await
        .expect(201)
        .id();
    // reading: the branch sees its own and every published case, not the others' proposals
    let mine = app.get("/api/v1/cases", &tb).await.expect(200);
    assert_eq!(mine.json["total"], 2, "{}", mine.json);
    app.get(&format!("/api/v1/cases/{published_b}"), &tb)
        .await
        .expect(200);
    app.get(&format!("/api/v1/cases/{hidden_b}"), &tb)
        .await
        .expect_error(404, "not_found");
    for t in [&viewer, &inspector, &committee] {
        app.expect_total("/api/v1/cases", t, 3).await;
    }
    // … and never writing: a published case of another org → 403, a hidden one → 404
    app.patch(
        &format!("/api/v1/cases/{published_b}"),
        &tb,
        json!({"title": "改写"}),
    )
    .await
    .expect_error(403, "forbidden");
    app.patch(
        &format!("/api/v1/cases/{published_b}"),
        &tb,
        json!({"party_org_id": a}),
    )
    .await
    .expect_error(403, "forbidden");
    app.patch(
        &format!("/api/v1/cases/{hidden_b}"),
        &tb,
        json!({"title": "改写"}),
    )
    .await
    .expect_error(404, "not_found");
    app.patch(
        &format!("/api/v1/cases/{own}"),
        &tb,
        json!({"published": true}),
    )
    .await
    .expect_error(403, "forbidden");
    app.patch(
        &format!("/api/v1/cases/{own}"),
        &tb,
        json!({"party_org_id": b}),
    )
    .await
    .expect_error(403, "forbidden");
    let r = app
        .patch(
            &format!("/api/v1/cases/{own}"),
            &tb,
            json!({"title": "学会党建引领学术交流（修改稿）"}),
        )
        .await
        .expect(200);
    assert_eq!(r.json["title"], "学会党建引领学术交流（修改稿）");
    // once the committee publishes the branch's case, the branch no longer changes it
    app.patch(
        &format!("/api/v1/cases/{own}"),
        &committee,
        json!({"published": true}),
    )
    .await
    .expect(200);
    app.patch(
        &format!("/api/v1/cases/{own}"),
        &tb,
        json!({"title": "再改"}),
    )
    .await
    .expect_error(403, "forbidden");
    // nothing half-written
    let r = app
        .get(&format!("/api/v1/cases/{published_b}"), &admin)
        .await
        .expect(200);
    assert_eq!(r.json["title"], "乙学会服务创新");
    // filters and search
    app.expect_total("/api/v1/cases?published=true", &viewer, 2)
        .await;
    app.expect_total("/api/v1/cases?published=false", &viewer, 1)
        .await;
    app.expect_total("/api/v1/cases?category=org_building", &viewer, 1)
        .await;
    app.expect_total("/api/v1/cases?q=志愿", &viewer, 2).await;
    app.expect_total("/api/v1/cases?q=凝聚", &tb, 1).await;
    app.expect_total(&format!("/api/v1/cases?party_org_id={b}"), &tb, 1)
        .await;
    app.get("/api/v1/cases?category=best", &viewer)
        .await
        .expect_field("category");
    // bad input
    for (patch, field) in [
        (json!({"category": "best"}), "category"),
        (json!({"year": "2024"}), "year"),
        (json!({"title": ""}), "title"),
        (json!({"party_org_id": 9999}), "party_org_id"),
        (json!({"published": "yes"}), "published"),
        (json!({"likes": 1}), "likes"),
    ] {
        let mut body = case(a, "案例", "other");
        merge(&mut body, patch);
        app.post("/api/v1/cases", &committee, body)
            .await
            .expect_field(field);
    }
    // audited
    let log = audit_of(&app, &admin, "case", own).await;
    assert_eq!(log.len(), 3);
    assert_eq!(log[0]["after"]["published"], true);
}

#[tokio::test]
async fn visits_and_research_reports_keep_files_through_the_shared_attachments() {
    let app = TestApp::builder().spawn().await;
    let root = app.org("科技社团党委", "committee", None).await;
    let a = app.org("甲学会党支部", "branch", Some(root)).await;
    let b = app.org("乙学会党支部", "branch", Some(root)).await;
    let m = app.user("wangwei", Role::Committee, None).await;
    let tm = token(&app, &m).await;
    let branch_a = app.token_for(Role::Branch, Some(a)).await;
    let branch_b = app.token_for(Role::Branch, Some(b)).await;
    let viewer = app.token_for(Role::Viewer, None).await;
    let admin = app.admin_api_token().await;
    let visit = app
        .post(
            "/api/v1/visits",
            &tm,
            json!({"party_org_id": a, "held_on": "2024-06-14", "kind": "visit"}),
        )
        .await
        .expect(201)
        .id();
    let url = format!("/api/v1/visits/{visit}/attachments");
    let jpeg = b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xff\xd9";
    let r = app
        .upload_to(&url, &tm, "file", "走访照片.jpg", jpeg)
        .await
        .expect(201);
    assert_eq!(r.json["owner"], "visit");
    assert_eq!(r.json["owner_id"], visit);
    assert_eq!(r.json["content_type"], "image/jpeg");
    let photo = r.id();
    app.upload_to(&url, &tm, "file", "x.jpg", b"not an image")
        .await
        .expect_field("file");
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(MAX_UPLOAD + 1, b'0');
    app.upload_to(&url, &tm, "file", "big.pdf", &big)
        .await
        .expect(413);
    // the visited org's branch sees the photo, never adds one; another branch: 404
    assert_eq!(app.get(&url, &branch_a).await.expect(200).items().len(), 1);
    let v = app
        .get(&format!("/api/v1/visits/{visit}"), &branch_a)
        .await
        .expect(200);
    assert_eq!(v.json["attachments"], 1);
    let d = app
        .get(&format!("/api/v1/attachments/{photo}"), &branch_a)
        .await
        .expect(200);
    assert_eq!(d.bytes, jpeg);
    app.upload_to(&url, &branch_a, "file", "x.jpg", jpeg)
        .await
        .expect(403);
    app.get(&url, &branch_b)
        .await
        .expect_error(404, "not_found");
    app.get(&format!("/api/v1/attachments/{photo}"), &branch_b)
        .await
        .expect(404);
    app.delete(&format!("/api/v1/attachments/{photo}"), &viewer)
        .await
        .expect_error(403, "forbidden");
    // a research report's files follow the report's scope (the orgs it concerns)
    let report = app
        .post(
            "/api/v1/research-reports",
            &tm,
            json!({"title": "《进一步发挥科技社团作用》研究报告", "year": 2024, "party_org_ids": [b]}),
        )
        .await
        .expect(201)
        .id();
    let rurl = format!("/api/v1/research-reports/{report}/attachments");
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    let f = app
        .upload_to(&rurl, &tm, "file", "研究报告.pdf", pdf)
        .await
        .expect(201);
    assert_eq!(f.json["owner"], "research_report");
    let file = f.id();
    app.get(&format!("/api/v1/attachments/{file}"), &branch_b)
        .await
        .expect(200);
    app.get(&format!("/api/v1/attachments/{file}"), &branch_a)
        .await
        .expect(404);
    app.get(&rurl, &branch_a)
        .await
        .expect_error(404, "not_found");
    assert_eq!(
        app.get(&format!("/api/v1/research-reports/{report}"), &viewer)
            .await
            .json["attachments"],
        1
    );
    // removed by the roles that write the record, audited
    app.delete(&format!("/api/v1/attachments/{photo}"), &tm)
        .await
        .expect(204);
    assert!(app.get(&url, &tm).await.expect(200).items().is_empty());
    let log = audit_of(&app, &admin, "attachment", photo).await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[1]["after"]["owner"], "visit");
}
