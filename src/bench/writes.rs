//! Acknowledged mutations per second from many concurrent HTTP clients, beside
//! the raw SQLite ceiling for the same rows.

use std::time::{Duration, Instant};

use serde::Serialize;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, QueryBuilder, Sqlite};
use uuid::Uuid;

use super::{BenchServer, Target, ms, percentile};
use crate::api::{IncidentPatch, NewIncident, NewTask};
use crate::client::{Client, new_key};
use crate::model::{Category, Location, Severity};

#[derive(Debug, Serialize)]
pub struct WriteReport {
    pub clients: usize,
    pub seconds: f64,
    pub acked: usize,
    pub failed: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub raw_commit_per_row_per_second: f64,
    pub raw_batched_per_second: f64,
}

pub fn incident(n: usize) -> NewIncident {
    NewIncident {
        tlp: Default::default(),
        shared_with: Vec::new(),
        title: format!("Fuel tankers leaving the coastal road, report {n}"),
        category: Category::SmugglingFuel,
        severity: Severity::Medium,
        location: Location {
            lat: 32.93,
            lon: 12.08,
            sector: Some("Zuwara".into()),
            crossing: None,
        },
        description: "Three tankers seen turning south towards the desert track".into(),
        source: None,
        occurred_at: None,
        centre: None,
        lead_agency_id: None,
        supporting_agency_ids: vec![],
        tags: vec![],
    }
}

pub async fn writes(target: &Target, clients: usize, seconds: u64) -> anyhow::Result<String> {
    let server = BenchServer::start_on(target).await?;
    let agency = server.first_agency().await?;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let client = Client::new(&server.urls[c % server.urls.len()], &server.duty.1)?;
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut failed = 0usize;
            // Each client works on its own incidents, so no PATCH meets a stale version.
            let mut mine: Vec<(Uuid, u64)> = Vec::new();
            let mut n = 0usize;
            while Instant::now() < deadline {
                n += 1;
                let t0 = Instant::now();
                let ok = match (n % 10, mine.last().copied()) {
                    (0..=3, _) | (_, None) => match client
                        .create_incident(&new_key(), &incident(c * 1_000_000 + n))
                        .await
                    {
                        Ok(i) => {
                            mine.push((i.id, i.version));
                            true
                        }
                        Err(_) => false,
                    },
                    (4..=6, Some((id, v))) => {
                        let sev = if n.is_multiple_of(2) {
                            Severity::High
                        } else {
                            Severity::Medium
                        };
                        let patch = IncidentPatch {
                            severity: Some(sev),
                            ..Default::default()
                        };
                        match client.patch_incident(&new_key(), id, v, &patch).await {
                            Ok(i) => {
                                *mine.last_mut().expect("non-empty") = (i.id, i.version);
                                true
                            }
                            Err(_) => false,
                        }
                    }
                    (7..=8, Some((id, _))) => client
                        .add_note(&new_key(), id, "Unit on scene, counting vehicles")
                        .await
                        .is_ok(),
                    (_, Some((id, _))) => {
                        let t = NewTask {
                            tlp: Default::default(),
                            shared_with: Vec::new(),
                            agency_id: agency,
                            title: "Intercept on the coastal road".into(),
                            unit_id: None,
                            priority: None,
                            due_at: None,
                        };
                        client.create_task(&new_key(), id, &t).await.is_ok()
                    }
                };
                if ok {
                    lat.push(t0.elapsed());
                } else {
                    failed += 1;
                }
            }
            (lat, failed)
        }));
    }
    let started = Instant::now();
    let mut lat = Vec::new();
    let mut failed = 0;
    for t in tasks {
        let (l, f) = t.await?;
        lat.extend(l);
        failed += f;
    }
    let elapsed = started.elapsed().as_secs_f64().max(seconds as f64);
    lat.sort();
    let (raw_row, raw_batch) = match server.postgres_url() {
        Some(url) => (
            raw_postgres(&url, lat.len().clamp(500, 2000), 1).await?,
            raw_postgres(&url, 20_000, 1000).await?,
        ),
        None => (
            raw_sqlite(lat.len().clamp(500, 2000), 1).await?,
            raw_sqlite(20_000, 1000).await?,
        ),
    };
    let report = WriteReport {
        clients,
        seconds: elapsed,
        acked: lat.len(),
        failed,
        per_second: lat.len() as f64 / elapsed,
        p50_ms: percentile(&lat, 0.50).as_secs_f64() * 1000.0,
        p99_ms: percentile(&lat, 0.99).as_secs_f64() * 1000.0,
        raw_commit_per_row_per_second: raw_row,
        raw_batched_per_second: raw_batch,
    };
    server.stop().await?;
    Ok(format!(
        "writes ({}): {} clients, {:.0} s: {} acknowledged ({} failed) = {:.0} mutations/s; p50 {}, p99 {}\n\
         raw inserts of the same rows (incident + event), durable commits: {:.0} rows/s committing each row, {:.0} rows/s in transactions of 1000\n\
         ratio: server {:.1}x the commit-per-row ceiling",
        target.describe(),
        report.clients,
        report.seconds,
        report.acked,
        report.failed,
        report.per_second,
        ms(percentile(&lat, 0.50)),
        ms(percentile(&lat, 0.99)),
        report.raw_commit_per_row_per_second,
        report.raw_batched_per_second,
        report.per_second / report.raw_commit_per_row_per_second.max(1.0),
    ))
}

/// Inserts `rows` incident rows plus their event rows straight into a fresh
/// SQLite file with the server's schema and settings; returns rows/s.
async fn raw_sqlite(rows: usize, per_tx: usize) -> anyhow::Result<f64> {
    let dir = std::env::temp_dir().join(format!("tandem-raw-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir)?;
    let _cleanup = super::tempfile_dir::Dir(dir.clone());
    let opts = SqliteConnectOptions::new()
        .filename(dir.join("raw.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    let mut conn = sqlx::SqliteConnection::connect_with(&opts).await?;
    sqlx::migrate!("./src/store/sqlite/migrations")
        .run(&mut conn)
        .await?;
    let data = serde_json::to_string(&incident(0))?;
    let start = Instant::now();
    let mut written = 0;
    while written < rows {
        let n = per_tx.min(rows - written);
        let ids: Vec<(usize, String)> = (written + 1..=written + n)
            .map(|i| (i, Uuid::now_v7().to_string()))
            .collect();
        written += n;
        let mut tx = conn.begin().await?;
        // Multi-row statements, as the server's batches use: the best sqlx can do.
        for chunk in ids.chunks(500) {
            let mut b: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO incidents (id, reference, centre, status, severity, category, is_open, reported_at_ms, search, version, data) ",
            );
            b.push_values(chunk, |mut r, (i, id)| {
                r.push_bind(id.clone())
                    .push_bind(format!("TRP-26-{i:07}"))
                    .push_bind("TRP")
                    .push_bind("reported")
                    .push_bind("medium")
                    .push_bind("smuggling_fuel")
                    .push_bind(1)
                    .push_bind(0)
                    .push_bind("")
                    .push_bind(1)
                    .push_bind(data.clone());
            });
            b.build().execute(&mut *tx).await?;
            let mut b: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO events (seq, at, actor, kind, entity, entity_id, version, data, prev_hash, hash) ",
            );
            b.push_values(chunk, |mut r, (i, id)| {
                r.push_bind(*i as i64)
                    .push_bind("")
                    .push_bind("")
                    .push_bind("incident.created")
                    .push_bind("incident")
                    .push_bind(id.clone())
                    .push_bind(1)
                    .push_bind(data.clone())
                    .push_bind("")
                    .push_bind("");
            });
            b.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    Ok(rows as f64 / start.elapsed().as_secs_f64())
}

/// The same rows straight into the benchmark's PostgreSQL database (seq far
/// above the server's), committed per row or in batches; returns rows/s.
async fn raw_postgres(url: &str, rows: usize, per_tx: usize) -> anyhow::Result<f64> {
    use sqlx::Postgres;
    let mut conn = <sqlx::PgConnection as Connection>::connect(url).await?;
    let data = serde_json::to_string(&incident(0))?;
    let base: i64 = 1_000_000_000 + (Uuid::new_v4().as_u128() % 1_000_000) as i64 * 100_000;
    let start = Instant::now();
    let mut written = 0;
    while written < rows {
        let n = per_tx.min(rows - written);
        let ids: Vec<(usize, String)> = (written + 1..=written + n)
            .map(|i| (i, Uuid::now_v7().to_string()))
            .collect();
        written += n;
        let mut tx = conn.begin().await?;
        for chunk in ids.chunks(500) {
            let mut b: QueryBuilder<Postgres> = QueryBuilder::new(
                "INSERT INTO incidents (id, reference, centre, status, severity, category, is_open, reported_at_ms, search, version, data) ",
            );
            b.push_values(chunk, |mut r, (i, id)| {
                r.push_bind(id.clone())
                    .push_bind(format!("RAW-{base}-{i:07}"))
                    .push_bind("TRP")
                    .push_bind("reported")
                    .push_bind("medium")
                    .push_bind("smuggling_fuel")
                    .push_bind(false)
                    .push_bind(0i64)
                    .push_bind("")
                    .push_bind(1i64)
                    .push_bind(data.clone());
            });
            b.build().execute(&mut *tx).await?;
            let mut b: QueryBuilder<Postgres> = QueryBuilder::new(
                "INSERT INTO events (seq, at, actor, kind, entity, entity_id, version, data, prev_hash, hash) ",
            );
            b.push_values(chunk, |mut r, (i, id)| {
                r.push_bind(base + *i as i64)
                    .push_bind("")
                    .push_bind("")
                    .push_bind("incident.created")
                    .push_bind("incident")
                    .push_bind(id.clone())
                    .push_bind(1i64)
                    .push_bind(data.clone())
                    .push_bind("")
                    .push_bind("");
            });
            b.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    Ok(rows as f64 / start.elapsed().as_secs_f64())
}
