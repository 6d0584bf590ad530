//! The campaigns module's part of the OpenAPI description.

use utoipa::OpenApi;

use crate::platform::openapi::ListParams;

/// The campaign list's filters, as `CampaignFilter` declares them.
pub(super) type CampaignQuery = ListParams<store::campaigns::CampaignFilter>;
/// A campaign's record list's filters, as `RecordFilter` declares them.
pub(super) type RecordQuery = ListParams<store::campaigns::RecordFilter>;

#[derive(OpenApi)]
#[openapi(paths(
    super::api::list_campaigns,
    super::api::create_campaign,
    super::api::get_campaign,
    super::api::update_campaign,
    super::api::list_participants,
    super::api::add_participant,
    super::api::delete_participant,
    super::api::list_records,
    super::api::create_record,
    super::api::get_record,
    super::api::update_record,
    super::api::delete_record,
    super::api::add_record_attachment,
    super::api::list_record_attachments,
    super::api::campaign_progress,
))]
pub(crate) struct CampaignsApi;
