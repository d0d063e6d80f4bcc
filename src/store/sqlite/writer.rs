//! The single SQLite writer: group commit and the [`WriteTx`] implementation.
//!
//! One task owns the only write connection. It takes every command waiting
//! in its queue, runs them all in one transaction and commits once, so one
//! fsync acknowledges the whole batch. A command the rules refuse has written
//! nothing (see `apply`), so it never spoils its neighbours; a database error
//! fails the whole batch and nobody gets a 2xx for it.

use std::sync::Arc;

use sqlx::{Connection, Row as _, SqliteConnection};
use tokio::sync::{broadcast, mpsc, oneshot};
use uuid::Uuid;

use crate::model::{EntityKind, Event};
use crate::store::apply::{self, Head, Idempotency, Outcome, Request, Row, WriteTx};
use crate::store::{StoreError, StoreResult};

/// Most commands in one transaction; bounds the latency of the last in a batch.
const MAX_BATCH: usize = 256;

pub struct Job {
    pub request: Request,
    pub reply: oneshot::Sender<StoreResult<Outcome>>,
}

pub async fn run(
    mut conn: SqliteConnection,
    mut jobs: mpsc::Receiver<Job>,
    events: broadcast::Sender<Arc<Event>>,
) {
    let mut head = match read_head(&mut conn).await {
        Ok(h) => h,
        Err(e) => {
            tracing::error!("writer cannot read the event log head: {e}");
            return;
        }
    };
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = jobs.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let before = head.clone();
        match run_batch(&mut conn, &mut head, &batch).await {
            Ok(results) => {
                for (job, result) in batch.drain(..).zip(results) {
                    let reply = result.map(|(outcome, evs)| {
                        for e in evs {
                            // No receiver is fine: nobody is listening yet.
                            let _ = events.send(Arc::new(e));
                        }
                        outcome
                    });
                    let _ = job.reply.send(reply);
                }
            }
            Err(e) => {
                tracing::error!("batch of {} commands rolled back: {e}", batch.len());
                head = before;
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

async fn run_batch(
    conn: &mut SqliteConnection,
    head: &mut Head,
    batch: &[Job],
) -> Result<BatchResult, StoreError> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        let result = apply::apply(&mut *tx, head, &job.request).await;
        if let Err(StoreError::Database(e)) = result {
            // Part of this command may be written: the whole batch must go.
            return Err(StoreError::Database(e));
        }
        results.push(result);
    }
    tx.commit().await?;
    Ok(results)
}

pub async fn read_head(conn: &mut SqliteConnection) -> StoreResult<Head> {
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

impl WriteTx for SqliteConnection {
    async fn idempotent(
        &mut self,
        actor: &str,
        key: &str,
    ) -> StoreResult<Option<(String, Outcome)>> {
        let row = sqlx::query(
            "SELECT request_hash, status, etag, body FROM idempotency WHERE actor = ? AND key = ?",
        )
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

    async fn remember(
        &mut self,
        actor: &str,
        key: &Idempotency,
        outcome: &Outcome,
        at: i64,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO idempotency (actor, key, request_hash, status, etag, body, at) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind(actor)
            .bind(&key.key)
            .bind(&key.request_hash)
            .bind(outcome.status as i64)
            .bind(outcome.etag.map(|v| v as i64))
            .bind(&outcome.body)
            .bind(at)
            .execute(&mut *self)
            .await?;
        Ok(())
    }

    async fn load(&mut self, entity: EntityKind, id: Uuid) -> StoreResult<Option<String>> {
        let sql = format!("SELECT data FROM {} WHERE id = ?", table(entity));
        Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(&mut *self)
            .await?)
    }

    async fn tasks_of(&mut self, incident: Uuid) -> StoreResult<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT data FROM tasks WHERE incident_id = ? ORDER BY id")
                .bind(incident.to_string())
                .fetch_all(&mut *self)
                .await?,
        )
    }

    async fn next_reference_number(&mut self, centre: &str, year: i32) -> StoreResult<u32> {
        let n: i64 = sqlx::query_scalar(
            "INSERT INTO reference_counters (centre, year, n) VALUES (?, ?, 1)
             ON CONFLICT (centre, year) DO UPDATE SET n = n + 1 RETURNING n",
        )
        .bind(centre)
        .bind(year)
        .fetch_one(&mut *self)
        .await?;
        Ok(n as u32)
    }

    async fn put(&mut self, row: Row<'_>, json: &str) -> StoreResult<()> {
        let q = match row {
            Row::Incident(i) => sqlx::query(
                "INSERT OR REPLACE INTO incidents (id, reference, centre, status, severity, category,
                 lead_agency_id, is_open, closed_at_ms, reported_at_ms, search, version, data)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(i.id.to_string())
            .bind(&i.reference)
            .bind(i.centre.as_str())
            .bind(i.status.as_str())
            .bind(i.severity.as_str())
            .bind(i.category.as_str())
            .bind(i.lead_agency_id.map(|a| a.to_string()))
            .bind(i.status.is_open())
            .bind(i.closed_at.map(millis))
            .bind(millis(i.reported_at))
            .bind(format!("{}\n{}\n{}", i.reference, i.title, i.description).to_lowercase())
            .bind(i.version as i64)
            .bind(json),
            Row::Task(t) => sqlx::query(
                "INSERT OR REPLACE INTO tasks (id, incident_id, agency_id, status, is_open, version, data)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(t.id.to_string())
            .bind(t.incident_id.to_string())
            .bind(t.agency_id.to_string())
            .bind(t.status.as_str())
            .bind(t.status.is_open())
            .bind(t.version as i64)
            .bind(json),
            Row::Note(n) => sqlx::query("INSERT INTO notes (id, incident_id, at_ms, data) VALUES (?, ?, ?, ?)")
                .bind(n.id.to_string())
                .bind(n.incident_id.to_string())
                .bind(millis(n.at))
                .bind(json),
            Row::Agency(a) => sqlx::query("INSERT OR REPLACE INTO agencies (id, code, version, data) VALUES (?, ?, ?, ?)")
                .bind(a.id.to_string())
                .bind(&a.code)
                .bind(a.version as i64)
                .bind(json),
            Row::Unit(u) => sqlx::query("INSERT OR REPLACE INTO units (id, agency_id, callsign, version, data) VALUES (?, ?, ?, ?, ?)")
                .bind(u.id.to_string())
                .bind(u.agency_id.to_string())
                .bind(&u.callsign)
                .bind(u.version as i64)
                .bind(json),
            Row::Officer { officer, token_hash: Some(hash), revoked } => {
                sqlx::query("INSERT INTO officers (id, token_hash, revoked, data) VALUES (?, ?, ?, ?)")
                    .bind(officer.id.to_string())
                    .bind(hash)
                    .bind(revoked)
                    .bind(json)
            }
            Row::Officer { officer, token_hash: None, revoked } => {
                sqlx::query("UPDATE officers SET revoked = ?, data = ? WHERE id = ?")
                    .bind(revoked)
                    .bind(json)
                    .bind(officer.id.to_string())
            }
        };
        q.execute(&mut *self).await?;
        Ok(())
    }

    async fn append(&mut self, e: &Event) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO events (seq, at, actor, kind, entity, entity_id, version, data, prev_hash, hash)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(e.seq as i64)
        .bind(&e.at)
        .bind(&e.actor)
        .bind(e.kind.as_str())
        .bind(e.entity.as_str())
        .bind(e.entity_id.to_string())
        .bind(e.version as i64)
        .bind(e.data.get())
        .bind(&e.prev_hash)
        .bind(&e.hash)
        .execute(&mut *self)
        .await?;
        Ok(())
    }
}
