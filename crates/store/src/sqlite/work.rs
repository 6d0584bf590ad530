//! `WorkStore` for SQLite: M3 work plans, tasks and assignments; M4 inspections, findings
//! and rectifications. Lists join `party_orgs o` so the scope is a range on `o.path`.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::work::{
    self as w, AssignmentEvent, AssignmentState, FindingSource, InspectionKind, NewFinding,
    NewInspection, NewReport, NewTask, RectStats, RectificationEvent as Ev, RectificationState,
    ReviewDecision, Severity, VerifyDecision,
};
use domain::{FieldError, FieldErrors};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row, Transaction};

use super::registry::{in_scope, paged_by, target_org, Cond};
use super::{audit, parse_code, parse_instant, SqliteStore};
use crate::work::*;
use crate::{Actor, PageReq, Paged, Result, Scope, StoreError};

fn date(s: String) -> rusqlite::Result<NaiveDate> {
    super::parse_date(Some(s)).map(|d| d.unwrap_or_default())
}

fn opt_date(s: Option<String>) -> rusqlite::Result<Option<NaiveDate>> {
    super::parse_date(s)
}

fn opt_instant(s: Option<String>) -> rusqlite::Result<Option<DateTime<Utc>>> {
    s.map(|s| parse_instant(&s)).transpose()
}

fn instant_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn state_conflict(_: w::Refused) -> StoreError {
    StoreError::Conflict("state")
}

/// Adds the scope (a range on `o.path`) to a condition.
fn scoped(base: &str, scope: &Scope) -> Cond {
    let mut cond = Cond::new(base);
    if let Scope::Subtree { path, .. } = scope {
        cond.org_subtree(path);
    }
    cond
}

fn period(cond: &mut Cond, col: &str, from: Option<NaiveDate>, to: Option<NaiveDate>) {
    if let Some(f) = from {
        cond.push(&format!("{col} >= ?"), [Value::Text(f.to_string())]);
    }
    if let Some(t) = to {
        cond.push(&format!("{col} <= ?"), [Value::Text(t.to_string())]);
    }
}

fn order_of(sort: LedgerSort, alias: &str) -> String {
    match sort {
        LedgerSort::Id => format!("{alias}.id"),
        LedgerSort::DueOn => format!("{alias}.due_on, {alias}.id"),
        LedgerSort::DueOnDesc => format!("{alias}.due_on DESC, {alias}.id DESC"),
        LedgerSort::Org => format!("o.path, {alias}.id"),
    }
}

/// Resolves the orgs a task or inspection names: unknown → 422 on `field`, outside the
/// caller's scope → 403. Returns `(id, path)` in the order given.
fn target_orgs(
    c: &Connection,
    scope: &Scope,
    field: &str,
    ids: &[i64],
) -> Result<Vec<(i64, String)>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some((_, p)) = target_org(c, scope, field, Some(*id))? {
            out.push((*id, p));
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- work plans

fn load_plan(c: &Connection, id: i64) -> Result<WorkPlan> {
    let head: Option<(String, i32)> = c
        .prepare_cached("SELECT title, year FROM work_plans WHERE id = ?1 AND deleted_at IS NULL")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (title, year) = head.ok_or(StoreError::NotFound)?;
    let mut sections: Vec<(i64, WorkSection)> = c
        .prepare_cached(
            "SELECT id, no, title FROM work_sections WHERE plan_id = ?1 ORDER BY position",
        )?
        .query_map([id], |r| {
            Ok((
                r.get(0)?,
                WorkSection {
                    no: r.get(1)?,
                    title: r.get(2)?,
                    items: Vec::new(),
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let items: Vec<(i64, WorkItem)> = c
        .prepare_cached(
            "SELECT section_id, id, no, title, body FROM work_items WHERE plan_id = ?1 ORDER BY position",
        )?
        .query_map([id], |r| {
            Ok((
                r.get(0)?,
                WorkItem {
                    id: r.get(1)?,
                    no: r.get(2)?,
                    title: r.get(3)?,
                    body: r.get(4)?,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (sid, item) in items {
        if let Some((_, s)) = sections.iter_mut().find(|(id, _)| *id == sid) {
            s.items.push(item);
        }
    }
    Ok(WorkPlan {
        id,
        title,
        year,
        sections: sections.into_iter().map(|(_, s)| s).collect(),
    })
}

fn import_plan(tx: &Transaction, actor: &Actor, p: &NewPlan) -> Result<WorkPlan> {
    tx.prepare_cached(
        "INSERT INTO work_plans (title, year, source_text, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![p.title, p.year, p.source_text, super::now_text(), actor.user_id])?;
    let plan_id = tx.last_insert_rowid();
    let mut position = 0;
    for (si, s) in p.parsed.sections.iter().enumerate() {
        tx.prepare_cached(
            "INSERT INTO work_sections (plan_id, position, no, title) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![plan_id, si as i64, s.no, s.title])?;
        let section_id = tx.last_insert_rowid();
        for it in &s.items {
            position += 1;
            tx.prepare_cached(
                "INSERT INTO work_items (plan_id, section_id, position, no, title, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![plan_id, section_id, position, it.no, it.title, it.body])?;
        }
    }
    let plan = load_plan(tx, plan_id)?;
    audit(
        tx,
        actor,
        "create",
        "work_plan",
        Some(plan_id),
        None::<&()>,
        Some(&plan),
    )?;
    Ok(plan)
}

fn list_plans(c: &Connection, page: PageReq) -> Result<Paged<PlanSummary>> {
    let cond = Cond::new("p.deleted_at IS NULL");
    paged_by(
        c,
        "work_plans p",
        "p.id, p.title, p.year, (SELECT count(*) FROM work_items i WHERE i.plan_id = p.id), p.created_at",
        &cond,
        "p.year DESC, p.id DESC",
        page,
        |r| {
            Ok(PlanSummary {
                id: r.get(0)?,
                title: r.get(1)?,
                year: r.get(2)?,
                items: r.get(3)?,
                created_at: parse_instant(&r.get::<_, String>(4)?)?,
            })
        },
    )
}

fn plan_progress(
    c: &Connection,
    scope: &Scope,
    plan_id: i64,
    today: NaiveDate,
) -> Result<Vec<ItemProgress>> {
    let mut cond = scoped(
        "a.deleted_at IS NULL AND t.deleted_at IS NULL AND wi.plan_id = ?",
        scope,
    );
    cond.args.insert(0, Value::Integer(plan_id));
    let mut args = vec![Value::Text(today.to_string())];
    args.extend(cond.args.iter().cloned());
    let sql = format!(
        "SELECT t.work_item_id, t.id, t.title, t.due_on, a.state, count(*),
                sum(a.state <> 'accepted' AND a.due_on < ?), sum(a.progress)
         FROM tasks t JOIN work_items wi ON wi.id = t.work_item_id
              JOIN assignments a ON a.task_id = t.id JOIN party_orgs o ON o.id = a.party_org_id
         WHERE {} GROUP BY t.id, a.state ORDER BY t.id",
        cond.where_clause()
    );
    let mut out: Vec<ItemProgress> = Vec::new();
    let mut sums: HashMap<i64, i64> = HashMap::new();
    let mut st = c.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(&args), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(6)?,
            r.get::<_, i64>(7)?,
        ))
    })?;
    for row in rows {
        let (item, task, title, due, state, n, overdue, progress) = row?;
        let idx = match out.iter().position(|p| p.work_item_id == item) {
            Some(i) => i,
            None => {
                out.push(ItemProgress {
                    work_item_id: item,
                    tasks: Vec::new(),
                });
                out.len() - 1
            }
        };
        let tasks = &mut out[idx].tasks;
        let ti = match tasks.iter().position(|t| t.task_id == task) {
            Some(i) => i,
            None => {
                tasks.push(TaskProgress {
                    task_id: task,
                    title,
                    due_on: date(due)?,
                    stats: AssignmentStats::default(),
                    mean_progress: 0,
                });
                tasks.len() - 1
            }
        };
        let tp = &mut tasks[ti];
        add_assignment_state(&mut tp.stats, &state, n, overdue);
        *sums.entry(task).or_default() += progress;
    }
    for ip in &mut out {
        for t in &mut ip.tasks {
            if t.stats.total > 0 {
                t.mean_progress = sums.get(&t.task_id).copied().unwrap_or(0) / t.stats.total;
            }
        }
    }
    Ok(out)
}

fn add_assignment_state(s: &mut AssignmentStats, state: &str, n: i64, overdue: i64) {
    s.total += n;
    s.overdue += overdue;
    match AssignmentState::parse(state) {
        Some(AssignmentState::Assigned) => s.assigned += n,
        Some(AssignmentState::Reported) => s.reported += n,
        Some(AssignmentState::Accepted) => s.accepted += n,
        Some(AssignmentState::Returned) => s.returned += n,
        None => {}
    }
}

/// The `overdue` filter of a ledger: not in its final state and due before today, or the
/// opposite. `+` keeps the planner from taking the due-date range and sorting it by id:
/// overdue rows come first in due order and are found by walking the page's own order.
fn overdue_cond(
    cond: &mut Cond,
    alias: &str,
    final_state: &str,
    overdue: Option<bool>,
    today: NaiveDate,
) {
    let today = [Value::Text(today.to_string())];
    match overdue {
        Some(true) => cond.push(
            &format!("{alias}.state <> '{final_state}' AND +{alias}.due_on < ?"),
            today,
        ),
        Some(false) => cond.push(
            &format!("({alias}.state = '{final_state}' OR {alias}.due_on >= ?)"),
            today,
        ),
        None => {}
    }
}

// ---------------------------------------------------------------- tasks

const ASSIGNMENT_FROM: &str =
    "assignments a JOIN tasks t ON t.id = a.task_id JOIN party_orgs o ON o.id = a.party_org_id";
/// The same rows walked org by org in tree order (`CROSS JOIN` keeps that join order), so a
/// page sorted by org stops after its rows instead of sorting every match.
const ASSIGNMENT_FROM_BY_ORG: &str =
    "party_orgs o CROSS JOIN assignments a ON o.id = a.party_org_id JOIN tasks t ON t.id = a.task_id";
const ASSIGNMENT_COLS: &str = "a.id, a.task_id, t.title, a.party_org_id, a.state, a.due_on, \
    a.last_report_at, a.progress, t.issued_on, t.work_item_id, a.first_reported_on";

fn assignment_row(r: &Row, today: NaiveDate) -> rusqlite::Result<Assignment> {
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
        overdue: w::overdue(state.is_final(), due_on, today),
        late: w::late(first_reported_on, due_on, today),
        first_reported_on,
        last_report_at: opt_instant(r.get(6)?)?,
        progress: r.get(7)?,
        issued_on: date(r.get(8)?)?,
        work_item_id: r.get(9)?,
    })
}

fn assignment_cond(scope: &Scope, f: &AssignmentFilter, today: NaiveDate) -> Cond {
    let mut cond = scoped("a.deleted_at IS NULL AND t.deleted_at IS NULL", scope);
    if let Some(o) = f.party_org_id {
        cond.push("a.party_org_id = ?", [Value::Integer(o)]);
    }
    if let Some(t) = f.task_id {
        cond.push("a.task_id = ?", [Value::Integer(t)]);
    }
    if let Some(s) = f.state {
        cond.push("a.state = ?", [Value::Text(s.as_str().into())]);
    }
    overdue_cond(&mut cond, "a", "accepted", f.overdue, today);
    period(&mut cond, "a.due_on", f.from, f.to);
    cond
}

fn list_assignments(
    c: &Connection,
    scope: &Scope,
    f: &AssignmentFilter,
    today: NaiveDate,
    page: PageReq,
) -> Result<Paged<Assignment>> {
    let cond = assignment_cond(scope, f, today);
    paged_by(
        c,
        from_for(f.sort, ASSIGNMENT_FROM, ASSIGNMENT_FROM_BY_ORG),
        ASSIGNMENT_COLS,
        &cond,
        &order_of(f.sort, "a"),
        page,
        |r| assignment_row(r, today),
    )
}

fn export_assignments(
    c: &Connection,
    scope: &Scope,
    f: &AssignmentFilter,
    today: NaiveDate,
) -> Result<Vec<(Assignment, String)>> {
    let cond = assignment_cond(scope, f, today);
    let rows = c
        .prepare(&format!(
            "SELECT {ASSIGNMENT_COLS}, o.name FROM {} WHERE {} ORDER BY {}",
            from_for(f.sort, ASSIGNMENT_FROM, ASSIGNMENT_FROM_BY_ORG),
            cond.where_clause(),
            order_of(f.sort, "a")
        ))?
        .query_map(params_from_iter(&cond.args), |r| {
            Ok((assignment_row(r, today)?, r.get(11)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// An assignment in scope with its org's path; `NotFound` otherwise.
fn assignment_in_scope(
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

fn report_row(r: &Row) -> rusqlite::Result<ProgressReport> {
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

const REPORT_COLS: &str =
    "id, assignment_id, progress, text, reported_at, reported_by, decision, comment, reviewed_at, reviewed_by";

fn assignment_reports(c: &Connection, id: i64) -> Result<Vec<ProgressReport>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {REPORT_COLS} FROM progress_reports WHERE assignment_id = ?1 ORDER BY id"
    ))?
    .query_map([id], report_row)?
    .collect::<rusqlite::Result<Vec<_>>>()?)
}

fn briefs(
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

const TASK_COLS: &str = "t.id, t.title, t.description, t.work_item_id, t.issued_on, t.due_on";

fn task_row(r: &Row) -> rusqlite::Result<Task> {
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

fn get_task(c: &Connection, scope: &Scope, id: i64) -> Result<Task> {
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

fn list_tasks(c: &Connection, scope: &Scope, page: PageReq) -> Result<Paged<Task>> {
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
fn selected_orgs(c: &Connection, scope: &Scope, sel: &w::OrgSelection) -> Result<Vec<i64>> {
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

fn insert_task(tx: &Transaction, actor: &Actor, t: &NewTask) -> Result<i64> {
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
    Ok(tx.last_insert_rowid())
}

fn insert_assignment(
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
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, date(?6, '+8 hours'), ?7, ?7)",
    )?
    .execute(params![task, org, state.as_str(), due_on.to_string(), progress, at, now])?;
    Ok(())
}

fn create_task(tx: &Transaction, actor: &Actor, scope: &Scope, t: &NewTask) -> Result<Task> {
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

fn report(
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
    let report_id = tx.last_insert_rowid();
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

fn review(
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

fn assignment_stats(c: &Connection, scope: &Scope, today: NaiveDate) -> Result<AssignmentStats> {
    super::memo(
        format!("assignment_stats\u{1f}{scope:?}\u{1f}{today}"),
        || {
            let cond = scoped("a.deleted_at IS NULL AND t.deleted_at IS NULL", scope);
            let mut args = vec![Value::Text(today.to_string())];
            args.extend(cond.args.iter().cloned());
            let mut st = c.prepare_cached(&format!(
            "SELECT a.state, count(*), sum(a.state <> 'accepted' AND a.due_on < ?) FROM {ASSIGNMENT_FROM} WHERE {} GROUP BY a.state",
            cond.where_clause()
        ))?;
            let mut s = AssignmentStats::default();
            for row in st.query_map(params_from_iter(&args), |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })? {
                let (state, n, overdue) = row?;
                add_assignment_state(&mut s, &state, n, overdue);
            }
            Ok(s)
        },
    )
}

// ---------------------------------------------------------------- inspections

const INSPECTION_COLS: &str = "i.id, i.title, i.kind, i.held_on";

fn inspection_row(r: &Row) -> rusqlite::Result<Inspection> {
    Ok(Inspection {
        id: r.get(0)?,
        title: r.get(1)?,
        kind: parse_code(&r.get::<_, String>(2)?, InspectionKind::parse)?,
        held_on: date(r.get(3)?)?,
        party_org_ids: Vec::new(),
        team: Vec::new(),
        findings: 0,
    })
}

/// Fills the orgs (in scope), team and finding counts of inspections.
fn fill_inspections(c: &Connection, scope: &Scope, items: &mut [Inspection]) -> Result<()> {
    for i in items.iter_mut() {
        let mut st = c.prepare_cached(
            "SELECT io.party_org_id, o.path FROM inspection_orgs io JOIN party_orgs o ON o.id = io.party_org_id
             WHERE io.inspection_id = ?1 ORDER BY o.path",
        )?;
        for row in st.query_map([i.id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })? {
            let (id, path) = row?;
            if in_scope(scope, Some(&path)) {
                i.party_org_ids.push(id);
            }
        }
        i.team = c
            .prepare_cached(
                "SELECT name FROM inspection_team WHERE inspection_id = ?1 ORDER BY position",
            )?
            .query_map([i.id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        let cond = scoped("f.inspection_id = ? AND f.deleted_at IS NULL", scope);
        let mut args = vec![Value::Integer(i.id)];
        args.extend(cond.args.iter().cloned());
        i.findings = c
            .prepare_cached(&format!(
                "SELECT count(*) FROM findings f JOIN party_orgs o ON o.id = f.party_org_id WHERE {}",
                cond.where_clause()
            ))?
            .query_row(params_from_iter(&args), |r| r.get(0))?;
    }
    Ok(())
}

fn inspection_cond(scope: &Scope) -> Cond {
    let mut cond = Cond::new("i.deleted_at IS NULL");
    if let Scope::Subtree { path, .. } = scope {
        let (lo, hi) = Scope::path_range(path);
        cond.push(
            "EXISTS (SELECT 1 FROM inspection_orgs io JOIN party_orgs o ON o.id = io.party_org_id
                     WHERE io.inspection_id = i.id AND o.path >= ? AND o.path < ?)",
            [Value::Text(lo), Value::Text(hi)],
        );
    }
    cond
}

fn get_inspection(c: &Connection, scope: &Scope, id: i64) -> Result<Inspection> {
    let mut cond = inspection_cond(scope);
    cond.push("i.id = ?", [Value::Integer(id)]);
    let found = c
        .prepare_cached(&format!(
            "SELECT {INSPECTION_COLS} FROM inspections i WHERE {}",
            cond.where_clause()
        ))?
        .query_row(params_from_iter(&cond.args), inspection_row)
        .optional()?;
    let mut items = vec![found.ok_or(StoreError::NotFound)?];
    fill_inspections(c, scope, &mut items)?;
    Ok(items.remove(0))
}

fn list_inspections(c: &Connection, scope: &Scope, page: PageReq) -> Result<Paged<Inspection>> {
    let cond = inspection_cond(scope);
    let mut paged = paged_by(
        c,
        "inspections i",
        INSPECTION_COLS,
        &cond,
        "i.held_on DESC, i.id DESC",
        page,
        inspection_row,
    )?;
    fill_inspections(c, scope, &mut paged.items)?;
    Ok(paged)
}

fn create_inspection(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    n: &NewInspection,
) -> Result<Inspection> {
    let orgs = target_orgs(tx, scope, "party_org_ids", &n.party_org_ids)?;
    tx.prepare_cached(
        "INSERT INTO inspections (title, kind, held_on, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![n.title, n.kind.as_str(), n.held_on.to_string(), super::now_text(), actor.user_id])?;
    let id = tx.last_insert_rowid();
    for (org, _) in &orgs {
        tx.prepare_cached(
            "INSERT INTO inspection_orgs (inspection_id, party_org_id) VALUES (?1, ?2)",
        )?
        .execute(params![id, org])?;
    }
    for (i, name) in n.team.iter().enumerate() {
        tx.prepare_cached(
            "INSERT INTO inspection_team (inspection_id, position, name) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![id, i as i64, name])?;
    }
    let after = get_inspection(tx, &Scope::All, id)?;
    audit(
        tx,
        actor,
        "create",
        "inspection",
        Some(id),
        None::<&()>,
        Some(&after),
    )?;
    get_inspection(tx, scope, id)
}

// ---------------------------------------------------------------- findings, rectifications

fn insert_finding(
    tx: &Transaction,
    actor: &Actor,
    f: &NewFinding,
    state: RectificationState,
    verified_on: Option<NaiveDate>,
    at: &str,
) -> Result<(i64, i64)> {
    tx.prepare_cached(
        "INSERT INTO findings (inspection_id, source, party_org_id, description, severity, found_on, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        f.inspection_id,
        f.source.as_str(),
        f.party_org_id,
        f.description,
        f.severity.as_str(),
        f.found_on.to_string(),
        at,
        actor.user_id
    ])?;
    let finding_id = tx.last_insert_rowid();
    let submitted = (state != RectificationState::Open).then_some(at);
    let verified = verified_on.map(|d| format!("{d}T10:00:00.000Z"));
    tx.prepare_cached(
        "INSERT INTO rectifications (finding_id, party_org_id, state, found_on, due_on, submitted_at, first_submitted_on, verified_at, verified_on, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, date(?6, '+8 hours'), ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        finding_id,
        f.party_org_id,
        state.as_str(),
        f.found_on.to_string(),
        f.due_on.to_string(),
        submitted,
        verified,
        verified_on.map(|d| d.to_string()),
        at
    ])?;
    Ok((finding_id, tx.last_insert_rowid()))
}

fn create_finding(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    f: &NewFinding,
    when: When,
) -> Result<Finding> {
    target_orgs(tx, scope, "party_org_id", &[f.party_org_id])?;
    if let Some(insp) = f.inspection_id {
        let member: Option<i64> = tx
            .prepare_cached(
                "SELECT 1 FROM inspection_orgs WHERE inspection_id = ?1 AND party_org_id = ?2",
            )?
            .query_row(params![insp, f.party_org_id], |r| r.get(0))
            .optional()?;
        if member.is_none() {
            return Err(FieldErrors::single("party_org_id", FieldError::NotFound).into());
        }
    }
    let (finding_id, rect_id) = insert_finding(
        tx,
        actor,
        f,
        RectificationState::Open,
        None,
        &instant_text(when.now),
    )?;
    let out = Finding {
        id: finding_id,
        inspection_id: f.inspection_id,
        source: f.source,
        party_org_id: f.party_org_id,
        description: f.description.clone(),
        severity: f.severity,
        found_on: f.found_on,
        due_on: f.due_on,
        rectification: RectificationRef {
            id: rect_id,
            state: RectificationState::Open,
        },
    };
    audit(
        tx,
        actor,
        "create",
        "finding",
        Some(finding_id),
        None::<&()>,
        Some(&out),
    )?;
    Ok(out)
}

const RECT_FROM: &str =
    "rectifications r JOIN findings f ON f.id = r.finding_id JOIN party_orgs o ON o.id = r.party_org_id";
const RECT_FROM_BY_ORG: &str =
    "party_orgs o CROSS JOIN rectifications r ON o.id = r.party_org_id JOIN findings f ON f.id = r.finding_id";

/// The `FROM` of a ledger for its sort.
fn from_for(sort: LedgerSort, plain: &'static str, by_org: &'static str) -> &'static str {
    if sort == LedgerSort::Org {
        by_org
    } else {
        plain
    }
}
const RECT_COLS: &str =
    "r.id, r.finding_id, r.party_org_id, f.description, f.severity, r.due_on, r.state, \
    r.submitted_at, r.verified_at, r.found_on, f.source, f.inspection_id, r.response, r.comment, \
    r.first_submitted_on";

fn rect_row(r: &Row, today: NaiveDate) -> rusqlite::Result<Rectification> {
    let state = parse_code(&r.get::<_, String>(6)?, RectificationState::parse)?;
    let due_on = date(r.get(5)?)?;
    let first_submitted_on = opt_date(r.get(14)?)?;
    Ok(Rectification {
        id: r.get(0)?,
        finding_id: r.get(1)?,
        party_org_id: r.get(2)?,
        description: r.get(3)?,
        severity: parse_code(&r.get::<_, String>(4)?, Severity::parse)?,
        due_on,
        state,
        overdue: w::overdue(state.is_final(), due_on, today),
        late: w::late(first_submitted_on, due_on, today),
        first_submitted_on,
        submitted_at: opt_instant(r.get(7)?)?,
        verified_at: opt_instant(r.get(8)?)?,
        found_on: date(r.get(9)?)?,
        source: parse_code(&r.get::<_, String>(10)?, FindingSource::parse)?,
        inspection_id: r.get(11)?,
        response: r.get(12)?,
        comment: r.get(13)?,
    })
}

fn rect_cond(scope: &Scope, f: &RectificationFilter, today: NaiveDate) -> Cond {
    let mut cond = scoped("r.deleted_at IS NULL AND f.deleted_at IS NULL", scope);
    if let Some(o) = f.party_org_id {
        cond.push("r.party_org_id = ?", [Value::Integer(o)]);
    }
    if let Some(i) = f.inspection_id {
        cond.push("f.inspection_id = ?", [Value::Integer(i)]);
    }
    if let Some(s) = f.state {
        cond.push("r.state = ?", [Value::Text(s.as_str().into())]);
    }
    if let Some(s) = f.severity {
        cond.push("f.severity = ?", [Value::Text(s.as_str().into())]);
    }
    overdue_cond(&mut cond, "r", "verified", f.overdue, today);
    period(&mut cond, "r.found_on", f.from, f.to);
    cond
}

fn list_rectifications(
    c: &Connection,
    scope: &Scope,
    f: &RectificationFilter,
    today: NaiveDate,
    page: PageReq,
) -> Result<Paged<Rectification>> {
    let cond = rect_cond(scope, f, today);
    paged_by(
        c,
        from_for(f.sort, RECT_FROM, RECT_FROM_BY_ORG),
        RECT_COLS,
        &cond,
        &order_of(f.sort, "r"),
        page,
        |r| rect_row(r, today),
    )
}

fn export_rectifications(
    c: &Connection,
    scope: &Scope,
    f: &RectificationFilter,
    today: NaiveDate,
) -> Result<Vec<(Rectification, String)>> {
    let cond = rect_cond(scope, f, today);
    let rows = c
        .prepare(&format!(
            "SELECT {RECT_COLS}, o.name FROM {} WHERE {} ORDER BY {}",
            from_for(f.sort, RECT_FROM, RECT_FROM_BY_ORG),
            cond.where_clause(),
            order_of(f.sort, "r")
        ))?
        .query_map(params_from_iter(&cond.args), |r| {
            Ok((rect_row(r, today)?, r.get(15)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

fn rect_in_scope(
    c: &Connection,
    scope: &Scope,
    id: i64,
    today: NaiveDate,
) -> Result<Rectification> {
    let found = c
        .prepare_cached(&format!(
            "SELECT {RECT_COLS}, o.path FROM {RECT_FROM} WHERE r.id = ?1 AND r.deleted_at IS NULL AND f.deleted_at IS NULL"
        ))?
        .query_row([id], |r| Ok((rect_row(r, today)?, r.get::<_, String>(15)?)))
        .optional()?;
    match found {
        Some((x, p)) if in_scope(scope, Some(&p)) => Ok(x),
        _ => Err(StoreError::NotFound),
    }
}

fn rect_event(
    tx: &Transaction,
    id: i64,
    action: &str,
    text: Option<&str>,
    at: &str,
    actor: &Actor,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO rectification_events (rectification_id, action, text, at, actor) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![id, action, text, at, actor.username])?;
    Ok(())
}

fn submit(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    response: Option<&str>,
    when: When,
) -> Result<Rectification> {
    let before = rect_in_scope(tx, scope, id, when.today)?;
    let next = before.state.next(Ev::Submit).map_err(state_conflict)?;
    let at = instant_text(when.now);
    tx.prepare_cached(
        "UPDATE rectifications SET state = ?1, response = ?2, submitted_at = ?3, updated_at = ?3,
         first_submitted_on = coalesce(first_submitted_on, ?5) WHERE id = ?4",
    )?
    .execute(params![
        next.as_str(),
        response,
        at,
        id,
        when.today.to_string()
    ])?;
    rect_event(tx, id, "submit", response, &at, actor)?;
    let after = rect_in_scope(tx, &Scope::All, id, when.today)?;
    audit(
        tx,
        actor,
        "update",
        "rectification",
        Some(id),
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

fn verify(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    decision: VerifyDecision,
    comment: Option<&str>,
    when: When,
) -> Result<Rectification> {
    let before = rect_in_scope(tx, scope, id, when.today)?;
    let next = before
        .state
        .next(Ev::Verify(decision))
        .map_err(state_conflict)?;
    let at = instant_text(when.now);
    match decision {
        VerifyDecision::Verify => tx
            .prepare_cached(
                "UPDATE rectifications SET state = ?1, comment = ?2, verified_at = ?3, verified_on = ?4, updated_at = ?3 WHERE id = ?5",
            )?
            .execute(params![next.as_str(), comment, at, when.today.to_string(), id])?,
        VerifyDecision::Return => tx
            .prepare_cached("UPDATE rectifications SET state = ?1, comment = ?2, updated_at = ?3 WHERE id = ?4")?
            .execute(params![next.as_str(), comment, at, id])?,
    };
    rect_event(tx, id, decision.as_str(), comment, &at, actor)?;
    let after = rect_in_scope(tx, &Scope::All, id, when.today)?;
    audit(
        tx,
        actor,
        "update",
        "rectification",
        Some(id),
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

fn rectification_events(c: &Connection, id: i64) -> Result<Vec<RectificationEvent>> {
    Ok(c
        .prepare_cached("SELECT action, text, at, actor FROM rectification_events WHERE rectification_id = ?1 ORDER BY id")?
        .query_map([id], |r| {
            Ok(RectificationEvent {
                action: r.get(0)?,
                text: r.get(1)?,
                at: parse_instant(&r.get::<_, String>(2)?)?,
                actor: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Counts by SQL aggregate; the median from the verified rows' day counts, sorted in Rust.
fn rectification_stats(
    c: &Connection,
    scope: &Scope,
    year: Option<i32>,
    today: NaiveDate,
) -> Result<RectStats> {
    super::memo(
        format!("rect_stats\u{1f}{scope:?}\u{1f}{year:?}\u{1f}{today}"),
        || {
            let (from, mut cond) = match scope {
                Scope::All => ("rectifications r", Cond::new("r.deleted_at IS NULL")),
                Scope::Subtree { .. } => (
                    "rectifications r JOIN party_orgs o ON o.id = r.party_org_id",
                    scoped("r.deleted_at IS NULL", scope),
                ),
            };
            if let Some(y) = year {
                cond.push(
                    "r.found_on >= ? AND r.found_on < ?",
                    [
                        Value::Text(format!("{y:04}-01-01")),
                        Value::Text(format!("{:04}-01-01", y + 1)),
                    ],
                );
            }
            let w = cond.where_clause();
            let mut args = vec![Value::Text(today.to_string())];
            args.extend(cond.args.iter().cloned());
            let mut s = RectStats::default();
            let mut st = c.prepare_cached(&format!(
            "SELECT r.state, count(*), sum(r.state <> 'verified' AND r.due_on < ?) FROM {from} WHERE {w} GROUP BY r.state"
        ))?;
            for row in st.query_map(params_from_iter(&args), |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })? {
                let (state, n, overdue) = row?;
                if let Some(state) = RectificationState::parse(&state) {
                    s.add_state(state, n);
                }
                s.overdue += overdue;
            }
            let mut on_time = 0;
            let mut days = Vec::with_capacity(s.verified as usize);
            let mut st = c.prepare_cached(&format!(
            "SELECT CAST(julianday(r.verified_on) - julianday(r.found_on) AS INTEGER), r.verified_on <= r.due_on
             FROM {from} WHERE {w} AND r.state = 'verified' AND r.verified_on IS NOT NULL"
        ))?;
            for row in st.query_map(params_from_iter(&cond.args), |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?))
            })? {
                let (d, ok) = row?;
                days.push(d);
                on_time += i64::from(ok);
            }
            s.close_figures(on_time, days);
            Ok(s)
        },
    )
}

fn bulk_work(
    tx: &Transaction,
    actor: &Actor,
    tasks: &[(NewTask, Vec<BulkAssignment>)],
    findings: &[BulkFinding],
    when: When,
) -> Result<()> {
    let at = instant_text(when.now);
    for (t, assignments) in tasks {
        let id = insert_task(tx, actor, t)?;
        for a in assignments {
            let reported = (a.state != AssignmentState::Assigned).then_some(at.as_str());
            insert_assignment(
                tx,
                id,
                a.party_org_id,
                a.state,
                t.due_on,
                a.progress,
                reported,
            )?;
            if a.state != AssignmentState::Assigned {
                let aid = tx.last_insert_rowid();
                let decision = match a.state {
                    AssignmentState::Accepted => Some("accept"),
                    AssignmentState::Returned => Some("return"),
                    _ => None,
                };
                tx.prepare_cached(
                    "INSERT INTO progress_reports (assignment_id, progress, text, reported_at, reported_by, decision, reviewed_at, reviewed_by)
                     VALUES (?1, ?2, '', ?3, ?4, ?5, CASE WHEN ?5 IS NULL THEN NULL ELSE ?3 END, CASE WHEN ?5 IS NULL THEN NULL ELSE ?4 END)",
                )?
                .execute(params![aid, a.progress, at, actor.username, decision])?;
            }
        }
    }
    for f in findings {
        insert_finding(tx, actor, &f.finding, f.state, f.verified_on, &at)?;
    }
    let summary = serde_json::json!({"tasks": tasks.len(), "assignments": tasks.iter().map(|t| t.1.len()).sum::<usize>(), "findings": findings.len()});
    audit(
        tx,
        actor,
        "create",
        "bulk_work",
        None,
        None::<&()>,
        Some(&summary),
    )
}

// ---------------------------------------------------------------- evidence

/// The owner exists and lies in scope (`NotFound` otherwise).
/// The owner in scope (else `NotFound`); `Ok(true)` when it is closed (accepted, verified).
fn owner_in_scope(c: &Connection, scope: &Scope, owner: AttachmentOwner, id: i64) -> Result<bool> {
    match owner {
        AttachmentOwner::Assignment => {
            assignment_in_scope(c, scope, id, NaiveDate::default()).map(|a| a.state.is_final())
        }
        AttachmentOwner::Rectification => {
            rect_in_scope(c, scope, id, NaiveDate::default()).map(|r| r.state.is_final())
        }
    }
}

const WORK_ATTACHMENT_COLS: &str =
    "id, owner, owner_id, file_name, content_type, size, sha256, created_at";

fn work_attachment_row(r: &Row) -> rusqlite::Result<WorkAttachment> {
    let owner: String = r.get(1)?;
    Ok(WorkAttachment {
        id: r.get(0)?,
        owner: if owner == "assignment" {
            AttachmentOwner::Assignment
        } else {
            AttachmentOwner::Rectification
        },
        owner_id: r.get(2)?,
        file_name: r.get(3)?,
        content_type: r.get(4)?,
        size: r.get(5)?,
        sha256: r.get(6)?,
        created_at: parse_instant(&r.get::<_, String>(7)?)?,
    })
}

fn add_work_attachment(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    owner: AttachmentOwner,
    owner_id: i64,
    a: &crate::life::NewAttachment,
) -> Result<WorkAttachment> {
    // A closed record is final: its evidence too.
    if owner_in_scope(tx, scope, owner, owner_id)? {
        return Err(StoreError::Conflict("state"));
    }
    tx.prepare_cached(
        "INSERT INTO attachments (owner, owner_id, file_name, content_type, size, sha256, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![owner.as_str(), owner_id, a.file_name, a.content_type, a.size, a.sha256, super::now_text(), actor.user_id])?;
    let id = tx.last_insert_rowid();
    let after = get_work_attachment(tx, &Scope::All, owner, owner_id, id)?;
    audit(
        tx,
        actor,
        "create",
        "attachment",
        Some(id),
        None::<&()>,
        Some(&after),
    )?;
    Ok(after)
}

fn list_work_attachments(
    c: &Connection,
    scope: &Scope,
    owner: AttachmentOwner,
    owner_id: i64,
) -> Result<Vec<WorkAttachment>> {
    owner_in_scope(c, scope, owner, owner_id)?;
    Ok(c
        .prepare_cached(&format!(
            "SELECT {WORK_ATTACHMENT_COLS} FROM attachments WHERE owner = ?1 AND owner_id = ?2 AND deleted_at IS NULL ORDER BY id"
        ))?
        .query_map(params![owner.as_str(), owner_id], work_attachment_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

fn get_work_attachment(
    c: &Connection,
    scope: &Scope,
    owner: AttachmentOwner,
    owner_id: i64,
    id: i64,
) -> Result<WorkAttachment> {
    owner_in_scope(c, scope, owner, owner_id)?;
    c.prepare_cached(&format!(
        "SELECT {WORK_ATTACHMENT_COLS} FROM attachments WHERE id = ?1 AND owner = ?2 AND owner_id = ?3 AND deleted_at IS NULL"
    ))?
    .query_row(params![id, owner.as_str(), owner_id], work_attachment_row)
    .optional()?
    .ok_or(StoreError::NotFound)
}

#[async_trait]
impl WorkStore for SqliteStore {
    async fn add_work_attachment(
        &self,
        actor: &Actor,
        scope: &Scope,
        owner: AttachmentOwner,
        owner_id: i64,
        a: &crate::life::NewAttachment,
    ) -> Result<WorkAttachment> {
        let (actor, scope, a) = (actor.clone(), scope.clone(), a.clone());
        self.write(move |tx, _| add_work_attachment(tx, &actor, &scope, owner, owner_id, &a))
            .await
    }
    async fn list_work_attachments(
        &self,
        scope: &Scope,
        owner: AttachmentOwner,
        owner_id: i64,
    ) -> Result<Vec<WorkAttachment>> {
        let scope = scope.clone();
        self.read(move |c, _| list_work_attachments(c, &scope, owner, owner_id))
            .await
    }
    async fn get_work_attachment(
        &self,
        scope: &Scope,
        owner: AttachmentOwner,
        owner_id: i64,
        id: i64,
    ) -> Result<WorkAttachment> {
        let scope = scope.clone();
        self.read(move |c, _| get_work_attachment(c, &scope, owner, owner_id, id))
            .await
    }
    async fn import_plan(&self, actor: &Actor, plan: NewPlan) -> Result<WorkPlan> {
        let actor = actor.clone();
        self.write(move |tx, _| import_plan(tx, &actor, &plan))
            .await
    }
    async fn list_plans(&self, page: PageReq) -> Result<Paged<PlanSummary>> {
        self.read(move |c, _| list_plans(c, page)).await
    }
    async fn get_plan(&self, id: i64) -> Result<WorkPlan> {
        self.read(move |c, _| load_plan(c, id)).await
    }
    async fn plan_progress(
        &self,
        scope: &Scope,
        plan_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<ItemProgress>> {
        let scope = scope.clone();
        self.read(move |c, _| plan_progress(c, &scope, plan_id, today))
            .await
    }
    async fn create_task(&self, actor: &Actor, scope: &Scope, t: NewTask) -> Result<Task> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| create_task(tx, &actor, &scope, &t))
            .await
    }
    async fn get_task(&self, scope: &Scope, id: i64) -> Result<Task> {
        let scope = scope.clone();
        self.read(move |c, _| get_task(c, &scope, id)).await
    }
    async fn list_tasks(&self, scope: &Scope, page: PageReq) -> Result<Paged<Task>> {
        let scope = scope.clone();
        self.read(move |c, _| list_tasks(c, &scope, page)).await
    }
    async fn list_assignments(
        &self,
        scope: &Scope,
        f: &AssignmentFilter,
        today: NaiveDate,
        page: PageReq,
    ) -> Result<Paged<Assignment>> {
        let (scope, f) = (scope.clone(), f.clone());
        self.read(move |c, _| list_assignments(c, &scope, &f, today, page))
            .await
    }
    async fn export_assignments(
        &self,
        scope: &Scope,
        f: &AssignmentFilter,
        today: NaiveDate,
    ) -> Result<Vec<(Assignment, String)>> {
        let (scope, f) = (scope.clone(), f.clone());
        self.read(move |c, _| export_assignments(c, &scope, &f, today))
            .await
    }
    async fn get_assignment(&self, scope: &Scope, id: i64, today: NaiveDate) -> Result<Assignment> {
        let scope = scope.clone();
        self.read(move |c, _| assignment_in_scope(c, &scope, id, today))
            .await
    }
    async fn assignment_reports(&self, scope: &Scope, id: i64) -> Result<Vec<ProgressReport>> {
        let scope = scope.clone();
        self.read(move |c, _| {
            assignment_in_scope(c, &scope, id, NaiveDate::default())?;
            assignment_reports(c, id)
        })
        .await
    }
    async fn report(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        r: NewReport,
        when: When,
    ) -> Result<ProgressReport> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| report(tx, &actor, &scope, id, &r, when))
            .await
    }
    async fn review(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        decision: ReviewDecision,
        comment: Option<String>,
        when: When,
    ) -> Result<Assignment> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| review(tx, &actor, &scope, id, decision, comment.as_deref(), when))
            .await
    }
    async fn assignment_stats(&self, scope: &Scope, today: NaiveDate) -> Result<AssignmentStats> {
        let scope = scope.clone();
        self.read(move |c, _| assignment_stats(c, &scope, today))
            .await
    }
    async fn create_inspection(
        &self,
        actor: &Actor,
        scope: &Scope,
        i: NewInspection,
    ) -> Result<Inspection> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| create_inspection(tx, &actor, &scope, &i))
            .await
    }
    async fn list_inspections(&self, scope: &Scope, page: PageReq) -> Result<Paged<Inspection>> {
        let scope = scope.clone();
        self.read(move |c, _| list_inspections(c, &scope, page))
            .await
    }
    async fn get_inspection(&self, scope: &Scope, id: i64) -> Result<Inspection> {
        let scope = scope.clone();
        self.read(move |c, _| get_inspection(c, &scope, id)).await
    }
    async fn create_finding(
        &self,
        actor: &Actor,
        scope: &Scope,
        f: NewFinding,
        when: When,
    ) -> Result<Finding> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| create_finding(tx, &actor, &scope, &f, when))
            .await
    }
    async fn list_rectifications(
        &self,
        scope: &Scope,
        f: &RectificationFilter,
        today: NaiveDate,
        page: PageReq,
    ) -> Result<Paged<Rectification>> {
        let (scope, f) = (scope.clone(), f.clone());
        self.read(move |c, _| list_rectifications(c, &scope, &f, today, page))
            .await
    }
    async fn export_rectifications(
        &self,
        scope: &Scope,
        f: &RectificationFilter,
        today: NaiveDate,
    ) -> Result<Vec<(Rectification, String)>> {
        let (scope, f) = (scope.clone(), f.clone());
        self.read(move |c, _| export_rectifications(c, &scope, &f, today))
            .await
    }
    async fn get_rectification(
        &self,
        scope: &Scope,
        id: i64,
        today: NaiveDate,
    ) -> Result<Rectification> {
        let scope = scope.clone();
        self.read(move |c, _| rect_in_scope(c, &scope, id, today))
            .await
    }
    async fn rectification_events(
        &self,
        scope: &Scope,
        id: i64,
    ) -> Result<Vec<RectificationEvent>> {
        let scope = scope.clone();
        self.read(move |c, _| {
            rect_in_scope(c, &scope, id, NaiveDate::default())?;
            rectification_events(c, id)
        })
        .await
    }
    async fn submit_rectification(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        response: Option<String>,
        when: When,
    ) -> Result<Rectification> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| submit(tx, &actor, &scope, id, response.as_deref(), when))
            .await
    }
    async fn verify_rectification(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        decision: VerifyDecision,
        comment: Option<String>,
        when: When,
    ) -> Result<Rectification> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| verify(tx, &actor, &scope, id, decision, comment.as_deref(), when))
            .await
    }
    async fn rectification_stats(
        &self,
        scope: &Scope,
        year: Option<i32>,
        today: NaiveDate,
    ) -> Result<RectStats> {
        let scope = scope.clone();
        self.read(move |c, _| rectification_stats(c, &scope, year, today))
            .await
    }
    async fn bulk_work(
        &self,
        actor: &Actor,
        tasks: Vec<(NewTask, Vec<BulkAssignment>)>,
        findings: Vec<BulkFinding>,
        when: When,
    ) -> Result<()> {
        let actor = actor.clone();
        self.write(move |tx, _| bulk_work(tx, &actor, &tasks, &findings, when))
            .await
    }
}
