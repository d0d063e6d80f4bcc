//! Sign-in: the bearer token checked against the store, and a limit on
//! guesses. After `max` sign-ins with unknown tokens within a minute from one
//! client address, or with one token prefix, every sign-in from it is refused with
//! 429 until the oldest failure leaves the minute — without looking the token
//! up, so guessing gains nothing. Each lockout is recorded as an event; every
//! refusal is logged with the address and the token's first characters
//! (never the token).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{StatusCode, header, request::Parts};
use time::OffsetDateTime;
use uuid::Uuid;

use super::AppState;
use super::error::ApiError;
use crate::model::officer::token_hash;
use crate::model::token::Lockout;
use crate::store::{AccessCommand, Actor, Command, Credential, Request};

/// The window failures are counted in.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Characters of a token kept as its prefix (in the log and for the limit).
const PREFIX: usize = 8;
/// Beyond this many clients tracked, those with no recent failure are forgotten.
const TRACKED: usize = 10_000;

/// Failed sign-ins per client address and per token prefix.
#[derive(Debug)]
pub struct Limiter {
    max: usize,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Limiter {
    pub fn new(max_per_minute: u32) -> Limiter {
        Limiter {
            max: max_per_minute.max(1) as usize,
            failures: Mutex::default(),
        }
    }

    /// How long `keys` are locked out for, if any is.
    fn locked(&self, keys: &[String], now: Instant) -> Option<Duration> {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        keys.iter()
            .filter_map(|k| failures.get(k))
            .filter(|times| recent(times, now) >= self.max)
            .filter_map(|times| times.iter().rev().nth(self.max - 1))
            .map(|oldest| (*oldest + WINDOW).saturating_duration_since(now))
            .max()
    }

    /// Counts a failure for each key; returns the keys this failure locked
    /// out, with their count.
    fn failed(&self, keys: &[String], now: Instant) -> Vec<(String, usize)> {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() > TRACKED {
            failures.retain(|_, times| recent(times, now) > 0);
        }
        let mut locked = Vec::new();
        for key in keys {
            let times = failures.entry(key.clone()).or_default();
            times.push_back(now);
            while times.len() > self.max {
                times.pop_front();
            }
            let n = recent(times, now);
            if n == self.max {
                locked.push((key.clone(), n));
            }
        }
        locked
    }
}

fn recent(times: &VecDeque<Instant>, now: Instant) -> usize {
    times
        .iter()
        .filter(|t| now.saturating_duration_since(**t) < WINDOW)
        .count()
}

/// The officer and token a request's bearer token names, or the refusal.
pub async fn authenticate(parts: &Parts, state: &AppState) -> Result<Credential, ApiError> {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let header = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("send `Authorization: Bearer <token>`"))?;
    let token = header
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let prefix: String = token
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(PREFIX)
        .collect();
    let keys = [format!("address {peer}"), format!("token prefix {prefix}")];
    let now = Instant::now();
    if let Some(wait) = state.signin.locked(&keys, now) {
        tracing::warn!(%peer, %prefix, "sign-in refused: locked out after repeated failures");
        let secs = wait.as_secs().max(1);
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "locked-out",
            format!(
                "too many failed sign-ins from this address or with this token; \
                 try again in {secs} s"
            ),
        );
        e.0.retry_after = Some(secs);
        return Err(e);
    }
    // Only what could be a guess counts towards a lockout: an expired or
    // revoked token is a real one (a whole centre's consoles behind one
    // address may hold expired tokens at a shift change).
    let (refusal, guess) = match token {
        None => (
            "the Authorization header is not `Bearer <token>`".to_string(),
            true,
        ),
        Some(token) => match state.store.authenticate(&token_hash(token)).await? {
            Some(cred) => match cred.token.refusal(OffsetDateTime::now_utc()) {
                None => return Ok(cred),
                Some(why) => (why, false),
            },
            None => (
                "this token is unknown or its officer was revoked".to_string(),
                true,
            ),
        },
    };
    tracing::warn!(%peer, %prefix, "sign-in refused: {refusal}");
    if guess {
        for (locked, failures) in state.signin.failed(&keys, now) {
            record_lockout(state, locked, failures);
        }
    }
    Err(ApiError::unauthorized(refusal))
}

/// Records a lockout in the log, off the request's path (the refusal does not wait for it).
fn record_lockout(state: &AppState, locked: String, failures: usize) {
    tracing::warn!("sign-in locked out for {locked}: {failures} failures in a minute");
    let store = state.store.clone();
    let lockout = Lockout {
        id: Uuid::now_v7(),
        locked,
        failures: u32::try_from(failures).unwrap_or(u32::MAX),
        until: OffsetDateTime::now_utc() + WINDOW,
    };
    tokio::spawn(async move {
        let request = Request {
            actor: Actor::Server,
            idempotency: None,
            command: Command::Access(AccessCommand::RecordLockout(lockout)),
        };
        if let Err(e) = store.execute(request).await {
            tracing::warn!("recording a sign-in lockout: {e}");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_locks_at_max_and_lets_go_after_the_window() {
        let limiter = Limiter::new(3);
        let keys = [
            "address 10.0.0.1".to_string(),
            "token prefix abc".to_string(),
        ];
        let t0 = Instant::now();
        assert!(limiter.failed(&keys, t0).is_empty());
        assert!(limiter.failed(&keys, t0).is_empty());
        assert!(limiter.locked(&keys, t0).is_none());
        assert_eq!(limiter.failed(&keys, t0).len(), 2, "both keys lock at once");
        let wait = limiter.locked(&keys, t0 + Duration::from_secs(10)).unwrap();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(limiter.locked(&keys, t0 + WINDOW).is_none());
        // Another address with another prefix is not affected.
        let other = [
            "address 10.0.0.2".to_string(),
            "token prefix zzz".to_string(),
        ];
        assert!(limiter.locked(&other, t0).is_none());
    }
}
