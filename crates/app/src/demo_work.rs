//! Demo data for M3/M4: the sample work plan, tasks, two inspections.

use anyhow::Result;
use store::SqliteStore;

pub async fn load(_store: &SqliteStore) -> Result<()> {
    Ok(())
}
