//! Moving an incident between the centres over HTTP: ask for a handover,
//! accept or decline it, or take a neglected critical incident over.

use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use super::error::ApiError;
use super::extract::{ApiPath, Authed, Mutation};
use super::routes::run;
use crate::api::{Incident, Problem};
use crate::model::ownership::{HandoverAsk, Reason};
use crate::store::{Command, OwnershipStep};

/// An empty JSON object: the body of an accept.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/handover", tag = "incidents", security(("bearer" = [])), request_body = HandoverAsk,
    params(("id" = Uuid, Path, description = "Incident id"),
           ("Idempotency-Key" = String, Header, description = "Unique per intended change")),
    responses((status = 200, description = "The handover waits for the other side", body = Incident),
              (status = 403, description = "Neither centre of the handover, or a role that does not triage", body = Problem),
              (status = 409, description = "A handover is already waiting", body = Problem)))]
pub async fn ask(
    State(state): State<AppState>,
    Authed(o): Authed,
    ApiPath(id): ApiPath<Uuid>,
    m: Mutation<HandoverAsk>,
) -> Result<Response, ApiError> {
    let ask = m.body.clone();
    let step = OwnershipStep::Ask(ask);
    run(&state, o, m, Command::Ownership { id, step }).await
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/handover/accept", tag = "incidents", security(("bearer" = [])), request_body = Empty,
    params(("id" = Uuid, Path, description = "Incident id"),
           ("Idempotency-Key" = String, Header, description = "Unique per intended change")),
    responses((status = 200, description = "Accepted: the incident has its new owner", body = Incident),
              (status = 403, description = "The handover waits for the other centre", body = Problem),
              (status = 409, description = "No handover is waiting", body = Problem)))]
pub async fn accept(
    State(state): State<AppState>,
    Authed(o): Authed,
    ApiPath(id): ApiPath<Uuid>,
    m: Mutation<Empty>,
) -> Result<Response, ApiError> {
    let step = OwnershipStep::Answer {
        accept: true,
        reason: None,
    };
    run(&state, o, m, Command::Ownership { id, step }).await
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/handover/decline", tag = "incidents", security(("bearer" = [])), request_body = Reason,
    params(("id" = Uuid, Path, description = "Incident id"),
           ("Idempotency-Key" = String, Header, description = "Unique per intended change")),
    responses((status = 200, description = "Declined: the owner stays; the reason is in the notes", body = Incident),
              (status = 403, description = "The handover waits for the other centre", body = Problem),
              (status = 409, description = "No handover is waiting", body = Problem)))]
pub async fn decline(
    State(state): State<AppState>,
    Authed(o): Authed,
    ApiPath(id): ApiPath<Uuid>,
    m: Mutation<Reason>,
) -> Result<Response, ApiError> {
    let step = OwnershipStep::Answer {
        accept: false,
        reason: Some(m.body.reason.clone()),
    };
    run(&state, o, m, Command::Ownership { id, step }).await
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/takeover", tag = "incidents", security(("bearer" = [])), request_body = Reason,
    params(("id" = Uuid, Path, description = "Incident id"),
           ("Idempotency-Key" = String, Header, description = "Unique per intended change")),
    responses((status = 200, description = "Taken over; the reason is in the notes", body = Incident),
              (status = 403, description = "Not a supervisor of the other centre, or the incident is not a neglected critical one", body = Problem)))]
pub async fn takeover(
    State(state): State<AppState>,
    Authed(o): Authed,
    ApiPath(id): ApiPath<Uuid>,
    m: Mutation<Reason>,
) -> Result<Response, ApiError> {
    let reason = m.body.reason.clone();
    let step = OwnershipStep::Takeover { reason };
    run(&state, o, m, Command::Ownership { id, step }).await
}
