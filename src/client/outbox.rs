//! The durable outbox: every change an officer makes is written here (and
//! fsynced) before it is shown as queued, then sent in order, exactly once
//! (each entry keeps its Idempotency-Key across retries and restarts).
//! Conflicts and refusals stay here, visible, until the officer decides.

use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use thiserror::Error;
use time::OffsetDateTime;

use super::call::ApiCall;
use super::new_key;

#[derive(Debug, Error)]
pub enum OutboxError {
    #[error("the local outbox at {path} cannot be used: {source}")]
    Open { path: String, source: sqlx::Error },
    #[error("the local outbox failed: {0}")]
    Io(#[from] sqlx::Error),
    #[error("an outbox entry is unreadable: {0}")]
    Corrupt(#[from] serde_json::Error),
}

/// Where an entry stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum EntryState {
    /// Waiting to be sent (or being sent).
    Pending,
    /// Someone else changed the entity first (412); `current` is the entity now.
    Conflict { current: serde_json::Value },
    /// The server refused it (4xx) and said why.
    Refused { status: u16, reason: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Position in the outbox; entries are sent in this order.
    pub seq: i64,
    /// The Idempotency-Key, fixed when the officer acted.
    pub key: String,
    pub call: ApiCall,
    pub state: EntryState,
    pub created_at: OffsetDateTime,
}

#[derive(Clone)]
pub struct Outbox {
    pool: SqlitePool,
}

impl Outbox {
    pub async fn open(path: &Path) -> Result<Outbox, OutboxError> {
        let open = |source| OutboxError::Open {
            path: path.display().to_string(),
            source,
        };
        crate::paths::create_private_file(path).map_err(|e| OutboxError::Open {
            path: path.display().to_string(),
            source: sqlx::Error::Io(e),
        })?;
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .map_err(open)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(open)?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS outbox (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                key TEXT NOT NULL UNIQUE,
                call TEXT NOT NULL,
                state TEXT NOT NULL,
                created_at INTEGER NOT NULL)",
        )
        .execute(&pool)
        .await
        .map_err(open)?;
        Ok(Outbox { pool })
    }

    /// Queues a change durably (committed with fsync) and returns its entry.
    pub async fn push(&self, call: &ApiCall) -> Result<Entry, OutboxError> {
        let key = new_key();
        let now = OffsetDateTime::now_utc();
        let seq =
            sqlx::query("INSERT INTO outbox (key, call, state, created_at) VALUES (?, ?, ?, ?)")
                .bind(&key)
                .bind(serde_json::to_string(call)?)
                .bind(serde_json::to_string(&EntryState::Pending)?)
                .bind(now.unix_timestamp())
                .execute(&self.pool)
                .await?
                .last_insert_rowid();
        Ok(Entry {
            seq,
            key,
            call: call.clone(),
            state: EntryState::Pending,
            created_at: now,
        })
    }

    /// Takes over an entry from another outbox, keeping its Idempotency-Key
    /// (so a change that in fact landed is not applied twice) and its state.
    pub async fn adopt(&self, entry: &Entry) -> Result<Entry, OutboxError> {
        let seq =
            sqlx::query("INSERT INTO outbox (key, call, state, created_at) VALUES (?, ?, ?, ?)")
                .bind(&entry.key)
                .bind(serde_json::to_string(&entry.call)?)
                .bind(serde_json::to_string(&entry.state)?)
                .bind(entry.created_at.unix_timestamp())
                .execute(&self.pool)
                .await?
                .last_insert_rowid();
        Ok(Entry {
            seq,
            ..entry.clone()
        })
    }

    /// Closes the outbox's database.
    pub async fn close(self) {
        self.pool.close().await;
    }

    /// Every entry, oldest first.
    pub async fn entries(&self) -> Result<Vec<Entry>, OutboxError> {
        let rows = sqlx::query("SELECT seq, key, call, state, created_at FROM outbox ORDER BY seq")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Entry {
                    seq: r.get(0),
                    key: r.get(1),
                    call: serde_json::from_str(r.get::<&str, _>(2))?,
                    state: serde_json::from_str(r.get::<&str, _>(3))?,
                    created_at: OffsetDateTime::from_unix_timestamp(r.get(4))
                        .unwrap_or(OffsetDateTime::UNIX_EPOCH),
                })
            })
            .collect()
    }

    pub async fn pending(&self) -> Result<Vec<Entry>, OutboxError> {
        Ok(self
            .entries()
            .await?
            .into_iter()
            .filter(|e| e.state == EntryState::Pending)
            .collect())
    }

    pub async fn set_state(&self, seq: i64, state: &EntryState) -> Result<(), OutboxError> {
        sqlx::query("UPDATE outbox SET state = ? WHERE seq = ?")
            .bind(serde_json::to_string(state)?)
            .bind(seq)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes a delivered or discarded entry.
    pub async fn remove(&self, seq: i64) -> Result<(), OutboxError> {
        sqlx::query("DELETE FROM outbox WHERE seq = ?")
            .bind(seq)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
