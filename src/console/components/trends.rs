//! The trends screen (`:trends`): incidents per hour over the last 72 hours
//! per category and per sector as sparklines, the last 24 hours against the
//! 24 before, SLA compliance per severity, and the hotspots — sectors whose
//! last day is two standard deviations above their week
//! ([`crate::model::trends`]). The figures are the server's (`/stats`,
//! counted in the database), fetched when the screen opens.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::board::sparkline;
use super::scroll::Scroller;
use super::{Component, Go, Outcome};
use crate::api::stats::{Series, Stats};
use crate::console::action::Effect;
use crate::console::command::{Cmd, Verb};
use crate::console::context::Context;
use crate::console::fmt::{self, fit, pad};
use crate::console::keymap::Layer;
use crate::console::widgets::pane_block;
use crate::model::trends::{change_pct, hotspot, last_two_days};
use crate::model::{Category, Severity};

#[derive(Debug, Default)]
pub struct TrendsScreen {
    scroller: Scroller,
}

impl TrendsScreen {
    /// Opens the screen and asks for fresh figures.
    pub fn open() -> Option<Outcome> {
        Some(Outcome {
            go: Some(Go::Page(Box::new(TrendsScreen::default()))),
            effects: vec![Effect::FetchTrends],
            ..Outcome::default()
        })
    }
}

fn label(by_category: bool, key: &str) -> String {
    if by_category {
        key.parse::<Category>()
            .map(|c| fmt::category(c).to_string())
            .unwrap_or_else(|_| key.to_string())
    } else if key.is_empty() {
        "(no sector)".into()
    } else {
        key.to_string()
    }
}

fn change(last: u32, before: u32) -> String {
    match change_pct(last, before) {
        Some(p) => format!("{p:+.0}%"),
        None if last > 0 => "new".into(),
        None => "—".into(),
    }
}

/// One line per series: name, the last 72 hours, the last 24 h against the 24 before.
fn series_lines(
    ctx: &Context,
    stats: &Stats,
    by_category: bool,
    width: usize,
) -> Vec<Line<'static>> {
    let spark_width = width.saturating_sub(52).clamp(12, 72);
    stats
        .series
        .iter()
        .map(|s: &Series| {
            let (last, before) = last_two_days(&s.counts);
            let tail = s.counts.len().saturating_sub(72);
            let hours = s.counts.get(tail..).unwrap_or_default();
            // Squeezed to fit: each character the busiest of its hours.
            let per = hours.len().div_ceil(spark_width.max(1)).max(1);
            let squeezed: Vec<u32> = hours
                .chunks(per)
                .map(|c| c.iter().copied().max().unwrap_or(0))
                .collect();
            let hot = (!by_category)
                .then(|| hotspot(&s.counts, stats.known_week_hours()))
                .flatten();
            let mut spans = vec![
                Span::raw(pad(&fit(&label(by_category, &s.key), 20), 21)),
                Span::styled(format!("[{}]", sparkline(&squeezed)), ctx.theme.unacked),
                Span::raw(format!(
                    " {last:>4} last 24 h · {before:>4} before · {:>5}",
                    change(last, before)
                )),
            ];
            if let Some(h) = hot {
                spans.push(Span::styled(
                    format!(
                        " HOTSPOT (expected {:.0}, alarm above {:.0})",
                        h.expected, h.threshold
                    ),
                    ctx.theme.overdue,
                ));
            }
            Line::from(spans)
        })
        .collect()
}

impl TrendsScreen {
    fn lines(&self, ctx: &Context, width: usize) -> Vec<Line<'static>> {
        let Some(t) = &ctx.trends else {
            return vec![Line::styled(
                "asking the server for the figures… (they need the link)",
                ctx.theme.dim,
            )];
        };
        let bold = ctx.theme.unacked.add_modifier(Modifier::BOLD);
        let mut out = Vec::new();
        let hot: Vec<String> = t
            .by_sector
            .series
            .iter()
            .filter_map(|s| {
                hotspot(&s.counts, t.by_sector.known_week_hours()).map(|h| {
                    format!(
                        "{}: {} in the last 24 h, against {:.1} expected from the week",
                        label(false, &s.key),
                        h.last_24h,
                        h.expected
                    )
                })
            })
            .collect();
        out.push(Line::styled(
            "Hotspots (last 24 h two standard deviations above the 7 days before)",
            bold,
        ));
        if hot.is_empty() {
            out.push(Line::styled("  none", ctx.theme.dim));
        }
        out.extend(
            hot.into_iter()
                .map(|h| Line::styled(format!("  {h}"), ctx.theme.overdue)),
        );
        out.push(Line::raw(""));
        out.push(Line::styled(
            format!(
                "By category — new incidents per hour, last 72 h ({} in all)",
                t.by_category.incidents
            ),
            bold,
        ));
        out.extend(series_lines(ctx, &t.by_category, true, width));
        out.push(Line::raw(""));
        out.push(Line::styled(
            "By sector — new incidents per hour, last 72 h",
            bold,
        ));
        out.extend(series_lines(ctx, &t.by_sector, false, width));
        out.push(Line::raw(""));
        out.push(Line::styled(
            "SLA compliance, last 72 h (triaged within the SLA)",
            bold,
        ));
        for r in &t.by_category.sla {
            let judged = r.met + r.missed;
            let pct = if judged == 0 {
                "—".to_string()
            } else {
                format!("{:.0}%", f64::from(r.met) / f64::from(judged) * 100.0)
            };
            let style = if r.missed > 0 && r.severity >= Severity::High {
                ctx.theme.overdue
            } else {
                ctx.theme.base
            };
            out.push(Line::styled(
                format!(
                    "  {:<9} {pct:>5} met · {} met · {} missed · {} waiting",
                    fmt::severity(r.severity),
                    r.met,
                    r.missed,
                    r.pending
                ),
                style,
            ));
        }
        out
    }
}

impl Component for TrendsScreen {
    fn layer(&self) -> Layer {
        // Scrolling and `/` search, as on the help screen.
        Layer::Help
    }

    fn command(&mut self, cmd: &Cmd, ctx: &mut Context) -> Option<Outcome> {
        match cmd.verb {
            Verb::Back => Outcome::go(Go::Main),
            Verb::Trends => TrendsScreen::open(),
            _ => {
                let lines = self.lines(ctx, ctx.size.0 as usize);
                self.scroller.command(cmd, ctx, lines)
            }
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context, _: bool) {
        let block = pane_block(
            &ctx.theme,
            "Trends — :trends again refreshes · ↑↓ scroll · Esc back".to_string(),
            true,
        );
        let inner = block.inner(area);
        f.render_widget(block, area);
        let lines = self.lines(ctx, inner.width as usize);
        self.scroller.draw(f, inner, ctx, lines);
    }
}
