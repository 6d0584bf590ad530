//! Generic tabular import/export for the dangjian platform.
//!
//! * [`read_table`] turns an uploaded spreadsheet (xlsx, or CSV in UTF-8,
//!   UTF-8 with BOM, GB18030 or UTF-16 with BOM) into a [`Table`] of trimmed
//!   strings whose rows carry their real spreadsheet row numbers.
//! * [`write_xlsx`] and [`write_csv`] produce downloadable files from rows of
//!   [`Cell`]s.
//!
//! The crate knows nothing about any domain type. Uploads are treated as
//! hostile: the format is detected by content (never by file name), zip bombs
//! and absurd dimensions are refused with [`SheetError::TooLarge`], and no input
//! makes the reader panic.

mod csv_read;
mod detect;
mod table;
mod text;
mod write;
mod xlsx_read;

pub use detect::{detect_format, Format};
pub use table::{Row, Table};
pub use write::{write_csv, write_ledgers, write_xlsx, Cell, Column, Rows};

/// One ledger sheet as people keep them: optionally a title row (the ledger's name over the
/// width of the table) and a note row (the unit and the date of export) above the header,
/// optionally a 序号 column numbering the rows; dates as real Excel dates; printed
/// landscape on A4, one page wide, the header row repeated on every page. [`read_table`]
/// finds the header under the title rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Ledger {
    pub name: String,
    pub columns: Vec<Column>,
    pub title: Option<Title>,
    /// The header of a serial-number column put first (e.g. "序号"), numbering from 1.
    pub serial: Option<String>,
}

/// The rows above a ledger's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title {
    /// e.g. "工作台账".
    pub text: String,
    /// e.g. "填报单位：中共云川市科协科技社团委员会　　导出日期：2026年12月2日".
    pub note: String,
}

impl Ledger {
    /// A sheet with a header row only (row 1), no title, no serial column.
    pub fn new(name: &str, columns: Vec<Column>) -> Ledger {
        Ledger {
            name: name.to_string(),
            columns,
            title: None,
            serial: None,
        }
    }

    /// With the title rows above the header.
    pub fn titled(mut self, title: Option<Title>) -> Ledger {
        self.title = title;
        self
    }

    /// With a serial-number column first.
    pub fn numbered(mut self, header: &str) -> Ledger {
        self.serial = Some(header.to_string());
        self
    }

    /// Writes this one sheet.
    pub fn write(self, rows: impl IntoIterator<Item = Vec<Cell>>) -> Result<Vec<u8>, SheetError> {
        write_ledgers(vec![(self, Box::new(rows.into_iter()))])
    }
}

/// Everything that can go wrong while reading or writing a sheet.
///
/// The `Display` texts are English and meant for logs; the web layer maps the
/// variants to user-facing (Chinese) messages.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum SheetError {
    /// No header row / no content at all.
    #[error("the file contains no data")]
    Empty,
    /// Not xlsx or CSV by content (PDF, image, legacy .xls, HTML, binary...).
    #[error("unsupported file format")]
    UnsupportedFormat,
    /// Looks like an xlsx (zip) but cannot be read; the detail is for logs.
    #[error("the spreadsheet is damaged: {0}")]
    Corrupt(String),
    /// A CSV that is neither UTF-8, UTF-16 (with BOM) nor GB18030.
    #[error("the text encoding could not be recognised")]
    Encoding,
    /// Some limit of [`Limits`] was exceeded; `limit` says which one.
    #[error("the file is too large ({limit})")]
    TooLarge { limit: String },
    /// Producing an output file failed.
    #[error("could not write the spreadsheet: {0}")]
    Write(String),
}

/// Limits applied while reading untrusted uploads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Maximum number of non-empty data rows (the header is not counted).
    pub max_rows: usize,
    /// Maximum number of columns, counted up to the last non-empty cell.
    pub max_cols: usize,
    /// Maximum total uncompressed size of an xlsx archive (sum of all entries
    /// as declared in the zip central directory), and maximum size of a CSV.
    pub max_uncompressed_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_rows: 200_000,
            max_cols: 200,
            max_uncompressed_bytes: 256 * 1024 * 1024,
        }
    }
}

/// Decodes uploaded text the way CSV files are read: UTF-16 with BOM, UTF-8 (with or
/// without BOM), otherwise GB18030. The BOM is removed.
pub fn decode_text(bytes: &[u8]) -> Result<String, SheetError> {
    let text = csv_read::decode(bytes)?;
    Ok(text.strip_prefix('\u{FEFF}').unwrap_or(&text).to_string())
}

/// Reads the first worksheet of an xlsx file, or a CSV file, with
/// [`Limits::default()`].
pub fn read_table(bytes: &[u8]) -> Result<Table, SheetError> {
    read_table_with(bytes, &Limits::default())
}

/// Reads the first worksheet of an xlsx file, or a CSV file.
///
/// The format is detected from the content. The header is the first non-empty
/// row — after up to three leading title rows (rows with a single filled cell, such as a
/// [`Ledger`]'s title and note, followed by a row with more); rows whose cells are all
/// empty are skipped, while the row numbers of
/// the remaining rows stay those of the sheet (row 1 is the first row). Every
/// cell is trimmed.
pub fn read_table_with(bytes: &[u8], limits: &Limits) -> Result<Table, SheetError> {
    match detect_format(bytes) {
        Format::Empty => Err(SheetError::Empty),
        Format::Xlsx => xlsx_read::read(bytes, limits),
        Format::Text => csv_read::read(bytes, limits),
        // Legacy .xls is deliberately not parsed: calamine's BIFF reader sizes
        // allocations from untrusted header fields (a tiny hostile file can
        // request tens of GiB and abort the process). Users are asked to save
        // as .xlsx instead; callers can detect this case with `detect_format`.
        Format::Xls | Format::Encrypted | Format::Other => Err(SheetError::UnsupportedFormat),
    }
}
