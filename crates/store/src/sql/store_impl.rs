//! `Store` for `SqlStore`: each call runs its sync query function off the async threads.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::checks::SocietyFacts;
use domain::{PartyOrg, PartyOrgPatch, Society, SocietyPatch};

use super::{platform as pf, registry as rg, SqlStore};
use crate::*;

#[async_trait]
impl Store for SqlStore {
    async fn user_count(&self) -> Result<i64> {
        self.read(|c, _| pf::user_count(c)).await
    }
    async fn create_user(&self, actor: &Actor, new: NewUser) -> Result<User> {
        let actor = actor.clone();
        self.write(move |tx, _| pf::create_user(tx, &actor, &new))
            .await
    }
    async fn set_password(&self, actor: &Actor, username: &str, hash: &str) -> Result<()> {
        let (actor, username, hash) = (actor.clone(), username.to_string(), hash.to_string());
        self.write(move |tx, _| pf::set_password(tx, &actor, &username, &hash))
            .await
    }
    async fn change_own_password(
        &self,
        actor: &Actor,
        user_id: i64,
        hash: &str,
        keep: &str,
    ) -> Result<()> {
        let (actor, hash, keep) = (actor.clone(), hash.to_string(), keep.to_string());
        self.write(move |tx, _| pf::change_own_password(tx, &actor, user_id, &hash, &keep))
            .await
    }
    async fn list_users(&self) -> Result<Vec<User>> {
        self.read(|c, _| pf::list_users(c)).await
    }
    async fn credentials(&self, username: &str) -> Result<Option<(User, String)>> {
        let username = username.to_string();
        self.read(move |c, _| pf::credentials(c, &username)).await
    }
    async fn create_session(&self, s: NewSession) -> Result<()> {
        self.write(move |tx, _| pf::create_session(tx, &s)).await
    }
    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SessionUser>> {
        let token_hash = token_hash.to_string();
        self.read_small(move |c, _| pf::session(c, &token_hash, now))
            .await
    }
    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let token_hash = token_hash.to_string();
        self.write(move |tx, _| pf::delete_session(tx, &token_hash))
            .await
    }
    async fn list_api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        self.read(move |c, _| pf::list_api_tokens(c, user_id)).await
    }
    async fn login_failures(
        &self,
        key: &str,
        window_start: DateTime<Utc>,
    ) -> Result<Option<(i64, DateTime<Utc>)>> {
        let key = key.to_string();
        self.read(move |c, _| pf::login_failures(c, &key, window_start))
            .await
    }
    async fn login_failed(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window_start: DateTime<Utc>,
    ) -> Result<()> {
        let key = key.to_string();
        self.write(move |tx, _| pf::login_failed(tx, &key, now, window_start))
            .await
    }
    async fn login_succeeded(&self, key: &str) -> Result<()> {
        let key = key.to_string();
        self.write(move |tx, _| pf::login_succeeded(tx, &key)).await
    }
    async fn claim_daily_job(
        &self,
        job: &str,
        day: chrono::NaiveDate,
        server: &str,
    ) -> Result<bool> {
        let (job, server) = (job.to_string(), server.to_string());
        self.write(move |tx, _| pf::claim_daily_job(tx, &job, day, &server))
            .await
    }
    async fn revoke_api_token(&self, actor: &Actor, user_id: i64, id: i64) -> Result<()> {
        let actor = actor.clone();
        self.write(move |tx, _| pf::revoke_api_token(tx, &actor, user_id, id))
            .await
    }

    async fn list_orgs(
        &self,
        scope: &Scope,
        f: &OrgFilter,
        page: PageReq,
    ) -> Result<Paged<PartyOrg>> {
        let (scope, f) = (scope.clone(), f.clone());
        self.read(move |c, _| rg::list_orgs(c, &scope, &f, page))
            .await
    }
    async fn all_orgs(&self, scope: &Scope) -> Result<Vec<PartyOrg>> {
        let scope = scope.clone();
        self.read(move |c, _| rg::all_orgs(c, &scope)).await
    }
    async fn get_org(&self, scope: &Scope, id: i64) -> Result<PartyOrg> {
        let scope = scope.clone();
        self.read(move |c, _| rg::get_org(c, &scope, id)).await
    }
    async fn org_names(
        &self,
        scope: &Scope,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, String>> {
        let (scope, ids) = (scope.clone(), ids.to_vec());
        self.read(move |c, _| rg::org_names(c, &scope, &ids)).await
    }
    async fn org_counts(&self, ids: &[i64]) -> Result<std::collections::HashMap<i64, (i64, i64)>> {
        let ids = ids.to_vec();
        self.read(move |c, _| rg::org_counts(c, &ids)).await
    }
    async fn org_count(&self, scope: &Scope) -> Result<i64> {
        let scope = scope.clone();
        self.read(move |c, _| rg::org_count(c, &scope)).await
    }
    async fn create_org(
        &self,
        actor: &Actor,
        scope: &Scope,
        p: &PartyOrgPatch,
    ) -> Result<PartyOrg> {
        let (actor, scope, p) = (actor.clone(), scope.clone(), p.clone());
        self.write(move |tx, _| rg::create_org(tx, &actor, &scope, &p))
            .await
    }
    async fn update_org(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        p: &PartyOrgPatch,
    ) -> Result<PartyOrg> {
        let (actor, scope, p) = (actor.clone(), scope.clone(), p.clone());
        self.write(move |tx, _| rg::update_org(tx, &actor, &scope, id, &p))
            .await
    }
    async fn delete_org(&self, actor: &Actor, scope: &Scope, id: i64) -> Result<()> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, _| rg::delete_org(tx, &actor, &scope, id))
            .await
    }

    async fn list_societies(
        &self,
        scope: &Scope,
        f: &SocietyFilter,
        page: PageReq,
    ) -> Result<Paged<Society>> {
        let (scope, f) = (scope.clone(), f.clone());
        self.read(move |c, r| rg::list_societies(c, r, &scope, &f, page))
            .await
    }
    async fn get_society(&self, scope: &Scope, id: i64) -> Result<Society> {
        let scope = scope.clone();
        self.read(move |c, r| rg::get_society(c, r, &scope, id))
            .await
    }
    async fn create_society(
        &self,
        actor: &Actor,
        scope: &Scope,
        p: &SocietyPatch,
    ) -> Result<Society> {
        let (actor, scope, p) = (actor.clone(), scope.clone(), p.clone());
        self.write(move |tx, r| rg::create_society(tx, r, &actor, &scope, &p))
            .await
    }
    async fn update_society(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        p: &SocietyPatch,
    ) -> Result<Society> {
        let (actor, scope, p) = (actor.clone(), scope.clone(), p.clone());
        self.write(move |tx, r| rg::update_society(tx, r, &actor, &scope, id, &p))
            .await
    }
    async fn delete_society(&self, actor: &Actor, scope: &Scope, id: i64) -> Result<()> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, r| rg::delete_society(tx, r, &actor, &scope, id))
            .await
    }
    async fn import_societies(
        &self,
        actor: &Actor,
        scope: &Scope,
        rows: Vec<ImportRow>,
    ) -> Result<ImportOutcome> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, r| rg::import_societies(tx, r, &actor, &scope, &rows))
            .await
    }
    async fn export_societies(&self, scope: &Scope) -> Result<Vec<(Society, Option<String>)>> {
        let scope = scope.clone();
        self.read(move |c, r| rg::export_societies(c, r, &scope))
            .await
    }
    async fn society_facts(&self, scope: &Scope) -> Result<Vec<SocietyFacts>> {
        let scope = scope.clone();
        self.read(move |c, _| rg::society_facts(c, &scope)).await
    }
    async fn coverage_stats(
        &self,
        scope: &Scope,
        party_org_id: Option<i64>,
    ) -> Result<CoverageStats> {
        let scope = scope.clone();
        self.read(move |c, r| rg::coverage_stats(c, r, &scope, party_org_id))
            .await
    }

    async fn grade_counts(
        &self,
        scope: &Scope,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<GradeCounts> {
        let scope = scope.clone();
        self.read(move |c, _| rg::grade_counts(c, &scope, as_of))
            .await
    }

    async fn audit(
        &self,
        entity: Option<&str>,
        entity_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        let entity = entity.map(str::to_string);
        self.read(move |c, _| pf::audit_list(c, entity.as_deref(), entity_id, limit))
            .await
    }
    async fn bulk_load(
        &self,
        actor: &Actor,
        orgs: Vec<BulkOrg>,
        societies: Vec<BulkSociety>,
    ) -> Result<()> {
        let actor = actor.clone();
        self.write(move |tx, _| rg::bulk_load(tx, &actor, &orgs, &societies))
            .await
    }
    async fn backup(&self, path: &std::path::Path) -> Result<()> {
        if path.exists() {
            return Err(StoreError::Conflict("path"));
        }
        self.backup_to(path).await
    }
}
