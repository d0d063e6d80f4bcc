//! The HTTP server: axum routes over a [`Store`], guarded against what
//! arrives around the happy path, and stopped gracefully.

mod attention;
mod audit;
mod checkpoints;
mod error;
mod events;
mod export;
pub mod extract;
mod guard;
mod handover;
mod listen;
mod me;
pub mod openapi;
mod presence;
mod reports;
mod routes;
mod shifts;
pub mod signin;
mod stats;
mod streams;
pub mod tls;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, patch, post};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use crate::api::MAX_BODY;
use crate::store::Store;

pub use error::ApiError;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Flips to true on shutdown so long-lived event streams end.
    pub shutdown: watch::Receiver<bool>,
    pub settings: Settings,
    /// Event streams open per officer.
    pub streams: Arc<streams::Streams>,
    /// Reads of the log for streams catching up: a few at a time, so a storm
    /// of resuming consoles never takes the connections that writes,
    /// sign-ins and health checks need.
    pub replay: Arc<Semaphore>,
    /// Failed sign-ins per client address and token prefix.
    pub signin: Arc<signin::Limiter>,
    /// Each centre's attention queue, pushed on the streams.
    pub attention: Arc<attention::Attention>,
    /// Who is connected, pushed on the streams when it changes.
    pub presence: watch::Receiver<Option<Arc<Vec<crate::api::Presence>>>>,
}

/// What a server may be tuned with; the defaults are the production values.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Silence after which an event stream sends a heartbeat comment.
    pub heartbeat: Duration,
    /// Time a client has to send a request's headers (and that an idle
    /// keep-alive connection is kept).
    pub header_timeout: Duration,
    /// Time a request has to be answered (its body read included); event
    /// streams and snapshots are bounded only until their answer starts.
    pub request_timeout: Duration,
    /// How far behind a stream's cursor may be and still be replayed; further back, 410.
    pub max_replay: u64,
    /// Event streams one officer may hold open at once (429 beyond).
    pub streams_per_officer: usize,
    /// Log reads for catching-up streams running at once.
    pub replay_readers: usize,
    /// Serve HTTPS from these files (plain HTTP when `None`).
    pub tls: Option<tls::TlsFiles>,
    /// Failed sign-ins a client address or token prefix may make in a
    /// minute before its sign-ins are refused (429) for the rest of it.
    pub signin_failures_per_minute: u32,
    /// This centre's key: checkpoints are signed with it (none when `None`).
    pub signer: Option<Arc<crate::model::checkpoint::Signer>>,
    /// How often the head is signed while the log moves.
    pub checkpoint_every: Duration,
    /// Both centres' public keys, for checking checkpoints in `audit/verify`.
    pub trust: crate::model::checkpoint::Trust,
    /// How often this instance writes who is connected to it.
    pub presence_every: Duration,
    /// How long a connection counts without a fresh write (a dead instance's drop out after it).
    pub presence_window: Duration,
    /// Push each officer's attention queue on their stream (off only to
    /// measure what it costs).
    pub attention: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            heartbeat: events::HEARTBEAT,
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_replay: events::MAX_REPLAY,
            streams_per_officer: 8,
            replay_readers: 2,
            tls: None,
            signin_failures_per_minute: 20,
            signer: None,
            checkpoint_every: checkpoints::EVERY,
            trust: Default::default(),
            presence_every: presence::EVERY,
            presence_window: presence::WINDOW,
            attention: true,
        }
    }
}

pub fn router(state: AppState) -> Router {
    use routes::*;
    let v1 = Router::new()
        .route("/me", get(me::me))
        .route("/me/token", post(me::rotate_token))
        .route("/snapshot", get(snapshot))
        .route("/events", get(events::stream))
        .route("/incidents", get(search_incidents).post(create_incident))
        .route("/incidents/{id}", get(get_incident).patch(patch_incident))
        .route("/incidents/{id}/notes", post(add_note))
        .route("/incidents/{id}/tasks", post(create_task))
        .route("/incidents/{id}/merge", post(merge))
        .route("/incidents/{id}/handover", post(handover::ask))
        .route("/incidents/{id}/handover/accept", post(handover::accept))
        .route("/incidents/{id}/handover/decline", post(handover::decline))
        .route("/incidents/{id}/takeover", post(handover::takeover))
        .route("/tasks", get(list_tasks))
        .route("/tasks/{id}", patch(patch_task))
        .route("/agencies", get(agencies))
        .route("/units", get(units))
        .route("/units/{id}", patch(patch_unit))
        .route("/shifts", get(shifts::list).post(shifts::start))
        .route("/presence", get(presence::list))
        .route("/attention", get(attention::http::queue))
        .route("/attention/seen", post(attention::http::mark_seen))
        .route("/reports/shift", get(reports::shift))
        .route("/stats", get(stats::stats))
        .route("/export/incidents", get(export::incidents))
        .route("/shifts/{id}/end", post(shifts::end))
        .route("/shifts/{id}/handover/ack", post(shifts::acknowledge))
        .route("/audit/verify", get(audit::verify))
        .route("/audit/log", get(audit::log))
        .route("/audit/alarms", post(audit::raise_alarm))
        .route(
            "/audit/checkpoints",
            get(checkpoints::list).post(checkpoints::sign_now),
        )
        .route("/openapi.json", get(openapi::document));
    let request_timeout = state.settings.request_timeout;
    let hsts = state.settings.tls.is_some();
    Router::new()
        .route("/healthz", get(healthz))
        .nest("/api/v1", v1)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
        .layer(axum::middleware::from_fn(move |req, next| {
            guard::deadline(request_timeout, req, next)
        }))
        .layer(axum::middleware::from_fn(guard::head_limits))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            guard::panicked,
        ))
        // Outermost, so that refusals and panics carry them too.
        .layer(axum::middleware::from_fn(move |req, next| {
            guard::security_headers(hsts, req, next)
        }))
}

/// A running server: its address, and the handle that stops it.
pub struct Running {
    pub addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting, ends event streams, waits for in-flight requests to finish.
    pub async fn shutdown(self) -> std::io::Result<()> {
        let _ = self.stop.send(true);
        self.task.await.map_err(std::io::Error::other)?
    }

    pub fn stopper(&self) -> watch::Sender<bool> {
        self.stop.clone()
    }

    pub async fn wait(self) -> std::io::Result<()> {
        self.task.await.map_err(std::io::Error::other)?
    }
}

/// Serves the API on `listener` until [`Running::shutdown`].
pub fn spawn(store: Arc<dyn Store>, listener: TcpListener) -> std::io::Result<Running> {
    spawn_with(store, listener, Settings::default())
}

/// [`spawn`] with other settings (tests shorten the heartbeat and the timeouts).
pub fn spawn_with(
    store: Arc<dyn Store>,
    listener: TcpListener,
    settings: Settings,
) -> std::io::Result<Running> {
    let addr = listener.local_addr()?;
    let acceptor = match &settings.tls {
        None => None,
        Some(files) => Some(tls::acceptor(files).map_err(std::io::Error::other)?),
    };
    let (stop, shutdown) = watch::channel(false);
    let header_timeout = settings.header_timeout;
    if let Some(signer) = settings.signer.clone() {
        tokio::spawn(checkpoints::timer(
            store.clone(),
            signer,
            settings.checkpoint_every,
            shutdown.clone(),
        ));
    }
    let streams: Arc<streams::Streams> = Arc::default();
    let (present, presence) = watch::channel(None);
    tokio::spawn(presence::beat(
        store.clone(),
        streams.clone(),
        present,
        settings.presence_every,
        settings.presence_window,
        shutdown.clone(),
    ));
    let attention =
        attention::Attention::spawn(store.clone(), shutdown.clone(), settings.attention);
    let app = router(AppState {
        store,
        shutdown: shutdown.clone(),
        replay: Arc::new(Semaphore::new(settings.replay_readers.max(1))),
        streams,
        signin: Arc::new(signin::Limiter::new(settings.signin_failures_per_minute)),
        attention,
        presence,
        settings,
    });
    let task = tokio::spawn(listen::serve(
        listener,
        app,
        shutdown,
        header_timeout,
        acceptor,
    ));
    Ok(Running { addr, stop, task })
}
