//! Dialogs over the main screen, the help and message screens, and toasts.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::text::{fit, pad};
use crate::console::form::FieldKind;
use crate::console::state::{App, InputPurpose, Level, Overlay};

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn dialog<'a>(app: &App, title: &str) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.border_focus)
        .title(Span::styled(format!(" {title} "), app.theme.border_focus))
        .style(app.theme.base)
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let Some(overlay) = &app.overlay else { return };
    match overlay {
        Overlay::Input { purpose, line } => {
            let (title, prompt) = match purpose {
                InputPurpose::Filter => (
                    "Filter — text, sev>=high, status:…, cat:…, centre:…, agency:…, overdue"
                        .to_string(),
                    "/",
                ),
                InputPurpose::Command => (
                    "Command — Tab completes, Enter runs, Esc cancels".to_string(),
                    ":",
                ),
                InputPurpose::Note(id) => (
                    format!(
                        "Note on {}",
                        app.incident(id)
                            .map(|i| i.reference.as_str())
                            .unwrap_or("?")
                    ),
                    "> ",
                ),
                InputPurpose::Duplicate(id) => (
                    format!(
                        "{} duplicates which incident? (reference)",
                        app.incident(id)
                            .map(|i| i.reference.as_str())
                            .unwrap_or("?")
                    ),
                    "> ",
                ),
            };
            let r = Rect::new(area.x, area.bottom().saturating_sub(5), area.width, 3);
            f.render_widget(Clear, r);
            let block = dialog(app, &title);
            let inner = block.inner(r);
            f.render_widget(block, r);
            let room = (inner.width as usize).saturating_sub(prompt.width() + 1);
            // Keep the cursor in view on long lines by showing the tail.
            let cursor = line.cursor_column() as usize;
            let shift = cursor.saturating_sub(room);
            let shown: String = skip_columns(line.text(), shift);
            f.render_widget(
                Paragraph::new(format!("{prompt}{}", fit(&shown, room))),
                inner,
            );
            let x =
                inner.x + (prompt.width() + cursor - shift).min(inner.width as usize - 1) as u16;
            f.set_cursor_position(Position::new(x, inner.y));
        }
        Overlay::Menu {
            title,
            items,
            selected,
            ..
        } => {
            let h = (items.len() as u16 + 2).min(area.height.saturating_sub(4));
            let w = (items
                .iter()
                .map(|(l, _)| l.width())
                .max()
                .unwrap_or(10)
                .max(title.width()) as u16
                + 6)
            .min(area.width - 4);
            let r = centered(area, w, h);
            f.render_widget(Clear, r);
            let block = dialog(app, title);
            let inner = block.inner(r);
            f.render_widget(block, r);
            let skip = selected.saturating_sub(inner.height.saturating_sub(1) as usize);
            let lines: Vec<Line> = items
                .iter()
                .enumerate()
                .skip(skip)
                .take(inner.height as usize)
                .map(|(n, (label, _))| {
                    let style = if n == *selected {
                        app.theme.selected
                    } else {
                        Style::default()
                    };
                    Line::styled(pad(&format!(" {label}"), inner.width as usize), style)
                })
                .collect();
            f.render_widget(Paragraph::new(lines), inner);
        }
        Overlay::Form(form) => {
            let h = form.fields.len() as u16 * 2 + 4;
            let r = centered(area, 76.min(area.width - 2), h);
            f.render_widget(Clear, r);
            let block = dialog(app, &form.title);
            let inner = block.inner(r);
            f.render_widget(block, r);
            let mut lines = Vec::new();
            for (n, field) in form.fields.iter().enumerate() {
                let focus = n == form.focus;
                let label = format!("{}{}", field.label, if field.required { " *" } else { "" });
                let style = if focus {
                    app.theme.selected
                } else {
                    Style::default()
                };
                lines.push(Line::from(vec![
                    Span::styled(
                        pad(&label, 16),
                        if focus {
                            app.theme.border_focus
                        } else {
                            app.theme.dim
                        },
                    ),
                    Span::styled(
                        pad(&field.shown(), (inner.width as usize).saturating_sub(17)),
                        style,
                    ),
                ]));
                lines.push(Line::raw(""));
                if focus && let FieldKind::Text(l) = &field.kind {
                    let x = inner.x + 16 + l.cursor_column().min(inner.width.saturating_sub(17));
                    f.set_cursor_position(Position::new(x, inner.y + n as u16 * 2));
                }
            }
            let footer = form
                .error
                .clone()
                .unwrap_or_else(|| "Tab/↑↓ field · ←/→ choose · Enter submit · Esc cancel".into());
            lines.push(Line::styled(
                footer,
                if form.error.is_some() {
                    app.theme.error
                } else {
                    app.theme.dim
                },
            ));
            f.render_widget(Paragraph::new(lines), inner);
        }
        Overlay::Confirm {
            text,
            action_label,
            yes,
            ..
        } => {
            let r = centered(area, 70.min(area.width - 2), 7);
            f.render_widget(Clear, r);
            let block = dialog(app, "Confirm");
            let inner = block.inner(r);
            f.render_widget(block, r);
            let cancel_style = if *yes {
                Style::default()
            } else {
                app.theme.selected
            };
            let yes_style = if *yes {
                app.theme.selected
            } else {
                Style::default()
            };
            let lines = vec![
                Line::raw(text.clone()),
                Line::raw(""),
                Line::from(vec![
                    Span::styled(" [ Cancel ] ", cancel_style),
                    Span::raw("   "),
                    Span::styled(format!(" [ {action_label} ] "), yes_style),
                    Span::styled("   ←/→ choose, Enter", app.theme.dim),
                ]),
            ];
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
        }
    }
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

pub fn help(f: &mut Frame, app: &App, scroll: u16, area: Rect) {
    let block = super::pane_block(
        app,
        "Help — keys (from the live keymap) · Esc back".into(),
        true,
    );
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut lines: Vec<Line> = app
        .keymap
        .help_lines()
        .into_iter()
        .map(|(keys, help)| {
            Line::from(vec![
                Span::styled(pad(&keys, 16), app.theme.unacked),
                Span::raw(help),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled("Commands (:)", app.theme.unacked));
    for (_, _, usage) in crate::console::palette::COMMANDS {
        lines.push(Line::raw(format!("  :{usage}")));
    }
    lines.push(Line::raw(""));
    lines.push(Line::raw("Ctrl-C always quits. Rows marked OVERDUE waited past the triage SLA; NEW rows are unacknowledged."));
    f.render_widget(Paragraph::new(lines).scroll((scroll, 0)), inner);
}

pub fn messages(f: &mut Frame, app: &App, scroll: u16, area: Rect) {
    let block = super::pane_block(
        app,
        format!("Messages ({}) · Esc back", app.messages.len()),
        true,
    );
    let inner = block.inner(area);
    f.render_widget(block, area);
    let lines: Vec<Line> = app
        .messages
        .iter()
        .rev()
        .map(|m| {
            let style = if m.level == Level::Error {
                app.theme.error
            } else {
                Style::default()
            };
            Line::styled(format!("{}  {}", super::header::hhmm(m.at), m.text), style)
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        inner,
    );
}

pub fn toasts(f: &mut Frame, app: &App, body: Rect) {
    for (n, t) in app.toasts.iter().enumerate() {
        let w = (t.text.width() as u16 + 4)
            .min(body.width.saturating_sub(2))
            .min(70);
        let r = Rect::new(
            body.right().saturating_sub(w + 1),
            body.y + 1 + n as u16 * 3,
            w,
            3,
        );
        if r.bottom() > body.bottom() {
            break;
        }
        f.render_widget(Clear, r);
        let block = Block::default()
            .borders(Borders::ALL)
            .style(app.theme.toast);
        let inner = block.inner(r);
        f.render_widget(block, r);
        f.render_widget(
            Paragraph::new(fit(&t.text, inner.width as usize)).style(app.theme.toast),
            inner,
        );
    }
}

pub fn outbox(f: &mut Frame, app: &App, selected: usize, area: Rect) {
    let keys = format!(
        "{} re-apply on current · {} discard · Esc back",
        app.keymap
            .first_key(crate::console::keymap::Cmd::Reapply)
            .unwrap_or_default(),
        app.keymap
            .first_key(crate::console::keymap::Cmd::Discard)
            .unwrap_or_default()
    );
    let title = format!(
        "Outbox — {} pending, {} to review · {keys}",
        app.pending(),
        app.troubles()
    );
    let block = super::pane_block(app, title, true);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if app.outbox.is_empty() {
        f.render_widget(
            Paragraph::new("nothing waiting: every change was delivered").style(app.theme.dim),
            inner,
        );
        return;
    }
    let mut lines = Vec::new();
    for (n, e) in app.outbox.iter().enumerate() {
        let (head, detail) = crate::console::pending::describe(app, e);
        let mut style = match e.state {
            crate::client::outbox::EntryState::Pending => Style::default(),
            _ => app.theme.error,
        };
        if n == selected {
            style = style.patch(app.theme.selected);
        }
        lines.push(Line::styled(pad(&head, inner.width as usize), style));
        if let Some(d) = detail {
            lines.push(Line::raw(format!("    {d}")));
        }
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
