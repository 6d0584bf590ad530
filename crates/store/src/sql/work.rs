//! `WorkStore` for SQLite: M3 work plans, tasks and assignments; M4 inspections, findings
//! and rectifications. Lists join `party_orgs o` so the scope is a range on `o.path`.

use std::collections::HashMap;

use super::db::Value;
use super::db::{params_from_iter, Connection, OptionalExtension, Transaction};
use crate::params;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::work::{
    self as w, AssignmentState, NewFinding, NewInspection, NewReport, NewTask, RectStats,
    ReviewDecision, VerifyDecision,
};

use super::registry::{paged_by, target_org, Cond};
use super::{audit, parse_instant, SqlStore};
use crate::work::*;
use crate::{Actor, PageReq, Paged, Result, Scope, StoreError};

use super::{work_supervision::*, work_tasks::*};

pub(super) fn date(s: String) -> crate::Result<NaiveDate> {
    super::parse_date(Some(s)).map(|d| d.unwrap_or_default())
}

pub(super) fn opt_date(s: Option<String>) -> crate::Result<Option<NaiveDate>> {
    super::parse_date(s)
}

pub(super) fn opt_instant(s: Option<String>) -> crate::Result<Option<DateTime<Utc>>> {
    s.map(|s| parse_instant(&s)).transpose()
}

pub(super) fn instant_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub(super) fn state_conflict(_: w::Refused) -> StoreError {
    StoreError::Conflict("state")
}

/// Adds the scope (a range on `o.path`) to a condition.
pub(super) fn scoped(base: &str, scope: &Scope) -> Cond {
    let mut cond = Cond::new(base);
    if let Scope::Subtree { path, .. } = scope {
        cond.org_subtree(path);
    }
    cond
}

/// Resolves the orgs a task or inspection names: unknown → 422 on `field`, outside the
/// caller's scope → 403. Returns `(id, path)` in the order given.
pub(super) fn target_orgs(
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

pub(super) fn load_plan(c: &Connection, id: i64) -> Result<WorkPlan> {
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
        .collect::<crate::Result<_>>()?;
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
        .collect::<crate::Result<_>>()?;
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

pub(super) fn import_plan(tx: &Transaction, actor: &Actor, p: &NewPlan) -> Result<WorkPlan> {
    tx.prepare_cached(
        "INSERT INTO work_plans (title, year, source_text, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![p.title, p.year, p.source_text, super::now_text(), actor.user_id])?;
    let plan_id = tx.last_insert_rowid()?;
    let mut position = 0;
    for (si, s) in p.parsed.sections.iter().enumerate() {
        tx.prepare_cached(
            "INSERT INTO work_sections (plan_id, position, no, title) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![plan_id, si as i64, s.no, s.title])?;
        let section_id = tx.last_insert_rowid()?;
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

pub(super) fn update_plan(
    tx: &Transaction,
    actor: &Actor,
    id: i64,
    e: &PlanEdit,
) -> Result<WorkPlan> {
    let before = load_plan(tx, id)?;
    tx.prepare_cached(
        "UPDATE work_plans SET title = ?1, year = ?2 WHERE id = ?3 AND deleted_at IS NULL",
    )?
    .execute(params![e.title, e.year, id])?;
    let after = load_plan(tx, id)?;
    let head = |p: &WorkPlan| serde_json::json!({"title": p.title, "year": p.year});
    audit(
        tx,
        actor,
        "update",
        "work_plan",
        Some(id),
        Some(&head(&before)),
        Some(&head(&after)),
    )?;
    Ok(after)
}

pub(super) fn delete_plan(tx: &Transaction, actor: &Actor, id: i64) -> Result<()> {
    let plan = load_plan(tx, id)?;
    let tasks: i64 = tx
        .prepare_cached(
            "SELECT count(*) FROM tasks t JOIN work_items i ON i.id = t.work_item_id
             WHERE i.plan_id = ?1 AND t.deleted_at IS NULL",
        )?
        .query_row([id], |r| r.get(0))?;
    if tasks > 0 {
        return Err(StoreError::InUse("tasks"));
    }
    tx.prepare_cached(
        "UPDATE work_plans SET deleted_at = ?1, deleted_by = ?2 WHERE id = ?3 AND deleted_at IS NULL",
    )?
    .execute(params![super::now_text(), actor.user_id, id])?;
    audit(
        tx,
        actor,
        "delete",
        "work_plan",
        Some(id),
        Some(&plan),
        None::<&()>,
    )
}

pub(super) fn next_bulletin_no(c: &Connection, code: &str, year: i32) -> Result<i64> {
    c.prepare_cached(
        "SELECT coalesce(max(no), 0) + 1 FROM bulletin_numbers WHERE code = ?1 AND year = ?2",
    )?
    .query_row(params![code, year], |r| r.get(0))
}

pub(super) fn take_bulletin_no(tx: &Transaction, actor: &Actor, b: &BulletinNo) -> Result<i64> {
    let no = match b.no {
        Some(n) => {
            let taken: Option<(String, String)> = tx
                .prepare_cached(
                    "SELECT kind, title FROM bulletin_numbers WHERE code = ?1 AND year = ?2 AND no = ?3",
                )?
                .query_row(params![b.code, b.year, n], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            match taken {
                // The same bulletin made again keeps its number.
                Some((kind, title)) if kind == b.kind && title == b.title => return Ok(n),
                Some(_) => return Err(StoreError::Conflict("doc_no")),
                None => n,
            }
        }
        None => next_bulletin_no(tx, &b.code, b.year)?,
    };
    tx.prepare_cached(
        "INSERT INTO bulletin_numbers (code, year, no, kind, title, issued_at, issued_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![b.code, b.year, no, b.kind, b.title, super::now_text(), actor.user_id])?;
    let id = tx.last_insert_rowid()?;
    let after = serde_json::json!({"code": b.code, "year": b.year, "no": no, "kind": b.kind, "title": b.title});
    audit(
        tx,
        actor,
        "create",
        "bulletin",
        Some(id),
        None::<&()>,
        Some(&after),
    )?;
    Ok(no)
}

pub(super) fn list_plans(c: &Connection, page: PageReq) -> Result<Paged<PlanSummary>> {
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

pub(super) fn plan_progress(
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
                count(*) FILTER (WHERE a.state <> 'accepted' AND a.due_on < ?), sum(a.progress)
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

pub(super) fn add_assignment_state(s: &mut AssignmentStats, state: &str, n: i64, overdue: i64) {
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

#[async_trait]
impl WorkStore for SqlStore {
    async fn import_plan(&self, actor: &Actor, plan: NewPlan) -> Result<WorkPlan> {
        let actor = actor.clone();
        self.write(move |tx, _| import_plan(tx, &actor, &plan))
            .await
    }
    async fn list_plans(&self, page: PageReq) -> Result<Paged<PlanSummary>> {
        self.read(move |c, _| list_plans(c, page)).await
    }
    async fn update_plan(&self, actor: &Actor, id: i64, edit: PlanEdit) -> Result<WorkPlan> {
        let actor = actor.clone();
        self.write(move |tx, _| update_plan(tx, &actor, id, &edit))
            .await
    }
    async fn delete_plan(&self, actor: &Actor, id: i64) -> Result<()> {
        let actor = actor.clone();
        self.write(move |tx, _| delete_plan(tx, &actor, id)).await
    }
    async fn next_bulletin_no(&self, code: &str, year: i32) -> Result<i64> {
        let code = code.to_string();
        self.read(move |c, _| next_bulletin_no(c, &code, year))
            .await
    }
    async fn take_bulletin_no(&self, actor: &Actor, b: BulletinNo) -> Result<i64> {
        let actor = actor.clone();
        self.write(move |tx, _| take_bulletin_no(tx, &actor, &b))
            .await
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
