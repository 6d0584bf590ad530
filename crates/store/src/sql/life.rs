//! `LifeStore` for SQLite: activities (with `activity_counts` kept by triggers),
//! attachments, obligations, compliance and reminders.

use std::collections::HashSet;
use std::sync::Arc;

use super::db::Value;
use super::db::{params_from_iter, Connection, OptionalExtension, Row, Transaction};
use crate::params;
use async_trait::async_trait;
use chrono::{Datelike, NaiveDate};
use domain::life::{
    self, Activity, ActivityInput, ActivityKind, ComplianceItem, Digest, FirstAgenda, HeatMap,
    MonthCounts, Obligation, ObligationInput, OrgFacts, PeriodKind, Summary,
};
use domain::{OrgKind, Rules};

use super::registry::{org_in_scope, paged_by, target_org, Cond};
use super::{audit, like_contains, memo, memo_if, now_text, parse_code, parse_date, parse_instant};
use super::{platform, SqlStore};
use crate::life::*;
use crate::{Actor, PageReq, Paged, Result, Scope, StoreError, User};

const ACTIVITY_COLS: &str = "a.id, a.party_org_id, a.kind, a.held_on, a.topic, a.first_agenda, \
    a.attendees_expected, a.attendees_present, a.notes, \
    (SELECT count(*) FROM attachments t WHERE t.owner = 'activity' AND t.owner_id = a.id AND t.deleted_at IS NULL)";

fn activity_row(r: &Row) -> crate::Result<Activity> {
    Ok(Activity {
        id: r.get(0)?,
        party_org_id: r.get(1)?,
        kind: parse_code(&r.get::<_, String>(2)?, ActivityKind::parse)?,
        held_on: parse_date(Some(r.get(3)?))?.unwrap_or_default(),
        topic: r.get(4)?,
        first_agenda: r
            .get::<_, Option<String>>(5)?
            .map(|s| FirstAgenda::from_db(&s)),
        attendees_expected: r.get(6)?,
        attendees_present: r.get(7)?,
        notes: r.get(8)?,
        attachments: r.get(9)?,
    })
}

/// The activity joined with its org's path, restricted to the scope.
fn activity_cond(scope: &Scope) -> Cond {
    let mut cond = Cond::new("a.deleted_at IS NULL");
    if let Scope::Subtree { path, .. } = scope {
        let (lo, hi) = Scope::path_range(path);
        cond.push(
            "a.party_org_id IN (SELECT id FROM party_orgs WHERE path >= ? AND path < ? AND deleted_at IS NULL)",
            [Value::Text(lo), Value::Text(hi)],
        );
    }
    cond
}

fn filter_cond(scope: &Scope, f: &ActivityFilter) -> Cond {
    let mut cond = activity_cond(scope);
    if let Some(o) = f.party_org_id {
        cond.push("a.party_org_id = ?", [Value::Integer(o)]);
    }
    if let Some(k) = f.kind {
        cond.push("a.kind = ?", [Value::Text(k.as_str().into())]);
    }
    if let Some(d) = f.from {
        cond.push("a.held_on >= ?", [Value::Text(d.to_string())]);
    }
    if let Some(d) = f.to {
        cond.push("a.held_on <= ?", [Value::Text(d.to_string())]);
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.is_empty()) {
        cond.push(
            "a.topic LIKE ? ESCAPE '\\'",
            [Value::Text(like_contains(q))],
        );
    }
    cond
}

pub fn list_activities(
    c: &Connection,
    scope: &Scope,
    f: &ActivityFilter,
    page: PageReq,
) -> Result<Paged<Activity>> {
    let cond = filter_cond(scope, f);
    paged_by(
        c,
        "activities a",
        ACTIVITY_COLS,
        &cond,
        "a.held_on DESC, a.id DESC",
        page,
        activity_row,
    )
}

pub fn export_activities(
    c: &Connection,
    scope: &Scope,
    f: &ActivityFilter,
) -> Result<Vec<(Activity, String)>> {
    let cond = filter_cond(scope, f);
    let rows = c
        .prepare(&format!(
            "SELECT {ACTIVITY_COLS}, o.name FROM activities a JOIN party_orgs o ON o.id = a.party_org_id
             WHERE {} ORDER BY a.held_on DESC, a.id DESC",
            cond.where_clause()
        ))?
        .query_map(params_from_iter(&cond.args), |r| {
            Ok((activity_row(r)?, r.get::<_, String>(10)?))
        })?
        .collect::<crate::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn get_activity(c: &Connection, scope: &Scope, id: i64) -> Result<Activity> {
    let mut cond = activity_cond(scope);
    cond.push("a.id = ?", [Value::Integer(id)]);
    c.prepare_cached(&format!(
        "SELECT {ACTIVITY_COLS} FROM activities a WHERE {}",
        cond.where_clause()
    ))?
    .query_row(params_from_iter(&cond.args), activity_row)
    .optional()?
    .ok_or(StoreError::NotFound)
}

fn write_activity(
    tx: &Transaction,
    actor: &Actor,
    id: Option<i64>,
    a: &ActivityInput,
) -> Result<i64> {
    let now = now_text();
    let first = a.first_agenda.as_ref().map(FirstAgenda::to_db);
    match id {
        None => {
            tx.prepare_cached(
                "INSERT INTO activities (party_org_id, kind, held_on, topic, first_agenda, attendees_expected,
                 attendees_present, notes, created_at, updated_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
            )?
            .execute(params![
                a.party_org_id,
                a.kind.as_str(),
                a.held_on.to_string(),
                a.topic,
                first,
                a.attendees_expected,
                a.attendees_present,
                a.notes,
                now,
                actor.user_id
            ])?;
            Ok(tx.last_insert_rowid()?)
        }
        Some(id) => {
            tx.prepare_cached(
                "UPDATE activities SET party_org_id = ?2, kind = ?3, held_on = ?4, topic = ?5, first_agenda = ?6,
                 attendees_expected = ?7, attendees_present = ?8, notes = ?9, updated_at = ?10 WHERE id = ?1",
            )?
            .execute(params![
                id,
                a.party_org_id,
                a.kind.as_str(),
                a.held_on.to_string(),
                a.topic,
                first,
                a.attendees_expected,
                a.attendees_present,
                a.notes,
                now
            ])?;
            Ok(id)
        }
    }
}

pub fn create_activity(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    a: &ActivityInput,
) -> Result<Activity> {
    target_org(tx, scope, "party_org_id", Some(a.party_org_id))?;
    let id = write_activity(tx, actor, None, a)?;
    let after = get_activity(tx, &Scope::All, id)?;
    audit(
        tx,
        actor,
        "create",
        "activity",
        Some(id),
        None::<&()>,
        Some(&after),
    )?;
    Ok(after)
}

pub fn update_activity(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    a: &ActivityInput,
) -> Result<Activity> {
    let before = get_activity(tx, scope, id)?;
    target_org(tx, scope, "party_org_id", Some(a.party_org_id))?;
    write_activity(tx, actor, Some(id), a)?;
    let after = get_activity(tx, &Scope::All, id)?;
    if before != after {
        audit(
            tx,
            actor,
            "update",
            "activity",
            Some(id),
            Some(&before),
            Some(&after),
        )?;
    }
    Ok(after)
}

pub fn delete_activity(tx: &Transaction, actor: &Actor, scope: &Scope, id: i64) -> Result<()> {
    let before = get_activity(tx, scope, id)?;
    tx.execute(
        "UPDATE activities SET deleted_at = ?2, deleted_by = ?3 WHERE id = ?1",
        params![id, now_text(), actor.user_id],
    )?;
    audit(
        tx,
        actor,
        "delete",
        "activity",
        Some(id),
        Some(&before),
        None::<&()>,
    )?;
    Ok(())
}

pub fn bulk_activities(tx: &Transaction, actor: &Actor, items: &[ActivityInput]) -> Result<usize> {
    for a in items {
        write_activity(tx, actor, None, a)?;
    }
    audit(
        tx,
        actor,
        "create",
        "activity",
        None,
        None::<&()>,
        Some(&serde_json::json!({ "bulk": items.len() })),
    )?;
    Ok(items.len())
}

// ------------------------------------------------------------------------ obligations

fn obligation_row(r: &Row) -> crate::Result<Obligation> {
    let kinds: String = r.get(4)?;
    Ok(Obligation {
        id: r.get(0)?,
        kind: parse_code(&r.get::<_, String>(1)?, ActivityKind::parse)?,
        period: parse_code(&r.get::<_, String>(2)?, PeriodKind::parse)?,
        min_count: r.get(3)?,
        org_kinds: kinds
            .split(',')
            .filter(|k| !k.is_empty())
            .map(|k| parse_code(k, OrgKind::parse))
            .collect::<crate::Result<_>>()?,
        min_full_members: r.get(5)?,
        active_from: parse_date(r.get(6)?)?,
    })
}

const OBLIGATION_COLS: &str =
    "id, kind, period, min_count, org_kinds, min_full_members, active_from";

pub fn list_obligations(c: &Connection) -> Result<Vec<Obligation>> {
    c.prepare_cached(&format!(
        "SELECT {OBLIGATION_COLS} FROM obligations WHERE deleted_at IS NULL ORDER BY id"
    ))?
    .query_map((), obligation_row)?
    .collect::<crate::Result<Vec<_>>>()
}

pub fn get_obligation(c: &Connection, id: i64) -> Result<Obligation> {
    c.prepare_cached(&format!(
        "SELECT {OBLIGATION_COLS} FROM obligations WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], obligation_row)
    .optional()?
    .ok_or(StoreError::NotFound)
}

fn org_kinds_text(o: &ObligationInput) -> String {
    o.org_kinds
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn create_obligation(
    tx: &Transaction,
    actor: &Actor,
    o: &ObligationInput,
) -> Result<Obligation> {
    let now = now_text();
    tx.execute(
        "INSERT INTO obligations (kind, period, min_count, org_kinds, min_full_members, active_from, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![
            o.kind.as_str(),
            o.period.as_str(),
            o.min_count,
            org_kinds_text(o),
            o.min_full_members,
            o.active_from.map(|d| d.to_string()),
            now
        ],
    )?;
    let after = get_obligation(tx, tx.last_insert_rowid()?)?;
    audit(
        tx,
        actor,
        "create",
        "obligation",
        Some(after.id),
        None::<&()>,
        Some(&after),
    )?;
    Ok(after)
}

pub fn update_obligation(
    tx: &Transaction,
    actor: &Actor,
    id: i64,
    o: &ObligationInput,
) -> Result<Obligation> {
    let before = get_obligation(tx, id)?;
    tx.execute(
        "UPDATE obligations SET kind = ?2, period = ?3, min_count = ?4, org_kinds = ?5,
         min_full_members = ?6, active_from = ?7, updated_at = ?8 WHERE id = ?1",
        params![
            id,
            o.kind.as_str(),
            o.period.as_str(),
            o.min_count,
            org_kinds_text(o),
            o.min_full_members,
            o.active_from.map(|d| d.to_string()),
            now_text()
        ],
    )?;
    let after = get_obligation(tx, id)?;
    if before != after {
        audit(
            tx,
            actor,
            "update",
            "obligation",
            Some(id),
            Some(&before),
            Some(&after),
        )?;
    }
    Ok(after)
}

pub fn delete_obligation(tx: &Transaction, actor: &Actor, id: i64) -> Result<()> {
    let before = get_obligation(tx, id)?;
    tx.execute(
        "UPDATE obligations SET deleted_at = ?2, deleted_by = ?3 WHERE id = ?1",
        params![id, now_text(), actor.user_id],
    )?;
    audit(
        tx,
        actor,
        "delete",
        "obligation",
        Some(id),
        Some(&before),
        None::<&()>,
    )?;
    Ok(())
}

/// Seeds PRODUCT.md's default obligations; run once, by the migration that creates them.
pub(crate) fn seed_obligations(tx: &Transaction, rules: &Rules) -> Result<()> {
    let actor = Actor::system("migration");
    for o in life::default_obligations(rules.committee_min_members) {
        create_obligation(tx, &actor, &o)?;
    }
    Ok(())
}

// ------------------------------------------------------------------------- compliance

/// Up to this many orgs, counts are read org by org through the index; above, one range
/// scan of the year.
const PER_ORG_LOOKUP_MAX: usize = 64;

pub fn compliance(
    c: &Connection,
    scope: &Scope,
    party_org_id: Option<i64>,
    year: i32,
    today: NaiveDate,
) -> Result<Arc<ComplianceReport>> {
    let key = format!("compliance\u{1f}{scope:?}\u{1f}{party_org_id:?}\u{1f}{year}\u{1f}{today}");
    memo_if(
        key,
        || {
            let path = match (party_org_id, scope) {
                (Some(id), _) => Some(org_in_scope(c, scope, id)?.1),
                (None, Scope::Subtree { path, .. }) => Some(path.clone()),
                (None, Scope::All) => None,
            };
            let orgs = org_facts(c, path.as_deref())?;
            let obligations = list_obligations(c)?;
            let counts = month_counts(c, &orgs, year)?;
            let items = life::compliance(year, &orgs, &obligations, &counts, today);
            let summary = Summary::of(&items);
            Ok(Arc::new(ComplianceReport { items, summary }))
        },
        |r| r.items.len() <= MEMO_ITEMS_MAX,
    )
}

/// Orgs per batch of [`reminder_candidates`].
const CANDIDATE_BATCH: usize = 500;

pub fn reminder_candidates(
    c: &Connection,
    year: i32,
    today: NaiveDate,
    due_within_days: i64,
    missed_since: NaiveDate,
) -> Result<Vec<ComplianceItem>> {
    let orgs = org_facts(c, None)?;
    let obligations = list_obligations(c)?;
    let mut out = Vec::new();
    for batch in orgs.chunks(CANDIDATE_BATCH) {
        let counts = month_counts_of(c, batch, year)?;
        let items = life::compliance(year, batch, &obligations, &counts, today);
        out.extend(
            items
                .into_iter()
                .filter(|i| life::remindable(i, today, due_within_days, missed_since)),
        );
    }
    Ok(out)
}

/// The month counts of a batch of orgs, read through the org index.
fn month_counts_of(c: &Connection, orgs: &[OrgFacts], year: i32) -> Result<MonthCounts> {
    let (lo, hi) = (i64::from(year) * 100 + 1, i64::from(year) * 100 + 12);
    let mut counts = MonthCounts::default();
    if orgs.is_empty() {
        return Ok(counts);
    }
    let marks = vec!["?"; orgs.len()].join(",");
    let mut st = c.prepare(&format!(
        "SELECT party_org_id, kind, ym, n FROM activity_counts
         WHERE party_org_id IN ({marks}) AND ym BETWEEN {lo} AND {hi} AND n > 0"
    ))?;
    let mut rows = st.query(params_from_iter(orgs.iter().map(|o| o.id)))?;
    while let Some(r) = rows.next()? {
        add_count(
            &mut counts,
            r.get(0)?,
            &r.get::<_, String>(1)?,
            r.get(2)?,
            r.get(3)?,
        )?;
    }
    Ok(counts)
}

/// Largest report kept in a reader's memo (about 10 MB); a national tree's is recomputed
/// per request, and pages that need only figures and the first items use a [`Digest`].
const MEMO_ITEMS_MAX: usize = 100_000;

pub fn compliance_heat(
    c: &Connection,
    scope: &Scope,
    party_org_id: Option<i64>,
    year: i32,
    today: NaiveDate,
) -> Result<Arc<HeatMap>> {
    let key = format!("heat\u{1f}{scope:?}\u{1f}{party_org_id:?}\u{1f}{year}\u{1f}{today}");
    memo(key, || {
        let report = compliance(c, scope, party_org_id, year, today)?;
        Ok(Arc::new(HeatMap::of(&report.items)))
    })
}

pub fn compliance_digest(
    c: &Connection,
    scope: &Scope,
    party_org_id: Option<i64>,
    year: i32,
    today: NaiveDate,
    since: Option<NaiveDate>,
    n: usize,
) -> Result<Arc<Digest>> {
    let key = format!(
        "digest\u{1f}{scope:?}\u{1f}{party_org_id:?}\u{1f}{year}\u{1f}{today}\u{1f}{since:?}\u{1f}{n}"
    );
    memo(key, || {
        let report = compliance(c, scope, party_org_id, year, today)?;
        Ok(Arc::new(Digest::of(&report.items, since, n)))
    })
}

fn org_facts(c: &Connection, path: Option<&str>) -> Result<Vec<OrgFacts>> {
    let mut cond = Cond::new("o.deleted_at IS NULL");
    if let Some(p) = path {
        cond.org_subtree(p);
    }
    let rows = c
        .prepare_cached(&format!(
            "SELECT o.id, o.kind, o.full_members, o.established_on FROM party_orgs o WHERE {} ORDER BY o.path",
            cond.where_clause()
        ))?
        .query_map(params_from_iter(&cond.args), |r| {
            Ok(OrgFacts {
                id: r.get(0)?,
                kind: parse_code(&r.get::<_, String>(1)?, OrgKind::parse)?,
                full_members: r.get(2)?,
                established_on: parse_date(r.get(3)?)?,
            })
        })?
        .collect::<crate::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Adds one `activity_counts` row (org, kind, ym, n) to the counts.
fn add_count(counts: &mut MonthCounts, org: i64, kind: &str, ym: i64, n: i64) -> Result<()> {
    counts.add(
        org,
        parse_code(kind, ActivityKind::parse)?,
        (ym % 100) as u32,
        n,
    );
    Ok(())
}

fn month_counts(c: &Connection, orgs: &[OrgFacts], year: i32) -> Result<MonthCounts> {
    let (lo, hi) = (i64::from(year) * 100 + 1, i64::from(year) * 100 + 12);
    let mut counts = MonthCounts::default();
    let mut add =
        |org: i64, kind: String, ym: i64, n: i64| add_count(&mut counts, org, &kind, ym, n);
    if orgs.len() <= PER_ORG_LOOKUP_MAX {
        let mut st = c.prepare_cached(
            "SELECT party_org_id, kind, ym, n FROM activity_counts
             WHERE party_org_id = ?1 AND ym BETWEEN ?2 AND ?3 AND n > 0",
        )?;
        for o in orgs {
            let mut rows = st.query(params![o.id, lo, hi])?;
            while let Some(r) = rows.next()? {
                add(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)?;
            }
        }
    } else {
        let wanted: HashSet<i64> = orgs.iter().map(|o| o.id).collect();
        let mut st = c.prepare_cached(
            "SELECT party_org_id, kind, ym, n FROM activity_counts WHERE ym BETWEEN ?1 AND ?2 AND n > 0",
        )?;
        let mut rows = st.query(params![lo, hi])?;
        while let Some(r) = rows.next()? {
            let org: i64 = r.get(0)?;
            if wanted.contains(&org) {
                add(org, r.get(1)?, r.get(2)?, r.get(3)?)?;
            }
        }
    }
    Ok(counts)
}

// -------------------------------------------------------------------------- reminders

const REMINDER_COLS: &str = "id, party_org_id, obligation_id, period, reason, activity_kind, \
    ends_on, required, done, created_on, emailed_at";

fn reminder_row(r: &Row) -> crate::Result<Reminder> {
    Ok(Reminder {
        id: r.get(0)?,
        party_org_id: r.get(1)?,
        obligation_id: r.get(2)?,
        period: r.get(3)?,
        reason: if r.get::<_, String>(4)? == "missed" {
            ReminderReason::Missed
        } else {
            ReminderReason::Due
        },
        kind: parse_code(&r.get::<_, String>(5)?, ActivityKind::parse)?,
        ends_on: parse_date(Some(r.get(6)?))?.unwrap_or_default(),
        required: r.get(7)?,
        done: r.get(8)?,
        created_on: parse_date(Some(r.get(9)?))?.unwrap_or_default(),
        emailed_at: r
            .get::<_, Option<String>>(10)?
            .map(|s| parse_instant(&s))
            .transpose()?,
    })
}

pub fn record_reminders(
    tx: &Transaction,
    today: NaiveDate,
    items: &[(ReminderReason, ComplianceItem)],
) -> Result<Vec<Reminder>> {
    let mut out = Vec::new();
    let mut ins = tx.prepare_cached(
        "INSERT INTO reminders (party_org_id, obligation_id, period, reason, activity_kind,
         ends_on, required, done, created_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT DO NOTHING",
    )?;
    for (reason, i) in items {
        let n = ins.execute(params![
            i.party_org_id,
            i.obligation_id,
            i.period,
            reason.as_str(),
            i.kind.as_str(),
            i.ends_on.to_string(),
            i.required,
            i.done,
            today.to_string()
        ])?;
        if n == 1 {
            let id = tx.last_insert_rowid()?;
            out.push(
                tx.prepare_cached(&format!(
                    "SELECT {REMINDER_COLS} FROM reminders WHERE id = ?1"
                ))?
                .query_row([id], reminder_row)?,
            );
        }
    }
    Ok(out)
}

pub fn mark_reminder_emailed(tx: &Transaction, id: i64, error: Option<&str>) -> Result<()> {
    if let Some(e) = error {
        tx.execute(
            "UPDATE reminders SET email_error = ?2 WHERE id = ?1",
            params![id, e],
        )?;
    } else {
        tx.execute(
            "UPDATE reminders SET emailed_at = ?2, email_error = NULL WHERE id = ?1",
            params![id, now_text()],
        )?;
    }
    Ok(())
}

pub fn reminders(
    c: &Connection,
    scope: &Scope,
    since: NaiveDate,
    limit: i64,
) -> Result<Vec<Reminder>> {
    let mut cond = Cond::new("r.id IS NOT NULL");
    cond.push("r.created_on >= ?", [Value::Text(since.to_string())]);
    if let Scope::Subtree { path, .. } = scope {
        let (lo, hi) = Scope::path_range(path);
        cond.push(
            "r.party_org_id IN (SELECT id FROM party_orgs WHERE path >= ? AND path < ? AND deleted_at IS NULL)",
            [Value::Text(lo), Value::Text(hi)],
        );
    }
    let limit = limit.clamp(1, 500);
    let cols = REMINDER_COLS
        .split(", ")
        .map(|c| format!("r.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    c
        .prepare_cached(&format!(
            "SELECT {cols} FROM reminders r WHERE {} ORDER BY r.created_on DESC, r.ends_on, r.id LIMIT {limit}",
            cond.where_clause()
        ))?
        .query_map(params_from_iter(&cond.args), reminder_row)?
        .collect::<crate::Result<Vec<_>>>()
}

// ------------------------------------------------------------------ the trait on the store

#[async_trait]
impl LifeStore for SqlStore {
    async fn list_activities(
        &self,
        scope: &Scope,
        f: &ActivityFilter,
        page: PageReq,
    ) -> Result<Paged<Activity>> {
        let (scope, f) = (scope.clone(), f.clone());
        self.read(move |c, _| list_activities(c, &scope, &f, page))
            .await
    }
    async fn export_activities(
        &self,
        scope: &Scope,
        f: &ActivityFilter,
    ) -> Result<Vec<(Activity, String)>> {
        let (scope, f) = (scope.clone(), f.clone());
        self.read(move |c, _| export_activities(c, &scope, &f))
            .await
    }
    async fn get_activity(&self, scope: &Scope, id: i64) -> Result<Activity> {
        let scope = scope.clone();
        self.read(move |c, _| get_activity(c, &scope, id)).await
    }
    async fn create_activity(
        &self,
        actor: &Actor,
        scope: &Scope,
        a: &ActivityInput,
    ) -> Result<Activity> {
        let (actor, scope, a) = (actor.clone(), scope.clone(), a.clone());
        self.write(move |tx, _| create_activity(tx, &actor, &scope, &a))
            .await
    }
    async fn update_activity(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        a: &ActivityInput,
    ) -> Result<Activity> {
        let (actor, scope, a) = (actor.clone(), scope.clone(), a.clone());
        self.write(move |tx, _| update_activity(tx, &actor, &scope, id, &a))
            .await
    }
    async fn delete_activity(&self, actor: &Actor, scope: &Scope, id: i64) -> Result<()> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| delete_activity(tx, &actor, &scope, id))
            .await
    }
    async fn bulk_activities(&self, actor: &Actor, items: Vec<ActivityInput>) -> Result<usize> {
        let actor = actor.clone();
        self.write(move |tx, _| bulk_activities(tx, &actor, &items))
            .await
    }
    async fn list_obligations(&self) -> Result<Vec<Obligation>> {
        self.read(|c, _| list_obligations(c)).await
    }
    async fn get_obligation(&self, id: i64) -> Result<Obligation> {
        self.read(move |c, _| get_obligation(c, id)).await
    }
    async fn create_obligation(&self, actor: &Actor, o: &ObligationInput) -> Result<Obligation> {
        let (actor, o) = (actor.clone(), o.clone());
        self.write(move |tx, _| create_obligation(tx, &actor, &o))
            .await
    }
    async fn update_obligation(
        &self,
        actor: &Actor,
        id: i64,
        o: &ObligationInput,
    ) -> Result<Obligation> {
        let (actor, o) = (actor.clone(), o.clone());
        self.write(move |tx, _| update_obligation(tx, &actor, id, &o))
            .await
    }
    async fn delete_obligation(&self, actor: &Actor, id: i64) -> Result<()> {
        let actor = actor.clone();
        self.write(move |tx, _| delete_obligation(tx, &actor, id))
            .await
    }
    async fn compliance(
        &self,
        scope: &Scope,
        party_org_id: Option<i64>,
        year: i32,
        today: NaiveDate,
    ) -> Result<Arc<ComplianceReport>> {
        if !(1921..=9998).contains(&year) || today.year() < 1 {
            return Ok(Arc::new(ComplianceReport {
                items: Vec::new(),
                summary: Summary::default(),
            }));
        }
        let scope = scope.clone();
        self.read(move |c, _| compliance(c, &scope, party_org_id, year, today))
            .await
    }
    async fn compliance_heat(
        &self,
        scope: &Scope,
        party_org_id: Option<i64>,
        year: i32,
        today: NaiveDate,
    ) -> Result<Arc<HeatMap>> {
        if !(1921..=9998).contains(&year) {
            return Ok(Arc::new(HeatMap::default()));
        }
        let scope = scope.clone();
        self.read(move |c, _| compliance_heat(c, &scope, party_org_id, year, today))
            .await
    }
    async fn compliance_digest(
        &self,
        scope: &Scope,
        party_org_id: Option<i64>,
        year: i32,
        today: NaiveDate,
        since: Option<NaiveDate>,
        n: usize,
    ) -> Result<Arc<Digest>> {
        if !(1921..=9998).contains(&year) {
            return Ok(Arc::new(Digest::default()));
        }
        let scope = scope.clone();
        self.read(move |c, _| compliance_digest(c, &scope, party_org_id, year, today, since, n))
            .await
    }
    async fn set_user_email(
        &self,
        actor: &Actor,
        user_id: i64,
        email: Option<&str>,
    ) -> Result<User> {
        let (actor, email) = (actor.clone(), email.map(str::to_string));
        self.write(move |tx, _| platform::set_user_email(tx, &actor, user_id, email.as_deref()))
            .await
    }
    async fn reminder_candidates(
        &self,
        year: i32,
        today: NaiveDate,
        due_within_days: i64,
        missed_since: NaiveDate,
    ) -> Result<Vec<ComplianceItem>> {
        if !(1921..=9998).contains(&year) {
            return Ok(Vec::new());
        }
        self.read(move |c, _| reminder_candidates(c, year, today, due_within_days, missed_since))
            .await
    }
    async fn record_reminders(
        &self,
        today: NaiveDate,
        items: Vec<(ReminderReason, ComplianceItem)>,
    ) -> Result<Vec<Reminder>> {
        self.write(move |tx, _| record_reminders(tx, today, &items))
            .await
    }
    async fn mark_reminder_emailed(&self, id: i64, error: Option<String>) -> Result<()> {
        self.write(move |tx, _| mark_reminder_emailed(tx, id, error.as_deref()))
            .await
    }
    async fn reminders(
        &self,
        scope: &Scope,
        since: NaiveDate,
        limit: i64,
    ) -> Result<Vec<Reminder>> {
        let scope = scope.clone();
        self.read(move |c, _| reminders(c, &scope, since, limit))
            .await
    }
}
