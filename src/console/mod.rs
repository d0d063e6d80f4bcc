//! The operator console: ratatui + crossterm on tokio.
//!
//! Keys, ticks and network news all become [`action::Action`]s on one
//! channel; [`update::update`] changes the state and returns effects (API
//! calls, the bell, quitting); views only draw. Network I/O runs in its own
//! tasks, so drawing never waits on the link.

pub mod action;
pub mod config;
pub mod dialog_keys;
pub mod engine;
pub mod feed;
pub mod filter;
pub mod form;
pub mod input;
pub mod keymap;
pub mod navigate;
pub mod net;
pub mod palette;
pub mod pending;
pub mod run;
pub mod state;
pub mod theme;
pub mod triage;
pub mod triage_forms;
pub mod update;
pub mod view;

pub use run::run;
