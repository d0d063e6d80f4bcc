//! Re-reading the past: the server's log, event by event, against the
//! witness's copy. An event changed after the witness received it (even
//! with every later hash recomputed), an event deleted in the middle, a log
//! that ends before the copy does, another history under the same seqs: each
//! shows here, whatever the server's own check says.

use std::collections::VecDeque;

use super::PAGE;
use super::copy::Copy;
use super::findings::Findings;
use crate::api::FindingKind;
use crate::client::Client;
use crate::model::Event;

/// The server's log read forward a page at a time.
struct Served<'a> {
    client: &'a Client,
    buffer: VecDeque<Event>,
    /// The last seq fetched.
    after: u64,
    /// The server's head at the last fetch.
    head: u64,
    /// The server has nothing after `after`.
    ended: bool,
}

impl Served<'_> {
    /// The next served event, if the log goes on.
    async fn peek(&mut self) -> anyhow::Result<Option<&Event>> {
        if self.buffer.is_empty() && !self.ended {
            let page = self.client.log(self.after, PAGE).await?;
            self.head = page.head;
            match page.events.last() {
                Some(last) => self.after = last.seq,
                None => self.ended = true,
            }
            self.buffer.extend(page.events);
        }
        Ok(self.buffer.front())
    }
}

/// Compares every event the copy holds through `upto` with the server's;
/// returns how many.
pub async fn recheck(
    client: &Client,
    copy: &mut Copy,
    upto: u64,
    found: &mut Findings,
) -> anyhow::Result<u64> {
    let mut served = Served {
        client,
        buffer: VecDeque::new(),
        after: 0,
        head: 0,
        ended: false,
    };
    let mut compared = 0;
    let mut after = 0;
    loop {
        let own = copy.hashes(after, PAGE).await?;
        let Some(&(last, _)) = own.last().filter(|_| after < upto) else {
            return Ok(compared);
        };
        after = last;
        for (seq, hash) in own.into_iter().take_while(|(seq, _)| *seq <= upto) {
            compared += 1;
            // Served events the copy has no place for (a seq repeated out of order).
            while served.peek().await?.is_some_and(|e| e.seq < seq) {
                if let Some(extra) = served.buffer.pop_front() {
                    found.at(
                        FindingKind::Fork,
                        extra.seq,
                        "events in seq order".into(),
                        format!("event {} again after {}", extra.seq, seq - 1),
                    );
                }
            }
            match served.peek().await? {
                Some(e) if e.seq == seq => {
                    let computed = e.computed_hash();
                    if computed != hash || e.hash != hash {
                        found.at(
                            FindingKind::Fork,
                            seq,
                            format!("event {seq} as this witness received it (hash {hash})"),
                            format!("an event {seq} that hashes to {computed}"),
                        );
                    }
                    served.buffer.pop_front();
                }
                Some(_) => found.at(
                    FindingKind::Fork,
                    seq,
                    format!("event {seq} (hash {hash})"),
                    "no such event in the server's log".into(),
                ),
                None => {
                    let (held, _) = copy.head();
                    found.at(
                        FindingKind::Truncation,
                        seq,
                        format!(
                            "a log through seq {held}{}",
                            signed_note(copy.signed(), seq)
                        ),
                        format!("a log that ends at seq {}", served.head),
                    );
                    return Ok(compared);
                }
            }
        }
    }
}

/// " (seq N signed)" when the cut goes below a checkpoint the copy holds.
pub fn signed_note(signed: u64, cut: u64) -> String {
    if signed >= cut {
        format!(", signed through seq {signed}")
    } else {
        String::new()
    }
}
