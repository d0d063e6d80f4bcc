//! PostgreSQL going away under two running instances: every server process
//! of the test's database terminated mid-load, and the database refusing
//! connections for a while. Writes fail for a short, clear while and then
//! succeed by themselves; nothing acknowledged is lost, nothing is written
//! twice, seq stays gap-free and every subscriber sees every event once.
//! Only the test's own database is touched, never the cluster.

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::postgres::{Deployment, deployment};
use tandem::client::{Client, ClientError, new_key};

/// Runs SQL on the cluster's admin database about the test's own database.
async fn on_admin(d: &Deployment, sql: &str) {
    use sqlx::Connection;
    let (admin, _) = d.db.as_ref().unwrap();
    let mut c = sqlx::PgConnection::connect(admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut c)
        .await
        .unwrap();
}

fn name(d: &Deployment) -> String {
    d.db.as_ref().unwrap().1.clone()
}

async fn terminate_all(d: &Deployment) {
    on_admin(
        d,
        &format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{}' AND pid <> pg_backend_pid()",
            name(d)
        ),
    )
    .await;
}

/// Sends one report until it is acknowledged, with one Idempotency-Key, so a
/// retry after an unknown outcome cannot write it twice. Returns the longest
/// run of failures it met.
async fn report_until_acked(c: &Client, title: &str, give_up: Instant) -> Duration {
    let key = new_key();
    let mut failing_since: Option<Instant> = None;
    let mut longest = Duration::ZERO;
    loop {
        match c.create_incident(&key, &common::new_incident(title)).await {
            Ok(inc) => {
                assert_eq!(inc.title, title);
                return longest;
            }
            Err(e) if e.is_transient() => {
                if let ClientError::Problem(p) = &e {
                    assert!(
                        p.status == 503 && p.detail.contains("error id"),
                        "a failing write answered {p}"
                    );
                }
                let since = *failing_since.get_or_insert_with(Instant::now);
                longest = longest.max(since.elapsed());
                assert!(Instant::now() < give_up, "`{title}` never landed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("`{title}` refused: {e}"),
        }
    }
}

async fn subscribe(
    url: &str,
    token: &str,
    after: u64,
    count: usize,
) -> tokio::task::JoinHandle<Vec<u64>> {
    let client = Client::new(url, token).unwrap();
    tokio::spawn(async move {
        let mut seen = Vec::new();
        let mut cursor = after;
        // A subscriber reconnects from its cursor, as the console does.
        while seen.len() < count {
            let Ok(mut s) = client.events(cursor).await else {
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            };
            while seen.len() < count {
                match tokio::time::timeout(Duration::from_secs(60), s.next_event()).await {
                    Ok(Some(Ok(e))) => {
                        cursor = e.seq;
                        seen.push(e.seq);
                    }
                    Ok(_) => break,
                    Err(_) => panic!("no event for 60 s after seq {cursor}"),
                }
            }
        }
        seen
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminated_backends_mid_load_lose_nothing_and_writes_recover() {
    let Some(d) = deployment(2).await else { return };
    let start = d.store.head().await.unwrap();
    let (a, b) = (d.instances[0].0.clone(), d.instances[1].0.clone());
    const WRITERS: usize = 8;
    const EACH: usize = 40;
    let total = WRITERS * EACH;
    let subscribers = [
        subscribe(&a, &d.observer, start, total).await,
        subscribe(&b, &d.observer, start, total).await,
    ];
    let progress = Arc::new(Mutex::new(0usize));
    let give_up = Instant::now() + Duration::from_secs(120);
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let c = Client::new(if w % 2 == 0 { &a } else { &b }, &d.duty).unwrap();
        let progress = progress.clone();
        writers.push(tokio::spawn(async move {
            let mut longest = Duration::ZERO;
            for i in 0..EACH {
                longest = longest.max(report_until_acked(&c, &format!("w{w} {i}"), give_up).await);
                *progress.lock().unwrap() += 1;
            }
            longest
        }));
    }
    // Twice during the load, every server process of the database goes.
    for at in [total / 4, total / 2] {
        while *progress.lock().unwrap() < at {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        terminate_all(&d).await;
    }
    let mut longest = Duration::ZERO;
    for w in writers {
        longest = longest.max(w.await.unwrap());
    }
    println!("longest run of failing writes: {longest:?}");
    assert!(
        longest < Duration::from_secs(15),
        "writes failed for {longest:?}"
    );

    let reader = Client::new(&a, &d.observer).unwrap();
    let report = reader.verify().await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(
        report.events,
        start + total as u64,
        "a write landed twice or not at all"
    );
    let mut titles = HashSet::new();
    let mut cursor = None;
    loop {
        let page = reader
            .search(&tandem::api::IncidentQuery {
                limit: Some(500),
                cursor,
                ..Default::default()
            })
            .await
            .unwrap();
        for i in page.items {
            assert!(titles.insert(i.title.clone()), "{} stored twice", i.title);
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    for w in 0..WRITERS {
        for i in 0..EACH {
            assert!(titles.contains(&format!("w{w} {i}")), "w{w} {i} lost");
        }
    }
    for s in subscribers {
        let seen = s.await.unwrap();
        assert_eq!(
            seen,
            (start + 1..=start + total as u64).collect::<Vec<_>>(),
            "every seq once, in order, on both instances"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_refusing_connections_gets_503_then_recovers_by_itself() {
    let Some(d) = deployment(2).await else { return };
    let a = d.instances[0].0.clone();
    let duty = Client::new(&a, &d.duty).unwrap();
    duty.create_incident(&new_key(), &common::new_incident("before"))
        .await
        .unwrap();
    on_admin(
        &d,
        &format!(
            "ALTER DATABASE \"{}\" WITH ALLOW_CONNECTIONS false",
            name(&d)
        ),
    )
    .await;
    terminate_all(&d).await;

    // For ten seconds: clear, bounded refusals.
    let until = Instant::now() + Duration::from_secs(10);
    let mut refusals = 0;
    while Instant::now() < until {
        let asked = Instant::now();
        match duty
            .create_incident(&new_key(), &common::new_incident("while refused"))
            .await
        {
            Err(ClientError::Problem(p)) => {
                assert_eq!(p.status, 503, "{p}");
                assert!(p.detail.contains("error id"), "{p}");
                refusals += 1;
            }
            other => panic!("a write while the database refuses: {other:?}"),
        }
        assert!(
            asked.elapsed() < Duration::from_secs(10),
            "a refusal took {:?}",
            asked.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(refusals > 0);
    let health = reqwest::get(format!("{a}/healthz")).await.unwrap();
    assert_eq!(health.status(), 503);
    assert_eq!(health.headers()["content-type"], "application/problem+json");
    match duty.me().await {
        Err(ClientError::Problem(p)) => assert_eq!(p.status, 503, "{p}"),
        other => panic!("/me while the database refuses: {other:?}"),
    }

    on_admin(
        &d,
        &format!(
            "ALTER DATABASE \"{}\" WITH ALLOW_CONNECTIONS true",
            name(&d)
        ),
    )
    .await;
    let give_up = Instant::now() + Duration::from_secs(60);
    for url in [&d.instances[0].0, &d.instances[1].0] {
        let c = Client::new(url, &d.duty).unwrap();
        report_until_acked(&c, &format!("after, through {url}"), give_up).await;
    }
    assert_eq!(
        reqwest::get(format!("{a}/healthz")).await.unwrap().status(),
        200
    );
    assert!(duty.verify().await.unwrap().ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_ends_the_officers_streams_on_every_instance() {
    let Some(d) = deployment(2).await else { return };
    let (officer, token) = tandem::admin::add_officer(
        d.store.as_ref(),
        "Doomed",
        tandem::model::Role::Observer,
        tandem::model::Centre::Ben,
        None,
    )
    .await
    .unwrap();
    let head = d.store.head().await.unwrap();
    let mut streams = Vec::new();
    for (url, _) in &d.instances {
        streams.push(
            Client::new(url, &token)
                .unwrap()
                .events(head)
                .await
                .unwrap(),
        );
    }
    // The command line's own store, as `tandem admin officer revoke` opens it.
    let cli = tandem::store::open(&d.url).await.unwrap();
    tandem::admin::revoke_officer(cli.as_ref(), &officer.id.to_string())
        .await
        .unwrap();
    let revoked = Instant::now();
    for mut s in streams {
        let mut last = None;
        let ended = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(Ok(e)) = s.next_event().await {
                last = Some(e.kind);
            }
        })
        .await;
        assert!(ended.is_ok(), "a revoked officer's stream stayed open");
        assert_eq!(last, Some(tandem::model::EventKind::OfficerRevoked));
    }
    println!(
        "both streams ended {:?} after the revocation",
        revoked.elapsed()
    );
    assert!(revoked.elapsed() < Duration::from_secs(10));
}
