//! Why a store operation failed, in terms the server maps to HTTP statuses.

use thiserror::Error;

use crate::model::DomainError;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("{0} not found")]
    NotFound(String),
    /// The `If-Match` version is not the current one; carries the current entity (JSON).
    #[error("version {given} is stale; the current version is {current_version}")]
    Stale {
        given: u64,
        current_version: u64,
        current: serde_json::Value,
    },
    #[error("this Idempotency-Key was already used for a different request")]
    IdempotencyMismatch,
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
