//! The agency roster: each agency's units by status; Enter drills into one
//! agency's units, Esc comes back.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};
use unicode_width::UnicodeWidthStr;
use uuid::Uuid;

use super::{Component, Outcome, list_move};
use crate::console::command::{Arg, Cmd, Column, Verb};
use crate::console::context::{Context, Level};
use crate::console::fmt;
use crate::console::keymap::Layer;
use crate::console::widgets::{pane_block, table};
use crate::model::{Agency, Unit, UnitStatus};

#[derive(Debug, Default)]
pub struct RosterPane {
    selected: usize,
    /// The agency drilled into, if any.
    agency: Option<Uuid>,
    /// Agencies by units available (most first) instead of region and code.
    by_available: bool,
}

fn available(ctx: &Context, a: &Agency) -> usize {
    ctx.mirror
        .units
        .values()
        .filter(|u| u.agency_id == a.id && u.status == UnitStatus::Available)
        .count()
}

impl RosterPane {
    fn agencies<'a>(&self, ctx: &'a Context) -> Vec<&'a Agency> {
        let mut all = ctx.agencies();
        if self.by_available {
            all.sort_by_key(|a| std::cmp::Reverse(available(ctx, a)));
        }
        all
    }

    fn units(ctx: &Context, agency: Uuid) -> Vec<&Unit> {
        let mut units: Vec<&Unit> = ctx
            .mirror
            .units
            .values()
            .filter(|u| u.agency_id == agency)
            .collect();
        units.sort_by(|a, b| a.callsign.cmp(&b.callsign));
        units
    }

    fn len(&self, ctx: &Context) -> usize {
        match self.agency {
            Some(a) => Self::units(ctx, a).len(),
            None => ctx.mirror.agencies.len(),
        }
    }
}

impl Component for RosterPane {
    fn layer(&self) -> Layer {
        Layer::Roster
    }

    fn command(&mut self, cmd: &Cmd, ctx: &mut Context) -> Option<Outcome> {
        let len = self.len(ctx);
        if list_move(&mut self.selected, cmd.verb, len) {
            return Outcome::none();
        }
        match cmd.verb {
            Verb::Open if self.agency.is_none() => {
                self.agency = self.agencies(ctx).get(self.selected).map(|a| a.id);
                self.selected = 0;
            }
            Verb::Back if self.agency.is_some() => {
                self.agency = None;
                self.selected = 0;
            }
            Verb::Sort => {
                self.by_available = match &cmd.arg {
                    Arg::Column(Column::Status) => true,
                    Arg::Column(Column::Reference) => false,
                    Arg::Column(c) => {
                        ctx.say(
                            Level::Error,
                            format!("the roster sorts by reference (region, code) or status (units available), not {}", c.name()),
                        );
                        return Outcome::none();
                    }
                    _ => !self.by_available,
                };
                ctx.say(
                    Level::Info,
                    if self.by_available {
                        "roster sorted by units available"
                    } else {
                        "roster sorted by region and code"
                    },
                );
            }
            _ => return None,
        }
        Outcome::none()
    }

    fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context, focused: bool) {
        let selected = focused.then_some(self.selected);
        match self.agency.and_then(|a| ctx.mirror.agencies.get(&a)) {
            Some(agency) => {
                let block = pane_block(
                    &ctx.theme,
                    format!(
                        "{} units — {} (Esc back)",
                        agency.code,
                        ctx.text(&agency.name)
                    ),
                    focused,
                );
                let inner = block.inner(area);
                f.render_widget(block, area);
                let rows = Self::units(ctx, agency.id)
                    .into_iter()
                    .map(|u| {
                        Row::new(vec![
                            Cell::from(u.callsign.clone()),
                            Cell::from(fmt::unit_status(u.status)),
                            Cell::from(fmt::capability(u.capability)),
                            Cell::from(ctx.text(&u.home_sector)),
                        ])
                    })
                    .collect();
                table::draw(
                    f,
                    inner,
                    &ctx.theme,
                    Row::new(vec!["CALLSIGN", "STATUS", "CAPABILITY", "SECTOR"]),
                    rows,
                    vec![
                        Constraint::Length(11),
                        Constraint::Length(14),
                        Constraint::Length(13),
                        Constraint::Min(8),
                    ],
                    selected,
                );
            }
            None => {
                let block = pane_block(&ctx.theme, "Agency roster".into(), focused);
                let inner = block.inner(area);
                f.render_widget(block, area);
                let agencies = self.agencies(ctx);
                let labels: Vec<String> = agencies
                    .iter()
                    .map(|a| format!("{} ({})", a.code, fmt::region_letter(a.region)))
                    .collect();
                // The agency column is as wide as its longest label, within reason.
                let code_w = labels
                    .iter()
                    .map(|l| UnicodeWidthStr::width(l.as_str()))
                    .max()
                    .unwrap_or(0)
                    .clamp(6, 20) as u16;
                let rows = agencies
                    .into_iter()
                    .zip(labels)
                    .map(|(a, label)| {
                        let mut counts = [0usize; 7];
                        for u in ctx.mirror.units.values().filter(|u| u.agency_id == a.id) {
                            if let Some(i) = UnitStatus::ALL.iter().position(|s| *s == u.status) {
                                counts[i] += 1;
                            }
                        }
                        let summary = UnitStatus::ALL
                            .iter()
                            .zip(counts)
                            .filter(|(_, c)| *c > 0)
                            .map(|(s, c)| format!("{c} {}", fmt::unit_status(*s)))
                            .collect::<Vec<_>>()
                            .join(" · ");
                        Row::new(vec![Cell::from(label), Cell::from(summary)])
                    })
                    .collect();
                table::draw(
                    f,
                    inner,
                    &ctx.theme,
                    Row::new(vec!["AGENCY", "UNITS"]),
                    rows,
                    vec![Constraint::Length(code_w), Constraint::Min(10)],
                    selected,
                );
            }
        }
    }

    fn click(&mut self, row: usize, ctx: &Context) {
        if row > 0 {
            self.selected = (row - 1).min(self.len(ctx).saturating_sub(1));
        }
    }
}
