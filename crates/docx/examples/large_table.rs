//! Times writing a bulletin with a 20,000-row table (run with --release).
//!
//! ```text
//! cargo run --release -p docx --example large_table [rows]
//! ```

use std::time::Instant;

use docx::{Block, Document, Table};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let rows: Vec<Vec<String>> = (0..n)
        .map(|i| {
            vec![
                (i + 1).to_string(),
                format!("市第{}学会党支部", i % 97),
                format!("“三会一课”记录不规范，部分支部委员会会议未形成会议纪要（{i}）"),
                format!("2023年{}月30日", 1 + i % 12),
                format!("2023年{}月{}日", 1 + i % 12, 1 + i % 28),
            ]
        })
        .collect();
    let doc = Document {
        issuer: "中共云川市科技社团委员会".into(),
        doc_number: "云科社党〔2023〕99号".into(),
        title: "关于整改台账的通报".into(),
        addressee: Some("各学会党组织：".into()),
        body: vec![Block::Table(Table {
            caption: Some("整改台账".into()),
            header: ["序号", "党组织", "问题", "整改时限", "销号日期"]
                .map(String::from)
                .to_vec(),
            rows,
            widths: Some(vec![7, 18, 27, 24, 24]),
        })],
        signature: "中共云川市科技社团委员会".into(),
        date: "2023年12月20日".into(),
        copy_to: None,
        printed_by: None,
        layout: docx::Layout::Standard,
    };
    let t = Instant::now();
    let bytes = docx::write(&doc).expect("write");
    let write = t.elapsed();
    let t = Instant::now();
    let html = docx::to_html(&doc);
    let html_t = t.elapsed();
    println!(
        "{n} rows: docx {} bytes in {:.1} ms; html {} bytes in {:.1} ms",
        bytes.len(),
        write.as_secs_f64() * 1e3,
        html.len(),
        html_t.as_secs_f64() * 1e3
    );
}
