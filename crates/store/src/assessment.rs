//! M6: assessment schemes, the year's scores of each assessed org (auto leaves computed
//! from the records of its subtree, manual leaves and overrides entered by hand), grade
//! overrides, finalize, and the grade history.

use async_trait::async_trait;
use chrono::NaiveDate;
use domain::assessment::{
    IndicatorInput, Method, Metric, NewScheme, SchemeInput, SchemeState, Thresholds,
};
use domain::registry::OrgKind;
use domain::Grade;
use serde::Serialize;

use crate::{Actor, PageReq, Paged, Result, Scope};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Indicator {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub points: f64,
    /// Leaves only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<Method>,
    /// Auto leaves only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric: Option<Metric>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Scheme {
    pub id: i64,
    pub year: i32,
    pub title: String,
    pub state: SchemeState,
    pub org_kinds: Vec<OrgKind>,
    pub thresholds: Thresholds,
    /// Parents first, in the tree's order.
    pub indicators: Vec<Indicator>,
    /// When it was finalized (read-only).
    pub finalized_at: Option<String>,
}

impl Scheme {
    /// The scheme as a request would send it (stored ids as the keys).
    pub fn def(&self) -> SchemeInput {
        SchemeInput {
            year: Some(self.year as i64),
            title: Some(self.title.clone()),
            org_kinds: Some(
                self.org_kinds
                    .iter()
                    .map(|k| k.as_str().to_string())
                    .collect(),
            ),
            thresholds: Some(self.thresholds),
            indicators: Some(
                self.indicators
                    .iter()
                    .map(|i| IndicatorInput {
                        id: Some(i.id),
                        parent_id: i.parent_id,
                        name: Some(i.name.clone()),
                        points: Some(i.points),
                        method: i.method.map(|m| m.as_str().to_string()),
                        metric: i.metric.map(|m| m.as_str().to_string()),
                    })
                    .collect(),
            ),
        }
    }

    /// The leaves, in the tree's order.
    pub fn leaves(&self) -> impl Iterator<Item = &Indicator> + '_ {
        self.indicators.iter().filter(|i| i.method.is_some())
    }

    pub fn is_final(&self) -> bool {
        self.state == SchemeState::Final
    }
}

/// What an auto score was computed from: `numerator / denominator` (a denominator of 0:
/// nothing to count, full points).
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Basis {
    pub numerator: i64,
    pub denominator: i64,
}

/// Where a leaf's score comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScoreSource {
    Auto,
    Manual,
    Override,
}

impl ScoreSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ScoreSource::Auto => "auto",
            ScoreSource::Manual => "manual",
            ScoreSource::Override => "override",
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Score {
    pub indicator_id: i64,
    /// An auto leaf's computed score (null for a manual leaf).
    pub computed: Option<f64>,
    /// The score that counts: the override or manual score, else the computed one; null
    /// for a manual leaf not yet scored (it counts 0).
    pub score: Option<f64>,
    pub source: ScoreSource,
    pub comment: Option<String>,
    /// Auto leaves only.
    pub basis: Option<Basis>,
    /// Who entered the manual score or override, and when (read-only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Assessment {
    pub party_org_id: i64,
    /// The org's name (read-only).
    pub party_org_name: String,
    /// The sum of the leaf scores, to one decimal.
    pub total: f64,
    /// Every manual leaf scored.
    pub complete: bool,
    pub suggested_grade: Grade,
    /// The override, else the suggested grade.
    pub grade: Grade,
    pub grade_reason: Option<String>,
    /// Whether `grade` is an override (read-only).
    pub grade_overridden: bool,
    /// One per leaf, in the tree's order.
    pub scores: Vec<Score>,
    /// The org's path (for scope and subtree filters; not serialized).
    #[serde(skip)]
    pub path: String,
}

domain::list_filter! {
    /// Filters of `GET /assessments`.
    pub struct AssessmentFilter {
        /// exactly this org
        party_org_id: i64,
        /// the orgs of this org's subtree (the org itself included)
        under: i64,
        /// of this (final or suggested-when-not-overridden) grade
        grade: Grade,
        /// only the incomplete ones (a manual leaf not scored yet)
        incomplete: bool,
        /// `total` (ascending), `-total` (descending); default tree order
        sort: String,
    }
}

/// One entry of an org's grade history.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct GradeEntry {
    /// Null: the grade was removed.
    pub grade: Option<Grade>,
    pub since: NaiveDate,
    /// `assessment` (written by a finalize) or `manual` (a party org's `PATCH`).
    pub source: String,
    pub reason: Option<String>,
    pub scheme_id: Option<i64>,
    /// The username that made the change.
    pub by: String,
}

/// A manual score or override (`score` null: remove it).
#[derive(Debug, Clone, PartialEq)]
pub struct NewScore {
    pub party_org_id: i64,
    pub indicator_id: i64,
    pub score: Option<f64>,
    pub comment: Option<String>,
}

/// A grade override (`grade` null: remove it).
#[derive(Debug, Clone, PartialEq)]
pub struct NewGrade {
    pub party_org_id: i64,
    pub grade: Option<Grade>,
    pub reason: Option<String>,
}

/// Synthetic or demo scores written at once: (org, indicator, score in tenths, comment).
#[derive(Debug, Clone, Default)]
pub struct BulkScores {
    pub scores: Vec<(i64, i64, i64, Option<String>)>,
    pub grades: Vec<(i64, Grade, Option<String>)>,
}

#[async_trait]
pub trait AssessmentStore: Send + Sync {
    async fn create_scheme(&self, actor: &Actor, s: NewScheme) -> Result<Scheme>;
    /// A final scheme → `InUse("assessment_final")`. Indicators whose request key is a stored id of
    /// this scheme are kept (with their scores); the others are new; stored ones not sent
    /// are removed with their scores. A leaf whose method changes loses its scores; scores
    /// above a leaf's new points are lowered to them.
    async fn update_scheme(&self, actor: &Actor, id: i64, s: NewScheme) -> Result<Scheme>;
    async fn get_scheme(&self, id: i64) -> Result<Scheme>;
    /// Latest year first.
    async fn list_schemes(&self, page: PageReq) -> Result<Paged<Scheme>>;
    /// Every assessed org's assessment in scope, filtered and sorted (computed once per
    /// scheme and day until the data changes; a final scheme's from what finalize froze).
    async fn assessments(
        &self,
        scope: &Scope,
        scheme_id: i64,
        f: &AssessmentFilter,
        today: NaiveDate,
        page: PageReq,
    ) -> Result<Paged<Assessment>>;
    /// How many assessed orgs in scope have each grade (the override, else the suggested
    /// one): the big screen's distribution, from the same memoized list in one read.
    async fn assessment_grades(
        &self,
        scope: &Scope,
        scheme_id: i64,
        today: NaiveDate,
    ) -> Result<crate::GradeCounts>;
    /// One org's assessment (`NotFound` when out of scope or not assessed).
    async fn assessment(
        &self,
        scope: &Scope,
        scheme_id: i64,
        party_org_id: i64,
        today: NaiveDate,
    ) -> Result<Assessment>;
    /// Sets or removes a manual score or override; the org's assessment after.
    async fn put_score(
        &self,
        actor: &Actor,
        scheme_id: i64,
        s: NewScore,
        today: NaiveDate,
    ) -> Result<Assessment>;
    /// Sets or removes a grade override; the org's assessment after.
    async fn put_grade(
        &self,
        actor: &Actor,
        scheme_id: i64,
        g: NewGrade,
        today: NaiveDate,
    ) -> Result<Assessment>;
    /// Freezes the scores, writes each assessed org's grade as its current grade and into
    /// its history (`since` = `today`). Already final → `InUse("assessment_final")`.
    async fn finalize_scheme(&self, actor: &Actor, id: i64, today: NaiveDate) -> Result<Scheme>;
    /// Newest first (`NotFound` when the org is out of scope).
    async fn grade_history(&self, scope: &Scope, party_org_id: i64) -> Result<Vec<GradeEntry>>;
    /// Demo and seed scores in one transaction (one audit row), bypassing the checks but
    /// the scheme's being open.
    async fn bulk_scores(&self, actor: &Actor, scheme_id: i64, b: BulkScores) -> Result<()>;
}
