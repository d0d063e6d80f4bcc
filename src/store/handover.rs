//! Commands that move an incident between the centres: a handover asked
//! for, answered, and the emergency takeover. A decline's or a takeover's
//! reason goes into the incident's notes, so both centres read it in the
//! timeline.

use time::OffsetDateTime;
use uuid::Uuid;

use super::StoreResult;
use super::apply::{Actor, Outcome, OwnershipStep, Row, WriteTx};
use super::decide::{Change, change, reply};
use super::visibility::{remark_tasks, visible_incident};
use crate::model::{DomainError, EntityKind as E, EventKind as K, Officer, Sla, validate};

/// Longest reason for a decline or a takeover.
const REASON_MAX: usize = 2000;

pub async fn decide(
    tx: &mut impl WriteTx,
    actor: &Actor,
    id: Uuid,
    step: &OwnershipStep,
    now: OffsetDateTime,
) -> StoreResult<(Outcome, Vec<Change>)> {
    let officer = actor.officer()?;
    let (current, _) = visible_incident(tx, officer, id).await?;
    let (next, note) = match step {
        OwnershipStep::Ask(ask) => (current.handover_asked(ask, officer, now)?, None),
        OwnershipStep::Answer { accept, reason } => {
            let next = current.handover_answered(*accept, officer, now)?;
            let note = match (accept, reason) {
                (true, _) => None,
                (false, Some(r)) => {
                    validate::required_text("reason", r, REASON_MAX)?;
                    let to = current.handover.as_ref().map_or(next.centre, |h| h.to);
                    Some(format!(
                        "Handover to {to} declined by {}: {r}",
                        officer.centre
                    ))
                }
                (false, None) => {
                    return Err(
                        DomainError::invalid("reason", "say why the handover is declined").into(),
                    );
                }
            };
            (next, note)
        }
        OwnershipStep::Takeover { reason } => {
            validate::required_text("reason", reason, REASON_MAX)?;
            let next = current.taken_over(officer, &Sla::default(), now)?;
            let note = format!(
                "Emergency takeover from {} by {}: {reason}",
                current.centre, officer.centre
            );
            (next, Some(note))
        }
    };
    let mut changes = vec![change(
        K::IncidentUpdated,
        E::Incident,
        id,
        next.version,
        &next,
    )?];
    tx.put(Row::Incident(&next), &changes[0].json).await?;
    changes[0].was = remark_tasks(tx, &current, &next).await?;
    if let Some(text) = note {
        changes.push(note_change(tx, id, officer, text, now).await?);
    }
    Ok((reply(200, Some(next.version), &next)?, changes))
}

async fn note_change(
    tx: &mut impl WriteTx,
    incident: Uuid,
    officer: &Officer,
    text: String,
    now: OffsetDateTime,
) -> StoreResult<Change> {
    // Written in the officer's name whatever their role: it records their act.
    let n = crate::model::Note {
        id: Uuid::now_v7(),
        incident_id: incident,
        text,
        author: officer.id,
        at: now,
    };
    let c = change(K::NoteAdded, E::Note, n.id, 1, &n)?;
    tx.put(Row::Note(&n), &c.json).await?;
    Ok(c)
}
