//! M9 pages: research reports, their files and the orgs they concern.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Datelike;
use domain::liaison::ResearchReportInput;
use domain::policy::Permission;
use store::attachments::{Attachment, AttachmentOwner};
use store::liaison::{ResearchReport, ResearchReportFilter};
use store::StoreError;

use crate::modules::registry::orgs::OrgOption;
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::session::{Flash, Item, OrPage, PageError, PageUser};
use crate::ui::ctx::{html, Ctx, FormState};
use crate::ui::list::{kept, Pager};
use crate::AppState;

use super::pages::*;

// --------------------------------------------------------------- research reports

#[derive(Template)]
#[template(path = "liaison/reports.html")]
struct ReportsPage {
    ctx: Ctx,
    rows: Vec<ResearchReport>,
    pager: Pager,
    f: FormState,
    may_record: bool,
}

pub(super) async fn reports(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let filter: ResearchReportFilter = p.filter();
    let mut page = p.page();
    if p.str("per_page").is_none() {
        page.per_page = PER_PAGE;
    }
    let f = kept::<ResearchReportFilter>(&p);
    p.finish().map_err(|e| u.error(e))?;
    let res = st
        .store
        .list_research_reports(u.scope(), &filter, page)
        .await
        .or_page(&u)?;
    let pager = Pager::of::<ResearchReportFilter>(
        u.lang,
        ("/research-reports", "/research-reports.xlsx"),
        &f,
        page,
        res.total,
        res.items.len(),
    );
    let page = ReportsPage {
        ctx: flash(u.section_ctx("research_reports"), msg.as_deref()),
        rows: res.items,
        pager,
        f,
        may_record: may_record(&u),
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "liaison/report.html")]
struct ReportPage {
    ctx: Ctx,
    r: ResearchReport,
    attachments: Vec<Attachment>,
    may_record: bool,
    upload: Option<String>,
}

pub(super) async fn show_report(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let r = st
        .store
        .get_research_report(u.scope(), id)
        .await
        .or_page(&u)?;
    let attachments = st
        .store
        .list_attachments(u.scope(), AttachmentOwner::ResearchReport, id)
        .await
        .or_page(&u)?;
    let ctx = u.item_ctx("research_reports", r.title.clone());
    let page = ReportPage {
        ctx: flash(ctx, msg.as_deref()),
        r,
        attachments,
        may_record: may_record(&u),
        upload: may_record(&u).then(|| format!("/research-reports/{id}/files")),
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "liaison/report_form.html")]
struct ReportForm {
    ctx: Ctx,
    r: Option<ResearchReport>,
    f: FormState,
    orgs: Option<Vec<OrgOption>>,
    chosen: Vec<String>,
}

pub(super) async fn render_report_form(
    st: &AppState,
    u: &PageUser,
    r: Option<ResearchReport>,
    f: FormState,
    chosen: Vec<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let lang = u.lang;
    let ctx = match &r {
        Some(r) => u.sub_item_ctx(
            "research_reports",
            (r.title.clone(), format!("/research-reports/{}", r.id)),
            lang.t("liaison.report.edit").to_string(),
        ),
        None => u.item_ctx("research_reports", lang.t("liaison.report.new").to_string()),
    };
    let page = ReportForm {
        ctx,
        r,
        f,
        orgs: org_choices(st, u).await.or_page(u)?,
        chosen,
    };
    Ok(html(status, &page))
}

pub(super) async fn new_report(
    State(st): State<AppState>,
    u: PageUser,
) -> Result<Response, PageError> {
    u.may(Permission::RecordLiaisonWork)?;
    let mut f = FormState::default();
    f.set("year", st.clock.today().year().to_string());
    render_report_form(&st, &u, None, f, Vec::new(), StatusCode::OK).await
}

pub(super) async fn edit_report(
    State(st): State<AppState>,
    Item { u, id }: Item,
) -> Result<Response, PageError> {
    let r = st
        .store
        .get_research_report(u.scope(), id)
        .await
        .or_page(&u)?;
    u.may(Permission::RecordLiaisonWork)?;
    let mut f = FormState::default();
    f.set("title", &r.title);
    f.set("year", r.year.to_string());
    f.set("summary", r.summary.clone().unwrap_or_default());
    let chosen: Vec<String> = r.party_org_ids.iter().map(|i| i.to_string()).collect();
    f.set("party_org_ids", chosen.join(","));
    render_report_form(&st, &u, Some(r), f, chosen, StatusCode::OK).await
}

pub(super) async fn save_report(
    st: &AppState,
    u: &PageUser,
    id: Option<i64>,
    pairs: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let base = match id {
        Some(id) => Some(
            st.store
                .get_research_report(u.scope(), id)
                .await
                .or_page(u)?,
        ),
        None => None,
    };
    let actor = u.may(Permission::RecordLiaisonWork)?;
    let lang = u.lang;
    // the orgs come as checkboxes (one value each) or one typed box
    let orgs_raw: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "party_org_ids")
        .map(|(_, v)| v.clone())
        .collect();
    let mut f = FormState {
        values: pairs
            .into_iter()
            .filter(|(k, _)| k != "party_org_ids")
            .collect(),
        ..Default::default()
    };
    let ids = f.id_list("party_org_ids", &orgs_raw, lang);
    let year = f.int("year", None, lang);
    let input = ResearchReportInput {
        title: Some(f.v("title").to_string()),
        year: year.or_else(|| f.opt("year").map(|_| 0)),
        summary: f.opt("summary"),
        author_user_id: base.as_ref().map(|b| b.author_user_id),
        party_org_ids: Some(ids.clone()),
    };
    let checked = input.validate(u.session.user.id);
    if let Err(e) = &checked {
        f.store_errors(e, lang);
    }
    let chosen: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    if let (Ok(r), true) = (checked, f.ok()) {
        let saved = match id {
            Some(id) => st.store.update_research_report(&actor, id, r).await,
            None => st.store.create_research_report(&actor, r).await,
        };
        match saved {
            Ok(r) => {
                let msg = if id.is_some() { "saved" } else { "created" };
                return Ok(
                    Redirect::to(&format!("/research-reports/{}?msg={msg}", r.id)).into_response(),
                );
            }
            Err(StoreError::Invalid(e)) => f.store_errors(&e, lang),
            Err(e) => return Err(u.error(e).into()),
        }
    }
    if !f.has("party_org_ids") {
        f.set("party_org_ids", chosen.join(","));
    }
    render_report_form(st, u, base, f, chosen, StatusCode::UNPROCESSABLE_ENTITY).await
}

pub(super) async fn create_report(
    State(st): State<AppState>,
    u: PageUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    save_report(&st, &u, None, pairs).await
}

pub(super) async fn update_report(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    save_report(&st, &u, Some(id), pairs).await
}

pub(super) async fn report_files(
    State(st): State<AppState>,
    Item { u, id }: Item,
    mp: Multipart,
) -> Result<Response, PageError> {
    st.store
        .get_research_report(u.scope(), id)
        .await
        .or_page(&u)?;
    add_files(
        &st,
        &u,
        AttachmentOwner::ResearchReport,
        id,
        format!("/research-reports/{id}"),
        mp,
    )
    .await
}
