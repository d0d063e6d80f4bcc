//! The console without a terminal: key sequences through `update` (state and
//! the API calls issued) and frames rendered into ratatui's TestBackend.

#[path = "../common/mod.rs"]
mod common;
mod duty;
mod export;
mod fixture;
mod help;
mod map;
mod marking;
mod record;
mod ux;

use common::{render, render_buffer};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fixture::*;
use proptest::prelude::*;
use tandem::client::call::HandoverStep;
use tandem::console::action::{Action, ApiCall, Effect, Link, NetEvent};
use tandem::console::app::update;
use tandem::console::app::{App, Screen};
use tandem::console::command::{Arg, Cmd};
use tandem::console::config::Config;
use tandem::console::dialogs::{Confirm, Dialog};
use tandem::console::keymap::Keymap;
use tandem::model::*;
use time::Duration;
use uuid::Uuid;

#[test]
fn feed_puts_overdue_first_then_severity() {
    let f = fixture(Role::DutyOfficer, (200, 60));
    assert_eq!(f.app.feed.index.first(), Some(f.overdue_critical.id));
    assert_eq!(f.app.feed.selected, Some(f.overdue_critical.id));
    let order: Vec<Uuid> = f.app.feed.index.window(None, 10).collect();
    assert_eq!(
        &order[..3],
        &[f.overdue_critical.id, f.acked_high.id, f.fresh_low.id]
    );
}

#[test]
fn ack_then_severity_issue_calls_on_successive_versions() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let c = calls(&update(&mut f.app, key('a')));
    let v = f.overdue_critical.version;
    match &c[..] {
        [
            ApiCall::PatchIncident {
                id, version, patch, ..
            },
        ] => {
            assert_eq!(
                (*id, *version, patch.status),
                (f.overdue_critical.id, v, Some(IncidentStatus::Acknowledged))
            );
        }
        other => panic!("{other:?}"),
    }
    let c = calls(&update(&mut f.app, key('2')));
    match &c[..] {
        [ApiCall::PatchIncident { version, patch, .. }] => {
            assert_eq!((*version, patch.severity), (v + 1, Some(Severity::High)))
        }
        other => panic!("{other:?}"),
    }
    queue(&mut f.app, &[Effect::Call(c[0].clone())]);
    assert_eq!(f.app.ctx.pending(), 1);
}

#[test]
fn note_is_typed_and_sent() {
    let mut f = fixture(Role::DutyOfficer, (80, 24));
    update(&mut f.app, key('i'));
    assert!(matches!(f.app.dialog, Some(Dialog::Line(_))));
    typed(&mut f.app, "Patrol sent, ETA 20 min");
    let c = calls(&update(&mut f.app, code(KeyCode::Enter)));
    assert_eq!(
        c,
        vec![ApiCall::Note {
            incident: f.overdue_critical.id,
            text: "Patrol sent, ETA 20 min".into(),
            what: "note on TRP-26-00001".into()
        }]
    );
    assert!(f.app.dialog.is_none());
}

#[test]
fn status_menu_offers_only_allowed_moves() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    update(&mut f.app, key('s'));
    let Some(Dialog::Picker(p)) = &f.app.dialog else {
        panic!("no menu")
    };
    let offered: Vec<Arg> = p
        .choice
        .shown()
        .iter()
        .map(|(_, c)| c.arg.clone())
        .collect();
    assert_eq!(
        offered,
        [
            IncidentStatus::Acknowledged,
            IncidentStatus::Responding,
            IncidentStatus::Contained
        ]
        .map(Arg::Status)
        .to_vec(),
        "a duty officer cannot close"
    );
    update(&mut f.app, code(KeyCode::Down));
    let c = calls(&update(&mut f.app, code(KeyCode::Enter)));
    assert!(
        matches!(&c[..], [ApiCall::PatchIncident { patch, .. }] if patch.status == Some(IncidentStatus::Responding))
    );

    let mut sup = fixture(Role::Supervisor, (200, 60));
    update(&mut sup.app, key('s'));
    let Some(Dialog::Picker(p)) = &sup.app.dialog else {
        panic!("no menu")
    };
    assert!(
        p.choice
            .shown()
            .iter()
            .any(|(_, c)| c.arg == Arg::Status(IncidentStatus::Closed))
    );
}

#[test]
fn marks_make_a_bulk_acknowledge() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    update(&mut f.app, key(' ')); // marks the overdue critical, moves down
    update(&mut f.app, key(' ')); // marks the acknowledged high
    update(&mut f.app, key(' ')); // marks the fresh low
    assert!(
        calls(&update(&mut f.app, key('a'))).is_empty(),
        "asks first"
    );
    let Some(Dialog::Confirm(Confirm { text, .. })) = &f.app.dialog else {
        panic!("a bulk change is confirmed")
    };
    assert!(
        text.contains("2 incidents")
            && text.contains("TRP-26-00001")
            && text.contains("TRP-26-00002"),
        "the confirmation names every incident: {text}"
    );
    let c = calls(&confirm_yes(&mut f.app));
    let ids: Vec<Uuid> = c
        .iter()
        .filter_map(|c| match c {
            ApiCall::PatchIncident { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 2, "the acknowledged one is skipped");
    assert!(ids.contains(&f.overdue_critical.id) && ids.contains(&f.fresh_low.id));
    assert!(f.app.feed.marks.is_empty());
}

#[test]
fn command_line_completes_and_runs() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    update(&mut f.app, key(':'));
    typed(&mut f.app, "se");
    update(&mut f.app, code(KeyCode::Tab));
    let screen = render(&f.app, 200, 60).join("\n");
    assert!(
        screen.contains("search  sev"),
        "an ambiguous start lists what it could be: {screen}"
    );
    typed(&mut f.app, "v");
    update(&mut f.app, code(KeyCode::Tab));
    typed(&mut f.app, "cr");
    update(&mut f.app, code(KeyCode::Tab));
    let Some(Dialog::Line(d)) = &f.app.dialog else {
        panic!()
    };
    assert_eq!(d.line.text(), "sev critical ");
    let c = calls(&update(&mut f.app, code(KeyCode::Enter)));
    assert!(c.is_empty(), "it is already critical");
    update(&mut f.app, key(':'));
    typed(&mut f.app, "task LCG-W Intercept the boat");
    let c = calls(&update(&mut f.app, code(KeyCode::Enter)));
    assert!(
        matches!(&c[..], [ApiCall::CreateTask { task, .. }] if task.title == "Intercept the boat")
    );
    update(&mut f.app, key(':'));
    typed(&mut f.app, "frobnicate");
    update(&mut f.app, code(KeyCode::Enter));
    let Some(Dialog::Line(d)) = &f.app.dialog else {
        panic!("a refused line stays open")
    };
    assert_eq!(d.line.text(), "frobnicate", "kept for editing");
    assert!(
        matches!(&d.note, Some((true, why)) if why.contains("unknown command")),
        "{:?}",
        d.note
    );
}

#[test]
fn destructive_actions_confirm_with_cancel_selected() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    update(&mut f.app, key('D'));
    let c = calls(&update(&mut f.app, code(KeyCode::Enter))); // false alarm
    assert!(c.is_empty());
    let Some(Dialog::Confirm(Confirm { text, yes, .. })) = &f.app.dialog else {
        panic!("no confirm")
    };
    assert!(text.contains("TRP-26-00001") && !yes);
    assert!(
        calls(&update(&mut f.app, code(KeyCode::Enter))).is_empty(),
        "Enter on Cancel sends nothing"
    );
    update(&mut f.app, key('D'));
    update(&mut f.app, code(KeyCode::Enter));
    update(&mut f.app, code(KeyCode::Right));
    let c = calls(&update(&mut f.app, code(KeyCode::Enter)));
    assert!(
        matches!(&c[..], [ApiCall::PatchIncident { patch, .. }] if patch.dismiss_reason == Some(DismissReason::FalseAlarm))
    );
}

#[test]
fn handover_offers_ours_and_is_refused_locally_for_an_observer() {
    let mut o = fixture(Role::DutyOfficer, (200, 60));
    o.app.ctx.me.as_mut().unwrap().role = Role::Observer;
    assert!(calls(&update(&mut o.app, key('H'))).is_empty());
    assert!(o.app.ctx.messages.last().unwrap().text.contains("may not"));
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    update(&mut f.app, key('H'));
    let c = calls(&confirm_yes(&mut f.app));
    assert!(
        matches!(
            &c[..],
            [ApiCall::Handover {
                step: HandoverStep::Ask {
                    to: Centre::Ben,
                    ..
                },
                ..
            }]
        ),
        "{c:?}"
    );
}

#[test]
fn dismissing_with_open_tasks_names_them_and_cancels_them_with_it() {
    use tandem::model::incident::OpenTasks;
    let mut f = fixture(Role::Supervisor, (200, 60));
    colon(&mut f.app, "dismiss false_alarm");
    let question = match &f.app.dialog {
        Some(Dialog::Confirm(c)) => format!("{c:?}"),
        other => panic!("{other:?}"),
    };
    assert!(
        question.contains("1 open task(s) are cancelled with it"),
        "{question}"
    );
    let c = calls(&confirm_yes(&mut f.app));
    assert_eq!(the_patch(&c).open_tasks, Some(OpenTasks::Cancel));
    // Without open tasks nothing is said of them.
    update(&mut f.app, key('j'));
    colon(&mut f.app, "dismiss false_alarm");
    let c = calls(&confirm_yes(&mut f.app));
    assert_eq!(the_patch(&c).open_tasks, None);
}

#[test]
fn a_handover_waiting_for_us_is_shown_accepted_and_declined_with_a_reason() {
    use tandem::model::ownership::Handover;
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let id = f.overdue_critical.id;
    let i = f.app.ctx.mirror.incidents.get_mut(&id).unwrap();
    i.centre = Centre::Ben;
    i.handover = Some(Box::new(Handover {
        from: Centre::Ben,
        to: Centre::Trp,
        asked_by: Centre::Ben,
        officer_id: uuid::Uuid::now_v7(),
        note: "units are closer to Tripoli".into(),
        at: NOW,
    }));
    update(&mut f.app, code(KeyCode::Enter));
    let shown = render(&f.app, 200, 60).join("\n");
    assert!(
        shown.contains("HANDOVER   BEN → TRP offered") && shown.contains("waits for TRP"),
        "{shown}"
    );
    colon(&mut f.app, "decline-handover");
    assert!(f.app.ctx.messages.last().unwrap().text.contains("say why"));
    let c = calls(&colon(&mut f.app, "decline-handover no units free"));
    assert!(
        matches!(&c[..], [ApiCall::Handover { step: HandoverStep::Decline { reason }, .. }] if reason == "no units free"),
        "{c:?}"
    );
    let c = calls(&colon(&mut f.app, "accept-handover"));
    assert!(
        matches!(
            &c[..],
            [ApiCall::Handover {
                step: HandoverStep::Accept,
                ..
            }]
        ),
        "{c:?}"
    );
}

#[test]
fn filter_narrows_the_feed_and_esc_clears() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    update(&mut f.app, key('/'));
    typed(&mut f.app, "sev>=high status:reported");
    update(&mut f.app, code(KeyCode::Enter));
    assert_eq!(f.app.feed.index.len(), 1);
    update(&mut f.app, code(KeyCode::Esc));
    assert_eq!(f.app.feed.index.len(), 4);
    update(&mut f.app, key('/'));
    typed(&mut f.app, "sev>=huge");
    update(&mut f.app, code(KeyCode::Enter));
    let Some(Dialog::Line(d)) = &f.app.dialog else {
        panic!("a refused filter stays open for correcting")
    };
    assert_eq!(d.line.text(), "sev>=huge", "the typed text is kept");
    assert!(
        matches!(&d.note, Some((true, why)) if why.contains("huge")),
        "{:?}",
        d.note
    );
}

#[test]
fn quit_asks_only_when_work_is_pending() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    assert_eq!(update(&mut f.app, key('q')), vec![Effect::Quit]);
    let effects = update(&mut f.app, key('a'));
    queue(&mut f.app, &effects);
    assert!(update(&mut f.app, key('q')).is_empty());
    let Some(Dialog::Confirm(Confirm { text, .. })) = &f.app.dialog else {
        panic!("no confirm")
    };
    assert!(text.contains("1 change(s) not yet delivered"), "{text}");
    let ctrl_c = Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(update(&mut f.app, ctrl_c), vec![Effect::Quit]);
}

#[test]
fn live_events_keep_the_selection_and_raise_toasts() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    update(&mut f.app, key('j')); // select the acknowledged high
    assert_eq!(f.app.feed.selected, Some(f.acked_high.id));
    let me = f.app.ctx.me.clone().unwrap();
    let new = incident(
        &me,
        9,
        "Exchange of fire at the Tummo post",
        Severity::Critical,
        IncidentStatus::Reported,
        0,
    );
    let effects = update(
        &mut f.app,
        Action::Net(NetEvent::Event(Box::new(event(
            101,
            EventKind::IncidentCreated,
            &new,
        )))),
    );
    assert!(effects.contains(&Effect::Bell));
    assert!(
        f.app
            .ctx
            .toasts
            .back()
            .unwrap()
            .text
            .contains("TRP-26-00009")
    );
    assert_eq!(
        f.app.feed.selected,
        Some(f.acked_high.id),
        "selection stays on its incident"
    );
    assert_eq!(f.app.ctx.mirror.seq, 101);
    // A gap asks for a new snapshot instead of guessing.
    let effects = update(
        &mut f.app,
        Action::Net(NetEvent::Event(Box::new(event(
            105,
            EventKind::IncidentUpdated,
            &new,
        )))),
    );
    assert_eq!(effects, vec![Effect::Resync]);
}

#[test]
fn overdue_is_promoted_by_the_clock() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    assert!(!f.app.feed.index.is_overdue(&f.fresh_low.id));
    update(&mut f.app, Action::Tick(NOW + Duration::minutes(61)));
    assert!(f.app.feed.index.is_overdue(&f.fresh_low.id));
}

#[test]
fn render_main_at_both_sizes() {
    for (w, h) in [(80, 24), (200, 60)] {
        let f = fixture(Role::DutyOfficer, (w, h));
        let lines = render(&f.app, w, h);
        assert!(
            lines[0].contains("LIVE") && lines[0].contains("Duty officer Salem"),
            "{w}x{h}: {}",
            lines[0]
        );
        assert!(
            lines[0].contains("LYT") && lines[0].contains("12:00:00Z"),
            "{w}x{h}: {}",
            lines[0]
        );
        let header = &lines[2];
        assert!(
            header.contains("SEV") && header.contains("REFERENCE") && header.contains("TITLE"),
            "{w}x{h}: a header row names the columns: {header}"
        );
        let first_row = &lines[3];
        assert!(
            first_row.contains("CRIT")
                && first_row.contains("OVERDUE")
                && first_row.contains("TRP-26-00001"),
            "{w}x{h}: {first_row}"
        );
        assert!(lines[1].contains("1 OVERDUE"));
        assert!(
            lines
                .iter()
                .any(|l| l.contains("NEW") && l.contains("TRP-26-00002")),
            "unacknowledged row marked"
        );
        assert!(lines[h as usize - 2].contains("ack"), "key hints");
        // Every body row ends at the frame: no text (Arabic included) pushed the border.
        // (Cells, not chars: a combining mark shares its base letter's cell.)
        let buf = render_buffer(&f.app, w, h);
        let border_col = (0..w)
            .find(|&x| buf[(x, 1)].symbol() == "┐")
            .expect("the feed's top right corner");
        if w >= 200 {
            assert!(border_col >= 127, "the feed takes the width: {border_col}");
        }
        for y in 2..7u16 {
            assert_eq!(
                buf[(border_col, y)].symbol(),
                "│",
                "{w}x{h} row {y}: {}",
                lines[y as usize]
            );
        }
        if w >= 120 {
            assert!(lines.iter().any(|l| l.contains("Agency roster")));
        }
        assert!(lines.iter().any(|l| l.contains("Joint-response tasks")));
    }
}

#[test]
fn render_offline_link() {
    let mut f = fixture(Role::DutyOfficer, (80, 24));
    update(
        &mut f.app,
        Action::Net(NetEvent::Link(Link::Offline {
            since: NOW - Duration::minutes(3),
            attempt: 4,
        })),
    );
    let lines = render(&f.app, 80, 24);
    assert!(
        lines[0].contains("OFFLINE since 11:57Z (try 4)"),
        "{}",
        lines[0]
    );
}

#[test]
fn render_detail_help_messages_and_too_small() {
    for (w, h) in [(80, 24), (200, 60)] {
        let mut f = fixture(Role::DutyOfficer, (w, h));
        update(&mut f.app, code(KeyCode::Enter));
        assert!(matches!(f.app.screen, Screen::Detail(_)));
        let lines = render(&f.app, w, h).join("\n");
        assert!(
            lines.contains("Armed group crossed near Tummo")
                && lines.contains("Send a patrol")
                && lines.contains("Timeline")
        );
        update(&mut f.app, code(KeyCode::Esc));
        update(&mut f.app, key('?'));
        let help = every_page(&mut f.app, w, h);
        assert!(
            help.contains("acknowledge") && help.contains("filter the feed"),
            "help is generated from the keymap: {help}"
        );
        update(&mut f.app, code(KeyCode::Esc));
        update(&mut f.app, key('m'));
        assert!(render(&f.app, w, h).join("\n").contains("Messages"));
    }
    let f = fixture(Role::DutyOfficer, (79, 24));
    let lines = render(&f.app, 79, 24).join("\n");
    assert!(lines.contains("too small") && lines.contains("q"));
    let mut f = fixture(Role::DutyOfficer, (40, 10));
    assert_eq!(
        update(&mut f.app, key('q')),
        vec![Effect::Quit],
        "q works on the too-small screen"
    );
}

fn any_action() -> impl Strategy<Value = Action> {
    let keys = prop_oneof![
        prop::sample::select(vec![
            'j', 'k', 'g', 'G', 'a', '1', '2', '3', '4', 's', 'L', 'i', 't', 'c', 'D', 'M', 'H',
            ' ', '/', ':', '?', 'm', 'n', 'N', 'x', 'ع', 'q', 'y', 'h', 'l'
        ])
        .prop_map(key),
        prop::sample::select(vec![
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::PageDown,
            KeyCode::PageUp,
            KeyCode::Backspace,
            KeyCode::Home,
            KeyCode::End
        ])
        .prop_map(code),
    ];
    prop_oneof![8 => keys, 1 => (1u16..=220, 1u16..=70).prop_map(|(w, h)| Action::Resize(w, h))]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random keys and resizes (down to 1×1) never panic, in update or in drawing.
    #[test]
    fn random_keys_and_resizes_never_panic(actions in prop::collection::vec(any_action(), 1..80)) {
        let mut f = fixture(Role::Supervisor, (120, 40));
        for a in actions {
            if matches!(update(&mut f.app, a).as_slice(), [Effect::Quit]) {
                f.app.dialog = None;
            }
            let (w, h) = f.app.ctx.size;
            render(&f.app, w.max(1), h.max(1));
        }
    }
}

#[test]
fn pending_changes_show_at_once_and_survive_server_events() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let id = f.overdue_critical.id;
    let effects = update(&mut f.app, key('a'));
    queue(&mut f.app, &effects);
    // Shown acknowledged (and no longer overdue) before the server has answered.
    assert_eq!(
        f.app.ctx.incident(&id).unwrap().status,
        IncidentStatus::Acknowledged
    );
    assert_eq!(
        f.app.ctx.mirror.incidents[&id].status,
        IncidentStatus::Reported
    );
    assert!(!f.app.feed.index.is_overdue(&id));
    let lines = render(&f.app, 200, 60);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("▶~") && l.contains("TRP-26-00001")),
        "pending marker:\n{}",
        lines.join("\n")
    );
    assert!(lines[0].contains("outbox 1"));
    // Someone else raises the severity meanwhile: the pending ack is not undone.
    let mut theirs = f.overdue_critical.clone();
    theirs.title = "Armed group crossed near Tummo, two vehicles".into();
    theirs.version += 1;
    update(
        &mut f.app,
        Action::Net(NetEvent::Event(Box::new(event(
            101,
            EventKind::IncidentUpdated,
            &theirs,
        )))),
    );
    let shown = f.app.ctx.incident(&id).unwrap();
    assert_eq!(
        (shown.status, shown.title.as_str()),
        (
            IncidentStatus::Acknowledged,
            "Armed group crossed near Tummo, two vehicles"
        )
    );
    // Delivered: the overlay goes, the server's copy (with our event) rules.
    update(&mut f.app, Action::Net(NetEvent::Delivered(1)));
    assert_eq!(f.app.ctx.pending(), 0);
    assert_eq!(
        f.app.ctx.incident(&id).unwrap().status,
        IncidentStatus::Reported,
        "until our own event arrives"
    );
}

#[test]
fn conflicts_are_shown_and_reapplied_only_when_confirmed() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let effects = update(&mut f.app, key('2'));
    queue(&mut f.app, &effects);
    let mut current = f.overdue_critical.clone();
    current.version = 7;
    current.status = IncidentStatus::Responding;
    update(
        &mut f.app,
        Action::Net(NetEvent::Conflict {
            seq: 1,
            current: serde_json::to_value(&current).unwrap(),
        }),
    );
    assert_eq!(f.app.ctx.troubles(), 1);
    assert!(f.app.ctx.messages.last().unwrap().text.contains("CONFLICT"));
    let lines = render(&f.app, 200, 60);
    assert!(lines[0].contains("1 CONFLICT/REFUSED"), "{}", lines[0]);
    update(&mut f.app, key('o'));
    let screen = render(&f.app, 200, 60).join("\n");
    assert!(
        screen.contains("CONFLICT")
            && screen.contains("severity: you want high · it is now critical")
            && screen.contains("(version 7)")
            && !screen.contains('{'),
        "{screen}"
    );
    update(&mut f.app, key('r'));
    assert!(
        update(&mut f.app, code(KeyCode::Enter)).is_empty(),
        "Cancel is selected"
    );
    update(&mut f.app, key('r'));
    update(&mut f.app, code(KeyCode::Right));
    match update(&mut f.app, code(KeyCode::Enter)).as_slice() {
        [
            Effect::Reapply {
                seq: 1,
                call:
                    ApiCall::PatchIncident {
                        version: 7, patch, ..
                    },
            },
        ] => assert_eq!(patch.severity, Some(Severity::High)),
        other => panic!("{other:?}"),
    }
    update(&mut f.app, key('x'));
    update(&mut f.app, code(KeyCode::Right));
    assert_eq!(
        update(&mut f.app, code(KeyCode::Enter)),
        vec![Effect::Discard(1)]
    );
}

#[test]
fn all_open_tasks_are_kept_in_due_order_by_events() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let overdue = a_task(&f.app);
    let me = f.app.ctx.me.clone().unwrap();
    let later = NewTask {
        tlp: Default::default(),
        shared_with: Vec::new(),
        agency_id: overdue.agency_id,
        title: "No hurry".into(),
        unit_id: None,
        priority: None,
        due_at: None,
    }
    .into_task(f.acked_high.id, &me, Uuid::now_v7(), NOW)
    .unwrap();
    update(
        &mut f.app,
        Action::Net(NetEvent::Event(Box::new(task_event(
            101,
            EventKind::TaskCreated,
            &later,
        )))),
    );
    update(&mut f.app, code(KeyCode::Tab));
    update(&mut f.app, code(KeyCode::Tab));
    update(&mut f.app, code(KeyCode::Enter)); // all open
    let shown: Vec<Uuid> = f
        .app
        .tasks
        .visible(&f.app.ctx)
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(
        shown,
        vec![overdue.id, later.id],
        "overdue first, no due time last"
    );
    let lines = render(&f.app, 200, 60).join("\n");
    assert!(lines.contains("all open (2, 1 OVERDUE)"), "{lines}");
    let mut done = overdue.clone();
    done.status = TaskStatus::Cancelled;
    done.version += 1;
    update(
        &mut f.app,
        Action::Net(NetEvent::Event(Box::new(task_event(
            102,
            EventKind::TaskUpdated,
            &done,
        )))),
    );
    let shown: Vec<Uuid> = f
        .app
        .tasks
        .visible(&f.app.ctx)
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(shown, vec![later.id], "a closed task leaves the open list");
    // A replayed event (seq already applied) changes nothing, the index included.
    update(
        &mut f.app,
        Action::Net(NetEvent::Event(Box::new(task_event(
            101,
            EventKind::TaskCreated,
            &later,
        )))),
    );
    let shown: Vec<Uuid> = f
        .app
        .tasks
        .visible(&f.app.ctx)
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(
        shown,
        vec![later.id],
        "a replayed event keeps the open task listed"
    );
}

#[test]
fn no_color_theme_draws_without_colour_and_keeps_the_words() {
    use ratatui::style::Color;
    let mut f = fixture(Role::DutyOfficer, (120, 30));
    f.app.ctx.theme =
        tandem::console::theme::Theme::named(tandem::console::config::ThemeName::Mono);
    let buf = render_buffer(&f.app, 120, 30);
    assert!(
        buf.content()
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "a colour was used"
    );
    let lines = render(&f.app, 120, 30);
    assert!(
        lines[3].contains("CRIT") && lines[3].contains("OVERDUE"),
        "{}",
        lines[3]
    );
}

#[test]
fn closed_incidents_leave_the_console_with_the_72_hour_window() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let me = f.app.ctx.me.clone().unwrap();
    // Closed 71 hours ago: still in the window for a while.
    let mut aging = incident(
        &me,
        8,
        "Closed three days ago",
        Severity::High,
        IncidentStatus::Closed,
        60,
    );
    aging.closed_at = Some(NOW - Duration::hours(71));
    let seq = f.app.ctx.mirror.seq + 1;
    update(
        &mut f.app,
        Action::Net(NetEvent::Event(Box::new(event(
            seq,
            EventKind::IncidentUpdated,
            &aging,
        )))),
    );
    let recent = f
        .app
        .ctx
        .mirror
        .incidents
        .values()
        .find(|i| i.title == "Old fuel case")
        .unwrap()
        .id;
    let ids = |app: &App| app.feed.index.window(None, 1000).collect::<Vec<_>>();
    assert!(ids(&f.app).contains(&aging.id));

    update(&mut f.app, Action::Tick(NOW));
    assert!(
        ids(&f.app).contains(&aging.id),
        "inside the window it stays"
    );
    // Two hours on, it has left the window: gone from the feed and the state,
    // while the incident closed ten hours ago stays.
    update(&mut f.app, Action::Tick(NOW + Duration::hours(2)));
    assert!(
        !ids(&f.app).contains(&aging.id),
        "still listed after leaving the window"
    );
    assert!(!f.app.ctx.mirror.incidents.contains_key(&aging.id));
    assert!(ids(&f.app).contains(&recent));
    assert!(f.app.ctx.mirror.incidents.contains_key(&recent));
}

#[test]
fn n_and_shift_n_jump_between_unacknowledged_incidents() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    assert_eq!(f.app.feed.selected, Some(f.overdue_critical.id));
    update(&mut f.app, key('n'));
    assert_eq!(
        f.app.feed.selected,
        Some(f.fresh_low.id),
        "skips the acknowledged one"
    );
    update(&mut f.app, key('N'));
    assert_eq!(f.app.feed.selected, Some(f.overdue_critical.id));
}

#[test]
fn sev_on_another_severity_sends_it() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let c = calls(&colon(&mut f.app, "sev low"));
    assert_eq!(the_patch(&c).severity, Some(Severity::Low));
}

#[test]
fn the_lead_agency_by_picker_and_by_command() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    update(&mut f.app, key('L'));
    let Some(Dialog::Picker(p)) = &f.app.dialog else {
        panic!("no agency picker")
    };
    let Some(Cmd {
        arg: Arg::Agency(picked),
        ..
    }) = p.choice.value().cloned()
    else {
        panic!("no agency chosen")
    };
    let c = calls(&update(&mut f.app, code(KeyCode::Enter)));
    let lead = the_patch(&c).lead_agency_id.unwrap();
    assert_eq!(f.app.ctx.mirror.agencies[&lead].code, picked);

    let lcg = f
        .app
        .ctx
        .mirror
        .agencies
        .values()
        .find(|a| a.code == "LCG-W")
        .unwrap()
        .id;
    let c = calls(&colon(&mut f.app, "lead LCG-W"));
    assert_eq!(the_patch(&c).lead_agency_id, Some(lcg));
}

#[test]
fn the_task_form_sends_a_task_with_its_due_time() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let lcg = f.app.ctx.agency_by_code("LCG-W").unwrap().id;
    f.app
        .ctx
        .mirror
        .incidents
        .get_mut(&f.overdue_critical.id)
        .unwrap()
        .lead_agency_id = Some(lcg);
    update(&mut f.app, key('t'));
    // The agency starts at the incident's lead; the cursor on the title.
    typed(&mut f.app, "Send a patrol");
    update(&mut f.app, code(KeyCode::Tab)); // Priority
    update(&mut f.app, code(KeyCode::Tab)); // Due in minutes
    typed(&mut f.app, "30");
    let c = calls(&update(&mut f.app, code(KeyCode::Enter)));
    match &c[..] {
        [ApiCall::CreateTask { incident, task, .. }] => {
            assert_eq!(*incident, f.overdue_critical.id);
            assert_eq!(task.title, "Send a patrol");
            assert_eq!(task.agency_id, lcg, "the lead agency by default");
            assert_eq!(task.due_at, Some(f.app.ctx.now + Duration::minutes(30)));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_new_incident_form_by_key_and_by_command() {
    for open in ["c", ":new"] {
        let mut f = fixture(Role::DutyOfficer, (200, 60));
        if open == "c" {
            update(&mut f.app, key('c'));
        } else {
            colon(&mut f.app, "new");
        }
        assert!(
            matches!(f.app.dialog, Some(Dialog::Incident(_) | Dialog::Task(_))),
            "{open}: no form"
        );
        typed(&mut f.app, "Smoke seen south of Wazin");
        let c = calls(&update(&mut f.app, code(KeyCode::Enter)));
        match &c[..] {
            [ApiCall::CreateIncident { new, .. }] => {
                assert_eq!(new.title, "Smoke seen south of Wazin", "{open}");
                assert_eq!(new.severity, Severity::Medium, "{open}: the form's default");
            }
            other => panic!("{open}: {other:?}"),
        }
    }
}

#[test]
fn status_dismiss_and_filter_commands() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let c = calls(&colon(&mut f.app, "status responding"));
    assert_eq!(the_patch(&c).status, Some(IncidentStatus::Responding));
    assert!(calls(&colon(&mut f.app, "status dismissed")).is_empty());
    assert!(f.app.ctx.messages.last().unwrap().text.contains(":dismiss"));

    colon(&mut f.app, "dismiss out_of_scope");
    let c = calls(&confirm_yes(&mut f.app));
    let p = the_patch(&c);
    assert_eq!(
        (p.status, p.dismiss_reason),
        (
            Some(IncidentStatus::Dismissed),
            Some(DismissReason::OutOfScope)
        )
    );

    colon(&mut f.app, "filter sev>=high");
    let shown: Vec<Uuid> = f.app.feed.index.window(None, 100).collect();
    assert!(shown.contains(&f.overdue_critical.id) && shown.contains(&f.acked_high.id));
    assert!(
        !shown.contains(&f.fresh_low.id),
        "a low one passed sev>=high"
    );
    colon(&mut f.app, "filter");
    assert!(
        f.app
            .feed
            .index
            .window(None, 100)
            .any(|id| id == f.fresh_low.id),
        "empty clears"
    );
}

#[test]
fn duplicates_by_key_and_command_dismiss_or_merge_by_role() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    update(&mut f.app, key('M'));
    typed(&mut f.app, &f.fresh_low.reference.clone());
    update(&mut f.app, code(KeyCode::Enter));
    let c = calls(&confirm_yes(&mut f.app));
    let p = the_patch(&c);
    assert_eq!(
        (p.status, p.dismiss_reason, p.duplicate_of),
        (
            Some(IncidentStatus::Dismissed),
            Some(DismissReason::Duplicate),
            Some(f.fresh_low.id)
        )
    );

    let mut s = fixture(Role::Supervisor, (200, 60));
    colon(&mut s.app, &format!("dup {}", s.fresh_low.reference));
    let c = calls(&confirm_yes(&mut s.app));
    assert!(
        matches!(&c[..], [ApiCall::Merge { id, into, .. }] if *id == s.overdue_critical.id && *into == s.fresh_low.id),
        "a supervisor merges: {c:?}"
    );
}

#[test]
fn handover_by_command_for_a_supervisor() {
    let mut s = fixture(Role::Supervisor, (200, 60));
    colon(&mut s.app, "handover BEN");
    let c = calls(&confirm_yes(&mut s.app));
    assert!(
        matches!(
            &c[..],
            [ApiCall::Handover {
                step: HandoverStep::Ask {
                    to: Centre::Ben,
                    ..
                },
                ..
            }]
        ),
        "{c:?}"
    );
}

#[test]
fn the_high_contrast_theme_is_what_is_drawn() {
    use ratatui::style::Color;
    let mut f = fixture(Role::DutyOfficer, (120, 30));
    f.app.ctx.theme =
        tandem::console::theme::Theme::named(tandem::console::config::ThemeName::HighContrast);
    let buf = render_buffer(&f.app, 120, 30);
    let header = &buf[(2, 0)];
    assert_eq!(
        (header.fg, header.bg),
        (Color::Black, Color::White),
        "header"
    );
    let lines = render(&f.app, 120, 30);
    let row = lines.iter().position(|l| l.contains('▶')).unwrap() as u16;
    let line = &lines[row as usize];
    let x = line[..line.find("TRP-26-00001").unwrap()].chars().count() as u16;
    let selected = &buf[(x, row)];
    assert_eq!(selected.bg, Color::Yellow, "the selected row stands out");
    assert!(
        lines[row as usize].contains("CRIT"),
        "and still says its severity"
    );
}

#[test]
fn keys_rebound_in_the_config_drive_the_console() {
    let mut keys = std::collections::BTreeMap::new();
    keys.insert("ack".to_string(), vec!["x".to_string()]);
    let config = Config {
        keys,
        ..Config::default()
    };
    let mut f = fixture(Role::DutyOfficer, (120, 30));
    f.app.ctx.keymap = Keymap::new(&config.keys).unwrap();
    assert!(
        calls(&update(&mut f.app, key('a'))).is_empty(),
        "`a` no longer acknowledges"
    );
    let c = calls(&update(&mut f.app, key('x')));
    assert_eq!(the_patch(&c).status, Some(IncidentStatus::Acknowledged));
    update(&mut f.app, key('?'));
    assert!(
        render(&f.app, 120, 30)
            .iter()
            .map(|l| l.trim_start_matches(['│', ' ']))
            .any(|l| l.starts_with("x ") && l.contains("ack")),
        "help shows the new key"
    );
}
