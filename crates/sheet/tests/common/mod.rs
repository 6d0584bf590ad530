//! Helpers to build (broken) xlsx archives for the hostile-input tests.
#![allow(dead_code)]

use std::cell::Cell as StdCell;
use std::io::{Cursor, Read, Write};
use std::sync::Once;

use sheet::{write_xlsx, Cell, Column};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// A small valid xlsx written by this crate.
pub fn sample_xlsx() -> Vec<u8> {
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

/// Known upstream panics that `read_table` catches: calamine 0.38's
/// `get_dimension` subtracts `u32`s unchecked, so a reversed
/// `<dimension ref="C4:A1"/>` overflows in debug builds (it wraps silently
/// in release builds, where overflow checks are off). Found by the fuzz
/// tests; the only panic they found.
const KNOWN_UPSTREAM_PANICS: &[(&str, u32)] = &[
    ("calamine-0.38.0/src/xlsx/mod.rs", 3048),
    ("calamine-0.38.0/src/xlsx/mod.rs", 3049),
];

/// Counts panics on the current thread, including ones caught internally
/// with `catch_unwind`, so tests can insist that nothing panicked at all.
/// The known upstream panics listed above are not counted.
pub fn panics_on_this_thread() -> usize {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let known = info.location().is_some_and(|l| {
                KNOWN_UPSTREAM_PANICS
                    .iter()
                    .any(|(file, line)| l.file().ends_with(file) && l.line() == *line)
            });
            if !known {
                PANICS.with(|p| p.set(p.get() + 1));
            }
            default(info);
        }));
    });
    PANICS.with(|p| p.get())
}
