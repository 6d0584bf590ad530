//! What only PostgreSQL does: connecting, migrations under an advisory lock (several servers
//! started at once on an empty database all come up), write transactions serialized by an
//! advisory lock and counted in `dangjian_changes` (the readers' change detection), and
//! backup through `pg_dump`.

use std::path::Path;

use domain::Rules;

use crate::sql::pg::PgConn;
use crate::sql::{Connection, Transaction};
use crate::{Result, StoreError};

pub(crate) const MIGRATIONS: &[(&str, &str)] = crate::migrations!("postgres");

/// Advisory lock keys: the first number says what is locked, the second which schema (tests
/// run many schemas in one database; a deployment uses one).
const MIGRATE_LOCK: &str = "SELECT pg_advisory_lock(7301, hashtext(current_schema()))";
const MIGRATE_UNLOCK: &str = "SELECT pg_advisory_unlock(7301, hashtext(current_schema()))";
const WRITE_LOCK: &str = "SELECT pg_advisory_xact_lock(7302, hashtext(current_schema()))";

/// Connects and migrates: the writer connection.
pub(crate) fn open(config: &postgres::Config, rules: &Rules) -> Result<PgConn> {
    let c = PgConn::connect(config)?;
    let conn = Connection::Postgres(&c);
    conn.query_row(MIGRATE_LOCK, (), |_| Ok(()))?;
    let out = migrate(&c, rules);
    let unlocked = conn.query_row(MIGRATE_UNLOCK, (), |_| Ok(()));
    out?;
    unlocked?;
    Ok(c)
}

fn migrate(c: &PgConn, rules: &Rules) -> Result<()> {
    let conn = Connection::Postgres(c);
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS dangjian_migrations (
             version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )?;
    let version: i64 = conn.query_row(
        "SELECT CAST(coalesce(max(version), 0) AS BIGINT) FROM dangjian_migrations",
        (),
        |r| r.get(0),
    )?;
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate() {
        let n = i as i64 + 1;
        if n <= version {
            continue;
        }
        tracing::info!(migration = name, "applying migration");
        in_transaction(c, |tx| {
            tx.execute_batch(sql)?;
            crate::sql::after_migration(tx, name, rules)?;
            tx.execute(
                "INSERT INTO dangjian_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                crate::params![n, name, crate::sql::now_text()],
            )?;
            Ok(())
        })?;
    }
    Ok(())
}

/// The change counter: it moves whenever any server commits a write.
pub(crate) fn data_version(c: Connection<'_>) -> Result<i64> {
    c.query_row("SELECT n FROM dangjian_changes", (), |r| r.get(0))
}

/// Rolls back a transaction that did not commit (an error or a panic on the way).
struct Rollback<'a>(&'a PgConn, bool);

impl Drop for Rollback<'_> {
    fn drop(&mut self) {
        if !self.1 {
            let _ = self.0.simple("ROLLBACK");
        }
    }
}

/// `f` in one transaction, after every other server's write transaction: the advisory lock
/// serializes writers as SQLite does, and each statement (read committed) sees every write
/// committed before it.
pub(crate) fn transaction<R>(
    c: &mut PgConn,
    f: impl FnOnce(&Transaction) -> Result<R>,
) -> Result<R> {
    in_transaction(c, |tx| {
        tx.query_row(WRITE_LOCK, (), |_| Ok(()))?;
        tx.execute("UPDATE dangjian_changes SET n = n + 1", ())?;
        f(tx)
    })
}

/// `f` between `BEGIN` and `COMMIT`; rolled back when it fails (or panics).
fn in_transaction<R>(c: &PgConn, f: impl FnOnce(&Transaction) -> Result<R>) -> Result<R> {
    c.simple("BEGIN")?;
    let mut guard = Rollback(c, false);
    let out = f(&Transaction::new(Connection::Postgres(c)))?;
    c.simple("COMMIT")?;
    guard.1 = true;
    Ok(out)
}

/// `pg_dump` of the database `url` into `target` (custom format, for `pg_restore`); only
/// the schema the store uses when its URL sets a `search_path`.
pub(crate) fn backup(url: &str, config: &postgres::Config, target: &Path) -> Result<()> {
    let mut cmd = std::process::Command::new("pg_dump");
    cmd.arg("--format=custom")
        .arg("--no-owner")
        .arg("--file")
        .arg(target);
    if let Some(schema) = search_path(config) {
        cmd.arg("--schema").arg(schema);
    }
    cmd.arg("--no-password").arg("--dbname").arg(url);
    let out = cmd.output().map_err(|e| {
        StoreError::Internal(format!(
            "pg_dump could not be run ({e}); install PostgreSQL's client tools (Debian: \
             apt install postgresql-client) or run `pg_dump --format=custom --file {} DBNAME` \
             yourself",
            target.display()
        ))
    })?;
    if !out.status.success() {
        return Err(StoreError::Internal(format!(
            "pg_dump failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

/// The schema named by `-c search_path=…` in the connection's options, if any.
fn search_path(config: &postgres::Config) -> Option<String> {
    let o = config.get_options()?;
    let at = o.find("search_path=")?;
    let v: String = o[at + "search_path=".len()..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != ',')
        .collect();
    (!v.is_empty()).then_some(v)
}
