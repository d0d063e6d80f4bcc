//! `GET /api/v1/events`: the live, gap-free event stream (SSE).
//!
//! The subscriber joins the live broadcast *before* reading the backlog from
//! the log, then skips what it has already sent by seq. Whenever the live
//! side shows a gap (a lagging receiver), it reads the missing events from
//! the log again. So every event after the cursor is sent exactly once, in
//! order, whatever commits while the stream catches up.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use tokio::sync::{broadcast, watch};
use tokio::time::Instant;

use super::AppState;
use super::error::ApiError;
use super::extract::Authed;
use crate::api::{EventsQuery, Problem};
use crate::model::Event;
use crate::store::{Published, Store};

/// How far behind a cursor may be and still be replayed; further back, re-snapshot (410).
pub const MAX_REPLAY: u64 = 1_000_000;
const PAGE: u32 = 1000;
/// Silence after which the stream sends a comment, so proxies and the
/// console can tell a quiet stream from a dead link.
pub const HEARTBEAT: Duration = Duration::from_secs(15);
const HEARTBEAT_FRAME: &[u8] = b":heartbeat\n\n";

#[utoipa::path(get, path = "/api/v1/events", tag = "sync", security(("bearer" = [])),
    params(EventsQuery, ("Last-Event-ID" = Option<String>, Header, description = "Resume after this seq")),
    responses((status = 200, description = "text/event-stream: `id` is the seq, `event` the kind, `data` the event JSON (Event); a comment heartbeat after 15 s of silence", content_type = "text/event-stream", body = Event),
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
        heartbeat: state.heartbeat,
        quiet_until: Instant::now() + state.heartbeat,
    };
    let frames = futures::stream::unfold(feed, Feed::next);
    Ok((
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(frames),
    )
        .into_response())
}

struct Feed {
    store: Arc<dyn Store>,
    live: broadcast::Receiver<Arc<Published>>,
    last: u64,
    backlog: VecDeque<Event>,
    catching_up: bool,
    shutdown: watch::Receiver<bool>,
    heartbeat: Duration,
    /// When the heartbeat is due if nothing else is sent before.
    quiet_until: Instant,
}

/// One event as an SSE frame. Compact JSON holds no raw newline, so the
/// event is one `data` line.
pub fn frame(e: &Event) -> Bytes {
    let json = serde_json::to_string(e).unwrap_or_default();
    Bytes::from(format!(
        "id: {}\nevent: {}\ndata: {json}\n\n",
        e.seq,
        e.kind.as_str()
    ))
}

type Next = Option<(Result<Bytes, std::convert::Infallible>, Feed)>;

impl Feed {
    async fn next(mut self) -> Next {
        loop {
            if let Some(e) = self.backlog.pop_front() {
                self.last = e.seq;
                return self.send(frame(&e));
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
                r = self.live.recv() => Some(r),
                _ = tokio::time::sleep_until(self.quiet_until) => None,
                _ = self.shutdown.wait_for(|stop| *stop) => return None,
            };
            let Some(received) = received else {
                return self.send(Bytes::from_static(HEARTBEAT_FRAME));
            };
            match received {
                Ok(p) if p.event.seq <= self.last => continue,
                Ok(p) if p.event.seq == self.last + 1 => {
                    self.last = p.event.seq;
                    let bytes = p.frame.get_or_init(|| frame(&p.event)).clone();
                    return self.send(bytes);
                }
                // A gap or a lag: the log has what the broadcast dropped.
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => self.catching_up = true,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    fn send(mut self, bytes: Bytes) -> Next {
        self.quiet_until = Instant::now() + self.heartbeat;
        Some((Ok(bytes), self))
    }
}
