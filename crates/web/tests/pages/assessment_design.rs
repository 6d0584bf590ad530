//! M6 design pages: the scheme designer (admin only; a tree whose points do not add up is
//! refused at the row with nothing written; a saved tree keeps the scores of the indicators
//! it keeps; read-only once final), the grade bulletin and the scoring table's export. The
//! clock is pinned to 2024-06-15.

use axum::http::{Method, StatusCode};
use domain::Role;
use serde_json::{json, Value};
use testkit::*;

struct World {
    app: TestApp,
    token: String,
    scheme: i64,
    /// 组织生活 (60: 专项行动参与 auto 40, 活动质量 manual 20), 特色工作 (manual 40).
    ids: [i64; 4],
    orgs: [i64; 3],
    admin: (String, String),
}

async fn put(app: &TestApp, token: &str, uri: &str, body: Value) -> Resp {
    app.call(Method::PUT, uri, Some(token), Some(body)).await
}

/// Three branches scored by hand: 甲 100 (A), 乙 80 (B), 丙 50 (C) — the auto leaf has
/// nothing to count, so it scores its full 40.
async fn world() -> World {
    let app = TestApp::pages_with(|c| {
        c.bulletin = web::BulletinConfig {
            code: Some("渝科协社党发".into()),
            ..Default::default()
        }
    })
    .await;
    let token = app.admin_api_token().await;
    let mut orgs = [0; 3];
    for (i, name) in ["甲学会党支部", "乙学会党支部", "丙学会党支部"]
        .iter()
        .enumerate()
    {
        orgs[i] = app.org(name, "branch", Some(1)).await;
    }
    let s = app
        .post(
            "/api/v1/assessment-schemes",
            &token,
            json!({"year": 2024, "title": "2024年度党支部工作考核", "indicators": [
                {"id": 1, "parent_id": null, "name": "组织生活", "points": 60},
                {"id": 2, "parent_id": 1, "name": "专项行动参与", "points": 40, "method": "auto", "metric": "campaign_rate"},
                {"id": 3, "parent_id": 1, "name": "活动质量", "points": 20, "method": "manual"},
                {"id": 4, "parent_id": null, "name": "特色工作", "points": 40, "method": "manual"}
            ]}),
        )
        .await
        .expect(201);
    let scheme = s.id();
    let find = |name: &str| {
        s.json["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let ids = [
        find("组织生活"),
        find("专项行动参与"),
        find("活动质量"),
        find("特色工作"),
    ];
    for (org, quality, feature) in [
        (orgs[0], 20.0, 40.0),
        (orgs[1], 10.0, 30.0),
        (orgs[2], 0.0, 10.0),
    ] {
        for (ind, score) in [(ids[2], quality), (ids[3], feature)] {
            put(
                &app,
                &token,
                &format!("/api/v1/assessments/{scheme}/scores"),
                json!({"party_org_id": org, "indicator_id": ind, "score": score}),
            )
            .await
            .expect(200);
        }
    }
    let admin = app.page_login("admin").await;
    World {
        app,
        token,
        scheme,
        ids,
        orgs,
        admin,
    }
}

/// A designer row: stored id or none, depth, name, points, method, metric.
type DesignRow<'a> = (Option<i64>, usize, &'a str, &'a str, &'a str, &'a str);

/// The designer's form for the scheme's tree as `rows` (stored id or none, depth, name,
/// points, method, metric).
fn form<'a>(csrf: &'a str, op: &'a str, rows: &[DesignRow]) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = vec![
        ("csrf".into(), csrf.into()),
        ("op".into(), op.into()),
        ("title".into(), "2024年度党支部工作考核".into()),
        ("year".into(), "2024".into()),
        ("thresholds.A".into(), "90".into()),
        ("thresholds.B".into(), "75".into()),
        ("kind_branch".into(), "on".into()),
        ("rows".into(), rows.len().to_string()),
    ];
    for (i, (id, depth, name, points, method, metric)) in rows.iter().enumerate() {
        let at = |k: &str| format!("indicators[{i}].{k}");
        if let Some(id) = id {
            f.push((at("id"), id.to_string()));
        }
        f.push((at("depth"), depth.to_string()));
        f.push((at("name"), name.to_string()));
        f.push((at("points"), points.to_string()));
        f.push((at("method"), method.to_string()));
        f.push((at("metric"), metric.to_string()));
    }
    f
}

async fn post(app: &TestApp, path: &str, cookie: &str, f: &[(String, String)]) -> Resp {
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.post_form(path, cookie, &pairs).await
}

async fn scores_of(w: &World, org: i64) -> Value {
    let r = w
        .app
        .get(
            &format!(
                "/api/v1/assessments?scheme_id={}&party_org_id={org}",
                w.scheme
            ),
            &w.token,
        )
        .await
        .expect(200);
    r.json["items"][0].clone()
}

#[tokio::test]
async fn the_designer_is_the_admins_and_shows_the_tree_its_sums_and_the_preview() {
    let w = world().await;
    let s = w.scheme;
    let (cookie, _) = &w.admin;
    let page = w
        .app
        .get_page(&format!("/assessment/schemes/{s}/edit"), cookie)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for needle in [
        "id=\"scheme-designer\"",
        "value=\"专项行动参与\"",
        "name=\"indicators[1].metric\"",
        "下级合计 60 分 / 本项 60 分",
        "一级指标合计 100 / 100 分",
        "/assets/designer.js",
        // the preview: 3 assessed, mean 76.7, one of each grade, the lowest first
        "id=\"fig-assessed\">3<",
        "id=\"fig-mean\">76.7<",
        "id=\"grade-bars-t\"",
        "A类：1个 · 33.3%",
        "id=\"scheme-bulletin\"",
        "id=\"scheme-export\"",
    ] {
        assert!(page.body.contains(needle), "{needle} missing");
    }
    let lowest = page.body.split("id=\"lowest\"").nth(1).unwrap();
    assert!(lowest.find("丙学会党支部").unwrap() < lowest.find("乙学会党支部").unwrap());
    let page = w.app.get_page("/assessment/schemes/new", cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("一级指标合计 100 / 100 分"),
        "a starter tree"
    );
    assert!(page
        .body
        .contains(&format!("/assessment/schemes/new?copy={s}")));
    // copying: next year, same tree, nothing written until saved
    let page = w
        .app
        .get_page(&format!("/assessment/schemes/new?copy={s}"), cookie)
        .await;
    assert!(page.body.contains("value=\"2025年度党支部工作考核\""));
    assert!(page.body.contains("value=\"2025\""));
    assert!(page.body.contains("value=\"活动质量\""));
    assert!(
        !page.body.contains("name=\"indicators[0].id\""),
        "no stored ids"
    );
    let list = w.app.get_page("/assessment/schemes", cookie).await;
    assert!(list.body.contains("id=\"new-scheme\""));
    assert!(list
        .body
        .contains(&format!("/assessment/schemes/{s}/bulletin")));
    // others: the designer is refused, the list shows no design links
    for role in [Role::Committee, Role::Viewer, Role::Inspector] {
        let (c, csrf) = w.app.page_session(role, None).await;
        for path in [
            "/assessment/schemes/new".to_string(),
            format!("/assessment/schemes/{s}/edit"),
        ] {
            let r = w.app.get_page(&path, &c).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?} {path}");
            let r = post(&w.app, &path, &c, &form(&csrf, "save", &[])).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?} POST {path}");
        }
        let list = w.app.get_page("/assessment/schemes", &c).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(!list.body.contains("id=\"new-scheme\""));
    }
    let (c, _) = w.app.page_session(Role::Branch, Some(w.orgs[0])).await;
    let r = w
        .app
        .get_page(&format!("/assessment/schemes/{s}/edit"), &c)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_tree_whose_points_do_not_add_up_is_refused_at_the_row_and_nothing_is_written() {
    let w = world().await;
    let s = w.scheme;
    let (cookie, csrf) = &w.admin;
    let path = format!("/assessment/schemes/{s}/edit");
    let [root, auto, quality, feature] = w.ids;
    let before = w
        .app
        .get(&format!("/api/v1/assessment-schemes/{s}"), &w.token)
        .await
        .json;
    // 专项行动参与 raised to 45: its parent's 60 no longer matches, the roots make 100 still
    let bad = form(
        csrf,
        "save",
        &[
            (Some(root), 0, "组织生活", "60", "", ""),
            (Some(auto), 1, "专项行动参与", "45", "auto", "campaign_rate"),
            (Some(quality), 1, "活动质量", "20", "manual", ""),
            (Some(feature), 0, "特色工作", "40", "manual", ""),
        ],
    );
    let r = post(&w.app, &path, cookie, &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("id=\"e-indicators[0].points\""),
        "at the parent's points"
    );
    assert!(r.body.contains("分值应为 65，实为 60"));
    assert!(r.body.contains("value=\"45\""), "what was typed is kept");
    assert!(r.body.contains("下级合计 65 分 / 本项 60 分"));
    // the roots not making 100
    let mut rows = vec![
        (Some(root), 0, "组织生活", "60", "", ""),
        (Some(auto), 1, "专项行动参与", "40", "auto", "campaign_rate"),
        (Some(quality), 1, "活动质量", "20", "manual", ""),
        (Some(feature), 0, "特色工作", "30", "manual", ""),
    ];
    let r = post(&w.app, &path, cookie, &form(csrf, "save", &rows)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"designer-errors\""));
    assert!(
        r.body.contains("一级指标合计分值应为 100，实为 90"),
        "{}",
        r.body
    );
    assert!(r.body.contains("一级指标合计 90 / 100 分"));
    // points that are no number, an auto leaf without its metric
    rows.push((None, 0, "新增", "十", "auto", ""));
    let r = post(&w.app, &path, cookie, &form(csrf, "save", &rows)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"e-indicators[4].points\""));
    assert!(r.body.contains("请填写数字"));
    assert!(r.body.contains("value=\"新增\""));
    let after = w
        .app
        .get(&format!("/api/v1/assessment-schemes/{s}"), &w.token)
        .await
        .json;
    assert_eq!(before, after, "nothing written");
    assert_eq!(scores_of(&w, w.orgs[0]).await["total"], 100.0);
    // a row's button answers the same page with the row added, writing nothing
    let rows = [
        (Some(root), 0, "组织生活", "60", "", ""),
        (Some(auto), 1, "专项行动参与", "40", "auto", "campaign_rate"),
        (Some(quality), 1, "活动质量", "20", "manual", ""),
        (Some(feature), 0, "特色工作", "40", "manual", ""),
    ];
    let r = post(&w.app, &path, cookie, &form(csrf, "child:0", &rows)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("name=\"rows\" value=\"5\""));
    assert!(
        r.body.contains("id=\"row-3\" data-depth=\"1\""),
        "{}",
        r.body
    );
    let after = w
        .app
        .get(&format!("/api/v1/assessment-schemes/{s}"), &w.token)
        .await
        .json;
    assert_eq!(before, after, "nothing written");
}

#[tokio::test]
async fn a_saved_tree_keeps_the_scores_of_the_indicators_it_keeps_and_a_final_one_is_read_only() {
    let w = world().await;
    let s = w.scheme;
    let (cookie, csrf) = &w.admin;
    let path = format!("/assessment/schemes/{s}/edit");
    let [root, auto, quality, feature] = w.ids;
    // 专项行动参与 gives 10 of its 40 to a new manual leaf; 活动质量 is renamed
    let good = form(
        csrf,
        "save",
        &[
            (Some(root), 0, "组织生活", "60", "", ""),
            (Some(auto), 1, "专项行动参与", "30", "auto", "campaign_rate"),
            (None, 1, "主题党日", "10", "manual", ""),
            (Some(quality), 1, "活动质量评价", "20", "manual", ""),
            (Some(feature), 0, "特色工作", "40", "manual", ""),
        ],
    );
    let r = post(&w.app, &path, cookie, &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("{path}?msg=saved"));
    let sch = w
        .app
        .get(&format!("/api/v1/assessment-schemes/{s}"), &w.token)
        .await
        .json;
    let inds = sch["indicators"].as_array().unwrap();
    assert_eq!(inds.len(), 5);
    let q = inds.iter().find(|i| i["id"] == quality).unwrap();
    assert_eq!(q["name"], "活动质量评价");
    let new = inds.iter().find(|i| i["name"] == "主题党日").unwrap();
    assert_eq!(new["parent_id"], root);
    assert_eq!(new["method"], "manual");
    // 甲 keeps its 20 and 40 by hand; the new leaf is not scored yet
    let a = scores_of(&w, w.orgs[0]).await;
    let score = |id: i64| {
        a["scores"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["indicator_id"] == id)
            .unwrap()["score"]
            .clone()
    };
    assert_eq!(score(quality), 20.0);
    assert_eq!(score(feature), 40.0);
    assert_eq!(score(auto), 30.0);
    assert_eq!(a["complete"], false);
    assert_eq!(a["total"], 90.0);
    let page = w.app.get_page(&format!("{path}?msg=saved"), cookie).await;
    assert!(page.body.contains("alert ok"));
    assert!(page.body.contains("value=\"主题党日\""));
    // finalized: the page is read-only and a save is refused
    w.app
        .post(
            &format!("/api/v1/assessment-schemes/{s}/finalize"),
            &w.token,
            json!({}),
        )
        .await
        .expect(200);
    let page = w.app.get_page(&path, cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"scheme-final\""));
    assert!(!page.body.contains("id=\"scheme-designer\""));
    assert!(!page.body.contains("name=\"indicators[0].name\""));
    assert!(page.body.contains("活动质量评价"));
    assert!(page.body.contains("自动评分：专项行动参与率"));
    let r = post(&w.app, &path, cookie, &good).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("已定档"));
    // a new scheme from the page
    let new = form(csrf, "save", &[(None, 0, "综合评价", "100", "manual", "")]);
    let r = post(&w.app, "/assessment/schemes/new", cookie, &new).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    w.app
        .expect_total("/api/v1/assessment-schemes", &w.token, 2)
        .await;
}

/// The part `name` of an xlsx, as XML.
fn xlsx_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The text of a .docx's `word/document.xml`, without its markup.
fn docx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace('\u{200b}', "")
}

#[tokio::test]
async fn the_grade_bulletin_lists_each_grade_with_the_figures_and_the_change_from_last_year() {
    let w = world().await;
    let s = w.scheme;
    // last year's scheme, final with every org at C (nothing scored)
    let last = w
        .app
        .post(
            "/api/v1/assessment-schemes",
            &w.token,
            json!({"year": 2023, "title": "2023年度党支部工作考核", "indicators": [
                {"id": 1, "name": "综合评价", "points": 100, "method": "manual"}]}),
        )
        .await
        .expect(201)
        .id();
    w.app
        .post(
            &format!("/api/v1/assessment-schemes/{last}/finalize"),
            &w.token,
            json!({}),
        )
        .await
        .expect(200);
    let (cookie, csrf) = &w.admin;
    let r = w
        .app
        .get_page(&format!("/assessment/schemes/{s}/bulletin.docx"), cookie)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.bytes.starts_with(b"PK"));
    let text = docx_text(&r.bytes);
    for needle in [
        "关于2024年度党支部分类定级情况的通报",
        "根据《2024年度党支部工作考核》，党委对3个党组织2024年度党建工作进行了考核",
        "本次共考核党组织3个，其中A类1个，占33.3%；B类1个，占33.3%；C类1个，占33.3%。平均得分76.7分。",
        "与2023年度相比，A类增加1个，B类增加1个，C类减少2个。",
        "（一）A类党组织（1个）甲学会党支部。",
        "（二）B类党组织（1个）乙学会党支部。",
        "（三）C类党组织（1个）丙学会党支部。",
        "渝科协社党发〔2024〕  号",
    ] {
        assert!(text.contains(needle), "{needle} missing in {text}");
    }
    // the page drafts the texts in the edit form; the Word file takes the edits and a number
    let page = w
        .app
        .get_page(&format!("/assessment/schemes/{s}/bulletin"), cookie)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    for needle in [
        "<textarea id=\"f-overall\" name=\"overall\"",
        "<textarea id=\"f-praise\" name=\"praise\"",
        "id=\"bulletin-not-final\"",
        "留空则自动取本年下一个文号：渝科协社党发〔2024〕1号",
        "gw-starrule",
    ] {
        assert!(page.body.contains(needle), "{needle} missing");
    }
    let edited = [
        ("csrf", csrf.as_str()),
        ("overall", "全年考核三个支部。"),
        ("praise", "表扬甲。"),
        ("criticism", ""),
        ("next", "继续努力。"),
        ("doc_no", ""),
    ];
    let r = w
        .app
        .post_form(
            &format!("/assessment/schemes/{s}/bulletin"),
            cookie,
            &edited,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<p class=\"gw-p\">全年考核三个支部。</p>"));
    let r = w
        .app
        .post_form(
            &format!("/assessment/schemes/{s}/bulletin.docx"),
            cookie,
            &edited,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let text = docx_text(&r.bytes);
    assert!(text.contains("全年考核三个支部。"));
    assert!(text.contains("表扬甲。"));
    assert!(
        !text.contains("本次共考核党组织"),
        "the edit replaced the draft"
    );
    assert!(
        !text.contains("评定为C类的党组织要"),
        "a cleared text is left out"
    );
    assert!(text.contains("丙学会党支部"), "the lists stay");
    assert!(text.contains("渝科协社党发〔2024〕1号"));
    let page = w
        .app
        .get_page(&format!("/assessment/schemes/{s}/bulletin"), cookie)
        .await;
    assert!(
        page.body.contains("渝科协社党发〔2024〕2号"),
        "the number ran on"
    );
    // a bad number is said at its field
    let mut bad = edited.to_vec();
    bad.retain(|(k, _)| *k != "doc_no");
    bad.push(("doc_no", "十二"));
    let r = w
        .app
        .post_form(
            &format!("/assessment/schemes/{s}/bulletin.docx"),
            cookie,
            &bad,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"e-doc_no\""));
    // committee members make it too; a branch may not
    let (c, _) = w.app.page_session(Role::Committee, None).await;
    let r = w
        .app
        .get_page(&format!("/assessment/schemes/{s}/bulletin"), &c)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let (b, _) = w.app.page_session(Role::Branch, Some(w.orgs[0])).await;
    for path in [
        format!("/assessment/schemes/{s}/bulletin"),
        format!("/assessment/schemes/{s}/bulletin.docx"),
    ] {
        assert_eq!(
            w.app.get_page(&path, &b).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn the_scoring_table_exports_one_row_per_org_with_a_column_per_leaf() {
    let w = world().await;
    let s = w.scheme;
    let r = w
        .app
        .get_xlsx(
            &format!("/api/v1/export/assessments.xlsx?scheme_id={s}"),
            &w.token,
        )
        .await;
    let t = sheet::read_table(&r.bytes).unwrap();
    assert_eq!(
        t.header,
        [
            "党组织",
            "上级党组织",
            "专项行动参与（40分）",
            "活动质量（20分）",
            "特色工作（40分）",
            "总分",
            "是否完整",
            "建议等次",
            "等次",
            "调整理由"
        ]
    );
    assert_eq!(t.rows.len(), 3);
    let row = |name: &str| {
        t.rows
            .iter()
            .find(|r| r.get(0) == name)
            .unwrap_or_else(|| panic!("{name}"))
            .cells
            .clone()
    };
    assert_eq!(
        row("乙学会党支部")[2..9],
        ["40", "10", "30", "80", "是", "B", "B"]
    );
    assert_eq!(row("丙学会党支部")[7], "C");
    // a grade override with its reason
    put(
        &w.app,
        &w.token,
        &format!("/api/v1/assessments/{s}/grades"),
        json!({"party_org_id": w.orgs[2], "grade": "B", "reason": "整改到位"}),
    )
    .await
    .expect(200);
    let r = w
        .app
        .get_xlsx(
            &format!("/api/v1/export/assessments.xlsx?scheme_id={s}"),
            &w.token,
        )
        .await;
    let t = sheet::read_table(&r.bytes).unwrap();
    let c = t.rows.iter().find(|r| r.get(0) == "丙学会党支部").unwrap();
    assert_eq!((c.get(7), c.get(8), c.get(9)), ("C", "B", "整改到位"));
    w.app
        .get(
            &format!("/api/v1/export/assessments.xlsx?scheme_id={}", s + 99),
            &w.token,
        )
        .await
        .expect(404);
    w.app
        .get("/api/v1/export/assessments.xlsx", &w.token)
        .await
        .expect(422);
    // a branch exports its own row; the page's ledger has its title rows and 序号
    let bt = w.app.token_for(Role::Branch, Some(w.orgs[0])).await;
    let r = w
        .app
        .get_xlsx(
            &format!("/api/v1/export/assessments.xlsx?scheme_id={s}"),
            &bt,
        )
        .await;
    let t = sheet::read_table(&r.bytes).unwrap();
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0].get(0), "甲学会党支部");
    let (cookie, _) = &w.admin;
    let r = w
        .app
        .get_page(&format!("/export/assessments.xlsx?scheme_id={s}"), cookie)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let t = sheet::read_table(&r.bytes).unwrap();
    assert_eq!(t.header[0], "序号", "{:?}", t.header);
    assert_eq!(t.header[3], "专项行动参与（40分）");
    assert_eq!(t.rows.len(), 3);
    assert_eq!(t.rows[0].get(1), "甲学会党支部");
    let title = xlsx_part(&r.bytes, "xl/worksheets/sheet1.xml");
    assert!(
        title.contains("2024年度党支部工作考核·考核评分表"),
        "the title row"
    );
}
