//! `tandem admin` writing to the SQLite file a running `tandem serve` uses:
//! the server keeps accepting writes, publishes the admin's events on the
//! live stream in seq order like its own, and ends the streams of an officer
//! the admin revokes.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use tandem::client::{Client, new_key};
use tandem::model::EventKind;

fn token_of(admin_output: &str) -> String {
    admin_output
        .lines()
        .find_map(|l| l.strip_prefix("token: "))
        .unwrap()
        .to_string()
}

fn id_of(admin_output: &str) -> String {
    admin_output
        .lines()
        .find_map(|l| l.strip_prefix("officer: "))
        .unwrap()
        .to_string()
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

async fn admin(db: &str, args: &[&str]) -> String {
    let db = db.to_string();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        common::bin_admin(&db, &args)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_writes_beside_a_running_server_stop_nothing_and_are_published() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tandem.db").display().to_string();
    common::bin_admin(&db, &["seed"]);
    let add = |name: &str, role: &str| {
        vec![
            "officer".to_string(),
            "add".into(),
            "--name".into(),
            name.to_string(),
            "--role".into(),
            role.to_string(),
            "--centre".into(),
            "TRP".into(),
        ]
    };
    let duty = token_of(&common::bin_admin(
        &db,
        &refs(&add("Salem", "duty_officer")),
    ));
    let doomed_out = common::bin_admin(&db, &refs(&add("Doomed", "observer")));
    let (doomed_id, doomed_token) = (id_of(&doomed_out), token_of(&doomed_out));

    let (mut server, url) = common::serve_binary(&db);
    let watcher = Client::new(&url, &duty).unwrap();
    let start = watcher.verify().await.unwrap().events;
    let mut stream = watcher.events(start).await.unwrap();
    let mut doomed_stream = Client::new(&url, &doomed_token)
        .unwrap()
        .events(start)
        .await
        .unwrap();

    // Eight writers through the server ...
    let mut writers = Vec::new();
    for w in 0..8 {
        let c = Client::new(&url, &duty).unwrap();
        writers.push(tokio::spawn(async move {
            for i in 0..30 {
                c.create_incident(&new_key(), &common::new_incident(&format!("w{w} {i}")))
                    .await
                    .unwrap_or_else(|e| panic!("writer {w}, write {i}: {e}"));
            }
        }));
    }
    // ... while the administrator adds officers and revokes one, straight on the file.
    for n in 0..3 {
        admin(&db, &refs(&add(&format!("Relief {n}"), "duty_officer"))).await;
    }
    admin(&db, &["officer", "revoke", &doomed_id]).await;
    let revoked_at = Instant::now();
    for w in writers {
        w.await.unwrap();
    }
    admin(&db, &refs(&add("Late", "observer"))).await;

    // The revoked officer's stream ends with the revocation.
    let mut last_kind = None;
    let ended = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(e) = doomed_stream.next_event().await {
            last_kind = Some(e.unwrap().kind);
        }
    })
    .await;
    assert!(ended.is_ok(), "the revoked officer's stream is still open");
    assert_eq!(last_kind, Some(EventKind::OfficerRevoked));
    let took = revoked_at.elapsed();
    println!("revoked officer's stream ended {took:?} after the revocation");
    assert!(took < Duration::from_secs(10), "took {took:?}");

    // Every seq once, in order, the admin's events among them.
    let head = watcher.verify().await.unwrap();
    assert!(head.ok, "{head:?}");
    let mut seen = BTreeSet::new();
    let mut kinds = Vec::new();
    while seen.len() < (head.events - start) as usize {
        let e = tokio::time::timeout(Duration::from_secs(10), stream.next_event())
            .await
            .expect("the stream stalled before the head")
            .expect("the stream ended")
            .unwrap();
        assert_eq!(e.seq, start + seen.len() as u64 + 1, "out of order");
        assert!(seen.insert(e.seq));
        kinds.push(e.kind);
    }
    let created = kinds
        .iter()
        .filter(|k| **k == EventKind::OfficerCreated)
        .count();
    assert_eq!(created, 4, "officer.created from the command line");
    assert!(kinds.contains(&EventKind::OfficerRevoked));
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == EventKind::IncidentCreated)
            .count(),
        240
    );
    server.kill().unwrap();
    server.wait().unwrap();
}
