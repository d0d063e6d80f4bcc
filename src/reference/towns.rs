//! The towns the map labels: Libya's cities and towns with an English name,
//! embedded from `assets/geo/towns.tsv` (OpenStreetMap, ODbL-1.0, via the
//! Libya-cities-dataset-JSON project). Cities are labelled first; towns when
//! there is room.

use std::sync::LazyLock;

/// Said wherever the towns are shown (ODbL asks for it).
pub const ATTRIBUTION: &str = "© OpenStreetMap contributors";

const TSV: &str = include_str!("../../assets/geo/towns.tsv");

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TownKind {
    City,
    Town,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Town {
    pub kind: TownKind,
    pub name: String,
    pub name_ar: String,
    pub lat: f64,
    pub lon: f64,
}

static TOWNS: LazyLock<Vec<Town>> =
    LazyLock::new(|| parse(TSV).expect("the embedded towns are checked by a unit test"));

/// The embedded towns, cities first.
pub fn towns() -> &'static [Town] {
    &TOWNS
}

/// Reads `kind name name_ar lat lon` rows separated by tabs; `#` starts a comment line.
pub fn parse(text: &str) -> Result<Vec<Town>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(n, line)| {
            let bad = |what: &str| format!("towns line {}: {what}", n + 1);
            let f: Vec<&str> = line.split('\t').collect();
            let [kind, name, name_ar, lat, lon] = f.as_slice() else {
                return Err(bad("expected 5 tab-separated fields"));
            };
            let kind = match *kind {
                "city" => TownKind::City,
                "town" => TownKind::Town,
                other => return Err(bad(&format!("unknown kind `{other}`"))),
            };
            let number = |s: &str| {
                s.parse::<f64>()
                    .map_err(|_| bad(&format!("`{s}` is not a number")))
            };
            Ok(Town {
                kind,
                name: name.to_string(),
                name_ar: name_ar.to_string(),
                lat: number(lat)?,
                lon: number(lon)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_towns_parse_cities_first() {
        let t = towns();
        assert!(t.len() > 150, "{}", t.len());
        let tripoli = t.iter().find(|t| t.name == "Tripoli").unwrap();
        assert_eq!(tripoli.kind, TownKind::City);
        assert!((tripoli.lat - 32.9).abs() < 0.1 && (tripoli.lon - 13.18).abs() < 0.1);
        assert!(t.windows(2).all(|w| w[0].kind <= w[1].kind));
        assert!(
            parse("city\tX\tس\tnorth\t1")
                .unwrap_err()
                .contains("line 1")
        );
    }
}
