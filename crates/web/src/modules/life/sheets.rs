//! The compliance ledger as a spreadsheet (one row per org, obligation and period, then a
//! second sheet: the org × month matrix) and the activity register.

use domain::life::Status;
use sheet::{Cell, Column};
use store::Scope;

use crate::modules::life::reminders::period_label;
use crate::platform::error::AppError;
use crate::platform::i18n::Lang;
use crate::AppState;

pub async fn compliance_xlsx(
    st: &AppState,
    scope: &Scope,
    org: Option<i64>,
    year: i32,
    lang: Lang,
    title: Option<sheet::Title>,
) -> Result<Vec<u8>, AppError> {
    let report = st
        .store
        .compliance(scope, org, year, st.clock.today())
        .await?;
    let orgs: std::collections::HashMap<i64, (String, domain::OrgKind)> = st
        .store
        .all_orgs(scope)
        .await?
        .into_iter()
        .map(|o| (o.id, (o.name, o.kind)))
        .collect();
    tokio::task::spawn_blocking(move || {
        let col = |key: &str, width: f64| Column::new(lang.t(key)).with_width(width);
        let columns = vec![
            col("life.col.org", 30.0),
            col("life.col.org_kind", 14.0),
            col("life.col.kind", 16.0),
            col("life.col.period", 14.0),
            col("life.col.required", 10.0),
            col("life.col.done", 10.0),
            col("life.col.status", 10.0),
            col("life.col.ends_on", 12.0),
        ];
        let rows = report.items.iter().map(|i| {
            let (name, kind) = orgs
                .get(&i.party_org_id)
                .map(|(n, k)| (n.clone(), lang.code_label("org_kind", k.as_str())))
                .unwrap_or_default();
            vec![
                Cell::Text(name),
                Cell::Text(kind.to_string()),
                Cell::Text(
                    lang.code_label("activity_kind", i.kind.as_str())
                        .to_string(),
                ),
                Cell::Text(period_label(lang, &i.period)),
                Cell::Int(i.required),
                Cell::Int(i.done),
                Cell::Text(lang.code_label("status", status_code(i.status)).to_string()),
                Cell::Date(i.ends_on),
            ]
        });
        let (matrix, matrix_rows) = matrix(&report.items, &orgs, year, lang, title.clone());
        let ledger =
            crate::modules::work::sheets::ledger(lang.t("life.sheet_name"), columns, title);
        sheet::write_ledgers(vec![
            (ledger, Box::new(rows)),
            (matrix, Box::new(matrix_rows.into_iter())),
        ])
        .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// Per month (met, expected), and the year's (met, missed).
type OrgMonths = ([(i64, i64); 12], (i64, i64));

/// The org × month matrix: per org (by name) and month, the obligation periods ending in
/// that month that are met, over those that are over or current (`met/expected`, empty
/// when none ends there), then the year's rate met / (met + missed).
fn matrix(
    items: &[domain::life::ComplianceItem],
    orgs: &std::collections::HashMap<i64, (String, domain::OrgKind)>,
    year: i32,
    lang: Lang,
    title: Option<sheet::Title>,
) -> (sheet::Ledger, Vec<Vec<Cell>>) {
    use chrono::Datelike;
    // org → month (1..=12) → (met, expected), and (met, missed) for the rate
    let mut m: std::collections::BTreeMap<(String, i64), OrgMonths> = Default::default();
    for i in items {
        let name = orgs
            .get(&i.party_org_id)
            .map(|(n, _)| n.clone())
            .unwrap_or_default();
        let e = m.entry((name, i.party_org_id)).or_default();
        if i.status == Status::Upcoming || i.ends_on.year() != year {
            continue;
        }
        let cell = &mut e.0[i.ends_on.month0() as usize];
        cell.1 += 1;
        cell.0 += i64::from(i.status == Status::Met);
        match i.status {
            Status::Met => e.1 .0 += 1,
            Status::Missed => e.1 .1 += 1,
            _ => {}
        }
    }
    let mut columns = vec![Column::new(lang.t("life.col.org")).with_width(30.0)];
    for month in 1..=12 {
        columns
            .push(Column::new(lang.tf("life.matrix.month", &[&month.to_string()])).with_width(8.0));
    }
    columns.push(Column::new(lang.t("life.matrix.rate")).with_width(10.0));
    let rows = m
        .into_iter()
        .map(|((name, _), (months, (met, missed)))| {
            let mut row = vec![Cell::Text(name)];
            row.extend(months.iter().map(|&(met, expected)| {
                if expected == 0 {
                    Cell::Empty
                } else {
                    Cell::Text(format!("{met}/{expected}"))
                }
            }));
            row.push(if met + missed == 0 {
                Cell::Empty
            } else {
                Cell::Text(format!(
                    "{:.1}%",
                    met as f64 * 100.0 / (met + missed) as f64
                ))
            });
            row
        })
        .collect();
    let title = title.map(|t| sheet::Title {
        text: lang.tf("life.matrix.title", &[&year.to_string()]),
        note: t.note,
    });
    let ledger = crate::modules::work::sheets::ledger(lang.t("life.matrix.sheet"), columns, title);
    (ledger, rows)
}

fn status_code(s: Status) -> &'static str {
    s.as_str()
}

/// The activity records (the organizational-life register) as a spreadsheet.
pub async fn activities_xlsx(
    st: &AppState,
    scope: &Scope,
    f: &store::life::ActivityFilter,
    lang: Lang,
    title: Option<sheet::Title>,
) -> Result<Vec<u8>, AppError> {
    let rows = st.store.export_activities(scope, f).await?;
    tokio::task::spawn_blocking(move || {
        let col = |key: &str, width: f64| Column::new(lang.t(key)).with_width(width);
        let columns = vec![
            col("act.fld.held_on", 12.0),
            col("act.fld.party_org_id", 30.0),
            col("act.fld.kind", 16.0),
            col("act.fld.topic", 40.0),
            col("act.fld.first_agenda", 24.0),
            col("act.fld.attendees_expected", 10.0),
            col("act.fld.attendees_present", 10.0),
            col("act.attachments", 8.0),
            col("act.fld.notes", 30.0),
        ];
        let opt = |v: Option<i64>| v.map(Cell::Int).unwrap_or(Cell::Text(String::new()));
        let cells = rows.into_iter().map(|(a, org)| {
            let first = match &a.first_agenda {
                Some(domain::life::FirstAgenda::Text(t)) => t.clone(),
                Some(domain::life::FirstAgenda::Held(true)) => lang.t("common.yes").to_string(),
                Some(domain::life::FirstAgenda::Held(false)) => lang.t("common.no").to_string(),
                None => String::new(),
            };
            vec![
                Cell::Date(a.held_on),
                Cell::Text(org),
                Cell::Text(
                    lang.code_label("activity_kind", a.kind.as_str())
                        .to_string(),
                ),
                Cell::Text(a.topic),
                Cell::Text(first),
                opt(a.attendees_expected),
                opt(a.attendees_present),
                Cell::Int(a.attachments),
                Cell::Text(a.notes.unwrap_or_default()),
            ]
        });
        crate::modules::work::sheets::ledger(lang.t("act.sheet_name"), columns, title)
            .write(cells)
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}
