//! Bulletins (通报) made from the ledgers: the rectification bulletin and the task bulletin,
//! as `docx::Document`s in the official layout (the party-organ format for a committee's,
//! GB/T 9704 otherwise; written by the `docx` crate) and as an HTML preview. The text comes
//! from the translation files (`bulletin.*`); the praise, the criticism and the next steps
//! are drafted from the figures and may be edited before the Word file is made.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use docx::{Block, Document, Layout, Table, TITLE_BREAK};
use domain::work::{rate, RectFacts, RectStats};
use store::work::{Assignment, Rectification};

use crate::platform::i18n::Lang;

/// What every bulletin needs besides its rows.
pub struct Heading {
    /// The issuing committee (the root org of the caller's scope).
    pub issuer: String,
    pub doc_number: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub today: NaiveDate,
    /// The configured zone, for the days of verification and reports.
    pub offset: chrono::FixedOffset,
    /// Party-organ format or GB/T 9704.
    pub layout: Layout,
    /// 抄送 of the 版记.
    pub copy_to: Option<String>,
}

/// The paragraphs a user may edit before the Word file is made. An empty text leaves its
/// paragraph out; a text of several lines makes several paragraphs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Texts {
    /// 表扬: the orgs that did all in time.
    pub praise: String,
    /// 批评: the orgs that were late (by `late`, never `overdue`).
    pub criticism: String,
    /// 下一步要求.
    pub next: String,
}

/// Longest text of one editable part, in characters.
pub const TEXT_MAX: usize = 5000;

/// Whether `name` names a party committee (党委, 党组, 中共…委员会): its documents take the
/// party-organ format.
pub fn is_party_committee(name: &str) -> bool {
    let n = name.trim();
    n.ends_with("党委")
        || n.ends_with("党组")
        || ((n.starts_with("中共") || n.starts_with("中国共产党")) && n.ends_with("委员会"))
}

/// The period as a title names it: 2026年度, 2026年上半年, 2026年第三季度, 2026年3月, else
/// 2026年1月1日至12月2日 (the year said once when both days are in it). A break may fall
/// after 至, nowhere else inside.
pub fn span(from: NaiveDate, to: NaiveDate, lang: Lang) -> String {
    let y = from.year();
    let first = |m: u32| NaiveDate::from_ymd_opt(y, m, 1);
    let last = |m: u32| {
        (if m == 12 {
            NaiveDate::from_ymd_opt(y + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(y, m + 1, 1)
        })
        .and_then(|d| d.pred_opt())
    };
    let whole = |a: u32, b: u32| first(a) == Some(from) && last(b) == Some(to);
    let year = y.to_string();
    if whole(1, 12) {
        return lang.tf("bulletin.span.year", &[&year]);
    }
    for (h, (a, b)) in [(1, (1, 6)), (2, (7, 12))] {
        if whole(a, b) {
            return lang.tf(&format!("bulletin.span.half{h}"), &[&year]);
        }
    }
    for q in 1..=4u32 {
        if whole(3 * q - 2, 3 * q) {
            return lang.tf(&format!("bulletin.span.q{q}"), &[&year]);
        }
    }
    if whole(from.month(), from.month()) {
        return lang.tf("bulletin.span.month", &[&year, &from.month().to_string()]);
    }
    let end = if lang == Lang::Zh && to.year() == y {
        format!("{}月{}日", to.month(), to.day())
    } else {
        lang.date(to)
    };
    lang.tf(
        "bulletin.span.range",
        &[&lang.date(from), &format!("{TITLE_BREAK}{end}")],
    )
}

/// The title of a bulletin of `kind`: 关于 | the period | the rest, breaking only there.
fn title(h: &Heading, lang: Lang, kind: &str) -> String {
    let period = span(h.from, h.to, lang);
    lang.tf(
        &format!("bulletin.{kind}.title"),
        &[&format!("{TITLE_BREAK}{period}{TITLE_BREAK}")],
    )
}

/// A date in a table: 9月18日 in the bulletin's own year (the columns stay narrow and the
/// day never wraps), with the year otherwise.
fn cell_date(h: &Heading, lang: Lang, d: NaiveDate) -> String {
    if lang == Lang::Zh && d.year() == h.today.year() {
        format!("{}月{}日", d.month(), d.day())
    } else {
        lang.date(d)
    }
}

/// The title as stored with a taken number: without break marks.
pub fn plain_title(
    h: &Heading,
    lang: Lang,
    kind: crate::modules::work::api::BulletinKind,
) -> String {
    let k = match kind {
        crate::modules::work::api::BulletinKind::Rectification => "rect",
        crate::modules::work::api::BulletinKind::Tasks => "task",
    };
    title(h, lang, k).replace(TITLE_BREAK, "")
}

/// Up to five org names and how many there are: "甲、乙、丙" and 3.
fn names(orgs: &[&str], lang: Lang) -> String {
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    orgs.iter().take(5).copied().collect::<Vec<_>>().join(sep)
}

/// The praise and criticism sentences, empty when nobody is named.
fn verdicts(kind: &str, good: &[&str], late: &[&str], lang: Lang) -> (String, String) {
    let one = |key: &str, orgs: &[&str]| {
        if orgs.is_empty() {
            String::new()
        } else {
            lang.tf(
                &format!("bulletin.{kind}.{key}"),
                &[&names(orgs, lang), &orgs.len().to_string()],
            )
        }
    };
    (one("praise", good), one("criticism", late))
}

/// The paragraphs of an edited text: one per non-empty line.
fn paragraphs(text: &str) -> impl Iterator<Item = Block> + '_ {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| Block::Paragraph(l.to_string()))
}

/// `0.875` → `87.5%`.
fn pct(r: f64) -> String {
    format!("{:.1}%", r * 100.0)
}

fn period(h: &Heading, lang: Lang) -> String {
    span(h.from, h.to, lang).replace(TITLE_BREAK, "")
}

fn document(h: &Heading, lang: Lang, title: String, body: Vec<Block>) -> Document {
    Document {
        issuer: h.issuer.clone(),
        doc_number: h.doc_number.clone(),
        title,
        addressee: Some(lang.t("bulletin.addressee").into()),
        body,
        signature: h.issuer.clone(),
        date: lang.date(h.today),
        copy_to: h.copy_to.clone(),
        printed_by: Some(lang.tf("bulletin.office", &[&h.issuer])),
        layout: h.layout,
    }
}

fn table(
    caption: String,
    header: &str,
    widths: Vec<u32>,
    rows: Vec<Vec<String>>,
    lang: Lang,
) -> Block {
    Block::Table(Table {
        caption: Some(caption),
        header: lang.t(header).split('|').map(str::to_string).collect(),
        rows,
        widths: Some(widths),
    })
}

/// Table rows by org: the org's name and the rest of the row.
type Rows = Vec<(String, Vec<String>)>;

/// The rest of a bulletin of `kind` (`rect`, `task`): the completed rows as a table by org
/// (or a line saying there are none) and the praise, the late rows and the criticism, the
/// next steps, the heading and signature.
fn finish(
    h: &Heading,
    lang: Lang,
    kind: &str,
    mut body: Vec<Block>,
    (done, late): (Rows, Rows),
    (done_widths, late_widths): (impl Into<Vec<u32>>, impl Into<Vec<u32>>),
    texts: &Texts,
) -> Document {
    let key = |k: &str| format!("bulletin.{kind}.{k}");
    body.push(Block::Heading1(lang.t("bulletin.h.done").into()));
    if done.is_empty() {
        body.push(Block::Paragraph(lang.t("bulletin.none").into()));
    } else {
        body.push(table(
            lang.t(&key("done_caption")).into(),
            &key("done_header"),
            done_widths.into(),
            numbered(done),
            lang,
        ));
    }
    body.extend(paragraphs(&texts.praise));
    body.push(Block::Heading1(lang.t("bulletin.h.overdue").into()));
    if late.is_empty() {
        body.push(Block::Paragraph(lang.t(&key("no_overdue")).into()));
    } else {
        body.push(table(
            lang.t(&key("overdue_caption")).into(),
            &key("overdue_header"),
            late_widths.into(),
            numbered(late),
            lang,
        ));
    }
    body.extend(paragraphs(&texts.criticism));
    body.push(Block::Heading1(lang.t("bulletin.h.next").into()));
    body.extend(paragraphs(&texts.next));
    document(h, lang, title(h, lang, kind), body)
}

/// The drafted texts, or the edited ones where given.
fn texts(kind: &str, good: &[&str], late: &[&str], lang: Lang, edited: Option<&Texts>) -> Texts {
    match edited {
        Some(t) => t.clone(),
        None => {
            let (praise, criticism) = verdicts(kind, good, late, lang);
            Texts {
                praise,
                criticism,
                next: lang.t(&format!("bulletin.{kind}.next")).into(),
            }
        }
    }
}

/// The orgs all of whose items are done and none late, and the orgs with late items (most
/// late first), by name.
fn good_and_late<'a>(
    items: impl Iterator<Item = (&'a str, bool, bool)>,
) -> (Vec<&'a str>, Vec<&'a str>) {
    // org → (items, done, late)
    let mut m: BTreeMap<&str, (i64, i64, i64)> = BTreeMap::new();
    for (org, done, late) in items {
        let e = m.entry(org).or_default();
        e.0 += 1;
        e.1 += i64::from(done);
        e.2 += i64::from(late);
    }
    let good = m
        .iter()
        .filter(|(_, (n, d, l))| n == d && *l == 0)
        .map(|(o, _)| *o)
        .collect();
    let mut late: Vec<(&str, i64)> = m
        .iter()
        .filter(|(_, (_, _, l))| *l > 0)
        .map(|(o, (_, _, l))| (*o, *l))
        .collect();
    late.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    (good, late.into_iter().map(|(o, _)| o).collect())
}

/// Rows sorted by org name (the order a committee reads them in), numbered.
fn numbered(mut rows: Rows) -> Vec<Vec<String>> {
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows.into_iter()
        .enumerate()
        .map(|(i, (org, rest))| {
            let mut r = vec![(i + 1).to_string(), org];
            r.extend(rest);
            r
        })
        .collect()
}

/// Per org: how many, and how many of them are done.
fn by_org<'a>(items: impl Iterator<Item = (&'a str, bool)>) -> BTreeMap<&'a str, (i64, i64)> {
    let mut m: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for (org, done) in items {
        let e = m.entry(org).or_default();
        e.0 += 1;
        e.1 += i64::from(done);
    }
    m
}

/// The rectification bulletin over the findings found in the period, with the texts it
/// holds (drafted, or `edited`).
pub fn rectification(
    h: &Heading,
    rows: &[(Rectification, String)],
    lang: Lang,
    edited: Option<&Texts>,
) -> (Document, Texts) {
    let facts: Vec<RectFacts> = rows
        .iter()
        .map(|(r, _)| RectFacts {
            state: r.state,
            found_on: r.found_on,
            due_on: r.due_on,
            verified_on: r
                .verified_at
                .map(|t| t.with_timezone(&h.offset).date_naive()),
        })
        .collect();
    let s = RectStats::compute(&facts, h.today);
    let orgs = by_org(rows.iter().map(|(r, o)| (o.as_str(), r.state.is_final())));
    let body = vec![
        Block::Paragraph(lang.tf("bulletin.rect.intro", &[&period(h, lang)])),
        Block::Heading1(lang.t("bulletin.h.overall").into()),
        Block::Paragraph(if s.total == 0 {
            lang.t("bulletin.rect.nothing").to_string()
        } else {
            let mut text = lang.tf(
                "bulletin.rect.overall",
                &[
                    &s.total.to_string(),
                    &orgs.len().to_string(),
                    &s.verified.to_string(),
                    &pct(rate(s.verified, s.total)),
                    &rows.iter().filter(|(r, _)| r.late).count().to_string(),
                ],
            );
            if let Some(m) = s.median_days_to_close {
                if lang == Lang::En {
                    text.push(' ');
                }
                text.push_str(&lang.tf(
                    "bulletin.rect.overall_closed",
                    &[&pct(s.on_time_rate), &format!("{m:.0}")],
                ));
            }
            text
        }),
    ];
    let done: Rows = rows
        .iter()
        .filter(|(r, _)| r.state.is_final())
        .map(|(r, o)| {
            let closed = r
                .verified_at
                .map(|t| cell_date(h, lang, t.with_timezone(&h.offset).date_naive()))
                .unwrap_or_default();
            (
                o.clone(),
                vec![r.description.clone(), cell_date(h, lang, r.due_on), closed],
            )
        })
        .collect();
    let late: Rows = rows
        .iter()
        .filter(|(r, _)| r.late)
        .map(|(r, o)| {
            let days = (r.first_submitted_on.unwrap_or(h.today) - r.due_on).num_days();
            (
                o.clone(),
                vec![
                    r.description.clone(),
                    cell_date(h, lang, r.due_on),
                    lang.tf("bulletin.days", &[&days.to_string()]),
                ],
            )
        })
        .collect();
    let widths = ([3, 12, 18, 6, 6], [3, 12, 18, 6, 5]);
    let (good, behind) = good_and_late(
        rows.iter()
            .map(|(r, o)| (o.as_str(), r.state.is_final(), r.late)),
    );
    let texts = texts("rect", &good, &behind, lang, edited);
    let doc = finish(h, lang, "rect", body, (done, late), widths, &texts);
    (doc, texts)
}

/// The task bulletin over the assignments due in the period, with the texts it holds.
pub fn tasks(
    h: &Heading,
    rows: &[(Assignment, String)],
    lang: Lang,
    edited: Option<&Texts>,
) -> (Document, Texts) {
    let total = rows.len() as i64;
    let accepted = rows.iter().filter(|(a, _)| a.state.is_final()).count() as i64;
    let late = rows.iter().filter(|(a, _)| a.late).count() as i64;
    let orgs = by_org(rows.iter().map(|(a, o)| (o.as_str(), a.state.is_final())));
    let body = vec![
        Block::Paragraph(lang.tf("bulletin.task.intro", &[&period(h, lang)])),
        Block::Heading1(lang.t("bulletin.h.overall").into()),
        Block::Paragraph(if total == 0 {
            lang.t("bulletin.task.nothing").to_string()
        } else {
            lang.tf(
                "bulletin.task.overall",
                &[
                    &total.to_string(),
                    &orgs.len().to_string(),
                    &accepted.to_string(),
                    &pct(rate(accepted, total)),
                    &late.to_string(),
                ],
            )
        }),
    ];
    let done: Rows = rows
        .iter()
        .filter(|(a, _)| a.state.is_final())
        .map(|(a, o)| {
            let at = a
                .last_report_at
                .map(|t| cell_date(h, lang, t.with_timezone(&h.offset).date_naive()))
                .unwrap_or_default();
            (
                o.clone(),
                vec![a.task_title.clone(), cell_date(h, lang, a.due_on), at],
            )
        })
        .collect();
    let late: Rows = rows
        .iter()
        .filter(|(a, _)| a.late)
        .map(|(a, o)| {
            (
                o.clone(),
                vec![
                    a.task_title.clone(),
                    cell_date(h, lang, a.due_on),
                    lang.code_label("assignment_state", a.state.as_str()).into(),
                    format!("{}%", a.progress),
                ],
            )
        })
        .collect();
    let widths = ([3, 12, 16, 6, 6], [3, 12, 14, 6, 5, 4]);
    let (good, behind) = good_and_late(
        rows.iter()
            .map(|(a, o)| (o.as_str(), a.state.is_final(), a.late)),
    );
    let texts = texts("task", &good, &behind, lang, edited);
    let doc = finish(h, lang, "task", body, (done, late), widths, &texts);
    (doc, texts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_are_named_as_titles_name_them() {
        let zh = |a: &str, b: &str| span(d(a), d(b), Lang::Zh).replace(TITLE_BREAK, "|");
        assert_eq!(zh("2026-01-01", "2026-12-31"), "2026年度");
        assert_eq!(zh("2026-07-01", "2026-09-30"), "2026年第三季度");
        assert_eq!(zh("2026-01-01", "2026-06-30"), "2026年上半年");
        assert_eq!(zh("2026-02-01", "2026-02-28"), "2026年2月");
        assert_eq!(zh("2026-01-01", "2026-12-02"), "2026年1月1日至|12月2日");
        assert_eq!(
            zh("2025-12-01", "2026-01-31"),
            "2025年12月1日至|2026年1月31日"
        );
        assert!(is_party_committee("中共云川市科协科技社团委员会"));
        assert!(is_party_committee("科技社团党委"));
        assert!(!is_party_committee("市计算机学会党支部"));
        assert!(!is_party_committee("云川市科学技术协会"));
    }
}
