//! The ordered, filtered incident feed, kept incrementally.
//!
//! Order: overdue first, then open incidents, then closed or dismissed ones
//! (still in the snapshot window); within each, severity (critical first),
//! then newest first.
//! Each incident's key is kept so one event re-sorts one row in O(log n);
//! overdue deadlines sit in their own ordered map so the clock promotes rows
//! without scanning the feed. Views read a window with `range`, so drawing
//! never walks or clones the whole feed.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use uuid::Uuid;

use super::filter::Filter;
use crate::model::{Incident, IncidentStatus, Severity, Sla};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FeedKey {
    /// 0 when overdue, 1 when open, 2 when closed or dismissed.
    pub group: u8,
    pub severity: Reverse<Severity>,
    pub reported: Reverse<i64>,
    pub id: Uuid,
}

#[derive(Debug, Default)]
pub struct Feed {
    order: BTreeSet<FeedKey>,
    keys: HashMap<Uuid, FeedKey>,
    /// Deadlines of unacknowledged incidents not yet overdue: (deadline ms, id).
    deadlines: BTreeSet<(i64, Uuid)>,
    deadline_of: HashMap<Uuid, i64>,
    /// Incidents past their deadline and still unacknowledged.
    overdue: BTreeMap<Uuid, ()>,
    pub filter: Filter,
}

fn ms(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

impl Feed {
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    pub fn overdue_count(&self) -> usize {
        self.overdue.len()
    }

    pub fn is_overdue(&self, id: &Uuid) -> bool {
        self.overdue.contains_key(id)
    }

    pub fn key_of(&self, id: &Uuid) -> Option<FeedKey> {
        self.keys.get(id).copied()
    }

    /// Re-files one incident after it changed (or `None` if it left the state).
    pub fn upsert(&mut self, incident: Option<&Incident>, id: Uuid, sla: &Sla, now_ms: i64) {
        if let Some(old) = self.keys.remove(&id) {
            self.order.remove(&old);
        }
        if let Some(d) = self.deadline_of.remove(&id) {
            self.deadlines.remove(&(d, id));
        }
        self.overdue.remove(&id);
        let Some(i) = incident else { return };
        if i.status == IncidentStatus::Reported {
            let deadline = ms(sla.deadline(i));
            if deadline < now_ms {
                self.overdue.insert(id, ());
            } else {
                self.deadlines.insert((deadline, id));
                self.deadline_of.insert(id, deadline);
            }
        }
        let overdue = self.overdue.contains_key(&id);
        if self.filter.matches(i, overdue) {
            let key = FeedKey {
                group: if overdue {
                    0
                } else if i.status.is_open() {
                    1
                } else {
                    2
                },
                severity: Reverse(i.severity),
                reported: Reverse(ms(i.reported_at)),
                id,
            };
            self.order.insert(key);
            self.keys.insert(id, key);
        }
    }

    /// Ids whose deadline passed since the last call; the caller re-files them.
    pub fn due(&mut self, now_ms: i64) -> Vec<Uuid> {
        let mut out = Vec::new();
        while let Some(&(d, id)) = self.deadlines.first() {
            if d >= now_ms {
                break;
            }
            self.deadlines.pop_first();
            self.deadline_of.remove(&id);
            out.push(id);
        }
        out
    }

    /// Rebuilds from scratch (new snapshot, new filter or SLA).
    pub fn rebuild<'a>(
        &mut self,
        incidents: impl Iterator<Item = &'a Incident>,
        sla: &Sla,
        now_ms: i64,
    ) {
        let filter = std::mem::take(&mut self.filter);
        *self = Feed {
            filter,
            ..Feed::default()
        };
        for i in incidents {
            self.upsert(Some(i), i.id, sla, now_ms);
        }
    }

    pub fn first(&self) -> Option<Uuid> {
        self.order.first().map(|k| k.id)
    }

    pub fn last(&self) -> Option<Uuid> {
        self.order.last().map(|k| k.id)
    }

    /// The id `n` rows after (positive) or before (negative) `from`, clamped to the ends.
    pub fn step(&self, from: Option<Uuid>, n: isize) -> Option<Uuid> {
        let Some(key) = from.and_then(|f| self.key_of(&f)) else {
            return self.first();
        };
        if n >= 0 {
            let mut it = self.order.range(key..);
            let mut last = key.id;
            for _ in 0..=n {
                match it.next() {
                    Some(k) => last = k.id,
                    None => break,
                }
            }
            Some(last)
        } else {
            let mut last = key.id;
            for k in self.order.range(..key).rev().take(n.unsigned_abs()) {
                last = k.id;
            }
            Some(last)
        }
    }

    /// Up to `n` ids starting at `top` (or the first row).
    pub fn window(&self, top: Option<Uuid>, n: usize) -> impl Iterator<Item = Uuid> + '_ {
        let start = match top.and_then(|t| self.key_of(&t)) {
            Some(k) => Bound::Included(k),
            None => Bound::Unbounded,
        };
        self.order
            .range((start, Bound::Unbounded))
            .take(n)
            .map(|k| k.id)
    }

    /// The top row that keeps `selected` visible in a window of `height` rows.
    pub fn scroll_to(
        &self,
        top: Option<Uuid>,
        selected: Option<Uuid>,
        height: usize,
    ) -> Option<Uuid> {
        let (Some(sel), height) = (selected.and_then(|s| self.key_of(&s)), height.max(1)) else {
            return self.first();
        };
        let top_key = top.and_then(|t| self.key_of(&t));
        match top_key {
            Some(t) if t <= sel => {
                if self.order.range(t..=sel).take(height + 1).count() <= height {
                    Some(t.id)
                } else {
                    self.order
                        .range(..=sel)
                        .rev()
                        .take(height)
                        .last()
                        .map(|k| k.id)
                }
            }
            _ => Some(sel.id),
        }
    }

    /// The 0-based position of `id` (walks the rows before it; for the status line only).
    pub fn position(&self, id: &Uuid) -> Option<usize> {
        let key = self.key_of(id)?;
        Some(self.order.range(..key).count())
    }

    /// Next id after `from` (wrapping) for which `pred` holds.
    pub fn find_next(
        &self,
        from: Option<Uuid>,
        forward: bool,
        pred: impl Fn(Uuid) -> bool,
    ) -> Option<Uuid> {
        let key = from.and_then(|f| self.key_of(&f));
        let ids: Box<dyn Iterator<Item = &FeedKey>> = match (key, forward) {
            (Some(k), true) => Box::new(
                self.order
                    .range((Bound::Excluded(k), Bound::Unbounded))
                    .chain(self.order.range(..=k)),
            ),
            (Some(k), false) => Box::new(
                self.order
                    .range(..k)
                    .rev()
                    .chain(self.order.range(k..).rev()),
            ),
            (None, true) => Box::new(self.order.iter()),
            (None, false) => Box::new(self.order.iter().rev()),
        };
        ids.map(|k| k.id).find(|id| pred(*id))
    }
}
