//! Commands on shifts: start the caller's own, end one with the handover
//! generated for it, acknowledge a handover. Each is a `shift.*` or
//! `handover.acknowledged` event in the log like every change.

use time::OffsetDateTime;
use uuid::Uuid;

use super::apply::{Actor, Outcome, Row, ShiftCommand, WriteTx};
use super::decide::{Change, change, reply};
use super::{StoreError, StoreResult};
use crate::model::{DomainError, EntityKind as E, EventKind as K, Shift};

pub async fn decide(
    tx: &mut impl WriteTx,
    actor: &Actor,
    command: &ShiftCommand,
    now: OffsetDateTime,
) -> StoreResult<(Outcome, Vec<Change>)> {
    let officer = actor.officer()?;
    let (kind, status, next) = match command {
        ShiftCommand::Start => {
            let shift = Shift::start(officer, Uuid::now_v7(), now)?;
            if let Some(json) = tx.open_shift_of(officer.id).await? {
                let open: Shift = serde_json::from_str(&json)?;
                return Err(DomainError::Transition {
                    entity: "shift",
                    from: "on duty".into(),
                    to: "started".into(),
                    why: format!(
                        "{} is already on shift {} since {}",
                        officer.name, open.id, open.started_at
                    ),
                }
                .into());
            }
            (K::ShiftStarted, 201, shift)
        }
        ShiftCommand::End { id, note, summary } => {
            let shift = load(tx, *id).await?;
            let next = shift.end(officer, note, (**summary).clone(), now)?;
            (K::ShiftEnded, 200, next)
        }
        ShiftCommand::Acknowledge { id } => {
            let shift = load(tx, *id).await?;
            (
                K::HandoverAcknowledged,
                200,
                shift.acknowledge(officer, now)?,
            )
        }
    };
    let c = change(kind, E::Shift, next.id, next.version, &next)?;
    tx.put(Row::Shift(&next), &c.json).await?;
    Ok((reply(status, Some(next.version), &next)?, vec![c]))
}

async fn load(tx: &mut impl WriteTx, id: Uuid) -> StoreResult<Shift> {
    match tx.load(E::Shift, id).await? {
        Some(json) => Ok(serde_json::from_str(&json)?),
        None => Err(StoreError::NotFound(format!("shift {id}"))),
    }
}

/// Shifts, newest first: of one centre, only those on duty now, at most `limit`.
pub async fn list<R: super::reader::Reader>(
    r: &R,
    q: &crate::api::ShiftQuery,
) -> StoreResult<Vec<Shift>> {
    use super::sql::Bind;
    let mut sql = String::from("SELECT data FROM shifts WHERE 1 = 1");
    let mut binds = Vec::new();
    if let Some(c) = q.centre {
        binds.push(Bind::Text(c.as_str().into()));
        sql.push_str(&format!(" AND centre = ${}", binds.len()));
    }
    if q.on_duty == Some(true) {
        sql.push_str(" AND ended_at_ms IS NULL");
    } else if q.on_duty == Some(false) {
        sql.push_str(" AND ended_at_ms IS NOT NULL");
    }
    binds.push(Bind::Int(i64::from(q.limit())));
    sql.push_str(&format!(
        " ORDER BY started_at_ms DESC, id DESC LIMIT ${}",
        binds.len()
    ));
    let rows = r.texts(sql, binds).await?;
    rows.iter().map(|j| Ok(serde_json::from_str(j)?)).collect()
}
