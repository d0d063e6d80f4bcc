//! The v1 wire contract, used by both the server and the client so they cannot drift.
//!
//! Entities and their change requests are defined once in [`crate::model`]
//! (they are the JSON of DESIGN.md) and re-exported here beside the
//! envelopes that only exist on the wire: snapshot, pages, problems.

pub mod audit;
pub mod export;
pub mod problem;
pub mod shift;
pub mod stats;

pub use crate::model::attention::{AttentionItem, AttentionQueue, MarkSeen};
pub use crate::model::shift::{EndShift, HandoverSummary, Shift};
pub use crate::model::{
    Agency, Event, Incident, IncidentPatch, NewIncident, NewNote, NewTask, Note, Officer, Task,
    TaskPatch, Unit, UnitPatch,
};
pub use audit::*;
pub use problem::Problem;
pub use shift::{Presence, ShiftQuery};

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::model::{Category, Centre, IncidentStatus, Severity, TaskStatus};

pub const BASE: &str = "/api/v1";
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Largest request body accepted (413 beyond).
pub const MAX_BODY: usize = 64 * 1024;
/// Default window for closed incidents in the snapshot.
pub const DEFAULT_CLOSED_WITHIN_HOURS: u32 = 72;
/// Longest window for closed incidents in the snapshot (a year); older ones are searched.
pub const MAX_CLOSED_WITHIN_HOURS: u32 = 8760;
/// Most items in one page of a search or list.
pub const PAGE_MAX: u32 = 500;

/// `GET /api/v1/me`: the signed-in officer and the token they signed in with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Me {
    #[serde(flatten)]
    pub officer: Officer,
    pub token: crate::model::TokenInfo,
}

/// `POST /api/v1/me/token`: a new token for the caller.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateToken {
    /// Hours the new token lives (default 12; at most 168, 720 for `system`).
    #[serde(default)]
    pub hours: Option<u32>,
}

/// The answer to a token rotation: the new token, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IssuedToken {
    pub token: String,
    #[serde(flatten)]
    pub info: crate::model::TokenInfo,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CentreInfo {
    pub code: Centre,
    pub name: String,
}

/// `GET /api/v1/snapshot`: everything current, consistent at `seq`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Snapshot {
    pub seq: u64,
    /// The hash of event `seq`: the console checks the next event links to it.
    #[serde(default)]
    pub head_hash: Option<String>,
    pub centres: Vec<CentreInfo>,
    pub agencies: Vec<Agency>,
    pub units: Vec<Unit>,
    pub incidents: Vec<Incident>,
    pub tasks: Vec<Task>,
    pub officers: Vec<Officer>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SnapshotQuery {
    /// Hours a closed or dismissed incident stays in the snapshot (default 72, at most 8760).
    #[param(maximum = 8760)]
    pub closed_within: Option<u32>,
}

/// On the event stream (`event: redacted`): an incident or a task the
/// officer saw until this change and may no longer see; the console forgets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Redacted {
    pub seq: u64,
    pub entity: crate::model::EntityKind,
    pub entity_id: Uuid,
}

/// On the event stream (`event: skip`): the events up to `through` held
/// nothing this officer may see.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Skip {
    pub through: u64,
}

/// One message of the event stream, as the client reads it.
#[derive(Debug, Clone)]
pub enum StreamItem {
    Event(Box<Event>),
    Redacted(Redacted),
    Skip(Skip),
    /// `event: attention`: the officer's attention queue, whenever it changes.
    Attention(AttentionQueue),
    /// `event: presence.changed`: who is connected now, when that changes.
    Presence(Vec<Presence>),
}

impl StreamItem {
    /// The log position this message moves the cursor to, if it is about the log.
    pub fn seq(&self) -> Option<u64> {
        match self {
            StreamItem::Event(e) => Some(e.seq),
            StreamItem::Redacted(r) => Some(r.seq),
            StreamItem::Skip(s) => Some(s.through),
            StreamItem::Attention(_) | StreamItem::Presence(_) => None,
        }
    }
}

/// `GET /api/v1/incidents/{id}`: the incident with its notes, tasks and timeline.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IncidentDetail {
    #[serde(flatten)]
    pub incident: Incident,
    pub notes: Vec<Note>,
    pub tasks: Vec<Task>,
    /// Every event of the incident, its notes and its tasks, in seq order.
    #[serde(default)]
    pub timeline: Vec<Event>,
}

/// A page of results; pass `next_cursor` back as `cursor` for the next one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct IncidentQuery {
    /// Free text over reference, title and description.
    #[param(max_length = 200)]
    pub q: Option<String>,
    pub status: Option<IncidentStatus>,
    pub severity: Option<Severity>,
    pub category: Option<Category>,
    pub centre: Option<Centre>,
    /// Lead agency.
    pub agency: Option<Uuid>,
    /// Reported at or after (RFC 3339).
    #[param(format = DateTime)]
    pub since: Option<String>,
    /// Reported before (RFC 3339).
    #[param(format = DateTime)]
    pub until: Option<String>,
    /// Items per page: 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 200)]
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TaskQuery {
    pub incident: Option<Uuid>,
    pub agency: Option<Uuid>,
    pub status: Option<TaskStatus>,
    /// Only tasks not yet done, declined or cancelled.
    pub open: Option<bool>,
    /// Items per page: 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 200)]
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Resume after this seq (alternative to `Last-Event-ID`).
    pub after: Option<u64>,
}

/// `POST /api/v1/incidents/{id}/merge`: dismiss `{id}` as a duplicate of `into`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    pub into: Uuid,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MergeResult {
    pub duplicate: Incident,
    pub into: Incident,
    pub moved_tasks: Vec<Task>,
}

/// `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub seq: u64,
}
