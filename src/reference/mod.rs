//! Reference data every part of Tandem reads: the agencies, their units and
//! the border sectors and crossings, as shipped in `config/seed.toml`, with
//! the map's outlines and towns. Pure: parsing and checking only; `tandem
//! admin seed` writes the agencies and units through the store.

pub mod outlines;
pub mod sectors;
pub mod towns;

use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::model::{Agency, AgencyKind, Capability, Centre, Region, Unit, UnitStatus};

/// The seed shipped in the binary.
pub const EMBEDDED: &str = include_str!("../../config/seed.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    pub agency: Vec<SeedAgency>,
    pub place: Vec<Place>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAgency {
    pub code: String,
    pub name: String,
    pub name_ar: String,
    pub kind: AgencyKind,
    pub region: Region,
    pub liaison_contact: String,
    pub radio_channel: String,
    /// `capability:home sector`, one per unit.
    pub units: Vec<String>,
}

/// A border sector or crossing at real coordinates.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    pub name: String,
    pub name_ar: String,
    pub kind: PlaceKind,
    pub lat: f64,
    pub lon: f64,
    pub centre: Centre,
    pub region: Region,
    #[serde(default)]
    pub neighbour: Option<String>,
    /// Its area: a circle of this radius around its point…
    #[serde(default)]
    pub radius_km: Option<f64>,
    /// …or this closed ring of `[lat, lon]` points.
    #[serde(default)]
    pub polygon: Option<Vec<[f64; 2]>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    Sector,
    Crossing,
}

impl Seed {
    /// Parses seed TOML; errors name the line and key.
    pub fn parse(text: &str) -> Result<Seed, toml::de::Error> {
        toml::from_str(text)
    }

    pub fn embedded() -> Seed {
        Seed::parse(EMBEDDED).expect("the embedded seed is checked by a unit test")
    }

    /// Builds the agency and unit records of this seed (fresh ids).
    pub fn records(&self, now: OffsetDateTime) -> anyhow::Result<Vec<(Agency, Vec<Unit>)>> {
        self.agency
            .iter()
            .map(|a| {
                let agency = Agency {
                    id: Uuid::now_v7(),
                    code: a.code.clone(),
                    name: a.name.clone(),
                    name_ar: a.name_ar.clone(),
                    kind: a.kind,
                    region: a.region,
                    liaison_contact: a.liaison_contact.clone(),
                    radio_channel: a.radio_channel.clone(),
                    version: 1,
                };
                let units = a
                    .units
                    .iter()
                    .enumerate()
                    .map(|(i, spec)| {
                        let (cap, sector) = spec.split_once(':').ok_or_else(|| {
                            anyhow::anyhow!(
                                "agency {}: unit `{spec}` is not `capability:sector`",
                                a.code
                            )
                        })?;
                        let capability: Capability = cap.parse()?;
                        let home = self.place(sector).ok_or_else(|| {
                            anyhow::anyhow!(
                                "agency {}: unit sector `{sector}` is not a [[place]]",
                                a.code
                            )
                        })?;
                        Ok(Unit {
                            id: Uuid::now_v7(),
                            agency_id: agency.id,
                            callsign: format!("{}-{:02}", a.code, i + 1),
                            capability,
                            home_sector: sector.to_string(),
                            status: UnitStatus::Available,
                            last_position: Some(crate::model::Position {
                                lat: home.lat,
                                lon: home.lon,
                            }),
                            updated_at: now,
                            version: 1,
                        })
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?;
                Ok((agency, units))
            })
            .collect()
    }

    /// Checks the sectors and crossings: a name, a position in range and in
    /// Libya, an area (`sectors::check`), no name twice.
    pub fn check_places(&self) -> anyhow::Result<usize> {
        let mut seen = std::collections::HashSet::new();
        for p in &self.place {
            crate::model::validate::line("place name", &p.name, 80)
                .map_err(|e| anyhow::anyhow!("[[place]] `{}`: {e}", p.name))?;
            crate::model::Position {
                lat: p.lat,
                lon: p.lon,
            }
            .validate()
            .map_err(|e| anyhow::anyhow!("[[place]] `{}`: {e}", p.name))?;
            sectors::check(p).map_err(|e| anyhow::anyhow!("[[place]] `{}`: {e}", p.name))?;
            if !seen.insert(p.name.as_str()) {
                anyhow::bail!("[[place]] `{}` is there twice", p.name);
            }
        }
        Ok(self.place.len())
    }

    pub fn place(&self, name: &str) -> Option<&Place> {
        self.place.iter().find(|p| p.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_seed_is_complete() {
        // The counts README states.
        let seed = Seed::embedded();
        assert_eq!(seed.agency.len(), 19);
        assert_eq!(seed.place.len(), 29);
        let records = seed.records(OffsetDateTime::UNIX_EPOCH).unwrap();
        let units: usize = records.iter().map(|(_, u)| u.len()).sum();
        assert_eq!(units, 69);
        for (_, units) in &records {
            for u in units {
                u.validate().unwrap();
            }
        }
        for region in Region::ALL {
            assert!(seed.agency.iter().any(|a| a.region == *region), "{region}");
        }
        for (a, _) in &records {
            a.validate().unwrap();
        }
    }

    #[test]
    fn bad_seed_names_the_line() {
        let err = Seed::parse("[[agency]]\ncode = 1\n").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}
