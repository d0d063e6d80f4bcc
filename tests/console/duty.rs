//! The duty screens in TestBackend: the attention queue (header count,
//! the screen, seen-marks, Enter and the triage keys on an item), the shift
//! screen, and the handover dialog that ends a shift.

use crossterm::event::KeyCode;
use tandem::console::action::{Action, ApiCall, Effect, NetEvent};
use tandem::console::app::Screen;
use tandem::console::app::update;
use tandem::console::shifts::ShiftStep;
use tandem::model::attention::Rule;
use tandem::model::{Centre, Officer, Role, Shift};
use uuid::Uuid;

use super::common::render;
use super::fixture::*;

fn screen(f: &Fixture, w: u16, h: u16) -> String {
    render(&f.app, w, h).join("\n")
}

#[test]
fn the_attention_queue_is_counted_in_the_header_and_worked_from_its_screen() {
    let mut f = fixture(Role::DutyOfficer, (120, 40));
    assert!(!render(&f.app, 120, 40)[0].contains("ATTENTION"));
    let q = attention_of(&f.app);
    // Omar's handover, and the critical incident nobody acknowledged.
    let rules: Vec<Rule> = q.items.iter().map(|i| i.rule).collect();
    assert_eq!(rules, [Rule::HandoverWaiting, Rule::Unacknowledged]);
    update(&mut f.app, Action::Net(NetEvent::Attention(q.clone())));
    assert!(render(&f.app, 120, 40)[0].contains("ATTENTION 2"));
    // Narrow, the count keeps its place in the header.
    assert!(
        render(&f.app, 80, 24)[0].contains("ATTENTION 2"),
        "{}",
        render(&f.app, 80, 24)[0]
    );

    update(&mut f.app, key('!'));
    let s = screen(&f, 120, 40);
    assert!(s.contains("Attention — 2 to see"), "{s}");
    let handover = s.lines().position(|l| l.contains("HANDOVER")).unwrap();
    let unacked = s.lines().position(|l| l.contains("UNACKED")).unwrap();
    assert!(handover < unacked, "the handover waits at the top: {s}");
    assert!(s.contains("Omar Haddad handed over the shift"), "{s}");
    assert!(s.contains("TRP-26-00001 critical not acknowledged"), "{s}");
    assert!(
        s.contains("to do: acknowledge the handover — :ack-handover"),
        "{s}"
    );

    // `x` marks the handover seen: at once on screen, and sent.
    let effects = update(&mut f.app, key('x'));
    assert_eq!(effects, [Effect::MarkSeen(vec![q.items[0].key.clone()])]);
    assert!(render(&f.app, 120, 40)[0].contains("ATTENTION 1"));
    // The selection moved on to the incident: its act, and the triage keys work on it.
    let s = screen(&f, 120, 40);
    assert!(s.contains("to do: acknowledge it — a"), "{s}");
    let effects = update(&mut f.app, key('a'));
    let acked: Vec<Uuid> = calls(&effects)
        .iter()
        .filter_map(|c| match c {
            ApiCall::PatchIncident { id, patch, .. } if patch.status.is_some() => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(acked, [f.overdue_critical.id]);
    // Enter goes to the incident.
    update(&mut f.app, code(KeyCode::Enter));
    assert!(matches!(&f.app.screen, Screen::Detail(d) if d.id == f.overdue_critical.id));
}

#[test]
fn outbox_troubles_lead_the_attention_screen() {
    let mut f = fixture(Role::DutyOfficer, (120, 40));
    let effects = update(&mut f.app, key('4'));
    queue(&mut f.app, &effects);
    update(
        &mut f.app,
        Action::Net(NetEvent::Refused {
            seq: 1,
            status: 403,
            reason: "not yours".into(),
        }),
    );
    update(&mut f.app, key('!'));
    let s = screen(&f, 120, 40);
    assert!(
        s.contains("OUTBOX    1 change(s) conflicted or refused"),
        "{s}"
    );
    update(&mut f.app, code(KeyCode::Enter));
    assert!(screen(&f, 120, 40).contains("Outbox —"));
}

fn person(name: &str, role: Role, centre: Centre) -> Officer {
    Officer {
        id: Uuid::now_v7(),
        name: name.into(),
        role,
        centre,
        agency_id: None,
    }
}

#[test]
fn the_shift_screen_shows_who_is_on_duty_connected_and_the_last_handover() {
    let mut f = fixture(Role::DutyOfficer, (120, 40));
    let me = f.app.ctx.me.clone().unwrap();
    let now = f.app.ctx.now;
    let hours = time::Duration::hours;
    let mine = Shift::start(&me, Uuid::now_v7(), now - hours(3)).unwrap();
    let fatima = person("Fatima Al-Barasi", Role::DutyOfficer, Centre::Ben);
    let theirs = Shift::start(&fatima, Uuid::now_v7(), now - hours(1)).unwrap();
    let omar = person("Omar Haddad", Role::DutyOfficer, Centre::Trp);
    let ended = Shift::start(&omar, Uuid::now_v7(), now - hours(12))
        .unwrap()
        .end(&omar, "Ghat quiet", Default::default(), now - hours(3))
        .unwrap();
    update(
        &mut f.app,
        Action::Net(NetEvent::OnDuty(vec![mine, theirs])),
    );
    update(&mut f.app, Action::Net(NetEvent::Handovers(vec![ended])));
    let present = |o: &Officer| tandem::api::Presence {
        officer_id: o.id,
        name: o.name.clone(),
        role: o.role,
        centre: o.centre,
        since: now,
    };
    let amal = person("Amal", Role::Observer, Centre::Trp);
    update(
        &mut f.app,
        Action::Net(NetEvent::Presence(vec![present(&me), present(&amal)])),
    );
    update(&mut f.app, key('S'));
    let s = screen(&f, 120, 40);
    assert!(
        s.contains("on duty at TRP as duty officer since 09:00Z (3h 00m); due to end by 22:00Z"),
        "{s}"
    );
    let line = |needle: &str| {
        s.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in {s}"))
            .to_string()
    };
    assert!(line("Salem (duty officer)").contains("● connected"));
    assert!(line("Fatima Al-Barasi").contains("○ not connected"));
    assert!(line("connected, not on shift").contains("Amal"));
    assert!(
        line("Omar Haddad handed over at 09:00Z").contains("not yet acknowledged — :ack-handover")
    );
    assert!(s.contains("note: Ghat quiet"), "{s}");
    // `S` again, or Esc, goes back.
    update(&mut f.app, key('S'));
    assert!(matches!(f.app.screen, Screen::Main));
    // At 80×24 it draws without losing the officer's own shift.
    update(&mut f.app, key('S'));
    assert!(screen(&f, 80, 24).contains("on duty at TRP"));
}

#[test]
fn ending_a_shift_opens_the_handover_with_what_stays_open_and_a_note() {
    let mut f = fixture(Role::DutyOfficer, (160, 40));
    update(&mut f.app, key(':'));
    typed(&mut f.app, "shift end");
    let effects = update(&mut f.app, code(KeyCode::Enter));
    assert!(effects.is_empty(), "nothing is sent before the note");
    let s = screen(&f, 160, 40);
    assert!(s.contains("End your shift — handover note"), "{s}");
    // Counted from this console's picture as the server will count it.
    assert!(
        s.contains("open: 1 critical, 1 high, 0 medium, 1 low; 1 overdue; 1 overdue task(s)"),
        "{s}"
    );
    typed(&mut f.app, "Ghat quiet");
    // The preview stays while typing.
    assert!(screen(&f, 160, 40).contains("1 overdue task(s)"));
    let effects = update(&mut f.app, code(KeyCode::Enter));
    assert_eq!(
        effects,
        [Effect::Shift(ShiftStep::End {
            note: "Ghat quiet".into()
        })]
    );
    assert!(f.app.dialog.is_none());
}
