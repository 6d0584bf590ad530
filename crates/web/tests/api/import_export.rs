//! `GET /import/societies/template`, `POST /import/societies`, `GET /export/societies.xlsx`.

use axum::body::Body;
use axum::http::{header, Method, Request};
use domain::Role;
use serde_json::{json, Value};

use testkit::*;

fn row(cells: [&str; 8]) -> Vec<&str> {
    cells.to_vec()
}

/// Three good rows covering the kind words, sectors, booleans, instructor and org.
fn good_rows() -> Vec<Vec<&'static str>> {
    vec![
        row([
            "市计算机学会",
            "学会",
            "智能科技",
            "12",
            "1",
            "是",
            "",
            "计算机学会党支部",
        ]),
        row([
            "市医学研究会",
            "研究会",
            "生命健康",
            "2",
            "0",
            "否",
            "王指导员",
            "",
        ]),
        row([
            "绿色发展基金会",
            "基金会",
            "绿色低碳",
            "0",
            "0",
            "否",
            "",
            "联合党支部",
        ]),
        row([
            "前沿科学促进中心",
            "民办非企业单位",
            "前沿交叉",
            "5",
            "2",
            "是",
            "",
            "功能党支部",
        ]),
        row(["市工程师协会", "协会", "其他", "", "", "", "", ""]),
    ]
}

/// The orgs the good rows name.
async fn setup_orgs(app: &TestApp) -> (i64, i64, i64, i64) {
    let root = app.org("市科技社团党委", "committee", None).await;
    let b = app.org("计算机学会党支部", "branch", Some(root)).await;
    let j = app.org("联合党支部", "joint_branch", Some(root)).await;
    let f = app.org("功能党支部", "functional_branch", Some(root)).await;
    (root, b, j, f)
}

fn by_name<'a>(list: &'a [Value], name: &str) -> &'a Value {
    list.iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {list:?}"))
}

fn assert_import_ok(r: Resp, created: i64, updated: i64) {
    let r = r.expect(200);
    assert_eq!(
        r.json,
        json!({"created": created, "updated": updated, "errors": []})
    );
}

/// Asserts a 422 import result with exactly these (row, column) errors and nothing created.
#[track_caller]
fn assert_import_errors(r: Resp, expected: &[(i64, &str)]) -> Vec<Value> {
    let r = r.expect(422);
    assert_eq!(
        keys(&r.json),
        sorted(vec!["created", "updated", "errors"]),
        "{}",
        r.json
    );
    assert_eq!(r.json["created"], 0);
    assert_eq!(r.json["updated"], 0);
    let errors = r.json["errors"].as_array().unwrap().clone();
    let mut got: Vec<(i64, String)> = errors
        .iter()
        .map(|e| {
            assert_eq!(keys(e), sorted(vec!["row", "column", "message"]), "{e}");
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
            (
                e["row"].as_i64().unwrap(),
                e["column"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(i64, String)> = expected.iter().map(|(r, c)| (*r, c.to_string())).collect();
    want.sort();
    assert_eq!(got, want, "{}", r.json);
    errors
}

#[tokio::test]
async fn template_has_the_exact_header_row() {
    let app = spawn_app().await;
    let r = app
        .get_xlsx("/api/v1/import/societies/template", &app.admin)
        .await;
    let (header, rows) = read_xlsx(&r.bytes);
    assert_eq!(header, HEADERS.to_vec());
    assert!(rows.is_empty());
    // The template itself imports (as nothing).
    assert_import_ok(app.import(&app.admin, &r.bytes).await, 0, 0);
    // Every role that may read may fetch it.
    let viewer = app.token_for(Role::Viewer, None).await;
    app.get("/api/v1/import/societies/template", &viewer)
        .await
        .expect(200);
}

#[tokio::test]
async fn xlsx_import_creates_then_updates() {
    let app = spawn_app().await;
    let (root, b, j, f) = setup_orgs(&app).await;
    let file = xlsx(&good_rows());
    assert_import_ok(app.import(&app.admin, &file).await, 5, 0);

    let list = app.all_societies(&app.admin).await;
    assert_eq!(list.len(), 5);
    let s = by_name(&list, "市计算机学会");
    assert_eq!(s["kind"], "society");
    assert_eq!(s["sector"], "intelligent_tech");
    assert_eq!(s["full_members"], 12);
    assert_eq!(s["probationary_members"], 1);
    assert_eq!(s["charter_has_party_building"], true);
    assert_eq!(s["instructor"], Value::Null);
    assert_eq!(s["party_org_id"], b);
    assert_eq!(s["coverage"], "own_branch");
    let s = by_name(&list, "市医学研究会");
    assert_eq!(s["kind"], "society");
    assert_eq!(s["sector"], "life_health");
    assert_eq!(s["instructor"], "王指导员");
    assert_eq!(s["party_org_id"], Value::Null);
    assert_eq!(s["coverage"], "instructor");
    assert_eq!(s["charter_has_party_building"], false);
    let s = by_name(&list, "绿色发展基金会");
    assert_eq!(s["kind"], "foundation");
    assert_eq!(s["sector"], "green_low_carbon");
    assert_eq!(s["party_org_id"], j);
    assert_eq!(s["coverage"], "joint_branch");
    let s = by_name(&list, "前沿科学促进中心");
    assert_eq!(s["kind"], "non_enterprise");
    assert_eq!(s["sector"], "frontier");
    assert_eq!(s["party_org_id"], f);
    assert_eq!(s["coverage"], "functional_branch");
    assert_eq!(s["should_establish"], true);
    let s = by_name(&list, "市工程师协会");
    assert_eq!(s["kind"], "society");
    assert_eq!(s["sector"], "other");
    assert_eq!(s["full_members"], 0);
    assert_eq!(s["coverage"], "none");

    // Importing the same file again: everything matched by name, nothing new.
    assert_import_ok(app.import(&app.admin, &file).await, 0, 5);
    assert_eq!(app.all_societies(&app.admin).await, list);

    // A changed row updates that society; a new row is created.
    let mut rows = good_rows();
    rows[0] = row([
        "市计算机学会",
        "学会",
        "智能科技",
        "20",
        "3",
        "否",
        "",
        "市科技社团党委",
    ]);
    rows.push(row(["新增学会", "学会", "其他", "1", "0", "否", "", ""]));
    assert_import_ok(app.import(&app.admin, &xlsx(&rows)).await, 1, 5);
    let list = app.all_societies(&app.admin).await;
    let s = by_name(&list, "市计算机学会");
    assert_eq!(s["full_members"], 20);
    assert_eq!(s["probationary_members"], 3);
    assert_eq!(s["charter_has_party_building"], false);
    assert_eq!(s["party_org_id"], root);
    // The audit log recorded the update with before and after.
    let audit = app
        .get(
            &format!("/api/v1/audit?entity=society&entity_id={}", s["id"]),
            &app.admin,
        )
        .await
        .expect(200);
    let newest = &audit.items()[0];
    assert_eq!(newest["action"], "update");
    assert_eq!(newest["before"]["full_members"], 12);
    assert_eq!(newest["after"]["full_members"], 20);
}

#[tokio::test]
async fn csv_in_utf8_bom_and_gb18030() {
    let rows = good_rows();
    let text = csv(&rows);
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    let (gb, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    assert_ne!(
        gb.as_ref(),
        text.as_bytes(),
        "the fixture must really be GB18030"
    );
    for (label, bytes) in [
        ("utf-8", text.as_bytes().to_vec()),
        ("utf-8 bom", bom),
        ("gb18030", gb.into_owned()),
    ] {
        let app = spawn_app().await;
        setup_orgs(&app).await;
        let r = app
            .upload(&app.admin, "file", "societies.csv", &bytes)
            .await;
        assert_eq!(r.status.as_u16(), 200, "{label}: {}", r.json);
        assert_eq!(
            r.json,
            json!({"created": 5, "updated": 0, "errors": []}),
            "{label}"
        );
        assert_eq!(
            app.society_names(&app.admin).await,
            sorted(rows.iter().map(|r| r[0]).collect()),
            "{label}"
        );
        let list = app.all_societies(&app.admin).await;
        assert_eq!(
            by_name(&list, "市医学研究会")["instructor"],
            "王指导员",
            "{label}"
        );
        assert_eq!(
            by_name(&list, "前沿科学促进中心")["coverage"],
            "functional_branch"
        );
    }
}

#[tokio::test]
async fn typed_cells_import_like_text() {
    use sheet::{Cell, Column};
    let app = spawn_app().await;
    let columns: Vec<Column> = HEADERS.iter().map(|h| Column::new(*h)).collect();
    let rows = vec![
        vec![
            Cell::Text("数字单元格学会".into()),
            Cell::Text("学会".into()),
            Cell::Text("其他".into()),
            Cell::Float(12.0),
            Cell::Int(2),
            Cell::Bool(true),
            Cell::Empty,
            Cell::Empty,
        ],
        vec![
            Cell::Text("小数单元格学会".into()),
            Cell::Text("学会".into()),
            Cell::Text("其他".into()),
            Cell::Float(2.5),
            Cell::Int(0),
            Cell::Bool(false),
            Cell::Empty,
            Cell::Empty,
        ],
    ];
    let file = sheet::write_xlsx("社团", &columns, rows.clone()).unwrap();
    // 2.5 members is not a count.
    assert_import_errors(app.import(&app.admin, &file).await, &[(3, "正式党员数")]);
    let file = sheet::write_xlsx("社团", &columns, rows[..1].to_vec()).unwrap();
    assert_import_ok(app.import(&app.admin, &file).await, 1, 0);
    let s = &app.all_societies(&app.admin).await[0];
    assert_eq!(s["full_members"], 12);
    assert_eq!(s["probationary_members"], 2);
    assert_eq!(s["charter_has_party_building"], true);
}

#[tokio::test]
async fn one_bad_row_writes_nothing() {
    let app = spawn_app().await;
    setup_orgs(&app).await;
    let existing = app
        .society("市计算机学会", None, json!({"full_members": 1}))
        .await;
    let audit_before = app.audit_count().await;
    let mut rows = good_rows();
    rows[2][3] = "abc"; // row 4 (header is row 1), 正式党员数
    let errors = assert_import_errors(
        app.import(&app.admin, &xlsx(&rows)).await,
        &[(4, "正式党员数")],
    );
    assert!(!errors[0]["message"].as_str().unwrap().is_empty());
    // Nothing written: not the new rows, not the update of the existing one, no audit rows.
    assert_eq!(app.society_names(&app.admin).await, vec!["市计算机学会"]);
    let now = app
        .get(&format!("/api/v1/societies/{}", existing["id"]), &app.admin)
        .await
        .json;
    assert_eq!(now, existing);
    assert_eq!(app.audit_count().await, audit_before);

    // The same in CSV.
    let r = app
        .upload(&app.admin, "file", "x.csv", csv(&rows).as_bytes())
        .await;
    assert_import_errors(r, &[(4, "正式党员数")]);
    assert_eq!(app.society_names(&app.admin).await, vec!["市计算机学会"]);
}

#[tokio::test]
async fn every_bad_cell_is_reported_with_row_and_column() {
    let app = spawn_app().await;
    setup_orgs(&app).await;
    let rows = vec![
        row(["好学会", "学会", "其他", "1", "0", "否", "", ""]),
        row(["", "学会", "其他", "1", "0", "否", "", ""]),
        row(["坏类型学会", "俱乐部", "其他", "1", "0", "否", "", ""]),
        row(["坏领域学会", "学会", "太空", "1", "0", "否", "", ""]),
        row(["负数学会", "学会", "其他", "-1", "0", "否", "", ""]),
        row(["小数学会", "学会", "其他", "1", "1.5", "否", "", ""]),
        row(["坏布尔学会", "学会", "其他", "1", "0", "也许", "", ""]),
        row([
            "无此组织学会",
            "学会",
            "其他",
            "1",
            "0",
            "否",
            "",
            "不存在的党组织",
        ]),
        row(["多处错误学会", "", "", "x", "y", "z", "", ""]),
    ];
    assert_import_errors(
        app.import(&app.admin, &xlsx(&rows)).await,
        &[
            (3, "名称"),
            (4, "类型"),
            (5, "领域"),
            (6, "正式党员数"),
            (7, "预备党员数"),
            (8, "党建入章"),
            (9, "所属党组织"),
            (10, "类型"),
            (10, "领域"),
            (10, "正式党员数"),
            (10, "预备党员数"),
            (10, "党建入章"),
        ],
    );
    assert!(app.society_names(&app.admin).await.is_empty());
}

#[tokio::test]
async fn row_numbers_are_sheet_rows_even_after_blank_rows() {
    let app = spawn_app().await;
    let rows = vec![
        row(["一号", "学会", "其他", "1", "0", "否", "", ""]),
        row(["", "", "", "", "", "", "", ""]),
        row(["", "", "", "", "", "", "", ""]),
        row(["五号", "学会", "其他", "1", "0", "否", "", "无名组织"]),
    ];
    assert_import_errors(
        app.import(&app.admin, &xlsx(&rows)).await,
        &[(5, "所属党组织")],
    );
    let text = "名称,类型,领域,正式党员数,预备党员数,党建入章,党建指导员,所属党组织\r\n\
                一号,学会,其他,1,0,否,,\r\n\r\n\
                四号,学会,其他,1,0,maybe,,\r\n";
    let r = app
        .upload(&app.admin, "file", "x.csv", text.as_bytes())
        .await;
    assert_import_errors(r, &[(4, "党建入章")]);
    assert!(app.society_names(&app.admin).await.is_empty());
}

#[tokio::test]
async fn unknown_org_names_fail_at_the_org_column() {
    let app = spawn_app().await;
    setup_orgs(&app).await;
    let mut rows = good_rows();
    rows[1][7] = "查无此组织";
    let errors = assert_import_errors(
        app.import(&app.admin, &xlsx(&rows)).await,
        &[(3, "所属党组织")],
    );
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("查无此组织"),
        "{errors:?}"
    );
    // A deleted org is unknown too.
    let root = app.org("临时父", "committee", None).await;
    let gone = app.org("已撤销党支部", "branch", Some(root)).await;
    app.delete(&format!("/api/v1/party-orgs/{gone}"), &app.admin)
        .await
        .expect(204);
    let rows = vec![row([
        "某学会",
        "学会",
        "其他",
        "1",
        "0",
        "否",
        "",
        "已撤销党支部",
    ])];
    assert_import_errors(
        app.import(&app.admin, &xlsx(&rows)).await,
        &[(2, "所属党组织")],
    );
    assert!(app.society_names(&app.admin).await.is_empty());
}

#[tokio::test]
async fn duplicate_names_in_one_file_are_rejected() {
    let app = spawn_app().await;
    let rows = vec![
        row(["重名学会", "学会", "其他", "1", "0", "否", "", ""]),
        row(["别的学会", "学会", "其他", "1", "0", "否", "", ""]),
        row(["重名学会", "协会", "其他", "2", "0", "否", "", ""]),
    ];
    assert_import_errors(app.import(&app.admin, &xlsx(&rows)).await, &[(4, "名称")]);
    assert!(app.society_names(&app.admin).await.is_empty());
}

#[tokio::test]
async fn missing_required_column_is_reported() {
    let app = spawn_app().await;
    let header = [
        "名称",
        "类型",
        "正式党员数",
        "预备党员数",
        "党建入章",
        "党建指导员",
        "所属党组织",
    ];
    let file = xlsx_with_header(&header, &[vec!["某学会", "学会", "1", "0", "否", "", ""]]);
    let errors = app.import(&app.admin, &file).await;
    let errors = assert_import_errors(errors, &[(1, "领域")]);
    assert!(errors[0]["message"].as_str().unwrap().contains("领域"));
    // The optional columns may be left out; columns may come in any order.
    let file = xlsx_with_header(
        &["领域", "名称", "类型"],
        &[vec!["其他", "简表学会", "学会"]],
    );
    assert_import_ok(app.import(&app.admin, &file).await, 1, 0);
    let list = app.all_societies(&app.admin).await;
    assert_eq!(list[0]["name"], "简表学会");
    assert_eq!(list[0]["full_members"], 0);
}

#[tokio::test]
async fn files_that_are_not_spreadsheets_are_422() {
    let app = spawn_app().await;
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&[0u8; 64]);
    let pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n".to_vec();
    let mut broken_zip = b"PK\x03\x04".to_vec();
    broken_zip.extend_from_slice(&[7u8; 200]);
    for (label, bytes) in [("png", png), ("pdf", pdf), ("broken xlsx", broken_zip)] {
        let r = app.upload(&app.admin, "file", "upload.xlsx", &bytes).await;
        let r = r.expect_error(422, "validation");
        assert!(
            r.json["error"]["fields"]["file"].is_string(),
            "{label}: the error should name the file field: {}",
            r.json
        );
    }
    // An empty file.
    let r = app.upload(&app.admin, "file", "empty.csv", b"").await;
    let r = r.expect_error(422, "validation");
    assert!(r.json["error"]["fields"]["file"].is_string(), "{}", r.json);
    // A header-only CSV is a valid, empty import.
    assert_import_ok(
        app.upload(&app.admin, "file", "h.csv", csv(&[]).as_bytes())
            .await,
        0,
        0,
    );
    assert!(app.society_names(&app.admin).await.is_empty());
}

#[tokio::test]
async fn oversized_uploads_are_413() {
    let app = spawn_app().await;
    let mut text = csv(&good_rows());
    while text.len() <= MAX_UPLOAD + 1024 {
        text.push_str("填充学会,学会,其他,1,0,否,,\r\n");
    }
    let r = app
        .upload(&app.admin, "file", "big.csv", text.as_bytes())
        .await;
    r.expect_error(413, "payload_too_large");
    assert!(app.society_names(&app.admin).await.is_empty());
    // Just under the limit is fine.
    let small = csv(&[row(["小学会", "学会", "其他", "1", "0", "否", "", ""])]);
    assert_import_ok(
        app.upload(&app.admin, "file", "s.csv", small.as_bytes())
            .await,
        1,
        0,
    );
}

#[tokio::test]
async fn requests_without_a_file_field_are_400() {
    let app = spawn_app().await;
    let file = xlsx(&good_rows());
    app.upload(&app.admin, "upload", "x.xlsx", &file)
        .await
        .expect_error(400, "bad_request");
    // Not multipart at all.
    app.post("/api/v1/import/societies", &app.admin, json!({"file": "x"}))
        .await
        .expect_error(400, "bad_request");
    // Multipart with no parts.
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/import/societies")
        .header(header::AUTHORIZATION, format!("Bearer {}", app.admin))
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XyZ")
        .body(Body::from("--XyZ--\r\n"))
        .unwrap();
    app.send(req).await.expect_error(400, "bad_request");
    assert!(app.society_names(&app.admin).await.is_empty());
}

#[tokio::test]
async fn read_only_roles_may_not_import() {
    let app = spawn_app().await;
    let file = xlsx(&good_rows()[4..]);
    for role in [Role::Viewer, Role::Inspector] {
        let token = app.token_for(role, None).await;
        app.import(&token, &file)
            .await
            .expect_error(403, "forbidden");
    }
    let committee = app.token_for(Role::Committee, None).await;
    assert_import_ok(app.import(&committee, &file).await, 1, 0);
}

#[tokio::test]
async fn export_has_the_import_columns() {
    let app = spawn_app().await;
    setup_orgs(&app).await;
    assert_import_ok(app.import(&app.admin, &xlsx(&good_rows())).await, 5, 0);
    let r = app
        .get_xlsx("/api/v1/export/societies.xlsx", &app.admin)
        .await;
    let (header, rows) = read_xlsx(&r.bytes);
    assert_eq!(header, HEADERS.to_vec());
    assert_eq!(rows.len(), 5);
    let computer = rows.iter().find(|r| r[0] == "市计算机学会").unwrap();
    assert_eq!(
        computer,
        &vec![
            "市计算机学会",
            "学会",
            "智能科技",
            "12",
            "1",
            "是",
            "",
            "计算机学会党支部"
        ]
    );
    let medicine = rows.iter().find(|r| r[0] == "市医学研究会").unwrap();
    assert_eq!(medicine[6], "王指导员");
    assert_eq!(medicine[7], "");
    assert_eq!(medicine[5], "否");
    // Deleted societies are not exported.
    let list = app.all_societies(&app.admin).await;
    let gone = by_name(&list, "市工程师协会");
    app.delete(&format!("/api/v1/societies/{}", gone["id"]), &app.admin)
        .await
        .expect(204);
    let r = app
        .get("/api/v1/export/societies.xlsx", &app.admin)
        .await
        .expect(200);
    let (_, rows) = read_xlsx(&r.bytes);
    assert_eq!(rows.len(), 4);
    assert!(!rows.iter().any(|r| r[0] == "市工程师协会"));
}

/// A registry with every kind, sector and coverage, made through the API.
async fn varied_registry(app: &TestApp) {
    let (root, b, j, f) = setup_orgs(app).await;
    let gb = app.org("工程总支", "general_branch", Some(root)).await;
    let kinds = ["society", "non_enterprise", "foundation"];
    let sectors = [
        "intelligent_tech",
        "life_health",
        "green_low_carbon",
        "frontier",
        "other",
    ];
    let orgs = [Some(root), Some(b), Some(j), Some(f), Some(gb), None, None];
    for i in 0..21 {
        let org = orgs[i % orgs.len()];
        let instructor = if i % 3 == 0 {
            json!(format!("指导员{i}"))
        } else {
            Value::Null
        };
        app.society(
            &format!("往返学会{i:02}"),
            org,
            json!({
                "kind": kinds[i % 3],
                "sector": sectors[i % 5],
                "full_members": (i * 7) % 13,
                "probationary_members": i % 4,
                "charter_has_party_building": i % 2 == 0,
                "instructor": instructor,
            }),
        )
        .await;
    }
}

#[tokio::test]
async fn export_round_trips_through_import() {
    let app = spawn_app().await;
    varied_registry(&app).await;
    let before = app.all_societies(&app.admin).await;
    assert_eq!(before.len(), 21);
    let audit_before = app.audit_count().await;
    let export = app
        .get("/api/v1/export/societies.xlsx", &app.admin)
        .await
        .expect(200)
        .bytes;
    assert_import_ok(app.import(&app.admin, &export).await, 0, 21);
    assert_eq!(app.all_societies(&app.admin).await, before);
    // Unchanged rows are not recorded as changes.
    assert_eq!(app.audit_count().await, audit_before);
    // And the export of the re-imported data is the same table.
    let again = app
        .get("/api/v1/export/societies.xlsx", &app.admin)
        .await
        .expect(200)
        .bytes;
    assert_eq!(read_xlsx(&again), read_xlsx(&export));
}

#[tokio::test]
async fn export_imports_into_a_fresh_app_with_the_same_orgs() {
    let src = spawn_app().await;
    varied_registry(&src).await;
    let export = src
        .get("/api/v1/export/societies.xlsx", &src.admin)
        .await
        .expect(200)
        .bytes;

    let dst = spawn_app().await;
    // The same orgs, created in a different order so that ids differ.
    let root = dst.org("市科技社团党委", "committee", None).await;
    dst.org("占位党支部", "branch", Some(root)).await;
    let gb = dst.org("工程总支", "general_branch", Some(root)).await;
    dst.org("功能党支部", "functional_branch", Some(gb)).await;
    dst.org("联合党支部", "joint_branch", Some(root)).await;
    dst.org("计算机学会党支部", "branch", Some(gb)).await;
    assert_import_ok(dst.import(&dst.admin, &export).await, 21, 0);

    // Identical societies, comparing the covering org by name.
    async fn normalized(app: &TestApp) -> Vec<Value> {
        let orgs = app
            .get("/api/v1/party-orgs?per_page=500", &app.admin)
            .await
            .expect(200)
            .items()
            .clone();
        let name_of = |id: &Value| -> Value {
            orgs.iter()
                .find(|o| &o["id"] == id)
                .map(|o| o["name"].clone())
                .unwrap_or(Value::Null)
        };
        let mut list: Vec<Value> = app
            .all_societies(&app.admin)
            .await
            .into_iter()
            .map(|mut s| {
                s["party_org_id"] = name_of(&s["party_org_id"]);
                s.as_object_mut().unwrap().remove("id");
                s
            })
            .collect();
        list.sort_by_key(|s| s["name"].as_str().unwrap().to_string());
        list
    }
    let a = normalized(&src).await;
    let b = normalized(&dst).await;
    assert_eq!(a.len(), 21);
    assert_eq!(a, b);
}

#[tokio::test]
async fn import_writes_audit_rows_for_what_it_creates() {
    let app = spawn_app().await;
    setup_orgs(&app).await;
    assert_import_ok(app.import(&app.admin, &xlsx(&good_rows())).await, 5, 0);
    let audit = app
        .get("/api/v1/audit?entity=society", &app.admin)
        .await
        .expect(200);
    let creates: Vec<&Value> = audit
        .items()
        .iter()
        .filter(|a| a["action"] == "create")
        .collect();
    assert_eq!(creates.len(), 5);
    assert!(creates
        .iter()
        .all(|a| a["actor"] == "admin" && a["before"].is_null()));
}

#[tokio::test]
async fn legacy_xls_files_are_told_to_save_as_xlsx() {
    let app = spawn_app().await;
    // The OLE compound-document signature of a legacy .xls, then filler.
    let mut xls = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    xls.extend_from_slice(&[0u8; 504]);
    let r = app
        .upload(&app.admin, "file", "old.xls", &xls)
        .await
        .expect_field("file");
    assert!(
        r.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains(".xlsx"),
        "{}",
        r.json
    );
    assert!(app.society_names(&app.admin).await.is_empty());
}

/// `GET /export/party-orgs.xlsx` (党组织名册): every org in scope in tree order with its
/// parent and facts; a branch gets its own subtree only.
#[tokio::test]
async fn the_party_org_ledger_lists_the_scope_in_tree_order() {
    let app = spawn_app().await;
    let root = app.org("市科协科技社团党委", "committee", None).await;
    let a = app
        .org_with(
            "甲学会党总支",
            "general_branch",
            Some(root),
            json!({"secretary": "张三", "established_on": "2019-05-04", "full_members": 12, "grade": "A"}),
        )
        .await;
    app.org("甲学会第一党支部", "branch", Some(a)).await;
    app.org("乙学会党支部", "branch", Some(root)).await;
    let r = app
        .get_xlsx("/api/v1/export/party-orgs.xlsx", &app.admin)
        .await;
    let (header, rows) = read_xlsx(&r.bytes);
    assert_eq!(header[..4], ["序号", "党组织名称", "上级党组织", "类型"]);
    let names: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(
        names,
        [
            "市科协科技社团党委",
            "甲学会党总支",
            "甲学会第一党支部",
            "乙学会党支部"
        ]
    );
    let general = &rows[1];
    assert_eq!(
        (
            general[0].as_str(),
            general[2].as_str(),
            general[3].as_str(),
            general[4].as_str()
        ),
        ("2", "市科协科技社团党委", "党总支", "张三")
    );
    assert_eq!(general[7], "2019-05-04");
    assert_eq!((general[9].as_str(), general[11].as_str()), ("12", "A"));
    let branch = app.token_for(Role::Branch, Some(a)).await;
    let r = app
        .get_xlsx("/api/v1/export/party-orgs.xlsx", &branch)
        .await;
    let (_, rows) = read_xlsx(&r.bytes);
    let names: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(names, ["甲学会党总支", "甲学会第一党支部"]);
}

/// Every download's name carries its extension, in UTF-8 and in the ASCII fallback (the
/// activities and compliance ledgers saved without `.xlsx`, and the fallbacks read
/// `xlsx.xlsx`).
#[tokio::test]
async fn every_download_is_named_with_its_extension() {
    let app = spawn_app().await;
    app.org("党委", "committee", None).await;
    for (uri, ext) in [
        ("/api/v1/export/societies.xlsx", "xlsx"),
        ("/api/v1/export/party-orgs.xlsx", "xlsx"),
        ("/api/v1/export/activities.xlsx", "xlsx"),
        ("/api/v1/export/compliance.xlsx", "xlsx"),
        ("/api/v1/export/assignments.xlsx", "xlsx"),
        ("/api/v1/export/rectifications.xlsx", "xlsx"),
        ("/api/v1/import/societies/template", "xlsx"),
        ("/api/v1/bulletins/tasks.docx", "docx"),
        ("/api/v1/bulletins/rectification.docx", "docx"),
    ] {
        let r = app.get(uri, &app.admin).await.expect(200);
        let d = r
            .headers
            .get(header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let ascii = d
            .split("filename=\"")
            .nth(1)
            .and_then(|x| x.split('"').next());
        let utf8 = d.split("filename*=UTF-8''").nth(1).unwrap_or("");
        let ascii = ascii.unwrap_or("");
        assert!(ascii.ends_with(&format!(".{ext}")), "{uri}: {d}");
        assert!(utf8.ends_with(&format!(".{ext}")), "{uri}: {d}");
        assert!(
            !ascii.starts_with(ext),
            "{uri}: the fallback is only the extension: {d}"
        );
        assert!(!utf8.ends_with(&format!(".{ext}.{ext}")), "{uri}: {d}");
    }
}
