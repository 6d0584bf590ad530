use axum::http::StatusCode;
use domain::Role;
use store::Scope;
use testkit::*;

#[tokio::test]
async fn recording_an_activity_from_the_page() {
    let (app, cookie, csrf) = TestApp::pages_as_admin().await;
    let org = app.state.store.all_orgs(&Scope::All).await.expect("orgs")[0]
        .id
        .to_string();
    let form = app.get_page("/activities/new", &cookie).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("id=\"kind-theme_day\"") && form.body.contains("type=\"file\""));
    let today = app.state.clock.today().to_string();
    let fields = [
        ("csrf", csrf.as_str()),
        ("party_org_id", org.as_str()),
        ("kind", "committee_session"),
        ("held_on", today.as_str()),
        ("topic", "党委会：研究年度工作"),
        ("attendees_expected", "7"),
        ("attendees_present", "8"),
        ("first_agenda", "on"),
    ];
    // Present > expected and a file that is not what it claims: errors, nothing saved.
    let bad = app
        .post_multipart(
            "/activities",
            &cookie,
            &fields,
            &[("minutes.pdf", b"not a pdf")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("field-error"), "{}", bad.body);
    assert!(
        bad.body.contains("党委会：研究年度工作"),
        "what was typed is kept"
    );
    let none = app
        .state
        .store
        .list_activities(
            &Scope::All,
            &Default::default(),
            store::PageReq {
                page: 1,
                per_page: 10,
            },
        )
        .await
        .expect("list");
    assert_eq!(none.total, 0);
    // Without the CSRF token: refused.
    let mut no_csrf = fields;
    no_csrf[0] = ("csrf", "");
    no_csrf[6] = ("attendees_present", "7");
    assert_eq!(
        app.post_multipart("/activities", &cookie, &no_csrf, &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut good = fields;
    good[6] = ("attendees_present", "7");
    let ok = app
        .post_multipart(
            "/activities",
            &cookie,
            &good,
            &[("会议记录.pdf", b"%PDF-1.4 minutes")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let shown = app.get_page(ok.location(), &cookie).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown.body.contains("会议记录.pdf"),
        "the attachment is listed"
    );
    // The calendar and the heat map show the quarter as met.
    let cal = app
        .get_page(&format!("/compliance/orgs/{org}"), &cookie)
        .await;
    assert_eq!(cal.status, StatusCode::OK);
    assert!(cal.body.contains("data-status=\"met\""), "{}", cal.body);
    let heat = app.get_page("/compliance", &cookie).await;
    assert_eq!(heat.status, StatusCode::OK);
    assert!(heat.body.contains("id=\"heatmap\""));
    let dash = app.get_page("/", &cookie).await;
    assert!(dash.body.contains("id=\"todo\""));
    let obligations = app.get_page("/obligations", &cookie).await;
    assert!(obligations.body.contains("name=\"min_count\""));
    let xlsx = app.get_page("/compliance/export.xlsx", &cookie).await;
    assert_eq!(xlsx.status, StatusCode::OK);
}

#[tokio::test]
async fn read_only_roles_see_but_do_not_record() {
    let app = TestApp::pages().await;
    let (cookie, _) = app.page_session(Role::Viewer, None).await;
    assert_eq!(
        app.get_page("/activities/new", &cookie).await.status,
        StatusCode::FORBIDDEN
    );
    let list = app.get_page("/activities", &cookie).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains("id=\"record-activity\""));
    let obligations = app.get_page("/obligations", &cookie).await;
    assert!(
        !obligations.body.contains("name=\"min_count\""),
        "rules are read-only for a viewer"
    );
}

/// A branch is offered only the activity kinds its obligations ask of an org of its kind;
/// the office sees every kind.
#[tokio::test]
async fn the_activity_form_offers_the_kinds_that_apply() {
    let app = TestApp::pages().await;
    let branch = app.org("甲学会党支部", "branch", Some(1)).await;
    let (cookie, _) = app.page_session(domain::Role::Branch, Some(branch)).await;
    let form = app.get_page("/activities/new", &cookie).await;
    assert_eq!(form.status, axum::http::StatusCode::OK);
    assert!(
        form.body.contains("value=\"member_meeting\""),
        "{}",
        form.body
    );
    assert!(!form.body.contains("value=\"center_group_study\""));
    // under seven full members: no branch committee, so no committee meeting is asked of it
    assert!(!form.body.contains("value=\"committee_meeting\""));
    let (admin, _) = app.page_login("admin").await;
    let form = app.get_page("/activities/new", &admin).await;
    assert!(form.body.contains("value=\"center_group_study\""));
}

/// A heat-map cell opens the records behind it: the org's activities of the period that
/// falls due that month (June 2024 ends the second quarter: April to June); the calendar's
/// cell those of its kind and period. The legend names every colour.
#[tokio::test]
async fn heat_map_cells_link_to_the_records_behind_them() {
    let (app, cookie, _) = TestApp::pages_as_admin().await;
    let org = app.org("热力图党支部", "branch", Some(1)).await;
    for (held_on, topic) in [
        ("2024-06-03", "六月主题党日"),
        ("2024-04-20", "四月主题党日"),
        ("2024-02-10", "二月主题党日"),
    ] {
        app.post(
            "/api/v1/activities",
            &app.admin,
            serde_json::json!({"party_org_id": org, "kind": "theme_day", "held_on": held_on, "topic": topic}),
        )
        .await
        .expect(201);
    }
    let page = app
        .get_page(&format!("/compliance?party_org_id={org}"), &cookie)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let body = page.body.replace("&#38;", "&");
    let june = format!("href=\"/activities?party_org_id={org}&from=2024-04-01&to=2024-06-30\"");
    assert!(body.contains(&june), "{body}");
    let may = format!("href=\"/activities?party_org_id={org}&from=2024-05-01&to=2024-05-31\"");
    assert!(
        body.contains(&may),
        "a month without a longer period: the month"
    );
    let legend = body
        .split("id=\"heat-legend\"")
        .nth(1)
        .and_then(|s| s.split("</ul>").next())
        .unwrap_or("");
    for colour in ["met", "missed", "due", "upcoming", "none"] {
        assert!(
            legend.contains(&format!("class=\"heat {colour}\"")),
            "{colour} explained: {legend}"
        );
    }
    // The link shows the records of that period only, and keeps it in the form.
    let records = app
        .get_page(
            &format!("/activities?party_org_id={org}&from=2024-04-01&to=2024-06-30"),
            &cookie,
        )
        .await;
    assert!(records.body.contains("六月主题党日") && records.body.contains("四月主题党日"));
    assert!(!records.body.contains("二月主题党日"), "{}", records.body);
    assert!(records.body.contains("value=\"2024-04-01\""));
    // The calendar: the themed day of February links to February's themed days.
    let cal = app
        .get_page(&format!("/compliance/orgs/{org}?year=2024"), &cookie)
        .await;
    let feb = format!(
        "href=\"/activities?party_org_id={org}&kind=theme_day&from=2024-02-01&to=2024-02-29\""
    );
    let cal = cal.body.replace("&#38;", "&");
    assert!(cal.contains(&feb), "{cal}");
}
