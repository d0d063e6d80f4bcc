//! Slow and greedy clients: half-sent requests are dropped after the header
//! timeout, and a storm of streams resuming from the start of the log
//! neither starves writes and health checks nor lets one officer hold more
//! than a few streams.

mod common;

use std::time::{Duration, Instant};

use common::TestServer;
use tandem::client::{Client, ClientError, new_key};
use tandem::model::{Centre, Role};
use tandem::server::Settings;
use tandem::store::{Actor, Command, Request};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Bounds a check that must not wait on the storm: generous, since the
/// machine is shared, but far below "never".
const PROMPT: Duration = Duration::from_secs(5);

async fn healthy(url: &str) {
    let asked = Instant::now();
    let res = tokio::time::timeout(PROMPT, reqwest::get(format!("{url}/healthz")))
        .await
        .expect("/healthz waited")
        .unwrap();
    assert_eq!(res.status(), 200);
    println!("healthz answered in {:?}", asked.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_requests_are_dropped_after_the_header_timeout() {
    let ts = TestServer::start_with(Settings {
        header_timeout: Duration::from_secs(1),
        ..Settings::default()
    })
    .await;
    let addr = ts.url.trim_start_matches("http://").to_string();
    let mut idle = Vec::new();
    for i in 0..400 {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        // The request line and one header, never the blank line that ends them.
        s.write_all(format!("GET /healthz HTTP/1.1\r\nx-slow: {i}\r\n").as_bytes())
            .await
            .unwrap();
        idle.push(s);
    }
    healthy(&ts.url).await;
    ts.incident("written beside 400 idle sockets").await;
    // Each is closed by the server (whatever it says first).
    for (i, mut s) in idle.into_iter().enumerate() {
        let mut buf = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(30), s.read_to_end(&mut buf)).await;
        assert!(closed.is_ok(), "half-sent request {i} is still open");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_resuming_streams_starves_nothing() {
    let ts = TestServer::start().await;
    // A log worth replaying.
    let officer = ts.officer(Role::DutyOfficer).clone();
    let writes = (0..1500).map(|i| {
        ts.store.execute(Request {
            actor: Actor::Officer(officer.clone()),
            idempotency: None,
            command: Command::CreateIncident(common::new_incident(&format!("history {i}"))),
        })
    });
    for r in futures::future::join_all(writes).await {
        r.unwrap();
    }
    let mut tokens = Vec::new();
    for n in 0..40 {
        let (_, token) = tandem::admin::add_officer(
            ts.store.as_ref(),
            &format!("Console {n}"),
            Role::Observer,
            Centre::Ben,
            None,
        )
        .await
        .unwrap();
        tokens.push(token);
    }
    // Every console opens ten streams from seq 0 and never reads them.
    let mut open = Vec::new();
    let mut refused = 0;
    for token in &tokens {
        let client = Client::new(&ts.url, token).unwrap();
        for _ in 0..10 {
            match client.events(0).await {
                Ok(s) => open.push(s),
                Err(ClientError::Problem(p)) => {
                    assert_eq!(p.status, 429, "{p}");
                    refused += 1;
                }
                Err(e) => panic!("{e}"),
            }
        }
    }
    assert_eq!(open.len(), 40 * 8, "eight streams per officer");
    assert_eq!(refused, 40 * 2);

    // Meanwhile health checks and writes go through promptly.
    let duty = ts.client(Role::DutyOfficer);
    for i in 0..20 {
        healthy(&ts.url).await;
        let asked = Instant::now();
        tokio::time::timeout(
            PROMPT,
            duty.create_incident(&new_key(), &common::new_incident(&format!("during {i}"))),
        )
        .await
        .expect("a write waited on the storm")
        .unwrap();
        println!("write answered in {:?}", asked.elapsed());
    }
    // A stream given up frees its place.
    drop(open.pop());
    let last = Client::new(&ts.url, tokens.last().unwrap()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match last.events(0).await {
            Ok(_) => break,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(e) => panic!("a closed stream's place was not freed: {e}"),
        }
    }
    // And one that reads gets the whole log, in order.
    let mut reader = ts.client(Role::Supervisor).events(0).await.unwrap();
    let head = ts.head().await;
    for seq in 1..=head {
        let e = tokio::time::timeout(Duration::from_secs(30), reader.next_event())
            .await
            .expect("the replay stalled")
            .unwrap()
            .unwrap();
        assert_eq!(e.seq, seq);
    }
}
