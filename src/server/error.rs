//! Every error the API answers, as RFC 9457 problem+json.
//!
//! Refusals say what was wrong with the request. Failures of the server or
//! its database never carry the database's words: those go to the log under
//! an error id, and the client gets the id and what to do next.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::api::Problem;
use crate::api::problem::CONTENT_TYPE;
use crate::model::DomainError;
use crate::store::StoreError;

/// Seconds a client is asked to wait before retrying after a 503 or 429.
const RETRY_AFTER: &str = "2";

#[derive(Debug)]
pub struct ApiError(pub Box<Problem>);

impl ApiError {
    pub fn new(status: StatusCode, kind: &str, detail: impl Into<String>) -> Self {
        ApiError(Box::new(Problem::new(
            status.as_u16(),
            kind,
            status.canonical_reason().unwrap_or("Error"),
            detail,
        )))
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    pub fn unprocessable(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not-found", detail)
    }

    /// A failure on the server's side: logged in full under a new error id;
    /// the client gets the id and `advice`.
    pub fn failure(status: StatusCode, kind: &str, advice: &str, logged: &str) -> Self {
        let id = Uuid::now_v7().simple().to_string();
        if status.is_server_error() && status != StatusCode::INTERNAL_SERVER_ERROR {
            tracing::warn!(error_id = %id, "{status}: {logged}");
        } else {
            tracing::error!(error_id = %id, "{status}: {logged}");
        }
        let mut e = ApiError::new(status, kind, format!("{advice} (error id {id})"));
        e.0.instance = Some(format!("urn:tandem:error:{id}"));
        e
    }
}

/// What a client should do after each kind of failure.
const RETRY: &str = "retry in a few seconds; a change sent again with the same \
                     Idempotency-Key is applied at most once";

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let logged = e.to_string();
        match e {
            StoreError::Domain(DomainError::Forbidden(_)) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", logged)
            }
            StoreError::Domain(DomainError::Transition { .. }) => {
                ApiError::new(StatusCode::CONFLICT, "transition-refused", logged)
            }
            StoreError::Domain(_) => ApiError::unprocessable(logged),
            StoreError::NotFound(_) => ApiError::not_found(logged),
            StoreError::Stale { current, .. } => {
                let mut p = ApiError::new(StatusCode::PRECONDITION_FAILED, "stale", logged);
                p.0.current = Some(current);
                p
            }
            StoreError::IdempotencyMismatch => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                logged,
            ),
            StoreError::Unavailable(_) => ApiError::failure(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                &format!(
                    "the service cannot use its database right now; nothing was changed; {RETRY}"
                ),
                &logged,
            ),
            StoreError::OutcomeUnknown(_) => ApiError::failure(
                StatusCode::SERVICE_UNAVAILABLE,
                "outcome-unknown",
                "the database connection broke while the change was being committed, and \
                 whether it was saved cannot be told yet; send it again with the same \
                 Idempotency-Key: if it was saved you get the first answer, otherwise it is \
                 applied now",
                &logged,
            ),
            StoreError::Full(_) => ApiError::failure(
                StatusCode::INSUFFICIENT_STORAGE,
                "disk-full",
                "the server's disk is full; nothing was saved; tell the system administrator, \
                 and retry once space has been freed",
                &logged,
            ),
            StoreError::Database(_) | StoreError::Corrupt(_) => ApiError::failure(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the server failed; nothing was changed; report the error id to the administrator",
                &logged,
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&*self.0).unwrap_or_default();
        let mut res = (status, body).into_response();
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        if status == StatusCode::UNAUTHORIZED {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = self.0.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        } else if matches!(
            status,
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS
        ) {
            h.insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER));
        }
        res
    }
}
