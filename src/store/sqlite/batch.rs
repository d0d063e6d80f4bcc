//! [`WriteTx`] for one group-commit batch: reads go to the database, writes
//! are buffered and flushed as a few multi-row statements before the commit.
//!
//! Per-statement overhead, not fsync, is what limits SQLite through sqlx once
//! commits are grouped; buffering cuts a command to about two reads. Loads see
//! the batch's own buffered writes first, so commands later in a batch build
//! on earlier ones exactly as if each had been written at once.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Row as _, Sqlite, SqliteConnection};
use uuid::Uuid;

use crate::model::{EntityKind, Event, Incident, Note, Task, Unit};
use crate::store::StoreResult;
use crate::store::apply::{Idempotency, Outcome, Row, WriteTx};

/// Rows per multi-row INSERT: well under SQLite's 32,766 bound parameters.
const ROWS_PER_STATEMENT: usize = 500;

pub struct BatchTx<'c> {
    conn: &'c mut SqliteConnection,
    incidents: HashMap<Uuid, (Incident, String)>,
    tasks: HashMap<Uuid, (Task, String)>,
    notes: Vec<(Note, String)>,
    units: HashMap<Uuid, (Unit, String)>,
    events: Vec<Event>,
    answers: HashMap<(String, String), (String, Outcome, i64)>,
    counters: HashMap<(String, i32), u32>,
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

pub fn millis(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

impl<'c> BatchTx<'c> {
    pub fn new(conn: &'c mut SqliteConnection) -> Self {
        BatchTx {
            conn,
            incidents: HashMap::new(),
            tasks: HashMap::new(),
            notes: Vec::new(),
            units: HashMap::new(),
            events: Vec::new(),
            answers: HashMap::new(),
            counters: HashMap::new(),
        }
    }

    /// Writes everything buffered; the caller commits.
    pub async fn flush(&mut self) -> StoreResult<()> {
        let incidents: Vec<_> = self.incidents.drain().map(|(_, v)| v).collect();
        for chunk in incidents.chunks(ROWS_PER_STATEMENT) {
            let mut b: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT OR REPLACE INTO incidents (id, reference, centre, status, severity, category, \
                 lead_agency_id, is_open, closed_at_ms, reported_at_ms, search, version, data) ",
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
            b.build().execute(&mut *self.conn).await?;
        }
        let tasks: Vec<_> = self.tasks.drain().map(|(_, v)| v).collect();
        for chunk in tasks.chunks(ROWS_PER_STATEMENT) {
            let mut b: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT OR REPLACE INTO tasks (id, incident_id, agency_id, status, is_open, version, data) ",
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
            b.build().execute(&mut *self.conn).await?;
        }
        let notes = std::mem::take(&mut self.notes);
        for chunk in notes.chunks(ROWS_PER_STATEMENT) {
            let mut b: QueryBuilder<Sqlite> =
                QueryBuilder::new("INSERT INTO notes (id, incident_id, at_ms, data) ");
            b.push_values(chunk, |mut r, (n, json)| {
                r.push_bind(n.id.to_string())
                    .push_bind(n.incident_id.to_string())
                    .push_bind(millis(n.at))
                    .push_bind(json.clone());
            });
            b.build().execute(&mut *self.conn).await?;
        }
        let units: Vec<_> = self.units.drain().map(|(_, v)| v).collect();
        for chunk in units.chunks(ROWS_PER_STATEMENT) {
            let mut b: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT OR REPLACE INTO units (id, agency_id, callsign, version, data) ",
            );
            b.push_values(chunk, |mut r, (u, json)| {
                r.push_bind(u.id.to_string())
                    .push_bind(u.agency_id.to_string())
                    .push_bind(u.callsign.clone())
                    .push_bind(u.version as i64)
                    .push_bind(json.clone());
            });
            b.build().execute(&mut *self.conn).await?;
        }
        let events = std::mem::take(&mut self.events);
        for chunk in events.chunks(ROWS_PER_STATEMENT) {
            let mut b: QueryBuilder<Sqlite> = QueryBuilder::new(
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
            b.build().execute(&mut *self.conn).await?;
        }
        let answers: Vec<_> = self.answers.drain().collect();
        for chunk in answers.chunks(ROWS_PER_STATEMENT) {
            let mut b: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO idempotency (actor, key, request_hash, status, etag, body, at) ",
            );
            b.push_values(chunk, |mut r, ((actor, key), (hash, o, at))| {
                r.push_bind(actor.clone())
                    .push_bind(key.clone())
                    .push_bind(hash.clone())
                    .push_bind(o.status as i64)
                    .push_bind(o.etag.map(|v| v as i64))
                    .push_bind(o.body.clone())
                    .push_bind(*at);
            });
            b.build().execute(&mut *self.conn).await?;
        }
        for ((centre, year), n) in self.counters.drain() {
            sqlx::query(
                "INSERT INTO reference_counters (centre, year, n) VALUES (?, ?, ?)
                 ON CONFLICT (centre, year) DO UPDATE SET n = excluded.n",
            )
            .bind(centre)
            .bind(year)
            .bind(n as i64)
            .execute(&mut *self.conn)
            .await?;
        }
        Ok(())
    }
}

impl WriteTx for BatchTx<'_> {
    async fn idempotent(
        &mut self,
        actor: &str,
        key: &str,
    ) -> StoreResult<Option<(String, Outcome)>> {
        if let Some((hash, o, _)) = self.answers.get(&(actor.to_string(), key.to_string())) {
            return Ok(Some((hash.clone(), o.clone())));
        }
        let row = sqlx::query(
            "SELECT request_hash, status, etag, body FROM idempotency WHERE actor = ? AND key = ?",
        )
        .bind(actor)
        .bind(key)
        .fetch_optional(&mut *self.conn)
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
        self.answers.insert(
            (actor.to_string(), key.key.clone()),
            (key.request_hash.clone(), outcome.clone(), at),
        );
        Ok(())
    }

    async fn load(&mut self, entity: EntityKind, id: Uuid) -> StoreResult<Option<String>> {
        let buffered = match entity {
            EntityKind::Incident => self.incidents.get(&id).map(|(_, j)| j.clone()),
            EntityKind::Task => self.tasks.get(&id).map(|(_, j)| j.clone()),
            EntityKind::Unit => self.units.get(&id).map(|(_, j)| j.clone()),
            _ => None,
        };
        if buffered.is_some() {
            return Ok(buffered);
        }
        let sql = format!("SELECT data FROM {} WHERE id = ?", table(entity));
        Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(&mut *self.conn)
            .await?)
    }

    async fn tasks_of(&mut self, incident: Uuid) -> StoreResult<Vec<String>> {
        // Rare (merge): write what is buffered so one query sees everything.
        self.flush().await?;
        Ok(
            sqlx::query_scalar("SELECT data FROM tasks WHERE incident_id = ? ORDER BY id")
                .bind(incident.to_string())
                .fetch_all(&mut *self.conn)
                .await?,
        )
    }

    async fn next_reference_number(&mut self, centre: &str, year: i32) -> StoreResult<u32> {
        let k = (centre.to_string(), year);
        let n = match self.counters.get(&k) {
            Some(n) => n + 1,
            None => {
                let stored: Option<i64> = sqlx::query_scalar(
                    "SELECT n FROM reference_counters WHERE centre = ? AND year = ?",
                )
                .bind(centre)
                .bind(year)
                .fetch_optional(&mut *self.conn)
                .await?;
                stored.unwrap_or(0) as u32 + 1
            }
        };
        self.counters.insert(k, n);
        Ok(n)
    }

    async fn put(&mut self, row: Row<'_>, json: &str) -> StoreResult<()> {
        match row {
            Row::Incident(i) => {
                self.incidents.insert(i.id, (i.clone(), json.to_string()));
            }
            Row::Task(t) => {
                self.tasks.insert(t.id, (t.clone(), json.to_string()));
            }
            Row::Note(n) => self.notes.push((n.clone(), json.to_string())),
            Row::Unit(u) => {
                self.units.insert(u.id, (u.clone(), json.to_string()));
            }
            // Rare administrative rows go straight through.
            Row::Agency(a) => {
                sqlx::query(
                    "INSERT OR REPLACE INTO agencies (id, code, version, data) VALUES (?, ?, ?, ?)",
                )
                .bind(a.id.to_string())
                .bind(&a.code)
                .bind(a.version as i64)
                .bind(json)
                .execute(&mut *self.conn)
                .await?;
            }
            Row::Officer {
                officer,
                token_hash: Some(hash),
                revoked,
            } => {
                sqlx::query(
                    "INSERT INTO officers (id, token_hash, revoked, data) VALUES (?, ?, ?, ?)",
                )
                .bind(officer.id.to_string())
                .bind(hash)
                .bind(revoked)
                .bind(json)
                .execute(&mut *self.conn)
                .await?;
            }
            Row::Officer {
                officer,
                token_hash: None,
                revoked,
            } => {
                sqlx::query("UPDATE officers SET revoked = ?, data = ? WHERE id = ?")
                    .bind(revoked)
                    .bind(json)
                    .bind(officer.id.to_string())
                    .execute(&mut *self.conn)
                    .await?;
            }
        }
        Ok(())
    }

    async fn append(&mut self, event: &Event) -> StoreResult<()> {
        self.events.push(event.clone());
        Ok(())
    }
}
