//! Property tests: `read_table` never panics, whatever the bytes, and what
//! `write_xlsx` / `write_csv` write reads back identically.

mod common;

use common::*;
use proptest::prelude::*;
use sheet::{read_table, write_csv, write_xlsx, Cell, Column};

/// Overwrites, inserts or deletes bytes at the given positions.
fn mutate(data: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut out = data.to_vec();
    for &(pos, kind, byte) in edits {
        if out.is_empty() {
            out.push(byte);
            continue;
        }
        let pos = pos % out.len();
        match kind % 4 {
            0 => out[pos] = byte,
            1 => out.insert(pos, byte),
            2 => {
                out.remove(pos);
            }
            // Digits and markup characters hit the interesting parser paths.
            _ => out[pos] = b"0123456789<>\"=/:&;ABCXFDrcvst"[byte as usize % 29],
        }
    }
    out
}

/// What the reader yields for a written cell: its text, trimmed like
/// `read_table` trims (whitespace, zero-width space, BOM).
fn expected_text(cell: &Cell) -> String {
    cell.to_string()
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}'))
        .to_owned()
}

/// Cells to write. xlsx carries any text (control characters are escaped as
/// `_xHHHH_`); CSV text with control characters would be refused as binary.
fn cell_strategy(controls: bool) -> impl Strategy<Value = Cell> {
    let any_text = if controls {
        "[^\\u{FFFE}\\u{FFFF}]{0,20}"
    } else {
        "[^\\p{Cc}]{0,20}"
    };
    prop_oneof![
        any_text.prop_map(Cell::Text),
        "[ \t\n\u{3000}]{0,2}[\u{4e00}-\u{4e20}a-z]{0,5}[ \t\n\u{3000}]{0,2}".prop_map(Cell::Text),
        "[0-9]{1,18}".prop_map(Cell::Text),
        any::<i64>().prop_map(Cell::Int),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Cell::Float),
        any::<bool>().prop_map(Cell::Bool),
        Just(Cell::Empty),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_no_panic(&bytes);
    }

    #[test]
    fn never_panics_on_zip_magic_prefix(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut data = b"PK\x03\x04".to_vec();
        data.extend_from_slice(&bytes);
        let _ = read_no_panic(&data);
    }

    #[test]
    fn never_panics_on_text_like_bytes(text in "[a-z,;\t\"\r\n \u{4e00}-\u{4e20}]{0,200}") {
        let _ = read_no_panic(text.as_bytes());
        let (gb, _, _) = encoding_rs::GB18030.encode(&text);
        let _ = read_no_panic(&gb);
    }

    /// Byte edits anywhere in a valid xlsx (mostly hits the zip structure).
    #[test]
    fn never_panics_on_damaged_xlsx(edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..8)) {
        let _ = read_no_panic(&mutate(&sample_xlsx(), &edits));
    }

    /// Edits inside the XML parts of an otherwise valid archive, so the
    /// damage reaches calamine's XML parsers instead of the zip checksums.
    #[test]
    fn never_panics_on_damaged_xml_parts(
        shared_strings in any::<bool>(),
        part in 0usize..16,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..12),
    ) {
        let sample = if shared_strings { sample_xlsx_with_shared_strings() } else { sample_xlsx() };
        let entries = unzip(&sample);
        let index = part % entries.len();
        let damaged = mutate(&entries[index].1, &edits);
        let name = entries[index].0.clone();
        let _ = read_no_panic(&rezip(&with_entry(&entries, &name, damaged)));
    }

    #[test]
    fn xlsx_round_trip(rows in proptest::collection::vec(proptest::collection::vec(cell_strategy(true), 0..6), 0..12)) {
        let columns: Vec<Column> = (0..4).map(|i| Column::new(format!("列{i}"))).collect();
        let bytes = write_xlsx("数据", &columns, rows.clone()).unwrap();
        let table = read_table(&bytes).unwrap();
        prop_assert_eq!(&table.header, &vec!["列0", "列1", "列2", "列3"]);
        let expected: Vec<(usize, Vec<String>)> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (i + 2, r.iter().map(expected_text).collect::<Vec<_>>()))
            .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
            .collect();
        prop_assert_eq!(table.rows.len(), expected.len());
        for (row, (number, cells)) in table.rows.iter().zip(&expected) {
            prop_assert_eq!(row.number, *number);
            for (i, cell) in cells.iter().enumerate() {
                prop_assert_eq!(row.get(i), cell.as_str());
            }
            prop_assert!(row.cells.iter().skip(cells.len()).all(|c| c.is_empty()));
        }
    }

    #[test]
    fn csv_round_trip(rows in proptest::collection::vec(proptest::collection::vec(cell_strategy(false), 1..6), 0..12)) {
        let columns: Vec<Column> = (0..4).map(|i| Column::new(format!("列{i}"))).collect();
        let bytes = write_csv(&columns, rows.clone());
        let table = read_table(&bytes).unwrap();
        prop_assert_eq!(&table.header, &vec!["列0", "列1", "列2", "列3"]);
        let expected: Vec<Vec<String>> = rows
            .iter()
            .map(|r| r.iter().map(|c| match c {
                Cell::Text(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.trim().parse::<f64>().is_err() => {
                    expected_text(&Cell::Text(format!("'{s}")))
                }
                other => expected_text(other),
            }).collect::<Vec<_>>())
            .filter(|cells| cells.iter().any(|c| !c.is_empty()))
            .collect();
        prop_assert_eq!(table.rows.len(), expected.len());
        for (row, cells) in table.rows.iter().zip(&expected) {
            for (i, cell) in cells.iter().enumerate() {
                prop_assert_eq!(row.get(i), cell.as_str());
            }
        }
    }
}
