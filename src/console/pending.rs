//! The officer's own changes between the keypress and the server's answer:
//! the outbox as the console shows it, the optimistic view, conflicts.
//!
//! The view of an incident is always derived as (server copy + pending
//! changes, in order), so a server event never undoes a pending change: it
//! only moves the base the pending changes are replayed on.

use uuid::Uuid;

use super::action::{ApiCall, Effect};
use super::state::{App, Confirmed, Level, Overlay};
use crate::client::outbox::{Entry, EntryState};
use crate::model::Incident;

/// Recomputes how `id` is shown, and re-files it in the feed.
/// Called for every live event, so it copies the incident only when this
/// officer has a change pending on it.
pub fn refresh(app: &mut App, id: Uuid) {
    let patches: Vec<&crate::api::IncidentPatch> = app
        .outbox
        .iter()
        .filter(|e| e.state == EntryState::Pending)
        .filter_map(|e| match &e.call {
            ApiCall::PatchIncident {
                id: target, patch, ..
            } if *target == id => Some(&**patch),
            _ => None,
        })
        .collect();
    let shown = match (app.mirror.incidents.get(&id), &app.me) {
        (Some(base), Some(me)) if !patches.is_empty() => {
            let mut inc: Incident = (**base).clone();
            for patch in patches {
                if let Ok(next) = inc.patched(patch, me, app.now) {
                    inc = next;
                }
            }
            Some(Box::new(inc))
        }
        _ => None,
    };
    match shown {
        Some(inc) => app.optimistic.insert(id, inc),
        None => app.optimistic.remove(&id),
    };
    let now = app.now_ms();
    // Fields borrowed apart: the feed is re-filed from the shown copy without cloning it.
    let shown = app
        .optimistic
        .get(&id)
        .or_else(|| app.mirror.incidents.get(&id))
        .map(|b| &**b);
    app.feed.upsert(shown, id, &app.sla, now);
}

/// Re-derives every overlaid incident (after a new snapshot or at start).
pub fn refresh_all(app: &mut App) {
    let ids: Vec<Uuid> = app
        .outbox
        .iter()
        .filter_map(|e| e.call.incident())
        .chain(app.optimistic.keys().copied())
        .collect();
    for id in ids {
        refresh(app, id);
    }
}

fn entry_mut(app: &mut App, seq: i64) -> Option<&mut Entry> {
    app.outbox.iter_mut().find(|e| e.seq == seq)
}

pub fn queued(app: &mut App, entry: Entry) {
    app.say(Level::Info, format!("queued: {}", entry.call.what()));
    let id = entry.call.incident();
    app.outbox.push(entry);
    if let Some(id) = id {
        refresh(app, id);
    }
}

fn take(app: &mut App, seq: i64) -> Option<Entry> {
    let i = app.outbox.iter().position(|e| e.seq == seq)?;
    let e = app.outbox.remove(i);
    if let Some(id) = e.call.incident() {
        refresh(app, id);
    }
    Some(e)
}

pub fn delivered(app: &mut App, seq: i64) {
    if let Some(e) = take(app, seq) {
        app.say(Level::Info, format!("done: {}", e.call.what()));
    }
}

pub fn discarded(app: &mut App, seq: i64) {
    if let Some(e) = take(app, seq) {
        app.say(Level::Info, format!("discarded: {}", e.call.what()));
    }
}

pub fn conflict(app: &mut App, seq: i64, current: serde_json::Value) {
    let Some(e) = entry_mut(app, seq) else { return };
    e.state = EntryState::Conflict { current };
    let what = e.call.what().to_string();
    let id = e.call.incident();
    if let Some(id) = id {
        app.expected_versions.remove(&id);
        refresh(app, id);
    }
    app.say(
        Level::Error,
        format!("CONFLICT: {what}: someone changed it first — review in :outbox (o)"),
    );
}

pub fn refused(app: &mut App, seq: i64, status: u16, reason: String) {
    let Some(e) = entry_mut(app, seq) else { return };
    e.state = EntryState::Refused {
        status,
        reason: reason.clone(),
    };
    let what = e.call.what().to_string();
    let id = e.call.incident();
    if let Some(id) = id {
        app.expected_versions.remove(&id);
        refresh(app, id);
    }
    app.say(
        Level::Error,
        format!("REFUSED: {what}: {reason} — see :outbox (o)"),
    );
}

/// `r` in the outbox screen: offer to send a conflicted change again on the current version.
pub fn ask_reapply(app: &mut App, selected: usize) -> Vec<Effect> {
    let Some(e) = app.outbox.get(selected).cloned() else {
        return Vec::new();
    };
    let (
        EntryState::Conflict { current },
        ApiCall::PatchIncident {
            id, patch, what, ..
        },
    ) = (&e.state, &e.call)
    else {
        app.say(
            Level::Error,
            "only a conflicted change can be re-applied; discard a refused one (x)",
        );
        return Vec::new();
    };
    let version = current
        .get("version")
        .and_then(|v| v.as_u64())
        .or_else(|| app.mirror.incidents.get(id).map(|i| i.version));
    let Some(version) = version else {
        return Vec::new();
    };
    let call = ApiCall::PatchIncident {
        id: *id,
        version,
        patch: patch.clone(),
        what: what.clone(),
    };
    app.overlay_confirm(
        format!(
            "Re-apply \"{what}\" on the current version {version}? This overrides the other change."
        ),
        "Re-apply",
        Confirmed::Reapply(e.seq),
    );
    app.reapply_draft = Some(call);
    Vec::new()
}

/// `x` in the outbox screen: offer to drop an entry.
pub fn ask_discard(app: &mut App, selected: usize) -> Vec<Effect> {
    let Some(e) = app.outbox.get(selected).cloned() else {
        return Vec::new();
    };
    let warning = if e.state == EntryState::Pending {
        " It has not been delivered."
    } else {
        ""
    };
    app.overlay_confirm(
        format!("Discard \"{}\"?{warning}", e.call.what()),
        "Discard",
        Confirmed::Discard(e.seq),
    );
    Vec::new()
}

impl App {
    fn overlay_confirm(&mut self, text: String, label: &str, then: Confirmed) {
        self.overlay = Some(Overlay::Confirm {
            text,
            action_label: label.into(),
            then,
            yes: false,
        });
    }
}

/// A confirmed re-apply or discard.
pub fn confirmed(app: &mut App, then: Confirmed) -> Vec<Effect> {
    match then {
        Confirmed::Reapply(seq) => match app.reapply_draft.take() {
            Some(call) => vec![Effect::Reapply { seq, call }],
            None => Vec::new(),
        },
        Confirmed::Discard(seq) => vec![Effect::Discard(seq)],
        _ => Vec::new(),
    }
}

/// One line describing an entry for the outbox screen.
pub fn describe(app: &App, e: &Entry) -> (String, Option<String>) {
    let state = match &e.state {
        EntryState::Pending => "pending ".to_string(),
        EntryState::Conflict { .. } => "CONFLICT".to_string(),
        EntryState::Refused { status, .. } => format!("REFUSED {status}"),
    };
    let head = format!(
        "{state}  {}  {}",
        super::view::header_clock_hhmm(e.created_at),
        e.call.what()
    );
    let detail = match (&e.state, &e.call) {
        (EntryState::Conflict { current }, ApiCall::PatchIncident { patch, .. }) => {
            let now: Option<Incident> = serde_json::from_value(current.clone()).ok();
            let yours = serde_json::to_string(patch).unwrap_or_default();
            Some(match now {
                Some(i) => format!(
                    "yours: {yours}   now (v{} by {}): status {}, severity {}, lead {}",
                    i.version,
                    app.officer_name(&i.updated_by.to_string()),
                    i.status,
                    i.severity,
                    app.agency_code(i.lead_agency_id)
                ),
                None => format!("yours: {yours}"),
            })
        }
        (EntryState::Refused { reason, .. }, _) => Some(format!("server: {reason}")),
        _ => None,
    };
    (head, detail)
}
