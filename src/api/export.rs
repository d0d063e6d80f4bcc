//! `GET /api/v1/export/incidents`: the search's filters, and how the
//! export is written.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::IncidentQuery;
use crate::model::{Category, Centre, IncidentStatus, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Geojson,
    Csv,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// Free text over reference, title and description.
    #[param(max_length = 200)]
    pub q: Option<String>,
    pub status: Option<IncidentStatus>,
    pub severity: Option<Severity>,
    pub category: Option<Category>,
    pub centre: Option<Centre>,
    /// Lead agency.
    pub agency: Option<Uuid>,
    /// Reported at or after (RFC 3339).
    #[param(format = DateTime)]
    pub since: Option<String>,
    /// Reported before (RFC 3339).
    #[param(format = DateTime)]
    pub until: Option<String>,
    /// `geojson` or `csv`; without it, the `Accept` header says
    /// (`application/geo+json` or `text/csv`; GeoJSON when it is absent or `*/*`).
    pub format: Option<ExportFormat>,
    /// CSV: begin with a byte-order mark, for spreadsheet programs that need
    /// it to read UTF-8 (Arabic).
    pub bom: Option<bool>,
}

impl ExportQuery {
    /// The search the export walks, page by page from `cursor`.
    pub fn search(&self, cursor: Option<String>) -> IncidentQuery {
        IncidentQuery {
            q: self.q.clone(),
            status: self.status,
            severity: self.severity,
            category: self.category,
            centre: self.centre,
            agency: self.agency,
            since: self.since.clone(),
            until: self.until.clone(),
            limit: Some(super::PAGE_MAX),
            cursor,
        }
    }
}
