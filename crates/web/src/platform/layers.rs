//! The tower layers around the whole application, from tower-http: a handler's panic is
//! answered 500 (in the API's error shape, or as a page) and the server goes on; a request
//! that takes too long is cut off; HTML and JSON are compressed
//! (gzip or brotli, as the client accepts), files that are zips already (xlsx, docx) or
//! images are not.

use std::any::Any;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, Response, StatusCode};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;

use crate::platform::i18n::Lang;

/// Longest a request may take (the largest import or national-scale report stays far below).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

fn panic_message(err: &(dyn Any + Send)) -> &str {
    err.downcast_ref::<&str>()
        .copied()
        .or_else(|| err.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("panic")
}

fn api_panic(err: Box<dyn Any + Send + 'static>) -> Response<Body> {
    tracing::error!(panic = panic_message(err.as_ref()), "handler panicked");
    let body = serde_json::json!({"error": {"code": "internal",
        "message": Lang::Zh.t("error.internal_panic")}});
    let mut res = Response::new(Body::from(body.to_string()));
    *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

fn page_panic(err: Box<dyn Any + Send + 'static>) -> Response<Body> {
    tracing::error!(panic = panic_message(err.as_ref()), "handler panicked");
    let (text, home) = (
        Lang::Zh.t("error.internal_panic"),
        Lang::Zh.t("nav.dashboard"),
    );
    let mut res = Response::new(Body::from(format!(
        "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{text}</title><p>{text}</p><p><a href=\"/\">{home}</a></p></html>"
    )));
    *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    res
}

/// What answers a caught panic.
type PanicAnswer = fn(Box<dyn Any + Send + 'static>) -> Response<Body>;

/// For the API router: a panic is a 500 in the contract's error shape.
pub fn api_catch_panic() -> CatchPanicLayer<PanicAnswer> {
    CatchPanicLayer::custom(api_panic as fn(_) -> _)
}

/// For the page router: a panic is a 500 page.
pub fn page_catch_panic() -> CatchPanicLayer<PanicAnswer> {
    CatchPanicLayer::custom(page_panic as fn(_) -> _)
}

/// Compression of what compresses: not the zipped Office files nor images (the default
/// predicate already leaves images, event streams and tiny bodies alone).
pub fn compression() -> CompressionLayer<impl Predicate> {
    let pred = DefaultPredicate::new()
        .and(NotForContentType::const_new(
            "application/vnd.openxmlformats",
        ))
        .and(NotForContentType::const_new("application/zip"))
        .and(NotForContentType::const_new("application/pdf"));
    CompressionLayer::new().compress_when(pred)
}

#[cfg(test)]
mod tests {
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    use super::*;

    async fn boom() -> &'static str {
        panic!("a bug")
    }

    #[tokio::test]
    async fn a_panic_is_answered_500_and_the_router_serves_on() {
        let app = Router::new()
            .route("/boom", get(boom))
            .route("/ok", get(|| async { "ok" }))
            .layer(api_catch_panic());
        let req = |p: &str| axum::http::Request::get(p).body(Body::empty()).unwrap();
        let res = app.clone().oneshot(req("/boom")).await.unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(res.into_body(), 10_000).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["code"], "internal");
        let res = app.oneshot(req("/ok")).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
}
