//! How entities map onto their tables' columns, for every backend's writer:
//! the derived columns must be computed the same way everywhere, or a search
//! or a snapshot would answer differently on SQLite and PostgreSQL.

use time::OffsetDateTime;

use crate::model::{EntityKind, Incident};

/// The table an entity lives in; `None` for records that are only events
/// (sign-in lockouts).
pub fn table(entity: EntityKind) -> Option<&'static str> {
    Some(match entity {
        EntityKind::Incident => "incidents",
        EntityKind::Task => "tasks",
        EntityKind::Note => "notes",
        EntityKind::Agency => "agencies",
        EntityKind::Unit => "units",
        EntityKind::Officer => "officers",
        EntityKind::Token => "tokens",
        EntityKind::Shift => "shifts",
        EntityKind::Access | EntityKind::Audit => return None,
    })
}

/// Times are stored as milliseconds since the epoch, so they sort and compare as numbers.
pub fn millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// The text `?q=` searches: reference, title and description, lowercased.
pub fn search_text(i: &Incident) -> String {
    format!("{}\n{}\n{}", i.reference, i.title, i.description).to_lowercase()
}

/// The centre whose answer a pending handover waits for.
pub fn awaiting(i: &Incident) -> Option<&'static str> {
    i.handover.as_deref().map(|h| h.awaits().as_str())
}

/// When the incident was first triaged: acknowledged, or dismissed without
/// an acknowledgement (what the SLA's clock stops on).
pub fn triaged_ms(i: &Incident) -> Option<i64> {
    i.acknowledged_at.or(i.closed_at).map(millis)
}

/// When a task falls due.
pub fn due_ms(t: &crate::model::Task) -> Option<i64> {
    t.due_at.map(millis)
}
