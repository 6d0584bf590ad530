//! M3/M4: assignment and rectification states and their transitions, overdue, the
//! rectification figures (on-time rate, median days to close), and the inputs of tasks,
//! reports, inspections and findings with their validation.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::validate::{self, FieldError, FieldErrors};
use crate::OrgKind;

code_enum!(
    /// State of one org's assignment of a task.
    AssignmentState {
        Assigned = "assigned",
        Reported = "reported",
        Accepted = "accepted",
        Returned = "returned",
    }
);

code_enum!(
    /// State of the rectification of a finding (整改).
    RectificationState {
        Open = "open",
        Submitted = "submitted",
        Verified = "verified",
        Returned = "returned",
    }
);

code_enum!(
    /// Kind of an inspection: 督查, 专项督导检查, 自查.
    InspectionKind {
        Supervision = "supervision",
        Special = "special",
        SelfCheck = "self_check",
    }
);

code_enum!(
    /// How serious a finding is.
    Severity { Minor = "minor", Major = "major" }
);

code_enum!(
    /// Where a finding comes from; `inspection` only for findings of an inspection.
    FindingSource {
        Inspection = "inspection",
        SelfCheck = "self_check",
        Report = "report",
        Other = "other",
    }
);

code_enum!(
    /// The committee's decision on a progress report.
    ReviewDecision { Accept = "accept", Return = "return" }
);

code_enum!(
    /// The inspector's decision on a submitted rectification.
    VerifyDecision { Verify = "verify", Return = "return" }
);

pub use crate::ledger::{late, Refused};
use crate::ledger::{LedgerKind, LedgerState, ASSIGNMENTS, RECTIFICATIONS};

/// What happens to an assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentEvent {
    Report,
    Review(ReviewDecision),
}

impl AssignmentEvent {
    /// The step's action in [`ASSIGNMENTS`].
    pub fn name(self) -> &'static str {
        match self {
            AssignmentEvent::Report => "report",
            AssignmentEvent::Review(d) => d.as_str(),
        }
    }
}

impl LedgerState for AssignmentState {
    const KIND: &'static LedgerKind = &ASSIGNMENTS;
    fn code(self) -> &'static str {
        self.as_str()
    }
    fn from_code(code: &str) -> Option<Self> {
        Self::parse(code)
    }
}

impl AssignmentState {
    /// By the [`ASSIGNMENTS`] table: `assigned` → `reported` → `accepted` | `returned`;
    /// `returned` → `reported`; `accepted` is final. Anything else is refused.
    pub fn next(self, ev: AssignmentEvent) -> Result<AssignmentState, Refused> {
        self.after(ev.name())
    }

    pub fn is_final(self) -> bool {
        LedgerState::is_final(self)
    }
}

/// What happens to a rectification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RectificationEvent {
    Submit,
    Verify(VerifyDecision),
}

impl RectificationEvent {
    /// The step's action in [`RECTIFICATIONS`].
    pub fn name(self) -> &'static str {
        match self {
            RectificationEvent::Submit => "submit",
            RectificationEvent::Verify(d) => d.as_str(),
        }
    }
}

impl LedgerState for RectificationState {
    const KIND: &'static LedgerKind = &RECTIFICATIONS;
    fn code(self) -> &'static str {
        self.as_str()
    }
    fn from_code(code: &str) -> Option<Self> {
        Self::parse(code)
    }
}

impl RectificationState {
    /// By the [`RECTIFICATIONS`] table: `open` → `submitted` → `verified` | `returned`;
    /// `returned` → `submitted`; `verified` is final (销号). Anything else is refused.
    pub fn next(self, ev: RectificationEvent) -> Result<RectificationState, Refused> {
        self.after(ev.name())
    }

    pub fn is_final(self) -> bool {
        LedgerState::is_final(self)
    }
}

// ------------------------------------------------------------------ figures

/// What the figures need of one rectification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RectFacts {
    pub state: RectificationState,
    pub found_on: NaiveDate,
    pub due_on: NaiveDate,
    /// The day it was verified (closed out), for verified ones.
    pub verified_on: Option<NaiveDate>,
}

/// `GET /stats/rectification`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as=RectificationStats)]
pub struct RectStats {
    pub total: i64,
    pub open: i64,
    pub submitted: i64,
    pub returned: i64,
    pub verified: i64,
    pub overdue: i64,
    /// Verified on or before `due_on` / verified; `0` when none is verified.
    pub on_time_rate: f64,
    /// From `found_on` to the day of verification; `None` when none is verified.
    pub median_days_to_close: Option<f64>,
}

impl RectStats {
    /// Adds `n` rectifications in `state` to the counts.
    pub fn add_state(&mut self, state: RectificationState, n: i64) {
        self.total += n;
        match state {
            RectificationState::Open => self.open += n,
            RectificationState::Submitted => self.submitted += n,
            RectificationState::Returned => self.returned += n,
            RectificationState::Verified => self.verified += n,
        }
    }

    /// Fills the rates from the verified ones: how many closed on time, and the days each
    /// took to close.
    pub fn close_figures(&mut self, on_time: i64, mut days_to_close: Vec<i64>) {
        self.on_time_rate = rate(on_time, self.verified);
        self.median_days_to_close = median(&mut days_to_close);
    }

    /// The figures computed from every rectification's facts (the reference the store's
    /// SQL aggregates are tested against).
    pub fn compute(facts: &[RectFacts], today: NaiveDate) -> RectStats {
        let mut s = RectStats::default();
        let mut on_time = 0;
        let mut days = Vec::new();
        for f in facts {
            s.add_state(f.state, 1);
            if LedgerState::overdue(f.state, f.due_on, today) {
                s.overdue += 1;
            }
            if let (RectificationState::Verified, Some(v)) = (f.state, f.verified_on) {
                if v <= f.due_on {
                    on_time += 1;
                }
                days.push((v - f.found_on).num_days());
            }
        }
        s.close_figures(on_time, days);
        s
    }
}

/// `part / whole` as a fraction, `0` when `whole` is 0.
pub fn rate(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The median (the mean of the two middle values for an even count); `None` when empty.
pub fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2] as f64
    } else {
        (values[n / 2 - 1] as f64 + values[n / 2] as f64) / 2.0
    })
}

// ------------------------------------------------------------------ inputs

pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 10_000;
/// Most orgs one task or inspection may name.
pub const ORGS_MAX: usize = 5_000;
/// Most inspectors named in one inspection team.
pub const TEAM_MAX: usize = 50;

/// `POST /tasks`. Enum and date fields stay text so that a bad value is a field error.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    pub description: Option<String>,
    pub work_item_id: Option<i64>,
    #[schema(value_type = Option<NaiveDate>)]
    pub issued_on: Option<String>,
    #[schema(required, value_type = NaiveDate)]
    pub due_on: Option<String>,
    #[serde(default)]
    pub party_org_ids: Vec<i64>,
    /// Also assign to every org of `org_kinds` in the subtree of this org (itself included).
    pub subtree_id: Option<i64>,
    #[schema(value_type = Option<Vec<OrgKind>>)]
    pub org_kinds: Option<Vec<String>>,
}

/// Every org of some kinds in a subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSelection {
    pub root_id: i64,
    /// Empty: every kind.
    pub kinds: Vec<OrgKind>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub title: String,
    pub description: Option<String>,
    pub work_item_id: Option<i64>,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub party_org_ids: Vec<i64>,
    pub selection: Option<OrgSelection>,
}

/// A date that defaults when absent or empty.
fn date_or(
    errs: &mut FieldErrors,
    field: &str,
    v: Option<&str>,
    default: NaiveDate,
) -> Option<NaiveDate> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Some(default),
        Some(_) => required_date(errs, field, v),
    }
}

use crate::validate::{required_code as code_field, required_date};

fn org_ids(errs: &mut FieldErrors, field: &str, ids: &[i64], required: bool) -> Vec<i64> {
    let mut out = ids.to_vec();
    out.sort_unstable();
    out.dedup();
    if out.is_empty() && required {
        errs.add(field, FieldError::Required);
    } else if out.len() > ORGS_MAX {
        errs.add(
            field,
            FieldError::TooLarge {
                max: ORGS_MAX as i64,
            },
        );
    } else if out.iter().any(|id| *id <= 0) {
        errs.add(field, FieldError::NotFound);
    }
    out
}

fn due_after(errs: &mut FieldErrors, start: Option<NaiveDate>, due: Option<NaiveDate>) {
    if let (Some(s), Some(d)) = (start, due) {
        if d < s {
            errs.add("due_on", FieldError::TooEarly);
        }
    }
}

impl TaskInput {
    pub fn validate(&self, today: NaiveDate) -> Result<NewTask, FieldErrors> {
        let mut errs = FieldErrors::new();
        let title = validate::name(
            &mut errs,
            "title",
            self.title.as_deref().unwrap_or(""),
            TITLE_MAX,
        );
        let description = validate::opt_text(
            &mut errs,
            "description",
            self.description.as_deref(),
            TEXT_MAX,
        );
        let issued_on = date_or(&mut errs, "issued_on", self.issued_on.as_deref(), today);
        let due_on = required_date(&mut errs, "due_on", self.due_on.as_deref());
        due_after(&mut errs, issued_on, due_on);
        let party_org_ids = org_ids(
            &mut errs,
            "party_org_ids",
            &self.party_org_ids,
            self.subtree_id.is_none(),
        );
        let mut kinds = Vec::new();
        for k in self.org_kinds.iter().flatten() {
            match OrgKind::parse(k.trim()) {
                Some(k) => kinds.push(k),
                None => errs.add(
                    "org_kinds",
                    FieldError::UnknownValue {
                        allowed: OrgKind::CODES.to_vec(),
                    },
                ),
            }
        }
        if self.org_kinds.is_some() && self.subtree_id.is_none() {
            errs.add("subtree_id", FieldError::Required);
        }
        errs.into_result()?;
        Ok(NewTask {
            title,
            description,
            work_item_id: self.work_item_id,
            issued_on: issued_on.unwrap_or(today),
            due_on: due_on.unwrap_or(today),
            party_org_ids,
            selection: self
                .subtree_id
                .map(|root_id| OrgSelection { root_id, kinds }),
        })
    }
}

/// `POST /assignments/{id}/reports`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    #[schema(required, minimum = 0, maximum = 100)]
    pub progress: Option<i64>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewReport {
    pub progress: i64,
    pub text: String,
}

impl ReportInput {
    pub fn validate(&self) -> Result<NewReport, FieldErrors> {
        let mut errs = FieldErrors::new();
        let progress = match self.progress {
            None => {
                errs.add("progress", FieldError::Required);
                0
            }
            Some(p) if p < 0 => {
                errs.add("progress", FieldError::TooSmall { min: 0 });
                p
            }
            Some(p) if p > 100 => {
                errs.add("progress", FieldError::TooLarge { max: 100 });
                p
            }
            Some(p) => p,
        };
        let text = validate::opt_text(&mut errs, "text", self.text.as_deref(), TEXT_MAX);
        errs.into_result()?;
        Ok(NewReport {
            progress,
            text: text.unwrap_or_default(),
        })
    }
}

/// A decision with its comment (`review` of a report, `verify` of a rectification).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    pub decision: Option<String>,
    pub comment: Option<String>,
}

impl DecisionInput {
    pub fn validate<T>(
        &self,
        parse: fn(&str) -> Option<T>,
        codes: &'static [&'static str],
    ) -> Result<(T, Option<String>), FieldErrors> {
        let mut errs = FieldErrors::new();
        let d = code_field(
            &mut errs,
            "decision",
            self.decision.as_deref(),
            parse,
            codes,
        );
        let comment = validate::opt_text(&mut errs, "comment", self.comment.as_deref(), TEXT_MAX);
        errs.into_result()?;
        match d {
            Some(d) => Ok((d, comment)),
            None => Err(FieldErrors::single("decision", FieldError::Required)),
        }
    }
}

/// `POST /rectifications/{id}/submit`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitInput {
    pub response: Option<String>,
}

impl SubmitInput {
    pub fn validate(&self) -> Result<Option<String>, FieldErrors> {
        let mut errs = FieldErrors::new();
        let r = validate::opt_text(&mut errs, "response", self.response.as_deref(), TEXT_MAX);
        errs.into_result().map(|_| r)
    }
}

/// `POST /inspections`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionInput {
    #[schema(required)]
    pub title: Option<String>,
    #[schema(required, value_type = InspectionKind)]
    pub kind: Option<String>,
    #[schema(required, value_type = NaiveDate)]
    pub held_on: Option<String>,
    #[serde(default)]
    #[schema(required)]
    pub party_org_ids: Vec<i64>,
    /// The inspection team: names of the inspectors (office-holders only).
    #[serde(default)]
    pub team: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInspection {
    pub title: String,
    pub kind: InspectionKind,
    pub held_on: NaiveDate,
    pub party_org_ids: Vec<i64>,
    pub team: Vec<String>,
}

impl InspectionInput {
    pub fn validate(&self) -> Result<NewInspection, FieldErrors> {
        let mut errs = FieldErrors::new();
        let title = validate::name(
            &mut errs,
            "title",
            self.title.as_deref().unwrap_or(""),
            TITLE_MAX,
        );
        let kind = code_field(
            &mut errs,
            "kind",
            self.kind.as_deref(),
            InspectionKind::parse,
            InspectionKind::CODES,
        );
        let held_on = required_date(&mut errs, "held_on", self.held_on.as_deref());
        let party_org_ids = org_ids(&mut errs, "party_org_ids", &self.party_org_ids, true);
        let mut team = Vec::new();
        for name in &self.team {
            if let Some(n) = validate::opt_text(&mut errs, "team", Some(name), crate::PERSON_MAX) {
                if !team.contains(&n) {
                    team.push(n);
                }
            }
        }
        if team.len() > TEAM_MAX {
            errs.add(
                "team",
                FieldError::TooLarge {
                    max: TEAM_MAX as i64,
                },
            );
        }
        errs.into_result()?;
        match (kind, held_on) {
            (Some(kind), Some(held_on)) => Ok(NewInspection {
                title,
                kind,
                held_on,
                party_org_ids,
                team,
            }),
            _ => Err(FieldErrors::single("kind", FieldError::Required)),
        }
    }
}

/// A finding, of an inspection (`POST /inspections/{id}/findings`, no `source`) or on its
/// own (`POST /findings`, with `source`).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingInput {
    /// self_check, report or other (`POST /findings`); none for a finding of an inspection.
    #[schema(value_type = Option<FindingSource>)]
    pub source: Option<String>,
    #[schema(required)]
    pub party_org_id: Option<i64>,
    #[schema(required)]
    pub description: Option<String>,
    #[schema(required, value_type = Severity)]
    pub severity: Option<String>,
    #[schema(value_type = Option<NaiveDate>)]
    pub found_on: Option<String>,
    #[schema(required, value_type = NaiveDate)]
    pub due_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewFinding {
    pub inspection_id: Option<i64>,
    pub source: FindingSource,
    pub party_org_id: i64,
    pub description: String,
    pub severity: Severity,
    pub found_on: NaiveDate,
    pub due_on: NaiveDate,
}

impl FindingInput {
    /// `inspection`: the inspection's id and day (the default `found_on`); `None` for a
    /// finding on its own, which needs a `source` and defaults `found_on` to today.
    pub fn validate(
        &self,
        inspection: Option<(i64, NaiveDate)>,
        today: NaiveDate,
    ) -> Result<NewFinding, FieldErrors> {
        let mut errs = FieldErrors::new();
        let source = match inspection {
            Some(_) => {
                if self
                    .source
                    .as_deref()
                    .is_some_and(|s| s.trim() != "inspection")
                {
                    errs.add(
                        "source",
                        FieldError::UnknownValue {
                            allowed: vec!["inspection"],
                        },
                    );
                }
                Some(FindingSource::Inspection)
            }
            None => {
                let s = code_field(
                    &mut errs,
                    "source",
                    self.source.as_deref(),
                    FindingSource::parse,
                    &FindingSource::CODES[1..],
                );
                if s == Some(FindingSource::Inspection) {
                    errs.add(
                        "source",
                        FieldError::UnknownValue {
                            allowed: FindingSource::CODES[1..].to_vec(),
                        },
                    );
                }
                s
            }
        };
        let party_org_id = match self.party_org_id {
            None => {
                errs.add("party_org_id", FieldError::Required);
                0
            }
            Some(id) => id,
        };
        let description = validate::name(
            &mut errs,
            "description",
            self.description.as_deref().unwrap_or(""),
            TEXT_MAX,
        );
        let severity = code_field(
            &mut errs,
            "severity",
            self.severity.as_deref(),
            Severity::parse,
            Severity::CODES,
        );
        let default_found = inspection.map(|(_, d)| d).unwrap_or(today);
        let found_on = date_or(
            &mut errs,
            "found_on",
            self.found_on.as_deref(),
            default_found,
        );
        if found_on.is_some_and(|d| d > today) {
            errs.add("found_on", FieldError::InFuture);
        }
        let due_on = required_date(&mut errs, "due_on", self.due_on.as_deref());
        due_after(&mut errs, found_on, due_on);
        errs.into_result()?;
        match (source, severity, found_on, due_on) {
            (Some(source), Some(severity), Some(found_on), Some(due_on)) => Ok(NewFinding {
                inspection_id: inspection.map(|(id, _)| id),
                source,
                party_org_id,
                description,
                severity,
                found_on,
                due_on,
            }),
            _ => Err(FieldErrors::single("body", FieldError::Required)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        validate::parse_date(s).unwrap()
    }

    #[test]
    fn assignment_transitions_exactly_as_the_contract_fixes_them() {
        use AssignmentEvent::*;
        use AssignmentState as S;
        let accept = Review(ReviewDecision::Accept);
        let ret = Review(ReviewDecision::Return);
        let allowed = [
            (S::Assigned, Report, S::Reported),
            (S::Returned, Report, S::Reported),
            (S::Reported, accept, S::Accepted),
            (S::Reported, ret, S::Returned),
        ];
        for from in S::ALL {
            for ev in [Report, accept, ret] {
                let want = allowed
                    .iter()
                    .find(|(f, e, _)| f == from && *e == ev)
                    .map(|(_, _, to)| *to);
                match want {
                    Some(to) => assert_eq!(from.next(ev), Ok(to), "{from} {ev:?}"),
                    None => assert!(from.next(ev).is_err(), "{from} {ev:?} must be refused"),
                }
            }
        }
        assert!(S::Accepted.is_final());
    }

    #[test]
    fn rectification_transitions_exactly_as_the_contract_fixes_them() {
        use RectificationEvent::*;
        use RectificationState as S;
        let ok = Verify(VerifyDecision::Verify);
        let ret = Verify(VerifyDecision::Return);
        let allowed = [
            (S::Open, Submit, S::Submitted),
            (S::Returned, Submit, S::Submitted),
            (S::Submitted, ok, S::Verified),
            (S::Submitted, ret, S::Returned),
        ];
        for from in S::ALL {
            for ev in [Submit, ok, ret] {
                let want = allowed
                    .iter()
                    .find(|(f, e, _)| f == from && *e == ev)
                    .map(|(_, _, to)| *to);
                match want {
                    Some(to) => assert_eq!(from.next(ev), Ok(to)),
                    None => assert_eq!(
                        from.next(ev),
                        Err(Refused {
                            from: from.as_str(),
                            action: ev.name()
                        })
                    ),
                }
            }
        }
    }

    #[test]
    fn late_is_the_first_answer_after_the_due_day_whatever_the_review() {
        let due = d("2024-06-15");
        assert!(!late(Some(d("2024-06-15")), due, d("2024-09-01")));
        assert!(late(Some(d("2024-06-16")), due, d("2024-06-16")));
        assert!(!late(None, due, d("2024-06-15")));
        assert!(late(None, due, d("2024-06-16")));
    }

    #[test]
    fn overdue_is_after_the_due_day_and_never_when_final() {
        let due = d("2024-06-15");
        let open = RectificationState::Open;
        assert!(!LedgerState::overdue(open, due, d("2024-06-15")));
        assert!(LedgerState::overdue(open, due, d("2024-06-16")));
        assert!(!LedgerState::overdue(
            RectificationState::Verified,
            due,
            d("2024-07-01")
        ));
        assert!(LedgerState::overdue(
            AssignmentState::Reported,
            due,
            d("2024-06-16")
        ));
        assert!(!LedgerState::overdue(
            AssignmentState::Accepted,
            due,
            d("2024-07-01")
        ));
    }

    #[test]
    fn median_and_rate() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5]), Some(5.0));
        assert_eq!(median(&mut [9, 1, 4]), Some(4.0));
        assert_eq!(median(&mut [1, 2, 3, 10]), Some(2.5));
        assert_eq!(rate(0, 0), 0.0);
        assert_eq!(rate(1, 4), 0.25);
    }

    #[test]
    fn stats_count_states_overdue_on_time_and_days() {
        use RectificationState as S;
        let f = |state, found: &str, due: &str, v: Option<&str>| RectFacts {
            state,
            found_on: d(found),
            due_on: d(due),
            verified_on: v.map(d),
        };
        let facts = [
            f(S::Open, "2024-01-01", "2024-02-01", None),
            f(S::Submitted, "2024-01-01", "2024-12-01", None),
            f(S::Returned, "2024-01-01", "2024-03-01", None),
            f(S::Verified, "2024-01-01", "2024-01-31", Some("2024-01-11")),
            f(S::Verified, "2024-01-01", "2024-01-05", Some("2024-01-31")),
        ];
        let s = RectStats::compute(&facts, d("2024-06-15"));
        assert_eq!(
            (
                s.total,
                s.open,
                s.submitted,
                s.returned,
                s.verified,
                s.overdue
            ),
            (5, 1, 1, 1, 2, 2)
        );
        assert_eq!(s.on_time_rate, 0.5);
        assert_eq!(s.median_days_to_close, Some(20.0));
        let none = RectStats::compute(&facts[..1], d("2024-06-15"));
        assert_eq!(none.median_days_to_close, None);
        assert_eq!(none.on_time_rate, 0.0);
    }

    #[test]
    fn task_input_defaults_and_errors() {
        let today = d("2024-06-15");
        let t = TaskInput {
            title: Some(" 学习 ".into()),
            due_on: Some("2024-07-01".into()),
            party_org_ids: vec![3, 2, 3],
            ..Default::default()
        }
        .validate(today)
        .unwrap();
        assert_eq!(t.title, "学习");
        assert_eq!(t.issued_on, today);
        assert_eq!(t.party_org_ids, vec![2, 3]);

        let e = TaskInput {
            issued_on: Some("2024-06-10".into()),
            due_on: Some("2024-06-01".into()),
            ..Default::default()
        }
        .validate(today)
        .unwrap_err();
        assert!(e.0.contains_key("title"));
        assert_eq!(e.0.get("due_on"), Some(&FieldError::TooEarly));
        assert!(e.0.contains_key("party_org_ids"));
    }

    #[test]
    fn finding_dates_and_source() {
        let today = d("2024-06-15");
        let base = FindingInput {
            party_org_id: Some(1),
            description: Some("台账不全".into()),
            severity: Some("minor".into()),
            due_on: Some("2024-07-01".into()),
            ..Default::default()
        };
        let f = base.validate(Some((9, d("2024-05-01"))), today).unwrap();
        assert_eq!(f.found_on, d("2024-05-01"));
        assert_eq!(f.source, FindingSource::Inspection);
        // on its own: source required, found_on defaults to today
        assert!(base
            .validate(None, today)
            .unwrap_err()
            .0
            .contains_key("source"));
        let own = FindingInput {
            source: Some("self_check".into()),
            ..base.clone()
        }
        .validate(None, today)
        .unwrap();
        assert_eq!(own.found_on, today);
        let future = FindingInput {
            source: Some("report".into()),
            found_on: Some("2024-06-16".into()),
            due_on: Some("2024-08-01".into()),
            ..base.clone()
        };
        assert_eq!(
            future.validate(None, today).unwrap_err().0.get("found_on"),
            Some(&FieldError::InFuture)
        );
        let early = FindingInput {
            found_on: Some("2024-06-01".into()),
            due_on: Some("2024-05-31".into()),
            ..base.clone()
        };
        assert!(early
            .validate(Some((9, today)), today)
            .unwrap_err()
            .0
            .contains_key("due_on"));
        let bad = FindingInput {
            severity: Some("huge".into()),
            ..base
        };
        assert!(matches!(
            bad.validate(Some((9, today)), today)
                .unwrap_err()
                .0
                .get("severity"),
            Some(FieldError::UnknownValue { .. })
        ));
    }

    #[test]
    fn report_progress_bounds() {
        let r = |p| {
            ReportInput {
                progress: p,
                text: None,
            }
            .validate()
        };
        assert!(r(Some(0)).is_ok());
        assert!(r(Some(100)).is_ok());
        assert!(r(Some(101)).is_err());
        assert!(r(Some(-1)).is_err());
        assert!(r(None).is_err());
    }

    proptest! {
        #[test]
        fn stats_rates_stay_fractions(states in proptest::collection::vec((0usize..4, 0i64..60, 0i64..60), 0..40)) {
            let base = d("2024-01-01");
            let facts: Vec<RectFacts> = states.iter().map(|(s, due, close)| {
                let state = RectificationState::ALL[*s];
                RectFacts {
                    state,
                    found_on: base,
                    due_on: base + chrono::Duration::days(*due),
                    verified_on: (state == RectificationState::Verified).then(|| base + chrono::Duration::days(*close)),
                }
            }).collect();
            let s = RectStats::compute(&facts, d("2024-02-01"));
            prop_assert!((0.0..=1.0).contains(&s.on_time_rate));
            prop_assert_eq!(s.total, s.open + s.submitted + s.returned + s.verified);
            prop_assert_eq!(s.median_days_to_close.is_some(), s.verified > 0);
        }
    }
}
