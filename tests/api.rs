//! The v1 API over real HTTP: validation, auth, roles, versions, idempotency, limits.

mod common;

use common::{TestServer, new_incident, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem::client::new_key;
use tandem::model::{Role, TaskStatus};

fn key() -> (&'static str, String) {
    ("idempotency-key", new_key())
}

#[tokio::test]
async fn validation_errors_are_problems_and_change_nothing() {
    let ts = TestServer::start().await;
    let base = serde_json::to_value(new_incident("ok")).unwrap();
    let cases: Vec<(Value, &str)> = vec![
        (json!({"title": ""}), "title"),
        (json!({"title": "x".repeat(201)}), "201 characters"),
        (json!({"title": "bell\u{7}"}), "control characters"),
        (
            json!({"location": {"lat": 91.0, "lon": 10.0}}),
            "location.lat",
        ),
        (
            json!({"location": {"lat": 30.0, "lon": -181.0}}),
            "location.lon",
        ),
        (json!({"category": "piracy"}), "piracy"),
        (json!({"severity": "very_high"}), "very_high"),
        (json!({"colour": "red"}), "colour"),
    ];
    let before = ts.head().await;
    for (change, expect) in cases {
        let mut body = base.clone();
        body.as_object_mut()
            .unwrap()
            .extend(change.as_object().unwrap().clone());
        let (status, ctype, problem) = send(
            &ts,
            Some(Role::DutyOfficer),
            Method::POST,
            "/api/v1/incidents",
            &[key()],
            Some(body.to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{change}");
        assert_eq!(ctype, "application/problem+json");
        assert_eq!(problem["status"], 422);
        assert!(
            problem["detail"].as_str().unwrap().contains(expect),
            "{change}: {problem}"
        );
    }
    let (status, ctype, _) = send(
        &ts,
        Some(Role::DutyOfficer),
        Method::POST,
        "/api/v1/incidents",
        &[key()],
        Some("{not json".into()),
    )
    .await;
    assert_eq!(
        (status, ctype.as_str()),
        (StatusCode::BAD_REQUEST, "application/problem+json")
    );
    assert_eq!(ts.head().await, before, "a refused request wrote an event");
}

#[tokio::test]
async fn illegal_transitions_are_refused_with_the_reason() {
    let ts = TestServer::start().await;
    let inc = ts.incident("Armed group near Tummo").await;
    let duty = ts.client(Role::DutyOfficer);
    let acked = duty
        .patch_incident(
            &new_key(),
            inc.id,
            1,
            &serde_json::from_value(json!({"status": "acknowledged"})).unwrap(),
        )
        .await
        .unwrap();
    let before = ts.head().await;
    let path = format!("/api/v1/incidents/{}", inc.id);
    let back = json!({"status": "reported"}).to_string();
    let (status, ctype, p) = send(
        &ts,
        Some(Role::DutyOfficer),
        Method::PATCH,
        &path,
        &[key(), ("if-match", format!("\"{}\"", acked.version))],
        Some(back),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(ctype, "application/problem+json");
    assert!(
        p["detail"].as_str().unwrap().contains("forward only"),
        "{p}"
    );
    // Reopen by a duty officer is a role refusal.
    let close = json!({"status": "closed"}).to_string();
    let (status, ..) = send(
        &ts,
        Some(Role::Supervisor),
        Method::PATCH,
        &path,
        &[key(), ("if-match", "\"2\"".into())],
        Some(close),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let reopen = json!({"status": "acknowledged"}).to_string();
    let (status, _, p) = send(
        &ts,
        Some(Role::DutyOfficer),
        Method::PATCH,
        &path,
        &[key(), ("if-match", "\"3\"".into())],
        Some(reopen.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{p}");
    let (status, ..) = send(
        &ts,
        Some(Role::Supervisor),
        Method::PATCH,
        &path,
        &[key(), ("if-match", "\"3\"".into())],
        Some(reopen),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ts.head().await, before + 2);
}

#[tokio::test]
async fn missing_or_bad_token_is_401() {
    let ts = TestServer::start().await;
    for path in [
        "/api/v1/me",
        "/api/v1/snapshot",
        "/api/v1/incidents",
        "/api/v1/events",
        "/api/v1/audit/verify",
    ] {
        let (status, ctype, _) = send(&ts, None, Method::GET, path, &[], None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(ctype, "application/problem+json");
        let (status, ..) = send(
            &ts,
            None,
            Method::GET,
            path,
            &[("authorization", "Bearer nope".into())],
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let (status, _, me) = send(
        &ts,
        Some(Role::Observer),
        Method::GET,
        "/api/v1/me",
        &[],
        None,
    )
    .await;
    assert_eq!(
        (status, me["role"].as_str()),
        (StatusCode::OK, Some("observer"))
    );
    // Public endpoints need no token.
    assert_eq!(
        send(&ts, None, Method::GET, "/healthz", &[], None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        send(&ts, None, Method::GET, "/api/v1/openapi.json", &[], None)
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn revoked_token_is_401() {
    let ts = TestServer::start().await;
    let id = ts.officer(Role::Observer).id.to_string();
    tandem::admin::revoke_officer(ts.store.as_ref(), &id)
        .await
        .unwrap();
    let (status, ..) = send(
        &ts,
        Some(Role::Observer),
        Method::GET,
        "/api/v1/me",
        &[],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn patch_needs_if_match_and_stale_gets_412_with_current() {
    let ts = TestServer::start().await;
    let inc = ts.incident("Fuel convoy at Wazin").await;
    let path = format!("/api/v1/incidents/{}", inc.id);
    let body = json!({"severity": "critical"}).to_string();
    let (status, ctype, _) = send(
        &ts,
        Some(Role::DutyOfficer),
        Method::PATCH,
        &path,
        &[key()],
        Some(body.clone()),
    )
    .await;
    assert_eq!(
        (status, ctype.as_str()),
        (
            StatusCode::PRECONDITION_REQUIRED,
            "application/problem+json"
        )
    );
    let (status, ..) = send(
        &ts,
        Some(Role::DutyOfficer),
        Method::PATCH,
        &path,
        &[key(), ("if-match", "\"1\"".into())],
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let before = ts.head().await;
    let other = json!({"severity": "low"}).to_string();
    let (status, _, p) = send(
        &ts,
        Some(Role::Supervisor),
        Method::PATCH,
        &path,
        &[key(), ("if-match", "\"1\"".into())],
        Some(other),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(p["current"]["severity"], "critical");
    assert_eq!(p["current"]["version"], 2);
    assert_eq!(ts.head().await, before);
    // The same for tasks and units.
    let task = ts.task(&inc).await;
    let (status, ..) = send(
        &ts,
        Some(Role::Liaison),
        Method::PATCH,
        &format!("/api/v1/tasks/{}", task.id),
        &[key()],
        Some(json!({"status": "accepted"}).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
    let unit = ts.unit_of(&ts.agency).await;
    let (status, _, p) = send(
        &ts,
        Some(Role::Liaison),
        Method::PATCH,
        &format!("/api/v1/units/{}", unit.id),
        &[key(), ("if-match", "\"9\"".into())],
        Some(json!({"status": "en_route"}).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(p["current"]["callsign"], unit.callsign);
}

#[tokio::test]
async fn idempotent_retry_replays_and_writes_one_event() {
    let ts = TestServer::start().await;
    let body = serde_json::to_string(&new_incident("Boat with 40 people off Sabratha")).unwrap();
    let k = ("idempotency-key", "retry-me-1".to_string());
    let before = ts.head().await;
    let (s1, _, first) = send(
        &ts,
        Some(Role::DutyOfficer),
        Method::POST,
        "/api/v1/incidents",
        std::slice::from_ref(&k),
        Some(body.clone()),
    )
    .await;
    let (s2, _, second) = send(
        &ts,
        Some(Role::DutyOfficer),
        Method::POST,
        "/api/v1/incidents",
        std::slice::from_ref(&k),
        Some(body.clone()),
    )
    .await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(first, second, "the retry must get the first answer");
    assert_eq!(ts.head().await, before + 1, "exactly one event");
    let other = serde_json::to_string(&new_incident("something else")).unwrap();
    let (s3, ctype, p) = send(
        &ts,
        Some(Role::DutyOfficer),
        Method::POST,
        "/api/v1/incidents",
        &[k],
        Some(other),
    )
    .await;
    assert_eq!(
        (s3, ctype.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "application/problem+json")
    );
    assert!(p["detail"].as_str().unwrap().contains("Idempotency-Key"));
    assert_eq!(ts.head().await, before + 1);
    // A key is required on every mutation.
    let (s4, ..) = send(
        &ts,
        Some(Role::DutyOfficer),
        Method::POST,
        "/api/v1/incidents",
        &[],
        Some(body),
    )
    .await;
    assert_eq!(s4, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn oversized_body_is_413() {
    let ts = TestServer::start().await;
    let before = ts.head().await;
    let mut inc = serde_json::to_value(new_incident("big")).unwrap();
    inc["description"] = json!("x".repeat(70 * 1024));
    let (status, ctype, _) = send(
        &ts,
        Some(Role::DutyOfficer),
        Method::POST,
        "/api/v1/incidents",
        &[key()],
        Some(inc.to_string()),
    )
    .await;
    assert_eq!(
        (status, ctype.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "application/problem+json")
    );
    assert_eq!(ts.head().await, before, "an oversized body wrote something");
}

#[tokio::test]
async fn unknown_route_and_method_are_problems() {
    let ts = TestServer::start().await;
    let (status, ctype, _) = send(
        &ts,
        Some(Role::Observer),
        Method::GET,
        "/api/v1/nowhere",
        &[],
        None,
    )
    .await;
    assert_eq!(
        (status, ctype.as_str()),
        (StatusCode::NOT_FOUND, "application/problem+json")
    );
    let (status, ctype, _) = send(
        &ts,
        Some(Role::Observer),
        Method::DELETE,
        "/api/v1/incidents",
        &[],
        None,
    )
    .await;
    assert_eq!(
        (status, ctype.as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "application/problem+json")
    );
}

#[tokio::test]
async fn arabic_text_round_trips_exactly() {
    let ts = TestServer::start().await;
    let title = "قارب مهاجرين قرب زوارة — 40 شخصاً";
    let inc = ts.incident(title).await;
    ts.incident("قارب صيد قرب طبرق").await; // Arabic too, without the word searched
    let duty = ts.client(Role::DutyOfficer);
    duty.add_note(&new_key(), inc.id, "تم إبلاغ خفر السواحل\nالوحدة في الطريق")
        .await
        .unwrap();
    let detail = duty.incident(inc.id).await.unwrap();
    assert_eq!(detail.incident.title, title);
    assert_eq!(
        detail.notes[0].text,
        "تم إبلاغ خفر السواحل\nالوحدة في الطريق"
    );
    let found = duty
        .search(&tandem::api::IncidentQuery {
            q: Some("زوارة".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].id, inc.id);
}

#[tokio::test]
async fn references_are_gap_free_per_centre() {
    let ts = TestServer::start().await;
    let duty = ts.client(Role::DutyOfficer);
    // A refused report must not burn a number.
    let mut bad = new_incident("");
    bad.title = String::new();
    assert!(duty.create_incident(&new_key(), &bad).await.is_err());
    let mut refs = Vec::new();
    for i in 0..5 {
        let mut n = new_incident(&format!("report {i}"));
        n.centre = Some(if i % 2 == 0 {
            tandem::model::Centre::Trp
        } else {
            tandem::model::Centre::Ben
        });
        refs.push(
            duty.create_incident(&new_key(), &n)
                .await
                .unwrap()
                .reference,
        );
    }
    let yy = time::OffsetDateTime::now_utc().year() % 100;
    assert_eq!(
        refs,
        vec![
            format!("TRP-{yy}-00001"),
            format!("BEN-{yy}-00001"),
            format!("TRP-{yy}-00002"),
            format!("BEN-{yy}-00002"),
            format!("TRP-{yy}-00003")
        ]
    );
}

#[tokio::test]
async fn merge_dismisses_the_duplicate_and_moves_tasks() {
    let ts = TestServer::start().await;
    let keep = ts.incident("Weapons cache at Ghat").await;
    let dup = ts.incident("Weapons seen near Ghat").await;
    let task = ts.task(&dup).await;
    let duty = ts.client(Role::DutyOfficer);
    assert_eq!(
        duty.merge(&new_key(), dup.id, keep.id)
            .await
            .unwrap_err()
            .status(),
        Some(403)
    );
    let result = ts
        .client(Role::Supervisor)
        .merge(&new_key(), dup.id, keep.id)
        .await
        .unwrap();
    assert_eq!(
        result.duplicate.status,
        tandem::model::IncidentStatus::Dismissed
    );
    assert_eq!(result.duplicate.duplicate_of, Some(keep.id));
    assert_eq!(result.moved_tasks[0].id, task.id);
    let detail = duty.incident(keep.id).await.unwrap();
    assert_eq!(detail.tasks.len(), 1);
    assert_eq!(detail.tasks[0].incident_id, keep.id);
}

#[tokio::test]
async fn task_list_filters_and_pages() {
    let ts = TestServer::start().await;
    let a = ts.incident("boat off Zuwara").await;
    let b = ts.incident("convoy near Ghat").await;
    let mut on_a = Vec::new();
    for _ in 0..5 {
        on_a.push(ts.task(&a).await);
    }
    ts.task(&b).await;
    let duty = ts.client(Role::DutyOfficer);
    let cancel = tandem::api::TaskPatch {
        status: Some(TaskStatus::Cancelled),
        ..Default::default()
    };
    duty.patch_task(&new_key(), on_a[0].id, on_a[0].version, &cancel)
        .await
        .unwrap();
    let list = async |query: String| -> Vec<tandem::api::Task> {
        let mut items = Vec::new();
        let mut cursor = String::new();
        loop {
            let page: tandem::api::Page<tandem::api::Task> = reqwest::Client::new()
                .get(format!("{}/api/v1/tasks?{query}&limit=2{cursor}", ts.url))
                .bearer_auth(ts.token(Role::Observer))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(page.items.len() <= 2);
            items.extend(page.items);
            match page.next_cursor {
                Some(c) => cursor = format!("&cursor={c}"),
                None => return items,
            }
        }
    };
    let all_a = list(format!("incident={}", a.id)).await;
    assert_eq!(
        all_a.len(),
        5,
        "paged through every task of the incident once"
    );
    let ids: std::collections::HashSet<_> = all_a.iter().map(|t| t.id).collect();
    assert_eq!(ids.len(), 5, "no task twice across pages");
    assert!(all_a.iter().all(|t| t.incident_id == a.id));
    let open_a = list(format!("incident={}&open=true", a.id)).await;
    assert_eq!(open_a.len(), 4);
    assert!(open_a.iter().all(|t| t.id != on_a[0].id));
    let cancelled = list("status=cancelled".into()).await;
    assert_eq!(
        cancelled.iter().map(|t| t.id).collect::<Vec<_>>(),
        [on_a[0].id]
    );
    assert_eq!(list(format!("agency={}", ts.agency.id)).await.len(), 6);
    assert!(
        list(format!("agency={}", ts.other_agency.id))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn the_officer_list_shows_who_is_revoked_in_the_order_they_were_added() {
    let ts = TestServer::start().await;
    let (added, _) = tandem::admin::add_officer(
        ts.store.as_ref(),
        "Night duty",
        Role::DutyOfficer,
        tandem::model::Centre::Ben,
        None,
    )
    .await
    .unwrap();
    tandem::admin::revoke_officer(
        ts.store.as_ref(),
        &ts.officer(Role::Observer).id.to_string(),
    )
    .await
    .unwrap();
    let records = ts.store.officers().await.unwrap();
    assert_eq!(
        records.last().unwrap().officer.id,
        added.id,
        "the newest is last"
    );
    for r in &records {
        let observer = r.officer.id == ts.officer(Role::Observer).id;
        assert_eq!(r.revoked, observer, "{}", r.officer.name);
    }
}

#[tokio::test]
async fn the_snapshot_keeps_recently_closed_incidents_and_drops_old_ones_with_their_tasks() {
    let ts = TestServer::start().await;
    let open = ts.incident("still open").await;
    let open_task = ts.task(&open).await;
    let supervisor = ts.client(Role::Supervisor);
    let close = tandem::api::IncidentPatch {
        status: Some(tandem::model::IncidentStatus::Closed),
        open_tasks: Some(tandem::model::incident::OpenTasks::Cancel),
        ..Default::default()
    };
    let mut closed = Vec::new();
    for title in ["closed an hour ago", "closed last week"] {
        let inc = ts.incident(title).await;
        let task = ts.task(&inc).await;
        supervisor
            .patch_incident(&new_key(), inc.id, inc.version, &close)
            .await
            .unwrap();
        closed.push((inc, task));
    }
    let week_ago =
        (time::OffsetDateTime::now_utc() - time::Duration::days(7)).unix_timestamp() * 1000;
    ts.raw_execute(&format!(
        "UPDATE incidents SET closed_at_ms = {week_ago} WHERE id = '{}'",
        closed[1].0.id
    ))
    .await;
    let snap = ts.client(Role::Observer).snapshot().await.unwrap();
    let incidents: Vec<_> = snap.incidents.iter().map(|i| i.id).collect();
    let tasks: Vec<_> = snap.tasks.iter().map(|t| t.id).collect();
    assert!(incidents.contains(&open.id) && tasks.contains(&open_task.id));
    assert!(incidents.contains(&closed[0].0.id) && tasks.contains(&closed[0].1.id));
    assert!(
        !incidents.contains(&closed[1].0.id),
        "closed a week ago: past the 72 h window"
    );
    assert!(!tasks.contains(&closed[1].1.id), "its tasks go with it");
    assert!(!snap.agencies.is_empty() && !snap.units.is_empty());
    assert_eq!(snap.seq, ts.head().await);
    // `closed_within` moves the window either way.
    let within = |hours: u32| {
        let ts = &ts;
        async move {
            let (status, _, snap) = send(
                ts,
                Some(Role::Observer),
                Method::GET,
                &format!("/api/v1/snapshot?closed_within={hours}"),
                &[],
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK);
            snap["incidents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    let wide = within(200).await;
    assert!(
        wide.contains(&closed[1].0.id.to_string()),
        "200 h reaches a week back"
    );
    let none = within(0).await;
    assert!(
        !none.contains(&closed[0].0.id.to_string()),
        "0 h keeps no closed incident"
    );
    assert!(none.contains(&open.id.to_string()), "open ones always");
}

#[tokio::test]
async fn search_filters_and_paginates() {
    let ts = TestServer::start().await;
    for i in 0..7 {
        ts.incident(&format!("fuel report {i}")).await;
        ts.incident(&format!("boat sighting {i}")).await; // never matches `fuel`
    }
    let duty = ts.client(Role::DutyOfficer);
    let mut q = tandem::api::IncidentQuery {
        q: Some("FUEL".into()),
        limit: Some(3),
        ..Default::default()
    };
    let mut seen = Vec::new();
    loop {
        let page = duty.search(&q).await.unwrap();
        seen.extend(page.items.iter().map(|i| i.reference.clone()));
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7, "every fuel report, and only those");
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 7, "no duplicates across pages");
    let none = duty
        .search(&tandem::api::IncidentQuery {
            severity: Some(tandem::model::Severity::Low),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(none.items.is_empty());
}

#[tokio::test]
async fn audit_verify_reports_a_row_altered_in_the_file() {
    let ts = TestServer::start().await;
    for i in 0..3 {
        ts.incident(&format!("report {i}")).await;
    }
    let ok = ts.client(Role::Observer).verify().await.unwrap();
    assert!(ok.ok);
    assert_eq!(ok.events, ts.head().await);
    // Someone edits the database behind the server's back.
    ts.raw_execute("UPDATE events SET data = replace(data, 'report 1', 'report X') WHERE kind = 'incident.created' AND data LIKE '%report 1%'").await;
    let altered = ts
        .raw_i64("SELECT seq FROM events WHERE data LIKE '%report X%'")
        .await;
    let bad = ts.client(Role::Observer).verify().await.unwrap();
    assert!(!bad.ok);
    assert_eq!(bad.first_bad_seq, Some(altered as u64));
}

#[tokio::test]
async fn openapi_describes_every_endpoint_and_resolves() {
    let ts = TestServer::start().await;
    let (status, _, doc) = send(&ts, None, Method::GET, "/api/v1/openapi.json", &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let expected = [
        ("/healthz", "get"),
        ("/api/v1/me", "get"),
        ("/api/v1/snapshot", "get"),
        ("/api/v1/events", "get"),
        ("/api/v1/incidents", "get"),
        ("/api/v1/incidents", "post"),
        ("/api/v1/incidents/{id}", "get"),
        ("/api/v1/incidents/{id}", "patch"),
        ("/api/v1/incidents/{id}/notes", "post"),
        ("/api/v1/incidents/{id}/tasks", "post"),
        ("/api/v1/incidents/{id}/merge", "post"),
        ("/api/v1/tasks", "get"),
        ("/api/v1/tasks/{id}", "patch"),
        ("/api/v1/agencies", "get"),
        ("/api/v1/units", "get"),
        ("/api/v1/units/{id}", "patch"),
        ("/api/v1/audit/verify", "get"),
    ];
    for (path, method) in expected {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is not described");
        assert!(
            op["responses"].as_object().is_some_and(|r| !r.is_empty()),
            "{method} {path}"
        );
    }
    // Every $ref points at a defined schema.
    let text = doc.to_string();
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &part[..part.find('"').unwrap()];
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "dangling $ref {name}"
        );
    }
}

#[tokio::test]
async fn concurrent_patches_of_one_version_let_exactly_one_win() {
    // Concurrent requests land in one group-commit batch: later commands must
    // see the earlier ones' writes, or two officers could both "win".
    let ts = TestServer::start().await;
    let inc = ts.incident("Contested").await;
    let mut handles = Vec::new();
    for i in 0..16 {
        let c = ts.client(if i % 2 == 0 {
            Role::DutyOfficer
        } else {
            Role::Supervisor
        });
        handles.push(tokio::spawn(async move {
            let patch = tandem::api::IncidentPatch {
                title: Some(format!("title {i}")),
                ..Default::default()
            };
            c.patch_incident(&new_key(), inc.id, 1, &patch).await
        }));
    }
    let mut won = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(i) => {
                won += 1;
                assert_eq!(i.version, 2);
            }
            Err(e) => assert_eq!(e.status(), Some(412), "{e}"),
        }
    }
    assert_eq!(won, 1);
    let refs: Vec<_> = {
        let mut hs = Vec::new();
        for i in 0..20 {
            let c = ts.client(Role::DutyOfficer);
            hs.push(tokio::spawn(async move {
                c.create_incident(&new_key(), &new_incident(&format!("r{i}")))
                    .await
                    .unwrap()
                    .reference
            }));
        }
        let mut r = Vec::new();
        for h in hs {
            r.push(h.await.unwrap());
        }
        r.sort();
        r
    };
    let numbers: Vec<u32> = refs.iter().map(|r| r[7..].parse().unwrap()).collect();
    assert_eq!(
        numbers,
        (2..=21).collect::<Vec<_>>(),
        "gap-free under concurrency"
    );
}

#[tokio::test]
async fn a_task_unit_must_belong_to_the_task_agency() {
    let ts = TestServer::start().await;
    let inc = ts.incident("Boat off Zuwara").await;
    let other_unit = ts.unit_of(&ts.other_agency).await;
    let own_unit = ts.unit_of(&ts.agency).await;
    let duty = ts.client(Role::DutyOfficer);
    let mut task = tandem::api::NewTask {
        tlp: Default::default(),
        shared_with: Vec::new(),
        agency_id: ts.agency.id,
        title: "Intercept".into(),
        unit_id: Some(other_unit.id),
        priority: None,
        due_at: None,
    };
    let before = ts.head().await;
    let err = duty
        .create_task(&new_key(), inc.id, &task)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(422));
    assert!(err.to_string().contains("unit_id"), "{err}");
    assert_eq!(ts.head().await, before);
    task.unit_id = Some(own_unit.id);
    assert_eq!(
        duty.create_task(&new_key(), inc.id, &task)
            .await
            .unwrap()
            .unit_id,
        Some(own_unit.id)
    );
}

#[tokio::test]
async fn every_search_filter_keeps_what_matches_and_only_that() {
    use tandem::api::IncidentQuery;
    use tandem::model::{Category, Centre, IncidentStatus, Severity};
    let ts = TestServer::start().await;
    let duty = ts.client(Role::DutyOfficer);
    let fuel = ts.incident("fuel convoy").await;
    let mut boat = new_incident("boat with migrants");
    boat.category = Category::IrregularMigration;
    boat.severity = Severity::Low;
    boat.centre = Some(Centre::Ben);
    boat.lead_agency_id = Some(ts.agency.id);
    let boat = duty.create_incident(&new_key(), &boat).await.unwrap();
    let between = time::OffsetDateTime::now_utc();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let mut arms = new_incident("weapons cache");
    arms.category = Category::SmugglingWeapons;
    arms.severity = Severity::Critical;
    let arms = duty.create_incident(&new_key(), &arms).await.unwrap();
    let ack = tandem::api::IncidentPatch {
        status: Some(IncidentStatus::Acknowledged),
        ..Default::default()
    };
    duty.patch_incident(&new_key(), arms.id, arms.version, &ack)
        .await
        .unwrap();
    let at = between
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let cases = [
        (
            "q",
            IncidentQuery {
                q: Some("CONVOY".into()),
                ..Default::default()
            },
            vec![fuel.id],
        ),
        (
            "status",
            IncidentQuery {
                status: Some(IncidentStatus::Acknowledged),
                ..Default::default()
            },
            vec![arms.id],
        ),
        (
            "severity",
            IncidentQuery {
                severity: Some(Severity::Low),
                ..Default::default()
            },
            vec![boat.id],
        ),
        (
            "category",
            IncidentQuery {
                category: Some(Category::SmugglingWeapons),
                ..Default::default()
            },
            vec![arms.id],
        ),
        (
            "centre",
            IncidentQuery {
                centre: Some(Centre::Ben),
                ..Default::default()
            },
            vec![boat.id],
        ),
        (
            "agency",
            IncidentQuery {
                agency: Some(ts.agency.id),
                ..Default::default()
            },
            vec![boat.id],
        ),
        (
            "since",
            IncidentQuery {
                since: Some(at.clone()),
                ..Default::default()
            },
            vec![arms.id],
        ),
        // Newest first.
        (
            "until",
            IncidentQuery {
                until: Some(at),
                ..Default::default()
            },
            vec![boat.id, fuel.id],
        ),
    ];
    for (name, q, want) in cases {
        let got: Vec<_> = duty
            .search(&q)
            .await
            .unwrap()
            .items
            .iter()
            .map(|i| i.id)
            .collect();
        assert_eq!(got, want, "filter `{name}`");
    }
}
