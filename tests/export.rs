//! The record verified with nothing but a file and the public keys: a
//! committed test vector (`tests/fixtures/record-v1.jsonl`, signed by the key
//! in `trust-v1.toml`) whose head hash is written here, tampered copies of
//! it, and exports from a live database (both stores) that verify offline.

mod common;

use std::path::Path;
use std::process::Command;

use common::TestServer;
use tandem::admin::export::{export, verify_file};
use tandem::admin::keys::load_trust;
use tandem::client::new_key;
use tandem::model::Role;

const VECTOR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/record-v1.jsonl"
);
const TRUST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/trust-v1.toml");
/// The hash of the vector's last event (seq 9), computed by this code when
/// the vector was made; any change to how events hash breaks it.
const HEAD: &str = "3b6b5f9c58f1748563cbc9a662d054169b75293e98fed16d1d1f0034d2c9dc7a";

fn verify(file: &Path, trust: &str) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["audit", "verify"])
        .arg(file)
        .args(["--trust", trust])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_test_vector_verifies_to_its_known_head_with_its_signatures() {
    let trust = load_trust(Path::new(TRUST)).unwrap();
    let report = verify_file(Path::new(VECTOR), &trust).unwrap();
    assert!(report.broken.is_empty(), "{:?}", report.broken);
    assert_eq!(report.events, 9);
    assert_eq!(report.head, HEAD);
    let (code, said) = verify(Path::new(VECTOR), TRUST);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains(&format!("9 events, head {HEAD}")), "{said}");
    assert!(said.contains("the record is whole"), "{said}");
}

/// The vector with line `n` (1-based) changed by `edit`, or dropped when it gives `None`.
fn tampered(dir: &Path, n: usize, edit: impl Fn(&str) -> Option<String>) -> std::path::PathBuf {
    let text = std::fs::read_to_string(VECTOR).unwrap();
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .filter_map(|(i, l)| {
            if i + 1 == n {
                edit(l)
            } else {
                Some(l.to_string())
            }
        })
        .collect();
    let path = dir.join(format!("tampered-{n}.jsonl"));
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

#[test]
fn every_tampering_of_the_vector_is_found() {
    let dir = tempfile::tempdir().unwrap();
    // A word of the incident's title changed inside its event.
    let title = tampered(dir.path(), 5, |l| Some(l.replace("Ras Ajdir", "Ras Ajdur")));
    let (code, said) = verify(&title, TRUST);
    assert_eq!(code, Some(3), "{said}");
    assert!(said.contains("chain at seq 5: expected hash"), "{said}");
    // An event deleted in the middle.
    let gap = tampered(dir.path(), 4, |_| None);
    let (code, said) = verify(&gap, TRUST);
    assert_eq!(code, Some(3));
    assert!(said.contains("chain at seq 5: expected seq 4"), "{said}");
    // A checkpoint's signature replaced (its event re-hashed would still not verify).
    let sig = tampered(dir.path(), 7, |l| {
        let start = l.find("\"signature\":\"").unwrap() + 13;
        let mut s = l.to_string();
        s.replace_range(start..start + 128, &"0".repeat(128));
        Some(s)
    });
    let (code, said) = verify(&sig, TRUST);
    assert_eq!(code, Some(3));
    assert!(
        said.contains("checkpoint at seq 7: expected a signature by TRP's key"),
        "{said}"
    );
    // Someone else's key trusted for TRP: the genuine checkpoints fail.
    let other = dir.path().join("other.toml");
    let impostor =
        tandem::model::checkpoint::Signer::from_secret(tandem::model::Centre::Trp, [4; 32]);
    std::fs::write(
        &other,
        format!("[trust]\nTRP = \"{}\"\n", impostor.public_hex()),
    )
    .unwrap();
    let (code, said) = verify(Path::new(VECTOR), other.to_str().unwrap());
    assert_eq!(code, Some(3));
    assert_eq!(said.matches("checkpoint at seq").count(), 2, "{said}");
}

#[tokio::test]
async fn an_export_of_a_live_record_verifies_offline_whole_and_from_a_seq() {
    let ts = TestServer::start().await;
    let i = ts.incident("Boat off Zuwara").await;
    ts.client(Role::DutyOfficer)
        .add_note(&new_key(), i.id, "twelve aboard")
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let all = dir.path().join("all.jsonl");
    let (count, last) = export(ts.store.as_ref(), 0, &all).await.unwrap();
    assert_eq!(last, ts.head().await);
    assert_eq!(count, last);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&all).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the whole record, every marking: private"
        );
    }
    let report = verify_file(&all, &Default::default()).unwrap();
    assert!(report.broken.is_empty(), "{:?}", report.broken);
    let live = ts.store.verify(&Default::default()).await.unwrap();
    assert_eq!(report.head, live.head);
    let tail = dir.path().join("tail.jsonl");
    let (count, _) = export(ts.store.as_ref(), last - 2, &tail).await.unwrap();
    assert_eq!(count, 2);
    let report = verify_file(&tail, &Default::default()).unwrap();
    assert!(report.broken.is_empty() && report.first_seq == last - 1);
    assert_eq!(report.head, live.head);
    ts.shutdown().await;
}
