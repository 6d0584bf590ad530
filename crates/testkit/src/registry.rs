//! Registry helpers of the API tests: orgs and societies made as admin, the lists read back,
//! uploads and imports.

use serde_json::{json, Value};

use crate::{merge, Resp, TestApp};

impl TestApp {
    /// Creates a party org as admin; `extra` fields are merged into the body.
    pub async fn org(&self, name: &str, kind: &str, parent: Option<i64>) -> i64 {
        self.org_with(name, kind, parent, json!({})).await
    }

    pub async fn org_with(&self, name: &str, kind: &str, parent: Option<i64>, extra: Value) -> i64 {
        let mut body = json!({"name": name, "kind": kind, "parent_id": parent});
        merge(&mut body, extra);
        self.post("/api/v1/party-orgs", &self.admin, body)
            .await
            .expect(201)
            .id()
    }

    /// Creates a society as admin; `extra` fields are merged into the body.
    pub async fn society(&self, name: &str, org: Option<i64>, extra: Value) -> Value {
        let mut body =
            json!({"name": name, "kind": "society", "sector": "other", "party_org_id": org});
        merge(&mut body, extra);
        self.post("/api/v1/societies", &self.admin, body)
            .await
            .expect(201)
            .json
    }

    /// Every society the token sees, as the list returns it.
    pub async fn all_societies(&self, token: &str) -> Vec<Value> {
        self.get("/api/v1/societies?per_page=500", token)
            .await
            .expect(200)
            .items()
            .clone()
    }

    pub async fn society_names(&self, token: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .all_societies(token)
            .await
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    }

    pub async fn org_names(&self, token: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .get("/api/v1/party-orgs?per_page=500", token)
            .await
            .expect(200)
            .items()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    }

    /// Records an activity as admin (`POST /activities`, 201); returns it.
    pub async fn record(&self, activity: Value) -> Value {
        self.post("/api/v1/activities", &self.admin, activity)
            .await
            .expect(201)
            .json
    }

    pub async fn upload(&self, token: &str, field: &str, file_name: &str, bytes: &[u8]) -> Resp {
        self.upload_to("/api/v1/import/societies", token, field, file_name, bytes)
            .await
    }

    /// Imports `bytes` as the `file` field.
    pub async fn import(&self, token: &str, bytes: &[u8]) -> Resp {
        self.upload(token, "file", "societies.xlsx", bytes).await
    }

    pub async fn audit_count(&self) -> usize {
        self.get("/api/v1/audit?limit=1000", &self.admin)
            .await
            .expect(200)
            .items()
            .len()
    }
}
