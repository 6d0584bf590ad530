//! The PostgreSQL side of [`super::db`]: a connection with its statement cache, parameters
//! encoded as the types PostgreSQL inferred, columns decoded into [`ValueRef`].

use std::cell::RefCell;
use std::error::Error as StdError;

use postgres::types::{to_sql_checked, FromSql as PgFromSql, IsNull, ToSql as PgToSql, Type};

use super::db::{postgres_placeholders, StatementCache, ValueRef};
use crate::{Result, StoreError};

type BoxError = Box<dyn StdError + Sync + Send>;

/// One PostgreSQL connection (blocking client) and its prepared statements.
///
/// The blocking client runs its own small runtime: it is used on blocking threads only
/// (the store's `spawn_blocking`), and [`Drop`] hands it to a thread of its own when dropped
/// on an async one.
pub struct PgConn {
    /// `None` only while being dropped.
    client: RefCell<Option<postgres::Client>>,
    cache: StatementCache,
}

impl Drop for PgConn {
    fn drop(&mut self) {
        if let Some(c) = self.client.get_mut().take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                std::thread::spawn(move || drop(c));
            }
        }
    }
}

impl PgConn {
    pub fn connect(config: &postgres::Config) -> Result<Self> {
        let client = off_runtime(|| config.connect(postgres::NoTls))?;
        Ok(PgConn {
            client: RefCell::new(Some(client)),
            cache: StatementCache::default(),
        })
    }

    fn client(&self) -> std::cell::RefMut<'_, postgres::Client> {
        std::cell::RefMut::map(self.client.borrow_mut(), |c| {
            c.as_mut().expect("a PgConn has its client until dropped")
        })
    }

    /// Whether the connection is gone (the server restarted, the network dropped).
    pub fn is_closed(&self) -> bool {
        self.client.borrow().as_ref().is_none_or(|c| c.is_closed())
    }

    pub(crate) fn prepare(&self, sql: &str, cache: bool) -> Result<postgres::Statement> {
        if let Some(s) = self.cache.get(sql) {
            return Ok(s);
        }
        let s = self
            .client()
            .prepare(&postgres_placeholders(sql))
            .map_err(|e| match StoreError::from(e) {
                StoreError::Internal(m) => StoreError::Internal(format!("{m} in: {sql}")),
                other => other,
            })?;
        if cache {
            self.cache.put(sql, s.clone());
        }
        Ok(s)
    }

    pub(crate) fn execute(&self, s: &postgres::Statement, v: &[ValueRef<'_>]) -> Result<usize> {
        let params: Vec<&(dyn PgToSql + Sync)> =
            v.iter().map(|v| v as &(dyn PgToSql + Sync)).collect();
        Ok(self.client().execute(s, &params)? as usize)
    }

    pub(crate) fn query(
        &self,
        s: &postgres::Statement,
        v: &[ValueRef<'_>],
    ) -> Result<Vec<postgres::Row>> {
        let params: Vec<&(dyn PgToSql + Sync)> =
            v.iter().map(|v| v as &(dyn PgToSql + Sync)).collect();
        Ok(self.client().query(s, &params)?)
    }

    /// A statement without parameters and without touching the statement cache
    /// (`BEGIN`, `COMMIT`).
    pub(crate) fn simple(&self, sql: &str) -> Result<()> {
        Ok(self.client().batch_execute(sql)?)
    }

    pub(crate) fn batch(&self, sql: &str) -> Result<()> {
        // DDL may change what a cached statement refers to.
        self.cache.clear();
        Ok(self.client().batch_execute(sql)?)
    }
}

/// Runs `f` — blocking PostgreSQL work — on a thread of its own when called from an async
/// thread (the blocking client cannot run inside a runtime), directly otherwise.
pub(crate) fn off_runtime<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| match s.spawn(f).join() {
            Ok(r) => r,
            Err(p) => std::panic::resume_unwind(p),
        })
    } else {
        f()
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        if let Some(db) = e.as_db_error() {
            if *db.code() == postgres::error::SqlState::UNIQUE_VIOLATION {
                let what = format!("{} {}", db.constraint().unwrap_or(""), db.message());
                return StoreError::Conflict(if what.contains("username") {
                    "username"
                } else {
                    "name"
                });
            }
            return StoreError::Internal(format!(
                "{}: {}{}",
                db.code().code(),
                db.message(),
                db.detail().map(|d| format!(" ({d})")).unwrap_or_default()
            ));
        }
        StoreError::Internal(e.to_string())
    }
}

fn wrong(v: &ValueRef<'_>, ty: &Type) -> BoxError {
    format!("cannot bind {v:?} as {ty}").into()
}

/// Parameters are encoded as the type PostgreSQL inferred for the placeholder.
impl PgToSql for ValueRef<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, BoxError> {
        let text = matches!(
            *ty,
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN
        );
        match *self {
            ValueRef::Null => Ok(IsNull::Yes),
            ValueRef::Integer(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::FLOAT8 => (i as f64).to_sql(ty, out),
                Type::FLOAT4 => (i as f32).to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                Type::NUMERIC => numeric_from_i64(i, out),
                _ if text => i.to_string().as_str().to_sql(ty, out),
                _ => Err(wrong(self, ty)),
            },
            ValueRef::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (f as f32).to_sql(ty, out),
                _ if text => f.to_string().as_str().to_sql(ty, out),
                _ => Err(wrong(self, ty)),
            },
            ValueRef::Text(s) if text => s.to_sql(ty, out),
            ValueRef::Blob(b) if *ty == Type::BYTEA => b.to_sql(ty, out),
            _ => Err(wrong(self, ty)),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// `numeric` in PostgreSQL's binary form, for an integer.
fn numeric_from_i64(i: i64, out: &mut bytes::BytesMut) -> std::result::Result<IsNull, BoxError> {
    use bytes::BufMut;
    let mut n = i.unsigned_abs();
    let mut digits = Vec::new();
    while n > 0 {
        digits.push((n % 10_000) as i16);
        n /= 10_000;
    }
    digits.reverse();
    out.put_i16(digits.len() as i16);
    out.put_i16(digits.len() as i16 - 1);
    out.put_u16(if i < 0 { 0x4000 } else { 0 });
    out.put_u16(0);
    for d in digits {
        out.put_i16(d);
    }
    Ok(IsNull::No)
}

/// A column as PostgreSQL sent it, decoded by [`column`].
struct Raw<'a>(Option<(Type, &'a [u8])>);

impl<'a> PgFromSql<'a> for Raw<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Self, BoxError> {
        Ok(Raw(Some((ty.clone(), raw))))
    }
    fn from_sql_null(_: &Type) -> std::result::Result<Self, BoxError> {
        Ok(Raw(None))
    }
    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Column `idx` of `row`, decoded into the values SQLite gives and passed to `f`.
pub(crate) fn column<T>(
    row: &postgres::Row,
    idx: usize,
    f: impl FnOnce(ValueRef<'_>) -> Result<T>,
) -> Result<T> {
    let Raw(raw) = row.try_get::<_, Raw>(idx)?;
    let Some((ty, b)) = raw else {
        return f(ValueRef::Null);
    };
    let bad = |e: BoxError| StoreError::Internal(format!("column {idx} ({ty}): {e}"));
    let v = match ty {
        Type::INT8 => ValueRef::Integer(i64::from_sql(&ty, b).map_err(bad)?),
        Type::INT4 => ValueRef::Integer(i32::from_sql(&ty, b).map_err(bad)? as i64),
        Type::INT2 => ValueRef::Integer(i16::from_sql(&ty, b).map_err(bad)? as i64),
        Type::OID => ValueRef::Integer(u32::from_sql(&ty, b).map_err(bad)? as i64),
        Type::BOOL => ValueRef::Integer(bool::from_sql(&ty, b).map_err(bad)? as i64),
        Type::FLOAT8 => ValueRef::Real(f64::from_sql(&ty, b).map_err(bad)?),
        Type::FLOAT4 => ValueRef::Real(f32::from_sql(&ty, b).map_err(bad)? as f64),
        Type::NUMERIC => numeric(b).map_err(bad)?,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
            ValueRef::Text(std::str::from_utf8(b).map_err(|e| bad(e.into()))?)
        }
        Type::BYTEA => ValueRef::Blob(b),
        _ => return Err(bad(format!("unsupported column type {ty}").into())),
    };
    f(v)
}

/// `numeric` from PostgreSQL's binary form: an integer when it has no fraction (the sums
/// SQLite gives as integers), a float otherwise.
fn numeric<'a>(b: &[u8]) -> std::result::Result<ValueRef<'a>, BoxError> {
    let word = |i: usize| -> std::result::Result<i16, BoxError> {
        b.get(i..i + 2)
            .map(|w| i16::from_be_bytes([w[0], w[1]]))
            .ok_or_else(|| "short numeric".into())
    };
    let ndigits = word(0)? as usize;
    let weight = word(2)? as i32;
    let sign = word(4)? as u16;
    let dscale = word(6)?;
    if sign == 0xC000 {
        return Ok(ValueRef::Real(f64::NAN));
    }
    let mut int: i128 = 0;
    let mut float = 0f64;
    let mut whole = true;
    for i in 0..ndigits {
        let d = word(8 + 2 * i)? as i128;
        let power = weight - i as i32;
        float += d as f64 * 10_000f64.powi(power);
        if power >= 0 {
            int = 10_000i128
                .checked_pow(power as u32)
                .and_then(|p| p.checked_mul(d))
                .and_then(|v| v.checked_add(int))
                .ok_or("numeric out of range")?;
        } else if d != 0 {
            whole = false;
        }
    }
    let neg = sign == 0x4000;
    if whole && dscale == 0 {
        let v = i64::try_from(if neg { -int } else { int })?;
        Ok(ValueRef::Integer(v))
    } else {
        Ok(ValueRef::Real(if neg { -float } else { float }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(i: i64) -> Vec<u8> {
        let mut out = bytes::BytesMut::new();
        numeric_from_i64(i, &mut out).unwrap();
        out.to_vec()
    }

    #[test]
    fn numeric_round_trips_integers() {
        for i in [0, 1, 9_999, 10_000, 123_456_789, -42, i64::MAX / 3] {
            assert_eq!(numeric(&encode(i)).unwrap(), ValueRef::Integer(i), "{i}");
        }
    }
}
