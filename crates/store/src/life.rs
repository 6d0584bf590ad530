//! M2 organizational life: activities (their files are in `crate::attachments`), obligation
//! rules, compliance figures and the reminders prepared from them.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::life::{
    Activity, ActivityInput, ActivityKind, ComplianceItem, Digest, HeatMap, Obligation,
    ObligationInput, Summary,
};
use serde::Serialize;

use crate::{Actor, PageReq, Paged, Result, Scope, User};

domain::list_filter! {
    /// Filters of the activity records.
    pub struct ActivityFilter {
        /// records of exactly this org
        party_org_id: i64,
        /// of this kind
        kind: ActivityKind,
        /// held on or after
        from: NaiveDate,
        /// held on or before
        to: NaiveDate,
        /// extension: held in this year (sets from and to)
        year: i64,
        /// topic contains
        q: String,
    }
}

pub use crate::attachments::{Attachment, NewAttachment, StoredFile};

/// Compliance of every org in a subtree with every obligation, for one year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as=Compliance)]
pub struct ComplianceReport {
    pub items: Vec<ComplianceItem>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReminderReason {
    /// The period ends within the reminder window and is not met.
    Due,
    /// The period is over and was not met.
    Missed,
}

impl ReminderReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderReason::Due => "due",
            ReminderReason::Missed => "missed",
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reminder {
    pub id: i64,
    pub party_org_id: i64,
    pub obligation_id: i64,
    pub period: String,
    pub reason: ReminderReason,
    pub kind: ActivityKind,
    pub ends_on: NaiveDate,
    pub required: i64,
    pub done: i64,
    pub created_on: NaiveDate,
    pub emailed_at: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait LifeStore: Send + Sync {
    async fn list_activities(
        &self,
        scope: &Scope,
        f: &ActivityFilter,
        page: PageReq,
    ) -> Result<Paged<Activity>>;
    async fn get_activity(&self, scope: &Scope, id: i64) -> Result<Activity>;
    /// Every matching record in scope with its org's name, newest first (for exports).
    async fn export_activities(
        &self,
        scope: &Scope,
        f: &ActivityFilter,
    ) -> Result<Vec<(Activity, String)>>;
    /// The org must be live and in scope (`NotFound` otherwise).
    async fn create_activity(
        &self,
        actor: &Actor,
        scope: &Scope,
        a: &ActivityInput,
    ) -> Result<Activity>;
    async fn update_activity(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        a: &ActivityInput,
    ) -> Result<Activity>;
    async fn delete_activity(&self, actor: &Actor, scope: &Scope, id: i64) -> Result<()>;
    /// Synthetic or demo records in one transaction, with one audit row for the batch.
    async fn bulk_activities(&self, actor: &Actor, items: Vec<ActivityInput>) -> Result<usize>;

    async fn list_obligations(&self) -> Result<Vec<Obligation>>;
    async fn get_obligation(&self, id: i64) -> Result<Obligation>;
    async fn create_obligation(&self, actor: &Actor, o: &ObligationInput) -> Result<Obligation>;
    async fn update_obligation(
        &self,
        actor: &Actor,
        id: i64,
        o: &ObligationInput,
    ) -> Result<Obligation>;
    async fn delete_obligation(&self, actor: &Actor, id: i64) -> Result<()>;

    /// Compliance in `year` of the orgs in scope, or of the subtree of `party_org_id`
    /// within it, as seen on `today`.
    async fn compliance(
        &self,
        scope: &Scope,
        party_org_id: Option<i64>,
        year: i32,
        today: NaiveDate,
    ) -> Result<Arc<ComplianceReport>>;

    /// [`LifeStore::compliance`] folded for the heat map (see [`HeatMap`]).
    async fn compliance_heat(
        &self,
        scope: &Scope,
        party_org_id: Option<i64>,
        year: i32,
        today: NaiveDate,
    ) -> Result<Arc<HeatMap>>;

    /// The figures and the first `n` due and missed items of [`LifeStore::compliance`],
    /// counting only items ending on or after `since` when given (see [`Digest`]).
    #[allow(clippy::too_many_arguments)]
    async fn compliance_digest(
        &self,
        scope: &Scope,
        party_org_id: Option<i64>,
        year: i32,
        today: NaiveDate,
        since: Option<NaiveDate>,
        n: usize,
    ) -> Result<Arc<Digest>>;

    async fn set_user_email(
        &self,
        actor: &Actor,
        user_id: i64,
        email: Option<&str>,
    ) -> Result<User>;
    /// The compliance items of the whole tree for `year` that a reminder may be about: due
    /// and ending within `due_within_days`, or missed and ended on or after `missed_since`.
    /// Walks the tree a batch of orgs at a time, so its memory stays that of a batch however
    /// large the tree (the daily job's whole-tree report once peaked at 330 MB).
    async fn reminder_candidates(
        &self,
        year: i32,
        today: NaiveDate,
        due_within_days: i64,
        missed_since: NaiveDate,
    ) -> Result<Vec<ComplianceItem>>;
    /// Records the reminders not yet recorded (same org, obligation, period and reason);
    /// returns the new ones.
    async fn record_reminders(
        &self,
        today: NaiveDate,
        items: Vec<(ReminderReason, ComplianceItem)>,
    ) -> Result<Vec<Reminder>>;
    async fn mark_reminder_emailed(&self, id: i64, error: Option<String>) -> Result<()>;
    /// Reminders of the orgs in scope created on or after `since`, newest first.
    async fn reminders(&self, scope: &Scope, since: NaiveDate, limit: i64)
        -> Result<Vec<Reminder>>;
}
