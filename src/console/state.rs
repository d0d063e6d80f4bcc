//! Everything the console knows and shows. Only `update` changes it; views only read it.

use std::collections::{BTreeSet, HashMap, VecDeque};

use time::OffsetDateTime;
use uuid::Uuid;

use super::action::Link;
use super::config::Config;
use super::feed::Feed;
use super::form::Form;
use super::input::LineInput;
use super::keymap::Keymap;
use super::theme::Theme;
use crate::api::IncidentDetail;
use crate::client::mirror::Mirror;
use crate::model::{Agency, Incident, Officer, Sla, Task};
use crate::reference::Place;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Feed,
    Roster,
    Tasks,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Main,
    Detail { id: Uuid, scroll: u16 },
    Help { scroll: u16 },
    Messages { scroll: u16 },
    Outbox { selected: usize },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputPurpose {
    Filter,
    Command,
    Note(Uuid),
    Duplicate(Uuid),
}

#[derive(Debug, Clone, PartialEq)]
pub enum MenuPurpose {
    Status(Uuid),
    Lead(Uuid),
    Dismiss(Uuid),
}

/// What a confirmed dialog does.
#[derive(Debug, Clone, PartialEq)]
pub enum Confirmed {
    Call(super::action::ApiCall),
    Quit,
    /// Re-send a conflicted change on the current version.
    Reapply(i64),
    /// Drop an outbox entry for good.
    Discard(i64),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Input {
        purpose: InputPurpose,
        line: LineInput,
    },
    Menu {
        purpose: MenuPurpose,
        title: String,
        items: Vec<(String, String)>,
        selected: usize,
    },
    Form(Form),
    /// Destructive actions: Cancel is selected until the officer moves to the action.
    Confirm {
        text: String,
        action_label: String,
        then: Confirmed,
        yes: bool,
    },
}

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

pub struct App {
    pub theme: Theme,
    pub keymap: Keymap,
    pub sla: Sla,
    pub bell: bool,
    pub toast_seconds: i64,
    pub places: Vec<Place>,

    pub me: Option<Officer>,
    pub server: String,
    pub link: Link,
    pub synced: bool,
    pub mirror: Mirror,
    pub feed: Feed,
    /// incident id → its task ids.
    pub tasks_of: HashMap<Uuid, BTreeSet<Uuid>>,
    /// Open tasks by due time (no due time last), for the "all open" view.
    pub open_tasks: BTreeSet<(i64, Uuid)>,
    pub now: OffsetDateTime,
    pub size: (u16, u16),

    pub pane: Pane,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    pub selected: Option<Uuid>,
    pub top: Option<Uuid>,
    pub marks: BTreeSet<Uuid>,
    pub roster_selected: usize,
    pub roster_agency: Option<Uuid>,
    pub tasks_selected: usize,
    pub tasks_all: bool,
    pub detail: Option<IncidentDetail>,

    /// The durable outbox as last reported: pending, conflicted and refused changes.
    pub outbox: Vec<crate::client::outbox::Entry>,
    /// Incidents as the officer will see them once their pending changes land.
    pub optimistic: HashMap<Uuid, Box<Incident>>,
    /// When the state was last known in sync with the server.
    pub last_sync: Option<OffsetDateTime>,
    /// Since when, and why, changes have been failing to send.
    pub sends_failing: Option<(OffsetDateTime, String)>,
    /// When closed incidents were last looked for to leave the window.
    pub pruned_at: Option<OffsetDateTime>,
    /// The change a pending re-apply confirmation would send.
    pub reapply_draft: Option<super::action::ApiCall>,
    /// incident id → the version it will have once our in-flight changes land.
    pub expected_versions: HashMap<Uuid, u64>,
    pub messages: Vec<Message>,
    pub toasts: VecDeque<Toast>,
}

/// Open tasks listed in the "all open" view, earliest due first.
pub const ALL_TASKS_SHOWN: usize = 2000;

/// A task's place in [`App::open_tasks`], if it is open.
pub fn open_task_key(t: &Task) -> Option<(i64, Uuid)> {
    t.status.is_open().then(|| {
        (
            t.due_at.map(|d| d.unix_timestamp()).unwrap_or(i64::MAX),
            t.id,
        )
    })
}

impl App {
    pub fn new(config: &Config, keymap: Keymap, places: Vec<Place>, now: OffsetDateTime) -> App {
        App {
            theme: Theme::named(config.theme),
            keymap,
            sla: config.sla,
            bell: config.bell,
            toast_seconds: config.toast_seconds as i64,
            places,
            me: None,
            server: config.server.clone(),
            link: Link::Connecting,
            synced: false,
            mirror: Mirror::default(),
            feed: Feed::default(),
            tasks_of: HashMap::new(),
            open_tasks: BTreeSet::new(),
            now,
            size: (80, 24),
            pane: Pane::Feed,
            screen: Screen::Main,
            overlay: None,
            selected: None,
            top: None,
            marks: BTreeSet::new(),
            roster_selected: 0,
            roster_agency: None,
            tasks_selected: 0,
            tasks_all: false,
            detail: None,
            outbox: Vec::new(),
            optimistic: HashMap::new(),
            last_sync: None,
            sends_failing: None,
            pruned_at: None,
            reapply_draft: None,
            expected_versions: HashMap::new(),
            messages: Vec::new(),
            toasts: VecDeque::new(),
        }
    }

    pub fn now_ms(&self) -> i64 {
        (self.now.unix_timestamp_nanos() / 1_000_000) as i64
    }

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
            .filter(|e| e.state == crate::client::outbox::EntryState::Pending)
            .count()
    }

    /// Conflicts and refusals waiting for the officer.
    pub fn troubles(&self) -> usize {
        self.outbox.len() - self.pending()
    }

    /// Whether `id` has changes in the outbox (pending or not).
    pub fn has_outbox_entry(&self, id: &Uuid) -> Option<&crate::client::outbox::EntryState> {
        self.outbox
            .iter()
            .rev()
            .find(|e| e.call.incident() == Some(*id))
            .map(|e| &e.state)
    }

    /// The incident the triage keys act on: the one in detail, else the
    /// selected row — only while it is on screen (a row the filter hides is
    /// never acted on).
    pub fn target(&self) -> Option<&Incident> {
        match &self.screen {
            Screen::Detail { id, .. } => self.incident(id),
            _ => self
                .selected
                .filter(|s| self.feed.key_of(s).is_some())
                .and_then(|s| self.incident(&s)),
        }
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

    pub fn officer_name(&self, id: &str) -> String {
        id.parse::<Uuid>()
            .ok()
            .and_then(|u| self.mirror.officers.get(&u))
            .map(|o| o.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// The incident whose tasks the tasks pane shows; None: all open tasks.
    pub fn tasks_scope(&self) -> Option<&Incident> {
        self.target().filter(|_| !self.tasks_all)
    }

    /// Tasks shown in the tasks pane: the selected incident's, or all open ones.
    pub fn visible_tasks(&self) -> Vec<&Task> {
        match self.tasks_scope() {
            Some(i) => {
                let mut tasks: Vec<&Task> = self
                    .tasks_of
                    .get(&i.id)
                    .into_iter()
                    .flatten()
                    .filter_map(|t| self.mirror.tasks.get(t).map(|b| &**b))
                    .collect();
                tasks.sort_by_key(|t| {
                    (!t.is_overdue(self.now), !t.status.is_open(), t.due_at, t.id)
                });
                tasks
            }
            // Already in due order (overdue first): read only the head, never scan all tasks.
            None => self
                .open_tasks
                .iter()
                .take(ALL_TASKS_SHOWN)
                .filter_map(|(_, id)| self.mirror.tasks.get(id).map(|b| &**b))
                .collect(),
        }
    }

    /// Whether the link is as good as `LIVE` claims: the stream flows and changes land.
    pub fn link_healthy(&self) -> bool {
        self.link == Link::Live && self.sends_failing.is_none()
    }

    pub fn is_overdue(&self, id: &Uuid) -> bool {
        self.feed.is_overdue(id)
    }
}
