//! `GET /api/v1/reports/shift`: the shift report of one centre over a
//! window, as the asking officer may see it (need-to-know applies). The
//! figures are computed by [`crate::model::report`]; the command line
//! renders them as Markdown, CSV or JSON.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use utoipa::IntoParams;

use super::AppState;
use super::error::ApiError;
use super::extract::{ApiQuery, Authed};
use crate::api::{Problem, ShiftQuery};
use crate::model::report::{Inputs, ShiftReport, build};
use crate::model::{Centre, Sla, Viewer};

/// Longest window a report covers.
const LONGEST: Duration = Duration::days(31);

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    pub centre: Centre,
    /// Start (RFC 3339); 8 hours before `to` by default.
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// End (RFC 3339, excluded); now by default.
    #[param(format = DateTime)]
    pub to: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reports/shift", tag = "shifts", security(("bearer" = [])),
    params(ReportQuery),
    responses((status = 200, description = "The shift report of the centre over the window", body = ShiftReport),
              (status = 422, description = "A bad window (unreadable, empty, or over 31 days)", body = Problem)))]
pub async fn shift(
    State(state): State<AppState>,
    Authed(o): Authed,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Json<ShiftReport>, ApiError> {
    let now = OffsetDateTime::now_utc();
    let to = instant("to", q.to.as_deref())?.unwrap_or(now);
    let from = instant("from", q.from.as_deref())?.unwrap_or(to - Duration::hours(8));
    if from >= to || to - from > LONGEST {
        return Err(ApiError::unprocessable(
            "the window must run forward, from `from` to `to`, over at most 31 days",
        ));
    }
    let viewer = Viewer::of(&o);
    let store = state.store.as_ref();
    let (incidents, tasks) = store.report_sources(q.centre, from, to, &viewer).await?;
    let shifts = store
        .shifts(ShiftQuery {
            centre: Some(q.centre),
            limit: Some(500),
            ..Default::default()
        })
        .await?;
    let agencies = store.agencies(&viewer).await?;
    Ok(Json(build(Inputs {
        centre: q.centre,
        from,
        to,
        now,
        incidents: &incidents,
        tasks: &tasks,
        shifts: &shifts,
        agencies: &agencies,
        sla: Sla::default(),
    })))
}

fn instant(name: &str, text: Option<&str>) -> Result<Option<OffsetDateTime>, ApiError> {
    text.map(|t| {
        OffsetDateTime::parse(t, &Rfc3339).map_err(|_| {
            ApiError::unprocessable(format!(
                "query parameter `{name}`: not an RFC 3339 time (2026-11-30T06:00:00Z)"
            ))
        })
    })
    .transpose()
}
