//! Write → read round trips and the xlsx reading rules.

use sheet::{read_table, write_csv, write_xlsx, Cell, Column, Format, Row, SheetError};

fn columns(names: &[&str]) -> Vec<Column> {
    names.iter().map(|n| Column::new(*n)).collect()
}

#[test]
fn xlsx_round_trip_keeps_text_numbers_and_blanks() {
    let cols = columns(&["编号", "名称", "成员数", "比例", "启用", "备注"]);
    let rows = vec![
        vec![
            Cell::from("007"),
            Cell::from("计算机学院第一党支部"),
            Cell::Int(42),
            Cell::Float(0.125),
            Cell::Bool(true),
            Cell::Empty,
        ],
        vec![
            Cell::from("0012"),
            Cell::from("Math & Physics <Society>"),
            Cell::Int(-3),
            Cell::Float(12.0),
            Cell::Bool(false),
            Cell::from("多行\n备注"),
        ],
        vec![
            Cell::from("1e5"),
            Cell::from("=SUM(A1:A2)"),
            Cell::Int(123_456_789_012_345_678),
            Cell::Float(0.1 + 0.2),
            Cell::Empty,
            Cell::from("_x0041_ literal"),
        ],
    ];
    let bytes = write_xlsx("社团", &cols, rows.clone()).unwrap();
    let table = read_table(&bytes).unwrap();

    assert_eq!(
        table.header,
        vec!["编号", "名称", "成员数", "比例", "启用", "备注"]
    );
    assert_eq!(table.rows.len(), 3);
    for (i, (row, expected)) in table.rows.iter().zip(&rows).enumerate() {
        assert_eq!(row.number, i + 2);
        let expected: Vec<String> = expected.iter().map(|c| c.to_string()).collect();
        assert_eq!(row.cells, expected, "row {}", row.number);
    }
    assert_eq!(table.rows[0].get(0), "007");
    assert_eq!(table.rows[1].get(3), "12");
    assert_eq!(table.rows[2].get(2), "123456789012345678");
    assert_eq!(table.rows[2].get(3), "0.3");
    assert_eq!(table.rows[0].get(4), "true");
    assert_eq!(table.rows[0].get(5), "");
    assert_eq!(table.column("名称"), Some(1));
}

#[test]
fn xlsx_rows_shorter_and_longer_than_header() {
    let bytes = write_xlsx(
        "s",
        &columns(&["a", "b", "c"]),
        vec![
            vec![Cell::from("x")],
            vec![],
            vec![Cell::Empty, Cell::Empty, Cell::Empty, Cell::from("extra")],
        ],
    )
    .unwrap();
    let table = read_table(&bytes).unwrap();
    assert_eq!(
        table.rows,
        vec![
            Row {
                number: 2,
                cells: vec!["x".into(), "".into(), "".into()]
            },
            Row {
                number: 4,
                cells: vec!["".into(), "".into(), "".into(), "extra".into()]
            },
        ]
    );
}

#[test]
fn xlsx_blank_rows_keep_sheet_numbers() {
    let rows = vec![
        vec![Cell::from("a")],
        vec![],
        vec![Cell::from("   ")],
        vec![Cell::from("b")],
    ];
    let bytes = write_xlsx("s", &columns(&["名称"]), rows).unwrap();
    let table = read_table(&bytes).unwrap();
    let numbers: Vec<usize> = table.rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, vec![2, 5]);
}

#[test]
fn xlsx_header_offset_and_trimming() {
    // Build a sheet whose table starts at C3 with rust_xlsxwriter directly.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(2, 2, "  姓名 ").unwrap();
    ws.write_string(2, 3, "\u{3000}学号").unwrap();
    ws.write_string(3, 2, " 张三").unwrap();
    ws.write_number(3, 3, 2024001.0).unwrap();
    ws.write_string(6, 3, "李四").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let table = read_table(&bytes).unwrap();
    assert_eq!(table.header, vec!["姓名", "学号"]);
    assert_eq!(
        table.rows,
        vec![
            Row {
                number: 4,
                cells: vec!["张三".into(), "2024001".into()]
            },
            Row {
                number: 7,
                cells: vec!["".into(), "李四".into()]
            },
        ]
    );
}

#[test]
fn xlsx_dates_errors_and_first_visible_sheet() {
    use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook};
    let mut wb = Workbook::new();
    let hidden = wb.add_worksheet();
    hidden.set_name("配置").unwrap();
    hidden.write_string(0, 0, "hidden").unwrap();
    hidden.set_hidden(true);
    let ws = wb.add_worksheet();
    ws.set_active(true);
    let date = XFormat::new().set_num_format("yyyy-mm-dd");
    let datetime = XFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    ws.write_string(0, 0, "日期").unwrap();
    ws.write_string(0, 1, "时间").unwrap();
    ws.write_string(0, 2, "公式").unwrap();
    let d = ExcelDateTime::from_ymd(2024, 7, 1).unwrap();
    ws.write_datetime_with_format(1, 0, &d, &date).unwrap();
    let dt = ExcelDateTime::from_ymd(2024, 7, 1)
        .unwrap()
        .and_hms(9, 30, 0)
        .unwrap();
    ws.write_datetime_with_format(1, 1, &dt, &datetime).unwrap();
    ws.write_formula(
        1,
        2,
        rust_xlsxwriter::Formula::new("=NA()").set_result("#N/A"),
    )
    .unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let table = read_table(&bytes).unwrap();
    assert_eq!(table.header, vec!["日期", "时间", "公式"]);
    assert_eq!(
        table.rows[0].cells,
        vec!["2024-07-01", "2024-07-01 09:30:00", "#N/A"]
    );
}

#[test]
fn xlsx_header_only_is_not_empty() {
    let bytes = write_xlsx("s", &columns(&["a", "b"]), Vec::<Vec<Cell>>::new()).unwrap();
    let table = read_table(&bytes).unwrap();
    assert_eq!(table.header, vec!["a", "b"]);
    assert!(table.rows.is_empty());
}

#[test]
fn xlsx_without_cells_is_empty() {
    let bytes = write_xlsx("s", &[], Vec::<Vec<Cell>>::new()).unwrap();
    assert_eq!(read_table(&bytes), Err(SheetError::Empty));
}

#[test]
fn xlsx_too_many_rows_and_cols() {
    let limits = sheet::Limits {
        max_rows: 10,
        max_cols: 3,
        ..Default::default()
    };
    let rows: Vec<Vec<Cell>> = (0..11).map(|i| vec![Cell::Int(i)]).collect();
    let bytes = write_xlsx("s", &columns(&["n"]), rows).unwrap();
    assert!(matches!(
        sheet::read_table_with(&bytes, &limits),
        Err(SheetError::TooLarge { .. })
    ));

    let rows: Vec<Vec<Cell>> = (0..10).map(|i| vec![Cell::Int(i)]).collect();
    let bytes = write_xlsx("s", &columns(&["n"]), rows).unwrap();
    assert_eq!(
        sheet::read_table_with(&bytes, &limits).unwrap().rows.len(),
        10
    );

    let bytes = write_xlsx(
        "s",
        &columns(&["a", "b", "c", "d"]),
        Vec::<Vec<Cell>>::new(),
    )
    .unwrap();
    assert!(matches!(
        sheet::read_table_with(&bytes, &limits),
        Err(SheetError::TooLarge { .. })
    ));
}

#[test]
fn write_xlsx_reports_excel_limits() {
    let long = "长".repeat(40_000);
    let err = write_xlsx("s", &columns(&["a"]), vec![vec![Cell::Text(long)]]).unwrap_err();
    assert!(matches!(err, SheetError::Write(_)));
}

#[test]
fn write_xlsx_sets_layout() {
    let cols = vec![Column::new("名称"), Column::new("说明").with_width(30.0)];
    let rows = vec![vec![
        Cell::from("中国共产党某某大学委员会组织部"),
        Cell::from("x"),
    ]];
    let bytes = write_xlsx("名录", &cols, rows).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut xml,
    )
    .unwrap();
    assert!(
        xml.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "{xml}"
    );
    assert!(xml.contains(r#"<autoFilter ref="A1:B2"/>"#), "{xml}");
    // 15 CJK characters = 30 units + 2 padding.
    assert!(
        xml.contains(r#"<col min="1" max="1" width="32.7109375""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<col min="2" max="2" width="30.7109375""#),
        "{xml}"
    );
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    assert!(
        styles.contains("<b/>") && styles.contains("FFD9D9D9"),
        "{styles}"
    );
    let mut workbook = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/workbook.xml").unwrap(), &mut workbook)
        .unwrap();
    assert!(workbook.contains(r#"name="名录""#), "{workbook}");
}

#[test]
fn csv_round_trip() {
    let cols = columns(&["编号", "名称", "备注"]);
    let rows = vec![
        vec![
            Cell::from("007"),
            Cell::from("党支部, 第一"),
            Cell::from("第一行\n第二行"),
        ],
        vec![Cell::Int(5), Cell::Float(2.5), Cell::from("=1+1")],
    ];
    let bytes = write_csv(&cols, rows);
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(sheet::detect_format(&bytes), Format::Text);
    let table = read_table(&bytes).unwrap();
    assert_eq!(table.header, vec!["编号", "名称", "备注"]);
    assert_eq!(
        table.rows[0].cells,
        vec!["007", "党支部, 第一", "第一行\n第二行"]
    );
    assert_eq!(table.rows[0].number, 2);
    assert_eq!(table.rows[1].cells, vec!["5", "2.5", "'=1+1"]);
    assert_eq!(table.rows[1].number, 3);
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut xml).unwrap();
    xml
}

#[test]
fn ledger_sheets_have_title_serial_dates_print_setup_and_drop_downs() {
    use chrono::NaiveDate;
    use sheet::{write_ledgers, Ledger, Title};
    let d = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
    let ledger = Ledger::new(
        "工作台账",
        vec![
            Column::new("任务"),
            Column::new("完成时限"),
            Column::new("状态").with_choices(&["已下达", "已报告"]),
        ],
    )
    .titled(Some(Title {
        text: "工作台账".into(),
        note: "单位：某党委　导出日期：2026年12月2日".into(),
    }))
    .numbered("序号");
    let rows = vec![
        vec![Cell::from("学习"), Cell::Date(d), Cell::from("已下达")],
        vec![
            Cell::from("调研"),
            Cell::DateTime(d.and_hms_opt(9, 30, 0).unwrap()),
            Cell::from("已报告"),
        ],
    ];
    let matrix = Ledger::new("按月", vec![Column::new("党组织"), Column::new("1月")]);
    let bytes = write_ledgers(vec![
        (ledger, Box::new(rows.into_iter())),
        (
            matrix,
            Box::new(std::iter::once(vec![Cell::from("甲"), Cell::Int(2)])),
        ),
    ])
    .unwrap();
    // read back: the header found under the title rows, the serial first, real dates
    let t = read_table(&bytes).unwrap();
    assert_eq!(t.header, ["序号", "任务", "完成时限", "状态"]);
    assert_eq!(t.rows[0].number, 4);
    assert_eq!(t.rows[0].cells, ["1", "学习", "2026-03-31", "已下达"]);
    assert_eq!(t.rows[1].cells[2], "2026-03-31 09:30:00");
    let xml = part(&bytes, "xl/worksheets/sheet1.xml");
    // the date is a number with a date format, not text
    assert!(xml.contains("<v>46112</v>"), "{xml}");
    assert!(xml.contains(r#"<mergeCell ref="A1:D1"/>"#), "{xml}");
    assert!(xml.contains(r#"<autoFilter ref="A3:D5"/>"#), "{xml}");
    assert!(xml.contains(r#"orientation="landscape""#), "{xml}");
    assert!(
        xml.contains(r#"paperSize="9""#) && xml.contains(r#"fitToHeight="0""#),
        "{xml}"
    );
    assert!(
        xml.contains("<fitToPage/>") || xml.contains(r#"fitToPage="1""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<dataValidation type="list""#) && xml.contains("已下达,已报告"),
        "{xml}"
    );
    assert!(
        xml.contains("<oddHeader>&amp;C工作台账</oddHeader>"),
        "{xml}"
    );
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains(r#"formatCode="yyyy-mm-dd""#), "{styles}");
    // the header row repeats on every printed page; the second sheet exists
    let workbook = part(&bytes, "xl/workbook.xml");
    assert!(workbook.contains("_xlnm.Print_Titles"), "{workbook}");
    assert!(workbook.contains("工作台账!$3:$3"), "{workbook}");
    assert!(workbook.contains(r#"name="按月""#), "{workbook}");
}
