//! End to end with the real binary in a real terminal (tmux): `tandem demo`,
//! triage by keys, then the HTTP API must show what that officer did.

use std::process::Command;
use std::time::{Duration, Instant};

use tandem::client::{Client, new_key};
use tandem::model::{IncidentStatus, Severity};

const BIN: &str = env!("CARGO_BIN_EXE_tandem");

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux is installed (.ci/run installs it)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", "e2e", k]);
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn text(&self, text: &str) {
        self.run(&["send-keys", "-t", "e2e", "-l", text]);
        std::thread::sleep(Duration::from_millis(150));
    }

    fn wait_for(&self, what: &str, timeout: Duration) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(
                start.elapsed() < timeout,
                "`{what}` did not appear within {timeout:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn triage_by_keys_in_the_real_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let tmux = Tmux {
        socket: format!("tandem-e2e-{}", std::process::id()),
    };
    // The console keeps its cache, outbox and log under XDG dirs: keep them in the test's dir.
    let cmd = format!(
        "env XDG_DATA_HOME={d} XDG_CONFIG_HOME={d} {BIN} demo --fresh --speed 0.1 --dir {d} --listen 127.0.0.1:{port}",
        d = dir.path().display()
    );
    tmux.run(&[
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "40",
        "-s",
        "e2e",
        &cmd,
    ]);
    tmux.wait_for("LIVE", Duration::from_secs(90));
    tmux.wait_for("Incident feed", Duration::from_secs(60));
    let creds: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("demo-officers.json")).unwrap())
            .unwrap();
    let client = Client::new(&url, creds["duty"].as_str().unwrap()).unwrap();
    let me = client.me().await.unwrap();

    // The test's own target, reported through the API: it shows on the screen.
    let tag = new_key()[..8].to_string();
    let title = format!("E2E armed group seen {tag}");
    let new = tandem::api::NewIncident {
        title: title.clone(),
        category: tandem::model::Category::ArmedIncursion,
        severity: Severity::Critical,
        location: tandem::model::Location {
            lat: 22.79,
            lon: 14.02,
            sector: Some("Tummo".into()),
            crossing: Some("Tummo".into()),
        },
        description: String::new(),
        source: None,
        occurred_at: None,
        centre: None,
        lead_agency_id: None,
        supporting_agency_ids: vec![],
        tags: vec![],
    };
    let created = client.create_incident(&new_key(), &new).await.unwrap();
    tmux.wait_for(&created.reference, Duration::from_secs(60));

    // Filter down to it, so the keys act on it and nothing else.
    tmux.keys(&["/"]);
    tmux.text(&tag);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("1 shown", Duration::from_secs(60));
    let row = screen
        .lines()
        .find(|l| l.contains('▶'))
        .expect("a selected row");
    assert!(row.contains(&created.reference), "{row}");

    let note = "Patrol LBG-W-01 dispatched, ETA 20 min";
    tmux.keys(&["a", "2", "i"]);
    tmux.text(note);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("done: note on", Duration::from_secs(60));
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
    tmux.keys(&["q"]);
}
