//! M1: party orgs and societies, with scope, derived coverage and audit.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::db::Value;
use super::db::{params_from_iter, Connection, OptionalExtension, Row, Transaction};
use crate::params;
use domain::checks::SocietyFacts;
use domain::{
    Coverage, FieldError, FieldErrors, Grade, OrgKind, PartyOrg, PartyOrgInput, PartyOrgPatch,
    Rules, Sector, Society, SocietyInput, SocietyKind, SocietyPatch,
};

use super::{audit, like_contains, now_text, parse_code, parse_date};
use crate::{
    Actor, BulkOrg, BulkSociety, CoverageStats, ImportOutcome, ImportRow, OrgFilter, PageReq,
    Paged, Result, RowError, Scope, SocietyFilter, StoreError,
};

pub const ORG_COLS: &str = "o.id, o.name, o.kind, o.parent_id, o.secretary, o.secretary_joined_on, \
    o.secretary_cross_appointed, o.established_on, o.term_ends_on, o.full_members, o.probationary_members, o.grade";
pub const SOCIETY_COLS: &str =
    "s.id, s.name, s.kind, s.sector, s.full_members, s.probationary_members, \
    s.charter_has_party_building, s.instructor, s.party_org_id, s.coverage";

fn org_row(r: &Row) -> crate::Result<PartyOrg> {
    Ok(PartyOrg {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: parse_code(&r.get::<_, String>(2)?, OrgKind::parse)?,
        parent_id: r.get(3)?,
        secretary: r.get(4)?,
        secretary_joined_on: parse_date(r.get(5)?)?,
        secretary_cross_appointed: r.get(6)?,
        established_on: parse_date(r.get(7)?)?,
        term_ends_on: parse_date(r.get(8)?)?,
        full_members: r.get(9)?,
        probationary_members: r.get(10)?,
        grade: r
            .get::<_, Option<String>>(11)?
            .map(|g| parse_code(&g, Grade::parse))
            .transpose()?,
    })
}

fn society_row(r: &Row, rules: &Rules) -> crate::Result<Society> {
    let coverage = parse_code(&r.get::<_, String>(9)?, Coverage::parse)?;
    let full_members = r.get(4)?;
    Ok(Society {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: parse_code(&r.get::<_, String>(2)?, SocietyKind::parse)?,
        sector: parse_code(&r.get::<_, String>(3)?, Sector::parse)?,
        full_members,
        probationary_members: r.get(5)?,
        charter_has_party_building: r.get(6)?,
        instructor: r.get(7)?,
        party_org_id: r.get(8)?,
        coverage,
        should_establish: domain::should_establish(full_members, coverage, rules),
    })
}

/// `o.path` within the subtree of the org named by the two parameters (its id twice): the
/// half-open range of [`Scope::path_range`], in SQL.
const UNDER: &str = "o.path >= (SELECT u.path FROM party_orgs u WHERE u.id = ?) \
    AND o.path < (SELECT substr(u.path, 1, length(u.path) - 1) || '0' FROM party_orgs u WHERE u.id = ?)";

/// SQL condition (and its parameters) restricting `{alias}.party_org_id` or `{alias}.path`
/// to the scope.
pub(crate) struct Cond {
    pub(crate) sql: Vec<String>,
    pub(crate) args: Vec<Value>,
}

impl Cond {
    pub(crate) fn new(base: &str) -> Self {
        Cond {
            sql: vec![base.to_string()],
            args: Vec::new(),
        }
    }
    pub(crate) fn push(&mut self, sql: &str, args: impl IntoIterator<Item = Value>) {
        self.sql.push(sql.to_string());
        self.args.extend(args);
    }
    pub(crate) fn where_clause(&self) -> String {
        self.sql.join(" AND ")
    }
    /// `o` (the row's org) in the subtree of the org `id` (none when it does not exist).
    pub(crate) fn under(&mut self, id: i64) {
        self.push(UNDER, [Value::Integer(id), Value::Integer(id)]);
    }
    /// Societies whose covering org lies in the subtree at `path`.
    fn society_subtree(&mut self, path: &str) {
        let (lo, hi) = Scope::path_range(path);
        self.push(
            "s.party_org_id IN (SELECT id FROM party_orgs WHERE path >= ? AND path < ? AND deleted_at IS NULL)",
            [Value::Text(lo), Value::Text(hi)],
        );
    }
    pub(crate) fn org_subtree(&mut self, path: &str) {
        let (lo, hi) = Scope::path_range(path);
        self.push(
            "o.path >= ? AND o.path < ?",
            [Value::Text(lo), Value::Text(hi)],
        );
    }
}

/// One page of `SELECT cols FROM from WHERE cond ORDER BY id` with its (memoized) total.
fn paged<T>(
    c: &Connection,
    from: &str,
    cols: &str,
    cond: &Cond,
    page: PageReq,
    row: impl FnMut(&Row) -> crate::Result<T>,
) -> Result<Paged<T>> {
    let alias = from.rsplit(' ').next().unwrap_or(from);
    paged_by(c, from, cols, cond, &format!("{alias}.id"), page, row)
}

/// One page of `SELECT cols FROM from WHERE cond ORDER BY order` with its (memoized) total.
pub(crate) fn paged_by<T>(
    c: &Connection,
    from: &str,
    cols: &str,
    cond: &Cond,
    order: &str,
    page: PageReq,
    row: impl FnMut(&Row) -> crate::Result<T>,
) -> Result<Paged<T>> {
    let w = cond.where_clause();
    let total = super::count(
        c,
        &format!("SELECT count(*) FROM {from} WHERE {w}"),
        &cond.args,
    )?;
    let mut args = cond.args.clone();
    args.push(Value::Integer(page.offset()));
    // `per_page` is an integer (1..=500) written into the SQL: a bound `LIMIT ?` makes SQLite
    // re-prepare the statement on every run (BENCHMARKS.md, "LIMIT ? re-prepares").
    let per_page = page.per_page.clamp(1, PageReq::MAX_PER_PAGE);
    let items = c
        .prepare_cached(&format!(
            "SELECT {cols} FROM {from} WHERE {w} ORDER BY {order} LIMIT {per_page} OFFSET ?"
        ))?
        .query_map(params_from_iter(&args), row)?
        .collect::<crate::Result<Vec<_>>>()?;
    Ok(Paged {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}

pub(crate) fn in_scope(scope: &Scope, path: Option<&str>) -> bool {
    match scope {
        Scope::All => true,
        Scope::Subtree { path: root, .. } => path.is_some_and(|p| p.starts_with(root.as_str())),
    }
}

/// A live org's kind and path, if it exists.
pub(crate) fn org_kind_path(c: &Connection, id: i64) -> Result<Option<(OrgKind, String)>> {
    let row: Option<(String, String)> = c
        .prepare_cached("SELECT kind, path FROM party_orgs WHERE id = ?1 AND deleted_at IS NULL")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(k, p)| Ok((parse_code(&k, OrgKind::parse)?, p)))
        .transpose()
}

/// Resolves the org a change points to (`field` names it: the parent, the covering org, the
/// org an activity or a task is for): absent → 422 for unscoped callers; absent or outside
/// the subtree → 403 for scoped ones (so a scoped caller learns nothing of other subtrees).
/// Every module names orgs through this one function.
pub(crate) fn target_org(
    c: &Connection,
    scope: &Scope,
    field: &str,
    id: Option<i64>,
) -> Result<Option<(OrgKind, String)>> {
    let Some(id) = id else {
        return match scope {
            Scope::All => Ok(None),
            Scope::Subtree { .. } => Err(StoreError::Forbidden),
        };
    };
    match org_kind_path(c, id)? {
        Some((k, p)) if in_scope(scope, Some(&p)) => Ok(Some((k, p))),
        // Only a scoped caller can see an existing org fail `in_scope`.
        _ if matches!(scope, Scope::Subtree { .. }) => Err(StoreError::Forbidden),
        _ => Err(FieldErrors::single(field, FieldError::NotFound).into()),
    }
}

// ---------------------------------------------------------------- party orgs

pub fn list_orgs(
    c: &Connection,
    scope: &Scope,
    f: &OrgFilter,
    page: PageReq,
) -> Result<Paged<PartyOrg>> {
    let mut cond = Cond::new("o.deleted_at IS NULL");
    if let Scope::Subtree { path, .. } = scope {
        cond.org_subtree(path);
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.is_empty()) {
        cond.push("o.name LIKE ? ESCAPE '\\'", [Value::Text(like_contains(q))]);
    }
    if let Some(k) = f.kind {
        cond.push("o.kind = ?", [Value::Text(k.as_str().into())]);
    }
    if let Some(p) = f.parent_id {
        cond.push("o.parent_id = ?", [Value::Integer(p)]);
    }
    paged(c, "party_orgs o", ORG_COLS, &cond, page, org_row)
}

pub fn all_orgs(c: &Connection, scope: &Scope) -> Result<Vec<PartyOrg>> {
    let mut cond = Cond::new("o.deleted_at IS NULL");
    if let Scope::Subtree { path, .. } = scope {
        cond.org_subtree(path);
    }
    let items = c
        .prepare_cached(&format!(
            "SELECT {ORG_COLS} FROM party_orgs o WHERE {} ORDER BY o.path",
            cond.where_clause()
        ))?
        .query_map(params_from_iter(&cond.args), org_row)?
        .collect::<crate::Result<Vec<_>>>()?;
    Ok(items)
}

/// A live org in scope with its path; `NotFound` otherwise (scope never leaks existence).
pub(crate) fn org_in_scope(c: &Connection, scope: &Scope, id: i64) -> Result<(PartyOrg, String)> {
    let found = c
        .prepare_cached(&format!(
            "SELECT {ORG_COLS}, o.path FROM party_orgs o WHERE o.id = ?1 AND o.deleted_at IS NULL"
        ))?
        .query_row([id], |r| Ok((org_row(r)?, r.get::<_, String>(12)?)))
        .optional()?;
    match found {
        Some((o, p)) if in_scope(scope, Some(&p)) => Ok((o, p)),
        _ => Err(StoreError::NotFound),
    }
}

pub fn get_org(c: &Connection, scope: &Scope, id: i64) -> Result<PartyOrg> {
    org_in_scope(c, scope, id).map(|(o, _)| o)
}

pub fn org_names(c: &Connection, scope: &Scope, ids: &[i64]) -> Result<HashMap<i64, String>> {
    let mut out = HashMap::with_capacity(ids.len());
    if ids.is_empty() {
        return Ok(out);
    }
    // Ids are integers, so they can be inlined safely; at most a page of them.
    let list = ids
        .iter()
        .take(1000)
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let mut st = c.prepare(&format!(
        "SELECT id, name, path FROM party_orgs WHERE id IN ({list}) AND deleted_at IS NULL"
    ))?;
    let rows = st.query_map((), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (id, name, path) = row?;
        if in_scope(scope, Some(&path)) {
            out.insert(id, name);
        }
    }
    Ok(out)
}

pub fn org_counts(c: &Connection, ids: &[i64]) -> Result<HashMap<i64, (i64, i64)>> {
    let mut out: HashMap<i64, (i64, i64)> = ids.iter().map(|id| (*id, (0, 0))).collect();
    if ids.is_empty() {
        return Ok(out);
    }
    // Ids are integers, so they can be inlined safely; at most a page of them.
    let list = ids
        .iter()
        .take(1000)
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    for (sql, child) in [
        (format!("SELECT parent_id, count(*) FROM party_orgs WHERE parent_id IN ({list}) AND deleted_at IS NULL GROUP BY parent_id"), true),
        (format!("SELECT party_org_id, count(*) FROM societies WHERE party_org_id IN ({list}) AND deleted_at IS NULL GROUP BY party_org_id"), false),
    ] {
        let mut st = c.prepare(&sql)?;
        for row in st.query_map((), |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
            let (id, n) = row?;
            let e = out.entry(id).or_default();
            if child {
                e.0 = n;
            } else {
                e.1 = n;
            }
        }
    }
    Ok(out)
}

pub fn org_count(c: &Connection, scope: &Scope) -> Result<i64> {
    let mut cond = Cond::new("o.deleted_at IS NULL");
    if let Scope::Subtree { path, .. } = scope {
        cond.org_subtree(path);
    }
    super::count(
        c,
        &format!(
            "SELECT count(*) FROM party_orgs o WHERE {}",
            cond.where_clause()
        ),
        &cond.args,
    )
}

/// The live orgs in scope by grade, now or at `as_of` (see `Store::grade_counts`).
pub fn grade_counts(
    c: &Connection,
    scope: &Scope,
    as_of: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<crate::GradeCounts> {
    super::memo(
        format!("grade_counts\u{1f}{scope:?}\u{1f}{as_of:?}"),
        || {
            let mut cond = Cond::new("o.deleted_at IS NULL");
            if let Scope::Subtree { path, .. } = scope {
                cond.org_subtree(path);
            }
            let sql = match as_of {
                None => format!(
                    "SELECT o.grade, count(*) FROM party_orgs o WHERE {} GROUP BY o.grade",
                    cond.where_clause()
                ),
                Some(at) => {
                    // instants are stored as RFC 3339 text in UTC (`now_text`): they compare as text
                    cond.push(
                        "h.changed_at <= ?",
                        [Value::Text(
                            at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                        )],
                    );
                    format!(
                        "SELECT g, count(*) FROM (
                         SELECT h.grade AS g, row_number() OVER (
                             PARTITION BY h.party_org_id ORDER BY h.changed_at DESC, h.id DESC) AS n
                         FROM grade_history h JOIN party_orgs o ON o.id = h.party_org_id
                         WHERE {}) latest
                     WHERE n = 1 GROUP BY g",
                        cond.where_clause()
                    )
                }
            };
            let mut out = crate::GradeCounts::default();
            let rows = c
                .prepare_cached(&sql)?
                .query_map(params_from_iter(&cond.args), |r| {
                    Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(1)?))
                })?
                .collect::<crate::Result<Vec<_>>>()?;
            let mut graded = 0;
            for (grade, n) in rows {
                match grade.as_deref().and_then(Grade::parse) {
                    Some(Grade::A) => out.a += n,
                    Some(Grade::B) => out.b += n,
                    Some(Grade::C) => out.c += n,
                    None => continue,
                }
                graded += n;
            }
            out.ungraded = org_count(c, scope)? - graded;
            Ok(out)
        },
    )
}

fn name_taken(c: &Connection, table: &str, name: &str, except: Option<i64>) -> Result<bool> {
    let id: Option<i64> = c
        .prepare_cached(&format!(
            "SELECT id FROM {table} WHERE name = ?1 AND deleted_at IS NULL"
        ))?
        .query_row([name], |r| r.get(0))
        .optional()?;
    Ok(id.is_some_and(|id| Some(id) != except))
}

/// A `manual` entry of the org's grade history (a grade set by hand, not by an assessment).
fn record_grade(
    tx: &Transaction,
    actor: &Actor,
    org: i64,
    grade: Option<Grade>,
    reason: Option<&str>,
) -> Result<()> {
    let now = now_text();
    let since = super::utc8_date(&now);
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    tx.execute(
        "INSERT INTO grade_history (party_org_id, grade, changed_at, changed_by, source, since, reason)
         VALUES (?1, ?2, ?3, ?4, 'manual', ?5, ?6)",
        params![org, grade.map(|g| g.as_str()), now, actor.username, since, reason],
    )?;
    Ok(())
}

fn write_org(tx: &Transaction, id: Option<i64>, o: &PartyOrgInput) -> Result<i64> {
    let now = now_text();
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
    let args = params![
        o.name,
        o.kind.as_str(),
        o.parent_id,
        o.secretary,
        date(o.secretary_joined_on),
        o.secretary_cross_appointed,
        date(o.established_on),
        date(o.term_ends_on),
        o.full_members,
        o.probationary_members,
        o.grade.map(|g| g.as_str()),
        now,
        id,
    ];
    match id {
        None => {
            tx.prepare_cached(
                "INSERT INTO party_orgs (name, kind, parent_id, secretary, secretary_joined_on, secretary_cross_appointed,
                 established_on, term_ends_on, full_members, probationary_members, grade, created_at, updated_at, path)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, coalesce(?13, ''))",
            )?
            .execute(args)?;
            Ok(tx.last_insert_rowid()?)
        }
        Some(id) => {
            tx.prepare_cached(
                "UPDATE party_orgs SET name = ?1, kind = ?2, parent_id = ?3, secretary = ?4, secretary_joined_on = ?5,
                 secretary_cross_appointed = ?6, established_on = ?7, term_ends_on = ?8, full_members = ?9,
                 probationary_members = ?10, grade = ?11, updated_at = ?12 WHERE id = ?13",
            )?
            .execute(args)?;
            Ok(id)
        }
    }
}

fn set_path(tx: &Transaction, id: i64, parent_path: Option<&str>) -> Result<String> {
    let path = format!("{}{id}/", parent_path.unwrap_or("/"));
    tx.prepare_cached("UPDATE party_orgs SET path = ?1 WHERE id = ?2")?
        .execute(params![path, id])?;
    Ok(path)
}

pub fn create_org(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    p: &PartyOrgPatch,
) -> Result<PartyOrg> {
    let input = p.apply(None)?;
    let parent = target_org(tx, scope, "parent_id", input.parent_id)?;
    if name_taken(tx, "party_orgs", &input.name, None)? {
        return Err(StoreError::Conflict("name"));
    }
    let id = write_org(tx, None, &input)?;
    set_path(tx, id, parent.as_ref().map(|(_, p)| p.as_str()))?;
    if input.grade.is_some() {
        record_grade(tx, actor, id, input.grade, None)?;
    }
    let org = get_org(tx, &Scope::All, id)?;
    audit(
        tx,
        actor,
        "create",
        "party_org",
        Some(id),
        None::<&()>,
        Some(&org),
    )?;
    Ok(org)
}

pub fn update_org(
    tx: &Transaction,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    p: &PartyOrgPatch,
) -> Result<PartyOrg> {
    let (before, old_path) = org_in_scope(tx, scope, id)?;
    if p.grade_reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > 2000)
    {
        return Err(FieldErrors::single("grade_reason", FieldError::TooLong { max: 2000 }).into());
    }
    let input = p.apply(Some(&PartyOrgInput::from(&before)))?;
    if input.parent_id != before.parent_id {
        if matches!(scope, Scope::Subtree { root, .. } if *root == id) {
            return Err(StoreError::Forbidden); // a branch may not move its own root
        }
        let parent = target_org(tx, scope, "parent_id", input.parent_id)?;
        if let Some((_, parent_path)) = &parent {
            if parent_path.starts_with(&old_path) {
                return Err(FieldErrors::single("parent_id", FieldError::Cycle).into());
            }
        }
        let new_path = set_path(tx, id, parent.as_ref().map(|(_, p)| p.as_str()))?;
        let (lo, hi) = Scope::path_range(&old_path);
        tx.execute(
            "UPDATE party_orgs SET path = ?1 || substr(path, ?2) WHERE path >= ?3 AND path < ?4 AND id <> ?5",
            params![new_path, old_path.len() as i64 + 1, lo, hi, id],
        )?;
    }
    if name_taken(tx, "party_orgs", &input.name, Some(id))? {
        return Err(StoreError::Conflict("name"));
    }
    write_org(tx, Some(id), &input)?;
    if input.kind != before.kind {
        let cov = domain::coverage(Some(input.kind), None);
        tx.execute(
            "UPDATE societies SET coverage = ?1, updated_at = ?2 WHERE party_org_id = ?3 AND deleted_at IS NULL",
            params![cov.as_str(), now_text(), id],
        )?;
    }
    if input.grade != before.grade {
        record_grade(tx, actor, id, input.grade, p.grade_reason.as_deref())?;
    }
    let after = get_org(tx, &Scope::All, id)?;
    audit(
        tx,
        actor,
        "update",
        "party_org",
        Some(id),
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

pub fn delete_org(tx: &Transaction, actor: &Actor, scope: &Scope, id: i64) -> Result<()> {
    let (before, _) = org_in_scope(tx, scope, id)?;
    if matches!(scope, Scope::Subtree { root, .. } if *root == id) {
        return Err(StoreError::Forbidden);
    }
    let count = |sql: &str| -> Result<i64> { tx.query_row(sql, [id], |r| r.get(0)) };
    if count("SELECT count(*) FROM party_orgs WHERE parent_id = ?1 AND deleted_at IS NULL")? > 0 {
        return Err(StoreError::InUse("children"));
    }
    if count("SELECT count(*) FROM societies WHERE party_org_id = ?1 AND deleted_at IS NULL")? > 0 {
        return Err(StoreError::InUse("societies"));
    }
    if count("SELECT count(*) FROM users WHERE party_org_id = ?1")? > 0 {
        return Err(StoreError::InUse("users"));
    }
    tx.execute(
        "UPDATE party_orgs SET deleted_at = ?1, deleted_by = ?2 WHERE id = ?3",
        params![now_text(), actor.user_id, id],
    )?;
    audit(
        tx,
        actor,
        "delete",
        "party_org",
        Some(id),
        Some(&before),
        None::<&()>,
    )?;
    Ok(())
}

// ---------------------------------------------------------------- societies

fn society_cond(scope: &Scope, f: &SocietyFilter, rules: &Rules) -> Cond {
    let mut cond = Cond::new("s.deleted_at IS NULL");
    if let Scope::Subtree { path, .. } = scope {
        cond.society_subtree(path);
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.is_empty()) {
        cond.push("s.name LIKE ? ESCAPE '\\'", [Value::Text(like_contains(q))]);
    }
    if let Some(k) = f.kind {
        cond.push("s.kind = ?", [Value::Text(k.as_str().into())]);
    }
    if let Some(sec) = f.sector {
        cond.push("s.sector = ?", [Value::Text(sec.as_str().into())]);
    }
    if let Some(cov) = f.coverage {
        cond.push("s.coverage = ?", [Value::Text(cov.as_str().into())]);
    }
    if let Some(o) = f.party_org_id {
        cond.push("s.party_org_id = ?", [Value::Integer(o)]);
    }
    if let Some(u) = f.under {
        cond.push(
            &format!("s.party_org_id IN (SELECT o.id FROM party_orgs o WHERE o.deleted_at IS NULL AND {UNDER})"),
            [Value::Integer(u), Value::Integer(u)],
        );
    }
    match f.should_establish {
        Some(true) => cond.push(
            "s.full_members >= ? AND s.coverage <> 'own_branch'",
            [Value::Integer(rules.establish_threshold)],
        ),
        Some(false) => cond.push(
            "(s.full_members < ? OR s.coverage = 'own_branch')",
            [Value::Integer(rules.establish_threshold)],
        ),
        None => {}
    }
    cond
}

pub fn list_societies(
    c: &Connection,
    rules: &Rules,
    scope: &Scope,
    f: &SocietyFilter,
    page: PageReq,
) -> Result<Paged<Society>> {
    let cond = society_cond(scope, f, rules);
    paged(c, "societies s", SOCIETY_COLS, &cond, page, |r| {
        society_row(r, rules)
    })
}

fn society_in_scope(c: &Connection, rules: &Rules, scope: &Scope, id: i64) -> Result<Society> {
    let found = c
        .prepare_cached(&format!(
            "SELECT {SOCIETY_COLS}, o.path FROM societies s LEFT JOIN party_orgs o ON o.id = s.party_org_id
             WHERE s.id = ?1 AND s.deleted_at IS NULL"
        ))?
        .query_row([id], |r| Ok((society_row(r, rules)?, r.get::<_, Option<String>>(10)?)))
        .optional()?;
    match found {
        Some((s, p)) if in_scope(scope, p.as_deref()) => Ok(s),
        _ => Err(StoreError::NotFound),
    }
}

pub fn get_society(c: &Connection, rules: &Rules, scope: &Scope, id: i64) -> Result<Society> {
    society_in_scope(c, rules, scope, id)
}

fn write_society(
    tx: &Transaction,
    id: Option<i64>,
    s: &SocietyInput,
    coverage: Coverage,
) -> Result<i64> {
    let args = params![
        s.name,
        s.kind.as_str(),
        s.sector.as_str(),
        s.full_members,
        s.probationary_members,
        s.charter_has_party_building,
        s.instructor,
        s.party_org_id,
        coverage.as_str(),
        now_text(),
        id,
    ];
    match id {
        None => {
            tx.prepare_cached(
                "INSERT INTO societies (name, kind, sector, full_members, probationary_members, charter_has_party_building,
                 instructor, party_org_id, coverage, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
            )
            .and_then(|mut st| st.execute(&args[..10]))?;
            Ok(tx.last_insert_rowid()?)
        }
        Some(id) => {
            tx.prepare_cached(
                "UPDATE societies SET name = ?1, kind = ?2, sector = ?3, full_members = ?4, probationary_members = ?5,
                 charter_has_party_building = ?6, instructor = ?7, party_org_id = ?8, coverage = ?9, updated_at = ?10
                 WHERE id = ?11",
            )?
            .execute(args)?;
            Ok(id)
        }
    }
}

fn society_coverage(c: &Connection, scope: &Scope, s: &SocietyInput) -> Result<Coverage> {
    let org = target_org(c, scope, "party_org_id", s.party_org_id)?;
    Ok(domain::coverage(
        org.map(|(k, _)| k),
        s.instructor.as_deref(),
    ))
}

pub fn create_society(
    tx: &Transaction,
    rules: &Rules,
    actor: &Actor,
    scope: &Scope,
    p: &SocietyPatch,
) -> Result<Society> {
    let input = p.apply(None)?;
    let coverage = society_coverage(tx, scope, &input)?;
    if name_taken(tx, "societies", &input.name, None)? {
        return Err(StoreError::Conflict("name"));
    }
    let id = write_society(tx, None, &input, coverage)?;
    let after = society_in_scope(tx, rules, &Scope::All, id)?;
    audit(
        tx,
        actor,
        "create",
        "society",
        Some(id),
        None::<&()>,
        Some(&after),
    )?;
    Ok(after)
}

pub fn update_society(
    tx: &Transaction,
    rules: &Rules,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    p: &SocietyPatch,
) -> Result<Society> {
    let before = society_in_scope(tx, rules, scope, id)?;
    let input = p.apply(Some(&SocietyInput::from(&before)))?;
    let coverage = society_coverage(tx, scope, &input)?;
    if name_taken(tx, "societies", &input.name, Some(id))? {
        return Err(StoreError::Conflict("name"));
    }
    write_society(tx, Some(id), &input, coverage)?;
    let after = society_in_scope(tx, rules, &Scope::All, id)?;
    if after != before {
        audit(
            tx,
            actor,
            "update",
            "society",
            Some(id),
            Some(&before),
            Some(&after),
        )?;
    }
    Ok(after)
}

pub fn delete_society(
    tx: &Transaction,
    rules: &Rules,
    actor: &Actor,
    scope: &Scope,
    id: i64,
) -> Result<()> {
    let before = society_in_scope(tx, rules, scope, id)?;
    tx.execute(
        "UPDATE societies SET deleted_at = ?1, deleted_by = ?2 WHERE id = ?3",
        params![now_text(), actor.user_id, id],
    )?;
    audit(
        tx,
        actor,
        "delete",
        "society",
        Some(id),
        Some(&before),
        None::<&()>,
    )?;
    Ok(())
}

pub fn import_societies(
    tx: &Transaction,
    rules: &Rules,
    actor: &Actor,
    scope: &Scope,
    rows: &[ImportRow],
) -> Result<ImportOutcome> {
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let mut out = ImportOutcome::default();
    let err = |row: usize, column: &str, message: &str| RowError {
        row,
        column: column.into(),
        message: message.into(),
    };
    for r in rows {
        if !seen.insert(r.society.name.clone()) {
            errors.push(err(r.row, "name", "import.duplicate_in_file"));
            continue;
        }
        let coverage = match society_coverage(tx, scope, &r.society) {
            Ok(c) => c,
            Err(StoreError::Forbidden | StoreError::Invalid(_)) => {
                errors.push(err(r.row, "party_org_id", "import.org_out_of_scope"));
                continue;
            }
            Err(e) => return Err(e),
        };
        let existing: Option<(i64, Option<String>)> = tx
            .prepare_cached(
                "SELECT s.id, o.path FROM societies s LEFT JOIN party_orgs o ON o.id = s.party_org_id
                 WHERE s.name = ?1 AND s.deleted_at IS NULL",
            )?
            .query_row([&r.society.name], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        match existing {
            Some((_, path)) if !in_scope(scope, path.as_deref()) => {
                errors.push(err(r.row, "name", "import.name_taken"))
            }
            Some((id, _)) => {
                let before = society_in_scope(tx, rules, &Scope::All, id)?;
                if SocietyInput::from(&before) != r.society {
                    write_society(tx, Some(id), &r.society, coverage)?;
                    let after = society_in_scope(tx, rules, &Scope::All, id)?;
                    audit(
                        tx,
                        actor,
                        "update",
                        "society",
                        Some(id),
                        Some(&before),
                        Some(&after),
                    )?;
                }
                out.updated += 1;
            }
            None => {
                let id = write_society(tx, None, &r.society, coverage)?;
                let after = society_in_scope(tx, rules, &Scope::All, id)?;
                audit(
                    tx,
                    actor,
                    "create",
                    "society",
                    Some(id),
                    None::<&()>,
                    Some(&after),
                )?;
                out.created += 1;
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(StoreError::Rows(errors))
    }
}

pub fn export_societies(
    c: &Connection,
    rules: &Rules,
    scope: &Scope,
) -> Result<Vec<(Society, Option<String>)>> {
    let cond = society_cond(scope, &SocietyFilter::default(), rules);
    let rows = c
        .prepare(&format!(
            "SELECT {SOCIETY_COLS}, o.name FROM societies s LEFT JOIN party_orgs o ON o.id = s.party_org_id
             WHERE {} ORDER BY s.id",
            cond.where_clause()
        ))?
        .query_map(params_from_iter(&cond.args), |r| Ok((society_row(r, rules)?, r.get(10)?)))?
        .collect::<crate::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn society_facts(c: &Connection, scope: &Scope) -> Result<Vec<SocietyFacts>> {
    let mut cond = Cond::new("s.deleted_at IS NULL");
    if let Scope::Subtree { path, .. } = scope {
        cond.society_subtree(path);
    }
    let rows = c
        .prepare(&format!(
            "SELECT s.id, s.name, s.party_org_id, s.coverage, s.full_members FROM societies s WHERE {} ORDER BY s.id",
            cond.where_clause()
        ))?
        .query_map(params_from_iter(&cond.args), |r| {
            Ok(SocietyFacts {
                id: r.get(0)?,
                name: r.get(1)?,
                party_org_id: r.get(2)?,
                coverage: parse_code(&r.get::<_, String>(3)?, Coverage::parse)?,
                full_members: r.get(4)?,
            })
        })?
        .collect::<crate::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn coverage_stats(
    c: &Connection,
    rules: &Rules,
    scope: &Scope,
    party_org_id: Option<i64>,
) -> Result<CoverageStats> {
    let key = format!(
        "coverage_stats\u{1f}{scope:?}\u{1f}{party_org_id:?}\u{1f}{}",
        rules.establish_threshold
    );
    super::memo(key, || {
        coverage_stats_uncached(c, rules, scope, party_org_id)
    })
}

fn coverage_stats_uncached(
    c: &Connection,
    rules: &Rules,
    scope: &Scope,
    party_org_id: Option<i64>,
) -> Result<CoverageStats> {
    let mut cond = Cond::new("s.deleted_at IS NULL");
    if let Scope::Subtree { path, .. } = scope {
        cond.society_subtree(path);
    }
    if let Some(id) = party_org_id {
        let (_, path) = org_in_scope(c, scope, id)?;
        cond.society_subtree(&path);
    }
    let w = cond.where_clause();
    let mut args = vec![Value::Integer(rules.establish_threshold)];
    args.extend(cond.args.iter().cloned());
    let mut st = c.prepare_cached(&format!(
        "SELECT s.coverage, count(*), sum(s.charter_has_party_building),
                count(*) FILTER (WHERE s.full_members >= ? AND s.coverage <> 'own_branch')
         FROM societies s WHERE {w} GROUP BY s.coverage"
    ))?;
    let mut stats = CoverageStats::default();
    for c in Coverage::ALL {
        stats.by_coverage.insert(c.as_str().to_string(), 0);
    }
    let mut charter = 0i64;
    let rows = st.query_map(params_from_iter(&args), |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    for row in rows {
        let (cov, n, ch, se) = row?;
        stats.societies += n;
        charter += ch;
        stats.should_establish += se;
        if cov != "none" {
            stats.covered += n;
        }
        if cov != "none" && cov != "instructor" {
            stats.org_covered += n;
        }
        stats.by_coverage.insert(cov, n);
    }
    let mut sectors: BTreeMap<String, i64> = Sector::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), 0))
        .collect();
    let mut st = c.prepare_cached(&format!(
        "SELECT s.sector, count(*) FROM societies s WHERE {w} GROUP BY s.sector"
    ))?;
    for row in st.query_map(params_from_iter(&cond.args), |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (sec, n) = row?;
        sectors.insert(sec, n);
    }
    stats.by_sector = sectors;
    if stats.societies > 0 {
        stats.coverage_rate = stats.covered as f64 / stats.societies as f64;
        stats.org_coverage_rate = stats.org_covered as f64 / stats.societies as f64;
        stats.charter_rate = charter as f64 / stats.societies as f64;
    }
    Ok(stats)
}

pub fn bulk_load(
    tx: &Transaction,
    actor: &Actor,
    orgs: &[BulkOrg],
    societies: &[BulkSociety],
) -> Result<()> {
    let mut ids: Vec<(i64, String, OrgKind)> = Vec::with_capacity(orgs.len());
    for (i, b) in orgs.iter().enumerate() {
        let parent = match b.parent {
            Some(p) if p < i => Some(&ids[p]),
            Some(_) => {
                return Err(StoreError::Internal(format!(
                    "bulk org {i}: parent must come first"
                )))
            }
            None => None,
        };
        let mut input = b.org.clone();
        input.parent_id = parent.map(|p| p.0);
        let id = write_org(tx, None, &input)?;
        let path = set_path(tx, id, parent.map(|p| p.1.as_str()))?;
        if input.grade.is_some() {
            record_grade(tx, actor, id, input.grade, None)?;
        }
        ids.push((id, path, input.kind));
    }
    for (i, b) in societies.iter().enumerate() {
        let org = match b.org {
            Some(o) => Some(
                ids.get(o)
                    .ok_or_else(|| StoreError::Internal(format!("bulk society {i}: no org {o}")))?,
            ),
            None => None,
        };
        let mut input = b.society.clone();
        input.party_org_id = org.map(|o| o.0);
        let coverage = domain::coverage(org.map(|o| o.2), input.instructor.as_deref());
        write_society(tx, None, &input, coverage)?;
    }
    let summary = serde_json::json!({"party_orgs": orgs.len(), "societies": societies.len()});
    audit(
        tx,
        actor,
        "create",
        "bulk_load",
        None,
        None::<&()>,
        Some(&summary),
    )?;
    Ok(())
}
