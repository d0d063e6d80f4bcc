//! `tandem bench`: the committed benchmarks behind BENCHMARKS.md.
//!
//! Each workload starts the real server in-process on 127.0.0.1 over a fresh
//! SQLite file and drives it over real HTTP; the load generator shares the
//! machine, as the targets require.

pub mod cli;
mod console;
mod export;
mod offline;
pub mod proxy;
mod report;
mod snapshot;
mod sse;
mod verify;
mod witness;
mod writes;

use std::sync::Arc;
use std::time::Duration;

use crate::admin;
use crate::model::{Centre, Officer, Role};
use crate::reference::Seed;
use crate::server::{self, Running};
use crate::store::{self, Store};

pub use console::console;
pub use offline::offline;
pub use report::report;
pub use snapshot::snapshot;
pub use sse::sse;
pub use verify::verify;
pub use witness::witness;
pub use writes::{incident as writes_incident, writes};

/// Which store a benchmark runs on.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// A PostgreSQL URL to make a fresh database next to (None: SQLite in the temp dir).
    pub postgres: Option<String>,
    /// Server instances over that database (PostgreSQL only).
    pub instances: usize,
    /// Sign a checkpoint this often (with a bench key) while the log moves.
    pub checkpoint_every: Option<Duration>,
    /// Streams without their attention queue (to measure what it costs).
    pub no_attention: bool,
}

impl Target {
    pub fn describe(&self) -> String {
        let store = match &self.postgres {
            Some(_) => format!("PostgreSQL, {} instance(s)", self.instances.max(1)),
            None => "SQLite".into(),
        };
        let store = if self.no_attention {
            format!("{store}, no attention queue")
        } else {
            store
        };
        match self.checkpoint_every {
            Some(every) => format!("{store}, a checkpoint signed every {every:?}"),
            None => store,
        }
    }
}

/// A server over a fresh database in a temporary directory.
pub struct BenchServer {
    pub url: String,
    /// Every instance's URL (the first is `url`).
    pub urls: Vec<String>,
    others: Vec<Running>,
    /// (admin URL, name) of a fresh PostgreSQL database to drop afterwards.
    postgres: Option<(String, String)>,
    pub store: Arc<dyn Store>,
    pub db_path: std::path::PathBuf,
    pub duty: (Officer, String),
    pub liaison: (Officer, String),
    running: Running,
    _dir: tempfile_dir::Dir,
}

mod tempfile_dir {
    /// A directory removed on drop (std only, to keep benches dependency-free).
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl BenchServer {
    pub async fn start() -> anyhow::Result<BenchServer> {
        BenchServer::start_on(&Target::default()).await
    }

    pub async fn start_on(target: &Target) -> anyhow::Result<BenchServer> {
        let dir = std::env::temp_dir().join(format!("tandem-bench-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir)?;
        let db_path = dir.join("bench.db");
        let (url, postgres) = match &target.postgres {
            Some(admin_url) => {
                let name = format!("tandem_bench_{}", uuid::Uuid::new_v4().simple());
                let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(admin_url).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(&mut c)
                    .await?;
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(b, _)| b)
                    .unwrap_or(admin_url);
                (format!("{base}/{name}"), Some((admin_url.clone(), name)))
            }
            None => (db_path.display().to_string(), None),
        };
        let store = store::open(&url).await?;
        crate::admin::load_seed(&Seed::embedded(), store.as_ref()).await?;
        let duty = admin::add_officer(
            store.as_ref(),
            "Bench duty",
            Role::DutyOfficer,
            Centre::Trp,
            None,
        )
        .await?;
        let liaison = admin::add_officer(
            store.as_ref(),
            "Bench liaison",
            Role::Liaison,
            Centre::Trp,
            Some("LCG-W"),
        )
        .await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let mut settings = match target.checkpoint_every {
            Some(every) => server::Settings {
                signer: Some(Arc::new(crate::model::checkpoint::Signer::from_secret(
                    Centre::Trp,
                    [5; 32],
                ))),
                checkpoint_every: every,
                ..server::Settings::default()
            },
            None => server::Settings::default(),
        };
        settings.attention = !target.no_attention;
        let running = server::spawn_with(store.clone(), listener, settings)?;
        let mut urls = vec![format!("http://{}", running.addr)];
        let mut others = Vec::new();
        for _ in 1..target.instances.max(1) {
            let s = store::open(&url).await?;
            let r = server::spawn_with(
                s,
                tokio::net::TcpListener::bind("127.0.0.1:0").await?,
                server::Settings {
                    attention: !target.no_attention,
                    ..server::Settings::default()
                },
            )?;
            urls.push(format!("http://{}", r.addr));
            others.push(r);
        }
        Ok(BenchServer {
            url: urls[0].clone(),
            urls,
            others,
            postgres,
            store,
            db_path,
            duty,
            liaison,
            running,
            _dir: tempfile_dir::Dir(dir),
        })
    }

    /// The first agency of the seed: the one the benches' tasks go to.
    pub async fn first_agency(&self) -> anyhow::Result<uuid::Uuid> {
        let all = self
            .store
            .agencies(&crate::model::Viewer::everything())
            .await?;
        Ok(all.first().map(|a| a.id).unwrap_or_default())
    }

    pub async fn stop(self) -> anyhow::Result<()> {
        for r in self.others {
            r.shutdown().await?;
        }
        self.running.shutdown().await?;
        if let Some((admin_url, name)) = self.postgres {
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .execute(&mut c)
            .await?;
        }
        Ok(())
    }

    /// The database URL the benchmark wrote to (PostgreSQL) or None (SQLite).
    pub fn postgres_url(&self) -> Option<String> {
        self.postgres.as_ref().map(|(admin, name)| {
            format!(
                "{}/{name}",
                admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin)
            )
        })
    }
}

/// Percentile of sorted samples.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Resident set size now and its peak, in MiB (Linux; zero elsewhere).
pub fn rss_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets the peak RSS counter so a phase can measure its own peak.
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
