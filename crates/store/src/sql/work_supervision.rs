//! `WorkStore` for SQLite, M4: inspections, findings, rectifications, their ledger and figures.

use super::db::Value;
use super::db::{params_from_iter, Connection, OptionalExtension, Row, Transaction};
use crate::params;
use chrono::NaiveDate;
use domain::work::{
    self as w, AssignmentState, FindingSource, InspectionKind, NewFinding, NewInspection, NewTask,
    RectStats, RectificationEvent as Ev, RectificationState, Severity, VerifyDecision,
};
use domain::{FieldError, FieldErrors};

use super::ledger::{Common, RECTIFICATION_TABLE};
use super::registry::{in_scope, paged_by, Cond};
use super::{audit, parse_code};
use crate::work::*;
use crate::{Actor, PageReq, Paged, Result, Scope, StoreError};

use super::{work::*, work_tasks::*};

// ---------------------------------------------------------------- inspections

pub(super) const INSPECTION_COLS: &str = "i.id, i.title, i.kind, i.held_on";

pub(super) fn inspection_row(r: &Row) -> crate::Result<Inspection> {
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
pub(super) fn fill_inspections(
    c: &Connection,
    scope: &Scope,
    items: &mut [Inspection],
) -> Result<()> {
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
            .collect::<crate::Result<Vec<String>>>()?;
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

pub(super) fn inspection_cond(scope: &Scope) -> Cond {
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

pub(super) fn get_inspection(c: &Connection, scope: &Scope, id: i64) -> Result<Inspection> {
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

pub(super) fn list_inspections(
    c: &Connection,
    scope: &Scope,
    page: PageReq,
) -> Result<Paged<Inspection>> {
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

pub(super) fn create_inspection(
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
    let id = tx.last_insert_rowid()?;
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

pub(super) fn insert_finding(
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
    let finding_id = tx.last_insert_rowid()?;
    let submitted = (state != RectificationState::Open).then_some(at);
    let verified = verified_on.map(|d| format!("{d}T10:00:00.000Z"));
    tx.prepare_cached(
        "INSERT INTO rectifications (finding_id, party_org_id, state, found_on, due_on, submitted_at, first_submitted_on, verified_at, verified_on, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    )?
    .execute(params![
        finding_id,
        f.party_org_id,
        state.as_str(),
        f.found_on.to_string(),
        f.due_on.to_string(),
        submitted,
        submitted.and_then(super::utc8_date),
        verified,
        verified_on.map(|d| d.to_string()),
        at
    ])?;
    Ok((finding_id, tx.last_insert_rowid()?))
}

pub(super) fn create_finding(
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

pub(super) const RECT_FROM: &str = RECTIFICATION_TABLE.from;

pub(super) const RECT_COLS: &str =
    "r.id, r.finding_id, r.party_org_id, f.description, f.severity, r.due_on, r.state, \
    r.submitted_at, r.verified_at, r.found_on, f.source, f.inspection_id, r.response, r.comment, \
    r.first_submitted_on";

pub(super) fn rect_row(r: &Row, today: NaiveDate) -> crate::Result<Rectification> {
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
        overdue: domain::ledger::LedgerState::overdue(state, due_on, today),
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

pub(super) fn rect_cond(scope: &Scope, f: &RectificationFilter, today: NaiveDate) -> Cond {
    let common = Common {
        party_org_id: f.party_org_id,
        under: f.under,
        state: f.state.map(RectificationState::as_str),
        overdue: f.overdue,
        late: f.late,
        from: f.from,
        to: f.to,
        period_col: "r.found_on",
    };
    let mut cond = RECTIFICATION_TABLE.cond(scope, common, today);
    if let Some(i) = f.inspection_id {
        cond.push("f.inspection_id = ?", [Value::Integer(i)]);
    }
    if let Some(d) = f.due_from {
        cond.push("r.due_on >= ?", [Value::Text(d.to_string())]);
    }
    if let Some(d) = f.due_to {
        cond.push("r.due_on <= ?", [Value::Text(d.to_string())]);
    }
    if let Some(s) = f.severity {
        cond.push("f.severity = ?", [Value::Text(s.as_str().into())]);
    }
    cond
}

pub(super) fn list_rectifications(
    c: &Connection,
    scope: &Scope,
    f: &RectificationFilter,
    today: NaiveDate,
    page: PageReq,
) -> Result<Paged<Rectification>> {
    let cond = rect_cond(scope, f, today);
    RECTIFICATION_TABLE.list(c, &cond, RECT_COLS, f.sort.unwrap_or_default(), page, |r| {
        rect_row(r, today)
    })
}

pub(super) fn export_rectifications(
    c: &Connection,
    scope: &Scope,
    f: &RectificationFilter,
    today: NaiveDate,
) -> Result<Vec<(Rectification, String)>> {
    let cond = rect_cond(scope, f, today);
    RECTIFICATION_TABLE.export(c, &cond, RECT_COLS, 15, f.sort.unwrap_or_default(), |r| {
        rect_row(r, today)
    })
}

pub(super) fn rect_in_scope(
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

pub(super) fn rect_event(
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

pub(super) fn submit(
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

pub(super) fn verify(
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

/// Counts by SQL aggregate; the median from the verified rows' day counts, sorted in Rust.
pub(super) fn rectification_stats(
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
            "SELECT r.state, count(*), count(*) FILTER (WHERE r.state <> 'verified' AND r.due_on < ?) FROM {from} WHERE {w} GROUP BY r.state"
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
                "SELECT r.found_on, r.verified_on, r.verified_on <= r.due_on
             FROM {from} WHERE {w} AND r.state = 'verified' AND r.verified_on IS NOT NULL"
            ))?;
            for row in st.query_map(params_from_iter(&cond.args), |r| {
                let found = date(r.get(0)?)?;
                let verified = date(r.get(1)?)?;
                Ok(((verified - found).num_days(), r.get::<_, bool>(2)?))
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

pub(super) fn bulk_work(
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
                let aid = tx.last_insert_rowid()?;
                let decision = match a.state {
                    AssignmentState::Accepted => Some("accept"),
                    AssignmentState::Returned => Some("return"),
                    _ => None,
                };
                tx.prepare_cached(
                    "INSERT INTO progress_reports (assignment_id, progress, text, reported_at, reported_by, decision, reviewed_at, reviewed_by)
                     VALUES (?1, ?2, '', ?3, ?4, ?5, CASE WHEN CAST(?5 AS TEXT) IS NULL THEN NULL ELSE ?3 END, CASE WHEN CAST(?5 AS TEXT) IS NULL THEN NULL ELSE ?4 END)",
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
