//! The defects found when the console was tried as a duty officer would
//! (issue 10), each pinned by a test: frames rendered into a TestBackend and
//! keys sent through `update`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use tandem::api::IncidentDetail;
use tandem::console::action::{Action, ApiCall, Effect, Link, NetEvent};
use tandem::console::app::{App, Screen, update};
use tandem::console::bidi;
use tandem::console::config::Bidi;
use tandem::console::context::Level;
use tandem::console::dialogs::{Confirm, Dialog, Purpose};
use tandem::console::keymap::Layer;
use tandem::model::*;
use time::Duration;
use uuid::Uuid;

use super::common::render;
use super::fixture::*;

fn screen(app: &App) -> String {
    let (w, h) = app.ctx.size;
    render(app, w, h).join("\n")
}

/// The row of the first line that contains `text`.
fn line_of(app: &App, text: &str) -> usize {
    let (w, h) = app.ctx.size;
    render(app, w, h)
        .iter()
        .position(|l| l.contains(text))
        .unwrap_or_else(|| panic!("`{text}` is not on screen:\n{}", screen(app)))
}

/// Adds an incident as if the server had sent its creation.
fn arrives(app: &mut App, i: &Incident) {
    let seq = app.ctx.mirror.seq + 1;
    update(
        app,
        Action::Net(NetEvent::Event(Box::new(event(
            seq,
            EventKind::IncidentCreated,
            i,
        )))),
    );
}

fn me(app: &App) -> Officer {
    app.ctx.me.clone().expect("signed in")
}

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> Action {
    Action::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

#[test]
fn every_list_has_a_header_row_and_the_row_markers_are_explained() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let lines = render(&f.app, 200, 60);
    for column in [
        "SEV",
        "FLAG",
        "REFERENCE",
        "AGE",
        "STATUS",
        "CATEGORY",
        "SECTOR",
        "TITLE",
    ] {
        assert!(
            lines[2].contains(column),
            "feed header lacks {column}: {}",
            lines[2]
        );
    }
    for marker in ["~ sending", "! needs review", "* marked"] {
        assert!(
            lines[2].contains(marker),
            "feed header lacks `{marker}`: {}",
            lines[2]
        );
    }
    assert!(
        lines[2].contains("AGENCY") && lines[2].contains("UNITS"),
        "roster header"
    );
    let tasks = line_of(&f.app, "Joint-response tasks");
    let header = &lines[tasks + 1];
    for column in ["STATUS", "AGENCY", "DUE", "PRIO", "TITLE"] {
        assert!(
            header.contains(column),
            "tasks header lacks {column}: {header}"
        );
    }
    update(&mut f.app, key('?'));
    let help = screen(&f.app);
    assert!(
        help.contains("Row markers")
            && help.contains("* marked for a bulk change")
            && help.contains("~ your change is being sent")
            && help.contains("! your change needs review"),
        "{help}"
    );
}

#[test]
fn pickers_narrow_as_letters_are_typed() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    update(&mut f.app, key('L'));
    let shown = |app: &App| -> Vec<String> {
        match &app.dialog {
            Some(Dialog::Picker(p)) => p.choice.shown().iter().map(|(l, _)| l.clone()).collect(),
            other => panic!("no picker: {other:?}"),
        }
    };
    assert!(shown(&f.app).len() >= 19, "every agency at first");
    typed(&mut f.app, "LCG");
    let left = shown(&f.app);
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.iter().all(|l| l.contains("LCG")), "{left:?}");
    assert!(
        screen(&f.app).contains("LCG-E"),
        "the narrowed list is drawn"
    );
    typed(&mut f.app, "-W");
    assert_eq!(shown(&f.app).len(), 1);
    update(&mut f.app, code(KeyCode::Backspace));
    update(&mut f.app, code(KeyCode::Backspace));
    assert_eq!(shown(&f.app).len(), 2, "Backspace widens again");
    typed(&mut f.app, "-W");
    let c = calls(&update(&mut f.app, code(KeyCode::Enter)));
    let lcg = f.app.ctx.agency_by_code("LCG-W").unwrap().id;
    assert_eq!(the_patch(&c).lead_agency_id, Some(lcg));

    // The status picker too: `resp` leaves one move.
    update(&mut f.app, key('s'));
    typed(&mut f.app, "resp");
    assert_eq!(shown(&f.app), vec!["responding".to_string()]);
    let c = calls(&update(&mut f.app, code(KeyCode::Enter)));
    assert_eq!(the_patch(&c).status, Some(IncidentStatus::Responding));
}

#[test]
fn the_vocabulary_is_shown_in_words_not_wire_names() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let wire: Vec<String> = Category::ALL
        .iter()
        .map(|c| c.to_string())
        .chain(IncidentStatus::ALL.iter().map(|s| s.to_string()))
        .chain(TaskStatus::ALL.iter().map(|s| s.to_string()))
        .chain(UnitStatus::ALL.iter().map(|s| s.to_string()))
        .filter(|w| w.contains('_'))
        .collect();
    assert!(!wire.is_empty());
    let main = screen(&f.app);
    assert!(main.contains("fuel smuggling"), "{main}");
    update(&mut f.app, code(KeyCode::Enter));
    let detail = screen(&f.app);
    assert!(detail.contains("fuel smuggling"), "{detail}");
    for shown in [&main, &detail] {
        for w in &wire {
            assert!(!shown.contains(w.as_str()), "`{w}` on screen:\n{shown}");
        }
    }
}

#[test]
fn detail_times_carry_the_date_unless_today_and_libya_time() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let old = incident(
        &me(&f.app),
        9,
        "Old case from two days ago",
        Severity::High,
        IncidentStatus::Acknowledged,
        2 * 24 * 60,
    );
    arrives(&mut f.app, &old);
    f.app.feed.selected = Some(old.id);
    update(&mut f.app, code(KeyCode::Enter));
    let detail = screen(&f.app);
    assert!(detail.contains("27 Nov 12:00Z (14:00 LYT)"), "{detail}");
    update(&mut f.app, code(KeyCode::Esc));
    f.app.feed.selected = Some(f.overdue_critical.id);
    update(&mut f.app, code(KeyCode::Enter));
    let today = screen(&f.app);
    assert!(today.contains("11:50Z (13:50 LYT)"), "{today}");
    assert!(!today.contains("29 Nov 11:50Z"), "no date on today's times");
}

#[test]
fn the_timeline_agrees_with_the_report_and_says_each_thing_once() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let me = me(&f.app);
    let i = f.overdue_critical.clone();
    let task = NewTask {
        tlp: Default::default(),
        shared_with: Vec::new(),
        agency_id: f.app.ctx.agency_by_code("LCG-W").unwrap().id,
        title: "Intercept the boat".into(),
        unit_id: None,
        priority: None,
        due_at: None,
    }
    .into_task(i.id, &me, Uuid::now_v7(), NOW)
    .unwrap();
    let mut created = event(1, EventKind::IncidentCreated, &i);
    let mut asked = task_event(2, EventKind::TaskCreated, &task);
    // Entered by an automated feed on Salem's report: the report stays
    // Salem's; every line names the actor's centre.
    created.actor = "sensor-feed".into();
    asked.actor = me.id.to_string();
    update(&mut f.app, code(KeyCode::Enter));
    update(
        &mut f.app,
        Action::Net(NetEvent::Detail(Box::new(IncidentDetail {
            incident: i.clone(),
            notes: vec![],
            tasks: vec![task],
            timeline: vec![created, asked],
        }))),
    );
    let detail = screen(&f.app);
    assert!(
        detail.contains("Salem (TRP) (entered by sensor-feed): reported: critical fuel smuggling"),
        "{detail}"
    );
    assert!(
        detail.contains("by Salem"),
        "the report line agrees: {detail}"
    );
    assert!(
        detail.contains("Salem (TRP): asked LCG-W for a task: Intercept the boat"),
        "{detail}"
    );
    assert!(!detail.contains("requested task requested"), "{detail}");
}

#[test]
fn the_filter_applies_as_it_is_typed_with_its_count() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    update(&mut f.app, key('/'));
    typed(&mut f.app, "sev>high");
    assert!(
        matches!(f.app.dialog, Some(Dialog::Line(_))),
        "still typing"
    );
    assert_eq!(f.app.feed.index.len(), 2, "critical only, before Enter");
    let Some(Dialog::Line(d)) = &f.app.dialog else {
        unreachable!()
    };
    assert_eq!(d.note, Some((false, "2 shown".into())));
    assert!(screen(&f.app).contains("2 shown"), "the count is drawn");
    update(&mut f.app, code(KeyCode::Enter));
    assert!(screen(&f.app).contains("Incident feed (2 shown"));
    for (filter, want) in [
        ("sev<medium", vec![f.fresh_low.id]),
        ("sev<=high", vec![f.acked_high.id, f.fresh_low.id]),
        ("sev=high", vec![f.acked_high.id]),
        ("status:new", vec![f.overdue_critical.id, f.fresh_low.id]),
        ("sev>=high status:new", vec![f.overdue_critical.id]),
    ] {
        update(&mut f.app, key('/'));
        update(
            &mut f.app,
            Action::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
        );
        typed(&mut f.app, filter);
        update(&mut f.app, code(KeyCode::Enter));
        let shown: Vec<Uuid> = f.app.feed.index.window(None, 100).collect();
        assert_eq!(shown, want, "{filter}");
    }
    // Esc in the filter line undoes what was typed there.
    update(&mut f.app, key('/'));
    typed(&mut f.app, " overdue");
    update(&mut f.app, code(KeyCode::Esc));
    assert_eq!(f.app.feed.index.filter.source, "sev>=high status:new");
}

#[test]
fn the_overdue_count_is_of_the_rows_shown() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    assert!(screen(&f.app).contains("Incident feed (4 shown, 1 OVERDUE)"));
    colon(&mut f.app, "filter sev<=high");
    let shown = screen(&f.app);
    assert!(shown.contains("Incident feed (2 shown)"), "{shown}");
    assert!(!shown.contains("OVERDUE)"), "{shown}");
}

#[test]
fn a_half_typed_filter_does_not_move_the_selection() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    update(&mut f.app, key('j'));
    assert_eq!(f.app.feed.selected, Some(f.acked_high.id));
    update(&mut f.app, key('/'));
    typed(&mut f.app, "zzz");
    assert_eq!(f.app.feed.index.len(), 0);
    for _ in 0..3 {
        update(&mut f.app, code(KeyCode::Backspace));
    }
    typed(&mut f.app, "sev>=high");
    update(&mut f.app, code(KeyCode::Enter));
    assert_eq!(f.app.feed.selected, Some(f.acked_high.id));
    let top = line_of(&f.app, "TRP-26-00001");
    assert_eq!(top, 3, "rows above the selection are not scrolled away");
}

#[test]
fn command_refusals_name_no_types_wrap_and_keep_the_line() {
    let mut f = fixture(Role::DutyOfficer, (80, 24));
    colon(&mut f.app, "dismiss bogus");
    let Some(Dialog::Line(d)) = &f.app.dialog else {
        panic!("the refused line stays open")
    };
    assert_eq!(d.line.text(), "dismiss bogus");
    let Some((true, why)) = &d.note else {
        panic!("no refusal: {:?}", d.note)
    };
    assert!(
        why.contains("false alarm") && !why.contains("DismissReason"),
        "{why}"
    );
    // At 80 columns the whole refusal is on screen, wrapped.
    let shown = screen(&f.app);
    let last_word = why.split_whitespace().last().unwrap();
    assert!(shown.contains(last_word), "cut: {why}\n{shown}");
    // Corrected in place, it runs.
    update(
        &mut f.app,
        Action::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    typed(&mut f.app, "sev low");
    let c = calls(&update(&mut f.app, code(KeyCode::Enter)));
    assert_eq!(the_patch(&c).severity, Some(Severity::Low));
    colon(&mut f.app, "sev medium");
    // Up walks back through the lines that ran.
    update(&mut f.app, key(':'));
    update(&mut f.app, code(KeyCode::Up));
    let line = |app: &App| match &app.dialog {
        Some(Dialog::Line(d)) => d.line.text().to_string(),
        other => panic!("{other:?}"),
    };
    assert_eq!(line(&f.app), "sev medium");
    update(&mut f.app, code(KeyCode::Up));
    assert_eq!(line(&f.app), "sev low");
    update(&mut f.app, code(KeyCode::Down));
    assert_eq!(line(&f.app), "sev medium");
}

#[test]
fn the_roster_moves_its_own_selection_and_marks_it() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    update(&mut f.app, code(KeyCode::Tab));
    let feed_before = f.app.feed.selected;
    update(&mut f.app, key('G'));
    assert_eq!(
        f.app.feed.selected, feed_before,
        "G in the roster left the feed alone"
    );
    let lines = render(&f.app, 200, 60);
    let last = f.app.ctx.agencies().last().unwrap().code.clone();
    let row = lines
        .iter()
        .find(|l| l.contains(&format!("{last} (")))
        .expect("the last agency");
    assert!(row.contains(&format!("▶ {last}")), "{row}");
    update(&mut f.app, code(KeyCode::Home));
    let first = f.app.ctx.agencies()[0].code.clone();
    assert!(screen(&f.app).contains(&format!("▶ {first}")));
}

#[test]
fn the_message_line_never_says_live_under_an_offline_banner() {
    let mut f = fixture(Role::DutyOfficer, (120, 40));
    assert!(render(&f.app, 120, 40)[39].contains("link is LIVE"));
    update(
        &mut f.app,
        Action::Net(NetEvent::Link(Link::Offline {
            since: NOW,
            attempt: 2,
        })),
    );
    let lines = render(&f.app, 120, 40);
    assert!(lines[38].contains("OFFLINE"), "banner: {}", lines[38]);
    assert!(
        !lines.join("\n").contains("link is LIVE"),
        "{}",
        lines.join("\n")
    );
}

fn toast_for(f: &mut Fixture, n: u32, title: &str) {
    let i = incident(
        &me(&f.app),
        n,
        title,
        Severity::Critical,
        IncidentStatus::Reported,
        0,
    );
    arrives(&mut f.app, &i);
}

#[test]
fn toasts_hide_neither_the_selection_nor_the_focused_pane() {
    // 80×24, feed focused: toasts go over the lower pane, not the feed.
    let mut f = fixture(Role::DutyOfficer, (80, 24));
    toast_for(&mut f, 20, "Toast one");
    let lines = render(&f.app, 80, 24);
    let toast = lines
        .iter()
        .position(|l| l.contains("— Toast one"))
        .expect("a toast");
    let tasks = line_of(&f.app, "Joint-response tasks");
    assert!(
        toast > tasks,
        "over the feed at row {toast}:\n{}",
        lines.join("\n")
    );

    // Tasks focused: toasts over the feed, stepping over its selected row.
    update(&mut f.app, code(KeyCode::Tab));
    update(&mut f.app, code(KeyCode::Tab));
    toast_for(&mut f, 21, "Toast two");
    toast_for(&mut f, 22, "Toast three");
    let lines = render(&f.app, 80, 24);
    let selected = lines.iter().position(|l| l.contains('▶')).unwrap();
    assert!(lines[selected].contains("TRP-26-00"), "{}", lines[selected]);
    let tasks = line_of(&f.app, "asks — ");
    for t in ["— Toast two", "— Toast three"] {
        if let Some(y) = lines.iter().position(|l| l.contains(t)) {
            assert!(y < tasks, "{t} over the focused tasks pane");
            assert_ne!(y, selected);
        }
    }
    assert!(!lines[selected].contains("— Toast"), "over the selection");

    // 120 columns, roster focused: toasts keep off the roster.
    let mut f = fixture(Role::DutyOfficer, (120, 40));
    update(&mut f.app, code(KeyCode::Tab));
    toast_for(&mut f, 23, "Toast four");
    let lines = render(&f.app, 120, 40);
    let y = lines
        .iter()
        .position(|l| l.contains("— Toast four"))
        .expect("shown");
    let tasks = line_of(&f.app, "asks — ");
    assert!(y >= tasks, "over the focused roster at row {y}");
}

#[test]
fn the_tasks_pane_lays_out_by_width_and_lists_incidents_when_all_open() {
    for (w, h) in [(120, 40), (200, 60)] {
        let mut f = fixture(Role::DutyOfficer, (w, h));
        update(&mut f.app, code(KeyCode::Tab));
        update(&mut f.app, code(KeyCode::Tab));
        update(&mut f.app, code(KeyCode::Enter)); // all open
        let lines = render(&f.app, w, h);
        let top = line_of(&f.app, "all open");
        assert!(
            lines[top + 1].contains("INCIDENT"),
            "{w}: {}",
            lines[top + 1]
        );
        let row = &lines[top + 2];
        assert!(row.contains("TRP-26-00001"), "{w}: {row}");
        assert!(
            row.contains("Send a patrol"),
            "{w}: the title is readable: {row}"
        );
    }
}

#[test]
fn the_message_history_keeps_what_happened_one_line_each() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let before = f.app.ctx.messages.len();
    update(&mut f.app, key(':'));
    typed(&mut f.app, "se");
    update(&mut f.app, code(KeyCode::Tab));
    update(&mut f.app, code(KeyCode::Esc));
    assert_eq!(
        f.app.ctx.messages.len(),
        before,
        "completions are not history"
    );
    let effects = update(&mut f.app, key('2'));
    queue(&mut f.app, &effects);
    update(&mut f.app, Action::Net(NetEvent::Delivered(1)));
    let added: Vec<&str> = f.app.ctx.messages[before..]
        .iter()
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(added, vec!["done: set TRP-26-00001 severity high"]);
    update(&mut f.app, key('m'));
    let lines = render(&f.app, 200, 60);
    let pane = lines[2..58].join("\n");
    assert_eq!(
        pane.matches("set TRP-26-00001 severity high").count(),
        1,
        "{pane}"
    );
}

#[test]
fn a_bulk_severity_change_asks_and_names_every_incident() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    update(&mut f.app, key(' '));
    update(&mut f.app, key(' '));
    update(&mut f.app, key(' '));
    assert!(
        calls(&update(&mut f.app, key('4'))).is_empty(),
        "asks first"
    );
    let Some(Dialog::Confirm(Confirm { text, .. })) = &f.app.dialog else {
        panic!("no confirmation")
    };
    for r in ["TRP-26-00001", "TRP-26-00003"] {
        assert!(text.contains(r), "{text}");
    }
    assert!(!text.contains("TRP-26-00002"), "already low: {text}");
    let c = calls(&confirm_yes(&mut f.app));
    assert_eq!(c.len(), 2);
}

#[test]
fn the_mouse_selects_focuses_and_scrolls() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let y = line_of(&f.app, "TRP-26-00002") as u16;
    update(
        &mut f.app,
        mouse(MouseEventKind::Down(MouseButton::Left), 20, y),
    );
    assert_eq!(f.app.feed.selected, Some(f.fresh_low.id));
    // The wheel over the roster focuses it and moves its selection.
    let first = f.app.ctx.agencies()[0].code.clone();
    let second = f.app.ctx.agencies()[1].code.clone();
    update(&mut f.app, mouse(MouseEventKind::ScrollDown, 150, 5));
    assert_eq!(f.app.pane, tandem::console::layout::Pane::Roster);
    let shown = screen(&f.app);
    assert!(shown.contains(&format!("▶ {second}")) && !shown.contains(&format!("▶ {first}")));
    assert_eq!(
        f.app.feed.selected,
        Some(f.fresh_low.id),
        "the feed kept its row"
    );
}

#[test]
fn lists_sort_by_a_column_and_back() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    colon(&mut f.app, "sort reference");
    let order: Vec<Uuid> = f.app.feed.index.window(None, 10).collect();
    assert_eq!(
        order[..3],
        [f.overdue_critical.id, f.fresh_low.id, f.acked_high.id]
    );
    assert!(screen(&f.app).contains("by reference"), "the sort is named");
    colon(&mut f.app, "sort reference");
    let order: Vec<Uuid> = f.app.feed.index.window(None, 10).collect();
    // Reversed, except that an overdue row stays on top and closed ones at the bottom.
    assert_eq!(
        order,
        [
            f.overdue_critical.id,
            f.acked_high.id,
            f.fresh_low.id,
            order[3]
        ],
        "reversed"
    );
    update(&mut f.app, code(KeyCode::F(6)));
    assert_ne!(
        f.app.feed.index.window(None, 10).collect::<Vec<_>>(),
        order,
        "F6 changes the sort"
    );
}

#[test]
fn y_copies_the_selected_reference() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let effects = update(&mut f.app, key('y'));
    assert_eq!(effects, vec![Effect::Copy("TRP-26-00001".into())]);
}

#[test]
fn slash_searches_help_detail_and_messages() {
    let mut f = fixture(Role::DutyOfficer, (80, 24));
    update(&mut f.app, key('?'));
    update(&mut f.app, key('/'));
    assert!(matches!(&f.app.dialog, Some(Dialog::Line(d)) if d.purpose == Purpose::Search));
    typed(&mut f.app, "outbox");
    update(&mut f.app, code(KeyCode::Enter));
    let said = &f.app.ctx.messages.last().unwrap().text;
    assert!(said.starts_with("match 1 of "), "{said}");
    assert!(screen(&f.app).contains("outbox"));
    let Screen::Page(page) = &f.app.screen else {
        panic!("left help")
    };
    assert_eq!(page.layer(), Layer::Help, "left help");
    update(&mut f.app, key('n'));
    assert!(
        f.app
            .ctx
            .messages
            .last()
            .unwrap()
            .text
            .starts_with("match 2 of ")
    );

    update(&mut f.app, code(KeyCode::Esc));
    update(&mut f.app, code(KeyCode::Enter));
    update(&mut f.app, key('/'));
    typed(&mut f.app, "send a patrol");
    update(&mut f.app, code(KeyCode::Enter));
    assert_eq!(f.app.ctx.messages.last().unwrap().text, "match 1 of 1");

    update(&mut f.app, code(KeyCode::Esc));
    update(&mut f.app, key('m'));
    update(&mut f.app, key('/'));
    typed(&mut f.app, "nothing like this");
    update(&mut f.app, code(KeyCode::Enter));
    assert!(
        f.app
            .ctx
            .messages
            .last()
            .unwrap()
            .text
            .contains("is not on this screen")
    );
}

#[test]
fn arabic_and_mixed_titles_in_each_bidi_mode() {
    let arabic = "قارب مهاجرين قبالة زوارة";
    for mode in [Bidi::Terminal, Bidi::Console] {
        let mut f = fixture(Role::DutyOfficer, (200, 60));
        f.app.ctx.bidi = mode;
        let mixed = incident(
            &me(&f.app),
            30,
            "Boat قارب off Zuwara",
            Severity::Critical,
            IncidentStatus::Reported,
            0,
        );
        arrives(&mut f.app, &mixed);
        let shown = screen(&f.app);
        let arabic_row = &render(&f.app, 200, 60)[line_of(&f.app, "TRP-26-00003")];
        let mixed_row = &render(&f.app, 200, 60)[line_of(&f.app, "TRP-26-00030")];
        match mode {
            Bidi::Terminal => {
                assert!(
                    arabic_row.contains(arabic),
                    "logical order kept: {arabic_row}"
                );
                assert!(mixed_row.contains("Boat قارب off Zuwara"), "{mixed_row}");
            }
            _ => {
                assert!(
                    !shown.contains("قارب"),
                    "unshaped Arabic left: {arabic_row}"
                );
                let visual = bidi::visual(arabic, Bidi::Console);
                assert!(arabic_row.contains(&visual), "{arabic_row}");
                assert!(
                    visual
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .all(|c| ('\u{FB50}'..='\u{FEFF}').contains(&c)),
                    "presentation forms: {visual}"
                );
                // The first word read (qaf…) is drawn rightmost.
                assert!(
                    visual.ends_with('\u{FED7}') || visual.trim_end().ends_with('\u{FED7}'),
                    "{visual}"
                );
                let (before, after) = mixed_row.split_once("Boat ").expect("Latin first");
                assert!(!before.contains("off Zuwara"));
                assert!(after.contains(" off Zuwara"), "{mixed_row}");
            }
        }
    }
}

#[test]
fn a_long_message_wraps_instead_of_being_cut() {
    let mut f = fixture(Role::DutyOfficer, (80, 24));
    let long = "REFUSED: set TRP-26-00001 severity high: the incident is closed; reopen it first or ask a supervisor — see the outbox (o)";
    f.app.ctx.say(Level::Error, long);
    let shown = screen(&f.app);
    assert!(shown.contains("ask a supervisor"), "{shown}");
    assert!(shown.contains("see the outbox (o)"), "{shown}");
}

#[test]
fn the_overdue_count_follows_the_clock_events_and_filters() {
    let mut f = fixture(Role::DutyOfficer, (200, 60));
    let recount = |app: &App| {
        app.feed
            .index
            .window(None, 1000)
            .filter(|id| app.feed.index.is_overdue(id))
            .count()
    };
    let check = |app: &App, want: usize, when: &str| {
        assert_eq!(app.feed.index.overdue_shown(), want, "{when}");
        assert_eq!(recount(app), want, "{when}: recount");
    };
    check(&f.app, 1, "at first");
    update(&mut f.app, Action::Tick(NOW + Duration::minutes(61)));
    check(&f.app, 2, "the low one is overdue an hour on");
    colon(&mut f.app, "filter sev<=high");
    check(&f.app, 1, "filtered to high and below");
    let mut acked = f.fresh_low.clone();
    acked.status = IncidentStatus::Acknowledged;
    acked.acknowledged_at = Some(NOW);
    acked.version += 1;
    let seq = f.app.ctx.mirror.seq + 1;
    update(
        &mut f.app,
        Action::Net(NetEvent::Event(Box::new(event(
            seq,
            EventKind::IncidentUpdated,
            &acked,
        )))),
    );
    check(&f.app, 0, "acknowledged elsewhere");
    colon(&mut f.app, "filter");
    check(&f.app, 1, "filter cleared");
}

#[test]
fn a_form_field_that_is_wrong_says_so_on_the_field_and_sends_nothing() {
    let mut f = fixture(Role::DutyOfficer, (120, 40));
    update(&mut f.app, key('t'));
    typed(&mut f.app, "Send a patrol");
    update(&mut f.app, code(KeyCode::Tab)); // priority
    update(&mut f.app, code(KeyCode::Tab)); // due in minutes
    typed(&mut f.app, "soon");
    assert!(calls(&update(&mut f.app, code(KeyCode::Enter))).is_empty());
    assert!(
        matches!(f.app.dialog, Some(Dialog::Task(_))),
        "the form stays"
    );
    let shown = screen(&f.app);
    assert!(shown.contains("due in minutes: a whole number"), "{shown}");
    // Corrected, it goes.
    for _ in 0.."soon".len() {
        update(&mut f.app, code(KeyCode::Backspace));
    }
    typed(&mut f.app, "45");
    let c = calls(&update(&mut f.app, code(KeyCode::Enter)));
    assert!(
        matches!(&c[..], [ApiCall::CreateTask { task, .. }] if task.due_at == Some(NOW + Duration::minutes(45))),
        "{c:?}"
    );
    // An empty title is refused on its field too.
    update(&mut f.app, key('t'));
    assert!(calls(&update(&mut f.app, code(KeyCode::Enter))).is_empty());
    assert!(screen(&f.app).contains("a task needs a title"));
}

#[test]
fn the_token_expiry_is_in_me_and_in_the_header_when_near() {
    let mut f = fixture(Role::DutyOfficer, (160, 40));
    let token = TokenInfo {
        id: Uuid::now_v7(),
        officer_id: f.app.ctx.me.as_ref().unwrap().id,
        issued_at: NOW - Duration::hours(11),
        expires_at: NOW + Duration::minutes(30),
        revoked: false,
    };
    update(&mut f.app, Action::Net(NetEvent::Token(token.clone())));
    assert!(
        screen(&f.app)
            .lines()
            .next()
            .unwrap()
            .contains("TOKEN EXPIRES 12:30Z (:rotate-token)"),
        "the header offers the rotation"
    );
    let effects = colon(&mut f.app, "rotate-token");
    assert!(effects.contains(&Effect::RotateToken), "{effects:?}");
    let rotated = TokenInfo {
        expires_at: NOW + Duration::hours(12),
        ..token.clone()
    };
    update(&mut f.app, Action::Net(NetEvent::Rotated(Ok(rotated))));
    assert!(
        !screen(&f.app)
            .lines()
            .next()
            .unwrap()
            .contains("TOKEN EXPIRES")
    );
    update(&mut f.app, Action::Net(NetEvent::Token(token.clone())));
    colon(&mut f.app, "me");
    let said = &f.app.ctx.messages.last().unwrap().text;
    assert!(
        said.contains("signed in as Salem") && said.contains("token expires 12:30Z"),
        "{said}"
    );
    update(&mut f.app, Action::Tick(NOW + Duration::minutes(31)));
    assert!(
        screen(&f.app)
            .lines()
            .next()
            .unwrap()
            .contains("TOKEN EXPIRED")
    );
    // Far from expiry, the header says nothing of it.
    let mut g = fixture(Role::DutyOfficer, (160, 40));
    let id = g.app.ctx.me.as_ref().unwrap().id;
    let far = TokenInfo {
        id,
        officer_id: id,
        issued_at: NOW,
        expires_at: NOW + Duration::hours(12),
        revoked: false,
    };
    update(&mut g.app, Action::Net(NetEvent::Token(far)));
    assert!(!screen(&g.app).contains("TOKEN"));
}
