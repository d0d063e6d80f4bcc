//! The event streams open on this instance: at most a few per officer,
//! and since when each officer has held one — what this instance reports
//! as who is connected.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use uuid::Uuid;

use crate::api::Presence;
use crate::model::Officer;

/// Event streams open per officer, and since when the officer has held one.
#[derive(Default)]
pub struct Streams(Mutex<HashMap<Uuid, Held>>);

struct Held {
    count: usize,
    present: Presence,
}

/// One open stream, counted until dropped.
pub struct Slot {
    streams: Arc<Streams>,
    officer: Uuid,
}

impl Streams {
    pub fn open(self: &Arc<Self>, officer: &Officer, max: usize) -> Option<Slot> {
        let mut open = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let held = open.entry(officer.id).or_insert_with(|| Held {
            count: 0,
            present: Presence {
                officer_id: officer.id,
                name: officer.name.clone(),
                role: officer.role,
                centre: officer.centre,
                since: time::OffsetDateTime::now_utc(),
            },
        });
        if held.count >= max {
            return None;
        }
        held.count += 1;
        Some(Slot {
            streams: self.clone(),
            officer: officer.id,
        })
    }

    /// The officers holding a stream on this instance now.
    pub fn present(&self) -> Vec<Presence> {
        let open = self.0.lock().unwrap_or_else(|p| p.into_inner());
        open.values().map(|h| h.present.clone()).collect()
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.streams.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(held) = open.get_mut(&self.officer) {
            held.count = held.count.saturating_sub(1);
            if held.count == 0 {
                open.remove(&self.officer);
            }
        }
    }
}
