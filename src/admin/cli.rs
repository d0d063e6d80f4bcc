//! `tandem admin` on the command line: its subcommands (clap) and what
//! each prints. The work itself is in [`super`].

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Subcommand;

use crate::model::{Centre, Role};
use crate::{paths, store};

#[derive(Subcommand)]
pub enum AdminCmd {
    /// Manage officers and their tokens.
    Officer {
        #[command(subcommand)]
        command: OfficerCmd,
    },
    /// Load agencies and units (from FILE, or the embedded config/seed.toml).
    Seed { file: Option<PathBuf> },
    /// Certificates for HTTPS between the centres.
    Tls {
        #[command(subcommand)]
        command: TlsCmd,
    },
    /// Check the record: the hash chain, and every row against its last event.
    Audit {
        #[command(subcommand)]
        command: AuditCmd,
    },
    /// The centre's signing key for checkpoints.
    Keys {
        #[command(subcommand)]
        command: KeysCmd,
    },
}

#[derive(Subcommand)]
pub enum KeysCmd {
    /// Make the centre's Ed25519 signing key (0600) and print its trust line.
    Init {
        /// TRP or BEN.
        #[arg(long)]
        centre: Centre,
        /// Where to write the key (refused if it exists).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Walk the chain and compare every row with its last event; list every
    /// finding. Exit status 3 when there is any.
    Verify {
        /// Both centres' public keys (`[trust] TRP = "…"`): checkpoint
        /// signatures are checked against them.
        #[arg(long)]
        trust: Option<PathBuf>,
    },
    /// Write the log as JSON Lines (one event a line, exactly as hashed,
    /// checkpoints included), 0600: `tandem audit verify FILE` checks it.
    Export {
        /// Only the events after this seq.
        #[arg(long, default_value_t = 0)]
        since: u64,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum TlsCmd {
    /// Write a test CA, a server certificate and a client certificate per centre.
    SelfSigned {
        /// Directory to write the PEM files into.
        #[arg(long)]
        dir: PathBuf,
        /// A name or address the server is reached by (repeat for more).
        #[arg(long = "host", required = true)]
        hosts: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum OfficerCmd {
    /// Add an officer and print their token (shown once).
    Add {
        #[arg(long)]
        name: String,
        /// observer, duty_officer, supervisor, liaison or system.
        #[arg(long)]
        role: Role,
        /// TRP or BEN.
        #[arg(long)]
        centre: Centre,
        /// The agency code a liaison acts for (e.g. LCG-W).
        #[arg(long)]
        agency: Option<String>,
        /// Hours the token lives (default 12; at most 168, 720 for system).
        #[arg(long)]
        hours: Option<u32>,
    },
    List,
    /// Issue a new token to an officer (rotation); printed once.
    Token {
        id: String,
        /// Hours the token lives (default 12; at most 168, 720 for system).
        #[arg(long)]
        hours: Option<u32>,
        /// Revoke the officer's other tokens.
        #[arg(long)]
        revoke_old: bool,
    },
    /// Revoke an officer's token.
    Revoke {
        id: String,
    },
}

/// Opens the database a `--database` names, or the default one.
pub async fn open(database: Option<String>) -> anyhow::Result<Arc<dyn store::Store>> {
    let url = match database {
        Some(d) => d,
        None => paths::default_database()?,
    };
    store::open(&url)
        .await
        .with_context(|| format!("opening the database {url}"))
}

pub async fn run(database: Option<String>, command: AdminCmd) -> anyhow::Result<()> {
    match command {
        AdminCmd::Audit {
            command: AuditCmd::Export { since, out },
        } => {
            let (count, last) =
                super::export::export(open(database).await?.as_ref(), since, &out).await?;
            println!("wrote {count} events (to seq {last}) to {}", out.display());
        }
        AdminCmd::Keys {
            command: KeysCmd::Init { centre, out },
        } => {
            let signer = super::keys::init(centre, &out)?;
            println!(
                "wrote {} (keep it secret; serve --signing-key {})",
                out.display(),
                out.display()
            );
            println!("give both centres this line for their trust file, under [trust]:");
            println!("{centre} = \"{}\"", signer.public_hex());
        }
        AdminCmd::Audit {
            command: AuditCmd::Verify { trust },
        } => {
            let trust = match trust {
                Some(path) => super::keys::load_trust(&path)?,
                None => Default::default(),
            };
            let report = open(database).await?.verify(&trust).await?;
            println!("{} events, head {}", report.events, report.head);
            for f in &report.findings {
                println!("{f}");
            }
            if report.findings_total > report.findings.len() as u64 {
                println!(
                    "… and {} more",
                    report.findings_total - report.findings.len() as u64
                );
            }
            if !report.ok {
                println!(
                    "{} finding(s): the record is damaged",
                    report.findings_total
                );
                std::process::exit(3);
            }
            println!("the record is whole");
        }
        AdminCmd::Tls {
            command: TlsCmd::SelfSigned { dir, hosts },
        } => {
            let written = super::tls::self_signed(&dir, &hosts)?;
            for f in written.files {
                println!("wrote {}", f.display());
            }
            println!(
                "serve with --tls-cert server.pem --tls-key server-key.pem [--client-ca ca.pem]; \
                 clients set ca_file = ca.pem (and client_cert/client_key for mutual TLS)"
            );
        }
        AdminCmd::Seed { file } => {
            let store = open(database).await?;
            let s = super::seed(store.as_ref(), file.as_deref()).await?;
            println!(
                "seeded {} agencies and {} units ({} agencies were already there); \
                 {} sectors and crossings checked (reference data the console ships with)",
                s.agencies, s.units, s.skipped_agencies, s.places
            );
        }
        AdminCmd::Officer {
            command:
                OfficerCmd::Add {
                    name,
                    role,
                    centre,
                    agency,
                    hours,
                },
        } => {
            let store = open(database).await?;
            let (officer, token) = super::add_officer_for(
                store.as_ref(),
                &name,
                role,
                centre,
                agency.as_deref(),
                hours,
            )
            .await?;
            println!(
                "officer: {}\ntoken: {token}\n(the token is shown once; keep it)",
                officer.id
            );
        }
        AdminCmd::Officer {
            command:
                OfficerCmd::Token {
                    id,
                    hours,
                    revoke_old,
                },
        } => {
            let store = open(database).await?;
            let (token, info) = super::issue_token(store.as_ref(), &id, hours, revoke_old).await?;
            let expires = info
                .expires_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            println!(
                "token: {token}\nexpires: {expires}\n(the token is shown once; keep it){}",
                if revoke_old {
                    "; the officer's other tokens are revoked"
                } else {
                    ""
                }
            );
        }
        AdminCmd::Officer {
            command: OfficerCmd::List,
        } => {
            let store = open(database).await?;
            print!("{}", super::list_officers(store.as_ref()).await?);
        }
        AdminCmd::Officer {
            command: OfficerCmd::Revoke { id },
        } => {
            let store = open(database).await?;
            let o = super::revoke_officer(store.as_ref(), &id).await?;
            println!("revoked {} ({})", o.name, o.id);
        }
    }
    Ok(())
}
