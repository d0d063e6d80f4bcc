//! Request extractors that refuse bad input with problem+json: the signed-in
//! officer (see `signin`), query strings and path parameters, mutation bodies with their
//! Idempotency-Key, `If-Match` versions. A refusal names the parameter and
//! quotes at most a short, cleaned excerpt of what was sent.

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, StatusCode, header, request::Parts};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::AppState;
use super::error::ApiError;
use super::signin;
use crate::api::IDEMPOTENCY_KEY;
use crate::model::Officer;
pub use crate::model::validate::excerpt;
use crate::store::{Credential, Idempotency};

pub use crate::model::officer::token_hash;

/// The officer whose bearer token came with the request.
pub struct Authed(pub Officer);

/// The officer and the record of the token they signed in with (for `/me`).
pub struct Signed(pub Credential);

impl<S> FromRequestParts<S> for Authed
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let cred = signin::authenticate(parts, &AppState::from_ref(state)).await?;
        Ok(Authed(cred.officer))
    }
}

impl<S> FromRequestParts<S> for Signed
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Ok(Signed(
            signin::authenticate(parts, &AppState::from_ref(state)).await?,
        ))
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
        json_content(req.headers())?;
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
/// Every body of this API is an object; serde would also read a struct from
/// an array of its fields in order (`[null]`), which is refused here.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(ApiError::unprocessable(
            "the body must be a JSON object, not an array",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::unprocessable(excerpt(&e.to_string(), 300)),
        _ => ApiError::bad_request(format!(
            "the body is not valid JSON: {}",
            excerpt(&e.to_string(), 200)
        )),
    })
}

/// A body must say it is JSON (`application/json`, parameters allowed).
fn json_content(headers: &HeaderMap) -> Result<(), ApiError> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim);
    match media {
        Some(m) if m.eq_ignore_ascii_case("application/json") => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "send the body as JSON with `Content-Type: application/json`",
        )),
    }
}

/// A query string decoded into `T`; a refusal (422) names the parameter.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let decoder = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(decoder)
            .map(ApiQuery)
            .map_err(|e| {
                let param = e.path().to_string();
                let why = excerpt(&e.inner().to_string(), 200);
                ApiError::unprocessable(if param == "." {
                    format!("query: {why}")
                } else {
                    format!("query parameter `{}`: {why}", excerpt(&param, 40))
                })
            })
    }
}

/// A path parameter (our paths carry one id); a refusal (400) names it.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        use axum::extract::path::ErrorKind;
        use axum::extract::rejection::PathRejection;
        let rejection = match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => return Ok(ApiPath(v)),
            Err(r) => r,
        };
        let (key, value) = match &rejection {
            PathRejection::FailedToDeserializePathParams(e) => match e.kind() {
                ErrorKind::ParseErrorAtKey { key, value, .. }
                | ErrorKind::DeserializeError { key, value, .. } => (key.as_str(), value.as_str()),
                ErrorKind::ParseError { value, .. } => ("id", value.as_str()),
                ErrorKind::InvalidUtf8InPathParam { key } => (key.as_str(), "(not UTF-8)"),
                _ => ("id", ""),
            },
            _ => ("id", ""),
        };
        Err(ApiError::bad_request(format!(
            "path parameter `{}`: `{}` is not an id (a UUID such as \
             0192f0c4-8a3e-7c41-9d2b-5be0e1c0f3a7)",
            excerpt(key, 40),
            excerpt(value, 40)
        )))
    }
}

fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let key = headers
        .get(IDEMPOTENCY_KEY)
        .ok_or_else(|| ApiError::bad_request("every mutation needs an Idempotency-Key header"))?
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| k.bytes().all(|b| (0x20..0x7f).contains(&b)))
        .ok_or_else(|| ApiError::bad_request("the Idempotency-Key must be printable ASCII"))?;
    if key.is_empty() || key.len() > 200 {
        return Err(ApiError::bad_request(
            "the Idempotency-Key must be 1 to 200 characters",
        ));
    }
    Ok(key.to_string())
}

/// The version named by `If-Match`: exactly the strong ETag the server
/// sent, `"7"`. A weak tag (`W/"7"`), a bare `7` or `*` could let a change
/// land on a version its sender never saw, so they are refused (400).
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
            .and_then(|v| v.trim().strip_prefix('"')?.strip_suffix('"'))
            .filter(|v| !v.is_empty() && v.len() <= 19 && v.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|v| v.parse().ok())
            .map(IfMatch)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "If-Match must be the strong ETag of the version you changed, such as \"3\" \
                     (not W/\"3\", 3 or *)",
                )
            })
    }
}
