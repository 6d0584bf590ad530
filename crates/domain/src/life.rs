//! M2: activity kinds, obligation rules, periods and compliance.
//!
//! Compliance is computed, never stored: for each org, each obligation that applies to it and
//! each period of the year the org existed on the first day of, `done` is the number of the
//! org's activities of that kind held in the period, and the status follows from `done`,
//! `required` and today's date.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::registry::{code, date, double_option, opt_str, OrgKind};
use crate::validate::{self, FieldError, FieldErrors};

code_enum!(
    /// Kind of a held meeting, lecture, themed day or study (GLOSSARY.md).
    ActivityKind {
        MemberMeeting = "member_meeting",
        CommitteeMeeting = "committee_meeting",
        GroupMeeting = "group_meeting",
        PartyLecture = "party_lecture",
        ThemeDay = "theme_day",
        OrgLifeMeeting = "org_life_meeting",
        MemberReview = "member_review",
        CenterGroupStudy = "center_group_study",
        CommitteeSession = "committee_session",
        WorkConference = "work_conference",
    }
);

code_enum!(
    /// The length of an obligation's period.
    PeriodKind {
        Month = "month",
        Quarter = "quarter",
        HalfYear = "half_year",
        Year = "year",
    }
);

code_enum!(
    /// Compliance of one org with one obligation in one period.
    Status {
        Met = "met",
        Missed = "missed",
        Due = "due",
        Upcoming = "upcoming",
    }
);

/// One month, quarter or year. `index` is the month (1–12), the quarter (1–4), or 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub kind: PeriodKind,
    pub year: i32,
    pub index: u32,
}

impl Period {
    /// The period of `kind` that contains `day`.
    pub fn containing(kind: PeriodKind, day: NaiveDate) -> Period {
        let index = match kind {
            PeriodKind::Month => day.month(),
            PeriodKind::Quarter => (day.month() - 1) / 3 + 1,
            PeriodKind::HalfYear => (day.month() - 1) / 6 + 1,
            PeriodKind::Year => 1,
        };
        Period {
            kind,
            year: day.year(),
            index,
        }
    }

    /// The periods of `kind` in `year`, in order.
    pub fn of_year(kind: PeriodKind, year: i32) -> impl Iterator<Item = Period> {
        let n = match kind {
            PeriodKind::Month => 12,
            PeriodKind::Quarter => 4,
            PeriodKind::HalfYear => 2,
            PeriodKind::Year => 1,
        };
        (1..=n).map(move |index| Period { kind, year, index })
    }

    /// The months (1–12) the period covers.
    pub fn months(&self) -> std::ops::RangeInclusive<u32> {
        match self.kind {
            PeriodKind::Month => self.index..=self.index,
            PeriodKind::Quarter => (self.index - 1) * 3 + 1..=self.index * 3,
            PeriodKind::HalfYear => (self.index - 1) * 6 + 1..=self.index * 6,
            PeriodKind::Year => 1..=12,
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        let m = *self.months().start();
        NaiveDate::from_ymd_opt(self.year, m, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(&self) -> NaiveDate {
        let m = *self.months().end();
        let (y, next) = if m == 12 {
            (self.year + 1, 1)
        } else {
            (self.year, m + 1)
        };
        NaiveDate::from_ymd_opt(y, next, 1)
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }

    /// `2023-03`, `2023-Q1`, `2023-H1` or `2023`, as the API names periods.
    pub fn label(&self) -> String {
        match self.kind {
            PeriodKind::Month => format!("{:04}-{:02}", self.year, self.index),
            PeriodKind::Quarter => format!("{:04}-Q{}", self.year, self.index),
            PeriodKind::HalfYear => format!("{:04}-H{}", self.year, self.index),
            PeriodKind::Year => format!("{:04}", self.year),
        }
    }

    /// Reads a label back.
    pub fn parse(s: &str) -> Option<Period> {
        let (y, rest) = match s.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (s, None),
        };
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let p = match rest {
            None => Period {
                kind: PeriodKind::Year,
                year,
                index: 1,
            },
            Some(r) if r.starts_with('Q') && r.len() == 2 => Period {
                kind: PeriodKind::Quarter,
                year,
                index: r[1..].parse().ok().filter(|q| (1..=4).contains(q))?,
            },
            Some(r) if r.starts_with('H') && r.len() == 2 => Period {
                kind: PeriodKind::HalfYear,
                year,
                index: r[1..].parse().ok().filter(|h| (1..=2).contains(h))?,
            },
            Some(r) if r.len() == 2 && r.bytes().all(|b| b.is_ascii_digit()) => Period {
                kind: PeriodKind::Month,
                year,
                index: r.parse().ok().filter(|m| (1..=12).contains(m))?,
            },
            Some(_) => return None,
        };
        Some(p)
    }

    /// Whole days from `today` to the period's last day (0 on the last day).
    pub fn days_left(&self, today: NaiveDate) -> i64 {
        (self.last_day() - today).num_days()
    }
}

/// The status of a period with `done` of `required` held, seen on `today`.
pub fn status(period: &Period, required: i64, done: i64, today: NaiveDate) -> Status {
    if done >= required {
        Status::Met
    } else if period.last_day() < today {
        Status::Missed
    } else if period.first_day() <= today {
        Status::Due
    } else {
        Status::Upcoming
    }
}

/// An obligation rule: at least `min_count` activities of `kind` per `period`, for orgs of
/// one of `org_kinds` with at least `min_full_members` full members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Obligation {
    #[schema(read_only)]
    pub id: i64,
    pub kind: ActivityKind,
    pub period: PeriodKind,
    #[schema(minimum = 1, maximum = 100)]
    pub min_count: i64,
    /// An empty list applies to no org: the rule is kept but switched off.
    pub org_kinds: Vec<OrgKind>,
    #[schema(minimum = 0)]
    pub min_full_members: Option<i64>,
    pub active_from: Option<NaiveDate>,
}

/// An obligation without its id (to create, or as a patch produces it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObligationInput {
    pub kind: ActivityKind,
    pub period: PeriodKind,
    pub min_count: i64,
    pub org_kinds: Vec<OrgKind>,
    pub min_full_members: Option<i64>,
    pub active_from: Option<NaiveDate>,
}

impl Obligation {
    pub fn input(&self) -> ObligationInput {
        ObligationInput {
            kind: self.kind,
            period: self.period,
            min_count: self.min_count,
            org_kinds: self.org_kinds.clone(),
            min_full_members: self.min_full_members,
            active_from: self.active_from,
        }
    }

    pub fn with_id(id: i64, i: ObligationInput) -> Obligation {
        Obligation {
            id,
            kind: i.kind,
            period: i.period,
            min_count: i.min_count,
            org_kinds: i.org_kinds,
            min_full_members: i.min_full_members,
            active_from: i.active_from,
        }
    }

    /// Whether the rule binds an org of this kind and size.
    pub fn applies_to(&self, kind: OrgKind, full_members: i64) -> bool {
        self.org_kinds.contains(&kind) && self.min_full_members.is_none_or(|m| full_members >= m)
    }

    /// Whether `p` counts for the rule: it starts on or after `active_from`.
    pub fn counts(&self, p: &Period) -> bool {
        self.active_from.is_none_or(|a| p.first_day() >= a)
    }
}

/// The kinds of org that hold the branch-level organizational life (三会一课 and the rest).
const BRANCH_KINDS: &[OrgKind] = &[
    OrgKind::GeneralBranch,
    OrgKind::Branch,
    OrgKind::JointBranch,
    OrgKind::FunctionalBranch,
];

/// PRODUCT.md's defaults ("Rules the platform encodes"); `committee_min` is the branch
/// committee threshold (full members ≥ 7 by default).
pub fn default_obligations(committee_min: i64) -> Vec<ObligationInput> {
    use ActivityKind as A;
    use PeriodKind as P;
    let rule = |kind, period, org_kinds: &[OrgKind], min_full_members| ObligationInput {
        kind,
        period,
        min_count: 1,
        org_kinds: org_kinds.to_vec(),
        min_full_members,
        active_from: None,
    };
    vec![
        rule(A::MemberMeeting, P::Quarter, BRANCH_KINDS, None),
        rule(
            A::CommitteeMeeting,
            P::Month,
            BRANCH_KINDS,
            Some(committee_min),
        ),
        // Party groups are not in the registry: the rule is there to switch on (org kinds)
        // where a committee keeps groups, and binds no org until then.
        rule(A::GroupMeeting, P::Month, &[], None),
        rule(A::PartyLecture, P::Quarter, BRANCH_KINDS, None),
        rule(A::ThemeDay, P::Month, BRANCH_KINDS, None),
        rule(A::OrgLifeMeeting, P::Year, BRANCH_KINDS, None),
        rule(A::MemberReview, P::Year, BRANCH_KINDS, None),
        rule(A::CommitteeSession, P::Quarter, &[OrgKind::Committee], None),
        rule(A::WorkConference, P::Year, &[OrgKind::Committee], None),
        rule(A::CenterGroupStudy, P::Quarter, &[OrgKind::Committee], None),
    ]
}

/// An obligation change as a caller sends it; absent fields keep their value.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ObligationInput, description = "On POST kind and period are required; min_count defaults to 1.")]
#[serde(deny_unknown_fields)]
pub struct ObligationPatch {
    #[schema(value_type = Option<ActivityKind>)]
    pub kind: Option<String>,
    #[schema(value_type = Option<PeriodKind>)]
    pub period: Option<String>,
    #[schema(minimum = 1, maximum = 100)]
    pub min_count: Option<i64>,
    #[schema(value_type = Option<Vec<OrgKind>>)]
    pub org_kinds: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub min_full_members: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub active_from: Option<Option<String>>,
    #[serde(default)]
    #[schema(ignore)]
    pub id: Option<serde::de::IgnoredAny>,
}

impl ObligationPatch {
    pub fn apply(&self, base: Option<&ObligationInput>) -> Result<ObligationInput, FieldErrors> {
        let mut errs = FieldErrors::new();
        let kind = code(
            &mut errs,
            "kind",
            self.kind.as_deref(),
            base.map(|b| b.kind),
            ActivityKind::parse,
            ActivityKind::CODES,
        );
        let period = code(
            &mut errs,
            "period",
            self.period.as_deref(),
            base.map(|b| b.period),
            PeriodKind::parse,
            PeriodKind::CODES,
        );
        if kind.is_none() && !errs.0.contains_key("kind") {
            errs.add("kind", FieldError::Required);
        }
        if period.is_none() && !errs.0.contains_key("period") {
            errs.add("period", FieldError::Required);
        }
        let min_count = self.min_count.or(base.map(|b| b.min_count)).unwrap_or(1);
        if min_count < 1 {
            errs.add("min_count", FieldError::TooSmall { min: 1 });
        } else if min_count > 100 {
            errs.add("min_count", FieldError::TooLarge { max: 100 });
        }
        let org_kinds = match &self.org_kinds {
            Some(list) => {
                let mut out = Vec::new();
                for k in list {
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
                out
            }
            None => base.map(|b| b.org_kinds.clone()).unwrap_or_default(),
        };
        let min_full_members = match self.min_full_members {
            Some(v) => v,
            None => base.and_then(|b| b.min_full_members),
        };
        if let Some(m) = min_full_members {
            validate::count(&mut errs, "min_full_members", m);
        }
        let active_from = date(
            &mut errs,
            "active_from",
            opt_str(&self.active_from),
            base.and_then(|b| b.active_from),
        );
        errs.into_result()?;
        Ok(ObligationInput {
            kind: kind.unwrap_or(ActivityKind::ThemeDay),
            period: period.unwrap_or(PeriodKind::Month),
            min_count,
            org_kinds,
            min_full_members,
            active_from,
        })
    }
}

/// What compliance needs to know of an org.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgFacts {
    pub id: i64,
    pub kind: OrgKind,
    pub full_members: i64,
    pub established_on: Option<NaiveDate>,
}

impl OrgFacts {
    /// A period counts for the org only if the org existed on its first day. An org whose
    /// establishment date is not recorded is taken to have existed.
    pub fn existed_at_start(&self, p: &Period) -> bool {
        self.established_on.is_none_or(|e| e <= p.first_day())
    }
}

/// Activities held per org and kind, by month of one year (index 0 = January).
#[derive(Debug, Clone, Default)]
pub struct MonthCounts(pub HashMap<(i64, ActivityKind), [i64; 12]>);

impl MonthCounts {
    pub fn add(&mut self, org: i64, kind: ActivityKind, month: u32, n: i64) {
        if (1..=12).contains(&month) {
            self.0.entry((org, kind)).or_insert([0; 12])[month as usize - 1] += n;
        }
    }

    /// Held in `p` (which must lie in the counted year).
    pub fn done(&self, org: i64, kind: ActivityKind, p: &Period) -> i64 {
        self.0
            .get(&(org, kind))
            .map(|m| p.months().map(|i| m[i as usize - 1]).sum())
            .unwrap_or(0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ComplianceItem {
    pub party_org_id: i64,
    pub obligation_id: i64,
    pub kind: ActivityKind,
    /// The period's label (`2023-03`, `2023-Q1`, `2023`).
    #[schema(examples("2023-03", "2023-Q1", "2023"))]
    pub period: String,
    pub required: i64,
    pub done: i64,
    pub status: Status,
    /// Not in the contract's fixed part: the period's last day, for deadlines.
    pub ends_on: NaiveDate,
}

/// Whether a reminder may be about the item: due and ending within `due_within_days`, or
/// missed and ended on or after `missed_since`. The daily job's one rule.
pub fn remindable(
    i: &ComplianceItem,
    today: NaiveDate,
    due_within_days: i64,
    missed_since: NaiveDate,
) -> bool {
    match i.status {
        Status::Due => (i.ends_on - today).num_days() <= due_within_days,
        Status::Missed => i.ends_on >= missed_since,
        _ => false,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub met: i64,
    pub missed: i64,
    pub due: i64,
    /// Extension: periods not yet started.
    pub upcoming: i64,
    /// met / (met + missed); null while no period has been decided.
    pub rate: Option<f64>,
}

impl Summary {
    pub fn of<'a>(items: impl IntoIterator<Item = &'a ComplianceItem>) -> Summary {
        let mut s = Summary::default();
        for i in items {
            match i.status {
                Status::Met => s.met += 1,
                Status::Missed => s.missed += 1,
                Status::Due => s.due += 1,
                Status::Upcoming => s.upcoming += 1,
            }
        }
        s.rate = (s.met + s.missed > 0).then(|| s.met as f64 / (s.met + s.missed) as f64);
        s
    }
}

/// What a to-do needs of a report: its figures and the first `n` unmet items — due ones by
/// nearest deadline, missed ones latest first — with their totals. Small enough to keep
/// where the whole report (a national tree's is hundreds of thousands of items) is not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Digest {
    pub summary: Summary,
    pub due: Vec<ComplianceItem>,
    pub missed: Vec<ComplianceItem>,
    pub due_total: usize,
    pub missed_total: usize,
}

impl Digest {
    /// The digest of `items`, counting only items that end on or after `since` when given.
    pub fn of(items: &[ComplianceItem], since: Option<NaiveDate>, n: usize) -> Digest {
        let recent = |i: &&ComplianceItem| since.is_none_or(|s| i.ends_on >= s);
        let mut due: Vec<ComplianceItem> = items
            .iter()
            .filter(recent)
            .filter(|i| i.status == Status::Due)
            .cloned()
            .collect();
        let mut missed: Vec<ComplianceItem> = items
            .iter()
            .filter(recent)
            .filter(|i| i.status == Status::Missed)
            .cloned()
            .collect();
        due.sort_by_key(|i| (i.ends_on, i.party_org_id, i.obligation_id));
        missed.sort_by_key(|i| {
            (
                std::cmp::Reverse(i.ends_on),
                i.party_org_id,
                i.obligation_id,
            )
        });
        let (due_total, missed_total) = (due.len(), missed.len());
        due.truncate(n);
        missed.truncate(n);
        Digest {
            summary: Summary::of(items.iter().filter(recent)),
            due,
            missed,
            due_total,
            missed_total,
        }
    }
}

/// Every (org, obligation, period) of `year` that counts, with its status on `today`.
/// Items come ordered by org (as given), obligation (as given) and period.
pub fn compliance(
    year: i32,
    orgs: &[OrgFacts],
    obligations: &[Obligation],
    counts: &MonthCounts,
    today: NaiveDate,
) -> Vec<ComplianceItem> {
    let mut out = Vec::new();
    for org in orgs {
        for ob in obligations {
            if !ob.applies_to(org.kind, org.full_members) {
                continue;
            }
            for p in Period::of_year(ob.period, year) {
                if !ob.counts(&p) || !org.existed_at_start(&p) {
                    continue;
                }
                let done = counts.done(org.id, ob.kind, &p);
                out.push(ComplianceItem {
                    party_org_id: org.id,
                    obligation_id: ob.id,
                    kind: ob.kind,
                    period: p.label(),
                    required: ob.min_count,
                    done,
                    status: status(&p, ob.min_count, done, today),
                    ends_on: p.last_day(),
                });
            }
        }
    }
    out
}

/// The heat-map cell of one org and month: the items whose period ends in that month (a
/// month's own, a quarter's in its last month, the year's in December).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub met: u32,
    pub missed: u32,
    pub due: u32,
    pub upcoming: u32,
}

impl Cell {
    pub fn add(&mut self, s: Status) {
        match s {
            Status::Met => self.met += 1,
            Status::Missed => self.missed += 1,
            Status::Due => self.due += 1,
            Status::Upcoming => self.upcoming += 1,
        }
    }

    pub fn total(&self) -> u32 {
        self.met + self.missed + self.due + self.upcoming
    }

    /// The cell's colour: any miss, else anything due, else all met, else not yet.
    pub fn status(&self) -> Option<Status> {
        if self.total() == 0 {
            None
        } else if self.missed > 0 {
            Some(Status::Missed)
        } else if self.due > 0 {
            Some(Status::Due)
        } else if self.upcoming > 0 {
            Some(Status::Upcoming)
        } else {
            Some(Status::Met)
        }
    }
}

/// A report folded for the heat map: each org's month cells (in the report's tree order),
/// met and missed periods per activity kind, and the figures. Twelve cells an org: small
/// enough to keep for a national tree.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HeatMap {
    pub rows: Vec<(i64, [Cell; 12])>,
    pub by_kind: Vec<(ActivityKind, i64, i64)>,
    pub summary: Summary,
}

impl HeatMap {
    pub fn of(items: &[ComplianceItem]) -> HeatMap {
        let mut rows: Vec<(i64, [Cell; 12])> = Vec::new();
        let mut at: HashMap<i64, usize> = HashMap::new();
        let mut kinds: HashMap<ActivityKind, (i64, i64)> = HashMap::new();
        for i in items {
            let r = *at.entry(i.party_org_id).or_insert_with(|| {
                rows.push((i.party_org_id, [Cell::default(); 12]));
                rows.len() - 1
            });
            if let Some(m) = end_month(&i.period) {
                rows[r].1[m as usize - 1].add(i.status);
            }
            let k = kinds.entry(i.kind).or_default();
            match i.status {
                Status::Met => k.0 += 1,
                Status::Missed => k.1 += 1,
                _ => {}
            }
        }
        let by_kind = ActivityKind::ALL
            .iter()
            .filter_map(|k| kinds.get(k).map(|(met, missed)| (*k, *met, *missed)))
            .collect();
        HeatMap {
            rows,
            by_kind,
            summary: Summary::of(items),
        }
    }
}

impl HeatMap {
    /// Met and missed periods by the month they end in (the map's columns summed over its
    /// orgs), January first: a month's compliance rate is met / (met + missed).
    pub fn by_month(&self) -> [(i64, i64); 12] {
        let mut out = [(0i64, 0i64); 12];
        for (_, cells) in &self.rows {
            for (m, c) in cells.iter().enumerate() {
                out[m].0 += i64::from(c.met);
                out[m].1 += i64::from(c.missed);
            }
        }
        out
    }

    /// Each org's missed periods, in the map's order.
    pub fn missed(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.rows
            .iter()
            .map(|(id, cells)| (*id, cells.iter().map(|c| i64::from(c.missed)).sum()))
    }
}

/// Month (1–12) in which an item's period ends, from its label.
pub fn end_month(period_label: &str) -> Option<u32> {
    Period::parse(period_label).map(|p| *p.months().end())
}

// ---------------------------------------------------------------------------------------
// Activities

pub const TOPIC_MAX: usize = 200;
pub const NOTES_MAX: usize = 4000;
pub const FIRST_AGENDA_MAX: usize = 500;

/// 第一议题: whether the meeting opened with the required study, or the study item itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum FirstAgenda {
    Held(bool),
    Text(String),
}

impl FirstAgenda {
    /// Whether a first agenda item was held.
    pub fn held(&self) -> bool {
        match self {
            FirstAgenda::Held(b) => *b,
            FirstAgenda::Text(t) => !t.trim().is_empty(),
        }
    }

    /// Stored as text: `true`/`false` for the flag, `:`-prefixed for the study item.
    pub fn to_db(&self) -> String {
        match self {
            FirstAgenda::Held(b) => b.to_string(),
            FirstAgenda::Text(t) => format!(":{t}"),
        }
    }

    pub fn from_db(s: &str) -> FirstAgenda {
        match s {
            "true" => FirstAgenda::Held(true),
            "false" => FirstAgenda::Held(false),
            t => FirstAgenda::Text(t.strip_prefix(':').unwrap_or(t).to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Activity {
    #[schema(read_only)]
    pub id: i64,
    pub party_org_id: i64,
    pub kind: ActivityKind,
    pub held_on: NaiveDate,
    #[schema(max_length = 200)]
    pub topic: String,
    /// 第一议题: true/false (held or not), or the text of the study item; null when not recorded.
    pub first_agenda: Option<FirstAgenda>,
    #[schema(minimum = 0)]
    pub attendees_expected: Option<i64>,
    #[schema(minimum = 0)]
    pub attendees_present: Option<i64>,
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
    /// Extension: how many attachments the record has.
    #[schema(read_only)]
    pub attachments: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityInput {
    pub party_org_id: i64,
    pub kind: ActivityKind,
    pub held_on: NaiveDate,
    pub topic: String,
    pub first_agenda: Option<FirstAgenda>,
    pub attendees_expected: Option<i64>,
    pub attendees_present: Option<i64>,
    pub notes: Option<String>,
}

impl Activity {
    pub fn input(&self) -> ActivityInput {
        ActivityInput {
            party_org_id: self.party_org_id,
            kind: self.kind,
            held_on: self.held_on,
            topic: self.topic.clone(),
            first_agenda: self.first_agenda.clone(),
            attendees_expected: self.attendees_expected,
            attendees_present: self.attendees_present,
            notes: self.notes.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ActivityInput, description = "On POST party_org_id, kind, held_on and topic are required. Unknown fields → 422.")]
#[serde(deny_unknown_fields)]
pub struct ActivityPatch {
    pub party_org_id: Option<i64>,
    #[schema(value_type = Option<ActivityKind>)]
    pub kind: Option<String>,
    #[schema(value_type = Option<NaiveDate>)]
    pub held_on: Option<String>,
    #[schema(max_length = 200)]
    pub topic: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<FirstAgenda>)]
    pub first_agenda: Option<Option<FirstAgenda>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub attendees_expected: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub attendees_present: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 4000)]
    pub notes: Option<Option<String>>,
    #[serde(default)]
    #[schema(ignore)]
    pub id: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    #[schema(ignore)]
    pub attachments: Option<serde::de::IgnoredAny>,
}

impl ActivityPatch {
    /// Applies the patch to `base` or, on create, checks every required field. `today`
    /// bounds `held_on`: a record is of something held, not planned.
    pub fn apply(
        &self,
        base: Option<&ActivityInput>,
        today: NaiveDate,
    ) -> Result<ActivityInput, FieldErrors> {
        let mut errs = FieldErrors::new();
        let party_org_id = self.party_org_id.or(base.map(|b| b.party_org_id));
        if party_org_id.is_none() {
            errs.add("party_org_id", FieldError::Required);
        }
        let kind = code(
            &mut errs,
            "kind",
            self.kind.as_deref(),
            base.map(|b| b.kind),
            ActivityKind::parse,
            ActivityKind::CODES,
        );
        if kind.is_none() && !errs.0.contains_key("kind") {
            errs.add("kind", FieldError::Required);
        }
        let held_on = match (&self.held_on, base) {
            (Some(s), _) => {
                let d = validate::parse_date(s);
                match d {
                    None => errs.add("held_on", FieldError::InvalidDate),
                    Some(d) if d > today => errs.add("held_on", FieldError::InFuture),
                    Some(d) if d.year() < 1921 => errs.add("held_on", FieldError::InvalidDate),
                    _ => {}
                }
                d
            }
            (None, Some(b)) => Some(b.held_on),
            (None, None) => {
                errs.add("held_on", FieldError::Required);
                None
            }
        };
        let topic = match (&self.topic, base) {
            (Some(t), _) => validate::name(&mut errs, "topic", t, TOPIC_MAX),
            (None, Some(b)) => b.topic.clone(),
            (None, None) => {
                errs.add("topic", FieldError::Required);
                String::new()
            }
        };
        let first_agenda = match &self.first_agenda {
            Some(Some(FirstAgenda::Text(t))) => {
                let t = t.trim();
                if t.chars().count() > FIRST_AGENDA_MAX {
                    errs.add(
                        "first_agenda",
                        FieldError::TooLong {
                            max: FIRST_AGENDA_MAX,
                        },
                    );
                }
                (!t.is_empty()).then(|| FirstAgenda::Text(t.to_string()))
            }
            Some(v) => v.clone(),
            None => base.and_then(|b| b.first_agenda.clone()),
        };
        let attendance = |errs: &mut FieldErrors, field: &str, v: Option<Option<i64>>, b| {
            let v = match v {
                Some(v) => v,
                None => b,
            };
            if let Some(n) = v {
                validate::count(errs, field, n);
            }
            v
        };
        let expected = attendance(
            &mut errs,
            "attendees_expected",
            self.attendees_expected,
            base.and_then(|b| b.attendees_expected),
        );
        let present = attendance(
            &mut errs,
            "attendees_present",
            self.attendees_present,
            base.and_then(|b| b.attendees_present),
        );
        if let (Some(e), Some(p)) = (expected, present) {
            if p > e && e >= 0 {
                errs.add("attendees_present", FieldError::TooLarge { max: e });
            }
        }
        let notes = match &self.notes {
            Some(v) => validate::opt_text(&mut errs, "notes", v.as_deref(), NOTES_MAX),
            None => base.and_then(|b| b.notes.clone()),
        };
        errs.into_result()?;
        Ok(ActivityInput {
            party_org_id: party_org_id.unwrap_or_default(),
            kind: kind.unwrap_or(ActivityKind::ThemeDay),
            held_on: held_on.unwrap_or(today),
            topic,
            first_agenda,
            attendees_expected: expected,
            attendees_present: present,
            notes,
        })
    }
}

#[cfg(test)]
mod tests;
