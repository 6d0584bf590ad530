//! `seed --report-forms N --funded-projects M`: synthetic M5 records for benchmarks. N
//! forms, half monthly and half quarterly, active from two years back, every org answering
//! them — except that with projects one of them is the programme's quarterly project report
//! — and M “双高” projects of the societies over last year and this one, with expenditures.
//! Of the expected submissions about 10 % are left never started and 10 % first submitted
//! late; the stored ones are in every state. Written in bulk: one transaction a form.

use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use domain::life::PeriodKind;
use domain::reports::{FieldDef, FieldType, NewForm, Respondents};
use store::reports::{BulkProject, Respondent, SubmissionKey};
use store::{Actor, ReportStore, Scope, SqlStore, Store};

use crate::demo_life::Lcg;
use crate::demo_reports::{
    branch_values, bulk, fate, project, project_form, project_values, today,
};

const TOPICS: [&str; 8] = [
    "党建工作统计",
    "“三会一课”落实情况",
    "党员教育管理情况",
    "党费收缴情况",
    "意识形态工作情况",
    "党建带群建情况",
    "发展党员工作情况",
    "党建与业务融合情况",
];

/// A form of every org (the branches' statistics fields).
fn org_form(i: usize, period: PeriodKind, active_from: NaiveDate) -> NewForm {
    let every = match period {
        PeriodKind::Month => "月报",
        _ => "季报",
    };
    let mut f = crate::demo_reports::branch_form(
        &format!("{}{every}（合成 {}）", TOPICS[i % TOPICS.len()], i + 1),
        period,
        active_from,
    );
    f.respondents = Respondents::OrgKinds(Vec::new());
    if i % 3 == 1 {
        f.fields.push(FieldDef {
            key: "rating".into(),
            label: "自评等次".into(),
            kind: FieldType::Choice,
            required: false,
            min: None,
            max: None,
            choices: Some(vec!["好".into(), "较好".into(), "一般".into()]),
            unit: None,
        });
    }
    f
}

pub async fn run(store: &SqlStore, forms: usize, projects: usize) -> Result<()> {
    if forms == 0 && projects == 0 {
        return Ok(());
    }
    let t = std::time::Instant::now();
    let today = today();
    let from = domain::checks::add_years(today, -2)
        .with_day(1)
        .unwrap_or(today);
    let actor = Actor::system("seed");
    let mut rng = Lcg(17);

    // The projects: spread over the societies, half last year and half this one.
    let mut made = Vec::new();
    if projects > 0 {
        let societies = store.society_facts(&Scope::All).await?;
        if societies.is_empty() {
            anyhow::bail!("no societies to give projects to");
        }
        let mut bulk = Vec::with_capacity(projects);
        for i in 0..projects {
            let s = &societies[(i * 7919) % societies.len()];
            let year = today.year() - (i % 2) as i32;
            let budget_yuan = 50_000 + (rng.next() % 46) as i64 * 10_000;
            let rate = 0.20 + 0.75 * (rng.next() % 100) as f64 / 100.0;
            let (p, spend) = project(
                &mut rng,
                format!("合成项目 {}", i + 1),
                s.id,
                year,
                budget_yuan * 100,
                rate,
                if year < today.year() { 95 } else { 60 },
                today,
            );
            bulk.push(BulkProject {
                project: p,
                expenditures: spend,
            });
        }
        let ids = store.bulk_projects(&actor, bulk.clone()).await?;
        made = ids
            .into_iter()
            .zip(bulk)
            .map(|(id, b)| (id, b.project.year, b.expenditures))
            .collect();
    }

    let orgs = store.all_orgs(&Scope::All).await?;
    let mut written = 0usize;
    for i in 0..forms {
        let with_projects = i == 0 && projects > 0;
        let period = if i % 2 == 0 {
            PeriodKind::Quarter
        } else {
            PeriodKind::Month
        };
        let def = if with_projects {
            project_form(from)
        } else {
            org_form(i, period, from)
        };
        let form = store.create_form(&actor, def).await?;
        let def = form.def();
        let mut subs = Vec::new();
        for p in def.periods(today).iter().rev() {
            let due = def.due_on(p);
            if with_projects {
                for (id, year, spend) in &made {
                    if *year != p.year {
                        continue;
                    }
                    let Some(f) = fate(&mut rng, p, due, today) else {
                        continue;
                    };
                    let spent: i64 = spend
                        .iter()
                        .filter(|e| e.spent_on >= p.first_day() && e.spent_on <= p.last_day())
                        .map(|e| e.amount_fen)
                        .sum();
                    let status = (rng.next() % 5).saturating_sub(2) as usize;
                    let values = project_values(&mut rng, spent, status, "按项目任务书推进。");
                    let key = SubmissionKey {
                        form_id: form.id,
                        period: p.label(),
                        respondent: Respondent::Project(*id),
                    };
                    subs.push(bulk(key, values, f));
                }
            } else {
                for o in &orgs {
                    if o.established_on.is_some_and(|e| e > p.first_day()) {
                        continue;
                    }
                    let Some(f) = fate(&mut rng, p, due, today) else {
                        continue;
                    };
                    let mut values = branch_values(&mut rng, period);
                    if i % 3 == 1 && rng.chance(60) {
                        let r = ["好", "较好", "一般"][(rng.next() % 3) as usize];
                        values.insert("rating".into(), r.into());
                    }
                    let key = SubmissionKey {
                        form_id: form.id,
                        period: p.label(),
                        respondent: Respondent::Org(o.id),
                    };
                    subs.push(bulk(key, values, f));
                }
            }
        }
        written += store.bulk_submissions(&actor, subs).await?;
    }
    println!(
        "seeded {forms} report forms with {written} submissions and {projects} funded projects in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
