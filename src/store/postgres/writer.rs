//! The PostgreSQL writer of one instance, and the publisher of live events.
//!
//! Gap-free seq across instances: every batch takes one transaction-scoped
//! advisory lock before reading the log's head, and holds it until commit. So
//! appends are serialised across all instances and commit in seq order: a
//! reader can never see seq N+1 while N is still uncommitted. The same lock
//! makes idempotency keys and incident numbers safe across instances.
//!
//! Live events: a batch ends with `pg_notify`, delivered at commit to every
//! instance; each instance's publisher then reads the log after the last seq
//! it published and broadcasts in order. The log is the only source, so what
//! a subscriber gets is gap-free however notifications are delayed or lost
//! (a periodic poll covers a lost one).

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool};
use sqlx::{Connection, PgConnection, Postgres, QueryBuilder, Row as _};
use tokio::sync::{Notify, broadcast, mpsc, oneshot};
use uuid::Uuid;

use crate::model::{Agency, EntityKind, Event, Incident, Note, Officer, Task, Unit};
use crate::store::apply::{self, Head, Outcome, Request};
use crate::store::buffer::{Answer, Buffered, Bulk};
use crate::store::{StoreError, StoreResult};

const MAX_BATCH: usize = 256;
/// One lock for the whole event log.
const LOG_LOCK: i64 = 0x7A4D_0001;
pub const CHANNEL: &str = "tandem_events";

pub struct Job {
    pub request: Request,
    pub reply: oneshot::Sender<StoreResult<Outcome>>,
}

pub async fn run(mut conn: PgConnection, mut jobs: mpsc::Receiver<Job>, committed: Arc<Notify>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = jobs.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match run_batch(&mut conn, &batch).await {
            Ok(results) => {
                for (job, result) in batch.drain(..).zip(results) {
                    let _ = job.reply.send(result.map(|(outcome, _)| outcome));
                }
                committed.notify_one();
            }
            Err(e) => {
                tracing::error!("batch of {} commands rolled back: {e}", batch.len());
                for job in batch.drain(..) {
                    let _ = job.reply.send(Err(StoreError::Unavailable(format!(
                        "the database refused the write: {e}"
                    ))));
                }
            }
        }
    }
}

type BatchResult = Vec<StoreResult<(Outcome, Vec<Event>)>>;

async fn run_batch(conn: &mut PgConnection, batch: &[Job]) -> Result<BatchResult, StoreError> {
    let mut tx = conn.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(LOG_LOCK)
        .execute(&mut *tx)
        .await?;
    let mut head = read_head(&mut tx).await?;
    let mut results = Vec::with_capacity(batch.len());
    let mut buffered = Buffered::new(&mut *tx);
    for job in batch {
        let result = apply::apply(&mut buffered, &mut head, &job.request).await;
        if let Err(StoreError::Database(e)) = result {
            return Err(StoreError::Database(e));
        }
        results.push(result);
    }
    buffered.flush().await?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(head.seq.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(results)
}

async fn read_head(conn: &mut PgConnection) -> StoreResult<Head> {
    let row = sqlx::query("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => Head {
            seq: r.get::<i64, _>(0) as u64,
            hash: r.get(1),
        },
        None => Head::default(),
    })
}

/// Broadcasts every committed event in seq order, whichever instance wrote it.
pub async fn publish(
    pool: PgPool,
    events: broadcast::Sender<Arc<Event>>,
    committed: Arc<Notify>,
    mut last: u64,
) {
    let wake = committed.clone();
    let listen_pool = pool.clone();
    tokio::spawn(async move {
        loop {
            match PgListener::connect_with(&listen_pool).await {
                Ok(mut l) => {
                    if l.listen(CHANNEL).await.is_ok() {
                        while l.recv().await.is_ok() {
                            wake.notify_one();
                        }
                    }
                }
                Err(e) => tracing::warn!("LISTEN {CHANNEL}: {e}"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    loop {
        let _ = tokio::time::timeout(Duration::from_secs(1), committed.notified()).await;
        loop {
            match super::read::events_after(&pool, last, 1000).await {
                Ok(page) if page.is_empty() => break,
                Ok(page) => {
                    for e in page {
                        last = e.seq;
                        let _ = events.send(Arc::new(e));
                    }
                }
                Err(e) => {
                    tracing::warn!("publishing events: {e}");
                    break;
                }
            }
        }
    }
}

fn table(entity: EntityKind) -> &'static str {
    match entity {
        EntityKind::Incident => "incidents",
        EntityKind::Task => "tasks",
        EntityKind::Note => "notes",
        EntityKind::Agency => "agencies",
        EntityKind::Unit => "units",
        EntityKind::Officer => "officers",
    }
}

fn millis(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Rows per multi-row INSERT: well under PostgreSQL's 65,535 bound parameters.
const ROWS_PER_STATEMENT: usize = 500;

impl Bulk for PgConnection {
    async fn idempotent(
        &mut self,
        actor: &str,
        key: &str,
    ) -> StoreResult<Option<(String, Outcome)>> {
        let row = sqlx::query("SELECT request_hash, status, etag, body FROM idempotency WHERE actor = $1 AND key = $2")
            .bind(actor)
            .bind(key)
            .fetch_optional(&mut *self)
            .await?;
        Ok(row.map(|r| {
            (
                r.get(0),
                Outcome {
                    status: r.get::<i64, _>(1) as u16,
                    etag: r.get::<Option<i64>, _>(2).map(|v| v as u64),
                    body: r.get(3),
                    replayed: false,
                },
            )
        }))
    }

    async fn load(&mut self, entity: EntityKind, id: Uuid) -> StoreResult<Option<String>> {
        let sql = format!("SELECT data FROM {} WHERE id = $1", table(entity));
        Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(&mut *self)
            .await?)
    }

    async fn tasks_of(&mut self, incident: Uuid) -> StoreResult<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT data FROM tasks WHERE incident_id = $1 ORDER BY id")
                .bind(incident.to_string())
                .fetch_all(&mut *self)
                .await?,
        )
    }

    async fn counter(&mut self, centre: &str, year: i32) -> StoreResult<Option<u32>> {
        let n: Option<i64> =
            sqlx::query_scalar("SELECT n FROM reference_counters WHERE centre = $1 AND year = $2")
                .bind(centre)
                .bind(year as i64)
                .fetch_optional(&mut *self)
                .await?;
        Ok(n.map(|n| n as u32))
    }

    async fn write_incidents(&mut self, rows: &[(Incident, String)]) -> StoreResult<()> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut b: QueryBuilder<Postgres> = QueryBuilder::new(
                "INSERT INTO incidents (id, reference, centre, status, severity, category, lead_agency_id, is_open, \
                 closed_at_ms, reported_at_ms, search, version, data) ",
            );
            b.push_values(chunk, |mut r, (i, json)| {
                r.push_bind(i.id.to_string())
                    .push_bind(i.reference.clone())
                    .push_bind(i.centre.as_str())
                    .push_bind(i.status.as_str())
                    .push_bind(i.severity.as_str())
                    .push_bind(i.category.as_str())
                    .push_bind(i.lead_agency_id.map(|a| a.to_string()))
                    .push_bind(i.status.is_open())
                    .push_bind(i.closed_at.map(millis))
                    .push_bind(millis(i.reported_at))
                    .push_bind(
                        format!("{}\n{}\n{}", i.reference, i.title, i.description).to_lowercase(),
                    )
                    .push_bind(i.version as i64)
                    .push_bind(json.clone());
            });
            b.push(
                " ON CONFLICT (id) DO UPDATE SET reference = EXCLUDED.reference, centre = EXCLUDED.centre, status = EXCLUDED.status, \
                 severity = EXCLUDED.severity, category = EXCLUDED.category, lead_agency_id = EXCLUDED.lead_agency_id, \
                 is_open = EXCLUDED.is_open, closed_at_ms = EXCLUDED.closed_at_ms, reported_at_ms = EXCLUDED.reported_at_ms, \
                 search = EXCLUDED.search, version = EXCLUDED.version, data = EXCLUDED.data",
            );
            b.build().execute(&mut *self).await?;
        }
        Ok(())
    }

    async fn write_tasks(&mut self, rows: &[(Task, String)]) -> StoreResult<()> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut b: QueryBuilder<Postgres> = QueryBuilder::new(
                "INSERT INTO tasks (id, incident_id, agency_id, status, is_open, version, data) ",
            );
            b.push_values(chunk, |mut r, (t, json)| {
                r.push_bind(t.id.to_string())
                    .push_bind(t.incident_id.to_string())
                    .push_bind(t.agency_id.to_string())
                    .push_bind(t.status.as_str())
                    .push_bind(t.status.is_open())
                    .push_bind(t.version as i64)
                    .push_bind(json.clone());
            });
            b.push(
                " ON CONFLICT (id) DO UPDATE SET incident_id = EXCLUDED.incident_id, agency_id = EXCLUDED.agency_id, \
                 status = EXCLUDED.status, is_open = EXCLUDED.is_open, version = EXCLUDED.version, data = EXCLUDED.data",
            );
            b.build().execute(&mut *self).await?;
        }
        Ok(())
    }

    async fn write_notes(&mut self, rows: &[(Note, String)]) -> StoreResult<()> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut b: QueryBuilder<Postgres> =
                QueryBuilder::new("INSERT INTO notes (id, incident_id, at_ms, data) ");
            b.push_values(chunk, |mut r, (n, json)| {
                r.push_bind(n.id.to_string())
                    .push_bind(n.incident_id.to_string())
                    .push_bind(millis(n.at))
                    .push_bind(json.clone());
            });
            b.build().execute(&mut *self).await?;
        }
        Ok(())
    }

    async fn write_units(&mut self, rows: &[(Unit, String)]) -> StoreResult<()> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut b: QueryBuilder<Postgres> =
                QueryBuilder::new("INSERT INTO units (id, agency_id, callsign, version, data) ");
            b.push_values(chunk, |mut r, (u, json)| {
                r.push_bind(u.id.to_string())
                    .push_bind(u.agency_id.to_string())
                    .push_bind(u.callsign.clone())
                    .push_bind(u.version as i64)
                    .push_bind(json.clone());
            });
            b.push(
                " ON CONFLICT (id) DO UPDATE SET agency_id = EXCLUDED.agency_id, callsign = EXCLUDED.callsign, \
                 version = EXCLUDED.version, data = EXCLUDED.data",
            );
            b.build().execute(&mut *self).await?;
        }
        Ok(())
    }

    async fn write_agency(&mut self, a: &Agency, json: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO agencies (id, code, version, data) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET code = EXCLUDED.code, version = EXCLUDED.version, data = EXCLUDED.data",
        )
        .bind(a.id.to_string())
        .bind(&a.code)
        .bind(a.version as i64)
        .bind(json)
        .execute(&mut *self)
        .await?;
        Ok(())
    }

    async fn write_officer(
        &mut self,
        officer: &Officer,
        token_hash: Option<&str>,
        revoked: bool,
        json: &str,
    ) -> StoreResult<()> {
        let q = match token_hash {
            Some(hash) => sqlx::query(
                "INSERT INTO officers (id, token_hash, revoked, data) VALUES ($1, $2, $3, $4)",
            )
            .bind(officer.id.to_string())
            .bind(hash)
            .bind(revoked)
            .bind(json),
            None => sqlx::query("UPDATE officers SET revoked = $1, data = $2 WHERE id = $3")
                .bind(revoked)
                .bind(json)
                .bind(officer.id.to_string()),
        };
        q.execute(&mut *self).await?;
        Ok(())
    }

    async fn write_events(&mut self, events: &[Event]) -> StoreResult<()> {
        for chunk in events.chunks(ROWS_PER_STATEMENT) {
            let mut b: QueryBuilder<Postgres> = QueryBuilder::new(
                "INSERT INTO events (seq, at, actor, kind, entity, entity_id, version, data, prev_hash, hash) ",
            );
            b.push_values(chunk, |mut r, e| {
                r.push_bind(e.seq as i64)
                    .push_bind(e.at.clone())
                    .push_bind(e.actor.clone())
                    .push_bind(e.kind.as_str())
                    .push_bind(e.entity.as_str())
                    .push_bind(e.entity_id.to_string())
                    .push_bind(e.version as i64)
                    .push_bind(e.data.get().to_string())
                    .push_bind(e.prev_hash.clone())
                    .push_bind(e.hash.clone());
            });
            b.build().execute(&mut *self).await?;
        }
        Ok(())
    }

    async fn write_answers(&mut self, answers: &[Answer]) -> StoreResult<()> {
        for chunk in answers.chunks(ROWS_PER_STATEMENT) {
            let mut b: QueryBuilder<Postgres> = QueryBuilder::new(
                "INSERT INTO idempotency (actor, key, request_hash, status, etag, body, at) ",
            );
            b.push_values(chunk, |mut r, (actor, key, hash, o, at)| {
                r.push_bind(actor.clone())
                    .push_bind(key.clone())
                    .push_bind(hash.clone())
                    .push_bind(o.status as i64)
                    .push_bind(o.etag.map(|v| v as i64))
                    .push_bind(o.body.clone())
                    .push_bind(*at);
            });
            b.build().execute(&mut *self).await?;
        }
        Ok(())
    }

    async fn write_counters(&mut self, counters: &[(String, i32, u32)]) -> StoreResult<()> {
        for (centre, year, n) in counters {
            sqlx::query("INSERT INTO reference_counters (centre, year, n) VALUES ($1, $2, $3) ON CONFLICT (centre, year) DO UPDATE SET n = EXCLUDED.n")
                .bind(centre)
                .bind(*year as i64)
                .bind(*n as i64)
                .execute(&mut *self)
                .await?;
        }
        Ok(())
    }
}
