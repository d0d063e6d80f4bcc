//! Trust between the centres, tried with the real binary: HTTPS from a
//! generated CA (API and console), mutual TLS, plain HTTP refused where it
//! would cross a network, the security headers, private files.

mod common;

use std::path::Path;
use std::process::Command;

use common::pty::Terminal;
use common::{bin_admin, serve_binary_args};
use tandem::client::{Client, TlsOptions};

const BIN: &str = env!("CARGO_BIN_EXE_tandem");

/// `tandem admin tls self-signed` into `dir`, then a duty officer's token on `db`.
fn setup(dir: &Path, db: &str) -> String {
    let out = Command::new(BIN)
        .args(["admin", "tls", "self-signed", "--dir"])
        .arg(dir)
        .args(["--host", "localhost", "--host", "127.0.0.1"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    bin_admin(db, &["seed"]);
    let added = bin_admin(
        db,
        &[
            "officer",
            "add",
            "--name",
            "Huda",
            "--role",
            "duty_officer",
            "--centre",
            "TRP",
        ],
    );
    added
        .lines()
        .find_map(|l| l.strip_prefix("token: "))
        .unwrap()
        .to_string()
}

fn tls(dir: &Path, client: Option<&str>) -> TlsOptions {
    TlsOptions {
        ca_file: Some(dir.join("ca.pem")),
        client_cert: client.map(|c| dir.join(format!("client-{c}.pem"))),
        client_key: client.map(|c| dir.join(format!("client-{c}-key.pem"))),
    }
}

fn client(url: &str, token: &str, tls: &TlsOptions) -> Client {
    Client::configured(
        &[url.to_string()],
        token,
        std::time::Duration::from_secs(10),
        tls,
    )
    .unwrap()
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_a_generated_ca_for_the_api_and_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("t.db").display().to_string();
    let token = setup(d, &db);
    let (mut serve, url) = serve_binary_args(
        &db,
        &[
            "--tls-cert",
            arg(&d.join("server.pem")),
            "--tls-key",
            arg(&d.join("server-key.pem")),
        ],
        None,
    );
    assert!(url.starts_with("https://"), "{url}");

    // Trusting the deployment's CA, the API answers, with the security headers.
    let me = client(&url, &token, &tls(d, None)).me().await.unwrap();
    assert_eq!(me.name, "Huda");
    let ca = reqwest::Certificate::from_pem(&std::fs::read(d.join("ca.pem")).unwrap()).unwrap();
    let http = reqwest::Client::builder()
        .tls_certs_merge([ca])
        .build()
        .unwrap();
    let res = http
        .get(format!("{url}/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers();
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        h["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );

    // Without the CA the certificate is not trusted: no request is sent.
    let untrusted = client(&url, &token, &TlsOptions::default()).me().await;
    assert!(
        matches!(untrusted, Err(tandem::client::ClientError::Network(_))),
        "{untrusted:?}"
    );

    // Plain HTTP to the HTTPS port gets a clear answer, not a hang.
    let plain = url.replacen("https://", "http://", 1);
    let res = reqwest::get(format!("{plain}/healthz")).await.unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("HTTPS only"));

    // The console, configured with the CA, goes LIVE over HTTPS.
    let config = d.join("console.toml");
    std::fs::write(
        &config,
        format!("ca_file = \"{}\"\n", d.join("ca.pem").display()),
    )
    .unwrap();
    let mut term = Terminal::start(
        &[
            "console",
            "--server",
            &url,
            "--token",
            &token,
            "--config",
            arg(&config),
        ],
        d,
        120,
        40,
    );
    term.wait_for("LIVE", 60);
    term.keys(&["q"]);
    term.wait_exit(20);
    serve.kill().unwrap();
    let _ = serve.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutual_tls_refuses_a_client_without_a_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("t.db").display().to_string();
    let token = setup(d, &db);
    let (mut serve, url) = serve_binary_args(
        &db,
        &[
            "--tls-cert",
            arg(&d.join("server.pem")),
            "--tls-key",
            arg(&d.join("server-key.pem")),
            "--client-ca",
            arg(&d.join("ca.pem")),
        ],
        None,
    );
    let without = client(&url, &token, &tls(d, None)).me().await;
    assert!(
        matches!(without, Err(tandem::client::ClientError::Network(_))),
        "{without:?}"
    );
    let with = client(&url, &token, &tls(d, Some("BEN")))
        .me()
        .await
        .unwrap();
    assert_eq!(with.name, "Huda");
    serve.kill().unwrap();
    let _ = serve.wait();
}

#[test]
fn plain_http_is_refused_off_loopback_unless_insisted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db").display().to_string();
    let out = Command::new(BIN)
        .args(["serve", "--listen", "0.0.0.0:0", "--database", &db])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refusing to serve plain HTTP") && err.contains("--insecure-http"),
        "{err}"
    );
    assert!(
        !Path::new(&db).exists(),
        "nothing is created when serve refuses"
    );

    // Insisting works, with a warning.
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "0.0.0.0:0",
            "--database",
            &db,
            "--insecure-http",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert!(line.contains("serving on http://0.0.0.0:"), "{line}");
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("WARNING: serving plain HTTP"));
}

#[cfg(unix)]
#[tokio::test]
async fn database_outbox_and_keys_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("t.db");
    let token = setup(d, db.to_str().unwrap());
    assert!(!token.is_empty());
    assert_eq!(mode(&db), 0o600, "the database file");
    let wal = d.join("t.db-wal");
    if wal.exists() {
        assert_eq!(mode(&wal), 0o600, "its write-ahead log");
    }
    assert_eq!(mode(&d.join("server-key.pem")), 0o600);
    assert_eq!(mode(&d.join("client-TRP-key.pem")), 0o600);

    let outbox_dir = d.join("state/outbox");
    tandem::paths::private_dir(&outbox_dir).unwrap();
    assert_eq!(mode(&outbox_dir), 0o700);
    let outbox = outbox_dir.join("outbox.db");
    let _ = tandem::client::outbox::Outbox::open(&outbox).await.unwrap();
    assert_eq!(mode(&outbox), 0o600, "the console's outbox");
}
