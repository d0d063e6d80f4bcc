//! The demo's past: incidents of the last three days with their tasks and
//! notes, written through the store's import commands (gap-free references).

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::rng::Rng;
use super::scenario::{self, NOTES, TASKS};
use crate::model::{
    Agency, DismissReason, Incident, IncidentStatus, Note, Officer, Priority, Severity, Task,
    TaskStatus,
};
use crate::reference::Place;
use crate::store::{Actor, Command, Request, Store};

async fn import(store: &dyn Store, command: Command) -> anyhow::Result<String> {
    Ok(store
        .execute(Request {
            actor: Actor::Admin,
            idempotency: None,
            command,
        })
        .await?
        .body)
}

/// Writes `count` past incidents reported over the last `hours`, oldest first.
pub async fn load(
    store: &dyn Store,
    places: &[Place],
    agencies: &[Agency],
    officers: &[Officer],
    count: usize,
    hours: i64,
    rng: &mut Rng,
) -> anyhow::Result<usize> {
    let now = OffsetDateTime::now_utc();
    let mut ages: Vec<i64> = (0..count)
        .map(|_| 10 * 60 + rng.below((hours * 3600) as usize) as i64)
        .collect();
    ages.sort_unstable_by(|a, b| b.cmp(a));
    // Two fresh unacknowledged reports, one already overdue, so triage has work at once.
    ages.extend([90, 20 * 60]);
    let mut written = 0;
    for age in ages {
        let reported = now - Duration::seconds(age);
        let mut r = scenario::report(places, rng);
        // The two fresh reports belong to the console's centre, so the officer
        // starts with an unacknowledged (and one overdue) report of their own.
        while age < 30 * 60 && r.place.centre != crate::model::Centre::Trp {
            r = scenario::report(places, rng);
        }
        let officer = rng.pick(officers);
        let status = if age < 30 * 60 {
            IncidentStatus::Reported
        } else {
            let w: &[u32] = if age < 6 * 3600 {
                &[0, 30, 35, 20, 10, 5]
            } else {
                &[0, 3, 7, 10, 65, 15]
            };
            IncidentStatus::ALL[rng.weighted(w)]
        };
        let severity = if age == 20 * 60 {
            Severity::Critical
        } else {
            r.severity
        };
        let lead = (status != IncidentStatus::Reported).then(|| rng.pick(agencies).id);
        let closed_at = (!status.is_open())
            .then(|| reported + Duration::minutes(30 + rng.below(600) as i64))
            .map(|t| t.min(now));
        let incident = Incident {
            tlp: Default::default(),
            shared_with: Vec::new(),
            id: Uuid::now_v7(),
            reference: String::new(),
            title: r.title,
            description: r.description,
            category: r.category,
            severity,
            status,
            source: r.source,
            location: crate::model::Location {
                lat: r.place.lat + (rng.below(200) as f64 - 100.0) / 2000.0,
                lon: r.place.lon + (rng.below(200) as f64 - 100.0) / 2000.0,
                sector: Some(r.place.name.clone()),
                crossing: (r.place.kind == crate::reference::PlaceKind::Crossing)
                    .then(|| r.place.name.clone()),
            },
            occurred_at: reported - Duration::minutes(rng.below(45) as i64),
            reported_at: reported,
            centre: r.place.centre,
            lead_agency_id: lead,
            supporting_agency_ids: Vec::new(),
            tags: Vec::new(),
            acknowledged_at: (status != IncidentStatus::Reported)
                .then(|| reported + Duration::seconds(30 + rng.below(240) as i64)),
            dismiss_reason: (status == IncidentStatus::Dismissed)
                .then(|| *rng.pick(&[DismissReason::FalseAlarm, DismissReason::OutOfScope])),
            duplicate_of: None,
            closed_at,
            handover: None,
            handed_over: None,
            version: 1 + rng.below(4) as u64,
            created_by: officer.id,
            updated_by: officer.id,
            updated_at: closed_at.unwrap_or(reported),
        };
        let stored: Incident =
            serde_json::from_str(&import(store, Command::ImportIncident(incident)).await?)?;
        if status != IncidentStatus::Reported {
            for _ in 0..rng.below(3) + usize::from(status != IncidentStatus::Dismissed) {
                let task_status = if status.is_open() {
                    *rng.pick(&[
                        TaskStatus::Requested,
                        TaskStatus::Accepted,
                        TaskStatus::InProgress,
                        TaskStatus::Done,
                    ])
                } else {
                    *rng.pick(&[
                        TaskStatus::Done,
                        TaskStatus::Done,
                        TaskStatus::Cancelled,
                        TaskStatus::Declined,
                    ])
                };
                let task = Task {
                    tlp: Default::default(),
                    shared_with: Vec::new(),
                    id: Uuid::now_v7(),
                    incident_id: stored.id,
                    agency_id: rng.pick(agencies).id,
                    unit_id: None,
                    title: rng.pick(TASKS).to_string(),
                    priority: *rng.pick(Priority::ALL),
                    due_at: Some(reported + Duration::minutes(60 + rng.below(240) as i64)),
                    status: task_status,
                    reason: (task_status == TaskStatus::Declined)
                        .then(|| "no unit available in the sector".to_string()),
                    version: 1 + rng.below(3) as u64,
                    created_by: officer.id,
                    created_at: reported + Duration::minutes(5),
                    updated_at: reported + Duration::minutes(20),
                };
                import(store, Command::ImportTask(task)).await?;
            }
            for k in 0..rng.below(3) {
                let note = Note {
                    id: Uuid::now_v7(),
                    incident_id: stored.id,
                    text: rng.pick(NOTES).to_string(),
                    author: rng.pick(officers).id,
                    at: (reported + Duration::minutes(10 + 15 * k as i64)).min(now),
                };
                import(store, Command::ImportNote(note)).await?;
            }
        }
        written += 1;
    }
    Ok(written)
}
