//! The reports module's part of the OpenAPI description.

use utoipa::OpenApi;

use crate::platform::openapi::ListParams;

/// The submissions' filters, as `SubmissionFilter` declares them.
pub(super) type SubmissionQuery = ListParams<store::reports::SubmissionFilter>;

/// The projects' filters, as `ProjectFilter` declares them.
pub(super) type ProjectQuery = ListParams<store::reports::ProjectFilter>;

#[derive(OpenApi)]
#[openapi(
    components(schemas(domain::reports::FieldDef, domain::reports::Indicator)),
    paths(
        super::api::list_forms,
        super::api::create_form,
        super::api::get_form,
        super::api::update_form,
        super::api::list_submissions,
        super::api::create_submission,
        super::api::get_submission,
        super::api::update_submission,
        super::api::submit,
        super::api::review,
        super::api::report_stats,
        super::api::export_submissions,
        super::api::list_projects,
        super::api::create_project,
        super::api::get_project,
        super::api::update_project,
        super::api::list_expenditures,
        super::api::add_expenditure,
    )
)]
pub(crate) struct ReportsApi;
