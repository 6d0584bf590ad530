//! Demo data for M3/M4: the sample work plan (the real 2023 work points of PRODUCT.md)
//! imported, tasks from its items assigned to the branches and partly reported and reviewed,
//! and two inspections whose findings are in every state (open, submitted, returned, closed
//! on time, closed late, overdue), plus a branch's self-check finding.

use anyhow::Result;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use domain::work::{
    FindingSource, InspectionKind, NewFinding, NewInspection, NewReport, NewTask, ReviewDecision,
    Severity, VerifyDecision,
};
use domain::OrgKind;
use store::work::{NewPlan, When, WorkStore};
use store::{Actor, Scope, SqlStore, Store};

/// The sample document, kept in the repository (the parser's tests read the same file).
pub const SAMPLE_PLAN: &str = include_str!("../../domain/tests/data/work-points-2023.txt");

fn at(day: NaiveDate) -> When {
    When {
        now: Utc
            .from_local_datetime(&day.and_hms_opt(2, 0, 0).unwrap_or_default())
            .single()
            .unwrap_or_else(Utc::now),
        today: day,
    }
}

const FINDINGS: &[&str] = &[
    "“三会一课”记录不规范，部分支部委员会会议未形成会议纪要",
    "党费收缴标准未按规定核定，存在少缴现象",
    "主题党日活动内容单一，与学会业务结合不紧密",
    "发展党员档案材料不齐全",
    "组织生活会会前谈心谈话开展不充分",
    "意识形态工作责任制落实台账不完整",
    "换届工作未按期启动，支部委员会超期未换届",
    "学会章程未写入党建工作内容",
];

pub async fn load(store: &SqlStore) -> Result<()> {
    let today = Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset"))
        .date_naive();
    let day = |d: i64| today + Duration::days(d);
    let as_user = |name: &str| Actor::system_named(name, "demo");

    let parsed = domain::workplan::parse(SAMPLE_PLAN);
    let plan = store
        .import_plan(
            &as_user("admin"),
            NewPlan {
                title: parsed
                    .title
                    .clone()
                    .unwrap_or_else(|| "2023年工作要点".into()),
                year: parsed.year.unwrap_or(2023),
                source_text: SAMPLE_PLAN.to_string(),
                parsed,
            },
        )
        .await?;
    let items: Vec<_> = plan.sections.iter().flat_map(|s| s.items.iter()).collect();

    // The branches: the demo branch user's general branch first (its subtree), then others.
    let orgs = store.all_orgs(&Scope::All).await?;
    let general = orgs.iter().find(|o| o.kind == OrgKind::GeneralBranch);
    let mine: Vec<i64> = orgs
        .iter()
        .filter(|o| o.kind != OrgKind::Committee && o.kind != OrgKind::GeneralBranch)
        .filter(|o| general.is_some_and(|g| o.parent_id == Some(g.id)))
        .map(|o| o.id)
        .collect();
    let others: Vec<i64> = orgs
        .iter()
        .filter(|o| matches!(o.kind, OrgKind::Branch | OrgKind::JointBranch))
        .map(|o| o.id)
        .filter(|id| !mine.contains(id))
        .take(16)
        .collect();
    // Alternately one of the demo branch user's subtree and one from elsewhere, so that
    // both the committee's whole ledger and the branch's own part have something to show.
    let mut branches = Vec::new();
    for i in 0..mine.len().max(others.len()) {
        branches.extend(mine.get(i));
        branches.extend(others.get(i));
    }

    // Tasks from items 2, 3, 7, 12 and 15, issued 75 days ago, due at different times.
    let plan_tasks = [
        (1usize, -20i64, 75u64),
        (2, -5, 60),
        (6, 10, 40),
        (11, 30, 25),
        (14, -40, 90),
    ];
    for (n, (idx, due, reported_pct)) in plan_tasks.iter().enumerate() {
        let Some(item) = items.get(*idx) else {
            continue;
        };
        let assignees: Vec<i64> = branches.iter().copied().take(8 + n * 2).collect();
        let task = store
            .create_task(
                &as_user("weiyuan"),
                &Scope::All,
                NewTask {
                    title: item.title.clone(),
                    description: Some(item.body.chars().take(300).collect()),
                    work_item_id: Some(item.id),
                    issued_on: day(-75),
                    due_on: day(*due),
                    party_org_ids: assignees,
                    selection: None,
                },
            )
            .await?;
        for (i, a) in task.assignments.iter().enumerate() {
            // A deterministic share reports; of those, most are reviewed.
            let k = (i as u64 * 37 + n as u64 * 11) % 100;
            if k >= *reported_pct {
                continue;
            }
            let progress = [100, 80, 60, 100, 40][i % 5];
            store
                .report(
                    &as_user("zhibu"),
                    &Scope::All,
                    a.id,
                    NewReport {
                        progress,
                        text: format!("已按要求部署落实，完成{progress}%，相关材料已整理归档。"),
                    },
                    at(day(-30 + (i % 20) as i64)),
                )
                .await?;
            let decision = match k % 4 {
                0 | 1 => Some(ReviewDecision::Accept),
                2 => Some(ReviewDecision::Return),
                _ => None,
            };
            if let Some(d) = decision {
                let comment =
                    (d == ReviewDecision::Return).then(|| "请补充活动照片和会议记录。".to_string());
                store
                    .review(
                        &as_user("weiyuan"),
                        &Scope::All,
                        a.id,
                        d,
                        comment,
                        at(day(-8)),
                    )
                    .await?;
            }
        }
    }
    // A task to every branch under the general branch (the "every org of a kind" case).
    if let Some(g) = general {
        store
            .create_task(
                &as_user("weiyuan"),
                &Scope::All,
                NewTask {
                    title: "报送2023年度党建工作总结".into(),
                    description: Some("各党支部于规定时间内报送年度党建工作总结。".into()),
                    work_item_id: None,
                    issued_on: day(-10),
                    due_on: day(20),
                    party_org_ids: Vec::new(),
                    selection: Some(domain::work::OrgSelection {
                        root_id: g.id,
                        kinds: vec![
                            OrgKind::Branch,
                            OrgKind::JointBranch,
                            OrgKind::FunctionalBranch,
                        ],
                    }),
                },
            )
            .await?;
    }

    // Two inspections with findings in every state.
    let inspected: Vec<i64> = branches.iter().copied().take(8).collect();
    let plans = [
        (
            "上半年党建工作督查",
            InspectionKind::Supervision,
            -120i64,
            vec!["王督导", "李督导", "陈督导"],
        ),
        (
            "“三会一课”专项督导检查",
            InspectionKind::Special,
            -45,
            vec!["赵督导", "刘督导"],
        ),
    ];
    for (n, (title, kind, held, team)) in plans.into_iter().enumerate() {
        let insp = store
            .create_inspection(
                &as_user("duzhi"),
                &Scope::All,
                NewInspection {
                    title: title.into(),
                    kind,
                    held_on: day(held),
                    party_org_ids: inspected.clone(),
                    team: team.into_iter().map(str::to_string).collect(),
                },
            )
            .await?;
        for (i, org) in inspected.iter().enumerate() {
            let found = day(held);
            let due = found + Duration::days([30, 45, 60, 90][i % 4]);
            let f = store
                .create_finding(
                    &as_user("duzhi"),
                    &Scope::All,
                    NewFinding {
                        inspection_id: Some(insp.id),
                        source: FindingSource::Inspection,
                        party_org_id: *org,
                        description: FINDINGS[(i + n * 3) % FINDINGS.len()].into(),
                        severity: if i % 3 == 0 {
                            Severity::Major
                        } else {
                            Severity::Minor
                        },
                        found_on: found,
                        due_on: due,
                    },
                    at(found),
                )
                .await?;
            let id = f.rectification.id;
            // 0 open, 1 submitted, 2 returned, 3 closed on time, 4 closed late, rest mixed.
            let stage = (i + n) % 6;
            if stage == 0 {
                continue;
            }
            let submitted = (found + Duration::days(20)).min(today);
            store
                .submit_rectification(
                    &as_user("zhibu"),
                    &Scope::All,
                    id,
                    Some("已对照问题清单逐项整改，补齐相关记录。".into()),
                    at(submitted),
                )
                .await?;
            match stage {
                1 => {}
                2 => {
                    store
                        .verify_rectification(
                            &as_user("duzhi"),
                            &Scope::All,
                            id,
                            VerifyDecision::Return,
                            Some("整改材料不完整，请补充会议纪要。".into()),
                            at(submitted + Duration::days(3).min(today - submitted)),
                        )
                        .await?;
                }
                4 => {
                    let late = (due + Duration::days(12)).min(today);
                    store
                        .verify_rectification(
                            &as_user("duzhi"),
                            &Scope::All,
                            id,
                            VerifyDecision::Verify,
                            Some("整改到位，同意销号。".into()),
                            at(late),
                        )
                        .await?;
                }
                _ => {
                    let close = (submitted + Duration::days(5)).min(today);
                    store
                        .verify_rectification(
                            &as_user("duzhi"),
                            &Scope::All,
                            id,
                            VerifyDecision::Verify,
                            Some("整改到位，同意销号。".into()),
                            at(close),
                        )
                        .await?;
                }
            }
        }
    }
    // A self-check finding of the demo branch's subtree.
    if let Some(org) = branches.first() {
        store
            .create_finding(
                &as_user("zhibu"),
                &Scope::All,
                NewFinding {
                    inspection_id: None,
                    source: FindingSource::SelfCheck,
                    party_org_id: *org,
                    description: "自查发现：党员教育培训学时登记不完整".into(),
                    severity: Severity::Minor,
                    found_on: day(-10),
                    due_on: day(20),
                },
                at(day(-10)),
            )
            .await?;
    }
    Ok(())
}
