//! Rough timings for the sheet crate.
//!
//! Run with `cargo run -p sheet --release --example bench_sheet`. Each step
//! runs several times; the minimum is the figure least disturbed by other
//! work on the machine.

use std::time::{Duration, Instant};

use sheet::{read_table, write_csv, write_xlsx, Cell, Column};

const RUNS: usize = 5;

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

/// Runs `f` RUNS times on fresh input and prints min / median wall time.
fn time<I, T>(label: &str, mut input: impl FnMut() -> I, mut f: impl FnMut(I) -> T) -> T {
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let data = input();
        let start = Instant::now();
        let result = f(data);
        times.push(start.elapsed());
        // Drop the previous result outside the timed region.
        last = Some(result);
    }
    times.sort();
    println!(
        "{label:<38} min {:>7.1} ms   median {:>7.1} ms",
        times[0].as_secs_f64() * 1e3,
        times[RUNS / 2].as_secs_f64() * 1e3
    );
    last.expect("RUNS > 0")
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
    let xlsx = time(
        "write_xlsx 20,000 rows x 10 cols",
        || data.clone(),
        |d| write_xlsx("数据", &columns, d).expect("write"),
    );
    println!("  xlsx size: {} KiB", xlsx.len() / 1024);

    let xlsx_10k = write_xlsx("数据", &columns, rows(10_000)).expect("write");
    let table = time(
        "read_table xlsx 10,000 rows",
        || (),
        |_| read_table(&xlsx_10k).expect("read"),
    );
    assert_eq!(table.rows.len(), 10_000);
    assert_eq!(table.rows[9_999].get(1), "计算机学院第8党支部");

    let table = time(
        "read_table xlsx 20,000 rows",
        || (),
        |_| read_table(&xlsx).expect("read"),
    );
    assert_eq!(table.rows.len(), 20_000);

    let csv = time(
        "write_csv 20,000 rows x 10 cols",
        || data.clone(),
        |d| write_csv(&columns, d),
    );
    println!("  csv size: {} KiB", csv.len() / 1024);
    let table = time(
        "read_table csv (UTF-8) 20,000 rows",
        || (),
        |_| read_table(&csv).expect("read csv"),
    );
    assert_eq!(table.rows.len(), 20_000);

    let (gb, _, _) = encoding_rs::GB18030.encode(std::str::from_utf8(&csv[3..]).expect("utf8"));
    let table = time(
        "read_table csv (GB18030) 20,000 rows",
        || (),
        |_| read_table(&gb).expect("read gb18030"),
    );
    assert_eq!(table.rows.len(), 20_000);
}
