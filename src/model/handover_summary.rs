//! What a shift leaves open, summed up for the handover: built from the
//! record one incident and one task at a time, so the server (paging
//! through the store) and the console (over its mirror, to preview the
//! handover before it ends the shift) count the same way.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Centre, Incident, IncidentStatus, Severity, Sla, Task, Unit, UnitStatus};

/// Open incidents a handover lists one by one; the rest are counted.
pub const LISTED: usize = 50;

/// The handover a shift leaves: what is still open for its centre, most
/// severe and oldest first, what is overdue, what moves between the
/// centres, and the units committed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HandoverSummary {
    /// Open incidents of the centre, by severity.
    pub open_by_severity: SeverityCounts,
    /// The first of them, most severe and oldest first (at most 50).
    pub open: Vec<OpenIncident>,
    /// Open incidents past the triage SLA, unacknowledged.
    pub overdue_incidents: u32,
    /// Open tasks of the centre's incidents past their due time.
    pub overdue_tasks: Vec<OverdueTask>,
    /// Incidents waiting on a handover to or from the other centre, and
    /// those handed over either way during the shift.
    pub handovers: Vec<OpenIncident>,
    /// Units assigned, en route or on scene.
    pub units_committed: Vec<CommittedUnit>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SeverityCounts {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
}

impl SeverityCounts {
    pub fn add(&mut self, s: Severity) {
        let n = match s {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
        };
        *n = n.saturating_add(1);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OpenIncident {
    pub id: Uuid,
    pub reference: String,
    pub title: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    /// Minutes since it was reported, when the shift ended.
    pub age_minutes: i64,
    pub overdue: bool,
    /// The last note's text (shortened), if any.
    pub last_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OverdueTask {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub agency_id: Uuid,
    pub action: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub due_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommittedUnit {
    pub id: Uuid,
    pub callsign: String,
    pub status: UnitStatus,
}

impl HandoverSummary {
    /// The summary in one line, with the outgoing officer's note.
    pub fn one_line(&self, note: Option<&str>) -> String {
        let c = self.open_by_severity;
        let mut text = format!(
            "open: {} critical, {} high, {} medium, {} low; {} overdue; {} overdue task(s); \
             {} handover(s) between the centres; {} unit(s) committed",
            c.critical,
            c.high,
            c.medium,
            c.low,
            self.overdue_incidents,
            self.overdue_tasks.len(),
            self.handovers.len(),
            self.units_committed.len()
        );
        if let Some(note) = note {
            text.push_str(&format!("; note: {note}"));
        }
        text
    }
}

/// Builds a [`HandoverSummary`] of `centre` at `now`: every incident first,
/// then every task, then the units.
pub struct Summarizer {
    centre: Centre,
    now: OffsetDateTime,
    /// The shift's start: handovers completed since count.
    since: Option<OffsetDateTime>,
    sla: Sla,
    out: HandoverSummary,
    ours: HashSet<Uuid>,
    committed: HashSet<Uuid>,
}

impl Summarizer {
    pub fn new(centre: Centre, now: OffsetDateTime) -> Summarizer {
        Summarizer {
            centre,
            now,
            since: None,
            sla: Sla::default(),
            out: HandoverSummary::default(),
            ours: HashSet::new(),
            committed: HashSet::new(),
        }
    }

    /// Counts the handovers completed since `start` (the shift's).
    pub fn since(mut self, start: OffsetDateTime) -> Summarizer {
        self.since = Some(start);
        self
    }

    pub fn incident(&mut self, i: &Incident) {
        if !i.status.is_open() {
            return;
        }
        let item = OpenIncident {
            id: i.id,
            reference: i.reference.clone(),
            title: i.title.clone(),
            severity: i.severity,
            status: i.status,
            age_minutes: (self.now - i.reported_at).whole_minutes(),
            overdue: self.sla.is_overdue(i, self.now),
            last_note: None,
        };
        let waiting = i
            .handover
            .as_ref()
            .is_some_and(|h| h.from == self.centre || h.to == self.centre);
        let done = i.handed_over.as_ref().is_some_and(|h| {
            (h.from == self.centre || h.to == self.centre) && self.since.is_some_and(|t| h.at >= t)
        });
        let moving = waiting || done;
        if moving {
            self.out.handovers.push(item.clone());
        }
        if i.centre == self.centre {
            self.ours.insert(i.id);
            self.out.open_by_severity.add(i.severity);
            self.out.overdue_incidents += u32::from(item.overdue);
            self.out.open.push(item);
        }
    }

    /// A task (after every incident: only those of the centre's count).
    pub fn task(&mut self, t: &Task) {
        if !t.status.is_open() || !self.ours.contains(&t.incident_id) {
            return;
        }
        self.committed.extend(t.unit_id);
        if let Some(due) = t.due_at.filter(|d| *d < self.now) {
            self.out.overdue_tasks.push(OverdueTask {
                id: t.id,
                incident_id: t.incident_id,
                agency_id: t.agency_id,
                action: t.title.clone(),
                due_at: due,
            });
        }
    }

    /// The summary, with the units its open tasks hold that are out.
    pub fn finish<'a>(mut self, units: impl IntoIterator<Item = &'a Unit>) -> HandoverSummary {
        let open = &mut self.out.open;
        open.sort_by_key(|i| {
            (
                std::cmp::Reverse(i.severity),
                std::cmp::Reverse(i.age_minutes),
            )
        });
        open.truncate(LISTED);
        self.out.units_committed = units
            .into_iter()
            .filter(|u| {
                self.committed.contains(&u.id)
                    && matches!(
                        u.status,
                        UnitStatus::Assigned | UnitStatus::EnRoute | UnitStatus::OnScene
                    )
            })
            .map(|u| CommittedUnit {
                id: u.id,
                callsign: u.callsign.clone(),
                status: u.status,
            })
            .collect();
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ownership::HandoverAsk;
    use crate::model::{Category, Location, NewIncident, Officer, Role};

    fn officer(centre: Centre) -> Officer {
        Officer {
            id: Uuid::new_v4(),
            name: "x".into(),
            role: Role::DutyOfficer,
            centre,
            agency_id: None,
        }
    }

    #[test]
    fn a_handover_completed_during_the_shift_is_listed_and_one_before_it_is_not() {
        let t0 = time::macros::datetime!(2026-11-30 06:00 UTC);
        let trp = officer(Centre::Trp);
        let new = NewIncident {
            tlp: Default::default(),
            shared_with: vec![],
            title: "Convoy".into(),
            category: Category::SmugglingFuel,
            severity: Severity::Low,
            location: Location {
                lat: 32.0,
                lon: 20.0,
                sector: None,
                crossing: None,
            },
            description: String::new(),
            source: None,
            occurred_at: None,
            centre: None,
            lead_agency_id: None,
            supporting_agency_ids: vec![],
            tags: vec![],
        };
        let i = new
            .into_incident(&trp, Uuid::new_v4(), "TRP-26-00001".into(), t0)
            .unwrap();
        let ask = HandoverAsk {
            to: Centre::Ben,
            note: String::new(),
        };
        let at = t0 + time::Duration::hours(2);
        let moved = i
            .handover_asked(&ask, &trp, at)
            .unwrap()
            .handover_answered(true, &officer(Centre::Ben), at)
            .unwrap();
        let listed = |since: OffsetDateTime| {
            let mut s = Summarizer::new(Centre::Trp, t0 + time::Duration::hours(8)).since(since);
            s.incident(&moved);
            s.finish([]).handovers.len()
        };
        assert_eq!(listed(t0), 1, "accepted during the shift");
        assert_eq!(
            listed(at + time::Duration::minutes(1)),
            0,
            "before the shift"
        );
        // Benghazi's own open incidents are not Tripoli's to hand over.
        let mut s = Summarizer::new(Centre::Trp, at).since(t0);
        s.incident(&moved);
        assert_eq!(s.finish([]).open_by_severity.low, 0);
    }
}
