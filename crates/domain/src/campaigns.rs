//! M7: campaigns (专项行动) — a drive with a target, e.g. 社区报到: party orgs take part
//! (participants, with the place they reported to) and record what they did (campaign
//! records); progress is the participants against the target.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{validate, FieldError, FieldErrors};

code_enum!(
    /// The kind of a campaign.
    CampaignKind {
        CommunityCheckIn = "community_check_in",
        Essay = "essay",
        Lecture = "lecture",
        Other = "other",
    }
);

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 5000;
pub const PLACE_MAX: usize = 200;
pub const NOTES_MAX: usize = 5000;
/// Largest target (organizations) and largest number of people of one record.
pub const COUNT_MAX: i64 = 1_000_000;

/// The days of a campaign, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

impl Days {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.starts_on <= d && d <= self.ends_on
    }

    /// Open on `day`.
    pub fn open_on(&self, day: NaiveDate) -> bool {
        self.contains(day)
    }

    /// Has a day in `year`.
    pub fn overlaps_year(&self, year: i32) -> bool {
        use chrono::Datelike;
        self.starts_on.year() <= year && year <= self.ends_on.year()
    }

    /// `d` as the value of `field` lies within the days (else the error naming it).
    pub fn check(&self, field: &str, d: NaiveDate) -> Result<(), FieldErrors> {
        if self.contains(d) {
            Ok(())
        } else {
            Err(FieldErrors::single(field, self.outside()))
        }
    }

    /// The error of a day outside the campaign: the bounds it must lie between.
    fn outside(&self) -> FieldError {
        FieldError::OutOfRange {
            min: Some(self.starts_on.to_string()),
            max: Some(self.ends_on.to_string()),
        }
    }
}

/// participants / target, rounded to 4 decimals; may exceed 1; 0 when the target is 0.
pub fn rate(participants: i64, target: i64) -> f64 {
    if target <= 0 {
        0.0
    } else {
        crate::reports::round4(participants as f64 / target as f64)
    }
}

/// An integer count in [0, COUNT_MAX].
fn count(errs: &mut FieldErrors, field: &str, v: i64) -> i64 {
    if v < 0 {
        errs.add(field, FieldError::Negative);
    } else if v > COUNT_MAX {
        errs.add(field, FieldError::TooLarge { max: COUNT_MAX });
    }
    v
}

/// `POST /campaigns` (and what a `PATCH` is merged into).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    #[schema(required, value_type = Option<CampaignKind>)]
    pub kind: Option<String>,
    #[schema(required, value_type = Option<NaiveDate>)]
    pub starts_on: Option<String>,
    /// Not before `starts_on`.
    #[schema(required, value_type = Option<NaiveDate>)]
    pub ends_on: Option<String>,
    /// Participating organizations aimed at, an integer ≥ 0 (0: no number set).
    #[schema(required, minimum = 0, maximum = 1000000)]
    pub target: Option<i64>,
    #[schema(max_length = 5000)]
    pub description: Option<String>,
}

/// A checked campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCampaign {
    pub title: String,
    pub kind: CampaignKind,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub target: i64,
    pub description: Option<String>,
}

impl CampaignInput {
    pub fn validate(&self) -> Result<NewCampaign, FieldErrors> {
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
            CampaignKind::parse,
            CampaignKind::CODES,
        );
        let starts_on = validate::required_date(&mut errs, "starts_on", self.starts_on.as_deref());
        let ends_on = validate::required_date(&mut errs, "ends_on", self.ends_on.as_deref());
        if let (Some(a), Some(b)) = (starts_on, ends_on) {
            if b < a {
                errs.add("ends_on", FieldError::TooEarly);
            }
        }
        let target = match self.target {
            None => {
                errs.add("target", FieldError::Required);
                None
            }
            Some(t) => Some(count(&mut errs, "target", t)),
        };
        let description = validate::opt_text(
            &mut errs,
            "description",
            self.description.as_deref(),
            DESCRIPTION_MAX,
        );
        errs.into_result()?;
        match (kind, starts_on, ends_on, target) {
            (Some(kind), Some(starts_on), Some(ends_on), Some(target)) => Ok(NewCampaign {
                title,
                kind,
                starts_on,
                ends_on,
                target,
                description,
            }),
            _ => Err(FieldErrors::single("title", FieldError::Required)),
        }
    }
}

impl NewCampaign {
    pub fn days(&self) -> Days {
        Days {
            starts_on: self.starts_on,
            ends_on: self.ends_on,
        }
    }

    pub fn input(&self) -> CampaignInput {
        CampaignInput {
            title: Some(self.title.clone()),
            kind: Some(self.kind.as_str().into()),
            starts_on: Some(self.starts_on.to_string()),
            ends_on: Some(self.ends_on.to_string()),
            target: Some(self.target),
            description: self.description.clone(),
        }
    }
}

/// `POST /campaigns/{id}/participants`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantInput {
    #[schema(required)]
    pub party_org_id: Option<i64>,
    /// A day of the campaign.
    #[schema(required, value_type = Option<NaiveDate>)]
    pub joined_on: Option<String>,
    /// Where the org reported, e.g. the community (社区) it serves.
    #[schema(max_length = 200)]
    pub place: Option<String>,
}

/// A checked participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewParticipant {
    pub party_org_id: i64,
    pub joined_on: NaiveDate,
    pub place: Option<String>,
}

impl ParticipantInput {
    /// Checked against the campaign's days.
    pub fn validate(&self, days: Days) -> Result<NewParticipant, FieldErrors> {
        let mut errs = FieldErrors::new();
        if self.party_org_id.is_none() {
            errs.add("party_org_id", FieldError::Required);
        }
        let joined_on = validate::required_date(&mut errs, "joined_on", self.joined_on.as_deref());
        if joined_on.is_some_and(|d| !days.contains(d)) {
            errs.add("joined_on", days.outside());
        }
        let place = validate::opt_text(&mut errs, "place", self.place.as_deref(), PLACE_MAX);
        errs.into_result()?;
        match (self.party_org_id, joined_on) {
            (Some(party_org_id), Some(joined_on)) => Ok(NewParticipant {
                party_org_id,
                joined_on,
                place,
            }),
            _ => Err(FieldErrors::single("party_org_id", FieldError::Required)),
        }
    }
}

/// `POST /campaigns/{id}/records` (and what a `PATCH` is merged into).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordInput {
    /// A participant of the campaign.
    #[schema(required)]
    pub party_org_id: Option<i64>,
    /// A day of the campaign, not in the future.
    #[schema(required, value_type = Option<NaiveDate>)]
    pub held_on: Option<String>,
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    /// How many people took part (a number, never names).
    #[schema(minimum = 0, maximum = 1000000)]
    pub participants: Option<i64>,
    #[schema(max_length = 5000)]
    pub notes: Option<String>,
}

/// A checked campaign record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    pub party_org_id: i64,
    pub held_on: NaiveDate,
    pub title: String,
    pub participants: Option<i64>,
    pub notes: Option<String>,
}

impl RecordInput {
    /// Checked against the campaign's days and `today` (whether the org takes part is the
    /// store's to check).
    pub fn validate(&self, days: Days, today: NaiveDate) -> Result<NewRecord, FieldErrors> {
        let mut errs = FieldErrors::new();
        if self.party_org_id.is_none() {
            errs.add("party_org_id", FieldError::Required);
        }
        let held_on = validate::required_date(&mut errs, "held_on", self.held_on.as_deref());
        match held_on {
            Some(d) if !days.contains(d) => errs.add("held_on", days.outside()),
            Some(d) if d > today => errs.add("held_on", FieldError::InFuture),
            _ => {}
        }
        let title = validate::name(
            &mut errs,
            "title",
            self.title.as_deref().unwrap_or(""),
            TITLE_MAX,
        );
        let participants = self
            .participants
            .map(|n| count(&mut errs, "participants", n));
        let notes = validate::opt_text(&mut errs, "notes", self.notes.as_deref(), NOTES_MAX);
        errs.into_result()?;
        match (self.party_org_id, held_on) {
            (Some(party_org_id), Some(held_on)) => Ok(NewRecord {
                party_org_id,
                held_on,
                title,
                participants,
                notes,
            }),
            _ => Err(FieldErrors::single("party_org_id", FieldError::Required)),
        }
    }
}

impl NewRecord {
    pub fn input(&self) -> RecordInput {
        RecordInput {
            party_org_id: Some(self.party_org_id),
            held_on: Some(self.held_on.to_string()),
            title: Some(self.title.clone()),
            participants: self.participants,
            notes: self.notes.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        validate::parse_date(s).unwrap()
    }

    fn campaign() -> CampaignInput {
        CampaignInput {
            title: Some(" 社区报到·治理增效 ".into()),
            kind: Some("community_check_in".into()),
            starts_on: Some("2024-03-01".into()),
            ends_on: Some("2024-06-30".into()),
            target: Some(100),
            description: Some("  ".into()),
        }
    }

    fn field(r: Result<impl std::fmt::Debug, FieldErrors>) -> Vec<String> {
        r.unwrap_err().0.into_keys().collect()
    }

    #[test]
    fn a_campaign_has_its_days_in_order_and_a_target_of_at_least_zero() {
        let c = campaign().validate().unwrap();
        assert_eq!(c.title, "社区报到·治理增效");
        assert_eq!(c.kind, CampaignKind::CommunityCheckIn);
        assert_eq!(c.description, None);
        assert_eq!(c.input().validate().unwrap(), c);
        // one day is a campaign too
        let one = CampaignInput {
            ends_on: Some("2024-03-01".into()),
            target: Some(0),
            ..campaign()
        };
        assert!(one.validate().is_ok());
        for (bad, want) in [
            (
                CampaignInput {
                    ends_on: Some("2024-02-29".into()),
                    ..campaign()
                },
                "ends_on",
            ),
            (
                CampaignInput {
                    target: Some(-1),
                    ..campaign()
                },
                "target",
            ),
            (
                CampaignInput {
                    target: None,
                    ..campaign()
                },
                "target",
            ),
            (
                CampaignInput {
                    kind: Some("parade".into()),
                    ..campaign()
                },
                "kind",
            ),
            (
                CampaignInput {
                    starts_on: Some("2024-02-30".into()),
                    ..campaign()
                },
                "starts_on",
            ),
            (
                CampaignInput {
                    title: Some(" ".into()),
                    ..campaign()
                },
                "title",
            ),
        ] {
            assert_eq!(field(bad.validate()), vec![want.to_string()]);
        }
    }

    #[test]
    fn participants_join_and_records_are_held_within_the_campaign() {
        let days = campaign().validate().unwrap().days();
        let p = |on: &str| ParticipantInput {
            party_org_id: Some(7),
            joined_on: Some(on.into()),
            place: Some("南岸区花园路社区".into()),
        };
        assert_eq!(
            p("2024-03-01").validate(days).unwrap().joined_on,
            d("2024-03-01")
        );
        assert!(p("2024-06-30").validate(days).is_ok());
        assert_eq!(field(p("2024-02-29").validate(days)), vec!["joined_on"]);
        assert_eq!(field(p("2024-07-01").validate(days)), vec!["joined_on"]);
        let no_day = ParticipantInput {
            joined_on: None,
            ..p("2024-03-01")
        };
        assert_eq!(field(no_day.validate(days)), vec!["joined_on"]);

        let today = d("2024-05-10");
        let r = |on: &str| RecordInput {
            party_org_id: Some(7),
            held_on: Some(on.into()),
            title: Some("社区志愿服务".into()),
            participants: Some(12),
            notes: None,
        };
        let ok = r("2024-05-10").validate(days, today).unwrap();
        assert_eq!(ok.participants, Some(12));
        assert_eq!(ok.input().validate(days, today).unwrap(), ok);
        assert_eq!(
            field(r("2024-05-11").validate(days, today)),
            vec!["held_on"]
        );
        let e = r("2024-02-01").validate(days, today).unwrap_err();
        assert_eq!(
            e.0["held_on"],
            FieldError::OutOfRange {
                min: Some("2024-03-01".into()),
                max: Some("2024-06-30".into())
            }
        );
        assert_eq!(
            r("2024-05-11").validate(days, today).unwrap_err().0["held_on"],
            FieldError::InFuture
        );
        let negative = RecordInput {
            participants: Some(-3),
            ..r("2024-04-01")
        };
        assert_eq!(field(negative.validate(days, today)), vec!["participants"]);
        let none = RecordInput {
            participants: None,
            ..r("2024-04-01")
        };
        assert_eq!(none.validate(days, today).unwrap().participants, None);
    }

    #[test]
    fn the_rate_is_participants_over_the_target() {
        assert_eq!(rate(3, 4), 0.75);
        assert_eq!(rate(2, 3), 0.6667);
        assert_eq!(rate(5, 4), 1.25);
        assert_eq!(rate(5, 0), 0.0);
        assert_eq!(rate(0, 100), 0.0);
        let days = Days {
            starts_on: d("2023-11-01"),
            ends_on: d("2024-02-29"),
        };
        assert!(days.overlaps_year(2023) && days.overlaps_year(2024));
        assert!(!days.overlaps_year(2022) && !days.overlaps_year(2025));
        assert!(days.open_on(d("2024-02-29")) && !days.open_on(d("2024-03-01")));
    }
}
