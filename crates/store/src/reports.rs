//! M5: report forms, the submissions expected of their respondents (stored or not), and
//! the funded projects with their expenditures.
//!
//! Forms are read by every role. A submission is in scope when its org is (a project's org
//! is the one covering its society); the list shows every *expected* submission — the
//! form's begun periods × its respondents in scope — with `id` null and state
//! `not_started` where nothing is stored. Stored submissions are records of the review
//! ledger (`domain::ledger::SUBMISSIONS`), so the inbox, the history and the evidence files
//! come from `LedgerStore`.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::life::PeriodKind;
use domain::reports::{
    AppliesTo, FieldDef, Indicator, NewExpenditure, NewForm, NewProject, ReportStats,
    SubmissionState,
};
use domain::work::ReviewDecision;
use domain::OrgKind;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::work::When;
use crate::{Actor, PageReq, Paged, Result, Scope};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ReportForm {
    pub id: i64,
    pub title: String,
    pub period: PeriodKind,
    pub due_days: i64,
    pub applies_to: AppliesTo,
    pub programme: Option<String>,
    pub org_kinds: Option<Vec<OrgKind>>,
    pub party_org_ids: Option<Vec<i64>>,
    pub active_from: NaiveDate,
    pub active_to: Option<NaiveDate>,
    pub fields: Vec<FieldDef>,
    /// How many submissions are stored (fields may then not be removed or retyped).
    pub submissions: i64,
}

impl ReportForm {
    /// The checked definition (periods, deadlines, respondents).
    pub fn def(&self) -> NewForm {
        use domain::reports::Respondents;
        NewForm {
            title: self.title.clone(),
            period: self.period,
            due_days: self.due_days,
            respondents: match (&self.programme, &self.party_org_ids) {
                (Some(p), _) => Respondents::Projects(p.clone()),
                (None, Some(ids)) => Respondents::Orgs(ids.clone()),
                (None, None) => Respondents::OrgKinds(self.org_kinds.clone().unwrap_or_default()),
            },
            active_from: self.active_from,
            active_to: self.active_to,
            fields: self.fields.clone(),
        }
    }
}

/// One expected submission, stored or not.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Submission {
    /// Null while nothing is stored (`not_started`).
    pub id: Option<i64>,
    pub form_id: i64,
    /// `2023-03`, `2023-Q1`, `2023-H1`, `2023`.
    pub period: String,
    /// The answering org, or the org covering the project's society (null when none does).
    pub party_org_id: Option<i64>,
    pub funded_project_id: Option<i64>,
    pub state: SubmissionState,
    pub due_on: NaiveDate,
    /// The latest submission.
    pub submitted_at: Option<DateTime<Utc>>,
    pub late: bool,
    #[schema(value_type = Object)]
    pub values: Map<String, Value>,
    /// The reason of the latest return.
    pub comment: Option<String>,
    /// The respondent's name: the org's, or the project's title.
    pub respondent: String,
    /// The local day of the first submission (timeliness is decided by it).
    #[serde(skip)]
    pub first_submitted_on: Option<NaiveDate>,
}

domain::list_filter! {
    /// Filters of the expected submissions.
    pub struct SubmissionFilter {
        /// of this form
        form_id: i64,
        /// of this period (`2023-Q1`; of the form's kind)
        period: String,
        /// of this org (exact; a project's org covers its society)
        party_org_id: i64,
        /// of this funded project
        funded_project_id: i64,
        /// in this state (`not_started`: nothing stored)
        state: SubmissionState,
        /// first submitted after due_on, or not yet and today after it
        late: bool,
    }
}

/// Which expected submission: form, period, respondent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionKey {
    pub form_id: i64,
    pub period: String,
    pub respondent: Respondent,
}

/// Who a submission is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Respondent {
    Org(i64),
    Project(i64),
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct FundedProject {
    pub id: i64,
    pub programme: String,
    pub title: String,
    pub society_id: i64,
    /// The org covering the society (read-only; null when none does).
    pub party_org_id: Option<i64>,
    pub year: i32,
    pub budget: f64,
    pub indicators: Vec<Indicator>,
    /// The sum of the expenditures.
    pub spent: f64,
    pub execution_rate: f64,
    pub achievement_rate: Option<f64>,
    /// The society's name.
    pub society: String,
    #[serde(skip)]
    pub budget_fen: i64,
    #[serde(skip)]
    pub spent_fen: i64,
}

domain::list_filter! {
    /// Filters of the funded projects.
    pub struct ProjectFilter {
        /// of this programme
        programme: String,
        /// of this year
        year: i64,
        /// of this society
        society_id: i64,
        /// covered by this org (exact)
        party_org_id: i64,
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Expenditure {
    pub id: i64,
    pub funded_project_id: i64,
    pub spent_on: NaiveDate,
    pub amount: f64,
    pub purpose: String,
    pub created_at: DateTime<Utc>,
}

/// A synthetic or demo project written in bulk, with its expenditures.
#[derive(Debug, Clone)]
pub struct BulkProject {
    pub project: NewProject,
    pub expenditures: Vec<NewExpenditure>,
}

/// A synthetic or demo submission written in bulk, already in `state` (not `not_started`)
/// with its history: created on `created`, first submitted on `submitted` (its local day
/// decides the timeliness), reviewed on `reviewed` (accepted or returned with `comment`).
/// Its due day and org follow from the form and the respondent as for one written alone.
#[derive(Debug, Clone)]
pub struct BulkSubmission {
    pub key: SubmissionKey,
    pub state: SubmissionState,
    pub values: Map<String, Value>,
    pub created: When,
    pub submitted: Option<When>,
    pub reviewed: Option<When>,
    pub comment: Option<String>,
}

#[async_trait]
pub trait ReportStore: Send + Sync {
    async fn create_form(&self, actor: &Actor, form: NewForm) -> Result<ReportForm>;
    /// Replaces the form's definition; one with submissions may not lose a field or change
    /// its type (`Conflict("fields")`). Stored submissions' due days follow `due_days`.
    async fn update_form(&self, actor: &Actor, id: i64, form: NewForm) -> Result<ReportForm>;
    async fn get_form(&self, id: i64) -> Result<ReportForm>;
    async fn list_forms(&self, page: PageReq) -> Result<Paged<ReportForm>>;

    /// Every expected submission the filter keeps, in scope: forms in id order, periods
    /// latest first, respondents in tree order.
    async fn list_submissions(
        &self,
        scope: &Scope,
        f: &SubmissionFilter,
        today: NaiveDate,
        page: PageReq,
    ) -> Result<Paged<Submission>>;
    /// The figures of a form's period (`party_org_id`: of that org's subtree).
    async fn report_stats(
        &self,
        scope: &Scope,
        form_id: i64,
        period: &str,
        party_org_id: Option<i64>,
        today: NaiveDate,
    ) -> Result<ReportStats>;
    /// Per org in scope, the expected submissions of `year`'s periods whose due day is
    /// before `today` and that were never submitted (nothing stored, or only a draft): a
    /// project's are its covering org's (none covers it: not counted).
    async fn missing_submissions_by_org(
        &self,
        scope: &Scope,
        year: i32,
        today: NaiveDate,
    ) -> Result<std::collections::HashMap<i64, i64>>;
    async fn get_submission(&self, scope: &Scope, id: i64, today: NaiveDate) -> Result<Submission>;
    /// A draft for an expected period and respondent: not expected → `Invalid`, a second
    /// → `Conflict("submission")`, a respondent outside the scope → `Forbidden`.
    async fn create_submission(
        &self,
        actor: &Actor,
        scope: &Scope,
        key: SubmissionKey,
        values: Map<String, Value>,
        when: When,
    ) -> Result<Submission>;
    /// Merges checked values into a draft or returned submission (`null` clears a key).
    async fn update_submission(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        values: Map<String, Value>,
        when: When,
    ) -> Result<Submission>;
    /// Submits: every required field must hold a value (`Invalid` naming them).
    async fn submit_submission(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        when: When,
    ) -> Result<Submission>;
    async fn review_submission(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        decision: ReviewDecision,
        comment: Option<String>,
        when: When,
    ) -> Result<Submission>;
    /// A file for a file field of a draft or returned submission: the evidence file is
    /// stored and the field names it (`Invalid` on `field` for a key that is not a file field).
    async fn attach_submission_file(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        field: &str,
        a: &crate::life::NewAttachment,
        when: When,
    ) -> Result<(crate::ledger::LedgerAttachment, Submission)>;

    /// The expected submissions in scope not yet submitted (nothing stored, or a draft)
    /// whose due day is within `within_days` from today or passed on or after
    /// `missed_since`, soonest due first: the to-do and the daily reminders.
    async fn due_submissions(
        &self,
        scope: &Scope,
        today: NaiveDate,
        within_days: i64,
        missed_since: NaiveDate,
    ) -> Result<Vec<Submission>>;
    /// Records the reminders not yet recorded (same submission key and reason: `due` or
    /// `missed`); returns the new ones.
    async fn record_report_reminders(
        &self,
        today: NaiveDate,
        items: Vec<Submission>,
    ) -> Result<Vec<Submission>>;

    async fn create_project(
        &self,
        actor: &Actor,
        scope: &Scope,
        p: NewProject,
    ) -> Result<FundedProject>;
    async fn update_project(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        p: NewProject,
    ) -> Result<FundedProject>;
    async fn get_project(&self, scope: &Scope, id: i64) -> Result<FundedProject>;
    async fn list_projects(
        &self,
        scope: &Scope,
        f: &ProjectFilter,
        page: PageReq,
    ) -> Result<Paged<FundedProject>>;
    async fn add_expenditure(
        &self,
        actor: &Actor,
        scope: &Scope,
        project_id: i64,
        e: NewExpenditure,
    ) -> Result<Expenditure>;
    async fn list_expenditures(&self, scope: &Scope, project_id: i64) -> Result<Vec<Expenditure>>;

    /// Synthetic or demo projects with their expenditures, without the per-row audit;
    /// their ids in order.
    async fn bulk_projects(&self, actor: &Actor, projects: Vec<BulkProject>) -> Result<Vec<i64>>;
    /// Synthetic or demo submissions in given states with their events, in multi-row
    /// inserts, without the per-row audit (each key at most once, none stored yet); how
    /// many were written.
    async fn bulk_submissions(&self, actor: &Actor, subs: Vec<BulkSubmission>) -> Result<usize>;
}
