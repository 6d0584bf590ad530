//! M3/M4 pages of one record: an assignment and a rectification as the two instances of the
//! one ledger page (`ui::ledger`): their facts, and the fields of the org's answer.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use domain::ledger::{LedgerKind, ASSIGNMENTS, RECTIFICATIONS};
use domain::work::{DecisionInput, ReportInput, SubmitInput};
use store::work::{Assignment, Rectification, Task};

use crate::modules::work::service;
use crate::platform::auth::Caller;
use crate::platform::error::AppError;
use crate::platform::i18n::Lang;
use crate::platform::session::{OrPage, PageError, PageUser};
use crate::ui::ctx::{html, Ctx, FormState};
use crate::ui::ledger::{notice, LedgerPage, LedgerView};
use crate::AppState;

fn decision(f: &FormState) -> DecisionInput {
    DecisionInput {
        decision: f.opt("decision"),
        comment: f.opt("comment"),
    }
}

#[derive(Template)]
#[template(path = "work/assignment.html")]
pub(super) struct AssignmentPage {
    ctx: Ctx,
    ledger: LedgerView,
    a: Assignment,
    task: Option<Task>,
    f: FormState,
}

impl LedgerPage for AssignmentPage {
    const KIND: &'static LedgerKind = &ASSIGNMENTS;

    async fn render(
        st: &AppState,
        u: &PageUser,
        id: i64,
        f: FormState,
        status: StatusCode,
        msg: Option<&str>,
    ) -> Result<Response, PageError> {
        let ledger = LedgerView::load(st, u, Self::KIND, id).await?;
        let a = st
            .store
            .get_assignment(u.scope(), id, st.clock.today())
            .await
            .or_page(u)?;
        let task = st.store.get_task(u.scope(), a.task_id).await.ok();
        let page = AssignmentPage {
            ctx: notice(u.item_ctx("tasks", a.task_title.clone()), Self::KIND, msg),
            ledger,
            a,
            task,
            f,
        };
        Ok(html(status, &page))
    }

    fn fresh_form() -> FormState {
        let mut f = FormState::default();
        f.set("progress", "100");
        f
    }

    async fn answer(
        st: &AppState,
        caller: &Caller,
        id: i64,
        f: &mut FormState,
        lang: Lang,
    ) -> Result<bool, AppError> {
        let input = ReportInput {
            progress: f.int("progress", None, lang),
            text: f.opt("text"),
        };
        if let Err(e) = input.validate() {
            f.store_errors(&e, lang);
        }
        if !f.ok() {
            return Ok(false);
        }
        service::report(st, caller, id, &input).await.map(|_| true)
    }

    async fn decide(
        st: &AppState,
        caller: &Caller,
        id: i64,
        f: &FormState,
    ) -> Result<(), AppError> {
        service::review(st, caller, id, &decision(f))
            .await
            .map(|_| ())
    }
}

#[derive(Template)]
#[template(path = "work/rect.html")]
pub(super) struct RectPage {
    ctx: Ctx,
    ledger: LedgerView,
    r: Rectification,
    f: FormState,
}

impl LedgerPage for RectPage {
    const KIND: &'static LedgerKind = &RECTIFICATIONS;

    async fn render(
        st: &AppState,
        u: &PageUser,
        id: i64,
        f: FormState,
        status: StatusCode,
        msg: Option<&str>,
    ) -> Result<Response, PageError> {
        let ledger = LedgerView::load(st, u, Self::KIND, id).await?;
        let r = st
            .store
            .get_rectification(u.scope(), id, st.clock.today())
            .await
            .or_page(u)?;
        let title = u.lang.tf("rect.title", &[&r.id.to_string()]);
        let page = RectPage {
            ctx: notice(u.item_ctx("rectifications", title), Self::KIND, msg),
            ledger,
            r,
            f,
        };
        Ok(html(status, &page))
    }

    async fn answer(
        st: &AppState,
        caller: &Caller,
        id: i64,
        f: &mut FormState,
        lang: Lang,
    ) -> Result<bool, AppError> {
        // On a page the org says what it did.
        if f.opt("response").is_none() {
            f.error("response", lang.t("field.required"));
        }
        let input = SubmitInput {
            response: f.opt("response"),
        };
        if let Err(e) = input.validate() {
            f.store_errors(&e, lang);
        }
        if !f.ok() {
            return Ok(false);
        }
        service::submit(st, caller, id, &input).await.map(|_| true)
    }

    async fn decide(
        st: &AppState,
        caller: &Caller,
        id: i64,
        f: &FormState,
    ) -> Result<(), AppError> {
        service::verify(st, caller, id, &decision(f))
            .await
            .map(|_| ())
    }
}
