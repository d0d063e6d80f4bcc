//! The OpenAPI document says what the server does: real answers to real
//! requests — successes and refusals of every operation — have a status the
//! document lists for that operation, its content type, and a body valid
//! against its schema.

mod common;

use std::collections::BTreeSet;

use common::{TestServer, new_incident};
use reqwest::Method;
use serde_json::{Value, json};
use tandem::client::new_key;
use tandem::model::Role;

struct Checker {
    doc: Value,
    url: String,
    failures: Vec<String>,
    /// (method, template, status) seen.
    covered: BTreeSet<(String, String, u16)>,
}

impl Checker {
    /// Sends a request and checks its answer against `template`'s operation.
    async fn call(
        &mut self,
        token: Option<&str>,
        method: Method,
        template: &str,
        path: &str,
        headers: &[(&str, String)],
        body: Option<Value>,
    ) -> Value {
        let mut rb = reqwest::Client::new().request(method.clone(), format!("{}{path}", self.url));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        for (k, v) in headers {
            rb = rb.header(*k, v);
        }
        if let Some(b) = body {
            rb = rb
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let res = rb.send().await.unwrap();
        let status = res.status().as_u16();
        let ctype = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let text = res.text().await.unwrap();
        let m = method.as_str().to_lowercase();
        self.covered
            .insert((m.clone(), template.to_string(), status));
        let what = format!("{} {path} → {status}", method.as_str());
        let Some(response) = self.doc["paths"][template][&m]["responses"]
            .get(status.to_string())
            .cloned()
        else {
            self.failures.push(format!("{what}: status not documented"));
            return Value::Null;
        };
        let Some(content) = response["content"].as_object() else {
            if !text.is_empty() {
                self.failures
                    .push(format!("{what}: a body, none documented"));
            }
            return Value::Null;
        };
        let Some(schema) = content.get(&ctype).map(|c| c["schema"].clone()) else {
            let documented: Vec<&String> = content.keys().collect();
            self.failures.push(format!(
                "{what}: content type {ctype}, documented {documented:?}"
            ));
            return Value::Null;
        };
        if ctype == "text/event-stream" {
            return Value::Null;
        }
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        self.validate(&what, &schema, &body);
        body
    }

    fn validate(&mut self, what: &str, schema: &Value, body: &Value) {
        let mut root = schema.clone();
        root["components"] = self.doc["components"].clone();
        match jsonschema::validator_for(&root) {
            Ok(v) => {
                for e in v.iter_errors(body) {
                    self.failures
                        .push(format!("{what}: {e} at {}", e.instance_path()));
                }
            }
            Err(e) => self.failures.push(format!("{what}: bad schema: {e}")),
        }
    }
}

#[tokio::test]
async fn real_answers_match_the_document() {
    let ts = TestServer::start().await;
    let doc: Value = reqwest::get(format!("{}/api/v1/openapi.json", ts.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut c = Checker {
        doc,
        url: ts.url.clone(),
        failures: Vec::new(),
        covered: BTreeSet::new(),
    };
    let duty = ts.token(Role::DutyOfficer).to_string();
    let sup = ts.token(Role::Supervisor).to_string();
    let obs = ts.token(Role::Observer).to_string();
    let liaison = ts.token(Role::Liaison).to_string();
    let key = || ("idempotency-key", new_key());
    let (d, s, o) = (Some(duty.as_str()), Some(sup.as_str()), Some(obs.as_str()));
    use Method as M;

    c.call(None, M::GET, "/healthz", "/healthz", &[], None)
        .await;
    c.call(o, M::GET, "/api/v1/me", "/api/v1/me", &[], None)
        .await;
    c.call(None, M::GET, "/api/v1/me", "/api/v1/me", &[], None)
        .await;
    c.call(Some("nope"), M::GET, "/api/v1/me", "/api/v1/me", &[], None)
        .await;

    // Incidents: create, refusals of a create.
    let inc = c
        .call(
            d,
            M::POST,
            "/api/v1/incidents",
            "/api/v1/incidents",
            &[key()],
            Some(serde_json::to_value(new_incident("documented")).unwrap()),
        )
        .await;
    let other = c
        .call(
            d,
            M::POST,
            "/api/v1/incidents",
            "/api/v1/incidents",
            &[key()],
            Some(serde_json::to_value(new_incident("the duplicate")).unwrap()),
        )
        .await;
    let id = inc["id"].as_str().unwrap().to_string();
    let other_id = other["id"].as_str().unwrap().to_string();
    let new = serde_json::to_value(new_incident("x")).unwrap();
    c.call(
        d,
        M::POST,
        "/api/v1/incidents",
        "/api/v1/incidents",
        &[],
        Some(new.clone()),
    )
    .await;
    c.call(
        o,
        M::POST,
        "/api/v1/incidents",
        "/api/v1/incidents",
        &[key()],
        Some(new.clone()),
    )
    .await;
    c.call(
        d,
        M::POST,
        "/api/v1/incidents",
        "/api/v1/incidents",
        &[key()],
        Some(json!({"title": ""})),
    )
    .await;
    c.call(
        d,
        M::POST,
        "/api/v1/incidents",
        "/api/v1/incidents",
        &[key()],
        Some(json!({"title": "x".repeat(70_000)})),
    )
    .await;
    c.call(
        d,
        M::POST,
        "/api/v1/incidents",
        "/api/v1/incidents",
        &[key(), ("content-type", "text/plain".into())],
        None,
    )
    .await;

    // Reading them.
    let one = format!("/api/v1/incidents/{id}");
    let tpl = "/api/v1/incidents/{id}";
    c.call(o, M::GET, tpl, &one, &[], None).await;
    c.call(
        o,
        M::GET,
        tpl,
        &format!("/api/v1/incidents/{}", uuid::Uuid::nil()),
        &[],
        None,
    )
    .await;
    c.call(o, M::GET, tpl, "/api/v1/incidents/abc", &[], None)
        .await;
    c.call(
        o,
        M::GET,
        "/api/v1/incidents",
        "/api/v1/incidents?q=documented&limit=5",
        &[],
        None,
    )
    .await;
    c.call(
        o,
        M::GET,
        "/api/v1/incidents",
        "/api/v1/incidents?status=bogus",
        &[],
        None,
    )
    .await;
    c.call(o, M::GET, "/api/v1/snapshot", "/api/v1/snapshot", &[], None)
        .await;
    c.call(
        o,
        M::GET,
        "/api/v1/snapshot",
        "/api/v1/snapshot?closed_within=99999",
        &[],
        None,
    )
    .await;

    // Changes, and every way a PATCH is refused.
    let ack = json!({"status": "acknowledged"});
    c.call(d, M::PATCH, tpl, &one, &[key()], Some(ack.clone()))
        .await; // 428
    c.call(
        d,
        M::PATCH,
        tpl,
        &one,
        &[key(), ("if-match", "W/\"1\"".into())],
        Some(ack.clone()),
    )
    .await; // 400
    c.call(
        d,
        M::PATCH,
        tpl,
        &one,
        &[key(), ("if-match", "\"1\"".into())],
        Some(ack.clone()),
    )
    .await; // 200
    c.call(
        d,
        M::PATCH,
        tpl,
        &one,
        &[key(), ("if-match", "\"1\"".into())],
        Some(ack.clone()),
    )
    .await; // 412
    c.call(
        d,
        M::PATCH,
        tpl,
        &one,
        &[key(), ("if-match", "\"2\"".into())],
        Some(json!({"status": "reported"})),
    )
    .await; // 409
    c.call(
        d,
        M::PATCH,
        tpl,
        &one,
        &[key(), ("if-match", "\"2\"".into())],
        Some(json!({"status": "closed"})),
    )
    .await; // 403

    // Notes, tasks, merge.
    c.call(
        d,
        M::POST,
        "/api/v1/incidents/{id}/notes",
        &format!("{one}/notes"),
        &[key()],
        Some(json!({"text": "seen from the tower"})),
    )
    .await;
    c.call(
        d,
        M::POST,
        "/api/v1/incidents/{id}/notes",
        &format!("/api/v1/incidents/{}/notes", uuid::Uuid::nil()),
        &[key()],
        Some(json!({"text": "nowhere"})),
    )
    .await;
    let task = c
        .call(
            d,
            M::POST,
            "/api/v1/incidents/{id}/tasks",
            &format!("{one}/tasks"),
            &[key()],
            Some(json!({"agency_id": ts.agency.id, "title": "Intercept"})),
        )
        .await;
    c.call(
        d,
        M::POST,
        "/api/v1/incidents/{id}/tasks",
        &format!("{one}/tasks"),
        &[key()],
        Some(json!({"agency_id": uuid::Uuid::nil(), "title": "Nobody"})),
    )
    .await;
    let task_path = format!("/api/v1/tasks/{}", task["id"].as_str().unwrap());
    c.call(
        Some(&liaison),
        M::PATCH,
        "/api/v1/tasks/{id}",
        &task_path,
        &[key(), ("if-match", "\"1\"".into())],
        Some(json!({"status": "accepted"})),
    )
    .await;
    c.call(
        Some(&liaison),
        M::PATCH,
        "/api/v1/tasks/{id}",
        &task_path,
        &[key(), ("if-match", "\"1\"".into())],
        Some(json!({"status": "accepted"})),
    )
    .await; // 412
    c.call(
        o,
        M::GET,
        "/api/v1/tasks",
        "/api/v1/tasks?open=true",
        &[],
        None,
    )
    .await;
    c.call(
        o,
        M::GET,
        "/api/v1/tasks",
        "/api/v1/tasks?limit=0",
        &[],
        None,
    )
    .await;
    c.call(
        d,
        M::POST,
        "/api/v1/incidents/{id}/merge",
        &format!("/api/v1/incidents/{other_id}/merge"),
        &[key()],
        Some(json!({"into": id})),
    )
    .await; // 403
    c.call(
        s,
        M::POST,
        "/api/v1/incidents/{id}/merge",
        &format!("/api/v1/incidents/{other_id}/merge"),
        &[key()],
        Some(json!({"into": id})),
    )
    .await;
    c.call(o, M::GET, tpl, &one, &[], None).await; // with notes, tasks, timeline

    // Ownership between the centres: a handover asked, answered, and a takeover refused.
    let (_, ben) = tandem::admin::add_officer(
        ts.store.as_ref(),
        "Fatima",
        Role::DutyOfficer,
        tandem::model::Centre::Ben,
        None,
    )
    .await
    .unwrap();
    let b = Some(ben.as_str());
    let handover = "/api/v1/incidents/{id}/handover";
    c.call(
        d,
        M::POST,
        handover,
        &format!("{one}/handover"),
        &[key()],
        Some(json!({"to": "BEN", "note": "closer to you"})),
    )
    .await;
    c.call(
        d,
        M::POST,
        handover,
        &format!("{one}/handover"),
        &[key()],
        Some(json!({"to": "BEN"})),
    )
    .await; // 409: one at a time
    let accept = "/api/v1/incidents/{id}/handover/accept";
    c.call(
        d,
        M::POST,
        accept,
        &format!("{one}/handover/accept"),
        &[key()],
        Some(json!({})),
    )
    .await; // 403: waits for BEN
    let decline = "/api/v1/incidents/{id}/handover/decline";
    c.call(
        b,
        M::POST,
        decline,
        &format!("{one}/handover/decline"),
        &[key()],
        Some(json!({"reason": ""})),
    )
    .await; // 422
    c.call(
        b,
        M::POST,
        accept,
        &format!("{one}/handover/accept"),
        &[key()],
        Some(json!({})),
    )
    .await;
    c.call(
        b,
        M::POST,
        decline,
        &format!("{one}/handover/decline"),
        &[key()],
        Some(json!({"reason": "late"})),
    )
    .await; // 409: nothing waits
    c.call(
        d,
        M::POST,
        handover,
        &format!("{one}/handover"),
        &[key()],
        Some(json!({"to": "TRP"})),
    )
    .await;
    c.call(
        b,
        M::POST,
        decline,
        &format!("{one}/handover/decline"),
        &[key()],
        Some(json!({"reason": "our boat is there"})),
    )
    .await;
    let takeover = "/api/v1/incidents/{id}/takeover";
    c.call(
        s,
        M::POST,
        takeover,
        &format!("{one}/takeover"),
        &[key()],
        Some(json!({"reason": "no answer"})),
    )
    .await; // 403: not critical and unacknowledged past its SLA
    c.call(
        s,
        M::POST,
        takeover,
        &format!("/api/v1/incidents/{}/takeover", uuid::Uuid::nil()),
        &[key()],
        Some(json!({"reason": "x"})),
    )
    .await; // 404

    // Rotating one's own token; the same rotation again is 409.
    let me_token = "/api/v1/me/token";
    let rotation = key();
    c.call(
        o,
        M::POST,
        me_token,
        me_token,
        std::slice::from_ref(&rotation),
        Some(json!({"hours": 8})),
    )
    .await;
    c.call(
        o,
        M::POST,
        me_token,
        me_token,
        &[rotation],
        Some(json!({"hours": 8})),
    )
    .await;
    c.call(
        o,
        M::POST,
        me_token,
        me_token,
        &[key()],
        Some(json!({"hours": 100000})),
    )
    .await; // 422

    // The roster.
    c.call(o, M::GET, "/api/v1/agencies", "/api/v1/agencies", &[], None)
        .await;
    let units = c
        .call(o, M::GET, "/api/v1/units", "/api/v1/units", &[], None)
        .await;
    let unit = &units[0];
    let unit_path = format!("/api/v1/units/{}", unit["id"].as_str().unwrap());
    let version = format!("\"{}\"", unit["version"]);
    c.call(
        o,
        M::PATCH,
        "/api/v1/units/{id}",
        &unit_path,
        &[key(), ("if-match", version.clone())],
        Some(json!({"status": "en_route"})),
    )
    .await; // 403
    c.call(
        s,
        M::PATCH,
        "/api/v1/units/{id}",
        &unit_path,
        &[key(), ("if-match", version)],
        Some(json!({"status": "en_route"})),
    )
    .await;

    // The stream's refusals, and its events against the Event schema.
    c.call(
        o,
        M::GET,
        "/api/v1/events",
        "/api/v1/events?after=999999",
        &[],
        None,
    )
    .await; // 410
    c.call(
        o,
        M::GET,
        "/api/v1/events",
        "/api/v1/events?after=x",
        &[],
        None,
    )
    .await; // 422
    let mut stream = ts.client(Role::Observer).events(0).await.unwrap();
    let head = ts.head().await;
    let event_schema =
        c.doc["paths"]["/api/v1/events"]["get"]["responses"]["200"]["content"]["text/event-stream"]
            ["schema"]
            .clone();
    for _ in 0..head {
        let e = stream.next_event().await.unwrap().unwrap();
        let e = serde_json::to_value(e).unwrap();
        c.validate("event", &event_schema, &e);
    }
    c.call(
        o,
        M::GET,
        "/api/v1/audit/verify",
        "/api/v1/audit/verify",
        &[],
        None,
    )
    .await;
    // This server has no signing key: asking for a checkpoint is 409, and the list is empty.
    c.call(
        Some(&sup),
        M::POST,
        "/api/v1/audit/checkpoints",
        "/api/v1/audit/checkpoints",
        &[],
        None,
    )
    .await;
    for path in [
        "/api/v1/audit/checkpoints",
        "/api/v1/audit/checkpoints?after=0&limit=10",
        "/api/v1/audit/checkpoints?limit=501",
    ] {
        c.call(o, M::GET, "/api/v1/audit/checkpoints", path, &[], None)
            .await;
    }
    // Shifts: started, refused twice, ended, acknowledged, listed.
    let duty = ts.token(Role::DutyOfficer).to_string();
    let shift = c
        .call(
            Some(&duty),
            M::POST,
            "/api/v1/shifts",
            "/api/v1/shifts",
            &[key()],
            Some(json!({})),
        )
        .await;
    c.call(
        Some(&duty),
        M::POST,
        "/api/v1/shifts",
        "/api/v1/shifts",
        &[key()],
        Some(json!({})),
    )
    .await; // 409
    c.call(
        Some(&obs),
        M::POST,
        "/api/v1/shifts",
        "/api/v1/shifts",
        &[key()],
        Some(json!({})),
    )
    .await; // 403
    let id = shift["id"].as_str().unwrap_or_default().to_string();
    let end = format!("/api/v1/shifts/{id}/end");
    let ack = format!("/api/v1/shifts/{id}/handover/ack");
    c.call(
        Some(&sup),
        M::POST,
        "/api/v1/shifts/{id}/handover/ack",
        &ack,
        &[key()],
        Some(json!({})),
    )
    .await; // 409: not ended
    c.call(
        Some(&duty),
        M::POST,
        "/api/v1/shifts/{id}/end",
        &end,
        &[key()],
        Some(json!({"handover_note": "quiet night"})),
    )
    .await;
    c.call(
        Some(&duty),
        M::POST,
        "/api/v1/shifts/{id}/end",
        &end,
        &[key()],
        Some(json!({"handover_note": 5})),
    )
    .await; // 422
    c.call(
        Some(&duty),
        M::POST,
        "/api/v1/shifts/{id}/handover/ack",
        &ack,
        &[key()],
        Some(json!({})),
    )
    .await; // 403: own
    c.call(
        Some(&sup),
        M::POST,
        "/api/v1/shifts/{id}/handover/ack",
        &ack,
        &[key()],
        Some(json!({})),
    )
    .await;
    for path in [
        "/api/v1/shifts?centre=TRP&on_duty=false&limit=5",
        "/api/v1/shifts?limit=0",
    ] {
        c.call(o, M::GET, "/api/v1/shifts", path, &[], None).await;
    }
    c.call(o, M::GET, "/api/v1/presence", "/api/v1/presence", &[], None)
        .await;
    // The attention queue, and seen-marks (one refused: no keys).
    let duty = ts.token(Role::DutyOfficer).to_string();
    c.call(
        Some(&duty),
        M::GET,
        "/api/v1/attention",
        "/api/v1/attention",
        &[],
        None,
    )
    .await;
    for items in [json!(["seq:1"]), json!([])] {
        c.call(
            Some(&duty),
            M::POST,
            "/api/v1/attention/seen",
            "/api/v1/attention/seen",
            &[key()],
            Some(json!({ "items": items })),
        )
        .await;
    }
    for path in [
        "/api/v1/reports/shift?centre=TRP",
        "/api/v1/reports/shift?centre=TRP&from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z",
    ] {
        c.call(o, M::GET, "/api/v1/reports/shift", path, &[], None)
            .await;
    }
    for path in [
        "/api/v1/export/incidents?format=geojson",
        "/api/v1/export/incidents",
        "/api/v1/export/incidents?format=pdf",
    ] {
        c.call(o, M::GET, "/api/v1/export/incidents", path, &[], None)
            .await;
    }
    for path in [
        "/api/v1/stats",
        "/api/v1/stats?window=7d&bucket=1d&by=sector",
        "/api/v1/stats?window=90m",
    ] {
        c.call(o, M::GET, "/api/v1/stats", path, &[], None).await;
    }
    for path in [
        "/api/v1/audit/verify?scope=rows",
        "/api/v1/audit/verify?scope=some",
    ] {
        c.call(o, M::GET, "/api/v1/audit/verify", path, &[], None)
            .await;
    }
    // The whole log: an auditor's, with bounds; an alarm, and one refused.
    let auditor = ts.token(Role::Auditor).to_string();
    for (token, path) in [
        (&auditor, "/api/v1/audit/log?after=0&limit=50"),
        (&auditor, "/api/v1/audit/log?limit=5001"),
        (&sup, "/api/v1/audit/log"),
    ] {
        c.call(Some(token), M::GET, "/api/v1/audit/log", path, &[], None)
            .await;
    }
    let finding = json!({"kind": "fork", "seq": 3, "entity": null,
        "expected": "event 3 as held", "found": "another event 3"});
    for (token, findings) in [
        (&auditor, json!([finding])),
        (&auditor, json!([])),
        (&obs, json!([finding])),
    ] {
        c.call(
            Some(token),
            M::POST,
            "/api/v1/audit/alarms",
            "/api/v1/audit/alarms",
            &[key()],
            Some(json!({"witness": "TRP witness", "findings": findings, "findings_total": 1})),
        )
        .await;
    }

    assert!(
        c.failures.is_empty(),
        "{} mismatches:\n{}",
        c.failures.len(),
        c.failures.join("\n")
    );
    // The checker itself refuses what does not fit: an incident with a PascalCase centre.
    let mut wrong = inc.clone();
    wrong["centre"] = json!("Trp");
    c.validate(
        "probe",
        &json!({"$ref": "#/components/schemas/Incident"}),
        &wrong,
    );
    assert_eq!(c.failures.len(), 1, "{:?}", c.failures);
    c.failures.clear();
    // The run reached every operation and the refusals that matter.
    let statuses: BTreeSet<u16> = c.covered.iter().map(|(_, _, s)| *s).collect();
    for s in [
        200, 201, 400, 401, 403, 404, 409, 410, 412, 413, 415, 422, 428,
    ] {
        assert!(
            statuses.contains(&s),
            "no answer with status {s} was checked"
        );
    }
    let operations: BTreeSet<(&String, &String)> =
        c.covered.iter().map(|(m, t, _)| (m, t)).collect();
    let documented: usize = c.doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    assert_eq!(operations.len(), documented, "{operations:?}");
}
