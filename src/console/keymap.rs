//! Keys → commands, in layers: each component has its own (the feed's `/`
//! filters, the help screen's `/` searches), looked up first, then the
//! global one. Bindings are named for the `[keys]` table of the config; the
//! help screen is generated from these layers, so it lists exactly the keys
//! that work.

use std::collections::{BTreeMap, HashMap};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::command::{Arg, Cmd, Verb};
use crate::model::Severity;

/// Where a binding applies: a component's own keys, or everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    Global,
    Feed,
    Roster,
    Tasks,
    Detail,
    Outbox,
    Attention,
    Map,
    Board,
    Help,
    Messages,
}

impl Layer {
    pub fn title(self) -> &'static str {
        match self {
            Layer::Global => "Everywhere",
            Layer::Feed => "Incident feed",
            Layer::Roster => "Agency roster",
            Layer::Tasks => "Tasks",
            Layer::Detail => "Incident detail",
            Layer::Outbox => "Outbox",
            Layer::Attention => "Attention",
            Layer::Map => "Map",
            Layer::Board => "Sector board",
            Layer::Help => "Help",
            Layer::Messages => "Messages",
        }
    }
}

/// One named binding: a command (with any argument it presets) and its default keys.
#[derive(Debug, Clone)]
pub struct Binding {
    pub name: &'static str,
    pub layer: Layer,
    pub cmd: Cmd,
    pub keys: &'static [&'static str],
    /// What help says, when the verb's own help does not fit the preset argument.
    pub help: Option<&'static str>,
}

fn b(name: &'static str, layer: Layer, verb: Verb, keys: &'static [&'static str]) -> Binding {
    Binding {
        name,
        layer,
        cmd: Cmd::bare(verb),
        keys,
        help: None,
    }
}

fn sev(
    name: &'static str,
    s: Severity,
    key: &'static [&'static str],
    help: &'static str,
) -> Binding {
    Binding {
        name,
        layer: Layer::Global,
        cmd: Cmd::with(Verb::Severity, Arg::Severity(s)),
        keys: key,
        help: Some(help),
    }
}

/// Every default binding.
pub fn defaults() -> Vec<Binding> {
    use Layer::*;
    use Verb as V;
    let searchable = [(Detail, "detail"), (Help, "help"), (Messages, "messages")];
    let mut all = vec![
        b("down", Global, V::Down, &["j", "down"]),
        b("up", Global, V::Up, &["k", "up"]),
        b("top", Global, V::Top, &["g", "home"]),
        b("bottom", Global, V::Bottom, &["G", "end"]),
        b("page-down", Global, V::PageDown, &["pgdn", "ctrl-d"]),
        b("page-up", Global, V::PageUp, &["pgup", "ctrl-u"]),
        b("next-pane", Global, V::NextPane, &["tab"]),
        b("prev-pane", Global, V::PrevPane, &["backtab"]),
        b("open", Global, V::Open, &["enter"]),
        b("back", Global, V::Back, &["esc"]),
        b("ack", Global, V::Ack, &["a"]),
        sev(
            "sev-critical",
            Severity::Critical,
            &["1"],
            "severity critical",
        ),
        sev("sev-high", Severity::High, &["2"], "severity high"),
        sev("sev-medium", Severity::Medium, &["3"], "severity medium"),
        sev("sev-low", Severity::Low, &["4"], "severity low"),
        b("status", Global, V::Status, &["s"]),
        b("lead", Global, V::Lead, &["L"]),
        b("note", Global, V::Note, &["i"]),
        b("task", Global, V::Task, &["t"]),
        b("new", Global, V::New, &["c"]),
        b("dismiss", Global, V::Dismiss, &["D"]),
        b("duplicate", Global, V::Duplicate, &["M"]),
        b("handover", Global, V::Handover, &["H"]),
        b("copy", Global, V::Copy, &["y"]),
        b("command", Global, V::Palette, &[":"]),
        b("help", Global, V::Help, &["?", "f1"]),
        b("messages", Global, V::Messages, &["m"]),
        b("outbox", Global, V::Outbox, &["o"]),
        b("attention", Global, V::Attention, &["!"]),
        b("shift", Global, V::Shift, &["S"]),
        b("quit", Global, V::Quit, &["q"]),
        b("mark", Feed, V::Mark, &["space"]),
        b("filter", Global, V::Filter, &["/"]),
        b("next-unacked", Feed, V::NextUnacked, &["n"]),
        b("prev-unacked", Feed, V::PrevUnacked, &["N"]),
        b("sort", Feed, V::Sort, &["f6"]),
        b("sort-roster", Roster, V::Sort, &["f6"]),
        b("sort-tasks", Tasks, V::Sort, &["f6"]),
        b("reapply", Outbox, V::Reapply, &["r"]),
        b("discard", Outbox, V::Discard, &["x"]),
        b("mark-seen", Attention, V::Seen, &["x"]),
        b("map", Global, V::Map, &["v"]),
        b("board", Global, V::Board, &["b"]),
        b("zoom-in", Map, V::ZoomIn, &["+", "="]),
        b("zoom-out", Map, V::ZoomOut, &["-"]),
        b("pan-west", Map, V::PanLeft, &["h", "left"]),
        b("pan-east", Map, V::PanRight, &["l", "right"]),
        b("pan-north", Map, V::PanUp, &["k", "up"]),
        b("pan-south", Map, V::PanDown, &["j", "down"]),
        b("fit", Map, V::Fit, &["0"]),
        b("centre", Map, V::Centre, &["c"]),
        b("next-nearest", Map, V::NextNearest, &["tab", "n"]),
        b("prev-nearest", Map, V::PrevNearest, &["backtab", "N"]),
        b("sort-board", Board, V::Sort, &["f6"]),
    ];
    for (layer, what) in searchable {
        let name = |s: &'static str| -> &'static str {
            match (what, s) {
                ("detail", "search") => "search-detail",
                ("detail", "next") => "search-next-detail",
                ("detail", _) => "search-prev-detail",
                ("help", "search") => "search-help",
                ("help", "next") => "search-next-help",
                ("help", _) => "search-prev-help",
                (_, "search") => "search-messages",
                (_, "next") => "search-next-messages",
                _ => "search-prev-messages",
            }
        };
        all.push(b(name("search"), layer, V::Search, &["/"]));
        all.push(b(name("next"), layer, V::SearchNext, &["n"]));
        all.push(b(name("prev"), layer, V::SearchPrev, &["N"]));
    }
    all
}

/// A key as written in the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub fn from_event(e: &KeyEvent) -> Key {
        // Shift is part of the character itself (`G`, `N`), not a modifier here.
        Key {
            code: e.code,
            ctrl: e.modifiers.contains(KeyModifiers::CONTROL),
            alt: e.modifiers.contains(KeyModifiers::ALT),
        }
    }

    pub fn parse(s: &str) -> Result<Key, String> {
        let mut rest = s;
        let (mut ctrl, mut alt) = (false, false);
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" | "shift-tab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" => KeyCode::PageUp,
            "pgdn" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "backspace" => KeyCode::Backspace,
            f if f.len() > 1 && f.starts_with('f') => f[1..]
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=12).contains(n))
                .map(KeyCode::F)
                .ok_or_else(|| format!("unknown key `{s}`"))?,
            c => {
                let mut chars = c.chars();
                match (chars.next(), chars.next()) {
                    (Some(ch), None) => KeyCode::Char(ch),
                    _ => return Err(format!("unknown key `{s}`")),
                }
            }
        };
        Ok(Key { code, ctrl, alt })
    }

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        match (self.ctrl, self.alt) {
            (true, _) => format!("C-{base}"),
            (_, true) => format!("M-{base}"),
            _ => base,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Keymap {
    by_key: HashMap<(Layer, Key), usize>,
    bindings: Vec<(Binding, Vec<Key>)>,
}

impl Keymap {
    /// The defaults with `overrides` (binding name → keys) applied.
    pub fn new(overrides: &BTreeMap<String, Vec<String>>) -> Result<Keymap, String> {
        let mut bindings = Vec::new();
        let defaults = defaults();
        for name in overrides.keys() {
            if !defaults.iter().any(|b| b.name == name) {
                return Err(format!("[keys] {name}: no such command"));
            }
        }
        for binding in defaults {
            let keys = match overrides.get(binding.name) {
                Some(keys) => keys
                    .iter()
                    .map(|k| Key::parse(k).map_err(|e| format!("[keys] {}: {e}", binding.name)))
                    .collect::<Result<Vec<_>, _>>()?,
                None => binding
                    .keys
                    .iter()
                    .map(|k| Key::parse(k))
                    .collect::<Result<Vec<_>, _>>()?,
            };
            bindings.push((binding, keys));
        }
        let mut by_key: HashMap<(Layer, Key), usize> = HashMap::new();
        for (i, (binding, keys)) in bindings.iter().enumerate() {
            let overridden = overrides.contains_key(binding.name);
            for k in keys {
                if let Some(other) = by_key.insert((binding.layer, *k), i) {
                    let other_overridden = overrides.contains_key(bindings[other].0.name);
                    match (overridden, other_overridden) {
                        // A rebound key takes the place of a default one.
                        (false, true) => {
                            by_key.insert((binding.layer, *k), other);
                        }
                        (true, false) => {}
                        _ => {
                            return Err(format!(
                                "[keys] `{}` is bound to both {} and {}",
                                k.label(),
                                bindings[other].0.name,
                                binding.name
                            ));
                        }
                    }
                }
            }
        }
        Ok(Keymap { by_key, bindings })
    }

    /// The command a key means in `layer` (its own bindings first, then the global ones).
    pub fn command(&self, layer: Layer, e: &KeyEvent) -> Option<&Cmd> {
        let k = Key::from_event(e);
        self.by_key
            .get(&(layer, k))
            .or_else(|| self.by_key.get(&(Layer::Global, k)))
            .map(|i| &self.bindings[*i].0.cmd)
    }

    /// The first key of the binding named `name`, as help shows it.
    pub fn first_key(&self, name: &str) -> Option<String> {
        self.keys_of(name).first().map(Key::label)
    }

    fn keys_of(&self, name: &str) -> &[Key] {
        self.bindings
            .iter()
            .find(|(b, _)| b.name == name)
            .map(|(_, k)| k.as_slice())
            .unwrap_or_default()
    }

    /// Help lines by layer: (keys, what they do), only for keys still bound.
    pub fn help(&self) -> Vec<(Layer, Vec<(String, String)>)> {
        let mut by_layer: BTreeMap<Layer, Vec<(String, String)>> = BTreeMap::new();
        for (i, (binding, keys)) in self.bindings.iter().enumerate() {
            let live: Vec<String> = keys
                .iter()
                .filter(|k| self.by_key.get(&(binding.layer, **k)) == Some(&i))
                .map(Key::label)
                .collect();
            if live.is_empty() {
                continue;
            }
            let help = binding.help.unwrap_or(binding.cmd.verb.help());
            by_layer
                .entry(binding.layer)
                .or_default()
                .push((live.join(" "), help.to_string()));
        }
        by_layer.into_iter().collect()
    }

    /// Every binding, for tests and the README's key table.
    pub fn bindings(&self) -> impl Iterator<Item = (&Binding, &[Key])> {
        self.bindings.iter().map(|(b, k)| (b, k.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn layers_shadow_the_global_keys() {
        let k = Keymap::new(&BTreeMap::new()).unwrap();
        assert_eq!(
            k.command(Layer::Feed, &key('/')).unwrap().verb,
            Verb::Filter
        );
        assert_eq!(
            k.command(Layer::Help, &key('/')).unwrap().verb,
            Verb::Search
        );
        assert_eq!(k.command(Layer::Roster, &key('a')).unwrap().verb, Verb::Ack);
        assert_eq!(
            k.command(Layer::Outbox, &key('x')).unwrap().verb,
            Verb::Discard
        );
        assert!(k.command(Layer::Feed, &key('x')).is_none());
    }

    #[test]
    fn overrides_rebind_and_conflicts_are_named() {
        let mut o = BTreeMap::new();
        o.insert("ack".to_string(), vec!["x".to_string()]);
        let k = Keymap::new(&o).unwrap();
        assert_eq!(k.command(Layer::Feed, &key('x')).unwrap().verb, Verb::Ack);
        assert!(k.command(Layer::Feed, &key('a')).is_none());
        o.insert("note".to_string(), vec!["x".to_string()]);
        let e = Keymap::new(&o).unwrap_err();
        assert!(e.contains("`x` is bound to both"), "{e}");
        let mut bad = BTreeMap::new();
        bad.insert("frobnicate".to_string(), vec!["z".to_string()]);
        assert!(Keymap::new(&bad).unwrap_err().contains("no such command"));
    }

    #[test]
    fn binding_names_are_unique() {
        let mut names: Vec<&str> = defaults().iter().map(|b| b.name).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}
