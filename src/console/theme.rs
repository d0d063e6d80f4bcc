//! Colours and emphasis. Colour is never the only signal: every style here
//! pairs with text (severity words, OVERDUE, markers) drawn by the views.

use ratatui::style::{Color, Modifier, Style};

use super::config::ThemeName;
use crate::model::{Severity, Tlp};

#[derive(Debug, Clone)]
pub struct Theme {
    pub base: Style,
    pub header: Style,
    pub border: Style,
    pub border_focus: Style,
    pub selected: Style,
    pub overdue: Style,
    pub unacked: Style,
    pub marked: Style,
    pub dim: Style,
    pub error: Style,
    pub ok: Style,
    pub toast: Style,
    pub live: Style,
    pub offline: Style,
    critical: Style,
    high: Style,
    medium: Style,
    low: Style,
    /// Whether the theme uses colour at all (not `mono`).
    colour: bool,
}

impl Theme {
    pub fn named(name: ThemeName) -> Theme {
        let b = Style::default();
        let bold = Modifier::BOLD;
        match name {
            ThemeName::Default => Theme {
                base: b,
                header: b.fg(Color::White).bg(Color::Blue).add_modifier(bold),
                border: b.fg(Color::DarkGray),
                border_focus: b.fg(Color::Cyan).add_modifier(bold),
                selected: b.add_modifier(Modifier::REVERSED),
                overdue: b.fg(Color::LightRed).add_modifier(bold),
                unacked: b.add_modifier(bold),
                marked: b.fg(Color::Magenta).add_modifier(bold),
                dim: b.fg(Color::DarkGray),
                error: b.fg(Color::LightRed).add_modifier(bold),
                ok: b.fg(Color::Green),
                toast: b.fg(Color::Black).bg(Color::Yellow).add_modifier(bold),
                live: b.fg(Color::LightGreen).add_modifier(bold),
                offline: b.fg(Color::White).bg(Color::Red).add_modifier(bold),
                critical: b.fg(Color::White).bg(Color::Red).add_modifier(bold),
                high: b.fg(Color::LightRed).add_modifier(bold),
                medium: b.fg(Color::Yellow),
                low: b.fg(Color::Gray),
                colour: true,
            },
            ThemeName::HighContrast => Theme {
                base: b.fg(Color::White).bg(Color::Black),
                header: b.fg(Color::Black).bg(Color::White).add_modifier(bold),
                border: b.fg(Color::White),
                border_focus: b.fg(Color::Yellow).add_modifier(bold),
                selected: b.fg(Color::Black).bg(Color::Yellow).add_modifier(bold),
                overdue: b.fg(Color::Black).bg(Color::LightRed).add_modifier(bold),
                unacked: b.fg(Color::White).add_modifier(bold | Modifier::UNDERLINED),
                marked: b.fg(Color::LightCyan).add_modifier(bold),
                dim: b.fg(Color::White),
                error: b.fg(Color::Black).bg(Color::LightRed).add_modifier(bold),
                ok: b.fg(Color::LightGreen).add_modifier(bold),
                toast: b.fg(Color::Black).bg(Color::White).add_modifier(bold),
                live: b.fg(Color::LightGreen).add_modifier(bold),
                offline: b.fg(Color::Black).bg(Color::LightRed).add_modifier(bold),
                critical: b.fg(Color::Black).bg(Color::LightRed).add_modifier(bold),
                high: b.fg(Color::LightRed).add_modifier(bold),
                medium: b.fg(Color::LightYellow).add_modifier(bold),
                low: b.fg(Color::White),
                colour: true,
            },
            ThemeName::Mono => Theme {
                base: b,
                header: b.add_modifier(Modifier::REVERSED | bold),
                border: b,
                border_focus: b.add_modifier(bold),
                selected: b.add_modifier(Modifier::REVERSED),
                overdue: b.add_modifier(bold | Modifier::UNDERLINED),
                unacked: b.add_modifier(bold),
                marked: b.add_modifier(bold),
                dim: b,
                error: b.add_modifier(bold),
                ok: b,
                toast: b.add_modifier(Modifier::REVERSED | bold),
                live: b.add_modifier(bold),
                offline: b.add_modifier(Modifier::REVERSED | bold),
                critical: b.add_modifier(Modifier::REVERSED | bold),
                high: b.add_modifier(bold),
                medium: b,
                low: b,
                colour: false,
            },
        }
    }

    /// TLP 2.0's colours, on black as the standard shows them; in the
    /// monochrome theme, bold for what is restricted.
    pub fn tlp(&self, t: Tlp) -> Style {
        let restricted = matches!(t, Tlp::Amber | Tlp::AmberStrict | Tlp::Red);
        if !self.colour {
            return if restricted {
                Style::default().add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            };
        }
        let on_black = Style::default().bg(Color::Black);
        match t {
            Tlp::Clear => on_black.fg(Color::White),
            Tlp::Green => on_black.fg(Color::LightGreen),
            Tlp::Amber | Tlp::AmberStrict => on_black
                .fg(Color::Indexed(214))
                .add_modifier(Modifier::BOLD),
            Tlp::Red => on_black.fg(Color::LightRed).add_modifier(Modifier::BOLD),
        }
    }

    /// Whether the theme draws in colour (not `mono`).
    pub fn in_colour(&self) -> bool {
        self.colour
    }

    pub fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
        }
    }
}
