//! Help can never list what does not work: every `:` command it lists runs,
//! every key it lists does something where it says, and the README's key
//! table is the one the live keymap makes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tandem::console::action::{Action, Effect};
use tandem::console::app::{App, update};
use tandem::console::components::help;
use tandem::console::dialogs::{Dialog, Purpose};
use tandem::console::keymap::{Keymap, Layer};
use tandem::model::Role;

use super::common::render;
use super::fixture::*;

/// A `:` line for a usage as help prints it, its arguments filled in.
fn sample(usage: &str) -> String {
    usage
        .replace("[start or end [NOTE]]", "end quiet night")
        .replace("MARKING [AGENCY…]", "amber ISA")
        .replace("MARKING", "red")
        .replace("[REASON [REFERENCE]]", "duplicate TRP-26-00002")
        .replace("[AGENCY TITLE]", "LCG-W Check the boat")
        .replace("LEVEL", "low")
        .replace("[STATUS]", "responding")
        .replace("[AGENCY]", "LCG-W")
        .replace("[TEXT]", "checked")
        .replace("[REFERENCE]", "TRP-26-00002")
        .replace("[CENTRE]", "BEN")
        .replace("COLUMN", "reference")
        .replace("[EXPR]", "sev>=high")
        .replace("csv|geojson FILE", "csv /tmp/tandem-help-export.csv")
}

fn frame(app: &App) -> String {
    let (w, h) = app.ctx.size;
    render(app, w, h).join("\n")
}

/// What the officer would notice: the screen changed or something was sent.
fn noticed(app: &mut App, action: Action) -> bool {
    let before = frame(app);
    let effects = update(app, action);
    !effects.is_empty() || frame(app) != before
}

fn refused_line(app: &App) -> Option<String> {
    match &app.dialog {
        Some(Dialog::Line(d)) if d.purpose == Purpose::Command => d
            .note
            .as_ref()
            .filter(|(refusal, _)| *refusal)
            .map(|(_, why)| why.clone()),
        _ => None,
    }
}

#[test]
fn every_command_help_lists_runs() {
    let commands = help::commands();
    assert!(commands.len() >= 20, "{commands:?}");
    for (usage, _) in commands {
        let mut forms = vec![sample(usage)];
        // An optional argument may be left out too.
        if let Some((bare, _)) = usage.split_once(" [") {
            forms.push(sample(bare));
        }
        for line in forms {
            let mut f = fixture(Role::Supervisor, (200, 60));
            update(&mut f.app, key(':'));
            typed(&mut f.app, &line);
            assert!(
                noticed(&mut f.app, code(KeyCode::Enter)),
                ":{line} did nothing visible"
            );
            assert_eq!(
                refused_line(&f.app),
                None,
                ":{line} (help lists `:{usage}`)"
            );
            let said = f
                .app
                .ctx
                .messages
                .last()
                .map(|m| m.text.clone())
                .unwrap_or_default();
            assert!(!said.contains("unknown command"), ":{line}: {said}");
        }
    }
}

/// Puts the app where `layer`'s keys apply.
fn go_to(app: &mut App, layer: Layer) {
    match layer {
        Layer::Global | Layer::Feed => {}
        Layer::Roster => {
            update(app, code(KeyCode::Tab));
        }
        Layer::Tasks => {
            update(app, code(KeyCode::Tab));
            update(app, code(KeyCode::Tab));
        }
        Layer::Detail => {
            update(app, code(KeyCode::Enter));
        }
        Layer::Attention => {
            let q = attention_of(app);
            update(
                app,
                Action::Net(tandem::console::action::NetEvent::Attention(q)),
            );
            update(app, key('!'));
        }
        Layer::Outbox => {
            let effects = update(app, key('4'));
            queue(app, &effects);
            update(app, key('o'));
        }
        Layer::Help => {
            update(app, key('?'));
        }
        Layer::Map => {
            // Zoomed in once, so that fitting Libya again shows.
            update(app, key('v'));
            update(app, key('+'));
        }
        Layer::Board => {
            update(app, key('b'));
        }
        Layer::Messages => {
            for n in 0..80 {
                app.ctx.say(
                    tandem::console::context::Level::Info,
                    format!("message {n}"),
                );
            }
            update(app, key('m'));
        }
    }
}

#[test]
fn every_key_help_lists_does_something_where_it_says() {
    let keymap = Keymap::new(&Default::default()).unwrap();
    let listed = keymap.help();
    let mut tried = 0;
    for (binding, keys) in keymap.bindings() {
        for k in keys {
            let event = KeyEvent::new(
                k.code,
                if k.ctrl {
                    KeyModifiers::CONTROL
                } else {
                    KeyModifiers::NONE
                },
            );
            // Shadowed keys (a layer's own binding wins) are not listed and not tried.
            if keymap.command(binding.layer, &event) != Some(&binding.cmd) {
                continue;
            }
            let label = k.label();
            assert!(
                listed.iter().any(|(layer, rows)| *layer == binding.layer
                    && rows
                        .iter()
                        .any(|(keys, _)| keys.split(' ').any(|l| l == label))),
                "help does not list {label} for {}",
                binding.name
            );
            let mut f = fixture(Role::Supervisor, (120, 40));
            go_to(&mut f.app, binding.layer);
            // Somewhere to move from: one row down first for the keys that go up.
            if ["up", "top", "page-up", "prev-pane", "prev-unacked"].contains(&binding.name)
                || binding.name.starts_with("search-prev")
            {
                update(&mut f.app, code(KeyCode::Down));
                update(&mut f.app, code(KeyCode::Down));
            }
            if binding.name.starts_with("search-next") || binding.name.starts_with("search-prev") {
                update(&mut f.app, key('/'));
                typed(&mut f.app, "e");
                update(&mut f.app, code(KeyCode::Enter));
            }
            if binding.name == "back" {
                update(&mut f.app, key(' '));
            }
            assert!(
                noticed(&mut f.app, Action::Key(event)),
                "{label} ({}) in {:?} did nothing visible",
                binding.name,
                binding.layer
            );
            tried += 1;
        }
    }
    assert!(tried >= 40, "only {tried} keys tried");
}

#[test]
fn the_readme_key_table_is_the_live_keymap() {
    let table = help::markdown(&Keymap::new(&Default::default()).unwrap());
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = "<!-- keys: generated from the keymap; tests/console/help.rs keeps it so -->\n";
    let end = "<!-- keys end -->";
    let (_, rest) = readme
        .split_once(start)
        .expect("the README's key table markers");
    let (shown, _) = rest.split_once(end).expect("the end marker");
    assert!(
        shown == table,
        "the README's key table differs from the keymap; put this between the markers:\n{table}"
    );
}

#[test]
fn ctrl_c_quits_from_anywhere_help_says_so() {
    let mut f = fixture(Role::DutyOfficer, (80, 24));
    update(&mut f.app, key('?'));
    assert!(
        frame(&f.app).contains("Ctrl-C") || {
            // The last page of help carries it.
            update(&mut f.app, code(KeyCode::End));
            frame(&f.app).contains("Ctrl-C always quits")
        }
    );
    let effects = update(
        &mut f.app,
        Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert_eq!(effects, vec![Effect::Quit]);
}
