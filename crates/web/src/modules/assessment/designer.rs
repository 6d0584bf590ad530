//! The scheme designer (admin): a scheme's title, year, assessed org kinds, thresholds and
//! its indicator tree, as a plain form that works without JavaScript — rows are added,
//! removed, moved and indented by the form's own buttons, each answered by the same page;
//! a small script of the app's assets (`designer.js`) checks live that the points add up,
//! and the server's check (`SchemeInput::validate`) names the offending row's field. A saved
//! scheme's page previews this year's scores; a final one is read-only. Also the scheme
//! list, the copy of a scheme into the next year, and the routes of the grade bulletin and
//! the scoring table's export.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use domain::assessment::{
    points_text, IndicatorInput, Method, Metric, SchemeInput, DEPTH_MAX, INDICATORS_MAX,
};
use domain::policy::Permission;
use domain::registry::OrgKind;
use domain::Grade;
use store::assessment::{Assessment, AssessmentFilter, Scheme};

use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::i18n::Lang;
use crate::platform::session::{Flash, Item, OrPage, PageError, PageUser};
use crate::ui::charts::{bars, Datum};
use crate::ui::ctx::{html, Crumb, Ctx, FormState};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assessment/schemes", get(list))
        .route("/assessment/schemes/new", get(new_scheme).post(save_new))
        .route(
            "/assessment/schemes/{id}/edit",
            get(edit_scheme).post(save_edit),
        )
        .route(
            "/assessment/schemes/{id}/bulletin",
            get(super::bulletin::page).post(super::bulletin::preview),
        )
        .route(
            "/assessment/schemes/{id}/bulletin.docx",
            get(super::bulletin::draft_docx).post(super::bulletin::issue),
        )
        .route("/export/assessments.xlsx", get(super::sheets::page_export))
}

/// The breadcrumbs of a page under the scheme list: dashboard › 考核方案 › `title`.
pub(super) fn scheme_ctx(u: &PageUser, title: String) -> Ctx {
    let lang = u.lang;
    u.ctx(
        "assessment",
        title.clone(),
        vec![
            Crumb::link(lang.t("nav.dashboard"), "/"),
            Crumb::link(lang.t("design.schemes"), "/assessment/schemes"),
            Crumb::here(title),
        ],
    )
}

// ---------------------------------------------------------------- the scheme list

pub struct SchemeRow {
    pub id: i64,
    pub year: i32,
    pub title: String,
    pub is_final: bool,
    pub leaves: usize,
    pub kinds: String,
}

#[derive(Template)]
#[template(path = "assessment/schemes.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<SchemeRow>,
    may_design: bool,
    may_bulletin: bool,
}

async fn list(
    State(st): State<AppState>,
    u: PageUser,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let lang = u.lang;
    let schemes = all_schemes(&st).await.or_page(&u)?;
    let rows = schemes
        .into_iter()
        .map(|s| SchemeRow {
            id: s.id,
            year: s.year,
            leaves: s.leaves().count(),
            is_final: s.is_final(),
            kinds: kinds_text(&s.org_kinds, lang),
            title: s.title,
        })
        .collect();
    let title = lang.t("design.schemes").to_string();
    let ctx = u
        .ctx(
            "assessment",
            title.clone(),
            vec![
                Crumb::link(lang.t("nav.dashboard"), "/"),
                Crumb::here(title),
            ],
        )
        .with_flash(msg.as_deref());
    Ok(html(
        StatusCode::OK,
        &ListPage {
            ctx,
            rows,
            may_design: u.allowed(Permission::DesignAssessment),
            may_bulletin: u.allowed(Permission::ScoreAssessment),
        },
    ))
}

/// Every scheme, latest year first.
pub(super) async fn all_schemes(st: &AppState) -> store::Result<Vec<Scheme>> {
    store::all_pages(|p| st.store.list_schemes(p)).await
}

fn kinds_text(kinds: &[OrgKind], lang: Lang) -> String {
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    kinds
        .iter()
        .map(|k| lang.code_label("org_kind", k.as_str()))
        .collect::<Vec<_>>()
        .join(sep)
}

// ---------------------------------------------------------------- the tree's rows

/// One row of the designer: an indicator in outline form (its parent is the nearest row
/// above it one level up).
#[derive(Debug, Clone, Default, PartialEq)]
struct Row {
    /// The stored indicator it is (kept with its scores on save).
    id: Option<i64>,
    depth: usize,
    name: String,
    points: String,
    method: String,
    metric: String,
}

fn at(i: usize, what: &str) -> String {
    format!("indicators[{i}].{what}")
}

/// The rows as the form sent them; depths are made consistent (a row is at most one level
/// below the row above it).
fn rows_of(f: &FormState) -> Vec<Row> {
    let n = f
        .v("rows")
        .parse::<usize>()
        .unwrap_or(0)
        .min(INDICATORS_MAX);
    let mut rows: Vec<Row> = Vec::with_capacity(n);
    for i in 0..n {
        let depth = f.v(&at(i, "depth")).parse::<usize>().unwrap_or(0);
        let max = rows.last().map_or(0, |r| r.depth + 1);
        rows.push(Row {
            id: f.v(&at(i, "id")).parse::<i64>().ok().filter(|&x| x > 0),
            depth: depth.min(max).min(DEPTH_MAX - 1),
            name: f.v(&at(i, "name")).to_string(),
            points: f.v(&at(i, "points")).trim().to_string(),
            method: f.v(&at(i, "method")).to_string(),
            metric: f.v(&at(i, "metric")).to_string(),
        });
    }
    rows
}

/// The end (exclusive) of the subtree of row `i`.
fn subtree_end(rows: &[Row], i: usize) -> usize {
    let d = rows[i].depth;
    (i + 1..rows.len())
        .find(|&j| rows[j].depth <= d)
        .unwrap_or(rows.len())
}

/// The previous sibling of row `i`, if any.
fn prev_sibling(rows: &[Row], i: usize) -> Option<usize> {
    let d = rows[i].depth;
    (0..i)
        .rev()
        .find(|&k| rows[k].depth <= d)
        .filter(|&k| rows[k].depth == d)
}

fn is_leaf(rows: &[Row], i: usize) -> bool {
    rows.get(i + 1).is_none_or(|r| r.depth <= rows[i].depth)
}

fn new_row(depth: usize) -> Row {
    Row {
        depth,
        method: Method::Manual.as_str().into(),
        ..Default::default()
    }
}

/// One button of a row: `child`, `sibling`, `remove`, `up`, `down`, `indent`, `outdent`;
/// `add` appends a top-level indicator. An op that does not apply changes nothing.
fn apply(rows: &mut Vec<Row>, verb: &str, i: usize) {
    let full = rows.len() >= INDICATORS_MAX;
    if verb == "add" {
        if !full {
            rows.push(new_row(0));
        }
        return;
    }
    if i >= rows.len() {
        return;
    }
    let d = rows[i].depth;
    let end = subtree_end(rows, i);
    match verb {
        "child" if !full && d + 1 < DEPTH_MAX => rows.insert(end, new_row(d + 1)),
        "sibling" if !full => rows.insert(end, new_row(d)),
        "remove" => {
            rows.drain(i..end);
        }
        "up" => {
            if let Some(k) = prev_sibling(rows, i) {
                rows[k..end].rotate_left(i - k);
            }
        }
        "down" if end < rows.len() && rows[end].depth == d => {
            let next_end = subtree_end(rows, end);
            rows[i..next_end].rotate_left(end - i);
        }
        "indent" => {
            let deepest = rows[i..end].iter().map(|r| r.depth).max().unwrap_or(d);
            if prev_sibling(rows, i).is_some() && deepest + 1 < DEPTH_MAX {
                for r in &mut rows[i..end] {
                    r.depth += 1;
                }
            }
        }
        "outdent" if d > 0 => {
            // The row (with its subtree) moves to just after its parent's subtree.
            let parent = (0..i).rev().find(|&k| rows[k].depth < d).unwrap_or(0);
            let mut block: Vec<Row> = rows.drain(i..end).collect();
            for r in &mut block {
                r.depth -= 1;
            }
            let to = subtree_end(rows, parent);
            rows.splice(to..to, block);
        }
        _ => {}
    }
}

/// Points as typed, in tenths (`None` when not a number).
fn tenths(raw: &str) -> Option<i64> {
    raw.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .map(|x| (x * 10.0).round() as i64)
}

/// The key a row is sent under: its stored id, else a key of its own (negative, so it can
/// never name a stored indicator).
fn key(rows: &[Row], i: usize) -> i64 {
    rows[i].id.unwrap_or(-(i as i64) - 1)
}

/// The tree as the API's flat list, in row order (so `indicators[i]` names row `i`).
fn indicators_of(f: &mut FormState, rows: &[Row], lang: Lang) -> Vec<IndicatorInput> {
    let mut parents: Vec<usize> = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        parents.truncate(r.depth);
        let parent_id = parents.last().map(|&p| key(rows, p));
        parents.push(i);
        let points = if r.points.is_empty() {
            None
        } else {
            match r.points.parse::<f64>() {
                Ok(x) => Some(x),
                Err(_) => {
                    f.error(&at(i, "points"), lang.t("design.not_number"));
                    None
                }
            }
        };
        let leaf = is_leaf(rows, i);
        let method = (leaf && !r.method.is_empty()).then(|| r.method.clone());
        let metric = (method.as_deref() == Some(Method::Auto.as_str()) && !r.metric.is_empty())
            .then(|| r.metric.clone());
        out.push(IndicatorInput {
            id: Some(key(rows, i)),
            parent_id,
            name: Some(r.name.trim().to_string()),
            points,
            method,
            metric,
        });
    }
    out
}

fn number(raw: &str) -> Option<f64> {
    raw.trim().parse::<f64>().ok()
}

/// The scheme's input from the page's fields.
fn input_of(f: &mut FormState, rows: &[Row], lang: Lang) -> SchemeInput {
    let year = f.int("year", None, lang);
    let kinds: Vec<String> = OrgKind::CODES
        .iter()
        .filter(|k| f.checked(&format!("kind_{k}")))
        .map(|k| k.to_string())
        .collect();
    let mut thresholds = Some((0.0, 0.0));
    for (name, slot) in [("thresholds.A", 0), ("thresholds.B", 1)] {
        match number(f.v(name)) {
            Some(x) => {
                if let Some(t) = thresholds.as_mut() {
                    if slot == 0 {
                        t.0 = x
                    } else {
                        t.1 = x
                    }
                }
            }
            None => {
                f.error(name, lang.t("design.not_number"));
                thresholds = None;
            }
        }
    }
    let indicators = indicators_of(f, rows, lang);
    SchemeInput {
        year,
        title: f.opt("title"),
        org_kinds: Some(kinds),
        thresholds: thresholds.map(|(a, b)| domain::assessment::Thresholds { a, b }),
        indicators: Some(indicators),
    }
}

/// The page's values of a scheme's definition (`copy`: without the stored ids, as a new
/// scheme's).
fn state_of(s: &SchemeInput, copy: bool) -> FormState {
    let mut f = FormState::default();
    f.set("year", s.year.map(|y| y.to_string()).unwrap_or_default());
    f.set("title", s.title.clone().unwrap_or_default());
    for k in s.org_kinds.iter().flatten() {
        f.set(&format!("kind_{k}"), "on");
    }
    if let Some(t) = s.thresholds {
        f.set("thresholds.A", format!("{}", t.a));
        f.set("thresholds.B", format!("{}", t.b));
    }
    let list = s.indicators.clone().unwrap_or_default();
    // depth-first from the roots, in the list's order
    let mut kids: HashMap<Option<i64>, Vec<usize>> = HashMap::new();
    for (i, ind) in list.iter().enumerate() {
        kids.entry(ind.parent_id).or_default().push(i);
    }
    let mut rows = Vec::with_capacity(list.len());
    let mut stack: Vec<(usize, usize)> = kids
        .get(&None)
        .map(|r| r.iter().rev().map(|&i| (i, 0)).collect())
        .unwrap_or_default();
    while let Some((i, depth)) = stack.pop() {
        let ind = &list[i];
        rows.push(Row {
            id: if copy { None } else { ind.id },
            depth,
            name: ind.name.clone().unwrap_or_default(),
            points: ind
                .points
                .map(|p| points_text((p * 10.0).round() as i64))
                .unwrap_or_default(),
            method: ind.method.clone().unwrap_or_default(),
            metric: ind.metric.clone().unwrap_or_default(),
        });
        if let Some(c) = ind.id.and_then(|id| kids.get(&Some(id))) {
            stack.extend(c.iter().rev().map(|&k| (k, depth + 1)));
        }
    }
    put_rows(&mut f, &rows);
    f
}

fn put_rows(f: &mut FormState, rows: &[Row]) {
    f.values.retain(|k, _| !k.starts_with("indicators["));
    f.set("rows", rows.len().to_string());
    for (i, r) in rows.iter().enumerate() {
        if let Some(id) = r.id {
            f.set(&at(i, "id"), id.to_string());
        }
        f.set(&at(i, "depth"), r.depth.to_string());
        f.set(&at(i, "name"), r.name.clone());
        f.set(&at(i, "points"), r.points.clone());
        f.set(&at(i, "method"), r.method.clone());
        f.set(&at(i, "metric"), r.metric.clone());
    }
}

/// The names of the starting tree's indicators (`design.starter.<key>`).
pub const STARTER_KEYS: &[&str] = &[
    "org",
    "charter",
    "compliance",
    "work",
    "tasks",
    "rectification",
    "reports",
    "people",
    "training",
    "feature",
    "campaigns",
    "quality",
];

/// A new scheme's starting tree: one leaf per metric and one scored by hand, summing to 100.
fn starter(year: i32, lang: Lang) -> SchemeInput {
    let t = |k: &str| Some(lang.t(&format!("design.starter.{k}")).to_string());
    let node = |id: i64, parent: Option<i64>, name: &str, points: f64, metric: Option<Metric>| {
        IndicatorInput {
            id: Some(id),
            parent_id: parent,
            name: t(name),
            points: Some(points),
            method: match (parent, metric) {
                (None, _) => None,
                (_, Some(_)) => Some("auto".into()),
                (_, None) => Some("manual".into()),
            },
            metric: metric.map(|m| m.as_str().to_string()),
        }
    };
    SchemeInput {
        year: Some(year as i64),
        title: Some(lang.tf("design.starter.title", &[&year.to_string()])),
        org_kinds: None,
        thresholds: None,
        indicators: Some(vec![
            node(1, None, "org", 30.0, None),
            node(2, Some(1), "charter", 10.0, Some(Metric::CharterRate)),
            node(3, Some(1), "compliance", 20.0, Some(Metric::ComplianceRate)),
            node(4, None, "work", 40.0, None),
            node(5, Some(4), "tasks", 15.0, Some(Metric::TaskRate)),
            node(
                6,
                Some(4),
                "rectification",
                15.0,
                Some(Metric::RectificationRate),
            ),
            node(7, Some(4), "reports", 10.0, Some(Metric::ReportRate)),
            node(8, None, "people", 15.0, None),
            node(9, Some(8), "training", 15.0, Some(Metric::TrainingRate)),
            node(10, None, "feature", 15.0, None),
            node(11, Some(10), "campaigns", 10.0, Some(Metric::CampaignRate)),
            node(12, Some(10), "quality", 5.0, None),
        ]),
    }
}

// ---------------------------------------------------------------- the page

/// One row as the page shows it.
pub struct RowView {
    pub i: usize,
    pub depth: usize,
    pub leaf: bool,
    /// The names of its fields: `indicators[2].points`.
    pub name: String,
    pub points: String,
    pub method: String,
    pub metric: String,
    pub id: String,
    pub depth_name: String,
    /// An inner row: its children's points summed, and whether that equals its own.
    pub sum: String,
    /// Its own points (0 when not a number).
    pub own: String,
    pub sum_ok: bool,
    pub first: bool,
    pub last_sibling: bool,
    /// Shown read-only: its points and how it is scored.
    pub points_text: String,
    pub how: String,
}

/// What the preview shows of the scheme's scores this year.
pub struct Preview {
    pub assessed: usize,
    pub mean: String,
    pub incomplete: usize,
    pub chart: String,
    /// The ten lowest totals: org, total, suggested grade, grade, complete.
    pub lowest: Vec<(String, String, &'static str, &'static str, bool)>,
}

#[derive(Template)]
#[template(path = "assessment/designer.html")]
struct DesignerPage {
    ctx: Ctx,
    action: String,
    f: FormState,
    rows: Vec<RowView>,
    /// The roots' points summed, and whether that is 100.
    total: String,
    total_ok: bool,
    kinds: Vec<(&'static str, &'static str)>,
    methods: Vec<(&'static str, &'static str)>,
    metrics: Vec<(&'static str, &'static str)>,
    editable: bool,
    id: Option<i64>,
    preview: Option<Preview>,
    /// The scheme to copy from on a new scheme's page (the latest), with its year.
    copy_from: Option<(i64, i32)>,
}

fn codes(lang: Lang, group: &str, list: &[&'static str]) -> Vec<(&'static str, &'static str)> {
    list.iter()
        .map(|c| (*c, lang.code_label(group, c)))
        .collect()
}

fn views(f: &FormState, lang: Lang) -> (Vec<RowView>, String, bool) {
    let rows = rows_of(f);
    let mut views = Vec::with_capacity(rows.len());
    let mut root_sum = 0;
    for (i, r) in rows.iter().enumerate() {
        let leaf = is_leaf(&rows, i);
        let end = subtree_end(&rows, i);
        let own = tenths(&r.points).unwrap_or(0);
        if r.depth == 0 {
            root_sum += own;
        }
        let kids: i64 = (i + 1..end)
            .filter(|&k| rows[k].depth == r.depth + 1)
            .map(|k| tenths(&rows[k].points).unwrap_or(0))
            .sum();
        let how = if leaf {
            match (Method::parse(&r.method), Metric::parse(&r.metric)) {
                (Some(Method::Auto), Some(m)) => lang
                    .tf(
                        "design.how_auto",
                        &[lang.code_label("assess.metric", m.as_str())],
                    )
                    .to_string(),
                (Some(m), _) => lang.code_label("design.method", m.as_str()).to_string(),
                _ => String::new(),
            }
        } else {
            lang.t("design.sum_of_children").to_string()
        };
        views.push(RowView {
            i,
            depth: r.depth,
            leaf,
            name: at(i, "name"),
            points: at(i, "points"),
            method: at(i, "method"),
            metric: at(i, "metric"),
            id: at(i, "id"),
            depth_name: at(i, "depth"),
            sum: points_text(kids),
            own: points_text(own),
            sum_ok: kids == own,
            first: prev_sibling(&rows, i).is_none(),
            last_sibling: rows.get(end).is_none_or(|n| n.depth != r.depth),
            points_text: r.points.clone(),
            how,
        });
    }
    (views, points_text(root_sum), root_sum == 1000)
}

struct View {
    id: Option<i64>,
    editable: bool,
    preview: Option<Preview>,
    copy_from: Option<(i64, i32)>,
    /// `?msg=` of a redirect after a save.
    flash: Option<String>,
}

fn render(u: &PageUser, v: View, f: FormState, status: StatusCode) -> Response {
    let lang = u.lang;
    let title = match (v.id, v.editable) {
        (Some(_), true) => lang.t("design.edit"),
        (Some(_), false) => lang.t("design.view"),
        (None, _) => lang.t("design.new"),
    };
    let (rows, total, total_ok) = views(&f, lang);
    let page = DesignerPage {
        ctx: scheme_ctx(u, title.to_string()).with_flash(v.flash.as_deref()),
        action: match v.id {
            Some(id) => format!("/assessment/schemes/{id}/edit"),
            None => "/assessment/schemes/new".to_string(),
        },
        rows,
        total,
        total_ok,
        kinds: codes(lang, "org_kind", OrgKind::CODES),
        methods: codes(lang, "design.method", Method::CODES),
        metrics: codes(lang, "assess.metric", Metric::CODES),
        editable: v.editable,
        id: v.id,
        preview: v.preview,
        copy_from: v.copy_from,
        f,
    };
    html(status, &page)
}

/// This year's scores of the scheme, as far as the user's scope reaches.
async fn preview(st: &AppState, u: &PageUser, id: i64) -> Result<Preview, PageError> {
    let today = st.clock.today();
    let f = AssessmentFilter::default();
    let items: Vec<Assessment> =
        store::all_pages(|p| st.store.assessments(u.scope(), id, &f, today, p))
            .await
            .or_page(u)?;
    Ok(preview_of(items, u.lang))
}

fn grade_color(g: Grade) -> &'static str {
    match g {
        Grade::A => "#1f9d74",
        Grade::B => "#2f6fb5",
        Grade::C => "#c8161d",
    }
}

fn preview_of(mut items: Vec<Assessment>, lang: Lang) -> Preview {
    let n = items.len();
    let data: Vec<Datum> = [Grade::A, Grade::B, Grade::C]
        .into_iter()
        .map(|g| Datum {
            label: lang.tf("design.grade_label", &[g.as_str()]),
            value: items.iter().filter(|a| a.suggested_grade == g).count() as i64,
            color: grade_color(g),
        })
        .collect();
    let chart = bars("grade-bars", lang.t("design.preview_chart"), &data, &|v| {
        lang.tf("design.unit_orgs", &[&v.to_string()])
    });
    let sum: f64 = items.iter().map(|a| a.total).sum();
    let mean = if n == 0 {
        "—".to_string()
    } else {
        format!("{:.1}", sum / n as f64)
    };
    let incomplete = items.iter().filter(|a| !a.complete).count();
    items.sort_by(|a, b| {
        a.total
            .total_cmp(&b.total)
            .then_with(|| a.party_org_name.cmp(&b.party_org_name))
    });
    let lowest = items
        .into_iter()
        .take(10)
        .map(|a| {
            (
                a.party_org_name,
                format!("{:.1}", a.total),
                a.suggested_grade.as_str(),
                a.grade.as_str(),
                a.complete,
            )
        })
        .collect();
    Preview {
        assessed: n,
        mean,
        incomplete,
        chart,
        lowest,
    }
}

async fn new_scheme(
    State(st): State<AppState>,
    u: PageUser,
    q: Result<Params, AppError>,
) -> Result<Response, PageError> {
    u.may(Permission::DesignAssessment)?;
    let mut p = q.map_err(|e| u.error(e))?;
    let copy = p.i64("copy");
    p.finish().map_err(|e| u.error(e))?;
    let latest = all_schemes(&st).await.or_page(&u)?.into_iter().next();
    let f = match copy {
        Some(id) => {
            let s = st.store.get_scheme(id).await.or_page(&u)?;
            copy_of(&s, u.lang)
        }
        None => {
            use chrono::Datelike;
            state_of(&starter(st.clock.today().year(), u.lang), false)
        }
    };
    let mut f = f;
    if f.v("thresholds.A").is_empty() {
        let t = super::api::default_thresholds(&st);
        f.set("thresholds.A", format!("{}", t.a));
        f.set("thresholds.B", format!("{}", t.b));
    }
    if !OrgKind::CODES
        .iter()
        .any(|k| f.checked(&format!("kind_{k}")))
    {
        for k in domain::assessment::DEFAULT_ORG_KINDS {
            f.set(&format!("kind_{}", k.as_str()), "on");
        }
    }
    let view = View {
        id: None,
        editable: true,
        preview: None,
        copy_from: latest.filter(|_| copy.is_none()).map(|s| (s.id, s.year)),
        flash: None,
    };
    Ok(render(&u, view, f, StatusCode::OK))
}

/// A scheme's definition as the next year's: the year one on, the year in the title too.
fn copy_of(s: &Scheme, _lang: Lang) -> FormState {
    let mut def = s.def();
    let next = s.year + 1;
    def.year = Some(next as i64);
    def.title = Some(s.title.replace(&s.year.to_string(), &next.to_string()));
    state_of(&def, true)
}

async fn edit_scheme(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    u.may(Permission::DesignAssessment)?;
    let s = st.store.get_scheme(id).await.or_page(&u)?;
    let f = state_of(&s.def(), false);
    let view = View {
        id: Some(id),
        editable: !s.is_final(),
        preview: Some(preview(&st, &u, id).await?),
        copy_from: None,
        flash: msg,
    };
    Ok(render(&u, view, f, StatusCode::OK))
}

async fn save_new(
    st: State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    save(st, u, None, form).await
}

async fn save_edit(
    st: State<AppState>,
    Item { u, id }: Item,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    save(st, u, Some(id), form).await
}

/// Every button of the designer: a row added, removed, moved or indented, or the save.
async fn save(
    State(st): State<AppState>,
    u: PageUser,
    id: Option<i64>,
    form: HashMap<String, String>,
) -> Result<Response, PageError> {
    let actor = u.may(Permission::DesignAssessment)?;
    if let Some(id) = id {
        let s = st.store.get_scheme(id).await.or_page(&u)?;
        if s.is_final() {
            return Err(u
                .error(AppError::from(store::StoreError::InUse("assessment_final")))
                .into());
        }
    }
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let mut rows = rows_of(&f);
    let op = f.v("op").to_string();
    let (verb, i) = op.split_once(':').unwrap_or((op.as_str(), ""));
    let i: usize = i.parse().unwrap_or(usize::MAX);
    let view = |preview| View {
        id,
        editable: true,
        preview,
        copy_from: None,
        flash: None,
    };
    if verb != "save" {
        apply(&mut rows, verb, i);
        put_rows(&mut f, &rows);
        let p = match id {
            Some(id) => Some(preview(&st, &u, id).await?),
            None => None,
        };
        return Ok(render(&u, view(p), f, StatusCode::OK));
    }
    put_rows(&mut f, &rows);
    let input = input_of(&mut f, &rows, u.lang);
    let status = match input.validate(super::api::default_thresholds(&st)) {
        Ok(def) if f.ok() => {
            let saved = match id {
                Some(id) => st.store.update_scheme(&actor, id, def).await,
                None => st.store.create_scheme(&actor, def).await,
            };
            match saved {
                Ok(s) => {
                    return Ok(Redirect::to(&format!(
                        "/assessment/schemes/{}/edit?msg=saved",
                        s.id
                    ))
                    .into_response())
                }
                Err(store::StoreError::Invalid(e)) => {
                    f.store_errors(&e, u.lang);
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                Err(e) => return Err(u.error(AppError::from(e)).into()),
            }
        }
        Ok(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Err(e) => {
            f.store_errors(&e, u.lang);
            StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    let p = match id {
        Some(id) => Some(preview(&st, &u, id).await?),
        None => None,
    };
    Ok(render(&u, view(p), f, status))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(depths: &[usize]) -> Vec<Row> {
        depths
            .iter()
            .enumerate()
            .map(|(i, &d)| Row {
                depth: d,
                name: format!("r{i}"),
                ..Default::default()
            })
            .collect()
    }

    fn names(rows: &[Row]) -> Vec<(String, usize)> {
        rows.iter().map(|r| (r.name.clone(), r.depth)).collect()
    }

    fn n(s: &str, d: usize) -> (String, usize) {
        (s.to_string(), d)
    }

    #[test]
    fn rows_move_with_their_subtrees() {
        // r0 (r1, r2), r3 (r4)
        let base = tree(&[0, 1, 1, 0, 1]);
        let mut rows = base.clone();
        apply(&mut rows, "down", 0);
        assert_eq!(
            names(&rows),
            vec![n("r3", 0), n("r4", 1), n("r0", 0), n("r1", 1), n("r2", 1)]
        );
        apply(&mut rows, "up", 2);
        assert_eq!(rows, base);
        apply(&mut rows, "up", 0);
        assert_eq!(rows, base, "the first stays first");
        apply(&mut rows, "child", 0);
        assert_eq!(rows[3].depth, 1);
        assert_eq!(rows[3].name, "");
        assert_eq!(rows[3].method, "manual");
        let mut rows = base.clone();
        apply(&mut rows, "remove", 0);
        assert_eq!(names(&rows), vec![n("r3", 0), n("r4", 1)]);
        let mut rows = base.clone();
        apply(&mut rows, "indent", 3);
        assert_eq!(
            names(&rows),
            vec![n("r0", 0), n("r1", 1), n("r2", 1), n("r3", 1), n("r4", 2)]
        );
        apply(&mut rows, "indent", 1);
        assert_eq!(rows[1].depth, 1, "no previous sibling: stays");
        apply(&mut rows, "outdent", 1);
        assert_eq!(
            names(&rows),
            vec![n("r0", 0), n("r2", 1), n("r3", 1), n("r4", 2), n("r1", 0)]
        );
        let mut rows = base.clone();
        apply(&mut rows, "sibling", 1);
        assert_eq!(rows[2].depth, 1);
        assert_eq!(rows.len(), 6);
        apply(&mut rows, "nonsense", 1);
        apply(&mut rows, "remove", 99);
        assert_eq!(rows.len(), 6);
    }

    #[test]
    fn the_outline_becomes_the_flat_list_with_parents_by_key() {
        let mut rows = tree(&[0, 1, 1]);
        rows[0].id = Some(40);
        rows[0].method = "manual".into();
        rows[1].method = "auto".into();
        rows[1].metric = "task_rate".into();
        rows[1].points = "2.5".into();
        rows[2].method = "manual".into();
        rows[2].metric = "task_rate".into();
        rows[2].points = "x".into();
        let mut f = FormState::default();
        let list = indicators_of(&mut f, &rows, Lang::Zh);
        assert_eq!(list[0].id, Some(40));
        assert_eq!(list[0].method, None, "an inner row has no method");
        assert_eq!(list[1].parent_id, Some(40));
        assert_eq!(list[1].id, Some(-2));
        assert_eq!(list[1].points, Some(2.5));
        assert_eq!(list[1].metric.as_deref(), Some("task_rate"));
        assert_eq!(list[2].metric, None, "a manual leaf has no metric");
        assert!(f.has("indicators[2].points"));
    }
}
