//! The one error type of the domain rules: every refusal says what and why.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("unknown {what} `{value}`; expected one of: {expected}")]
    UnknownValue {
        what: &'static str,
        value: String,
        expected: String,
    },
    #[error("cannot move {entity} from `{from}` to `{to}`: {why}")]
    Transition {
        entity: &'static str,
        from: String,
        to: String,
        why: String,
    },
    #[error("{0}")]
    Forbidden(String),
}

impl DomainError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        DomainError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Whether this refusal is about who asks (403) rather than what is asked (422).
    pub fn is_forbidden(&self) -> bool {
        matches!(self, DomainError::Forbidden(_))
    }
}
