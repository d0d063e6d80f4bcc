//! The triage acts that open a form or end an incident: new task, new
//! incident, dismiss, mark duplicate.

use time::Duration;
use uuid::Uuid;

use super::action::{ApiCall, Effect};
use super::form::{Field, Form, FormPurpose};
use super::input::LineInput;
use super::state::{App, InputPurpose, Level, MenuPurpose, Overlay};
use super::triage::{base_version, call, confirm, no_target};
use crate::api::{IncidentPatch, NewIncident, NewTask};
use crate::model::{Act, Category, DismissReason, IncidentStatus, Location, Priority, Severity};

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
