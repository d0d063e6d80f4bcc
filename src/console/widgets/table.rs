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
    let total = rows.len();
    let mut rows: Vec<Option<Row<'_>>> = rows.into_iter().map(Some).collect();
    draw_window(f, area, theme, header, widths, selected, total, |i| {
        rows.get_mut(i).and_then(Option::take).unwrap_or_default()
    });
}

/// Like [`draw`] for a long list: `row(i)` is asked only for the rows in
/// view, in order, so a frame costs the window, not the list.
#[allow(clippy::too_many_arguments)]
pub fn draw_window<'a>(
    f: &mut Frame,
    area: Rect,
    theme: &Theme,
    header: Row<'a>,
    widths: Vec<Constraint>,
    selected: Option<usize>,
    total: usize,
    mut row: impl FnMut(usize) -> Row<'a>,
) {
    let body = area.height.saturating_sub(1) as usize;
    let selected = selected.filter(|_| total > 0).map(|s| s.min(total - 1));
    let first = selected.map(|s| offset_for(s, body)).unwrap_or(0);
    let end = first.saturating_add(body).min(total);
    let rows: Vec<Row<'a>> = (first..end).map(&mut row).collect();
    let mut state = TableState::default().with_selected(selected.map(|s| s - first));
    let table = Table::new(rows, widths)
        .header(header.style(theme.dim))
        .row_highlight_style(theme.selected)
        .highlight_symbol(MARKER)
        .highlight_spacing(HighlightSpacing::Always)
        .column_spacing(1);
    f.render_stateful_widget(table, area, &mut state);
    if total > body && body > 0 {
        let mut bar = ScrollbarState::new(total.saturating_sub(body)).position(first);
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
