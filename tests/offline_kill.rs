//! Kills during replay: the server SIGKILLed while the outbox drains, and the
//! console process itself SIGKILLed with a full outbox (real binary, in a pseudo-terminal).

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::pty::Terminal;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tandem::bench::proxy::Proxy;
use tandem::client::mirror::Mirror;
use tandem::client::{Client, new_key};
use tandem::console::action::{Action, Link};
use tandem::console::app::App;
use tandem::console::config::Config;
use tandem::console::engine::Engine;
use tandem::model::Role;

const BIN: &str = env!("CARGO_BIN_EXE_tandem");

fn serve(db: &str, port: u16) -> Child {
    let child = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database",
            db,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
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

async fn command(engine: &mut Engine, line: &str) {
    for c in std::iter::once(':').chain(line.chars()) {
        engine
            .handle(Action::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )))
            .await
            .unwrap();
    }
    engine
        .handle(Action::Key(KeyEvent::new(
            KeyCode::Enter,
            KeyModifiers::NONE,
        )))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_sigkilled_during_replay_still_applies_each_action_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db").display().to_string();
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
    let port = common::free_port();
    let url = format!("http://127.0.0.1:{port}");
    let mut server = serve(&db, port);
    let client = Client::new(&url, &token).unwrap();
    let inc = client
        .create_incident(&new_key(), &common::new_incident("Weapons cache near Ghat"))
        .await
        .unwrap();

    let config = Config {
        server: url.clone(),
        token: Some(token.clone()),
        bell: false,
        ..Config::default()
    };
    let mut engine = Engine::start(&config, &dir.path().join("console"))
        .await
        .unwrap();
    pump_until(&mut engine, "go live", 20, |a| {
        a.ctx.link == Link::Live && a.ctx.synced
    })
    .await;

    server.kill().unwrap();
    server.wait().unwrap();
    pump_until(&mut engine, "notice the server is gone", 20, |a| {
        a.ctx.link != Link::Live
    })
    .await;
    for n in 1..=100 {
        command(&mut engine, &format!("note replay {n:03}")).await;
    }
    assert_eq!(engine.app.ctx.pending(), 100);

    let mut server = serve(&db, port);
    pump_until(&mut engine, "start replaying", 60, |a| {
        a.ctx.pending() <= 70
    })
    .await;
    server.kill().unwrap(); // in the middle of the replay
    server.wait().unwrap();
    // What the dead server had written, read from its file: the kill must
    // have come mid-replay for the test to mean anything.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{db}"))
        .await
        .unwrap();
    let written: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notes")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert!(
        (1..100).contains(&written),
        "the kill came after {written} of 100 notes, not during the replay"
    );
    let mut server = serve(&db, port);
    pump_until(&mut engine, "drain the outbox", 90, |a| {
        a.ctx.outbox.is_empty()
    })
    .await;

    let detail = client.incident(inc.id).await.unwrap();
    let notes: Vec<String> = detail.notes.iter().map(|n| n.text.clone()).collect();
    let expected: Vec<String> = (1..=100).map(|n| format!("replay {n:03}")).collect();
    assert_eq!(
        notes, expected,
        "each once, in order, across a server SIGKILL"
    );
    assert!(client.verify().await.unwrap().ok);
    let now = Mirror::from_snapshot(client.snapshot().await.unwrap());
    pump_until(&mut engine, "catch up", 30, |a| a.ctx.mirror.seq >= now.seq).await;
    assert_eq!(engine.app.ctx.mirror, now);
    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_sigkilled_with_a_full_outbox_replays_after_restart() {
    let ts = common::TestServer::start().await;
    let proxy = Proxy::start(ts.url.trim_start_matches("http://").parse().unwrap())
        .await
        .unwrap();
    let inc = ts.incident("Tankers south of Zuwara").await;
    let dir = tempfile::tempdir().unwrap();
    let server = proxy.url();
    let token = ts.token(Role::DutyOfficer);
    let args = ["console", "--server", &server, "--token", token];
    let mut term = Terminal::start(&args, dir.path(), 120, 40);
    term.wait_for("LIVE", 60);
    term.wait_for("TRP-", 60);

    // Link cut: the officer keeps working, by keys, in the real terminal.
    proxy.cut();
    term.wait_for("OFFLINE", 60);
    for n in 1..=5 {
        term.keys(&[":"]);
        term.text(&format!("note from the field {n}"));
        term.keys(&["Enter"]);
    }
    term.wait_for("outbox 5", 60);

    // SIGKILL the console process itself.
    term.kill_9();
    drop(term);

    // Restarted, still cut off: the outbox is still there.
    let mut term = Terminal::start(&args, dir.path(), 120, 40);
    term.wait_for("outbox 5", 60);
    proxy.restore();
    term.wait_for("outbox 0", 60);

    let detail = ts.client(Role::Observer).incident(inc.id).await.unwrap();
    let notes: Vec<String> = detail.notes.iter().map(|n| n.text.clone()).collect();
    // Typed as `:note from the field N`: the command, then the text.
    let expected: Vec<String> = (1..=5).map(|n| format!("from the field {n}")).collect();
    assert_eq!(
        notes, expected,
        "replayed once each, in order, after the console was killed"
    );
    term.keys(&["q"]);
}
