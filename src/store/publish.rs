//! The publisher of live events, for every backend: it broadcasts every
//! committed event in seq order, whoever wrote it.
//!
//! This instance's writer hands over each committed batch, which is
//! broadcast without reading it back. Anything else that appends to the log —
//! another instance over the same PostgreSQL database, `tandem admin` on the
//! same SQLite file — is found in the log: when a notification says so
//! (PostgreSQL's NOTIFY), when a local batch would skip a seq, and on a short
//! poll that covers a lost notification or a writer that sends none.
//!
//! The publisher only ever broadcasts `last + 1`, so subscribers get the log
//! gap-free and in order however the sources interleave.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, mpsc};

use super::Published;
use super::read;
use super::reader::Reader;
use crate::model::Event;

pub type Live = broadcast::Sender<Arc<Published>>;

/// Events read from the log per query while catching up.
const CATCH_UP_PAGE: u32 = 1000;

/// Where news of commits comes from, besides this instance's own writer.
pub struct Sources {
    /// Committed batches of this instance's writer, in seq order.
    pub committed: mpsc::UnboundedReceiver<Vec<Event>>,
    /// The head seq of other writers' commits, as they announce them
    /// (`u64::MAX`: unknown, read the log).
    pub notified: Option<mpsc::UnboundedReceiver<u64>>,
    /// How often the log is read anyway.
    pub poll: Duration,
}

/// Runs until this instance's writer is gone (the store was dropped).
pub async fn run<R: Reader>(reader: R, live: Live, sources: Sources, mut last: u64) {
    let Sources {
        mut committed,
        notified,
        poll,
    } = sources;
    // A source that never speaks when there is none.
    let mut notified = notified.unwrap_or_else(|| mpsc::unbounded_channel().1);
    let mut poll = tokio::time::interval(poll);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            batch = committed.recv() => match batch {
                Some(batch) => publish_local(&reader, &live, &mut last, batch).await,
                None => return,
            },
            Some(seq) = notified.recv() => {
                if seq > last {
                    catch_up(&reader, &live, &mut last).await;
                }
            }
            _ = poll.tick() => catch_up(&reader, &live, &mut last).await,
        }
    }
}

async fn publish_local<R: Reader>(reader: &R, live: &Live, last: &mut u64, batch: Vec<Event>) {
    for e in batch {
        if e.seq > last.saturating_add(1) {
            // Another writer committed in between: its events come first.
            catch_up(reader, live, last).await;
        }
        if e.seq == last.saturating_add(1) {
            *last = e.seq;
            let _ = live.send(Published::new(e));
        }
        // Otherwise already broadcast from the log (or the log could not be
        // read, and the next catch-up brings it in order).
    }
}

/// Broadcasts what the log holds after `last`.
async fn catch_up<R: Reader>(reader: &R, live: &Live, last: &mut u64) {
    loop {
        match read::events_after(reader, *last, CATCH_UP_PAGE).await {
            Ok(page) if page.is_empty() => return,
            Ok(page) => {
                for e in page {
                    if e.seq != last.saturating_add(1) {
                        tracing::error!(
                            "the event log skips from seq {} to {}; not publishing past the gap",
                            last,
                            e.seq
                        );
                        return;
                    }
                    *last = e.seq;
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
