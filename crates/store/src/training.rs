//! M8: the office-holder register (a branch keeps its own org's subtree).

use async_trait::async_trait;
use chrono::NaiveDate;
use domain::training::{CourseKind, NewCourse, NewOfficeHolder, Position};
use serde::Serialize;

use crate::{Actor, PageReq, Paged, Result, Scope};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct OfficeHolder {
    pub id: i64,
    pub name: String,
    pub party_org_id: i64,
    pub position: Position,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
}

impl OfficeHolder {
    pub fn def(&self) -> NewOfficeHolder {
        NewOfficeHolder {
            name: self.name.clone(),
            party_org_id: self.party_org_id,
            position: self.position,
            since: self.since,
            until: self.until,
        }
    }
}

domain::list_filter! {
    /// Filters of the office-holder register.
    pub struct OfficeHolderFilter {
        /// of this org (exact)
        party_org_id: i64,
        /// in this position
        position: Position,
        /// in position on some day of this year
        year: i64,
        /// name contains this text
        q: String,
        /// in position on this day or later (still in position, or left on or after it)
        from: NaiveDate,
        /// in position on this day or earlier (appointed on or before it)
        to: NaiveDate,
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Course {
    pub id: i64,
    pub title: String,
    pub kind: CourseKind,
    pub organizer: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub hours: f64,
    #[serde(skip)]
    pub hours_tenths: i64,
}

impl Course {
    pub fn def(&self) -> NewCourse {
        NewCourse {
            title: self.title.clone(),
            kind: self.kind,
            organizer: self.organizer.clone(),
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            hours_tenths: self.hours_tenths,
        }
    }
}

/// One office-holder's hours on a course.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Attendance {
    pub course_id: i64,
    pub office_holder_id: i64,
    pub name: String,
    pub party_org_id: i64,
    pub hours: f64,
}

/// One office-holder's year (`GET /training/hours`).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct HoursItem {
    pub office_holder_id: i64,
    pub name: String,
    pub party_org_id: i64,
    pub position: Position,
    /// The position's hours pro rata to the days in position in the year, rounded up.
    pub required: i64,
    /// Hours of attended courses ending in the year.
    pub done: f64,
    pub met: bool,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct HoursSummary {
    pub people: i64,
    pub met: i64,
    /// met / people (0 when nobody).
    pub rate: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct TrainingHours {
    pub items: Vec<HoursItem>,
    pub summary: HoursSummary,
}

/// One row of a course's sign-in sheet: an office-holder named by exact name in an org of
/// the caller's scope, with the hours attended (already checked against the course's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceRow {
    /// The spreadsheet row number.
    pub row: usize,
    pub name: String,
    pub party_org_id: i64,
    pub hours_tenths: i64,
}

/// Synthetic or demo training records written in bulk (the demo and `seed`).
#[derive(Debug, Clone, Default)]
pub struct BulkTraining {
    pub office_holders: Vec<NewOfficeHolder>,
    pub courses: Vec<NewCourse>,
    /// (index into `office_holders`, index into `courses`, hours in tenths); once per pair.
    pub attendance: Vec<(usize, usize, i64)>,
}

#[async_trait]
pub trait TrainingStore: Send + Sync {
    /// The office-holders in scope (of `party_org_id`'s subtree when given) in position on
    /// some day of `year`, by org in tree order, with their required and done hours.
    async fn training_hours(
        &self,
        scope: &Scope,
        year: i32,
        party_org_id: Option<i64>,
    ) -> Result<TrainingHours>;
    /// The figures of [`TrainingStore::training_hours`] (scope, `year`) without its rows: one
    /// aggregate read of the office-holders and their hours, for the dashboard and the big
    /// screen.
    async fn training_summary(&self, scope: &Scope, year: i32) -> Result<HoursSummary>;
    async fn create_course(&self, actor: &Actor, c: NewCourse) -> Result<Course>;
    async fn update_course(&self, actor: &Actor, id: i64, c: NewCourse) -> Result<Course>;
    async fn get_course(&self, id: i64) -> Result<Course>;
    /// Latest first.
    async fn list_courses(&self, page: PageReq) -> Result<Paged<Course>>;
    /// The office-holder must be in scope (`Invalid` on `office_holder_id` otherwise); the
    /// same person twice → `Conflict("office_holder_id")`.
    async fn add_attendance(
        &self,
        actor: &Actor,
        scope: &Scope,
        course_id: i64,
        office_holder_id: i64,
        hours_tenths: i64,
    ) -> Result<Attendance>;
    /// Imports a course's sign-in sheet, all or nothing. Each row's office-holder is the one
    /// of that name in that org (in scope) in position on some day of the course; no such
    /// person, two of them, one already attending or named twice in the sheet is an error
    /// on its row. Any error — these or the caller's own `errors` found while reading the
    /// sheet — writes nothing and answers `StoreError::Rows` with all of them by row
    /// (messages are `train.import.*` keys). Each attendance is audited as one added by hand.
    /// The number written.
    async fn import_attendance(
        &self,
        actor: &Actor,
        scope: &Scope,
        course_id: i64,
        rows: Vec<AttendanceRow>,
        errors: Vec<crate::RowError>,
    ) -> Result<usize>;
    /// The attendance of office-holders in scope.
    async fn list_attendance(&self, scope: &Scope, course_id: i64) -> Result<Vec<Attendance>>;
    async fn delete_attendance(
        &self,
        actor: &Actor,
        scope: &Scope,
        course_id: i64,
        office_holder_id: i64,
    ) -> Result<()>;
    /// The org must exist (`Invalid` on `party_org_id`) and lie in scope (`Forbidden`).
    async fn create_office_holder(
        &self,
        actor: &Actor,
        scope: &Scope,
        h: NewOfficeHolder,
    ) -> Result<OfficeHolder>;
    async fn update_office_holder(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        h: NewOfficeHolder,
    ) -> Result<OfficeHolder>;
    async fn delete_office_holder(&self, actor: &Actor, scope: &Scope, id: i64) -> Result<()>;
    async fn get_office_holder(&self, scope: &Scope, id: i64) -> Result<OfficeHolder>;
    /// In scope, by org in tree order, then position and name.
    async fn list_office_holders(
        &self,
        scope: &Scope,
        f: &OfficeHolderFilter,
        page: PageReq,
    ) -> Result<Paged<OfficeHolder>>;
    /// Records this month's reminder of each office-holder short of the year's hours, once
    /// per person and month; the ones recorded now.
    async fn record_training_reminders(
        &self,
        today: NaiveDate,
        items: Vec<HoursItem>,
    ) -> Result<Vec<HoursItem>>;
    /// Writes `b` at once (one summary audit row); the ids of its office-holders and
    /// courses in order.
    async fn bulk_training(&self, actor: &Actor, b: BulkTraining) -> Result<(Vec<i64>, Vec<i64>)>;
}
