//! `GET /api/v1/events`: the live, gap-free event stream (SSE).
//!
//! The subscriber joins the live broadcast *before* reading the backlog from
//! the log, then skips what it has already sent by seq. Whenever the live
//! side shows a gap (a lagging receiver), it reads the missing events from
//! the log again. So every event after the cursor is sent exactly once, in
//! order, whatever commits while the stream catches up.
//!
//! Around that: an officer holds at most a few streams at once (429 beyond),
//! log reads for catching up share a small budget of readers, and a stream
//! ends as soon as the log says its officer was revoked. Between events, the
//! stream carries the officer's attention queue and who is connected, each
//! when it changes and never ahead of a waiting event.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use tokio::sync::{Semaphore, broadcast, watch};
use tokio::time::Instant;
use uuid::Uuid;

use super::AppState;
use super::attention::{Attention, Items};
use super::error::ApiError;
use super::extract::{ApiQuery, Authed};
use super::streams::Slot;
use crate::api::{EventsQuery, Presence, Problem, Redacted};
use crate::model::attention::AttentionItem;
use crate::model::{Agency, EntityKind, Event, EventKind, Unit, Viewer};
use crate::store::{Logged, Published, Store};

/// How far behind a cursor may be and still be replayed; further back, re-snapshot (410).
pub const MAX_REPLAY: u64 = 1_000_000;
/// Events read from the log per page while catching up: small, since each
/// stream holds its page until the client has read it.
const PAGE: u32 = 200;
/// Silence after which the stream sends a comment, so proxies and the
/// console can tell a quiet stream from a dead link.
pub const HEARTBEAT: Duration = Duration::from_secs(15);
const HEARTBEAT_FRAME: &[u8] = b":heartbeat\n\n";

#[utoipa::path(get, path = "/api/v1/events", tag = "sync", security(("bearer" = [])),
    params(EventsQuery, ("Last-Event-ID" = Option<String>, Header, description = "Resume after this seq")),
    responses((status = 200, description = "text/event-stream: `id` is the seq, `event` the kind, `data` the event JSON (Event), with what the officer may not see left out: `event: skip` (data Skip) says nothing up to `through` was for them, `event: redacted` (data Redacted) withdraws an incident they may no longer see, and a unit's position or an agency's contacts are blanked; a comment heartbeat after 15 s of silence", content_type = "text/event-stream", body = Event),
              (status = 410, description = "The cursor is no longer served: take a new snapshot", body = Problem)))]
pub async fn stream(
    State(state): State<AppState>,
    Authed(officer): Authed,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> Result<Response, ApiError> {
    let from_header = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().parse::<u64>())
        .transpose()
        .map_err(|_| ApiError::bad_request("Last-Event-ID must be a seq number"))?;
    let max = state.settings.streams_per_officer;
    let slot = state.streams.open(&officer, max).ok_or_else(|| {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-streams",
            format!("this officer already holds {max} event streams; close one first"),
        )
    })?;
    // Subscribe first so nothing committed from here on can be missed.
    let live = state.store.subscribe();
    let head = state.store.head().await?;
    let after = from_header.or(q.after).unwrap_or(head);
    if after > head || head - after > state.settings.max_replay {
        return Err(ApiError::new(
            StatusCode::GONE,
            "cursor-gone",
            format!("seq {after} is not served here (head is {head}); take a new snapshot"),
        ));
    }
    let heartbeat = state.settings.heartbeat;
    // The first of each goes out as soon as the stream is live.
    let mut attention = officer
        .role
        .triages()
        .then(|| state.attention.watch(officer.centre))
        .flatten();
    if let Some(a) = &mut attention {
        a.mark_changed();
    }
    let mut presence = state.presence.clone();
    presence.mark_changed();
    let feed = Feed {
        hub: state.attention.clone(),
        attention,
        queue_due: None,
        spread: Duration::from_millis((officer.id.as_u128() % 1000) as u64),
        presence: Some(presence),
        store: state.store.clone(),
        replay: state.replay.clone(),
        officer: officer.id,
        viewer: Viewer::of(&officer),
        _slot: slot,
        live,
        last: after,
        skipped: false,
        backlog: VecDeque::new(),
        catching_up: after < head,
        ended: false,
        shutdown: state.shutdown.clone(),
        heartbeat,
        quiet_until: Instant::now() + heartbeat,
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
    hub: Arc<Attention>,
    /// The officer's centre's attention items (none for accounts that do not triage).
    attention: Option<watch::Receiver<Items>>,
    /// Items read and not yet sent, and when to send them.
    queue_due: Option<(Instant, Arc<Vec<AttentionItem>>)>,
    /// This stream's place in the second after a queue changes: the
    /// streams of a centre send theirs spread over it, not all at once.
    spread: Duration,
    /// Who is connected, as this instance last read it.
    presence: Option<watch::Receiver<Option<Arc<Vec<Presence>>>>>,
    store: Arc<dyn Store>,
    replay: Arc<Semaphore>,
    /// The officer the stream is for; it ends when they are revoked.
    officer: Uuid,
    /// What the officer may see: every event is filtered by it.
    viewer: Viewer,
    _slot: Slot,
    live: broadcast::Receiver<Arc<Published>>,
    /// The last seq looked at, sent or not.
    last: u64,
    /// Events after the last one sent were hidden from this officer: a
    /// `skip` frame tells the console its seq moved on.
    skipped: bool,
    backlog: VecDeque<Logged>,
    catching_up: bool,
    /// The officer's revocation was sent: the stream is over.
    ended: bool,
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

/// The event with what its audience alone may see blanked: a unit's
/// position, an agency's contact details. (Its `hash` is of the full data.)
fn masked_frame(e: &Event) -> Bytes {
    let masked = match e.entity {
        EntityKind::Unit => e.entity::<Unit>().and_then(|mut u| {
            u.last_position = None;
            serde_json::value::to_raw_value(&u)
        }),
        EntityKind::Agency => e.entity::<Agency>().and_then(|mut a| {
            crate::store::mask_agency(&mut a);
            serde_json::value::to_raw_value(&a)
        }),
        _ => return Bytes::new(),
    };
    match masked {
        Ok(data) => frame(&Event { data, ..e.clone() }),
        Err(_) => Bytes::new(),
    }
}

/// What one officer is sent of one event.
enum Seen {
    Whole,
    Masked,
    /// An incident or task they saw until this change: only its id, so the console drops it.
    Redacted,
    Nothing,
}

fn seen(viewer: &Viewer, l: &Logged) -> Seen {
    if viewer.admits(&l.audience) {
        return Seen::Whole;
    }
    match l.event.entity {
        entity if crate::model::marking::maskable(entity) => Seen::Masked,
        EntityKind::Incident | EntityKind::Task
            if l.was.as_deref().is_some_and(|w| viewer.admits(w)) =>
        {
            Seen::Redacted
        }
        _ => Seen::Nothing,
    }
}

fn redacted_frame(e: &Event) -> Bytes {
    let data = serde_json::to_string(&Redacted {
        seq: e.seq,
        entity: e.entity,
        entity_id: e.entity_id,
    })
    .unwrap_or_default();
    Bytes::from(format!("id: {}\nevent: redacted\ndata: {data}\n\n", e.seq))
}

/// Tells the console that nothing up to `through` is for it.
fn skip_frame(through: u64) -> Bytes {
    Bytes::from(format!(
        "id: {through}\nevent: skip\ndata: {{\"through\":{through}}}\n\n"
    ))
}

/// A message that is not an event of the log: no `id`, so the client's
/// resume point stays where the log left it.
fn json_frame(name: &str, data: &impl serde::Serialize) -> Option<Bytes> {
    let json = serde_json::to_string(data).ok()?;
    Some(Bytes::from(format!("event: {name}\ndata: {json}\n\n")))
}

/// The next value a watch holds (`None` in it is "not read yet"); never
/// ready without a watch, or once its sender is gone.
async fn changed<T: Clone>(rx: &mut Option<watch::Receiver<Option<T>>>) -> Option<T> {
    loop {
        let Some(r) = rx.as_mut() else {
            return std::future::pending().await;
        };
        if r.changed().await.is_err() {
            *rx = None;
            continue;
        }
        if let Some(v) = r.borrow_and_update().clone() {
            return Some(v);
        }
    }
}

type Next = Option<(Result<Bytes, std::convert::Infallible>, Feed)>;

/// What woke a live stream.
enum Woke {
    Live(Result<Arc<Published>, broadcast::error::RecvError>),
    Quiet,
    Attention(Option<Arc<Vec<AttentionItem>>>),
    /// Its place in the spread came: send the queue read last.
    QueueDue,
    Presence(Option<Arc<Vec<Presence>>>),
}

/// When a queue waits to be sent; never without one.
async fn due<T>(queue: &Option<(Instant, T)>) {
    match queue {
        Some((at, _)) => tokio::time::sleep_until(*at).await,
        None => std::future::pending().await,
    }
}

impl Feed {
    async fn next(mut self) -> Next {
        loop {
            if self.ended {
                return None;
            }
            if let Some(l) = self.backlog.pop_front() {
                let bytes = match seen(&self.viewer, &l) {
                    Seen::Whole => frame(&l.event),
                    Seen::Masked => masked_frame(&l.event),
                    Seen::Redacted => redacted_frame(&l.event),
                    Seen::Nothing => Bytes::new(),
                };
                if let Some(bytes) = self.take(&l.event, bytes) {
                    return self.send(bytes);
                }
                continue;
            }
            if self.catching_up {
                let page = {
                    let Ok(_reader) = self.replay.acquire().await else {
                        return None;
                    };
                    self.store.events_after(self.last, PAGE).await
                };
                match page {
                    Ok(page) if page.is_empty() => self.catching_up = false,
                    Ok(page) => self.backlog.extend(page),
                    Err(e) => {
                        tracing::warn!("event stream ends: {e}");
                        return None;
                    }
                }
                continue;
            }
            // Events first: the queue and who is connected go out when no
            // event waits, so they never delay one.
            let woke = tokio::select! {
                biased;
                r = self.live.recv() => Woke::Live(r),
                _ = tokio::time::sleep_until(self.quiet_until) => Woke::Quiet,
                _ = self.shutdown.wait_for(|stop| *stop) => return None,
                items = changed(&mut self.attention) => Woke::Attention(items),
                _ = due(&self.queue_due) => Woke::QueueDue,
                list = changed(&mut self.presence) => Woke::Presence(list),
            };
            let received = match woke {
                Woke::Live(r) => r,
                Woke::Quiet if self.skipped => {
                    self.skipped = false;
                    let through = self.last;
                    return self.send(skip_frame(through));
                }
                Woke::Quiet => return self.send(Bytes::from_static(HEARTBEAT_FRAME)),
                Woke::Attention(Some(items)) => {
                    let at = match &self.queue_due {
                        Some((at, _)) => *at,
                        None => Instant::now() + self.spread,
                    };
                    self.queue_due = Some((at, items));
                    continue;
                }
                Woke::Attention(None) => continue,
                Woke::QueueDue => {
                    let items = self.queue_due.take().map(|(_, items)| items);
                    match self.attention_frame(items).await {
                        Some(bytes) => return self.send(bytes),
                        None => continue,
                    }
                }
                Woke::Presence(list) => {
                    match list.and_then(|l| json_frame("presence.changed", &*l)) {
                        Some(bytes) => return self.send(bytes),
                        None => continue,
                    }
                }
            };
            match received {
                Ok(p) if p.logged.event.seq <= self.last => continue,
                Ok(p) if p.logged.event.seq == self.last + 1 => {
                    let e = &p.logged.event;
                    let bytes = match seen(&self.viewer, &p.logged) {
                        Seen::Whole => p.frame.get_or_init(|| frame(e)).clone(),
                        Seen::Masked => p.masked.get_or_init(|| masked_frame(e)).clone(),
                        Seen::Redacted => redacted_frame(e),
                        Seen::Nothing => Bytes::new(),
                    };
                    if let Some(bytes) = self.take(e, bytes) {
                        return self.send(bytes);
                    }
                }
                // A gap or a lag: the log has what the broadcast dropped.
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => self.catching_up = true,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// The officer's queue from their centre's `items`, as a frame.
    async fn attention_frame(&self, items: Option<Arc<Vec<AttentionItem>>>) -> Option<Bytes> {
        let items = items?;
        match self.hub.queue_of(self.officer, &items).await {
            Ok(queue) => json_frame("attention", &queue),
            Err(e) => {
                tracing::warn!("reading seen-marks for a stream: {e}");
                None
            }
        }
    }

    /// Moves past `e`, whose frame for this officer is `bytes` (empty when
    /// hidden); returns what to send, if anything.
    fn take(&mut self, e: &Event, bytes: Bytes) -> Option<Bytes> {
        let skipped_before = std::mem::replace(&mut self.skipped, bytes.is_empty());
        self.last = e.seq;
        self.ended = self.revokes_me(e);
        if bytes.is_empty() {
            return None;
        }
        if !skipped_before {
            return Some(bytes);
        }
        let mut joined = skip_frame(e.seq.saturating_sub(1)).to_vec();
        joined.extend_from_slice(&bytes);
        Some(Bytes::from(joined))
    }
    /// The stream's own officer was revoked: this is its last event.
    fn revokes_me(&self, e: &Event) -> bool {
        e.kind == EventKind::OfficerRevoked && e.entity_id == self.officer
    }

    fn send(mut self, bytes: Bytes) -> Next {
        self.quiet_until = Instant::now() + self.heartbeat;
        Some((Ok(bytes), self))
    }
}
