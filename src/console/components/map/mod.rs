//! The map screen (`v`, `:map`): Libya's coast and borders, sectors,
//! crossings and towns, the incidents the feed's filter shows and the units,
//! with the selected incident described beside (or, on a narrow terminal,
//! below) the map. It zooms and pans around a cursor at its centre, cycles
//! through the incidents in view nearest the cursor first, and every triage
//! key acts on its selection as in the feed.
//!
//! The map reads the feed's index (the filter, and where each incident is),
//! so the app hands it over: [`MapScreen::cycle`] and [`MapScreen::draw`]
//! take it beside the context. The map pane beside a wide feed uses the same
//! drawing ([`pane`]).

pub mod draw;
mod layer;
pub mod view;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use uuid::Uuid;

use self::view::{View, km_between};
use super::{Component, Go, Outcome};
use crate::console::command::{Cmd, Verb};
use crate::console::context::{Context, Level};
use crate::console::feed_index::FeedIndex;
use crate::console::fmt::{self, fit};
use crate::console::keymap::Layer;
use crate::console::layout;
use crate::reference::{outlines, towns};

/// From this width the selection is described beside the map, not below.
const SIDE_PANEL: u16 = 120;
const PANEL_WIDTH: u16 = 38;

#[derive(Debug, Default)]
pub struct MapScreen {
    pub view: View,
    pub selected: Option<Uuid>,
    /// Whether Tab goes on from the selection; until the view moves (or on
    /// opening), the first Tab takes the incident nearest the cursor.
    cycling: bool,
}

/// Where the parts of the map screen go in the body.
pub struct Areas {
    pub title: Rect,
    pub map: Rect,
    pub panel: Rect,
    pub status: Rect,
}

pub fn areas(body: Rect) -> Areas {
    let title = Rect::new(body.x, body.y, body.width, 1.min(body.height));
    let rest_h = body.height.saturating_sub(2);
    let status = Rect::new(
        body.x,
        body.y + body.height.saturating_sub(1),
        body.width,
        1.min(body.height),
    );
    if body.width >= SIDE_PANEL {
        let map_w = body.width - PANEL_WIDTH;
        Areas {
            title,
            map: Rect::new(body.x, body.y + 1, map_w, rest_h),
            panel: Rect::new(body.x + map_w + 1, body.y + 1, PANEL_WIDTH - 1, rest_h),
            status,
        }
    } else {
        let map_h = rest_h.saturating_sub(1);
        Areas {
            title,
            map: Rect::new(body.x, body.y + 1, body.width, map_h),
            panel: Rect::new(body.x, body.y + 1 + map_h, body.width, 1.min(rest_h)),
            status,
        }
    }
}

/// The map's area at this terminal size.
fn map_area(ctx: &Context) -> Rect {
    let (w, h) = ctx.size;
    areas(layout::screen(Rect::new(0, 0, w, h)).body).map
}

impl MapScreen {
    /// Opens on all of Libya, the feed's selection selected.
    pub fn new(selected: Option<Uuid>) -> MapScreen {
        MapScreen {
            view: View::fit(),
            selected,
            cycling: false,
        }
    }

    /// Tab / n (and back): the next incident in view, nearest the cursor first.
    pub fn cycle(&mut self, forward: bool, ctx: &mut Context, index: &FeedIndex) {
        let g = self.view.frame(map_area(ctx));
        let cursor = (self.view.lat, self.view.lon);
        let mut near: Vec<(f64, Uuid)> = index
            .shown()
            .filter(|f| f.status.is_open())
            .filter(|f| g.cell(f64::from(f.lat), f64::from(f.lon)).is_some())
            .map(|f| {
                (
                    km_between(cursor, (f64::from(f.lat), f64::from(f.lon))),
                    f.id,
                )
            })
            .collect();
        if near.is_empty() {
            let out = ctx.keymap.first_key("zoom-out").unwrap_or_default();
            let fit = ctx.keymap.first_key("fit").unwrap_or_default();
            ctx.say(
                Level::Info,
                format!("no incident in view: {out} zooms out, {fit} shows all of Libya"),
            );
            return;
        }
        near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let at = self
            .selected
            .filter(|_| self.cycling)
            .and_then(|s| near.iter().position(|(_, id)| *id == s));
        self.cycling = true;
        let next = match (at, forward) {
            (None, _) => 0,
            (Some(i), true) => (i + 1) % near.len(),
            (Some(i), false) => (i + near.len() - 1) % near.len(),
        };
        self.selected = near.get(next).map(|(_, id)| *id);
    }

    /// Draws the screen into the body.
    pub fn draw(&self, f: &mut Frame, body: Rect, ctx: &Context, index: &FeedIndex) {
        let a = areas(body);
        let keys = |name: &str| ctx.keymap.first_key(name).unwrap_or_default();
        let title = format!(
            " Map — {}/{} zoom · hjkl pan · {} fit · {} centre · {} nearest · Enter open · Esc back",
            keys("zoom-in"),
            keys("zoom-out"),
            keys("fit"),
            keys("centre"),
            keys("next-nearest"),
        );
        f.render_widget(
            Paragraph::new(fit(&title, a.title.width as usize)).style(ctx.theme.header),
            a.title,
        );
        let drawn = draw::draw(f, a.map, ctx, index, &self.view, self.selected);
        let g = drawn.frame;
        let narrow = a.status.width < SIDE_PANEL;
        let (km, cols) = g.scale_bar(if narrow { 8 } else { 12 });
        let bar = format!(
            "├{}┤ {km} km",
            "─".repeat(usize::from(cols.saturating_sub(2)))
        );
        // The attribution always shows; what else fits goes before it.
        let credit = format!("{} · {}", towns::ATTRIBUTION, outlines::ATTRIBUTION);
        let mut status = format!("{} · {bar}", lat_lon(self.view.lat, self.view.lon));
        if !narrow {
            status.push_str(&format!(" · {} open shown", drawn.shown));
            if !index.filter.is_empty() {
                status.push_str(&format!(" (filter: {})", index.filter.source));
            }
        }
        let room = (a.status.width as usize).saturating_sub(credit.chars().count() + 3);
        let status = format!("{} · {credit}", fit(&status, room));
        f.render_widget(
            Paragraph::new(fit(&status, a.status.width as usize)).style(ctx.theme.dim),
            a.status,
        );
        let lines = self.describe(ctx, index, a.panel.height > 1);
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), a.panel);
    }

    /// The selection in words: one line, or a panel.
    fn describe(&self, ctx: &Context, index: &FeedIndex, panel: bool) -> Vec<Line<'static>> {
        let Some(i) = self.selected.and_then(|id| ctx.incident(&id)) else {
            let hint = "nothing selected: Tab or n selects the incident nearest the cursor";
            return vec![Line::styled(hint, ctx.theme.dim)];
        };
        let overdue = self.selected.is_some_and(|id| index.is_overdue(&id));
        let place = match (&i.location.sector, &i.location.crossing) {
            (Some(s), Some(c)) if s != c => format!("{s} · crossing {c}"),
            (Some(s), _) => s.clone(),
            (None, Some(c)) => format!("crossing {c}"),
            (None, None) => "no sector".into(),
        };
        let head = vec![
            Span::styled(
                format!("{} ", draw::glyph(i.severity)),
                ctx.theme.severity(i.severity),
            ),
            Span::styled(
                i.reference.clone(),
                ctx.theme.unacked.add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!(
                " {} {}",
                fmt::severity(i.severity),
                fmt::status(i.status)
            )),
            Span::styled(if overdue { " OVERDUE" } else { "" }, ctx.theme.overdue),
        ];
        if !panel {
            let mut spans = head;
            spans.push(Span::raw(format!(" · {} · {place}", ctx.text(&i.title))));
            return vec![Line::from(spans)];
        }
        let mut lines = vec![
            Line::styled("Selected", ctx.theme.dim),
            Line::from(head),
            Line::raw(ctx.text(&i.title)),
            Line::raw(format!("{} · {}", fmt::category(i.category), place)),
            Line::raw(lat_lon(i.location.lat, i.location.lon)),
            Line::raw(format!(
                "reported {}",
                fmt::when_both(i.reported_at, ctx.now)
            )),
            Line::raw(""),
            Line::styled("Legend", ctx.theme.dim),
        ];
        lines.extend(draw::LEGEND.split(" · ").map(|l| Line::raw(l.to_string())));
        lines
    }
}

/// `32.93°N 12.08°E`.
pub fn lat_lon(lat: f64, lon: f64) -> String {
    let ns = if lat >= 0.0 { 'N' } else { 'S' };
    let ew = if lon >= 0.0 { 'E' } else { 'W' };
    format!("{:.2}°{ns} {:.2}°{ew}", lat.abs(), lon.abs())
}

impl Component for MapScreen {
    fn layer(&self) -> Layer {
        Layer::Map
    }

    fn command(&mut self, cmd: &Cmd, ctx: &mut Context) -> Option<Outcome> {
        let area = map_area(ctx);
        match cmd.verb {
            Verb::Back | Verb::Map => return Outcome::go(Go::Main),
            Verb::Open => return Outcome::go(Go::Detail(self.selected?)),
            Verb::ZoomIn => self.view.zoom(area, 0.5),
            Verb::ZoomOut => self.view.zoom(area, 2.0),
            Verb::PanLeft => self.view.pan(area, -0.25, 0.0),
            Verb::PanRight => self.view.pan(area, 0.25, 0.0),
            Verb::PanUp => self.view.pan(area, 0.0, 0.25),
            Verb::PanDown => self.view.pan(area, 0.0, -0.25),
            Verb::Fit => self.view = View::fit(),
            Verb::Centre => {
                let Some(i) = self.selected.and_then(|id| ctx.incident(&id)) else {
                    ctx.say(Level::Error, "nothing selected to centre on");
                    return Outcome::none();
                };
                let (lat, lon) = (i.location.lat, i.location.lon);
                self.view.centre_on(lat, lon);
            }
            _ => return None,
        }
        // The view moved: the next Tab starts again from the cursor.
        self.cycling = false;
        Outcome::none()
    }

    fn draw(&self, _: &mut Frame, _: Rect, _: &Context, _: bool) {
        // Drawn by the app with the feed's index: see [`MapScreen::draw`].
    }

    fn incident(&self) -> Option<Uuid> {
        self.selected
    }
}

/// The map pane beside a wide feed: all of Libya, the feed's selection highlighted.
pub fn pane(f: &mut Frame, area: Rect, ctx: &Context, index: &FeedIndex, selected: Option<Uuid>) {
    let block = crate::console::widgets::pane_block(&ctx.theme, "Map".to_string(), false);
    let inner = block.inner(area);
    f.render_widget(block, area);
    draw::draw(f, inner, ctx, index, &View::fit(), selected);
}
