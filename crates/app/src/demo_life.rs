//! Demo data for M2: a year of activity records with some gaps.

use anyhow::Result;
use store::SqliteStore;

pub async fn load(_store: &SqliteStore) -> Result<()> {
    Ok(())
}
