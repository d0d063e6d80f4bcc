//! `tandem admin`: officers and seed data, run against the database directly.

use anyhow::{Context, bail};
use uuid::Uuid;

use crate::demo::seed::{Seed, Seeded};
use crate::model::{Centre, Officer, Role};
use crate::server::extract::token_hash;
use crate::store::{Actor, Command, Request, Store};

/// A new random bearer token: 256 bits, hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system has no random source");
    hex::encode(bytes)
}

/// Adds an officer and returns it with its token (shown once; only its hash is kept).
pub async fn add_officer(
    store: &dyn Store,
    name: &str,
    role: Role,
    centre: Centre,
    agency_code: Option<&str>,
) -> anyhow::Result<(Officer, String)> {
    let agency_id = match agency_code {
        None => None,
        Some(code) => {
            let agencies = store.agencies().await?;
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
            command: Command::AddOfficer {
                officer: officer.clone(),
                token_hash: token_hash(&token),
            },
        })
        .await?;
    Ok((officer, token))
}

pub async fn revoke_officer(store: &dyn Store, id: &str) -> anyhow::Result<Officer> {
    let id: Uuid = id
        .parse()
        .context("an officer id looks like 0190c3d2-…; see `tandem admin officer list`")?;
    let outcome = store
        .execute(Request {
            actor: Actor::Admin,
            idempotency: None,
            command: Command::RevokeOfficer { id },
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
    seed.load(store).await
}
