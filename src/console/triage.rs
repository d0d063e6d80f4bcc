//! The triage acts: each builds the API call (or the menu, form or
//! confirmation that leads to one) for the target incident or the marked ones.
//! Rules the officer cannot pass are checked here with the same model code
//! the server uses, so a refusal shows at once and nothing is sent.

use uuid::Uuid;

use super::action::{ApiCall, Effect};
use super::input::LineInput;
use super::state::{App, Confirmed, InputPurpose, Level, MenuPurpose, Overlay};
pub use super::triage_forms::*;
use crate::api::IncidentPatch;
use crate::model::incident::check_transition;
use crate::model::{Act, Centre, IncidentStatus, Severity};

pub(super) fn call(app: &mut App, c: ApiCall) -> Vec<Effect> {
    if let ApiCall::PatchIncident { id, version, .. } = &c {
        // Our own change will bump the version: a second change sent before
        // the first one's event arrives builds on it, not on a stale copy.
        app.expected_versions.insert(*id, version + 1);
    }
    app.say(Level::Info, format!("sending: {}", c.what()));
    vec![Effect::Call(c)]
}

/// The version a new change to `id` is based on: ours if we have one in flight.
pub(super) fn base_version(app: &App, id: Uuid, seen: u64) -> u64 {
    app.expected_versions
        .get(&id)
        .copied()
        .unwrap_or(seen)
        .max(seen)
}

/// Marked incidents, or the target one.
fn targets(app: &App) -> Vec<Uuid> {
    if !app.marks.is_empty() {
        // Only marked rows still on screen.
        return app
            .marks
            .iter()
            .copied()
            .filter(|id| app.feed.key_of(id).is_some())
            .collect();
    }
    app.target().map(|i| vec![i.id]).unwrap_or_default()
}

pub(super) fn no_target(app: &mut App) -> Vec<Effect> {
    app.say(Level::Error, "nothing selected");
    Vec::new()
}

pub fn ack(app: &mut App) -> Vec<Effect> {
    let ids = targets(app);
    if ids.is_empty() {
        return no_target(app);
    }
    let mut out = Vec::new();
    for id in ids {
        let Some(i) = app.incident(&id).cloned() else {
            continue;
        };
        if i.status != IncidentStatus::Reported {
            app.say(
                Level::Info,
                format!("{} is already {}", i.reference, i.status),
            );
            continue;
        }
        let patch = IncidentPatch {
            status: Some(IncidentStatus::Acknowledged),
            ..Default::default()
        };
        let what = format!("acknowledge {}", i.reference);
        out.extend(call(
            app,
            ApiCall::PatchIncident {
                id,
                version: base_version(app, id, i.version),
                patch: Box::new(patch),
                what,
            },
        ));
    }
    app.marks.clear();
    out
}

pub fn severity(app: &mut App, s: Severity) -> Vec<Effect> {
    let ids = targets(app);
    if ids.is_empty() {
        return no_target(app);
    }
    let mut out = Vec::new();
    for id in ids {
        let Some(i) = app.incident(&id).cloned() else {
            continue;
        };
        if i.severity == s {
            continue;
        }
        let patch = IncidentPatch {
            severity: Some(s),
            ..Default::default()
        };
        let what = format!("set {} severity {s}", i.reference);
        out.extend(call(
            app,
            ApiCall::PatchIncident {
                id,
                version: base_version(app, id, i.version),
                patch: Box::new(patch),
                what,
            },
        ));
    }
    app.marks.clear();
    out
}

/// Statuses this officer may move the incident to (dismissal has its own key).
pub fn allowed_statuses(app: &App, from: IncidentStatus) -> Vec<IncidentStatus> {
    let Some(me) = &app.me else { return Vec::new() };
    IncidentStatus::ALL
        .iter()
        .copied()
        .filter(|to| *to != IncidentStatus::Dismissed && check_transition(from, *to, me).is_ok())
        .collect()
}

pub fn status_menu(app: &mut App) -> Vec<Effect> {
    let Some(i) = app.target().cloned() else {
        return no_target(app);
    };
    let items: Vec<(String, String)> = allowed_statuses(app, i.status)
        .into_iter()
        .map(|s| (s.to_string(), s.to_string()))
        .collect();
    if items.is_empty() {
        app.say(
            Level::Error,
            format!(
                "{} is {}: no status move is open to you",
                i.reference, i.status
            ),
        );
        return Vec::new();
    }
    app.overlay = Some(Overlay::Menu {
        purpose: MenuPurpose::Status(i.id),
        title: format!("Status of {} (now {})", i.reference, i.status),
        items,
        selected: 0,
    });
    Vec::new()
}

pub fn set_status(app: &mut App, id: Uuid, to: IncidentStatus) -> Vec<Effect> {
    let Some(i) = app.incident(&id).cloned() else {
        return no_target(app);
    };
    if let Some(me) = &app.me
        && let Err(e) = check_transition(i.status, to, me)
    {
        app.say(Level::Error, format!("{}: {e}", i.reference));
        return Vec::new();
    }
    let patch = IncidentPatch {
        status: Some(to),
        ..Default::default()
    };
    let what = format!("move {} to {to}", i.reference);
    let c = ApiCall::PatchIncident {
        id,
        version: base_version(app, id, i.version),
        patch: Box::new(patch),
        what,
    };
    if to == IncidentStatus::Closed {
        return confirm(
            app,
            format!("Close {} — {}?", i.reference, i.title),
            "Close",
            c,
        );
    }
    call(app, c)
}

pub fn lead_menu(app: &mut App) -> Vec<Effect> {
    let Some(i) = app.target().cloned() else {
        return no_target(app);
    };
    let items = app
        .agencies()
        .iter()
        .map(|a| (format!("{:<10} {}", a.code, a.name), a.code.clone()))
        .collect();
    app.overlay = Some(Overlay::Menu {
        purpose: MenuPurpose::Lead(i.id),
        title: format!("Lead agency for {}", i.reference),
        items,
        selected: 0,
    });
    Vec::new()
}

pub fn set_lead(app: &mut App, id: Uuid, code: &str) -> Vec<Effect> {
    let Some(i) = app.incident(&id).cloned() else {
        return no_target(app);
    };
    let Some(agency) = app
        .mirror
        .agencies
        .values()
        .find(|a| a.code.eq_ignore_ascii_case(code))
        .cloned()
    else {
        app.say(Level::Error, format!("no agency with code `{code}`"));
        return Vec::new();
    };
    let patch = IncidentPatch {
        lead_agency_id: Some(agency.id),
        ..Default::default()
    };
    let what = format!("set lead of {} to {}", i.reference, agency.code);
    call(
        app,
        ApiCall::PatchIncident {
            id,
            version: base_version(app, id, i.version),
            patch: Box::new(patch),
            what,
        },
    )
}

pub fn note_input(app: &mut App) -> Vec<Effect> {
    let Some(i) = app.target().cloned() else {
        return no_target(app);
    };
    app.overlay = Some(Overlay::Input {
        purpose: InputPurpose::Note(i.id),
        line: LineInput::default(),
    });
    Vec::new()
}

pub fn add_note(app: &mut App, id: Uuid, text: &str) -> Vec<Effect> {
    if text.trim().is_empty() {
        app.say(Level::Error, "an empty note is not sent");
        return Vec::new();
    }
    let reference = app
        .incident(&id)
        .map(|i| i.reference.clone())
        .unwrap_or_default();
    call(
        app,
        ApiCall::Note {
            incident: id,
            text: text.to_string(),
            what: format!("note on {reference}"),
        },
    )
}

pub fn handover(app: &mut App, to: Option<Centre>) -> Vec<Effect> {
    let Some(i) = app.target().cloned() else {
        return no_target(app);
    };
    if let Some(me) = &app.me
        && let Err(e) = me.may(Act::Handover)
    {
        app.say(Level::Error, format!("{e}; ask a supervisor"));
        return Vec::new();
    }
    let to = to.unwrap_or(i.centre.other());
    if to == i.centre {
        app.say(
            Level::Error,
            format!("{} is already owned by {to}", i.reference),
        );
        return Vec::new();
    }
    let patch = IncidentPatch {
        centre: Some(to),
        ..Default::default()
    };
    let what = format!("hand {} over to {to}", i.reference);
    let c = ApiCall::PatchIncident {
        id: i.id,
        version: base_version(app, i.id, i.version),
        patch: Box::new(patch),
        what,
    };
    confirm(
        app,
        format!(
            "Hand {} — {} — over to {} ({})?",
            i.reference,
            i.title,
            to,
            to.name()
        ),
        "Hand over",
        c,
    )
}

pub(super) fn confirm(app: &mut App, text: String, action_label: &str, c: ApiCall) -> Vec<Effect> {
    app.overlay = Some(Overlay::Confirm {
        text,
        action_label: action_label.into(),
        then: Confirmed::Call(c),
        yes: false,
    });
    Vec::new()
}

pub fn confirmed(app: &mut App, then: Confirmed) -> Vec<Effect> {
    match then {
        Confirmed::Call(c) => call(app, c),
        Confirmed::Quit => vec![Effect::Quit],
        other => super::pending::confirmed(app, other),
    }
}
