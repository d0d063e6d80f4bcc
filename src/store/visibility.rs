//! Need-to-know on the write side: an officer acts only on what they may
//! see (anything else is not found), `shared_with` names real agencies or
//! officers, and when who may see an incident changes, its tasks follow.

use uuid::Uuid;

use super::apply::{Row, WriteTx};
use super::decide::load_with_json;
use super::{StoreError, StoreResult};
use crate::model::marking;
use crate::model::{DomainError, EntityKind, Incident, Officer, Task, Viewer};

/// The incident `id` as `officer` may act on it: one they may not see is
/// not found, exactly as one that does not exist (its existence is not told).
pub(super) async fn visible_incident(
    tx: &mut impl WriteTx,
    officer: &Officer,
    id: Uuid,
) -> StoreResult<(Incident, String)> {
    let (incident, json): (Incident, String) = load_with_json(tx, EntityKind::Incident, id).await?;
    tx.seen(&incident);
    if !Viewer::of(officer).sees_incident(&incident) {
        return Err(StoreError::NotFound(format!("incident {id}")));
    }
    Ok((incident, json))
}

/// Checks that every id a `shared_with` list names is an agency or an officer.
pub(super) async fn shared_exist(tx: &mut impl WriteTx, ids: &[Uuid]) -> StoreResult<()> {
    for id in ids {
        if tx.load(EntityKind::Agency, *id).await?.is_none()
            && tx.load(EntityKind::Officer, *id).await?.is_none()
        {
            return Err(DomainError::invalid(
                "shared_with",
                format!("no agency or officer has id {id}"),
            )
            .into());
        }
    }
    Ok(())
}

/// After an incident's change: when who may see it changed, its tasks'
/// audiences are written again, and the audience before is returned for
/// the event (whoever lost sight of the incident is told it is redacted).
pub(super) async fn remark_tasks(
    tx: &mut impl WriteTx,
    before: &Incident,
    after: &Incident,
) -> StoreResult<Option<String>> {
    let was = marking::incident_audience(before);
    if was == marking::incident_audience(after) {
        return Ok(None);
    }
    for json in tx.tasks_of(after.id).await? {
        let t: Task = serde_json::from_str(&json)?;
        tx.put(Row::Task(&t), &json).await?;
    }
    Ok(Some(was))
}
