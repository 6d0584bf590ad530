//! Bulk writes for the demo and `seed`: multi-row inserts with ids taken after the largest
//! stored one (PostgreSQL's identity then goes on from the last).

use super::db::{params_from_iter, Dialect, Transaction, Value};
use crate::Result;

/// Rows per multi-row `INSERT` (as `copy-db`; PostgreSQL takes at most 65535 parameters).
const ROWS_PER_INSERT: usize = 200;

/// The largest id of `table` (0 when empty): bulk rows take the ids after it.
pub(super) fn max_id(tx: &Transaction, table: &str) -> Result<i64> {
    tx.query_row(
        &format!("SELECT coalesce(max(id), 0) FROM {table}"),
        (),
        |r| r.get(0),
    )
}

/// After rows written with explicit ids, PostgreSQL's identity of `table` goes on from
/// the largest.
pub(super) fn identity_after_max(tx: &Transaction, table: &str) -> Result<()> {
    if tx.dialect() == Dialect::Postgres {
        tx.query_row(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 coalesce(max(id), 1), max(id) IS NOT NULL) FROM {table}"
            ),
            (),
            |_| Ok(()),
        )?;
    }
    Ok(())
}

fn insert_sql(table: &str, cols: &str, n_cols: usize, rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let ps: Vec<String> = (1..=n_cols)
                .map(|i| format!("?{}", r * n_cols + i))
                .collect();
            format!("({})", ps.join(", "))
        })
        .collect();
    format!("INSERT INTO {table} ({cols}) VALUES {}", values.join(", "))
}

/// Writes `rows` (each `n_cols` values) in multi-row inserts.
pub(super) fn insert_rows(
    tx: &Transaction,
    table: &str,
    cols: &str,
    n_cols: usize,
    rows: &[Value],
) -> Result<()> {
    let per = ROWS_PER_INSERT.min(60_000 / n_cols).max(1);
    let full = insert_sql(table, cols, n_cols, per);
    for chunk in rows.chunks(per * n_cols) {
        let n = chunk.len() / n_cols;
        let sql = if n == per {
            full.clone()
        } else {
            insert_sql(table, cols, n_cols, n)
        };
        tx.prepare_cached(&sql)?
            .execute(params_from_iter(chunk.iter()))?;
    }
    Ok(())
}

pub(super) fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

pub(super) fn opt_text(s: Option<String>) -> Value {
    s.map_or(Value::Null, Value::Text)
}

pub(super) fn opt_int(i: Option<i64>) -> Value {
    i.map_or(Value::Null, Value::Integer)
}
