//! The console never claims more than it knows: failing sends, a silent
//! link and a refused token are each shown as such; keys act only on what
//! the officer can see; and a console killed right after its first sync
//! opens again with that state. The real server, the console engine, and a
//! proxy of the test's own between them.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{TestServer, render};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tandem::bench::proxy::Proxy;
use tandem::client::new_key;
use tandem::console::action::{Action, ApiCall, Link};
use tandem::console::app::App;
use tandem::console::config::Config;
use tandem::console::context::Level;
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
        "{what}: not within {secs} s (link {:?}, sends failing {:?}, messages {:?})",
        engine.app.ctx.link,
        engine.app.ctx.sends_failing,
        engine
            .app
            .ctx
            .messages
            .iter()
            .rev()
            .take(3)
            .collect::<Vec<_>>()
    );
}

async fn key(engine: &mut Engine, c: char) {
    engine
        .handle(Action::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )))
        .await
        .unwrap();
}

fn header(app: &App) -> String {
    render(app, 120, 40)[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_sends_are_shown_with_the_servers_reason_and_the_change_is_kept() {
    let ts = TestServer::start().await;
    let inc = ts.incident("Tanker convoy near Zuwara").await;
    let dir = tempfile::tempdir().unwrap();
    let mut engine = Engine::start(&config(&ts.url, ts.token(Role::DutyOfficer)), dir.path())
        .await
        .unwrap();
    pump_until(&mut engine, "go live", 20, |a| {
        a.ctx.link == Link::Live && a.ctx.synced
    })
    .await;

    // Every write now fails on the server's side, while the stream stays up.
    ts.raw_execute("ALTER TABLE idempotency RENAME TO idempotency_away")
        .await;
    key(&mut engine, 'a').await;
    pump_until(&mut engine, "notice the failing send", 30, |a| {
        a.ctx.sends_failing.is_some()
    })
    .await;
    let top = header(&engine.app);
    assert!(top.contains("LIVE · SENDS FAILING since"), "{top}");
    let said = engine
        .app
        .ctx
        .messages
        .iter()
        .find(|m| m.text.starts_with("sending failed"))
        .expect("no message says the send failed");
    assert_eq!(said.level, Level::Error);
    assert!(
        said.text.contains("error id"),
        "the server's reason: {}",
        said.text
    );
    assert_eq!(
        engine.app.ctx.pending(),
        1,
        "the change stays in the outbox"
    );
    let screen = render(&engine.app, 120, 40).join("\n");
    assert!(screen.contains("kept in the outbox"), "{screen}");

    // The server mends; the same change lands (once), and the header says LIVE again.
    let before = ts.head().await;
    ts.raw_execute("ALTER TABLE idempotency_away RENAME TO idempotency")
        .await;
    pump_until(&mut engine, "deliver after the mend", 30, |a| {
        a.ctx.outbox.is_empty() && a.ctx.sends_failing.is_none()
    })
    .await;
    assert_eq!(ts.head().await, before + 1);
    let now = ts.client(Role::Observer).incident(inc.id).await.unwrap();
    assert_eq!(now.incident.status, IncidentStatus::Acknowledged);
    let top = header(&engine.app);
    assert!(top.contains("LIVE") && !top.contains("FAILING"), "{top}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_link_goes_reconnecting_then_offline_with_rising_tries() {
    let ts = TestServer::start_with(tandem::server::Settings {
        heartbeat: Duration::from_millis(300),
        ..Default::default()
    })
    .await;
    let proxy = Proxy::start(addr(&ts.url)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&proxy.url(), ts.token(Role::DutyOfficer));
    cfg.link_timeout_seconds = 2;
    let mut engine = Engine::start(&cfg, dir.path()).await.unwrap();
    pump_until(&mut engine, "go live", 20, |a| {
        a.ctx.link == Link::Live && a.ctx.synced
    })
    .await;
    // Quiet but alive: heartbeats keep it LIVE past the link timeout.
    tokio::time::sleep(Duration::from_secs(3)).await;
    pump_until(&mut engine, "stay live", 1, |a| a.ctx.link == Link::Live).await;

    // Packets vanish; nothing is reset. Watch every state the link goes through.
    proxy.stall();
    let mut states: Vec<Link> = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    while !matches!(states.last(), Some(Link::Offline { attempt, .. }) if *attempt >= 6) {
        assert!(std::time::Instant::now() < deadline, "stuck at {states:?}");
        engine.step_for(Duration::from_millis(50)).await.unwrap();
        if states.last() != Some(&engine.app.ctx.link) {
            states.push(engine.app.ctx.link.clone());
        }
    }
    let tries: Vec<(bool, u32)> = states
        .iter()
        .filter_map(|l| match l {
            Link::Reconnecting { attempt, .. } => Some((false, *attempt)),
            Link::Offline { attempt, .. } => Some((true, *attempt)),
            _ => None,
        })
        .collect();
    assert_eq!(
        tries,
        vec![
            (false, 1),
            (false, 2),
            (false, 3),
            (true, 4),
            (true, 5),
            (true, 6)
        ],
        "LIVE → RECONNECTING → OFFLINE, each try counted: {states:?}"
    );
    assert!(
        header(&engine.app).contains("OFFLINE since"),
        "{}",
        header(&engine.app)
    );

    proxy.restore();
    pump_until(&mut engine, "come back", 30, |a| a.ctx.link == Link::Live).await;
}

#[tokio::test]
async fn a_refused_token_says_so_on_screen_and_in_the_log_and_keeps_the_outbox() {
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let sink = log.clone();
    let _logging = tracing::subscriber::set_default(
        tracing_subscriber::fmt()
            .with_writer(move || Writer(sink.clone()))
            .with_ansi(false)
            .finish(),
    );
    let ts = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut engine = Engine::start(&config(&ts.url, "deadbeef"), dir.path())
        .await
        .unwrap();
    pump_until(&mut engine, "say the token was refused", 20, |a| {
        matches!(a.ctx.link, Link::TokenRefused { .. })
    })
    .await;
    assert!(
        engine
            .app
            .ctx
            .messages
            .iter()
            .any(|m| m.level == Level::Error
                && m.text
                    .contains("token refused by the server — ask your supervisor")),
        "{:?}",
        engine.app.ctx.messages
    );
    let screen = render(&engine.app, 120, 40);
    assert!(screen[0].contains("TOKEN REFUSED"), "{}", screen[0]);
    assert!(
        screen
            .iter()
            .any(|l| l.contains("ask your supervisor for a new token"))
    );
    // A change made meanwhile is kept, not lost and not hammered at the server.
    engine
        .submit(ApiCall::Note {
            incident: uuid::Uuid::nil(),
            text: "kept".into(),
            what: "note".into(),
        })
        .await
        .unwrap();
    engine
        .run_until(Duration::from_secs(2), |_| false)
        .await
        .unwrap();
    assert_eq!(engine.app.ctx.pending(), 1);
    let logged = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("refused this console's token"), "{logged}");
}

struct Writer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Writer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_act_only_on_a_row_the_officer_can_see() {
    let ts = TestServer::start().await;
    let a = ts.incident("Boat off Sabratha").await;
    let b = ts.incident("Truck at Wazin").await;
    let dir = tempfile::tempdir().unwrap();
    let mut engine = Engine::start(&config(&ts.url, ts.token(Role::DutyOfficer)), dir.path())
        .await
        .unwrap();
    pump_until(&mut engine, "go live", 20, |a| {
        a.ctx.link == Link::Live && a.ctx.synced
    })
    .await;
    engine.app.ctx.size = (120, 40);
    // Only unacknowledged reports.
    key(&mut engine, '/').await;
    for c in "status:reported".chars() {
        key(&mut engine, c).await;
    }
    engine
        .handle(Action::Key(KeyEvent::new(
            KeyCode::Enter,
            KeyModifiers::NONE,
        )))
        .await
        .unwrap();
    let first = engine.app.feed.selected.unwrap();
    let other = if first == a.id { b.clone() } else { a.clone() };
    let first_version = if first == a.id { a.version } else { b.version };

    // Another officer acknowledges the selected one: it leaves the view.
    let sup = ts.client(Role::Supervisor);
    let ack = tandem::api::IncidentPatch {
        status: Some(IncidentStatus::Acknowledged),
        ..Default::default()
    };
    sup.patch_incident(&new_key(), first, first_version, &ack)
        .await
        .unwrap();
    pump_until(&mut engine, "see it leave", 20, |app| {
        app.ctx.mirror.incidents.get(&first).unwrap().status == IncidentStatus::Acknowledged
    })
    .await;
    assert_eq!(
        engine.app.feed.selected,
        Some(other.id),
        "the selection moves to a visible row"
    );
    let screen = render(&engine.app, 120, 40);
    let marked: Vec<&String> = screen.iter().filter(|l| l.contains('▶')).collect();
    assert_eq!(marked.len(), 1);
    assert!(marked[0].contains(&other.reference), "{marked:?}");
    key(&mut engine, '3').await;
    let queued: Vec<uuid::Uuid> = engine
        .app
        .ctx
        .outbox
        .iter()
        .filter_map(|e| e.call.incident())
        .collect();
    assert_eq!(
        queued,
        vec![other.id],
        "the key acted on the visible row only"
    );

    // The last visible row leaves too: nothing is selected, and keys say so.
    pump_until(&mut engine, "deliver the severity", 20, |a| {
        a.ctx.outbox.is_empty()
    })
    .await;
    let version = sup.incident(other.id).await.unwrap().incident.version;
    sup.patch_incident(&new_key(), other.id, version, &ack)
        .await
        .unwrap();
    pump_until(&mut engine, "empty view", 20, |app| {
        app.feed.index.is_empty()
    })
    .await;
    let before = engine.app.ctx.outbox.len();
    key(&mut engine, '2').await;
    assert_eq!(
        engine.app.ctx.outbox.len(),
        before,
        "a key acted on a hidden incident"
    );
    assert_eq!(
        engine.app.ctx.messages.last().unwrap().text,
        "nothing selected"
    );
    assert_eq!(
        engine
            .app
            .ctx
            .mirror
            .incidents
            .get(&first)
            .unwrap()
            .severity,
        Severity::High,
        "the hidden incident was not touched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_killed_right_after_its_first_sync_opens_with_that_state() {
    let ts = TestServer::start().await;
    ts.incident("Seen before the kill").await;
    let proxy = Proxy::start(addr(&ts.url)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&proxy.url(), ts.token(Role::DutyOfficer));
    let mut engine = Engine::start(&cfg, dir.path()).await.unwrap();
    pump_until(&mut engine, "first sync", 20, |a| a.ctx.synced).await;
    let seq = engine.app.ctx.mirror.seq;
    // Killed: no quit, no timer, nothing more written.
    drop(engine);
    proxy.cut();
    let again = Engine::start(&cfg, dir.path()).await.unwrap();
    assert!(again.app.ctx.synced, "opened empty");
    assert_eq!(again.app.ctx.mirror.seq, seq);
    assert!(
        again
            .app
            .ctx
            .mirror
            .incidents
            .values()
            .any(|i| i.title == "Seen before the kill")
    );
    assert!(matches!(again.app.ctx.link, Link::Offline { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_rotated_from_the_console_is_used_and_kept_for_the_next_start() {
    let ts = TestServer::start().await;
    let configured = ts.token(Role::DutyOfficer).to_string();
    let dir = tempfile::tempdir().unwrap();
    let mut engine = Engine::start(&config(&ts.url, &configured), dir.path())
        .await
        .unwrap();
    pump_until(&mut engine, "go live", 20, |a| {
        a.ctx.link == Link::Live && a.ctx.synced
    })
    .await;
    key(&mut engine, ':').await;
    for c in "rotate-token".chars() {
        key(&mut engine, c).await;
    }
    engine
        .handle(Action::Key(KeyEvent::new(
            KeyCode::Enter,
            KeyModifiers::NONE,
        )))
        .await
        .unwrap();
    pump_until(&mut engine, "rotate", 20, |a| {
        a.ctx
            .messages
            .iter()
            .any(|m| m.text.contains("new token in use"))
    })
    .await;
    drop(engine);
    // The configured token ends (as it would at its expiry): a console
    // started on it again signs in with the one it rotated to.
    ts.raw_execute(&format!(
        "UPDATE tokens SET revoked = 1, data = json_set(data, '$.revoked', json('true')) \
         WHERE hash = '{}'",
        tandem::model::officer::token_hash(&configured)
    ))
    .await;
    let mut again = Engine::start(&config(&ts.url, &configured), dir.path())
        .await
        .unwrap();
    pump_until(&mut again, "go live on the kept token", 20, |a| {
        a.ctx.link == Link::Live && a.ctx.synced
    })
    .await;
    // A console without the kept token is refused: the old one is gone.
    let fresh = tempfile::tempdir().unwrap();
    let mut other = Engine::start(&config(&ts.url, &configured), fresh.path())
        .await
        .unwrap();
    pump_until(&mut other, "refuse the old token", 20, |a| {
        matches!(a.ctx.link, Link::TokenRefused { .. })
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_verifies_the_record_it_receives_up_to_a_signed_checkpoint() {
    let signer =
        tandem::model::checkpoint::Signer::from_secret(tandem::model::Centre::Trp, [6; 32]);
    let ts = TestServer::start_with(tandem::server::Settings {
        signer: Some(signer.into()),
        checkpoint_every: Duration::from_millis(300),
        ..Default::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut engine = Engine::start(&config(&ts.url, ts.token(Role::DutyOfficer)), dir.path())
        .await
        .unwrap();
    pump_until(&mut engine, "go live", 20, |a| {
        a.ctx.link == Link::Live && a.ctx.synced
    })
    .await;
    ts.incident("Tanker convoy near Zuwara").await;
    pump_until(&mut engine, "verify a checkpoint", 20, |a| {
        a.ctx.mirror.record.checkpoint.is_some()
    })
    .await;
    assert_eq!(engine.app.ctx.mirror.record.mismatch, None);
    let top = header(&engine.app);
    assert!(top.contains("record ✓ seq"), "{top}");
}
