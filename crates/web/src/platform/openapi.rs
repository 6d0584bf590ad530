//! The OpenAPI 3.1 description of API v1, built from the same enums the code uses.

use axum::response::IntoResponse;
use axum::Json;
use domain::{Coverage, Grade, OrgKind, Role, Sector, SocietyKind};
use serde_json::{json, Value};

pub(crate) fn enum_of(codes: &[&str]) -> Value {
    json!({"type": "string", "enum": codes})
}

pub(crate) fn list_of(item: &str) -> Value {
    json!({"type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
        "items": {"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}},
        "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer", "maximum": 500}}})
}

pub(crate) fn op(
    summary: &str,
    params: Value,
    body: Option<&str>,
    ok: (&str, Value),
    errors: &[&str],
) -> Value {
    let mut responses = serde_json::Map::new();
    responses.insert(
        ok.0.to_string(),
        json!({"description": "OK", "content": {"application/json": {"schema": ok.1}}}),
    );
    for e in errors {
        responses.insert(
            e.to_string(),
            json!({"$ref": format!("#/components/responses/E{e}")}),
        );
    }
    let mut o = json!({"summary": summary, "parameters": params, "responses": responses});
    if let Some(b) = body {
        o["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{b}")}}}});
    }
    o
}

pub(crate) fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

pub(crate) fn q(name: &str, schema: Value, desc: &str) -> Value {
    json!({"name": name, "in": "query", "required": false, "schema": schema, "description": desc})
}

pub(crate) fn id() -> Value {
    json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}})
}

pub(crate) fn paging() -> Vec<Value> {
    vec![
        q(
            "page",
            json!({"type": "integer", "minimum": 1, "default": 1}),
            "1-based page",
        ),
        q(
            "per_page",
            json!({"type": "integer", "minimum": 1, "maximum": 500, "default": 50}),
            "page size; values above 500 are capped at 500",
        ),
    ]
}

pub fn document() -> Value {
    let date = json!({"type": ["string", "null"], "format": "date"});
    let mut soc_params = vec![
        q("q", json!({"type": "string"}), "name contains"),
        q("kind", enum_of(SocietyKind::CODES), ""),
        q("sector", enum_of(Sector::CODES), ""),
        q("coverage", enum_of(Coverage::CODES), ""),
        q(
            "party_org_id",
            json!({"type": "integer"}),
            "covering org (exact)",
        ),
        q("should_establish", json!({"type": "boolean"}), ""),
    ];
    soc_params.extend(paging());
    let mut org_params = vec![
        q("q", json!({"type": "string"}), "name contains"),
        q("kind", enum_of(OrgKind::CODES), ""),
        q("parent_id", json!({"type": "integer"}), ""),
    ];
    org_params.extend(paging());
    let file_body = json!({"required": true, "content": {"multipart/form-data": {"schema": {"type": "object",
        "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"]}}}});
    let xlsx = json!({"description": "xlsx", "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}});
    let mut import = op(
        "Import societies (all or nothing)",
        json!([]),
        None,
        ("200", r("ImportResult")),
        &["400", "401", "403", "413"],
    );
    import["requestBody"] = file_body;
    import["responses"]["422"] = json!({"description": "Bad rows (nothing written; ImportResult), or an unreadable file (Error with fields.file)",
        "content": {"application/json": {"schema": {"oneOf": [r("ImportResult"), r("Error")]}}}});
    import["description"] = json!("Header row: 名称, 类型, 领域, 正式党员数, 预备党员数, 党建入章, 党建指导员, 所属党组织. \
        .xlsx, or .csv in UTF-8 (with or without BOM), GB18030 or UTF-16 with BOM; detected by content. Rows upsert by 名称; \
        `updated` counts rows that matched an existing society. Size limit: configuration (default 20 MiB) → 413.");
    json!({
        "openapi": "3.1.0",
        "info": {"title": "dangjian API", "version": "1.0.0",
            "description": "JSON API v1 of the S&T societies party-building platform. Auth: POST /auth/token, then `Authorization: Bearer <token>`. Errors: {\"error\":{\"code\",\"message\",\"fields\"}}; syntax errors 400, wrong types / unknown fields / invalid values 422 naming the field. Messages follow Accept-Language (zh-CN default, en). Writes to the registry: roles admin, committee, branch (within its subtree); inspector and viewer read only."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/openapi.json": {"get": {"summary": "This description (OpenAPI 3.1)", "security": [],
                "responses": {"200": {"description": "the document", "content": {"application/json": {}}}}}},
            "/auth/token": {"post": {
                "summary": "Exchange username and password for a bearer token", "security": [],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["username", "password"],
                    "properties": {"username": {"type": "string"}, "password": {"type": "string"}}}}}},
                "responses": {"200": {"description": "token", "content": {"application/json": {"schema": {"type": "object",
                    "properties": {"token": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"}}}}}},
                    "401": {"$ref": "#/components/responses/E401"}, "429": {"description": "Too many failed attempts (5 in 15 minutes); Retry-After"}}}},
            "/users": {
                "get": op("List users (admin)", Value::Array(paging()), None, ("200", list_of("User")), &["401", "403", "422"]),
                "post": op("Create a user (admin); password ≥ 8 characters; party_org_id required for role branch", json!([]), Some("NewUser"), ("201", r("User")), &["400", "401", "403", "409", "422"])},
            "/audit": {"get": op("Audit log, newest first (admin)", json!([q("entity", json!({"type": "string"}), "society, party_org, user, …"),
                q("entity_id", json!({"type": "integer"}), ""), q("limit", json!({"type": "integer", "maximum": 1000, "default": 200}), "")]),
                None, ("200", json!({"type": "object", "properties": {"items": {"type": "array", "items": r("AuditEntry")}}})), &["401", "403", "422"])},
            "/party-orgs": {
                "get": op("List party orgs in scope", Value::Array(org_params), None, ("200", list_of("PartyOrg")), &["401", "422"]),
                "post": op("Create a party org (403 outside the caller's subtree)", json!([]), Some("PartyOrgInput"), ("201", r("PartyOrg")), &["400", "401", "403", "409", "422"])},
            "/party-orgs/{id}": {
                "get": op("Get a party org", json!([id()]), None, ("200", r("PartyOrg")), &["401", "404"]),
                "patch": op("Change a party org (a cycle in the tree → 422)", json!([id()]), Some("PartyOrgInput"), ("200", r("PartyOrg")), &["400", "401", "403", "404", "409", "422"]),
                "delete": op("Soft-delete a party org (409 while it has child orgs, covered societies or users)", json!([id()]), None, ("204", json!({})), &["401", "403", "404", "409"])},
            "/societies": {
                "get": op("List societies in scope", Value::Array(soc_params), None, ("200", list_of("Society")), &["401", "422"]),
                "post": op("Create a society", json!([]), Some("SocietyInput"), ("201", r("Society")), &["400", "401", "403", "409", "422"])},
            "/societies/{id}": {
                "get": op("Get a society", json!([id()]), None, ("200", r("Society")), &["401", "404"]),
                "patch": op("Change a society", json!([id()]), Some("SocietyInput"), ("200", r("Society")), &["400", "401", "403", "404", "409", "422"]),
                "delete": op("Soft-delete a society", json!([id()]), None, ("204", json!({})), &["401", "403", "404"])},
            "/stats/coverage": {"get": op("Coverage figures for the scope or an org's subtree",
                json!([q("party_org_id", json!({"type": "integer"}), "subtree root")]), None, ("200", r("CoverageStats")), &["401", "404", "422"])},
            "/checks": {"get": op("Rule checks in scope", json!([q("rule", enum_of(&["uncovered", "should_establish", "joint_branch_too_many_units",
                "branch_too_large", "term_expired", "term_expiring", "secretary_standing"]), "only this rule")]), None,
                ("200", json!({"type": "object", "properties": {"items": {"type": "array", "items": r("Check")}}})), &["401", "422"])},
            "/import/societies/template": {"get": {"summary": "Import template (.xlsx)", "responses": {"200": xlsx.clone(), "401": {"$ref": "#/components/responses/E401"}}}},
            "/import/societies": {"post": import},
            "/export/societies.xlsx": {"get": {"summary": "Export societies in scope; round-trips through the import", "responses": {"200": xlsx, "401": {"$ref": "#/components/responses/E401"}}}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "E400": {"description": "Malformed request (JSON syntax, non-integer id)", "content": {"application/json": {"schema": r("Error")}}},
                "E401": {"description": "Missing or bad token", "content": {"application/json": {"schema": r("Error")}}},
                "E403": {"description": "Role may not do this, or target outside scope", "content": {"application/json": {"schema": r("Error")}}},
                "E404": {"description": "Absent or outside the caller's scope", "content": {"application/json": {"schema": r("Error")}}},
                "E409": {"description": "Conflict (duplicate name, still in use)", "content": {"application/json": {"schema": r("Error")}}},
                "E413": {"description": "Body too large", "content": {"application/json": {"schema": r("Error")}}},
                "E422": {"description": "Validation; `fields` names each bad field", "content": {"application/json": {"schema": r("Error")}}},
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"}, "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}}},
                "PartyOrg": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string", "maxLength": 100}, "kind": enum_of(OrgKind::CODES),
                    "parent_id": {"type": ["integer", "null"]}, "secretary": {"type": ["string", "null"]}, "secretary_joined_on": date,
                    "secretary_cross_appointed": {"type": "boolean"}, "established_on": date, "term_ends_on": date,
                    "full_members": {"type": "integer", "minimum": 0}, "probationary_members": {"type": "integer", "minimum": 0},
                    "grade": {"type": ["string", "null"], "enum": [Grade::CODES[0], Grade::CODES[1], Grade::CODES[2], null]}}},
                "PartyOrgInput": {"description": "On POST name and kind are required (parent_id too unless kind is committee); on PATCH every field is optional and null clears a nullable field. Unknown fields → 422.", "allOf": [r("PartyOrg")]},
                "Society": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string", "maxLength": 100}, "kind": enum_of(SocietyKind::CODES),
                    "sector": enum_of(Sector::CODES), "full_members": {"type": "integer", "minimum": 0},
                    "probationary_members": {"type": "integer", "minimum": 0}, "charter_has_party_building": {"type": "boolean"},
                    "instructor": {"type": ["string", "null"]}, "party_org_id": {"type": ["integer", "null"]},
                    "coverage": {"readOnly": true, "allOf": [enum_of(Coverage::CODES)]}, "should_establish": {"type": "boolean", "readOnly": true}}},
                "SocietyInput": {"description": "On POST name is required; kind defaults to society, sector to other, counts to 0. coverage and should_establish are derived: a client may echo them back and they are ignored, but an unknown coverage code or a non-boolean should_establish is still 422.", "allOf": [r("Society")]},
                "CoverageStats": {"type": "object", "properties": {"societies": {"type": "integer"}, "covered": {"type": "integer"},
                    "coverage_rate": {"type": "number"}, "org_covered": {"type": "integer", "description": "covered by a party organization (own_branch, joint_branch, functional_branch)"}, "org_coverage_rate": {"type": "number"}, "by_coverage": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "charter_rate": {"type": "number"}, "should_establish": {"type": "integer"},
                    "by_sector": {"type": "object", "additionalProperties": {"type": "integer"}, "description": "extension: societies per sector"}}},
                "Check": {"type": "object", "properties": {"rule": {"type": "string"}, "party_org_id": {"type": ["integer", "null"]},
                    "society_id": {"type": ["integer", "null"]}, "message": {"type": "string"}}},
                "ImportResult": {"type": "object", "properties": {"created": {"type": "integer"}, "updated": {"type": "integer"},
                    "errors": {"type": "array", "items": {"type": "object", "properties": {"row": {"type": "integer"}, "column": {"type": "string"}, "message": {"type": "string"}}}}}},
                "User": {"type": "object", "properties": {"id": {"type": "integer"}, "username": {"type": "string"}, "role": enum_of(Role::CODES),
                    "party_org_id": {"type": ["integer", "null"]}, "created_at": {"type": "string", "format": "date-time"}}},
                "NewUser": {"type": "object", "required": ["username", "password", "role"], "properties": {"username": {"type": "string"},
                    "password": {"type": "string", "minLength": 8}, "role": enum_of(Role::CODES), "party_org_id": {"type": ["integer", "null"]}}},
                "AuditEntry": {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}, "actor": {"type": "string"},
                    "action": enum_of(&["create", "update", "delete"]), "entity": {"type": "string"}, "entity_id": {"type": ["integer", "null"]},
                    "before": {}, "after": {}, "request_id": {"type": "string"}}},
            }
        }
    })
}

/// The whole description: M1 and the platform above, each later module's paths and schemas
/// added by its own API file.
pub fn full_document() -> Value {
    let mut doc = document();
    crate::modules::life::api::openapi(&mut doc);
    crate::modules::work::api::openapi(&mut doc);
    doc
}

/// Adds `paths` and `schemas` (JSON objects) to the description.
pub(crate) fn extend(doc: &mut Value, paths: Value, schemas: Value) {
    for (key, add) in [("paths", paths), ("schemas", schemas)] {
        let target = if key == "paths" {
            &mut doc["paths"]
        } else {
            &mut doc["components"]["schemas"]
        };
        if let (Some(t), Value::Object(a)) = (target.as_object_mut(), add) {
            t.extend(a);
        }
    }
}

pub async fn spec() -> impl IntoResponse {
    Json(full_document())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// Every (path, method) the API routers serve, read from their source.
    fn served() -> BTreeSet<(String, String)> {
        let sources = [
            include_str!("../api/mod.rs"),
            include_str!("../modules/registry/mod.rs"),
            include_str!("../modules/admin/mod.rs"),
            include_str!("../modules/life/api.rs"),
            include_str!("../modules/work/api.rs"),
        ];
        let mut out = BTreeSet::new();
        for src in sources {
            // the registry and admin files hold their page routes too
            let src = src.split("pub fn page_router").next().unwrap_or(src);
            let mut rest = src;
            while let Some(at) = rest.find(".route(") {
                rest = &rest[at + 7..];
                let end = [".route(", ".merge(", ".fallback(", "\n}\n"]
                    .iter()
                    .filter_map(|p| rest.find(p))
                    .min()
                    .unwrap_or(rest.len());
                let def = &rest[..end];
                let Some(path) = def.split('"').nth(1) else {
                    continue;
                };
                for m in ["get", "post", "patch", "delete"] {
                    let called = def.match_indices(&format!("{m}(")).any(|(i, _)| {
                        !def[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                    });
                    if called {
                        out.insert((path.to_string(), m.to_string()));
                    }
                }
            }
        }
        out
    }

    /// The document cannot drift from the router: every route and method it serves is
    /// described, nothing else is, and the document is OpenAPI 3.1 in shape.
    #[test]
    fn the_document_lists_every_route_the_router_serves() {
        let doc = super::full_document();
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
        let mut described = BTreeSet::new();
        for (path, ops) in doc["paths"].as_object().expect("paths") {
            for (method, op) in ops.as_object().expect("operations") {
                assert!(
                    op["responses"].is_object(),
                    "{method} {path} has no responses"
                );
                described.insert((path.clone(), method.clone()));
            }
        }
        let mut served = served();
        served.extend(crate::platform::ledger::evidence_routes());
        assert!(served.len() > 60, "{served:?}");
        let missing: Vec<_> = served.difference(&described).collect();
        let extra: Vec<_> = described.difference(&served).collect();
        assert!(missing.is_empty(), "served but not described: {missing:?}");
        assert!(extra.is_empty(), "described but not served: {extra:?}");
        // every $ref points at a component that exists
        let text = doc.to_string();
        for part in text.split("\"$ref\":\"#/components/").skip(1) {
            let r = part.split('"').next().unwrap_or("");
            let mut at = &doc["components"];
            for seg in r.split('/') {
                at = &at[seg];
            }
            assert!(!at.is_null(), "dangling $ref {r}");
        }
    }
}
