//! The publisher of live events, for every backend: it broadcasts every
//! committed event in seq order, whoever wrote it.
//!
//! This instance's writer hands over each committed batch as it commits,
//! and it is broadcast then and there, without reading it back and without
//! a hop through another task. Anything else that appends to the log —
//! another instance over the same PostgreSQL database, `tandem admin` on the
//! same SQLite file — is found in the log: when a notification says so
//! (PostgreSQL's NOTIFY), when a local batch would skip a seq, and on a short
//! poll that covers a lost notification or a writer that sends none.
//!
//! The publisher only ever broadcasts `last + 1`, so subscribers get the log
//! gap-free and in order however the sources interleave.

use std::sync::{Arc, Weak};
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::{Mutex, broadcast, mpsc};

use super::read;
use super::reader::Reader;
use super::{Logged, Published};

pub type Live = broadcast::Sender<Arc<Published>>;

/// Events read from the log per query while catching up.
const CATCH_UP_PAGE: u32 = 1000;

/// Where a writer hands the events of each batch it committed, in seq order.
pub trait Committed: Send + Sync + 'static {
    fn committed(&self, batch: Vec<Logged>) -> BoxFuture<'_, ()>;
}

pub struct Publisher<R: Reader> {
    reader: R,
    live: Live,
    /// The last seq broadcast; held while broadcasting, so sources never interleave.
    last: Mutex<u64>,
}

impl<R: Reader> Publisher<R> {
    pub fn new(reader: R, live: Live, last: u64) -> Arc<Publisher<R>> {
        Arc::new(Publisher {
            reader,
            live,
            last: Mutex::new(last),
        })
    }

    /// Broadcasts what the log holds beyond what was broadcast.
    async fn catch_up(&self) {
        let mut last = self.last.lock().await;
        catch_up(&self.reader, &self.live, &mut last).await;
    }
}

impl<R: Reader> Committed for Publisher<R> {
    fn committed(&self, batch: Vec<Logged>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let mut last = self.last.lock().await;
            for e in batch {
                let seq = e.event.seq;
                if seq > last.saturating_add(1) {
                    // Another writer committed in between: its events come first.
                    catch_up(&self.reader, &self.live, &mut last).await;
                }
                if seq == last.saturating_add(1) {
                    *last = seq;
                    let _ = self.live.send(Published::new(e));
                }
                // Otherwise already broadcast from the log (or the log could
                // not be read, and the next catch-up brings it in order).
            }
        })
    }
}

/// Watches for other writers' commits until the store is dropped: on each
/// notification of a seq beyond what was broadcast (`u64::MAX`: unknown), and
/// every `poll`, it reads the log.
pub async fn follow<R: Reader>(
    publisher: Weak<Publisher<R>>,
    notified: Option<mpsc::UnboundedReceiver<u64>>,
    poll: Duration,
) {
    // A source that never speaks when there is none.
    let mut notified = notified.unwrap_or_else(|| mpsc::unbounded_channel().1);
    let mut poll = tokio::time::interval(poll);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let seq = tokio::select! {
            Some(seq) = notified.recv() => Some(seq),
            _ = poll.tick() => None,
        };
        let Some(publisher) = publisher.upgrade() else {
            return;
        };
        let behind = match seq {
            Some(seq) => seq > *publisher.last.lock().await,
            None => true,
        };
        if behind {
            publisher.catch_up().await;
        }
    }
}

/// Broadcasts what the log holds after `last`.
async fn catch_up<R: Reader>(reader: &R, live: &Live, last: &mut u64) {
    loop {
        match read::events_after(reader, *last, CATCH_UP_PAGE).await {
            Ok(page) if page.is_empty() => return,
            Ok(page) => {
                for e in page {
                    let seq = e.event.seq;
                    if seq != last.saturating_add(1) {
                        tracing::error!(
                            "the event log skips from seq {last} to {seq}; not publishing past the gap"
                        );
                        return;
                    }
                    *last = seq;
                    let _ = live.send(Published::new(e));
                }
            }
            Err(e) => {
                tracing::warn!("publishing events: {e}");
                return;
            }
        }
    }
}
