//! Commands that write about the record itself rather than the operations
//! it holds: a signed checkpoint of the head, the findings of the check at
//! start, a witness's alarm.

use time::OffsetDateTime;
use uuid::Uuid;

use super::apply::{Actor, Command, Outcome};
use super::decide::{Change, change, reply};
use super::{StoreError, StoreResult};
use crate::model::{DomainError, EntityKind as E, EventKind as K, Role};

pub(super) fn decide(
    actor: &Actor,
    command: &Command,
    head: &super::apply::Head,
    now: OffsetDateTime,
) -> StoreResult<(Outcome, Vec<Change>)> {
    match command {
        Command::Checkpoint(signer) => {
            if !matches!(actor, Actor::Server) {
                return Err(
                    DomainError::Forbidden("only the server signs checkpoints".into()).into(),
                );
            }
            let at = now
                .format(&time::format_description::well_known::Rfc3339)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let cp = signer.checkpoint(head.seq, &head.hash, &at);
            let c = change(K::AuditCheckpoint, E::Audit, Uuid::now_v7(), 1, &cp)?;
            Ok((reply(201, None, &cp)?, vec![c]))
        }
        Command::RecordFindings(report) => {
            if !matches!(actor, Actor::Server) {
                return Err(
                    DomainError::Forbidden("only the server records its findings".into()).into(),
                );
            }
            let c = change(K::AuditFindings, E::Audit, Uuid::now_v7(), 1, report)?;
            Ok((reply(201, None, report)?, vec![c]))
        }
        Command::WitnessAlarm(alarm) => {
            let officer = actor.officer()?;
            if !matches!(officer.role, Role::Auditor | Role::Supervisor) {
                return Err(DomainError::Forbidden(
                    "only an auditor or a supervisor raises a witness alarm".into(),
                )
                .into());
            }
            alarm
                .validate()
                .map_err(|m| DomainError::invalid("alarm", m))?;
            let c = change(K::WitnessAlarm, E::Audit, Uuid::now_v7(), 1, alarm)?;
            Ok((reply(201, None, alarm)?, vec![c]))
        }
        _ => Err(StoreError::Corrupt("not a command about the record".into())),
    }
}
