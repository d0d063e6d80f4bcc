//! `tandem witness --once` over a long record: a witness with an empty copy
//! catches up on `events` events (one incident created per event, written
//! straight into the database with a true hash chain), then re-reads the
//! whole past, compares every served entity and waits for the server's own
//! check; run again, as after a night away, it finds nothing new and checks
//! everything once more. The witness runs as its own process, so its time
//! and peak memory are its own (its VmHWM).

use std::io::Read;
use std::process::Command;
use std::time::{Duration, Instant};

use super::BenchServer;
use crate::model::checkpoint::Signer;
use crate::model::{Centre, Role};

pub async fn witness(events: usize) -> anyhow::Result<String> {
    let server = BenchServer::start().await?;
    super::verify::fill(&server, events).await?;
    let (_, token) = crate::admin::add_officer(
        server.store.as_ref(),
        "Bench witness",
        Role::Auditor,
        Centre::Ben,
        None,
    )
    .await?;
    let dir = server.db_path.with_file_name("witness");
    let trust = server.db_path.with_file_name("trust.toml");
    let key = Signer::from_secret(Centre::Trp, [3; 32]).public_hex();
    std::fs::write(&trust, format!("[trust]\nTRP = \"{key}\"\n"))?;
    let args = vec![
        "witness".to_string(),
        "--once".into(),
        "--server".into(),
        server.url.clone(),
        "--token".into(),
        token,
        "--config".into(),
        "/nonexistent/tandem-bench.toml".into(),
        "--dir".into(),
        dir.display().to_string(),
        "--trust".into(),
        trust.display().to_string(),
    ];
    let first = tokio::task::spawn_blocking({
        let args = args.clone();
        move || run(&args)
    })
    .await??;
    let again = tokio::task::spawn_blocking(move || run(&args)).await??;
    server.stop().await?;
    Ok(format!(
        "witness: {events} events from an empty copy in {:.1} s, peak RSS {:.0} MiB — {}\n\
         witness: again with nothing new in {:.1} s, peak RSS {:.0} MiB — {}",
        first.took.as_secs_f64(),
        first.peak_mib,
        first.said,
        again.took.as_secs_f64(),
        again.peak_mib,
        again.said
    ))
}

struct Run {
    took: Duration,
    peak_mib: f64,
    said: String,
}

/// Runs the witness to its end; its wall time, peak RSS and summary line.
fn run(args: &[String]) -> anyhow::Result<Run> {
    let started = Instant::now();
    let mut child = Command::new(std::env::current_exe()?)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let pid = child.id() as libc::pid_t;
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_string(&mut text);
            }
            text
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    // The child's own high-water mark, sampled until it exits (getrusage
    // would count the parent's pages it was forked with).
    let mut peak_kib = 0u64;
    let mut status = 0;
    loop {
        let hwm = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok());
        peak_kib = peak_kib.max(hwm.unwrap_or(0));
        // SAFETY: waitpid on our own child, with a valid pointer.
        let waited = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        anyhow::ensure!(waited >= 0, "waiting for the witness failed");
        if waited == pid {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = started.elapsed();
    let said = stdout.join().unwrap_or_default().trim().to_string();
    let complained = stderr.join().unwrap_or_default();
    anyhow::ensure!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the witness did not find the bench record whole: {complained}"
    );
    Ok(Run {
        took,
        peak_mib: peak_kib as f64 / 1024.0,
        said: said.trim_start_matches("witness: ").to_string(),
    })
}
