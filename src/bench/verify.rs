//! `audit verify` over a long record: the chain walked and every row
//! compared with its last event, on a SQLite file holding `events` events
//! (one incident created per event, written straight into the database with
//! a true hash chain; this measures verifying, not writing).

use std::time::Instant;

use sqlx::Connection;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::{BenchServer, rss_mib};
use crate::model::event::ChainLink;
use crate::model::{Centre, EntityKind, EventKind, marking};

/// Rows per transaction while filling.
const PER_TX: usize = 10_000;

pub async fn verify(events: usize) -> anyhow::Result<String> {
    let server = BenchServer::start().await?;
    let filled = Instant::now();
    fill(&server, events).await?;
    let fill_took = filled.elapsed();
    let started = Instant::now();
    let report = server.store.verify(&Default::default()).await?;
    let took = started.elapsed();
    let (rss, peak) = rss_mib();
    server.stop().await?;
    anyhow::ensure!(
        report.ok,
        "the bench record did not verify: {:?}",
        report.findings
    );
    Ok(format!(
        "verify: {} events and their rows (filled in {:.0} s): chain and rows checked in {:.1} s \
         ({:.0} events/s), no finding; RSS {rss:.0} MiB, peak {peak:.0} MiB",
        report.events,
        fill_took.as_secs_f64(),
        took.as_secs_f64(),
        report.events as f64 / took.as_secs_f64().max(1e-9),
    ))
}

/// Appends `events` incident.created events after the seeded head, each with its row.
pub(super) async fn fill(server: &BenchServer, events: usize) -> anyhow::Result<()> {
    let mut conn =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", server.db_path.display())).await?;
    let (mut seq, mut prev): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
            .fetch_one(&mut conn)
            .await?;
    let actor = crate::model::Officer {
        id: server.duty.0.id,
        name: String::new(),
        role: crate::model::Role::DutyOfficer,
        centre: Centre::Trp,
        agency_id: None,
    };
    let now = OffsetDateTime::now_utc();
    let at = now.format(&Rfc3339)?;
    let actor_id = actor.id.to_string();
    let mut n = 0;
    while n < events {
        let mut tx = conn.begin().await?;
        for _ in 0..PER_TX.min(events - n) {
            let inc = super::writes_incident(n).into_incident(
                &actor,
                Uuid::now_v7(),
                format!("TRP-26-{:07}", n + 1),
                now,
            )?;
            let json = serde_json::to_string(&inc)?;
            seq += 1;
            let id = inc.id.to_string();
            let hash = ChainLink {
                prev_hash: &prev,
                seq: seq as u64,
                at: &at,
                actor: &actor_id,
                kind: EventKind::IncidentCreated.as_str(),
                entity: EntityKind::Incident.as_str(),
                entity_id: &id,
                version: 1,
                data: &json,
            }
            .hash();
            sqlx::query(
                "INSERT INTO events (seq, at, actor, kind, entity, entity_id, version, data, prev_hash, hash) \
                 VALUES (?, ?, ?, 'incident.created', 'incident', ?, 1, ?, ?, ?)",
            )
            .bind(seq)
            .bind(&at)
            .bind(&actor_id)
            .bind(&id)
            .bind(&json)
            .bind(&prev)
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO incidents (id, reference, centre, status, severity, category, is_open, \
                 reported_at_ms, search, version, data, audience) \
                 VALUES (?, ?, 'TRP', 'reported', 'medium', 'smuggling_fuel', 1, 0, '', 1, ?, ?)",
            )
            .bind(&id)
            .bind(&inc.reference)
            .bind(&json)
            .bind(marking::incident_audience(&inc))
            .execute(&mut *tx)
            .await?;
            prev = hash;
            n += 1;
        }
        tx.commit().await?;
    }
    Ok(())
}
