//! The work module's part of the OpenAPI description: the handlers it lists, and the
//! request and response shapes that are built by hand rather than typed.

use chrono::NaiveDate;
use domain::work::{AssignmentState, RectificationState, ReviewDecision, Severity, VerifyDecision};
use store::work::LedgerSort;
use utoipa::{IntoParams, OpenApi, ToSchema};

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
pub(super) struct ReviewInput {
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

/// The task ledger's filters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(super) struct AssignmentQuery {
    /// the assignment's org (exact)
    party_org_id: Option<i64>,
    task_id: Option<i64>,
    state: Option<AssignmentState>,
    /// not accepted and today after due_on
    overdue: Option<bool>,
    /// due_on on or after
    from: Option<NaiveDate>,
    /// due_on on or before
    to: Option<NaiveDate>,
    /// id (default), due_on, -due_on, org (place in the tree)
    sort: Option<LedgerSort>,
}

/// The rectification ledger's filters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(super) struct RectificationQuery {
    /// the owner org (exact)
    party_org_id: Option<i64>,
    inspection_id: Option<i64>,
    state: Option<RectificationState>,
    severity: Option<Severity>,
    /// not verified and today after due_on
    overdue: Option<bool>,
    /// found_on on or after
    from: Option<NaiveDate>,
    /// found_on on or before
    to: Option<NaiveDate>,
    /// id (default), due_on, -due_on, org (place in the tree)
    sort: Option<LedgerSort>,
}

/// The period and number of a bulletin.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(super) struct BulletinQuery {
    /// period start (default 1 January of this year)
    from: Option<NaiveDate>,
    /// period end (default today)
    to: Option<NaiveDate>,
    /// 发文字号, e.g. 渝科协社党发〔2023〕11号
    doc_number: Option<String>,
}

/// `{id}` and `{file}` of an evidence file's path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub(super) struct FilePath {
    id: i64,
    file: i64,
}

// LedgerSort appears only in query parameters, whose schemas utoipa does not collect.
#[derive(OpenApi)]
#[openapi(
    components(schemas(LedgerSort)),
    paths(
        super::api::import_plan,
        super::api::list_plans,
        super::api::get_plan,
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
        super::api_tasks::list_assignment_files,
        super::api_tasks::add_assignment_file,
        super::api_tasks::download_assignment_file,
        super::api_tasks::list_rectification_files,
        super::api_tasks::add_rectification_file,
        super::api_tasks::download_rectification_file,
        super::api_supervision::rectification_bulletin,
        super::api_supervision::task_bulletin,
        super::api_supervision::rectification_stats,
        super::api_supervision::export_rectifications,
    )
)]
pub(crate) struct WorkApi;
