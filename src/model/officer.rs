//! Officers and what each role may do: the permission table of DESIGN.md in one place.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Centre, DomainError, Role};

/// The public face of an officer (tokens live only in the store, as hashes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Officer {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    pub centre: Centre,
    /// The agency a liaison acts for; `None` for every other role.
    pub agency_id: Option<Uuid>,
}

/// SHA-256 of a bearer token, hex: the only form in which tokens are stored.
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

/// Everything an officer can ask for that changes state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    CreateIncident,
    /// Acknowledge, severity, forward status, lead agency, edits, dismiss.
    TriageIncident,
    CloseIncident,
    ReopenIncident,
    Merge,
    AddNote,
    CreateTask,
    EditTask,
    CancelTask,
    /// Accept, decline, progress, block, finish a task assigned to `agency`.
    WorkTask {
        agency: Uuid,
    },
    UpdateUnit {
        agency: Uuid,
    },
}

impl Officer {
    /// Whether this officer may perform `act`; the error names the role and the act.
    pub fn may(&self, act: Act) -> Result<(), DomainError> {
        use Role::*;
        let allowed = match act {
            Act::CreateIncident | Act::AddNote => {
                matches!(self.role, DutyOfficer | Supervisor | System)
            }
            Act::TriageIncident | Act::CreateTask | Act::EditTask | Act::CancelTask => {
                matches!(self.role, DutyOfficer | Supervisor)
            }
            Act::CloseIncident | Act::ReopenIncident | Act::Merge => self.role == Supervisor,
            Act::WorkTask { agency } => self.role == Liaison && self.agency_id == Some(agency),
            Act::UpdateUnit { agency } => match self.role {
                Supervisor | System => true,
                Liaison => self.agency_id == Some(agency),
                _ => false,
            },
        };
        if allowed {
            Ok(())
        } else {
            Err(DomainError::Forbidden(format!(
                "a {} may not {}",
                self.role.as_str().replace('_', " "),
                describe(act)
            )))
        }
    }
}

fn describe(act: Act) -> &'static str {
    match act {
        Act::CreateIncident => "create incidents",
        Act::TriageIncident => "triage incidents",
        Act::CloseIncident => "close incidents",
        Act::ReopenIncident => "reopen incidents",
        Act::Merge => "merge incidents",
        Act::AddNote => "add notes",
        Act::CreateTask => "create tasks",
        Act::EditTask => "edit tasks",
        Act::CancelTask => "cancel tasks",
        Act::WorkTask { .. } => "work on tasks of an agency it does not act for",
        Act::UpdateUnit { .. } => "update units of an agency it does not act for",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn officer(role: Role, agency: Option<Uuid>) -> Officer {
        Officer {
            id: Uuid::nil(),
            name: "t".into(),
            role,
            centre: Centre::Trp,
            agency_id: agency,
        }
    }

    #[test]
    fn observer_may_do_nothing() {
        let o = officer(Role::Observer, None);
        let a = Uuid::new_v4();
        for act in [
            Act::CreateIncident,
            Act::TriageIncident,
            Act::CloseIncident,
            Act::ReopenIncident,
            Act::Merge,
            Act::AddNote,
            Act::CreateTask,
            Act::EditTask,
            Act::CancelTask,
            Act::WorkTask { agency: a },
            Act::UpdateUnit { agency: a },
        ] {
            assert!(o.may(act).unwrap_err().is_forbidden(), "{act:?}");
        }
    }

    #[test]
    fn liaison_is_scoped_to_its_agency() {
        let mine = Uuid::new_v4();
        let other = Uuid::new_v4();
        let l = officer(Role::Liaison, Some(mine));
        assert!(l.may(Act::WorkTask { agency: mine }).is_ok());
        assert!(l.may(Act::WorkTask { agency: other }).is_err());
        assert!(l.may(Act::UpdateUnit { agency: mine }).is_ok());
        assert!(l.may(Act::UpdateUnit { agency: other }).is_err());
        assert!(l.may(Act::AddNote).is_err());
        assert!(l.may(Act::TriageIncident).is_err());
    }

    #[test]
    fn only_supervisor_closes_reopens_merges() {
        for act in [Act::CloseIncident, Act::ReopenIncident, Act::Merge] {
            assert!(officer(Role::Supervisor, None).may(act).is_ok());
            assert!(officer(Role::DutyOfficer, None).may(act).is_err());
        }
        assert!(
            officer(Role::DutyOfficer, None)
                .may(Act::TriageIncident)
                .is_ok()
        );
        assert!(officer(Role::System, None).may(Act::CreateIncident).is_ok());
        assert!(
            officer(Role::System, None)
                .may(Act::TriageIncident)
                .is_err()
        );
    }
}
