//! Writes a realistic bulletin (通报) to `target/sample-bulletin.docx`, or to
//! the path given as the first argument. With `--html` as second argument
//! it also writes the HTML preview (with PREVIEW_CSS inlined in a <style>
//! for local viewing only) next to it.
//!
//! ```text
//! cargo run -p docx --example sample -- /tmp/sample-bulletin.docx
//! ```

use docx::{Block, Document, Table};

const ORGS: [&str; 10] = [
    "市物理学会党支部",
    "市化学化工学会党支部",
    "市机械工程学会党支部",
    "市计算机学会党支部",
    "市医学会党委",
    "市农学会党支部",
    "市电子学会党支部",
    "市土木建筑学会党支部",
    "市科普作家协会党支部",
    "市青年科技工作者协会联合党支部",
];

const PROBLEMS: [&str; 10] = [
    "“三会一课”记录不规范，部分支部委员会会议未形成会议纪要",
    "党费收缴标准未按规定核定，存在少缴现象",
    "主题党日活动内容单一，与学会业务结合不紧密",
    "发展党员档案材料不齐全，缺少政审材料",
    "组织生活会会前谈心谈话开展不充分",
    "党建工作责任清单未及时更新",
    "意识形态工作责任制落实台账不完整",
    "党员教育培训学时未达到规定要求",
    "换届工作未按期启动，支部委员会超期未换届",
    "学会章程未写入党建工作内容",
];

fn sample() -> Document {
    let done_rows: Vec<Vec<String>> = (0..30)
        .map(|i| {
            let month = 6 + i % 6;
            vec![
                (i + 1).to_string(),
                ORGS[i % ORGS.len()].to_string(),
                PROBLEMS[(i * 3) % PROBLEMS.len()].to_string(),
                format!("2023年{}月30日", month),
                format!("2023年{}月{}日", month, 10 + i % 18),
            ]
        })
        .collect();
    let overdue_rows: Vec<Vec<String>> = (0..4)
        .map(|i| {
            vec![
                (i + 1).to_string(),
                ORGS[(i * 7 + 3) % ORGS.len()].to_string(),
                PROBLEMS[(i * 7 + 1) % PROBLEMS.len()].to_string(),
                format!("2023年{}月30日", 9 + i % 3),
                format!("{}天", 81 - i * 20),
            ]
        })
        .collect();

    Document {
        issuer: "中共云川市科技社团委员会".into(),
        doc_number: "云科社党〔2023〕12号".into(),
        title: "关于2023年度督查整改落实情况的通报".into(),
        addressee: Some("各学会（协会、研究会）党组织：".into()),
        body: vec![
            Block::Paragraph(
                "为深入贯彻落实全面从严治党要求，推动党建工作督查发现问题整改落到实处，\
                 市科技社团党委于2023年11月至12月对各学会（协会、研究会）党组织督查整改落实情况\
                 进行了全面核查。现将有关情况通报如下。"
                    .into(),
            ),
            Block::Heading1("一、总体情况".into()),
            Block::Paragraph(
                "2023年度督查共发现问题34个，涉及党组织10个。截至2023年12月15日，\
                 已完成整改并销号30个，整改完成率88.2%；逾期未整改4个，占11.8%。\
                 从核查情况看，多数党组织高度重视，主要负责同志亲自部署、亲自督办，\
                 建立问题清单、责任清单、整改清单，做到了立行立改、真改实改。"
                    .into(),
            ),
            Block::Heading2("（一）整改责任压紧压实。".into()),
            Block::Paragraph(
                "各党组织书记切实履行第一责任人职责，将督查整改作为年度党建重点任务，\
                 逐项明确责任人和完成时限，定期调度整改进展。"
                    .into(),
            ),
            Block::Heading2("（二）制度机制逐步健全。".into()),
            Block::Paragraph(
                "市医学会党委、市计算机学会党支部等结合整改，修订完善了“三会一课”、\
                 党费收缴使用管理等制度，形成了一批可复制、可推广的经验做法。"
                    .into(),
            ),
            Block::Heading1("二、已整改销号问题".into()),
            Block::Paragraph("已整改销号问题清单如下：".into()),
            Block::Table(Table {
                caption: Some("表1  已整改销号问题清单".into()),
                header: ["序号", "党组织", "问题", "整改时限", "销号日期"]
                    .map(String::from)
                    .to_vec(),
                rows: done_rows,
                widths: Some(vec![7, 18, 27, 24, 24]),
            }),
            Block::Heading1("三、逾期未整改问题".into()),
            Block::Paragraph(
                "以下问题已超过整改时限仍未完成整改，相关党组织要认真分析原因，\
                 于2024年1月15日前将整改情况书面报送市科技社团党委组织部。"
                    .into(),
            ),
            Block::Table(Table {
                caption: Some("表2  逾期未整改问题清单".into()),
                header: ["序号", "党组织", "问题", "整改时限", "逾期天数"]
                    .map(String::from)
                    .to_vec(),
                rows: overdue_rows,
                widths: Some(vec![7, 18, 27, 24, 24]),
            }),
            Block::Heading1("四、下一步工作要求".into()),
            Block::Heading2("（一）提高政治站位。".into()),
            Block::Paragraph(
                "各党组织要充分认识督查整改工作的重要性，把整改落实作为检验“四个意识”的重要标尺，\
                 坚决防止敷衍整改、虚假整改。"
                    .into(),
            ),
            Block::Heading2("（二）强化跟踪问效。".into()),
            Block::Paragraph(
                "市科技社团党委将对逾期未整改问题实行挂牌督办，对整改不力的党组织进行约谈，\
                 并将整改情况纳入年度党建工作考核。"
                    .into(),
            ),
            Block::Heading2("（三）建立长效机制。".into()),
            Block::Paragraph(
                "各党组织要举一反三，对照督查发现的共性问题开展自查自纠，\
                 健全完善党建工作制度，推动学会党建工作高质量发展。"
                    .into(),
            ),
        ],
        signature: "中共云川市科技社团委员会".into(),
        date: "2023年12月20日".into(),
        copy_to: Some("市科协党组".into()),
        printed_by: Some("中共云川市科技社团委员会办公室".into()),
        layout: docx::Layout::Party,
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| "target/sample-bulletin.docx".to_string());
    let doc = sample();
    let bytes = docx::write(&doc).expect("write docx");
    if let Some(dir) = std::path::Path::new(&path).parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).expect("create output directory");
        }
    }
    std::fs::write(&path, &bytes).expect("write file");
    println!("wrote {} ({} bytes)", path, bytes.len());

    if args.next().as_deref() == Some("--html") {
        let html_path = format!("{path}.html");
        let page = format!(
            "<!doctype html><meta charset=\"utf-8\"><style>body{{background:#ddd}}{}</style>{}",
            docx::PREVIEW_CSS,
            docx::to_html(&doc)
        );
        std::fs::write(&html_path, page).expect("write html");
        println!("wrote {html_path}");
    }
}
