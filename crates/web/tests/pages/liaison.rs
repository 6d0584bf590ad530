//! M9/M10 pages: the liaison matrix, visits, research reports, typical cases and the channel
//! register for each role that sees them; a committee member's contact points on the
//! dashboard and "记一次走访" with a photo moving the last visit; a branch reads only its
//! orgs' visits; the published-case exception (read, never write); the assign form; a
//! channel review through the form moving last_reviewed_on; bad input shown at the field
//! with nothing written.

use axum::http::StatusCode;
use domain::Role;
use serde_json::json;
use testkit::*;

/// A 1×1 PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";

struct World {
    a: i64,
    b: i64,
    member: i64,
    visit_a: i64,
    visit_b: i64,
    report: i64,
    case_b_published: i64,
    case_b_proposed: i64,
    channel: i64,
}

/// Branches A and B under the committee (id 1); the member 委员王 liaises with A and has
/// visited A and B; a report concerning A; a published and a proposed case of B; a channel
/// of A's society without a plan.
async fn world(app: &TestApp) -> World {
    let a = app.org("甲学会党支部", "branch", Some(1)).await;
    let b = app.org("乙学会党支部", "branch", Some(1)).await;
    let member = app.user("委员王", Role::Committee, None).await.id;
    app.post(
        "/api/v1/liaisons",
        &app.admin,
        json!({"user_id": member, "party_org_id": a, "since": day(-200)}),
    )
    .await
    .expect(201);
    let visit = |org: i64, d: i64| {
        json!({"user_id": member, "party_org_id": org, "held_on": day(d), "kind": "visit",
               "notes": "了解换届准备情况"})
    };
    let visit_a = app
        .post("/api/v1/visits", &app.admin, visit(a, -120))
        .await
        .expect(201)
        .id();
    let visit_b = app
        .post("/api/v1/visits", &app.admin, visit(b, -30))
        .await
        .expect(201)
        .id();
    let report = app
        .post(
            "/api/v1/research-reports",
            &app.admin,
            json!({"title": "进一步发挥科技社团作用", "year": 2024, "summary": "调研了三家学会",
                   "party_org_ids": [a]}),
        )
        .await
        .expect(201)
        .id();
    let case = |title: &str, published: bool| {
        json!({"title": title, "party_org_id": b, "category": "org_building", "year": 2024,
               "summary": "以党建带会建", "published": published})
    };
    let case_b_published = app
        .post("/api/v1/cases", &app.admin, case("乙学会党建带会建", true))
        .await
        .expect(201)
        .id();
    let case_b_proposed = app
        .post("/api/v1/cases", &app.admin, case("乙学会志愿服务", false))
        .await
        .expect(201)
        .id();
    let s = app.society("重庆市计算机学会", Some(a), json!({})).await["id"]
        .as_i64()
        .unwrap();
    let channel = app
        .post(
            "/api/v1/channels",
            &app.admin,
            json!({"society_id": s, "kind": "journal", "name": "《计算机应用》",
                   "responsible": "秘书长 王敏"}),
        )
        .await
        .expect(201)
        .id();
    World {
        a,
        b,
        member,
        visit_a,
        visit_b,
        report,
        case_b_published,
        case_b_proposed,
        channel,
    }
}

fn xlsx_rows(r: &Resp) -> Vec<Vec<String>> {
    assert!(r
        .header("content-type")
        .is_some_and(|v| v.contains("spreadsheetml")));
    read_xlsx(&r.bytes).1
}

#[tokio::test]
async fn every_page_renders_for_each_role_and_exports() {
    let app = TestApp::pages().await;
    let w = world(&app).await;
    for (role, org) in [
        (Role::Admin, None),
        (Role::Committee, None),
        (Role::Inspector, None),
        (Role::Viewer, None),
        (Role::Branch, Some(w.a)),
    ] {
        let (cookie, _) = app.page_session(role, org).await;
        let who = role.as_str();
        let home = app.get_page("/", &cookie).await;
        for href in ["/liaison", "/research-reports", "/cases", "/channels"] {
            assert!(
                home.body.contains(&format!("href=\"{href}\"")),
                "{who}: nav {href}"
            );
        }
        let branch = role == Role::Branch;
        let m = app.get_page("/liaison", &cookie).await;
        assert_eq!(m.status, StatusCode::OK, "{who}: {}", m.body);
        assert!(m.body.contains("id=\"matrix-table\""), "{who}");
        assert!(m.body.contains("委员王"), "{who}");
        // the assign form is the office's
        assert_eq!(
            m.body.contains("id=\"assign-form\""),
            role == Role::Admin,
            "{who}"
        );
        let v = app.get_page("/visits", &cookie).await;
        assert_eq!(v.status, StatusCode::OK, "{who}: {}", v.body);
        assert!(v.body.contains(&format!("data-visit=\"{}\"", w.visit_a)));
        let page = app
            .get_page(&format!("/visits/{}", w.visit_a), &cookie)
            .await;
        assert_eq!(page.status, StatusCode::OK, "{who}");
        assert!(page.body.contains("了解换届准备情况"), "{who}");
        for path in [
            "/research-reports".to_string(),
            format!("/research-reports/{}", w.report),
            "/cases".into(),
            format!("/cases/{}", w.case_b_published),
            format!("/cases/{}/print", w.case_b_published),
            "/channels".into(),
            format!("/channels/{}", w.channel),
        ] {
            let r = app.get_page(&path, &cookie).await;
            assert_eq!(r.status, StatusCode::OK, "{who} {path}: {}", r.body);
        }
        let report = app
            .get_page(&format!("/research-reports/{}", w.report), &cookie)
            .await;
        assert!(report.body.contains("id=\"report-orgs\""), "{who}");
        assert!(report.body.contains("甲学会党支部"), "{who}");
        let print = app
            .get_page(&format!("/cases/{}/print", w.case_b_published), &cookie)
            .await;
        assert!(print.body.contains("class=\"print-page\""), "{who}");
        assert!(!print.body.contains("class=\"nav"), "{who}: no navigation");
        let ch = app.get_page("/channels", &cookie).await;
        assert!(ch.body.contains("《计算机应用》"), "{who}");
        // every list exports
        let rows = xlsx_rows(&app.get_page("/visits.xlsx", &cookie).await);
        assert_eq!(rows.len(), if branch { 1 } else { 2 }, "{who}: {rows:?}");
        let rows = xlsx_rows(&app.get_page("/liaison/liaisons.xlsx", &cookie).await);
        assert_eq!(rows.len(), 1, "{who}");
        assert_eq!(rows[0][1], "委员王");
        let rows = xlsx_rows(&app.get_page("/research-reports.xlsx", &cookie).await);
        assert_eq!(rows.len(), 1, "{who}");
        let rows = xlsx_rows(&app.get_page("/cases.xlsx", &cookie).await);
        // a branch of A: only B's published case; the others also B's proposed one
        assert_eq!(rows.len(), if branch { 1 } else { 2 }, "{who}: {rows:?}");
        let rows = xlsx_rows(
            &app.get_page("/channels.xlsx?without_plan=true", &cookie)
                .await,
        );
        assert_eq!(rows.len(), 1, "{who}");
    }
    // the dashboard's rule list links the channel checks to the filtered register
    let (cookie, _) = app.page_login("admin").await;
    let home = app.get_page("/", &cookie).await;
    assert!(
        home.body.contains("rule-channel_without_plan"),
        "{}",
        home.body
    );
    assert!(home.body.contains("/channels?society_id=") && home.body.contains("without_plan=true"));
    let _ = w.b;
}

#[tokio::test]
async fn a_branch_reads_only_its_orgs_visits() {
    let app = TestApp::pages().await;
    let w = world(&app).await;
    let (cookie, _) = app.page_session(Role::Branch, Some(w.b)).await;
    let list = app.get_page("/visits", &cookie).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&format!("data-visit=\"{}\"", w.visit_b)));
    assert!(!list.body.contains(&format!("data-visit=\"{}\"", w.visit_a)));
    let other = app
        .get_page(&format!("/visits/{}", w.visit_a), &cookie)
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    // nor the report concerning A
    let r = app
        .get_page(&format!("/research-reports/{}", w.report), &cookie)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // and may not record a visit
    let f = app.get_page("/visits/new", &cookie).await;
    assert_eq!(f.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn published_cases_are_read_by_every_branch_but_never_written() {
    let app = TestApp::pages().await;
    let w = world(&app).await;
    let (cookie, csrf) = app.page_session(Role::Branch, Some(w.a)).await;
    let list = app.get_page("/cases", &cookie).await;
    assert!(list.body.contains("乙学会党建带会建"));
    assert!(
        !list.body.contains("乙学会志愿服务"),
        "B's proposal stays in B's scope"
    );
    let c = app
        .get_page(&format!("/cases/{}", w.case_b_published), &cookie)
        .await;
    assert_eq!(c.status, StatusCode::OK);
    assert!(!c.body.contains("id=\"edit-case\""));
    assert!(!c.body.contains("id=\"publish-form\""));
    let hidden = app
        .get_page(&format!("/cases/{}", w.case_b_proposed), &cookie)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let edit = app
        .get_page(&format!("/cases/{}/edit", w.case_b_published), &cookie)
        .await;
    assert_eq!(edit.status, StatusCode::FORBIDDEN);
    let before = app.audit_len().await;
    let post = app
        .post_form(
            &format!("/cases/{}/edit", w.case_b_published),
            &cookie,
            &[
                ("csrf", &csrf),
                ("title", "改了"),
                ("party_org_id", &w.b.to_string()),
                ("category", "other"),
                ("year", "2024"),
            ],
        )
        .await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
    let publish = app
        .post_form(
            &format!("/cases/{}/publish", w.case_b_published),
            &cookie,
            &[("csrf", &csrf), ("published", "false")],
        )
        .await;
    assert_eq!(publish.status, StatusCode::FORBIDDEN);
    assert_eq!(app.audit_len().await, before, "nothing written");
    // a branch's 推荐案例 is a proposal even when the form says published
    let form = app.get_page("/cases/new", &cookie).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(!form.body.contains("name=\"published\""));
    let a = w.a.to_string();
    let bad = app
        .post_form(
            "/cases",
            &cookie,
            &[
                ("csrf", &csrf),
                ("title", ""),
                ("party_org_id", &a),
                ("category", "tea"),
                ("year", "2024"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"e-title\""), "{}", bad.body);
    assert!(bad.body.contains("id=\"e-category\""));
    assert_eq!(app.audit_len().await, before, "nothing written");
    let ok = app
        .post_form(
            "/cases",
            &cookie,
            &[
                ("csrf", &csrf),
                ("title", "甲学会科普进社区"),
                ("party_org_id", &a),
                ("category", "volunteering"),
                ("year", "2024"),
                ("published", "on"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let id: i64 = ok.location()[7..]
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let r = app
        .get(&format!("/api/v1/cases/{id}"), &app.admin)
        .await
        .expect(200);
    assert_eq!(r.json["published"], false);
    // the committee publishes it through the page
    let (cc, ccsrf) = app.page_session(Role::Committee, None).await;
    let p = app
        .post_form(
            &format!("/cases/{id}/publish"),
            &cc,
            &[("csrf", &ccsrf), ("published", "true")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let r = app
        .get(&format!("/api/v1/cases/{id}"), &app.admin)
        .await
        .expect(200);
    assert_eq!(r.json["published"], true);
    // search and category filter
    let q = app.get_page("/cases?q=%E7%A7%91%E6%99%AE", &cc).await;
    assert!(q.body.contains("甲学会科普进社区"));
    assert!(!q.body.contains("乙学会党建带会建"));
    let cat = app.get_page("/cases?category=org_building", &cc).await;
    assert!(cat.body.contains("乙学会党建带会建"));
    assert!(!cat.body.contains("甲学会科普进社区"));
}

#[tokio::test]
async fn a_committee_member_records_a_visit_with_a_photo_and_the_last_visit_moves() {
    let app = TestApp::pages().await;
    let w = world(&app).await;
    let (cookie, csrf) = app.page_login("委员王").await;
    let home = app.get_page("/", &cookie).await;
    assert!(home.body.contains("id=\"dash-liaison\""), "{}", home.body);
    assert!(home.body.contains("id=\"record-visit\""));
    assert!(home.body.contains(&format!("data-last=\"{}\"", day(-120))));
    // 120 days ago: highlighted as not visited for long
    assert!(home.body.contains("class=\"stale\""));
    // a year's expectation of 4 × 1 contact point
    assert!(home.body.contains("应走访 4 次"), "{}", home.body);
    let form = app.get_page("/visits/new", &cookie).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("accept=\"image/*\" multiple")
            || form.body.contains("multiple accept=\"image/*\"")
    );
    assert!(form.body.contains("id=\"org-tiles\""));
    let a = w.a.to_string();
    let before = app.audit_len().await;
    let future = app
        .post_multipart(
            "/visits",
            &cookie,
            &[
                ("csrf", &csrf),
                ("party_org_id", &a),
                ("held_on", &day(3)),
                ("kind", "visit"),
            ],
            &[("现场.png", PNG)],
        )
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(future.body.contains("id=\"e-held_on\""), "{}", future.body);
    let junk = app
        .post_multipart(
            "/visits",
            &cookie,
            &[
                ("csrf", &csrf),
                ("party_org_id", &a),
                ("held_on", &day(0)),
                ("kind", "visit"),
            ],
            &[("x.exe", b"MZ\x90\0 an exe")],
        )
        .await;
    assert_eq!(junk.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(junk.body.contains("id=\"e-files\""));
    assert_eq!(app.audit_len().await, before, "nothing written");
    let ok = app
        .post_multipart(
            "/visits",
            &cookie,
            &[
                ("csrf", &csrf),
                ("party_org_id", &a),
                ("held_on", &day(0)),
                ("kind", "guidance"),
                ("notes", "指导支部开展主题党日"),
            ],
            &[("现场.png", PNG)],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = app.get_page(ok.location(), &cookie).await;
    assert!(page.body.contains("指导支部开展主题党日"));
    assert!(page.body.contains("class=\"thumb\""));
    let home = app.get_page("/", &cookie).await;
    assert!(home.body.contains(&format!("data-last=\"{}\"", day(0))));
    assert!(!home.body.contains("class=\"stale\""));
    let list = app
        .get_page(&format!("/visits?user_id={}", w.member), &cookie)
        .await;
    assert!(list.body.contains("class=\"thumb\""));
}

#[tokio::test]
async fn the_office_assigns_a_liaison_through_the_matrix() {
    let app = TestApp::pages().await;
    let w = world(&app).await;
    let (cookie, csrf) = app.page_login("admin").await;
    let m = app.get_page("/liaison", &cookie).await;
    // 委员王 has 1 of 3: below the target; B has no liaison
    assert!(m.body.contains("class=\"below\""));
    assert!(m.body.contains("id=\"without-list\""));
    let viewer = app.user("只读李", Role::Viewer, None).await.id;
    let before = app.audit_len().await;
    let b = w.b.to_string();
    let bad = app
        .post_form(
            "/liaisons",
            &cookie,
            &[
                ("csrf", &csrf),
                ("user_id", &viewer.to_string()),
                ("party_org_id", &b),
                ("since", &day(0)),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"e-user_id\""), "{}", bad.body);
    assert_eq!(app.audit_len().await, before, "nothing written");
    let ok = app
        .post_form(
            "/liaisons",
            &cookie,
            &[
                ("csrf", &csrf),
                ("user_id", &w.member.to_string()),
                ("party_org_id", &b),
                ("since", &day(0)),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let s = app
        .get("/api/v1/stats/liaison", &app.admin)
        .await
        .expect(200);
    assert_eq!(s.json["items"][0]["orgs"], 2);
    // a committee member sees the matrix but not the form
    let (cc, ccsrf) = app.page_session(Role::Committee, None).await;
    let m = app.get_page("/liaison", &cc).await;
    assert!(!m.body.contains("id=\"assign-form\""));
    let no = app
        .post_form(
            "/liaisons",
            &cc,
            &[
                ("csrf", &ccsrf),
                ("user_id", &w.member.to_string()),
                ("party_org_id", &b),
                ("since", &day(0)),
            ],
        )
        .await;
    assert_eq!(no.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_review_through_the_form_moves_last_reviewed_on() {
    let app = TestApp::pages().await;
    let w = world(&app).await;
    let (cookie, csrf) = app.page_session(Role::Branch, Some(w.a)).await;
    let list = app.get_page("/channels?review_overdue=true", &cookie).await;
    assert!(list.body.contains("《计算机应用》"));
    let page = app
        .get_page(&format!("/channels/{}", w.channel), &cookie)
        .await;
    assert!(page.body.contains("id=\"review-form\""));
    let before = app.audit_len().await;
    let bad = app
        .post_form(
            &format!("/channels/{}/reviews", w.channel),
            &cookie,
            &[("csrf", &csrf), ("reviewed_on", &day(5))],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"e-reviewed_on\""), "{}", bad.body);
    assert_eq!(app.audit_len().await, before, "nothing written");
    let ok = app
        .post_form(
            &format!("/channels/{}/reviews", w.channel),
            &cookie,
            &[
                ("csrf", &csrf),
                ("reviewed_on", &day(-2)),
                ("notes", "责任人已落实"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = app.get_page(ok.location(), &cookie).await;
    assert!(page.body.contains(&format!("data-day=\"{}\"", day(-2))));
    assert!(page.body.contains("责任人已落实"));
    let r = app
        .get(&format!("/api/v1/channels/{}", w.channel), &app.admin)
        .await
        .expect(200);
    assert_eq!(r.json["last_reviewed_on"], day(-2));
    let list = app.get_page("/channels?review_overdue=true", &cookie).await;
    assert!(!list.body.contains("《计算机应用》"));
    // B's branch does not see A's channel
    let (other, _) = app.page_session(Role::Branch, Some(w.b)).await;
    let r = app
        .get_page(&format!("/channels/{}", w.channel), &other)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
