//! Group commit's write side, for every backend: a [`WriteTx`] that reads
//! through to the database but buffers the batch's rows and writes them as a
//! few multi-row statements before the one commit.
//!
//! Per-statement round trips, not the commit, limit a grouped writer; this
//! cuts a command to about two reads. Loads see the batch's own buffered
//! writes first, so commands later in a batch build on earlier ones exactly as
//! if each had been written at once.

use std::collections::HashMap;
use std::future::Future;

use uuid::Uuid;

use super::apply::{self, Head, Idempotency, Outcome, Row, WriteTx};
use super::decide::Change;
use super::queue::Job;
use super::sql::{Bind, Sql};
use super::{Logged, StoreError, StoreResult};
use crate::model::marking;
use crate::model::{
    Agency, Centre, EntityKind, Incident, Note, Officer, Shift, Task, TokenInfo, Unit,
};

/// A stored answer to an idempotent request: actor, key, request hash, answer, time.
pub type Answer = (String, String, String, Outcome, i64);

/// What a backend writes inside one transaction, in bulk where it can
/// (its reads there are the shared [`Sql`] lookups).
pub trait Bulk: Sql {
    fn write_incidents(
        &mut self,
        rows: &[(Incident, String)],
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Each task with its JSON and its audience.
    fn write_tasks(
        &mut self,
        rows: &[(Task, String, String)],
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn write_notes(
        &mut self,
        rows: &[(Note, String)],
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn write_units(
        &mut self,
        rows: &[(Unit, String)],
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn write_agency(
        &mut self,
        agency: &Agency,
        json: &str,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn write_events(&mut self, events: &[Logged]) -> impl Future<Output = StoreResult<()>> + Send;
    fn write_answers(&mut self, answers: &[Answer])
    -> impl Future<Output = StoreResult<()>> + Send;
    fn write_counters(
        &mut self,
        counters: &[(String, i32, u32)],
    ) -> impl Future<Output = StoreResult<()>> + Send;
}

pub struct Buffered<'a, B: Bulk> {
    inner: &'a mut B,
    incidents: HashMap<Uuid, (Incident, String)>,
    tasks: HashMap<Uuid, (Task, String, String)>,
    notes: Vec<(Note, String)>,
    units: HashMap<Uuid, (Unit, String)>,
    events: Vec<Logged>,
    answers: HashMap<(String, String), (String, Outcome, i64)>,
    counters: HashMap<(String, i32), u32>,
    /// Who sees each incident this batch looked at, and its owner: (audience, centre).
    markings: HashMap<Uuid, (String, Centre)>,
}

impl<'a, B: Bulk> Buffered<'a, B> {
    pub fn new(inner: &'a mut B) -> Self {
        Buffered {
            inner,
            incidents: HashMap::new(),
            tasks: HashMap::new(),
            notes: Vec::new(),
            units: HashMap::new(),
            events: Vec::new(),
            answers: HashMap::new(),
            counters: HashMap::new(),
            markings: HashMap::new(),
        }
    }

    /// Writes everything buffered; the caller commits.
    pub async fn flush(&mut self) -> StoreResult<()> {
        let incidents: Vec<_> = self.incidents.drain().map(|(_, v)| v).collect();
        self.inner.write_incidents(&incidents).await?;
        let tasks: Vec<_> = self.tasks.drain().map(|(_, v)| v).collect();
        self.inner.write_tasks(&tasks).await?;
        self.inner
            .write_notes(&std::mem::take(&mut self.notes))
            .await?;
        let units: Vec<_> = self.units.drain().map(|(_, v)| v).collect();
        self.inner.write_units(&units).await?;
        self.inner
            .write_events(&std::mem::take(&mut self.events))
            .await?;
        let answers: Vec<Answer> = self
            .answers
            .drain()
            .map(|((actor, key), (hash, o, at))| (actor, key, hash, o, at))
            .collect();
        self.inner.write_answers(&answers).await?;
        let counters: Vec<_> = self.counters.drain().map(|((c, y), n)| (c, y, n)).collect();
        self.inner.write_counters(&counters).await
    }
}

impl<B: Bulk> Buffered<'_, B> {
    /// An incident's audience and owner: from what this batch wrote or
    /// looked at, or else from its row.
    async fn marking_of(&mut self, id: Uuid) -> StoreResult<Option<(String, Centre)>> {
        if let Some(known) = self.markings.get(&id) {
            return Ok(Some(known.clone()));
        }
        let sql = "SELECT audience, centre FROM incidents WHERE id = $1";
        let found = self
            .inner
            .pairs(sql, vec![Bind::Text(id.to_string())])
            .await?;
        let Some((audience, centre)) = found.into_iter().next() else {
            return Ok(None);
        };
        let centre: Centre = centre
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("incident {id}: bad centre")))?;
        self.markings.insert(id, (audience.clone(), centre));
        Ok(Some((audience, centre)))
    }
}

impl<B: Bulk> WriteTx for Buffered<'_, B> {
    async fn idempotent(
        &mut self,
        actor: &str,
        key: &str,
    ) -> StoreResult<Option<(String, Outcome)>> {
        if let Some((hash, o, _)) = self.answers.get(&(actor.to_string(), key.to_string())) {
            return Ok(Some((hash.clone(), o.clone())));
        }
        self.inner.idempotent(actor, key).await
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
            EntityKind::Task => self.tasks.get(&id).map(|(_, j, _)| j.clone()),
            EntityKind::Unit => self.units.get(&id).map(|(_, j)| j.clone()),
            _ => None,
        };
        match buffered {
            Some(json) => Ok(Some(json)),
            None => self.inner.load(entity, id).await,
        }
    }

    async fn tasks_of(&mut self, incident: Uuid) -> StoreResult<Vec<String>> {
        // Rare (merge): write what is buffered so one query sees everything.
        self.flush().await?;
        self.inner.tasks_of(incident).await
    }

    async fn open_shift_of(&mut self, officer: Uuid) -> StoreResult<Option<String>> {
        // Shift rows are written as they are put, so this sees the batch's own.
        let sql = "SELECT data FROM shifts WHERE officer_id = $1 AND ended_at_ms IS NULL";
        let found = self
            .inner
            .texts(sql, vec![Bind::Text(officer.to_string())])
            .await?;
        Ok(found.into_iter().next())
    }

    async fn tokens_of(&mut self, officer: Uuid) -> StoreResult<Vec<String>> {
        let sql = "SELECT data FROM tokens WHERE officer_id = $1 ORDER BY id";
        self.inner
            .texts(sql, vec![Bind::Text(officer.to_string())])
            .await
    }

    async fn next_reference_number(&mut self, centre: &str, year: i32) -> StoreResult<u32> {
        let k = (centre.to_string(), year);
        let n = match self.counters.get(&k) {
            Some(n) => n + 1,
            None => self.inner.counter(centre, year).await?.unwrap_or(0) + 1,
        };
        self.counters.insert(k, n);
        Ok(n)
    }

    async fn put(&mut self, row: Row<'_>, json: &str) -> StoreResult<()> {
        match row {
            Row::Incident(i) => {
                // Kept apart too: a flush (tasks_of) empties `incidents`.
                let marking = (marking::incident_audience(i), i.centre);
                self.markings.insert(i.id, marking);
                self.incidents.insert(i.id, (i.clone(), json.to_string()));
            }
            Row::Task(t) => {
                let Some((of, centre)) = self.marking_of(t.incident_id).await? else {
                    return Err(StoreError::NotFound(format!("incident {}", t.incident_id)));
                };
                let audience = marking::task_audience_in(t, &of, centre);
                self.tasks
                    .insert(t.id, (t.clone(), json.to_string(), audience));
            }
            Row::Note(n) => self.notes.push((n.clone(), json.to_string())),
            Row::Unit(u) => {
                self.units.insert(u.id, (u.clone(), json.to_string()));
            }
            // Rare administrative rows go straight through.
            Row::Agency(a) => self.inner.write_agency(a, json).await?,
            Row::Officer { officer, revoked } => {
                write_officer(self.inner, officer, revoked, json).await?
            }
            Row::Token { token, hash } => write_token(self.inner, token, hash, json).await?,
            Row::Shift(shift) => write_shift(self.inner, shift, json).await?,
        }
        Ok(())
    }

    async fn audience(&mut self, c: &Change) -> StoreResult<String> {
        let missing = || StoreError::Corrupt(format!("{} {} was not written", c.entity, c.id));
        Ok(match c.entity {
            EntityKind::Incident => self.incident_audience(c.id).await?.ok_or_else(missing)?,
            EntityKind::Task => match self.tasks.get(&c.id) {
                Some((_, _, audience)) => audience.clone(),
                None => return Err(missing()),
            },
            EntityKind::Note => {
                let note: Note = serde_json::from_str(&c.json)?;
                self.incident_audience(note.incident_id)
                    .await?
                    .ok_or_else(missing)?
            }
            EntityKind::Unit => {
                let unit: Unit = serde_json::from_str(&c.json)?;
                super::roster::position_audience(self.inner, &unit).await?
            }
            EntityKind::Agency => marking::contacts_audience(c.id),
            // A handover lists what its centre sees: for its officers only.
            EntityKind::Shift => {
                let shift: Shift = serde_json::from_str(&c.json)?;
                marking::shift_audience(shift.centre, shift.officer_id)
            }
            EntityKind::Officer | EntityKind::Token | EntityKind::Access | EntityKind::Audit => {
                marking::EVERYONE.to_string()
            }
        })
    }

    async fn incident_audience(&mut self, id: Uuid) -> StoreResult<Option<String>> {
        Ok(self.marking_of(id).await?.map(|(audience, _)| audience))
    }

    fn seen(&mut self, incident: &Incident) {
        // What the batch wrote of it is newer than what was loaded.
        if !self.incidents.contains_key(&incident.id) {
            let audience = marking::incident_audience(incident);
            self.markings
                .insert(incident.id, (audience, incident.centre));
        }
    }

    async fn append(&mut self, event: &Logged) -> StoreResult<()> {
        self.events.push(event.clone());
        Ok(())
    }
}

/// What each command of a batch came to: its answer and the events it wrote,
/// or why it was refused.
pub type BatchResult = Vec<StoreResult<(Outcome, Vec<Logged>)>>;

/// Applies every job of a batch after `head` and writes their buffered rows,
/// inside the caller's transaction (the caller commits). A database error
/// fails the whole batch: part of a command may already be written.
pub async fn apply_batch<B: Bulk>(
    conn: &mut B,
    head: &mut Head,
    batch: &[Job],
) -> StoreResult<BatchResult> {
    let mut results = Vec::with_capacity(batch.len());
    let mut buffered = Buffered::new(conn);
    for job in batch {
        let result = apply::apply(&mut buffered, head, &job.request).await;
        if let Err(e) = &result
            && e.is_failure()
        {
            return Err(e.clone());
        }
        results.push(result);
    }
    buffered.flush().await?;
    Ok(results)
}

// Officers and tokens are rare, administrative rows: one statement each,
// the same SQL for every backend (both take `$n` placeholders).

async fn write_officer(
    db: &mut impl Sql,
    officer: &Officer,
    revoked: bool,
    json: &str,
) -> StoreResult<()> {
    let sql = "INSERT INTO officers (id, revoked, data) VALUES ($1, $2, $3) \
               ON CONFLICT (id) DO UPDATE SET revoked = excluded.revoked, data = excluded.data";
    let binds = vec![
        Bind::Text(officer.id.to_string()),
        Bind::Bool(revoked),
        Bind::Text(json.to_string()),
    ];
    db.execute(sql, binds).await
}

async fn write_shift(db: &mut impl Sql, shift: &Shift, json: &str) -> StoreResult<()> {
    // A shift still open has no end: NULL, which the one-open-shift index reads.
    let ended = match shift.ended_at {
        Some(_) => "$6",
        None => "NULL",
    };
    let sql = format!(
        "INSERT INTO shifts (id, centre, officer_id, started_at_ms, data, ended_at_ms) \
         VALUES ($1, $2, $3, $4, $5, {ended}) \
         ON CONFLICT (id) DO UPDATE SET ended_at_ms = excluded.ended_at_ms, data = excluded.data"
    );
    let mut binds = vec![
        Bind::Text(shift.id.to_string()),
        Bind::Text(shift.centre.as_str().into()),
        Bind::Text(shift.officer_id.to_string()),
        Bind::Int(super::columns::millis(shift.started_at)),
        Bind::Text(json.to_string()),
    ];
    if let Some(t) = shift.ended_at {
        binds.push(Bind::Int(super::columns::millis(t)));
    }
    db.execute(&sql, binds).await
}

/// A new token (with its `hash`), or a change of its expiry or revocation.
async fn write_token(
    db: &mut impl Sql,
    token: &TokenInfo,
    hash: Option<&str>,
    json: &str,
) -> StoreResult<()> {
    let expires = Bind::Int(super::columns::millis(token.expires_at));
    let (sql, binds) = match hash {
        Some(hash) => (
            "INSERT INTO tokens (id, hash, officer_id, expires_at_ms, revoked, data) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            vec![
                Bind::Text(token.id.to_string()),
                Bind::Text(hash.to_string()),
                Bind::Text(token.officer_id.to_string()),
                expires,
                Bind::Bool(token.revoked),
                Bind::Text(json.to_string()),
            ],
        ),
        None => (
            "UPDATE tokens SET expires_at_ms = $1, revoked = $2, data = $3 WHERE id = $4",
            vec![
                expires,
                Bind::Bool(token.revoked),
                Bind::Text(json.to_string()),
                Bind::Text(token.id.to_string()),
            ],
        ),
    };
    db.execute(sql, binds).await
}
