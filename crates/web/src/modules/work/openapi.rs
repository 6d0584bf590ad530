//! The work module's part of the OpenAPI description: the handlers it lists, and the
//! request and response shapes that are built by hand rather than typed.

use domain::work::{ReviewDecision, VerifyDecision};
use store::work::LedgerSort;
use utoipa::{OpenApi, ToSchema};

use crate::platform::openapi::ListParams;

pub(super) use crate::platform::openapi::{
    IdPath, Paging, E400, E401, E403, E404, E409, E413, E422,
};

/// `POST /work-plans/import` as JSON.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(super) struct WorkPlanImport {
    title: Option<String>,
    year: Option<i64>,
    text: String,
}

/// `POST /work-plans/import` as multipart.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(super) struct WorkPlanFile {
    /// .txt (UTF-8, UTF-8 BOM, GB18030, UTF-16 BOM) or .docx, detected by content
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    title: Option<String>,
    year: Option<i64>,
}

/// A numbering problem of an imported plan.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub(super) enum WarningKind {
    Gap,
    Repeat,
    OutOfOrder,
    SectionGap,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub(super) struct PlanWarning {
    kind: WarningKind,
    message: String,
}

/// An imported (or, with `dry_run`, only parsed: `id` null) work plan with its warnings.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(super) struct ImportedPlan {
    id: Option<i64>,
    title: String,
    year: i32,
    sections: Vec<store::work::WorkSection>,
    warnings: Vec<PlanWarning>,
}

/// `POST /assignments/{id}/review`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct ReviewInput {
    decision: ReviewDecision,
    comment: Option<String>,
}

/// `POST /rectifications/{id}/verify`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(super) struct VerifyInput {
    decision: VerifyDecision,
    comment: Option<String>,
}

/// The task ledger's filters, as `AssignmentFilter` declares them.
pub(super) type AssignmentQuery = ListParams<store::work::AssignmentFilter>;

/// The rectification ledger's filters, as `RectificationFilter` declares them.
pub(super) type RectificationQuery = ListParams<store::work::RectificationFilter>;

/// The period and number of a bulletin, as `BulletinQuery` declares them.
pub(super) type BulletinQuery = ListParams<super::bulletins::BulletinQuery>;

// LedgerSort appears only in query parameters, whose schemas utoipa does not collect.
#[derive(OpenApi)]
#[openapi(
    components(schemas(
        LedgerSort,
        store::ledger::LedgerAttachment,
        store::ledger::LedgerEvent,
        crate::platform::openapi::FileUpload
    )),
    paths(
        super::api::import_plan,
        super::api::list_plans,
        super::api::get_plan,
        super::api::update_plan,
        super::api::delete_plan,
        super::api_tasks::list_tasks,
        super::api_tasks::create_task,
        super::api_tasks::get_task,
        super::api_tasks::list_assignments,
        super::api_tasks::get_assignment,
        super::api_tasks::list_reports,
        super::api_tasks::create_report,
        super::api_tasks::review,
        super::api_tasks::export_assignments,
        super::api_supervision::list_inspections,
        super::api_supervision::create_inspection,
        super::api_supervision::get_inspection,
        super::api_supervision::create_inspection_finding,
        super::api_supervision::create_finding,
        super::api_supervision::list_rectifications,
        super::api_supervision::get_rectification,
        super::api_supervision::submit,
        super::api_supervision::verify,
        super::api_supervision::rectification_bulletin,
        super::api_supervision::task_bulletin,
        super::api_supervision::issue_rectification_bulletin,
        super::api_supervision::issue_task_bulletin,
        super::api_supervision::rectification_stats,
        super::api_supervision::export_rectifications,
    )
)]
pub(crate) struct WorkApi;
