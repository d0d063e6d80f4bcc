//! `tandem witness`: a centre's own proof of the joint record.
//!
//! The witness signs in with an auditor account, copies the log into its own
//! append-only SQLite file (checking every event's link and hash, and every
//! checkpoint's signature and head against the hash it computed itself),
//! then follows the live stream. At start and at each recheck it also reads
//! the server's whole log again against its copy (changed, deleted or forked
//! history), compares what the API serves with what the log says, and
//! relays the server's own check. Any inconsistency raises an alarm: a line
//! on stderr, a row in the copy, a `witness.alarm` posted to the server (best
//! effort) for both centres' consoles, and exit status 3. A witness that has
//! raised an alarm stops: it does not follow a record it cannot vouch for.

pub mod copy;
mod findings;
mod past;
mod state;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use tokio::time::Instant;

use crate::api::{ALARM_FINDINGS_MAX, FindingKind, StreamItem, WitnessAlarm};
use crate::client::{Client, new_key};
use crate::model::chain::Walk;
use crate::model::checkpoint::Trust;
use crate::model::{Event, Role};
use copy::Copy;
pub use findings::Findings;

/// Events per page of the log.
pub const PAGE: u32 = 5000;
/// Waits between attempts when the server cannot be reached, longest last.
const BACKOFF: [u64; 5] = [1, 2, 5, 10, 30];

pub struct Options {
    pub dir: PathBuf,
    pub trust: Trust,
    /// Check once and exit (0: whole, 3: alarm).
    pub once: bool,
    /// How often the past and the served state are checked again while following.
    pub recheck: Duration,
    /// How the alarms name this witness (default: its account and centre).
    pub name: Option<String>,
}

/// How a check ended.
#[derive(Debug)]
pub enum Verdict {
    Whole(Summary),
    Alarm(Findings),
}

/// What one full check looked at.
#[derive(Debug, Default)]
pub struct Summary {
    pub head: u64,
    pub head_hash: String,
    /// Events new to the copy.
    pub fetched: u64,
    /// Events of the past compared with the server's.
    pub compared: u64,
    /// Entities served compared with their last events.
    pub entities: u64,
    /// The seq the last checkpoint in the copy signs.
    pub signed: u64,
    /// Time spent catching up, re-reading the past, comparing the served
    /// state, and waiting for the server's own check.
    pub took: [Duration; 4],
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the record is whole through seq {} (hash {}): {} new event(s) verified, {} \
             compared again with the server, {} served entities checked; signed through seq {} \
             (catch-up {:.1} s, past {:.1} s, state {:.1} s, server's check {:.1} s)",
            self.head,
            self.head_hash,
            self.fetched,
            self.compared,
            self.entities,
            self.signed,
            self.took[0].as_secs_f64(),
            self.took[1].as_secs_f64(),
            self.took[2].as_secs_f64(),
            self.took[3].as_secs_f64(),
        )
    }
}

/// Runs the witness: once, or following until an alarm (or an error with `once`).
pub async fn run(client: &Client, options: Options) -> anyhow::Result<Verdict> {
    let me = client
        .me()
        .await
        .context("signing in to the server with the witness's token")?;
    anyhow::ensure!(
        me.role == Role::Auditor,
        "the witness signs in with an auditor account (it must read the whole record); \
         {} is a {}: add one with `tandem admin officer add --role auditor`",
        me.name,
        me.role
    );
    let name = options
        .name
        .clone()
        .unwrap_or_else(|| format!("witness {} ({})", me.name, me.centre));
    let mut copy = Copy::open(&options.dir).await?;
    let mut failures = 0usize;
    loop {
        let verdict = match check(client, &mut copy, &options.trust).await {
            Ok(v) => v,
            Err(e) if !options.once => {
                wait_after(&mut failures, &e).await;
                continue;
            }
            Err(e) => return Err(e),
        };
        let summary = match verdict {
            Verdict::Alarm(found) => return Ok(alarm(client, &mut copy, &name, found).await),
            Verdict::Whole(summary) => summary,
        };
        if options.once {
            return Ok(Verdict::Whole(summary));
        }
        tracing::info!("{summary}");
        failures = 0;
        let until = Instant::now() + options.recheck;
        let mut found = Findings::default();
        while Instant::now() < until {
            match follow(client, &mut copy, &options.trust, until, &mut found).await {
                Ok(()) => failures = 0,
                Err(e) => wait_after(&mut failures, &e).await,
            }
            if !found.is_empty() {
                return Ok(alarm(client, &mut copy, &name, found).await);
            }
        }
    }
}

async fn wait_after(failures: &mut usize, e: &anyhow::Error) {
    let secs = BACKOFF[(*failures).min(BACKOFF.len() - 1)];
    *failures += 1;
    tracing::warn!("witness: {e:#}; trying again in {secs} s");
    tokio::time::sleep(Duration::from_secs(secs)).await;
}

/// One full check: catch up, the past again, the served state, the server's own check.
pub async fn check(client: &Client, copy: &mut Copy, trust: &Trust) -> anyhow::Result<Verdict> {
    let mut found = Findings::default();
    let mut clock = std::time::Instant::now();
    let mut lap = |took: &mut Duration| {
        *took = clock.elapsed();
        clock = std::time::Instant::now();
    };
    // What was copied before this check is read again; what it copies now
    // was verified moments ago.
    let (held_before, _) = copy.head();
    let mut summary = Summary {
        fetched: catch_up(client, copy, trust, &mut found).await?,
        ..Summary::default()
    };
    lap(&mut summary.took[0]);
    if found.is_empty() {
        summary.compared = past::recheck(client, copy, held_before, &mut found).await?;
    }
    lap(&mut summary.took[1]);
    if found.is_empty() {
        let mut counts = state::Counts::default();
        let pending = state::check(client, copy, &mut found, &mut counts).await?;
        if !pending.is_empty() {
            summary.fetched += catch_up(client, copy, trust, &mut found).await?;
            state::settle(copy, pending, &mut found).await?;
        }
        summary.entities = counts.entities;
    }
    lap(&mut summary.took[2]);
    // The server's own check of what the API does not serve (officers,
    // notes); a check that does not answer is said, not an alarm.
    match client.verify_rows().await {
        Ok(report) => {
            // Those the server listed, then the count of those it did not.
            let unlisted = report
                .findings_total
                .saturating_sub(report.findings.len() as u64);
            for mut f in report.findings {
                f.found = format!("{} (the server's own check)", f.found);
                found.push(f);
            }
            found.total += unlisted;
        }
        Err(e) => eprintln!("tandem witness: the server's own check did not answer: {e}"),
    }
    lap(&mut summary.took[3]);
    if !found.is_empty() {
        return Ok(Verdict::Alarm(found));
    }
    let (head, hash) = copy.head();
    summary.head = head;
    summary.head_hash = hash.to_string();
    summary.signed = copy.signed();
    Ok(Verdict::Whole(summary))
}

/// Copies what the server has after the copy's head, verifying each event
/// before it is kept. Returns the events copied.
async fn catch_up(
    client: &Client,
    copy: &mut Copy,
    trust: &Trust,
    found: &mut Findings,
) -> anyhow::Result<u64> {
    let mut copied = 0;
    loop {
        let (held, _) = copy.head();
        let page = client.log(held, PAGE).await?;
        if page.head < held {
            found.at(
                FindingKind::Truncation,
                page.head.saturating_add(1),
                format!(
                    "a log through seq {held}{}",
                    past::signed_note(copy.signed(), page.head.saturating_add(1))
                ),
                format!("a log that ends at seq {}", page.head),
            );
            return Ok(copied);
        }
        if page.events.is_empty() {
            return Ok(copied);
        }
        let good = verified(copy, trust, &page.events, found);
        copy.append(&page.events[..good]).await?;
        copied += good as u64;
        if !found.is_empty() {
            return Ok(copied);
        }
    }
}

/// How many of `events` follow the copy's head, each the one before; what
/// breaks is a finding (a first event not linking to the copy is a fork).
fn verified(copy: &Copy, trust: &Trust, events: &[Event], found: &mut Findings) -> usize {
    let (held, hash) = copy.head();
    if let Some(first) = events.first()
        && first.seq == held.saturating_add(1)
        && first.prev_hash != hash
    {
        found.at(
            FindingKind::Fork,
            held,
            format!("event {held} as this witness holds it (hash {hash})"),
            format!(
                "event {} linking to another event {held} (hash {})",
                first.seq, first.prev_hash
            ),
        );
        return 0;
    }
    let mut walk = Walk::after(held, hash, trust);
    for (i, e) in events.iter().enumerate() {
        let broken = walk.step(e);
        if !broken.is_empty() {
            for b in broken {
                found.broken(b);
            }
            return i;
        }
    }
    events.len()
}

/// Follows the live stream from the copy's head until `until`, the link
/// fails, or an event does not check out.
async fn follow(
    client: &Client,
    copy: &mut Copy,
    trust: &Trust,
    until: Instant,
    found: &mut Findings,
) -> anyhow::Result<()> {
    // Whatever came while the stream was closed first, page by page.
    catch_up(client, copy, trust, found).await?;
    if !found.is_empty() {
        return Ok(());
    }
    let (held, _) = copy.head();
    let mut stream = client.events(held).await?;
    loop {
        let item = tokio::select! {
            _ = tokio::time::sleep_until(until) => return Ok(()),
            item = stream.next() => item,
        };
        let e = match item {
            None => anyhow::bail!("the event stream ended"),
            Some(Err(e)) => return Err(e.into()),
            Some(Ok(StreamItem::Event(e))) => e,
            Some(Ok(StreamItem::Attention(_) | StreamItem::Presence(_))) => continue,
            Some(Ok(other)) => anyhow::bail!(
                "the stream withheld seq {} from the witness: is its account an auditor?",
                other.seq().unwrap_or_default()
            ),
        };
        let events = [*e];
        if verified(copy, trust, &events, found) == 0 {
            return Ok(());
        }
        copy.append(&events).await?;
    }
}

/// Raises the alarm everywhere it can be heard; the copy is left as it was.
async fn alarm(client: &Client, copy: &mut Copy, name: &str, found: Findings) -> Verdict {
    let at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    for f in &found.list {
        eprintln!("tandem witness: ALARM: {f}");
        if let Err(e) = copy.record_alarm(&at, &f.to_string()).await {
            eprintln!("tandem witness: cannot keep the alarm in the copy: {e:#}");
        }
    }
    if found.total > found.list.len() as u64 {
        eprintln!(
            "tandem witness: ALARM: {} finding(s) more",
            found.total - found.list.len() as u64
        );
    }
    let message = WitnessAlarm {
        witness: name.chars().take(100).collect(),
        findings: found
            .list
            .iter()
            .take(ALARM_FINDINGS_MAX)
            .cloned()
            .map(shorten)
            .collect(),
        findings_total: found.total,
    };
    let posted = tokio::time::timeout(
        Duration::from_secs(10),
        client.raise_alarm(&new_key(), &message),
    )
    .await;
    match posted {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => eprintln!("tandem witness: could not tell the server: {e}"),
        Err(_) => eprintln!("tandem witness: could not tell the server: no answer in 10 s"),
    }
    Verdict::Alarm(found)
}

/// A finding within the alarm's limits.
fn shorten(mut f: crate::api::Finding) -> crate::api::Finding {
    let cut = |t: &mut String| {
        if t.chars().count() > 300 {
            *t = t.chars().take(299).chain(['…']).collect();
        }
    };
    cut(&mut f.expected);
    cut(&mut f.found);
    if let Some(e) = f.entity.as_mut() {
        cut(e);
    }
    f
}
