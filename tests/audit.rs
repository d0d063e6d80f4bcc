//! Rewriting the record behind the log's back, made for real on the
//! database (SQLite, or PostgreSQL with `TANDEM_TEST_STORE=postgres`): each
//! tampering is found by `audit verify` with the right finding, a clean record
//! gives none, and `serve` refuses to start on a damaged one unless told to
//! accept it, when every console is told.

mod common;

use common::{TestServer, bin_admin};
use tandem::api::{FindingKind, VerifyReport};
use tandem::client::new_key;
use tandem::model::{Centre, Role};

/// A record with a little of everything: incidents, a task, notes, a moved
/// unit, an officer added and one revoked. Returns the server and its report.
async fn world() -> (TestServer, VerifyReport) {
    let ts = TestServer::start().await;
    let i = ts.incident("Tanker convoy near Zuwara").await;
    ts.task(&i).await;
    let duty = ts.client(Role::DutyOfficer);
    duty.add_note(&new_key(), i.id, "two tankers")
        .await
        .unwrap();
    let j = ts.incident("Boat off Sabratha").await;
    duty.add_note(&new_key(), j.id, "drifting").await.unwrap();
    let (gone, _) = tandem::admin::add_officer(
        ts.store.as_ref(),
        "Leaver",
        Role::Observer,
        Centre::Ben,
        None,
    )
    .await
    .unwrap();
    tandem::admin::revoke_officer(ts.store.as_ref(), &gone.id.to_string())
        .await
        .unwrap();
    let report = ts.store.verify(&Default::default()).await.unwrap();
    (ts, report)
}

fn kinds(r: &VerifyReport) -> Vec<FindingKind> {
    r.findings.iter().map(|f| f.kind).collect()
}

async fn verify(ts: &TestServer) -> VerifyReport {
    ts.store.verify(&Default::default()).await.unwrap()
}

#[tokio::test]
async fn a_clean_record_has_no_finding() {
    let (ts, report) = world().await;
    assert!(report.ok, "{:?}", report.findings);
    assert!(report.findings.is_empty() && report.findings_total == 0);
    assert_eq!(report.events, ts.head().await);
    // Over HTTP too.
    let over_http = ts.client(Role::Observer).verify().await.unwrap();
    assert!(over_http.ok && over_http.findings.is_empty());
}

#[tokio::test]
async fn an_edited_table_row_is_found() {
    let (ts, _) = world().await;
    ts.raw_execute("UPDATE incidents SET data = replace(data, 'Zuwara', 'Zawiya')")
        .await;
    let r = verify(&ts).await;
    assert!(!r.ok);
    assert_eq!(kinds(&r), vec![FindingKind::Row], "{:?}", r.findings);
    assert!(
        r.findings[0]
            .entity
            .as_deref()
            .unwrap()
            .starts_with("incident ")
    );
    assert_eq!(r.first_bad_seq, None, "the chain itself is whole");
}

#[tokio::test]
async fn an_officer_raised_or_restored_behind_the_log_is_found() {
    let (ts, _) = world().await;
    ts.raw_execute(
        "UPDATE officers SET data = replace(data, '\"role\":\"observer\"', '\"role\":\"supervisor\"') \
         WHERE data LIKE '%Leaver%'",
    )
    .await;
    let r = verify(&ts).await;
    assert_eq!(kinds(&r), vec![FindingKind::Row], "{:?}", r.findings);
    assert!(
        r.findings[0]
            .entity
            .as_deref()
            .unwrap()
            .starts_with("officer ")
    );
    let (ts, _) = world().await;
    ts.raw_execute("UPDATE officers SET revoked = NOT revoked WHERE data LIKE '%Leaver%'")
        .await;
    let r = verify(&ts).await;
    assert_eq!(kinds(&r), vec![FindingKind::Officer], "{:?}", r.findings);
}

#[tokio::test]
async fn a_deleted_row_and_a_row_no_event_wrote_are_found() {
    let (ts, _) = world().await;
    ts.raw_execute("DELETE FROM notes WHERE data LIKE '%drifting%'")
        .await;
    ts.raw_execute(
        "INSERT INTO agencies (id, code, version, data) \
         VALUES ('00000000-0000-7000-8000-000000000001', 'FAKE', 1, '{}')",
    )
    .await;
    let r = verify(&ts).await;
    let mut got = kinds(&r);
    got.sort_by_key(|k| format!("{k:?}"));
    assert_eq!(
        got,
        vec![FindingKind::MissingRow, FindingKind::RowWithoutEvent],
        "{:?}",
        r.findings
    );
}

#[tokio::test]
async fn an_event_edited_or_deleted_in_the_middle_is_found() {
    let (ts, before) = world().await;
    let middle = before.events / 2;
    ts.raw_execute(&format!(
        "UPDATE events SET data = replace(data, 'a', 'e') WHERE seq = {middle}"
    ))
    .await;
    let r = verify(&ts).await;
    assert_eq!(r.first_bad_seq, Some(middle));
    assert!(
        r.findings
            .iter()
            .any(|f| f.kind == FindingKind::Chain && f.seq == Some(middle)),
        "{:?}",
        r.findings
    );
    let (ts, before) = world().await;
    let middle = before.events / 2;
    ts.raw_execute(&format!("DELETE FROM events WHERE seq = {middle}"))
        .await;
    let r = verify(&ts).await;
    assert_eq!(r.first_bad_seq, Some(middle + 1), "{:?}", r.findings);
}

#[tokio::test]
async fn the_last_events_deleted_are_found_by_the_rows_they_left() {
    let (ts, before) = world().await;
    ts.raw_execute(&format!(
        "DELETE FROM events WHERE seq > {}",
        before.events - 5
    ))
    .await;
    let r = verify(&ts).await;
    assert_eq!(r.events, before.events - 5);
    assert_eq!(r.first_bad_seq, None, "a truncated chain is still a chain");
    assert!(!r.ok, "the rows are ahead of the log");
    assert!(
        r.findings.iter().all(|f| matches!(
            f.kind,
            FindingKind::Row | FindingKind::RowWithoutEvent | FindingKind::Officer
        )),
        "{:?}",
        r.findings
    );
}

#[test]
fn serve_refuses_a_damaged_record_unless_told_and_then_records_the_findings() {
    if common::postgres_requested() {
        return; // The binary is started on a SQLite file here.
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let db = db.to_str().unwrap();
    bin_admin(db, &["seed"]);
    let clean = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["admin", "--database", db, "audit", "verify"])
        .output()
        .unwrap();
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );
    assert!(String::from_utf8_lossy(&clean.stdout).contains("the record is whole"));
    // An agency's radio channel changed in its table only.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{db}"))
            .await
            .unwrap();
        sqlx::query("UPDATE agencies SET data = replace(data, 'radio_channel\":\"', 'radio_channel\":\"X') WHERE code = 'LCG-W'")
            .execute(&mut c)
            .await
            .unwrap();
    });
    let damaged = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["admin", "--database", db, "audit", "verify"])
        .output()
        .unwrap();
    assert_eq!(damaged.status.code(), Some(3));
    let listed = String::from_utf8_lossy(&damaged.stdout);
    assert!(
        listed.contains("row at seq") && listed.contains(" on agency "),
        "{listed}"
    );
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database", db])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("the record is damaged: 1 finding") && said.contains("--accept-damaged"),
        "{said}"
    );
    let (mut child, url) = common::serve_binary_args(db, &["--accept-damaged"], None);
    let token = bin_admin(
        db,
        &[
            "officer", "add", "--name", "o", "--role", "observer", "--centre", "TRP",
        ],
    );
    let token = token
        .lines()
        .find_map(|l| l.strip_prefix("token: "))
        .unwrap()
        .to_string();
    let found = rt.block_on(async {
        let client = tandem::client::Client::new(&url, &token).unwrap();
        let mut s = client.events(0).await.unwrap();
        loop {
            let e = s.next_event().await.unwrap().unwrap();
            if e.kind == tandem::model::EventKind::AuditFindings {
                return e.entity::<VerifyReport>().unwrap();
            }
        }
    });
    assert_eq!(found.findings_total, 1);
    assert_eq!(found.findings[0].kind, FindingKind::Row);
    let _ = child.kill();
    let _ = child.wait();
}
