//! M3: parsing a work-points document (工作要点) into sections and numbered items.
//!
//! The text is what a paste, a `.txt` or a `.docx` gives: the notice's header lines, a
//! preamble, then sections (`一、…`) with numbered items (`1.` `1．` `1、`, digits half- or
//! full-width). Page breaks leave blank lines, form feeds, page-number lines (`— 3 —`,
//! `- 3 -`, `第 3 页`) and repeated running headers in the middle of an item; an item's text
//! continues across them. Everything before the first section or item is preamble; the
//! signature block after the last item (issuer, date, 抄送/印发 lines) ends the plan.
//!
//! An item's `title` is its text up to the first `。` (without the `。`), its `body` the rest.
//! A continuation paragraph is joined without a break when the text before it stops in mid
//! sentence (a page break), with a line break when the text before it ended a sentence.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedItem {
    pub no: u32,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedSection {
    /// The Chinese numeral as written (`一`); empty for items before any section.
    pub no: String,
    pub title: String,
    pub items: Vec<ParsedItem>,
}

/// A problem with the numbering, shown on the confirmation page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// Numbers are missing between `after` and `found` (`after` 0: the first is not 1).
    Gap { after: u32, found: u32 },
    /// The same number twice in a row.
    Repeat { no: u32 },
    /// A number smaller than the one before.
    OutOfOrder { after: u32, found: u32 },
    /// Section numerals not in sequence (`一` then `三`).
    SectionGap { after: String, found: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedPlan {
    /// A title found in the preamble (a line ending in 工作要点/工作计划…), if any.
    pub title: Option<String>,
    /// A year found in that title.
    pub year: Option<i32>,
    pub sections: Vec<ParsedSection>,
    pub warnings: Vec<Warning>,
}

impl ParsedPlan {
    pub fn item_count(&self) -> usize {
        self.sections.iter().map(|s| s.items.len()).sum()
    }
}

/// Most characters parsed; longer input is cut (a work plan is a few pages).
pub const MAX_CHARS: usize = 500_000;

/// Maps full-width digits, letters and punctuation (U+FF01..U+FF5E) to ASCII and the
/// ideographic space to a space, except `．` and `、`-like marks that matter as they are.
fn half_width(c: char) -> char {
    match c {
        '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFF10 + '0' as u32).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' => ' ',
        _ => c,
    }
}

fn is_blank_char(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}')
}

/// One line, trimmed and with full-width digits made ASCII.
fn normalize(line: &str) -> String {
    line.trim_matches(is_blank_char)
        .chars()
        .map(half_width)
        .collect()
}

/// `1.` `1．` `1、` `1 .` at the start of a line: the number and the rest. A digit or a
/// further dot right after the mark (`2023.4`, `1..`) is not an item.
fn item_start(line: &str) -> Option<(u32, &str)> {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let no: u32 = line[..digits].parse().ok()?;
    let rest = line[digits..].trim_start_matches(' ');
    let mut chars = rest.chars();
    let mark = chars.next()?;
    if !matches!(mark, '.' | '．' | '、' | '。') {
        return None;
    }
    // `1。` only when typed as a mis-hit for `1．` followed by text.
    let after = chars.as_str();
    let next = after.chars().next();
    if next.is_none_or(|c| c.is_ascii_digit() || matches!(c, '.' | '．' | '%' | '％')) {
        return None;
    }
    if no == 0 {
        return None;
    }
    Some((no, after.trim_start_matches(is_blank_char)))
}

const CN_DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// Chinese numerals 一 … 九十九.
fn cn_number(s: &str) -> Option<u32> {
    let digit = |c: char| CN_DIGITS.iter().position(|d| *d == c).map(|p| p as u32);
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [a] if *a == '十' => Some(10),
        [a] => digit(*a).filter(|n| *n > 0),
        ['十', b] => digit(*b).filter(|n| *n > 0).map(|n| 10 + n),
        [a, '十'] => digit(*a).filter(|n| *n > 1).map(|n| n * 10),
        [a, '十', b] => Some(digit(*a).filter(|n| *n > 1)? * 10 + digit(*b).filter(|n| *n > 0)?),
        _ => None,
    }
}

fn cn_numeral(n: u32) -> String {
    let d = |n: u32| CN_DIGITS[n as usize].to_string();
    match n {
        1..=9 => d(n),
        10 => "十".into(),
        11..=19 => format!("十{}", d(n - 10)),
        20..=99 if n.is_multiple_of(10) => format!("{}十", d(n / 10)),
        20..=99 => format!("{}十{}", d(n / 10), d(n % 10)),
        _ => n.to_string(),
    }
}

/// `一、突出政治铸魂…` (also `一．` `一.`): the numeral, its value and the title.
fn section_start(line: &str) -> Option<(&str, u32, &str)> {
    let end = line
        .char_indices()
        .take_while(|(_, c)| CN_DIGITS[1..].contains(c) || *c == '十')
        .last()
        .map(|(i, c)| i + c.len_utf8())?;
    let numeral = &line[..end];
    let value = cn_number(numeral)?;
    let rest = &line[end..];
    let mut chars = rest.chars();
    if !matches!(chars.next()?, '、' | '．' | '.') {
        return None;
    }
    let title = chars.as_str().trim_matches(is_blank_char);
    if title.is_empty() {
        return None;
    }
    Some((numeral, value, title))
}

/// A page number left by a page break: `— 3 —`, `- 3 -`, `3`, `第 3 页`, `第3页 共5页`, `3/5`.
fn is_page_number(line: &str) -> bool {
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        return false;
    }
    let stripped = t.trim_matches(|c: char| matches!(c, '-' | '—' | '–' | '－' | '─' | '·'));
    if !stripped.is_empty() && stripped.len() <= 4 && stripped.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    if let Some((a, b)) = stripped.split_once('/') {
        if !a.is_empty()
            && !b.is_empty()
            && a.len() <= 4
            && b.len() <= 4
            && a.chars().chain(b.chars()).all(|c| c.is_ascii_digit())
        {
            return true;
        }
    }
    if stripped.starts_with('第') && stripped.contains('页') {
        let inner: String = stripped
            .chars()
            .filter(|c| !matches!(c, '第' | '页' | '共'))
            .collect();
        return !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit());
    }
    false
}

/// `2023年4月14日` alone on a line: the date of a signature.
fn is_date_line(line: &str) -> bool {
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(rest) = t.strip_suffix('日') else {
        return false;
    };
    let parts: Vec<&str> = rest.split(['年', '月']).collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
}

/// The lines after the last item that end the document rather than continue it.
fn is_closing(line: &str) -> bool {
    is_date_line(line)
        || ["抄送", "印发", "附件", "（此件", "(此件"]
            .iter()
            .any(|p| line.starts_with(p))
}

/// Ends a sentence: what follows it is a new paragraph, not a page-break continuation.
fn ends_sentence(text: &str) -> bool {
    text.trim_end().chars().last().is_some_and(|c| {
        matches!(
            c,
            '。' | '！' | '？' | '；' | '：' | '”' | '」' | '）' | '!' | '?'
        )
    })
}

/// A short line without sentence punctuation: a header, title or signature line.
fn is_label_line(line: &str) -> bool {
    line.chars().count() <= 40 && !line.contains('。') && !line.contains('，')
}

/// Splits an item's text at its first `。`; a title is at most [`crate::work::TITLE_MAX`]
/// characters like every other title, the rest of a longer first sentence opening the body.
fn split_title(text: &str) -> (String, String) {
    let (t, b) = match text.split_once('。') {
        Some((t, b)) => (t.trim(), b.trim()),
        None => (text.trim(), ""),
    };
    match t.char_indices().nth(crate::work::TITLE_MAX) {
        Some((cut, _)) => {
            let rest = t[cut..].trim();
            let body = match (text.contains('。'), b.is_empty()) {
                (true, true) => format!("{rest}。"),
                (true, false) => format!("{rest}。{b}"),
                (false, _) => rest.to_string(),
            };
            (t[..cut].trim_end().to_string(), body)
        }
        None => (t.to_string(), b.to_string()),
    }
}

fn plan_title(preamble: &[String]) -> (Option<String>, Option<i32>) {
    const ENDINGS: [&str; 4] = ["工作要点", "工作计划", "工作安排", "要点"];
    let found = preamble
        .iter()
        .rev()
        .find(|l| is_label_line(l) && ENDINGS.iter().any(|e| l.ends_with(e)))
        .cloned();
    let year = found.as_deref().and_then(|t| {
        let digits: String = t
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        digits
            .parse::<i32>()
            .ok()
            .filter(|y| (1949..=2200).contains(y))
    });
    // `党委 2023 年` as typeset → `党委2023年`: spaces stay only between Latin words.
    let title = found.map(|t| {
        let chars: Vec<char> = t.chars().collect();
        chars
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                **c != ' '
                    || (*i > 0
                        && chars[i - 1].is_ascii_alphabetic()
                        && chars.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic()))
            })
            .map(|(_, c)| *c)
            .collect::<String>()
    });
    (title, year)
}

/// Parses the text. Never panics; an input without items gives a plan without sections.
pub fn parse(text: &str) -> ParsedPlan {
    let text: String = text.chars().take(MAX_CHARS).collect();
    let lines: Vec<String> = text
        .split(['\n', '\r', '\u{000C}', '\u{2028}', '\u{2029}', '\u{000B}'])
        .map(normalize)
        .collect();

    // The preamble: everything before the first section or item line.
    let start = lines
        .iter()
        .position(|l| section_start(l).is_some() || item_start(l).is_some())
        .unwrap_or(lines.len());
    let preamble: Vec<String> = lines[..start]
        .iter()
        .filter(|l| !l.is_empty())
        .cloned()
        .collect();
    let (title, year) = plan_title(&preamble);

    // Running headers: short lines that repeat a preamble line, or repeat in the body.
    let mut counts = std::collections::HashMap::<&str, usize>::new();
    for l in &lines[start..] {
        if !l.is_empty()
            && is_label_line(l)
            && item_start(l).is_none()
            && section_start(l).is_none()
        {
            *counts.entry(l.as_str()).or_default() += 1;
        }
    }
    let is_running_header = |l: &str| {
        is_label_line(l)
            && (counts.get(l).copied().unwrap_or(0) > 1 || preamble.iter().any(|p| p == l))
    };

    let mut sections: Vec<ParsedSection> = Vec::new();
    let mut warnings = Vec::new();
    // The open item: its number and its text so far.
    let mut open: Option<(u32, String)> = None;
    let mut last_no: Option<u32> = None;
    let mut last_section: Option<(String, u32)> = None;
    let mut closing = false;

    fn close(sections: &mut Vec<ParsedSection>, open: &mut Option<(u32, String)>) {
        if let Some((no, text)) = open.take() {
            let (title, body) = split_title(&text);
            if sections.is_empty() {
                sections.push(ParsedSection {
                    no: String::new(),
                    title: String::new(),
                    items: Vec::new(),
                });
            }
            if let Some(s) = sections.last_mut() {
                s.items.push(ParsedItem { no, title, body });
            }
        }
    }

    let mut i = start;
    while i < lines.len() {
        let line = &lines[i];
        i += 1;
        if line.is_empty() || is_page_number(line) {
            continue;
        }
        if let Some((numeral, value, stitle)) = section_start(line) {
            close(&mut sections, &mut open);
            closing = false;
            if let Some((prev_numeral, prev)) = &last_section {
                if value != prev + 1 {
                    warnings.push(Warning::SectionGap {
                        after: prev_numeral.clone(),
                        found: numeral.to_string(),
                    });
                }
            } else if value != 1 {
                warnings.push(Warning::SectionGap {
                    after: String::new(),
                    found: numeral.to_string(),
                });
            }
            last_section = Some((numeral.to_string(), value));
            sections.push(ParsedSection {
                no: numeral.to_string(),
                title: stitle.to_string(),
                items: Vec::new(),
            });
            continue;
        }
        if let Some((no, rest)) = item_start(line) {
            close(&mut sections, &mut open);
            closing = false;
            let section_fresh = sections.last().is_some_and(|s| s.items.is_empty());
            match last_no {
                // Numbering may start again at 1 in each section.
                _ if no == 1 && section_fresh => {}
                None if no != 1 => warnings.push(Warning::Gap {
                    after: 0,
                    found: no,
                }),
                None => {}
                Some(prev) if no == prev => warnings.push(Warning::Repeat { no }),
                Some(prev) if no < prev => warnings.push(Warning::OutOfOrder {
                    after: prev,
                    found: no,
                }),
                Some(prev) if no > prev + 1 => warnings.push(Warning::Gap {
                    after: prev,
                    found: no,
                }),
                Some(_) => {}
            }
            last_no = Some(no);
            open = Some((no, rest.to_string()));
            continue;
        }
        // A continuation line, a running header, or the closing block.
        if closing || is_closing(line) {
            closing = true;
            continue;
        }
        if is_running_header(line) {
            continue;
        }
        let Some((_, text)) = open.as_mut() else {
            // Text between a section heading and its first item: part of the heading's
            // explanation, not an item.
            continue;
        };
        // A short label line directly before the closing date is the signature.
        if is_label_line(line) && next_content(&lines, i).is_some_and(is_closing) {
            closing = true;
            continue;
        }
        if ends_sentence(text) {
            text.push('\n');
        }
        text.push_str(line);
    }
    close(&mut sections, &mut open);
    for s in &mut sections {
        if s.no.is_empty() {
            continue;
        }
        // Normalize numerals written with extra characters (kept as parsed otherwise).
        if let Some(v) = cn_number(&s.no) {
            s.no = cn_numeral(v);
        }
    }
    ParsedPlan {
        title,
        year,
        sections,
        warnings,
    }
}

/// The next non-empty, non-page-number line at or after `i`.
fn next_content(lines: &[String], i: usize) -> Option<&str> {
    lines[i.min(lines.len())..]
        .iter()
        .map(String::as_str)
        .find(|l| !l.is_empty() && !is_page_number(l))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn item_and_section_lines() {
        assert_eq!(item_start("1.切实"), Some((1, "切实")));
        assert_eq!(item_start("12．着力"), Some((12, "着力")));
        assert_eq!(item_start("3、扎实"), Some((3, "扎实")));
        assert_eq!(item_start(&normalize("１６．压实")), Some((16, "压实")));
        assert_eq!(item_start("2023 年市科协"), None);
        assert_eq!(item_start("2023.4.14"), None);
        assert_eq!(item_start("1.5亿元"), None);
        assert_eq!(item_start("0.抓"), None);
        assert_eq!(item_start("1."), None);
        assert_eq!(
            section_start("一、突出政治铸魂"),
            Some(("一", 1, "突出政治铸魂"))
        );
        assert_eq!(section_start("十二、其他"), Some(("十二", 12, "其他")));
        assert_eq!(section_start("一是加强"), None);
        assert_eq!(section_start("一、"), None);
        assert_eq!(cn_number("二十一"), Some(21));
        assert_eq!(cn_numeral(21), "二十一");
    }

    #[test]
    fn page_numbers_and_dates() {
        for l in [
            "— 3 —",
            "- 3 -",
            "3",
            "第 3 页",
            "第3页 共5页",
            "－12－",
            "3/5",
        ] {
            assert!(is_page_number(l), "{l}");
        }
        for l in ["2023 年", "一、", "第一节", "3.切实"] {
            assert!(!is_page_number(l), "{l}");
        }
        assert!(is_date_line("2023年4月14日"));
        assert!(!is_date_line("2023年4月14日召开会议"));
    }

    #[test]
    fn continuation_across_a_page_break_joins_mid_sentence() {
        let p = parse("一、甲\n1.标题。正文前半\n\n— 2 —\n\n后半。\n2.乙。丙");
        let items = &p.sections[0].items;
        assert_eq!(items[0].body, "正文前半后半。");
        assert_eq!(items[1].title, "乙");
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn new_paragraph_after_a_full_stop_keeps_a_line_break() {
        let p = parse("一、甲\n1.标题。第一段。\n\n第二段。");
        assert_eq!(p.sections[0].items[0].body, "第一段。\n第二段。");
    }

    #[test]
    fn numbering_warnings() {
        let p = parse("一、甲\n1.a。\n3.b。\n3.c。\n2.d。\n三、乙\n5.e。");
        assert_eq!(
            p.warnings,
            vec![
                Warning::Gap { after: 1, found: 3 },
                Warning::Repeat { no: 3 },
                Warning::OutOfOrder { after: 3, found: 2 },
                Warning::SectionGap {
                    after: "一".into(),
                    found: "三".into()
                },
                Warning::Gap { after: 2, found: 5 },
            ]
        );
        // numbering that starts again in each section is fine
        let p = parse("一、甲\n1.a。\n2.b。\n二、乙\n1.c。\n2.d。");
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    }

    #[test]
    fn a_title_stops_at_the_title_limit_and_the_rest_opens_the_body() {
        let long = "长".repeat(100_000);
        let p = parse(&format!("一、部分\n1.{long}\n2.短标题。正文"));
        let items = &p.sections[0].items;
        assert_eq!(items[0].title.chars().count(), crate::work::TITLE_MAX);
        assert_eq!(
            items[0].body.chars().count(),
            100_000 - crate::work::TITLE_MAX
        );
        assert_eq!(
            (items[1].title.as_str(), items[1].body.as_str()),
            ("短标题", "正文")
        );
        let p = parse(&format!("1.{long}。后文"));
        let item = &p.sections[0].items[0];
        assert!(item.body.ends_with("长。后文"));
    }

    #[test]
    fn items_without_sections_and_empty_text() {
        let p = parse("要点\n1、一。\n2、二。");
        assert_eq!(p.sections.len(), 1);
        assert_eq!(p.sections[0].no, "");
        assert_eq!(p.item_count(), 2);
        assert_eq!(parse("").item_count(), 0);
        assert_eq!(parse("只是一段话。\n没有编号。").item_count(), 0);
    }

    #[test]
    fn signature_block_ends_the_last_item() {
        let p = parse("一、甲\n1.标题。正文。\n\n中共某某委员会\n2023年4月14日\n抄送：某某");
        assert_eq!(p.sections[0].items[0].body, "正文。");
    }

    #[test]
    fn running_headers_are_dropped() {
        let text = "某某党委2023年工作要点\n一、甲\n1.标题。前半\n某某党委2023年工作要点\n后半。";
        let p = parse(text);
        assert_eq!(p.sections[0].items[0].body, "前半后半。");
        assert_eq!(p.title.as_deref(), Some("某某党委2023年工作要点"));
        assert_eq!(p.year, Some(2023));
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = parse(&s);
        }

        #[test]
        fn never_panics_on_plan_like_text(parts in proptest::collection::vec(
            prop_oneof![
                Just("一、".to_string()), Just("1.".to_string()), Just("１２．".to_string()),
                Just("3、".to_string()), Just("。".to_string()), Just("\n".to_string()),
                Just("\u{c}".to_string()), Just("— 3 —".to_string()), Just("十".to_string()),
                "[\\u{4e00}-\\u{4e20}a-z0-9 ．.、]{0,8}",
            ], 0..60)) {
            let text = parts.concat();
            let p = parse(&text);
            for s in &p.sections {
                for it in &s.items {
                    prop_assert!(it.no > 0);
                    prop_assert!(!it.title.contains('。'));
                }
            }
        }
    }
}
