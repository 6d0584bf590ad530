//! `WorkStore` for SQLite.

use async_trait::async_trait;

use super::SqliteStore;
use crate::work::WorkStore;

#[async_trait]
impl WorkStore for SqliteStore {}
