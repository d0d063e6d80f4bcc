//! `tandem admin`: officers and seed data, run against the database directly,
//! and test certificates.

pub mod audit;
pub mod cli;
pub mod export;
pub mod keys;
pub mod tls;

use anyhow::{Context, bail};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::model::officer::token_hash;
use crate::model::{Centre, Officer, Role, TokenInfo};
use crate::reference::Seed;
use crate::store::{AccessCommand, Actor, Command, NewToken, Request, Retire, Store};

/// A new random bearer token: 256 bits, hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system has no random source");
    hex::encode(bytes)
}

/// Adds an officer and returns it with its token (shown once; only its
/// hash is kept), which lives the default 12 hours.
pub async fn add_officer(
    store: &dyn Store,
    name: &str,
    role: Role,
    centre: Centre,
    agency_code: Option<&str>,
) -> anyhow::Result<(Officer, String)> {
    add_officer_for(store, name, role, centre, agency_code, None).await
}

/// [`add_officer`] with a token that lives `hours`.
pub async fn add_officer_for(
    store: &dyn Store,
    name: &str,
    role: Role,
    centre: Centre,
    agency_code: Option<&str>,
    hours: Option<u32>,
) -> anyhow::Result<(Officer, String)> {
    let agency_id = match agency_code {
        None => None,
        Some(code) => {
            let agencies = store.agencies(&crate::model::Viewer::everything()).await?;
            let found = agencies
                .iter()
                .find(|a| a.code.eq_ignore_ascii_case(code) || a.id.to_string() == code);
            match found {
                Some(a) => Some(a.id),
                None => bail!(
                    "no agency `{code}`; known codes: {}",
                    agencies
                        .iter()
                        .map(|a| a.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }
    };
    let officer = Officer {
        id: Uuid::now_v7(),
        name: name.to_string(),
        role,
        centre,
        agency_id,
    };
    let token = new_token();
    store
        .execute(Request {
            actor: Actor::Admin,
            idempotency: None,
            command: Command::Access(AccessCommand::AddOfficer {
                officer: officer.clone(),
                token: NewToken {
                    id: Uuid::now_v7(),
                    hash: token_hash(&token),
                    hours,
                },
            }),
        })
        .await?;
    Ok((officer, token))
}

/// Issues a new token to an officer (rotation), revoking their other
/// tokens when `revoke_old`; returns the token (shown once) and its record.
pub async fn issue_token(
    store: &dyn Store,
    id: &str,
    hours: Option<u32>,
    revoke_old: bool,
) -> anyhow::Result<(String, TokenInfo)> {
    let officer_id = parse_officer_id(id)?;
    let token = new_token();
    let outcome = store
        .execute(Request {
            actor: Actor::Admin,
            idempotency: None,
            command: Command::Access(AccessCommand::IssueToken {
                officer_id,
                token: NewToken {
                    id: Uuid::now_v7(),
                    hash: token_hash(&token),
                    hours,
                },
                retire: if revoke_old {
                    Retire::Others
                } else {
                    Retire::Nothing
                },
            }),
        })
        .await?;
    Ok((token, serde_json::from_str(&outcome.body)?))
}

fn parse_officer_id(id: &str) -> anyhow::Result<Uuid> {
    id.parse()
        .context("an officer id looks like 0190c3d2-…; see `tandem admin officer list`")
}

pub async fn revoke_officer(store: &dyn Store, id: &str) -> anyhow::Result<Officer> {
    let id = parse_officer_id(id)?;
    let outcome = store
        .execute(Request {
            actor: Actor::Admin,
            idempotency: None,
            command: Command::Access(AccessCommand::RevokeOfficer { id }),
        })
        .await?;
    Ok(serde_json::from_str(&outcome.body)?)
}

pub async fn list_officers(store: &dyn Store) -> anyhow::Result<String> {
    let mut out = String::new();
    for r in store.officers().await? {
        let o = r.officer;
        out.push_str(&format!(
            "{}  {:<12} {}  {}{}\n",
            o.id,
            o.role,
            o.centre,
            o.name,
            if r.revoked { "  (revoked)" } else { "" }
        ));
    }
    Ok(out)
}

/// Loads a seed file (or the embedded one) into the store.
pub async fn seed(store: &dyn Store, file: Option<&std::path::Path>) -> anyhow::Result<Seeded> {
    let seed = match file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Seed::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        }
        None => Seed::embedded(),
    };
    load_seed(&seed, store).await
}

/// What a seed run wrote.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Seeded {
    pub agencies: usize,
    pub units: usize,
    pub skipped_agencies: usize,
    /// Sectors and crossings in the seed (checked, not stored: the console ships with them).
    pub places: usize,
}

/// Writes the agencies and units of `seed` not yet present (by code), through the store.
pub async fn load_seed(seed: &Seed, store: &dyn Store) -> anyhow::Result<Seeded> {
    let existing: Vec<String> = store
        .agencies(&crate::model::Viewer::everything())
        .await?
        .into_iter()
        .map(|a| a.code)
        .collect();
    let mut seeded = Seeded {
        places: seed.check_places()?,
        ..Seeded::default()
    };
    for (agency, units) in seed.records(OffsetDateTime::now_utc())? {
        if existing.contains(&agency.code) {
            seeded.skipped_agencies += 1;
            continue;
        }
        as_admin(store, Command::PutAgency(agency)).await?;
        seeded.agencies += 1;
        for unit in units {
            as_admin(store, Command::PutUnit(unit)).await?;
            seeded.units += 1;
        }
    }
    Ok(seeded)
}

async fn as_admin(store: &dyn Store, command: Command) -> anyhow::Result<()> {
    store
        .execute(Request {
            actor: Actor::Admin,
            idempotency: None,
            command,
        })
        .await?;
    Ok(())
}
