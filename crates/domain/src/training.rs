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
        let position = match self.position.as_deref().map(str::trim) {
            None | Some("") => {
                errs.add("position", FieldError::Required);
                None
            }
            Some(s) => {
                let p = Position::parse(s);
                if p.is_none() {
                    errs.add(
                        "position",
                        FieldError::UnknownValue {
                            allowed: Position::CODES.to_vec(),
                        },
                    );
                }
                p
            }
        };
        let date = |errs: &mut FieldErrors, f: &str, v: Option<&str>, required: bool| match v
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            None => {
                if required {
                    errs.add(f, FieldError::Required);
                }
                None
            }
            Some(s) => {
                let d = validate::parse_date(s);
                if d.is_none() {
                    errs.add(f, FieldError::InvalidDate);
                }
                d
            }
        };
        let since = date(&mut errs, "since", self.since.as_deref(), true);
        let until = date(&mut errs, "until", self.until.as_deref(), false);
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
