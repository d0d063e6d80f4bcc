//! The operator console: ratatui + crossterm on tokio.
//!
//! Keys, the mouse, ticks and network news all become [`action::Action`]s on
//! one channel; [`app::update`] routes each to the focused component (see
//! `components`) and then to the app, and returns effects (changes to send,
//! the bell, the clipboard, quitting). The view only draws. Network I/O runs
//! in its own tasks (`net`), so drawing never waits on the link.
//!
//! Leaves, used by everything above them: `fmt` (labels, times, widths),
//! `command` (the one vocabulary), `layout`, `facts`, `theme`, `bidi`.

pub mod action;
pub mod app;
pub mod bidi;
pub mod command;
pub mod components;
pub mod config;
pub mod context;
pub mod dialogs;
pub mod engine;
pub mod export;
pub mod facts;
pub mod feed_index;
pub mod filter;
pub mod fmt;
pub mod handover;
pub mod keymap;
pub mod layout;
pub mod marking;
pub mod memory;
pub mod net;
pub mod pending;
pub mod rotation;
pub mod run;
pub mod sessions;
pub mod shifts;
pub mod theme;
pub mod triage;
pub mod view;
pub mod widgets;

pub use app::{App, update};
pub use run::run;
