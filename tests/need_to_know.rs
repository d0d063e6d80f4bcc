//! Need-to-know over HTTP, on both stores (`TANDEM_TEST_STORE=postgres`):
//! who sees what of incidents and tasks by marking, role, centre and
//! agency, on every read path — GET, search, snapshot, task lists, the event
//! stream — and who may raise or lower a marking. The expected table is
//! written out here from README's "Security model", not derived from the code.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use common::{TestServer, new_incident};
use tandem::api::{IncidentQuery, StreamItem, TaskQuery};
use tandem::client::{Client, EventStream, new_key};
use tandem::model::{
    Agency, Centre, Incident, IncidentPatch, NewTask, Role, Task, Tlp, Unit, UnitPatch,
};
use uuid::Uuid;

/// The viewers of the matrix, in the order of the expected rows.
const VIEWERS: [&str; 10] = [
    "duty TRP",
    "supervisor TRP",
    "observer TRP",
    "duty BEN",
    "supervisor BEN",
    "liaison lead",
    "liaison supporting",
    "liaison listed",
    "liaison tasked",
    "liaison other",
];

/// Who sees an incident led by `lead`, supported by `supporting`, shared
/// with `listed`, owned by TRP and created by a TRP system account.
fn sees(tlp: Tlp) -> [bool; 10] {
    match tlp {
        Tlp::Clear | Tlp::Green => [true; 10],
        Tlp::Amber => [true, true, true, true, true, true, true, true, false, false],
        Tlp::AmberStrict => [
            true, true, true, false, false, true, false, true, false, false,
        ],
        Tlp::Red => [
            false, true, false, false, false, false, false, true, false, false,
        ],
    }
}

struct World {
    ts: TestServer,
    clients: Vec<Client>,
    officers: Vec<tandem::model::Officer>,
    agencies: HashMap<String, Agency>,
    system: Client,
}

async fn world() -> World {
    let ts = TestServer::start().await;
    let store = ts.store.as_ref();
    let agencies: HashMap<String, Agency> = store
        .agencies(&tandem::model::Viewer::everything())
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.code.clone(), a))
        .collect();
    let mut clients = Vec::new();
    let mut officers = Vec::new();
    for role in [Role::DutyOfficer, Role::Supervisor, Role::Observer] {
        clients.push(ts.client(role));
        officers.push(ts.officer(role).clone());
    }
    let add = [
        (Role::DutyOfficer, Centre::Ben, None),
        (Role::Supervisor, Centre::Ben, None),
    ];
    for (role, centre, agency) in add {
        let (o, token) = tandem::admin::add_officer(store, "ben", role, centre, agency)
            .await
            .unwrap();
        clients.push(Client::new(&ts.url, &token).unwrap());
        officers.push(o);
    }
    clients.push(ts.client(Role::Liaison)); // LCG-W, the lead
    officers.push(ts.officer(Role::Liaison).clone());
    for (code, centre) in [
        ("GACS", Centre::Trp),
        ("ISA", Centre::Ben),
        ("CUS-W", Centre::Trp),
        ("LBG-E", Centre::Ben),
    ] {
        let (o, token) = tandem::admin::add_officer(store, code, Role::Liaison, centre, Some(code))
            .await
            .unwrap();
        clients.push(Client::new(&ts.url, &token).unwrap());
        officers.push(o);
    }
    let system = ts.client(Role::System);
    World {
        ts,
        clients,
        officers,
        agencies,
        system,
    }
}

impl World {
    fn id(&self, code: &str) -> Uuid {
        self.agencies[code].id
    }

    async fn marked(&self, title: &str, tlp: Tlp) -> Incident {
        let mut new = new_incident(title);
        new.tlp = tlp;
        new.lead_agency_id = Some(self.id("LCG-W"));
        new.supporting_agency_ids = vec![self.id("GACS")];
        new.shared_with = vec![self.id("ISA")];
        self.system.create_incident(&new_key(), &new).await.unwrap()
    }

    async fn task(&self, incident: &Incident, tlp: Tlp) -> Task {
        let task = NewTask {
            agency_id: self.id("CUS-W"),
            title: "Check the lorries at the crossing".into(),
            unit_id: None,
            priority: None,
            due_at: None,
            tlp,
            shared_with: Vec::new(),
        };
        // The system account may not task: the TRP supervisor sees every marking here.
        self.clients[1]
            .create_task(&new_key(), incident.id, &task)
            .await
            .unwrap()
    }
}

/// Reads a stream until `sentinel` arrives; returns every id it carried
/// (entity ids of events, ids of redacted incidents apart).
async fn drain(mut s: EventStream, sentinel: Uuid) -> (HashSet<Uuid>, HashSet<Uuid>) {
    let mut seen = HashSet::new();
    let mut redacted = HashSet::new();
    let mut last = 0;
    loop {
        let item = tokio::time::timeout(Duration::from_secs(20), s.next())
            .await
            .expect("the stream went quiet before the sentinel")
            .expect("the stream ended")
            .unwrap();
        // Attention and presence frames are not of the log.
        let Some(seq) = item.seq() else { continue };
        assert!(seq > last, "seq went back: {seq} after {last}");
        last = seq;
        match item {
            StreamItem::Event(e) => {
                seen.insert(e.entity_id);
                if let Ok(v) = e.entity::<serde_json::Value>()
                    && let Some(i) = v.get("incident_id").and_then(|i| i.as_str())
                {
                    seen.insert(i.parse().unwrap());
                }
                if e.entity_id == sentinel {
                    return (seen, redacted);
                }
            }
            StreamItem::Redacted(r) => {
                redacted.insert(r.entity_id);
            }
            StreamItem::Skip(_) | StreamItem::Attention(_) | StreamItem::Presence(_) => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_read_path_shows_each_officer_exactly_what_the_marking_admits() {
    let w = world().await;
    let head = w.ts.head().await;
    let mut streams = Vec::new();
    for c in &w.clients {
        streams.push(c.events(head).await.unwrap());
    }
    let run = Uuid::new_v4().simple().to_string();
    let mut cases = Vec::new();
    for tlp in Tlp::ALL.iter().copied() {
        let i = w.marked(&format!("{run} {tlp}"), tlp).await;
        let t = w.task(&i, Tlp::Green).await;
        w.clients[1]
            .add_note(&new_key(), i.id, "seen")
            .await
            .unwrap();
        cases.push((tlp, i, t));
    }
    // A red task on a green incident: its creator (the TRP supervisor) and
    // TRP's supervisors only, not even the agency asked.
    let open = w.marked(&format!("{run} open"), Tlp::Green).await;
    let red_task = w.task(&open, Tlp::Red).await;
    let sentinel = w.marked("sentinel", Tlp::Green).await;

    for (n, c) in w.clients.iter().enumerate() {
        let who = VIEWERS[n];
        let snap = c.snapshot().await.unwrap();
        let snap_incidents: HashSet<Uuid> = snap.incidents.iter().map(|i| i.id).collect();
        let snap_tasks: HashSet<Uuid> = snap.tasks.iter().map(|t| t.id).collect();
        let q = IncidentQuery {
            q: Some(run.clone()),
            ..IncidentQuery::default()
        };
        let found: HashSet<Uuid> = c
            .search(&q)
            .await
            .unwrap()
            .items
            .iter()
            .map(|i| i.id)
            .collect();
        for (tlp, i, t) in &cases {
            let want = sees(*tlp)[n];
            // The agency asked sees its green task, whatever the incident's marking.
            let want_task = want || who == "liaison tasked";
            match c.incident(i.id).await {
                Ok(d) => {
                    assert!(want, "{who} reads a {tlp} incident");
                    assert_eq!(d.incident.tlp, *tlp);
                    assert_eq!(d.notes.len(), 1, "{who}: the note of a {tlp} incident");
                    assert!(d.tasks.iter().any(|x| x.id == t.id));
                }
                Err(e) => {
                    assert!(!want, "{who} refused a {tlp} incident: {e}");
                    assert_eq!(
                        e.status(),
                        Some(404),
                        "a hidden incident is not found, never forbidden"
                    );
                }
            }
            assert_eq!(found.contains(&i.id), want, "{who} searching finds {tlp}");
            assert_eq!(snap_incidents.contains(&i.id), want, "{who} snapshot {tlp}");
            assert_eq!(
                snap_tasks.contains(&t.id),
                want_task,
                "{who} snapshot task of {tlp}"
            );
            let tq = TaskQuery {
                incident: Some(i.id),
                ..TaskQuery::default()
            };
            let listed = c.tasks(&tq).await.unwrap().items;
            assert_eq!(
                listed.iter().any(|x| x.id == t.id),
                want_task,
                "{who} tasks of {tlp}"
            );
        }
        let red_seen = matches!(who, "supervisor TRP");
        assert_eq!(
            snap_tasks.contains(&red_task.id),
            red_seen,
            "{who}: red task"
        );
        let d = c.incident(open.id).await.unwrap();
        assert_eq!(
            d.tasks.iter().any(|x| x.id == red_task.id),
            red_seen,
            "{who}: red task in detail"
        );
        assert!(
            red_seen || d.timeline.iter().all(|e| e.entity_id != red_task.id),
            "{who}: the red task's events are not in the timeline"
        );
    }
    for (n, s) in streams.into_iter().enumerate() {
        let who = VIEWERS[n];
        let (seen, _) = drain(s, sentinel.id).await;
        for (tlp, i, t) in &cases {
            let want = sees(*tlp)[n];
            assert_eq!(
                seen.contains(&i.id),
                want || who == "liaison tasked",
                "{who} stream {tlp}"
            );
            assert_eq!(
                seen.contains(&t.id),
                want || who == "liaison tasked",
                "{who} stream task {tlp}"
            );
        }
        assert_eq!(
            seen.contains(&red_task.id),
            VIEWERS[n] == "supervisor TRP",
            "{who}: red task on the stream"
        );
    }
    w.ts.shutdown().await;
}

async fn patch(c: &Client, i: &Incident, patch: IncidentPatch) -> Result<Incident, u16> {
    let current = c
        .incident(i.id)
        .await
        .map_err(|e| e.status().unwrap_or(0))?;
    c.patch_incident(&new_key(), i.id, current.incident.version, &patch)
        .await
        .map_err(|e| e.status().unwrap_or(0))
}

fn tlp(t: Tlp) -> IncidentPatch {
    IncidentPatch {
        tlp: Some(t),
        ..IncidentPatch::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn anyone_who_sees_raises_only_the_owning_supervisor_lowers_and_the_stream_redacts() {
    let w = world().await;
    let head = w.ts.head().await;
    let ben = w.clients[3].events(head).await.unwrap();
    let other = w.clients[9].events(head).await.unwrap();
    let i = w.marked("raised by the other centre", Tlp::Amber).await;
    // Benghazi's duty officer may not triage a Tripoli incident, but may restrict it.
    let sev = IncidentPatch {
        severity: Some(tandem::model::Severity::Low),
        ..IncidentPatch::default()
    };
    assert_eq!(patch(&w.clients[3], &i, sev).await.unwrap_err(), 403);
    let raised = patch(&w.clients[3], &i, tlp(Tlp::Red)).await.unwrap();
    assert_eq!(raised.tlp, Tlp::Red);
    // Now hidden from them: reading and writing answer 404.
    assert_eq!(
        w.clients[3].incident(i.id).await.unwrap_err().status(),
        Some(404)
    );
    let note = w.clients[3]
        .add_note(&new_key(), i.id, "still there?")
        .await;
    assert_eq!(note.unwrap_err().status(), Some(404));
    // Lowering: not the TRP duty officer (who no longer sees it: 404), not
    // BEN's supervisor, only TRP's supervisor.
    assert_eq!(
        patch(&w.clients[0], &i, tlp(Tlp::Amber)).await.unwrap_err(),
        404
    );
    let sharing = IncidentPatch {
        shared_with: Some(vec![w.id("ISA"), w.id("LBG-E")]),
        ..IncidentPatch::default()
    };
    assert_eq!(
        patch(&w.clients[7], &i, sharing.clone()).await.unwrap_err(),
        403,
        "widening by a listed liaison"
    );
    let lowered = patch(&w.clients[1], &i, tlp(Tlp::Green)).await.unwrap();
    assert_eq!(lowered.tlp, Tlp::Green);
    assert!(
        w.clients[3].incident(i.id).await.is_ok(),
        "seen again once lowered"
    );
    // An unknown id cannot be shared with.
    let bogus = IncidentPatch {
        shared_with: Some(vec![Uuid::now_v7()]),
        ..IncidentPatch::default()
    };
    assert_eq!(patch(&w.clients[1], &i, bogus).await.unwrap_err(), 422);
    // A task re-marked red by TRP's supervisor: the agency asked loses it, and is told.
    let asked = w.clients[8].events(w.ts.head().await).await.unwrap();
    let t = w.task(&i, Tlp::Green).await;
    let red = tandem::model::TaskPatch {
        tlp: Some(Tlp::Red),
        ..Default::default()
    };
    w.clients[1]
        .patch_task(&new_key(), t.id, t.version, &red)
        .await
        .unwrap();
    let q = TaskQuery {
        incident: Some(i.id),
        ..TaskQuery::default()
    };
    assert!(w.clients[8].tasks(&q).await.unwrap().items.is_empty());
    let sentinel = w.marked("sentinel", Tlp::Green).await;
    let (seen, redacted) = drain(asked, sentinel.id).await;
    assert!(
        seen.contains(&t.id) && redacted.contains(&t.id),
        "the task was withdrawn"
    );
    let (seen, redacted) = drain(ben, sentinel.id).await;
    assert!(
        seen.contains(&i.id) && redacted.contains(&i.id),
        "BEN saw it, then was told it is redacted"
    );
    let (seen, redacted) = drain(other, sentinel.id).await;
    // It never saw the incident while amber or red: nothing of it to redact.
    // It did see the green task on the incident once lowered, until the task went red.
    assert_eq!(
        redacted,
        HashSet::from([t.id]),
        "only what it saw is redacted"
    );
    // It only arrives once lowered to green, whole.
    assert!(seen.contains(&i.id));
    w.ts.shutdown().await;
}

fn position_of(units: &[Unit], id: Uuid) -> bool {
    units
        .iter()
        .find(|u| u.id == id)
        .unwrap()
        .last_position
        .is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unit_positions_and_agency_contacts_follow_need_to_know() {
    let w = world().await;
    let west = w.ts.unit_of(&w.agencies["LCG-W"]).await;
    let liaison_west = &w.clients[5];
    let at = tandem::model::Position {
        lat: 32.9,
        lon: 12.1,
    };
    let moved = liaison_west
        .patch_unit(
            &new_key(),
            west.id,
            west.version,
            &UnitPatch {
                last_position: Some(at),
                ..UnitPatch::default()
            },
        )
        .await
        .unwrap();
    let (duty_trp, duty_ben, liaison_other) = (&w.clients[0], &w.clients[3], &w.clients[9]);
    assert!(position_of(&duty_trp.units().await.unwrap(), west.id));
    assert!(position_of(&liaison_west.units().await.unwrap(), west.id));
    assert!(
        !position_of(&duty_ben.units().await.unwrap(), west.id),
        "a western unit, unseen by BEN"
    );
    assert!(!position_of(&liaison_other.units().await.unwrap(), west.id));
    let snap = liaison_other.snapshot().await.unwrap();
    assert!(!position_of(&snap.units, west.id));
    // Tasked to an incident BEN sees: BEN sees where it is.
    let i = w.marked("unit tasked", Tlp::Green).await;
    let task = NewTask {
        agency_id: w.id("LCG-W"),
        title: "Patrol".into(),
        unit_id: Some(moved.id),
        priority: None,
        due_at: None,
        tlp: Tlp::Green,
        shared_with: Vec::new(),
    };
    w.clients[1]
        .create_task(&new_key(), i.id, &task)
        .await
        .unwrap();
    assert!(position_of(&duty_ben.units().await.unwrap(), west.id));
    // Contacts: officers and the agency's own liaisons only.
    let contact = |agencies: &[Agency], code: &str| {
        !agencies
            .iter()
            .find(|a| a.code == code)
            .unwrap()
            .liaison_contact
            .is_empty()
    };
    let seen_by_other = liaison_other.agencies().await.unwrap();
    assert!(!contact(&seen_by_other, "LCG-W"));
    assert!(contact(&seen_by_other, "LBG-E"));
    assert!(contact(&duty_ben.agencies().await.unwrap(), "LCG-W"));
    // The stream masks the position for a stranger and keeps it for the agency.
    let head = w.ts.head().await;
    let mut stranger = liaison_other.events(head).await.unwrap();
    let mut own = liaison_west.events(head).await.unwrap();
    let current = w.ts.unit_of(&w.agencies["LCG-W"]).await;
    liaison_west
        .patch_unit(
            &new_key(),
            west.id,
            current.version,
            &UnitPatch {
                last_position: Some(tandem::model::Position {
                    lat: 33.0,
                    lon: 12.2,
                }),
                ..UnitPatch::default()
            },
        )
        .await
        .unwrap();
    for (s, visible) in [(&mut stranger, false), (&mut own, true)] {
        let e = tokio::time::timeout(Duration::from_secs(10), s.next_event())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let u: Unit = e.entity().unwrap();
        assert_eq!(u.id, west.id);
        assert_eq!(u.last_position.is_some(), visible);
    }
    w.ts.shutdown().await;
}

/// One incident of a random world: its marking, lead, who it is shared
/// with, its owner, its task's marking, and a later re-marking.
#[derive(Debug, Clone)]
struct Plan {
    tlp: usize,
    lead: usize,
    shared: Vec<usize>,
    benghazi: bool,
    task_tlp: usize,
    remark: Option<usize>,
}

fn plans() -> impl proptest::strategy::Strategy<Value = Vec<Plan>> {
    use proptest::prelude::*;
    let plan = (
        0..5usize,
        0..AGENCIES.len(),
        proptest::collection::vec(0..AGENCIES.len(), 0..3),
        any::<bool>(),
        0..5usize,
        proptest::option::of(0..5usize),
    )
        .prop_map(|(tlp, lead, shared, benghazi, task_tlp, remark)| Plan {
            tlp,
            lead,
            shared,
            benghazi,
            task_tlp,
            remark,
        });
    proptest::collection::vec(plan, 1..8)
}

const AGENCIES: [&str; 5] = ["LCG-W", "GACS", "ISA", "CUS-W", "LBG-E"];

/// Builds the planned world while every viewer holds a snapshot taken
/// midway and a stream from it, then checks each viewer's copy (snapshot
/// plus stream) against the rules on the final state: it holds exactly the
/// incidents they may see, only tasks they may see, and no event ever
/// carried an incident they could not see at that moment.
async fn snapshot_and_stream_never_leak(plans: Vec<Plan>) {
    use tandem::client::mirror::Mirror;
    use tandem::model::marking::task_audience;
    let w = world().await;
    let (sup_trp, sup_ben) = (w.clients[1].clone(), w.clients[4].clone());
    let half = plans.len() / 2;
    let mut copies = Vec::new();
    for (n, p) in plans.iter().enumerate() {
        if n == half {
            for c in &w.clients {
                let snap = c.snapshot().await.unwrap();
                let stream = c.events(snap.seq).await.unwrap();
                copies.push((Mirror::from_snapshot(snap), stream));
            }
        }
        let mut new = new_incident("planned");
        new.tlp = Tlp::ALL[p.tlp];
        new.lead_agency_id = Some(w.id(AGENCIES[p.lead]));
        new.shared_with = p.shared.iter().map(|a| w.id(AGENCIES[*a])).collect();
        new.centre = Some(if p.benghazi { Centre::Ben } else { Centre::Trp });
        let i = w.system.create_incident(&new_key(), &new).await.unwrap();
        // The owning centre's supervisor sees every marking: they task and re-mark.
        let owner = if p.benghazi { &sup_ben } else { &sup_trp };
        let task = NewTask {
            agency_id: w.id(AGENCIES[(p.lead + 1) % AGENCIES.len()]),
            title: "t".into(),
            unit_id: None,
            priority: None,
            due_at: None,
            tlp: Tlp::ALL[p.task_tlp],
            shared_with: Vec::new(),
        };
        owner.create_task(&new_key(), i.id, &task).await.unwrap();
        if let Some(r) = p.remark {
            patch(owner, &i, tlp(Tlp::ALL[r])).await.unwrap();
        }
    }
    if copies.is_empty() {
        for c in &w.clients {
            let snap = c.snapshot().await.unwrap();
            let stream = c.events(snap.seq).await.unwrap();
            copies.push((Mirror::from_snapshot(snap), stream));
        }
    }
    let sentinel = w.marked("sentinel", Tlp::Green).await;
    let everything = tandem::model::Viewer::everything();
    let all = w.ts.store.snapshot(72, everything).await.unwrap();
    let all: Vec<String> = futures::StreamExt::collect::<Vec<_>>(all)
        .await
        .into_iter()
        .map(|c| c.unwrap())
        .collect();
    let all: tandem::api::Snapshot = serde_json::from_str(&all.concat()).unwrap();
    for (n, (mut mirror, mut stream)) in copies.into_iter().enumerate() {
        let who = VIEWERS[n];
        let viewer = tandem::model::Viewer::of(&w.officers[n]);
        loop {
            let item = tokio::time::timeout(Duration::from_secs(20), stream.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            match item {
                StreamItem::Event(e) => {
                    if let Ok(i) = e.entity::<Incident>()
                        && e.entity == tandem::model::EntityKind::Incident
                    {
                        assert!(
                            viewer.sees_incident(&i),
                            "{who} was sent {} ({})",
                            i.reference,
                            i.tlp
                        );
                    }
                    mirror.apply(&e).unwrap();
                    if e.entity_id == sentinel.id {
                        break;
                    }
                }
                StreamItem::Redacted(r) => {
                    mirror.redact(&r).unwrap();
                }
                StreamItem::Skip(s) => mirror.skip(s.through),
                StreamItem::Attention(_) | StreamItem::Presence(_) => {}
            }
        }
        let visible: HashSet<Uuid> = all
            .incidents
            .iter()
            .filter(|i| viewer.sees_incident(i))
            .map(|i| i.id)
            .collect();
        let held: HashSet<Uuid> = mirror.incidents.keys().copied().collect();
        assert_eq!(held, visible, "{who} holds exactly what they may see");
        for t in mirror.tasks.values() {
            let of = all
                .incidents
                .iter()
                .find(|i| i.id == t.incident_id)
                .unwrap();
            assert!(
                viewer.admits(&task_audience(t, of)),
                "{who} holds a task they may not see"
            );
        }
    }
    w.ts.shutdown().await;
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 6, ..Default::default() })]
    #[test]
    fn an_officers_snapshot_and_stream_never_hold_what_they_may_not_see(plans in plans()) {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(snapshot_and_stream_never_leak(plans));
    }
}
