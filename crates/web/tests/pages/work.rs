use axum::http::StatusCode;
use domain::{PartyOrgPatch, Role};
use store::{Actor, Scope};
use testkit::*;

#[tokio::test]
async fn work_pages_render_for_every_role_and_forms_check_csrf() {
    let (app, cookie, csrf) = TestApp::pages_as_admin().await;
    for path in [
        "/work-plans",
        "/tasks",
        "/tasks/new",
        "/tasks?overdue=true&sort=due_on",
        "/rectifications",
        "/rectifications?state=open&sort=org",
        "/inspections",
        "/inbox",
        "/bulletins/rectification",
        "/bulletins/tasks?from=2024-01-01&to=2024-06-30",
    ] {
        let res = app.get_page(path, &cookie).await;
        assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.body);
        assert!(res.body.contains("<nav id=\"sidenav\""), "{path}");
    }
    assert!(app
        .get_page("/", &cookie)
        .await
        .body
        .contains("id=\"work-dashboard\""));
    for path in [
        "/tasks?state=done",
        "/rectifications/999",
        "/assignments/abc",
        "/work-plans/7",
    ] {
        let res = app.get_page(path, &cookie).await;
        assert!(res.status.is_client_error(), "{path}: {}", res.status);
    }
    for path in [
        "/bulletins/preview.css",
        "/tasks/export.xlsx?overdue=true",
        "/rectifications/export.xlsx",
        "/bulletins/rectification.docx?doc_number=x",
        "/bulletins/tasks.docx",
    ] {
        let res = app.get_page(path, &cookie).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
    }
    let res = app
        .get_page(
            "/bulletins/tasks.docx?from=2024-05-01&to=2024-04-01",
            &cookie,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A finding from the page form: CSRF checked, then saved.
    let res = app
        .post_form(
            "/findings",
            &cookie,
            &[
                ("source", "self_check"),
                ("party_org_id", "1"),
                ("severity", "minor"),
                ("due_on", "2030-01-01"),
                ("description", "x"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let form = [
        ("csrf", csrf.as_str()),
        ("source", "self_check"),
        ("party_org_id", "1"),
        ("severity", "minor"),
        ("due_on", "2030-01-01"),
        ("description", "台账不全"),
    ];
    let res = app.post_form("/findings", &cookie, &form).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let mut bad = form;
    bad[4] = ("due_on", "2000-01-01");
    let res = app.post_form("/findings", &cookie, &bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("不能早于") && res.body.contains("台账不全"),
        "errors shown, input kept"
    );
    // the viewer sees the pages but no forms, and is refused
    let (viewer, vcsrf) = app.page_session(Role::Viewer, None).await;
    let res = app.get_page("/rectifications", &viewer).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(!res.body.contains("id=\"own-finding\""));
    let mut vform = form;
    vform[0] = ("csrf", vcsrf.as_str());
    assert_eq!(
        app.post_form("/findings", &viewer, &vform).await.status,
        StatusCode::FORBIDDEN
    );
}

/// Above 300 orgs the task form takes typed ids: "1,2" names two orgs; a piece that is no
/// number is an error next to the field and nothing is saved (it was dropped silently).
#[tokio::test]
async fn typed_org_ids_are_all_read_or_refused() {
    let app = TestApp::pages().await;
    let patch: PartyOrgPatch =
        serde_json::from_str(r#"{"name":"乙支部","kind":"branch","parent_id":1}"#).expect("patch");
    let second = app
        .state
        .store
        .create_org(&Actor::system("test"), &Scope::All, &patch)
        .await
        .expect("org");
    let (cookie, csrf) = app.page_login("admin").await;
    let ids = format!("1，{}", second.id);
    let task = |ids: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("title", "开展主题教育".to_string()),
            ("due_on", "2030-01-01".to_string()),
            ("party_org_ids", ids.to_string()),
        ]
    };
    let form = task("1,abc");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.post_form("/tasks", &cookie, &pairs).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("“abc”不是编号"), "{}", res.body);
    let form = task(&ids);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.post_form("/tasks", &cookie, &pairs).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let tasks = app
        .state
        .store
        .list_tasks(
            &Scope::All,
            store::PageReq {
                page: 1,
                per_page: 50,
            },
        )
        .await
        .expect("tasks");
    assert_eq!(tasks.total, 1);
    assert_eq!(tasks.items[0].assignments.len(), 2);
}

/// What waits on a user shows as a count on the inbox in the navigation (and on the
/// phone's menu button): a branch's task to report; gone once it has reported.
#[tokio::test]
async fn the_inbox_badge_counts_what_waits() {
    let app = TestApp::pages().await;
    let branch = app.org("甲学会党支部", "branch", Some(1)).await;
    let (cookie, _) = app.page_session(Role::Branch, Some(branch)).await;
    let page = app.get_page("/tasks", &cookie).await;
    assert!(
        !page.body.contains("id=\"badge-inbox\""),
        "nothing waits yet"
    );
    let admin = app.admin_api_token().await;
    let task = app
        .post(
            "/api/v1/tasks",
            &admin,
            serde_json::json!({"title": "学习", "due_on": day(10), "party_org_ids": [branch]}),
        )
        .await
        .expect(201);
    let page = app.get_page("/tasks", &cookie).await;
    assert!(page.body.contains("id=\"badge-inbox\""), "{}", page.body);
    assert!(page.body.contains(">1</span>"));
    let id = task.json["assignments"][0]["id"].as_i64().unwrap();
    let token = app.token_for(Role::Admin, None).await;
    app.post(
        &format!("/api/v1/assignments/{id}/reports"),
        &token,
        serde_json::json!({"progress": 100}),
    )
    .await
    .expect(201);
    let page = app.get_page("/tasks", &cookie).await;
    assert!(!page.body.contains("id=\"badge-inbox\""));
}

/// Importing the same plan (title and year) again is pointed out at the preview step.
#[tokio::test]
async fn a_plan_imported_twice_is_pointed_out_before_saving() {
    let (app, cookie, csrf) = TestApp::pages_as_admin().await;
    let text = "一、加强政治建设\n1.深入学习。全年组织学习。\n";
    let fields = [
        ("csrf", csrf.as_str()),
        ("title", "2026年工作要点"),
        ("year", "2026"),
        ("text", text),
    ];
    let first = app
        .post_multipart("/work-plans/preview", &cookie, &fields, &[])
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(!first.body.contains("已于"), "{}", first.body);
    app.post(
        "/api/v1/work-plans/import",
        &app.admin,
        serde_json::json!({"title": "2026年工作要点", "year": 2026, "text": text}),
    )
    .await
    .expect(201);
    let again = app
        .post_multipart("/work-plans/preview", &cookie, &fields, &[])
        .await;
    assert!(
        again.body.contains("id=\"plan-warnings\""),
        "{}",
        again.body
    );
    assert!(again.body.contains("《2026年工作要点》已于"));
}

/// The committee's dashboard names the orgs most behind by their own late records, most
/// first, each count linking to that org's late records.
#[tokio::test]
async fn the_dashboard_names_the_orgs_most_behind() {
    let (app, cookie, _) = TestApp::pages_as_admin().await;
    let a = app.org("甲学会党支部", "branch", Some(1)).await;
    let b = app.org("乙学会党支部", "branch", Some(1)).await;
    app.post(
        "/api/v1/tasks",
        &app.admin,
        serde_json::json!({"title": "学习", "issued_on": day(-10), "due_on": day(-1), "party_org_ids": [a, b]}),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/findings",
        &app.admin,
        serde_json::json!({"source": "self_check", "party_org_id": b, "description": "台账不全",
            "severity": "minor", "found_on": day(-5), "due_on": day(-2)}),
    )
    .await
    .expect(201);
    let dash = app.get_page("/", &cookie).await;
    let list = dash
        .body
        .split("id=\"behind\"")
        .nth(1)
        .and_then(|x| x.split("</ol>").next())
        .unwrap_or("")
        .to_string();
    let (pa, pb) = (list.find("甲学会党支部"), list.find("乙学会党支部"));
    assert!(pa.is_some() && pb.is_some(), "{}", dash.body);
    assert!(pb < pa, "the org with two late records comes first: {list}");
    assert!(list.contains(&format!("/rectifications?party_org_id={b}&amp;late=true")));
    // a branch's home does not rank orgs
    let (branch, _) = app.page_session(Role::Branch, Some(a)).await;
    assert!(!app
        .get_page("/", &branch)
        .await
        .body
        .contains("id=\"behind\""));
}

/// Those who oversee see the figures first and their to-do after; a branch sees what it
/// must do first.
#[tokio::test]
async fn the_home_puts_first_what_the_role_needs() {
    let (app, cookie, _) = TestApp::pages_as_admin().await;
    let branch = app.org("甲学会党支部", "branch", Some(1)).await;
    let home = app.get_page("/", &cookie).await.body;
    let (work, todo) = (home.find("id=\"work-dashboard\""), home.find("id=\"todo\""));
    assert!(work.is_some() && todo.is_some());
    assert!(work < todo, "the office sees the figures first");
    let (b, _) = app.page_session(Role::Branch, Some(branch)).await;
    let home = app.get_page("/", &b).await.body;
    let (work, todo) = (home.find("id=\"work-dashboard\""), home.find("id=\"todo\""));
    assert!(todo < work, "a branch sees its to-do first");
}

/// The home of those who oversee shows the last 12 months' work as a line chart: one line
/// per series, each month a point, this month's figures in its description; a branch's
/// home has no trend.
#[tokio::test]
async fn the_home_shows_the_trend_by_month() {
    let (app, cookie, _) = TestApp::pages_as_admin().await;
    let org = app.org("趋势党支部", "branch", Some(1)).await;
    for held_on in [day(-1), day(-2), "2024-03-05".to_string()] {
        app.post(
            "/api/v1/activities",
            &app.admin,
            serde_json::json!({"party_org_id": org, "kind": "theme_day", "held_on": held_on, "topic": "主题党日"}),
        )
        .await
        .expect(201);
    }
    let f = app
        .post(
            "/api/v1/findings",
            &app.admin,
            serde_json::json!({"source": "self_check", "party_org_id": org, "description": "台账不全",
                "severity": "minor", "found_on": day(-5), "due_on": day(20)}),
        )
        .await
        .expect(201);
    let rect = f.json["rectification"]["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/rectifications/{rect}/submit"),
        &app.admin,
        serde_json::json!({"response": "已补齐"}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/rectifications/{rect}/verify"),
        &app.admin,
        serde_json::json!({"decision": "verify", "comment": "整改到位"}),
    )
    .await
    .expect(200);
    let home = app.get_page("/", &cookie).await.body;
    let trend = home
        .split("id=\"trend\"")
        .nth(1)
        .and_then(|t| t.split("</section>").next())
        .unwrap_or_else(|| panic!("no trend: {home}"));
    assert_eq!(trend.matches("<polyline").count(), 3, "{trend}");
    assert_eq!(trend.matches("<circle").count(), 36, "12 months × 3");
    // June 2024 (the pinned month): two records held, one rectification closed out; July
    // 2023 is the first month shown, June 2023 is not.
    assert!(trend.contains("2024年6月 组织生活记录：2 条"), "{trend}");
    assert!(trend.contains("2024年3月 组织生活记录：1 条"), "{trend}");
    assert!(trend.contains("2024年6月 整改销号：1 条"), "{trend}");
    assert!(trend.contains("2023年7月") && !trend.contains("2023年6月"));
    // The office's to-do stays short: a few rows, the rest behind a link.
    for n in ["趋势乙支部", "趋势丙支部"] {
        app.org(n, "branch", Some(1)).await;
    }
    let home = app.get_page("/", &cookie).await.body;
    let due = home
        .split("id=\"todo-due\"")
        .nth(1)
        .and_then(|t| t.split("</ul>").next())
        .unwrap_or("");
    assert_eq!(due.matches("<li>").count(), 5, "{due}");
    assert!(home.contains("id=\"todo-due-more\""));
    let (b, _) = app.page_session(Role::Branch, Some(org)).await;
    assert!(!app.get_page("/", &b).await.body.contains("id=\"trend\""));
}

/// The bulletin page shows the drafted praise, criticism and next steps in text areas; the
/// form makes the Word file from the edited text and takes the next number.
#[tokio::test]
async fn bulletin_text_is_edited_on_the_page_before_the_word_file_is_made() {
    let app = TestApp::pages_with(|c| {
        c.bulletin = web::BulletinConfig {
            code: Some("渝科协社党发".into()),
            ..Default::default()
        }
    })
    .await;
    let (cookie, csrf) = app.page_login("admin").await;
    let page = app.get_page("/bulletins/rectification", &cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for needle in [
        "<textarea id=\"f-praise\" name=\"praise\"",
        "<textarea id=\"f-criticism\" name=\"criticism\"",
        "<textarea id=\"f-next\" name=\"next\"",
        "各党组织要切实履行整改主体责任",
        "留空则自动取本年下一个文号：渝科协社党发〔2024〕1号",
        "gw-starrule",
        "id=\"bulletin-make\"",
    ] {
        assert!(page.body.contains(needle), "{needle} missing");
    }
    // the preview with the edits takes no number
    let edited = [
        ("csrf", csrf.as_str()),
        ("from", "2024-01-01"),
        ("to", "2024-06-15"),
        ("praise", "表扬全体党组织。"),
        ("criticism", ""),
        ("next", "下一步要求甲。\n下一步要求乙。"),
        ("doc_no", ""),
    ];
    let res = app
        .post_form("/bulletins/rectification", &cookie, &edited)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("<p class=\"gw-p\">表扬全体党组织。</p>"));
    assert!(res.body.contains("<p class=\"gw-p\">下一步要求乙。</p>"));
    assert!(
        res.body.contains("渝科协社党发〔2024〕1号"),
        "still the next number"
    );
    // the Word file takes it
    let res = app
        .post_form("/bulletins/rectification.docx", &cookie, &edited)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.bytes.starts_with(b"PK"));
    let page = app.get_page("/bulletins/rectification", &cookie).await;
    assert!(
        page.body.contains("渝科协社党发〔2024〕2号"),
        "the number ran on"
    );
    // a bad number is said next to its field, the text kept
    let mut bad = edited.to_vec();
    bad.retain(|(k, _)| *k != "doc_no");
    bad.push(("doc_no", "十二"));
    let res = app
        .post_form("/bulletins/rectification.docx", &cookie, &bad)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"e-doc_no\""));
    assert!(res.body.contains(">表扬全体党组织。</textarea>"));
    // without the CSRF token nothing is made
    let res = app
        .post_form("/bulletins/rectification.docx", &cookie, &edited[1..])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

/// The sheet `name` of an xlsx, as XML.
fn xlsx_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// Ledgers as people keep them: a page download has the title rows (name, unit, date of
/// export) and 序号 above the API export's columns, dates as real dates, landscape print
/// setup; the API export keeps its header in row 1; both read back (and the societies
/// sheet imports again) by header name.
#[tokio::test]
async fn ledgers_downloaded_from_pages_have_title_serial_dates_and_print_setup() {
    let (app, cookie, _) = TestApp::pages_as_admin().await;
    let admin = app.admin_api_token().await;
    let org = app.org("甲学会党支部", "branch", Some(1)).await;
    app.post(
        "/api/v1/tasks",
        &admin,
        serde_json::json!({"title": "开展主题教育", "issued_on": "2024-06-01", "due_on": "2024-06-30", "party_org_ids": [org]}),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/societies",
        &admin,
        serde_json::json!({"name": "甲学会", "kind": "society", "sector": "other", "full_members": 5, "probationary_members": 0, "charter_has_party_building": true, "party_org_id": org}),
    )
    .await
    .expect(201);
    // the page download
    let res = app.get_page("/tasks/export.xlsx", &cookie).await;
    assert_eq!(res.status, StatusCode::OK);
    let (header, rows) = read_xlsx(&res.bytes);
    let mut want = vec!["序号"];
    want.extend(web::modules::work::sheets::ASSIGNMENT_HEADERS);
    assert_eq!(header, want);
    assert_eq!(
        (rows[0][0].as_str(), rows[0][2].as_str()),
        ("1", "开展主题教育")
    );
    assert_eq!(rows[0][5], "2024-06-30");
    let xml = xlsx_part(&res.bytes, "xl/worksheets/sheet1.xml");
    assert!(
        xml.contains("工作台账") && xml.contains("填报单位：测试党委　　导出日期：2024年6月15日"),
        "{xml}"
    );
    assert!(
        !xml.contains(">2024-06-30<"),
        "the date is a date, not text"
    );
    assert!(xml.contains(r#"orientation="landscape""#) && xml.contains(r#"fitToHeight="0""#));
    let book = xlsx_part(&res.bytes, "xl/workbook.xml");
    assert!(book.contains("_xlnm.Print_Titles"), "{book}");
    // the API export: header in row 1, the same columns as before
    let res = app
        .get_xlsx("/api/v1/export/assignments.xlsx", &admin)
        .await;
    let (header, rows) = read_xlsx(&res.bytes);
    assert_eq!(
        header,
        web::modules::work::sheets::ASSIGNMENT_HEADERS.to_vec()
    );
    assert_eq!(rows[0][4], "2024-06-30");
    assert!(xlsx_part(&res.bytes, "xl/worksheets/sheet1.xml").contains("<row r=\"1\""));
    // the societies page download imports again, title rows and 序号 skipped
    let res = app.get_page("/export/societies.xlsx", &cookie).await;
    let (header, _) = read_xlsx(&res.bytes);
    assert_eq!(header[..3], ["序号", "名称", "类型"]);
    let r = app
        .upload_to(
            "/api/v1/import/societies",
            &admin,
            "file",
            "社团名册.xlsx",
            &res.bytes,
        )
        .await
        .expect(200);
    assert_eq!(
        (r.json["created"].as_i64(), r.json["updated"].as_i64()),
        (Some(0), Some(1))
    );
    // the compliance ledger also as an org × month matrix on a second sheet
    let res = app
        .get_page("/compliance/export.xlsx?year=2024", &cookie)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let book = xlsx_part(&res.bytes, "xl/workbook.xml");
    assert!(book.contains("name=\"按月汇总\""), "{book}");
    let matrix = xlsx_part(&res.bytes, "xl/worksheets/sheet2.xml");
    for needle in [
        "2024年组织生活落实情况（按月）",
        "1月",
        "12月",
        "全年完成率",
        "甲学会党支部",
    ] {
        assert!(matrix.contains(needle), "{needle}: {matrix}");
    }
    // the import template: drop-downs on the enum columns, an example on its own sheet
    let res = app
        .get_xlsx("/api/v1/import/societies/template", &admin)
        .await;
    let (header, rows) = read_xlsx(&res.bytes);
    assert_eq!(header, testkit::HEADERS.to_vec());
    assert!(
        rows.is_empty(),
        "the sheet to fill holds no example to import by mistake"
    );
    let xml = xlsx_part(&res.bytes, "xl/worksheets/sheet1.xml");
    assert!(
        xml.contains("学会,协会,研究会,民办非企业单位,基金会"),
        "{xml}"
    );
    assert!(xml.contains("智能科技,生命健康,绿色低碳,前沿交叉,其他") && xml.contains("是,否"));
    let help = xlsx_part(&res.bytes, "xl/worksheets/sheet2.xml");
    assert!(help.contains("示例：云川市计算机学会"), "{help}");
}

/// The plan page edits the title and year and deletes a plan without tasks.
#[tokio::test]
async fn a_work_plan_is_edited_and_deleted_on_its_page() {
    let (app, cookie, csrf) = TestApp::pages_as_admin().await;
    let admin = app.admin_api_token().await;
    let text = "一、组织建设\n1．健全组织。正文\n2．规范换届。正文\n";
    let id = app
        .post(
            "/api/v1/work-plans/import",
            &admin,
            serde_json::json!({"title": "2024年工作要点", "year": 2024, "text": text}),
        )
        .await
        .expect(201)
        .json["id"]
        .as_i64()
        .unwrap();
    let page = app.get_page(&format!("/work-plans/{id}"), &cookie).await;
    assert!(page
        .body
        .contains(&format!("action=\"/work-plans/{id}/edit\"")));
    assert!(page.body.contains("id=\"plan-delete\""));
    let path = format!("/work-plans/{id}/edit");
    let res = app
        .post_form(
            &path,
            &cookie,
            &[
                ("csrf", &csrf),
                ("title", "2024年党建工作要点"),
                ("year", "2024"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = app
        .get_page(&format!("/work-plans/{id}?msg=saved"), &cookie)
        .await;
    assert!(page.body.contains("<h1>2024年党建工作要点</h1>"));
    // bad input is said next to the field and kept
    let res = app
        .post_form(
            &path,
            &cookie,
            &[("csrf", &csrf), ("title", "新标题"), ("year", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"e-year\"") && res.body.contains("value=\"新标题\""));
    // without the token nothing changes
    let res = app
        .post_form(&path, &cookie, &[("title", "x"), ("year", "2020")])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // deleted: back to the list, which no longer holds it
    let res = app
        .post_form(
            &format!("/work-plans/{id}/delete"),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let list = app.get_page("/work-plans?msg=deleted", &cookie).await;
    assert!(!list.body.contains("2024年党建工作要点"));
    assert!(app
        .get_page(&format!("/work-plans/{id}"), &cookie)
        .await
        .status
        .is_client_error());
}

/// M5 on the dashboard: the latest closed period's completeness and timeliness, and the
/// projects spending least.
#[tokio::test]
async fn the_dashboard_shows_report_completeness_and_the_lowest_execution() {
    let (app, cookie, _) = TestApp::pages_as_admin().await;
    let a = app.org("甲学会党支部", "branch", Some(1)).await;
    let token = app.admin_api_token().await;
    app.post(
        "/api/v1/report-forms",
        &token,
        serde_json::json!({"title": "党建工作月报", "period": "month", "applies_to": "party_orgs",
            "org_kinds": ["branch"], "active_from": "2024-01-01",
            "fields": [{"key": "n", "label": "次数", "type": "integer"}]}),
    )
    .await
    .expect(201);
    let soc = app.society("甲学会", Some(a), serde_json::json!({})).await["id"]
        .as_i64()
        .unwrap();
    app.post(
        "/api/v1/funded-projects",
        &token,
        serde_json::json!({"programme": "double_high", "title": "科普品牌项目", "society_id": soc,
            "year": 2024, "budget": 1000}),
    )
    .await
    .expect(201);
    let r = app.get_page("/", &cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"dash-reports\""), "{}", r.body);
    // May is the latest period past its deadline (2024-06-10): nothing in, one missing
    assert!(r.body.contains("2024年5月"), "{}", r.body);
    assert!(r.body.contains("未报 1"), "{}", r.body);
    assert!(r.body.contains("科普品牌项目"), "{}", r.body);
}
