//! The console's sessions on disk: one directory per server and token
//! (`sessions/<hash>/`: outbox and cache). A token is replaced every shift,
//! so when the server says who the officer is, changes still waiting in the
//! outbox of the same officer's earlier session (an earlier token) are taken
//! over — keys and all, so none is applied twice — and that session is
//! removed. Nothing an officer queued is left behind by a new token.

use std::path::{Path, PathBuf};

use uuid::Uuid;

use crate::client::cache;
use crate::client::outbox::{Entry, Outbox, OutboxError};

/// The file naming a session's server and officer.
const OWNER: &str = "owner";

fn owner_text(server: &str, officer: Uuid) -> String {
    format!("{}\n{officer}\n", server.trim_end_matches('/'))
}

/// Records whose session `dir` is.
pub fn record_owner(dir: &Path, server: &str, officer: Uuid) -> std::io::Result<()> {
    let path = dir.join(OWNER);
    let text = owner_text(server, officer);
    if std::fs::read_to_string(&path).is_ok_and(|t| t == text) {
        return Ok(());
    }
    crate::paths::write_file(&path, text.as_bytes(), true).map_err(std::io::Error::other)
}

/// The server of a session written before sessions named their owner: not
/// known, only the officer (from its cache).
const UNKNOWN_SERVER: &str = "?";

/// Whether `dir` is a session of `officer` on `server`: by its owner file,
/// or, for a session written before there was one, by its cache, read
/// once (possibly 100+ MB) and then remembered in an owner file.
fn belongs(dir: &Path, server: &str, officer: Uuid) -> bool {
    let text = match std::fs::read_to_string(dir.join(OWNER)) {
        Ok(text) => text,
        Err(_) => {
            let Some(owner) = cache::load(&dir.join("cache.json")).map(|c| c.me.id) else {
                return false;
            };
            let _ = record_owner(dir, UNKNOWN_SERVER, owner);
            owner_text(UNKNOWN_SERVER, owner)
        }
    };
    text == owner_text(server, officer) || text == owner_text(UNKNOWN_SERVER, officer)
}

/// Other sessions of the same officer on the same server that hold an outbox.
pub fn earlier(current: &Path, server: &str, officer: Uuid) -> Vec<PathBuf> {
    let Some(all) = current.parent() else {
        return Vec::new();
    };
    let Ok(read) = std::fs::read_dir(all) else {
        return Vec::new();
    };
    read.flatten()
        .map(|e| e.path())
        .filter(|d| d != current && d.join("outbox.db").exists())
        .filter(|d| belongs(d, server, officer))
        .collect()
}

/// Moves every entry of the outbox in `dir` into `into`, then removes `dir`.
pub async fn adopt(into: &Outbox, dir: &Path) -> Result<Vec<Entry>, OutboxError> {
    let old = Outbox::open(&dir.join("outbox.db")).await?;
    let mut taken = Vec::new();
    for entry in old.entries().await? {
        taken.push(into.adopt(&entry).await?);
    }
    old.close().await;
    if let Err(e) = std::fs::remove_dir_all(dir) {
        tracing::warn!("removing the earlier session {}: {e}", dir.display());
    }
    Ok(taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_belongs_by_its_owner_file_and_a_legacy_one_by_officer_only() {
        let dir = tempfile::tempdir().unwrap();
        let (me, other) = (Uuid::now_v7(), Uuid::now_v7());
        record_owner(dir.path(), "http://trp-1:8470/", me).unwrap();
        assert!(belongs(dir.path(), "http://trp-1:8470", me));
        assert!(!belongs(dir.path(), "http://ben-1:8470", me));
        assert!(!belongs(dir.path(), "http://trp-1:8470", other));
        // A session from before owner files, once its cache was read.
        record_owner(dir.path(), UNKNOWN_SERVER, me).unwrap();
        assert!(belongs(dir.path(), "http://any:8470", me));
        assert!(!belongs(dir.path(), "http://any:8470", other));
        // No owner file and no readable cache: not ours, and nothing is written.
        let bare = tempfile::tempdir().unwrap();
        assert!(!belongs(bare.path(), "http://trp-1:8470", me));
        assert!(!bare.path().join(OWNER).exists());
    }
}
