//! `seed --assignments N --rectifications M`: synthetic M3/M4 records for benchmarks.

use anyhow::Result;
use store::SqliteStore;

pub async fn run(_store: &SqliteStore, assignments: usize, rectifications: usize) -> Result<()> {
    if assignments > 0 || rectifications > 0 {
        anyhow::bail!("seeding assignments and rectifications is not built yet");
    }
    Ok(())
}
