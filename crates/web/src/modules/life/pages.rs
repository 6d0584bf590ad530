//! M2 pages: record an activity (phone-first, photos from the camera), the records list,
//! the committee-wide heat map and rates, an org's year calendar, the obligation rules,
//! and the to-do panel of the dashboard.

use domain::policy::Permission;
use std::collections::HashMap;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use domain::life::{
    Activity, ActivityKind, ActivityPatch, FirstAgenda, ObligationPatch, PeriodKind,
};
use domain::OrgKind;
use store::attachments::AttachmentOwner;
use store::StoreError;

use crate::modules::life::reminders::{period_label, todo, Todo};
use crate::modules::registry::api::xlsx_response;
use crate::platform::attachments::accept_file;
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::files;
use crate::AppState;

use crate::modules::registry::orgs::{org_choices, org_options, OrgOption};
use crate::platform::session::{Flash, Item, OrPage, PageError, PageUser};
use crate::ui::ctx::{html, parse_id, percent, url_encode, Ctx, FormState};

use super::compliance::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/activities", get(list).post(create))
        .route("/activities/new", get(new_form))
        .route("/activities/export.xlsx", get(export_activities))
        .route("/activities/{id}", get(show).post(update))
        .route("/activities/{id}/delete", post(delete))
        .route("/attachments/{id}", get(download))
        .route("/attachments/{id}/delete", post(delete_attachment))
        .route("/compliance", get(heat_map))
        .route("/compliance/orgs/{id}", get(calendar))
        .route("/compliance/export.xlsx", get(export))
        .route("/obligations", get(obligations))
        .route("/obligations/{id}", post(update_obligation))
        .layer(DefaultBodyLimit::disable())
}

/// Files one submit of the form may carry.
pub(super) const MAX_FILES: usize = 20;

pub(super) fn may_record(u: &PageUser) -> bool {
    u.allowed(Permission::RecordActivity)
}

/// The actor of a record's write, or a 403 page.
pub(super) fn require_recorder(u: &PageUser) -> Result<store::Actor, PageError> {
    u.may(Permission::RecordActivity)
}

pub(super) fn kinds(u: &PageUser) -> Vec<(&'static str, &'static str)> {
    ActivityKind::CODES
        .iter()
        .map(|c| (*c, u.lang.code_label("activity_kind", c)))
        .collect()
}

/// The kinds a user of an org is offered when recording: those its obligations ask of an
/// org of its kind (every kind when none applies, and always the one already chosen). The
/// office and the committee record for any org and see every kind.
pub(super) async fn kinds_for(
    st: &AppState,
    u: &PageUser,
    keep: Option<&str>,
) -> Vec<(&'static str, &'static str)> {
    let all = kinds(u);
    let Some(org) = u.session.user.party_org_id else {
        return all;
    };
    let (Ok(o), Ok(obligations)) = (
        st.store.get_org(u.scope(), org).await,
        st.store.list_obligations().await,
    ) else {
        return all;
    };
    let applies: Vec<&str> = obligations
        .iter()
        .filter(|ob| ob.applies_to(o.kind, o.full_members))
        .map(|ob| ob.kind.as_str())
        .collect();
    if applies.is_empty() {
        return all;
    }
    all.into_iter()
        .filter(|(c, _)| applies.contains(c) || keep == Some(*c))
        .collect()
}

// ----------------------------------------------------------------------------- list

pub struct ActRow {
    pub a: Activity,
    pub org_name: String,
}

#[derive(Template)]
#[template(path = "life/activities.html")]
pub(super) struct ListPage {
    ctx: Ctx,
    rows: Vec<ActRow>,
    total: i64,
    kinds: Vec<(&'static str, &'static str)>,
    orgs: Option<Vec<OrgOption>>,
    f: FormState,
    prev: Option<String>,
    next: Option<String>,
    may_record: bool,
    export_href: String,
}

/// The list's filters kept in its form, its pages and its export (`from`/`to`: the
/// period a heat-map cell links to).
const LIST_FILTERS: [&str; 6] = ["party_org_id", "kind", "year", "from", "to", "q"];

pub(super) async fn list(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let f = crate::modules::life::api::activity_filter(&mut p);
    let page = p.page();
    let mut form = FormState::default();
    for k in LIST_FILTERS {
        form.set(k, p.str(k).unwrap_or(""));
    }
    let msg = p.str("msg").map(str::to_string);
    let res = st
        .store
        .list_activities(u.scope(), &f, page)
        .await
        .or_page(&u)?;
    let ids: Vec<i64> = res.items.iter().map(|a| a.party_org_id).collect();
    let names = st.store.org_names(u.scope(), &ids).await.or_page(&u)?;
    let pages = (res.total + page.per_page - 1) / page.per_page;
    let export_href = format!(
        "/activities/export.xlsx?{}",
        LIST_FILTERS
            .iter()
            .filter(|k| !form.v(k).is_empty())
            .map(|k| format!("{k}={}", url_encode(form.v(k))))
            .collect::<Vec<_>>()
            .join("&")
    );
    let link = |n: i64| {
        let mut q: Vec<String> = LIST_FILTERS
            .iter()
            .filter(|k| !form.v(k).is_empty())
            .map(|k| format!("{k}={}", url_encode(form.v(k))))
            .collect();
        q.push(format!("page={n}"));
        format!("/activities?{}", q.join("&"))
    };
    let orgs = org_choices(&st, u.scope()).await.or_page(&u)?;
    let page_html = ListPage {
        ctx: u.section_ctx("activities").with_flash(msg.as_deref()),
        rows: res
            .items
            .into_iter()
            .map(|a| ActRow {
                org_name: names.get(&a.party_org_id).cloned().unwrap_or_default(),
                a,
            })
            .collect(),
        total: res.total,
        kinds: kinds(&u),
        orgs: orgs.map(|o| org_options(&o, u.lang)),
        prev: (page.page > 1).then(|| link(page.page - 1)),
        next: (page.page < pages).then(|| link(page.page + 1)),
        f: form,
        may_record: may_record(&u),
        export_href,
    };
    Ok(html(StatusCode::OK, &page_html))
}

pub(super) async fn export_activities(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let f = crate::modules::life::api::activity_filter(&mut p);
    let title = crate::modules::registry::api::ledger_title(
        &st,
        u.scope(),
        u.lang,
        u.lang.t("act.sheet_name"),
    )
    .await
    .map_err(|e| u.error(e))?;
    let bytes =
        crate::modules::life::sheets::activities_xlsx(&st, u.scope(), &f, u.lang, Some(title))
            .await
            .map_err(|e| u.error(e))?;
    Ok(xlsx_response(bytes, u.lang.t("act.sheet_name")))
}

// ----------------------------------------------------------------------------- form

#[derive(Template)]
#[template(path = "life/activity_form.html")]
pub(super) struct FormPage {
    ctx: Ctx,
    a: Option<Activity>,
    attachments: Vec<store::attachments::Attachment>,
    f: FormState,
    kinds: Vec<(&'static str, &'static str)>,
    orgs: Option<Vec<OrgOption>>,
    may_record: bool,
    max_mb: usize,
    today: String,
}

pub(super) fn values_of(a: &Activity) -> FormState {
    let mut f = FormState::default();
    f.set("party_org_id", a.party_org_id.to_string());
    f.set("kind", a.kind.as_str());
    f.set("held_on", a.held_on.to_string());
    f.set("topic", &a.topic);
    match &a.first_agenda {
        Some(FirstAgenda::Held(true)) => f.set("first_agenda", "on"),
        Some(FirstAgenda::Text(t)) => {
            f.set("first_agenda", "on");
            f.set("first_agenda_text", t);
        }
        _ => {}
    }
    let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    f.set("attendees_expected", opt(a.attendees_expected));
    f.set("attendees_present", opt(a.attendees_present));
    f.set("notes", a.notes.clone().unwrap_or_default());
    f
}

/// Reads the form into a patch; field errors (including the domain's) go into `f`.
pub(super) fn patch_of(f: &mut FormState, u: &PageUser) -> ActivityPatch {
    let lang = u.lang;
    let org = f.opt_id("party_org_id", lang);
    let expected = f.int("attendees_expected", None, lang);
    let present = f.int("attendees_present", None, lang);
    let first = if f.checked("first_agenda") {
        Some(match f.opt("first_agenda_text") {
            Some(t) => FirstAgenda::Text(t),
            None => FirstAgenda::Held(true),
        })
    } else {
        Some(FirstAgenda::Held(false))
    };
    ActivityPatch {
        party_org_id: org,
        kind: Some(f.v("kind").to_string()),
        held_on: Some(f.v("held_on").to_string()),
        topic: Some(f.v("topic").to_string()),
        first_agenda: Some(first),
        attendees_expected: Some(expected),
        attendees_present: Some(present),
        notes: Some(f.opt("notes")),
        ..Default::default()
    }
}

pub(super) async fn render_form(
    st: &AppState,
    u: &PageUser,
    a: Option<Activity>,
    f: FormState,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let orgs = org_choices(st, u.scope()).await.or_page(u)?;
    let attachments = match &a {
        Some(a) => st
            .store
            .list_attachments(u.scope(), AttachmentOwner::Activity, a.id)
            .await
            .or_page(u)?,
        None => Vec::new(),
    };
    let title = match &a {
        Some(a) => format!(
            "{} · {}",
            u.lang.code_label("activity_kind", a.kind.as_str()),
            a.topic
        ),
        None => u.lang.t("act.title_new").to_string(),
    };
    let page = FormPage {
        ctx: u.item_ctx("activities", title).with_flash(msg),
        a,
        attachments,
        kinds: kinds_for(st, u, Some(f.v("kind"))).await,
        f,
        orgs: orgs.map(|o| org_options(&o, u.lang)),
        may_record: may_record(u),
        max_mb: st.config.max_upload_bytes.div_ceil(1024 * 1024),
        today: st.clock.today().to_string(),
    };
    Ok(html(status, &page))
}

pub(super) async fn new_form(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    require_recorder(&u)?;
    let p = p.map_err(|e| u.error(e))?;
    let mut f = FormState::default();
    f.set("held_on", st.clock.today().to_string());
    f.set(
        "kind",
        p.str("kind").unwrap_or(ActivityKind::ThemeDay.as_str()),
    );
    f.set("first_agenda", "on");
    let own = p
        .str("party_org_id")
        .map(str::to_string)
        .or_else(|| u.session.user.party_org_id.map(|i| i.to_string()));
    f.set("party_org_id", own.unwrap_or_default());
    render_form(&st, &u, None, f, StatusCode::OK, None).await
}

/// Saves the record and its files; invalid files are field errors and nothing is saved.
pub(super) async fn save(
    st: &AppState,
    u: &PageUser,
    id: Option<i64>,
    mp: Multipart,
) -> Result<Response, PageError> {
    let form = files::Form::read(mp, st.config.max_upload_bytes)
        .await
        .map_err(|e| u.error(e))?;
    let base = match id {
        Some(id) => Some(st.store.get_activity(u.scope(), id).await.or_page(u)?),
        None => None,
    };
    let actor = require_recorder(u)?;
    let mut f = FormState {
        values: form.fields,
        ..Default::default()
    };
    let patch = patch_of(&mut f, u);
    let input = patch.apply(base.as_ref().map(|b| b.input()).as_ref(), st.clock.today());
    if let Err(e) = &input {
        f.store_errors(e, u.lang);
    }
    if form.files.len() > MAX_FILES {
        f.error(
            "files",
            u.lang.field_error(&domain::FieldError::TooLarge {
                max: MAX_FILES as i64,
            }),
        );
    }
    for (_, bytes) in &form.files {
        if files::sniff(bytes).is_none() {
            f.error(
                "files",
                u.lang.field_error(&domain::FieldError::UnknownValue {
                    allowed: vec!["PDF", "JPEG", "PNG", "HEIC", "DOCX", "XLSX"],
                }),
            );
        }
    }
    let (Ok(input), true) = (input, f.ok()) else {
        return render_form(st, u, base, f, StatusCode::UNPROCESSABLE_ENTITY, None).await;
    };
    let saved = match id {
        Some(id) => {
            st.store
                .update_activity(&actor, u.scope(), id, &input)
                .await
        }
        None => st.store.create_activity(&actor, u.scope(), &input).await,
    };
    let a = match saved {
        Ok(a) => a,
        Err(StoreError::NotFound) => {
            f.error("party_org_id", u.lang.t("field.not_found"));
            return render_form(st, u, base, f, StatusCode::UNPROCESSABLE_ENTITY, None).await;
        }
        Err(e) => return Err(u.error(e).into()),
    };
    for (name, bytes) in form.files {
        let new = accept_file(st, name.as_deref(), bytes)
            .await
            .map_err(|e| u.error(e))?;
        st.store
            .add_attachment(&actor, u.scope(), AttachmentOwner::Activity, a.id, &new)
            .await
            .or_page(u)?;
    }
    Ok(Redirect::to(&format!("/activities/{}?msg=saved", a.id)).into_response())
}

pub(super) async fn create(
    State(st): State<AppState>,
    u: PageUser,
    mp: Multipart,
) -> Result<Response, PageError> {
    save(&st, &u, None, mp).await
}

pub(super) async fn update(
    State(st): State<AppState>,
    Item { u, id }: Item,
    mp: Multipart,
) -> Result<Response, PageError> {
    save(&st, &u, Some(id), mp).await
}

pub(super) async fn show(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let a = st.store.get_activity(u.scope(), id).await.or_page(&u)?;
    let f = values_of(&a);
    render_form(&st, &u, Some(a), f, StatusCode::OK, msg.as_deref()).await
}

pub(super) async fn delete(
    State(st): State<AppState>,
    Item { u, id }: Item,
) -> Result<Response, PageError> {
    st.store.get_activity(u.scope(), id).await.or_page(&u)?;
    let actor = require_recorder(&u)?;
    st.store
        .delete_activity(&actor, u.scope(), id)
        .await
        .or_page(&u)?;
    Ok(Redirect::to("/activities?msg=deleted").into_response())
}

pub(super) async fn download(
    State(st): State<AppState>,
    Item { u, id }: Item,
) -> Result<Response, PageError> {
    let a = st.store.get_attachment(u.scope(), id).await.or_page(&u)?;
    files::serve(&st, &a).await.map_err(|e| u.error(e).into())
}

pub(super) async fn delete_attachment(
    State(st): State<AppState>,
    Item { u, id }: Item,
) -> Result<Response, PageError> {
    let a = st.store.get_attachment(u.scope(), id).await.or_page(&u)?;
    // an activity's file, from its page (other records' files are removed from theirs)
    if a.owner != AttachmentOwner::Activity {
        return Err(u.error(AppError::NotFound).into());
    }
    let actor = require_recorder(&u)?;
    st.store
        .delete_attachment(&actor, u.scope(), id)
        .await
        .or_page(&u)?;
    Ok(Redirect::to(&format!("/activities/{}?msg=saved", a.owner_id)).into_response())
}

// ---------------------------------------------------------------------- obligations

pub struct ObRow {
    pub o: domain::life::Obligation,
    pub kinds: Vec<(&'static str, &'static str, bool)>,
    pub kind_label: &'static str,
    pub period_label: &'static str,
}

#[derive(Template)]
#[template(path = "life/obligations.html")]
pub(super) struct ObligationsPage {
    ctx: Ctx,
    rows: Vec<ObRow>,
    periods: Vec<(&'static str, &'static str)>,
    is_admin: bool,
    error: Option<String>,
}

pub(super) async fn render_obligations(
    st: &AppState,
    u: &PageUser,
    status: StatusCode,
    msg: Option<&str>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let lang = u.lang;
    let rows = st
        .store
        .list_obligations()
        .await
        .or_page(u)?
        .into_iter()
        .map(|o| ObRow {
            kinds: OrgKind::CODES
                .iter()
                .map(|c| {
                    let on = o.org_kinds.iter().any(|k| k.as_str() == *c);
                    (*c, lang.code_label("org_kind", c), on)
                })
                .collect(),
            kind_label: lang.code_label("activity_kind", o.kind.as_str()),
            period_label: lang.code_label("period_kind", o.period.as_str()),
            o,
        })
        .collect();
    let page = ObligationsPage {
        ctx: u.section_ctx("obligations").with_flash(msg),
        rows,
        periods: PeriodKind::CODES
            .iter()
            .map(|c| (*c, lang.code_label("period_kind", c)))
            .collect(),
        is_admin: u.is_admin(),
        error,
    };
    Ok(html(status, &page))
}

pub(super) async fn obligations(
    State(st): State<AppState>,
    u: PageUser,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    render_obligations(&st, &u, StatusCode::OK, msg.as_deref(), None).await
}

pub(super) async fn update_obligation(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    // Several checkboxes share the name `org_kinds`: read the pairs, not a map.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| u.error(AppError::BadRequest("error.bad_request", e.to_string())))?;
    let form: HashMap<String, String> = pairs.iter().cloned().collect();
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let base = st.store.get_obligation(id).await.or_page(&u)?;
    let actor = u.may(Permission::ManageObligations)?;
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let min = f.int("min_count", Some(1), u.lang);
    let members = f.int("min_full_members", None, u.lang);
    let patch = ObligationPatch {
        period: f.opt("period"),
        min_count: min,
        org_kinds: Some(
            pairs
                .iter()
                .filter(|(k, _)| k == "org_kinds")
                .map(|(_, v)| v.clone())
                .collect(),
        ),
        min_full_members: Some(members),
        active_from: Some(f.opt("active_from")),
        ..Default::default()
    };
    match patch.apply(Some(&base.input())) {
        Ok(input) if f.ok() => {
            st.store
                .update_obligation(&actor, id, &input)
                .await
                .or_page(&u)?;
            Ok(Redirect::to("/obligations?msg=saved").into_response())
        }
        Ok(_) => {
            let msg = f.errors.values().next().cloned();
            render_obligations(&st, &u, StatusCode::UNPROCESSABLE_ENTITY, None, msg).await
        }
        Err(e) => {
            let msg = e.0.iter().next().map(|(k, v)| {
                format!(
                    "{}：{}",
                    u.lang.t(&format!("ob.{k}")),
                    u.lang.field_error(v)
                )
            });
            render_obligations(&st, &u, StatusCode::UNPROCESSABLE_ENTITY, None, msg).await
        }
    }
}

// ------------------------------------------------------------------------ dashboard

#[derive(Template)]
#[template(path = "life/todo_panel.html")]
pub(super) struct TodoPanel<'a> {
    ctx: &'a Ctx,
    t: Todo,
    scope_line: String,
    rate: String,
    /// Recent reminders: (date, text, missed).
    recent: Vec<(String, String, bool)>,
    may_record: bool,
}

/// The to-do panel of the dashboard (rendered into it).
pub async fn todo_panel(st: &AppState, u: &PageUser, ctx: &Ctx) -> Result<String, AppError> {
    let mut t = todo(st, &u.session.user, u.scope()).await?;
    // The home shows a few rows of each list; the rest are behind the "另有 N 项" links
    // (the totals stay). A branch's to-do is its home's first matter: a few more.
    let rows = if crate::platform::ledger::side_of(&u.session.user) == domain::ledger::Side::Org {
        HOME_ROWS_BRANCH
    } else {
        HOME_ROWS
    };
    t.due.truncate(rows);
    t.missed.truncate(rows);
    t.training.truncate(rows);
    let s = &t.scope;
    let scope_line = u.lang.tf(
        "todo.scope",
        &[
            &s.rate
                .map(|r| format!("{}%", percent(r)))
                .unwrap_or_else(|| "—".into()),
            &s.missed.to_string(),
            &s.due.to_string(),
        ],
    );
    let rate = s
        .rate
        .map(|r| format!("{}%", percent(r)))
        .unwrap_or_else(|| "—".into());
    let since = st.clock.today() - chrono::Days::new(14);
    let reminders = st.store.reminders(u.scope(), since, 5).await?;
    let ids: Vec<i64> = reminders.iter().map(|r| r.party_org_id).collect();
    let names = st.store.org_names(u.scope(), &ids).await?;
    let lang = u.lang;
    let recent = reminders
        .iter()
        .map(|r| {
            let missed = r.reason == store::life::ReminderReason::Missed;
            let text = format!(
                "{} · {}{} {}/{}",
                names.get(&r.party_org_id).map(String::as_str).unwrap_or(""),
                period_label(lang, &r.period),
                lang.code_label("activity_kind", r.kind.as_str()),
                r.done,
                r.required
            );
            (ctx.date(r.created_on), text, missed)
        })
        .collect();
    let panel = TodoPanel {
        ctx,
        rate,
        recent,
        t,
        scope_line,
        may_record: may_record(u),
    };
    panel
        .render()
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Rows of each to-do list on the home of those who oversee, and on a branch's.
const HOME_ROWS: usize = 5;
const HOME_ROWS_BRANCH: usize = 6;

/// The period label of an item, for templates.
pub fn period_text(ctx: &Ctx, label: &str) -> String {
    period_label(ctx.lang, label)
}
