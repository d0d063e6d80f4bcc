//! Every role × every mutating endpoint: allowed acts succeed, the rest get 403 and change nothing.

mod common;

use common::TestServer;
use serde_json::json;
use tandem::client::new_key;
use tandem::model::Role;

#[derive(Debug, Clone, Copy)]
enum Endpoint {
    CreateIncident,
    Triage,
    Close,
    Handover,
    AddNote,
    CreateTask,
    AcceptTask,
    CancelTask,
    UpdateOwnUnit,
    UpdateOtherUnit,
    Merge,
}

fn allowed(role: Role, e: Endpoint) -> bool {
    use Endpoint::*;
    use Role::*;
    match e {
        CreateIncident | AddNote => matches!(role, DutyOfficer | Supervisor | System),
        Triage | CreateTask | CancelTask | Handover => matches!(role, DutyOfficer | Supervisor),
        Close | Merge => role == Supervisor,
        AcceptTask => role == Liaison,
        UpdateOwnUnit => matches!(role, Supervisor | System | Liaison),
        UpdateOtherUnit => matches!(role, Supervisor | System),
    }
}

#[tokio::test]
async fn each_role_can_do_exactly_its_row() {
    use Endpoint::*;
    let ts = TestServer::start().await;
    let http = reqwest::Client::new();
    for &role in Role::ALL {
        for e in [
            CreateIncident,
            Triage,
            Close,
            Handover,
            AddNote,
            CreateTask,
            AcceptTask,
            CancelTask,
            UpdateOwnUnit,
            UpdateOtherUnit,
            Merge,
        ] {
            // Fresh targets made by officers who may make them.
            let inc = ts.incident("target").await;
            let other = ts.incident("merge target").await;
            let task = ts.task(&inc).await;
            let own_unit = ts.unit_of(&ts.agency).await;
            let other_unit = ts.unit_of(&ts.other_agency).await;
            let (method, path, body, version) = match e {
                CreateIncident => (
                    "POST",
                    "/api/v1/incidents".to_string(),
                    serde_json::to_value(common::new_incident("x")).unwrap(),
                    None,
                ),
                Triage => (
                    "PATCH",
                    format!("/api/v1/incidents/{}", inc.id),
                    json!({"status": "acknowledged", "severity": "critical"}),
                    Some(inc.version),
                ),
                Close => (
                    "PATCH",
                    format!("/api/v1/incidents/{}", inc.id),
                    json!({"status": "closed", "open_tasks": "cancel"}),
                    Some(inc.version),
                ),
                Handover => (
                    "POST",
                    format!("/api/v1/incidents/{}/handover", inc.id),
                    json!({"to": "BEN"}),
                    None,
                ),
                AddNote => (
                    "POST",
                    format!("/api/v1/incidents/{}/notes", inc.id),
                    json!({"text": "note"}),
                    None,
                ),
                CreateTask => (
                    "POST",
                    format!("/api/v1/incidents/{}/tasks", inc.id),
                    json!({"agency_id": ts.agency.id, "title": "t"}),
                    None,
                ),
                AcceptTask => (
                    "PATCH",
                    format!("/api/v1/tasks/{}", task.id),
                    json!({"status": "accepted"}),
                    Some(task.version),
                ),
                CancelTask => (
                    "PATCH",
                    format!("/api/v1/tasks/{}", task.id),
                    json!({"status": "cancelled"}),
                    Some(task.version),
                ),
                UpdateOwnUnit => (
                    "PATCH",
                    format!("/api/v1/units/{}", own_unit.id),
                    json!({"status": "en_route"}),
                    Some(own_unit.version),
                ),
                UpdateOtherUnit => (
                    "PATCH",
                    format!("/api/v1/units/{}", other_unit.id),
                    json!({"status": "en_route"}),
                    Some(other_unit.version),
                ),
                Merge => (
                    "POST",
                    format!("/api/v1/incidents/{}/merge", inc.id),
                    json!({"into": other.id}),
                    None,
                ),
            };
            let before = ts.head().await;
            let mut rb = http
                .request(method.parse().unwrap(), format!("{}{path}", ts.url))
                .bearer_auth(ts.token(role))
                .header("idempotency-key", new_key())
                .json(&body);
            if let Some(v) = version {
                rb = rb.header("if-match", format!("\"{v}\""));
            }
            let res = rb.send().await.unwrap();
            let status = res.status().as_u16();
            if allowed(role, e) {
                assert!(
                    (200..300).contains(&status),
                    "{role} {e:?} should succeed, got {status}: {}",
                    res.text().await.unwrap()
                );
                assert!(ts.head().await > before);
            } else {
                assert_eq!(status, 403, "{role} {e:?}");
                assert_eq!(res.headers()["content-type"], "application/problem+json");
                assert_eq!(ts.head().await, before, "{role} {e:?} changed something");
            }
        }
    }
}
