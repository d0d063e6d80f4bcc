//! SIGKILL of the real server binary during a concurrent write load: every
//! write that got a 2xx is there after restart, and the hash chain verifies.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tandem::client::{Client, new_key};
use tandem::model::{Category, Location, Severity};

const BIN: &str = env!("CARGO_BIN_EXE_tandem");

/// Starts `tandem serve` on port 0 and reads the address it prints.
fn serve(db: &str) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--database", db])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    (child, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_writes_loses_no_acknowledged_write() {
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

    let (mut child, url) = serve(&db);
    let acked = Arc::new(Mutex::new(Vec::new()));
    let mut writers = Vec::new();
    for w in 0..16 {
        let client = Client::new(&url, &token).unwrap();
        let acked = acked.clone();
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let new = tandem::api::NewIncident {
                    title: format!("writer {w} report {i}"),
                    category: Category::IrregularMigration,
                    severity: Severity::Medium,
                    location: Location {
                        lat: 32.93,
                        lon: 12.08,
                        sector: Some("Zuwara".into()),
                        crossing: None,
                    },
                    description: String::new(),
                    source: None,
                    occurred_at: None,
                    centre: None,
                    lead_agency_id: None,
                    supporting_agency_ids: vec![],
                    tags: vec![],
                };
                match client.create_incident(&new_key(), &new).await {
                    Ok(inc) => acked.lock().unwrap().push(inc.id),
                    Err(_) => return, // the server is gone
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 50,
        "the load produced only {} writes",
        acked.len()
    );

    let (mut child, url) = serve(&db);
    let client = Client::new(&url, &token).unwrap();
    for id in &acked {
        client
            .incident(*id)
            .await
            .unwrap_or_else(|e| panic!("acknowledged incident {id} lost: {e}"));
    }
    let report = client.verify().await.unwrap();
    assert!(report.ok, "{report:?}");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn sigterm_finishes_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tandem.db").display().to_string();
    common::bin_admin(&db, &["seed"]);
    let (child, url) = serve(&db);
    let health: serde_json::Value = reqwest::get(format!("{url}/healthz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "exit status {:?}", out.status);
}
