//! Drawing the map into an area: the outline layer ([`super::layer`]), then,
//! cell by cell on top, the incidents binned into the grid (one glyph per
//! severity, a count where several share a cell), the units, the crossings
//! and towns where their labels do not collide, the cursor and the
//! selection. Incidents are binned, never drawn one by one, so 100k cost one
//! pass over the feed index's packed spots.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use uuid::Uuid;

use super::layer;
use super::view::{self, View};
use crate::console::context::Context;
use crate::console::feed_index::FeedIndex;
use crate::model::{Severity, UnitStatus};
use crate::reference::PlaceKind;
use crate::reference::towns::{TownKind, towns};

/// The incidents of one cell.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bin {
    pub count: u32,
    pub worst: Option<Severity>,
    pub overdue: bool,
}

/// The glyph of a severity: shape first, colour second.
pub fn glyph(s: Severity) -> char {
    match s {
        Severity::Critical => '▲',
        Severity::High => '◆',
        Severity::Medium => '●',
        Severity::Low => '○',
    }
}

fn unit_glyph(s: UnitStatus) -> char {
    match s {
        UnitStatus::Available => '□',
        UnitStatus::OnScene => '■',
        UnitStatus::Assigned | UnitStatus::EnRoute | UnitStatus::Returning => '▣',
        UnitStatus::OutOfService | UnitStatus::OffDuty => '▫',
    }
}

/// The legend, for the help line and the panel.
pub const LEGEND: &str = "▲ critical ◆ high ● medium ○ low (reversed: overdue; a digit: that many) · □ unit available ▣ tasked ■ on scene · × crossing";

/// What one frame of the map showed, for the panel and the keys.
pub struct Drawn {
    pub frame: view::Frame,
    /// Open incidents the filter shows, in view or not.
    pub shown: usize,
}

/// Bins the incidents the feed's filter shows (open ones) into the cells of
/// `g`; with how many there are, in view or not.
pub fn bins(index: &FeedIndex, g: &view::Frame) -> (Vec<Bin>, usize) {
    let (w, h) = (usize::from(g.area.width), usize::from(g.area.height));
    let mut out = vec![Bin::default(); w * h];
    let mut shown = 0;
    for f in index.spots().iter().filter(|s| s.drawn) {
        shown += 1;
        let Some((x, y)) = g.cell(f64::from(f.lat), f64::from(f.lon)) else {
            continue;
        };
        let at = usize::from(y - g.area.y) * w + usize::from(x - g.area.x);
        if let Some(b) = out.get_mut(at) {
            b.count += 1;
            b.overdue |= f.overdue;
            b.worst = b.worst.max(Some(f.severity));
        }
    }
    (out, shown)
}

/// Draws the map of `view` into `area`, `selected` highlighted.
pub fn draw(
    f: &mut Frame,
    area: Rect,
    ctx: &Context,
    index: &FeedIndex,
    view: &View,
    selected: Option<Uuid>,
) -> Drawn {
    let g = view.frame(area);
    let buf = f.buffer_mut();
    layer::draw(buf, ctx, &g);
    let mut taken = Taken::new(area);
    let (bins, shown) = bins(index, &g);
    draw_incidents(buf, &mut taken, ctx, &bins, area);
    draw_units(buf, &mut taken, ctx, &g);
    // The selection's brackets go where no label may.
    let selected_at = selected
        .and_then(|id| position(ctx, index, id))
        .and_then(|(lat, lon, _)| g.cell(lat, lon));
    let free_beside = selected_at.map(|(x, y)| {
        let free = |x: Option<u16>| x.is_some_and(|x| !taken.get(x, y));
        (free(x.checked_sub(1)), free(x.checked_add(1)))
    });
    if let Some((x, y)) = selected_at {
        taken.set(x.saturating_sub(1), y);
        taken.set(x.saturating_add(1), y);
    }
    draw_labels(buf, &mut taken, ctx, &g);
    let (cx, cy) = g.cursor();
    if !taken.get(cx, cy) {
        buf.set_string(cx, cy, "+", ctx.theme.unacked);
    }
    if let (Some(id), Some(beside)) = (selected, free_beside) {
        highlight(buf, ctx, index, &g, id, beside);
    }
    Drawn { frame: g, shown }
}

/// Cells already holding something the officer must see.
struct Taken {
    area: Rect,
    cells: Vec<bool>,
}

impl Taken {
    fn new(area: Rect) -> Taken {
        Taken {
            area,
            cells: vec![false; usize::from(area.width) * usize::from(area.height)],
        }
    }

    fn slot(&self, x: u16, y: u16) -> Option<usize> {
        self.area.contains((x, y).into()).then(|| {
            usize::from(y - self.area.y) * usize::from(self.area.width)
                + usize::from(x - self.area.x)
        })
    }

    fn get(&self, x: u16, y: u16) -> bool {
        self.slot(x, y)
            .and_then(|s| self.cells.get(s))
            .copied()
            .unwrap_or(true)
    }

    fn set(&mut self, x: u16, y: u16) {
        if let Some(c) = self.slot(x, y).and_then(|s| self.cells.get_mut(s)) {
            *c = true;
        }
    }

    /// Whether `len` cells from (x, y) rightwards are all free and inside.
    fn free(&self, x: u16, y: u16, len: u16) -> bool {
        (0..len).all(|i| x.checked_add(i).is_some_and(|x| !self.get(x, y)))
    }
}

fn draw_incidents(buf: &mut Buffer, taken: &mut Taken, ctx: &Context, bins: &[Bin], area: Rect) {
    let w = usize::from(area.width);
    for (i, b) in bins.iter().enumerate() {
        let Some(worst) = b.worst else { continue };
        let x = area.x + (i % w) as u16;
        let y = area.y + (i / w) as u16;
        let mut style = ctx.theme.severity(worst);
        if b.overdue {
            style = style.add_modifier(Modifier::REVERSED | Modifier::BOLD);
        }
        let text = match b.count {
            1 => glyph(worst).to_string(),
            n if n < 10 => n.to_string(),
            n if n < 100 && taken.free(x + 1, y, 1) => n.to_string(),
            _ => "+".to_string(),
        };
        for k in 0..text.chars().count() as u16 {
            taken.set(x + k, y);
        }
        buf.set_string(x, y, text, style);
    }
}

fn draw_units(buf: &mut Buffer, taken: &mut Taken, ctx: &Context, g: &view::Frame) {
    for u in ctx.mirror.units.values() {
        let Some(p) = &u.last_position else { continue };
        let Some((x, y)) = g.cell(p.lat, p.lon) else {
            continue;
        };
        if taken.get(x, y) {
            continue;
        }
        taken.set(x, y);
        let style = match u.status {
            UnitStatus::Available => ctx.theme.ok,
            UnitStatus::OutOfService | UnitStatus::OffDuty => ctx.theme.dim,
            _ => ctx.theme.unacked,
        };
        buf.set_string(x, y, unit_glyph(u.status).to_string(), style);
    }
}

/// Crossings first, then the sectors, the cities and (zoomed in) the towns:
/// each label where it collides with nothing.
fn draw_labels(buf: &mut Buffer, taken: &mut Taken, ctx: &Context, g: &view::Frame) {
    let place = |kind: PlaceKind, mark: char| {
        ctx.places
            .iter()
            .filter(move |p| p.kind == kind)
            .map(move |p| {
                (
                    mark,
                    p.name.as_str(),
                    p.lat,
                    p.lon,
                    kind == PlaceKind::Crossing,
                )
            })
    };
    let with_towns = g.km_per_col <= 4.0;
    let towns = towns()
        .iter()
        .filter(|t| t.kind == TownKind::City || with_towns)
        .map(|t| ('·', t.name.as_str(), t.lat, t.lon, false));
    let labels = place(PlaceKind::Crossing, '×')
        .chain(place(PlaceKind::Sector, '·'))
        .chain(towns);
    // A cell of air around each label keeps two names from running together.
    let mut named = std::collections::HashSet::new();
    for (mark, name, lat, lon, crossing) in labels {
        let Some((x, y)) = g.cell(lat, lon) else {
            continue;
        };
        if !named.insert(name) {
            continue;
        }
        let len = name.chars().count() as u16;
        let style = if crossing {
            ctx.theme.unacked
        } else {
            Style::default()
        };
        // The mark and the name on the place; or, where a unit or an
        // incident holds the place, the name beside it, right or left.
        let spot = if taken.free(x, y, len + 1) {
            buf.set_string(x, y, mark.to_string(), style);
            Some(x + 1)
        } else if taken.free(x + 1, y, len) {
            Some(x + 1)
        } else {
            x.checked_sub(len + 1)
                .filter(|left| *left >= g.area.x && taken.free(*left, y, len))
        };
        let Some(at) = spot else { continue };
        buf.set_string(at, y, name, style);
        for k in at.saturating_sub(1)..at + len + 1 {
            taken.set(k, y);
        }
    }
}

/// Where an incident is and how severe: from the feed's facts, or the state.
fn position(ctx: &Context, index: &FeedIndex, id: Uuid) -> Option<(f64, f64, Severity)> {
    match (index.get(&id), ctx.incident(&id)) {
        (Some(f), _) => Some((f64::from(f.lat), f64::from(f.lon), f.severity)),
        (None, Some(i)) => Some((i.location.lat, i.location.lon, i.severity)),
        _ => None,
    }
}

/// The selection reversed, in brackets where they hide nothing else.
fn highlight(
    buf: &mut Buffer,
    ctx: &Context,
    index: &FeedIndex,
    g: &view::Frame,
    id: Uuid,
    (left_free, right_free): (bool, bool),
) {
    let Some((lat, lon, sev)) = position(ctx, index, id) else {
        return;
    };
    let Some((x, y)) = g.cell(lat, lon) else {
        return;
    };
    let shown = buf
        .cell((x, y))
        .map(|c| c.symbol().to_string())
        .filter(|s| s.chars().any(|c| c.is_ascii_digit() || "▲◆●○+".contains(c)))
        .unwrap_or_else(|| glyph(sev).to_string());
    buf.set_string(x, y, shown, ctx.theme.selected.add_modifier(Modifier::BOLD));
    if left_free && x > g.area.x {
        buf.set_string(x - 1, y, "[", ctx.theme.selected);
    }
    if right_free && x + 1 < g.area.right() {
        buf.set_string(x + 1, y, "]", ctx.theme.selected);
    }
}
