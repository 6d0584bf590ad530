//! M7: campaigns, the orgs taking part (a branch enters and keeps its own subtree's), their
//! records, and progress against the target.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use domain::campaigns::{CampaignKind, Days, NewCampaign, NewParticipant, NewRecord};
use serde::Serialize;

use crate::{Actor, PageReq, Paged, Result, Scope};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Campaign {
    pub id: i64,
    pub title: String,
    pub kind: CampaignKind,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Participating organizations aimed at (0: no number set).
    pub target: i64,
    pub description: Option<String>,
}

impl Campaign {
    pub fn def(&self) -> NewCampaign {
        NewCampaign {
            title: self.title.clone(),
            kind: self.kind,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            target: self.target,
            description: self.description.clone(),
        }
    }

    pub fn days(&self) -> Days {
        Days {
            starts_on: self.starts_on,
            ends_on: self.ends_on,
        }
    }
}

domain::list_filter! {
    /// Filters of the campaign list.
    pub struct CampaignFilter {
        /// of this kind
        kind: CampaignKind,
        /// with a day in this year
        year: i64,
        /// open on this day
        open_on: NaiveDate,
    }
}

/// An org taking part in a campaign.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Participant {
    pub id: i64,
    pub campaign_id: i64,
    pub party_org_id: i64,
    /// The org's name.
    pub party_org_name: String,
    pub joined_on: NaiveDate,
    /// Where it reported, e.g. the community it serves.
    pub place: Option<String>,
    /// Its records in the campaign.
    pub records: i64,
}

/// What a participant did in a campaign (服务记录).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct CampaignRecord {
    pub id: i64,
    pub campaign_id: i64,
    pub party_org_id: i64,
    /// The org's name.
    pub party_org_name: String,
    pub held_on: NaiveDate,
    pub title: String,
    /// How many people took part.
    pub participants: Option<i64>,
    pub notes: Option<String>,
    /// Its live attachments.
    pub attachments: i64,
}

impl CampaignRecord {
    pub fn def(&self) -> NewRecord {
        NewRecord {
            party_org_id: self.party_org_id,
            held_on: self.held_on,
            title: self.title.clone(),
            participants: self.participants,
            notes: self.notes.clone(),
        }
    }
}

domain::list_filter! {
    /// Filters of a campaign's records.
    pub struct RecordFilter {
        /// of exactly this org
        party_org_id: i64,
    }
}

/// A campaign's progress (`GET /campaigns/{id}/progress`).
#[derive(Debug, Clone, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Progress {
    pub target: i64,
    /// Participating orgs (in scope, of the org's subtree when one is named).
    pub participants: i64,
    /// Participants with at least one record.
    pub active: i64,
    /// Their records.
    pub records: i64,
    /// participants / target, to 4 decimals; may exceed 1; 0 when the target is 0.
    pub rate: f64,
}

/// A campaign open on a day, with its progress (the dashboard).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OpenCampaign {
    pub campaign: Campaign,
    pub progress: Progress,
}

/// Who takes part in the campaigns with a day in a year (the assessment's
/// `campaign_rate`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct YearParticipation {
    /// The campaigns with a day in the year, by id.
    pub campaigns: Vec<i64>,
    /// `(campaign_id, party_org_id)` of their participants, by campaign then org.
    pub participants: Vec<(i64, i64)>,
}

impl YearParticipation {
    /// `(campaigns an org of `takes_part` takes part in, campaigns)`: the rate's numerator
    /// and denominator for the orgs the predicate names (an org's subtree, say).
    pub fn taken_part(&self, takes_part: impl Fn(i64) -> bool) -> (i64, i64) {
        let taken: std::collections::BTreeSet<i64> = self
            .participants
            .iter()
            .filter(|(_, o)| takes_part(*o))
            .map(|(c, _)| *c)
            .collect();
        (taken.len() as i64, self.campaigns.len() as i64)
    }
}

/// A synthetic or demo participant with its records (whose `party_org_id` is its own).
#[derive(Debug, Clone)]
pub struct BulkParticipant {
    pub participant: NewParticipant,
    pub records: Vec<NewRecord>,
}

/// A synthetic or demo campaign with its participants, written by
/// [`CampaignStore::seed_campaigns`].
#[derive(Debug, Clone)]
pub struct BulkCampaign {
    pub campaign: NewCampaign,
    pub participants: Vec<BulkParticipant>,
}

#[async_trait]
pub trait CampaignStore: Send + Sync {
    /// Latest first (every role reads campaigns).
    async fn list_campaigns(&self, f: &CampaignFilter, page: PageReq) -> Result<Paged<Campaign>>;
    async fn get_campaign(&self, id: i64) -> Result<Campaign>;
    async fn create_campaign(&self, actor: &Actor, c: NewCampaign) -> Result<Campaign>;
    /// New days that would leave a participant's `joined_on` or a record's `held_on` outside
    /// → `Invalid` on `starts_on` / `ends_on`.
    async fn update_campaign(&self, actor: &Actor, id: i64, c: NewCampaign) -> Result<Campaign>;

    /// The org must exist (`Invalid` on `party_org_id`) and lie in scope (`Forbidden`);
    /// `joined_on` within the campaign (`Invalid`); the same org twice →
    /// `Conflict("party_org_id")`.
    async fn add_participant(
        &self,
        actor: &Actor,
        scope: &Scope,
        campaign_id: i64,
        p: NewParticipant,
    ) -> Result<Participant>;
    /// The participants in scope, by org in tree order.
    async fn list_participants(
        &self,
        scope: &Scope,
        campaign_id: i64,
        page: PageReq,
    ) -> Result<Paged<Participant>>;
    /// A participant in scope (`NotFound` otherwise) without records (`InUse` otherwise).
    async fn delete_participant(
        &self,
        actor: &Actor,
        scope: &Scope,
        campaign_id: i64,
        party_org_id: i64,
    ) -> Result<()>;

    /// The org must lie in scope (`Forbidden`) and take part in the campaign (`Invalid` on
    /// `party_org_id`); `held_on` within the campaign (`Invalid`).
    async fn create_record(
        &self,
        actor: &Actor,
        scope: &Scope,
        campaign_id: i64,
        r: NewRecord,
    ) -> Result<CampaignRecord>;
    /// [`CampaignStore::create_record`]'s checks, on a record in scope.
    async fn update_record(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        r: NewRecord,
    ) -> Result<CampaignRecord>;
    /// Soft: the record leaves lists and answers `NotFound`; the audit log keeps it.
    async fn delete_record(&self, actor: &Actor, scope: &Scope, id: i64) -> Result<()>;
    async fn get_record(&self, scope: &Scope, id: i64) -> Result<CampaignRecord>;
    /// A campaign's records in scope, newest `held_on` first.
    async fn list_records(
        &self,
        scope: &Scope,
        campaign_id: i64,
        f: &RecordFilter,
        page: PageReq,
    ) -> Result<Paged<CampaignRecord>>;

    /// The campaign's progress in scope, or in the subtree of `party_org_id` within it (an
    /// unknown org → `Invalid`, one outside the scope → `NotFound`).
    async fn campaign_progress(
        &self,
        scope: &Scope,
        campaign_id: i64,
        party_org_id: Option<i64>,
    ) -> Result<Progress>;
    /// The campaigns open on `today` (soonest ending first), each with its progress in
    /// scope.
    async fn open_campaigns_progress(
        &self,
        scope: &Scope,
        today: NaiveDate,
    ) -> Result<Vec<OpenCampaign>>;
    /// The campaigns with a day in `year` and their participants (whole tree).
    async fn campaign_participation(&self, year: i32) -> Result<Arc<YearParticipation>>;
    /// Synthetic or demo campaigns with their participants and records in one transaction,
    /// one audit row for the batch; the campaigns' ids. A participant's org must exist and
    /// every day lie within its campaign (`Internal` otherwise).
    async fn seed_campaigns(&self, actor: &Actor, items: Vec<BulkCampaign>) -> Result<Vec<i64>>;
}
