use docx::{to_html, Block, Document, Table, PREVIEW_CSS};

const HOSTILE: &str =
    "<script>alert('x')</script><img src=x onerror=\"y\"> & style=\"color:red\" \u{0}\u{1}\u{FFFE}";

fn hostile_doc() -> Document {
    let h = HOSTILE.to_string();
    Document {
        issuer: h.clone(),
        doc_number: h.clone(),
        title: h.clone(),
        addressee: Some(h.clone()),
        body: vec![
            Block::Heading1(h.clone()),
            Block::Heading2(h.clone()),
            Block::Paragraph(h.clone()),
            Block::Table(Table {
                caption: Some(h.clone()),
                header: vec![h.clone(), "短".into()],
                rows: vec![vec![h.clone(), "1".into()]],
                widths: Some(vec![3, 1]),
            }),
        ],
        signature: h.clone(),
        date: h.clone(),
        copy_to: Some(h.clone()),
        printed_by: Some(h),
        layout: docx::Layout::Party,
    }
}

fn sample() -> Document {
    Document {
        issuer: "中共云川市科技社团委员会".into(),
        doc_number: "云科社党〔2023〕12号".into(),
        title: "关于2023年度督查整改落实情况的通报".into(),
        addressee: Some("各学会（协会、研究会）党组织：".into()),
        body: vec![
            Block::Heading1("一、总体情况".into()),
            Block::Heading2("（一）整改责任压紧压实。".into()),
            Block::Paragraph("第一行\n第二行".into()),
            Block::Table(Table {
                caption: Some("表1".into()),
                header: vec!["序号".into(), "问题".into()],
                rows: vec![vec![
                    "1".into(),
                    "很长很长很长很长很长很长的问题描述".into(),
                ]],
                widths: Some(vec![1, 4]),
            }),
        ],
        signature: "中共云川市科技社团委员会".into(),
        date: "2023年12月20日".into(),
        copy_to: Some("市科协党组".into()),
        printed_by: Some("中共云川市科技社团委员会办公室".into()),
        layout: docx::Layout::Standard,
    }
}

#[test]
fn everything_is_escaped() {
    let html = to_html(&hostile_doc());
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"));
    assert!(!html.contains("style="), "inline style attribute: {html}");
    assert!(!html.contains("<style"));
    assert!(!html.contains("onerror="));
    assert!(!html.contains('\u{0}') && !html.contains('\u{1}') && !html.contains('\u{FFFE}'));
    let escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src&#61;x onerror&#61;&quot;y&quot;&gt; &amp; style&#61;&quot;color:red&quot; ";
    // issuer, number, addressee, h1, h2, p, caption, th, td, signature, date, 抄送,
    // 印发机关, 印发日期; the title is broken over lines, escaped all the same
    assert_eq!(html.matches(escaped).count(), 14, "{html}");
    let title = &html[html.find("class=\"gw-title\">").unwrap()..];
    let title = &title[..title.find("</h1>").unwrap()];
    assert!(title.contains("<br>"));
    assert_eq!(
        title.replace("<br>", "").matches("&lt;script&gt;").count(),
        1
    );
    // the party-organ separator: a line with the star in its middle
    assert!(html.contains(
        "<div class=\"gw-starrule\" role=\"separator\"><span class=\"gw-star\">★</span></div>"
    ));
    assert!(!html.contains("gw-rule\""));
    // every tag we emit is from a small allowlist
    let allowed = [
        "article", "header", "footer", "p", "hr", "h1", "h2", "h3", "div", "table", "colgroup",
        "col", "thead", "tbody", "tr", "th", "td", "span", "br",
    ];
    for tag in html.split('<').skip(1) {
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(allowed.contains(&name.as_str()), "unexpected <{name}");
    }
}

#[test]
fn structure_and_classes() {
    let html = to_html(&sample());
    assert!(html.starts_with("<article class=\"gw-doc\">"));
    assert!(!html.contains("<html") && !html.contains("<head>") && !html.contains("<body"));
    for (class, text) in [
        ("gw-issuer", "中共云川市科技社团委员会"),
        ("gw-docno", "云科社党〔2023〕12号"),
        ("gw-title", "关于2023年度督查整改落实情况的通报"),
        ("gw-addressee", "各学会（协会、研究会）党组织："),
        ("gw-h1", "一、总体情况"),
        ("gw-h2", "（一）整改责任压紧压实。"),
        ("gw-p", "第一行<br>第二行"),
        ("gw-caption", "表1"),
        ("gw-sign", "中共云川市科技社团委员会"),
        ("gw-date", "2023年12月20日"),
        ("gw-cc", "抄送：市科协党组。"),
        ("gw-printer", "中共云川市科技社团委员会办公室"),
        ("gw-printdate", "2023年12月20日印发"),
    ] {
        assert!(
            html.contains(&format!("class=\"{class}\">{text}<")),
            "{class}: {html}"
        );
    }
    assert!(html.contains("<hr class=\"gw-rule\">"));
    assert!(html.contains("<table class=\"gw-table\">"));
    assert!(html.contains("<footer class=\"gw-banji\">"));
    assert!(html.contains("<th scope=\"col\">序号</th>"));
    assert!(html.contains("<td class=\"gw-c\">1</td>"));
    assert!(html.contains("<td>很长很长很长很长很长很长的问题描述</td>"));
    // 1:4 → 20 % and 80 %
    assert!(html.contains("<col class=\"gw-w20\"><col class=\"gw-w80\">"));
    // no 版记 when neither 抄送 nor 印发
    let mut doc = sample();
    doc.copy_to = None;
    doc.printed_by = None;
    assert!(!to_html(&doc).contains("gw-banji"));
}

#[test]
fn every_class_used_has_a_css_rule() {
    let html = to_html(&sample());
    let mut classes: Vec<&str> = html
        .split("class=\"")
        .skip(1)
        .map(|c| &c[..c.find('"').unwrap()])
        .collect();
    classes.sort_unstable();
    classes.dedup();
    assert!(classes.len() >= 15, "{classes:?}");
    for class in classes {
        assert!(
            PREVIEW_CSS.contains(&format!(".{class} "))
                || PREVIEW_CSS.contains(&format!(".{class},"))
                || PREVIEW_CSS.contains(&format!(".{class}{{")),
            "no CSS for .{class}"
        );
    }
    for w in (5..=100).step_by(5) {
        assert!(PREVIEW_CSS.contains(&format!(".gw-w{w} {{ width: {w}%; }}")));
    }
}

#[test]
fn css_has_the_official_look() {
    for needle in [
        "\"FangSong_GB2312\"",
        "\"FangSong\"",
        "\"STFangsong\"",
        "\"Noto Serif CJK SC\"",
        "\"SimHei\"",
        "\"Noto Sans CJK SC\"",
        "\"KaiTi_GB2312\"",
        "\"KaiTi\"",
        "\"STKaiti\"",
        "\"FZXiaoBiaoSong-B05S\"",
        "\"STZhongsong\"",
        "\"SimSun\"",
        "max-width: 210mm",
        "padding: 37mm 26mm 35mm 28mm",
        "line-height: 28.95pt",
        "text-indent: 2em",
        "border-top: 1.5pt solid var(--gw-red)",
    ] {
        assert!(PREVIEW_CSS.contains(needle), "{needle}");
    }
    assert!(!PREVIEW_CSS.contains("</style"));
    assert!(!PREVIEW_CSS.contains("url("), "no external resources");
}
