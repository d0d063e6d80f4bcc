//! One-line prompts: the filter (applied live as it is typed, with the
//! number of matches), the `:` line (Tab completes; a refused line stays to
//! be corrected; Up/Down walk the history), a note, a duplicate's reference,
//! a search.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};
use unicode_width::UnicodeWidthStr;
use uuid::Uuid;

use super::{Step, frame};
use crate::console::command::{Arg, ArgKind, Cmd, Column, Verb, palette_names};
use crate::console::context::Context;
use crate::console::fmt::{self, fit};
use crate::console::widgets::input::{Edit, LineInput};
use crate::console::widgets::wrap::wrap;
use crate::model::{Centre, DismissReason, IncidentStatus, Severity};

#[derive(Debug, Clone, PartialEq)]
pub enum Purpose {
    /// The filter; `previous` comes back on Esc.
    Filter {
        previous: String,
    },
    Command,
    Note(Uuid),
    Duplicate(Uuid),
    Search,
    /// The note that ends the officer's shift; `preview` is what the
    /// handover will hold, shown under the line.
    Handover {
        preview: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct LineDialog {
    pub purpose: Purpose,
    pub line: LineInput,
    /// Shown under the line: a refusal, completions, or the match count.
    pub note: Option<(bool, String)>,
    /// Earlier command lines, oldest first, and where Up/Down are in them.
    pub history: Vec<String>,
    at: Option<usize>,
}

impl LineDialog {
    pub fn new(purpose: Purpose, text: &str) -> LineDialog {
        let note = match &purpose {
            Purpose::Handover { preview } => Some((false, preview.clone())),
            _ => None,
        };
        LineDialog {
            purpose,
            line: LineInput::with(text),
            note,
            history: Vec::new(),
            at: None,
        }
    }

    pub fn command(history: Vec<String>) -> LineDialog {
        LineDialog {
            history,
            ..LineDialog::new(Purpose::Command, "")
        }
    }

    /// Shows a refusal under the line; the text stays for correcting.
    pub fn refuse(&mut self, why: String) {
        self.note = Some((true, why));
    }

    pub fn inform(&mut self, what: String) {
        self.note = Some((false, what));
    }

    pub(super) fn key(&mut self, k: &KeyEvent, ctx: &Context) -> Step {
        if self.purpose == Purpose::Command {
            match k.code {
                KeyCode::Tab => {
                    let (completed, options) = complete(ctx, self.line.text());
                    self.line.set(&completed);
                    self.note = (options.len() > 1).then(|| (false, options.join("  ")));
                    return Step::Stay;
                }
                KeyCode::Up | KeyCode::Down if !self.history.is_empty() => {
                    let last = self.history.len() - 1;
                    self.at = match (self.at, k.code) {
                        (None, KeyCode::Up) => Some(last),
                        (Some(i), KeyCode::Up) => Some(i.saturating_sub(1)),
                        (Some(i), KeyCode::Down) if i < last => Some(i + 1),
                        _ => None,
                    };
                    let text = self.at.and_then(|i| self.history.get(i)).cloned();
                    self.line.set(&text.unwrap_or_default());
                    return Step::Stay;
                }
                _ => {}
            }
        }
        match self.line.handle(k) {
            Edit::Submit => {
                let text = self.line.text().trim().to_string();
                match &self.purpose {
                    Purpose::Filter { .. } => Step::Filter { text, done: true },
                    Purpose::Command => Step::Command(text),
                    Purpose::Note(id) => Step::Run {
                        cmd: Cmd::with(Verb::Note, Arg::Text(text)),
                        target: Some(*id),
                    },
                    Purpose::Duplicate(id) => Step::Run {
                        cmd: Cmd::with(Verb::Duplicate, Arg::Reference(text)),
                        target: Some(*id),
                    },
                    Purpose::Search => Step::Search(text),
                    // A shift may end with nothing to add: the summary says it.
                    Purpose::Handover { .. } => Step::Confirmed(super::Confirmed::EndShift(text)),
                }
            }
            Edit::Cancel => match &self.purpose {
                Purpose::Filter { previous } => Step::Filter {
                    text: previous.clone(),
                    done: true,
                },
                _ => Step::Close,
            },
            Edit::Changed => {
                let keep = matches!(self.note, Some((true, _)))
                    || matches!(self.purpose, Purpose::Handover { .. });
                if !keep || self.purpose == Purpose::Command {
                    self.note = None;
                }
                match self.purpose {
                    Purpose::Filter { .. } => Step::Filter {
                        text: self.line.text().to_string(),
                        done: false,
                    },
                    _ => Step::Stay,
                }
            }
            _ => Step::Stay,
        }
    }

    pub(super) fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context) {
        let (title, prompt) = match &self.purpose {
            Purpose::Filter { .. } => (
                "Filter — text, sev>=high (> < <= =), status:new,ack, cat:…, centre:…, agency:…, overdue · Enter keeps · Esc undoes".to_string(),
                "/",
            ),
            Purpose::Command => (
                "Command — Tab completes · ↑↓ history · Enter runs · Esc cancels".to_string(),
                ":",
            ),
            Purpose::Note(id) => (
                format!("Note on {}", reference(ctx, id)),
                "> ",
            ),
            Purpose::Duplicate(id) => (
                format!("{} duplicates which incident? (its reference)", reference(ctx, id)),
                "> ",
            ),
            Purpose::Search => ("Search this screen — Enter finds, n/N next/previous".into(), "/"),
            Purpose::Handover { .. } => (
                "End your shift — handover note for the next officer · Enter ends · Esc keeps you on".into(),
                "> ",
            ),
        };
        // A long refusal wraps rather than being cut at the screen's edge.
        let note: Vec<Line<'static>> = match &self.note {
            Some((refusal, text)) => {
                let style = if *refusal {
                    ctx.theme.error
                } else {
                    ctx.theme.dim
                };
                let room = area.width.saturating_sub(2) as usize;
                let mut lines = wrap(vec![Line::styled(text.clone(), style)], room);
                lines.truncate(4);
                lines
            }
            None => Vec::new(),
        };
        let h = 3 + note.len() as u16;
        let r = Rect::new(area.x, area.bottom().saturating_sub(h + 2), area.width, h);
        f.render_widget(Clear, r);
        let block = frame(ctx, &title);
        let inner = block.inner(r);
        f.render_widget(block, r);
        let room = (inner.width as usize).saturating_sub(prompt.width() + 1);
        // Keep the cursor in view on long lines by showing the tail.
        let cursor = self.line.cursor_column() as usize;
        let shift = cursor.saturating_sub(room);
        let shown: String = skip_columns(self.line.text(), shift);
        let mut lines = vec![Line::raw(format!("{prompt}{}", fit(&shown, room)))];
        lines.extend(note);
        f.render_widget(Paragraph::new(lines), inner);
        let x = inner.x
            + (prompt.width() + cursor - shift).min((inner.width as usize).saturating_sub(1))
                as u16;
        f.set_cursor_position(Position::new(x, inner.y));
    }
}

fn reference(ctx: &Context, id: &Uuid) -> String {
    ctx.incident(id)
        .map(|i| i.reference.clone())
        .unwrap_or_else(|| "?".into())
}

fn skip_columns(s: &str, columns: usize) -> String {
    let mut used = 0;
    s.chars()
        .skip_while(|c| {
            let w = unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
            if used < columns {
                used += w;
                true
            } else {
                false
            }
        })
        .collect()
}

/// What the argument of a command may be, for completion.
fn candidates(ctx: &Context, arg: ArgKind) -> Vec<String> {
    let labels = |all: Vec<&'static str>| all.into_iter().map(String::from).collect();
    match arg {
        ArgKind::Severity => labels(Severity::ALL.iter().map(|s| fmt::severity(*s)).collect()),
        ArgKind::Status => labels(
            IncidentStatus::ALL
                .iter()
                .map(|s| fmt::status(*s))
                .collect(),
        ),
        ArgKind::Agency | ArgKind::Task => ctx.agencies().iter().map(|a| a.code.clone()).collect(),
        ArgKind::Reason => DismissReason::ALL
            .iter()
            .map(|r| fmt::reason(*r).replace(' ', "_"))
            .collect(),
        ArgKind::Centre => labels(Centre::ALL.iter().map(|c| c.as_str()).collect()),
        ArgKind::Column => labels(Column::ALL.iter().map(|c| c.name()).collect()),
        ArgKind::Reference => ctx
            .mirror
            .incidents
            .values()
            .filter(|i| i.status.is_open())
            .map(|i| i.reference.clone())
            .collect(),
        ArgKind::Marking => crate::model::Tlp::ALL
            .iter()
            .map(|t| t.as_str().to_string())
            .chain(ctx.agencies().iter().map(|a| a.code.clone()))
            .collect(),
        ArgKind::None | ArgKind::Text => Vec::new(),
    }
}

/// Completes the last word of `line`; returns the new line and the options left.
pub fn complete(ctx: &Context, line: &str) -> (String, Vec<String>) {
    let (head, last) = match line.rfind(' ') {
        Some(i) => (&line[..=i], &line[i + 1..]),
        None => ("", line),
    };
    let options: Vec<String> = if head.is_empty() {
        palette_names().into_iter().map(String::from).collect()
    } else {
        let cmd = head.split_whitespace().next().unwrap_or("");
        let word_index = head.split_whitespace().count();
        match Verb::ALL.iter().find(|v| v.on_palette() && v.name() == cmd) {
            Some(v) if word_index == 1 => candidates(ctx, v.arg()),
            _ => Vec::new(),
        }
    };
    let lower = last.to_lowercase();
    let mut hits: Vec<String> = options
        .into_iter()
        .filter(|o| o.to_lowercase().starts_with(&lower))
        .collect();
    hits.sort();
    match hits.len() {
        0 => (line.to_string(), hits),
        1 => (format!("{head}{} ", hits[0]), Vec::new()),
        _ => {
            let prefix = common_prefix(&hits);
            let completed = if prefix.len() > last.len() {
                prefix
            } else {
                last.to_string()
            };
            (format!("{head}{completed}"), hits)
        }
    }
}

fn common_prefix(words: &[String]) -> String {
    let Some(first) = words.first() else {
        return String::new();
    };
    let mut n = first.len();
    for w in &words[1..] {
        n = n.min(
            first
                .bytes()
                .zip(w.bytes())
                .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
                .count(),
        );
    }
    while !first.is_char_boundary(n) {
        n -= 1;
    }
    first[..n].to_string()
}
