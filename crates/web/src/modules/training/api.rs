//! M8 endpoints: the office-holder register. Only people in party posts are named
//! (PRODUCT.md); a branch keeps its own subtree's, every change audited.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use domain::policy::Permission;
use domain::training::{AttendanceInput, CourseInput, OfficeHolderInput};
use serde_json::{Map, Value};

use crate::modules::reports::api::merged;
use crate::platform::auth::Caller;
use crate::platform::error::{ApiResult, AppError};
use crate::platform::extract::{ApiJson, Id, Params, Upload};
use crate::platform::i18n::Lang;
use crate::platform::ledger::{two_ids, whole_list};
use crate::platform::openapi::{E400, E401, E403, E404, E413, E422};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/office-holders",
            get(list_office_holders).post(create_office_holder),
        )
        .route(
            "/office-holders/{id}",
            get(get_office_holder)
                .patch(update_office_holder)
                .delete(delete_office_holder),
        )
        .route("/courses", get(list_courses).post(create_course))
        .route("/courses/{id}", get(get_course).patch(update_course))
        .route(
            "/courses/{id}/attendance",
            get(list_attendance).post(add_attendance),
        )
        .route(
            "/courses/{id}/attendance/{office_holder_id}",
            delete(delete_attendance),
        )
        .route("/training/hours", get(training_hours))
        .route("/import/attendance/template", get(attendance_template))
        .route(
            "/import/attendance",
            post(import_attendance).layer(DefaultBodyLimit::disable()),
        )
        .route("/export/office-holders.xlsx", get(export_office_holders))
        .route("/export/training-hours.xlsx", get(export_training_hours))
}

#[utoipa::path(
    get,
    path = "/training/hours",
    summary = "The yearly hours of the office-holders in position on some day of `year` (in scope; `party_org_id`: that org's subtree): required = the position's hours ([rules] training_hours_leaders / training_hours_others) × days in position / days in the year, rounded up; done = hours of attended courses ending in the year",
    params(
        ("year" = i64, Query, description = "the year"),
        ("party_org_id" = Option<i64>, Query, description = "of this org's subtree"),
    ),
    responses((status = 200, description = "OK", body = store::training::TrainingHours), crate::platform::openapi::E401, crate::platform::openapi::E404, crate::platform::openapi::E422),
)]
pub async fn training_hours(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let year = p.i64("year");
    let org = p.i64("party_org_id");
    p.finish()?;
    let year = hours_year(year)?;
    Ok(Json(
        st.store.training_hours(&caller.scope, year, org).await?,
    ))
}

/// The year of the hours ledger: required, and a plausible one.
pub fn hours_year(year: Option<i64>) -> Result<i32, AppError> {
    use domain::{FieldError, FieldErrors};
    match year {
        None => Err(AppError::Validation(FieldErrors::single(
            "year",
            FieldError::Required,
        ))),
        Some(y) if !(1949..=2200).contains(&y) => Err(AppError::field(
            "year",
            FieldError::OutOfRange {
                min: Some("1949".into()),
                max: Some("2200".into()),
            },
        )),
        Some(y) => Ok(y as i32),
    }
}

#[utoipa::path(
    get,
    path = "/import/attendance/template",
    summary = "The sign-in sheet's template (.xlsx): header 姓名, 所属党组织, 学时",
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), E401),
)]
pub async fn attendance_template(_caller: Caller) -> ApiResult<Response> {
    Ok(crate::modules::registry::api::xlsx_response(
        super::sheets::template_xlsx()?,
        "参训签到表模板.xlsx",
    ))
}

#[utoipa::path(
    post,
    path = "/import/attendance",
    summary = "Import a course's sign-in sheet as its attendance (admin, committee; all or nothing)",
    description = "Header row: 姓名, 所属党组织, 学时 (学时 may be left out). .xlsx, or .csv in UTF-8 (with or without BOM), \
        GB18030 or UTF-16 with BOM; detected by content, as for the societies import. A row names an office-holder by exact \
        name and the exact name of an org in the caller's scope; the person must be in position on some day of the course. \
        学时: a number with at most one decimal, > 0 and no more than the course's (empty: the course's). An unknown person, \
        two of that name in that org (enter them by hand), one already attending or named twice in the sheet is an error on \
        its row. `created` counts the attendance written (`updated` is always 0). Each attendance is audited as one added by hand.",
    params(("course_id" = i64, Query, description = "the course")),
    request_body(content = crate::platform::openapi::FileUpload, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "OK", body = crate::modules::registry::api::ImportResult),
        E400, E401, E403, E404, E413,
        (status = 422, description = "Bad rows (nothing written; ImportResult), an unreadable file (Error with fields.file) or no course_id", body = crate::modules::registry::api::ImportFailure),
    ),
)]
pub async fn import_attendance(
    State(st): State<AppState>,
    caller: Caller,
    lang: Lang,
    mut p: Params,
    mp: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    let course = p.i64("course_id");
    p.finish()?;
    let course = course.ok_or_else(|| {
        AppError::Validation(domain::FieldErrors::single(
            "course_id",
            domain::FieldError::Required,
        ))
    })?;
    let mp = mp.map_err(|_| AppError::BadRequest("error.multipart", String::new()))?;
    let upload = Upload::from_multipart(mp, st.config.max_upload_bytes).await?;
    super::sheets::import_bytes(&st, &caller, lang, course, &upload.bytes).await
}

#[utoipa::path(
    get,
    path = "/export/office-holders.xlsx",
    summary = "The office-holder register (党务干部名册) in scope, with the list's filters: name, org, position, since, until, in position today, id",
    params(super::openapi::OfficeHolderQuery),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), E401, E422),
)]
pub async fn export_office_holders(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<Response> {
    let f = p.filter();
    p.finish()?;
    super::sheets::register_xlsx(&st, &caller.scope, &f, None).await
}

#[utoipa::path(
    get,
    path = "/export/training-hours.xlsx",
    summary = "The year's hours ledger (培训学时台账) as GET /training/hours answers it: name, org, position, required, done, short, met",
    params(
        ("year" = i64, Query, description = "the year"),
        ("party_org_id" = Option<i64>, Query, description = "of this org's subtree"),
    ),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), E401, E404, E422),
)]
pub async fn export_training_hours(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<Response> {
    let year = p.i64("year");
    let org = p.i64("party_org_id");
    p.finish()?;
    let year = hours_year(year)?;
    let items = st
        .store
        .training_hours(&caller.scope, year, org)
        .await?
        .items;
    super::sheets::hours_xlsx(
        &st,
        &caller.scope,
        super::sheets::hours_sheet_name(year),
        items,
        None,
    )
    .await
}

#[utoipa::path(
    get,
    path = "/office-holders",
    summary = "The office-holders in scope, by org in tree order",
    params(super::openapi::OfficeHolderQuery, crate::platform::openapi::Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::training::OfficeHolder>), crate::platform::openapi::E401, crate::platform::openapi::E422),
)]
pub async fn list_office_holders(
    State(st): State<AppState>,
    caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let f = p.filter();
    let page = p.page();
    p.finish()?;
    Ok(Json(
        st.store
            .list_office_holders(&caller.scope, &f, page)
            .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/office-holders",
    summary = "Name an office-holder (admin, committee, and branch users for orgs in their subtree): position secretary|deputy_secretary|committee_member|party_worker; until before since → 422",
    request_body = domain::training::OfficeHolderInput,
    responses((status = 201, description = "OK", body = store::training::OfficeHolder), crate::platform::openapi::E400, crate::platform::openapi::E401, crate::platform::openapi::E403, crate::platform::openapi::E422),
)]
pub async fn create_office_holder(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<OfficeHolderInput>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::EditRegistry)?;
    let h = body.validate()?;
    Ok((
        StatusCode::CREATED,
        Json(
            st.store
                .create_office_holder(&actor, &caller.scope, h)
                .await?,
        ),
    ))
}

#[utoipa::path(
    get,
    path = "/office-holders/{id}",
    summary = "An office-holder",
    params(crate::platform::openapi::IdPath),
    responses((status = 200, description = "OK", body = store::training::OfficeHolder), crate::platform::openapi::E401, crate::platform::openapi::E404),
)]
pub async fn get_office_holder(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_office_holder(&caller.scope, id).await?))
}

#[utoipa::path(
    patch,
    path = "/office-holders/{id}",
    summary = "Change an office-holder (the keys given replace)",
    params(crate::platform::openapi::IdPath),
    request_body = domain::training::OfficeHolderInput,
    responses((status = 200, description = "OK", body = store::training::OfficeHolder), crate::platform::openapi::E400, crate::platform::openapi::E401, crate::platform::openapi::E403, crate::platform::openapi::E404, crate::platform::openapi::E422),
)]
pub async fn update_office_holder(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(patch): ApiJson<Map<String, Value>>,
) -> ApiResult<impl IntoResponse> {
    let cur = st.store.get_office_holder(&caller.scope, id).await?;
    let actor = caller.may(Permission::EditRegistry)?;
    let input: OfficeHolderInput = merged(&cur.def().input(), patch)?;
    let h = input.validate()?;
    Ok(Json(
        st.store
            .update_office_holder(&actor, &caller.scope, id, h)
            .await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/office-holders/{id}",
    summary = "Remove an office-holder from the register (soft; the audit log keeps it)",
    params(crate::platform::openapi::IdPath),
    responses((status = 204, description = "deleted"), crate::platform::openapi::E401, crate::platform::openapi::E403, crate::platform::openapi::E404),
)]
pub async fn delete_office_holder(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    st.store.get_office_holder(&caller.scope, id).await?;
    let actor = caller.may(Permission::EditRegistry)?;
    st.store
        .delete_office_holder(&actor, &caller.scope, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- courses

#[utoipa::path(
    get,
    path = "/courses",
    summary = "Courses, latest first (every role reads them)",
    params(crate::platform::openapi::Paging),
    responses((status = 200, description = "OK", body = store::Paged<store::training::Course>), crate::platform::openapi::E401, crate::platform::openapi::E422),
)]
pub async fn list_courses(
    State(st): State<AppState>,
    _caller: Caller,
    mut p: Params,
) -> ApiResult<impl IntoResponse> {
    let page = p.page();
    p.finish()?;
    Ok(Json(st.store.list_courses(page).await?))
}

#[utoipa::path(
    post,
    path = "/courses",
    summary = "A course (admin, committee): kind class|lecture|online|other, hours > 0 (one decimal), ends_on not before starts_on",
    request_body = domain::training::CourseInput,
    responses((status = 201, description = "OK", body = store::training::Course), crate::platform::openapi::E400, crate::platform::openapi::E401, crate::platform::openapi::E403, crate::platform::openapi::E422),
)]
pub async fn create_course(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<CourseInput>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::ManageCourses)?;
    let k = body.validate()?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.create_course(&actor, k).await?),
    ))
}

#[utoipa::path(
    get,
    path = "/courses/{id}",
    summary = "A course",
    params(crate::platform::openapi::IdPath),
    responses((status = 200, description = "OK", body = store::training::Course), crate::platform::openapi::E401, crate::platform::openapi::E404),
)]
pub async fn get_course(
    State(st): State<AppState>,
    _caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(st.store.get_course(id).await?))
}

#[utoipa::path(
    patch,
    path = "/courses/{id}",
    summary = "Change a course (admin, committee): the keys given replace",
    params(crate::platform::openapi::IdPath),
    request_body = domain::training::CourseInput,
    responses((status = 200, description = "OK", body = store::training::Course), crate::platform::openapi::E400, crate::platform::openapi::E401, crate::platform::openapi::E403, crate::platform::openapi::E404, crate::platform::openapi::E422),
)]
pub async fn update_course(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(patch): ApiJson<Map<String, Value>>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.may(Permission::ManageCourses)?;
    let cur = st.store.get_course(id).await?;
    let input: CourseInput = merged(&cur.def().input(), patch)?;
    let k = input.validate()?;
    Ok(Json(st.store.update_course(&actor, id, k).await?))
}

#[utoipa::path(
    get,
    path = "/courses/{id}/attendance",
    summary = "A course's attendance of the office-holders in scope",
    params(crate::platform::openapi::IdPath),
    responses((status = 200, description = "OK: {items, total, page, per_page}", body = store::Paged<store::training::Attendance>), crate::platform::openapi::E401, crate::platform::openapi::E404),
)]
pub async fn list_attendance(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(whole_list(
        st.store.list_attendance(&caller.scope, id).await?,
    )))
}

#[utoipa::path(
    post,
    path = "/courses/{id}/attendance",
    summary = "Record an office-holder's attendance (admin, committee): hours default to the course's; more than the course's → 422; the same person twice → 409",
    params(crate::platform::openapi::IdPath),
    request_body = domain::training::AttendanceInput,
    responses((status = 201, description = "OK", body = store::training::Attendance), crate::platform::openapi::E400, crate::platform::openapi::E401, crate::platform::openapi::E403, crate::platform::openapi::E404, crate::platform::openapi::E409, crate::platform::openapi::E422),
)]
pub async fn add_attendance(
    State(st): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<AttendanceInput>,
) -> ApiResult<impl IntoResponse> {
    let course = st.store.get_course(id).await?;
    let actor = caller.may(Permission::ManageCourses)?;
    let (holder, hours) = body.validate(course.hours_tenths)?;
    Ok((
        StatusCode::CREATED,
        Json(
            st.store
                .add_attendance(&actor, &caller.scope, id, holder, hours)
                .await?,
        ),
    ))
}

#[utoipa::path(
    delete,
    path = "/courses/{id}/attendance/{office_holder_id}",
    summary = "Remove an attendance (admin, committee)",
    params(
        ("id" = i64, Path, description = "the course"),
        ("office_holder_id" = i64, Path, description = "the office-holder"),
    ),
    responses((status = 204, description = "deleted"), crate::platform::openapi::E400, crate::platform::openapi::E401, crate::platform::openapi::E403, crate::platform::openapi::E404),
)]
pub async fn delete_attendance(
    State(st): State<AppState>,
    caller: Caller,
    Path(raw): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    let (id, holder) = two_ids(raw)?;
    st.store.get_course(id).await?;
    let actor = caller.may(Permission::ManageCourses)?;
    st.store
        .delete_attendance(&actor, &caller.scope, id, holder)
        .await
        .map_err(AppError::from)?;
    Ok(StatusCode::NO_CONTENT)
}
