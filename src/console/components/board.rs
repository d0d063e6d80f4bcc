//! The sector board (`b`, `:board`): one row per sector and crossing of the
//! seed — open incidents by severity, how many are overdue, units there on
//! scene and available, the last incident's age and a 24-hour sparkline.
//! F6 sorts; Enter filters the feed to the row's place.
//!
//! An incident counts in its sector's row, and in its crossing's row too
//! when that is another place: each row answers "what is going on here".

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use super::{Component, Go, Outcome, list_move};
use crate::console::command::{Arg, Cmd, Verb};
use crate::console::context::{Context, Level};
use crate::console::fmt;
use crate::console::keymap::Layer;
use crate::console::widgets::{pane_block, table};
use crate::model::{Severity, UnitStatus};
use crate::reference::PlaceKind;

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// How the rows are ordered; F6 moves to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Order {
    /// Overdue, then open (most first).
    #[default]
    Pressing,
    Recent,
    Name,
}

#[derive(Debug, Default)]
pub struct BoardScreen {
    selected: usize,
    order: Order,
}

/// One place's figures.
#[derive(Debug, Clone, Default)]
pub struct BoardRow {
    pub name: String,
    pub crossing: bool,
    /// Open incidents: critical, high, medium, low.
    pub open: [u32; 4],
    pub overdue: u32,
    pub on_scene: u32,
    pub available: u32,
    /// When its last incident was reported (ms).
    pub last_ms: Option<i64>,
    /// Incidents reported per hour over the last 24 (oldest first).
    pub hours: [u32; 24],
}

impl BoardRow {
    pub fn open_total(&self) -> u32 {
        self.open.iter().sum()
    }
}

/// The board's rows, in the seed's order.
pub fn rows(ctx: &Context) -> Vec<BoardRow> {
    let mut rows: Vec<BoardRow> = ctx
        .places
        .iter()
        .map(|p| BoardRow {
            name: p.name.clone(),
            crossing: p.kind == PlaceKind::Crossing,
            ..BoardRow::default()
        })
        .collect();
    let at: HashMap<&str, usize> = ctx
        .places
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.as_str(), i))
        .collect();
    let now_ms = ctx.now_ms();
    for i in ctx
        .mirror
        .incidents
        .keys()
        .filter_map(|id| ctx.incident(id))
    {
        let sector = i.location.sector.as_deref();
        let crossing = i
            .location
            .crossing
            .as_deref()
            .filter(|c| Some(*c) != sector);
        let reported = (i.reported_at.unix_timestamp_nanos() / 1_000_000) as i64;
        let hours_ago = now_ms.saturating_sub(reported) / 3_600_000;
        for place in [sector, crossing].into_iter().flatten() {
            let Some(r) = at.get(place).and_then(|k| rows.get_mut(*k)) else {
                continue;
            };
            if i.status.is_open() {
                let k = match i.severity {
                    Severity::Critical => 0,
                    Severity::High => 1,
                    Severity::Medium => 2,
                    Severity::Low => 3,
                };
                if let Some(n) = r.open.get_mut(k) {
                    *n += 1;
                }
                r.overdue += u32::from(ctx.sla.is_overdue(i, ctx.now));
            }
            r.last_ms = r.last_ms.max(Some(reported));
            if (0..24).contains(&hours_ago)
                && let Some(h) = r.hours.get_mut(23 - hours_ago as usize)
            {
                *h += 1;
            }
        }
    }
    for u in ctx.mirror.units.values() {
        if let Some(r) = at
            .get(u.home_sector.as_str())
            .and_then(|k| rows.get_mut(*k))
        {
            r.on_scene += u32::from(u.status == UnitStatus::OnScene);
            r.available += u32::from(u.status == UnitStatus::Available);
        }
    }
    rows
}

/// Eight levels of bar per hour, scaled to the row's busiest hour.
pub fn sparkline(hours: &[u32]) -> String {
    let top = hours.iter().copied().max().unwrap_or(0);
    hours
        .iter()
        .map(|h| match (*h, top) {
            (0, _) => ' ',
            (h, top) => BARS[((h * 8).div_ceil(top.max(1)) as usize).clamp(1, 8) - 1],
        })
        .collect()
}

impl BoardScreen {
    fn sorted(&self, ctx: &Context) -> Vec<BoardRow> {
        let mut rows = rows(ctx);
        match self.order {
            Order::Pressing => rows.sort_by(|a, b| {
                (b.overdue, b.open_total(), b.last_ms).cmp(&(a.overdue, a.open_total(), a.last_ms))
            }),
            Order::Recent => rows.sort_by_key(|r| std::cmp::Reverse(r.last_ms)),
            Order::Name => rows.sort_by(|a, b| a.name.cmp(&b.name)),
        }
        rows
    }
}

impl Component for BoardScreen {
    fn layer(&self) -> Layer {
        Layer::Board
    }

    fn command(&mut self, cmd: &Cmd, ctx: &mut Context) -> Option<Outcome> {
        if list_move(&mut self.selected, cmd.verb, ctx.places.len()) {
            return Outcome::none();
        }
        match cmd.verb {
            Verb::Back | Verb::Board => Outcome::go(Go::Main),
            Verb::Sort => {
                self.order = match self.order {
                    Order::Pressing => Order::Recent,
                    Order::Recent => Order::Name,
                    Order::Name => Order::Pressing,
                };
                Outcome::none()
            }
            Verb::Open => {
                let row = self.sorted(ctx).into_iter().nth(self.selected)?;
                let filter = format!("sector:{}", row.name.to_lowercase().replace(' ', "_"));
                ctx.say(
                    Level::Info,
                    format!("the feed shows {} (Esc clears the filter)", row.name),
                );
                Some(Outcome {
                    go: Some(Go::Main),
                    then: Some(Cmd::with(Verb::Filter, Arg::Text(filter))),
                    ..Outcome::default()
                })
            }
            _ => None,
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context, _: bool) {
        let order = match self.order {
            Order::Pressing => "overdue, then open",
            Order::Recent => "last incident",
            Order::Name => "name",
        };
        let title = format!(
            "Sector board — by {order} ({} sorts) · Enter shows the place in the feed · Esc back",
            ctx.keymap.first_key("sort-board").unwrap_or_default()
        );
        let block = pane_block(&ctx.theme, title, true);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let header = Row::new(vec![
            "Sector / crossing",
            "Crit",
            "High",
            "Med",
            "Low",
            "Overdue",
            "On scene",
            "Avail",
            "Last",
            "Last 24 h",
        ]);
        let now_ms = ctx.now_ms();
        let rows: Vec<Row> = self
            .sorted(ctx)
            .into_iter()
            .map(|r| {
                let name = if r.crossing {
                    format!("{} ×", r.name)
                } else {
                    r.name.clone()
                };
                let count = |n: u32| {
                    if n == 0 {
                        "·".to_string()
                    } else {
                        n.to_string()
                    }
                };
                let mut cells = vec![Cell::from(name)];
                for (k, s) in Severity::ALL.iter().rev().enumerate() {
                    let n = r.open.get(k).copied().unwrap_or(0);
                    let style = if n > 0 {
                        ctx.theme.severity(*s)
                    } else {
                        ctx.theme.dim
                    };
                    cells.push(Cell::from(count(n)).style(style));
                }
                let overdue = if r.overdue > 0 {
                    Cell::from(format!("{} OVERDUE", r.overdue)).style(ctx.theme.overdue)
                } else {
                    Cell::from("·").style(ctx.theme.dim)
                };
                cells.push(overdue);
                cells.push(Cell::from(count(r.on_scene)));
                cells.push(Cell::from(count(r.available)));
                cells.push(Cell::from(
                    r.last_ms
                        .map(|ms| fmt::age((now_ms - ms) / 1000))
                        .unwrap_or_else(|| "—".into()),
                ));
                cells.push(Cell::from(format!("[{}]", sparkline(&r.hours))));
                Row::new(cells)
            })
            .collect();
        let widths = vec![
            Constraint::Length(18),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(10),
            Constraint::Length(9),
            Constraint::Length(6),
            Constraint::Length(6),
            Constraint::Length(26),
        ];
        table::draw(
            f,
            inner,
            &ctx.theme,
            header,
            rows,
            widths,
            Some(self.selected),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_scale_to_the_busiest_hour() {
        assert_eq!(sparkline(&[0, 1, 2, 4]), " ▂▄█");
        assert_eq!(sparkline(&[0, 0]), "  ");
        assert_eq!(sparkline(&[3]), "█");
    }
}
