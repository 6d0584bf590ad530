//! The review ledger's generic reads, for every registered kind (`domain::ledger`): one
//! record's head, the queue of records waiting in some states, the event history, the
//! counts, and the evidence files. The instance-specific rows and writes (an assignment's
//! report, a rectification's submission) stay with their modules; everything that only
//! needs the state, the due day and the first answer is here, once.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::ledger::LedgerKind;
use serde::Serialize;

use crate::{Actor, PageReq, Paged, Result, Scope};

/// What every ledger record has.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LedgerRow {
    /// The kind's entity (`assignment`, `rectification`).
    pub kind: &'static str,
    pub id: i64,
    pub party_org_id: i64,
    /// The task's title, the finding's description.
    pub title: String,
    pub state: String,
    pub due_on: NaiveDate,
    pub overdue: bool,
    pub late: bool,
    /// The local day of the org's first answer (report, submission).
    pub first_answered_on: Option<NaiveDate>,
}

/// One event of a record's history: the org's answers and the decisions on them.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct LedgerEvent {
    /// The step's action (`report`, `accept`, `submit`, `verify`, `return`).
    pub action: String,
    /// The answer's text or the decision's comment.
    pub text: Option<String>,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// The progress a report gave (assignments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<i64>,
}

/// Counts of one kind in a scope.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct LedgerCounts {
    pub total: i64,
    /// Per state, in the kind's order of states.
    pub by_state: Vec<(&'static str, i64)>,
    pub overdue: i64,
    pub late: i64,
}

impl LedgerCounts {
    pub fn of(&self, state: &str) -> i64 {
        self.by_state
            .iter()
            .find(|(s, _)| *s == state)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    }
}

/// One month of a kind's trend: records first answered (reported, submitted) and records
/// closed (for the kinds that keep the closing day; `None` otherwise) in that month.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct LedgerMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub answered: i64,
    pub closed: Option<i64>,
}

/// An evidence file of a ledger record (the shared `attachments` table).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct LedgerAttachment {
    pub id: i64,
    /// The kind's entity (`assignment`, `rectification`).
    #[schema(value_type = String)]
    pub owner: &'static str,
    pub owner_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    #[serde(skip)]
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait LedgerStore: Send + Sync {
    /// The record in scope (`NotFound` otherwise, or for a kind the store does not keep).
    async fn ledger_record(
        &self,
        kind: &'static LedgerKind,
        scope: &Scope,
        id: i64,
        today: NaiveDate,
    ) -> Result<LedgerRow>;
    /// The records in scope in one of `states`, soonest due first.
    async fn ledger_queue(
        &self,
        kind: &'static LedgerKind,
        scope: &Scope,
        states: &[&'static str],
        today: NaiveDate,
        page: PageReq,
    ) -> Result<Paged<LedgerRow>>;
    async fn ledger_history(
        &self,
        kind: &'static LedgerKind,
        scope: &Scope,
        id: i64,
    ) -> Result<Vec<LedgerEvent>>;
    async fn ledger_counts(
        &self,
        kind: &'static LedgerKind,
        scope: &Scope,
        today: NaiveDate,
    ) -> Result<LedgerCounts>;
    /// How many records in scope are in one of `states` (the navigation's badges: one
    /// count by the state index, not the whole kind's counts).
    async fn ledger_count_in(
        &self,
        kind: &'static LedgerKind,
        scope: &Scope,
        states: &[&'static str],
    ) -> Result<i64>;
    /// The orgs in scope with the most late records of the kind, most first (then by
    /// tree order), at most `limit`: `(party_org_id, late)`.
    async fn ledger_most_late(
        &self,
        kind: &'static LedgerKind,
        scope: &Scope,
        today: NaiveDate,
        limit: usize,
    ) -> Result<Vec<(i64, i64)>>;
    /// Every org in scope with late records of the kind due on or after `due_from`, and how
    /// many (`late` as [`LedgerRow::late`] has it: the org's own lateness).
    async fn ledger_late_by_org(
        &self,
        kind: &'static LedgerKind,
        scope: &Scope,
        today: NaiveDate,
        due_from: NaiveDate,
    ) -> Result<std::collections::HashMap<i64, i64>>;
    /// The records in scope answered and closed per month, for the months from `from`'s
    /// to `today`'s, oldest first, every month listed (the dashboard's trend).
    async fn ledger_by_month(
        &self,
        kind: &'static LedgerKind,
        scope: &Scope,
        from: NaiveDate,
        today: NaiveDate,
    ) -> Result<Vec<LedgerMonth>>;

    /// Adds an evidence file to an open record in scope (a closed one → `Conflict`).
    async fn add_ledger_attachment(
        &self,
        actor: &Actor,
        scope: &Scope,
        kind: &'static LedgerKind,
        owner_id: i64,
        a: &crate::life::NewAttachment,
    ) -> Result<LedgerAttachment>;
    async fn list_ledger_attachments(
        &self,
        scope: &Scope,
        kind: &'static LedgerKind,
        owner_id: i64,
    ) -> Result<Vec<LedgerAttachment>>;
    async fn get_ledger_attachment(
        &self,
        scope: &Scope,
        kind: &'static LedgerKind,
        owner_id: i64,
        id: i64,
    ) -> Result<LedgerAttachment>;
}
