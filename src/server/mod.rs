//! The HTTP server: axum routes over a [`Store`], graceful shutdown.

mod error;
mod events;
pub mod extract;
pub mod openapi;
mod routes;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, patch, post};
use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::api::MAX_BODY;
use crate::store::Store;

pub use error::ApiError;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Flips to true on shutdown so long-lived event streams end.
    pub shutdown: watch::Receiver<bool>,
    /// Silence after which an event stream sends a heartbeat comment.
    pub heartbeat: Duration,
}

/// What a server may be tuned with; the defaults are the production values.
#[derive(Debug, Clone)]
pub struct Settings {
    pub heartbeat: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            heartbeat: events::HEARTBEAT,
        }
    }
}

pub fn router(state: AppState) -> Router {
    use routes::*;
    let v1 = Router::new()
        .route("/me", get(me))
        .route("/snapshot", get(snapshot))
        .route("/events", get(events::stream))
        .route("/incidents", get(search_incidents).post(create_incident))
        .route("/incidents/{id}", get(get_incident).patch(patch_incident))
        .route("/incidents/{id}/notes", post(add_note))
        .route("/incidents/{id}/tasks", post(create_task))
        .route("/incidents/{id}/merge", post(merge))
        .route("/tasks", get(list_tasks))
        .route("/tasks/{id}", patch(patch_task))
        .route("/agencies", get(agencies))
        .route("/units", get(units))
        .route("/units/{id}", patch(patch_unit))
        .route("/audit/verify", get(verify))
        .route("/openapi.json", get(openapi::document));
    Router::new()
        .route("/healthz", get(healthz))
        .nest("/api/v1", v1)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
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

/// [`spawn`] with other settings (tests shorten the heartbeat).
pub fn spawn_with(
    store: Arc<dyn Store>,
    listener: TcpListener,
    settings: Settings,
) -> std::io::Result<Running> {
    let addr = listener.local_addr()?;
    let (stop, shutdown) = watch::channel(false);
    let app = router(AppState {
        store,
        shutdown: shutdown.clone(),
        heartbeat: settings.heartbeat,
    });
    let mut signal = shutdown;
    // Small writes (an SSE event, a 201) must leave at once: with Nagle's
    // algorithm a write behind an unacknowledged one waits for the peer's
    // delayed ACK, up to 40 ms.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!("TCP_NODELAY on an accepted connection: {e}");
        }
    });
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = signal.wait_for(|s| *s).await;
            })
            .await
    });
    Ok(Running { addr, stop, task })
}
