//! Who is connected now, across every instance over one database: each
//! instance replaces its own rows every few seconds, and a row not refreshed
//! within the window — a dead instance's — no longer counts (and is swept).

use time::OffsetDateTime;
use uuid::Uuid;

use super::StoreResult;
use super::reader::Reader;
use super::sql::Bind;
use crate::api::Presence;

/// This instance's officers connected at `now`, in place of its last list.
pub async fn beat<R: Reader>(
    r: &R,
    instance: Uuid,
    present: &[Presence],
    now: OffsetDateTime,
    window: std::time::Duration,
) -> StoreResult<()> {
    let now_ms = super::columns::millis(now);
    let stale = now_ms.saturating_sub(window.as_millis() as i64);
    let mut statements = vec![
        (
            "DELETE FROM presence WHERE instance = $1".to_string(),
            vec![Bind::Text(instance.to_string())],
        ),
        (
            "DELETE FROM presence WHERE seen_ms < $1".to_string(),
            vec![Bind::Int(stale)],
        ),
    ];
    for p in present {
        statements.push((
            "INSERT INTO presence (instance, officer_id, seen_ms, data) VALUES ($1, $2, $3, $4)"
                .to_string(),
            vec![
                Bind::Text(instance.to_string()),
                Bind::Text(p.officer_id.to_string()),
                Bind::Int(now_ms),
                Bind::Text(serde_json::to_string(p)?),
            ],
        ));
    }
    r.write(statements).await
}

/// Officers seen by some instance within `window` of `now`, each once (the
/// earliest `since` of their connections), by centre and name.
pub async fn list<R: Reader>(
    r: &R,
    now: OffsetDateTime,
    window: std::time::Duration,
) -> StoreResult<Vec<Presence>> {
    let fresh = super::columns::millis(now).saturating_sub(window.as_millis() as i64);
    let rows = r
        .texts(
            "SELECT data FROM presence WHERE seen_ms >= $1".into(),
            vec![Bind::Int(fresh)],
        )
        .await?;
    let mut by_officer: std::collections::HashMap<Uuid, Presence> = Default::default();
    for row in rows {
        let p: Presence = serde_json::from_str(&row)?;
        by_officer
            .entry(p.officer_id)
            .and_modify(|held| held.since = held.since.min(p.since))
            .or_insert(p);
    }
    let mut list: Vec<Presence> = by_officer.into_values().collect();
    list.sort_by(|a, b| (a.centre, &a.name).cmp(&(b.centre, &b.name)));
    Ok(list)
}
