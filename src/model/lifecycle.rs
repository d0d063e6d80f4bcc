//! The incident's status lifecycle: which moves exist, who may make them,
//! and what each does to the incident (acknowledgement, closing, dismissal,
//! merging into another).

use time::OffsetDateTime;
use uuid::Uuid;

use super::officer::{Act, Officer};
use super::{DismissReason, DomainError, Incident, IncidentPatch, IncidentStatus, Role};

/// Checks one status move against the lifecycle and the actor's role.
pub fn check_transition(
    from: IncidentStatus,
    to: IncidentStatus,
    actor: &Officer,
) -> Result<(), DomainError> {
    use IncidentStatus::*;
    let refuse = |why: &str| DomainError::Transition {
        entity: "incident",
        from: from.to_string(),
        to: to.to_string(),
        why: why.to_string(),
    };
    if from == to {
        return Err(refuse("it is already there"));
    }
    if !from.is_open() {
        if to != Acknowledged {
            return Err(refuse(
                "a closed or dismissed incident can only be reopened to acknowledged",
            ));
        }
        return actor.may(Act::ReopenIncident);
    }
    match to {
        // Ending what units are out on is a supervisor's call.
        Dismissed if matches!(from, Responding | Contained) && actor.role != Role::Supervisor => {
            Err(DomainError::Forbidden(format!(
                "only a supervisor ends an incident that is {from}"
            )))
        }
        Dismissed => actor.may(Act::TriageIncident),
        Closed => actor.may(Act::CloseIncident),
        _ if rank(to) > rank(from) => actor.may(Act::TriageIncident),
        _ => Err(refuse("status moves forward only")),
    }
}

fn rank(s: IncidentStatus) -> u8 {
    match s {
        IncidentStatus::Reported => 0,
        IncidentStatus::Acknowledged => 1,
        IncidentStatus::Responding => 2,
        IncidentStatus::Contained => 3,
        IncidentStatus::Closed => 4,
        IncidentStatus::Dismissed => 5,
    }
}

impl Incident {
    pub(super) fn move_to(
        &mut self,
        to: IncidentStatus,
        reason: Option<DismissReason>,
        duplicate_of: Option<Uuid>,
        actor: &Officer,
        now: OffsetDateTime,
    ) -> Result<(), DomainError> {
        check_transition(self.status, to, actor)?;
        match (to, reason, duplicate_of) {
            (IncidentStatus::Dismissed, None, _) => {
                return Err(DomainError::invalid(
                    "dismiss_reason",
                    "is required to dismiss (false_alarm, duplicate, out_of_scope)",
                ));
            }
            (IncidentStatus::Dismissed, Some(DismissReason::Duplicate), None) => {
                return Err(DomainError::invalid(
                    "duplicate_of",
                    "names the incident this one duplicates",
                ));
            }
            (_, Some(r), Some(_)) if r != DismissReason::Duplicate => {
                return Err(DomainError::invalid(
                    "duplicate_of",
                    "only goes with dismiss_reason duplicate",
                ));
            }
            (_, _, Some(of)) if of == self.id => {
                return Err(DomainError::invalid(
                    "duplicate_of",
                    "an incident cannot duplicate itself",
                ));
            }
            _ => {}
        }
        if self.status.is_open() {
            if self.acknowledged_at.is_none() && to != IncidentStatus::Dismissed {
                self.acknowledged_at = Some(now);
            }
        } else {
            // Reopened: the dismissal no longer holds.
            self.dismiss_reason = None;
            self.duplicate_of = None;
        }
        self.closed_at = (!to.is_open()).then_some(now);
        if to == IncidentStatus::Dismissed {
            self.dismiss_reason = reason;
            self.duplicate_of = duplicate_of;
        }
        self.status = to;
        Ok(())
    }

    /// This incident dismissed as a duplicate of `target` (the merge endpoint).
    pub fn merged_into(
        &self,
        target: &Incident,
        actor: &Officer,
        now: OffsetDateTime,
    ) -> Result<Incident, DomainError> {
        actor.may(Act::Merge)?;
        super::ownership::require_owner(self, actor)?;
        if !target.status.is_open() {
            return Err(DomainError::invalid(
                "into",
                format!(
                    "{} is {}; merge into an open incident",
                    target.reference, target.status
                ),
            ));
        }
        self.patched(
            &IncidentPatch {
                status: Some(IncidentStatus::Dismissed),
                dismiss_reason: Some(DismissReason::Duplicate),
                duplicate_of: Some(target.id),
                ..IncidentPatch::default()
            },
            actor,
            now,
        )
    }
}
