//! Moving around: selection, panes, screens, the filter, quitting.

use super::action::Effect;
use super::filter::Filter;
use super::state::{App, Confirmed, Level, Overlay, Pane, Screen};

/// Rows of the feed that fit on screen (for paging and scrolling).
pub fn feed_height(app: &App) -> usize {
    super::view::layout::feed_rows(app.size)
}

pub fn move_feed(app: &mut App, n: isize) {
    app.selected = app.feed.step(app.selected, n);
    app.top = app.feed.scroll_to(app.top, app.selected, feed_height(app));
    app.tasks_selected = 0;
}

pub fn feed_edge(app: &mut App, last: bool) {
    app.selected = if last {
        app.feed.last()
    } else {
        app.feed.first()
    };
    app.top = app.feed.scroll_to(None, app.selected, feed_height(app));
}

/// Keeps a valid selection after the feed changed (selection stays on its incident).
pub fn keep_selection(app: &mut App) {
    if app.selected.is_none_or(|s| app.feed.key_of(&s).is_none()) {
        app.selected = app.feed.first();
    }
    app.top = app.feed.scroll_to(app.top, app.selected, feed_height(app));
}

pub fn move_in_pane(app: &mut App, n: isize) {
    match app.pane {
        Pane::Feed => move_feed(app, n),
        Pane::Roster => {
            let len = match app.roster_agency {
                Some(a) => app
                    .mirror
                    .units
                    .values()
                    .filter(|u| u.agency_id == a)
                    .count(),
                None => app.mirror.agencies.len(),
            };
            app.roster_selected = clamp(app.roster_selected, n, len);
        }
        Pane::Tasks => {
            let len = app.visible_tasks().len();
            app.tasks_selected = clamp(app.tasks_selected, n, len);
        }
    }
}

fn clamp(at: usize, n: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    (at as isize + n).clamp(0, len as isize - 1) as usize
}

pub fn cycle_pane(app: &mut App, forward: bool) {
    let order = [Pane::Feed, Pane::Roster, Pane::Tasks];
    let i = order.iter().position(|p| *p == app.pane).unwrap_or(0);
    app.pane = order[(i + if forward { 1 } else { 2 }) % 3];
}

pub fn open(app: &mut App) -> Vec<Effect> {
    match app.pane {
        Pane::Feed => match app.selected {
            Some(id) => {
                app.screen = Screen::Detail { id, scroll: 0 };
                app.detail = None;
                vec![Effect::FetchDetail(id)]
            }
            None => Vec::new(),
        },
        Pane::Roster => {
            if app.roster_agency.is_none() {
                app.roster_agency = app.agencies().get(app.roster_selected).map(|a| a.id);
                app.roster_selected = 0;
            }
            Vec::new()
        }
        Pane::Tasks => {
            app.tasks_all = !app.tasks_all;
            app.tasks_selected = 0;
            Vec::new()
        }
    }
}

pub fn back(app: &mut App) {
    if app.screen != Screen::Main {
        app.screen = Screen::Main;
    } else if app.pane == Pane::Roster && app.roster_agency.is_some() {
        app.roster_agency = None;
    } else if !app.marks.is_empty() {
        app.marks.clear();
    } else if !app.feed.filter.is_empty() {
        set_filter(app, "");
    }
}

pub fn set_filter(app: &mut App, text: &str) {
    let agencies = app.agencies();
    match Filter::parse(text, &agencies) {
        Ok(f) => {
            app.feed.filter = f;
            app.feed.refilter();
            keep_selection(app);
            if !text.trim().is_empty() {
                app.say(
                    Level::Info,
                    format!("filter: {} ({} match)", text.trim(), app.feed.len()),
                );
            }
        }
        Err(e) => app.say(Level::Error, e),
    }
}

pub fn next_unacked(app: &mut App, forward: bool) {
    let found = app.feed.find_next(app.selected, forward, |id| {
        app.mirror
            .incidents
            .get(&id)
            .is_some_and(|i| i.acknowledged_at.is_none() && i.status.is_open())
    });
    match found {
        Some(id) => {
            app.selected = Some(id);
            app.top = app.feed.scroll_to(app.top, app.selected, feed_height(app));
        }
        None => app.say(Level::Info, "no unacknowledged incident in the feed"),
    }
}

pub fn toggle_mark(app: &mut App) {
    if let Some(id) = app.selected {
        if !app.marks.remove(&id) {
            app.marks.insert(id);
        }
        move_feed(app, 1);
    }
}

pub fn quit(app: &mut App) -> Vec<Effect> {
    let waiting = app.outbox.len();
    if waiting == 0 {
        return vec![Effect::Quit];
    }
    app.overlay = Some(Overlay::Confirm {
        text: format!(
            "{waiting} action(s) not yet delivered ({} pending, {} needing review). They stay in the outbox and are sent when the console next runs. Quit anyway?",
            app.pending(),
            app.troubles()
        ),
        action_label: "Quit".into(),
        then: Confirmed::Quit,
        yes: false,
    });
    Vec::new()
}
