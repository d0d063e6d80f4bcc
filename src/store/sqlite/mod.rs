//! The SQLite store: WAL, `synchronous=FULL`, one group-committing writer, pooled readers.

mod batch;
mod dialect;
mod writer;

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, SqlitePool};
use std::sync::Arc;

use tokio::sync::broadcast;

use super::publish::{self, Publisher};
use super::queue::Queue;
use super::sql_store::{LIVE_BUFFER, SqlStore};
use super::{StoreError, StoreResult, read};

pub type SqliteStore = SqlStore<SqlitePool>;

/// How often the log is read for events another process appended (the
/// admin command line, another server on the same file): SQLite tells
/// nobody of a commit.
const POLL: Duration = Duration::from_millis(500);

/// Opens (creating if needed) the database at `url` (`sqlite://PATH` or a path) and migrates it.
pub async fn open(url: &str) -> StoreResult<SqliteStore> {
    let path = url.strip_prefix("sqlite://").unwrap_or(url);
    let file = path.split('?').next().unwrap_or(path);
    if !file.is_empty() && !file.starts_with(':') && !file.starts_with("file:") {
        crate::paths::create_private_file(std::path::Path::new(file))
            .map_err(|e| StoreError::Unavailable(format!("creating {file}: {e}")))?;
    }
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .after_release(|conn, _| Box::pin(async move { Ok(super::reader::idle(conn)) }))
        .connect_with(options.clone())
        .await?;
    sqlx::migrate!("./src/store/sqlite/migrations")
        .run(&pool)
        .await
        .map_err(|e| StoreError::Unavailable(format!("migrating {path}: {e}")))?;
    let first = options.connect().await?;
    let (queue, jobs) = Queue::new();
    let (events, _) = broadcast::channel(LIVE_BUFFER);
    let publisher = Publisher::new(pool.clone(), events.clone(), read::head(&pool).await?);
    tokio::spawn(publish::follow(Arc::downgrade(&publisher), None, POLL));
    tokio::spawn(super::writer::run(
        writer::Sqlite { options },
        Some(first),
        jobs,
        publisher,
    ));
    Ok(SqlStore {
        reader: pool,
        writer: queue,
        events,
    })
}

#[cfg(test)]
mod tests {
    use sqlx::Connection;

    /// A reader dropped mid-transaction (a cancelled or panicking request)
    /// must not hand its open transaction to the next request.
    #[tokio::test]
    async fn a_connection_left_inside_a_transaction_never_goes_back_to_the_pool() {
        let dir = tempfile::tempdir().unwrap();
        let store = super::open(&dir.path().join("t.db").display().to_string())
            .await
            .unwrap();
        let mut conn = store.reader.acquire().await.unwrap();
        let tx = conn.begin().await.unwrap();
        std::mem::forget(tx); // as if its task died without unwinding it
        assert!(conn.is_in_transaction());
        drop(conn);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let mut held = Vec::new();
        for _ in 0..8 {
            let c = store.reader.acquire().await.unwrap();
            assert!(
                !c.is_in_transaction(),
                "a pooled connection is inside a transaction"
            );
            held.push(c);
        }
    }
}
