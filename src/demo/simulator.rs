//! Keeps the demo alive over real HTTP: new reports arrive, the other
//! centre's duty officer triages its own, liaisons accept, progress and finish
//! tasks, units move, a supervisor closes what is contained.

use std::collections::HashMap;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::watch;
use uuid::Uuid;

use super::rng::Rng;
use super::scenario::{self, TASKS};
use crate::api::{IncidentPatch, NewIncident, NewTask, Snapshot, TaskPatch, UnitPatch};
use crate::client::{Client, new_key};
use crate::model::{Centre, IncidentStatus, Priority, TaskStatus, UnitStatus};
use crate::reference::Place;

/// The simulated people, each with their own token.
pub struct Crew {
    pub system: Client,
    /// The other centre's duty officer (the officer at the console works TRP).
    pub ben_duty: Client,
    /// A TRP colleague who picks up what waits too long.
    pub trp_colleague: Client,
    pub supervisor: Client,
    /// Benghazi's supervisor, who closes Benghazi's incidents.
    pub ben_supervisor: Option<Client>,
    pub liaisons: HashMap<Uuid, Client>,
}

fn age(now: OffsetDateTime, t: OffsetDateTime) -> f64 {
    (now - t).as_seconds_f64()
}

pub async fn run(crew: Crew, places: Vec<Place>, speed: f64, mut stop: watch::Receiver<bool>) {
    let speed = speed.clamp(0.1, 100.0);
    let mut rng = Rng::from_time();
    let step = Duration::from_secs_f64(2.0 / speed);
    let mut until_report = 0.0f64;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(step) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let Ok(snap) = crew.system.snapshot().await else {
            continue;
        };
        until_report -= step.as_secs_f64() * speed;
        if until_report <= 0.0 {
            until_report = 4.0 + rng.below(8) as f64;
            new_report(&crew, &places, &mut rng).await;
        }
        triage(&crew, &snap, &mut rng, speed).await;
        work_tasks(&crew, &snap, &mut rng).await;
        move_units(&crew, &snap, &mut rng).await;
    }
}

async fn new_report(crew: &Crew, places: &[Place], rng: &mut Rng) {
    let r = scenario::report(places, rng);
    // Reports touching intelligence are marked as services would mark them.
    let tlp = match r.category {
        crate::model::Category::SmugglingWeapons | crate::model::Category::ArmedIncursion => {
            crate::model::Tlp::Amber
        }
        crate::model::Category::HumanTrafficking => crate::model::Tlp::AmberStrict,
        _ => crate::model::Tlp::Green,
    };
    let new = NewIncident {
        tlp,
        shared_with: Vec::new(),
        title: r.title,
        category: r.category,
        severity: r.severity,
        location: crate::model::Location {
            lat: r.place.lat,
            lon: r.place.lon,
            sector: Some(r.place.name.clone()),
            crossing: None,
        },
        description: r.description,
        source: Some(r.source),
        occurred_at: None,
        centre: Some(r.place.centre),
        lead_agency_id: None,
        supporting_agency_ids: vec![],
        tags: vec![],
    };
    if let Err(e) = crew.system.create_incident(&new_key(), &new).await {
        tracing::warn!("simulator: report refused: {e}");
    }
}

async fn triage(crew: &Crew, snap: &Snapshot, rng: &mut Rng, speed: f64) {
    let now = OffsetDateTime::now_utc();
    for i in &snap.incidents {
        let waited = age(now, i.reported_at) * speed;
        let (officer, delay) = match i.centre {
            Centre::Ben => (&crew.ben_duty, 25.0),
            // The TRP colleague leaves time for the officer at the console.
            Centre::Trp => (&crew.trp_colleague, 240.0),
        };
        // High and critical reports at TRP are left to the officer at the console.
        let mine = i.centre == Centre::Trp && i.severity >= crate::model::Severity::High;
        let patch = match i.status {
            IncidentStatus::Reported if !mine && waited > delay && rng.chance(0.2) => {
                let lead = snap
                    .agencies
                    .get(rng.below(snap.agencies.len()))
                    .map(|a| a.id);
                IncidentPatch {
                    status: Some(IncidentStatus::Acknowledged),
                    lead_agency_id: lead,
                    ..Default::default()
                }
            }
            IncidentStatus::Acknowledged
                if i.centre == Centre::Ben && waited > 60.0 && rng.chance(0.1) =>
            {
                if let Some(agency) = i.lead_agency_id {
                    let task = NewTask {
                        tlp: Default::default(),
                        shared_with: Vec::new(),
                        agency_id: agency,
                        title: rng.pick(TASKS).to_string(),
                        unit_id: None,
                        priority: Some(*rng.pick(Priority::ALL)),
                        due_at: Some(now + time::Duration::minutes(30)),
                    };
                    let _ = officer.create_task(&new_key(), i.id, &task).await;
                }
                IncidentPatch {
                    status: Some(IncidentStatus::Responding),
                    ..Default::default()
                }
            }
            IncidentStatus::Responding if waited > 300.0 && rng.chance(0.03) => IncidentPatch {
                status: Some(IncidentStatus::Contained),
                ..Default::default()
            },
            IncidentStatus::Contained if waited > 600.0 && rng.chance(0.03) => {
                // Each centre's own supervisor closes its incidents.
                let supervisor = match i.centre {
                    Centre::Trp => Some(&crew.supervisor),
                    Centre::Ben => crew.ben_supervisor.as_ref(),
                };
                let Some(supervisor) = supervisor else {
                    continue;
                };
                let _ = supervisor
                    .patch_incident(
                        &new_key(),
                        i.id,
                        i.version,
                        &IncidentPatch {
                            status: Some(IncidentStatus::Closed),
                            // Whatever the agencies still have open ends with it.
                            open_tasks: Some(crate::model::incident::OpenTasks::Cancel),
                            ..Default::default()
                        },
                    )
                    .await;
                continue;
            }
            _ => continue,
        };
        // Only the owning centre triages its incidents.
        let _ = officer
            .patch_incident(&new_key(), i.id, i.version, &patch)
            .await;
    }
}

async fn work_tasks(crew: &Crew, snap: &Snapshot, rng: &mut Rng) {
    for t in snap.tasks.iter().filter(|t| t.status.is_open()) {
        let Some(liaison) = crew.liaisons.get(&t.agency_id) else {
            continue;
        };
        let (to, reason) = match t.status {
            TaskStatus::Requested if rng.chance(0.15) => {
                if rng.chance(0.12) {
                    (TaskStatus::Declined, Some("no unit free in the sector"))
                } else {
                    (TaskStatus::Accepted, None)
                }
            }
            TaskStatus::Accepted if rng.chance(0.1) => (TaskStatus::InProgress, None),
            TaskStatus::InProgress if rng.chance(0.05) => {
                if rng.chance(0.1) {
                    (TaskStatus::Blocked, Some("vehicle breakdown"))
                } else {
                    (TaskStatus::Done, None)
                }
            }
            TaskStatus::Blocked if rng.chance(0.1) => (TaskStatus::InProgress, None),
            _ => continue,
        };
        let patch = TaskPatch {
            status: Some(to),
            reason: reason.map(str::to_string),
            ..Default::default()
        };
        let _ = liaison
            .patch_task(&new_key(), t.id, t.version, &patch)
            .await;
    }
}

async fn move_units(crew: &Crew, snap: &Snapshot, rng: &mut Rng) {
    if snap.units.is_empty() || !rng.chance(0.5) {
        return;
    }
    let u = &snap.units[rng.below(snap.units.len())];
    let Some(liaison) = crew.liaisons.get(&u.agency_id) else {
        return;
    };
    let next = match u.status {
        UnitStatus::Available => *rng.pick(&[
            UnitStatus::Assigned,
            UnitStatus::OffDuty,
            UnitStatus::Available,
        ]),
        UnitStatus::Assigned => UnitStatus::EnRoute,
        UnitStatus::EnRoute => UnitStatus::OnScene,
        UnitStatus::OnScene => UnitStatus::Returning,
        UnitStatus::Returning | UnitStatus::OffDuty => UnitStatus::Available,
        UnitStatus::OutOfService => *rng.pick(&[UnitStatus::OutOfService, UnitStatus::Available]),
    };
    let _ = liaison
        .patch_unit(
            &new_key(),
            u.id,
            u.version,
            &UnitPatch {
                status: Some(next),
                ..Default::default()
            },
        )
        .await;
}
