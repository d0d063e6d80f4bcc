//! A list as a table: a header row naming the columns, the selected row
//! marked with `▶` (and the theme's highlight, never colour alone), and a
//! scrollbar when the rows do not fit.

use ratatui::Frame;
use ratatui::layout::{Constraint, Margin, Rect};
use ratatui::style::Style;
use ratatui::widgets::{
    HighlightSpacing, Row, Scrollbar, ScrollbarOrientation, ScrollbarState, Table, TableState,
};

use crate::console::theme::Theme;

pub const MARKER: &str = "▶ ";

/// The first row shown so that `selected` stays in a window of `height` rows.
pub fn offset_for(selected: usize, height: usize) -> usize {
    selected.saturating_sub(height.saturating_sub(1))
}

/// Draws `rows` under `header` in `area` with `selected` marked (when the
/// list has focus) and kept in view.
pub fn draw(
    f: &mut Frame,
    area: Rect,
    theme: &Theme,
    header: Row<'_>,
    rows: Vec<Row<'_>>,
    widths: Vec<Constraint>,
    selected: Option<usize>,
) {
    let len = rows.len();
    let body = area.height.saturating_sub(1) as usize;
    let mut state = TableState::default();
    if let Some(sel) = selected.filter(|_| len > 0) {
        let sel = sel.min(len - 1);
        state = state
            .with_selected(Some(sel))
            .with_offset(offset_for(sel, body));
    }
    let table = Table::new(rows, widths)
        .header(header.style(theme.dim))
        .row_highlight_style(theme.selected)
        .highlight_symbol(MARKER)
        .highlight_spacing(HighlightSpacing::Always)
        .column_spacing(1);
    f.render_stateful_widget(table, area, &mut state);
    if len > body && body > 0 {
        let mut bar = ScrollbarState::new(len.saturating_sub(body)).position(state.offset());
        f.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight)
                .begin_symbol(None)
                .end_symbol(None)
                .style(Style::default()),
            area.inner(Margin {
                vertical: 0,
                horizontal: 0,
            }),
            &mut bar,
        );
    }
}
