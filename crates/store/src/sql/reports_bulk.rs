//! M5 records in bulk for the demo and `seed`: funded projects with their expenditures, and
//! submissions already in a state with their events — one summary audit row a call instead
//! of one a record. Submissions go in multi-row inserts with ids taken after the largest
//! stored one (PostgreSQL's identity then goes on from the last), their events likewise.

use std::collections::HashMap;

use domain::reports::SubmissionState;

use super::bulk::{identity_after_max, insert_rows, max_id, opt_int, opt_text, text};
use super::db::{Transaction, Value};
use super::reports::get_form;
use super::work::instant_text;
use super::{audit, internal};
use crate::params;
use crate::reports::{BulkProject, BulkSubmission, ReportForm, Respondent};
use crate::{Actor, Result, StoreError};

pub(super) fn bulk_projects(
    tx: &Transaction,
    actor: &Actor,
    projects: &[BulkProject],
) -> Result<Vec<i64>> {
    let now = super::now_text();
    let mut ids = Vec::with_capacity(projects.len());
    let mut expenditures = 0usize;
    for b in projects {
        let p = &b.project;
        tx.prepare_cached(
            "INSERT INTO funded_projects (programme, title, society_id, year, budget_fen, indicators, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        )?
        .execute(params![
            p.programme,
            p.title,
            p.society_id,
            p.year as i64,
            p.budget_fen,
            serde_json::to_string(&p.indicators).map_err(internal)?,
            now
        ])?;
        let id = tx.last_insert_rowid()?;
        for e in &b.expenditures {
            tx.prepare_cached(
                "INSERT INTO expenditures (funded_project_id, spent_on, amount_fen, purpose, created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                id,
                e.spent_on.to_string(),
                e.amount_fen,
                e.purpose,
                now,
                actor.user_id
            ])?;
        }
        expenditures += b.expenditures.len();
        ids.push(id);
    }
    let summary =
        serde_json::json!({"funded_projects": projects.len(), "expenditures": expenditures});
    audit(
        tx,
        actor,
        "create",
        "bulk_projects",
        None,
        None::<&()>,
        Some(&summary),
    )?;
    Ok(ids)
}

const SUB_COLS: &str =
    "id, form_id, period, respondent, party_org_id, funded_project_id, state, answers, \
     due_on, first_submitted_on, submitted_at, accepted_on, comment, created_at, updated_at";
const EVENT_COLS: &str = "submission_id, action, text, at, actor";

pub(super) fn bulk_submissions(
    tx: &Transaction,
    actor: &Actor,
    subs: &[BulkSubmission],
) -> Result<usize> {
    let bad = |i: usize, why: &str| StoreError::Internal(format!("bulk submission {i}: {why}"));
    let mut forms: HashMap<i64, ReportForm> = HashMap::new();
    // The org covering each project's society (a project's submissions follow it).
    let mut project_orgs: HashMap<i64, Option<i64>> = HashMap::new();
    if subs
        .iter()
        .any(|s| matches!(s.key.respondent, Respondent::Project(_)))
    {
        let rows = tx
            .prepare_cached(
                "SELECT p.id, o.id FROM funded_projects p JOIN societies s ON s.id = p.society_id
                 LEFT JOIN party_orgs o ON o.id = s.party_org_id AND o.deleted_at IS NULL
                 WHERE p.deleted_at IS NULL",
            )?
            .query_map((), |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?))
            })?;
        for r in rows {
            let (p, o) = r?;
            project_orgs.insert(p, o);
        }
    }
    let first = max_id(tx, "report_submissions")?;
    let mut rows: Vec<Value> = Vec::with_capacity(subs.len() * 15);
    let mut events: Vec<Value> = Vec::with_capacity(subs.len() * 10);
    let who = text(actor.username.clone());
    for (i, s) in subs.iter().enumerate() {
        let id = first + 1 + i as i64;
        let form = match forms.entry(s.key.form_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(get_form(tx, s.key.form_id)?),
        };
        let form = &*form;
        let p = domain::reports::parse_period(form.period, &s.key.period)
            .ok_or_else(|| bad(i, "a period not of the form's kind"))?;
        let (key, org, project) = match (s.key.respondent, &form.programme) {
            (Respondent::Org(o), None) => (format!("o{o}"), Some(o), None),
            (Respondent::Project(p), Some(_)) => (
                format!("p{p}"),
                *project_orgs
                    .get(&p)
                    .ok_or_else(|| bad(i, "no such project"))?,
                Some(p),
            ),
            _ => return Err(bad(i, "a respondent the form does not ask")),
        };
        let (reviewed, needs_review) = match s.state {
            SubmissionState::NotStarted => return Err(bad(i, "not_started is never stored")),
            SubmissionState::Draft => (None, false),
            SubmissionState::Submitted => (None, false),
            SubmissionState::Accepted | SubmissionState::Returned => (s.reviewed, true),
        };
        if needs_review && reviewed.is_none() {
            return Err(bad(i, "a reviewed state without `reviewed`"));
        }
        if s.state != SubmissionState::Draft && s.submitted.is_none() {
            return Err(bad(i, "a submitted state without `submitted`"));
        }
        let created = instant_text(s.created.now);
        let submitted = s.submitted.map(|w| instant_text(w.now));
        let reviewed_at = reviewed.map(|w| instant_text(w.now));
        let updated = reviewed_at
            .clone()
            .or_else(|| submitted.clone())
            .unwrap_or_else(|| created.clone());
        let accepted_on = (s.state == SubmissionState::Accepted)
            .then(|| reviewed.map(|w| w.today.to_string()))
            .flatten();
        let comment = (s.state == SubmissionState::Returned)
            .then(|| s.comment.clone())
            .flatten();
        rows.extend([
            Value::Integer(id),
            Value::Integer(form.id),
            text(p.label()),
            text(key),
            opt_int(org),
            opt_int(project),
            text(s.state.as_str()),
            text(serde_json::to_string(&s.values).map_err(internal)?),
            text(form.def().due_on(&p).to_string()),
            opt_text(s.submitted.map(|w| w.today.to_string())),
            opt_text(submitted.clone()),
            opt_text(accepted_on),
            opt_text(comment.clone()),
            text(created),
            text(updated),
        ]);
        if let Some(at) = submitted {
            events.extend([
                Value::Integer(id),
                text("submit"),
                Value::Null,
                text(at),
                who.clone(),
            ]);
        }
        if let (Some(at), true) = (reviewed_at, needs_review) {
            let action = if s.state == SubmissionState::Accepted {
                "accept"
            } else {
                "return"
            };
            events.extend([
                Value::Integer(id),
                text(action),
                opt_text(comment),
                text(at),
                who.clone(),
            ]);
        }
    }
    insert_rows(tx, "report_submissions", SUB_COLS, 15, &rows)?;
    insert_rows(tx, "report_submission_events", EVENT_COLS, 5, &events)?;
    identity_after_max(tx, "report_submissions")?;
    let summary = serde_json::json!({"report_submissions": subs.len(), "events": events.len() / 5});
    audit(
        tx,
        actor,
        "create",
        "bulk_submissions",
        None,
        None::<&()>,
        Some(&summary),
    )?;
    Ok(subs.len())
}
