//! Notes: free text added to an incident's timeline.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::officer::{Act, Officer};
use super::{DomainError, validate};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Note {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub text: String,
    /// The officer who wrote it.
    pub author: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

/// `POST /api/v1/incidents/{id}/notes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    #[schema(min_length = 1, max_length = 10000)]
    pub text: String,
}

impl NewNote {
    pub fn into_note(
        self,
        incident_id: Uuid,
        actor: &Officer,
        id: Uuid,
        now: OffsetDateTime,
    ) -> Result<Note, DomainError> {
        actor.may(Act::AddNote)?;
        validate::required_text("text", &self.text, validate::TEXT_MAX)?;
        Ok(Note {
            id,
            incident_id,
            text: self.text,
            author: actor.id,
            at: now,
        })
    }
}
