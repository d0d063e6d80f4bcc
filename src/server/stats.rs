//! `GET /api/v1/stats`: incidents per bucket of time, per category, sector
//! or severity, and SLA compliance — counted by the store in the database,
//! as the asking officer may see them (need-to-know applies).

use axum::Json;
use axum::extract::State;
use time::OffsetDateTime;

use super::AppState;
use super::error::ApiError;
use super::extract::{ApiQuery, Authed};
use crate::api::Problem;
use crate::api::stats::{Stats, StatsQuery};
use crate::model::Viewer;

#[utoipa::path(get, path = "/api/v1/stats", tag = "incidents", security(("bearer" = [])),
    params(StatsQuery),
    responses((status = 200, description = "Counts per bucket and SLA compliance over the window", body = Stats),
              (status = 422, description = "A bad window or bucket", body = Problem)))]
pub async fn stats(
    State(state): State<AppState>,
    Authed(o): Authed,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> Result<Json<Stats>, ApiError> {
    let spans = q.spans().map_err(ApiError::unprocessable)?;
    let by = q.by.unwrap_or_default();
    let now = OffsetDateTime::now_utc();
    let stats = state.store.stats(by, spans, now, &Viewer::of(&o)).await?;
    Ok(Json(stats))
}
