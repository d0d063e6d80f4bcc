//! The attention queue, computed here and pushed on every officer's stream.
//!
//! One task per server follows the log: each event that can raise an item
//! by itself (a change by the other centre, a task declined or done) is read
//! once, whatever the number of streams, into a short list per centre; and
//! a change to what a centre's queue is made of by state (incidents, tasks,
//! shifts) marks the centre to be read again, at most once a second. Each
//! stream watches its centre's items and, when they change, sends its
//! officer their queue with their own seen-marks.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::{broadcast, watch};
use tokio::time::Instant;
use uuid::Uuid;

use crate::api::AttentionQueue;
use crate::model::attention::{self, AttentionItem, EventContext, QUEUE_MAX};
use crate::model::marking::incident_audience;
use crate::model::{Centre, EntityKind, Event, EventKind, Incident, Viewer};
use crate::store::{Published, Store, StoreResult};

/// A centre's items as last read, `None` until the first read.
pub type Items = Option<Arc<Vec<AttentionItem>>>;

/// Least time between two reads of the queues: an officer reads them
/// within a second, and a burst of events costs one read.
const SETTLE: Duration = Duration::from_secs(1);
/// A queue is read again this often anyway: tasks fall overdue with no event.
const REFRESH: Duration = Duration::from_secs(30);
/// Event-raised items are dropped after a day (seen or not).
const KEPT: time::Duration = time::Duration::hours(24);
/// Events read back from the log at start, to raise the recent items again.
const PRIME: u64 = 2_000;

pub struct Attention {
    store: Arc<dyn Store>,
    queues: HashMap<Centre, watch::Sender<Items>>,
    /// Items raised by events, per centre, newest last.
    raised: Mutex<HashMap<Centre, VecDeque<AttentionItem>>>,
    push: bool,
}

impl Attention {
    /// Starts following the log until `shutdown`; `push: false` leaves the
    /// streams without their queue (requests still read it).
    pub fn spawn(
        store: Arc<dyn Store>,
        shutdown: watch::Receiver<bool>,
        push: bool,
    ) -> Arc<Attention> {
        let live = store.subscribe();
        let hub = Arc::new(Attention {
            store,
            queues: Centre::ALL
                .iter()
                .map(|c| (*c, watch::channel(None).0))
                .collect(),
            raised: Mutex::default(),
            push,
        });
        tokio::spawn(hub.clone().follow(live, shutdown));
        hub
    }

    /// `centre`'s items as they change (none when not pushed).
    pub fn watch(&self, centre: Centre) -> Option<watch::Receiver<Items>> {
        if !self.push {
            return None;
        }
        self.queues.get(&centre).map(|q| q.subscribe())
    }

    /// `officer`'s queue from `items`, with their seen-marks.
    pub async fn queue_of(
        &self,
        officer: Uuid,
        items: &[AttentionItem],
    ) -> StoreResult<AttentionQueue> {
        let seen = self.store.seen(officer).await?;
        Ok(attention::for_officer(items, officer, &seen))
    }

    /// `centre`'s items read now (for a request, which must not see a
    /// queue older than its own last write).
    pub async fn items(&self, centre: Centre) -> StoreResult<Vec<AttentionItem>> {
        let now = OffsetDateTime::now_utc();
        let state = self.store.attention_state(centre, now).await?;
        let viewer = Viewer::officers_of(centre);
        let mut items: Vec<AttentionItem> = state
            .incidents
            .iter()
            .filter(|i| viewer.admits(&incident_audience(i)))
            .flat_map(|i| attention::from_incident(i, centre))
            .collect();
        items.extend(
            state
                .overdue
                .iter()
                .filter_map(|(t, reference)| attention::from_task(t, reference, now)),
        );
        items.extend(state.handovers.iter().filter_map(attention::from_shift));
        let raised = self.raised.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(list) = raised.get(&centre) {
            items.extend(list.iter().filter(|i| now - i.at < KEPT).cloned());
        }
        Ok(items)
    }

    async fn follow(
        self: Arc<Self>,
        mut live: broadcast::Receiver<Arc<Published>>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let mut officers = Officers::default();
        self.prime(&mut officers).await;
        let mut dirty: Vec<Centre> = Centre::ALL.to_vec();
        let mut next_read = Instant::now();
        let mut refresh_at = Instant::now() + REFRESH;
        loop {
            if !dirty.is_empty() && Instant::now() >= next_read && self.push {
                for c in std::mem::take(&mut dirty) {
                    self.publish(c).await;
                }
                next_read = Instant::now() + SETTLE;
                refresh_at = Instant::now() + REFRESH;
            }
            let wake = if dirty.is_empty() {
                refresh_at
            } else {
                next_read
            };
            tokio::select! {
                r = live.recv() => match r {
                    Ok(p) => {
                        if self.read_event(&p, &mut officers).await {
                            dirty = Centre::ALL.to_vec();
                        }
                    }
                    // Missed events: their raised items are lost, the state is read again.
                    Err(broadcast::error::RecvError::Lagged(_)) => dirty = Centre::ALL.to_vec(),
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = tokio::time::sleep_until(wake) => {
                    if dirty.is_empty() {
                        dirty = Centre::ALL.to_vec();
                    }
                }
                _ = async { shutdown.wait_for(|stop| *stop).await.is_ok() } => return,
            }
        }
    }

    /// Raises again the items of the last events in the log.
    async fn prime(&self, officers: &mut Officers) {
        let Ok(head) = self.store.head().await else {
            return;
        };
        let Ok(events) = self
            .store
            .events_after(head.saturating_sub(PRIME), PRIME as u32)
            .await
        else {
            return;
        };
        for l in events {
            self.raise(&l.event, &l.audience, officers).await;
        }
    }

    async fn publish(&self, centre: Centre) {
        match self.items(centre).await {
            Ok(items) => {
                if let Some(q) = self.queues.get(&centre) {
                    q.send_if_modified(|old| {
                        let changed = old.as_deref() != Some(&items);
                        if changed {
                            *old = Some(Arc::new(items));
                        }
                        changed
                    });
                }
            }
            Err(e) => tracing::warn!("reading the attention queue of {centre}: {e}"),
        }
    }

    /// Takes in one event; whether a queue may have changed.
    async fn read_event(&self, p: &Published, officers: &mut Officers) -> bool {
        let e = &p.logged.event;
        if e.kind == EventKind::OfficerCreated {
            officers.forget();
        }
        let raised = self.raise(e, &p.logged.audience, officers).await;
        raised
            || matches!(
                e.entity,
                EntityKind::Incident | EntityKind::Task | EntityKind::Shift
            )
    }

    /// Raises the items one event makes by itself; whether it made any.
    async fn raise(&self, e: &Event, audience: &str, officers: &mut Officers) -> bool {
        if !attention::may_raise(e.kind) {
            return false;
        }
        let Some((incident, reference)) = self.incident(e).await else {
            return false;
        };
        let actor = match e.actor.parse::<Uuid>() {
            Ok(id) => officers.get(self.store.as_ref(), id).await,
            Err(_) => None,
        };
        // What an update changed is looked up only for the other centre's.
        let elsewhere = actor.as_ref().is_some_and(|a| a.1 != incident);
        let before: Option<Incident> = match e.kind {
            EventKind::IncidentUpdated if elsewhere => {
                match self.store.before(e.entity_id, e.seq).await {
                    Ok(Some(json)) => serde_json::from_str(&json).ok(),
                    _ => None,
                }
            }
            _ => None,
        };
        let cx = EventContext {
            incident_centre: incident,
            reference: &reference,
            actor_name: actor.as_ref().map(|a| a.0.as_str()),
            actor_centre: actor.as_ref().map(|a| a.1),
            before: before.as_ref(),
        };
        let mut any = false;
        let mut raised = self.raised.lock().unwrap_or_else(|p| p.into_inner());
        for c in Centre::ALL {
            if !Viewer::officers_of(*c).admits(audience) {
                continue;
            }
            if let Some(item) = attention::from_event(e, &cx, *c) {
                let list = raised.entry(*c).or_default();
                list.push_back(item);
                if list.len() > QUEUE_MAX {
                    list.pop_front();
                }
                any = true;
            }
        }
        any
    }

    /// The owner and reference of the incident an event is about.
    async fn incident(&self, e: &Event) -> Option<(Centre, String)> {
        if e.kind == EventKind::IncidentUpdated {
            let now: Incident = e.entity().ok()?;
            return Some((now.centre, now.reference));
        }
        let id = attention::incident_of(e)?;
        self.store.incident_of(id).await.ok()?
    }
}

/// Officers' names and centres, read once and again when one is created.
#[derive(Default)]
struct Officers(Option<HashMap<Uuid, (String, Centre)>>);

impl Officers {
    fn forget(&mut self) {
        self.0 = None;
    }

    async fn get(&mut self, store: &dyn Store, id: Uuid) -> Option<(String, Centre)> {
        if self.0.is_none() {
            let all = store.officers().await.ok()?;
            self.0 = Some(
                all.into_iter()
                    .map(|r| (r.officer.id, (r.officer.name, r.officer.centre)))
                    .collect(),
            );
        }
        self.0.as_ref()?.get(&id).cloned()
    }
}

/// `GET /api/v1/attention` and `POST /api/v1/attention/seen`.
pub mod http {
    use axum::Json;
    use axum::extract::State;

    use super::super::AppState;
    use super::super::error::ApiError;
    use super::super::extract::{Authed, Mutation};
    use crate::api::{AttentionQueue, MarkSeen, Problem};

    /// Keys one request may mark seen.
    const MARK_MAX: usize = 500;

    #[utoipa::path(get, path = "/api/v1/attention", tag = "shifts", security(("bearer" = [])),
        responses((status = 200, description = "What needs the caller now, most pressing first, with their seen-marks; the same queue comes on the event stream as `event: attention` whenever it changes", body = AttentionQueue)))]
    pub async fn queue(
        State(state): State<AppState>,
        Authed(o): Authed,
    ) -> Result<Json<AttentionQueue>, ApiError> {
        let items = state.attention.items(o.centre).await?;
        Ok(Json(state.attention.queue_of(o.id, &items).await?))
    }

    #[utoipa::path(post, path = "/api/v1/attention/seen", tag = "shifts", security(("bearer" = [])), request_body = MarkSeen,
        params(("Idempotency-Key" = String, Header, description = "Unique per intended change (marking again is harmless anyway)")),
        responses((status = 200, description = "Marked (again is harmless); the caller's queue now", body = AttentionQueue),
                  (status = 422, description = "No keys, too many, or one not of the shape the queue gives", body = Problem)))]
    pub async fn mark_seen(
        State(state): State<AppState>,
        Authed(o): Authed,
        m: Mutation<MarkSeen>,
    ) -> Result<Json<AttentionQueue>, ApiError> {
        let body = m.body;
        if body.items.is_empty() || body.items.len() > MARK_MAX {
            return Err(ApiError::unprocessable(format!(
                "`items`: mark 1 to {MARK_MAX} keys at a time, not {}",
                body.items.len()
            )));
        }
        if let Some(bad) = body
            .items
            .iter()
            .find(|k| !crate::model::attention::is_key(k))
        {
            return Err(ApiError::unprocessable(format!(
                "`items`: {:?} is not a key the queue gave",
                crate::model::validate::excerpt(bad, 40)
            )));
        }
        state.store.mark_seen(o.id, body.items).await?;
        let items = state.attention.items(o.centre).await?;
        Ok(Json(state.attention.queue_of(o.id, &items).await?))
    }
}
