//! Walking a log of events in order, wherever it comes from (the database,
//! an exported file): each event must follow the one before (`seq + 1`, its
//! `prev_hash`), hash to its own `hash`, and a checkpoint must sign the head
//! just before it, with its centre's trusted key when one is given.

use super::EventKind;
use super::checkpoint::{Checkpoint, Trust};
use super::event::{Event, GENESIS_HASH};

/// What is wrong with one event.
#[derive(Debug, Clone, PartialEq)]
pub struct Broken {
    pub seq: u64,
    /// A checkpoint's fault rather than the chain's.
    pub checkpoint: bool,
    pub expected: String,
    pub found: String,
}

pub struct Walk<'a> {
    trust: &'a Trust,
    /// The seq the next event must have.
    next: u64,
    /// The hash the next event must link to.
    prev: String,
    /// Events looked at.
    pub events: u64,
}

impl<'a> Walk<'a> {
    /// From the first event of a log.
    pub fn from_genesis(trust: &'a Trust) -> Walk<'a> {
        Walk::after(0, GENESIS_HASH, trust)
    }

    /// From the event after `seq`, whose hash is `hash` (a log exported from there on).
    pub fn after(seq: u64, hash: &str, trust: &'a Trust) -> Walk<'a> {
        Walk {
            trust,
            next: seq.saturating_add(1),
            prev: hash.to_string(),
            events: 0,
        }
    }

    /// The hash of the last event walked (or of where the walk started).
    pub fn head(&self) -> &str {
        &self.prev
    }

    /// Checks `e` against what came before; the walk goes on from `e` whatever it finds.
    pub fn step(&mut self, e: &Event) -> Vec<Broken> {
        let mut broken = Vec::new();
        let chain = |expected: String, found: String| Broken {
            seq: e.seq,
            checkpoint: false,
            expected,
            found,
        };
        if e.seq != self.next {
            broken.push(chain(
                format!("seq {}", self.next),
                format!("seq {}", e.seq),
            ));
        } else if e.prev_hash != self.prev {
            broken.push(chain(
                format!("prev_hash {}", self.prev),
                format!("prev_hash {}", e.prev_hash),
            ));
        } else {
            let computed = e.computed_hash();
            if computed != e.hash {
                broken.push(chain(
                    format!("hash {computed}"),
                    format!("hash {}", e.hash),
                ));
            }
        }
        if e.kind == EventKind::AuditCheckpoint {
            broken.extend(self.checkpoint(e));
        }
        self.events += 1;
        self.next = e.seq.saturating_add(1);
        self.prev = e.hash.clone();
        broken
    }

    /// A row that is not even an event: the walk counts it and goes on from its hash.
    pub fn unreadable(&mut self, seq: u64, hash: &str, why: String) -> Broken {
        self.events += 1;
        self.next = seq.saturating_add(1);
        self.prev = hash.to_string();
        Broken {
            seq,
            checkpoint: false,
            expected: "a readable event".into(),
            found: why,
        }
    }

    fn checkpoint(&self, e: &Event) -> Vec<Broken> {
        let fault = |expected: String, found: String| Broken {
            seq: e.seq,
            checkpoint: true,
            expected,
            found,
        };
        let cp: Checkpoint = match e.entity() {
            Ok(cp) => cp,
            Err(err) => return vec![fault("a checkpoint".into(), format!("unreadable: {err}"))],
        };
        let mut broken = Vec::new();
        if cp.seq.saturating_add(1) != e.seq || cp.head_hash != e.prev_hash {
            broken.push(fault(
                format!(
                    "the head before it: seq {}, hash {}",
                    e.seq.saturating_sub(1),
                    e.prev_hash
                ),
                format!("seq {}, hash {}", cp.seq, cp.head_hash),
            ));
        }
        match self.trust.check(&cp) {
            Some(true) => {}
            Some(false) => broken.push(fault(
                format!("a signature by {}'s key", cp.centre),
                "a signature that does not verify".into(),
            )),
            // Nothing to check it against: not a fault (a walk without a
            // trust file checks the chain only).
            None if self.trust.is_empty() => {}
            None => broken.push(fault(
                format!("a centre the trust file names ({})", cp.centre),
                "a centre without a trusted key".into(),
            )),
        }
        broken
    }
}
