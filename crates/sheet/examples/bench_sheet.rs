//! Rough timings for the sheet crate.
//!
//! Run with `cargo run -p sheet --release --example bench_sheet`.

use std::time::Instant;

use sheet::{read_table, write_csv, write_xlsx, Cell, Column};

fn rows(n: usize) -> Vec<Vec<Cell>> {
    (0..n)
        .map(|i| {
            vec![
                Cell::Text(format!("{i:06}")),
                Cell::Text(format!("计算机学院第{}党支部", i % 97)),
                Cell::Text(["张三", "李四", "王五", "赵六"][i % 4].to_owned()),
                Cell::Text(format!("1380013{:04}", i % 10_000)),
                Cell::Int((i % 300) as i64),
                Cell::Float(i as f64 / 7.0),
                Cell::Bool(i % 2 == 0),
                Cell::Text("2024-07-01".to_owned()),
                Cell::Text(format!("备注：第 {i} 行，包含一些较长的中文说明文字")),
                if i % 3 == 0 {
                    Cell::Empty
                } else {
                    Cell::Int(i as i64 * 1000)
                },
            ]
        })
        .collect()
}

fn main() {
    let columns: Vec<Column> = [
        "编号",
        "名称",
        "负责人",
        "电话",
        "人数",
        "比例",
        "启用",
        "日期",
        "备注",
        "金额",
    ]
    .iter()
    .map(|h| Column::new(*h))
    .collect();

    let data = rows(20_000);
    let start = Instant::now();
    let xlsx = write_xlsx("数据", &columns, data.clone()).expect("write");
    let write_20k = start.elapsed();
    println!(
        "write_xlsx 20,000 x 10: {:>8.1} ms ({} KiB)",
        write_20k.as_secs_f64() * 1e3,
        xlsx.len() / 1024
    );

    let start = Instant::now();
    let table = read_table(&xlsx).expect("read");
    println!(
        "read_table xlsx 20,000 rows: {:>8.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    assert_eq!(table.rows.len(), 20_000);

    let xlsx_10k = write_xlsx("数据", &columns, rows(10_000)).expect("write");
    let start = Instant::now();
    let table = read_table(&xlsx_10k).expect("read");
    println!(
        "read_table xlsx 10,000 rows: {:>8.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    assert_eq!(table.rows.len(), 10_000);

    let start = Instant::now();
    let csv = write_csv(&columns, data);
    println!(
        "write_csv 20,000 x 10: {:>8.1} ms ({} KiB)",
        start.elapsed().as_secs_f64() * 1e3,
        csv.len() / 1024
    );
    let start = Instant::now();
    let table = read_table(&csv).expect("read csv");
    println!(
        "read_table csv 20,000 rows: {:>8.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    assert_eq!(table.rows.len(), 20_000);

    let (gb, _, _) = encoding_rs::GB18030.encode(std::str::from_utf8(&csv[3..]).expect("utf8"));
    let start = Instant::now();
    let table = read_table(&gb).expect("read gb18030");
    println!(
        "read_table GB18030 csv 20,000 rows: {:>8.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    assert_eq!(table.rows.len(), 20_000);
}
