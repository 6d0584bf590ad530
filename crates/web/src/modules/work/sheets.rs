//! M3/M4 files: the text of an uploaded work plan (`.txt` in the encodings Chinese users
//! produce, or `.docx`), and the task and rectification ledgers as xlsx with the Chinese
//! headers a committee hands to its superiors.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use sheet::{Cell, Column};
use store::work::{Assignment, Rectification};

use crate::platform::error::AppError;
use crate::platform::i18n::Lang;

/// Largest `word/document.xml` read from a `.docx` (a zip bomb stops here).
const DOCX_XML_MAX: u64 = 32 * 1024 * 1024;
/// Longest text taken from a `.docx`, in bytes: what the parser reads at most
/// ([`domain::workplan::MAX_CHARS`] characters of up to 4 bytes). The limit holds while the
/// text is built, so numbering labels cannot blow it up.
const DOCX_TEXT_MAX: usize = domain::workplan::MAX_CHARS * 4;
/// Longest numbering label ("第十二章、", "（一）"); a longer `lvlText` is not a label.
const LABEL_MAX: usize = 16;

/// The text of an upload, detected by content: a zip is read as `.docx`, anything else as
/// text. Unreadable → 422 naming why.
pub fn plan_text(bytes: &[u8]) -> Result<String, AppError> {
    if bytes.starts_with(b"PK\x03\x04") {
        return docx_text(bytes);
    }
    if bytes.starts_with(b"%PDF") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(AppError::Unprocessable(
            "workplan.unsupported",
            String::new(),
        ));
    }
    if bytes.contains(&0) && !bytes.starts_with(&[0xFF, 0xFE]) && !bytes.starts_with(&[0xFE, 0xFF])
    {
        return Err(AppError::Unprocessable(
            "workplan.unsupported",
            String::new(),
        ));
    }
    sheet::decode_text(bytes).map_err(|_| AppError::Unprocessable("import.encoding", String::new()))
}

/// One part of the package, read with the size limit (the declared size can lie: the
/// reader stops at the limit either way). `None` when the part is absent.
fn docx_part(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<Vec<u8>>, AppError> {
    let corrupt = || AppError::Unprocessable("import.corrupt", String::new());
    let entry = match zip.by_name(name) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(_) => return Err(corrupt()),
    };
    if entry.size() > DOCX_XML_MAX {
        return Err(AppError::Unprocessable("import.too_large", "32 MiB".into()));
    }
    let mut xml = Vec::new();
    entry
        .take(DOCX_XML_MAX + 1)
        .read_to_end(&mut xml)
        .map_err(|_| corrupt())?;
    if xml.len() as u64 > DOCX_XML_MAX {
        return Err(AppError::Unprocessable("import.too_large", "32 MiB".into()));
    }
    Ok(Some(xml))
}

/// The `w:val` of an element.
fn val(e: &quick_xml::events::BytesStart) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == "val")
        .map(|a| a.value.to_string())
}

/// Word's automatic numbering (`word/numbering.xml`): the text a numbered paragraph shows
/// before its own ("1." or "一、"), which is not in `document.xml`.
#[derive(Default)]
struct Numbering {
    /// numId → abstractNumId.
    nums: std::collections::HashMap<String, String>,
    /// (abstractNumId, level) → (format, level text such as "%1." , start).
    levels: std::collections::HashMap<(String, usize), (String, String, u32)>,
    /// numId → the current count of each level.
    counters: std::collections::HashMap<String, [u32; 9]>,
}

impl Numbering {
    fn parse(xml: &[u8]) -> Numbering {
        let mut n = Numbering::default();
        let mut reader = quick_xml::Reader::from_reader(xml);
        reader.config_mut().check_end_names = false;
        let (mut abs, mut num, mut lvl): (Option<String>, Option<String>, Option<usize>) =
            (None, None, None);
        let (mut fmt, mut text, mut start) = (String::from("decimal"), String::new(), 1u32);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_event_into(&mut buf) {
                Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                    let attr = |k: &str| {
                        e.attributes()
                            .flatten()
                            .find(|a| a.key.local_name().as_ref() == k)
                            .map(|a| a.value.to_string())
                    };
                    match e.local_name().as_ref() {
                        "abstractNum" => abs = attr("abstractNumId"),
                        "lvl" => {
                            lvl = attr("ilvl").and_then(|v| v.parse().ok());
                            (fmt, text, start) = ("decimal".into(), String::new(), 1);
                        }
                        "numFmt" => fmt = val(&e).unwrap_or_default(),
                        "lvlText" => {
                            text = val(&e)
                                .filter(|t| t.chars().count() <= LABEL_MAX)
                                .unwrap_or_default()
                        }
                        "start" => start = val(&e).and_then(|v| v.parse().ok()).unwrap_or(1),
                        "num" => num = attr("numId"),
                        "abstractNumId" => {
                            if let (Some(id), Some(a)) = (num.clone(), val(&e)) {
                                n.nums.insert(id, a);
                            }
                        }
                        _ => {}
                    }
                }
                Ok(Event::End(e)) => {
                    if e.local_name().as_ref() == "lvl" {
                        if let (Some(a), Some(l)) = (abs.clone(), lvl.filter(|l| *l < 9)) {
                            n.levels.insert((a, l), (fmt.clone(), text.clone(), start));
                        }
                    }
                }
                Ok(Event::Eof) | Err(_) => break,
                Ok(_) => {}
            }
        }
        n
    }

    /// The label of the next paragraph numbered `num_id` at `ilvl`, counting it.
    fn next(&mut self, num_id: &str, ilvl: usize) -> Option<String> {
        let abs = self.nums.get(num_id)?.clone();
        let ilvl = ilvl.min(8);
        let (_, text, start) = self.levels.get(&(abs.clone(), ilvl))?.clone();
        let counts = self.counters.entry(num_id.to_string()).or_insert([0; 9]);
        counts[ilvl] = if counts[ilvl] == 0 {
            start
        } else {
            counts[ilvl].saturating_add(1)
        };
        for c in counts.iter_mut().skip(ilvl + 1) {
            *c = 0;
        }
        let counts = *counts;
        let mut label = text;
        for (l, count) in counts.iter().enumerate().take(ilvl + 1) {
            let fmt = self
                .levels
                .get(&(abs.clone(), l))
                .map(|v| v.0.as_str())
                .unwrap_or("decimal");
            let start = self.levels.get(&(abs.clone(), l)).map(|v| v.2).unwrap_or(1);
            label = label.replace(
                &format!("%{}", l + 1),
                &number_text((*count).max(start), fmt),
            );
        }
        // Nine levels of at most ten characters each fill a label of at most 16 + 9 × 10.
        Some(label)
    }
}

/// A count in a numbering format: Chinese numerals for the Chinese formats (一 … 九十九),
/// full-width digits, or plain digits.
fn number_text(n: u32, fmt: &str) -> String {
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match fmt {
        "chineseCounting"
        | "chineseCountingThousand"
        | "chineseLegalSimplified"
        | "ideographTraditional"
        | "japaneseCounting"
        | "taiwaneseCounting"
            if (1..100).contains(&n) =>
        {
            let (tens, ones) = ((n / 10) as usize, (n % 10) as usize);
            match (tens, ones) {
                (0, o) => DIGITS[o].to_string(),
                (1, 0) => "十".into(),
                (1, o) => format!("十{}", DIGITS[o]),
                (t, 0) => format!("{}十", DIGITS[t]),
                (t, o) => format!("{}十{}", DIGITS[t], DIGITS[o]),
            }
        }
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c))
            .collect(),
        _ => n.to_string(),
    }
}

/// The paragraphs of `word/document.xml`, one a line, each with the number Word's automatic
/// numbering shows before it. Page and line breaks inside a paragraph do not break it; tabs
/// become spaces.
pub fn docx_text(bytes: &[u8]) -> Result<String, AppError> {
    let corrupt = || AppError::Unprocessable("import.corrupt", String::new());
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| corrupt())?;
    let xml = docx_part(&mut zip, "word/document.xml")?
        .ok_or_else(|| AppError::Unprocessable("workplan.unsupported", String::new()))?;
    let mut numbering = docx_part(&mut zip, "word/numbering.xml")?
        .map(|x| Numbering::parse(&x))
        .unwrap_or_default();
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    reader.config_mut().check_end_names = false;
    let mut out = String::new();
    // The current paragraph's text, put after its numbering label at its end.
    let mut para = String::new();
    let mut in_text = false;
    // The current paragraph's numbering (numId, level).
    let (mut num_id, mut ilvl) = (None::<String>, 0usize);
    let mut buf = Vec::new();
    loop {
        if out.len() + para.len() > DOCX_TEXT_MAX {
            return Err(AppError::Unprocessable("import.too_large", "2 MiB".into()));
        }
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                "t" => in_text = true,
                "tab" => para.push(' '),
                "p" => {
                    out.push_str(&para);
                    para.clear();
                    (num_id, ilvl) = (None, 0);
                }
                _ => {}
            },
            Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                "tab" => para.push(' '),
                "numId" => num_id = val(&e).filter(|v| v != "0"),
                "ilvl" => ilvl = val(&e).and_then(|v| v.parse().ok()).unwrap_or(0),
                _ => {}
            },
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" => {
                    if let Some(label) = num_id.take().and_then(|n| numbering.next(&n, ilvl)) {
                        if !para.is_empty() {
                            out.push_str(&label);
                        }
                    }
                    out.push_str(&para);
                    para.clear();
                    out.push('\n');
                }
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => {
                para.push_str(&t.xml10_content());
            }
            Ok(Event::GeneralRef(r)) if in_text => {
                let name = r.into_inner();
                let ch = match name.as_ref() {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    n => n
                        .strip_prefix("#x")
                        .map(|h| u32::from_str_radix(h, 16).ok())
                        .unwrap_or_else(|| n.strip_prefix('#').and_then(|d| d.parse().ok()))
                        .and_then(char::from_u32),
                };
                para.extend(ch);
            }
            Ok(Event::Eof) => {
                out.push_str(&para);
                break;
            }
            Ok(_) => {}
            Err(_) => return Err(corrupt()),
        }
    }
    Ok(out)
}

pub(crate) fn columns(headers: &[(&str, f64)]) -> Vec<Column> {
    headers
        .iter()
        .map(|(h, w)| Column::new(*h).with_width(*w))
        .collect()
}

pub(crate) fn yes_no(b: bool) -> Cell {
    Cell::Text(if b { "是" } else { "否" }.into())
}

pub(crate) fn local_time(
    at: Option<chrono::DateTime<chrono::Utc>>,
    offset: chrono::FixedOffset,
) -> Cell {
    at.map(|t| Cell::DateTime(t.with_timezone(&offset).naive_local()))
        .unwrap_or(Cell::Empty)
}

/// A ledger sheet: with `title` (a page download, as people keep it) the title rows and a
/// 序号 column; without (the API export) the header in row 1 and the columns API users
/// read by name.
pub fn ledger(name: &str, columns: Vec<Column>, title: Option<sheet::Title>) -> sheet::Ledger {
    let people = title.is_some();
    let l = sheet::Ledger::new(name, columns).titled(title);
    if people {
        l.numbered("序号")
    } else {
        l
    }
}

pub const ASSIGNMENT_HEADERS: [&str; 10] = [
    "编号",
    "任务",
    "党组织",
    "下达日期",
    "完成时限",
    "状态",
    "进度（%）",
    "是否逾期",
    "最近报告时间",
    "任务编号",
];

/// The task ledger (工作台账).
pub fn assignments_xlsx(
    rows: Vec<(Assignment, String)>,
    offset: chrono::FixedOffset,
    title: Option<sheet::Title>,
) -> Result<Vec<u8>, AppError> {
    let widths = [8.0, 40.0, 32.0, 12.0, 12.0, 10.0, 10.0, 10.0, 18.0, 10.0];
    let cols: Vec<(&str, f64)> = ASSIGNMENT_HEADERS.iter().copied().zip(widths).collect();
    let rows = rows.into_iter().map(|(a, org)| {
        vec![
            Cell::Int(a.id),
            Cell::Text(a.task_title),
            Cell::Text(org),
            Cell::Date(a.issued_on),
            Cell::Date(a.due_on),
            Cell::Text(
                Lang::Zh
                    .code_label("assignment_state", a.state.as_str())
                    .into(),
            ),
            Cell::Int(a.progress),
            yes_no(a.overdue),
            local_time(a.last_report_at, offset),
            Cell::Int(a.task_id),
        ]
    });
    ledger("工作台账", columns(&cols), title)
        .write(rows)
        .map_err(|e| AppError::Internal(e.to_string()))
}

pub const RECTIFICATION_HEADERS: [&str; 12] = [
    "编号",
    "问题描述",
    "党组织",
    "严重程度",
    "来源",
    "发现日期",
    "整改时限",
    "状态",
    "是否逾期",
    "提交时间",
    "销号时间",
    "整改情况",
];

/// The rectification ledger (整改台账).
pub fn rectifications_xlsx(
    rows: Vec<(Rectification, String)>,
    offset: chrono::FixedOffset,
    title: Option<sheet::Title>,
) -> Result<Vec<u8>, AppError> {
    let widths = [
        8.0, 48.0, 32.0, 10.0, 10.0, 12.0, 12.0, 10.0, 10.0, 18.0, 18.0, 40.0,
    ];
    let cols: Vec<(&str, f64)> = RECTIFICATION_HEADERS.iter().copied().zip(widths).collect();
    let rows = rows.into_iter().map(|(r, org)| {
        vec![
            Cell::Int(r.id),
            Cell::Text(r.description),
            Cell::Text(org),
            Cell::Text(Lang::Zh.code_label("severity", r.severity.as_str()).into()),
            Cell::Text(
                Lang::Zh
                    .code_label("finding_source", r.source.as_str())
                    .into(),
            ),
            Cell::Date(r.found_on),
            Cell::Date(r.due_on),
            Cell::Text(
                Lang::Zh
                    .code_label("rectification_state", r.state.as_str())
                    .into(),
            ),
            yes_no(r.overdue),
            local_time(r.submitted_at, offset),
            local_time(r.verified_at, offset),
            r.response.map(Cell::Text).unwrap_or(Cell::Empty),
        ]
    });
    ledger("整改台账", columns(&cols), title)
        .write(rows)
        .map_err(|e| AppError::Internal(e.to_string()))
}

#[cfg(test)]
mod numbering_tests {
    use std::io::Write;

    use super::*;

    fn package(document: &str, numbering: Option<&str>) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("word/document.xml", opts).unwrap();
        zip.write_all(document.as_bytes()).unwrap();
        if let Some(n) = numbering {
            zip.start_file("word/numbering.xml", opts).unwrap();
            zip.write_all(n.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn para(num: Option<(u32, u32)>, text: &str) -> String {
        let ppr = num
            .map(|(id, lvl)| {
                format!(r#"<w:pPr><w:numPr><w:ilvl w:val="{lvl}"/><w:numId w:val="{id}"/></w:numPr></w:pPr>"#)
            })
            .unwrap_or_default();
        format!("<w:p>{ppr}<w:r><w:t>{text}</w:t></w:r></w:p>")
    }

    const NUMBERING: &str = r#"<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1．"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="（%2）"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
</w:numbering>"#;

    fn document(body: &str) -> String {
        format!(
            r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
        )
    }

    /// A 5 KB file once made 800 MB of labels: a 64,000-character `lvlText` on 12,500
    /// paragraphs. A label that long is no label, and the text stops at its limit as it grows.
    #[test]
    fn numbering_labels_and_text_are_bounded_while_built() {
        let huge = format!(
            r#"<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:lvlText w:val="{}%1"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#,
            "x".repeat(64_000)
        );
        let body = para(Some((1, 0)), "项").repeat(12_500);
        let text = docx_text(&package(&document(&body), Some(&huge))).unwrap();
        assert_eq!(text.len(), "项\n".len() * 12_500);
        // labels just under the limit, on enough paragraphs to pass the text limit → 422
        let long = NUMBERING.replace("%1、", &format!("{}%1", "长".repeat(LABEL_MAX - 2)));
        let n = DOCX_TEXT_MAX / (LABEL_MAX * 3) + 1;
        let body = para(Some((1, 0)), "项").repeat(n);
        let res = docx_text(&package(&document(&body), Some(&long)));
        assert!(
            matches!(res, Err(AppError::Unprocessable("import.too_large", _))),
            "the text was not stopped at its limit"
        );
    }

    #[test]
    fn automatic_numbers_are_put_back() {
        let body = [
            para(None, "2023年工作要点"),
            para(Some((1, 0)), "强化政治引领"),
            para(Some((2, 0)), "深入学习。正文"),
            para(Some((2, 1)), "子项"),
            para(Some((2, 0)), "加强理论武装。正文"),
            para(Some((1, 0)), "加强组织建设"),
            para(Some((2, 0)), "健全组织。正文"),
            para(Some((0, 0)), "numId 0 means none"),
        ]
        .concat();
        let doc = format!(
            r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
        );
        let text = docx_text(&package(&doc, Some(NUMBERING))).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "2023年工作要点",
                "一、强化政治引领",
                "1．深入学习。正文",
                "（1）子项",
                "2．加强理论武装。正文",
                "二、加强组织建设",
                "3．健全组织。正文",
                "numId 0 means none",
            ]
        );
        // The parser sees the sections and items Word numbered by itself.
        let plan = domain::workplan::parse(&text);
        let sections: Vec<(&str, &str, usize)> = plan
            .sections
            .iter()
            .map(|s| (s.no.as_str(), s.title.as_str(), s.items.len()))
            .collect();
        assert_eq!(
            sections,
            [("一", "强化政治引领", 2), ("二", "加强组织建设", 1)]
        );
        assert_eq!(plan.item_count(), 3);
        // Without numbering.xml the text is unchanged.
        let plain = docx_text(&package(&doc, None)).unwrap();
        assert!(plain.starts_with("2023年工作要点\n强化政治引领\n"));
    }

    #[test]
    fn chinese_and_full_width_numbers() {
        assert_eq!(number_text(1, "chineseCounting"), "一");
        assert_eq!(number_text(10, "chineseCounting"), "十");
        assert_eq!(number_text(16, "chineseCountingThousand"), "十六");
        assert_eq!(number_text(20, "chineseCounting"), "二十");
        assert_eq!(number_text(34, "chineseCounting"), "三十四");
        assert_eq!(number_text(12, "decimalFullWidth"), "１２");
        assert_eq!(number_text(7, "upperRoman"), "7");
    }
}
