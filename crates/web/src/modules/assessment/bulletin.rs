//! The grade bulletin (关于2026年度党支部分类定级情况的通报) of a scheme, in the official
//! layout of the other bulletins (the heading, number, issuer and 版记 from
//! `work::api::bulletin_heading`, the number taken as theirs are): the overview drafted
//! from the figures (orgs assessed, A/B/C counts and shares, the change from the last final
//! scheme before it), the A, B and C lists by name, praise, criticism and next steps — each
//! text editable on the page before the Word file is made.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use chrono::Datelike;
use docx::{Block, Document, TITLE_BREAK};
use domain::policy::Permission;
use domain::{FieldError, Grade};
use store::assessment::{Assessment, AssessmentFilter, Scheme};

use crate::modules::work::api::{bulletin_code, bulletin_heading, doc_number_text};
use crate::modules::work::bulletin::{span, Heading, TEXT_MAX};
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::i18n::Lang;
use crate::platform::session::{Item, OrPage, PageError, PageUser};
use crate::ui::ctx::{html, Crumb, Ctx, FormState};
use crate::AppState;

/// The texts a user may edit; an empty one leaves its paragraph out, several lines make
/// several paragraphs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GradeTexts {
    /// 总体情况: the figures.
    pub overall: String,
    /// After the A list.
    pub praise: String,
    /// After the C list.
    pub criticism: String,
    /// 下一步工作要求.
    pub next: String,
}

const TEXT_KEYS: [&str; 4] = ["overall", "praise", "criticism", "next"];

impl GradeTexts {
    fn get(&self, k: &str) -> &str {
        match k {
            "overall" => &self.overall,
            "praise" => &self.praise,
            "criticism" => &self.criticism,
            _ => &self.next,
        }
    }
}

/// What the bulletin is made of: the scheme, its assessed orgs in the caller's scope, and
/// the grade counts of the last final scheme of an earlier year.
pub struct Figures {
    pub scheme: Scheme,
    pub items: Vec<Assessment>,
    pub last: Option<(i32, [usize; 3])>,
}

const GRADES: [Grade; 3] = [Grade::A, Grade::B, Grade::C];

fn counts(items: &[Assessment]) -> [usize; 3] {
    GRADES.map(|g| items.iter().filter(|a| a.grade == g).count())
}

pub async fn figures(
    st: &AppState,
    scope: &store::Scope,
    scheme_id: i64,
) -> Result<Figures, AppError> {
    let today = st.clock.today();
    let scheme = st.store.get_scheme(scheme_id).await?;
    let all = |id: i64| {
        let f = AssessmentFilter::default();
        async move { store::all_pages(|p| st.store.assessments(scope, id, &f, today, p)).await }
    };
    let items = all(scheme.id).await?;
    let before = super::designer::all_schemes(st)
        .await?
        .into_iter()
        .find(|s| s.year < scheme.year && s.is_final());
    let last = match before {
        Some(s) => Some((s.year, counts(&all(s.id).await?))),
        None => None,
    };
    Ok(Figures {
        scheme,
        items,
        last,
    })
}

/// The heading of the scheme's year (the period the title names), with `doc_number` as
/// typed where no 机关代字 is configured.
pub async fn heading(
    st: &AppState,
    scope: &store::Scope,
    year: i32,
    doc_number: Option<String>,
    lang: Lang,
) -> Result<Heading, AppError> {
    let mut map = HashMap::new();
    map.insert("from".to_string(), format!("{year:04}-01-01"));
    map.insert("to".to_string(), format!("{year:04}-12-31"));
    if let Some(n) = doc_number.filter(|n| !n.trim().is_empty()) {
        map.insert("doc_number".to_string(), n);
    }
    bulletin_heading(st, scope, &mut Params::from_map(map), lang).await
}

fn pct(n: usize, total: usize) -> String {
    if total == 0 {
        "0%".into()
    } else {
        format!("{:.1}%", n as f64 * 100.0 / total as f64)
    }
}

fn change(now: usize, before: usize, lang: Lang) -> String {
    use std::cmp::Ordering::*;
    match now.cmp(&before) {
        Greater => lang.tf("design.bulletin.more", &[&(now - before).to_string()]),
        Less => lang.tf("design.bulletin.fewer", &[&(before - now).to_string()]),
        Equal => lang.t("design.bulletin.same").to_string(),
    }
}

/// The texts drafted from the figures.
pub fn drafted(fig: &Figures, lang: Lang) -> GradeTexts {
    let n = fig.items.len();
    let c = counts(&fig.items);
    let overall = if n == 0 {
        lang.t("design.bulletin.nothing").to_string()
    } else {
        let mean = fig.items.iter().map(|a| a.total).sum::<f64>() / n as f64;
        let mut text = lang.tf(
            "design.bulletin.overall",
            &[
                &n.to_string(),
                &c[0].to_string(),
                &pct(c[0], n),
                &c[1].to_string(),
                &pct(c[1], n),
                &c[2].to_string(),
                &pct(c[2], n),
                &format!("{mean:.1}"),
            ],
        );
        if let Some((year, before)) = fig.last {
            if lang == Lang::En {
                text.push(' ');
            }
            text.push_str(&lang.tf(
                "design.bulletin.change",
                &[
                    &year.to_string(),
                    &change(c[0], before[0], lang),
                    &change(c[1], before[1], lang),
                    &change(c[2], before[2], lang),
                ],
            ));
        }
        text
    };
    GradeTexts {
        overall,
        praise: if c[0] > 0 {
            lang.t("design.bulletin.praise").to_string()
        } else {
            String::new()
        },
        criticism: if c[2] > 0 {
            lang.t("design.bulletin.criticism").to_string()
        } else {
            String::new()
        },
        next: lang.t("design.bulletin.next").to_string(),
    }
}

fn paragraphs(text: &str) -> impl Iterator<Item = Block> + '_ {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| Block::Paragraph(l.to_string()))
}

/// The title: 关于 | 2026年度 | 党支部分类定级情况的通报.
fn title(h: &Heading, lang: Lang) -> String {
    let period = span(h.from, h.to, lang);
    lang.tf(
        "design.bulletin.title",
        &[&format!("{TITLE_BREAK}{period}{TITLE_BREAK}")],
    )
}

/// The bulletin with the texts it holds (drafted, or `edited`).
pub fn document(
    h: &Heading,
    fig: &Figures,
    lang: Lang,
    edited: Option<&GradeTexts>,
) -> (Document, GradeTexts) {
    let texts = edited.cloned().unwrap_or_else(|| drafted(fig, lang));
    let period = span(h.from, h.to, lang).replace(TITLE_BREAK, "");
    let mut body = vec![
        Block::Paragraph(lang.tf(
            "design.bulletin.intro",
            &[&fig.scheme.title, &period, &fig.items.len().to_string()],
        )),
        Block::Heading1(lang.t("design.bulletin.h.overall").into()),
    ];
    body.extend(paragraphs(&texts.overall));
    body.push(Block::Heading1(lang.t("design.bulletin.h.results").into()));
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    for (i, g) in GRADES.into_iter().enumerate() {
        let names: Vec<&str> = fig
            .items
            .iter()
            .filter(|a| a.grade == g)
            .map(|a| a.party_org_name.as_str())
            .collect();
        body.push(Block::Heading2(lang.tf(
            &format!("design.bulletin.h.grade{}", i + 1),
            &[&names.len().to_string()],
        )));
        body.push(Block::Paragraph(if names.is_empty() {
            lang.t("bulletin.none").to_string()
        } else {
            format!("{}{}", names.join(sep), lang.t("design.bulletin.list_end"))
        }));
        match g {
            Grade::A => body.extend(paragraphs(&texts.praise)),
            Grade::C => body.extend(paragraphs(&texts.criticism)),
            Grade::B => {}
        }
    }
    body.push(Block::Heading1(lang.t("design.bulletin.h.next").into()));
    body.extend(paragraphs(&texts.next));
    let doc = Document {
        issuer: h.issuer.clone(),
        doc_number: h.doc_number.clone(),
        title: title(h, lang),
        addressee: Some(lang.t("bulletin.addressee").into()),
        body,
        signature: h.issuer.clone(),
        date: lang.date(h.today),
        copy_to: h.copy_to.clone(),
        printed_by: Some(lang.tf("bulletin.office", &[&h.issuer])),
        layout: h.layout,
    };
    (doc, texts)
}

fn file_name(fig: &Figures, lang: Lang) -> String {
    lang.tf("design.bulletin.file", &[&fig.scheme.year.to_string()])
}

async fn docx_download(doc: Document, name: String) -> Result<Response, AppError> {
    tokio::task::spawn_blocking(move || {
        let bytes = docx::write(&doc).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(crate::modules::registry::api::file_response(
            bytes,
            docx::MIME_TYPE,
            &name,
            "docx",
        ))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

// ---------------------------------------------------------------- the page

#[derive(Template)]
#[template(path = "assessment/schemes_bulletin.html")]
struct BulletinPage {
    ctx: Ctx,
    id: i64,
    preview: String,
    docx_href: String,
    /// The number typed by hand (no 机关代字 configured).
    f: FormState,
    /// The edit form: the drafted or edited texts, the number the Word file takes.
    e: FormState,
    /// "takes 渝科协社党发〔2026〕12号", empty without a configured code.
    next_no: String,
    is_final: bool,
}

async fn render(
    st: &AppState,
    u: &PageUser,
    id: i64,
    doc_number: Option<String>,
    edited: Option<GradeTexts>,
    mut e: FormState,
    status: StatusCode,
) -> Result<Response, PageError> {
    let fig = figures(st, u.scope(), id).await.or_page(u)?;
    let h = heading(st, u.scope(), fig.scheme.year, doc_number.clone(), u.lang)
        .await
        .map_err(|e| u.error(e))?;
    let (doc, texts) = document(&h, &fig, u.lang, edited.as_ref());
    for k in TEXT_KEYS {
        if e.v(k).is_empty() {
            e.set(k, texts.get(k).to_string());
        }
    }
    let next_no = match bulletin_code(st, u.scope()) {
        Some(code) => {
            let year = h.today.year();
            let n = st
                .store
                .next_bulletin_no(code, year)
                .await
                .map_err(|e| u.error(e))?;
            u.lang.tf(
                "bulletin.doc_no_hint",
                &[&doc_number_text(Some(code), year, Some(n), u.lang)],
            )
        }
        None => String::new(),
    };
    let mut f = FormState::default();
    let mut docx_href = format!("/assessment/schemes/{id}/bulletin.docx");
    if let Some(n) = doc_number.filter(|n| !n.trim().is_empty()) {
        docx_href.push_str("?doc_number=");
        docx_href.push_str(&urlencoding(&n));
        f.set("doc_number", n);
    }
    let title = doc.title.replace(TITLE_BREAK, "");
    let lang = u.lang;
    let ctx = u.ctx(
        "assessment",
        title.clone(),
        vec![
            Crumb::link(lang.t("nav.dashboard"), "/"),
            Crumb::link(lang.t("design.schemes"), "/assessment/schemes"),
            Crumb::link(
                fig.scheme.title.clone(),
                format!("/assessment/schemes/{id}/edit"),
            ),
            Crumb::here(title),
        ],
    );
    let page = BulletinPage {
        ctx,
        id,
        preview: docx::to_html(&doc),
        docx_href,
        f,
        e,
        next_no,
        is_final: fig.scheme.is_final(),
    };
    Ok(html(status, &page))
}

/// A query value, percent-encoded.
fn urlencoding(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn doc_number_param(
    u: &PageUser,
    p: Result<Params, AppError>,
) -> Result<Option<String>, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let n = p.str("doc_number").map(str::to_string);
    p.finish().map_err(|e| u.error(e))?;
    Ok(n)
}

/// `GET /assessment/schemes/{id}/bulletin`: the preview with the drafted texts.
pub(super) async fn page(
    State(st): State<AppState>,
    Item { u, id }: Item,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    u.may(Permission::ScoreAssessment)?;
    let n = doc_number_param(&u, p)?;
    render(&st, &u, id, n, None, FormState::default(), StatusCode::OK).await
}

/// The edit form as sent: the hand-typed number, the form's values, the texts.
fn edit_form(form: &HashMap<String, String>) -> (Option<String>, FormState, GradeTexts) {
    let mut e = FormState::default();
    for k in TEXT_KEYS.iter().chain(&["doc_no"]) {
        if let Some(v) = form.get(*k) {
            // A cleared text stays cleared (the paragraph is left out).
            e.set(k, if v.trim().is_empty() { " " } else { v.as_str() });
        }
    }
    let text = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let texts = GradeTexts {
        overall: text("overall"),
        praise: text("praise"),
        criticism: text("criticism"),
        next: text("next"),
    };
    let n = form
        .get("doc_number")
        .cloned()
        .filter(|n| !n.trim().is_empty());
    (n, e, texts)
}

/// `POST /assessment/schemes/{id}/bulletin`: the preview with the edited texts (no number
/// taken).
pub(super) async fn preview(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    u.may(Permission::ScoreAssessment)?;
    let (n, e, texts) = edit_form(&form);
    render(&st, &u, id, n, Some(texts), e, StatusCode::OK).await
}

/// `GET /assessment/schemes/{id}/bulletin.docx`: the drafted bulletin, taking no number.
pub(super) async fn draft_docx(
    State(st): State<AppState>,
    Item { u, id }: Item,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    u.may(Permission::ScoreAssessment)?;
    let n = doc_number_param(&u, p)?;
    let fig = figures(&st, u.scope(), id).await.or_page(&u)?;
    let h = heading(&st, u.scope(), fig.scheme.year, n, u.lang)
        .await
        .map_err(|e| u.error(e))?;
    let (doc, _) = document(&h, &fig, u.lang, None);
    docx_download(doc, file_name(&fig, u.lang))
        .await
        .map_err(|e| u.error(e).into())
}

/// `POST /assessment/schemes/{id}/bulletin.docx`: the Word file of the edited bulletin,
/// taking its number (the next free one of the year, or the one given) when a 机关代字 is
/// configured. Bad input shows the page again with the reason next to the field.
pub(super) async fn issue(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let actor = u.may(Permission::ScoreAssessment)?;
    let (n, mut e, texts) = edit_form(&form);
    let mut doc_no = None;
    if let Some(raw) = form
        .get("doc_no")
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
    {
        match raw.parse::<i64>() {
            Ok(x) if (1..=99_999).contains(&x) => doc_no = Some(x),
            _ => e.error("doc_no", u.lang.tf("field.too_small", &["1"])),
        }
    }
    for k in TEXT_KEYS {
        if texts.get(k).chars().count() > TEXT_MAX {
            e.error(
                k,
                u.lang.field_error(&FieldError::TooLong { max: TEXT_MAX }),
            );
        }
    }
    if !e.ok() {
        return render(
            &st,
            &u,
            id,
            n,
            Some(texts),
            e,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let fig = figures(&st, u.scope(), id).await.or_page(&u)?;
    let mut h = heading(&st, u.scope(), fig.scheme.year, n.clone(), u.lang)
        .await
        .map_err(|e| u.error(e))?;
    if let Some(code) = bulletin_code(&st, u.scope()) {
        let year = h.today.year();
        let taken = st
            .store
            .take_bulletin_no(
                &actor,
                store::work::BulletinNo {
                    code: code.to_string(),
                    year,
                    no: doc_no,
                    kind: "grades".to_string(),
                    title: title(&h, u.lang).replace(TITLE_BREAK, ""),
                },
            )
            .await;
        match taken {
            Ok(no) => h.doc_number = doc_number_text(Some(code), year, Some(no), u.lang),
            Err(store::StoreError::Conflict(_)) => {
                e.error("doc_no", u.lang.t("field.taken"));
                return render(&st, &u, id, n, Some(texts), e, StatusCode::CONFLICT).await;
            }
            Err(err) => return Err(u.error(AppError::from(err)).into()),
        }
    }
    let (doc, _) = document(&h, &fig, u.lang, Some(&texts));
    docx_download(doc, file_name(&fig, u.lang))
        .await
        .map_err(|e| u.error(e).into())
}
