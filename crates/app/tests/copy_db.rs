//! `copy-db` (API.md "Server start"): the demo copied SQLite → the backend under test
//! (PostgreSQL when `DANGJIAN_TEST_DB` names one) → SQLite holds the same rows in every
//! table and gives the same figures; a target that holds data is refused.

use std::sync::{Arc, Mutex};

use domain::ledger::{ASSIGNMENTS, RECTIFICATIONS, SUBMISSIONS};
use domain::reports::{AppliesTo, SubmissionState};
use domain::Rules;
use store::reports::{ProjectFilter, SubmissionFilter};
use store::sql::copy::TABLES;
use store::{
    CampaignStore, ChannelStore, LedgerStore, LiaisonStore, PageReq, ReportStore, Scope, SqlStore,
    Store, WorkStore,
};
use testkit::Backend;

async fn figures(s: &SqlStore) -> serde_json::Value {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    serde_json::json!({
        "coverage": s.coverage_stats(&Scope::All, None).await.unwrap(),
        "rects": s.rectification_stats(&Scope::All, None, today).await.unwrap(),
        "assignments": s.ledger_counts(&ASSIGNMENTS, &Scope::All, today).await.unwrap(),
        "rectifications": s.ledger_counts(&RECTIFICATIONS, &Scope::All, today).await.unwrap(),
        "late": s.ledger_most_late(&RECTIFICATIONS, &Scope::All, today, 10).await.unwrap(),
        "submissions": s.ledger_counts(&SUBMISSIONS, &Scope::All, today).await.unwrap(),
        "report": s.report_stats(&Scope::All, 1, "2026-Q1", None, today).await.unwrap(),
        "audit": s.audit(None, None, 1_000_000).await.unwrap().len(),
        "campaigns": s.open_campaigns_progress(&Scope::All, today).await.unwrap(),
        "users": s.list_users().await.unwrap(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_every_row_and_figure_there_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let a = SqlStore::open_sqlite(&dir.path().join("a.db"), Rules::default()).unwrap();
    app::demo::load(&a).await.unwrap();
    demo_reports(&a).await;
    some_campaigns(&a).await;
    let b_dir = tempfile::tempdir().unwrap();
    let b = SqlStore::open(
        &Backend::from_env().fresh_db(b_dir.path()),
        Rules::default(),
    )
    .unwrap();
    let c = SqlStore::open_sqlite(&dir.path().join("c.db"), Rules::default()).unwrap();

    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let n = a
        .copy_into(&b, move |p| log.lock().unwrap().push(p))
        .await
        .unwrap();
    assert!(n > 1000, "the demo has more than {n} rows");
    // Progress named every table and ended at its total.
    let seen = seen.lock().unwrap().clone();
    for (t, _) in TABLES {
        let last = seen.iter().rfind(|p| p.table == *t).expect(t);
        assert_eq!(last.copied, last.total, "{t}");
    }
    assert_eq!(b.copy_into(&c, |_| {}).await.unwrap(), n);

    for (t, _) in TABLES {
        let rows = a.table_rows(t).await.unwrap();
        assert_eq!(
            rows,
            b.table_rows(t).await.unwrap(),
            "{t} in {}",
            b.describe()
        );
        assert_eq!(rows, c.table_rows(t).await.unwrap(), "{t} back in SQLite");
    }
    let fa = figures(&a).await;
    assert_eq!(fa, figures(&b).await);
    assert_eq!(fa, figures(&c).await);
    assert!(fa["rectifications"].to_string().len() > 20);

    // The copies are working databases: new ids follow the copied ones.
    let before = c.all_orgs(&Scope::All).await.unwrap();
    let max = before.iter().map(|o| o.id).max().unwrap();
    let p: domain::PartyOrgPatch = serde_json::from_value(
        serde_json::json!({"name": "新支部", "kind": "branch", "parent_id": before[0].id}),
    )
    .unwrap();
    for s in [&b, &c] {
        let o = s
            .create_org(&store::Actor::system("test"), &Scope::All, &p)
            .await
            .unwrap();
        assert_eq!(o.id, max + 1, "{}", s.describe());
    }

    // A target that holds data is refused, and keeps what it had.
    let err = a.copy_into(&c, |_| {}).await.unwrap_err();
    assert!(err.to_string().contains("holds data"), "{err}");
    assert_eq!(
        c.all_orgs(&Scope::All).await.unwrap().len(),
        before.len() + 1
    );
}

/// `seed` (the benchmarks' generator) fills the backend under test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_fills_the_backend_under_test() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqlStore::open(&Backend::from_env().fresh_db(dir.path()), Rules::default()).unwrap();
    app::seed_registry(&s, 300, 60).await.unwrap();
    app::seed_life::run(&s, 500).await.unwrap();
    app::seed_work::run(&s, 200, 200).await.unwrap();
    app::seed_liaison::run(&s, 300, 120).await.unwrap();
    let visits = s
        .list_visits(
            &Scope::All,
            &Default::default(),
            PageReq {
                page: 1,
                per_page: 1,
            },
        )
        .await
        .unwrap();
    assert_eq!(visits.total, 300);
    let channels = s
        .list_channels(
            &Scope::All,
            &Default::default(),
            chrono::Utc::now().date_naive(),
            PageReq {
                page: 1,
                per_page: 1,
            },
        )
        .await
        .unwrap();
    assert_eq!(channels.total, 120);
    let members = s.list_users().await.unwrap();
    assert_eq!(members.len(), 25, "the seed's committee members");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    assert_eq!(
        s.coverage_stats(&Scope::All, None).await.unwrap().societies,
        300
    );
    let a = s
        .ledger_counts(&ASSIGNMENTS, &Scope::All, today)
        .await
        .unwrap();
    let r = s
        .ledger_counts(&RECTIFICATIONS, &Scope::All, today)
        .await
        .unwrap();
    assert!(serde_json::to_string(&a).unwrap().len() > 10);
    assert!(serde_json::to_string(&r).unwrap().len() > 10);
}

/// Two campaigns open on `figures`' day with participants and records (the demo has none
/// yet), so that their tables are copied too.
async fn some_campaigns(s: &SqlStore) {
    use domain::campaigns::{CampaignKind, NewCampaign, NewParticipant, NewRecord};
    use store::campaigns::{BulkCampaign, BulkParticipant};
    let d = |s: &str| domain::validate::parse_date(s).unwrap();
    let orgs = s.all_orgs(&Scope::All).await.unwrap();
    let items = (0..2)
        .map(|k| BulkCampaign {
            campaign: NewCampaign {
                title: format!("社区报到{k}"),
                kind: CampaignKind::CommunityCheckIn,
                starts_on: d("2026-03-01"),
                ends_on: d("2026-12-31"),
                target: 20,
                description: Some("到社区报到、服务群众".into()),
            },
            participants: orgs
                .iter()
                .skip(k + 1)
                .step_by(3)
                .take(15)
                .enumerate()
                .map(|(i, o)| BulkParticipant {
                    participant: NewParticipant {
                        party_org_id: o.id,
                        joined_on: d("2026-03-05"),
                        place: Some(format!("第{i}社区")),
                    },
                    records: (0..i % 3)
                        .map(|_| NewRecord {
                            party_org_id: o.id,
                            held_on: d("2026-04-01"),
                            title: "志愿服务".into(),
                            participants: Some(8),
                            notes: None,
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    s.seed_campaigns(&store::Actor::system("test"), items)
        .await
        .unwrap();
}

const ALL: PageReq = PageReq {
    page: 1,
    per_page: 500,
};

/// Every stored submission's state, and how many expected ones are not started or late.
async fn submission_states(
    s: &SqlStore,
    form_id: i64,
    today: chrono::NaiveDate,
) -> Vec<(SubmissionState, bool)> {
    let f = SubmissionFilter {
        form_id: Some(form_id),
        ..Default::default()
    };
    let mut out = Vec::new();
    for page in 1.. {
        let got = s
            .list_submissions(
                &Scope::All,
                &f,
                today,
                PageReq {
                    page,
                    per_page: 500,
                },
            )
            .await
            .unwrap();
        out.extend(got.items.iter().map(|s| (s.state, s.late)));
        if got.items.is_empty() || out.len() as i64 >= got.total {
            break;
        }
    }
    out
}

fn every_state(states: &[(SubmissionState, bool)], what: &str) {
    for st in [
        SubmissionState::NotStarted,
        SubmissionState::Draft,
        SubmissionState::Submitted,
        SubmissionState::Accepted,
        SubmissionState::Returned,
    ] {
        assert!(states.iter().any(|(s, _)| *s == st), "{what}: no {st}");
    }
    // Late ones, first submitted after the due day as well as never.
    assert!(
        states
            .iter()
            .any(|(s, late)| *late && *s != SubmissionState::NotStarted),
        "{what}: none submitted late"
    );
    assert!(states
        .iter()
        .any(|(s, late)| !*late && *s == SubmissionState::Accepted));
}

/// The demo's M5: the “双高” programme's projects, its quarterly report and the branches'
/// monthly statistics, with submissions in every state.
async fn demo_reports(s: &SqlStore) {
    let today = local_today();
    let forms = s
        .list_forms(PageReq {
            page: 1,
            per_page: 50,
        })
        .await
        .unwrap()
        .items;
    let project = forms
        .iter()
        .find(|f| f.applies_to == AppliesTo::FundedProjects)
        .expect("the project form");
    assert_eq!(project.programme.as_deref(), Some("double_high"));
    assert_eq!(project.title, "“双高”项目季报");
    assert_eq!(project.due_days, 10);
    assert_eq!(project.fields.len(), 5);
    let monthly = forms
        .iter()
        .find(|f| f.title == "党建工作统计月报")
        .expect("the monthly statistics");
    assert!(monthly.org_kinds.as_ref().is_some_and(|k| !k.is_empty()));

    let projects = s
        .list_projects(
            &Scope::All,
            &ProjectFilter {
                programme: Some("double_high".into()),
                ..Default::default()
            },
            ALL,
        )
        .await
        .unwrap()
        .items;
    assert!((10..=14).contains(&projects.len()), "{}", projects.len());
    let years: std::collections::BTreeSet<i32> = projects.iter().map(|p| p.year).collect();
    assert_eq!(years.len(), 2, "{years:?}");
    for p in &projects {
        assert!((50_000.0..=500_000.0).contains(&p.budget), "{}", p.budget);
        assert!((2..=4).contains(&p.indicators.len()));
        assert!(
            (0.19..=0.96).contains(&p.execution_rate),
            "{}: {}",
            p.title,
            p.execution_rate
        );
    }
    let rates: Vec<f64> = projects.iter().map(|p| p.execution_rate).collect();
    assert!(rates.iter().any(|r| *r < 0.3) && rates.iter().any(|r| *r > 0.85));

    let p_states = submission_states(s, project.id, today).await;
    assert!(p_states.len() >= 40, "{}", p_states.len());
    let m_states = submission_states(s, monthly.id, today).await;
    assert!(m_states.len() > 1000, "{}", m_states.len());
    every_state(&m_states, "monthly");
    let all: Vec<_> = p_states.iter().chain(&m_states).cloned().collect();
    every_state(&all, "both");
    // A returned one says why.
    let f = SubmissionFilter {
        form_id: Some(monthly.id),
        state: Some(SubmissionState::Returned),
        ..Default::default()
    };
    let returned = s
        .list_submissions(&Scope::All, &f, today, ALL)
        .await
        .unwrap()
        .items;
    assert!(returned.iter().all(|r| r.comment.is_some()));
}

/// `seed --report-forms 2 --funded-projects 5` writes forms, projects and submissions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_writes_report_forms_projects_and_submissions() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqlStore::open(&Backend::from_env().fresh_db(dir.path()), Rules::default()).unwrap();
    app::seed_registry(&s, 300, 60).await.unwrap();
    app::seed_reports::run(&s, 2, 5).await.unwrap();
    let today = local_today();
    let forms = s
        .list_forms(PageReq {
            page: 1,
            per_page: 50,
        })
        .await
        .unwrap()
        .items;
    assert_eq!(forms.len(), 2);
    assert!(forms
        .iter()
        .any(|f| f.programme.as_deref() == Some("double_high")));
    assert!(forms.iter().any(
        |f| f.applies_to == AppliesTo::PartyOrgs && f.period == domain::life::PeriodKind::Month
    ));
    let projects = s
        .list_projects(&Scope::All, &ProjectFilter::default(), ALL)
        .await
        .unwrap();
    assert_eq!(projects.total, 5);
    assert!(projects.items.iter().all(|p| p.spent > 0.0));
    for f in &forms {
        let states = submission_states(&s, f.id, today).await;
        assert!(states
            .iter()
            .any(|(s, _)| *s != SubmissionState::NotStarted));
        if f.applies_to == AppliesTo::PartyOrgs {
            every_state(&states, &f.title);
            let missing = states
                .iter()
                .filter(|(s, _)| *s == SubmissionState::NotStarted)
                .count();
            let share = missing as f64 / states.len() as f64;
            assert!(
                (0.05..0.2).contains(&share),
                "{missing} of {}",
                states.len()
            );
        }
        assert!(f.submissions > 0);
    }
    // The ledger sees them, with their events.
    let counts = s
        .ledger_counts(&SUBMISSIONS, &Scope::All, today)
        .await
        .unwrap();
    assert!(serde_json::to_string(&counts).unwrap().len() > 10);
}

fn local_today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive()
}
