//! The client's copy of the server's current state: a snapshot plus every
//! event after it, applied in seq order. Pure, so the console, the tests and
//! the simulator share one definition of "apply an event".

use std::collections::HashMap;

use thiserror::Error;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::api::{Redacted, Snapshot};
use crate::model::{Agency, EntityKind, Event, Incident, Officer, Task, Unit};

#[derive(Debug, Error, PartialEq)]
pub enum MirrorError {
    #[error("event {got} arrived but {expected} was expected; resync needed")]
    Gap { expected: u64, got: u64 },
    #[error("event {seq} carries an unreadable {entity}: {message}")]
    Bad {
        seq: u64,
        entity: EntityKind,
        message: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mirror {
    pub seq: u64,
    pub agencies: HashMap<Uuid, Agency>,
    pub units: HashMap<Uuid, Unit>,
    /// Boxed: a hash table sized for 100k entries keeps its spare buckets
    /// small this way (a quarter of the table is always empty).
    pub incidents: HashMap<Uuid, Box<Incident>>,
    pub tasks: HashMap<Uuid, Box<Task>>,
    pub officers: HashMap<Uuid, Officer>,
    /// What this console could check of the record itself.
    pub record: Record,
}

/// The console as a light witness: every event it receives must link to
/// the one before (when it saw that one) and hash to its own `hash`, and
/// each checkpoint must sign the head it links to. A mismatch is kept, never
/// cleared by later events, until a fresh snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// The hash of event `seq`, when known (not after a skip or a redaction).
    pub head: Option<String>,
    /// The first event that did not check out.
    pub mismatch: Option<u64>,
    /// The seq the last checkpoint this console verified signs.
    pub checkpoint: Option<u64>,
}

impl Record {
    fn witness(&mut self, e: &Event) {
        let links = self.head.as_deref().is_some_and(|h| h == e.prev_hash);
        if self.head.is_some() && !links {
            self.mismatch.get_or_insert(e.seq);
        }
        // A unit's position or an agency's contacts may come blanked for
        // this officer (need-to-know): their hash is of the whole entity.
        if !crate::model::marking::maskable(e.entity) && e.computed_hash() != e.hash {
            self.mismatch.get_or_insert(e.seq);
        }
        if e.kind == crate::model::EventKind::AuditCheckpoint {
            match e.entity::<crate::model::checkpoint::Checkpoint>() {
                Ok(cp) if cp.seq.saturating_add(1) == e.seq && cp.head_hash == e.prev_hash => {
                    if links && self.mismatch.is_none() {
                        self.checkpoint = Some(cp.seq);
                    }
                }
                _ => {
                    self.mismatch.get_or_insert(e.seq);
                }
            }
        }
        self.head = Some(e.hash.clone());
    }
}

impl Mirror {
    pub fn from_snapshot(s: Snapshot) -> Mirror {
        Mirror {
            seq: s.seq,
            agencies: s.agencies.into_iter().map(|a| (a.id, a)).collect(),
            units: s.units.into_iter().map(|u| (u.id, u)).collect(),
            incidents: s
                .incidents
                .into_iter()
                .map(|i| (i.id, Box::new(i)))
                .collect(),
            tasks: s.tasks.into_iter().map(|t| (t.id, Box::new(t))).collect(),
            officers: s.officers.into_iter().map(|o| (o.id, o)).collect(),
            record: Record {
                head: s.head_hash,
                ..Record::default()
            },
        }
    }

    /// Forgets incidents closed or dismissed before `cutoff`, with their
    /// tasks, as the snapshot's window does: a console left running for days
    /// holds no more than a fresh one. Returns the incidents and tasks forgotten.
    pub fn drop_closed_before(&mut self, cutoff: OffsetDateTime) -> (Vec<Uuid>, Vec<Uuid>) {
        let old: Vec<Uuid> = self
            .incidents
            .values()
            .filter(|i| !i.status.is_open() && i.closed_at.is_some_and(|c| c < cutoff))
            .map(|i| i.id)
            .collect();
        if old.is_empty() {
            return (old, Vec::new());
        }
        let tasks = self.forget(&old);
        (old, tasks)
    }

    /// Forgets these incidents and their tasks; returns the tasks forgotten.
    fn forget(&mut self, incidents: &[Uuid]) -> Vec<Uuid> {
        for id in incidents {
            self.incidents.remove(id);
        }
        let gone: std::collections::HashSet<&Uuid> = incidents.iter().collect();
        let tasks: Vec<Uuid> = self
            .tasks
            .values()
            .filter(|t| gone.contains(&t.incident_id))
            .map(|t| t.id)
            .collect();
        for id in &tasks {
            self.tasks.remove(id);
        }
        tasks
    }

    /// Moves past events that held nothing for this officer (`skip`).
    pub fn skip(&mut self, through: u64) {
        if through > self.seq {
            self.record.head = None;
        }
        self.seq = self.seq.max(through);
    }

    /// Forgets an incident this officer may no longer see, with its tasks,
    /// or a task (`redacted`); returns the tasks forgotten.
    pub fn redact(&mut self, r: &Redacted) -> Result<Vec<Uuid>, MirrorError> {
        if r.seq <= self.seq {
            return Ok(Vec::new());
        }
        if r.seq != self.seq + 1 {
            return Err(MirrorError::Gap {
                expected: self.seq + 1,
                got: r.seq,
            });
        }
        self.seq = r.seq;
        self.record.head = None;
        if r.entity == EntityKind::Task {
            return Ok(self
                .tasks
                .remove(&r.entity_id)
                .map(|t| vec![t.id])
                .unwrap_or_default());
        }
        Ok(self.forget(&[r.entity_id]))
    }

    /// Applies the next event; refuses anything but seq + 1, so a gap is never silent.
    /// Returns what changed, for views that react to it.
    pub fn apply(&mut self, e: &Event) -> Result<Applied, MirrorError> {
        if e.seq <= self.seq {
            return Ok(Applied::AlreadyHad);
        }
        if e.seq != self.seq + 1 {
            return Err(MirrorError::Gap {
                expected: self.seq + 1,
                got: e.seq,
            });
        }
        let bad = |err: serde_json::Error| MirrorError::Bad {
            seq: e.seq,
            entity: e.entity,
            message: err.to_string(),
        };
        self.record.witness(e);
        let applied = match e.entity {
            EntityKind::Incident => {
                let i: Incident = e.entity().map_err(bad)?;
                let previous = self.incidents.insert(i.id, Box::new(i));
                Applied::Incident {
                    id: e.entity_id,
                    new: previous.is_none(),
                }
            }
            EntityKind::Task => {
                let t: Task = e.entity().map_err(bad)?;
                self.tasks.insert(t.id, Box::new(t));
                Applied::Task(e.entity_id)
            }
            EntityKind::Agency => {
                let a: Agency = e.entity().map_err(bad)?;
                self.agencies.insert(a.id, a);
                Applied::Roster
            }
            EntityKind::Unit => {
                let u: Unit = e.entity().map_err(bad)?;
                self.units.insert(u.id, u);
                Applied::Roster
            }
            EntityKind::Officer => {
                let o: Officer = e.entity().map_err(bad)?;
                self.officers.insert(o.id, o);
                Applied::Roster
            }
            EntityKind::Note => Applied::Note(e.entity_id),
            EntityKind::Token | EntityKind::Access | EntityKind::Shift => Applied::Record,
            EntityKind::Audit
                if matches!(
                    e.kind,
                    crate::model::EventKind::AuditFindings | crate::model::EventKind::WitnessAlarm
                ) =>
            {
                Applied::Audit(e.entity_id)
            }
            // Checkpoints: in the record, for witnesses to check.
            EntityKind::Audit => Applied::Record,
        };
        self.seq = e.seq;
        Ok(applied)
    }
}

/// What one applied event touched.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Applied {
    AlreadyHad,
    Incident {
        id: Uuid,
        new: bool,
    },
    Task(Uuid),
    Note(Uuid),
    Roster,
    /// In the record, nothing the console shows (tokens, lockouts).
    Record,
    /// The server found the record damaged at its start (`audit.findings`).
    Audit(Uuid),
}
