//! The PostgreSQL writer of one instance, and the publisher of live events.
//!
//! Gap-free seq across instances: every batch takes one transaction-scoped
//! advisory lock before reading the log's head, and holds it until commit. So
//! appends are serialised across all instances and commit in seq order: a
//! reader can never see seq N+1 while N is still uncommitted. The same lock
//! makes idempotency keys and incident numbers safe across instances.
//!
//! Live events: once a batch commits, the writer hands its events straight
//! to this instance's publisher, which broadcasts them without reading them
//! back. A batch also ends with `pg_notify("<instance> <head seq>")`,
//! delivered at commit to every instance; a publisher that learns of another
//! instance's seq beyond what it has broadcast reads the log after its last. The
//! publisher only ever broadcasts `last + 1`: a local batch that would skip a
//! seq first reads the gap from the log, and a seq already broadcast is
//! dropped. So what a subscriber gets is gap-free and in order however
//! notifications are delayed or lost (a periodic poll covers a lost one).

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool};
use sqlx::{Connection, PgConnection};
use tokio::sync::{broadcast, mpsc};
use uuid::Uuid;

use crate::model::{Agency, Event, Incident, Note, Officer, Task, Unit};
use crate::store::StoreResult;
use crate::store::buffer::{Answer, BatchResult, Bulk, apply_batch};
use crate::store::columns::{millis, search_text};
use crate::store::queue::{self, Job};
use crate::store::sql::Sql;

/// One lock for the whole event log.
const LOG_LOCK: i64 = 0x7A4D_0001;
pub const CHANNEL: &str = "tandem_events";

/// Commits batches of jobs; hands each committed batch's events, in seq
/// order, to `committed` (this instance's publisher).
pub async fn run(
    mut conn: PgConnection,
    instance: Uuid,
    mut jobs: mpsc::Receiver<Job>,
    committed: mpsc::UnboundedSender<Vec<Event>>,
) {
    let mut batch = Vec::new();
    while queue::next_batch(&mut jobs, &mut batch).await {
        match run_batch(&mut conn, instance, &batch).await {
            Ok(results) => {
                let events = queue::answer(&mut batch, results);
                if !events.is_empty() {
                    let _ = committed.send(events);
                }
            }
            Err(e) => queue::fail(&mut batch, &e),
        }
    }
}

async fn run_batch(
    conn: &mut PgConnection,
    instance: Uuid,
    batch: &[Job],
) -> StoreResult<BatchResult> {
    let mut tx = conn.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(LOG_LOCK)
        .execute(&mut *tx)
        .await?;
    let mut head = tx.head().await?;
    let results = apply_batch(&mut *tx, &mut head, batch).await?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(format!("{instance} {}", head.seq))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(results)
}

type Live = broadcast::Sender<Arc<crate::store::Published>>;

/// Broadcasts every committed event in seq order, whichever instance wrote
/// it: this instance's batches as `committed` hands them over, the others'
/// from the log when a notification or the poll says there is more.
pub async fn publish(
    pool: PgPool,
    instance: Uuid,
    live: Live,
    mut committed: mpsc::UnboundedReceiver<Vec<Event>>,
    mut last: u64,
) {
    let (notified, mut notifications) = mpsc::unbounded_channel();
    tokio::spawn(listen(pool.clone(), instance, notified));
    let mut poll = tokio::time::interval(Duration::from_secs(1));
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            batch = committed.recv() => match batch {
                Some(batch) => publish_local(&pool, &live, &mut last, batch).await,
                None => return, // the writer is gone: the store was dropped
            },
            Some(seq) = notifications.recv() => {
                if seq > last {
                    catch_up(&pool, &live, &mut last).await;
                }
            }
            _ = poll.tick() => catch_up(&pool, &live, &mut last).await,
        }
    }
}

/// Forwards the head seq of every commit made by another instance (this
/// one's come through `committed`, sooner). After (re)connecting it sends
/// `u64::MAX`, since notifications sent while it was away are lost.
async fn listen(pool: PgPool, instance: Uuid, notified: mpsc::UnboundedSender<u64>) {
    let me = instance.to_string();
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut l) => {
                if l.listen(CHANNEL).await.is_ok() {
                    if notified.send(u64::MAX).is_err() {
                        return;
                    }
                    while let Ok(n) = l.recv().await {
                        let (from, seq) = n.payload().split_once(' ').unwrap_or_default();
                        if from == me {
                            continue;
                        }
                        if notified.send(seq.parse().unwrap_or(u64::MAX)).is_err() {
                            return;
                        }
                    }
                }
            }
            Err(e) => tracing::warn!("LISTEN {CHANNEL}: {e}"),
        }
        if notified.is_closed() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn publish_local(pool: &PgPool, live: &Live, last: &mut u64, batch: Vec<Event>) {
    for e in batch {
        if e.seq > *last + 1 {
            // Another instance committed in between: its events come first.
            catch_up(pool, live, last).await;
        }
        if e.seq == *last + 1 {
            *last = e.seq;
            let _ = live.send(crate::store::Published::new(e));
        }
        // Otherwise already broadcast from the log (or the log could not be
        // read, and the next catch-up will bring it in order).
    }
}

/// Broadcasts what the log holds after `last`.
async fn catch_up(pool: &PgPool, live: &Live, last: &mut u64) {
    loop {
        match crate::store::read::events_after(pool, *last, 1000).await {
            Ok(page) if page.is_empty() => return,
            Ok(page) => {
                for e in page {
                    *last = e.seq;
                    let _ = live.send(crate::store::Published::new(e));
                }
            }
            Err(e) => {
                tracing::warn!("publishing events: {e}");
                return;
            }
        }
    }
}

/// Rows per statement. sqlx 0.9.0 does not set TCP_NODELAY (transact-rs/sqlx
/// #4335, fixed upstream, unreleased), and a statement of more than a few
/// kilobytes then meets the 40 ms delayed-ACK stall; small statements keep
/// each write in one segment.
const ROWS_PER_STATEMENT: usize = 4;

/// Batches are written with `UNNEST` over arrays: one statement text per
/// table whatever the batch size, so PostgreSQL prepares and plans each once
/// (multi-row VALUES would be a new statement for every row count).
impl Bulk for PgConnection {
    async fn write_incidents(&mut self, rows: &[(Incident, String)]) -> StoreResult<()> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let col = |f: &dyn Fn(&Incident) -> String| {
                chunk.iter().map(|(i, _)| f(i)).collect::<Vec<String>>()
            };
            sqlx::query(
                "INSERT INTO incidents (id, reference, centre, status, severity, category, lead_agency_id, is_open,
                 closed_at_ms, reported_at_ms, search, version, data)
                 SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                      $8::bool[], $9::bigint[], $10::bigint[], $11::text[], $12::bigint[], $13::text[])
                 ON CONFLICT (id) DO UPDATE SET reference = EXCLUDED.reference, centre = EXCLUDED.centre, status = EXCLUDED.status,
                 severity = EXCLUDED.severity, category = EXCLUDED.category, lead_agency_id = EXCLUDED.lead_agency_id,
                 is_open = EXCLUDED.is_open, closed_at_ms = EXCLUDED.closed_at_ms, reported_at_ms = EXCLUDED.reported_at_ms,
                 search = EXCLUDED.search, version = EXCLUDED.version, data = EXCLUDED.data",
            )
            .bind(col(&|i| i.id.to_string()))
            .bind(col(&|i| i.reference.clone()))
            .bind(col(&|i| i.centre.as_str().to_string()))
            .bind(col(&|i| i.status.as_str().to_string()))
            .bind(col(&|i| i.severity.as_str().to_string()))
            .bind(col(&|i| i.category.as_str().to_string()))
            .bind(chunk.iter().map(|(i, _)| i.lead_agency_id.map(|a| a.to_string())).collect::<Vec<Option<String>>>())
            .bind(chunk.iter().map(|(i, _)| i.status.is_open()).collect::<Vec<bool>>())
            .bind(chunk.iter().map(|(i, _)| i.closed_at.map(millis)).collect::<Vec<Option<i64>>>())
            .bind(chunk.iter().map(|(i, _)| millis(i.reported_at)).collect::<Vec<i64>>())
            .bind(col(&search_text))
            .bind(chunk.iter().map(|(i, _)| i.version as i64).collect::<Vec<i64>>())
            .bind(chunk.iter().map(|(_, j)| j.clone()).collect::<Vec<String>>())
            .execute(&mut *self)
            .await?;
        }
        Ok(())
    }

    async fn write_tasks(&mut self, rows: &[(Task, String)]) -> StoreResult<()> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            sqlx::query(
                "INSERT INTO tasks (id, incident_id, agency_id, status, is_open, version, data)
                 SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::bool[], $6::bigint[], $7::text[])
                 ON CONFLICT (id) DO UPDATE SET incident_id = EXCLUDED.incident_id, agency_id = EXCLUDED.agency_id,
                 status = EXCLUDED.status, is_open = EXCLUDED.is_open, version = EXCLUDED.version, data = EXCLUDED.data",
            )
            .bind(chunk.iter().map(|(t, _)| t.id.to_string()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|(t, _)| t.incident_id.to_string()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|(t, _)| t.agency_id.to_string()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|(t, _)| t.status.as_str().to_string()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|(t, _)| t.status.is_open()).collect::<Vec<bool>>())
            .bind(chunk.iter().map(|(t, _)| t.version as i64).collect::<Vec<i64>>())
            .bind(chunk.iter().map(|(_, j)| j.clone()).collect::<Vec<_>>())
            .execute(&mut *self)
            .await?;
        }
        Ok(())
    }

    async fn write_notes(&mut self, rows: &[(Note, String)]) -> StoreResult<()> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            sqlx::query("INSERT INTO notes (id, incident_id, at_ms, data) SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[])")
                .bind(chunk.iter().map(|(n, _)| n.id.to_string()).collect::<Vec<_>>())
                .bind(chunk.iter().map(|(n, _)| n.incident_id.to_string()).collect::<Vec<_>>())
                .bind(chunk.iter().map(|(n, _)| millis(n.at)).collect::<Vec<i64>>())
                .bind(chunk.iter().map(|(_, j)| j.clone()).collect::<Vec<_>>())
                .execute(&mut *self)
                .await?;
        }
        Ok(())
    }

    async fn write_units(&mut self, rows: &[(Unit, String)]) -> StoreResult<()> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            sqlx::query(
                "INSERT INTO units (id, agency_id, callsign, version, data)
                 SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[])
                 ON CONFLICT (id) DO UPDATE SET agency_id = EXCLUDED.agency_id, callsign = EXCLUDED.callsign,
                 version = EXCLUDED.version, data = EXCLUDED.data",
            )
            .bind(chunk.iter().map(|(u, _)| u.id.to_string()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|(u, _)| u.agency_id.to_string()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|(u, _)| u.callsign.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|(u, _)| u.version as i64).collect::<Vec<i64>>())
            .bind(chunk.iter().map(|(_, j)| j.clone()).collect::<Vec<_>>())
            .execute(&mut *self)
            .await?;
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
            sqlx::query(
                "INSERT INTO events (seq, at, actor, kind, entity, entity_id, version, data, prev_hash, hash)
                 SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],
                                      $8::text[], $9::text[], $10::text[])",
            )
            .bind(chunk.iter().map(|e| e.seq as i64).collect::<Vec<i64>>())
            .bind(chunk.iter().map(|e| e.at.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|e| e.actor.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|e| e.kind.as_str().to_string()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|e| e.entity.as_str().to_string()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|e| e.entity_id.to_string()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|e| e.version as i64).collect::<Vec<i64>>())
            .bind(chunk.iter().map(|e| e.data.get().to_string()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|e| e.prev_hash.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|e| e.hash.clone()).collect::<Vec<_>>())
            .execute(&mut *self)
            .await?;
        }
        Ok(())
    }

    async fn write_answers(&mut self, answers: &[Answer]) -> StoreResult<()> {
        for chunk in answers.chunks(ROWS_PER_STATEMENT) {
            sqlx::query(
                "INSERT INTO idempotency (actor, key, request_hash, status, etag, body, at)
                 SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::bigint[])",
            )
            .bind(chunk.iter().map(|a| a.0.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|a| a.1.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|a| a.2.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|a| a.3.status as i64).collect::<Vec<i64>>())
            .bind(chunk.iter().map(|a| a.3.etag.map(|v| v as i64)).collect::<Vec<Option<i64>>>())
            .bind(chunk.iter().map(|a| a.3.body.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|a| a.4).collect::<Vec<i64>>())
            .execute(&mut *self)
            .await?;
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
