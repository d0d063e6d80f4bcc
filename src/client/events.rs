//! Reading the SSE event stream with `eventsource-stream` (WHATWG parsing rules).

use std::pin::Pin;

use eventsource_stream::{EventStreamError, Eventsource};
use futures::{Stream, StreamExt};

use super::{ClientError, ClientResult};
use crate::api::StreamItem;

type Inner = Pin<Box<dyn Stream<Item = ClientResult<StreamItem>> + Send>>;

/// Events in seq order as the server sends them, with what this officer may
/// not see left out (`skip`) or withdrawn (`redacted`); ends when the link drops.
pub struct EventStream {
    inner: Inner,
}

impl EventStream {
    pub fn new(res: reqwest::Response) -> EventStream {
        let inner = res
            .bytes_stream()
            .eventsource()
            .filter_map(|next| async move {
                match next {
                    Ok(ev) if ev.data.is_empty() => None,
                    Ok(ev) => Some(
                        item(&ev.event, &ev.data)
                            .map_err(|e| ClientError::Decode(format!("event {}: {e}", ev.id))),
                    ),
                    // The link failed (a reset, a silence past the read timeout).
                    Err(EventStreamError::Transport(e)) => Some(Err(ClientError::Network(e))),
                    Err(e) => Some(Err(ClientError::Decode(e.to_string()))),
                }
            })
            .boxed();
        EventStream { inner }
    }

    pub async fn next(&mut self) -> Option<ClientResult<StreamItem>> {
        self.inner.next().await
    }

    /// The next whole event, passing over `skip` and `redacted` messages
    /// (for readers that only count or time events).
    pub async fn next_event(&mut self) -> Option<ClientResult<crate::model::Event>> {
        loop {
            match self.next().await? {
                Ok(StreamItem::Event(e)) => return Some(Ok(*e)),
                Ok(_) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// One SSE message by its `event` name.
fn item(name: &str, data: &str) -> serde_json::Result<StreamItem> {
    Ok(match name {
        "skip" => StreamItem::Skip(serde_json::from_str(data)?),
        "redacted" => StreamItem::Redacted(serde_json::from_str(data)?),
        "attention" => StreamItem::Attention(serde_json::from_str(data)?),
        "presence.changed" => StreamItem::Presence(serde_json::from_str(data)?),
        _ => StreamItem::Event(Box::new(serde_json::from_str(data)?)),
    })
}

/// One parsed SSE message: (event type, data, last event id, reconnection
/// time in ms if the message's block set one).
pub type SseMessage = (String, String, String, Option<u64>);

/// Parses SSE text chunks with the same parser the stream uses (for tests and tools).
pub async fn parse_sse(chunks: Vec<String>) -> Vec<SseMessage> {
    let bytes = futures::stream::iter(
        chunks
            .into_iter()
            .map(|c| Ok::<_, std::convert::Infallible>(bytes_of(c))),
    );
    bytes
        .eventsource()
        .filter_map(|e| async move {
            e.ok().map(|e| {
                let retry = e.retry.map(|r| r.as_millis() as u64);
                (e.event, e.data, e.id, retry)
            })
        })
        .collect()
        .await
}

fn bytes_of(s: String) -> Vec<u8> {
    s.into_bytes()
}
