//! The v1 handlers: each authenticates, turns the request into a store
//! command or query, and answers with the store's JSON.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use uuid::Uuid;

use super::AppState;
use super::error::ApiError;
use super::extract::{ApiPath, ApiQuery, Authed, IfMatch, Mutation};
use crate::api::*;
use crate::model::Viewer;
use crate::store::{Actor, Command, Outcome, Request, StoreError};

type ApiResult<T = Response> = Result<T, ApiError>;

fn json_response(status: StatusCode, etag: Option<u64>, body: String) -> Response {
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(v) = etag.and_then(|v| HeaderValue::from_str(&format!("\"{v}\"")).ok()) {
        h.insert(header::ETAG, v);
    }
    res
}

fn outcome_response(o: Outcome) -> Response {
    let status = StatusCode::from_u16(o.status).unwrap_or(StatusCode::OK);
    let mut res = json_response(status, o.etag, o.body);
    if o.replayed {
        res.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    res
}

pub(super) async fn run<T>(
    state: &AppState,
    officer: Officer,
    m: Mutation<T>,
    command: Command,
) -> ApiResult {
    let outcome = state
        .store
        .execute(Request {
            actor: Actor::Officer(officer),
            idempotency: Some(m.idempotency),
            command,
        })
        .await?;
    Ok(outcome_response(outcome))
}

fn ok_json<T: serde::Serialize>(value: &T, etag: Option<u64>) -> ApiResult {
    let body = serde_json::to_string(value).map_err(|e| ApiError::unprocessable(e.to_string()))?;
    Ok(json_response(StatusCode::OK, etag, body))
}

#[utoipa::path(get, path = "/healthz", tag = "meta",
    responses((status = 200, description = "The server is up", body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    // A health check must answer quickly, whatever the database does.
    let seq = tokio::time::timeout(HEALTH_WITHIN, state.store.head())
        .await
        .map_err(|_| {
            StoreError::Unavailable(format!(
                "the database did not answer within {HEALTH_WITHIN:?}"
            ))
        })??;
    Ok(Json(Health {
        status: "ok".into(),
        seq,
    }))
}

/// Longest a health check waits for the database.
const HEALTH_WITHIN: std::time::Duration = std::time::Duration::from_secs(3);

#[utoipa::path(get, path = "/api/v1/snapshot", tag = "sync", security(("bearer" = [])), params(SnapshotQuery),
    responses((status = 200, description = "Everything current, consistent at `seq`", body = Snapshot),
              (status = 401, description = "No or bad token", body = Problem)))]
pub async fn snapshot(
    State(state): State<AppState>,
    Authed(o): Authed,
    ApiQuery(q): ApiQuery<SnapshotQuery>,
) -> ApiResult {
    let hours = q.closed_within.unwrap_or(DEFAULT_CLOSED_WITHIN_HOURS);
    if hours > MAX_CLOSED_WITHIN_HOURS {
        return Err(ApiError::unprocessable(format!(
            "query parameter `closed_within`: {hours} hours is more than the limit of \
             {MAX_CLOSED_WITHIN_HOURS}; search for older incidents instead"
        )));
    }
    let chunks = state.store.snapshot(hours, Viewer::of(&o)).await?;
    let body = Body::from_stream(chunks.map(|c| c.map_err(std::io::Error::other)));
    let mut res = (StatusCode::OK, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(res)
}

#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents", security(("bearer" = [])), params(IncidentQuery),
    responses((status = 200, description = "Matching incidents, newest first", body = Page<Incident>),
              (status = 422, description = "Bad filter", body = Problem)))]
pub async fn search_incidents(
    State(state): State<AppState>,
    Authed(o): Authed,
    ApiQuery(q): ApiQuery<IncidentQuery>,
) -> ApiResult {
    ok_json(
        &state.store.search_incidents(q, &Viewer::of(&o)).await?,
        None,
    )
}

#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents", security(("bearer" = [])), request_body = NewIncident,
    params(("Idempotency-Key" = String, Header, description = "Unique per intended change")),
    responses((status = 201, description = "Created", body = Incident),
              (status = 403, description = "Role may not create", body = Problem),
              (status = 413, description = "Body over 64 KiB", body = Problem),
              (status = 422, description = "Invalid", body = Problem)))]
pub async fn create_incident(
    State(state): State<AppState>,
    Authed(o): Authed,
    m: Mutation<NewIncident>,
) -> ApiResult {
    let mut new = m.body.clone();
    // The sector and crossing the reporter left out, from the position.
    crate::reference::sectors::embedded().fill(&mut new.location);
    let cmd = Command::CreateIncident(new);
    run(&state, o, m, cmd).await
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    responses((status = 200, description = "The incident with notes and tasks", body = IncidentDetail),
              (status = 404, description = "No such incident", body = Problem)))]
pub async fn get_incident(
    State(state): State<AppState>,
    Authed(o): Authed,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult {
    let detail = state
        .store
        .incident(id, &Viewer::of(&o))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("incident {id} not found")))?;
    ok_json(&detail, Some(detail.incident.version))
}

#[utoipa::path(patch, path = "/api/v1/incidents/{id}", tag = "incidents", security(("bearer" = [])), request_body = IncidentPatch,
    params(("id" = Uuid, Path, description = "Incident id"),
           ("If-Match" = String, Header, description = "The version changed, e.g. \"3\""),
           ("Idempotency-Key" = String, Header, description = "Unique per intended change")),
    responses((status = 200, description = "Updated", body = Incident),
              (status = 403, description = "Role may not", body = Problem),
              (status = 409, description = "Lifecycle refuses the move", body = Problem),
              (status = 412, description = "Stale version; `current` holds the incident now", body = Problem),
              (status = 428, description = "If-Match missing", body = Problem)))]
pub async fn patch_incident(
    State(state): State<AppState>,
    Authed(o): Authed,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
    m: Mutation<IncidentPatch>,
) -> ApiResult {
    let cmd = Command::PatchIncident {
        id,
        if_match: v,
        patch: {
            let mut patch = m.body.clone();
            if let Some(l) = &mut patch.location {
                crate::reference::sectors::embedded().fill(l);
            }
            patch
        },
    };
    run(&state, o, m, cmd).await
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/notes", tag = "incidents", security(("bearer" = [])), request_body = NewNote,
    params(("id" = Uuid, Path, description = "Incident id"),
           ("Idempotency-Key" = String, Header, description = "Unique per intended change")),
    responses((status = 201, description = "Added", body = Note), (status = 404, description = "No such incident", body = Problem)))]
pub async fn add_note(
    State(state): State<AppState>,
    Authed(o): Authed,
    ApiPath(id): ApiPath<Uuid>,
    m: Mutation<NewNote>,
) -> ApiResult {
    let cmd = Command::AddNote {
        incident_id: id,
        note: m.body.clone(),
    };
    run(&state, o, m, cmd).await
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/tasks", tag = "tasks", security(("bearer" = [])), request_body = NewTask,
    params(("id" = Uuid, Path, description = "Incident id"),
           ("Idempotency-Key" = String, Header, description = "Unique per intended change")),
    responses((status = 201, description = "Requested", body = Task), (status = 422, description = "Invalid", body = Problem)))]
pub async fn create_task(
    State(state): State<AppState>,
    Authed(o): Authed,
    ApiPath(id): ApiPath<Uuid>,
    m: Mutation<NewTask>,
) -> ApiResult {
    let cmd = Command::CreateTask {
        incident_id: id,
        task: m.body.clone(),
    };
    run(&state, o, m, cmd).await
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/merge", tag = "incidents", security(("bearer" = [])), request_body = MergeRequest,
    params(("id" = Uuid, Path, description = "The duplicate"),
           ("Idempotency-Key" = String, Header, description = "Unique per intended change")),
    responses((status = 200, description = "Merged: duplicate dismissed, tasks moved", body = MergeResult),
              (status = 403, description = "Supervisors only", body = Problem)))]
pub async fn merge(
    State(state): State<AppState>,
    Authed(o): Authed,
    ApiPath(id): ApiPath<Uuid>,
    m: Mutation<MergeRequest>,
) -> ApiResult {
    let cmd = Command::Merge {
        id,
        request: m.body.clone(),
    };
    run(&state, o, m, cmd).await
}

#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", security(("bearer" = [])), params(TaskQuery),
    responses((status = 200, description = "Matching tasks", body = Page<Task>)))]
pub async fn list_tasks(
    State(state): State<AppState>,
    Authed(o): Authed,
    ApiQuery(q): ApiQuery<TaskQuery>,
) -> ApiResult {
    ok_json(&state.store.tasks(q, &Viewer::of(&o)).await?, None)
}

#[utoipa::path(patch, path = "/api/v1/tasks/{id}", tag = "tasks", security(("bearer" = [])), request_body = TaskPatch,
    params(("id" = Uuid, Path, description = "Task id"),
           ("If-Match" = String, Header, description = "The version changed"),
           ("Idempotency-Key" = String, Header, description = "Unique per intended change")),
    responses((status = 200, description = "Updated", body = Task),
              (status = 412, description = "Stale version", body = Problem),
              (status = 428, description = "If-Match missing", body = Problem)))]
pub async fn patch_task(
    State(state): State<AppState>,
    Authed(o): Authed,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
    m: Mutation<TaskPatch>,
) -> ApiResult {
    let cmd = Command::PatchTask {
        id,
        if_match: v,
        patch: m.body.clone(),
    };
    run(&state, o, m, cmd).await
}

#[utoipa::path(get, path = "/api/v1/agencies", tag = "roster", security(("bearer" = [])),
    responses((status = 200, description = "All agencies", body = Vec<Agency>)))]
pub async fn agencies(State(state): State<AppState>, Authed(o): Authed) -> ApiResult {
    ok_json(&state.store.agencies(&Viewer::of(&o)).await?, None)
}

#[utoipa::path(get, path = "/api/v1/units", tag = "roster", security(("bearer" = [])),
    responses((status = 200, description = "All units", body = Vec<Unit>)))]
pub async fn units(State(state): State<AppState>, Authed(o): Authed) -> ApiResult {
    ok_json(&state.store.units(&Viewer::of(&o)).await?, None)
}

#[utoipa::path(patch, path = "/api/v1/units/{id}", tag = "roster", security(("bearer" = [])), request_body = UnitPatch,
    params(("id" = Uuid, Path, description = "Unit id"),
           ("If-Match" = String, Header, description = "The version changed"),
           ("Idempotency-Key" = String, Header, description = "Unique per intended change")),
    responses((status = 200, description = "Updated", body = Unit),
              (status = 412, description = "Stale version", body = Problem),
              (status = 428, description = "If-Match missing", body = Problem)))]
pub async fn patch_unit(
    State(state): State<AppState>,
    Authed(o): Authed,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
    m: Mutation<UnitPatch>,
) -> ApiResult {
    let cmd = Command::PatchUnit {
        id,
        if_match: v,
        patch: m.body.clone(),
    };
    run(&state, o, m, cmd).await
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint; see /api/v1/openapi.json")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "this endpoint does not take that method; see /api/v1/openapi.json",
    )
}
