//! The reads behind the attention queue — each an indexed query, since the
//! server repeats them whenever a centre's picture changes — and the
//! officers' seen-marks (kept beside the record, not in it).

use std::collections::HashSet;

use time::OffsetDateTime;
use uuid::Uuid;

use super::StoreResult;
use super::columns::millis;
use super::reader::Reader;
use super::sql::Bind;
use crate::model::{Centre, Incident, Shift, Task};

/// Rows read per source: the queue shows at most a hundred items.
const ROWS: i64 = 200;
/// Handovers older than this no longer wait at the top of anyone's queue.
const HANDOVER_HOURS: i64 = 48;
/// Seen-marks are forgotten after a week (the items are long gone).
const SEEN_KEPT_MS: i64 = 7 * 24 * 3600 * 1000;

/// What `centre`'s queue is made of by state, as its officers see it
/// (hidden records are filtered by the caller).
#[derive(Debug, Default)]
pub struct AttentionState {
    /// Open critical and high incidents of the centre not acknowledged
    /// (newest first), and incidents whose handover waits for the centre's answer.
    pub incidents: Vec<Incident>,
    /// Open tasks of the centre's incidents past due, with the incident's reference.
    pub overdue: Vec<(Task, String)>,
    /// The centre's shifts ended in the last two days whose handover is not acknowledged.
    pub handovers: Vec<Shift>,
}

pub async fn state<R: Reader>(
    r: &R,
    centre: Centre,
    now: OffsetDateTime,
) -> StoreResult<AttentionState> {
    let c = || Bind::Text(centre.as_str().into());
    let mut incidents = r
        .texts(
            "SELECT data FROM incidents WHERE is_open AND status = 'reported' \
             AND severity IN ('critical', 'high') AND centre = $1 \
             ORDER BY reported_at_ms DESC LIMIT $2"
                .into(),
            vec![c(), Bind::Int(ROWS)],
        )
        .await?;
    incidents.extend(
        r.texts(
            "SELECT data FROM incidents WHERE awaiting = $1 AND is_open LIMIT $2".into(),
            vec![c(), Bind::Int(ROWS)],
        )
        .await?,
    );
    let overdue = r
        .pairs(
            // `centre || ''`: walk the tasks by due time and stop at the
            // limit, rather than every incident of the centre (SQLite would
            // take the equality's index).
            "SELECT t.data, i.reference FROM tasks t JOIN incidents i ON i.id = t.incident_id \
             WHERE t.is_open AND t.due_at_ms IS NOT NULL AND t.due_at_ms < $2 \
             AND i.centre || '' = $1 ORDER BY t.due_at_ms LIMIT $3"
                .into(),
            vec![c(), Bind::Int(millis(now)), Bind::Int(ROWS)],
        )
        .await?;
    let since = millis(now).saturating_sub(HANDOVER_HOURS * 3600 * 1000);
    let shifts = r
        .texts(
            "SELECT data FROM shifts WHERE centre = $1 AND ended_at_ms >= $2 \
             ORDER BY ended_at_ms DESC LIMIT $3"
                .into(),
            vec![c(), Bind::Int(since), Bind::Int(ROWS)],
        )
        .await?;
    let mut out = AttentionState::default();
    let mut listed = HashSet::new();
    for json in incidents {
        let i: Incident = serde_json::from_str(&json)?;
        if listed.insert(i.id) {
            out.incidents.push(i);
        }
    }
    for (json, reference) in overdue {
        out.overdue.push((serde_json::from_str(&json)?, reference));
    }
    for json in shifts {
        let s: Shift = serde_json::from_str(&json)?;
        if s.acknowledged_at.is_none() {
            out.handovers.push(s);
        }
    }
    Ok(out)
}

/// The owner and reference of an incident.
pub async fn incident_of<R: Reader>(r: &R, id: Uuid) -> StoreResult<Option<(Centre, String)>> {
    let rows = r
        .pairs(
            "SELECT centre, reference FROM incidents WHERE id = $1".into(),
            vec![Bind::Text(id.to_string())],
        )
        .await?;
    Ok(rows
        .into_iter()
        .next()
        .and_then(|(c, reference)| Some((c.parse().ok()?, reference))))
}

/// An entity's data as its event before `seq` left it.
pub async fn before<R: Reader>(r: &R, entity_id: Uuid, seq: u64) -> StoreResult<Option<String>> {
    let rows = r
        .texts(
            "SELECT data FROM events WHERE entity_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT 1"
                .into(),
            vec![
                Bind::Text(entity_id.to_string()),
                Bind::Int(i64::try_from(seq).unwrap_or(i64::MAX)),
            ],
        )
        .await?;
    Ok(rows.into_iter().next())
}

/// The items `officer` has marked seen.
pub async fn seen<R: Reader>(r: &R, officer: Uuid) -> StoreResult<HashSet<String>> {
    let rows = r
        .texts(
            "SELECT item FROM attention_seen WHERE officer_id = $1".into(),
            vec![Bind::Text(officer.to_string())],
        )
        .await?;
    Ok(rows.into_iter().collect())
}

/// Marks `items` seen by `officer` (again is harmless), forgetting their
/// marks older than a week, in one transaction.
pub async fn mark_seen<R: Reader>(
    r: &R,
    officer: Uuid,
    items: &[String],
    now: OffsetDateTime,
) -> StoreResult<()> {
    let now_ms = millis(now);
    let who = || Bind::Text(officer.to_string());
    let mut statements = vec![(
        "DELETE FROM attention_seen WHERE officer_id = $1 AND seen_ms < $2".to_string(),
        vec![who(), Bind::Int(now_ms.saturating_sub(SEEN_KEPT_MS))],
    )];
    for item in items {
        statements.push((
            "INSERT INTO attention_seen (officer_id, item, seen_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (officer_id, item) DO UPDATE SET seen_ms = excluded.seen_ms"
                .to_string(),
            vec![who(), Bind::Text(item.clone()), Bind::Int(now_ms)],
        ));
    }
    r.write(statements).await
}
