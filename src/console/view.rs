//! Drawing the whole screen: the header, the panes or the open screen, the
//! key hints (or, when the link is not what LIVE claims, a banner saying so),
//! the message line, toasts where they hide nothing, and any dialog on top.
//! Drawing only reads; it never changes the state.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::action::Link;
use super::app::{App, Screen};
use super::components::{Component, header, map};
use super::context::Level;
use super::fmt::{self, fit};
use super::layout::{self, MIN_HEIGHT, MIN_WIDTH, Pane};
use super::widgets::toasts;

pub fn draw(f: &mut Frame, app: &App) {
    let ctx = &app.ctx;
    let area = f.area();
    f.render_widget(Block::default().style(ctx.theme.base), area);
    if layout::too_small((area.width, area.height)) {
        let text = format!(
            "Terminal too small: {}×{}. Tandem needs {MIN_WIDTH}×{MIN_HEIGHT}. Press q to quit.",
            area.width, area.height
        );
        f.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .style(ctx.theme.error),
            area,
        );
        return;
    }
    let areas = layout::screen(area);
    header::draw(f, ctx, areas.header);
    // Toasts take the side panes' room before the feed's, and never the selected row.
    let mut toast_room = areas.body;
    let mut keep = None;
    match &app.screen {
        Screen::Main => {
            let m = layout::main(areas.body, app.pane);
            app.feed.draw(f, m.feed, ctx, app.pane == Pane::Feed);
            if let Some(r) = m.map {
                map::pane(f, r, ctx, &app.feed.index, app.feed.visible_selection());
            }
            if let Some(r) = m.roster {
                app.roster.draw(f, r, ctx, app.pane == Pane::Roster);
            }
            if let Some(t) = m.tasks {
                app.tasks.draw(f, t, ctx, app.pane == Pane::Tasks);
            }
            // Toasts go over a pane the officer is not working in; over the
            // feed only when it is not focused, and then never over its selection.
            toast_room = match (app.pane, m.roster, m.tasks) {
                (Pane::Feed, Some(r), Some(t)) => r.union(t),
                (Pane::Feed, Some(r), None) | (Pane::Feed, None, Some(r)) => r,
                (Pane::Roster, _, Some(t)) => t,
                (Pane::Tasks, Some(r), _) => r,
                _ => m.feed,
            };
            keep = app
                .feed
                .selected_row()
                .map(|row| Rect::new(m.feed.x, m.feed.y + 2 + row as u16, m.feed.width, 1));
        }
        Screen::Detail(d) => d.draw(f, areas.body, ctx, true),
        Screen::Map(m) => {
            m.draw(f, areas.body, ctx, &app.feed.index);
            // Over the map, never over the selection's description.
            toast_room = map::areas(areas.body).map;
        }
        Screen::Page(p) => p.draw(f, areas.body, ctx, true),
    }
    let quiet = ctx.link_healthy() || (!ctx.synced && ctx.link == Link::Connecting);
    if quiet {
        hints(f, app, areas.hints);
    } else {
        banner(f, app, areas.hints);
    }
    message_line(f, app, areas.message, quiet);
    toasts::draw(f, ctx, toast_room, keep);
    if let Some(d) = &app.dialog {
        d.draw(f, area, ctx);
    }
}

fn hints(f: &mut Frame, app: &App, area: Rect) {
    let on_incidents: &[(&str, &str)] = &[
        ("ack", "ack"),
        ("sev-critical", "severity"),
        ("status", "status"),
        ("task", "task"),
        ("note", "note"),
        ("lead", "lead"),
        ("filter", "filter"),
        ("command", "cmd"),
        ("help", "help"),
        ("quit", "quit"),
    ];
    let elsewhere: &[(&str, &str)] = &[
        ("next-pane", "pane"),
        ("open", "open"),
        ("back", "back"),
        ("sort-roster", "sort"),
        ("help", "help"),
        ("quit", "quit"),
    ];
    let screens: &[(&str, &str)] = &[
        ("back", "back"),
        ("down", "scroll"),
        ("search-help", "search"),
    ];
    let on_map: &[(&str, &str)] = &[
        ("next-nearest", "nearest"),
        ("open", "open"),
        ("zoom-in", "zoom in"),
        ("zoom-out", "out"),
        ("fit", "fit"),
        ("ack", "ack"),
        ("sev-critical", "severity"),
        ("back", "back"),
        ("help", "help"),
    ];
    let shown = match (&app.screen, app.pane) {
        (Screen::Map(_), _) => on_map,
        (Screen::Main, Pane::Feed) | (Screen::Detail(_), _) => on_incidents,
        (Screen::Main, _) => elsewhere,
        _ => screens,
    };
    let keymap = &app.ctx.keymap;
    let mut spans = Vec::new();
    for (name, label) in shown {
        let Some(first) = keymap.first_key(name) else {
            continue;
        };
        let first = if *name == "sev-critical" {
            "1-4".to_string()
        } else {
            first
        };
        spans.push(Span::styled(first, app.ctx.theme.unacked));
        spans.push(Span::raw(format!(" {label}  ")));
    }
    f.render_widget(
        Paragraph::new(Line::from(spans)).style(app.ctx.theme.dim),
        area,
    );
}

/// Unmistakable while the link is not what LIVE claims: what is shown is
/// the last state received, or changes are not landing.
fn banner(f: &mut Frame, app: &App, area: Rect) {
    let ctx = &app.ctx;
    let since = ctx.last_sync.map(fmt::hhmm).unwrap_or_else(|| "—".into());
    let queued = ctx.pending();
    let text = match (&ctx.link, &ctx.sends_failing) {
        (Link::TokenRefused { .. }, _) => format!(
            " TOKEN REFUSED — ask your supervisor for a new token; {queued} change(s) kept in the outbox "
        ),
        (Link::Live, Some((_, reason))) => format!(
            " {} — {queued} change(s) kept in the outbox and retried — {reason} ",
            header::link_state(ctx)
        ),
        _ if !ctx.synced => format!(
            " {} — no state yet, waiting for the first snapshot; {queued} change(s) queued ",
            header::link_label(ctx)
        ),
        _ => format!(
            " {} — showing the state of {since}; {queued} change(s) queued, sent when the link returns ",
            header::link_label(ctx)
        ),
    };
    f.render_widget(
        Paragraph::new(fit(&text, area.width as usize)).style(ctx.theme.offline),
        area,
    );
}

/// The last message, with the link state when that is what it was about:
/// a line never says LIVE under an OFFLINE banner. A long message wraps
/// onto the hints line, but never over a banner: then it is cut, and the
/// message history (`m`) has it whole.
fn message_line(f: &mut Frame, app: &App, area: Rect, may_wrap: bool) {
    let ctx = &app.ctx;
    let Some(m) = ctx.messages.last() else { return };
    let stale = m.text == "link is LIVE" && ctx.link != Link::Live;
    if stale {
        return;
    }
    let style = match m.level {
        Level::Error => ctx.theme.error,
        Level::Info => Style::default(),
    };
    // A long message wraps onto the hints line rather than being cut.
    let text = ctx.text(&m.text);
    let width = area.width as usize;
    let fits = unicode_width::UnicodeWidthStr::width(text.as_str()) <= width;
    let (area, lines) = if fits {
        (area, vec![Line::styled(text, style)])
    } else if !may_wrap {
        (area, vec![Line::styled(fit(&text, width), style)])
    } else {
        let r = Rect::new(area.x, area.y.saturating_sub(1), area.width, 2);
        (r, vec![Line::styled(text, style)])
    };
    f.render_widget(ratatui::widgets::Clear, area);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .alignment(Alignment::Left),
        area,
    );
}
