//! Running the console in a real terminal: setup, the action loop, teardown.

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures::StreamExt;
use time::OffsetDateTime;
use tokio::sync::mpsc::unbounded_channel;

use super::action::{Action, Effect};
use super::config::Config;
use super::keymap::Keymap;
use super::net::{self, Request};
use super::state::App;
use super::update::update;
use super::view;
use crate::client::Client;
use crate::demo::seed::Seed;

/// Runs the console until the officer quits.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let token = config
        .token
        .clone()
        .filter(|t| !t.is_empty())
        .context("no token: set TANDEM_TOKEN, `token` in the config file, or pass --token")?;
    let keymap = Keymap::new(&config.keys)
        .map_err(anyhow::Error::msg)
        .context("in the config file")?;
    let client = Client::new(&config.server, &token)?;
    let mut app = App::new(
        &config,
        keymap,
        Seed::embedded().place,
        OffsetDateTime::now_utc(),
    );

    let (tx, mut rx) = unbounded_channel::<Action>();
    let requests = net::spawn(client, tx.clone());
    let keys = tx.clone();
    tokio::spawn(async move {
        let mut events = EventStream::new();
        while let Some(Ok(e)) = events.next().await {
            let action = match e {
                TermEvent::Key(k) if k.kind != KeyEventKind::Release => Action::Key(k),
                TermEvent::Resize(w, h) => Action::Resize(w, h),
                _ => continue,
            };
            if keys.send(action).is_err() {
                return;
            }
        }
    });
    let ticks = tx.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        loop {
            every.tick().await;
            if ticks.send(Action::Tick(OffsetDateTime::now_utc())).is_err() {
                return;
            }
        }
    });

    // ratatui::init installs a panic hook that restores the terminal first.
    let mut terminal = ratatui::init();
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    let result = async {
        loop {
            terminal.draw(|f| view::draw(f, &app))?;
            let Some(first) = rx.recv().await else {
                return Ok(());
            };
            let mut batch = vec![first];
            // Apply everything already waiting before drawing again.
            while batch.len() < 4096 {
                match rx.try_recv() {
                    Ok(a) => batch.push(a),
                    Err(_) => break,
                }
            }
            for action in batch {
                for effect in update(&mut app, action) {
                    match effect {
                        Effect::Quit => return Ok(()),
                        Effect::Bell => {
                            let _ = std::io::stdout().write_all(b"\x07");
                            let _ = std::io::stdout().flush();
                        }
                        Effect::Call(c) => {
                            let _ = requests.send(Request::Call(c));
                        }
                        Effect::FetchDetail(id) => {
                            let _ = requests.send(Request::Detail(id));
                        }
                        Effect::Resync => {
                            let _ = requests.send(Request::Resync);
                        }
                    }
                }
            }
        }
    }
    .await;
    ratatui::restore();
    result
}

/// Sends logs to a file in the data dir (stdout belongs to the terminal UI).
pub fn log_to_file() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = crate::paths::data_dir().ok()?;
    let appender = tracing_appender::rolling::never(dir, "console.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .try_init()
        .ok()?;
    Some(guard)
}
