//! `GET /api/v1/export/incidents`: every incident a search finds, as
//! GeoJSON or CSV, streamed page by page (500 at a time, through the
//! search's own cursor), so a long history never sits whole in memory.
//! Need-to-know applies as in the search.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::{StreamExt, stream};

use super::AppState;
use super::error::ApiError;
use super::extract::{ApiQuery, Authed};
use crate::api::Problem;
use crate::api::export::{ExportFormat, ExportQuery};
use crate::interop::{self, Format};
use crate::model::Viewer;

#[utoipa::path(get, path = "/api/v1/export/incidents", tag = "incidents", security(("bearer" = [])),
    params(ExportQuery),
    responses((status = 200, description = "The incidents found, newest first: a GeoJSON FeatureCollection or CSV with a header row",
                content((Object = "application/geo+json"), (String = "text/csv"))),
              (status = 406, description = "`Accept` names neither GeoJSON nor CSV (nor `*/*`), and no `format`", body = Problem),
              (status = 422, description = "Bad filter", body = Problem)))]
pub async fn incidents(
    State(state): State<AppState>,
    Authed(o): Authed,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let format = match q.format {
        Some(ExportFormat::Geojson) => Format::GeoJson,
        Some(ExportFormat::Csv) => Format::Csv,
        // No `Accept` (or anything): GeoJSON.
        None => headers
            .get(header::ACCEPT)
            .map_or(Some(Format::GeoJson), |a| {
                a.to_str().ok().and_then(Format::accepted)
            })
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_ACCEPTABLE,
                    "not-acceptable",
                    "ask for `Accept: application/geo+json` or `text/csv`, or add `format=geojson` or `format=csv`",
                )
            })?,
    };
    let viewer = Viewer::of(&o);
    // The first page is read before answering, so a bad filter is a 422, not a broken stream.
    let first = state
        .store
        .search_incidents(q.search(None), &viewer)
        .await?;
    let mut head = Vec::new();
    match format {
        Format::Csv => {
            if q.bom == Some(true) {
                head.extend_from_slice(interop::csv::BOM);
            }
            head.extend(interop::csv::header());
        }
        Format::GeoJson => head.extend_from_slice(interop::geojson::START.as_bytes()),
    }
    /// Where the walk is: the page to write next (none: the end was written).
    struct Walk {
        store: std::sync::Arc<dyn crate::store::Store>,
        q: ExportQuery,
        viewer: Viewer,
        page: Option<crate::api::Page<crate::model::Incident>>,
        written: usize,
    }
    let walk = Walk {
        store: state.store.clone(),
        q,
        viewer,
        page: Some(first),
        written: 0,
    };
    let pages = stream::unfold(walk, move |mut w| async move {
        let page = w.page.take()?;
        let mut chunk = match format {
            Format::Csv => interop::csv::rows(&page.items),
            Format::GeoJson => interop::geojson::features(&page.items, w.written == 0).into_bytes(),
        };
        w.written += page.items.len();
        match page.next_cursor {
            Some(cursor) => match w
                .store
                .search_incidents(w.q.search(Some(cursor)), &w.viewer)
                .await
            {
                Ok(next) => w.page = Some(next),
                // Cut short: the stream ends broken, so the client does not take half for all.
                Err(e) => {
                    tracing::warn!("export cut short: {e}");
                    return Some((Err(std::io::Error::other("export cut short")), w));
                }
            },
            None if format == Format::GeoJson => {
                chunk.extend_from_slice(interop::geojson::END.as_bytes())
            }
            None => {}
        }
        Some((Ok(Bytes::from(chunk)), w))
    });
    let body = Body::from_stream(stream::once(async { Ok(Bytes::from(head)) }).chain(pages));
    let mut res = (StatusCode::OK, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    Ok(res)
}
