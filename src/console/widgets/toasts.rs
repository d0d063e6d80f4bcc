//! Toasts for new high and critical incidents, placed where they hide
//! nothing the officer is working on: never over the selected row, and over
//! the side panes before the feed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::console::context::Context;
use crate::console::fmt::fit;

/// Draws the toasts in `room` (a rectangle the caller chose to give up),
/// stacked from its top, stepping over `keep` (the selected row); those
/// that do not fit wait in the message history.
pub fn draw(f: &mut Frame, ctx: &Context, room: Rect, keep: Option<Rect>) {
    let mut y = room.y;
    for t in &ctx.toasts {
        let text = ctx.text(&t.text);
        let w = (unicode_width::UnicodeWidthStr::width(text.as_str()) as u16 + 4).min(room.width);
        let mut r = Rect::new(room.right().saturating_sub(w), y, w, 3);
        if let Some(k) = keep.filter(|k| k.intersects(r)) {
            r.y = k.bottom();
        }
        if r.bottom() > room.bottom() {
            break;
        }
        f.render_widget(Clear, r);
        let block = Block::default()
            .borders(Borders::ALL)
            .style(ctx.theme.toast);
        let inner = block.inner(r);
        f.render_widget(block, r);
        f.render_widget(
            Paragraph::new(fit(&text, inner.width as usize)).style(ctx.theme.toast),
            inner,
        );
        y = r.bottom();
    }
}
