//! The witness's own copy of the log: a SQLite file in its directory,
//! append-only (triggers refuse any update or delete), holding every event
//! whole as it was verified on arrival, the checkpoints among them, and the
//! alarms raised. It is also a full backup of the record at this site.

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection};

use crate::model::Event;
use crate::model::event::GENESIS_HASH;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    hash TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    event TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_entity ON events (entity_id, seq);
CREATE TABLE IF NOT EXISTS alarms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    finding TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS events_append_only_u BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the witness copy is append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_append_only_d BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the witness copy is append-only'); END;
";

/// Rows in one INSERT (six values each, well under SQLite's 32,766).
const ROWS_PER_INSERT: usize = 500;

/// The file's name in the witness's directory.
pub const FILE: &str = "witness.db";

pub struct Copy {
    conn: SqliteConnection,
    /// The seq and hash of the last event held.
    head: (u64, String),
    /// The seq the last checkpoint held signs (0: none yet).
    signed: u64,
}

/// What the copy holds of one entity: its last event's version and data.
pub struct Held {
    pub version: u64,
    pub event: Event,
}

impl Copy {
    pub async fn open(dir: &Path) -> anyhow::Result<Copy> {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot make the witness directory {dir:?}: {e}"))?;
        let path = dir.join(FILE);
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // A power cut may cost the last pages, never the file: the
            // witness fetches them again from its head.
            .synchronous(SqliteSynchronous::Normal);
        let mut conn = SqliteConnection::connect_with(&options)
            .await
            .map_err(|e| anyhow::anyhow!("cannot open the witness copy {path:?}: {e}"))?;
        sqlx::raw_sql(SCHEMA).execute(&mut conn).await?;
        let head: Option<(i64, String)> =
            sqlx::query_as("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut conn)
                .await?;
        let head = head
            .map(|(s, h)| (s as u64, h))
            .unwrap_or((0, GENESIS_HASH.to_string()));
        let signed: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) - 1 FROM events WHERE kind = 'audit.checkpoint'")
                .fetch_one(&mut conn)
                .await?;
        Ok(Copy {
            conn,
            head,
            signed: signed.unwrap_or(0).max(0) as u64,
        })
    }

    pub fn head(&self) -> (u64, &str) {
        (self.head.0, &self.head.1)
    }

    /// The seq the last checkpoint in the copy signs.
    pub fn signed(&self) -> u64 {
        self.signed
    }

    /// Appends events already verified to follow the head, in one transaction.
    pub async fn append(&mut self, events: &[Event]) -> anyhow::Result<()> {
        let Some(last) = events.last() else {
            return Ok(());
        };
        let mut tx = self.conn.begin().await?;
        // Many rows a statement: one statement per row costs the driver a
        // round trip each, most of a catch-up's time.
        for chunk in events.chunks(ROWS_PER_INSERT) {
            let rows = vec!["(?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
            let sql = format!(
                "INSERT INTO events (seq, hash, entity_id, version, kind, event) VALUES {rows}"
            );
            // Only `?` marks are spliced in: the values are bound.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for e in chunk {
                q = q
                    .bind(e.seq as i64)
                    .bind(e.hash.clone())
                    .bind(e.entity_id.to_string())
                    .bind(e.version as i64)
                    .bind(e.kind.as_str())
                    .bind(serde_json::to_string(e)?);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        if let Some(cp) = events
            .iter()
            .rev()
            .find(|e| e.kind == crate::model::EventKind::AuditCheckpoint)
        {
            self.signed = cp.seq.saturating_sub(1);
        }
        self.head = (last.seq, last.hash.clone());
        Ok(())
    }

    /// The (seq, hash) of up to `limit` events after `after`.
    pub async fn hashes(&mut self, after: u64, limit: u32) -> anyhow::Result<Vec<(u64, String)>> {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT seq, hash FROM events WHERE seq > $1 ORDER BY seq LIMIT $2")
                .bind(after as i64)
                .bind(i64::from(limit))
                .fetch_all(&mut self.conn)
                .await?;
        Ok(rows.into_iter().map(|(s, h)| (s as u64, h)).collect())
    }

    /// The last event the copy holds for each of `ids` that it holds any of.
    pub async fn last_of(
        &mut self,
        ids: &[uuid::Uuid],
    ) -> anyhow::Result<std::collections::HashMap<uuid::Uuid, Held>> {
        let mut held = std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let sql = format!(
                "SELECT event FROM events WHERE seq IN \
                 (SELECT MAX(seq) FROM events WHERE entity_id IN ({marks}) GROUP BY entity_id)"
            );
            // Only `?` marks are spliced in: the ids are bound.
            let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(id.to_string());
            }
            for json in q.fetch_all(&mut self.conn).await? {
                let event: Event = serde_json::from_str(&json)?;
                held.insert(
                    event.entity_id,
                    Held {
                        version: event.version,
                        event,
                    },
                );
            }
        }
        Ok(held)
    }

    pub async fn record_alarm(&mut self, at: &str, finding: &str) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO alarms (at, finding) VALUES ($1, $2)")
            .bind(at)
            .bind(finding)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }
}
