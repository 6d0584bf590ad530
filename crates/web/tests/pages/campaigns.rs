//! M7 pages: the campaigns list and a campaign's page for every role, a branch reporting to
//! a community and recording a service (with a photo) through the page forms while the
//! progress figure moves, scope across branches shown at the form with nothing written,
//! the committee's forms, a record's page with its photos, and the exports.

use axum::http::StatusCode;
use domain::Role;
use serde_json::json;
use store::{PageReq, Scope};
use testkit::*;

/// A 1×1 PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";

/// Branch A (and A1 under it) and branch B under the committee (id 1).
struct Tree {
    a: i64,
    a1: i64,
    b: i64,
}

async fn tree(app: &TestApp) -> Tree {
    let a = app.org("甲学会党支部", "branch", Some(1)).await;
    let a1 = app.org("甲学会第一党支部", "branch", Some(a)).await;
    let b = app.org("乙学会党支部", "branch", Some(1)).await;
    Tree { a, a1, b }
}

async fn campaign(app: &TestApp, target: i64) -> i64 {
    app.post(
        "/api/v1/campaigns",
        &app.admin,
        json!({"title": "社区报到·治理增效", "kind": "community_check_in", "starts_on": day(-30),
               "ends_on": day(30), "target": target, "description": "党组织到社区报到、服务群众"}),
    )
    .await
    .expect(201)
    .id()
}

async fn join_api(app: &TestApp, c: i64, org: i64, place: &str) {
    app.post(
        &format!("/api/v1/campaigns/{c}/participants"),
        &app.admin,
        json!({"party_org_id": org, "joined_on": day(-10), "place": place}),
    )
    .await
    .expect(201);
}

async fn record_api(app: &TestApp, c: i64, org: i64, title: &str) -> i64 {
    app.post(
        &format!("/api/v1/campaigns/{c}/records"),
        &app.admin,
        json!({"party_org_id": org, "held_on": day(-5), "title": title, "participants": 8}),
    )
    .await
    .expect(201)
    .id()
}

/// The number in the element with this id (`<span id="fig-participants">63</span>`).
fn figure(body: &str, id: &str) -> i64 {
    let at = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {body}"));
    let rest = &body[at..];
    let text = &rest[rest.find('>').expect("tag end") + 1..];
    let digits: String = text.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("#{id} holds no number"))
}

async fn participants(app: &TestApp, c: i64) -> i64 {
    app.state
        .store
        .list_participants(
            &Scope::All,
            c,
            PageReq {
                page: 1,
                per_page: 50,
            },
        )
        .await
        .expect("participants")
        .total
}

async fn records(app: &TestApp, c: i64) -> i64 {
    app.state
        .store
        .list_records(
            &Scope::All,
            c,
            &Default::default(),
            PageReq {
                page: 1,
                per_page: 50,
            },
        )
        .await
        .expect("records")
        .total
}

#[tokio::test]
async fn every_campaign_page_renders_for_each_role_that_can_see_it() {
    let app = TestApp::pages().await;
    let t = tree(&app).await;
    let c = campaign(&app, 100).await;
    join_api(&app, c, t.a, "花园路社区").await;
    join_api(&app, c, t.a1, "花园路社区").await;
    join_api(&app, c, t.b, "滨江社区").await;
    let ra = record_api(&app, c, t.a, "社区义诊").await;
    let rb = record_api(&app, c, t.b, "科普讲座进社区").await;
    for (role, org) in [
        (Role::Admin, None),
        (Role::Committee, None),
        (Role::Inspector, None),
        (Role::Viewer, None),
        (Role::Branch, Some(t.a)),
    ] {
        let (cookie, _) = app.page_session(role, org).await;
        let who = role.as_str();
        let home = app.get_page("/", &cookie).await;
        assert!(
            home.body.contains("href=\"/campaigns\""),
            "{who}: the navigation names the campaigns"
        );
        let list = app.get_page("/campaigns", &cookie).await;
        assert_eq!(list.status, StatusCode::OK, "{who}: {}", list.body);
        assert!(list.body.contains("id=\"campaigns-table\""), "{who}");
        assert!(list.body.contains("社区报到·治理增效"), "{who}");
        assert!(list.body.contains("<progress class=\"bar small\""), "{who}");
        // a card on a phone: every cell labelled, the title first
        let table = list
            .body
            .split("id=\"campaigns-table\"")
            .nth(1)
            .and_then(|t| t.split("</table>").next())
            .unwrap_or("");
        let body = table.split("<tbody>").nth(1).unwrap_or("");
        for cell in body.split("<td").skip(1) {
            let tag = cell.split('>').next().unwrap_or("");
            assert!(tag.contains("data-label=\""), "{who}: <td{tag}>");
        }
        assert!(body.contains("card-title"), "{who}");
        let page = app.get_page(&format!("/campaigns/{c}"), &cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{who}: {}", page.body);
        // the whole campaign's figure for every role
        assert_eq!(figure(&page.body, "fig-participants"), 3, "{who}");
        assert_eq!(figure(&page.body, "fig-target"), 100, "{who}");
        assert_eq!(figure(&page.body, "fig-records"), 2, "{who}");
        assert_eq!(figure(&page.body, "fig-active"), 2, "{who}");
        assert!(page.body.contains("id=\"progress-bar\""), "{who}");
        assert!(page.body.contains("社区义诊"), "{who}");
        let xlsx = app
            .get_page(&format!("/campaigns/{c}/participants.xlsx"), &cookie)
            .await;
        assert_eq!(xlsx.status, StatusCode::OK, "{who}");
        assert!(xlsx
            .header("content-type")
            .is_some_and(|v| v.contains("spreadsheetml")));
        let (header, rows) = read_xlsx(&xlsx.bytes);
        assert_eq!(
            header,
            [
                "序号",
                "党组织",
                "上级党组织",
                "参与日期",
                "报到社区/地点",
                "服务记录（次）"
            ],
            "{who}"
        );
        let branch = role == Role::Branch;
        assert_eq!(rows.len(), if branch { 2 } else { 3 }, "{who}: {rows:?}");
        let a1 = rows
            .iter()
            .find(|r| r[1] == "甲学会第一党支部")
            .expect("A1's row");
        assert_eq!(
            (a1[2].as_str(), a1[4].as_str()),
            ("甲学会党支部", "花园路社区")
        );
        let a = rows
            .iter()
            .find(|r| r[1] == "甲学会党支部")
            .expect("A's row");
        assert_eq!(a[5], "1", "{who}: A's records");
        let xlsx = app
            .get_page(&format!("/campaigns/{c}/records.xlsx"), &cookie)
            .await;
        assert_eq!(xlsx.status, StatusCode::OK, "{who}");
        let (header, rows) = read_xlsx(&xlsx.bytes);
        assert_eq!(header[1..3], ["服务日期", "党组织"], "{who}");
        assert_eq!(rows.len(), if branch { 1 } else { 2 }, "{who}: {rows:?}");
        assert!(rows.iter().any(|r| r[3] == "社区义诊" && r[4] == "8"));
        let rec = app
            .get_page(&format!("/campaign-records/{ra}"), &cookie)
            .await;
        assert_eq!(rec.status, StatusCode::OK, "{who}: {}", rec.body);
        assert!(rec.body.contains("社区义诊"), "{who}");
        let other = app
            .get_page(&format!("/campaign-records/{rb}"), &cookie)
            .await;
        if role == Role::Branch {
            // B's service is outside A's scope: not listed, not readable
            assert_eq!(other.status, StatusCode::NOT_FOUND);
            assert!(!page.body.contains("科普讲座进社区"));
            assert!(
                !page.body.contains("滨江社区"),
                "B's place is not A's to see"
            );
            assert!(page.body.contains("id=\"own\""));
            assert_eq!(figure(&page.body, "fig-participants"), 3);
        } else {
            assert_eq!(other.status, StatusCode::OK, "{who}");
            assert!(page.body.contains("科普讲座进社区"), "{who}");
            assert!(!page.body.contains("id=\"own\""), "{who}");
        }
        let new = app.get_page("/campaigns/new", &cookie).await;
        let edit = app.get_page(&format!("/campaigns/{c}/edit"), &cookie).await;
        if matches!(role, Role::Admin | Role::Committee) {
            assert_eq!(new.status, StatusCode::OK, "{who}");
            assert!(new.body.contains("id=\"campaign-form\""));
            assert_eq!(edit.status, StatusCode::OK, "{who}");
            assert!(edit.body.contains("value=\"社区报到·治理增效\""));
            assert!(list.body.contains("id=\"new-campaign\""), "{who}");
        } else {
            assert_eq!(new.status, StatusCode::FORBIDDEN, "{who}");
            assert_eq!(edit.status, StatusCode::FORBIDDEN, "{who}");
            assert!(!list.body.contains("id=\"new-campaign\""), "{who}");
        }
    }
    let (cookie, _) = app.page_session(Role::Admin, None).await;
    assert_eq!(
        app.get_page("/campaigns/999", &cookie).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_page("/campaigns/abc", &cookie).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn participants_are_grouped_under_their_parent_and_places_counted() {
    let app = TestApp::pages().await;
    let t = tree(&app).await;
    let c = campaign(&app, 2).await;
    join_api(&app, c, t.a, "花园路社区").await;
    join_api(&app, c, t.a1, "花园路社区").await;
    join_api(&app, c, t.b, "滨江社区").await;
    let (cookie, _) = app.page_login("admin").await;
    let page = app.get_page(&format!("/campaigns/{c}"), &cookie).await;
    let group = |name: &str| -> String {
        page.body
            .split(&format!("data-group=\"{name}\""))
            .nth(1)
            .and_then(|g| g.split("</details>").next())
            .unwrap_or_else(|| panic!("no group {name}: {}", page.body))
            .to_string()
    };
    let root = group("测试党委");
    assert!(root.contains("2 个"), "{root}");
    assert!(root.contains(&format!("data-org=\"{}\"", t.a)));
    assert!(root.contains(&format!("data-org=\"{}\"", t.b)));
    let a = group("甲学会党支部");
    assert!(a.contains("1 个") && a.contains(&format!("data-org=\"{}\"", t.a1)));
    let places = page
        .body
        .split("id=\"places\"")
        .nth(1)
        .and_then(|p| p.split("</section>").next())
        .unwrap_or("");
    let garden = places.find("花园路社区").expect("a place listed");
    let river = places.find("滨江社区").expect("another place listed");
    assert!(garden < river, "most orgs first: {places}");
    assert!(places.contains("2 个组织") && places.contains("1 个组织"));
    // over the target: the bar is full and says so
    assert_eq!(figure(&page.body, "fig-participants"), 3);
    assert!(page.body.contains("已超过目标"));
    // A's secretary sees its own subtree grouped under its own org, nothing of B
    let (branch, _) = app.page_session(Role::Branch, Some(t.a)).await;
    let page = app.get_page(&format!("/campaigns/{c}"), &branch).await;
    assert!(page.body.contains("data-group=\"甲学会党支部\""));
    assert!(!page.body.contains("data-group=\"测试党委\""));
    assert!(!page.body.contains(&format!("data-org=\"{}\"", t.b)));
    assert!(page
        .body
        .contains("本组织及下级：参与 2 个组织，服务记录 0 次"));
}

#[tokio::test]
async fn a_branch_reports_and_records_a_service_from_the_page_and_the_figure_moves() {
    let app = TestApp::pages().await;
    let t = tree(&app).await;
    let c = campaign(&app, 100).await;
    join_api(&app, c, t.b, "滨江社区").await;
    let (cookie, csrf) = app.page_session(Role::Branch, Some(t.a)).await;
    let url = format!("/campaigns/{c}");
    let page = app.get_page(&url, &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(figure(&page.body, "fig-participants"), 1);
    assert!(page.body.contains("id=\"join-form\"") && page.body.contains("我们报到了"));
    assert!(page.body.contains("id=\"own-not-joined\""));
    // A has A1 under it: the join offers both, its own org chosen
    assert!(page
        .body
        .contains(&format!("<option value=\"{}\" selected", t.a)));
    assert!(
        !page.body.contains("id=\"record\""),
        "no record before the org takes part"
    );
    assert!(!app
        .get_page(&format!("/campaigns/{c}/records/new"), &cookie)
        .await
        .body
        .contains("id=\"record-form\""));

    // 我们报到了: the own org, today, the community typed
    let today = app.state.clock.today().to_string();
    let a = t.a.to_string();
    let joined = app
        .post_form(
            &format!("/campaigns/{c}/participants"),
            &cookie,
            &[
                ("csrf", csrf.as_str()),
                ("party_org_id", a.as_str()),
                ("joined_on", today.as_str()),
                ("place", "花园路社区"),
            ],
        )
        .await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    let page = app.get_page(joined.location(), &cookie).await;
    assert!(page.body.contains("已报到，欢迎参与"), "the notice");
    assert_eq!(figure(&page.body, "fig-participants"), 2, "participants +1");
    assert!(page.body.contains("id=\"own-joined\""));
    assert!(!page.body.contains("id=\"join-form\""));
    assert!(page.body.contains("id=\"record\"") && page.body.contains("记一次服务"));
    assert!(page.body.contains("花园路社区"));
    let records_before = figure(&page.body, "fig-records");

    // 记一次服务: the form starts today with the own org
    let form = app
        .get_page(&format!("/campaigns/{c}/records/new"), &cookie)
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("id=\"record-form\""));
    assert!(form.body.contains(&format!("value=\"{today}\"")));
    assert!(form.body.contains("accept=\"image/*\"") && form.body.contains("multiple"));
    assert!(form
        .body
        .contains(&format!("name=\"party_org_id\" value=\"{}\"", t.a)));
    let fields = [
        ("csrf", csrf.as_str()),
        ("party_org_id", a.as_str()),
        ("held_on", today.as_str()),
        ("title", "楼道清理志愿服务"),
        ("participants", "9"),
        ("notes", "与社区共建"),
    ];
    // a file that is no photo: the form again with what was typed, nothing written
    let bad = app
        .post_multipart(
            &format!("/campaigns/{c}/records"),
            &cookie,
            &fields,
            &[("photo.jpg", b"not a photo")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("field-error") && bad.body.contains("楼道清理志愿服务"));
    assert_eq!(records(&app, c).await, 0);
    // a day in the future: the field says so
    let mut future = fields;
    let tomorrow = day(1);
    future[2] = ("held_on", tomorrow.as_str());
    let bad = app
        .post_multipart(&format!("/campaigns/{c}/records"), &cookie, &future, &[])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"e-held_on\""), "{}", bad.body);
    assert_eq!(records(&app, c).await, 0);

    let ok = app
        .post_multipart(
            &format!("/campaigns/{c}/records"),
            &cookie,
            &fields,
            &[("现场.png", PNG)],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = app.get_page(ok.location(), &cookie).await;
    assert!(page.body.contains("已记录一次服务"));
    assert_eq!(
        figure(&page.body, "fig-records"),
        records_before + 1,
        "records +1"
    );
    assert_eq!(figure(&page.body, "fig-active"), 1);
    assert!(page.body.contains("楼道清理志愿服务"));
    assert!(page
        .body
        .contains("本组织及下级：参与 1 个组织，服务记录 1 次"));
    let strip = page
        .body
        .split("class=\"photo-strip\"")
        .nth(1)
        .expect("the photo as a thumbnail");
    let src = strip
        .split("src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("an image");
    let photo = app.get_page(src, &cookie).await;
    assert_eq!(photo.status, StatusCode::OK);
    assert_eq!(photo.header("content-type"), Some("image/png"));

    // the record's page: edit, its photo with delete
    let rid = app
        .state
        .store
        .list_records(
            &Scope::All,
            c,
            &Default::default(),
            PageReq {
                page: 1,
                per_page: 5,
            },
        )
        .await
        .expect("records")
        .items[0]
        .id;
    let rec = app
        .get_page(&format!("/campaign-records/{rid}"), &cookie)
        .await;
    assert_eq!(rec.status, StatusCode::OK);
    assert!(rec.body.contains("现场.png") && rec.body.contains("id=\"record-form\""));
    let mut edit = fields;
    edit[3] = ("title", "楼道清理与义诊");
    let saved = app
        .post_multipart(&format!("/campaign-records/{rid}"), &cookie, &edit, &[])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let rec = app.get_page(saved.location(), &cookie).await;
    assert!(rec.body.contains("value=\"楼道清理与义诊\""));
    let aid: i64 = rec
        .body
        .split(&format!("/campaign-records/{rid}/attachments/"))
        .nth(1)
        .and_then(|s| s.split('/').next())
        .and_then(|s| s.parse().ok())
        .expect("a delete button for the photo");
    let gone = app
        .post_form(
            &format!("/campaign-records/{rid}/attachments/{aid}/delete"),
            &cookie,
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    let rec = app.get_page(gone.location(), &cookie).await;
    assert!(!rec.body.contains("现场.png"));
    // the record goes; the campaign's figure with it
    let del = app
        .post_form(
            &format!("/campaign-records/{rid}/delete"),
            &cookie,
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(del.status, StatusCode::SEE_OTHER);
    let page = app.get_page(&url, &cookie).await;
    assert_eq!(figure(&page.body, "fig-records"), records_before);
}

#[tokio::test]
async fn a_branch_cannot_report_or_record_for_another_branch() {
    let app = TestApp::pages().await;
    let t = tree(&app).await;
    let c = campaign(&app, 100).await;
    join_api(&app, c, t.b, "滨江社区").await;
    let (cookie, csrf) = app.page_session(Role::Branch, Some(t.a)).await;
    let today = app.state.clock.today().to_string();
    let b = t.b.to_string();
    let a1 = t.a1.to_string();
    let before = app.audit_len().await;
    // B is not A's: 403, the message at the form, nothing written
    let res = app
        .post_form(
            &format!("/campaigns/{c}/participants"),
            &cookie,
            &[
                ("csrf", csrf.as_str()),
                ("party_org_id", b.as_str()),
                ("joined_on", today.as_str()),
                ("place", "别人的社区"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.body.contains("id=\"join-form\""), "{}", res.body);
    assert!(res.body.contains("只能为本组织及下级党组织登记"));
    assert!(
        res.body.contains("value=\"别人的社区\""),
        "what was typed is kept"
    );
    assert_eq!(participants(&app, c).await, 1);
    // a day outside the campaign: 422 at the form
    let long_ago = day(-60);
    let res = app
        .post_form(
            &format!("/campaigns/{c}/participants"),
            &cookie,
            &[
                ("csrf", csrf.as_str()),
                ("party_org_id", a1.as_str()),
                ("joined_on", long_ago.as_str()),
                ("place", "花园路社区"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"join-errors\""));
    assert_eq!(participants(&app, c).await, 1);
    // a service for B (which takes part) from A's session: 403, nothing written
    let res = app
        .post_multipart(
            &format!("/campaigns/{c}/records"),
            &cookie,
            &[
                ("csrf", csrf.as_str()),
                ("party_org_id", b.as_str()),
                ("held_on", today.as_str()),
                ("title", "冒名的服务"),
            ],
            &[("x.png", PNG)],
        )
        .await;
    assert!(
        matches!(
            res.status,
            StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY
        ),
        "{}",
        res.status
    );
    assert_eq!(records(&app, c).await, 0);
    assert_eq!(app.audit_len().await, before, "nothing written");
    // twice for the same org: 409 at the form
    let (admin, admin_csrf) = app.page_login("admin").await;
    let res = app
        .post_form(
            &format!("/campaigns/{c}/participants"),
            &admin,
            &[
                ("csrf", admin_csrf.as_str()),
                ("party_org_id", b.as_str()),
                ("joined_on", today.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("该党组织已参与此专项行动"));
}

#[tokio::test]
async fn a_viewer_sees_no_forms() {
    let app = TestApp::pages().await;
    let t = tree(&app).await;
    let c = campaign(&app, 100).await;
    join_api(&app, c, t.a, "花园路社区").await;
    let r = record_api(&app, c, t.a, "社区义诊").await;
    for role in [Role::Viewer, Role::Inspector] {
        let (cookie, csrf) = app.page_session(role, None).await;
        let page = app.get_page(&format!("/campaigns/{c}"), &cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        for form in [
            "id=\"join-form\"",
            "id=\"add-form\"",
            "id=\"record\"",
            "id=\"edit-campaign\"",
            "method=\"post\" action=\"/campaigns",
        ] {
            assert!(!page.body.contains(form), "{role:?}: {form}");
        }
        let rec = app
            .get_page(&format!("/campaign-records/{r}"), &cookie)
            .await;
        assert!(rec.body.contains("id=\"record-view\""));
        assert!(!rec.body.contains("id=\"record-form\"") && !rec.body.contains("danger-zone"));
        assert_eq!(
            app.get_page(&format!("/campaigns/{c}/records/new"), &cookie)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let a = t.a.to_string();
        let res = app
            .post_form(
                &format!("/campaigns/{c}/participants"),
                &cookie,
                &[
                    ("csrf", csrf.as_str()),
                    ("party_org_id", a.as_str()),
                    ("joined_on", day(0).as_str()),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn the_committee_keeps_campaigns_and_enters_any_org() {
    let app = TestApp::pages().await;
    let t = tree(&app).await;
    let (cookie, csrf) = app.page_session(Role::Committee, None).await;
    let form = |title: &'static str, starts: String, ends: String, target: &'static str| {
        vec![
            ("csrf".to_string(), csrf.clone()),
            ("title".into(), title.into()),
            ("kind".into(), "essay".into()),
            ("starts_on".into(), starts),
            ("ends_on".into(), ends),
            ("target".into(), target.into()),
            ("description".into(), "征文比赛".into()),
        ]
    };
    let post = |f: Vec<(String, String)>, path: String| {
        let app = &app;
        let cookie = cookie.clone();
        async move {
            let pairs: Vec<(&str, &str)> =
                f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.post_form(&path, &cookie, &pairs).await
        }
    };
    // ends before it starts, and a target that is no number: the fields say so
    let bad = post(
        form("科技工作者征文", day(10), day(0), "很多"),
        "/campaigns".into(),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"e-ends_on\"") && bad.body.contains("id=\"e-target\""));
    assert!(bad.body.contains("value=\"科技工作者征文\""));
    let ok = post(
        form("科技工作者征文", day(-10), day(20), "20"),
        "/campaigns".into(),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let c: i64 = ok
        .location()
        .trim_start_matches("/campaigns/")
        .split('?')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("the new campaign's page");
    let page = app.get_page(ok.location(), &cookie).await;
    assert!(page.body.contains("科技工作者征文") && page.body.contains("征文比赛"));
    assert_eq!(figure(&page.body, "fig-target"), 20);
    // the committee enters B, then records for it
    assert!(page.body.contains("id=\"add-form\""));
    assert!(
        !page.body.contains("id=\"join-form\""),
        "the one-tap is the branch's"
    );
    let b = t.b.to_string();
    let joined_on = day(-1);
    let res = app
        .post_form(
            &format!("/campaigns/{c}/participants"),
            &cookie,
            &[
                ("csrf", csrf.as_str()),
                ("party_org_id", b.as_str()),
                ("joined_on", joined_on.as_str()),
                ("place", "滨江社区"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = app.get_page(&format!("/campaigns/{c}"), &cookie).await;
    assert_eq!(figure(&page.body, "fig-participants"), 1);
    assert!(
        !page.body.contains(&format!("<option value=\"{b}\"")),
        "B is not offered again"
    );
    let new = app
        .get_page(&format!("/campaigns/{c}/records/new"), &cookie)
        .await;
    assert!(
        new.body.contains("id=\"record-org\""),
        "the one participant, shown"
    );
    let today = day(0);
    let res = app
        .post_multipart(
            &format!("/campaigns/{c}/records"),
            &cookie,
            &[
                ("csrf", csrf.as_str()),
                ("party_org_id", b.as_str()),
                ("held_on", today.as_str()),
                ("title", "征文投稿"),
            ],
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // an org that does not take part: at the form
    let a = t.a.to_string();
    let res = app
        .post_multipart(
            &format!("/campaigns/{c}/records"),
            &cookie,
            &[
                ("csrf", csrf.as_str()),
                ("party_org_id", a.as_str()),
                ("held_on", today.as_str()),
                ("title", "未参与的服务"),
            ],
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("该党组织未参与此专项行动"),
        "{}",
        res.body
    );
    assert_eq!(records(&app, c).await, 1);
    // edit: days that would leave B's joined_on outside are refused at the field
    let res = post(
        form("科技工作者征文", day(0), day(20), "20"),
        format!("/campaigns/{c}/edit"),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("id=\"e-starts_on\""));
    let res = post(
        form("科技工作者征文（第二届）", day(-10), day(20), "30"),
        format!("/campaigns/{c}/edit"),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let list = app.get_page("/campaigns?kind=essay", &cookie).await;
    assert!(list.body.contains("科技工作者征文（第二届）"));
    let list = app.get_page("/campaigns?kind=lecture", &cookie).await;
    assert!(!list.body.contains("科技工作者征文"));
    let list = app.get_page("/campaigns?year=2023", &cookie).await;
    assert!(!list.body.contains("科技工作者征文"), "not in 2023");
    let list = app.get_page("/campaigns?open=1", &cookie).await;
    assert!(list.body.contains("科技工作者征文"), "open today");
    assert!(list
        .body
        .contains("id=\"f-open\" name=\"open\" type=\"checkbox\" checked"));
    let list = app.get_page("/campaigns?open_on=2024-08-01", &cookie).await;
    assert!(!list.body.contains("科技工作者征文"), "ended by then");
}
