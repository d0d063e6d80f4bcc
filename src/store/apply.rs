//! Commands and how one is carried out against a write transaction.
//!
//! The steps — idempotency check, load, domain rules, write, append event —
//! are written once here against [`WriteTx`], so every database backend
//! behaves the same. All checks happen before the first write: a refused
//! command leaves the transaction exactly as it found it.

use std::future::Future;

use serde::Serialize;
use serde_json::value::RawValue;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::{StoreError, StoreResult};
use crate::api::MergeRequest;
use crate::api::MergeResult;
use crate::model::event::{ChainLink, GENESIS_HASH};
use crate::model::{
    Agency, DomainError, EntityKind, Event, EventKind, Incident, IncidentPatch, NewIncident,
    NewNote, NewTask, Officer, Role, Task, TaskPatch, Unit, UnitPatch, incident,
};

/// Who asks: a signed-in officer, or the operator at the admin command line.
#[derive(Debug, Clone)]
pub enum Actor {
    Officer(Officer),
    Admin,
}

impl Actor {
    pub fn id(&self) -> String {
        match self {
            Actor::Officer(o) => o.id.to_string(),
            Actor::Admin => "admin".to_string(),
        }
    }

    fn officer(&self) -> Result<&Officer, StoreError> {
        match self {
            Actor::Officer(o) => Ok(o),
            Actor::Admin => {
                Err(DomainError::Forbidden("this needs a signed-in officer".into()).into())
            }
        }
    }

    fn admin(&self) -> Result<(), StoreError> {
        match self {
            Actor::Admin => Ok(()),
            Actor::Officer(o) => Err(DomainError::Forbidden(format!(
                "a {} may not change the roster or officers through the API",
                o.role
            ))
            .into()),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Command {
    CreateIncident(NewIncident),
    PatchIncident {
        id: Uuid,
        if_match: u64,
        patch: IncidentPatch,
    },
    AddNote {
        incident_id: Uuid,
        note: NewNote,
    },
    CreateTask {
        incident_id: Uuid,
        task: NewTask,
    },
    PatchTask {
        id: Uuid,
        if_match: u64,
        patch: TaskPatch,
    },
    PatchUnit {
        id: Uuid,
        if_match: u64,
        patch: UnitPatch,
    },
    Merge {
        id: Uuid,
        request: MergeRequest,
    },
    /// Past records brought in by an operator (demo history, migrations):
    /// written as given, except that incidents take the next reference of
    /// their centre and year so numbering stays gap-free.
    ImportIncident(Incident),
    ImportTask(Task),
    ImportNote(crate::model::Note),
    PutAgency(Agency),
    PutUnit(Unit),
    AddOfficer {
        officer: Officer,
        token_hash: String,
    },
    RevokeOfficer {
        id: Uuid,
    },
}

#[derive(Debug, Clone)]
pub struct Idempotency {
    pub key: String,
    /// SHA-256 of method, path and body: a reused key with another request is refused.
    pub request_hash: String,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub actor: Actor,
    pub idempotency: Option<Idempotency>,
    pub command: Command,
}

/// The answer to a command, as sent to the client (and replayed on retry).
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: u16,
    /// The version of the entity answered, for the `ETag` header.
    pub etag: Option<u64>,
    pub body: String,
    pub replayed: bool,
}

/// The last event of the chain, which the next one links to.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
}

impl Default for Head {
    fn default() -> Self {
        Head {
            seq: 0,
            hash: GENESIS_HASH.to_string(),
        }
    }
}

/// A row to write: the entity and its JSON, serialised once.
pub enum Row<'a> {
    Incident(&'a Incident),
    Task(&'a Task),
    Note(&'a crate::model::Note),
    Agency(&'a Agency),
    Unit(&'a Unit),
    Officer {
        officer: &'a Officer,
        token_hash: Option<&'a str>,
        revoked: bool,
    },
}

/// What a backend provides inside one open transaction.
pub trait WriteTx: Send {
    /// The stored answer for `(actor, key)`: (request hash, outcome).
    fn idempotent(
        &mut self,
        actor: &str,
        key: &str,
    ) -> impl Future<Output = StoreResult<Option<(String, Outcome)>>> + Send;
    fn remember(
        &mut self,
        actor: &str,
        key: &Idempotency,
        outcome: &Outcome,
        at: i64,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// The stored JSON of one entity.
    fn load(
        &mut self,
        entity: EntityKind,
        id: Uuid,
    ) -> impl Future<Output = StoreResult<Option<String>>> + Send;
    fn tasks_of(&mut self, incident: Uuid)
    -> impl Future<Output = StoreResult<Vec<String>>> + Send;
    /// Takes the next incident number for this centre and year (gap-free: rolled back with the transaction).
    fn next_reference_number(
        &mut self,
        centre: &str,
        year: i32,
    ) -> impl Future<Output = StoreResult<u32>> + Send;
    fn put(&mut self, row: Row<'_>, json: &str) -> impl Future<Output = StoreResult<()>> + Send;
    fn append(&mut self, event: &Event) -> impl Future<Output = StoreResult<()>> + Send;
}

struct Change {
    kind: EventKind,
    entity: EntityKind,
    id: Uuid,
    version: u64,
    json: String,
}

fn change<T: Serialize>(
    kind: EventKind,
    entity: EntityKind,
    id: Uuid,
    version: u64,
    value: &T,
) -> StoreResult<Change> {
    Ok(Change {
        kind,
        entity,
        id,
        version,
        json: serde_json::to_string(value)?,
    })
}

async fn load<T: serde::de::DeserializeOwned>(
    tx: &mut impl WriteTx,
    entity: EntityKind,
    id: Uuid,
) -> StoreResult<T> {
    let json = tx
        .load(entity, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("{entity} {id}")))?;
    Ok(serde_json::from_str(&json)?)
}

fn check_version(given: u64, current: u64, json: &str) -> StoreResult<()> {
    if given != current {
        return Err(StoreError::Stale {
            given,
            current_version: current,
            current: serde_json::from_str(json)?,
        });
    }
    Ok(())
}

async fn require(
    tx: &mut impl WriteTx,
    entity: EntityKind,
    id: Option<Uuid>,
    field: &str,
) -> StoreResult<()> {
    if let Some(id) = id
        && tx.load(entity, id).await?.is_none()
    {
        return Err(DomainError::invalid(field, format!("no {entity} has id {id}")).into());
    }
    Ok(())
}

/// Carries out one request inside `tx`, appending its events after `head`.
pub async fn apply(
    tx: &mut impl WriteTx,
    head: &mut Head,
    request: &Request,
) -> StoreResult<(Outcome, Vec<Event>)> {
    let actor_id = request.actor.id();
    if let Some(idem) = &request.idempotency
        && let Some((hash, mut outcome)) = tx.idempotent(&actor_id, &idem.key).await?
    {
        if hash != idem.request_hash {
            return Err(StoreError::IdempotencyMismatch);
        }
        outcome.replayed = true;
        return Ok((outcome, Vec::new()));
    }
    let now = OffsetDateTime::now_utc();
    let (outcome, changes) = decide(tx, &request.actor, &request.command, now).await?;
    let at = now
        .format(&Rfc3339)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut events = Vec::with_capacity(changes.len());
    for c in changes {
        let entity_id = c.id.to_string();
        let seq = head.seq + 1;
        let hash = ChainLink {
            prev_hash: &head.hash,
            seq,
            at: &at,
            actor: &actor_id,
            kind: c.kind.as_str(),
            entity: c.entity.as_str(),
            entity_id: &entity_id,
            version: c.version,
            data: &c.json,
        }
        .hash();
        let event = Event {
            seq,
            at: at.clone(),
            actor: actor_id.clone(),
            kind: c.kind,
            entity: c.entity,
            entity_id: c.id,
            version: c.version,
            data: RawValue::from_string(c.json).map_err(StoreError::from)?,
            prev_hash: std::mem::replace(&mut head.hash, hash.clone()),
            hash,
        };
        head.seq = seq;
        tx.append(&event).await?;
        events.push(event);
    }
    if let Some(idem) = &request.idempotency {
        tx.remember(&actor_id, idem, &outcome, now.unix_timestamp())
            .await?;
    }
    Ok((outcome, events))
}

fn reply<T: Serialize>(status: u16, etag: Option<u64>, value: &T) -> StoreResult<Outcome> {
    Ok(Outcome {
        status,
        etag,
        body: serde_json::to_string(value)?,
        replayed: false,
    })
}

/// Loads, checks and writes the rows of one command; returns its answer and changes.
async fn decide(
    tx: &mut impl WriteTx,
    actor: &Actor,
    command: &Command,
    now: OffsetDateTime,
) -> StoreResult<(Outcome, Vec<Change>)> {
    use EntityKind as E;
    use EventKind as K;
    match command {
        Command::CreateIncident(new) => {
            let officer = actor.officer()?;
            require(tx, E::Agency, new.lead_agency_id, "lead_agency_id").await?;
            for a in &new.supporting_agency_ids {
                require(tx, E::Agency, Some(*a), "supporting_agency_ids").await?;
            }
            let centre = new.centre.unwrap_or(officer.centre);
            // Validate before taking a number, so a refused report burns none.
            new.clone()
                .into_incident(officer, Uuid::nil(), String::new(), now)?;
            let n = tx
                .next_reference_number(centre.as_str(), now.year())
                .await?;
            let inc = new.clone().into_incident(
                officer,
                Uuid::now_v7(),
                incident::reference(centre, now.year(), n),
                now,
            )?;
            let c = change(K::IncidentCreated, E::Incident, inc.id, inc.version, &inc)?;
            tx.put(Row::Incident(&inc), &c.json).await?;
            Ok((reply(201, Some(inc.version), &inc)?, vec![c]))
        }
        Command::PatchIncident {
            id,
            if_match,
            patch,
        } => {
            let officer = actor.officer()?;
            let json = tx
                .load(E::Incident, *id)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("incident {id}")))?;
            let current: Incident = serde_json::from_str(&json)?;
            check_version(*if_match, current.version, &json)?;
            require(tx, E::Agency, patch.lead_agency_id, "lead_agency_id").await?;
            for a in patch.supporting_agency_ids.iter().flatten() {
                require(tx, E::Agency, Some(*a), "supporting_agency_ids").await?;
            }
            require(tx, E::Incident, patch.duplicate_of, "duplicate_of").await?;
            let next = current.patched(patch, officer, now)?;
            let c = change(
                K::IncidentUpdated,
                E::Incident,
                next.id,
                next.version,
                &next,
            )?;
            tx.put(Row::Incident(&next), &c.json).await?;
            Ok((reply(200, Some(next.version), &next)?, vec![c]))
        }
        Command::AddNote { incident_id, note } => {
            let officer = actor.officer()?;
            require(tx, E::Incident, Some(*incident_id), "incident")
                .await
                .map_err(|_| StoreError::NotFound(format!("incident {incident_id}")))?;
            let note = note
                .clone()
                .into_note(*incident_id, officer, Uuid::now_v7(), now)?;
            let c = change(K::NoteAdded, E::Note, note.id, 1, &note)?;
            tx.put(Row::Note(&note), &c.json).await?;
            Ok((reply(201, None, &note)?, vec![c]))
        }
        Command::CreateTask { incident_id, task } => {
            let officer = actor.officer()?;
            let inc: Incident = load(tx, E::Incident, *incident_id).await?;
            if !inc.status.is_open() {
                return Err(DomainError::invalid(
                    "incident",
                    format!(
                        "{} is {}; tasks go to open incidents",
                        inc.reference, inc.status
                    ),
                )
                .into());
            }
            require(tx, E::Agency, Some(task.agency_id), "agency_id").await?;
            if let Some(u) = task.unit_id {
                let unit: Unit = load(tx, E::Unit, u)
                    .await
                    .map_err(|_| DomainError::invalid("unit_id", format!("no unit has id {u}")))?;
                if unit.agency_id != task.agency_id {
                    return Err(DomainError::invalid(
                        "unit_id",
                        format!("{} belongs to another agency", unit.callsign),
                    )
                    .into());
                }
            }
            let t = task
                .clone()
                .into_task(*incident_id, officer, Uuid::now_v7(), now)?;
            let c = change(K::TaskCreated, E::Task, t.id, t.version, &t)?;
            tx.put(Row::Task(&t), &c.json).await?;
            Ok((reply(201, Some(t.version), &t)?, vec![c]))
        }
        Command::PatchTask {
            id,
            if_match,
            patch,
        } => {
            let officer = actor.officer()?;
            let json = tx
                .load(E::Task, *id)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("task {id}")))?;
            let current: Task = serde_json::from_str(&json)?;
            check_version(*if_match, current.version, &json)?;
            if let Some(u) = patch.unit_id {
                let unit: Unit = load(tx, E::Unit, u)
                    .await
                    .map_err(|_| DomainError::invalid("unit_id", format!("no unit has id {u}")))?;
                if unit.agency_id != current.agency_id {
                    return Err(DomainError::invalid(
                        "unit_id",
                        format!("{} belongs to another agency", unit.callsign),
                    )
                    .into());
                }
            }
            let next = current.patched(patch, officer, now)?;
            let c = change(K::TaskUpdated, E::Task, next.id, next.version, &next)?;
            tx.put(Row::Task(&next), &c.json).await?;
            Ok((reply(200, Some(next.version), &next)?, vec![c]))
        }
        Command::PatchUnit {
            id,
            if_match,
            patch,
        } => {
            let officer = actor.officer()?;
            let json = tx
                .load(E::Unit, *id)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("unit {id}")))?;
            let current: Unit = serde_json::from_str(&json)?;
            officer.may(crate::model::Act::UpdateUnit {
                agency: current.agency_id,
            })?;
            check_version(*if_match, current.version, &json)?;
            let next = current.patched(patch, now)?;
            let c = change(K::UnitUpdated, E::Unit, next.id, next.version, &next)?;
            tx.put(Row::Unit(&next), &c.json).await?;
            Ok((reply(200, Some(next.version), &next)?, vec![c]))
        }
        Command::Merge { id, request } => {
            let officer = actor.officer()?;
            if *id == request.into {
                return Err(DomainError::invalid(
                    "into",
                    "an incident cannot be merged into itself",
                )
                .into());
            }
            let dup: Incident = load(tx, E::Incident, *id).await?;
            let target: Incident = load(tx, E::Incident, request.into).await.map_err(|_| {
                DomainError::invalid("into", format!("no incident has id {}", request.into))
            })?;
            let dismissed = dup.merged_into(&target, officer, now)?;
            let mut changes = vec![change(
                K::IncidentUpdated,
                E::Incident,
                dismissed.id,
                dismissed.version,
                &dismissed,
            )?];
            tx.put(Row::Incident(&dismissed), &changes[0].json).await?;
            let mut moved = Vec::new();
            for json in tx.tasks_of(dup.id).await? {
                let mut t: Task = serde_json::from_str(&json)?;
                t.incident_id = target.id;
                t.version += 1;
                t.updated_at = now;
                let c = change(K::TaskUpdated, E::Task, t.id, t.version, &t)?;
                tx.put(Row::Task(&t), &c.json).await?;
                changes.push(c);
                moved.push(t);
            }
            let result = MergeResult {
                duplicate: dismissed,
                into: target,
                moved_tasks: moved,
            };
            Ok((reply(200, None, &result)?, changes))
        }
        Command::ImportIncident(given) => {
            actor.admin()?;
            let mut inc = given.clone();
            crate::model::validate::line("title", &inc.title, crate::model::validate::TITLE_MAX)?;
            inc.location.validate()?;
            let year = inc.reported_at.year();
            let n = tx.next_reference_number(inc.centre.as_str(), year).await?;
            inc.reference = incident::reference(inc.centre, year, n);
            let c = change(K::IncidentCreated, E::Incident, inc.id, inc.version, &inc)?;
            tx.put(Row::Incident(&inc), &c.json).await?;
            Ok((reply(201, Some(inc.version), &inc)?, vec![c]))
        }
        Command::ImportTask(t) => {
            actor.admin()?;
            require(tx, E::Incident, Some(t.incident_id), "incident_id").await?;
            require(tx, E::Agency, Some(t.agency_id), "agency_id").await?;
            let c = change(K::TaskCreated, E::Task, t.id, t.version, t)?;
            tx.put(Row::Task(t), &c.json).await?;
            Ok((reply(201, Some(t.version), t)?, vec![c]))
        }
        Command::ImportNote(n) => {
            actor.admin()?;
            require(tx, E::Incident, Some(n.incident_id), "incident_id").await?;
            crate::model::validate::text("text", &n.text, crate::model::validate::TEXT_MAX)?;
            let c = change(K::NoteAdded, E::Note, n.id, 1, n)?;
            tx.put(Row::Note(n), &c.json).await?;
            Ok((reply(201, None, n)?, vec![c]))
        }
        Command::PutAgency(a) => {
            actor.admin()?;
            a.validate()?;
            let c = change(K::AgencyCreated, E::Agency, a.id, a.version, a)?;
            tx.put(Row::Agency(a), &c.json).await?;
            Ok((reply(201, Some(a.version), a)?, vec![c]))
        }
        Command::PutUnit(u) => {
            actor.admin()?;
            u.validate()?;
            require(tx, E::Agency, Some(u.agency_id), "agency_id").await?;
            let c = change(K::UnitCreated, E::Unit, u.id, u.version, u)?;
            tx.put(Row::Unit(u), &c.json).await?;
            Ok((reply(201, Some(u.version), u)?, vec![c]))
        }
        Command::AddOfficer {
            officer,
            token_hash,
        } => {
            actor.admin()?;
            crate::model::validate::line("name", &officer.name, 100)?;
            match (officer.role, officer.agency_id) {
                (Role::Liaison, None) => {
                    return Err(DomainError::invalid(
                        "agency",
                        "a liaison acts for one agency: name it",
                    )
                    .into());
                }
                (Role::Liaison, Some(a)) => require(tx, E::Agency, Some(a), "agency").await?,
                (_, Some(_)) => {
                    return Err(DomainError::invalid(
                        "agency",
                        "only a liaison is tied to an agency",
                    )
                    .into());
                }
                (_, None) => {}
            }
            let c = change(K::OfficerCreated, E::Officer, officer.id, 1, officer)?;
            tx.put(
                Row::Officer {
                    officer,
                    token_hash: Some(token_hash),
                    revoked: false,
                },
                &c.json,
            )
            .await?;
            Ok((reply(201, None, officer)?, vec![c]))
        }
        Command::RevokeOfficer { id } => {
            actor.admin()?;
            let officer: Officer = load(tx, E::Officer, *id).await?;
            let c = change(K::OfficerRevoked, E::Officer, officer.id, 2, &officer)?;
            tx.put(
                Row::Officer {
                    officer: &officer,
                    token_hash: None,
                    revoked: true,
                },
                &c.json,
            )
            .await?;
            Ok((reply(200, None, &officer)?, vec![c]))
        }
    }
}
