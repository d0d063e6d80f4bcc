//! What the server serves against what its log says: every incident, task,
//! unit and agency the API answers with must be the entity in its last
//! event in the witness's copy (so a table edited behind the log's back,
//! which the API would serve as truth, is caught here).

use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::copy::{Copy, Held};
use super::findings::Findings;
use crate::api::{FindingKind, IncidentQuery, PAGE_MAX, TaskQuery};
use crate::client::Client;

/// Compares a served entity with what the copy holds of it: `None` when alike.
type Check = Box<dyn Fn(&Held) -> Option<String> + Send>;

/// An entity served that the copy could not yet account for: created or
/// changed after the copy's head. Looked at again after catching up.
pub struct Pending {
    kind: &'static str,
    id: Uuid,
    version: u64,
    check: Check,
}

#[derive(Debug, Default)]
pub struct Counts {
    pub entities: u64,
}

/// Compares every served entity with the copy; what the copy is behind on
/// comes back as pending.
pub async fn check(
    client: &Client,
    copy: &mut Copy,
    found: &mut Findings,
    counts: &mut Counts,
) -> anyhow::Result<Vec<Pending>> {
    let mut pending = Vec::new();
    let mut cursor = None;
    loop {
        let q = IncidentQuery {
            limit: Some(PAGE_MAX),
            cursor: cursor.take(),
            ..Default::default()
        };
        let page = client.search(&q).await?;
        let ids = page.items.iter().map(|i| (i.id, i.version)).collect();
        compare(
            copy,
            "incident",
            ids,
            page.items,
            found,
            counts,
            &mut pending,
        )
        .await?;
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    loop {
        let q = TaskQuery {
            limit: Some(PAGE_MAX),
            cursor: cursor.take(),
            ..Default::default()
        };
        let page = client.tasks(&q).await?;
        let ids = page.items.iter().map(|t| (t.id, t.version)).collect();
        compare(copy, "task", ids, page.items, found, counts, &mut pending).await?;
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let units = client.units().await?;
    let ids = units.iter().map(|u| (u.id, u.version)).collect();
    compare(copy, "unit", ids, units, found, counts, &mut pending).await?;
    let agencies = client.agencies().await?;
    let ids = agencies.iter().map(|a| (a.id, a.version)).collect();
    compare(copy, "agency", ids, agencies, found, counts, &mut pending).await?;
    Ok(pending)
}

/// After catching up: what is still unaccounted for is a finding.
pub async fn settle(
    copy: &mut Copy,
    pending: Vec<Pending>,
    found: &mut Findings,
) -> anyhow::Result<()> {
    let ids: Vec<Uuid> = pending.iter().map(|p| p.id).collect();
    let held = copy.last_of(&ids).await?;
    for p in pending {
        let entity = format!("{} {}", p.kind, p.id);
        match held.get(&p.id) {
            None => found.on(
                FindingKind::RowWithoutEvent,
                entity,
                format!("an event that wrote this {}", p.kind),
                "none in the log".into(),
            ),
            // Changed again since it was served: nothing to compare.
            Some(h) if h.version > p.version => {}
            Some(h) if h.version < p.version => found.on(
                FindingKind::Row,
                entity,
                format!("version {} at most (its last event)", h.version),
                format!("version {} served", p.version),
            ),
            Some(h) => {
                if let Some(diff) = (p.check)(h) {
                    found.on(FindingKind::Row, entity, expected(h), diff);
                }
            }
        }
    }
    Ok(())
}

async fn compare<T>(
    copy: &mut Copy,
    kind: &'static str,
    ids: Vec<(Uuid, u64)>,
    items: Vec<T>,
    found: &mut Findings,
    counts: &mut Counts,
    pending: &mut Vec<Pending>,
) -> anyhow::Result<()>
where
    T: DeserializeOwned + PartialEq + Serialize + Send + 'static,
{
    let just_ids: Vec<Uuid> = ids.iter().map(|(id, _)| *id).collect();
    let held = copy.last_of(&just_ids).await?;
    for ((id, version), served) in ids.into_iter().zip(items) {
        counts.entities += 1;
        let check = move |h: &Held| differs(&h.event, &served);
        match held.get(&id) {
            Some(h) if h.version == version => {
                if let Some(diff) = check(h) {
                    found.on(FindingKind::Row, format!("{kind} {id}"), expected(h), diff);
                }
            }
            Some(h) if h.version > version => found.on(
                FindingKind::Row,
                format!("{kind} {id}"),
                expected(h),
                format!("version {version} served: an older state"),
            ),
            _ => pending.push(Pending {
                kind,
                id,
                version,
                check: Box::new(check),
            }),
        }
    }
    Ok(())
}

fn expected(h: &Held) -> String {
    format!("as event {} left it (version {})", h.event.seq, h.version)
}

/// `None` when the served entity is the event's; else which fields differ.
fn differs<T: DeserializeOwned + PartialEq + Serialize>(
    event: &crate::model::Event,
    served: &T,
) -> Option<String> {
    match event.entity::<T>() {
        Ok(logged) if logged == *served => None,
        Ok(logged) => {
            let (a, b) = (serde_json::to_value(&logged), serde_json::to_value(served));
            let fields: Vec<String> = match (a, b) {
                (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) => a
                    .iter()
                    .filter(|(k, v)| b.get(*k) != Some(*v))
                    .map(|(k, _)| k.clone())
                    .collect(),
                _ => Vec::new(),
            };
            Some(format!("served with a different {}", fields.join(", ")))
        }
        Err(e) => Some(format!("an event the witness cannot read as one: {e}")),
    }
}
