//! Rule checks over the registry (API `/checks`): what the committee should act on.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::registry::{Coverage, OrgKind, PartyOrg};
use crate::rules::Rules;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Uncovered,
    ShouldEstablish,
    JointBranchTooManyUnits,
    BranchTooLarge,
    TermExpired,
    TermExpiring,
    SecretaryStanding,
    /// A society's publication channel with no emergency plan on file (M10).
    ChannelWithoutPlan,
    /// A channel never reviewed, or last reviewed more than `[rules] channel_review_days`
    /// ago (M10).
    ChannelReviewOverdue,
}

impl Rule {
    pub const ALL: &'static [Rule] = &[
        Rule::Uncovered,
        Rule::ShouldEstablish,
        Rule::JointBranchTooManyUnits,
        Rule::BranchTooLarge,
        Rule::TermExpired,
        Rule::TermExpiring,
        Rule::SecretaryStanding,
        Rule::ChannelWithoutPlan,
        Rule::ChannelReviewOverdue,
    ];
    pub const CODES: &'static [&'static str] = &[
        "uncovered",
        "should_establish",
        "joint_branch_too_many_units",
        "branch_too_large",
        "term_expired",
        "term_expiring",
        "secretary_standing",
        "channel_without_plan",
        "channel_review_overdue",
    ];
    pub fn parse(s: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.as_str() == s)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Uncovered => "uncovered",
            Rule::ShouldEstablish => "should_establish",
            Rule::JointBranchTooManyUnits => "joint_branch_too_many_units",
            Rule::BranchTooLarge => "branch_too_large",
            Rule::TermExpired => "term_expired",
            Rule::TermExpiring => "term_expiring",
            Rule::SecretaryStanding => "secretary_standing",
            Rule::ChannelWithoutPlan => "channel_without_plan",
            Rule::ChannelReviewOverdue => "channel_review_overdue",
        }
    }
}

/// One finding of a rule check. `subject` is the name of the org or society; `value` the
/// figure or date the message quotes (a count, a date).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub rule: Rule,
    pub party_org_id: Option<i64>,
    pub society_id: Option<i64>,
    pub subject: String,
    pub value: String,
}

/// The few facts about a society that the checks need.
#[derive(Debug, Clone)]
pub struct SocietyFacts {
    pub id: i64,
    pub name: String,
    pub party_org_id: Option<i64>,
    pub coverage: Coverage,
    pub full_members: i64,
}

/// Adds `years` calendar years, clamping 29 February to 28 February.
pub fn add_years(d: NaiveDate, years: i32) -> NaiveDate {
    let y = d.year() + years;
    NaiveDate::from_ymd_opt(y, d.month(), d.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, d.month(), 28))
        .unwrap_or(d)
}

/// Runs every rule. Orgs are those in scope; societies those covered in scope (plus, for
/// unscoped callers, the uncovered ones). Output is ordered by rule, then subject id.
pub fn run(
    orgs: &[PartyOrg],
    societies: &[SocietyFacts],
    rules: &Rules,
    today: NaiveDate,
) -> Vec<Check> {
    let mut out = Vec::new();
    let mut units_per_org: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    for s in societies {
        if let Some(o) = s.party_org_id {
            *units_per_org.entry(o).or_default() += 1;
        }
        if s.coverage == Coverage::None {
            out.push(society_check(Rule::Uncovered, s, String::new()));
        }
        if crate::registry::should_establish(s.full_members, s.coverage, rules) {
            out.push(society_check(
                Rule::ShouldEstablish,
                s,
                s.full_members.to_string(),
            ));
        }
    }
    for o in orgs {
        if o.kind == OrgKind::JointBranch {
            let n = units_per_org.get(&o.id).copied().unwrap_or(0);
            if n > rules.joint_branch_max_units {
                out.push(org_check(Rule::JointBranchTooManyUnits, o, n.to_string()));
            }
        }
        let members = o.full_members + o.probationary_members;
        if matches!(
            o.kind,
            OrgKind::Branch | OrgKind::JointBranch | OrgKind::FunctionalBranch
        ) && members > rules.branch_max_members
        {
            out.push(org_check(Rule::BranchTooLarge, o, members.to_string()));
        }
        if let Some(end) = o.term_ends_on {
            if end < today {
                out.push(org_check(Rule::TermExpired, o, end.to_string()));
            } else if (end - today).num_days() <= rules.term_warning_days {
                out.push(org_check(Rule::TermExpiring, o, end.to_string()));
            }
        }
        if o.secretary.is_some() {
            if let Some(joined) = o.secretary_joined_on {
                if add_years(joined, rules.secretary_min_years as i32) > today {
                    out.push(org_check(Rule::SecretaryStanding, o, joined.to_string()));
                }
            }
        }
    }
    out.sort_by_key(|c| (c.rule, c.party_org_id, c.society_id));
    out
}

/// The few facts about a publication channel that its checks need (M10: the register's
/// records only, never what the channel publishes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelFacts {
    pub id: i64,
    pub name: String,
    pub society_id: i64,
    pub society: String,
    /// The org covering the society.
    pub party_org_id: Option<i64>,
    pub emergency_plan_on: Option<NaiveDate>,
    pub last_reviewed_on: Option<NaiveDate>,
}

/// Whether a channel's review is overdue on `today`: never reviewed, or the latest review
/// more than `[rules] channel_review_days` days before it.
pub fn review_overdue(
    last_reviewed_on: Option<NaiveDate>,
    rules: &Rules,
    today: NaiveDate,
) -> bool {
    match last_reviewed_on {
        None => true,
        Some(d) => (today - d).num_days() > rules.channel_review_days,
    }
}

/// The channel rules over `channels` (those of the societies in scope), ordered like
/// [`run`]'s. `subject` is "society · channel"; the overdue check's `value` is the latest
/// review's date, empty when there never was one.
pub fn run_channels(channels: &[ChannelFacts], rules: &Rules, today: NaiveDate) -> Vec<Check> {
    let mut out = Vec::new();
    for ch in channels {
        let subject = format!("{} · {}", ch.society, ch.name);
        if ch.emergency_plan_on.is_none() {
            out.push(Check {
                rule: Rule::ChannelWithoutPlan,
                party_org_id: ch.party_org_id,
                society_id: Some(ch.society_id),
                subject: subject.clone(),
                value: String::new(),
            });
        }
        if review_overdue(ch.last_reviewed_on, rules, today) {
            out.push(Check {
                rule: Rule::ChannelReviewOverdue,
                party_org_id: ch.party_org_id,
                society_id: Some(ch.society_id),
                subject,
                value: ch
                    .last_reviewed_on
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            });
        }
    }
    out.sort_by_key(|c| (c.rule, c.party_org_id, c.society_id));
    out
}

fn society_check(rule: Rule, s: &SocietyFacts, value: String) -> Check {
    Check {
        rule,
        party_org_id: s.party_org_id,
        society_id: Some(s.id),
        subject: s.name.clone(),
        value,
    }
}

fn org_check(rule: Rule, o: &PartyOrg, value: String) -> Check {
    Check {
        rule,
        party_org_id: Some(o.id),
        society_id: None,
        subject: o.name.clone(),
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        crate::validate::parse_date(s).unwrap()
    }

    fn org(id: i64, kind: OrgKind) -> PartyOrg {
        PartyOrg {
            id,
            name: format!("org{id}"),
            kind,
            parent_id: Some(1),
            secretary: Some("张".into()),
            secretary_joined_on: Some(d("2000-01-01")),
            secretary_cross_appointed: false,
            established_on: None,
            term_ends_on: None,
            full_members: 5,
            probationary_members: 0,
            grade: None,
        }
    }

    fn soc(id: i64, org: Option<i64>, coverage: Coverage, full: i64) -> SocietyFacts {
        SocietyFacts {
            id,
            name: format!("s{id}"),
            party_org_id: org,
            coverage,
            full_members: full,
        }
    }

    fn rules_of(checks: &[Check]) -> Vec<Rule> {
        checks.iter().map(|c| c.rule).collect()
    }

    #[test]
    fn uncovered_and_should_establish() {
        let today = d("2024-06-01");
        let s = [
            soc(1, None, Coverage::None, 5),
            soc(2, None, Coverage::Instructor, 1),
        ];
        let c = run(&[], &s, &Rules::default(), today);
        assert_eq!(rules_of(&c), vec![Rule::Uncovered, Rule::ShouldEstablish]);
        assert_eq!(c[0].society_id, Some(1));
        assert_eq!(c[1].value, "5");
    }

    #[test]
    fn joint_branch_with_six_units() {
        let o = org(7, OrgKind::JointBranch);
        let five: Vec<_> = (1..=5)
            .map(|i| soc(i, Some(7), Coverage::JointBranch, 1))
            .collect();
        assert!(run(
            std::slice::from_ref(&o),
            &five,
            &Rules::default(),
            d("2024-01-01")
        )
        .is_empty());
        let mut six = five.clone();
        six.push(soc(6, Some(7), Coverage::JointBranch, 1));
        let c = run(&[o], &six, &Rules::default(), d("2024-01-01"));
        assert_eq!(rules_of(&c), vec![Rule::JointBranchTooManyUnits]);
        assert_eq!(c[0].value, "6");
    }

    #[test]
    fn branch_too_large_counts_probationary() {
        let mut o = org(2, OrgKind::Branch);
        o.full_members = 49;
        o.probationary_members = 1;
        assert!(run(&[o.clone()], &[], &Rules::default(), d("2024-01-01")).is_empty());
        o.probationary_members = 2;
        assert_eq!(
            rules_of(&run(&[o.clone()], &[], &Rules::default(), d("2024-01-01"))),
            vec![Rule::BranchTooLarge]
        );
        o.kind = OrgKind::GeneralBranch;
        assert!(run(&[o], &[], &Rules::default(), d("2024-01-01")).is_empty());
    }

    #[test]
    fn term_boundaries() {
        let today = d("2024-01-01");
        let mut o = org(2, OrgKind::Branch);
        let at = |end: &str, o: &mut PartyOrg| {
            o.term_ends_on = Some(d(end));
            rules_of(&run(std::slice::from_ref(o), &[], &Rules::default(), today))
        };
        assert_eq!(at("2023-12-31", &mut o), vec![Rule::TermExpired]);
        assert_eq!(at("2024-01-01", &mut o), vec![Rule::TermExpiring]);
        assert_eq!(at("2024-03-31", &mut o), vec![Rule::TermExpiring]); // 90 days
        assert_eq!(at("2024-04-01", &mut o), Vec::<Rule>::new()); // 91 days
    }

    #[test]
    fn channels_without_a_plan_or_a_recent_review_are_flagged() {
        let ch = |id: i64, plan: Option<&str>, reviewed: Option<&str>| ChannelFacts {
            id,
            name: format!("c{id}"),
            society_id: id * 10,
            society: format!("s{id}"),
            party_org_id: Some(1),
            emergency_plan_on: plan.map(d),
            last_reviewed_on: reviewed.map(d),
        };
        let today = d("2024-06-15");
        let r = Rules::default();
        let all = [
            ch(1, Some("2023-01-01"), Some("2024-01-01")),
            ch(2, None, Some("2023-06-16")),
            ch(3, Some("2023-01-01"), Some("2023-06-15")),
            ch(4, Some("2023-01-01"), None),
        ];
        let got = run_channels(&all, &r, today);
        let pairs: Vec<(Rule, Option<i64>, String)> = got
            .iter()
            .map(|c| (c.rule, c.society_id, c.value.clone()))
            .collect();
        assert_eq!(
            pairs,
            vec![
                (Rule::ChannelWithoutPlan, Some(20), String::new()),
                // 366 days is more than 365; 364 is not
                (Rule::ChannelReviewOverdue, Some(30), "2023-06-15".into()),
                (Rule::ChannelReviewOverdue, Some(40), String::new()),
            ]
        );
        assert_eq!(got[0].subject, "s2 · c2");
        // exactly 365 days ago is not overdue; the days are configuration
        assert!(!review_overdue(Some(d("2023-06-16")), &r, today));
        let short = Rules {
            channel_review_days: 30,
            ..Rules::default()
        };
        assert!(review_overdue(Some(d("2024-05-15")), &short, today));
        assert!(!review_overdue(Some(d("2024-05-16")), &short, today));
    }

    #[test]
    fn secretary_standing_one_year() {
        let today = d("2024-03-01");
        let mut o = org(2, OrgKind::Branch);
        o.secretary_joined_on = Some(d("2023-03-01"));
        assert!(run(&[o.clone()], &[], &Rules::default(), today).is_empty());
        o.secretary_joined_on = Some(d("2023-03-02"));
        assert_eq!(
            rules_of(&run(&[o.clone()], &[], &Rules::default(), today)),
            vec![Rule::SecretaryStanding]
        );
        o.secretary = None;
        assert!(run(&[o], &[], &Rules::default(), today).is_empty());
    }

    #[test]
    fn rule_codes_match_the_rules() {
        assert_eq!(Rule::CODES.len(), Rule::ALL.len());
        for (r, c) in Rule::ALL.iter().zip(Rule::CODES) {
            assert_eq!(r.as_str(), *c);
            assert_eq!(Rule::parse(c), Some(*r));
        }
        assert_eq!(Rule::parse("made_up"), None);
    }

    #[test]
    fn add_years_on_leap_day() {
        assert_eq!(add_years(d("2024-02-29"), 1), d("2025-02-28"));
        assert_eq!(add_years(d("2024-02-29"), 4), d("2028-02-29"));
    }

    proptest! {
        #[test]
        fn every_uncovered_society_is_reported(covs in proptest::collection::vec(0usize..5, 0..40)) {
            let s: Vec<_> = covs.iter().enumerate().map(|(i, c)| soc(i as i64, None, Coverage::ALL[*c], 0)).collect();
            let c = run(&[], &s, &Rules::default(), d("2024-01-01"));
            let n = s.iter().filter(|s| s.coverage == Coverage::None).count();
            prop_assert_eq!(c.iter().filter(|c| c.rule == Rule::Uncovered).count(), n);
        }

        #[test]
        fn term_expired_and_expiring_are_exclusive(days in -400i64..400) {
            let today = d("2024-06-15");
            let mut o = org(3, OrgKind::Branch);
            o.term_ends_on = Some(today + chrono::Duration::days(days));
            let r = rules_of(&run(&[o], &[], &Rules::default(), today));
            prop_assert_eq!(r.contains(&Rule::TermExpired), days < 0);
            prop_assert_eq!(r.contains(&Rule::TermExpiring), (0..=90).contains(&days));
        }
    }
}
