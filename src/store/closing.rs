//! An incident closed or dismissed with tasks still open: the officer says
//! what becomes of them. With `open_tasks: cancel` they are cancelled in the
//! same change, giving the incident's end as the reason; otherwise the change
//! is refused with the list, so no agency keeps working for an incident that
//! is over without anyone deciding so.

use time::OffsetDateTime;

use super::apply::{Row, WriteTx};
use super::decide::{Change, change, load};
use super::{StoreError, StoreResult};
use crate::model::incident::OpenTasks;
use crate::model::{
    Agency, DomainError, EntityKind as E, EventKind as K, Incident, Officer, Task, TaskPatch,
    TaskStatus,
};

/// The changes to `next`'s open tasks now that it has ended.
pub async fn tasks_of_ended(
    tx: &mut impl WriteTx,
    next: &Incident,
    choice: Option<OpenTasks>,
    officer: &Officer,
    now: OffsetDateTime,
) -> StoreResult<Vec<Change>> {
    let mut open = Vec::new();
    for json in tx.tasks_of(next.id).await? {
        let t: Task = serde_json::from_str(&json)?;
        if t.status.is_open() {
            open.push(t);
        }
    }
    if open.is_empty() {
        return Ok(Vec::new());
    }
    let Some(OpenTasks::Cancel) = choice else {
        let mut listed = Vec::new();
        for t in &open {
            let code = load::<Agency>(tx, E::Agency, t.agency_id)
                .await
                .map(|a| a.code)
                .unwrap_or_else(|_| t.agency_id.to_string());
            listed.push(format!("{code} \"{}\" ({})", t.title, t.status));
        }
        return Err(StoreError::Domain(DomainError::Transition {
            entity: "incident",
            from: "open tasks".into(),
            to: next.status.to_string(),
            why: format!(
                "{} has {} open task(s): {}; cancel them with it (\"open_tasks\": \"cancel\") \
                 or let them finish first",
                next.reference,
                open.len(),
                listed.join("; ")
            ),
        }));
    };
    let mut changes = Vec::new();
    for t in open {
        let patch = TaskPatch {
            status: Some(TaskStatus::Cancelled),
            reason: Some(format!("{} {}", next.reference, next.status)),
            ..TaskPatch::default()
        };
        let cancelled = t.patched(&patch, officer, next.centre, now)?;
        let c = change(
            K::TaskUpdated,
            E::Task,
            cancelled.id,
            cancelled.version,
            &cancelled,
        )?;
        tx.put(Row::Task(&cancelled), &c.json).await?;
        changes.push(c);
    }
    Ok(changes)
}
