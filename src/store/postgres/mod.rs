//! The PostgreSQL store: several stateless `tandem serve` instances over one
//! database. See `writer` for how seq stays gap-free across instances and how
//! live events cross them (LISTEN/NOTIFY).

mod dialect;
mod writer;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::{broadcast, mpsc};
use uuid::Uuid;

use super::queue::Queue;
use super::read;
use super::sql_store::{LIVE_BUFFER, SqlStore};
use super::{StoreError, StoreResult};

pub type PgStore = SqlStore<PgPool>;

/// Connects to `url` (postgres://…) and migrates the schema.
pub async fn open(url: &str) -> StoreResult<PgStore> {
    let options = PgConnectOptions::from_str(url)?;
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options.clone())
        .await?;
    sqlx::migrate!("./src/store/postgres/migrations")
        .run(&pool)
        .await
        .map_err(|e| StoreError::Unavailable(format!("migrating the PostgreSQL schema: {e}")))?;
    let mut conn = options.connect().await?;
    conn.ping().await?;
    let (writer, jobs) = Queue::new();
    let (events, _) = broadcast::channel(LIVE_BUFFER);
    let (committed, batches) = mpsc::unbounded_channel();
    let head = read::head(&pool).await?;
    let instance = Uuid::new_v4();
    tokio::spawn(writer::run(conn, instance, jobs, committed));
    tokio::spawn(writer::publish(
        pool.clone(),
        instance,
        events.clone(),
        batches,
        head,
    ));
    Ok(SqlStore {
        reader: pool,
        writer,
        events,
    })
}
