//! A shift: one officer on duty at one centre from its start to its end,
//! and the handover it leaves for whoever comes next — generated from the
//! record when the shift ends, acknowledged by the incoming officer.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;
use uuid::Uuid;

pub use super::handover_summary::{
    CommittedUnit, HandoverSummary, OpenIncident, OverdueTask, SeverityCounts,
};
use super::{Centre, DomainError, Officer, Post, Role, validate};

/// A shift not ended this long after its start is shown as overdue to end.
pub const OVERDUE_AFTER: Duration = Duration::hours(13);
/// Longest handover note.
pub const NOTE_MAX: usize = 4000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Shift {
    pub id: Uuid,
    pub centre: Centre,
    pub officer_id: Uuid,
    pub officer_name: String,
    pub post: Post,
    /// The agency of a liaison desk.
    pub agency_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: OffsetDateTime,
    /// When a shift still running counts as overdue to end (13 h on).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub end_due_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<OffsetDateTime>,
    /// Who ended it: the officer, or a supervisor of the centre for a shift forgotten.
    pub ended_by: Option<Uuid>,
    pub handover_note: Option<String>,
    /// What the shift left open, generated when it ended.
    pub handover: Option<HandoverSummary>,
    pub acknowledged_by: Option<Uuid>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub acknowledged_at: Option<OffsetDateTime>,
    pub version: u64,
}

/// `POST /api/v1/shifts/{id}/end`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndShift {
    /// What the outgoing officer wants the next one to know.
    #[serde(default)]
    pub handover_note: String,
}

impl Shift {
    /// The caller's own shift, starting now at their centre.
    pub fn start(officer: &Officer, id: Uuid, now: OffsetDateTime) -> Result<Shift, DomainError> {
        let post = match officer.role {
            Role::DutyOfficer => Post::DutyOfficer,
            Role::Supervisor => Post::Supervisor,
            Role::Liaison => Post::LiaisonDesk,
            other => {
                return Err(DomainError::Forbidden(format!(
                    "a {} account does not stand shifts",
                    other.as_str().replace('_', " ")
                )));
            }
        };
        Ok(Shift {
            id,
            centre: officer.centre,
            officer_id: officer.id,
            officer_name: officer.name.clone(),
            post,
            agency_id: officer.agency_id.filter(|_| post == Post::LiaisonDesk),
            started_at: now,
            end_due_at: now + OVERDUE_AFTER,
            ended_at: None,
            ended_by: None,
            handover_note: None,
            handover: None,
            acknowledged_by: None,
            acknowledged_at: None,
            version: 1,
        })
    }

    pub fn is_open(&self) -> bool {
        self.ended_at.is_none()
    }

    /// The handover in one line: open by severity, overdue, moving,
    /// committed, the note.
    pub fn handover_line(&self) -> String {
        match &self.handover {
            Some(h) => h.one_line(self.handover_note.as_deref()),
            None => "no handover".into(),
        }
    }

    /// Ended by its officer, or by a supervisor of its centre (a shift forgotten).
    pub fn end(
        &self,
        actor: &Officer,
        note: &str,
        summary: HandoverSummary,
        now: OffsetDateTime,
    ) -> Result<Shift, DomainError> {
        let supervisor_here = actor.role == Role::Supervisor && actor.centre == self.centre;
        if actor.id != self.officer_id && !supervisor_here {
            return Err(DomainError::Forbidden(format!(
                "only {} or a supervisor of {} ends this shift",
                self.officer_name, self.centre
            )));
        }
        validate::text("handover_note", note, NOTE_MAX)?;
        if !self.is_open() {
            return Err(self.transition("ended", "the shift has already ended"));
        }
        let mut next = self.clone();
        next.ended_at = Some(now);
        next.ended_by = Some(actor.id);
        next.handover_note = Some(note.trim().to_string()).filter(|n| !n.is_empty());
        next.handover = Some(summary);
        next.version += 1;
        Ok(next)
    }

    /// The incoming officer of the same centre takes the handover.
    pub fn acknowledge(&self, actor: &Officer, now: OffsetDateTime) -> Result<Shift, DomainError> {
        if !matches!(actor.role, Role::DutyOfficer | Role::Supervisor)
            || actor.centre != self.centre
        {
            return Err(DomainError::Forbidden(format!(
                "a duty officer or supervisor of {} acknowledges its handovers",
                self.centre
            )));
        }
        if actor.id == self.officer_id {
            return Err(DomainError::Forbidden(
                "the outgoing officer does not acknowledge their own handover".into(),
            ));
        }
        if self.is_open() {
            return Err(self.transition("acknowledged", "the shift has not ended yet"));
        }
        if self.acknowledged_at.is_some() {
            return Err(self.transition("acknowledged", "the handover is already acknowledged"));
        }
        let mut next = self.clone();
        next.acknowledged_by = Some(actor.id);
        next.acknowledged_at = Some(now);
        next.version += 1;
        Ok(next)
    }

    fn transition(&self, to: &str, why: &str) -> DomainError {
        let from = match (self.ended_at, self.acknowledged_at) {
            (None, _) => "on duty",
            (Some(_), None) => "ended",
            (Some(_), Some(_)) => "acknowledged",
        };
        DomainError::Transition {
            entity: "shift",
            from: from.into(),
            to: to.into(),
            why: why.into(),
        }
    }
}
