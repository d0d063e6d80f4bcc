//! Shifts on both stores (PostgreSQL with `TANDEM_TEST_STORE=postgres`):
//! start, end with the generated handover, acknowledge — who may do each,
//! what each refuses, the events in the log, who sees a centre's handover,
//! and that the record still verifies with its new table.

mod common;

use std::time::Duration;

use common::{TestServer, send};
use reqwest::Method;
use serde_json::{Value, json};
use tandem::api::NewTask;
use tandem::client::new_key;
use tandem::model::{Centre, EventKind, Role};

async fn post(ts: &TestServer, token: &str, path: &str, body: Value) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(format!("{}{path}", ts.url))
        .bearer_auth(token)
        .header("idempotency-key", new_key())
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn officer(ts: &TestServer, name: &str, role: Role, centre: Centre) -> String {
    tandem::admin::add_officer(ts.store.as_ref(), name, role, centre, None)
        .await
        .unwrap()
        .1
}

#[tokio::test]
async fn a_shift_starts_ends_with_its_handover_and_is_acknowledged_by_the_next() {
    // A short heartbeat: what Benghazi may not see is skipped at the next one.
    let ts = TestServer::start_with(tandem::server::Settings {
        heartbeat: Duration::from_millis(300),
        ..Default::default()
    })
    .await;
    let duty = ts.token(Role::DutyOfficer).to_string();
    // The centre's picture as the shift ends: a critical and a low incident,
    // a note, a task past its due time, one incident being handed to Benghazi.
    let critical = ts.incident("Armed group at the Ras Ajdir crossing").await;
    let c = ts.client(Role::Supervisor);
    let critical = c
        .patch_incident(
            &new_key(),
            critical.id,
            critical.version,
            &serde_json::from_value(json!({"severity": "critical"})).unwrap(),
        )
        .await
        .unwrap();
    ts.client(Role::DutyOfficer)
        .add_note(&new_key(), critical.id, "Second vehicle seen, shots heard")
        .await
        .unwrap();
    let moving = ts.incident("Boat drifting east of Sirte").await;
    c.handover(
        &new_key(),
        moving.id,
        &tandem::client::call::HandoverStep::Ask {
            to: Centre::Ben,
            note: "their waters".into(),
        },
    )
    .await
    .unwrap();
    ts.client(Role::DutyOfficer)
        .create_task(
            &new_key(),
            critical.id,
            &NewTask {
                agency_id: ts.agency.id,
                title: "Send the border patrol".into(),
                unit_id: None,
                priority: None,
                due_at: Some(time::OffsetDateTime::now_utc() + time::Duration::seconds(1)),
                tlp: Default::default(),
                shared_with: vec![],
            },
        )
        .await
        .unwrap();

    let (status, shift) = post(&ts, &duty, "/api/v1/shifts", json!({})).await;
    assert_eq!(status, 201, "{shift}");
    assert_eq!(shift["centre"], "TRP");
    assert_eq!(shift["post"], "duty_officer");
    assert!(shift["ended_at"].is_null());
    let id = shift["id"].as_str().unwrap().to_string();
    // One shift at a time.
    let (status, again) = post(&ts, &duty, "/api/v1/shifts", json!({})).await;
    assert_eq!(status, 409, "{again}");
    // On duty now.
    let (_, _, on_duty) = send(
        &ts,
        Some(Role::Observer),
        Method::GET,
        "/api/v1/shifts?on_duty=true",
        &[],
        None,
    )
    .await;
    assert_eq!(on_duty.as_array().unwrap().len(), 1);

    tokio::time::sleep(Duration::from_millis(1200)).await;
    // Another duty officer may not end it; its officer may, once.
    let other = officer(&ts, "Amal", Role::DutyOfficer, Centre::Trp).await;
    let end = format!("/api/v1/shifts/{id}/end");
    let (status, _) = post(&ts, &other, &end, json!({"handover_note": "x"})).await;
    assert_eq!(status, 403);
    let (status, ended) = post(
        &ts,
        &duty,
        &end,
        json!({"handover_note": "Watch Ras Ajdir; BEN owes us an answer on the boat"}),
    )
    .await;
    assert_eq!(status, 200, "{ended}");
    let h = &ended["handover"];
    assert_eq!(h["open_by_severity"]["critical"], 1);
    assert_eq!(
        h["open"][0]["reference"],
        critical.reference.as_str(),
        "most severe first"
    );
    assert_eq!(
        h["open"][0]["last_note"],
        "Second vehicle seen, shots heard"
    );
    assert_eq!(h["overdue_tasks"][0]["action"], "Send the border patrol");
    assert_eq!(h["handovers"][0]["id"], moving.id.to_string());
    assert_eq!(
        ended["handover_note"],
        "Watch Ras Ajdir; BEN owes us an answer on the boat"
    );
    let (status, _) = post(&ts, &duty, &end, json!({})).await;
    assert_eq!(status, 409, "ended once");

    // The handover: not by its own officer, not by the other centre, once by the next.
    let ack = format!("/api/v1/shifts/{id}/handover/ack");
    assert_eq!(post(&ts, &duty, &ack, json!({})).await.0, 403);
    let fatima = officer(&ts, "Fatima", Role::DutyOfficer, Centre::Ben).await;
    assert_eq!(post(&ts, &fatima, &ack, json!({})).await.0, 403);
    let (status, taken) = post(&ts, &other, &ack, json!({})).await;
    assert_eq!(status, 200, "{taken}");
    assert!(taken["acknowledged_at"].is_string());
    assert_eq!(post(&ts, &other, &ack, json!({})).await.0, 409);

    // Benghazi sees who was on duty in Tripoli, not what Tripoli handed over.
    let ben = tandem::client::Client::new(&ts.url, &fatima).unwrap();
    let seen: Vec<tandem::api::Shift> = reqwest::Client::new()
        .get(format!("{}/api/v1/shifts?centre=TRP", ts.url))
        .bearer_auth(&fatima)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].handover.is_none() && seen[0].handover_note.is_none());
    // And its stream skips Tripoli's shift events, which Tripoli's officers get.
    let kinds =
        |events: Vec<tandem::api::Event>| events.into_iter().map(|e| e.kind).collect::<Vec<_>>();
    let mut trp_kinds = Vec::new();
    let mut s = ts.client(Role::Observer).events(0).await.unwrap();
    let head = ts.head().await;
    while let Some(Ok(item)) = s.next().await {
        if let tandem::api::StreamItem::Event(e) = &item {
            trp_kinds.push(e.kind);
        }
        if item.seq() >= Some(head) {
            break;
        }
    }
    for k in [
        EventKind::ShiftStarted,
        EventKind::ShiftEnded,
        EventKind::HandoverAcknowledged,
    ] {
        assert!(trp_kinds.contains(&k), "{k} on Tripoli's stream");
    }
    let mut s = ben.events(0).await.unwrap();
    let mut ben_events = Vec::new();
    while let Some(Ok(item)) = s.next().await {
        let seq = item.seq();
        if let tandem::api::StreamItem::Event(e) = item {
            ben_events.push(*e);
        }
        if seq >= Some(head) {
            break;
        }
    }
    assert!(
        !kinds(ben_events)
            .iter()
            .any(|k| k.as_str().starts_with("shift."))
    );
    // The shifts table is part of the record the check compares.
    let report = ts.store.verify(&Default::default()).await.unwrap();
    assert!(report.ok, "{:?}", report.findings);
    ts.raw_execute("UPDATE shifts SET data = replace(data, 'Watch Ras Ajdir', 'All quiet')")
        .await;
    let report = ts.store.verify(&Default::default()).await.unwrap();
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.entity.as_deref().is_some_and(|e| e.starts_with("shift "))),
        "{:?}",
        report.findings
    );
}

#[tokio::test]
async fn who_stands_shifts_and_who_ends_a_forgotten_one() {
    let ts = TestServer::start().await;
    for role in [Role::Observer, Role::System, Role::Auditor] {
        let (status, _) = post(&ts, ts.token(role), "/api/v1/shifts", json!({})).await;
        assert_eq!(status, 403, "{role}");
    }
    let (status, liaison) = post(&ts, ts.token(Role::Liaison), "/api/v1/shifts", json!({})).await;
    assert_eq!(status, 201);
    assert_eq!(liaison["post"], "liaison_desk");
    assert_eq!(liaison["agency_id"], ts.agency.id.to_string());
    // Its due end is 13 h after its start.
    let start = time::OffsetDateTime::parse(
        liaison["started_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let due = time::OffsetDateTime::parse(
        liaison["end_due_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(due - start, time::Duration::hours(13));
    // A supervisor of its centre ends a shift forgotten; one of the other centre may not.
    let id = liaison["id"].as_str().unwrap();
    let end = format!("/api/v1/shifts/{id}/end");
    let ben_sup = officer(&ts, "Idris", Role::Supervisor, Centre::Ben).await;
    assert_eq!(post(&ts, &ben_sup, &end, json!({})).await.0, 403);
    let (status, ended) = post(&ts, ts.token(Role::Supervisor), &end, json!({})).await;
    assert_eq!(status, 200, "{ended}");
    assert_eq!(
        ended["ended_by"],
        ts.officer(Role::Supervisor).id.to_string()
    );
    // Unknown shift, bad body, bad limit.
    let nowhere = format!("/api/v1/shifts/{}/end", uuid::Uuid::now_v7());
    assert_eq!(
        post(&ts, ts.token(Role::Supervisor), &nowhere, json!({}))
            .await
            .0,
        404
    );
    let bad = post(
        &ts,
        ts.token(Role::Supervisor),
        &end,
        json!({"handover_note": "\u{0007}"}),
    )
    .await;
    assert_eq!(bad.0, 422);
    let (status, _, _) = send(
        &ts,
        Some(Role::Observer),
        Method::GET,
        "/api/v1/shifts?limit=0",
        &[],
        None,
    )
    .await;
    assert_eq!(status, 422);
    // After it ends, the liaison may start a new one.
    let (status, _) = post(&ts, ts.token(Role::Liaison), "/api/v1/shifts", json!({})).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn the_consoles_shift_commands_find_the_shift_and_say_what_was_handed_over() {
    use tandem::console::shifts::{ShiftStep, perform};
    let ts = TestServer::start().await;
    ts.incident("Fuel smuggling near Zuwara").await;
    let me = ts.officer(Role::DutyOfficer).clone();
    let client = ts.client(Role::DutyOfficer);
    let end = ShiftStep::End {
        note: "quiet night".into(),
    };
    let refused = perform(&client, &me, end.clone()).await.unwrap_err();
    assert!(refused.contains("not on shift"), "{refused}");
    let started = perform(&client, &me, ShiftStep::Start).await.unwrap();
    assert!(
        started.starts_with("on shift at TRP as duty officer"),
        "{started}"
    );
    let ended = perform(&client, &me, end).await.unwrap();
    assert!(
        ended.contains("open: 0 critical, 1 high, 0 medium") && ended.contains("note: quiet night"),
        "{ended}"
    );
    // The next officer of the centre takes it; then nothing waits.
    let sup = ts.officer(Role::Supervisor).clone();
    let sup_client = ts.client(Role::Supervisor);
    let taken = perform(&sup_client, &sup, ShiftStep::Acknowledge)
        .await
        .unwrap();
    assert!(
        taken.starts_with(
            "handover from duty_officer officer acknowledged — open: 0 critical, 1 high"
        ),
        "{taken}"
    );
    let nothing = perform(&sup_client, &sup, ShiftStep::Acknowledge)
        .await
        .unwrap_err();
    assert!(nothing.contains("no handover of TRP waits"), "{nothing}");
}

/// Who is connected, as `GET /api/v1/presence` on `url` answers.
async fn present(url: &str, token: &str) -> Vec<tandem::api::Presence> {
    reqwest::Client::new()
        .get(format!("{url}/api/v1/presence"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_spans_instances_and_a_dead_instances_officers_drop_out() {
    let fast = || tandem::server::Settings {
        presence_every: Duration::from_millis(100),
        presence_window: Duration::from_millis(1500),
        ..Default::default()
    };
    let ts = TestServer::start_with(fast()).await;
    // A second instance over the same database (Benghazi's).
    let other = tandem::server::spawn_with(
        ts.store.clone(),
        tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
        fast(),
    )
    .unwrap();
    let other_url = format!("http://{}", other.addr);
    let fatima = officer(&ts, "Fatima", Role::DutyOfficer, Centre::Ben).await;
    let obs = ts.token(Role::Observer).to_string();
    assert!(
        present(&ts.url, &obs).await.is_empty(),
        "nobody connected yet"
    );
    let salem_stream = ts.client(Role::DutyOfficer).events(0).await.unwrap();
    let fatima_stream = tandem::client::Client::new(&other_url, &fatima)
        .unwrap()
        .events(0)
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let both = loop {
        let now = present(&ts.url, &obs).await;
        if now.len() == 2 {
            break now;
        }
        assert!(std::time::Instant::now() < deadline, "{now:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // Each instance answers for both, Tripoli's first.
    assert_eq!(both[0].centre, Centre::Trp);
    assert_eq!(both[1].centre, Centre::Ben);
    assert_eq!(both[1].name, "Fatima");
    assert_eq!(present(&other_url, &obs).await, both);
    // A closed stream: gone at the next write.
    drop(salem_stream);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while present(&ts.url, &obs).await.len() != 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the closed stream still counts"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // An instance that dies without a word (its rows simply stop being
    // refreshed): its officers drop out within the window.
    ts.store
        .beat(
            uuid::Uuid::now_v7(),
            vec![tandem::api::Presence {
                officer_id: uuid::Uuid::now_v7(),
                name: "Ghost".into(),
                role: Role::DutyOfficer,
                centre: Centre::Ben,
                since: time::OffsetDateTime::now_utc(),
            }],
            Duration::from_millis(1500),
        )
        .await
        .unwrap();
    assert!(
        present(&ts.url, &obs)
            .await
            .iter()
            .any(|p| p.name == "Ghost")
    );
    tokio::time::sleep(Duration::from_millis(1700)).await;
    let after = present(&ts.url, &obs).await;
    assert!(!after.iter().any(|p| p.name == "Ghost"), "{after:?}");
    assert!(
        after.iter().any(|p| p.name == "Fatima"),
        "the live instance's officer stays"
    );
    // A clean stop takes its officers off at once.
    other.shutdown().await.unwrap();
    drop(fatima_stream);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !present(&ts.url, &obs).await.is_empty() {
        assert!(std::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shift_report_counts_a_scripted_shift() {
    let ts = TestServer::start().await;
    let duty = ts.client(Role::DutyOfficer);
    let (_, shift) = post(
        &ts,
        ts.token(Role::DutyOfficer),
        "/api/v1/shifts",
        json!({}),
    )
    .await;
    // Three reports: two high fuel smuggling at Ras Ajdir (one acknowledged
    // at once, within the 5-minute SLA), one critical migration at Zuwara.
    let a = ts.incident("Tankers at the crossing").await;
    ts.incident("More tankers at the crossing").await;
    let mut third = common::new_incident("Boat with 40 people <b>adrift</b>");
    third.category = tandem::model::Category::IrregularMigration;
    third.severity = tandem::model::Severity::Critical;
    third.location.sector = Some("Zuwara".into());
    third.location.crossing = None;
    let c = duty.create_incident(&new_key(), &third).await.unwrap();
    duty.patch_incident(
        &new_key(),
        a.id,
        a.version,
        &serde_json::from_value(json!({"status": "acknowledged"})).unwrap(),
    )
    .await
    .unwrap();
    // Tasks: LCG-W asked twice, one declined by its liaison.
    let t1 = ts.task(&a).await;
    ts.task(&c).await;
    ts.client(Role::Liaison)
        .patch_task(
            &new_key(),
            t1.id,
            t1.version,
            &serde_json::from_value(json!({"status": "declined", "reason": "no boat free"}))
                .unwrap(),
        )
        .await
        .unwrap();
    let end = format!("/api/v1/shifts/{}/end", shift["id"].as_str().unwrap());
    post(
        &ts,
        ts.token(Role::DutyOfficer),
        &end,
        json!({"handover_note": "Zuwara boat open"}),
    )
    .await;

    // A fourth, handed to Benghazi and accepted there: Tripoli's report
    // lists it among the handovers, and no longer counts it as its own.
    let away = ts.incident("Convoy heading east").await;
    ts.client(Role::Supervisor)
        .handover(
            &new_key(),
            away.id,
            &tandem::client::call::HandoverStep::Ask {
                to: Centre::Ben,
                note: "their sector".into(),
            },
        )
        .await
        .unwrap();
    let ben = officer(&ts, "Fatima", Role::DutyOfficer, Centre::Ben).await;
    tandem::client::Client::new(&ts.url, &ben)
        .unwrap()
        .handover(
            &new_key(),
            away.id,
            &tandem::client::call::HandoverStep::Accept,
        )
        .await
        .unwrap();

    let now = time::OffsetDateTime::now_utc();
    let r = duty
        .shift_report(
            Centre::Trp,
            now - time::Duration::hours(1),
            now + time::Duration::minutes(1),
        )
        .await
        .unwrap();
    assert_eq!(r.new_incidents, 3);
    let moved: Vec<&str> = r.handovers.iter().map(|h| h.reference.as_str()).collect();
    assert_eq!(moved, [away.reference.as_str()]);
    assert_eq!(r.by_category["smuggling_fuel"], 2);
    assert_eq!(r.by_category["irregular_migration"], 1);
    assert_eq!(r.by_sector["Ras Ajdir"], 2);
    assert_eq!(r.by_sector["Zuwara"], 1);
    assert_eq!((r.by_severity.critical, r.by_severity.high), (1, 2));
    let high = r
        .sla
        .iter()
        .find(|l| l.severity == tandem::model::Severity::High)
        .unwrap();
    assert_eq!(
        (high.incidents, high.acknowledged_in_time, high.percent),
        (2, 1, 50.0)
    );
    let critical = r
        .sla
        .iter()
        .find(|l| l.severity == tandem::model::Severity::Critical)
        .unwrap();
    assert_eq!((critical.incidents, critical.acknowledged_in_time), (1, 0));
    // Per hour of the window, by severity: all three in the buckets.
    assert_eq!((r.bucket_minutes, r.per_bucket.len()), (60, 2));
    let (mut all, mut critical) = (0, 0);
    for b in &r.per_bucket {
        let s = b.by_severity;
        all += s.critical + s.high + s.medium + s.low;
        critical += s.critical;
    }
    assert_eq!((all, critical), (3, 1));
    assert_eq!(r.still_open.len(), 3);
    assert_eq!(r.still_open[0].reference, c.reference, "most severe first");
    assert_eq!(r.tasks.len(), 1);
    assert_eq!(
        (
            r.tasks[0].agency.as_str(),
            r.tasks[0].requested,
            r.tasks[0].declined
        ),
        ("LCG-W", 2, 1)
    );
    assert_eq!(r.on_duty.len(), 1);
    assert_eq!(
        r.on_duty[0].handover_note.as_deref(),
        Some("Zuwara boat open")
    );
    // A window that runs backwards, or is too long, is refused.
    let bad = duty
        .shift_report(Centre::Trp, now, now - time::Duration::hours(1))
        .await;
    assert_eq!(bad.unwrap_err().status(), Some(422));
    let bad = duty
        .shift_report(Centre::Trp, now - time::Duration::days(40), now)
        .await;
    assert_eq!(bad.unwrap_err().status(), Some(422));

    // The command line renders it.
    let run = |format: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
            .args([
                "report", "shift", "--centre", "TRP", "--last", "2h", "--format", format,
            ])
            .args(["--server", &ts.url, "--token", ts.token(Role::Observer)])
            .args(["--config", "/nonexistent/config.toml"])
            .output()
            .unwrap()
    };
    let md = run("md");
    assert!(
        md.status.success(),
        "{}",
        String::from_utf8_lossy(&md.stderr)
    );
    let md = String::from_utf8_lossy(&md.stdout).to_string();
    assert!(md.contains("# Shift report — Tripoli JBSC (TRP)"), "{md}");
    assert!(md.contains("## New incidents: 3"), "{md}");
    assert!(md.contains("| high | 2 | 1 | 50.0 |"), "{md}");
    assert!(md.contains("| LCG-W | 2 | 0 | 1 | 0 |"), "{md}");
    let csv = String::from_utf8_lossy(&run("csv").stdout).to_string();
    assert!(csv.starts_with("section,key,value\n"), "{csv}");
    assert!(csv.contains("category,irregular_migration,1\n"), "{csv}");
    let json: tandem::model::report::ShiftReport =
        serde_json::from_slice(&run("json").stdout).unwrap();
    assert_eq!(json.new_incidents, 3);
    let html = run("html");
    assert!(html.status.success());
    let html = String::from_utf8_lossy(&html.stdout).to_string();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<h1>Shift report — Tripoli JBSC (TRP)</h1>"));
    // Two charts drawn as SVG, labelled in words: the legend's severities, the sectors.
    assert_eq!(html.matches("<svg").count(), 2, "{html}");
    for label in ["critical", "high", "Ras Ajdir", "Zuwara"] {
        assert!(
            html.contains(&format!(">\n{label}\n</text>")),
            "{label}: {html}"
        );
    }
    // Self-contained and safe: nothing fetched, the title's markup escaped.
    for outside in ["<script", "<link", "src=", "href="] {
        assert!(!html.contains(outside), "{outside} in {html}");
    }
    assert!(html.contains("Boat with 40 people &lt;b&gt;adrift&lt;/b&gt;"));
    assert!(!html.contains("<b>adrift"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_killed_takes_its_officers_off_within_the_window() {
    let ts = TestServer::start().await;
    // A second instance, the real binary, over the same database.
    let (mut other, other_url) = common::serve_binary(&ts.database_url());
    let fatima = officer(&ts, "Fatima", Role::DutyOfficer, Centre::Ben).await;
    let head = ts.head().await;
    let stream = tandem::client::Client::new(&other_url, &fatima)
        .unwrap()
        .events(head)
        .await
        .unwrap();
    let obs = ts.token(Role::Observer).to_string();
    let listed = |list: &[tandem::api::Presence]| list.iter().any(|p| p.name == "Fatima");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !listed(&present(&ts.url, &obs).await) {
        assert!(std::time::Instant::now() < deadline, "never listed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // SIGKILL: no clean stop takes her off; her rows stop being refreshed.
    other.kill().unwrap();
    other.wait().unwrap();
    let killed = std::time::Instant::now();
    assert!(
        listed(&present(&ts.url, &obs).await),
        "gone before expiring"
    );
    while listed(&present(&ts.url, &obs).await) {
        assert!(
            killed.elapsed() < Duration::from_secs(31),
            "still listed 31 s after the kill"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    drop(stream);
}
