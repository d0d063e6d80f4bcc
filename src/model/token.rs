//! Bearer tokens: how long each lives, and what is recorded of them. The
//! token itself is never stored or recorded; its SHA-256 is kept apart.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{DomainError, Role};

/// A token lives a shift and a half unless issued for longer.
pub const DEFAULT_HOURS: u32 = 12;
/// Longest life of an officer's token: a week.
pub const MAX_OFFICER_HOURS: u32 = 7 * 24;
/// Longest life of a `system` token (a feed, a simulator): 30 days.
pub const MAX_SYSTEM_HOURS: u32 = 30 * 24;
/// After rotating, the token that asked stays valid this long, so a
/// console whose answer was lost can still ask again.
pub const ROTATION_GRACE: Duration = Duration::minutes(10);

/// What the record keeps of one token (never the token or its hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TokenInfo {
    pub id: Uuid,
    pub officer_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub revoked: bool,
}

impl TokenInfo {
    /// Why this token may not be used at `now`, if it may not.
    pub fn refusal(&self, now: OffsetDateTime) -> Option<String> {
        if self.revoked {
            return Some("this token was revoked; ask for a new one".into());
        }
        if self.expires_at <= now {
            return Some(format!(
                "this token expired at {}; ask your administrator for a new one \
                 (tandem admin officer token ID)",
                self.expires_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default()
            ));
        }
        None
    }
}

/// The server stopped taking sign-ins from one client address or one token
/// prefix after too many failures: recorded so both centres see the attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Lockout {
    pub id: Uuid,
    /// `address 203.0.113.7` or `token prefix 1a2b3c4d`.
    pub locked: String,
    /// Failed sign-ins counted in the window.
    pub failures: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
}

/// The life of a token issued to an officer of `role`, from the hours asked
/// for (the default when none).
pub fn lifetime(role: Role, hours: Option<u32>) -> Result<Duration, DomainError> {
    let max = if matches!(role, Role::System | Role::Auditor) {
        MAX_SYSTEM_HOURS
    } else {
        MAX_OFFICER_HOURS
    };
    let hours = hours.unwrap_or(DEFAULT_HOURS);
    if hours == 0 || hours > max {
        return Err(DomainError::invalid(
            "hours",
            format!("a {role} token lives 1 to {max} hours, not {hours}"),
        ));
    }
    Ok(Duration::hours(i64::from(hours)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_are_bounded_by_role() {
        assert_eq!(
            lifetime(Role::DutyOfficer, None).unwrap(),
            Duration::hours(12)
        );
        assert!(lifetime(Role::DutyOfficer, Some(MAX_OFFICER_HOURS + 1)).is_err());
        assert!(lifetime(Role::System, Some(MAX_SYSTEM_HOURS)).is_ok());
        assert!(lifetime(Role::System, Some(0)).is_err());
    }

    #[test]
    fn expired_and_revoked_tokens_are_refused_with_the_reason() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let mut t = TokenInfo {
            id: Uuid::nil(),
            officer_id: Uuid::nil(),
            issued_at: now - Duration::hours(13),
            expires_at: now - Duration::hours(1),
            revoked: false,
        };
        assert!(t.refusal(now).unwrap().contains("expired"));
        t.expires_at = now + Duration::hours(1);
        assert!(t.refusal(now).is_none());
        t.revoked = true;
        assert!(t.refusal(now).unwrap().contains("revoked"));
    }
}
