//! The message history: what happened, newest first, one line each.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::scroll::Scroller;
use super::{Component, Go, Outcome};
use crate::console::command::{Cmd, Verb};
use crate::console::context::{Context, Level};
use crate::console::fmt;
use crate::console::keymap::Layer;
use crate::console::widgets::pane_block;

#[derive(Debug, Default)]
pub struct MessagesScreen {
    scroller: Scroller,
}

fn lines(ctx: &Context) -> Vec<Line<'static>> {
    ctx.messages
        .iter()
        .rev()
        .map(|m| {
            let style = match m.level {
                Level::Error => ctx.theme.error,
                Level::Info => Default::default(),
            };
            Line::styled(
                format!("{}  {}", fmt::when(m.at, ctx.now), ctx.text(&m.text)),
                style,
            )
        })
        .collect()
}

impl Component for MessagesScreen {
    fn layer(&self) -> Layer {
        Layer::Messages
    }

    fn command(&mut self, cmd: &Cmd, ctx: &mut Context) -> Option<Outcome> {
        if matches!(cmd.verb, Verb::Back | Verb::Messages) {
            return Outcome::go(Go::Main);
        }
        let lines = lines(ctx);
        self.scroller.command(cmd, ctx, lines)
    }

    fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context, _: bool) {
        let block = pane_block(
            &ctx.theme,
            format!("Messages ({}) · Esc back · / search", ctx.messages.len()),
            true,
        );
        let inner = block.inner(area);
        f.render_widget(block, area);
        self.scroller.draw(f, inner, ctx, lines(ctx));
    }
}
