//! M3/M4 store checks against `&dyn Store`: the figures the SQL aggregates give equal the
//! domain's reference computation over every row, for any mix of states and dates, in the
//! whole tree and in a subtree; ledger sorts and filters agree with each other.

mod common;

use std::sync::Arc;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use domain::work::{FindingSource, NewFinding, RectFacts, RectStats, RectificationState, Severity};
use domain::{OrgKind, PartyOrgInput, Rules};
use proptest::prelude::*;
use store::work::{BulkFinding, LedgerSort, RectificationFilter, When};
use store::{Actor, BulkOrg, PageReq, Scope, Store};

fn org(name: &str, kind: OrgKind) -> PartyOrgInput {
    common::org_input(name, kind, 5)
}

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + Duration::days(n)
}

/// A store with a committee and three branches (the third under the second), and the
/// findings described by `rows`: (org index 1..=3, state, found, due, closed after).
async fn store_with(
    rows: &[(usize, usize, i64, i64, i64)],
) -> (Arc<dyn Store>, tempfile::TempDir, Vec<i64>) {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(common::open_store(dir.path(), "w.db", Rules::default()));
    let actor = Actor::system("test");
    store
        .bulk_load(
            &actor,
            vec![
                BulkOrg {
                    parent: None,
                    org: org("党委", OrgKind::Committee),
                },
                BulkOrg {
                    parent: Some(0),
                    org: org("甲", OrgKind::Branch),
                },
                BulkOrg {
                    parent: Some(0),
                    org: org("乙", OrgKind::GeneralBranch),
                },
                BulkOrg {
                    parent: Some(2),
                    org: org("丙", OrgKind::Branch),
                },
            ],
            vec![],
        )
        .await
        .unwrap();
    let orgs: Vec<i64> = store
        .all_orgs(&Scope::All)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect();
    let findings = rows
        .iter()
        .map(|(o, s, found, due, closed)| {
            let state = RectificationState::ALL[*s];
            BulkFinding {
                finding: NewFinding {
                    inspection_id: None,
                    source: FindingSource::Other,
                    party_org_id: orgs[*o],
                    description: "x".into(),
                    severity: Severity::Minor,
                    found_on: day(*found),
                    due_on: day(found + due),
                },
                state,
                verified_on: (state == RectificationState::Verified).then(|| day(found + closed)),
            }
        })
        .collect();
    let when = When {
        now: Utc.with_ymd_and_hms(2024, 6, 1, 2, 0, 0).unwrap(),
        today: day(150),
    };
    store
        .bulk_work(&actor, vec![], findings, when)
        .await
        .unwrap();
    (store, dir, orgs)
}

async fn reference(store: &Arc<dyn Store>, scope: &Scope, today: NaiveDate) -> RectStats {
    let rows = store
        .export_rectifications(scope, &RectificationFilter::default(), today)
        .await
        .unwrap();
    let facts: Vec<RectFacts> = rows
        .iter()
        .map(|(r, _)| RectFacts {
            state: r.state,
            found_on: r.found_on,
            due_on: r.due_on,
            verified_on: r.verified_at.map(|t| t.date_naive()),
        })
        .collect();
    RectStats::compute(&facts, today)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn sql_figures_equal_the_reference(rows in proptest::collection::vec((1usize..4, 0usize..4, 0i64..200, 0i64..60, 0i64..90), 0..40)) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async {
            let (store, _dir, orgs) = store_with(&rows).await;
            let today = day(150);
            let all = store.rectification_stats(&Scope::All, None, today).await.unwrap();
            assert_eq!(all, reference(&store, &Scope::All, today).await);
            let sub = Scope::Subtree { root: orgs[2], path: format!("/{}/{}/", orgs[0], orgs[2]) };
            let s = store.rectification_stats(&sub, None, today).await.unwrap();
            assert_eq!(s, reference(&store, &sub, today).await);
            assert_eq!(all.total as usize, rows.len());
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sort_lists_the_same_rows_and_totals() {
    let rows: Vec<(usize, usize, i64, i64, i64)> = (0..120)
        .map(|i| {
            (
                1 + i % 3,
                i % 4,
                (i as i64 * 7) % 140,
                (i as i64 * 13) % 40,
                (i as i64 * 5) % 50,
            )
        })
        .collect();
    let (store, _dir, _) = store_with(&rows).await;
    let today = day(150);
    let mut seen = Vec::new();
    for sort in [
        LedgerSort::Id,
        LedgerSort::DueOn,
        LedgerSort::DueOnDesc,
        LedgerSort::Org,
    ] {
        for overdue in [None, Some(true), Some(false)] {
            let f = RectificationFilter {
                sort: Some(sort),
                overdue,
                ..Default::default()
            };
            let mut ids = Vec::new();
            let mut page = 1;
            loop {
                let p = store
                    .list_rectifications(&Scope::All, &f, today, PageReq { page, per_page: 7 })
                    .await
                    .unwrap();
                if p.items.is_empty() {
                    break;
                }
                if let Some(want) = overdue {
                    assert!(p.items.iter().all(|r| r.overdue == want));
                }
                ids.extend(p.items.iter().map(|r| r.id));
                assert_eq!(p.total as usize, ids.len().max(p.total as usize));
                page += 1;
            }
            if sort == LedgerSort::DueOn {
                let dues: Vec<_> = store
                    .list_rectifications(
                        &Scope::All,
                        &f,
                        today,
                        PageReq {
                            page: 1,
                            per_page: 500,
                        },
                    )
                    .await
                    .unwrap()
                    .items
                    .iter()
                    .map(|r| r.due_on)
                    .collect();
                assert!(dues.windows(2).all(|w| w[0] <= w[1]));
            }
            let n = ids.len();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(
                ids.len(),
                n,
                "no row twice across pages ({sort:?}, {overdue:?})"
            );
            seen.push(((overdue), ids));
        }
    }
    for (o, ids) in &seen {
        let first = seen.iter().find(|(o2, _)| o2 == o).unwrap();
        assert_eq!(ids, &first.1, "every sort lists the same rows");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]
    /// The generic ledger reads agree with the rectification ledger's own rows: the counts
    /// by state, overdue and late; the queue of some states (soonest due first); a record
    /// outside the scope is not found.
    #[test]
    fn ledger_reads_agree_with_the_ledger_rows(rows in proptest::collection::vec((1usize..4, 0usize..4, 0i64..200, 0i64..60, 0i64..90), 0..30)) {
        use domain::ledger::RECTIFICATIONS;
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async {
            let (store, _dir, orgs) = store_with(&rows).await;
            let today = day(150);
            let sub = Scope::Subtree { root: orgs[2], path: format!("/{}/{}/", orgs[0], orgs[2]) };
            for scope in [Scope::All, sub.clone()] {
                let own = store
                    .export_rectifications(&scope, &RectificationFilter::default(), today)
                    .await
                    .unwrap();
                let counts = store.ledger_counts(&RECTIFICATIONS, &scope, today).await.unwrap();
                assert_eq!(counts.total as usize, own.len());
                assert_eq!(counts.overdue as usize, own.iter().filter(|(r, _)| r.overdue).count());
                assert_eq!(counts.late as usize, own.iter().filter(|(r, _)| r.late).count());
                for st in RectificationState::ALL {
                    let n = own.iter().filter(|(r, _)| r.state == *st).count();
                    assert_eq!(counts.of(st.as_str()) as usize, n, "{st}");
                }
                let states = ["open", "returned"];
                let queue = store
                    .ledger_queue(&RECTIFICATIONS, &scope, &states, today, PageReq { page: 1, per_page: 500 })
                    .await
                    .unwrap();
                let mut want: Vec<(NaiveDate, i64)> = own
                    .iter()
                    .filter(|(r, _)| states.contains(&r.state.as_str()))
                    .map(|(r, _)| (r.due_on, r.id))
                    .collect();
                want.sort();
                let got: Vec<(NaiveDate, i64)> = queue.items.iter().map(|r| (r.due_on, r.id)).collect();
                assert_eq!(got, want);
                assert_eq!(queue.total as usize, want.len());
                for r in &queue.items {
                    let (mine, _) = own.iter().find(|(x, _)| x.id == r.id).unwrap();
                    assert_eq!((r.overdue, r.late, r.party_org_id), (mine.overdue, mine.late, mine.party_org_id));
                }
            }
            // a record of org 甲 (outside 乙's subtree) is not found from there
            let all = store
                .export_rectifications(&Scope::All, &RectificationFilter::default(), today)
                .await
                .unwrap();
            if let Some((r, _)) = all.iter().find(|(r, _)| r.party_org_id == orgs[1]) {
                assert!(store.ledger_record(&RECTIFICATIONS, &sub, r.id, today).await.is_err());
                assert!(store.ledger_record(&RECTIFICATIONS, &Scope::All, r.id, today).await.is_ok());
            }
        });
    }
}
