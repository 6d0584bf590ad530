//! M8 sheets: a course's sign-in sheet (its template and its import, read as the societies
//! sheet is), the office-holder register (党务干部名册) and the yearly hours ledger
//! (培训学时台账).

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::training::NAME_MAX;
use serde_json::json;
use sheet::{Cell, Column, Table};
use store::training::{AttendanceRow, Course, HoursItem, OfficeHolder};
use store::{RowError, StoreError};

use crate::modules::registry::sheets::{read_upload, ImportError};
use crate::modules::work::sheets::{columns, ledger, yes_no};
use crate::platform::auth::Caller;
use crate::platform::error::AppError;
use crate::platform::i18n::Lang;
use crate::AppState;

/// The sign-in sheet's header row, as API.md fixes it.
pub const HEADERS: [&str; 3] = ["姓名", "所属党组织", "学时"];

fn header_of(field: &str) -> &'static str {
    match field {
        "name" => HEADERS[0],
        "party_org_id" => HEADERS[1],
        _ => HEADERS[2],
    }
}

/// The sign-in sheet's template: the sheet to fill, then 填写说明 with an example row and
/// what each column takes (the import reads the first sheet only).
pub fn template_xlsx() -> Result<Vec<u8>, AppError> {
    let cols = || -> Vec<Column> {
        HEADERS
            .iter()
            .zip([14.0, 36.0, 10.0])
            .map(|(h, w)| Column::new(*h).with_width(w))
            .collect()
    };
    let fill = sheet::Ledger::new("签到表", cols());
    let help = sheet::Ledger::new("填写说明", cols());
    let example = vec![
        Cell::Text("示例：张明".into()),
        Cell::Text("云川市计算机学会党支部".into()),
        Cell::Float(3.5),
    ];
    let notes = vec![
        Cell::Text("必填；与党务干部名册中的姓名一致".into()),
        Cell::Text("必填；党组织全称".into()),
        Cell::Text("可空（按课程学时）；最多一位小数，不超过课程学时".into()),
    ];
    sheet::write_ledgers(vec![
        (fill, Box::new(std::iter::empty())),
        (help, Box::new(vec![example, notes].into_iter())),
    ])
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// Hours as a sheet gives them (`3`, `3.5`, `3.5学时`), in tenths within the course's;
/// empty → the course's. `Err` is the message.
fn parse_hours(raw: &str, max_tenths: i64, lang: Lang) -> Result<i64, String> {
    let raw = raw.trim_end_matches("学时").trim_end_matches("小时").trim();
    if raw.is_empty() {
        return Ok(max_tenths);
    }
    let Ok(x) = raw.parse::<f64>() else {
        return Err(lang.t("train.import.not_hours").into());
    };
    if x <= 0.0 {
        return Err(lang.t("train.import.hours_positive").into());
    }
    let mut errs = domain::FieldErrors::new();
    let t = domain::training::tenths(&mut errs, "hours", Some(x));
    match t {
        Some(t) if t <= max_tenths => Ok(t),
        Some(_) => Err(lang.tf("train.import.too_many_hours", &[&hours_text(max_tenths)])),
        None => Err(errs
            .0
            .values()
            .next()
            .map(|e| lang.field_error(e))
            .unwrap_or_default()),
    }
}

/// Tenths of an hour as people write them: `3`, `3.5`.
pub fn hours_text(tenths: i64) -> String {
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, (tenths % 10).abs())
    }
}

/// The sheet's rows: those naming a known org (in the caller's scope) go to the store to be
/// matched with the register, with the course's hours where theirs are bad (nothing is
/// written then); what is wrong in a row is an error here, in the user's language.
pub fn parse_rows(
    table: &Table,
    orgs: &HashMap<String, i64>,
    course: &Course,
    lang: Lang,
) -> Result<(Vec<AttendanceRow>, Vec<RowError>), Vec<ImportError>> {
    let header_row = table
        .rows
        .first()
        .map(|r| r.number.saturating_sub(1))
        .unwrap_or(1)
        .max(1);
    let mut idx = [usize::MAX; 3];
    let mut missing = Vec::new();
    for (i, h) in HEADERS.iter().enumerate() {
        match table.column(h) {
            Some(c) => idx[i] = c,
            None if i < 2 => missing.push(ImportError {
                row: header_row,
                column: h.to_string(),
                message: lang.tf("import.missing_column", &[h]),
            }),
            None => {}
        }
    }
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut rows = Vec::with_capacity(table.rows.len());
    let mut errors = Vec::new();
    for r in &table.rows {
        let cell = |i: usize| {
            if idx[i] == usize::MAX {
                ""
            } else {
                r.get(idx[i])
            }
        };
        let mut err = |col: usize, message: String| {
            errors.push(RowError {
                row: r.number,
                column: ["name", "party_org_id", "hours"][col].into(),
                message,
            })
        };
        let name = cell(0);
        let name_ok = if name.is_empty() {
            err(0, lang.t("import.required").into());
            false
        } else if name.chars().count() > NAME_MAX {
            err(0, lang.tf("import.too_long", &[&NAME_MAX.to_string()]));
            false
        } else {
            true
        };
        let org_name = cell(1);
        let org = if org_name.is_empty() {
            err(1, lang.t("import.required").into());
            None
        } else {
            let id = orgs.get(org_name).copied();
            if id.is_none() {
                err(1, lang.tf("import.unknown_org", &[org_name]));
            }
            id
        };
        let hours = match parse_hours(cell(2), course.hours_tenths, lang) {
            Ok(h) => h,
            Err(m) => {
                err(2, m);
                course.hours_tenths
            }
        };
        if let (true, Some(party_org_id)) = (name_ok, org) {
            rows.push(AttendanceRow {
                row: r.number,
                name: name.to_string(),
                party_org_id,
                hours_tenths: hours,
            });
        }
    }
    Ok((rows, errors))
}

/// The store's and the sheet's row errors for the answer: columns by their header, the
/// store's `train.import.*` keys in `lang` with the row's name and org.
fn translate(errors: Vec<RowError>, table: &Table, lang: Lang) -> Vec<ImportError> {
    let at = |row: usize, header: &str| -> String {
        let col = table.column(header);
        table
            .rows
            .iter()
            .find(|r| r.number == row)
            .and_then(|r| col.map(|c| r.get(c).to_string()))
            .unwrap_or_default()
    };
    errors
        .into_iter()
        .map(|e| ImportError {
            row: e.row,
            column: header_of(&e.column).to_string(),
            message: if e.message.starts_with("train.import.") {
                lang.tf(
                    &e.message,
                    &[&at(e.row, HEADERS[0]), &at(e.row, HEADERS[1])],
                )
            } else {
                e.message
            },
        })
        .collect()
}

/// `POST /import/attendance`: `200` with the count, or `422` with the errors by row and
/// column (nothing written); as the societies import answers.
pub async fn import_bytes(
    st: &AppState,
    caller: &Caller,
    lang: Lang,
    course_id: i64,
    bytes: &[u8],
) -> Result<Response, AppError> {
    let course = st.store.get_course(course_id).await?;
    let actor = caller.may(domain::policy::Permission::ManageCourses)?;
    let owned = bytes.to_vec();
    let table = tokio::task::spawn_blocking(move || read_upload(&owned))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let orgs: HashMap<String, i64> = st
        .store
        .all_orgs(&caller.scope)
        .await?
        .into_iter()
        .map(|o| (o.name, o.id))
        .collect();
    let failed = |errors: Vec<ImportError>| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"created": 0, "updated": 0, "errors": errors})),
        )
            .into_response()
    };
    let (rows, errors) = match parse_rows(&table, &orgs, &course, lang) {
        Ok(parsed) => parsed,
        Err(errors) => return Ok(failed(errors)),
    };
    match st
        .store
        .import_attendance(&actor, &caller.scope, course_id, rows, errors)
        .await
    {
        Ok(n) => Ok(Json(json!({"created": n, "updated": 0, "errors": []})).into_response()),
        Err(StoreError::Rows(errors)) => Ok(failed(translate(errors, &table, lang))),
        Err(e) => Err(e.into()),
    }
}

/// Every office-holder the filter keeps, in the register's order.
pub async fn all_holders(
    st: &AppState,
    scope: &store::Scope,
    f: &store::training::OfficeHolderFilter,
) -> Result<Vec<OfficeHolder>, AppError> {
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let req = store::PageReq {
            page,
            per_page: store::PageReq::MAX_PER_PAGE,
        };
        let res = st.store.list_office_holders(scope, f, req).await?;
        let n = res.items.len();
        out.extend(res.items);
        if n == 0 || out.len() as i64 >= res.total {
            break;
        }
        page += 1;
    }
    Ok(out)
}

/// The names of the orgs in scope.
pub async fn org_names(
    st: &AppState,
    scope: &store::Scope,
) -> Result<HashMap<i64, String>, AppError> {
    Ok(st
        .store
        .all_orgs(scope)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

pub const REGISTER_HEADERS: [&str; 7] = [
    "姓名",
    "所属党组织",
    "职务",
    "任职时间",
    "离任时间",
    "是否在任",
    "编号",
];

/// The register (党务干部名册): with `title` (a page download) the title rows and 序号.
pub async fn register_xlsx(
    st: &AppState,
    scope: &store::Scope,
    f: &store::training::OfficeHolderFilter,
    title: Option<sheet::Title>,
) -> Result<Response, AppError> {
    let rows = all_holders(st, scope, f).await?;
    let names = org_names(st, scope).await?;
    let today = st.clock.today();
    crate::modules::registry::api::sheet_response("党务干部名册.xlsx", move || {
        let widths = [12.0, 36.0, 12.0, 12.0, 12.0, 10.0, 8.0];
        let cols: Vec<(&str, f64)> = REGISTER_HEADERS.iter().copied().zip(widths).collect();
        let data = rows.into_iter().map(|h| {
            vec![
                Cell::Text(h.name),
                Cell::Text(names.get(&h.party_org_id).cloned().unwrap_or_default()),
                Cell::Text(Lang::Zh.code_label("position", h.position.as_str()).into()),
                Cell::Date(h.since),
                h.until.map(Cell::Date).unwrap_or(Cell::Empty),
                yes_no(h.since <= today && h.until.is_none_or(|u| u >= today)),
                Cell::Int(h.id),
            ]
        });
        ledger("党务干部名册", columns(&cols), title)
            .write(data)
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
}

pub const HOURS_HEADERS: [&str; 7] = [
    "姓名",
    "所属党组织",
    "职务",
    "应修学时",
    "已修学时",
    "尚差学时",
    "是否达标",
];

/// The hours ledger's name (its sheet, title and file): 培训学时台账（2024年）.
pub fn hours_sheet_name(year: i32) -> String {
    format!("培训学时台账（{year}年）")
}

/// How many hours `i` is short of its requirement (0 when met), in tenths.
pub fn short_tenths(i: &HoursItem) -> i64 {
    (i.required * 10 - (i.done * 10.0).round() as i64).max(0)
}

/// The yearly hours ledger (培训学时台账) of `items`.
pub async fn hours_xlsx(
    st: &AppState,
    scope: &store::Scope,
    name: String,
    items: Vec<HoursItem>,
    title: Option<sheet::Title>,
) -> Result<Response, AppError> {
    let names = org_names(st, scope).await?;
    let file = format!("{name}.xlsx");
    crate::modules::registry::api::sheet_response(&file, move || {
        let widths = [12.0, 36.0, 12.0, 10.0, 10.0, 10.0, 10.0];
        let cols: Vec<(&str, f64)> = HOURS_HEADERS.iter().copied().zip(widths).collect();
        let data = items.into_iter().map(|i| {
            vec![
                Cell::Text(i.name.clone()),
                Cell::Text(names.get(&i.party_org_id).cloned().unwrap_or_default()),
                Cell::Text(Lang::Zh.code_label("position", i.position.as_str()).into()),
                Cell::Int(i.required),
                Cell::Float(i.done),
                Cell::Float(short_tenths(&i) as f64 / 10.0),
                yes_no(i.met),
            ]
        });
        ledger(&name, columns(&cols), title)
            .write(data)
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
}
