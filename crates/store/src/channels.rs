//! M10: the publication-channel register. A channel's scope follows its society: a branch
//! keeps the channels of the societies covered in its subtree. Records only — nothing here
//! reads or rates what a channel publishes.

use async_trait::async_trait;
use chrono::NaiveDate;
use domain::channels::{ChannelKind, NewChannel, NewReview};
use domain::checks::ChannelFacts;
use serde::Serialize;

use crate::{Actor, PageReq, Paged, Result, Scope};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Channel {
    pub id: i64,
    pub society_id: i64,
    /// The society's name (read-only).
    pub society: String,
    /// The org covering the society (read-only; null when none does).
    pub party_org_id: Option<i64>,
    pub kind: ChannelKind,
    pub name: String,
    pub responsible: String,
    pub emergency_plan_on: Option<NaiveDate>,
    /// The latest review's day (read-only; null: never reviewed).
    pub last_reviewed_on: Option<NaiveDate>,
}

impl Channel {
    pub fn def(&self) -> NewChannel {
        NewChannel {
            society_id: self.society_id,
            kind: self.kind,
            name: self.name.clone(),
            responsible: self.responsible.clone(),
            emergency_plan_on: self.emergency_plan_on,
        }
    }
}

domain::list_filter! {
    /// Filters of the channel register.
    pub struct ChannelFilter {
        /// name contains
        q: String,
        /// of this society
        society_id: i64,
        /// of the societies covered by exactly this org
        party_org_id: i64,
        /// of this kind
        kind: ChannelKind,
        /// with (false) or without (true) an emergency plan on file
        without_plan: bool,
        /// never reviewed or last reviewed more than [rules] channel_review_days ago (true),
        /// or reviewed since (false)
        review_overdue: bool,
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ChannelReview {
    pub id: i64,
    pub channel_id: i64,
    pub reviewed_on: NaiveDate,
    pub notes: Option<String>,
}

/// Synthetic or demo channels written at once: each with its reviews' days.
#[derive(Debug, Clone, Default)]
pub struct BulkChannels {
    pub channels: Vec<(NewChannel, Vec<NewReview>)>,
}

#[async_trait]
pub trait ChannelStore: Send + Sync {
    /// The society must be live (`Invalid` on `society_id`) and covered in scope
    /// (`Forbidden`); the same name twice for one society → `Conflict("name")`.
    async fn create_channel(&self, actor: &Actor, scope: &Scope, c: NewChannel) -> Result<Channel>;
    async fn update_channel(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        c: NewChannel,
    ) -> Result<Channel>;
    async fn delete_channel(&self, actor: &Actor, scope: &Scope, id: i64) -> Result<()>;
    async fn get_channel(&self, scope: &Scope, id: i64) -> Result<Channel>;
    /// By society then id; `today` dates `review_overdue`.
    async fn list_channels(
        &self,
        scope: &Scope,
        f: &ChannelFilter,
        today: NaiveDate,
        page: PageReq,
    ) -> Result<Paged<Channel>>;
    async fn add_channel_review(
        &self,
        actor: &Actor,
        scope: &Scope,
        channel_id: i64,
        r: NewReview,
    ) -> Result<ChannelReview>;
    /// Latest first.
    async fn list_channel_reviews(
        &self,
        scope: &Scope,
        channel_id: i64,
    ) -> Result<Vec<ChannelReview>>;
    /// The channels of the societies in scope, for the rule checks (memoized until the
    /// data changes).
    async fn channel_facts(&self, scope: &Scope) -> Result<std::sync::Arc<Vec<ChannelFacts>>>;
    /// Writes `b` at once (one summary audit row).
    async fn bulk_channels(&self, actor: &Actor, b: BulkChannels) -> Result<()>;
}
