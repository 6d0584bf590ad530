//! The store over SQL: every query is written once (this folder) and runs on SQLite (the
//! embedded default) and PostgreSQL through [`db::Connection`]. What truly differs — opening,
//! migrations, transactions, change detection, backup — lives in `crate::sqlite` and
//! `crate::postgres`.
//!
//! Each reader connection carries a [`Memo`]: results of expensive reads (list totals,
//! aggregate figures) kept until the database changes. The backend says whether anything
//! has been committed since the connection last looked — SQLite's `PRAGMA data_version`
//! (our writer, or another process such as the CLI), PostgreSQL's change counter bumped by
//! every write transaction of every server — so a memoized value is never stale, also when
//! several servers share one PostgreSQL database.

mod assessment;
mod attachments;
mod bulk;
mod campaigns;
mod channels;
pub mod copy;
pub mod db;
mod ledger;
mod liaison;
mod liaison_bulk;
mod life;
pub(crate) mod pg;
mod platform;
mod registry;
mod reports;
mod reports_bulk;
mod store_impl;
mod training;
mod training_bulk;
mod work;
mod work_supervision;
mod work_tasks;

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, NaiveDate, Utc};
use domain::Rules;
use serde::Serialize;

pub use db::{Connection, Dialect, Transaction, Value};

use crate::{Actor, Result, StoreError};

use crate::params;

/// What a migration does beyond its SQL, the same on both backends.
pub(crate) fn after_migration(tx: &Transaction, name: &str, rules: &Rules) -> Result<()> {
    if name == "0002_life" {
        life::seed_obligations(tx, rules)?;
    }
    Ok(())
}
/// Concurrent reads (and idle reader connections kept). SQLite readers do not block each
/// other in WAL mode; more than a few per core only adds memory (each has its own page cache).
const READERS: usize = 4;

/// Idle reader connections kept: the [`READERS`] of concurrent reads and one for each async
/// thread's small reads ([`SqlStore::read_small`]), so that none is opened per request.
const POOLED: usize = READERS + 4;

struct Inner {
    backend: Backend,
    writer: Mutex<Raw>,
    readers: Mutex<Vec<Reader>>,
    rules: Rules,
}

/// Where the database is.
pub(crate) enum Backend {
    Sqlite(std::path::PathBuf),
    /// The URL as given (for `pg_dump`) and as parsed.
    Postgres(String, Box<postgres::Config>),
}

/// An open connection of either backend.
pub(crate) enum Raw {
    Sqlite(rusqlite::Connection),
    Postgres(Box<pg::PgConn>),
}

impl Raw {
    pub(crate) fn conn(&self) -> Connection<'_> {
        match self {
            Raw::Sqlite(c) => Connection::Sqlite(c),
            Raw::Postgres(c) => Connection::Postgres(c),
        }
    }
    fn broken(&self) -> bool {
        matches!(self, Raw::Postgres(c) if c.is_closed())
    }
}

/// A pooled reader connection and its memo.
struct Reader {
    conn: Raw,
    memo: Memo,
}

/// Values computed on one reader connection, valid while its `data_version` is unchanged.
#[derive(Default)]
struct Memo {
    data_version: Option<i64>,
    values: HashMap<String, Box<dyn Any + Send>>,
}

impl Memo {
    /// Most distinct keys kept (list filters with search text make new keys).
    const MAX: usize = 512;

    /// Forgets everything when another connection has committed since the last look.
    fn refresh(&mut self, conn: Connection<'_>) -> Result<()> {
        let v = Some(match conn {
            Connection::Sqlite(c) => crate::sqlite::data_version(c)?,
            Connection::Postgres(_) => crate::postgres::data_version(conn)?,
        });
        if v != self.data_version {
            self.values.clear();
            self.data_version = v;
        }
        Ok(())
    }
}

thread_local! {
    /// The memo of the reader connection the current blocking task runs on; set by
    /// [`SqlStore::read`] around its closure, absent inside write transactions.
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
pub(crate) fn count(c: &Connection, sql: &str, args: &[Value]) -> Result<i64> {
    memo(format!("{sql}\u{1f}{args:?}"), || {
        c.prepare_cached(sql)?
            .query_row(db::params_from_iter(args), |r| r.get(0))
    })
}

/// The store over either backend. Cheap to clone.
#[derive(Clone)]
pub struct SqlStore {
    inner: Arc<Inner>,
    read_permits: Arc<tokio::sync::Semaphore>,
}

pub(crate) fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(e.to_string())
}

/// A lock that outlives a panic of an earlier holder (the connection's own state is then
/// repaired by the next transaction's rollback guard).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl SqlStore {
    /// Opens the database `db` — a file path (SQLite) or a `postgres://` URL — and runs
    /// pending migrations.
    pub fn open(db: &str, rules: Rules) -> Result<Self> {
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            let config: postgres::Config = db
                .parse()
                .map_err(|e| StoreError::Internal(format!("bad database URL: {e}")))?;
            let writer = pg::off_runtime(|| crate::postgres::open(&config, &rules))?;
            Ok(Self::with(
                Backend::Postgres(db.to_string(), Box::new(config)),
                Raw::Postgres(Box::new(writer)),
                rules,
            ))
        } else {
            Self::open_sqlite(std::path::Path::new(db), rules)
        }
    }

    /// Opens (creating if needed) the SQLite database at `path`.
    pub fn open_sqlite(path: &std::path::Path, rules: Rules) -> Result<Self> {
        let writer = crate::sqlite::open(path, &rules)?;
        Ok(Self::with(
            Backend::Sqlite(path.to_path_buf()),
            Raw::Sqlite(writer),
            rules,
        ))
    }

    fn with(backend: Backend, writer: Raw, rules: Rules) -> Self {
        SqlStore {
            inner: Arc::new(Inner {
                backend,
                writer: Mutex::new(writer),
                readers: Mutex::new(Vec::new()),
                rules,
            }),
            read_permits: Arc::new(tokio::sync::Semaphore::new(READERS)),
        }
    }

    pub fn rules(&self) -> &Rules {
        &self.inner.rules
    }

    pub fn dialect(&self) -> Dialect {
        match self.inner.backend {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(..) => Dialect::Postgres,
        }
    }

    fn connect(&self) -> Result<Raw> {
        Ok(match &self.inner.backend {
            Backend::Sqlite(path) => Raw::Sqlite(crate::sqlite::connect(path)?),
            Backend::Postgres(_, config) => Raw::Postgres(Box::new(pg::PgConn::connect(config)?)),
        })
    }

    fn reader(&self) -> Result<Reader> {
        while let Some(r) = lock(&self.inner.readers).pop() {
            if !r.conn.broken() {
                return Ok(r);
            }
        }
        Ok(Reader {
            conn: self.connect()?,
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
        tokio::task::spawn_blocking(move || this.on_reader(f))
            .await
            .map_err(internal)?
    }

    /// [`Self::read`] for a read that takes microseconds and runs on every request (the
    /// session lookup, mostly a memo hit): on SQLite it runs on the calling thread, sparing
    /// the hand-over to a blocking thread (a reader in WAL mode never waits for a writer);
    /// on PostgreSQL, a network round trip, it is an ordinary read.
    async fn read_small<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection, &Rules) -> Result<R> + Send + 'static,
    {
        match self.inner.backend {
            Backend::Sqlite(_) => self.on_reader(f),
            Backend::Postgres(..) => self.read(f).await,
        }
    }

    /// `f` on a pooled reader with its memo installed, on this thread; the reader goes back
    /// to the pool unless its connection broke.
    fn on_reader<R>(&self, f: impl FnOnce(&Connection, &Rules) -> Result<R>) -> Result<R> {
        let mut reader = self.reader()?;
        let out = {
            let Reader { conn, memo } = &mut reader;
            memo.refresh(conn.conn())?;
            let _scope = MemoScope::enter(memo);
            f(&conn.conn(), &self.inner.rules)
        };
        let mut pool = lock(&self.inner.readers);
        if pool.len() < POOLED && !reader.conn.broken() {
            pool.push(reader);
        }
        out
    }

    /// Runs `f` in one write transaction; commits only when `f` succeeds. Write
    /// transactions are serialized — by SQLite itself, and on PostgreSQL by an advisory lock
    /// taken first, across every server on the database — so a check made in a transaction
    /// (a unique number, a state) still holds when it commits.
    async fn write<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Transaction, &Rules) -> Result<R> + Send + 'static,
    {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut writer = lock(&this.inner.writer);
            if writer.broken() {
                *writer = this.connect()?;
            }
            let rules = &this.inner.rules;
            match &mut *writer {
                Raw::Sqlite(c) => crate::sqlite::transaction(c, |tx| f(tx, rules)),
                Raw::Postgres(c) => crate::postgres::transaction(c, |tx| f(tx, rules)),
            }
        })
        .await
        .map_err(internal)?
    }

    /// Refreshes the planner's statistics after a bulk load (seed, demo, copy-db):
    /// PostgreSQL plans a join over a small table it has never analyzed badly (a 50-row
    /// page of assignments took 27 ms instead of 1.4 ms), and autovacuum analyzes a table
    /// only after many changes. SQLite: `PRAGMA optimize`.
    pub async fn analyze(&self) -> Result<()> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let writer = lock(&this.inner.writer);
            match &*writer {
                Raw::Sqlite(c) => Ok(c.execute_batch("PRAGMA optimize")?),
                Raw::Postgres(c) => c.simple("ANALYZE"),
            }
        })
        .await
        .map_err(internal)?
    }

    /// A consistent copy of the whole database at `path`, taken while it serves: a SQLite
    /// file (`VACUUM INTO`), or a `pg_dump` archive (custom format, for `pg_restore`).
    pub(crate) async fn backup_to(&self, path: &std::path::Path) -> Result<()> {
        let (this, path) = (self.clone(), path.to_path_buf());
        tokio::task::spawn_blocking(move || match &this.inner.backend {
            Backend::Sqlite(_) => {
                let reader = this.reader()?;
                let Raw::Sqlite(c) = &reader.conn else {
                    return Err(internal("not a SQLite connection"));
                };
                crate::sqlite::backup(c, &path)
            }
            Backend::Postgres(url, config) => crate::postgres::backup(url, config, &path),
        })
        .await
        .map_err(internal)?
    }
}

pub(crate) fn now_text() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The day at UTC+8 (the default zone) of an RFC 3339 instant, for loaded records.
pub(crate) fn utc8_date(at: &str) -> Option<String> {
    let t = DateTime::parse_from_rfc3339(at).ok()?;
    Some(
        (t.with_timezone(&Utc) + chrono::Duration::hours(8))
            .date_naive()
            .to_string(),
    )
}

pub(crate) fn parse_instant(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| StoreError::Internal(format!("bad instant {s}: {e}")))
}

pub(crate) fn parse_date(s: Option<String>) -> Result<Option<NaiveDate>> {
    s.map(|s| {
        domain::validate::parse_date(&s)
            .ok_or_else(|| StoreError::Internal(format!("bad date {s}")))
    })
    .transpose()
}

pub(crate) fn parse_code<T>(s: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    parse(s).ok_or_else(|| StoreError::Internal(format!("bad code {s}")))
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
    .execute(params![now_text(), actor.user_id, actor.username, action, entity, entity_id, before, after, actor.request_id])?;
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

#[cfg(test)]
mod tests {
    /// Every migration file of either backend is in the one list, and both backends have
    /// the same migrations.
    #[test]
    fn both_backends_have_every_migration() {
        for (dir, list) in [
            ("sqlite", crate::sqlite::MIGRATIONS),
            ("postgres", crate::postgres::MIGRATIONS),
        ] {
            let path = format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR"));
            let mut files: Vec<String> = std::fs::read_dir(&path)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            files.sort();
            // applied in the order of their names
            let names: Vec<String> = list.iter().map(|(n, _)| format!("{n}.sql")).collect();
            assert_eq!(files, names, "{path}");
        }
    }
}
