//! `ReportStore`: M5 forms, expected submissions, funded projects.
//!
//! The expected submissions are computed here, never stored: a form's begun periods
//! (latest first) × its respondents in scope (the live orgs in tree order, or the projects
//! of the programme in the period's year). A page of them needs only the respondents (one
//! memoized read of the live orgs, or the programme's projects) and the stored rows of the
//! page's own keys; only a state or lateness filter reads every stored row of the form (or
//! of the period, when one is given).

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use domain::life::Period;
use domain::reports::{
    check_values, missing_required, AppliesTo, Expected, FieldType, NewExpenditure, NewForm,
    NewProject, ReportStats, Respondents, SubmissionState,
};
use domain::work::ReviewDecision;
use domain::{FieldError, FieldErrors, OrgKind};
use serde_json::{Map, Value as Json};

use super::db::{params_from_iter, Connection, OptionalExtension, Row, Transaction, Value};
use super::registry::{in_scope, paged_by, Cond};
use super::work::{instant_text, opt_date, opt_instant};
use super::{audit, internal, parse_code, parse_instant, SqlStore};
use crate::params;
use crate::reports::*;
use crate::work::When;
use crate::{Actor, PageReq, Paged, Result, Scope, StoreError};

fn invalid(field: &str, e: FieldError) -> StoreError {
    StoreError::Invalid(FieldErrors::single(field, e))
}

fn json_text<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(internal)
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> crate::Result<T> {
    serde_json::from_str(s).map_err(|e| internal(format!("stored JSON: {e}")))
}

// ---------------------------------------------------------------- forms

const FORM_COLS: &str =
    "f.id, f.title, f.period, f.due_days, f.applies_to, f.programme, f.org_kinds, \
     f.party_org_ids, f.active_from, f.active_to, f.fields";

fn form_row(r: &Row) -> crate::Result<ReportForm> {
    let kinds: Option<String> = r.get(6)?;
    let ids: Option<String> = r.get(7)?;
    Ok(ReportForm {
        id: r.get(0)?,
        title: r.get(1)?,
        period: parse_code(&r.get::<_, String>(2)?, domain::life::PeriodKind::parse)?,
        due_days: r.get(3)?,
        applies_to: parse_code(&r.get::<_, String>(4)?, AppliesTo::parse)?,
        programme: r.get(5)?,
        org_kinds: kinds.as_deref().map(from_json).transpose()?,
        party_org_ids: ids.as_deref().map(from_json).transpose()?,
        active_from: opt_date(Some(r.get(8)?))?.unwrap_or_default(),
        active_to: opt_date(r.get(9)?)?,
        fields: from_json(&r.get::<_, String>(10)?)?,
        // filled by `with_count` where it is shown
        submissions: 0,
    })
}

/// The form with the count of its stored submissions (by the key index; memoized).
fn with_count(c: &Connection, mut f: ReportForm) -> Result<ReportForm> {
    f.submissions = super::count(
        c,
        "SELECT count(*) FROM report_submissions WHERE form_id = ?",
        &[Value::Integer(f.id)],
    )?;
    Ok(f)
}

pub(super) fn get_form(c: &Connection, id: i64) -> Result<ReportForm> {
    let f = c
        .prepare_cached(&format!(
            "SELECT {FORM_COLS} FROM report_forms f WHERE f.id = ?1 AND f.deleted_at IS NULL"
        ))?
        .query_row([id], form_row)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    with_count(c, f)
}

/// A live form from the memoized list (reads that run per request).
fn form_of(c: &Connection, id: i64) -> Result<ReportForm> {
    live_forms(c)?
        .into_iter()
        .find(|f| f.id == id)
        .ok_or(StoreError::NotFound)
}

fn live_forms(c: &Connection) -> Result<Vec<ReportForm>> {
    super::memo("report_forms".into(), || {
        c.prepare_cached(&format!(
            "SELECT {FORM_COLS} FROM report_forms f WHERE f.deleted_at IS NULL ORDER BY f.id"
        ))?
        .query_map((), form_row)?
        .collect::<crate::Result<Vec<_>>>()
    })
}

/// The columns a form's definition is stored in.
fn form_columns(f: &NewForm) -> Result<(Option<String>, Option<String>, Option<String>)> {
    Ok(match &f.respondents {
        Respondents::Projects(p) => (Some(p.clone()), None, None),
        Respondents::OrgKinds(k) if k.is_empty() => (None, None, None),
        Respondents::OrgKinds(k) => (None, Some(json_text(k)?), None),
        Respondents::Orgs(ids) => (None, None, Some(json_text(ids)?)),
    })
}

/// The orgs a form names must exist.
fn check_form_orgs(c: &Connection, f: &NewForm) -> Result<()> {
    if let Respondents::Orgs(ids) = &f.respondents {
        for id in ids {
            if super::registry::org_kind_path(c, *id)?.is_none() {
                return Err(invalid("party_org_ids", FieldError::NotFound));
            }
        }
    }
    Ok(())
}

fn create_form(tx: &Transaction, actor: &Actor, f: &NewForm) -> Result<ReportForm> {
    check_form_orgs(tx, f)?;
    let (programme, kinds, ids) = form_columns(f)?;
    let now = super::now_text();
    tx.prepare_cached(
        "INSERT INTO report_forms (title, period, due_days, applies_to, programme, org_kinds, party_org_ids,
             active_from, active_to, fields, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
    )?
    .execute(params![
        f.title,
        f.period.as_str(),
        f.due_days,
        f.applies_to().as_str(),
        programme,
        kinds,
        ids,
        f.active_from.to_string(),
        f.active_to.map(|d| d.to_string()),
        json_text(&f.fields)?,
        now
    ])?;
    let id = tx.last_insert_rowid()?;
    let after = get_form(tx, id)?;
    audit(
        tx,
        actor,
        "create",
        "report_form",
        Some(id),
        None::<&()>,
        Some(&after),
    )?;
    Ok(after)
}

fn update_form(tx: &Transaction, actor: &Actor, id: i64, f: &NewForm) -> Result<ReportForm> {
    let before = get_form(tx, id)?;
    if before.submissions > 0 {
        if before.def().breaking_change(f).is_some() {
            return Err(StoreError::Conflict("fields"));
        }
        // who answers and the period kind are what the stored submissions are of
        if before.period != f.period || before.applies_to != f.applies_to() {
            return Err(StoreError::Conflict("period"));
        }
    }
    check_form_orgs(tx, f)?;
    let (programme, kinds, ids) = form_columns(f)?;
    tx.prepare_cached(
        "UPDATE report_forms SET title = ?1, period = ?2, due_days = ?3, applies_to = ?4, programme = ?5,
             org_kinds = ?6, party_org_ids = ?7, active_from = ?8, active_to = ?9, fields = ?10, updated_at = ?11
         WHERE id = ?12",
    )?
    .execute(params![
        f.title,
        f.period.as_str(),
        f.due_days,
        f.applies_to().as_str(),
        programme,
        kinds,
        ids,
        f.active_from.to_string(),
        f.active_to.map(|d| d.to_string()),
        json_text(&f.fields)?,
        super::now_text(),
        id
    ])?;
    if before.due_days != f.due_days {
        // the stored submissions' due days follow the form
        let periods: Vec<String> = tx
            .prepare_cached("SELECT DISTINCT period FROM report_submissions WHERE form_id = ?1")?
            .query_map([id], |r| r.get(0))?
            .collect::<crate::Result<_>>()?;
        for p in periods {
            if let Some(per) = Period::parse(&p) {
                tx.prepare_cached(
                    "UPDATE report_submissions SET due_on = ?1 WHERE form_id = ?2 AND period = ?3",
                )?
                .execute(params![f.due_on(&per).to_string(), id, p])?;
            }
        }
    }
    let after = get_form(tx, id)?;
    audit(
        tx,
        actor,
        "update",
        "report_form",
        Some(id),
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

// ---------------------------------------------------------------- respondents

/// A possible respondent of a form.
#[derive(Debug, Clone)]
struct Resp {
    /// `o7`, `p5`: the stored submissions' `respondent`.
    key: String,
    party_org_id: Option<i64>,
    project_id: Option<i64>,
    name: String,
    path: Option<String>,
    kind: Option<OrgKind>,
    /// Orgs: the day established (none recorded: always existed).
    established_on: Option<NaiveDate>,
    /// Projects: the year.
    year: Option<i32>,
}

impl Resp {
    fn answers(&self, p: &Period) -> bool {
        match self.year {
            Some(y) => y == p.year,
            None => self.established_on.is_none_or(|e| e <= p.first_day()),
        }
    }
}

/// Every live org in tree order (kept until the data changes).
fn live_orgs(c: &Connection) -> Result<Arc<Vec<Resp>>> {
    super::memo("report_orgs".into(), || orgs_in(c, None).map(Arc::new))
}

/// The live orgs of the subtree at `path` (all when none), in tree order.
fn orgs_in(c: &Connection, path: Option<&str>) -> Result<Vec<Resp>> {
    let (lo, hi) = match path {
        Some(p) => Scope::path_range(p),
        None => (String::new(), "\u{10ffff}".to_string()),
    };
    c.prepare_cached(
        "SELECT id, name, path, kind, established_on FROM party_orgs
         WHERE deleted_at IS NULL AND path >= ?1 AND path < ?2 ORDER BY path",
    )?
    .query_map(params![lo, hi], |r| {
        let id: i64 = r.get(0)?;
        Ok(Resp {
            key: format!("o{id}"),
            party_org_id: Some(id),
            project_id: None,
            name: r.get(1)?,
            path: Some(r.get(2)?),
            kind: Some(parse_code(&r.get::<_, String>(3)?, OrgKind::parse)?),
            established_on: opt_date(r.get(4)?)?,
            year: None,
        })
    })?
    .collect()
}

/// The live projects of a programme, by year and id, with the org covering the society.
fn programme_projects(c: &Connection, programme: &str) -> Result<Arc<Vec<Resp>>> {
    super::memo(format!("report_projects\u{1f}{programme}"), || {
        c.prepare_cached(
            "SELECT p.id, p.title, p.year, o.id, o.path FROM funded_projects p
             JOIN societies s ON s.id = p.society_id
             LEFT JOIN party_orgs o ON o.id = s.party_org_id AND o.deleted_at IS NULL
             WHERE p.deleted_at IS NULL AND p.programme = ?1 ORDER BY p.year, p.id",
        )?
        .query_map([programme], |r| {
            let id: i64 = r.get(0)?;
            Ok(Resp {
                key: format!("p{id}"),
                party_org_id: r.get(3)?,
                project_id: Some(id),
                name: r.get(1)?,
                path: r.get(4)?,
                kind: None,
                established_on: None,
                year: Some(r.get::<_, i64>(2)? as i32),
            })
        })?
        .collect::<crate::Result<Vec<_>>>()
        .map(Arc::new)
    })
}

/// Some of the memoized respondents (by index, so a request copies none of them).
struct Resps {
    all: Arc<Vec<Resp>>,
    idx: Vec<usize>,
}

impl Resps {
    fn iter(&self) -> impl Iterator<Item = &Resp> + '_ {
        self.idx.iter().map(|i| &self.all[*i])
    }
}

/// The form's respondents in scope the filter keeps (any period).
fn respondents(
    c: &Connection,
    form: &ReportForm,
    scope: &Scope,
    f: &SubmissionFilter,
) -> Result<Resps> {
    let all = match &form.programme {
        Some(p) => programme_projects(c, p)?,
        None => live_orgs(c)?,
    };
    Ok(pick_respondents(all, form, scope, f))
}

/// Those of `all` (a form's possible respondents) that the form, scope and filter keep.
fn pick_respondents(
    all: Arc<Vec<Resp>>,
    form: &ReportForm,
    scope: &Scope,
    f: &SubmissionFilter,
) -> Resps {
    let kinds = form.org_kinds.as_deref().unwrap_or_default();
    let idx = all
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            form.programme.is_some()
                || kinds.is_empty()
                || r.kind.is_some_and(|k| kinds.contains(&k))
        })
        .filter(|(_, r)| {
            form.party_org_ids
                .as_ref()
                .is_none_or(|ids| r.party_org_id.is_some_and(|o| ids.contains(&o)))
        })
        .filter(|(_, r)| in_scope(scope, r.path.as_deref()))
        .filter(|(_, r)| f.party_org_id.is_none_or(|o| r.party_org_id == Some(o)))
        .filter(|(_, r)| f.funded_project_id.is_none_or(|p| r.project_id == Some(p)))
        .map(|(i, _)| i)
        .collect();
    Resps { all, idx }
}

// ---------------------------------------------------------------- submissions

const SUB_COLS: &str =
    "s.id, s.form_id, s.period, s.respondent, s.party_org_id, s.funded_project_id, \
     s.state, s.answers, s.due_on, s.first_submitted_on, s.submitted_at, s.comment";

/// A stored row (its respondent's name and lateness are filled by the caller).
struct Stored {
    id: i64,
    form_id: i64,
    period: String,
    respondent: String,
    party_org_id: Option<i64>,
    funded_project_id: Option<i64>,
    state: SubmissionState,
    values: Map<String, Json>,
    due_on: NaiveDate,
    first_submitted_on: Option<NaiveDate>,
    submitted_at: Option<chrono::DateTime<Utc>>,
    comment: Option<String>,
}

fn stored_row(r: &Row) -> crate::Result<Stored> {
    Ok(Stored {
        id: r.get(0)?,
        form_id: r.get(1)?,
        period: r.get(2)?,
        respondent: r.get(3)?,
        party_org_id: r.get(4)?,
        funded_project_id: r.get(5)?,
        state: parse_code(&r.get::<_, String>(6)?, SubmissionState::parse)?,
        values: from_json(&r.get::<_, String>(7)?)?,
        due_on: opt_date(Some(r.get(8)?))?.unwrap_or_default(),
        first_submitted_on: opt_date(r.get(9)?)?,
        submitted_at: opt_instant(r.get(10)?)?,
        comment: r.get(11)?,
    })
}

impl Stored {
    fn into_submission(self, name: String, today: NaiveDate) -> Submission {
        Submission {
            id: Some(self.id),
            form_id: self.form_id,
            period: self.period,
            party_org_id: self.party_org_id,
            funded_project_id: self.funded_project_id,
            late: domain::ledger::late(self.first_submitted_on, self.due_on, today),
            state: self.state,
            due_on: self.due_on,
            submitted_at: self.submitted_at,
            values: self.values,
            comment: self.comment,
            respondent: name,
            first_submitted_on: self.first_submitted_on,
        }
    }
}

fn not_started(form: &ReportForm, p: &Period, r: &Resp, today: NaiveDate) -> Submission {
    let due_on = form.def().due_on(p);
    Submission {
        id: None,
        form_id: form.id,
        period: p.label(),
        party_org_id: r.party_org_id,
        funded_project_id: r.project_id,
        state: SubmissionState::NotStarted,
        due_on,
        submitted_at: None,
        late: today > due_on,
        values: Map::new(),
        comment: None,
        respondent: r.name.clone(),
        first_submitted_on: None,
    }
}

/// Stored rows by period, then respondent (looked up by `&str`, no key built per lookup).
type Index = HashMap<String, HashMap<String, Light>>;

/// The row of `respondent` in `period`, if stored.
fn lookup<'a>(index: &'a Index, period: &str, respondent: &str) -> Option<&'a Light> {
    index.get(period).and_then(|m| m.get(respondent))
}

/// What the filters and figures need of a stored row.
struct Light {
    state: SubmissionState,
    due_on: NaiveDate,
    first_submitted_on: Option<NaiveDate>,
}

/// `(period, respondent, state, due_on, first_submitted_on)` as a keyed [`Light`].
fn light_row(r: &Row) -> crate::Result<((String, String), Light)> {
    Ok((
        (r.get(0)?, r.get(1)?),
        Light {
            state: parse_code(&r.get::<_, String>(2)?, SubmissionState::parse)?,
            due_on: opt_date(Some(r.get(3)?))?.unwrap_or_default(),
            first_submitted_on: opt_date(r.get(4)?)?,
        },
    ))
}

/// Light rows by `(period, respondent)`.
fn index_of(rows: impl Iterator<Item = crate::Result<((String, String), Light)>>) -> Result<Index> {
    let mut out = Index::new();
    for row in rows {
        let ((period, respondent), light) = row?;
        out.entry(period).or_default().insert(respondent, light);
    }
    Ok(out)
}

/// The stored rows of a form (of one period when given), by `(period, respondent)`: only
/// the state and the days, so a filter over every row stays cheap.
fn stored_of(c: &Connection, form_id: i64, period: Option<&str>) -> Result<Index> {
    const COLS: &str = "s.period, s.respondent, s.state, s.due_on, s.first_submitted_on";
    let row = light_row;
    let rows = match period {
        Some(p) => c
            .prepare_cached(&format!(
                "SELECT {COLS} FROM report_submissions s WHERE s.form_id = ?1 AND s.period = ?2 AND s.deleted_at IS NULL"
            ))?
            .query_map(params![form_id, p], row)?,
        None => c
            .prepare_cached(&format!(
                "SELECT {COLS} FROM report_submissions s WHERE s.form_id = ?1 AND s.deleted_at IS NULL"
            ))?
            .query_map([form_id], row)?,
    };
    index_of(rows)
}

/// Every stored row of a form, light, kept until the data changes (a state or lateness
/// filter over all periods walks it).
fn stored_index(c: &Connection, form_id: i64) -> Result<Arc<Index>> {
    super::memo(format!("report_index\u{1f}{form_id}"), || {
        stored_of(c, form_id, None).map(Arc::new)
    })
}

/// The stored rows of some keys of one form and period.
fn stored_keys(
    c: &Connection,
    form_id: i64,
    period: &str,
    keys: &[&str],
) -> Result<HashMap<String, Stored>> {
    let mut out = HashMap::new();
    for chunk in keys.chunks(100) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut args = vec![Value::Integer(form_id), Value::Text(period.to_string())];
        args.extend(chunk.iter().map(|k| Value::Text(k.to_string())));
        // the page's keys: the same few statement shapes, prepared once
        let rows = c
            .prepare_cached(&format!(
                "SELECT {SUB_COLS} FROM report_submissions s
                 WHERE s.form_id = ? AND s.period = ? AND s.respondent IN ({marks}) AND s.deleted_at IS NULL"
            ))?
            .query_map(params_from_iter(&args), stored_row)?;
        for s in rows {
            let s = s?;
            out.insert(s.respondent.clone(), s);
        }
    }
    Ok(out)
}

/// The forms and periods a filter asks for (a period code of another kind: none of that
/// form's; with `form_id`, a bad code is a field error).
fn form_periods(form: &ReportForm, f: &SubmissionFilter, today: NaiveDate) -> Result<Vec<Period>> {
    let periods = form.def().periods(today);
    match &f.period {
        None => Ok(periods),
        Some(code) => match domain::reports::parse_period(form.period, code) {
            Some(p) => Ok(periods.into_iter().filter(|q| *q == p).collect()),
            None if f.form_id.is_some() => Err(invalid(
                "period",
                FieldError::WrongType {
                    expected: period_shape(form.period),
                },
            )),
            None => Ok(Vec::new()),
        },
    }
}

fn period_shape(k: domain::life::PeriodKind) -> &'static str {
    use domain::life::PeriodKind as K;
    match k {
        K::Month => "a month like 2023-03",
        K::Quarter => "a quarter like 2023-Q1",
        K::HalfYear => "a half year like 2023-H1",
        K::Year => "a year like 2023",
    }
}

fn list_submissions(
    c: &Connection,
    scope: &Scope,
    f: &SubmissionFilter,
    today: NaiveDate,
    page: PageReq,
) -> Result<Paged<Submission>> {
    let forms = match f.form_id {
        Some(id) => vec![form_of(c, id)?],
        None => live_forms(c)?,
    };
    let per_page = page.per_page.clamp(1, PageReq::MAX_PER_PAGE) as usize;
    let offset = page.offset().max(0) as usize;
    let mut total = 0usize;
    let mut items = Vec::new();
    let filtered = f.state.is_some() || f.late.is_some();
    for form in &forms {
        let periods = form_periods(form, f, today)?;
        if periods.is_empty() {
            continue;
        }
        let resp = respondents(c, form, scope, f)?;
        if filtered {
            // every stored row of the form (or period) decides which expected ones are kept
            let stored = match f.period.as_deref() {
                Some(p) => Arc::new(stored_of(c, form.id, Some(p))?),
                None => stored_index(c, form.id)?,
            };
            let def = form.def();
            for p in &periods {
                let label = p.label();
                for r in resp.iter().filter(|r| r.answers(p)) {
                    let s = lookup(&stored, &label, &r.key);
                    let (state, first, due_on) = match s {
                        Some(s) => (s.state, s.first_submitted_on, s.due_on),
                        None => (SubmissionState::NotStarted, None, def.due_on(p)),
                    };
                    if f.state.is_some_and(|want| want != state) {
                        continue;
                    }
                    if f.late
                        .is_some_and(|want| want != domain::ledger::late(first, due_on, today))
                    {
                        continue;
                    }
                    if total >= offset && items.len() < per_page {
                        items.push((form, *p, r.clone()));
                    }
                    total += 1;
                }
            }
        } else {
            for p in &periods {
                let n = resp.iter().filter(|r| r.answers(p)).count();
                // the part of this period's rows that falls on the page
                let lo = offset.max(total);
                let hi = (offset + per_page).min(total + n);
                if lo < hi {
                    for r in resp
                        .iter()
                        .filter(|r| r.answers(p))
                        .skip(lo - total)
                        .take(hi - lo)
                    {
                        items.push((form, *p, r.clone()));
                    }
                }
                total += n;
            }
        }
    }
    // the page's stored rows, one query per form and period on it
    let mut out = Vec::with_capacity(items.len());
    let mut i = 0;
    while i < items.len() {
        let (form, p, _) = &items[i];
        let j = items[i..]
            .iter()
            .position(|(g, q, _)| g.id != form.id || q != p)
            .map_or(items.len(), |k| i + k);
        let label = p.label();
        let keys: Vec<&str> = items[i..j].iter().map(|(_, _, r)| r.key.as_str()).collect();
        let mut stored = stored_keys(c, form.id, &label, &keys)?;
        for (form, p, r) in &items[i..j] {
            out.push(match stored.remove(&r.key) {
                Some(s) => s.into_submission(r.name.clone(), today),
                None => not_started(form, p, r, today),
            });
        }
        i = j;
    }
    Ok(Paged {
        items: out,
        total: total as i64,
        page: page.page,
        per_page: page.per_page,
    })
}

fn report_stats(
    c: &Connection,
    scope: &Scope,
    form_id: i64,
    period: &str,
    party_org_id: Option<i64>,
    today: NaiveDate,
) -> Result<ReportStats> {
    let form = form_of(c, form_id)?;
    let f = SubmissionFilter {
        form_id: Some(form_id),
        period: Some(period.to_string()),
        ..Default::default()
    };
    let periods = form_periods(&form, &f, today)?;
    let Some(p) = periods.first() else {
        return Ok(ReportStats::default());
    };
    // an org's figures are its subtree's
    let scope = match party_org_id {
        None => scope.clone(),
        Some(id) => {
            let Some((_, path)) = super::registry::org_kind_path(c, id)? else {
                return Err(invalid("party_org_id", FieldError::NotFound));
            };
            if !in_scope(scope, Some(&path)) {
                return Err(StoreError::NotFound);
            }
            Scope::Subtree { root: id, path }
        }
    };
    let resp = respondents(c, &form, &scope, &SubmissionFilter::default())?;
    let label = p.label();
    let stored = stored_of(c, form.id, Some(&label))?;
    let due = form.def().due_on(p);
    let items =
        resp.iter()
            .filter(|r| r.answers(p))
            .map(|r| match lookup(&stored, &label, &r.key) {
                Some(s) => Expected {
                    state: s.state,
                    due_on: s.due_on,
                    first_submitted_on: s.first_submitted_on,
                },
                None => Expected {
                    state: SubmissionState::NotStarted,
                    due_on: due,
                    first_submitted_on: None,
                },
            });
    Ok(ReportStats::of(items, today))
}

fn missing_by_org(
    c: &Connection,
    scope: &Scope,
    year: i32,
    today: NaiveDate,
) -> Result<HashMap<i64, i64>> {
    let mut out: HashMap<i64, i64> = HashMap::new();
    for form in live_forms(c)?.iter() {
        let def = form.def();
        let periods: Vec<Period> = def
            .periods(today)
            .into_iter()
            .filter(|p| p.year == year && def.due_on(p) < today)
            .collect();
        if periods.is_empty() {
            continue;
        }
        // how many of these periods each respondent submitted, counted in SQL (one row a
        // respondent): a row is stored only for an expected period, so expected − submitted
        // is what is missing (an org whose day of establishment was moved after it submitted
        // may have a row of a period it no longer answers; never below zero)
        let marks = vec!["?"; periods.len()].join(", ");
        let mut args = vec![Value::Integer(form.id)];
        args.extend(periods.iter().map(|p| Value::Text(p.label())));
        let submitted: HashMap<String, i64> = c
            .prepare_cached(&format!(
                "SELECT s.respondent, count(*) FROM report_submissions s
                 WHERE s.form_id = ? AND s.period IN ({marks}) AND s.first_submitted_on IS NOT NULL
                   AND s.deleted_at IS NULL
                 GROUP BY s.respondent"
            ))?
            .query_map(params_from_iter(&args), |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<crate::Result<_>>()?;
        for r in respondents(c, form, scope, &SubmissionFilter::default())?.iter() {
            let Some(org) = r.party_org_id else { continue };
            let expected = periods.iter().filter(|p| r.answers(p)).count() as i64;
            let done = submitted.get(&r.key).copied().unwrap_or(0);
            let missing = (expected - done).max(0);
            if missing > 0 {
                *out.entry(org).or_default() += missing;
            }
        }
    }
    Ok(out)
}

/// The stored submission in scope (its respondent's name read with it).
fn stored_in_scope(c: &Connection, scope: &Scope, id: i64) -> Result<(Stored, String)> {
    let found = c
        .prepare_cached(&format!(
            "SELECT {SUB_COLS}, coalesce(o.path, ''), coalesce(p.title, o.name, '') FROM report_submissions s
             JOIN report_forms f ON f.id = s.form_id
             LEFT JOIN party_orgs o ON o.id = s.party_org_id
             LEFT JOIN funded_projects p ON p.id = s.funded_project_id
             WHERE s.id = ?1 AND s.deleted_at IS NULL AND f.deleted_at IS NULL"
        ))?
        .query_row([id], |r| {
            Ok((stored_row(r)?, r.get::<_, String>(12)?, r.get::<_, String>(13)?))
        })
        .optional()?;
    match found {
        // a project's submission without an org is the office's alone
        Some((s, path, name)) if in_scope(scope, (!path.is_empty()).then_some(path.as_str())) => {
            Ok((s, name))
        }
        _ => Err(StoreError::NotFound),
    }
}

fn get_submission(c: &Connection, scope: &Scope, id: i64, today: NaiveDate) -> Result<Submission> {
    let (s, name) = stored_in_scope(c, scope, id)?;
    Ok(s.into_submission(name, today))
}

fn event(
    tx: &Transaction,
    id: i64,
    action: &str,
    text: Option<&str>,
    at: &str,
    actor: &Actor,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO report_submission_events (submission_id, action, text, at, actor) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![id, action, text, at, actor.username])?;
    Ok(())
}

/// File values must name evidence files of this submission (and of that field).
fn check_files(
    c: &Connection,
    form: &ReportForm,
    id: Option<i64>,
    values: &Map<String, Json>,
) -> Result<()> {
    let mut errs = FieldErrors::new();
    for fd in form.fields.iter().filter(|f| f.kind == FieldType::File) {
        let Some(att) = values.get(&fd.key).and_then(Json::as_i64) else {
            continue;
        };
        let ok = match id {
            None => false,
            Some(id) => c
                .prepare_cached(
                    "SELECT 1 FROM attachments WHERE id = ?1 AND owner = 'report_submission' AND owner_id = ?2 AND deleted_at IS NULL",
                )?
                .query_row(params![att, id], |_| Ok(()))
                .optional()?
                .is_some(),
        };
        if !ok {
            errs.add(&format!("values.{}", fd.key), FieldError::NotFound);
        }
    }
    errs.into_result().map_err(StoreError::Invalid)
}

fn create_submission(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    key: &SubmissionKey,
    values: &Map<String, Json>,
    when: When,
) -> Result<Submission> {
    let (form_id, period, respondent) = (key.form_id, key.period.as_str(), key.respondent);
    let form = get_form(tx, form_id).map_err(|e| match e {
        StoreError::NotFound => invalid("form_id", FieldError::NotFound),
        e => e,
    })?;
    let Some(p) = domain::reports::parse_period(form.period, period) else {
        return Err(invalid(
            "period",
            FieldError::WrongType {
                expected: period_shape(form.period),
            },
        ));
    };
    // who: it must exist, lie in the caller's scope (else 403) and be expected
    let (field, key, all) = match (respondent, &form.programme) {
        (Respondent::Org(id), None) => ("party_org_id", format!("o{id}"), live_orgs(tx)?),
        (Respondent::Project(id), Some(prog)) => (
            "funded_project_id",
            format!("p{id}"),
            programme_projects(tx, prog)?,
        ),
        (Respondent::Org(_), Some(_)) => {
            return Err(invalid("party_org_id", FieldError::Conflicts));
        }
        (Respondent::Project(_), None) => {
            return Err(invalid("funded_project_id", FieldError::Conflicts));
        }
    };
    let Some(r) = all.iter().find(|r| r.key == key) else {
        return Err(invalid(field, FieldError::NotFound));
    };
    if !in_scope(scope, r.path.as_deref()) {
        return Err(StoreError::Forbidden);
    }
    let expected_resp = respondents(tx, &form, &Scope::All, &SubmissionFilter::default())?;
    if !expected_resp.iter().any(|e| e.key == key && e.answers(&p)) {
        return Err(invalid(field, FieldError::Conflicts));
    }
    if !form.def().periods(when.today).contains(&p) {
        return Err(invalid("period", FieldError::Conflicts));
    }
    let values = check_values(&form.fields, values)?;
    check_files(tx, &form, None, &values)?;
    let exists = tx
        .prepare_cached("SELECT id FROM report_submissions WHERE form_id = ?1 AND period = ?2 AND respondent = ?3")?
        .query_row(params![form.id, p.label(), key], |r| r.get::<_, i64>(0))
        .optional()?;
    if exists.is_some() {
        return Err(StoreError::Conflict("submission"));
    }
    let now = instant_text(when.now);
    tx.prepare_cached(
        "INSERT INTO report_submissions (form_id, period, respondent, party_org_id, funded_project_id, state,
             answers, due_on, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'draft', ?6, ?7, ?8, ?8)",
    )?
    .execute(params![
        form.id,
        p.label(),
        key,
        r.party_org_id,
        r.project_id,
        json_text(&values)?,
        form.def().due_on(&p).to_string(),
        now
    ])?;
    let id = tx.last_insert_rowid()?;
    let after = get_submission(tx, &Scope::All, id, when.today)?;
    audit(
        tx,
        actor,
        "create",
        "report_submission",
        Some(id),
        None::<&()>,
        Some(&after),
    )?;
    Ok(after)
}

/// The submission in scope and the state `action` takes it to (`Conflict("state")` else).
fn step(
    tx: &Transaction,
    scope: &Scope,
    id: i64,
    action: &str,
    today: NaiveDate,
) -> Result<(Submission, ReportForm, SubmissionState)> {
    use domain::ledger::LedgerState;
    let before = get_submission(tx, scope, id, today)?;
    let next = before
        .state
        .after(action)
        .map_err(|_| StoreError::Conflict("state"))?;
    let form = get_form(tx, before.form_id)?;
    Ok((before, form, next))
}

fn update_submission(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    values: &Map<String, Json>,
    when: When,
) -> Result<Submission> {
    let (before, form, _) = step(tx, scope, id, "edit", when.today)?;
    let checked = check_values(&form.fields, values)?;
    let mut merged = before.values.clone();
    for k in values.keys() {
        match checked.get(k) {
            Some(v) => merged.insert(k.clone(), v.clone()),
            None => merged.remove(k),
        };
    }
    check_files(tx, &form, Some(id), &merged)?;
    save_values(tx, actor, &before, &merged, when)
}

/// Stores a submission's values and audits the change.
fn save_values(
    tx: &Transaction,
    actor: &Actor,
    before: &Submission,
    values: &Map<String, Json>,
    when: When,
) -> Result<Submission> {
    let id = before.id.ok_or(StoreError::NotFound)?;
    tx.prepare_cached("UPDATE report_submissions SET answers = ?1, updated_at = ?2 WHERE id = ?3")?
        .execute(params![json_text(values)?, instant_text(when.now), id])?;
    let after = get_submission(tx, &Scope::All, id, when.today)?;
    audit(
        tx,
        actor,
        "update",
        "report_submission",
        Some(id),
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

fn submit_submission(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    when: When,
) -> Result<Submission> {
    let (before, form, next) = step(tx, scope, id, "submit", when.today)?;
    missing_required(&form.fields, &before.values)
        .into_result()
        .map_err(StoreError::Invalid)?;
    let at = instant_text(when.now);
    tx.prepare_cached(
        "UPDATE report_submissions SET state = ?1, submitted_at = ?2, updated_at = ?2,
             first_submitted_on = coalesce(first_submitted_on, ?3) WHERE id = ?4",
    )?
    .execute(params![next.as_str(), at, when.today.to_string(), id])?;
    event(tx, id, "submit", None, &at, actor)?;
    let after = get_submission(tx, &Scope::All, id, when.today)?;
    audit(
        tx,
        actor,
        "update",
        "report_submission",
        Some(id),
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

fn review_submission(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    decision: ReviewDecision,
    comment: Option<&str>,
    when: When,
) -> Result<Submission> {
    let (before, _, next) = step(tx, scope, id, decision.as_str(), when.today)?;
    let at = instant_text(when.now);
    let accepted_on = (next == SubmissionState::Accepted).then(|| when.today.to_string());
    tx.prepare_cached(
        "UPDATE report_submissions SET state = ?1, comment = ?2, accepted_on = ?3, updated_at = ?4 WHERE id = ?5",
    )?
    .execute(params![next.as_str(), comment, accepted_on, at, id])?;
    event(tx, id, decision.as_str(), comment, &at, actor)?;
    let after = get_submission(tx, &Scope::All, id, when.today)?;
    audit(
        tx,
        actor,
        "update",
        "report_submission",
        Some(id),
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

/// A file for a file field of a draft or returned submission: the evidence file is added
/// and the field names it, in one transaction.
pub(super) fn attach_file(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    field: &str,
    a: &crate::life::NewAttachment,
    when: When,
) -> Result<(crate::ledger::LedgerAttachment, Submission)> {
    let (before, form, _) = step(tx, scope, id, "edit", when.today)?;
    if !form
        .fields
        .iter()
        .any(|f| f.key == field && f.kind == FieldType::File)
    {
        return Err(invalid("field", FieldError::NotFound));
    }
    let att = super::ledger::add_attachment(tx, actor, scope, &domain::ledger::SUBMISSIONS, id, a)?;
    let mut values = before.values.clone();
    values.insert(field.to_string(), Json::from(att.id));
    let after = save_values(tx, actor, &before, &values, when)?;
    Ok((att, after))
}

fn due_submissions(
    c: &Connection,
    scope: &Scope,
    today: NaiveDate,
    within_days: i64,
    missed_since: NaiveDate,
) -> Result<Vec<Submission>> {
    let horizon = today + chrono::Duration::days(within_days.max(0));
    let mut out = Vec::new();
    for form in live_forms(c)? {
        let def = form.def();
        let mut resp: Option<Resps> = None;
        for p in def.periods(today) {
            let due = def.due_on(&p);
            if due < missed_since {
                break;
            }
            if due > horizon {
                continue;
            }
            let resp = match &resp {
                Some(r) => r,
                None => resp.insert(respondents(c, &form, scope, &SubmissionFilter::default())?),
            };
            let label = p.label();
            let stored = stored_of(c, form.id, Some(&label))?;
            for r in resp.iter().filter(|r| r.answers(&p)) {
                match lookup(&stored, &label, &r.key) {
                    None => out.push(not_started(&form, &p, r, today)),
                    Some(s) if s.state == SubmissionState::Draft => {
                        let s = stored_keys(c, form.id, &label, &[r.key.as_str()])?
                            .remove(&r.key)
                            .map(|s| s.into_submission(r.name.clone(), today));
                        out.extend(s);
                    }
                    Some(_) => {}
                }
            }
        }
    }
    out.sort_by_key(|s| s.due_on);
    Ok(out)
}

fn record_report_reminders(
    tx: &Transaction,
    today: NaiveDate,
    items: &[Submission],
) -> Result<Vec<Submission>> {
    let mut out = Vec::new();
    for s in items {
        let reason = if s.late { "missed" } else { "due" };
        let respondent = match (s.funded_project_id, s.party_org_id) {
            (Some(p), _) => format!("p{p}"),
            (None, Some(o)) => format!("o{o}"),
            (None, None) => continue,
        };
        let n = tx
            .prepare_cached(
                "INSERT INTO report_reminders (form_id, period, respondent, party_org_id, reason, due_on, created_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                s.form_id,
                s.period,
                respondent,
                s.party_org_id,
                reason,
                s.due_on.to_string(),
                today.to_string()
            ])?;
        if n > 0 {
            out.push(s.clone());
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- funded projects

const PROJECT_FROM: &str = "funded_projects p JOIN societies s ON s.id = p.society_id \
     LEFT JOIN party_orgs o ON o.id = s.party_org_id AND o.deleted_at IS NULL";
const PROJECT_COLS: &str = "p.id, p.programme, p.title, p.society_id, o.id, p.year, p.budget_fen, p.indicators, \
     CAST(coalesce((SELECT sum(e.amount_fen) FROM expenditures e WHERE e.funded_project_id = p.id), 0) AS BIGINT), \
     s.name, coalesce(o.path, '')";

fn project_row(r: &Row) -> crate::Result<(FundedProject, String)> {
    let budget_fen: i64 = r.get(6)?;
    let spent_fen: i64 = r.get(8)?;
    let indicators: Vec<domain::reports::Indicator> = from_json(&r.get::<_, String>(7)?)?;
    Ok((
        FundedProject {
            id: r.get(0)?,
            programme: r.get(1)?,
            title: r.get(2)?,
            society_id: r.get(3)?,
            party_org_id: r.get(4)?,
            year: r.get::<_, i64>(5)? as i32,
            budget: domain::reports::yuan(budget_fen),
            spent: domain::reports::yuan(spent_fen),
            execution_rate: domain::reports::execution_rate(spent_fen, budget_fen),
            achievement_rate: domain::reports::achievement_rate(&indicators),
            indicators,
            society: r.get(9)?,
            budget_fen,
            spent_fen,
        },
        r.get(10)?,
    ))
}

fn project_scope(scope: &Scope) -> Cond {
    let mut cond = Cond::new("p.deleted_at IS NULL");
    if let Scope::Subtree { path, .. } = scope {
        cond.org_subtree(path);
    }
    cond
}

pub(super) fn get_project(c: &Connection, scope: &Scope, id: i64) -> Result<FundedProject> {
    let found = c
        .prepare_cached(&format!(
            "SELECT {PROJECT_COLS} FROM {PROJECT_FROM} WHERE p.id = ?1 AND p.deleted_at IS NULL"
        ))?
        .query_row([id], project_row)
        .optional()?;
    match found {
        Some((p, path)) if in_scope(scope, (!path.is_empty()).then_some(path.as_str())) => Ok(p),
        _ => Err(StoreError::NotFound),
    }
}

fn list_projects(
    c: &Connection,
    scope: &Scope,
    f: &ProjectFilter,
    page: PageReq,
) -> Result<Paged<FundedProject>> {
    let mut cond = project_scope(scope);
    if let Some(p) = &f.programme {
        cond.push("p.programme = ?", [Value::Text(p.clone())]);
    }
    if let Some(y) = f.year {
        cond.push("p.year = ?", [Value::Integer(y)]);
    }
    if let Some(s) = f.society_id {
        cond.push("p.society_id = ?", [Value::Integer(s)]);
    }
    if let Some(o) = f.party_org_id {
        cond.push("s.party_org_id = ?", [Value::Integer(o)]);
    }
    paged_by(
        c,
        PROJECT_FROM,
        PROJECT_COLS,
        &cond,
        "p.year DESC, p.id",
        page,
        |r| project_row(r).map(|(p, _)| p),
    )
}

/// The society must exist; its covering org must lie in the caller's scope.
pub(super) fn check_society(c: &Connection, scope: &Scope, society_id: i64) -> Result<()> {
    let found: Option<Option<String>> = c
        .prepare_cached(
            "SELECT o.path FROM societies s LEFT JOIN party_orgs o ON o.id = s.party_org_id
             WHERE s.id = ?1 AND s.deleted_at IS NULL",
        )?
        .query_row([society_id], |r| r.get(0))
        .optional()?;
    match found {
        None => Err(invalid("society_id", FieldError::NotFound)),
        Some(path) if !in_scope(scope, path.as_deref()) => Err(StoreError::Forbidden),
        Some(_) => Ok(()),
    }
}

fn create_project(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    p: &NewProject,
) -> Result<FundedProject> {
    check_society(tx, scope, p.society_id)?;
    let now = super::now_text();
    tx.prepare_cached(
        "INSERT INTO funded_projects (programme, title, society_id, year, budget_fen, indicators, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![
        p.programme,
        p.title,
        p.society_id,
        p.year as i64,
        p.budget_fen,
        json_text(&p.indicators)?,
        now
    ])?;
    let id = tx.last_insert_rowid()?;
    let after = get_project(tx, &Scope::All, id)?;
    audit(
        tx,
        actor,
        "create",
        "funded_project",
        Some(id),
        None::<&()>,
        Some(&after),
    )?;
    Ok(after)
}

fn update_project(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    p: &NewProject,
) -> Result<FundedProject> {
    let before = get_project(tx, scope, id)?;
    if before.society_id != p.society_id {
        check_society(tx, scope, p.society_id)?;
    }
    tx.prepare_cached(
        "UPDATE funded_projects SET programme = ?1, title = ?2, society_id = ?3, year = ?4, budget_fen = ?5,
             indicators = ?6, updated_at = ?7 WHERE id = ?8",
    )?
    .execute(params![
        p.programme,
        p.title,
        p.society_id,
        p.year as i64,
        p.budget_fen,
        json_text(&p.indicators)?,
        super::now_text(),
        id
    ])?;
    let after = get_project(tx, &Scope::All, id)?;
    audit(
        tx,
        actor,
        "update",
        "funded_project",
        Some(id),
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

fn expenditure_row(r: &Row) -> crate::Result<Expenditure> {
    Ok(Expenditure {
        id: r.get(0)?,
        funded_project_id: r.get(1)?,
        spent_on: opt_date(Some(r.get(2)?))?.unwrap_or_default(),
        amount: domain::reports::yuan(r.get(3)?),
        purpose: r.get(4)?,
        created_at: parse_instant(&r.get::<_, String>(5)?)?,
    })
}

const EXPENDITURE_COLS: &str = "id, funded_project_id, spent_on, amount_fen, purpose, created_at";

fn add_expenditure(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    project_id: i64,
    e: &NewExpenditure,
) -> Result<Expenditure> {
    let before = get_project(tx, scope, project_id)?;
    tx.prepare_cached(
        "INSERT INTO expenditures (funded_project_id, spent_on, amount_fen, purpose, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        project_id,
        e.spent_on.to_string(),
        e.amount_fen,
        e.purpose,
        super::now_text(),
        actor.user_id
    ])?;
    let id = tx.last_insert_rowid()?;
    let out = tx
        .prepare_cached(&format!(
            "SELECT {EXPENDITURE_COLS} FROM expenditures WHERE id = ?1"
        ))?
        .query_row([id], expenditure_row)?;
    audit(
        tx,
        actor,
        "create",
        "expenditure",
        Some(id),
        None::<&()>,
        Some(&out),
    )?;
    let after = get_project(tx, &Scope::All, project_id)?;
    audit(
        tx,
        actor,
        "update",
        "funded_project",
        Some(project_id),
        Some(&before),
        Some(&after),
    )?;
    Ok(out)
}

fn list_expenditures(c: &Connection, scope: &Scope, project_id: i64) -> Result<Vec<Expenditure>> {
    get_project(c, scope, project_id)?;
    c.prepare_cached(&format!(
        "SELECT {EXPENDITURE_COLS} FROM expenditures WHERE funded_project_id = ?1 ORDER BY spent_on, id"
    ))?
    .query_map([project_id], expenditure_row)?
    .collect::<crate::Result<Vec<_>>>()
}

#[async_trait]
impl ReportStore for SqlStore {
    async fn create_form(&self, actor: &Actor, form: NewForm) -> Result<ReportForm> {
        let actor = actor.clone();
        self.write(move |tx, _| create_form(tx, &actor, &form))
            .await
    }
    async fn update_form(&self, actor: &Actor, id: i64, form: NewForm) -> Result<ReportForm> {
        let actor = actor.clone();
        self.write(move |tx, _| update_form(tx, &actor, id, &form))
            .await
    }
    async fn get_form(&self, id: i64) -> Result<ReportForm> {
        self.read(move |c, _| with_count(c, form_of(c, id)?)).await
    }
    async fn list_forms(&self, page: PageReq) -> Result<Paged<ReportForm>> {
        self.read(move |c, _| {
            let mut p = paged_by(
                c,
                "report_forms f",
                FORM_COLS,
                &Cond::new("f.deleted_at IS NULL"),
                "f.id",
                page,
                form_row,
            )?;
            p.items = std::mem::take(&mut p.items)
                .into_iter()
                .map(|f| with_count(c, f))
                .collect::<Result<_>>()?;
            Ok(p)
        })
        .await
    }
    async fn list_submissions(
        &self,
        scope: &Scope,
        f: &SubmissionFilter,
        today: NaiveDate,
        page: PageReq,
    ) -> Result<Paged<Submission>> {
        let (scope, f) = (scope.clone(), f.clone());
        self.read(move |c, _| list_submissions(c, &scope, &f, today, page))
            .await
    }
    async fn report_stats(
        &self,
        scope: &Scope,
        form_id: i64,
        period: &str,
        party_org_id: Option<i64>,
        today: NaiveDate,
    ) -> Result<ReportStats> {
        let (scope, period) = (scope.clone(), period.to_string());
        self.read(move |c, _| {
            super::memo(
                format!("report_stats\u{1f}{scope:?}\u{1f}{form_id}\u{1f}{period}\u{1f}{party_org_id:?}\u{1f}{today}"),
                || report_stats(c, &scope, form_id, &period, party_org_id, today),
            )
        })
        .await
    }
    async fn missing_submissions_by_org(
        &self,
        scope: &Scope,
        year: i32,
        today: NaiveDate,
    ) -> Result<HashMap<i64, i64>> {
        let scope = scope.clone();
        self.read(move |c, _| {
            super::memo(
                format!("missing_by_org\u{1f}{scope:?}\u{1f}{year}\u{1f}{today}"),
                || missing_by_org(c, &scope, year, today),
            )
        })
        .await
    }
    async fn get_submission(&self, scope: &Scope, id: i64, today: NaiveDate) -> Result<Submission> {
        let scope = scope.clone();
        self.read(move |c, _| get_submission(c, &scope, id, today))
            .await
    }
    async fn create_submission(
        &self,
        actor: &Actor,
        scope: &Scope,
        key: SubmissionKey,
        values: Map<String, Json>,
        when: When,
    ) -> Result<Submission> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| create_submission(tx, &actor, &scope, &key, &values, when))
            .await
    }
    async fn update_submission(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        values: Map<String, Json>,
        when: When,
    ) -> Result<Submission> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| update_submission(tx, &actor, &scope, id, &values, when))
            .await
    }
    async fn submit_submission(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        when: When,
    ) -> Result<Submission> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| submit_submission(tx, &actor, &scope, id, when))
            .await
    }
    async fn review_submission(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        decision: ReviewDecision,
        comment: Option<String>,
        when: When,
    ) -> Result<Submission> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| {
            review_submission(tx, &actor, &scope, id, decision, comment.as_deref(), when)
        })
        .await
    }
    async fn attach_submission_file(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        field: &str,
        a: &crate::life::NewAttachment,
        when: When,
    ) -> Result<(crate::ledger::LedgerAttachment, Submission)> {
        let (actor, scope, field, a) = (actor.clone(), scope.clone(), field.to_string(), a.clone());
        self.write(move |tx, _| attach_file(tx, &actor, &scope, id, &field, &a, when))
            .await
    }
    async fn due_submissions(
        &self,
        scope: &Scope,
        today: NaiveDate,
        within_days: i64,
        missed_since: NaiveDate,
    ) -> Result<Vec<Submission>> {
        let scope = scope.clone();
        self.read(move |c, _| {
            super::memo(
                format!("due_submissions\u{1f}{scope:?}\u{1f}{today}\u{1f}{within_days}\u{1f}{missed_since}"),
                || due_submissions(c, &scope, today, within_days, missed_since),
            )
        })
        .await
    }
    async fn record_report_reminders(
        &self,
        today: NaiveDate,
        items: Vec<Submission>,
    ) -> Result<Vec<Submission>> {
        self.write(move |tx, _| record_report_reminders(tx, today, &items))
            .await
    }
    async fn create_project(
        &self,
        actor: &Actor,
        scope: &Scope,
        p: NewProject,
    ) -> Result<FundedProject> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| create_project(tx, &actor, &scope, &p))
            .await
    }
    async fn update_project(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        p: NewProject,
    ) -> Result<FundedProject> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| update_project(tx, &actor, &scope, id, &p))
            .await
    }
    async fn get_project(&self, scope: &Scope, id: i64) -> Result<FundedProject> {
        let scope = scope.clone();
        self.read(move |c, _| get_project(c, &scope, id)).await
    }
    async fn list_projects(
        &self,
        scope: &Scope,
        f: &ProjectFilter,
        page: PageReq,
    ) -> Result<Paged<FundedProject>> {
        let (scope, f) = (scope.clone(), f.clone());
        self.read(move |c, _| list_projects(c, &scope, &f, page))
            .await
    }
    async fn add_expenditure(
        &self,
        actor: &Actor,
        scope: &Scope,
        project_id: i64,
        e: NewExpenditure,
    ) -> Result<Expenditure> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| add_expenditure(tx, &actor, &scope, project_id, &e))
            .await
    }
    async fn list_expenditures(&self, scope: &Scope, project_id: i64) -> Result<Vec<Expenditure>> {
        let scope = scope.clone();
        self.read(move |c, _| list_expenditures(c, &scope, project_id))
            .await
    }
    async fn bulk_projects(&self, actor: &Actor, projects: Vec<BulkProject>) -> Result<Vec<i64>> {
        let actor = actor.clone();
        self.write(move |tx, _| super::reports_bulk::bulk_projects(tx, &actor, &projects))
            .await
    }
    async fn bulk_submissions(&self, actor: &Actor, subs: Vec<BulkSubmission>) -> Result<usize> {
        let actor = actor.clone();
        self.write(move |tx, _| super::reports_bulk::bulk_submissions(tx, &actor, &subs))
            .await
    }
}

// ---------------------------------------------------------------- assessment (M6)

/// Per org, its own respondents' expected submissions due in `year` (a project counts for
/// the org covering its society): `(first submitted on or before due_on, expected)` — the
/// assessment's `report_rate`. `path`: only the respondents of that subtree.
pub(super) fn year_report_counts(
    c: &Connection,
    year: i32,
    today: NaiveDate,
    path: Option<&str>,
) -> Result<HashMap<i64, (i64, i64)>> {
    let scope = match path {
        Some(p) => Scope::Subtree {
            root: 0,
            path: p.to_string(),
        },
        None => Scope::All,
    };
    let mut out: HashMap<i64, (i64, i64)> = HashMap::new();
    // the orgs read once (a subtree: only its own; a write transaction keeps no memo)
    let orgs = match path {
        None => live_orgs(c)?,
        Some(p) => Arc::new(orgs_in(c, Some(p))?),
    };
    // per form: its periods due in the year (by label) and its respondents in scope
    let mut forms = Vec::new();
    for form in live_forms(c)? {
        let def = form.def();
        let periods: Vec<Period> = def
            .periods(today)
            .into_iter()
            .filter(|p| chrono::Datelike::year(&def.due_on(p)) == year)
            .collect();
        if periods.is_empty() {
            continue;
        }
        let all = match &form.programme {
            Some(p) => programme_projects(c, p)?,
            None => orgs.clone(),
        };
        let resp = pick_respondents(all, &form, &scope, &SubmissionFilter::default());
        if resp.idx.is_empty() {
            continue;
        }
        // expected: each period's respondents that answer it
        for p in &periods {
            for r in resp.iter().filter(|r| r.answers(p)) {
                if let Some(org) = r.party_org_id {
                    out.entry(org).or_default().1 += 1;
                }
            }
        }
        forms.push((form.id, periods, resp));
    }
    struct Year<'a> {
        periods: HashMap<String, &'a Period>,
        resp: HashMap<&'a str, &'a Resp>,
    }
    let years: HashMap<i64, Year> = forms
        .iter()
        .map(|(id, periods, resp)| {
            let y = Year {
                periods: periods.iter().map(|p| (p.label(), p)).collect(),
                resp: resp.iter().map(|r| (r.key.as_str(), r)).collect(),
            };
            (*id, y)
        })
        .collect();
    // on time: the stored rows first submitted by their due day, none kept
    let mut count = |(form, label, key): (i64, String, String)| {
        let Some(y) = years.get(&form) else { return };
        let (Some(p), Some(r)) = (y.periods.get(&label), y.resp.get(key.as_str())) else {
            return;
        };
        if let (true, Some(org)) = (r.answers(p), r.party_org_id) {
            out.entry(org).or_default().0 += 1;
        }
    };
    const ON_TIME: &str = "SELECT s.form_id, s.period, s.respondent FROM report_submissions s
         WHERE s.deleted_at IS NULL AND s.first_submitted_on IS NOT NULL
             AND s.first_submitted_on <= s.due_on";
    let row = |r: &Row| Ok((r.get(0)?, r.get(1)?, r.get(2)?));
    match path {
        // the whole tree: each form's rows of the year's periods, by the key's prefix
        None => {
            for (id, y) in &years {
                let lo = y.periods.keys().min().cloned().unwrap_or_default();
                let hi = y.periods.keys().max().cloned().unwrap_or_default();
                for r in c
                    .prepare_cached(&format!(
                        "{ON_TIME} AND s.form_id = ?1 AND s.period >= ?2 AND s.period <= ?3"
                    ))?
                    .query_map(params![id, lo, hi], row)?
                {
                    count(r?);
                }
            }
        }
        // a subtree: its orgs' rows of every form, by the org index
        Some(p) => {
            let (lo, hi) = Scope::path_range(p);
            for r in c
                .prepare_cached(&format!(
                    "{ON_TIME} AND s.party_org_id IN (SELECT id FROM party_orgs WHERE path >= ?1 AND path < ?2)"
                ))?
                .query_map(params![lo, hi], row)?
            {
                count(r?);
            }
        }
    }
    Ok(out)
}
