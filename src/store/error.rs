//! Why a store operation failed, in terms the server maps to HTTP statuses.
//!
//! A database's own words (driver messages, SQL, constraint names) are for
//! the operator's log: the variants that carry them are answered to clients
//! with a general text and an error id, never with the text itself.

use thiserror::Error;

use crate::model::DomainError;

#[derive(Debug, Clone, Error)]
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
    /// The database cannot be reached or cannot take the work right now; retrying later helps.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The disk under the database is full; nothing was written.
    #[error("the database's disk is full: {0}")]
    Full(String),
    /// A commit broke off and whether it landed could not be established.
    #[error("a commit broke off and its outcome is unknown: {0}")]
    OutcomeUnknown(String),
    /// Any other database failure.
    #[error("database error: {0}")]
    Database(String),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Whether the database failed (rather than the request being refused):
    /// a write batch that meets one is rolled back whole.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            StoreError::Unavailable(_)
                | StoreError::Full(_)
                | StoreError::OutcomeUnknown(_)
                | StoreError::Database(_)
                | StoreError::Corrupt(_)
        )
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        use sqlx::Error as E;
        let text = e.to_string();
        match &e {
            E::PoolTimedOut
            | E::PoolClosed
            | E::Io(_)
            | E::Tls(_)
            | E::Protocol(_)
            | E::WorkerCrashed
            | E::BeginFailed => StoreError::Unavailable(text),
            E::Database(db) => match db.code().as_deref().map(|code| {
                let sqlite = db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some();
                classify(code, sqlite)
            }) {
                Some(Class::Full) => StoreError::Full(text),
                Some(Class::Unavailable) => StoreError::Unavailable(text),
                _ => StoreError::Database(text),
            },
            _ => StoreError::Database(text),
        }
    }
}

enum Class {
    Full,
    Unavailable,
    Other,
}

/// SQLite's (extended) result codes are numbers whose low byte is the
/// primary code; PostgreSQL's SQLSTATEs are five characters whose first two
/// name the class.
fn classify(code: &str, sqlite: bool) -> Class {
    if sqlite {
        return match code.parse::<i64>().unwrap_or(0) & 0xff {
            13 => Class::Full,                     // SQLITE_FULL
            5 | 6 | 10 | 14 => Class::Unavailable, // BUSY, LOCKED, IOERR, CANTOPEN
            _ => Class::Other,
        };
    }
    match code {
        "53100" => Class::Full, // disk_full
        // connection exception, insufficient resources, operator intervention
        // (terminated backends, shutdown), serialization failure, deadlock
        _ if code.starts_with("08")
            || code.starts_with("53")
            || code.starts_with("57")
            || code == "40001"
            || code == "40P01" =>
        {
            Class::Unavailable
        }
        _ => Class::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_codes_are_classified() {
        assert!(matches!(classify("13", true), Class::Full));
        assert!(matches!(classify("5", true), Class::Unavailable));
        assert!(matches!(classify("2067", true), Class::Other)); // SQLITE_CONSTRAINT_UNIQUE
        assert!(matches!(classify("53100", false), Class::Full));
        assert!(matches!(classify("57P01", false), Class::Unavailable));
        assert!(matches!(classify("08006", false), Class::Unavailable));
        assert!(matches!(classify("23505", false), Class::Other));
    }
}
