//! The shift report, the attention queue and `/stats` over a long history:
//! 100k incidents of one centre reported over 72 hours (every severity,
//! status and sector; a task each), the report of the whole 72 h asked over
//! HTTP, the queue read as a request does, and the trends screen's counts.

use std::time::{Duration, Instant};

use sqlx::Connection;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::{BenchServer, ms, percentile, reset_peak_rss, rss_mib};
use crate::model::marking;
use crate::model::{Centre, IncidentStatus, Priority, Severity, Task, TaskStatus};
use crate::store::columns;

const SECTORS: [&str; 6] = ["Ras Ajdir", "Zuwara", "Wazin", "Ghadames", "Ghat", "Tummo"];
const STATUSES: [IncidentStatus; 4] = [
    IncidentStatus::Closed,
    IncidentStatus::Acknowledged,
    IncidentStatus::Reported,
    IncidentStatus::Responding,
];

pub async fn report(incidents: usize, hours: i64) -> anyhow::Result<String> {
    let server = BenchServer::start().await?;
    let agency = server.first_agency().await?;
    let now = OffsetDateTime::now_utc();
    fill(&server, incidents, hours, agency, now).await?;
    let http = reqwest::Client::new();
    let from = (now - time::Duration::hours(hours)).format(&Rfc3339)?;
    let to = (now + time::Duration::minutes(1)).format(&Rfc3339)?;
    let url = format!("{}/api/v1/reports/shift", server.url);
    let (rss_before, _) = rss_mib();
    reset_peak_rss();
    let mut took = Vec::new();
    let mut new_incidents = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let r: crate::model::report::ShiftReport = http
            .get(&url)
            .query(&[("centre", "TRP"), ("from", &from), ("to", &to)])
            .bearer_auth(&server.duty.1)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        took.push(start.elapsed());
        new_incidents = r.new_incidents;
    }
    let (_, peak) = rss_mib();
    took.sort();
    let client = crate::client::Client::new(&server.url, &server.duty.1)?;
    let mut queue_took = Vec::new();
    let mut items = 0;
    for _ in 0..20 {
        let start = Instant::now();
        items = client.attention().await?.items.len();
        queue_took.push(start.elapsed());
    }
    queue_took.sort();
    let mut stats_lines = Vec::new();
    for (window, by) in [
        ("72h", "category"),
        ("72h", "sector"),
        ("72h", "severity"),
        ("8d", "sector"),
    ] {
        let mut took = Vec::new();
        let mut counted = 0;
        for _ in 0..10 {
            let start = Instant::now();
            let q = crate::api::stats::StatsQuery {
                window: Some(window.into()),
                bucket: Some("1h".into()),
                by: serde_json::from_value(serde_json::json!(by))?,
            };
            counted = client.stats(&q).await?.incidents;
            took.push(start.elapsed());
        }
        took.sort();
        stats_lines.push(format!(
            "{window} by {by} ({counted} counted) median {}, max {}",
            ms(percentile(&took, 0.5)),
            ms(took.last().copied().unwrap_or(Duration::ZERO)),
        ));
    }
    server.stop().await?;
    Ok(format!(
        "report: {incidents} incidents over {hours} h ({new_incidents} in the window, a task each): the report over HTTP median {}, max {}; process RSS {rss_before:.0} MiB before, peak {peak:.0} MiB (server and client together)\n\
         attention queue read ({items} items) median {}, p99 {}\n\
         /stats over HTTP as a duty officer, 1 h buckets: {}",
        ms(percentile(&took, 0.5)),
        ms(took.last().copied().unwrap_or(Duration::ZERO)),
        ms(percentile(&queue_took, 0.5)),
        ms(percentile(&queue_took, 0.99)),
        stats_lines.join("; "),
    ))
}

/// Writes rows straight into the database with every column the reads use
/// (this measures reading, not writing).
pub(super) async fn fill(
    server: &BenchServer,
    incidents: usize,
    hours: i64,
    agency: Uuid,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let mut conn =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", server.db_path.display())).await?;
    let actor = server.duty.0.clone();
    let span_ms = hours * 3_600_000;
    let mut tx = conn.begin().await?;
    for n in 0..incidents {
        let mut new = super::writes_incident(n);
        new.severity = Severity::ALL[n % Severity::ALL.len()];
        new.location.sector = Some(SECTORS[n % SECTORS.len()].into());
        let back = time::Duration::milliseconds(span_ms * n as i64 / incidents.max(1) as i64);
        let at = now - back;
        let reference = format!("TRP-26-{:06}", n + 1);
        let mut inc = new.into_incident(&actor, Uuid::now_v7(), reference, at)?;
        inc.status = STATUSES[n % STATUSES.len()];
        if inc.status != IncidentStatus::Reported {
            inc.acknowledged_at = Some(at + time::Duration::minutes((n % 20) as i64));
        }
        if !inc.status.is_open() {
            inc.closed_at = Some(at + time::Duration::hours(1));
        }
        sqlx::query(
            "INSERT INTO incidents (id, reference, centre, status, severity, category, is_open, \
             closed_at_ms, reported_at_ms, search, version, data, audience, sector, triaged_at_ms) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
        )
        .bind(inc.id.to_string())
        .bind(&inc.reference)
        .bind(Centre::Trp.as_str())
        .bind(inc.status.as_str())
        .bind(inc.severity.as_str())
        .bind(inc.category.as_str())
        .bind(inc.status.is_open())
        .bind(inc.closed_at.map(columns::millis))
        .bind(columns::millis(inc.reported_at))
        .bind(columns::search_text(&inc))
        .bind(serde_json::to_string(&inc)?)
        .bind(marking::incident_audience(&inc))
        .bind(inc.location.sector.clone())
        .bind(columns::triaged_ms(&inc))
        .execute(&mut *tx)
        .await?;
        let t = Task {
            tlp: Default::default(),
            shared_with: Vec::new(),
            id: Uuid::now_v7(),
            incident_id: inc.id,
            agency_id: agency,
            unit_id: None,
            title: "Patrol the coastal road and report tanker movements".into(),
            priority: Priority::Normal,
            due_at: Some(at + time::Duration::hours(2)),
            status: [
                TaskStatus::Requested,
                TaskStatus::Accepted,
                TaskStatus::Declined,
            ][n % 3],
            reason: None,
            version: 1,
            created_by: actor.id,
            created_at: at,
            updated_at: at,
        };
        sqlx::query(
            "INSERT INTO tasks (id, incident_id, agency_id, status, is_open, version, data, \
             audience, due_at_ms) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)",
        )
        .bind(t.id.to_string())
        .bind(inc.id.to_string())
        .bind(agency.to_string())
        .bind(t.status.as_str())
        .bind(t.status.is_open())
        .bind(serde_json::to_string(&t)?)
        .bind(marking::task_audience(&t, &inc))
        .bind(t.due_at.map(columns::millis))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
