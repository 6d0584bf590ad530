//! Writing xlsx and CSV files for download.

use std::fmt;

use rust_xlsxwriter::{
    Color, DataValidation, ExcelDateTime, Format, FormatAlign, FormatPattern, Workbook, Worksheet,
    XlsxError,
};

use crate::text::{display_width, format_float};
use crate::SheetError;

/// One value to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Always written as text, even when it looks like a number ("007").
    Text(String),
    /// Written as a number (as text beyond 15 digits, which Excel would round).
    Int(i64),
    /// Written as a number; NaN and infinities are written as text.
    Float(f64),
    /// Written as a boolean; read back as "true" / "false".
    Bool(bool),
    /// A real Excel date (a number with a date format), read back as `YYYY-MM-DD`.
    Date(chrono::NaiveDate),
    /// A real Excel date and time (`yyyy-mm-dd hh:mm`), read back as
    /// `YYYY-MM-DD HH:MM:SS`.
    DateTime(chrono::NaiveDateTime),
    /// Nothing is written.
    Empty,
}

/// The text [`crate::read_table`] reads back for this cell from an xlsx
/// written by [`write_xlsx`] (before trimming).
impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Text(s) => f.write_str(s),
            Cell::Int(i) => write!(f, "{i}"),
            Cell::Float(x) => f.write_str(&format_float(*x)),
            Cell::Bool(b) => write!(f, "{b}"),
            Cell::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Cell::DateTime(t) => write!(f, "{}", t.format("%Y-%m-%d %H:%M:%S")),
            Cell::Empty => Ok(()),
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<&String> for Cell {
    fn from(s: &String) -> Self {
        Cell::Text(s.clone())
    }
}

impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Int(v)
    }
}

impl From<i32> for Cell {
    fn from(v: i32) -> Self {
        Cell::Int(v.into())
    }
}

impl From<u32> for Cell {
    fn from(v: u32) -> Self {
        Cell::Int(v.into())
    }
}

impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::Float(v)
    }
}

impl From<chrono::NaiveDate> for Cell {
    fn from(d: chrono::NaiveDate) -> Self {
        Cell::Date(d)
    }
}

impl From<bool> for Cell {
    fn from(v: bool) -> Self {
        Cell::Bool(v)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Empty, Into::into)
    }
}

/// A column of an output file.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The header text (row 1).
    pub header: String,
    /// Width in Excel character units; estimated from the content when `None`.
    pub width: Option<f64>,
    /// The values a drop-down offers on the data rows (data validation); empty → none.
    pub choices: Vec<String>,
}

impl Column {
    /// A column whose width is estimated from its content.
    pub fn new(header: impl Into<String>) -> Self {
        Column {
            header: header.into(),
            width: None,
            choices: Vec::new(),
        }
    }

    /// A drop-down of these values on the data rows (Excel limits the list to 255
    /// characters; a longer one is left out).
    pub fn with_choices(mut self, choices: &[&str]) -> Self {
        self.choices = choices.iter().map(|c| c.to_string()).collect();
        self
    }

    /// Sets a fixed width in Excel character units.
    pub fn with_width(mut self, width: f64) -> Self {
        self.width = Some(width);
        self
    }
}

/// Excel rounds numbers beyond 15 significant digits; such integers (ID
/// numbers and the like) are written as text to keep every digit.
const MAX_EXACT_INT: u64 = 999_999_999_999_999;
/// Row 1 is the header; xlsx has 1,048,576 rows.
const XLSX_MAX_DATA_ROWS: u32 = 1_048_575;
const XLSX_MAX_COLS: usize = 16_384;
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 60;

fn write_err(e: XlsxError) -> SheetError {
    SheetError::Write(e.to_string())
}

/// Writes a single-sheet xlsx: bold header with a light grey fill in row 1, frozen
/// header row, autofilter over all columns, column widths from [`Column::width`] or
/// estimated from the content (CJK counts double, capped at 60), printed landscape on A4,
/// one page wide, the header row repeated on every page.
///
/// Rows may be shorter or longer than `columns`. Fails with
/// [`SheetError::Write`] when Excel's limits are exceeded (1,048,576 rows,
/// 16,384 columns, 32,767 characters in a cell).
pub fn write_xlsx(
    sheet_name: &str,
    columns: &[Column],
    rows: impl IntoIterator<Item = Vec<Cell>>,
) -> Result<Vec<u8>, SheetError> {
    let sheet = crate::Ledger::new(sheet_name, columns.to_vec());
    write_ledgers(vec![(sheet, Box::new(rows.into_iter()) as Rows)])
}

/// The rows of one sheet of [`write_ledgers`].
pub type Rows<'a> = Box<dyn Iterator<Item = Vec<Cell>> + 'a>;

/// Writes a workbook of ledger sheets, in order (the first is the one importers read).
pub fn write_ledgers(sheets: Vec<(crate::Ledger, Rows<'_>)>) -> Result<Vec<u8>, SheetError> {
    let mut workbook = Workbook::new();
    let formats = Formats::new();
    for (i, (ledger, rows)) in sheets.into_iter().enumerate() {
        if ledger.columns.len() + usize::from(ledger.serial.is_some()) > XLSX_MAX_COLS {
            return Err(SheetError::Write("too many columns for xlsx".to_owned()));
        }
        // Constant memory mode streams finished rows to a temporary file and
        // writes strings inline instead of through a shared string table: about
        // twice as fast here and flat in memory. Fall back to the standard mode
        // when no temporary file can be created.
        if workbook.add_worksheet_with_constant_memory().is_err() {
            workbook.add_worksheet();
        }
        let sheet = workbook.worksheet_from_index(i).map_err(write_err)?;
        write_ledger(sheet, &ledger, rows, &formats)?;
    }
    // Deflate dominates the run time; level 3 saves a fifth of it against
    // the default 6 for about 12% larger files.
    workbook.set_zip_compression_level(3);
    workbook.save_to_buffer().map_err(write_err)
}

/// The formats every sheet shares.
pub(crate) struct Formats {
    header: Format,
    title: Format,
    note: Format,
    date: Format,
    datetime: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            header: Format::new()
                .set_bold()
                .set_pattern(FormatPattern::Solid)
                .set_background_color(Color::RGB(0xD9D9D9))
                .set_align(FormatAlign::Center),
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            note: Format::new().set_align(FormatAlign::Left),
            date: Format::new()
                .set_num_format("yyyy-mm-dd")
                .set_align(FormatAlign::Center),
            datetime: Format::new()
                .set_num_format("yyyy-mm-dd hh:mm")
                .set_align(FormatAlign::Center),
        }
    }
}

fn write_ledger(
    sheet: &mut Worksheet,
    ledger: &crate::Ledger,
    rows: Rows<'_>,
    formats: &Formats,
) -> Result<(), SheetError> {
    sheet
        .set_name(sanitize_sheet_name(&ledger.name))
        .map_err(write_err)?;
    let serial = ledger.serial.as_deref();
    let mut columns: Vec<Column> = Vec::with_capacity(ledger.columns.len() + 1);
    if let Some(h) = serial {
        columns.push(Column::new(h).with_width(6.0));
    }
    columns.extend(ledger.columns.iter().cloned());
    let last_col = columns.len().saturating_sub(1) as u16;

    // Title rows: the title over the width of the table, then the unit and the date.
    let mut header_row: u32 = 0;
    if let Some(t) = &ledger.title {
        if columns.len() > 1 {
            sheet
                .merge_range(0, 0, 0, last_col, &t.text, &formats.title)
                .map_err(write_err)?;
            sheet
                .merge_range(1, 0, 1, last_col, &t.note, &formats.note)
                .map_err(write_err)?;
        } else {
            sheet
                .write_string_with_format(0, 0, &t.text, &formats.title)
                .map_err(write_err)?;
            sheet
                .write_string_with_format(1, 0, &t.note, &formats.note)
                .map_err(write_err)?;
        }
        sheet.set_row_height(0, 28).map_err(write_err)?;
        header_row = 2;
    }

    let mut widths: Vec<usize> = columns.iter().map(|c| display_width(&c.header)).collect();
    for (col, column) in columns.iter().enumerate() {
        sheet
            .write_string_with_format(header_row, col as u16, &column.header, &formats.header)
            .map_err(write_err)?;
    }

    let mut last_row = header_row;
    let offset = usize::from(serial.is_some());
    for (n, cells) in rows.enumerate() {
        if last_row >= XLSX_MAX_DATA_ROWS {
            return Err(SheetError::Write("too many rows for xlsx".to_owned()));
        }
        last_row += 1;
        if cells.len() + offset > XLSX_MAX_COLS {
            return Err(SheetError::Write("too many columns for xlsx".to_owned()));
        }
        if widths.len() < cells.len() + offset {
            widths.resize(cells.len() + offset, 0);
        }
        if serial.is_some() {
            write_cell(sheet, last_row, 0, Cell::Int(n as i64 + 1), formats)?;
        }
        for (col, cell) in cells.into_iter().enumerate() {
            let col = col + offset;
            let width = write_cell(sheet, last_row, col as u16, cell, formats)?;
            if width > widths[col] {
                widths[col] = width;
            }
        }
    }

    for (col, &content) in widths.iter().enumerate() {
        let width = match columns.get(col).and_then(|c| c.width) {
            Some(w) if w.is_finite() && w >= 0.0 => w.min(255.0),
            _ => (content + 2).clamp(MIN_WIDTH, MAX_WIDTH) as f64,
        };
        sheet
            .set_column_width(col as u16, width)
            .map_err(write_err)?;
    }
    // Drop-downs on the data rows (at least a thousand rows to fill in).
    let valid_to = last_row.max(header_row + 1000);
    for (col, column) in columns.iter().enumerate() {
        if column.choices.is_empty()
            || column
                .choices
                .iter()
                .map(|c| c.chars().count() + 1)
                .sum::<usize>()
                > 255
        {
            continue;
        }
        let dv = DataValidation::new()
            .allow_list_strings(&column.choices)
            .map_err(write_err)?;
        sheet
            .add_data_validation(header_row + 1, col as u16, valid_to, col as u16, &dv)
            .map_err(write_err)?;
    }
    sheet
        .set_freeze_panes(header_row + 1, 0)
        .map_err(write_err)?;
    if !columns.is_empty() {
        sheet
            .autofilter(header_row, 0, last_row, last_col)
            .map_err(write_err)?;
    }
    // Print as ledgers are handed over: landscape A4, one page wide, the header row on
    // every page, the title and page numbers in the margins.
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_print_center_horizontally(true);
    sheet
        .set_repeat_rows(header_row, header_row)
        .map_err(write_err)?;
    let name = ledger
        .title
        .as_ref()
        .map_or(ledger.name.as_str(), |t| t.text.as_str());
    sheet.set_header(format!("&C{}", name.replace('&', "&&")));
    sheet.set_footer("&C&P / &N");
    Ok(())
}

/// Writes one cell and returns its estimated display width.
fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    cell: Cell,
    formats: &Formats,
) -> Result<usize, SheetError> {
    use chrono::{Datelike, Timelike};
    match cell {
        Cell::Date(d) => {
            match ExcelDateTime::from_ymd(
                d.year().clamp(1900, 9999) as u16,
                d.month() as u8,
                d.day() as u8,
            ) {
                Ok(x) if (1900..=9999).contains(&d.year()) => {
                    sheet
                        .write_datetime_with_format(row, col, &x, &formats.date)
                        .map_err(write_err)?;
                }
                _ => {
                    sheet
                        .write_string(row, col, d.to_string())
                        .map_err(write_err)?;
                }
            }
            Ok(10)
        }
        Cell::DateTime(t) => {
            let d = t.date();
            match ExcelDateTime::from_ymd(
                d.year().clamp(1900, 9999) as u16,
                d.month() as u8,
                d.day() as u8,
            )
            .and_then(|x| x.and_hms(t.hour() as u16, t.minute() as u8, t.second()))
            {
                Ok(x) if (1900..=9999).contains(&d.year()) => {
                    sheet
                        .write_datetime_with_format(row, col, &x, &formats.datetime)
                        .map_err(write_err)?;
                }
                _ => {
                    sheet
                        .write_string(row, col, t.format("%Y-%m-%d %H:%M").to_string())
                        .map_err(write_err)?;
                }
            }
            Ok(16)
        }
        Cell::Empty => Ok(0),
        Cell::Text(s) => {
            if s.is_empty() {
                return Ok(0);
            }
            let width = display_width(&s);
            sheet.write_string(row, col, s).map_err(write_err)?;
            Ok(width)
        }
        Cell::Int(v) => {
            let text = v.to_string();
            if v.unsigned_abs() <= MAX_EXACT_INT {
                sheet.write_number(row, col, v as f64).map_err(write_err)?;
            } else {
                sheet.write_string(row, col, &text).map_err(write_err)?;
            }
            Ok(text.len())
        }
        Cell::Float(v) => {
            let text = format_float(v);
            if v.is_finite() {
                sheet.write_number(row, col, v).map_err(write_err)?;
            } else {
                sheet.write_string(row, col, &text).map_err(write_err)?;
            }
            Ok(text.len())
        }
        Cell::Bool(b) => {
            sheet.write_boolean(row, col, b).map_err(write_err)?;
            Ok(5)
        }
    }
}

/// Makes any string an acceptable worksheet name: no `[]:*?/\`, no leading
/// or trailing apostrophe, at most 31 characters, not empty, not "History".
fn sanitize_sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'');
    let truncated: String = cleaned.chars().take(31).collect();
    let truncated = truncated.trim_end_matches('\'').to_owned();
    if truncated.is_empty() {
        "Sheet1".to_owned()
    } else if truncated.eq_ignore_ascii_case("history") {
        format!("{truncated}_")
    } else {
        truncated
    }
}

/// Writes CSV as Excel likes it: UTF-8 with BOM (so Chinese text opens
/// correctly), comma separated, CRLF line ends, RFC 4180 quoting.
///
/// Text cells that a spreadsheet would run as a formula (starting with `=`,
/// `+`, `-`, `@`, tab or carriage return, and not a plain number) are
/// prefixed with `'` to prevent CSV formula injection. Prefer [`write_xlsx`],
/// which needs no such change.
pub fn write_csv(columns: &[Column], rows: impl IntoIterator<Item = Vec<Cell>>) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    out.extend_from_slice(b"\xEF\xBB\xBF");
    let header: Vec<&str> = columns.iter().map(|c| c.header.as_str()).collect();
    write_csv_record(&mut out, header.iter().map(|h| neutralize_formula(h)));
    for cells in rows {
        write_csv_record(
            &mut out,
            cells.iter().map(|cell| match cell {
                Cell::Text(s) => neutralize_formula(s),
                other => other.to_string().into(),
            }),
        );
    }
    out
}

fn write_csv_record<'a>(
    out: &mut Vec<u8>,
    fields: impl Iterator<Item = std::borrow::Cow<'a, str>>,
) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let needs_quotes = field
            .bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n' | b';' | b'\t'))
            || field.starts_with(' ')
            || field.ends_with(' ');
        if needs_quotes {
            out.push(b'"');
            out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
            out.push(b'"');
        } else {
            out.extend_from_slice(field.as_bytes());
        }
    }
    out.extend_from_slice(b"\r\n");
}

fn neutralize_formula(s: &str) -> std::borrow::Cow<'_, str> {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && s.trim().parse::<f64>().is_err() {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names() {
        assert_eq!(sanitize_sheet_name("社团名录"), "社团名录");
        assert_eq!(sanitize_sheet_name(""), "Sheet1");
        assert_eq!(sanitize_sheet_name("a/b:c"), "a_b_c");
        assert_eq!(sanitize_sheet_name("'x'"), "x");
        assert_eq!(sanitize_sheet_name("History"), "History_");
        assert_eq!(sanitize_sheet_name(&"长".repeat(40)).chars().count(), 31);
    }

    #[test]
    fn formula_neutralization() {
        assert_eq!(neutralize_formula("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(neutralize_formula("@cmd"), "'@cmd");
        assert_eq!(neutralize_formula("-5"), "-5");
        assert_eq!(neutralize_formula("+8613800000000"), "+8613800000000");
        assert_eq!(neutralize_formula("张三"), "张三");
    }

    #[test]
    fn csv_quoting() {
        let out = write_csv(
            &[Column::new("名称"), Column::new("备注")],
            vec![
                vec![Cell::from("a,b"), Cell::from("say \"hi\"\nbye")],
                vec![Cell::Int(7)],
            ],
        );
        let text = std::str::from_utf8(&out).unwrap();
        assert_eq!(
            text,
            "\u{FEFF}名称,备注\r\n\"a,b\",\"say \"\"hi\"\"\nbye\"\r\n7\r\n"
        );
    }
}
