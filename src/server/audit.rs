//! The record's checks over HTTP: `audit verify`, the whole log for the
//! witnesses that keep their own copy of it, and the alarms they raise.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::AppState;
use super::error::ApiError;
use super::extract::{ApiQuery, Authed, Mutation};
use super::routes::run;
use crate::api::{
    LOG_PAGE_MAX, LogPage, LogQuery, Problem, VerifyQuery, VerifyReport, VerifyScope, WitnessAlarm,
};
use crate::model::Role;
use crate::store::Command;

#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", security(("bearer" = [])),
    params(VerifyQuery),
    responses((status = 200, description = "Result of recomputing the hash chain and checking every row against it", body = VerifyReport),
              (status = 422, description = "Bad `scope`", body = Problem)))]
pub async fn verify(
    State(state): State<AppState>,
    Authed(_): Authed,
    ApiQuery(q): ApiQuery<VerifyQuery>,
) -> Result<Json<VerifyReport>, ApiError> {
    let report = match q.scope.unwrap_or_default() {
        VerifyScope::All => state.store.verify(&state.settings.trust).await?,
        VerifyScope::Rows => state.store.verify_rows().await?,
    };
    Ok(Json(report))
}

#[utoipa::path(get, path = "/api/v1/audit/log", tag = "audit", security(("bearer" = [])),
    params(LogQuery),
    responses((status = 200, description = "Events after `after`, whole and in seq order, with the head now", body = LogPage),
              (status = 403, description = "Only an auditor account reads the whole log", body = Problem),
              (status = 422, description = "Bad `after` or `limit`", body = Problem)))]
pub async fn log(
    State(state): State<AppState>,
    Authed(officer): Authed,
    ApiQuery(q): ApiQuery<LogQuery>,
) -> Result<Json<LogPage>, ApiError> {
    // The whole log carries every marking's content: it is for the
    // witnesses, whose accounts see everything anyway, not for officers.
    if officer.role != Role::Auditor {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "only an auditor account reads the whole log; officers follow /api/v1/events",
        ));
    }
    let limit = match q.limit {
        None => 1000,
        Some(n @ 1..=LOG_PAGE_MAX) => n,
        Some(n) => {
            return Err(ApiError::unprocessable(format!(
                "query parameter `limit`: {n} is outside 1..={LOG_PAGE_MAX}"
            )));
        }
    };
    let after = match q.after {
        None => 0,
        Some(n) => u64::try_from(n).map_err(|_| {
            ApiError::unprocessable(format!("query parameter `after`: {n} is not a seq"))
        })?,
    };
    // The head first: every event up to it is then in the page or after it.
    let head = state.store.head().await?;
    let events = state.store.events_after(after, limit).await?;
    Ok(Json(LogPage {
        head,
        events: events.into_iter().map(|l| l.event).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/audit/alarms", tag = "audit", security(("bearer" = [])), request_body = WitnessAlarm,
    params(("Idempotency-Key" = String, Header, description = "Unique per intended change")),
    responses((status = 201, description = "Recorded as a `witness.alarm` event every console shows", body = WitnessAlarm),
              (status = 403, description = "Only auditors and supervisors raise alarms", body = Problem),
              (status = 422, description = "An empty or oversized alarm", body = Problem)))]
pub async fn raise_alarm(
    State(state): State<AppState>,
    Authed(officer): Authed,
    m: Mutation<WitnessAlarm>,
) -> Result<Response, ApiError> {
    let alarm = Box::new(m.body.clone());
    run(&state, officer, m, Command::WitnessAlarm(alarm)).await
}
