//! The console's state and its one entry point, [`update`]: an action comes
//! in, the focused component gets the command first (its own key layer,
//! then the global one), what it does not handle is handled here, and the
//! effects go out. Components never touch each other's fields; the app
//! passes what one needs from another (the selected incident to the tasks
//! pane) and carries out what they ask for (a dialog, another screen).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use time::OffsetDateTime;
use uuid::Uuid;

use super::action::{Action, Effect};
use super::command::{self, Arg, Cmd, Verb};
use super::components::attention::AttentionScreen;
use super::components::board::BoardScreen;
use super::components::detail::DetailScreen;
use super::components::feed::FeedPane;
use super::components::help::HelpScreen;
use super::components::map::MapScreen;
use super::components::messages::MessagesScreen;
use super::components::outbox::OutboxScreen;
use super::components::roster::RosterPane;
use super::components::shift::ShiftScreen;
use super::components::tasks::TasksPane;
use super::components::trends::TrendsScreen;
use super::components::{Component, Go, Outcome};
use super::config::Config;
use super::context::{Context, Level};
use super::dialogs::{Confirmed, Dialog, LineDialog, Step};
use super::keymap::Keymap;
use super::layout::{self, Pane};
use super::triage;

mod mouse;
pub mod sync;
use crate::reference::Place;

/// What fills the body: the panes, or one screen.
pub enum Screen {
    Main,
    Detail(Box<DetailScreen>),
    /// The map reads the feed's index, so the app draws it and hands it that.
    Map(Box<MapScreen>),
    Page(Box<dyn Component>),
}

pub struct App {
    pub ctx: Context,
    pub feed: FeedPane,
    pub roster: RosterPane,
    pub tasks: TasksPane,
    /// The main pane with focus.
    pub pane: Pane,
    pub screen: Screen,
    /// The screen the detail was opened from (the map, the attention
    /// screen…), where Esc goes back to.
    back_to: Option<Screen>,
    pub dialog: Option<Dialog>,
    /// Earlier `:` lines, oldest first.
    history: Vec<String>,
    pub(super) pruned_at: Option<OffsetDateTime>,
}

impl App {
    pub fn new(config: &Config, keymap: Keymap, places: Vec<Place>, now: OffsetDateTime) -> App {
        App {
            ctx: Context::new(config, keymap, places, now),
            feed: FeedPane::default(),
            roster: RosterPane::default(),
            tasks: TasksPane::default(),
            pane: Pane::Feed,
            screen: Screen::Main,
            back_to: None,
            dialog: None,
            history: Vec::new(),
            pruned_at: None,
        }
    }

    /// The component keys go to, beside the context it works on.
    fn focused(&mut self) -> (&mut dyn Component, &mut Context) {
        let component: &mut dyn Component = match &mut self.screen {
            Screen::Detail(d) => d.as_mut(),
            Screen::Map(m) => m.as_mut(),
            Screen::Page(p) => p.as_mut(),
            Screen::Main => match self.pane {
                Pane::Feed => &mut self.feed,
                Pane::Roster => &mut self.roster,
                Pane::Tasks => &mut self.tasks,
            },
        };
        (component, &mut self.ctx)
    }

    fn layer(&mut self) -> super::keymap::Layer {
        self.focused().0.layer()
    }

    /// The incidents the triage commands act on: the one in detail, else the
    /// marked rows in view, else the selected one.
    pub fn targets(&self) -> Vec<Uuid> {
        match self.screen_incident() {
            Some(id) => vec![id],
            None => self.feed.targets(),
        }
    }

    /// The one incident a command acts on (the detail's, a screen's
    /// selection, or the feed's selection in view).
    pub fn target(&self) -> Option<Uuid> {
        self.screen_incident()
            .or_else(|| self.feed.visible_selection())
    }

    /// The incident the open screen is about, if it is about one.
    fn screen_incident(&self) -> Option<Uuid> {
        match &self.screen {
            Screen::Main => None,
            Screen::Detail(d) => Some(d.id),
            Screen::Map(m) => m.incident(),
            Screen::Page(p) => p.incident(),
        }
    }

    /// Keeps what one component shows of another in step.
    pub(super) fn settle(&mut self) {
        self.tasks.incident = self.feed.visible_selection();
    }

    pub fn set_size(&mut self, w: u16, h: u16) {
        self.ctx.size = (w, h);
        self.feed.set_height(layout::feed_rows((w, h)));
    }
}

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let effects = match action {
        Action::Key(k) => key(app, k),
        Action::Mouse(m) => mouse::mouse(app, m),
        Action::Resize(w, h) => {
            app.set_size(w, h);
            Vec::new()
        }
        Action::Tick(now) => {
            sync::tick(app, now);
            Vec::new()
        }
        Action::Net(e) => sync::net(app, e),
    };
    app.settle();
    effects
}

fn key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
        return vec![Effect::Quit];
    }
    if layout::too_small(app.ctx.size) {
        let layer = app.layer();
        let quit = app.ctx.keymap.command(layer, &k).map(|c| c.verb);
        return match quit {
            Some(Verb::Quit) => run(app, &Cmd::bare(Verb::Quit)),
            _ => Vec::new(),
        };
    }
    if let Some(mut d) = app.dialog.take() {
        let step = d.key(&k, &app.ctx);
        return finish(app, d, step);
    }
    let layer = app.layer();
    match app.ctx.keymap.command(layer, &k).cloned() {
        Some(cmd) => run(app, &cmd),
        None => Vec::new(),
    }
}

/// Runs one command: the focused component first, then the app.
pub fn run(app: &mut App, cmd: &Cmd) -> Vec<Effect> {
    if let Screen::Map(m) = &mut app.screen
        && matches!(cmd.verb, Verb::NextNearest | Verb::PrevNearest)
    {
        m.cycle(cmd.verb == Verb::NextNearest, &mut app.ctx, &app.feed.index);
        return Vec::new();
    }
    let (component, ctx) = app.focused();
    if let Some(out) = component.command(cmd, ctx) {
        return apply(app, out);
    }
    let out = global(app, cmd);
    apply(app, out.unwrap_or_default())
}

fn apply(app: &mut App, out: Outcome) -> Vec<Effect> {
    if let Some(d) = out.dialog {
        app.dialog = Some(d);
    }
    match out.go {
        Some(Go::Main) => {
            // Out of a detail: back where it was opened from.
            let from_detail = matches!(app.screen, Screen::Detail(_));
            app.screen = match app.back_to.take() {
                Some(prev) if from_detail => prev,
                _ => Screen::Main,
            };
        }
        Some(Go::Detail(id)) => {
            let prev = std::mem::replace(
                &mut app.screen,
                Screen::Detail(Box::new(DetailScreen::new(id))),
            );
            app.back_to = matches!(prev, Screen::Map(_) | Screen::Page(_)).then_some(prev);
        }
        Some(Go::Page(p)) => {
            app.back_to = None;
            app.screen = Screen::Page(p);
        }
        Some(Go::Map(m)) => {
            app.back_to = None;
            app.screen = Screen::Map(m);
        }
        None => {}
    }
    let mut effects = out.effects;
    if let Some(cmd) = out.then {
        effects.extend(run(app, &cmd));
    }
    effects
}

/// Commands no component took: moving between panes and screens, the
/// command line, quitting, copying, and the triage acts.
fn global(app: &mut App, cmd: &Cmd) -> Option<Outcome> {
    match cmd.verb {
        Verb::NextPane | Verb::PrevPane => {
            if matches!(app.screen, Screen::Main) {
                let i = Pane::ALL.iter().position(|p| *p == app.pane).unwrap_or(0);
                let by = if cmd.verb == Verb::NextPane { 1 } else { 2 };
                app.pane = Pane::ALL[(i + by) % 3];
            }
            Outcome::none()
        }
        Verb::Back => {
            app.screen = Screen::Main;
            app.back_to = None;
            Outcome::none()
        }
        Verb::Palette => Outcome::dialog(Dialog::Line(LineDialog::command(app.history.clone()))),
        Verb::Help => Outcome::page(HelpScreen::default()),
        Verb::Messages => Outcome::page(MessagesScreen::default()),
        Verb::Me => {
            let text = crate::console::rotation::signed_in_as(&app.ctx);
            app.ctx.say(Level::Info, text);
            Outcome::none()
        }
        Verb::RotateToken => crate::console::rotation::ask(&mut app.ctx),
        Verb::Shift => match &cmd.arg {
            crate::console::command::Arg::Text(t) => crate::console::shifts::ask(&mut app.ctx, t),
            _ => Outcome::page(ShiftScreen),
        },
        Verb::AckHandover => crate::console::shifts::acknowledge(&mut app.ctx),
        Verb::Outbox => Outcome::page(OutboxScreen::default()),
        Verb::Board => Outcome::page(BoardScreen::default()),
        Verb::Export => crate::console::export::run(&mut app.ctx, &app.feed.index, &cmd.arg),
        Verb::Trends => TrendsScreen::open(),
        Verb::Map => Outcome::go(Go::Map(Box::new(MapScreen::new(
            app.feed.visible_selection(),
        )))),
        Verb::Attention => Outcome::page(AttentionScreen::new(&app.ctx)),
        Verb::Seen => {
            app.ctx.say(
                Level::Error,
                "`:mark-seen` marks an item of the attention screen (!)",
            );
            Outcome::none()
        }
        Verb::Quit => quit(app),
        Verb::Copy => {
            let reference = app
                .target()
                .and_then(|id| app.ctx.incident(&id))
                .map(|i| i.reference.clone());
            match reference {
                Some(r) => {
                    app.ctx.say(Level::Info, format!("copied {r}"));
                    Some(Outcome {
                        effects: vec![Effect::Copy(r)],
                        ..Outcome::default()
                    })
                }
                None => {
                    app.ctx.say(Level::Error, "nothing selected");
                    Outcome::none()
                }
            }
        }
        // Feed commands typed on the `:` line while another pane has focus.
        Verb::Filter | Verb::Mark | Verb::NextUnacked | Verb::PrevUnacked | Verb::Sort => {
            // The officer is looking at the feed to see what it did.
            app.screen = Screen::Main;
            app.feed.command(cmd, &mut app.ctx)
        }
        Verb::Search => {
            app.ctx.say(
                Level::Error,
                "search works in the help, detail and messages screens",
            );
            Outcome::none()
        }
        Verb::Reapply | Verb::Discard => {
            app.ctx.say(
                Level::Info,
                "open the outbox (o) to re-apply or discard a change",
            );
            Outcome::none()
        }
        _ => {
            let targets = app.targets();
            let out = triage::run(&mut app.ctx, cmd, &targets);
            if out.is_some() && cmd.verb != Verb::New {
                app.feed.marks.clear();
            }
            out
        }
    }
}

fn quit(app: &mut App) -> Option<Outcome> {
    let waiting = app.ctx.outbox.len();
    if waiting == 0 {
        return Some(Outcome {
            effects: vec![Effect::Quit],
            ..Outcome::default()
        });
    }
    Outcome::dialog(Dialog::confirm(
        format!(
            "{waiting} change(s) not yet delivered ({} pending, {} needing review). They stay in the outbox and are sent when the console next runs. Quit anyway?",
            app.ctx.pending(),
            app.ctx.troubles()
        ),
        "Quit",
        Confirmed::Quit,
    ))
}

/// What a dialog's key came to.
fn finish(app: &mut App, mut dialog: Dialog, step: Step) -> Vec<Effect> {
    match step {
        Step::Stay => {
            app.dialog = Some(dialog);
            Vec::new()
        }
        Step::Close => Vec::new(),
        Step::Run { cmd, target } => {
            let targets: Vec<Uuid> = target.into_iter().collect();
            match triage::run(&mut app.ctx, &cmd, &targets) {
                Some(out) => apply(app, out),
                None => run(app, &cmd),
            }
        }
        Step::Call(call) => triage::send(&mut app.ctx, vec![call]),
        Step::Confirmed(Confirmed::Calls(calls)) => triage::send(&mut app.ctx, calls),
        Step::Confirmed(Confirmed::Quit) => vec![Effect::Quit],
        Step::Confirmed(Confirmed::Reapply { seq, call }) => vec![Effect::Reapply { seq, call }],
        Step::Confirmed(Confirmed::Discard(seq)) => vec![Effect::Discard(seq)],
        Step::Confirmed(Confirmed::EndShift(note)) => {
            app.ctx.say(Level::Info, "ending your shift…");
            vec![Effect::Shift(crate::console::shifts::ShiftStep::End {
                note,
            })]
        }
        Step::Filter { text, done } => {
            match (app.feed.set_filter(&text, &app.ctx), &mut dialog) {
                (Ok(n), Dialog::Line(d)) if !done => {
                    d.inform(format!("{n} shown"));
                    app.dialog = Some(dialog);
                }
                (Ok(n), _) => {
                    if !text.trim().is_empty() {
                        app.ctx
                            .say(Level::Info, format!("filter `{}`: {n} shown", text.trim()));
                    }
                }
                (Err(e), Dialog::Line(d)) => {
                    // Nothing is lost: the text stays to be corrected.
                    d.refuse(e);
                    app.dialog = Some(dialog);
                }
                (Err(e), _) => app.ctx.say(Level::Error, e),
            }
            if app.dialog.is_none() {
                app.feed.filter_done();
            }
            Vec::new()
        }
        Step::Command(text) => match command::parse(&text) {
            Ok(cmd) => {
                if app.history.last() != Some(&text) && !text.is_empty() {
                    app.history.push(text);
                }
                run(app, &cmd)
            }
            Err(e) => {
                if let Dialog::Line(d) = &mut dialog {
                    d.refuse(e);
                }
                app.dialog = Some(dialog);
                Vec::new()
            }
        },
        Step::Search(text) => run(app, &Cmd::with(Verb::Search, Arg::Text(text))),
    }
}
