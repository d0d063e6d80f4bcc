//! `GET /api/v1/events`: the live, gap-free event stream (SSE).
//!
//! The subscriber joins the live broadcast *before* reading the backlog from
//! the log, then skips what it has already sent by seq. Whenever the live
//! side shows a gap (a lagging receiver), it reads the missing events from
//! the log again. So every event after the cursor is sent exactly once, in
//! order, whatever commits while the stream catches up.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::{broadcast, watch};

use super::AppState;
use super::error::ApiError;
use super::extract::Authed;
use crate::api::{EventsQuery, Problem};
use crate::model::Event;
use crate::store::{Published, Store};

/// How far behind a cursor may be and still be replayed; further back, re-snapshot (410).
pub const MAX_REPLAY: u64 = 1_000_000;
const PAGE: u32 = 1000;
pub const HEARTBEAT: Duration = Duration::from_secs(15);

#[utoipa::path(get, path = "/api/v1/events", tag = "sync", security(("bearer" = [])),
    params(EventsQuery, ("Last-Event-ID" = Option<String>, Header, description = "Resume after this seq")),
    responses((status = 200, description = "text/event-stream: `id` is the seq, `event` the kind, `data` the event JSON (Event); a comment heartbeat every 15 s", content_type = "text/event-stream", body = Event),
              (status = 410, description = "The cursor is no longer served: take a new snapshot", body = Problem)))]
pub async fn stream(
    State(state): State<AppState>,
    Authed(_): Authed,
    headers: HeaderMap,
    Query(q): Query<EventsQuery>,
) -> Result<Response, ApiError> {
    let from_header = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().parse::<u64>())
        .transpose()
        .map_err(|_| ApiError::bad_request("Last-Event-ID must be a seq number"))?;
    // Subscribe first so nothing committed from here on can be missed.
    let live = state.store.subscribe();
    let head = state.store.head().await?;
    let after = from_header.or(q.after).unwrap_or(head);
    if after > head || head - after > MAX_REPLAY {
        return Err(ApiError::new(
            StatusCode::GONE,
            "cursor-gone",
            format!("seq {after} is not served here (head is {head}); take a new snapshot"),
        ));
    }
    let feed = Feed {
        store: state.store.clone(),
        live,
        last: after,
        backlog: VecDeque::new(),
        catching_up: after < head,
        shutdown: state.shutdown.clone(),
    };
    let stream = futures::stream::unfold(feed, Feed::next);
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(HEARTBEAT).text("heartbeat"))
        .into_response())
}

struct Feed {
    store: Arc<dyn Store>,
    live: broadcast::Receiver<Arc<Published>>,
    last: u64,
    backlog: VecDeque<Event>,
    catching_up: bool,
    shutdown: watch::Receiver<bool>,
}

pub fn sse_event(e: &Event) -> SseEvent {
    frame(e, &serde_json::to_string(e).unwrap_or_default())
}

fn frame(e: &Event, json: &str) -> SseEvent {
    SseEvent::default()
        .id(e.seq.to_string())
        .event(e.kind.as_str())
        .data(json)
}

impl Feed {
    async fn next(mut self) -> Option<(Result<SseEvent, Infallible>, Feed)> {
        loop {
            if let Some(e) = self.backlog.pop_front() {
                self.last = e.seq;
                let out = sse_event(&e);
                return Some((Ok(out), self));
            }
            if self.catching_up {
                match self.store.events_after(self.last, PAGE).await {
                    Ok(page) if page.is_empty() => self.catching_up = false,
                    Ok(page) => self.backlog.extend(page),
                    Err(e) => {
                        tracing::warn!("event stream ends: {e}");
                        return None;
                    }
                }
                continue;
            }
            let received = tokio::select! {
                r = self.live.recv() => r,
                _ = self.shutdown.wait_for(|stop| *stop) => return None,
            };
            match received {
                Ok(p) if p.event.seq <= self.last => continue,
                Ok(p) if p.event.seq == self.last + 1 => {
                    self.last = p.event.seq;
                    return Some((Ok(frame(&p.event, &p.json)), self));
                }
                // A gap or a lag: the log has what the broadcast dropped.
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => self.catching_up = true,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}
