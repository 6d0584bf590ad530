//! M8: office-holders' yearly training hours against the requirement.
//!
//! Only office-holders are named (PRODUCT.md, minimal personal data); members stay counts.
//! The requirement of a year is the position's yearly hours (`[rules]
//! training_hours_leaders` for secretaries, deputy secretaries and committee members,
//! `training_hours_others` for other party workers) in proportion to the days in position
//! in that year, rounded up to a whole hour.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Rules;

code_enum!(
    /// A party post whose holder is named and trained.
    Position {
        Secretary = "secretary",
        DeputySecretary = "deputy_secretary",
        CommitteeMember = "committee_member",
        PartyWorker = "party_worker",
    }
);

impl Position {
    /// The full year's hours of the position.
    pub fn yearly_hours(self, rules: &Rules) -> i64 {
        match self {
            Position::PartyWorker => rules.training_hours_others,
            _ => rules.training_hours_leaders,
        }
    }
}

fn year_bounds(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(year, 1, 1)?,
        NaiveDate::from_ymd_opt(year, 12, 31)?,
    ))
}

/// Days of `year` (365 or 366).
pub fn days_in_year(year: i32) -> i64 {
    year_bounds(year).map_or(365, |(a, b)| (b - a).num_days() + 1)
}

/// Days of `year` in position from `since` to `until` (both included; `None`: still in
/// position). 0 when the spans do not meet.
pub fn days_in_position(since: NaiveDate, until: Option<NaiveDate>, year: i32) -> i64 {
    let Some((first, last)) = year_bounds(year) else {
        return 0;
    };
    let from = since.max(first);
    let to = until.map_or(last, |u| u.min(last));
    if to < from {
        0
    } else {
        (to - from).num_days() + 1
    }
}

/// Whether the holder was in position on some day of `year`.
pub fn in_position_during(since: NaiveDate, until: Option<NaiveDate>, year: i32) -> bool {
    days_in_position(since, until, year) > 0
}

/// The year's required hours: the position's hours × days in position / days in the year,
/// rounded up to a whole hour (0 when not in position that year).
pub fn required_hours(
    position: Position,
    since: NaiveDate,
    until: Option<NaiveDate>,
    year: i32,
    rules: &Rules,
) -> i64 {
    let days = days_in_position(since, until, year);
    let hours = position.yearly_hours(rules).max(0);
    // integer ceiling of hours × days / days_in_year, exact (no float rounding)
    let n = hours * days;
    let d = days_in_year(year);
    (n + d - 1) / d
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        crate::validate::parse_date(s).unwrap()
    }

    #[test]
    fn the_requirement_is_pro_rata_to_the_days_in_position() {
        let r = Rules::default();
        let sec = Position::Secretary;
        // in position all year, and from before it
        assert_eq!(required_hours(sec, d("2020-05-01"), None, 2023, &r), 56);
        assert_eq!(
            required_hours(sec, d("2023-01-01"), Some(d("2023-12-31")), 2023, &r),
            56
        );
        assert_eq!(
            required_hours(Position::PartyWorker, d("2019-01-01"), None, 2023, &r),
            32
        );
        // appointed mid-year: 1 July – 31 December 2023 is 184 of 365 days → 28.2 → 29
        assert_eq!(days_in_position(d("2023-07-01"), None, 2023), 184);
        assert_eq!(required_hours(sec, d("2023-07-01"), None, 2023, &r), 29);
        // left mid-year: 1 January – 30 June 2023 is 181 days → 27.8 → 28
        assert_eq!(
            required_hours(sec, d("2020-01-01"), Some(d("2023-06-30")), 2023, &r),
            28
        );
        // a leap year has 366 days: 1 July – 31 December 2024 is 184 of 366 → 28.2 → 29;
        // 29 February counts
        assert_eq!(days_in_year(2024), 366);
        assert_eq!(
            days_in_position(d("2024-02-29"), Some(d("2024-02-29")), 2024),
            1
        );
        assert_eq!(required_hours(sec, d("2024-07-01"), None, 2024, &r), 29);
        // appointed and left in the same year: 1 March – 31 May 2023 is 92 days → 14.1 → 15
        assert_eq!(
            required_hours(sec, d("2023-03-01"), Some(d("2023-05-31")), 2023, &r),
            15
        );
        // one day still asks for an hour; not in position that year asks for none
        assert_eq!(required_hours(sec, d("2023-12-31"), None, 2023, &r), 1);
        assert_eq!(required_hours(sec, d("2024-01-01"), None, 2023, &r), 0);
        assert_eq!(
            required_hours(sec, d("2020-01-01"), Some(d("2022-12-31")), 2023, &r),
            0
        );
        assert!(!in_position_during(d("2024-01-01"), None, 2023));
        // configured hours
        let r2 = Rules {
            training_hours_leaders: 40,
            ..Rules::default()
        };
        assert_eq!(required_hours(sec, d("2020-01-01"), None, 2023, &r2), 40);
    }

    proptest! {
        /// Never more than the full year's hours, never negative, and a full year asks
        /// exactly the position's hours; more days never ask less.
        #[test]
        fn the_requirement_is_bounded_and_monotone(
            start in 0i64..800, len in 0i64..800, year in 2019i32..2027
        ) {
            let r = Rules::default();
            let base = d("2019-01-01");
            let since = base + chrono::Duration::days(start);
            let until = since + chrono::Duration::days(len);
            for p in Position::ALL {
                let h = required_hours(*p, since, Some(until), year, &r);
                prop_assert!((0..=p.yearly_hours(&r)).contains(&h));
                let longer = required_hours(*p, since, Some(until + chrono::Duration::days(1)), year, &r);
                prop_assert!(longer >= h);
                let days = days_in_position(since, Some(until), year);
                prop_assert_eq!(h == 0, days == 0);
            }
        }
    }
}

pub const NAME_MAX: usize = 50;

/// `POST /office-holders` (and what a `PATCH` is merged into).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficeHolderInput {
    #[schema(required, max_length = 50)]
    pub name: Option<String>,
    #[schema(required)]
    pub party_org_id: Option<i64>,
    #[schema(required, value_type = Option<Position>)]
    pub position: Option<String>,
    #[schema(required, value_type = Option<NaiveDate>)]
    pub since: Option<String>,
    /// Left the position (null: still in it).
    #[schema(value_type = Option<NaiveDate>)]
    pub until: Option<String>,
}

/// A checked office-holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOfficeHolder {
    pub name: String,
    pub party_org_id: i64,
    pub position: Position,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
}

impl OfficeHolderInput {
    pub fn validate(&self) -> Result<NewOfficeHolder, crate::FieldErrors> {
        use crate::{validate, FieldError, FieldErrors};
        let mut errs = FieldErrors::new();
        let name = validate::name(
            &mut errs,
            "name",
            self.name.as_deref().unwrap_or(""),
            NAME_MAX,
        );
        if self.party_org_id.is_none() {
            errs.add("party_org_id", FieldError::Required);
        }
        let position = validate::required_code(
            &mut errs,
            "position",
            self.position.as_deref(),
            Position::parse,
            Position::CODES,
        );
        let since = validate::required_date(&mut errs, "since", self.since.as_deref());
        let until = validate::opt_date(&mut errs, "until", self.until.as_deref());
        if let (Some(a), Some(b)) = (since, until) {
            if b < a {
                errs.add("until", FieldError::TooEarly);
            }
        }
        errs.into_result()?;
        match (self.party_org_id, position, since) {
            (Some(party_org_id), Some(position), Some(since)) => Ok(NewOfficeHolder {
                name,
                party_org_id,
                position,
                since,
                until,
            }),
            _ => Err(FieldErrors::single("name", FieldError::Required)),
        }
    }
}

impl NewOfficeHolder {
    pub fn input(&self) -> OfficeHolderInput {
        OfficeHolderInput {
            name: Some(self.name.clone()),
            party_org_id: Some(self.party_org_id),
            position: Some(self.position.as_str().into()),
            since: Some(self.since.to_string()),
            until: self.until.map(|d| d.to_string()),
        }
    }
}

code_enum!(
    /// The kind of a course.
    CourseKind {
        Class = "class",
        Lecture = "lecture",
        Online = "online",
        Other = "other",
    }
);

pub const TITLE_MAX: usize = 200;
/// Longest course, in hours.
pub const HOURS_MAX: f64 = 1000.0;

/// Hours as a JSON number, > 0, at most one decimal; kept as tenths.
pub fn tenths(errs: &mut crate::FieldErrors, field: &str, v: Option<f64>) -> Option<i64> {
    use crate::FieldError;
    let x = match v {
        None => {
            errs.add(field, FieldError::Required);
            return None;
        }
        Some(x) => x,
    };
    if !x.is_finite() || x > HOURS_MAX {
        errs.add(
            field,
            FieldError::TooLarge {
                max: HOURS_MAX as i64,
            },
        );
        return None;
    }
    if x <= 0.0 {
        errs.add(field, FieldError::TooSmall { min: 0 });
        return None;
    }
    let t = (x * 10.0).round();
    if ((x * 10.0) - t).abs() > 1e-6 {
        errs.add(field, FieldError::Decimals { max: 1 });
        return None;
    }
    Some(t as i64)
}

/// `POST /courses` (and what a `PATCH` is merged into).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CourseInput {
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    #[schema(required, value_type = Option<CourseKind>)]
    pub kind: Option<String>,
    pub organizer: Option<String>,
    #[schema(required, value_type = Option<NaiveDate>)]
    pub starts_on: Option<String>,
    #[schema(required, value_type = Option<NaiveDate>)]
    pub ends_on: Option<String>,
    /// Hours, > 0, at most one decimal.
    #[schema(required)]
    pub hours: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCourse {
    pub title: String,
    pub kind: CourseKind,
    pub organizer: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub hours_tenths: i64,
}

impl CourseInput {
    pub fn validate(&self) -> Result<NewCourse, crate::FieldErrors> {
        use crate::{validate, FieldError, FieldErrors};
        let mut errs = FieldErrors::new();
        let title = validate::name(
            &mut errs,
            "title",
            self.title.as_deref().unwrap_or(""),
            TITLE_MAX,
        );
        let kind = validate::required_code(
            &mut errs,
            "kind",
            self.kind.as_deref(),
            CourseKind::parse,
            CourseKind::CODES,
        );
        let organizer =
            validate::opt_text(&mut errs, "organizer", self.organizer.as_deref(), TITLE_MAX);
        let starts_on = validate::required_date(&mut errs, "starts_on", self.starts_on.as_deref());
        let ends_on = validate::required_date(&mut errs, "ends_on", self.ends_on.as_deref());
        if let (Some(a), Some(b)) = (starts_on, ends_on) {
            if b < a {
                errs.add("ends_on", FieldError::TooEarly);
            }
        }
        let hours = tenths(&mut errs, "hours", self.hours);
        errs.into_result()?;
        match (kind, starts_on, ends_on, hours) {
            (Some(kind), Some(starts_on), Some(ends_on), Some(hours_tenths)) => Ok(NewCourse {
                title,
                kind,
                organizer,
                starts_on,
                ends_on,
                hours_tenths,
            }),
            _ => Err(FieldErrors::single("title", FieldError::Required)),
        }
    }
}

impl NewCourse {
    pub fn input(&self) -> CourseInput {
        CourseInput {
            title: Some(self.title.clone()),
            kind: Some(self.kind.as_str().into()),
            organizer: self.organizer.clone(),
            starts_on: Some(self.starts_on.to_string()),
            ends_on: Some(self.ends_on.to_string()),
            hours: Some(self.hours_tenths as f64 / 10.0),
        }
    }
}

/// `POST /courses/{id}/attendance`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceInput {
    #[schema(required)]
    pub office_holder_id: Option<i64>,
    /// Default: the course's hours; more than the course's → 422.
    pub hours: Option<f64>,
}

impl AttendanceInput {
    /// `(office_holder_id, hours in tenths)` within the course's `max_tenths`.
    pub fn validate(&self, max_tenths: i64) -> Result<(i64, i64), crate::FieldErrors> {
        use crate::{FieldError, FieldErrors};
        let mut errs = FieldErrors::new();
        if self.office_holder_id.is_none() {
            errs.add("office_holder_id", FieldError::Required);
        }
        let hours = match self.hours {
            None => Some(max_tenths),
            h => tenths(&mut errs, "hours", h),
        };
        if hours.is_some_and(|h| h > max_tenths) {
            errs.add(
                "hours",
                FieldError::OutOfRange {
                    min: None,
                    max: Some(crate::reports::fmt_num(max_tenths as f64 / 10.0)),
                },
            );
        }
        errs.into_result()?;
        match (self.office_holder_id, hours) {
            (Some(o), Some(h)) => Ok((o, h)),
            _ => Err(FieldErrors::single(
                "office_holder_id",
                FieldError::Required,
            )),
        }
    }
}
