//! Handling markings in the console: on every row and in the detail as
//! text, set with `:tlp`, and an incident withdrawn by a `redacted` message
//! leaves the console.

use tandem::api::Redacted;
use tandem::console::action::{Action, NetEvent};
use tandem::console::app::update;
use tandem::model::*;

use super::common::render;
use super::fixture::*;

fn row_of<'a>(lines: &'a [String], reference: &str) -> &'a str {
    lines
        .iter()
        .find(|l| l.contains(reference))
        .unwrap_or_else(|| panic!("no row for {reference}"))
}

#[test]
fn every_row_and_the_detail_show_the_marking_as_text() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let selected = f.app.feed.selected.unwrap();
    let mut i = f.app.ctx.mirror.incidents[&selected].as_ref().clone();
    let green = f
        .app
        .ctx
        .mirror
        .incidents
        .values()
        .find(|o| o.id != selected)
        .unwrap()
        .reference
        .clone();
    i.tlp = Tlp::AmberStrict;
    i.version += 1;
    let seq = f.app.ctx.mirror.seq + 1;
    update(
        &mut f.app,
        Action::Net(NetEvent::Event(Box::new(event(
            seq,
            EventKind::IncidentUpdated,
            &i,
        )))),
    );
    let lines = render(&f.app, 200, 60);
    assert!(row_of(&lines, &i.reference).contains("AMB+S"), "{lines:#?}");
    assert!(row_of(&lines, &green).contains("GREEN"));
    // At 80 columns the marking stays on the row.
    f.app.ctx.size = (80, 24);
    let narrow = render(&f.app, 80, 24);
    assert!(
        row_of(&narrow, &i.reference).contains("AMB+S"),
        "{narrow:#?}"
    );
    f.app.ctx.size = (200, 60);
    update(&mut f.app, code(crossterm::event::KeyCode::Enter));
    let detail = render(&f.app, 200, 60).join("\n");
    assert!(detail.contains("TLP:AMBER+STRICT"), "{detail}");
}

#[test]
fn tlp_sets_the_level_and_who_it_is_shared_with() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let isa = f
        .app
        .ctx
        .mirror
        .agencies
        .values()
        .find(|a| a.code == "ISA")
        .unwrap()
        .id;
    let c = calls(&colon(&mut f.app, "tlp red ISA"));
    let p = the_patch(&c);
    assert_eq!(p.tlp, Some(Tlp::Red));
    assert_eq!(p.shared_with, Some(vec![isa]));
    assert_eq!(p.severity, None, "nothing but the marking");
    let c = calls(&colon(&mut f.app, "tlp amber"));
    assert_eq!(
        the_patch(&c).shared_with,
        None,
        "no agencies named: the list is kept"
    );
    assert!(calls(&colon(&mut f.app, "tlp red NOSUCH")).is_empty());
    assert!(
        f.app
            .ctx
            .messages
            .iter()
            .any(|m| m.text.contains("no agency with code `NOSUCH`")),
        "an unknown agency is named"
    );
    assert!(calls(&colon(&mut f.app, "tlp orange")).is_empty());
}

#[test]
fn a_redacted_incident_leaves_the_feed_and_skips_move_the_cursor() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let selected = f.app.feed.selected.unwrap();
    let reference = f.app.ctx.mirror.incidents[&selected].reference.clone();
    let seq = f.app.ctx.mirror.seq;
    let effects = update(
        &mut f.app,
        Action::Net(NetEvent::Redacted(Redacted {
            seq: seq + 1,
            entity: EntityKind::Incident,
            entity_id: selected,
        })),
    );
    assert!(effects.is_empty(), "no resync: {effects:?}");
    assert!(!f.app.ctx.mirror.incidents.contains_key(&selected));
    assert!(
        f.app
            .ctx
            .mirror
            .tasks
            .values()
            .all(|t| t.incident_id != selected)
    );
    let lines = render(&f.app, 200, 60);
    assert!(
        !lines
            .iter()
            .any(|l| l.contains(&reference) && !l.contains("no longer shared")),
        "still listed: {lines:#?}"
    );
    assert!(
        f.app
            .ctx
            .messages
            .iter()
            .any(|m| m.text.contains("no longer shared"))
    );
    // Events hidden from this officer: the stream says so, and the next one applies.
    update(&mut f.app, Action::Net(NetEvent::Skip(seq + 9)));
    let me = f.app.ctx.me.clone().unwrap();
    let new = incident(
        &me,
        40,
        "After a skip",
        Severity::Low,
        IncidentStatus::Reported,
        1,
    );
    let effects = update(
        &mut f.app,
        Action::Net(NetEvent::Event(Box::new(event(
            seq + 10,
            EventKind::IncidentCreated,
            &new,
        )))),
    );
    assert!(
        effects
            .iter()
            .all(|e| !matches!(e, tandem::console::action::Effect::Resync))
    );
    assert!(f.app.ctx.mirror.incidents.contains_key(&new.id));
}

#[test]
fn a_redacted_task_leaves_its_incident_and_the_task_lists() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let task = a_task(&f.app);
    let seq = f.app.ctx.mirror.seq;
    let effects = update(
        &mut f.app,
        Action::Net(NetEvent::Redacted(Redacted {
            seq: seq + 1,
            entity: EntityKind::Task,
            entity_id: task.id,
        })),
    );
    assert!(effects.is_empty(), "{effects:?}");
    assert!(!f.app.ctx.mirror.tasks.contains_key(&task.id));
    assert!(
        f.app.ctx.mirror.incidents.contains_key(&task.incident_id),
        "the incident stays"
    );
    assert!(
        f.app
            .ctx
            .tasks_of(&task.incident_id)
            .iter()
            .all(|t| t.id != task.id)
    );
    assert!(f.app.ctx.open_tasks.iter().all(|(_, id)| *id != task.id));
}
