//! The figures the dashboard and the big screen read, on the backend `DANGJIAN_TEST_DB`
//! names (SQLite by default; `.ci/run` runs PostgreSQL too): the grades of the live orgs now
//! and at the end of a year (from a hand-made grade history), and the training summary
//! against the figures `training_hours` derives row by row.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use domain::training::{CourseKind, NewCourse, NewOfficeHolder, Position};
use domain::{Grade, OrgKind, Rules};
use store::training::BulkTraining;
use store::{Actor, BulkOrg, GradeCounts, Scope, Store};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Runs `sql` on the test database directly (rows no store method writes, such as grade
/// history of past years); on PostgreSQL it also moves the change counter, as every write
/// transaction of the store does, so that no reader keeps a stale memo.
fn raw_sql(db: &str, sql: &str) {
    let (db, sql) = (db.to_string(), sql.to_string());
    std::thread::spawn(move || {
        if db.starts_with("postgres") {
            let mut c = postgres::Client::connect(&db, postgres::NoTls).unwrap();
            c.batch_execute(&format!("{sql}; UPDATE dangjian_changes SET n = n + 1"))
                .unwrap();
        } else {
            let c = rusqlite::Connection::open(&db).unwrap();
            c.execute_batch(&sql).unwrap();
        }
    })
    .join()
    .unwrap();
}

/// A committee (0) over two branches' parents (1, 2), each with two branches (3–6); the
/// orgs' ids by index, and the store's database.
async fn tree(grades: [Option<Grade>; 7]) -> (Arc<dyn Store>, tempfile::TempDir, String, Vec<i64>) {
    let dir = tempfile::tempdir().unwrap();
    let db = common::fresh_db(dir.path(), "figures.db");
    let store: Arc<dyn Store> = Arc::new(store::SqlStore::open(&db, Rules::default()).unwrap());
    let parents = [None, Some(0), Some(0), Some(1), Some(1), Some(2), Some(2)];
    let orgs = parents
        .iter()
        .zip(grades)
        .enumerate()
        .map(|(i, (p, grade))| {
            let mut org = common::org_input(
                &format!("党组织{i}"),
                match i {
                    0 => OrgKind::Committee,
                    1 | 2 => OrgKind::GeneralBranch,
                    _ => OrgKind::Branch,
                },
                5,
            );
            org.grade = grade;
            BulkOrg { parent: *p, org }
        })
        .collect();
    store
        .bulk_load(&Actor::system("test"), orgs, vec![])
        .await
        .unwrap();
    let by_name: HashMap<String, i64> = store
        .all_orgs(&Scope::All)
        .await
        .unwrap()
        .into_iter()
        .map(|o| (o.name, o.id))
        .collect();
    let ids = (0..7).map(|i| by_name[&format!("党组织{i}")]).collect();
    (store, dir, db, ids)
}

fn subtree(ids: &[i64], chain: &[usize]) -> Scope {
    let path: String = chain.iter().map(|i| format!("/{}", ids[*i])).collect();
    Scope::Subtree {
        root: ids[*chain.last().unwrap()],
        path: format!("{path}/"),
    }
}

fn counts(a: i64, b: i64, c: i64, ungraded: i64) -> GradeCounts {
    GradeCounts { a, b, c, ungraded }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grades_now_and_at_the_end_of_last_year() {
    use Grade::*;
    let (store, _dir, db, o) =
        tree([None, Some(A), Some(B), Some(A), Some(C), Some(B), None]).await;
    // Now: the orgs' own grades.
    assert_eq!(
        store.grade_counts(&Scope::All, None).await.unwrap(),
        counts(2, 2, 1, 2)
    );
    let left = subtree(&o, &[0, 1]);
    assert_eq!(
        store.grade_counts(&left, None).await.unwrap(),
        counts(2, 0, 1, 0)
    );
    // The end of 2023 in Beijing is 2023-12-31T16:00Z. By then: 1 was B (then A, later
    // changed again on the same instant: the later row wins), 2 was C, 3 was B and its A came
    // 30 minutes into 2024 (local), 4 was graded only in 2024, 5's grade was taken away
    // (a row without a grade), 6 never had one. Org 0's rows are all after the end.
    let at = |o: i64, g: &str, t: &str| {
        let g = if g.is_empty() {
            "NULL".to_string()
        } else {
            format!("'{g}'")
        };
        format!("INSERT INTO grade_history (party_org_id, grade, changed_at, changed_by) VALUES ({o}, {g}, '{t}', 'test')")
    };
    let rows = [
        at(o[1], "B", "2022-03-01T02:00:00.000Z"),
        at(o[1], "C", "2023-05-01T02:00:00.000Z"),
        at(o[1], "B", "2023-05-01T02:00:00.000Z"),
        at(o[2], "C", "2023-12-31T15:59:59.999Z"),
        at(o[3], "B", "2023-01-10T02:00:00.000Z"),
        at(o[3], "A", "2023-12-31T16:30:00.000Z"),
        at(o[4], "C", "2024-02-01T02:00:00.000Z"),
        at(o[5], "A", "2022-01-01T02:00:00.000Z"),
        at(o[5], "", "2023-09-01T02:00:00.000Z"),
        at(o[0], "A", "2024-01-01T00:00:00.000Z"),
    ];
    raw_sql(&db, &rows.join(";\n"));
    let end_2023 = chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
        - chrono::Duration::milliseconds(1);
    // the row ids decide between the two rows of one instant: 1's later insert (B)
    let then = store
        .grade_counts(&Scope::All, Some(end_2023))
        .await
        .unwrap();
    assert_eq!(then, counts(0, 2, 1, 4), "the end of 2023: {then:?}");
    assert_eq!(then.total(), 7);
    assert_eq!(
        store.grade_counts(&left, Some(end_2023)).await.unwrap(),
        counts(0, 2, 0, 1)
    );
    // a day later 3 is A (and the committee too)
    let jan2 = Utc.with_ymd_and_hms(2024, 1, 2, 0, 0, 0).unwrap();
    assert_eq!(
        store.grade_counts(&Scope::All, Some(jan2)).await.unwrap(),
        counts(2, 1, 1, 3)
    );
    // a deleted org counts neither now nor then
    store
        .delete_org(&Actor::system("test"), &Scope::All, o[6])
        .await
        .unwrap();
    assert_eq!(
        store.grade_counts(&Scope::All, None).await.unwrap(),
        counts(2, 2, 1, 1)
    );
    assert_eq!(
        store
            .grade_counts(&Scope::All, Some(end_2023))
            .await
            .unwrap(),
        counts(0, 2, 1, 3)
    );
}

/// A deterministic spread of office-holders over the tree — every position, in and out of
/// position during the years, some deleted — and courses of two years with attendance.
fn training(ids: &[i64]) -> BulkTraining {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let positions = [
        Position::Secretary,
        Position::DeputySecretary,
        Position::CommitteeMember,
        Position::PartyWorker,
    ];
    let mut b = BulkTraining::default();
    for i in 0..80 {
        let since = day("2022-06-01") + chrono::Duration::days(next(900) as i64);
        let until = (next(3) == 0).then(|| since + chrono::Duration::days(next(500) as i64));
        b.office_holders.push(NewOfficeHolder {
            name: format!("干部{i}"),
            party_org_id: ids[next(ids.len() as u64) as usize],
            position: positions[next(4) as usize],
            since,
            until,
        });
    }
    for k in 0..8 {
        let starts = day("2023-01-15") + chrono::Duration::days(k * 90);
        b.courses.push(NewCourse {
            title: format!("课程{k}"),
            kind: CourseKind::Class,
            organizer: None,
            starts_on: starts,
            ends_on: starts + chrono::Duration::days(3),
            hours_tenths: 80 + 40 * (k % 5),
        });
    }
    for h in 0..80 {
        for c in 0..8 {
            if next(3) != 0 {
                let full = b.courses[c].hours_tenths;
                b.attendance
                    .push((h, c, (20 + 10 * next(25) as i64).min(full)));
            }
        }
    }
    b
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_training_summary_is_the_hours_ledgers() {
    let (store, _dir, _db, o) = tree([None; 7]).await;
    let actor = Actor::system("test");
    let (holders, _) = store.bulk_training(&actor, training(&o)).await.unwrap();
    for h in holders.iter().step_by(9) {
        store
            .delete_office_holder(&actor, &Scope::All, *h)
            .await
            .unwrap();
    }
    let scopes = [Scope::All, subtree(&o, &[0, 1]), subtree(&o, &[0, 2, 5])];
    let mut seen_met = false;
    for year in [2022, 2023, 2024, 2025] {
        for scope in &scopes {
            let ledger = store.training_hours(scope, year, None).await.unwrap();
            let summary = store.training_summary(scope, year).await.unwrap();
            assert_eq!(summary, ledger.summary, "{year} {scope:?}");
            // and the ledger's own summary is its rows'
            let met = ledger.items.iter().filter(|i| i.met).count() as i64;
            assert_eq!(
                (summary.people, summary.met),
                (ledger.items.len() as i64, met)
            );
            seen_met |= met > 0 && met < summary.people;
        }
    }
    assert!(
        seen_met,
        "the data should hold people meeting and short of the requirement"
    );
    // a write changes both alike (the memo is dropped)
    let (more, _) = store
        .bulk_training(
            &actor,
            BulkTraining {
                office_holders: vec![NewOfficeHolder {
                    name: "新书记".into(),
                    party_org_id: o[3],
                    position: Position::Secretary,
                    since: day("2024-01-01"),
                    until: None,
                }],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(more.len(), 1);
    let ledger = store.training_hours(&Scope::All, 2024, None).await.unwrap();
    let summary = store.training_summary(&Scope::All, 2024).await.unwrap();
    assert_eq!(summary, ledger.summary);
}
