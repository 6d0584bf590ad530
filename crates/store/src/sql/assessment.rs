//! `AssessmentStore`: M6 schemes, their scores and grades. An open scheme's auto scores are
//! computed from the records: each org's own counts per metric (one grouped query or one
//! existing whole-tree figure per metric, memoized until the data changes), summed over
//! each assessed org's subtree (a contiguous run of the orgs in path order). One org's
//! assessment reads only its subtree's records. Finalize writes every assessed org's
//! computed scores with their basis into `assessment_results`, which a final scheme is read
//! from.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use domain::assessment::{
    auto_score, check_score, round1, Method, Metric, NewScheme, SchemeState, Thresholds,
};
use domain::life::Status;
use domain::registry::OrgKind;
use domain::{FieldError, FieldErrors, Grade, Rules};

use super::db::{Connection, OptionalExtension, Row, Transaction};
use super::ledger::{Table, ASSIGNMENT_TABLE, RECTIFICATION_TABLE};
use super::registry::in_scope;
use super::work::opt_date;
use super::{audit, now_text, parse_code, SqlStore};
use crate::assessment::*;
use crate::params;
use crate::{Actor, PageReq, Paged, Result, Scope, StoreError};

fn invalid(field: &str, e: FieldError) -> StoreError {
    StoreError::Invalid(FieldErrors::single(field, e))
}

// ---------------------------------------------------------------- schemes

const SCHEME_COLS: &str =
    "id, year, title, state, org_kinds, threshold_a, threshold_b, finalized_at";

fn scheme_row(r: &Row) -> crate::Result<Scheme> {
    let kinds: String = r.get(4)?;
    Ok(Scheme {
        id: r.get(0)?,
        year: r.get::<_, i64>(1)? as i32,
        title: r.get(2)?,
        state: parse_code(&r.get::<_, String>(3)?, SchemeState::parse)?,
        org_kinds: kinds
            .split(',')
            .filter(|k| !k.is_empty())
            .map(|k| parse_code(k, OrgKind::parse))
            .collect::<crate::Result<Vec<_>>>()?,
        thresholds: Thresholds {
            a: r.get::<_, i64>(5)? as f64 / 10.0,
            b: r.get::<_, i64>(6)? as f64 / 10.0,
        },
        indicators: Vec::new(),
        finalized_at: r.get(7)?,
    })
}

fn indicators(c: &Connection, scheme_id: i64) -> Result<Vec<Indicator>> {
    c.prepare_cached(
        "SELECT id, parent_id, name, points, method, metric FROM assessment_indicators
         WHERE scheme_id = ?1 ORDER BY position",
    )?
    .query_map([scheme_id], |r| {
        Ok(Indicator {
            id: r.get(0)?,
            parent_id: r.get(1)?,
            name: r.get(2)?,
            points: r.get::<_, i64>(3)? as f64 / 10.0,
            method: r
                .get::<_, Option<String>>(4)?
                .map(|m| parse_code(&m, Method::parse))
                .transpose()?,
            metric: r
                .get::<_, Option<String>>(5)?
                .map(|m| parse_code(&m, Metric::parse))
                .transpose()?,
        })
    })?
    .collect()
}

fn get_scheme(c: &Connection, id: i64) -> Result<Scheme> {
    let mut s = c
        .prepare_cached(&format!(
            "SELECT {SCHEME_COLS} FROM assessment_schemes WHERE id = ?1"
        ))?
        .query_row([id], scheme_row)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    s.indicators = indicators(c, id)?;
    Ok(s)
}

fn kinds_text(kinds: &[OrgKind]) -> String {
    kinds
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn tenths(x: f64) -> i64 {
    (x * 10.0).round() as i64
}

fn save_scheme(tx: &Transaction, actor: &Actor, id: Option<i64>, s: &NewScheme) -> Result<Scheme> {
    let before = id.map(|id| get_scheme(tx, id)).transpose()?;
    if before.as_ref().is_some_and(|b| b.is_final()) {
        return Err(StoreError::InUse("assessment_final"));
    }
    let now = now_text();
    let args = params![
        s.year as i64,
        s.title,
        kinds_text(&s.org_kinds),
        tenths(s.thresholds.a),
        tenths(s.thresholds.b),
        now
    ];
    let id = match id {
        None => {
            tx.prepare_cached(
                "INSERT INTO assessment_schemes (year, title, state, org_kinds, threshold_a, threshold_b, created_at, updated_at, created_by)
                 VALUES (?1, ?2, 'open', ?3, ?4, ?5, ?6, ?6, ?7)",
            )?
            .execute(params![
                s.year as i64,
                s.title,
                kinds_text(&s.org_kinds),
                tenths(s.thresholds.a),
                tenths(s.thresholds.b),
                now,
                actor.user_id
            ])?;
            tx.last_insert_rowid()?
        }
        Some(id) => {
            let mut a: Vec<&dyn super::db::ToSql> = args.to_vec();
            a.push(&id);
            tx.prepare_cached(
                "UPDATE assessment_schemes SET year = ?1, title = ?2, org_kinds = ?3, threshold_a = ?4,
                     threshold_b = ?5, updated_at = ?6 WHERE id = ?7",
            )?
            .execute(a.as_slice())?;
            id
        }
    };
    save_indicators(tx, id, before.as_ref(), s)?;
    let after = get_scheme(tx, id)?;
    let action = if before.is_some() { "update" } else { "create" };
    audit(
        tx,
        actor,
        action,
        "assessment_scheme",
        Some(id),
        before.as_ref(),
        Some(&after),
    )?;
    Ok(after)
}

/// Writes the tree: a request key that is a stored id of the scheme keeps that indicator.
fn save_indicators(
    tx: &Transaction,
    scheme_id: i64,
    before: Option<&Scheme>,
    s: &NewScheme,
) -> Result<()> {
    let old: HashMap<i64, &Indicator> = before
        .map(|b| b.indicators.iter().map(|i| (i.id, i)).collect())
        .unwrap_or_default();
    let mut ids: Vec<i64> = Vec::with_capacity(s.indicators.len());
    for (pos, ind) in s.indicators.iter().enumerate() {
        let parent = ind.parent.map(|p| ids[p]);
        let method = ind.method.map(|m| m.as_str());
        let metric = ind.metric.map(|m| m.as_str());
        let id = match old.get(&ind.key) {
            Some(o) => {
                tx.prepare_cached(
                    "UPDATE assessment_indicators SET parent_id = ?1, position = ?2, name = ?3, points = ?4,
                         method = ?5, metric = ?6 WHERE id = ?7",
                )?
                .execute(params![
                    parent,
                    pos as i64,
                    ind.name,
                    ind.points_tenths,
                    method,
                    metric,
                    o.id
                ])?;
                // a leaf whose method changes (or that became a parent) loses its scores
                if o.method != ind.method || o.metric != ind.metric {
                    tx.execute(
                        "DELETE FROM assessment_scores WHERE indicator_id = ?1",
                        [o.id],
                    )?;
                } else {
                    tx.execute(
                        "UPDATE assessment_scores SET score = ?1 WHERE indicator_id = ?2 AND score > ?1",
                        params![ind.points_tenths, o.id],
                    )?;
                }
                o.id
            }
            None => {
                tx.prepare_cached(
                    "INSERT INTO assessment_indicators (scheme_id, parent_id, position, name, points, method, metric)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    scheme_id,
                    parent,
                    pos as i64,
                    ind.name,
                    ind.points_tenths,
                    method,
                    metric
                ])?;
                tx.last_insert_rowid()?
            }
        };
        ids.push(id);
    }
    let gone: Vec<i64> = old.keys().filter(|k| !ids.contains(k)).copied().collect();
    for id in &gone {
        tx.execute(
            "DELETE FROM assessment_scores WHERE indicator_id = ?1",
            [*id],
        )?;
        // children first is not needed: the kept ones were re-parented above
        tx.execute(
            "UPDATE assessment_indicators SET parent_id = NULL WHERE id = ?1",
            [*id],
        )?;
    }
    for id in &gone {
        tx.execute("DELETE FROM assessment_indicators WHERE id = ?1", [*id])?;
    }
    Ok(())
}

fn list_schemes(c: &Connection, page: PageReq) -> Result<Paged<Scheme>> {
    let total: i64 = c
        .prepare_cached("SELECT count(*) FROM assessment_schemes")?
        .query_row((), |r| r.get(0))?;
    let mut items = c
        .prepare_cached(&format!(
            "SELECT {SCHEME_COLS} FROM assessment_schemes ORDER BY year DESC, id DESC LIMIT ?1 OFFSET ?2"
        ))?
        .query_map(params![page.per_page, page.offset()], scheme_row)?
        .collect::<crate::Result<Vec<_>>>()?;
    for s in &mut items {
        s.indicators = indicators(c, s.id)?;
    }
    Ok(Paged {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}

// ---------------------------------------------------------------- the records' counts

/// The additive metrics, in the order of [`Counts`].
const ADDITIVE: [Metric; 6] = [
    Metric::CharterRate,
    Metric::ComplianceRate,
    Metric::TaskRate,
    Metric::RectificationRate,
    Metric::ReportRate,
    Metric::TrainingRate,
];

/// An org's own `(numerator, denominator)` per additive metric.
type Counts = [(i64, i64); 6];

#[derive(Debug, Clone)]
struct OrgNode {
    id: i64,
    name: String,
    path: String,
    kind: OrgKind,
}

/// The records' counts of a year, per org (of a subtree, or of the whole tree).
#[derive(Debug, Clone, Default)]
struct Facts {
    /// Live orgs in path order.
    orgs: Vec<OrgNode>,
    own: HashMap<i64, Counts>,
    /// The campaigns overlapping the year, and per org the indexes of those it takes part in.
    campaigns: usize,
    taking_part: HashMap<i64, Vec<usize>>,
}

fn slot(m: Metric) -> usize {
    ADDITIVE.iter().position(|a| *a == m).unwrap_or(0)
}

/// `(org, numerator, denominator)` of a grouped count.
fn grouped(
    c: &Connection,
    sql: &str,
    args: &[&dyn super::db::ToSql],
) -> Result<Vec<(i64, i64, i64)>> {
    c.prepare_cached(sql)?
        .query_map(args, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect()
}

/// `(org, closed and not late, due)` of a ledger's live rows due between `first` and
/// `last` whose org lies in `[lo, hi)`: the bases of `task_rate` (assignments accepted) and
/// `rectification_rate` (rectifications verified), with the ledger's own `late`.
fn closed_on_time(
    c: &Connection,
    t: &Table,
    first: &str,
    last: &str,
    lo: &str,
    hi: &str,
) -> Result<Vec<(i64, i64, i64)>> {
    let (a, fin, answer) = (t.alias, t.kind.final_state, t.first_answer);
    grouped(
        c,
        &format!(
            "SELECT {a}.party_org_id,
                 CAST(sum(CASE WHEN {a}.state = '{fin}' AND {answer} <= {a}.due_on THEN 1 ELSE 0 END) AS BIGINT),
                 count(*)
             FROM {} WHERE {} AND {a}.due_on >= ?1 AND {a}.due_on <= ?2 AND o.path >= ?3 AND o.path < ?4
             GROUP BY {a}.party_org_id",
            t.from, t.live
        ),
        params![first, last, lo, hi],
    )
}

/// The subtree condition on `o.path` (the whole tree: always true).
fn path_args(path: Option<&str>) -> (String, String) {
    match path {
        Some(p) => Scope::path_range(p),
        None => (String::new(), "\u{10ffff}".to_string()),
    }
}

fn facts(
    c: &Connection,
    rules: &Rules,
    year: i32,
    today: NaiveDate,
    path: Option<&str>,
) -> Result<Arc<Facts>> {
    let key = format!("assessment_facts\u{1f}{year}\u{1f}{today}\u{1f}{path:?}");
    super::memo(key, || {
        let (lo, hi) = path_args(path);
        let (first, last) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
        let orgs = c
            .prepare_cached(
                "SELECT id, name, path, kind FROM party_orgs
                 WHERE deleted_at IS NULL AND path >= ?1 AND path < ?2 ORDER BY path",
            )?
            .query_map(params![lo, hi], |r| {
                Ok(OrgNode {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    path: r.get(2)?,
                    kind: parse_code(&r.get::<_, String>(3)?, OrgKind::parse)?,
                })
            })?
            .collect::<crate::Result<Vec<_>>>()?;
        let mut own: HashMap<i64, Counts> = HashMap::new();
        let mut add = |org: i64, m: Metric, num: i64, den: i64| {
            let e = &mut own.entry(org).or_default()[slot(m)];
            e.0 += num;
            e.1 += den;
        };
        for (org, num, den) in grouped(
            c,
            "SELECT s.party_org_id, CAST(sum(CASE WHEN s.charter_has_party_building <> 0 THEN 1 ELSE 0 END) AS BIGINT), count(*)
             FROM societies s JOIN party_orgs o ON o.id = s.party_org_id
             WHERE s.deleted_at IS NULL AND o.deleted_at IS NULL AND o.path >= ?1 AND o.path < ?2
             GROUP BY s.party_org_id",
            params![lo, hi],
        )? {
            add(org, Metric::CharterRate, num, den);
        }
        for (table, metric) in [
            (&ASSIGNMENT_TABLE, Metric::TaskRate),
            (&RECTIFICATION_TABLE, Metric::RectificationRate),
        ] {
            for (org, num, den) in closed_on_time(c, table, &first, &last, &lo, &hi)? {
                add(org, metric, num, den);
            }
        }
        let scope = match path {
            Some(p) => Scope::Subtree {
                root: 0,
                path: p.to_string(),
            },
            None => Scope::All,
        };
        let compliance = super::life::compliance(c, &scope, None, year, today)?;
        for i in &compliance.items {
            match i.status {
                Status::Met => add(i.party_org_id, Metric::ComplianceRate, 1, 1),
                Status::Missed => add(i.party_org_id, Metric::ComplianceRate, 0, 1),
                Status::Due | Status::Upcoming => {}
            }
        }
        for (org, (num, den)) in super::reports::year_report_counts(c, year, today, path)? {
            add(org, Metric::ReportRate, num, den);
        }
        let hours = super::training::training_hours(c, &scope, year, None, rules)?;
        for h in &hours.items {
            add(h.party_org_id, Metric::TrainingRate, h.met as i64, 1);
        }
        let part = super::campaigns::campaign_participation(c, year)?;
        let index: HashMap<i64, usize> = part
            .campaigns
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i))
            .collect();
        let mut taking_part: HashMap<i64, Vec<usize>> = HashMap::new();
        for (campaign, org) in &part.participants {
            if let Some(i) = index.get(campaign) {
                taking_part.entry(*org).or_default().push(*i);
            }
        }
        Ok(Arc::new(Facts {
            orgs,
            own,
            campaigns: part.campaigns.len(),
            taking_part,
        }))
    })
}

impl Facts {
    /// The basis of every metric over the subtree starting at `orgs[i]`.
    fn subtree(&self, i: usize) -> HashMap<Metric, Basis> {
        let root = &self.orgs[i].path;
        let mut sums: Counts = Default::default();
        let mut taken = vec![false; self.campaigns];
        for o in self.orgs[i..]
            .iter()
            .take_while(|o| o.path.starts_with(root.as_str()))
        {
            if let Some(c) = self.own.get(&o.id) {
                for (s, x) in sums.iter_mut().zip(c) {
                    s.0 += x.0;
                    s.1 += x.1;
                }
            }
            for &k in self.taking_part.get(&o.id).into_iter().flatten() {
                taken[k] = true;
            }
        }
        let mut out: HashMap<Metric, Basis> = ADDITIVE
            .iter()
            .zip(sums)
            .map(|(m, (n, d))| {
                (
                    *m,
                    Basis {
                        numerator: n,
                        denominator: d,
                    },
                )
            })
            .collect();
        out.insert(
            Metric::CampaignRate,
            Basis {
                numerator: taken.iter().filter(|t| **t).count() as i64,
                denominator: self.campaigns as i64,
            },
        );
        out
    }
}

// ---------------------------------------------------------------- scores

/// The scores and grades entered for a scheme (of one org when given).
#[derive(Debug, Clone, Default)]
struct Entered {
    /// (org, indicator) → (score in tenths, comment, by)
    scores: HashMap<(i64, i64), (i64, Option<String>, String)>,
    /// org → (grade, reason)
    grades: HashMap<i64, (Grade, Option<String>)>,
}

fn entered(c: &Connection, scheme_id: i64, org: Option<i64>) -> Result<Entered> {
    let mut e = Entered::default();
    let org_cond = if org.is_some() {
        "AND party_org_id = ?2"
    } else {
        "AND ?2 = 0"
    };
    let o = org.unwrap_or(0);
    for row in c
        .prepare_cached(&format!(
            "SELECT party_org_id, indicator_id, score, comment, updated_by FROM assessment_scores
             WHERE scheme_id = ?1 {org_cond}"
        ))?
        .query_map(params![scheme_id, o], |r| {
            Ok((
                (r.get::<_, i64>(0)?, r.get::<_, i64>(1)?),
                (r.get::<_, i64>(2)?, r.get(3)?, r.get(4)?),
            ))
        })?
    {
        let (k, v) = row?;
        e.scores.insert(k, v);
    }
    for row in c
        .prepare_cached(&format!(
            "SELECT party_org_id, grade, reason FROM assessment_grades WHERE scheme_id = ?1 {org_cond}"
        ))?
        .query_map(params![scheme_id, o], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                (parse_code(&r.get::<_, String>(1)?, Grade::parse)?, r.get(2)?),
            ))
        })?
    {
        let (k, v) = row?;
        e.grades.insert(k, v);
    }
    Ok(e)
}

/// What an org's auto leaves were computed as: indicator → (computed tenths, basis).
type Computed = HashMap<i64, (i64, Basis)>;

/// One org's assessment from its computed auto scores and what was entered.
fn assess(scheme: &Scheme, org: (i64, &str, &str), computed: &Computed, e: &Entered) -> Assessment {
    let (org_id, name, path) = org;
    let mut total = 0i64;
    let mut complete = true;
    let scores = scheme
        .leaves()
        .map(|leaf| {
            let entered = e.scores.get(&(org_id, leaf.id));
            let s = match leaf.method {
                Some(Method::Auto) => {
                    let (c, basis) = computed.get(&leaf.id).copied().unwrap_or_default();
                    let (score, source) = match entered {
                        Some((t, ..)) => (*t, ScoreSource::Override),
                        None => (c, ScoreSource::Auto),
                    };
                    total += score;
                    Score {
                        indicator_id: leaf.id,
                        computed: Some(c as f64 / 10.0),
                        score: Some(score as f64 / 10.0),
                        source,
                        comment: entered.and_then(|x| x.1.clone()),
                        basis: Some(basis),
                        by: entered.map(|x| x.2.clone()),
                    }
                }
                _ => {
                    match entered {
                        Some((t, ..)) => total += t,
                        None => complete = false,
                    }
                    Score {
                        indicator_id: leaf.id,
                        computed: None,
                        score: entered.map(|x| x.0 as f64 / 10.0),
                        source: ScoreSource::Manual,
                        comment: entered.and_then(|x| x.1.clone()),
                        basis: None,
                        by: entered.map(|x| x.2.clone()),
                    }
                }
            };
            s
        })
        .collect();
    let total = round1(total as f64 / 10.0);
    let suggested = scheme.thresholds.grade(total);
    let over = e.grades.get(&org_id);
    Assessment {
        party_org_id: org_id,
        party_org_name: name.to_string(),
        total,
        complete,
        suggested_grade: suggested,
        grade: over.map(|g| g.0).unwrap_or(suggested),
        grade_reason: over.and_then(|g| g.1.clone()),
        grade_overridden: over.is_some(),
        scores,
        path: path.to_string(),
    }
}

/// An open scheme's computed auto scores of the org at `facts.orgs[i]`.
fn computed_of(scheme: &Scheme, facts: &Facts, i: usize) -> Computed {
    let bases = facts.subtree(i);
    scheme
        .leaves()
        .filter_map(|l| {
            let m = l.metric?;
            let b = bases.get(&m).copied().unwrap_or_default();
            let score = auto_score(l.points, b.numerator, b.denominator);
            Some((l.id, (tenths(score), b)))
        })
        .collect()
}

/// A frozen org: id, name and path.
type FrozenOrg = (i64, String, String);

/// A final scheme's frozen orgs and scores (of one org when given).
fn frozen(c: &Connection, scheme_id: i64, org: Option<i64>) -> Result<Vec<(FrozenOrg, Computed)>> {
    let org_cond = if org.is_some() {
        "AND r.party_org_id = ?2"
    } else {
        "AND ?2 = 0"
    };
    let rows = c
        .prepare_cached(&format!(
            "SELECT r.party_org_id, o.name, o.path, r.indicator_id, r.computed, r.numerator, r.denominator
             FROM assessment_results r JOIN party_orgs o ON o.id = r.party_org_id
             WHERE r.scheme_id = ?1 {org_cond} ORDER BY o.path, r.party_org_id"
        ))?
        .query_map(params![scheme_id, org.unwrap_or(0)], |r| {
            Ok((
                (r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?),
                r.get::<_, i64>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, Option<i64>>(5)?,
                r.get::<_, Option<i64>>(6)?,
            ))
        })?
        .collect::<crate::Result<Vec<_>>>()?;
    let mut out: Vec<(FrozenOrg, Computed)> = Vec::new();
    for (org, ind, comp, num, den) in rows {
        if out.last().is_none_or(|(o, _)| o.0 != org.0) {
            out.push((org, Computed::new()));
        }
        if let (Some(t), Some(n), Some(d)) = (comp, num, den) {
            let last = out.last_mut().map(|(_, c)| c);
            if let Some(c) = last {
                c.insert(
                    ind,
                    (
                        t,
                        Basis {
                            numerator: n,
                            denominator: d,
                        },
                    ),
                );
            }
        }
    }
    Ok(out)
}

/// Every assessed org's assessment, tree order (kept until the data changes).
fn all_assessments(
    c: &Connection,
    rules: &Rules,
    scheme: &Scheme,
    today: NaiveDate,
) -> Result<Arc<Vec<Assessment>>> {
    let key = format!("assessments\u{1f}{}\u{1f}{today}", scheme.id);
    super::memo(key, || {
        let e = entered(c, scheme.id, None)?;
        let items = if scheme.is_final() {
            frozen(c, scheme.id, None)?
                .iter()
                .map(|((id, name, path), comp)| assess(scheme, (*id, name, path), comp, &e))
                .collect()
        } else {
            let facts = facts(c, rules, scheme.year, today, None)?;
            facts
                .orgs
                .iter()
                .enumerate()
                .filter(|(_, o)| scheme.org_kinds.contains(&o.kind))
                .map(|(i, o)| {
                    let comp = computed_of(scheme, &facts, i);
                    assess(scheme, (o.id, &o.name, &o.path), &comp, &e)
                })
                .collect()
        };
        Ok(Arc::new(items))
    })
}

/// One org's assessment, reading only its subtree's records; `None` when it is not
/// assessed (not live, not of the scheme's kinds, or not frozen into a final scheme).
fn one_assessment(
    c: &Connection,
    rules: &Rules,
    scheme: &Scheme,
    org: i64,
    today: NaiveDate,
) -> Result<Option<Assessment>> {
    let e = entered(c, scheme.id, Some(org))?;
    if scheme.is_final() {
        return Ok(frozen(c, scheme.id, Some(org))?
            .first()
            .map(|((id, name, path), comp)| assess(scheme, (*id, name, path), comp, &e)));
    }
    let Some((kind, path)) = super::registry::org_kind_path(c, org)? else {
        return Ok(None);
    };
    if !scheme.org_kinds.contains(&kind) {
        return Ok(None);
    }
    let facts = facts(c, rules, scheme.year, today, Some(&path))?;
    let Some(i) = facts.orgs.iter().position(|o| o.id == org) else {
        return Ok(None);
    };
    let comp = computed_of(scheme, &facts, i);
    let o = &facts.orgs[i];
    Ok(Some(assess(scheme, (o.id, &o.name, &o.path), &comp, &e)))
}

fn list_assessments(
    c: &Connection,
    rules: &Rules,
    scope: &Scope,
    scheme_id: i64,
    f: &AssessmentFilter,
    today: NaiveDate,
    page: PageReq,
) -> Result<Paged<Assessment>> {
    let scheme = get_scheme(c, scheme_id)?;
    if let Some(s) = f.sort.as_deref() {
        if !["total", "-total"].contains(&s) {
            return Err(invalid(
                "sort",
                FieldError::UnknownValue {
                    allowed: vec!["total", "-total"],
                },
            ));
        }
    }
    let under = match f.under {
        None => None,
        Some(id) => match super::registry::org_kind_path(c, id)? {
            Some((_, p)) => Some(p),
            None => return Err(invalid("under", FieldError::NotFound)),
        },
    };
    // an org named outside the scope is another's record (404); one that does not exist, a
    // bad filter (422)
    if let Some(org) = f.party_org_id {
        match org_path(c, org)? {
            None => return Err(invalid("party_org_id", FieldError::NotFound)),
            Some(p) if !in_scope(scope, Some(&p)) => return Err(StoreError::NotFound),
            Some(_) => {}
        }
    }
    let one;
    let all;
    let source: &[Assessment] = match f.party_org_id {
        // one org alone: read only its subtree
        Some(org) if !scheme.is_final() => {
            one = one_assessment(c, rules, &scheme, org, today)?
                .into_iter()
                .collect::<Vec<_>>();
            &one
        }
        _ => {
            all = all_assessments(c, rules, &scheme, today)?;
            &all
        }
    };
    let mut items: Vec<&Assessment> = source
        .iter()
        .filter(|a| in_scope(scope, Some(&a.path)))
        .filter(|a| f.party_org_id.is_none_or(|o| a.party_org_id == o))
        .filter(|a| under.as_deref().is_none_or(|p| a.path.starts_with(p)))
        .filter(|a| f.grade.is_none_or(|g| a.grade == g))
        .filter(|a| f.incomplete.is_none_or(|i| a.complete != i))
        .collect();
    match f.sort.as_deref() {
        Some("total") => items.sort_by(|a, b| a.total.total_cmp(&b.total)),
        Some("-total") => items.sort_by(|a, b| b.total.total_cmp(&a.total)),
        _ => {}
    }
    let total = items.len() as i64;
    let items = items
        .into_iter()
        .skip(page.offset().max(0) as usize)
        .take(page.per_page.max(0) as usize)
        .cloned()
        .collect();
    Ok(Paged {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}

fn get_assessment(
    c: &Connection,
    rules: &Rules,
    scope: &Scope,
    scheme_id: i64,
    org: i64,
    today: NaiveDate,
) -> Result<Assessment> {
    let scheme = get_scheme(c, scheme_id)?;
    match one_assessment(c, rules, &scheme, org, today)? {
        Some(a) if in_scope(scope, Some(&a.path)) => Ok(a),
        _ => Err(StoreError::NotFound),
    }
}

/// The open scheme and the assessed org a write names (`Invalid` on `party_org_id`).
fn writable(
    tx: &Transaction,
    rules: &Rules,
    scheme_id: i64,
    org: i64,
    today: NaiveDate,
) -> Result<(Scheme, Assessment)> {
    let scheme = get_scheme(tx, scheme_id)?;
    if scheme.is_final() {
        return Err(StoreError::InUse("assessment_final"));
    }
    let a = one_assessment(tx, rules, &scheme, org, today)?
        .ok_or_else(|| invalid("party_org_id", FieldError::NotFound))?;
    Ok((scheme, a))
}

/// The org's assessment after a score or grade was written: its computed scores as
/// `before` had them (a write of scores moves no record) with what is entered now.
fn reassessed(tx: &Transaction, scheme: &Scheme, before: &Assessment) -> Result<Assessment> {
    let computed: Computed = before
        .scores
        .iter()
        .filter_map(|s| Some((s.indicator_id, (tenths(s.computed?), s.basis?))))
        .collect();
    let e = entered(tx, scheme.id, Some(before.party_org_id))?;
    Ok(assess(
        scheme,
        (before.party_org_id, &before.party_org_name, &before.path),
        &computed,
        &e,
    ))
}

fn put_score(
    tx: &Transaction,
    rules: &Rules,
    actor: &Actor,
    scheme_id: i64,
    s: &NewScore,
    today: NaiveDate,
) -> Result<Assessment> {
    let (scheme, before) = writable(tx, rules, scheme_id, s.party_org_id, today)?;
    let leaf = scheme
        .leaves()
        .find(|l| l.id == s.indicator_id)
        .ok_or_else(|| invalid("indicator_id", FieldError::NotFound))?;
    let mut errs = FieldErrors::new();
    let score = check_score(&mut errs, s.score, tenths(leaf.points));
    let comment = domain::validate::opt_text(
        &mut errs,
        "comment",
        s.comment.as_deref(),
        domain::assessment::COMMENT_MAX,
    );
    if s.score.is_some() && leaf.method == Some(Method::Auto) && comment.is_none() {
        errs.add("comment", FieldError::Required);
    }
    errs.into_result()?;
    match score {
        Some(t) => {
            tx.prepare_cached(
                "INSERT INTO assessment_scores (scheme_id, party_org_id, indicator_id, score, comment, updated_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (scheme_id, party_org_id, indicator_id) DO UPDATE
                 SET score = excluded.score, comment = excluded.comment,
                     updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            )?
            .execute(params![
                scheme_id,
                s.party_org_id,
                s.indicator_id,
                t,
                comment,
                now_text(),
                actor.username()
            ])?;
        }
        None => {
            tx.execute(
                "DELETE FROM assessment_scores WHERE scheme_id = ?1 AND party_org_id = ?2 AND indicator_id = ?3",
                params![scheme_id, s.party_org_id, s.indicator_id],
            )?;
        }
    }
    let after = reassessed(tx, &scheme, &before)?;
    let pick = |a: &Assessment| {
        a.scores
            .iter()
            .find(|x| x.indicator_id == s.indicator_id)
            .cloned()
    };
    audit(
        tx,
        actor,
        "score",
        "assessment_scheme",
        Some(scheme_id),
        Some(&(s.party_org_id, pick(&before))),
        Some(&(s.party_org_id, pick(&after))),
    )?;
    Ok(after)
}

fn put_grade(
    tx: &Transaction,
    rules: &Rules,
    actor: &Actor,
    scheme_id: i64,
    g: &NewGrade,
    today: NaiveDate,
) -> Result<Assessment> {
    let (scheme, before) = writable(tx, rules, scheme_id, g.party_org_id, today)?;
    let mut errs = FieldErrors::new();
    let reason = domain::validate::opt_text(
        &mut errs,
        "reason",
        g.reason.as_deref(),
        domain::assessment::COMMENT_MAX,
    );
    if g.grade.is_some_and(|x| x != before.suggested_grade) && reason.is_none() {
        errs.add("reason", FieldError::Required);
    }
    errs.into_result()?;
    match g.grade {
        Some(grade) => {
            tx.prepare_cached(
                "INSERT INTO assessment_grades (scheme_id, party_org_id, grade, reason, updated_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (scheme_id, party_org_id) DO UPDATE
                 SET grade = excluded.grade, reason = excluded.reason,
                     updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            )?
            .execute(params![
                scheme_id,
                g.party_org_id,
                grade.as_str(),
                reason,
                now_text(),
                actor.username()
            ])?;
        }
        None => {
            tx.execute(
                "DELETE FROM assessment_grades WHERE scheme_id = ?1 AND party_org_id = ?2",
                params![scheme_id, g.party_org_id],
            )?;
        }
    }
    let after = reassessed(tx, &scheme, &before)?;
    let pick = |a: &Assessment| (a.party_org_id, a.grade, a.grade_reason.clone());
    audit(
        tx,
        actor,
        "grade",
        "assessment_scheme",
        Some(scheme_id),
        Some(&pick(&before)),
        Some(&pick(&after)),
    )?;
    Ok(after)
}

fn finalize(
    tx: &Transaction,
    rules: &Rules,
    actor: &Actor,
    id: i64,
    today: NaiveDate,
) -> Result<Scheme> {
    let before = get_scheme(tx, id)?;
    if before.is_final() {
        return Err(StoreError::InUse("assessment_final"));
    }
    let facts = facts(tx, rules, before.year, today, None)?;
    let e = entered(tx, id, None)?;
    let now = now_text();
    let mut grades = Vec::new();
    for (i, o) in facts
        .orgs
        .iter()
        .enumerate()
        .filter(|(_, o)| before.org_kinds.contains(&o.kind))
    {
        let comp = computed_of(&before, &facts, i);
        for leaf in before.leaves() {
            let (t, b) = match comp.get(&leaf.id) {
                Some((t, b)) => (Some(*t), Some(*b)),
                None => (None, None),
            };
            tx.prepare_cached(
                "INSERT INTO assessment_results (scheme_id, party_org_id, indicator_id, computed, numerator, denominator)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                id,
                o.id,
                leaf.id,
                t,
                b.map(|b| b.numerator),
                b.map(|b| b.denominator)
            ])?;
        }
        let a = assess(&before, (o.id, &o.name, &o.path), &comp, &e);
        tx.prepare_cached(
            "INSERT INTO grade_history (party_org_id, grade, changed_at, changed_by, source, reason, scheme_id, since)
             VALUES (?1, ?2, ?3, ?4, 'assessment', ?5, ?6, ?7)",
        )?
        .execute(params![
            o.id,
            a.grade.as_str(),
            now,
            actor.username(),
            a.grade_reason,
            id,
            today.to_string()
        ])?;
        tx.prepare_cached("UPDATE party_orgs SET grade = ?1, updated_at = ?2 WHERE id = ?3")?
            .execute(params![a.grade.as_str(), now, o.id])?;
        grades.push((o.id, a.total, a.grade));
    }
    tx.prepare_cached(
        "UPDATE assessment_schemes SET state = 'final', finalized_at = ?1, finalized_by = ?2, updated_at = ?1 WHERE id = ?3",
    )?
    .execute(params![now, actor.username(), id])?;
    let after = get_scheme(tx, id)?;
    audit(
        tx,
        actor,
        "finalize",
        "assessment_scheme",
        Some(id),
        Some(&before),
        Some(&serde_json::json!({ "scheme": &after, "grades": grades })),
    )?;
    Ok(after)
}

/// The path of an org, live or deleted (a final scheme and the grade history keep the
/// deleted ones).
fn org_path(c: &Connection, org: i64) -> Result<Option<String>> {
    c.prepare_cached("SELECT path FROM party_orgs WHERE id = ?1")?
        .query_row([org], |r| r.get(0))
        .optional()
}

fn grade_history(c: &Connection, scope: &Scope, org: i64) -> Result<Vec<GradeEntry>> {
    match org_path(c, org)? {
        Some(p) if in_scope(scope, Some(&p)) => {}
        _ => return Err(StoreError::NotFound),
    }
    c.prepare_cached(
        "SELECT grade, coalesce(since, substr(changed_at, 1, 10)), source, reason, scheme_id, changed_by
         FROM grade_history WHERE party_org_id = ?1 ORDER BY id DESC",
    )?
    .query_map([org], |r| {
        Ok(GradeEntry {
            grade: r
                .get::<_, Option<String>>(0)?
                .map(|g| parse_code(&g, Grade::parse))
                .transpose()?,
            since: opt_date(Some(r.get(1)?))?.unwrap_or_default(),
            source: r.get(2)?,
            reason: r.get(3)?,
            scheme_id: r.get(4)?,
            by: r.get(5)?,
        })
    })?
    .collect()
}

fn bulk_scores(tx: &Transaction, actor: &Actor, scheme_id: i64, b: &BulkScores) -> Result<()> {
    use super::bulk::{insert_rows, opt_text, text};
    use super::db::Value;
    let scheme = get_scheme(tx, scheme_id)?;
    if scheme.is_final() {
        return Err(StoreError::InUse("assessment_final"));
    }
    let now = now_text();
    let by = actor.username().to_string();
    let mut rows = Vec::with_capacity(b.scores.len() * 7);
    for (org, ind, t, comment) in &b.scores {
        rows.extend([
            Value::Integer(scheme_id),
            Value::Integer(*org),
            Value::Integer(*ind),
            Value::Integer(*t),
            opt_text(comment.clone()),
            text(now.as_str()),
            text(by.as_str()),
        ]);
    }
    insert_rows(
        tx,
        "assessment_scores",
        "scheme_id, party_org_id, indicator_id, score, comment, updated_at, updated_by",
        7,
        &rows,
    )?;
    let mut rows = Vec::with_capacity(b.grades.len() * 6);
    for (org, g, reason) in &b.grades {
        rows.extend([
            Value::Integer(scheme_id),
            Value::Integer(*org),
            text(g.as_str()),
            opt_text(reason.clone()),
            text(now.as_str()),
            text(by.as_str()),
        ]);
    }
    insert_rows(
        tx,
        "assessment_grades",
        "scheme_id, party_org_id, grade, reason, updated_at, updated_by",
        6,
        &rows,
    )?;
    audit(
        tx,
        actor,
        "bulk",
        "assessment_scheme",
        Some(scheme_id),
        None::<&()>,
        Some(&serde_json::json!({ "scores": b.scores.len(), "grades": b.grades.len() })),
    )
}

#[async_trait]
impl AssessmentStore for SqlStore {
    async fn create_scheme(&self, actor: &Actor, s: NewScheme) -> Result<Scheme> {
        let actor = actor.clone();
        self.write(move |tx, _| save_scheme(tx, &actor, None, &s))
            .await
    }
    async fn update_scheme(&self, actor: &Actor, id: i64, s: NewScheme) -> Result<Scheme> {
        let actor = actor.clone();
        self.write(move |tx, _| save_scheme(tx, &actor, Some(id), &s))
            .await
    }
    async fn get_scheme(&self, id: i64) -> Result<Scheme> {
        self.read(move |c, _| get_scheme(c, id)).await
    }
    async fn list_schemes(&self, page: PageReq) -> Result<Paged<Scheme>> {
        self.read(move |c, _| list_schemes(c, page)).await
    }
    async fn assessments(
        &self,
        scope: &Scope,
        scheme_id: i64,
        f: &AssessmentFilter,
        today: NaiveDate,
        page: PageReq,
    ) -> Result<Paged<Assessment>> {
        let (scope, f) = (scope.clone(), f.clone());
        self.read(move |c, rules| list_assessments(c, rules, &scope, scheme_id, &f, today, page))
            .await
    }
    async fn assessment_grades(
        &self,
        scope: &Scope,
        scheme_id: i64,
        today: NaiveDate,
    ) -> Result<crate::GradeCounts> {
        let scope = scope.clone();
        self.read(move |c, rules| {
            let scheme = get_scheme(c, scheme_id)?;
            let all = all_assessments(c, rules, &scheme, today)?;
            let mut n = crate::GradeCounts::default();
            for a in all.iter().filter(|a| in_scope(&scope, Some(&a.path))) {
                match a.grade {
                    Grade::A => n.a += 1,
                    Grade::B => n.b += 1,
                    Grade::C => n.c += 1,
                }
            }
            Ok(n)
        })
        .await
    }
    async fn assessment(
        &self,
        scope: &Scope,
        scheme_id: i64,
        party_org_id: i64,
        today: NaiveDate,
    ) -> Result<Assessment> {
        let scope = scope.clone();
        self.read(move |c, rules| get_assessment(c, rules, &scope, scheme_id, party_org_id, today))
            .await
    }
    async fn put_score(
        &self,
        actor: &Actor,
        scheme_id: i64,
        s: NewScore,
        today: NaiveDate,
    ) -> Result<Assessment> {
        let actor = actor.clone();
        self.write(move |tx, rules| put_score(tx, rules, &actor, scheme_id, &s, today))
            .await
    }
    async fn put_grade(
        &self,
        actor: &Actor,
        scheme_id: i64,
        g: NewGrade,
        today: NaiveDate,
    ) -> Result<Assessment> {
        let actor = actor.clone();
        self.write(move |tx, rules| put_grade(tx, rules, &actor, scheme_id, &g, today))
            .await
    }
    async fn finalize_scheme(&self, actor: &Actor, id: i64, today: NaiveDate) -> Result<Scheme> {
        let actor = actor.clone();
        self.write(move |tx, rules| finalize(tx, rules, &actor, id, today))
            .await
    }
    async fn grade_history(&self, scope: &Scope, party_org_id: i64) -> Result<Vec<GradeEntry>> {
        let scope = scope.clone();
        self.read(move |c, _| grade_history(c, &scope, party_org_id))
            .await
    }
    async fn bulk_scores(&self, actor: &Actor, scheme_id: i64, b: BulkScores) -> Result<()> {
        let actor = actor.clone();
        self.write(move |tx, _| bulk_scores(tx, &actor, scheme_id, &b))
            .await
    }
}
