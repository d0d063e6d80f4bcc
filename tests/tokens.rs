//! Tokens that expire, rotate and are revoked, and sign-in failures that are
//! limited — over HTTP against the real server, on SQLite and (with
//! `TANDEM_TEST_STORE=postgres`) PostgreSQL.

mod common;

use common::TestServer;
use reqwest::StatusCode;
use serde_json::Value;
use tandem::model::{EventKind, Role};
use time::{Duration, OffsetDateTime};

async fn me(ts: &TestServer, token: &str) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/me", ts.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn rotate(ts: &TestServer, token: &str, key: &str, body: &str) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/me/token", ts.url))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn time(v: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(
        v.as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
}

async fn kinds(ts: &TestServer, after: u64) -> Vec<EventKind> {
    ts.store
        .events_after(after, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.kind)
        .collect()
}

#[tokio::test]
async fn a_token_lives_twelve_hours_and_rotates_with_a_grace_for_the_old_one() {
    let ts = TestServer::start().await;
    let old = ts.token(Role::DutyOfficer).to_string();
    let now = OffsetDateTime::now_utc();
    let (status, body) = me(&ts, &old).await;
    assert_eq!(status, 200);
    assert_eq!(body["name"], "duty_officer officer");
    let expires = time(&body["token"]["expires_at"]);
    assert!(
        (expires - (now + Duration::hours(12))).abs() < Duration::minutes(1),
        "{expires}"
    );

    let head = ts.head().await;
    let (status, issued) = rotate(&ts, &old, "rotate-1", "{}").await;
    assert_eq!(status, 201, "{issued}");
    let new = issued["token"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    let (status, body) = me(&ts, &new).await;
    assert_eq!(status, 200);
    assert_eq!(body["token"]["id"], issued["id"]);
    // The old token keeps working for the grace period only.
    let (status, body) = me(&ts, &old).await;
    assert_eq!(status, 200);
    assert!(
        time(&body["token"]["expires_at"]) <= OffsetDateTime::now_utc() + Duration::minutes(10)
    );
    // Recorded, without the secret.
    assert_eq!(
        kinds(&ts, head).await,
        vec![EventKind::TokenUpdated, EventKind::TokenIssued]
    );
    for e in ts.store.events_after(head, 10).await.unwrap() {
        assert!(!e.event.data.get().contains(&new) && !e.event.data.get().contains(&old));
    }
    // The same rotation again does not show a token a second time.
    let (status, body) = rotate(&ts, &old, "rotate-1", "{}").await;
    assert_eq!(status, 409, "{body}");
    // Lifetimes are bounded.
    let (status, body) = rotate(&ts, &new, "rotate-2", r#"{"hours": 1000}"#).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("168"), "{body}");
    ts.shutdown().await;
}

#[tokio::test]
async fn expired_and_revoked_tokens_are_refused_with_the_reason() {
    let ts = TestServer::start().await;
    let duty = ts.officer(Role::DutyOfficer).id;
    let old = ts.token(Role::DutyOfficer).to_string();
    // An administrator issues a new token and revokes the old ones.
    let (new, info) =
        tandem::admin::issue_token(ts.store.as_ref(), &duty.to_string(), Some(2), true)
            .await
            .unwrap();
    assert!(info.expires_at <= OffsetDateTime::now_utc() + Duration::hours(2));
    let (status, body) = me(&ts, &old).await;
    assert_eq!(status, 401);
    assert!(
        body["detail"].as_str().unwrap().contains("revoked"),
        "{body}"
    );
    assert_eq!(me(&ts, &new).await.0, 200);

    // Past its expiry (set behind the server's back), the token is refused.
    ts.raw_execute(&format!(
        "UPDATE tokens SET data = replace(data, '\"expires_at\":\"', '\"expires_at\":\"2020-01-01T00:00:00Z\",\"was\":\"') WHERE id = '{}'",
        info.id
    ))
    .await;
    let (status, body) = me(&ts, &new).await;
    assert_eq!(status, 401);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("expired at 2020-01-01"),
        "{body}"
    );
    // An expired or revoked token is not a guess: retrying it never locks the address out.
    for _ in 0..30 {
        assert_eq!(me(&ts, &new).await.0, 401);
        assert_eq!(me(&ts, &old).await.0, 401);
    }
    assert_eq!(me(&ts, ts.token(Role::Supervisor)).await.0, 200);
    ts.shutdown().await;
}

#[tokio::test]
async fn guessing_tokens_ends_in_429s_and_is_recorded() {
    let ts = TestServer::start().await;
    let head = ts.head().await;
    let http = reqwest::Client::new();
    let mut unauthorized = 0;
    let mut limited = 0;
    for i in 0..200 {
        let res = http
            .get(format!("{}/api/v1/me", ts.url))
            .bearer_auth(format!("{i:064x}"))
            .send()
            .await
            .unwrap();
        match res.status() {
            StatusCode::UNAUTHORIZED => unauthorized += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                limited += 1;
                let wait: u64 = res.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!((1..=60).contains(&wait));
                assert_eq!(res.headers()["content-type"], "application/problem+json");
            }
            s => panic!("guess {i}: {s}"),
        }
    }
    assert_eq!(unauthorized, 20, "the 21st guess is refused unseen");
    assert_eq!(limited, 180);
    // The address is locked: even a good token from it waits.
    assert_eq!(me(&ts, ts.token(Role::Supervisor)).await.0, 429);
    // The lockout is in the record for both centres to see.
    for _ in 0..50 {
        if kinds(&ts, head).await.contains(&EventKind::AuthLockedOut) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let events = ts.store.events_after(head, 100).await.unwrap();
    let lockout = events
        .iter()
        .find(|e| e.event.kind == EventKind::AuthLockedOut)
        .expect("a lockout event");
    assert!(
        lockout.event.data.get().contains("address 127.0.0.1"),
        "{}",
        lockout.event.data.get()
    );
    ts.shutdown().await;
}

#[tokio::test]
async fn tokens_issued_before_expiry_existed_keep_working_for_a_shift_and_a_half() {
    use sqlx::sqlite::SqliteConnectOptions;
    use std::str::FromStr;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    // A database as the first schema left it, with one officer and their token.
    let pool = sqlx::SqlitePool::connect_with(
        SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .unwrap()
            .create_if_missing(true),
    )
    .await
    .unwrap();
    let mut first = sqlx::migrate!("./src/store/sqlite/migrations");
    first.migrations = std::borrow::Cow::Owned(first.migrations[..1].to_vec());
    first.run(&pool).await.unwrap();
    let id = uuid::Uuid::now_v7();
    let token = tandem::admin::new_token();
    let officer = json_officer(id);
    sqlx::query("INSERT INTO officers (id, token_hash, revoked, data) VALUES (?, ?, 0, ?)")
        .bind(id.to_string())
        .bind(tandem::model::officer::token_hash(&token))
        .bind(&officer)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let store = tandem::store::open(&path.display().to_string())
        .await
        .unwrap();
    let cred = store
        .authenticate(&tandem::model::officer::token_hash(&token))
        .await
        .unwrap()
        .expect("the old token is still known");
    assert_eq!(cred.officer.id, id);
    assert_eq!(cred.token.officer_id, id);
    let left = cred.token.expires_at - OffsetDateTime::now_utc();
    assert!(
        left > Duration::hours(11) && left <= Duration::hours(12),
        "{left}"
    );
    assert!(cred.token.refusal(OffsetDateTime::now_utc()).is_none());
}

fn json_officer(id: uuid::Uuid) -> String {
    serde_json::json!({"id": id, "name": "Salem", "role": "duty_officer", "centre": "TRP", "agency_id": null})
        .to_string()
}

#[tokio::test]
async fn a_token_issued_by_the_command_line_beside_a_running_server_works_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db").display().to_string();
    common::bin_admin(&db, &["seed"]);
    let added = common::bin_admin(
        &db,
        &[
            "officer",
            "add",
            "--name",
            "Salem",
            "--role",
            "duty_officer",
            "--centre",
            "TRP",
        ],
    );
    let field = |out: &str, name: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap()
            .to_string()
    };
    let (id, old) = (field(&added, "officer: "), field(&added, "token: "));
    let (mut serve, url) = common::serve_binary(&db);
    let get = |token: String| {
        let url = url.clone();
        async move {
            reqwest::Client::new()
                .get(format!("{url}/api/v1/me"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(get(old.clone()).await, 200);
    // Another process (the admin command line) rotates the token in the server's database.
    let issued = common::bin_admin(
        &db,
        &["officer", "token", &id, "--hours", "4", "--revoke-old"],
    );
    let new = field(&issued, "token: ");
    assert_eq!(get(new.clone()).await, 200, "the new token works at once");
    assert_eq!(get(old).await, 401, "the old one is refused at once");
    // The server writes on after the command line's events, with the new token.
    let client = tandem::client::Client::new(&url, &new).unwrap();
    let incident = client
        .create_incident(
            &tandem::client::new_key(),
            &common::new_incident("after rotation"),
        )
        .await
        .unwrap();
    assert_eq!(incident.title, "after rotation");
    serve.kill().unwrap();
    let _ = serve.wait();
}

#[test]
fn serve_takes_its_sign_in_limit_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let db = db.to_str().unwrap();
    common::bin_admin(db, &["seed"]);
    let (mut child, url) =
        common::serve_binary_args(db, &["--signin-failures-per-minute", "2"], None);
    let statuses: Vec<u16> = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let http = reqwest::Client::new();
        let mut got = Vec::new();
        for n in 0..3 {
            let res = http
                .get(format!("{url}/api/v1/me"))
                .bearer_auth(format!("guess{n}"))
                .send()
                .await
                .unwrap();
            got.push(res.status().as_u16());
        }
        got
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(statuses, vec![401, 401, 429]);
}
