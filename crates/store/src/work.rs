//! M3/M4: work plans, tasks and assignments; inspections, findings and rectifications.

use async_trait::async_trait;

#[allow(unused_imports)]
use crate::{Actor, Result, Scope};

#[async_trait]
pub trait WorkStore: Send + Sync {}
