//! `TrainingStore`: M8's office-holder register.

use async_trait::async_trait;
use chrono::NaiveDate;
use domain::training::{CourseKind, NewCourse, NewOfficeHolder, Position};
use domain::{FieldError, FieldErrors};

use super::db::{Connection, OptionalExtension, Row, Transaction, Value};
use super::registry::{in_scope, paged_by, target_org};
use super::work::{opt_date, scoped};
use super::{audit, parse_code, SqlStore};
use crate::params;
use crate::training::*;
use crate::{Actor, PageReq, Paged, Result, RowError, Scope, StoreError};
use std::collections::HashMap;

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
    if let Some(q) = f.q.as_deref().filter(|q| !q.is_empty()) {
        cond.push(
            "h.name LIKE ? ESCAPE '\\'",
            [Value::Text(super::like_contains(q))],
        );
    }
    if let Some(d) = f.from {
        cond.push(
            "coalesce(h.until, '9999-12-31') >= ?",
            [Value::Text(d.to_string())],
        );
    }
    if let Some(d) = f.to {
        cond.push("h.since <= ?", [Value::Text(d.to_string())]);
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

// ---------------------------------------------------------------- courses

const COURSE_COLS: &str = "id, title, kind, organizer, starts_on, ends_on, hours_tenths";

fn course_row(r: &Row) -> crate::Result<Course> {
    let t: i64 = r.get(6)?;
    Ok(Course {
        id: r.get(0)?,
        title: r.get(1)?,
        kind: parse_code(&r.get::<_, String>(2)?, CourseKind::parse)?,
        organizer: r.get(3)?,
        starts_on: opt_date(Some(r.get(4)?))?.unwrap_or_default(),
        ends_on: opt_date(Some(r.get(5)?))?.unwrap_or_default(),
        hours: t as f64 / 10.0,
        hours_tenths: t,
    })
}

fn get_course(c: &Connection, id: i64) -> Result<Course> {
    c.prepare_cached(&format!(
        "SELECT {COURSE_COLS} FROM courses WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], course_row)
    .optional()?
    .ok_or(StoreError::NotFound)
}

fn save_course(tx: &Transaction, actor: &Actor, id: Option<i64>, k: &NewCourse) -> Result<Course> {
    let now = super::now_text();
    let before = id.map(|id| get_course(tx, id)).transpose()?;
    let (title, kind, start, end) = (
        &k.title,
        k.kind.as_str(),
        k.starts_on.to_string(),
        k.ends_on.to_string(),
    );
    let id = match id {
        None => {
            tx.prepare_cached(
                "INSERT INTO courses (title, kind, organizer, starts_on, ends_on, hours_tenths, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            )?
            .execute(params![title, kind, k.organizer, start, end, k.hours_tenths, now])?;
            tx.last_insert_rowid()?
        }
        Some(id) => {
            tx.prepare_cached(
                "UPDATE courses SET title = ?1, kind = ?2, organizer = ?3, starts_on = ?4, ends_on = ?5,
                     hours_tenths = ?6, updated_at = ?7 WHERE id = ?8",
            )?
            .execute(params![title, kind, k.organizer, start, end, k.hours_tenths, now, id])?;
            id
        }
    };
    let after = get_course(tx, id)?;
    let action = if before.is_some() { "update" } else { "create" };
    audit(
        tx,
        actor,
        action,
        "course",
        Some(id),
        before.as_ref(),
        Some(&after),
    )?;
    Ok(after)
}

const ATT_COLS: &str = "t.course_id, t.office_holder_id, h.name, h.party_org_id, t.hours_tenths";
const ATT_FROM: &str = "attendance t JOIN office_holders h ON h.id = t.office_holder_id JOIN party_orgs o ON o.id = h.party_org_id";

fn att_row(r: &Row) -> crate::Result<Attendance> {
    Ok(Attendance {
        course_id: r.get(0)?,
        office_holder_id: r.get(1)?,
        name: r.get(2)?,
        party_org_id: r.get(3)?,
        hours: r.get::<_, i64>(4)? as f64 / 10.0,
    })
}

fn add_attendance(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    course_id: i64,
    holder: i64,
    tenths: i64,
) -> Result<Attendance> {
    get_course(tx, course_id)?;
    if get(tx, scope, holder).is_err() {
        return Err(StoreError::Invalid(FieldErrors::single(
            "office_holder_id",
            FieldError::NotFound,
        )));
    }
    let n = tx
        .prepare_cached(
            "INSERT INTO attendance (course_id, office_holder_id, hours_tenths, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        )?
        .execute(params![course_id, holder, tenths, super::now_text(), actor.user_id])?;
    if n == 0 {
        return Err(StoreError::Conflict("office_holder_id"));
    }
    let id = tx.last_insert_rowid()?;
    let out = tx
        .prepare_cached(&format!(
            "SELECT {ATT_COLS} FROM {ATT_FROM} WHERE t.course_id = ?1 AND t.office_holder_id = ?2"
        ))?
        .query_row(params![course_id, holder], att_row)?;
    audit(
        tx,
        actor,
        "create",
        "attendance",
        Some(id),
        None::<&()>,
        Some(&out),
    )?;
    Ok(out)
}

/// The sign-in sheet's rows written as attendance, each as [`add_attendance`] writes one;
/// any error (the caller's or a row's here) → `Rows` and the transaction is rolled back.
fn import_attendance(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    course_id: i64,
    rows: &[AttendanceRow],
    mut errors: Vec<RowError>,
) -> Result<usize> {
    let course = get_course(tx, course_id)?;
    let (first, last) = (course.starts_on.to_string(), course.ends_on.to_string());
    let err = |row: usize, column: &str, message: &str| RowError {
        row,
        column: column.into(),
        message: message.into(),
    };
    let mut cond = scoped("h.deleted_at IS NULL", scope);
    cond.push("h.party_org_id = ?", [Value::Integer(0)]);
    cond.push("h.name = ?", [Value::Text(String::new())]);
    let sql = format!(
        "SELECT h.id, h.since, h.until FROM {FROM} WHERE {} ORDER BY h.id",
        cond.where_clause()
    );
    let n = cond.args.len();
    let mut seen: HashMap<i64, usize> = HashMap::new();
    let mut written = 0;
    for r in rows {
        let mut args = cond.args.clone();
        args[n - 2] = Value::Integer(r.party_org_id);
        args[n - 1] = Value::Text(r.name.clone());
        let found = tx
            .prepare_cached(&sql)?
            .query_map(super::db::params_from_iter(&args), |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Option<String>>(2)?,
                ))
            })?
            .collect::<crate::Result<Vec<_>>>()?;
        // in position on some day of the course (dates are ISO text: they compare as dates)
        let during: Vec<i64> = found
            .iter()
            .filter(|(_, since, until)| {
                *since <= last && until.as_deref().is_none_or(|u| u >= first.as_str())
            })
            .map(|(id, ..)| *id)
            .collect();
        let holder = match (found.is_empty(), during.as_slice()) {
            (true, _) => {
                errors.push(err(r.row, "name", "train.import.unknown_holder"));
                continue;
            }
            (false, []) => {
                errors.push(err(r.row, "name", "train.import.not_in_position"));
                continue;
            }
            (false, [one]) => *one,
            (false, _) => {
                errors.push(err(r.row, "name", "train.import.ambiguous"));
                continue;
            }
        };
        if seen.insert(holder, r.row).is_some() {
            errors.push(err(r.row, "name", "train.import.duplicate_in_file"));
            continue;
        }
        if !errors.is_empty() {
            // nothing will be written: look for the rows' own errors only
            let attending = tx
                .prepare_cached(
                    "SELECT 1 FROM attendance WHERE course_id = ?1 AND office_holder_id = ?2",
                )?
                .query_row(params![course_id, holder], |_| Ok(()))
                .optional()?
                .is_some();
            if attending {
                errors.push(err(r.row, "name", "train.import.already_attended"));
            }
            continue;
        }
        match add_attendance(tx, actor, scope, course_id, holder, r.hours_tenths) {
            Ok(_) => written += 1,
            Err(StoreError::Conflict(_)) => {
                errors.push(err(r.row, "name", "train.import.already_attended"))
            }
            Err(e) => return Err(e),
        }
    }
    if errors.is_empty() {
        Ok(written)
    } else {
        errors.sort_by_key(|e| e.row);
        Err(StoreError::Rows(errors))
    }
}

fn list_attendance(c: &Connection, scope: &Scope, course_id: i64) -> Result<Vec<Attendance>> {
    get_course(c, course_id)?;
    let mut cond = scoped("h.deleted_at IS NULL", scope);
    cond.push("t.course_id = ?", [Value::Integer(course_id)]);
    c.prepare_cached(&format!(
        "SELECT {ATT_COLS} FROM {ATT_FROM} WHERE {} ORDER BY o.path, h.name, h.id",
        cond.where_clause()
    ))?
    .query_map(super::db::params_from_iter(&cond.args), att_row)?
    .collect::<crate::Result<Vec<_>>>()
}

fn delete_attendance(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    course_id: i64,
    holder: i64,
) -> Result<()> {
    let all = list_attendance(tx, scope, course_id)?;
    let Some(before) = all.into_iter().find(|a| a.office_holder_id == holder) else {
        return Err(StoreError::NotFound);
    };
    tx.prepare_cached("DELETE FROM attendance WHERE course_id = ?1 AND office_holder_id = ?2")?
        .execute(params![course_id, holder])?;
    audit(
        tx,
        actor,
        "delete",
        "attendance",
        None,
        Some(&before),
        None::<&()>,
    )?;
    Ok(())
}

pub(super) fn training_hours(
    c: &Connection,
    scope: &Scope,
    year: i32,
    party_org_id: Option<i64>,
    rules: &domain::Rules,
) -> Result<TrainingHours> {
    // an org's figures are its subtree's
    let scope = match party_org_id {
        None => scope.clone(),
        Some(id) => {
            let Some((_, path)) = super::registry::org_kind_path(c, id)? else {
                return Err(StoreError::Invalid(FieldErrors::single(
                    "party_org_id",
                    FieldError::NotFound,
                )));
            };
            if !in_scope(scope, Some(&path)) {
                return Err(StoreError::NotFound);
            }
            Scope::Subtree { root: id, path }
        }
    };
    let (first, last) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
    let mut cond = scoped("h.deleted_at IS NULL", &scope);
    cond.push(
        "h.since <= ? AND coalesce(h.until, '9999-12-31') >= ?",
        [Value::Text(last.clone()), Value::Text(first.clone())],
    );
    let holders = c
        .prepare_cached(&format!(
            "SELECT {COLS} FROM {FROM} WHERE {} ORDER BY o.path, h.position, h.name, h.id",
            cond.where_clause()
        ))?
        .query_map(super::db::params_from_iter(&cond.args), row)?
        .collect::<crate::Result<Vec<_>>>()?;
    // hours of courses ending in the year, per office-holder (one aggregate)
    let done: std::collections::HashMap<i64, i64> = c
        .prepare_cached(
            "SELECT t.office_holder_id, CAST(sum(t.hours_tenths) AS BIGINT) FROM attendance t
             JOIN courses k ON k.id = t.course_id
             WHERE k.deleted_at IS NULL AND k.ends_on >= ?1 AND k.ends_on <= ?2
             GROUP BY t.office_holder_id",
        )?
        .query_map(params![first, last], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<crate::Result<_>>()?;
    let mut summary = HoursSummary::default();
    let items: Vec<HoursItem> = holders
        .into_iter()
        .map(|h| {
            let required =
                domain::training::required_hours(h.position, h.since, h.until, year, rules);
            let tenths = done.get(&h.id).copied().unwrap_or(0);
            let met = summary.add(required, tenths);
            HoursItem {
                office_holder_id: h.id,
                name: h.name,
                party_org_id: h.party_org_id,
                position: h.position,
                required,
                done: tenths as f64 / 10.0,
                met,
            }
        })
        .collect();
    summary.finish();
    Ok(TrainingHours { items, summary })
}

impl HoursSummary {
    /// Counts one office-holder with `required` hours and `tenths` tenths of an hour done;
    /// whether that meets the requirement.
    fn add(&mut self, required: i64, tenths: i64) -> bool {
        let met = tenths >= required * 10;
        self.people += 1;
        if met {
            self.met += 1;
        }
        met
    }

    fn finish(&mut self) {
        if self.people > 0 {
            self.rate = domain::reports::round4(self.met as f64 / self.people as f64);
        }
    }
}

/// [`training_hours`]' summary alone: the office-holders in scope in position during `year`
/// with their hours of courses ending in it, in one statement (no names, no order).
fn training_summary(
    c: &Connection,
    scope: &Scope,
    year: i32,
    rules: &domain::Rules,
) -> Result<HoursSummary> {
    let (first, last) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
    let mut cond = scoped("h.deleted_at IS NULL", scope);
    cond.push(
        "h.since <= ? AND coalesce(h.until, '9999-12-31') >= ?",
        [Value::Text(last.clone()), Value::Text(first.clone())],
    );
    // the subquery's marks come before the condition's
    let mut args = vec![Value::Text(first), Value::Text(last)];
    args.extend(cond.args.iter().cloned());
    let mut summary = HoursSummary::default();
    let mut st = c.prepare_cached(&format!(
        "SELECT h.position, h.since, h.until, coalesce(d.tenths, 0) FROM {FROM}
         LEFT JOIN (SELECT t.office_holder_id AS holder, CAST(sum(t.hours_tenths) AS BIGINT) AS tenths
                    FROM attendance t JOIN courses k ON k.id = t.course_id
                    WHERE k.deleted_at IS NULL AND k.ends_on >= ? AND k.ends_on <= ?
                    GROUP BY t.office_holder_id) d ON d.holder = h.id
         WHERE {}",
        cond.where_clause()
    ))?;
    let rows = st.query_map(super::db::params_from_iter(&args), |r| {
        Ok((
            parse_code(&r.get::<_, String>(0)?, Position::parse)?,
            opt_date(Some(r.get(1)?))?.unwrap_or_default(),
            opt_date(r.get(2)?)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    for row in rows {
        let (position, since, until, tenths) = row?;
        let required = domain::training::required_hours(position, since, until, year, rules);
        summary.add(required, tenths);
    }
    summary.finish();
    Ok(summary)
}

#[async_trait]
impl TrainingStore for SqlStore {
    async fn bulk_training(&self, actor: &Actor, b: BulkTraining) -> Result<(Vec<i64>, Vec<i64>)> {
        let actor = actor.clone();
        self.write(move |tx, _| super::training_bulk::bulk_training(tx, &actor, &b))
            .await
    }
    async fn record_training_reminders(
        &self,
        today: NaiveDate,
        items: Vec<HoursItem>,
    ) -> Result<Vec<HoursItem>> {
        self.write(move |tx, _| {
            let period = today.format("%Y-%m").to_string();
            let mut out = Vec::new();
            for i in items {
                let n = tx
                    .prepare_cached(
                        "INSERT INTO training_reminders (office_holder_id, party_org_id, period, required, done_tenths, created_on)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
                    )?
                    .execute(params![
                        i.office_holder_id,
                        i.party_org_id,
                        period,
                        i.required,
                        (i.done * 10.0).round() as i64,
                        today.to_string()
                    ])?;
                if n > 0 {
                    out.push(i);
                }
            }
            Ok(out)
        })
        .await
    }
    async fn training_hours(
        &self,
        scope: &Scope,
        year: i32,
        party_org_id: Option<i64>,
    ) -> Result<TrainingHours> {
        let scope = scope.clone();
        self.read(move |c, rules| {
            super::memo(
                format!("training_hours\u{1f}{scope:?}\u{1f}{year}\u{1f}{party_org_id:?}"),
                || training_hours(c, &scope, year, party_org_id, rules),
            )
        })
        .await
    }
    async fn training_summary(&self, scope: &Scope, year: i32) -> Result<HoursSummary> {
        let scope = scope.clone();
        self.read(move |c, rules| {
            super::memo(
                format!("training_summary\u{1f}{scope:?}\u{1f}{year}"),
                || training_summary(c, &scope, year, rules),
            )
        })
        .await
    }
    async fn create_course(&self, actor: &Actor, k: NewCourse) -> Result<Course> {
        let actor = actor.clone();
        self.write(move |tx, _| save_course(tx, &actor, None, &k))
            .await
    }
    async fn update_course(&self, actor: &Actor, id: i64, k: NewCourse) -> Result<Course> {
        let actor = actor.clone();
        self.write(move |tx, _| save_course(tx, &actor, Some(id), &k))
            .await
    }
    async fn get_course(&self, id: i64) -> Result<Course> {
        self.read(move |c, _| get_course(c, id)).await
    }
    async fn list_courses(&self, page: PageReq) -> Result<Paged<Course>> {
        self.read(move |c, _| {
            paged_by(
                c,
                "courses",
                COURSE_COLS,
                &super::registry::Cond::new("deleted_at IS NULL"),
                "starts_on DESC, id DESC",
                page,
                course_row,
            )
        })
        .await
    }
    async fn add_attendance(
        &self,
        actor: &Actor,
        scope: &Scope,
        course_id: i64,
        office_holder_id: i64,
        hours_tenths: i64,
    ) -> Result<Attendance> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| {
            add_attendance(
                tx,
                &actor,
                &scope,
                course_id,
                office_holder_id,
                hours_tenths,
            )
        })
        .await
    }
    async fn import_attendance(
        &self,
        actor: &Actor,
        scope: &Scope,
        course_id: i64,
        rows: Vec<AttendanceRow>,
        errors: Vec<RowError>,
    ) -> Result<usize> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| import_attendance(tx, &actor, &scope, course_id, &rows, errors))
            .await
    }
    async fn list_attendance(&self, scope: &Scope, course_id: i64) -> Result<Vec<Attendance>> {
        let scope = scope.clone();
        self.read(move |c, _| list_attendance(c, &scope, course_id))
            .await
    }
    async fn delete_attendance(
        &self,
        actor: &Actor,
        scope: &Scope,
        course_id: i64,
        office_holder_id: i64,
    ) -> Result<()> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| delete_attendance(tx, &actor, &scope, course_id, office_holder_id))
            .await
    }
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
