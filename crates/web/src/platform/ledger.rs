//! The review ledger in the web layer: the first half of every ledger write (the record in
//! scope, then the step's permission from the kind's table), the evidence files, and the
//! routes every registered kind gets for them. The API and the pages both come through here.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::ledger::{LedgerKind, Side};
use store::ledger::{LedgerAttachment, LedgerRow};
use store::life::NewAttachment;
use store::Actor;

use crate::platform::attachments::accept_file;
use crate::platform::auth::Caller;
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::{Id, Params, Upload};
use crate::platform::files;
use crate::AppState;

/// Scope, then permission, for a step of `side` on record `id`: reading outside the scope
/// answers `404` before any permission is looked at, a role the table does not allow
/// `403`. Gives the actor the store write needs and the record as it stands.
pub async fn begin(
    st: &AppState,
    caller: &Caller,
    kind: &'static LedgerKind,
    id: i64,
    side: Side,
) -> Result<(Actor, LedgerRow), AppError> {
    let row = st
        .store
        .ledger_record(kind, &caller.scope, id, st.clock.today())
        .await?;
    let actor = caller.may(kind.permission_of(side))?;
    Ok((actor, row))
}

/// Which side of the ledgers a user stands on: a user of an org answers for it; the office,
/// the committee and the inspectors decide.
pub fn side_of(user: &store::User) -> Side {
    if user.party_org_id.is_some() {
        Side::Org
    } else {
        Side::Reviewer
    }
}

/// What waits on a user in one registered ledger.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Waiting {
    /// The kind's entity (`assignment`, `rectification`).
    #[schema(value_type = String)]
    pub kind: &'static str,
    /// `org` (to answer) or `reviewer` (to decide).
    #[schema(value_type = String)]
    pub side: &'static str,
    /// The states waited on.
    #[schema(value_type = Vec<String>)]
    pub states: Vec<&'static str>,
    /// How many records in scope are in them.
    pub total: i64,
}

/// For every registered ledger the user's side is waited on in: the states and how many
/// records are in them, counted by the state index (kept until the data changes, so the
/// navigation's badge costs nothing on most pages).
pub async fn waiting(
    st: &AppState,
    user: &store::User,
    scope: &store::Scope,
) -> Result<Vec<Waiting>, AppError> {
    let side = side_of(user);
    let mut out = Vec::new();
    for kind in domain::ledger::REGISTERED {
        let states = kind.waiting_states_of(side, |p| domain::policy::allows(user.role, p));
        if states.is_empty() {
            continue;
        }
        let total = st.store.ledger_count_in(kind, scope, &states).await?;
        out.push(Waiting {
            kind: kind.entity,
            side: side.as_str(),
            total,
            states,
        });
    }
    Ok(out)
}

/// [`waiting`] with the first `per_page` records of each, soonest due first (the inbox).
pub async fn waiting_rows(
    st: &AppState,
    user: &store::User,
    scope: &store::Scope,
    per_page: i64,
) -> Result<Vec<(Waiting, Vec<LedgerRow>)>, AppError> {
    let mut out = Vec::new();
    for w in waiting(st, user, scope).await? {
        let Some(kind) = domain::ledger::REGISTERED
            .into_iter()
            .find(|k| k.entity == w.kind)
        else {
            continue;
        };
        let page = store::PageReq { page: 1, per_page };
        let res = st
            .store
            .ledger_queue(kind, scope, &w.states, st.clock.today(), page)
            .await?;
        out.push((w, res.items));
    }
    Ok(out)
}

/// The decision's comment, required where the step says so (`422` on `comment`).
pub fn reason(
    kind: &'static LedgerKind,
    state: &str,
    action: &str,
    comment: Option<&str>,
) -> Result<(), AppError> {
    match kind.step(state, action) {
        Ok(step) if step.reason_required && comment.is_none_or(|c| c.trim().is_empty()) => {
            Err(AppError::field("comment", domain::FieldError::Required))
        }
        _ => Ok(()),
    }
}

/// Adds an evidence file (checked by content) to an open record; a closed one is final
/// (`409`, checked again by the store in its write).
pub async fn add_evidence(
    st: &AppState,
    caller: &Caller,
    kind: &'static LedgerKind,
    id: i64,
    file_name: Option<&str>,
    bytes: axum::body::Bytes,
) -> Result<LedgerAttachment, AppError> {
    let (actor, row) = begin(st, caller, kind, id, Side::Org).await?;
    if kind.is_final(&row.state) {
        return Err(AppError::Conflict("state"));
    }
    let new: NewAttachment = accept_file(st, file_name, bytes).await?;
    Ok(st
        .store
        .add_ledger_attachment(&actor, &caller.scope, kind, id, &new)
        .await?)
}

/// A short list that is never paged, in the shape of every list.
pub fn whole_list<T>(items: Vec<T>) -> store::Paged<T> {
    let n = items.len() as i64;
    store::Paged {
        items,
        total: n,
        page: 1,
        per_page: n.max(1),
    }
}

/// `{id}` and `{file}` of an attachment path, both integers (else 400).
pub fn two_ids(raw: (String, String)) -> Result<(i64, i64), AppError> {
    match (raw.0.parse(), raw.1.parse()) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        _ => Err(AppError::BadRequest("error.invalid_id", String::new())),
    }
}

/// The stored file of an attachment of a record in scope.
pub async fn download(
    st: &AppState,
    scope: &store::Scope,
    kind: &'static LedgerKind,
    id: i64,
    file: i64,
) -> Result<Response, AppError> {
    let a = st
        .store
        .get_ledger_attachment(scope, kind, id, file)
        .await?;
    files::serve(st, &a).await
}

/// The paths and methods [`evidence_api`] serves for the registered kinds (for the
/// OpenAPI document's test, which reads the other routes from the sources).
pub fn evidence_routes() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for k in domain::ledger::REGISTERED {
        for (path, m) in [
            ("{id}/attachments", "get"),
            ("{id}/attachments", "post"),
            ("{id}/attachments/{file}", "get"),
        ] {
            out.push((format!("{}/{path}", k.path), m.to_string()));
        }
    }
    out
}

/// The evidence routes of a kind, under its API path: `GET, POST {path}/{id}/attachments`
/// (multipart `file`) and `GET {path}/{id}/attachments/{file}`.
pub fn evidence_api(kind: &'static LedgerKind) -> Router<AppState> {
    evidence_routes_with(kind, None)
}

/// How a kind whose evidence files fill a field of the record (`?field=KEY`: a report
/// submission's file fields) stores an upload: scope and permission are checked before.
pub type FieldFiler = fn(
    AppState,
    Caller,
    i64,
    Option<String>,
    Upload,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<LedgerAttachment, AppError>> + Send>,
>;

/// [`evidence_api`] for a kind whose uploads go through `filer`.
pub fn evidence_api_filling(kind: &'static LedgerKind, filer: FieldFiler) -> Router<AppState> {
    evidence_routes_with(kind, Some(filer))
}

fn evidence_routes_with(kind: &'static LedgerKind, filer: Option<FieldFiler>) -> Router<AppState> {
    let list = move |State(st): State<AppState>, caller: Caller, Id(id): Id| async move {
        let items = st
            .store
            .list_ledger_attachments(&caller.scope, kind, id)
            .await?;
        ApiResult::Ok(Json(whole_list(items)).into_response())
    };
    let add = move |State(st): State<AppState>,
                    caller: Caller,
                    Id(id): Id,
                    p: Params,
                    mp: Multipart| async move {
        // Scope and permission before the body is read.
        begin(&st, &caller, kind, id, Side::Org).await?;
        let field = p.str("field").map(str::to_string);
        let up = Upload::from_multipart(mp, st.config.max_upload_bytes).await?;
        let a = match filer {
            Some(filer) => filer(st, caller, id, field, up).await?,
            None => add_evidence(&st, &caller, kind, id, up.file_name.as_deref(), up.bytes).await?,
        };
        ApiResult::Ok((StatusCode::CREATED, Json(a)).into_response())
    };
    let one = move |State(st): State<AppState>,
                    caller: Caller,
                    Path(raw): Path<(String, String)>| async move {
        let (id, file) = two_ids(raw)?;
        download(&st, &caller.scope, kind, id, file).await
    };
    Router::new()
        .route(
            &format!("{}/{{id}}/attachments", kind.path),
            get(list)
                .post(add)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            &format!("{}/{{id}}/attachments/{{file}}", kind.path),
            get(one),
        )
}

/// `{items: [LedgerAttachment], total, page, per_page}`.
fn whole_list_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder};
    use utoipa::openapi::Ref;
    let int = || crate::platform::openapi::filter_schema(domain::list::FilterKind::Integer);
    ObjectBuilder::new()
        .property(
            "items",
            ArrayBuilder::new().items(Ref::from_schema_name("LedgerAttachment")),
        )
        .property("total", int())
        .property("page", int())
        .property("per_page", int())
        .required("items")
        .required("total")
        .required("page")
        .required("per_page")
        .build()
        .into()
}

/// Describes the evidence routes of every registered kind in the OpenAPI document (they are
/// made by [`evidence_api`], not written per kind, so neither is their description).
pub fn document_evidence(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::openapi::{ContentBuilder, PathItem, Ref, Required, ResponseBuilder};
    let int = || crate::platform::openapi::filter_schema(domain::list::FilterKind::Integer);
    let path_param = |name: &str| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Path)
            .required(Required::True)
            .schema(Some(int()))
            .build()
    };
    let err = |code: &str| Ref::from_response_name(format!("E{code}"));
    let json = |schema: &str| {
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(schema)))
            .build()
    };
    for k in domain::ledger::REGISTERED {
        let e = k.entity;
        let list = OperationBuilder::new()
            .summary(Some(format!("Evidence files of a {e}")))
            .operation_id(Some(format!("list_{e}_attachments")))
            .parameter(path_param("id"))
            .response(
                "200",
                ResponseBuilder::new()
                    .description("OK: {items, total, page, per_page}")
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(whole_list_schema()))
                            .build(),
                    ),
            )
            .response("401", err("401"))
            .response("404", err("404"));
        let mut add = OperationBuilder::new()
            .summary(Some(format!(
                "Add an evidence file to an open {e} (the org's own users or admin): multipart `file`, checked by content (PDF, JPEG, PNG, GIF, WebP, HEIC, Office documents); too large → 413, anything else → 422 on file; a closed record → 409{}",
                if k.evidence_field { "; `field`: the file field it fills (required; the field's value becomes the attachment's id); only while draft or returned" } else { "" }
            )))
            .operation_id(Some(format!("add_{e}_attachment")))
            .parameter(path_param("id"));
        if k.evidence_field {
            add = add.parameter(
                ParameterBuilder::new()
                    .name("field")
                    .parameter_in(ParameterIn::Query)
                    .required(Required::True)
                    .schema(Some(crate::platform::openapi::filter_schema(
                        domain::list::FilterKind::Text,
                    )))
                    .build(),
            );
        }
        let add = add
            .request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(Required::True))
                    .content("multipart/form-data", json("FileUpload"))
                    .build(),
            ))
            .response(
                "201",
                ResponseBuilder::new()
                    .description("stored")
                    .content("application/json", json("LedgerAttachment")),
            );
        let add = ["401", "403", "404", "409", "413", "422"]
            .into_iter()
            .fold(add, |op, c| op.response(c, err(c)));
        let one = OperationBuilder::new()
            .summary(Some("Download an evidence file".to_string()))
            .operation_id(Some(format!("download_{e}_attachment")))
            .parameter(path_param("id"))
            .parameter(path_param("file"))
            .response("200", ResponseBuilder::new().description("the file"))
            .response("404", err("404"));
        let mut item = PathItem::new(HttpMethod::Get, list.build());
        item.post = Some(add.build());
        doc.paths
            .paths
            .insert(format!("{}/{{id}}/attachments", k.path), item);
        doc.paths.paths.insert(
            format!("{}/{{id}}/attachments/{{file}}", k.path),
            PathItem::new(HttpMethod::Get, one.build()),
        );
    }
}
