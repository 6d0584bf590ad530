//! M5 sheets: a form's period as a ledger (one row per expected submission, one column per
//! field).

use axum::response::Response;
use domain::reports::FieldType;
use serde_json::Value;
use sheet::Cell;
use store::reports::{Submission, SubmissionFilter};

use crate::modules::registry::api::sheet_response;
use crate::modules::work::sheets::{columns, ledger, local_time, yes_no};
use crate::platform::auth::Caller;
use crate::platform::error::AppError;
use crate::platform::i18n::Lang;
use crate::AppState;

/// Every expected submission of a form's period in scope.
pub async fn period_rows(
    st: &AppState,
    caller: &Caller,
    form_id: i64,
    period: &str,
) -> Result<Vec<Submission>, AppError> {
    let f = SubmissionFilter {
        form_id: Some(form_id),
        period: Some(period.to_string()),
        ..Default::default()
    };
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let req = store::PageReq {
            page,
            per_page: store::PageReq::MAX_PER_PAGE,
        };
        let res = st
            .store
            .list_submissions(&caller.scope, &f, st.clock.today(), req)
            .await?;
        let n = res.items.len() as i64;
        out.extend(res.items);
        if n == 0 || out.len() as i64 >= res.total {
            break;
        }
        page += 1;
    }
    Ok(out)
}

/// `GET /export/report-submissions.xlsx`: respondent, state, submitted at, late, then one
/// column per field.
pub async fn submissions_xlsx(
    st: &AppState,
    caller: &Caller,
    form_id: i64,
    period: &str,
    title: Option<sheet::Title>,
) -> Result<Response, AppError> {
    let form = st.store.get_form(form_id).await?;
    let rows = period_rows(st, caller, form_id, period).await?;
    let offset = st.clock.offset();
    let name = format!("{}_{}.xlsx", form.title, period);
    sheet_response(&name, move || {
        let mut cols: Vec<(String, f64)> = vec![
            ("填报单位".into(), 36.0),
            ("状态".into(), 10.0),
            ("提交时间".into(), 18.0),
            ("是否逾期".into(), 10.0),
        ];
        cols.extend(form.fields.iter().map(|f| {
            let w = match f.kind {
                FieldType::Text => 40.0,
                _ => 14.0,
            };
            (f.label.clone(), w)
        }));
        let headers: Vec<(&str, f64)> = cols.iter().map(|(h, w)| (h.as_str(), *w)).collect();
        let fields = form.fields.clone();
        let data = rows.into_iter().map(move |s| {
            let mut row = vec![
                Cell::Text(s.respondent),
                Cell::Text(
                    Lang::Zh
                        .code_label("report_submission_state", s.state.as_str())
                        .into(),
                ),
                local_time(s.submitted_at, offset),
                yes_no(s.late),
            ];
            for f in &fields {
                row.push(match (f.kind, s.values.get(&f.key)) {
                    (_, None) | (_, Some(Value::Null)) => Cell::Empty,
                    (FieldType::Integer, Some(v)) => v.as_i64().map_or(Cell::Empty, Cell::Int),
                    (FieldType::Number, Some(v)) => v.as_f64().map_or(Cell::Empty, Cell::Float),
                    (FieldType::File, Some(_)) => Cell::Text("已上传".into()),
                    (_, Some(Value::String(t))) => Cell::Text(t.clone()),
                    (_, Some(v)) => Cell::Text(v.to_string()),
                });
            }
            row
        });
        ledger("报表汇总", columns(&headers), title)
            .write(data)
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
}
