//! The record checked before `serve` takes a request: a server must not
//! write on after a history it cannot vouch for without a word.

use anyhow::bail;

use crate::api::VerifyReport;
use crate::model::checkpoint::Trust;
use crate::store::{Actor, Command, Request, Store};

/// Findings carried in the `audit.findings` event (all are counted).
const IN_EVENT: usize = 20;

/// Verifies the record; on a finding refuses to go on, unless
/// `accept_damaged`, when the findings are logged and recorded in the log.
pub async fn check_at_start(
    store: &dyn Store,
    trust: &Trust,
    accept_damaged: bool,
) -> anyhow::Result<()> {
    let report = store.verify(trust).await?;
    if report.ok {
        tracing::info!(
            "record verified: {} events, head {}",
            report.events,
            report.head
        );
        return Ok(());
    }
    eprintln!(
        "the record is damaged: {} finding(s) in {} events",
        report.findings_total, report.events
    );
    for f in report.findings.iter().take(IN_EVENT) {
        eprintln!("  {f}");
        tracing::error!("record damaged: {f}");
    }
    if !accept_damaged {
        bail!(
            "not serving a damaged record; see `tandem admin audit verify` for every finding, \
             or start with --accept-damaged to serve it anyway (the findings are then recorded \
             in the log for both centres to see)"
        );
    }
    let recorded = VerifyReport {
        findings: report.findings.into_iter().take(IN_EVENT).collect(),
        ..report
    };
    store
        .execute(Request {
            actor: Actor::Server,
            idempotency: None,
            command: Command::RecordFindings(Box::new(recorded)),
        })
        .await?;
    eprintln!(
        "serving anyway (--accept-damaged); the findings are recorded as an audit.findings event"
    );
    Ok(())
}
