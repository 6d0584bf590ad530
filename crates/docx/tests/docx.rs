mod common;

use std::io::Cursor;

use common::{check_well_formed, sample, texts, unzip};
use docx::{write, Block, Document, Table};

const REQUIRED: [&str; 9] = [
    "[Content_Types].xml",
    "_rels/.rels",
    "word/document.xml",
    "word/styles.xml",
    "word/settings.xml",
    "word/_rels/document.xml.rels",
    "word/footer1.xml",
    "docProps/core.xml",
    "docProps/app.xml",
];

const HOSTILE: &str = "<&>\"' </w:t></w:r></w:p><script>x</script> ]]> &amp;";

fn document_xml(doc: &Document) -> String {
    let parts = unzip(&write(doc).expect("write"));
    parts["word/document.xml"].clone()
}

/// The attribute `attr` of the first element `<tag …>` in `xml`.
fn attr<'a>(xml: &'a str, tag: &str, attr: &str) -> &'a str {
    let start = xml
        .find(&format!("<{tag} "))
        .unwrap_or_else(|| panic!("no <{tag}>"));
    let el = &xml[start..start + xml[start..].find('>').unwrap()];
    let key = format!(" {attr}=\"");
    let i = el.find(&key).unwrap_or_else(|| panic!("no {attr} in {el}")) + key.len();
    &el[i..i + el[i..].find('"').unwrap()]
}

#[test]
fn package_has_required_parts_and_all_are_well_formed() {
    let parts = unzip(&write(&sample()).unwrap());
    for name in REQUIRED {
        assert!(parts.contains_key(name), "missing {name}");
    }
    for (name, xml) in &parts {
        assert!(name.ends_with(".xml") || name.ends_with(".rels"), "{name}");
        check_well_formed(xml).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    // [Content_Types].xml is the first entry (some readers sniff it).
    let archive = zip::ZipArchive::new(Cursor::new(write(&sample()).unwrap())).unwrap();
    assert_eq!(
        archive.name_for_index(0).unwrap().unwrap(),
        "[Content_Types].xml"
    );
}

#[test]
fn every_part_has_a_content_type_and_every_relationship_target_exists() {
    let parts = unzip(&write(&sample()).unwrap());
    let types = &parts["[Content_Types].xml"];
    for name in parts.keys() {
        if name.ends_with(".rels") || name == "[Content_Types].xml" {
            continue;
        }
        assert!(
            types.contains(&format!("PartName=\"/{name}\"")),
            "{name} has no Override"
        );
    }
    for (rels, base) in [
        ("_rels/.rels", ""),
        ("word/_rels/document.xml.rels", "word/"),
    ] {
        let xml = &parts[rels];
        let mut n = 0;
        for chunk in xml.split("Target=\"").skip(1) {
            let target = &chunk[..chunk.find('"').unwrap()];
            let path = format!("{base}{target}");
            assert!(parts.contains_key(&path), "{rels} → missing {path}");
            n += 1;
        }
        assert!(n >= 3, "{rels} has {n} relationships");
    }
    // r:id values used in document.xml are declared.
    let doc = &parts["word/document.xml"];
    for chunk in doc.split("r:id=\"").skip(1) {
        let id = &chunk[..chunk.find('"').unwrap()];
        assert!(
            parts["word/_rels/document.xml.rels"].contains(&format!("Id=\"{id}\"")),
            "undeclared {id}"
        );
    }
}

#[test]
fn all_text_appears_in_document_xml() {
    let doc = sample();
    let xml = document_xml(&doc);
    let t = texts(&xml);
    let has = |s: &str| t.iter().any(|x| x == s);
    for s in [
        &doc.issuer,
        &doc.doc_number,
        &doc.title,
        doc.addressee.as_ref().unwrap(),
        &doc.signature,
        &doc.date,
        "表1  已整改销号问题清单",
        "一、总体情况",
        "（一）整改责任压紧压实。",
        "各党组织要举一反三。",
        "抄送：市科协党组。",
        "中共云川市科技社团委员会办公室",
        "2023年12月20日印发",
    ] {
        assert!(has(s), "missing text {s:?}");
    }
    let Block::Table(table) = &doc.body[5] else {
        panic!()
    };
    for cell in table.header.iter().chain(table.rows.iter().flatten()) {
        assert!(has(cell), "missing cell {cell:?}");
    }
}

#[test]
fn hostile_text_is_escaped_everywhere() {
    let h = HOSTILE.to_string();
    let doc = Document {
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
                header: vec![h.clone()],
                rows: vec![vec![h.clone()]],
                widths: None,
            }),
        ],
        signature: h.clone(),
        date: h.clone(),
        copy_to: Some(h.clone()),
        printed_by: Some(h.clone()),
        layout: docx::Layout::Party,
    };
    let parts = unzip(&write(&doc).unwrap());
    for (name, xml) in &parts {
        check_well_formed(xml).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!xml.contains("<script"), "{name}");
    }
    let xml = &parts["word/document.xml"];
    let n = texts(xml).iter().filter(|t| t.as_str() == HOSTILE).count();
    // issuer, number, addressee, h1, h2, p, caption, header, cell, signature, date,
    // printed_by; the title is longer than a line and printed on two
    assert_eq!(n, 12);
    let title = &xml[xml.find("GwTitle").unwrap()..];
    let title = &title[..title.find("</w:p>").unwrap()];
    assert_eq!(title.matches("<w:br/>").count(), 1);
    assert_eq!(texts(title).concat(), HOSTILE);
    assert!(xml.contains("&lt;&amp;&gt;&quot;&apos; &lt;/w:t&gt;"));
    assert!(texts(xml).contains(&format!("抄送：{HOSTILE}。")));
    assert!(texts(xml).contains(&format!("{HOSTILE}印发")));
    // core.xml carries the title, escaped.
    assert!(parts["docProps/core.xml"].contains("<dc:title>&lt;&amp;&gt;&quot;&apos;"));
}

#[test]
fn forbidden_control_characters_are_stripped() {
    let nasty = "前\u{0}中\u{1}后\u{FFFE}尾\u{FFFF}\u{B}\u{1F}\u{7F}完";
    let doc = Document {
        issuer: nasty.into(),
        title: nasty.into(),
        body: vec![
            Block::Paragraph(nasty.into()),
            Block::Table(Table {
                header: vec![nasty.into()],
                rows: vec![vec![nasty.into(), "\u{0}".into()]],
                ..Table::default()
            }),
        ],
        date: nasty.into(),
        copy_to: Some(nasty.into()),
        ..Document::default()
    };
    let parts = unzip(&write(&doc).unwrap());
    for (name, xml) in &parts {
        check_well_formed(xml).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let t = texts(&parts["word/document.xml"]);
    assert!(t.iter().filter(|s| s.as_str() == "前中后尾完").count() >= 5);
    assert!(parts["docProps/core.xml"].contains("<dc:title>前中后尾完</dc:title>"));
}

#[test]
fn newlines_and_tabs_become_breaks_and_tabs() {
    let xml = document_xml(&Document {
        body: vec![Block::Paragraph(
            "第一行\n第二行\r\n第三行\r第四行\t完".into(),
        )],
        ..Document::default()
    });
    let start = xml.find("第一行").unwrap();
    let para = &xml[start..start + xml[start..].find("</w:p>").unwrap()];
    assert_eq!(para.matches("<w:br/>").count(), 3, "{para}");
    assert_eq!(para.matches("<w:tab/>").count(), 1, "{para}");
    assert!(!para.contains('\n') && !para.contains('\r'));
}

#[test]
fn page_is_a4_with_gbt_9704_margins() {
    let xml = document_xml(&sample());
    assert_eq!(attr(&xml, "w:pgSz", "w:w"), "11906");
    assert_eq!(attr(&xml, "w:pgSz", "w:h"), "16838");
    assert_eq!(attr(&xml, "w:pgMar", "w:top"), "2098");
    assert_eq!(attr(&xml, "w:pgMar", "w:bottom"), "1984");
    assert_eq!(attr(&xml, "w:pgMar", "w:left"), "1588");
    assert_eq!(attr(&xml, "w:pgMar", "w:right"), "1474");
    // sectPr is the last child of the body
    assert!(xml.ends_with("</w:sectPr></w:body></w:document>"));
}

#[test]
fn page_numbers_odd_right_even_left() {
    let parts = unzip(&write(&sample()).unwrap());
    let odd = &parts["word/footer1.xml"];
    let even = &parts["word/footer2.xml"];
    for f in [odd, even] {
        assert!(f.contains("<w:instrText xml:space=\"preserve\"> PAGE </w:instrText>"));
        assert!(f.contains(">— </w:t>") && f.contains("> —</w:t>"));
    }
    assert!(odd.contains("<w:jc w:val=\"right\"/>"));
    assert!(even.contains("<w:jc w:val=\"left\"/>"));
    assert!(parts["word/settings.xml"].contains("<w:evenAndOddHeaders/>"));
    let xml = &parts["word/document.xml"];
    assert!(xml.contains("<w:footerReference w:type=\"default\" r:id=\"rId4\"/>"));
    assert!(xml.contains("<w:footerReference w:type=\"even\" r:id=\"rId5\"/>"));
}

#[test]
fn styles_use_east_asian_fonts_sizes_and_red() {
    let parts = unzip(&write(&sample()).unwrap());
    let styles = &parts["word/styles.xml"];
    for font in ["仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体"] {
        assert!(
            styles.contains(&format!("w:eastAsia=\"{font}\"")),
            "no eastAsia {font}"
        );
    }
    assert!(styles.contains("w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\""));
    let style = |id: &str| {
        let start = styles
            .find(&format!("w:styleId=\"{id}\""))
            .unwrap_or_else(|| panic!("no style {id}"));
        &styles[start..start + styles[start..].find("</w:style>").unwrap()]
    };
    // body 3号 (32 half-points), 28.95 pt exact lines, 2-character indent
    assert!(style("Normal").contains("<w:sz w:val=\"32\"/>"));
    assert!(style("GwBody").contains("<w:ind w:firstLine=\"640\"/>"));
    assert!(style("Normal").contains("w:line=\"579\" w:lineRule=\"exact\""));
    assert!(style("GwH1").contains("w:eastAsia=\"黑体\""));
    assert!(style("GwH2").contains("w:eastAsia=\"楷体_GB2312\""));
    // title 2号 小标宋 centred
    let title = style("GwTitle");
    assert!(title.contains("<w:sz w:val=\"44\"/>") && title.contains("方正小标宋简体"));
    assert!(title.contains("<w:jc w:val=\"center\"/>"));
    // issuer red and centred; red rule under the document number
    let issuer = style("GwIssuer");
    assert!(issuer.contains("<w:color w:val=\"FF0000\"/>"));
    assert!(issuer.contains("<w:jc w:val=\"center\"/>"));
    assert!(style("GwDocNo").contains("<w:bottom w:val=\"single\" w:sz=\"12\""));
    assert!(style("GwDocNo").contains("w:color=\"FF0000\""));
    // page numbers 4号
    assert!(style("GwFooter").contains("<w:sz w:val=\"28\"/>"));
    // the document uses these styles in order
    let xml = &parts["word/document.xml"];
    let pos = |s: &str| xml.find(&format!("<w:pStyle w:val=\"{s}\"/>")).unwrap();
    assert!(pos("GwIssuer") < pos("GwDocNo"));
    assert!(pos("GwDocNo") < pos("GwTitle"));
    assert!(pos("GwTitle") < pos("GwAddressee"));
    assert!(pos("GwAddressee") < pos("GwBody"));
    assert!(pos("GwSign") < pos("GwDate"));
}

#[test]
fn table_header_repeats_and_widths_fill_the_text_width() {
    let xml = document_xml(&sample());
    let start = xml.find("<w:tbl>").unwrap();
    let table = &xml[start..start + xml[start..].find("</w:tbl>").unwrap()];
    assert!(table.contains("<w:tblW w:w=\"5000\" w:type=\"pct\"/>"));
    assert!(table.contains("<w:insideH w:val=\"single\""));
    let rows: Vec<&str> = table.split("<w:tr>").skip(1).collect();
    assert_eq!(rows.len(), 31);
    assert!(rows[0].contains("<w:tblHeader/>"));
    assert!(rows[0].contains("GwCellHead"));
    assert!(rows[1..].iter().all(|r| !r.contains("<w:tblHeader/>")));
    let grid: Vec<u32> = table
        .split("<w:gridCol w:w=\"")
        .skip(1)
        .map(|c| c[..c.find('"').unwrap()].parse().unwrap())
        .collect();
    assert_eq!(grid.iter().sum::<u32>(), 8844);
    assert_eq!(grid.len(), 5);
    // 7:18:27:24:24, the 序号 column widened to hold its header on one line
    // (4 half-characters of 120 twips, a character of air, the cell margins)
    assert_eq!(grid[0], 4 * 120 + 120 + 114);
    assert!(grid[3] == grid[4] || grid[3] + 1 == grid[4] || grid[3] == grid[4] + 1);
    // short columns (序号, dates) centred, the problem column not
    assert!(rows[1].contains("GwCellC") && rows[1].contains("\"GwCell\""));
}

#[test]
fn short_columns_are_widened_so_that_dates_never_wrap() {
    let table = Table {
        caption: None,
        header: ["序号", "党组织", "问题", "整改时限"]
            .map(String::from)
            .to_vec(),
        rows: vec![vec![
            "1".into(),
            "市计算机学会党支部".into(),
            "很长的问题描述".repeat(4),
            "2026年12月31日".into(),
        ]],
        // the date column at 5 % would wrap
        widths: Some(vec![5, 20, 70, 5]),
    };
    let xml = document_xml(&Document {
        body: vec![Block::Table(table)],
        ..Document::default()
    });
    let grid: Vec<u32> = xml
        .split("<w:gridCol w:w=\"")
        .skip(1)
        .map(|c| c[..c.find('"').unwrap()].parse().unwrap())
        .collect();
    assert_eq!(grid.iter().sum::<u32>(), 8844);
    // 14 half-characters, 5 changes of script, air and margins
    assert!(grid[3] >= 14 * 120 + 5 * 60 + 120 + 114, "{grid:?}");
    assert!(
        grid[2] < 8844 * 70 / 100,
        "the room comes from the wrapping column"
    );
    // the date cell is marked not to wrap, the problem cell is not
    let cells: Vec<&str> = xml.split("<w:tc>").skip(5).collect();
    assert!(cells[3].contains("<w:noWrap/>") && !cells[2].contains("<w:noWrap/>"));
}

#[test]
fn ragged_rows_are_padded_and_adjacent_tables_kept_apart() {
    let t = Table {
        caption: None,
        header: vec!["甲".into(), "乙".into()],
        rows: vec![vec!["1".into()], vec!["1".into(), "2".into(), "3".into()]],
        widths: Some(vec![1, 2]), // wrong length → equal widths
    };
    let xml = document_xml(&Document {
        body: vec![Block::Table(t.clone()), Block::Table(t)],
        ..Document::default()
    });
    check_well_formed(&xml).unwrap();
    let first = &xml[xml.find("<w:tbl>").unwrap()..];
    let first = &first[..first.find("</w:tbl>").unwrap()];
    for row in first.split("<w:tr>").skip(1) {
        assert_eq!(row.matches("<w:tc>").count(), 3, "{row}");
    }
    assert_eq!(first.matches("<w:gridCol w:w=\"2948\"/>").count(), 3);
    // a paragraph separates the two tables (Word would merge them)
    assert!(!xml.contains("</w:tbl><w:tbl>"));
    assert_eq!(xml.matches("<w:tblHeader/>").count(), 2);
}

#[test]
fn signature_is_centred_over_the_date_which_is_indented_four_characters() {
    let xml = document_xml(&Document {
        signature: "云川市科协".into(), // 5 characters
        date: "2023年12月20日".into(),  // 7 characters
        ..Document::default()
    });
    let indent = |style: &str| {
        let p = &xml[xml.find(&format!("<w:pStyle w:val=\"{style}\"/>")).unwrap()..];
        let i = p.find("<w:ind w:right=\"").unwrap() + 16;
        p[i..i + p[i..].find('"').unwrap()].parse::<u32>().unwrap()
    };
    assert_eq!(indent("GwDate"), 4 * 320);
    assert_eq!(indent("GwSign"), 4 * 320 + 320); // (7 - 5) / 2 characters more

    // a long signature stays two characters from the edge, the date moves
    let xml = document_xml(&sample());
    let sig = xml.find("<w:pStyle w:val=\"GwSign\"/><w:ind w:right=\"640\"/>");
    assert!(sig.is_some());
    assert!(xml.contains("<w:pStyle w:val=\"GwDate\"/><w:ind w:right=\"1440\"/>"));
}

#[test]
fn banji_only_when_requested() {
    let mut doc = sample();
    let xml = document_xml(&doc);
    // one text box at the foot of the 版心 holding the 版记 table
    assert_eq!(xml.matches("<wp:anchor ").count(), 1);
    assert!(xml.contains(
        "<wp:positionV relativeFrom=\"margin\"><wp:align>bottom</wp:align></wp:positionV>"
    ));
    let boxed = &xml[xml.find("<w:txbxContent>").unwrap()..xml.find("</w:txbxContent>").unwrap()];
    assert!(boxed.contains("抄送：市科协党组。") && boxed.contains("2023年12月20日印发"));
    doc.copy_to = None;
    doc.printed_by = None;
    let xml = document_xml(&doc);
    assert!(!xml.contains("抄送") && !xml.contains("印发"));
    assert!(!xml.contains("wp:anchor"));
    // an existing final 。 is not doubled
    doc.copy_to = Some("市科协党组。".into());
    let xml = document_xml(&doc);
    assert!(texts(&xml).contains(&"抄送：市科协党组。".to_string()));
}

#[test]
fn issuer_font_shrinks_to_fit_one_line() {
    let size = |issuer: &str| {
        let xml = document_xml(&Document {
            issuer: issuer.into(),
            ..Document::default()
        });
        let p = &xml[xml.find("GwIssuer").unwrap()..];
        let i = p.find("<w:sz w:val=\"").unwrap() + 13;
        p[i..i + p[i..].find('"').unwrap()].parse::<u32>().unwrap()
    };
    assert_eq!(size("云科社党委"), 72); // 小初
    let twelve = size("中共云川市科技社团委员会");
    assert!((60..72).contains(&twelve), "{twelve}");
    // 12 characters at that size fit in the 156 mm (442 pt) text width
    assert!(12 * twelve / 2 <= 442);
    assert_eq!(size(&"长".repeat(40)), 44); // never below 2号
}

#[test]
fn output_is_deterministic_with_fixed_timestamps() {
    let a = write(&sample()).unwrap();
    let b = write(&sample()).unwrap();
    assert_eq!(a, b);
    let mut archive = zip::ZipArchive::new(Cursor::new(a)).unwrap();
    for i in 0..archive.len() {
        let f = archive.by_index(i).unwrap();
        let t = f.last_modified().expect("timestamp");
        assert_eq!(
            (t.year(), t.month(), t.day()),
            (1980, 1, 1),
            "{:?}",
            f.name()
        );
    }
}

#[test]
fn empty_document_is_still_valid() {
    let parts = unzip(&write(&Document::default()).unwrap());
    for (name, xml) in &parts {
        check_well_formed(xml).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let xml = &parts["word/document.xml"];
    // the red rule paragraph is always there
    assert!(xml.contains("GwDocNo"));
    assert!(!xml.contains("<w:tbl>"));
    // empty table: no columns → no w:tbl (an empty grid is invalid)
    let xml = document_xml(&Document {
        body: vec![Block::Table(Table::default())],
        ..Document::default()
    });
    assert!(!xml.contains("<w:tbl>"));
}

#[test]
fn twenty_thousand_rows() {
    let rows: Vec<Vec<String>> = (0..20_000)
        .map(|i| {
            vec![
                (i + 1).to_string(),
                format!("市第{}学会党支部", i % 97),
                format!("问题描述{i}：“三会一课”记录不规范 & <待核实>"),
                "2023年9月30日".to_string(),
                String::new(),
            ]
        })
        .collect();
    let doc = Document {
        title: "大表".into(),
        body: vec![Block::Table(Table {
            caption: None,
            header: ["序号", "党组织", "问题", "整改时限", "销号日期"]
                .map(String::from)
                .to_vec(),
            rows,
            widths: None,
        })],
        ..Document::default()
    };
    let bytes = write(&doc).unwrap();
    assert!(
        (100_000..20_000_000).contains(&bytes.len()),
        "{} bytes",
        bytes.len()
    );
    let parts = unzip(&bytes);
    let xml = &parts["word/document.xml"];
    assert_eq!(xml.matches("<w:tr>").count(), 20_001);
    assert_eq!(xml.matches("<w:tblHeader/>").count(), 1);
    assert!(xml.contains("问题描述19999：“三会一课”记录不规范 &amp; &lt;待核实&gt;"));
    check_well_formed(xml).unwrap();
}

#[test]
fn party_layout_draws_the_star_in_the_red_line() {
    let mut doc = sample();
    let xml = document_xml(&doc);
    assert!(!xml.contains('★'));
    assert!(!xml.contains("<w:vMerge"));
    doc.layout = docx::Layout::Party;
    let xml = document_xml(&doc);
    let star = xml.find('★').expect("a star");
    // between the number and the title, red, in the middle cell of a two-row table whose
    // outer cells carry the red line between their rows
    assert!(star > xml.find("云科社党〔2023〕12号").unwrap());
    assert!(star < xml.find("GwTitle").unwrap());
    let rule = &xml[xml.find("<w:tbl>").unwrap()..star];
    assert!(rule.contains("<w:vMerge w:val=\"restart\"/>"));
    assert_eq!(
        rule.matches("<w:tcBorders><w:bottom w:val=\"single\" w:sz=\"18\" w:space=\"0\" w:color=\"FF0000\"/>").count(),
        1
    );
    assert!(xml.contains("<w:color w:val=\"FF0000\"/><w:sz w:val=\"28\"/>"));
    // the number's own red bottom border is switched off
    assert!(xml.contains("<w:pStyle w:val=\"GwDocNo\"/><w:pBdr><w:bottom w:val=\"nil\"/></w:pBdr>"));
}

#[test]
fn the_last_paragraph_stays_with_the_signature() {
    let xml = document_xml(&sample());
    let sign = xml[..xml.find("<w:pStyle w:val=\"GwSign\"/>").unwrap()]
        .rfind("<w:p>")
        .unwrap();
    let last = xml[..sign].rfind("<w:p>").unwrap();
    assert!(xml[last..sign].contains("<w:keepNext/><w:widowControl/>"));
    // no earlier body paragraph is kept so
    assert_eq!(xml[..last].matches("<w:widowControl/>").count(), 0);
}
