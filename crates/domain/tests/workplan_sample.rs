//! The work-plan parser on the real document of PRODUCT.md (`samples/work-points-2023.txt`,
//! copied into the repository so CI has it) and on damaged copies of it.

use domain::workplan::{parse, Warning};

const SAMPLE: &str = include_str!("data/work-points-2023.txt");

const TITLES: [&str; 16] = [
    "切实加强政治建设",
    "着力强化理论武装",
    "扎实开展主题教育",
    "抓实意识形态工作",
    "深化分类管理",
    "探索党建破题",
    "升级工作覆盖",
    "优化社团布局",
    "夯实队伍建设",
    "着力强化学术立会",
    "持续推进“双高”建设",
    "组织实施专项行动",
    "完善党建统领机制",
    "深入抓好作风建设",
    "提升制度建设标杆",
    "压实党建工作责任",
];

#[test]
fn the_sample_gives_four_sections_and_items_1_to_16() {
    let p = parse(SAMPLE);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let nos: Vec<&str> = p.sections.iter().map(|s| s.no.as_str()).collect();
    assert_eq!(nos, ["一", "二", "三", "四"]);
    assert_eq!(
        p.sections[0].title,
        "突出政治铸魂，增强科技社团党组织的政治功能"
    );
    assert_eq!(
        p.sections[3].title,
        "突出变革重塑，增强变革型党组织的自身动能"
    );
    let per_section: Vec<usize> = p.sections.iter().map(|s| s.items.len()).collect();
    assert_eq!(per_section, [4, 5, 3, 4]);
    let items: Vec<_> = p.sections.iter().flat_map(|s| &s.items).collect();
    assert_eq!(items.len(), 16);
    for (i, (item, title)) in items.iter().zip(TITLES).enumerate() {
        assert_eq!(item.no as usize, i + 1);
        assert_eq!(item.title, title);
        assert!(!item.body.is_empty(), "item {} has a body", i + 1);
        assert!(!item.body.contains("\n\n"));
    }
    assert_eq!(p.title.as_deref(), Some("市科协科技社团党委2023年工作要点"));
    assert_eq!(p.year, Some(2023));
}

#[test]
fn item_14_continues_across_the_page_break() {
    let p = parse(SAMPLE);
    let item = p.sections[3].items.iter().find(|i| i.no == 14).unwrap();
    assert!(
        item.body
            .contains("切实转作风、正学风、树新风；强化宗旨意识和服务意识"),
        "{}",
        item.body
    );
    assert!(item.body.ends_with("坚守廉洁底线。"), "{}", item.body);
    // item 2 too: "…二十大精神" / "神理论研讨…" (as the document has it) across its break
    let two = &p.sections[0].items[1];
    assert!(
        two.body.contains("二十大精神神理论研讨暨征文活动"),
        "{}",
        two.body
    );
    assert!(!two.body.contains('\n'));
}

#[test]
fn the_preamble_is_not_an_item() {
    let p = parse(SAMPLE);
    for s in &p.sections {
        for i in &s.items {
            assert!(!i.body.contains("各党支部"));
            assert!(!i.body.contains("2023年4月14日"));
        }
    }
}

#[test]
fn full_width_digits_crlf_form_feeds_and_page_numbers() {
    let damaged: String = SAMPLE
        .replace("14.深入", "１４．深入")
        .replace("3.扎实", "3、扎实")
        .replace(
            "\n\n化宗旨意识",
            "\r\n\u{c}— 7 —\r\n市科协科技社团党委 2023 年工作要点\r\n化宗旨意识",
        )
        .replace('\n', "\r\n");
    let p = parse(&damaged);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    assert_eq!(p.item_count(), 16);
    let item = p.sections[3].items.iter().find(|i| i.no == 14).unwrap();
    assert!(item.body.contains("树新风；强化宗旨意识"), "{}", item.body);
}

#[test]
fn numbering_broken_sample_is_pointed_out() {
    let broken = SAMPLE
        .replace("7.升级", "8.升级")
        .replace("11.持续", "10.持续");
    let p = parse(&broken);
    assert_eq!(
        p.warnings,
        vec![
            Warning::Gap { after: 6, found: 8 },
            Warning::Repeat { no: 8 },
            Warning::Repeat { no: 10 },
            Warning::Gap {
                after: 10,
                found: 12
            },
        ]
    );
    let missing = SAMPLE.replace("5.深化分类管理", "深化分类管理");
    let p = parse(&missing);
    assert!(p.warnings.contains(&Warning::Gap { after: 4, found: 6 }));
}

#[test]
fn empty_and_malformed() {
    assert_eq!(parse("").item_count(), 0);
    assert_eq!(parse("\u{feff}\n\n\u{c}").item_count(), 0);
    assert_eq!(parse("各党支部：\n请认真贯彻落实。").item_count(), 0);
    let odd = parse("1.\n2.\n一、\n3..\n4.没有句号");
    assert_eq!(odd.item_count(), 1);
    assert_eq!(odd.sections[0].items[0].title, "没有句号");
}
