//! A choice among typed options with type-ahead: letters typed narrow the
//! options to those whose label contains them (`LCG` finds the coast
//! guards), arrows move among what is left. Used alone as a picker and as a
//! form field.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, PartialEq)]
pub struct Choice<T> {
    options: Vec<(String, T)>,
    /// What has been typed to narrow the options.
    typed: String,
    /// Index into the options that match `typed`.
    selected: usize,
}

/// What a key did to a choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chose {
    /// The key changed the choice or its filter.
    Changed,
    /// Not a key for the choice (Enter, Esc, Tab): the caller's.
    Pass,
}

impl<T: Clone> Choice<T> {
    pub fn new(options: Vec<(String, T)>) -> Choice<T> {
        Choice {
            options,
            typed: String::new(),
            selected: 0,
        }
    }

    /// Starts on the option for which `is` holds, if any.
    pub fn select(mut self, is: impl Fn(&T) -> bool) -> Choice<T> {
        if let Some(i) = self.options.iter().position(|(_, v)| is(v)) {
            self.selected = i;
        }
        self
    }

    /// The options that match what was typed, with their labels.
    pub fn shown(&self) -> Vec<&(String, T)> {
        let want = self.typed.to_lowercase();
        self.options
            .iter()
            .filter(|(label, _)| want.is_empty() || label.to_lowercase().contains(&want))
            .collect()
    }

    pub fn typed(&self) -> &str {
        &self.typed
    }

    pub fn selected_index(&self) -> usize {
        self.selected
    }

    /// The value chosen, if any option matches.
    pub fn value(&self) -> Option<&T> {
        self.shown().get(self.selected).map(|(_, v)| v)
    }

    pub fn label(&self) -> Option<&str> {
        self.shown().get(self.selected).map(|(l, _)| l.as_str())
    }

    /// Arrows move, letters narrow, Backspace widens again. With `wrap_lr`
    /// (a one-line form field) Left/Right move too.
    pub fn key(&mut self, k: &KeyEvent, wrap_lr: bool) -> Chose {
        let n = self.shown().len();
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match k.code {
            KeyCode::Down => self.step(1, n),
            KeyCode::Up => self.step(-1, n),
            KeyCode::Char('n') if ctrl => self.step(1, n),
            KeyCode::Char('p') if ctrl => self.step(-1, n),
            KeyCode::Right if wrap_lr => self.step(1, n),
            KeyCode::Left if wrap_lr => self.step(-1, n),
            KeyCode::Backspace => {
                self.typed.pop();
                self.selected = 0;
            }
            KeyCode::Char(c) if !ctrl => {
                self.typed.push(c);
                self.selected = 0;
            }
            _ => return Chose::Pass,
        }
        Chose::Changed
    }

    fn step(&mut self, by: isize, n: usize) {
        if n == 0 {
            return;
        }
        let i = self.selected as isize + by;
        self.selected = i.rem_euclid(n as isize) as usize;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn typing_narrows_and_backspace_widens() {
        let mut c = Choice::new(vec![
            ("LBG-W Border Guard West".to_string(), 1),
            ("LCG-E Coast Guard East".to_string(), 2),
            ("LCG-W Coast Guard West".to_string(), 3),
        ]);
        for ch in "lcg".chars() {
            c.key(&k(KeyCode::Char(ch)), false);
        }
        assert_eq!(c.shown().len(), 2);
        assert_eq!(c.value(), Some(&2));
        c.key(&k(KeyCode::Down), false);
        assert_eq!(c.value(), Some(&3));
        c.key(&k(KeyCode::Char('x')), false);
        assert_eq!(c.value(), None, "nothing matches `lcgx`");
        c.key(&k(KeyCode::Backspace), false);
        assert_eq!(c.shown().len(), 2);
        assert_eq!(c.key(&k(KeyCode::Enter), false), Chose::Pass);
    }
}
