//! Test helpers: unzip a .docx, a small XML 1.0 well-formedness checker and
//! a `<w:t>` text extractor.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use docx::{Block, Document, Table};

/// Every part of the package, by name.
pub fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("valid zip");
    let mut parts = BTreeMap::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).expect("UTF-8 part");
        let name = f.name().expect("entry name").to_string();
        assert!(
            parts.insert(name.clone(), s).is_none(),
            "duplicate entry {name}"
        );
    }
    parts
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic()
        || c == '_'
        || c == ':'
        || (c as u32 >= 0xC0 && c != '\u{D7}' && c != '\u{F7}')
}

fn is_name_char(c: char) -> bool {
    is_name_start(c) || c.is_ascii_digit() || c == '-' || c == '.' || c == '\u{B7}'
}

/// Checks an entity/character reference starting at `s[0] == '&'`; returns
/// its byte length.
fn check_reference(s: &str) -> Result<usize, String> {
    let end = s
        .find(';')
        .ok_or_else(|| format!("unterminated reference: {:.20}", s))?;
    let body = &s[1..end];
    let ok = match body {
        "amp" | "lt" | "gt" | "quot" | "apos" => true,
        _ if body.starts_with("#x") => u32::from_str_radix(&body[2..], 16)
            .ok()
            .and_then(char::from_u32)
            .is_some_and(is_xml_char),
        _ if body.starts_with('#') => body[1..]
            .parse::<u32>()
            .ok()
            .and_then(char::from_u32)
            .is_some_and(is_xml_char),
        _ => false,
    };
    if ok {
        Ok(end + 1)
    } else {
        Err(format!("bad reference &{body};"))
    }
}

fn parse_name(s: &str) -> Result<usize, String> {
    let mut chars = s.char_indices();
    match chars.next() {
        Some((_, c)) if is_name_start(c) => {}
        _ => return Err(format!("expected a name at {:.30}", s)),
    }
    for (i, c) in chars {
        if !is_name_char(c) {
            return Ok(i);
        }
    }
    Ok(s.len())
}

/// Returns `Err` with a description if `xml` is not a well-formed XML 1.0
/// document (no DTD support; we never emit one).
pub fn check_well_formed(xml: &str) -> Result<(), String> {
    if let Some(c) = xml.chars().find(|&c| !is_xml_char(c)) {
        return Err(format!("forbidden character U+{:04X}", c as u32));
    }
    let mut rest = xml;
    if rest.starts_with("<?xml") {
        let end = rest.find("?>").ok_or("unterminated XML declaration")?;
        rest = &rest[end + 2..];
    }
    let mut stack: Vec<&str> = Vec::new();
    let mut seen_root = false;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").ok_or("unterminated comment")?;
            rest = &after[end + 3..];
        } else if let Some(after) = rest.strip_prefix("<?") {
            let end = after.find("?>").ok_or("unterminated PI")?;
            rest = &after[end + 2..];
        } else if let Some(after) = rest.strip_prefix("<![CDATA[") {
            if stack.is_empty() {
                return Err("CDATA outside root".into());
            }
            let end = after.find("]]>").ok_or("unterminated CDATA")?;
            rest = &after[end + 3..];
        } else if let Some(after) = rest.strip_prefix("</") {
            let n = parse_name(after)?;
            let name = &after[..n];
            let after = after[n..].trim_start();
            let after = after
                .strip_prefix('>')
                .ok_or_else(|| format!("bad end tag </{name}"))?;
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("end tag </{name}> closes {other:?}")),
            }
            rest = after;
        } else if let Some(after) = rest.strip_prefix('<') {
            if stack.is_empty() && seen_root {
                return Err("second root element".into());
            }
            seen_root = true;
            let n = parse_name(after)?;
            let name = &after[..n];
            let mut p = &after[n..];
            let mut attrs: Vec<&str> = Vec::new();
            loop {
                let trimmed = p.trim_start_matches([' ', '\t', '\n', '\r']);
                let had_space = trimmed.len() != p.len();
                p = trimmed;
                if let Some(a) = p.strip_prefix("/>") {
                    p = a;
                    break;
                }
                if let Some(a) = p.strip_prefix('>') {
                    stack.push(name);
                    p = a;
                    break;
                }
                if !had_space {
                    return Err(format!("missing space before attribute in <{name}"));
                }
                let an = parse_name(p)?;
                let aname = &p[..an];
                if attrs.contains(&aname) {
                    return Err(format!("duplicate attribute {aname} in <{name}"));
                }
                attrs.push(aname);
                p = p[an..].trim_start();
                p = p
                    .strip_prefix('=')
                    .ok_or_else(|| format!("attribute {aname} without ="))?
                    .trim_start();
                let quote = p
                    .chars()
                    .next()
                    .filter(|&q| q == '"' || q == '\'')
                    .ok_or_else(|| format!("unquoted attribute {aname}"))?;
                p = &p[1..];
                let end = p
                    .find(quote)
                    .ok_or_else(|| format!("unterminated attribute {aname}"))?;
                let value = &p[..end];
                if value.contains('<') {
                    return Err(format!("'<' in attribute {aname}"));
                }
                let mut v = value;
                while let Some(i) = v.find('&') {
                    let len = check_reference(&v[i..])?;
                    v = &v[i + len..];
                }
                p = &p[end + 1..];
            }
            rest = p;
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..end];
            if stack.is_empty() && !text.trim().is_empty() {
                return Err(format!("text outside root: {:.30}", text));
            }
            if text.contains("]]>") {
                return Err("]]> in text".into());
            }
            let mut t = text;
            while let Some(i) = t.find('&') {
                let len = check_reference(&t[i..])?;
                t = &t[i + len..];
            }
            rest = &rest[end..];
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed elements: {stack:?}"));
    }
    if !seen_root {
        return Err("no root element".into());
    }
    Ok(())
}

pub fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The text of every `<w:t>` element, unescaped, one string per element.
pub fn texts(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find("<w:t") {
        let after = &rest[i + 4..];
        // skip <w:tbl>, <w:tc>, <w:tab/>, … — only <w:t> and <w:t attr…>
        if !(after.starts_with('>') || after.starts_with(' ')) {
            rest = after;
            continue;
        }
        let open_end = after.find('>').unwrap();
        let body = &after[open_end + 1..];
        let close = body.find("</w:t>").expect("closed w:t");
        out.push(unescape(&body[..close]));
        rest = &body[close..];
    }
    out
}

/// The realistic bulletin from the example, trimmed.
pub fn sample() -> Document {
    let rows = (1..=30)
        .map(|i| {
            vec![
                i.to_string(),
                format!("市第{i}学会党支部"),
                "“三会一课”记录不规范".to_string(),
                "2023年9月30日".to_string(),
                format!("2023年9月{}日", i % 28 + 1),
            ]
        })
        .collect();
    Document {
        issuer: "中共云川市科技社团委员会".into(),
        doc_number: "云科社党〔2023〕12号".into(),
        title: "关于2023年度督查整改落实情况的通报".into(),
        addressee: Some("各学会（协会、研究会）党组织：".into()),
        body: vec![
            Block::Paragraph("现将有关情况通报如下。".into()),
            Block::Heading1("一、总体情况".into()),
            Block::Heading2("（一）整改责任压紧压实。".into()),
            Block::Paragraph("已完成整改并销号30个。".into()),
            Block::Heading1("二、已整改销号问题".into()),
            Block::Table(Table {
                caption: Some("表1  已整改销号问题清单".into()),
                header: ["序号", "党组织", "问题", "整改时限", "销号日期"]
                    .map(String::from)
                    .to_vec(),
                rows,
                widths: Some(vec![7, 18, 27, 24, 24]),
            }),
            Block::Heading1("三、下一步工作要求".into()),
            Block::Paragraph("各党组织要举一反三。".into()),
        ],
        signature: "中共云川市科技社团委员会".into(),
        date: "2023年12月20日".into(),
        copy_to: Some("市科协党组".into()),
        printed_by: Some("中共云川市科技社团委员会办公室".into()),
        layout: docx::Layout::Standard,
    }
}

#[test]
fn checker_accepts_and_rejects() {
    assert!(check_well_formed(
        "<?xml version=\"1.0\"?>\n<a x=\"1\" y='&amp;'><b/>t&lt;&#x4E2D;</a>"
    )
    .is_ok());
    for bad in [
        "<a>",
        "<a></b>",
        "<a><b></a></b>",
        "<a x=\"1\" x=\"2\"/>",
        "<a x=1/>",
        "<a x=\"<\"/>",
        "<a>&</a>",
        "<a>&foo;</a>",
        "<a>&#0;</a>",
        "<a>\u{1}</a>",
        "<a>\u{FFFE}</a>",
        "<a/><b/>",
        "text<a/>",
        "<a x=\"1\"y=\"2\"/>",
        "",
    ] {
        assert!(check_well_formed(bad).is_err(), "accepted {bad:?}");
    }
}

#[test]
fn text_extraction() {
    let xml = "<w:p><w:tbl/><w:tab/><w:t>a&amp;b</w:t><w:t xml:space=\"preserve\"> c </w:t></w:p>";
    assert_eq!(texts(xml), vec!["a&b".to_string(), " c ".to_string()]);
}
