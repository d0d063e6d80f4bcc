//! The console's network side: keeps the state in sync (snapshot or cached
//! cursor, then the live stream, reconnecting with backoff from the last seq),
//! replays the outbox in order, and fetches incident details. Everything it
//! learns goes back as actions on the one channel.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::Notify;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use uuid::Uuid;

use super::action::{Action, Link, NetEvent};
use crate::api::StreamItem;
use crate::client::outbox::{EntryState, Outbox};
use crate::client::{Client, ClientError};

/// Reconnect attempts back off to this: short, because the end of an outage
/// should be noticed within a couple of seconds, and one attempt costs a SYN.
/// (A silent link is found by the client's read timeout, `link_timeout`.)
const BACKOFF_MAX: Duration = Duration::from_millis(1500);
/// Failed reconnects before the header says OFFLINE rather than RECONNECTING.
const OFFLINE_AFTER: u32 = 3;
/// How often a refused token is tried again: rarely, since only a new token
/// (or an administrator undoing a mistake) will help, and every try is a
/// failed sign-in in the server's log.
const TOKEN_RETRY: Duration = Duration::from_secs(30);

fn send(actions: &UnboundedSender<Action>, e: NetEvent) {
    let _ = actions.send(Action::Net(e));
}

/// Fetches incident details on request.
pub async fn details(
    client: Client,
    actions: UnboundedSender<Action>,
    mut ids: UnboundedReceiver<Uuid>,
) {
    while let Some(id) = ids.recv().await {
        let (c, a) = (client.clone(), actions.clone());
        tokio::spawn(async move {
            if let Ok(d) = c.incident(id).await {
                send(&a, NetEvent::Detail(Box::new(d)));
            }
        });
    }
}

/// Sends the outbox in order, exactly once per entry (its key never changes).
/// A lost link stops the run and keeps the entry pending; a 412 or a refusal
/// is recorded on the entry and shown, and the next entries go on.
pub async fn replay(
    client: Client,
    outbox: Outbox,
    actions: UnboundedSender<Action>,
    wake: Arc<Notify>,
) {
    let mut backoff = Duration::from_millis(250);
    let mut failing = false;
    loop {
        let mut stalled = false;
        let mut token_refused = false;
        match outbox.pending().await {
            Ok(entries) => {
                for e in entries {
                    let state = match e.call.perform(&client, &e.key).await {
                        Ok(()) => None,
                        Err(err) if err.is_transient() || err.status() == Some(401) => {
                            // Kept, and retried with the same key; the officer is told why.
                            tracing::warn!("sending `{}` failed: {err}", e.call.what());
                            send(&actions, NetEvent::SendFailing(err.to_string()));
                            failing = true;
                            stalled = true;
                            token_refused = err.status() == Some(401);
                            break;
                        }
                        Err(ClientError::Problem(p)) if p.status == 412 => {
                            Some(EntryState::Conflict {
                                current: p.current.clone().unwrap_or_default(),
                            })
                        }
                        Err(ClientError::Problem(p)) => Some(EntryState::Refused {
                            status: p.status,
                            reason: p.detail.clone(),
                        }),
                        Err(other) => Some(EntryState::Refused {
                            status: 0,
                            reason: other.to_string(),
                        }),
                    };
                    if std::mem::take(&mut failing) {
                        send(&actions, NetEvent::SendsLanding);
                    }
                    let recorded = match &state {
                        None => outbox.remove(e.seq).await,
                        Some(s) => outbox.set_state(e.seq, s).await,
                    };
                    if let Err(err) = recorded {
                        tracing::error!("outbox: {err}");
                        stalled = true;
                        break;
                    }
                    send(
                        &actions,
                        match state {
                            None => NetEvent::Delivered(e.seq),
                            Some(EntryState::Conflict { current }) => NetEvent::Conflict {
                                seq: e.seq,
                                current,
                            },
                            Some(EntryState::Refused { status, reason }) => NetEvent::Refused {
                                seq: e.seq,
                                status,
                                reason,
                            },
                            Some(EntryState::Pending) => continue,
                        },
                    );
                }
            }
            Err(err) => {
                tracing::error!("outbox: {err}");
                stalled = true;
            }
        }
        if actions.is_closed() {
            return;
        }
        if stalled {
            let wait = if token_refused { TOKEN_RETRY } else { backoff };
            let _ = tokio::time::timeout(wait, wake.notified()).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        } else {
            backoff = Duration::from_millis(250);
            let _ = tokio::time::timeout(Duration::from_secs(10), wake.notified()).await;
        }
    }
}

/// Where the sync starts: from a cached state (its cursor) or from nothing.
pub struct Start {
    pub cursor: Option<u64>,
    pub have_me: bool,
    /// When the link was last known good (the cache's time), if not now.
    pub down_since: Option<OffsetDateTime>,
}

pub async fn sync(
    client: Client,
    actions: UnboundedSender<Action>,
    mut resync: UnboundedReceiver<()>,
    start: Start,
    wake: Arc<Notify>,
) {
    let Start {
        mut cursor,
        mut have_me,
        mut down_since,
    } = start;
    let mut attempt = 0u32;
    let mut backoff = Duration::from_millis(250);
    loop {
        let result: Result<(), ClientError> = async {
            if !have_me {
                let me = client.whoami().await?;
                send(&actions, NetEvent::Me(me.officer));
                send(&actions, NetEvent::Token(me.token));
                have_me = true;
            }
            if cursor.is_none() {
                let snap = client.snapshot().await?;
                cursor = Some(snap.seq);
                send(&actions, NetEvent::Snapshot(Box::new(snap)));
            }
            // From the cursor: only what was missed crosses the link.
            let mut stream = match client.events(cursor.unwrap_or(0)).await {
                Err(ClientError::Gone) => {
                    cursor = None;
                    return Err(ClientError::Gone);
                }
                other => other?,
            };
            send(&actions, NetEvent::Link(Link::Live));
            wake.notify_one();
            attempt = 0;
            down_since = None;
            backoff = Duration::from_millis(250);
            loop {
                tokio::select! {
                    // A silent link ends the stream with an error (read timeout).
                    next = stream.next() => match next {
                        Some(Ok(item)) => {
                            if let Some(seq) = item.seq() {
                                cursor = Some(seq);
                            }
                            send(&actions, match item {
                                StreamItem::Event(e) => NetEvent::Event(e),
                                StreamItem::Redacted(r) => NetEvent::Redacted(r),
                                StreamItem::Skip(s) => NetEvent::Skip(s.through),
                                StreamItem::Attention(q) => NetEvent::Attention(q),
                                StreamItem::Presence(p) => NetEvent::Presence(p),
                            });
                        }
                        Some(Err(e)) => return Err(e),
                        None => return Ok(()), // closed by the server: reconnect
                    },
                    Some(()) = resync.recv() => {
                        cursor = None;
                        return Ok(());
                    }
                }
            }
        }
        .await;
        if actions.is_closed() {
            return;
        }
        match result {
            // A new snapshot is needed; take it at once.
            Err(ClientError::Gone) => continue,
            Err(ClientError::Problem(p)) if p.status == 401 => {
                let since = *down_since.get_or_insert_with(OffsetDateTime::now_utc);
                tracing::error!(
                    "the server refused this console's token ({}); retrying in {TOKEN_RETRY:?}",
                    p.detail
                );
                send(&actions, NetEvent::Link(Link::TokenRefused { since }));
                tokio::time::sleep(TOKEN_RETRY).await;
                continue;
            }
            Err(e) => tracing::warn!("sync: {e}"),
            Ok(()) => tracing::info!("the event stream closed; reconnecting"),
        }
        attempt += 1;
        let since = *down_since.get_or_insert_with(OffsetDateTime::now_utc);
        let link = if attempt > OFFLINE_AFTER {
            Link::Offline { since, attempt }
        } else {
            Link::Reconnecting { since, attempt }
        };
        send(&actions, NetEvent::Link(link));
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

/// Who is on duty at both centres and the last shifts ended, asked every
/// 30 s (and at once after a shift command or a shift event); a failed ask
/// keeps the last answer.
pub async fn on_duty(client: Client, actions: UnboundedSender<Action>, wake: Arc<Notify>) {
    loop {
        let mut all = Vec::new();
        let mut ok = true;
        for centre in crate::model::Centre::ALL {
            match client.shifts(*centre, true).await {
                Ok(list) => all.extend(list),
                Err(_) => ok = false,
            }
        }
        if ok {
            send(&actions, NetEvent::OnDuty(all));
        }
        let mut ended = Vec::new();
        for centre in crate::model::Centre::ALL {
            if let Ok(list) = client.shifts(*centre, false).await {
                ended.extend(list.into_iter().take(5));
            }
        }
        ended.sort_by_key(|s| std::cmp::Reverse(s.ended_at));
        send(&actions, NetEvent::Handovers(ended));
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(30)) => {}
            _ = wake.notified() => {}
        }
        if actions.is_closed() {
            return;
        }
    }
}
