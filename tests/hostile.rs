//! Hostile and malformed requests: each is refused with problem+json that
//! names what was wrong, changes nothing, and leaves the server serving
//! everyone else exactly as before.

mod common;

use common::{TestServer, new_incident, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem::client::new_key;
use tandem::model::Role;

fn key() -> (&'static str, String) {
    ("idempotency-key", new_key())
}

/// Asserts a problem+json refusal with `status` whose detail mentions `mentions`.
fn refused(got: (StatusCode, String, Value), status: u16, mentions: &str) {
    let (s, ctype, problem) = got;
    assert_eq!(s.as_u16(), status, "{problem}");
    assert_eq!(ctype, "application/problem+json", "{problem}");
    assert_eq!(problem["status"], status, "{problem}");
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(mentions),
        "`{detail}` does not mention `{mentions}`"
    );
}

#[tokio::test]
async fn an_out_of_range_window_is_refused_and_reads_stay_whole() {
    let ts = TestServer::start().await;
    // This once panicked inside the snapshot, answered 200 with an empty
    // body and left a pooled connection inside a transaction.
    for huge in ["200000000", "8761", "4294967295"] {
        refused(
            send(
                &ts,
                Some(Role::Observer),
                Method::GET,
                &format!("/api/v1/snapshot?closed_within={huge}"),
                &[],
                None,
            )
            .await,
            422,
            "closed_within",
        );
    }
    // Every read afterwards sees every write: no connection was spoiled.
    for i in 0..30 {
        let created = ts.incident(&format!("after the refusal {i}")).await;
        let (status, _, detail) = send(
            &ts,
            Some(Role::Observer),
            Method::GET,
            &format!("/api/v1/incidents/{}", created.id),
            &[],
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "incident {i}: {detail}");
    }
    for _ in 0..10 {
        let (status, _, snapshot) = send(
            &ts,
            Some(Role::Observer),
            Method::GET,
            "/api/v1/snapshot?closed_within=8760",
            &[],
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(snapshot["incidents"].as_array().unwrap().len() >= 30);
    }
}

#[tokio::test]
async fn page_sizes_are_capped_and_checked() {
    let ts = TestServer::start().await;
    for path in ["/api/v1/incidents", "/api/v1/tasks"] {
        for bad in ["1000000000", "2147483648", "0", "-1", "abc", "501", "1.5"] {
            refused(
                send(
                    &ts,
                    Some(Role::Observer),
                    Method::GET,
                    &format!("{path}?limit={bad}"),
                    &[],
                    None,
                )
                .await,
                422,
                "limit",
            );
        }
        let (status, _, page) = send(
            &ts,
            Some(Role::Observer),
            Method::GET,
            &format!("{path}?limit=500"),
            &[],
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{page}");
    }
}

#[tokio::test]
async fn every_refusal_is_a_problem_that_names_the_parameter_and_quotes_little() {
    let ts = TestServer::start().await;
    let get = |path: String| {
        let ts = &ts;
        async move { send(ts, Some(Role::Observer), Method::GET, &path, &[], None).await }
    };
    refused(
        get("/api/v1/incidents?status=bogus".into()).await,
        422,
        "status",
    );
    refused(
        get("/api/v1/incidents?agency=nope".into()).await,
        422,
        "agency",
    );
    refused(
        get("/api/v1/incidents?since=yesterday".into()).await,
        422,
        "since",
    );
    refused(get("/api/v1/tasks?open=maybe".into()).await, 422, "open");
    refused(get("/api/v1/events?after=-1".into()).await, 422, "after");
    refused(get("/api/v1/incidents/abc".into()).await, 400, "`id`");
    refused(
        get("/api/v1/incidents?colour=red".into()).await,
        422,
        "colour",
    );
    // A long hostile value is quoted only in part, without its control characters.
    let long = format!("{}%1B%5B2J{}", "A".repeat(3000), "B".repeat(3000));
    let (status, ctype, problem) = get(format!("/api/v1/incidents?status={long}")).await;
    assert_eq!(
        (status.as_u16(), ctype.as_str()),
        (422, "application/problem+json")
    );
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.chars().count() < 400, "{} chars", detail.len());
    assert!(!detail.contains('\u{1b}'));
    refused(
        get(format!("/api/v1/incidents?q={}", "x".repeat(201))).await,
        422,
        "q",
    );

    // Heads past the limits: 414 and 431, with a body that says so.
    refused(
        get(format!("/api/v1/incidents?q={}", "x".repeat(9000))).await,
        414,
        "request target",
    );
    let mut rb = reqwest::Client::new()
        .get(format!("{}/api/v1/me", ts.url))
        .bearer_auth(ts.token(Role::Observer));
    for i in 0..70 {
        rb = rb.header(format!("x-filler-{i}"), "y");
    }
    let res = rb.send().await.unwrap();
    assert_eq!(res.status(), 431);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let problem: Value = res.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("header"));
}

#[tokio::test]
async fn lax_headers_and_bodies_are_refused_and_change_nothing() {
    let ts = TestServer::start().await;
    let inc = ts.incident("target").await;
    let before = ts.head().await;
    let path = format!("/api/v1/incidents/{}", inc.id);
    let body = json!({"severity": "critical"}).to_string();
    for tag in ["W/\"1\"", "1", "*", "\"1\", \"2\"", "\"-1\"", "\"\""] {
        refused(
            send(
                &ts,
                Some(Role::DutyOfficer),
                Method::PATCH,
                &path,
                &[key(), ("if-match", tag.to_string())],
                Some(body.clone()),
            )
            .await,
            400,
            "If-Match",
        );
    }
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut rb = reqwest::Client::new()
            .post(format!("{}/api/v1/incidents", ts.url))
            .bearer_auth(ts.token(Role::DutyOfficer))
            .header("idempotency-key", new_key())
            .body(serde_json::to_string(&new_incident("wrong type")).unwrap());
        if let Some(ct) = content_type {
            rb = rb.header("content-type", ct);
        }
        let res = rb.send().await.unwrap();
        assert_eq!(res.status(), 415, "{content_type:?}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }
    // serde reads a struct from an array of its fields; the API takes objects only.
    for (path, body) in [
        ("/api/v1/me/token", "[null]".to_string()),
        (
            "/api/v1/incidents",
            serde_json::to_string(&[new_incident("as an array")]).unwrap(),
        ),
        (
            &*format!("/api/v1/incidents/{}/notes", inc.id),
            " [\"text\"]".into(),
        ),
    ] {
        refused(
            send(
                &ts,
                Some(Role::DutyOfficer),
                Method::POST,
                path,
                &[key()],
                Some(body),
            )
            .await,
            422,
            "must be a JSON object",
        );
    }
    assert_eq!(ts.head().await, before, "a refused request wrote an event");
    // The strong tag the server sent is still accepted.
    let (status, _, patched) = send(
        &ts,
        Some(Role::DutyOfficer),
        Method::PATCH,
        &path,
        &[key(), ("if-match", "\"1\"".into())],
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
}

#[tokio::test]
async fn text_that_shows_nothing_or_something_else_is_refused() {
    let ts = TestServer::start().await;
    let before = ts.head().await;
    let post = |change: Value| {
        let ts = &ts;
        async move {
            let mut body = serde_json::to_value(new_incident("ok")).unwrap();
            body.as_object_mut()
                .unwrap()
                .extend(change.as_object().unwrap().clone());
            send(
                ts,
                Some(Role::DutyOfficer),
                Method::POST,
                "/api/v1/incidents",
                &[key()],
                Some(body.to_string()),
            )
            .await
        }
    };
    refused(
        post(json!({"title": "\u{200B}\u{200D}\u{2060}\u{FEFF}"})).await,
        422,
        "visible",
    );
    refused(
        post(json!({"title": "\u{202A}\u{202C}"})).await,
        422,
        "title",
    );
    refused(
        post(json!({"title": "Boat at \u{202E}arawuZ"})).await,
        422,
        "bidi",
    );
    refused(
        post(json!({"description": "ok\n\u{2067}never closed"})).await,
        422,
        "isolate",
    );
    refused(
        post(json!({"occurred_at": "0001-01-01T00:00:00Z"})).await,
        422,
        "earliest accepted",
    );
    refused(
        post(json!({"occurred_at": "3000-01-01T00:00:00Z"})).await,
        422,
        "latest accepted",
    );
    let many: Vec<String> = (0..31)
        .map(|i| format!("00000000-0000-0000-0000-{i:012}"))
        .collect();
    refused(
        post(json!({"supporting_agency_ids": many})).await,
        422,
        "limit is 30",
    );
    assert_eq!(ts.head().await, before, "a refused report wrote an event");

    // 1,500 copies of one agency are one supporting agency.
    let (status, _, created) =
        post(json!({"supporting_agency_ids": vec![ts.agency.id; 1500]})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["supporting_agency_ids"], json!([ts.agency.id]));
    // Isolates in balanced use (how mixed Arabic and Latin is written) are kept.
    let (status, _, created) = post(json!({"title": "\u{2067}قارب\u{2069} off Zuwara"})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");

    let unit = ts.unit_of(&ts.agency).await;
    refused(
        send(
            &ts,
            Some(Role::Supervisor),
            Method::PATCH,
            &format!("/api/v1/units/{}", unit.id),
            &[key(), ("if-match", format!("\"{}\"", unit.version))],
            Some(json!({"home_sector": ""}).to_string()),
        )
        .await,
        422,
        "home_sector",
    );
}

#[tokio::test]
async fn duplicates_cannot_form_a_cycle() {
    let ts = TestServer::start().await;
    let a = ts.incident("first report").await;
    let b = ts.incident("second report").await;
    let dismiss_as_dup = |of: uuid::Uuid, id: uuid::Uuid, version: u64| {
        let ts = &ts;
        async move {
            send(
                ts,
                Some(Role::DutyOfficer),
                Method::PATCH,
                &format!("/api/v1/incidents/{id}"),
                &[key(), ("if-match", format!("\"{version}\""))],
                Some(
                    json!({"status": "dismissed", "dismiss_reason": "duplicate", "duplicate_of": of})
                        .to_string(),
                ),
            )
            .await
        }
    };
    let (status, _, body) = dismiss_as_dup(b.id, a.id, a.version).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // B a duplicate of A, which is itself a dismissed duplicate: refused.
    refused(
        dismiss_as_dup(a.id, b.id, b.version).await,
        422,
        "duplicate_of",
    );
}

#[tokio::test]
async fn a_failing_database_is_a_problem_with_an_error_id_not_its_own_words() {
    let ts = TestServer::start().await;
    let inc = ts.incident("notes will fail").await;
    // Behind the server's back: the table a note goes into disappears.
    ts.raw_execute("DROP TABLE notes").await;
    let (status, ctype, problem) = send(
        &ts,
        Some(Role::DutyOfficer),
        Method::POST,
        &format!("/api/v1/incidents/{}/notes", inc.id),
        &[key()],
        Some(json!({"text": "seen from the tower"}).to_string()),
    )
    .await;
    assert!(status.is_server_error(), "{status}: {problem}");
    assert_eq!(ctype, "application/problem+json");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("error id"), "{detail}");
    assert!(
        problem["instance"]
            .as_str()
            .unwrap()
            .starts_with("urn:tandem:error:")
    );
    for leaked in ["notes", "table", "SQL", "sqlite", "line"] {
        assert!(!detail.contains(leaked), "`{leaked}` leaked: {detail}");
    }
    // Everything else still works.
    ts.incident("still reporting").await;
}

/// Extreme values for any parameter: numbers at and past every integer
/// type's edge, times out of range, long and strange text.
fn hostile_value() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("4294967295".to_string()),
        Just("4294967296".to_string()),
        Just("9223372036854775807".to_string()),
        Just("18446744073709551615".to_string()),
        Just("99999999999999999999999".to_string()),
        Just("1e308".to_string()),
        Just("NaN".to_string()),
        Just("0000-01-01T00:00:00Z".to_string()),
        Just("9999-12-31T23:59:59Z".to_string()),
        Just("2026-02-30T25:61:61Z".to_string()),
        Just("00000000-0000-0000-0000-000000000000".to_string()),
        Just(":".to_string()),
        Just("9223372036854775807:zzz".to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        "\\PC{0,300}",
        proptest::collection::vec(any::<u8>(), 0..200)
            .prop_map(|b| b.iter().map(|x| format!("%{x:02X}")).collect()),
    ]
}

#[test]
fn no_get_parameter_makes_the_server_fail_or_panic() {
    use proptest::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tandem.db").display().to_string();
    common::bin_admin(&db, &["seed"]);
    let out = common::bin_admin(
        &db,
        &[
            "officer",
            "add",
            "--name",
            "S",
            "--role",
            "supervisor",
            "--centre",
            "TRP",
        ],
    );
    let token = out
        .lines()
        .find_map(|l| l.strip_prefix("token: "))
        .unwrap()
        .to_string();
    let log = dir.path().join("serve.log");
    let (mut server, url) = common::serve_binary_with(&db, Some(&log));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let http = reqwest::Client::new();
    let incident = rt.block_on(async {
        tandem::client::Client::new(&url, &token)
            .unwrap()
            .create_incident(&new_key(), &new_incident("probe"))
            .await
            .unwrap()
    });
    let routes: Vec<(String, &[&str])> = vec![
        (
            "/api/v1/incidents".into(),
            &[
                "q", "status", "severity", "category", "centre", "agency", "since", "until",
                "limit", "cursor",
            ],
        ),
        (
            "/api/v1/tasks".into(),
            &["incident", "agency", "status", "open", "limit", "cursor"],
        ),
        ("/api/v1/snapshot".into(), &["closed_within"]),
        ("/api/v1/events".into(), &["after"]),
        (format!("/api/v1/incidents/{}", incident.id), &["x"]),
        ("/api/v1/agencies".into(), &["x"]),
        ("/api/v1/units".into(), &["x"]),
        ("/api/v1/audit/verify".into(), &["x"]),
        ("/api/v1/me".into(), &["x"]),
        ("/healthz".into(), &["x"]),
    ];
    let cases = proptest::test_runner::Config {
        cases: 400,
        ..Default::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(cases);
    let strategy = (
        0..routes.len(),
        proptest::collection::vec((0usize..10, hostile_value()), 1..4),
        proptest::option::of(hostile_value()),
    );
    runner
        .run(&strategy, |(r, params, raw_id)| {
            let (path, names) = &routes[r];
            let mut path = path.clone();
            if let (Some(raw), true) = (&raw_id, path.starts_with("/api/v1/incidents/")) {
                path = format!("/api/v1/incidents/{}", raw.replace(['/', '?', '#'], ""));
            }
            let query: Vec<String> = params
                .iter()
                .map(|(i, v)| format!("{}={v}", names[i % names.len()]))
                .collect();
            let target = format!("{url}{path}?{}", query.join("&"));
            let status = rt.block_on(async {
                // The answer's head is enough (an event stream would not end).
                match http.get(&target).bearer_auth(&token).send().await {
                    Ok(res) => {
                        let ctype = res.headers().get("content-type").cloned();
                        let s = res.status();
                        if !s.is_success() {
                            prop_assert_eq!(
                                ctype.as_ref().and_then(|c| c.to_str().ok()),
                                Some("application/problem+json")
                            );
                        }
                        Ok(s)
                    }
                    Err(e) => Err(TestCaseError::fail(format!("{target}: {e}"))),
                }
            })?;
            prop_assert!(!status.is_server_error(), "{} → {}", target, status);
            Ok(())
        })
        .unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        !logged.contains("panicked"),
        "the server panicked:\n{logged}"
    );
    assert!(
        !logged.contains("ERROR"),
        "the server logged errors:\n{logged}"
    );
}
