//! The map's outline layer: the coast, the land borders, the neighbours
//! and the sectors' areas on a ratatui `Canvas` (Braille, half blocks or
//! dots). It does not move with the incidents, so it is drawn once per view
//! and area and copied into each frame after that.

use std::cell::RefCell;

use geo::Coord;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::symbols::Marker;
use ratatui::widgets::Widget;
use ratatui::widgets::canvas::{
    Canvas, Context as CanvasContext, Line as CanvasLine, Painter, Shape,
};

use super::view;
use crate::console::config::MapMarker;
use crate::console::context::Context;
use crate::reference::outlines::{LineKind, outlines};
use crate::reference::sectors::CROSSING_KM;

/// What an outline layer was drawn for: the coast, borders and sectors do
/// not move, so a frame copies the layer unless the view (or the area) did.
#[derive(Debug, Clone, PartialEq)]
struct LayerKey {
    area: Rect,
    bounds: [u64; 4],
    marker: MapMarker,
    colour: bool,
    places: usize,
}

thread_local! {
    /// The last outline layers drawn: the map screen's and the pane's.
    static LAYERS: RefCell<Vec<(LayerKey, Buffer)>> = const { RefCell::new(Vec::new()) };
}

/// The coast, the borders, the neighbours and the sectors' areas.
fn outline_canvas<'a>(
    ctx: &'a Context,
    g: &view::Frame,
) -> Canvas<'a, impl Fn(&mut CanvasContext) + 'a> {
    let area = g.area;
    let dot = (
        (g.east - g.west) / f64::from(area.width.max(1)) / 2.0,
        (g.north - g.south) / f64::from(area.height.max(1)) / 4.0,
    );
    let colour = ctx.theme.in_colour();
    let tint = move |c: Color| if colour { c } else { Color::Reset };
    let sector_rings: Vec<Vec<Coord<f64>>> = ctx
        .places
        .iter()
        .map(|p| match &p.polygon {
            Some(ring) => ring
                .iter()
                .map(|[lat, lon]| Coord { x: *lon, y: *lat })
                .collect(),
            None => circle(p.lat, p.lon, p.radius_km.unwrap_or(CROSSING_KM)),
        })
        .collect();
    Canvas::default()
        .marker(marker(ctx.map_marker))
        .x_bounds([g.west, g.east])
        .y_bounds([g.south, g.north])
        .paint(move |c| {
            for ring in &sector_rings {
                c.draw(&Outline {
                    points: ring,
                    color: tint(Color::DarkGray),
                    dot,
                });
            }
            c.layer();
            for (kind, line) in &outlines().lines {
                let color = match kind {
                    LineKind::Neighbour => Color::DarkGray,
                    LineKind::Border => Color::Yellow,
                    LineKind::Coast => Color::Cyan,
                };
                c.draw(&Outline {
                    points: &line.0,
                    color: tint(color),
                    dot,
                });
            }
        })
}

/// A line through many points, thinned to what the grid can show.
struct Outline<'a> {
    points: &'a [Coord<f64>],
    color: Color,
    /// The size of one dot of the grid, in degrees (x, y).
    dot: (f64, f64),
}

impl Shape for Outline<'_> {
    fn draw(&self, painter: &mut Painter) {
        let mut last: Option<Coord<f64>> = None;
        for (i, p) in self.points.iter().enumerate() {
            let Some(l) = last else {
                last = Some(*p);
                continue;
            };
            let near = (p.x - l.x).abs() < self.dot.0 && (p.y - l.y).abs() < self.dot.1;
            if near && i + 1 < self.points.len() {
                continue;
            }
            CanvasLine::new(l.x, l.y, p.x, p.y, self.color).draw(painter);
            last = Some(*p);
        }
    }
}

/// A sector's circle as points around it.
fn circle(lat: f64, lon: f64, km: f64) -> Vec<Coord<f64>> {
    (0..=32)
        .map(|k| {
            let t = f64::from(k) / 32.0 * std::f64::consts::TAU;
            let dlat = km / 110.57 * t.sin();
            let dlon = km / (111.32 * lat.to_radians().cos().max(0.1)) * t.cos();
            Coord {
                x: lon + dlon,
                y: lat + dlat,
            }
        })
        .collect()
}

fn marker(m: MapMarker) -> Marker {
    match m {
        MapMarker::Braille => Marker::Braille,
        MapMarker::Block => Marker::HalfBlock,
        MapMarker::Dot => Marker::Dot,
    }
}

/// Puts the outline layer of `g` into `buf`: drawn if the view or the area
/// changed, copied otherwise.
pub fn draw(buf: &mut Buffer, ctx: &Context, g: &view::Frame) {
    let area = g.area;
    let key = LayerKey {
        area,
        bounds: [g.west, g.east, g.south, g.north].map(f64::to_bits),
        marker: ctx.map_marker,
        colour: ctx.theme.in_colour(),
        places: ctx.places.len(),
    };
    LAYERS.with_borrow_mut(|layers| {
        if !layers.iter().any(|(k, _)| *k == key) {
            let mut layer = Buffer::empty(area);
            outline_canvas(ctx, g).render(area, &mut layer);
            // The map screen's and the pane's: two are enough.
            if layers.len() >= 2 {
                layers.remove(0);
            }
            layers.push((key.clone(), layer));
        }
        if let Some((_, layer)) = layers.iter().find(|(k, _)| *k == key) {
            for y in area.top()..area.bottom() {
                for x in area.left()..area.right() {
                    if let (Some(to), Some(from)) = (buf.cell_mut((x, y)), layer.cell((x, y))) {
                        *to = from.clone();
                    }
                }
            }
        }
    });
}
