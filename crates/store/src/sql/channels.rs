//! `ChannelStore`: M10's publication-channel register and its reviews. A channel's scope
//! follows its society (the covering org's path); `last_reviewed_on` is the latest review's
//! day, kept in the channel's row as each review is recorded (reviews are never removed), so
//! that a page of the register or the checks read no review: a 50-row page deep into the
//! register on PostgreSQL took 9 ms with a max() over the reviews for each row it passed.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use domain::channels::{ChannelKind, NewChannel, NewReview};
use domain::checks::ChannelFacts;

use super::db::{params_from_iter, Connection, OptionalExtension, Row, Transaction, Value};
use super::registry::{in_scope, paged_by, Cond};
use super::work::opt_date;
use super::{audit, like_contains, now_text, parse_code, SqlStore};
use crate::channels::*;
use crate::params;
use crate::{Actor, PageReq, Paged, Result, Scope, StoreError};

const LAST_REVIEW: &str = "c.last_reviewed_on";
const FROM: &str = "channels c JOIN societies s ON s.id = c.society_id \
    LEFT JOIN party_orgs o ON o.id = s.party_org_id AND o.deleted_at IS NULL";
/// An unscoped list needs no org (a page deep into the register then walks two tables).
const FROM_ALL: &str = "channels c JOIN societies s ON s.id = c.society_id";
const LIST_COLS: &str =
    "c.id, c.society_id, s.name, s.party_org_id, c.kind, c.name, c.responsible, \
    c.emergency_plan_on, c.last_reviewed_on";

fn cols() -> String {
    format!("{LIST_COLS}, coalesce(o.path, '')")
}

fn row(r: &Row) -> crate::Result<Channel> {
    Ok(Channel {
        id: r.get(0)?,
        society_id: r.get(1)?,
        society: r.get(2)?,
        party_org_id: r.get(3)?,
        kind: parse_code(&r.get::<_, String>(4)?, ChannelKind::parse)?,
        name: r.get(5)?,
        responsible: r.get(6)?,
        emergency_plan_on: opt_date(r.get(7)?)?,
        last_reviewed_on: opt_date(r.get(8)?)?,
    })
}

/// Live channels of live societies covered in scope.
fn scope_cond(scope: &Scope) -> Cond {
    let mut cond = Cond::new("c.deleted_at IS NULL AND s.deleted_at IS NULL");
    if let Scope::Subtree { path, .. } = scope {
        cond.org_subtree(path);
    }
    cond
}

fn get(c: &Connection, scope: &Scope, id: i64) -> Result<Channel> {
    let found = c
        .prepare_cached(&format!(
            "SELECT {} FROM {FROM} WHERE c.id = ?1 AND c.deleted_at IS NULL AND s.deleted_at IS NULL",
            cols()
        ))?
        .query_row([id], |r| Ok((row(r)?, r.get::<_, String>(9)?)))
        .optional()?;
    match found {
        Some((ch, path)) if in_scope(scope, (!path.is_empty()).then_some(path.as_str())) => Ok(ch),
        _ => Err(StoreError::NotFound),
    }
}

fn list(
    c: &Connection,
    scope: &Scope,
    f: &ChannelFilter,
    today: NaiveDate,
    days: i64,
    page: PageReq,
) -> Result<Paged<Channel>> {
    let mut cond = scope_cond(scope);
    if let Some(q) = f.q.as_deref().filter(|q| !q.is_empty()) {
        cond.push("c.name LIKE ? ESCAPE '\\'", [Value::Text(like_contains(q))]);
    }
    if let Some(s) = f.society_id {
        cond.push("c.society_id = ?", [Value::Integer(s)]);
    }
    if let Some(o) = f.party_org_id {
        cond.push("s.party_org_id = ?", [Value::Integer(o)]);
    }
    if let Some(k) = f.kind {
        cond.push("c.kind = ?", [Value::Text(k.as_str().into())]);
    }
    match f.without_plan {
        Some(true) => cond.push("c.emergency_plan_on IS NULL", []),
        Some(false) => cond.push("c.emergency_plan_on IS NOT NULL", []),
        None => {}
    }
    if let Some(overdue) = f.review_overdue {
        // overdue: never reviewed (''), or the latest review before today − days
        let cutoff = (today - chrono::Duration::days(days.max(0))).to_string();
        let op = if overdue { "<" } else { ">=" };
        cond.push(
            &format!("coalesce({LAST_REVIEW}, '') {op} ?"),
            [Value::Text(cutoff)],
        );
    }
    let from = match scope {
        Scope::All => FROM_ALL,
        Scope::Subtree { .. } => FROM,
    };
    paged_by(c, from, LIST_COLS, &cond, "c.society_id, c.id", page, row)
}

/// The same name twice among one society's live channels → `Conflict("name")`.
fn name_taken(c: &Connection, ch: &NewChannel, except: Option<i64>) -> Result<()> {
    let other: Option<i64> = c
        .prepare_cached(
            "SELECT id FROM channels WHERE society_id = ?1 AND name = ?2 AND deleted_at IS NULL",
        )?
        .query_row(params![ch.society_id, ch.name], |r| r.get(0))
        .optional()?;
    match other {
        Some(id) if Some(id) != except => Err(StoreError::Conflict("name")),
        _ => Ok(()),
    }
}

fn save(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    id: Option<i64>,
    ch: &NewChannel,
) -> Result<Channel> {
    let before = id.map(|id| get(tx, scope, id)).transpose()?;
    if before
        .as_ref()
        .is_none_or(|b| b.society_id != ch.society_id)
    {
        super::reports::check_society(tx, scope, ch.society_id)?;
    }
    name_taken(tx, ch, id)?;
    let now = now_text();
    let plan = ch.emergency_plan_on.map(|d| d.to_string());
    let id = match id {
        None => {
            tx.prepare_cached(
                "INSERT INTO channels (society_id, kind, name, responsible, emergency_plan_on, created_at, updated_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
            )?
            .execute(params![
                ch.society_id,
                ch.kind.as_str(),
                ch.name,
                ch.responsible,
                plan,
                now,
                actor.user_id
            ])?;
            tx.last_insert_rowid()?
        }
        Some(id) => {
            tx.prepare_cached(
                "UPDATE channels SET society_id = ?1, kind = ?2, name = ?3, responsible = ?4,
                     emergency_plan_on = ?5, updated_at = ?6 WHERE id = ?7",
            )?
            .execute(params![
                ch.society_id,
                ch.kind.as_str(),
                ch.name,
                ch.responsible,
                plan,
                now,
                id
            ])?;
            id
        }
    };
    let after = get(tx, &Scope::All, id)?;
    let action = if before.is_some() { "update" } else { "create" };
    audit(
        tx,
        actor,
        action,
        "channel",
        Some(id),
        before.as_ref(),
        Some(&after),
    )?;
    Ok(after)
}

fn delete(tx: &Transaction, actor: &Actor, scope: &Scope, id: i64) -> Result<()> {
    let before = get(tx, scope, id)?;
    tx.execute(
        "UPDATE channels SET deleted_at = ?1, deleted_by = ?2 WHERE id = ?3",
        params![now_text(), actor.user_id, id],
    )?;
    audit(
        tx,
        actor,
        "delete",
        "channel",
        Some(id),
        Some(&before),
        None::<&()>,
    )
}

fn review_row(r: &Row) -> crate::Result<ChannelReview> {
    Ok(ChannelReview {
        id: r.get(0)?,
        channel_id: r.get(1)?,
        reviewed_on: opt_date(Some(r.get(2)?))?.unwrap_or_default(),
        notes: r.get(3)?,
    })
}

const REVIEW_COLS: &str = "id, channel_id, reviewed_on, notes";

fn add_review(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    channel_id: i64,
    r: &NewReview,
) -> Result<ChannelReview> {
    get(tx, scope, channel_id)?;
    tx.prepare_cached(
        "INSERT INTO channel_reviews (channel_id, reviewed_on, notes, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        channel_id,
        r.reviewed_on.to_string(),
        r.notes,
        now_text(),
        actor.user_id
    ])?;
    let id = tx.last_insert_rowid()?;
    tx.prepare_cached(
        "UPDATE channels SET last_reviewed_on = ?2
         WHERE id = ?1 AND (last_reviewed_on IS NULL OR last_reviewed_on < ?2)",
    )?
    .execute(params![channel_id, r.reviewed_on.to_string()])?;
    let after = tx
        .prepare_cached(&format!(
            "SELECT {REVIEW_COLS} FROM channel_reviews WHERE id = ?1"
        ))?
        .query_row([id], review_row)?;
    audit(
        tx,
        actor,
        "create",
        "channel_review",
        Some(id),
        None::<&()>,
        Some(&after),
    )?;
    Ok(after)
}

fn list_reviews(c: &Connection, scope: &Scope, channel_id: i64) -> Result<Vec<ChannelReview>> {
    get(c, scope, channel_id)?;
    c.prepare_cached(&format!(
        "SELECT {REVIEW_COLS} FROM channel_reviews WHERE channel_id = ?1
         ORDER BY reviewed_on DESC, id DESC"
    ))?
    .query_map([channel_id], review_row)?
    .collect()
}

fn facts(c: &Connection, scope: &Scope) -> Result<Vec<ChannelFacts>> {
    let cond = scope_cond(scope);
    c.prepare(&format!(
        "SELECT c.id, c.name, c.society_id, s.name, s.party_org_id, c.emergency_plan_on, {LAST_REVIEW}
         FROM {FROM} WHERE {} ORDER BY c.society_id, c.id",
        cond.where_clause()
    ))?
    .query_map(params_from_iter(&cond.args), |r| {
        Ok(ChannelFacts {
            id: r.get(0)?,
            name: r.get(1)?,
            society_id: r.get(2)?,
            society: r.get(3)?,
            party_org_id: r.get(4)?,
            emergency_plan_on: opt_date(r.get(5)?)?,
            last_reviewed_on: opt_date(r.get(6)?)?,
        })
    })?
    .collect()
}

#[async_trait]
impl ChannelStore for SqlStore {
    async fn create_channel(
        &self,
        actor: &Actor,
        scope: &Scope,
        ch: NewChannel,
    ) -> Result<Channel> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| save(tx, &actor, &scope, None, &ch))
            .await
    }
    async fn update_channel(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        ch: NewChannel,
    ) -> Result<Channel> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| save(tx, &actor, &scope, Some(id), &ch))
            .await
    }
    async fn delete_channel(&self, actor: &Actor, scope: &Scope, id: i64) -> Result<()> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| delete(tx, &actor, &scope, id))
            .await
    }
    async fn get_channel(&self, scope: &Scope, id: i64) -> Result<Channel> {
        let scope = scope.clone();
        self.read(move |c, _| get(c, &scope, id)).await
    }
    async fn list_channels(
        &self,
        scope: &Scope,
        f: &ChannelFilter,
        today: NaiveDate,
        page: PageReq,
    ) -> Result<Paged<Channel>> {
        let (scope, f) = (scope.clone(), f.clone());
        self.read(move |c, rules| list(c, &scope, &f, today, rules.channel_review_days, page))
            .await
    }
    async fn add_channel_review(
        &self,
        actor: &Actor,
        scope: &Scope,
        channel_id: i64,
        r: NewReview,
    ) -> Result<ChannelReview> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| add_review(tx, &actor, &scope, channel_id, &r))
            .await
    }
    async fn list_channel_reviews(
        &self,
        scope: &Scope,
        channel_id: i64,
    ) -> Result<Vec<ChannelReview>> {
        let scope = scope.clone();
        self.read(move |c, _| list_reviews(c, &scope, channel_id))
            .await
    }
    async fn channel_facts(&self, scope: &Scope) -> Result<Arc<Vec<ChannelFacts>>> {
        let scope = scope.clone();
        self.read(move |c, _| {
            super::memo(format!("channel_facts\u{1f}{scope:?}"), || {
                facts(c, &scope).map(Arc::new)
            })
        })
        .await
    }
    async fn bulk_channels(&self, actor: &Actor, b: BulkChannels) -> Result<()> {
        let actor = actor.clone();
        self.write(move |tx, _| super::liaison_bulk::bulk_channels(tx, &actor, &b))
            .await
    }
}
