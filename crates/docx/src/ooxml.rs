//! WordprocessingML generation. Every part is built as a `String` by direct
//! appends (no templates that re-scan their input), then stored in a zip
//! container with fixed timestamps so the output is deterministic.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::text::{
    half_width_units, push_escaped, quarter_width_units, title_lines, Flavor, TITLE_BREAK,
};
use crate::{Block, Document, Error, Layout, Table};

// ---- GB/T 9704-2012 page geometry (twips: 1/20 pt, 1 mm ≈ 56.7 twips) ----

/// A4 width (210 mm).
pub(crate) const PAGE_W: u32 = 11906;
/// A4 height (297 mm).
pub(crate) const PAGE_H: u32 = 16838;
/// 天头 37 mm.
pub(crate) const MARGIN_TOP: u32 = 2098;
/// 35 mm.
pub(crate) const MARGIN_BOTTOM: u32 = 1984;
/// 订口 28 mm.
pub(crate) const MARGIN_LEFT: u32 = 1588;
/// 26 mm.
pub(crate) const MARGIN_RIGHT: u32 = 1474;
/// 版心 width 156 mm.
pub(crate) const TEXT_W: u32 = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT;
/// Footer distance: the page number's lower edge ≈ 7 mm below the 版心.
const FOOTER_DIST: u32 = 1588;
/// Fixed line pitch: 225 mm 版心 height / 22 lines = 28.95 pt.
pub(crate) const LINE: u32 = 579;
/// One character of 3号 (16 pt).
pub(crate) const CHAR3: u32 = 320;
/// One character of 4号 (14 pt).
const CHAR4: u32 = 280;
/// Half a character of the 2号 title (22 pt): the unit of [`title_lines`].
const TITLE_HALF: u32 = 220;
/// Half a character of the 小四 table text (12 pt).
const CELL_HALF: u32 = 120;
/// Left plus right cell margin of a body table.
const CELL_MARGINS: u32 = 2 * 57;

/// The title's lines as printed (break marks resolved), joined by `\n`.
pub(crate) fn title_text(title: &str) -> String {
    title_lines(title, TEXT_W / TITLE_HALF).join("\n")
}

// ---- fonts ----
const LATIN: &str = "Times New Roman";
const FANGSONG: &str = "仿宋_GB2312";
const HEITI: &str = "黑体";
const KAITI: &str = "楷体_GB2312";
const XBS: &str = "方正小标宋简体";
const SONG: &str = "宋体";

const NS_W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const NS_R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const NS_WP: &str = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing";
const NS_WPS: &str = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape";
const NS_A: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";
const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

pub(crate) fn write(doc: &Document) -> Result<Vec<u8>, Error> {
    zip_parts(&parts(doc))
}

/// All parts with their owned contents, in container order.
pub(crate) fn parts(doc: &Document) -> Vec<(&'static str, String)> {
    vec![
        ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
        ("_rels/.rels", ROOT_RELS.to_owned()),
        ("docProps/core.xml", core_xml(doc)),
        ("docProps/app.xml", APP_XML.to_owned()),
        ("word/document.xml", document_xml(doc)),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_owned()),
        ("word/styles.xml", styles_xml()),
        ("word/settings.xml", SETTINGS_XML.to_owned()),
        ("word/fontTable.xml", font_table_xml()),
        ("word/footer1.xml", footer_xml(true)),
        ("word/footer2.xml", footer_xml(false)),
    ]
}

fn zip_parts(parts: &[(&str, String)]) -> Result<Vec<u8>, Error> {
    let total: usize = parts.iter().map(|(_, s)| s.len()).sum();
    let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(total / 6 + 4096)));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::DEFAULT)
        .unix_permissions(0o644);
    for (name, content) in parts {
        zip.start_file(*name, options)?;
        zip.write_all(content.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

// ---------------------------------------------------------------------------
// Package plumbing
// ---------------------------------------------------------------------------

const CONTENT_TYPES: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">",
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>",
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>",
    "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>",
    "<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>",
    "<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>",
    "<Override PartName=\"/word/fontTable.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml\"/>",
    "<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>",
    "<Override PartName=\"/word/footer2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>",
    "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>",
    "<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>",
    "</Types>"
);

const ROOT_RELS: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>",
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>",
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>",
    "</Relationships>"
);

const DOCUMENT_RELS: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>",
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>",
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable\" Target=\"fontTable.xml\"/>",
    "<Relationship Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>",
    "<Relationship Id=\"rId5\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer2.xml\"/>",
    "</Relationships>"
);

const APP_XML: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" ",
    "xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">",
    "<Application>docx (GB/T 9704-2012)</Application><DocSecurity>0</DocSecurity>",
    "</Properties>"
);

const SETTINGS_XML: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">",
    "<w:zoom w:percent=\"100\"/>",
    "<w:defaultTabStop w:val=\"420\"/>",
    "<w:evenAndOddHeaders/>",
    "<w:characterSpacingControl w:val=\"doNotCompress\"/>",
    "<w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>",
    "</w:settings>"
);

fn core_xml(doc: &Document) -> String {
    let mut s = String::with_capacity(768);
    s.push_str(XML_DECL);
    s.push_str(
        "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">",
    );
    let title: String = doc.title.chars().filter(|&c| c != TITLE_BREAK).collect();
    for (tag, value) in [
        ("dc:title", &title),
        ("dc:subject", &doc.doc_number),
        ("dc:creator", &doc.issuer),
    ] {
        s.push('<');
        s.push_str(tag);
        s.push('>');
        push_escaped(&mut s, value, Flavor::Xml);
        s.push_str("</");
        s.push_str(tag);
        s.push('>');
    }
    s.push_str("</cp:coreProperties>");
    s
}

fn font_table_xml() -> String {
    let mut s = String::with_capacity(1024);
    s.push_str(XML_DECL);
    s.push_str("<w:fonts xmlns:w=\"");
    s.push_str(NS_W);
    s.push_str("\">");
    // (name, altName, charset, family, pitch). altName lets Word substitute
    // the fonts Windows actually ships when the GB2312/方正 fonts are absent.
    for (name, alt, charset, family, pitch) in [
        (LATIN, "", "00", "roman", "variable"),
        (FANGSONG, "仿宋", "86", "modern", "fixed"),
        (KAITI, "楷体", "86", "modern", "fixed"),
        (HEITI, "SimHei", "86", "modern", "fixed"),
        (SONG, "SimSun", "86", "auto", "variable"),
        (XBS, "华文中宋", "86", "auto", "variable"),
    ] {
        s.push_str("<w:font w:name=\"");
        s.push_str(name);
        s.push_str("\">");
        if !alt.is_empty() {
            s.push_str("<w:altName w:val=\"");
            s.push_str(alt);
            s.push_str("\"/>");
        }
        s.push_str("<w:charset w:val=\"");
        s.push_str(charset);
        s.push_str("\"/><w:family w:val=\"");
        s.push_str(family);
        s.push_str("\"/><w:pitch w:val=\"");
        s.push_str(pitch);
        s.push_str("\"/></w:font>");
    }
    s.push_str("</w:fonts>");
    s
}

/// `<w:rFonts>` with a Latin fallback and the given East Asian font.
fn rfonts(east_asia: &str) -> String {
    format!(
        "<w:rFonts w:ascii=\"{LATIN}\" w:hAnsi=\"{LATIN}\" w:eastAsia=\"{east_asia}\" w:cs=\"{LATIN}\" w:hint=\"eastAsia\"/>"
    )
}

/// Paragraph style definition.
fn pstyle(s: &mut String, id: &str, name: &str, ppr: &str, rpr: &str) {
    s.push_str("<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"");
    s.push_str(id);
    s.push_str("\"><w:name w:val=\"");
    s.push_str(name);
    s.push_str("\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr>");
    s.push_str(ppr);
    s.push_str("</w:pPr><w:rPr>");
    s.push_str(rpr);
    s.push_str("</w:rPr></w:style>");
}

fn exact(line: u32) -> String {
    format!("<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{line}\" w:lineRule=\"exact\"/>")
}

fn sz(half_points: u32) -> String {
    format!("<w:sz w:val=\"{half_points}\"/><w:szCs w:val=\"{half_points}\"/>")
}

fn styles_xml() -> String {
    let mut s = String::with_capacity(8192);
    s.push_str(XML_DECL);
    s.push_str("<w:styles xmlns:w=\"");
    s.push_str(NS_W);
    s.push_str("\">");
    // Defaults: 3号仿宋, Chinese language, fixed 28.95 pt lines.
    s.push_str("<w:docDefaults><w:rPrDefault><w:rPr>");
    s.push_str(&rfonts(FANGSONG));
    s.push_str("<w:kern w:val=\"2\"/>");
    s.push_str(&sz(32));
    s.push_str("<w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/>");
    s.push_str("</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>");
    s.push_str(&exact(LINE));
    s.push_str("</w:pPr></w:pPrDefault></w:docDefaults>");

    s.push_str("<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/><w:pPr><w:widowControl w:val=\"0\"/><w:autoSpaceDE w:val=\"0\"/><w:autoSpaceDN w:val=\"0\"/>");
    s.push_str(&exact(LINE));
    s.push_str("<w:jc w:val=\"both\"/></w:pPr><w:rPr>");
    s.push_str(&rfonts(FANGSONG));
    s.push_str(&sz(32));
    s.push_str("</w:rPr></w:style>");
    s.push_str("<w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\"><w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/><w:unhideWhenUsed/></w:style>");
    s.push_str("<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:uiPriority w:val=\"99\"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>");

    let red = "<w:color w:val=\"FF0000\"/>";
    // 发文机关标志: 小标宋, red, centred; 35 mm below the top of the 版心.
    pstyle(
        &mut s,
        "GwIssuer",
        "公文-发文机关标志",
        "<w:spacing w:before=\"1984\" w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/><w:jc w:val=\"center\"/>",
        &format!("{}{red}{}", rfonts(XBS), sz(72)),
    );
    // 发文字号: two blank lines below the issuer, red rule 4 mm below.
    pstyle(
        &mut s,
        "GwDocNo",
        "公文-发文字号",
        &format!(
            "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"12\" w:space=\"5\" w:color=\"FF0000\"/></w:pBdr><w:spacing w:before=\"{}\" w:after=\"0\" w:line=\"{LINE}\" w:lineRule=\"exact\"/><w:jc w:val=\"center\"/>",
            2 * LINE
        ),
        "",
    );
    // 标题: two blank lines below the red rule, one blank line after.
    pstyle(
        &mut s,
        "GwTitle",
        "公文-标题",
        &format!(
            "<w:spacing w:before=\"{}\" w:after=\"{LINE}\" w:line=\"700\" w:lineRule=\"exact\"/><w:jc w:val=\"center\"/><w:outlineLvl w:val=\"0\"/>",
            2 * LINE
        ),
        &format!("{}{}", rfonts(XBS), sz(44)),
    );
    pstyle(
        &mut s,
        "GwAddressee",
        "公文-主送机关",
        "<w:jc w:val=\"left\"/>",
        "",
    );
    let indent = format!("<w:ind w:firstLine=\"{}\"/>", 2 * CHAR3);
    pstyle(
        &mut s,
        "GwH1",
        "公文-一级标题",
        &format!("<w:keepNext/>{indent}<w:outlineLvl w:val=\"1\"/>"),
        &rfonts(HEITI),
    );
    pstyle(
        &mut s,
        "GwH2",
        "公文-二级标题",
        &format!("<w:keepNext/>{indent}<w:outlineLvl w:val=\"2\"/>"),
        &rfonts(KAITI),
    );
    pstyle(&mut s, "GwBody", "公文-正文", &indent, "");
    pstyle(
        &mut s,
        "GwCaption",
        "公文-表题",
        "<w:keepNext/><w:jc w:val=\"center\"/>",
        &format!("{}<w:b/><w:bCs/>", rfonts(HEITI)),
    );
    let cell_spacing =
        "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"360\" w:lineRule=\"exact\"/>";
    pstyle(
        &mut s,
        "GwCell",
        "公文-表格文字",
        &format!("{cell_spacing}<w:jc w:val=\"left\"/>"),
        &sz(24),
    );
    pstyle(
        &mut s,
        "GwCellC",
        "公文-表格文字居中",
        &format!("{cell_spacing}<w:jc w:val=\"center\"/>"),
        &sz(24),
    );
    pstyle(
        &mut s,
        "GwCellHead",
        "公文-表头",
        &format!("<w:keepNext/>{cell_spacing}<w:jc w:val=\"center\"/>"),
        &format!("{}<w:b/><w:bCs/>{}", rfonts(HEITI), sz(24)),
    );
    pstyle(
        &mut s,
        "GwSign",
        "公文-署名",
        &format!(
            "<w:keepNext/><w:spacing w:before=\"{}\" w:after=\"0\" w:line=\"{LINE}\" w:lineRule=\"exact\"/><w:jc w:val=\"right\"/>",
            2 * LINE
        ),
        "",
    );
    pstyle(
        &mut s,
        "GwDate",
        "公文-成文日期",
        "<w:jc w:val=\"right\"/>",
        "",
    );
    pstyle(&mut s, "GwBanji", "公文-版记", "", &sz(28));
    pstyle(
        &mut s,
        "GwFooter",
        "公文-页码",
        "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/>",
        &format!(
            "<w:rFonts w:ascii=\"{SONG}\" w:hAnsi=\"{SONG}\" w:eastAsia=\"{SONG}\" w:cs=\"{SONG}\" w:hint=\"eastAsia\"/>{}",
            sz(28)
        ),
    );
    s.push_str("</w:styles>");
    s
}

/// Page-number footer "— n —": odd pages right-aligned, even pages
/// left-aligned, one character in from the edge of the 版心.
fn footer_xml(odd: bool) -> String {
    let mut s = String::with_capacity(1024);
    s.push_str(XML_DECL);
    s.push_str("<w:ftr xmlns:w=\"");
    s.push_str(NS_W);
    s.push_str("\" xmlns:r=\"");
    s.push_str(NS_R);
    s.push_str("\"><w:p><w:pPr><w:pStyle w:val=\"GwFooter\"/>");
    if odd {
        s.push_str(&format!(
            "<w:ind w:right=\"{CHAR4}\"/><w:jc w:val=\"right\"/>"
        ));
    } else {
        s.push_str(&format!(
            "<w:ind w:left=\"{CHAR4}\"/><w:jc w:val=\"left\"/>"
        ));
    }
    s.push_str(concat!(
        "</w:pPr>",
        "<w:r><w:t xml:space=\"preserve\">— </w:t></w:r>",
        "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>",
        "<w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>",
        "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>",
        "<w:r><w:t>1</w:t></w:r>",
        "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>",
        "<w:r><w:t xml:space=\"preserve\"> —</w:t></w:r>",
        "</w:p></w:ftr>"
    ));
    s
}

// ---------------------------------------------------------------------------
// document.xml
// ---------------------------------------------------------------------------

/// Appends run content: text as `<w:t>`, `\n` (or `\r\n`, `\r`) as
/// `<w:br/>`, `\t` as `<w:tab/>`.
fn push_run_content(out: &mut String, s: &str) {
    fn flush(out: &mut String, seg: &str) {
        if !seg.is_empty() {
            out.push_str("<w:t xml:space=\"preserve\">");
            push_escaped(out, seg, Flavor::Xml);
            out.push_str("</w:t>");
        }
    }
    let mut start = 0;
    let mut prev_cr = false;
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'\t' | b'\n' | b'\r' => {
                flush(out, &s[start..i]);
                match b {
                    b'\t' => out.push_str("<w:tab/>"),
                    b'\n' if prev_cr => {}
                    _ => out.push_str("<w:br/>"),
                }
                start = i + 1;
            }
            _ => {}
        }
        prev_cr = b == b'\r';
    }
    flush(out, &s[start..]);
}

/// `<w:r>[rPr]text</w:r>`, nothing for empty text.
fn push_run(out: &mut String, rpr: &str, text: &str) {
    if text.is_empty() {
        return;
    }
    out.push_str("<w:r>");
    if !rpr.is_empty() {
        out.push_str("<w:rPr>");
        out.push_str(rpr);
        out.push_str("</w:rPr>");
    }
    push_run_content(out, text);
    out.push_str("</w:r>");
}

/// A paragraph with style `style`, extra paragraph properties `ppr` (which
/// must come after `w:pStyle` in schema order) and one run of `text`.
fn push_para(out: &mut String, style: &str, ppr: &str, rpr: &str, text: &str) {
    out.push_str("<w:p><w:pPr><w:pStyle w:val=\"");
    out.push_str(style);
    out.push_str("\"/>");
    out.push_str(ppr);
    out.push_str("</w:pPr>");
    push_run(out, rpr, text);
    out.push_str("</w:p>");
}

/// Font size (half-points) for the issuer mark: 小初 (36 pt) unless that
/// would not fit on one line of the 版心, never below 2号 (22 pt).
pub(crate) fn issuer_half_points(issuer: &str) -> u32 {
    let units = half_width_units(issuer).max(1); // half-ems
                                                 // width = units/2 * size_pt ≤ 97% of TEXT_W/20 pt
                                                 // → size_hp = 2*size_pt ≤ 4 * 0.97 * TEXT_W/20 / units
    let fit = (4 * 97 * TEXT_W) / (20 * 100 * units);
    fit.clamp(44, 72)
}

/// Right indents (twips) of the signature and date: the date is indented
/// four characters from the right; the signature is centred over the date
/// but kept at least two characters from the right edge.
pub(crate) fn signoff_indents(signature: &str, date: &str) -> (u32, u32) {
    let half = CHAR3 as i64 / 2;
    let sig_w = half_width_units(signature) as i64 * half;
    let date_w = half_width_units(date) as i64 * half;
    let mut date_ri = 4 * CHAR3 as i64;
    let mut sig_ri = date_ri + (date_w - sig_w) / 2;
    let min_sig = 2 * CHAR3 as i64;
    if sig_ri < min_sig {
        date_ri += min_sig - sig_ri;
        sig_ri = min_sig;
    }
    (sig_ri as u32, date_ri as u32)
}

/// Rough size of the document part, to allocate once.
fn estimate_len(doc: &Document) -> usize {
    let mut n = 16 * 1024;
    for b in &doc.body {
        n += match b {
            Block::Heading1(t) | Block::Heading2(t) | Block::Paragraph(t) => t.len() + 160,
            Block::Table(t) => {
                let cols = t.column_count();
                let text: usize = t
                    .rows
                    .iter()
                    .chain(std::iter::once(&t.header))
                    .flat_map(|r| r.iter().map(String::len))
                    .sum();
                text + 2048 + (t.rows.len() + 1) * (64 + cols * 190)
            }
        };
    }
    n
}

pub(crate) fn document_xml(doc: &Document) -> String {
    let mut out = String::with_capacity(estimate_len(doc));
    out.push_str(XML_DECL);
    out.push_str("<w:document xmlns:w=\"");
    out.push_str(NS_W);
    out.push_str("\" xmlns:r=\"");
    out.push_str(NS_R);
    out.push_str("\" xmlns:wp=\"");
    out.push_str(NS_WP);
    out.push_str("\" xmlns:wps=\"");
    out.push_str(NS_WPS);
    out.push_str("\"><w:body>");

    // 版头
    if !doc.issuer.is_empty() {
        push_para(
            &mut out,
            "GwIssuer",
            "",
            &sz(issuer_half_points(&doc.issuer)),
            &doc.issuer,
        );
    }
    match doc.layout {
        // Always present: it carries the red separator line.
        Layout::Standard => push_para(&mut out, "GwDocNo", "", "", &doc.doc_number),
        Layout::Party => {
            push_para(
                &mut out,
                "GwDocNo",
                "<w:pBdr><w:bottom w:val=\"nil\"/></w:pBdr>",
                "",
                &doc.doc_number,
            );
            push_star_rule(&mut out);
        }
    }

    // 主体
    push_para(&mut out, "GwTitle", "", "", &title_text(&doc.title));
    if let Some(a) = &doc.addressee {
        push_para(&mut out, "GwAddressee", "", "", a);
    }
    // Half a line of air between a table and the text after it.
    let after_table = format!(
        "<w:spacing w:before=\"{}\" w:after=\"0\" w:line=\"{LINE}\" w:lineRule=\"exact\"/>",
        LINE / 2
    );
    // The last paragraph keeps at least its last two lines with the signature, so that
    // no page holds the signature alone.
    let signed = !doc.signature.is_empty() || !doc.date.is_empty();
    let keep = "<w:keepNext/><w:widowControl/>";
    let last_keep = format!("{keep}{after_table}");
    let mut prev_table = false;
    let n = doc.body.len();
    for (i, block) in doc.body.iter().enumerate() {
        let last = signed && i + 1 == n;
        let ppr = match (prev_table, last) {
            (false, false) => "",
            (true, false) => after_table.as_str(),
            (false, true) => keep,
            (true, true) => last_keep.as_str(),
        };
        match block {
            Block::Heading1(t) => push_para(&mut out, "GwH1", ppr, "", t),
            Block::Heading2(t) => push_para(&mut out, "GwH2", ppr, "", t),
            Block::Paragraph(t) => push_para(&mut out, "GwBody", ppr, "", t),
            Block::Table(t) => {
                if t.column_count() == 0 {
                    if let Some(c) = &t.caption {
                        push_para(&mut out, "GwCaption", ppr, "", c);
                        prev_table = false;
                    }
                    continue;
                }
                match &t.caption {
                    Some(c) => push_para(&mut out, "GwCaption", ppr, "", c),
                    // Word merges directly adjacent tables; keep them apart.
                    None if prev_table => push_para(&mut out, "GwBody", "", "", ""),
                    None => {}
                }
                push_table(&mut out, t, last);
                prev_table = true;
                continue;
            }
        }
        prev_table = false;
    }

    // 署名、成文日期
    let (sig_ri, date_ri) = signoff_indents(&doc.signature, &doc.date);
    if !doc.signature.is_empty() {
        push_para(
            &mut out,
            "GwSign",
            &format!("<w:ind w:right=\"{sig_ri}\"/>"),
            "",
            &doc.signature,
        );
    }
    if !doc.date.is_empty() {
        let ppr = if doc.signature.is_empty() {
            // Keep the blank lines above the date when there is no signature.
            format!(
                "<w:spacing w:before=\"{}\" w:after=\"0\" w:line=\"{LINE}\" w:lineRule=\"exact\"/><w:ind w:right=\"{date_ri}\"/>",
                2 * LINE
            )
        } else {
            format!("<w:ind w:right=\"{date_ri}\"/>")
        };
        push_para(&mut out, "GwDate", &ppr, "", &doc.date);
    }

    // 版记
    push_banji(&mut out, doc);

    out.push_str(
        "<w:sectPr>\
         <w:footerReference w:type=\"default\" r:id=\"rId4\"/>\
         <w:footerReference w:type=\"even\" r:id=\"rId5\"/>",
    );
    out.push_str(&format!(
        "<w:pgSz w:w=\"{PAGE_W}\" w:h=\"{PAGE_H}\"/>\
         <w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" w:left=\"{MARGIN_LEFT}\" w:header=\"851\" w:footer=\"{FOOTER_DIST}\" w:gutter=\"0\"/>\
         <w:pgNumType w:start=\"1\"/><w:cols w:space=\"425\"/>"
    ));
    out.push_str("</w:sectPr></w:body></w:document>");
    out
}

/// The party-organ separator: a red line the width of the 版心 with a red five-pointed
/// star in its middle, 4 mm under the document number. A borderless two-row table: the
/// line is the border between the rows of the outer cells, the star sits in the middle
/// cell spanning both rows, so the line runs through the star's centre in every renderer.
fn push_star_rule(out: &mut String) {
    const STAR_W: u32 = 567; // 10 mm: the star and a little air on each side
    const HALF: u32 = 170; // each row 3 mm: the line lies 3 mm under the number
    let side = (TEXT_W - STAR_W) / 2;
    let star = TEXT_W - 2 * side;
    let none = "w:val=\"nil\"";
    let red = "w:val=\"single\" w:sz=\"18\" w:space=\"0\" w:color=\"FF0000\"";
    out.push_str("<w:tbl><w:tblPr>");
    out.push_str(&format!(
        "<w:tblW w:w=\"{TEXT_W}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblInd w:w=\"0\" w:type=\"dxa\"/>"
    ));
    out.push_str(&table_borders(none, none, none, none));
    out.push_str("<w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"0\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"0\" w:type=\"dxa\"/></w:tblCellMar><w:tblLook w:val=\"0000\" w:firstRow=\"0\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/></w:tblPr>");
    out.push_str(&format!(
        "<w:tblGrid><w:gridCol w:w=\"{side}\"/><w:gridCol w:w=\"{star}\"/><w:gridCol w:w=\"{side}\"/></w:tblGrid>"
    ));
    let tiny = "<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"20\" w:lineRule=\"exact\"/><w:rPr><w:sz w:val=\"2\"/><w:szCs w:val=\"2\"/></w:rPr></w:pPr></w:p>";
    for row in 0..2 {
        out.push_str(&format!(
            "<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val=\"{HALF}\" w:hRule=\"exact\"/></w:trPr>"
        ));
        let side_cell = |out: &mut String| {
            out.push_str(&format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"{side}\" w:type=\"dxa\"/>"
            ));
            if row == 0 {
                out.push_str(&format!("<w:tcBorders><w:bottom {red}/></w:tcBorders>"));
            }
            out.push_str("</w:tcPr>");
            out.push_str(tiny);
            out.push_str("</w:tc>");
        };
        side_cell(out);
        out.push_str(&format!(
            "<w:tc><w:tcPr><w:tcW w:w=\"{star}\" w:type=\"dxa\"/>"
        ));
        if row == 0 {
            out.push_str("<w:vMerge w:val=\"restart\"/><w:vAlign w:val=\"center\"/></w:tcPr>");
            out.push_str(&format!(
                "<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{}\" w:lineRule=\"exact\"/><w:jc w:val=\"center\"/></w:pPr>",
                2 * HALF
            ));
            push_run(
                out,
                &format!("{}<w:color w:val=\"FF0000\"/>{}", rfonts(SONG), sz(28)),
                "★",
            );
            out.push_str("</w:p></w:tc>");
        } else {
            out.push_str("<w:vMerge/></w:tcPr>");
            out.push_str(tiny);
            out.push_str("</w:tc>");
        }
        side_cell(out);
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
}

fn table_borders(top: &str, bottom: &str, inside_h: &str, sides: &str) -> String {
    format!(
        "<w:tblBorders><w:top {top}/><w:left {sides}/><w:bottom {bottom}/><w:right {sides}/><w:insideH {inside_h}/><w:insideV {sides}/></w:tblBorders>"
    )
}

/// The column widths of a body table: the relative widths, then widened where a short
/// column (序号, a date, a count) would otherwise wrap, taking the room from the columns
/// that wrap anyway. In parts of `total` (twips when `total` is the text width).
pub(crate) fn fitted_widths(t: &Table, total: u32) -> Vec<u32> {
    let mut widths = t.scaled_widths(total);
    let centred = t.centred_columns();
    let need: Vec<u32> = (0..widths.len())
        .map(|i| {
            if !centred[i] {
                return 0;
            }
            // The widest cell, the header too; a change between Chinese and Latin script
            // counts a quarter character, which renderers add as spacing.
            let twips = t
                .rows
                .iter()
                .filter_map(|r| r.get(i))
                .chain(t.header.get(i))
                .map(|c| quarter_width_units(c) * CELL_HALF / 2)
                .max()
                .unwrap_or(0)
                + CELL_MARGINS
                + CELL_HALF;
            // in twips on the page, scaled to `total` parts of the text width
            (u64::from(twips) * u64::from(total) / u64::from(TEXT_W)) as u32
        })
        .collect();
    let deficit: u32 = widths
        .iter()
        .zip(&need)
        .map(|(&w, &n)| n.saturating_sub(w))
        .sum();
    // What the wrapping columns can give, keeping each at least half its width.
    let spare: u32 = widths
        .iter()
        .zip(&centred)
        .filter(|(_, &c)| !c)
        .map(|(&w, _)| w / 2)
        .sum();
    if deficit == 0 || spare < deficit {
        return widths;
    }
    let flexible: u32 = widths
        .iter()
        .zip(&centred)
        .filter(|(_, &c)| !c)
        .map(|(&w, _)| w)
        .sum();
    let mut taken = 0;
    for i in 0..widths.len() {
        if centred[i] {
            widths[i] = widths[i].max(need[i]);
        } else {
            let cut = (u64::from(widths[i]) * u64::from(deficit) / u64::from(flexible)) as u32;
            widths[i] -= cut;
            taken += cut;
        }
    }
    // Rounding: the first wrapping column absorbs the remainder so the sum stays `total`.
    if let Some(i) = centred.iter().position(|c| !c) {
        widths[i] = (widths[i] + taken).saturating_sub(deficit);
    }
    widths
}

fn push_table(out: &mut String, t: &Table, keep_with_next: bool) {
    let widths = fitted_widths(t, TEXT_W);

    let centred = t.centred_columns();

    let line = "w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"";
    out.push_str("<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:jc w:val=\"center\"/><w:tblInd w:w=\"0\" w:type=\"dxa\"/>");
    out.push_str(&table_borders(line, line, line, line));
    out.push_str("<w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:top w:w=\"40\" w:type=\"dxa\"/><w:left w:w=\"57\" w:type=\"dxa\"/><w:bottom w:w=\"40\" w:type=\"dxa\"/><w:right w:w=\"57\" w:type=\"dxa\"/></w:tblCellMar><w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>");
    for w in &widths {
        out.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
    }
    out.push_str("</w:tblGrid>");

    // Pre-rendered cell openings per column and kind.
    let open = |w: u32, style: &str, no_wrap: bool, keep: bool| {
        format!(
            "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/>{}<w:vAlign w:val=\"center\"/></w:tcPr><w:p><w:pPr><w:pStyle w:val=\"{style}\"/>{}</w:pPr>",
            if no_wrap { "<w:noWrap/>" } else { "" },
            if keep { "<w:keepNext/>" } else { "" },
        )
    };
    let head_open: Vec<String> = widths
        .iter()
        .map(|&w| open(w, "GwCellHead", false, false))
        .collect();
    let body_open: Vec<String> = widths
        .iter()
        .zip(&centred)
        .map(|(&w, &c)| open(w, if c { "GwCellC" } else { "GwCell" }, c, false))
        .collect();
    // The last row of a table that ends the body stays with the signature.
    let last_open: Vec<String> = widths
        .iter()
        .zip(&centred)
        .map(|(&w, &c)| open(w, if c { "GwCellC" } else { "GwCell" }, c, true))
        .collect();
    const CLOSE: &str = "</w:p></w:tc>";

    if !t.header.is_empty() {
        out.push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
        for (i, o) in head_open.iter().enumerate() {
            out.push_str(o);
            push_run(out, "", t.header.get(i).map_or("", String::as_str));
            out.push_str(CLOSE);
        }
        out.push_str("</w:tr>");
    }
    for (r, row) in t.rows.iter().enumerate() {
        out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        let opens = if keep_with_next && r + 1 == t.rows.len() {
            &last_open
        } else {
            &body_open
        };
        for (i, o) in opens.iter().enumerate() {
            out.push_str(o);
            push_run(out, "", row.get(i).map_or("", String::as_str));
            out.push_str(CLOSE);
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
}

/// 版记: 抄送 and 印发机关/印发日期 between a thick top rule, a thin middle rule and a
/// thick bottom rule (a table without side borders), "左右各空一字", at the foot of the
/// 版心 on the last page: the table sits in a text box (DrawingML `wps`) anchored to the
/// bottom of the margin, which Word, WPS and LibreOffice all place there (LibreOffice 7.x
/// lays floating tables and `w:framePr` frames out inline instead).
fn push_banji(out: &mut String, doc: &Document) {
    let copy_to = doc.copy_to.as_deref().filter(|s| !s.trim().is_empty());
    let printed_by = doc.printed_by.as_deref().filter(|s| !s.trim().is_empty());
    if copy_to.is_none() && printed_by.is_none() {
        return;
    }
    let thick = "w:val=\"single\" w:sz=\"8\" w:space=\"0\" w:color=\"000000\"";
    let thin = "w:val=\"single\" w:sz=\"6\" w:space=\"0\" w:color=\"000000\"";
    let none = "w:val=\"nil\"";

    let mut print_date = String::with_capacity(doc.date.len() + 8);
    if !doc.date.trim().is_empty() {
        print_date.push_str(doc.date.trim());
        print_date.push_str("印发");
    }
    // The date column is as wide as "<date>印发" plus the indents and some air.
    let date_col = (half_width_units(&print_date) * CHAR4 / 2 + 4 * CHAR4).min(TEXT_W / 2);
    let name_col = TEXT_W - date_col;

    let mut table = String::with_capacity(2048);
    let mut lines = 0u32;
    table.push_str(&format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{TEXT_W}\" w:type=\"dxa\"/>"
    ));
    table.push_str(&table_borders(thick, thick, thin, none));
    table.push_str(
        "<w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"0\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"0\" w:type=\"dxa\"/></w:tblCellMar><w:tblLook w:val=\"0000\" w:firstRow=\"0\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/></w:tblPr>",
    );
    table.push_str(&format!(
        "<w:tblGrid><w:gridCol w:w=\"{name_col}\"/><w:gridCol w:w=\"{date_col}\"/></w:tblGrid>"
    ));
    if let Some(c) = copy_to {
        let mut text = String::with_capacity(c.len() + 16);
        text.push_str("抄送：");
        text.push_str(c.trim_end());
        if !text.ends_with('。') {
            text.push('。');
        }
        let per_line = ((TEXT_W - 5 * CHAR4) * 2 / CHAR4).max(1);
        lines += half_width_units(&text)
            .saturating_sub(6)
            .div_ceil(per_line)
            .max(1);
        table.push_str(&format!(
            "<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w=\"{TEXT_W}\" w:type=\"dxa\"/><w:gridSpan w:val=\"2\"/></w:tcPr>"
        ));
        // Continuation lines align with the first character after "抄送：".
        push_para(
            &mut table,
            "GwBanji",
            &format!(
                "<w:ind w:left=\"{}\" w:right=\"{CHAR4}\" w:hanging=\"{}\"/>",
                4 * CHAR4,
                3 * CHAR4
            ),
            "",
            &text,
        );
        table.push_str("</w:tc></w:tr>");
    }
    if let Some(p) = printed_by {
        let per_line = ((name_col - CHAR4) * 2 / CHAR4).max(1);
        lines += half_width_units(p).div_ceil(per_line).max(1);
        table.push_str(&format!(
            "<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w=\"{name_col}\" w:type=\"dxa\"/></w:tcPr>"
        ));
        push_para(
            &mut table,
            "GwBanji",
            &format!("<w:ind w:left=\"{CHAR4}\"/><w:jc w:val=\"left\"/>"),
            "",
            p,
        );
        table.push_str(&format!(
            "</w:tc><w:tc><w:tcPr><w:tcW w:w=\"{date_col}\" w:type=\"dxa\"/></w:tcPr>"
        ));
        push_para(
            &mut table,
            "GwBanji",
            &format!("<w:ind w:right=\"{CHAR4}\"/><w:jc w:val=\"right\"/>"),
            "",
            &print_date,
        );
        table.push_str("</w:tc></w:tr>");
    }
    table.push_str("</w:tbl>");
    // A text box's content ends with a paragraph; keep it tiny.
    table.push_str(TINY_PARA);

    // EMU = twips × 635. The box is as tall as its lines plus the rules.
    let w = u64::from(TEXT_W) * 635;
    let h = (u64::from(lines) * u64::from(LINE) + 240) * 635;
    // One blank line after the date, then the anchor of the box.
    push_para(out, "GwBody", "", "", "");
    out.push_str("<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"20\" w:lineRule=\"exact\"/><w:rPr><w:sz w:val=\"2\"/><w:szCs w:val=\"2\"/></w:rPr></w:pPr><w:r><w:drawing>");
    out.push_str(&format!(
        "<wp:anchor distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\" simplePos=\"0\" relativeHeight=\"251659264\" behindDoc=\"0\" locked=\"0\" layoutInCell=\"1\" allowOverlap=\"0\">\
         <wp:simplePos x=\"0\" y=\"0\"/>\
         <wp:positionH relativeFrom=\"margin\"><wp:align>center</wp:align></wp:positionH>\
         <wp:positionV relativeFrom=\"margin\"><wp:align>bottom</wp:align></wp:positionV>\
         <wp:extent cx=\"{w}\" cy=\"{h}\"/><wp:effectExtent l=\"0\" t=\"0\" r=\"0\" b=\"0\"/><wp:wrapTopAndBottom/>\
         <wp:docPr id=\"1\" name=\"Banji\" descr=\"版记\"/><wp:cNvGraphicFramePr/>\
         <a:graphic xmlns:a=\"{NS_A}\"><a:graphicData uri=\"{NS_WPS}\"><wps:wsp><wps:cNvSpPr txBox=\"1\"/>\
         <wps:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{w}\" cy=\"{h}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>\
         <wps:txbx><w:txbxContent>"
    ));
    out.push_str(&table);
    out.push_str(
        "</w:txbxContent></wps:txbx><wps:bodyPr rot=\"0\" vert=\"horz\" wrap=\"square\" lIns=\"0\" tIns=\"0\" rIns=\"0\" bIns=\"0\" anchor=\"b\" anchorCtr=\"0\"><a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r></w:p>",
    );
}

/// An empty paragraph one twip high.
const TINY_PARA: &str = "<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"20\" w:lineRule=\"exact\"/><w:rPr><w:sz w:val=\"2\"/><w:szCs w:val=\"2\"/></w:rPr></w:pPr></w:p>";
