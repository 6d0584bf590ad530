//! The big screen (`/screen`, M11): the leadership's roles open it (and find it in the
//! navigation), everyone else is refused; its figures are the dashboard's for the same
//! data; the grades are compared with the end of last year from a hand-made grade history;
//! the orgs most behind are ranked by the sum of their four counts, each shown. The clock
//! is pinned to 2024-06-15.

use axum::http::StatusCode;
use domain::Role;
use serde_json::json;
use testkit::*;

struct World {
    app: TestApp,
    root: i64,
    a: i64,
    b: i64,
    c: i64,
    admin: String,
}

/// Under the committee (1): 甲 (grade A), 乙 (B), 丙 (none), with societies covered by 甲,
/// by an instructor and by nobody; a task late for 甲 and 乙, a rectification late for 乙; a
/// monthly report 甲 submitted once (January) of the five due; one theme day of 甲 (March);
/// 张明 in 甲 short of his hours, 王芳 in 乙 meeting hers; a campaign 甲 joined.
async fn world() -> World {
    let app = TestApp::pages().await;
    let root = 1;
    let a = app
        .org_with("甲学会党支部", "branch", Some(root), json!({"grade": "A"}))
        .await;
    let b = app
        .org_with("乙学会党支部", "branch", Some(root), json!({"grade": "B"}))
        .await;
    let c = app.org("丙学会党支部", "branch", Some(root)).await;
    app.society("甲学会", Some(a), json!({"full_members": 5}))
        .await;
    app.society(
        "丁学会",
        None,
        json!({"instructor": "赵老师", "full_members": 1}),
    )
    .await;
    app.society("戊学会", None, json!({"full_members": 4}))
        .await;
    let t = &app.admin;
    app.post(
        "/api/v1/tasks",
        t,
        json!({"title": "学习", "issued_on": day(-10), "due_on": day(-1), "party_org_ids": [a, b]}),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/findings",
        t,
        json!({"source": "self_check", "party_org_id": b, "description": "台账不全",
               "severity": "minor", "found_on": day(-5), "due_on": day(-2)}),
    )
    .await
    .expect(201);
    let form = app
        .post(
            "/api/v1/report-forms",
            t,
            json!({"title": "党建工作月报", "period": "month", "due_days": 5,
                   "applies_to": "party_orgs", "org_kinds": ["branch"], "active_from": "2024-01-01",
                   "fields": [{"key": "n", "label": "活动次数", "type": "integer", "min": 0}]}),
        )
        .await
        .expect(201)
        .id();
    let sub = app
        .post(
            "/api/v1/report-submissions",
            t,
            json!({"form_id": form, "period": "2024-01", "party_org_id": a, "values": {"n": 2}}),
        )
        .await
        .expect(201)
        .id();
    app.post(
        &format!("/api/v1/report-submissions/{sub}/submit"),
        t,
        json!({}),
    )
    .await
    .expect(200);
    app.post(
        "/api/v1/activities",
        t,
        json!({"party_org_id": a, "kind": "theme_day", "held_on": "2024-03-12", "topic": "主题党日",
               "first_agenda": true, "attendees_expected": 10, "attendees_present": 9}),
    )
    .await
    .expect(201);
    let mut holders = Vec::new();
    for (org, name, position, since) in [
        (a, "张明", "secretary", "2020-01-01"),
        (b, "王芳", "party_worker", "2024-03-01"),
    ] {
        holders.push(
            app.post(
                "/api/v1/office-holders",
                t,
                json!({"name": name, "party_org_id": org, "position": position, "since": since}),
            )
            .await
            .expect(201)
            .id(),
        );
    }
    let course = app
        .post(
            "/api/v1/courses",
            t,
            json!({"title": "党支部书记培训班", "kind": "class", "starts_on": "2024-05-20",
                   "ends_on": "2024-05-24", "hours": 28.0}),
        )
        .await
        .expect(201)
        .id();
    for h in holders {
        app.post(
            &format!("/api/v1/courses/{course}/attendance"),
            t,
            json!({"office_holder_id": h}),
        )
        .await
        .expect(201);
    }
    let campaign = app
        .post(
            "/api/v1/campaigns",
            t,
            json!({"title": "社区报到·治理增效", "kind": "community_check_in", "starts_on": day(-30),
                   "ends_on": day(30), "target": 10}),
        )
        .await
        .expect(201)
        .id();
    app.post(
        &format!("/api/v1/campaigns/{campaign}/participants"),
        t,
        json!({"party_org_id": a, "joined_on": day(-10), "place": "东城社区"}),
    )
    .await
    .expect(201);
    let (admin, _) = app.page_login("admin").await;
    World {
        app,
        root,
        a,
        b,
        c,
        admin,
    }
}

/// The text of the first `class="num"` inside the element with `id`.
fn num_in(body: &str, id: &str) -> String {
    let at = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("#{id} not on the page"));
    let rest = &body[at..];
    let start = rest.find("class=\"num\">").expect("a number") + "class=\"num\">".len();
    rest[start..][..rest[start..].find('<').unwrap()].to_string()
}

/// The text directly inside the element with `id` (up to its first tag).
fn text_of(body: &str, id: &str) -> String {
    let at = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("#{id} not on the page"));
    let rest = &body[at..];
    let start = rest.find('>').unwrap() + 1;
    rest[start..][..rest[start..].find('<').unwrap()]
        .trim()
        .to_string()
}

/// The inline SVG chart whose title has `id` (`cov-t`): drawn by the shared charts.
fn chart(body: &str, title_id: &str) -> String {
    let at = body
        .find(&format!("aria-labelledby=\"{title_id} "))
        .unwrap_or_else(|| panic!("chart {title_id} not on the page"));
    let start = body[..at].rfind("<svg").unwrap();
    let end = at + body[at..].find("</svg>").unwrap() + "</svg>".len();
    body[start..end].to_string()
}

/// The cells (`<td>` texts) of the table row with `id`.
fn row_cells(body: &str, id: &str) -> Vec<String> {
    let at = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("#{id} not on the page"));
    let row = &body[at..at + body[at..].find("</tr>").unwrap()];
    row.split("<td")
        .skip(1)
        .map(|c| {
            let c = &c[c.find('>').unwrap() + 1..];
            c[..c.find('<').unwrap_or(c.len())].trim().to_string()
        })
        .collect()
}

#[tokio::test]
async fn the_leadership_opens_the_screen_and_the_others_are_refused() {
    let w = world().await;
    let app = &w.app;
    let committee = app.page_session(Role::Committee, None).await.0;
    let viewer = app.page_session(Role::Viewer, None).await.0;
    let inspector = app.page_session(Role::Inspector, None).await.0;
    let branch = app.page_session(Role::Branch, Some(w.a)).await.0;
    for (who, cookie) in [
        ("admin", &w.admin),
        ("committee", &committee),
        ("viewer", &viewer),
    ] {
        let res = app.get_page("/screen", cookie).await;
        assert_eq!(res.status, StatusCode::OK, "{who}");
        let body = &res.body;
        assert!(body.contains("<h1>科技社团党建工作大屏</h1>"), "{who}");
        // a page of its own: its stylesheet, no navigation, no script, reloading itself
        assert!(body.contains("/assets/screen.css?v="));
        assert!(!body.contains("/assets/app.css") && !body.contains("<script"));
        assert!(!body.contains("id=\"sidenav\""));
        assert!(body.contains("<meta http-equiv=\"refresh\" content=\"300\">"));
        // the time of the figures: the pinned clock in Beijing
        assert_eq!(
            text_of(body, "screen-as-of"),
            "数据时间：2024年6月15日 10:00"
        );
        // and the navigation of the other pages leads there
        let home = app.get_page("/", cookie).await;
        assert!(home.body.contains("href=\"/screen\""), "{who}'s navigation");
    }
    for (who, cookie) in [("inspector", &inspector), ("branch", &branch)] {
        let res = app.get_page("/screen", cookie).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{who}");
        assert!(!res.body.contains("科技社团党建工作大屏"));
        let home = app.get_page("/", cookie).await;
        assert!(
            !home.body.contains("href=\"/screen\""),
            "{who}'s navigation"
        );
    }
    // not signed in: the login page, coming back here
    let res = app.get_page("/screen", "").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/login?next=%2Fscreen");
    // the stylesheet is the app's own, long cached
    let css = app.get_page("/assets/screen.css", "").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains("grid-template-areas"));
    // in English too
    let en = app
        .get_page("/screen", &format!("{}; lang=en", w.admin))
        .await;
    assert!(en.body.contains("The ten orgs most behind"));
}

#[tokio::test]
async fn the_screen_shows_the_dashboards_figures() {
    let w = world().await;
    let app = &w.app;
    let home = app.get_page("/", &w.admin).await.body;
    let screen = app.get_page("/screen", &w.admin).await.body;
    // coverage: the same donut, and its parts
    assert_eq!(chart(&screen, "cov-t"), chart(&home, "cov-t"));
    assert_eq!(num_in(&home, "kpi-coverage"), "66.7");
    assert!(chart(&screen, "cov-t").contains(">66.7%</text>"));
    assert_eq!(num_in(&screen, "screen-covered"), "2");
    assert_eq!(text_of(&screen, "screen-org-covered"), "1");
    assert_eq!(text_of(&screen, "screen-instructor"), "1");
    assert_eq!(
        text_of(&screen, "screen-should-establish"),
        num_in(&home, "kpi-should-establish")
    );
    // compliance: the to-do's rate and misses of the year
    assert_eq!(
        format!("{}%", text_of(&screen, "screen-comp-rate")),
        num_in(&home, "kpi-life-rate")
    );
    assert_eq!(
        text_of(&screen, "screen-comp-missed"),
        num_in(&home, "kpi-life-missed")
    );
    // rectifications: the same donut; tasks: the ledger's counts
    assert_eq!(chart(&screen, "rect-t"), chart(&home, "rect-t"));
    assert_eq!(text_of(&screen, "screen-tasks-total"), "2");
    assert_eq!(
        text_of(&screen, "screen-tasks-late"),
        num_in(&home, "kpi-assignment-late")
    );
    // training: one of the two meets the requirement
    assert_eq!(text_of(&home, "dash-training-rate"), "50.0%");
    assert_eq!(text_of(&screen, "screen-training-rate"), "50.0%");
    // campaigns: 1 of the target 10
    assert!(home.contains("<strong>10.0%</strong>"));
    assert!(screen.contains("<b class=\"pct\">10.0%</b>"));
    // reports: the form's latest closed period (May): nobody submitted
    assert!(home.contains("2024年5月"));
    let forms = &screen[screen.find("id=\"screen-reports\"").unwrap()..];
    assert!(forms.contains("党建工作月报") && forms.contains("2024年5月"));
    assert!(forms.contains("<b>0%</b>"));
}

#[tokio::test]
async fn the_grades_are_compared_with_the_end_of_last_year() {
    let w = world().await;
    let app = &w.app;
    // The end of 2023 in Beijing is 2023-12-31T16:00Z. Then 甲 was B (A since March), 乙 was C
    // (its B came 30 minutes into 2024), 丙 had lost its A in November, the committee had
    // none. The rows the API wrote when the orgs were created are of today (later).
    let at = |o: i64, g: &str, t: &str| {
        format!("INSERT INTO grade_history (party_org_id, grade, changed_at, changed_by) VALUES ({o}, {g}, '{t}', 'test')")
    };
    app.exec_sql(
        &[
            at(w.a, "'C'", "2022-12-01T02:00:00.000Z"),
            at(w.a, "'B'", "2023-06-01T02:00:00.000Z"),
            at(w.a, "'A'", "2024-03-01T02:00:00.000Z"),
            at(w.b, "'C'", "2023-12-31T15:00:00.000Z"),
            at(w.b, "'B'", "2023-12-31T16:30:00.000Z"),
            at(w.c, "'A'", "2023-02-01T02:00:00.000Z"),
            at(w.c, "NULL", "2023-11-20T02:00:00.000Z"),
        ]
        .join(";\n"),
    )
    .await;
    let body = app.get_page("/screen", &w.admin).await.body;
    assert!(body.contains("2023年末"));
    // now, at the end of 2023, the change
    assert_eq!(row_cells(&body, "screen-grade-A"), ["1", "0", "+1"]);
    assert_eq!(row_cells(&body, "screen-grade-B"), ["1", "1", "0"]);
    assert_eq!(row_cells(&body, "screen-grade-C"), ["0", "1", "-1"]);
    assert_eq!(row_cells(&body, "screen-grade-none"), ["2", "2", "0"]);
    assert!(
        body.contains("class=\"n change up\">+1<") && body.contains("class=\"n change down\">-1<")
    );
    // the donut counts the graded orgs now
    assert!(chart(&body, "screen-grades-t").contains(">2</text>"));
}

#[tokio::test]
async fn the_orgs_most_behind_are_ranked_by_their_four_counts() {
    let w = world().await;
    let app = &w.app;
    // each org's own missed periods of 2024, as the compliance API reports them
    let missed = |org: i64| {
        let app = &w.app;
        async move {
            let c = app
                .get(
                    &format!("/api/v1/compliance?year=2024&party_org_id={org}"),
                    &app.admin,
                )
                .await
                .expect(200);
            c.json["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["party_org_id"] == json!(org) && i["status"] == "missed")
                .count() as i64
        }
    };
    let (ma, mb, mc, mroot) = (
        missed(w.a).await,
        missed(w.b).await,
        missed(w.c).await,
        missed(w.root).await,
    );
    assert!(
        ma > 0 && mb == ma + 1 && mc == mb,
        "甲's theme day counts: {ma} {mb} {mc}"
    );
    let body = app.get_page("/screen", &w.admin).await.body;
    let list = &body[body.find("id=\"screen-behind\"").unwrap()..];
    let list = &list[..list.find("</table>").unwrap()];
    let row = |org: i64| -> Vec<i64> {
        let at = list
            .find(&format!("data-org=\"{org}\""))
            .unwrap_or_else(|| panic!("org {org} not listed: {list}"));
        let r = &list[at..at + list[at..].find("</tr>").unwrap()];
        r.split("<td")
            .skip(3) // the tag's own text, the rank and the name
            .map(|c| {
                let c = &c[c.find('>').unwrap() + 1..];
                c[..c.find('<').unwrap()].trim().parse().unwrap()
            })
            .collect()
    };
    // missed periods, late tasks, late rectifications, missing reports (5 months due), sum
    assert_eq!(row(w.b), [mb, 1, 1, 5, mb + 7]);
    assert_eq!(row(w.c), [mc, 0, 0, 5, mc + 5]);
    assert_eq!(row(w.a), [ma, 1, 0, 4, ma + 5]);
    assert_eq!(row(w.root), [mroot, 0, 0, 0, mroot]);
    // most first
    let pos = |org: i64| list.find(&format!("data-org=\"{org}\"")).unwrap();
    assert!(pos(w.b) < pos(w.c) && pos(w.c) < pos(w.a) && pos(w.a) < pos(w.root));
    // the names are shown
    assert!(list.contains("乙学会党支部"));
}

#[tokio::test]
async fn with_this_year_s_assessment_open_its_grades_are_compared_with_the_current_ones() {
    let w = world().await;
    let app = &w.app;
    let scheme = app
        .post(
            "/api/v1/assessment-schemes",
            &app.admin,
            json!({"year": 2024, "title": "2024年度党支部工作考核",
                   "indicators": [{"id": 1, "name": "综合评价", "points": 100, "method": "manual"}]}),
        )
        .await
        .expect(201)
        .json;
    let (id, leaf) = (
        scheme["id"].as_i64().unwrap(),
        scheme["indicators"][0]["id"].as_i64().unwrap(),
    );
    for (org, score) in [(w.a, 95), (w.b, 80)] {
        app.put(
            &format!("/api/v1/assessments/{id}/scores"),
            &app.admin,
            json!({"party_org_id": org, "indicator_id": leaf, "score": score}),
        )
        .await
        .expect(200);
    }
    let body = app.get_page("/screen", &w.admin).await.body;
    assert!(body.contains("2024年度考核") && body.contains("当前等次"));
    // 甲 A, 乙 B, 丙 not scored yet (0: C) against the current A, B and two ungraded
    assert_eq!(row_cells(&body, "screen-grade-A"), ["1", "1", "0"]);
    assert_eq!(row_cells(&body, "screen-grade-B"), ["1", "1", "0"]);
    assert_eq!(row_cells(&body, "screen-grade-C"), ["1", "0", "+1"]);
    assert_eq!(row_cells(&body, "screen-grade-none"), ["0", "2", "-2"]);
}
