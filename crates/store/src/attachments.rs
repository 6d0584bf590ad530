//! Attachments (附件): files kept with a record, checked by content and stored outside the
//! database under their SHA-256; one table for every owner. The owners listed in
//! [`AttachmentOwner`] share one mechanism: add, list, and `GET`/`DELETE /attachments/{id}`,
//! each scope-checked through the owner's org. (A ledger record's evidence lives in the same
//! table but is served under its record, see `crate::ledger`.)

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{Actor, Result, Scope};

/// What an attachment belongs to: its `owner` in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentOwner {
    /// An activity record (M2).
    Activity,
    /// A campaign record (M7).
    CampaignRecord,
    /// A liaison's visit: photos, notes (M9).
    Visit,
    /// The files of a research report (M9).
    ResearchReport,
}

impl AttachmentOwner {
    pub const ALL: [AttachmentOwner; 4] = [
        AttachmentOwner::Activity,
        AttachmentOwner::CampaignRecord,
        AttachmentOwner::Visit,
        AttachmentOwner::ResearchReport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentOwner::Activity => "activity",
            AttachmentOwner::CampaignRecord => "campaign_record",
            AttachmentOwner::Visit => "visit",
            AttachmentOwner::ResearchReport => "research_report",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// A file's facts once it is checked and stored; the bytes live outside the database.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: i64,
    pub owner: AttachmentOwner,
    /// The id of the owning record.
    pub owner_id: i64,
    /// The activity's id, for an activity's file (as v1 answered before other records had
    /// files); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity_id: Option<i64>,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

/// A file kept in `files_dir` under its SHA-256, whoever owns it (an activity, a campaign
/// record, a ledger record): what serving it needs.
pub trait StoredFile {
    fn sha256(&self) -> &str;
    fn content_type(&self) -> &str;
    fn file_name(&self) -> &str;
}

macro_rules! stored_file {
    ($($t:ty),+) => {$(
        impl StoredFile for $t {
            fn sha256(&self) -> &str {
                &self.sha256
            }
            fn content_type(&self) -> &str {
                &self.content_type
            }
            fn file_name(&self) -> &str {
                &self.file_name
            }
        }
    )+};
}

stored_file!(Attachment, crate::ledger::LedgerAttachment);

#[async_trait]
pub trait AttachmentStore: Send + Sync {
    /// `Ok` when the owning record is live and in scope (`NotFound` otherwise): what a
    /// handler checks before the role, so that scope never leaks existence.
    async fn attachment_owner(&self, scope: &Scope, owner: AttachmentOwner, id: i64) -> Result<()>;
    /// Adds a file to a live record in scope (`NotFound` otherwise).
    async fn add_attachment(
        &self,
        actor: &Actor,
        scope: &Scope,
        owner: AttachmentOwner,
        owner_id: i64,
        a: &NewAttachment,
    ) -> Result<Attachment>;
    /// The record's files, oldest first (`NotFound` when it is not in scope).
    async fn list_attachments(
        &self,
        scope: &Scope,
        owner: AttachmentOwner,
        owner_id: i64,
    ) -> Result<Vec<Attachment>>;
    /// A file of any owner above whose record is live and in scope.
    async fn get_attachment(&self, scope: &Scope, id: i64) -> Result<Attachment>;
    /// Soft-deletes a file ([`AttachmentStore::get_attachment`]'s rules).
    async fn delete_attachment(&self, actor: &Actor, scope: &Scope, id: i64) -> Result<()>;
}
