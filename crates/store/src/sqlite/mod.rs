//! The embedded SQLite implementation: WAL, foreign keys on, migrations at open, one
//! writer connection (SQLite has one writer anyway) and a small pool of readers.
//!
//! Each reader connection carries a [`Memo`]: results of expensive reads (list totals,
//! aggregate figures) kept until the database changes. SQLite's `PRAGMA data_version` tells a
//! connection whether any other connection — our writer, or another process such as the CLI —
//! has committed since it last looked, so a memoized value is never stale.

mod ledger;
mod life;
mod platform;
mod registry;
mod store_impl;
mod work;
mod work_supervision;
mod work_tasks;

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use domain::Rules;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use serde::Serialize;

use crate::{Actor, Result, StoreError};

const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_init",
        include_str!("../../migrations/sqlite/0001_init.sql"),
    ),
    (
        "0002_life",
        include_str!("../../migrations/sqlite/0002_life.sql"),
    ),
    (
        "0003_work",
        include_str!("../../migrations/sqlite/0003_work.sql"),
    ),
    (
        "0004_late",
        include_str!("../../migrations/sqlite/0004_late.sql"),
    ),
    (
        "0005_bulletins",
        include_str!("../../migrations/sqlite/0005_bulletins.sql"),
    ),
];

/// Concurrent reads (and idle reader connections kept). SQLite readers do not block each
/// other in WAL mode; more than a few per core only adds memory (each has its own page cache).
const READERS: usize = 4;

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Reader>>,
    rules: Rules,
}

/// A pooled reader connection and its memo.
struct Reader {
    conn: Connection,
    memo: Memo,
}

/// Values computed on one reader connection, valid while its `data_version` is unchanged.
#[derive(Default)]
struct Memo {
    data_version: i64,
    values: HashMap<String, Box<dyn Any + Send>>,
}

impl Memo {
    /// Most distinct keys kept (list filters with search text make new keys).
    const MAX: usize = 512;

    /// Forgets everything when another connection has committed since the last look.
    fn refresh(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        let v: i64 = conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?;
        if v != self.data_version {
            self.values.clear();
            self.data_version = v;
        }
        Ok(())
    }
}

thread_local! {
    /// The memo of the reader connection the current blocking task runs on; set by
    /// [`SqliteStore::read`] around its closure, absent inside write transactions.
    static MEMO: RefCell<Option<Memo>> = const { RefCell::new(None) };
}

/// Installs a reader's memo for the current thread; hands it back (also when the closure
/// panics) when dropped, so a later write on this thread never sees it.
struct MemoScope<'a>(&'a mut Memo);

impl<'a> MemoScope<'a> {
    fn enter(memo: &'a mut Memo) -> Self {
        MEMO.with(|m| *m.borrow_mut() = Some(std::mem::take(memo)));
        MemoScope(memo)
    }
}

impl Drop for MemoScope<'_> {
    fn drop(&mut self) {
        if let Some(m) = MEMO.with(|m| m.borrow_mut().take()) {
            *self.0 = m;
        }
    }
}

/// `compute()`, or its value from an earlier call with the same `key` on this reader
/// connection while the database has not changed. Outside a read (in a write transaction)
/// it always computes. `key` must name everything the value depends on (SQL and arguments).
pub(crate) fn memo<T, F>(key: String, compute: F) -> Result<T>
where
    T: Clone + Send + 'static,
    F: FnOnce() -> Result<T>,
{
    memo_if(key, compute, |_| true)
}

/// [`memo`], keeping the value only when `keep` says so (large values are recomputed rather
/// than held by every reader connection).
pub(crate) fn memo_if<T, F>(key: String, compute: F, keep: impl FnOnce(&T) -> bool) -> Result<T>
where
    T: Clone + Send + 'static,
    F: FnOnce() -> Result<T>,
{
    let hit = MEMO.with(|m| {
        m.borrow()
            .as_ref()
            .and_then(|memo| memo.values.get(&key))
            .and_then(|v| v.downcast_ref::<T>())
            .cloned()
    });
    if let Some(v) = hit {
        return Ok(v);
    }
    let v = compute()?;
    if !keep(&v) {
        return Ok(v);
    }
    MEMO.with(|m| {
        if let Some(memo) = m.borrow_mut().as_mut() {
            if memo.values.len() >= Memo::MAX {
                memo.values.clear();
            }
            memo.values.insert(key, Box::new(v.clone()));
        }
    });
    Ok(v)
}

/// `SELECT count(*) …` through the memo: list totals cost a scan of every matching row, the
/// page itself only `per_page` rows.
pub(crate) fn count(c: &Connection, sql: &str, args: &[rusqlite::types::Value]) -> Result<i64> {
    memo(format!("{sql}\u{1f}{args:?}"), || {
        Ok(c.prepare_cached(sql)?
            .query_row(rusqlite::params_from_iter(args), |r| r.get(0))?)
    })
}

/// The SQLite store. Cheap to clone.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
    read_permits: Arc<tokio::sync::Semaphore>,
}

fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(e.to_string())
}

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
        StoreError::Internal(e.to_string())
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -8000;",
    )?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    pub fn open(path: &Path, rules: Rules) -> Result<Self> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(internal)?;
            }
        }
        let mut writer = Connection::open(path)?;
        configure(&writer)?;
        migrate(&mut writer, &rules)?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                writer: Mutex::new(writer),
                readers: Mutex::new(Vec::new()),
                rules,
            }),
            read_permits: Arc::new(tokio::sync::Semaphore::new(READERS)),
        })
    }

    pub fn rules(&self) -> &Rules {
        &self.inner.rules
    }

    fn reader(&self) -> Result<Reader> {
        if let Some(r) = self.inner.readers.lock().map_err(internal)?.pop() {
            return Ok(r);
        }
        let conn = Connection::open_with_flags(
            &self.inner.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure(&conn)?;
        Ok(Reader {
            conn,
            memo: Memo::default(),
        })
    }

    /// Runs `f` on a reader connection off the async threads.
    async fn read<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection, &Rules) -> Result<R> + Send + 'static,
    {
        let _permit = self.read_permits.acquire().await.map_err(internal)?;
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut reader = this.reader()?;
            let out = {
                let Reader { conn, memo } = &mut reader;
                memo.refresh(conn)?;
                let _scope = MemoScope::enter(memo);
                f(conn, &this.inner.rules)
            };
            if let Ok(mut pool) = this.inner.readers.lock() {
                if pool.len() < READERS {
                    pool.push(reader);
                }
            }
            out
        })
        .await
        .map_err(internal)?
    }

    /// Runs `f` in one immediate transaction on the writer; commits only when `f` succeeds.
    async fn write<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Transaction, &Rules) -> Result<R> + Send + 'static,
    {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = this.inner.writer.lock().map_err(internal)?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx, &this.inner.rules)?;
            tx.commit()?;
            Ok(out)
        })
        .await
        .map_err(internal)?
    }
}

fn migrate(conn: &mut Connection, rules: &Rules) -> Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate() {
        let n = i as i64 + 1;
        if n <= version {
            continue;
        }
        tracing::info!(migration = name, "applying migration");
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        if *name == "0002_life" {
            life::seed_obligations(&tx, rules)?;
        }
        tx.execute_batch(&format!("PRAGMA user_version = {n}"))?;
        tx.commit()?;
    }
    Ok(())
}

pub(crate) fn now_text() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub(crate) fn parse_instant(s: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })
}

pub(crate) fn parse_date(s: Option<String>) -> rusqlite::Result<Option<NaiveDate>> {
    s.map(|s| {
        domain::validate::parse_date(&s).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                format!("bad date {s}").into(),
            )
        })
    })
    .transpose()
}

pub(crate) fn parse_code<T>(s: &str, parse: fn(&str) -> Option<T>) -> rusqlite::Result<T> {
    parse(s).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("bad code {s}").into(),
        )
    })
}

/// Writes one audit row inside the caller's transaction.
pub(crate) fn audit<B: Serialize, A: Serialize>(
    tx: &Transaction,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<()> {
    let before = before
        .map(serde_json::to_string)
        .transpose()
        .map_err(internal)?;
    let after = after
        .map(serde_json::to_string)
        .transpose()
        .map_err(internal)?;
    tx.prepare_cached(
        "INSERT INTO audit (at, actor_id, actor, action, entity, entity_id, before, after, request_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(rusqlite::params![now_text(), actor.user_id, actor.username, action, entity, entity_id, before, after, actor.request_id])?;
    Ok(())
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
pub(crate) fn like_contains(q: &str) -> String {
    let mut s = String::with_capacity(q.len() + 2);
    s.push('%');
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}
