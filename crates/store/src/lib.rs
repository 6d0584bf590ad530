//! Persistence. One [`Store`] trait, implemented once over SQL ([`SqlStore`]) for two
//! backends: SQLite (embedded, the default) and PostgreSQL (several servers on one
//! database). Every query takes the caller's [`Scope`]; every change writes its audit row in
//! the same transaction.

/// The migrations of one backend, `migrations/<dir>/<name>.sql` for every name: both
/// backends have the same migrations, each written in its own SQL.
#[macro_export]
#[doc(hidden)]
macro_rules! migrations {
    ($dir:literal) => {
        // Applied in this order, each once (its place in the list is its version), so a
        // new migration goes at the end.
        $crate::migrations!(
            $dir: "0001_init", "0002_life", "0003_work", "0004_late", "0005_servers", "0006_bulletins",
            "0007_reports", "0008_training", "0009_campaigns", "0010_training_reminders",
            "0011_liaison", "0012_assessment",
            "0013_submitted_index"
        )
    };
    ($dir:literal: $($name:literal),+) => {
        &[$(($name, include_str!(concat!("../../migrations/", $dir, "/", $name, ".sql")))),+]
    };
}

pub mod assessment;
pub mod attachments;
pub mod campaigns;
pub mod channels;
pub mod ledger;
pub mod liaison;
pub mod life;
mod postgres;
pub mod reports;
pub mod sql;
mod sqlite;
pub mod training;
pub mod work;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::checks::SocietyFacts;
use domain::{FieldErrors, PartyOrg, PartyOrgPatch, Role, Society, SocietyInput, SocietyPatch};
use serde::Serialize;

pub use attachments::AttachmentStore;
pub use campaigns::CampaignStore;
pub use channels::ChannelStore;
pub use ledger::LedgerStore;
pub use liaison::LiaisonStore;
pub use life::LifeStore;
pub use reports::ReportStore;
pub use sql::{Dialect, SqlStore};
pub use training::TrainingStore;
pub use work::WorkStore;

/// Who makes a change, for the audit row.
#[derive(Debug, Clone)]
pub struct Actor {
    pub(crate) user_id: Option<i64>,
    pub(crate) username: String,
    pub(crate) request_id: String,
}

impl Actor {
    /// A signed-in user acting under a permission that was checked: the only way to make
    /// an actor for a user, so every write a user asks for has passed the policy table.
    pub fn user(
        _proof: domain::policy::Granted,
        user_id: i64,
        username: &str,
        request_id: &str,
    ) -> Self {
        Actor {
            user_id: Some(user_id),
            username: username.to_string(),
            request_id: request_id.to_string(),
        }
    }

    /// The system itself (migrations, seeding, the demo, the daily job, the command line).
    pub fn system(what: &str) -> Self {
        Actor {
            user_id: None,
            username: format!("system:{what}"),
            request_id: "-".into(),
        }
    }

    /// A system write recorded under a name of its own (the demo writing as its users,
    /// tests): no user id, so it is never mistaken for a signed-in user's.
    pub fn system_named(username: &str, request_id: &str) -> Self {
        Actor {
            user_id: None,
            username: username.to_string(),
            request_id: request_id.to_string(),
        }
    }

    pub fn username(&self) -> &str {
        &self.username
    }
}

/// What part of the org tree a caller may see. Branch users see their org's subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    /// The subtree whose root has this materialized path (`/1/5/`).
    Subtree {
        root: i64,
        path: String,
    },
}

impl Scope {
    /// The half-open range `[path, path_end)` of materialized paths inside the subtree.
    pub fn path_range(path: &str) -> (String, String) {
        let mut end = path.trim_end_matches('/').to_string();
        end.push('0'); // '0' sorts right after '/'
        (path.to_string(), end)
    }
}

/// Every item of a paged list: `fetch` called with pages of the largest size until the
/// total is reached (exports, the seed, the pages that show a whole list).
pub async fn all_pages<T, E, F, Fut>(mut fetch: F) -> std::result::Result<Vec<T>, E>
where
    F: FnMut(PageReq) -> Fut,
    Fut: std::future::Future<Output = std::result::Result<Paged<T>, E>>,
{
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let res = fetch(PageReq {
            page,
            per_page: PageReq::MAX_PER_PAGE,
        })
        .await?;
        let n = res.items.len();
        out.extend(res.items);
        if n == 0 || out.len() as i64 >= res.total {
            return Ok(out);
        }
        page += 1;
    }
}

#[derive(Debug, Clone, Copy)]
pub struct PageReq {
    pub page: i64,
    pub per_page: i64,
}

impl PageReq {
    pub const MAX_PER_PAGE: i64 = 500;
    pub fn offset(&self) -> i64 {
        // Saturating: a huge `page` from a query string must not overflow.
        (self.page.max(1) - 1).saturating_mul(self.per_page.max(0))
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    #[schema(maximum = 500)]
    pub per_page: i64,
}

domain::list_filter! {
    /// Filters of the societies list.
    pub struct SocietyFilter {
        /// name contains
        q: String,
        /// of this kind
        kind: domain::SocietyKind,
        /// of this sector
        sector: domain::Sector,
        /// covered by a party org, an instructor, or neither
        coverage: domain::Coverage,
        /// covered by exactly this org
        party_org_id: i64,
        /// covered by an org of this org's subtree (the org itself included)
        under: i64,
        /// three or more full members and no party org of its own
        should_establish: bool,
    }
}

domain::list_filter! {
    /// Filters of the party-org list.
    pub struct OrgFilter {
        /// name contains
        q: String,
        /// of this kind
        kind: domain::OrgKind,
        /// the children of this org
        parent_id: i64,
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub party_org_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    /// A work address for reminders.
    pub email: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub party_org_id: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    Web,
    Bearer,
    Api,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Web => "web",
            SessionKind::Bearer => "bearer",
            SessionKind::Api => "api",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub user_id: i64,
    pub kind: SessionKind,
    pub name: Option<String>,
    pub csrf: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A signed-in caller as a token or cookie resolves it.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user: User,
    pub scope: Scope,
    pub kind: SessionKind,
    pub csrf: String,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    #[schema(value_type = AuditAction)]
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: String,
}

/// What an audit entry records (the document's view of `AuditEntry::action`).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum AuditAction {
    Create,
    Update,
    Delete,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct CoverageStats {
    pub societies: i64,
    pub covered: i64,
    pub coverage_rate: f64,
    /// Covered by a party organization (own, joint or functional branch): 组织覆盖, without
    /// the instructors that 全覆盖 (`covered`) counts too.
    pub org_covered: i64,
    pub org_coverage_rate: f64,
    pub by_coverage: std::collections::BTreeMap<String, i64>,
    pub charter_rate: f64,
    pub should_establish: i64,
    /// Societies per sector (not in the API contract's fixed part; used by the dashboard).
    pub by_sector: std::collections::BTreeMap<String, i64>,
}

/// Live party orgs by grade (分类定级), now or as the grade history had them at an instant.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct GradeCounts {
    pub a: i64,
    pub b: i64,
    pub c: i64,
    /// No grade (never graded, or graded only later).
    pub ungraded: i64,
}

impl GradeCounts {
    /// The count of `grade` (`None`: the ungraded).
    pub fn of(&self, grade: Option<domain::Grade>) -> i64 {
        match grade {
            Some(domain::Grade::A) => self.a,
            Some(domain::Grade::B) => self.b,
            Some(domain::Grade::C) => self.c,
            None => self.ungraded,
        }
    }

    pub fn total(&self) -> i64 {
        self.a + self.b + self.c + self.ungraded
    }
}

/// One row of an import, already parsed; `row` is the spreadsheet row number.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub row: usize,
    pub society: SocietyInput,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    /// A message key of the translation layer (`import.*`), or text.
    pub message: String,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ImportOutcome {
    pub created: usize,
    pub updated: usize,
}

/// Synthetic or demo data: orgs refer to their parent by index into the same list.
#[derive(Debug, Clone)]
pub struct BulkOrg {
    pub parent: Option<usize>,
    pub org: domain::PartyOrgInput,
}

#[derive(Debug, Clone)]
pub struct BulkSociety {
    pub org: Option<usize>,
    pub society: SocietyInput,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique value is taken; the field that clashes.
    #[error("conflict on {0}")]
    Conflict(&'static str),
    /// The object is still in use (children, covered societies).
    #[error("in use: {0}")]
    InUse(&'static str),
    #[error("invalid")]
    Invalid(FieldErrors),
    /// The caller may not create or move something outside its scope.
    #[error("forbidden")]
    Forbidden,
    #[error("import rows invalid")]
    Rows(Vec<RowError>),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<FieldErrors> for StoreError {
    fn from(e: FieldErrors) -> Self {
        StoreError::Invalid(e)
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The whole store: the registry and platform here, each later module's capability in its
/// own trait and file (`life` for M2, `work` for M3/M4, `campaigns` for M7).
#[async_trait]
pub trait Store:
    LedgerStore
    + assessment::AssessmentStore
    + AttachmentStore
    + CampaignStore
    + LifeStore
    + WorkStore
    + reports::ReportStore
    + training::TrainingStore
    + liaison::LiaisonStore
    + channels::ChannelStore
    + Send
    + Sync
    + 'static
{
    // --- users and sessions
    async fn user_count(&self) -> Result<i64>;
    async fn create_user(&self, actor: &Actor, new: NewUser) -> Result<User>;
    async fn set_password(&self, actor: &Actor, username: &str, password_hash: &str) -> Result<()>;
    /// A user's own new password: every other session and API token of the user ends; the
    /// session `keep` (the one asking) stays.
    async fn change_own_password(
        &self,
        actor: &Actor,
        user_id: i64,
        password_hash: &str,
        keep: &str,
    ) -> Result<()>;
    async fn list_users(&self) -> Result<Vec<User>>;
    /// The user and its password hash, for login.
    async fn credentials(&self, username: &str) -> Result<Option<(User, String)>>;
    async fn create_session(&self, s: NewSession) -> Result<()>;
    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SessionUser>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    async fn list_api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>>;

    // --- state shared by every server on the database
    /// Failed logins of `key` since the first of them, when that is after `window_start`.
    async fn login_failures(
        &self,
        key: &str,
        window_start: DateTime<Utc>,
    ) -> Result<Option<(i64, DateTime<Utc>)>>;
    /// Counts a failed login of `key` at `now`; the count starts again when its first failure
    /// is before `window_start`.
    async fn login_failed(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window_start: DateTime<Utc>,
    ) -> Result<()>;
    async fn login_succeeded(&self, key: &str) -> Result<()>;
    /// Takes the daily job `job` for `day` for `server`: `true` for the first to ask, on
    /// whichever server; `false` for every later call.
    async fn claim_daily_job(
        &self,
        job: &str,
        day: chrono::NaiveDate,
        server: &str,
    ) -> Result<bool>;
    async fn revoke_api_token(&self, actor: &Actor, user_id: i64, id: i64) -> Result<()>;

    // --- party orgs
    async fn list_orgs(
        &self,
        scope: &Scope,
        f: &OrgFilter,
        page: PageReq,
    ) -> Result<Paged<PartyOrg>>;
    /// Every live org in scope, ordered by path (a depth-first walk of the tree).
    async fn all_orgs(&self, scope: &Scope) -> Result<Vec<PartyOrg>>;
    async fn get_org(&self, scope: &Scope, id: i64) -> Result<PartyOrg>;
    /// Names of the live orgs among `ids` that lie in scope (one query, for list pages).
    async fn org_names(
        &self,
        scope: &Scope,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, String>>;
    /// For each of `ids`: how many live child orgs and covered societies it has.
    async fn org_counts(&self, ids: &[i64]) -> Result<std::collections::HashMap<i64, (i64, i64)>>;
    /// How many live orgs the scope holds.
    async fn org_count(&self, scope: &Scope) -> Result<i64>;
    async fn create_org(&self, actor: &Actor, scope: &Scope, p: &PartyOrgPatch)
        -> Result<PartyOrg>;
    async fn update_org(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        p: &PartyOrgPatch,
    ) -> Result<PartyOrg>;
    async fn delete_org(&self, actor: &Actor, scope: &Scope, id: i64) -> Result<()>;

    // --- societies
    async fn list_societies(
        &self,
        scope: &Scope,
        f: &SocietyFilter,
        page: PageReq,
    ) -> Result<Paged<Society>>;
    async fn get_society(&self, scope: &Scope, id: i64) -> Result<Society>;
    async fn create_society(
        &self,
        actor: &Actor,
        scope: &Scope,
        p: &SocietyPatch,
    ) -> Result<Society>;
    async fn update_society(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        p: &SocietyPatch,
    ) -> Result<Society>;
    async fn delete_society(&self, actor: &Actor, scope: &Scope, id: i64) -> Result<()>;
    /// Upserts by name, all or nothing: any bad row → `StoreError::Rows`, nothing written.
    async fn import_societies(
        &self,
        actor: &Actor,
        scope: &Scope,
        rows: Vec<ImportRow>,
    ) -> Result<ImportOutcome>;
    /// Every live society in scope with its covering org's name, ordered by id.
    async fn export_societies(&self, scope: &Scope) -> Result<Vec<(Society, Option<String>)>>;
    async fn society_facts(&self, scope: &Scope) -> Result<Vec<SocietyFacts>>;
    /// Coverage figures for the scope, or for the subtree of `party_org_id` within it.
    async fn coverage_stats(
        &self,
        scope: &Scope,
        party_org_id: Option<i64>,
    ) -> Result<CoverageStats>;

    /// The live orgs in scope by grade: their current grade (`as_of` `None`), or each one's
    /// grade at the instant `as_of` — its latest grade-history row changed at or before it
    /// (none: ungraded). The same orgs either way: those live now.
    async fn grade_counts(
        &self,
        scope: &Scope,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<GradeCounts>;

    // --- audit and operations
    async fn audit(
        &self,
        entity: Option<&str>,
        entity_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>>;
    async fn bulk_load(
        &self,
        actor: &Actor,
        orgs: Vec<BulkOrg>,
        societies: Vec<BulkSociety>,
    ) -> Result<()>;
    /// A consistent copy of the whole database, taken while it serves.
    async fn backup(&self, path: &std::path::Path) -> Result<()>;
}
