//! Persistence behind one trait, so the server does not know which database it runs on.
//!
//! Every mutation is a [`Command`] sent to [`Store::execute`]: the store
//! checks idempotency, loads what the command touches, applies the domain
//! rules of [`crate::model`], writes the change and its event in one
//! transaction, and only then answers. SQLite batches concurrent commands
//! into one transaction (group commit) so one fsync acknowledges many.

mod access;
mod apply;
mod attention;
mod attest;
mod audit;
pub mod buffer;
mod closing;
pub mod columns;
mod decide;
mod error;
mod handover;
pub mod postgres;
mod presence;
mod publish;
mod query;
mod queue;
mod read;
mod reader;
mod roster;
mod shifts;
mod sql;
mod sql_store;
pub mod sqlite;
mod stats;
mod visibility;
mod writer;

pub use apply::{
    AccessCommand, Actor, Command, Idempotency, NewToken, Outcome, OwnershipStep, Request, Retire,
    ShiftCommand,
};
pub use attention::AttentionState;
pub use error::StoreError;
pub use roster::mask_agency;

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use std::sync::{Arc, OnceLock};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::api::Incident;
use crate::api::{
    Agency, Event, IncidentDetail, IncidentQuery, Page, Task, TaskQuery, Unit, VerifyReport,
};
use crate::model::checkpoint::Trust;
use crate::model::{Centre, Officer, TokenInfo, Viewer};
use std::collections::HashSet;
use time::OffsetDateTime;

pub type StoreResult<T> = Result<T, StoreError>;

/// An officer record as the admin command line sees it.
#[derive(Debug, Clone)]
pub struct OfficerRecord {
    pub officer: Officer,
    pub revoked: bool,
}

/// Who a bearer token belongs to, and the token's record (expiry, revocation).
#[derive(Debug, Clone)]
pub struct Credential {
    pub officer: Officer,
    pub token: TokenInfo,
}

/// An event as the log holds it: the event, and who may see it
/// ([`crate::model::marking`]), which only filters reads and streams.
#[derive(Debug, Clone)]
pub struct Logged {
    pub event: Event,
    /// The audience of what the event carries, as ` tag tag ` text.
    pub audience: String,
    /// An incident's audience before the change, when the change moved it:
    /// who saw it before and not after is told it is `redacted`.
    pub was: Option<String>,
}

/// A committed event as broadcast to live subscribers. Its wire frames are
/// encoded once, by the first subscriber to send each, and shared by all of
/// them (a hundred subscribers must not mean a hundred encodings).
#[derive(Debug)]
pub struct Published {
    pub logged: Logged,
    pub frame: OnceLock<Bytes>,
    /// The frame with what the audience may not see blanked (unit
    /// positions, agency contacts), for everyone else.
    pub masked: OnceLock<Bytes>,
}

impl Published {
    pub fn new(logged: Logged) -> Arc<Published> {
        Arc::new(Published {
            logged,
            frame: OnceLock::new(),
            masked: OnceLock::new(),
        })
    }
}

pub trait Store: Send + Sync + 'static {
    /// The officer holding this token hash and the token's record (which
    /// may be expired or revoked: the caller says why it refuses); `None`
    /// when no token has this hash or its officer was revoked.
    fn authenticate(&self, token_hash: &str) -> BoxFuture<'_, StoreResult<Option<Credential>>>;

    /// Runs one mutation; the answer comes after the change and its event are durable.
    fn execute(&self, request: Request) -> BoxFuture<'_, StoreResult<Outcome>>;

    /// The snapshot as JSON text chunks, read in one consistent transaction.
    fn snapshot(
        &self,
        closed_within_hours: u32,
        viewer: Viewer,
    ) -> BoxFuture<'_, StoreResult<BoxStream<'static, StoreResult<String>>>>;

    /// Up to `limit` events with seq > `after`, in order.
    fn events_after(&self, after: u64, limit: u32) -> BoxFuture<'_, StoreResult<Vec<Logged>>>;

    /// The seq of the last committed event (0 when empty).
    fn head(&self) -> BoxFuture<'_, StoreResult<u64>>;

    /// Events as they commit, in seq order. A lagging receiver must resync from the log.
    fn subscribe(&self) -> broadcast::Receiver<Arc<Published>>;

    // Reads answer what `viewer` may see: a hidden incident is not found,
    // a hidden unit position or agency contact is blank.
    fn incident(
        &self,
        id: Uuid,
        viewer: &Viewer,
    ) -> BoxFuture<'_, StoreResult<Option<IncidentDetail>>>;
    fn search_incidents(
        &self,
        q: IncidentQuery,
        viewer: &Viewer,
    ) -> BoxFuture<'_, StoreResult<Page<Incident>>>;
    fn tasks(&self, q: TaskQuery, viewer: &Viewer) -> BoxFuture<'_, StoreResult<Page<Task>>>;
    fn agencies(&self, viewer: &Viewer) -> BoxFuture<'_, StoreResult<Vec<Agency>>>;
    fn units(&self, viewer: &Viewer) -> BoxFuture<'_, StoreResult<Vec<Unit>>>;
    fn officers(&self) -> BoxFuture<'_, StoreResult<Vec<OfficerRecord>>>;

    /// Recomputes the whole hash chain, checks every row against its last
    /// event, and every checkpoint (its signature against `trust`).
    fn verify(&self, trust: &Trust) -> BoxFuture<'_, StoreResult<VerifyReport>>;

    /// [`Store::verify`] without the chain walk: only the rows against the
    /// log (for a witness, which walks the chain on its own copy).
    fn verify_rows(&self) -> BoxFuture<'_, StoreResult<VerifyReport>>;

    /// Replaces `instance`'s list of officers connected (and sweeps rows
    /// older than `window`, a dead instance's).
    fn beat(
        &self,
        instance: Uuid,
        present: Vec<crate::api::Presence>,
        window: std::time::Duration,
    ) -> BoxFuture<'_, StoreResult<()>>;

    /// Officers connected to some instance, as seen within `window`.
    fn presence(
        &self,
        window: std::time::Duration,
    ) -> BoxFuture<'_, StoreResult<Vec<crate::api::Presence>>>;

    /// Shifts, newest first.
    fn shifts(
        &self,
        q: crate::api::ShiftQuery,
    ) -> BoxFuture<'_, StoreResult<Vec<crate::model::Shift>>>;

    /// Up to `limit` signed checkpoints after `after`, as the events that carry them.
    fn checkpoints(&self, after: u64, limit: u32) -> BoxFuture<'_, StoreResult<Vec<Event>>>;

    /// A shift report's rows: `centre`'s incidents reported in `[from, to)`
    /// or open now, and the tasks of those reported in the window.
    fn report_sources(
        &self,
        centre: Centre,
        from: OffsetDateTime,
        to: OffsetDateTime,
        viewer: &Viewer,
    ) -> BoxFuture<'_, StoreResult<(Vec<Incident>, Vec<crate::model::Task>)>>;

    /// Incidents reported in the window ending with the bucket that holds
    /// `now`, counted per bucket by `by`, and SLA compliance per severity.
    fn stats(
        &self,
        by: crate::api::stats::StatsBy,
        spans: (i64, i64),
        now: OffsetDateTime,
        viewer: &Viewer,
    ) -> BoxFuture<'_, StoreResult<crate::api::stats::Stats>>;

    /// What asks for the attention of `centre`'s officers by state at `now`.
    fn attention_state(
        &self,
        centre: Centre,
        now: OffsetDateTime,
    ) -> BoxFuture<'_, StoreResult<AttentionState>>;

    /// An incident's owning centre and reference.
    fn incident_of(&self, id: Uuid) -> BoxFuture<'_, StoreResult<Option<(Centre, String)>>>;

    /// An entity's data as the event before `seq` left it.
    fn before(&self, entity_id: Uuid, seq: u64) -> BoxFuture<'_, StoreResult<Option<String>>>;

    /// The attention items `officer` has marked seen.
    fn seen(&self, officer: Uuid) -> BoxFuture<'_, StoreResult<HashSet<String>>>;

    /// Marks attention items seen by `officer`, durably.
    fn mark_seen(&self, officer: Uuid, items: Vec<String>) -> BoxFuture<'_, StoreResult<()>>;
}

/// Opens the store a database URL names: `postgres://…`, `sqlite://PATH` or a bare path.
pub async fn open(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Arc::new(postgres::open(url).await?));
    }
    Ok(Arc::new(sqlite::open(url).await?))
}
