//! M2 organizational life: activities and their attachments, obligation rules, and the
//! facts compliance is computed from.

use async_trait::async_trait;

#[allow(unused_imports)]
use crate::{Actor, Result, Scope};

#[async_trait]
pub trait LifeStore: Send + Sync {}
