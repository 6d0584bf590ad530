//! Demo data for M5: the “双高” programme (`double_high`) with a dozen projects of demo
//! societies over last year and this one — budgets of 5万–50万 yuan, indicators with
//! actuals, expenditures month by month so that the execution rates spread from 20 % to
//! 95 % — its quarterly project report, and the branches' monthly party-building
//! statistics; two years of submissions in every state (accepted on time or late, returned
//! with a reason, awaiting review, drafts, and some never started). The projects, their
//! expenditures, the project reports and the last months' statistics go through the
//! store's one-by-one writes, dated on the day they would have happened; the older
//! months' statistics through its bulk write (the same records, without the per-row audit).

use anyhow::Result;
use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use domain::life::{Period, PeriodKind};
use domain::reports::{
    FieldDef, FieldType, Indicator, NewExpenditure, NewForm, NewProject, Respondents,
    SubmissionState,
};
use domain::work::ReviewDecision;
use domain::OrgKind;
use serde_json::{json, Map, Value};
use store::reports::{BulkSubmission, Respondent, SubmissionKey};
use store::work::When;
use store::{Actor, ReportStore, Scope, SqlStore, Store};

use crate::demo_life::Lcg;

pub const PROGRAMME: &str = "double_high";

/// Today in the committee's zone (UTC+8), as the rest of the demo.
pub(crate) fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset"))
        .date_naive()
}

/// A clock at 10:00 local time of `day` (02:00 UTC).
pub(crate) fn at(day: NaiveDate) -> When {
    When {
        now: Utc
            .from_local_datetime(&day.and_hms_opt(2, 0, 0).unwrap_or_default())
            .single()
            .unwrap_or_else(Utc::now),
        today: day,
    }
}

fn field(key: &str, label: &str, kind: FieldType, required: bool) -> FieldDef {
    FieldDef {
        key: key.into(),
        label: label.into(),
        kind,
        required,
        min: None,
        max: None,
        choices: None,
        unit: None,
    }
}

fn count(key: &str, label: &str, required: bool, unit: &str) -> FieldDef {
    FieldDef {
        min: Some(0.0),
        unit: Some(unit.into()),
        ..field(key, label, FieldType::Integer, required)
    }
}

pub(crate) const STATUS: [&str; 3] = ["按计划推进", "基本按计划", "滞后"];

/// The programme's quarterly project report.
pub(crate) fn project_form(active_from: NaiveDate) -> NewForm {
    NewForm {
        title: "“双高”项目季报".into(),
        period: PeriodKind::Quarter,
        due_days: 10,
        respondents: Respondents::Projects(PROGRAMME.into()),
        active_from,
        active_to: None,
        fields: vec![
            field("progress", "进展情况", FieldType::Text, true),
            FieldDef {
                min: Some(0.0),
                unit: Some("元".into()),
                ..field("spent", "本季度支出（元）", FieldType::Number, true)
            },
            count("events", "开展活动次数", false, "次"),
            FieldDef {
                choices: Some(STATUS.iter().map(|s| s.to_string()).collect()),
                ..field("status", "完成程度", FieldType::Choice, true)
            },
            field("evidence", "佐证材料", FieldType::File, false),
        ],
    }
}

pub(crate) const BRANCH_KINDS: [OrgKind; 3] = [
    OrgKind::Branch,
    OrgKind::JointBranch,
    OrgKind::FunctionalBranch,
];

/// The branches' monthly party-building statistics.
pub(crate) fn branch_form(title: &str, period: PeriodKind, active_from: NaiveDate) -> NewForm {
    NewForm {
        title: title.into(),
        period,
        due_days: 10,
        respondents: Respondents::OrgKinds(BRANCH_KINDS.to_vec()),
        active_from,
        active_to: None,
        fields: vec![
            count("committee_meetings", "召开支部委员会次数", true, "次"),
            count("theme_days", "开展主题党日次数", true, "次"),
            count("new_members", "发展党员人数", false, "人"),
            field("notes", "情况说明", FieldType::Text, false),
        ],
    }
}

/// The values of a branch statistics submission.
pub(crate) fn branch_values(rng: &mut Lcg, period: PeriodKind) -> Map<String, Value> {
    let months = match period {
        PeriodKind::Month => 1,
        PeriodKind::Quarter => 3,
        PeriodKind::HalfYear => 6,
        PeriodKind::Year => 12,
    };
    let mut v = Map::new();
    v.insert(
        "committee_meetings".into(),
        json!(months * (1 + rng.next() % 2)),
    );
    v.insert(
        "theme_days".into(),
        json!(months * (1 + rng.next() % 2) / 2 + 1),
    );
    if rng.chance(70) {
        v.insert(
            "new_members".into(),
            json!(rng.next() % 3 * (rng.next() % 2)),
        );
    }
    if rng.chance(50) {
        v.insert(
            "notes".into(),
            json!(NOTES[(rng.next() as usize) % NOTES.len()]),
        );
    }
    v
}

const NOTES: &[&str] = &[
    "按时召开支部委员会，落实“三会一课”制度。",
    "结合学会学术年会开展主题党日活动。",
    "组织党员集中学习，开展志愿服务。",
    "本月支部书记讲党课一次，党员参学率较高。",
    "部分党员出差在外，采取线上方式参加组织生活。",
];

pub(crate) const RETURN_REASONS: &[&str] = &[
    "数据与活动台账不一致，请核对后重新报送。",
    "请补充情况说明。",
    "支出金额与财务凭证不符，请核实。",
    "佐证材料不完整，请补充活动照片和签到表。",
];

/// What becomes of one expected submission.
#[derive(Debug, Clone)]
pub(crate) struct Fate {
    pub state: SubmissionState,
    pub created: NaiveDate,
    pub submitted: Option<NaiveDate>,
    pub reviewed: Option<NaiveDate>,
    /// Awaiting review again: returned on the first day, submitted again on the second
    /// (written one by one only; a bulk record keeps the return's reason).
    pub returned_first: Option<(NaiveDate, NaiveDate)>,
    pub comment: Option<String>,
}

/// The fate of an expected submission of period `p` due on `due`, by a roll in 0..100:
/// about 10 % never started, 10 % first submitted late, and of the rest most accepted,
/// some returned, some awaiting review, some drafts (more of the last in recent periods).
/// `None`: nothing stored.
pub(crate) fn fate(rng: &mut Lcg, p: &Period, due: NaiveDate, today: NaiveDate) -> Option<Fate> {
    let k = rng.next() % 100;
    let first = p.first_day();
    let last = p.last_day().min(today);
    let span = |rng: &mut Lcg, from: NaiveDate, to: NaiveDate| -> NaiveDate {
        let days = (to - from).num_days().max(0);
        from + Duration::days((rng.next() % (days as u64 + 1)) as i64)
    };
    // Drafts are started in the period's last days (or its first, for a running one).
    let created = span(rng, (last - Duration::days(5)).max(first), last);
    if k < 10 {
        return None;
    }
    let running = due >= today;
    let recent = (today - due).num_days() < 45;
    // The day of the first submission: on time (from the period's last days to its due
    // day), or late (after the due day, when today allows).
    let late = (10..20).contains(&k) && !running;
    let submit_day = if late {
        span(
            rng,
            due + Duration::days(1),
            (due + Duration::days(25)).min(today),
        )
    } else {
        span(rng, created, due.min(today))
    };
    let review_day = |rng: &mut Lcg, from: NaiveDate| {
        (from + Duration::days(1 + (rng.next() % 6) as i64)).min(today)
    };
    let roll = rng.next() % 100;
    let state = if running {
        match roll {
            0..=39 => SubmissionState::Draft,
            40..=74 => SubmissionState::Submitted,
            75..=89 => SubmissionState::Accepted,
            _ => SubmissionState::Returned,
        }
    } else if recent {
        match roll {
            0..=49 => SubmissionState::Accepted,
            50..=69 => SubmissionState::Submitted,
            70..=84 => SubmissionState::Returned,
            _ => SubmissionState::Draft,
        }
    } else if (today - due).num_days() < 120 {
        match roll {
            0..=83 => SubmissionState::Accepted,
            84..=90 => SubmissionState::Returned,
            91..=96 => SubmissionState::Submitted,
            _ => SubmissionState::Draft,
        }
    } else {
        // months on, nearly everything is closed: what is still open stands out
        match roll {
            0..=95 => SubmissionState::Accepted,
            96..=97 => SubmissionState::Submitted,
            98 => SubmissionState::Returned,
            _ => SubmissionState::Draft,
        }
    };
    let comment = || Some(RETURN_REASONS[(k as usize) % RETURN_REASONS.len()].to_string());
    let mut f = Fate {
        state,
        created: created.min(submit_day),
        submitted: None,
        reviewed: None,
        returned_first: None,
        comment: None,
    };
    match state {
        SubmissionState::Draft | SubmissionState::NotStarted => {}
        SubmissionState::Submitted => {
            f.submitted = Some(submit_day);
            // A third of those awaiting review were returned once and sent again.
            let back = review_day(rng, submit_day);
            if roll.is_multiple_of(3) && back < today {
                f.returned_first = Some((back, review_day(rng, back)));
                f.comment = comment();
            }
        }
        SubmissionState::Accepted => {
            f.submitted = Some(submit_day);
            f.reviewed = Some(review_day(rng, submit_day));
        }
        SubmissionState::Returned => {
            f.submitted = Some(submit_day);
            f.reviewed = Some(review_day(rng, submit_day));
            f.comment = comment();
        }
    }
    Some(f)
}

const TITLES: [&str; 12] = [
    "学术品牌建设",
    "科普进社区行动",
    "团体标准研制",
    "青年科技人才托举",
    "产学研协同创新服务",
    "国际学术交流合作",
    "科技智库建设",
    "会员服务能力提升",
    "学术期刊提质",
    "基层科普阵地建设",
    "数字化学会建设",
    "科技成果评价服务",
];

/// Indicators: name, unit, a target's range.
pub(crate) const INDICATORS: [(&str, &str, u64, u64); 8] = [
    ("举办学术会议", "场", 2, 8),
    ("科普活动", "次", 6, 30),
    ("团体标准", "项", 1, 4),
    ("决策咨询报告", "篇", 2, 6),
    ("培训科技工作者", "人次", 100, 600),
    ("发展新会员", "人", 20, 200),
    ("科技服务企业", "家", 5, 30),
    ("出版学术刊物", "期", 2, 6),
];

/// A project of `year`: its indicators (actuals by `progress` percent) and its spending
/// spread over the year's months up to today, to `rate` of the budget.
#[allow(clippy::too_many_arguments)]
pub(crate) fn project(
    rng: &mut Lcg,
    title: String,
    society_id: i64,
    year: i32,
    budget_fen: i64,
    rate: f64,
    progress: u64,
    today: NaiveDate,
) -> (NewProject, Vec<NewExpenditure>) {
    let n = 2 + (rng.next() % 3) as usize;
    let start = (rng.next() as usize) % INDICATORS.len();
    let indicators = (0..n)
        .map(|i| {
            let (name, unit, lo, hi) = INDICATORS[(start + i * 3) % INDICATORS.len()];
            let target = lo + rng.next() % (hi - lo + 1);
            let pct = (progress + rng.next() % 30).saturating_sub(15);
            Indicator {
                name: name.into(),
                unit: Some(unit.into()),
                target: target as f64,
                actual: Some(((target * pct) as f64 / 100.0).round()),
            }
        })
        .collect();
    let total = (budget_fen as f64 * rate).round() as i64;
    // Months of the year up to today, from March (funds arrive after the plan).
    let last_month = if year < today.year() {
        12
    } else {
        today.month().max(3)
    };
    let months: Vec<u32> = (3..=last_month).collect();
    let k = months.len().clamp(1, 6);
    let mut spend = Vec::new();
    let mut left = total;
    for i in 0..k {
        let m = months[i * months.len() / k];
        let day = NaiveDate::from_ymd_opt(year, m, 1 + (rng.next() % 27) as u32)
            .unwrap_or_default()
            .min(today);
        let amount = if i + 1 == k {
            left
        } else {
            // Round to the yuan, between half and one and a half of an even share.
            let share = total / k as i64;
            ((share / 2 + (rng.next() as i64 % share.max(1))) / 100 * 100).min(left)
        };
        if amount > 0 {
            left -= amount;
            spend.push(NewExpenditure {
                spent_on: day,
                amount_fen: amount,
                purpose: PURPOSES[(rng.next() as usize) % PURPOSES.len()].into(),
            });
        }
    }
    (
        NewProject {
            programme: PROGRAMME.into(),
            title,
            society_id,
            year,
            budget_fen,
            indicators,
        },
        spend,
    )
}

const PURPOSES: &[&str] = &[
    "学术会议场地及会务费",
    "专家咨询费",
    "科普活动物料制作",
    "标准研制调研差旅费",
    "印刷出版费",
    "培训讲课费",
    "信息化平台建设费",
];

/// The values of a project's quarterly report: what it spent in the quarter.
pub(crate) fn project_values(
    rng: &mut Lcg,
    spent_fen: i64,
    status: usize,
    progress_text: &str,
) -> Map<String, Value> {
    let mut v = Map::new();
    v.insert("progress".into(), json!(progress_text));
    v.insert("spent".into(), json!(spent_fen as f64 / 100.0));
    v.insert("events".into(), json!(rng.next() % 6));
    v.insert("status".into(), json!(STATUS[status % STATUS.len()]));
    v
}

const PROGRESS: &[&str] = &[
    "按项目任务书推进，本季度完成阶段性任务。",
    "已组织专家研讨，形成阶段成果。",
    "活动按计划开展，社会反响良好。",
    "受场地因素影响，部分活动延后至下季度。",
];

pub async fn load(store: &SqlStore) -> Result<()> {
    let today = today();
    let this_year = today.year();
    let from = NaiveDate::from_ymd_opt(this_year - 1, 1, 1).unwrap_or_default();
    let as_user = |name: &str| Actor::system_named(name, "demo");
    let (admin, committee, branch) = (as_user("admin"), as_user("weiyuan"), as_user("zhibu"));
    let mut rng = Lcg(2024);

    // The projects: societies covered by an org, spread over the registry.
    let societies: Vec<_> = store
        .society_facts(&Scope::All)
        .await?
        .into_iter()
        .filter(|s| s.party_org_id.is_some())
        .collect();
    let mut projects = Vec::new();
    for (i, title) in TITLES.iter().enumerate() {
        let Some(s) = societies.get((i * 13 + 3) % societies.len().max(1)) else {
            break;
        };
        let year = if i % 2 == 0 { this_year - 1 } else { this_year };
        let budget_yuan = 50_000 + (rng.next() % 46) as i64 * 10_000;
        let rate = 0.20 + 0.75 * i as f64 / (TITLES.len() - 1) as f64;
        // This year's run behind last year's.
        let progress = if year < this_year { 95 } else { 60 };
        let (p, spend) = project(
            &mut rng,
            format!("{}{title}", short(&s.name)),
            s.id,
            year,
            budget_yuan * 100,
            rate,
            progress,
            today,
        );
        let made = store.create_project(&committee, &Scope::All, p).await?;
        for e in &spend {
            store
                .add_expenditure(&committee, &Scope::All, made.id, e.clone())
                .await?;
        }
        projects.push((made.id, year, spend));
    }

    let pform = store.create_form(&admin, project_form(from)).await?;
    let bform = store
        .create_form(
            &admin,
            branch_form("党建工作统计月报", PeriodKind::Month, from),
        )
        .await?;

    // The project reports: each quarter's spending as recorded.
    for p in pform.def().periods(today).iter().rev() {
        for (id, year, spend) in &projects {
            if *year != p.year {
                continue;
            }
            let Some(f) = fate(&mut rng, p, pform.def().due_on(p), today) else {
                continue;
            };
            let spent: i64 = spend
                .iter()
                .filter(|e| e.spent_on >= p.first_day() && e.spent_on <= p.last_day())
                .map(|e| e.amount_fen)
                .sum();
            let status = (rng.next() % 5).saturating_sub(2) as usize;
            let text = PROGRESS[(rng.next() as usize) % PROGRESS.len()];
            let values = project_values(&mut rng, spent, status, text);
            let key = SubmissionKey {
                form_id: pform.id,
                period: p.label(),
                respondent: Respondent::Project(*id),
            };
            write(store, (&branch, &committee), key, values, &f).await?;
        }
    }

    // The branches' monthly statistics.
    let orgs = store.all_orgs(&Scope::All).await?;
    let branches: Vec<_> = orgs
        .iter()
        .filter(|o| BRANCH_KINDS.contains(&o.kind))
        .collect();
    // The older months' history (some 2,000 submissions in all) goes in one bulk write:
    // through the one-by-one writes it made the demo start ten times slower.
    let mut older = Vec::new();
    for p in bform.def().periods(today).iter().rev() {
        let due = bform.def().due_on(p);
        for o in &branches {
            if o.established_on.is_some_and(|e| e > p.first_day()) {
                continue;
            }
            let Some(f) = fate(&mut rng, p, due, today) else {
                continue;
            };
            let values = branch_values(&mut rng, PeriodKind::Month);
            let key = SubmissionKey {
                form_id: bform.id,
                period: p.label(),
                respondent: Respondent::Org(o.id),
            };
            if (today - due).num_days() > ONE_BY_ONE_DAYS {
                older.push(bulk(key, values, f));
            } else {
                if !older.is_empty() {
                    store
                        .bulk_submissions(&branch, std::mem::take(&mut older))
                        .await?;
                }
                write(store, (&branch, &committee), key, values, &f).await?;
            }
        }
    }
    if !older.is_empty() {
        store.bulk_submissions(&branch, older).await?;
    }
    Ok(())
}

/// The monthly statistics due in the last this many days (and the running ones) are
/// written one by one, as a user would; the older ones in bulk.
const ONE_BY_ONE_DAYS: i64 = 100;

/// An expected submission's fate as a bulk record.
pub(crate) fn bulk(key: SubmissionKey, values: Map<String, Value>, f: Fate) -> BulkSubmission {
    BulkSubmission {
        key,
        state: f.state,
        values,
        created: at(f.created),
        submitted: f.submitted.map(at),
        reviewed: f.reviewed.map(at),
        comment: f.comment,
    }
}

/// A society's name without the city (the project titles are long enough).
fn short(name: &str) -> String {
    name.trim_start_matches(crate::seed::CITY).to_string()
}

/// One submission written as it would have been, day by day.
async fn write(
    store: &SqlStore,
    (branch, committee): (&Actor, &Actor),
    key: SubmissionKey,
    values: Map<String, Value>,
    f: &Fate,
) -> Result<()> {
    let s = store
        .create_submission(branch, &Scope::All, key, values, at(f.created))
        .await?;
    let Some(id) = s.id else {
        anyhow::bail!("a created submission without an id");
    };
    let Some(submitted) = f.submitted else {
        return Ok(());
    };
    store
        .submit_submission(branch, &Scope::All, id, at(submitted))
        .await?;
    if let Some((returned, again)) = f.returned_first {
        store
            .review_submission(
                committee,
                &Scope::All,
                id,
                ReviewDecision::Return,
                f.comment.clone(),
                at(returned),
            )
            .await?;
        store
            .submit_submission(branch, &Scope::All, id, at(again))
            .await?;
    }
    if let Some(reviewed) = f.reviewed {
        let (decision, comment) = match f.state {
            SubmissionState::Returned => (ReviewDecision::Return, f.comment.clone()),
            _ => (ReviewDecision::Accept, None),
        };
        store
            .review_submission(committee, &Scope::All, id, decision, comment, at(reviewed))
            .await?;
    }
    Ok(())
}
