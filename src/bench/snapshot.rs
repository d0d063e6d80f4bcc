//! Snapshot time and server memory with 100k incidents and 200k tasks,
//! their markings cycling through every TLP level: for a duty officer (who
//! sees most of them) and for a liaison (whose snapshot is filtered hardest).

use std::time::Instant;

use futures::StreamExt;
use sqlx::Connection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{BenchServer, reset_peak_rss, rss_mib};
use crate::model::marking;
use crate::model::{Centre, Priority, Task, TaskStatus, Tlp};

pub async fn snapshot(incidents: usize, tasks_per_incident: usize) -> anyhow::Result<String> {
    let server = BenchServer::start().await?;
    let agency = server.first_agency().await?;
    fill(&server, incidents, tasks_per_incident, agency).await?;
    let (rss_before, _) = rss_mib();
    reset_peak_rss();
    let http = reqwest::Client::new();
    let (first_byte, took, bytes) = timed(&http, &server.url, &server.duty.1).await?;
    let (_, peak) = rss_mib();
    let (_, liaison_took, liaison_bytes) = timed(&http, &server.url, &server.liaison.1).await?;
    // The console's side: the same snapshot fetched and decoded by the client.
    let client = crate::client::Client::new(&server.url, &server.duty.1)?;
    let (rss_idle, _) = rss_mib();
    reset_peak_rss();
    let start = Instant::now();
    let decoded = client.snapshot().await?;
    let decode_took = start.elapsed();
    let (rss_holding, decode_peak) = rss_mib();
    let rows = decoded.incidents.len() + decoded.tasks.len();
    drop(decoded);
    server.stop().await?;
    Ok(format!(
        "snapshot: {incidents} incidents + {} tasks, {:.1} MB of JSON: first byte {:.0} ms, complete {:.0} ms; process RSS {rss_before:.0} MiB before, peak {peak:.0} MiB during (server and reader together)\n\
         liaison's snapshot (filtered by marking): {:.1} MB in {:.0} ms\n\
         client decode: {rows} rows in {:.0} ms; RSS {rss_idle:.0} MiB before, {rss_holding:.0} MiB holding the decoded snapshot, peak {decode_peak:.0} MiB while fetching and decoding",
        incidents * tasks_per_incident,
        bytes as f64 / 1e6,
        first_byte.as_secs_f64() * 1000.0,
        took.as_secs_f64() * 1000.0,
        liaison_bytes as f64 / 1e6,
        liaison_took.as_secs_f64() * 1000.0,
        decode_took.as_secs_f64() * 1000.0,
    ))
}

/// One snapshot fetched as `token`: (first byte, complete, bytes).
async fn timed(
    http: &reqwest::Client,
    url: &str,
    token: &str,
) -> anyhow::Result<(std::time::Duration, std::time::Duration, usize)> {
    let start = Instant::now();
    let res = http
        .get(format!("{url}/api/v1/snapshot"))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?;
    let first_byte = start.elapsed();
    let mut body = res.bytes_stream();
    let mut bytes = 0usize;
    while let Some(chunk) = body.next().await {
        bytes += chunk?.len();
    }
    Ok((first_byte, start.elapsed(), bytes))
}

/// Writes rows straight into the database (this measures reading, not writing).
async fn fill(
    server: &BenchServer,
    incidents: usize,
    tasks_per: usize,
    agency: Uuid,
) -> anyhow::Result<()> {
    let mut conn =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", server.db_path.display())).await?;
    let now = OffsetDateTime::now_utc();
    let actor = crate::model::Officer {
        id: server.duty.0.id,
        name: String::new(),
        role: crate::model::Role::DutyOfficer,
        centre: Centre::Trp,
        agency_id: None,
    };
    let mut tx = conn.begin().await?;
    for n in 0..incidents {
        let mut new = super::writes_incident(n);
        new.tlp = Tlp::ALL[n % Tlp::ALL.len()];
        new.lead_agency_id = Some(agency);
        let inc = new.into_incident(&actor, Uuid::now_v7(), format!("TRP-26-{:06}", n + 1), now)?;
        sqlx::query("INSERT INTO incidents (id, reference, centre, status, severity, category, is_open, reported_at_ms, search, version, data, audience) VALUES (?, ?, 'TRP', 'reported', 'medium', 'smuggling_fuel', 1, 0, '', 1, ?, ?)")
            .bind(inc.id.to_string())
            .bind(&inc.reference)
            .bind(serde_json::to_string(&inc)?)
            .bind(marking::incident_audience(&inc))
            .execute(&mut *tx)
            .await?;
        for _ in 0..tasks_per {
            let t = Task {
                tlp: Default::default(),
                shared_with: Vec::new(),
                id: Uuid::now_v7(),
                incident_id: inc.id,
                agency_id: agency,
                unit_id: None,
                title: "Patrol the coastal road and report tanker movements".into(),
                priority: Priority::Normal,
                due_at: None,
                status: TaskStatus::Requested,
                reason: None,
                version: 1,
                created_by: actor.id,
                created_at: now,
                updated_at: now,
            };
            sqlx::query("INSERT INTO tasks (id, incident_id, agency_id, status, is_open, version, data, audience) VALUES (?, ?, ?, 'requested', 1, 1, ?, ?)")
                .bind(t.id.to_string())
                .bind(inc.id.to_string())
                .bind(agency.to_string())
                .bind(serde_json::to_string(&t)?)
                .bind(marking::task_audience(&t, &inc))
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
