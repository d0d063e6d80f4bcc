//! What each command does: load what it touches, apply the domain rules,
//! and write the rows. Every check comes before the first write.

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::apply::{Actor, Command, Outcome, Row, WriteTx};
use super::visibility::{remark_tasks, shared_exist, visible_incident};
use super::{StoreError, StoreResult};
use crate::api::MergeResult;
use crate::model::marking;
use crate::model::{
    DomainError, EntityKind, EventKind, Incident, Officer, Role, Task, Unit, Viewer, incident,
    validate,
};

pub struct Change {
    pub kind: EventKind,
    pub entity: EntityKind,
    pub id: Uuid,
    pub version: u64,
    pub json: String,
    /// An incident's audience before the change, when the change moved it.
    pub was: Option<String>,
}

pub(super) fn change<T: Serialize>(
    kind: EventKind,
    entity: EntityKind,
    id: Uuid,
    version: u64,
    value: &T,
) -> StoreResult<Change> {
    Ok(Change {
        kind,
        entity,
        id,
        version,
        json: serde_json::to_string(value)?,
        was: None,
    })
}

pub(super) async fn load<T: serde::de::DeserializeOwned>(
    tx: &mut impl WriteTx,
    entity: EntityKind,
    id: Uuid,
) -> StoreResult<T> {
    Ok(load_with_json(tx, entity, id).await?.0)
}

/// The entity and its stored JSON (which a 412 sends back as `current`).
pub(super) async fn load_with_json<T: serde::de::DeserializeOwned>(
    tx: &mut impl WriteTx,
    entity: EntityKind,
    id: Uuid,
) -> StoreResult<(T, String)> {
    let json = tx
        .load(entity, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("{entity} {id}")))?;
    Ok((serde_json::from_str(&json)?, json))
}

fn check_version(given: u64, current: u64, json: &str) -> StoreResult<()> {
    if given != current {
        return Err(StoreError::Stale {
            given,
            current_version: current,
            current: serde_json::from_str(json)?,
        });
    }
    Ok(())
}

/// Checks that the unit a task names exists and belongs to the task's agency.
async fn unit_of(tx: &mut impl WriteTx, unit: Option<Uuid>, agency: Uuid) -> StoreResult<()> {
    let Some(u) = unit else { return Ok(()) };
    let unit: Unit = load(tx, EntityKind::Unit, u)
        .await
        .map_err(|_| DomainError::invalid("unit_id", format!("no unit has id {u}")))?;
    if unit.agency_id != agency {
        return Err(DomainError::invalid(
            "unit_id",
            format!("{} belongs to another agency", unit.callsign),
        )
        .into());
    }
    Ok(())
}

pub(super) async fn require(
    tx: &mut impl WriteTx,
    entity: EntityKind,
    id: Option<Uuid>,
    field: &str,
) -> StoreResult<()> {
    if let Some(id) = id
        && tx.load(entity, id).await?.is_none()
    {
        return Err(DomainError::invalid(field, format!("no {entity} has id {id}")).into());
    }
    Ok(())
}

/// An incident can only be a duplicate of one that exists and is open (as
/// `/merge` requires too): so no chain of duplicates can close into a cycle.
async fn duplicate_target(tx: &mut impl WriteTx, officer: &Officer, of: Uuid) -> StoreResult<()> {
    let (target, _) = visible_incident(tx, officer, of)
        .await
        .map_err(|_| DomainError::invalid("duplicate_of", format!("no incident has id {of}")))?;
    if !target.status.is_open() {
        return Err(DomainError::invalid(
            "duplicate_of",
            format!(
                "{} is {}; an incident can only duplicate an open one",
                target.reference, target.status
            ),
        )
        .into());
    }
    Ok(())
}

pub(super) fn reply<T: Serialize>(
    status: u16,
    etag: Option<u64>,
    value: &T,
) -> StoreResult<Outcome> {
    Ok(Outcome {
        status,
        etag,
        body: serde_json::to_string(value)?,
        replayed: false,
    })
}

/// Loads, checks and writes the rows of one command; returns its answer and changes.
pub async fn decide(
    tx: &mut impl WriteTx,
    actor: &Actor,
    command: &Command,
    head: &super::apply::Head,
    now: OffsetDateTime,
) -> StoreResult<(Outcome, Vec<Change>)> {
    use EntityKind as E;
    use EventKind as K;
    if let Actor::Officer(o) = actor
        && o.role == Role::Auditor
        && !matches!(command, Command::Access(_) | Command::WitnessAlarm(_))
    {
        return Err(DomainError::Forbidden(
            "an auditor account reads the record and changes nothing".into(),
        )
        .into());
    }
    match command {
        Command::CreateIncident(new) => {
            let officer = actor.officer()?;
            require(tx, E::Agency, new.lead_agency_id, "lead_agency_id").await?;
            shared_exist(tx, &new.shared_with).await?;
            for a in validate::supporting_agencies(&new.supporting_agency_ids)? {
                require(tx, E::Agency, Some(a), "supporting_agency_ids").await?;
            }
            let centre = new.centre.unwrap_or(officer.centre);
            // Validate before taking a number, so a refused report burns none.
            new.clone()
                .into_incident(officer, Uuid::nil(), String::new(), now)?;
            let n = tx
                .next_reference_number(centre.as_str(), now.year())
                .await?;
            let inc = new.clone().into_incident(
                officer,
                Uuid::now_v7(),
                incident::reference(centre, now.year(), n),
                now,
            )?;
            let c = change(K::IncidentCreated, E::Incident, inc.id, inc.version, &inc)?;
            tx.put(Row::Incident(&inc), &c.json).await?;
            Ok((reply(201, Some(inc.version), &inc)?, vec![c]))
        }
        Command::PatchIncident {
            id,
            if_match,
            patch,
        } => {
            let officer = actor.officer()?;
            patch.validate()?;
            let (current, json) = visible_incident(tx, officer, *id).await?;
            check_version(*if_match, current.version, &json)?;
            if let Some(ids) = &patch.shared_with {
                shared_exist(tx, ids).await?;
            }
            require(tx, E::Agency, patch.lead_agency_id, "lead_agency_id").await?;
            if let Some(ids) = &patch.supporting_agency_ids {
                for a in validate::supporting_agencies(ids)? {
                    require(tx, E::Agency, Some(a), "supporting_agency_ids").await?;
                }
            }
            if let Some(of) = patch.duplicate_of {
                duplicate_target(tx, officer, of).await?;
            }
            let next = current.patched(patch, officer, now)?;
            let ended = if current.status.is_open() && !next.status.is_open() {
                super::closing::tasks_of_ended(tx, &next, patch.open_tasks, officer, now).await?
            } else {
                Vec::new()
            };
            let c = change(
                K::IncidentUpdated,
                E::Incident,
                next.id,
                next.version,
                &next,
            )?;
            tx.put(Row::Incident(&next), &c.json).await?;
            let was = remark_tasks(tx, &current, &next).await?;
            let mut changes = vec![Change { was, ..c }];
            changes.extend(ended);
            Ok((reply(200, Some(next.version), &next)?, changes))
        }
        Command::AddNote { incident_id, note } => {
            let officer = actor.officer()?;
            visible_incident(tx, officer, *incident_id).await?;
            let note = note
                .clone()
                .into_note(*incident_id, officer, Uuid::now_v7(), now)?;
            let c = change(K::NoteAdded, E::Note, note.id, 1, &note)?;
            tx.put(Row::Note(&note), &c.json).await?;
            Ok((reply(201, None, &note)?, vec![c]))
        }
        Command::CreateTask { incident_id, task } => {
            let officer = actor.officer()?;
            let (inc, _) = visible_incident(tx, officer, *incident_id).await?;
            if !inc.status.is_open() {
                return Err(DomainError::invalid(
                    "incident",
                    format!(
                        "{} is {}; tasks go to open incidents",
                        inc.reference, inc.status
                    ),
                )
                .into());
            }
            require(tx, E::Agency, Some(task.agency_id), "agency_id").await?;
            shared_exist(tx, &task.shared_with).await?;
            unit_of(tx, task.unit_id, task.agency_id).await?;
            let t = task
                .clone()
                .into_task(*incident_id, officer, Uuid::now_v7(), now)?;
            let c = change(K::TaskCreated, E::Task, t.id, t.version, &t)?;
            tx.put(Row::Task(&t), &c.json).await?;
            Ok((reply(201, Some(t.version), &t)?, vec![c]))
        }
        Command::PatchTask {
            id,
            if_match,
            patch,
        } => {
            let officer = actor.officer()?;
            patch.validate(now)?;
            let (current, json): (Task, String) = load_with_json(tx, E::Task, *id).await?;
            let of: Incident = load(tx, E::Incident, current.incident_id).await?;
            tx.seen(&of);
            let before = marking::task_audience(&current, &of);
            if !Viewer::of(officer).admits(&before) {
                return Err(StoreError::NotFound(format!("task {id}")));
            }
            check_version(*if_match, current.version, &json)?;
            unit_of(tx, patch.unit_id, current.agency_id).await?;
            if let Some(ids) = &patch.shared_with {
                shared_exist(tx, ids).await?;
            }
            let next = current.patched(patch, officer, of.centre, now)?;
            let mut c = change(K::TaskUpdated, E::Task, next.id, next.version, &next)?;
            tx.put(Row::Task(&next), &c.json).await?;
            // Re-marked: whoever saw it and no longer does is told.
            c.was = (marking::task_audience(&next, &of) != before).then_some(before);
            Ok((reply(200, Some(next.version), &next)?, vec![c]))
        }
        Command::PatchUnit {
            id,
            if_match,
            patch,
        } => {
            let officer = actor.officer()?;
            patch.validate()?;
            let (current, json): (Unit, String) = load_with_json(tx, E::Unit, *id).await?;
            officer.may(crate::model::Act::UpdateUnit {
                agency: current.agency_id,
            })?;
            check_version(*if_match, current.version, &json)?;
            let next = current.patched(patch, now)?;
            let c = change(K::UnitUpdated, E::Unit, next.id, next.version, &next)?;
            tx.put(Row::Unit(&next), &c.json).await?;
            Ok((reply(200, Some(next.version), &next)?, vec![c]))
        }
        Command::Merge { id, request } => {
            let officer = actor.officer()?;
            if *id == request.into {
                return Err(DomainError::invalid(
                    "into",
                    "an incident cannot be merged into itself",
                )
                .into());
            }
            let (dup, _) = visible_incident(tx, officer, *id).await?;
            let (target, _) = visible_incident(tx, officer, request.into)
                .await
                .map_err(|_| {
                    DomainError::invalid("into", format!("no incident has id {}", request.into))
                })?;
            let dismissed = dup.merged_into(&target, officer, now)?;
            let mut changes = vec![change(
                K::IncidentUpdated,
                E::Incident,
                dismissed.id,
                dismissed.version,
                &dismissed,
            )?];
            tx.put(Row::Incident(&dismissed), &changes[0].json).await?;
            let mut moved = Vec::new();
            for json in tx.tasks_of(dup.id).await? {
                let mut t: Task = serde_json::from_str(&json)?;
                t.incident_id = target.id;
                t.version += 1;
                t.updated_at = now;
                let c = change(K::TaskUpdated, E::Task, t.id, t.version, &t)?;
                tx.put(Row::Task(&t), &c.json).await?;
                changes.push(c);
                moved.push(t);
            }
            let result = MergeResult {
                duplicate: dismissed,
                into: target,
                moved_tasks: moved,
            };
            Ok((reply(200, None, &result)?, changes))
        }
        Command::ImportIncident(given) => {
            actor.admin()?;
            let mut inc = given.clone();
            validate::line("title", &inc.title, validate::TITLE_MAX)?;
            inc.location.validate()?;
            let year = inc.reported_at.year();
            let n = tx.next_reference_number(inc.centre.as_str(), year).await?;
            inc.reference = incident::reference(inc.centre, year, n);
            let c = change(K::IncidentCreated, E::Incident, inc.id, inc.version, &inc)?;
            tx.put(Row::Incident(&inc), &c.json).await?;
            Ok((reply(201, Some(inc.version), &inc)?, vec![c]))
        }
        Command::ImportTask(t) => {
            actor.admin()?;
            require(tx, E::Incident, Some(t.incident_id), "incident_id").await?;
            require(tx, E::Agency, Some(t.agency_id), "agency_id").await?;
            let c = change(K::TaskCreated, E::Task, t.id, t.version, t)?;
            tx.put(Row::Task(t), &c.json).await?;
            Ok((reply(201, Some(t.version), t)?, vec![c]))
        }
        Command::ImportNote(n) => {
            actor.admin()?;
            require(tx, E::Incident, Some(n.incident_id), "incident_id").await?;
            validate::text("text", &n.text, validate::TEXT_MAX)?;
            let c = change(K::NoteAdded, E::Note, n.id, 1, n)?;
            tx.put(Row::Note(n), &c.json).await?;
            Ok((reply(201, None, n)?, vec![c]))
        }
        Command::PutAgency(a) => {
            actor.admin()?;
            a.validate()?;
            let c = change(K::AgencyCreated, E::Agency, a.id, a.version, a)?;
            tx.put(Row::Agency(a), &c.json).await?;
            Ok((reply(201, Some(a.version), a)?, vec![c]))
        }
        Command::PutUnit(u) => {
            actor.admin()?;
            u.validate()?;
            require(tx, E::Agency, Some(u.agency_id), "agency_id").await?;
            let c = change(K::UnitCreated, E::Unit, u.id, u.version, u)?;
            tx.put(Row::Unit(u), &c.json).await?;
            Ok((reply(201, Some(u.version), u)?, vec![c]))
        }
        Command::Access(c) => super::access::decide(tx, actor, c, now).await,
        Command::Shift(c) => super::shifts::decide(tx, actor, c, now).await,
        Command::Checkpoint(_) | Command::RecordFindings(_) | Command::WitnessAlarm(_) => {
            super::attest::decide(actor, command, head, now)
        }
        Command::Ownership { id, step } => super::handover::decide(tx, actor, *id, step, now).await,
    }
}
