//! Joint-response tasks: one agency asked to do one thing for one incident.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::marking::{self, Tlp};
use super::officer::{Act, Officer};
use super::validate;
use super::{Centre, DomainError, Priority, TaskStatus};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Task {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub agency_id: Uuid,
    pub unit_id: Option<Uuid>,
    pub title: String,
    pub priority: Priority,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<OffsetDateTime>,
    pub status: TaskStatus,
    /// Why it was declined or is blocked.
    pub reason: Option<String>,
    /// Handling marking (TLP 2.0); the agency asked counts as its lead.
    #[serde(default)]
    pub tlp: Tlp,
    #[serde(default)]
    pub shared_with: Vec<Uuid>,
    pub version: u64,
    pub created_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

/// `POST /api/v1/incidents/{id}/tasks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    pub agency_id: Uuid,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[serde(default)]
    pub unit_id: Option<Uuid>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<OffsetDateTime>,
    /// `green` when not given.
    #[serde(default)]
    pub tlp: Tlp,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub shared_with: Vec<Uuid>,
}

/// `PATCH /api/v1/tasks/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    pub status: Option<TaskStatus>,
    /// Required when declining or blocking.
    #[schema(min_length = 1, max_length = 200)]
    pub reason: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    pub priority: Option<Priority>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<OffsetDateTime>,
    pub unit_id: Option<Uuid>,
    /// Raised by anyone who sees the task; lowered only by the supervisor
    /// of the centre owning its incident.
    pub tlp: Option<Tlp>,
    #[schema(max_items = 20)]
    pub shared_with: Option<Vec<Uuid>>,
}

impl NewTask {
    pub fn into_task(
        self,
        incident_id: Uuid,
        actor: &Officer,
        id: Uuid,
        now: OffsetDateTime,
    ) -> Result<Task, DomainError> {
        actor.may(Act::CreateTask)?;
        validate::line("title", &self.title, validate::TITLE_MAX)?;
        due_in_range(self.due_at, now)?;
        Ok(Task {
            id,
            incident_id,
            agency_id: self.agency_id,
            unit_id: self.unit_id,
            title: self.title,
            priority: self.priority.unwrap_or(Priority::Normal),
            due_at: self.due_at,
            status: TaskStatus::Requested,
            reason: None,
            tlp: self.tlp,
            shared_with: marking::shared_with(&self.shared_with)?,
            version: 1,
            created_by: actor.id,
            created_at: now,
            updated_at: now,
        })
    }
}

impl TaskPatch {
    /// What can be said of the patch alone, before any state is looked at.
    pub fn validate(&self, now: OffsetDateTime) -> Result<(), DomainError> {
        if self == &TaskPatch::default() {
            return Err(DomainError::invalid("body", "names no field to change"));
        }
        if let Some(t) = &self.title {
            validate::line("title", t, validate::TITLE_MAX)?;
        }
        if let Some(r) = &self.reason {
            validate::line("reason", r, validate::TITLE_MAX)?;
        }
        due_in_range(self.due_at, now)
    }
}

/// A due time a duty officer could mean: from a day ago (a clock behind, a
/// task entered late) to a year ahead.
fn due_in_range(due: Option<OffsetDateTime>, now: OffsetDateTime) -> Result<(), DomainError> {
    match due {
        Some(t) => validate::time_within(
            "due_at",
            t,
            now - time::Duration::days(1),
            now + time::Duration::days(366),
        ),
        None => Ok(()),
    }
}

/// Whether the task lifecycle allows `from → to` at all (who may is checked apart).
pub fn transition_allowed(from: TaskStatus, to: TaskStatus) -> bool {
    use TaskStatus::*;
    matches!(
        (from, to),
        (Requested, Accepted | Declined)
            | (Accepted, InProgress | Blocked)
            | (InProgress, Done | Blocked)
            | (Blocked, Accepted | InProgress)
    ) || (from.is_open() && to == Cancelled)
}

impl Task {
    pub fn is_overdue(&self, now: OffsetDateTime) -> bool {
        self.status.is_open() && self.due_at.is_some_and(|d| d < now)
    }

    /// The task after `patch` by `actor`; `owner` is the centre owning its
    /// incident, whose supervisor alone may lower the task's marking.
    pub fn patched(
        &self,
        patch: &TaskPatch,
        actor: &Officer,
        owner: Centre,
        now: OffsetDateTime,
    ) -> Result<Task, DomainError> {
        patch.validate(now)?;
        let mut next = self.clone();
        if patch.tlp.is_some() || patch.shared_with.is_some() {
            next.tlp = patch.tlp.unwrap_or(self.tlp);
            if let Some(s) = &patch.shared_with {
                next.shared_with = marking::shared_with(s)?;
            }
            marking::check_change(
                actor,
                owner,
                (self.tlp, &self.shared_with),
                (next.tlp, &next.shared_with),
            )?;
        }
        if patch.title.is_some() || patch.priority.is_some() || patch.due_at.is_some() {
            actor.may(Act::EditTask)?;
        }
        if let Some(t) = &patch.title {
            next.title = t.clone();
        }
        next.priority = patch.priority.unwrap_or(next.priority);
        next.due_at = patch.due_at.or(next.due_at);
        if let Some(u) = patch.unit_id {
            actor.may(Act::EditTask).or_else(|_| {
                actor.may(Act::WorkTask {
                    agency: self.agency_id,
                })
            })?;
            next.unit_id = Some(u);
        }
        match patch.status {
            Some(to) => self.move_to(&mut next, to, patch.reason.as_deref(), actor)?,
            None if patch.reason.is_some() => {
                return Err(DomainError::invalid(
                    "reason",
                    "only goes with status declined or blocked",
                ));
            }
            None => {}
        }
        next.version += 1;
        next.updated_at = now;
        Ok(next)
    }

    fn move_to(
        &self,
        next: &mut Task,
        to: TaskStatus,
        reason: Option<&str>,
        actor: &Officer,
    ) -> Result<(), DomainError> {
        if !transition_allowed(self.status, to) {
            return Err(DomainError::Transition {
                entity: "task",
                from: self.status.to_string(),
                to: to.to_string(),
                why: "the task lifecycle does not allow it".into(),
            });
        }
        if to == TaskStatus::Cancelled {
            actor.may(Act::CancelTask)?;
        } else {
            actor.may(Act::WorkTask {
                agency: self.agency_id,
            })?;
        }
        let needs_reason = matches!(to, TaskStatus::Declined | TaskStatus::Blocked);
        match reason {
            Some(r) => {
                validate::line("reason", r, validate::TITLE_MAX)?;
                next.reason = Some(r.to_string());
            }
            None if needs_reason => {
                return Err(DomainError::invalid(
                    "reason",
                    format!("is required to {to}"),
                ));
            }
            None => next.reason = None,
        }
        next.status = to;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Centre, Role};
    use TaskStatus::*;

    fn officer(role: Role, agency: Option<Uuid>) -> Officer {
        Officer {
            id: Uuid::new_v4(),
            name: "t".into(),
            role,
            centre: Centre::Ben,
            agency_id: agency,
        }
    }

    fn task(agency: Uuid, status: TaskStatus) -> Task {
        let mut t = NewTask {
            tlp: Default::default(),
            shared_with: Vec::new(),
            agency_id: agency,
            title: "Intercept at Wazin".into(),
            unit_id: None,
            priority: None,
            due_at: None,
        }
        .into_task(
            Uuid::new_v4(),
            &officer(Role::DutyOfficer, None),
            Uuid::new_v4(),
            OffsetDateTime::UNIX_EPOCH,
        )
        .unwrap();
        t.status = status;
        t
    }

    #[test]
    fn every_task_transition_matches_the_lifecycle() {
        let allowed: &[(TaskStatus, TaskStatus)] = &[
            (Requested, Accepted),
            (Requested, Declined),
            (Accepted, InProgress),
            (Accepted, Blocked),
            (InProgress, Done),
            (InProgress, Blocked),
            (Blocked, Accepted),
            (Blocked, InProgress),
            (Requested, Cancelled),
            (Accepted, Cancelled),
            (InProgress, Cancelled),
            (Blocked, Cancelled),
        ];
        for &from in TaskStatus::ALL {
            for &to in TaskStatus::ALL {
                assert_eq!(
                    transition_allowed(from, to),
                    allowed.contains(&(from, to)),
                    "{from} -> {to}"
                );
            }
        }
    }

    #[test]
    fn liaison_works_its_own_agency_tasks_only() {
        let agency = Uuid::new_v4();
        let t = task(agency, Requested);
        let accept = TaskPatch {
            status: Some(Accepted),
            ..Default::default()
        };
        let now = OffsetDateTime::UNIX_EPOCH;
        assert!(
            t.patched(
                &accept,
                &officer(Role::Liaison, Some(agency)),
                Centre::Trp,
                now
            )
            .is_ok()
        );
        let other = officer(Role::Liaison, Some(Uuid::new_v4()));
        assert!(
            t.patched(&accept, &other, Centre::Trp, now)
                .unwrap_err()
                .is_forbidden()
        );
        let duty = officer(Role::DutyOfficer, None);
        assert!(
            t.patched(&accept, &duty, Centre::Trp, now)
                .unwrap_err()
                .is_forbidden()
        );
        let cancel = TaskPatch {
            status: Some(Cancelled),
            ..Default::default()
        };
        assert!(t.patched(&cancel, &duty, Centre::Trp, now).is_ok());
    }

    #[test]
    fn decline_and_block_need_a_reason() {
        let agency = Uuid::new_v4();
        let l = officer(Role::Liaison, Some(agency));
        let now = OffsetDateTime::UNIX_EPOCH;
        let mut p = TaskPatch {
            status: Some(Declined),
            ..Default::default()
        };
        match task(agency, Requested).patched(&p, &l, Centre::Trp, now) {
            Err(DomainError::Invalid { field, .. }) => assert_eq!(field, "reason"),
            other => panic!("{other:?}"),
        }
        p.reason = Some("no boat available".into());
        let d = task(agency, Requested)
            .patched(&p, &l, Centre::Trp, now)
            .unwrap();
        assert_eq!(d.reason.as_deref(), Some("no boat available"));
        assert_eq!(d.version, 2);
    }
}
