//! Helpers to build (broken) xlsx archives for the hostile-input tests.
#![allow(dead_code)]

use std::cell::Cell as StdCell;
use std::io::{Cursor, Read, Write};
use std::sync::Once;

use sheet::{read_table, write_xlsx, Cell, Column, SheetError};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// A small valid xlsx written by this crate (built once per test binary).
pub fn sample_xlsx() -> Vec<u8> {
    static SAMPLE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    SAMPLE.get_or_init(build_sample_xlsx).clone()
}

fn build_sample_xlsx() -> Vec<u8> {
    let cols = vec![
        Column::new("编号"),
        Column::new("名称"),
        Column::new("人数"),
    ];
    let rows = vec![
        vec![Cell::from("007"), Cell::from("第一党支部"), Cell::Int(12)],
        vec![
            Cell::from("008"),
            Cell::from("第二党支部"),
            Cell::Float(3.5),
        ],
        vec![Cell::Empty, Cell::from("第三"), Cell::Bool(true)],
    ];
    write_xlsx("名录", &cols, rows).unwrap()
}

/// A small valid xlsx in rust_xlsxwriter's standard mode, which (unlike
/// `write_xlsx`) stores text in a shared string table like Excel does.
pub fn sample_xlsx_with_shared_strings() -> Vec<u8> {
    static SAMPLE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    SAMPLE
        .get_or_init(build_sample_xlsx_with_shared_strings)
        .clone()
}

fn build_sample_xlsx_with_shared_strings() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (col, header) in ["编号", "名称", "人数"].iter().enumerate() {
        ws.write_string(0, col as u16, *header).unwrap();
    }
    ws.write_string(1, 0, "007").unwrap();
    ws.write_string(1, 1, "第一党支部").unwrap();
    ws.write_number(1, 2, 12.0).unwrap();
    ws.write_string(2, 1, "第一党支部").unwrap();
    ws.write_boolean(2, 2, true).unwrap();
    wb.save_to_buffer().unwrap()
}

/// All entries of an archive, in order.
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

/// Builds an archive from entries, stored uncompressed.
pub fn rezip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for (name, data) in entries {
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// Replaces one entry's content.
pub fn with_entry(
    entries: &[(String, Vec<u8>)],
    name: &str,
    data: Vec<u8>,
) -> Vec<(String, Vec<u8>)> {
    entries
        .iter()
        .map(|(n, d)| {
            if n == name {
                (n.clone(), data.clone())
            } else {
                (n.clone(), d.clone())
            }
        })
        .collect()
}

/// A minimal xlsx whose first sheet has the given `<sheetData>` content.
pub fn xlsx_with_sheet_data(sheet_data: &str) -> Vec<u8> {
    let entries = unzip(&sample_xlsx());
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#
    );
    rezip(&with_entry(
        &entries,
        "xl/worksheets/sheet1.xml",
        sheet.into_bytes(),
    ))
}

thread_local! {
    static PANICS: StdCell<usize> = const { StdCell::new(0) };
}

/// Known upstream panics that `read_table` catches: calamine 0.38 does
/// unchecked `u32` arithmetic on cell references and dimensions (e.g. a
/// reversed `<dimension ref="C4:A1"/>` or a reference like
/// `AAAAAAAAAAA1`). With overflow checks (debug builds) that panics; in
/// release builds it wraps silently and the reader copes with any
/// coordinate. The fuzz tests found no other kind of panic.
fn is_known_upstream_panic(info: &std::panic::PanicHookInfo<'_>) -> bool {
    let in_calamine = info
        .location()
        .is_some_and(|l| l.file().contains("calamine-0.38"));
    let overflow = info
        .payload_as_str()
        .is_some_and(|m| m.starts_with("attempt to") && m.ends_with("with overflow"));
    in_calamine && overflow
}

/// Counts panics on the current thread, including ones caught internally
/// with `catch_unwind`, so tests can insist that nothing panicked at all.
/// The known upstream overflow panics described above are not counted.
pub fn panics_on_this_thread() -> usize {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !is_known_upstream_panic(info) {
                PANICS.with(|p| p.set(p.get() + 1));
            }
            default(info);
        }));
    });
    PANICS.with(|p| p.get())
}

/// `read_table`, asserting that it did not panic inside (a caught panic counts too).
pub fn read_no_panic(bytes: &[u8]) -> Result<sheet::Table, SheetError> {
    let before = panics_on_this_thread();
    let result = read_table(bytes);
    assert_eq!(
        panics_on_this_thread(),
        before,
        "read_table panicked internally"
    );
    result
}
