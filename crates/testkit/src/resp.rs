//! A response with its body read: as bytes, as text and (when it is JSON) parsed.

use axum::http::{header, HeaderMap, StatusCode};
use serde_json::Value;

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
    /// The body as text (lossy UTF-8), for pages.
    pub body: String,
    /// The body parsed as JSON, `Null` when it is not JSON.
    pub json: Value,
}

impl Resp {
    pub fn new(status: StatusCode, headers: HeaderMap, bytes: Vec<u8>) -> Resp {
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Resp {
            status,
            headers,
            bytes,
            body,
            json,
        }
    }

    /// Asserts the status, printing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }

    /// Asserts the status and the error envelope `{"error":{"code","message",...}}`.
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str) -> Self {
        let r = self.expect(status);
        let err = &r.json["error"];
        assert!(err.is_object(), "no error envelope: {}", r.json);
        assert_eq!(err["code"], code, "error code: {}", r.json);
        assert!(
            err["message"].as_str().is_some_and(|m| !m.is_empty()),
            "error message missing: {}",
            r.json
        );
        if let Some(f) = err.get("fields") {
            assert!(f.is_object(), "fields must be an object: {}", r.json);
        }
        let keys: Vec<&String> = err.as_object().unwrap().keys().collect();
        for k in keys {
            assert!(
                ["code", "message", "fields"].contains(&k.as_str()),
                "unexpected key {k} in error: {}",
                r.json
            );
        }
        r
    }

    /// Asserts a 422 whose `fields` names `field`.
    #[track_caller]
    pub fn expect_field(self, field: &str) -> Self {
        let r = self.expect_error(422, "validation");
        assert!(
            r.json["error"]["fields"][field].is_string(),
            "field {field} not named: {}",
            r.json
        );
        r
    }

    pub fn id(&self) -> i64 {
        self.json["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no id in {}", self.json))
    }

    pub fn items(&self) -> &Vec<Value> {
        self.json["items"]
            .as_array()
            .unwrap_or_else(|| panic!("no items in {}", self.json))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `Location` header, empty when there is none.
    pub fn location(&self) -> &str {
        self.header(header::LOCATION.as_str()).unwrap_or("")
    }

    /// `name=value` of the `Set-Cookie` that sets `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(|c| c.split(';').next().unwrap_or("").to_string())
    }

    /// The value of the page's first hidden `csrf` field.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a csrf field")
            + 19;
        self.body[at..].split('"').next().unwrap_or("").to_string()
    }
}
