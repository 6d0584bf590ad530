//! M5: periodic report forms defined as data, the submissions expected of their
//! respondents, the values' validation, the figures (completeness, timeliness), and the
//! funded projects of a programme with their budgets, expenditures and indicators.
//!
//! As in DHIS2, a form × period × respondent is one instance: what is expected is derived
//! from the form, the calendar and the registry, never stored as empty rows; a stored
//! submission is a record of the review ledger (`ledger::SUBMISSIONS`), and deadlines,
//! lateness and the rates follow from the form and the first submission's day.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::life::{Period, PeriodKind};
use crate::registry::OrgKind;
use crate::validate::{self, required_code, required_date, FieldError, FieldErrors};

code_enum!(
    /// The type of a form's field.
    FieldType {
        Number = "number",
        Integer = "integer",
        Text = "text",
        Choice = "choice",
        File = "file",
    }
);

code_enum!(
    /// Who answers a form.
    AppliesTo {
        PartyOrgs = "party_orgs",
        FundedProjects = "funded_projects",
    }
);

code_enum!(
    /// A submission's state as the list shows it: `not_started` when nothing is stored.
    SubmissionState {
        NotStarted = "not_started",
        Draft = "draft",
        Submitted = "submitted",
        Accepted = "accepted",
        Returned = "returned",
    }
);

impl crate::ledger::LedgerState for SubmissionState {
    const KIND: &'static crate::ledger::LedgerKind = &crate::ledger::SUBMISSIONS;
    fn code(self) -> &'static str {
        self.as_str()
    }
    fn from_code(code: &str) -> Option<Self> {
        Self::parse(code).filter(|s| *s != SubmissionState::NotStarted)
    }
}

pub const TITLE_MAX: usize = 200;
pub const LABEL_MAX: usize = 100;
pub const KEY_MAX: usize = 40;
pub const FIELDS_MAX: usize = 100;
pub const CHOICES_MAX: usize = 50;
pub const TEXT_MAX: usize = 5000;
pub const DUE_DAYS_MAX: i64 = 366;
/// Budgets, amounts and bounds stay below this (yuan), so cents fit and sums cannot overflow.
pub const AMOUNT_MAX: f64 = 1e12;

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldDef {
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<String>>,
    /// Shown after a number (元, 场, 人).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// A field as a caller sends it: enums as text so a bad value is a field error.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldInput {
    #[schema(required)]
    pub key: Option<String>,
    #[schema(required)]
    pub label: Option<String>,
    #[serde(rename = "type")]
    #[schema(required, value_type = Option<FieldType>)]
    pub kind: Option<String>,
    pub required: Option<bool>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub choices: Option<Vec<String>>,
    pub unit: Option<String>,
}

/// `POST /report-forms`, and what a `PATCH` is merged into.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormInput {
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    #[schema(required, value_type = Option<PeriodKind>)]
    pub period: Option<String>,
    /// Days after the period's last day the submission is due (default 10).
    pub due_days: Option<i64>,
    #[schema(required, value_type = Option<AppliesTo>)]
    pub applies_to: Option<String>,
    /// For `funded_projects`: the programme whose projects answer (e.g. `double_high`).
    pub programme: Option<String>,
    /// For `party_orgs`: the live orgs of these kinds (null with `party_org_ids` null: every org).
    #[schema(value_type = Option<Vec<OrgKind>>)]
    pub org_kinds: Option<Vec<String>>,
    /// For `party_orgs`: exactly these orgs.
    pub party_org_ids: Option<Vec<i64>>,
    #[schema(required, value_type = Option<NaiveDate>)]
    pub active_from: Option<String>,
    #[schema(value_type = Option<NaiveDate>)]
    pub active_to: Option<String>,
    #[schema(required)]
    pub fields: Option<Vec<FieldInput>>,
}

/// Who answers a form, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Respondents {
    /// The live orgs of these kinds (empty: every kind).
    OrgKinds(Vec<OrgKind>),
    /// Exactly these orgs.
    Orgs(Vec<i64>),
    /// The projects of a programme, in their year.
    Projects(String),
}

/// A checked form.
#[derive(Debug, Clone, PartialEq)]
pub struct NewForm {
    pub title: String,
    pub period: PeriodKind,
    pub due_days: i64,
    pub respondents: Respondents,
    pub active_from: NaiveDate,
    pub active_to: Option<NaiveDate>,
    pub fields: Vec<FieldDef>,
}

impl NewForm {
    pub fn applies_to(&self) -> AppliesTo {
        match self.respondents {
            Respondents::Projects(_) => AppliesTo::FundedProjects,
            _ => AppliesTo::PartyOrgs,
        }
    }

    /// The form as a caller would send it (the base a `PATCH` is merged into).
    pub fn input(&self) -> FormInput {
        let (programme, org_kinds, party_org_ids) = match &self.respondents {
            Respondents::Projects(p) => (Some(p.clone()), None, None),
            Respondents::OrgKinds(k) if k.is_empty() => (None, None, None),
            Respondents::OrgKinds(k) => (
                None,
                Some(k.iter().map(|k| k.as_str().to_string()).collect()),
                None,
            ),
            Respondents::Orgs(ids) => (None, None, Some(ids.clone())),
        };
        FormInput {
            title: Some(self.title.clone()),
            period: Some(self.period.as_str().into()),
            due_days: Some(self.due_days),
            applies_to: Some(self.applies_to().as_str().into()),
            programme,
            org_kinds,
            party_org_ids,
            active_from: Some(self.active_from.to_string()),
            active_to: self.active_to.map(|d| d.to_string()),
            fields: Some(
                self.fields
                    .iter()
                    .map(|f| FieldInput {
                        key: Some(f.key.clone()),
                        label: Some(f.label.clone()),
                        kind: Some(f.kind.as_str().into()),
                        required: Some(f.required),
                        min: f.min,
                        max: f.max,
                        choices: f.choices.clone(),
                        unit: f.unit.clone(),
                    })
                    .collect(),
            ),
        }
    }

    /// The fields a form with submissions may not lose or retype: `Some(key)` of the
    /// first one `next` removes or changes the type of.
    pub fn breaking_change(&self, next: &NewForm) -> Option<String> {
        self.fields
            .iter()
            .find(|f| {
                !next
                    .fields
                    .iter()
                    .any(|n| n.key == f.key && n.kind == f.kind)
            })
            .map(|f| f.key.clone())
    }

    /// The periods expected on `today`: every period whose first day is inside
    /// [`active_from`, `active_to`] and not after today, latest first.
    pub fn periods(&self, today: NaiveDate) -> Vec<Period> {
        periods_between(
            self.period,
            self.active_from,
            self.active_to.map_or(today, |t| t.min(today)),
        )
    }

    /// The day a period's submission is due: its last day plus `due_days`.
    pub fn due_on(&self, p: &Period) -> NaiveDate {
        due_on(p, self.due_days)
    }
}

/// The periods of `kind` whose first day lies in [`from`, `to`], latest first.
pub fn periods_between(kind: PeriodKind, from: NaiveDate, to: NaiveDate) -> Vec<Period> {
    let mut out = Vec::new();
    if to < from {
        return out;
    }
    let mut p = Period::containing(kind, from);
    if p.first_day() < from {
        p = next_period(p);
    }
    while p.first_day() <= to {
        out.push(p);
        p = next_period(p);
    }
    out.reverse();
    out
}

/// The period after `p`.
pub fn next_period(p: Period) -> Period {
    let day = p.last_day().succ_opt().unwrap_or(NaiveDate::MAX);
    Period::containing(p.kind, day)
}

pub fn due_on(p: &Period, due_days: i64) -> NaiveDate {
    p.last_day()
        .checked_add_signed(chrono::Duration::days(due_days))
        .unwrap_or(NaiveDate::MAX)
}

/// A period code of a form's kind (`422` on `field` for anything else).
pub fn parse_period(kind: PeriodKind, s: &str) -> Option<Period> {
    Period::parse(s.trim()).filter(|p| p.kind == kind && (1900..=2200).contains(&p.year))
}

fn slug(s: &str) -> bool {
    let mut b = s.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_lowercase())
        && b.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

fn finite(errs: &mut FieldErrors, field: &str, v: Option<f64>) -> Option<f64> {
    match v {
        Some(x) if !x.is_finite() || x.abs() > AMOUNT_MAX => {
            errs.add(
                field,
                FieldError::TooLarge {
                    max: AMOUNT_MAX as i64,
                },
            );
            None
        }
        v => v,
    }
}

impl FieldInput {
    fn validate(&self, errs: &mut FieldErrors, at: &str) -> Option<FieldDef> {
        let n = errs.0.len();
        let key = self.key.as_deref().map(str::trim).unwrap_or("");
        let kf = format!("{at}.key");
        if key.is_empty() {
            errs.add(&kf, FieldError::Required);
        } else if key.len() > KEY_MAX {
            errs.add(&kf, FieldError::TooLong { max: KEY_MAX });
        } else if !slug(key) {
            errs.add(
                &kf,
                FieldError::WrongType {
                    expected: "a key of a-z, 0-9 and _",
                },
            );
        }
        let label = validate::name(
            errs,
            &format!("{at}.label"),
            self.label.as_deref().unwrap_or(""),
            LABEL_MAX,
        );
        let tf = format!("{at}.type");
        let kind = match self.kind.as_deref().map(str::trim) {
            None | Some("") => {
                errs.add(&tf, FieldError::Required);
                None
            }
            Some(s) => {
                let k = FieldType::parse(s);
                if k.is_none() {
                    errs.add(
                        &tf,
                        FieldError::UnknownValue {
                            allowed: FieldType::CODES.to_vec(),
                        },
                    );
                }
                k
            }
        };
        let min = finite(errs, &format!("{at}.min"), self.min);
        let max = finite(errs, &format!("{at}.max"), self.max);
        let numeric = matches!(kind, Some(FieldType::Number | FieldType::Integer));
        if !numeric && kind.is_some() {
            if self.min.is_some() {
                errs.add(&format!("{at}.min"), FieldError::Conflicts);
            }
            if self.max.is_some() {
                errs.add(&format!("{at}.max"), FieldError::Conflicts);
            }
        }
        if let (Some(a), Some(b)) = (min, max) {
            if b < a {
                errs.add(&format!("{at}.max"), FieldError::TooEarly);
            }
        }
        let cf = format!("{at}.choices");
        let choices = if kind == Some(FieldType::Choice) {
            let list: Vec<String> = self
                .choices
                .iter()
                .flatten()
                .map(|c| c.trim().to_string())
                .collect();
            if list.is_empty() {
                errs.add(&cf, FieldError::Required);
            } else if list.len() > CHOICES_MAX {
                errs.add(&cf, FieldError::TooLong { max: CHOICES_MAX });
            } else if list
                .iter()
                .any(|c| c.is_empty() || c.chars().count() > LABEL_MAX)
            {
                errs.add(&cf, FieldError::TooLong { max: LABEL_MAX });
            } else if (1..list.len()).any(|i| list[..i].contains(&list[i])) {
                errs.add(&cf, FieldError::Conflicts);
            }
            Some(list)
        } else {
            if self.choices.is_some() && kind.is_some() {
                errs.add(&cf, FieldError::Conflicts);
            }
            None
        };
        let unit = validate::opt_text(errs, &format!("{at}.unit"), self.unit.as_deref(), 20);
        if errs.0.len() > n {
            return None;
        }
        Some(FieldDef {
            key: key.to_string(),
            label,
            kind: kind?,
            required: self.required.unwrap_or(false),
            min: if numeric { min } else { None },
            max: if numeric { max } else { None },
            choices,
            unit: if numeric { unit } else { None },
        })
    }
}

impl FormInput {
    pub fn validate(&self) -> Result<NewForm, FieldErrors> {
        let mut errs = FieldErrors::new();
        let title = validate::name(
            &mut errs,
            "title",
            self.title.as_deref().unwrap_or(""),
            TITLE_MAX,
        );
        let period = required_code(
            &mut errs,
            "period",
            self.period.as_deref(),
            PeriodKind::parse,
            PeriodKind::CODES,
        );
        let due_days = self.due_days.unwrap_or(10);
        if due_days < 0 {
            errs.add("due_days", FieldError::Negative);
        } else if due_days > DUE_DAYS_MAX {
            errs.add("due_days", FieldError::TooLarge { max: DUE_DAYS_MAX });
        }
        let applies = required_code(
            &mut errs,
            "applies_to",
            self.applies_to.as_deref(),
            AppliesTo::parse,
            AppliesTo::CODES,
        );
        let respondents = match applies {
            Some(AppliesTo::FundedProjects) => {
                for (f, set) in [
                    ("org_kinds", self.org_kinds.is_some()),
                    ("party_org_ids", self.party_org_ids.is_some()),
                ] {
                    if set {
                        errs.add(f, FieldError::Conflicts);
                    }
                }
                programme(&mut errs, "programme", self.programme.as_deref())
                    .map(Respondents::Projects)
            }
            Some(AppliesTo::PartyOrgs) => {
                if self.programme.is_some() {
                    errs.add("programme", FieldError::Conflicts);
                }
                match (&self.org_kinds, &self.party_org_ids) {
                    (Some(_), Some(_)) => {
                        errs.add("party_org_ids", FieldError::Conflicts);
                        None
                    }
                    (_, Some(ids)) => {
                        if ids.is_empty() {
                            errs.add("party_org_ids", FieldError::Required);
                        }
                        let mut ids = ids.clone();
                        ids.sort_unstable();
                        ids.dedup();
                        Some(Respondents::Orgs(ids))
                    }
                    (kinds, None) => {
                        let mut out = Vec::new();
                        for k in kinds.iter().flatten() {
                            match OrgKind::parse(k.trim()) {
                                Some(k) if !out.contains(&k) => out.push(k),
                                Some(_) => {}
                                None => errs.add(
                                    "org_kinds",
                                    FieldError::UnknownValue {
                                        allowed: OrgKind::CODES.to_vec(),
                                    },
                                ),
                            }
                        }
                        if kinds.as_ref().is_some_and(|k| k.is_empty()) {
                            errs.add("org_kinds", FieldError::Required);
                        }
                        out.sort();
                        Some(Respondents::OrgKinds(out))
                    }
                }
            }
            None => None,
        };
        let active_from = required_date(&mut errs, "active_from", self.active_from.as_deref());
        let active_to = validate::opt_date(&mut errs, "active_to", self.active_to.as_deref());
        if let (Some(a), Some(b)) = (active_from, active_to) {
            if b < a {
                errs.add("active_to", FieldError::TooEarly);
            }
        }
        let mut fields = Vec::new();
        match &self.fields {
            None => errs.add("fields", FieldError::Required),
            Some(list) if list.is_empty() => errs.add("fields", FieldError::Required),
            Some(list) if list.len() > FIELDS_MAX => {
                errs.add("fields", FieldError::TooLong { max: FIELDS_MAX })
            }
            Some(list) => {
                for (i, f) in list.iter().enumerate() {
                    let at = format!("fields[{i}]");
                    let key = f.key.as_deref().map(str::trim);
                    if key.is_some_and(|k| !k.is_empty())
                        && list[..i]
                            .iter()
                            .any(|g| g.key.as_deref().map(str::trim) == key)
                    {
                        errs.add(&format!("{at}.key"), FieldError::Conflicts);
                    }
                    if let Some(f) = f.validate(&mut errs, &at) {
                        fields.push(f);
                    }
                }
            }
        }
        errs.into_result()?;
        match (period, respondents, active_from) {
            (Some(period), Some(respondents), Some(active_from)) => Ok(NewForm {
                title,
                period,
                due_days,
                respondents,
                active_from,
                active_to,
                fields,
            }),
            _ => Err(FieldErrors::single("period", FieldError::Required)),
        }
    }
}

/// A programme's code: `double_high` and the like.
fn programme(errs: &mut FieldErrors, field: &str, v: Option<&str>) -> Option<String> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            errs.add(field, FieldError::Required);
            None
        }
        Some(s) if s.len() > KEY_MAX => {
            errs.add(field, FieldError::TooLong { max: KEY_MAX });
            None
        }
        Some(s) if !slug(s) => {
            errs.add(
                field,
                FieldError::WrongType {
                    expected: "a code of a-z, 0-9 and _",
                },
            );
            None
        }
        Some(s) => Some(s.to_string()),
    }
}

// ---------------------------------------------------------------- values

/// Checks `values` against the form's fields by type and bounds: an unknown key, a wrong
/// type, a number out of range or a choice not listed is an error on `values.KEY`. A `null`
/// (or empty text) clears the field. `required` is not checked here but at submit
/// ([`missing_required`]). File fields take the id of an attachment, which the caller checks.
/// Gives the values to store: the checked ones, without the cleared.
pub fn check_values(
    fields: &[FieldDef],
    values: &Map<String, Value>,
) -> Result<Map<String, Value>, FieldErrors> {
    let mut errs = FieldErrors::new();
    let mut out = Map::new();
    for (key, v) in values {
        let name = format!("values.{key}");
        let Some(f) = fields.iter().find(|f| &f.key == key) else {
            errs.add(&name, FieldError::UnknownField);
            continue;
        };
        if v.is_null() {
            continue;
        }
        match check_value(f, v) {
            Ok(Some(v)) => {
                out.insert(key.clone(), v);
            }
            Ok(None) => {}
            Err(e) => errs.add(&name, e),
        }
    }
    errs.into_result().map(|_| out)
}

fn check_value(f: &FieldDef, v: &Value) -> Result<Option<Value>, FieldError> {
    match f.kind {
        FieldType::Number => {
            let x = v
                .as_f64()
                .filter(|_| v.is_number())
                .ok_or(FieldError::WrongType { expected: "number" })?;
            in_bounds(f, x)?;
            Ok(Some(v.clone()))
        }
        FieldType::Integer => {
            let x = v.as_i64().ok_or(FieldError::WrongType {
                expected: "integer",
            })?;
            in_bounds(f, x as f64)?;
            Ok(Some(Value::from(x)))
        }
        FieldType::Text => {
            let s = v
                .as_str()
                .ok_or(FieldError::WrongType { expected: "string" })?
                .trim();
            if s.chars().count() > TEXT_MAX {
                return Err(FieldError::TooLong { max: TEXT_MAX });
            }
            Ok((!s.is_empty()).then(|| Value::from(s)))
        }
        FieldType::Choice => {
            let s = v
                .as_str()
                .ok_or(FieldError::WrongType { expected: "string" })?
                .trim();
            if s.is_empty() {
                return Ok(None);
            }
            let choices = f.choices.as_deref().unwrap_or_default();
            if choices.iter().any(|c| c == s) {
                Ok(Some(Value::from(s)))
            } else {
                Err(FieldError::NotAChoice {
                    allowed: choices.to_vec(),
                })
            }
        }
        FieldType::File => {
            let id = v.as_i64().filter(|i| *i > 0).ok_or(FieldError::WrongType {
                expected: "attachment id",
            })?;
            Ok(Some(Value::from(id)))
        }
    }
}

fn in_bounds(f: &FieldDef, x: f64) -> Result<(), FieldError> {
    if !x.is_finite() || x.abs() > AMOUNT_MAX {
        return Err(FieldError::TooLarge {
            max: AMOUNT_MAX as i64,
        });
    }
    let below = f.min.is_some_and(|m| x < m);
    let above = f.max.is_some_and(|m| x > m);
    if below || above {
        return Err(FieldError::OutOfRange {
            min: f.min.map(fmt_num),
            max: f.max.map(fmt_num),
        });
    }
    Ok(())
}

/// A bound as people write it: `0`, `12.5`.
pub fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// The required fields without a value, as errors on `values.KEY`.
pub fn missing_required(fields: &[FieldDef], values: &Map<String, Value>) -> FieldErrors {
    let mut errs = FieldErrors::new();
    for f in fields.iter().filter(|f| f.required) {
        if values.get(&f.key).is_none_or(Value::is_null) {
            errs.add(&format!("values.{}", f.key), FieldError::Required);
        }
    }
    errs
}

// ---------------------------------------------------------------- figures

/// What the figures need of one expected submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    pub state: SubmissionState,
    pub due_on: NaiveDate,
    /// The local day of the first submission (kept through returns).
    pub first_submitted_on: Option<NaiveDate>,
}

impl Expected {
    pub fn late(&self, today: NaiveDate) -> bool {
        crate::ledger::late(self.first_submitted_on, self.due_on, today)
    }
}

/// `GET /stats/reports`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReportStats {
    pub expected: i64,
    /// Respondents that have submitted at least once.
    pub submitted: i64,
    pub accepted: i64,
    pub returned: i64,
    /// Expected − submitted.
    pub missing: i64,
    /// First submitted on or before the due day.
    pub on_time: i64,
    /// The expected submissions whose `late` is true (missing ones past the due day too).
    pub late: i64,
    /// submitted / expected (0 when nothing is expected).
    pub completeness_rate: f64,
    /// on_time / expected (0 when nothing is expected).
    pub timeliness_rate: f64,
}

impl ReportStats {
    pub fn of(items: impl IntoIterator<Item = Expected>, today: NaiveDate) -> ReportStats {
        let mut s = ReportStats::default();
        for e in items {
            s.expected += 1;
            if let Some(d) = e.first_submitted_on {
                s.submitted += 1;
                if d <= e.due_on {
                    s.on_time += 1;
                }
            }
            match e.state {
                SubmissionState::Accepted => s.accepted += 1,
                SubmissionState::Returned => s.returned += 1,
                _ => {}
            }
            if e.late(today) {
                s.late += 1;
            }
        }
        s.missing = s.expected - s.submitted;
        if s.expected > 0 {
            s.completeness_rate = round4(s.submitted as f64 / s.expected as f64);
            s.timeliness_rate = round4(s.on_time as f64 / s.expected as f64);
        }
        s
    }
}

/// A rate to four places (0.8333), as every figure of the platform.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

// ---------------------------------------------------------------- funded projects

/// Yuan as a JSON number, checked to be ≥ 0 with at most two decimals; kept as fen.
pub fn fen(errs: &mut FieldErrors, field: &str, v: Option<f64>, positive: bool) -> Option<i64> {
    let Some(x) = v else {
        errs.add(field, FieldError::Required);
        return None;
    };
    if !x.is_finite() || x > AMOUNT_MAX {
        errs.add(
            field,
            FieldError::TooLarge {
                max: AMOUNT_MAX as i64,
            },
        );
        return None;
    }
    if x < 0.0 || (positive && x == 0.0) {
        errs.add(
            field,
            if positive {
                FieldError::TooSmall { min: 0 }
            } else {
                FieldError::Negative
            },
        );
        return None;
    }
    let cents = (x * 100.0).round();
    if ((x * 100.0) - cents).abs() > 1e-6 * cents.abs().max(1.0) {
        errs.add(field, FieldError::Decimals { max: 2 });
        return None;
    }
    Some(cents as i64)
}

/// Fen as yuan (an exact decimal for every amount below 2^53 fen).
pub fn yuan(fen: i64) -> f64 {
    // Division by 100 rounds to the nearest double, which prints as the decimal itself.
    fen as f64 / 100.0
}

/// An indicator of a funded project (绩效指标).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub name: String,
    #[serde(default)]
    pub unit: Option<String>,
    pub target: f64,
    #[serde(default)]
    pub actual: Option<f64>,
}

impl Indicator {
    /// min(actual / target, 1); without `actual`, 0 (a target of 0 is met by being there).
    pub fn achievement(&self) -> f64 {
        match self.actual {
            None => 0.0,
            Some(_) if self.target <= 0.0 => 1.0,
            Some(a) => (a / self.target).clamp(0.0, 1.0),
        }
    }
}

/// The mean achievement (null without indicators).
pub fn achievement_rate(indicators: &[Indicator]) -> Option<f64> {
    (!indicators.is_empty()).then(|| {
        round4(indicators.iter().map(Indicator::achievement).sum::<f64>() / indicators.len() as f64)
    })
}

/// spent / budget (0 when the budget is 0).
pub fn execution_rate(spent_fen: i64, budget_fen: i64) -> f64 {
    if budget_fen <= 0 {
        0.0
    } else {
        round4(spent_fen as f64 / budget_fen as f64)
    }
}

/// `POST /funded-projects` (and what a `PATCH` is merged into).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    #[schema(required)]
    pub programme: Option<String>,
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    #[schema(required)]
    pub society_id: Option<i64>,
    #[schema(required)]
    pub year: Option<i64>,
    /// Yuan, at most two decimals.
    #[schema(required)]
    pub budget: Option<f64>,
    #[serde(default)]
    pub indicators: Option<Vec<IndicatorInput>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorInput {
    #[schema(required)]
    pub name: Option<String>,
    pub unit: Option<String>,
    #[schema(required)]
    pub target: Option<f64>,
    pub actual: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewProject {
    pub programme: String,
    pub title: String,
    pub society_id: i64,
    pub year: i32,
    pub budget_fen: i64,
    pub indicators: Vec<Indicator>,
}

pub const INDICATORS_MAX: usize = 50;

impl ProjectInput {
    pub fn validate(&self) -> Result<NewProject, FieldErrors> {
        let mut errs = FieldErrors::new();
        let programme = programme(&mut errs, "programme", self.programme.as_deref());
        let title = validate::name(
            &mut errs,
            "title",
            self.title.as_deref().unwrap_or(""),
            TITLE_MAX,
        );
        if self.society_id.is_none() {
            errs.add("society_id", FieldError::Required);
        }
        let year = match self.year {
            None => {
                errs.add("year", FieldError::Required);
                None
            }
            Some(y) if y < 1949 => {
                errs.add("year", FieldError::TooSmall { min: 1949 });
                None
            }
            Some(y) if y > 2200 => {
                errs.add("year", FieldError::TooLarge { max: 2200 });
                None
            }
            Some(y) => Some(y as i32),
        };
        let budget = fen(&mut errs, "budget", self.budget, false);
        let mut indicators = Vec::new();
        let list = self.indicators.as_deref().unwrap_or_default();
        if list.len() > INDICATORS_MAX {
            errs.add(
                "indicators",
                FieldError::TooLong {
                    max: INDICATORS_MAX,
                },
            );
        }
        for (i, ind) in list.iter().enumerate().take(INDICATORS_MAX) {
            let at = format!("indicators[{i}]");
            let name = validate::name(
                &mut errs,
                &format!("{at}.name"),
                ind.name.as_deref().unwrap_or(""),
                LABEL_MAX,
            );
            let unit =
                validate::opt_text(&mut errs, &format!("{at}.unit"), ind.unit.as_deref(), 20);
            let target = match finite(&mut errs, &format!("{at}.target"), ind.target) {
                None if ind.target.is_none() => {
                    errs.add(&format!("{at}.target"), FieldError::Required);
                    0.0
                }
                Some(t) if t < 0.0 => {
                    errs.add(&format!("{at}.target"), FieldError::Negative);
                    0.0
                }
                t => t.unwrap_or(0.0),
            };
            let actual = match finite(&mut errs, &format!("{at}.actual"), ind.actual) {
                Some(a) if a < 0.0 => {
                    errs.add(&format!("{at}.actual"), FieldError::Negative);
                    None
                }
                a => a,
            };
            indicators.push(Indicator {
                name,
                unit,
                target,
                actual,
            });
        }
        errs.into_result()?;
        match (programme, self.society_id, year, budget) {
            (Some(programme), Some(society_id), Some(year), Some(budget_fen)) => Ok(NewProject {
                programme,
                title,
                society_id,
                year,
                budget_fen,
                indicators,
            }),
            _ => Err(FieldErrors::single("budget", FieldError::Required)),
        }
    }
}

impl NewProject {
    pub fn input(&self) -> ProjectInput {
        ProjectInput {
            programme: Some(self.programme.clone()),
            title: Some(self.title.clone()),
            society_id: Some(self.society_id),
            year: Some(self.year as i64),
            budget: Some(yuan(self.budget_fen)),
            indicators: Some(
                self.indicators
                    .iter()
                    .map(|i| IndicatorInput {
                        name: Some(i.name.clone()),
                        unit: i.unit.clone(),
                        target: Some(i.target),
                        actual: i.actual,
                    })
                    .collect(),
            ),
        }
    }
}

pub const PURPOSE_MAX: usize = 500;

/// `POST /funded-projects/{id}/expenditures`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpenditureInput {
    #[schema(required, value_type = NaiveDate)]
    pub spent_on: Option<String>,
    /// Yuan, > 0, at most two decimals.
    #[schema(required)]
    pub amount: Option<f64>,
    #[schema(required)]
    pub purpose: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewExpenditure {
    pub spent_on: NaiveDate,
    pub amount_fen: i64,
    pub purpose: String,
}

impl ExpenditureInput {
    pub fn validate(&self, today: NaiveDate) -> Result<NewExpenditure, FieldErrors> {
        let mut errs = FieldErrors::new();
        let spent_on = required_date(&mut errs, "spent_on", self.spent_on.as_deref());
        if spent_on.is_some_and(|d| d > today) {
            errs.add("spent_on", FieldError::InFuture);
        }
        let amount = fen(&mut errs, "amount", self.amount, true);
        let purpose = validate::name(
            &mut errs,
            "purpose",
            self.purpose.as_deref().unwrap_or(""),
            PURPOSE_MAX,
        );
        errs.into_result()?;
        match (spent_on, amount) {
            (Some(spent_on), Some(amount_fen)) => Ok(NewExpenditure {
                spent_on,
                amount_fen,
                purpose,
            }),
            _ => Err(FieldErrors::single("amount", FieldError::Required)),
        }
    }
}

#[cfg(test)]
mod tests;
