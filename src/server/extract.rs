//! Request extractors that refuse bad input with problem+json: the signed-in
//! officer, mutation bodies with their Idempotency-Key, `If-Match` versions.

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, StatusCode, header, request::Parts};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::AppState;
use super::error::ApiError;
use crate::api::IDEMPOTENCY_KEY;
use crate::model::Officer;
use crate::store::Idempotency;

/// SHA-256 of a bearer token, hex: the only form in which tokens are stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The officer whose bearer token came with the request.
pub struct Authed(pub Officer);

impl<S> FromRequestParts<S> for Authed
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let state = AppState::from_ref(state);
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized("send `Authorization: Bearer <token>`"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::unauthorized("the Authorization header is not `Bearer <token>`")
            })?;
        let officer = state
            .store
            .authenticate(&token_hash(token))
            .await?
            .ok_or_else(|| ApiError::unauthorized("this token is unknown or revoked"))?;
        Ok(Authed(officer))
    }
}

/// A JSON mutation body, its Idempotency-Key, and the hash that ties the two.
pub struct Mutation<T> {
    pub body: T,
    pub idempotency: Idempotency,
}

impl<S, T> FromRequest<S> for Mutation<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let key = idempotency_key(req.headers())?;
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            let status = e.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(status, "too-large", "the request body is over 64 KiB")
            } else {
                ApiError::new(status, "bad-body", e.body_text())
            }
        })?;
        let body = parse_json(&bytes)?;
        let mut h = Sha256::new();
        h.update(method.as_str());
        h.update(b" ");
        h.update(&path);
        h.update(b"\n");
        h.update(&bytes);
        Ok(Mutation {
            body,
            idempotency: Idempotency {
                key,
                request_hash: hex::encode(h.finalize()),
            },
        })
    }
}

/// Parses JSON, naming the offending field or position in the error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::unprocessable(e.to_string()),
        _ => ApiError::bad_request(format!("the body is not valid JSON: {e}")),
    })
}

fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let key = headers
        .get(IDEMPOTENCY_KEY)
        .ok_or_else(|| ApiError::bad_request("every mutation needs an Idempotency-Key header"))?
        .to_str()
        .map_err(|_| ApiError::bad_request("the Idempotency-Key must be printable ASCII"))?
        .trim();
    if key.is_empty() || key.len() > 200 {
        return Err(ApiError::bad_request(
            "the Idempotency-Key must be 1 to 200 characters",
        ));
    }
    Ok(key.to_string())
}

/// The version named by `If-Match` (`"7"`, `W/"7"` or `7`).
pub struct IfMatch(pub u64);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let raw = parts.headers.get(header::IF_MATCH).ok_or_else(|| {
            ApiError::new(
                StatusCode::PRECONDITION_REQUIRED,
                "if-match-required",
                "send `If-Match: \"<version>\"` with the version you changed (the ETag of your copy)",
            )
        })?;
        raw.to_str()
            .ok()
            .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
            .and_then(|v| v.parse().ok())
            .map(IfMatch)
            .ok_or_else(|| ApiError::bad_request("If-Match must be a version such as \"3\""))
    }
}
