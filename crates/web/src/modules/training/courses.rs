//! M8 pages: the courses (every role reads them; admin and committee hold them), a course
//! with its attendance — added from the register (office-holders in position during the
//! course, by org, with a search), removed, or imported from a sign-in sheet.

use std::collections::HashSet;

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::policy::Permission;
use domain::training::{CourseInput, CourseKind};
use store::training::{Attendance, Course, OfficeHolder, OfficeHolderFilter};
use store::PageReq;

use crate::modules::registry::orgs::{org_choices, org_options, OrgOption};
use crate::platform::error::AppError;
use crate::platform::extract::{url_encode, Params};
use crate::platform::session::{Flash, Item, OrPage, PageError, PageUser};
use crate::ui::ctx::{html, parse_id, Crumb, Ctx, FormState};
use crate::ui::import::{upload, ImportView};
use crate::ui::list::summary;
use crate::AppState;

use super::sheets::hours_text;

fn kinds(u: &PageUser) -> Vec<(&'static str, &'static str)> {
    crate::modules::reports::pages::codes(u.lang, "course_kind", CourseKind::CODES)
}

fn may_manage(u: &PageUser) -> bool {
    u.allowed(Permission::ManageCourses)
}

/// A course's days as a page shows them: one day, or from – to.
pub fn days_text(ctx: &Ctx, c: &Course) -> String {
    if c.starts_on == c.ends_on {
        ctx.date(c.starts_on)
    } else {
        format!("{} – {}", ctx.date(c.starts_on), ctx.date(c.ends_on))
    }
}

/// The crumbs of a course's pages: 仪表盘 › 培训课程 › the course (› `here`).
fn course_ctx(u: &PageUser, c: &Course, here: Option<String>) -> Ctx {
    let lang = u.lang;
    let mut crumbs = vec![
        Crumb::link(lang.t("nav.dashboard"), "/"),
        Crumb::link(lang.t("nav.courses"), "/training/courses"),
    ];
    let title = match here {
        Some(h) => {
            crumbs.push(Crumb::link(
                c.title.clone(),
                format!("/training/courses/{}", c.id),
            ));
            crumbs.push(Crumb::here(h.clone()));
            h
        }
        None => {
            crumbs.push(Crumb::here(c.title.clone()));
            c.title.clone()
        }
    };
    u.ctx("courses", title, crumbs)
}

// ---------------------------------------------------------------- the list

#[derive(Template)]
#[template(path = "training/courses.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Course>,
    summary: String,
    prev: Option<String>,
    next: Option<String>,
    may_manage: bool,
}

impl ListPage {
    fn days(&self, c: &Course) -> String {
        days_text(&self.ctx, c)
    }
    fn hours(&self, c: &Course) -> String {
        hours_text(c.hours_tenths)
    }
}

pub(super) async fn list(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let page = p.page();
    let msg = p.str("msg").map(str::to_string);
    p.finish().map_err(|e| u.error(e))?;
    let res = st.store.list_courses(page).await.or_page(&u)?;
    let pages = (res.total + page.per_page - 1) / page.per_page;
    let link = |n: i64| format!("/training/courses?page={n}");
    let view = ListPage {
        ctx: u.section_ctx("courses").with_flash(msg.as_deref()),
        summary: summary(u.lang, res.total, page, res.items.len()),
        prev: (page.page > 1).then(|| link(page.page - 1)),
        next: (page.page < pages).then(|| link(page.page + 1)),
        rows: res.items,
        may_manage: may_manage(&u),
    };
    Ok(html(StatusCode::OK, &view))
}

// ---------------------------------------------------------------- the form

#[derive(Template)]
#[template(path = "training/course_form.html")]
struct CourseForm {
    ctx: Ctx,
    c: Option<Course>,
    f: FormState,
    kinds: Vec<(&'static str, &'static str)>,
}

fn course_values(c: &Course) -> FormState {
    let mut f = FormState::default();
    f.set("title", &c.title);
    f.set("kind", c.kind.as_str());
    f.set("organizer", c.organizer.clone().unwrap_or_default());
    f.set("starts_on", c.starts_on.to_string());
    f.set("ends_on", c.ends_on.to_string());
    f.set("hours", hours_text(c.hours_tenths));
    f
}

fn render_course_form(
    u: &PageUser,
    c: Option<Course>,
    f: FormState,
    status: StatusCode,
) -> Response {
    let ctx = match &c {
        Some(c) => course_ctx(u, c, Some(u.lang.t("train.course.edit").to_string())),
        None => u.item_ctx("courses", u.lang.t("train.course.new").to_string()),
    };
    html(
        status,
        &CourseForm {
            ctx,
            c,
            f,
            kinds: kinds(u),
        },
    )
}

pub(super) async fn new_form(
    State(st): State<AppState>,
    u: PageUser,
) -> Result<Response, PageError> {
    u.may(Permission::ManageCourses)?;
    let mut f = FormState::default();
    let today = st.clock.today().to_string();
    f.set("kind", CourseKind::Class.as_str());
    f.set("starts_on", &today);
    f.set("ends_on", &today);
    Ok(render_course_form(&u, None, f, StatusCode::OK))
}

pub(super) async fn edit_form(
    State(st): State<AppState>,
    Item { u, id }: Item,
) -> Result<Response, PageError> {
    let c = st.store.get_course(id).await.or_page(&u)?;
    u.may(Permission::ManageCourses)?;
    let f = course_values(&c);
    Ok(render_course_form(&u, Some(c), f, StatusCode::OK))
}

/// Hours typed into a form: empty → `None` (the domain says it is required); not a number
/// → a field error.
fn typed_hours(f: &mut FormState, name: &str, u: &PageUser) -> Option<f64> {
    let raw = f.opt(name)?;
    match raw.replace(['，', ','], ".").parse::<f64>() {
        Ok(x) => Some(x),
        Err(_) => {
            f.error(name, u.lang.t("report.not_number"));
            None
        }
    }
}

async fn save_course(
    st: &AppState,
    u: &PageUser,
    id: Option<i64>,
    form: std::collections::HashMap<String, String>,
) -> Result<Response, PageError> {
    let base = match id {
        Some(id) => Some(st.store.get_course(id).await.or_page(u)?),
        None => None,
    };
    let actor = u.may(Permission::ManageCourses)?;
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let hours = typed_hours(&mut f, "hours", u);
    let input = CourseInput {
        title: Some(f.v("title").trim().to_string()),
        kind: f.opt("kind"),
        organizer: f.opt("organizer"),
        starts_on: f.opt("starts_on"),
        ends_on: f.opt("ends_on"),
        hours,
    };
    let checked = input.validate();
    if let Err(e) = &checked {
        f.store_errors(e, u.lang);
    }
    let (Ok(k), true) = (checked, f.ok()) else {
        return Ok(render_course_form(
            u,
            base,
            f,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let saved = match id {
        Some(id) => st.store.update_course(&actor, id, k).await,
        None => st.store.create_course(&actor, k).await,
    }
    .or_page(u)?;
    let msg = if id.is_some() { "saved" } else { "created" };
    Ok(Redirect::to(&format!("/training/courses/{}?msg={msg}", saved.id)).into_response())
}

pub(super) async fn create(
    State(st): State<AppState>,
    u: PageUser,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Result<Response, PageError> {
    save_course(&st, &u, None, form).await
}

pub(super) async fn update(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Result<Response, PageError> {
    save_course(&st, &u, Some(id), form).await
}

// ---------------------------------------------------------------- a course

pub struct AttRow {
    pub a: Attendance,
    pub org_name: String,
    pub hours: String,
}

pub struct Candidate {
    pub h: OfficeHolder,
    pub org_name: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "training/course.html")]
struct CoursePage {
    ctx: Ctx,
    c: Course,
    days: String,
    hours: String,
    rows: Vec<AttRow>,
    total_hours: String,
    may_manage: bool,
    may_audit: bool,
    /// The picker's filters (`pick_org`, `q`) and the add form's values and errors.
    pf: FormState,
    af: FormState,
    orgs: Option<Vec<OrgOption>>,
    candidates: Vec<Candidate>,
    /// More candidates match than are shown.
    more: bool,
}

impl CoursePage {
    /// Whether the picker opens: nobody attends yet, or it was just used.
    fn picking(&self) -> bool {
        self.rows.is_empty()
            || !self.af.ok()
            || !self.pf.v("pick_org").is_empty()
            || !self.pf.v("q").is_empty()
    }
}

/// Candidates shown by the picker at most.
const PICK_MAX: usize = 100;

async fn render_course(
    st: &AppState,
    u: &PageUser,
    id: i64,
    pf: FormState,
    af: FormState,
    status: StatusCode,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let c = st.store.get_course(id).await.or_page(u)?;
    let att = st.store.list_attendance(u.scope(), id).await.or_page(u)?;
    let ids: Vec<i64> = att.iter().map(|a| a.party_org_id).collect();
    let mut names = st.store.org_names(u.scope(), &ids).await.or_page(u)?;
    let total: i64 = att.iter().map(|a| (a.hours * 10.0).round() as i64).sum();
    let attending: HashSet<i64> = att.iter().map(|a| a.office_holder_id).collect();
    let manage = may_manage(u);
    let (mut candidates, mut more, mut orgs) = (Vec::new(), false, None);
    if manage {
        let pick_org = pf.opt("pick_org").and_then(|v| v.parse().ok());
        let filter = OfficeHolderFilter {
            party_org_id: pick_org,
            q: pf.opt("q"),
            from: Some(c.starts_on),
            to: Some(c.ends_on),
            ..Default::default()
        };
        let res = st
            .store
            .list_office_holders(
                u.scope(),
                &filter,
                PageReq {
                    page: 1,
                    per_page: (PICK_MAX * 2) as i64,
                },
            )
            .await
            .or_page(u)?;
        let fresh: Vec<OfficeHolder> = res
            .items
            .into_iter()
            .filter(|h| !attending.contains(&h.id))
            .collect();
        more = fresh.len() > PICK_MAX || res.total > (PICK_MAX * 2) as i64;
        let cand_orgs: Vec<i64> = fresh.iter().map(|h| h.party_org_id).collect();
        names.extend(st.store.org_names(u.scope(), &cand_orgs).await.or_page(u)?);
        let chosen: Vec<&str> = af
            .v("chosen")
            .split(',')
            .filter(|s| !s.is_empty())
            .collect();
        candidates = fresh
            .into_iter()
            .take(PICK_MAX)
            .map(|h| Candidate {
                org_name: names.get(&h.party_org_id).cloned().unwrap_or_default(),
                checked: chosen.contains(&h.id.to_string().as_str()),
                h,
            })
            .collect();
        orgs = org_choices(st, u.scope())
            .await
            .or_page(u)?
            .map(|o| org_options(&o, u.lang));
    }
    let rows = att
        .into_iter()
        .map(|a| AttRow {
            org_name: names.get(&a.party_org_id).cloned().unwrap_or_default(),
            hours: hours_text((a.hours * 10.0).round() as i64),
            a,
        })
        .collect();
    let mut ctx = course_ctx(u, &c, None);
    if let Some(n) = notice {
        ctx = ctx.with_notice(n);
    }
    let page = CoursePage {
        days: days_text(&ctx, &c),
        hours: hours_text(c.hours_tenths),
        ctx,
        rows,
        total_hours: hours_text(total),
        may_manage: manage,
        may_audit: u.allowed(Permission::ReadAudit),
        pf,
        af,
        orgs,
        candidates,
        more,
        c,
    };
    Ok(html(status, &page))
}

pub(super) async fn show(
    State(st): State<AppState>,
    Item { u, id }: Item,
    p: Result<Params, AppError>,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let p = p.map_err(|e| u.error(e))?;
    let mut pf = FormState::default();
    for k in ["pick_org", "q"] {
        pf.set(k, p.str(k).unwrap_or(""));
    }
    let lang = u.lang;
    let notice = match (msg.as_deref(), p.str("n")) {
        (Some("added"), Some(n)) => Some(lang.tf("train.att.added", &[n])),
        (Some("removed"), _) => Some(lang.t("train.att.removed").to_string()),
        (Some("saved"), _) => Some(lang.t("flash.saved").to_string()),
        (Some("created"), _) => Some(lang.t("train.course.created").to_string()),
        _ => None,
    };
    render_course(
        &st,
        &u,
        id,
        pf,
        FormState::default(),
        StatusCode::OK,
        notice,
    )
    .await
}

/// Adds the chosen office-holders with the hours given (default: the course's).
pub(super) async fn add_attendance(
    State(st): State<AppState>,
    Item { u, id }: Item,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    // Several checkboxes share the name `office_holder_id`: read the pairs, not a map.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| u.error(AppError::BadRequest("error.bad_request", e.to_string())))?;
    let c = st.store.get_course(id).await.or_page(&u)?;
    let actor = u.may(Permission::ManageCourses)?;
    let mut af = FormState::default();
    let mut pf = FormState::default();
    for (k, v) in &pairs {
        match k.as_str() {
            "hours" => af.set("hours", v.as_str()),
            "pick_org" | "q" => pf.set(k, v.as_str()),
            _ => {}
        }
    }
    let raw: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "office_holder_id")
        .map(|(_, v)| v.clone())
        .collect();
    let chosen = af.id_list("office_holder_id", &raw, u.lang);
    af.set(
        "chosen",
        chosen
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(","),
    );
    if chosen.is_empty() && af.ok() {
        af.error("office_holder_id", u.lang.t("train.att.none_chosen"));
    }
    let hours = typed_hours(&mut af, "hours", &u);
    let input = domain::training::AttendanceInput {
        office_holder_id: Some(0),
        hours,
    };
    let tenths = match input.validate(c.hours_tenths) {
        Ok((_, t)) => Some(t),
        Err(e) => {
            af.store_errors(&e, u.lang);
            None
        }
    };
    let (Some(tenths), true) = (tenths, af.ok()) else {
        return render_course(&st, &u, id, pf, af, StatusCode::UNPROCESSABLE_ENTITY, None).await;
    };
    let mut added = 0;
    for holder in chosen {
        match st
            .store
            .add_attendance(&actor, u.scope(), id, holder, tenths)
            .await
        {
            Ok(_) => added += 1,
            // already there (another user added them meanwhile), or gone from the register
            Err(store::StoreError::Conflict(_) | store::StoreError::Invalid(_)) => {}
            Err(e) => return Err(u.error(e).into()),
        }
    }
    let mut to = format!("/training/courses/{id}?msg=added&n={added}");
    for k in ["pick_org", "q"] {
        if !pf.v(k).is_empty() {
            to.push_str(&format!("&{k}={}", url_encode(pf.v(k))));
        }
    }
    Ok(Redirect::to(&to).into_response())
}

pub(super) async fn remove_attendance(
    State(st): State<AppState>,
    u: PageUser,
    Path((raw, raw_holder)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (Some(id), Some(holder)) = (parse_id(&raw), parse_id(&raw_holder)) else {
        return Err(u.not_found().into());
    };
    st.store.get_course(id).await.or_page(&u)?;
    let actor = u.may(Permission::ManageCourses)?;
    st.store
        .delete_attendance(&actor, u.scope(), id, holder)
        .await
        .or_page(&u)?;
    Ok(Redirect::to(&format!("/training/courses/{id}?msg=removed")).into_response())
}

// ---------------------------------------------------------------- the sign-in sheet

fn import_view(u: &PageUser, c: &Course) -> ImportView {
    let lang = u.lang;
    ImportView {
        ctx: course_ctx(u, c, Some(lang.t("train.import.title").to_string())),
        heading: format!("{} · {}", lang.t("train.import.title"), c.title),
        action: format!("/training/courses/{}/import", c.id),
        template_href: "/training/attendance-template.xlsx".into(),
        headers: &super::sheets::HEADERS,
        step2: lang.t("train.import.step2").to_string(),
        step2_hint: lang.tf("train.import.step2_hint", &[&hours_text(c.hours_tenths)]),
        ok_key: "train.import.ok",
        view_href: format!("/training/courses/{}", c.id),
        view_label: lang.t("train.import.view").to_string(),
        may_import: may_manage(u),
    }
}

pub(super) async fn import_page(
    State(st): State<AppState>,
    Item { u, id }: Item,
) -> Result<Response, PageError> {
    let c = st.store.get_course(id).await.or_page(&u)?;
    Ok(import_view(&u, &c).render(&st, StatusCode::OK, None, None, String::new()))
}

pub(super) async fn import_upload(
    State(st): State<AppState>,
    Item { u, id }: Item,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let c = st.store.get_course(id).await.or_page(&u)?;
    let caller = u.caller();
    let lang = u.lang;
    let run =
        async |bytes: Vec<u8>| super::sheets::import_bytes(&st, &caller, lang, id, &bytes).await;
    upload(
        &st,
        &u,
        import_view(&u, &c),
        Permission::ManageCourses,
        mp,
        run,
    )
    .await
}

pub(super) async fn template(u: PageUser) -> Result<Response, PageError> {
    let bytes = super::sheets::template_xlsx().or_page(&u)?;
    Ok(crate::modules::registry::api::xlsx_response(
        bytes,
        "参训签到表模板.xlsx",
    ))
}
