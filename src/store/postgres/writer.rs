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

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPool};
use sqlx::{ConnectOptions, Connection, PgConnection};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::model::marking::incident_audience;
use crate::model::{Agency, Event, Incident, Note, Task, Unit};
use crate::store::apply::Head;
use crate::store::buffer::{Answer, Bulk, apply_batch};
use crate::store::columns::{awaiting, due_ms, millis, search_text, triaged_ms};
use crate::store::queue::Job;
use crate::store::sql::{Bind, Sql};
use crate::store::writer::{Attempt, Backend};
use crate::store::{Logged, StoreResult};

/// One lock for the whole event log.
const LOG_LOCK: i64 = 0x7A4D_0001;
pub const CHANNEL: &str = "tandem_events";

/// PostgreSQL's side of the single writer (`store::writer`).
pub struct Postgres {
    pub options: PgConnectOptions,
    pub instance: Uuid,
}

/// The write connection and its server process, which a broken commit is
/// settled against.
pub struct Writer {
    conn: PgConnection,
    pid: i32,
}

impl Backend for Postgres {
    type Conn = Writer;
    type Session = i32;

    async fn connect(&self) -> StoreResult<Writer> {
        let mut conn = self.options.connect().await?;
        let pid = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut conn)
            .await?;
        Ok(Writer { conn, pid })
    }

    fn session(w: &Writer) -> i32 {
        w.pid
    }

    async fn write(&self, w: &mut Writer, batch: &[Job], attempt: &mut Attempt) -> StoreResult<()> {
        let mut tx = w.conn.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(LOG_LOCK)
            .execute(&mut *tx)
            .await?;
        let mut head = tx.head().await?;
        let before = head.seq;
        let results = apply_batch(&mut *tx, &mut head, batch).await?;
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(format!("{} {}", self.instance, head.seq))
            .execute(&mut *tx)
            .await?;
        attempt.before_commit(results, &head, before);
        tx.commit().await?;
        Ok(())
    }

    /// A COMMIT that reached the server is carried out even if the client has
    /// gone: end the lost server process (a commit in progress finishes
    /// first; anything else is rolled back), wait until it is gone, then look.
    async fn landed(&self, w: &mut Writer, lost: &i32, last: &Head) -> StoreResult<bool> {
        let lost = vec![Bind::Int(i64::from(*lost))];
        w.conn
            .execute("SELECT pg_terminate_backend($1::int)", lost.clone())
            .await?;
        let alive = "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = $1";
        while w.conn.int(alive, lost.clone()).await? > 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let found = w
            .conn
            .texts(
                "SELECT hash FROM events WHERE seq = $1",
                vec![Bind::Int(last.seq as i64)],
            )
            .await?;
        Ok(found.first() == Some(&last.hash))
    }
}

/// Forwards the head seq of every commit made by another instance (this
/// one's come through the writer, sooner). After (re)connecting it sends
/// `u64::MAX`, since notifications sent while it was away are lost.
pub async fn listen(pool: PgPool, instance: Uuid, notified: mpsc::UnboundedSender<u64>) {
    let me = instance.to_string();
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut l) => {
                if l.listen(CHANNEL).await.is_ok() {
                    if notified.send(u64::MAX).is_err() {
                        return;
                    }
                    // `try_recv` says when the connection was lost (None): the
                    // listener reconnects on the next call, and what was sent
                    // meanwhile must be read from the log.
                    loop {
                        let seq = match l.try_recv().await {
                            Ok(Some(n)) => {
                                let (from, seq) = n.payload().split_once(' ').unwrap_or_default();
                                if from == me {
                                    continue;
                                }
                                seq.parse().unwrap_or(u64::MAX)
                            }
                            Ok(None) => {
                                tracing::warn!("LISTEN {CHANNEL}: connection lost; reconnecting");
                                u64::MAX
                            }
                            Err(e) => {
                                tracing::warn!("LISTEN {CHANNEL}: {e}");
                                break;
                            }
                        };
                        if notified.send(seq).is_err() {
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
                 closed_at_ms, reported_at_ms, search, version, data, audience, awaiting, sector, triaged_at_ms)
                 SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                      $8::bool[], $9::bigint[], $10::bigint[], $11::text[], $12::bigint[], $13::text[], $14::text[],
                                      $15::text[], $16::text[], $17::bigint[])
                 ON CONFLICT (id) DO UPDATE SET reference = EXCLUDED.reference, centre = EXCLUDED.centre, status = EXCLUDED.status,
                 severity = EXCLUDED.severity, category = EXCLUDED.category, lead_agency_id = EXCLUDED.lead_agency_id,
                 is_open = EXCLUDED.is_open, closed_at_ms = EXCLUDED.closed_at_ms, reported_at_ms = EXCLUDED.reported_at_ms,
                 search = EXCLUDED.search, version = EXCLUDED.version, data = EXCLUDED.data, audience = EXCLUDED.audience,
                 awaiting = EXCLUDED.awaiting, sector = EXCLUDED.sector, triaged_at_ms = EXCLUDED.triaged_at_ms",
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
            .bind(col(&incident_audience))
            .bind(chunk.iter().map(|(i, _)| awaiting(i)).collect::<Vec<Option<&str>>>())
            .bind(chunk.iter().map(|(i, _)| i.location.sector.clone()).collect::<Vec<Option<String>>>())
            .bind(chunk.iter().map(|(i, _)| triaged_ms(i)).collect::<Vec<Option<i64>>>())
            .execute(&mut *self)
            .await?;
        }
        Ok(())
    }

    async fn write_tasks(&mut self, rows: &[(Task, String, String)]) -> StoreResult<()> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            sqlx::query(
                "INSERT INTO tasks (id, incident_id, agency_id, status, is_open, version, data, audience, unit_id,
                 due_at_ms)
                 SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::bool[], $6::bigint[], $7::text[],
                                      $8::text[], $9::text[], $10::bigint[])
                 ON CONFLICT (id) DO UPDATE SET incident_id = EXCLUDED.incident_id, agency_id = EXCLUDED.agency_id,
                 status = EXCLUDED.status, is_open = EXCLUDED.is_open, version = EXCLUDED.version, data = EXCLUDED.data,
                 audience = EXCLUDED.audience, unit_id = EXCLUDED.unit_id, due_at_ms = EXCLUDED.due_at_ms",
            )
            .bind(chunk.iter().map(|(t, _, _)| t.id.to_string()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|(t, _, _)| t.incident_id.to_string()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|(t, _, _)| t.agency_id.to_string()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|(t, _, _)| t.status.as_str().to_string()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|(t, _, _)| t.status.is_open()).collect::<Vec<bool>>())
            .bind(chunk.iter().map(|(t, _, _)| t.version as i64).collect::<Vec<i64>>())
            .bind(chunk.iter().map(|(_, j, _)| j.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|(_, _, a)| a.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|(t, _, _)| t.unit_id.map(|u| u.to_string())).collect::<Vec<Option<String>>>())
            .bind(chunk.iter().map(|(t, _, _)| due_ms(t)).collect::<Vec<Option<i64>>>())
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

    async fn write_events(&mut self, logged: &[Logged]) -> StoreResult<()> {
        for chunk in logged.chunks(ROWS_PER_STATEMENT) {
            let audiences = chunk.iter().map(|l| l.audience.clone()).collect::<Vec<_>>();
            let was = chunk
                .iter()
                .map(|l| l.was.clone())
                .collect::<Vec<Option<String>>>();
            let chunk: Vec<&Event> = chunk.iter().map(|l| &l.event).collect();
            sqlx::query(
                "INSERT INTO events (seq, at, actor, kind, entity, entity_id, version, data, prev_hash, hash,
                                     audience, was_audience)
                 SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],
                                      $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])",
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
            .bind(audiences)
            .bind(was)
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
