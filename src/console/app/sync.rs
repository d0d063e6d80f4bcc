//! What the network and the clock do to the console's state: a snapshot,
//! each live event, the link's state, the outbox's news, the tick that makes
//! incidents overdue and lets closed ones leave the 72 h window.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{App, Screen};
use crate::client::mirror::{Applied, Mirror};
use crate::client::outbox::EntryState;
use crate::console::action::{Effect, Link, NetEvent};
use crate::console::context::{Level, Toast, open_task_key};
use crate::console::{fmt, pending};
use crate::model::{EntityKind, Event, IncidentStatus, Note, Severity};

/// How often closed incidents leaving the window are looked for.
const PRUNE_EVERY: time::Duration = time::Duration::minutes(1);

pub fn tick(app: &mut App, now: OffsetDateTime) {
    app.ctx.now = now;
    let now_ms = app.ctx.now_ms();
    app.feed.index.tick(now_ms);
    while app.ctx.toasts.front().is_some_and(|t| t.until <= now) {
        app.ctx.toasts.pop_front();
    }
    if app.pruned_at.is_none_or(|at| now - at >= PRUNE_EVERY) {
        app.pruned_at = Some(now);
        forget_closed(app);
    }
}

/// Drops incidents closed before the snapshot's window (72 h), as a fresh
/// snapshot would not have them; older ones are reached through search.
pub fn forget_closed(app: &mut App) {
    let window = time::Duration::hours(crate::api::DEFAULT_CLOSED_WITHIN_HOURS.into());
    let (incidents, tasks) = app.ctx.mirror.drop_closed_before(app.ctx.now - window);
    if incidents.is_empty() {
        return;
    }
    forget(app, &incidents, &tasks);
}

/// Takes forgotten incidents and tasks out of every index and view.
fn forget(app: &mut App, incidents: &[Uuid], tasks: &[Uuid]) {
    for id in incidents {
        app.ctx.tasks_of.remove(id);
        app.ctx.optimistic.remove(id);
    }
    let gone: std::collections::HashSet<&Uuid> = tasks.iter().collect();
    app.ctx.open_tasks.retain(|(_, id)| !gone.contains(id));
    app.feed.forget(incidents, &app.ctx);
}

/// An incident withdrawn from this officer: forgotten, and said so.
fn redact(app: &mut App, r: &crate::api::Redacted) -> Vec<Effect> {
    let reference = app
        .ctx
        .mirror
        .incidents
        .get(&r.entity_id)
        .map(|i| i.reference.clone());
    let task_of = app
        .ctx
        .mirror
        .tasks
        .get(&r.entity_id)
        .map(|t| t.incident_id);
    match app.ctx.mirror.redact(r) {
        Ok(tasks) if r.entity == EntityKind::Task => {
            app.ctx.open_tasks.retain(|(_, id)| !tasks.contains(id));
            if let Some(incident) = task_of {
                if let Some(set) = app.ctx.tasks_of.get_mut(&incident) {
                    set.remove(&r.entity_id);
                }
                app.feed.refile(incident, &app.ctx);
            }
            Vec::new()
        }
        Ok(tasks) => {
            forget(app, &[r.entity_id], &tasks);
            if let Some(reference) = reference {
                app.ctx.say(
                    Level::Info,
                    format!("{reference} is no longer shared with you (marking raised)"),
                );
            }
            Vec::new()
        }
        Err(err) => {
            app.ctx.say(Level::Error, err.to_string());
            vec![Effect::Resync]
        }
    }
}

pub fn net(app: &mut App, e: NetEvent) -> Vec<Effect> {
    match e {
        NetEvent::Me(me) => app.ctx.me = Some(me),
        NetEvent::Token(t) => app.ctx.token_expires = Some(t.expires_at),
        NetEvent::OnDuty(shifts) => app.ctx.on_duty = shifts,
        NetEvent::Attention(q) => app.ctx.attention = q,
        NetEvent::Presence(p) => app.ctx.connected = p,
        NetEvent::Handovers(h) => app.ctx.handovers = h,
        NetEvent::Trends(Ok(t)) => app.ctx.trends = Some(t),
        NetEvent::Exported(Ok(m)) => app.ctx.say(Level::Info, m),
        NetEvent::Exported(Err(e)) => app.ctx.say(Level::Error, e),
        NetEvent::Trends(Err(e)) => app.ctx.say(Level::Error, e),
        NetEvent::Link(link) => {
            let ctx = &mut app.ctx;
            if link == Link::Live && ctx.link != Link::Live {
                ctx.say(Level::Info, "link is LIVE");
            }
            if matches!(link, Link::TokenRefused { .. })
                && !matches!(ctx.link, Link::TokenRefused { .. })
            {
                ctx.say(
                    Level::Error,
                    "token refused by the server — ask your supervisor for a new one; \
                     your queued changes are kept",
                );
            }
            ctx.link = link;
        }
        NetEvent::SendFailing(reason) => {
            let ctx = &mut app.ctx;
            if ctx.sends_failing.is_none() {
                ctx.say(
                    Level::Error,
                    format!(
                        "sending failed: {reason} — the change stays in the outbox and is retried"
                    ),
                );
            }
            let since = ctx.sends_failing.take().map_or(ctx.now, |(s, _)| s);
            ctx.sends_failing = Some((since, reason));
        }
        NetEvent::SendsLanding => {
            let ctx = &mut app.ctx;
            if ctx.sends_failing.take().is_some() {
                ctx.say(Level::Info, "changes are landing again");
            }
        }
        NetEvent::Snapshot(s) => {
            app.ctx.mirror = Mirror::from_snapshot(*s);
            rebuild(app);
            app.ctx.synced = true;
        }
        NetEvent::Event(e) => return apply_event(app, &e),
        NetEvent::Redacted(r) => return redact(app, &r),
        NetEvent::Skip(through) => app.ctx.mirror.skip(through),
        NetEvent::Rotated(result) => crate::console::rotation::answered(&mut app.ctx, result),
        NetEvent::Shifted(result) => crate::console::shifts::answered(&mut app.ctx, result),
        NetEvent::Detail(d) => {
            if let Screen::Detail(screen) = &mut app.screen
                && screen.id == d.incident.id
            {
                screen.detail = Some(*d);
            }
        }
        NetEvent::Queued(entry) => {
            if let Some(id) = pending::queued(&mut app.ctx, entry) {
                app.feed.refile(id, &app.ctx);
            }
        }
        NetEvent::Delivered(seq) => {
            let id = pending::finished(&mut app.ctx, seq, "done");
            refile(app, id)
        }
        NetEvent::Discarded(seq) => {
            let id = pending::finished(&mut app.ctx, seq, "discarded");
            refile(app, id)
        }
        NetEvent::Conflict { seq, current } => {
            let id = pending::troubled(&mut app.ctx, seq, EntryState::Conflict { current });
            refile(app, id)
        }
        NetEvent::Refused {
            seq,
            status,
            reason,
        } => {
            let id = pending::troubled(&mut app.ctx, seq, EntryState::Refused { status, reason });
            refile(app, id)
        }
    }
    Vec::new()
}

fn refile(app: &mut App, id: Option<Uuid>) {
    if let Some(id) = id {
        app.feed.refile(id, &app.ctx);
    }
}

/// Rebuilds every derived index from the mirror (after a snapshot).
pub fn rebuild(app: &mut App) {
    let ctx = &mut app.ctx;
    ctx.tasks_of.clear();
    for t in ctx.mirror.tasks.values() {
        ctx.tasks_of.entry(t.incident_id).or_default().insert(t.id);
    }
    ctx.open_tasks = ctx
        .mirror
        .tasks
        .values()
        .filter_map(|t| open_task_key(t))
        .collect();
    for id in pending::overlaid(ctx) {
        pending::refresh(ctx, id);
    }
    app.feed.rebuild(&app.ctx);
}

/// Applies one live event: mirror first, then only the indexes it touches.
pub fn apply_event(app: &mut App, e: &Event) -> Vec<Effect> {
    let ctx = &mut app.ctx;
    let before = (e.entity == EntityKind::Task)
        .then(|| {
            ctx.mirror
                .tasks
                .get(&e.entity_id)
                .map(|t| (t.incident_id, open_task_key(t)))
        })
        .flatten();
    let applied = match ctx.mirror.apply(e) {
        Ok(a) => a,
        Err(err) => {
            ctx.say(Level::Error, err.to_string());
            return vec![Effect::Resync];
        }
    };
    let mut effects = Vec::new();
    if e.entity == EntityKind::Shift {
        effects.push(Effect::DutyChanged);
    }
    match applied {
        Applied::Incident { id, new } => {
            if let (Some(want), Some(i)) = (
                ctx.expected_versions.get(&id),
                ctx.mirror.incidents.get(&id),
            ) && i.version >= *want
            {
                ctx.expected_versions.remove(&id);
            }
            pending::refresh(ctx, id);
            if let Some(i) = ctx.mirror.incidents.get(&id).filter(|i| {
                new && i.status == IncidentStatus::Reported && i.severity >= Severity::High
            }) {
                let text = format!(
                    "NEW {} {} — {}",
                    fmt::severity_short(i.severity).trim(),
                    i.reference,
                    i.title
                );
                let until = ctx.now + time::Duration::seconds(ctx.toast_seconds);
                ctx.toasts.push_back(Toast { text, until });
                if ctx.toasts.len() > 3 {
                    ctx.toasts.pop_front();
                }
                if ctx.bell {
                    effects.push(Effect::Bell);
                }
            }
            app.feed.refile(id, &app.ctx);
            effects.extend(refresh_detail(app, id));
        }
        Applied::Task(id) => {
            // Re-indexed only when the event changed the task: a replayed one
            // (AlreadyHad) leaves every index as it was.
            if let Some((_, Some(key))) = before {
                ctx.open_tasks.remove(&key);
            }
            if let Some(t) = ctx.mirror.tasks.get(&id) {
                let now_on = t.incident_id;
                let key = open_task_key(t);
                if let Some((old, _)) = before.filter(|(o, _)| *o != now_on)
                    && let Some(set) = ctx.tasks_of.get_mut(&old)
                {
                    set.remove(&id);
                }
                ctx.tasks_of.entry(now_on).or_default().insert(id);
                if let Some(key) = key {
                    ctx.open_tasks.insert(key);
                }
                effects.extend(refresh_detail(app, now_on));
            }
        }
        Applied::Note(_) => {
            if let Ok(n) = e.entity::<Note>() {
                effects.extend(refresh_detail(app, n.incident_id));
            }
        }
        Applied::Audit(_) => {
            let text = record_alarm(e);
            ctx.say(Level::Error, text);
            if ctx.bell {
                effects.push(Effect::Bell);
            }
        }
        Applied::Roster | Applied::Record | Applied::AlreadyHad => {}
    }
    effects
}

/// What the officer is told of a damaged record: the server's check at
/// start, or a witness's alarm.
fn record_alarm(e: &Event) -> String {
    let first = |findings: &[crate::api::Finding]| {
        findings
            .first()
            .and_then(|f| f.entity.clone().or(f.seq.map(|s| format!("event {s}"))))
            .map(|first| format!(", first {first}"))
            .unwrap_or_default()
    };
    if e.kind == crate::model::EventKind::WitnessAlarm {
        return match e.entity::<crate::api::WitnessAlarm>() {
            Ok(a) => format!(
                "WITNESS ALARM from {}: the record differs from its copy, {} finding(s){} — \
                 tell the administrators of both centres",
                a.witness,
                a.findings_total,
                first(&a.findings)
            ),
            Err(_) => "WITNESS ALARM: a witness found the record altered".into(),
        };
    }
    match e.entity::<crate::api::VerifyReport>() {
        Ok(r) => format!(
            "RECORD DAMAGED: the server started on a record with {} finding(s){} — \
             tell the administrators of both centres",
            r.findings_total,
            first(&r.findings)
        ),
        Err(_) => "RECORD DAMAGED: the server started on a damaged record".into(),
    }
}

fn refresh_detail(app: &App, incident: Uuid) -> Option<Effect> {
    matches!(&app.screen, Screen::Detail(d) if d.id == incident)
        .then_some(Effect::FetchDetail(incident))
}
