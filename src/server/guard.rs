//! What stands around every route: a deadline for the answer, limits on the
//! request head, a panic turned into a 500 instead of a dropped
//! connection (each answering problem+json like the routes do), and the
//! security headers every answer carries.

use std::any::Any;
use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

/// Longest request target (path and query) served; 414 beyond.
pub const MAX_URI: usize = 8 * 1024;
/// Most header bytes (names and values) in one request; 431 beyond.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Most header fields in one request; 431 beyond.
pub const MAX_HEADERS: usize = 64;

/// Answers 503 if the handler has not answered within `limit` (reading a
/// slowly sent body included). A streamed answer counts as given once its
/// head is out.
pub async fn deadline(limit: Duration, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the request was not answered within {} s; nothing was changed unless a retry \
                 with the same Idempotency-Key says so",
                limit.as_secs()
            ),
        )
        .into_response(),
    }
}

/// Refuses oversized request heads before any handler sees them.
pub async fn head_limits(req: Request, next: Next) -> Response {
    let uri = req.uri().path().len() + req.uri().query().map_or(0, |q| q.len() + 1);
    if uri > MAX_URI {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            "uri-too-long",
            format!("the request target is {uri} bytes; the limit is {MAX_URI}"),
        )
        .into_response();
    }
    let headers = req.headers();
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers-too-large",
            format!(
                "the request has {} header fields, {bytes} bytes; the limits are \
                 {MAX_HEADERS} fields and {MAX_HEADER_BYTES} bytes",
                headers.len()
            ),
        )
        .into_response();
    }
    next.run(req).await
}

/// Headers on every answer: nothing the API says is cached anywhere (it
/// carries reports and positions), no content sniffing, and on HTTPS a
/// browser is told to use nothing else for a year.
pub async fn security_headers(hsts: bool, req: Request, next: Next) -> Response {
    use axum::http::{HeaderValue, header};
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}

/// A handler panicked: the client gets a 500 with an error id, the log gets
/// the panic message under the same id.
pub fn panicked(payload: Box<dyn Any + Send + 'static>) -> Response {
    let what = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    ApiError::failure(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the server failed; nothing was changed; report the error id to the administrator",
        &format!("a handler panicked: {what}"),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_becomes_a_500_problem_with_an_error_id() {
        let res = panicked(Box::new("index out of bounds"));
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let body = axum::body::to_bytes(res.into_body(), 10_000).await.unwrap();
        let problem: crate::api::Problem = serde_json::from_slice(&body).unwrap();
        assert!(problem.detail.contains("error id"), "{}", problem.detail);
        assert!(
            !problem.detail.contains("index out of bounds"),
            "the panic leaked"
        );
    }
}
