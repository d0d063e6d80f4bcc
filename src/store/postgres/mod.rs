//! The PostgreSQL store: several stateless `tandem serve` instances over one
//! database. See `writer` for how seq stays gap-free across instances and how
//! live events cross them (LISTEN/NOTIFY).

mod read;
mod writer;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::{broadcast, mpsc};
use uuid::Uuid;

use super::queue::Queue;
use super::{OfficerRecord, Outcome, Request, Store, StoreError, StoreResult};
use crate::api::{
    Agency, Event, Incident, IncidentDetail, IncidentQuery, Page, Task, TaskQuery, Unit,
    VerifyReport,
};
use crate::model::Officer;

const LIVE_BUFFER: usize = 65_536;

pub struct PgStore {
    pool: PgPool,
    writer: Queue,
    events: broadcast::Sender<Arc<crate::store::Published>>,
}

impl PgStore {
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
            .map_err(|e| {
                StoreError::Unavailable(format!("migrating the PostgreSQL schema: {e}"))
            })?;
        let mut conn = options.connect().await?;
        conn.ping().await?;
        let (writer, jobs) = Queue::new();
        let (events, _) = broadcast::channel(LIVE_BUFFER);
        let (committed, batches) = mpsc::unbounded_channel();
        let head: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM events")
            .fetch_one(&pool)
            .await?;
        let instance = Uuid::new_v4();
        tokio::spawn(writer::run(conn, instance, jobs, committed));
        tokio::spawn(writer::publish(
            pool.clone(),
            instance,
            events.clone(),
            batches,
            head.unwrap_or(0) as u64,
        ));
        Ok(PgStore {
            pool,
            writer,
            events,
        })
    }
}

impl Store for PgStore {
    fn authenticate(&self, token_hash: &str) -> BoxFuture<'_, StoreResult<Option<Officer>>> {
        let token_hash = token_hash.to_string();
        Box::pin(async move {
            let json: Option<String> = sqlx::query_scalar(
                "SELECT data FROM officers WHERE token_hash = $1 AND NOT revoked",
            )
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
            Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
        })
    }

    fn execute(&self, request: Request) -> BoxFuture<'_, StoreResult<Outcome>> {
        Box::pin(self.writer.execute(request))
    }

    fn snapshot(
        &self,
        closed_within_hours: u32,
    ) -> BoxFuture<'_, StoreResult<BoxStream<'static, StoreResult<String>>>> {
        Box::pin(read::snapshot(self.pool.clone(), closed_within_hours))
    }

    fn events_after(&self, after: u64, limit: u32) -> BoxFuture<'_, StoreResult<Vec<Event>>> {
        Box::pin(read::events_after(&self.pool, after, limit))
    }

    fn head(&self) -> BoxFuture<'_, StoreResult<u64>> {
        Box::pin(async move {
            let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM events")
                .fetch_one(&self.pool)
                .await?;
            Ok(seq.unwrap_or(0) as u64)
        })
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<crate::store::Published>> {
        self.events.subscribe()
    }

    fn incident(&self, id: Uuid) -> BoxFuture<'_, StoreResult<Option<IncidentDetail>>> {
        Box::pin(read::incident(&self.pool, id))
    }

    fn search_incidents(&self, q: IncidentQuery) -> BoxFuture<'_, StoreResult<Page<Incident>>> {
        Box::pin(read::search_incidents(&self.pool, q))
    }

    fn tasks(&self, q: TaskQuery) -> BoxFuture<'_, StoreResult<Page<Task>>> {
        Box::pin(read::tasks(&self.pool, q))
    }

    fn agencies(&self) -> BoxFuture<'_, StoreResult<Vec<Agency>>> {
        Box::pin(read::all(
            &self.pool,
            "SELECT data FROM agencies ORDER BY code",
        ))
    }

    fn units(&self) -> BoxFuture<'_, StoreResult<Vec<Unit>>> {
        Box::pin(read::all(
            &self.pool,
            "SELECT data FROM units ORDER BY callsign",
        ))
    }

    fn officers(&self) -> BoxFuture<'_, StoreResult<Vec<OfficerRecord>>> {
        Box::pin(read::officers(&self.pool))
    }

    fn verify(&self) -> BoxFuture<'_, StoreResult<VerifyReport>> {
        Box::pin(read::verify(&self.pool))
    }
}
