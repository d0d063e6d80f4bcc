//! Running the console in a real terminal: setup, the action loop, teardown.

use std::time::Duration;

use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures::StreamExt;
use time::OffsetDateTime;

use super::action::Action;
use super::config::Config;
use super::engine::{Engine, Flow};
use super::view;

/// How often the local cache is refreshed while the state moves.
const CACHE_EVERY: Duration = Duration::from_secs(15);

/// Runs the console until the officer quits.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let state_dir = crate::paths::data_dir()?;
    let mut engine = Engine::start(&config, &state_dir).await?;

    let keys = engine.tx.clone();
    tokio::spawn(async move {
        let mut events = EventStream::new();
        while let Some(Ok(e)) = events.next().await {
            let action = match e {
                TermEvent::Key(k) if k.kind != KeyEventKind::Release => Action::Key(k),
                TermEvent::Mouse(m) => Action::Mouse(m),
                TermEvent::Resize(w, h) => Action::Resize(w, h),
                _ => continue,
            };
            if keys.send(action).is_err() {
                return;
            }
        }
    });
    let ticks = engine.tx.clone();
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
    if config.mouse {
        crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture)?;
    }
    let size = terminal.size()?;
    engine.app.set_size(size.width, size.height);
    let mut last_save = std::time::Instant::now();
    let result = async {
        loop {
            terminal.draw(|f| view::draw(f, &engine.app))?;
            if let Flow::Quit = engine.step().await? {
                return Ok(());
            }
            for effect in engine.terminal.drain(..) {
                perform(&effect);
            }
            if last_save.elapsed() >= CACHE_EVERY {
                engine.save_cache();
                last_save = std::time::Instant::now();
            }
        }
    }
    .await;
    if config.mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    }
    ratatui::restore();
    engine.save_cache();
    result
}

/// The bell, or text to the clipboard through the terminal (OSC 52, which
/// reaches the officer's own clipboard over SSH too).
fn perform(effect: &super::action::Effect) {
    use std::io::Write;
    let bytes = match effect {
        super::action::Effect::Bell => b"\x07".to_vec(),
        super::action::Effect::Copy(text) => {
            use base64::Engine as _;
            let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
            format!("\x1b]52;c;{encoded}\x07").into_bytes()
        }
        _ => return,
    };
    let mut out = std::io::stdout();
    let _ = out.write_all(&bytes);
    let _ = out.flush();
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
