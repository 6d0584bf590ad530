//! Reading CSV / tab separated text in the encodings Chinese users produce.

use std::borrow::Cow;

use crate::table::{too_many_bytes, TableBuilder};
use crate::text::clean;
use crate::{Limits, SheetError, Table};

pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Table, SheetError> {
    if bytes.len() as u64 > limits.max_uncompressed_bytes {
        return Err(too_many_bytes(limits));
    }
    let text = decode(bytes)?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(detect_delimiter(text))
        .from_reader(text.as_bytes());

    let mut builder = TableBuilder::new(limits);
    let mut record = csv::ByteRecord::new();
    // The csv reader silently skips empty lines, but a spreadsheet program
    // shows them as empty rows; count them to keep row numbers true.
    let raw = text.as_bytes();
    let mut row_number: usize = 0;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(SheetError::Corrupt(e.to_string())),
        }
        let start = record.position().map_or(0, |p| p.byte());
        let skipped = blank_lines_at(raw, usize::try_from(start).unwrap_or(usize::MAX));
        row_number = row_number.saturating_add(1).saturating_add(skipped);

        let cells = record
            .iter()
            .map(|f| clean(&String::from_utf8_lossy(f)).to_owned())
            .collect();
        builder.push(row_number, cells)?;
    }
    builder.finish()
}

/// Counts the empty lines the csv reader skipped before a record whose read
/// started at byte `start`: the run of line terminators there, not counting
/// the `\n` that completes the previous record's `\r\n`.
fn blank_lines_at(raw: &[u8], start: usize) -> usize {
    let mut i = start;
    if i > 0 && raw.get(i - 1) == Some(&b'\r') && raw.get(i) == Some(&b'\n') {
        i += 1;
    }
    let mut count = 0;
    loop {
        match raw.get(i) {
            Some(b'\r') if raw.get(i + 1) == Some(&b'\n') => i += 2,
            Some(b'\r' | b'\n') => i += 1,
            _ => return count,
        }
        count += 1;
    }
}

/// Decodes the bytes to text: UTF-16 with BOM, UTF-8 (with or without BOM),
/// otherwise GB18030 (a superset of GBK / GB2312, what Chinese Excel writes).
pub(crate) fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, SheetError> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return encoding_rs::UTF_16LE
            .decode_without_bom_handling_and_without_replacement(rest)
            .ok_or(SheetError::Encoding);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return encoding_rs::UTF_16BE
            .decode_without_bom_handling_and_without_replacement(rest)
            .ok_or(SheetError::Encoding);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(s));
    }
    let bytes = bytes.strip_prefix(b"\x84\x31\x95\x33").unwrap_or(bytes);
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or(SheetError::Encoding)
}

/// Picks the most frequent of `,` `\t` `;` outside quotes on the first
/// non-blank line; comma wins ties and is the default.
fn detect_delimiter(text: &str) -> u8 {
    let line = first_logical_line(text);
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    for b in line.bytes() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b',' if !in_quotes => counts[0] += 1,
            b'\t' if !in_quotes => counts[1] += 1,
            b';' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b'\t', b';'];
    let mut best = 0;
    for i in 1..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    candidates[best]
}

/// The first line with content, where newlines inside quotes do not end it.
fn first_logical_line(text: &str) -> &str {
    let start = text
        .find(|c: char| !matches!(c, '\r' | '\n'))
        .unwrap_or(text.len());
    let rest = &text[start..];
    let mut in_quotes = false;
    for (i, b) in rest.bytes().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => return &rest[..i],
            _ => {}
        }
    }
    rest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_detection() {
        assert_eq!(detect_delimiter("a,b,c\n"), b',');
        assert_eq!(detect_delimiter("a\tb\tc\n1,2\t3"), b'\t');
        assert_eq!(detect_delimiter("a;b;c"), b';');
        assert_eq!(detect_delimiter("\n\n\"x;y;z\",b\n"), b',');
        assert_eq!(detect_delimiter("single"), b',');
        assert_eq!(detect_delimiter(""), b',');
    }

    #[test]
    fn decoding() {
        assert_eq!(decode(b"abc").unwrap(), "abc");
        assert_eq!(decode(b"\xEF\xBB\xBFabc").unwrap(), "abc");
        let (gb, _, _) = encoding_rs::GB18030.encode("党支部");
        assert_eq!(decode(&gb).unwrap(), "党支部");
        assert_eq!(decode(b"\xFF\xFF\xFF"), Err(SheetError::Encoding));
    }
}
