//! The `tandem bench` workloads as the command line names them, and the
//! run of one (or all) of them, each printing its report line.

use clap::Subcommand;

use super::Target;

#[derive(Subcommand, Clone, Copy)]
pub enum BenchCmd {
    /// Acknowledged mutations/s from concurrent HTTP clients, beside raw SQLite.
    Writes {
        #[arg(long, default_value_t = 64)]
        clients: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Run twice, side by side: without checkpoints, then signing one
        /// every N ms (production signs every 5 minutes).
        #[arg(long)]
        checkpoint_every_ms: Option<u64>,
    },
    /// Commit-to-arrival latency of the event stream.
    Sse {
        #[arg(long, default_value_t = 100)]
        subscribers: usize,
        #[arg(long, default_value_t = 500)]
        rate: u64,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Every subscriber an observer and every incident TLP:GREEN: no
        /// filtering (the default mixes roles, agencies and markings).
        #[arg(long)]
        all_green: bool,
        /// Run twice, side by side: streams without the attention queue, then with it.
        #[arg(long)]
        attention_side_by_side: bool,
    },
    /// Console frame, event-apply and re-filter times with a large state.
    Console {
        #[arg(long, default_value_t = 100_000)]
        incidents: usize,
        #[arg(long, default_value_t = 2)]
        tasks_per_incident: usize,
    },
    /// Outbox drain after a cut, and catch-up after events elsewhere.
    Offline {
        #[arg(long, default_value_t = 1_000)]
        actions: usize,
        #[arg(long, default_value_t = 10_000)]
        missed: usize,
        #[arg(long, default_value_t = 20_000)]
        history: usize,
    },
    /// Snapshot time and memory with many incidents and tasks.
    Snapshot {
        #[arg(long, default_value_t = 100_000)]
        incidents: usize,
        #[arg(long, default_value_t = 2)]
        tasks_per_incident: usize,
    },
    /// The shift report and the attention queue over a long history.
    Report {
        #[arg(long, default_value_t = 100_000)]
        incidents: usize,
        #[arg(long, default_value_t = 72)]
        hours: i64,
    },
    /// The incidents export (CSV, GeoJSON) streamed over a long history.
    Export {
        #[arg(long, default_value_t = 100_000)]
        incidents: usize,
    },
    /// `audit verify` (chain and rows) over a long record.
    Verify {
        #[arg(long, default_value_t = 1_000_000)]
        events: usize,
    },
    /// `tandem witness --once` catching up on a long record, then again.
    Witness {
        #[arg(long, default_value_t = 1_000_000)]
        events: usize,
    },
}

/// Runs `workload`, or every default workload when none is named.
pub async fn run(target: &Target, workload: Option<BenchCmd>) -> anyhow::Result<()> {
    let all = [
        BenchCmd::Writes {
            clients: 64,
            seconds: 20,
            checkpoint_every_ms: None,
        },
        BenchCmd::Sse {
            subscribers: 100,
            rate: 500,
            seconds: 10,
            all_green: false,
            attention_side_by_side: false,
        },
        BenchCmd::Snapshot {
            incidents: 100_000,
            tasks_per_incident: 2,
        },
        BenchCmd::Console {
            incidents: 100_000,
            tasks_per_incident: 2,
        },
        BenchCmd::Offline {
            actions: 1_000,
            missed: 10_000,
            history: 20_000,
        },
    ];
    let chosen = workload.map(|w| vec![w]).unwrap_or_else(|| all.to_vec());
    for w in chosen {
        let line = match w {
            BenchCmd::Writes {
                clients,
                seconds,
                checkpoint_every_ms,
            } => {
                let plain = super::writes(target, clients, seconds).await?;
                match checkpoint_every_ms {
                    None => plain,
                    Some(ms) => {
                        let signing = super::Target {
                            checkpoint_every: Some(std::time::Duration::from_millis(ms)),
                            ..target.clone()
                        };
                        let signed = super::writes(&signing, clients, seconds).await?;
                        format!("{plain}\n{signed}")
                    }
                }
            }
            BenchCmd::Sse {
                subscribers,
                rate,
                seconds,
                all_green,
                attention_side_by_side,
            } => {
                let with = super::sse(target, subscribers, rate, seconds, all_green);
                if attention_side_by_side {
                    let without = super::Target {
                        no_attention: true,
                        ..target.clone()
                    };
                    let off = super::sse(&without, subscribers, rate, seconds, all_green).await?;
                    format!("{off}\n{}", with.await?)
                } else {
                    with.await?
                }
            }
            BenchCmd::Console {
                incidents,
                tasks_per_incident,
            } => super::console(incidents, tasks_per_incident)?,
            BenchCmd::Offline {
                actions,
                missed,
                history,
            } => super::offline(actions, missed, history).await?,
            BenchCmd::Snapshot {
                incidents,
                tasks_per_incident,
            } => super::snapshot(incidents, tasks_per_incident).await?,
            BenchCmd::Report { incidents, hours } => super::report(incidents, hours).await?,
            BenchCmd::Export { incidents } => super::export::export(incidents).await?,
            BenchCmd::Verify { events } => super::verify(events).await?,
            BenchCmd::Witness { events } => super::witness(events).await?,
        };
        println!("{line}");
    }
    Ok(())
}
