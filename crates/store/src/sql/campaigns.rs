//! `CampaignStore`: M7's campaigns, participants and records, and progress by one indexed
//! aggregate (memoized until the data changes).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use domain::campaigns::{self as dc, CampaignKind, NewCampaign, NewParticipant, NewRecord};
use domain::{FieldError, FieldErrors};

use super::db::{params_from_iter, Connection, OptionalExtension, Row, Transaction, Value};
use super::registry::{in_scope, org_kind_path, paged_by, target_org, Cond};
use super::work::{date, scoped};
use super::{audit, internal, memo, now_text, parse_code, SqlStore};
use crate::campaigns::*;
use crate::params;
use crate::{Actor, PageReq, Paged, Result, Scope, StoreError};

// ---------------------------------------------------------------- campaigns

const COLS: &str = "c.id, c.title, c.kind, c.starts_on, c.ends_on, c.target, c.description";

fn row(r: &Row) -> crate::Result<Campaign> {
    Ok(Campaign {
        id: r.get(0)?,
        title: r.get(1)?,
        kind: parse_code(&r.get::<_, String>(2)?, CampaignKind::parse)?,
        starts_on: date(r.get(3)?)?,
        ends_on: date(r.get(4)?)?,
        target: r.get(5)?,
        description: r.get(6)?,
    })
}

pub(super) fn get_campaign(c: &Connection, id: i64) -> Result<Campaign> {
    c.prepare_cached(&format!(
        "SELECT {COLS} FROM campaigns c WHERE c.id = ?1 AND c.deleted_at IS NULL"
    ))?
    .query_row([id], row)
    .optional()?
    .ok_or(StoreError::NotFound)
}

fn list_campaigns(c: &Connection, f: &CampaignFilter, page: PageReq) -> Result<Paged<Campaign>> {
    let mut cond = Cond::new("c.deleted_at IS NULL");
    if let Some(k) = f.kind {
        cond.push("c.kind = ?", [Value::Text(k.as_str().into())]);
    }
    if let Some(y) = f.year {
        cond.push(
            "c.starts_on <= ? AND c.ends_on >= ?",
            [
                Value::Text(format!("{y:04}-12-31")),
                Value::Text(format!("{y:04}-01-01")),
            ],
        );
    }
    if let Some(d) = f.open_on {
        cond.push(
            "c.starts_on <= ? AND c.ends_on >= ?",
            [Value::Text(d.to_string()), Value::Text(d.to_string())],
        );
    }
    paged_by(
        c,
        "campaigns c",
        COLS,
        &cond,
        "c.starts_on DESC, c.id DESC",
        page,
        row,
    )
}

/// The earliest and latest day recorded in a campaign (participants joining, records
/// held), if any.
fn recorded_days(c: &Connection, id: i64) -> Result<Option<(NaiveDate, NaiveDate)>> {
    let (lo, hi): (Option<String>, Option<String>) = c
        .prepare_cached(
            "SELECT min(d), max(d) FROM (
                 SELECT joined_on AS d FROM campaign_participants WHERE campaign_id = ?1
                 UNION ALL
                 SELECT held_on AS d FROM campaign_records WHERE campaign_id = ?1 AND deleted_at IS NULL
             ) x",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    match (lo, hi) {
        (Some(lo), Some(hi)) => Ok(Some((date(lo)?, date(hi)?))),
        _ => Ok(None),
    }
}

fn save_campaign(
    tx: &Transaction,
    actor: &Actor,
    id: Option<i64>,
    k: &NewCampaign,
) -> Result<Campaign> {
    let now = now_text();
    let before = id.map(|id| get_campaign(tx, id)).transpose()?;
    if let Some(id) = id {
        // what was recorded stays within the campaign
        if let Some((lo, hi)) = recorded_days(tx, id)? {
            let mut errs = FieldErrors::new();
            if k.starts_on > lo {
                errs.add(
                    "starts_on",
                    FieldError::OutOfRange {
                        min: None,
                        max: Some(lo.to_string()),
                    },
                );
            }
            if k.ends_on < hi {
                errs.add(
                    "ends_on",
                    FieldError::OutOfRange {
                        min: Some(hi.to_string()),
                        max: None,
                    },
                );
            }
            errs.into_result()?;
        }
    }
    let (start, end) = (k.starts_on.to_string(), k.ends_on.to_string());
    let id = match id {
        None => {
            tx.prepare_cached(
                "INSERT INTO campaigns (title, kind, starts_on, ends_on, target, description, created_at, updated_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
            )?
            .execute(params![
                k.title,
                k.kind.as_str(),
                start,
                end,
                k.target,
                k.description,
                now,
                actor.user_id
            ])?;
            tx.last_insert_rowid()?
        }
        Some(id) => {
            tx.prepare_cached(
                "UPDATE campaigns SET title = ?1, kind = ?2, starts_on = ?3, ends_on = ?4, target = ?5,
                     description = ?6, updated_at = ?7 WHERE id = ?8",
            )?
            .execute(params![
                k.title,
                k.kind.as_str(),
                start,
                end,
                k.target,
                k.description,
                now,
                id
            ])?;
            id
        }
    };
    let after = get_campaign(tx, id)?;
    let action = if before.is_some() { "update" } else { "create" };
    audit(
        tx,
        actor,
        action,
        "campaign",
        Some(id),
        before.as_ref(),
        Some(&after),
    )?;
    Ok(after)
}

// ---------------------------------------------------------------- participants

const P_COLS: &str = "p.id, p.campaign_id, p.party_org_id, o.name, p.joined_on, p.place, \
    (SELECT count(*) FROM campaign_records r \
     WHERE r.campaign_id = p.campaign_id AND r.party_org_id = p.party_org_id AND r.deleted_at IS NULL)";
const P_FROM: &str = "campaign_participants p JOIN party_orgs o ON o.id = p.party_org_id";

fn p_row(r: &Row) -> crate::Result<Participant> {
    Ok(Participant {
        id: r.get(0)?,
        campaign_id: r.get(1)?,
        party_org_id: r.get(2)?,
        party_org_name: r.get(3)?,
        joined_on: date(r.get(4)?)?,
        place: r.get(5)?,
        records: r.get(6)?,
    })
}

/// The participant `party_org_id` of the campaign, when it lies in scope.
fn get_participant(
    c: &Connection,
    scope: &Scope,
    campaign_id: i64,
    party_org_id: i64,
) -> Result<Option<Participant>> {
    let mut cond = scoped("p.campaign_id = ?", scope);
    cond.args.insert(0, Value::Integer(campaign_id));
    cond.push("p.party_org_id = ?", [Value::Integer(party_org_id)]);
    c.prepare_cached(&format!(
        "SELECT {P_COLS} FROM {P_FROM} WHERE {}",
        cond.where_clause()
    ))?
    .query_row(params_from_iter(&cond.args), p_row)
    .optional()
}

fn is_participant(c: &Connection, campaign_id: i64, party_org_id: i64) -> Result<bool> {
    Ok(c.prepare_cached(
        "SELECT 1 FROM campaign_participants WHERE campaign_id = ?1 AND party_org_id = ?2",
    )?
    .query_row(params![campaign_id, party_org_id], |r| r.get::<_, i64>(0))
    .optional()?
    .is_some())
}

fn add_participant(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    campaign_id: i64,
    p: &NewParticipant,
) -> Result<Participant> {
    let campaign = get_campaign(tx, campaign_id)?;
    target_org(tx, scope, "party_org_id", Some(p.party_org_id))?;
    campaign.days().check("joined_on", p.joined_on)?;
    let n = tx
        .prepare_cached(
            "INSERT INTO campaign_participants (campaign_id, party_org_id, joined_on, place, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            campaign_id,
            p.party_org_id,
            p.joined_on.to_string(),
            p.place,
            now_text(),
            actor.user_id
        ])?;
    if n == 0 {
        return Err(StoreError::Conflict("party_org_id"));
    }
    let after = get_participant(tx, &Scope::All, campaign_id, p.party_org_id)?
        .ok_or_else(|| internal("participant vanished"))?;
    audit(
        tx,
        actor,
        "create",
        "campaign_participant",
        Some(after.id),
        None::<&()>,
        Some(&after),
    )?;
    Ok(after)
}

fn list_participants(
    c: &Connection,
    scope: &Scope,
    campaign_id: i64,
    page: PageReq,
) -> Result<Paged<Participant>> {
    get_campaign(c, campaign_id)?;
    let mut cond = scoped("p.campaign_id = ?", scope);
    cond.args.insert(0, Value::Integer(campaign_id));
    paged_by(c, P_FROM, P_COLS, &cond, "o.path, p.id", page, p_row)
}

fn delete_participant(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    campaign_id: i64,
    party_org_id: i64,
) -> Result<()> {
    get_campaign(tx, campaign_id)?;
    let before =
        get_participant(tx, scope, campaign_id, party_org_id)?.ok_or(StoreError::NotFound)?;
    if before.records > 0 {
        return Err(StoreError::InUse("campaign_records"));
    }
    tx.prepare_cached("DELETE FROM campaign_participants WHERE id = ?1")?
        .execute([before.id])?;
    audit(
        tx,
        actor,
        "delete",
        "campaign_participant",
        Some(before.id),
        Some(&before),
        None::<&()>,
    )?;
    Ok(())
}

// ---------------------------------------------------------------- records

const R_COLS: &str = "r.id, r.campaign_id, r.party_org_id, o.name, r.held_on, r.title, \
    r.participants, r.notes, \
    (SELECT count(*) FROM attachments t \
     WHERE t.owner = 'campaign_record' AND t.owner_id = r.id AND t.deleted_at IS NULL)";
const R_FROM: &str = "campaign_records r JOIN party_orgs o ON o.id = r.party_org_id";

fn r_row(r: &Row) -> crate::Result<CampaignRecord> {
    Ok(CampaignRecord {
        id: r.get(0)?,
        campaign_id: r.get(1)?,
        party_org_id: r.get(2)?,
        party_org_name: r.get(3)?,
        held_on: date(r.get(4)?)?,
        title: r.get(5)?,
        participants: r.get(6)?,
        notes: r.get(7)?,
        attachments: r.get(8)?,
    })
}

/// A live record of a live campaign whose org lies in scope.
pub(super) fn get_record(c: &Connection, scope: &Scope, id: i64) -> Result<CampaignRecord> {
    let mut cond = scoped("r.id = ?", scope);
    cond.args.insert(0, Value::Integer(id));
    cond.push("r.deleted_at IS NULL", []);
    cond.push(
        "r.campaign_id IN (SELECT id FROM campaigns WHERE deleted_at IS NULL)",
        [],
    );
    c.prepare_cached(&format!(
        "SELECT {R_COLS} FROM {R_FROM} WHERE {}",
        cond.where_clause()
    ))?
    .query_row(params_from_iter(&cond.args), r_row)
    .optional()?
    .ok_or(StoreError::NotFound)
}

/// The org a record names: in scope (`Forbidden`), taking part (`Invalid`), and the day
/// within the campaign (`Invalid`).
fn check_record(
    c: &Connection,
    scope: &Scope,
    campaign: &Campaign,
    r: &NewRecord,
    org_changed: bool,
) -> Result<()> {
    if org_changed {
        target_org(c, scope, "party_org_id", Some(r.party_org_id))?;
        if !is_participant(c, campaign.id, r.party_org_id)? {
            return Err(FieldErrors::single("party_org_id", FieldError::NotParticipant).into());
        }
    }
    campaign.days().check("held_on", r.held_on)?;
    Ok(())
}

fn create_record(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    campaign_id: i64,
    r: &NewRecord,
) -> Result<CampaignRecord> {
    let campaign = get_campaign(tx, campaign_id)?;
    check_record(tx, scope, &campaign, r, true)?;
    let now = now_text();
    tx.prepare_cached(
        "INSERT INTO campaign_records (campaign_id, party_org_id, held_on, title, participants, notes, created_at, updated_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
    )?
    .execute(params![
        campaign_id,
        r.party_org_id,
        r.held_on.to_string(),
        r.title,
        r.participants,
        r.notes,
        now,
        actor.user_id
    ])?;
    let id = tx.last_insert_rowid()?;
    let after = get_record(tx, &Scope::All, id)?;
    audit(
        tx,
        actor,
        "create",
        "campaign_record",
        Some(id),
        None::<&()>,
        Some(&after),
    )?;
    Ok(after)
}

fn update_record(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    r: &NewRecord,
) -> Result<CampaignRecord> {
    let before = get_record(tx, scope, id)?;
    let campaign = get_campaign(tx, before.campaign_id)?;
    check_record(
        tx,
        scope,
        &campaign,
        r,
        r.party_org_id != before.party_org_id,
    )?;
    tx.prepare_cached(
        "UPDATE campaign_records SET party_org_id = ?1, held_on = ?2, title = ?3, participants = ?4,
             notes = ?5, updated_at = ?6 WHERE id = ?7",
    )?
    .execute(params![
        r.party_org_id,
        r.held_on.to_string(),
        r.title,
        r.participants,
        r.notes,
        now_text(),
        id
    ])?;
    let after = get_record(tx, &Scope::All, id)?;
    audit(
        tx,
        actor,
        "update",
        "campaign_record",
        Some(id),
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

fn delete_record(tx: &Transaction, actor: &Actor, scope: &Scope, id: i64) -> Result<()> {
    let before = get_record(tx, scope, id)?;
    tx.prepare_cached(
        "UPDATE campaign_records SET deleted_at = ?2, deleted_by = ?3 WHERE id = ?1",
    )?
    .execute(params![id, now_text(), actor.user_id])?;
    audit(
        tx,
        actor,
        "delete",
        "campaign_record",
        Some(id),
        Some(&before),
        None::<&()>,
    )?;
    Ok(())
}

fn list_records(
    c: &Connection,
    scope: &Scope,
    campaign_id: i64,
    f: &RecordFilter,
    page: PageReq,
) -> Result<Paged<CampaignRecord>> {
    get_campaign(c, campaign_id)?;
    let mut cond = scoped("r.campaign_id = ?", scope);
    cond.args.insert(0, Value::Integer(campaign_id));
    cond.push("r.deleted_at IS NULL", []);
    if let Some(o) = f.party_org_id {
        cond.push("r.party_org_id = ?", [Value::Integer(o)]);
    }
    paged_by(
        c,
        R_FROM,
        R_COLS,
        &cond,
        "r.held_on DESC, r.id DESC",
        page,
        r_row,
    )
}

// ---------------------------------------------------------------- progress

/// The scope narrowed to `party_org_id`'s subtree: an unknown org → `Invalid`, one outside
/// the scope → `NotFound`.
fn narrowed(c: &Connection, scope: &Scope, party_org_id: Option<i64>) -> Result<Scope> {
    let Some(id) = party_org_id else {
        return Ok(scope.clone());
    };
    let Some((_, path)) = org_kind_path(c, id)? else {
        return Err(FieldErrors::single("party_org_id", FieldError::NotFound).into());
    };
    if !in_scope(scope, Some(&path)) {
        return Err(StoreError::NotFound);
    }
    Ok(Scope::Subtree { root: id, path })
}

/// One statement (one snapshot) of two indexed counts in scope: the campaign's participants
/// (the unique index on `(campaign_id, party_org_id)`), and its live records with the orgs
/// they are of (`campaign_records_org`) — records are only ever of participants, so those
/// orgs are the active participants. No per-participant loop: a join of the participants
/// to their records grouped by org, or a correlated count per participant, is what
/// PostgreSQL's planner can run once per participant over all of the campaign's records
/// when its row estimates are off (before it has analyzed new tables: 350 ms for 1,400
/// participants).
fn progress(c: &Connection, scope: &Scope, campaign: &Campaign) -> Result<Progress> {
    let mut p = scoped("p.campaign_id = ?", scope);
    p.args.insert(0, Value::Integer(campaign.id));
    let mut r = scoped("r.campaign_id = ? AND r.deleted_at IS NULL", scope);
    r.args.insert(0, Value::Integer(campaign.id));
    let mut args = p.args.clone();
    args.extend(r.args.iter().cloned());
    let (participants, records, active): (i64, i64, i64) = c
        .prepare_cached(&format!(
            "SELECT pc.n, rc.records, rc.active FROM
                 (SELECT CAST(count(*) AS BIGINT) AS n
                  FROM campaign_participants p JOIN party_orgs o ON o.id = p.party_org_id
                  WHERE {}) pc,
                 (SELECT CAST(count(*) AS BIGINT) AS records,
                         CAST(count(DISTINCT r.party_org_id) AS BIGINT) AS active
                  FROM campaign_records r JOIN party_orgs o ON o.id = r.party_org_id
                  WHERE {}) rc",
            p.where_clause(),
            r.where_clause()
        ))?
        .query_row(params_from_iter(&args), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    Ok(Progress {
        target: campaign.target,
        participants,
        active,
        records,
        rate: dc::rate(participants, campaign.target),
    })
}

fn campaign_progress(
    c: &Connection,
    scope: &Scope,
    campaign_id: i64,
    party_org_id: Option<i64>,
) -> Result<Progress> {
    let campaign = get_campaign(c, campaign_id)?;
    let scope = narrowed(c, scope, party_org_id)?;
    memo(
        format!("campaign_progress\u{1f}{scope:?}\u{1f}{campaign_id}"),
        || progress(c, &scope, &campaign),
    )
}

fn open_campaigns_progress(
    c: &Connection,
    scope: &Scope,
    today: NaiveDate,
) -> Result<Vec<OpenCampaign>> {
    memo(
        format!("open_campaigns_progress\u{1f}{scope:?}\u{1f}{today}"),
        || {
            let day = today.to_string();
            let open = c
                .prepare_cached(&format!(
                    "SELECT {COLS} FROM campaigns c
                     WHERE c.deleted_at IS NULL AND c.starts_on <= ?1 AND c.ends_on >= ?1
                     ORDER BY c.ends_on, c.id"
                ))?
                .query_map([day], row)?
                .collect::<crate::Result<Vec<_>>>()?;
            open.into_iter()
                .map(|campaign| {
                    Ok(OpenCampaign {
                        progress: progress(c, scope, &campaign)?,
                        campaign,
                    })
                })
                .collect()
        },
    )
}

pub(super) fn campaign_participation(c: &Connection, year: i32) -> Result<Arc<YearParticipation>> {
    memo(format!("campaign_participation\u{1f}{year}"), || {
        let (first, last) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
        let campaigns = c
            .prepare_cached(
                "SELECT id FROM campaigns
                 WHERE deleted_at IS NULL AND starts_on <= ?1 AND ends_on >= ?2 ORDER BY id",
            )?
            .query_map(params![last, first], |r| r.get(0))?
            .collect::<crate::Result<Vec<i64>>>()?;
        let participants = c
            .prepare_cached(
                "SELECT p.campaign_id, p.party_org_id FROM campaign_participants p
                 JOIN campaigns c ON c.id = p.campaign_id
                 WHERE c.deleted_at IS NULL AND c.starts_on <= ?1 AND c.ends_on >= ?2
                 ORDER BY p.campaign_id, p.party_org_id",
            )?
            .query_map(params![last, first], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<crate::Result<Vec<(i64, i64)>>>()?;
        Ok(Arc::new(YearParticipation {
            campaigns,
            participants,
        }))
    })
}

// ---------------------------------------------------------------- bulk

fn seed_campaigns(tx: &Transaction, actor: &Actor, items: &[BulkCampaign]) -> Result<Vec<i64>> {
    let now = now_text();
    let bad = |i: usize, why: String| StoreError::Internal(format!("bulk campaign {i}: {why}"));
    let (mut ids, mut participants, mut records) = (Vec::with_capacity(items.len()), 0, 0);
    for (i, b) in items.iter().enumerate() {
        let k = &b.campaign;
        let days = k.days();
        tx.prepare_cached(
            "INSERT INTO campaigns (title, kind, starts_on, ends_on, target, description, created_at, updated_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
        )?
        .execute(params![
            k.title,
            k.kind.as_str(),
            k.starts_on.to_string(),
            k.ends_on.to_string(),
            k.target,
            k.description,
            now,
            actor.user_id
        ])?;
        let id = tx.last_insert_rowid()?;
        for bp in &b.participants {
            let p = &bp.participant;
            if !days.contains(p.joined_on) {
                return Err(bad(i, format!("joined on {} outside", p.joined_on)));
            }
            if org_kind_path(tx, p.party_org_id)?.is_none() {
                return Err(bad(i, format!("no org {}", p.party_org_id)));
            }
            tx.prepare_cached(
                "INSERT INTO campaign_participants (campaign_id, party_org_id, joined_on, place, created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                id,
                p.party_org_id,
                p.joined_on.to_string(),
                p.place,
                now,
                actor.user_id
            ])?;
            for r in &bp.records {
                if r.party_org_id != p.party_org_id || !days.contains(r.held_on) {
                    return Err(bad(
                        i,
                        format!("record {} of {}", r.held_on, r.party_org_id),
                    ));
                }
                tx.prepare_cached(
                    "INSERT INTO campaign_records (campaign_id, party_org_id, held_on, title, participants, notes, created_at, updated_at, created_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
                )?
                .execute(params![
                    id,
                    r.party_org_id,
                    r.held_on.to_string(),
                    r.title,
                    r.participants,
                    r.notes,
                    now,
                    actor.user_id
                ])?;
            }
            records += bp.records.len();
        }
        participants += b.participants.len();
        ids.push(id);
    }
    let summary = serde_json::json!({
        "campaigns": items.len(),
        "campaign_participants": participants,
        "campaign_records": records,
    });
    audit(
        tx,
        actor,
        "create",
        "bulk_campaigns",
        None,
        None::<&()>,
        Some(&summary),
    )?;
    Ok(ids)
}

#[async_trait]
impl CampaignStore for SqlStore {
    async fn list_campaigns(&self, f: &CampaignFilter, page: PageReq) -> Result<Paged<Campaign>> {
        let f = f.clone();
        self.read(move |c, _| list_campaigns(c, &f, page)).await
    }
    async fn get_campaign(&self, id: i64) -> Result<Campaign> {
        self.read(move |c, _| get_campaign(c, id)).await
    }
    async fn create_campaign(&self, actor: &Actor, k: NewCampaign) -> Result<Campaign> {
        let actor = actor.clone();
        self.write(move |tx, _| save_campaign(tx, &actor, None, &k))
            .await
    }
    async fn update_campaign(&self, actor: &Actor, id: i64, k: NewCampaign) -> Result<Campaign> {
        let actor = actor.clone();
        self.write(move |tx, _| save_campaign(tx, &actor, Some(id), &k))
            .await
    }
    async fn add_participant(
        &self,
        actor: &Actor,
        scope: &Scope,
        campaign_id: i64,
        p: NewParticipant,
    ) -> Result<Participant> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| add_participant(tx, &actor, &scope, campaign_id, &p))
            .await
    }
    async fn list_participants(
        &self,
        scope: &Scope,
        campaign_id: i64,
        page: PageReq,
    ) -> Result<Paged<Participant>> {
        let scope = scope.clone();
        self.read(move |c, _| list_participants(c, &scope, campaign_id, page))
            .await
    }
    async fn delete_participant(
        &self,
        actor: &Actor,
        scope: &Scope,
        campaign_id: i64,
        party_org_id: i64,
    ) -> Result<()> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| delete_participant(tx, &actor, &scope, campaign_id, party_org_id))
            .await
    }
    async fn create_record(
        &self,
        actor: &Actor,
        scope: &Scope,
        campaign_id: i64,
        r: NewRecord,
    ) -> Result<CampaignRecord> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| create_record(tx, &actor, &scope, campaign_id, &r))
            .await
    }
    async fn update_record(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        r: NewRecord,
    ) -> Result<CampaignRecord> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| update_record(tx, &actor, &scope, id, &r))
            .await
    }
    async fn delete_record(&self, actor: &Actor, scope: &Scope, id: i64) -> Result<()> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| delete_record(tx, &actor, &scope, id))
            .await
    }
    async fn get_record(&self, scope: &Scope, id: i64) -> Result<CampaignRecord> {
        let scope = scope.clone();
        self.read(move |c, _| get_record(c, &scope, id)).await
    }
    async fn list_records(
        &self,
        scope: &Scope,
        campaign_id: i64,
        f: &RecordFilter,
        page: PageReq,
    ) -> Result<Paged<CampaignRecord>> {
        let (scope, f) = (scope.clone(), f.clone());
        self.read(move |c, _| list_records(c, &scope, campaign_id, &f, page))
            .await
    }
    async fn campaign_progress(
        &self,
        scope: &Scope,
        campaign_id: i64,
        party_org_id: Option<i64>,
    ) -> Result<Progress> {
        let scope = scope.clone();
        self.read(move |c, _| campaign_progress(c, &scope, campaign_id, party_org_id))
            .await
    }
    async fn open_campaigns_progress(
        &self,
        scope: &Scope,
        today: NaiveDate,
    ) -> Result<Vec<OpenCampaign>> {
        let scope = scope.clone();
        self.read(move |c, _| open_campaigns_progress(c, &scope, today))
            .await
    }
    async fn campaign_participation(&self, year: i32) -> Result<Arc<YearParticipation>> {
        self.read(move |c, _| campaign_participation(c, year)).await
    }
    async fn seed_campaigns(&self, actor: &Actor, items: Vec<BulkCampaign>) -> Result<Vec<i64>> {
        let actor = actor.clone();
        self.write(move |tx, _| seed_campaigns(tx, &actor, &items))
            .await
    }
}
