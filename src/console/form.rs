//! Small forms (new task, new incident): text fields and choices, Tab between them.

use crossterm::event::{KeyCode, KeyEvent};

use super::input::{Edit, LineInput};

#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Text(LineInput),
    /// Options as (label, value); Left/Right or typing a letter moves between them.
    Choice {
        options: Vec<(String, String)>,
        selected: usize,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub label: &'static str,
    pub kind: FieldKind,
    pub required: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormPurpose {
    Task,
    Incident,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub purpose: FormPurpose,
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
}

pub enum FormEvent {
    Submit,
    Cancel,
    None,
}

impl Field {
    pub fn text(label: &'static str, required: bool) -> Field {
        Field {
            label,
            kind: FieldKind::Text(LineInput::default()),
            required,
        }
    }

    pub fn choice(label: &'static str, options: Vec<(String, String)>, selected: usize) -> Field {
        Field {
            label,
            kind: FieldKind::Choice { options, selected },
            required: true,
        }
    }

    /// The field's value: the text, or the chosen option's value.
    pub fn value(&self) -> String {
        match &self.kind {
            FieldKind::Text(l) => l.text().trim().to_string(),
            FieldKind::Choice { options, selected } => options
                .get(*selected)
                .map(|o| o.1.clone())
                .unwrap_or_default(),
        }
    }

    pub fn shown(&self) -> String {
        match &self.kind {
            FieldKind::Text(l) => l.text().to_string(),
            FieldKind::Choice { options, selected } => {
                format!(
                    "◀ {} ▶",
                    options.get(*selected).map(|o| o.0.as_str()).unwrap_or("")
                )
            }
        }
    }
}

impl Form {
    pub fn value(&self, label: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .map(Field::value)
            .unwrap_or_default()
    }

    pub fn handle(&mut self, key: &KeyEvent) -> FormEvent {
        let n = self.fields.len();
        match key.code {
            KeyCode::Esc => return FormEvent::Cancel,
            KeyCode::Tab | KeyCode::Down => {
                self.focus = (self.focus + 1) % n;
                return FormEvent::None;
            }
            KeyCode::BackTab | KeyCode::Up => {
                self.focus = (self.focus + n - 1) % n;
                return FormEvent::None;
            }
            KeyCode::Enter => {
                if let Some(f) = self
                    .fields
                    .iter()
                    .find(|f| f.required && f.value().is_empty())
                {
                    self.error = Some(format!("{} is required", f.label));
                    return FormEvent::None;
                }
                return FormEvent::Submit;
            }
            _ => {}
        }
        let Some(field) = self.fields.get_mut(self.focus) else {
            return FormEvent::None;
        };
        match &mut field.kind {
            FieldKind::Text(line) => {
                if line.handle(key) == Edit::Changed {
                    self.error = None;
                }
            }
            FieldKind::Choice { options, selected } => match key.code {
                KeyCode::Right | KeyCode::Char(' ') => {
                    *selected = (*selected + 1) % options.len().max(1)
                }
                KeyCode::Left => {
                    *selected = (*selected + options.len().max(1) - 1) % options.len().max(1)
                }
                KeyCode::Char(c) => {
                    // Jump to the next option starting with the typed letter.
                    let c = c.to_lowercase().next().unwrap_or(c);
                    let len = options.len();
                    if let Some(i) = (1..=len)
                        .map(|d| (*selected + d) % len)
                        .find(|i| options[*i].0.to_lowercase().starts_with(c))
                    {
                        *selected = i;
                    }
                }
                _ => {}
            },
        }
        FormEvent::None
    }
}
