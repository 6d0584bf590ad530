//! M8: the office-holder register (a branch keeps its own org's subtree).

use async_trait::async_trait;
use chrono::NaiveDate;
use domain::training::{NewOfficeHolder, Position};
use serde::Serialize;

use crate::{Actor, PageReq, Paged, Result, Scope};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct OfficeHolder {
    pub id: i64,
    pub name: String,
    pub party_org_id: i64,
    pub position: Position,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
}

impl OfficeHolder {
    pub fn def(&self) -> NewOfficeHolder {
        NewOfficeHolder {
            name: self.name.clone(),
            party_org_id: self.party_org_id,
            position: self.position,
            since: self.since,
            until: self.until,
        }
    }
}

domain::list_filter! {
    /// Filters of the office-holder register.
    pub struct OfficeHolderFilter {
        /// of this org (exact)
        party_org_id: i64,
        /// in this position
        position: Position,
        /// in position on some day of this year
        year: i64,
    }
}

#[async_trait]
pub trait TrainingStore: Send + Sync {
    /// The org must exist (`Invalid` on `party_org_id`) and lie in scope (`Forbidden`).
    async fn create_office_holder(
        &self,
        actor: &Actor,
        scope: &Scope,
        h: NewOfficeHolder,
    ) -> Result<OfficeHolder>;
    async fn update_office_holder(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        h: NewOfficeHolder,
    ) -> Result<OfficeHolder>;
    async fn delete_office_holder(&self, actor: &Actor, scope: &Scope, id: i64) -> Result<()>;
    async fn get_office_holder(&self, scope: &Scope, id: i64) -> Result<OfficeHolder>;
    /// In scope, by org in tree order, then position and name.
    async fn list_office_holders(
        &self,
        scope: &Scope,
        f: &OfficeHolderFilter,
        page: PageReq,
    ) -> Result<Paged<OfficeHolder>>;
}
