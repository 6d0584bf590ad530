//! Benchmark helper: writes an import sheet (the societies sheet users upload) of N new
//! societies that refer to party orgs already in a database.
//!
//! `cargo run --release -p dangjian --example bench_import_file -- DB ROWS OUT.xlsx`
//!
//! Takes the first ROWS societies of DB (as `dangjian export societies` would write them)
//! and renames each, so importing OUT.xlsx into DB creates ROWS societies.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use store::{Scope, SqlStore, Store};

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [db, rows, out] = args.as_slice() else {
        bail!("usage: bench_import_file DB ROWS OUT.xlsx");
    };
    let n: usize = rows.parse().context("ROWS")?;
    let store = SqlStore::open_sqlite(&PathBuf::from(db), domain::Rules::default())?;
    let mut rows = store.export_societies(&Scope::All).await?;
    if rows.len() < n {
        bail!("{db} has only {} societies", rows.len());
    }
    rows.truncate(n);
    for (s, _) in &mut rows {
        s.name = format!("{}（新登记）", s.name);
    }
    let bytes = web::modules::registry::sheets::export_xlsx(rows, None)
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    std::fs::write(out, &bytes)?;
    println!("wrote {n} rows ({} bytes) to {out}", bytes.len());
    Ok(())
}
