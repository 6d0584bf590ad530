//! `seed --activities N`: synthetic activity records for benchmarks.

use anyhow::Result;
use store::SqliteStore;

pub async fn run(_store: &SqliteStore, n: usize) -> Result<()> {
    if n > 0 {
        anyhow::bail!("seeding activities is not built yet");
    }
    Ok(())
}
