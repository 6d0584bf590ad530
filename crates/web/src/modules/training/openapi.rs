//! The training module's part of the OpenAPI description.

use utoipa::OpenApi;

use crate::platform::openapi::ListParams;

/// The register's filters, as `OfficeHolderFilter` declares them.
pub(super) type OfficeHolderQuery = ListParams<store::training::OfficeHolderFilter>;

#[derive(OpenApi)]
#[openapi(paths(
    super::api::list_office_holders,
    super::api::create_office_holder,
    super::api::get_office_holder,
    super::api::update_office_holder,
    super::api::delete_office_holder,
    super::api::list_courses,
    super::api::create_course,
    super::api::get_course,
    super::api::update_course,
    super::api::list_attendance,
    super::api::add_attendance,
    super::api::delete_attendance,
    super::api::training_hours,
    super::api::attendance_template,
    super::api::import_attendance,
    super::api::export_office_holders,
    super::api::export_training_hours,
))]
pub(crate) struct TrainingApi;
