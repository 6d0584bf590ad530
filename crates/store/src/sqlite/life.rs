//! `LifeStore` for SQLite.

use async_trait::async_trait;

use super::SqliteStore;
use crate::life::LifeStore;

#[async_trait]
impl LifeStore for SqliteStore {}
