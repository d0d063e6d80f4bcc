//! The triage acts: each builds the API call (or the menu, form or
//! confirmation that leads to one) for the target incident or the marked ones.
//! Rules the officer cannot pass are checked here with the same model code
//! the server uses, so a refusal shows at once and nothing is sent.

use time::Duration;
use uuid::Uuid;

use super::action::{ApiCall, Effect};
use super::form::{Field, Form, FormPurpose};
use super::input::LineInput;
use super::state::{App, Confirmed, InputPurpose, Level, MenuPurpose, Overlay};
use crate::api::{IncidentPatch, NewIncident, NewTask};
use crate::model::incident::check_transition;
use crate::model::{
    Act, Category, Centre, DismissReason, IncidentStatus, Location, Priority, Severity,
};

fn call(app: &mut App, c: ApiCall) -> Vec<Effect> {
    if let ApiCall::PatchIncident { id, version, .. } = &c {
        // Our own change will bump the version: a second change sent before
        // the first one's event arrives builds on it, not on a stale copy.
        app.expected_versions.insert(*id, version + 1);
    }
    app.pending += 1;
    app.say(Level::Info, format!("sending: {}", c.what()));
    vec![Effect::Call(c)]
}

/// The version a new change to `id` is based on: ours if we have one in flight.
fn base_version(app: &App, id: Uuid, seen: u64) -> u64 {
    app.expected_versions
        .get(&id)
        .copied()
        .unwrap_or(seen)
        .max(seen)
}

/// Marked incidents, or the target one.
fn targets(app: &App) -> Vec<Uuid> {
    if !app.marks.is_empty() {
        return app.marks.iter().copied().collect();
    }
    app.target().map(|i| vec![i.id]).unwrap_or_default()
}

fn no_target(app: &mut App) -> Vec<Effect> {
    app.say(Level::Error, "no incident selected");
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

pub fn task_form(app: &mut App) -> Vec<Effect> {
    let Some(i) = app.target().cloned() else {
        return no_target(app);
    };
    let agencies = app
        .agencies()
        .iter()
        .map(|a| (format!("{} — {}", a.code, a.name), a.code.clone()))
        .collect();
    let priorities = Priority::ALL
        .iter()
        .map(|p| (p.to_string(), p.to_string()))
        .collect();
    app.overlay = Some(Overlay::Form(Form {
        purpose: FormPurpose::Task,
        title: format!("Task for {} — {}", i.reference, i.title),
        fields: vec![
            Field::choice("Agency", agencies, 0),
            Field::text("Title", true),
            Field::choice("Priority", priorities, 1),
            Field::text("Due in minutes", false),
        ],
        focus: 0,
        error: None,
    }));
    Vec::new()
}

pub fn create_task(
    app: &mut App,
    id: Uuid,
    agency_code: &str,
    title: &str,
    priority: Priority,
    due_minutes: Option<i64>,
) -> Vec<Effect> {
    let Some(i) = app.incident(&id).cloned() else {
        return no_target(app);
    };
    let Some(agency) = app
        .mirror
        .agencies
        .values()
        .find(|a| a.code.eq_ignore_ascii_case(agency_code))
        .cloned()
    else {
        app.say(Level::Error, format!("no agency with code `{agency_code}`"));
        return Vec::new();
    };
    let task = NewTask {
        agency_id: agency.id,
        title: title.to_string(),
        unit_id: None,
        priority: Some(priority),
        due_at: due_minutes.map(|m| app.now + Duration::minutes(m)),
    };
    let what = format!("task for {} on {}", agency.code, i.reference);
    call(
        app,
        ApiCall::CreateTask {
            incident: id,
            task: Box::new(task),
            what,
        },
    )
}

pub fn incident_form(app: &mut App) -> Vec<Effect> {
    let categories = Category::ALL
        .iter()
        .map(|c| (c.to_string(), c.to_string()))
        .collect();
    let severities = Severity::ALL
        .iter()
        .rev()
        .map(|s| (s.to_string(), s.to_string()))
        .collect();
    let places = app
        .places
        .iter()
        .map(|p| (format!("{} ({})", p.name, p.name_ar), p.name.clone()))
        .collect();
    app.overlay = Some(Overlay::Form(Form {
        purpose: FormPurpose::Incident,
        title: "Report a new incident".into(),
        fields: vec![
            Field::text("Title", true),
            Field::choice("Category", categories, 0),
            Field::choice("Severity", severities, 2),
            Field::choice("Place", places, 0),
            Field::text("Description", false),
        ],
        focus: 0,
        error: None,
    }));
    Vec::new()
}

pub fn create_incident(app: &mut App, form: &Form) -> Vec<Effect> {
    let place = app
        .places
        .iter()
        .find(|p| p.name == form.value("Place"))
        .cloned();
    let (Ok(category), Ok(severity), Some(place)) = (
        form.value("Category").parse::<Category>(),
        form.value("Severity").parse::<Severity>(),
        place,
    ) else {
        app.say(
            Level::Error,
            "the form has a value the console does not know",
        );
        return Vec::new();
    };
    let new = NewIncident {
        title: form.value("Title"),
        category,
        severity,
        location: Location {
            lat: place.lat,
            lon: place.lon,
            sector: Some(place.name.clone()),
            crossing: None,
        },
        description: form.value("Description"),
        source: None,
        occurred_at: None,
        centre: Some(place.centre),
        lead_agency_id: None,
        supporting_agency_ids: vec![],
        tags: vec![],
    };
    let what = format!("report `{}`", new.title);
    call(
        app,
        ApiCall::CreateIncident {
            new: Box::new(new),
            what,
        },
    )
}

pub fn dismiss_menu(app: &mut App) -> Vec<Effect> {
    let Some(i) = app.target().cloned() else {
        return no_target(app);
    };
    if !i.status.is_open() {
        app.say(
            Level::Error,
            format!("{} is already {}", i.reference, i.status),
        );
        return Vec::new();
    }
    let items = DismissReason::ALL
        .iter()
        .map(|r| (r.to_string().replace('_', " "), r.to_string()))
        .collect();
    app.overlay = Some(Overlay::Menu {
        purpose: MenuPurpose::Dismiss(i.id),
        title: format!("Dismiss {} because", i.reference),
        items,
        selected: 0,
    });
    Vec::new()
}

pub fn dismiss(app: &mut App, id: Uuid, reason: DismissReason) -> Vec<Effect> {
    if reason == DismissReason::Duplicate {
        return duplicate_input_for(app, id);
    }
    let Some(i) = app.incident(&id).cloned() else {
        return no_target(app);
    };
    let patch = IncidentPatch {
        status: Some(IncidentStatus::Dismissed),
        dismiss_reason: Some(reason),
        ..Default::default()
    };
    let what = format!(
        "dismiss {} ({})",
        i.reference,
        reason.to_string().replace('_', " ")
    );
    let c = ApiCall::PatchIncident {
        id,
        version: base_version(app, id, i.version),
        patch: Box::new(patch),
        what,
    };
    confirm(
        app,
        format!(
            "Dismiss {} — {} — as {}?",
            i.reference,
            i.title,
            reason.to_string().replace('_', " ")
        ),
        "Dismiss",
        c,
    )
}

pub fn duplicate_input(app: &mut App) -> Vec<Effect> {
    let Some(id) = app.target().map(|i| i.id) else {
        return no_target(app);
    };
    duplicate_input_for(app, id)
}

fn duplicate_input_for(app: &mut App, id: Uuid) -> Vec<Effect> {
    app.overlay = Some(Overlay::Input {
        purpose: InputPurpose::Duplicate(id),
        line: LineInput::default(),
    });
    Vec::new()
}

/// Marks `id` a duplicate of the incident with `reference`: supervisors merge
/// (tasks move), others dismiss with a link.
pub fn duplicate_of(app: &mut App, id: Uuid, reference: &str) -> Vec<Effect> {
    let Some(dup) = app.incident(&id).cloned() else {
        return no_target(app);
    };
    let Some(into) = app
        .mirror
        .incidents
        .values()
        .find(|i| i.reference.eq_ignore_ascii_case(reference.trim()))
        .cloned()
    else {
        app.say(
            Level::Error,
            format!("no incident `{}` in view", reference.trim()),
        );
        return Vec::new();
    };
    if into.id == id {
        app.say(Level::Error, "an incident cannot duplicate itself");
        return Vec::new();
    }
    let merge = app.me.as_ref().is_some_and(|m| m.may(Act::Merge).is_ok());
    let what = format!("mark {} duplicate of {}", dup.reference, into.reference);
    let (c, text) = if merge {
        (
            ApiCall::Merge {
                id,
                into: into.id,
                what,
            },
            format!(
                "Merge {} into {}? {} is dismissed and its tasks move.",
                dup.reference, into.reference, dup.reference
            ),
        )
    } else {
        let patch = IncidentPatch {
            status: Some(IncidentStatus::Dismissed),
            dismiss_reason: Some(DismissReason::Duplicate),
            duplicate_of: Some(into.id),
            ..Default::default()
        };
        (
            ApiCall::PatchIncident {
                id,
                version: base_version(app, id, dup.version),
                patch: Box::new(patch),
                what,
            },
            format!(
                "Dismiss {} as a duplicate of {}?",
                dup.reference, into.reference
            ),
        )
    };
    confirm(app, text, "Mark duplicate", c)
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

fn confirm(app: &mut App, text: String, action_label: &str, c: ApiCall) -> Vec<Effect> {
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
    }
}
