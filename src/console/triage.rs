//! The triage commands: each builds the change (or the picker, form or
//! confirmation that leads to one) for the incidents it acts on. Rules the
//! officer cannot pass are checked here with the same model code the server
//! uses, so a refusal shows at once and nothing is sent.

use uuid::Uuid;

use super::action::{ApiCall, Effect};
use super::command::{Arg, Cmd, Verb};
use super::components::Outcome;
use super::context::{Context, Level};
use super::dialogs::{Confirmed, Dialog, IncidentForm, LineDialog, Picker, Purpose, TaskForm};
use super::fmt;
use crate::api::{IncidentPatch, NewTask};
use crate::model::incident::OpenTasks;
use crate::model::lifecycle::check_transition;
use crate::model::{Act, DismissReason, Incident, IncidentStatus, Priority};

/// Sends changes: each goes to the outbox, and the version our change will
/// give the incident is remembered, so a second change sent before the
/// first one's event arrives builds on it.
pub fn send(ctx: &mut Context, calls: Vec<ApiCall>) -> Vec<Effect> {
    calls
        .into_iter()
        .map(|c| {
            if let ApiCall::PatchIncident { id, version, .. } = &c {
                ctx.expected_versions.insert(*id, version + 1);
            }
            Effect::Call(c)
        })
        .collect()
}

/// The version a new change to `id` is based on: ours if we have one in flight.
fn base_version(ctx: &Context, id: Uuid, seen: u64) -> u64 {
    ctx.expected_versions
        .get(&id)
        .copied()
        .unwrap_or(seen)
        .max(seen)
}

fn patch_call(ctx: &Context, i: &Incident, patch: IncidentPatch, what: String) -> ApiCall {
    ApiCall::PatchIncident {
        id: i.id,
        version: base_version(ctx, i.id, i.version),
        patch: Box::new(patch),
        what,
    }
}

fn sent(ctx: &mut Context, calls: Vec<ApiCall>) -> Option<Outcome> {
    Some(Outcome {
        effects: send(ctx, calls),
        ..Outcome::default()
    })
}

fn nothing(ctx: &mut Context) -> Option<Outcome> {
    ctx.say(Level::Error, "nothing selected");
    Outcome::none()
}

/// Several incidents at once are confirmed first, naming them all.
fn bulk(ctx: &mut Context, verb: &str, calls: Vec<ApiCall>, refs: Vec<String>) -> Option<Outcome> {
    match calls.len() {
        0 => Outcome::none(),
        1 => sent(ctx, calls),
        n => Outcome::dialog(Dialog::confirm(
            format!("{verb} {n} incidents: {}?", refs.join(", ")),
            &format!("{verb} {n}"),
            Confirmed::Calls(calls),
        )),
    }
}

/// Carries out a triage command on `targets` (the marked rows, the selected
/// one, or the incident in detail); `None` for any other command.
pub fn run(ctx: &mut Context, cmd: &Cmd, targets: &[Uuid]) -> Option<Outcome> {
    let first = targets.first().and_then(|id| ctx.incident(id)).cloned();
    match (cmd.verb, &cmd.arg) {
        (Verb::New, _) => return Outcome::dialog(Dialog::Incident(IncidentForm::new(ctx))),
        (Verb::Ack, _) => return ack(ctx, targets),
        (Verb::Severity, Arg::Severity(s)) => {
            let mut calls = Vec::new();
            let mut refs = Vec::new();
            for id in targets {
                let Some(i) = ctx.incident(id).cloned() else {
                    continue;
                };
                if i.severity == *s {
                    continue;
                }
                let patch = IncidentPatch {
                    severity: Some(*s),
                    ..Default::default()
                };
                let what = format!("set {} severity {}", i.reference, fmt::severity(*s));
                calls.push(patch_call(ctx, &i, patch, what));
                refs.push(i.reference);
            }
            if targets.is_empty() {
                return nothing(ctx);
            }
            if calls.is_empty() {
                ctx.say(Level::Info, format!("already {}", fmt::severity(*s)));
            }
            return bulk(ctx, "Set severity of", calls, refs);
        }
        _ => {}
    }
    let is_triage = matches!(
        cmd.verb,
        Verb::Status
            | Verb::Tlp
            | Verb::Lead
            | Verb::Note
            | Verb::Task
            | Verb::Dismiss
            | Verb::Duplicate
            | Verb::Handover
            | Verb::AcceptHandover
            | Verb::DeclineHandover
    );
    if !is_triage {
        return None;
    }
    let Some(i) = first else {
        return nothing(ctx);
    };
    match (cmd.verb, &cmd.arg) {
        (Verb::Status, Arg::Status(IncidentStatus::Dismissed)) => {
            ctx.say(Level::Error, "use :dismiss REASON to dismiss");
            Outcome::none()
        }
        (Verb::Status, Arg::Status(to)) => status(ctx, &i, *to),
        (Verb::Status, _) => {
            let options: Vec<(String, Cmd)> = allowed_statuses(ctx, i.status)
                .into_iter()
                .map(|s| {
                    (
                        fmt::status(s).to_string(),
                        Cmd::with(Verb::Status, Arg::Status(s)),
                    )
                })
                .collect();
            if options.is_empty() {
                ctx.say(
                    Level::Error,
                    format!(
                        "{} is {}: no status move is open to you",
                        i.reference,
                        fmt::status(i.status)
                    ),
                );
                return Outcome::none();
            }
            Outcome::dialog(Dialog::Picker(Picker::new(
                format!("Status of {} (now {})", i.reference, fmt::status(i.status)),
                options,
                Some(i.id),
            )))
        }
        (Verb::Lead, Arg::Agency(code)) => {
            let Some(agency) = ctx.agency_by_code(code).cloned() else {
                ctx.say(
                    Level::Error,
                    format!("no agency with code `{}`", fmt::fit(code, 20)),
                );
                return Outcome::none();
            };
            let patch = IncidentPatch {
                lead_agency_id: Some(agency.id),
                ..Default::default()
            };
            let what = format!("set lead of {} to {}", i.reference, agency.code);
            let call = patch_call(ctx, &i, patch, what);
            sent(ctx, vec![call])
        }
        (Verb::Lead, _) => {
            let options = ctx
                .agencies()
                .iter()
                .map(|a| {
                    (
                        format!("{} — {}", a.code, a.name),
                        Cmd::with(Verb::Lead, Arg::Agency(a.code.clone())),
                    )
                })
                .collect();
            Outcome::dialog(Dialog::Picker(Picker::new(
                format!("Lead agency for {}", i.reference),
                options,
                Some(i.id),
            )))
        }
        (Verb::Note, Arg::Text(text)) if !text.trim().is_empty() => {
            let call = ApiCall::Note {
                incident: i.id,
                text: text.clone(),
                what: format!("note on {}", i.reference),
            };
            sent(ctx, vec![call])
        }
        (Verb::Note, Arg::Text(_)) => {
            ctx.say(Level::Error, "an empty note is not sent");
            Outcome::none()
        }
        (Verb::Note, _) => Outcome::dialog(Dialog::Line(LineDialog::new(Purpose::Note(i.id), ""))),
        (Verb::Task, Arg::Task { agency, title }) => {
            let Some(a) = ctx.agency_by_code(agency).cloned() else {
                ctx.say(
                    Level::Error,
                    format!("no agency with code `{}`", fmt::fit(agency, 20)),
                );
                return Outcome::none();
            };
            let task = NewTask {
                tlp: Default::default(),
                shared_with: Vec::new(),
                agency_id: a.id,
                title: title.clone(),
                unit_id: None,
                priority: Some(Priority::Normal),
                due_at: None,
            };
            let call = ApiCall::CreateTask {
                incident: i.id,
                task: Box::new(task),
                what: format!("task for {} on {}", a.code, i.reference),
            };
            sent(ctx, vec![call])
        }
        (Verb::Task, _) => Outcome::dialog(Dialog::Task(TaskForm::new(ctx, &i))),
        (Verb::Dismiss, Arg::Reason(DismissReason::Duplicate, Some(reference))) => {
            duplicate_of(ctx, &i, reference)
        }
        (Verb::Dismiss, Arg::Reason(DismissReason::Duplicate, None)) => {
            Outcome::dialog(Dialog::Line(LineDialog::new(Purpose::Duplicate(i.id), "")))
        }
        (Verb::Dismiss, Arg::Reason(reason, _)) => dismiss(ctx, &i, *reason),
        (Verb::Dismiss, _) => {
            if !i.status.is_open() {
                ctx.say(
                    Level::Error,
                    format!("{} is already {}", i.reference, fmt::status(i.status)),
                );
                return Outcome::none();
            }
            let options = DismissReason::ALL
                .iter()
                .map(|r| {
                    (
                        fmt::reason(*r).to_string(),
                        Cmd::with(Verb::Dismiss, Arg::Reason(*r, None)),
                    )
                })
                .collect();
            Outcome::dialog(Dialog::Picker(Picker::new(
                format!("Dismiss {} because", i.reference),
                options,
                Some(i.id),
            )))
        }
        (Verb::Duplicate, Arg::Reference(r)) if !r.trim().is_empty() => duplicate_of(ctx, &i, r),
        (Verb::Duplicate, _) => {
            Outcome::dialog(Dialog::Line(LineDialog::new(Purpose::Duplicate(i.id), "")))
        }
        (Verb::Handover | Verb::AcceptHandover | Verb::DeclineHandover, arg) => {
            super::handover::run(ctx, &i, cmd.verb, arg)
        }
        (Verb::Tlp, Arg::Marking { tlp, agencies }) => {
            let (tlp, agencies) = (*tlp, agencies.clone());
            super::marking::run(ctx, &i, tlp, &agencies).map(|patch| {
                let what = format!("mark {} {}", i.reference, tlp.label());
                let call = patch_call(ctx, &i, patch, what);
                sent(ctx, vec![call])
            })?
        }
        _ => Outcome::none(),
    }
}

fn ack(ctx: &mut Context, targets: &[Uuid]) -> Option<Outcome> {
    if targets.is_empty() {
        return nothing(ctx);
    }
    let mut calls = Vec::new();
    let mut refs = Vec::new();
    for id in targets {
        let Some(i) = ctx.incident(id).cloned() else {
            continue;
        };
        if i.status != IncidentStatus::Reported {
            ctx.say(
                Level::Info,
                format!("{} is already {}", i.reference, fmt::status(i.status)),
            );
            continue;
        }
        let patch = IncidentPatch {
            status: Some(IncidentStatus::Acknowledged),
            ..Default::default()
        };
        let what = format!("acknowledge {}", i.reference);
        calls.push(patch_call(ctx, &i, patch, what));
        refs.push(i.reference);
    }
    bulk(ctx, "Acknowledge", calls, refs)
}

/// Statuses this officer may move the incident to (dismissal has its own key).
pub fn allowed_statuses(ctx: &Context, from: IncidentStatus) -> Vec<IncidentStatus> {
    let Some(me) = &ctx.me else { return Vec::new() };
    IncidentStatus::ALL
        .iter()
        .copied()
        .filter(|to| *to != IncidentStatus::Dismissed && check_transition(from, *to, me).is_ok())
        .collect()
}

fn status(ctx: &mut Context, i: &Incident, to: IncidentStatus) -> Option<Outcome> {
    if let Some(me) = &ctx.me
        && let Err(e) = check_transition(i.status, to, me)
    {
        ctx.say(Level::Error, format!("{}: {e}", i.reference));
        return Outcome::none();
    }
    let ending = to == IncidentStatus::Closed;
    let (open_tasks, also) = open_tasks(ctx, i, ending);
    let patch = IncidentPatch {
        status: Some(to),
        open_tasks,
        ..Default::default()
    };
    let call = patch_call(
        ctx,
        i,
        patch,
        format!("move {} to {}", i.reference, fmt::status(to)),
    );
    if ending {
        return Outcome::dialog(Dialog::confirm(
            format!("Close {} — {}?{also}", i.reference, i.title),
            "Close",
            Confirmed::Calls(vec![call]),
        ));
    }
    sent(ctx, vec![call])
}

/// When an incident ends with tasks still open, the confirmation names them
/// and the change cancels them with it (the server refuses otherwise).
fn open_tasks(ctx: &Context, i: &Incident, ending: bool) -> (Option<OpenTasks>, String) {
    if !ending {
        return (None, String::new());
    }
    let open: Vec<String> = ctx
        .tasks_of
        .get(&i.id)
        .into_iter()
        .flatten()
        .filter_map(|t| ctx.mirror.tasks.get(t))
        .filter(|t| t.status.is_open())
        .map(|t| format!("{} {}", ctx.agency_code(Some(t.agency_id)), t.title))
        .collect();
    if open.is_empty() {
        return (None, String::new());
    }
    (
        Some(OpenTasks::Cancel),
        format!(
            " Its {} open task(s) are cancelled with it: {}.",
            open.len(),
            open.join("; ")
        ),
    )
}

fn dismiss(ctx: &mut Context, i: &Incident, reason: DismissReason) -> Option<Outcome> {
    let (open_tasks, also) = open_tasks(ctx, i, true);
    let patch = IncidentPatch {
        status: Some(IncidentStatus::Dismissed),
        dismiss_reason: Some(reason),
        open_tasks,
        ..Default::default()
    };
    let label = fmt::reason(reason);
    let call = patch_call(ctx, i, patch, format!("dismiss {} ({label})", i.reference));
    Outcome::dialog(Dialog::confirm(
        format!("Dismiss {} — {} — as {label}?{also}", i.reference, i.title),
        "Dismiss",
        Confirmed::Calls(vec![call]),
    ))
}

/// Marks `dup` a duplicate of the incident with `reference`: supervisors
/// merge (tasks move), others dismiss with a link.
fn duplicate_of(ctx: &mut Context, dup: &Incident, reference: &str) -> Option<Outcome> {
    let Some(into) = ctx
        .mirror
        .incidents
        .values()
        .find(|i| i.reference.eq_ignore_ascii_case(reference.trim()))
        .map(|b| (**b).clone())
    else {
        ctx.say(
            Level::Error,
            format!("no incident `{}` in view", fmt::fit(reference.trim(), 20)),
        );
        return Outcome::none();
    };
    if into.id == dup.id {
        ctx.say(Level::Error, "an incident cannot duplicate itself");
        return Outcome::none();
    }
    let merge = ctx.me.as_ref().is_some_and(|m| m.may(Act::Merge).is_ok());
    let what = format!("mark {} duplicate of {}", dup.reference, into.reference);
    let (call, text) = if merge {
        (
            ApiCall::Merge {
                id: dup.id,
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
            patch_call(ctx, dup, patch, what),
            format!(
                "Dismiss {} as a duplicate of {}?",
                dup.reference, into.reference
            ),
        )
    };
    Outcome::dialog(Dialog::confirm(
        text,
        "Mark duplicate",
        Confirmed::Calls(vec![call]),
    ))
}
