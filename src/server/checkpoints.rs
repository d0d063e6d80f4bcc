//! Signed checkpoints over HTTP, and the timer that signs one every few
//! minutes while the log moves (`serve --signing-key`).

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::error::ApiError;
use super::extract::{ApiQuery, Authed};
use crate::api::Problem;
use crate::model::Role;
use crate::model::checkpoint::{Checkpoint, Signer};
use crate::store::{Actor, Command, Request, Store};

/// How often the timer signs, when there is something new to sign.
pub const EVERY: Duration = Duration::from_secs(300);

/// A checkpoint and the seq of the event that carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CheckpointEntry {
    pub event_seq: u64,
    pub checkpoint: Checkpoint,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CheckpointQuery {
    /// Only checkpoints carried by events after this seq.
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// At most this many (1 to 500; 100 by default).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/audit/checkpoints", tag = "audit", security(("bearer" = [])),
    params(CheckpointQuery),
    responses((status = 200, description = "Signed checkpoints in seq order", body = Vec<CheckpointEntry>),
              (status = 422, description = "Bad limit", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Authed(_): Authed,
    ApiQuery(q): ApiQuery<CheckpointQuery>,
) -> Result<Json<Vec<CheckpointEntry>>, ApiError> {
    let limit = match q.limit {
        None => 100,
        Some(n @ 1..=500) => n,
        Some(n) => {
            return Err(ApiError::unprocessable(format!(
                "query parameter `limit`: {n} is outside 1..=500"
            )));
        }
    };
    let after = match q.after {
        None => 0,
        Some(n) => u64::try_from(n).map_err(|_| {
            ApiError::unprocessable(format!("query parameter `after`: {n} is not a seq"))
        })?,
    };
    let events = state.store.checkpoints(after, limit).await?;
    let entries = events
        .into_iter()
        .filter_map(|e| {
            let checkpoint = e.entity().ok()?;
            Some(CheckpointEntry {
                event_seq: e.seq,
                checkpoint,
            })
        })
        .collect();
    Ok(Json(entries))
}

#[utoipa::path(post, path = "/api/v1/audit/checkpoints", tag = "audit", security(("bearer" = [])),
    responses((status = 201, description = "The head signed now, with this centre's key", body = Checkpoint),
              (status = 403, description = "Only supervisors and system accounts ask", body = Problem),
              (status = 409, description = "This server has no signing key", body = Problem)))]
pub async fn sign_now(
    State(state): State<AppState>,
    Authed(officer): Authed,
) -> Result<(StatusCode, Json<Checkpoint>), ApiError> {
    if !matches!(officer.role, Role::Supervisor | Role::System) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "only a supervisor or a system account asks for a checkpoint",
        ));
    }
    let Some(signer) = state.settings.signer.clone() else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "no-signing-key",
            "this server signs no checkpoints: it was started without --signing-key",
        ));
    };
    let outcome = sign(state.store.as_ref(), signer).await?;
    let cp: Checkpoint = serde_json::from_str(&outcome).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("reading the checkpoint back: {e}"),
        )
    })?;
    Ok((StatusCode::CREATED, Json(cp)))
}

/// Signs the head now; returns the checkpoint's JSON.
async fn sign(store: &dyn Store, signer: Arc<Signer>) -> Result<String, crate::store::StoreError> {
    let outcome = store
        .execute(Request {
            actor: Actor::Server,
            idempotency: None,
            command: Command::Checkpoint(Box::new((*signer).clone())),
        })
        .await?;
    Ok(outcome.body)
}

/// Signs a checkpoint every `every` when events were written since the
/// last one, until shut down.
pub async fn timer(
    store: Arc<dyn Store>,
    signer: Arc<Signer>,
    every: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut signed_at_head = 0;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
        match store.head().await {
            // Nothing since our own last checkpoint: nothing new to vouch for.
            Ok(head) if head <= signed_at_head => {}
            Ok(_) => match sign(store.as_ref(), signer.clone()).await {
                // The checkpoint's own event follows the head it signed.
                Ok(json) => match serde_json::from_str::<Checkpoint>(&json) {
                    Ok(cp) => signed_at_head = cp.seq.saturating_add(1),
                    Err(e) => tracing::warn!("reading a checkpoint back: {e}"),
                },
                Err(e) => tracing::warn!("signing a checkpoint: {e}"),
            },
            Err(e) => tracing::warn!("signing a checkpoint: {e}"),
        }
    }
}
