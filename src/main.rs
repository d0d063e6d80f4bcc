//! The `tandem` command line: parses, then calls into the library.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use tandem::admin::cli::AdminCmd;
use tandem::{admin, server};

#[derive(Parser)]
#[command(
    name = "tandem",
    version,
    about = "Operations console of the Joint Border Security Centres"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// The full-screen console (the default when no command is given).
    Console(ConsoleArgs),
    /// Backend, seeded demo data, a simulator and the console, on this machine.
    Demo {
        /// Start from a new demo database.
        #[arg(long)]
        fresh: bool,
        /// Run only backend and simulator; print `url:` and `token:` lines.
        #[arg(long)]
        headless: bool,
        /// Simulator speed factor (2 = twice as busy).
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
        /// Directory for the demo database (default: the data dir).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Run the shared backend (HTTP API and live event stream).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8470")]
        listen: String,
        /// Database: a SQLite path or sqlite://PATH (default: tandem.db in the data dir).
        #[arg(long, env = "TANDEM_DATABASE")]
        database: Option<String>,
        /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Require client certificates signed by this CA (PEM): mutual TLS.
        #[arg(long, requires = "tls_cert")]
        client_ca: Option<PathBuf>,
        /// Serve plain HTTP on a non-loopback address (tokens cross the network readable).
        #[arg(long, conflicts_with = "tls_cert")]
        insecure_http: bool,
        /// Serve even when the check at start finds the record damaged (the
        /// findings are logged and recorded as an `audit.findings` event).
        #[arg(long)]
        accept_damaged: bool,
        /// Failed sign-ins per minute from one address (or with one token
        /// prefix) before it is answered 429 for the rest of the minute.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
        signin_failures_per_minute: u32,
        /// This centre's signing key (`tandem admin keys init`): the head of
        /// the log is signed with it every 5 minutes while it moves.
        #[arg(long)]
        signing_key: Option<PathBuf>,
        /// Both centres' public keys (`[trust] TRP = "…" BEN = "…"`), to check
        /// checkpoint signatures at start and in /audit/verify.
        #[arg(long)]
        trust: Option<PathBuf>,
    },
    /// Run the committed benchmarks (see BENCHMARKS.md); build with --release.
    Bench {
        /// Run `writes` and `sse` on PostgreSQL: a fresh database is made
        /// beside this URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) and dropped after.
        #[arg(long, global = true)]
        postgres: Option<String>,
        /// Server instances over that database.
        #[arg(long, global = true, default_value_t = 1)]
        instances: usize,
        #[command(subcommand)]
        workload: Option<tandem::bench::cli::BenchCmd>,
    },
    /// Officers, tokens and seed data, straight against the database.
    Admin {
        #[arg(long, env = "TANDEM_DATABASE", global = true)]
        database: Option<String>,
        #[command(subcommand)]
        command: AdminCmd,
    },
    /// Keep this centre's own verified copy of the record and check the
    /// server against it (exit status 3 on an alarm).
    Witness {
        #[command(flatten)]
        connection: ConsoleArgs,
        /// Directory of the witness's copy (witness.db).
        #[arg(long)]
        dir: PathBuf,
        /// Both centres' public keys (`[trust] TRP = "…" BEN = "…"`).
        #[arg(long)]
        trust: PathBuf,
        /// Check once (catch up, re-read the past, compare the served state) and exit.
        #[arg(long)]
        once: bool,
        /// Minutes between full checks while following (the past re-read).
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
        recheck_minutes: u64,
        /// How alarms name this witness (default: its account and centre).
        #[arg(long)]
        name: Option<String>,
    },
    /// Reports, through the API (server and token as for the console).
    Report {
        #[command(subcommand)]
        command: ReportCmd,
    },
    /// Incidents a search finds, as GeoJSON or CSV, through the API.
    Export {
        #[command(subcommand)]
        command: ExportCmd,
    },
    /// Check an exported record (`tandem admin audit export`) with nothing
    /// but the file and the centres' public keys.
    Audit {
        #[command(subcommand)]
        command: AuditFileCmd,
    },
}

#[derive(Subcommand)]
enum ReportCmd {
    /// What happened at one centre over a shift, a window or a day.
    Shift {
        #[command(flatten)]
        connection: ConsoleArgs,
        #[arg(long)]
        centre: tandem::model::Centre,
        /// A shift's id: its start to its end (or now).
        #[arg(long, conflicts_with_all = ["from", "last", "day"])]
        shift: Option<uuid::Uuid>,
        /// Start (RFC 3339), with --to (default now).
        #[arg(long, conflicts_with_all = ["last", "day"])]
        from: Option<String>,
        #[arg(long, requires = "from")]
        to: Option<String>,
        /// The last hours or minutes (`8h`, `90m`).
        #[arg(long, conflicts_with = "day")]
        last: Option<String>,
        /// A day, 00:00 to 24:00 Libya time (`2026-11-30`).
        #[arg(long)]
        day: Option<String>,
        #[arg(long, default_value = "md", value_parser = ["md", "csv", "json", "html"])]
        format: String,
        /// Write here (0600) rather than to standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ExportCmd {
    /// Every incident matching the filters, newest first, streamed to a file.
    Incidents {
        #[command(flatten)]
        connection: ConsoleArgs,
        #[arg(long, value_parser = ["csv", "geojson"])]
        format: String,
        /// Reported at or after (RFC 3339).
        #[arg(long)]
        since: Option<String>,
        /// Reported before (RFC 3339).
        #[arg(long)]
        until: Option<String>,
        /// CSV: a byte-order mark first, for spreadsheets that need it for Arabic.
        #[arg(long)]
        bom: bool,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditFileCmd {
    /// Walk the exported log: every link, every hash, every checkpoint's
    /// signature (with --trust). Exit status 3 on any finding.
    Verify {
        file: PathBuf,
        /// Both centres' public keys (`[trust] TRP = "…" BEN = "…"`).
        #[arg(long)]
        trust: Option<PathBuf>,
    },
}

#[derive(clap::Args, Default)]
struct ConsoleArgs {
    /// Backend URL (overrides TANDEM_SERVER and the config file).
    #[arg(long)]
    server: Option<String>,
    /// Bearer token (overrides TANDEM_TOKEN and the config file).
    #[arg(long)]
    token: Option<String>,
    /// Config file (default: the platform config dir's tandem/config.toml).
    #[arg(long)]
    config: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => console(ConsoleArgs::default()).await,
        Some(Cmd::Console(args)) => console(args).await,
        Some(Cmd::Demo {
            fresh,
            headless,
            speed,
            listen,
            dir,
        }) => {
            let _guard = if headless {
                None
            } else {
                tandem::console::run::log_to_file()
            };
            if headless {
                init_stderr_logs();
            }
            tandem::demo::run(tandem::demo::DemoOptions {
                fresh,
                headless,
                speed,
                listen,
                dir,
            })
            .await
        }
        Some(Cmd::Serve {
            listen,
            database,
            tls_cert,
            tls_key,
            client_ca,
            insecure_http,
            accept_damaged,
            signin_failures_per_minute,
            signing_key,
            trust,
        }) => {
            init_stderr_logs();
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(server::tls::TlsFiles {
                    cert,
                    key,
                    client_ca,
                }),
                _ => None,
            };
            if tls.is_none() {
                let addrs: Vec<_> = tokio::net::lookup_host(&listen)
                    .await
                    .with_context(|| format!("cannot listen on {listen}"))?
                    .collect();
                if let Some(refusal) = server::tls::plain_http_refusal(&addrs, insecure_http) {
                    anyhow::bail!(refusal);
                }
                if insecure_http && addrs.iter().any(|a| !a.ip().is_loopback()) {
                    eprintln!(
                        "WARNING: serving plain HTTP on {listen}: tokens and reports cross the \
                         network unencrypted"
                    );
                }
            }
            let scheme = if tls.is_some() { "https" } else { "http" };
            let signer = signing_key
                .map(|path| admin::keys::load_signer(&path))
                .transpose()?
                .map(std::sync::Arc::new);
            let trust = match trust {
                Some(path) => admin::keys::load_trust(&path)?,
                None => Default::default(),
            };
            let store = admin::cli::open(database).await?;
            admin::audit::check_at_start(store.as_ref(), &trust, accept_damaged).await?;
            let settings = server::Settings {
                tls,
                signin_failures_per_minute,
                signer,
                trust,
                ..server::Settings::default()
            };
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .with_context(|| format!("cannot listen on {listen}"))?;
            let running =
                server::spawn_with(store, listener, settings).context("setting up TLS")?;
            println!("tandem serving on {scheme}://{}", running.addr);
            let stop = running.stopper();
            tokio::spawn(async move {
                tandem::signal::shutdown().await;
                tracing::info!("shutting down: finishing requests in flight");
                let _ = stop.send(true);
            });
            running.wait().await?;
            Ok(())
        }
        Some(Cmd::Bench {
            postgres,
            instances,
            workload,
        }) => {
            let target = tandem::bench::Target {
                postgres,
                instances,
                checkpoint_every: None,
                no_attention: false,
            };
            tandem::bench::cli::run(&target, workload).await
        }
        Some(Cmd::Admin { database, command }) => admin::cli::run(database, command).await,
        Some(Cmd::Witness {
            connection,
            dir,
            trust,
            once,
            recheck_minutes,
            name,
        }) => {
            init_stderr_logs();
            let client = connect(connection)?;
            let options = tandem::witness::Options {
                dir,
                trust: admin::keys::load_trust(&trust)?,
                once,
                recheck: std::time::Duration::from_secs(recheck_minutes.saturating_mul(60)),
                name,
            };
            match tandem::witness::run(&client, options).await? {
                tandem::witness::Verdict::Whole(summary) => {
                    println!("witness: {summary}");
                    Ok(())
                }
                tandem::witness::Verdict::Alarm(found) => {
                    eprintln!(
                        "tandem witness: the record is not as this witness holds it: {} finding(s)",
                        found.total
                    );
                    std::process::exit(3);
                }
            }
        }
        Some(Cmd::Report {
            command:
                ReportCmd::Shift {
                    connection,
                    centre,
                    shift,
                    from,
                    to,
                    last,
                    day,
                    format,
                    out,
                },
        }) => {
            let client = connect(connection)?;
            let window = tandem::client::report::Window {
                shift,
                from,
                to,
                last,
                day,
            };
            let text = tandem::client::report::render(&client, centre, window, &format).await?;
            match out {
                Some(path) => tandem::paths::write_file(&path, text.as_bytes(), true)?,
                None => print!("{text}"),
            }
            Ok(())
        }
        Some(Cmd::Export {
            command:
                ExportCmd::Incidents {
                    connection,
                    format,
                    since,
                    until,
                    bom,
                    out,
                },
        }) => {
            let client = connect(connection)?;
            let q = tandem::api::export::ExportQuery {
                since,
                until,
                bom: Some(bom),
                format: serde_json::from_value(serde_json::json!(format))?,
                ..Default::default()
            };
            let bytes = client.export_incidents(&q, &out).await?;
            println!("wrote {} ({bytes} bytes)", out.display());
            Ok(())
        }
        Some(Cmd::Audit {
            command: AuditFileCmd::Verify { file, trust },
        }) => admin::export::run_verify(&file, trust.as_deref()),
    }
}

fn init_stderr_logs() {
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .try_init();
}

/// A client as the console would make one: server, token and TLS from the
/// command line, the environment and the config file.
fn connect(args: ConsoleArgs) -> anyhow::Result<tandem::client::Client> {
    use tandem::console::config::Config;
    let path = match args.config {
        Some(p) => p,
        None => {
            Config::default_path().context("cannot find the config directory; pass --config")?
        }
    };
    let config = Config::load(&path)?.with(args.server, args.token);
    let token = config
        .token
        .clone()
        .context("no token: pass --token, set TANDEM_TOKEN or put `token` in the config file")?;
    Ok(tandem::client::Client::configured(
        &config.all_servers(),
        &token,
        tandem::client::LINK_TIMEOUT,
        &config.tls(),
    )?)
}

async fn console(args: ConsoleArgs) -> anyhow::Result<()> {
    use tandem::console::config::Config;
    let path = match args.config {
        Some(p) => p,
        None => {
            Config::default_path().context("cannot find the config directory; pass --config")?
        }
    };
    let config = Config::load(&path)?.with(args.server, args.token);
    let _guard = tandem::console::run::log_to_file();
    tandem::console::run(config).await
}
