//! The demo's M6 schemes (on the backend of DANGJIAN_TEST_DB): last year's finalized with
//! the grades in the orgs' history, this year's open and mostly scored, both with a
//! spread of grades (most B, some A, a few C) and a few overrides with reasons.

use std::collections::HashMap;

use chrono::Datelike;
use domain::assessment::SchemeState;
use domain::Grade;
use store::assessment::{AssessmentFilter, AssessmentStore};
use store::{PageReq, Scope, SqlStore, Store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_last_years_grades_and_this_years_scores() {
    let dir = tempfile::tempdir().unwrap();
    let db = testkit::Backend::from_env().fresh_db(dir.path());
    let store = SqlStore::open(&db, domain::Rules::default()).unwrap();
    let t = std::time::Instant::now();
    app::demo::load(&store).await.unwrap();
    eprintln!("demo loaded in {:.1}s", t.elapsed().as_secs_f64());
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive();
    let schemes = store
        .list_schemes(PageReq {
            page: 1,
            per_page: 50,
        })
        .await
        .unwrap()
        .items;
    assert_eq!(schemes.len(), 2);
    let (this, last) = (&schemes[0], &schemes[1]);
    assert_eq!(last.year + 1, this.year);
    assert_eq!(this.title, format!("{}年度党支部工作考核", this.year));
    assert_eq!(this.state, SchemeState::Open);
    assert_eq!(last.state, SchemeState::Final);
    let sum: f64 = this
        .indicators
        .iter()
        .filter(|i| i.parent_id.is_none())
        .map(|i| i.points)
        .sum();
    assert_eq!(sum, 100.0);

    let f = AssessmentFilter::default();
    for s in [last, this] {
        let all = store::all_pages(|p| store.assessments(&Scope::All, s.id, &f, today, p))
            .await
            .unwrap();
        let mut by: HashMap<Grade, usize> = HashMap::new();
        for a in &all {
            *by.entry(a.grade).or_default() += 1;
        }
        let (a, b, c) = (by[&Grade::A], by[&Grade::B], by[&Grade::C]);
        let incomplete = all.iter().filter(|a| !a.complete).count();
        let over: Vec<_> = all.iter().filter(|a| a.grade_overridden).collect();
        eprintln!(
            "{}: {} orgs, A {a}, B {b}, C {c}, {incomplete} incomplete, {} overrides",
            s.title,
            all.len(),
            over.len()
        );
        assert!(b * 2 > all.len(), "most B: A {a}, B {b}, C {c}");
        assert!(a > c && c > 0, "some A, a few C: A {a}, B {b}, C {c}");
        assert!(a * 100 / all.len() <= 30, "A {a} of {}", all.len());
        assert!(c * 100 / all.len() <= 15, "C {c} of {}", all.len());
        assert!(
            !over.is_empty() && over.len() <= 6,
            "{} overrides",
            over.len()
        );
        for o in &over {
            assert_ne!(o.grade, o.suggested_grade, "{}", o.party_org_name);
            assert!(o.grade_reason.as_deref().is_some_and(|r| !r.is_empty()));
        }
        let commented = all
            .iter()
            .flat_map(|a| &a.scores)
            .filter(|x| x.comment.is_some())
            .count();
        assert!(commented > all.len() / 2, "{commented} comments");
        if s.state == SchemeState::Final {
            assert_eq!(incomplete, 0);
            // the grade is the org's current one and the newest entry of its history
            let one = &all[all.len() / 2];
            let h = store
                .grade_history(&Scope::All, one.party_org_id)
                .await
                .unwrap();
            assert_eq!(h[0].grade, Some(one.grade));
            assert_eq!(h[0].source, "assessment");
            assert_eq!(h[0].scheme_id, Some(s.id));
            assert_eq!(h[0].since.year(), this.year);
            assert_eq!(h[0].since.month(), 1);
            assert_eq!(h.len(), 1, "the history starts with the assessment");
            let org = store.get_org(&Scope::All, one.party_org_id).await.unwrap();
            assert_eq!(org.grade, Some(one.grade));
        } else {
            assert!(
                incomplete > 0 && incomplete * 5 < all.len(),
                "{incomplete} incomplete"
            );
        }
    }
}
