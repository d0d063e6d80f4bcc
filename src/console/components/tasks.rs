//! Joint-response tasks: the selected incident's, or every open one (Enter
//! switches), overdue first. Columns give way to the title as the pane narrows.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Paragraph, Row};
use uuid::Uuid;

use super::{Component, Outcome, list_move};
use crate::console::command::{Arg, Cmd, Column, Verb};
use crate::console::context::{Context, Level};
use crate::console::fmt;
use crate::console::keymap::Layer;
use crate::console::widgets::{pane_block, table};
use crate::model::Task;

/// Open tasks listed in the "all open" view, earliest due first.
pub const ALL_TASKS_SHOWN: usize = 2000;
const TITLE_MIN: u16 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Order {
    #[default]
    Due,
    Status,
    Incident,
}

#[derive(Debug, Default)]
pub struct TasksPane {
    selected: usize,
    /// Every open task instead of the selected incident's.
    pub all: bool,
    /// The incident selected in the feed (set by the app).
    pub incident: Option<Uuid>,
    order: Order,
}

impl TasksPane {
    /// The incident whose tasks are listed; None: all open tasks.
    pub fn scope(&self) -> Option<Uuid> {
        self.incident.filter(|_| !self.all)
    }

    pub fn visible<'a>(&self, ctx: &'a Context) -> Vec<&'a Task> {
        let mut tasks = match self.scope() {
            Some(i) => ctx.tasks_of(&i),
            // Already in due order (overdue first): read only the head, never scan all tasks.
            None => ctx
                .open_tasks
                .iter()
                .take(ALL_TASKS_SHOWN)
                .filter_map(|(_, id)| ctx.mirror.tasks.get(id).map(|b| &**b))
                .collect(),
        };
        match self.order {
            Order::Due => {}
            Order::Status => tasks.sort_by_key(|t| (t.status, t.due_at)),
            Order::Incident => tasks.sort_by_key(|t| {
                ctx.incident(&t.incident_id)
                    .map(|i| i.reference.clone())
                    .unwrap_or_default()
            }),
        }
        tasks
    }
}

impl Component for TasksPane {
    fn layer(&self) -> Layer {
        Layer::Tasks
    }

    fn command(&mut self, cmd: &Cmd, ctx: &mut Context) -> Option<Outcome> {
        let len = self.visible(ctx).len();
        if list_move(&mut self.selected, cmd.verb, len) {
            return Outcome::none();
        }
        match cmd.verb {
            Verb::Open => {
                self.all = !self.all;
                self.selected = 0;
            }
            Verb::Sort => {
                self.order = match (&cmd.arg, self.order) {
                    (Arg::Column(Column::Age), _) => Order::Due,
                    (Arg::Column(Column::Status), _) => Order::Status,
                    (Arg::Column(Column::Reference), _) => Order::Incident,
                    (Arg::Column(c), _) => {
                        ctx.say(
                            Level::Error,
                            format!(
                                "tasks sort by age (due), status or reference, not {}",
                                c.name()
                            ),
                        );
                        return Outcome::none();
                    }
                    (_, Order::Due) => Order::Status,
                    (_, Order::Status) => Order::Incident,
                    (_, Order::Incident) => Order::Due,
                };
                let by = match self.order {
                    Order::Due => "due time",
                    Order::Status => "status",
                    Order::Incident => "incident",
                };
                ctx.say(Level::Info, format!("tasks sorted by {by}"));
            }
            _ => return None,
        }
        Outcome::none()
    }

    fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context, focused: bool) {
        let tasks = self.visible(ctx);
        let scope = self.scope().and_then(|i| ctx.incident(&i));
        let (what, total) = match scope {
            Some(i) => (i.reference.clone(), tasks.len()),
            None => ("all open".to_string(), ctx.open_tasks.len()),
        };
        let overdue = tasks.iter().filter(|t| t.is_overdue(ctx.now)).count();
        let overdue_text = if overdue > 0 {
            format!(", {overdue} OVERDUE")
        } else {
            String::new()
        };
        let mut title = format!("Joint-response tasks — {what} ({total}{overdue_text})");
        if title.chars().count() + 4 > area.width as usize {
            title = format!("Tasks — {what} ({total}{overdue_text})");
        }
        let block = pane_block(&ctx.theme, title, focused);
        let inner = block.inner(area);
        f.render_widget(block, area);
        if tasks.is_empty() {
            f.render_widget(Paragraph::new("no tasks").style(ctx.theme.dim), inner);
            return;
        }
        // The agency and the title always show; then, while there is room,
        // the incident (in the all-open list), the status, the due time and
        // the priority, in that order.
        let mut room = inner.width.saturating_sub(2 + 8 + 1 + TITLE_MIN);
        let mut take = |w: u16| {
            let fits = room > w;
            if fits {
                room -= w + 1;
            }
            fits
        };
        let show_incident = scope.is_none() && take(12);
        let show_status = take(11);
        let show_due = take(15);
        let show_priority = take(6);
        let mut header = Vec::new();
        let mut widths = Vec::new();
        let mut column = |name: &'static str, w: u16, shown: bool| {
            if shown {
                header.push(name);
                widths.push(Constraint::Length(w));
            }
        };
        column("STATUS", 11, show_status);
        column("AGENCY", 8, true);
        column("INCIDENT", 12, show_incident);
        column("DUE", 15, show_due);
        column("PRIO", 6, show_priority);
        header.push("TITLE");
        widths.push(Constraint::Min(TITLE_MIN));
        let row = |n: usize| {
            let Some(t) = tasks.get(n) else {
                return Row::default();
            };
            {
                let late = t.is_overdue(ctx.now);
                let style = if late {
                    ctx.theme.overdue
                } else if t.status.is_open() {
                    Default::default()
                } else {
                    ctx.theme.dim
                };
                let mut cells = Vec::new();
                if show_status {
                    cells.push(Cell::from(fmt::task_status(t.status)));
                }
                cells.push(Cell::from(ctx.agency_code(Some(t.agency_id)).to_string()));
                if show_incident {
                    cells.push(Cell::from(
                        ctx.incident(&t.incident_id)
                            .map(|i| i.reference.clone())
                            .unwrap_or_default(),
                    ));
                }
                if show_due {
                    cells.push(Cell::from(match t.due_at {
                        Some(d) if late => format!("OVERDUE {}", fmt::hhmm(d)),
                        Some(d) => fmt::when(d, ctx.now),
                        None => String::new(),
                    }));
                }
                if show_priority {
                    cells.push(Cell::from(fmt::priority(t.priority)));
                }
                cells.push(Cell::from(ctx.text(&t.title)));
                Row::new(cells).style(style)
            }
        };
        table::draw_window(
            f,
            inner,
            &ctx.theme,
            Row::new(header),
            widths,
            focused.then_some(self.selected),
            tasks.len(),
            row,
        );
    }

    fn click(&mut self, row: usize, ctx: &Context) {
        if row > 0 {
            self.selected = (row - 1).min(self.visible(ctx).len().saturating_sub(1));
        }
    }
}
