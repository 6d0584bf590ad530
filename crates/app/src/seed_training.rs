//! M8 records for the demo and `seed --office-holders N`: the office-holders of every org
//! (a secretary first, then committee members, a deputy secretary in larger orgs, and
//! party workers), with some turnover — appointed during last year, or left during this
//! one — and two years of courses (the branch-secretary training class, lectures, an online
//! course, the party workers' class) attended by each person according to their own
//! diligence, so that the share meeting the requirement spreads. Deterministic; written in
//! bulk.

use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use domain::training::{CourseKind, NewCourse, NewOfficeHolder, Position};
use store::training::BulkTraining;
use store::{Actor, OrgFilter, Scope, SqlStore, Store, TrainingStore};

use crate::seed::{person, Rng};

/// The organizer of the committee's own courses.
const ORGANIZER: &str = "科技社团党委";

/// The positions of an org's n-th office-holder.
fn position(i: usize, large: bool) -> Position {
    match (i, large) {
        (0, _) => Position::Secretary,
        (1, true) => Position::DeputySecretary,
        (1, false) | (2, true) => Position::PartyWorker,
        _ => Position::CommitteeMember,
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// (title, kind, starts, ends, hours, for leaders, for party workers) of a year's courses.
fn courses_of(year: i32) -> Vec<(NewCourse, bool, bool)> {
    let course = |title: String, kind, starts_on, ends_on, hours: i64| NewCourse {
        title,
        kind,
        organizer: Some(ORGANIZER.into()),
        starts_on,
        ends_on,
        hours_tenths: hours * 10,
    };
    vec![
        (
            course(
                format!("{year}年度科技社团党组织书记培训班"),
                CourseKind::Class,
                date(year, 4, 15),
                date(year, 4, 19),
                40,
            ),
            true,
            false,
        ),
        (
            course(
                "学习贯彻党的二十大精神专题讲座".into(),
                CourseKind::Lecture,
                date(year, 3, 12),
                date(year, 3, 12),
                4,
            ),
            true,
            true,
        ),
        (
            course(
                "科技社团党建工作实务讲座".into(),
                CourseKind::Lecture,
                date(year, 6, 20),
                date(year, 6, 20),
                4,
            ),
            true,
            true,
        ),
        (
            course(
                format!("{year}年党务工作者业务培训班"),
                CourseKind::Class,
                date(year, 9, 10),
                date(year, 9, 12),
                24,
            ),
            false,
            true,
        ),
        (
            course(
                "网络培训：基层党组织工作规范".into(),
                CourseKind::Online,
                date(year, 5, 1),
                date(year, 10, 31),
                16,
            ),
            true,
            true,
        ),
    ]
}

/// About `people` office-holders over `orgs` (id, whether large: committees and general
/// branches), at least a secretary each, and last year's and this year's courses ended by
/// `today`, with attendance.
pub fn generate(orgs: &[(i64, bool)], people: usize, today: NaiveDate, seed: u64) -> BulkTraining {
    let mut rng = Rng::new(seed);
    let year = today.year();
    let mut b = BulkTraining::default();
    let mut fors = Vec::new();
    for y in [year - 1, year] {
        for (c, leaders, workers) in courses_of(y) {
            if c.ends_on < today {
                b.courses.push(c);
                fors.push((leaders, workers));
            }
        }
    }
    if orgs.is_empty() {
        return b;
    }
    let per_org = (people / orgs.len()).max(1);
    let mut extra = people.saturating_sub(per_org * orgs.len());
    for &(org, large) in orgs {
        let mut n = per_org;
        if extra > 0 {
            n += 1;
            extra -= 1;
        }
        for i in 0..n {
            let position = position(i, large);
            let mut since = rng.date(year - 6, year - 1);
            let mut until = None;
            match rng.below(100) {
                // appointed during last year
                0..=9 => since = date(year - 1, rng.range(2, 11) as u32, rng.range(1, 28) as u32),
                // left during this year (a successor is not always named yet)
                10..=15 => {
                    let last = today.pred_opt().unwrap_or(today);
                    let d = date(year, rng.range(1, last.month() as i64) as u32, 1);
                    if d > since && d < today {
                        until = Some(d);
                    }
                }
                _ => {}
            }
            let holder = b.office_holders.len();
            b.office_holders.push(NewOfficeHolder {
                name: person(&mut rng),
                party_org_id: org,
                position,
                since,
                until,
            });
            let diligence = rng.range(35, 100) as u64;
            for (k, c) in b.courses.iter().enumerate() {
                let (leaders, workers) = fors[k];
                let meant = if position == Position::PartyWorker {
                    workers
                } else {
                    leaders
                };
                let in_position = since <= c.starts_on && until.is_none_or(|u| u >= c.ends_on);
                if !meant || !in_position || !rng.chance(diligence) {
                    continue;
                }
                let tenths = if c.kind == CourseKind::Online {
                    rng.range(c.hours_tenths / 20, c.hours_tenths / 10) * 10
                } else {
                    c.hours_tenths
                };
                b.attendance.push((holder, k, tenths.max(10)));
            }
        }
    }
    b
}

/// The orgs of the whole tree with their kinds.
pub async fn all_orgs(store: &SqlStore) -> Result<Vec<(i64, domain::OrgKind)>> {
    let all = OrgFilter::default();
    let orgs = store::all_pages(|page| store.list_orgs(&Scope::All, &all, page)).await?;
    Ok(orgs.into_iter().map(|o| (o.id, o.kind)).collect())
}

/// The orgs with whether each is large (a committee or general branch).
pub fn large(orgs: &[(i64, domain::OrgKind)]) -> Vec<(i64, bool)> {
    use domain::OrgKind::{Committee, GeneralBranch};
    orgs.iter()
        .map(|&(id, kind)| (id, matches!(kind, Committee | GeneralBranch)))
        .collect()
}

/// `seed --office-holders N`.
pub async fn run(store: &SqlStore, people: usize) -> Result<()> {
    if people == 0 {
        return Ok(());
    }
    let orgs = large(&all_orgs(store).await?);
    let b = generate(&orgs, people, crate::demo_reports::today(), 8);
    store.bulk_training(&Actor::system("seed"), b).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_org_gets_a_secretary_and_the_courses_have_ended() {
        let today = date(2026, 12, 2);
        let orgs: Vec<(i64, bool)> = (1..=50).map(|i| (i, i % 10 == 1)).collect();
        let b = generate(&orgs, 180, today, 1);
        assert_eq!(b.office_holders.len(), 180);
        for (org, _) in &orgs {
            assert!(b
                .office_holders
                .iter()
                .any(|h| h.party_org_id == *org && h.position == Position::Secretary));
        }
        assert!(b.courses.iter().all(|c| c.ends_on < today));
        assert_eq!(b.courses.len(), 10);
        let mut pairs: Vec<(usize, usize)> = b.attendance.iter().map(|a| (a.0, a.1)).collect();
        pairs.sort();
        pairs.dedup();
        assert_eq!(
            pairs.len(),
            b.attendance.len(),
            "once per person and course"
        );
        assert!(b
            .attendance
            .iter()
            .all(|&(_, k, t)| t > 0 && t <= b.courses[k].hours_tenths));
        // the rate spreads: some meet the year's requirement, some do not
        let rules = domain::Rules::default();
        let met = b
            .office_holders
            .iter()
            .enumerate()
            .filter(|(i, h)| {
                let done: i64 = b
                    .attendance
                    .iter()
                    .filter(|a| a.0 == *i && b.courses[a.1].ends_on.year() == 2026)
                    .map(|a| a.2)
                    .sum();
                let req =
                    domain::training::required_hours(h.position, h.since, h.until, 2026, &rules);
                done >= req * 10
            })
            .count();
        assert!(met > 20 && met < 160, "{met} of 180 meet the requirement");
    }
}
