//! Keys while a dialog is open: the line editor, menus, forms, confirmations.

use crossterm::event::{KeyCode, KeyEvent};

use super::action::Effect;
use super::form::{FormEvent, FormPurpose};
use super::input::Edit;
use super::state::{App, InputPurpose, Level, MenuPurpose, Overlay};
use super::{navigate, palette, triage};
use crate::model::Priority;

/// Keys while a dialog is open; the overlay was taken out and is put back unless closed.
pub fn overlay_key(app: &mut App, overlay: Overlay, k: &KeyEvent) -> Vec<Effect> {
    match overlay {
        Overlay::Input { purpose, mut line } => {
            if purpose == InputPurpose::Command && k.code == KeyCode::Tab {
                let (completed, options) = palette::complete(app, line.text());
                line.set(&completed);
                if options.len() > 1 {
                    app.say(Level::Info, options.join("  "));
                }
                app.overlay = Some(Overlay::Input { purpose, line });
                return Vec::new();
            }
            match line.handle(k) {
                Edit::Submit => {
                    let text = line.text().to_string();
                    match purpose {
                        InputPurpose::Filter => navigate::set_filter(app, &text),
                        InputPurpose::Command => return palette::run(app, &text),
                        InputPurpose::Note(id) => return triage::add_note(app, id, &text),
                        InputPurpose::Duplicate(id) => return triage::duplicate_of(app, id, &text),
                    }
                }
                Edit::Cancel => {}
                _ => app.overlay = Some(Overlay::Input { purpose, line }),
            }
            Vec::new()
        }
        Overlay::Menu {
            purpose,
            title,
            items,
            mut selected,
        } => {
            match k.code {
                KeyCode::Esc => return Vec::new(),
                KeyCode::Down | KeyCode::Char('j') => {
                    selected = (selected + 1).min(items.len().saturating_sub(1))
                }
                KeyCode::Up | KeyCode::Char('k') => selected = selected.saturating_sub(1),
                KeyCode::Enter => {
                    let Some((_, value)) = items.get(selected).cloned() else {
                        return Vec::new();
                    };
                    return match purpose {
                        MenuPurpose::Status(id) => match value.parse() {
                            Ok(s) => triage::set_status(app, id, s),
                            Err(_) => Vec::new(),
                        },
                        MenuPurpose::Lead(id) => triage::set_lead(app, id, &value),
                        MenuPurpose::Dismiss(id) => match value.parse() {
                            Ok(r) => triage::dismiss(app, id, r),
                            Err(_) => Vec::new(),
                        },
                    };
                }
                _ => {}
            }
            app.overlay = Some(Overlay::Menu {
                purpose,
                title,
                items,
                selected,
            });
            Vec::new()
        }
        Overlay::Form(mut form) => match form.handle(k) {
            FormEvent::Cancel => Vec::new(),
            FormEvent::None => {
                app.overlay = Some(Overlay::Form(form));
                Vec::new()
            }
            FormEvent::Submit => match form.purpose {
                FormPurpose::Incident => triage::create_incident(app, &form),
                FormPurpose::Task => {
                    let due = form.value("Due in minutes");
                    let due = if due.is_empty() {
                        None
                    } else {
                        due.parse::<i64>().ok().filter(|m| *m > 0)
                    };
                    if !form.value("Due in minutes").is_empty() && due.is_none() {
                        form.error = Some("Due in minutes must be a positive whole number".into());
                        app.overlay = Some(Overlay::Form(form));
                        return Vec::new();
                    }
                    let Some(id) = app.target().map(|i| i.id) else {
                        return Vec::new();
                    };
                    let priority = form.value("Priority").parse().unwrap_or(Priority::Normal);
                    triage::create_task(
                        app,
                        id,
                        &form.value("Agency"),
                        &form.value("Title"),
                        priority,
                        due,
                    )
                }
            },
        },
        Overlay::Confirm {
            text,
            action_label,
            then,
            mut yes,
        } => match k.code {
            KeyCode::Left
            | KeyCode::Right
            | KeyCode::Tab
            | KeyCode::BackTab
            | KeyCode::Char('h')
            | KeyCode::Char('l') => {
                yes = !yes;
                app.overlay = Some(Overlay::Confirm {
                    text,
                    action_label,
                    then,
                    yes,
                });
                Vec::new()
            }
            KeyCode::Enter if yes => triage::confirmed(app, then),
            KeyCode::Char('y') => triage::confirmed(app, then),
            KeyCode::Enter | KeyCode::Esc | KeyCode::Char('n') => {
                app.say(Level::Info, "cancelled");
                Vec::new()
            }
            _ => {
                app.overlay = Some(Overlay::Confirm {
                    text,
                    action_label,
                    then,
                    yes,
                });
                Vec::new()
            }
        },
    }
}
