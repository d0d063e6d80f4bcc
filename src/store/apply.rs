//! Commands and how one is carried out against a write transaction.
//!
//! The steps — idempotency check, load, domain rules, write, append event —
//! are written once here against [`WriteTx`], so every database backend
//! behaves the same. All checks happen before the first write: a refused
//! command leaves the transaction exactly as it found it.

use std::future::Future;

use serde_json::value::RawValue;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::decide::Change;
use super::{Logged, StoreError, StoreResult};
use crate::api::MergeRequest;
use crate::model::event::{ChainLink, GENESIS_HASH};
use crate::model::ownership::HandoverAsk;
use crate::model::token::Lockout;
use crate::model::{
    Agency, DomainError, EntityKind, Event, Incident, IncidentPatch, NewIncident, NewNote, NewTask,
    Officer, Task, TaskPatch, TokenInfo, Unit, UnitPatch,
};

/// Who asks: a signed-in officer, the operator at the admin command line,
/// or the server itself (recording what it refused).
#[derive(Debug, Clone)]
pub enum Actor {
    Officer(Officer),
    Admin,
    Server,
}

impl Actor {
    pub fn id(&self) -> String {
        match self {
            Actor::Officer(o) => o.id.to_string(),
            Actor::Admin => "admin".to_string(),
            Actor::Server => "server".to_string(),
        }
    }

    pub(super) fn officer(&self) -> Result<&Officer, StoreError> {
        match self {
            Actor::Officer(o) => Ok(o),
            Actor::Admin | Actor::Server => {
                Err(DomainError::Forbidden("this needs a signed-in officer".into()).into())
            }
        }
    }

    pub(super) fn admin(&self) -> Result<(), StoreError> {
        match self {
            Actor::Admin => Ok(()),
            Actor::Server => Err(DomainError::Forbidden(
                "only the admin command line changes the roster or officers".into(),
            )
            .into()),
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
    /// Officers, tokens and the record of sign-in lockouts.
    Access(AccessCommand),
    /// Moving an incident between the centres.
    Ownership {
        id: Uuid,
        step: OwnershipStep,
    },
    /// The server started on a damaged record (`serve --accept-damaged`):
    /// what the check found goes into the log for both centres to see.
    RecordFindings(Box<crate::api::VerifyReport>),
    /// Sign the head of the log with this centre's key (the server's timer,
    /// or an officer asking through the server).
    Checkpoint(Box<crate::model::checkpoint::Signer>),
    /// A witness found the record not as it holds it (auditors and supervisors).
    WitnessAlarm(Box<crate::api::WitnessAlarm>),
    Shift(ShiftCommand),
}

/// Commands on shifts.
#[derive(Debug, Clone)]
pub enum ShiftCommand {
    /// The caller's shift, at their centre.
    Start,
    /// With the handover generated from the record as the shift ends.
    End {
        id: Uuid,
        note: String,
        summary: Box<crate::model::shift::HandoverSummary>,
    },
    Acknowledge {
        id: Uuid,
    },
}

/// Commands on who may sign in.
#[derive(Debug, Clone)]
pub enum AccessCommand {
    AddOfficer {
        officer: Officer,
        token: NewToken,
    },
    RevokeOfficer {
        id: Uuid,
    },
    /// A new token for an officer: by the admin command line for anyone,
    /// through the API for oneself (rotation).
    IssueToken {
        officer_id: Uuid,
        token: NewToken,
        retire: Retire,
    },
    /// The server stopped taking sign-ins from a client that failed too often.
    RecordLockout(Lockout),
}

/// A step in moving an incident between the centres.
#[derive(Debug, Clone)]
pub enum OwnershipStep {
    /// Offer it to the other centre (owner) or request it (the other centre).
    Ask(HandoverAsk),
    /// The side that did not ask accepts or declines (with a reason).
    Answer {
        accept: bool,
        reason: Option<String>,
    },
    /// The other centre's supervisor takes over a neglected critical incident.
    Takeover { reason: String },
}

/// A token to issue: its public id, the SHA-256 of the secret, its life.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub id: Uuid,
    pub hash: String,
    /// Hours it lives; the default (12) when `None`.
    pub hours: Option<u32>,
}

/// What becomes of an officer's other tokens when a new one is issued.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Retire {
    Nothing,
    /// Every other token of the officer is revoked.
    Others,
    /// This token (the one that asked) expires within the rotation grace.
    Grace(Uuid),
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
        revoked: bool,
    },
    Token {
        token: &'a TokenInfo,
        /// Given when the token is new; its expiry or revocation changes without.
        hash: Option<&'a str>,
    },
    Shift(&'a crate::model::Shift),
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
    /// The open shift of an officer, if any (JSON).
    fn open_shift_of(
        &mut self,
        officer: Uuid,
    ) -> impl Future<Output = StoreResult<Option<String>>> + Send;
    /// The records (JSON) of every token of an officer.
    fn tokens_of(&mut self, officer: Uuid)
    -> impl Future<Output = StoreResult<Vec<String>>> + Send;
    /// Takes the next incident number for this centre and year (gap-free: rolled back with the transaction).
    fn next_reference_number(
        &mut self,
        centre: &str,
        year: i32,
    ) -> impl Future<Output = StoreResult<u32>> + Send;
    fn put(&mut self, row: Row<'_>, json: &str) -> impl Future<Output = StoreResult<()>> + Send;
    /// Who may see what `change` wrote (its row is already put).
    fn audience(&mut self, change: &Change) -> impl Future<Output = StoreResult<String>> + Send;
    /// The audience stored with an incident.
    fn incident_audience(
        &mut self,
        id: Uuid,
    ) -> impl Future<Output = StoreResult<Option<String>>> + Send;
    /// Remembers who sees an incident just loaded, so the batch need not
    /// read it again to mark its tasks, notes and events.
    fn seen(&mut self, incident: &Incident);
    fn append(&mut self, event: &Logged) -> impl Future<Output = StoreResult<()>> + Send;
}

/// Carries out one request inside `tx`, appending its events after `head`.
pub async fn apply(
    tx: &mut impl WriteTx,
    head: &mut Head,
    request: &Request,
) -> StoreResult<(Outcome, Vec<Logged>)> {
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
    let (outcome, changes) =
        super::decide::decide(tx, &request.actor, &request.command, head, now).await?;
    let at = now
        .format(&Rfc3339)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut events = Vec::with_capacity(changes.len());
    for c in changes {
        let audience = tx.audience(&c).await?;
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
        let logged = Logged {
            event,
            audience,
            was: c.was,
        };
        tx.append(&logged).await?;
        events.push(logged);
    }
    if let Some(idem) = &request.idempotency {
        tx.remember(&actor_id, idem, &outcome, now.unix_timestamp())
            .await?;
    }
    Ok((outcome, events))
}
