//! Drawing. Views only read the state; they never change it.

mod detail;
mod feed;
mod header;
pub mod layout;
mod overlay;
mod roster;
mod tasks;
pub mod text;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::state::{App, Level, Pane, Screen};
use layout::{MIN_HEIGHT, MIN_WIDTH};

/// `HH:MMZ`, for other modules' lines.
pub fn header_clock_hhmm(t: time::OffsetDateTime) -> String {
    header::hhmm(t)
}

pub fn too_small(size: (u16, u16)) -> bool {
    size.0 < MIN_WIDTH || size.1 < MIN_HEIGHT
}

pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    f.render_widget(Block::default().style(app.theme.base), area);
    if too_small((area.width, area.height)) {
        let text = format!(
            "Terminal too small: {}×{}. Tandem needs {MIN_WIDTH}×{MIN_HEIGHT}. Press q to quit.",
            area.width, area.height
        );
        f.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .style(app.theme.error),
            area,
        );
        return;
    }
    let areas = layout::screen(area);
    header::draw(f, app, areas.header);
    match &app.screen {
        Screen::Main => {
            let m = layout::main(areas.body, app.pane);
            feed::draw(f, app, m.feed);
            if let Some(r) = m.roster {
                roster::draw(f, app, r);
            }
            if let Some(t) = m.tasks {
                tasks::draw(f, app, t);
            }
        }
        Screen::Detail { id, scroll } => detail::draw(f, app, *id, *scroll, areas.body),
        Screen::Help { scroll } => overlay::help(f, app, *scroll, areas.body),
        Screen::Messages { scroll } => overlay::messages(f, app, *scroll, areas.body),
        Screen::Outbox { selected } => overlay::outbox(f, app, *selected, areas.body),
    }
    if app.link_healthy() || (!app.synced && app.link == super::action::Link::Connecting) {
        hints(f, app, areas.hints);
    } else {
        offline_banner(f, app, areas.hints);
    }
    message_line(f, app, areas.message);
    overlay::toasts(f, app, areas.body);
    overlay::draw(f, app, area);
}

/// A pane frame; the focused one stands out in colour and in its title marker.
pub fn pane_block<'a>(app: &App, title: String, focused: bool) -> Block<'a> {
    let style = if focused {
        app.theme.border_focus
    } else {
        app.theme.border
    };
    let marker = if focused { "▸ " } else { "" };
    Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(Span::styled(format!("{marker}{title}"), style))
}

fn hints(f: &mut Frame, app: &App, area: Rect) {
    use super::keymap::Cmd::*;
    let cmds: &[(super::keymap::Cmd, &str)] = match (&app.screen, app.pane) {
        (Screen::Main, Pane::Feed) | (Screen::Detail { .. }, _) => &[
            (Ack, "ack"),
            (SevCritical, "severity"),
            (Status, "status"),
            (Task, "task"),
            (Note, "note"),
            (Lead, "lead"),
            (Filter, "filter"),
            (Palette, "cmd"),
            (Help, "help"),
            (Quit, "quit"),
        ],
        (Screen::Main, _) => &[
            (NextPane, "pane"),
            (Open, "open"),
            (Back, "back"),
            (Help, "help"),
            (Quit, "quit"),
        ],
        _ => &[(Back, "back"), (Down, "scroll")],
    };
    let mut spans = Vec::new();
    for (cmd, label) in cmds {
        let Some(first) = app.keymap.first_key(*cmd) else {
            continue;
        };
        let first = if *cmd == SevCritical {
            "1-4".to_string()
        } else {
            first
        };
        spans.push(Span::styled(first, app.theme.unacked));
        spans.push(Span::raw(format!(" {label}  ")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)).style(app.theme.dim), area);
}

/// Unmistakable while the link is down: the state shown is the last one received.
fn offline_banner(f: &mut Frame, app: &App, area: Rect) {
    let since = app
        .last_sync
        .map(header::hhmm)
        .unwrap_or_else(|| "—".into());
    let queued = app.pending();
    let text = match (&app.link, &app.sends_failing) {
        (super::action::Link::TokenRefused { .. }, _) => format!(
            " TOKEN REFUSED — ask your supervisor for a new token; {queued} change(s) kept in the outbox "
        ),
        (super::action::Link::Live, Some((_, reason))) => format!(
            " {} — {queued} change(s) kept in the outbox and retried — {reason} ",
            header::link_state(app)
        ),
        _ if !app.synced => format!(
            " {} — no state yet, waiting for the first snapshot; {queued} change(s) queued ",
            header::link_label(app)
        ),
        _ => format!(
            " {} — showing the state of {since}; {queued} change(s) queued, sent when the link returns ",
            header::link_label(app)
        ),
    };
    f.render_widget(
        Paragraph::new(text::fit(&text, area.width as usize)).style(app.theme.offline),
        area,
    );
}

fn message_line(f: &mut Frame, app: &App, area: Rect) {
    let Some(m) = app.messages.last() else { return };
    let style = match m.level {
        Level::Error => app.theme.error,
        Level::Info => Style::default(),
    };
    let text = text::fit(&m.text, area.width as usize);
    f.render_widget(
        Paragraph::new(text).style(style).alignment(Alignment::Left),
        area,
    );
}
