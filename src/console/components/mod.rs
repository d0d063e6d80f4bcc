//! The console's panes and screens. Each is a component: it owns its state
//! (selection, scroll, marks, what it searches for), handles the commands of
//! its own key layer, and draws itself from the shared [`Context`]. The app
//! routes a command to the focused component first and handles it globally
//! only when the component does not.
//!
//! Adding a screen means writing one `Component` and a way to open it: a
//! verb in `command.rs`, its key in `keymap.rs`, and one arm in the app's
//! `global` that answers `Outcome::page(MyScreen::default())`. The app
//! routes keys to it (its layer first), draws it and closes it on `Go::Main`;
//! nothing else reaches into it. The smallest one:
//!
//! ```ignore
//! #[derive(Debug, Default)]
//! pub struct Clock;
//! impl Component for Clock {
//!     fn layer(&self) -> Layer { Layer::Global }
//!     fn command(&mut self, cmd: &Cmd, _: &mut Context) -> Option<Outcome> {
//!         (cmd.verb == Verb::Back).then(|| Outcome::go(Go::Main)).flatten()
//!     }
//!     fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context, _: bool) {
//!         f.render_widget(Paragraph::new(fmt::clock(ctx.now)), area);
//!     }
//! }
//! ```

pub mod attention;
pub mod board;
pub mod detail;
pub mod feed;
pub mod header;
pub mod help;
pub mod map;
pub mod messages;
pub mod outbox;
pub mod roster;
pub mod scroll;
pub mod shift;
pub mod tasks;
pub mod trends;

use ratatui::Frame;
use ratatui::layout::Rect;
use uuid::Uuid;

use super::action::Effect;
use super::command::{Cmd, Verb};
use super::context::Context;
use super::dialogs::Dialog;
use super::keymap::Layer;

/// Where the body of the screen goes next.
#[derive(Debug)]
pub enum Go {
    Main,
    Detail(Uuid),
    /// Any other full screen: help, messages, the outbox, and whatever comes next.
    Page(Box<dyn Component>),
    /// The map, which the app draws with the feed's index.
    Map(Box<map::MapScreen>),
}

/// What handling a command came to, beyond the component's own state.
#[derive(Debug, Default)]
pub struct Outcome {
    pub effects: Vec<Effect>,
    pub dialog: Option<Dialog>,
    pub go: Option<Go>,
    /// A command for the app to run next, after `go` (the board's Enter filters the feed).
    pub then: Option<Cmd>,
}

impl Outcome {
    pub fn none() -> Option<Outcome> {
        Some(Outcome::default())
    }

    /// Opens `page` as the screen.
    pub fn page(page: impl Component + 'static) -> Option<Outcome> {
        Outcome::go(Go::Page(Box::new(page)))
    }

    pub fn go(go: Go) -> Option<Outcome> {
        Some(Outcome {
            go: Some(go),
            ..Outcome::default()
        })
    }

    pub fn dialog(d: Dialog) -> Option<Outcome> {
        Some(Outcome {
            dialog: Some(d),
            ..Outcome::default()
        })
    }
}

pub trait Component: std::fmt::Debug {
    /// The key layer looked up before the global one while this has focus.
    fn layer(&self) -> Layer;

    /// Carries out `cmd` if it means something here; `None` passes it on.
    fn command(&mut self, cmd: &Cmd, ctx: &mut Context) -> Option<Outcome>;

    fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context, focused: bool);

    /// A click on the `row`-th line inside the component's area (0: its first line).
    fn click(&mut self, _row: usize, _ctx: &Context) {}

    /// The incident this component is about, for the triage keys.
    fn incident(&self) -> Option<Uuid> {
        None
    }
}

/// The moving keys of a list of `len` rows; false for any other verb.
pub fn list_move(selected: &mut usize, verb: Verb, len: usize) -> bool {
    *selected = match verb {
        Verb::Down => step(*selected, 1, len),
        Verb::Up => step(*selected, -1, len),
        Verb::PageDown => step(*selected, 10, len),
        Verb::PageUp => step(*selected, -10, len),
        Verb::Top => 0,
        Verb::Bottom => len.saturating_sub(1),
        _ => return false,
    };
    true
}

/// Moves `at` by `by` within `len` items, clamped.
pub fn step(at: usize, by: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    (at as isize + by).clamp(0, len as isize - 1) as usize
}
