//! `audit verify`: the hash chain walked from the first event, and every
//! current row of the record checked against the last event of its entity
//! — so a changed event, a deleted event in the middle, an edited table, a
//! deleted row or an officer raised or restored behind the log's back each
//! shows as a finding, all of them listed rather than only the first.

use super::StoreResult;
use super::reader::Reader;
use super::sql::{Bind, EVENT_COLUMNS};
use crate::api::{FINDINGS_MAX, Finding, FindingKind, VerifyReport};
use crate::model::chain::Walk;
use crate::model::checkpoint::Trust;
use crate::model::{EntityKind, Event, EventKind};

/// The tables of the record and the entity each holds. (Tokens are left
/// out: tokens issued before they had events — migration 0002 — have none.)
const RECORD: [(&str, EntityKind); 7] = [
    ("incidents", EntityKind::Incident),
    ("tasks", EntityKind::Task),
    ("notes", EntityKind::Note),
    ("units", EntityKind::Unit),
    ("agencies", EntityKind::Agency),
    ("officers", EntityKind::Officer),
    ("shifts", EntityKind::Shift),
];

#[derive(Default)]
struct Findings {
    list: Vec<Finding>,
    total: u64,
}

impl Findings {
    fn push(
        &mut self,
        kind: FindingKind,
        seq: Option<u64>,
        entity: Option<String>,
        expected: String,
        found: String,
    ) {
        self.total += 1;
        if self.list.len() < FINDINGS_MAX {
            self.list.push(Finding {
                kind,
                seq,
                entity,
                expected,
                found,
            });
        }
    }
}

pub async fn verify<R: Reader>(r: &R, trust: &Trust) -> StoreResult<VerifyReport> {
    let mut findings = Findings::default();
    let (events, head, first_bad_seq) = chain(r, trust, &mut findings).await?;
    rows(r, &mut findings).await?;
    Ok(VerifyReport {
        ok: findings.total == 0,
        events,
        head,
        first_bad_seq,
        findings: findings.list,
        findings_total: findings.total,
    })
}

/// The rows against the log, the chain left unwalked: `events` and `head`
/// are the log's last seq and stored hash.
pub async fn verify_rows<R: Reader>(r: &R) -> StoreResult<VerifyReport> {
    let mut findings = Findings::default();
    rows(r, &mut findings).await?;
    let sql = format!("SELECT {EVENT_COLUMNS} FROM events ORDER BY seq DESC LIMIT 1");
    let last = r.events(sql, vec![]).await?;
    let (events, head) = last
        .first()
        .map(|row| (row.seq as u64, row.hash.clone()))
        .unwrap_or((0, crate::model::event::GENESIS_HASH.to_string()));
    Ok(VerifyReport {
        ok: findings.total == 0,
        events,
        head,
        first_bad_seq: None,
        findings: findings.list,
        findings_total: findings.total,
    })
}

/// Walks the chain a page at a time: (events, head hash, first bad seq).
async fn chain<R: Reader>(
    r: &R,
    trust: &Trust,
    findings: &mut Findings,
) -> StoreResult<(u64, String, Option<u64>)> {
    const PAGE: i64 = 5000;
    let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2");
    let mut walk = Walk::from_genesis(trust);
    let mut first_bad = None;
    let mut after = 0i64;
    loop {
        let page = r
            .events(sql.clone(), vec![Bind::Int(after), Bind::Int(PAGE)])
            .await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for row in page {
            let (seq, hash) = (row.seq as u64, row.hash.clone());
            let broken = match Event::try_from(row) {
                Ok(e) => walk.step(&e),
                Err(e) => vec![walk.unreadable(seq, &hash, e.to_string())],
            };
            for b in broken {
                let kind = if b.checkpoint {
                    FindingKind::Checkpoint
                } else {
                    first_bad.get_or_insert(b.seq);
                    FindingKind::Chain
                };
                findings.push(kind, Some(b.seq), None, b.expected, b.found);
            }
        }
    }
    Ok((walk.events, walk.head().to_string(), first_bad))
}

/// Signed checkpoints after `after`, as their events.
pub async fn checkpoints<R: Reader>(r: &R, after: u64, limit: u32) -> StoreResult<Vec<Event>> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE kind = $1 AND seq > $2 ORDER BY seq LIMIT $3"
    );
    let binds = vec![
        Bind::Text(EventKind::AuditCheckpoint.as_str().into()),
        Bind::Int(after as i64),
        Bind::Int(limit as i64),
    ];
    r.events(sql, binds)
        .await?
        .into_iter()
        .map(Event::try_from)
        .collect()
}

/// Every row of the record against the last event of its entity.
async fn rows<R: Reader>(r: &R, findings: &mut Findings) -> StoreResult<()> {
    for (table, entity) in RECORD {
        // The last event of each row's entity; a row whose data is not that
        // event's, or that no event wrote.
        let sql = format!(
            "SELECT t.id, CASE WHEN e.seq IS NULL THEN '' ELSE CAST(e.seq AS TEXT) END \
             FROM {table} t LEFT JOIN events e \
             ON e.seq = (SELECT MAX(seq) FROM events WHERE entity_id = t.id) \
             WHERE e.seq IS NULL OR e.data <> t.data"
        );
        for (id, seq) in r.pairs(sql, vec![]).await? {
            let name = Some(format!("{entity} {id}"));
            match seq.parse::<u64>() {
                Ok(seq) => findings.push(
                    FindingKind::Row,
                    Some(seq),
                    name,
                    format!("the {entity} as event {seq} left it"),
                    "a row that differs".into(),
                ),
                Err(_) => findings.push(
                    FindingKind::RowWithoutEvent,
                    None,
                    name,
                    format!("an event that wrote this {entity}"),
                    "none".into(),
                ),
            }
        }
        // Entities the log has and the table does not.
        let sql = format!(
            "SELECT e.entity_id, CAST(MAX(e.seq) AS TEXT) FROM events e WHERE e.entity = $1 \
             GROUP BY e.entity_id \
             HAVING NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = e.entity_id)"
        );
        for (id, seq) in r
            .pairs(sql, vec![Bind::Text(entity.as_str().into())])
            .await?
        {
            findings.push(
                FindingKind::MissingRow,
                seq.parse().ok(),
                Some(format!("{entity} {id}")),
                format!("a {table} row, as event {seq} left it"),
                "no row".into(),
            );
        }
    }
    // An officer's revocation is a column beside the data: it must follow the log too.
    let sql = "SELECT t.id, e.kind FROM officers t JOIN events e \
               ON e.seq = (SELECT MAX(seq) FROM events WHERE entity_id = t.id) \
               WHERE (e.kind = 'officer.revoked') <> t.revoked";
    for (id, kind) in r.pairs(sql.into(), vec![]).await? {
        let revoked = kind == "officer.revoked";
        findings.push(
            FindingKind::Officer,
            None,
            Some(format!("officer {id}")),
            format!("revoked: {revoked} (last event {kind})"),
            format!("revoked: {}", !revoked),
        );
    }
    Ok(())
}
