//! Each centre's signing key and the trust file of both centres' public
//! keys: `tandem admin keys init` writes a key (0600) and prints the line of
//! the trust file that names it, to be handed to the other centre out of band.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::model::Centre;
use crate::model::checkpoint::{Signer, Trust, public_key};

/// The key file: the centre, the secret and (for reading by eye) the public key.
#[derive(Serialize, Deserialize)]
struct KeyFile {
    centre: Centre,
    secret: String,
    public: String,
}

/// Writes a new signing key for `centre` to `out` (refusing to replace one).
pub fn init(centre: Centre, out: &Path) -> anyhow::Result<Signer> {
    if out.exists() {
        bail!(
            "{} exists; a centre's key is made once (move it away first)",
            out.display()
        );
    }
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let signer = Signer::from_secret(centre, secret);
    let file = KeyFile {
        centre,
        secret: signer.secret_hex(),
        public: signer.public_hex(),
    };
    crate::paths::write_file(out, toml::to_string(&file)?.as_bytes(), true)?;
    Ok(signer)
}

pub fn load_signer(path: &Path) -> anyhow::Result<Signer> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the signing key {}", path.display()))?;
    let file: KeyFile =
        toml::from_str(&text).with_context(|| format!("{} is not a key file", path.display()))?;
    let secret: [u8; 32] = hex::decode(file.secret.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .with_context(|| format!("{}: `secret` is not 64 hex digits", path.display()))?;
    Ok(Signer::from_secret(file.centre, secret))
}

/// `[trust] TRP = "…" BEN = "…"`: each centre's public key.
#[derive(Deserialize)]
struct TrustFile {
    trust: HashMap<String, String>,
}

pub fn load_trust(path: &Path) -> anyhow::Result<Trust> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the trust file {}", path.display()))?;
    let file: TrustFile = toml::from_str(&text).with_context(|| {
        format!(
            "{}: expected a [trust] table of centre = public key",
            path.display()
        )
    })?;
    let mut keys = HashMap::new();
    for (centre, key) in file.trust {
        let centre: Centre = centre
            .parse()
            .with_context(|| format!("{}: unknown centre `{centre}`", path.display()))?;
        keys.insert(
            centre,
            public_key(&key).with_context(|| path.display().to_string())?,
        );
    }
    Ok(Trust(keys))
}
