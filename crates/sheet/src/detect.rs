//! Format detection by content (never by file name).

/// What an uploaded file looks like, judged from its bytes only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// No bytes, or only whitespace / a byte order mark.
    Empty,
    /// A zip archive (`PK\x03\x04`): presumably xlsx. Other zip based formats
    /// (docx, ods, plain archives) are refused later by [`crate::read_table`].
    Xlsx,
    /// An OLE compound file (`D0 CF 11 E0`) that is not encrypted: a legacy
    /// `.xls` (or `.doc`, `.et`...). Not read; users should save as `.xlsx`.
    Xls,
    /// An OLE compound file holding an encrypted (password protected) Office
    /// document. Not read; users should remove the password.
    Encrypted,
    /// Text, to be read as CSV / tab separated text.
    Text,
    /// Anything else: PDF, images, archives, HTML / XML exports, binary data.
    Other,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Signatures of common non-spreadsheet files that could otherwise pass the
/// "does it look like text" test.
const BINARY_MAGICS: &[&[u8]] = &[
    b"%PDF",
    b"\x89PNG",
    b"\xFF\xD8\xFF", // JPEG
    b"GIF87a",
    b"GIF89a",
    b"RIFF",       // WebP, WAV, AVI
    b"PK\x05\x06", // empty zip
    b"PK\x07\x08", // spanned zip
    b"Rar!",
    b"7z\xBC\xAF\x27\x1C",
    b"\x1F\x8B", // gzip
    b"\xFD7zXZ\x00",
    b"\x7FELF",
    b"{\\rtf",
    b"%!PS",
    b"II*\x00",          // TIFF
    b"MM\x00*",          // TIFF
    b"\x00\x00\x01\x00", // ICO
];

/// Detects the format of an upload from its content.
pub fn detect_format(bytes: &[u8]) -> Format {
    if bytes.starts_with(ZIP_MAGIC) {
        return Format::Xlsx;
    }
    if bytes.starts_with(&OLE_MAGIC[..4]) {
        return if contains_utf16le(bytes, "EncryptedPackage") {
            Format::Encrypted
        } else {
            Format::Xls
        };
    }
    if BINARY_MAGICS.iter().any(|m| bytes.starts_with(m)) {
        return Format::Other;
    }
    // UTF-16 text announces itself with a BOM; NUL bytes are normal there.
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return if bytes.len() <= 2 {
            Format::Empty
        } else {
            Format::Text
        };
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let body = body.strip_prefix(b"\x84\x31\x95\x33").unwrap_or(body); // GB18030 BOM
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Format::Empty;
    }
    if looks_binary(body) || looks_like_markup(body) {
        return Format::Other;
    }
    Format::Text
}

/// NUL bytes, or more than a few control characters, mean binary data.
fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    if sample.contains(&0) {
        return true;
    }
    let controls = sample
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A)) || b == 0x7F)
        .count();
    controls > 8usize.max(sample.len() / 100)
}

/// HTML or XML documents (e.g. the "Excel" exports of many web systems, or
/// the Excel 2003 XML format) are not CSV.
fn looks_like_markup(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let head = &bytes[start..bytes.len().min(start + 16)];
    match head {
        [b'<', b'!' | b'?', ..] => true,
        [b'<', c, ..] if c.is_ascii_alphabetic() => {
            let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
            [
                &b"<html"[..],
                b"<head",
                b"<body",
                b"<table",
                b"<meta",
                b"<div",
                b"<style",
                b"<workbook",
                b"<x:",
                b"<ss:",
            ]
            .iter()
            .any(|tag| lower.starts_with(tag))
        }
        _ => false,
    }
}

fn contains_utf16le(haystack: &[u8], needle: &str) -> bool {
    let pattern: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    haystack.windows(pattern.len()).any(|w| w == pattern)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_content() {
        assert_eq!(detect_format(b""), Format::Empty);
        assert_eq!(detect_format(b" \r\n\t"), Format::Empty);
        assert_eq!(detect_format(b"\xEF\xBB\xBF"), Format::Empty);
        assert_eq!(detect_format(b"PK\x03\x04rest"), Format::Xlsx);
        assert_eq!(detect_format(b"%PDF-1.4\n1 0 obj"), Format::Other);
        assert_eq!(detect_format(b"\x89PNG\r\n\x1a\n"), Format::Other);
        assert_eq!(detect_format(b"<!DOCTYPE html><html>"), Format::Other);
        assert_eq!(detect_format(b"  <html><table>"), Format::Other);
        assert_eq!(detect_format(b"<?xml version=\"1.0\"?>"), Format::Other);
        assert_eq!(detect_format(b"a,b\n1,2\n"), Format::Text);
        assert_eq!(detect_format(b"a\x00b"), Format::Other);
        assert_eq!(detect_format(OLE_MAGIC), Format::Xls);
        let mut enc = OLE_MAGIC.to_vec();
        enc.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(detect_format(&enc), Format::Encrypted);
        assert_eq!(detect_format(b"\xFF\xFEa\x00"), Format::Text);
    }
}
