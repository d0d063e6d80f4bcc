//! The incidents export over a long history: 100k incidents (the report
//! bench's history) streamed as CSV and as GeoJSON over HTTP and drained by
//! the client as they arrive, timed, with the process's peak RSS (server
//! and client together; run alone for that figure).

use std::time::Instant;

use futures::StreamExt;
use time::OffsetDateTime;

use super::{BenchServer, ms, reset_peak_rss, rss_mib};

pub async fn export(incidents: usize) -> anyhow::Result<String> {
    let server = BenchServer::start().await?;
    let agency = server.first_agency().await?;
    super::report::fill(&server, incidents, 72, agency, OffsetDateTime::now_utc()).await?;
    let http = reqwest::Client::new();
    let (before, _) = rss_mib();
    let mut lines = Vec::new();
    for format in ["csv", "geojson"] {
        reset_peak_rss();
        let start = Instant::now();
        let res = http
            .get(format!("{}/api/v1/export/incidents", server.url))
            .query(&[("format", format)])
            .bearer_auth(&server.duty.1)
            .send()
            .await?
            .error_for_status()?;
        let mut body = res.bytes_stream();
        let mut bytes = 0usize;
        while let Some(chunk) = body.next().await {
            bytes += chunk?.len();
        }
        let took = start.elapsed();
        let (_, peak) = rss_mib();
        lines.push(format!(
            "{format} {:.1} MB in {}, peak RSS {peak:.0} MiB",
            bytes as f64 / 1e6,
            ms(took)
        ));
    }
    server.stop().await?;
    Ok(format!(
        "export: {incidents} incidents over HTTP, drained as streamed (RSS {before:.0} MiB before; server and client together): {}",
        lines.join("; ")
    ))
}
