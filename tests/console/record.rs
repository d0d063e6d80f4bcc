//! The record's health as the console shows it: a server that started on a
//! damaged record (`serve --accept-damaged`) says so to every console.

use tandem::api::{Finding, FindingKind, VerifyReport};
use tandem::console::action::{Action, NetEvent};
use tandem::console::app::update;
use tandem::console::context::Level;
use tandem::model::checkpoint;
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

#[test]
fn a_witness_alarm_is_an_error_every_console_shows() {
    let mut f = fixture(Role::Supervisor, (160, 40));
    let alarm = tandem::api::WitnessAlarm {
        witness: "BEN witness (BEN)".into(),
        findings: vec![Finding {
            kind: FindingKind::Fork,
            seq: Some(77),
            entity: None,
            expected: "event 77 as this witness received it".into(),
            found: "an event 77 that hashes to 12ab".into(),
        }],
        findings_total: 5,
    };
    let mut e = event(
        f.app.ctx.mirror.seq + 1,
        EventKind::WitnessAlarm,
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
    e.data = serde_json::value::to_raw_value(&alarm).unwrap();
    update(&mut f.app, Action::Net(NetEvent::Event(Box::new(e))));
    let said = f.app.ctx.messages.last().unwrap();
    assert_eq!(said.level, Level::Error);
    assert!(
        said.text.contains("WITNESS ALARM from BEN witness (BEN)")
            && said.text.contains("5 finding(s)")
            && said.text.contains("event 77"),
        "{}",
        said.text
    );
    assert!(render(&f.app, 160, 40).join("\n").contains("WITNESS ALARM"));
}

/// An event with a true hash, linked to `prev`.
fn chained(prev: &str, seq: u64, kind: EventKind, entity: EntityKind, data: &str) -> Event {
    let mut e = Event {
        seq,
        at: "2026-11-30T12:00:00Z".into(),
        actor: "server".into(),
        kind,
        entity,
        entity_id: uuid::Uuid::from_u128(seq as u128),
        version: 1,
        data: serde_json::value::RawValue::from_string(data.into()).unwrap(),
        prev_hash: prev.into(),
        hash: String::new(),
    };
    e.hash = e.computed_hash();
    e
}

fn fresh() -> tandem::client::mirror::Mirror {
    tandem::client::mirror::Mirror::from_snapshot(tandem::api::Snapshot {
        seq: 0,
        head_hash: Some(tandem::model::event::GENESIS_HASH.into()),
        centres: vec![],
        agencies: vec![],
        units: vec![],
        incidents: vec![],
        tasks: vec![],
        officers: vec![],
    })
}

#[test]
fn the_console_checks_links_hashes_and_checkpoints_of_what_it_receives() {
    let signer = checkpoint::Signer::from_secret(Centre::Trp, [1; 32]);
    let mut m = fresh();
    let e1 = chained(
        tandem::model::event::GENESIS_HASH,
        1,
        EventKind::NoteAdded,
        EntityKind::Note,
        r#"{"x":1}"#,
    );
    m.apply(&e1).unwrap();
    let cp = signer.checkpoint(1, &e1.hash, "2026-11-30T12:00:00Z");
    let e2 = chained(
        &e1.hash,
        2,
        EventKind::AuditCheckpoint,
        EntityKind::Audit,
        &serde_json::to_string(&cp).unwrap(),
    );
    m.apply(&e2).unwrap();
    assert_eq!(m.record.checkpoint, Some(1));
    assert_eq!(m.record.mismatch, None);
    // A unit blanked for this officer (need-to-know) is not a mismatch.
    let unit_json = |position: &str| {
        format!(
            r#"{{"id":"00000000-0000-0000-0000-000000000003","agency_id":"00000000-0000-0000-0000-000000000009","callsign":"C-1","capability":"boat","home_sector":"s","status":"available","last_position":{position},"updated_at":"2026-11-30T10:00:00Z","version":1}}"#
        )
    };
    let mut unit = chained(
        &e2.hash,
        3,
        EventKind::UnitUpdated,
        EntityKind::Unit,
        &unit_json(r#"{"lat":32.9,"lon":12.1}"#),
    );
    unit.data = serde_json::value::RawValue::from_string(unit_json("null")).unwrap();
    m.apply(&unit).unwrap();
    assert_eq!(m.record.mismatch, None);
    // After a skip the next link cannot be checked, but its hash still is.
    m.skip(5);
    let e6 = chained(
        "f".repeat(64).as_str(),
        6,
        EventKind::NoteAdded,
        EntityKind::Note,
        "{}",
    );
    m.apply(&e6).unwrap();
    assert_eq!(m.record.mismatch, None);
    // An event altered after it was hashed.
    let mut e7 = chained(
        &e6.hash,
        7,
        EventKind::NoteAdded,
        EntityKind::Note,
        r#"{"t":"a"}"#,
    );
    e7.data = serde_json::value::RawValue::from_string(r#"{"t":"b"}"#.into()).unwrap();
    m.apply(&e7).unwrap();
    assert_eq!(m.record.mismatch, Some(7));
    // A link that does not hold (another history), with a correct hash of its own.
    let mut other = fresh();
    other.apply(&e1).unwrap();
    let forked = chained(
        &"0".repeat(64),
        2,
        EventKind::NoteAdded,
        EntityKind::Note,
        "{}",
    );
    other.apply(&forked).unwrap();
    assert_eq!(other.record.mismatch, Some(2));
    // A checkpoint over another head.
    let mut third = fresh();
    third.apply(&e1).unwrap();
    let wrong = signer.checkpoint(1, &"a".repeat(64), "2026-11-30T12:00:00Z");
    let bad_cp = chained(
        &e1.hash,
        2,
        EventKind::AuditCheckpoint,
        EntityKind::Audit,
        &serde_json::to_string(&wrong).unwrap(),
    );
    third.apply(&bad_cp).unwrap();
    assert_eq!(third.record.mismatch, Some(2));
    assert_eq!(third.record.checkpoint, None);
}

#[test]
fn the_header_says_record_verified_or_mismatch() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    f.app.ctx.mirror.record = tandem::client::mirror::Record {
        head: None,
        mismatch: None,
        checkpoint: Some(41),
    };
    assert!(render(&f.app, 200, 60)[0].contains("record ✓ seq 41"));
    f.app.ctx.mirror.record.mismatch = Some(57);
    let top = render(&f.app, 200, 60)[0].clone();
    assert!(
        top.contains("RECORD MISMATCH seq 57") && !top.contains("record ✓"),
        "{top}"
    );
}

#[test]
fn true_events_raise_no_mismatch_and_an_altered_one_does() {
    let mut f = fixture(Role::DutyOfficer, (160, 40));
    let me = f.app.ctx.me.clone().unwrap();
    let i = incident(
        &me,
        60,
        "Boat off Zuwara",
        Severity::Low,
        IncidentStatus::Reported,
        1,
    );
    let seq = f.app.ctx.mirror.seq;
    let e = event(seq + 1, EventKind::IncidentCreated, &i);
    update(&mut f.app, Action::Net(NetEvent::Event(Box::new(e))));
    assert_eq!(f.app.ctx.mirror.record.mismatch, None);
    let mut altered = event(seq + 2, EventKind::IncidentUpdated, &i);
    altered.actor = "someone else".into();
    update(&mut f.app, Action::Net(NetEvent::Event(Box::new(altered))));
    assert_eq!(f.app.ctx.mirror.record.mismatch, Some(seq + 2));
    assert!(render(&f.app, 160, 40)[0].contains("RECORD MISMATCH"));
}

#[test]
fn shift_commands_ask_the_network_side_and_show_its_answer() {
    use tandem::console::action::Effect;
    use tandem::console::shifts::ShiftStep;
    let mut f = fixture(Role::DutyOfficer, (160, 40));
    let effects = colon(&mut f.app, "shift end Watch the coast road");
    assert!(
        effects.contains(&Effect::Shift(ShiftStep::End {
            note: "Watch the coast road".into()
        })),
        "{effects:?}"
    );
    assert!(colon(&mut f.app, "shift start").contains(&Effect::Shift(ShiftStep::Start)));
    assert!(colon(&mut f.app, "ack-handover").contains(&Effect::Shift(ShiftStep::Acknowledge)));
    // A word it does not know: said, nothing sent.
    assert!(colon(&mut f.app, "shift lunch").is_empty());
    assert!(
        f.app
            .ctx
            .messages
            .last()
            .unwrap()
            .text
            .contains(":shift start")
    );
    update(
        &mut f.app,
        Action::Net(NetEvent::Shifted(Ok(
            "shift ended; handover not yet acknowledged".into(),
        ))),
    );
    assert!(
        render(&f.app, 160, 40)
            .join("\n")
            .contains("handover not yet acknowledged")
    );
}

#[test]
fn the_header_names_who_is_on_duty_at_both_centres_where_there_is_room() {
    use tandem::model::shift::Shift;
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let person = |name: &str, role: Role, centre: Centre| Officer {
        id: uuid::Uuid::now_v7(),
        name: name.into(),
        role,
        centre,
        agency_id: None,
    };
    let now = f.app.ctx.now;
    let shifts = vec![
        Shift::start(
            &person("Salem Al-Tarhuni", Role::DutyOfficer, Centre::Trp),
            uuid::Uuid::now_v7(),
            now,
        )
        .unwrap(),
        Shift::start(
            &person("Col. Amal Haddad", Role::Supervisor, Centre::Trp),
            uuid::Uuid::now_v7(),
            now,
        )
        .unwrap(),
        Shift::start(
            &person("Fatima Al-Barasi", Role::DutyOfficer, Centre::Ben),
            uuid::Uuid::now_v7(),
            now,
        )
        .unwrap(),
    ];
    update(&mut f.app, Action::Net(NetEvent::OnDuty(shifts.clone())));
    let wide = render(&f.app, 200, 60);
    assert!(
        wide[0].contains("TRP: Salem DO · Amal SUP │ BEN: Fatima DO"),
        "{}",
        wide[0]
    );
    // Amal forgot to end hers: 13 hours on, the header says so.
    let mut forgotten = shifts;
    forgotten[1].started_at -= time::Duration::hours(14);
    forgotten[1].end_due_at -= time::Duration::hours(14);
    update(&mut f.app, Action::Net(NetEvent::OnDuty(forgotten)));
    let wide = render(&f.app, 200, 60);
    assert!(
        wide[0].contains("Amal SUP (end overdue) │ BEN: Fatima DO"),
        "{}",
        wide[0]
    );
    // At 80 columns the link state and the clock keep their place; who is
    // on duty gives way (to counts, or to nothing).
    let narrow = render(&f.app, 80, 24);
    assert!(
        narrow[0].contains("LIVE") || narrow[0].contains("CONNECTING"),
        "{}",
        narrow[0]
    );
    assert!(narrow[0].contains("Z"), "the clock: {}", narrow[0]);
    assert!(!narrow[0].contains("Fatima"), "{}", narrow[0]);
}
