//! M3/M4 pages: an assignment and a rectification, the org's answer (report, submit) and the
//! committee's decision (review, verify), with their evidence files.

use domain::policy::Permission;
use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::work::{
    AssignmentEvent, DecisionInput, ReportInput, ReviewDecision, SubmitInput, VerifyDecision,
};
use store::work::{Assignment, AttachmentOwner, ProgressReport, Task, WorkAttachment};
use store::StoreError;

use crate::modules::life::api::accept_file;
use crate::modules::work::api::when;
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::files;
use crate::AppState;

use crate::platform::session::{OrPage, PageError, PageUser};
use crate::ui::ctx::{html, parse_id, Ctx, FormState};

use super::{pages::*, supervision::*};

// ---------------------------------------------------------------- an assignment

#[derive(Template)]
#[template(path = "work/assignment.html")]
pub(super) struct AssignmentPage {
    ctx: Ctx,
    a: Assignment,
    task: Option<Task>,
    org_name: String,
    reports: Vec<ProgressReport>,
    files: Vec<WorkAttachment>,
    may_report: bool,
    may_review: bool,
    f: FormState,
}

pub(super) async fn render_assignment(
    st: &AppState,
    u: &PageUser,
    id: i64,
    f: FormState,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let a = st
        .store
        .get_assignment(u.scope(), id, st.clock.today())
        .await
        .or_page(u)?;
    let task = st.store.get_task(u.scope(), a.task_id).await.ok();
    let reports = st
        .store
        .assignment_reports(u.scope(), id)
        .await
        .or_page(u)?;
    let files = st
        .store
        .list_work_attachments(u.scope(), AttachmentOwner::Assignment, id)
        .await
        .or_page(u)?;
    let org_name = org_names(st, u, std::iter::once(a.party_org_id))
        .await?
        .remove(&a.party_org_id)
        .unwrap_or_default();
    let page = AssignmentPage {
        ctx: u.item_ctx("tasks", a.task_title.clone()).with_flash(msg),
        // The forms follow the state machine: shown only where the step is allowed.
        may_report: u.allowed(Permission::AnswerForOrg)
            && a.state.next(AssignmentEvent::Report).is_ok(),
        may_review: u.allowed(Permission::ReviewAssignment)
            && a.state
                .next(AssignmentEvent::Review(ReviewDecision::Accept))
                .is_ok(),
        a,
        task,
        org_name,
        reports,
        files,
        f,
    };
    Ok(html(status, &page))
}

pub(super) async fn assignment(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let msg = p.ok().and_then(|p| p.str("msg").map(str::to_string));
    let mut f = FormState::default();
    f.set("progress", "100");
    render_assignment(&st, &u, id, f, StatusCode::OK, msg.as_deref()).await
}

/// Stores the files of a form as evidence of `owner`; an unreadable file → a field error.
pub(super) async fn evidence(
    st: &AppState,
    u: &PageUser,
    actor: &store::Actor,
    owner: AttachmentOwner,
    id: i64,
    files: Vec<(Option<String>, axum::body::Bytes)>,
    f: &mut FormState,
) -> Result<(), PageError> {
    for (name, bytes) in files {
        match accept_file(st, name.as_deref(), bytes).await {
            Ok(new) => {
                st.store
                    .add_work_attachment(actor, u.scope(), owner, id, &new)
                    .await
                    .or_page(u)?;
            }
            Err(AppError::Validation(e)) => f.store_errors(&e, u.lang),
            Err(e) => return Err(u.error(e).into()),
        }
    }
    Ok(())
}

pub(super) fn files_ok(form: &files::Form) -> bool {
    form.files.iter().all(|(_, b)| files::sniff(b).is_some())
}

pub(super) fn bad_file(u: &PageUser, f: &mut FormState) {
    f.error(
        "file",
        u.lang.field_error(&domain::FieldError::UnknownValue {
            allowed: vec![
                "PDF", "JPEG", "PNG", "GIF", "WebP", "DOCX", "XLSX", "PPTX", "DOC/XLS",
            ],
        }),
    );
}

/// The org's answer: a progress report on an assignment or the submission of a
/// rectification, with evidence files; by the org's own users or admin.
pub(super) async fn answer(
    st: &AppState,
    u: &PageUser,
    owner: AttachmentOwner,
    raw: &str,
    mp: Multipart,
) -> Result<Response, PageError> {
    let id = parse_id(raw).ok_or_else(|| u.not_found())?;
    let form = files::Form::read(mp, st.config.max_upload_bytes)
        .await
        .map_err(|e| u.error(e))?;
    owner_exists(st, u, owner, id).await?;
    let actor = u.may(Permission::AnswerForOrg)?;
    let ok_files = files_ok(&form);
    let mut f = FormState {
        values: form.fields,
        ..Default::default()
    };
    if !ok_files {
        bad_file(u, &mut f);
    }
    let done = match owner {
        AttachmentOwner::Assignment => {
            let input = ReportInput {
                progress: f.int("progress", None, u.lang),
                text: f.opt("text"),
            };
            match input.validate() {
                Ok(r) if f.ok() => Some(
                    st.store
                        .report(&actor, u.scope(), id, r, when(st))
                        .await
                        .map(|_| ()),
                ),
                Ok(_) => None,
                Err(e) => {
                    f.store_errors(&e, u.lang);
                    None
                }
            }
        }
        AttachmentOwner::Rectification => {
            if f.opt("response").is_none() {
                f.error("response", u.lang.t("field.required"));
            }
            match (SubmitInput {
                response: f.opt("response"),
            })
            .validate()
            {
                Ok(resp) if f.ok() => Some(
                    st.store
                        .submit_rectification(&actor, u.scope(), id, resp, when(st))
                        .await
                        .map(|_| ()),
                ),
                Ok(_) => None,
                Err(e) => {
                    f.store_errors(&e, u.lang);
                    None
                }
            }
        }
    };
    if let Some(Ok(())) = done {
        evidence(st, u, &actor, owner, id, form.files, &mut f).await?;
    }
    settle(st, u, owner, id, f, done).await
}

/// The committee's review of a report, or the inspector's verification of a rectification;
/// returning needs a reason.
pub(super) async fn decide(
    st: &AppState,
    u: &PageUser,
    owner: AttachmentOwner,
    raw: &str,
    form: HashMap<String, String>,
) -> Result<Response, PageError> {
    let id = parse_id(raw).ok_or_else(|| u.not_found())?;
    owner_exists(st, u, owner, id).await?;
    let actor = u.may(match owner {
        AttachmentOwner::Assignment => Permission::ReviewAssignment,
        AttachmentOwner::Rectification => Permission::VerifyRectification,
    })?;
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    if f.v("decision") == "return" && f.opt("comment").is_none() {
        f.error("comment", u.lang.t("work.comment_required"));
    }
    let input = DecisionInput {
        decision: f.opt("decision"),
        comment: f.opt("comment"),
    };
    let (scope, when) = (u.scope(), when(st));
    let done = match owner {
        AttachmentOwner::Assignment => {
            match input.validate(ReviewDecision::parse, ReviewDecision::CODES) {
                Ok((d, c)) if f.ok() => Some(
                    st.store
                        .review(&actor, scope, id, d, c, when)
                        .await
                        .map(|_| ()),
                ),
                Ok(_) => None,
                Err(e) => {
                    f.store_errors(&e, u.lang);
                    None
                }
            }
        }
        AttachmentOwner::Rectification => {
            match input.validate(VerifyDecision::parse, VerifyDecision::CODES) {
                Ok((d, c)) if f.ok() => Some(
                    st.store
                        .verify_rectification(&actor, scope, id, d, c, when)
                        .await
                        .map(|_| ()),
                ),
                Ok(_) => None,
                Err(e) => {
                    f.store_errors(&e, u.lang);
                    None
                }
            }
        }
    };
    settle(st, u, owner, id, f, done).await
}

pub(super) fn page_of(owner: AttachmentOwner) -> &'static str {
    match owner {
        AttachmentOwner::Assignment => "assignments",
        AttachmentOwner::Rectification => "rectifications",
    }
}

/// The record in scope, or the error page.
pub(super) async fn owner_exists(
    st: &AppState,
    u: &PageUser,
    owner: AttachmentOwner,
    id: i64,
) -> Result<(), PageError> {
    let today = st.clock.today();
    match owner {
        AttachmentOwner::Assignment => st
            .store
            .get_assignment(u.scope(), id, today)
            .await
            .map(|_| ()),
        AttachmentOwner::Rectification => st
            .store
            .get_rectification(u.scope(), id, today)
            .await
            .map(|_| ()),
    }
    .or_page(u)
}

/// After a form: saved → back to the page with a notice; refused → the page with the
/// errors next to the fields.
pub(super) async fn settle(
    st: &AppState,
    u: &PageUser,
    owner: AttachmentOwner,
    id: i64,
    mut f: FormState,
    done: Option<Result<(), StoreError>>,
) -> Result<Response, PageError> {
    match done {
        Some(Ok(())) => {
            return Ok(Redirect::to(&format!("/{}/{id}?msg=saved", page_of(owner))).into_response())
        }
        Some(Err(e)) => store_error(u, &mut f, e)?,
        None => {}
    }
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    match owner {
        AttachmentOwner::Assignment => render_assignment(st, u, id, f, status, None).await,
        AttachmentOwner::Rectification => render_rect(st, u, id, f, status, None).await,
    }
}

pub(super) async fn report(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    mp: Multipart,
) -> Result<Response, PageError> {
    answer(&st, &u, AttachmentOwner::Assignment, &raw, mp).await
}

pub(super) async fn review(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    decide(&st, &u, AttachmentOwner::Assignment, &raw, form).await
}

pub(super) async fn submit(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    mp: Multipart,
) -> Result<Response, PageError> {
    answer(&st, &u, AttachmentOwner::Rectification, &raw, mp).await
}

pub(super) async fn verify(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    decide(&st, &u, AttachmentOwner::Rectification, &raw, form).await
}

pub(super) async fn download(
    st: &AppState,
    u: &PageUser,
    owner: AttachmentOwner,
    raw: (String, String),
) -> Result<Response, PageError> {
    let (Some(id), Some(file)) = (parse_id(&raw.0), parse_id(&raw.1)) else {
        return Err(u.not_found().into());
    };
    let a = st
        .store
        .get_work_attachment(u.scope(), owner, id, file)
        .await
        .or_page(u)?;
    files::download(
        &st.config.files_dir,
        &a.sha256,
        &a.content_type,
        &a.file_name,
    )
    .await
    .map_err(|e| u.error(e).into())
}

pub(super) async fn assignment_file(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<(String, String)>,
) -> Result<Response, PageError> {
    download(&st, &u, AttachmentOwner::Assignment, raw).await
}

pub(super) async fn rectification_file(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<(String, String)>,
) -> Result<Response, PageError> {
    download(&st, &u, AttachmentOwner::Rectification, raw).await
}
