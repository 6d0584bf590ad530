//! Bulletins (通报) made from the ledgers: the rectification bulletin and the task bulletin,
//! as `docx::Document`s in the GB/T 9704 layout (written by the `docx` crate) and as an HTML
//! preview. The text comes from the translation files (`bulletin.*`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use docx::{Block, Document, Table};
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
}

/// `0.875` → `87.5%`.
fn pct(r: f64) -> String {
    format!("{:.1}%", r * 100.0)
}

fn period(h: &Heading, lang: Lang) -> String {
    lang.tf("bulletin.period", &[&lang.date(h.from), &lang.date(h.to)])
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
        copy_to: None,
        printed_by: Some(lang.tf("bulletin.office", &[&h.issuer])),
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

/// The rest of a bulletin of `kind` (`rect`, `task`): the completed and the overdue rows as
/// tables by org (or a line saying there are none), the next steps, the heading and
/// signature.
fn finish(
    h: &Heading,
    lang: Lang,
    kind: &str,
    mut body: Vec<Block>,
    (done, late): (Rows, Rows),
    (done_widths, late_widths): (impl Into<Vec<u32>>, impl Into<Vec<u32>>),
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
    body.push(Block::Heading1(lang.t("bulletin.h.next").into()));
    body.push(Block::Paragraph(lang.t(&key("next")).into()));
    document(h, lang, lang.tf(&key("title"), &[&period(h, lang)]), body)
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

/// The rectification bulletin over the findings found in the period.
pub fn rectification(h: &Heading, rows: &[(Rectification, String)], lang: Lang) -> Document {
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
    let median = s
        .median_days_to_close
        .map(|m| format!("{m:.0}"))
        .unwrap_or_else(|| "—".into());
    let body = vec![
        Block::Paragraph(lang.tf("bulletin.rect.intro", &[&period(h, lang)])),
        Block::Heading1(lang.t("bulletin.h.overall").into()),
        Block::Paragraph(lang.tf(
            "bulletin.rect.overall",
            &[
                &s.total.to_string(),
                &orgs.len().to_string(),
                &s.verified.to_string(),
                &pct(rate(s.verified, s.total)),
                &rows.iter().filter(|(r, _)| r.late).count().to_string(),
                &pct(s.on_time_rate),
                &median,
            ],
        )),
    ];
    let done: Rows = rows
        .iter()
        .filter(|(r, _)| r.state.is_final())
        .map(|(r, o)| {
            let closed = r
                .verified_at
                .map(|t| lang.date(t.with_timezone(&h.offset).date_naive()))
                .unwrap_or_default();
            (
                o.clone(),
                vec![r.description.clone(), lang.date(r.due_on), closed],
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
                    lang.date(r.due_on),
                    lang.tf("bulletin.days", &[&days.to_string()]),
                ],
            )
        })
        .collect();
    let widths = ([3, 10, 18, 7, 7], [3, 10, 18, 7, 5]);
    finish(h, lang, "rect", body, (done, late), widths)
}

/// The task bulletin over the assignments due in the period.
pub fn tasks(h: &Heading, rows: &[(Assignment, String)], lang: Lang) -> Document {
    let total = rows.len() as i64;
    let accepted = rows.iter().filter(|(a, _)| a.state.is_final()).count() as i64;
    let late = rows.iter().filter(|(a, _)| a.late).count() as i64;
    let orgs = by_org(rows.iter().map(|(a, o)| (o.as_str(), a.state.is_final())));
    let body = vec![
        Block::Paragraph(lang.tf("bulletin.task.intro", &[&period(h, lang)])),
        Block::Heading1(lang.t("bulletin.h.overall").into()),
        Block::Paragraph(lang.tf(
            "bulletin.task.overall",
            &[
                &total.to_string(),
                &orgs.len().to_string(),
                &accepted.to_string(),
                &pct(rate(accepted, total)),
                &late.to_string(),
            ],
        )),
    ];
    let done: Rows = rows
        .iter()
        .filter(|(a, _)| a.state.is_final())
        .map(|(a, o)| {
            let at = a
                .last_report_at
                .map(|t| lang.date(t.with_timezone(&h.offset).date_naive()))
                .unwrap_or_default();
            (
                o.clone(),
                vec![a.task_title.clone(), lang.date(a.due_on), at],
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
                    lang.date(a.due_on),
                    lang.code_label("assignment_state", a.state.as_str()).into(),
                    format!("{}%", a.progress),
                ],
            )
        })
        .collect();
    let widths = ([3, 10, 16, 7, 7], [3, 10, 14, 7, 5, 4]);
    finish(h, lang, "task", body, (done, late), widths)
}
