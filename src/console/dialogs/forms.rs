//! Typed forms: each field is a value of its own type (an agency, a priority,
//! minutes, text), checked when the form is sent, with the reason shown on
//! the field that is wrong. Nothing is read back by label.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use time::Duration;
use uuid::Uuid;

use super::choice::{Choice, Chose};
use super::{Step, centered, frame};
use crate::api::{NewIncident, NewTask};
use crate::console::action::ApiCall;
use crate::console::context::Context;
use crate::console::fmt::{self, pad};
use crate::console::widgets::input::{Edit, LineInput};
use crate::model::{Category, Incident, Location, Priority, Severity};
use crate::reference::Place;

/// Longest a due time may be ahead, in minutes (a year, as the server allows).
const DUE_MAX_MINUTES: i64 = 525_600;

fn text_key(line: &mut LineInput, k: &KeyEvent) -> bool {
    line.handle(k) == Edit::Changed
}

/// Keys common to forms: Tab/↓ next field, Shift-Tab/↑ previous, Esc cancels.
fn move_focus(focus: &mut usize, n: usize, k: &KeyEvent) -> Option<Step> {
    match k.code {
        KeyCode::Esc => Some(Step::Close),
        KeyCode::Tab | KeyCode::Down => {
            *focus = (*focus + 1) % n;
            Some(Step::Stay)
        }
        KeyCode::BackTab | KeyCode::Up => {
            *focus = (*focus + n - 1) % n;
            Some(Step::Stay)
        }
        _ => None,
    }
}

/// Draws labelled rows, the focused one highlighted, and the footer (an
/// error when there is one).
fn draw_rows(
    f: &mut Frame,
    area: Rect,
    ctx: &Context,
    title: &str,
    rows: Vec<(&str, String, Option<u16>)>,
    focus: usize,
    error: &Option<(usize, String)>,
) {
    let h = rows.len() as u16 * 2 + 4;
    let r = centered(area, 78.min(area.width.saturating_sub(2)), h);
    f.render_widget(Clear, r);
    let block = frame(ctx, title);
    let inner = block.inner(r);
    f.render_widget(block, r);
    let value_w = (inner.width as usize).saturating_sub(17);
    let mut lines = Vec::new();
    for (n, (label, value, cursor)) in rows.into_iter().enumerate() {
        let focused = n == focus;
        let wrong = error.as_ref().is_some_and(|(i, _)| *i == n);
        let label_style = if wrong {
            ctx.theme.error
        } else if focused {
            ctx.theme.border_focus
        } else {
            ctx.theme.dim
        };
        let marker = if focused { "▶ " } else { "  " };
        lines.push(Line::from(vec![
            Span::styled(pad(&format!("{marker}{label}"), 16), label_style),
            Span::styled(
                pad(&ctx.text(&value), value_w),
                if focused {
                    ctx.theme.selected
                } else {
                    Style::default()
                },
            ),
        ]));
        lines.push(Line::raw(""));
        if let (true, Some(c)) = (focused, cursor) {
            let x = inner.x + 17 + c.min(value_w as u16);
            f.set_cursor_position(Position::new(x, inner.y + n as u16 * 2));
        }
    }
    let (footer, style) = match error {
        Some((_, e)) => (e.clone(), ctx.theme.error),
        None => (
            "Tab/↑↓ field · type to narrow a choice, ←/→ move in it · Enter send · Esc cancel"
                .to_string(),
            ctx.theme.dim,
        ),
    };
    lines.push(Line::styled(footer, style));
    f.render_widget(Paragraph::new(lines), inner);
}

fn choice_text<T: Clone>(c: &Choice<T>) -> String {
    match (c.label(), c.typed()) {
        (Some(l), "") => format!("◀ {l} ▶"),
        (Some(l), t) => format!("◀ {l} ▶  › {t}"),
        (None, t) => format!("nothing matches `{t}`"),
    }
}

/// A task for an agency on one incident; the agency starts at the incident's lead.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskForm {
    pub incident: Uuid,
    reference: String,
    agency: Choice<(Uuid, String)>,
    title: LineInput,
    priority: Choice<Priority>,
    due_minutes: LineInput,
    focus: usize,
    error: Option<(usize, String)>,
}

impl TaskForm {
    pub fn new(ctx: &Context, incident: &Incident) -> TaskForm {
        let agencies = ctx
            .agencies()
            .iter()
            .map(|a| (format!("{} — {}", a.code, a.name), (a.id, a.code.clone())))
            .collect();
        let lead = incident.lead_agency_id;
        TaskForm {
            incident: incident.id,
            reference: incident.reference.clone(),
            agency: Choice::new(agencies).select(|(id, _)| Some(*id) == lead),
            title: LineInput::default(),
            priority: Choice::new(
                Priority::ALL
                    .iter()
                    .map(|p| (fmt::priority(*p).to_string(), *p))
                    .collect(),
            )
            .select(|p| *p == Priority::Normal),
            due_minutes: LineInput::default(),
            focus: 1,
            error: None,
        }
    }

    pub(super) fn key(&mut self, k: &KeyEvent, ctx: &Context) -> Step {
        if let Some(step) = move_focus(&mut self.focus, 4, k) {
            return step;
        }
        if k.code == KeyCode::Enter {
            return self.send(ctx);
        }
        let changed = match self.focus {
            0 => self.agency.key(k, true) == Chose::Changed,
            1 => text_key(&mut self.title, k),
            2 => self.priority.key(k, true) == Chose::Changed,
            _ => text_key(&mut self.due_minutes, k),
        };
        if changed {
            self.error = None;
        }
        Step::Stay
    }

    fn send(&mut self, ctx: &Context) -> Step {
        let Some((agency_id, code)) = self.agency.value().cloned() else {
            self.error = Some((
                0,
                "choose an agency: no agency matches what was typed".into(),
            ));
            return Step::Stay;
        };
        let title = self.title.text().trim().to_string();
        if title.is_empty() {
            self.error = Some((1, "a task needs a title".into()));
            return Step::Stay;
        }
        let due = self.due_minutes.text().trim();
        let due_at = if due.is_empty() {
            None
        } else {
            match due.parse::<i64>() {
                Ok(m) if (1..=DUE_MAX_MINUTES).contains(&m) => Some(ctx.now + Duration::minutes(m)),
                _ => {
                    self.error = Some((
                        3,
                        format!(
                            "due in minutes: a whole number from 1 to {DUE_MAX_MINUTES}, or empty"
                        ),
                    ));
                    return Step::Stay;
                }
            }
        };
        let task = NewTask {
            tlp: Default::default(),
            shared_with: Vec::new(),
            agency_id,
            title,
            unit_id: None,
            priority: self.priority.value().copied(),
            due_at,
        };
        Step::Call(ApiCall::CreateTask {
            incident: self.incident,
            task: Box::new(task),
            what: format!("task for {code} on {}", self.reference),
        })
    }

    pub(super) fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context) {
        let rows = vec![
            ("Agency", choice_text(&self.agency), None),
            (
                "Title *",
                self.title.text().to_string(),
                Some(self.title.cursor_column()),
            ),
            ("Priority", choice_text(&self.priority), None),
            (
                "Due in minutes",
                self.due_minutes.text().to_string(),
                Some(self.due_minutes.cursor_column()),
            ),
        ];
        let title = format!("Task for {}", self.reference);
        draw_rows(f, area, ctx, &title, rows, self.focus, &self.error);
    }
}

/// A new incident, placed at one of the known sectors and crossings.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentForm {
    title: LineInput,
    category: Choice<Category>,
    severity: Choice<Severity>,
    place: Choice<Place>,
    description: LineInput,
    focus: usize,
    error: Option<(usize, String)>,
}

impl IncidentForm {
    pub fn new(ctx: &Context) -> IncidentForm {
        IncidentForm {
            title: LineInput::default(),
            category: Choice::new(
                Category::ALL
                    .iter()
                    .map(|c| (fmt::category(*c).to_string(), *c))
                    .collect(),
            ),
            severity: Choice::new(
                Severity::ALL
                    .iter()
                    .rev()
                    .map(|s| (fmt::severity(*s).to_string(), *s))
                    .collect(),
            )
            .select(|s| *s == Severity::Medium),
            place: Choice::new(
                ctx.places
                    .iter()
                    .map(|p| (format!("{} ({})", p.name, p.name_ar), p.clone()))
                    .collect(),
            ),
            description: LineInput::default(),
            focus: 0,
            error: None,
        }
    }

    pub(super) fn key(&mut self, k: &KeyEvent, _: &Context) -> Step {
        if let Some(step) = move_focus(&mut self.focus, 5, k) {
            return step;
        }
        if k.code == KeyCode::Enter {
            return self.send();
        }
        let changed = match self.focus {
            0 => text_key(&mut self.title, k),
            1 => self.category.key(k, true) == Chose::Changed,
            2 => self.severity.key(k, true) == Chose::Changed,
            3 => self.place.key(k, true) == Chose::Changed,
            _ => text_key(&mut self.description, k),
        };
        if changed {
            self.error = None;
        }
        Step::Stay
    }

    fn send(&mut self) -> Step {
        let title = self.title.text().trim().to_string();
        if title.is_empty() {
            self.error = Some((0, "a report needs a title".into()));
            return Step::Stay;
        }
        let (Some(category), Some(severity)) = (self.category.value(), self.severity.value())
        else {
            self.error = Some((1, "choose a category and a severity".into()));
            return Step::Stay;
        };
        let Some(place) = self.place.value() else {
            self.error = Some((3, "choose a place: none matches what was typed".into()));
            return Step::Stay;
        };
        let new = NewIncident {
            tlp: Default::default(),
            shared_with: Vec::new(),
            title,
            category: *category,
            severity: *severity,
            location: Location {
                lat: place.lat,
                lon: place.lon,
                sector: Some(place.name.clone()),
                crossing: None,
            },
            description: self.description.text().trim().to_string(),
            source: None,
            occurred_at: None,
            centre: Some(place.centre),
            lead_agency_id: None,
            supporting_agency_ids: vec![],
            tags: vec![],
        };
        let what = format!("report `{}`", new.title);
        Step::Call(ApiCall::CreateIncident {
            new: Box::new(new),
            what,
        })
    }

    pub(super) fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context) {
        let rows = vec![
            (
                "Title *",
                self.title.text().to_string(),
                Some(self.title.cursor_column()),
            ),
            ("Category", choice_text(&self.category), None),
            ("Severity", choice_text(&self.severity), None),
            ("Place", choice_text(&self.place), None),
            (
                "Description",
                self.description.text().to_string(),
                Some(self.description.cursor_column()),
            ),
        ];
        draw_rows(
            f,
            area,
            ctx,
            "Report a new incident",
            rows,
            self.focus,
            &self.error,
        );
    }
}
