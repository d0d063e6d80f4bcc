//! The append-only event log entry and its SHA-256 hash chain.
//!
//! `hash = SHA-256(prev_hash | seq | at | actor | kind | entity | entity_id | version | data)`,
//! fields joined by `\n`, `data` exactly as stored and sent. Any side holding
//! the events can recompute the chain, so no past record can be altered or
//! removed unnoticed.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{EntityKind, EventKind};

/// `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Event {
    pub seq: u64,
    /// RFC 3339 UTC, kept as the exact text that was hashed.
    pub at: String,
    /// The acting officer's id, or `admin` for the command line.
    pub actor: String,
    pub kind: EventKind,
    pub entity: EntityKind,
    pub entity_id: Uuid,
    pub version: u64,
    /// The full entity after the change.
    #[schema(value_type = Object)]
    pub data: Box<RawValue>,
    pub prev_hash: String,
    pub hash: String,
}

/// The fields an event is hashed over, borrowed from wherever they live.
pub struct ChainLink<'a> {
    pub prev_hash: &'a str,
    pub seq: u64,
    pub at: &'a str,
    pub actor: &'a str,
    pub kind: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub version: u64,
    pub data: &'a str,
}

impl ChainLink<'_> {
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        for part in [
            self.prev_hash,
            &self.seq.to_string(),
            self.at,
            self.actor,
            self.kind,
            self.entity,
            self.entity_id,
            &self.version.to_string(),
            self.data,
        ] {
            h.update(part.as_bytes());
            h.update(b"\n");
        }
        hex::encode(h.finalize())
    }
}

impl Event {
    /// Recomputes this event's hash from its fields.
    pub fn computed_hash(&self) -> String {
        let entity_id = self.entity_id.to_string();
        ChainLink {
            prev_hash: &self.prev_hash,
            seq: self.seq,
            at: &self.at,
            actor: &self.actor,
            kind: self.kind.as_str(),
            entity: self.entity.as_str(),
            entity_id: &entity_id,
            version: self.version,
            data: self.data.get(),
        }
        .hash()
    }

    /// Parses the entity carried in `data`.
    pub fn entity<T: serde::de::DeserializeOwned>(&self) -> serde_json::Result<T> {
        serde_json::from_str(self.data.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(prev: &str, seq: u64, data: &str) -> Event {
        let mut e = Event {
            seq,
            at: "2026-11-29T12:00:00Z".into(),
            actor: "admin".into(),
            kind: EventKind::NoteAdded,
            entity: EntityKind::Note,
            entity_id: Uuid::nil(),
            version: 1,
            data: RawValue::from_string(data.into()).unwrap(),
            prev_hash: prev.into(),
            hash: String::new(),
        };
        e.hash = e.computed_hash();
        e
    }

    /// Computed apart, with Python's hashlib over the bytes README documents:
    /// `"".join(f + "\n" for f in fields)`.
    const KNOWN: &str = "864c412d9f40439c1cb12d5f2c26c1f7bfb4076353ee423cb7a05e3b8966ada5";

    #[test]
    fn the_hash_is_sha256_of_the_documented_bytes() {
        assert_eq!(event(GENESIS_HASH, 1, r#"{"text":"نص"}"#).hash, KNOWN);
    }

    #[test]
    fn changing_any_of_the_nine_hashed_fields_changes_the_hash() {
        let a = event(GENESIS_HASH, 1, r#"{"text":"نص"}"#);
        let b = event(&a.hash, 2, r#"{"text":"b"}"#);
        assert_eq!(b.prev_hash, a.hash);
        assert_ne!(a.hash, b.hash);
        type Tamper = (&'static str, fn(&mut Event));
        let changes: [Tamper; 9] = [
            ("prev_hash", |e| e.prev_hash = "1".repeat(64)),
            ("seq", |e| e.seq += 1),
            ("at", |e| e.at = "2026-11-29T12:00:01Z".into()),
            ("actor", |e| e.actor = "someone else".into()),
            ("kind", |e| e.kind = EventKind::IncidentUpdated),
            ("entity", |e| e.entity = EntityKind::Incident),
            ("entity_id", |e| e.entity_id = Uuid::from_u128(1)),
            ("version", |e| e.version += 1),
            ("data", |e| {
                e.data = RawValue::from_string(r#"{"text":"نس"}"#.into()).unwrap()
            }),
        ];
        for (field, change) in changes {
            let mut tampered = a.clone();
            change(&mut tampered);
            assert_ne!(
                tampered.computed_hash(),
                a.computed_hash(),
                "{field} is not hashed"
            );
        }
    }
}
