//! M5: report forms, expected submissions, their states, lateness and figures, funded
//! projects — the contract of API.md, scope (404 / 403) and bad input (422). The clock is
//! pinned to 2024-06-15.

use domain::Role;
use serde_json::{json, Value};

use testkit::*;

struct World {
    app: TestApp,
    a: i64,
    b: i64,
    late_org: i64,
    branch_a: String,
    branch_b: String,
    committee: String,
    viewer: String,
    admin: String,
}

async fn world() -> World {
    let app = TestApp::builder().spawn().await;
    let root = app.org("科技社团党委", "committee", None).await;
    let a = app.org("甲学会党支部", "branch", Some(root)).await;
    let b = app.org("乙学会党支部", "branch", Some(root)).await;
    // established in March: expected from April's report on
    let late_org = app
        .org_with(
            "丙学会党支部",
            "branch",
            Some(root),
            json!({"established_on": "2024-03-10"}),
        )
        .await;
    let branch_a = app.token_for(Role::Branch, Some(a)).await;
    let branch_b = app.token_for(Role::Branch, Some(b)).await;
    let committee = app.token_for(Role::Committee, None).await;
    let viewer = app.token_for(Role::Viewer, None).await;
    let admin = app.admin_api_token().await;
    World {
        app,
        a,
        b,
        late_org,
        branch_a,
        branch_b,
        committee,
        viewer,
        admin,
    }
}

fn monthly_form() -> Value {
    json!({
        "title": "党建工作月报", "period": "month", "due_days": 10,
        "applies_to": "party_orgs", "org_kinds": ["branch"],
        "active_from": "2024-01-01",
        "fields": [
            {"key": "meetings", "label": "召开会议次数", "type": "integer", "required": true, "min": 0, "max": 100},
            {"key": "spent", "label": "党建经费（元）", "type": "number", "min": 0},
            {"key": "status", "label": "进展", "type": "choice", "required": true, "choices": ["正常", "滞后"]},
            {"key": "notes", "label": "说明", "type": "text"},
            {"key": "photo", "label": "照片", "type": "file"}
        ]
    })
}

impl World {
    async fn form(&self, body: Value) -> i64 {
        self.app
            .post("/api/v1/report-forms", &self.admin, body)
            .await
            .expect(201)
            .id()
    }

    async fn draft(&self, form: i64, period: &str, org: i64, token: &str, values: Value) -> Resp {
        self.app
            .post(
                "/api/v1/report-submissions",
                token,
                json!({"form_id": form, "period": period, "party_org_id": org, "values": values}),
            )
            .await
    }

    async fn act(&self, id: i64, action: &str, token: &str, body: Value) -> Resp {
        self.app
            .post(
                &format!("/api/v1/report-submissions/{id}/{action}"),
                token,
                body,
            )
            .await
    }
}

#[tokio::test]
async fn forms_are_data_checked_by_field_and_admins_define_them() {
    let w = world().await;
    let r = w
        .app
        .post("/api/v1/report-forms", &w.admin, monthly_form())
        .await
        .expect(201);
    assert_eq!(r.json["period"], "month");
    assert_eq!(r.json["fields"][0]["type"], "integer");
    assert_eq!(r.json["org_kinds"], json!(["branch"]));
    assert!(r.json["party_org_ids"].is_null() && r.json["active_to"].is_null());
    let id = r.id();
    // committee and branch may not define forms
    for t in [&w.committee, &w.branch_a, &w.viewer] {
        w.app
            .post("/api/v1/report-forms", t, monthly_form())
            .await
            .expect_error(403, "forbidden");
    }
    // every role reads them
    w.app
        .get(&format!("/api/v1/report-forms/{id}"), &w.viewer)
        .await
        .expect(200);
    w.app
        .expect_total("/api/v1/report-forms", &w.branch_a, 1)
        .await;
    // bad definitions name the field
    let mut bad = monthly_form();
    bad["period"] = json!("week");
    w.app
        .post("/api/v1/report-forms", &w.admin, bad)
        .await
        .expect_field("period");
    let mut bad = monthly_form();
    bad["fields"][1]["key"] = json!("meetings");
    w.app
        .post("/api/v1/report-forms", &w.admin, bad)
        .await
        .expect_field("fields[1].key");
    let mut bad = monthly_form();
    bad["fields"][0]["type"] = json!(3);
    w.app
        .post("/api/v1/report-forms", &w.admin, bad)
        .await
        .expect_field("fields[0].type");
    let mut bad = monthly_form();
    bad["colour"] = json!("red");
    w.app
        .post("/api/v1/report-forms", &w.admin, bad)
        .await
        .expect_field("colour");
    let mut bad = monthly_form();
    bad["party_org_ids"] = json!([999]);
    bad["org_kinds"] = Value::Null;
    w.app
        .post("/api/v1/report-forms", &w.admin, bad)
        .await
        .expect_field("party_org_ids");
    // PATCH changes what it names
    let r = w
        .app
        .patch(
            &format!("/api/v1/report-forms/{id}"),
            &w.admin,
            json!({"title": "月报", "due_days": 15}),
        )
        .await
        .expect(200);
    assert_eq!(
        (r.json["title"].as_str(), r.json["due_days"].as_i64()),
        (Some("月报"), Some(15))
    );
    assert_eq!(r.json["fields"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn expected_submissions_are_derived_for_every_begun_period_and_respondent() {
    let w = world().await;
    let form = w.form(monthly_form()).await;
    // Jan–Jun for A and B, Apr–Jun for the org established in March: 6 + 6 + 3
    let all = w
        .app
        .get(
            &format!("/api/v1/report-submissions?form_id={form}&per_page=500"),
            &w.committee,
        )
        .await
        .expect(200);
    assert_eq!(all.json["total"], 15);
    let first = &all.items()[0];
    assert_eq!(first["period"], "2024-06");
    assert!(first["id"].is_null());
    assert_eq!(first["state"], "not_started");
    assert_eq!(first["due_on"], "2024-07-10");
    assert_eq!(first["late"], false);
    assert_eq!(first["values"], json!({}));
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for k in [
        "id",
        "form_id",
        "period",
        "party_org_id",
        "funded_project_id",
        "state",
        "due_on",
        "submitted_at",
        "late",
        "values",
    ] {
        assert!(keys.contains(&k), "{k} in {first}");
    }
    let march = w
        .app
        .get(
            &format!("/api/v1/report-submissions?form_id={form}&period=2024-03"),
            &w.committee,
        )
        .await
        .expect(200);
    assert_eq!(march.json["total"], 2);
    assert!(march
        .items()
        .iter()
        .all(|s| s["party_org_id"] != w.late_org));
    // May's is due 2024-06-10 and not in: late
    let late = w
        .app
        .get(
            &format!("/api/v1/report-submissions?form_id={form}&late=true&per_page=500"),
            &w.committee,
        )
        .await
        .expect(200);
    assert_eq!(late.json["total"], 12);
    // a branch sees its own only
    w.app
        .expect_total(
            &format!("/api/v1/report-submissions?form_id={form}"),
            &w.branch_a,
            6,
        )
        .await;
    // paging walks the same list
    let p2 = w
        .app
        .get(
            &format!("/api/v1/report-submissions?form_id={form}&per_page=4&page=2"),
            &w.committee,
        )
        .await
        .expect(200);
    assert_eq!(p2.items().len(), 4);
    assert_eq!(p2.items()[0], all.items()[4]);
    // a period of another kind names the parameter
    w.app
        .get(
            &format!("/api/v1/report-submissions?form_id={form}&period=2024-Q1"),
            &w.committee,
        )
        .await
        .expect_field("period");
}

#[tokio::test]
async fn a_submission_goes_draft_submitted_returned_submitted_accepted() {
    let w = world().await;
    let form = w.form(monthly_form()).await;
    let r = w
        .draft(form, "2024-06", w.a, &w.branch_a, json!({"meetings": 2}))
        .await
        .expect(201);
    assert_eq!(r.json["state"], "draft");
    let id = r.id();
    // one per form, period and respondent
    w.draft(form, "2024-06", w.a, &w.branch_a, json!({}))
        .await
        .expect_error(409, "conflict");
    // required at submit, naming the field
    w.act(id, "submit", &w.branch_a, json!({}))
        .await
        .expect_field("values.status");
    let r = w
        .app
        .patch(
            &format!("/api/v1/report-submissions/{id}"),
            &w.branch_a,
            json!({"values": {"status": "正常", "spent": 120.5}}),
        )
        .await
        .expect(200);
    assert_eq!(
        r.json["values"],
        json!({"meetings": 2, "status": "正常", "spent": 120.5})
    );
    // the reviewer may not decide a draft
    w.act(id, "review", &w.committee, json!({"decision": "accept"}))
        .await
        .expect_error(409, "conflict");
    let r = w
        .act(id, "submit", &w.branch_a, json!({}))
        .await
        .expect(200);
    assert_eq!(r.json["state"], "submitted");
    assert!(r.json["submitted_at"].is_string());
    assert_eq!(r.json["late"], false);
    // no edits while submitted
    w.app
        .patch(
            &format!("/api/v1/report-submissions/{id}"),
            &w.branch_a,
            json!({"values": {"meetings": 3}}),
        )
        .await
        .expect_error(409, "conflict");
    // a branch may not review; a return needs its reason
    w.act(id, "review", &w.branch_a, json!({"decision": "accept"}))
        .await
        .expect_error(403, "forbidden");
    w.act(id, "review", &w.committee, json!({"decision": "return"}))
        .await
        .expect_field("comment");
    let r = w
        .act(
            id,
            "review",
            &w.committee,
            json!({"decision": "return", "comment": "经费数额请核实"}),
        )
        .await
        .expect(200);
    assert_eq!(r.json["state"], "returned");
    w.app
        .patch(
            &format!("/api/v1/report-submissions/{id}"),
            &w.branch_a,
            json!({"values": {"spent": 102.5, "notes": null}}),
        )
        .await
        .expect(200);
    w.act(id, "submit", &w.branch_a, json!({}))
        .await
        .expect(200);
    let r = w
        .act(id, "review", &w.committee, json!({"decision": "accept"}))
        .await
        .expect(200);
    assert_eq!(r.json["state"], "accepted");
    // accepted is final
    for (action, token, body) in [
        ("submit", &w.branch_a, json!({})),
        (
            "review",
            &w.committee,
            json!({"decision": "return", "comment": "x"}),
        ),
    ] {
        w.act(id, action, token, body)
            .await
            .expect_error(409, "conflict");
    }
    let got = w
        .app
        .get(&format!("/api/v1/report-submissions/{id}"), &w.branch_a)
        .await
        .expect(200);
    let actions: Vec<&str> = got.json["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["submit", "return", "submit", "accept"]);
    // audited as report_submission
    let audit = w
        .app
        .get(
            &format!("/api/v1/audit?entity=report_submission&entity_id={id}"),
            &w.admin,
        )
        .await
        .expect(200);
    assert!(audit.items().len() >= 6, "{}", audit.json);
}

#[tokio::test]
async fn values_are_checked_by_type_and_bound_and_nothing_is_stored_on_error() {
    let w = world().await;
    let form = w.form(monthly_form()).await;
    for (values, field) in [
        (json!({"nope": 1}), "values.nope"),
        (json!({"meetings": "3"}), "values.meetings"),
        (json!({"meetings": 2.5}), "values.meetings"),
        (json!({"meetings": 101}), "values.meetings"),
        (json!({"spent": -1}), "values.spent"),
        (json!({"status": "超前"}), "values.status"),
        (json!({"notes": 5}), "values.notes"),
        (json!({"photo": 12}), "values.photo"),
    ] {
        w.draft(form, "2024-06", w.a, &w.branch_a, values)
            .await
            .expect_field(field);
    }
    w.app
        .expect_total(
            &format!("/api/v1/report-submissions?form_id={form}&state=draft"),
            &w.committee,
            0,
        )
        .await;
    // not expected: a period not begun, before the org existed, of another kind, unknown form
    for (period, org, field) in [
        ("2024-07", w.a, "period"),
        ("2024-02", w.late_org, "party_org_id"),
        ("2024-Q2", w.a, "period"),
    ] {
        w.draft(form, period, org, &w.admin, json!({}))
            .await
            .expect_field(field);
    }
    w.app
        .post(
            "/api/v1/report-submissions",
            &w.admin,
            json!({"form_id": 999, "period": "2024-06", "party_org_id": w.a}),
        )
        .await
        .expect_field("form_id");
    // both respondents at once, or none
    w.app
        .post(
            "/api/v1/report-submissions",
            &w.admin,
            json!({"form_id": form, "period": "2024-06"}),
        )
        .await
        .expect_field("party_org_id");
}

#[tokio::test]
async fn scope_hides_other_orgs_submissions_and_forbids_writing_for_them() {
    let w = world().await;
    let form = w.form(monthly_form()).await;
    // naming an org outside the subtree: 403, nothing written
    w.draft(form, "2024-06", w.b, &w.branch_a, json!({}))
        .await
        .expect_error(403, "forbidden");
    let id = w
        .draft(form, "2024-06", w.b, &w.branch_b, json!({}))
        .await
        .expect(201)
        .id();
    // another branch: 404 everywhere
    w.app
        .get(&format!("/api/v1/report-submissions/{id}"), &w.branch_a)
        .await
        .expect_error(404, "not_found");
    w.app
        .patch(
            &format!("/api/v1/report-submissions/{id}"),
            &w.branch_a,
            json!({"values": {}}),
        )
        .await
        .expect_error(404, "not_found");
    w.act(id, "submit", &w.branch_a, json!({}))
        .await
        .expect_error(404, "not_found");
    // viewer and committee read but do not answer
    w.app
        .get(&format!("/api/v1/report-submissions/{id}"), &w.viewer)
        .await
        .expect(200);
    w.act(id, "submit", &w.committee, json!({}))
        .await
        .expect_error(403, "forbidden");
    // admin answers for anyone
    w.app
        .patch(
            &format!("/api/v1/report-submissions/{id}"),
            &w.admin,
            json!({"values": {"meetings": 1}}),
        )
        .await
        .expect(200);
}

#[tokio::test]
async fn lateness_and_the_figures_count_what_was_expected() {
    let w = world().await;
    let form = w.form(monthly_form()).await;
    let v = json!({"meetings": 1, "status": "正常"});
    // May (due 2024-06-10): A submits today (late), B never; the March org too
    let a = w
        .draft(form, "2024-05", w.a, &w.branch_a, v.clone())
        .await
        .expect(201)
        .id();
    let r = w.act(a, "submit", &w.branch_a, json!({})).await.expect(200);
    assert_eq!(r.json["late"], true);
    let s = w
        .app
        .get(
            &format!("/api/v1/stats/reports?form_id={form}&period=2024-05"),
            &w.committee,
        )
        .await
        .expect(200);
    assert_eq!(
        s.json,
        json!({"expected": 3, "submitted": 1, "accepted": 0, "returned": 0, "missing": 2,
               "on_time": 0, "late": 3, "completeness_rate": 0.3333, "timeliness_rate": 0.0})
    );
    // June (due 2024-07-10): two in time, one returned; a return keeps the first day
    for (org, token) in [(w.a, &w.branch_a), (w.b, &w.branch_b)] {
        let id = w
            .draft(form, "2024-06", org, token, v.clone())
            .await
            .expect(201)
            .id();
        w.act(id, "submit", token, json!({})).await.expect(200);
        if org == w.b {
            w.act(
                id,
                "review",
                &w.committee,
                json!({"decision": "return", "comment": "补充"}),
            )
            .await
            .expect(200);
        }
    }
    let s = w
        .app
        .get(
            &format!("/api/v1/stats/reports?form_id={form}&period=2024-06"),
            &w.committee,
        )
        .await
        .expect(200);
    assert_eq!(s.json["expected"], 3);
    assert_eq!(s.json["submitted"], 2);
    assert_eq!(s.json["returned"], 1);
    assert_eq!(s.json["on_time"], 2);
    assert_eq!(s.json["late"], 0);
    assert_eq!(s.json["completeness_rate"], 0.6667);
    // an org's figures are its subtree's; a branch's are its own
    let s = w
        .app
        .get(
            &format!(
                "/api/v1/stats/reports?form_id={form}&period=2024-06&party_org_id={}",
                w.b
            ),
            &w.committee,
        )
        .await
        .expect(200);
    assert_eq!(
        (s.json["expected"].as_i64(), s.json["returned"].as_i64()),
        (Some(1), Some(1))
    );
    let s = w
        .app
        .get(
            &format!("/api/v1/stats/reports?form_id={form}&period=2024-06"),
            &w.branch_a,
        )
        .await
        .expect(200);
    assert_eq!(s.json["expected"], 1);
    // missing parameters are named
    w.app
        .get("/api/v1/stats/reports?period=2024-06", &w.committee)
        .await
        .expect_field("form_id");
    // filters by state
    w.app
        .expect_total(
            &format!("/api/v1/report-submissions?form_id={form}&period=2024-06&state=not_started"),
            &w.committee,
            1,
        )
        .await;
    // the ledger as xlsx: one row per expected submission, a column per field
    let x = w
        .app
        .get_xlsx(
            &format!("/api/v1/export/report-submissions.xlsx?form_id={form}&period=2024-06"),
            &w.committee,
        )
        .await;
    let t = sheet::read_table(&x.bytes).unwrap();
    assert_eq!(t.rows.len(), 3);
    for h in [
        "填报单位",
        "状态",
        "提交时间",
        "是否逾期",
        "召开会议次数",
        "进展",
    ] {
        assert!(t.column(h).is_some(), "{h} in {:?}", t.header);
    }
    let c = t.column("召开会议次数").unwrap();
    assert_eq!(t.rows.iter().filter(|r| r.get(c) == "1").count(), 2);
    // once submissions exist a field may not be removed or retyped
    let mut f = monthly_form();
    f["fields"].as_array_mut().unwrap().remove(4);
    w.app
        .patch(
            &format!("/api/v1/report-forms/{form}"),
            &w.admin,
            json!({"fields": f["fields"]}),
        )
        .await
        .expect_error(409, "conflict");
    let mut f = monthly_form();
    f["fields"][0]["type"] = json!("number");
    w.app
        .patch(
            &format!("/api/v1/report-forms/{form}"),
            &w.admin,
            json!({"fields": f["fields"]}),
        )
        .await
        .expect_error(409, "conflict");
}

#[tokio::test]
async fn file_fields_take_uploads_checked_by_content() {
    let w = world().await;
    let form = w.form(monthly_form()).await;
    let id = w
        .draft(form, "2024-06", w.a, &w.branch_a, json!({}))
        .await
        .expect(201)
        .id();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    let up = |field: &str| format!("/api/v1/report-submissions/{id}/attachments?field={field}");
    w.app
        .upload_to(&up("notes"), &w.branch_a, "file", "a.png", png)
        .await
        .expect_field("field");
    w.app
        .upload_to(
            &up("photo"),
            &w.branch_a,
            "file",
            "a.png",
            b"MZ not an image",
        )
        .await
        .expect_field("file");
    w.app
        .upload_to(&up("photo"), &w.branch_b, "file", "a.png", png)
        .await
        .expect_error(404, "not_found");
    // larger than the upload limit: 413, nothing stored
    let mut big = png.to_vec();
    big.resize(MAX_UPLOAD + 1024, 0);
    w.app
        .upload_to(&up("photo"), &w.branch_a, "file", "big.png", &big)
        .await
        .expect_error(413, "payload_too_large");
    let none = w
        .app
        .get(
            &format!("/api/v1/report-submissions/{id}/attachments"),
            &w.branch_a,
        )
        .await
        .expect(200);
    assert_eq!(none.json["total"], 0);
    let a = w
        .app
        .upload_to(&up("photo"), &w.branch_a, "file", "a.png", png)
        .await
        .expect(201);
    let s = w
        .app
        .get(&format!("/api/v1/report-submissions/{id}"), &w.branch_a)
        .await
        .expect(200);
    assert_eq!(s.json["values"]["photo"], a.id());
}

#[tokio::test]
async fn funded_projects_keep_amounts_exactly_and_their_reports_follow_the_society() {
    let w = world().await;
    let soc = w.app.society("甲学会", Some(w.a), json!({})).await["id"]
        .as_i64()
        .unwrap();
    let body = json!({"programme": "double_high", "title": "学术品牌建设", "society_id": soc,
        "year": 2024, "budget": 200000.00,
        "indicators": [{"name": "举办学术会议", "unit": "场", "target": 4, "actual": 3},
                       {"name": "科普活动", "target": 2}]});
    w.app
        .post("/api/v1/funded-projects", &w.branch_a, body.clone())
        .await
        .expect_error(403, "forbidden");
    let p = w
        .app
        .post("/api/v1/funded-projects", &w.committee, body)
        .await
        .expect(201);
    let pid = p.id();
    assert_eq!(p.json["party_org_id"], w.a);
    assert_eq!(p.json["spent"], 0.0);
    assert_eq!(p.json["achievement_rate"], 0.375);
    for (body, field) in [
        (
            json!({"spent_on": day(1), "amount": 10, "purpose": "x"}),
            "spent_on",
        ),
        (
            json!({"spent_on": day(0), "amount": 0, "purpose": "x"}),
            "amount",
        ),
        (
            json!({"spent_on": day(0), "amount": 1.005, "purpose": "x"}),
            "amount",
        ),
        (json!({"spent_on": day(0), "amount": 5}), "purpose"),
    ] {
        w.app
            .post(
                &format!("/api/v1/funded-projects/{pid}/expenditures"),
                &w.committee,
                body,
            )
            .await
            .expect_field(field);
    }
    for amount in [86000.5, 0.1, 0.2] {
        w.app
            .post(
                &format!("/api/v1/funded-projects/{pid}/expenditures"),
                &w.committee,
                json!({"spent_on": day(-3), "amount": amount, "purpose": "学术会议"}),
            )
            .await
            .expect(201);
    }
    let p = w
        .app
        .get(&format!("/api/v1/funded-projects/{pid}"), &w.branch_a)
        .await
        .expect(200);
    assert_eq!(p.json["spent"], 86000.8);
    assert_eq!(p.json["execution_rate"], 0.43);
    w.app
        .get(&format!("/api/v1/funded-projects/{pid}"), &w.branch_b)
        .await
        .expect_error(404, "not_found");
    w.app
        .patch(
            &format!("/api/v1/funded-projects/{pid}"),
            &w.committee,
            json!({"spent": 1}),
        )
        .await
        .expect_field("spent");
    let p = w
        .app
        .patch(
            &format!("/api/v1/funded-projects/{pid}"),
            &w.committee,
            json!({"budget": 100000}),
        )
        .await
        .expect(200);
    assert_eq!(p.json["execution_rate"], 0.86);
    // the programme's quarterly form: one submission per project of the period's year
    let form = w
        .form(json!({"title": "“双高”项目季报", "period": "quarter", "due_days": 10,
            "applies_to": "funded_projects", "programme": "double_high", "active_from": "2023-01-01",
            "fields": [{"key": "progress", "label": "进展情况", "type": "text", "required": true}]}))
        .await;
    let subs = w
        .app
        .get(
            &format!("/api/v1/report-submissions?form_id={form}"),
            &w.branch_a,
        )
        .await
        .expect(200);
    // 2024-Q1 and Q2 for the 2024 project; 2023's quarters have no project
    assert_eq!(subs.json["total"], 2);
    assert_eq!(subs.items()[0]["funded_project_id"], pid);
    assert_eq!(subs.items()[0]["party_org_id"], w.a);
    w.app
        .expect_total(
            &format!("/api/v1/report-submissions?form_id={form}"),
            &w.branch_b,
            0,
        )
        .await;
    let id = w
        .app
        .post(
            "/api/v1/report-submissions",
            &w.branch_a,
            json!({"form_id": form, "period": "2024-Q1", "funded_project_id": pid,
                   "values": {"progress": "已举办两场学术会议"}}),
        )
        .await
        .expect(201)
        .id();
    let r = w
        .act(id, "submit", &w.branch_a, json!({}))
        .await
        .expect(200);
    assert_eq!(r.json["late"], true, "Q1 was due 2024-04-10");
    // an org respondent for a project form is refused
    w.draft(form, "2024-Q2", w.a, &w.branch_a, json!({}))
        .await
        .expect_field("party_org_id");
}

#[tokio::test]
async fn reports_due_and_missed_join_the_to_do_and_the_daily_reminders() {
    let w = world().await;
    let form = w.form(monthly_form()).await;
    // A: May (due 2024-06-10) missed; June (due 2024-07-10) is 25 days away, beyond the
    // default window of 7 days. A draft of May is still not submitted.
    w.draft(form, "2024-05", w.a, &w.branch_a, json!({"meetings": 1}))
        .await
        .expect(201);
    let t = w.app.get("/api/v1/todo", &w.branch_a).await.expect(200);
    let reports = t.json["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 1, "{}", t.json);
    assert_eq!(reports[0]["period"], "2024-05");
    assert_eq!(reports[0]["late"], true);
    assert!(reports[0]["id"].is_i64());
    // B has not started May either
    let t = w.app.get("/api/v1/todo", &w.branch_b).await.expect(200);
    assert_eq!(t.json["reports"][0]["id"], Value::Null);
    // submitted ones leave the to-do
    let id = t.json["reports"][0]["form_id"].as_i64().unwrap();
    let s = w
        .draft(
            id,
            "2024-05",
            w.b,
            &w.branch_b,
            json!({"meetings": 0, "status": "滞后"}),
        )
        .await
        .expect(201)
        .id();
    w.act(s, "submit", &w.branch_b, json!({})).await.expect(200);
    let t = w.app.get("/api/v1/todo", &w.branch_b).await.expect(200);
    assert_eq!(t.json["reports_total"], 0, "{}", t.json);
    // the daily job records each once: A's and the March org's May
    let r = w
        .app
        .post("/api/v1/reminders/run", &w.admin, json!({}))
        .await
        .expect(200);
    let first = r.json["prepared"].as_i64().unwrap();
    assert!(first >= 2, "{}", r.json);
    let r = w
        .app
        .post("/api/v1/reminders/run", &w.admin, json!({}))
        .await
        .expect(200);
    assert_eq!(r.json["prepared"], 0);
}
