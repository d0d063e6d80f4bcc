//! The one channel into the console: keys, ticks and network news all become
//! an [`Action`]; `update` turns actions into state changes and [`Effect`]s.

use crossterm::event::KeyEvent;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::api::{IncidentDetail, IncidentPatch, NewIncident, NewTask, Snapshot};
use crate::model::Event;

#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    Resize(u16, u16),
    /// The clock moved (once a second).
    Tick(OffsetDateTime),
    Net(NetEvent),
}

/// The state of the link to the backend.
#[derive(Debug, Clone, PartialEq)]
pub enum Link {
    Connecting,
    Live,
    Reconnecting {
        since: OffsetDateTime,
        attempt: u32,
    },
    Offline {
        since: OffsetDateTime,
        reason: String,
    },
}

#[derive(Debug)]
pub enum NetEvent {
    Snapshot(Box<Snapshot>),
    Event(Box<Event>),
    Link(Link),
    Me(crate::model::Officer),
    Detail(Box<IncidentDetail>),
    /// A call finished: what it was, and the server's refusal if any.
    Done {
        what: String,
        error: Option<String>,
    },
}

/// A request to the backend made on the officer's behalf.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiCall {
    PatchIncident {
        id: Uuid,
        version: u64,
        patch: Box<IncidentPatch>,
        what: String,
    },
    Note {
        incident: Uuid,
        text: String,
        what: String,
    },
    CreateTask {
        incident: Uuid,
        task: Box<NewTask>,
        what: String,
    },
    CreateIncident {
        new: Box<NewIncident>,
        what: String,
    },
    Merge {
        id: Uuid,
        into: Uuid,
        what: String,
    },
}

impl ApiCall {
    pub fn what(&self) -> &str {
        match self {
            ApiCall::PatchIncident { what, .. }
            | ApiCall::Note { what, .. }
            | ApiCall::CreateTask { what, .. }
            | ApiCall::CreateIncident { what, .. }
            | ApiCall::Merge { what, .. } => what,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Call(ApiCall),
    FetchDetail(Uuid),
    /// The mirror found a gap: take a new snapshot.
    Resync,
    Bell,
    Quit,
}
