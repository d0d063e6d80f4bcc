//! The PostgreSQL store: several stateless `tandem serve` instances over one
//! database. See `writer` for how seq stays gap-free across instances and how
//! live events cross them (LISTEN/NOTIFY).

mod dialect;
mod writer;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use tokio::sync::{broadcast, mpsc};
use uuid::Uuid;

use super::publish::{self, Publisher};
use super::queue::Queue;
use super::sql_store::{LIVE_BUFFER, SqlStore};
use super::writer::Backend;
use super::{StoreError, StoreResult, read};

pub type PgStore = SqlStore<PgPool>;

/// How often the log is read anyway, in case a notification was lost.
const POLL: Duration = Duration::from_secs(1);

/// Connects to `url` (postgres://…) and migrates the schema.
pub async fn open(url: &str) -> StoreResult<PgStore> {
    let options = PgConnectOptions::from_str(url)?;
    // A short acquire timeout: with the database gone, reads fail in a few
    // seconds (503) instead of hanging; pooled connections are tested
    // before use, so a restarted database is reconnected to by itself.
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(3))
        .after_release(|conn, _| Box::pin(async move { Ok(super::reader::idle(conn)) }))
        .connect_with(options.clone())
        .await?;
    sqlx::migrate!("./src/store/postgres/migrations")
        .run(&pool)
        .await
        .map_err(|e| StoreError::Unavailable(format!("migrating the PostgreSQL schema: {e}")))?;
    let instance = Uuid::new_v4();
    let backend = writer::Postgres { options, instance };
    let first = backend.connect().await?;
    let (queue, jobs) = Queue::new();
    let (events, _) = broadcast::channel(LIVE_BUFFER);
    let (notify, notified) = mpsc::unbounded_channel();
    let publisher = Publisher::new(pool.clone(), events.clone(), read::head(&pool).await?);
    tokio::spawn(writer::listen(pool.clone(), instance, notify));
    tokio::spawn(publish::follow(
        Arc::downgrade(&publisher),
        Some(notified),
        POLL,
    ));
    tokio::spawn(super::writer::run(backend, Some(first), jobs, publisher));
    Ok(SqlStore {
        reader: pool,
        writer: queue,
        events,
    })
}
