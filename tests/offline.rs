//! Working through a broken link: a proxy of the test's own sits between the
//! console engine and the real server and cuts the link at will. Each scenario
//! ends by comparing the console's state with the server's snapshot and
//! counting events. The console is driven through the same action/update path
//! the keys use.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::TestServer;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tandem::bench::proxy::Proxy;
use tandem::client::mirror::Mirror;
use tandem::client::{Client, new_key};
use tandem::console::action::{Action, Link};
use tandem::console::app::App;
use tandem::console::config::Config;
use tandem::console::engine::Engine;
use tandem::model::{IncidentStatus, Role, Severity};

fn addr(url: &str) -> SocketAddr {
    url.trim_start_matches("http://").parse().unwrap()
}

fn config(server: &str, token: &str) -> Config {
    Config {
        server: server.into(),
        token: Some(token.into()),
        bell: false,
        ..Config::default()
    }
}

async fn pump_until(engine: &mut Engine, what: &str, secs: u64, done: impl Fn(&App) -> bool) {
    let held = engine
        .run_until(Duration::from_secs(secs), done)
        .await
        .unwrap();
    assert!(
        held,
        "{what}: not within {secs} s (link {:?}, pending {})",
        engine.app.ctx.link,
        engine.app.ctx.pending()
    );
}

async fn key(engine: &mut Engine, code: KeyCode) {
    engine
        .handle(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
        .await
        .unwrap();
}

async fn typed(engine: &mut Engine, text: &str) {
    for c in text.chars() {
        key(engine, KeyCode::Char(c)).await;
    }
}

async fn command(engine: &mut Engine, line: &str) {
    key(engine, KeyCode::Char(':')).await;
    typed(engine, line).await;
    key(engine, KeyCode::Enter).await;
}

/// The console's state equals the server's snapshot once it has caught up.
async fn assert_converged(engine: &mut Engine, client: &Client) {
    let now = Mirror::from_snapshot(client.snapshot().await.unwrap());
    pump_until(engine, "catch up to the server", 20, |a| {
        a.ctx.mirror.seq >= now.seq
    })
    .await;
    assert_eq!(
        engine.app.ctx.mirror, now,
        "console state differs from the server's snapshot"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_cut_fifty_actions_queued_then_applied_once_in_order() {
    let ts = TestServer::start().await;
    let proxy = Proxy::start(addr(&ts.url)).await.unwrap();
    let inc = ts.incident("Fuel convoy at Ras Ajdir").await;
    let dir = tempfile::tempdir().unwrap();
    let mut engine = Engine::start(
        &config(&proxy.url(), ts.token(Role::DutyOfficer)),
        dir.path(),
    )
    .await
    .unwrap();
    pump_until(&mut engine, "go live", 20, |a| {
        a.ctx.link == Link::Live && a.ctx.synced
    })
    .await;
    assert_eq!(engine.app.feed.selected, Some(inc.id));

    proxy.cut();
    pump_until(&mut engine, "notice the cut", 20, |a| {
        a.ctx.link != Link::Live
    })
    .await;
    key(&mut engine, KeyCode::Char('a')).await;
    for n in 1..=48 {
        command(&mut engine, &format!("note offline {n:02}")).await;
    }
    key(&mut engine, KeyCode::Char('1')).await;
    assert_eq!(engine.app.ctx.pending(), 50);
    let shown = engine.app.ctx.incident(&inc.id).unwrap();
    assert_eq!(
        (shown.status, shown.severity),
        (IncidentStatus::Acknowledged, Severity::Critical),
        "applied optimistically"
    );

    let before = ts.head().await;
    proxy.restore();
    pump_until(&mut engine, "drain the outbox", 60, |a| {
        a.ctx.outbox.is_empty()
    })
    .await;
    assert_eq!(ts.head().await, before + 50, "each action exactly once");
    let client = ts.client(Role::DutyOfficer);
    let detail = client.incident(inc.id).await.unwrap();
    let notes: Vec<String> = detail.notes.iter().map(|n| n.text.clone()).collect();
    let expected: Vec<String> = (1..=48).map(|n| format!("offline {n:02}")).collect();
    assert_eq!(notes, expected, "in order, no duplicate");
    assert_eq!(
        (detail.incident.status, detail.incident.severity),
        (IncidentStatus::Acknowledged, Severity::Critical)
    );
    assert_converged(&mut engine, &client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_officers_one_offline_get_a_visible_conflict_and_lose_nothing() {
    let ts = TestServer::start().await;
    let proxy = Proxy::start(addr(&ts.url)).await.unwrap();
    let inc = ts.incident("Boat off Sabratha").await;
    let dir = tempfile::tempdir().unwrap();
    let mut engine = Engine::start(
        &config(&proxy.url(), ts.token(Role::DutyOfficer)),
        dir.path(),
    )
    .await
    .unwrap();
    pump_until(&mut engine, "go live", 20, |a| {
        a.ctx.link == Link::Live && a.ctx.synced
    })
    .await;

    proxy.cut();
    pump_until(&mut engine, "notice the cut", 20, |a| {
        a.ctx.link != Link::Live
    })
    .await;
    key(&mut engine, KeyCode::Char('1')).await; // offline officer: critical
    let supervisor = ts.client(Role::Supervisor);
    let patch = tandem::api::IncidentPatch {
        severity: Some(Severity::Low),
        ..Default::default()
    };
    supervisor
        .patch_incident(&new_key(), inc.id, inc.version, &patch)
        .await
        .unwrap();

    proxy.restore();
    pump_until(&mut engine, "surface the conflict", 30, |a| {
        a.ctx.troubles() == 1
    })
    .await;
    assert!(
        engine
            .app
            .ctx
            .messages
            .iter()
            .any(|m| m.text.contains("CONFLICT"))
    );
    // Neither change is lost: the supervisor's is on the server, the officer's waits in the outbox.
    let server = supervisor.incident(inc.id).await.unwrap().incident;
    assert_eq!(server.severity, Severity::Low);
    assert_eq!(engine.app.ctx.outbox.len(), 1);
    // The officer re-applies on the current version, explicitly.
    key(&mut engine, KeyCode::Char('o')).await;
    key(&mut engine, KeyCode::Char('r')).await;
    key(&mut engine, KeyCode::Right).await;
    key(&mut engine, KeyCode::Enter).await;
    pump_until(&mut engine, "deliver the re-applied change", 30, |a| {
        a.ctx.outbox.is_empty()
    })
    .await;
    let detail = supervisor.incident(inc.id).await.unwrap();
    assert_eq!(detail.incident.severity, Severity::Critical);
    let severities: Vec<Severity> = detail
        .timeline
        .iter()
        .filter_map(|e| e.entity::<tandem::model::Incident>().ok())
        .map(|i| i.severity)
        .collect();
    assert_eq!(
        severities,
        vec![Severity::High, Severity::Low, Severity::Critical],
        "both changes are in the record"
    );
    assert_converged(&mut engine, &supervisor).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sse_chopped_mid_event_under_load_has_no_gap_and_no_duplicate() {
    let ts = TestServer::start().await;
    let proxy = Proxy::start(addr(&ts.url)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut engine = Engine::start(&config(&proxy.url(), ts.token(Role::Observer)), dir.path())
        .await
        .unwrap();
    pump_until(&mut engine, "go live", 20, |a| {
        a.ctx.link == Link::Live && a.ctx.synced
    })
    .await;
    let start = ts.head().await;
    // From now on every stream through the proxy breaks after ~3 events, mid-event.
    proxy.chop_after(3_500);
    let mut writers = Vec::new();
    for w in 0..6 {
        let c = ts.client(Role::DutyOfficer);
        writers.push(tokio::spawn(async move {
            for i in 0..50 {
                c.create_incident(&new_key(), &common::new_incident(&format!("load {w}/{i}")))
                    .await
                    .unwrap();
            }
        }));
    }
    // A raw subscriber through the same chopping proxy: every seq exactly once, in order.
    let raw = Client::new(&proxy.url(), ts.token(Role::Observer)).unwrap();
    let target = start + 300;
    let mut last = start;
    let mut reconnects = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    while last < target {
        assert!(Instant::now() < deadline, "stuck at seq {last}");
        if let Ok(mut s) = raw.events(last).await {
            reconnects += 1;
            while let Ok(Some(Ok(e))) =
                tokio::time::timeout(Duration::from_secs(2), s.next_event()).await
            {
                assert_eq!(e.seq, last + 1, "gap or duplicate");
                last = e.seq;
            }
        }
        // Keep the engine moving meanwhile.
        engine.step_for(Duration::from_millis(1)).await.unwrap();
    }
    for w in writers {
        w.await.unwrap();
    }
    assert!(
        reconnects > 10,
        "the proxy did not chop the stream ({reconnects} connections)"
    );
    pump_until(
        &mut engine,
        "console catches up through the chopped link",
        60,
        |a| a.ctx.mirror.seq >= target,
    )
    .await;
    assert!(
        !engine
            .app
            .ctx
            .messages
            .iter()
            .any(|m| m.text.contains("resync needed")),
        "the console saw a gap"
    );
    proxy.chop_after(0);
    assert_converged(&mut engine, &ts.client(Role::Observer)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn started_with_the_server_down_it_opens_from_cache_then_catches_up_incrementally() {
    let ts = TestServer::start().await;
    let proxy = Proxy::start(addr(&ts.url)).await.unwrap();
    ts.incident("Seen before the outage").await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&proxy.url(), ts.token(Role::DutyOfficer));
    {
        let mut first = Engine::start(&cfg, dir.path()).await.unwrap();
        pump_until(&mut first, "go live", 20, |a| {
            a.ctx.link == Link::Live && a.ctx.synced
        })
        .await;
        first.save_cache();
    }
    proxy.cut();
    for i in 0..40 {
        ts.incident(&format!("during the outage {i}")).await;
    }
    let snapshots_before = proxy.snapshots();
    let mut engine = Engine::start(&cfg, dir.path()).await.unwrap();
    // At once — before any action from the network is handled — from the
    // cache, and unmistakably offline.
    assert!(engine.app.ctx.synced);
    assert!(matches!(engine.app.ctx.link, Link::Offline { .. }));
    assert!(!engine.app.feed.index.is_empty());
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 30)).unwrap();
    t.draw(|f| tandem::console::view::draw(f, &engine.app))
        .unwrap();
    let screen: String = t
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("OFFLINE since"), "no OFFLINE banner");
    let bytes_before = proxy.bytes_to_client();
    proxy.restore();
    pump_until(&mut engine, "go live", 30, |a| a.ctx.link == Link::Live).await;
    assert_converged(&mut engine, &ts.client(Role::DutyOfficer)).await;
    assert_eq!(
        proxy.snapshots(),
        snapshots_before,
        "the console resumed from its cursor: no new snapshot"
    );
    assert!(proxy.bytes_to_client() > bytes_before);
}

#[tokio::test]
async fn a_snapshot_cut_mid_body_is_a_link_failure_and_the_next_one_decodes_whole() {
    let ts = TestServer::start().await;
    for i in 0..40 {
        ts.incident(&format!("history {i}")).await;
    }
    let proxy = Proxy::start(addr(&ts.url)).await.unwrap();
    let client = Client::new(&proxy.url(), ts.token(Role::Observer)).unwrap();
    // The snapshot is decoded as it streams in; cut it a few kilobytes in.
    proxy.chop_after(4_000);
    let err = client
        .snapshot()
        .await
        .expect_err("a cut body must not decode");
    assert!(
        err.is_transient(),
        "a cut link is retried, not reported as bad data: {err}"
    );
    proxy.chop_after(0);
    let whole = client.snapshot().await.unwrap();
    assert_eq!(whole.seq, ts.head().await);
    assert_eq!(whole.incidents.len(), 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_too_far_behind_is_410_and_the_console_takes_a_new_snapshot() {
    let ts = TestServer::start_with(tandem::server::Settings {
        max_replay: 5,
        ..Default::default()
    })
    .await;
    let proxy = Proxy::start(addr(&ts.url)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&proxy.url(), ts.token(Role::DutyOfficer));
    let cached_seq = {
        let mut first = Engine::start(&cfg, dir.path()).await.unwrap();
        pump_until(&mut first, "go live", 20, |a| {
            a.ctx.link == Link::Live && a.ctx.synced
        })
        .await;
        first.app.ctx.mirror.seq
    };
    for i in 0..10 {
        ts.incident(&format!("while the console was closed {i}"))
            .await;
    }
    // More than the replay limit behind: the server will not replay it.
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/events?after={cached_seq}", ts.url))
        .bearer_auth(ts.token(Role::Observer))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 410);
    assert_eq!(res.headers()["content-type"], "application/problem+json");

    let snapshots = proxy.snapshots();
    let mut engine = Engine::start(&cfg, dir.path()).await.unwrap();
    assert_eq!(
        engine.app.ctx.mirror.seq, cached_seq,
        "opened from the cache"
    );
    let head = ts.head().await;
    pump_until(&mut engine, "resnapshot and go live", 30, |a| {
        a.ctx.link == Link::Live && a.ctx.mirror.seq >= head
    })
    .await;
    assert_eq!(
        proxy.snapshots(),
        snapshots + 1,
        "one new snapshot after the 410"
    );
    assert_converged(&mut engine, &ts.client(Role::DutyOfficer)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_queued_under_a_replaced_token_are_sent_with_the_new_one() {
    let ts = TestServer::start().await;
    let proxy = Proxy::start(addr(&ts.url)).await.unwrap();
    let inc = ts.incident("Boat off Zuwara").await;
    let dir = tempfile::tempdir().unwrap();
    let old = ts.token(Role::DutyOfficer).to_string();
    {
        let mut first = Engine::start(&config(&proxy.url(), &old), dir.path())
            .await
            .unwrap();
        pump_until(&mut first, "go live", 20, |a| {
            a.ctx.link == Link::Live && a.ctx.synced
        })
        .await;
        proxy.cut();
        pump_until(&mut first, "notice the cut", 20, |a| {
            a.ctx.link != Link::Live
        })
        .await;
        command(&mut first, "note written as the shift ended").await;
        assert_eq!(first.app.ctx.pending(), 1);
    }
    // The next shift: a new token, the old one revoked.
    let officer = ts.officer(Role::DutyOfficer).id.to_string();
    let (new, _) = tandem::admin::issue_token(ts.store.as_ref(), &officer, None, true)
        .await
        .unwrap();
    proxy.restore();
    let mut engine = Engine::start(&config(&proxy.url(), &new), dir.path())
        .await
        .unwrap();
    pump_until(
        &mut engine,
        "take over and send the earlier change",
        30,
        |a| {
            a.ctx.outbox.is_empty()
                && a.ctx
                    .messages
                    .iter()
                    .any(|m| m.text.contains("queued under an earlier token"))
        },
    )
    .await;
    let notes: Vec<String> = ts
        .client(Role::Observer)
        .incident(inc.id)
        .await
        .unwrap()
        .notes
        .iter()
        .map(|n| n.text.clone())
        .collect();
    assert_eq!(
        notes,
        vec!["written as the shift ended".to_string()],
        "once"
    );
    let sessions = std::fs::read_dir(dir.path().join("sessions"))
        .unwrap()
        .count();
    assert_eq!(
        sessions, 1,
        "the earlier session is removed once taken over"
    );
}
