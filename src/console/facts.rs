//! What the feed's filter and order need of each incident, packed small
//! ([`Facts`]), and the key a row sorts by ([`FeedKey`]). A leaf below both
//! the filter and the feed index.

use std::cmp::Reverse;

use uuid::Uuid;

use super::command::Column;
use crate::model::{Category, Centre, Incident, IncidentStatus, Severity, Sla};

/// How the feed is ordered: by a column, ascending or not. Overdue rows stay
/// first and closed ones last whatever the column, so nothing urgent can be
/// sorted out of sight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sort {
    pub column: Option<Column>,
    pub descending: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FeedKey {
    /// 0 when overdue, 1 when open, 2 when closed or dismissed.
    pub group: u8,
    /// The sort column's value (0 when sorted by severity, the default).
    pub primary: i64,
    pub severity: Reverse<Severity>,
    pub reported: Reverse<i64>,
    pub id: Uuid,
}

/// One incident as the filter and the order see it.
#[derive(Debug, Clone)]
pub struct Facts {
    pub id: Uuid,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub category: Category,
    pub centre: Centre,
    /// The reference as a number that sorts like it (centre, year, number).
    pub reference_no: i64,
    pub reported_ms: i64,
    /// When it becomes overdue if still unacknowledged.
    pub deadline_ms: Option<i64>,
    pub overdue: bool,
    /// Lead and supporting agencies.
    pub agencies: Box<[Uuid]>,
    /// Reference, title, sector, tags and description, lowercased.
    pub search: Box<str>,
    /// Sector and crossing, lowercased, for `sector:`.
    pub sector: Box<str>,
    pub crossing: Box<str>,
    /// Where it is, for the map (single precision: ~1 m).
    pub lat: f32,
    pub lon: f32,
    /// Whether the filter shows it (kept by the feed index).
    pub shown: bool,
}

fn lower(s: Option<&str>) -> Box<str> {
    s.unwrap_or_default().to_lowercase().into_boxed_str()
}

fn ms(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

impl Facts {
    pub fn of(i: &Incident, sla: &Sla, now_ms: i64) -> Facts {
        let deadline_ms = (i.status == IncidentStatus::Reported).then(|| ms(sla.deadline(i)));
        let mut search = format!(
            "{}\n{}\n{}\n{}\n{}",
            i.reference,
            i.title,
            i.location.sector.as_deref().unwrap_or(""),
            i.tags.join(" "),
            i.description
        );
        search.make_ascii_lowercase();
        if !search.is_ascii() {
            search = search.to_lowercase();
        }
        Facts {
            id: i.id,
            severity: i.severity,
            status: i.status,
            category: i.category,
            centre: i.centre,
            reference_no: reference_no(&i.reference),
            reported_ms: ms(i.reported_at),
            deadline_ms,
            overdue: deadline_ms.is_some_and(|d| d < now_ms),
            agencies: i
                .lead_agency_id
                .into_iter()
                .chain(i.supporting_agency_ids.iter().copied())
                .collect(),
            search: search.into_boxed_str(),
            sector: lower(i.location.sector.as_deref()),
            crossing: lower(i.location.crossing.as_deref()),
            lat: i.location.lat as f32,
            lon: i.location.lon as f32,
            shown: false,
        }
    }

    pub fn key(&self, sort: Sort) -> FeedKey {
        let group = if self.overdue {
            0
        } else if self.status.is_open() {
            1
        } else {
            2
        };
        let primary = match sort.column {
            // Descending severity: the least severe first.
            None | Some(Column::Severity) if sort.descending => self.severity as i64,
            None | Some(Column::Severity) => 0,
            Some(Column::Age) => -self.reported_ms,
            Some(Column::Reference) => self.reference_no,
            Some(Column::Status) => self.status as i64,
            Some(Column::Category) => self.category as i64,
            Some(Column::Sector | Column::Title) => 0,
        };
        let primary = match sort.column {
            Some(Column::Age | Column::Reference | Column::Status | Column::Category)
                if sort.descending =>
            {
                -primary
            }
            _ => primary,
        };
        FeedKey {
            group,
            primary,
            severity: Reverse(self.severity),
            reported: Reverse(self.reported_ms),
            id: self.id,
        }
    }
}

/// `TRP-26-00042` as a number that sorts like the reference.
fn reference_no(r: &str) -> i64 {
    let mut parts = r.split('-');
    let centre = match parts.next() {
        Some("TRP") => 1,
        Some("BEN") => 2,
        _ => 0,
    };
    let year: i64 = parts.next().and_then(|y| y.parse().ok()).unwrap_or(0);
    let n: i64 = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    centre * 10_000_000_000 + year * 100_000_000 + n.min(99_999_999)
}
