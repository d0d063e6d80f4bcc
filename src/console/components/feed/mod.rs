//! The incident feed: the ordered, filtered index of every incident in the
//! state, the selection and the marks on it, the filter and the sort. Only
//! the rows in view are read and drawn (100k incidents stay cheap).

use std::collections::BTreeSet;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use uuid::Uuid;

mod rows;

use super::{Component, Go, Outcome};
use crate::console::action::Effect;
use crate::console::command::{Arg, Cmd, Column, Verb};
use crate::console::context::{Context, Level};
use crate::console::dialogs::{Dialog, LineDialog, Purpose};
use crate::console::facts::Sort;
use crate::console::feed_index::FeedIndex;
use crate::console::filter::Filter;
use crate::console::keymap::Layer;
use crate::console::widgets::pane_block;

/// The columns the feed can be ordered by, in the order `sort` cycles through them.
const SORTABLE: &[Column] = &[
    Column::Severity,
    Column::Age,
    Column::Reference,
    Column::Status,
    Column::Category,
];

#[derive(Debug, Default)]
pub struct FeedPane {
    pub index: FeedIndex,
    /// The selected incident; acted on only while it is in view.
    pub selected: Option<Uuid>,
    top: Option<Uuid>,
    pub marks: BTreeSet<Uuid>,
    /// Rows that fit, from the last layout.
    height: usize,
    /// The selection when the filter line opened: each keystroke filters
    /// afresh from it, so a half-typed filter does not move the selection.
    origin: Option<Uuid>,
}

impl FeedPane {
    pub fn set_height(&mut self, rows: usize) {
        self.height = rows.max(1);
        self.scroll();
    }

    fn scroll(&mut self) {
        self.top = self.index.scroll_to(self.top, self.selected, self.height);
    }

    /// The selection, if its row is in view.
    pub fn visible_selection(&self) -> Option<Uuid> {
        self.selected.filter(|s| self.index.key_of(s).is_some())
    }

    /// The selected row's line in the visible window, if it is on screen.
    pub fn selected_row(&self) -> Option<usize> {
        let sel = self.visible_selection()?;
        self.index
            .window(self.top, self.height)
            .position(|id| id == sel)
    }

    /// What a triage key acts on: the marked rows still in view, else the selection.
    pub fn targets(&self) -> Vec<Uuid> {
        if self.marks.is_empty() {
            return self.visible_selection().into_iter().collect();
        }
        self.marks
            .iter()
            .copied()
            .filter(|id| self.index.key_of(id).is_some())
            .collect()
    }

    /// Keeps a valid selection after the feed changed.
    pub fn keep_selection(&mut self) {
        if self.visible_selection().is_none() {
            self.selected = self.index.first();
        }
        self.scroll();
    }

    /// Rebuilds the index from the state (a new snapshot).
    pub fn rebuild(&mut self, ctx: &Context) {
        let now = ctx.now_ms();
        self.index.rebuild(
            ctx.mirror
                .incidents
                .keys()
                .filter_map(|id| ctx.incident(id)),
            &ctx.sla,
            now,
        );
        self.keep_selection();
    }

    /// Re-files one incident after it changed, as it is now shown. When the
    /// selected row leaves the view, the selection moves to the row now in
    /// its place.
    pub fn refile(&mut self, id: Uuid, ctx: &Context) {
        let was = self
            .selected
            .filter(|s| *s == id)
            .and_then(|s| self.index.key_of(&s));
        self.index
            .upsert(ctx.incident(&id), id, &ctx.sla, ctx.now_ms());
        match was {
            Some(row) if self.index.key_of(&id).is_none() => {
                self.selected = self.index.near(row);
                self.scroll();
            }
            _ if self.selected.is_none() => self.keep_selection(),
            _ => {}
        }
    }

    pub fn forget(&mut self, ids: &[Uuid], ctx: &Context) {
        for id in ids {
            self.index.upsert(None, *id, &ctx.sla, ctx.now_ms());
            self.marks.remove(id);
        }
        self.keep_selection();
    }

    /// Applies a filter; the number it matches, or why it is refused.
    pub fn set_filter(&mut self, text: &str, ctx: &Context) -> Result<usize, String> {
        let f = Filter::parse(text, &ctx.agencies())?;
        self.index.filter = f;
        self.index.refilter();
        if self.origin.is_some() {
            self.selected = self.origin;
        }
        if self.visible_selection().is_none() {
            self.selected = self.index.first();
        }
        // From the first row when the selection fits on the first page.
        self.top = self.index.first();
        self.scroll();
        Ok(self.index.len())
    }

    /// The filter line closed: later filters start from wherever the selection is then.
    pub fn filter_done(&mut self) {
        self.origin = None;
    }

    fn move_by(&mut self, n: isize) {
        self.selected = self.index.step(self.selected, n);
        self.scroll();
    }

    fn next_unacked(&mut self, forward: bool, ctx: &mut Context) {
        let found = self.index.find_next(self.selected, forward, |id| {
            ctx.incident(&id)
                .is_some_and(|i| i.acknowledged_at.is_none() && i.status.is_open())
        });
        match found {
            Some(id) => {
                self.selected = Some(id);
                self.scroll();
            }
            None => ctx.say(Level::Info, "no unacknowledged incident in the feed"),
        }
    }

    fn sort(&mut self, arg: &Arg, ctx: &mut Context) {
        let now = self.index.sort();
        let column = match arg {
            Arg::Column(c) if SORTABLE.contains(c) => *c,
            Arg::Column(c) => {
                let names: Vec<&str> = SORTABLE.iter().map(|c| c.name()).collect();
                ctx.say(
                    Level::Error,
                    format!(
                        "the feed cannot sort by {}; it sorts by {}",
                        c.name(),
                        names.join(", ")
                    ),
                );
                return;
            }
            // The key cycles through the columns.
            _ => {
                let at = SORTABLE
                    .iter()
                    .position(|c| Some(*c) == now.column)
                    .unwrap_or(0);
                SORTABLE[(at + 1) % SORTABLE.len()]
            }
        };
        let descending =
            matches!(arg, Arg::Column(_)) && now.column == Some(column) && !now.descending;
        self.index.set_sort(Sort {
            column: Some(column),
            descending,
        });
        self.keep_selection();
        ctx.say(
            Level::Info,
            format!(
                "feed sorted by {}{} (overdue first, closed last)",
                column.name(),
                if descending { ", reversed" } else { "" }
            ),
        );
    }
}

impl Component for FeedPane {
    fn layer(&self) -> Layer {
        Layer::Feed
    }

    fn command(&mut self, cmd: &Cmd, ctx: &mut Context) -> Option<Outcome> {
        let page = self.height as isize;
        match cmd.verb {
            Verb::Down => self.move_by(1),
            Verb::Up => self.move_by(-1),
            Verb::PageDown => self.move_by(page),
            Verb::PageUp => self.move_by(-page),
            Verb::Top => {
                self.selected = self.index.first();
                self.scroll();
            }
            Verb::Bottom => {
                self.selected = self.index.last();
                self.scroll();
            }
            Verb::Open => {
                let id = self.visible_selection()?;
                return Some(Outcome {
                    effects: vec![Effect::FetchDetail(id)],
                    go: Some(Go::Detail(id)),
                    ..Outcome::default()
                });
            }
            Verb::Mark => {
                if let Some(id) = self.visible_selection() {
                    if !self.marks.remove(&id) {
                        self.marks.insert(id);
                    }
                    self.move_by(1);
                }
            }
            Verb::NextUnacked => self.next_unacked(true, ctx),
            Verb::PrevUnacked => self.next_unacked(false, ctx),
            Verb::Sort => self.sort(&cmd.arg, ctx),
            Verb::Filter => match &cmd.arg {
                Arg::Text(t) => match self.set_filter(t, ctx) {
                    Ok(_) if t.is_empty() => ctx.say(Level::Info, "filter cleared"),
                    Ok(n) => ctx.say(Level::Info, format!("filter `{t}`: {n} shown")),
                    Err(e) => ctx.say(Level::Error, e),
                },
                _ => {
                    self.origin = self.selected;
                    let now = self.index.filter.source.clone();
                    return Outcome::dialog(Dialog::Line(LineDialog::new(
                        Purpose::Filter {
                            previous: now.clone(),
                        },
                        &now,
                    )));
                }
            },
            Verb::Back if !self.marks.is_empty() => self.marks.clear(),
            Verb::Back if !self.index.filter.is_empty() => {
                let _ = self.set_filter("", ctx);
            }
            _ => return None,
        }
        Outcome::none()
    }

    fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context, focused: bool) {
        let filter = if self.index.filter.is_empty() {
            String::new()
        } else {
            format!(" · filter: {}", self.index.filter.source)
        };
        let overdue = self.index.overdue_shown();
        let overdue_text = if overdue > 0 {
            format!(", {overdue} OVERDUE")
        } else {
            String::new()
        };
        let marks = if self.marks.is_empty() {
            String::new()
        } else {
            format!(" · {} marked", self.marks.len())
        };
        let title = format!(
            "Incident feed ({} shown{overdue_text}){filter}{marks}",
            self.index.len()
        );
        let block = pane_block(&ctx.theme, title, focused);
        let inner = block.inner(area);
        f.render_widget(block, area);
        if !ctx.synced {
            f.render_widget(
                Paragraph::new("waiting for the first snapshot…").style(ctx.theme.dim),
                inner,
            );
            return;
        }
        let width = inner.width as usize;
        let cols = rows::columns(width);
        let mut lines = vec![rows::header(ctx, self.index.sort(), &cols, width)];
        lines.extend(
            self.index
                .window(self.top, inner.height.saturating_sub(1) as usize)
                .filter_map(|id| ctx.incident(&id))
                .map(|i| {
                    let look = rows::Look {
                        selected: self.selected == Some(i.id),
                        marked: self.marks.contains(&i.id),
                        overdue: self.index.is_overdue(&i.id),
                    };
                    rows::row(ctx, i, look, &cols, width)
                }),
        );
        if lines.len() == 1 {
            let why = if self.index.filter.is_empty() {
                "no incidents"
            } else {
                "no incident matches the filter (Esc clears it)"
            };
            lines.push(Line::styled(why, ctx.theme.dim));
        }
        // Each row is already cut to the width: set it straight into the
        // buffer (a Paragraph would reflow every grapheme again).
        let buf = f.buffer_mut();
        for (n, line) in lines.iter().enumerate().take(inner.height as usize) {
            buf.set_line(inner.x, inner.y + n as u16, line, inner.width);
        }
    }

    fn click(&mut self, row: usize, _: &Context) {
        if row == 0 {
            return;
        }
        if let Some(id) = self.index.window(self.top, row).nth(row - 1) {
            self.selected = Some(id);
        }
    }

    fn incident(&self) -> Option<Uuid> {
        self.visible_selection()
    }
}
