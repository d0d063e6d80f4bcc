//! The SQLite store: WAL, `synchronous=FULL`, one group-committing writer, pooled readers.

mod batch;
mod dialect;
mod writer;

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, SqlitePool};
use tokio::sync::broadcast;

use super::queue::Queue;
use super::sql_store::{LIVE_BUFFER, SqlStore};
use super::{StoreError, StoreResult};

pub type SqliteStore = SqlStore<SqlitePool>;

/// Opens (creating if needed) the database at `url` (`sqlite://PATH` or a path) and migrates it.
pub async fn open(url: &str) -> StoreResult<SqliteStore> {
    let path = url.strip_prefix("sqlite://").unwrap_or(url);
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .min_connections(1)
        .connect_with(options.clone())
        .await?;
    sqlx::migrate!("./src/store/sqlite/migrations")
        .run(&pool)
        .await
        .map_err(|e| StoreError::Unavailable(format!("migrating {path}: {e}")))?;
    let conn = options.connect().await?;
    let (writer, jobs) = Queue::new();
    let (events, _) = broadcast::channel(LIVE_BUFFER);
    tokio::spawn(writer::run(conn, jobs, events.clone()));
    Ok(SqlStore {
        reader: pool,
        writer,
        events,
    })
}
