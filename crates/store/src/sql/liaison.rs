//! `LiaisonStore`: M9's liaisons, visits, research reports and typical cases. Lists join
//! `party_orgs o` so the scope is a range on `o.path`, and name the users and orgs they
//! refer to.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use domain::liaison::{
    self as l, CaseCategory, NewCase, NewLiaison, NewResearchReport, NewVisit, VisitKind,
};
use domain::{FieldError, FieldErrors};

use super::db::{params_from_iter, Connection, OptionalExtension, Row, Transaction, Value};
use super::registry::{in_scope, paged_by, target_org, Cond};
use super::work::{opt_date, scoped};
use super::{audit, like_contains, now_text, parse_code, SqlStore};
use crate::liaison::*;
use crate::params;
use crate::{Actor, PageReq, Paged, Result, Scope, StoreError};

fn invalid(field: &str, e: FieldError) -> StoreError {
    StoreError::Invalid(FieldErrors::single(field, e))
}

/// The user exists and has one of `roles` (`Invalid` on `field` otherwise).
fn user_of_role(
    c: &Connection,
    field: &str,
    id: i64,
    roles: &'static [&'static str],
) -> Result<()> {
    let role: Option<String> = c
        .prepare_cached("SELECT role FROM users WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    match role {
        None => Err(invalid(field, FieldError::NotFound)),
        Some(r) if !roles.contains(&r.as_str()) => Err(invalid(
            field,
            FieldError::WrongRole {
                allowed: roles.to_vec(),
            },
        )),
        Some(_) => Ok(()),
    }
}

const COMMITTEE: &[&str] = &["committee"];
const VISITORS: &[&str] = &["committee", "admin"];

fn day(d: NaiveDate) -> Value {
    Value::Text(d.to_string())
}

/// `since ≤ today ≤ coalesce(until, …)` on the liaison alias `l`.
const CURRENT: &str = "l.since <= ? AND coalesce(l.until, '9999-12-31') >= ?";

// ---------------------------------------------------------------- liaisons

const LIAISON_COLS: &str = "l.id, l.user_id, u.username, l.party_org_id, o.name, l.since, l.until, \
    (SELECT max(v.held_on) FROM visits v WHERE v.user_id = l.user_id AND v.party_org_id = l.party_org_id \
     AND v.deleted_at IS NULL)";
const LIAISON_FROM: &str =
    "liaisons l JOIN users u ON u.id = l.user_id JOIN party_orgs o ON o.id = l.party_org_id";

fn liaison_row(r: &Row, today: NaiveDate) -> crate::Result<Liaison> {
    let since = opt_date(Some(r.get(5)?))?.unwrap_or_default();
    let until = opt_date(r.get(6)?)?;
    Ok(Liaison {
        id: r.get(0)?,
        user_id: r.get(1)?,
        username: r.get(2)?,
        party_org_id: r.get(3)?,
        party_org_name: r.get(4)?,
        since,
        until,
        current: l::is_current(since, until, today),
        last_visit_on: opt_date(r.get(7)?)?,
    })
}

fn get_liaison(c: &Connection, scope: &Scope, id: i64, today: NaiveDate) -> Result<Liaison> {
    let mut cond = scoped("l.deleted_at IS NULL AND o.deleted_at IS NULL", scope);
    cond.push("l.id = ?", [Value::Integer(id)]);
    c.prepare_cached(&format!(
        "SELECT {LIAISON_COLS} FROM {LIAISON_FROM} WHERE {}",
        cond.where_clause()
    ))?
    .query_row(params_from_iter(&cond.args), |r| liaison_row(r, today))
    .optional()?
    .ok_or(StoreError::NotFound)
}

fn list_liaisons(
    c: &Connection,
    scope: &Scope,
    f: &LiaisonFilter,
    today: NaiveDate,
    page: PageReq,
) -> Result<Paged<Liaison>> {
    let mut cond = scoped("l.deleted_at IS NULL AND o.deleted_at IS NULL", scope);
    if let Some(u) = f.user_id {
        cond.push("l.user_id = ?", [Value::Integer(u)]);
    }
    if let Some(o) = f.party_org_id {
        cond.push("l.party_org_id = ?", [Value::Integer(o)]);
    }
    match f.current {
        Some(true) => cond.push(CURRENT, [day(today), day(today)]),
        Some(false) => cond.push(&format!("NOT ({CURRENT})"), [day(today), day(today)]),
        None => {}
    }
    paged_by(
        c,
        LIAISON_FROM,
        LIAISON_COLS,
        &cond,
        "u.username, o.path, l.since, l.id",
        page,
        |r| liaison_row(r, today),
    )
}

/// The member is a committee member, the org live, and no other liaison of the member with
/// the org shares a day with this one.
fn check_liaison(tx: &Transaction, l: &NewLiaison, except: Option<i64>) -> Result<()> {
    user_of_role(tx, "user_id", l.user_id, COMMITTEE)?;
    target_org(tx, &Scope::All, "party_org_id", Some(l.party_org_id))?;
    let others = tx
        .prepare_cached(
            "SELECT id, since, until FROM liaisons
             WHERE user_id = ?1 AND party_org_id = ?2 AND deleted_at IS NULL",
        )?
        .query_map(params![l.user_id, l.party_org_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                opt_date(Some(r.get(1)?))?.unwrap_or_default(),
                opt_date(r.get(2)?)?,
            ))
        })?
        .collect::<crate::Result<Vec<_>>>()?;
    if others
        .iter()
        .any(|(id, s, u)| Some(*id) != except && l::overlaps((*s, *u), (l.since, l.until)))
    {
        return Err(StoreError::Conflict("party_org_id"));
    }
    Ok(())
}

fn save_liaison(
    tx: &Transaction,
    actor: &Actor,
    id: Option<i64>,
    l: &NewLiaison,
    today: NaiveDate,
) -> Result<Liaison> {
    let before = id
        .map(|id| get_liaison(tx, &Scope::All, id, today))
        .transpose()?;
    check_liaison(tx, l, id)?;
    let now = now_text();
    let (since, until) = (l.since.to_string(), l.until.map(|d| d.to_string()));
    let id = match id {
        None => {
            tx.prepare_cached(
                "INSERT INTO liaisons (user_id, party_org_id, since, until, created_at, updated_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
            )?
            .execute(params![l.user_id, l.party_org_id, since, until, now, actor.user_id])?;
            tx.last_insert_rowid()?
        }
        Some(id) => {
            tx.prepare_cached(
                "UPDATE liaisons SET user_id = ?1, party_org_id = ?2, since = ?3, until = ?4, updated_at = ?5
                 WHERE id = ?6",
            )?
            .execute(params![l.user_id, l.party_org_id, since, until, now, id])?;
            id
        }
    };
    let after = get_liaison(tx, &Scope::All, id, today)?;
    let action = if before.is_some() { "update" } else { "create" };
    audit(
        tx,
        actor,
        action,
        "liaison",
        Some(id),
        before.as_ref(),
        Some(&after),
    )?;
    Ok(after)
}

fn delete_liaison(tx: &Transaction, actor: &Actor, id: i64, today: NaiveDate) -> Result<()> {
    let before = get_liaison(tx, &Scope::All, id, today)?;
    tx.execute(
        "UPDATE liaisons SET deleted_at = ?1, deleted_by = ?2 WHERE id = ?3",
        params![now_text(), actor.user_id, id],
    )?;
    audit(
        tx,
        actor,
        "delete",
        "liaison",
        Some(id),
        Some(&before),
        None::<&()>,
    )?;
    Ok(())
}

fn liaison_stats(
    c: &Connection,
    scope: &Scope,
    today: NaiveDate,
    year: i32,
    target: i64,
) -> Result<LiaisonStats> {
    let first = format!("{year:04}-01-01");
    let last = format!("{year:04}-12-31");
    let members = c
        .prepare_cached(
            "SELECT id, username FROM users WHERE role = 'committee' ORDER BY username, id",
        )?
        .query_map((), |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        .collect::<crate::Result<Vec<_>>>()?;
    // current liaisons per member (orgs in scope)
    let mut cond = scoped("l.deleted_at IS NULL AND o.deleted_at IS NULL", scope);
    cond.push(CURRENT, [day(today), day(today)]);
    let orgs: HashMap<i64, i64> = c
        .prepare_cached(&format!(
            "SELECT l.user_id, count(DISTINCT l.party_org_id) FROM liaisons l
             JOIN party_orgs o ON o.id = l.party_org_id WHERE {} GROUP BY l.user_id",
            cond.where_clause()
        ))?
        .query_map(params_from_iter(&cond.args), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<crate::Result<_>>()?;
    // visits in the year and the latest up to its end, per member (orgs in scope)
    let mut cond = scoped("v.deleted_at IS NULL", scope);
    cond.push("v.held_on <= ?", [Value::Text(last)]);
    let mut args = vec![Value::Text(first)];
    args.extend(cond.args.iter().cloned());
    let visits: HashMap<i64, (i64, Option<String>)> = c
        .prepare_cached(&format!(
            "SELECT v.user_id, CAST(sum(CASE WHEN v.held_on >= ? THEN 1 ELSE 0 END) AS BIGINT), max(v.held_on)
             FROM visits v JOIN party_orgs o ON o.id = v.party_org_id WHERE {} GROUP BY v.user_id",
            cond.where_clause()
        ))?
        .query_map(params_from_iter(&args), |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))
        })?
        .collect::<crate::Result<_>>()?;
    let mut items = Vec::with_capacity(members.len());
    for (user_id, username) in members {
        let (n, last) = visits.get(&user_id).cloned().unwrap_or((0, None));
        items.push(LiaisonStatsItem {
            user_id,
            username,
            orgs: orgs.get(&user_id).copied().unwrap_or(0),
            target,
            visits: n,
            last_visit_on: opt_date(last)?,
        });
    }
    let orgs_without_liaison = without_liaison_cond(scope, today);
    let n = c
        .prepare_cached(&format!(
            "SELECT count(*) FROM party_orgs o WHERE {}",
            orgs_without_liaison.where_clause()
        ))?
        .query_row(params_from_iter(&orgs_without_liaison.args), |r| r.get(0))?;
    Ok(LiaisonStats {
        items,
        orgs_without_liaison: n,
    })
}

/// Live orgs in scope, not of kind committee, with no current liaison.
fn without_liaison_cond(scope: &Scope, today: NaiveDate) -> Cond {
    let mut cond = scoped("o.deleted_at IS NULL AND o.kind <> 'committee'", scope);
    cond.push(
        &format!(
            "NOT EXISTS (SELECT 1 FROM liaisons l WHERE l.party_org_id = o.id AND l.deleted_at IS NULL AND {CURRENT})"
        ),
        [day(today), day(today)],
    );
    cond
}

fn visit_counts(c: &Connection, scope: &Scope, year: i32) -> Result<Vec<VisitCount>> {
    let mut cond = scoped("v.deleted_at IS NULL", scope);
    cond.push(
        "v.held_on >= ? AND v.held_on <= ?",
        [
            Value::Text(format!("{year:04}-01-01")),
            Value::Text(format!("{year:04}-12-31")),
        ],
    );
    // the month is characters 6–7 of the date
    let rows = c
        .prepare_cached(&format!(
            "SELECT v.user_id, v.party_org_id, substr(v.held_on, 6, 2), count(*) FROM visits v
             JOIN party_orgs o ON o.id = v.party_org_id WHERE {}
             GROUP BY v.user_id, v.party_org_id, substr(v.held_on, 6, 2)",
            cond.where_clause()
        ))?
        .query_map(params_from_iter(&cond.args), |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?
        .collect::<crate::Result<Vec<_>>>()?;
    let mut by: std::collections::BTreeMap<(i64, i64, u32), i64> = Default::default();
    for (u, o, month, n) in rows {
        let m: u32 = month.parse().unwrap_or(1);
        *by.entry((u, o, (m.clamp(1, 12) - 1) / 3 + 1)).or_default() += n;
    }
    Ok(by
        .into_iter()
        .map(|((user_id, party_org_id, quarter), visits)| VisitCount {
            user_id,
            party_org_id,
            quarter,
            visits,
        })
        .collect())
}

// ---------------------------------------------------------------- visits

const VISIT_COLS: &str = "v.id, v.user_id, u.username, v.party_org_id, o.name, v.held_on, v.kind, v.notes, \
    (SELECT count(*) FROM attachments t WHERE t.owner = 'visit' AND t.owner_id = v.id AND t.deleted_at IS NULL)";
const VISIT_FROM: &str =
    "visits v JOIN users u ON u.id = v.user_id JOIN party_orgs o ON o.id = v.party_org_id";

fn visit_row(r: &Row) -> crate::Result<Visit> {
    Ok(Visit {
        id: r.get(0)?,
        user_id: r.get(1)?,
        username: r.get(2)?,
        party_org_id: r.get(3)?,
        party_org_name: r.get(4)?,
        held_on: opt_date(Some(r.get(5)?))?.unwrap_or_default(),
        kind: parse_code(&r.get::<_, String>(6)?, VisitKind::parse)?,
        notes: r.get(7)?,
        attachments: r.get(8)?,
    })
}

pub(super) fn get_visit(c: &Connection, scope: &Scope, id: i64) -> Result<Visit> {
    let mut cond = scoped("v.deleted_at IS NULL", scope);
    cond.push("v.id = ?", [Value::Integer(id)]);
    c.prepare_cached(&format!(
        "SELECT {VISIT_COLS} FROM {VISIT_FROM} WHERE {}",
        cond.where_clause()
    ))?
    .query_row(params_from_iter(&cond.args), visit_row)
    .optional()?
    .ok_or(StoreError::NotFound)
}

fn list_visits(
    c: &Connection,
    scope: &Scope,
    f: &VisitFilter,
    page: PageReq,
) -> Result<Paged<Visit>> {
    let mut cond = scoped("v.deleted_at IS NULL", scope);
    if let Some(o) = f.party_org_id {
        cond.push("v.party_org_id = ?", [Value::Integer(o)]);
    }
    if let Some(u) = f.user_id {
        cond.push("v.user_id = ?", [Value::Integer(u)]);
    }
    if let Some(k) = f.kind {
        cond.push("v.kind = ?", [Value::Text(k.as_str().into())]);
    }
    if let Some(d) = f.from {
        cond.push("v.held_on >= ?", [day(d)]);
    }
    if let Some(d) = f.to {
        cond.push("v.held_on <= ?", [day(d)]);
    }
    if let Some(y) = f.year {
        cond.push(
            "v.held_on >= ? AND v.held_on <= ?",
            [
                Value::Text(format!("{y:04}-01-01")),
                Value::Text(format!("{y:04}-12-31")),
            ],
        );
    }
    paged_by(
        c,
        VISIT_FROM,
        VISIT_COLS,
        &cond,
        "v.held_on DESC, v.id DESC",
        page,
        visit_row,
    )
}

fn save_visit(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    id: Option<i64>,
    v: &NewVisit,
) -> Result<Visit> {
    let before = id.map(|id| get_visit(tx, scope, id)).transpose()?;
    if before
        .as_ref()
        .is_none_or(|b| b.party_org_id != v.party_org_id)
    {
        target_org(tx, scope, "party_org_id", Some(v.party_org_id))?;
    }
    if before.as_ref().is_none_or(|b| b.user_id != v.user_id) {
        user_of_role(tx, "user_id", v.user_id, VISITORS)?;
    }
    let now = now_text();
    let (held_on, kind) = (v.held_on.to_string(), v.kind.as_str());
    let id = match id {
        None => {
            tx.prepare_cached(
                "INSERT INTO visits (user_id, party_org_id, held_on, kind, notes, created_at, updated_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
            )?
            .execute(params![v.user_id, v.party_org_id, held_on, kind, v.notes, now, actor.user_id])?;
            tx.last_insert_rowid()?
        }
        Some(id) => {
            tx.prepare_cached(
                "UPDATE visits SET user_id = ?1, party_org_id = ?2, held_on = ?3, kind = ?4, notes = ?5,
                     updated_at = ?6 WHERE id = ?7",
            )?
            .execute(params![v.user_id, v.party_org_id, held_on, kind, v.notes, now, id])?;
            id
        }
    };
    let after = get_visit(tx, &Scope::All, id)?;
    let action = if before.is_some() { "update" } else { "create" };
    audit(
        tx,
        actor,
        action,
        "visit",
        Some(id),
        before.as_ref(),
        Some(&after),
    )?;
    Ok(after)
}

// ---------------------------------------------------------------- research reports

const REPORT_COLS: &str = "r.id, r.title, r.year, r.summary, r.author_user_id, u.username, \
    (SELECT count(*) FROM attachments t WHERE t.owner = 'research_report' AND t.owner_id = r.id AND t.deleted_at IS NULL)";
const REPORT_FROM: &str = "research_reports r JOIN users u ON u.id = r.author_user_id";

fn report_row(r: &Row) -> crate::Result<ResearchReport> {
    Ok(ResearchReport {
        id: r.get(0)?,
        title: r.get(1)?,
        year: r.get::<_, i64>(2)? as i32,
        summary: r.get(3)?,
        author_user_id: r.get(4)?,
        author: r.get(5)?,
        party_org_ids: Vec::new(),
        party_orgs: Vec::new(),
        attachments: r.get(6)?,
    })
}

/// Reports concerning an org in the subtree, for a scoped caller.
fn report_cond(scope: &Scope) -> Cond {
    let mut cond = Cond::new("r.deleted_at IS NULL");
    if let Scope::Subtree { path, .. } = scope {
        let (lo, hi) = Scope::path_range(path);
        cond.push(
            "EXISTS (SELECT 1 FROM research_report_orgs ro JOIN party_orgs o ON o.id = ro.party_org_id
                     WHERE ro.report_id = r.id AND o.path >= ? AND o.path < ?)",
            [Value::Text(lo), Value::Text(hi)],
        );
    }
    cond
}

/// Fills in the orgs of `reports` (one query).
fn with_orgs(c: &Connection, reports: &mut [ResearchReport]) -> Result<()> {
    if reports.is_empty() {
        return Ok(());
    }
    // ids are integers, inlined safely; at most a page of them
    let list = reports
        .iter()
        .map(|r| r.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let rows = c
        .prepare(&format!(
            "SELECT ro.report_id, ro.party_org_id, o.name FROM research_report_orgs ro
             JOIN party_orgs o ON o.id = ro.party_org_id
             WHERE ro.report_id IN ({list}) ORDER BY ro.report_id, ro.position"
        ))?
        .query_map((), |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<crate::Result<Vec<_>>>()?;
    let at: HashMap<i64, usize> = reports.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    for (rid, oid, name) in rows {
        if let Some(&i) = at.get(&rid) {
            reports[i].party_org_ids.push(oid);
            reports[i].party_orgs.push(OrgName { id: oid, name });
        }
    }
    Ok(())
}

pub(super) fn get_report(c: &Connection, scope: &Scope, id: i64) -> Result<ResearchReport> {
    let mut cond = report_cond(scope);
    cond.push("r.id = ?", [Value::Integer(id)]);
    let r = c
        .prepare_cached(&format!(
            "SELECT {REPORT_COLS} FROM {REPORT_FROM} WHERE {}",
            cond.where_clause()
        ))?
        .query_row(params_from_iter(&cond.args), report_row)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    let mut one = [r];
    with_orgs(c, &mut one)?;
    let [r] = one;
    Ok(r)
}

fn list_reports(
    c: &Connection,
    scope: &Scope,
    f: &ResearchReportFilter,
    page: PageReq,
) -> Result<Paged<ResearchReport>> {
    let mut cond = report_cond(scope);
    if let Some(y) = f.year {
        cond.push("r.year = ?", [Value::Integer(y)]);
    }
    if let Some(a) = f.author_user_id {
        cond.push("r.author_user_id = ?", [Value::Integer(a)]);
    }
    if let Some(o) = f.party_org_id {
        cond.push(
            "EXISTS (SELECT 1 FROM research_report_orgs x WHERE x.report_id = r.id AND x.party_org_id = ?)",
            [Value::Integer(o)],
        );
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.is_empty()) {
        let p = like_contains(q);
        cond.push(
            "(r.title LIKE ? ESCAPE '\\' OR coalesce(r.summary, '') LIKE ? ESCAPE '\\')",
            [Value::Text(p.clone()), Value::Text(p)],
        );
    }
    let mut out = paged_by(
        c,
        REPORT_FROM,
        REPORT_COLS,
        &cond,
        "r.year DESC, r.id DESC",
        page,
        report_row,
    )?;
    with_orgs(c, &mut out.items)?;
    Ok(out)
}

fn save_report(
    tx: &Transaction,
    actor: &Actor,
    id: Option<i64>,
    r: &NewResearchReport,
) -> Result<ResearchReport> {
    let before = id.map(|id| get_report(tx, &Scope::All, id)).transpose()?;
    if before
        .as_ref()
        .is_none_or(|b| b.author_user_id != r.author_user_id)
    {
        user_of_role(tx, "author_user_id", r.author_user_id, VISITORS)?;
    }
    for o in &r.party_org_ids {
        if super::registry::org_kind_path(tx, *o)?.is_none() {
            return Err(invalid("party_org_ids", FieldError::NotFound));
        }
    }
    let now = now_text();
    let id = match id {
        None => {
            tx.prepare_cached(
                "INSERT INTO research_reports (title, year, summary, author_user_id, created_at, updated_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
            )?
            .execute(params![r.title, r.year as i64, r.summary, r.author_user_id, now, actor.user_id])?;
            tx.last_insert_rowid()?
        }
        Some(id) => {
            tx.prepare_cached(
                "UPDATE research_reports SET title = ?1, year = ?2, summary = ?3, author_user_id = ?4, updated_at = ?5
                 WHERE id = ?6",
            )?
            .execute(params![r.title, r.year as i64, r.summary, r.author_user_id, now, id])?;
            tx.execute(
                "DELETE FROM research_report_orgs WHERE report_id = ?1",
                [id],
            )?;
            id
        }
    };
    for (i, o) in r.party_org_ids.iter().enumerate() {
        tx.prepare_cached(
            "INSERT INTO research_report_orgs (report_id, party_org_id, position) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![id, *o, i as i64])?;
    }
    let after = get_report(tx, &Scope::All, id)?;
    let action = if before.is_some() { "update" } else { "create" };
    audit(
        tx,
        actor,
        action,
        "research_report",
        Some(id),
        before.as_ref(),
        Some(&after),
    )?;
    Ok(after)
}

// ---------------------------------------------------------------- typical cases

const CASE_COLS: &str =
    "c.id, c.title, c.party_org_id, o.name, c.category, c.year, c.summary, c.published, o.path";
const CASE_FROM: &str = "cases c JOIN party_orgs o ON o.id = c.party_org_id";

fn case_row(r: &Row) -> crate::Result<Case> {
    Ok(Case {
        id: r.get(0)?,
        title: r.get(1)?,
        party_org_id: r.get(2)?,
        party_org_name: r.get(3)?,
        category: parse_code(&r.get::<_, String>(4)?, CaseCategory::parse)?,
        year: r.get::<_, i64>(5)? as i32,
        summary: r.get(6)?,
        published: r.get(7)?,
    })
}

/// What a caller reads: every published case, and the cases of orgs in scope.
fn case_cond(scope: &Scope) -> Cond {
    let mut cond = Cond::new("c.deleted_at IS NULL");
    if let Scope::Subtree { path, .. } = scope {
        let (lo, hi) = Scope::path_range(path);
        cond.push(
            "(c.published <> 0 OR (o.path >= ? AND o.path < ?))",
            [Value::Text(lo), Value::Text(hi)],
        );
    }
    cond
}

/// A readable case and whether its org lies in scope (what writing needs).
fn case_with_scope(c: &Connection, scope: &Scope, id: i64) -> Result<(Case, bool)> {
    let mut cond = case_cond(scope);
    cond.push("c.id = ?", [Value::Integer(id)]);
    let (case, path) = c
        .prepare_cached(&format!(
            "SELECT {CASE_COLS} FROM {CASE_FROM} WHERE {}",
            cond.where_clause()
        ))?
        .query_row(params_from_iter(&cond.args), |r| {
            Ok((case_row(r)?, r.get::<_, String>(8)?))
        })
        .optional()?
        .ok_or(StoreError::NotFound)?;
    let mine = in_scope(scope, Some(&path));
    Ok((case, mine))
}

fn list_cases(c: &Connection, scope: &Scope, f: &CaseFilter, page: PageReq) -> Result<Paged<Case>> {
    let mut cond = case_cond(scope);
    if let Some(o) = f.party_org_id {
        cond.push("c.party_org_id = ?", [Value::Integer(o)]);
    }
    if let Some(k) = f.category {
        cond.push("c.category = ?", [Value::Text(k.as_str().into())]);
    }
    if let Some(y) = f.year {
        cond.push("c.year = ?", [Value::Integer(y)]);
    }
    match f.published {
        Some(true) => cond.push("c.published <> 0", []),
        Some(false) => cond.push("c.published = 0", []),
        None => {}
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.is_empty()) {
        let p = like_contains(q);
        cond.push(
            "(c.title LIKE ? ESCAPE '\\' OR coalesce(c.summary, '') LIKE ? ESCAPE '\\')",
            [Value::Text(p.clone()), Value::Text(p)],
        );
    }
    paged_by(
        c,
        CASE_FROM,
        CASE_COLS,
        &cond,
        "c.year DESC, c.id DESC",
        page,
        case_row,
    )
}

fn save_case(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    id: Option<i64>,
    k: &NewCase,
    may_publish: bool,
) -> Result<Case> {
    let before = match id {
        None => None,
        Some(id) => {
            let (case, mine) = case_with_scope(tx, scope, id)?;
            // the one exception to scope is for reading only
            if !mine || (case.published && !may_publish) {
                return Err(StoreError::Forbidden);
            }
            Some(case)
        }
    };
    if k.published && !may_publish {
        return Err(StoreError::Forbidden);
    }
    if before
        .as_ref()
        .is_none_or(|b| b.party_org_id != k.party_org_id)
    {
        target_org(tx, scope, "party_org_id", Some(k.party_org_id))?;
    }
    let now = now_text();
    let id = match id {
        None => {
            tx.prepare_cached(
                "INSERT INTO cases (title, party_org_id, category, year, summary, published, created_at, updated_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
            )?
            .execute(params![
                k.title,
                k.party_org_id,
                k.category.as_str(),
                k.year as i64,
                k.summary,
                k.published,
                now,
                actor.user_id
            ])?;
            tx.last_insert_rowid()?
        }
        Some(id) => {
            tx.prepare_cached(
                "UPDATE cases SET title = ?1, party_org_id = ?2, category = ?3, year = ?4, summary = ?5,
                     published = ?6, updated_at = ?7 WHERE id = ?8",
            )?
            .execute(params![
                k.title,
                k.party_org_id,
                k.category.as_str(),
                k.year as i64,
                k.summary,
                k.published,
                now,
                id
            ])?;
            id
        }
    };
    let (after, _) = case_with_scope(tx, &Scope::All, id)?;
    let action = if before.is_some() { "update" } else { "create" };
    audit(
        tx,
        actor,
        action,
        "case",
        Some(id),
        before.as_ref(),
        Some(&after),
    )?;
    Ok(after)
}

#[async_trait]
impl LiaisonStore for SqlStore {
    async fn create_liaison(
        &self,
        actor: &Actor,
        l: NewLiaison,
        today: NaiveDate,
    ) -> Result<Liaison> {
        let actor = actor.clone();
        self.write(move |tx, _| save_liaison(tx, &actor, None, &l, today))
            .await
    }
    async fn update_liaison(
        &self,
        actor: &Actor,
        id: i64,
        l: NewLiaison,
        today: NaiveDate,
    ) -> Result<Liaison> {
        let actor = actor.clone();
        self.write(move |tx, _| save_liaison(tx, &actor, Some(id), &l, today))
            .await
    }
    async fn delete_liaison(&self, actor: &Actor, id: i64, today: NaiveDate) -> Result<()> {
        let actor = actor.clone();
        self.write(move |tx, _| delete_liaison(tx, &actor, id, today))
            .await
    }
    async fn get_liaison(&self, scope: &Scope, id: i64, today: NaiveDate) -> Result<Liaison> {
        let scope = scope.clone();
        self.read(move |c, _| get_liaison(c, &scope, id, today))
            .await
    }
    async fn list_liaisons(
        &self,
        scope: &Scope,
        f: &LiaisonFilter,
        today: NaiveDate,
        page: PageReq,
    ) -> Result<Paged<Liaison>> {
        let (scope, f) = (scope.clone(), f.clone());
        self.read(move |c, _| list_liaisons(c, &scope, &f, today, page))
            .await
    }
    async fn liaison_stats(
        &self,
        scope: &Scope,
        today: NaiveDate,
        year: i32,
    ) -> Result<LiaisonStats> {
        let scope = scope.clone();
        self.read(move |c, rules| {
            let target = rules.liaison_orgs;
            super::memo(
                format!("liaison_stats\u{1f}{scope:?}\u{1f}{today}\u{1f}{year}\u{1f}{target}"),
                || liaison_stats(c, &scope, today, year, target),
            )
        })
        .await
    }
    async fn orgs_without_liaison(
        &self,
        scope: &Scope,
        today: NaiveDate,
        page: PageReq,
    ) -> Result<Paged<OrgName>> {
        let scope = scope.clone();
        self.read(move |c, _| {
            let cond = without_liaison_cond(&scope, today);
            paged_by(
                c,
                "party_orgs o",
                "o.id, o.name",
                &cond,
                "o.path",
                page,
                |r| {
                    Ok(OrgName {
                        id: r.get(0)?,
                        name: r.get(1)?,
                    })
                },
            )
        })
        .await
    }
    async fn visit_counts(&self, scope: &Scope, year: i32) -> Result<Vec<VisitCount>> {
        let scope = scope.clone();
        self.read(move |c, _| {
            super::memo(format!("visit_counts\u{1f}{scope:?}\u{1f}{year}"), || {
                visit_counts(c, &scope, year)
            })
        })
        .await
    }
    async fn create_visit(&self, actor: &Actor, scope: &Scope, v: NewVisit) -> Result<Visit> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| save_visit(tx, &actor, &scope, None, &v))
            .await
    }
    async fn update_visit(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        v: NewVisit,
    ) -> Result<Visit> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| save_visit(tx, &actor, &scope, Some(id), &v))
            .await
    }
    async fn get_visit(&self, scope: &Scope, id: i64) -> Result<Visit> {
        let scope = scope.clone();
        self.read(move |c, _| get_visit(c, &scope, id)).await
    }
    async fn list_visits(
        &self,
        scope: &Scope,
        f: &VisitFilter,
        page: PageReq,
    ) -> Result<Paged<Visit>> {
        let (scope, f) = (scope.clone(), f.clone());
        self.read(move |c, _| list_visits(c, &scope, &f, page))
            .await
    }
    async fn create_research_report(
        &self,
        actor: &Actor,
        r: NewResearchReport,
    ) -> Result<ResearchReport> {
        let actor = actor.clone();
        self.write(move |tx, _| save_report(tx, &actor, None, &r))
            .await
    }
    async fn update_research_report(
        &self,
        actor: &Actor,
        id: i64,
        r: NewResearchReport,
    ) -> Result<ResearchReport> {
        let actor = actor.clone();
        self.write(move |tx, _| save_report(tx, &actor, Some(id), &r))
            .await
    }
    async fn get_research_report(&self, scope: &Scope, id: i64) -> Result<ResearchReport> {
        let scope = scope.clone();
        self.read(move |c, _| get_report(c, &scope, id)).await
    }
    async fn list_research_reports(
        &self,
        scope: &Scope,
        f: &ResearchReportFilter,
        page: PageReq,
    ) -> Result<Paged<ResearchReport>> {
        let (scope, f) = (scope.clone(), f.clone());
        self.read(move |c, _| list_reports(c, &scope, &f, page))
            .await
    }
    async fn create_case(
        &self,
        actor: &Actor,
        scope: &Scope,
        k: NewCase,
        may_publish: bool,
    ) -> Result<Case> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| save_case(tx, &actor, &scope, None, &k, may_publish))
            .await
    }
    async fn update_case(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        k: NewCase,
        may_publish: bool,
    ) -> Result<Case> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| save_case(tx, &actor, &scope, Some(id), &k, may_publish))
            .await
    }
    async fn get_case(&self, scope: &Scope, id: i64) -> Result<Case> {
        let scope = scope.clone();
        self.read(move |c, _| case_with_scope(c, &scope, id).map(|(k, _)| k))
            .await
    }
    async fn list_cases(
        &self,
        scope: &Scope,
        f: &CaseFilter,
        page: PageReq,
    ) -> Result<Paged<Case>> {
        let (scope, f) = (scope.clone(), f.clone());
        self.read(move |c, _| list_cases(c, &scope, &f, page)).await
    }
    async fn bulk_liaison(&self, actor: &Actor, b: BulkLiaison) -> Result<()> {
        let actor = actor.clone();
        self.write(move |tx, _| super::liaison_bulk::bulk_liaison(tx, &actor, &b))
            .await
    }
}
