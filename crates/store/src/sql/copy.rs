//! `copy-db`: every record of one database into a new, empty one, of either backend — ids,
//! users and the audit log included; sessions are not copied (API.md "Server start").
//!
//! One transaction on the target: a copy that fails writes nothing. Tables go in the order
//! their references need (orgs by path, so a parent comes before its children); rows go in
//! multi-row inserts. Derived and per-server tables are not copied: `activity_counts` is
//! rebuilt by the target's own triggers as the activities arrive, and sessions, login
//! failures, job claims and the migration bookkeeping belong to each database.

use super::db::{params_from_iter, Connection, Dialect, Transaction, Value};
use super::{internal, lock, Backend, Raw, SqlStore};
use crate::{Result, StoreError};

/// The copied tables, in an order that satisfies every reference, with the order their
/// rows are read in.
pub const TABLES: &[(&str, &str)] = &[
    ("party_orgs", "path, id"),
    ("societies", "id"),
    ("users", "id"),
    ("audit", "id"),
    ("activities", "id"),
    ("attachments", "id"),
    ("obligations", "id"),
    ("reminders", "id"),
    ("work_plans", "id"),
    ("work_sections", "id"),
    ("work_items", "id"),
    ("tasks", "id"),
    ("assignments", "id"),
    ("progress_reports", "id"),
    ("inspections", "id"),
    ("inspection_orgs", "inspection_id, party_org_id"),
    ("inspection_team", "inspection_id, position"),
    ("findings", "id"),
    ("rectifications", "id"),
    ("rectification_events", "id"),
    ("bulletin_numbers", "id"),
    ("report_forms", "id"),
    ("funded_projects", "id"),
    ("expenditures", "id"),
    ("report_submissions", "id"),
    ("report_submission_events", "id"),
    ("report_reminders", "id"),
    ("office_holders", "id"),
    ("courses", "id"),
    ("attendance", "id"),
    ("training_reminders", "id"),
    ("campaigns", "id"),
    ("campaign_participants", "id"),
    ("campaign_records", "id"),
    ("liaisons", "id"),
    ("visits", "id"),
    ("research_reports", "id"),
    ("research_report_orgs", "report_id, position"),
    ("cases", "id"),
    ("channels", "id"),
    ("channel_reviews", "id"),
    ("assessment_schemes", "id"),
    ("assessment_indicators", "scheme_id, position"),
    ("assessment_scores", "id"),
    ("assessment_grades", "id"),
    ("assessment_results", "id"),
    ("grade_history", "id"),
];

/// The tables each database keeps for itself.
pub const NOT_COPIED: &[&str] = &[
    "sessions",
    "activity_counts",
    "login_failures",
    "job_runs",
    "dangjian_changes",
    "dangjian_migrations",
];

/// How far a copy has got: `table`, rows copied of `total`.
#[derive(Debug, Clone)]
pub struct CopyProgress {
    pub table: &'static str,
    pub copied: u64,
    pub total: u64,
}

/// Rows per multi-row `INSERT` (PostgreSQL takes at most 65535 parameters a statement).
const ROWS_PER_INSERT: usize = 200;

/// The columns of `table`, in order.
fn columns(c: &Connection, table: &str) -> Result<Vec<String>> {
    let rows = match c.dialect() {
        Dialect::Sqlite => c
            .prepare(&format!(
                "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
            ))?
            .query_map((), |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>>>()?,
        Dialect::Postgres => c
            .prepare(
                "SELECT CAST(column_name AS TEXT) FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = ?1
                 ORDER BY ordinal_position",
            )?
            .query_map([table], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>>>()?,
    };
    if rows.is_empty() {
        return Err(internal(format!("no table {table}")));
    }
    Ok(rows)
}

/// Every table of the database (to check that the copy knows them all).
pub(crate) fn tables(c: &Connection) -> Result<Vec<String>> {
    let sql = match c.dialect() {
        Dialect::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Dialect::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
        }
    };
    c.prepare(sql)?
        .query_map((), |r| r.get::<_, String>(0))?
        .collect()
}

fn count(c: &Connection, sql: &str) -> Result<i64> {
    c.query_row(sql, (), |r| r.get(0))
}

/// Refuses a target that holds anything but what its migrations wrote.
fn check_empty(tx: &Connection) -> Result<()> {
    for (table, _) in TABLES {
        let n = match *table {
            // Seeded by the migrations, replaced by the source's.
            "obligations" => 0,
            "audit" => count(
                tx,
                "SELECT count(*) FROM audit WHERE actor <> 'system:migration'",
            )?,
            t => count(tx, &format!("SELECT count(*) FROM {t}"))?,
        };
        if n > 0 {
            return Err(StoreError::Internal(format!(
                "the target database holds data ({table}: {n} rows); copy-db copies only into \
                 an empty database"
            )));
        }
    }
    Ok(())
}

fn insert_sql(table: &str, cols: &[String], rows: usize) -> String {
    let n = cols.len();
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let ps: Vec<String> = (1..=n).map(|i| format!("?{}", r * n + i)).collect();
            format!("({})", ps.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO {table} ({}) VALUES {}",
        cols.join(", "),
        values.join(", ")
    )
}

/// Rows read as values, one `Vec` a row.
type ValueRows = std::vec::IntoIter<Result<Vec<Value>>>;

/// The columns of `table` and every row of it in `order`, as values.
fn all_rows(c: &Connection, table: &str, order: &str) -> Result<(Vec<String>, ValueRows)> {
    let cols = columns(c, table)?;
    let rows = c
        .prepare(&format!(
            "SELECT {} FROM {table} ORDER BY {order}",
            cols.join(", ")
        ))?
        .query_map((), |r| {
            (0..cols.len())
                .map(|i| r.get::<_, Value>(i))
                .collect::<Result<Vec<Value>>>()
        })?;
    Ok((cols, rows))
}

fn copy_table(
    from: &Connection,
    to: &Transaction,
    table: &'static str,
    order: &str,
    progress: &dyn Fn(CopyProgress),
) -> Result<u64> {
    let total = count(from, &format!("SELECT count(*) FROM {table}"))? as u64;
    let (cols, mut rows) = all_rows(from, table, order)?;
    let report = |copied| {
        progress(CopyProgress {
            table,
            copied,
            total,
        })
    };
    let per = ROWS_PER_INSERT.min(60_000 / cols.len()).max(1);
    let full = insert_sql(table, &cols, per);
    let mut copied = 0u64;
    let mut batch: Vec<Value> = Vec::with_capacity(per * cols.len());
    loop {
        let mut n = 0;
        batch.clear();
        for row in rows.by_ref().take(per) {
            batch.extend(row?);
            n += 1;
        }
        if n == 0 {
            break;
        }
        let sql = if n == per {
            full.clone()
        } else {
            insert_sql(table, &cols, n)
        };
        to.prepare(&sql)?
            .execute(params_from_iter(batch.iter()))
            .map_err(|e| StoreError::Internal(format!("copying {table}: {e}")))?;
        copied += n as u64;
        report(copied);
    }
    if copied == 0 {
        report(0);
    }
    // PostgreSQL's identity columns go on from the largest id copied.
    if to.dialect() == Dialect::Postgres && cols.iter().any(|c| c == "id") {
        to.query_row(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 coalesce(max(id), 1), max(id) IS NOT NULL) FROM {table}"
            ),
            (),
            |_| Ok(()),
        )?;
    }
    Ok(copied)
}

impl SqlStore {
    /// Copies every record of this database into `target`, which must be empty (freshly
    /// migrated); all or nothing. `progress` hears of every batch.
    pub async fn copy_into(
        &self,
        target: &SqlStore,
        progress: impl Fn(CopyProgress) + Send + 'static,
    ) -> Result<u64> {
        let (from, to) = (self.clone(), target.clone());
        let n = tokio::task::spawn_blocking(move || {
            let reader = from.connect()?;
            let source = reader.conn();
            let known: Vec<&str> = TABLES
                .iter()
                .map(|(t, _)| *t)
                .chain(NOT_COPIED.iter().copied())
                .collect();
            for t in tables(&source)? {
                if !known.contains(&t.as_str()) {
                    return Err(internal(format!("copy-db does not know the table {t}")));
                }
            }
            let mut writer = lock(&to.inner.writer);
            if writer.broken() {
                *writer = to.connect()?;
            }
            let run = |tx: &Transaction| -> Result<u64> {
                check_empty(tx)?;
                tx.execute("DELETE FROM obligations", ())?;
                tx.execute("DELETE FROM audit", ())?;
                let mut n = 0;
                for (table, order) in TABLES {
                    n += copy_table(&source, tx, table, order, &progress)?;
                }
                Ok(n)
            };
            match &mut *writer {
                Raw::Sqlite(c) => crate::sqlite::transaction(c, run),
                Raw::Postgres(c) => crate::postgres::transaction(c, run),
            }
        })
        .await
        .map_err(internal)??;
        target.analyze().await?;
        Ok(n)
    }

    /// Every row of the copied table `table`, in its copy order, as values: what a copy is
    /// checked against.
    pub async fn table_rows(&self, table: &str) -> Result<Vec<Vec<Value>>> {
        let Some((table, order)) = TABLES.iter().find(|(t, _)| *t == table).copied() else {
            return Err(StoreError::NotFound);
        };
        self.read(move |c, _| all_rows(c, table, order)?.1.collect())
            .await
    }

    /// Which backend, for messages.
    pub fn describe(&self) -> &'static str {
        match self.inner.backend {
            Backend::Sqlite(_) => "SQLite",
            Backend::Postgres(..) => "PostgreSQL",
        }
    }
}
