//! The liaison module's part of the OpenAPI description.

use utoipa::OpenApi;

use crate::platform::openapi::ListParams;

/// The lists' filters, as their `list_filter!` declarations give them.
pub(super) type LiaisonQuery = ListParams<store::liaison::LiaisonFilter>;
pub(super) type VisitQuery = ListParams<store::liaison::VisitFilter>;
pub(super) type ResearchReportQuery = ListParams<store::liaison::ResearchReportFilter>;
pub(super) type CaseQuery = ListParams<store::liaison::CaseFilter>;

#[derive(OpenApi)]
#[openapi(paths(
    super::api::list_liaisons,
    super::api::create_liaison,
    super::api::get_liaison,
    super::api::update_liaison,
    super::api::delete_liaison,
    super::api::liaison_stats,
    super::api::list_visits,
    super::api::create_visit,
    super::api::get_visit,
    super::api::update_visit,
    super::api::add_visit_attachment,
    super::api::list_visit_attachments,
    super::api::list_research_reports,
    super::api::create_research_report,
    super::api::get_research_report,
    super::api::update_research_report,
    super::api::add_research_report_attachment,
    super::api::list_research_report_attachments,
    super::api::list_cases,
    super::api::create_case,
    super::api::get_case,
    super::api::update_case,
))]
pub(crate) struct LiaisonApi;
