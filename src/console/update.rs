//! `update`: the only place the console's state changes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use time::OffsetDateTime;

use super::action::{Action, Effect, Link, NetEvent};
use super::keymap::Cmd;
use super::state::{App, InputPurpose, Level, Overlay, Screen, Toast, open_task_key};
use super::{navigate, pending, triage, view};
use crate::client::mirror::{Applied, Mirror};
use crate::model::{EntityKind, IncidentStatus, Note, Severity};

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(k) => key(app, k),
        Action::Resize(w, h) => {
            app.size = (w, h);
            navigate::keep_selection(app);
            Vec::new()
        }
        Action::Tick(now) => {
            tick(app, now);
            Vec::new()
        }
        Action::Net(e) => net(app, e),
    }
}

fn tick(app: &mut App, now: OffsetDateTime) {
    app.now = now;
    let now_ms = app.now_ms();
    app.feed.tick(now_ms);
    while app.toasts.front().is_some_and(|t| t.until <= now) {
        app.toasts.pop_front();
    }
    if app.pruned_at.is_none_or(|at| now - at >= PRUNE_EVERY) {
        app.pruned_at = Some(now);
        forget_closed(app);
    }
}

/// How often closed incidents leaving the window are looked for.
const PRUNE_EVERY: time::Duration = time::Duration::minutes(1);

/// Drops incidents closed before the snapshot's window (72 h), as a fresh
/// snapshot would not have them; older ones are reached through search.
pub fn forget_closed(app: &mut App) {
    let window = time::Duration::hours(crate::api::DEFAULT_CLOSED_WITHIN_HOURS.into());
    let (incidents, tasks) = app.mirror.drop_closed_before(app.now - window);
    if incidents.is_empty() {
        return;
    }
    let now_ms = app.now_ms();
    for id in &incidents {
        app.feed.upsert(None, *id, &app.sla, now_ms);
        app.tasks_of.remove(id);
        app.optimistic.remove(id);
        app.marks.remove(id);
    }
    let gone: std::collections::HashSet<&uuid::Uuid> = tasks.iter().collect();
    app.open_tasks.retain(|(_, id)| !gone.contains(id));
    navigate::keep_selection(app);
}

fn key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
        return vec![Effect::Quit];
    }
    if view::too_small(app.size) {
        return match app.keymap.command(&k) {
            Some(Cmd::Quit) => navigate::quit(app),
            _ => Vec::new(),
        };
    }
    if let Some(overlay) = app.overlay.take() {
        return super::dialog_keys::overlay_key(app, overlay, &k);
    }
    let cmd = app.keymap.command(&k);
    match (&app.screen, cmd) {
        (Screen::Help { scroll } | Screen::Messages { scroll }, Some(c))
            if matches!(c, Cmd::Down | Cmd::Up | Cmd::PageDown | Cmd::PageUp) =>
        {
            let s = scrolled(*scroll, c);
            match &mut app.screen {
                Screen::Help { scroll } | Screen::Messages { scroll } => *scroll = s,
                _ => {}
            }
            Vec::new()
        }
        (
            Screen::Help { .. } | Screen::Messages { .. },
            Some(Cmd::Back | Cmd::Quit | Cmd::Help | Cmd::Messages),
        ) => {
            app.screen = Screen::Main;
            Vec::new()
        }
        (Screen::Help { .. } | Screen::Messages { .. }, _) => Vec::new(),
        (Screen::Outbox { selected }, Some(c)) => {
            let selected = *selected;
            let last = app.outbox.len().saturating_sub(1);
            match c {
                Cmd::Down => {
                    app.screen = Screen::Outbox {
                        selected: (selected + 1).min(last),
                    }
                }
                Cmd::Up => {
                    app.screen = Screen::Outbox {
                        selected: selected.saturating_sub(1),
                    }
                }
                Cmd::Reapply => return pending::ask_reapply(app, selected),
                Cmd::Discard => return pending::ask_discard(app, selected),
                Cmd::Back | Cmd::Quit | Cmd::Outbox => app.screen = Screen::Main,
                _ => {}
            }
            Vec::new()
        }
        (Screen::Detail { id, scroll }, Some(c))
            if matches!(c, Cmd::Down | Cmd::Up | Cmd::PageDown | Cmd::PageUp) =>
        {
            app.screen = Screen::Detail {
                id: *id,
                scroll: scrolled(*scroll, c),
            };
            Vec::new()
        }
        (_, Some(c)) => command(app, c),
        (_, None) => Vec::new(),
    }
}

fn scrolled(scroll: u16, c: Cmd) -> u16 {
    match c {
        Cmd::Down => scroll.saturating_add(1),
        Cmd::Up => scroll.saturating_sub(1),
        Cmd::PageDown => scroll.saturating_add(10),
        _ => scroll.saturating_sub(10),
    }
}

fn command(app: &mut App, c: Cmd) -> Vec<Effect> {
    let page = navigate::feed_height(app) as isize;
    match c {
        Cmd::Down => navigate::move_in_pane(app, 1),
        Cmd::Up => navigate::move_in_pane(app, -1),
        Cmd::PageDown => navigate::move_in_pane(app, page),
        Cmd::PageUp => navigate::move_in_pane(app, -page),
        Cmd::Top => navigate::feed_edge(app, false),
        Cmd::Bottom => navigate::feed_edge(app, true),
        Cmd::NextPane => navigate::cycle_pane(app, true),
        Cmd::PrevPane => navigate::cycle_pane(app, false),
        Cmd::Open => return navigate::open(app),
        Cmd::Back => navigate::back(app),
        Cmd::Ack => return triage::ack(app),
        Cmd::SevCritical => return triage::severity(app, Severity::Critical),
        Cmd::SevHigh => return triage::severity(app, Severity::High),
        Cmd::SevMedium => return triage::severity(app, Severity::Medium),
        Cmd::SevLow => return triage::severity(app, Severity::Low),
        Cmd::Status => return triage::status_menu(app),
        Cmd::Lead => return triage::lead_menu(app),
        Cmd::Note => return triage::note_input(app),
        Cmd::Task => return triage::task_form(app),
        Cmd::NewIncident => return triage::incident_form(app),
        Cmd::Dismiss => return triage::dismiss_menu(app),
        Cmd::Duplicate => return triage::duplicate_input(app),
        Cmd::Handover => return triage::handover(app, None),
        Cmd::Mark => navigate::toggle_mark(app),
        Cmd::Filter => {
            let current = app.feed.filter.source.clone();
            app.overlay = Some(Overlay::Input {
                purpose: InputPurpose::Filter,
                line: super::input::LineInput::with(&current),
            });
        }
        Cmd::NextUnacked => navigate::next_unacked(app, true),
        Cmd::PrevUnacked => navigate::next_unacked(app, false),
        Cmd::Palette => {
            app.overlay = Some(Overlay::Input {
                purpose: InputPurpose::Command,
                line: Default::default(),
            })
        }
        Cmd::Help => app.screen = Screen::Help { scroll: 0 },
        Cmd::Messages => app.screen = Screen::Messages { scroll: 0 },
        Cmd::Outbox => app.screen = Screen::Outbox { selected: 0 },
        Cmd::Reapply | Cmd::Discard => app.say(
            Level::Info,
            "open the outbox (o) to re-apply or discard a change",
        ),
        Cmd::Quit => return navigate::quit(app),
    }
    Vec::new()
}

fn net(app: &mut App, e: NetEvent) -> Vec<Effect> {
    match e {
        NetEvent::Me(me) => {
            app.me = Some(me);
            Vec::new()
        }
        NetEvent::Link(link) => {
            if link == Link::Live && app.link != Link::Live {
                app.say(Level::Info, "link is LIVE");
            }
            if matches!(link, Link::TokenRefused { .. })
                && !matches!(app.link, Link::TokenRefused { .. })
            {
                app.say(
                    Level::Error,
                    "token refused by the server — ask your supervisor for a new one; \
                     your queued changes are kept",
                );
            }
            app.link = link;
            Vec::new()
        }
        NetEvent::SendFailing(reason) => {
            if app.sends_failing.is_none() {
                app.say(
                    Level::Error,
                    format!(
                        "sending failed: {reason} — the change stays in the outbox and is retried"
                    ),
                );
            }
            let since = app.sends_failing.take().map_or(app.now, |(s, _)| s);
            app.sends_failing = Some((since, reason));
            Vec::new()
        }
        NetEvent::SendsLanding => {
            if app.sends_failing.take().is_some() {
                app.say(Level::Info, "changes are landing again");
            }
            Vec::new()
        }
        NetEvent::Snapshot(s) => {
            app.mirror = Mirror::from_snapshot(*s);
            rebuild(app);
            pending::refresh_all(app);
            app.synced = true;
            Vec::new()
        }
        NetEvent::Event(e) => apply_event(app, &e),
        NetEvent::Detail(d) => {
            if matches!(app.screen, Screen::Detail { id, .. } if id == d.incident.id) {
                app.detail = Some(*d);
            }
            Vec::new()
        }
        NetEvent::Queued(entry) => {
            pending::queued(app, entry);
            Vec::new()
        }
        NetEvent::Delivered(seq) => {
            pending::delivered(app, seq);
            Vec::new()
        }
        NetEvent::Discarded(seq) => {
            pending::discarded(app, seq);
            Vec::new()
        }
        NetEvent::Conflict { seq, current } => {
            pending::conflict(app, seq, current);
            Vec::new()
        }
        NetEvent::Refused {
            seq,
            status,
            reason,
        } => {
            pending::refused(app, seq, status, reason);
            Vec::new()
        }
    }
}

/// Rebuilds every derived index from the mirror (after a snapshot).
pub fn rebuild(app: &mut App) {
    app.tasks_of.clear();
    for t in app.mirror.tasks.values() {
        app.tasks_of.entry(t.incident_id).or_default().insert(t.id);
    }
    app.open_tasks = app
        .mirror
        .tasks
        .values()
        .filter_map(|t| open_task_key(t))
        .collect();
    let now = app.now_ms();
    app.feed
        .rebuild(app.mirror.incidents.values().map(|b| &**b), &app.sla, now);
    navigate::keep_selection(app);
}

/// Applies one live event: mirror first, then only the indexes it touches.
pub fn apply_event(app: &mut App, e: &crate::model::Event) -> Vec<Effect> {
    let before = (e.entity == EntityKind::Task)
        .then(|| {
            app.mirror
                .tasks
                .get(&e.entity_id)
                .map(|t| (t.incident_id, open_task_key(t)))
        })
        .flatten();
    let applied = match app.mirror.apply(e) {
        Ok(a) => a,
        Err(err) => {
            app.say(Level::Error, err.to_string());
            return vec![Effect::Resync];
        }
    };
    let mut effects = Vec::new();
    match applied {
        Applied::Incident { id, new } => {
            let selected_row = app
                .selected
                .filter(|s| *s == id)
                .and_then(|s| app.feed.key_of(&s));
            if let (Some(want), Some(i)) = (
                app.expected_versions.get(&id),
                app.mirror.incidents.get(&id),
            ) && i.version >= *want
            {
                app.expected_versions.remove(&id);
            }
            pending::refresh(app, id);
            if let Some(row) = selected_row
                && app.feed.key_of(&id).is_none()
            {
                // The selected row left the view (the filter no longer
                // matches it): the selection moves to the row now in its place.
                app.selected = app.feed.near(row);
                navigate::keep_selection(app);
            }
            if app.selected.is_none() {
                navigate::keep_selection(app);
            }
            if let Some(i) = app
                .mirror
                .incidents
                .get(&id)
                .filter(|i| new && i.status == IncidentStatus::Reported)
                .filter(|i| i.severity >= Severity::High)
            {
                let text = format!(
                    "NEW {} {} — {}",
                    super::theme::severity_label(i.severity).trim(),
                    i.reference,
                    i.title
                );
                app.toasts.push_back(Toast {
                    text,
                    until: app.now + time::Duration::seconds(app.toast_seconds),
                });
                if app.toasts.len() > 3 {
                    app.toasts.pop_front();
                }
                if app.bell {
                    effects.push(Effect::Bell);
                }
            }
            effects.extend(refresh_detail(app, id));
        }
        Applied::Task(id) => {
            // Re-indexed only when the event changed the task: a replayed one
            // (AlreadyHad) leaves every index as it was.
            if let Some((_, Some(key))) = before {
                app.open_tasks.remove(&key);
            }
            if let Some(t) = app.mirror.tasks.get(&id) {
                let now_on = t.incident_id;
                if let Some((old, _)) = before.filter(|(o, _)| *o != now_on)
                    && let Some(set) = app.tasks_of.get_mut(&old)
                {
                    set.remove(&id);
                }
                app.tasks_of.entry(now_on).or_default().insert(id);
                if let Some(key) = open_task_key(t) {
                    app.open_tasks.insert(key);
                }
                effects.extend(refresh_detail(app, now_on));
            }
        }
        Applied::Note(_) => {
            if let Ok(n) = e.entity::<Note>() {
                effects.extend(refresh_detail(app, n.incident_id));
            }
        }
        Applied::Roster | Applied::AlreadyHad => {}
    }
    effects
}

fn refresh_detail(app: &App, incident: uuid::Uuid) -> Option<Effect> {
    matches!(app.screen, Screen::Detail { id, .. } if id == incident)
        .then_some(Effect::FetchDetail(incident))
}
