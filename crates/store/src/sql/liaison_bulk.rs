//! M9 and M10 records in bulk for the demo and `seed`: multi-row inserts with ids after
//! the largest stored one, one summary audit row a call instead of one a record.

use super::audit;
use super::bulk::{identity_after_max, insert_rows, max_id, opt_text, text};
use super::db::{Transaction, Value};
use crate::channels::BulkChannels;
use crate::liaison::BulkLiaison;
use crate::{Actor, Result};

pub(super) fn bulk_liaison(tx: &Transaction, actor: &Actor, b: &BulkLiaison) -> Result<()> {
    let now = super::now_text();
    let mut rows = Vec::with_capacity(b.liaisons.len() * 6);
    for l in &b.liaisons {
        rows.extend([
            Value::Integer(l.user_id),
            Value::Integer(l.party_org_id),
            text(l.since.to_string()),
            opt_text(l.until.map(|d| d.to_string())),
            text(now.clone()),
            text(now.clone()),
        ]);
    }
    insert_rows(
        tx,
        "liaisons",
        "user_id, party_org_id, since, until, created_at, updated_at",
        6,
        &rows,
    )?;
    let mut rows = Vec::with_capacity(b.visits.len() * 7);
    for v in &b.visits {
        rows.extend([
            Value::Integer(v.user_id),
            Value::Integer(v.party_org_id),
            text(v.held_on.to_string()),
            text(v.kind.as_str()),
            opt_text(v.notes.clone()),
            text(now.clone()),
            text(now.clone()),
        ]);
    }
    insert_rows(
        tx,
        "visits",
        "user_id, party_org_id, held_on, kind, notes, created_at, updated_at",
        7,
        &rows,
    )?;
    let first = max_id(tx, "research_reports")?;
    let mut rows = Vec::new();
    let mut orgs = Vec::new();
    for (i, r) in b.research_reports.iter().enumerate() {
        let id = first + 1 + i as i64;
        rows.extend([
            Value::Integer(id),
            text(r.title.clone()),
            Value::Integer(r.year as i64),
            opt_text(r.summary.clone()),
            Value::Integer(r.author_user_id),
            text(now.clone()),
            text(now.clone()),
        ]);
        for (p, o) in r.party_org_ids.iter().enumerate() {
            orgs.extend([
                Value::Integer(id),
                Value::Integer(*o),
                Value::Integer(p as i64),
            ]);
        }
    }
    insert_rows(
        tx,
        "research_reports",
        "id, title, year, summary, author_user_id, created_at, updated_at",
        7,
        &rows,
    )?;
    insert_rows(
        tx,
        "research_report_orgs",
        "report_id, party_org_id, position",
        3,
        &orgs,
    )?;
    identity_after_max(tx, "research_reports")?;
    let mut rows = Vec::with_capacity(b.cases.len() * 8);
    for k in &b.cases {
        rows.extend([
            text(k.title.clone()),
            Value::Integer(k.party_org_id),
            text(k.category.as_str()),
            Value::Integer(k.year as i64),
            opt_text(k.summary.clone()),
            Value::Integer(k.published as i64),
            text(now.clone()),
            text(now.clone()),
        ]);
    }
    insert_rows(
        tx,
        "cases",
        "title, party_org_id, category, year, summary, published, created_at, updated_at",
        8,
        &rows,
    )?;
    let summary = serde_json::json!({
        "liaisons": b.liaisons.len(),
        "visits": b.visits.len(),
        "research_reports": b.research_reports.len(),
        "cases": b.cases.len(),
    });
    audit(
        tx,
        actor,
        "create",
        "bulk_liaison",
        None,
        None::<&()>,
        Some(&summary),
    )
}

pub(super) fn bulk_channels(tx: &Transaction, actor: &Actor, b: &BulkChannels) -> Result<()> {
    let now = super::now_text();
    let first = max_id(tx, "channels")?;
    let mut rows = Vec::with_capacity(b.channels.len() * 9);
    let mut reviews = Vec::new();
    for (i, (c, rs)) in b.channels.iter().enumerate() {
        let id = first + 1 + i as i64;
        let last = rs.iter().map(|r| r.reviewed_on).max();
        rows.extend([
            Value::Integer(id),
            Value::Integer(c.society_id),
            text(c.kind.as_str()),
            text(c.name.clone()),
            text(c.responsible.clone()),
            opt_text(c.emergency_plan_on.map(|d| d.to_string())),
            opt_text(last.map(|d| d.to_string())),
            text(now.clone()),
            text(now.clone()),
        ]);
        for r in rs {
            reviews.extend([
                Value::Integer(id),
                text(r.reviewed_on.to_string()),
                opt_text(r.notes.clone()),
                text(now.clone()),
            ]);
        }
    }
    insert_rows(
        tx,
        "channels",
        "id, society_id, kind, name, responsible, emergency_plan_on, last_reviewed_on, created_at, updated_at",
        9,
        &rows,
    )?;
    insert_rows(
        tx,
        "channel_reviews",
        "channel_id, reviewed_on, notes, created_at",
        4,
        &reviews,
    )?;
    identity_after_max(tx, "channels")?;
    let summary = serde_json::json!({
        "channels": b.channels.len(),
        "channel_reviews": reviews.len() / 4,
    });
    audit(
        tx,
        actor,
        "create",
        "bulk_channels",
        None,
        None::<&()>,
        Some(&summary),
    )
}
