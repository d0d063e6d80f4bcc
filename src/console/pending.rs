//! The officer's own changes between the keypress and the server's answer:
//! the outbox as the console knows it, and the optimistic view it implies.
//!
//! The view of an incident is always derived as (server copy + pending
//! changes, in order), so a server event never undoes a pending change: it
//! only moves the base the pending changes are replayed on. Each function
//! returns the incident whose shown copy may have changed, for the feed to
//! re-file.

use uuid::Uuid;

use super::action::ApiCall;
use super::context::{Context, Level};
use crate::client::outbox::{Entry, EntryState};
use crate::model::Incident;

/// Recomputes how `id` is shown. Called for every live event, so it copies
/// the incident only when this officer has a change pending on it.
pub fn refresh(ctx: &mut Context, id: Uuid) {
    let patches: Vec<&crate::api::IncidentPatch> = ctx
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
    let shown = match (ctx.mirror.incidents.get(&id), &ctx.me) {
        (Some(base), Some(me)) if !patches.is_empty() => {
            let mut inc: Incident = (**base).clone();
            for patch in patches {
                if let Ok(next) = inc.patched(patch, me, ctx.now) {
                    inc = next;
                }
            }
            Some(Box::new(inc))
        }
        _ => None,
    };
    match shown {
        Some(inc) => ctx.optimistic.insert(id, inc),
        None => ctx.optimistic.remove(&id),
    };
}

/// Every incident with an overlay or an outbox entry (after a new snapshot or at start).
pub fn overlaid(ctx: &Context) -> Vec<Uuid> {
    ctx.outbox
        .iter()
        .filter_map(|e| e.call.incident())
        .chain(ctx.optimistic.keys().copied())
        .collect()
}

fn entry_mut(ctx: &mut Context, seq: i64) -> Option<&mut Entry> {
    ctx.outbox.iter_mut().find(|e| e.seq == seq)
}

pub fn queued(ctx: &mut Context, entry: Entry) -> Option<Uuid> {
    let id = entry.call.incident();
    ctx.outbox.push(entry);
    if let Some(id) = id {
        refresh(ctx, id);
    }
    id
}

/// Takes an entry out (delivered or discarded); says so.
pub fn finished(ctx: &mut Context, seq: i64, done: &str) -> Option<Uuid> {
    let i = ctx.outbox.iter().position(|e| e.seq == seq)?;
    let e = ctx.outbox.remove(i);
    ctx.say(Level::Info, format!("{done}: {}", e.call.what()));
    let id = e.call.incident();
    if let Some(id) = id {
        refresh(ctx, id);
    }
    id
}

/// Someone else changed the entity first (412), or the server refused the
/// change: the entry stays, marked, with the reason.
pub fn troubled(ctx: &mut Context, seq: i64, state: EntryState) -> Option<Uuid> {
    let e = entry_mut(ctx, seq)?;
    let message = match &state {
        EntryState::Conflict { .. } => format!(
            "CONFLICT: {}: someone changed it first — review in the outbox (o)",
            e.call.what()
        ),
        EntryState::Refused { reason, .. } => {
            format!("REFUSED: {}: {reason} — see the outbox (o)", e.call.what())
        }
        EntryState::Pending => return None,
    };
    e.state = state;
    let id = e.call.incident();
    ctx.say(Level::Error, message);
    if let Some(id) = id {
        ctx.expected_versions.remove(&id);
        refresh(ctx, id);
    }
    id
}
