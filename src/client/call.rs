//! A change an officer asked for, as queued in the outbox and sent to the API.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Client, ClientResult};
use crate::api::{IncidentPatch, NewIncident, NewTask};
use crate::model::Centre;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ApiCall {
    PatchIncident {
        id: Uuid,
        /// The version the officer's change is based on (sent as If-Match).
        version: u64,
        patch: Box<IncidentPatch>,
        what: String,
    },
    Note {
        incident: Uuid,
        text: String,
        what: String,
    },
    CreateTask {
        incident: Uuid,
        task: Box<NewTask>,
        what: String,
    },
    CreateIncident {
        new: Box<NewIncident>,
        what: String,
    },
    Merge {
        id: Uuid,
        into: Uuid,
        what: String,
    },
    Handover {
        id: Uuid,
        step: HandoverStep,
        what: String,
    },
}

/// A step of a handover between the centres.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverStep {
    /// Offer it to `to` (the owner) or request it for `to` (the other centre).
    Ask {
        to: Centre,
        note: String,
    },
    Accept,
    Decline {
        reason: String,
    },
}

impl ApiCall {
    /// What the officer asked for, in words.
    pub fn what(&self) -> &str {
        match self {
            ApiCall::PatchIncident { what, .. }
            | ApiCall::Note { what, .. }
            | ApiCall::CreateTask { what, .. }
            | ApiCall::CreateIncident { what, .. }
            | ApiCall::Merge { what, .. }
            | ApiCall::Handover { what, .. } => what,
        }
    }

    /// The existing incident this changes, if any.
    pub fn incident(&self) -> Option<Uuid> {
        match self {
            ApiCall::PatchIncident { id, .. }
            | ApiCall::Merge { id, .. }
            | ApiCall::Handover { id, .. } => Some(*id),
            ApiCall::Note { incident, .. } | ApiCall::CreateTask { incident, .. } => {
                Some(*incident)
            }
            ApiCall::CreateIncident { .. } => None,
        }
    }

    /// Sends it once with `key`; a retry with the same key is harmless.
    pub async fn perform(&self, client: &Client, key: &str) -> ClientResult<()> {
        match self {
            ApiCall::PatchIncident {
                id, version, patch, ..
            } => client
                .patch_incident(key, *id, *version, patch)
                .await
                .map(drop),
            ApiCall::Note { incident, text, .. } => {
                client.add_note(key, *incident, text).await.map(drop)
            }
            ApiCall::CreateTask { incident, task, .. } => {
                client.create_task(key, *incident, task).await.map(drop)
            }
            ApiCall::CreateIncident { new, .. } => client.create_incident(key, new).await.map(drop),
            ApiCall::Merge { id, into, .. } => client.merge(key, *id, *into).await.map(drop),
            ApiCall::Handover { id, step, .. } => client.handover(key, *id, step).await.map(drop),
        }
    }
}
