//! The compliance ledger as a spreadsheet (one row per org, obligation and period).

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
        let col = |key: &str, width: f64| Column {
            header: lang.t(key).to_string(),
            width: Some(width),
        };
        let columns = [
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
                Cell::Text(i.ends_on.to_string()),
            ]
        });
        sheet::write_xlsx(lang.t("life.sheet_name"), &columns, rows)
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
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
) -> Result<Vec<u8>, AppError> {
    let rows = st.store.export_activities(scope, f).await?;
    tokio::task::spawn_blocking(move || {
        let col = |key: &str, width: f64| Column {
            header: lang.t(key).to_string(),
            width: Some(width),
        };
        let columns = [
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
                Cell::Text(a.held_on.to_string()),
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
        sheet::write_xlsx(lang.t("act.sheet_name"), &columns, cells)
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}
