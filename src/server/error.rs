//! Every error the API answers, as RFC 9457 problem+json.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::api::Problem;
use crate::api::problem::CONTENT_TYPE;
use crate::model::DomainError;
use crate::store::StoreError;

#[derive(Debug)]
pub struct ApiError(pub Problem);

impl ApiError {
    pub fn new(status: StatusCode, kind: &str, detail: impl Into<String>) -> Self {
        ApiError(Problem::new(
            status.as_u16(),
            kind,
            status.canonical_reason().unwrap_or("Error"),
            detail,
        ))
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
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let detail = e.to_string();
        match e {
            StoreError::Domain(DomainError::Forbidden(_)) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", detail)
            }
            StoreError::Domain(DomainError::Transition { .. }) => {
                ApiError::new(StatusCode::CONFLICT, "transition-refused", detail)
            }
            StoreError::Domain(_) => ApiError::unprocessable(detail),
            StoreError::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, "not-found", detail),
            StoreError::Stale { current, .. } => {
                let mut p = ApiError::new(StatusCode::PRECONDITION_FAILED, "stale", detail);
                p.0.current = Some(current);
                p
            }
            StoreError::IdempotencyMismatch => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                detail,
            ),
            StoreError::Unavailable(_) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
            }
            StoreError::Database(_) | StoreError::Corrupt(_) => {
                tracing::error!("{detail}");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", detail)
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self.0).unwrap_or_default();
        let mut res = (status, body).into_response();
        res.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}
