//! The one channel into the console: keys, the mouse, ticks and network news
//! all become an [`Action`]; the app turns actions into state changes and
//! [`Effect`]s.

use crossterm::event::{KeyEvent, MouseEvent};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::api::{IncidentDetail, Snapshot};
use crate::model::Event;

/// What the trends screen shows: 72 hours per category (with SLA
/// compliance) and 8 days per sector (a week to judge the last day by).
#[derive(Debug, Clone, PartialEq)]
pub struct Trends {
    pub by_category: crate::api::stats::Stats,
    pub by_sector: crate::api::stats::Stats,
}

#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    Mouse(MouseEvent),
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
    /// Down for a while; `attempt` counts the reconnects tried (0: none yet).
    Offline {
        since: OffsetDateTime,
        attempt: u32,
    },
    /// The server refused the token (401): nothing syncs or sends until a new
    /// one is given; the outbox is kept.
    TokenRefused {
        since: OffsetDateTime,
    },
}

#[derive(Debug)]
pub enum NetEvent {
    Snapshot(Box<Snapshot>),
    Event(Box<Event>),
    /// An incident no longer shared with this officer.
    Redacted(crate::api::Redacted),
    /// Events up to this seq held nothing for this officer.
    Skip(u64),
    /// The answer to `:rotate-token`: the new token's record, or why not.
    Rotated(Result<crate::model::TokenInfo, String>),
    /// Shifts on duty now at both centres.
    OnDuty(Vec<crate::api::Shift>),
    /// The officer's attention queue, as the server pushed it.
    Attention(crate::api::AttentionQueue),
    /// Who is connected now, as the server pushed it.
    Presence(Vec<crate::api::Presence>),
    /// The last shifts ended at both centres, newest first.
    Handovers(Vec<crate::api::Shift>),
    /// An export written (what and where), or why not.
    Exported(Result<String, String>),
    /// The figures behind the trends screen, or why they could not be had.
    Trends(Result<Box<Trends>, String>),
    /// The answer to `:shift …` or `:ack-handover`, as a message.
    Shifted(Result<String, String>),
    Link(Link),
    Me(crate::model::Officer),
    /// The record of the token this console signed in with.
    Token(crate::model::TokenInfo),
    Detail(Box<IncidentDetail>),
    /// A change was written to the durable outbox.
    Queued(Entry),
    /// The server accepted it (2xx); it left the outbox.
    Delivered(i64),
    /// Someone else changed the entity first (412); `current` is how it is now.
    Conflict {
        seq: i64,
        current: serde_json::Value,
    },
    /// The server refused it and said why.
    Refused {
        seq: i64,
        status: u16,
        reason: String,
    },
    /// The officer discarded it (or replaced it with a re-applied change).
    Discarded(i64),
    /// A change could not be delivered (the link, or the server failing);
    /// it stays in the outbox and is retried with the same key. The text is
    /// the reason, the server's when it gave one.
    SendFailing(String),
    /// A change was delivered after sends had been failing.
    SendsLanding,
}

pub use crate::client::call::ApiCall;
use crate::client::outbox::Entry;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Queue a change in the durable outbox.
    Call(ApiCall),
    /// Replace a conflicted entry with this change on the current version.
    Reapply {
        seq: i64,
        call: ApiCall,
    },
    Discard(i64),
    FetchDetail(Uuid),
    /// The mirror found a gap: take a new snapshot.
    Resync,
    /// Ring the terminal bell.
    Bell,
    /// Put this text on the clipboard (OSC 52, which works over SSH).
    Copy(String),
    /// Ask the server for a new token for this officer and use it.
    RotateToken,
    /// Start or end the officer's shift, or acknowledge a handover.
    Shift(ShiftStep),
    /// Mark attention items seen (not queued: a personal mark, sent once).
    MarkSeen(Vec<String>),
    /// A shift started or ended somewhere: ask who is on duty now.
    DutyChanged,
    /// Ask the server for the trends screen's figures.
    FetchTrends,
    /// Write an export to a file (by way of `FILE.part`).
    Export {
        path: std::path::PathBuf,
        bytes: Vec<u8>,
        what: String,
    },
    Quit,
}

/// What the officer asked of their shift (`:shift start|end`, `:ack-handover`).
#[derive(Debug, Clone, PartialEq)]
pub enum ShiftStep {
    Start,
    End { note: String },
    Acknowledge,
}
