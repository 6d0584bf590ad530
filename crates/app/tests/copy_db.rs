//! `copy-db` (API.md "Server start"): the demo copied SQLite → the backend under test
//! (PostgreSQL when `DANGJIAN_TEST_DB` names one) → SQLite holds the same rows in every
//! table and gives the same figures; a target that holds data is refused.

use std::sync::{Arc, Mutex};

use domain::ledger::{ASSIGNMENTS, RECTIFICATIONS};
use domain::Rules;
use store::sql::copy::TABLES;
use store::{LedgerStore, Scope, SqlStore, Store, WorkStore};
use testkit::Backend;

async fn figures(s: &SqlStore) -> serde_json::Value {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    serde_json::json!({
        "coverage": s.coverage_stats(&Scope::All, None).await.unwrap(),
        "rects": s.rectification_stats(&Scope::All, None, today).await.unwrap(),
        "assignments": s.ledger_counts(&ASSIGNMENTS, &Scope::All, today).await.unwrap(),
        "rectifications": s.ledger_counts(&RECTIFICATIONS, &Scope::All, today).await.unwrap(),
        "late": s.ledger_most_late(&RECTIFICATIONS, &Scope::All, today, 10).await.unwrap(),
        "audit": s.audit(None, None, 1_000_000).await.unwrap().len(),
        "users": s.list_users().await.unwrap(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_every_row_and_figure_there_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let a = SqlStore::open_sqlite(&dir.path().join("a.db"), Rules::default()).unwrap();
    app::demo::load(&a).await.unwrap();
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
