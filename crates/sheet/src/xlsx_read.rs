//! Reading the first worksheet of an xlsx file through calamine, after
//! checking the archive for zip bombs and hostile size hints.

use std::collections::BTreeMap;
use std::io::{BufReader, Cursor, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};

use calamine::{DataRef, ExcelDateTime, Reader, SheetType, SheetVisible, Xlsx};
use quick_xml::events::Event;

use crate::table::{too_many_bytes, too_many_cols, too_many_rows, TableBuilder};
use crate::text::{clean, clean_owned, format_float};
use crate::{Limits, SheetError, Table};

pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Table, SheetError> {
    // calamine is robust in general, but an unexpected panic deep inside a
    // parser must never take a request (or the server) down with it.
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        preflight(bytes, limits)?;
        read_first_sheet(bytes, limits)
    }));
    match outcome {
        Ok(result) => result,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(SheetError::Corrupt(format!("parser panicked: {msg}")))
        }
    }
}

fn corrupt(e: impl std::fmt::Display) -> SheetError {
    SheetError::Corrupt(e.to_string())
}

/// Checks the zip central directory before calamine decompresses anything:
/// total declared uncompressed size (the zip reader refuses entries that
/// inflate beyond their declared size), presence of a workbook, and the
/// shared-string count hint that calamine uses to pre-allocate.
fn preflight(bytes: &[u8], limits: &Limits) -> Result<(), SheetError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(format!("zip: {e}")))?;
    let mut total: u64 = 0;
    let mut has_workbook = false;
    let mut shared_strings = Vec::new();
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| corrupt(format!("zip entry {i}: {e}")))?;
        total = total.saturating_add(entry.size());
        if total > limits.max_uncompressed_bytes {
            return Err(too_many_bytes(limits));
        }
        let name = entry
            .name()
            .map_err(|e| corrupt(format!("zip entry {i}: {e}")))?
            .replace('\\', "/")
            .to_ascii_lowercase();
        if name.ends_with("workbook.xml") {
            has_workbook = true;
        }
        if name.ends_with("sharedstrings.xml") {
            shared_strings.push((i, entry.size()));
        }
    }
    if !has_workbook {
        // A docx, an ods, a plain archive... but not an xlsx.
        return Err(SheetError::UnsupportedFormat);
    }
    for (index, size) in shared_strings {
        let entry = archive
            .by_index(index)
            .map_err(|e| corrupt(format!("zip entry {index}: {e}")))?;
        check_shared_string_count(entry, size)?;
    }
    Ok(())
}

/// calamine reserves `uniqueCount` strings up front; a tiny file declaring
/// billions would make that allocation abort the process. Every shared string
/// needs at least 5 bytes of XML (`<si/>`), which bounds an honest count.
fn check_shared_string_count(entry: impl Read, size: u64) -> Result<(), SheetError> {
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(entry));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let bound = size / 5 + 16;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sst" => {
                for attr in e.attributes().with_checks(false).flatten() {
                    if !attr
                        .key
                        .local_name()
                        .as_ref()
                        .eq_ignore_ascii_case("uniqueCount")
                    {
                        continue;
                    }
                    let digits = attr.value.as_bytes();
                    let digits = digits.strip_prefix(b"+").unwrap_or(digits);
                    let start = digits
                        .iter()
                        .position(|&b| b != b'0')
                        .unwrap_or(digits.len());
                    let digits = &digits[start..];
                    if digits.iter().all(u8::is_ascii_digit) {
                        let too_big = digits.len() > 15
                            || std::str::from_utf8(digits)
                                .ok()
                                .and_then(|s| s.parse::<u64>().ok())
                                .is_some_and(|n| n > bound);
                        if too_big {
                            return Err(corrupt("shared string count is implausible"));
                        }
                    }
                }
                return Ok(());
            }
            Ok(Event::Eof) => return Ok(()),
            Err(e) => return Err(corrupt(format!("sharedStrings.xml: {e}"))),
            Ok(_) => {}
        }
    }
}

type Cells = Vec<(u32, String)>;

fn read_first_sheet(bytes: &[u8], limits: &Limits) -> Result<Table, SheetError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(corrupt)?;
    let sheets = workbook.sheets_metadata();
    let name = sheets
        .iter()
        .find(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
        .or_else(|| sheets.iter().find(|s| s.typ == SheetType::WorkSheet))
        .map(|s| s.name.clone())
        .ok_or(SheetError::Empty)?;
    let mut reader = workbook.worksheet_cells_reader(&name).map_err(corrupt)?;

    // Stream the cells (never materialise calamine's dense Range, whose size
    // follows the extreme coordinates and could be gigantic).
    let mut rows: BTreeMap<u32, Cells> = BTreeMap::new();
    let mut current: Option<(u32, Cells)> = None;
    let mut min_col = u32::MAX;
    let mut max_col = 0u32;
    // A row must not grow without bound through repeated coordinates.
    let compact_at = limits.max_cols.saturating_mul(2).saturating_add(16);

    while let Some(cell) = reader.next_cell().map_err(corrupt)? {
        let (row, col) = cell.get_position();
        let Some(text) = render(cell.get_value()) else {
            continue;
        };
        if text.is_empty() {
            continue;
        }
        min_col = min_col.min(col);
        max_col = max_col.max(col);
        if (max_col - min_col) as usize >= limits.max_cols {
            return Err(too_many_cols(limits));
        }
        match &mut current {
            Some((r, cells)) if *r == row => {
                cells.push((col, text));
                if cells.len() > compact_at {
                    compact(cells);
                }
            }
            _ => {
                if let Some((r, cells)) = current.take() {
                    stash(&mut rows, r, cells, compact_at);
                }
                // The header plus max_rows data rows, plus the row just starting.
                if rows.len() > limits.max_rows {
                    return Err(too_many_rows(limits));
                }
                current = Some((row, vec![(col, text)]));
            }
        }
    }
    if let Some((r, cells)) = current.take() {
        stash(&mut rows, r, cells, compact_at);
    }

    let mut builder = TableBuilder::new(limits);
    for (row, mut cells) in rows {
        compact(&mut cells);
        let width = cells.last().map_or(0, |(c, _)| (c - min_col) as usize + 1);
        let mut out = vec![String::new(); width];
        for (col, text) in cells {
            out[(col - min_col) as usize] = text;
        }
        builder.push(row as usize + 1, out)?;
    }
    builder.finish()
}

fn stash(rows: &mut BTreeMap<u32, Cells>, row: u32, mut cells: Cells, compact_at: usize) {
    let entry = rows.entry(row).or_default();
    entry.append(&mut cells);
    if entry.len() > compact_at {
        compact(entry);
    }
}

/// Sorts by column and keeps the last value written for each coordinate.
fn compact(cells: &mut Cells) {
    cells.reverse();
    cells.sort_by_key(|(c, _)| *c); // stable: the last write is now first
    cells.dedup_by_key(|(c, _)| *c);
}

fn render(value: &DataRef<'_>) -> Option<String> {
    Some(match value {
        DataRef::Empty => return None,
        DataRef::String(s) => clean_owned(s.clone()),
        DataRef::SharedString(s) => clean(s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => format_float(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => format_datetime(dt),
        DataRef::DateTimeIso(s) => format_iso_datetime(s),
        DataRef::DurationIso(s) => clean(s).to_owned(),
        DataRef::Error(e) => e.to_string(),
    })
}

/// Dates as `YYYY-MM-DD`; a time of day is appended only when present.
fn format_datetime(dt: &ExcelDateTime) -> String {
    let value = dt.as_f64();
    if dt.is_duration() {
        let total_secs = (value * 86_400.0).round();
        if !total_secs.is_finite() || total_secs.abs() > 1e12 {
            return format_float(value);
        }
        let total = total_secs as i64;
        let sign = if total < 0 { "-" } else { "" };
        let total = total.unsigned_abs();
        return format!(
            "{sign}{}:{:02}:{:02}",
            total / 3600,
            total / 60 % 60,
            total % 60
        );
    }
    let (y, mo, d, h, mi, s, _ms) = dt.to_ymd_hms_milli();
    if (0.0..1.0).contains(&value) {
        // A time of day without a date.
        format!("{h:02}:{mi:02}:{s:02}")
    } else if h == 0 && mi == 0 && s == 0 {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }
}

/// ISO 8601 values (`t="d"` cells): midnight collapses to the date only.
fn format_iso_datetime(s: &str) -> String {
    let s = clean(s);
    match s.split_once('T') {
        Some((date, time)) => {
            let time = time.trim_end_matches('Z');
            let time = time.split('.').next().unwrap_or(time);
            if time.bytes().all(|b| b == b'0' || b == b':') {
                date.to_owned()
            } else {
                format!("{date} {time}")
            }
        }
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    #[test]
    fn datetimes() {
        let d = ExcelDateTime::new(45943.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(format_datetime(&d), "2025-10-13");
        let d = ExcelDateTime::new(45943.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(format_datetime(&d), "2025-10-13 12:00:00");
        let d = ExcelDateTime::new(0.25, ExcelDateTimeType::DateTime, false);
        assert_eq!(format_datetime(&d), "06:00:00");
        let d = ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(format_datetime(&d), "36:00:00");
        assert_eq!(format_iso_datetime("2024-01-05T00:00:00Z"), "2024-01-05");
        assert_eq!(
            format_iso_datetime("2024-01-05T08:30:00"),
            "2024-01-05 08:30:00"
        );
        assert_eq!(format_iso_datetime("2024-01-05"), "2024-01-05");
    }

    #[test]
    fn compaction_keeps_last_write() {
        let mut cells = vec![
            (3, "a".to_owned()),
            (1, "b".to_owned()),
            (3, "c".to_owned()),
        ];
        compact(&mut cells);
        assert_eq!(cells, vec![(1, "b".to_owned()), (3, "c".to_owned())]);
    }
}
