//! The console's network side: keeps the state in sync (snapshot, then the
//! live stream, reconnecting with backoff from the last seq) and carries out
//! API calls. Everything it learns goes back as actions on the one channel.

use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use uuid::Uuid;

use super::action::{Action, ApiCall, Link, NetEvent};
use crate::client::{Client, ClientError, new_key};

/// What the console asks of the network side.
#[derive(Debug)]
pub enum Request {
    Call(ApiCall),
    Detail(Uuid),
    Resync,
}

/// Silence longer than this (three heartbeats) means the link is dead.
const STALL: Duration = Duration::from_secs(45);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// Failed reconnects before the header says OFFLINE rather than RECONNECTING.
const OFFLINE_AFTER: u32 = 3;

pub fn spawn(client: Client, actions: UnboundedSender<Action>) -> UnboundedSender<Request> {
    let (tx, rx) = unbounded_channel();
    let (resync_tx, resync_rx) = unbounded_channel();
    tokio::spawn(sync(client.clone(), actions.clone(), resync_rx));
    tokio::spawn(serve_requests(client, actions, rx, resync_tx));
    tx
}

fn send(actions: &UnboundedSender<Action>, e: NetEvent) {
    let _ = actions.send(Action::Net(e));
}

async fn serve_requests(
    client: Client,
    actions: UnboundedSender<Action>,
    mut rx: UnboundedReceiver<Request>,
    resync: UnboundedSender<()>,
) {
    while let Some(req) = rx.recv().await {
        match req {
            Request::Resync => {
                let _ = resync.send(());
            }
            Request::Detail(id) => {
                let (c, a) = (client.clone(), actions.clone());
                tokio::spawn(async move {
                    if let Ok(d) = c.incident(id).await {
                        send(&a, NetEvent::Detail(Box::new(d)));
                    }
                });
            }
            // One at a time, in the order the officer acted: a later change to
            // an incident is based on the version the earlier one produces.
            Request::Call(call) => {
                let what = call.what().to_string();
                let error = perform(&client, &call).await.err().map(|e| e.to_string());
                send(&actions, NetEvent::Done { what, error });
            }
        }
    }
}

/// One call, retried with the same Idempotency-Key while the link (not the
/// request) fails, so a lost answer never doubles a change.
async fn perform(client: &Client, call: &ApiCall) -> Result<(), ClientError> {
    let key = new_key();
    let mut delay = Duration::from_secs(1);
    let mut attempt = 0;
    loop {
        let result = match call {
            ApiCall::PatchIncident {
                id, version, patch, ..
            } => client
                .patch_incident(&key, *id, *version, patch)
                .await
                .map(drop),
            ApiCall::Note { incident, text, .. } => {
                client.add_note(&key, *incident, text).await.map(drop)
            }
            ApiCall::CreateTask { incident, task, .. } => {
                client.create_task(&key, *incident, task).await.map(drop)
            }
            ApiCall::CreateIncident { new, .. } => {
                client.create_incident(&key, new).await.map(drop)
            }
            ApiCall::Merge { id, into, .. } => client.merge(&key, *id, *into).await.map(drop),
        };
        match result {
            Err(e) if e.is_transient() && attempt < 4 => {
                attempt += 1;
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(BACKOFF_MAX);
            }
            other => return other,
        }
    }
}

async fn sync(client: Client, actions: UnboundedSender<Action>, mut resync: UnboundedReceiver<()>) {
    let mut cursor: Option<u64> = None;
    let mut attempt = 0u32;
    let mut down_since: Option<OffsetDateTime> = None;
    let mut backoff = Duration::from_millis(500);
    let mut have_me = false;
    loop {
        let result: Result<(), ClientError> = async {
            if !have_me {
                send(&actions, NetEvent::Me(client.me().await?));
                have_me = true;
            }
            if cursor.is_none() {
                let snap = client.snapshot().await?;
                cursor = Some(snap.seq);
                send(&actions, NetEvent::Snapshot(Box::new(snap)));
            }
            let mut stream = client.events(cursor.unwrap_or(0)).await?;
            send(&actions, NetEvent::Link(Link::Live));
            attempt = 0;
            down_since = None;
            backoff = Duration::from_millis(500);
            loop {
                tokio::select! {
                    next = tokio::time::timeout(STALL, stream.next()) => match next {
                        Ok(Some(Ok(e))) => {
                            cursor = Some(e.seq);
                            send(&actions, NetEvent::Event(Box::new(e)));
                        }
                        Ok(Some(Err(e))) => return Err(e),
                        Ok(None) => return Ok(()),
                        Err(_) => return Ok(()), // stalled: reconnect
                    },
                    Some(()) = resync.recv() => {
                        cursor = None;
                        return Ok(());
                    }
                }
            }
        }
        .await;
        match result {
            Err(ClientError::Gone) => cursor = None,
            Err(ClientError::Problem(p)) if p.status == 401 => {
                let since = OffsetDateTime::now_utc();
                send(
                    &actions,
                    NetEvent::Link(Link::Offline {
                        since,
                        reason: "the token was refused".into(),
                    }),
                );
                tokio::time::sleep(BACKOFF_MAX).await;
                continue;
            }
            _ => {}
        }
        attempt += 1;
        let since = *down_since.get_or_insert_with(OffsetDateTime::now_utc);
        let link = if attempt > OFFLINE_AFTER {
            Link::Offline {
                since,
                reason: "the server cannot be reached".into(),
            }
        } else {
            Link::Reconnecting { since, attempt }
        };
        send(&actions, NetEvent::Link(link));
        if actions.is_closed() {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}
