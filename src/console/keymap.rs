//! Keys → commands. The help screen is generated from this table, so the
//! help can never drift from the keys that actually work.

use std::collections::{BTreeMap, HashMap};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

macro_rules! commands {
    ($($variant:ident = $name:literal, $help:literal, [$($key:literal),*];)+) => {
        /// Everything a key can ask the console to do.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Cmd { $($variant),+ }

        impl Cmd {
            pub const ALL: &'static [Cmd] = &[$(Cmd::$variant),+];
            /// The name used in `[keys]` of the config file.
            pub fn name(self) -> &'static str { match self { $(Cmd::$variant => $name),+ } }
            pub fn help(self) -> &'static str { match self { $(Cmd::$variant => $help),+ } }
            fn default_keys(self) -> &'static [&'static str] { match self { $(Cmd::$variant => &[$($key),*]),+ } }
        }
    };
}

commands! {
    Down = "down", "move down", ["j", "down"];
    Up = "up", "move up", ["k", "up"];
    Top = "top", "first row", ["g", "home"];
    Bottom = "bottom", "last row", ["G", "end"];
    PageDown = "page-down", "page down", ["pgdn", "ctrl-d"];
    PageUp = "page-up", "page up", ["pgup", "ctrl-u"];
    NextPane = "next-pane", "next pane", ["tab"];
    PrevPane = "prev-pane", "previous pane", ["backtab"];
    Open = "open", "open detail / drill into agency", ["enter"];
    Back = "back", "back / close / clear marks", ["esc"];
    Ack = "ack", "acknowledge (marked rows, or the selected one)", ["a"];
    SevCritical = "sev-critical", "severity critical", ["1"];
    SevHigh = "sev-high", "severity high", ["2"];
    SevMedium = "sev-medium", "severity medium", ["3"];
    SevLow = "sev-low", "severity low", ["4"];
    Status = "status", "change status (allowed moves only)", ["s"];
    Lead = "lead", "set lead agency", ["L"];
    Note = "note", "add a note", ["i"];
    Task = "task", "request a task from an agency", ["t"];
    NewIncident = "new", "report a new incident", ["c"];
    Dismiss = "dismiss", "dismiss with a reason", ["D"];
    Duplicate = "duplicate", "mark as duplicate of another incident", ["M"];
    Handover = "handover", "hand over to the other centre (supervisor)", ["H"];
    Mark = "mark", "mark / unmark for bulk acknowledge or severity", ["space"];
    Filter = "filter", "filter the feed", ["/"];
    NextUnacked = "next-unacked", "next unacknowledged incident", ["n"];
    PrevUnacked = "prev-unacked", "previous unacknowledged incident", ["N"];
    Palette = "command", "command line (:ack, :sev, :status, :lead, ...)", [":"];
    Help = "help", "this help", ["?", "f1"];
    Messages = "messages", "message history", ["m"];
    Outbox = "outbox", "the outbox: pending, conflicted and refused changes", ["o"];
    Reapply = "reapply", "in the outbox: re-apply a conflicted change on the current version", ["r"];
    Discard = "discard", "in the outbox: discard a change", ["x"];
    Quit = "quit", "quit (asks when work is pending)", ["q"];
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
            f if f.starts_with('f') && f.len() > 1 && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().map_err(|_| format!("bad key `{s}`"))?)
            }
            c if c.chars().count() == 1 => KeyCode::Char(c.chars().next().unwrap_or(' ')),
            _ => return Err(format!("unknown key `{s}`")),
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
    by_key: HashMap<Key, Cmd>,
    by_cmd: BTreeMap<Cmd, Vec<Key>>,
}

impl Keymap {
    /// The defaults with `overrides` (command name → keys) applied.
    pub fn new(overrides: &BTreeMap<String, Vec<String>>) -> Result<Keymap, String> {
        let mut by_cmd: BTreeMap<Cmd, Vec<Key>> = BTreeMap::new();
        for cmd in Cmd::ALL {
            let keys = cmd
                .default_keys()
                .iter()
                .map(|k| Key::parse(k))
                .collect::<Result<_, _>>()?;
            by_cmd.insert(*cmd, keys);
        }
        for (name, keys) in overrides {
            let cmd = Cmd::ALL
                .iter()
                .find(|c| c.name() == name)
                .ok_or_else(|| format!("[keys] {name}: no such command"))?;
            let parsed = keys
                .iter()
                .map(|k| Key::parse(k).map_err(|e| format!("[keys] {name}: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            by_cmd.insert(*cmd, parsed);
        }
        let mut by_key = HashMap::new();
        for (cmd, keys) in &by_cmd {
            for k in keys {
                if let Some(other) = by_key.insert(*k, *cmd) {
                    if other != *cmd
                        && overrides.contains_key(other.name())
                            == overrides.contains_key(cmd.name())
                    {
                        return Err(format!(
                            "[keys] `{}` is bound to both {} and {}",
                            k.label(),
                            other.name(),
                            cmd.name()
                        ));
                    }
                    // An override takes a key from a default binding.
                    let winner = if overrides.contains_key(cmd.name()) {
                        *cmd
                    } else {
                        other
                    };
                    by_key.insert(*k, winner);
                }
            }
        }
        let by_cmd = by_cmd
            .into_iter()
            .map(|(c, keys)| {
                (
                    c,
                    keys.into_iter()
                        .filter(|k| by_key.get(k) == Some(&c))
                        .collect(),
                )
            })
            .collect();
        Ok(Keymap { by_key, by_cmd })
    }

    pub fn command(&self, e: &KeyEvent) -> Option<Cmd> {
        self.by_key.get(&Key::from_event(e)).copied()
    }

    /// "j ↓" for a command, or "" if unbound.
    pub fn keys_label(&self, cmd: Cmd) -> String {
        self.by_cmd
            .get(&cmd)
            .map(|ks| ks.iter().map(Key::label).collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    }

    /// The first key of a command, for the hint line.
    pub fn first_key(&self, cmd: Cmd) -> Option<String> {
        self.by_cmd
            .get(&cmd)
            .and_then(|ks| ks.first())
            .map(Key::label)
    }

    /// (keys, help) for every bound command, in table order.
    pub fn help_lines(&self) -> Vec<(String, &'static str)> {
        Cmd::ALL
            .iter()
            .map(|c| (self.keys_label(*c), c.help()))
            .filter(|(k, _)| !k.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn defaults_and_overrides() {
        let km = Keymap::new(&BTreeMap::new()).unwrap();
        assert_eq!(km.command(&press('a')), Some(Cmd::Ack));
        let mut o = BTreeMap::new();
        o.insert("ack".to_string(), vec!["x".to_string()]);
        let km = Keymap::new(&o).unwrap();
        assert_eq!(km.command(&press('x')), Some(Cmd::Ack));
        assert_eq!(km.command(&press('a')), None);
        assert!(
            km.help_lines()
                .iter()
                .any(|(k, h)| k == "x" && h.starts_with("acknowledge"))
        );
    }

    #[test]
    fn bad_overrides_are_refused() {
        let mut o = BTreeMap::new();
        o.insert("frobnicate".to_string(), vec!["x".to_string()]);
        assert!(Keymap::new(&o).is_err());
        let mut o = BTreeMap::new();
        o.insert("ack".to_string(), vec!["ctrl-nope".to_string()]);
        assert!(Keymap::new(&o).is_err());
    }
}
