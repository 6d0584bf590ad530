//! `TrainingStore`: M8's office-holder register.

use async_trait::async_trait;
use domain::training::{NewOfficeHolder, Position};

use super::db::{Connection, OptionalExtension, Row, Transaction, Value};
use super::registry::{in_scope, paged_by, target_org};
use super::work::{opt_date, scoped};
use super::{audit, parse_code, SqlStore};
use crate::params;
use crate::training::*;
use crate::{Actor, PageReq, Paged, Result, Scope, StoreError};

const COLS: &str = "h.id, h.name, h.party_org_id, h.position, h.since, h.until";
const FROM: &str = "office_holders h JOIN party_orgs o ON o.id = h.party_org_id";

fn row(r: &Row) -> crate::Result<OfficeHolder> {
    Ok(OfficeHolder {
        id: r.get(0)?,
        name: r.get(1)?,
        party_org_id: r.get(2)?,
        position: parse_code(&r.get::<_, String>(3)?, Position::parse)?,
        since: opt_date(Some(r.get(4)?))?.unwrap_or_default(),
        until: opt_date(r.get(5)?)?,
    })
}

fn get(c: &Connection, scope: &Scope, id: i64) -> Result<OfficeHolder> {
    let found = c
        .prepare_cached(&format!(
            "SELECT {COLS}, o.path FROM {FROM} WHERE h.id = ?1 AND h.deleted_at IS NULL"
        ))?
        .query_row([id], |r| Ok((row(r)?, r.get::<_, String>(6)?)))
        .optional()?;
    match found {
        Some((h, path)) if in_scope(scope, Some(&path)) => Ok(h),
        _ => Err(StoreError::NotFound),
    }
}

fn create(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    h: &NewOfficeHolder,
) -> Result<OfficeHolder> {
    target_org(tx, scope, "party_org_id", Some(h.party_org_id))?;
    let now = super::now_text();
    tx.prepare_cached(
        "INSERT INTO office_holders (name, party_org_id, position, since, until, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![
        h.name,
        h.party_org_id,
        h.position.as_str(),
        h.since.to_string(),
        h.until.map(|d| d.to_string()),
        now
    ])?;
    let id = tx.last_insert_rowid()?;
    let after = get(tx, &Scope::All, id)?;
    audit(
        tx,
        actor,
        "create",
        "office_holder",
        Some(id),
        None::<&()>,
        Some(&after),
    )?;
    Ok(after)
}

fn update(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    h: &NewOfficeHolder,
) -> Result<OfficeHolder> {
    let before = get(tx, scope, id)?;
    if before.party_org_id != h.party_org_id {
        target_org(tx, scope, "party_org_id", Some(h.party_org_id))?;
    }
    tx.prepare_cached(
        "UPDATE office_holders SET name = ?1, party_org_id = ?2, position = ?3, since = ?4, until = ?5,
             updated_at = ?6 WHERE id = ?7",
    )?
    .execute(params![
        h.name,
        h.party_org_id,
        h.position.as_str(),
        h.since.to_string(),
        h.until.map(|d| d.to_string()),
        super::now_text(),
        id
    ])?;
    let after = get(tx, &Scope::All, id)?;
    audit(
        tx,
        actor,
        "update",
        "office_holder",
        Some(id),
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

fn delete(tx: &Transaction, actor: &Actor, scope: &Scope, id: i64) -> Result<()> {
    let before = get(tx, scope, id)?;
    tx.prepare_cached("UPDATE office_holders SET deleted_at = ?1 WHERE id = ?2")?
        .execute(params![super::now_text(), id])?;
    audit(
        tx,
        actor,
        "delete",
        "office_holder",
        Some(id),
        Some(&before),
        None::<&()>,
    )?;
    Ok(())
}

fn list(
    c: &Connection,
    scope: &Scope,
    f: &OfficeHolderFilter,
    page: PageReq,
) -> Result<Paged<OfficeHolder>> {
    let mut cond = scoped("h.deleted_at IS NULL", scope);
    if let Some(o) = f.party_org_id {
        cond.push("h.party_org_id = ?", [Value::Integer(o)]);
    }
    if let Some(p) = f.position {
        cond.push("h.position = ?", [Value::Text(p.as_str().into())]);
    }
    if let Some(y) = f.year {
        // in position on some day of the year
        cond.push(
            "h.since <= ? AND coalesce(h.until, '9999-12-31') >= ?",
            [
                Value::Text(format!("{y:04}-12-31")),
                Value::Text(format!("{y:04}-01-01")),
            ],
        );
    }
    paged_by(
        c,
        FROM,
        COLS,
        &cond,
        "o.path, h.position, h.name, h.id",
        page,
        row,
    )
}

#[async_trait]
impl TrainingStore for SqlStore {
    async fn create_office_holder(
        &self,
        actor: &Actor,
        scope: &Scope,
        h: NewOfficeHolder,
    ) -> Result<OfficeHolder> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| create(tx, &actor, &scope, &h))
            .await
    }
    async fn update_office_holder(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        h: NewOfficeHolder,
    ) -> Result<OfficeHolder> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| update(tx, &actor, &scope, id, &h))
            .await
    }
    async fn delete_office_holder(&self, actor: &Actor, scope: &Scope, id: i64) -> Result<()> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| delete(tx, &actor, &scope, id))
            .await
    }
    async fn get_office_holder(&self, scope: &Scope, id: i64) -> Result<OfficeHolder> {
        let scope = scope.clone();
        self.read(move |c, _| get(c, &scope, id)).await
    }
    async fn list_office_holders(
        &self,
        scope: &Scope,
        f: &OfficeHolderFilter,
        page: PageReq,
    ) -> Result<Paged<OfficeHolder>> {
        let (scope, f) = (scope.clone(), f.clone());
        self.read(move |c, _| list(c, &scope, &f, page)).await
    }
}
