//! M1 endpoints: party orgs, societies, coverage figures, rule checks, import and export.

use domain::policy::Permission;
use std::collections::HashMap;

use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::{PartyOrgPatch, SocietyPatch};
use serde_json::json;
use store::{OrgFilter, SocietyFilter, StoreError};

use crate::modules::registry::sheets as registry_io;
use crate::platform::auth::Caller;
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::{ApiJson, Id, Params, Upload};
use crate::platform::i18n::Lang;
use crate::platform::openapi::{
    Error, FileUpload, IdPath, Items, ListParams, Paging, E400, E401, E403, E404, E409, E413, E422,
};
use crate::AppState;

#[utoipa::path(
    get,
    path = "/party-orgs",
    summary = "List party orgs in scope",
    params(ListParams<store::OrgFilter>, Paging),
    responses((status = 200, description = "OK", body = store::Paged<domain::PartyOrg>), E401, E422),
)]
pub async fn list_orgs(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let f: OrgFilter = p.filter();
    let page = p.page();
    p.finish()?;
    Ok(Json(st.store.list_orgs(&caller.scope, &f, page).await?))
}

#[utoipa::path(
    get,
    path = "/party-orgs/{id}",
    summary = "Get a party org",
    params(IdPath),
    responses((status = 200, description = "OK", body = domain::PartyOrg), E401, E404),
)]
pub async fn get_org(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_org(&caller.scope, id).await?))
}

#[utoipa::path(
    post,
    path = "/party-orgs",
    summary = "Create a party org (403 outside the caller's subtree)",
    request_body = PartyOrgPatch,
    responses((status = 201, description = "OK", body = domain::PartyOrg), E400, E401, E403, E409, E422),
)]
pub async fn create_org(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PartyOrgPatch>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::EditRegistry)?;
    let org = st.store.create_org(&actor, &caller.scope, &body).await?;
    Ok((StatusCode::CREATED, Json(org)))
}

#[utoipa::path(
    patch,
    path = "/party-orgs/{id}",
    summary = "Change a party org (a cycle in the tree → 422)",
    params(IdPath),
    request_body = PartyOrgPatch,
    responses((status = 200, description = "OK", body = domain::PartyOrg), E400, E401, E403, E404, E409, E422),
)]
pub async fn update_org(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<PartyOrgPatch>,
) -> ApiResult<impl IntoResponse> {
    // Existence (in scope) is answered before the role: scope never leaks.
    st.store.get_org(&caller.scope, id).await?;
    let actor = caller.may(Permission::EditRegistry)?;
    Ok(Json(
        st.store
            .update_org(&actor, &caller.scope, id, &body)
            .await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/party-orgs/{id}",
    summary = "Soft-delete a party org (409 while it has child orgs, covered societies or users)",
    params(IdPath),
    responses((status = 204, description = "Deleted"), E401, E403, E404, E409),
)]
pub async fn delete_org(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    st.store.get_org(&caller.scope, id).await?;
    let actor = caller.may(Permission::EditRegistry)?;
    st.store.delete_org(&actor, &caller.scope, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The societies filter from query parameters; shared with the pages.
pub fn society_filter(p: &mut Params) -> SocietyFilter {
    p.filter()
}

#[utoipa::path(
    get,
    path = "/societies",
    summary = "List societies in scope",
    params(ListParams<SocietyFilter>, Paging),
    responses((status = 200, description = "OK", body = store::Paged<domain::Society>), E401, E422),
)]
pub async fn list_societies(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let f = society_filter(&mut p);
    let page = p.page();
    p.finish()?;
    Ok(Json(
        st.store.list_societies(&caller.scope, &f, page).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/societies/{id}",
    summary = "Get a society",
    params(IdPath),
    responses((status = 200, description = "OK", body = domain::Society), E401, E404),
)]
pub async fn get_society(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_society(&caller.scope, id).await?))
}

#[utoipa::path(
    post,
    path = "/societies",
    summary = "Create a society",
    request_body = SocietyPatch,
    responses((status = 201, description = "OK", body = domain::Society), E400, E401, E403, E409, E422),
)]
pub async fn create_society(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<SocietyPatch>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::EditRegistry)?;
    let s = st
        .store
        .create_society(&actor, &caller.scope, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(s)))
}

#[utoipa::path(
    patch,
    path = "/societies/{id}",
    summary = "Change a society",
    params(IdPath),
    request_body = SocietyPatch,
    responses((status = 200, description = "OK", body = domain::Society), E400, E401, E403, E404, E409, E422),
)]
pub async fn update_society(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<SocietyPatch>,
) -> ApiResult<impl IntoResponse> {
    st.store.get_society(&caller.scope, id).await?;
    let actor = caller.may(Permission::EditRegistry)?;
    Ok(Json(
        st.store
            .update_society(&actor, &caller.scope, id, &body)
            .await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/societies/{id}",
    summary = "Soft-delete a society",
    params(IdPath),
    responses((status = 204, description = "Deleted"), E401, E403, E404),
)]
pub async fn delete_society(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    st.store.get_society(&caller.scope, id).await?;
    let actor = caller.may(Permission::EditRegistry)?;
    st.store.delete_society(&actor, &caller.scope, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/stats/coverage",
    summary = "Coverage figures for the scope or an org's subtree",
    params(("party_org_id" = Option<i64>, Query, description = "subtree root")),
    responses((status = 200, description = "OK", body = store::CoverageStats), E401, E404, E422),
)]
pub async fn coverage_stats(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let org = p.i64("party_org_id");
    p.finish()?;
    Ok(Json(st.store.coverage_stats(&caller.scope, org).await?))
}

/// Runs the rule checks for a scope; shared with the dashboard.
pub async fn run_checks(
    st: &AppState,
    scope: &store::Scope,
) -> Result<Vec<domain::checks::Check>, AppError> {
    let orgs = st.store.all_orgs(scope).await?;
    let facts = st.store.society_facts(scope).await?;
    let channels = st.store.channel_facts(scope).await?;
    let today = st.clock.today();
    let mut out = domain::checks::run(&orgs, &facts, &st.config.rules, today);
    // M10's rules follow the registry's (ordered by rule, then subject)
    out.extend(domain::checks::run_channels(
        &channels,
        &st.config.rules,
        today,
    ));
    Ok(out)
}

pub fn check_message(c: &domain::checks::Check, lang: Lang) -> String {
    let value = domain::validate::parse_date(&c.value)
        .map(|d| lang.date(d))
        .unwrap_or_else(|| c.value.clone());
    let key = match c.rule {
        // a channel never reviewed has no date to quote
        domain::checks::Rule::ChannelReviewOverdue if c.value.is_empty() => {
            "check.channel_review_overdue_never".to_string()
        }
        r => format!("check.{}", r.as_str()),
    };
    lang.tf(&key, &[&c.subject, &value])
}

/// One finding of the rule checks, as `/checks` lists it.
#[derive(utoipa::ToSchema)]
#[schema(as = Check)]
#[allow(dead_code)]
pub(crate) struct CheckItem {
    rule: domain::checks::Rule,
    party_org_id: Option<i64>,
    society_id: Option<i64>,
    message: String,
}

#[utoipa::path(
    get,
    path = "/checks",
    summary = "Rule checks in scope",
    params(("rule" = Option<domain::checks::Rule>, Query, description = "only this rule")),
    responses((status = 200, description = "OK", body = Items<CheckItem>), E401, E422),
)]
pub async fn checks(
    State(st): State<AppState>,
    caller: Caller,
    lang: Lang,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let rule = p.code(
        "rule",
        domain::checks::Rule::parse,
        domain::checks::Rule::CODES,
    );
    p.finish()?;
    let items: Vec<_> = run_checks(&st, &caller.scope)
        .await?
        .into_iter()
        .filter(|c| rule.is_none_or(|r| r == c.rule))
        .map(|c| {
            json!({
                "rule": c.rule.as_str(),
                "party_org_id": c.party_org_id,
                "society_id": c.society_id,
                "message": check_message(&c, lang),
            })
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

pub fn xlsx_response(bytes: Vec<u8>, file_name: &str) -> Response {
    file_response(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        file_name,
        "xlsx",
    )
}

/// A download: the body, its type, and `Content-Disposition` with the name in UTF-8
/// (RFC 5987) and an ASCII fallback, both ending in `.{ext}` whatever the name carried.
pub fn file_response(bytes: Vec<u8>, content_type: &str, file_name: &str, ext: &str) -> Response {
    let stem = file_name
        .strip_suffix(&format!(".{ext}"))
        .unwrap_or(file_name);
    let ascii: String = stem
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let ascii = if ascii.is_empty() {
        "download".to_string()
    } else {
        ascii
    };
    let disposition = format!(
        "attachment; filename=\"{ascii}.{ext}\"; filename*=UTF-8''{}.{ext}",
        crate::platform::extract::url_encode(stem)
    );
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

#[utoipa::path(
    get,
    path = "/import/societies/template",
    summary = "Import template (.xlsx)",
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), E401),
)]
pub async fn import_template(_caller: Caller) -> ApiResult<Response> {
    Ok(xlsx_response(
        registry_io::template_xlsx()?,
        "社团导入模板.xlsx",
    ))
}

#[utoipa::path(
    get,
    path = "/export/societies.xlsx",
    summary = "Export societies in scope; round-trips through the import",
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), E401),
)]
pub async fn export_societies(State(st): State<AppState>, caller: Caller) -> ApiResult<Response> {
    societies_xlsx(&st, &caller.scope, None).await
}

/// The societies ledger (社团名册) of a scope; for the API and the page.
pub async fn societies_xlsx(
    st: &AppState,
    scope: &store::Scope,
    title: Option<sheet::Title>,
) -> Result<Response, AppError> {
    let rows = st.store.export_societies(scope).await?;
    sheet_response("社团名册.xlsx", move || {
        registry_io::export_xlsx(rows, title)
    })
    .await
}

/// The unit a ledger or bulletin is kept by: `[bulletin] issuer` for committee-wide
/// callers, else the org at the root of the caller's scope (or the first committee).
pub async fn keeping_unit(
    st: &AppState,
    scope: &store::Scope,
) -> Result<Option<domain::PartyOrg>, AppError> {
    Ok(match scope {
        store::Scope::Subtree { root, .. } => st.store.get_org(scope, *root).await.ok(),
        store::Scope::All => st
            .store
            .list_orgs(
                scope,
                &store::OrgFilter {
                    kind: Some(domain::OrgKind::Committee),
                    ..Default::default()
                },
                store::PageReq {
                    page: 1,
                    per_page: 1,
                },
            )
            .await?
            .items
            .into_iter()
            .next(),
    })
}

/// The title rows of a ledger downloaded from a page (as people keep it): its name, then
/// the unit and the day of export. API exports have none: their header is row 1.
pub async fn ledger_title(
    st: &AppState,
    scope: &store::Scope,
    lang: crate::platform::i18n::Lang,
    name: &str,
) -> Result<sheet::Title, AppError> {
    let configured = matches!(scope, store::Scope::All)
        .then(|| st.config.bulletin.issuer.clone())
        .flatten();
    let unit = match configured {
        Some(u) => u,
        None => keeping_unit(st, scope)
            .await?
            .map(|o| o.name)
            .unwrap_or_else(|| lang.t("app.name").to_string()),
    };
    Ok(sheet::Title {
        text: name.to_string(),
        note: lang.tf("ledger.title_note", &[&unit, &lang.date(st.clock.today())]),
    })
}

/// A sheet built off the async threads (writing xlsx is CPU work), as a download.
pub async fn sheet_response(
    file_name: &str,
    build: impl FnOnce() -> Result<Vec<u8>, AppError> + Send + 'static,
) -> Result<Response, AppError> {
    let bytes = tokio::task::spawn_blocking(build)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(xlsx_response(bytes, file_name))
}

#[utoipa::path(
    get,
    path = "/export/party-orgs.xlsx",
    summary = "The party-org ledger (党组织名册): every org in scope in tree order with its parent, kind, secretary, dates, member counts and grade",
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), E401),
)]
pub async fn export_orgs(State(st): State<AppState>, caller: Caller) -> ApiResult<Response> {
    orgs_xlsx(&st, &caller.scope, None).await
}

/// The party-org ledger of a scope; for the API and the page.
pub async fn orgs_xlsx(
    st: &AppState,
    scope: &store::Scope,
    title: Option<sheet::Title>,
) -> Result<Response, AppError> {
    let orgs = st.store.all_orgs(scope).await?;
    sheet_response("党组织名册.xlsx", move || {
        registry_io::orgs_xlsx(orgs, title)
    })
    .await
}

/// What an import answers: the counts, and the errors by row and column.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct ImportResult {
    created: i64,
    updated: i64,
    errors: Vec<registry_io::ImportError>,
}

/// A failed import: bad rows, or a file that could not be read.
#[derive(utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub(crate) enum ImportFailure {
    Rows(ImportResult),
    Unreadable(Error),
}

/// The outcome of an import: `200` with counts, or `422` with the errors by row and column.
pub async fn import_bytes(
    st: &AppState,
    caller: &Caller,
    lang: Lang,
    bytes: &[u8],
) -> Result<Response, AppError> {
    let actor = caller.may(Permission::EditRegistry)?;
    // Parsing a large sheet is CPU work: keep it off the async threads.
    let owned = bytes.to_vec();
    let table = tokio::task::spawn_blocking(move || registry_io::read_upload(&owned))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let orgs: HashMap<String, i64> = st
        .store
        .all_orgs(&caller.scope)
        .await?
        .into_iter()
        .map(|o| (o.name, o.id))
        .collect();
    let failed = |errors: Vec<registry_io::ImportError>| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"created": 0, "updated": 0, "errors": errors})),
        )
            .into_response()
    };
    let rows = match registry_io::parse_rows(&table, &orgs, lang) {
        Ok(rows) => rows,
        Err(errors) => return Ok(failed(errors)),
    };
    match st.store.import_societies(&actor, &caller.scope, rows).await {
        Ok(o) => Ok(
            Json(json!({"created": o.created, "updated": o.updated, "errors": []})).into_response(),
        ),
        Err(StoreError::Rows(errors)) => {
            Ok(failed(registry_io::translate_row_errors(errors, lang)))
        }
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(
    post,
    path = "/import/societies",
    summary = "Import societies (all or nothing)",
    description = "Header row: 名称, 类型, 领域, 正式党员数, 预备党员数, 党建入章, 党建指导员, 所属党组织. \
        .xlsx, or .csv in UTF-8 (with or without BOM), GB18030 or UTF-16 with BOM; detected by content. Rows upsert by 名称; \
        `updated` counts rows that matched an existing society. Size limit: configuration (default 20 MiB) → 413.",
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "OK", body = ImportResult),
        E400, E401, E403, E413,
        (status = 422, description = "Bad rows (nothing written; ImportResult), or an unreadable file (Error with fields.file)", body = ImportFailure),
    ),
)]
pub async fn import_societies(
    State(st): State<AppState>,
    caller: Caller,
    lang: Lang,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Response> {
    let mp = mp.map_err(|_| AppError::BadRequest("error.multipart", String::new()))?;
    let upload = Upload::from_multipart(mp, st.config.max_upload_bytes).await?;
    import_bytes(&st, &caller, lang, &upload.bytes).await
}

/// The registry's part of the description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_orgs,
    create_org,
    get_org,
    update_org,
    delete_org,
    list_societies,
    create_society,
    get_society,
    update_society,
    delete_society,
    coverage_stats,
    checks,
    import_template,
    import_societies,
    export_societies,
    export_orgs,
))]
pub(crate) struct RegistryApi;
