//! M9: committee members' liaison with party orgs (联系点, W16), their visits, research
//! reports (调研报告) and the library of typical cases (典型案例, W15).
//!
//! A liaison joins a committee member (a user of role `committee`) to an org from `since`
//! to `until` (null: open-ended); it is current on a day within those dates. Each member is
//! expected to liaise with `[rules] liaison_orgs` orgs (3).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{validate, FieldError, FieldErrors};

/// Whether a liaison from `since` to `until` (both included, `None`: open) is current on
/// `today`.
pub fn is_current(since: NaiveDate, until: Option<NaiveDate>, today: NaiveDate) -> bool {
    since <= today && until.is_none_or(|u| u >= today)
}

/// Whether two spans (both included, `None`: open) share a day.
pub fn overlaps(a: (NaiveDate, Option<NaiveDate>), b: (NaiveDate, Option<NaiveDate>)) -> bool {
    let a_end = a.1.unwrap_or(NaiveDate::MAX);
    let b_end = b.1.unwrap_or(NaiveDate::MAX);
    a.0 <= b_end && b.0 <= a_end
}

/// Earliest and latest year a record may be of.
pub const YEAR_MIN: i64 = 1949;
pub const YEAR_MAX: i64 = 2200;

/// A required year within [`YEAR_MIN`]..=[`YEAR_MAX`].
pub fn required_year(errs: &mut FieldErrors, field: &str, v: Option<i64>) -> Option<i32> {
    match v {
        None => {
            errs.add(field, FieldError::Required);
            None
        }
        Some(y) if y < YEAR_MIN => {
            errs.add(field, FieldError::TooSmall { min: YEAR_MIN });
            None
        }
        Some(y) if y > YEAR_MAX => {
            errs.add(field, FieldError::TooLarge { max: YEAR_MAX });
            None
        }
        Some(y) => Some(y as i32),
    }
}

// ---------------------------------------------------------------- liaisons

/// `POST /liaisons` (and what a `PATCH` is merged into).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LiaisonInput {
    /// A user of role `committee` (422 otherwise).
    #[schema(required)]
    pub user_id: Option<i64>,
    #[schema(required)]
    pub party_org_id: Option<i64>,
    #[schema(required, value_type = Option<NaiveDate>)]
    pub since: Option<String>,
    /// The last day (null: open-ended); not before `since`.
    #[schema(value_type = Option<NaiveDate>)]
    pub until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLiaison {
    pub user_id: i64,
    pub party_org_id: i64,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
}

impl LiaisonInput {
    pub fn validate(&self) -> Result<NewLiaison, FieldErrors> {
        let mut errs = FieldErrors::new();
        if self.user_id.is_none() {
            errs.add("user_id", FieldError::Required);
        }
        if self.party_org_id.is_none() {
            errs.add("party_org_id", FieldError::Required);
        }
        let since = validate::required_date(&mut errs, "since", self.since.as_deref());
        let until = validate::opt_date(&mut errs, "until", self.until.as_deref());
        if let (Some(a), Some(b)) = (since, until) {
            if b < a {
                errs.add("until", FieldError::TooEarly);
            }
        }
        errs.into_result()?;
        match (self.user_id, self.party_org_id, since) {
            (Some(user_id), Some(party_org_id), Some(since)) => Ok(NewLiaison {
                user_id,
                party_org_id,
                since,
                until,
            }),
            _ => Err(FieldErrors::single("user_id", FieldError::Required)),
        }
    }
}

impl NewLiaison {
    pub fn input(&self) -> LiaisonInput {
        LiaisonInput {
            user_id: Some(self.user_id),
            party_org_id: Some(self.party_org_id),
            since: Some(self.since.to_string()),
            until: self.until.map(|d| d.to_string()),
        }
    }
}

// ---------------------------------------------------------------- visits

code_enum!(
    /// What a liaison's visit was (走访 / 指导 / 调研 / 宣讲).
    VisitKind {
        Visit = "visit",
        Guidance = "guidance",
        Research = "research",
        Lecture = "lecture",
    }
);

pub const NOTES_MAX: usize = 5000;
pub const TITLE_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 20_000;
/// Most orgs one research report concerns.
pub const REPORT_ORGS_MAX: usize = 500;

/// `POST /visits` (and what a `PATCH` is merged into).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitInput {
    /// The committee member (or office staff) who visited; default: the caller.
    pub user_id: Option<i64>,
    #[schema(required)]
    pub party_org_id: Option<i64>,
    /// Not in the future.
    #[schema(required, value_type = Option<NaiveDate>)]
    pub held_on: Option<String>,
    #[schema(required, value_type = Option<VisitKind>)]
    pub kind: Option<String>,
    #[schema(max_length = 5000)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVisit {
    pub user_id: i64,
    pub party_org_id: i64,
    pub held_on: NaiveDate,
    pub kind: VisitKind,
    pub notes: Option<String>,
}

impl VisitInput {
    /// `caller` is the user a visit without `user_id` is of.
    pub fn validate(&self, today: NaiveDate, caller: i64) -> Result<NewVisit, FieldErrors> {
        let mut errs = FieldErrors::new();
        if self.party_org_id.is_none() {
            errs.add("party_org_id", FieldError::Required);
        }
        let held_on = validate::required_date(&mut errs, "held_on", self.held_on.as_deref());
        if held_on.is_some_and(|d| d > today) {
            errs.add("held_on", FieldError::InFuture);
        }
        let kind = validate::required_code(
            &mut errs,
            "kind",
            self.kind.as_deref(),
            VisitKind::parse,
            VisitKind::CODES,
        );
        let notes = validate::opt_text(&mut errs, "notes", self.notes.as_deref(), NOTES_MAX);
        errs.into_result()?;
        match (self.party_org_id, held_on, kind) {
            (Some(party_org_id), Some(held_on), Some(kind)) => Ok(NewVisit {
                user_id: self.user_id.unwrap_or(caller),
                party_org_id,
                held_on,
                kind,
                notes,
            }),
            _ => Err(FieldErrors::single("party_org_id", FieldError::Required)),
        }
    }
}

impl NewVisit {
    pub fn input(&self) -> VisitInput {
        VisitInput {
            user_id: Some(self.user_id),
            party_org_id: Some(self.party_org_id),
            held_on: Some(self.held_on.to_string()),
            kind: Some(self.kind.as_str().into()),
            notes: self.notes.clone(),
        }
    }
}

// ---------------------------------------------------------------- research reports

/// `POST /research-reports` (and what a `PATCH` is merged into).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResearchReportInput {
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    #[schema(required, minimum = 1949, maximum = 2200)]
    pub year: Option<i64>,
    #[schema(max_length = 20000)]
    pub summary: Option<String>,
    /// The author, a user of role `committee` or `admin`; default: the caller.
    pub author_user_id: Option<i64>,
    /// The orgs the report concerns (may be empty).
    pub party_org_ids: Option<Vec<i64>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewResearchReport {
    pub title: String,
    pub year: i32,
    pub summary: Option<String>,
    pub author_user_id: i64,
    /// Distinct, in the order given.
    pub party_org_ids: Vec<i64>,
}

impl ResearchReportInput {
    pub fn validate(&self, caller: i64) -> Result<NewResearchReport, FieldErrors> {
        let mut errs = FieldErrors::new();
        let title = validate::name(
            &mut errs,
            "title",
            self.title.as_deref().unwrap_or(""),
            TITLE_MAX,
        );
        let year = required_year(&mut errs, "year", self.year);
        let summary =
            validate::opt_text(&mut errs, "summary", self.summary.as_deref(), SUMMARY_MAX);
        let mut orgs: Vec<i64> = Vec::new();
        for id in self.party_org_ids.iter().flatten() {
            if !orgs.contains(id) {
                orgs.push(*id);
            }
        }
        if orgs.len() > REPORT_ORGS_MAX {
            errs.add(
                "party_org_ids",
                FieldError::TooLong {
                    max: REPORT_ORGS_MAX,
                },
            );
        }
        errs.into_result()?;
        match year {
            Some(year) => Ok(NewResearchReport {
                title,
                year,
                summary,
                author_user_id: self.author_user_id.unwrap_or(caller),
                party_org_ids: orgs,
            }),
            None => Err(FieldErrors::single("year", FieldError::Required)),
        }
    }
}

impl NewResearchReport {
    pub fn input(&self) -> ResearchReportInput {
        ResearchReportInput {
            title: Some(self.title.clone()),
            year: Some(self.year as i64),
            summary: self.summary.clone(),
            author_user_id: Some(self.author_user_id),
            party_org_ids: Some(self.party_org_ids.clone()),
        }
    }
}

// ---------------------------------------------------------------- typical cases

code_enum!(
    /// The category of a typical case (典型案例): 党建引领 / 服务创新 / 组织建设 / 科技志愿 /
    /// 其他.
    CaseCategory {
        PartyLeadership = "party_leadership",
        ServiceInnovation = "service_innovation",
        OrgBuilding = "org_building",
        Volunteering = "volunteering",
        Other = "other",
    }
);

/// `POST /cases` (and what a `PATCH` is merged into).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    /// The org whose practice it is.
    #[schema(required)]
    pub party_org_id: Option<i64>,
    #[schema(required, value_type = Option<CaseCategory>)]
    pub category: Option<String>,
    #[schema(required, minimum = 1949, maximum = 2200)]
    pub year: Option<i64>,
    #[schema(max_length = 20000)]
    pub summary: Option<String>,
    /// Default false. Only `admin` and `committee` publish (a `branch` user sending true →
    /// 403).
    pub published: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub title: String,
    pub party_org_id: i64,
    pub category: CaseCategory,
    pub year: i32,
    pub summary: Option<String>,
    pub published: bool,
}

impl CaseInput {
    pub fn validate(&self) -> Result<NewCase, FieldErrors> {
        let mut errs = FieldErrors::new();
        let title = validate::name(
            &mut errs,
            "title",
            self.title.as_deref().unwrap_or(""),
            TITLE_MAX,
        );
        if self.party_org_id.is_none() {
            errs.add("party_org_id", FieldError::Required);
        }
        let category = validate::required_code(
            &mut errs,
            "category",
            self.category.as_deref(),
            CaseCategory::parse,
            CaseCategory::CODES,
        );
        let year = required_year(&mut errs, "year", self.year);
        let summary =
            validate::opt_text(&mut errs, "summary", self.summary.as_deref(), SUMMARY_MAX);
        errs.into_result()?;
        match (self.party_org_id, category, year) {
            (Some(party_org_id), Some(category), Some(year)) => Ok(NewCase {
                title,
                party_org_id,
                category,
                year,
                summary,
                published: self.published.unwrap_or(false),
            }),
            _ => Err(FieldErrors::single("title", FieldError::Required)),
        }
    }
}

impl NewCase {
    pub fn input(&self) -> CaseInput {
        CaseInput {
            title: Some(self.title.clone()),
            party_org_id: Some(self.party_org_id),
            category: Some(self.category.as_str().into()),
            year: Some(self.year as i64),
            summary: self.summary.clone(),
            published: Some(self.published),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::validate::parse_date(s).unwrap()
    }

    #[test]
    fn a_liaison_is_current_within_its_days() {
        let today = d("2024-06-15");
        assert!(is_current(d("2024-06-15"), None, today));
        assert!(is_current(d("2023-01-01"), Some(d("2024-06-15")), today));
        assert!(!is_current(d("2023-01-01"), Some(d("2024-06-14")), today));
        assert!(!is_current(d("2024-06-16"), None, today));
        assert!(overlaps((d("2024-01-01"), None), (d("2030-01-01"), None)));
        assert!(overlaps(
            (d("2024-01-01"), Some(d("2024-03-01"))),
            (d("2024-03-01"), None)
        ));
        assert!(!overlaps(
            (d("2024-01-01"), Some(d("2024-02-29"))),
            (d("2024-03-01"), None)
        ));
    }

    #[test]
    fn inputs_name_their_bad_fields() {
        let e = LiaisonInput {
            user_id: Some(1),
            party_org_id: None,
            since: Some("2024-03-01".into()),
            until: Some("2024-02-01".into()),
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.0.get("until"), Some(&FieldError::TooEarly));
        assert_eq!(e.0.get("party_org_id"), Some(&FieldError::Required));
        let today = d("2024-06-15");
        let v = VisitInput {
            party_org_id: Some(3),
            held_on: Some("2024-06-16".into()),
            kind: Some("tea".into()),
            ..Default::default()
        }
        .validate(today, 9)
        .unwrap_err();
        assert_eq!(v.0.get("held_on"), Some(&FieldError::InFuture));
        assert!(matches!(
            v.0.get("kind"),
            Some(FieldError::UnknownValue { .. })
        ));
        let ok = VisitInput {
            party_org_id: Some(3),
            held_on: Some("2024-06-15".into()),
            kind: Some("guidance".into()),
            notes: Some("  ".into()),
            ..Default::default()
        }
        .validate(today, 9)
        .unwrap();
        assert_eq!((ok.user_id, ok.notes), (9, None));
        let r = ResearchReportInput {
            title: Some("调研".into()),
            year: Some(2024),
            party_org_ids: Some(vec![3, 4, 3]),
            ..Default::default()
        }
        .validate(5)
        .unwrap();
        assert_eq!((r.author_user_id, r.party_org_ids), (5, vec![3, 4]));
        let c = CaseInput {
            title: Some("案例".into()),
            party_org_id: Some(3),
            category: Some("org_building".into()),
            year: Some(1900),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(c.0.get("year"), Some(&FieldError::TooSmall { min: 1949 }));
    }
}
