//! M8: the office-holder register — the contract of API.md, scope (404 / 403), audit and
//! bad input (422).

use domain::Role;
use serde_json::json;

use testkit::*;

#[tokio::test]
async fn branches_keep_their_own_office_holders_and_every_change_is_audited() {
    let app = TestApp::builder().spawn().await;
    let root = app.org("科技社团党委", "committee", None).await;
    let a = app.org("甲学会党支部", "branch", Some(root)).await;
    let b = app.org("乙学会党支部", "branch", Some(root)).await;
    let branch_a = app.token_for(Role::Branch, Some(a)).await;
    let viewer = app.token_for(Role::Viewer, None).await;
    let admin = app.admin_api_token().await;
    let body =
        json!({"name": "张明", "party_org_id": a, "position": "secretary", "since": "2023-07-01"});
    let r = app
        .post("/api/v1/office-holders", &branch_a, body.clone())
        .await
        .expect(201);
    assert_eq!(r.json["position"], "secretary");
    assert!(r.json["until"].is_null());
    let id = r.id();
    // another branch's org: 403; a viewer never writes
    app.post(
        "/api/v1/office-holders",
        &branch_a,
        json!({"name": "李华", "party_org_id": b, "position": "party_worker", "since": "2024-01-01"}),
    )
    .await
    .expect_error(403, "forbidden");
    app.post("/api/v1/office-holders", &viewer, body.clone())
        .await
        .expect_error(403, "forbidden");
    let other = app
        .post(
            "/api/v1/office-holders",
            &admin,
            json!({"name": "李华", "party_org_id": b, "position": "party_worker", "since": "2024-01-01"}),
        )
        .await
        .expect(201)
        .id();
    app.get(&format!("/api/v1/office-holders/{other}"), &branch_a)
        .await
        .expect_error(404, "not_found");
    app.expect_total("/api/v1/office-holders", &branch_a, 1)
        .await;
    app.expect_total("/api/v1/office-holders", &viewer, 2).await;
    // bad input names the field
    for (patch, field) in [
        (json!({"position": "chairman"}), "position"),
        (json!({"since": "2023-02-30"}), "since"),
        (json!({"until": "2023-01-01"}), "until"),
        (json!({"name": ""}), "name"),
        (json!({"age": 40}), "age"),
    ] {
        app.patch(&format!("/api/v1/office-holders/{id}"), &branch_a, patch)
            .await
            .expect_field(field);
    }
    app.post(
        "/api/v1/office-holders",
        &admin,
        json!({"name": "王五", "party_org_id": 9999, "position": "secretary", "since": "2024-01-01"}),
    )
    .await
    .expect_field("party_org_id");
    // left mid-year: still listed for that year, not for the next
    let r = app
        .patch(
            &format!("/api/v1/office-holders/{id}"),
            &branch_a,
            json!({"until": "2024-03-31"}),
        )
        .await
        .expect(200);
    assert_eq!(r.json["until"], "2024-03-31");
    app.expect_total("/api/v1/office-holders?year=2024", &branch_a, 1)
        .await;
    app.expect_total("/api/v1/office-holders?year=2025", &branch_a, 0)
        .await;
    app.expect_total("/api/v1/office-holders?year=2022", &branch_a, 0)
        .await;
    app.delete(&format!("/api/v1/office-holders/{id}"), &branch_a)
        .await
        .expect(204);
    app.get(&format!("/api/v1/office-holders/{id}"), &admin)
        .await
        .expect_error(404, "not_found");
    let audit = app
        .get(
            &format!("/api/v1/audit?entity=office_holder&entity_id={id}"),
            &admin,
        )
        .await
        .expect(200);
    assert_eq!(audit.items().len(), 3, "{}", audit.json);
}

#[tokio::test]
async fn courses_take_attendance_within_their_hours_once_per_person() {
    let app = TestApp::builder().spawn().await;
    let root = app.org("科技社团党委", "committee", None).await;
    let a = app.org("甲学会党支部", "branch", Some(root)).await;
    let b = app.org("乙学会党支部", "branch", Some(root)).await;
    let branch_a = app.token_for(Role::Branch, Some(a)).await;
    let committee = app.token_for(Role::Committee, None).await;
    let admin = app.admin_api_token().await;
    let holder = |org: i64, name: &str| json!({"name": name, "party_org_id": org, "position": "secretary", "since": "2023-01-01"});
    let ha = app
        .post("/api/v1/office-holders", &admin, holder(a, "张明"))
        .await
        .expect(201)
        .id();
    let hb = app
        .post("/api/v1/office-holders", &admin, holder(b, "李华"))
        .await
        .expect(201)
        .id();
    let course = json!({"title": "党支部书记培训班", "kind": "class", "organizer": "市科协",
        "starts_on": "2024-05-20", "ends_on": "2024-05-24", "hours": 24});
    app.post("/api/v1/courses", &branch_a, course.clone())
        .await
        .expect_error(403, "forbidden");
    for (patch, field) in [
        (json!({"hours": 0}), "hours"),
        (json!({"hours": 2.25}), "hours"),
        (json!({"ends_on": "2024-05-01"}), "ends_on"),
        (json!({"kind": "seminar"}), "kind"),
    ] {
        let mut body = course.clone();
        merge(&mut body, patch);
        app.post("/api/v1/courses", &committee, body)
            .await
            .expect_field(field);
    }
    let c = app
        .post("/api/v1/courses", &committee, course)
        .await
        .expect(201);
    assert_eq!(c.json["hours"], 24.0);
    let cid = c.id();
    let att = format!("/api/v1/courses/{cid}/attendance");
    // hours default to the course's, more is refused, the same person twice is a conflict
    let r = app
        .post(&att, &committee, json!({"office_holder_id": ha}))
        .await
        .expect(201);
    assert_eq!(r.json["hours"], 24.0);
    app.post(
        &att,
        &committee,
        json!({"office_holder_id": ha, "hours": 8}),
    )
    .await
    .expect_error(409, "conflict");
    app.post(
        &att,
        &committee,
        json!({"office_holder_id": hb, "hours": 24.5}),
    )
    .await
    .expect_field("hours");
    app.post(&att, &committee, json!({"office_holder_id": 9999}))
        .await
        .expect_field("office_holder_id");
    app.post(
        &att,
        &committee,
        json!({"office_holder_id": hb, "hours": 12.5}),
    )
    .await
    .expect(201);
    // a branch reads its own people's attendance only
    let mine = app.get(&att, &branch_a).await.expect(200);
    assert_eq!(mine.json["total"], 1);
    assert_eq!(mine.items()[0]["name"], "张明");
    app.expect_total(&att, &committee, 2).await;
    app.delete(&format!("{att}/{hb}"), &branch_a)
        .await
        .expect_error(403, "forbidden");
    app.delete(&format!("{att}/{hb}"), &committee)
        .await
        .expect(204);
    app.delete(&format!("{att}/{hb}"), &committee)
        .await
        .expect_error(404, "not_found");
    app.expect_total(&att, &committee, 1).await;
    // PATCH merges
    let r = app
        .patch(
            &format!("/api/v1/courses/{cid}"),
            &committee,
            json!({"hours": 32}),
        )
        .await
        .expect(200);
    assert_eq!(
        (r.json["hours"].as_f64(), r.json["title"].as_str()),
        (Some(32.0), Some("党支部书记培训班"))
    );
}

#[tokio::test]
async fn yearly_hours_are_measured_against_the_pro_rata_requirement() {
    let app = TestApp::builder().spawn().await;
    let root = app.org("科技社团党委", "committee", None).await;
    let a = app.org("甲学会党支部", "branch", Some(root)).await;
    let b = app.org("乙学会党支部", "branch", Some(root)).await;
    let branch_a = app.token_for(Role::Branch, Some(a)).await;
    let admin = app.admin_api_token().await;
    let holder = |org: i64, name: &str, position: &str, since: &str| json!({"name": name, "party_org_id": org, "position": position, "since": since});
    let sec = app
        .post(
            "/api/v1/office-holders",
            &admin,
            holder(a, "张明", "secretary", "2020-01-01"),
        )
        .await
        .expect(201)
        .id();
    // appointed 1 July 2024: 184 of 366 days of 32 hours → 16.1 → 17
    let worker = app
        .post(
            "/api/v1/office-holders",
            &admin,
            holder(a, "王芳", "party_worker", "2024-07-01"),
        )
        .await
        .expect(201)
        .id();
    app.post(
        "/api/v1/office-holders",
        &admin,
        holder(b, "李华", "committee_member", "2021-03-01"),
    )
    .await
    .expect(201);
    // not in position in 2024
    app.post(
        "/api/v1/office-holders",
        &admin,
        holder(b, "赵六", "secretary", "2025-01-01"),
    )
    .await
    .expect(201);
    let course = |title: &str, ends: &str, hours: f64| json!({"title": title, "kind": "lecture", "starts_on": ends, "ends_on": ends, "hours": hours});
    let c1 = app
        .post(
            "/api/v1/courses",
            &admin,
            course("书记培训班", "2024-05-24", 40.0),
        )
        .await
        .expect(201)
        .id();
    let c2 = app
        .post(
            "/api/v1/courses",
            &admin,
            course("专题讲座", "2024-06-01", 16.0),
        )
        .await
        .expect(201)
        .id();
    // a course ending in 2023 does not count for 2024
    let c0 = app
        .post(
            "/api/v1/courses",
            &admin,
            course("去年讲座", "2023-12-20", 8.0),
        )
        .await
        .expect(201)
        .id();
    for (c, h) in [(c1, sec), (c2, sec), (c0, sec), (c2, worker)] {
        app.post(
            &format!("/api/v1/courses/{c}/attendance"),
            &admin,
            json!({"office_holder_id": h}),
        )
        .await
        .expect(201);
    }
    let r = app
        .get("/api/v1/training/hours?year=2024", &admin)
        .await
        .expect(200);
    let items = r.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{}", r.json);
    let of = |id: i64| items.iter().find(|i| i["office_holder_id"] == id).unwrap();
    assert_eq!(
        (of(sec)["required"].as_i64(), of(sec)["done"].as_f64()),
        (Some(56), Some(56.0))
    );
    assert_eq!(of(sec)["met"], true);
    assert_eq!(
        (of(worker)["required"].as_i64(), of(worker)["done"].as_f64()),
        (Some(17), Some(16.0))
    );
    assert_eq!(of(worker)["met"], false);
    assert_eq!(
        r.json["summary"],
        json!({"people": 3, "met": 1, "rate": 0.3333})
    );
    // a branch sees its own; an org's figures are its subtree's
    let mine = app
        .get("/api/v1/training/hours?year=2024", &branch_a)
        .await
        .expect(200);
    assert_eq!(mine.json["summary"]["people"], 2);
    let of_b = app
        .get(
            &format!("/api/v1/training/hours?year=2024&party_org_id={b}"),
            &admin,
        )
        .await
        .expect(200);
    assert_eq!(of_b.json["summary"]["people"], 1);
    app.get(
        &format!("/api/v1/training/hours?year=2024&party_org_id={b}"),
        &branch_a,
    )
    .await
    .expect_error(404, "not_found");
    app.get("/api/v1/training/hours", &admin)
        .await
        .expect_field("year");
    // the 2023 lecture counts for 2023
    let y23 = app
        .get("/api/v1/training/hours?year=2023", &admin)
        .await
        .expect(200);
    let s23 = y23.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["office_holder_id"] == sec)
        .unwrap()
        .clone();
    assert_eq!(s23["done"], 8.0);
}

/// A course in May 2024 and its office-holders: 甲 has 张明, 赵六 (already attending), two
/// 刘洋 and 陈静 (who left in January); 乙 has 李华.
struct SignIn {
    app: TestApp,
    committee: String,
    course: i64,
    a: i64,
}

async fn sign_in_world() -> SignIn {
    let app = TestApp::builder().spawn().await;
    let root = app.org("科技社团党委", "committee", None).await;
    let a = app.org("甲学会党支部", "branch", Some(root)).await;
    let b = app.org("乙学会党支部", "branch", Some(root)).await;
    let admin = app.admin_api_token().await;
    let committee = app.token_for(Role::Committee, None).await;
    let mut zhao = 0;
    for (org, name, position, since, until) in [
        (a, "张明", "secretary", "2020-01-01", None),
        (a, "赵六", "committee_member", "2021-01-01", None),
        (a, "刘洋", "committee_member", "2022-01-01", None),
        (a, "刘洋", "party_worker", "2023-01-01", None),
        (a, "陈静", "party_worker", "2019-01-01", Some("2024-01-31")),
        (b, "李华", "secretary", "2021-03-01", None),
    ] {
        let id = app
            .post(
                "/api/v1/office-holders",
                &admin,
                json!({"name": name, "party_org_id": org, "position": position, "since": since, "until": until}),
            )
            .await
            .expect(201)
            .id();
        if name == "赵六" {
            zhao = id;
        }
    }
    let course = app
        .post(
            "/api/v1/courses",
            &admin,
            json!({"title": "党支部书记培训班", "kind": "class", "starts_on": "2024-05-20",
                "ends_on": "2024-05-24", "hours": 24}),
        )
        .await
        .expect(201)
        .id();
    app.post(
        &format!("/api/v1/courses/{course}/attendance"),
        &admin,
        json!({"office_holder_id": zhao}),
    )
    .await
    .expect(201);
    SignIn {
        app,
        committee,
        course,
        a,
    }
}

const SIGN_IN: [&str; 3] = ["姓名", "所属党组织", "学时"];

#[tokio::test]
async fn a_sign_in_sheet_with_bad_rows_is_refused_by_row_and_column_and_writes_nothing() {
    let w = sign_in_world().await;
    let app = &w.app;
    let att = format!("/api/v1/courses/{}/attendance", w.course);
    let audit_before = app.audit_count().await;
    let sheet = xlsx_with_header(
        &SIGN_IN,
        &[
            vec!["张明", "甲学会党支部", ""],
            vec!["李华", "乙学会党支部", "24.5"],
            vec!["无名氏", "甲学会党支部", ""],
            vec!["刘洋", "甲学会党支部", "3"],
            vec!["陈静", "甲学会党支部", ""],
            vec!["张明", "甲学会党支部", "3"],
            vec!["张三", "不存在的党支部", "3"],
            vec!["李华", "乙学会党支部", "2.25"],
            vec!["", "甲学会党支部", "3"],
            vec!["赵六", "甲学会党支部", ""],
            vec!["张明", "甲学会党支部", "0"],
            vec!["张明", "甲学会党支部", "三"],
        ],
    );
    let uri = format!("/api/v1/import/attendance?course_id={}", w.course);
    let r = app
        .upload_to(&uri, &w.committee, "file", "签到表.xlsx", &sheet)
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.json);
    assert_eq!(
        (&r.json["created"], &r.json["updated"]),
        (&json!(0), &json!(0))
    );
    let errors: Vec<(i64, String, String)> = r.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["column"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let at = |row: i64, column: &str| -> &str {
        errors
            .iter()
            .find(|(r, c, _)| *r == row && c == column)
            .map(|e| e.2.as_str())
            .unwrap_or_else(|| panic!("no error at row {row}, {column}: {errors:?}"))
    };
    assert!(at(3, "学时").contains("24"), "more than the course's");
    assert!(at(4, "姓名").contains("无名氏"));
    assert!(at(5, "姓名").contains("手工"), "two of that name: by hand");
    assert!(at(6, "姓名").contains("不在任"));
    assert!(at(7, "姓名").contains("重复"), "named twice in the sheet");
    assert!(at(8, "所属党组织").contains("不存在的党支部"));
    assert!(at(9, "学时").contains("1 位小数"));
    assert!(at(10, "姓名").contains("不能为空"));
    assert!(at(11, "姓名").contains("已登记"), "already attending");
    assert!(at(12, "学时").contains("大于 0"));
    assert!(at(13, "学时").contains("数字"));
    for (row, _, _) in &errors {
        assert!(*row != 2, "row 2 is good: {errors:?}");
    }
    assert!(
        errors.windows(2).all(|w| w[0].0 <= w[1].0),
        "errors by row: {errors:?}"
    );
    // nothing written, nothing audited
    app.expect_total(&att, &w.committee, 1).await;
    assert_eq!(app.audit_count().await, audit_before);
    // a sheet without its columns says which
    let r = app
        .upload_to(
            &uri,
            &w.committee,
            "file",
            "x.csv",
            "名字,学时\n张明,3\n".as_bytes(),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422);
    assert_eq!(r.json["errors"][0]["column"], "姓名", "{}", r.json);
    assert_eq!(r.json["errors"][0]["row"], 1);
    // a file that is not a sheet
    app.upload_to(&uri, &w.committee, "file", "x.pdf", b"%PDF-1.4 nope")
        .await
        .expect_field("file");
}

#[tokio::test]
async fn a_good_sign_in_sheet_writes_the_attendance_in_gbk_too() {
    let w = sign_in_world().await;
    let app = &w.app;
    let att = format!("/api/v1/courses/{}/attendance", w.course);
    let uri = format!("/api/v1/import/attendance?course_id={}", w.course);
    // who may: as for POST /courses/{id}/attendance
    let branch = app.token_for(Role::Branch, Some(w.a)).await;
    let viewer = app.token_for(Role::Viewer, None).await;
    let text = "姓名,所属党组织,学时\r\n张明,甲学会党支部,\r\n李华,乙学会党支部,12.5\r\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    assert_ne!(
        gbk.as_ref(),
        text.as_bytes(),
        "the fixture must really be GBK"
    );
    for who in [&branch, &viewer] {
        app.upload_to(&uri, who, "file", "签到表.csv", &gbk)
            .await
            .expect_error(403, "forbidden");
    }
    app.upload_to(
        "/api/v1/import/attendance?course_id=9999",
        &w.committee,
        "file",
        "签到表.csv",
        &gbk,
    )
    .await
    .expect_error(404, "not_found");
    app.upload_to(
        "/api/v1/import/attendance",
        &w.committee,
        "file",
        "a.csv",
        &gbk,
    )
    .await
    .expect_field("course_id");
    app.expect_total(&att, &w.committee, 1).await;
    let audit_before = app
        .get("/api/v1/audit?entity=attendance", &app.admin)
        .await
        .expect(200)
        .items()
        .len();
    let r = app
        .upload_to(&uri, &w.committee, "file", "签到表.csv", &gbk)
        .await
        .expect(200);
    assert_eq!(r.json, json!({"created": 2, "updated": 0, "errors": []}));
    let list = app.get(&att, &w.committee).await.expect(200);
    let hours: Vec<(String, f64)> = list
        .items()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().to_string(),
                a["hours"].as_f64().unwrap(),
            )
        })
        .collect();
    assert!(hours.contains(&("张明".into(), 24.0)), "{hours:?}");
    assert!(hours.contains(&("李华".into(), 12.5)), "{hours:?}");
    assert_eq!(hours.len(), 3);
    // one audit entry per attendance, as one added by hand
    let audit = app
        .get("/api/v1/audit?entity=attendance", &app.admin)
        .await
        .expect(200);
    assert_eq!(audit.items().len(), audit_before + 2);
    assert_eq!(audit.items()[0]["action"], "create");
    // the same sheet again: everyone is already attending
    let r = app
        .upload_to(&uri, &w.committee, "file", "签到表.csv", &gbk)
        .await;
    assert_eq!(r.status.as_u16(), 422);
    assert_eq!(r.json["errors"].as_array().unwrap().len(), 2, "{}", r.json);
    // the hours ledger counts the imported hours
    let h = app
        .get("/api/v1/training/hours?year=2024", &w.committee)
        .await
        .expect(200);
    let li = h.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "李华")
        .unwrap()
        .clone();
    assert_eq!(li["done"], 12.5);
}

#[tokio::test]
async fn the_sign_in_template_and_the_ledgers_download_as_xlsx() {
    let w = sign_in_world().await;
    let app = &w.app;
    let r = app
        .get_xlsx("/api/v1/import/attendance/template", &w.committee)
        .await;
    let (header, rows) = read_xlsx(&r.bytes);
    assert_eq!(header, SIGN_IN);
    assert!(rows.is_empty(), "the example is on the second sheet");
    let r = app
        .get_xlsx("/api/v1/export/office-holders.xlsx", &w.committee)
        .await;
    let (header, rows) = read_xlsx(&r.bytes);
    assert_eq!(header[..3], ["姓名", "所属党组织", "职务"]);
    assert_eq!(rows.len(), 6);
    let r = app
        .get_xlsx(
            &format!(
                "/api/v1/export/office-holders.xlsx?party_org_id={}&q=%E5%88%98",
                w.a
            ),
            &w.committee,
        )
        .await;
    let (_, rows) = read_xlsx(&r.bytes);
    assert_eq!(rows.len(), 2, "the list's filters: {rows:?}");
    assert!(rows.iter().all(|r| r[0] == "刘洋"));
    let r = app
        .get_xlsx("/api/v1/export/training-hours.xlsx?year=2024", &w.committee)
        .await;
    let (header, rows) = read_xlsx(&r.bytes);
    assert_eq!(
        header,
        [
            "姓名",
            "所属党组织",
            "职务",
            "应修学时",
            "已修学时",
            "尚差学时",
            "是否达标"
        ]
    );
    // 陈静 left in January 2024: still in the year's ledger
    assert_eq!(rows.len(), 6, "{rows:?}");
    let zhao = rows.iter().find(|r| r[0] == "赵六").unwrap();
    assert_eq!(
        (zhao[3].as_str(), zhao[4].as_str(), zhao[5].as_str()),
        ("56", "24", "32")
    );
    app.get("/api/v1/export/training-hours.xlsx", &w.committee)
        .await
        .expect_field("year");
}
