//! One connection type over both backends, shaped like the part of rusqlite the store's
//! queries use (`prepare_cached`, `query_map`, `query_row`, `execute`, `params!`, `optional`),
//! so that every query is written once, as SQL text, and runs on SQLite and PostgreSQL.
//!
//! What the two backends do differently at this level is handled here and nowhere else:
//! - placeholders: queries are written with SQLite's `?` / `?N`; for PostgreSQL they are
//!   rewritten to `$N` once per statement (statements are cached per connection);
//! - values: a parameter is encoded as the type PostgreSQL inferred for it (an integer bound
//!   where PostgreSQL expects `int4` or `bool` is encoded so), and a column is decoded by its
//!   type (`int2/4/8`, `bool`, `numeric`, `float4/8`, `text`, `bytea`) into the same
//!   [`ValueRef`] SQLite gives;
//! - errors: a unique violation is [`StoreError::Conflict`] on both.
//!
//! The schemas keep the same column types on both backends (integers for flags, ISO text for
//! dates and instants, `COLLATE "C"` text on PostgreSQL), so one SQL text means the same on
//! both; `migrations/sqlite` and `migrations/postgres` hold the two spellings of the schema.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Deref;

use crate::{Result, StoreError};

/// An owned value (dynamic parameter lists, copied rows).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A borrowed value: a parameter to bind or a column read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl Value {
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s),
            Value::Blob(b) => ValueRef::Blob(b),
        }
    }
}

impl From<ValueRef<'_>> for Value {
    fn from(v: ValueRef<'_>) -> Self {
        match v {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(f) => Value::Real(f),
            ValueRef::Text(s) => Value::Text(s.to_string()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        }
    }
}

/// A value that can be bound as a parameter.
pub trait ToSql {
    fn to_sql(&self) -> ValueRef<'_>;
}

macro_rules! to_sql_int {
    ($($t:ty),*) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> ValueRef<'_> {
                ValueRef::Integer(*self as i64)
            }
        }
    )*};
}
to_sql_int!(i64, i32, i16, u32, u16, u8, usize);

impl ToSql for bool {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Integer(*self as i64)
    }
}
impl ToSql for f64 {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Real(*self)
    }
}
impl ToSql for str {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}
impl ToSql for String {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}
impl ToSql for [u8] {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}
impl ToSql for Vec<u8> {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}
impl ToSql for Value {
    fn to_sql(&self) -> ValueRef<'_> {
        self.as_ref()
    }
}
impl ToSql for ValueRef<'_> {
    fn to_sql(&self) -> ValueRef<'_> {
        *self
    }
}
impl<T: ToSql> ToSql for Option<T> {
    fn to_sql(&self) -> ValueRef<'_> {
        match self {
            Some(v) => v.to_sql(),
            None => ValueRef::Null,
        }
    }
}
impl<T: ToSql + ?Sized> ToSql for &T {
    fn to_sql(&self) -> ValueRef<'_> {
        (**self).to_sql()
    }
}

/// A column value that can be read.
pub trait FromSql: Sized {
    fn column_result(v: ValueRef<'_>) -> Result<Self>;
}

fn bad_column(v: ValueRef<'_>, want: &str) -> StoreError {
    StoreError::Internal(format!("column holds {v:?}, expected {want}"))
}

macro_rules! from_sql_int {
    ($($t:ty),*) => {$(
        impl FromSql for $t {
            fn column_result(v: ValueRef<'_>) -> Result<Self> {
                match v {
                    ValueRef::Integer(i) => <$t>::try_from(i).map_err(|_| bad_column(v, stringify!($t))),
                    _ => Err(bad_column(v, stringify!($t))),
                }
            }
        }
    )*};
}
from_sql_int!(i64, i32, u32, usize);

impl FromSql for bool {
    fn column_result(v: ValueRef<'_>) -> Result<Self> {
        match v {
            ValueRef::Integer(i) => Ok(i != 0),
            _ => Err(bad_column(v, "bool")),
        }
    }
}
impl FromSql for f64 {
    fn column_result(v: ValueRef<'_>) -> Result<Self> {
        match v {
            ValueRef::Real(f) => Ok(f),
            ValueRef::Integer(i) => Ok(i as f64),
            _ => Err(bad_column(v, "f64")),
        }
    }
}
impl FromSql for String {
    fn column_result(v: ValueRef<'_>) -> Result<Self> {
        match v {
            ValueRef::Text(s) => Ok(s.to_string()),
            _ => Err(bad_column(v, "text")),
        }
    }
}
impl FromSql for Vec<u8> {
    fn column_result(v: ValueRef<'_>) -> Result<Self> {
        match v {
            ValueRef::Blob(b) => Ok(b.to_vec()),
            ValueRef::Text(s) => Ok(s.as_bytes().to_vec()),
            _ => Err(bad_column(v, "blob")),
        }
    }
}
impl FromSql for Value {
    fn column_result(v: ValueRef<'_>) -> Result<Self> {
        Ok(v.into())
    }
}
impl<T: FromSql> FromSql for Option<T> {
    fn column_result(v: ValueRef<'_>) -> Result<Self> {
        match v {
            ValueRef::Null => Ok(None),
            v => T::column_result(v).map(Some),
        }
    }
}

/// The parameters of one statement.
pub trait Params {
    fn with_values<R>(self, f: impl FnOnce(&[ValueRef<'_>]) -> R) -> R;
}

impl Params for () {
    fn with_values<R>(self, f: impl FnOnce(&[ValueRef<'_>]) -> R) -> R {
        f(&[])
    }
}
impl Params for &[&dyn ToSql] {
    fn with_values<R>(self, f: impl FnOnce(&[ValueRef<'_>]) -> R) -> R {
        let v: Vec<ValueRef<'_>> = self.iter().map(|p| p.to_sql()).collect();
        f(&v)
    }
}
impl<T: ToSql, const N: usize> Params for [T; N] {
    fn with_values<R>(self, f: impl FnOnce(&[ValueRef<'_>]) -> R) -> R {
        let v: Vec<ValueRef<'_>> = self.iter().map(|p| p.to_sql()).collect();
        f(&v)
    }
}
impl<T: ToSql, const N: usize> Params for &[T; N] {
    fn with_values<R>(self, f: impl FnOnce(&[ValueRef<'_>]) -> R) -> R {
        let v: Vec<ValueRef<'_>> = self.iter().map(|p| p.to_sql()).collect();
        f(&v)
    }
}

/// Parameters from an iterator (rusqlite's `params_from_iter`).
pub struct ParamsFromIter<I>(I);

pub fn params_from_iter<I>(iter: I) -> ParamsFromIter<I>
where
    I: IntoIterator,
    I::Item: ToSql,
{
    ParamsFromIter(iter)
}

impl<I> Params for ParamsFromIter<I>
where
    I: IntoIterator,
    I::Item: ToSql,
{
    fn with_values<R>(self, f: impl FnOnce(&[ValueRef<'_>]) -> R) -> R {
        let items: Vec<I::Item> = self.0.into_iter().collect();
        let v: Vec<ValueRef<'_>> = items.iter().map(|p| p.to_sql()).collect();
        f(&v)
    }
}

/// `params![a, b, c]`: a slice of parameters of mixed types.
#[macro_export]
macro_rules! params {
    () => { () };
    ($($p:expr),+ $(,)?) => {
        &[$(&$p as &dyn $crate::sql::db::ToSql),+] as &[&dyn $crate::sql::db::ToSql]
    };
}
pub use crate::params;

/// `Ok(None)` for a query that found no row (rusqlite's `OptionalExtension`).
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Which database a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A connection of either backend. Cheap to copy (a reference).
#[derive(Clone, Copy)]
pub enum Connection<'a> {
    Sqlite(&'a rusqlite::Connection),
    Postgres(&'a super::pg::PgConn),
}

/// A connection inside a write transaction (begun and committed by the store).
pub struct Transaction<'a>(Connection<'a>);

impl<'a> Transaction<'a> {
    pub(crate) fn new(c: Connection<'a>) -> Self {
        Transaction(c)
    }
}

impl<'a> Deref for Transaction<'a> {
    type Target = Connection<'a>;
    fn deref(&self) -> &Connection<'a> {
        &self.0
    }
}

impl<'a> Connection<'a> {
    pub fn dialect(&self) -> Dialect {
        match self {
            Connection::Sqlite(_) => Dialect::Sqlite,
            Connection::Postgres(_) => Dialect::Postgres,
        }
    }

    /// A statement kept in the connection's cache (prepared once per connection).
    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'a>> {
        Ok(Statement(match *self {
            Connection::Sqlite(c) => Stmt::SqliteCached(c.prepare_cached(sql)?),
            Connection::Postgres(c) => Stmt::Postgres(c, c.prepare(sql, true)?),
        }))
    }

    /// A statement for one use (SQL built with varying text, such as `IN (?, ?, …)`).
    pub fn prepare(&self, sql: &str) -> Result<Statement<'a>> {
        Ok(Statement(match *self {
            Connection::Sqlite(c) => Stmt::Sqlite(c.prepare(sql)?),
            Connection::Postgres(c) => Stmt::Postgres(c, c.prepare(sql, false)?),
        }))
    }

    pub fn query_row<T, P: Params, F: FnOnce(&Row<'_>) -> Result<T>>(
        &self,
        sql: &str,
        p: P,
        f: F,
    ) -> Result<T> {
        self.prepare_cached(sql)?.query_row(p, f)
    }

    pub fn execute<P: Params>(&self, sql: &str, p: P) -> Result<usize> {
        self.prepare_cached(sql)?.execute(p)
    }

    /// Runs several statements without parameters.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match *self {
            Connection::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Connection::Postgres(c) => c.batch(sql),
        }
    }

    /// The id the last `INSERT` on this connection gave its row.
    pub fn last_insert_rowid(&self) -> Result<i64> {
        match *self {
            Connection::Sqlite(c) => Ok(c.last_insert_rowid()),
            Connection::Postgres(_) => self.query_row("SELECT lastval()", (), |r| r.get(0)),
        }
    }
}

enum Stmt<'a> {
    SqliteCached(rusqlite::CachedStatement<'a>),
    Sqlite(rusqlite::Statement<'a>),
    Postgres(&'a super::pg::PgConn, postgres::Statement),
}

/// A prepared statement of either backend.
pub struct Statement<'a>(Stmt<'a>);

fn lite_values<'v>(
    v: &'v [ValueRef<'v>],
) -> impl Iterator<Item = rusqlite::types::ToSqlOutput<'v>> {
    v.iter().map(|v| {
        rusqlite::types::ToSqlOutput::Borrowed(match *v {
            ValueRef::Null => rusqlite::types::ValueRef::Null,
            ValueRef::Integer(i) => rusqlite::types::ValueRef::Integer(i),
            ValueRef::Real(f) => rusqlite::types::ValueRef::Real(f),
            ValueRef::Text(s) => rusqlite::types::ValueRef::Text(s.as_bytes()),
            ValueRef::Blob(b) => rusqlite::types::ValueRef::Blob(b),
        })
    })
}

impl<'a> Statement<'a> {
    /// Every row mapped by `f` (read to the end, or to the first error).
    pub fn query_map<T, P: Params, F: FnMut(&Row<'_>) -> Result<T>>(
        &mut self,
        p: P,
        mut f: F,
    ) -> Result<std::vec::IntoIter<Result<T>>> {
        let mut out = Vec::new();
        let mut rows = self.query(p)?;
        while let Some(r) = rows.next()? {
            let v = f(&r);
            let stop = v.is_err();
            out.push(v);
            if stop {
                break;
            }
        }
        Ok(out.into_iter())
    }

    /// The first row mapped by `f`; [`StoreError::NotFound`] when there is none.
    pub fn query_row<T, P: Params, F: FnOnce(&Row<'_>) -> Result<T>>(
        &mut self,
        p: P,
        f: F,
    ) -> Result<T> {
        let mut rows = self.query(p)?;
        match rows.next()? {
            Some(r) => f(&r),
            None => Err(StoreError::NotFound),
        }
    }

    pub fn exists<P: Params>(&mut self, p: P) -> Result<bool> {
        Ok(self.query(p)?.next()?.is_some())
    }

    /// Runs the statement; the number of rows it changed.
    pub fn execute<P: Params>(&mut self, p: P) -> Result<usize> {
        match &mut self.0 {
            Stmt::SqliteCached(s) => {
                p.with_values(|v| Ok(s.execute(rusqlite::params_from_iter(lite_values(v)))?))
            }
            Stmt::Sqlite(s) => {
                p.with_values(|v| Ok(s.execute(rusqlite::params_from_iter(lite_values(v)))?))
            }
            Stmt::Postgres(c, s) => p.with_values(|v| c.execute(s, v)),
        }
    }

    pub fn query<P: Params>(&mut self, p: P) -> Result<Rows<'_>> {
        match &mut self.0 {
            Stmt::SqliteCached(s) => p.with_values(|v| {
                Ok(Rows(RowsInner::Sqlite(
                    s.query(rusqlite::params_from_iter(lite_values(v)))?,
                )))
            }),
            Stmt::Sqlite(s) => p.with_values(|v| {
                Ok(Rows(RowsInner::Sqlite(
                    s.query(rusqlite::params_from_iter(lite_values(v)))?,
                )))
            }),
            Stmt::Postgres(c, s) => {
                let rows = p.with_values(|v| c.query(s, v))?;
                Ok(Rows(RowsInner::Postgres(rows, 0)))
            }
        }
    }
}

enum RowsInner<'s> {
    Sqlite(rusqlite::Rows<'s>),
    Postgres(Vec<postgres::Row>, usize),
}

/// The rows of a query, read one at a time.
pub struct Rows<'s>(RowsInner<'s>);

impl Rows<'_> {
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        match &mut self.0 {
            RowsInner::Sqlite(r) => Ok(r.next()?.map(Row::Sqlite)),
            RowsInner::Postgres(rows, i) => {
                let r = rows.get(*i);
                *i += 1;
                Ok(r.map(Row::Postgres))
            }
        }
    }
}

/// A column position (rusqlite's `RowIndex`; columns are read by position only).
pub trait RowIndex {
    fn index(self) -> usize;
}

impl RowIndex for usize {
    fn index(self) -> usize {
        self
    }
}

/// One row of either backend.
pub enum Row<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r postgres::Row),
}

impl Row<'_> {
    /// Column `idx` (from 0) as `T`.
    pub fn get<I: RowIndex, T: FromSql>(&self, idx: I) -> Result<T> {
        let idx = idx.index();
        match self {
            Row::Sqlite(r) => T::column_result(match r.get_ref(idx)? {
                rusqlite::types::ValueRef::Null => ValueRef::Null,
                rusqlite::types::ValueRef::Integer(i) => ValueRef::Integer(i),
                rusqlite::types::ValueRef::Real(f) => ValueRef::Real(f),
                rusqlite::types::ValueRef::Text(t) => ValueRef::Text(
                    std::str::from_utf8(t).map_err(|e| StoreError::Internal(e.to_string()))?,
                ),
                rusqlite::types::ValueRef::Blob(b) => ValueRef::Blob(b),
            }),
            Row::Postgres(r) => super::pg::column(r, idx, T::column_result),
        }
    }

    pub fn column_count(&self) -> usize {
        match self {
            Row::Sqlite(r) => r.as_ref().column_count(),
            Row::Postgres(r) => r.len(),
        }
    }
}

/// Rewrites SQLite placeholders (`?`, `?N`) as PostgreSQL's (`$N`), leaving string literals,
/// quoted identifiers and comments alone. A bare `?` takes the number after the largest so
/// far, as in SQLite.
pub(crate) fn postgres_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut max = 0usize;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == '\n' {
                        break;
                    }
                }
            }
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                let n = match digits.parse::<usize>() {
                    Ok(n) => n,
                    Err(_) => max + 1,
                };
                max = max.max(n);
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(c),
        }
    }
    out
}

/// A small per-connection cache of prepared PostgreSQL statements, keyed by SQL text.
#[derive(Default)]
pub(crate) struct StatementCache(RefCell<HashMap<String, postgres::Statement>>);

impl StatementCache {
    const MAX: usize = 256;

    pub(crate) fn get(&self, sql: &str) -> Option<postgres::Statement> {
        self.0.borrow().get(sql).cloned()
    }
    pub(crate) fn put(&self, sql: &str, s: postgres::Statement) {
        let mut m = self.0.borrow_mut();
        if m.len() >= Self::MAX {
            m.clear();
        }
        m.insert(sql.to_string(), s);
    }
    pub(crate) fn clear(&self) {
        self.0.borrow_mut().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::postgres_placeholders as p;

    #[test]
    fn placeholders_follow_sqlite_numbering() {
        assert_eq!(p("a = ? AND b = ?"), "a = $1 AND b = $2");
        assert_eq!(
            p("a = ?1 OR ?1 IS NULL AND b = ?2"),
            "a = $1 OR $1 IS NULL AND b = $2"
        );
        assert_eq!(p("a = ?3, b = ?"), "a = $3, b = $4");
        assert_eq!(p("x LIKE '%?%' AND y = ?"), "x LIKE '%?%' AND y = $1");
        assert_eq!(
            p("\"a?\" = ? -- why?\n AND z = ?"),
            "\"a?\" = $1 -- why?\n AND z = $2"
        );
    }
}
