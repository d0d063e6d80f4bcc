//! Where each part of the screen goes, by terminal size.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

use crate::console::state::Pane;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;
/// From this width the roster and tasks sit beside the feed instead of below it.
pub const WIDE: u16 = 120;

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
    pub roster: Option<Rect>,
    pub tasks: Option<Rect>,
}

/// The main screen's panes. Narrow terminals show the roster or the tasks
/// below the feed, whichever has (or last had) focus.
pub fn main(body: Rect, pane: Pane) -> Main {
    if body.width >= WIDE {
        let cols = Layout::default()
            .direction(Direction::Horizontal)
            .constraints([Constraint::Percentage(60), Constraint::Percentage(40)])
            .split(body);
        let right = Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Percentage(50), Constraint::Percentage(50)])
            .split(cols[1]);
        Main {
            feed: cols[0],
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
            roster,
            tasks,
        }
    }
}

/// Feed rows visible at this terminal size (inside the pane's border).
pub fn feed_rows(size: (u16, u16)) -> usize {
    let areas = screen(Rect::new(0, 0, size.0, size.1));
    main(areas.body, Pane::Feed).feed.height.saturating_sub(2) as usize
}
