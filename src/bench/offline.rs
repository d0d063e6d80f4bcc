//! Working through an outage: how fast a queued outbox drains when the link
//! returns, and how fast (and with how many bytes) a console catches up on
//! what happened elsewhere meanwhile.

use std::time::{Duration, Instant};

use futures::StreamExt;

use super::BenchServer;
use super::proxy::Proxy;
use crate::client::{Client, new_key};
use crate::console::action::{ApiCall, Link};
use crate::console::config::Config;
use crate::console::engine::Engine;

pub async fn offline(actions: usize, missed: usize, history: usize) -> anyhow::Result<String> {
    let server = BenchServer::start().await?;
    let client = Client::new(&server.url, &server.duty.1)?;
    create(&client, history).await?;
    let proxy = Proxy::start(server.url.trim_start_matches("http://").parse()?).await?;
    let state = std::env::temp_dir().join(format!("tandem-bench-console-{}", uuid::Uuid::now_v7()));
    let _cleanup = super::tempfile_dir::Dir(state.clone());
    let config = Config {
        server: proxy.url(),
        token: Some(server.duty.1.clone()),
        bell: false,
        ..Config::default()
    };
    let mut engine = Engine::start(&config, &state).await?;
    let wait = Duration::from_secs(120);
    anyhow::ensure!(
        engine
            .run_until(wait, |a| a.ctx.link == Link::Live && a.ctx.synced)
            .await?,
        "the console did not go live"
    );
    let target = client
        .create_incident(&new_key(), &super::writes_incident(0))
        .await?;

    // 1. Queue `actions` notes with the link cut, then time the drain.
    proxy.cut();
    anyhow::ensure!(
        engine.run_until(wait, |a| a.ctx.link != Link::Live).await?,
        "the cut went unnoticed"
    );
    for n in 0..actions {
        let call = ApiCall::Note {
            incident: target.id,
            text: format!("queued offline {n}"),
            what: format!("note {n}"),
        };
        engine.submit(call).await?;
    }
    let restored = Instant::now();
    proxy.restore();
    anyhow::ensure!(
        engine
            .run_until(Duration::from_secs(600), |a| a.ctx.outbox.is_empty())
            .await?,
        "the outbox did not drain"
    );
    let drain = restored.elapsed();

    // 2. Cut again while `missed` changes happen elsewhere; time the catch-up.
    proxy.cut();
    anyhow::ensure!(
        engine.run_until(wait, |a| a.ctx.link != Link::Live).await?,
        "the cut went unnoticed"
    );
    create(&client, missed).await?;
    let head = server.store.head().await?;
    let bytes_before = proxy.bytes_to_client();
    let snapshots_before = proxy.snapshots();
    let restored = Instant::now();
    proxy.restore();
    anyhow::ensure!(
        engine.run_until(wait, |a| a.ctx.link == Link::Live).await?,
        "the console did not reconnect"
    );
    let reconnect = restored.elapsed();
    let live = Instant::now();
    anyhow::ensure!(
        engine.run_until(wait, |a| a.ctx.mirror.seq >= head).await?,
        "the console did not catch up"
    );
    let catch_up = live.elapsed();
    let bytes = proxy.bytes_to_client() - bytes_before;
    let resnapshotted = proxy.snapshots() - snapshots_before;

    // What a full re-download would have cost instead.
    let snapshot_bytes = reqwest::Client::new()
        .get(format!("{}/api/v1/snapshot", server.url))
        .bearer_auth(&server.duty.1)
        .send()
        .await?
        .bytes_stream()
        .fold(
            0usize,
            |n, c| async move { n + c.map(|b| b.len()).unwrap_or(0) },
        )
        .await;
    server.stop().await?;
    Ok(format!(
        "offline: {actions} actions queued during a cut drained {:.2} s after the link returned ({:.0}/s); \
         after {missed} events elsewhere (on top of {history} earlier incidents): reconnected {:.2} s after the link returned (backoff), \
         then caught up in {:.2} s, {:.1} MB over the link \
         ({:.0} bytes per missed event, {resnapshotted} snapshots) against {:.1} MB for a full snapshot",
        drain.as_secs_f64(),
        actions as f64 / drain.as_secs_f64(),
        reconnect.as_secs_f64(),
        catch_up.as_secs_f64(),
        bytes as f64 / 1e6,
        bytes as f64 / missed.max(1) as f64,
        snapshot_bytes as f64 / 1e6,
    ))
}

/// Creates `n` incidents through 32 concurrent clients.
async fn create(client: &Client, n: usize) -> anyhow::Result<()> {
    let per = n.div_ceil(32);
    let mut tasks = Vec::new();
    for w in 0..32usize {
        let c = client.clone();
        let count = per.min(n.saturating_sub(w * per));
        tasks.push(tokio::spawn(async move {
            for i in 0..count {
                c.create_incident(&new_key(), &super::writes_incident(w * 1_000_000 + i))
                    .await?;
            }
            Ok::<_, crate::client::ClientError>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(())
}
