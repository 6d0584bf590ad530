//! M9 pages: the visits list, recording a visit (with photos from the phone) and a
//! visit's page with its files.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use domain::liaison::{VisitInput, VisitKind};
use domain::policy::Permission;
use domain::Role;
use store::attachments::{Attachment, AttachmentOwner};
use store::liaison::{Visit, VisitFilter};
use store::StoreError;

use crate::modules::registry::orgs::OrgOption;
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::files;
use crate::platform::session::{Flash, Item, OrPage, PageError, PageUser};
use crate::ui::ctx::{html, Crumb, Ctx, FormState};
use crate::ui::list::{kept, Pager};
use crate::AppState;

use super::pages::*;

// ------------------------------------------------------------------- visits

pub struct VisitRow {
    pub v: Visit,
    pub photos: Vec<Attachment>,
}

#[derive(Template)]
#[template(path = "liaison/visits.html")]
struct VisitsPage {
    ctx: Ctx,
    rows: Vec<VisitRow>,
    pager: Pager,
    f: FormState,
    members: Vec<(String, String)>,
    orgs: Option<Vec<OrgOption>>,
    kinds: Vec<(&'static str, &'static str)>,
    may_record: bool,
}

/// The committee members as choices (id, username).
pub(super) async fn members(
    st: &AppState,
    u: &PageUser,
) -> Result<Vec<(String, String)>, StoreError> {
    let today = st.clock.today();
    let s = st
        .store
        .liaison_stats(u.scope(), today, today.year())
        .await?;
    Ok(s.items
        .into_iter()
        .map(|i| (i.user_id.to_string(), i.username))
        .collect())
}

pub(super) async fn visits(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let filter: VisitFilter = p.filter();
    let mut page = p.page();
    if p.str("per_page").is_none() {
        page.per_page = PER_PAGE;
    }
    let f = kept::<VisitFilter>(&p);
    p.finish().map_err(|e| u.error(e))?;
    let res = st
        .store
        .list_visits(u.scope(), &filter, page)
        .await
        .or_page(&u)?;
    let mut rows = Vec::with_capacity(res.items.len());
    for v in res.items {
        let photos = if v.attachments > 0 {
            let all = st
                .store
                .list_attachments(u.scope(), AttachmentOwner::Visit, v.id)
                .await
                .or_page(&u)?;
            let mut ph = photos_of(&all);
            ph.truncate(4);
            ph
        } else {
            Vec::new()
        };
        rows.push(VisitRow { v, photos });
    }
    let pager = Pager::of::<VisitFilter>(
        u.lang,
        ("/visits", "/visits.xlsx"),
        &f,
        page,
        res.total,
        rows.len(),
    );
    let page = VisitsPage {
        ctx: flash(
            u.item_ctx("liaison", u.lang.t("liaison.visits").to_string()),
            msg.as_deref(),
        ),
        rows,
        pager,
        f,
        members: members(&st, &u).await.or_page(&u)?,
        orgs: org_choices(&st, &u).await.or_page(&u)?,
        kinds: kinds(&u),
        may_record: may_record(&u),
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "liaison/visit_form.html")]
struct VisitForm {
    ctx: Ctx,
    f: FormState,
    /// My contact points (a committee member picks among them as tiles).
    points: Vec<(String, String)>,
    /// Any org (the office).
    orgs: Option<Vec<OrgOption>>,
    kinds: Vec<(&'static str, &'static str)>,
    max_day: String,
    max_mb: usize,
}

pub(super) async fn render_visit_form(
    st: &AppState,
    u: &PageUser,
    f: FormState,
    status: StatusCode,
) -> Result<Response, PageError> {
    let today = st.clock.today();
    let points: Vec<(String, String)> = my_points(st, u.scope(), u.session.user.id, today)
        .await
        .or_page(u)?
        .into_iter()
        .map(|p| (p.l.party_org_id.to_string(), p.l.party_org_name))
        .collect();
    let orgs = if u.role() == Role::Committee && !points.is_empty() {
        None
    } else {
        org_choices(st, u).await.or_page(u)?
    };
    let lang = u.lang;
    let ctx = u.ctx(
        "liaison",
        lang.t("liaison.record_visit"),
        vec![
            Crumb::link(lang.t("nav.dashboard"), "/"),
            Crumb::link(lang.t("liaison.visits"), "/visits"),
            Crumb::here(lang.t("liaison.record_visit")),
        ],
    );
    let page = VisitForm {
        ctx,
        f,
        points,
        orgs,
        kinds: kinds(u),
        max_day: today.to_string(),
        max_mb: st.config.max_upload_bytes.div_ceil(1024 * 1024),
    };
    Ok(html(status, &page))
}

pub(super) async fn new_visit(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let org = p.i64("party_org_id");
    p.finish().map_err(|e| u.error(e))?;
    u.may(Permission::RecordLiaisonWork)?;
    let mut f = FormState::default();
    f.set("held_on", st.clock.today().to_string());
    f.set("kind", VisitKind::Visit.as_str());
    if let Some(o) = org {
        f.set("party_org_id", o.to_string());
    }
    render_visit_form(&st, &u, f, StatusCode::OK).await
}

/// `POST /visits` (multipart): a visit and its photos; bad input, an org outside the scope
/// or a file of no known type are shown at the form, and nothing is saved.
pub(super) async fn create_visit(
    State(st): State<AppState>,
    u: PageUser,
    mp: Multipart,
) -> Result<Response, PageError> {
    let form = files::Form::read(mp, st.config.max_upload_bytes)
        .await
        .map_err(|e| u.error(e))?;
    let actor = u.may(Permission::RecordLiaisonWork)?;
    let lang = u.lang;
    let mut f = FormState {
        values: form.fields,
        ..Default::default()
    };
    let input = VisitInput {
        user_id: None,
        party_org_id: f.opt_id("party_org_id", lang),
        held_on: f.opt("held_on"),
        kind: f.opt("kind"),
        notes: f.opt("notes"),
    };
    let checked = input.validate(st.clock.today(), u.session.user.id);
    if let Err(e) = &checked {
        f.store_errors(e, lang);
    }
    check_files(&mut f, &form.files, lang);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Ok(v), true) = (checked, f.ok()) {
        match st.store.create_visit(&actor, u.scope(), v).await {
            Ok(v) => {
                store_files(&st, &u, &actor, AttachmentOwner::Visit, v.id, form.files).await?;
                return Ok(Redirect::to(&format!("/visits/{}?msg=visited", v.id)).into_response());
            }
            Err(StoreError::Invalid(e)) => f.store_errors(&e, lang),
            Err(StoreError::Forbidden) => {
                status = StatusCode::FORBIDDEN;
                f.error("party_org_id", lang.t("liaison.not_in_scope"));
            }
            Err(e) => return Err(u.error(e).into()),
        }
    }
    render_visit_form(&st, &u, f, status).await
}

#[derive(Template)]
#[template(path = "liaison/visit.html")]
struct VisitPage {
    ctx: Ctx,
    v: Visit,
    attachments: Vec<Attachment>,
    /// Where more files are sent (writers only).
    upload: Option<String>,
}

pub(super) async fn show_visit(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let v = st.store.get_visit(u.scope(), id).await.or_page(&u)?;
    let attachments = st
        .store
        .list_attachments(u.scope(), AttachmentOwner::Visit, id)
        .await
        .or_page(&u)?;
    let lang = u.lang;
    let title = format!("{} · {}", v.party_org_name, lang.date(v.held_on));
    let ctx = u.ctx(
        "liaison",
        title.clone(),
        vec![
            Crumb::link(lang.t("nav.dashboard"), "/"),
            Crumb::link(lang.t("liaison.visits"), "/visits"),
            Crumb::here(title),
        ],
    );
    let page = VisitPage {
        ctx: flash(ctx, msg.as_deref()),
        upload: may_record(&u).then(|| format!("/visits/{id}/files")),
        v,
        attachments,
    };
    Ok(html(StatusCode::OK, &page))
}

pub(super) async fn visit_files(
    State(st): State<AppState>,
    Item { u, id }: Item,
    mp: Multipart,
) -> Result<Response, PageError> {
    st.store.get_visit(u.scope(), id).await.or_page(&u)?;
    add_files(
        &st,
        &u,
        AttachmentOwner::Visit,
        id,
        format!("/visits/{id}"),
        mp,
    )
    .await
}
