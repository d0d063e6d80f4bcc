//! Shifts over HTTP: start the caller's own, end one (its handover is
//! generated here, from what the centre's officers see), acknowledge a
//! handover, and list who is on duty.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use time::OffsetDateTime;
use uuid::Uuid;

use super::AppState;
use super::error::ApiError;
use super::extract::{ApiPath, ApiQuery, Authed, Mutation};
use super::handover::Empty;
use super::routes::run;
use crate::api::{EndShift, IncidentQuery, PAGE_MAX, Problem, Shift, ShiftQuery, TaskQuery};
use crate::model::handover_summary::{HandoverSummary, Summarizer};
use crate::model::{Centre, Incident, Viewer, validate};
use crate::store::{Command, ShiftCommand, Store, StoreError};

#[utoipa::path(post, path = "/api/v1/shifts", tag = "shifts", security(("bearer" = [])), request_body = Empty,
    params(("Idempotency-Key" = String, Header, description = "Unique per intended change")),
    responses((status = 201, description = "The caller's shift, on duty from now at their centre", body = Shift),
              (status = 403, description = "Observers, system and auditor accounts stand no shifts", body = Problem),
              (status = 409, description = "The caller is already on shift", body = Problem)))]
pub async fn start(
    State(state): State<AppState>,
    Authed(o): Authed,
    m: Mutation<Empty>,
) -> Result<Response, ApiError> {
    run(&state, o, m, Command::Shift(ShiftCommand::Start)).await
}

#[utoipa::path(post, path = "/api/v1/shifts/{id}/end", tag = "shifts", security(("bearer" = [])), request_body = EndShift,
    params(("id" = Uuid, Path, description = "Shift id"),
           ("Idempotency-Key" = String, Header, description = "Unique per intended change")),
    responses((status = 200, description = "Ended, with the handover generated for the next officer", body = Shift),
              (status = 403, description = "Neither the shift's officer nor a supervisor of its centre", body = Problem),
              (status = 404, description = "No such shift", body = Problem),
              (status = 409, description = "Already ended", body = Problem)))]
pub async fn end(
    State(state): State<AppState>,
    Authed(o): Authed,
    ApiPath(id): ApiPath<Uuid>,
    m: Mutation<EndShift>,
) -> Result<Response, ApiError> {
    // The handover reads the whole centre: generated only for a caller who
    // may end this open shift. Anyone else's request goes on with an empty
    // one, for the command to refuse (404, 403 or 409) at no cost.
    let open = state
        .store
        .shifts(ShiftQuery {
            centre: Some(o.centre),
            on_duty: Some(true),
            limit: Some(500),
        })
        .await?;
    let ending = open
        .iter()
        .find(|s| s.id == id && (s.officer_id == o.id || o.role == crate::model::Role::Supervisor));
    let summary = match ending {
        Some(s) => {
            let now = OffsetDateTime::now_utc();
            summary(state.store.as_ref(), o.centre, s.started_at, now).await?
        }
        None => HandoverSummary::default(),
    };
    let note = m.body.handover_note.clone();
    let command = ShiftCommand::End {
        id,
        note,
        summary: Box::new(summary),
    };
    run(&state, o, m, Command::Shift(command)).await
}

#[utoipa::path(post, path = "/api/v1/shifts/{id}/handover/ack", tag = "shifts", security(("bearer" = [])), request_body = Empty,
    params(("id" = Uuid, Path, description = "Shift id"),
           ("Idempotency-Key" = String, Header, description = "Unique per intended change")),
    responses((status = 200, description = "The handover is taken", body = Shift),
              (status = 403, description = "Not an officer of the shift's centre, or its own officer", body = Problem),
              (status = 404, description = "No such shift", body = Problem),
              (status = 409, description = "Not ended yet, or already acknowledged", body = Problem)))]
pub async fn acknowledge(
    State(state): State<AppState>,
    Authed(o): Authed,
    ApiPath(id): ApiPath<Uuid>,
    m: Mutation<Empty>,
) -> Result<Response, ApiError> {
    run(
        &state,
        o,
        m,
        Command::Shift(ShiftCommand::Acknowledge { id }),
    )
    .await
}

#[utoipa::path(get, path = "/api/v1/shifts", tag = "shifts", security(("bearer" = [])),
    params(ShiftQuery),
    responses((status = 200, description = "Shifts, newest first; the handover of another centre's shift is left out", body = Vec<Shift>),
              (status = 422, description = "Bad query", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Authed(o): Authed,
    ApiQuery(q): ApiQuery<ShiftQuery>,
) -> Result<Json<Vec<Shift>>, ApiError> {
    if let Some(n) = q.limit.filter(|n| !(1..=500).contains(n)) {
        return Err(ApiError::unprocessable(format!(
            "query parameter `limit`: {n} is outside 1..=500"
        )));
    }
    let mut shifts = state.store.shifts(q).await?;
    // Who is on duty is for everyone; what a centre hands over is its own.
    let viewer = Viewer::of(&o);
    for s in &mut shifts {
        if !viewer.admits(&crate::model::marking::shift_audience(
            s.centre,
            s.officer_id,
        )) {
            s.handover = None;
            s.handover_note = None;
        }
    }
    Ok(Json(shifts))
}

/// Calls `each` on every incident `q` finds, a page at a time (none held
/// beyond its page).
pub(super) async fn for_each_incident(
    store: &dyn Store,
    mut q: IncidentQuery,
    viewer: &Viewer,
    mut each: impl FnMut(Incident),
) -> Result<(), StoreError> {
    q.limit = Some(PAGE_MAX);
    loop {
        let page = store.search_incidents(q.clone(), viewer).await?;
        page.items.into_iter().for_each(&mut each);
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return Ok(()),
        }
    }
}

/// What a shift of `centre` that started at `start` leaves open at `now`,
/// as its officers see it.
pub async fn summary(
    store: &dyn Store,
    centre: Centre,
    start: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<HandoverSummary, StoreError> {
    let viewer = Viewer::officers_of(centre);
    let mut sum = Summarizer::new(centre, now).since(start);
    for_each_incident(store, IncidentQuery::default(), &viewer, |i| {
        sum.incident(&i)
    })
    .await?;
    let mut cursor = None;
    loop {
        let q = TaskQuery {
            open: Some(true),
            limit: Some(PAGE_MAX),
            cursor: cursor.take(),
            ..Default::default()
        };
        let page = store.tasks(q, &viewer).await?;
        page.items.iter().for_each(|t| sum.task(t));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let units = store.units(&viewer).await?;
    let mut out = sum.finish(&units);
    for item in &mut out.open {
        if let Some(detail) = store.incident(item.id, &viewer).await? {
            item.last_note = detail
                .notes
                .iter()
                .max_by_key(|n| n.at)
                .map(|n| validate::excerpt(&n.text, 200));
        }
    }
    Ok(out)
}
