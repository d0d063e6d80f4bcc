//! The record's health as the console shows it: a server that started on a
//! damaged record (`serve --accept-damaged`) says so to every console.

use tandem::api::{Finding, FindingKind, VerifyReport};
use tandem::console::action::{Action, NetEvent};
use tandem::console::app::update;
use tandem::console::context::Level;
use tandem::model::*;

use super::common::render;
use super::fixture::*;

#[test]
fn an_audit_findings_event_is_an_error_every_console_shows() {
    let mut f = fixture(Role::DutyOfficer, (160, 40));
    let report = VerifyReport {
        ok: false,
        events: 120,
        head: "ab".repeat(32),
        first_bad_seq: None,
        findings: vec![Finding {
            kind: FindingKind::Row,
            seq: Some(42),
            entity: Some("incident 0193".into()),
            expected: "the incident as event 42 left it".into(),
            found: "a row that differs".into(),
        }],
        findings_total: 3,
    };
    // A signed checkpoint is part of the record, not an alarm.
    let mut cp = event(
        f.app.ctx.mirror.seq + 1,
        EventKind::AuditCheckpoint,
        &incident(
            f.app.ctx.me.as_ref().unwrap(),
            51,
            "unused",
            Severity::Low,
            IncidentStatus::Reported,
            1,
        ),
    );
    cp.entity = EntityKind::Audit;
    let said_before = f.app.ctx.messages.len();
    update(&mut f.app, Action::Net(NetEvent::Event(Box::new(cp))));
    assert_eq!(
        f.app.ctx.messages.len(),
        said_before,
        "a checkpoint says nothing"
    );
    let mut e = event(
        f.app.ctx.mirror.seq + 1,
        EventKind::AuditFindings,
        &incident(
            f.app.ctx.me.as_ref().unwrap(),
            50,
            "unused",
            Severity::Low,
            IncidentStatus::Reported,
            1,
        ),
    );
    e.entity = EntityKind::Audit;
    e.data = serde_json::value::to_raw_value(&report).unwrap();
    update(&mut f.app, Action::Net(NetEvent::Event(Box::new(e))));
    let said = f.app.ctx.messages.last().unwrap();
    assert_eq!(said.level, Level::Error);
    assert!(
        said.text.contains("RECORD DAMAGED")
            && said.text.contains("3 finding(s)")
            && said.text.contains("incident 0193"),
        "{}",
        said.text
    );
    assert!(
        render(&f.app, 160, 40)
            .join("\n")
            .contains("RECORD DAMAGED")
    );
}
