//! M7 store checks against `&dyn Store`: the progress aggregate equals a count over every
//! seeded row, in the whole tree and in each subtree; the dashboard's open campaigns and the
//! assessment's year participation; a bad seed writes nothing; progress at the size of a
//! large committee (2,000 orgs, 5 campaigns, thousands of participants and records) stays
//! well under 10 ms a query without the memo.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use domain::campaigns::{CampaignKind, NewCampaign, NewParticipant, NewRecord};
use domain::{OrgKind, Rules};
use proptest::prelude::*;
use store::campaigns::{BulkCampaign, BulkParticipant, Progress};
use store::{Actor, BulkOrg, PageReq, Scope, Store, StoreError};

fn day(s: &str) -> NaiveDate {
    domain::validate::parse_date(s).unwrap()
}

fn new_campaign(title: &str, starts: &str, ends: &str, target: i64) -> NewCampaign {
    NewCampaign {
        title: title.into(),
        kind: CampaignKind::CommunityCheckIn,
        starts_on: day(starts),
        ends_on: day(ends),
        target,
        description: None,
    }
}

fn participant(org: i64, joined_on: NaiveDate, records: usize) -> BulkParticipant {
    BulkParticipant {
        participant: NewParticipant {
            party_org_id: org,
            joined_on,
            place: Some("社区".into()),
        },
        records: (0..records)
            .map(|_| NewRecord {
                party_org_id: org,
                held_on: joined_on,
                title: "服务".into(),
                participants: Some(3),
                notes: None,
            })
            .collect(),
    }
}

/// A store with the orgs `parents` describes (index of each org's parent; the first is the
/// root committee); the orgs' ids in that order with each one's ancestors (itself included).
async fn store_with(
    parents: &[Option<usize>],
) -> (
    Arc<dyn Store>,
    tempfile::TempDir,
    Vec<i64>,
    Vec<HashSet<i64>>,
) {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(common::open_store(dir.path(), "c.db", Rules::default()));
    let orgs = parents
        .iter()
        .enumerate()
        .map(|(i, p)| BulkOrg {
            parent: *p,
            org: common::org_input(
                &format!("党组织{i}"),
                if p.is_none() {
                    OrgKind::Committee
                } else {
                    OrgKind::Branch
                },
                5,
            ),
        })
        .collect();
    store
        .bulk_load(&Actor::system("test"), orgs, vec![])
        .await
        .unwrap();
    let all = store.all_orgs(&Scope::All).await.unwrap();
    let by_name: HashMap<String, i64> = all.iter().map(|o| (o.name.clone(), o.id)).collect();
    let ids: Vec<i64> = (0..parents.len())
        .map(|i| by_name[&format!("党组织{i}")])
        .collect();
    let ancestors = (0..parents.len())
        .map(|i| {
            let mut set = HashSet::new();
            let mut at = Some(i);
            while let Some(j) = at {
                set.insert(ids[j]);
                at = parents[j];
            }
            set
        })
        .collect();
    (store, dir, ids, ancestors)
}

/// The progress of `c` counted row by row, for the orgs `in_subtree` accepts.
fn reference(c: &BulkCampaign, in_subtree: impl Fn(i64) -> bool) -> Progress {
    let mut p = Progress {
        target: c.campaign.target,
        ..Progress::default()
    };
    for bp in &c.participants {
        if in_subtree(bp.participant.party_org_id) {
            p.participants += 1;
            p.active += i64::from(!bp.records.is_empty());
            p.records += bp.records.len() as i64;
        }
    }
    p.rate = domain::campaigns::rate(p.participants, p.target);
    p
}

/// root, A, A1 (under A), A2 (under A1), B.
const TREE: [Option<usize>; 5] = [None, Some(0), Some(1), Some(2), Some(0)];

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    /// Any participants (each org once) with any number of records: the figures of every
    /// subtree are the reference count.
    #[test]
    fn progress_is_the_count_of_every_subtree(
        picks in proptest::collection::vec(proptest::option::of(0usize..4), 5),
        target in 0i64..8,
    ) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async {
            let (store, _dir, ids, ancestors) = store_with(&TREE).await;
            let c = BulkCampaign {
                campaign: new_campaign("社区报到", "2024-03-01", "2024-06-30", target),
                participants: picks
                    .iter()
                    .enumerate()
                    .filter_map(|(i, n)| n.map(|n| participant(ids[i], day("2024-04-01"), n)))
                    .collect(),
            };
            let cid = store
                .seed_campaigns(&Actor::system("test"), vec![c.clone()])
                .await
                .unwrap()[0];
            let all = store.campaign_progress(&Scope::All, cid, None).await.unwrap();
            assert_eq!(all, reference(&c, |_| true));
            for (i, id) in ids.iter().enumerate() {
                let of = store.campaign_progress(&Scope::All, cid, Some(*id)).await.unwrap();
                let want = reference(&c, |o| {
                    let j = ids.iter().position(|x| *x == o).unwrap();
                    ancestors[j].contains(id)
                });
                assert_eq!(of, want, "subtree of org {i}");
            }
            let listed = store
                .list_participants(&Scope::All, cid, PageReq { page: 1, per_page: 50 })
                .await
                .unwrap();
            assert_eq!(listed.total, all.participants);
            assert_eq!(
                listed.items.iter().map(|p| p.records).sum::<i64>(),
                all.records
            );
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_campaigns_and_a_years_participation() {
    let (store, _dir, ids, ancestors) = store_with(&TREE).await;
    let (a, a1, b) = (ids[1], ids[2], ids[4]);
    let campaigns = vec![
        // 2023 into 2024, open on 2024-01-10
        BulkCampaign {
            campaign: new_campaign("冬季送温暖", "2023-12-01", "2024-01-31", 3),
            participants: vec![
                participant(a1, day("2023-12-05"), 2),
                participant(b, day("2024-01-05"), 0),
            ],
        },
        // 2024 only, open on 2024-01-10
        BulkCampaign {
            campaign: new_campaign("社区报到", "2024-01-01", "2024-12-31", 100),
            participants: vec![participant(a, day("2024-01-02"), 1)],
        },
        // 2024, not yet open on 2024-01-10, nobody yet
        BulkCampaign {
            campaign: new_campaign("征文", "2024-05-01", "2024-05-31", 0),
            participants: vec![],
        },
        // 2022
        BulkCampaign {
            campaign: new_campaign("宣讲", "2022-03-01", "2022-03-31", 5),
            participants: vec![participant(b, day("2022-03-02"), 1)],
        },
    ];
    let cids = store
        .seed_campaigns(&Actor::system("test"), campaigns)
        .await
        .unwrap();
    let open = store
        .open_campaigns_progress(&Scope::All, day("2024-01-10"))
        .await
        .unwrap();
    // soonest ending first
    let titles: Vec<&str> = open.iter().map(|o| o.campaign.title.as_str()).collect();
    assert_eq!(titles, ["冬季送温暖", "社区报到"]);
    assert_eq!(
        open[0].progress,
        Progress {
            target: 3,
            participants: 2,
            active: 1,
            records: 2,
            rate: 0.6667
        }
    );
    assert_eq!(open[1].progress.rate, 0.01);
    assert!(store
        .open_campaigns_progress(&Scope::All, day("2025-01-01"))
        .await
        .unwrap()
        .is_empty());
    // the year's participation, for the assessment's campaign_rate
    let y24 = store.campaign_participation(2024).await.unwrap();
    assert_eq!(y24.campaigns, cids[..3].to_vec());
    assert_eq!(
        y24.participants,
        vec![(cids[0], a1), (cids[0], b), (cids[1], a)]
    );
    let subtree = |i: usize| {
        let id = ids[i];
        let ancestors = &ancestors;
        let ids = &ids;
        move |o: i64| {
            let j = ids.iter().position(|x| *x == o).unwrap();
            ancestors[j].contains(&id)
        }
    };
    assert_eq!(y24.taken_part(subtree(0)), (2, 3));
    assert_eq!(y24.taken_part(subtree(1)), (2, 3)); // A's subtree: A1 in one, A in another
    assert_eq!(y24.taken_part(subtree(2)), (1, 3));
    assert_eq!(y24.taken_part(subtree(3)), (0, 3));
    assert_eq!(y24.taken_part(subtree(4)), (1, 3));
    let y23 = store.campaign_participation(2023).await.unwrap();
    assert_eq!(y23.campaigns, vec![cids[0]]);
    assert_eq!(y23.taken_part(subtree(4)), (1, 1));
    assert!(store
        .campaign_participation(2021)
        .await
        .unwrap()
        .campaigns
        .is_empty());
    let audit = store.audit(Some("bulk_campaigns"), None, 10).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].after.as_ref().unwrap()["campaign_records"], 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_seed_writes_nothing() {
    let (store, _dir, ids, _) = store_with(&TREE).await;
    let good = BulkCampaign {
        campaign: new_campaign("社区报到", "2024-01-01", "2024-12-31", 10),
        participants: vec![participant(ids[1], day("2024-02-01"), 2)],
    };
    for bad in [
        // an org that does not exist
        BulkCampaign {
            participants: vec![participant(999_999, day("2024-02-01"), 0)],
            ..good.clone()
        },
        // a day outside the campaign
        BulkCampaign {
            participants: vec![participant(ids[2], day("2025-02-01"), 1)],
            ..good.clone()
        },
        // the same org twice
        BulkCampaign {
            participants: vec![
                participant(ids[2], day("2024-02-01"), 0),
                participant(ids[2], day("2024-03-01"), 0),
            ],
            ..good.clone()
        },
    ] {
        let r = store
            .seed_campaigns(&Actor::system("test"), vec![good.clone(), bad])
            .await;
        assert!(r.is_err(), "{r:?}");
        assert!(!matches!(r, Err(StoreError::NotFound)));
    }
    let listed = store
        .list_campaigns(
            &Default::default(),
            PageReq {
                page: 1,
                per_page: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(listed.total, 0);
    assert!(store
        .audit(Some("bulk_campaigns"), None, 10)
        .await
        .unwrap()
        .is_empty());
}

/// A tiny deterministic generator (no dependency for test data).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_is_fast_at_the_size_of_a_large_committee() {
    // 2,000 orgs: the committee, 40 general branches, 49 branches under each but the last
    let mut parents = vec![None];
    for g in 0..40 {
        parents.push(Some(0));
        let gi = parents.len() - 1;
        for _ in 0..(if g < 39 { 49 } else { 48 }) {
            parents.push(Some(gi));
        }
    }
    assert_eq!(parents.len(), 1 + 40 + 39 * 49 + 48);
    let (store, _dir, ids, _) = store_with(&parents).await;
    let mut rng = Lcg(7);
    let mut campaigns = Vec::new();
    let mut participants_total = 0;
    for (k, share) in [(0, 60), (1, 40), (2, 25), (3, 70), (4, 10)] {
        let mut participants = Vec::new();
        for id in &ids[1..] {
            if rng.below(100) < share {
                let n = rng.below(4) as usize;
                participants.push(participant(*id, day("2024-03-10"), n));
            }
        }
        participants_total += participants.len();
        campaigns.push(BulkCampaign {
            campaign: new_campaign(&format!("专项行动{k}"), "2024-03-01", "2024-12-31", 500),
            participants,
        });
    }
    assert!(participants_total > 4000, "{participants_total}");
    let records: usize = campaigns
        .iter()
        .flat_map(|c| &c.participants)
        .map(|p| p.records.len())
        .sum();
    assert!(records > 5000, "{records}");
    let t = Instant::now();
    let cids = store
        .seed_campaigns(&Actor::system("seed"), campaigns.clone())
        .await
        .unwrap();
    eprintln!(
        "seeded {participants_total} participants and {records} records in {:?}",
        t.elapsed()
    );
    // every query a new memo key: what the database itself takes
    let mut times = Vec::new();
    for (n, cid) in cids.iter().enumerate() {
        let whole = store
            .campaign_progress(&Scope::All, *cid, None)
            .await
            .unwrap();
        assert_eq!(whole, reference(&campaigns[n], |_| true));
        for g in 0..12 {
            let org = ids[1 + g * 50]; // a general branch and its 49
            let t = Instant::now();
            let p = store
                .campaign_progress(&Scope::All, *cid, Some(org))
                .await
                .unwrap();
            times.push(t.elapsed());
            assert!(p.participants <= 50);
        }
        let t = Instant::now();
        store
            .campaign_progress(&Scope::All, *cid, Some(ids[0]))
            .await
            .unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    let p50 = times[times.len() / 2];
    eprintln!(
        "campaign_progress without the memo: p50 {p50:?}, max {:?}",
        times.last().unwrap()
    );
    assert!(p50 < Duration::from_millis(10), "p50 {p50:?}");
    // and with it
    let t = Instant::now();
    for _ in 0..20 {
        store
            .campaign_progress(&Scope::All, cids[0], None)
            .await
            .unwrap();
    }
    eprintln!("memoized: {:?} a query", t.elapsed() / 20);
    let open = store
        .open_campaigns_progress(&Scope::All, day("2024-06-01"))
        .await
        .unwrap();
    assert_eq!(open.len(), 5);
}
