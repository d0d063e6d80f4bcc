//! Commit-to-arrival latency of the live stream with many subscribers.
//!
//! By default the subscribers are a mix of roles, centres and agencies and
//! the incidents written cycle through every handling marking, so each
//! stream is filtered for its officer as in service; `--all-green` measures
//! the unfiltered case (everyone sees everything) beside it.

use std::time::{Duration, Instant};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{BenchServer, Target, ms, percentile};
use crate::client::{Client, new_key};
use crate::model::{Centre, Role, Severity, Tlp};

/// The subscribers' officers, in turn: (role, centre, agency of a liaison).
const PROFILES: [(Role, Centre, Option<&str>); 8] = [
    (Role::Observer, Centre::Ben, None),
    (Role::DutyOfficer, Centre::Trp, None),
    (Role::Supervisor, Centre::Trp, None),
    (Role::DutyOfficer, Centre::Ben, None),
    (Role::Supervisor, Centre::Ben, None),
    (Role::Liaison, Centre::Trp, Some("LCG-W")),
    (Role::Liaison, Centre::Ben, Some("ISA")),
    (Role::Liaison, Centre::Trp, Some("CUS-W")),
];

/// The title of the last incident written: every subscriber sees it and stops.
const END: &str = "sse bench end";

/// `subscribers` streams while writers commit `rate` events/s for `seconds`.
pub async fn sse(
    target: &Target,
    subscribers: usize,
    rate: u64,
    seconds: u64,
    all_green: bool,
) -> anyhow::Result<String> {
    let server = BenchServer::start_on(target).await?;
    warm_up(&server).await?;
    // Each subscriber is a console of its own officer (an officer may hold
    // only a few streams at once).
    let mut tokens = Vec::with_capacity(subscribers);
    for n in 0..subscribers {
        let (role, centre, agency) = if all_green {
            PROFILES[0]
        } else {
            PROFILES[n % PROFILES.len()]
        };
        let (_, token) = crate::admin::add_officer(
            server.store.as_ref(),
            &format!("Bench console {n}"),
            role,
            centre,
            agency,
        )
        .await?;
        tokens.push(token);
    }
    let codes = crate::model::Viewer::everything();
    let agencies = server.store.agencies(&codes).await?;
    let id_of = |code: &str| agencies.iter().find(|a| a.code == code).map(|a| a.id);
    let (lead, listed) = (id_of("LCG-W"), id_of("ISA"));
    let head = server.store.head().await?;
    let total = (rate * seconds) as usize;
    let mut readers = Vec::new();
    for (n, token) in tokens.iter().enumerate() {
        let client = Client::new(&server.urls[n % server.urls.len()], token)?;
        let mut stream = client.events(head).await?;
        readers.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(total);
            let mut queues = 0usize;
            loop {
                match tokio::time::timeout(Duration::from_secs(10), stream.next()).await {
                    Ok(Some(Ok(crate::api::StreamItem::Event(e)))) => {
                        let at = OffsetDateTime::parse(&e.at, &Rfc3339)
                            .unwrap_or(OffsetDateTime::now_utc());
                        let d = OffsetDateTime::now_utc() - at;
                        lat.push(Duration::try_from(d).unwrap_or_default());
                        if e.data.get().contains(END) {
                            return (lat, true, queues);
                        }
                    }
                    Ok(Some(Ok(crate::api::StreamItem::Attention(_)))) => queues += 1,
                    Ok(Some(Ok(_))) => {}
                    _ => return (lat, false, queues),
                }
            }
        }));
    }
    // Paced writers: 10 of them, each at rate/10, so one slow answer does not stall the pace.
    let writers = 10u64;
    let interval = Duration::from_secs_f64(writers as f64 / rate as f64);
    let started = Instant::now();
    let mut ws = Vec::new();
    for w in 0..writers {
        // Writers on the other instance when there are two: events cross instances.
        let client = Client::new(
            &server.urls[(w as usize + 1) % server.urls.len()],
            &server.duty.1,
        )?;
        let per_writer = total as u64 / writers;
        ws.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut answered = Vec::with_capacity(per_writer as usize);
            for i in 0..per_writer {
                tick.tick().await;
                let mut n = super::writes_incident(w as usize * 1_000_000 + i as usize);
                n.title = format!("sse bench {w}/{i}");
                // Every severity: the high and critical ones change the
                // attention queue of the centre's officers as they arrive.
                n.severity = Severity::ALL[i as usize % Severity::ALL.len()];
                if !all_green {
                    n.tlp = Tlp::ALL[(i as usize + w as usize) % Tlp::ALL.len()];
                    n.lead_agency_id = lead;
                    n.shared_with = listed.into_iter().collect();
                }
                let sent = Instant::now();
                let _ = client.create_incident(&new_key(), &n).await;
                answered.push(sent.elapsed());
            }
            answered
        }));
    }
    let mut answered = Vec::new();
    for w in ws {
        answered.extend(w.await?);
    }
    answered.sort();
    let wrote_in = started.elapsed();
    let mut end = super::writes_incident(0);
    end.title = END.into();
    Client::new(&server.url, &server.duty.1)?
        .create_incident(&new_key(), &end)
        .await?;
    let mut lat = Vec::new();
    let mut short = 0;
    let mut queues = 0;
    for r in readers {
        let (l, ended, q) = r.await?;
        if !ended {
            short += 1;
        }
        queues += q;
        lat.extend(l);
    }
    lat.sort();
    server.stop().await?;
    Ok(format!(
        "sse ({}, {}): {subscribers} subscribers, {} events in {:.1} s ({:.0}/s): {} deliveries, {short} subscribers short, {queues} attention queues pushed; commit-to-arrival p50 {}, p99 {}, max {} (the write's answer: p50 {}, p99 {})",
        target.describe(),
        if all_green {
            "all green, unfiltered"
        } else {
            "mixed markings and roles"
        },
        total,
        wrote_in.as_secs_f64(),
        total as f64 / wrote_in.as_secs_f64(),
        lat.len(),
        ms(percentile(&lat, 0.50)),
        ms(percentile(&lat, 0.99)),
        ms(lat.last().copied().unwrap_or_default()),
        ms(percentile(&answered, 0.50)),
        ms(percentile(&answered, 0.99)),
    ))
}

/// Writes through every instance before measuring, so the figures are the
/// steady state: a fresh instance's first batches pay for its database
/// connections and first statement plans (about 100 ms once, on PostgreSQL).
async fn warm_up(server: &BenchServer) -> anyhow::Result<()> {
    let mut tasks = Vec::new();
    for (u, url) in server.urls.iter().enumerate() {
        for w in 0..10 {
            let client = Client::new(url, &server.duty.1)?;
            tasks.push(tokio::spawn(async move {
                for i in 0..10 {
                    let mut n = super::writes_incident(900_000_000 + u * 1000 + w * 10 + i);
                    n.title = format!("warm-up {u}/{w}/{i}");
                    client.create_incident(&new_key(), &n).await?;
                }
                anyhow::Ok(())
            }));
        }
    }
    for t in tasks {
        t.await??;
    }
    Ok(())
}
