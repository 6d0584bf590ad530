//! The demo's M6 schemes, loaded last since their auto scores read every module's records:
//! last year's 「党支部工作考核」 finalized on 20 January (its grades in every org's history)
//! and this year's open, scored by `weiyuan` for most orgs, with a few grade overrides by
//! `admin`.

use anyhow::Result;
use chrono::Datelike;
use store::{Actor, SqlStore};

use crate::seed_assessment::{finalized_on, load, Actors};

pub async fn load_all(store: &SqlStore) -> Result<()> {
    let today = crate::demo_reports::today();
    let who = Actors {
        designer: Actor::system_named("admin", "demo"),
        scorer: Actor::system_named("weiyuan", "demo"),
        grader: Actor::system_named("admin", "demo"),
    };
    let year = today.year();
    let last = finalized_on(year - 1, today);
    load(store, &who, year - 1, 100, today, Some(last), 2024).await?;
    load(store, &who, year, 94, today, None, 2025).await?;
    Ok(())
}
