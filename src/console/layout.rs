//! Where each part of the screen goes, by terminal size. A leaf: the app
//! (for paging) and the view (for drawing) both ask it.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

/// The panes of the main screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Feed,
    Roster,
    Tasks,
}

impl Pane {
    pub const ALL: [Pane; 3] = [Pane::Feed, Pane::Roster, Pane::Tasks];
}

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;
/// From this width the roster and tasks sit beside the feed instead of below it.
pub const WIDE: u16 = 120;
/// From this width a map of the feed's selection sits in the side column, under the tasks.
pub const WITH_MAP: u16 = 180;

pub struct Areas {
    pub header: Rect,
    pub body: Rect,
    pub hints: Rect,
    pub message: Rect,
}

pub fn screen(area: Rect) -> Areas {
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .split(area);
    Areas {
        header: rows[0],
        body: rows[1],
        hints: rows[2],
        message: rows[3],
    }
}

pub struct Main {
    pub feed: Rect,
    pub map: Option<Rect>,
    pub roster: Option<Rect>,
    pub tasks: Option<Rect>,
}

/// Width of the side column (roster over tasks) on a wide terminal: what
/// their content needs, the feed taking everything else.
fn side_width(width: u16) -> u16 {
    (width * 35 / 100).clamp(50, 72)
}

/// The main screen's panes. Narrow terminals show the roster or the tasks
/// below the feed, whichever has (or last had) focus.
pub fn main(body: Rect, pane: Pane) -> Main {
    if body.width >= WIDE {
        let cols = Layout::default()
            .direction(Direction::Horizontal)
            .constraints([
                Constraint::Min(40),
                Constraint::Length(side_width(body.width)),
            ])
            .split(body);
        // Wide enough for the map: it takes the foot of the side column.
        let with_map = body.width >= WITH_MAP;
        let shares = if with_map { [30, 30, 40] } else { [50, 50, 0] };
        let right = Layout::default()
            .direction(Direction::Vertical)
            .constraints(shares.map(Constraint::Percentage))
            .split(cols[1]);
        Main {
            feed: cols[0],
            map: with_map.then(|| right[2]),
            roster: Some(right[0]),
            tasks: Some(right[1]),
        }
    } else {
        let rows = Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Percentage(60), Constraint::Percentage(40)])
            .split(body);
        let (roster, tasks) = if pane == Pane::Roster {
            (Some(rows[1]), None)
        } else {
            (None, Some(rows[1]))
        };
        Main {
            feed: rows[0],
            map: None,
            roster,
            tasks,
        }
    }
}

/// Feed rows visible at this terminal size (inside the pane's border, below its header row).
pub fn feed_rows(size: (u16, u16)) -> usize {
    let areas = screen(Rect::new(0, 0, size.0, size.1));
    main(areas.body, Pane::Feed).feed.height.saturating_sub(3) as usize
}

/// The inside of a full-screen page (help, detail, messages, outbox): the
/// body less its frame.
pub fn page(size: (u16, u16)) -> Rect {
    let body = screen(Rect::new(0, 0, size.0, size.1)).body;
    Rect::new(
        body.x.saturating_add(1),
        body.y.saturating_add(1),
        body.width.saturating_sub(2),
        body.height.saturating_sub(2),
    )
}

pub fn too_small(size: (u16, u16)) -> bool {
    size.0 < MIN_WIDTH || size.1 < MIN_HEIGHT
}
