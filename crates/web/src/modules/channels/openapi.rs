//! The channel register's part of the OpenAPI description.

use utoipa::OpenApi;

use crate::platform::openapi::ListParams;

/// The register's filters, as `ChannelFilter` declares them.
pub(super) type ChannelQuery = ListParams<store::channels::ChannelFilter>;

#[derive(OpenApi)]
#[openapi(paths(
    super::api::list_channels,
    super::api::create_channel,
    super::api::get_channel,
    super::api::update_channel,
    super::api::delete_channel,
    super::api::list_channel_reviews,
    super::api::add_channel_review,
))]
pub(crate) struct ChannelsApi;
