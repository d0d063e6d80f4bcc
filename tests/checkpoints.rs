//! Signed checkpoints on both stores: each centre's server signs the head of
//! the log with its own key (on a timer while the log moves, and when a
//! supervisor asks), the checkpoints are events in the chain, and `audit
//! verify` checks each against the centre's trusted public key.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::TestServer;
use tandem::api::FindingKind;
use tandem::model::checkpoint::{Signer, Trust, public_key};
use tandem::model::{Centre, Role};
use tandem::server::{self, Settings};

fn signer(centre: Centre, seed: u8) -> Signer {
    Signer::from_secret(centre, [seed; 32])
}

fn trust(signers: &[&Signer]) -> Trust {
    Trust(
        signers
            .iter()
            .map(|s| (s.centre, public_key(&s.public_hex()).unwrap()))
            .collect::<HashMap<_, _>>(),
    )
}

async fn post(url: &str, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{url}/api/v1/audit/checkpoints"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_centres_sign_the_head_and_verify_checks_each_signature() {
    let trp = signer(Centre::Trp, 1);
    let ben = signer(Centre::Ben, 2);
    let ts = TestServer::start_with(Settings {
        signer: Some(trp.clone().into()),
        checkpoint_every: Duration::from_millis(200),
        trust: trust(&[&trp, &ben]),
        ..Settings::default()
    })
    .await;
    // Benghazi's instance over the same database, with its own key.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ben_server = server::spawn_with(
        ts.store.clone(),
        listener,
        Settings {
            signer: Some(ben.clone().into()),
            checkpoint_every: Duration::from_secs(3600),
            ..Settings::default()
        },
    )
    .unwrap();
    let ben_url = format!("http://{}", ben_server.addr);
    ts.incident("Tanker convoy near Zuwara").await;
    // The timer signs once the log moved.
    let client = ts.client(Role::Observer);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let first = loop {
        let got: Vec<serde_json::Value> = reqwest::Client::new()
            .get(format!("{}/api/v1/audit/checkpoints", ts.url))
            .bearer_auth(ts.token(Role::Observer))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if let Some(cp) = got.first() {
            break cp.clone();
        }
        assert!(std::time::Instant::now() < deadline, "no checkpoint signed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(first["checkpoint"]["centre"], "TRP");
    let event_seq = first["event_seq"].as_u64().unwrap();
    assert_eq!(first["checkpoint"]["seq"].as_u64().unwrap() + 1, event_seq);
    // A quiet log is not signed again and again.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(ts.head().await, event_seq, "checkpoints of checkpoints");
    // Asked for: a supervisor may, a duty officer may not, a server without a key cannot.
    assert_eq!(
        post(&ts.url, ts.token(Role::DutyOfficer)).await.status(),
        403
    );
    let (_, ben_sup) = tandem::admin::add_officer(
        ts.store.as_ref(),
        "Idris",
        Role::Supervisor,
        Centre::Ben,
        None,
    )
    .await
    .unwrap();
    let res = post(&ben_url, &ben_sup).await;
    assert_eq!(res.status(), 201);
    let cp: serde_json::Value = res.json().await.unwrap();
    assert_eq!(cp["centre"], "BEN");
    let unsigned = TestServer::start().await;
    assert_eq!(
        post(&unsigned.url, unsigned.token(Role::Supervisor))
            .await
            .status(),
        409
    );

    let report = client.verify().await.unwrap();
    assert!(report.ok, "{:?}", report.findings);
    // Without BEN's key in the trust file its checkpoint is a finding; with
    // another key in its place, so is the signature.
    let r = ts.store.verify(&trust(&[&trp])).await.unwrap();
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    assert_eq!(r.findings[0].kind, FindingKind::Checkpoint);
    let impostor = signer(Centre::Ben, 3);
    let r = ts.store.verify(&trust(&[&trp, &impostor])).await.unwrap();
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    assert!(
        r.findings[0].expected.contains("BEN's key"),
        "{:?}",
        r.findings
    );
    // A signature replaced in the log: the chain breaks there and the
    // signature no longer verifies.
    let sig = cp["signature"].as_str().unwrap();
    ts.raw_execute(&format!(
        "UPDATE events SET data = replace(data, '{sig}', '{}') WHERE kind = 'audit.checkpoint'",
        "0".repeat(128)
    ))
    .await;
    let r = ts.store.verify(&trust(&[&trp, &ben])).await.unwrap();
    let kinds: Vec<_> = r.findings.iter().map(|f| f.kind).collect();
    assert!(kinds.contains(&FindingKind::Checkpoint), "{:?}", r.findings);
    assert!(kinds.contains(&FindingKind::Chain), "{:?}", r.findings);
    ben_server.shutdown().await.unwrap();
    unsigned.shutdown().await;
    ts.shutdown().await;
}

#[test]
fn keys_init_writes_a_private_key_and_the_trust_line_that_verifies_it() {
    if common::postgres_requested() {
        return; // The binaries work on a SQLite file here.
    }
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("trp.key");
    let db = dir.path().join("t.db");
    let db = db.to_str().unwrap();
    common::bin_admin(db, &["seed"]);
    let out = common::bin_admin(
        db,
        &[
            "keys",
            "init",
            "--centre",
            "TRP",
            "--out",
            key.to_str().unwrap(),
        ],
    );
    let line = out.lines().find(|l| l.starts_with("TRP = ")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args([
            "admin",
            "--database",
            db,
            "keys",
            "init",
            "--centre",
            "TRP",
            "--out",
        ])
        .arg(&key)
        .output()
        .unwrap();
    assert!(!again.status.success(), "a key is never overwritten");
    let trust = dir.path().join("trust.toml");
    std::fs::write(&trust, format!("[trust]\n{line}\n")).unwrap();
    let trust_arg = trust.to_str().unwrap();
    let (mut child, url) = common::serve_binary_args(
        db,
        &["--signing-key", key.to_str().unwrap(), "--trust", trust_arg],
        None,
    );
    let sup = common::bin_admin(
        db,
        &[
            "officer",
            "add",
            "--name",
            "s",
            "--role",
            "supervisor",
            "--centre",
            "TRP",
        ],
    );
    let sup = sup
        .lines()
        .find_map(|l| l.strip_prefix("token: "))
        .unwrap()
        .to_string();
    let status = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async { post(&url, &sup).await.status() });
    assert_eq!(status, 201);
    let _ = child.kill();
    let _ = child.wait();
    let verified = common::bin_admin(db, &["audit", "verify", "--trust", trust_arg]);
    assert!(verified.contains("the record is whole"), "{verified}");
    // Another centre's key under TRP: the checkpoint no longer verifies.
    let other = Signer::from_secret(Centre::Trp, [5; 32]);
    std::fs::write(
        &trust,
        format!("[trust]\nTRP = \"{}\"\n", other.public_hex()),
    )
    .unwrap();
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args([
            "admin",
            "--database",
            db,
            "audit",
            "verify",
            "--trust",
            trust_arg,
        ])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&refused.stdout).contains("checkpoint at seq"));
}
