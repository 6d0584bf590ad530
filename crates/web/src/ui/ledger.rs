//! The one ledger page: a record's facts, its state with overdue and lateness, the org's
//! answer form and the reviewer's decision form (each shown only where the table lets this
//! user fire it now), the history and the evidence files. An instance (assignment,
//! rectification, report submission) fills in its facts and the fields of its answer; the
//! routes, the forms' handling and the downloads come from here.

use std::collections::HashMap;
use std::future::Future;

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::ledger::{LedgerKind, Side, Step};
use store::ledger::{LedgerAttachment, LedgerEvent, LedgerRow};

use crate::platform::auth::Caller;
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::files;
use crate::platform::i18n::Lang;
use crate::platform::ledger::{add_evidence, download};
use crate::platform::session::{OrPage, PageError, PageUser};
use crate::ui::ctx::{parse_id, Ctx, FormState};
use crate::AppState;

/// The generic half of a record's page.
pub struct LedgerView {
    pub kind: &'static LedgerKind,
    pub row: LedgerRow,
    pub org_name: String,
    /// The org's answer, when this user may give it now.
    pub answer: Option<&'static Step>,
    /// The decisions this user may take now.
    pub decisions: Vec<&'static Step>,
    pub events: Vec<LedgerEvent>,
    pub files: Vec<LedgerAttachment>,
}

impl LedgerView {
    pub async fn load(
        st: &AppState,
        u: &PageUser,
        kind: &'static LedgerKind,
        id: i64,
    ) -> Result<LedgerView, PageError> {
        let today = st.clock.today();
        let (row, events, files) = tokio::try_join!(
            st.store.ledger_record(kind, u.scope(), id, today),
            st.store.ledger_history(kind, u.scope(), id),
            st.store.list_ledger_attachments(u.scope(), kind, id),
        )
        .or_page(u)?;
        let org_name = st
            .store
            .org_names(u.scope(), &[row.party_org_id])
            .await
            .or_page(u)?
            .remove(&row.party_org_id)
            .unwrap_or_default();
        // The forms follow the state machine and the policy table.
        let fires =
            |s: &&'static Step| s.from.contains(&row.state.as_str()) && u.allowed(s.permission);
        let answer = kind.answer().filter(fires);
        let decisions = kind.decisions().filter(fires).collect();
        Ok(LedgerView {
            kind,
            row,
            org_name,
            answer,
            decisions,
            events,
            files,
        })
    }

    /// A text key of this kind: `ledger.{entity}.{what}`.
    pub fn key(&self, what: &str) -> String {
        format!("ledger.{}.{what}", self.kind.entity)
    }

    /// The code group of the states (`assignment_state`).
    pub fn state_group(&self) -> String {
        format!("{}_state", self.kind.entity)
    }

    /// The record's page.
    pub fn href(&self) -> String {
        format!("{}/{}", self.kind.path, self.row.id)
    }
}

/// Every text key the ledger pages and the inbox build for the registered kinds (checked
/// against both translation files by the pages' tests).
pub fn text_keys() -> Vec<String> {
    let mut out = Vec::new();
    for k in domain::ledger::REGISTERED {
        let e = k.entity;
        for what in [
            "answer",
            "answer_send",
            "decide",
            "history",
            "no_history",
            "org_label",
            "due_label",
        ] {
            out.push(format!("ledger.{e}.{what}"));
        }
        out.push(format!("dash.ledger.{e}.late"));
        for what in ["inbox", "inbox_none"] {
            for side in ["org", "reviewer"] {
                out.push(format!("ledger.{e}.{what}_{side}"));
            }
        }
        for step in k.steps {
            out.push(format!("ledger.{e}.done.{}", step.action));
        }
        for step in k.decisions() {
            out.push(format!("ledger.{e}.{}", step.action));
        }
        for step in k.steps {
            if let Some(to) = step.to {
                out.push(format!("ledger.{e}.flash.{to}"));
            }
        }
        for st in k.states {
            out.push(format!("{e}_state.{st}"));
        }
    }
    out
}

/// What an instance gives the one ledger page.
pub trait LedgerPage: Send + Sync + 'static {
    const KIND: &'static LedgerKind;

    /// The record's page with the form state `f` (errors after a refused form).
    fn render(
        st: &AppState,
        u: &PageUser,
        id: i64,
        f: FormState,
        status: StatusCode,
        msg: Option<&str>,
    ) -> impl Future<Output = Result<Response, PageError>> + Send;

    /// The form a fresh page starts with.
    fn fresh_form() -> FormState {
        FormState::default()
    }

    /// The org's answer from the form's fields, through the module's service step: field
    /// errors go into `f`, and nothing is written unless `f` is still clean (a bad file is
    /// already marked in it). `Ok(false)`: refused by the form, nothing written.
    fn answer(
        st: &AppState,
        caller: &Caller,
        id: i64,
        f: &mut FormState,
        lang: Lang,
    ) -> impl Future<Output = Result<bool, AppError>> + Send;

    /// The reviewer's decision (`decision`, `comment`), through the service step.
    fn decide(
        st: &AppState,
        caller: &Caller,
        id: i64,
        f: &FormState,
    ) -> impl Future<Output = Result<(), AppError>> + Send;
}

/// The page routes of an instance: its page, the answer (multipart, with evidence files),
/// the decision and the evidence downloads.
pub fn ledger_pages<P: LedgerPage>() -> Router<AppState> {
    let path = P::KIND.path;
    let mut r = Router::new()
        .route(&format!("{path}/{{id}}"), get(page::<P>))
        .route(
            &format!("{path}/{{id}}/{}", P::KIND.decide),
            post(decide::<P>),
        )
        .route(&format!("{path}/{{id}}/files/{{file}}"), get(file::<P>));
    if let Some(step) = P::KIND.answer() {
        r = r.route(&format!("{path}/{{id}}/{}", step.action), post(answer::<P>));
    }
    r
}

async fn page<P: LedgerPage>(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let msg = p.ok().and_then(|p| p.str("msg").map(str::to_string));
    P::render(&st, &u, id, P::fresh_form(), StatusCode::OK, msg.as_deref()).await
}

/// Whether every file of a form is of a kind the platform keeps.
fn files_ok(form: &files::Form) -> bool {
    form.files.iter().all(|(_, b)| files::sniff(b).is_some())
}

fn bad_file(lang: Lang, f: &mut FormState) {
    f.error(
        "file",
        lang.field_error(&domain::FieldError::UnknownValue {
            allowed: vec![
                "PDF", "JPEG", "PNG", "GIF", "WebP", "DOCX", "XLSX", "PPTX", "DOC/XLS",
            ],
        }),
    );
}

/// A service error on a form: field errors next to the fields, a refused transition as a
/// notice; anything else is the error page.
pub fn form_error(u: &PageUser, f: &mut FormState, e: AppError) -> Result<(), PageError> {
    match e {
        AppError::Validation(fe) => {
            f.store_errors(&fe, u.lang);
            Ok(())
        }
        AppError::Conflict(_) => {
            f.error("state", u.lang.t("work.state_changed"));
            Ok(())
        }
        e => Err(u.error(e).into()),
    }
}

async fn answer<P: LedgerPage>(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    mp: Multipart,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let form = files::Form::read(mp, st.config.max_upload_bytes)
        .await
        .map_err(|e| u.error(e))?;
    let caller = u.caller();
    // Scope and permission before anything is looked at.
    crate::platform::ledger::begin(&st, &caller, P::KIND, id, Side::Org)
        .await
        .map_err(|e| u.error(e))?;
    let ok_files = files_ok(&form);
    let mut f = FormState {
        values: form.fields,
        ..Default::default()
    };
    if !ok_files {
        bad_file(u.lang, &mut f);
    }
    let written = match P::answer(&st, &caller, id, &mut f, u.lang).await {
        Ok(w) => w,
        Err(e) => {
            form_error(&u, &mut f, e)?;
            false
        }
    };
    if written {
        for (name, bytes) in form.files {
            if let Err(e) = add_evidence(&st, &caller, P::KIND, id, name.as_deref(), bytes).await {
                form_error(&u, &mut f, e)?;
            }
        }
        if f.ok() {
            let reached = P::KIND.answer().and_then(|s| s.to).unwrap_or("saved");
            return Ok(saved(P::KIND, id, reached));
        }
    }
    P::render(&st, &u, id, f, StatusCode::UNPROCESSABLE_ENTITY, None).await
}

async fn decide<P: LedgerPage>(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let caller = u.caller();
    crate::platform::ledger::begin(&st, &caller, P::KIND, id, Side::Reviewer)
        .await
        .map_err(|e| u.error(e))?;
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    // On a page a return always says why.
    if f.v("decision") == "return" && f.opt("comment").is_none() {
        f.error("comment", u.lang.t("work.comment_required"));
    }
    if f.ok() {
        match P::decide(&st, &caller, id, &f).await {
            Ok(()) => {
                let reached = P::KIND
                    .decisions()
                    .find(|s| s.action == f.v("decision"))
                    .and_then(|s| s.to)
                    .unwrap_or("saved");
                return Ok(saved(P::KIND, id, reached));
            }
            Err(e) => form_error(&u, &mut f, e)?,
        }
    }
    P::render(&st, &u, id, f, StatusCode::UNPROCESSABLE_ENTITY, None).await
}

/// Back to the record, saying what changed (`?msg=` the state it reached).
fn saved(kind: &LedgerKind, id: i64, state: &str) -> Response {
    Redirect::to(&format!("{}/{id}?msg={state}", kind.path)).into_response()
}

/// The notice of a record's page: what the last step did (`?msg=` a state of the kind:
/// `ledger.{entity}.flash.{state}`), or one of the shared notices.
pub fn notice(ctx: Ctx, kind: &LedgerKind, msg: Option<&str>) -> Ctx {
    match msg.filter(|m| kind.states.contains(m)) {
        Some(state) => {
            let text = ctx
                .lang
                .t(&format!("ledger.{}.flash.{state}", kind.entity))
                .to_string();
            ctx.with_notice(text)
        }
        None => ctx.with_flash(msg),
    }
}

async fn file<P: LedgerPage>(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (Some(id), Some(file)) = (parse_id(&raw.0), parse_id(&raw.1)) else {
        return Err(u.not_found().into());
    };
    download(&st, u.scope(), P::KIND, id, file)
        .await
        .map_err(|e| u.error(e).into())
}
