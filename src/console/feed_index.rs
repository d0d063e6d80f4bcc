//! The ordered, filtered incident feed, kept incrementally: the index the
//! feed component reads.
//!
//! Order: overdue first, then open incidents, then closed or dismissed ones
//! (still in the snapshot window); within each, severity (critical first),
//! then newest first.
//!
//! What the filter and the order need of each incident is packed into a
//! contiguous [`Facts`] vector (with the searchable text lowercased once), so
//! a re-filter scans memory in order instead of chasing 100k heap entities.
//! A feed key is derived from the facts, so one event re-sorts one row in
//! O(log n); deadlines sit in their own ordered set so the clock promotes
//! rows to overdue without scanning. Views read a window with `range`, so
//! drawing never walks or clones the whole feed.

use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;

use uuid::Uuid;

use super::facts::{Facts, FeedKey, Sort};
use super::filter::Filter;
use crate::model::{Incident, Sla};

/// Where an incident goes on the map, packed small (12 bytes, beside its
/// facts at the same slot): a map frame scans these, not the facts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spot {
    pub lat: f32,
    pub lon: f32,
    pub severity: crate::model::Severity,
    pub overdue: bool,
    /// Shown by the filter and open: drawn on the map.
    pub drawn: bool,
}

impl Spot {
    fn of(f: &Facts) -> Spot {
        Spot {
            lat: f.lat,
            lon: f.lon,
            severity: f.severity,
            overdue: f.overdue,
            drawn: f.shown && f.status.is_open(),
        }
    }
}

#[derive(Debug, Default)]
pub struct FeedIndex {
    facts: Vec<Facts>,
    spots: Vec<Spot>,
    slot: HashMap<Uuid, usize>,
    /// The filtered feed, in display order.
    order: BTreeSet<FeedKey>,
    /// Deadlines not yet passed: (deadline ms, id).
    deadlines: BTreeSet<(i64, Uuid)>,
    overdue: usize,
    /// Overdue incidents in `order`, kept as rows come and go (a frame reads it).
    overdue_shown: usize,
    pub filter: Filter,
    sort: Sort,
}

impl FeedIndex {
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Overdue incidents in the whole feed, filtered out or not.
    pub fn overdue_count(&self) -> usize {
        self.overdue
    }

    /// Overdue incidents the filter shows (they sort first).
    pub fn overdue_shown(&self) -> usize {
        self.overdue_shown
    }

    pub fn sort(&self) -> Sort {
        self.sort
    }

    /// Orders the feed by `sort` from now on.
    pub fn set_sort(&mut self, sort: Sort) {
        self.sort = sort;
        self.refilter();
    }

    fn facts(&self, id: &Uuid) -> Option<&Facts> {
        self.slot.get(id).map(|s| &self.facts[*s])
    }

    pub fn is_overdue(&self, id: &Uuid) -> bool {
        self.facts(id).is_some_and(|f| f.overdue)
    }

    /// The row key of `id`, if it is in the (filtered) feed.
    pub fn key_of(&self, id: &Uuid) -> Option<FeedKey> {
        self.facts(id)
            .map(|f| f.key(self.sort))
            .filter(|k| self.order.contains(k))
    }

    fn forget(&mut self, slot: usize) {
        let old = &self.facts[slot];
        if self.order.remove(&old.key(self.sort)) && old.overdue {
            self.overdue_shown = self.overdue_shown.saturating_sub(1);
        }
        if let Some(d) = old.deadline_ms {
            self.deadlines.remove(&(d, old.id));
        }
        if old.overdue {
            self.overdue -= 1;
        }
    }

    fn file(&mut self, slot: usize) {
        let f = &self.facts[slot];
        if f.overdue {
            self.overdue += 1;
        } else if let Some(d) = f.deadline_ms {
            self.deadlines.insert((d, f.id));
        }
        let shown = self.filter.matches(f);
        if shown && self.order.insert(f.key(self.sort)) && f.overdue {
            self.overdue_shown += 1;
        }
        self.facts[slot].shown = shown;
        let spot = Spot::of(&self.facts[slot]);
        match self.spots.get_mut(slot) {
            Some(s) => *s = spot,
            None => self.spots.push(spot),
        }
    }

    /// Re-files one incident after it changed (or `None` if it left the state).
    pub fn upsert(&mut self, incident: Option<&Incident>, id: Uuid, sla: &Sla, now_ms: i64) {
        let slot = self.slot.get(&id).copied();
        if let Some(s) = slot {
            self.forget(s);
        }
        match (incident, slot) {
            (Some(i), Some(s)) => {
                self.facts[s] = Facts::of(i, sla, now_ms);
                self.file(s);
            }
            (Some(i), None) => {
                self.facts.push(Facts::of(i, sla, now_ms));
                self.slot.insert(id, self.facts.len() - 1);
                self.file(self.facts.len() - 1);
            }
            (None, Some(s)) => {
                self.facts.swap_remove(s);
                self.spots.swap_remove(s);
                self.slot.remove(&id);
                if let Some(moved) = self.facts.get(s) {
                    self.slot.insert(moved.id, s);
                }
            }
            (None, None) => {}
        }
    }

    /// Promotes incidents whose deadline has passed; returns how many.
    pub fn tick(&mut self, now_ms: i64) -> usize {
        let mut n = 0;
        while let Some(&(d, id)) = self.deadlines.first() {
            if d >= now_ms {
                break;
            }
            self.deadlines.pop_first();
            let Some(&s) = self.slot.get(&id) else {
                continue;
            };
            let old = self.facts[s].key(self.sort);
            let member = self.order.remove(&old);
            self.facts[s].overdue = true;
            self.spots[s].overdue = true;
            self.overdue += 1;
            if member {
                self.order.insert(self.facts[s].key(self.sort));
                self.overdue_shown += 1;
            }
            n += 1;
        }
        n
    }

    /// Rebuilds from scratch (new snapshot or SLA).
    pub fn rebuild<'a>(
        &mut self,
        incidents: impl Iterator<Item = &'a Incident>,
        sla: &Sla,
        now_ms: i64,
    ) {
        self.facts = incidents.map(|i| Facts::of(i, sla, now_ms)).collect();
        self.slot = self
            .facts
            .iter()
            .enumerate()
            .map(|(s, f)| (f.id, s))
            .collect();
        self.deadlines = self
            .facts
            .iter()
            .filter(|f| !f.overdue)
            .filter_map(|f| f.deadline_ms.map(|d| (d, f.id)))
            .collect();
        self.overdue = self.facts.iter().filter(|f| f.overdue).count();
        self.refilter();
    }

    /// Re-applies the filter to every incident: a scan of the packed facts,
    /// one sort, one bulk load.
    pub fn refilter(&mut self) {
        let mut keys: Vec<FeedKey> = Vec::new();
        self.overdue_shown = 0;
        self.spots.clear();
        for f in self.facts.iter_mut() {
            f.shown = self.filter.matches(f);
            self.spots.push(Spot::of(f));
            if f.shown {
                keys.push(f.key(self.sort));
                self.overdue_shown += usize::from(f.overdue);
            }
        }
        keys.sort_unstable();
        self.order = BTreeSet::from_iter(keys);
    }

    /// The incidents the filter shows, in no order: what the map and the
    /// sector board count (a scan of the packed facts, no lookups).
    pub fn shown(&self) -> impl Iterator<Item = &Facts> + '_ {
        self.facts.iter().filter(|f| f.shown)
    }

    /// Where each incident goes on the map, in no order.
    pub fn spots(&self) -> &[Spot] {
        &self.spots
    }

    /// The facts of one incident, shown or not.
    pub fn get(&self, id: &Uuid) -> Option<&Facts> {
        self.facts(id)
    }

    /// The row at `key`'s place, or the last row before it: where the
    /// selection goes when its own row leaves the view.
    pub fn near(&self, key: FeedKey) -> Option<Uuid> {
        self.order
            .range(key..)
            .next()
            .or_else(|| self.order.range(..key).next_back())
            .map(|k| k.id)
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
        let found = if n >= 0 {
            self.order.range(key..).take(n as usize + 1).last()
        } else {
            self.order.range(..key).rev().take(n.unsigned_abs()).last()
        };
        Some(found.map(|k| k.id).unwrap_or(key.id))
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
        let height = height.max(1);
        let Some(sel) = selected.and_then(|s| self.key_of(&s)) else {
            return self.first();
        };
        match top.and_then(|t| self.key_of(&t)) {
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
