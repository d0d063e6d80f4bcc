//! What several components draw with: a scrolling table with a header and a
//! scrollbar, the line editor, toasts, pane frames.

pub mod input;
pub mod table;
pub mod toasts;
pub mod wrap;

use ratatui::text::Span;
use ratatui::widgets::{Block, Borders};

use super::theme::Theme;

/// A pane frame; the focused one stands out in colour and in its title marker.
pub fn pane_block<'a>(theme: &Theme, title: String, focused: bool) -> Block<'a> {
    let style = if focused {
        theme.border_focus
    } else {
        theme.border
    };
    let marker = if focused { "▸ " } else { "" };
    Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(Span::styled(format!("{marker}{title}"), style))
}
