//! M6 scoring pages: the scoring table (orgs × leaf indicators, a committee member's own
//! contact points first, cards on a phone), an org's assessment (each score explained from
//! the records behind it, manual scores, overrides and the grade override as small forms,
//! the grade history) and the finalize confirmation. A branch sees its own subtree only.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use domain::assessment::{points_text, Method, Metric};
use domain::policy::Permission;
use domain::{Grade, Role};
use store::assessment::{
    Assessment, AssessmentFilter, GradeEntry, Indicator, NewGrade, NewScore, Scheme, Score,
    ScoreSource,
};
use store::liaison::LiaisonFilter;
use store::{PageReq, StoreError};

use crate::modules::registry::orgs::{org_choices, org_options, OrgOption};
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::i18n::Lang;
use crate::platform::session::{Flash, OrPage, PageError, PageUser};
use crate::ui::ctx::{html, parse_id, percent, Ctx, FormState};
use crate::ui::list::{kept, Pager};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assessment", get(table))
        .route("/assessment/{scheme_id}/orgs/{org_id}", get(org_page))
        .route(
            "/assessment/{scheme_id}/orgs/{org_id}/scores",
            axum::routing::post(post_score),
        )
        .route(
            "/assessment/{scheme_id}/orgs/{org_id}/grade",
            axum::routing::post(post_grade),
        )
        .route(
            "/assessment/{scheme_id}/finalize",
            get(finalize_page).post(finalize_post),
        )
}

domain::list_filter! {
    /// Filters of the scoring table page.
    pub struct TableFilter {
        /// the scheme (default: the latest open one, else the latest)
        scheme_id: i64,
        /// the orgs of this org's subtree
        under: i64,
        /// of this grade
        grade: Grade,
        /// only the incomplete ones
        incomplete: bool,
        /// `total` or `-total`; default tree order
        sort: String,
    }
}

/// Rows of the scoring table per page.
const ROWS: i64 = 50;

/// A score as people write it: `18`, `7.5`.
pub fn score_text(x: f64) -> String {
    points_text((x * 10.0).round() as i64)
}

fn grade_class(g: Grade) -> &'static str {
    match g {
        Grade::A => "grade-a",
        Grade::B => "grade-b",
        Grade::C => "grade-c",
    }
}

/// Every scheme, latest year first.
async fn all_schemes(st: &AppState, u: &PageUser) -> Result<Vec<Scheme>, PageError> {
    store::all_pages(|p| st.store.list_schemes(p))
        .await
        .or_page(u)
}

/// The scheme shown by default: the latest open one, else the latest.
fn default_scheme(schemes: &[Scheme]) -> Option<&Scheme> {
    schemes
        .iter()
        .find(|s| !s.is_final())
        .or_else(|| schemes.first())
}

/// The finalize date as a page shows it.
fn finalized_on(ctx: &Ctx, s: &Scheme) -> String {
    s.finalized_at
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| ctx.date(t.with_timezone(&ctx.offset).date_naive()))
        .unwrap_or_default()
}

// ---------------------------------------------------------------- the scoring table

/// A column group of the table's header: a root indicator over its leaves.
pub struct HeadGroup {
    pub name: String,
    pub points: String,
    /// How many leaf columns it spans (0: the root is itself a leaf).
    pub span: usize,
}

/// A leaf column.
pub struct LeafCol {
    pub id: i64,
    pub name: String,
    pub points: String,
    pub auto: bool,
    /// The leaf's path of names (shown as the column's title).
    pub path: String,
}

/// One cell of the table.
pub struct Cell {
    pub text: String,
    /// `auto`, `manual`, `override` or `unscored`.
    pub kind: &'static str,
}

/// One org's row.
pub struct TableRow {
    pub a: Assessment,
    pub cells: Vec<Cell>,
    pub total: String,
    pub href: String,
    pub mine: bool,
    pub grade_class: &'static str,
}

pub struct SchemeLink {
    pub s: Scheme,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "assessment/table.html")]
struct TablePage {
    ctx: Ctx,
    schemes: Vec<SchemeLink>,
    scheme: Option<Scheme>,
    finalized_on: String,
    groups: Vec<HeadGroup>,
    leaves: Vec<LeafCol>,
    mine: Vec<TableRow>,
    is_committee: bool,
    rows: Vec<TableRow>,
    pager: Option<Pager>,
    f: FormState,
    orgs: Option<Vec<OrgOption>>,
    grades: Vec<(&'static str, &'static str)>,
    sorts: Vec<(&'static str, &'static str)>,
    may_design: bool,
}

impl TablePage {
    fn filtered(&self) -> bool {
        ["under", "grade", "incomplete", "sort"]
            .iter()
            .any(|k| !self.f.v(k).is_empty())
    }
}

/// An indicator's root and its path of names (`组织生活 › 三会一课落实`).
fn root_of<'a>(by_id: &HashMap<i64, &'a Indicator>, leaf: &'a Indicator) -> (i64, String) {
    let mut names = vec![leaf.name.clone()];
    let mut i = leaf;
    while let Some(p) = i.parent_id.and_then(|p| by_id.get(&p).copied()) {
        i = p;
        names.push(i.name.clone());
    }
    names.reverse();
    (i.id, names.join(" › "))
}

/// The header of the table: root groups and the leaf columns in tree order.
fn columns(scheme: &Scheme) -> (Vec<HeadGroup>, Vec<LeafCol>) {
    let by_id: HashMap<i64, &Indicator> = scheme.indicators.iter().map(|i| (i.id, i)).collect();
    let mut groups: Vec<(i64, HeadGroup)> = scheme
        .indicators
        .iter()
        .filter(|i| i.parent_id.is_none())
        .map(|i| {
            (
                i.id,
                HeadGroup {
                    name: i.name.clone(),
                    points: points_text((i.points * 10.0).round() as i64),
                    span: 0,
                },
            )
        })
        .collect();
    let mut leaves = Vec::new();
    for l in scheme.leaves() {
        let (root, path) = root_of(&by_id, l);
        if root != l.id {
            if let Some(g) = groups.iter_mut().find(|g| g.0 == root) {
                g.1.span += 1;
            }
        }
        leaves.push(LeafCol {
            id: l.id,
            name: l.name.clone(),
            points: points_text((l.points * 10.0).round() as i64),
            auto: l.method == Some(Method::Auto),
            path,
        });
    }
    (groups.into_iter().map(|g| g.1).collect(), leaves)
}

fn cell(lang: Lang, s: &Score) -> Cell {
    match (s.score, s.source) {
        (None, _) => Cell {
            text: lang.t("assess.unscored").to_string(),
            kind: "unscored",
        },
        (Some(x), src) => Cell {
            text: score_text(x),
            kind: src.as_str(),
        },
    }
}

fn row_of(lang: Lang, scheme_id: i64, a: Assessment, mine: bool) -> TableRow {
    TableRow {
        cells: a.scores.iter().map(|s| cell(lang, s)).collect(),
        total: score_text(a.total),
        href: format!("/assessment/{scheme_id}/orgs/{}", a.party_org_id),
        mine,
        grade_class: grade_class(a.grade),
        a,
    }
}

/// The orgs the committee member is the current liaison of.
async fn my_points(st: &AppState, u: &PageUser) -> Result<Vec<i64>, PageError> {
    if u.role() != Role::Committee {
        return Ok(Vec::new());
    }
    let f = LiaisonFilter {
        user_id: Some(u.session.user.id),
        current: Some(true),
        ..Default::default()
    };
    let today = st.clock.today();
    let ls = store::all_pages(|p| st.store.list_liaisons(u.scope(), &f, today, p))
        .await
        .or_page(u)?;
    let mut ids: Vec<i64> = ls.into_iter().map(|l| l.party_org_id).collect();
    ids.dedup();
    Ok(ids)
}

async fn table(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let tf: TableFilter = p.filter();
    let page = p.page();
    let mut f = kept::<TableFilter>(&p);
    p.finish().map_err(|e| u.error(e))?;
    let lang = u.lang;
    let schemes = all_schemes(&st, &u).await?;
    let scheme = match tf.scheme_id {
        Some(id) => Some(st.store.get_scheme(id).await.or_page(&u)?),
        None => default_scheme(&schemes).cloned(),
    };
    let mut ctx = u.section_ctx("assessment");
    if msg.as_deref() == Some("finalized") {
        ctx = ctx.with_notice(lang.t("assess.finalized_notice").to_string());
    }
    let today = st.clock.today();
    let (mut groups, mut leaves, mut mine, mut rows, mut pager) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), None);
    if let Some(s) = &scheme {
        f.set("scheme_id", s.id.to_string());
        (groups, leaves) = columns(s);
        let points = my_points(&st, &u).await?;
        for org in &points {
            match st.store.assessment(u.scope(), s.id, *org, today).await {
                Ok(a) => mine.push(row_of(lang, s.id, a, true)),
                Err(StoreError::NotFound) => {}
                Err(e) => return Err(u.error(e).into()),
            }
        }
        let af = AssessmentFilter {
            under: tf.under,
            grade: tf.grade,
            incomplete: tf.incomplete,
            sort: tf.sort.clone(),
            ..Default::default()
        };
        let req = PageReq {
            page: page.page,
            per_page: ROWS,
        };
        let res = st
            .store
            .assessments(u.scope(), s.id, &af, today, req)
            .await
            .or_page(&u)?;
        pager = Some(Pager::of::<TableFilter>(
            lang,
            ("/assessment", "/assessment"),
            &f,
            req,
            res.total,
            res.items.len(),
        ));
        rows = res
            .items
            .into_iter()
            .map(|a| {
                let m = points.contains(&a.party_org_id);
                row_of(lang, s.id, a, m)
            })
            .collect();
    }
    let orgs = org_choices(&st, u.scope()).await.or_page(&u)?;
    let view = TablePage {
        finalized_on: scheme
            .as_ref()
            .map(|s| finalized_on(&ctx, s))
            .unwrap_or_default(),
        ctx,
        schemes: schemes
            .into_iter()
            .map(|s| SchemeLink {
                href: format!("/assessment?scheme_id={}", s.id),
                current: scheme.as_ref().is_some_and(|c| c.id == s.id),
                s,
            })
            .collect(),
        is_committee: u.role() == Role::Committee,
        scheme,
        groups,
        leaves,
        mine,
        rows,
        pager,
        f,
        orgs: orgs.map(|o| org_options(&o, lang)),
        grades: Grade::CODES.iter().map(|g| (*g, *g)).collect(),
        sorts: vec![
            ("", lang.t("assess.sort_tree")),
            ("-total", lang.t("assess.sort_total_desc")),
            ("total", lang.t("assess.sort_total_asc")),
        ],
        may_design: u.allowed(Permission::DesignAssessment),
    };
    Ok(html(StatusCode::OK, &view))
}

// ---------------------------------------------------------------- an org's assessment

/// A link to the records behind a score.
pub struct RecordLink {
    pub label: String,
    pub href: String,
}

/// One indicator of the org's tree.
pub struct TreeRow {
    pub i: Indicator,
    pub depth: usize,
    pub leaf: bool,
    pub points: String,
    /// The score earned (a parent: the sum of its leaves').
    pub earned: String,
    pub score: Option<Score>,
    /// An auto leaf's explanation: the metric in words, what counts, the basis line.
    pub metric_name: String,
    pub metric_what: String,
    pub basis: String,
    pub rate: String,
    pub links: Vec<RecordLink>,
    /// The computed score beside an override.
    pub computed: String,
}

impl TreeRow {
    fn kind(&self) -> &'static str {
        match &self.score {
            Some(s) if s.score.is_none() => "unscored",
            Some(s) => s.source.as_str(),
            None => "",
        }
    }
    fn score_shown(&self, lang: Lang) -> String {
        match &self.score {
            Some(s) => match s.score {
                Some(x) => score_text(x),
                None => lang.t("assess.unscored").to_string(),
            },
            None => self.earned.clone(),
        }
    }
}

/// A root indicator's bar.
pub struct RootBar {
    pub name: String,
    pub earned: String,
    pub points: String,
    pub pct: i64,
}

pub struct HistoryRow {
    pub e: GradeEntry,
    pub scheme_title: String,
}

#[derive(Template)]
#[template(path = "assessment/org.html")]
struct OrgPage {
    ctx: Ctx,
    scheme: Scheme,
    finalized_on: String,
    a: Assessment,
    total: String,
    tree: Vec<TreeRow>,
    bars: Vec<RootBar>,
    history: Vec<HistoryRow>,
    /// The score forms by indicator (what was typed and its errors when refused).
    forms: HashMap<i64, FormState>,
    gf: FormState,
    grades: Vec<(&'static str, &'static str)>,
    may_score: bool,
    lang: Lang,
}

impl OrgPage {
    fn form(&self, id: &i64) -> &FormState {
        static EMPTY: std::sync::OnceLock<FormState> = std::sync::OnceLock::new();
        self.forms
            .get(id)
            .unwrap_or_else(|| EMPTY.get_or_init(FormState::default))
    }
    fn shown(&self, r: &TreeRow) -> String {
        r.score_shown(self.lang)
    }
}

/// The records behind a metric's figure for the org and year: the filtered lists.
fn record_links(
    lang: Lang,
    m: Metric,
    org: i64,
    year: i32,
    forms: &[(i64, String)],
) -> Vec<RecordLink> {
    let l = |key: &str, href: String| RecordLink {
        label: lang.t(key).to_string(),
        href,
    };
    let (from, to) = (format!("{year}-01-01"), format!("{year}-12-31"));
    match m {
        Metric::CharterRate => vec![l(
            "assess.link.societies",
            format!("/societies?under={org}"),
        )],
        Metric::ComplianceRate => vec![
            l(
                "assess.link.compliance",
                format!("/compliance?party_org_id={org}&year={year}"),
            ),
            l(
                "assess.link.compliance_missed",
                format!("/compliance?party_org_id={org}&year={year}&missed=1"),
            ),
            l(
                "assess.link.calendar",
                format!("/compliance/orgs/{org}?year={year}"),
            ),
        ],
        Metric::TaskRate => vec![
            l(
                "assess.link.tasks",
                format!("/tasks?under={org}&from={from}&to={to}"),
            ),
            l(
                "assess.link.tasks_late",
                format!("/tasks?under={org}&from={from}&to={to}&late=true"),
            ),
        ],
        Metric::RectificationRate => vec![
            l(
                "assess.link.rects",
                format!("/rectifications?under={org}&due_from={from}&due_to={to}"),
            ),
            l(
                "assess.link.rects_late",
                format!("/rectifications?under={org}&due_from={from}&due_to={to}&late=true"),
            ),
        ],
        Metric::ReportRate => forms
            .iter()
            .map(|(id, title)| RecordLink {
                label: lang.tf("assess.link.reports_late", &[title]),
                href: format!("/reports/forms/{id}?party_org_id={org}&late=true"),
            })
            .collect(),
        Metric::TrainingRate => vec![
            l(
                "assess.link.hours",
                format!("/training/hours?party_org_id={org}&year={year}"),
            ),
            l(
                "assess.link.hours_short",
                format!("/training/hours?party_org_id={org}&year={year}&short=true"),
            ),
        ],
        Metric::CampaignRate => vec![l(
            "assess.link.campaigns",
            format!("/campaigns?year={year}"),
        )],
    }
}

/// The org's tree with its scores, explanations and links, and the roots' bars.
fn tree_of(
    lang: Lang,
    scheme: &Scheme,
    a: &Assessment,
    forms: &[(i64, String)],
) -> (Vec<TreeRow>, Vec<RootBar>) {
    let scores: HashMap<i64, &Score> = a.scores.iter().map(|s| (s.indicator_id, s)).collect();
    let mut depth: HashMap<i64, usize> = HashMap::new();
    let mut parent: HashMap<i64, Option<i64>> = HashMap::new();
    for i in &scheme.indicators {
        let d = i.parent_id.and_then(|p| depth.get(&p)).map_or(0, |d| d + 1);
        depth.insert(i.id, d);
        parent.insert(i.id, i.parent_id);
    }
    // tenths earned per indicator: each leaf's score added to it and every ancestor
    let mut earned: HashMap<i64, i64> = HashMap::new();
    for s in &a.scores {
        let t = (s.score.unwrap_or(0.0) * 10.0).round() as i64;
        let mut cur = Some(s.indicator_id);
        while let Some(id) = cur {
            *earned.entry(id).or_default() += t;
            cur = parent.get(&id).copied().flatten();
        }
    }
    let mut rows = Vec::new();
    let mut bars = Vec::new();
    for i in &scheme.indicators {
        let points_t = (i.points * 10.0).round() as i64;
        let e = earned.get(&i.id).copied().unwrap_or(0);
        if i.parent_id.is_none() {
            bars.push(RootBar {
                name: i.name.clone(),
                earned: points_text(e),
                points: points_text(points_t),
                pct: if points_t > 0 {
                    (e * 100 / points_t).clamp(0, 100)
                } else {
                    0
                },
            });
        }
        let score = scores.get(&i.id).map(|s| (*s).clone());
        let (mut metric_name, mut metric_what, mut basis, mut rate, mut links, mut computed) = (
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            Vec::new(),
            String::new(),
        );
        if let (Some(m), Some(s)) = (i.metric, &score) {
            metric_name = lang.t(&format!("assess.metric.{}", m.as_str())).to_string();
            metric_what = lang
                .t(&format!("assess.metric_what.{}", m.as_str()))
                .to_string();
            if let Some(b) = s.basis {
                basis = lang.tf(
                    &format!("assess.basis.{}", m.as_str()),
                    &[&b.numerator.to_string(), &b.denominator.to_string()],
                );
                rate = if b.denominator > 0 {
                    format!("{}%", percent(b.numerator as f64 / b.denominator as f64))
                } else {
                    lang.t("assess.nothing_to_count").to_string()
                };
            }
            links = record_links(lang, m, a.party_org_id, scheme.year, forms);
            computed = s.computed.map(score_text).unwrap_or_default();
        }
        rows.push(TreeRow {
            depth: depth.get(&i.id).copied().unwrap_or(0),
            leaf: i.method.is_some(),
            points: points_text(points_t),
            earned: points_text(e),
            score,
            metric_name,
            metric_what,
            basis,
            rate,
            links,
            computed,
            i: i.clone(),
        });
    }
    (rows, bars)
}

/// The path's scheme and org ids; anything but positive integers is the 404 page.
fn ids(u: &PageUser, raw: (String, String)) -> Result<(i64, i64), PageError> {
    match (parse_id(&raw.0), parse_id(&raw.1)) {
        (Some(s), Some(o)) => Ok((s, o)),
        _ => Err(u.not_found().into()),
    }
}

#[allow(clippy::too_many_arguments)]
async fn render_org(
    st: &AppState,
    u: &PageUser,
    scheme: Scheme,
    a: Assessment,
    forms: HashMap<i64, FormState>,
    gf: Option<FormState>,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let lang = u.lang;
    let history = st
        .store
        .grade_history(u.scope(), a.party_org_id)
        .await
        .or_page(u)?;
    let titles: HashMap<i64, String> = all_schemes(st, u)
        .await?
        .into_iter()
        .map(|s| (s.id, s.title))
        .collect();
    let report_forms: Vec<(i64, String)> = if scheme
        .leaves()
        .any(|l| l.metric == Some(Metric::ReportRate))
    {
        store::all_pages(|p| st.store.list_forms(p))
            .await
            .or_page(u)?
            .into_iter()
            .map(|f| (f.id, f.title))
            .collect()
    } else {
        Vec::new()
    };
    let (tree, bars) = tree_of(lang, &scheme, &a, &report_forms);
    // every leaf's form starts with what is entered
    let mut all_forms: HashMap<i64, FormState> = HashMap::new();
    for s in &a.scores {
        let mut f = FormState::default();
        if s.source != ScoreSource::Auto {
            if let Some(x) = s.score {
                f.set("score", score_text(x));
            }
            f.set("comment", s.comment.clone().unwrap_or_default());
        }
        all_forms.insert(s.indicator_id, f);
    }
    all_forms.extend(forms);
    let gf = gf.unwrap_or_else(|| {
        let mut f = FormState::default();
        if a.grade_overridden {
            f.set("grade", a.grade.as_str());
            f.set("reason", a.grade_reason.clone().unwrap_or_default());
        }
        f
    });
    let title = a.party_org_name.clone();
    let mut ctx = u.sub_item_ctx(
        "assessment",
        (
            scheme.title.clone(),
            format!("/assessment?scheme_id={}", scheme.id),
        ),
        title,
    );
    if msg == Some("saved") {
        ctx = ctx.with_flash(msg);
    }
    let page = OrgPage {
        finalized_on: finalized_on(&ctx, &scheme),
        ctx,
        total: score_text(a.total),
        may_score: u.allowed(Permission::ScoreAssessment) && !scheme.is_final(),
        scheme,
        a,
        tree,
        bars,
        history: history
            .into_iter()
            .map(|e| HistoryRow {
                scheme_title: e
                    .scheme_id
                    .and_then(|id| titles.get(&id).cloned())
                    .unwrap_or_default(),
                e,
            })
            .collect(),
        forms: all_forms,
        gf,
        grades: Grade::CODES.iter().map(|g| (*g, *g)).collect(),
        lang,
    };
    Ok(html(status, &page))
}

async fn org_page(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<(String, String)>,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let (sid, org) = ids(&u, raw)?;
    let scheme = st.store.get_scheme(sid).await.or_page(&u)?;
    let a = st
        .store
        .assessment(u.scope(), sid, org, st.clock.today())
        .await
        .or_page(&u)?;
    render_org(
        &st,
        &u,
        scheme,
        a,
        HashMap::new(),
        None,
        StatusCode::OK,
        msg.as_deref(),
    )
    .await
}

/// A refused write's field errors go into the form; anything else is the error page.
fn form_error(u: &PageUser, f: &mut FormState, e: StoreError) -> Result<(), PageError> {
    match e {
        StoreError::Invalid(fe) => {
            f.store_errors(&fe, u.lang);
            Ok(())
        }
        e => Err(u.error(e).into()),
    }
}

/// A score typed into a form: empty → `None` (removes it), not a number → a field error.
fn typed_score(f: &mut FormState, lang: Lang) -> Option<f64> {
    let raw = f.v("score").trim().replace('，', ".");
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<f64>() {
        Ok(x) if x.is_finite() => Some(x),
        _ => {
            f.error("score", lang.t("assess.not_a_number"));
            None
        }
    }
}

/// What a form posted to an org's page writes to: the scheme (still open), the org's
/// assessment (in scope) and the actor (a role that may score).
async fn form_target(
    st: &AppState,
    u: &PageUser,
    sid: i64,
    org: i64,
) -> Result<
    (
        store::assessment::Scheme,
        store::assessment::Assessment,
        store::Actor,
    ),
    PageError,
> {
    let scheme = st.store.get_scheme(sid).await.or_page(u)?;
    let a = st
        .store
        .assessment(u.scope(), sid, org, st.clock.today())
        .await
        .or_page(u)?;
    let actor = u.may(Permission::ScoreAssessment)?;
    if scheme.is_final() {
        return Err(u.error(StoreError::InUse("assessment_final")).into());
    }
    Ok((scheme, a, actor))
}

async fn post_score(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let (sid, org) = ids(&u, raw)?;
    let today = st.clock.today();
    let (scheme, a, actor) = form_target(&st, &u, sid, org).await?;
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let Some(leaf) = f
        .v("indicator_id")
        .parse::<i64>()
        .ok()
        .and_then(|id| scheme.leaves().find(|l| l.id == id).cloned())
    else {
        return Err(u.not_found().into());
    };
    let score = typed_score(&mut f, u.lang);
    if f.ok() {
        let s = NewScore {
            party_org_id: org,
            indicator_id: leaf.id,
            score,
            comment: f.opt("comment"),
        };
        match st.store.put_score(&actor, sid, s, today).await {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "/assessment/{sid}/orgs/{org}?msg=saved#ind-{}",
                    leaf.id
                ))
                .into_response())
            }
            Err(e) => form_error(&u, &mut f, e)?,
        }
    }
    let forms = HashMap::from([(leaf.id, f)]);
    render_org(
        &st,
        &u,
        scheme,
        a,
        forms,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
        None,
    )
    .await
}

async fn post_grade(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let (sid, org) = ids(&u, raw)?;
    let today = st.clock.today();
    let (scheme, a, actor) = form_target(&st, &u, sid, org).await?;
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let grade = match f.opt("grade") {
        None => None,
        Some(g) => match Grade::parse(&g) {
            Some(g) => Some(g),
            None => {
                f.error("grade", u.lang.t("assess.not_a_grade"));
                None
            }
        },
    };
    if f.ok() {
        let g = NewGrade {
            party_org_id: org,
            grade,
            reason: f.opt("reason"),
        };
        match st.store.put_grade(&actor, sid, g, today).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/assessment/{sid}/orgs/{org}?msg=saved#grade"))
                        .into_response(),
                )
            }
            Err(e) => form_error(&u, &mut f, e)?,
        }
    }
    render_org(
        &st,
        &u,
        scheme,
        a,
        HashMap::new(),
        Some(f),
        StatusCode::UNPROCESSABLE_ENTITY,
        None,
    )
    .await
}

// ---------------------------------------------------------------- finalize

/// An org whose current grade the finalize changes.
pub struct Change {
    pub org_id: i64,
    pub name: String,
    pub from: Option<Grade>,
    pub to: Grade,
    pub total: String,
}

#[derive(Template)]
#[template(path = "assessment/finalize.html")]
struct FinalizePage {
    ctx: Ctx,
    scheme: Scheme,
    finalized_on: String,
    orgs: i64,
    counts: Vec<(&'static str, i64)>,
    incomplete: Vec<(i64, String)>,
    changes: Vec<Change>,
}

async fn finalize_page(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let sid = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let scheme = st.store.get_scheme(sid).await.or_page(&u)?;
    u.may(Permission::DesignAssessment)?;
    let today = st.clock.today();
    let every = AssessmentFilter::default();
    let all = store::all_pages(|p| st.store.assessments(u.scope(), sid, &every, today, p))
        .await
        .or_page(&u)?;
    let current: HashMap<i64, Option<Grade>> = st
        .store
        .all_orgs(u.scope())
        .await
        .or_page(&u)?
        .into_iter()
        .map(|o| (o.id, o.grade))
        .collect();
    let counts = Grade::ALL
        .iter()
        .map(|g| {
            (
                g.as_str(),
                all.iter().filter(|a| a.grade == *g).count() as i64,
            )
        })
        .collect();
    let incomplete = all
        .iter()
        .filter(|a| !a.complete)
        .map(|a| (a.party_org_id, a.party_org_name.clone()))
        .collect();
    let changes = all
        .iter()
        .filter_map(|a| {
            let from = current.get(&a.party_org_id).copied().flatten();
            (from != Some(a.grade)).then(|| Change {
                org_id: a.party_org_id,
                name: a.party_org_name.clone(),
                from,
                to: a.grade,
                total: score_text(a.total),
            })
        })
        .collect();
    let title = u.lang.t("assess.finalize.title").to_string();
    let ctx = u.sub_item_ctx(
        "assessment",
        (scheme.title.clone(), format!("/assessment?scheme_id={sid}")),
        title,
    );
    let view = FinalizePage {
        finalized_on: finalized_on(&ctx, &scheme),
        ctx,
        orgs: all.len() as i64,
        scheme,
        counts,
        incomplete,
        changes,
    };
    Ok(html(StatusCode::OK, &view))
}

async fn finalize_post(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let sid = parse_id(&raw).ok_or_else(|| u.not_found())?;
    st.store.get_scheme(sid).await.or_page(&u)?;
    let actor = u.may(Permission::DesignAssessment)?;
    st.store
        .finalize_scheme(&actor, sid, st.clock.today())
        .await
        .or_page(&u)?;
    Ok(Redirect::to(&format!("/assessment?scheme_id={sid}&msg=finalized")).into_response())
}
