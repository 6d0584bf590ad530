//! M4 pages: the rectification ledger, a rectification, findings, inspections.

use domain::policy::Permission;
use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::work::{FindingInput, InspectionInput, InspectionKind, RectificationState, Severity};
use store::work::{Inspection, LedgerSort, Rectification, RectificationFilter};
use store::{PageReq, StoreError};

use crate::modules::work::api::{rectification_filter, when};
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::i18n::Lang;
use crate::AppState;

use crate::modules::registry::orgs::{org_choices, org_options, OrgOption};
use crate::platform::session::{Flash, Item, OrPage, PageError, PageUser};
use crate::ui::ctx::{html, Ctx, FormState};
use crate::ui::list::{kept, Pager};

use super::{pages::*, plans::*};

// ---------------------------------------------------------------- rectifications

pub struct RectRow {
    pub r: Rectification,
    pub org_name: String,
}

#[derive(Template)]
#[template(path = "work/rects.html")]
pub(super) struct RectsPage {
    ctx: Ctx,
    empty_key: &'static str,
    rows: Vec<RectRow>,
    pager: Pager,
    f: FormState,
    orgs: Option<Vec<OrgOption>>,
    states: Vec<(&'static str, &'static str)>,
    severities: Vec<(&'static str, &'static str)>,
    sources: Vec<(&'static str, &'static str)>,
    sorts: Vec<(&'static str, &'static str)>,
    may_find: bool,
    /// The self-check form.
    nf: FormState,
    stats: domain::work::RectStats,
}

pub(super) async fn render_rects(
    st: &AppState,
    u: &PageUser,
    p: Result<Params, AppError>,
    nf: FormState,
    status: StatusCode,
) -> Result<Response, PageError> {
    let mut p = params(p, u)?;
    let filter = rectification_filter(&mut p);
    let page = p.page();
    let msg = p.str("msg").map(str::to_string);
    let f = kept::<RectificationFilter>(&p);
    p.finish().map_err(|e| u.error(e))?;
    let today = st.clock.today();
    let (res, stats) = tokio::try_join!(
        st.store
            .list_rectifications(u.scope(), &filter, today, page),
        st.store.rectification_stats(u.scope(), None, today)
    )
    .or_page(u)?;
    let names = org_names(st, u, res.items.iter().map(|r| r.party_org_id)).await?;
    let orgs = org_choices(st, u.scope()).await.or_page(u)?;
    let pager = Pager::of::<RectificationFilter>(
        u.lang,
        ("/rectifications", "/rectifications/export.xlsx"),
        &f,
        page,
        res.total,
        res.items.len(),
    );
    let view = RectsPage {
        empty_key: "work.none",
        ctx: u.section_ctx("rectifications").with_flash(msg.as_deref()),
        pager,
        rows: res
            .items
            .into_iter()
            .map(|r| RectRow {
                org_name: names.get(&r.party_org_id).cloned().unwrap_or_default(),
                r,
            })
            .collect(),
        orgs: orgs.map(|o| org_options(&o, u.lang)),
        states: codes(u.lang, "rectification_state", RectificationState::CODES),
        severities: codes(u.lang, "severity", Severity::CODES),
        sources: codes(
            u.lang,
            "finding_source",
            &domain::work::FindingSource::CODES[1..],
        ),
        sorts: sorts(u.lang),
        may_find: u.allowed(Permission::RecordFinding),
        f,
        nf,
        stats,
    };
    Ok(html(status, &view))
}

pub(super) async fn rectifications(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut nf = FormState::default();
    nf.set("source", "self_check");
    nf.set("severity", "minor");
    nf.set("found_on", st.clock.today().to_string());
    render_rects(&st, &u, p, nf, StatusCode::OK).await
}

pub(super) async fn export_rectifications(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = params(p, &u)?;
    let f = rectification_filter(&mut p);
    p.finish().map_err(|e| u.error(e))?;
    let title = crate::modules::registry::api::ledger_title(&st, u.scope(), u.lang, "整改台账")
        .await
        .map_err(|e| u.error(e))?;
    super::service::rectifications_xlsx(&st, &u.caller(), &f, Some(title))
        .await
        .map_err(|e| u.error(e).into())
}

pub(super) fn finding_input(f: &mut FormState, lang: Lang, source: bool) -> FindingInput {
    FindingInput {
        source: if source { f.opt("source") } else { None },
        party_org_id: f.opt_id("party_org_id", lang),
        description: f.opt("description"),
        severity: f.opt("severity"),
        found_on: f.opt("found_on"),
        due_on: f.opt("due_on"),
    }
}

pub(super) async fn add_own_finding(
    State(st): State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let actor = u.may(Permission::RecordFinding)?;
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let input = finding_input(&mut f, u.lang, true);
    if f.opt("party_org_id").is_none() {
        f.error("party_org_id", u.lang.t("field.required"));
    }
    match input.validate(None, st.clock.today()) {
        Ok(n) if f.ok() => match st
            .store
            .create_finding(&actor, u.scope(), n, when(&st))
            .await
        {
            Ok(found) => {
                return Ok(Redirect::to(&format!(
                    "/rectifications/{}?msg=created",
                    found.rectification.id
                ))
                .into_response())
            }
            Err(StoreError::Forbidden) => f.error("party_org_id", u.lang.t("error.forbidden")),
            Err(e) => store_error(&u, &mut f, e)?,
        },
        Ok(_) => {}
        Err(e) => f.store_errors(&e, u.lang),
    }
    render_rects(
        &st,
        &u,
        Ok(Params::from_map(HashMap::new())),
        f,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

// ---------------------------------------------------------------- inspections

#[derive(Template)]
#[template(path = "work/inspections.html")]
pub(super) struct InspectionsPage {
    ctx: Ctx,
    items: Vec<Inspection>,
    may_inspect: bool,
    f: FormState,
    kinds: Vec<(&'static str, &'static str)>,
    orgs: Option<Vec<OrgOption>>,
}

impl InspectionsPage {
    fn org_checked(&self, id: &str) -> bool {
        self.f.v("party_org_ids").split(',').any(|x| x == id)
    }
}

pub(super) async fn render_inspections(
    st: &AppState,
    u: &PageUser,
    f: FormState,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let items = st
        .store
        .list_inspections(
            u.scope(),
            PageReq {
                page: 1,
                per_page: 200,
            },
        )
        .await
        .or_page(u)?
        .items;
    let orgs = org_choices(st, u.scope()).await.or_page(u)?;
    let page = InspectionsPage {
        ctx: u.section_ctx("inspections").with_flash(msg),
        items,
        may_inspect: u.allowed(Permission::Inspect),
        f,
        kinds: codes(u.lang, "inspection_kind", InspectionKind::CODES),
        orgs: orgs.map(|o| org_options(&o, u.lang)),
    };
    Ok(html(status, &page))
}

pub(super) async fn inspections(
    State(st): State<AppState>,
    u: PageUser,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let mut f = FormState::default();
    f.set("kind", "supervision");
    f.set("held_on", st.clock.today().to_string());
    render_inspections(&st, &u, f, StatusCode::OK, msg.as_deref()).await
}

pub(super) async fn create_inspection(
    State(st): State<AppState>,
    u: PageUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let mut values: HashMap<String, String> = HashMap::new();
    let mut org_ids = Vec::new();
    for (k, v) in pairs {
        if k == "party_org_ids" {
            org_ids.push(v);
        } else {
            values.insert(k, v);
        }
    }
    values.insert("party_org_ids".into(), org_ids.join(","));
    let actor = u.may(Permission::Inspect)?;
    let mut f = FormState {
        values,
        ..Default::default()
    };
    let party_org_ids = f.id_list("party_org_ids", &org_ids, u.lang);
    let input = InspectionInput {
        title: f.opt("title"),
        kind: f.opt("kind"),
        held_on: f.opt("held_on"),
        party_org_ids,
        team: f
            .v("team")
            .split(['，', ',', '、', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    };
    match input.validate() {
        _ if !f.ok() => {}
        Ok(n) => match st.store.create_inspection(&actor, u.scope(), n).await {
            Ok(i) => {
                return Ok(
                    Redirect::to(&format!("/inspections/{}?msg=created", i.id)).into_response()
                )
            }
            Err(e) => store_error(&u, &mut f, e)?,
        },
        Err(e) => f.store_errors(&e, u.lang),
    }
    render_inspections(&st, &u, f, StatusCode::UNPROCESSABLE_ENTITY, None).await
}

#[derive(Template)]
#[template(path = "work/inspection.html")]
pub(super) struct InspectionPage {
    ctx: Ctx,
    /// What the findings table says when there are none.
    empty_key: &'static str,
    i: Inspection,
    org_list: Vec<(i64, String)>,
    rows: Vec<RectRow>,
    may_inspect: bool,
    f: FormState,
    severities: Vec<(&'static str, &'static str)>,
}

pub(super) async fn render_inspection(
    st: &AppState,
    u: &PageUser,
    id: i64,
    f: FormState,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let i = st.store.get_inspection(u.scope(), id).await.or_page(u)?;
    let filter = RectificationFilter {
        inspection_id: Some(id),
        sort: Some(LedgerSort::Org),
        ..Default::default()
    };
    let rows = st
        .store
        .list_rectifications(
            u.scope(),
            &filter,
            st.clock.today(),
            PageReq {
                page: 1,
                per_page: 500,
            },
        )
        .await
        .or_page(u)?
        .items;
    let names = org_names(
        st,
        u,
        i.party_org_ids
            .iter()
            .copied()
            .chain(rows.iter().map(|r| r.party_org_id)),
    )
    .await?;
    let org_list = i
        .party_org_ids
        .iter()
        .map(|id| (*id, names.get(id).cloned().unwrap_or_default()))
        .collect();
    let page = InspectionPage {
        empty_key: "insp.no_findings",
        ctx: u.item_ctx("inspections", i.title.clone()).with_flash(msg),
        rows: rows
            .into_iter()
            .map(|r| RectRow {
                org_name: names.get(&r.party_org_id).cloned().unwrap_or_default(),
                r,
            })
            .collect(),
        org_list,
        may_inspect: u.allowed(Permission::Inspect),
        i,
        f,
        severities: codes(u.lang, "severity", Severity::CODES),
    };
    Ok(html(status, &page))
}

pub(super) async fn inspection(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let mut f = FormState::default();
    f.set("severity", "minor");
    render_inspection(&st, &u, id, f, StatusCode::OK, msg.as_deref()).await
}

pub(super) async fn add_finding(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let i = st.store.get_inspection(u.scope(), id).await.or_page(&u)?;
    let actor = u.may(Permission::Inspect)?;
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let input = finding_input(&mut f, u.lang, false);
    match input.validate(Some((i.id, i.held_on)), st.clock.today()) {
        Ok(n) if f.ok() => match st
            .store
            .create_finding(&actor, u.scope(), n, when(&st))
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/inspections/{id}?msg=created")).into_response())
            }
            Err(e) => store_error(&u, &mut f, e)?,
        },
        Ok(_) => {}
        Err(e) => f.store_errors(&e, u.lang),
    }
    render_inspection(&st, &u, id, f, StatusCode::UNPROCESSABLE_ENTITY, None).await
}
