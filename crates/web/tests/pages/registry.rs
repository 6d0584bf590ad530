use axum::http::{header, StatusCode};
use domain::{PartyOrgPatch, Role};
use store::{Actor, Scope};
use testkit::*;

#[tokio::test]
async fn society_forms_validate_keep_input_and_check_csrf() {
    let (app, cookie, csrf) = TestApp::pages_as_admin().await;
    // Wrong CSRF token → 403, nothing written.
    let res = app
        .post_form(
            "/societies",
            &cookie,
            &[
                ("csrf", "nope"),
                ("name", "甲学会"),
                ("kind", "society"),
                ("sector", "other"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Field errors next to the fields, in Chinese, keeping what was typed.
    let res = app
        .post_form(
            "/societies",
            &cookie,
            &[
                ("csrf", &csrf),
                ("name", " "),
                ("kind", "society"),
                ("sector", "other"),
                ("full_members", "-3"),
                ("probationary_members", "abc"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"e-name\">必填"), "{}", res.body);
    assert!(res.body.contains("id=\"e-full_members\">不能为负数"));
    assert!(res
        .body
        .contains("id=\"e-probationary_members\">请输入整数"));
    assert!(res.body.contains("value=\"-3\"") && res.body.contains("value=\"abc\""));
    // A good one.
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "甲学会"),
        ("kind", "foundation"),
        ("sector", "frontier"),
        ("full_members", "5"),
        ("probationary_members", "1"),
        ("charter_has_party_building", "on"),
        ("instructor", ""),
        ("party_org_id", ""),
    ];
    let res = app.post_form("/societies", &cookie, &form).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let at = res.location().to_string();
    assert!(at.starts_with("/societies/") && at.ends_with("?msg=created"));
    let page = app.get_page(&at, &cookie).await;
    assert!(page.body.contains("已新增"));
    assert!(page.body.contains("cov-none") && page.body.contains("应单独建立党支部"));
    // The same name again → 名称已被使用 on the name field.
    let res = app.post_form("/societies", &cookie, &form).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"e-name\">名称已被使用"));
    // Update and delete.
    let path = at.split('?').next().unwrap_or("").to_string();
    let mut changed = form.to_vec();
    changed[4] = ("full_members", "9");
    let res = app.post_form(&path, &cookie, &changed).await;
    assert_eq!(res.location(), format!("{path}?msg=saved"));
    let res = app
        .post_form(&format!("{path}/delete"), &cookie, &[("csrf", &csrf)])
        .await;
    assert_eq!(res.location(), "/societies?msg=deleted");
    assert_eq!(
        app.get_page(&path, &cookie).await.status,
        StatusCode::NOT_FOUND
    );
    // The audit view shows the change as a field diff.
    let id = path.trim_start_matches("/societies/");
    let audit = app
        .get_page(&format!("/audit?entity=society&entity_id={id}"), &cookie)
        .await;
    assert!(audit.body.contains("正式党员数"), "{}", audit.body);
    assert!(audit.body.contains("<del>5</del>") && audit.body.contains("<ins>9</ins>"));
}

#[tokio::test]
async fn read_only_roles_see_no_edit_buttons_and_get_403() {
    let app = TestApp::pages().await;
    let (cookie, csrf) = app.page_session(Role::Viewer, None).await;
    let list = app.get_page("/societies", &cookie).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains("/societies/new"));
    assert!(!list.body.contains("href=\"/users\""), "admin nav hidden");
    assert_eq!(
        app.get_page("/societies/new", &cookie).await.status,
        StatusCode::FORBIDDEN
    );
    let res = app
        .post_form(
            "/societies",
            &cookie,
            &[
                ("csrf", &csrf),
                ("name", "乙学会"),
                ("kind", "society"),
                ("sector", "other"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.body.contains("无权访问"));
    assert_eq!(
        app.get_page("/users", &cookie).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get_page("/audit", &cookie).await.status,
        StatusCode::FORBIDDEN
    );
    let org = app.get_page("/orgs/1", &cookie).await;
    assert!(org.body.contains("class=\"readonly panel\"") && !org.body.contains("id=\"org-form\""));
}

#[tokio::test]
async fn htmx_requests_get_the_table_fragment() {
    let (app, cookie, _) = TestApp::pages_as_admin().await;
    let frag = app
        .get_page_with("/societies?q=%E7%94%B2", &cookie, &[("hx-request", "true")])
        .await;
    assert_eq!(frag.status, StatusCode::OK);
    assert!(frag.body.contains("id=\"societies-table\""));
    assert!(!frag.body.contains("<html"));
    assert_eq!(
        frag.headers.get(header::VARY).and_then(|v| v.to_str().ok()),
        Some("HX-Request")
    );
    // History restoration wants the whole page.
    let full = app
        .get_page_with(
            "/societies",
            &cookie,
            &[
                ("hx-request", "true"),
                ("hx-history-restore-request", "true"),
            ],
        )
        .await;
    assert!(full.body.contains("<html"));
}

#[tokio::test]
async fn import_shows_errors_by_row_and_writes_nothing() {
    let app = TestApp::pages_with(|c| c.max_upload_bytes = 2000).await;
    let (cookie, csrf) = app.page_login("admin").await;
    let csv = "名称,类型,领域,正式党员数\n好学会,学会,其他,3\n坏学会,学会,其他,-2\n";
    let upload = |file: &[u8], csrf: &str| {
        Multipart::new()
            .field("csrf", csrf)
            .file("file", "a.csv", "text/csv", file)
    };
    let res = app
        .send_multipart("/import", &cookie, upload(csv.as_bytes(), &csrf))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("id=\"import-errors\""));
    assert!(res
        .body
        .contains("<td class=\"num\">3</td><td class=\"nowrap\">正式党员数</td>"));
    assert!(res.body.contains("未写入任何数据"));
    let list = app.get_page("/societies?q=%E5%A5%BD", &cookie).await;
    assert!(list.body.contains("共 0 个社团"));
    // The same file with the row fixed goes in.
    let ok = csv.replace("-2", "2");
    let res = app
        .send_multipart("/import", &cookie, upload(ok.as_bytes(), &csrf))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("导入成功：新增 2 个社团"));
    // Wrong CSRF and oversized files are refused with a clear message.
    let res = app
        .send_multipart("/import", &cookie, upload(ok.as_bytes(), "nope"))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let big = vec![b'x'; 5000];
    let res = app
        .send_multipart("/import", &cookie, upload(&big, &csrf))
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.body.contains("文件过大"), "{}", res.body);
}

#[tokio::test]
async fn org_delete_refused_while_in_use() {
    let (app, cookie, csrf) = TestApp::pages_as_admin().await;
    let res = app
        .post_form(
            "/orgs",
            &cookie,
            &[
                ("csrf", &csrf),
                ("name", "测试支部"),
                ("kind", "branch"),
                ("parent_id", "1"),
                ("term_ends_on", "2020-02-30"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("id=\"e-term_ends_on\">日期格式应为"),
        "{}",
        res.body
    );
    let res = app
        .post_form(
            "/orgs",
            &cookie,
            &[
                ("csrf", &csrf),
                ("name", "测试支部"),
                ("kind", "branch"),
                ("parent_id", "1"),
                ("term_ends_on", "2030-01-31"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = app
        .post_form("/orgs/1/delete", &cookie, &[("csrf", &csrf)])
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("该党组织还有下级组织，不能删除"));
    let tree = app.get_page("/orgs", &cookie).await;
    assert!(tree.body.contains("测试支部") && tree.body.contains("2030年1月31日"));
}

#[tokio::test]
async fn large_trees_are_shown_a_level_at_a_time_with_search() {
    let app = TestApp::pages().await;
    // More orgs than one page can show: 2,000 branches under a general branch under the root.
    let mut orgs = vec![store::BulkOrg {
        parent: None,
        org: domain::PartyOrgInput {
            name: "某联合党总支".into(),
            kind: domain::OrgKind::GeneralBranch,
            parent_id: None,
            secretary: None,
            secretary_joined_on: None,
            secretary_cross_appointed: false,
            established_on: None,
            term_ends_on: None,
            full_members: 60,
            probationary_members: 0,
            grade: None,
        },
    }];
    for i in 0..2000 {
        let mut o = orgs[0].org.clone();
        o.name = format!("第{i}党支部");
        o.kind = domain::OrgKind::Branch;
        orgs.push(store::BulkOrg {
            parent: Some(0),
            org: o,
        });
    }
    app.state
        .store
        .bulk_load(&Actor::system("test"), orgs, Vec::new())
        .await
        .expect("bulk");
    // bulk_load puts its first org at the top; hang it under the test committee.
    let general = app
        .state
        .store
        .list_orgs(
            &Scope::All,
            &store::OrgFilter {
                q: Some("某联合党总支".into()),
                ..Default::default()
            },
            store::PageReq {
                page: 1,
                per_page: 1,
            },
        )
        .await
        .expect("list")
        .items[0]
        .id;
    let patch: PartyOrgPatch = serde_json::from_str(r#"{"parent_id":1}"#).expect("patch");
    app.state
        .store
        .update_org(&Actor::system("test"), &Scope::All, general, &patch)
        .await
        .expect("move");
    let (cookie, _) = app.page_login("admin").await;
    // The top level: the root and its one child, with a drill-down link, not 2,002 nodes.
    let top = app.get_page("/orgs", &cookie).await;
    assert_eq!(top.status, StatusCode::OK);
    assert!(top.body.contains("共 2,002 个党组织"), "{}", top.body);
    assert!(top
        .body
        .contains(&format!("href=\"/orgs?parent_id={general}\"")));
    assert!(top.body.contains("下级 2000 个"), "{}", top.body);
    assert!(!top.body.contains("第7党支部"));
    // One level: a page of 100 children and a link to the next page.
    let level = app
        .get_page(&format!("/orgs?parent_id={general}"), &cookie)
        .await;
    assert_eq!(level.status, StatusCode::OK);
    assert_eq!(level.body.matches("class=\"leaf\"").count(), 100);
    assert!(
        level
            .body
            .contains(&format!("/orgs?page=2&#38;parent_id={general}")),
        "{}",
        level.body
    );
    // Search finds across the tree.
    let found = app.get_page("/orgs?q=%E7%AC%AC1999", &cookie).await;
    assert!(found.body.contains("第1999党支部"));
    assert_eq!(found.body.matches("class=\"leaf\"").count(), 1);
    // Forms offer an id field instead of a 2,002-option drop-down, and it still saves.
    let form = app.get_page("/societies/new", &cookie).await;
    assert!(
        form.body.contains("name=\"party_org_id\" type=\"number\""),
        "{}",
        form.body
    );
    assert!(!form.body.contains("第7党支部"));
    let users = app.get_page("/users", &cookie).await;
    assert!(users.body.contains("name=\"party_org_id\" type=\"number\""));
    let edit = app.get_page(&format!("/orgs/{general}"), &cookie).await;
    assert!(edit.body.contains("name=\"parent_id\" type=\"number\""));
    let saved = app
        .post_form(
            "/societies",
            &cookie,
            &[
                ("csrf", &form.csrf()),
                ("name", "编号选择学会"),
                ("kind", "society"),
                ("sector", "other"),
                ("party_org_id", &general.to_string()),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // Out of reach ids answer 404.
    assert_eq!(
        app.get_page("/orgs?parent_id=999999", &cookie).await.status,
        StatusCode::NOT_FOUND
    );
}
