//! The command line as README describes it, run as the real binary:
//! `admin seed` and its refusals, `admin officer list`, tokens kept only as
//! SHA-256, `demo --headless`, the console's config errors, and a smoke run
//! of each `tandem bench` workload on tiny sizes (its report, not its speed).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use sha2::{Digest, Sha256};

const BIN: &str = env!("CARGO_BIN_EXE_tandem");

fn tandem(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn events_in(db: &str) -> i64 {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{db}"))
        .await
        .unwrap();
    let n = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n
}

#[tokio::test]
async fn admin_seed_loads_once_and_refuses_a_bad_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db").display().to_string();
    let first = common::bin_admin(&db, &["seed"]);
    assert!(
        first.starts_with(
            "seeded 19 agencies and 69 units (0 agencies were already there); 29 sectors"
        ),
        "{first}"
    );
    let after_first = events_in(&db).await;
    assert_eq!(after_first, 19 + 69);
    let again = common::bin_admin(&db, &["seed"]);
    assert!(
        again.starts_with("seeded 0 agencies and 0 units (19 agencies were already there)"),
        "{again}"
    );
    assert_eq!(
        events_in(&db).await,
        after_first,
        "re-seeding wrote something"
    );

    let fresh = dir.path().join("fresh.db").display().to_string();
    let bad = |name: &str, toml: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, toml).unwrap();
        path.display().to_string()
    };
    let place = "[[place]]\nname = \"Zuwara\"\nname_ar = \"زوارة\"\nkind = \"sector\"\nlat = 32.9\nlon = 12.1\ncentre = \"TRP\"\nregion = \"west\"\nradius_km = 25\n";
    let agency = |units: &str| {
        format!(
            "[[agency]]\ncode = \"LCG-W\"\nname = \"Coast Guard West\"\nname_ar = \"خفر السواحل\"\nkind = \"coast_guard\"\nregion = \"west\"\nliaison_contact = \"x\"\nradio_channel = \"16\"\nunits = [{units}]\n{place}"
        )
    };
    let good = agency("\"boat:Zuwara\"");
    let cases = [
        (
            bad("no-colon.toml", &agency("\"boat Zuwara\"")),
            "is not `capability:sector`",
        ),
        (
            bad("unknown-sector.toml", &agency("\"boat:Atlantis\"")),
            "`Atlantis` is not a [[place]]",
        ),
        (
            bad("bad-capability.toml", &agency("\"submarine:Zuwara\"")),
            "submarine",
        ),
        (bad("bad-toml.toml", "[[agency]]\ncode = 1\n"), "line 2"),
        (
            bad(
                "place-twice.toml",
                &format!("{}{place}", agency("\"boat:Zuwara\"")),
            ),
            "`Zuwara` is there twice",
        ),
        (
            dir.path().join("missing.toml").display().to_string(),
            "reading",
        ),
        (
            bad("no-area.toml", &good.replace("radius_km = 25\n", "")),
            "give its area",
        ),
        (
            bad(
                "open-ring.toml",
                &good.replace(
                    "radius_km = 25",
                    "polygon = [[32.8, 12.0], [32.8, 12.3], [33.0, 12.3], [33.0, 12.0]]",
                ),
            ),
            "not closed",
        ),
        (
            bad(
                "in-tunisia.toml",
                &good.replace("lat = 32.9\nlon = 12.1", "lat = 33.5\nlon = 10.1"),
            ),
            "in TN",
        ),
    ];
    for (file, says) in cases {
        let out = tandem(&["admin", "--database", &fresh, "seed", &file]);
        let (_, err) = text(&out);
        assert!(!out.status.success(), "{file} was accepted");
        assert!(err.contains(says), "{file}: `{err}` does not say `{says}`");
        assert_eq!(
            events_in(&fresh).await,
            0,
            "{file}: a refused seed wrote something"
        );
    }
}

#[tokio::test]
async fn officers_are_listed_in_order_and_tokens_kept_only_as_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db").display().to_string();
    common::bin_admin(&db, &["seed"]);
    let mut tokens = Vec::new();
    let mut ids = Vec::new();
    for (name, role, extra) in [
        ("Salem", "duty_officer", None),
        ("Amal", "supervisor", None),
        ("Coast liaison", "liaison", Some("LCG-W")),
    ] {
        let mut args = vec![
            "officer", "add", "--name", name, "--role", role, "--centre", "TRP",
        ];
        if let Some(a) = extra {
            args.extend(["--agency", a]);
        }
        let out = common::bin_admin(&db, &args);
        assert!(out.contains("(the token is shown once; keep it)"), "{out}");
        ids.push(
            out.lines()
                .find_map(|l| l.strip_prefix("officer: "))
                .unwrap()
                .to_string(),
        );
        tokens.push(
            out.lines()
                .find_map(|l| l.strip_prefix("token: "))
                .unwrap()
                .to_string(),
        );
    }
    common::bin_admin(&db, &["officer", "revoke", &ids[1]]);
    let list = common::bin_admin(&db, &["officer", "list"]);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(
        lines,
        vec![
            format!("{}  duty_officer TRP  Salem", ids[0]),
            format!("{}  supervisor   TRP  Amal  (revoked)", ids[1]),
            format!("{}  liaison      TRP  Coast liaison", ids[2]),
        ]
    );

    // The database holds each token's SHA-256 and never the token itself.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{db}"))
        .await
        .unwrap();
    let stored: Vec<(String, String)> =
        sqlx::query_as("SELECT officer_id, hash FROM tokens ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    pool.close().await;
    for (i, token) in tokens.iter().enumerate() {
        assert_eq!(token.len(), 64, "256 random bits, hex");
        let (_, hash) = stored.iter().find(|(id, _)| *id == ids[i]).unwrap();
        assert_eq!(*hash, hex::encode(Sha256::digest(token.as_bytes())));
    }
    let mut bytes = Vec::new();
    for suffix in ["", "-wal"] {
        if let Ok(b) = std::fs::read(format!("{db}{suffix}")) {
            bytes.extend(b);
        }
    }
    for token in &tokens {
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "a token is stored in the clear"
        );
    }
}

#[test]
fn demo_headless_prints_a_url_and_a_token_that_work() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args([
            "demo",
            "--headless",
            "--fresh",
            "--listen",
            "127.0.0.1:0",
            "--dir",
        ])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines.next().unwrap().unwrap();
    let token = lines.next().unwrap().unwrap();
    let url = url
        .strip_prefix("url: ")
        .expect("a `url:` line")
        .to_string();
    let token = token
        .strip_prefix("token: ")
        .expect("a `token:` line")
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let me = rt
        .block_on(tandem::client::Client::new(&url, &token).unwrap().me())
        .unwrap();
    assert_eq!(me.role, tandem::model::Role::DutyOfficer);
    // Officers on shift at both centres, and a handover waiting for this one.
    let client = tandem::client::Client::new(&url, &token).unwrap();
    let (trp, ben, ended) = rt.block_on(async {
        use tandem::model::Centre;
        (
            client.shifts(Centre::Trp, true).await.unwrap(),
            client.shifts(Centre::Ben, true).await.unwrap(),
            client.shifts(Centre::Trp, false).await.unwrap(),
        )
    });
    assert_eq!((trp.len(), ben.len()), (1, 2), "{trp:?} {ben:?}");
    assert!(ended[0].acknowledged_at.is_none() && ended[0].handover.is_some());
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_bad_console_config_is_reported_with_its_path_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "bell = true\ntheme = \"neon\"\n").unwrap();
    let out = tandem(&["console", "--config", path.to_str().unwrap()]);
    let (_, err) = text(&out);
    assert!(!out.status.success());
    assert!(err.contains(path.to_str().unwrap()), "{err}");
    assert!(err.contains("line 2") && err.contains("neon"), "{err}");
}

#[test]
fn every_bench_workload_runs_on_tiny_sizes_and_reports() {
    let cases: [(&[&str], &[&str]); 7] = [
        (
            &["writes", "--clients", "2", "--seconds", "1"],
            &[
                "writes (SQLite): 2 clients",
                "(0 failed)",
                "mutations/s",
                "ceiling",
            ],
        ),
        (
            &[
                "sse",
                "--subscribers",
                "2",
                "--rate",
                "20",
                "--seconds",
                "1",
            ],
            &["2 subscribers", "0 subscribers short", "p99"],
        ),
        (
            &["snapshot", "--incidents", "50", "--tasks-per-incident", "1"],
            &["snapshot: 50 incidents + 50 tasks", "peak"],
        ),
        (
            &["console", "--incidents", "50", "--tasks-per-incident", "1"],
            &["console: 50 incidents + 50 tasks", "frame median", "RSS"],
        ),
        (
            &[
                "offline",
                "--actions",
                "5",
                "--missed",
                "20",
                "--history",
                "20",
            ],
            &["offline: 5 actions queued during a cut drained"],
        ),
        (
            &["verify", "--events", "2000"],
            &["verify: ", "events and their rows", "no finding"],
        ),
        (
            &["witness", "--events", "300"],
            &[
                "witness: 300 events from an empty copy",
                "the record is whole",
                "again with nothing new",
            ],
        ),
    ];
    for (args, says) in cases {
        let mut all = vec!["bench"];
        all.extend_from_slice(args);
        let out = tandem(&all);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "bench {args:?} failed: {stderr}");
        for word in says {
            assert!(
                stdout.contains(word),
                "bench {args:?} reports no `{word}`: {stdout}"
            );
        }
    }
}
