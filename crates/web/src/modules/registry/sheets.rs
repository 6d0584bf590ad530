//! The societies sheet (import template, import, export) as users keep it, with Chinese
//! headers. Generic reading and writing is `sheet`'s; this maps rows to societies.

use std::collections::HashMap;

use domain::{Sector, Society, SocietyInput, SocietyKind, NAME_MAX, PERSON_MAX};
use sheet::{Cell, Column, Table};
use store::{ImportRow, RowError};

use crate::platform::error::AppError;
use crate::platform::i18n::Lang;

pub const HEADERS: [&str; 8] = [
    "名称",
    "类型",
    "领域",
    "正式党员数",
    "预备党员数",
    "党建入章",
    "党建指导员",
    "所属党组织",
];

/// The Chinese header of a store field code.
pub fn header_of(field: &str) -> &'static str {
    match field {
        "name" => HEADERS[0],
        "kind" => HEADERS[1],
        "sector" => HEADERS[2],
        "full_members" => HEADERS[3],
        "probationary_members" => HEADERS[4],
        "charter_has_party_building" => HEADERS[5],
        "instructor" => HEADERS[6],
        _ => HEADERS[7],
    }
}

/// The values the enum columns take, offered as drop-downs in the template.
fn choices(i: usize) -> Vec<&'static str> {
    match i {
        1 => vec!["学会", "协会", "研究会", "民办非企业单位", "基金会"],
        2 => Sector::ALL.iter().map(|s| sector_label(*s)).collect(),
        5 => vec!["是", "否"],
        _ => Vec::new(),
    }
}

fn columns() -> Vec<Column> {
    let widths = [36.0, 16.0, 12.0, 12.0, 12.0, 10.0, 14.0, 36.0];
    HEADERS
        .iter()
        .zip(widths)
        .enumerate()
        .map(|(i, (h, w))| Column::new(*h).with_width(w).with_choices(&choices(i)))
        .collect()
}

pub fn kind_label(k: SocietyKind) -> &'static str {
    match k {
        SocietyKind::Society => "学会",
        SocietyKind::NonEnterprise => "民办非企业单位",
        SocietyKind::Foundation => "基金会",
    }
}

fn parse_kind(s: &str) -> Option<SocietyKind> {
    match s {
        "学会" | "协会" | "研究会" | "学会/协会" => Some(SocietyKind::Society),
        "民办非企业单位" | "民非" => Some(SocietyKind::NonEnterprise),
        "基金会" => Some(SocietyKind::Foundation),
        other => SocietyKind::parse(other),
    }
}

pub fn sector_label(s: Sector) -> &'static str {
    Lang::Zh.code_label("sector", s.as_str())
}

fn parse_sector(s: &str) -> Option<Sector> {
    Sector::ALL
        .iter()
        .copied()
        .find(|x| sector_label(*x) == s)
        .or_else(|| Sector::parse(s))
}

fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "是" | "Y" | "y" | "true" | "TRUE" | "1" => Some(true),
        "否" | "N" | "n" | "false" | "FALSE" | "0" | "" => Some(false),
        _ => None,
    }
}

fn parse_count(s: &str) -> Option<i64> {
    if s.is_empty() {
        return Some(0);
    }
    s.parse::<i64>()
        .ok()
        .filter(|n| (0..=1_000_000).contains(n))
}

/// The import template: the sheet to fill (the header row of API.md, drop-downs on 类型,
/// 领域 and 党建入章), then a second sheet 填写说明 with an example row and what each
/// column takes. The importer reads the first sheet only, so the example is never imported.
pub fn template_xlsx() -> Result<Vec<u8>, AppError> {
    let fill = sheet::Ledger::new("社团", columns());
    let help = sheet::Ledger::new("填写说明", columns());
    let example: Vec<Cell> = [
        "示例：云川市计算机学会",
        "学会",
        "智能科技",
        "12",
        "1",
        "是",
        "",
        "云川市计算机学会党支部",
    ]
    .iter()
    .map(|v| match v.parse::<i64>() {
        Ok(n) => Cell::Int(n),
        Err(_) => Cell::Text(v.to_string()),
    })
    .collect();
    let notes: Vec<Cell> = [
        "必填；按名称更新已有社团",
        "学会、协会、研究会、民办非企业单位、基金会",
        "智能科技、生命健康、绿色低碳、前沿交叉、其他",
        "整数，可空（0）",
        "整数，可空（0）",
        "是或否，可空（否）",
        "无党组织时填写",
        "党组织全称，可空",
    ]
    .iter()
    .map(|v| Cell::Text(v.to_string()))
    .collect();
    sheet::write_ledgers(vec![
        (fill, Box::new(std::iter::empty())),
        (help, Box::new(vec![example, notes].into_iter())),
    ])
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// The societies sheet: the import's columns (API export: header in row 1, round-trips
/// through the import); with `title` (a page download) the title rows and 序号 too, which
/// the import skips.
pub fn export_xlsx(
    rows: Vec<(Society, Option<String>)>,
    title: Option<sheet::Title>,
) -> Result<Vec<u8>, AppError> {
    let rows = rows.into_iter().map(|(s, org)| {
        vec![
            Cell::Text(s.name),
            Cell::Text(kind_label(s.kind).into()),
            Cell::Text(sector_label(s.sector).into()),
            Cell::Int(s.full_members),
            Cell::Int(s.probationary_members),
            Cell::Text(
                if s.charter_has_party_building {
                    "是"
                } else {
                    "否"
                }
                .into(),
            ),
            s.instructor.map(Cell::Text).unwrap_or(Cell::Empty),
            org.map(Cell::Text).unwrap_or(Cell::Empty),
        ]
    });
    crate::modules::work::sheets::ledger("社团", columns(), title)
        .write(rows)
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The party-org ledger (党组织名册): every org in scope in tree order, with its parent,
/// kind, secretary, dates, member counts and grade.
pub fn orgs_xlsx(
    orgs: Vec<domain::PartyOrg>,
    title: Option<sheet::Title>,
) -> Result<Vec<u8>, AppError> {
    const HEADERS: [(&str, f64); 12] = [
        ("序号", 6.0),
        ("党组织名称", 36.0),
        ("上级党组织", 30.0),
        ("类型", 16.0),
        ("书记", 10.0),
        ("书记入党时间", 14.0),
        ("书记交叉任职", 12.0),
        ("成立日期", 12.0),
        ("任期届满", 12.0),
        ("正式党员", 10.0),
        ("预备党员", 10.0),
        ("分类等次", 10.0),
    ];
    let columns: Vec<Column> = HEADERS
        .iter()
        .map(|(h, w)| Column::new(*h).with_width(*w))
        .collect();
    let names: std::collections::HashMap<i64, String> =
        orgs.iter().map(|o| (o.id, o.name.clone())).collect();
    let date = |d: Option<chrono::NaiveDate>| d.map(Cell::Date).unwrap_or(Cell::Empty);
    let lang = Lang::Zh;
    let rows = orgs.iter().enumerate().map(|(i, o)| {
        vec![
            Cell::Int(i as i64 + 1),
            Cell::Text(o.name.clone()),
            o.parent_id
                .and_then(|p| names.get(&p).cloned())
                .map(Cell::Text)
                .unwrap_or(Cell::Empty),
            Cell::Text(lang.code_label("org_kind", o.kind.as_str()).into()),
            o.secretary.clone().map(Cell::Text).unwrap_or(Cell::Empty),
            date(o.secretary_joined_on),
            Cell::Text(
                if o.secretary_cross_appointed {
                    "是"
                } else {
                    "否"
                }
                .into(),
            ),
            date(o.established_on),
            date(o.term_ends_on),
            Cell::Int(o.full_members),
            Cell::Int(o.probationary_members),
            o.grade
                .map(|g| Cell::Text(g.as_str().into()))
                .unwrap_or(Cell::Empty),
        ]
    });
    // 序号 is its own first column here, in the API export too.
    sheet::Ledger::new("党组织名册", columns)
        .titled(title)
        .write(rows)
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Reads an uploaded file into a table; unreadable files → 422 naming why.
pub fn read_upload(bytes: &[u8]) -> Result<Table, AppError> {
    use sheet::SheetError as E;
    sheet::read_table(bytes).map_err(|e| match e {
        E::Empty => AppError::Unprocessable("import.empty", String::new()),
        E::UnsupportedFormat => match sheet::detect_format(bytes) {
            sheet::Format::Xls => AppError::Unprocessable("import.xls", String::new()),
            sheet::Format::Encrypted => AppError::Unprocessable("import.encrypted", String::new()),
            _ => AppError::Unprocessable("import.unsupported_format", String::new()),
        },
        E::Corrupt(_) => AppError::Unprocessable("import.corrupt", String::new()),
        E::Encoding => AppError::Unprocessable("import.encoding", String::new()),
        E::TooLarge { limit } => AppError::Unprocessable("import.too_large", limit),
        E::Write(m) => AppError::Internal(m),
    })
}

/// An import error ready for the response.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ImportError {
    pub row: usize,
    pub column: String,
    pub message: String,
}

pub fn translate_row_errors(errors: Vec<RowError>, lang: Lang) -> Vec<ImportError> {
    errors
        .into_iter()
        .map(|e| ImportError {
            row: e.row,
            column: header_of(&e.column).to_string(),
            message: lang.t(&e.message).into(),
        })
        .collect()
}

/// Maps the table to societies. `orgs` maps the names of the orgs in the caller's scope to ids.
pub fn parse_rows(
    table: &Table,
    orgs: &HashMap<String, i64>,
    lang: Lang,
) -> Result<Vec<ImportRow>, Vec<ImportError>> {
    let mut errors = Vec::new();
    let header_row = table
        .rows
        .first()
        .map(|r| r.number.saturating_sub(1))
        .unwrap_or(1)
        .max(1);
    let mut idx = [0usize; 8];
    for (i, h) in HEADERS.iter().enumerate() {
        match table.column(h) {
            Some(c) => idx[i] = c,
            None if i == 0 || i == 1 || i == 2 => errors.push(ImportError {
                row: header_row,
                column: h.to_string(),
                message: lang.tf("import.missing_column", &[h]),
            }),
            None => idx[i] = usize::MAX,
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::with_capacity(table.rows.len());
    for r in &table.rows {
        let cell = |i: usize| {
            if idx[i] == usize::MAX {
                ""
            } else {
                r.get(idx[i])
            }
        };
        let mut err = |col: usize, message: String| {
            errors.push(ImportError {
                row: r.number,
                column: HEADERS[col].to_string(),
                message,
            })
        };
        let name = cell(0).to_string();
        if name.is_empty() {
            err(0, lang.t("import.required").into());
        } else if name.chars().count() > NAME_MAX {
            err(0, lang.tf("import.too_long", &[&NAME_MAX.to_string()]));
        }
        let kind = parse_kind(cell(1));
        if cell(1).is_empty() {
            err(1, lang.t("import.required").into());
        } else if kind.is_none() {
            err(1, lang.tf("import.bad_kind", &[cell(1)]));
        }
        let sector = parse_sector(cell(2));
        if cell(2).is_empty() {
            err(2, lang.t("import.required").into());
        } else if sector.is_none() {
            err(2, lang.tf("import.bad_sector", &[cell(2)]));
        }
        let full = parse_count(cell(3));
        if full.is_none() {
            err(3, lang.t("import.not_integer").into());
        }
        let prob = parse_count(cell(4));
        if prob.is_none() {
            err(4, lang.t("import.not_integer").into());
        }
        let charter = parse_bool(cell(5));
        if charter.is_none() {
            err(5, lang.t("import.bad_bool").into());
        }
        let instructor = Some(cell(6)).filter(|s| !s.is_empty()).map(str::to_string);
        if instructor
            .as_ref()
            .is_some_and(|i| i.chars().count() > PERSON_MAX)
        {
            err(6, lang.tf("import.too_long", &[&PERSON_MAX.to_string()]));
        }
        let org_name = cell(7);
        let party_org_id = if org_name.is_empty() {
            None
        } else {
            let id = orgs.get(org_name).copied();
            if id.is_none() {
                err(7, lang.tf("import.unknown_org", &[org_name]));
            }
            id
        };
        if let (Some(kind), Some(sector), Some(full), Some(prob), Some(charter)) =
            (kind, sector, full, prob, charter)
        {
            out.push(ImportRow {
                row: r.number,
                society: SocietyInput {
                    name,
                    kind,
                    sector,
                    full_members: full,
                    probationary_members: prob,
                    charter_has_party_building: charter,
                    instructor,
                    party_org_id,
                },
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}
