//! The attention queue on both stores (PostgreSQL with
//! `TANDEM_TEST_STORE=postgres`): every rule as the officer's stream pushes
//! it, seen-marks kept per officer, the queue's hostile input, and who is
//! connected pushed as it changes.

mod common;

use std::time::Duration;

use common::{TestServer, new_incident, send};
use reqwest::Method;
use serde_json::json;
use tandem::api::{AttentionQueue, NewTask, StreamItem, TaskPatch};
use tandem::client::EventStream;
use tandem::client::call::HandoverStep;
use tandem::client::{Client, new_key};
use tandem::model::attention::Rule;
use tandem::model::{Centre, Role, Severity, TaskStatus};
use uuid::Uuid;

/// Reads the stream until an `attention` frame satisfies `want`.
async fn attention_until(
    stream: &mut EventStream,
    what: &str,
    want: impl Fn(&AttentionQueue) -> bool,
) -> AttentionQueue {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut last = None;
    loop {
        let next = tokio::time::timeout_at(deadline, stream.next()).await;
        match next {
            Ok(Some(Ok(StreamItem::Attention(q)))) => {
                if want(&q) {
                    return q;
                }
                last = Some(q);
            }
            Ok(Some(Ok(_))) => {}
            other => panic!("waiting for {what}: the stream gave {other:?}; last queue {last:#?}"),
        }
    }
}

fn has(q: &AttentionQueue, rule: Rule, incident: Uuid) -> bool {
    q.items
        .iter()
        .any(|i| i.rule == rule && i.incident_id == Some(incident))
}

async fn officer(ts: &TestServer, name: &str, role: Role, centre: Centre) -> Client {
    let token = tandem::admin::add_officer(ts.store.as_ref(), name, role, centre, None)
        .await
        .unwrap()
        .1;
    Client::new(&ts.url, &token).unwrap()
}

#[tokio::test]
async fn every_rule_reaches_the_officer_on_the_stream_and_seen_marks_are_theirs() {
    let ts = TestServer::start().await;
    let duty = ts.client(Role::DutyOfficer);
    let sup = ts.client(Role::Supervisor);
    let fatima = officer(&ts, "Fatima Al-Barasi", Role::DutyOfficer, Centre::Ben).await;
    let head = ts.store.head().await.unwrap();
    let mut stream = duty.events(head).await.unwrap();
    let first = attention_until(&mut stream, "the first queue", |_| true).await;
    assert!(first.items.is_empty(), "{first:?}");

    // A new high incident of Tripoli, unacknowledged.
    let high = ts.incident("Armed group at the Ras Ajdir crossing").await;
    let q = attention_until(&mut stream, "the new high incident", |q| {
        has(q, Rule::Unacknowledged, high.id)
    })
    .await;
    assert_eq!(q.unseen, 1);
    // Benghazi's duty officer is not asked about Tripoli's incident.
    let theirs = fatima.attention().await.unwrap();
    assert!(!has(&theirs, Rule::Unacknowledged, high.id), "{theirs:?}");

    // A note by the other centre on an incident Tripoli owns.
    fatima
        .add_note(&new_key(), high.id, "Our patrol saw them cross back")
        .await
        .unwrap();
    let q = attention_until(&mut stream, "Benghazi's note", |q| {
        has(q, Rule::ChangedElsewhere, high.id)
    })
    .await;
    let note = q
        .items
        .iter()
        .find(|i| i.rule == Rule::ChangedElsewhere)
        .unwrap();
    assert!(
        note.why.starts_with("Fatima Al-Barasi (BEN): note on"),
        "{}",
        note.why
    );
    // Tripoli's own note raises nothing.
    let before = q.items.len();
    duty.add_note(&new_key(), high.id, "Noted").await.unwrap();

    // Benghazi offers Tripoli an incident, and asks to take one of Tripoli's.
    let mut theirs = new_incident("Boat adrift off Sirte");
    theirs.severity = Severity::Low;
    let offered = fatima.create_incident(&new_key(), &theirs).await.unwrap();
    let ask = |to| HandoverStep::Ask {
        to,
        note: "closer to you".into(),
    };
    fatima
        .handover(&new_key(), offered.id, &ask(Centre::Trp))
        .await
        .unwrap();
    let asked = ts.incident("Convoy near Ghadames").await;
    fatima
        .handover(&new_key(), asked.id, &ask(Centre::Ben))
        .await
        .unwrap();
    let q = attention_until(&mut stream, "the offer and the request", |q| {
        has(q, Rule::Offered, offered.id) && has(q, Rule::TransferRequested, asked.id)
    })
    .await;
    assert!(q.items.len() > before + 1);
    assert!(
        !q.items
            .iter()
            .any(|i| i.rule == Rule::ChangedElsewhere && i.why.contains("Noted")),
        "our own note is not news to us: {q:#?}"
    );

    // Tasks of Tripoli's incident: one declined, one done, one past due.
    let liaison = ts.client(Role::Liaison);
    let task = |title: &str, due: Option<time::OffsetDateTime>| NewTask {
        tlp: Default::default(),
        shared_with: Vec::new(),
        agency_id: ts.agency.id,
        title: title.into(),
        unit_id: None,
        priority: None,
        due_at: due,
    };
    let declined = duty
        .create_task(&new_key(), high.id, &task("Send a boat", None))
        .await
        .unwrap();
    let work = |status, reason: Option<&str>| TaskPatch {
        status: Some(status),
        reason: reason.map(str::to_string),
        ..Default::default()
    };
    liaison
        .patch_task(
            &new_key(),
            declined.id,
            declined.version,
            &work(TaskStatus::Declined, Some("no crew")),
        )
        .await
        .unwrap();
    let mut done = duty
        .create_task(&new_key(), high.id, &task("Check the papers", None))
        .await
        .unwrap();
    for s in [
        TaskStatus::Accepted,
        TaskStatus::InProgress,
        TaskStatus::Done,
    ] {
        done = liaison
            .patch_task(&new_key(), done.id, done.version, &work(s, None))
            .await
            .unwrap();
    }
    let soon = time::OffsetDateTime::now_utc() + time::Duration::seconds(2);
    let overdue = duty
        .create_task(&new_key(), high.id, &task("Report back", Some(soon)))
        .await
        .unwrap();
    let q = attention_until(&mut stream, "the declined and the done task", |q| {
        [Rule::TaskDeclined, Rule::TaskDone]
            .iter()
            .all(|r| q.items.iter().any(|i| i.rule == *r))
    })
    .await;
    let why = |r| q.items.iter().find(|i| i.rule == r).unwrap().why.clone();
    assert!(why(Rule::TaskDeclined).ends_with("Send a boat (no crew)"));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    // Falling due is no event: the queue read now has it.
    let now = duty.attention().await.unwrap();
    let late = now
        .items
        .iter()
        .find(|i| i.rule == Rule::TaskOverdue)
        .unwrap_or_else(|| panic!("no overdue task in {now:#?}"));
    assert!(late.key.ends_with(&overdue.id.to_string()));

    // A handover waits at the top for the duty officer, not for its author.
    let shift = sup.start_shift(&new_key()).await.unwrap();
    sup.end_shift(&new_key(), shift.id, "Ghat quiet; Ras Ajdir busy")
        .await
        .unwrap();
    let q = attention_until(&mut stream, "the handover", |q| {
        q.items.first().map(|i| i.rule) == Some(Rule::HandoverWaiting)
    })
    .await;
    assert_eq!(q.items[0].shift_id, Some(shift.id));
    let own = sup.attention().await.unwrap();
    assert!(!own.items.iter().any(|i| i.rule == Rule::HandoverWaiting));

    // Seen-marks are the duty officer's own, kept, and pushed.
    let key = q
        .items
        .iter()
        .find(|i| i.rule == Rule::Unacknowledged && i.incident_id == Some(high.id))
        .unwrap()
        .key
        .clone();
    let after = duty.mark_seen(&new_key(), vec![key.clone()]).await.unwrap();
    assert_eq!(after.unseen + 1, q.unseen);
    assert!(after.items.iter().any(|i| i.key == key && i.seen));
    let sups = sup.attention().await.unwrap();
    assert!(sups.items.iter().any(|i| i.key == key && !i.seen));

    // Acting on an item clears it: acknowledging, accepting, acknowledging the handover.
    let high_now = duty.incident(high.id).await.unwrap().incident;
    sup.patch_incident(
        &new_key(),
        high.id,
        high_now.version,
        &serde_json::from_value(json!({"status": "acknowledged"})).unwrap(),
    )
    .await
    .unwrap();
    duty.handover(&new_key(), offered.id, &HandoverStep::Accept)
        .await
        .unwrap();
    duty.acknowledge_handover(&new_key(), shift.id)
        .await
        .unwrap();
    let q = attention_until(&mut stream, "the cleared items", |q| {
        !has(q, Rule::Unacknowledged, high.id)
            && !has(q, Rule::Offered, offered.id)
            && !q.items.iter().any(|i| i.rule == Rule::HandoverWaiting)
    })
    .await;
    // Event-raised items stay until seen, and the seen-marks hold after a restart of the reads.
    assert!(has(&q, Rule::ChangedElsewhere, high.id));
}

#[tokio::test]
async fn seen_marks_refuse_what_is_not_a_key_and_change_nothing() {
    let ts = TestServer::start().await;
    ts.incident("Armed group at the Ras Ajdir crossing").await;
    let duty = ts.client(Role::DutyOfficer);
    let before = duty.attention().await.unwrap();
    assert_eq!(before.unseen, 1);
    let many: Vec<String> = (0..501).map(|n| format!("seq:{n}")).collect();
    let id = Uuid::new_v4();
    for (body, why) in [
        (json!({"items": []}), "1 to 500"),
        (json!({"items": many}), "1 to 500"),
        (json!({"items": ["  "]}), "not a key"),
        (json!({"items": ["a\u{0}b"]}), "not a key"),
        (json!({"items": ["x".repeat(201)]}), "not a key"),
        // Text of any other shape is not kept, whatever its length.
        (json!({"items": ["fill the table"]}), "not a key"),
        (
            json!({"items": [format!("new:{id}"), "seq:1 "]}),
            "not a key",
        ),
        (json!({"items": ["ok"], "all": true}), "unknown field"),
        (json!({"items": "new:1"}), "invalid type"),
    ] {
        let (status, _, problem) = send(
            &ts,
            Some(Role::DutyOfficer),
            Method::POST,
            "/api/v1/attention/seen",
            &[("idempotency-key", new_key())],
            Some(body.to_string()),
        )
        .await;
        assert_eq!(status.as_u16(), 422, "{body}: {problem}");
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(why), "{body}: {detail}");
    }
    assert_eq!(duty.attention().await.unwrap(), before);
    let (status, _, _) = send(&ts, None, Method::GET, "/api/v1/attention", &[], None).await;
    assert_eq!(status.as_u16(), 401);
}

#[tokio::test]
async fn who_is_connected_is_pushed_when_someone_comes_or_goes() {
    let ts = TestServer::start_with(tandem::server::Settings {
        presence_every: Duration::from_millis(200),
        ..Default::default()
    })
    .await;
    let duty = ts.client(Role::DutyOfficer);
    let fatima = officer(&ts, "Fatima Al-Barasi", Role::DutyOfficer, Centre::Ben).await;
    let head = ts.store.head().await.unwrap();
    let mut stream = duty.events(head).await.unwrap();
    let fatima_id = fatima.me().await.unwrap().id;
    let theirs = fatima.events(head).await.unwrap();
    let list = present(&mut stream, fatima_id, true).await;
    let her = list.iter().find(|p| p.officer_id == fatima_id).unwrap();
    assert_eq!(
        (her.centre, her.name.as_str()),
        (Centre::Ben, "Fatima Al-Barasi")
    );
    drop(theirs);
    present(&mut stream, fatima_id, false).await;
}

/// Reads the stream until who is connected includes `officer` (or not).
async fn present(
    stream: &mut EventStream,
    officer: Uuid,
    want: bool,
) -> Vec<tandem::api::Presence> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(Ok(StreamItem::Presence(list)))) => {
                if list.iter().any(|p| p.officer_id == officer) == want {
                    return list;
                }
            }
            Ok(Some(Ok(_))) => {}
            other => panic!("waiting for {officer} present={want}: {other:?}"),
        }
    }
}
