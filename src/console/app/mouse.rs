//! The mouse: the wheel scrolls the pane under the pointer, a click focuses
//! a pane and selects the row under it.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::{App, Screen, run};
use crate::console::action::Effect;
use crate::console::command::{Cmd, Verb};
use crate::console::layout::{self, Pane};

/// The wheel scrolls the pane under the pointer; a click focuses it and selects the row.
pub(super) fn mouse(app: &mut App, m: MouseEvent) -> Vec<Effect> {
    if app.dialog.is_some() || layout::too_small(app.ctx.size) {
        return Vec::new();
    }
    let at = Position::new(m.column, m.row);
    let (w, h) = app.ctx.size;
    let body = layout::screen(Rect::new(0, 0, w, h)).body;
    if matches!(app.screen, Screen::Main) {
        let areas = layout::main(body, app.pane);
        let hit = [
            (Pane::Feed, Some(areas.feed)),
            (Pane::Roster, areas.roster),
            (Pane::Tasks, areas.tasks),
        ]
        .into_iter()
        .find_map(|(p, r)| r.filter(|r| r.contains(at)).map(|r| (p, r)));
        let Some((pane, area)) = hit else {
            return Vec::new();
        };
        app.pane = pane;
        let row = m.row.saturating_sub(area.y + 1) as usize;
        return match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                let (component, ctx) = app.focused();
                component.click(row, ctx);
                Vec::new()
            }
            MouseEventKind::ScrollDown => run(app, &Cmd::bare(Verb::Down)),
            MouseEventKind::ScrollUp => run(app, &Cmd::bare(Verb::Up)),
            _ => Vec::new(),
        };
    }
    match m.kind {
        MouseEventKind::ScrollDown => run(app, &Cmd::bare(Verb::Down)),
        MouseEventKind::ScrollUp => run(app, &Cmd::bare(Verb::Up)),
        _ => Vec::new(),
    }
}
