//! The real server binary killed and stopped under load: every write that got
//! a 2xx is there after each restart, nothing is there twice, the hash chain
//! verifies; SIGTERM finishes what is in flight and ends the streams.

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tandem::client::{Client, ClientError, new_key};

const CYCLES: usize = 20;
const WRITERS: usize = 16;

fn setup() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tandem.db").display().to_string();
    common::bin_admin(&db, &["seed"]);
    let out = common::bin_admin(
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
    let token = out
        .lines()
        .find_map(|l| l.strip_prefix("token: "))
        .unwrap()
        .to_string();
    (dir, db, token)
}

/// What the writers saw: titles acknowledged, and any refusal the server
/// answered while it was up (there must be none).
#[derive(Default)]
struct Tally {
    acked: Vec<String>,
    refused: Vec<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_sigkills_under_sixteen_writers_lose_no_acknowledged_write() {
    let (_dir, db, token) = setup();
    let tally = Arc::new(Mutex::new(Tally::default()));
    for cycle in 0..CYCLES {
        let (mut child, url) = common::serve_binary(&db);
        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let client = Client::new(&url, &token).unwrap();
            let tally = tally.clone();
            writers.push(tokio::spawn(async move {
                let mut ours = 0;
                for i in 0.. {
                    let title = format!("cycle {cycle} writer {w} report {i}");
                    match client
                        .create_incident(&new_key(), &common::new_incident(&title))
                        .await
                    {
                        Ok(inc) => {
                            assert_eq!(inc.title, title);
                            tally.lock().unwrap().acked.push(title);
                            ours += 1;
                        }
                        // The link broke: the server is gone.
                        Err(ClientError::Network(_)) => return ours,
                        Err(e) => tally.lock().unwrap().refused.push(format!("{title}: {e}")),
                    }
                }
                ours
            }));
        }
        // Let the load build up to an acknowledged write per writer, then kill.
        let deadline = Instant::now() + Duration::from_secs(30);
        while tally.lock().unwrap().acked.len() < (cycle + 1) * WRITERS {
            assert!(Instant::now() < deadline, "cycle {cycle}: no load");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        for w in writers {
            w.await.unwrap();
        }
    }
    let tally = std::mem::take(&mut *tally.lock().unwrap());
    assert!(
        tally.refused.is_empty(),
        "refused while up: {:?}",
        tally.refused
    );

    // Read the file itself: every acknowledged title is there, once.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{db}"))
        .await
        .unwrap();
    let stored: Vec<String> = sqlx::query_scalar(
        "SELECT json_extract(data, '$.title') FROM incidents WHERE json_extract(data, '$.title') LIKE 'cycle %'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let unique: HashSet<&String> = stored.iter().collect();
    assert_eq!(unique.len(), stored.len(), "a write is stored twice");
    for title in &tally.acked {
        assert!(unique.contains(title), "acknowledged `{title}` lost");
    }
    pool.close().await;
    let (mut child, url) = common::serve_binary(&db);
    let report = Client::new(&url, &token).unwrap().verify().await.unwrap();
    assert!(report.ok, "{report:?}");
    println!(
        "{CYCLES} SIGKILLs: {} acknowledged writes, all present; {} stored",
        tally.acked.len(),
        stored.len()
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_requests_in_flight_ends_streams_and_exits() {
    let (_dir, db, token) = setup();
    let (mut child, url) = common::serve_binary(&db);
    let client = Client::new(&url, &token).unwrap();
    let mut stream = client.events(0).await.unwrap();

    // A report whose body is still arriving when SIGTERM comes.
    let body = serde_json::to_vec(&common::new_incident("sent slowly")).unwrap();
    let (first, rest) = body.split_at(body.len() / 2);
    let (first, rest) = (first.to_vec(), rest.to_vec());
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let chunks = futures::stream::once(async move { Ok::<_, std::io::Error>(first) }).chain(
        futures::stream::once(async move {
            let _ = released.await;
            Ok(rest)
        }),
    );
    let slow = tokio::spawn(
        reqwest::Client::new()
            .post(format!("{url}/api/v1/incidents"))
            .bearer_auth(&token)
            .header("idempotency-key", new_key())
            .header("content-type", "application/json")
            .body(reqwest::Body::wrap_stream(chunks))
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = release.send(());

    let answer = tokio::time::timeout(Duration::from_secs(20), slow)
        .await
        .expect("the request in flight was not answered")
        .unwrap()
        .unwrap();
    assert_eq!(answer.status(), 201, "{:?}", answer.text().await);
    let ended = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(Ok(_)) = stream.next().await {}
    })
    .await;
    assert!(ended.is_ok(), "the event stream did not end");
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "exit status {exit:?}");
}

use futures::StreamExt as _;
