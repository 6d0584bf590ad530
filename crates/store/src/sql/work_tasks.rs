//! `WorkStore` for SQLite, M3: tasks, assignments, reports and reviews, the task ledger and figures.

use std::collections::HashMap;

use super::db::Value;
use super::db::{params_from_iter, Connection, OptionalExtension, Row, Transaction};
use crate::params;
use chrono::NaiveDate;
use domain::work::{
    self as w, AssignmentEvent, AssignmentState, NewReport, NewTask, ReviewDecision,
};
use domain::{FieldError, FieldErrors};

use super::ledger::{Common, ASSIGNMENT_TABLE};
use super::registry::{in_scope, paged_by, Cond};
use super::{audit, parse_code, parse_instant};
use crate::work::*;
use crate::{Actor, PageReq, Paged, Result, Scope, StoreError};

use super::work::*;

// ---------------------------------------------------------------- tasks

pub(super) const ASSIGNMENT_FROM: &str = ASSIGNMENT_TABLE.from;
pub(super) const ASSIGNMENT_COLS: &str =
    "a.id, a.task_id, t.title, a.party_org_id, a.state, a.due_on, \
    a.last_report_at, a.progress, t.issued_on, t.work_item_id, a.first_reported_on";

pub(super) fn assignment_row(r: &Row, today: NaiveDate) -> crate::Result<Assignment> {
    let state = parse_code(&r.get::<_, String>(4)?, AssignmentState::parse)?;
    let due_on = date(r.get(5)?)?;
    let first_reported_on = opt_date(r.get(10)?)?;
    Ok(Assignment {
        id: r.get(0)?,
        task_id: r.get(1)?,
        task_title: r.get(2)?,
        party_org_id: r.get(3)?,
        state,
        due_on,
        overdue: domain::ledger::LedgerState::overdue(state, due_on, today),
        late: w::late(first_reported_on, due_on, today),
        first_reported_on,
        last_report_at: opt_instant(r.get(6)?)?,
        progress: r.get(7)?,
        issued_on: date(r.get(8)?)?,
        work_item_id: r.get(9)?,
    })
}

pub(super) fn assignment_cond(scope: &Scope, f: &AssignmentFilter, today: NaiveDate) -> Cond {
    let common = Common {
        party_org_id: f.party_org_id,
        under: f.under,
        state: f.state.map(AssignmentState::as_str),
        overdue: f.overdue,
        late: f.late,
        from: f.from,
        to: f.to,
        period_col: "a.due_on",
    };
    let mut cond = ASSIGNMENT_TABLE.cond(scope, common, today);
    if let Some(t) = f.task_id {
        cond.push("a.task_id = ?", [Value::Integer(t)]);
    }
    cond
}

pub(super) fn list_assignments(
    c: &Connection,
    scope: &Scope,
    f: &AssignmentFilter,
    today: NaiveDate,
    page: PageReq,
) -> Result<Paged<Assignment>> {
    let cond = assignment_cond(scope, f, today);
    ASSIGNMENT_TABLE.list(
        c,
        &cond,
        ASSIGNMENT_COLS,
        f.sort.unwrap_or_default(),
        page,
        |r| assignment_row(r, today),
    )
}

pub(super) fn export_assignments(
    c: &Connection,
    scope: &Scope,
    f: &AssignmentFilter,
    today: NaiveDate,
) -> Result<Vec<(Assignment, String)>> {
    let cond = assignment_cond(scope, f, today);
    ASSIGNMENT_TABLE.export(
        c,
        &cond,
        ASSIGNMENT_COLS,
        11,
        f.sort.unwrap_or_default(),
        |r| assignment_row(r, today),
    )
}

/// An assignment in scope with its org's path; `NotFound` otherwise.
pub(super) fn assignment_in_scope(
    c: &Connection,
    scope: &Scope,
    id: i64,
    today: NaiveDate,
) -> Result<Assignment> {
    let found = c
        .prepare_cached(&format!(
            "SELECT {ASSIGNMENT_COLS}, o.path FROM {ASSIGNMENT_FROM}
             WHERE a.id = ?1 AND a.deleted_at IS NULL AND t.deleted_at IS NULL"
        ))?
        .query_row([id], |r| {
            Ok((assignment_row(r, today)?, r.get::<_, String>(11)?))
        })
        .optional()?;
    match found {
        Some((a, p)) if in_scope(scope, Some(&p)) => Ok(a),
        _ => Err(StoreError::NotFound),
    }
}

pub(super) fn report_row(r: &Row) -> crate::Result<ProgressReport> {
    Ok(ProgressReport {
        id: r.get(0)?,
        assignment_id: r.get(1)?,
        progress: r.get(2)?,
        text: r.get(3)?,
        reported_at: parse_instant(&r.get::<_, String>(4)?)?,
        reported_by: r.get(5)?,
        decision: r
            .get::<_, Option<String>>(6)?
            .map(|d| parse_code(&d, ReviewDecision::parse))
            .transpose()?,
        comment: r.get(7)?,
        reviewed_at: opt_instant(r.get(8)?)?,
        reviewed_by: r.get(9)?,
    })
}

pub(super) const REPORT_COLS: &str =
    "id, assignment_id, progress, text, reported_at, reported_by, decision, comment, reviewed_at, reviewed_by";

pub(super) fn assignment_reports(c: &Connection, id: i64) -> Result<Vec<ProgressReport>> {
    c.prepare_cached(&format!(
        "SELECT {REPORT_COLS} FROM progress_reports WHERE assignment_id = ?1 ORDER BY id"
    ))?
    .query_map([id], report_row)?
    .collect::<crate::Result<Vec<_>>>()
}

pub(super) fn briefs(
    c: &Connection,
    scope: &Scope,
    task_ids: &[i64],
) -> Result<HashMap<i64, Vec<AssignmentBrief>>> {
    let mut out: HashMap<i64, Vec<AssignmentBrief>> = HashMap::new();
    if task_ids.is_empty() {
        return Ok(out);
    }
    // Ids are integers, so they can be inlined safely; at most a page of them.
    let list = task_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let cond = scoped(
        &format!("a.deleted_at IS NULL AND a.task_id IN ({list})"),
        scope,
    );
    let mut st = c.prepare(&format!(
        "SELECT a.task_id, a.id, a.party_org_id, a.state, a.due_on, a.progress
         FROM assignments a JOIN party_orgs o ON o.id = a.party_org_id WHERE {} ORDER BY o.path, a.id",
        cond.where_clause()
    ))?;
    let rows = st.query_map(params_from_iter(&cond.args), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            AssignmentBrief {
                id: r.get(1)?,
                party_org_id: r.get(2)?,
                state: parse_code(&r.get::<_, String>(3)?, AssignmentState::parse)?,
                due_on: date(r.get(4)?)?,
                progress: r.get(5)?,
            },
        ))
    })?;
    for row in rows {
        let (task, b) = row?;
        out.entry(task).or_default().push(b);
    }
    Ok(out)
}

pub(super) const TASK_COLS: &str =
    "t.id, t.title, t.description, t.work_item_id, t.issued_on, t.due_on";

pub(super) fn task_row(r: &Row) -> crate::Result<Task> {
    Ok(Task {
        id: r.get(0)?,
        title: r.get(1)?,
        description: r.get(2)?,
        work_item_id: r.get(3)?,
        issued_on: date(r.get(4)?)?,
        due_on: date(r.get(5)?)?,
        assignments: Vec::new(),
    })
}

pub(super) fn get_task(c: &Connection, scope: &Scope, id: i64) -> Result<Task> {
    let mut task = c
        .prepare_cached(&format!(
            "SELECT {TASK_COLS} FROM tasks t WHERE t.id = ?1 AND t.deleted_at IS NULL"
        ))?
        .query_row([id], task_row)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    task.assignments = briefs(c, scope, &[id])?.remove(&id).unwrap_or_default();
    if task.assignments.is_empty() && *scope != Scope::All {
        return Err(StoreError::NotFound);
    }
    Ok(task)
}

pub(super) fn list_tasks(c: &Connection, scope: &Scope, page: PageReq) -> Result<Paged<Task>> {
    let mut cond = Cond::new("t.deleted_at IS NULL");
    if let Scope::Subtree { path, .. } = scope {
        let (lo, hi) = Scope::path_range(path);
        cond.push(
            "EXISTS (SELECT 1 FROM assignments a JOIN party_orgs o ON o.id = a.party_org_id
                     WHERE a.task_id = t.id AND a.deleted_at IS NULL AND o.path >= ? AND o.path < ?)",
            [Value::Text(lo), Value::Text(hi)],
        );
    }
    let mut paged = paged_by(c, "tasks t", TASK_COLS, &cond, "t.id DESC", page, task_row)?;
    let ids: Vec<i64> = paged.items.iter().map(|t| t.id).collect();
    let mut all = briefs(c, scope, &ids)?;
    for t in &mut paged.items {
        t.assignments = all.remove(&t.id).unwrap_or_default();
    }
    Ok(paged)
}

/// The orgs of a selection: every org of the kinds in the subtree of its root.
pub(super) fn selected_orgs(
    c: &Connection,
    scope: &Scope,
    sel: &w::OrgSelection,
) -> Result<Vec<i64>> {
    let root = target_orgs(c, scope, "subtree_id", &[sel.root_id])?;
    let (lo, hi) = Scope::path_range(&root[0].1);
    let mut st = c.prepare_cached(
        "SELECT id, kind FROM party_orgs WHERE path >= ?1 AND path < ?2 AND deleted_at IS NULL ORDER BY path",
    )?;
    let rows = st.query_map(params![lo, hi], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind) = row?;
        if sel.kinds.is_empty() || sel.kinds.iter().any(|k| k.as_str() == kind) {
            out.push(id);
        }
    }
    Ok(out)
}

pub(super) fn insert_task(tx: &Transaction, actor: &Actor, t: &NewTask) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO tasks (title, description, work_item_id, issued_on, due_on, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        t.title,
        t.description,
        t.work_item_id,
        t.issued_on.to_string(),
        t.due_on.to_string(),
        super::now_text(),
        actor.user_id
    ])?;
    tx.last_insert_rowid()
}

pub(super) fn insert_assignment(
    tx: &Transaction,
    task: i64,
    org: i64,
    state: AssignmentState,
    due_on: NaiveDate,
    progress: i64,
    at: Option<&str>,
) -> Result<()> {
    let now = super::now_text();
    tx.prepare_cached(
        "INSERT INTO assignments (task_id, party_org_id, state, due_on, progress, last_report_at, first_reported_on, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?
    .execute(params![
        task,
        org,
        state.as_str(),
        due_on.to_string(),
        progress,
        at,
        at.and_then(super::utc8_date),
        now
    ])?;
    Ok(())
}

pub(super) fn create_task(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    t: &NewTask,
) -> Result<Task> {
    if let Some(item) = t.work_item_id {
        let exists: Option<i64> = tx
            .prepare_cached(
                "SELECT i.id FROM work_items i JOIN work_plans p ON p.id = i.plan_id WHERE i.id = ?1 AND p.deleted_at IS NULL",
            )?
            .query_row([item], |r| r.get(0))
            .optional()?;
        if exists.is_none() {
            return Err(FieldErrors::single("work_item_id", FieldError::NotFound).into());
        }
    }
    let mut orgs: Vec<i64> = target_orgs(tx, scope, "party_org_ids", &t.party_org_ids)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    if let Some(sel) = &t.selection {
        orgs.extend(selected_orgs(tx, scope, sel)?);
    }
    let mut seen = std::collections::HashSet::new();
    orgs.retain(|id| seen.insert(*id));
    if orgs.is_empty() {
        return Err(FieldErrors::single("party_org_ids", FieldError::Required).into());
    }
    let id = insert_task(tx, actor, t)?;
    for org in &orgs {
        insert_assignment(tx, id, *org, AssignmentState::Assigned, t.due_on, 0, None)?;
    }
    let task = get_task(tx, &Scope::All, id)?;
    audit(
        tx,
        actor,
        "create",
        "task",
        Some(id),
        None::<&()>,
        Some(&task),
    )?;
    get_task(tx, scope, id)
}

pub(super) fn report(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    r: &NewReport,
    when: When,
) -> Result<ProgressReport> {
    let before = assignment_in_scope(tx, scope, id, when.today)?;
    let next = before
        .state
        .next(AssignmentEvent::Report)
        .map_err(state_conflict)?;
    let at = instant_text(when.now);
    tx.prepare_cached(
        "INSERT INTO progress_reports (assignment_id, progress, text, reported_at, reported_by) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![id, r.progress, r.text, at, actor.username])?;
    let report_id = tx.last_insert_rowid()?;
    tx.prepare_cached(
        "UPDATE assignments SET state = ?1, progress = ?2, last_report_at = ?3, updated_at = ?3,
         first_reported_on = coalesce(first_reported_on, ?5) WHERE id = ?4",
    )?
    .execute(params![
        next.as_str(),
        r.progress,
        at,
        id,
        when.today.to_string()
    ])?;
    let after = assignment_in_scope(tx, &Scope::All, id, when.today)?;
    let report = tx
        .prepare_cached(&format!(
            "SELECT {REPORT_COLS} FROM progress_reports WHERE id = ?1"
        ))?
        .query_row([report_id], report_row)?;
    audit(
        tx,
        actor,
        "update",
        "assignment",
        Some(id),
        Some(&before),
        Some(&serde_json::json!({"assignment": after, "report": report})),
    )?;
    Ok(report)
}

pub(super) fn review(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    decision: ReviewDecision,
    comment: Option<&str>,
    when: When,
) -> Result<Assignment> {
    let before = assignment_in_scope(tx, scope, id, when.today)?;
    let next = before
        .state
        .next(AssignmentEvent::Review(decision))
        .map_err(state_conflict)?;
    let at = instant_text(when.now);
    tx.prepare_cached(
        "UPDATE progress_reports SET decision = ?1, comment = ?2, reviewed_at = ?3, reviewed_by = ?4
         WHERE id = (SELECT max(id) FROM progress_reports WHERE assignment_id = ?5)",
    )?
    .execute(params![decision.as_str(), comment, at, actor.username, id])?;
    tx.prepare_cached("UPDATE assignments SET state = ?1, updated_at = ?2 WHERE id = ?3")?
        .execute(params![next.as_str(), at, id])?;
    let after = assignment_in_scope(tx, &Scope::All, id, when.today)?;
    audit(
        tx,
        actor,
        "update",
        "assignment",
        Some(id),
        Some(&before),
        Some(&serde_json::json!({"assignment": after, "decision": decision, "comment": comment})),
    )?;
    Ok(after)
}
