//! M3/M4: work plans, tasks and assignments, inspections, findings, rectifications — the
//! contract of API.md, its state machines (409), scope (404) and bad input (422).

use axum::body::Body;
use axum::http::{header, Method};
use chrono::Duration;
use domain::Role;
use serde_json::{json, Value};

use testkit::*;

const SAMPLE: &str = include_str!("../../../domain/tests/data/work-points-2023.txt");

/// A committee with two branches, each with a branch user; plus committee, inspector and
/// viewer tokens.
struct World {
    app: TestApp,
    root: i64,
    a: i64,
    b: i64,
    branch_a: String,
    branch_b: String,
    committee: String,
    inspector: String,
    viewer: String,
}

async fn world() -> World {
    world_with(|_| {}).await
}

async fn world_with(tweak: impl FnOnce(&mut web::WebConfig)) -> World {
    let app = TestApp::builder().config(tweak).spawn().await;
    let root = app.org("科技社团党委", "committee", None).await;
    let a = app.org("甲学会党支部", "branch", Some(root)).await;
    let b = app.org("乙学会党支部", "branch", Some(root)).await;
    let branch_a = app.token_for(Role::Branch, Some(a)).await;
    let branch_b = app.token_for(Role::Branch, Some(b)).await;
    let committee = app.token_for(Role::Committee, None).await;
    let inspector = app.token_for(Role::Inspector, None).await;
    let viewer = app.token_for(Role::Viewer, None).await;
    World {
        app,
        root,
        a,
        b,
        branch_a,
        branch_b,
        committee,
        inspector,
        viewer,
    }
}

impl World {
    /// `POST /api/v1/{what}/{id}/{action}`.
    async fn act(&self, what: &str, id: i64, action: &str, token: &str, body: Value) -> Resp {
        self.app
            .post(&format!("/api/v1/{what}/{id}/{action}"), token, body)
            .await
    }

    /// Branch A reports the assignment done and the committee accepts it.
    async fn accept(&self, id: i64) {
        self.act(
            "assignments",
            id,
            "reports",
            &self.branch_a,
            json!({"progress": 100}),
        )
        .await
        .expect(201);
        self.act(
            "assignments",
            id,
            "review",
            &self.committee,
            json!({"decision": "accept"}),
        )
        .await
        .expect(200);
    }

    async fn task(&self, orgs: &[i64], due: &str) -> Value {
        self.app
            .post(
                "/api/v1/tasks",
                &self.committee,
                json!({"title": "开展主题教育", "description": "按要求开展", "issued_on": day(-40), "due_on": due, "party_org_ids": orgs}),
            )
            .await
            .expect(201)
            .json
    }

    async fn finding(&self, org: i64, due: &str) -> Value {
        self.app
            .post(
                "/api/v1/findings",
                &self.inspector,
                json!({"source": "report", "party_org_id": org, "description": "三会一课记录不全",
                       "severity": "minor", "found_on": day(-30), "due_on": due}),
            )
            .await
            .expect(201)
            .json
    }
}

async fn upload(app: &TestApp, uri: &str, token: &str, file_name: &str, bytes: &[u8]) -> Resp {
    let (ct, body) = multipart("file", file_name, bytes);
    let req = TestApp::request(Method::POST, uri, Some(token))
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

/// A minimal .docx whose paragraphs are the lines of `text`.
fn docx(text: &str) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file("[Content_Types].xml", opts).unwrap();
    z.write_all(br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#).unwrap();
    z.start_file("word/document.xml", opts).unwrap();
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#,
    );
    for line in text.lines() {
        let esc = line.replace('&', "&amp;").replace('<', "&lt;");
        // split each paragraph into two runs, as Word does
        let mid = esc
            .char_indices()
            .nth(3)
            .map(|(i, _)| i)
            .unwrap_or(esc.len());
        xml.push_str(&format!(
            r#"<w:p><w:r><w:t>{}</w:t></w:r><w:r><w:br w:type="page"/><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
            &esc[..mid],
            &esc[mid..]
        ));
    }
    xml.push_str("</w:body></w:document>");
    z.write_all(xml.as_bytes()).unwrap();
    z.finish().unwrap();
    buf.into_inner()
}

fn item_titles(plan: &Value) -> Vec<String> {
    plan["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap().iter())
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn importing_the_sample_gives_4_sections_and_16_items() {
    let w = world().await;
    let r = w
        .app
        .post(
            "/api/v1/work-plans/import",
            &w.committee,
            json!({"title": "2023年工作要点", "year": 2023, "text": SAMPLE}),
        )
        .await
        .expect(201);
    let plan = &r.json;
    assert_eq!(
        keys(plan),
        sorted(vec!["id", "title", "year", "sections", "warnings"])
    );
    assert_eq!(plan["year"], 2023);
    let sections = plan["sections"].as_array().unwrap();
    assert_eq!(sections.len(), 4);
    assert_eq!(sections[0]["no"], "一");
    assert_eq!(keys(&sections[0]), sorted(vec!["no", "title", "items"]));
    let item = &sections[0]["items"][0];
    assert_eq!(keys(item), sorted(vec!["id", "no", "title", "body"]));
    assert_eq!(item["no"], 1);
    assert_eq!(item["title"], "切实加强政治建设");
    let titles = item_titles(plan);
    assert_eq!(titles.len(), 16);
    assert_eq!(titles[15], "压实党建工作责任");
    let fourteen = &sections[3]["items"][1];
    assert_eq!(fourteen["no"], 14);
    assert!(fourteen["body"]
        .as_str()
        .unwrap()
        .contains("树新风；强化宗旨意识"));

    let id = r.id();
    let got = w
        .app
        .get(&format!("/api/v1/work-plans/{id}"), &w.branch_a)
        .await
        .expect(200);
    assert_eq!(item_titles(&got.json), titles);
    let list = w.app.get("/api/v1/work-plans", &w.viewer).await.expect(200);
    assert_eq!(list.json["total"], 1);
    w.app
        .get("/api/v1/work-plans/999", &w.viewer)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn import_defaults_preview_uploads_and_refusals() {
    let w = world().await;
    // title and year from the document
    let r = w
        .app
        .post(
            "/api/v1/work-plans/import",
            &w.app.admin,
            json!({"text": SAMPLE}),
        )
        .await
        .expect(201);
    assert_eq!(r.json["title"], "市科协科技社团党委2023年工作要点");
    assert_eq!(r.json["year"], 2023);
    // dry run: parsed, warnings, nothing saved
    let broken = SAMPLE.replace("7.升级", "8.升级");
    let r = w
        .app
        .post(
            "/api/v1/work-plans/import?dry_run=true",
            &w.committee,
            json!({"text": broken}),
        )
        .await
        .expect(200);
    assert!(r.json["id"].is_null());
    let warnings = r.json["warnings"].as_array().unwrap();
    assert_eq!(warnings[0]["kind"], "gap");
    assert!(warnings[1]["message"].as_str().unwrap().contains('8'));
    assert_eq!(w.app.total("/api/v1/work-plans", &w.viewer).await, 1);
    // no items → 422 on text; empty → 422
    w.app
        .post(
            "/api/v1/work-plans/import",
            &w.committee,
            json!({"title": "x", "year": 2023, "text": "各党支部：\n请贯彻落实。"}),
        )
        .await
        .expect_field("text");
    w.app
        .post(
            "/api/v1/work-plans/import",
            &w.committee,
            json!({"title": "x", "year": 2023, "text": ""}),
        )
        .await
        .expect_field("text");
    w.app
        .post(
            "/api/v1/work-plans/import",
            &w.committee,
            json!({"text": SAMPLE, "colour": 1}),
        )
        .await
        .expect_field("colour");
    w.app
        .post(
            "/api/v1/work-plans/import",
            &w.committee,
            json!({"text": "一、甲\n1.乙。丙"}),
        )
        .await
        .expect_field("title");
    // roles
    for t in [&w.branch_a, &w.inspector, &w.viewer] {
        w.app
            .post("/api/v1/work-plans/import", t, json!({"text": SAMPLE}))
            .await
            .expect_error(403, "forbidden");
    }
    // .txt in GB18030 and a .docx, by upload
    let (gb, _, _) = encoding_rs::GB18030.encode(SAMPLE);
    let r = upload(
        &w.app,
        "/api/v1/work-plans/import",
        &w.committee,
        "plan.txt",
        &gb,
    )
    .await
    .expect(201);
    assert_eq!(item_titles(&r.json).len(), 16);
    let r = upload(
        &w.app,
        "/api/v1/work-plans/import",
        &w.committee,
        "plan.docx",
        &docx(SAMPLE),
    )
    .await
    .expect(201);
    let titles = item_titles(&r.json);
    assert_eq!(titles.len(), 16);
    assert_eq!(titles[13], "深入抓好作风建设");
    // a fake docx, a PDF, an oversized file
    upload(
        &w.app,
        "/api/v1/work-plans/import",
        &w.committee,
        "plan.docx",
        b"PK\x03\x04garbage",
    )
    .await
    .expect_field("file");
    upload(
        &w.app,
        "/api/v1/work-plans/import",
        &w.committee,
        "plan.txt",
        b"%PDF-1.4 ...",
    )
    .await
    .expect_field("file");
    let big = vec![b'a'; MAX_UPLOAD + 1];
    upload(
        &w.app,
        "/api/v1/work-plans/import",
        &w.committee,
        "plan.txt",
        &big,
    )
    .await
    .expect_error(413, "payload_too_large");
}

#[tokio::test]
async fn tasks_assign_one_assignment_per_org_and_check_input() {
    let w = world().await;
    let t = w.task(&[w.a, w.b], &day(30)).await;
    assert_eq!(t["issued_on"], day(-40));
    let asg = t["assignments"].as_array().unwrap();
    assert_eq!(asg.len(), 2);
    assert_eq!(
        keys(&asg[0]),
        sorted(vec!["id", "party_org_id", "state", "due_on", "progress"])
    );
    assert_eq!(asg[0]["state"], "assigned");
    assert_eq!(asg[0]["due_on"], day(30));

    // every branch in the subtree
    let c = w
        .app
        .org("丙学会联合党支部", "joint_branch", Some(w.root))
        .await;
    let r = w
        .app
        .post("/api/v1/tasks", &w.app.admin, json!({"title": "换届", "due_on": day(10), "subtree_id": w.root, "org_kinds": ["branch"]}))
        .await
        .expect(201);
    let orgs: Vec<i64> = r.json["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["party_org_id"].as_i64().unwrap())
        .collect();
    assert_eq!(orgs.len(), 2);
    assert!(!orgs.contains(&c));
    assert_eq!(r.json["issued_on"], day(0));

    let bad = |body: Value| async { w.app.post("/api/v1/tasks", &w.committee, body).await };
    bad(json!({"title": "x", "issued_on": day(0), "due_on": day(-1), "party_org_ids": [w.a]}))
        .await
        .expect_field("due_on");
    bad(json!({"title": "x", "due_on": "2024-13-01", "party_org_ids": [w.a]}))
        .await
        .expect_field("due_on");
    bad(json!({"title": "x", "due_on": day(5), "party_org_ids": []}))
        .await
        .expect_field("party_org_ids");
    bad(json!({"title": "x", "due_on": day(5), "party_org_ids": [99999]}))
        .await
        .expect_field("party_org_ids");
    bad(json!({"title": "x", "due_on": day(5), "party_org_ids": "a"}))
        .await
        .expect_field("party_org_ids");
    bad(json!({"title": "", "due_on": day(5), "party_org_ids": [w.a]}))
        .await
        .expect_field("title");
    bad(json!({"title": "x", "due_on": day(5), "party_org_ids": [w.a], "work_item_id": 4242}))
        .await
        .expect_field("work_item_id");
    bad(json!({"title": "x", "due_on": day(5), "subtree_id": w.root, "org_kinds": ["club"]}))
        .await
        .expect_field("org_kinds");
    w.app
        .call_raw(Method::POST, "/api/v1/tasks", Some(&w.committee), "{oops")
        .await
        .expect_error(400, "bad_request");
    // past work may be recorded
    let past = w
        .app
        .post("/api/v1/tasks", &w.committee, json!({"title": "x", "issued_on": "2023-04-14", "due_on": "2023-06-30", "party_org_ids": [w.a]}))
        .await
        .expect(201);
    assert_eq!(past.json["issued_on"], "2023-04-14");
    for t in [&w.branch_a, &w.inspector, &w.viewer] {
        w.app
            .post(
                "/api/v1/tasks",
                t,
                json!({"title": "x", "due_on": day(5), "party_org_ids": [w.a]}),
            )
            .await
            .expect_error(403, "forbidden");
    }
}

fn assignment_of(task: &Value, org: i64) -> i64 {
    task["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["party_org_id"] == org)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn assignment_state_machine_every_transition() {
    let w = world().await;
    let t = w.task(&[w.a], &day(30)).await;
    let id = assignment_of(&t, w.a);
    let report = |token: &str, p: i64| {
        let token = token.to_string();
        let app = &w.app;
        async move {
            app.post(
                &format!("/api/v1/assignments/{id}/reports"),
                &token,
                json!({"progress": p, "text": "已开展"}),
            )
            .await
        }
    };
    let review = |d: &str| {
        let app = &w.app;
        let body = json!({"decision": d, "comment": "请补充材料"});
        let c = w.committee.clone();
        async move {
            app.post(&format!("/api/v1/assignments/{id}/review"), &c, body)
                .await
        }
    };
    // assigned: review refused
    review("accept").await.expect_error(409, "conflict");
    review("return").await.expect_error(409, "conflict");
    // assigned → reported
    let r = report(&w.branch_a, 60).await.expect(201);
    assert_eq!(r.json["progress"], 60);
    let a = w
        .app
        .get(&format!("/api/v1/assignments/{id}"), &w.branch_a)
        .await
        .expect(200);
    assert_eq!(a.json["state"], "reported");
    assert!(a.json["last_report_at"].is_string());
    // reported: report again refused
    report(&w.branch_a, 70).await.expect_error(409, "conflict");
    // reported → returned → reported → accepted
    assert_eq!(review("return").await.expect(200).json["state"], "returned");
    review("return").await.expect_error(409, "conflict");
    review("accept").await.expect_error(409, "conflict");
    report(&w.branch_a, 100).await.expect(201);
    assert_eq!(review("accept").await.expect(200).json["state"], "accepted");
    // accepted is final
    report(&w.branch_a, 100).await.expect_error(409, "conflict");
    review("accept").await.expect_error(409, "conflict");
    review("return").await.expect_error(409, "conflict");
    let reports = w
        .app
        .get(&format!("/api/v1/assignments/{id}/reports"), &w.committee)
        .await
        .expect(200);
    let items = reports.items();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["decision"], "return");
    assert_eq!(items[0]["comment"], "请补充材料");
    assert_eq!(items[1]["decision"], "accept");
    // bad input
    let t2 = w.task(&[w.a], &day(30)).await;
    let id2 = assignment_of(&t2, w.a);
    for body in [
        json!({"progress": 101}),
        json!({"progress": -1}),
        json!({"progress": "half"}),
        json!({"text": "x"}),
        json!({"progress": 5, "extra": 1}),
    ] {
        let r = w
            .app
            .post(
                &format!("/api/v1/assignments/{id2}/reports"),
                &w.branch_a,
                body,
            )
            .await;
        assert_eq!(r.status.as_u16(), 422, "{}", r.json);
    }
    w.act(
        "assignments",
        id2,
        "reports",
        &w.branch_a,
        json!({"progress": 10}),
    )
    .await
    .expect(201);
    w.act(
        "assignments",
        id2,
        "review",
        &w.committee,
        json!({"decision": "maybe"}),
    )
    .await
    .expect_field("decision");
    // roles: committee, inspector and viewer may not report; branch, inspector, viewer may not review
    for t in [&w.committee, &w.inspector, &w.viewer] {
        w.act("assignments", id2, "reports", t, json!({"progress": 1}))
            .await
            .expect_error(403, "forbidden");
    }
    for t in [&w.branch_a, &w.inspector, &w.viewer] {
        w.act(
            "assignments",
            id2,
            "review",
            t,
            json!({"decision": "accept"}),
        )
        .await
        .expect_error(403, "forbidden");
    }
    // admin may report for an org
    let t3 = w.task(&[w.b], &day(30)).await;
    let id3 = assignment_of(&t3, w.b);
    w.act(
        "assignments",
        id3,
        "reports",
        &w.app.admin,
        json!({"progress": 5, "text": "代报"}),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn branches_see_and_answer_only_their_own_assignments() {
    let w = world().await;
    let t = w.task(&[w.a, w.b], &day(30)).await;
    let (ida, idb) = (assignment_of(&t, w.a), assignment_of(&t, w.b));
    let mine = w
        .app
        .get("/api/v1/assignments", &w.branch_a)
        .await
        .expect(200);
    assert_eq!(mine.json["total"], 1);
    let row = &mine.items()[0];
    assert_eq!(
        keys(row),
        sorted(vec![
            "id",
            "task_id",
            "task_title",
            "party_org_id",
            "state",
            "due_on",
            "overdue",
            "late",
            "first_reported_on",
            "last_report_at",
            "progress",
            "issued_on",
            "work_item_id"
        ])
    );
    assert_eq!(row["party_org_id"], w.a);
    w.app
        .get(&format!("/api/v1/assignments/{idb}"), &w.branch_a)
        .await
        .expect_error(404, "not_found");
    w.act(
        "assignments",
        idb,
        "reports",
        &w.branch_a,
        json!({"progress": 5}),
    )
    .await
    .expect_error(404, "not_found");
    w.app
        .get(&format!("/api/v1/assignments/{ida}"), &w.branch_a)
        .await
        .expect(200);
    // the task shows only the caller's assignment
    let task = w
        .app
        .get(&format!("/api/v1/tasks/{}", t["id"]), &w.branch_b)
        .await
        .expect(200);
    assert_eq!(task.json["assignments"].as_array().unwrap().len(), 1);
    // a task with no assignment in scope is absent
    let only_b = w.task(&[w.b], &day(30)).await;
    w.app
        .get(&format!("/api/v1/tasks/{}", only_b["id"]), &w.branch_a)
        .await
        .expect_error(404, "not_found");
    assert_eq!(w.app.total("/api/v1/assignments", &w.committee).await, 3);
}

#[tokio::test]
async fn assignment_ledger_filters_overdue_and_xlsx() {
    let w = world().await;
    let late = w.task(&[w.a], &day(-1)).await;
    w.task(&[w.a, w.b], &day(0)).await;
    let r = w
        .app
        .get("/api/v1/assignments?overdue=true", &w.committee)
        .await
        .expect(200);
    assert_eq!(r.json["total"], 1);
    assert_eq!(r.items()[0]["overdue"], true);
    assert_eq!(r.items()[0]["task_id"], late["id"]);
    assert_eq!(
        w.app
            .total("/api/v1/assignments?overdue=false", &w.committee)
            .await,
        2
    );
    assert_eq!(
        w.app
            .total(
                &format!("/api/v1/assignments?party_org_id={}", w.b),
                &w.committee
            )
            .await,
        1
    );
    assert_eq!(
        w.app
            .get(
                "/api/v1/assignments?state=assigned&per_page=1",
                &w.committee
            )
            .await
            .items()
            .len(),
        1
    );
    assert_eq!(
        w.app
            .total(
                &format!("/api/v1/assignments?task_id={}", late["id"]),
                &w.committee
            )
            .await,
        1
    );
    let sorted_rows = w
        .app
        .get("/api/v1/assignments?sort=-due_on", &w.committee)
        .await
        .expect(200);
    assert_eq!(sorted_rows.items()[2]["due_on"], day(-1));
    for q in [
        "state=done",
        "overdue=maybe",
        "sort=colour",
        "from=2024-02-30",
        "party_org_id=x",
        "per_page=0",
    ] {
        let r = w
            .app
            .get(&format!("/api/v1/assignments?{q}"), &w.committee)
            .await;
        assert_eq!(r.status.as_u16(), 422, "{q}: {}", r.json);
    }
    // accepted is never overdue
    let id = assignment_of(&late, w.a);
    w.accept(id).await;
    assert_eq!(
        w.app
            .total("/api/v1/assignments?overdue=true", &w.committee)
            .await,
        0
    );

    let x = w
        .app
        .get("/api/v1/export/assignments.xlsx", &w.committee)
        .await
        .expect(200);
    assert_eq!(x.header("content-type"), Some(XLSX_TYPE));
    let (header, rows) = read_xlsx(&x.bytes);
    assert_eq!(
        header,
        web::modules::work::sheets::ASSIGNMENT_HEADERS.to_vec()
    );
    assert_eq!(rows.len(), 3);
    let first = &rows[0];
    assert_eq!(first[1], "开展主题教育");
    assert_eq!(first[2], "甲学会党支部");
    assert_eq!(first[4], day(-1));
    assert_eq!(first[5], "已通过");
    assert_eq!(first[6], "100");
    // the branch's export holds its own rows only
    let (_, rows) = read_xlsx(
        &w.app
            .get("/api/v1/export/assignments.xlsx", &w.branch_b)
            .await
            .expect(200)
            .bytes,
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][2], "乙学会党支部");
}

#[tokio::test]
async fn inspections_and_findings() {
    let w = &world().await;
    let r = w
        .app
        .post("/api/v1/inspections", &w.inspector, json!({"title": "2024年上半年督查", "kind": "supervision", "held_on": day(-10), "party_org_ids": [w.a], "team": ["张督导", "李督导"]}))
        .await
        .expect(201);
    let insp = r.id();
    assert_eq!(r.json["team"], json!(["张督导", "李督导"]));
    assert_eq!(r.json["party_org_ids"], json!([w.a]));
    let f = w.act("inspections", insp, "findings", &w.inspector, json!({"party_org_id": w.a, "description": "组织生活会未按期召开", "severity": "major", "due_on": day(20)}))
.await
        .expect(201);
    assert_eq!(f.json["found_on"], day(-10));
    assert_eq!(f.json["rectification"]["state"], "open");
    assert!(f.json["rectification"]["id"].is_i64());
    // the org must be one of the inspection's
    w.act(
        "inspections",
        insp,
        "findings",
        &w.inspector,
        json!({"party_org_id": w.b, "description": "x", "severity": "minor", "due_on": day(20)}),
    )
    .await
    .expect_field("party_org_id");
    let bad = |body: Value| async move {
        w.app
            .post(
                &format!("/api/v1/inspections/{insp}/findings"),
                &w.inspector,
                body,
            )
            .await
    };
    bad(json!({"party_org_id": w.a, "description": "x", "severity": "huge", "due_on": day(20)}))
        .await
        .expect_field("severity");
    bad(json!({"party_org_id": w.a, "description": "x", "severity": "minor", "found_on": day(1), "due_on": day(20)})).await.expect_field("found_on");
    bad(json!({"party_org_id": w.a, "description": "x", "severity": "minor", "found_on": day(-5), "due_on": day(-6)})).await.expect_field("due_on");
    bad(json!({"party_org_id": w.a, "description": "x", "severity": "minor"}))
        .await
        .expect_field("due_on");
    bad(json!({"party_org_id": w.a, "description": "x", "severity": "minor", "due_on": day(3), "owner": 1})).await.expect_field("owner");
    w.app
        .post(
            "/api/v1/inspections",
            &w.inspector,
            json!({"title": "x", "kind": "audit", "held_on": day(0), "party_org_ids": [w.a]}),
        )
        .await
        .expect_field("kind");
    w.app
        .post(
            "/api/v1/inspections",
            &w.branch_a,
            json!({"title": "x", "kind": "special", "held_on": day(0), "party_org_ids": [w.a]}),
        )
        .await
        .expect_error(403, "forbidden");
    // findings on their own
    let own = w
        .app
        .post("/api/v1/findings", &w.branch_a, json!({"source": "self_check", "party_org_id": w.a, "description": "党费收缴台账不规范", "severity": "minor", "due_on": day(10)}))
        .await
        .expect(201);
    assert_eq!(own.json["found_on"], day(0));
    assert!(own.json["inspection_id"].is_null());
    w.app.post("/api/v1/findings", &w.branch_a, json!({"source": "self_check", "party_org_id": w.b, "description": "x", "severity": "minor", "due_on": day(10)})).await.expect_error(403, "forbidden");
    w.app.post("/api/v1/findings", &w.inspector, json!({"source": "rumour", "party_org_id": w.b, "description": "x", "severity": "minor", "due_on": day(10)})).await.expect_field("source");
    w.app.post("/api/v1/findings", &w.viewer, json!({"source": "other", "party_org_id": w.b, "description": "x", "severity": "minor", "due_on": day(10)})).await.expect_error(403, "forbidden");
    // scope: branch b does not see the inspection of a
    w.app
        .get(&format!("/api/v1/inspections/{insp}"), &w.branch_b)
        .await
        .expect_error(404, "not_found");
    assert_eq!(w.app.total("/api/v1/inspections", &w.branch_b).await, 0);
    assert_eq!(
        w.app
            .get(&format!("/api/v1/inspections/{insp}"), &w.branch_a)
            .await
            .expect(200)
            .json["findings"],
        1
    );
}

#[tokio::test]
async fn rectification_state_machine_scope_and_roles() {
    let w = &world().await;
    let f = w.finding(w.a, &day(10)).await;
    let id = f["rectification"]["id"].as_i64().unwrap();
    let submit = |t: String| async move {
        w.act(
            "rectifications",
            id,
            "submit",
            &t,
            json!({"response": "已补齐记录"}),
        )
        .await
    };
    let verify = |d: &'static str| async move {
        w.act(
            "rectifications",
            id,
            "verify",
            &w.inspector,
            json!({"decision": d, "comment": "材料不全"}),
        )
        .await
    };
    verify("verify").await.expect_error(409, "conflict");
    verify("return").await.expect_error(409, "conflict");
    // another branch cannot see or submit it; the inspector and committee may not submit
    submit(w.branch_b.clone())
        .await
        .expect_error(404, "not_found");
    w.app
        .get(&format!("/api/v1/rectifications/{id}"), &w.branch_b)
        .await
        .expect_error(404, "not_found");
    submit(w.inspector.clone())
        .await
        .expect_error(403, "forbidden");
    submit(w.committee.clone())
        .await
        .expect_error(403, "forbidden");
    let r = submit(w.branch_a.clone()).await.expect(200);
    assert_eq!(r.json["state"], "submitted");
    assert!(r.json["submitted_at"].is_string());
    submit(w.branch_a.clone())
        .await
        .expect_error(409, "conflict");
    // the branch may not verify its own
    w.act(
        "rectifications",
        id,
        "verify",
        &w.branch_a,
        json!({"decision": "verify"}),
    )
    .await
    .expect_error(403, "forbidden");
    w.act(
        "rectifications",
        id,
        "verify",
        &w.committee,
        json!({"decision": "verify"}),
    )
    .await
    .expect_error(403, "forbidden");
    w.act(
        "rectifications",
        id,
        "verify",
        &w.inspector,
        json!({"decision": "ok"}),
    )
    .await
    .expect_field("decision");
    assert_eq!(verify("return").await.expect(200).json["state"], "returned");
    verify("verify").await.expect_error(409, "conflict");
    submit(w.branch_a.clone()).await.expect(200);
    let v = verify("verify").await.expect(200);
    assert_eq!(v.json["state"], "verified");
    assert!(v.json["verified_at"].is_string());
    assert_eq!(v.json["overdue"], false);
    submit(w.branch_a.clone())
        .await
        .expect_error(409, "conflict");
    verify("verify").await.expect_error(409, "conflict");
    verify("return").await.expect_error(409, "conflict");
    let detail = w
        .app
        .get(&format!("/api/v1/rectifications/{id}"), &w.branch_a)
        .await
        .expect(200);
    let actions: Vec<&str> = detail.json["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["submit", "return", "submit", "verify"]);
    // ledger rows carry the contract's fields
    let list = w
        .app
        .get("/api/v1/rectifications", &w.branch_a)
        .await
        .expect(200);
    let row = &list.items()[0];
    for k in [
        "id",
        "finding_id",
        "party_org_id",
        "description",
        "severity",
        "due_on",
        "state",
        "overdue",
        "late",
        "submitted_at",
        "verified_at",
    ] {
        assert!(row.get(k).is_some(), "{k} in {row}");
    }
    assert_eq!(w.app.total("/api/v1/rectifications", &w.branch_b).await, 0);
    // audit keeps every change
    let audit = w
        .app
        .get(
            &format!("/api/v1/audit?entity=rectification&entity_id={id}"),
            &w.app.admin,
        )
        .await
        .expect(200);
    assert_eq!(audit.items().len(), 4);
}

#[tokio::test]
async fn rectification_figures_ledger_and_xlsx() {
    let w = world().await;
    let clock = w.app.state.clock.clone();
    // found 30 days ago; one closes on time after 20 days, one late after 40 days
    let on_time = w.finding(w.a, &day(-5)).await["rectification"]["id"]
        .as_i64()
        .unwrap();
    let late = w.finding(w.b, &day(-20)).await["rectification"]["id"]
        .as_i64()
        .unwrap();
    let open = w.finding(w.a, &day(-1)).await["rectification"]["id"]
        .as_i64()
        .unwrap();
    let _fresh = w.finding(w.b, &day(30)).await;
    let admin = w.app.admin_api_token().await;
    let close = |id: i64, at_offset: i64| {
        let clock = clock.clone();
        let admin = admin.clone();
        let app = &w.app;
        async move {
            clock.set(pinned_now() + Duration::days(at_offset));
            app.post(
                &format!("/api/v1/rectifications/{id}/submit"),
                &admin,
                json!({}),
            )
            .await
            .expect(200);
            app.post(
                &format!("/api/v1/rectifications/{id}/verify"),
                &admin,
                json!({"decision": "verify"}),
            )
            .await
            .expect(200);
            clock.set(pinned_now());
        }
    };
    close(on_time, -10).await;
    close(late, 10).await;
    w.act(
        "rectifications",
        open,
        "submit",
        &admin,
        json!({"response": "整改中"}),
    )
    .await
    .expect(200);
    let s = w
        .app
        .get("/api/v1/stats/rectification", &w.committee)
        .await
        .expect(200)
        .json;
    assert_eq!(
        keys(&s),
        sorted(vec![
            "total",
            "open",
            "submitted",
            "returned",
            "verified",
            "overdue",
            "on_time_rate",
            "median_days_to_close"
        ])
    );
    assert_eq!(s["total"], 4);
    assert_eq!(s["open"], 1);
    assert_eq!(s["submitted"], 1);
    assert_eq!(s["verified"], 2);
    assert_eq!(s["returned"], 0);
    assert_eq!(s["overdue"], 1, "{s}");
    assert_eq!(s["on_time_rate"], 0.5);
    assert_eq!(s["median_days_to_close"], 30.0);
    let a = w
        .app
        .get("/api/v1/stats/rectification", &w.branch_a)
        .await
        .expect(200)
        .json;
    assert_eq!(a["total"], 2);
    assert_eq!(a["median_days_to_close"], 20.0);
    let none = w
        .app
        .get("/api/v1/stats/rectification?year=2020", &w.committee)
        .await
        .expect(200)
        .json;
    assert_eq!(none["total"], 0);
    assert!(none["median_days_to_close"].is_null());
    assert_eq!(none["on_time_rate"], 0.0);
    w.app
        .get("/api/v1/stats/rectification?year=abc", &w.committee)
        .await
        .expect_field("year");
    // ledger filters
    assert_eq!(
        w.app
            .total("/api/v1/rectifications?overdue=true", &w.committee)
            .await,
        1
    );
    assert_eq!(
        w.app
            .total("/api/v1/rectifications?state=verified", &w.committee)
            .await,
        2
    );
    assert_eq!(
        w.app
            .total(
                &format!("/api/v1/rectifications?party_org_id={}", w.a),
                &w.committee
            )
            .await,
        2
    );
    w.app
        .get("/api/v1/rectifications?state=closed", &w.committee)
        .await
        .expect_field("state");
    // xlsx read back
    let x = w
        .app
        .get("/api/v1/export/rectifications.xlsx?sort=org", &w.committee)
        .await
        .expect(200);
    let (header, rows) = read_xlsx(&x.bytes);
    assert_eq!(
        header,
        web::modules::work::sheets::RECTIFICATION_HEADERS.to_vec()
    );
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0][2], "甲学会党支部");
    assert_eq!(rows[0][1], "三会一课记录不全");
    assert!(rows.iter().any(|r| r[7] == "已销号" && r[8] == "否"));
    assert!(rows.iter().any(|r| r[7] == "已提交" && r[8] == "是"));
}

#[tokio::test]
async fn openapi_describes_the_work_endpoints() {
    let w = world().await;
    let doc = w
        .app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .expect(200)
        .json;
    for p in [
        "/work-plans/import",
        "/tasks",
        "/assignments",
        "/assignments/{id}/reports",
        "/assignments/{id}/review",
        "/inspections/{id}/findings",
        "/findings",
        "/rectifications/{id}/verify",
        "/stats/rectification",
        "/export/rectifications.xlsx",
    ] {
        assert!(doc["paths"][p].is_object(), "{p}");
    }
    let _ = w.b;
}

#[tokio::test]
async fn evidence_files_are_checked_by_content_size_and_scope() {
    let w = world().await;
    let f = w.finding(w.a, &day(10)).await;
    let rid = f["rectification"]["id"].as_i64().unwrap();
    let t = w.task(&[w.a], &day(30)).await;
    let aid = assignment_of(&t, w.a);
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    for (uri, bytes) in [
        (
            format!("/api/v1/rectifications/{rid}/attachments"),
            &pdf[..],
        ),
        (format!("/api/v1/assignments/{aid}/attachments"), &png[..]),
    ] {
        let r = upload(&w.app, &uri, &w.branch_a, "证明.pdf", bytes)
            .await
            .expect(201);
        assert_eq!(r.json["size"], bytes.len());
        let list = w.app.get(&uri, &w.branch_a).await.expect(200);
        assert_eq!(list.items().len(), 1);
        let file = r.id();
        let d = w
            .app
            .get(&format!("{uri}/{file}"), &w.inspector)
            .await
            .expect(200);
        assert_eq!(d.bytes, bytes);
        // another branch sees neither the list nor the file
        w.app
            .get(&uri, &w.branch_b)
            .await
            .expect_error(404, "not_found");
        w.app
            .get(&format!("{uri}/{file}"), &w.branch_b)
            .await
            .expect_error(404, "not_found");
        upload(&w.app, &uri, &w.branch_b, "x.pdf", pdf)
            .await
            .expect_error(404, "not_found");
        // the inspector may not add the org's evidence
        upload(&w.app, &uri, &w.inspector, "x.pdf", pdf)
            .await
            .expect_error(403, "forbidden");
        // a fake: an executable named .pdf; oversized
        upload(&w.app, &uri, &w.branch_a, "evil.pdf", b"MZ\x90\0\x03\0\0\0")
            .await
            .expect_field("file");
        upload(
            &w.app,
            &uri,
            &w.branch_a,
            "huge.pdf",
            &vec![b'%'; MAX_UPLOAD + 10],
        )
        .await
        .expect_error(413, "payload_too_large");
        w.app
            .get(&format!("{uri}/abc"), &w.branch_a)
            .await
            .expect_error(400, "bad_request");
    }
}

/// The text of a .docx's `word/document.xml`.
fn docx_xml(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    s
}

#[tokio::test]
async fn bulletins_are_word_documents_with_the_ledger_tables() {
    let w = world().await;
    let late = w.finding(w.a, &day(-3)).await["rectification"]["id"]
        .as_i64()
        .unwrap();
    let done = w.finding(w.b, &day(10)).await["rectification"]["id"]
        .as_i64()
        .unwrap();
    w.act(
        "rectifications",
        done,
        "submit",
        &w.branch_b,
        json!({"response": "已整改"}),
    )
    .await
    .expect(200);
    w.act(
        "rectifications",
        done,
        "verify",
        &w.inspector,
        json!({"decision": "verify"}),
    )
    .await
    .expect(200);
    let _ = late;
    let r = w
        .app
        .get(
            "/api/v1/bulletins/rectification.docx?doc_number=云科社党〔2024〕3号",
            &w.viewer,
        )
        .await
        .expect(200);
    assert_eq!(
        r.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    );
    assert!(r.header("content-disposition").unwrap().contains(".docx"));
    let xml = docx_xml(&r.bytes);
    for s in [
        "科技社团党委",
        "云科社党〔2024〕3号",
        "督查整改情况的通报",
        "已整改销号问题清单",
        "未按期整改问题清单",
        "甲学会党支部",
        "乙学会党支部",
        "2024年6月15日",
    ] {
        assert!(xml.contains(s), "{s} missing");
    }
    // tasks
    let t = w.task(&[w.a, w.b], &day(-1)).await;
    let id = assignment_of(&t, w.a);
    w.accept(id).await;
    let r = w
        .app
        .get("/api/v1/bulletins/tasks.docx", &w.committee)
        .await
        .expect(200);
    let xml = docx_xml(&r.bytes);
    for s in [
        "工作任务落实情况的通报",
        "已落实任务清单",
        "未按期报告任务清单",
        "开展主题教育",
    ] {
        assert!(xml.contains(s), "{s} missing");
    }
    w.app
        .get("/api/v1/bulletins/tasks.docx?from=2024-13-01", &w.committee)
        .await
        .expect_field("from");
    w.app
        .get(
            "/api/v1/bulletins/tasks.docx?from=2024-06-01&to=2024-05-01",
            &w.committee,
        )
        .await
        .expect_field("to");
    // a branch's bulletin holds its own rows only
    let xml = docx_xml(
        &w.app
            .get("/api/v1/bulletins/rectification.docx", &w.branch_a)
            .await
            .expect(200)
            .bytes,
    );
    assert!(xml.contains("甲学会党支部") && !xml.contains("乙学会党支部"));
}

/// The text of the `<w:t>` runs of a .docx, joined (a title broken over lines reads whole).
fn docx_text(bytes: &[u8]) -> String {
    let xml = docx_xml(bytes);
    xml.split("<w:t")
        .skip(1)
        .filter_map(|t| {
            let t = &t[t.find('>')? + 1..];
            Some(t[..t.find("</w:t>")?].to_string())
        })
        .collect()
}

#[tokio::test]
async fn bulletins_take_numbers_and_print_the_edited_text() {
    let w = world_with(|c| {
        c.bulletin = web::BulletinConfig {
            issuer: Some("中共云川市科协科技社团委员会".into()),
            code: Some("渝科协社党发".into()),
            copy_to: Some("市科协党组".into()),
            layout: None,
        }
    })
    .await;
    let _late = w.finding(w.a, &day(-3)).await;
    let done = w.finding(w.b, &day(10)).await["rectification"]["id"]
        .as_i64()
        .unwrap();
    w.act(
        "rectifications",
        done,
        "submit",
        &w.branch_b,
        json!({"response": "已整改"}),
    )
    .await
    .expect(200);
    w.act(
        "rectifications",
        done,
        "verify",
        &w.inspector,
        json!({"decision": "verify"}),
    )
    .await
    .expect(200);
    let url = "/api/v1/bulletins/rectification.docx";
    // a GET takes no number: the party-organ format, the code with the number blank
    let r = w.app.get(url, &w.viewer).await.expect(200);
    let (xml, text) = (docx_xml(&r.bytes), docx_text(&r.bytes));
    assert!(text.contains("渝科协社党发〔2024〕  号"), "{text}");
    assert!(
        xml.contains('★'),
        "a committee's bulletin has the star in its red line"
    );
    assert!(text.contains("中共云川市科协科技社团委员会"));
    assert!(text.contains("关于2024年1月1日至6月15日督查整改情况的通报"));
    assert!(text.contains("抄送：市科协党组。"));
    // drafted verdicts: the org that closed all in time praised, the late one criticized
    assert!(
        text.contains("对乙学会党支部等1个党组织按期完成全部问题整改并销号，予以通报表扬。"),
        "{text}"
    );
    assert!(
        text.contains("对甲学会党支部等1个党组织未按期提交整改，予以通报批评。"),
        "{text}"
    );
    // the title breaks between whole words only
    let title = &xml[xml.find("GwTitle").unwrap()..];
    let title = &title[..title.find("</w:p>").unwrap()];
    assert!(title.contains("<w:br/>"));
    assert!(title.contains(">督查整改情况的通报<"), "{title}");
    // a period without findings says so, with no figures of nothing, and names it by the rule
    let r = w
        .app
        .get(&format!("{url}?from=2023-07-01&to=2023-09-30"), &w.viewer)
        .await
        .expect(200);
    let text = docx_text(&r.bytes);
    assert!(
        text.contains("关于2023年第三季度督查整改情况的通报"),
        "{text}"
    );
    assert!(
        text.contains("期间未发现需要整改的问题。") && !text.contains("0个"),
        "{text}"
    );
    // a POST takes the next free number of the year, and the next one after it
    let r = w.app.post(url, &w.committee, json!({})).await.expect(200);
    assert!(docx_text(&r.bytes).contains("渝科协社党发〔2024〕1号"));
    let r = w.app.post(url, &w.committee, json!({})).await.expect(200);
    assert!(docx_text(&r.bytes).contains("渝科协社党发〔2024〕2号"));
    // the same bulletin made again under its number; another bulletin cannot take it
    let r = w
        .app
        .post(url, &w.committee, json!({"doc_no": 1}))
        .await
        .expect(200);
    assert!(docx_text(&r.bytes).contains("渝科协社党发〔2024〕1号"));
    w.app
        .post(
            "/api/v1/bulletins/tasks.docx",
            &w.committee,
            json!({"doc_no": 2}),
        )
        .await
        .expect_error(409, "conflict");
    // the edited text replaces the draft; an empty one leaves its paragraph out
    let r = w
        .app
        .post(
            url,
            &w.committee,
            json!({"praise": "特别表扬乙学会党支部。", "criticism": "", "next": "第一项要求。
第二项要求。", "doc_no": 7}),
        )
        .await
        .expect(200);
    let text = docx_text(&r.bytes);
    assert!(text.contains("特别表扬乙学会党支部。") && text.contains("第一项要求。第二项要求。"));
    assert!(!text.contains("予以通报批评") && !text.contains("予以通报表扬"));
    assert!(text.contains("渝科协社党发〔2024〕7号"));
    assert_eq!(docx_xml(&r.bytes).matches(">第二项要求。<").count(), 1);
    // the next free number runs on after the highest taken
    let r = w.app.post(url, &w.committee, json!({})).await.expect(200);
    assert!(docx_text(&r.bytes).contains("渝科协社党发〔2024〕8号"));
    // bad input: clear errors, no number taken
    w.app
        .post(url, &w.committee, json!({"praise": "长".repeat(5001)}))
        .await
        .expect_field("praise");
    w.app
        .post(url, &w.committee, json!({"doc_no": 0}))
        .await
        .expect_field("doc_no");
    w.app
        .post(
            url,
            &w.committee,
            json!({"from": "2024-06-01", "to": "2024-05-01"}),
        )
        .await
        .expect_field("to");
    w.app
        .post(url, &w.committee, json!({"colour": "red"}))
        .await
        .expect_field("colour");
    // those who do not issue bulletins may not take numbers
    w.app.post(url, &w.viewer, json!({})).await.expect(403);
    w.app.post(url, &w.branch_a, json!({})).await.expect(403);
    let r = w.app.post(url, &w.committee, json!({})).await.expect(200);
    assert!(docx_text(&r.bytes).contains("渝科协社党发〔2024〕9号"));
    // every number taken is audited
    let admin = w.app.admin_api_token().await;
    let audit = w
        .app
        .get("/api/v1/audit?entity=bulletin", &admin)
        .await
        .expect(200)
        .json;
    assert_eq!(audit["items"].as_array().unwrap().len(), 5);
}

/// `late` is the org's own lateness; `overdue` also counts the committee's time to review.
#[tokio::test]
async fn late_blames_the_org_only_for_its_own_delay() {
    let w = world().await;
    let t = w.task(&[w.a, w.b], &day(0)).await;
    let (on_time, never) = (assignment_of(&t, w.a), assignment_of(&t, w.b));
    w.act(
        "assignments",
        on_time,
        "reports",
        &w.branch_a,
        json!({"progress": 100, "text": "已完成"}),
    )
    .await
    .expect(201);
    let rect = w.finding(w.a, &day(0)).await["rectification"]["id"]
        .as_i64()
        .unwrap();
    let open = w.finding(w.b, &day(0)).await["rectification"]["id"]
        .as_i64()
        .unwrap();
    w.act(
        "rectifications",
        rect,
        "submit",
        &w.branch_a,
        json!({"response": "已整改"}),
    )
    .await
    .expect(200);
    // nobody is late on the due day itself
    let a = w
        .app
        .get("/api/v1/assignments", &w.committee)
        .await
        .expect(200);
    assert!(a
        .items()
        .iter()
        .all(|i| i["late"] == false && i["overdue"] == false));
    // the day after: both open records are overdue; only the unanswered ones are late
    w.app.state.clock.set(pinned_now() + Duration::days(1));
    let admin = w.app.admin_api_token().await;
    let a = w.app.get("/api/v1/assignments", &admin).await.expect(200);
    let by_id = |items: &Vec<Value>, id: i64| items.iter().find(|i| i["id"] == id).unwrap().clone();
    let (x, y) = (by_id(a.items(), on_time), by_id(a.items(), never));
    assert_eq!(
        (x["overdue"].clone(), x["late"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(
        (y["overdue"].clone(), y["late"].clone()),
        (json!(true), json!(true))
    );
    assert_eq!(x["first_reported_on"], day(0));
    // the `late` filter keeps exactly the late ones, `late=false` the others
    for (late, want) in [("true", never), ("false", on_time)] {
        let l = w
            .app
            .get(
                &format!("/api/v1/assignments?task_id={}&late={late}", t["id"]),
                &admin,
            )
            .await
            .expect(200);
        let ids: Vec<i64> = l
            .items()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![want], "late={late}");
    }
    // an assignment's history is the ledger's one shape
    let one = w
        .app
        .get(&format!("/api/v1/assignments/{on_time}"), &admin)
        .await
        .expect(200);
    assert_eq!(one.json["events"][0]["action"], "report");
    assert_eq!(one.json["events"][0]["progress"], 100);
    let r = w
        .app
        .get("/api/v1/rectifications", &admin)
        .await
        .expect(200);
    let (x, y) = (by_id(r.items(), rect), by_id(r.items(), open));
    assert_eq!(
        (x["overdue"].clone(), x["late"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(
        (y["overdue"].clone(), y["late"].clone()),
        (json!(true), json!(true))
    );
    // the bulletin names only the org that was late
    let xml = docx_xml(
        &w.app
            .get("/api/v1/bulletins/tasks.docx", &admin)
            .await
            .expect(200)
            .bytes,
    );
    let behind = xml.split("未按期报告任务清单").nth(1).unwrap();
    assert!(behind.contains("乙学会党支部") && !behind.contains("甲学会党支部"));
    // a report after the due day is late for good, whatever the review says
    w.act(
        "rectifications",
        open,
        "submit",
        &admin,
        json!({"response": "补交"}),
    )
    .await
    .expect(200);
    w.act(
        "rectifications",
        open,
        "verify",
        &admin,
        json!({"decision": "verify"}),
    )
    .await
    .expect(200);
    let r = w
        .app
        .get(&format!("/api/v1/rectifications/{open}"), &admin)
        .await
        .expect(200);
    assert_eq!(
        (r.json["overdue"].clone(), r.json["late"].clone()),
        (json!(false), json!(true))
    );
}

/// The to-do walks the registered ledgers: what waits on a branch (to report) and on the
/// committee (to review) follows the state machine and the policy table.
#[tokio::test]
async fn the_todo_counts_what_waits_in_every_ledger() {
    let w = world().await;
    let t = w.task(&[w.a], &day(5)).await;
    let waiting = |v: &Value, kind: &str| {
        v["ledgers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["kind"] == kind)
            .map(|l| {
                (
                    l["side"].as_str().unwrap().to_string(),
                    l["total"].as_i64().unwrap(),
                )
            })
    };
    let todo = w.app.get("/api/v1/todo", &w.branch_a).await.expect(200);
    assert_eq!(waiting(&todo.json, "assignment"), Some(("org".into(), 1)));
    assert_eq!(
        waiting(&todo.json, "rectification"),
        Some(("org".into(), 0))
    );
    let todo = w.app.get("/api/v1/todo", &w.committee).await.expect(200);
    assert_eq!(
        waiting(&todo.json, "assignment"),
        Some(("reviewer".into(), 0))
    );
    // the committee does not verify rectifications: nothing of that ledger waits on it
    assert_eq!(waiting(&todo.json, "rectification"), None);
    w.app
        .post(
            &format!("/api/v1/assignments/{}/reports", assignment_of(&t, w.a)),
            &w.branch_a,
            json!({"progress": 50}),
        )
        .await
        .expect(201);
    let todo = w.app.get("/api/v1/todo", &w.committee).await.expect(200);
    assert_eq!(
        waiting(&todo.json, "assignment"),
        Some(("reviewer".into(), 1))
    );
    let todo = w.app.get("/api/v1/todo", &w.branch_a).await.expect(200);
    assert_eq!(waiting(&todo.json, "assignment"), Some(("org".into(), 0)));
}

/// A plan is edited (title, year) and deleted while no task was made from it; once one was,
/// deleting it is refused (its tasks and reports are kept). Audited; roles checked.
#[tokio::test]
async fn work_plans_are_edited_and_deleted_only_without_tasks() {
    let w = world().await;
    let plan = w
        .app
        .post(
            "/api/v1/work-plans/import",
            &w.committee,
            json!({"title": "2023年工作要点", "year": 2023, "text": SAMPLE}),
        )
        .await
        .expect(201)
        .json;
    let id = plan["id"].as_i64().unwrap();
    let url = format!("/api/v1/work-plans/{id}");
    let r = w
        .app
        .patch(
            &url,
            &w.committee,
            json!({"title": "2023年党建工作要点", "year": 2024}),
        )
        .await
        .expect(200);
    assert_eq!(
        (r.json["title"].as_str(), r.json["year"].as_i64()),
        (Some("2023年党建工作要点"), Some(2024))
    );
    assert_eq!(
        r.json["sections"].as_array().unwrap().len(),
        4,
        "items stay"
    );
    // absent fields keep their value; bad ones are named
    let r = w
        .app
        .patch(&url, &w.committee, json!({"year": 2025}))
        .await
        .expect(200);
    assert_eq!(r.json["title"], "2023年党建工作要点");
    w.app
        .patch(&url, &w.committee, json!({"title": " "}))
        .await
        .expect_field("title");
    w.app
        .patch(&url, &w.committee, json!({"year": 1800}))
        .await
        .expect_field("year");
    w.app
        .patch(&url, &w.committee, json!({"colour": 1}))
        .await
        .expect_field("colour");
    w.app
        .patch(&url, &w.viewer, json!({"year": 2026}))
        .await
        .expect(403);
    w.app
        .patch(&url, &w.branch_a, json!({"year": 2026}))
        .await
        .expect(403);
    w.app
        .patch(
            "/api/v1/work-plans/9999",
            &w.committee,
            json!({"year": 2026}),
        )
        .await
        .expect(404);
    // a task made from one of its items: the plan cannot be deleted
    let item = plan["sections"][0]["items"][0]["id"].as_i64().unwrap();
    let task = w
        .app
        .post(
            "/api/v1/tasks",
            &w.committee,
            json!({"title": "学习", "work_item_id": item, "due_on": day(5), "party_org_ids": [w.a]}),
        )
        .await
        .expect(201)
        .json;
    assert!(task["id"].is_i64());
    w.app
        .delete(&url, &w.committee)
        .await
        .expect_error(409, "in_use");
    w.app.get(&url, &w.viewer).await.expect(200);
    // a plan without tasks is deleted (soft): gone from the list and GET
    let other = w
        .app
        .post(
            "/api/v1/work-plans/import",
            &w.committee,
            json!({"title": "2024年工作要点", "year": 2024, "text": SAMPLE}),
        )
        .await
        .expect(201)
        .json["id"]
        .as_i64()
        .unwrap();
    let other_url = format!("/api/v1/work-plans/{other}");
    w.app.delete(&other_url, &w.viewer).await.expect(403);
    w.app.delete(&other_url, &w.committee).await.expect(204);
    w.app.get(&other_url, &w.committee).await.expect(404);
    w.app.delete(&other_url, &w.committee).await.expect(404);
    let list = w
        .app
        .get("/api/v1/work-plans", &w.viewer)
        .await
        .expect(200)
        .json;
    assert_eq!(list["total"], 1);
    // both changes are in the audit log
    let admin = w.app.admin_api_token().await;
    let audit = w
        .app
        .get(
            &format!("/api/v1/audit?entity=work_plan&entity_id={other}"),
            &admin,
        )
        .await
        .expect(200)
        .json;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["delete", "create"]);
    let audit = w
        .app
        .get(
            &format!("/api/v1/audit?entity=work_plan&entity_id={id}"),
            &admin,
        )
        .await
        .expect(200)
        .json;
    assert_eq!(audit["items"][0]["action"], "update");
    assert_eq!(audit["items"][0]["after"]["year"], 2025);
}
