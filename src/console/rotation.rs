//! `:rotate-token`: the officer asks the server for a new token of their own
//! (`POST /api/v1/me/token`) before the one in use expires; the header
//! offers it in the token's last hour. The old token stays valid ten minutes
//! more, so nothing in flight is refused.
//!
//! The new token is kept (0600) in the session's directory, which is named
//! by the server and the *configured* token, and used in place of the
//! configured one on the next start: the officer need not edit their
//! configuration each shift. Configuring another token starts another
//! session and leaves the kept one unused.

use std::path::Path;

use super::action::Effect;
use super::components::Outcome;
use super::context::{Context, Level};
use super::fmt;
use crate::model::TokenInfo;

const FILE: &str = "token";

/// The token this session rotated to, if it did.
pub fn stored(session_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(session_dir.join(FILE)).ok()?;
    let token = text.trim();
    (!token.is_empty()).then(|| token.to_string())
}

pub fn store(session_dir: &Path, token: &str) -> anyhow::Result<()> {
    crate::paths::write_file(&session_dir.join(FILE), token.as_bytes(), true)
}

/// `:rotate-token`: asks the network side for a new token.
pub fn ask(ctx: &mut Context) -> Option<Outcome> {
    ctx.say(Level::Info, "asking the server for a new token…");
    Some(Outcome {
        effects: vec![Effect::RotateToken],
        ..Outcome::default()
    })
}

/// The server's answer to a rotation.
pub fn answered(ctx: &mut Context, result: Result<TokenInfo, String>) {
    match result {
        Ok(t) => {
            ctx.token_expires = Some(t.expires_at);
            ctx.say(
                Level::Info,
                format!(
                    "new token in use, kept for the next start; it expires {}",
                    fmt::when_both(t.expires_at, ctx.now)
                ),
            );
        }
        Err(why) => ctx.say(
            Level::Error,
            format!("no new token: {why}; the current one stays in use"),
        ),
    }
}

/// `:me`: the officer, and when their token stops working.
pub fn signed_in_as(ctx: &Context) -> String {
    let Some(me) = &ctx.me else {
        return "not signed in yet: the server has not answered".into();
    };
    let who = format!(
        "signed in as {} ({}, {})",
        me.name,
        fmt::role(me.role),
        me.centre
    );
    match ctx.token_expires {
        Some(t) if t <= ctx.now => {
            format!("{who}; the token EXPIRED {}", fmt::when_both(t, ctx.now))
        }
        Some(t) => format!(
            "{who}; the token expires {} (ask for a new one before: tandem admin officer token)",
            fmt::when_both(t, ctx.now)
        ),
        None => who,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_token_is_read_back_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(stored(dir.path()), None);
        store(dir.path(), "abc123\n").unwrap();
        assert_eq!(stored(dir.path()).as_deref(), Some("abc123"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
