//! What every component reads and none owns: the server's state as mirrored,
//! this officer's own changes on their way, the link, the clock, the
//! theme and keys, the messages. Components read it; the app changes it as
//! actions arrive, and components change only their own fields.

use std::collections::{BTreeSet, HashMap, VecDeque};

use time::OffsetDateTime;
use uuid::Uuid;

use super::action::Link;
use super::config::{Bidi, Config, MapMarker};
use super::keymap::Keymap;
use super::theme::Theme;
use crate::client::mirror::Mirror;
use crate::client::outbox::{Entry, EntryState};
use crate::model::{Agency, Incident, Officer, Sla, Task};
use crate::reference::Place;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub at: OffsetDateTime,
    pub level: Level,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub text: String,
    pub until: OffsetDateTime,
}

pub struct Context {
    pub theme: Theme,
    pub keymap: Keymap,
    pub sla: Sla,
    pub bell: bool,
    pub toast_seconds: i64,
    pub bidi: Bidi,
    pub map_marker: MapMarker,
    pub places: Vec<Place>,

    pub me: Option<Officer>,
    /// When the token this console signed in with stops working.
    pub token_expires: Option<OffsetDateTime>,
    /// Shifts on duty now at both centres, as last asked.
    pub on_duty: Vec<crate::api::Shift>,
    /// What needs this officer now, as the server last pushed it.
    pub attention: crate::api::AttentionQueue,
    /// The trends screen's figures, as last fetched.
    pub trends: Option<Box<super::action::Trends>>,
    /// Who is connected now at both centres, as the server last pushed it.
    pub connected: Vec<crate::api::Presence>,
    /// The last shifts ended at both centres, newest first (the other
    /// centre's without their handover).
    pub handovers: Vec<crate::api::Shift>,
    pub server: String,
    pub link: Link,
    pub synced: bool,
    /// When the state was last known in sync with the server.
    pub last_sync: Option<OffsetDateTime>,
    /// Since when, and why, changes have been failing to send.
    pub sends_failing: Option<(OffsetDateTime, String)>,
    pub mirror: Mirror,
    /// incident id → its task ids.
    pub tasks_of: HashMap<Uuid, BTreeSet<Uuid>>,
    /// Open tasks by due time (no due time last), for the "all open" view.
    pub open_tasks: BTreeSet<(i64, Uuid)>,
    /// The durable outbox as last reported: pending, conflicted and refused changes.
    pub outbox: Vec<Entry>,
    /// Incidents as the officer will see them once their pending changes land.
    pub optimistic: HashMap<Uuid, Box<Incident>>,
    /// incident id → the version it will have once our in-flight changes land.
    pub expected_versions: HashMap<Uuid, u64>,
    pub now: OffsetDateTime,
    pub size: (u16, u16),
    pub messages: Vec<Message>,
    pub toasts: VecDeque<Toast>,
}

/// A task's place in [`Context::open_tasks`], if it is open.
pub fn open_task_key(t: &Task) -> Option<(i64, Uuid)> {
    t.status.is_open().then(|| {
        (
            t.due_at.map(|d| d.unix_timestamp()).unwrap_or(i64::MAX),
            t.id,
        )
    })
}

impl Context {
    pub fn new(config: &Config, keymap: Keymap, places: Vec<Place>, now: OffsetDateTime) -> Self {
        Context {
            theme: Theme::named(config.theme),
            keymap,
            sla: config.sla,
            bell: config.bell,
            toast_seconds: config.toast_seconds as i64,
            bidi: config.bidi,
            map_marker: config.map_marker,
            places,
            me: None,
            token_expires: None,
            on_duty: Vec::new(),
            attention: Default::default(),
            trends: None,
            connected: Vec::new(),
            handovers: Vec::new(),
            server: config.server.clone(),
            link: Link::Connecting,
            synced: false,
            last_sync: None,
            sends_failing: None,
            mirror: Mirror::default(),
            tasks_of: HashMap::new(),
            open_tasks: BTreeSet::new(),
            outbox: Vec::new(),
            optimistic: HashMap::new(),
            expected_versions: HashMap::new(),
            now,
            size: (80, 24),
            messages: Vec::new(),
            toasts: VecDeque::new(),
        }
    }

    pub fn now_ms(&self) -> i64 {
        (self.now.unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// Records what happened, for the message line and history: one line per event.
    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        self.messages.push(Message {
            at: self.now,
            level,
            text: text.into(),
        });
        if self.messages.len() > 1000 {
            self.messages.drain(..200);
        }
    }

    /// The incident as shown: the server's copy with this officer's pending changes on top.
    pub fn incident(&self, id: &Uuid) -> Option<&Incident> {
        self.optimistic
            .get(id)
            .or_else(|| self.mirror.incidents.get(id))
            .map(|b| &**b)
    }

    /// Changes queued and not yet delivered.
    pub fn pending(&self) -> usize {
        self.outbox
            .iter()
            .filter(|e| e.state == EntryState::Pending)
            .count()
    }

    /// Conflicts and refusals waiting for the officer.
    pub fn troubles(&self) -> usize {
        self.outbox.len() - self.pending()
    }

    /// The latest outbox state of a change to `id`, if any.
    pub fn outbox_state(&self, id: &Uuid) -> Option<&EntryState> {
        self.outbox
            .iter()
            .rev()
            .find(|e| e.call.incident() == Some(*id))
            .map(|e| &e.state)
    }

    /// Whether the link is as good as `LIVE` claims: the stream flows and changes land.
    pub fn link_healthy(&self) -> bool {
        self.link == Link::Live && self.sends_failing.is_none()
    }

    /// Agencies in roster order: region, then code.
    pub fn agencies(&self) -> Vec<&Agency> {
        let mut a: Vec<&Agency> = self.mirror.agencies.values().collect();
        a.sort_by(|x, y| (x.region, &x.code).cmp(&(y.region, &y.code)));
        a
    }

    pub fn agency_code(&self, id: Option<Uuid>) -> &str {
        id.and_then(|i| self.mirror.agencies.get(&i))
            .map(|a| a.code.as_str())
            .unwrap_or("—")
    }

    pub fn agency_by_code(&self, code: &str) -> Option<&Agency> {
        self.mirror
            .agencies
            .values()
            .find(|a| a.code.eq_ignore_ascii_case(code.trim()))
    }

    pub fn officer_name(&self, id: &str) -> String {
        id.parse::<Uuid>()
            .ok()
            .and_then(|u| self.mirror.officers.get(&u))
            .map(|o| o.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// An officer as the timeline names them, with their centre, so what the
    /// other centre did reads as theirs: `Fatima Al-Barasi (BEN)`.
    pub fn officer_at(&self, id: &str) -> String {
        match id
            .parse::<Uuid>()
            .ok()
            .and_then(|u| self.mirror.officers.get(&u))
        {
            Some(o) => format!("{} ({})", o.name, o.centre),
            None => id.to_string(),
        }
    }

    /// The tasks of one incident, overdue first, then open, by due time.
    pub fn tasks_of(&self, incident: &Uuid) -> Vec<&Task> {
        let mut tasks: Vec<&Task> = self
            .tasks_of
            .get(incident)
            .into_iter()
            .flatten()
            .filter_map(|t| self.mirror.tasks.get(t).map(|b| &**b))
            .collect();
        tasks.sort_by_key(|t| (!t.is_overdue(self.now), !t.status.is_open(), t.due_at, t.id));
        tasks
    }

    /// Text made fit for this terminal (see `Bidi`).
    pub fn text(&self, s: &str) -> String {
        super::bidi::visual(s, self.bidi)
    }
}
