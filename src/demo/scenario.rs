//! What happens on Libya's borders, for the demo: which incidents arise where,
//! how severe, and how they are described.

use super::rng::Rng;
use crate::model::{Category, Region, Severity, Source};
use crate::reference::{Place, PlaceKind};

/// (category, weight) per region: fuel smuggling and departures on the west
/// coast, weapons and trafficking across the southern desert, drugs and
/// goods through the eastern crossings.
fn categories(region: Region, coastal: bool) -> &'static [(Category, u32)] {
    use Category::*;
    match (region, coastal) {
        (Region::West, true) => &[
            (IrregularMigration, 30),
            (SmugglingFuel, 25),
            (Maritime, 15),
            (Rescue, 12),
            (HumanTrafficking, 8),
            (SmugglingGoods, 10),
        ],
        (Region::West, false) => &[
            (SmugglingFuel, 30),
            (SmugglingGoods, 25),
            (BorderViolation, 20),
            (IrregularMigration, 15),
            (SmugglingDrugs, 10),
        ],
        (Region::South, _) => &[
            (HumanTrafficking, 25),
            (SmugglingWeapons, 20),
            (IrregularMigration, 25),
            (ArmedIncursion, 10),
            (SmugglingDrugs, 10),
            (SmugglingFuel, 10),
        ],
        (Region::East, true) => &[
            (IrregularMigration, 25),
            (SmugglingDrugs, 20),
            (Maritime, 20),
            (Rescue, 15),
            (SmugglingGoods, 20),
        ],
        (Region::East, false) => &[
            (SmugglingDrugs, 30),
            (SmugglingGoods, 30),
            (BorderViolation, 20),
            (SmugglingWeapons, 20),
        ],
        (Region::National, _) => &[(Other, 1)],
    }
}

fn coastal(p: &Place) -> bool {
    p.lat > 30.3
        && !matches!(
            p.name.as_str(),
            "Wazin" | "Nalut" | "Ghadames" | "Jaghbub" | "Musaid" | "Jalu"
        )
}

pub struct Report {
    pub title: String,
    pub description: String,
    pub category: Category,
    pub severity: Severity,
    pub source: Source,
    pub place: Place,
}

fn title(c: Category, place: &str, rng: &mut Rng) -> String {
    let n = 2 + rng.below(40);
    let options: Vec<String> = match c {
        Category::SmugglingFuel => vec![
            format!("Fuel tankers leaving the road near {place}"),
            format!(
                "Fuel convoy of {} trucks heading for the border at {place}",
                2 + n % 6
            ),
            format!("تهريب وقود قرب {place}"),
        ],
        Category::SmugglingWeapons => vec![
            format!("Weapons cache reported near {place}"),
            format!("Pickups with mounted weapons moving north of {place}"),
        ],
        Category::SmugglingDrugs => vec![
            format!("Cannabis resin found in truck at {place}"),
            format!("Suspected tramadol shipment through {place}"),
        ],
        Category::SmugglingGoods => vec![
            format!("Undeclared goods in container at {place}"),
            format!("Subsidised flour trucks turned back at {place}"),
        ],
        Category::HumanTrafficking => vec![
            format!("Group of {n} held in a compound near {place}"),
            format!("Trafficking network vehicle stopped at {place}"),
        ],
        Category::IrregularMigration => vec![
            format!("Boat with about {n} people leaving {place}"),
            format!("{n} migrants intercepted on the track south of {place}"),
            format!("قارب مهاجرين قبالة {place}"),
        ],
        Category::ArmedIncursion => vec![
            format!("Armed group crossed the border near {place}"),
            format!("Exchange of fire reported at the {place} post"),
        ],
        Category::BorderViolation => vec![
            format!("Vehicle ran the checkpoint at {place}"),
            format!("Border marker damaged near {place}"),
        ],
        Category::Maritime => vec![
            format!("Unidentified vessel without AIS off {place}"),
            format!("Fishing boat transferring cargo at sea off {place}"),
        ],
        Category::Rescue => vec![
            format!("Rubber boat taking water off {place}, {n} aboard"),
            format!("Mayday relayed by merchant ship near {place}"),
        ],
        Category::Other => vec![format!("Report from {place} needs assessment")],
    };
    rng.pick(&options).clone()
}

/// A plausible new report somewhere on the borders.
pub fn report(places: &[Place], rng: &mut Rng) -> Report {
    // Crossings see more than open sectors.
    let weights: Vec<u32> = places
        .iter()
        .map(|p| if p.kind == PlaceKind::Crossing { 3 } else { 2 })
        .collect();
    let place = places[rng.weighted(&weights)].clone();
    let cats = categories(place.region, coastal(&place));
    let category = cats[rng.weighted(&cats.iter().map(|c| c.1).collect::<Vec<_>>())].0;
    let mut severity = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ][rng.weighted(&[25, 42, 24, 9])];
    if category == Category::ArmedIncursion && severity < Severity::High {
        severity = Severity::High;
    }
    let source = [
        Source::FieldUnit,
        Source::AgencyReport,
        Source::Sensor,
        Source::Public,
    ][rng.weighted(&[40, 35, 15, 10])];
    Report {
        title: title(category, &place.name, rng),
        description: format!(
            "Reported via {} near {} ({}).",
            source.as_str().replace('_', " "),
            place.name,
            place.name_ar
        ),
        category,
        severity,
        source,
        place,
    }
}

pub const NOTES: &[&str] = &[
    "Unit on scene, situation calm.",
    "Liaison confirms two vehicles, plates not visible.",
    "Coast guard patrol boat dispatched.",
    "تم إبلاغ الوحدة الميدانية",
    "Drone imagery requested from the air wing.",
    "Persons detained handed to the immigration centre.",
    "Road closed by the army checkpoint until further notice.",
    "Customs seized the cargo; inventory in progress.",
];

pub const TASKS: &[&str] = &[
    "Send a patrol to verify the report",
    "Intercept the vehicles on the coastal road",
    "Provide a boat for interception at sea",
    "Medical support for rescued persons",
    "Check the cargo and seal the container",
    "Share intelligence on the network",
    "Hold the checkpoint until relieved",
];
