//! M8 pages: the office-holder register (a branch keeps its own), courses with their
//! attendance added from the register or imported from a sign-in sheet, the yearly hours
//! ledger, and the exports of both ledgers. The clock is pinned to 2024-06-15.

use axum::http::StatusCode;
use domain::Role;
use serde_json::json;
use testkit::*;

struct World {
    app: TestApp,
    a: i64,
    course: i64,
    zhang: i64,
    wang: i64,
    li: i64,
    admin: (String, String),
    committee: (String, String),
    branch: (String, String),
    other: (String, String),
    viewer: (String, String),
    inspector: (String, String),
}

/// 甲 has 张明 (secretary), 王芳 (party worker since March 2024) and 陈静 (left in 2023);
/// 乙 has 李华. A May course of 24 hours attended by 张明 and 王芳, a June lecture of 4 by
/// 王芳: she meets her 27 hours, 张明 is 32 short and 李华 56.
async fn world() -> World {
    let app = TestApp::pages().await;
    let a = app.org("甲学会党支部", "branch", Some(1)).await;
    let b = app.org("乙学会党支部", "branch", Some(1)).await;
    let token = app.admin_api_token().await;
    let mut ids = Vec::new();
    for (org, name, position, since, until) in [
        (a, "张明", "secretary", "2020-01-01", None),
        (a, "王芳", "party_worker", "2024-03-01", None),
        (b, "李华", "secretary", "2021-03-01", None),
        (
            a,
            "陈静",
            "committee_member",
            "2019-01-01",
            Some("2023-12-31"),
        ),
    ] {
        ids.push(
            app.post(
                "/api/v1/office-holders",
                &token,
                json!({"name": name, "party_org_id": org, "position": position, "since": since, "until": until}),
            )
            .await
            .expect(201)
            .id(),
        );
    }
    let mut courses = Vec::new();
    for (title, from, to, hours) in [
        ("党支部书记培训班", "2024-05-20", "2024-05-24", 24.0),
        ("专题讲座", "2024-06-01", "2024-06-01", 4.0),
    ] {
        courses.push(
            app.post(
                "/api/v1/courses",
                &token,
                json!({"title": title, "kind": "class", "organizer": "市科协", "starts_on": from, "ends_on": to, "hours": hours}),
            )
            .await
            .expect(201)
            .id(),
        );
    }
    for (c, h) in [
        (courses[0], ids[0]),
        (courses[0], ids[1]),
        (courses[1], ids[1]),
    ] {
        app.post(
            &format!("/api/v1/courses/{c}/attendance"),
            &token,
            json!({"office_holder_id": h}),
        )
        .await
        .expect(201);
    }
    let admin = app.page_login("admin").await;
    let committee = app.page_session(Role::Committee, None).await;
    let branch = app.page_session(Role::Branch, Some(a)).await;
    let other = app.page_session(Role::Branch, Some(b)).await;
    let viewer = app.page_session(Role::Viewer, None).await;
    let inspector = app.page_session(Role::Inspector, None).await;
    World {
        app,
        a,
        course: courses[0],
        zhang: ids[0],
        wang: ids[1],
        li: ids[2],
        admin,
        committee,
        branch,
        other,
        viewer,
        inspector,
    }
}

fn pos(body: &str, what: &str) -> usize {
    body.find(what)
        .unwrap_or_else(|| panic!("{what} not on the page"))
}

#[tokio::test]
async fn training_pages_answer_each_role_and_a_branch_sees_its_own() {
    let w = world().await;
    let c = w.course;
    for (who, (cookie, _)) in [
        ("admin", &w.admin),
        ("committee", &w.committee),
        ("inspector", &w.inspector),
        ("viewer", &w.viewer),
        ("branch", &w.branch),
    ] {
        for path in [
            "/training/office-holders".to_string(),
            "/training/office-holders?position=secretary&year=2024&q=%E5%BC%A0".to_string(),
            format!("/training/office-holders/{}", w.zhang),
            "/training/courses".to_string(),
            format!("/training/courses/{c}"),
            format!("/training/courses/{c}/import"),
            "/training/hours".to_string(),
            "/training/hours?year=2024&short=true&sort=shortfall&position=secretary".to_string(),
        ] {
            let res = w.app.get_page(&path, cookie).await;
            assert_eq!(res.status, StatusCode::OK, "{who} {path}: {}", res.body);
            for nav in ["党务干部", "培训课程", "培训学时"] {
                assert!(res.body.contains(nav), "{who} {path}: nav entry {nav}");
            }
        }
    }
    // who may add: the register as the registry (admin, committee, branch), courses the office
    for (cookie, _) in [&w.admin, &w.committee, &w.branch] {
        let res = w.app.get_page("/training/office-holders/new", cookie).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.body.contains("id=\"holder-form\""));
    }
    for (cookie, _) in [&w.viewer, &w.inspector] {
        let res = w.app.get_page("/training/office-holders/new", cookie).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        let res = w
            .app
            .get_page(&format!("/training/office-holders/{}", w.zhang), cookie)
            .await;
        assert!(!res.body.contains("id=\"holder-form\""), "read-only");
    }
    for (cookie, _) in [&w.admin, &w.committee] {
        let res = w.app.get_page("/training/courses/new", cookie).await;
        assert_eq!(res.status, StatusCode::OK);
        let res = w
            .app
            .get_page(&format!("/training/courses/{c}"), cookie)
            .await;
        assert!(res.body.contains("id=\"pick-form\""));
        assert!(res.body.contains("id=\"course-import\""));
    }
    for (cookie, _) in [&w.branch, &w.viewer] {
        let res = w.app.get_page("/training/courses/new", cookie).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        let res = w
            .app
            .get_page(&format!("/training/courses/{c}"), cookie)
            .await;
        assert!(!res.body.contains("id=\"pick-form\""));
        let res = w
            .app
            .get_page(&format!("/training/courses/{c}/import"), cookie)
            .await;
        assert!(!res.body.contains("id=\"import-form\""), "read-only");
    }
    // the register: a branch sees its own people only
    let res = w
        .app
        .get_page("/training/office-holders", &w.branch.0)
        .await;
    assert!(res.body.contains("张明") && res.body.contains("陈静"));
    assert!(!res.body.contains("李华"), "another branch's");
    assert!(res.body.contains("已离任"), "陈静 left");
    let res = w
        .app
        .get_page("/training/office-holders", &w.committee.0)
        .await;
    assert!(res.body.contains("李华"));
    assert!(res.body.contains("共 4 条"), "{}", res.body);
    let res = w
        .app
        .get_page("/training/office-holders?year=2024", &w.committee.0)
        .await;
    assert!(!res.body.contains("陈静"), "not in position in 2024");
    assert_eq!(
        w.app
            .get_page(&format!("/training/office-holders/{}", w.li), &w.branch.0)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // a course's attendance: a branch sees its own people's
    let res = w
        .app
        .get_page(&format!("/training/courses/{c}"), &w.other.0)
        .await;
    assert!(res.body.contains("还没有参训记录"), "{}", res.body);
    let res = w
        .app
        .get_page(&format!("/training/courses/{c}"), &w.branch.0)
        .await;
    assert!(
        res.body.contains("共 2 人参训，合计 48 学时"),
        "{}",
        res.body
    );
    // the hours ledger
    let res = w
        .app
        .get_page("/training/hours?year=2024", &w.committee.0)
        .await;
    let kpi = &res.body[pos(&res.body, "id=\"hours-kpis\"")..];
    assert!(kpi.contains("<span class=\"num\">3</span>"), "people");
    assert!(kpi.contains("<span class=\"num\">33.3</span>"), "rate");
    assert!(kpi.contains("合计尚差 88 学时"), "32 + 56");
    assert!(res.body.contains("id=\"by-position\""));
    assert!(res.body.contains("<svg"), "the chart");
    assert!(res.body.contains("train-by-position"));
    // by org in tree order, or the most hours short first
    let b = &res.body;
    assert!(pos(b, ">张明<") < pos(b, ">李华<"));
    let res = w
        .app
        .get_page("/training/hours?year=2024&sort=shortfall", &w.committee.0)
        .await;
    let b = &res.body;
    assert!(pos(b, ">李华<") < pos(b, ">张明<") && pos(b, ">张明<") < pos(b, ">王芳<"));
    let res = w
        .app
        .get_page("/training/hours?year=2024&short=true", &w.committee.0)
        .await;
    assert!(!res.body.contains(">王芳<"), "she met hers");
    assert!(
        res.body.contains("<strong class=\"bad-text\">56</strong>"),
        "李华 is 56 short"
    );
    // a branch's ledger is its own; another org's subtree is not found
    let res = w
        .app
        .get_page("/training/hours?year=2024", &w.branch.0)
        .await;
    assert!(!res.body.contains("李华"));
    assert!(res.body.contains("<span class=\"num\">2</span>"));
    let res = w
        .app
        .get_page(&format!("/training/hours?party_org_id={}", w.a), &w.other.0)
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = w
        .app
        .get_page("/training/hours?year=2023", &w.committee.0)
        .await;
    assert!(res.body.contains("陈静"), "in position in 2023");
    let res = w
        .app
        .get_page("/training/hours?year=abc", &w.committee.0)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // the audit history link is the admin's
    let res = w
        .app
        .get_page(&format!("/training/office-holders/{}", w.zhang), &w.admin.0)
        .await;
    assert!(res.body.contains(&format!(
        "/audit?entity=office_holder&amp;entity_id={}",
        w.zhang
    )));
    let res = w
        .app
        .get_page(
            &format!("/training/office-holders/{}", w.zhang),
            &w.committee.0,
        )
        .await;
    assert!(!res.body.contains("id=\"holder-history\""));
    // a course's history names the course (its id is no org's)
    let res = w
        .app
        .get_page(&format!("/audit?entity=course&entity_id={c}"), &w.admin.0)
        .await;
    assert!(
        res.body.contains(&format!(
            "<a href=\"/training/courses/{c}\">党支部书记培训班</a>"
        )),
        "{}",
        res.body
    );
}

#[tokio::test]
async fn the_register_adds_changes_and_ends_a_post_with_errors_next_to_the_fields() {
    let w = world().await;
    let (cookie, csrf) = (&w.branch.0, w.branch.1.as_str());
    let a = w.a.to_string();
    let base = [
        ("csrf", csrf),
        ("name", "刘洋"),
        ("party_org_id", a.as_str()),
        ("position", "committee_member"),
    ];
    let mut form = base.to_vec();
    form.push(("since", "2024-02-30"));
    let res = w
        .app
        .post_form("/training/office-holders", cookie, &form)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"e-since\""), "{}", res.body);
    assert!(
        res.body.contains("value=\"刘洋\""),
        "what was typed is kept"
    );
    // another branch's org: refused next to the field, nothing written
    let other_org = (w.a + 1).to_string();
    let res = w
        .app
        .post_form(
            "/training/office-holders",
            cookie,
            &[
                ("csrf", csrf),
                ("name", "刘洋"),
                ("party_org_id", other_org.as_str()),
                ("position", "committee_member"),
                ("since", "2024-01-01"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"e-party_org_id\""), "{}", res.body);
    let mut form = base.to_vec();
    form.push(("since", "2024-01-01"));
    let res = w
        .app
        .post_form("/training/office-holders", cookie, &form)
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = res.location().to_string();
    assert!(page.ends_with("?msg=created"), "{page}");
    let path = page.split('?').next().unwrap().to_string();
    let res = w.app.get_page(&page, cookie).await;
    assert!(res.body.contains("刘洋（委员）"));
    assert!(
        res.body.contains("id=\"holder-end\""),
        "in position: can be ended"
    );
    // ending before the start is refused next to the date
    let end = format!("{path}/end");
    let res = w
        .app
        .post_form(&end, cookie, &[("csrf", csrf), ("until", "2023-12-01")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("field-error"), "{}", res.body);
    let res = w
        .app
        .post_form(&end, cookie, &[("csrf", csrf), ("until", "2024-06-01")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = w.app.get_page(&path, cookie).await;
    assert!(res.body.contains("已离任"), "{}", res.body);
    assert!(res.body.contains("value=\"2024-06-01\""));
    assert!(!res.body.contains("id=\"holder-end\""));
    // a change through the form; the viewer may not
    let mut form = base.to_vec();
    form.extend([("since", "2024-01-01"), ("until", "2024-06-01")]);
    form[1] = ("name", "刘阳");
    let res = w.app.post_form(&path, cookie, &form).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(w.app.get_page(&path, cookie).await.body.contains("刘阳"));
    let res = w
        .app
        .post_form(
            &path,
            &w.viewer.0,
            &[("csrf", w.viewer.1.as_str()), ("name", "x")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // every change is in the audit log
    let id = path.rsplit('/').next().unwrap();
    let res = w
        .app
        .get_page(
            &format!("/audit?entity=office_holder&entity_id={id}"),
            &w.admin.0,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("刘阳"), "{}", res.body);
    assert!(
        res.body.contains(&format!(
            "<a href=\"/training/office-holders/{id}\">刘阳</a>"
        )),
        "the record the history is of"
    );
    // removed from the register: gone from the list
    let res = w
        .app
        .post_form(&format!("{path}/delete"), cookie, &[("csrf", csrf)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        w.app.get_page(&path, cookie).await.status,
        StatusCode::NOT_FOUND
    );
    let res = w.app.get_page("/training/office-holders", cookie).await;
    assert!(!res.body.contains("刘阳"));
}

#[tokio::test]
async fn a_course_takes_its_attendance_from_the_register() {
    let w = world().await;
    let (cookie, csrf) = (&w.committee.0, w.committee.1.as_str());
    let course = [
        ("csrf", csrf),
        ("title", "党务工作者培训班"),
        ("kind", "class"),
        ("organizer", "市科协"),
        ("starts_on", "2024-06-10"),
        ("ends_on", "2024-06-12"),
    ];
    let mut form = course.to_vec();
    form.push(("hours", "2.25"));
    let res = w.app.post_form("/training/courses", cookie, &form).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"e-hours\""), "{}", res.body);
    assert!(res.body.contains("value=\"党务工作者培训班\""));
    let mut form = course.to_vec();
    form.push(("hours", "12"));
    let res = w.app.post_form("/training/courses", cookie, &form).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = res.location().to_string();
    let path = page.split('?').next().unwrap().to_string();
    let res = w.app.get_page(&page, cookie).await;
    assert!(res.body.contains("已新增培训课程"));
    // the picker: those in position during the course, by org, with a search
    let cands = |body: &str| -> String {
        let (from, to) = (pos(body, "id=\"h-pick\""), pos(body, "id=\"h-att\""));
        assert!(from < to, "the picker is above the attendance");
        body[from..to].to_string()
    };
    let all = cands(&res.body);
    for name in ["张明", "王芳", "李华"] {
        assert!(all.contains(name), "{name} is a candidate");
    }
    assert!(!all.contains("陈静"), "left before the course");
    let res = w
        .app
        .get_page(&format!("{path}?pick_org={}", w.a), cookie)
        .await;
    assert!(!cands(&res.body).contains("李华"));
    let res = w.app.get_page(&format!("{path}?q=%E6%9D%8E"), cookie).await;
    let only = cands(&res.body);
    assert!(only.contains("李华") && !only.contains("张明"));
    // nobody ticked, or more hours than the course's: said next to the field
    let add = format!("{path}/attendance");
    let res = w.app.post_form(&add, cookie, &[("csrf", csrf)]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("id=\"e-office_holder_id\""),
        "{}",
        res.body
    );
    let (zhang, wang, li) = (w.zhang.to_string(), w.wang.to_string(), w.li.to_string());
    let res = w
        .app
        .post_form(
            &add,
            cookie,
            &[
                ("csrf", csrf),
                ("office_holder_id", zhang.as_str()),
                ("hours", "13"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"e-hours\""), "{}", res.body);
    assert!(
        res.body.contains(&format!("value=\"{zhang}\" checked")),
        "the ticks are kept"
    );
    let res = w
        .app
        .post_form(
            &add,
            cookie,
            &[
                ("csrf", csrf),
                ("office_holder_id", zhang.as_str()),
                ("office_holder_id", wang.as_str()),
                ("hours", ""),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = w.app.get_page(res.location(), cookie).await;
    assert!(res.body.contains("已添加 2 人的参训记录"), "{}", res.body);
    assert!(res.body.contains("共 2 人参训，合计 24 学时"));
    let left = cands(&res.body);
    assert!(
        !left.contains("张明") && left.contains("李华"),
        "added ones leave the picker"
    );
    let res = w
        .app
        .post_form(
            &add,
            cookie,
            &[
                ("csrf", csrf),
                ("office_holder_id", li.as_str()),
                ("hours", "6.5"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = w.app.get_page(&path, cookie).await;
    assert!(
        res.body.contains("共 3 人参训，合计 30.5 学时"),
        "{}",
        res.body
    );
    // a branch may not add or remove
    let res = w
        .app
        .post_form(
            &add,
            &w.branch.0,
            &[
                ("csrf", w.branch.1.as_str()),
                ("office_holder_id", zhang.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let remove = format!("{path}/attendance/{wang}/delete");
    let res = w
        .app
        .post_form(&remove, &w.branch.0, &[("csrf", w.branch.1.as_str())])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = w.app.post_form(&remove, cookie, &[("csrf", csrf)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = w.app.get_page(res.location(), cookie).await;
    assert!(res.body.contains("已移除参训记录"));
    assert!(
        res.body.contains("共 2 人参训，合计 18.5 学时"),
        "{}",
        res.body
    );
    // the course's edit form keeps its values
    let res = w.app.get_page(&format!("{path}/edit"), cookie).await;
    assert!(res.body.contains("value=\"12\""));
    let mut form = course.to_vec();
    form.push(("hours", "16"));
    let res = w.app.post_form(&path, cookie, &form).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(w.app.get_page(&path, cookie).await.body.contains("16 学时"));
}

fn upload(file: &[u8], name: &str, csrf: &str) -> Multipart {
    Multipart::new()
        .field("csrf", csrf)
        .file("file", name, "text/csv", file)
}

#[tokio::test]
async fn the_sign_in_import_page_shows_row_errors_and_writes_nothing() {
    let w = world().await;
    let (cookie, csrf) = (&w.committee.0, w.committee.1.as_str());
    let c = w.course;
    let path = format!("/training/courses/{c}/import");
    let res = w.app.get_page(&path, cookie).await;
    assert!(res
        .body
        .contains("href=\"/training/attendance-template.xlsx\""));
    for h in [
        "<code>姓名</code>",
        "<code>所属党组织</code>",
        "<code>学时</code>",
    ] {
        assert!(res.body.contains(h), "{h}");
    }
    let bad =
        "姓名,所属党组织,学时\n李华,乙学会党支部,\n无名氏,乙学会党支部,3\n李华,乙学会党支部,30\n";
    let res = w
        .app
        .send_multipart(&path, cookie, upload(bad.as_bytes(), "签到表.csv", csrf))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("id=\"import-errors\""));
    assert!(
        res.body
            .contains("<td class=\"num\">3</td><td class=\"nowrap\">姓名</td>"),
        "{}",
        res.body
    );
    assert!(res
        .body
        .contains("<td class=\"num\">4</td><td class=\"nowrap\">学时</td>"));
    assert!(res.body.contains("未写入任何数据"));
    assert!(res.body.contains("签到表.csv"), "the file is named");
    let course = w
        .app
        .get_page(&format!("/training/courses/{c}"), cookie)
        .await;
    assert!(course.body.contains("共 2 人参训"), "nothing written");
    // a branch may not import
    let res = w
        .app
        .send_multipart(
            &path,
            &w.branch.0,
            upload(bad.as_bytes(), "签到表.csv", &w.branch.1),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // the sheet fixed goes in
    let good = "姓名,所属党组织,学时\n李华,乙学会党支部,\n";
    let res = w
        .app
        .send_multipart(&path, cookie, upload(good.as_bytes(), "签到表.csv", csrf))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(
        res.body.contains("导入成功：新增 1 条参训记录"),
        "{}",
        res.body
    );
    assert!(res
        .body
        .contains(&format!("href=\"/training/courses/{c}\"")));
    let course = w
        .app
        .get_page(&format!("/training/courses/{c}"), cookie)
        .await;
    assert!(
        course.body.contains("共 3 人参训，合计 72 学时"),
        "{}",
        course.body
    );
    // not a sheet, or no file: said on the page
    let res = w
        .app
        .send_multipart(&path, cookie, upload(b"%PDF-1.4 x", "a.pdf", csrf))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"import-error\""), "{}", res.body);
    let res = w
        .app
        .send_multipart(&path, cookie, Multipart::new().field("csrf", csrf))
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    // the template
    let res = w
        .app
        .get_page("/training/attendance-template.xlsx", cookie)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("content-type"), Some(XLSX_TYPE));
    let (header, rows) = read_xlsx(&res.bytes);
    assert_eq!(header, ["姓名", "所属党组织", "学时"]);
    assert!(rows.is_empty());
}

#[tokio::test]
async fn both_ledgers_export_as_xlsx_with_their_header_rows() {
    let w = world().await;
    let res = w
        .app
        .get_page("/training/office-holders/export.xlsx", &w.branch.0)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("content-type"), Some(XLSX_TYPE));
    let (header, rows) = read_xlsx(&res.bytes);
    assert_eq!(
        header,
        [
            "序号",
            "姓名",
            "所属党组织",
            "职务",
            "任职时间",
            "离任时间",
            "是否在任",
            "编号"
        ]
    );
    let names: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(names.len(), 3, "a branch's own: {names:?}");
    assert!(!names.contains(&"李华"));
    let chen = rows.iter().find(|r| r[1] == "陈静").unwrap();
    assert_eq!((chen[5].as_str(), chen[6].as_str()), ("2023-12-31", "否"));
    // the list's filters go with the export link
    let res = w
        .app
        .get_page(
            "/training/office-holders?position=secretary",
            &w.committee.0,
        )
        .await;
    assert!(res
        .body
        .contains("href=\"/training/office-holders/export.xlsx?position=secretary\""));
    let res = w
        .app
        .get_page(
            "/training/office-holders/export.xlsx?position=secretary",
            &w.committee.0,
        )
        .await;
    let (_, rows) = read_xlsx(&res.bytes);
    assert_eq!(rows.len(), 2, "张明 and 李华: {rows:?}");
    // the hours ledger, in the page's order
    let res = w
        .app
        .get_page("/training/hours?year=2024&sort=shortfall", &w.committee.0)
        .await;
    assert!(
        res.body
            .contains("href=\"/training/hours/export.xlsx?year=2024&#38;sort=shortfall\""),
        "{}",
        res.body
    );
    let res = w
        .app
        .get_page(
            "/training/hours/export.xlsx?year=2024&sort=shortfall",
            &w.committee.0,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let (header, rows) = read_xlsx(&res.bytes);
    assert_eq!(
        header,
        [
            "序号",
            "姓名",
            "所属党组织",
            "职务",
            "应修学时",
            "已修学时",
            "尚差学时",
            "是否达标"
        ]
    );
    let order: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[1].as_str(), r[6].as_str()))
        .collect();
    assert_eq!(order, [("李华", "56"), ("张明", "32"), ("王芳", "0")]);
    assert_eq!(rows[2][7], "是");
    let res = w
        .app
        .get_page("/training/hours/export.xlsx?year=2024", &w.branch.0)
        .await;
    let (_, rows) = read_xlsx(&res.bytes);
    assert_eq!(rows.len(), 2, "a branch's own");
}
