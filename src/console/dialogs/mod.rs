//! Dialogs over the screen: line prompts (filter, command, note, duplicate,
//! search), pickers, typed forms and confirmations. A dialog handles its own
//! keys and finishes with a [`Step`]: usually a [`Cmd`] for the app to run on
//! the incident the dialog was opened for, never a value read back by label.

pub mod choice;
pub mod forms;
pub mod line;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;
use uuid::Uuid;

use super::action::ApiCall;
use super::command::Cmd;
use super::context::Context;
use super::fmt::pad;
use choice::{Choice, Chose};
pub use forms::{IncidentForm, TaskForm};
pub use line::{LineDialog, Purpose};

/// What a confirmed dialog does.
#[derive(Debug, Clone, PartialEq)]
pub enum Confirmed {
    /// Send these changes (one, or a bulk change).
    Calls(Vec<ApiCall>),
    Quit,
    /// Replace a conflicted outbox entry with this change on the current version.
    Reapply {
        seq: i64,
        call: ApiCall,
    },
    /// Drop an outbox entry for good.
    Discard(i64),
    /// End the officer's shift with this handover note.
    EndShift(String),
}

/// How a key left a dialog.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Still open.
    Stay,
    /// Closed with nothing to do.
    Close,
    /// Closed: run `cmd` on `target` (the incident the dialog was for).
    Run {
        cmd: Cmd,
        target: Option<Uuid>,
    },
    /// Closed: queue this change (a form's).
    Call(ApiCall),
    Confirmed(Confirmed),
    /// The filter as typed so far; `done` when the dialog closed.
    Filter {
        text: String,
        done: bool,
    },
    /// A `:` line to run; on a refusal the dialog stays with the text.
    Command(String),
    /// Search the open screen for this text.
    Search(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    Line(LineDialog),
    Picker(Picker),
    Task(TaskForm),
    Incident(IncidentForm),
    Confirm(Confirm),
}

impl Dialog {
    pub fn key(&mut self, k: &KeyEvent, ctx: &Context) -> Step {
        match self {
            Dialog::Line(d) => d.key(k, ctx),
            Dialog::Picker(d) => d.key(k),
            Dialog::Task(d) => d.key(k, ctx),
            Dialog::Incident(d) => d.key(k, ctx),
            Dialog::Confirm(d) => d.key(k),
        }
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context) {
        match self {
            Dialog::Line(d) => d.draw(f, area, ctx),
            Dialog::Picker(d) => d.draw(f, area, ctx),
            Dialog::Task(d) => d.draw(f, area, ctx),
            Dialog::Incident(d) => d.draw(f, area, ctx),
            Dialog::Confirm(d) => d.draw(f, area, ctx),
        }
    }

    pub fn confirm(text: String, action: &str, then: Confirmed) -> Dialog {
        Dialog::Confirm(Confirm {
            text,
            action: action.to_string(),
            then,
            yes: false,
        })
    }
}

pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

pub fn frame<'a>(ctx: &Context, title: &str) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(ctx.theme.border_focus)
        .title(Span::styled(
            format!(" {} ", ctx.text(title)),
            ctx.theme.border_focus,
        ))
        .style(ctx.theme.base)
}

/// A list to pick one of, with type-ahead. Each option is the command it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub title: String,
    pub choice: Choice<Cmd>,
    pub target: Option<Uuid>,
}

impl Picker {
    pub fn new(title: String, options: Vec<(String, Cmd)>, target: Option<Uuid>) -> Picker {
        Picker {
            title,
            choice: Choice::new(options),
            target,
        }
    }

    fn key(&mut self, k: &KeyEvent) -> Step {
        match k.code {
            KeyCode::Esc => Step::Close,
            KeyCode::Enter => match self.choice.value() {
                Some(cmd) => Step::Run {
                    cmd: cmd.clone(),
                    target: self.target,
                },
                None => Step::Stay,
            },
            _ => {
                let _: Chose = self.choice.key(k, false);
                Step::Stay
            }
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context) {
        let shown = self.choice.shown();
        let widest = shown.iter().map(|(l, _)| l.width()).max().unwrap_or(10);
        let w = (widest.max(self.title.width()) as u16 + 6).min(area.width.saturating_sub(4));
        let h = (shown.len() as u16 + 3)
            .min(area.height.saturating_sub(4))
            .max(4);
        let r = centered(area, w, h);
        f.render_widget(Clear, r);
        let block = frame(ctx, &self.title);
        let inner = block.inner(r);
        f.render_widget(block, r);
        let typed = if self.choice.typed().is_empty() {
            "type to narrow · ↑↓ move · Enter pick · Esc cancel".to_string()
        } else {
            format!("› {}", self.choice.typed())
        };
        let mut lines = vec![Line::styled(typed, ctx.theme.dim)];
        let rows = inner.height.saturating_sub(1) as usize;
        let sel = self.choice.selected_index();
        let skip = super::widgets::table::offset_for(sel, rows);
        for (n, (label, _)) in shown.iter().enumerate().skip(skip).take(rows) {
            let (marker, style) = if n == sel {
                ("▶ ", ctx.theme.selected)
            } else {
                ("  ", Style::default())
            };
            let text = format!("{marker}{}", ctx.text(label));
            lines.push(Line::styled(pad(&text, inner.width as usize), style));
        }
        if shown.is_empty() {
            lines.push(Line::styled("  nothing matches", ctx.theme.dim));
        }
        f.render_widget(Paragraph::new(lines), inner);
    }
}

/// Destructive actions ask first, with Cancel selected.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub text: String,
    pub action: String,
    pub then: Confirmed,
    pub yes: bool,
}

impl Confirm {
    fn key(&mut self, k: &KeyEvent) -> Step {
        match k.code {
            KeyCode::Left
            | KeyCode::Right
            | KeyCode::Tab
            | KeyCode::BackTab
            | KeyCode::Char('h')
            | KeyCode::Char('l') => {
                self.yes = !self.yes;
                Step::Stay
            }
            KeyCode::Enter if self.yes => Step::Confirmed(self.then.clone()),
            KeyCode::Enter | KeyCode::Esc | KeyCode::Char('n') => Step::Close,
            _ => Step::Stay,
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context) {
        let r = centered(area, 72.min(area.width.saturating_sub(2)), 8);
        f.render_widget(Clear, r);
        let block = frame(ctx, "Confirm");
        let inner = block.inner(r);
        f.render_widget(block, r);
        let (cancel, yes) = if self.yes {
            (Style::default(), ctx.theme.selected)
        } else {
            (ctx.theme.selected, Style::default())
        };
        let lines = vec![
            Line::raw(ctx.text(&self.text)),
            Line::raw(""),
            Line::from(vec![
                Span::styled(
                    if self.yes {
                        "  [ Cancel ] "
                    } else {
                        "▶ [ Cancel ] "
                    },
                    cancel,
                ),
                Span::raw("  "),
                Span::styled(
                    if self.yes {
                        format!("▶ [ {} ] ", self.action)
                    } else {
                        format!("  [ {} ] ", self.action)
                    },
                    yes,
                ),
                Span::styled("  ←/→ choose, Enter", ctx.theme.dim),
            ]),
        ];
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
    }
}
