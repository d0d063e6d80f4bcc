//! Several `tandem serve` instances over one PostgreSQL database. These run
//! whenever TANDEM_TEST_POSTGRES_URL is set (`.ci/run` sets it); each test
//! makes its own database and drops it afterwards.

mod common;

use common::postgres::deployment;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tandem::client::{Client, new_key};
use tandem::console::action::Link;
use tandem::console::config::Config;
use tandem::console::engine::Engine;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_hammered_every_subscriber_sees_every_seq_once_in_order() {
    let Some(d) = deployment(2).await else { return };
    let start = d.store.head().await.unwrap();
    let (a, b) = (d.instances[0].0.clone(), d.instances[1].0.clone());
    let mut subscribers = Vec::new();
    for url in [&a, &b] {
        let mut s = Client::new(url, &d.observer)
            .unwrap()
            .events(start)
            .await
            .unwrap();
        subscribers.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            while seen.len() < 400 {
                match tokio::time::timeout(Duration::from_secs(30), s.next_event()).await {
                    Ok(Some(Ok(e))) => seen.push(e),
                    other => panic!(
                        "stream ended early: {:?}",
                        other.map(|o| o.map(|r| r.map(|e| e.seq)))
                    ),
                }
            }
            seen
        }));
    }
    let mut writers = Vec::new();
    for w in 0..8 {
        let c = Client::new(if w % 2 == 0 { &a } else { &b }, &d.duty).unwrap();
        writers.push(tokio::spawn(async move {
            let mut refs = Vec::new();
            for i in 0..50 {
                refs.push(
                    c.create_incident(&new_key(), &common::new_incident(&format!("w{w} {i}")))
                        .await
                        .unwrap()
                        .reference,
                );
            }
            refs
        }));
    }
    let mut refs = Vec::new();
    for w in writers {
        refs.extend(w.await.unwrap());
    }
    for s in subscribers {
        let seen = s.await.unwrap();
        let seqs: Vec<u64> = seen.iter().map(|e| e.seq).collect();
        assert_eq!(
            seqs,
            (start + 1..=start + 400).collect::<Vec<_>>(),
            "every seq once, in order, on both instances"
        );
        assert!(seen.iter().all(|e| e.hash == e.computed_hash()));
    }
    let mut numbers: Vec<u32> = refs.iter().map(|r| r[7..].parse().unwrap()).collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=400).collect::<Vec<_>>(),
        "references gap-free across instances"
    );
    assert!(
        Client::new(&a, &d.observer)
            .unwrap()
            .verify()
            .await
            .unwrap()
            .ok
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotent_retry_to_the_other_instance_changes_nothing() {
    let Some(d) = deployment(2).await else { return };
    let key = new_key();
    let new = common::new_incident("Retried through the other instance");
    let before = d.store.head().await.unwrap();
    let first = Client::new(&d.instances[0].0, &d.duty)
        .unwrap()
        .create_incident(&key, &new)
        .await
        .unwrap();
    let again = Client::new(&d.instances[1].0, &d.duty)
        .unwrap()
        .create_incident(&key, &new)
        .await
        .unwrap();
    assert_eq!(first, again);
    assert_eq!(d.store.head().await.unwrap(), before + 1);
    // Concurrent retries of one key on both instances: still one change.
    let key = new_key();
    let (ca, cb) = (
        Client::new(&d.instances[0].0, &d.duty).unwrap(),
        Client::new(&d.instances[1].0, &d.duty).unwrap(),
    );
    let (x, y) = tokio::join!(
        ca.create_incident(&key, &new),
        cb.create_incident(&key, &new)
    );
    assert_eq!(x.unwrap(), y.unwrap());
    assert_eq!(d.store.head().await.unwrap(), before + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_fails_over_to_the_other_instance_and_resumes_from_its_cursor() {
    let Some(mut d) = deployment(2).await else {
        return;
    };
    let (a, b) = (d.instances[0].0.clone(), d.instances[1].0.clone());
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        server: a.clone(),
        servers: vec![b.clone()],
        token: Some(d.duty.clone()),
        bell: false,
        ..Config::default()
    };
    let mut engine = Engine::start(&config, dir.path()).await.unwrap();
    assert!(
        engine
            .run_until(Duration::from_secs(20), |a| a.ctx.link == Link::Live
                && a.ctx.synced)
            .await
            .unwrap()
    );
    let writer = Client::new(&b, &d.duty).unwrap();
    for i in 0..20 {
        writer
            .create_incident(&new_key(), &common::new_incident(&format!("before {i}")))
            .await
            .unwrap();
    }
    // Instance A goes away; writes continue through B.
    d.instances[0].1.take().unwrap().shutdown().await.unwrap();
    for i in 0..20 {
        writer
            .create_incident(&new_key(), &common::new_incident(&format!("after {i}")))
            .await
            .unwrap();
    }
    let head = d.store.head().await.unwrap();
    assert!(
        engine
            .run_until(Duration::from_secs(30), |a| a.ctx.mirror.seq >= head)
            .await
            .unwrap(),
        "no catch-up through B"
    );
    assert!(
        !engine
            .app
            .ctx
            .messages
            .iter()
            .any(|m| m.text.contains("resync needed")),
        "a gap was seen"
    );
    let now = tandem::client::mirror::Mirror::from_snapshot(writer.snapshot().await.unwrap());
    assert_eq!(engine.app.ctx.mirror, now);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_of_an_instance_during_writes_loses_no_acknowledged_write() {
    let Some(d) = deployment(1).await else { return };
    let bin = env!("CARGO_BIN_EXE_tandem");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(bin)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database",
            &d.url,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "instance did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Writers on the doomed instance and on the surviving in-process one.
    let acked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut writers = Vec::new();
    for w in 0..8 {
        let url = if w % 2 == 0 {
            format!("http://127.0.0.1:{port}")
        } else {
            d.instances[0].0.clone()
        };
        let c = Client::new(&url, &d.duty).unwrap();
        let acked = acked.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..200 {
                match c
                    .create_incident(&new_key(), &common::new_incident(&format!("w{w} {i}")))
                    .await
                {
                    Ok(inc) => acked.lock().unwrap().push((w, inc.id)),
                    // Only the link breaking is expected, and only on the doomed instance.
                    Err(tandem::client::ClientError::Network(_)) if w % 2 == 0 => return,
                    Err(e) => panic!("writer {w} refused: {e}"),
                }
            }
        }));
    }
    // Kill only once every writer on the doomed instance has been acknowledged.
    let deadline = Instant::now() + Duration::from_secs(60);
    while (0..8)
        .step_by(2)
        .any(|w| !acked.lock().unwrap().iter().any(|(x, _)| *x == w))
    {
        assert!(
            Instant::now() < deadline,
            "the doomed instance acknowledged nothing"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let c = Client::new(&d.instances[0].0, &d.duty).unwrap();
    for (_, id) in &acked {
        c.incident(*id)
            .await
            .unwrap_or_else(|e| panic!("acknowledged {id} lost: {e}"));
    }
    assert!(c.verify().await.unwrap().ok);
}

#[tokio::test]
async fn an_append_whose_notification_is_lost_still_reaches_subscribers() {
    let Some(d) = deployment(1).await else { return };
    let head = d.store.head().await.unwrap();
    let mut stream = Client::new(&d.instances[0].0, &d.observer)
        .unwrap()
        .events(head)
        .await
        .unwrap();
    // An append no instance wrote and nobody notified (as when a NOTIFY is
    // lost): only the publisher's periodic read of the log can find it.
    let pool = sqlx::PgPool::connect(&d.url).await.unwrap();
    sqlx::query(
        "INSERT INTO events (seq, at, actor, kind, entity, entity_id, version, data, prev_hash, hash)
         SELECT seq + 1, at, actor, kind, entity, entity_id, version, data, prev_hash, hash
         FROM events WHERE seq = (SELECT MAX(seq) FROM events)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let e = tokio::time::timeout(Duration::from_secs(10), stream.next_event())
        .await
        .expect("the unnotified append never arrived")
        .expect("stream ended")
        .unwrap();
    assert_eq!(e.seq, head + 1);
}
