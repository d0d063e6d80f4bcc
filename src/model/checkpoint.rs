//! Signed checkpoints: a centre's Ed25519 signature over the head of the
//! log — `{centre, seq, head_hash, at}` — appended to the log as an event
//! (so the chain covers it). Whoever holds the centre's public key can tell
//! that the log up to `seq` is what that centre saw; a rewrite of anything
//! before it changes `head_hash`.
//!
//! The signed bytes are `tandem-checkpoint-v1\n{centre}\n{seq}\n{head_hash}\n{at}\n`
//! (UTF-8, `seq` in decimal, `head_hash` lowercase hex, `at` RFC 3339 as
//! stored); the signature and the public keys are lowercase hex.

use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Centre, DomainError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Checkpoint {
    pub centre: Centre,
    /// The seq of the last event before this checkpoint's own.
    pub seq: u64,
    /// That event's hash.
    pub head_hash: String,
    /// RFC 3339 UTC, as signed.
    pub at: String,
    /// Ed25519 over [`Checkpoint::signed_bytes`], hex.
    pub signature: String,
}

impl Checkpoint {
    pub fn signed_bytes(&self) -> Vec<u8> {
        format!(
            "tandem-checkpoint-v1\n{}\n{}\n{}\n{}\n",
            self.centre, self.seq, self.head_hash, self.at
        )
        .into_bytes()
    }

    /// Whether the signature is the holder of `key`'s (hex public key).
    pub fn signed_by(&self, key: &VerifyingKey) -> bool {
        let Ok(bytes) = hex::decode(&self.signature) else {
            return false;
        };
        let Ok(sig) = Signature::from_slice(&bytes) else {
            return false;
        };
        key.verify(&self.signed_bytes(), &sig).is_ok()
    }
}

/// A centre's signing key.
#[derive(Clone)]
pub struct Signer {
    pub centre: Centre,
    key: SigningKey,
}

impl std::fmt::Debug for Signer {
    // Never the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({}, {})", self.centre, self.public_hex())
    }
}

impl Signer {
    pub fn from_secret(centre: Centre, secret: [u8; 32]) -> Signer {
        Signer {
            centre,
            key: SigningKey::from_bytes(&secret),
        }
    }

    pub fn secret_hex(&self) -> String {
        hex::encode(self.key.to_bytes())
    }

    pub fn public_hex(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }

    /// This centre's checkpoint of the log at `seq` whose hash is `head_hash`.
    pub fn checkpoint(&self, seq: u64, head_hash: &str, at: &str) -> Checkpoint {
        let mut cp = Checkpoint {
            centre: self.centre,
            seq,
            head_hash: head_hash.to_string(),
            at: at.to_string(),
            signature: String::new(),
        };
        cp.signature = hex::encode(self.key.sign(&cp.signed_bytes()).to_bytes());
        cp
    }
}

/// Each centre's public key, distributed out of band (`[trust]` in a trust file).
#[derive(Debug, Clone, Default)]
pub struct Trust(pub std::collections::HashMap<Centre, VerifyingKey>);

impl Trust {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `cp` carries its centre's signature; `None` when no key is trusted for that centre.
    pub fn check(&self, cp: &Checkpoint) -> Option<bool> {
        self.0.get(&cp.centre).map(|k| cp.signed_by(k))
    }
}

/// A public key as written in a trust file: 64 hex digits.
pub fn public_key(hex_key: &str) -> Result<VerifyingKey, DomainError> {
    let bad = || {
        DomainError::invalid(
            "trust",
            format!("`{hex_key}` is not an Ed25519 public key (64 hex digits)"),
        )
    };
    let bytes: [u8; 32] = hex::decode(hex_key.trim())
        .map_err(|_| bad())?
        .try_into()
        .map_err(|_| bad())?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_verifies_with_its_centres_key_only() {
        let trp = Signer::from_secret(Centre::Trp, [7; 32]);
        let ben = Signer::from_secret(Centre::Ben, [9; 32]);
        let cp = trp.checkpoint(41, &"ab".repeat(32), "2026-11-30T12:00:00Z");
        let trp_key = public_key(&trp.public_hex()).unwrap();
        let ben_key = public_key(&ben.public_hex()).unwrap();
        assert!(cp.signed_by(&trp_key));
        assert!(!cp.signed_by(&ben_key));
        for tamper in [
            |c: &mut Checkpoint| c.seq += 1,
            |c: &mut Checkpoint| c.head_hash = "cd".repeat(32),
            |c: &mut Checkpoint| c.at = "2026-11-30T12:00:01Z".into(),
            |c: &mut Checkpoint| c.centre = Centre::Ben,
            |c: &mut Checkpoint| c.signature = "00".repeat(64),
        ] {
            let mut forged = cp.clone();
            tamper(&mut forged);
            assert!(!forged.signed_by(&trp_key), "{forged:?}");
        }
        assert!(public_key("not hex").is_err());
        assert!(
            !format!("{trp:?}").contains(&trp.secret_hex()),
            "the secret never prints"
        );
    }
}
