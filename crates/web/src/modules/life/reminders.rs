//! The to-do list (always computed from current records) and the daily reminder job: it
//! records a reminder for each unmet obligation whose period ends within the configured
//! number of days and for each recent miss, once, and e-mails them where SMTP is configured.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use domain::life::{ComplianceItem, Period, Status};
use domain::{OrgKind, Role};
use serde::Serialize;
use store::life::{Reminder, ReminderReason};
use store::{OrgFilter, PageReq, Scope, User};

use crate::platform::error::AppError;
use crate::platform::i18n::Lang;
use crate::AppState;

/// How far back a miss is still worth a reminder (the first run must not send a year of
/// old misses).
const MISSED_WINDOW_DAYS: u64 = 31;
/// Lines per list on the to-do.
const TODO_MAX: usize = 50;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TodoItem {
    pub party_org_id: i64,
    pub org_name: String,
    pub obligation_id: i64,
    pub kind: domain::life::ActivityKind,
    pub period: String,
    pub required: i64,
    pub done: i64,
    pub ends_on: NaiveDate,
    pub days_left: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Todo {
    /// The roots of the subtrees the lists cover (the caller's org, or the tree's roots).
    pub org_ids: Vec<i64>,
    /// Unmet in the current period, soonest deadline first.
    pub due: Vec<TodoItem>,
    /// Missed this year (and in the last month of last year), latest first.
    pub missed: Vec<TodoItem>,
    pub due_total: usize,
    pub missed_total: usize,
    /// Figures for the caller's whole scope this year.
    pub scope: domain::life::Summary,
    /// What waits on the caller in every registered review ledger (tasks to report on,
    /// findings to fix, reports to review, fixes to verify).
    pub ledgers: Vec<crate::platform::ledger::Waiting>,
    /// Periodic reports (M5) of the caller's own org(s) not yet submitted, due within the
    /// reminder window or missed this month, soonest due first.
    pub reports: Vec<ReportTodo>,
    pub reports_total: usize,
    /// M8, in the year's last quarter: the office-holders of the caller's own org(s) (the
    /// whole scope for the office) still short of the year's training hours, shortest of
    /// hours first.
    pub training: Vec<TrainingTodo>,
    pub training_total: usize,
}

/// An office-holder short of the year's training hours, on the to-do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrainingTodo {
    pub office_holder_id: i64,
    pub name: String,
    pub party_org_id: i64,
    pub org_name: String,
    pub position: domain::training::Position,
    pub required: i64,
    pub done: f64,
    /// required − done
    pub short: f64,
}

/// Whether the year's training hours are chased on `day`: in its last quarter (a quarter
/// is what a branch still has to arrange a course).
pub fn training_season(day: NaiveDate) -> bool {
    day.month() >= 10
}

/// The office-holders of `orgs`' subtrees short of the year's hours, most short first.
async fn training_short(
    st: &AppState,
    scope: &Scope,
    orgs: &[i64],
    year: i32,
) -> Result<Vec<store::training::HoursItem>, AppError> {
    let mut short = Vec::new();
    for &org in orgs {
        match st.store.training_hours(scope, year, Some(org)).await {
            Ok(h) => short.extend(h.items.into_iter().filter(|i| !i.met)),
            Err(store::StoreError::NotFound) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    short.sort_by(|a, b| {
        (b.required as f64 - b.done)
            .total_cmp(&(a.required as f64 - a.done))
            .then(a.office_holder_id.cmp(&b.office_holder_id))
    });
    short.dedup_by_key(|i| i.office_holder_id);
    Ok(short)
}

/// A report to fill in, on the to-do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportTodo {
    /// The stored draft, if any.
    pub id: Option<i64>,
    pub form_id: i64,
    pub form_title: String,
    pub period: String,
    pub party_org_id: Option<i64>,
    pub funded_project_id: Option<i64>,
    pub respondent: String,
    pub due_on: NaiveDate,
    pub days_left: i64,
    pub late: bool,
}

impl ReportTodo {
    /// Where it is filled in.
    pub fn href(&self) -> String {
        match self.id {
            Some(id) => format!("/reports/submissions/{id}"),
            None => {
                let who = match (self.funded_project_id, self.party_org_id) {
                    (Some(p), _) => format!("funded_project_id={p}"),
                    (None, o) => format!("party_org_id={}", o.unwrap_or(0)),
                };
                format!(
                    "/reports/forms/{}/fill?period={}&{who}",
                    self.form_id, self.period
                )
            }
        }
    }
}

/// The form titles by id.
async fn form_titles(st: &AppState) -> Result<HashMap<i64, String>, AppError> {
    Ok(st
        .store
        .list_forms(PageReq {
            page: 1,
            per_page: PageReq::MAX_PER_PAGE,
        })
        .await?
        .items
        .into_iter()
        .map(|f| (f.id, f.title))
        .collect())
}

/// The subtrees a user answers for: its org's, or the whole tree's (its roots).
async fn own_orgs(st: &AppState, user: &User) -> Result<Vec<i64>, AppError> {
    match user.party_org_id {
        Some(id) => Ok(vec![id]),
        None => roots(st).await,
    }
}

/// The roots of the org tree (committees without a parent).
async fn roots(st: &AppState) -> Result<Vec<i64>, AppError> {
    let roots = st
        .store
        .list_orgs(
            &Scope::All,
            &OrgFilter {
                kind: Some(OrgKind::Committee),
                ..Default::default()
            },
            PageReq {
                page: 1,
                per_page: 20,
            },
        )
        .await?;
    Ok(roots
        .items
        .into_iter()
        .filter(|o| o.parent_id.is_none())
        .map(|o| o.id)
        .collect())
}

pub async fn todo(st: &AppState, user: &User, scope: &Scope) -> Result<Todo, AppError> {
    let today = st.clock.today();
    let orgs = own_orgs(st, user).await?;
    let mut due = Vec::new();
    let mut missed = Vec::new();
    let (mut due_total, mut missed_total) = (0, 0);
    // This year's, and in January the misses of last year's final month.
    let mut years = vec![(today.year(), None)];
    if today.month() == 1 {
        years.push((
            today.year() - 1,
            Some(today - chrono::Days::new(MISSED_WINDOW_DAYS)),
        ));
    }
    for &org in &orgs {
        for &(year, since) in &years {
            let d = match st
                .store
                .compliance_digest(scope, Some(org), year, today, since, TODO_MAX)
                .await
            {
                Ok(d) => d,
                // An org outside the scope (or deleted): nothing of its own to do.
                Err(store::StoreError::NotFound) => continue,
                Err(e) => return Err(e.into()),
            };
            due.extend(d.due.iter().cloned());
            missed.extend(d.missed.iter().cloned());
            due_total += d.due_total;
            missed_total += d.missed_total;
        }
    }
    // Several roots or years: merge their first items in the same order.
    let merged = domain::life::Digest::of(&[due, missed].concat(), None, TODO_MAX);
    let ids: Vec<i64> = merged
        .due
        .iter()
        .chain(&merged.missed)
        .map(|i| i.party_org_id)
        .collect();
    let names = st.store.org_names(scope, &ids).await?;
    let line = |i: ComplianceItem| TodoItem {
        org_name: names.get(&i.party_org_id).cloned().unwrap_or_default(),
        days_left: (i.ends_on - today).num_days(),
        party_org_id: i.party_org_id,
        obligation_id: i.obligation_id,
        kind: i.kind,
        period: i.period,
        required: i.required,
        done: i.done,
        ends_on: i.ends_on,
    };
    let summary = st
        .store
        .compliance_digest(scope, None, today.year(), today, None, 0)
        .await?
        .summary
        .clone();
    let ledgers = crate::platform::ledger::waiting(st, user, scope).await?;
    // the reports an org answers itself; the office sees their figures instead
    let reports = match user.party_org_id {
        Some(_) => {
            st.store
                .due_submissions(
                    scope,
                    today,
                    st.config.reminder_days,
                    today - chrono::Days::new(MISSED_WINDOW_DAYS),
                )
                .await?
        }
        None => Vec::new(),
    };
    let training = if training_season(today) {
        training_short(st, scope, &orgs, today.year()).await?
    } else {
        Vec::new()
    };
    let training_total = training.len();
    let training: Vec<_> = training.into_iter().take(TODO_MAX).collect();
    let training_names = st
        .store
        .org_names(
            scope,
            &training.iter().map(|i| i.party_org_id).collect::<Vec<_>>(),
        )
        .await?;
    let titles = if reports.is_empty() {
        HashMap::new()
    } else {
        form_titles(st).await?
    };
    Ok(Todo {
        training_total,
        training: training
            .into_iter()
            .map(|i| TrainingTodo {
                org_name: training_names
                    .get(&i.party_org_id)
                    .cloned()
                    .unwrap_or_default(),
                short: domain::reports::round4(i.required as f64 - i.done),
                office_holder_id: i.office_holder_id,
                name: i.name,
                party_org_id: i.party_org_id,
                position: i.position,
                required: i.required,
                done: i.done,
            })
            .collect(),
        ledgers,
        reports_total: reports.len(),
        reports: reports
            .into_iter()
            .take(TODO_MAX)
            .map(|s| ReportTodo {
                id: s.id,
                form_title: titles.get(&s.form_id).cloned().unwrap_or_default(),
                days_left: (s.due_on - today).num_days(),
                form_id: s.form_id,
                period: s.period,
                party_org_id: s.party_org_id,
                funded_project_id: s.funded_project_id,
                respondent: s.respondent,
                due_on: s.due_on,
                late: s.late,
            })
            .collect(),
        org_ids: orgs,
        due: merged.due.into_iter().map(line).collect(),
        missed: merged.missed.into_iter().map(line).collect(),
        due_total,
        missed_total,
        scope: summary,
    })
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct RunOutcome {
    pub prepared: usize,
    pub emailed: usize,
    pub failed: usize,
}

/// The reason of each candidate (the store already kept only the remindable ones, by
/// `domain::life::remindable`).
fn reasons(items: Vec<ComplianceItem>) -> Vec<(ReminderReason, ComplianceItem)> {
    items
        .into_iter()
        .filter_map(|i| match i.status {
            Status::Due => Some((ReminderReason::Due, i)),
            Status::Missed => Some((ReminderReason::Missed, i)),
            _ => None,
        })
        .collect()
}

/// One pass of the daily job.
/// The daily job: [`run_once`] when this server is the first, of all the servers on the
/// database, to claim today's run; `None` when another (or this one, earlier) has.
pub async fn run_daily(st: &AppState, server: &str) -> Result<Option<RunOutcome>, AppError> {
    let today = st.clock.today();
    if !st.store.claim_daily_job("reminders", today, server).await? {
        return Ok(None);
    }
    run_once(st).await.map(Some)
}

pub async fn run_once(st: &AppState) -> Result<RunOutcome, AppError> {
    let today = st.clock.today();
    let since = today - chrono::Days::new(MISSED_WINDOW_DAYS);
    let mut items = Vec::new();
    if today.month() == 1 {
        items = st
            .store
            .reminder_candidates(today.year() - 1, today, st.config.reminder_days, since)
            .await?;
    }
    items.extend(
        st.store
            .reminder_candidates(today.year(), today, st.config.reminder_days, since)
            .await?,
    );
    let picked = reasons(items);
    let new = st.store.record_reminders(today, picked).await?;
    let reports = st
        .store
        .due_submissions(&Scope::All, today, st.config.reminder_days, since)
        .await?;
    let new_reports = st.store.record_report_reminders(today, reports).await?;
    let new_training = if training_season(today) {
        let short = training_short(st, &Scope::All, &roots(st).await?, today.year()).await?;
        st.store.record_training_reminders(today, short).await?
    } else {
        Vec::new()
    };
    let mut out = RunOutcome {
        prepared: new.len() + new_reports.len() + new_training.len(),
        ..Default::default()
    };
    if new.is_empty() && new_reports.is_empty() && new_training.is_empty() {
        return Ok(out);
    }
    let Some(smtp) = st.config.smtp.clone() else {
        return Ok(out);
    };
    // Recipients: the users of each org; for the roots, the office (admins without an org).
    let users = st.store.list_users().await?;
    let roots = roots(st).await?;
    let ids: Vec<i64> = new
        .iter()
        .map(|r| r.party_org_id)
        .chain(new_training.iter().map(|i| i.party_org_id))
        .collect();
    let names = st.store.org_names(&Scope::All, &ids).await?;
    let (users, roots) = (&users, &roots);
    let recipients = move |org: i64| {
        users
            .iter()
            .filter(move |u| {
                u.party_org_id == Some(org)
                    || (u.party_org_id.is_none() && u.role == Role::Admin && roots.contains(&org))
            })
            .filter_map(|u| u.email.clone())
    };
    let mut by_address: BTreeMap<String, Lines> = BTreeMap::new();
    for r in &new {
        for addr in recipients(r.party_org_id) {
            by_address.entry(addr).or_default().0.push(r);
        }
    }
    for s in &new_reports {
        for addr in s.party_org_id.into_iter().flat_map(&recipients) {
            by_address.entry(addr).or_default().1.push(s);
        }
    }
    for i in &new_training {
        for addr in recipients(i.party_org_id) {
            by_address.entry(addr).or_default().2.push(i);
        }
    }
    let forms = form_titles(st).await?;
    let lang = Lang::Zh;
    let mut sent: HashMap<i64, Option<String>> = HashMap::new();
    for (addr, lines) in by_address {
        let count = lines.0.len() + lines.1.len() + lines.2.len();
        let msg = mail::Message {
            to: vec![addr],
            subject: lang.tf("reminder.subject", &[&count.to_string()]),
            body: message_body(lang, &lines, &names, &forms, today),
        };
        let list = lines.0;
        let cfg = smtp.clone();
        let res = tokio::task::spawn_blocking(move || mail::send(&cfg, &msg))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        match res {
            Ok(()) => {
                out.emailed += 1;
                for r in list {
                    sent.entry(r.id).or_insert(None);
                }
            }
            Err(e) => {
                out.failed += 1;
                tracing::warn!(error = %e, "reminder e-mail failed");
                for r in list {
                    sent.insert(r.id, Some(e.to_string()));
                }
            }
        }
    }
    for (id, err) in sent {
        st.store.mark_reminder_emailed(id, err).await?;
    }
    Ok(out)
}

/// One recipient's new reminders: obligations, reports, office-holders short of hours.
type Lines<'a> = (
    Vec<&'a Reminder>,
    Vec<&'a store::reports::Submission>,
    Vec<&'a store::training::HoursItem>,
);

fn message_body(
    lang: Lang,
    (list, reports, training): &Lines,
    names: &HashMap<i64, String>,
    forms: &HashMap<i64, String>,
    today: NaiveDate,
) -> String {
    let mut body = lang.t("reminder.greeting").to_string();
    body.push_str("\n\n");
    for r in list {
        let org = names.get(&r.party_org_id).map(String::as_str).unwrap_or("");
        let what = lang.code_label("activity_kind", r.kind.as_str());
        let period = period_label(lang, &r.period);
        let line = match r.reason {
            ReminderReason::Due => lang.tf(
                "reminder.line_due",
                &[
                    org,
                    &period,
                    what,
                    &r.done.to_string(),
                    &r.required.to_string(),
                    &(r.ends_on - today).num_days().to_string(),
                ],
            ),
            ReminderReason::Missed => lang.tf(
                "reminder.line_missed",
                &[
                    org,
                    &period,
                    what,
                    &r.done.to_string(),
                    &r.required.to_string(),
                ],
            ),
        };
        body.push_str("· ");
        body.push_str(&line);
        body.push('\n');
    }
    for s in reports {
        let form = forms.get(&s.form_id).map(String::as_str).unwrap_or("");
        let period = period_label(lang, &s.period);
        let due = lang.date(s.due_on);
        let line = if s.late {
            lang.tf(
                "reminder.report_missed",
                &[&s.respondent, &period, form, &due],
            )
        } else {
            lang.tf(
                "reminder.report_due",
                &[
                    &s.respondent,
                    &period,
                    form,
                    &due,
                    &(s.due_on - today).num_days().to_string(),
                ],
            )
        };
        body.push_str("· ");
        body.push_str(&line);
        body.push('\n');
    }
    for i in training {
        let org = names.get(&i.party_org_id).map(String::as_str).unwrap_or("");
        let line = lang.tf(
            "reminder.training_short",
            &[
                org,
                &i.name,
                lang.code_label("position", i.position.as_str()),
                &hours_text(i.done),
                &i.required.to_string(),
                &hours_text(i.required as f64 - i.done),
            ],
        );
        body.push_str("· ");
        body.push_str(&line);
        body.push('\n');
    }
    body.push('\n');
    body.push_str(lang.t("reminder.footer"));
    body
}

/// Hours as people write them: `12`, `12.5`.
pub fn hours_text(h: f64) -> String {
    domain::validate::tenths_text((h * 10.0).round() as i64)
}

/// `2023年3月`, `2023年第一季度`, `2023年度` (or the label itself in English).
pub fn period_label(lang: Lang, label: &str) -> String {
    let Some(p) = Period::parse(label) else {
        return label.to_string();
    };
    match p.kind {
        domain::life::PeriodKind::Month => {
            lang.tf("period.month", &[&p.year.to_string(), &p.index.to_string()])
        }
        // 第一季度 in Chinese, as documents write it
        domain::life::PeriodKind::Quarter => lang.tf(
            "period.quarter",
            &[
                &p.year.to_string(),
                lang.t(&format!("period.quarter_no.{}", p.index)),
            ],
        ),
        domain::life::PeriodKind::HalfYear => lang.tf(
            if p.index == 1 {
                "period.half_year.1"
            } else {
                "period.half_year.2"
            },
            &[&p.year.to_string()],
        ),
        domain::life::PeriodKind::Year => lang.tf("period.year", &[&p.year.to_string()]),
    }
}
