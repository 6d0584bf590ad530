//! What only SQLite does: the file, its pragmas (WAL, foreign keys), migrations counted in
//! `PRAGMA user_version`, immediate write transactions, `PRAGMA data_version` for change
//! detection, and backup by `VACUUM INTO`.

use std::path::Path;

use domain::Rules;
use rusqlite::{OpenFlags, TransactionBehavior};

use crate::sql::{internal, Connection, Transaction};
use crate::{Result, StoreError};

pub(crate) const MIGRATIONS: &[(&str, &str)] = crate::migrations!("sqlite");

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, Some(msg)) = &e {
            if f.code == rusqlite::ErrorCode::ConstraintViolation && msg.contains("UNIQUE") {
                return StoreError::Conflict(if msg.contains("username") {
                    "username"
                } else {
                    "name"
                });
            }
        }
        if let rusqlite::Error::QueryReturnedNoRows = e {
            return StoreError::NotFound;
        }
        StoreError::Internal(e.to_string())
    }
}

fn configure(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute_batch("PRAGMA busy_timeout = 5000;")?;
    // Switching a new file to WAL needs it to itself, and SQLite answers "locked" at once
    // (no busy wait) when another process opens it at that moment: try again briefly.
    let mut tries = 0;
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Ok(_) => break,
            Err(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::DatabaseBusy && tries < 100 =>
            {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => return Err(e),
        }
    }
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -8000;",
    )?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Opens (creating if needed) the database at `path`, migrated: the writer connection.
pub(crate) fn open(path: &Path, rules: &Rules) -> Result<rusqlite::Connection> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(internal)?;
        }
    }
    let mut writer = rusqlite::Connection::open(path)?;
    configure(&writer)?;
    migrate(&mut writer, rules)?;
    Ok(writer)
}

/// Another connection to the database (a reader).
pub(crate) fn connect(path: &Path) -> Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure(&conn)?;
    Ok(conn)
}

/// Changes when any other connection has committed since this one last looked.
pub(crate) fn data_version(c: &rusqlite::Connection) -> Result<i64> {
    Ok(c.prepare_cached("PRAGMA data_version")?
        .query_row([], |r| r.get(0))?)
}

/// `f` in one immediate transaction; committed only when `f` succeeds.
pub(crate) fn transaction<R>(
    c: &mut rusqlite::Connection,
    f: impl FnOnce(&Transaction) -> Result<R>,
) -> Result<R> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let out = f(&Transaction::new(Connection::Sqlite(&tx)))?;
    tx.commit()?;
    Ok(out)
}

/// Applies the pending migrations, each in an immediate transaction that first reads the
/// version again: processes opening a new database at once (a server and the command line)
/// wait for each other instead of applying a migration twice.
fn migrate(conn: &mut rusqlite::Connection, rules: &Rules) -> Result<()> {
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate() {
        let n = i as i64 + 1;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if n <= version {
            continue;
        }
        tracing::info!(migration = name, "applying migration");
        tx.execute_batch(sql)?;
        crate::sql::after_migration(&Transaction::new(Connection::Sqlite(&tx)), name, rules)?;
        tx.execute_batch(&format!("PRAGMA user_version = {n}"))?;
        tx.commit()?;
    }
    Ok(())
}

/// A consistent copy of the database into the new file `target`, taken while it serves.
pub(crate) fn backup(c: &rusqlite::Connection, target: &Path) -> Result<()> {
    c.execute("VACUUM INTO ?1", [target.to_string_lossy()])?;
    Ok(())
}
