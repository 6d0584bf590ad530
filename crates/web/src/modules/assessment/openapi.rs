//! The assessment module's part of the OpenAPI description.

use utoipa::OpenApi;

use crate::platform::openapi::ListParams;

/// The assessment list's filters, as `AssessmentFilter` declares them.
pub(super) type AssessmentQuery = ListParams<store::assessment::AssessmentFilter>;

/// `?scheme_id=`: the scheme assessed (required).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(super) struct SchemeQuery {
    scheme_id: i64,
}

/// `{scheme_id}`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub(super) struct SchemePath {
    scheme_id: i64,
}

#[derive(OpenApi)]
#[openapi(paths(
    super::api::list_schemes,
    super::api::create_scheme,
    super::api::get_scheme,
    super::api::update_scheme,
    super::api::finalize_scheme,
    super::api::list_assessments,
    super::api::put_score,
    super::api::put_grade,
    super::api::org_grades,
))]
pub(crate) struct AssessmentApi;
