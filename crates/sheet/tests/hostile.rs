//! Broken and hostile uploads: wrong formats, damaged archives, zip bombs,
//! absurd dimensions. None may panic, abort or allocate without bound.

mod common;

use std::io::{Cursor, Write};

use common::*;
use sheet::{detect_format, read_table_with, Format, Limits, SheetError};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

fn is_too_large<T: std::fmt::Debug>(r: &Result<T, SheetError>) -> bool {
    matches!(r, Err(SheetError::TooLarge { .. }))
}

#[test]
fn pdf_png_jpeg_and_binary_are_unsupported() {
    let pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
    let png =
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00";
    let jpeg = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01";
    let mut random = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..4096 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        random.push((x >> 16) as u8);
    }
    for bytes in [&pdf[..], &png[..], &jpeg[..], &random[..]] {
        assert_eq!(
            read_no_panic(bytes),
            Err(SheetError::UnsupportedFormat),
            "{:?}",
            &bytes[..8]
        );
    }
}

#[test]
fn legacy_xls_encrypted_and_html_exports_are_unsupported() {
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.resize(2048, 0);
    assert_eq!(detect_format(&ole), Format::Xls);
    assert_eq!(read_no_panic(&ole), Err(SheetError::UnsupportedFormat));

    let html = "<html><head><meta charset=\"utf-8\"></head><body><table><tr><td>名称</td></tr></table></body></html>";
    assert_eq!(
        read_no_panic(html.as_bytes()),
        Err(SheetError::UnsupportedFormat)
    );
    let xml2003 =
        "<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\"/>";
    assert_eq!(
        read_no_panic(xml2003.as_bytes()),
        Err(SheetError::UnsupportedFormat)
    );
}

#[test]
fn zip_that_is_not_a_workbook_is_unsupported() {
    let docx = rezip(&[
        ("[Content_Types].xml".into(), b"<Types/>".to_vec()),
        ("word/document.xml".into(), b"<document/>".to_vec()),
    ]);
    assert_eq!(read_no_panic(&docx), Err(SheetError::UnsupportedFormat));
    let empty_zip = ZipWriter::new(Cursor::new(Vec::new()))
        .finish()
        .unwrap()
        .into_inner();
    assert_eq!(
        read_no_panic(&empty_zip),
        Err(SheetError::UnsupportedFormat)
    );
}

#[test]
fn truncated_xlsx_is_corrupt_not_a_panic() {
    let full = sample_xlsx();
    for len in [full.len() / 2, full.len() - 1, 30, 4] {
        let result = read_no_panic(&full[..len]);
        assert!(
            matches!(
                result,
                Err(SheetError::Corrupt(_)) | Err(SheetError::UnsupportedFormat)
            ),
            "len {len}: {result:?}"
        );
    }
}

#[test]
fn xlsx_missing_parts_is_corrupt() {
    let entries = unzip(&sample_xlsx());
    let without_sheet: Vec<_> = entries
        .iter()
        .filter(|(n, _)| !n.contains("worksheets/"))
        .cloned()
        .collect();
    assert!(matches!(
        read_no_panic(&rezip(&without_sheet)),
        Err(SheetError::Corrupt(_))
    ));
    let broken = with_entry(
        &entries,
        "xl/workbook.xml",
        b"<workbook><sheets><sheet".to_vec(),
    );
    assert!(matches!(
        read_no_panic(&rezip(&broken)),
        Err(SheetError::Corrupt(_))
    ));
}

/// 300 MiB of zeros deflate to about 300 KiB: refused from the central
/// directory before anything is inflated.
#[test]
fn zip_bomb_is_too_large() {
    let mut entries = unzip(&sample_xlsx());
    entries.retain(|(n, _)| n != "xl/worksheets/sheet1.xml");
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let small = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for (name, data) in &entries {
        writer.start_file(name.as_str(), small).unwrap();
        writer.write_all(data).unwrap();
    }
    let deflate = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true);
    writer
        .start_file("xl/worksheets/sheet1.xml", deflate)
        .unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..300 {
        writer.write_all(&zeros).unwrap();
    }
    let bomb = writer.finish().unwrap().into_inner();
    assert!(bomb.len() < 2 * 1024 * 1024, "bomb is {} bytes", bomb.len());
    assert_eq!(detect_format(&bomb), Format::Xlsx);
    let result = read_no_panic(&bomb);
    assert!(is_too_large(&result), "{result:?}");

    // The same archive is fine under a larger limit up to the point where the
    // zeros turn out not to be XML.
    let limits = Limits {
        max_uncompressed_bytes: 1 << 30,
        ..Limits::default()
    };
    let result = read_table_with(&bomb, &limits);
    assert!(matches!(result, Err(SheetError::Corrupt(_))), "{result:?}");
}

/// An entry that inflates far beyond the size the archive declares for it is
/// cut off by the zip reader instead of being trusted.
#[test]
fn entry_larger_than_declared_is_corrupt() {
    let sheet = format!(
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{}</t></is></c></row></sheetData></worksheet>"#,
        "x".repeat(1 << 20)
    );
    let entries = with_entry(
        &unzip(&sample_xlsx()),
        "xl/worksheets/sheet1.xml",
        sheet.into_bytes(),
    );
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, data) in &entries {
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(data).unwrap();
    }
    let mut bytes = writer.finish().unwrap().into_inner();
    // Rewrite the declared uncompressed size (local header and central
    // directory) of the sheet entry to 1000 bytes.
    let name = b"xl/worksheets/sheet1.xml";
    let mut patched = 0;
    for pos in 0..bytes.len().saturating_sub(4) {
        let sig = &bytes[pos..pos + 4];
        let (size_at, name_len_at, name_at) = match sig {
            b"PK\x03\x04" => (pos + 22, pos + 26, pos + 30),
            b"PK\x01\x02" => (pos + 24, pos + 28, pos + 46),
            _ => continue,
        };
        let name_len = u16::from_le_bytes([bytes[name_len_at], bytes[name_len_at + 1]]) as usize;
        if bytes.get(name_at..name_at + name_len) == Some(&name[..]) {
            bytes[size_at..size_at + 4].copy_from_slice(&1000u32.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2);
    let result = read_no_panic(&bytes);
    assert!(matches!(result, Err(SheetError::Corrupt(_))), "{result:?}");
}

/// calamine pre-allocates `uniqueCount` shared strings; a tiny file claiming
/// billions must be refused before that allocation.
#[test]
fn absurd_shared_string_count_is_refused() {
    let entries = unzip(&sample_xlsx_with_shared_strings());
    let (_, sst) = entries
        .iter()
        .find(|(n, _)| n == "xl/sharedStrings.xml")
        .unwrap();
    let sst = String::from_utf8(sst.clone()).unwrap();
    let start = sst.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
    let end = start + sst[start..].find('"').unwrap();
    for count in [
        "4000000000",
        "18446744073709551615",
        "000000000000000004000000000",
        "+4000000000",
    ] {
        let hostile = format!("{}{}{}", &sst[..start], count, &sst[end..]);
        let bytes = rezip(&with_entry(
            &entries,
            "xl/sharedStrings.xml",
            hostile.into_bytes(),
        ));
        let result = read_no_panic(&bytes);
        assert!(
            matches!(result, Err(SheetError::Corrupt(_))),
            "{count}: {result:?}"
        );
    }
    // An honest (or slightly wrong) count is accepted.
    let fine = format!("{}{}{}", &sst[..start], "7", &sst[end..]);
    let bytes = rezip(&with_entry(
        &entries,
        "xl/sharedStrings.xml",
        fine.into_bytes(),
    ));
    let table = read_no_panic(&bytes).unwrap();
    assert_eq!(table.header, vec!["编号", "名称", "人数"]);
    assert_eq!(table.rows[0].cells, vec!["007", "第一党支部", "12"]);
    assert_eq!(table.rows[1].cells, vec!["", "第一党支部", "true"]);
}

#[test]
fn far_apart_cells_do_not_allocate_a_dense_grid() {
    // A1 and XFD1048576: a dense range would be 17 billion cells.
    let bytes = xlsx_with_sheet_data(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>h</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
    );
    assert!(is_too_large(&read_no_panic(&bytes)));
    // Far apart rows in one column are fine and keep their numbers.
    let bytes = xlsx_with_sheet_data(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>h</t></is></c></row><row r="1048576"><c r="A1048576"><v>1</v></c></row>"#,
    );
    let table = read_no_panic(&bytes).unwrap();
    assert_eq!(table.rows[0].number, 1_048_576);
}

#[test]
fn odd_sheet_xml_is_handled() {
    // Cells out of order, repeated coordinates, cells without coordinates,
    // a reversed dimension, whitespace-only strings.
    let sheet = r#"<row r="3"><c r="B3"><v>2</v></c></row><row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><t>b</t></is></c></row><row r="3"><c r="A3"><v>1</v></c><c r="A3"><v>9</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>   </t></is></c></row>"#;
    let table = read_no_panic(&xlsx_with_sheet_data(sheet)).unwrap();
    assert_eq!(table.header, vec!["a", "b"]);
    assert_eq!(table.rows.len(), 1);
    assert_eq!(table.rows[0].number, 3);
    assert_eq!(table.rows[0].cells, vec!["9", "2"]);

    let entries = unzip(&sample_xlsx());
    let (_, sheet1) = entries
        .iter()
        .find(|(n, _)| n == "xl/worksheets/sheet1.xml")
        .unwrap();
    let sheet1 = String::from_utf8(sheet1.clone()).unwrap();
    let reversed = sheet1.replacen(
        "<dimension ref=\"A1:C4\"/>",
        "<dimension ref=\"C4:A1\"/>",
        1,
    );
    assert_ne!(reversed, sheet1, "fixture changed: {sheet1}");
    let bytes = rezip(&with_entry(
        &entries,
        "xl/worksheets/sheet1.xml",
        reversed.into_bytes(),
    ));
    let result = read_no_panic(&bytes);
    assert!(
        result.is_ok() || matches!(result, Err(SheetError::Corrupt(_))),
        "{result:?}"
    );
}

#[test]
fn many_rows_in_xlsx_are_refused_early() {
    let mut data = String::new();
    for r in 1..=2000 {
        data.push_str(&format!(
            "<row r=\"{r}\"><c r=\"A{r}\"><v>{r}</v></c></row>"
        ));
    }
    let bytes = xlsx_with_sheet_data(&data);
    let limits = Limits {
        max_rows: 1000,
        ..Limits::default()
    };
    assert!(is_too_large(&read_table_with(&bytes, &limits)));
    let limits = Limits {
        max_rows: 1999,
        ..Limits::default()
    };
    assert_eq!(read_table_with(&bytes, &limits).unwrap().rows.len(), 1999);
}

/// Many fake end-of-central-directory records must not make the zip reader
/// crawl (each candidate is tried).
#[test]
fn many_fake_zip_directories_are_cheap() {
    let mut bytes = b"PK\x03\x04".to_vec();
    let mut eocd = b"PK\x05\x06".to_vec();
    eocd.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0, 46, 0, 0, 0, 4, 0, 0, 0, 0, 0]);
    while bytes.len() < 1 << 20 {
        bytes.extend_from_slice(&eocd);
    }
    let start = std::time::Instant::now();
    let result = read_no_panic(&bytes);
    assert!(matches!(result, Err(SheetError::Corrupt(_))), "{result:?}");
    assert!(
        start.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}
