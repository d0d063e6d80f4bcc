//! `tandem demo`: the real backend in-process on 127.0.0.1, seeded with the
//! agencies, units, places and three days of history, a simulator keeping it
//! alive over HTTP, and the console logged in as a TRP duty officer.

pub mod history;
pub mod rng;
pub mod scenario;
pub mod simulator;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::admin;
use crate::client::Client;
use crate::model::{Centre, Officer, Role, token};
use crate::store::{self, Store};

pub struct DemoOptions {
    pub fresh: bool,
    pub headless: bool,
    pub speed: f64,
    pub listen: String,
    /// Where the demo database lives (default: the data dir).
    pub dir: Option<PathBuf>,
}

/// The demo's officers and their tokens, kept beside the demo database.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Credentials {
    pub duty: String,
    pub ben_duty: String,
    pub trp_colleague: String,
    pub supervisor: String,
    /// Benghazi's supervisor (absent from demos made before ownership by centre).
    #[serde(default)]
    pub ben_supervisor: Option<String>,
    pub system: String,
    /// agency id → liaison token.
    pub liaisons: HashMap<Uuid, String>,
}

/// A running demo backend.
pub struct Demo {
    pub url: String,
    pub credentials: Credentials,
    server: crate::server::Running,
    stop_sim: tokio::sync::watch::Sender<bool>,
}

impl Demo {
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.stop_sim.send(true);
        self.server.shutdown().await?;
        Ok(())
    }
}

/// Starts backend and simulator (not the console).
pub async fn start(opts: &DemoOptions) -> anyhow::Result<Demo> {
    let dir = match &opts.dir {
        Some(d) => d.clone(),
        None => crate::paths::data_dir()?,
    };
    crate::paths::private_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let db = dir.join("demo.db");
    let creds_path = dir.join("demo-officers.json");
    if opts.fresh {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        let _ = std::fs::remove_file(&creds_path);
    }
    let store = store::open(&db.display().to_string())
        .await
        .with_context(|| format!("opening {}", db.display()))?;
    let mut fresh = false;
    let credentials = match read_credentials(&creds_path) {
        Some(c)
            if !store
                .agencies(&crate::model::Viewer::everything())
                .await?
                .is_empty() =>
        {
            let now = time::OffsetDateTime::now_utc();
            let usable = store
                .authenticate(&crate::model::officer::token_hash(&c.duty))
                .await?
                .is_some_and(|cred| cred.token.refusal(now).is_none());
            if !usable {
                anyhow::bail!(
                    "the demo officers' tokens in {} have expired (they live a week); \
                     run `tandem demo --fresh`",
                    creds_path.display()
                );
            }
            c
        }
        _ => {
            if !store
                .agencies(&crate::model::Viewer::everything())
                .await?
                .is_empty()
            {
                anyhow::bail!(
                    "{} exists but its officers' tokens are gone; run `tandem demo --fresh`",
                    db.display()
                );
            }
            let c = populate(store.as_ref()).await?;
            crate::paths::write_file(&creds_path, &serde_json::to_vec_pretty(&c)?, true)?;
            fresh = true;
            c
        }
    };
    let listener = tokio::net::TcpListener::bind(&opts.listen)
        .await
        .with_context(|| format!("cannot listen on {}", opts.listen))?;
    let server = crate::server::spawn(store, listener)?;
    let url = format!("http://{}", server.addr);
    if fresh {
        shifts_on_stage(&url, &credentials).await;
    }
    // Benghazi's duty officer is connected (presence) while the demo runs.
    let ben = Client::new(&url, &credentials.ben_duty)?;
    tokio::spawn(async move {
        if let Ok(mut stream) = ben.events(0).await {
            while let Some(Ok(_)) = stream.next().await {}
        }
    });
    let crew = crew(&url, &credentials)?;
    let (stop_sim, stop) = tokio::sync::watch::channel(false);
    tokio::spawn(simulator::run(
        crew,
        crate::reference::Seed::embedded().place,
        opts.speed,
        stop,
    ));
    Ok(Demo {
        url,
        credentials,
        server,
        stop_sim,
    })
}

/// Officers on shift at both centres, and the night shift's handover from
/// Omar waiting for the console's officer (`:shift start`, `:ack-handover`).
async fn shifts_on_stage(url: &str, c: &Credentials) {
    let key = crate::client::new_key;
    let result: anyhow::Result<()> = async {
        let omar = Client::new(url, &c.trp_colleague)?;
        let night = omar.start_shift(&key()).await?;
        omar.end_shift(
            &key(),
            night.id,
            "Ras Ajdir busy all night; the Zuwara boat report still open — ask LCG-W for an update",
        )
        .await?;
        Client::new(url, &c.supervisor)?.start_shift(&key()).await?;
        Client::new(url, &c.ben_duty)?.start_shift(&key()).await?;
        if let Some(t) = &c.ben_supervisor {
            Client::new(url, t)?.start_shift(&key()).await?;
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        tracing::warn!("demo: putting officers on shift: {e:#}");
    }
}

fn read_credentials(path: &Path) -> Option<Credentials> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

fn crew(url: &str, c: &Credentials) -> anyhow::Result<simulator::Crew> {
    Ok(simulator::Crew {
        system: Client::new(url, &c.system)?,
        ben_duty: Client::new(url, &c.ben_duty)?,
        trp_colleague: Client::new(url, &c.trp_colleague)?,
        supervisor: Client::new(url, &c.supervisor)?,
        ben_supervisor: c
            .ben_supervisor
            .as_deref()
            .map(|t| Client::new(url, t))
            .transpose()?,
        liaisons: c
            .liaisons
            .iter()
            .map(|(a, t)| Ok((*a, Client::new(url, t)?)))
            .collect::<anyhow::Result<_>>()?,
    })
}

/// Seeds a new demo database and creates its officers.
async fn populate(store: &dyn Store) -> anyhow::Result<Credentials> {
    let seed = crate::reference::Seed::embedded();
    crate::admin::load_seed(&seed, store).await?;
    // Demo tokens live as long as tokens may, so a demo can be picked up
    // again for a week.
    let hours = |role| {
        Some(if role == Role::System {
            token::MAX_SYSTEM_HOURS
        } else {
            token::MAX_OFFICER_HOURS
        })
    };
    let add = |name: &'static str, role: Role, centre: Centre, agency: Option<String>| async move {
        admin::add_officer_for(store, name, role, centre, agency.as_deref(), hours(role)).await
    };
    let (duty_o, duty) = add("Salem Al-Mabrouk", Role::DutyOfficer, Centre::Trp, None).await?;
    let (ben_o, ben_duty) = add("Fatima Al-Obeidi", Role::DutyOfficer, Centre::Ben, None).await?;
    let (col_o, trp_colleague) =
        add("Omar Al-Tarhouni", Role::DutyOfficer, Centre::Trp, None).await?;
    let (sup_o, supervisor) =
        add("Col. Khalid Ben Ali", Role::Supervisor, Centre::Trp, None).await?;
    let (_, ben_supervisor) =
        add("Maj. Aisha Al-Barasi", Role::Supervisor, Centre::Ben, None).await?;
    let (_, system) = add("Sensor and field feed", Role::System, Centre::Trp, None).await?;
    let agencies = store.agencies(&crate::model::Viewer::everything()).await?;
    let mut liaisons = HashMap::new();
    for a in &agencies {
        let centre = if a.region == crate::model::Region::East {
            Centre::Ben
        } else {
            Centre::Trp
        };
        let name = format!("Liaison {}", a.code);
        let (_, token) = admin::add_officer_for(
            store,
            &name,
            Role::Liaison,
            centre,
            Some(&a.code),
            hours(Role::Liaison),
        )
        .await?;
        liaisons.insert(a.id, token);
    }
    let officers: Vec<Officer> = vec![duty_o, ben_o, col_o, sup_o];
    let mut rng = rng::Rng::from_time();
    history::load(store, &seed.place, &agencies, &officers, 160, 70, &mut rng).await?;
    Ok(Credentials {
        duty,
        ben_duty,
        trp_colleague,
        supervisor,
        ben_supervisor: Some(ben_supervisor),
        system,
        liaisons,
    })
}

/// `tandem demo`: backend + simulator, then the console (or, headless, the URL and a token).
pub async fn run(opts: DemoOptions) -> anyhow::Result<()> {
    let demo = start(&opts).await?;
    if opts.headless {
        println!("url: {}", demo.url);
        println!("token: {}", demo.credentials.duty);
        use std::io::Write;
        std::io::stdout().flush()?;
        crate::signal::shutdown().await;
    } else {
        let mut config = crate::console::config::Config::load(
            &crate::console::config::Config::default_path().unwrap_or_default(),
        )?;
        config.server = demo.url.clone();
        config.token = Some(demo.credentials.duty.clone());
        crate::console::run(config).await?;
    }
    demo.shutdown().await
}
