//! Demo data for M2: last year and this year of activity records, with some gaps, so the
//! heat map and the to-do lists have something true to show.

use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use domain::life::{ActivityInput, ActivityKind, FirstAgenda, Period, PeriodKind};
use domain::OrgKind;
use store::{Actor, LifeStore, Scope, SqlStore, Store};

/// A small deterministic generator (no dependency; the demo must look the same each time).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    /// True with probability `p` percent.
    pub fn chance(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }
}

const TOPICS: &[&str] = &[
    "学习贯彻党的二十大精神",
    "学习《中国共产党章程》",
    "科技志愿服务进社区",
    "弘扬科学家精神专题学习",
    "学习贯彻习近平总书记重要讲话精神",
    "党建引领学会高质量发展研讨",
    "重温入党誓词",
    "参观红色教育基地",
    "学习《中国共产党支部工作条例（试行）》",
    "科技工作者座谈会",
];

fn topic(kind: ActivityKind, rng: &mut Lcg) -> String {
    let base = TOPICS[(rng.next() as usize) % TOPICS.len()];
    match kind {
        ActivityKind::OrgLifeMeeting => "年度组织生活会".into(),
        ActivityKind::MemberReview => "年度民主评议党员".into(),
        ActivityKind::WorkConference => "党建工作例会".into(),
        _ => base.to_string(),
    }
}

/// Records for `orgs` (id, kind, full members) in `years`, up to `today`; `rate` percent of
/// the periods are kept, the rest left as gaps.
pub fn generate(
    orgs: &[(i64, OrgKind, i64, Option<NaiveDate>)],
    years: &[i32],
    today: NaiveDate,
    rate: u64,
    rng: &mut Lcg,
) -> Vec<ActivityInput> {
    use ActivityKind as A;
    let mut out = Vec::new();
    for &(id, kind, full, established) in orgs {
        let rules: &[(ActivityKind, PeriodKind)] = match kind {
            OrgKind::Committee => &[
                (A::CommitteeSession, PeriodKind::Quarter),
                (A::CenterGroupStudy, PeriodKind::Quarter),
                (A::WorkConference, PeriodKind::Year),
            ],
            _ if full >= 7 => &[
                (A::ThemeDay, PeriodKind::Month),
                (A::CommitteeMeeting, PeriodKind::Month),
                (A::MemberMeeting, PeriodKind::Quarter),
                (A::PartyLecture, PeriodKind::Quarter),
                (A::OrgLifeMeeting, PeriodKind::Year),
                (A::MemberReview, PeriodKind::Year),
            ],
            _ => &[
                (A::ThemeDay, PeriodKind::Month),
                (A::MemberMeeting, PeriodKind::Quarter),
                (A::PartyLecture, PeriodKind::Quarter),
                (A::OrgLifeMeeting, PeriodKind::Year),
                (A::MemberReview, PeriodKind::Year),
            ],
        };
        // Some orgs keep their records well, a few poorly.
        let org_rate = match id % 7 {
            0 => rate.saturating_sub(35),
            1 | 2 => rate.saturating_sub(10),
            _ => rate.min(100),
        };
        for &year in years {
            for &(k, pk) in rules {
                for p in Period::of_year(pk, year) {
                    let first = p.first_day();
                    if first > today || established.is_some_and(|e| e > first) {
                        continue;
                    }
                    // The current period is still open: about half are done already.
                    let open = p.last_day() >= today;
                    if !rng.chance(if open { 45 } else { org_rate }) {
                        continue;
                    }
                    let last = p.last_day().min(today);
                    let span = (last - first).num_days().max(0) as u64 + 1;
                    let held_on = first + chrono::Days::new(rng.next() % span);
                    let expected = full.clamp(3, 60);
                    let present = expected - (rng.next() % 3) as i64;
                    out.push(ActivityInput {
                        party_org_id: id,
                        kind: k,
                        held_on,
                        topic: topic(k, rng),
                        first_agenda: Some(FirstAgenda::Held(rng.chance(90))),
                        attendees_expected: Some(expected),
                        attendees_present: Some(present.max(0)),
                        notes: None,
                    });
                }
            }
        }
    }
    out
}

pub async fn load(store: &SqlStore) -> Result<()> {
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset"))
        .date_naive();
    let orgs: Vec<_> = store
        .all_orgs(&Scope::All)
        .await?
        .into_iter()
        .map(|o| (o.id, o.kind, o.full_members, o.established_on))
        .collect();
    let mut rng = Lcg(2024);
    let items = generate(
        &orgs,
        &[today.year() - 1, today.year()],
        today,
        88,
        &mut rng,
    );
    store.bulk_activities(&Actor::system("demo"), items).await?;
    Ok(())
}
