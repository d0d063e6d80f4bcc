//! The console's test fixture: an app fed a snapshot (four incidents, one
//! overdue task) at a fixed clock, and helpers that type keys and read the
//! API calls the keys issued.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tandem::api::{IncidentPatch, Snapshot};
use tandem::client::outbox::{Entry, EntryState};
use tandem::console::action::{Action, ApiCall, Effect, Link, NetEvent};
use tandem::console::app::{App, update};
use tandem::console::config::Config;
use tandem::console::dialogs::Dialog;
use tandem::console::keymap::Keymap;
use tandem::model::*;
use tandem::reference::Seed;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::common::render;

pub const NOW: OffsetDateTime = datetime!(2026-11-29 12:00 UTC);

pub fn officer(role: Role) -> Officer {
    Officer {
        id: Uuid::now_v7(),
        name: "Salem".into(),
        role,
        centre: Centre::Trp,
        agency_id: None,
    }
}

pub fn incident(
    me: &Officer,
    n: u32,
    title: &str,
    severity: Severity,
    status: IncidentStatus,
    minutes_ago: i64,
) -> Incident {
    let reported = NOW - Duration::minutes(minutes_ago);
    let mut i = NewIncident {
        tlp: Default::default(),
        shared_with: Vec::new(),
        title: title.into(),
        category: Category::SmugglingFuel,
        severity,
        location: Location {
            lat: 33.1,
            lon: 11.5,
            sector: Some("Ras Ajdir".into()),
            crossing: None,
        },
        description: "seen by a patrol".into(),
        source: None,
        occurred_at: None,
        centre: None,
        lead_agency_id: None,
        supporting_agency_ids: vec![],
        tags: vec![],
    }
    .into_incident(me, Uuid::now_v7(), format!("TRP-26-{n:05}"), reported)
    .unwrap();
    i.status = status;
    if status != IncidentStatus::Reported {
        i.acknowledged_at = Some(reported);
    }
    if !status.is_open() {
        i.closed_at = Some(reported);
    }
    i
}

pub struct Fixture {
    pub app: App,
    pub overdue_critical: Incident,
    pub fresh_low: Incident,
    pub acked_high: Incident,
}

pub fn fixture(role: Role, size: (u16, u16)) -> Fixture {
    let me = officer(role);
    let (agencies, units): (Vec<_>, Vec<_>) =
        Seed::embedded().records(NOW).unwrap().into_iter().unzip();
    let overdue_critical = incident(
        &me,
        1,
        "Armed group crossed near Tummo",
        Severity::Critical,
        IncidentStatus::Reported,
        10,
    );
    let fresh_low = incident(
        &me,
        2,
        "Border marker damaged near Wazin",
        Severity::Low,
        IncidentStatus::Reported,
        1,
    );
    let acked_high = incident(
        &me,
        3,
        "قارب مهاجرين قبالة زوارة — 40 شخصاً",
        Severity::High,
        IncidentStatus::Acknowledged,
        30,
    );
    let closed = incident(
        &me,
        4,
        "Old fuel case",
        Severity::Critical,
        IncidentStatus::Closed,
        600,
    );
    let task = NewTask {
        tlp: Default::default(),
        shared_with: Vec::new(),
        agency_id: agencies[0].id,
        title: "Send a patrol".into(),
        unit_id: None,
        priority: None,
        due_at: Some(NOW - Duration::minutes(1)),
    }
    .into_task(overdue_critical.id, &me, Uuid::now_v7(), NOW)
    .unwrap();
    let snapshot = Snapshot {
        seq: 100,
        head_hash: None,
        centres: vec![],
        agencies,
        units: units.into_iter().flatten().collect(),
        incidents: vec![
            overdue_critical.clone(),
            fresh_low.clone(),
            acked_high.clone(),
            closed,
        ],
        tasks: vec![task],
        officers: vec![me.clone()],
    };
    let mut app = App::new(
        &Config::default(),
        Keymap::new(&Default::default()).unwrap(),
        Seed::embedded().place,
        NOW,
    );
    update(&mut app, Action::Resize(size.0, size.1));
    update(&mut app, Action::Net(NetEvent::Me(me)));
    update(&mut app, Action::Net(NetEvent::Link(Link::Live)));
    update(
        &mut app,
        Action::Net(NetEvent::Snapshot(Box::new(snapshot))),
    );
    Fixture {
        app,
        overdue_critical,
        fresh_low,
        acked_high,
    }
}

pub fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub fn code(c: KeyCode) -> Action {
    Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

pub fn typed(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(app, key(c))).collect()
}

/// What the engine does with Effect::Call: the change enters the outbox.
pub fn queue(app: &mut App, effects: &[Effect]) {
    for c in calls(effects) {
        let entry = Entry {
            seq: app.ctx.outbox.len() as i64 + 1,
            key: Uuid::now_v7().to_string(),
            call: c,
            state: EntryState::Pending,
            created_at: NOW,
        };
        update(app, Action::Net(NetEvent::Queued(entry)));
    }
}

pub fn calls(effects: &[Effect]) -> Vec<ApiCall> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Call(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

pub fn event(seq: u64, kind: EventKind, i: &Incident) -> Event {
    hashed(seq, kind, EntityKind::Incident, i.id, i.version, i)
}

pub fn task_event(seq: u64, kind: EventKind, t: &Task) -> Event {
    hashed(seq, kind, EntityKind::Task, t.id, t.version, t)
}

/// An event that hashes true (the fixture's snapshot names no head, so its
/// links are not checked): the console's record check stays quiet.
fn hashed<T: serde::Serialize>(
    seq: u64,
    kind: EventKind,
    entity: EntityKind,
    id: Uuid,
    version: u64,
    value: &T,
) -> Event {
    let json = serde_json::to_string(value).unwrap();
    let mut e = Event {
        seq,
        at: "2026-11-29T12:00:00Z".into(),
        actor: "x".into(),
        kind,
        entity,
        entity_id: id,
        version,
        data: serde_json::value::RawValue::from_string(json).unwrap(),
        prev_hash: String::new(),
        hash: String::new(),
    };
    e.hash = e.computed_hash();
    e
}

/// The text of a scrolled screen, page by page (PageDown) to its end.
pub fn every_page(app: &mut App, w: u16, h: u16) -> String {
    let mut pages = vec![render(app, w, h).join("\n")];
    for _ in 0..50 {
        update(app, code(KeyCode::PageDown));
        let page = render(app, w, h).join("\n");
        if pages.last() == Some(&page) {
            return pages.join("\n");
        }
        pages.push(page);
    }
    panic!("PageDown never reaches the end")
}

/// Runs a `:` command line.
pub fn colon(app: &mut App, line: &str) -> Vec<Effect> {
    update(app, key(':'));
    typed(app, line);
    update(app, code(KeyCode::Enter))
}

/// Moves a confirmation from Cancel to its action and takes it.
pub fn confirm_yes(app: &mut App) -> Vec<Effect> {
    assert!(
        matches!(app.dialog, Some(Dialog::Confirm(_))),
        "no confirmation"
    );
    update(app, code(KeyCode::Right));
    update(app, code(KeyCode::Enter))
}

pub fn the_patch(c: &[ApiCall]) -> &IncidentPatch {
    match c {
        [ApiCall::PatchIncident { patch, .. }] => patch,
        other => panic!("expected one incident change, got {other:?}"),
    }
}

/// One of the fixture's tasks (it has one).
pub fn a_task(app: &App) -> Task {
    app.ctx
        .mirror
        .tasks
        .values()
        .next()
        .unwrap()
        .as_ref()
        .clone()
}

/// The queue the server would push for this console's picture (made by the
/// model's own rules), with Omar's handover waiting at the top.
pub fn attention_of(app: &App) -> tandem::api::AttentionQueue {
    use tandem::model::attention::{for_officer, from_incident, from_shift};
    let me = app.ctx.me.clone().unwrap();
    let mut items: Vec<_> = app
        .ctx
        .mirror
        .incidents
        .values()
        .flat_map(|i| from_incident(i, me.centre))
        .collect();
    let omar = Officer {
        name: "Omar Haddad".into(),
        ..officer(Role::DutyOfficer)
    };
    let shift = Shift::start(&omar, Uuid::now_v7(), NOW - Duration::hours(9))
        .unwrap()
        .end(
            &omar,
            "Ghat quiet; Ras Ajdir busy",
            Default::default(),
            NOW - Duration::minutes(5),
        )
        .unwrap();
    items.extend(from_shift(&shift));
    for_officer(&items, me.id, &Default::default())
}
