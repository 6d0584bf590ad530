//! M3/M4: work plans, tasks and assignments; inspections, findings and rectifications.
//!
//! Reads take the caller's scope: an assignment, finding or rectification is visible when
//! its org lies in the scope; a task or inspection when one of its orgs does (and then only
//! those orgs' rows are shown). Work plans are sent to every org and visible to all.
//! Transitions refused by the state machine answer `StoreError::Conflict("state")`.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::work::{
    AssignmentState, FindingSource, InspectionKind, NewFinding, NewInspection, NewReport, NewTask,
    RectStats, RectificationState, ReviewDecision, Severity, VerifyDecision,
};
use domain::workplan::ParsedPlan;
use serde::Serialize;

use crate::{Actor, PageReq, Paged, Result, Scope};

/// The instant of a change and "today" in the configured zone (from the app's clock).
#[derive(Debug, Clone, Copy)]
pub struct When {
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct WorkItem {
    pub id: i64,
    pub no: u32,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct WorkSection {
    pub no: String,
    pub title: String,
    pub items: Vec<WorkItem>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct WorkPlan {
    pub id: i64,
    pub title: String,
    pub year: i32,
    pub sections: Vec<WorkSection>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[schema(as=WorkPlanSummary)]
pub struct PlanSummary {
    pub id: i64,
    pub title: String,
    pub year: i32,
    pub items: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewPlan {
    pub title: String,
    pub year: i32,
    pub source_text: String,
    pub parsed: ParsedPlan,
}

/// A plan's own fields, as its edit form changes them.
#[derive(Debug, Clone)]
pub struct PlanEdit {
    pub title: String,
    pub year: i32,
}

/// A bulletin number to take: `no` `None` takes the next free number of `code` and `year`.
#[derive(Debug, Clone)]
pub struct BulletinNo {
    pub code: String,
    pub year: i32,
    pub no: Option<i64>,
    pub kind: String,
    pub title: String,
}

/// An assignment as `POST /tasks` returns it.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct AssignmentBrief {
    pub id: i64,
    pub party_org_id: i64,
    pub state: AssignmentState,
    pub due_on: NaiveDate,
    pub progress: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Task {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub work_item_id: Option<i64>,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    /// The assignments in the caller's scope.
    pub assignments: Vec<AssignmentBrief>,
}

/// A row of the task ledger.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Assignment {
    pub id: i64,
    pub task_id: i64,
    pub task_title: String,
    pub party_org_id: i64,
    pub state: AssignmentState,
    pub due_on: NaiveDate,
    pub overdue: bool,
    /// The org's own lateness: first reported after `due_on`, or not yet and today is after it.
    pub late: bool,
    /// The local day of the first report.
    pub first_reported_on: Option<NaiveDate>,
    pub last_report_at: Option<DateTime<Utc>>,
    /// The latest report's progress, 0..100.
    pub progress: i64,
    pub issued_on: NaiveDate,
    pub work_item_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ProgressReport {
    pub id: i64,
    pub assignment_id: i64,
    pub progress: i64,
    pub text: String,
    pub reported_at: DateTime<Utc>,
    pub reported_by: String,
    pub decision: Option<ReviewDecision>,
    pub comment: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LedgerSort {
    #[default]
    Id,
    DueOn,
    DueOnDesc,
    /// By org (its place in the tree), then id.
    Org,
}

impl domain::list::FilterValue for LedgerSort {
    const KIND: domain::list::FilterKind = domain::list::FilterKind::Code(LedgerSort::CODES);
    fn parse_value(s: &str) -> Option<Self> {
        LedgerSort::parse(s)
    }
    fn to_value(&self) -> String {
        self.as_str().to_string()
    }
}

impl LedgerSort {
    pub const CODES: &'static [&'static str] = &["id", "due_on", "-due_on", "org"];
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "id" => LedgerSort::Id,
            "due_on" => LedgerSort::DueOn,
            "-due_on" => LedgerSort::DueOnDesc,
            "org" => LedgerSort::Org,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        Self::CODES[self as usize]
    }
}

// In the OpenAPI document: a string enum of the codes.
impl utoipa::PartialSchema for LedgerSort {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(LedgerSort::CODES.iter().copied()))
            .into()
    }
}

impl utoipa::ToSchema for LedgerSort {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("LedgerSort")
    }
}

domain::list_filter! {
    /// Filters of the task ledger.
    pub struct AssignmentFilter {
        /// the owner org (exact)
        party_org_id: i64,
        /// the orgs of this org's subtree (the org itself included)
        under: i64,
        /// the task's assignments
        task_id: i64,
        /// in this state
        state: AssignmentState,
        /// not accepted and today after due_on (or the others)
        overdue: bool,
        /// the org's own lateness: first reported after due_on, or not yet and today after it
        late: bool,
        /// due_on on or after
        from: NaiveDate,
        /// due_on on or before
        to: NaiveDate,
        /// id (default), due_on, -due_on, or org (tree order)
        sort: LedgerSort,
    }
}

domain::list_filter! {
    /// Filters of the rectification ledger.
    pub struct RectificationFilter {
        /// the owner org (exact)
        party_org_id: i64,
        /// the orgs of this org's subtree (the org itself included)
        under: i64,
        /// the findings of this inspection
        inspection_id: i64,
        /// in this state
        state: RectificationState,
        /// of this severity
        severity: Severity,
        /// not verified and today after due_on (or the others)
        overdue: bool,
        /// the org's own lateness: first submitted after due_on, or not yet and today after it
        late: bool,
        /// found_on on or after
        from: NaiveDate,
        /// found_on on or before
        to: NaiveDate,
        /// due_on on or after (the assessment's rectifications due in a year)
        due_from: NaiveDate,
        /// due_on on or before
        due_to: NaiveDate,
        /// id (default), due_on, -due_on, or org (tree order)
        sort: LedgerSort,
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Inspection {
    pub id: i64,
    pub title: String,
    pub kind: InspectionKind,
    pub held_on: NaiveDate,
    /// The orgs in the caller's scope.
    pub party_org_ids: Vec<i64>,
    pub team: Vec<String>,
    /// How many findings (in scope) it has.
    pub findings: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct RectificationRef {
    pub id: i64,
    pub state: RectificationState,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Finding {
    pub id: i64,
    pub inspection_id: Option<i64>,
    pub source: FindingSource,
    pub party_org_id: i64,
    pub description: String,
    pub severity: Severity,
    pub found_on: NaiveDate,
    pub due_on: NaiveDate,
    pub rectification: RectificationRef,
}

/// A row of the rectification ledger.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Rectification {
    pub id: i64,
    pub finding_id: i64,
    pub party_org_id: i64,
    pub description: String,
    pub severity: Severity,
    pub due_on: NaiveDate,
    pub state: RectificationState,
    pub overdue: bool,
    /// The org's own lateness: first submitted after `due_on`, or not yet and today is after it.
    pub late: bool,
    /// The local day of the first submission.
    pub first_submitted_on: Option<NaiveDate>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub verified_at: Option<DateTime<Utc>>,
    pub found_on: NaiveDate,
    pub source: FindingSource,
    pub inspection_id: Option<i64>,
    pub response: Option<String>,
    pub comment: Option<String>,
}

/// Assignment counts for the dashboard.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct AssignmentStats {
    pub total: i64,
    pub assigned: i64,
    pub reported: i64,
    pub accepted: i64,
    pub returned: i64,
    pub overdue: i64,
}

/// Per work item: its tasks' assignments by state (the plan page).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ItemProgress {
    pub work_item_id: i64,
    pub tasks: Vec<TaskProgress>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TaskProgress {
    pub task_id: i64,
    pub title: String,
    pub due_on: NaiveDate,
    pub stats: AssignmentStats,
    /// Mean progress of its assignments (in scope), 0..100.
    pub mean_progress: i64,
}

/// Synthetic or demo records written in one go: a finding with its rectification already
/// in `state`, closed on `verified_on` when verified.
#[derive(Debug, Clone)]
pub struct BulkFinding {
    pub finding: NewFinding,
    pub state: RectificationState,
    pub verified_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct BulkAssignment {
    pub party_org_id: i64,
    pub state: AssignmentState,
    pub progress: i64,
}

#[async_trait]
pub trait WorkStore: Send + Sync {
    // --- work plans
    async fn import_plan(&self, actor: &Actor, plan: NewPlan) -> Result<WorkPlan>;
    async fn list_plans(&self, page: PageReq) -> Result<Paged<PlanSummary>>;
    async fn get_plan(&self, id: i64) -> Result<WorkPlan>;
    /// Changes a plan's title and year (audited).
    async fn update_plan(&self, actor: &Actor, id: i64, edit: PlanEdit) -> Result<WorkPlan>;
    /// Deletes a plan (soft, audited) that no live task was made from; otherwise
    /// `InUse("tasks")`: tasks, their assignments and reports are records to keep.
    async fn delete_plan(&self, actor: &Actor, id: i64) -> Result<()>;
    /// The number the next bulletin of `code` in `year` would take (not taken).
    async fn next_bulletin_no(&self, code: &str, year: i32) -> Result<i64>;
    /// Takes a bulletin number (audited as `bulletin`): the next free one, or the one
    /// given. A number already taken by the same kind and title is that bulletin made again
    /// (no new record); by another, `Conflict("doc_no")`. Returns the number.
    async fn take_bulletin_no(&self, actor: &Actor, b: BulletinNo) -> Result<i64>;
    /// The tasks of each item of the plan with their assignments (in scope) by state.
    async fn plan_progress(
        &self,
        scope: &Scope,
        plan_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<ItemProgress>>;

    // --- tasks and assignments
    /// Creates the task and one assignment per org; orgs outside scope → `Forbidden`,
    /// unknown orgs or work item → `Invalid`.
    async fn create_task(&self, actor: &Actor, scope: &Scope, t: NewTask) -> Result<Task>;
    async fn get_task(&self, scope: &Scope, id: i64) -> Result<Task>;
    async fn list_tasks(&self, scope: &Scope, page: PageReq) -> Result<Paged<Task>>;
    async fn list_assignments(
        &self,
        scope: &Scope,
        f: &AssignmentFilter,
        today: NaiveDate,
        page: PageReq,
    ) -> Result<Paged<Assignment>>;
    /// Every assignment matching the filter (the xlsx ledger), with its org's name.
    async fn export_assignments(
        &self,
        scope: &Scope,
        f: &AssignmentFilter,
        today: NaiveDate,
    ) -> Result<Vec<(Assignment, String)>>;
    async fn get_assignment(&self, scope: &Scope, id: i64, today: NaiveDate) -> Result<Assignment>;
    async fn assignment_reports(&self, scope: &Scope, id: i64) -> Result<Vec<ProgressReport>>;
    async fn report(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        r: NewReport,
        when: When,
    ) -> Result<ProgressReport>;
    async fn review(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        decision: ReviewDecision,
        comment: Option<String>,
        when: When,
    ) -> Result<Assignment>;

    // --- inspections, findings, rectifications
    async fn create_inspection(
        &self,
        actor: &Actor,
        scope: &Scope,
        i: NewInspection,
    ) -> Result<Inspection>;
    async fn list_inspections(&self, scope: &Scope, page: PageReq) -> Result<Paged<Inspection>>;
    async fn get_inspection(&self, scope: &Scope, id: i64) -> Result<Inspection>;
    /// A finding and its rectification (state `open`). For an inspection's finding the org
    /// must be one of the inspection's (`Invalid` on `party_org_id` otherwise).
    async fn create_finding(
        &self,
        actor: &Actor,
        scope: &Scope,
        f: NewFinding,
        when: When,
    ) -> Result<Finding>;
    async fn list_rectifications(
        &self,
        scope: &Scope,
        f: &RectificationFilter,
        today: NaiveDate,
        page: PageReq,
    ) -> Result<Paged<Rectification>>;
    async fn export_rectifications(
        &self,
        scope: &Scope,
        f: &RectificationFilter,
        today: NaiveDate,
    ) -> Result<Vec<(Rectification, String)>>;
    async fn get_rectification(
        &self,
        scope: &Scope,
        id: i64,
        today: NaiveDate,
    ) -> Result<Rectification>;
    async fn submit_rectification(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        response: Option<String>,
        when: When,
    ) -> Result<Rectification>;
    async fn verify_rectification(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        decision: VerifyDecision,
        comment: Option<String>,
        when: When,
    ) -> Result<Rectification>;
    /// The figures for the scope, of the findings found in `year` (all years when `None`).
    async fn rectification_stats(
        &self,
        scope: &Scope,
        year: Option<i32>,
        today: NaiveDate,
    ) -> Result<RectStats>;

    /// Synthetic or demo records: one task with its assignments in given states, and
    /// findings with rectifications in given states, without the per-row audit.
    async fn bulk_work(
        &self,
        actor: &Actor,
        tasks: Vec<(NewTask, Vec<BulkAssignment>)>,
        findings: Vec<BulkFinding>,
        when: When,
    ) -> Result<()>;
}
