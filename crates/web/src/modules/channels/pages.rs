//! M10 pages: the channel register per society (kind, name, responsible person, the
//! emergency plan's day, the last review) with its filters — a society, a kind, without a
//! plan, review overdue (the two rule checks of the dashboard link here) — a channel's page
//! with its reviews and the review form, the form that registers a channel, and the
//! register as xlsx. Records only: nothing here reads or rates what a channel publishes.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::channels::{ChannelInput, ChannelKind, ReviewInput};
use domain::policy::Permission;
use sheet::{Cell, Column};
use store::channels::{Channel, ChannelFilter, ChannelReview};
use store::{PageReq, StoreError};

use crate::modules::registry::api::{ledger_title, sheet_response};
use crate::modules::work::sheets::ledger;
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::session::{Flash, Item, OrPage, PageError, PageUser};
use crate::ui::ctx::{html, Crumb, Ctx, FormState};
use crate::ui::list::{kept, Pager};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/channels", get(list).post(create))
        .route("/channels.xlsx", get(export))
        .route("/channels/new", get(new_form))
        .route("/channels/{id}", get(show))
        .route("/channels/{id}/reviews", post(review))
}

const PER_PAGE: i64 = 20;

fn kinds(u: &PageUser) -> Vec<(&'static str, &'static str)> {
    ChannelKind::CODES
        .iter()
        .map(|c| (*c, u.lang.code_label("channel_kind", c)))
        .collect()
}

fn flash(ctx: Ctx, msg: Option<&str>) -> Ctx {
    match msg {
        Some("reviewed") => {
            let text = ctx.t("channel.flash.reviewed").to_string();
            ctx.with_notice(text)
        }
        other => ctx.with_flash(other),
    }
}

/// A channel as the register lists it.
pub struct Row {
    pub c: Channel,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "channels/list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Row>,
    pager: Pager,
    f: FormState,
    kinds: Vec<(&'static str, &'static str)>,
    society: Option<String>,
    may_keep: bool,
    review_days: i64,
}

fn overdue(c: &Channel, today: chrono::NaiveDate, days: i64) -> bool {
    c.last_reviewed_on
        .is_none_or(|d| (today - d).num_days() > days)
}

async fn list(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let filter: ChannelFilter = p.filter();
    let mut page = p.page();
    if p.str("per_page").is_none() {
        page.per_page = PER_PAGE;
    }
    let f = kept::<ChannelFilter>(&p);
    p.finish().map_err(|e| u.error(e))?;
    let today = st.clock.today();
    let res = st
        .store
        .list_channels(u.scope(), &filter, today, page)
        .await
        .or_page(&u)?;
    let society = match filter.society_id {
        Some(id) => Some(st.store.get_society(u.scope(), id).await.or_page(&u)?.name),
        None => None,
    };
    let days = st.config.rules.channel_review_days;
    let pager = Pager::of::<ChannelFilter>(
        u.lang,
        ("/channels", "/channels.xlsx"),
        &f,
        page,
        res.total,
        res.items.len(),
    );
    let rows = res
        .items
        .into_iter()
        .map(|c| Row {
            overdue: overdue(&c, today, days),
            c,
        })
        .collect();
    let page = ListPage {
        ctx: flash(u.section_ctx("channels"), msg.as_deref()),
        rows,
        pager,
        f,
        kinds: kinds(&u),
        society,
        may_keep: u.allowed(Permission::KeepChannels),
        review_days: days,
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "channels/channel.html")]
struct ChannelPage {
    ctx: Ctx,
    c: Channel,
    overdue: bool,
    reviews: Vec<ChannelReview>,
    rf: FormState,
    may_keep: bool,
    today: String,
    review_days: i64,
}

async fn render_channel(
    st: &AppState,
    u: &PageUser,
    id: i64,
    rf: FormState,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let c = st.store.get_channel(u.scope(), id).await.or_page(u)?;
    let reviews = st
        .store
        .list_channel_reviews(u.scope(), id)
        .await
        .or_page(u)?;
    let today = st.clock.today();
    let days = st.config.rules.channel_review_days;
    let ctx = u.item_ctx("channels", c.name.clone());
    let page = ChannelPage {
        ctx: flash(ctx, msg),
        overdue: overdue(&c, today, days),
        c,
        reviews,
        rf,
        may_keep: u.allowed(Permission::KeepChannels),
        today: today.to_string(),
        review_days: days,
    };
    Ok(html(status, &page))
}

async fn show(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    let mut rf = FormState::default();
    rf.set("reviewed_on", st.clock.today().to_string());
    render_channel(&st, &u, id, rf, StatusCode::OK, msg.as_deref()).await
}

/// `POST /channels/{id}/reviews`: a review of the channel's management; bad input is shown
/// at the form and nothing is written.
async fn review(
    State(st): State<AppState>,
    Item { u, id }: Item,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    st.store.get_channel(u.scope(), id).await.or_page(&u)?;
    let actor = u.may(Permission::KeepChannels)?;
    let lang = u.lang;
    let mut rf = FormState {
        values: form,
        ..Default::default()
    };
    let input = ReviewInput {
        reviewed_on: rf.opt("reviewed_on"),
        notes: rf.opt("notes"),
    };
    match input.validate(st.clock.today()) {
        Ok(r) => match st.store.add_channel_review(&actor, u.scope(), id, r).await {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/channels/{id}?msg=reviewed")).into_response())
            }
            Err(StoreError::Invalid(e)) => rf.store_errors(&e, lang),
            Err(e) => return Err(u.error(e).into()),
        },
        Err(e) => rf.store_errors(&e, lang),
    }
    render_channel(&st, &u, id, rf, StatusCode::UNPROCESSABLE_ENTITY, None).await
}

#[derive(Template)]
#[template(path = "channels/form.html")]
struct ChannelForm {
    ctx: Ctx,
    f: FormState,
    kinds: Vec<(&'static str, &'static str)>,
    society: Option<String>,
    today: String,
}

async fn render_form(
    st: &AppState,
    u: &PageUser,
    f: FormState,
    status: StatusCode,
) -> Result<Response, PageError> {
    let society = match f.v("society_id").parse::<i64>() {
        Ok(id) => st
            .store
            .get_society(u.scope(), id)
            .await
            .ok()
            .map(|s| s.name),
        Err(_) => None,
    };
    let lang = u.lang;
    let ctx = u.ctx(
        "channels",
        lang.t("channel.new"),
        vec![
            Crumb::link(lang.t("nav.dashboard"), "/"),
            Crumb::link(lang.t("nav.channels"), "/channels"),
            Crumb::here(lang.t("channel.new")),
        ],
    );
    let page = ChannelForm {
        ctx,
        f,
        kinds: kinds(u),
        society,
        today: st.clock.today().to_string(),
    };
    Ok(html(status, &page))
}

async fn new_form(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let society = p.i64("society_id");
    p.finish().map_err(|e| u.error(e))?;
    u.may(Permission::KeepChannels)?;
    let mut f = FormState::default();
    if let Some(s) = society {
        f.set("society_id", s.to_string());
    }
    f.set("kind", ChannelKind::Journal.as_str());
    render_form(&st, &u, f, StatusCode::OK).await
}

/// `POST /channels`: registers a channel; bad input, a society outside the scope or a name
/// taken are shown at the form, nothing written.
async fn create(
    State(st): State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let actor = u.may(Permission::KeepChannels)?;
    let lang = u.lang;
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let input = ChannelInput {
        society_id: f.opt_id("society_id", lang),
        kind: f.opt("kind"),
        name: Some(f.v("name").to_string()),
        responsible: Some(f.v("responsible").to_string()),
        emergency_plan_on: f.opt("emergency_plan_on"),
    };
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    match input.validate(st.clock.today()) {
        Ok(ch) if f.ok() => match st.store.create_channel(&actor, u.scope(), ch).await {
            Ok(c) => {
                return Ok(Redirect::to(&format!("/channels/{}?msg=created", c.id)).into_response())
            }
            Err(StoreError::Invalid(e)) => f.store_errors(&e, lang),
            Err(StoreError::Forbidden) => {
                status = StatusCode::FORBIDDEN;
                f.error("society_id", lang.t("channel.not_in_scope"));
            }
            Err(StoreError::Conflict(_)) => {
                status = StatusCode::CONFLICT;
                f.error("name", lang.t("channel.name_taken"));
            }
            Err(e) => return Err(u.error(e).into()),
        },
        Ok(_) => {}
        Err(e) => f.store_errors(&e, lang),
    }
    render_form(&st, &u, f, status).await
}

/// `GET /channels.xlsx`: the register as the list's filters keep it.
async fn export(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let mut p = p.map_err(|e| u.error(e))?;
    let filter: ChannelFilter = p.filter();
    p.finish().map_err(|e| u.error(e))?;
    let today = st.clock.today();
    let mut all: Vec<Channel> = Vec::new();
    let mut page = 1;
    loop {
        let res = st
            .store
            .list_channels(
                u.scope(),
                &filter,
                today,
                PageReq {
                    page,
                    per_page: PageReq::MAX_PER_PAGE,
                },
            )
            .await
            .or_page(&u)?;
        let n = res.items.len();
        all.extend(res.items);
        if n == 0 || all.len() as i64 >= res.total {
            break;
        }
        page += 1;
    }
    let lang = u.lang;
    let days = st.config.rules.channel_review_days;
    let name = lang.t("channel.sheet");
    let title = ledger_title(&st, u.scope(), lang, name)
        .await
        .map_err(|e| u.error(e))?;
    let col = |k: &str, w: f64| Column::new(lang.t(k)).with_width(w);
    let columns = vec![
        col("channel.fld.society", 32.0),
        col("channel.fld.kind", 10.0),
        col("channel.fld.name", 28.0),
        col("channel.fld.responsible", 16.0),
        col("channel.fld.emergency_plan_on", 12.0),
        col("channel.fld.last_reviewed_on", 12.0),
        col("channel.col.overdue", 10.0),
    ];
    let rows: Vec<Vec<Cell>> = all
        .into_iter()
        .map(|c| {
            let late = overdue(&c, today, days);
            vec![
                Cell::Text(c.society),
                Cell::Text(lang.code_label("channel_kind", c.kind.as_str()).into()),
                Cell::Text(c.name),
                Cell::Text(c.responsible),
                c.emergency_plan_on.map(Cell::Date).unwrap_or(Cell::Empty),
                c.last_reviewed_on.map(Cell::Date).unwrap_or(Cell::Empty),
                Cell::Text(lang.t(if late { "common.yes" } else { "common.no" }).into()),
            ]
        })
        .collect();
    sheet_response(&format!("{name}.xlsx"), move || {
        ledger(name, columns, Some(title))
            .write(rows)
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| u.error(e).into())
}
