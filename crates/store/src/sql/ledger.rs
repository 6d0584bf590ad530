//! `LedgerStore` for SQLite: one table descriptor per ledger kind, and the generic reads
//! and conditions written once over it.

use super::db::Value;
use super::db::{params_from_iter, Connection, Dialect, OptionalExtension, Row, Transaction};
use crate::params;
use async_trait::async_trait;
use chrono::{Datelike, NaiveDate};
use domain::ledger::{self, LedgerKind, ASSIGNMENTS, RECTIFICATIONS, SUBMISSIONS};

use super::registry::{in_scope, paged_by, Cond};
use super::work::{date, opt_date, scoped};
use super::{audit, parse_instant, SqlStore};
use crate::ledger::*;
use crate::work::LedgerSort;
use crate::{Actor, PageReq, Paged, Result, Scope, StoreError};

/// Where a ledger kind lives.
pub(super) struct Table {
    pub kind: &'static LedgerKind,
    /// Its rows joined with their org as `o`.
    pub from: &'static str,
    /// The same rows walked org by org in tree order (`CROSS JOIN` keeps that join order),
    /// so a page sorted by org stops after its rows instead of sorting every match.
    pub from_by_org: &'static str,
    /// The record table's alias (`state`, `due_on`, `party_org_id` are its columns).
    pub alias: &'static str,
    /// The live rows (not deleted, nor their parent).
    pub live: &'static str,
    pub title: &'static str,
    /// The column of the first answer's local day.
    pub first_answer: &'static str,
    /// The column of the local day it was closed, where the kind keeps one.
    pub closed_on: Option<&'static str>,
    /// The events table and its key column, where the kind keeps its history in one.
    pub events: Option<(&'static str, &'static str)>,
}

pub(super) static ASSIGNMENT_TABLE: Table = Table {
    kind: &ASSIGNMENTS,
    from: "assignments a JOIN tasks t ON t.id = a.task_id JOIN party_orgs o ON o.id = a.party_org_id",
    from_by_org: "party_orgs o CROSS JOIN assignments a ON o.id = a.party_org_id JOIN tasks t ON t.id = a.task_id",
    alias: "a",
    live: "a.deleted_at IS NULL AND t.deleted_at IS NULL",
    title: "t.title",
    first_answer: "a.first_reported_on",
    closed_on: None,
    events: None,
};

pub(super) static RECTIFICATION_TABLE: Table = Table {
    kind: &RECTIFICATIONS,
    from: "rectifications r JOIN findings f ON f.id = r.finding_id JOIN party_orgs o ON o.id = r.party_org_id",
    from_by_org: "party_orgs o CROSS JOIN rectifications r ON o.id = r.party_org_id JOIN findings f ON f.id = r.finding_id",
    alias: "r",
    live: "r.deleted_at IS NULL AND f.deleted_at IS NULL",
    title: "f.description",
    first_answer: "r.first_submitted_on",
    closed_on: Some("r.verified_on"),
    events: Some(("rectification_events", "rectification_id")),
};

/// A project's submission whose society no org covers has no org: the office's alone.
pub(super) static SUBMISSION_TABLE: Table = Table {
    kind: &SUBMISSIONS,
    from: "report_submissions s JOIN report_forms fm ON fm.id = s.form_id LEFT JOIN party_orgs o ON o.id = s.party_org_id",
    from_by_org: "party_orgs o CROSS JOIN report_submissions s ON o.id = s.party_org_id JOIN report_forms fm ON fm.id = s.form_id",
    alias: "s",
    live: "s.deleted_at IS NULL AND fm.deleted_at IS NULL",
    title: "fm.title || ' ' || s.period",
    first_answer: "s.first_submitted_on",
    closed_on: Some("s.accepted_on"),
    events: Some(("report_submission_events", "submission_id")),
};

/// The table of a kind; a kind this store does not keep (yet) has no records.
pub(super) fn table(kind: &'static LedgerKind) -> Result<&'static Table> {
    [&ASSIGNMENT_TABLE, &RECTIFICATION_TABLE, &SUBMISSION_TABLE]
        .into_iter()
        .find(|t| std::ptr::eq(t.kind, kind) || t.kind.entity == kind.entity)
        .ok_or(StoreError::NotFound)
}

/// The filters every ledger list has. `from`/`to` bound `period_col` (the due day for
/// assignments, the day found for rectifications).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Common<'a> {
    pub party_org_id: Option<i64>,
    /// The rows of this org's subtree (the org itself included).
    pub under: Option<i64>,
    pub state: Option<&'a str>,
    pub overdue: Option<bool>,
    /// The org's own lateness (first answer after the due day, or none and the day passed).
    pub late: Option<bool>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub period_col: &'a str,
}

impl Table {
    /// The condition of a ledger list: live rows in scope, and the common filters.
    pub(super) fn cond(&self, scope: &Scope, f: Common, today: NaiveDate) -> Cond {
        let a = self.alias;
        let mut cond = scoped(self.live, scope);
        if let Some(o) = f.party_org_id {
            cond.push(&format!("{a}.party_org_id = ?"), [Value::Integer(o)]);
        }
        if let Some(u) = f.under {
            cond.under(u);
        }
        if let Some(s) = f.state {
            cond.push(&format!("{a}.state = ?"), [Value::Text(s.into())]);
        }
        // `coalesce()` (SQLite's `+`, portably) keeps the planner from taking the due-date range
        // and sorting it by id:
        // overdue rows come first in due order and are found by walking the page's order.
        let fin = self.kind.final_state;
        let day = [Value::Text(today.to_string())];
        match f.overdue {
            Some(true) => cond.push(
                &format!("{a}.state <> '{fin}' AND coalesce({a}.due_on, '') < ?"),
                day,
            ),
            Some(false) => cond.push(&format!("({a}.state = '{fin}' OR {a}.due_on >= ?)"), day),
            None => {}
        }
        let first = self.first_answer;
        let day = [Value::Text(today.to_string())];
        match f.late {
            Some(true) => cond.push(&format!("coalesce({first}, ?) > {a}.due_on"), day),
            Some(false) => cond.push(&format!("coalesce({first}, ?) <= {a}.due_on"), day),
            None => {}
        }
        if let Some(d) = f.from {
            cond.push(
                &format!("{} >= ?", f.period_col),
                [Value::Text(d.to_string())],
            );
        }
        if let Some(d) = f.to {
            cond.push(
                &format!("{} <= ?", f.period_col),
                [Value::Text(d.to_string())],
            );
        }
        cond
    }

    /// The rows for `sort`. `CROSS JOIN … ON` is SQLite's way to fix the join order;
    /// PostgreSQL plans the join itself (and spells it `JOIN`).
    fn rows_for(&self, c: &Connection, sort: LedgerSort) -> std::borrow::Cow<'static, str> {
        match (sort, c.dialect()) {
            (LedgerSort::Org, Dialect::Sqlite) => self.from_by_org.into(),
            (LedgerSort::Org, Dialect::Postgres) => {
                self.from_by_org.replacen("CROSS JOIN", "JOIN", 1).into()
            }
            _ => self.from.into(),
        }
    }

    fn order(&self, sort: LedgerSort) -> String {
        let a = self.alias;
        match sort {
            LedgerSort::Id => format!("{a}.id"),
            LedgerSort::DueOn => format!("{a}.due_on, {a}.id"),
            LedgerSort::DueOnDesc => format!("{a}.due_on DESC, {a}.id DESC"),
            LedgerSort::Org => format!("o.path, {a}.id"),
        }
    }

    /// A page of the kind's own rows (`cols`, read by `row`).
    pub(super) fn list<T>(
        &self,
        c: &Connection,
        cond: &Cond,
        cols: &str,
        sort: LedgerSort,
        page: PageReq,
        row: impl FnMut(&Row) -> crate::Result<T>,
    ) -> Result<Paged<T>> {
        paged_by(
            c,
            &self.rows_for(c, sort),
            cols,
            cond,
            &self.order(sort),
            page,
            row,
        )
    }

    /// Every matching row with its org's name (the xlsx ledger, the bulletins); `row`
    /// reads `cols`, the name follows them at index `n_cols`.
    pub(super) fn export<T>(
        &self,
        c: &Connection,
        cond: &Cond,
        cols: &str,
        n_cols: usize,
        sort: LedgerSort,
        mut row: impl FnMut(&Row) -> crate::Result<T>,
    ) -> Result<Vec<(T, String)>> {
        c.prepare(&format!(
            "SELECT {cols}, o.name FROM {} WHERE {} ORDER BY {}",
            &self.rows_for(c, sort),
            cond.where_clause(),
            self.order(sort)
        ))?
        .query_map(params_from_iter(&cond.args), |r| {
            Ok((row(r)?, r.get(n_cols)?))
        })?
        .collect::<crate::Result<Vec<_>>>()
    }

    fn head_cols(&self) -> String {
        let a = self.alias;
        format!(
            "{a}.id, coalesce({a}.party_org_id, 0), {}, {a}.state, {a}.due_on, {}, coalesce(o.path, '')",
            self.title, self.first_answer
        )
    }

    fn head_row(&self, r: &Row, today: NaiveDate) -> crate::Result<(LedgerRow, String)> {
        let state: String = r.get(3)?;
        let due_on = date(r.get(4)?)?;
        let first_answered_on = opt_date(r.get(5)?)?;
        Ok((
            LedgerRow {
                kind: self.kind.entity,
                id: r.get(0)?,
                party_org_id: r.get(1)?,
                title: r.get(2)?,
                overdue: self.kind.overdue(&state, due_on, today),
                late: ledger::late(first_answered_on, due_on, today),
                state,
                due_on,
                first_answered_on,
            },
            r.get(6)?,
        ))
    }

    /// The record in scope; `NotFound` otherwise.
    pub(super) fn record(
        &self,
        c: &Connection,
        scope: &Scope,
        id: i64,
        today: NaiveDate,
    ) -> Result<LedgerRow> {
        let found = c
            .prepare_cached(&format!(
                "SELECT {} FROM {} WHERE {}.id = ?1 AND {}",
                self.head_cols(),
                self.from,
                self.alias,
                self.live
            ))?
            .query_row([id], |r| self.head_row(r, today))
            .optional()?;
        match found {
            Some((row, path)) if in_scope(scope, Some(&path)) => Ok(row),
            _ => Err(StoreError::NotFound),
        }
    }

    fn queue(
        &self,
        c: &Connection,
        scope: &Scope,
        states: &[&str],
        today: NaiveDate,
        page: PageReq,
    ) -> Result<Paged<LedgerRow>> {
        let a = self.alias;
        let mut cond = self.cond(scope, Common::default(), today);
        if states.is_empty() {
            cond.push("0", []);
        } else {
            let marks = vec!["?"; states.len()].join(", ");
            cond.push(
                &format!("{a}.state IN ({marks})"),
                states.iter().map(|s| Value::Text(s.to_string())),
            );
        }
        paged_by(
            c,
            self.from,
            &self.head_cols(),
            &cond,
            &format!("{a}.due_on, {a}.id"),
            page,
            |r| self.head_row(r, today).map(|(row, _)| row),
        )
    }

    fn count_in(&self, c: &Connection, scope: &Scope, states: &[&str]) -> Result<i64> {
        let a = self.alias;
        let mut cond = self.cond(scope, Common::default(), NaiveDate::default());
        if states.is_empty() {
            return Ok(0);
        }
        let marks = vec!["?"; states.len()].join(", ");
        cond.push(
            &format!("{a}.state IN ({marks})"),
            states.iter().map(|s| Value::Text(s.to_string())),
        );
        super::count(
            c,
            &format!(
                "SELECT count(*) FROM {} WHERE {}",
                self.from,
                cond.where_clause()
            ),
            &cond.args,
        )
    }

    fn most_late(
        &self,
        c: &Connection,
        scope: &Scope,
        today: NaiveDate,
        limit: usize,
    ) -> Result<Vec<(i64, i64)>> {
        let a = self.alias;
        let f = Common {
            late: Some(true),
            ..Default::default()
        };
        let cond = self.cond(scope, f, today);
        let limit = limit.clamp(1, 100);
        c.prepare_cached(&format!(
            "SELECT {a}.party_org_id, count(*) AS n FROM {} WHERE {} AND {a}.party_org_id IS NOT NULL \
                 GROUP BY {a}.party_org_id ORDER BY n DESC, min(o.path) LIMIT {limit}",
            self.from,
            cond.where_clause()
        ))?
        .query_map(params_from_iter(&cond.args), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<crate::Result<Vec<_>>>()
    }

    fn late_by_org(
        &self,
        c: &Connection,
        scope: &Scope,
        today: NaiveDate,
        due_from: NaiveDate,
    ) -> Result<std::collections::HashMap<i64, i64>> {
        let a = self.alias;
        let due = format!("{a}.due_on");
        let f = Common {
            late: Some(true),
            from: Some(due_from),
            period_col: &due,
            ..Default::default()
        };
        let cond = self.cond(scope, f, today);
        c.prepare_cached(&format!(
            "SELECT {a}.party_org_id, count(*) FROM {} WHERE {} AND {a}.party_org_id IS NOT NULL \
                 GROUP BY {a}.party_org_id",
            self.from,
            cond.where_clause()
        ))?
        .query_map(params_from_iter(&cond.args), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<crate::Result<_>>()
    }

    fn by_month(
        &self,
        c: &Connection,
        scope: &Scope,
        from: NaiveDate,
        today: NaiveDate,
    ) -> Result<Vec<LedgerMonth>> {
        let cond = self.cond(scope, Common::default(), today);
        let start = from.format("%Y-%m-01").to_string();
        let per_month = |col: &str| -> Result<std::collections::HashMap<String, i64>> {
            let mut args = cond.args.clone();
            args.push(Value::Text(start.clone()));
            c.prepare_cached(&format!(
                "SELECT substr({col}, 1, 7) AS m, count(*) FROM {} WHERE {} AND {col} >= ? GROUP BY m",
                self.from,
                cond.where_clause()
            ))?
            .query_map(params_from_iter(&args), |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<crate::Result<_>>()
        };
        let answered = per_month(self.first_answer)?;
        let closed = self.closed_on.map(per_month).transpose()?;
        let mut out = Vec::new();
        let mut m = NaiveDate::from_ymd_opt(from.year(), from.month(), 1).unwrap_or(from);
        while m <= today {
            let key = m.format("%Y-%m").to_string();
            out.push(LedgerMonth {
                answered: answered.get(&key).copied().unwrap_or(0),
                closed: closed.as_ref().map(|c| c.get(&key).copied().unwrap_or(0)),
                month: key,
            });
            m = m
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(NaiveDate::MAX);
        }
        Ok(out)
    }

    fn counts(&self, c: &Connection, scope: &Scope, today: NaiveDate) -> Result<LedgerCounts> {
        let a = self.alias;
        let cond = self.cond(scope, Common::default(), today);
        let fin = self.kind.final_state;
        // The two marks of the select list come before the condition's.
        let mut args = vec![Value::Text(today.to_string()); 2];
        args.extend(cond.args.iter().cloned());
        let mut out = LedgerCounts {
            by_state: self.kind.states.iter().map(|s| (*s, 0)).collect(),
            ..Default::default()
        };
        let mut st = c.prepare_cached(&format!(
            "SELECT {a}.state, count(*), count(*) FILTER (WHERE {a}.state <> '{fin}' AND {a}.due_on < ?),
                    count(*) FILTER (WHERE coalesce({first}, ?) > {a}.due_on)
             FROM {from} WHERE {w} GROUP BY {a}.state",
            first = self.first_answer,
            from = self.from,
            w = cond.where_clause(),
        ))?;
        let rows = st.query_map(params_from_iter(&args), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        for row in rows {
            let (state, n, overdue, late) = row?;
            out.total += n;
            out.overdue += overdue;
            out.late += late;
            if let Some(slot) = out.by_state.iter_mut().find(|(s, _)| *s == state) {
                slot.1 += n;
            }
        }
        Ok(out)
    }
}

/// The history of a record: for assignments, its progress reports and their reviews; for
/// the others, their events table.
fn history(c: &Connection, t: &Table, id: i64) -> Result<Vec<LedgerEvent>> {
    if std::ptr::eq(t, &ASSIGNMENT_TABLE) {
        let mut out = Vec::new();
        let mut st = c.prepare_cached(
            "SELECT progress, text, reported_at, reported_by, decision, comment, reviewed_at, reviewed_by
             FROM progress_reports WHERE assignment_id = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                parse_instant(&r.get::<_, String>(2)?)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })?;
        for row in rows {
            let (progress, text, at, by, decision, comment, reviewed_at, reviewed_by) = row?;
            out.push(LedgerEvent {
                action: "report".into(),
                text: Some(text).filter(|t| !t.is_empty()),
                at,
                actor: by,
                progress: Some(progress),
            });
            if let (Some(d), Some(at)) = (decision, reviewed_at) {
                out.push(LedgerEvent {
                    action: d,
                    text: comment,
                    at: parse_instant(&at)?,
                    actor: reviewed_by.unwrap_or_default(),
                    progress: None,
                });
            }
        }
        out.sort_by_key(|e| e.at);
        return Ok(out);
    }
    let Some((events, key)) = t.events else {
        return Ok(Vec::new());
    };
    c.prepare_cached(&format!(
        "SELECT action, text, at, actor FROM {events} WHERE {key} = ?1 ORDER BY id"
    ))?
    .query_map([id], |r| {
        Ok(LedgerEvent {
            action: r.get(0)?,
            text: r.get(1)?,
            at: parse_instant(&r.get::<_, String>(2)?)?,
            actor: r.get(3)?,
            progress: None,
        })
    })?
    .collect::<crate::Result<Vec<_>>>()
}

// ---------------------------------------------------------------- evidence

const ATTACHMENT_COLS: &str =
    "id, owner, owner_id, file_name, content_type, size, sha256, created_at";

fn attachment_row(kind: &'static LedgerKind, r: &Row) -> crate::Result<LedgerAttachment> {
    Ok(LedgerAttachment {
        id: r.get(0)?,
        owner: kind.entity,
        owner_id: r.get(2)?,
        file_name: r.get(3)?,
        content_type: r.get(4)?,
        size: r.get(5)?,
        sha256: r.get(6)?,
        created_at: parse_instant(&r.get::<_, String>(7)?)?,
    })
}

/// The owner in scope (else `NotFound`); `Ok(true)` when it is closed.
fn owner_closed(c: &Connection, scope: &Scope, kind: &'static LedgerKind, id: i64) -> Result<bool> {
    let row = table(kind)?.record(c, scope, id, NaiveDate::default())?;
    Ok(kind.is_final(&row.state))
}

pub(super) fn add_attachment(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    kind: &'static LedgerKind,
    owner_id: i64,
    a: &crate::life::NewAttachment,
) -> Result<LedgerAttachment> {
    // A closed record is final: its evidence too.
    if owner_closed(tx, scope, kind, owner_id)? {
        return Err(StoreError::Conflict("state"));
    }
    let id = super::attachments::insert(tx, actor, kind.entity, owner_id, a)?;
    let after = get_attachment(tx, &Scope::All, kind, owner_id, id)?;
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

fn list_attachments(
    c: &Connection,
    scope: &Scope,
    kind: &'static LedgerKind,
    owner_id: i64,
) -> Result<Vec<LedgerAttachment>> {
    owner_closed(c, scope, kind, owner_id)?;
    c
        .prepare_cached(&format!(
            "SELECT {ATTACHMENT_COLS} FROM attachments WHERE owner = ?1 AND owner_id = ?2 AND deleted_at IS NULL ORDER BY id"
        ))?
        .query_map(params![kind.entity, owner_id], |r| attachment_row(kind, r))?
        .collect::<crate::Result<Vec<_>>>()
}

fn get_attachment(
    c: &Connection,
    scope: &Scope,
    kind: &'static LedgerKind,
    owner_id: i64,
    id: i64,
) -> Result<LedgerAttachment> {
    owner_closed(c, scope, kind, owner_id)?;
    c.prepare_cached(&format!(
        "SELECT {ATTACHMENT_COLS} FROM attachments WHERE id = ?1 AND owner = ?2 AND owner_id = ?3 AND deleted_at IS NULL"
    ))?
    .query_row(params![id, kind.entity, owner_id], |r| attachment_row(kind, r))
    .optional()?
    .ok_or(StoreError::NotFound)
}

#[async_trait]
impl LedgerStore for SqlStore {
    async fn ledger_record(
        &self,
        kind: &'static LedgerKind,
        scope: &Scope,
        id: i64,
        today: NaiveDate,
    ) -> Result<LedgerRow> {
        let scope = scope.clone();
        self.read(move |c, _| table(kind)?.record(c, &scope, id, today))
            .await
    }
    async fn ledger_queue(
        &self,
        kind: &'static LedgerKind,
        scope: &Scope,
        states: &[&'static str],
        today: NaiveDate,
        page: PageReq,
    ) -> Result<Paged<LedgerRow>> {
        let (scope, states) = (scope.clone(), states.to_vec());
        self.read(move |c, _| table(kind)?.queue(c, &scope, &states, today, page))
            .await
    }
    async fn ledger_history(
        &self,
        kind: &'static LedgerKind,
        scope: &Scope,
        id: i64,
    ) -> Result<Vec<LedgerEvent>> {
        let scope = scope.clone();
        self.read(move |c, _| {
            let t = table(kind)?;
            t.record(c, &scope, id, NaiveDate::default())?;
            history(c, t, id)
        })
        .await
    }
    async fn ledger_counts(
        &self,
        kind: &'static LedgerKind,
        scope: &Scope,
        today: NaiveDate,
    ) -> Result<LedgerCounts> {
        let scope = scope.clone();
        self.read(move |c, _| {
            super::memo(
                format!(
                    "ledger_counts\u{1f}{}\u{1f}{scope:?}\u{1f}{today}",
                    kind.entity
                ),
                || table(kind)?.counts(c, &scope, today),
            )
        })
        .await
    }
    async fn ledger_count_in(
        &self,
        kind: &'static LedgerKind,
        scope: &Scope,
        states: &[&'static str],
    ) -> Result<i64> {
        let (scope, states) = (scope.clone(), states.to_vec());
        self.read(move |c, _| table(kind)?.count_in(c, &scope, &states))
            .await
    }
    async fn ledger_most_late(
        &self,
        kind: &'static LedgerKind,
        scope: &Scope,
        today: NaiveDate,
        limit: usize,
    ) -> Result<Vec<(i64, i64)>> {
        let scope = scope.clone();
        self.read(move |c, _| {
            super::memo(
                format!(
                    "ledger_most_late\u{1f}{}\u{1f}{scope:?}\u{1f}{today}\u{1f}{limit}",
                    kind.entity
                ),
                || table(kind)?.most_late(c, &scope, today, limit),
            )
        })
        .await
    }
    async fn ledger_late_by_org(
        &self,
        kind: &'static LedgerKind,
        scope: &Scope,
        today: NaiveDate,
        due_from: NaiveDate,
    ) -> Result<std::collections::HashMap<i64, i64>> {
        let scope = scope.clone();
        self.read(move |c, _| {
            super::memo(
                format!(
                    "ledger_late_by_org\u{1f}{}\u{1f}{scope:?}\u{1f}{today}\u{1f}{due_from}",
                    kind.entity
                ),
                || table(kind)?.late_by_org(c, &scope, today, due_from),
            )
        })
        .await
    }
    async fn ledger_by_month(
        &self,
        kind: &'static LedgerKind,
        scope: &Scope,
        from: NaiveDate,
        today: NaiveDate,
    ) -> Result<Vec<LedgerMonth>> {
        let scope = scope.clone();
        self.read(move |c, _| {
            super::memo(
                format!(
                    "ledger_by_month\u{1f}{}\u{1f}{scope:?}\u{1f}{from}\u{1f}{today}",
                    kind.entity
                ),
                || table(kind)?.by_month(c, &scope, from, today),
            )
        })
        .await
    }
    async fn add_ledger_attachment(
        &self,
        actor: &Actor,
        scope: &Scope,
        kind: &'static LedgerKind,
        owner_id: i64,
        a: &crate::life::NewAttachment,
    ) -> Result<LedgerAttachment> {
        let (actor, scope, a) = (actor.clone(), scope.clone(), a.clone());
        self.write(move |tx, _| add_attachment(tx, &actor, &scope, kind, owner_id, &a))
            .await
    }
    async fn list_ledger_attachments(
        &self,
        scope: &Scope,
        kind: &'static LedgerKind,
        owner_id: i64,
    ) -> Result<Vec<LedgerAttachment>> {
        let scope = scope.clone();
        self.read(move |c, _| list_attachments(c, &scope, kind, owner_id))
            .await
    }
    async fn get_ledger_attachment(
        &self,
        scope: &Scope,
        kind: &'static LedgerKind,
        owner_id: i64,
        id: i64,
    ) -> Result<LedgerAttachment> {
        let scope = scope.clone();
        self.read(move |c, _| get_attachment(c, &scope, kind, owner_id, id))
            .await
    }
}
