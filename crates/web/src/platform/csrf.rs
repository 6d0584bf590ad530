//! CSRF, once for every page route: a layer over the whole page router, so no form can be
//! posted from another site and no POST handler can forget the check.
//!
//! A request that changes something (any method but GET, HEAD, OPTIONS) passes only when
//! 1. the browser does not say it comes from another site (`Sec-Fetch-Site` is
//!    `same-origin` or `none`, and `Origin`, when sent, names this host), and
//! 2. for a signed-in session, it carries the session's CSRF token: the `x-csrf-token`
//!    header (htmx), or the `csrf` field of a form (urlencoded or multipart).
//!
//! The login form has no session yet; its own double-submit cookie is checked by the login
//! handler, after the origin check here. A request without a session changes nothing: the
//! page extractor sends it to the login page.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use futures_util::StreamExt;

use crate::pages::{error_page, Ctx};
use crate::platform::i18n::Lang;
use crate::platform::session::session_of;
use crate::AppState;

/// The layer: `axum::middleware::from_fn_with_state(state, csrf::guard)`.
pub async fn guard(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let lang = Lang::from_headers(req.headers());
    let uri = req.uri().path().to_string();
    let refuse = || {
        error_page(
            Ctx::new(lang, &uri, ""),
            StatusCode::FORBIDDEN,
            lang.t("page.error.csrf").into(),
        )
    };
    if cross_site(req.headers()) {
        return refuse();
    }
    if req.uri().path() == "/login" {
        return next.run(req).await;
    }
    let Ok(Some((session, _))) = session_of(req.headers(), &st).await else {
        return next.run(req).await;
    };
    let expected = session.csrf;
    if let Some(sent) = req.headers().get("x-csrf-token") {
        if sent.to_str().is_ok_and(|s| constant_eq(s, &expected)) {
            return next.run(req).await;
        }
        return refuse();
    }
    let (parts, body) = req.into_parts();
    let ct = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let (sent, body) = if ct.starts_with("multipart/form-data") {
        // Uploads are not buffered: the token is read from the fields before the first file
        // and the body streams on to the handler, which keeps its own size limits.
        match multer::parse_boundary(&ct) {
            Ok(boundary) => multipart_token(body, &boundary).await,
            Err(_) => (None, Body::empty()),
        }
    } else {
        match axum::body::to_bytes(body, FORM_LIMIT).await {
            Ok(bytes) => (urlencoded_token(&ct, &bytes), Body::from(bytes)),
            Err(_) => {
                return error_page(
                    Ctx::new(lang, &uri, ""),
                    StatusCode::PAYLOAD_TOO_LARGE,
                    lang.tf("error.payload_too_large", &["1 MiB"]),
                )
            }
        }
    };
    match sent {
        Some(sent) if constant_eq(&sent, &expected) => {
            next.run(Request::from_parts(parts, body)).await
        }
        _ => refuse(),
    }
}

/// Whether the browser says the request comes from another site.
pub fn cross_site(h: &HeaderMap) -> bool {
    let text = |name: &str| h.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        if site != "same-origin" && site != "none" {
            return true;
        }
    }
    let Some(origin) = text("origin") else {
        return false;
    };
    let Some(authority) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return true; // "null" and anything else that is not a web origin
    };
    // Behind a proxy the host the browser saw is the forwarded one.
    let host = text("x-forwarded-host").or_else(|| text("host"));
    !host.is_some_and(|h| h.eq_ignore_ascii_case(authority))
}

/// The `csrf` field of an urlencoded form.
fn urlencoded_token(ct: &str, bytes: &[u8]) -> Option<String> {
    if !ct.starts_with("application/x-www-form-urlencoded") {
        return None;
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).ok()?;
    pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v)
}

/// Reads a multipart body until its `csrf` field (which forms send before any file), at
/// most [`PREFIX_LIMIT`] bytes; gives the token and the whole body again, unbuffered.
async fn multipart_token(body: Body, boundary: &str) -> (Option<String>, Body) {
    let mut stream = body.into_data_stream();
    let mut seen: Vec<Bytes> = Vec::new();
    let mut prefix: Vec<u8> = Vec::new();
    let mut token = None;
    while prefix.len() < PREFIX_LIMIT {
        match stream.next().await {
            Some(Ok(chunk)) => {
                prefix.extend_from_slice(&chunk);
                seen.push(chunk);
                match csrf_part(&prefix, boundary) {
                    Part::Found(t) => {
                        token = Some(t);
                        break;
                    }
                    Part::Absent => break,
                    Part::More => {}
                }
            }
            _ => break,
        }
    }
    let replay = futures_util::stream::iter(seen.into_iter().map(Ok::<_, axum::Error>));
    (token, Body::from_stream(replay.chain(stream)))
}

/// Most bytes read looking for the token.
const PREFIX_LIMIT: usize = 64 * 1024;
/// Largest urlencoded form (no page form comes near it).
const FORM_LIMIT: usize = 1024 * 1024;

enum Part {
    Found(String),
    /// A file came first, or the body ended: no token.
    Absent,
    More,
}

/// Walks the parts in `buf` up to the first file part, looking for `name="csrf"`.
fn csrf_part(buf: &[u8], boundary: &str) -> Part {
    let delim = format!("--{boundary}");
    let find = |from: usize, pat: &[u8]| {
        buf.get(from..)
            .and_then(|b| b.windows(pat.len()).position(|w| w == pat))
            .map(|i| i + from)
    };
    let Some(mut at) = find(0, delim.as_bytes()) else {
        return Part::More;
    };
    loop {
        let head_start = at + delim.len();
        if buf.get(head_start..head_start + 2) == Some(b"--") {
            return Part::Absent; // the closing delimiter
        }
        let Some(head_end) = find(head_start, b"\r\n\r\n") else {
            return Part::More;
        };
        let head = String::from_utf8_lossy(&buf[head_start..head_end]).to_ascii_lowercase();
        if head.contains("filename=") {
            return Part::Absent;
        }
        let value_start = head_end + 4;
        let end_pat = format!("\r\n{delim}");
        let Some(value_end) = find(value_start, end_pat.as_bytes()) else {
            return Part::More;
        };
        if head.contains("name=\"csrf\"") {
            return Part::Found(String::from_utf8_lossy(&buf[value_start..value_end]).into_owned());
        }
        at = value_end + 2;
    }
}

/// Compares in time independent of where the strings differ.
pub fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !a.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn another_site_is_refused_and_this_one_passes() {
        let host = ("host", "dj.example:8080");
        assert!(!cross_site(&headers(&[host])));
        assert!(!cross_site(&headers(&[
            host,
            ("origin", "http://dj.example:8080")
        ])));
        assert!(!cross_site(&headers(&[
            host,
            ("sec-fetch-site", "same-origin")
        ])));
        assert!(cross_site(&headers(&[
            host,
            ("origin", "http://evil.example")
        ])));
        assert!(cross_site(&headers(&[host, ("origin", "null")])));
        assert!(cross_site(&headers(&[
            host,
            ("sec-fetch-site", "cross-site")
        ])));
        assert!(cross_site(&headers(&[
            host,
            ("sec-fetch-site", "same-site")
        ])));
        assert!(!cross_site(&headers(&[
            host,
            ("x-forwarded-host", "dj.gov.example"),
            ("origin", "https://dj.gov.example"),
        ])));
    }

    #[test]
    fn the_token_is_found_before_the_first_file() {
        let b = "XX";
        let body = "--XX\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\ntheme_day\r\n\
                    --XX\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc123\r\n\
                    --XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF";
        assert!(matches!(csrf_part(body.as_bytes(), b), Part::Found(t) if t == "abc123"));
        // cut anywhere before the token's end: more is needed
        assert!(matches!(csrf_part(&body.as_bytes()[..60], b), Part::More));
        let late = "--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF\r\n\
                    --XX\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc123\r\n--XX--";
        assert!(matches!(csrf_part(late.as_bytes(), b), Part::Absent));
        assert!(matches!(csrf_part(b"--XX--\r\n", b), Part::Absent));
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_eq("abc", "abc"));
        assert!(!constant_eq("abc", "abd"));
        assert!(!constant_eq("abc", "ab"));
        assert!(!constant_eq("", ""));
    }
}
