//! `audit verify`: the hash chain walked from the first event, and every
//! current row of the record checked against the last event of its entity
//! — so a changed event, a deleted event in the middle, an edited table, a
//! deleted row or an officer raised or restored behind the log's back each
//! shows as a finding, all of them listed rather than only the first.

use super::StoreResult;
use super::reader::Reader;
use super::sql::{Bind, EVENT_COLUMNS};
use crate::api::{FINDINGS_MAX, Finding, FindingKind, VerifyReport};
use crate::model::checkpoint::{Checkpoint, Trust};
use crate::model::event::GENESIS_HASH;
use crate::model::{EntityKind, Event, EventKind};

/// The tables of the record and the entity each holds. (Tokens are left
/// out: tokens issued before they had events — migration 0002 — have none.)
const RECORD: [(&str, EntityKind); 6] = [
    ("incidents", EntityKind::Incident),
    ("tasks", EntityKind::Task),
    ("notes", EntityKind::Note),
    ("units", EntityKind::Unit),
    ("agencies", EntityKind::Agency),
    ("officers", EntityKind::Officer),
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

/// Walks the chain a page at a time: (events, head hash, first bad seq).
async fn chain<R: Reader>(
    r: &R,
    trust: &Trust,
    findings: &mut Findings,
) -> StoreResult<(u64, String, Option<u64>)> {
    const PAGE: i64 = 5000;
    let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2");
    let mut prev = GENESIS_HASH.to_string();
    let mut count = 0u64;
    let mut first_bad = None;
    let mut after = 0i64;
    loop {
        let page = r
            .events(sql.clone(), vec![Bind::Int(after), Bind::Int(PAGE)])
            .await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for row in page {
            count += 1;
            let (seq, hash) = (row.seq as u64, row.hash.clone());
            let event = Event::try_from(row);
            if let Ok(e) = &event
                && e.kind == EventKind::AuditCheckpoint
            {
                checkpoint(e, trust, findings);
            }
            let wrong = match event {
                Err(e) => Some(("a readable event".to_string(), e.to_string())),
                Ok(e) if e.seq != count => Some((format!("seq {count}"), format!("seq {}", e.seq))),
                Ok(e) if e.prev_hash != prev => Some((
                    format!("prev_hash {prev}"),
                    format!("prev_hash {}", e.prev_hash),
                )),
                Ok(e) => {
                    let computed = e.computed_hash();
                    (computed != e.hash)
                        .then(|| (format!("hash {computed}"), format!("hash {}", e.hash)))
                }
            };
            if let Some((expected, found)) = wrong {
                first_bad.get_or_insert(seq);
                findings.push(FindingKind::Chain, Some(seq), None, expected, found);
            }
            prev = hash;
        }
    }
    Ok((count, prev, first_bad))
}

/// A checkpoint signs the head just before its own event, with its centre's key.
fn checkpoint(e: &Event, trust: &Trust, findings: &mut Findings) {
    let seq = Some(e.seq);
    let cp: Checkpoint = match e.entity() {
        Ok(cp) => cp,
        Err(err) => {
            let found = format!("unreadable: {err}");
            findings.push(
                FindingKind::Checkpoint,
                seq,
                None,
                "a checkpoint".into(),
                found,
            );
            return;
        }
    };
    if cp.seq.saturating_add(1) != e.seq || cp.head_hash != e.prev_hash {
        findings.push(
            FindingKind::Checkpoint,
            seq,
            None,
            format!(
                "the head before it: seq {}, hash {}",
                e.seq.saturating_sub(1),
                e.prev_hash
            ),
            format!("seq {}, hash {}", cp.seq, cp.head_hash),
        );
    }
    match trust.check(&cp) {
        Some(true) => {}
        Some(false) => findings.push(
            FindingKind::Checkpoint,
            seq,
            None,
            format!("a signature by {}'s key", cp.centre),
            "a signature that does not verify".into(),
        ),
        // Nothing to check it against: not a finding (verify without a
        // trust file checks the chain and the rows only).
        None if trust.is_empty() => {}
        None => findings.push(
            FindingKind::Checkpoint,
            seq,
            None,
            format!("a centre the trust file names ({})", cp.centre),
            "a centre without a trusted key".into(),
        ),
    }
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
