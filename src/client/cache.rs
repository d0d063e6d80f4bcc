//! The console's local copy of the last state it had: snapshot form plus
//! the seq it is consistent at, written atomically (temp file, fsync,
//! rename) so a crash leaves either the old copy or the new one.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::mirror::Mirror;
use crate::api::Snapshot;
use crate::model::Officer;

#[derive(Serialize)]
struct CacheOut<'a> {
    #[serde(with = "time::serde::rfc3339")]
    saved_at: OffsetDateTime,
    me: &'a Officer,
    seq: u64,
    head_hash: Option<&'a str>,
    centres: Vec<crate::api::CentreInfo>,
    agencies: Vec<&'a crate::model::Agency>,
    units: Vec<&'a crate::model::Unit>,
    incidents: Vec<&'a crate::model::Incident>,
    tasks: Vec<&'a crate::model::Task>,
    officers: Vec<&'a Officer>,
}

#[derive(Deserialize)]
pub struct Cached {
    #[serde(with = "time::serde::rfc3339")]
    pub saved_at: OffsetDateTime,
    pub me: Officer,
    #[serde(flatten)]
    pub snapshot: Snapshot,
}

fn values<T>(m: &HashMap<Uuid, T>) -> Vec<&T> {
    m.values().collect()
}

/// Writes the mirror (consistent at its seq) to `path`.
pub fn save(path: &Path, mirror: &Mirror, me: &Officer) -> std::io::Result<()> {
    let out = CacheOut {
        saved_at: OffsetDateTime::now_utc(),
        me,
        seq: mirror.seq,
        head_hash: mirror.record.head.as_deref(),
        centres: Vec::new(),
        agencies: values(&mirror.agencies),
        units: values(&mirror.units),
        incidents: mirror.incidents.values().map(|b| &**b).collect(),
        tasks: mirror.tasks.values().map(|b| &**b).collect(),
        officers: values(&mirror.officers),
    };
    if let Some(dir) = path.parent() {
        crate::paths::private_dir(dir)?;
    }
    let tmp = path.with_extension("tmp");
    let mut f = crate::paths::private_file_options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)?;
    serde_json::to_writer(std::io::BufWriter::new(&mut f), &out).map_err(std::io::Error::other)?;
    f.flush()?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// The cached state, if there is a readable one.
pub fn load(path: &Path) -> Option<Cached> {
    let bytes = std::fs::read(path).ok()?;
    match serde_json::from_slice(&bytes) {
        Ok(c) => Some(c),
        Err(e) => {
            tracing::warn!("ignoring the unreadable cache {}: {e}", path.display());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_cache_loads_back_whole() {
        use crate::model::{Category, Location, NewIncident, NewTask, Severity};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c/cache.json");
        let now = time::OffsetDateTime::now_utc();
        let me = Officer {
            id: Uuid::from_u128(7),
            name: "سالم".into(),
            role: crate::model::Role::DutyOfficer,
            centre: crate::model::Centre::Trp,
            agency_id: None,
        };
        let (agencies, units): (Vec<_>, Vec<_>) = crate::reference::Seed::embedded()
            .records(now)
            .unwrap()
            .into_iter()
            .unzip();
        let incident = NewIncident {
            tlp: Default::default(),
            shared_with: Vec::new(),
            title: "قارب مهاجرين قبالة زوارة".into(),
            category: Category::IrregularMigration,
            severity: Severity::High,
            location: Location {
                lat: 32.93,
                lon: 12.08,
                sector: Some("Zuwara".into()),
                crossing: None,
            },
            description: "line one\nline two".into(),
            source: None,
            occurred_at: None,
            centre: None,
            lead_agency_id: Some(agencies[0].id),
            supporting_agency_ids: vec![],
            tags: vec!["boat".into()],
        }
        .into_incident(&me, Uuid::from_u128(1), "TRP-26-00001".into(), now)
        .unwrap();
        let task = NewTask {
            tlp: Default::default(),
            shared_with: Vec::new(),
            agency_id: agencies[0].id,
            title: "Intercept".into(),
            unit_id: None,
            priority: None,
            due_at: None,
        }
        .into_task(incident.id, &me, Uuid::from_u128(2), now)
        .unwrap();
        let mirror = Mirror::from_snapshot(crate::api::Snapshot {
            seq: 42,
            head_hash: None,
            centres: vec![],
            agencies,
            units: units.into_iter().flatten().collect(),
            incidents: vec![incident],
            tasks: vec![task],
            officers: vec![me.clone()],
        });
        save(&path, &mirror, &me).unwrap();
        let back = load(&path).expect("loads");
        assert_eq!(back.me, me);
        assert_eq!(Mirror::from_snapshot(back.snapshot), mirror);
        assert!(mirror.agencies.len() > 10 && mirror.units.len() > 10);
    }

    #[test]
    fn an_unreadable_cache_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.json");
        std::fs::write(&path, b"{\"snapshot\": tru").unwrap();
        assert!(load(&path).is_none());
    }
}
