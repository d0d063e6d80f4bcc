//! Incidents as CSV (RFC 4180, UTF-8, a header row): one row per incident,
//! written with the `csv` crate so quotes, commas, newlines and Arabic come
//! through any spreadsheet. A byte-order mark first, when asked, for the
//! spreadsheet programs that need it to read UTF-8 (Arabic) right.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::model::Incident;

pub const BOM: &[u8] = "\u{feff}".as_bytes();

pub const COLUMNS: [&str; 19] = [
    "reference",
    "title",
    "category",
    "severity",
    "status",
    "centre",
    "sector",
    "crossing",
    "lat",
    "lon",
    "reported_at",
    "occurred_at",
    "acknowledged_at",
    "closed_at",
    "tlp",
    "tags",
    "source",
    "description",
    "id",
];

fn time(t: Option<OffsetDateTime>) -> String {
    t.and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_default()
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

/// The header row.
pub fn header() -> Vec<u8> {
    let mut w = writer();
    let _ = w.write_record(COLUMNS);
    w.into_inner().unwrap_or_default()
}

/// One row per incident.
pub fn rows(incidents: &[Incident]) -> Vec<u8> {
    let mut w = writer();
    for i in incidents {
        let record = [
            i.reference.clone(),
            i.title.clone(),
            i.category.as_str().to_string(),
            i.severity.as_str().to_string(),
            i.status.as_str().to_string(),
            i.centre.as_str().to_string(),
            i.location.sector.clone().unwrap_or_default(),
            i.location.crossing.clone().unwrap_or_default(),
            i.location.lat.to_string(),
            i.location.lon.to_string(),
            time(Some(i.reported_at)),
            time(Some(i.occurred_at)),
            time(i.acknowledged_at),
            time(i.closed_at),
            i.tlp.to_string(),
            i.tags.join(" "),
            i.source.as_str().to_string(),
            i.description.clone(),
            i.id.to_string(),
        ];
        let _ = w.write_record(&record);
    }
    w.into_inner().unwrap_or_default()
}
