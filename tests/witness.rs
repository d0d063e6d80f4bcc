//! `tandem witness` against a real server (SQLite, or PostgreSQL with
//! `TANDEM_TEST_STORE=postgres`): it keeps its own verified copy, catches up
//! after being away, and raises an alarm for every tampering made for real
//! on the database after it copied the log — a truncation below a signed
//! checkpoint, a deleted or edited event, a rewritten history with every
//! later hash recomputed (a fork), a replaced signature, an edited table, an
//! officer raised behind the log — while a clean record gives none.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use common::TestServer;
use tandem::api::{FindingKind, WitnessAlarm};
use tandem::client::new_key;
use tandem::model::checkpoint::{Signer, Trust, public_key};
use tandem::model::event::ChainLink;
use tandem::model::{Centre, EventKind, Role};
use tandem::server::Settings;
use tandem::witness::{self, Findings, Options, Summary, Verdict};

fn signer() -> Signer {
    Signer::from_secret(Centre::Trp, [7; 32])
}

fn trust_of(s: &Signer) -> Trust {
    Trust(HashMap::from([(
        s.centre,
        public_key(&s.public_hex()).unwrap(),
    )]))
}

/// A server that signs with TRP's key, holding incidents, a task, notes, a
/// new officer and a signed checkpoint followed by a few more events.
async fn world() -> TestServer {
    let s = signer();
    let ts = TestServer::start_with(Settings {
        signer: Some(s.clone().into()),
        trust: trust_of(&s),
        checkpoint_every: Duration::from_secs(3600),
        ..Settings::default()
    })
    .await;
    let i = ts.incident("Tanker convoy near Zuwara").await;
    ts.task(&i).await;
    let duty = ts.client(Role::DutyOfficer);
    duty.add_note(&new_key(), i.id, "two tankers")
        .await
        .unwrap();
    tandem::admin::add_officer(
        ts.store.as_ref(),
        "Newcomer",
        Role::Observer,
        Centre::Ben,
        None,
    )
    .await
    .unwrap();
    sign_now(&ts).await;
    let j = ts.incident("Boat off Sabratha").await;
    duty.add_note(&new_key(), j.id, "drifting").await.unwrap();
    ts
}

async fn sign_now(ts: &TestServer) {
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/audit/checkpoints", ts.url))
        .bearer_auth(ts.token(Role::Supervisor))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}

async fn once(ts: &TestServer, dir: &Path) -> Verdict {
    let options = Options {
        dir: dir.to_path_buf(),
        trust: trust_of(&signer()),
        once: true,
        recheck: Duration::from_secs(3600),
        name: Some("test witness".into()),
    };
    witness::run(&ts.client(Role::Auditor), options)
        .await
        .unwrap()
}

fn whole(v: Verdict) -> Summary {
    match v {
        Verdict::Whole(s) => s,
        Verdict::Alarm(f) => panic!("an alarm on a clean record: {:?}", f.list),
    }
}

fn alarm(v: Verdict) -> Findings {
    match v {
        Verdict::Alarm(f) => f,
        Verdict::Whole(s) => panic!("no alarm: {s}"),
    }
}

/// A world whose log the witness has copied.
async fn witnessed() -> (TestServer, tempfile::TempDir) {
    let ts = world().await;
    let dir = tempfile::tempdir().unwrap();
    let s = whole(once(&ts, dir.path()).await);
    assert_eq!(s.head, ts.head().await);
    (ts, dir)
}

/// Rewrites the data of event `seq` with `edit` and every hash from there
/// on, as an insider with the database and the (unkeyed) hash rule would.
async fn rewrite(ts: &TestServer, seq: u64, edit: impl Fn(&str) -> String) {
    let events = ts.store.events_after(seq - 1, 100_000).await.unwrap();
    let mut prev = events[0].event.prev_hash.clone();
    for logged in events {
        let e = logged.event;
        let data = if e.seq == seq {
            edit(e.data.get())
        } else {
            e.data.get().to_string()
        };
        let (id, actor) = (e.entity_id.to_string(), e.actor.clone());
        let hash = ChainLink {
            prev_hash: &prev,
            seq: e.seq,
            at: &e.at,
            actor: &actor,
            kind: e.kind.as_str(),
            entity: e.entity.as_str(),
            entity_id: &id,
            version: e.version,
            data: &data,
        }
        .hash();
        ts.raw_execute(&format!(
            "UPDATE events SET data = '{}', prev_hash = '{prev}', hash = '{hash}' WHERE seq = {}",
            data.replace('\'', "''"),
            e.seq
        ))
        .await;
        prev = hash;
    }
}

/// Whether `serve` would refuse to start on the record as it is now.
async fn refused_at_start(ts: &TestServer) -> bool {
    tandem::admin::audit::check_at_start(ts.store.as_ref(), &trust_of(&signer()), false)
        .await
        .is_err()
}

fn kinds(f: &Findings) -> Vec<FindingKind> {
    f.list.iter().map(|f| f.kind).collect()
}

#[tokio::test]
async fn a_clean_record_is_whole_and_a_witness_away_catches_up() {
    let (ts, dir) = witnessed().await;
    assert!(
        !refused_at_start(&ts).await,
        "serve starts on a clean record"
    );
    let before = ts.head().await;
    // Away for a while: the record moves on and is signed again.
    for n in 0..30 {
        ts.incident(&format!("Report {n}")).await;
    }
    sign_now(&ts).await;
    ts.incident("After the checkpoint").await;
    let s = whole(once(&ts, dir.path()).await);
    let head = ts.head().await;
    assert_eq!(s.head, head);
    assert_eq!(s.fetched, head - before, "only what is new is fetched");
    assert_eq!(
        s.compared, before,
        "the whole past held before is read again"
    );
    assert_eq!(
        s.signed,
        head - 2,
        "the checkpoint signs the head before it"
    );
    assert!(
        s.entities >= 33,
        "every served incident, task, unit and agency"
    );
    // The copy is the whole log, and append-only.
    let db = dir.path().join(witness::copy::FILE);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n as u64, head);
    let refused = sqlx::query("DELETE FROM events WHERE seq = 1")
        .execute(&pool)
        .await;
    assert!(refused.unwrap_err().to_string().contains("append-only"));
}

#[tokio::test]
async fn the_last_events_deleted_below_a_signed_checkpoint_are_a_truncation() {
    let (ts, dir) = witnessed().await;
    let head = ts.head().await;
    ts.raw_execute(&format!("DELETE FROM events WHERE seq > {}", head - 5))
        .await;
    assert!(refused_at_start(&ts).await);
    let f = alarm(once(&ts, dir.path()).await);
    let cut = &f.list[0];
    assert_eq!(cut.kind, FindingKind::Truncation, "{:?}", f.list);
    assert!(cut.expected.contains("signed through seq"), "{cut}");
    assert!(
        cut.found.contains(&format!("ends at seq {}", head - 5)),
        "{cut}"
    );
}

#[tokio::test]
async fn an_event_deleted_or_edited_in_the_middle_is_found_at_its_seq() {
    let (ts, dir) = witnessed().await;
    let middle = ts.head().await / 2;
    ts.raw_execute(&format!("DELETE FROM events WHERE seq = {middle}"))
        .await;
    assert!(refused_at_start(&ts).await);
    let f = alarm(once(&ts, dir.path()).await);
    assert_eq!(f.list[0].kind, FindingKind::Fork, "{:?}", f.list);
    assert_eq!(f.list[0].seq, Some(middle));
    assert!(f.list[0].found.contains("no such event"));

    let (ts, dir) = witnessed().await;
    let seq = ts
        .raw_i64("SELECT MAX(seq) FROM events WHERE data LIKE '%Tanker convoy%'")
        .await as u64;
    ts.raw_execute(&format!(
        "UPDATE events SET data = replace(data, 'Zuwara', 'Zawiya') WHERE seq = {seq}"
    ))
    .await;
    assert!(refused_at_start(&ts).await);
    let f = alarm(once(&ts, dir.path()).await);
    assert_eq!(f.list[0].kind, FindingKind::Fork, "{:?}", f.list);
    assert_eq!(f.list[0].seq, Some(seq));
}

#[tokio::test]
async fn a_history_rewritten_with_every_later_hash_recomputed_is_a_fork() {
    let (ts, dir) = witnessed().await;
    let seq = ts
        .raw_i64("SELECT MIN(seq) FROM events WHERE data LIKE '%Tanker convoy%'")
        .await as u64;
    rewrite(&ts, seq, |d| d.replace("Zuwara", "Zawiya")).await;
    // The chain is whole again; the server's own check still catches it by
    // the checkpoint signed after it, which no longer signs the head before it.
    let own = ts.store.verify(&trust_of(&signer())).await.unwrap();
    let own: Vec<_> = own.findings.iter().map(|f| f.kind).collect();
    assert!(!own.contains(&FindingKind::Chain), "{own:?}");
    assert!(own.contains(&FindingKind::Checkpoint), "{own:?}");
    assert!(refused_at_start(&ts).await);
    let f = alarm(once(&ts, dir.path()).await);
    assert_eq!(f.list[0].kind, FindingKind::Fork, "{:?}", f.list);
    assert_eq!(f.list[0].seq, Some(seq));
    assert!(
        f.total >= ts.head().await - seq,
        "every later event differs"
    );
}

#[tokio::test]
async fn a_checkpoint_signature_replaced_is_found_on_arrival_and_after() {
    let ts = world().await;
    let cp = ts
        .raw_i64("SELECT MAX(seq) FROM events WHERE kind = 'audit.checkpoint'")
        .await as u64;
    let forged = |d: &str| {
        let mut v: serde_json::Value = serde_json::from_str(d).unwrap();
        v["signature"] = serde_json::Value::String("ab".repeat(64));
        v.to_string()
    };
    // A witness that had copied the log before.
    let dir = tempfile::tempdir().unwrap();
    whole(once(&ts, dir.path()).await);
    rewrite(&ts, cp, forged).await;
    assert!(refused_at_start(&ts).await);
    let f = alarm(once(&ts, dir.path()).await);
    assert_eq!(f.list[0].kind, FindingKind::Fork, "{:?}", f.list);
    assert_eq!(f.list[0].seq, Some(cp));
    // A new witness, copying it for the first time: the signature itself fails.
    let fresh = tempfile::tempdir().unwrap();
    let f = alarm(once(&ts, fresh.path()).await);
    assert_eq!(kinds(&f)[0], FindingKind::Checkpoint, "{:?}", f.list);
    assert_eq!(f.list[0].seq, Some(cp));
    assert!(f.list[0].found.contains("does not verify"), "{}", f.list[0]);
}

#[tokio::test]
async fn an_edited_table_and_an_officer_raised_behind_the_log_are_found() {
    let (ts, dir) = witnessed().await;
    ts.raw_execute("UPDATE incidents SET data = replace(data, 'Zuwara', 'Zawiya')")
        .await;
    assert!(refused_at_start(&ts).await);
    let f = alarm(once(&ts, dir.path()).await);
    let row = f
        .list
        .iter()
        .find(|f| f.kind == FindingKind::Row && !f.found.contains("server's own check"))
        .unwrap_or_else(|| panic!("{:?}", f.list));
    assert!(row.entity.as_deref().unwrap().starts_with("incident "));
    assert!(row.found.contains("title"), "{row}");

    let (ts, dir) = witnessed().await;
    ts.raw_execute(
        "UPDATE officers SET data = replace(data, '\"role\":\"observer\"', '\"role\":\"supervisor\"') \
         WHERE data LIKE '%Newcomer%'",
    )
    .await;
    assert!(refused_at_start(&ts).await);
    let f = alarm(once(&ts, dir.path()).await);
    assert!(
        f.list.iter().any(|f| f.kind == FindingKind::Row
            && f.entity
                .as_deref()
                .is_some_and(|e| e.starts_with("officer "))),
        "{:?}",
        f.list
    );
}

#[tokio::test]
async fn an_alarm_is_recorded_in_the_log_for_every_console() {
    let (ts, dir) = witnessed().await;
    let mut stream = ts
        .client(Role::Observer)
        .events(ts.head().await)
        .await
        .unwrap();
    ts.raw_execute(&format!(
        "DELETE FROM events WHERE seq = {}",
        ts.head().await / 2
    ))
    .await;
    alarm(once(&ts, dir.path()).await);
    let e = loop {
        let e = stream.next_event().await.unwrap().unwrap();
        if e.kind == EventKind::WitnessAlarm {
            break e;
        }
    };
    let a: WitnessAlarm = e.entity().unwrap();
    assert_eq!(a.witness, "test witness");
    assert_eq!(a.findings[0].kind, FindingKind::Fork);
}

#[tokio::test]
async fn only_an_auditor_reads_the_whole_log_and_an_auditor_changes_nothing() {
    let ts = world().await;
    let red = ts.incident("Informant report").await;
    ts.client(Role::Supervisor)
        .patch_incident(
            &new_key(),
            red.id,
            red.version,
            &serde_json::from_value(serde_json::json!({"tlp": "red"})).unwrap(),
        )
        .await
        .unwrap();
    for role in [
        Role::Observer,
        Role::DutyOfficer,
        Role::Supervisor,
        Role::System,
    ] {
        let err = ts.client(role).log(0, 10).await.unwrap_err();
        assert_eq!(err.status(), Some(403), "{role}");
    }
    let auditor = ts.client(Role::Auditor);
    let page = auditor.log(0, 5000).await.unwrap();
    assert_eq!(page.events.len() as u64, page.head);
    // Need-to-know does not hide the record from its witness.
    assert!(auditor.incident(red.id).await.is_ok());
    let refused = auditor
        .create_incident(&new_key(), &common::new_incident("An auditor's report"))
        .await
        .unwrap_err();
    assert_eq!(refused.status(), Some(403));
    let empty = WitnessAlarm {
        witness: "w".into(),
        findings: vec![],
        findings_total: 0,
    };
    let bad = auditor.raise_alarm(&new_key(), &empty).await.unwrap_err();
    assert_eq!(bad.status(), Some(422));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_following_witness_copies_live_events_and_stops_on_a_forged_checkpoint() {
    // The server signs with a key the witness does not trust for TRP.
    let impostor = Signer::from_secret(Centre::Trp, [9; 32]);
    let ts = TestServer::start_with(Settings {
        signer: Some(impostor.into()),
        checkpoint_every: Duration::from_secs(3600),
        ..Settings::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let options = Options {
        dir: dir.path().to_path_buf(),
        trust: trust_of(&signer()),
        once: false,
        recheck: Duration::from_secs(3600),
        name: None,
    };
    let auditor = ts.client(Role::Auditor);
    let following = tokio::spawn(async move { witness::run(&auditor, options).await });
    for n in 0..5 {
        ts.incident(&format!("Live report {n}")).await;
    }
    let db = format!(
        "sqlite://{}",
        dir.path().join(witness::copy::FILE).display()
    );
    let head = ts.head().await;
    let mut held = 0;
    for _ in 0..200 {
        if let Ok(pool) = sqlx::SqlitePool::connect(&db).await {
            held = sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(seq), 0) FROM events")
                .fetch_one(&pool)
                .await
                .unwrap_or(0) as u64;
        }
        if held >= head {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(held, head, "the live events reach the copy");
    sign_now(&ts).await;
    let verdict = tokio::time::timeout(Duration::from_secs(30), following)
        .await
        .expect("the witness stops on the forged checkpoint")
        .unwrap()
        .unwrap();
    let f = alarm(verdict);
    assert_eq!(f.list[0].kind, FindingKind::Checkpoint, "{:?}", f.list);
}

#[test]
fn the_command_exits_0_on_a_whole_record_and_3_with_the_alarm_on_stderr() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ts = rt.block_on(world());
    let dir = tempfile::tempdir().unwrap();
    let trust = dir.path().join("trust.toml");
    std::fs::write(
        &trust,
        format!("[trust]\nTRP = \"{}\"\n", signer().public_hex()),
    )
    .unwrap();
    let copy = dir.path().join("copy");
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
            .args([
                "witness",
                "--once",
                "--server",
                &ts.url,
                "--token",
                ts.token(Role::Auditor),
            ])
            .args(["--config", "/nonexistent/config.toml", "--dir"])
            .arg(&copy)
            .arg("--trust")
            .arg(&trust)
            .output()
            .unwrap()
    };
    let clean = run();
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    assert!(String::from_utf8_lossy(&clean.stdout).contains("the record is whole through seq"));
    rt.block_on(ts.raw_execute("DELETE FROM events WHERE seq = 3"));
    let damaged = run();
    assert_eq!(damaged.status.code(), Some(3));
    let said = String::from_utf8_lossy(&damaged.stderr);
    assert!(said.contains("ALARM: fork at seq 3"), "{said}");
    // An account that may not read the whole record is told what to use.
    let wrong = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args([
            "witness",
            "--once",
            "--server",
            &ts.url,
            "--token",
            ts.token(Role::Supervisor),
        ])
        .args(["--config", "/nonexistent/config.toml", "--dir"])
        .arg(&copy)
        .arg("--trust")
        .arg(&trust)
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("--role auditor"));
}
