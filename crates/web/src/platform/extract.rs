//! Request extractors that answer bad input in the contract's error shape: malformed JSON →
//! 400, JSON of the wrong shape → 422 naming the field, oversized body → 413, bad ids → 400.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use domain::{FieldError, FieldErrors};
use serde::de::DeserializeOwned;
use store::PageReq;

use crate::platform::error::AppError;

/// Largest JSON body accepted.
pub const JSON_LIMIT: usize = 1024 * 1024;

/// A JSON body, read and checked by the rules above.
pub struct ApiJson<T>(pub T);

/// Parses JSON bytes into `T`, mapping errors to the contract.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| AppError::BadRequest("error.malformed_json", e.to_string()))?;
    if let Some((field, c)) = control_char(&value, "") {
        return Err(AppError::Validation(FieldErrors::single(
            if field.is_empty() { "body" } else { &field },
            FieldError::Malformed {
                detail: format!("contains the control character U+{:04X}", c as u32),
            },
        )));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if let Some(rest) = inner.strip_prefix("unknown field `") {
            let name = rest.split('`').next().unwrap_or("");
            // The path already ends at the unknown key (`colour`, `outer.colour`).
            let field = if path == "." {
                name.to_string()
            } else if path == name || path.ends_with(&format!(".{name}")) {
                path
            } else {
                format!("{path}.{name}")
            };
            return AppError::Validation(FieldErrors::single(&field, FieldError::UnknownField));
        }
        let field = if path == "." {
            "body".to_string()
        } else {
            path
        };
        AppError::Validation(FieldErrors::single(
            &field,
            FieldError::Malformed { detail: inner },
        ))
    })
}

/// The first string (its path) holding a control character other than tab, line feed and
/// carriage return: no record keeps one, and PostgreSQL cannot store U+0000 at all.
fn control_char(v: &serde_json::Value, path: &str) -> Option<(String, char)> {
    let bad = |s: &str| {
        s.chars()
            .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    };
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        serde_json::Value::String(s) => bad(s).map(|c| (path.to_string(), c)),
        serde_json::Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, v)| control_char(v, &format!("{path}[{i}]"))),
        serde_json::Value::Object(m) => m.iter().find_map(|(k, v)| {
            bad(k)
                .map(|c| (join(k), c))
                .or_else(|| control_char(v, &join(k)))
        }),
        _ => None,
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let declared = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or("?").to_ascii_lowercase());
        let bytes = axum::body::to_bytes(req.into_body(), JSON_LIMIT)
            .await
            .map_err(|_| AppError::PayloadTooLarge(JSON_LIMIT))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(AppError::BadRequest(
                "error.malformed_json",
                "empty body".into(),
            ));
        }
        // JSON is `application/json` or a `+json` type; a body declared as anything else
        // (text/plain, a form, multipart) is refused before it is read. A body that declares
        // no type is read as JSON, as scripts and older integrations send it.
        let essence = declared
            .as_deref()
            .map(|t| t.split(';').next().unwrap_or("").trim());
        let is_json = essence.is_none_or(|t| {
            t == "application/json" || (t.starts_with("application/") && t.ends_with("+json"))
        });
        if !is_json {
            return Err(AppError::UnsupportedMediaType("application/json"));
        }
        parse_json(&bytes).map(ApiJson)
    }
}

/// An integer id from the path.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::BadRequest("error.invalid_id", String::new()))?;
        raw.parse::<i64>()
            .map(Id)
            .map_err(|_| AppError::BadRequest("error.invalid_id", String::new()))
    }
}

/// Query parameters, read leniently and validated field by field (errors → 422).
pub struct Params {
    map: HashMap<String, String>,
    pub errors: FieldErrors,
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q)
            .map_err(|e| AppError::BadRequest("error.bad_request", e.to_string()))?;
        Ok(Params {
            map: pairs.into_iter().collect(),
            errors: FieldErrors::new(),
        })
    }
}

impl Params {
    pub fn from_map(map: HashMap<String, String>) -> Self {
        Params {
            map,
            errors: FieldErrors::new(),
        }
    }

    /// The trimmed value, `None` when absent or empty.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.map
            .get(key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn i64(&mut self, key: &str) -> Option<i64> {
        let v = self.str(key)?;
        match v.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                self.errors.add(
                    key,
                    FieldError::WrongType {
                        expected: "integer",
                    },
                );
                None
            }
        }
    }

    pub fn bool(&mut self, key: &str) -> Option<bool> {
        match self.str(key)? {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => {
                self.errors.add(
                    key,
                    FieldError::UnknownValue {
                        allowed: vec!["true", "false"],
                    },
                );
                None
            }
        }
    }

    pub fn code<T>(
        &mut self,
        key: &str,
        parse: fn(&str) -> Option<T>,
        codes: &'static [&'static str],
    ) -> Option<T> {
        let v = self.str(key)?;
        let parsed = parse(v);
        if parsed.is_none() {
            self.errors.add(
                key,
                FieldError::UnknownValue {
                    allowed: codes.to_vec(),
                },
            );
        }
        parsed
    }

    pub fn date(&mut self, key: &str) -> Option<chrono::NaiveDate> {
        let v = self.str(key)?;
        let d = domain::validate::parse_date(v);
        if d.is_none() {
            self.errors.add(key, FieldError::InvalidDate);
        }
        d
    }

    /// `page` (≥ 1, default 1) and `per_page` (1..=500, default 50; larger values are capped).
    pub fn page(&mut self) -> PageReq {
        let page = self.i64("page").unwrap_or(1);
        if page < 1 {
            self.errors.add("page", FieldError::TooSmall { min: 1 });
        }
        let per_page = self.i64("per_page").unwrap_or(50);
        if per_page < 1 {
            self.errors.add("per_page", FieldError::TooSmall { min: 1 });
        }
        PageReq {
            page: page.max(1),
            per_page: per_page.clamp(1, PageReq::MAX_PER_PAGE),
        }
    }

    /// Ends validation: any collected error → 422.
    pub fn finish(&mut self) -> Result<(), AppError> {
        std::mem::take(&mut self.errors)
            .into_result()
            .map_err(AppError::Validation)
    }
}

impl domain::list::FilterSource for Params {
    /// A declared filter's value; a bad one is a field error naming the parameter.
    fn value<T: domain::list::FilterValue>(&mut self, name: &'static str) -> Option<T> {
        use domain::list::FilterKind;
        let v = self.str(name)?;
        let out = T::parse_value(v);
        if out.is_none() {
            let e = match T::KIND {
                FilterKind::Integer => FieldError::WrongType {
                    expected: "integer",
                },
                FilterKind::Boolean => FieldError::UnknownValue {
                    allowed: vec!["true", "false"],
                },
                FilterKind::Date => FieldError::InvalidDate,
                FilterKind::Code(codes) => FieldError::UnknownValue {
                    allowed: codes.to_vec(),
                },
                FilterKind::Text => FieldError::Malformed {
                    detail: String::new(),
                },
            };
            self.errors.add(name, e);
        }
        out
    }
}

impl Params {
    /// The declared filters of a list.
    pub fn filter<F: domain::list::ListFilter>(&mut self) -> F {
        F::read(self)
    }
}

/// The raw body of an upload: the `file` field of a multipart form, with its size limit.
pub struct Upload {
    pub file_name: Option<String>,
    pub bytes: Bytes,
}

impl Upload {
    pub async fn from_multipart(
        mut mp: axum::extract::Multipart,
        limit: usize,
    ) -> Result<Upload, AppError> {
        let map_err = |e: axum::extract::multipart::MultipartError| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge(limit)
            } else {
                AppError::BadRequest("error.multipart", String::new())
            }
        };
        while let Some(field) = mp.next_field().await.map_err(map_err)? {
            if field.name() == Some("file") {
                let file_name = field.file_name().map(str::to_string);
                let mut field = field;
                let mut buf = Vec::new();
                // Read in chunks and stop at the limit, so an oversized upload is never held whole.
                while let Some(chunk) = field.chunk().await.map_err(map_err)? {
                    if buf.len() + chunk.len() > limit {
                        return Err(AppError::PayloadTooLarge(limit));
                    }
                    buf.extend_from_slice(&chunk);
                }
                return Ok(Upload {
                    file_name,
                    bytes: Bytes::from(buf),
                });
            }
        }
        Err(AppError::BadRequest("error.no_file", String::new()))
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986): query values, and the
/// UTF-8 file names of `Content-Disposition` (RFC 5987).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
