//! The disk under the database fills up: writes are refused with 507
//! problem+json, nothing acknowledged is lost, and once space returns the
//! same server writes again by itself.
//!
//! The database lives on a small tmpfs the test mounts, so this needs root
//! (as in CI); elsewhere it is skipped with the reason printed.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use tandem::client::{Client, ClientError, new_key};

/// A tmpfs mounted for the test, unmounted however the test ends.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Result<Tmpfs, String> {
        std::fs::create_dir_all(at).map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
        }
        Ok(Tmpfs(at.to_path_buf()))
    }

    fn resize(&self, size: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(ok.success(), "remount failed");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_with_507_and_recovers_when_space_returns() {
    let dir = tempfile::tempdir().unwrap();
    let disk = match Tmpfs::mount(&dir.path().join("disk"), "3m") {
        Ok(d) => d,
        Err(why) => {
            eprintln!("SKIPPED: cannot mount a small tmpfs for the database ({why}); run as root");
            return;
        }
    };
    let db = disk.0.join("tandem.db").display().to_string();
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
    let (mut server, url) = common::serve_binary(&db);
    let client = Client::new(&url, &token).unwrap();

    // Report until the disk is full.
    let padding = "Convoy of tanker trucks sighted moving off-road. ".repeat(150);
    let mut acked = Vec::new();
    let mut refusals = Vec::new();
    for i in 0..5000 {
        let mut new = common::new_incident(&format!("filling report {i}"));
        new.description = padding.clone();
        match client.create_incident(&new_key(), &new).await {
            Ok(inc) => acked.push(inc.id),
            Err(ClientError::Problem(p)) => {
                refusals.push(p);
                if refusals.len() >= 5 {
                    break;
                }
            }
            Err(e) => panic!("the server stopped answering: {e}"),
        }
    }
    assert!(
        !acked.is_empty(),
        "nothing was written before the disk filled"
    );
    assert!(!refusals.is_empty(), "the disk never filled");
    for p in &refusals {
        assert!(
            p.status == 507 || p.status == 503,
            "a full disk answered {}: {}",
            p.status,
            p.detail
        );
        assert!(p.detail.contains("error id"), "{}", p.detail);
    }
    assert!(
        refusals
            .iter()
            .any(|p| p.status == 507 && p.detail.contains("disk is full")),
        "no refusal said the disk is full: {refusals:?}"
    );
    // Reads go on meanwhile.
    client.incident(acked[0]).await.unwrap();

    // Space returns: the same server writes again, by itself.
    disk.resize("64m");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match client
            .create_incident(
                &new_key(),
                &common::new_incident("after the disk was freed"),
            )
            .await
        {
            Ok(inc) => {
                acked.push(inc.id);
                break;
            }
            Err(e) if Instant::now() < deadline => {
                eprintln!("not yet: {e}");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => panic!("writes did not recover after space returned: {e}"),
        }
    }

    // Nothing acknowledged was lost, across a hard restart too.
    server.kill().unwrap();
    server.wait().unwrap();
    let (mut server, url) = common::serve_binary(&db);
    let client = Client::new(&url, &token).unwrap();
    for id in &acked {
        client
            .incident(*id)
            .await
            .unwrap_or_else(|e| panic!("acknowledged {id} lost: {e}"));
    }
    let report = client.verify().await.unwrap();
    assert!(report.ok, "{report:?}");
    println!(
        "disk full after {} writes; {} refusals ({:?}); recovered",
        acked.len() - 1,
        refusals.len(),
        refusals.iter().map(|p| p.status).collect::<Vec<_>>()
    );
    server.kill().unwrap();
    server.wait().unwrap();
}
