//! M9: liaisons of committee members with orgs, their visits, research reports and typical
//! cases. A branch user reads the liaisons and visits of orgs in its subtree, the research
//! reports concerning one of them, and the cases of its subtree — plus every published
//! case, the one exception to scope (never for writing).

use async_trait::async_trait;
use chrono::NaiveDate;
use domain::liaison::{CaseCategory, NewCase, NewLiaison, NewResearchReport, NewVisit, VisitKind};
use serde::Serialize;

use crate::{Actor, PageReq, Paged, Result, Scope};

/// An org by id and name (lists name the orgs they refer to).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct OrgName {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Liaison {
    pub id: i64,
    /// The committee member.
    pub user_id: i64,
    pub username: String,
    pub party_org_id: i64,
    pub party_org_name: String,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
    /// since ≤ today and (until null or ≥ today).
    pub current: bool,
    /// The member's latest visit to the org (any time).
    pub last_visit_on: Option<NaiveDate>,
}

impl Liaison {
    pub fn def(&self) -> NewLiaison {
        NewLiaison {
            user_id: self.user_id,
            party_org_id: self.party_org_id,
            since: self.since,
            until: self.until,
        }
    }
}

domain::list_filter! {
    /// Filters of the liaison list.
    pub struct LiaisonFilter {
        /// of this committee member
        user_id: i64,
        /// with exactly this org
        party_org_id: i64,
        /// current today (true) or not (false)
        current: bool,
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Visit {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub party_org_id: i64,
    pub party_org_name: String,
    pub held_on: NaiveDate,
    pub kind: VisitKind,
    pub notes: Option<String>,
    /// How many files (photos, notes) it has.
    pub attachments: i64,
}

impl Visit {
    pub fn def(&self) -> NewVisit {
        NewVisit {
            user_id: self.user_id,
            party_org_id: self.party_org_id,
            held_on: self.held_on,
            kind: self.kind,
            notes: self.notes.clone(),
        }
    }
}

domain::list_filter! {
    /// Filters of the visit list.
    pub struct VisitFilter {
        /// visits to exactly this org
        party_org_id: i64,
        /// by this member
        user_id: i64,
        /// of this kind
        kind: VisitKind,
        /// held on or after
        from: NaiveDate,
        /// held on or before
        to: NaiveDate,
        /// held in this year (sets from and to)
        year: i64,
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ResearchReport {
    pub id: i64,
    pub title: String,
    pub year: i32,
    pub summary: Option<String>,
    pub author_user_id: i64,
    /// The author's username.
    pub author: String,
    pub party_org_ids: Vec<i64>,
    /// The orgs it concerns, with their names, in order.
    pub party_orgs: Vec<OrgName>,
    /// How many files it has.
    pub attachments: i64,
}

impl ResearchReport {
    pub fn def(&self) -> NewResearchReport {
        NewResearchReport {
            title: self.title.clone(),
            year: self.year,
            summary: self.summary.clone(),
            author_user_id: self.author_user_id,
            party_org_ids: self.party_org_ids.clone(),
        }
    }
}

domain::list_filter! {
    /// Filters of the research reports.
    pub struct ResearchReportFilter {
        /// of this year
        year: i64,
        /// by this author
        author_user_id: i64,
        /// concerning this org
        party_org_id: i64,
        /// title or summary contains
        q: String,
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Case {
    pub id: i64,
    pub title: String,
    pub party_org_id: i64,
    pub party_org_name: String,
    pub category: CaseCategory,
    pub year: i32,
    pub summary: Option<String>,
    pub published: bool,
}

impl Case {
    pub fn def(&self) -> NewCase {
        NewCase {
            title: self.title.clone(),
            party_org_id: self.party_org_id,
            category: self.category,
            year: self.year,
            summary: self.summary.clone(),
            published: self.published,
        }
    }
}

domain::list_filter! {
    /// Filters of the typical-case library.
    pub struct CaseFilter {
        /// of exactly this org
        party_org_id: i64,
        /// of this category
        category: CaseCategory,
        /// of this year
        year: i64,
        /// published (true) or proposed (false)
        published: bool,
        /// title or summary contains
        q: String,
    }
}

/// One committee member's liaison figures (`GET /stats/liaison`).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct LiaisonStatsItem {
    pub user_id: i64,
    pub username: String,
    /// Current liaisons (orgs in the caller's scope).
    pub orgs: i64,
    /// `[rules] liaison_orgs`.
    pub target: i64,
    /// Visits held in the year (to orgs in scope).
    pub visits: i64,
    /// The latest visit held in or before the year.
    pub last_visit_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct LiaisonStats {
    /// Every user of role committee, by username.
    pub items: Vec<LiaisonStatsItem>,
    /// Live orgs in scope of every kind but committee with no current liaison.
    pub orgs_without_liaison: i64,
}

/// Visits of one member to one org in one quarter of a year (the liaison matrix).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct VisitCount {
    pub user_id: i64,
    pub party_org_id: i64,
    /// 1–4.
    pub quarter: u32,
    pub visits: i64,
}

/// Demo or synthetic M9 records written at once (the demo and `seed`).
#[derive(Debug, Clone, Default)]
pub struct BulkLiaison {
    pub liaisons: Vec<NewLiaison>,
    pub visits: Vec<NewVisit>,
    pub research_reports: Vec<NewResearchReport>,
    pub cases: Vec<NewCase>,
}

#[async_trait]
pub trait LiaisonStore: Send + Sync {
    /// The user must be of role committee (`Invalid` on `user_id`), the org live
    /// (`Invalid` on `party_org_id`); an overlapping liaison of the same member with the
    /// same org → `Conflict("party_org_id")`.
    async fn create_liaison(
        &self,
        actor: &Actor,
        l: NewLiaison,
        today: NaiveDate,
    ) -> Result<Liaison>;
    async fn update_liaison(
        &self,
        actor: &Actor,
        id: i64,
        l: NewLiaison,
        today: NaiveDate,
    ) -> Result<Liaison>;
    async fn delete_liaison(&self, actor: &Actor, id: i64, today: NaiveDate) -> Result<()>;
    /// A liaison with an org in scope.
    async fn get_liaison(&self, scope: &Scope, id: i64, today: NaiveDate) -> Result<Liaison>;
    /// Liaisons with orgs in scope, by member then org in tree order.
    async fn list_liaisons(
        &self,
        scope: &Scope,
        f: &LiaisonFilter,
        today: NaiveDate,
        page: PageReq,
    ) -> Result<Paged<Liaison>>;
    /// Every committee member's figures for `year` (memoized until the data changes).
    async fn liaison_stats(
        &self,
        scope: &Scope,
        today: NaiveDate,
        year: i32,
    ) -> Result<LiaisonStats>;
    /// The live orgs in scope (not of kind committee) with no current liaison, in tree
    /// order.
    async fn orgs_without_liaison(
        &self,
        scope: &Scope,
        today: NaiveDate,
        page: PageReq,
    ) -> Result<Paged<OrgName>>;
    /// Visits to orgs in scope in `year` per member, org and quarter.
    async fn visit_counts(&self, scope: &Scope, year: i32) -> Result<Vec<VisitCount>>;

    /// The visitor must be of role committee or admin (`Invalid` on `user_id`); the org
    /// in scope (`target_org`'s rules).
    async fn create_visit(&self, actor: &Actor, scope: &Scope, v: NewVisit) -> Result<Visit>;
    async fn update_visit(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        v: NewVisit,
    ) -> Result<Visit>;
    async fn get_visit(&self, scope: &Scope, id: i64) -> Result<Visit>;
    /// Newest first.
    async fn list_visits(
        &self,
        scope: &Scope,
        f: &VisitFilter,
        page: PageReq,
    ) -> Result<Paged<Visit>>;

    /// The author must be of role committee or admin (`Invalid` on `author_user_id`);
    /// every org live (`Invalid` on `party_org_ids`).
    async fn create_research_report(
        &self,
        actor: &Actor,
        r: NewResearchReport,
    ) -> Result<ResearchReport>;
    async fn update_research_report(
        &self,
        actor: &Actor,
        id: i64,
        r: NewResearchReport,
    ) -> Result<ResearchReport>;
    /// For a scoped caller: a report concerning an org of its subtree.
    async fn get_research_report(&self, scope: &Scope, id: i64) -> Result<ResearchReport>;
    /// Latest year first.
    async fn list_research_reports(
        &self,
        scope: &Scope,
        f: &ResearchReportFilter,
        page: PageReq,
    ) -> Result<Paged<ResearchReport>>;

    /// The org in scope (`target_org`'s rules); `published` only when `may_publish`
    /// (`Forbidden`).
    async fn create_case(
        &self,
        actor: &Actor,
        scope: &Scope,
        c: NewCase,
        may_publish: bool,
    ) -> Result<Case>;
    /// Only a case of an org in scope (a published case outside it is readable but
    /// `Forbidden`, an unpublished one `NotFound`); without `may_publish` neither a published
    /// case nor publishing (`Forbidden`).
    async fn update_case(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        c: NewCase,
        may_publish: bool,
    ) -> Result<Case>;
    /// A published case, or one of an org in scope.
    async fn get_case(&self, scope: &Scope, id: i64) -> Result<Case>;
    /// The published cases and those of orgs in scope, latest year first.
    async fn list_cases(&self, scope: &Scope, f: &CaseFilter, page: PageReq)
        -> Result<Paged<Case>>;

    /// Writes `b` at once (one summary audit row).
    async fn bulk_liaison(&self, actor: &Actor, b: BulkLiaison) -> Result<()>;
}
