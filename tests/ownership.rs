//! Centre ownership over HTTP, on both stores: only the owning centre
//! triages; the other reads, notes and requests tasks; ownership moves by a
//! handover the other side answers, or by an emergency takeover of a
//! neglected critical incident.

mod common;

use common::{TestServer, new_incident};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tandem::client::{Client, new_key};
use tandem::model::{Centre, IncidentStatus, Role, Severity};
use tandem::store::{Actor, Command, Request};
use uuid::Uuid;

/// Benghazi's duty officer and supervisor beside the server's Tripoli officers.
async fn benghazi(ts: &TestServer) -> (String, String) {
    let store = ts.store.as_ref();
    let (_, duty) =
        tandem::admin::add_officer(store, "Fatima", Role::DutyOfficer, Centre::Ben, None)
            .await
            .unwrap();
    let (_, sup) = tandem::admin::add_officer(store, "Idris", Role::Supervisor, Centre::Ben, None)
        .await
        .unwrap();
    (duty, sup)
}

async fn post(ts: &TestServer, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .post(format!("{}{path}", ts.url))
        .bearer_auth(token)
        .header("idempotency-key", new_key())
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn patch(ts: &TestServer, token: &str, id: Uuid, body: Value) -> (StatusCode, Value) {
    let version = ts
        .store
        .incident(id, &tandem::model::Viewer::everything())
        .await
        .unwrap()
        .unwrap()
        .incident
        .version;
    let res = reqwest::Client::new()
        .patch(format!("{}/api/v1/incidents/{id}", ts.url))
        .bearer_auth(token)
        .header("idempotency-key", new_key())
        .header("if-match", format!("\"{version}\""))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn detail(v: &Value) -> &str {
    v["detail"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn only_the_owning_centre_triages_the_other_reads_notes_and_tasks() {
    let ts = TestServer::start().await;
    let (ben_duty, ben_sup) = benghazi(&ts).await;
    let inc = ts.incident("Fuel trucks at Ras Ajdir").await;
    let before = ts.head().await;
    for (token, body) in [
        (&ben_duty, json!({"status": "acknowledged"})),
        (&ben_duty, json!({"severity": "critical"})),
        (
            &ben_sup,
            json!({"status": "dismissed", "dismiss_reason": "false_alarm"}),
        ),
    ] {
        let (status, problem) = patch(&ts, token, inc.id, body).await;
        assert_eq!(status, 403, "{problem}");
        assert!(detail(&problem).contains("owned by TRP; ask TRP or request a handover"));
    }
    let (status, problem) = patch(&ts, &ben_sup, inc.id, json!({"centre": "BEN"})).await;
    assert_eq!(status, 403, "Benghazi cannot take it by PATCH");
    assert!(detail(&problem).contains("request a handover"), "{problem}");
    let trp_sup = ts.token(Role::Supervisor).to_string();
    let (status, problem) = patch(&ts, &trp_sup, inc.id, json!({"centre": "BEN"})).await;
    assert_eq!(status, 422, "not even the owner moves it by PATCH");
    assert!(detail(&problem).contains("/handover"), "{problem}");
    assert_eq!(ts.head().await, before, "no refusal wrote anything");

    let ben = Client::new(&ts.url, &ben_duty).unwrap();
    ben.add_note(&new_key(), inc.id, "seen from our side too")
        .await
        .unwrap();
    let task = tandem::api::NewTask {
        tlp: Default::default(),
        shared_with: Vec::new(),
        agency_id: ts.other_agency.id,
        title: "Block the eastern road".into(),
        unit_id: None,
        priority: None,
        due_at: None,
    };
    ben.create_task(&new_key(), inc.id, &task).await.unwrap();
    ts.shutdown().await;
}

#[tokio::test]
async fn a_handover_moves_only_when_the_other_side_accepts() {
    let ts = TestServer::start().await;
    let (ben_duty, _) = benghazi(&ts).await;
    let trp = ts.token(Role::DutyOfficer).to_string();
    let inc = ts.incident("Boat adrift off Zuwara").await;
    let path = format!("/api/v1/incidents/{}/handover", inc.id);

    let (status, offered) = post(
        &ts,
        &trp,
        &path,
        json!({"to": "BEN", "note": "closer to you"}),
    )
    .await;
    assert_eq!(status, 200, "{offered}");
    assert_eq!(offered["centre"], "TRP", "the owner stays until accepted");
    assert_eq!(offered["handover"]["to"], "BEN");
    let (status, _) = post(&ts, &trp, &path, json!({"to": "BEN"})).await;
    assert_eq!(status, 409, "one handover at a time");
    let (status, problem) = post(&ts, &trp, &format!("{path}/accept"), json!({})).await;
    assert_eq!(status, 403);
    assert!(detail(&problem).contains("waits for BEN"), "{problem}");
    let (status, accepted) = post(&ts, &ben_duty, &format!("{path}/accept"), json!({})).await;
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(accepted["centre"], "BEN");
    assert!(accepted.get("handover").is_none());
    // Tripoli no longer triages it.
    let (status, problem) = patch(&ts, &trp, inc.id, json!({"status": "acknowledged"})).await;
    assert_eq!(status, 403);
    assert!(detail(&problem).contains("owned by BEN"));

    // Tripoli asks for it back; Benghazi declines, and says why in the notes.
    let (status, asked) = post(&ts, &trp, &path, json!({"to": "TRP"})).await;
    assert_eq!(status, 200, "{asked}");
    assert_eq!(asked["handover"]["asked_by"], "TRP");
    let (status, _) = post(
        &ts,
        &ben_duty,
        &format!("{path}/decline"),
        json!({"reason": " "}),
    )
    .await;
    assert_eq!(status, 422, "a decline says why");
    let (status, declined) = post(
        &ts,
        &ben_duty,
        &format!("{path}/decline"),
        json!({"reason": "our boat is on scene"}),
    )
    .await;
    assert_eq!(status, 200, "{declined}");
    assert_eq!(declined["centre"], "BEN");
    let d = ts
        .store
        .incident(inc.id, &tandem::model::Viewer::everything())
        .await
        .unwrap()
        .unwrap();
    assert!(
        d.notes
            .iter()
            .any(|n| n.text == "Handover to TRP declined by BEN: our boat is on scene"),
        "{:?}",
        d.notes
    );
    let (status, _) = post(
        &ts,
        &ben_duty,
        &format!("{path}/decline"),
        json!({"reason": "x"}),
    )
    .await;
    assert_eq!(status, 409, "nothing is waiting any more");
    ts.shutdown().await;
}

#[tokio::test]
async fn a_neglected_critical_incident_can_be_taken_over_by_the_other_supervisor() {
    let ts = TestServer::start().await;
    let (ben_duty, ben_sup) = benghazi(&ts).await;
    let fresh = ts.incident("Armed group near Tummo").await;
    let (status, problem) = post(
        &ts,
        &ben_sup,
        &format!("/api/v1/incidents/{}/takeover", fresh.id),
        json!({"reason": "no answer from TRP"}),
    )
    .await;
    assert_eq!(status, 403, "{problem}");
    assert!(detail(&problem).contains("request a handover instead"));

    // A critical report Tripoli has left unacknowledged for half an hour.
    let duty = ts.officer(Role::DutyOfficer).clone();
    let mut new = new_incident("Shots fired at the Tummo post");
    new.severity = Severity::Critical;
    let old = new
        .into_incident(
            &duty,
            Uuid::now_v7(),
            String::new(),
            time::OffsetDateTime::now_utc() - time::Duration::minutes(30),
        )
        .unwrap();
    let stored = ts
        .store
        .execute(Request {
            actor: Actor::Admin,
            idempotency: None,
            command: Command::ImportIncident(old),
        })
        .await
        .unwrap();
    let old: tandem::api::Incident = serde_json::from_str(&stored.body).unwrap();
    assert_eq!(old.status, IncidentStatus::Reported);
    let path = format!("/api/v1/incidents/{}/takeover", old.id);
    let (status, _) = post(&ts, &ben_duty, &path, json!({"reason": "urgent"})).await;
    assert_eq!(status, 403, "a supervisor's call");
    let (status, taken) = post(
        &ts,
        &ben_sup,
        &path,
        json!({"reason": "no answer from TRP for 30 min"}),
    )
    .await;
    assert_eq!(status, 200, "{taken}");
    assert_eq!(taken["centre"], "BEN");
    let d = ts
        .store
        .incident(old.id, &tandem::model::Viewer::everything())
        .await
        .unwrap()
        .unwrap();
    assert!(
        d.notes
            .iter()
            .any(|n| n.text.contains("Emergency takeover from TRP by BEN"))
    );
    ts.shutdown().await;
}

#[tokio::test]
async fn a_duty_officer_does_not_end_an_incident_units_are_out_on() {
    let ts = TestServer::start().await;
    let duty = ts.token(Role::DutyOfficer).to_string();
    let inc = ts.incident("Smugglers' convoy").await;
    for to in ["acknowledged", "responding"] {
        let (status, body) = patch(&ts, &duty, inc.id, json!({"status": to})).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, problem) = patch(
        &ts,
        &duty,
        inc.id,
        json!({"status": "dismissed", "dismiss_reason": "false_alarm"}),
    )
    .await;
    assert_eq!(status, 403);
    assert!(detail(&problem).contains("only a supervisor"), "{problem}");
    let sup = ts.token(Role::Supervisor).to_string();
    let (status, _) = patch(
        &ts,
        &sup,
        inc.id,
        json!({"status": "dismissed", "dismiss_reason": "false_alarm"}),
    )
    .await;
    assert_eq!(status, 200);
    ts.shutdown().await;
}

#[tokio::test]
async fn ending_an_incident_with_open_tasks_says_what_becomes_of_them() {
    let ts = TestServer::start().await;
    let sup = ts.token(Role::Supervisor).to_string();
    let inc = ts.incident("Convoy near Wazin").await;
    let task = ts.task(&inc).await;
    let before = ts.head().await;
    let (status, problem) = patch(
        &ts,
        &sup,
        inc.id,
        json!({"status": "dismissed", "dismiss_reason": "false_alarm"}),
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    assert!(
        detail(&problem)
            .contains("1 open task(s): LCG-W \"Intercept the boat off Zuwara\" (requested)"),
        "{problem}"
    );
    assert_eq!(ts.head().await, before, "refused whole");
    let (status, problem) = patch(&ts, &sup, inc.id, json!({"open_tasks": "cancel"})).await;
    assert_eq!(status, 422, "{problem}");

    let (status, body) = patch(
        &ts,
        &sup,
        inc.id,
        json!({"status": "dismissed", "dismiss_reason": "false_alarm", "open_tasks": "cancel"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let d = ts
        .store
        .incident(inc.id, &tandem::model::Viewer::everything())
        .await
        .unwrap()
        .unwrap();
    let t = d.tasks.iter().find(|t| t.id == task.id).unwrap();
    assert_eq!(t.status, tandem::model::TaskStatus::Cancelled);
    assert_eq!(
        t.reason.as_deref(),
        Some(format!("{} dismissed", inc.reference).as_str())
    );
    let kinds: Vec<_> = ts
        .store
        .events_after(before, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![
            tandem::model::EventKind::IncidentUpdated,
            tandem::model::EventKind::TaskUpdated
        ]
    );
    ts.shutdown().await;
}
