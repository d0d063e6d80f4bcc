//! Presence: which officers are connected now (an event stream open), at
//! which centre, since when — across every instance over the database.
//! Each instance writes its own list every few seconds; an instance that
//! dies stops writing, and its officers drop out within the window. After
//! each write the instance reads the whole list back, and its streams send
//! it (`presence.changed`) when someone came or went: at most once a beat.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use tokio::sync::watch;
use uuid::Uuid;

use super::AppState;
use super::error::ApiError;
use super::extract::Authed;
use super::streams::Streams;
use crate::api::Presence;
use crate::store::Store;

/// How often an instance writes its list.
pub const EVERY: Duration = Duration::from_secs(10);
/// A row older than this is a dead instance's.
pub const WINDOW: Duration = Duration::from_secs(30);

#[utoipa::path(get, path = "/api/v1/presence", tag = "shifts", security(("bearer" = [])),
    responses((status = 200, description = "Officers connected now, by centre and name, each with the start of their connection", body = Vec<Presence>)))]
pub async fn list(
    State(state): State<AppState>,
    Authed(_): Authed,
) -> Result<Json<Vec<Presence>>, ApiError> {
    Ok(Json(
        state.store.presence(state.settings.presence_window).await?,
    ))
}

/// Writes this instance's list every `every` until shut down, then clears it.
pub async fn beat(
    store: Arc<dyn Store>,
    streams: Arc<Streams>,
    present: watch::Sender<Option<Arc<Vec<Presence>>>>,
    every: Duration,
    window: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let instance = Uuid::now_v7();
    loop {
        if let Err(e) = store.beat(instance, streams.present(), window).await {
            tracing::warn!("writing who is connected: {e}");
        }
        match store.presence(window).await {
            // Pushed on the streams only when someone came or went.
            Ok(now) => {
                present.send_if_modified(|was| {
                    let changed = was.as_deref() != Some(&now);
                    if changed {
                        *was = Some(Arc::new(now));
                    }
                    changed
                });
            }
            Err(e) => tracing::warn!("reading who is connected: {e}"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.wait_for(|stop| *stop) => break,
        }
    }
    // A clean stop takes its officers off at once.
    let _ = store.beat(instance, Vec::new(), window).await;
}
