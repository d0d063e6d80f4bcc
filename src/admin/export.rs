//! The record taken out of the database and checked with nothing else:
//! `tandem admin audit export` writes the log as JSON Lines (one event a
//! line, exactly as hashed, checkpoints included), and `tandem audit verify
//! FILE --trust trust.toml` walks such a file with no database and no
//! server, so an auditor of either centre, or a third party, can check it.

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::Context;

use crate::model::Event;
use crate::model::chain::{Broken, Walk};
use crate::model::checkpoint::Trust;
use crate::model::event::GENESIS_HASH;
use crate::store::Store;

/// Events read from the database per page.
const PAGE: u32 = 5000;

/// Writes the events after `since` to `out` (0600: the record holds
/// everything, every marking included); returns (events, last seq).
pub async fn export(store: &dyn Store, since: u64, out: &Path) -> anyhow::Result<(u64, u64)> {
    crate::paths::create_private_file(out)?;
    let file = crate::paths::private_file_options()
        .write(true)
        .truncate(true)
        .open(out)
        .with_context(|| format!("writing {}", out.display()))?;
    let mut w = std::io::BufWriter::new(file);
    let (mut count, mut last) = (0u64, since);
    loop {
        let page = store.events_after(last, PAGE).await?;
        let Some(end) = page.last() else { break };
        last = end.event.seq;
        for l in &page {
            serde_json::to_writer(&mut w, &l.event)?;
            w.write_all(b"\n")?;
            count += 1;
        }
    }
    w.flush()?;
    w.into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()
        .with_context(|| format!("writing {}", out.display()))?;
    Ok((count, last))
}

/// `tandem audit verify FILE [--trust FILE]`: prints every finding and the
/// head; exits 3 when there is any.
pub fn run_verify(file: &Path, trust: Option<&Path>) -> anyhow::Result<()> {
    let trust = match trust {
        Some(path) => super::keys::load_trust(path)?,
        None => Trust::default(),
    };
    let report = verify_file(file, &trust)?;
    for b in &report.broken {
        let what = if b.checkpoint { "checkpoint" } else { "chain" };
        println!(
            "{what} at seq {}: expected {}, found {}",
            b.seq, b.expected, b.found
        );
    }
    let from = if report.first_seq > 1 {
        format!(
            " (from seq {}: earlier events are not in the file)",
            report.first_seq
        )
    } else {
        String::new()
    };
    println!("{} events{from}, head {}", report.events, report.head);
    if !report.broken.is_empty() {
        println!("{} finding(s): the record is damaged", report.broken.len());
        std::process::exit(3);
    }
    if trust.is_empty() {
        println!("the chain is whole (no trust file: checkpoint signatures not checked)");
    } else {
        println!("the record is whole");
    }
    Ok(())
}

/// What walking an exported file found.
pub struct FileReport {
    pub events: u64,
    pub first_seq: u64,
    pub head: String,
    pub broken: Vec<Broken>,
}

/// Walks an exported log. A file that starts after seq 1 (`--since`) is
/// checked from its first event's `prev_hash` on.
pub fn verify_file(path: &Path, trust: &Trust) -> anyhow::Result<FileReport> {
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut walk: Option<Walk> = None;
    let mut first_seq = 0;
    let mut broken = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let e: Event = serde_json::from_str(&line)
            .with_context(|| format!("{} line {}: not an event", path.display(), n + 1))?;
        let walk = walk.get_or_insert_with(|| {
            first_seq = e.seq;
            if e.seq <= 1 {
                Walk::after(0, GENESIS_HASH, trust)
            } else {
                Walk::after(e.seq - 1, &e.prev_hash, trust)
            }
        });
        broken.extend(walk.step(&e));
    }
    let (events, head) = match &walk {
        Some(w) => (w.events, w.head().to_string()),
        None => (0, GENESIS_HASH.to_string()),
    };
    Ok(FileReport {
        events,
        first_seq,
        head,
        broken,
    })
}
