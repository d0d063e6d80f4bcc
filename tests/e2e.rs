//! End to end with the real binary in a pseudo-terminal: `tandem demo`,
//! triage by keys, then the HTTP API must show what that officer did; the
//! terminal itself (resizes, mouse capture, leaving it as it was found).

mod common;

use common::pty::Terminal;
use tandem::client::{Client, new_key};
use tandem::model::{IncidentStatus, Severity};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `tandem demo --fresh` in a pseudo-terminal of `w`×`h`, on a port of its own.
fn demo(w: u16, h: u16) -> (tempfile::TempDir, String, Terminal) {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let d = dir.path().to_str().unwrap();
    let term = Terminal::start(
        &[
            "demo", "--fresh", "--speed", "0.1", "--dir", d, "--listen", &listen,
        ],
        dir.path(),
        w,
        h,
    );
    (dir, format!("http://{listen}"), term)
}

/// An API client as the demo's duty officer (the console's own account).
fn duty(dir: &tempfile::TempDir, url: &str) -> Client {
    let creds: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("demo-officers.json")).unwrap())
            .unwrap();
    Client::new(url, creds["duty"].as_str().unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn triage_by_keys_in_the_real_terminal() {
    let (dir, url, mut term) = demo(120, 40);
    term.wait_for("LIVE", 90);
    term.wait_for("Incident feed", 60);
    let client = duty(&dir, &url);
    let me = client.me().await.unwrap();

    // The test's own target, reported through the API: it shows on the screen.
    let tag = new_key()[..8].to_string();
    let title = format!("E2E armed group seen {tag}");
    let mut new = common::new_incident(&title);
    new.category = tandem::model::Category::ArmedIncursion;
    new.severity = Severity::Critical;
    new.location = tandem::model::Location {
        lat: 22.79,
        lon: 14.02,
        sector: Some("Tummo".into()),
        crossing: Some("Tummo".into()),
    };
    let created = client.create_incident(&new_key(), &new).await.unwrap();
    term.wait_for(&created.reference, 60);

    // Filter down to it, so the keys act on it and nothing else.
    term.keys(&["/"]);
    term.text(&tag);
    term.keys(&["Enter"]);
    let screen = term.wait_for("1 shown", 60);
    let row = screen
        .lines()
        .find(|l| l.contains('▶'))
        .expect("a selected row");
    assert!(row.contains(&created.reference), "{row}");

    let note = "Patrol LBG-W-01 dispatched, ETA 20 min";
    term.keys(&["a", "2", "i"]);
    term.text(note);
    term.keys(&["Enter"]);
    let screen = term.wait_for("done: note on", 60);
    // Logs go to the log file, never to the terminal.
    for line in screen.lines() {
        assert!(
            !line.contains(" INFO ") && !line.contains(" WARN ") && !line.contains("tandem::"),
            "a log line on the screen: {line}"
        );
    }
    assert!(
        dir.path().join("tandem/console.log").exists(),
        "the console's log file is missing"
    );

    // What the server says, through the API, as the same officer.
    let detail = client.incident(created.id).await.unwrap();
    assert_eq!(
        detail.incident.status,
        IncidentStatus::Acknowledged,
        "acknowledged by keys"
    );
    assert!(detail.incident.acknowledged_at.is_some());
    assert_eq!(
        detail.incident.severity,
        Severity::High,
        "severity set by keys"
    );
    assert!(
        detail
            .notes
            .iter()
            .any(|n| n.text == note && n.author == me.id),
        "note by this officer: {:?}",
        detail.notes
    );
    let by_me: Vec<_> = detail
        .timeline
        .iter()
        .filter(|e| e.actor == me.id.to_string())
        .collect();
    assert_eq!(
        by_me.len(),
        4,
        "report, ack, severity and note by {}: {by_me:?}",
        me.name
    );

    // The window shrinks below 80×24, then grows again: no panic, and the
    // console says what it needs, then draws again.
    term.resize(60, 20);
    term.wait_for("too small", 30);
    term.resize(200, 60);
    term.wait_for("Agency roster", 30);

    // Mouse capture is on by default (and off with `mouse = false`, below).
    let raw = term.raw();
    assert!(
        contains(&raw, b"\x1b[?1000h"),
        "mouse capture was not turned on"
    );

    // q leaves the terminal as it was found: alternate screen left, capture off, exit 0.
    term.keys(&["q"]);
    let status = term.wait_exit(30);
    assert!(status.success(), "{status:?}");
    let raw = term.raw();
    assert!(
        contains(&raw, b"\x1b[?1049l"),
        "the alternate screen was not left"
    );
    assert!(
        contains(&raw, b"\x1b[?1000l"),
        "mouse capture was not turned off"
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn mouse_capture_stays_off_when_the_config_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("console.toml");
    std::fs::write(
        &config,
        "server = \"http://127.0.0.1:9\"\ntoken = \"no-such-token\"\nmouse = false\n",
    )
    .unwrap();
    let mut term = Terminal::start(
        &["console", "--config", config.to_str().unwrap()],
        dir.path(),
        100,
        30,
    );
    term.wait_for("TANDEM", 30);
    term.keys(&["C-c"]);
    let status = term.wait_exit(30);
    assert!(status.success(), "{status:?}");
    assert!(
        !contains(&term.raw(), b"\x1b[?1000h"),
        "mouse capture turned on"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_duty_screens_in_the_real_terminal() {
    let (dir, url, mut term) = demo(140, 40);
    term.wait_for("LIVE", 90);
    // The queue arrives on the stream: the header counts it.
    term.wait_for("ATTENTION", 60);
    term.keys(&["!"]);
    let screen = term.wait_for("HANDOVER", 30);
    let top = screen
        .lines()
        .find(|l| l.contains('▶'))
        .expect("a selected item");
    assert!(top.contains("handed over the shift"), "{top}");
    // Enter on the handover: the shift screen, then acknowledge it.
    term.keys(&["Enter"]);
    term.wait_for("Last handover at TRP", 30);
    term.keys(&[":"]);
    term.text("ack-handover");
    term.keys(&["Enter"]);
    term.wait_for("acknowledged —", 30);
    // Start a shift, then end it through the handover dialog.
    term.keys(&[":"]);
    term.text("shift start");
    term.keys(&["Enter"]);
    term.wait_for("on duty at TRP as duty officer", 30);
    term.keys(&[":"]);
    term.text("shift end");
    term.keys(&["Enter"]);
    term.wait_for("as it stands: open:", 30);
    term.text("E2E quiet at Ras Ajdir");
    term.keys(&["Enter"]);
    term.wait_for("shift ended; handover not yet acknowledged", 30);

    // What the server holds, through the API.
    let client = duty(&dir, &url);
    let me = client.me().await.unwrap();
    let ended = client
        .shifts(tandem::model::Centre::Trp, false)
        .await
        .unwrap();
    let mine = ended.iter().find(|s| s.officer_id == me.id).unwrap();
    assert_eq!(
        mine.handover_note.as_deref(),
        Some("E2E quiet at Ras Ajdir")
    );
    assert!(
        ended
            .iter()
            .any(|s| s.officer_id != me.id && s.acknowledged_by == Some(me.id)),
        "the waiting handover was acknowledged by this officer"
    );
    term.keys(&["q"]);
    term.wait_exit(30);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_map_in_the_real_terminal() {
    let (dir, url, mut term) = demo(140, 40);
    term.wait_for("LIVE", 90);
    let client = duty(&dir, &url);
    let me = client.me().await.unwrap();
    // Reported at Zuwara's coordinates with no sector: the server names it.
    let tag = new_key()[..8].to_string();
    let mut new = common::new_incident(&format!("E2E boat off the beach {tag}"));
    new.category = tandem::model::Category::IrregularMigration;
    new.location = tandem::model::Location {
        lat: 32.9327858,
        lon: 12.0806069,
        sector: None,
        crossing: None,
    };
    let created = client.create_incident(&new_key(), &new).await.unwrap();
    assert_eq!(created.location.sector.as_deref(), Some("Zuwara"));
    term.wait_for(&created.reference, 60);
    term.keys(&["/"]);
    term.text(&tag);
    term.keys(&["Enter"]);
    term.wait_for("1 shown", 60);

    // The map, the feed's filter applied: Tab selects the one incident in view.
    term.keys(&["v"]);
    term.wait_for("Natural Earth", 30);
    term.wait_for("1 open shown", 30);
    term.keys(&["Tab"]);
    let screen = term.wait_for("Selected", 30);
    assert!(screen.contains(&created.reference), "{screen}");
    assert!(screen.contains("irregular migration · Zuwara"), "{screen}");
    // Enter: its detail; Esc: back on the map; `a` acknowledges the selection.
    term.keys(&["Enter"]);
    term.wait_for("Timeline", 30);
    term.keys(&["Esc"]);
    term.wait_for("1 open shown", 30);
    term.keys(&["a"]);
    let mut acked = false;
    for _ in 0..100 {
        let d = client.incident(created.id).await.unwrap();
        if d.incident.status == IncidentStatus::Acknowledged {
            assert!(d.timeline.iter().any(|e| e.actor == me.id.to_string()
                && e.kind == tandem::model::EventKind::IncidentUpdated));
            acked = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(acked, "acknowledged from the map");
    term.keys(&["Esc", "q"]);
    term.wait_exit(30);
}
