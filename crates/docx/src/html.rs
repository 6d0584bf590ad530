//! HTML preview: semantic elements with `gw-*` classes, no inline styles or
//! scripts (the site runs under a strict CSP). Styled by [`PREVIEW_CSS`].

use crate::text::{push_escaped, Flavor};
use crate::{Block, Document, Layout, Table};

/// CSS for the fragment produced by [`crate::to_html`]. Approximates the
/// GB/T 9704 page on screen: an A4-like white page box, red issuer mark and
/// rule, 仿宋 body with 2-character indents, 黑体/楷体 headings.
pub const PREVIEW_CSS: &str = r#"/* 公文预览 (GB/T 9704-2012) */
.gw-doc {
  --gw-red: #c8161d;
  --gw-fangsong: "FangSong_GB2312", "仿宋_GB2312", "FangSong", "仿宋", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC", serif;
  --gw-hei: "SimHei", "黑体", "STHeiti", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif;
  --gw-kai: "KaiTi_GB2312", "楷体_GB2312", "KaiTi", "楷体", "STKaiti", "Noto Serif CJK SC", serif;
  --gw-xbs: "FZXiaoBiaoSong-B05S", "方正小标宋简体", "STZhongsong", "华文中宋", "SimSun", "宋体", "Noto Serif CJK SC", serif;
  box-sizing: border-box;
  width: 100%;
  max-width: 210mm;
  min-height: 297mm;
  margin: 1rem auto;
  padding: 37mm 26mm 35mm 28mm;
  background: #fff;
  color: #000;
  box-shadow: 0 1px 6px rgba(0, 0, 0, .25);
  font-family: var(--gw-fangsong);
  font-size: 16pt;
  line-height: 28.95pt;
  text-align: justify;
  display: flex;
  flex-direction: column;
}
.gw-doc p, .gw-doc h1, .gw-doc h2, .gw-doc h3 { margin: 0; font-size: 16pt; font-weight: normal; line-height: 28.95pt; }
.gw-doc .gw-head { margin-top: 35mm; text-align: center; }
.gw-doc .gw-issuer {
  font-family: var(--gw-xbs);
  font-size: 34pt;
  line-height: 1.3;
  color: var(--gw-red);
  text-align: center;
  letter-spacing: .02em;
}
.gw-doc .gw-docno { margin-top: 57.9pt; text-align: center; }
.gw-doc .gw-rule { height: 0; margin: 4mm 0 0; border: 0; border-top: 1.5pt solid var(--gw-red); }
.gw-doc .gw-starrule { display: flex; align-items: center; gap: 2mm; margin: 1mm 0 0; color: var(--gw-red); }
.gw-doc .gw-starrule::before, .gw-doc .gw-starrule::after { content: ""; flex: 1 1 auto; border-top: 1.5pt solid var(--gw-red); }
.gw-doc .gw-star { flex: 0 0 auto; font-size: 14pt; line-height: 1; }
.gw-doc h1.gw-title {
  margin: 57.9pt 0 28.95pt;
  font-family: var(--gw-xbs);
  font-size: 22pt;
  line-height: 35pt;
  text-align: center;
}
.gw-doc .gw-addressee { text-indent: 0; }
.gw-doc .gw-h1 { font-family: var(--gw-hei); text-indent: 2em; }
.gw-doc .gw-h2 { font-family: var(--gw-kai); text-indent: 2em; }
.gw-doc .gw-p { text-indent: 2em; }
.gw-doc .gw-caption { font-family: var(--gw-hei); font-weight: bold; text-align: center; }
.gw-doc .gw-table-wrap { overflow-x: auto; }
.gw-doc table.gw-table { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 12pt; line-height: 18pt; }
.gw-doc .gw-table th, .gw-doc .gw-table td { border: .5pt solid #000; padding: 2pt 4pt; vertical-align: middle; text-align: left; overflow-wrap: anywhere; }
.gw-doc .gw-table th { font-family: var(--gw-hei); font-weight: bold; text-align: center; }
.gw-doc .gw-table td.gw-c { text-align: center; white-space: nowrap; }
.gw-doc .gw-signoff { margin: 57.9pt 4em 0 auto; text-align: center; }
.gw-doc .gw-sign, .gw-doc .gw-date { white-space: nowrap; }
.gw-doc .gw-banji {
  margin-top: auto;
  padding-top: 28.95pt;
  font-size: 14pt;
}
.gw-doc .gw-banji p { font-size: 14pt; padding: 0 1em; border-bottom: .75pt solid #000; }
.gw-doc .gw-banji p:first-child { border-top: 1pt solid #000; }
.gw-doc .gw-banji p:last-child { border-bottom-width: 1pt; }
.gw-doc .gw-cc { padding-left: 4em !important; text-indent: -3em; }
.gw-doc .gw-print { display: flex; justify-content: space-between; gap: 1em; }
.gw-doc .gw-printer { flex: 1 1 auto; }
.gw-doc .gw-printdate { flex: 0 0 auto; white-space: nowrap; text-align: right; }
.gw-w5 { width: 5%; } .gw-w10 { width: 10%; } .gw-w15 { width: 15%; } .gw-w20 { width: 20%; }
.gw-w25 { width: 25%; } .gw-w30 { width: 30%; } .gw-w35 { width: 35%; } .gw-w40 { width: 40%; }
.gw-w45 { width: 45%; } .gw-w50 { width: 50%; } .gw-w55 { width: 55%; } .gw-w60 { width: 60%; }
.gw-w65 { width: 65%; } .gw-w70 { width: 70%; } .gw-w75 { width: 75%; } .gw-w80 { width: 80%; }
.gw-w85 { width: 85%; } .gw-w90 { width: 90%; } .gw-w95 { width: 95%; } .gw-w100 { width: 100%; }
@media (max-width: 800px) {
  .gw-doc { padding: 8mm 5mm; min-height: 0; font-size: 13pt; line-height: 1.8; }
  .gw-doc p, .gw-doc h1, .gw-doc h2, .gw-doc h3 { font-size: 13pt; line-height: 1.8; }
  .gw-doc .gw-head { margin-top: 0; }
  .gw-doc .gw-issuer { font-size: 22pt; }
  .gw-doc .gw-docno { margin-top: 1em; }
  .gw-doc h1.gw-title { font-size: 18pt; line-height: 1.5; margin: 1.5em 0 1em; }
}
@media print {
  .gw-doc { box-shadow: none; margin: 0; }
}
"#;

/// Escaped text with `\n` turned into `<br>`.
fn push_text(out: &mut String, s: &str) {
    let mut first = true;
    for line in s.split('\n') {
        if !first {
            out.push_str("<br>");
        }
        first = false;
        push_escaped(out, line.strip_suffix('\r').unwrap_or(line), Flavor::Html);
    }
}

fn push_el(out: &mut String, tag: &str, class: &str, text: &str) {
    out.push('<');
    out.push_str(tag);
    out.push_str(" class=\"");
    out.push_str(class);
    out.push_str("\">");
    push_text(out, text);
    out.push_str("</");
    out.push_str(tag);
    out.push_str(">\n");
}

pub(crate) fn to_html(doc: &Document) -> String {
    let mut out = String::with_capacity(4096);
    out.push_str("<article class=\"gw-doc\">\n<header class=\"gw-head\">\n");
    if !doc.issuer.is_empty() {
        push_el(&mut out, "p", "gw-issuer", &doc.issuer);
    }
    push_el(&mut out, "p", "gw-docno", &doc.doc_number);
    match doc.layout {
        Layout::Standard => out.push_str("<hr class=\"gw-rule\">\n</header>\n"),
        Layout::Party => out.push_str(
            "<div class=\"gw-starrule\" role=\"separator\"><span class=\"gw-star\">★</span></div>\n</header>\n",
        ),
    }
    push_el(
        &mut out,
        "h1",
        "gw-title",
        &crate::ooxml::title_text(&doc.title),
    );
    if let Some(a) = &doc.addressee {
        push_el(&mut out, "p", "gw-addressee", a);
    }
    for block in &doc.body {
        match block {
            Block::Heading1(t) => push_el(&mut out, "h2", "gw-h1", t),
            Block::Heading2(t) => push_el(&mut out, "h3", "gw-h2", t),
            Block::Paragraph(t) => push_el(&mut out, "p", "gw-p", t),
            Block::Table(t) => push_table(&mut out, t),
        }
    }
    if !doc.signature.is_empty() || !doc.date.is_empty() {
        out.push_str("<div class=\"gw-signoff\">\n");
        if !doc.signature.is_empty() {
            push_el(&mut out, "p", "gw-sign", &doc.signature);
        }
        if !doc.date.is_empty() {
            push_el(&mut out, "p", "gw-date", &doc.date);
        }
        out.push_str("</div>\n");
    }
    let copy_to = doc.copy_to.as_deref().filter(|s| !s.trim().is_empty());
    let printed_by = doc.printed_by.as_deref().filter(|s| !s.trim().is_empty());
    if copy_to.is_some() || printed_by.is_some() {
        out.push_str("<footer class=\"gw-banji\">\n");
        if let Some(c) = copy_to {
            let mut text = String::from("抄送：");
            text.push_str(c.trim_end());
            if !text.ends_with('。') {
                text.push('。');
            }
            push_el(&mut out, "p", "gw-cc", &text);
        }
        if let Some(p) = printed_by {
            out.push_str("<p class=\"gw-print\">");
            push_el(&mut out, "span", "gw-printer", p);
            if !doc.date.trim().is_empty() {
                let date = format!("{}印发", doc.date.trim());
                push_el(&mut out, "span", "gw-printdate", &date);
            }
            out.push_str("</p>\n");
        }
        out.push_str("</footer>\n");
    }
    out.push_str("</article>\n");
    out
}

fn push_table(out: &mut String, t: &Table) {
    let cols = t.column_count();
    if cols == 0 {
        if let Some(c) = &t.caption {
            push_el(out, "p", "gw-caption", c);
        }
        return;
    }
    if let Some(c) = &t.caption {
        push_el(out, "p", "gw-caption", c);
    }
    out.push_str("<div class=\"gw-table-wrap\"><table class=\"gw-table\">\n<colgroup>");
    for w in crate::ooxml::fitted_widths(t, 1000) {
        // nearest 5 %, at least 5 %
        let pct = ((w + 25) / 50 * 5).clamp(5, 100);
        out.push_str(&format!("<col class=\"gw-w{pct}\">"));
    }
    out.push_str("</colgroup>\n");
    let centred = t.centred_columns();
    if !t.header.is_empty() {
        out.push_str("<thead><tr>");
        for i in 0..cols {
            out.push_str("<th scope=\"col\">");
            push_text(out, t.header.get(i).map_or("", String::as_str));
            out.push_str("</th>");
        }
        out.push_str("</tr></thead>\n");
    }
    out.push_str("<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for (i, &c) in centred.iter().enumerate() {
            out.push_str(if c { "<td class=\"gw-c\">" } else { "<td>" });
            push_text(out, row.get(i).map_or("", String::as_str));
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}
