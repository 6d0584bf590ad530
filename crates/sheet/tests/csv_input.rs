//! CSV / text uploads in the encodings and dialects office software produces.

use sheet::{read_table, read_table_with, Limits, Row, SheetError};

fn row(number: usize, cells: &[&str]) -> Row {
    Row {
        number,
        cells: cells.iter().map(|c| c.to_string()).collect(),
    }
}

const TEXT: &str = "名称,负责人,人数\r\n计算机学院党支部,张三,12\r\n数学学院党支部, 李四 ,8\r\n";

fn expect_basic(bytes: &[u8]) {
    let table = read_table(bytes).unwrap();
    assert_eq!(table.header, vec!["名称", "负责人", "人数"]);
    assert_eq!(
        table.rows,
        vec![
            row(2, &["计算机学院党支部", "张三", "12"]),
            row(3, &["数学学院党支部", "李四", "8"])
        ]
    );
}

#[test]
fn utf8() {
    expect_basic(TEXT.as_bytes());
}

#[test]
fn utf8_with_bom() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(TEXT.as_bytes());
    expect_basic(&bytes);
}

#[test]
fn gb18030() {
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(TEXT);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err());
    expect_basic(&bytes);
}

#[test]
fn gb18030_rare_characters() {
    // Characters outside GBK (four-byte GB18030 sequences), e.g. in names.
    let text = "姓名\n𠀀䶮\n";
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(text);
    assert!(!unmappable);
    assert_eq!(read_table(&bytes).unwrap().rows[0].cells, vec!["𠀀䶮"]);
}

#[test]
fn utf16le_with_bom_tab_separated() {
    // Excel's "Unicode text" export.
    let text = TEXT.replace(',', "\t");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    expect_basic(&bytes);
}

#[test]
fn utf16be_with_bom() {
    let mut bytes = vec![0xFE, 0xFF];
    bytes.extend(TEXT.encode_utf16().flat_map(u16::to_be_bytes));
    expect_basic(&bytes);
}

#[test]
fn semicolon_and_tab_delimiters() {
    expect_basic(TEXT.replace(',', ";").as_bytes());
    expect_basic(TEXT.replace(',', "\t").as_bytes());
}

#[test]
fn quoted_commas_newlines_and_quotes() {
    let text = "名称,备注,编号\n\"党支部,一\",\"第一行\r\n第二行\",\"007\"\n\"说 \"\"好\"\"\",,\n最后,x,1\n";
    let table = read_table(text.as_bytes()).unwrap();
    assert_eq!(
        table.rows,
        vec![
            row(2, &["党支部,一", "第一行\r\n第二行", "007"]),
            row(3, &["说 \"好\"", "", ""]),
            row(4, &["最后", "x", "1"]),
        ]
    );
}

#[test]
fn blank_rows_keep_sheet_row_numbers() {
    let text = "\n\n名称,人数\n\na,1\n,\n  ,\t\n\"多\n行\",2\n\r\nb,3";
    let table = read_table(text.as_bytes()).unwrap();
    assert_eq!(table.header, vec!["名称", "人数"]);
    // Rows as a spreadsheet program shows them: header on 3, a on 5,
    // the quoted two-line cell on 8, b on 10.
    assert_eq!(
        table.rows,
        vec![
            row(5, &["a", "1"]),
            row(8, &["多\n行", "2"]),
            row(10, &["b", "3"])
        ]
    );
}

#[test]
fn blank_rows_with_crlf_and_cr_only() {
    let crlf = "h\r\n\r\nx\r\n\r\n\r\ny\r\n";
    let numbers = |text: &str| -> Vec<usize> {
        read_table(text.as_bytes())
            .unwrap()
            .rows
            .iter()
            .map(|r| r.number)
            .collect()
    };
    assert_eq!(numbers(crlf), vec![3, 6]);
    let cr = crlf.replace("\r\n", "\r");
    assert_eq!(numbers(&cr), vec![3, 6]);
}

#[test]
fn ragged_rows_and_trailing_delimiters() {
    let text = "a,b,c,,,\n1\n1,2,3,4,,,,,,,,,,,\n";
    let table = read_table(text.as_bytes()).unwrap();
    assert_eq!(table.header, vec!["a", "b", "c"]);
    assert_eq!(
        table.rows,
        vec![row(2, &["1", "", ""]), row(3, &["1", "2", "3", "4"])]
    );
}

#[test]
fn not_utf8_nor_gb18030_is_encoding_error() {
    assert_eq!(
        read_table(b"name\n\xFF\xFF\xFF\n"),
        Err(SheetError::Encoding)
    );
    assert_eq!(read_table(b"a,b\n\x81\x20x\n"), Err(SheetError::Encoding));
    // Unpaired surrogate in UTF-16.
    assert_eq!(
        read_table(&[0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b', 0]),
        Err(SheetError::Encoding)
    );
}

#[test]
fn empty_inputs() {
    assert_eq!(read_table(b""), Err(SheetError::Empty));
    assert_eq!(read_table(b"\xEF\xBB\xBF"), Err(SheetError::Empty));
    assert_eq!(read_table(b"\r\n \r\n"), Err(SheetError::Empty));
    assert_eq!(read_table(b",,,\n,,\n"), Err(SheetError::Empty));
    assert_eq!(read_table(&[0xFF, 0xFE]), Err(SheetError::Empty));
}

#[test]
fn limits() {
    let limits = Limits {
        max_rows: 3,
        max_cols: 4,
        max_uncompressed_bytes: 1000,
    };
    let ok = "h\n1\n2\n3\n";
    assert_eq!(
        read_table_with(ok.as_bytes(), &limits).unwrap().rows.len(),
        3
    );
    let rows = "h\n1\n2\n3\n4\n";
    assert!(matches!(
        read_table_with(rows.as_bytes(), &limits),
        Err(SheetError::TooLarge { .. })
    ));
    let cols = "a,b,c,d,e\n";
    assert!(matches!(
        read_table_with(cols.as_bytes(), &limits),
        Err(SheetError::TooLarge { .. })
    ));
    // Trailing empty columns do not count.
    assert!(read_table_with(b"a,b,c,d,,,,,,\n", &limits).is_ok());
    let big = "x\n".repeat(600);
    assert!(matches!(
        read_table_with(big.as_bytes(), &limits),
        Err(SheetError::TooLarge { .. })
    ));
}

#[test]
fn default_row_limit() {
    let mut text = String::from("n\n");
    for i in 0..200_001 {
        text.push_str(&i.to_string());
        text.push('\n');
    }
    assert!(matches!(
        read_table(text.as_bytes()),
        Err(SheetError::TooLarge { .. })
    ));
}
