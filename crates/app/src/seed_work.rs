//! `seed --assignments N --rectifications M`: synthetic M3/M4 records for benchmarks. Tasks
//! of 1,000 orgs each (the last one smaller) issued over the last year, their assignments
//! in every state; findings spread over the orgs and the last two years, their
//! rectifications in every state, the verified ones closed before or after their deadline.

use anyhow::Result;
use chrono::{Duration, TimeZone, Utc};
use domain::work::{
    AssignmentState, FindingSource, NewFinding, NewTask, RectificationState, Severity,
};
use store::work::{BulkAssignment, BulkFinding, When, WorkStore};
use store::{Actor, Scope, SqlStore, Store};

use crate::demo_life::Lcg;

const PER_TASK: usize = 1000;

pub async fn run(store: &SqlStore, assignments: usize, rectifications: usize) -> Result<()> {
    if assignments == 0 && rectifications == 0 {
        return Ok(());
    }
    let t = std::time::Instant::now();
    let orgs: Vec<i64> = store
        .all_orgs(&Scope::All)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    if orgs.is_empty() {
        anyhow::bail!("no party orgs to give tasks and findings to");
    }
    let today = Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset"))
        .date_naive();
    let when = When {
        now: Utc
            .from_local_datetime(&today.and_hms_opt(2, 0, 0).unwrap_or_default())
            .single()
            .unwrap_or_else(Utc::now),
        today,
    };
    let mut rng = Lcg(11);
    let per_task = PER_TASK.min(orgs.len());
    let mut tasks = Vec::new();
    let mut left = assignments;
    let mut n = 0usize;
    while left > 0 {
        let size = per_task.min(left);
        let issued = today - Duration::days(30 + (rng.next() % 330) as i64);
        let due = issued + Duration::days(30 + (rng.next() % 120) as i64);
        let start = (n * 7919) % orgs.len();
        let rows: Vec<BulkAssignment> = (0..size)
            .map(|i| {
                let state = AssignmentState::ALL[(rng.next() % 4) as usize];
                BulkAssignment {
                    party_org_id: orgs[(start + i) % orgs.len()],
                    state,
                    progress: match state {
                        AssignmentState::Assigned => 0,
                        AssignmentState::Accepted => 100,
                        _ => (rng.next() % 10 * 10) as i64,
                    },
                }
            })
            .collect();
        tasks.push((
            NewTask {
                title: format!("合成任务 {}", n + 1),
                description: Some("基准测试用的合成任务".into()),
                work_item_id: None,
                issued_on: issued,
                due_on: due,
                party_org_ids: Vec::new(),
                selection: None,
            },
            rows,
        ));
        left -= size;
        n += 1;
    }
    let mut findings = Vec::with_capacity(rectifications);
    for i in 0..rectifications {
        let found = today - Duration::days((rng.next() % 700) as i64);
        let due = found + Duration::days(15 + (rng.next() % 90) as i64);
        let state = RectificationState::ALL[(rng.next() % 4) as usize];
        let verified_on = (state == RectificationState::Verified)
            .then(|| (found + Duration::days(5 + (rng.next() % 120) as i64)).min(today));
        findings.push(BulkFinding {
            finding: NewFinding {
                inspection_id: None,
                source: [
                    FindingSource::SelfCheck,
                    FindingSource::Report,
                    FindingSource::Other,
                ][i % 3],
                party_org_id: orgs[(rng.next() as usize) % orgs.len()],
                description: format!("合成问题 {}：台账记录不完整", i + 1),
                severity: if i % 5 == 0 {
                    Severity::Major
                } else {
                    Severity::Minor
                },
                found_on: found,
                due_on: due,
            },
            state,
            verified_on,
        });
    }
    store
        .bulk_work(&Actor::system("seed"), tasks, findings, when)
        .await?;
    println!(
        "seeded {assignments} assignments in {n} tasks and {rectifications} rectifications in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
