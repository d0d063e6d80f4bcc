//! Where a position lies: the sector (or crossing area) holding it and the
//! crossing within 25 km, from the places' geometry in the seed — a circle
//! around the place, or a polygon. The server fills an incident's sector
//! and crossing from its position when the reporter names none; `admin
//! seed` checks the geometry with [`check`].

use std::sync::LazyLock;

use geo::{Contains, Coord, Distance, Haversine, LineString, Point, Polygon};

use super::outlines::outlines;
use super::{Place, PlaceKind, Seed};
use crate::model::Location;

/// A crossing this close names the incident's crossing.
pub const CROSSING_KM: f64 = 25.0;
/// A place's centre may sit this far outside Libya's outline (a crossing
/// post on the line, drawn at 1:10m).
const BORDER_SLACK_KM: f64 = 5.0;

#[derive(Debug)]
enum Shape {
    Circle { km: f64 },
    Polygon(Polygon<f64>),
}

#[derive(Debug)]
struct Area {
    name: String,
    kind: PlaceKind,
    centre: Point<f64>,
    shape: Shape,
}

/// The places' areas, ready to answer "where is this".
#[derive(Debug)]
pub struct Locator {
    areas: Vec<Area>,
}

/// What a position is in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Located {
    pub sector: Option<String>,
    pub crossing: Option<String>,
}

static EMBEDDED: LazyLock<Locator> = LazyLock::new(|| Locator::new(&Seed::embedded().place));

/// The locator of the seed shipped in the binary.
pub fn embedded() -> &'static Locator {
    &EMBEDDED
}

fn km(a: Point<f64>, b: Point<f64>) -> f64 {
    Haversine.distance(a, b) / 1000.0
}

fn ring(points: &[[f64; 2]]) -> Polygon<f64> {
    let line: LineString<f64> = points
        .iter()
        .map(|[lat, lon]| Coord { x: *lon, y: *lat })
        .collect();
    Polygon::new(line, Vec::new())
}

impl Locator {
    pub fn new(places: &[Place]) -> Locator {
        let areas = places
            .iter()
            .map(|p| Area {
                name: p.name.clone(),
                kind: p.kind,
                centre: Point::new(p.lon, p.lat),
                shape: match (&p.polygon, p.radius_km) {
                    (Some(points), _) => Shape::Polygon(ring(points)),
                    (None, km) => Shape::Circle {
                        km: km.unwrap_or(CROSSING_KM),
                    },
                },
            })
            .collect();
        Locator { areas }
    }

    /// The area holding (lat, lon) — the one whose centre is nearest when
    /// several overlap — and the nearest crossing within [`CROSSING_KM`].
    pub fn locate(&self, lat: f64, lon: f64) -> Located {
        if !(lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0) {
            return Located::default();
        }
        let p = Point::new(lon, lat);
        let nearest = |pick: &dyn Fn(&Area, f64) -> bool| {
            self.areas
                .iter()
                .map(|a| (a, km(a.centre, p)))
                .filter(|(a, d)| pick(a, *d))
                .min_by(|x, y| x.1.total_cmp(&y.1))
                .map(|(a, _)| a.name.clone())
        };
        Located {
            sector: nearest(&|a, d| match &a.shape {
                Shape::Circle { km } => d <= *km,
                Shape::Polygon(poly) => poly.contains(&p),
            }),
            crossing: nearest(&|a, d| a.kind == PlaceKind::Crossing && d <= CROSSING_KM),
        }
    }

    /// Fills what the reporter left out of `location` (what they gave stands).
    pub fn fill(&self, location: &mut Location) {
        if location.sector.is_some() && location.crossing.is_some() {
            return;
        }
        let found = self.locate(location.lat, location.lon);
        if location.sector.is_none() {
            location.sector = found.sector;
        }
        if location.crossing.is_none() {
            location.crossing = found.crossing;
        }
    }
}

/// Checks one place's geometry: a radius or a polygon (not both), the
/// polygon's ring closed with at least four points, every point inside the
/// region the map covers, and the place itself in Libya.
pub fn check(p: &Place) -> Result<(), String> {
    let o = outlines();
    let (w, s, e, n) = o.bounds();
    let in_region =
        |lat: f64, lon: f64| lat >= s - 1.0 && lat <= n + 1.0 && lon >= w - 1.0 && lon <= e + 1.0;
    match (&p.polygon, p.radius_km) {
        (Some(_), Some(_)) => return Err("give radius_km or polygon, not both".into()),
        (None, None) => {
            return Err("give its area: radius_km = N, or polygon = [[lat, lon], …]".into());
        }
        (None, Some(km)) if !(km > 0.0 && km <= 500.0) => {
            return Err(format!("radius_km {km} is not between 0 and 500"));
        }
        (None, Some(_)) => {}
        (Some(points), None) => {
            if points.len() < 4 {
                return Err(format!(
                    "the polygon has {} points; a closed ring needs at least 4",
                    points.len()
                ));
            }
            if points.first() != points.last() {
                return Err(
                    "the polygon's ring is not closed: its last point must repeat the first".into(),
                );
            }
            if let Some([lat, lon]) = points.iter().find(|[lat, lon]| !in_region(*lat, *lon)) {
                return Err(format!(
                    "polygon point {lat}, {lon} is outside the region the map covers"
                ));
            }
            if !ring(points).contains(&Point::new(p.lon, p.lat)) {
                return Err(format!(
                    "its point {}, {} is outside its own polygon",
                    p.lat, p.lon
                ));
            }
        }
    }
    let centre = Point::new(p.lon, p.lat);
    if !o.in_libya(p.lat, p.lon) {
        use geo::Euclidean;
        let off_km = Euclidean.distance(&centre, &o.libya) * 111.0;
        if off_km > BORDER_SLACK_KM {
            let place = o
                .neighbour_at(p.lat, p.lon)
                .map(|c| format!("in {c}"))
                .unwrap_or_else(|| "outside Libya".into());
            return Err(format!(
                "{}, {} is {place}, {off_km:.0} km from Libya's outline",
                p.lat, p.lon
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_find_their_sector_and_crossing() {
        let l = embedded();
        // Zuwara town: its sector, and Ras Ajdir is 50 km away (no crossing).
        let z = l.locate(32.9327858, 12.0806069);
        assert_eq!(z.sector.as_deref(), Some("Zuwara"));
        assert_eq!(z.crossing, None);
        // 10 km east of Ras Ajdir: the crossing's area and the crossing.
        let r = l.locate(33.14, 11.67);
        assert_eq!(r.sector.as_deref(), Some("Ras Ajdir"));
        assert_eq!(r.crossing.as_deref(), Some("Ras Ajdir"));
        // Kufra and the empty desert between Sabha and Kufra.
        assert_eq!(l.locate(24.2, 23.3).sector.as_deref(), Some("Kufra"));
        assert_eq!(l.locate(26.5, 18.5), Located::default());
        // Anything a request can carry answers, at worst with nothing.
        assert_eq!(l.locate(f64::NAN, 0.0), Located::default());
        assert_eq!(l.locate(200.0, 0.0), Located::default());
    }

    #[test]
    fn what_the_reporter_named_stands() {
        let mut loc = Location {
            lat: 33.14,
            lon: 11.67,
            sector: Some("Zuwara".into()),
            crossing: None,
        };
        embedded().fill(&mut loc);
        assert_eq!(loc.sector.as_deref(), Some("Zuwara"));
        assert_eq!(loc.crossing.as_deref(), Some("Ras Ajdir"));
    }

    fn place(lat: f64, lon: f64) -> Place {
        Place {
            name: "Test".into(),
            name_ar: "اختبار".into(),
            kind: PlaceKind::Sector,
            lat,
            lon,
            centre: crate::model::Centre::Trp,
            region: crate::model::Region::West,
            neighbour: None,
            radius_km: Some(30.0),
            polygon: None,
        }
    }

    #[test]
    fn bad_geometry_is_refused_with_the_reason() {
        assert!(check(&place(32.9, 13.18)).is_ok());
        let err = |p: Place| check(&p).unwrap_err();
        assert!(err(place(36.8, 10.18)).contains("in TN"), "Tunis");
        assert!(err(place(34.0, 16.0)).contains("outside Libya"));
        let mut p = place(32.9, 13.18);
        p.radius_km = None;
        assert!(err(p.clone()).contains("radius_km"));
        p.polygon = Some(vec![[32.8, 13.0], [32.8, 13.4], [33.0, 13.4]]);
        assert!(err(p.clone()).contains("at least 4"));
        p.polygon = Some(vec![[32.8, 13.0], [32.8, 13.4], [33.0, 13.4], [33.0, 13.1]]);
        assert!(err(p.clone()).contains("not closed"));
        p.polygon = Some(vec![[32.8, 13.0], [32.8, 13.4], [45.0, 13.4], [32.8, 13.0]]);
        assert!(err(p.clone()).contains("outside the region"));
        p.polygon = Some(vec![
            [32.8, 13.0],
            [32.8, 13.4],
            [33.0, 13.4],
            [33.0, 13.0],
            [32.8, 13.0],
        ]);
        assert!(check(&p).is_ok());
        p.radius_km = Some(10.0);
        assert!(err(p).contains("not both"));
    }

    #[test]
    fn every_place_of_the_embedded_seed_passes() {
        for p in &Seed::embedded().place {
            check(p).unwrap_or_else(|e| panic!("{}: {e}", p.name));
        }
    }
}
