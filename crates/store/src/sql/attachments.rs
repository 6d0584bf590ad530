//! `AttachmentStore`: the files of activities, campaign records, visits and research
//! reports in the shared `attachments` table, scope-checked through the owning record (and
//! so its org).

use async_trait::async_trait;

use super::db::{Connection, OptionalExtension, Row, Transaction};
use super::{audit, now_text, parse_instant, SqlStore};
use crate::attachments::*;
use crate::params;
use crate::{Actor, Result, Scope, StoreError};

const COLS: &str =
    "t.id, t.owner, t.owner_id, t.file_name, t.content_type, t.size, t.sha256, t.created_at";

fn row(r: &Row) -> crate::Result<Option<Attachment>> {
    let owner: String = r.get(1)?;
    let Some(owner) = AttachmentOwner::parse(&owner) else {
        // a ledger record's evidence: served under its record, not here
        return Ok(None);
    };
    let owner_id: i64 = r.get(2)?;
    Ok(Some(Attachment {
        id: r.get(0)?,
        owner,
        owner_id,
        activity_id: (owner == AttachmentOwner::Activity).then_some(owner_id),
        file_name: r.get(3)?,
        content_type: r.get(4)?,
        size: r.get(5)?,
        sha256: r.get(6)?,
        created_at: parse_instant(&r.get::<_, String>(7)?)?,
    }))
}

/// The owning record is live and in scope (`NotFound` otherwise).
pub(super) fn owner_in_scope(
    c: &Connection,
    scope: &Scope,
    owner: AttachmentOwner,
    id: i64,
) -> Result<()> {
    match owner {
        AttachmentOwner::Activity => super::life::get_activity(c, scope, id).map(drop),
        AttachmentOwner::CampaignRecord => super::campaigns::get_record(c, scope, id).map(drop),
        AttachmentOwner::Visit => super::liaison::get_visit(c, scope, id).map(drop),
        AttachmentOwner::ResearchReport => super::liaison::get_report(c, scope, id).map(drop),
    }
}

/// Writes the row of a stored file for `owner` (any owner: the ledger's evidence too);
/// its id. The caller checks the owner and writes the audit row.
pub(super) fn insert(
    tx: &Transaction,
    actor: &Actor,
    owner: &str,
    owner_id: i64,
    a: &NewAttachment,
) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO attachments (owner, owner_id, file_name, content_type, size, sha256, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        owner,
        owner_id,
        a.file_name,
        a.content_type,
        a.size,
        a.sha256,
        now_text(),
        actor.user_id
    ])?;
    tx.last_insert_rowid()
}

fn add(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    owner: AttachmentOwner,
    owner_id: i64,
    a: &NewAttachment,
) -> Result<Attachment> {
    owner_in_scope(tx, scope, owner, owner_id)?;
    let id = insert(tx, actor, owner.as_str(), owner_id, a)?;
    let after = get(tx, &Scope::All, id)?;
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

fn list(
    c: &Connection,
    scope: &Scope,
    owner: AttachmentOwner,
    owner_id: i64,
) -> Result<Vec<Attachment>> {
    owner_in_scope(c, scope, owner, owner_id)?;
    let rows = c
        .prepare_cached(&format!(
            "SELECT {COLS} FROM attachments t
             WHERE t.owner = ?1 AND t.owner_id = ?2 AND t.deleted_at IS NULL ORDER BY t.id"
        ))?
        .query_map(params![owner.as_str(), owner_id], row)?
        .collect::<crate::Result<Vec<_>>>()?;
    Ok(rows.into_iter().flatten().collect())
}

/// A live file of one of [`AttachmentOwner`]'s owners whose record is live and in scope.
fn get(c: &Connection, scope: &Scope, id: i64) -> Result<Attachment> {
    let a = c
        .prepare_cached(&format!(
            "SELECT {COLS} FROM attachments t WHERE t.id = ?1 AND t.deleted_at IS NULL"
        ))?
        .query_row([id], row)
        .optional()?
        .flatten()
        .ok_or(StoreError::NotFound)?;
    owner_in_scope(c, scope, a.owner, a.owner_id)?;
    Ok(a)
}

fn delete(tx: &Transaction, actor: &Actor, scope: &Scope, id: i64) -> Result<()> {
    let before = get(tx, scope, id)?;
    tx.execute(
        "UPDATE attachments SET deleted_at = ?2, deleted_by = ?3 WHERE id = ?1",
        params![id, now_text(), actor.user_id],
    )?;
    audit(
        tx,
        actor,
        "delete",
        "attachment",
        Some(id),
        Some(&before),
        None::<&()>,
    )?;
    Ok(())
}

#[async_trait]
impl AttachmentStore for SqlStore {
    async fn attachment_owner(&self, scope: &Scope, owner: AttachmentOwner, id: i64) -> Result<()> {
        let scope = scope.clone();
        self.read(move |c, _| owner_in_scope(c, &scope, owner, id))
            .await
    }
    async fn add_attachment(
        &self,
        actor: &Actor,
        scope: &Scope,
        owner: AttachmentOwner,
        owner_id: i64,
        a: &NewAttachment,
    ) -> Result<Attachment> {
        let (actor, scope, a) = (actor.clone(), scope.clone(), a.clone());
        self.write(move |tx, _| add(tx, &actor, &scope, owner, owner_id, &a))
            .await
    }
    async fn list_attachments(
        &self,
        scope: &Scope,
        owner: AttachmentOwner,
        owner_id: i64,
    ) -> Result<Vec<Attachment>> {
        let scope = scope.clone();
        self.read(move |c, _| list(c, &scope, owner, owner_id))
            .await
    }
    async fn get_attachment(&self, scope: &Scope, id: i64) -> Result<Attachment> {
        let scope = scope.clone();
        self.read(move |c, _| get(c, &scope, id)).await
    }
    async fn delete_attachment(&self, actor: &Actor, scope: &Scope, id: i64) -> Result<()> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| delete(tx, &actor, &scope, id))
            .await
    }
}
