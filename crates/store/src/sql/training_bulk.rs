//! M8 records in bulk for the demo and `seed`: office-holders, courses and attendance in
//! multi-row inserts, one summary audit row a call instead of one a record.

use super::audit;
use super::bulk::{identity_after_max, insert_rows, max_id, opt_text, text};
use super::db::{Transaction, Value};
use crate::training::BulkTraining;
use crate::{Actor, Result, StoreError};

pub(super) fn bulk_training(
    tx: &Transaction,
    actor: &Actor,
    b: &BulkTraining,
) -> Result<(Vec<i64>, Vec<i64>)> {
    let now = super::now_text();
    let first_holder = max_id(tx, "office_holders")?;
    let holder_ids: Vec<i64> = (1..=b.office_holders.len() as i64)
        .map(|i| first_holder + i)
        .collect();
    let mut rows = Vec::with_capacity(b.office_holders.len() * 8);
    for (h, id) in b.office_holders.iter().zip(&holder_ids) {
        rows.extend([
            Value::Integer(*id),
            text(h.name.clone()),
            Value::Integer(h.party_org_id),
            text(h.position.as_str()),
            text(h.since.to_string()),
            opt_text(h.until.map(|d| d.to_string())),
            text(now.clone()),
            text(now.clone()),
        ]);
    }
    insert_rows(
        tx,
        "office_holders",
        "id, name, party_org_id, position, since, until, created_at, updated_at",
        8,
        &rows,
    )?;
    let first_course = max_id(tx, "courses")?;
    let course_ids: Vec<i64> = (1..=b.courses.len() as i64)
        .map(|i| first_course + i)
        .collect();
    let mut rows = Vec::with_capacity(b.courses.len() * 9);
    for (k, id) in b.courses.iter().zip(&course_ids) {
        rows.extend([
            Value::Integer(*id),
            text(k.title.clone()),
            text(k.kind.as_str()),
            opt_text(k.organizer.clone()),
            text(k.starts_on.to_string()),
            text(k.ends_on.to_string()),
            Value::Integer(k.hours_tenths),
            text(now.clone()),
            text(now.clone()),
        ]);
    }
    insert_rows(
        tx,
        "courses",
        "id, title, kind, organizer, starts_on, ends_on, hours_tenths, created_at, updated_at",
        9,
        &rows,
    )?;
    let mut rows = Vec::with_capacity(b.attendance.len() * 4);
    for (i, &(h, k, tenths)) in b.attendance.iter().enumerate() {
        let bad = |why: &str| StoreError::Internal(format!("bulk attendance {i}: {why}"));
        let holder = holder_ids
            .get(h)
            .ok_or_else(|| bad("no such office-holder"))?;
        let course = course_ids.get(k).ok_or_else(|| bad("no such course"))?;
        if tenths <= 0 || tenths > b.courses[k].hours_tenths {
            return Err(bad("hours outside the course's"));
        }
        rows.extend([
            Value::Integer(*course),
            Value::Integer(*holder),
            Value::Integer(tenths),
            text(now.clone()),
        ]);
    }
    insert_rows(
        tx,
        "attendance",
        "course_id, office_holder_id, hours_tenths, created_at",
        4,
        &rows,
    )?;
    identity_after_max(tx, "office_holders")?;
    identity_after_max(tx, "courses")?;
    let summary = serde_json::json!({
        "office_holders": b.office_holders.len(),
        "courses": b.courses.len(),
        "attendance": b.attendance.len(),
    });
    audit(
        tx,
        actor,
        "create",
        "bulk_training",
        None,
        None::<&()>,
        Some(&summary),
    )?;
    Ok((holder_ids, course_ids))
}
