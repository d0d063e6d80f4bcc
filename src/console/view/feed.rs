//! The incident feed: only the visible window is read and drawn.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{age, fit, pad};
use crate::console::state::{App, Pane};
use crate::console::theme::severity_label;
use crate::model::Incident;

/// Optional columns, dropped right to left as the width shrinks: (name, width).
const OPTIONAL: &[(&str, usize)] = &[("age", 4), ("status", 12), ("category", 19), ("sector", 12)];
/// marker(2) + SEV(4) + flag(7) + reference(12) + separators.
const FIXED: usize = 2 + 4 + 1 + 7 + 1 + 12 + 1;
const TITLE_MIN: usize = 16;

fn columns(width: usize) -> Vec<&'static str> {
    let mut room = width.saturating_sub(FIXED + TITLE_MIN);
    let mut shown = Vec::new();
    for (name, w) in OPTIONAL {
        if room < w + 1 {
            break;
        }
        room -= w + 1;
        shown.push(*name);
    }
    shown
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let filter = if app.feed.filter.is_empty() {
        String::new()
    } else {
        format!(" · filter: {}", app.feed.filter.source)
    };
    let overdue = app.feed.overdue_count();
    let overdue_text = if overdue > 0 {
        format!(", {overdue} OVERDUE")
    } else {
        String::new()
    };
    let marks = if app.marks.is_empty() {
        String::new()
    } else {
        format!(" · {} marked", app.marks.len())
    };
    let title = format!(
        "Incident feed ({} shown{overdue_text}){filter}{marks}",
        app.feed.len()
    );
    let block = super::pane_block(app, title, app.pane == Pane::Feed);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if !app.synced {
        f.render_widget(
            Paragraph::new("waiting for the first snapshot…").style(app.theme.dim),
            inner,
        );
        return;
    }
    let width = inner.width as usize;
    let cols = columns(width);
    let now = app.now;
    let lines: Vec<Line> = app
        .feed
        .window(app.top, inner.height as usize)
        .filter_map(|id| app.incident(&id))
        .map(|i| row(app, i, &cols, width, now))
        .collect();
    if lines.is_empty() {
        let why = if app.feed.filter.is_empty() {
            "no incidents"
        } else {
            "no incident matches the filter (Esc clears it)"
        };
        f.render_widget(Paragraph::new(why).style(app.theme.dim), inner);
        return;
    }
    f.render_widget(Paragraph::new(lines), inner);
}

fn row<'a>(
    app: &App,
    i: &'a Incident,
    cols: &[&str],
    width: usize,
    now: time::OffsetDateTime,
) -> Line<'a> {
    let selected = app.selected == Some(i.id);
    let marked = app.marks.contains(&i.id);
    let overdue = app.is_overdue(&i.id);
    let unacked = i.acknowledged_at.is_none() && i.status.is_open();
    let mut base = if overdue {
        app.theme.overdue
    } else if unacked {
        app.theme.unacked
    } else {
        Style::default()
    };
    if selected {
        base = base.patch(app.theme.selected);
    }
    // Second column: marked, or this officer's change still on its way (~) or in trouble (!).
    let own = match app.has_outbox_entry(&i.id) {
        Some(crate::client::outbox::EntryState::Pending) => "~",
        Some(_) => "!",
        None => " ",
    };
    let marker = format!(
        "{}{}",
        if selected { "▶" } else { " " },
        if marked { "*" } else { own }
    );
    let flag = if overdue {
        "OVERDUE"
    } else if unacked {
        "NEW"
    } else {
        ""
    };
    let mut spans = vec![
        Span::styled(marker, if marked { app.theme.marked } else { base }),
        Span::styled(severity_label(i.severity), app.theme.severity(i.severity)),
        Span::styled(format!(" {} ", pad(flag, 7)), base),
        Span::styled(pad(&i.reference, 12), base),
    ];
    let mut used = FIXED;
    for c in cols {
        let (text, w) = match *c {
            "age" => (age((now - i.reported_at).whole_seconds()), 4),
            "status" => (i.status.to_string(), 12),
            "category" => (i.category.to_string().replace('_', " "), 19),
            _ => (i.location.sector.clone().unwrap_or_default(), 12),
        };
        spans.push(Span::styled(format!(" {}", pad(&text, w)), base));
        used += w + 1;
    }
    let title_w = width.saturating_sub(used + 1);
    spans.push(Span::styled(
        format!(" {}", pad(&fit(&i.title, title_w), title_w)),
        base,
    ));
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::columns;

    #[test]
    fn columns_drop_by_priority() {
        assert_eq!(columns(200), vec!["age", "status", "category", "sector"]);
        assert_eq!(columns(78), vec!["age", "status"]);
        assert!(columns(30).is_empty());
    }
}
