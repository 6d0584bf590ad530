//! `seed --activities N`: synthetic activity records for benchmarks, spread over the orgs
//! and over this year and the two before it.

use anyhow::Result;
use chrono::Datelike;
use store::{Actor, LifeStore, Scope, SqlStore, Store};

use crate::demo_life::{generate, Lcg};

pub async fn run(store: &SqlStore, n: usize) -> Result<()> {
    if n == 0 {
        return Ok(());
    }
    let t = std::time::Instant::now();
    let today = chrono::Utc::now().date_naive();
    let orgs: Vec<_> = store
        .all_orgs(&Scope::All)
        .await?
        .into_iter()
        .map(|o| (o.id, o.kind, o.full_members, None))
        .collect();
    let mut rng = Lcg(7);
    let years = [today.year() - 2, today.year() - 1, today.year()];
    let mut made = 0usize;
    // Rounds of records until `n`: each round is about one full record set per org.
    while made < n {
        let mut batch = generate(&orgs, &years, today, 90, &mut rng);
        if batch.is_empty() {
            anyhow::bail!("no party orgs to give activities to");
        }
        batch.truncate(n - made);
        for chunk in batch.chunks(50_000) {
            made += store
                .bulk_activities(&Actor::system("seed"), chunk.to_vec())
                .await?;
        }
    }
    println!(
        "seeded {made} activities in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
