//! The shift screen: who is on duty and who is connected at each centre,
//! the officer's own shift and its clock, and the last handover of their
//! centre with its acknowledgement. `:shift start`, `:shift end` (the
//! handover dialog) and `:ack-handover` act from here as from anywhere.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::{Component, Go, Outcome};
use crate::api::Shift;
use crate::console::command::{Cmd, Verb};
use crate::console::context::Context;
use crate::console::fmt;
use crate::console::keymap::Layer;
use crate::console::widgets::pane_block;
use crate::model::Centre;

#[derive(Debug, Default)]
pub struct ShiftScreen;

impl Component for ShiftScreen {
    fn layer(&self) -> Layer {
        Layer::Global
    }

    fn command(&mut self, cmd: &Cmd, _: &mut Context) -> Option<Outcome> {
        match cmd.verb {
            Verb::Back => Outcome::go(Go::Main),
            Verb::Shift if cmd.arg == crate::console::command::Arg::None => Outcome::go(Go::Main),
            _ => None,
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context, _: bool) {
        let block = pane_block(
            &ctx.theme,
            "Shift — :shift start · :shift end (handover) · :ack-handover · Esc back".into(),
            true,
        );
        let inner = block.inner(area);
        f.render_widget(block, area);
        f.render_widget(Paragraph::new(lines(ctx)).wrap(Wrap { trim: false }), inner);
    }
}

fn heading() -> Style {
    Style::default().add_modifier(Modifier::BOLD)
}

/// `3h 12m`.
fn span(minutes: i64) -> String {
    format!("{}h {:02}m", minutes.max(0) / 60, minutes.max(0) % 60)
}

fn lines(ctx: &Context) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let me = ctx.me.as_ref();
    let mine = me.and_then(|m| ctx.on_duty.iter().find(|s| s.officer_id == m.id));
    out.push(Line::styled("Your shift", heading()));
    out.push(Line::raw(match mine {
        Some(s) => {
            let on = (ctx.now - s.started_at).whole_minutes();
            let late = if ctx.now > s.end_due_at {
                " — END OVERDUE: end it with :shift end"
            } else {
                ""
            };
            format!(
                "  on duty at {} as {} since {} ({}); due to end by {}{late}",
                s.centre,
                s.post.as_str().replace('_', " "),
                fmt::hhmm(s.started_at),
                span(on),
                fmt::hhmm(s.end_due_at)
            )
        }
        None => "  not on shift — :shift start".into(),
    }));
    out.push(Line::raw(""));
    out.push(Line::styled("On duty and connected", heading()));
    for c in Centre::ALL {
        let here: Vec<&Shift> = ctx.on_duty.iter().filter(|s| s.centre == *c).collect();
        if here.is_empty() {
            out.push(Line::raw(format!("  {c}  nobody on shift")));
        }
        for (n, s) in here.iter().enumerate() {
            let connected = ctx.connected.iter().any(|p| p.officer_id == s.officer_id);
            let dot = if connected {
                "● connected"
            } else {
                "○ not connected"
            };
            let centre = if n == 0 { c.as_str() } else { "   " };
            out.push(Line::raw(format!(
                "  {centre}  {} ({}) since {}  {dot}",
                ctx.text(&s.officer_name),
                s.post.as_str().replace('_', " "),
                fmt::hhmm(s.started_at)
            )));
        }
        let off_shift: Vec<String> = ctx
            .connected
            .iter()
            .filter(|p| p.centre == *c && !here.iter().any(|s| s.officer_id == p.officer_id))
            .map(|p| ctx.text(&p.name))
            .collect();
        if !off_shift.is_empty() {
            out.push(Line::styled(
                format!("       connected, not on shift: {}", off_shift.join(", ")),
                ctx.theme.dim,
            ));
        }
    }
    out.push(Line::raw(""));
    let centre = me.map(|m| m.centre);
    out.push(Line::styled(
        format!(
            "Last handover{}",
            centre.map(|c| format!(" at {c}")).unwrap_or_default()
        ),
        heading(),
    ));
    let last = ctx
        .handovers
        .iter()
        .find(|s| Some(s.centre) == centre && s.ended_at.is_some());
    match last {
        None => out.push(Line::raw("  none in the last shifts")),
        Some(s) => {
            let ended = s.ended_at.map(fmt::hhmm).unwrap_or_default();
            let taken = match (s.acknowledged_by, s.acknowledged_at) {
                (Some(by), Some(at)) => format!(
                    "acknowledged by {} at {}",
                    ctx.officer_name(&by.to_string()),
                    fmt::hhmm(at)
                ),
                _ if me.is_some_and(|m| m.id == s.officer_id) => {
                    "handover not yet acknowledged".into()
                }
                _ => "not yet acknowledged — :ack-handover".into(),
            };
            out.push(Line::raw(format!(
                "  {} handed over at {ended} — {taken}",
                ctx.text(&s.officer_name)
            )));
            out.push(Line::raw(format!("  {}", s.handover_line())));
        }
    }
    out
}
