//! The orgs most behind this year, on the big screen. The ranking is a plain sum that
//! anyone can redo from the ledgers, and the screen shows each of its terms:
//!
//! - **missed periods** — obligation periods of this year the org missed (组织生活未落实:
//!   the compliance heat map's misses, `HeatMap::missed`);
//! - **late tasks** — its assignments due this year answered late or not yet answered after
//!   the due day (the task ledger's `late`: its own delay, never the reviewer's);
//! - **late rectifications** — the same of its rectifications;
//! - **missing reports** — expected report submissions of this year's periods whose due day
//!   has passed and that it never submitted (nothing, or only a draft).
//!
//! Orgs are ranked by the sum, most first, ties by id (the older record first); an org with
//! nothing behind is not listed. Each term is the org's own records, not its subtree's.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use domain::ledger::{ASSIGNMENTS, RECTIFICATIONS};
use domain::life::HeatMap;

use crate::platform::error::AppError;
use crate::AppState;

/// One org of the list, with the terms of its sum.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Behind {
    pub org_id: i64,
    pub name: String,
    pub missed: i64,
    pub late_tasks: i64,
    pub late_rectifications: i64,
    pub missing_reports: i64,
}

impl Behind {
    pub fn total(&self) -> i64 {
        self.missed + self.late_tasks + self.late_rectifications + self.missing_reports
    }
}

/// The `limit` orgs with the largest sum of the four terms (names left empty).
pub fn rank(
    missed: impl IntoIterator<Item = (i64, i64)>,
    late_tasks: &HashMap<i64, i64>,
    late_rectifications: &HashMap<i64, i64>,
    missing_reports: &HashMap<i64, i64>,
    limit: usize,
) -> Vec<Behind> {
    let mut by_org: HashMap<i64, Behind> = HashMap::new();
    let mut add = |org: i64, n: i64, slot: fn(&mut Behind) -> &mut i64| {
        if n > 0 {
            let b = by_org.entry(org).or_insert_with(|| Behind {
                org_id: org,
                ..Default::default()
            });
            *slot(b) += n;
        }
    };
    for (org, n) in missed {
        add(org, n, |b| &mut b.missed);
    }
    for (org, n) in late_tasks {
        add(*org, *n, |b| &mut b.late_tasks);
    }
    for (org, n) in late_rectifications {
        add(*org, *n, |b| &mut b.late_rectifications);
    }
    for (org, n) in missing_reports {
        add(*org, *n, |b| &mut b.missing_reports);
    }
    let mut out: Vec<Behind> = by_org.into_values().collect();
    out.sort_by(|a, b| b.total().cmp(&a.total()).then(a.org_id.cmp(&b.org_id)));
    out.truncate(limit);
    out
}

/// The ledgers' terms of the sum for the orgs in scope, this year: late tasks, late
/// rectifications, missing reports (the missed periods come from the heat map).
pub struct Counts {
    pub late_tasks: HashMap<i64, i64>,
    pub late_rectifications: HashMap<i64, i64>,
    pub missing_reports: HashMap<i64, i64>,
}

/// [`Counts`] of `today`'s year.
pub async fn counts(
    st: &AppState,
    scope: &store::Scope,
    today: NaiveDate,
) -> Result<Counts, AppError> {
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    Ok(Counts {
        late_tasks: st
            .store
            .ledger_late_by_org(&ASSIGNMENTS, scope, today, year_start)
            .await?,
        late_rectifications: st
            .store
            .ledger_late_by_org(&RECTIFICATIONS, scope, today, year_start)
            .await?,
        missing_reports: st
            .store
            .missing_submissions_by_org(scope, today.year(), today)
            .await?,
    })
}

/// The `limit` orgs in scope most behind, with their names; `heat` is this year's compliance
/// heat map of the scope and `c` the ledgers' terms.
pub async fn most_behind(
    st: &AppState,
    scope: &store::Scope,
    heat: &HeatMap,
    c: &Counts,
    limit: usize,
) -> Result<Vec<Behind>, AppError> {
    let mut out = rank(
        heat.missed(),
        &c.late_tasks,
        &c.late_rectifications,
        &c.missing_reports,
        limit,
    );
    let ids: Vec<i64> = out.iter().map(|b| b.org_id).collect();
    let names = st.store.org_names(scope, &ids).await?;
    for b in &mut out {
        b.name = names.get(&b.org_id).cloned().unwrap_or_default();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sum_ranks_and_each_term_is_kept() {
        let tasks = HashMap::from([(2, 3), (3, 1), (9, 0)]);
        let rects = HashMap::from([(3, 2)]);
        let missing = HashMap::from([(4, 5), (1, 1)]);
        let out = rank(
            [(1, 4), (2, 0), (3, 1), (5, 0)],
            &tasks,
            &rects,
            &missing,
            10,
        );
        let got: Vec<(i64, i64)> = out.iter().map(|b| (b.org_id, b.total())).collect();
        // 1: 4 + 1 = 5 and 4: 5 tie (by id); 3: 1 + 1 + 2; 2: 3; 5 and 9 have nothing
        assert_eq!(got, [(1, 5), (4, 5), (3, 4), (2, 3)]);
        assert_eq!(
            out[2],
            Behind {
                org_id: 3,
                name: String::new(),
                missed: 1,
                late_tasks: 1,
                late_rectifications: 2,
                missing_reports: 0,
            }
        );
        assert_eq!(rank([(1, 4)], &tasks, &rects, &missing, 2).len(), 2);
        assert!(rank([], &HashMap::new(), &HashMap::new(), &HashMap::new(), 10).is_empty());
    }
}
