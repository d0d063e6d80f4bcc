//! Which centre owns an incident and how ownership moves. Only the owning
//! centre's officers triage an incident; the other centre reads it, adds
//! notes and requests tasks. Ownership moves by a two-step handover — offered
//! by the owner or requested by the other centre, then accepted or declined
//! by the side that did not ask — or, when the owner has left a critical
//! incident unacknowledged past its SLA plus ten minutes, by the other
//! centre's supervisor taking it over, with a reason both centres see.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;
use uuid::Uuid;

use super::officer::{Act, Officer};
use super::{Centre, DomainError, Incident, IncidentStatus, Role, Severity, Sla, validate};

/// How long past its SLA a critical incident must wait unacknowledged
/// before the other centre may take it over.
pub const TAKEOVER_AFTER_SLA: Duration = Duration::minutes(10);

/// The last time an incident changed centre: an accepted handover, or a takeover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HandedOver {
    pub from: Centre,
    pub to: Centre,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

/// A handover waiting for its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Handover {
    pub from: Centre,
    pub to: Centre,
    /// The centre that asked: `from` offered it, `to` requested it.
    pub asked_by: Centre,
    pub officer_id: Uuid,
    pub note: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

impl Handover {
    /// The centre whose answer it waits for.
    pub fn awaits(&self) -> Centre {
        if self.asked_by == self.from {
            self.to
        } else {
            self.from
        }
    }
}

/// `POST /api/v1/incidents/{id}/handover`: offer it (owner) or request it (other centre).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverAsk {
    pub to: Centre,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

/// `POST …/handover/decline` and `POST …/takeover`: why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Refuses a change of `incident` by an officer of another centre.
pub fn require_owner(incident: &Incident, actor: &Officer) -> Result<(), DomainError> {
    if actor.centre == incident.centre {
        return Ok(());
    }
    Err(DomainError::Forbidden(format!(
        "{} is owned by {owner}; ask {owner} or request a handover",
        incident.reference,
        owner = incident.centre
    )))
}

fn pending(from: &str, why: impl Into<String>) -> DomainError {
    DomainError::Transition {
        entity: "handover",
        from: from.into(),
        to: "answered".into(),
        why: why.into(),
    }
}

impl Incident {
    fn touched(mut self, actor: &Officer, now: OffsetDateTime) -> Incident {
        self.version += 1;
        self.updated_by = actor.id;
        self.updated_at = now;
        self
    }

    /// The incident with a handover to `ask.to` waiting for an answer.
    pub fn handover_asked(
        &self,
        ask: &HandoverAsk,
        actor: &Officer,
        now: OffsetDateTime,
    ) -> Result<Incident, DomainError> {
        actor.may(Act::TriageIncident)?;
        validate::text("note", &ask.note, 2000)?;
        if !self.status.is_open() {
            return Err(DomainError::invalid(
                "to",
                format!(
                    "{} is {}; only open incidents are handed over",
                    self.reference, self.status
                ),
            ));
        }
        if ask.to == self.centre {
            return Err(DomainError::invalid(
                "to",
                format!("{} is already owned by {}", self.reference, self.centre),
            ));
        }
        if actor.centre != self.centre && actor.centre != ask.to {
            return Err(DomainError::Forbidden(format!(
                "only {} or {} may ask to hand {} over",
                self.centre, ask.to, self.reference
            )));
        }
        if let Some(h) = &self.handover {
            return Err(pending(
                "pending",
                format!("a handover to {} already waits for {}", h.to, h.awaits()),
            ));
        }
        let mut next = self.clone();
        next.handover = Some(Box::new(Handover {
            from: self.centre,
            to: ask.to,
            asked_by: actor.centre,
            officer_id: actor.id,
            note: ask.note.clone(),
            at: now,
        }));
        Ok(next.touched(actor, now))
    }

    /// The incident after the side that did not ask accepts or declines.
    pub fn handover_answered(
        &self,
        accept: bool,
        actor: &Officer,
        now: OffsetDateTime,
    ) -> Result<Incident, DomainError> {
        actor.may(Act::TriageIncident)?;
        let Some(h) = &self.handover else {
            return Err(pending(
                "none",
                format!("no handover of {} is waiting", self.reference),
            ));
        };
        if actor.centre != h.awaits() {
            return Err(DomainError::Forbidden(format!(
                "the handover of {} to {} waits for {} to answer",
                self.reference,
                h.to,
                h.awaits()
            )));
        }
        let mut next = self.clone();
        if accept {
            next.centre = h.to;
            next.handed_over = Some(Box::new(HandedOver {
                from: h.from,
                to: h.to,
                at: now,
            }));
        }
        next.handover = None;
        Ok(next.touched(actor, now))
    }

    /// The incident taken over by the other centre's supervisor.
    pub fn taken_over(
        &self,
        actor: &Officer,
        sla: &Sla,
        now: OffsetDateTime,
    ) -> Result<Incident, DomainError> {
        if actor.role != Role::Supervisor {
            return Err(DomainError::Forbidden(
                "only a supervisor takes an incident over".into(),
            ));
        }
        if actor.centre == self.centre {
            return Err(DomainError::invalid(
                "centre",
                format!("{} is already owned by {}", self.reference, self.centre),
            ));
        }
        let due = sla.deadline(self) + TAKEOVER_AFTER_SLA;
        if self.severity != Severity::Critical
            || self.status != IncidentStatus::Reported
            || now < due
        {
            return Err(DomainError::Forbidden(format!(
                "a takeover is for a critical incident its owner has not acknowledged within \
                 its SLA plus {} minutes; {} is {} and {}; request a handover instead",
                TAKEOVER_AFTER_SLA.whole_minutes(),
                self.reference,
                self.severity,
                self.status
            )));
        }
        let mut next = self.clone();
        next.centre = actor.centre;
        next.handover = None;
        next.handed_over = Some(Box::new(HandedOver {
            from: self.centre,
            to: actor.centre,
            at: now,
        }));
        Ok(next.touched(actor, now))
    }
}
