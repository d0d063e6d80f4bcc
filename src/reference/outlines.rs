//! The map's outlines, embedded in the binary: Libya and its six neighbours
//! as polygons, Libya's land border with each as a line, and its coastline.
//! Extracted from Natural Earth 1:10m Admin 0 countries 4.1.0 (public domain,
//! "Made with Natural Earth") as `assets/geo/libya-region.geojson`; parsed
//! once, on first use.

use std::sync::LazyLock;

use geo::{Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use serde::Deserialize;

/// Said wherever the outlines are shown (public domain; credited all the same).
pub const ATTRIBUTION: &str = "Natural Earth";

const GEOJSON: &str = include_str!("../../assets/geo/libya-region.geojson");

/// What a line of the map is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// A neighbour's outline (drawn faint).
    Neighbour,
    /// Libya's land border with a neighbour.
    Border,
    Coast,
}

#[derive(Debug)]
pub struct Outlines {
    pub libya: Polygon<f64>,
    /// Neighbours by ISO code: TN, DZ, NE, TD, SD, EG.
    pub neighbours: Vec<(String, MultiPolygon<f64>)>,
    /// Every line to draw, as (kind, points lon,lat).
    pub lines: Vec<(LineKind, LineString<f64>)>,
}

static OUTLINES: LazyLock<Outlines> = LazyLock::new(|| {
    Outlines::parse(GEOJSON).expect("the embedded outlines are checked by a unit test")
});

/// The embedded outlines.
pub fn outlines() -> &'static Outlines {
    &OUTLINES
}

#[derive(Deserialize)]
struct Collection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: Properties,
    geometry: Geometry,
}

#[derive(Deserialize)]
struct Properties {
    name: String,
    #[serde(default)]
    iso_a2: Option<String>,
    #[serde(default)]
    border: Option<Vec<String>>,
}

/// The GeoJSON geometries this file holds (RFC 7946, positions lon,lat).
#[derive(Deserialize)]
#[serde(tag = "type", content = "coordinates")]
enum Geometry {
    Polygon(Vec<Vec<[f64; 2]>>),
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
    MultiLineString(Vec<Vec<[f64; 2]>>),
}

fn ring(points: &[[f64; 2]]) -> LineString<f64> {
    points.iter().map(|[x, y]| Coord { x: *x, y: *y }).collect()
}

fn polygon(rings: &[Vec<[f64; 2]>]) -> Polygon<f64> {
    let mut rings = rings.iter().map(|r| ring(r));
    let exterior = rings.next().unwrap_or_else(|| LineString::new(Vec::new()));
    Polygon::new(exterior, rings.collect())
}

impl Outlines {
    pub fn parse(text: &str) -> Result<Outlines, String> {
        let c: Collection = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut libya = None;
        let mut neighbours = Vec::new();
        let mut lines = Vec::new();
        for f in c.features {
            let kind = match (&f.properties.border, f.properties.name.as_str()) {
                (Some(_), _) => LineKind::Border,
                (None, "Libya coastline") => LineKind::Coast,
                _ => LineKind::Neighbour,
            };
            match f.geometry {
                Geometry::Polygon(rings) if f.properties.iso_a2.as_deref() == Some("LY") => {
                    libya = Some(polygon(&rings));
                }
                Geometry::Polygon(rings) => {
                    let p = polygon(&rings);
                    lines.push((kind, p.exterior().clone()));
                    neighbours.push((f.properties.iso_a2.unwrap_or_default(), p.into()));
                }
                Geometry::MultiPolygon(parts) => {
                    let m: MultiPolygon<f64> = parts.iter().map(|p| polygon(p)).collect();
                    for p in &m {
                        lines.push((kind, p.exterior().clone()));
                    }
                    neighbours.push((f.properties.iso_a2.unwrap_or_default(), m));
                }
                Geometry::MultiLineString(parts) => {
                    lines.extend(parts.iter().map(|l| (kind, ring(l))));
                }
            }
        }
        let libya = libya.ok_or("no Libya polygon (iso_a2 LY)")?;
        Ok(Outlines {
            libya,
            neighbours,
            lines,
        })
    }

    /// Whether (lat, lon) is on Libyan soil or within its coastline.
    pub fn in_libya(&self, lat: f64, lon: f64) -> bool {
        self.libya.contains(&Point::new(lon, lat))
    }

    /// The neighbour whose outline holds (lat, lon), by ISO code.
    pub fn neighbour_at(&self, lat: f64, lon: f64) -> Option<&str> {
        let p = Point::new(lon, lat);
        self.neighbours
            .iter()
            .find(|(_, m)| m.contains(&p))
            .map(|(code, _)| code.as_str())
    }

    /// The region the map covers: Libya with a margin, (west, south, east, north).
    pub fn bounds(&self) -> (f64, f64, f64, f64) {
        use geo::BoundingRect;
        match self.libya.bounding_rect() {
            Some(r) => (r.min().x, r.min().y, r.max().x, r.max().y),
            None => (9.0, 19.0, 26.0, 34.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_outlines_parse_with_every_border() {
        let o = outlines();
        assert!(o.libya.exterior().0.len() > 600);
        let mut codes: Vec<&str> = o.neighbours.iter().map(|(c, _)| c.as_str()).collect();
        codes.sort();
        assert_eq!(codes, ["DZ", "EG", "NE", "SD", "TD", "TN"]);
        let borders = o.lines.iter().filter(|(k, _)| *k == LineKind::Border);
        assert!(borders.count() >= 6);
        assert!(o.lines.iter().any(|(k, _)| *k == LineKind::Coast));
        let (w, s, e, n) = o.bounds();
        assert!(w > 9.0 && w < 10.0 && e > 25.0 && e < 25.5, "{w} {e}");
        assert!(s > 19.0 && s < 20.0 && n > 33.0 && n < 33.5, "{s} {n}");
    }

    #[test]
    fn known_places_fall_on_the_right_side_of_the_border() {
        let o = outlines();
        for (name, lat, lon) in [
            ("Tripoli", 32.896672, 13.1777923),
            ("Benghazi", 32.1200168, 20.0812174),
            ("Kufra", 24.1799597, 23.2759053),
            ("Ghat", 24.9626299, 10.1797167),
            ("Sabha", 27.0364864, 14.4290398),
        ] {
            assert!(o.in_libya(lat, lon), "{name} should be in Libya");
            assert_eq!(o.neighbour_at(lat, lon), None, "{name}");
        }
        // Ras Ajdir post on the Libyan side of the line, Ben Gardane on the Tunisian.
        assert!(o.in_libya(33.1494989, 11.5679306), "Ras Ajdir");
        assert_eq!(o.neighbour_at(33.13, 11.22), Some("TN"), "Ben Gardane");
        assert_eq!(o.neighbour_at(31.55, 25.17), Some("EG"), "Salloum");
        assert_eq!(o.neighbour_at(24.55, 9.48), Some("DZ"), "Djanet");
        assert!(!o.in_libya(36.8, 10.18), "Tunis");
        assert!(!o.in_libya(34.0, 16.0), "the open sea");
    }
}
