//! M5 pages: the to-fill list and the forms' overview, a form filled in and submitted
//! through its page, errors next to the fields, the review on the ledger page, the matrix,
//! the designer (admin only) and the funded projects. The clock is pinned to 2024-06-15.

use axum::http::StatusCode;
use domain::Role;
use serde_json::json;
use testkit::*;

fn quarterly() -> serde_json::Value {
    json!({
        "title": "党建工作季报", "period": "quarter", "due_days": 10,
        "applies_to": "party_orgs", "org_kinds": ["branch"],
        "active_from": "2024-01-01",
        "fields": [
            {"key": "progress", "label": "进展情况", "type": "text", "required": true},
            {"key": "spent", "label": "本季度支出", "type": "number", "required": true, "min": 0, "unit": "元"},
            {"key": "events", "label": "开展活动次数", "type": "integer", "min": 0, "max": 100},
            {"key": "status", "label": "完成程度", "type": "choice", "required": true, "choices": ["按计划推进", "滞后"]},
            {"key": "evidence", "label": "佐证材料", "type": "file"}
        ]
    })
}

struct World {
    app: TestApp,
    form: i64,
    org: i64,
    admin: (String, String),
    branch: (String, String),
    other: (String, String),
    committee: (String, String),
}

async fn world() -> World {
    let app = TestApp::pages().await;
    let org = app.org("甲学会党支部", "branch", Some(1)).await;
    let org_b = app.org("乙学会党支部", "branch", Some(1)).await;
    let token = app.admin_api_token().await;
    let form = app
        .post("/api/v1/report-forms", &token, quarterly())
        .await
        .expect(201)
        .id();
    let admin = app.page_login("admin").await;
    let branch = app.page_session(Role::Branch, Some(org)).await;
    let other = app.page_session(Role::Branch, Some(org_b)).await;
    let committee = app.page_session(Role::Committee, None).await;
    World {
        app,
        form,
        org,
        admin,
        branch,
        other,
        committee,
    }
}

#[tokio::test]
async fn report_pages_answer_each_role() {
    let w = world().await;
    let fid = w.form;
    for (who, (cookie, _)) in [("admin", &w.admin), ("committee", &w.committee)] {
        for path in [
            "/reports".to_string(),
            format!("/reports/forms/{fid}"),
            format!("/reports/forms/{fid}?state=not_started&late=true"),
            "/reports/projects".to_string(),
            "/reports/projects?year=2024".to_string(),
        ] {
            let res = w.app.get_page(&path, cookie).await;
            assert_eq!(res.status, StatusCode::OK, "{who} {path}: {}", res.body);
            assert!(res.body.contains("报表填报"), "{who} {path}: nav entry");
        }
        let res = w
            .app
            .get_page(
                &format!("/reports/forms/{fid}/export.xlsx?period=2024-Q2"),
                cookie,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{who}");
        let res = w
            .app
            .get_page("/reports/projects/export.xlsx", cookie)
            .await;
        assert_eq!(res.status, StatusCode::OK, "{who}");
    }
    // the committee's overview: the form with its current period's figures and the matrix
    let res = w.app.get_page("/reports", &w.committee.0).await;
    assert!(res.body.contains("id=\"forms-table\""), "{}", res.body);
    assert!(res.body.contains("党建工作季报"));
    assert!(res.body.contains("2024年第二季度"));
    let res = w
        .app
        .get_page(&format!("/reports/forms/{fid}"), &w.committee.0)
        .await;
    assert!(res.body.contains("id=\"matrix\""));
    assert!(res.body.contains("heat missed"), "Q1 is past its deadline");
    assert!(res.body.contains("heat upcoming"), "Q2 is not due yet");
    assert!(res.body.contains("id=\"heat-legend\""));
    assert!(res.body.contains("<svg"), "the trend chart");
    // the designer is the admin's
    for path in [
        "/reports/forms/new".to_string(),
        format!("/reports/forms/{fid}/edit"),
    ] {
        let res = w.app.get_page(&path, &w.admin.0).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        for (cookie, _) in [&w.committee, &w.branch] {
            let res = w.app.get_page(&path, cookie).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}");
        }
    }
    // a branch's list: what it has to fill in, the late one first
    let res = w.app.get_page("/reports", &w.branch.0).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("id=\"todo-table\""), "{}", res.body);
    let q1 = res.body.find("2024年第一季度").expect("Q1 listed");
    let q2 = res.body.find("2024年第二季度").expect("Q2 listed");
    assert!(q1 < q2, "the earlier deadline first");
    assert!(res.body.contains("已逾期"));
    // unknown ids
    for path in [
        "/reports/forms/999".to_string(),
        "/reports/forms/abc".to_string(),
        "/reports/projects/999".to_string(),
        format!(
            "/reports/forms/{fid}/fill?period=2023-Q1&party_org_id={}",
            w.org
        ),
        format!("/reports/forms/{fid}/fill?period=2024-Q2"),
    ] {
        let res = w.app.get_page(&path, &w.branch.0).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn a_branch_fills_in_submits_and_the_committee_reviews() {
    let w = world().await;
    let fid = w.form;
    let (cookie, csrf) = (&w.branch.0, w.branch.1.as_str());
    let fill = format!(
        "/reports/forms/{fid}/fill?period=2024-Q2&party_org_id={}",
        w.org
    );
    let res = w.app.get_page(&fill, cookie).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    for want in [
        "inputmode=\"decimal\"",
        "inputmode=\"numeric\" step=\"1\" min=\"0\" max=\"100\"",
        "<textarea id=\"f-progress\"",
        "type=\"radio\" name=\"values.status\" value=\"滞后\"",
        "accept=\"image/*,application/pdf\" capture",
        "class=\"rf-unit\">元<",
        "id=\"report-save\"",
        "id=\"report-submit\"",
    ] {
        assert!(res.body.contains(want), "{want}");
    }
    // another branch may not fill it in
    let res = w.app.get_page(&fill, &w.other.0).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let post = format!("/reports/forms/{fid}/fill");
    let org = w.org.to_string();
    let base = [
        ("csrf", csrf),
        ("period", "2024-Q2"),
        ("party_org_id", org.as_str()),
    ];
    // a number that is not one, and one below its bound: errors next to the field, typed kept
    for bad in ["很多", "-5"] {
        let mut form = base.to_vec();
        form.extend([
            ("values.spent", bad),
            ("values.progress", "按计划开展"),
            ("action", "edit"),
        ]);
        let res = w.app.post_multipart(&post, cookie, &form, &[]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(res.body.contains("id=\"e-spent\""), "{bad}: {}", res.body);
        assert!(res.body.contains("按计划开展"), "what was typed is kept");
    }
    // the first save makes the draft
    let mut form = base.to_vec();
    form.extend([
        ("values.spent", "1200.5"),
        ("values.progress", "按计划开展"),
        ("action", "edit"),
    ]);
    let res = w.app.post_multipart(&post, cookie, &form, &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = res.location();
    assert!(page.ends_with("?msg=draft"), "{page}");
    let id: i64 = page
        .trim_start_matches("/report-submissions/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let res = w.app.get_page(page, cookie).await;
    assert!(res.body.contains("已保存草稿"), "{}", res.body);
    assert!(res.body.contains("value=\"1200.5\""));
    // the fill page now leads to the draft
    let res = w.app.get_page(&fill, cookie).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    // submitting without a required choice: the error is next to it
    let save = format!("/reports/submissions/{id}/save");
    let res = w
        .app
        .post_multipart(
            &save,
            cookie,
            &[
                ("csrf", csrf),
                ("values.spent", "1200.5"),
                ("values.progress", "按计划开展"),
                ("action", "submit"),
            ],
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"e-status\""), "{}", res.body);
    let full = [
        ("csrf", csrf),
        ("values.spent", "1200.5"),
        ("values.progress", "按计划开展"),
        ("values.status", "按计划推进"),
        ("values.events", "3"),
        ("action", "submit"),
    ];
    let res = w.app.post_multipart(&save, cookie, &full, &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(res.location().ends_with("?msg=submitted"));
    let res = w.app.get_page(res.location(), cookie).await;
    assert!(res.body.contains("已提交报表"), "{}", res.body);
    assert!(
        res.body.contains("id=\"report-values\""),
        "read-only once submitted"
    );
    assert!(!res.body.contains("id=\"report-form\""));
    // the other branch cannot see it
    let rec = format!("/report-submissions/{id}");
    assert_eq!(
        w.app.get_page(&rec, &w.other.0).await.status,
        StatusCode::NOT_FOUND
    );
    // the committee returns it, with a reason
    let (cc, ccsrf) = (&w.committee.0, w.committee.1.as_str());
    let res = w.app.get_page(&rec, cc).await;
    assert!(res.body.contains("id=\"review-form\""), "{}", res.body);
    let review = format!("{rec}/review");
    let res = w
        .app
        .post_form(&review, cc, &[("csrf", ccsrf), ("decision", "return")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = w
        .app
        .post_form(
            &review,
            cc,
            &[
                ("csrf", ccsrf),
                ("decision", "return"),
                ("comment", "支出数据缺少佐证"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    // the branch sees why, corrects and resubmits
    let res = w.app.get_page(&rec, cookie).await;
    assert!(res.body.contains("支出数据缺少佐证"));
    assert!(res.body.contains("id=\"report-form\""));
    let mut m = Multipart::new();
    for (k, v) in full {
        m = m.field(k, v);
    }
    let m = m.file(
        "values.evidence",
        "佐证.pdf",
        "application/pdf",
        b"%PDF-1.4 test",
    );
    let res = w.app.send_multipart(&save, cookie, m).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = w
        .app
        .post_form(&review, cc, &[("csrf", ccsrf), ("decision", "accept")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = w.app.get_page(res.location(), cc).await;
    assert!(res.body.contains("已审核通过"));
    assert!(
        res.body.contains("佐证.pdf"),
        "the file field names its file"
    );
    // accepted: gone from the branch's list, green in the matrix
    let res = w.app.get_page("/reports", cookie).await;
    assert!(!res.body.contains(&rec));
    let res = w.app.get_page(&format!("/reports/forms/{fid}"), cc).await;
    assert!(res.body.contains("heat met"));
    assert!(res.body.contains(&rec));
}

#[tokio::test]
async fn the_designer_creates_and_changes_a_form() {
    let w = world().await;
    let (cookie, csrf) = (&w.admin.0, w.admin.1.as_str());
    let base = [
        ("csrf", csrf),
        ("title", "“双高”项目月报"),
        ("period", "month"),
        ("due_days", "5"),
        ("applies_to", "party_orgs"),
        ("kind_branch", "on"),
        ("active_from", "2024-01-01"),
        ("rows", "2"),
        ("fields[0].label", "活动次数"),
        ("fields[0].key", "events"),
        ("fields[0].type", "integer"),
        ("fields[0].min", "0"),
        ("fields[0].required", "on"),
        ("fields[1].label", "完成情况"),
        ("fields[1].key", "status"),
        ("fields[1].type", "choice"),
        ("fields[1].choices", "正常\n滞后"),
    ];
    // rows are added and moved without saving
    let mut form = base.to_vec();
    form.push(("op", "add"));
    let res = w.app.post_form("/reports/forms/new", cookie, &form).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("name=\"fields[2].label\""));
    let mut form = base.to_vec();
    form.push(("op", "down:0"));
    let res = w.app.post_form("/reports/forms/new", cookie, &form).await;
    let first = res.body.find("value=\"完成情况\"").unwrap();
    let second = res.body.find("value=\"活动次数\"").unwrap();
    assert!(first < second, "moved down");
    assert!(res.body.contains("id=\"preview\""));
    // a bad field is named next to it
    let mut form = base.to_vec();
    form.retain(|(k, _)| *k != "fields[1].choices");
    form.push(("op", "save"));
    let res = w.app.post_form("/reports/forms/new", cookie, &form).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("field-error"));
    // saved
    let mut form = base.to_vec();
    form.push(("op", "save"));
    let res = w.app.post_form("/reports/forms/new", cookie, &form).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let to = res.location();
    assert!(
        to.starts_with("/reports/forms/") && to.ends_with("?msg=saved"),
        "{to}"
    );
    let res = w.app.get_page(to, cookie).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("“双高”项目月报"));
    assert!(res.body.contains("alert ok"), "the save is said");
    // others may not
    let res = w
        .app
        .post_form("/reports/forms/new", &w.committee.0, &form)
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_projects_ledger_and_a_project_with_its_expenditures() {
    let w = world().await;
    let soc = w.app.society("甲学会", Some(w.org), json!({})).await["id"]
        .as_i64()
        .unwrap();
    let token = w.app.admin_api_token().await;
    let pid = w
        .app
        .post(
            "/api/v1/funded-projects",
            &token,
            json!({"programme": "double_high", "title": "学术品牌建设", "society_id": soc,
                "year": 2024, "budget": 200000.00,
                "indicators": [{"name": "举办学术会议", "unit": "场", "target": 4, "actual": 3}]}),
        )
        .await
        .expect(201)
        .id();
    let res = w.app.get_page("/reports/projects", &w.committee.0).await;
    assert!(res.body.contains("学术品牌建设"), "{}", res.body);
    assert!(res.body.contains("200,000.00"));
    assert!(res.body.contains("<meter"));
    let page = format!("/reports/projects/{pid}");
    for (cookie, _) in [&w.committee, &w.branch, &w.admin] {
        assert_eq!(w.app.get_page(&page, cookie).await.status, StatusCode::OK);
    }
    assert_eq!(
        w.app.get_page(&page, &w.other.0).await.status,
        StatusCode::NOT_FOUND,
        "another branch's project"
    );
    let res = w.app.get_page(&page, &w.committee.0).await;
    assert!(res.body.contains("举办学术会议"));
    assert!(res.body.contains("75.0%"));
    assert!(res.body.contains("id=\"expenditure-form\""));
    assert!(!w
        .app
        .get_page(&page, &w.branch.0)
        .await
        .body
        .contains("id=\"expenditure-form\""));
    let post = format!("{page}/expenditures");
    let (cc, csrf) = (&w.committee.0, w.committee.1.as_str());
    let res = w
        .app
        .post_form(
            &post,
            cc,
            &[
                ("csrf", csrf),
                ("spent_on", "2024-06-01"),
                ("amount", "很多"),
                ("purpose", "会议场地"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("field-error"));
    assert!(res.body.contains("会议场地"), "what was typed is kept");
    let res = w
        .app
        .post_form(
            &post,
            cc,
            &[
                ("csrf", csrf),
                ("spent_on", "2024-06-01"),
                ("amount", "86000.50"),
                ("purpose", "会议场地"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = w.app.get_page(res.location(), cc).await;
    assert!(res.body.contains("86,000.50"));
    assert!(res.body.contains("43.0"), "the execution rate");
    let (bc, bcsrf) = (&w.branch.0, w.branch.1.as_str());
    let res = w
        .app
        .post_form(
            &post,
            bc,
            &[
                ("csrf", bcsrf),
                ("spent_on", "2024-06-01"),
                ("amount", "1"),
                ("purpose", "x"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = w.app.get_page("/reports/projects/export.xlsx", cc).await;
    assert_eq!(res.status, StatusCode::OK);
}
