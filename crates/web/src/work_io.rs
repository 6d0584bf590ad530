//! M3/M4 files: the text of an uploaded work plan (`.txt` in the encodings Chinese users
//! produce, or `.docx`), and the task and rectification ledgers as xlsx with the Chinese
//! headers a committee hands to its superiors.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use sheet::{Cell, Column};
use store::work::{Assignment, Rectification};

use crate::error::AppError;
use crate::i18n::Lang;

/// Largest `word/document.xml` read from a `.docx` (a zip bomb stops here).
const DOCX_XML_MAX: u64 = 32 * 1024 * 1024;

/// The text of an upload, detected by content: a zip is read as `.docx`, anything else as
/// text. Unreadable → 422 naming why.
pub fn plan_text(bytes: &[u8]) -> Result<String, AppError> {
    if bytes.starts_with(b"PK\x03\x04") {
        return docx_text(bytes);
    }
    if bytes.starts_with(b"%PDF") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(AppError::Unprocessable(
            "workplan.unsupported",
            String::new(),
        ));
    }
    if bytes.contains(&0) && !bytes.starts_with(&[0xFF, 0xFE]) && !bytes.starts_with(&[0xFE, 0xFF])
    {
        return Err(AppError::Unprocessable(
            "workplan.unsupported",
            String::new(),
        ));
    }
    sheet::decode_text(bytes).map_err(|_| AppError::Unprocessable("import.encoding", String::new()))
}

/// The paragraphs of `word/document.xml`, one a line. Page and line breaks inside a
/// paragraph do not break it; tabs become spaces.
pub fn docx_text(bytes: &[u8]) -> Result<String, AppError> {
    let corrupt = || AppError::Unprocessable("import.corrupt", String::new());
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| corrupt())?;
    let entry = zip
        .by_name("word/document.xml")
        .map_err(|_| AppError::Unprocessable("workplan.unsupported", String::new()))?;
    if entry.size() > DOCX_XML_MAX {
        return Err(AppError::Unprocessable("import.too_large", "32 MiB".into()));
    }
    let mut xml = Vec::new();
    // The declared size can lie: the reader stops at the limit either way.
    entry
        .take(DOCX_XML_MAX + 1)
        .read_to_end(&mut xml)
        .map_err(|_| corrupt())?;
    if xml.len() as u64 > DOCX_XML_MAX {
        return Err(AppError::Unprocessable("import.too_large", "32 MiB".into()));
    }
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    reader.config_mut().check_end_names = false;
    let mut out = String::new();
    let mut in_text = false;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                "t" => in_text = true,
                "tab" => out.push(' '),
                _ => {}
            },
            Ok(Event::Empty(e)) => {
                if e.local_name().as_ref() == "tab" {
                    out.push(' ');
                }
            }
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" => out.push('\n'),
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => {
                out.push_str(&t.xml10_content());
            }
            Ok(Event::GeneralRef(r)) if in_text => {
                let name = r.into_inner();
                let ch = match name.as_ref() {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    n => n
                        .strip_prefix("#x")
                        .map(|h| u32::from_str_radix(h, 16).ok())
                        .unwrap_or_else(|| n.strip_prefix('#').and_then(|d| d.parse().ok()))
                        .and_then(char::from_u32),
                };
                out.extend(ch);
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(_) => return Err(corrupt()),
        }
    }
    Ok(out)
}

fn columns(headers: &[(&str, f64)]) -> Vec<Column> {
    headers
        .iter()
        .map(|(h, w)| Column::new(*h).with_width(*w))
        .collect()
}

fn yes_no(b: bool) -> Cell {
    Cell::Text(if b { "是" } else { "否" }.into())
}

fn local_time(at: Option<chrono::DateTime<chrono::Utc>>, offset: chrono::FixedOffset) -> Cell {
    at.map(|t| {
        Cell::Text(
            t.with_timezone(&offset)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        )
    })
    .unwrap_or(Cell::Empty)
}

pub const ASSIGNMENT_HEADERS: [&str; 10] = [
    "编号",
    "任务",
    "党组织",
    "下达日期",
    "完成时限",
    "状态",
    "进度（%）",
    "是否逾期",
    "最近报告时间",
    "任务编号",
];

/// The task ledger (工作台账).
pub fn assignments_xlsx(
    rows: Vec<(Assignment, String)>,
    offset: chrono::FixedOffset,
) -> Result<Vec<u8>, AppError> {
    let widths = [8.0, 40.0, 32.0, 12.0, 12.0, 10.0, 10.0, 10.0, 18.0, 10.0];
    let cols: Vec<(&str, f64)> = ASSIGNMENT_HEADERS.iter().copied().zip(widths).collect();
    let rows = rows.into_iter().map(|(a, org)| {
        vec![
            Cell::Int(a.id),
            Cell::Text(a.task_title),
            Cell::Text(org),
            Cell::Text(a.issued_on.to_string()),
            Cell::Text(a.due_on.to_string()),
            Cell::Text(
                Lang::Zh
                    .code_label("assignment_state", a.state.as_str())
                    .into(),
            ),
            Cell::Int(a.progress),
            yes_no(a.overdue),
            local_time(a.last_report_at, offset),
            Cell::Int(a.task_id),
        ]
    });
    sheet::write_xlsx("工作台账", &columns(&cols), rows)
        .map_err(|e| AppError::Internal(e.to_string()))
}

pub const RECTIFICATION_HEADERS: [&str; 12] = [
    "编号",
    "问题描述",
    "党组织",
    "严重程度",
    "来源",
    "发现日期",
    "整改时限",
    "状态",
    "是否逾期",
    "提交时间",
    "销号时间",
    "整改情况",
];

/// The rectification ledger (整改台账).
pub fn rectifications_xlsx(
    rows: Vec<(Rectification, String)>,
    offset: chrono::FixedOffset,
) -> Result<Vec<u8>, AppError> {
    let widths = [
        8.0, 48.0, 32.0, 10.0, 10.0, 12.0, 12.0, 10.0, 10.0, 18.0, 18.0, 40.0,
    ];
    let cols: Vec<(&str, f64)> = RECTIFICATION_HEADERS.iter().copied().zip(widths).collect();
    let rows = rows.into_iter().map(|(r, org)| {
        vec![
            Cell::Int(r.id),
            Cell::Text(r.description),
            Cell::Text(org),
            Cell::Text(Lang::Zh.code_label("severity", r.severity.as_str()).into()),
            Cell::Text(
                Lang::Zh
                    .code_label("finding_source", r.source.as_str())
                    .into(),
            ),
            Cell::Text(r.found_on.to_string()),
            Cell::Text(r.due_on.to_string()),
            Cell::Text(
                Lang::Zh
                    .code_label("rectification_state", r.state.as_str())
                    .into(),
            ),
            yes_no(r.overdue),
            local_time(r.submitted_at, offset),
            local_time(r.verified_at, offset),
            r.response.map(Cell::Text).unwrap_or(Cell::Empty),
        ]
    });
    sheet::write_xlsx("整改台账", &columns(&cols), rows)
        .map_err(|e| AppError::Internal(e.to_string()))
}
