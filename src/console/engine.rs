//! The console without its terminal: state, the one action channel, the
//! durable outbox, the local cache and the network tasks. The terminal loop
//! (`run`) and the tests drive the same engine.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tokio::sync::Notify;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use uuid::Uuid;

use super::action::{Action, Effect, Link, NetEvent};
use super::app::{App, update};
use super::config::Config;
use super::context::Level;
use super::keymap::Keymap;
use super::{net, sessions};
use crate::client::outbox::Outbox;
use crate::client::{Client, cache};
use crate::reference::Seed;

/// Where one (server, token) session keeps its cache and outbox.
#[derive(Debug, Clone)]
pub struct Paths {
    pub cache: PathBuf,
    pub outbox: PathBuf,
}

impl Paths {
    pub fn new(state_dir: &Path, server: &str, token: &str) -> Paths {
        let mut h = Sha256::new();
        h.update(server.trim_end_matches('/').as_bytes());
        h.update(b"\n");
        h.update(token.as_bytes());
        let dir = state_dir
            .join("sessions")
            .join(&hex::encode(h.finalize())[..16]);
        Paths {
            cache: dir.join("cache.json"),
            outbox: dir.join("outbox.db"),
        }
    }
}

pub enum Flow {
    Continue,
    Quit,
}

pub struct Engine {
    pub app: App,
    /// Shared with the network tasks: a rotated token reaches them all.
    client: Client,
    pub tx: UnboundedSender<Action>,
    rx: UnboundedReceiver<Action>,
    outbox: Outbox,
    wake: Arc<Notify>,
    resync: UnboundedSender<()>,
    details: UnboundedSender<Uuid>,
    /// Asks again who is on duty (after a shift command).
    duty_changed: Arc<Notify>,
    paths: Paths,
    saved_seq: u64,
    /// What only a terminal can do (the bell, the clipboard), for `run` to carry out.
    pub terminal: Vec<Effect>,
}

impl Engine {
    /// Opens the outbox and the cache for this session and starts the network side.
    pub async fn start(config: &Config, state_dir: &Path) -> anyhow::Result<Engine> {
        let token =
            config.token.clone().filter(|t| !t.is_empty()).context(
                "no token: set TANDEM_TOKEN, `token` in the config file, or pass --token",
            )?;
        let keymap = Keymap::new(&config.keys)
            .map_err(anyhow::Error::msg)
            .context("in the config file")?;
        let link_timeout = std::time::Duration::from_secs(config.link_timeout_seconds.max(1));
        // The session is named by the configured token; a token rotated from
        // it (`:rotate-token`) is used in its place.
        let paths = Paths::new(state_dir, &config.server, &token);
        let session_dir = paths.outbox.parent().map(Path::to_path_buf);
        if let Some(dir) = &session_dir {
            crate::paths::private_dir(dir)
                .with_context(|| format!("creating {}", dir.display()))?;
        }
        let in_use = session_dir
            .as_deref()
            .and_then(super::rotation::stored)
            .unwrap_or(token);
        let client =
            Client::configured(&config.all_servers(), &in_use, link_timeout, &config.tls())?;
        let outbox = Outbox::open(&paths.outbox).await?;
        let mut config = config.clone();
        config.bidi = super::bidi::resolve(config.bidi, |k| std::env::var(k).ok());
        let mut app = App::new(
            &config,
            keymap,
            Seed::embedded().place,
            OffsetDateTime::now_utc(),
        );
        let (tx, rx) = unbounded_channel();

        // Open at once from the cache, marked OFFLINE until the link proves otherwise.
        let cached = cache::load(&paths.cache);
        let start = net::Start {
            cursor: cached.as_ref().map(|c| c.snapshot.seq),
            // Asked on every start: the token's expiry, and whose session this is.
            have_me: false,
            down_since: cached.as_ref().map(|c| c.saved_at),
        };
        let mut saved_seq = 0;
        if let Some(c) = cached {
            saved_seq = c.snapshot.seq;
            update(&mut app, Action::Net(NetEvent::Me(c.me)));
            update(
                &mut app,
                Action::Net(NetEvent::Snapshot(Box::new(c.snapshot))),
            );
            update(
                &mut app,
                Action::Net(NetEvent::Link(Link::Offline {
                    since: c.saved_at,
                    attempt: 0,
                })),
            );
            app.ctx.last_sync = Some(c.saved_at);
        }
        for entry in outbox.entries().await? {
            update(&mut app, Action::Net(NetEvent::Queued(entry)));
        }

        let wake = Arc::new(Notify::new());
        let (resync, resync_rx) = unbounded_channel();
        let (details, details_rx) = unbounded_channel();
        tokio::spawn(net::sync(
            client.clone(),
            tx.clone(),
            resync_rx,
            start,
            wake.clone(),
        ));
        tokio::spawn(net::replay(
            client.clone(),
            outbox.clone(),
            tx.clone(),
            wake.clone(),
        ));
        tokio::spawn(net::details(client.clone(), tx.clone(), details_rx));
        let duty_changed = Arc::new(Notify::new());
        tokio::spawn(net::on_duty(
            client.clone(),
            tx.clone(),
            duty_changed.clone(),
        ));
        Ok(Engine {
            client,
            app,
            tx,
            rx,
            outbox,
            wake,
            resync,
            details,
            duty_changed,
            paths,
            saved_seq,
            terminal: Vec::new(),
        })
    }

    /// Waits for at least one action, applies everything already waiting, carries out the effects.
    pub async fn step(&mut self) -> anyhow::Result<Flow> {
        match self.rx.recv().await {
            Some(first) => self.batch(first).await,
            None => Ok(Flow::Quit),
        }
    }

    /// Like [`Engine::step`], but gives up waiting after `wait` (Continue).
    /// Only the wait is bounded: an action, once taken, is always carried out whole.
    pub async fn step_for(&mut self, wait: std::time::Duration) -> anyhow::Result<Flow> {
        match tokio::time::timeout(wait, self.rx.recv()).await {
            Ok(Some(first)) => self.batch(first).await,
            Ok(None) => Ok(Flow::Quit),
            Err(_) => Ok(Flow::Continue),
        }
    }

    /// Steps until `done` holds or `within` passes; says whether it held.
    pub async fn run_until(
        &mut self,
        within: std::time::Duration,
        done: impl Fn(&App) -> bool,
    ) -> anyhow::Result<bool> {
        let deadline = std::time::Instant::now() + within;
        while !done(&self.app) {
            if std::time::Instant::now() >= deadline {
                return Ok(false);
            }
            self.step_for(std::time::Duration::from_millis(50)).await?;
        }
        Ok(true)
    }

    /// Queues a change exactly as a key that makes it would.
    pub async fn submit(&mut self, call: super::action::ApiCall) -> anyhow::Result<()> {
        let entry = self.outbox.push(&call).await?;
        update(&mut self.app, Action::Net(NetEvent::Queued(entry)));
        self.wake.notify_one();
        Ok(())
    }

    async fn batch(&mut self, first: Action) -> anyhow::Result<Flow> {
        if let Flow::Quit = self.handle(first).await? {
            return Ok(Flow::Quit);
        }
        for _ in 0..4096 {
            match self.rx.try_recv() {
                Ok(a) => {
                    if let Flow::Quit = self.handle(a).await? {
                        return Ok(Flow::Quit);
                    }
                }
                Err(_) => break,
            }
        }
        Ok(Flow::Continue)
    }

    pub async fn handle(&mut self, action: Action) -> anyhow::Result<Flow> {
        let signed_in = match &action {
            Action::Net(NetEvent::Me(me)) => Some(me.id),
            _ => None,
        };
        let is_net = matches!(
            action,
            Action::Net(NetEvent::Event(_) | NetEvent::Snapshot(_))
        );
        let is_snapshot = matches!(action, Action::Net(NetEvent::Snapshot(_)));
        for effect in update(&mut self.app, action) {
            match effect {
                Effect::Quit => return Ok(Flow::Quit),
                Effect::Bell | Effect::Copy(_) => self.terminal.push(effect),
                // Durable (fsync) before the officer sees it as queued.
                Effect::Call(call) => self.submit(call).await?,
                Effect::Reapply { seq, call } => {
                    let entry = self.outbox.push(&call).await?;
                    self.outbox.remove(seq).await?;
                    update(&mut self.app, Action::Net(NetEvent::Discarded(seq)));
                    update(&mut self.app, Action::Net(NetEvent::Queued(entry)));
                    self.wake.notify_one();
                }
                Effect::Discard(seq) => {
                    self.outbox.remove(seq).await?;
                    update(&mut self.app, Action::Net(NetEvent::Discarded(seq)));
                }
                Effect::FetchDetail(id) => {
                    let _ = self.details.send(id);
                }
                Effect::Resync => {
                    let _ = self.resync.send(());
                }
                Effect::RotateToken => self.rotate_token(),
                Effect::Shift(step) => self.shift(step),
                Effect::MarkSeen(keys) => self.mark_seen(keys),
                Effect::DutyChanged => self.duty_changed.notify_one(),
                Effect::FetchTrends => self.fetch_trends(),
                Effect::Export { path, bytes, what } => {
                    super::export::spawn_write(self.tx.clone(), path, bytes, what)
                }
            }
        }
        if is_net {
            self.app.ctx.last_sync = Some(OffsetDateTime::now_utc());
        }
        if let Some(officer) = signed_in {
            self.take_over_earlier_sessions(officer).await?;
        }
        if is_snapshot {
            // At once, not on the next timer: a console killed a few seconds
            // after its first sync must still open with what it had.
            self.save_cache();
            super::memory::release_free();
        }
        Ok(Flow::Continue)
    }

    /// Records whose session this is, and takes over what the same
    /// officer's earlier sessions (earlier tokens) still had to send.
    async fn take_over_earlier_sessions(&mut self, officer: uuid::Uuid) -> anyhow::Result<()> {
        let Some(dir) = self.paths.outbox.parent().map(Path::to_path_buf) else {
            return Ok(());
        };
        let server = self.app.ctx.server.clone();
        if let Err(e) = sessions::record_owner(&dir, &server, officer) {
            tracing::warn!("recording the session's owner in {}: {e}", dir.display());
        }
        let mut taken = 0;
        for earlier in sessions::earlier(&dir, &server, officer) {
            for entry in sessions::adopt(&self.outbox, &earlier).await? {
                update(&mut self.app, Action::Net(NetEvent::Queued(entry)));
                taken += 1;
            }
        }
        if taken > 0 {
            self.app.ctx.say(
                Level::Info,
                format!("{taken} change(s) queued under an earlier token are sent with this one"),
            );
            self.wake.notify_one();
        }
        Ok(())
    }

    /// Asks for a new token; once answered, every network task uses it and
    /// the session keeps it for the next start.
    fn rotate_token(&self) {
        let (client, tx) = (self.client.clone(), self.tx.clone());
        let dir = self.paths.outbox.parent().map(Path::to_path_buf);
        tokio::spawn(async move {
            let result = match client.rotate_token(&crate::client::new_key(), None).await {
                Ok(issued) => {
                    if let Some(dir) = dir
                        && let Err(e) = super::rotation::store(&dir, &issued.token)
                    {
                        tracing::warn!("keeping the new token: {e:#}");
                    }
                    Ok(issued.info)
                }
                Err(e) => Err(e.to_string()),
            };
            let _ = tx.send(Action::Net(NetEvent::Rotated(result)));
        });
    }

    /// Acts on the officer's shift; the answer comes back as a message.
    fn shift(&self, step: super::shifts::ShiftStep) {
        let Some(me) = self.app.ctx.me.clone() else {
            self.app_say_later("not signed in yet: the server has not answered");
            return;
        };
        let (client, tx) = (self.client.clone(), self.tx.clone());
        let duty_changed = self.duty_changed.clone();
        tokio::spawn(async move {
            let result = super::shifts::perform(&client, &me, step).await;
            let _ = tx.send(Action::Net(NetEvent::Shifted(result)));
            duty_changed.notify_one();
        });
    }

    /// Marks attention items seen; the server answers with the queue.
    fn mark_seen(&self, keys: Vec<String>) {
        let (client, tx) = (self.client.clone(), self.tx.clone());
        tokio::spawn(async move {
            let event = match client.mark_seen(&crate::client::new_key(), keys).await {
                Ok(queue) => NetEvent::Attention(queue),
                Err(e) => NetEvent::Shifted(Err(format!("marking seen: {e}"))),
            };
            let _ = tx.send(Action::Net(event));
        });
    }

    fn fetch_trends(&self) {
        use crate::api::stats::{StatsBy, StatsQuery};
        let (client, tx) = (self.client.clone(), self.tx.clone());
        tokio::spawn(async move {
            let ask = |window: &str, by| StatsQuery {
                window: Some(window.into()),
                bucket: Some("1h".into()),
                by: Some(by),
            };
            let both = futures::future::try_join(
                client.stats(&ask("72h", StatsBy::Category)),
                client.stats(&ask("8d", StatsBy::Sector)),
            )
            .await;
            let event = match both {
                Ok((by_category, by_sector)) => Ok(Box::new(super::action::Trends {
                    by_category,
                    by_sector,
                })),
                Err(e) => Err(format!("trends: {e}")),
            };
            let _ = tx.send(Action::Net(NetEvent::Trends(event)));
        });
    }

    fn app_say_later(&self, text: &str) {
        let _ = self
            .tx
            .send(Action::Net(NetEvent::Shifted(Err(text.to_string()))));
    }

    /// Writes the local cache if the state moved since the last write.
    pub fn save_cache(&mut self) {
        let ctx = &self.app.ctx;
        let Some(me) = &ctx.me else { return };
        if !ctx.synced || ctx.mirror.seq == self.saved_seq {
            return;
        }
        match cache::save(&self.paths.cache, &ctx.mirror, me) {
            Ok(()) => self.saved_seq = ctx.mirror.seq,
            Err(e) => tracing::warn!("cannot write the cache {}: {e}", self.paths.cache.display()),
        }
    }
}
