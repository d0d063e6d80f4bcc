//! Joint-response tasks of the selected incident (or all open ones).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::pad;
use crate::console::state::{App, Pane};

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let focused = app.pane == Pane::Tasks;
    let tasks = app.visible_tasks();
    let (scope, total) = match app.tasks_scope() {
        Some(i) => (i.reference.as_str(), tasks.len()),
        None => ("all open", app.open_tasks.len()),
    };
    let overdue = tasks.iter().filter(|t| t.is_overdue(app.now)).count();
    let overdue_text = if overdue > 0 {
        format!(", {overdue} OVERDUE")
    } else {
        String::new()
    };
    let block = super::pane_block(
        app,
        format!("Joint-response tasks — {scope} ({total}{overdue_text}) · Enter: all/selected"),
        focused,
    );
    let inner = block.inner(area);
    f.render_widget(block, area);
    if tasks.is_empty() {
        f.render_widget(Paragraph::new("no tasks").style(app.theme.dim), inner);
        return;
    }
    let w = inner.width as usize;
    let skip = app
        .tasks_selected
        .saturating_sub(inner.height.saturating_sub(1) as usize);
    let lines: Vec<Line> = tasks
        .iter()
        .enumerate()
        .skip(skip)
        .take(inner.height as usize)
        .map(|(n, t)| {
            let late = t.is_overdue(app.now);
            let mut style = if late {
                app.theme.overdue
            } else if t.status.is_open() {
                Default::default()
            } else {
                app.theme.dim
            };
            if focused && n == app.tasks_selected {
                style = style.patch(app.theme.selected);
            }
            let due = match t.due_at {
                Some(d) if late => format!("OVERDUE {}", super::header::hhmm(d)),
                Some(d) => format!("due {}", super::header::hhmm(d)),
                None => String::new(),
            };
            let text = format!(
                "{} {} {} {} {}",
                pad(&t.status.to_string().replace('_', " "), 11),
                pad(app.agency_code(Some(t.agency_id)), 9),
                pad(&t.priority.to_string(), 6),
                pad(&due, 14),
                t.title
            );
            Line::from(Span::styled(pad(&text, w), style))
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
