//! A real server on 127.0.0.1 (port 0), seeded, with one officer per role,
//! over a fresh SQLite file — or, with `TANDEM_TEST_STORE=postgres`, over a
//! fresh PostgreSQL database made on `TANDEM_TEST_POSTGRES_URL` and dropped
//! afterwards. The same tests run against both stores.
#![allow(dead_code)]

pub mod postgres;
pub mod pty;

use std::collections::HashMap;
use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use tandem::admin;
use tandem::api::{Agency, Incident, NewIncident, NewTask, Task, Unit};
use tandem::client::{Client, new_key};
use tandem::model::Location;
use tandem::model::{Category, Centre, Officer, Role, Severity};
use tandem::reference::Seed;
use tandem::server::{self, Running};
use tandem::store::{self, Store};

pub struct TestServer {
    pub url: String,
    pub store: Arc<dyn Store>,
    pub db_path: std::path::PathBuf,
    pub officers: HashMap<Role, (Officer, String)>,
    /// The agency the liaison acts for, and one it does not.
    pub agency: Agency,
    pub other_agency: Agency,
    running: Option<Running>,
    /// (admin URL, database) of a PostgreSQL test database to drop.
    postgres: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

/// The store the tests run against this time.
pub fn postgres_requested() -> bool {
    std::env::var("TANDEM_TEST_STORE").is_ok_and(|s| s == "postgres")
}

/// Makes a fresh PostgreSQL database; returns (admin URL, name, URL of the new one).
pub async fn fresh_postgres() -> (String, String, String) {
    use sqlx::Connection;
    let admin = std::env::var("TANDEM_TEST_POSTGRES_URL")
        .expect("TANDEM_TEST_STORE=postgres needs TANDEM_TEST_POSTGRES_URL");
    let name = format!("tandem_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("PostgreSQL is reachable");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut conn)
        .await
        .unwrap();
    let base = admin
        .rsplit_once('/')
        .map(|(b, _)| b.to_string())
        .unwrap_or(admin.clone());
    (admin.clone(), name.clone(), format!("{base}/{name}"))
}

pub fn drop_postgres(admin: String, name: String) {
    let _ = std::thread::spawn(move || {
        use sqlx::Connection;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                )))
                .execute(&mut c)
                .await;
            }
        })
    })
    .join();
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.postgres.take() {
            drop_postgres(admin, name);
        }
    }
}

impl TestServer {
    pub async fn start() -> TestServer {
        TestServer::start_with(server::Settings::default()).await
    }

    /// [`TestServer::start`] with other server settings (shorter timeouts).
    pub async fn start_with(settings: server::Settings) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let db_path = dir.path().join("tandem.db");
        let (url, postgres) = if postgres_requested() {
            let (admin, name, url) = fresh_postgres().await;
            (url, Some((admin, name)))
        } else {
            (db_path.display().to_string(), None)
        };
        let store = store::open(&url).await.unwrap();
        admin::load_seed(&Seed::embedded(), store.as_ref())
            .await
            .unwrap();
        let agencies = store
            .agencies(&tandem::model::Viewer::everything())
            .await
            .unwrap();
        let agency = agencies.iter().find(|a| a.code == "LCG-W").unwrap().clone();
        let other_agency = agencies.iter().find(|a| a.code == "LBG-E").unwrap().clone();
        let mut officers = HashMap::new();
        for role in Role::ALL {
            let agency_code = (*role == Role::Liaison).then_some("LCG-W");
            let o = admin::add_officer(
                store.as_ref(),
                &format!("{role} officer"),
                *role,
                Centre::Trp,
                agency_code,
            )
            .await
            .unwrap();
            officers.insert(*role, o);
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = server::spawn_with(store.clone(), listener, settings).unwrap();
        TestServer {
            url: format!("http://{}", running.addr),
            store,
            db_path,
            officers,
            agency,
            other_agency,
            running: Some(running),
            postgres,
            _dir: dir,
        }
    }

    pub fn token(&self, role: Role) -> &str {
        &self.officers[&role].1
    }

    pub fn officer(&self, role: Role) -> &Officer {
        &self.officers[&role].0
    }

    pub fn client(&self, role: Role) -> Client {
        Client::new(&self.url, self.token(role)).unwrap()
    }

    pub async fn head(&self) -> u64 {
        self.store.head().await.unwrap()
    }

    /// The database the server runs on, as `tandem serve --database` takes it.
    pub fn database_url(&self) -> String {
        match &self.postgres {
            Some((admin, name)) => format!("{}/{name}", admin.rsplit_once('/').unwrap().0),
            None => self.db_path.display().to_string(),
        }
    }

    /// Runs SQL straight on the database, behind the server's back.
    pub async fn raw_execute(&self, sql: &str) {
        match &self.postgres {
            Some((admin, name)) => {
                let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
                let pool = sqlx::PgPool::connect(&url).await.unwrap();
                sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            None => {
                let pool =
                    sqlx::SqlitePool::connect(&format!("sqlite://{}", self.db_path.display()))
                        .await
                        .unwrap();
                sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                    .execute(&pool)
                    .await
                    .unwrap();
            }
        }
    }

    /// One integer from a query run straight on the database.
    pub async fn raw_i64(&self, sql: &str) -> i64 {
        match &self.postgres {
            Some((admin, name)) => {
                let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
                let pool = sqlx::PgPool::connect(&url).await.unwrap();
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
            None => {
                let pool =
                    sqlx::SqlitePool::connect(&format!("sqlite://{}", self.db_path.display()))
                        .await
                        .unwrap();
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        }
    }

    pub async fn shutdown(mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await.unwrap();
        }
    }

    /// A new incident reported by the duty officer.
    pub async fn incident(&self, title: &str) -> Incident {
        self.client(Role::DutyOfficer)
            .create_incident(&new_key(), &new_incident(title))
            .await
            .unwrap()
    }

    /// A task for the liaison's agency on `incident`.
    pub async fn task(&self, incident: &Incident) -> Task {
        self.client(Role::DutyOfficer)
            .create_task(
                &new_key(),
                incident.id,
                &NewTask {
                    tlp: Default::default(),
                    shared_with: Vec::new(),
                    agency_id: self.agency.id,
                    title: "Intercept the boat off Zuwara".into(),
                    unit_id: None,
                    priority: None,
                    due_at: None,
                },
            )
            .await
            .unwrap()
    }

    pub async fn unit_of(&self, agency: &Agency) -> Unit {
        self.store
            .units(&tandem::model::Viewer::everything())
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.agency_id == agency.id)
            .unwrap()
    }
}

/// Sends a raw request; returns status, content type and JSON body.
pub async fn send(
    ts: &TestServer,
    role: Option<Role>,
    method: Method,
    path: &str,
    headers: &[(&str, String)],
    body: Option<String>,
) -> (StatusCode, String, Value) {
    let mut rb = reqwest::Client::new().request(method, format!("{}{path}", ts.url));
    if let Some(r) = role {
        rb = rb.bearer_auth(ts.token(r));
    }
    for (k, v) in headers {
        rb = rb.header(*k, v);
    }
    if let Some(b) = body {
        rb = rb.header("content-type", "application/json").body(b);
    }
    let res = rb.send().await.unwrap();
    let status = res.status();
    let ctype = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let text = res.text().await.unwrap();
    (
        status,
        ctype,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

pub fn new_incident(title: &str) -> NewIncident {
    NewIncident {
        tlp: Default::default(),
        shared_with: Vec::new(),
        title: title.to_string(),
        category: Category::SmugglingFuel,
        severity: Severity::High,
        location: Location {
            lat: 33.1494989,
            lon: 11.5679306,
            sector: Some("Ras Ajdir".into()),
            crossing: Some("Ras Ajdir".into()),
        },
        description: "Tanker trucks queuing off-road south of the crossing".into(),
        source: None,
        occurred_at: None,
        centre: None,
        lead_agency_id: None,
        supporting_agency_ids: vec![],
        tags: vec![],
    }
}

/// Runs `tandem admin --database DB ARGS…` (the real binary) and returns its output.
pub fn bin_admin(db: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["admin", "--database", db])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `tandem serve` (the real binary) on port 0 over `db`; returns the
/// process and its URL. Its log goes to `log` when given.
pub fn serve_binary_with(db: &str, log: Option<&std::path::Path>) -> (std::process::Child, String) {
    serve_binary_args(db, &[], log)
}

/// [`serve_binary_with`] with more flags (`--tls-cert …`); the URL is
/// `http://` or `https://` as the server says.
pub fn serve_binary_args(
    db: &str,
    extra: &[&str],
    log: Option<&std::path::Path>,
) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let stderr = match log {
        Some(path) => Stdio::from(std::fs::File::create(path).unwrap()),
        None => Stdio::null(),
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database", db])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") || url.starts_with("https://127.0.0.1:"),
        "serve printed `{line}`"
    );
    (child, url)
}

pub fn serve_binary(db: &str) -> (std::process::Child, String) {
    serve_binary_with(db, None)
}

/// A frame of the console drawn into ratatui's TestBackend.
pub fn render_buffer(app: &tandem::console::app::App, w: u16, h: u16) -> ratatui::buffer::Buffer {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    t.draw(|f| tandem::console::view::draw(f, app)).unwrap();
    t.backend().buffer().clone()
}

/// A frame of the console as lines of text.
pub fn render(app: &tandem::console::app::App, w: u16, h: u16) -> Vec<String> {
    let buf = render_buffer(app, w, h);
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}
