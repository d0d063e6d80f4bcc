//! The roster as each viewer may see it: every agency and unit is listed to
//! everyone, but a unit's position only to those its marking admits (its
//! agency, its centre's officers, whoever sees an incident it is tasked to)
//! and an agency's contact details only to officers and its own liaisons.

use std::collections::HashMap;

use super::StoreResult;
use super::sql::{Bind, Sql};
use crate::model::marking::{self, Viewer};
use crate::model::{Agency, Region, Unit};

pub const AGENCIES: &str = "SELECT data FROM agencies ORDER BY code";
pub const UNITS: &str = "SELECT data FROM units ORDER BY callsign";
/// Each unit named by an open task, with the audience of that task's incident.
pub const TASKED: &str = "SELECT t.unit_id, i.audience FROM tasks t \
                          JOIN incidents i ON i.id = t.incident_id \
                          WHERE t.unit_id IS NOT NULL AND t.is_open";

/// Agencies with the contacts `viewer` may not see blanked.
pub fn agencies(mut agencies: Vec<Agency>, viewer: &Viewer) -> Vec<Agency> {
    for a in &mut agencies {
        if !viewer.admits(&marking::contacts_audience(a.id)) {
            mask_agency(a);
        }
    }
    agencies
}

pub fn mask_agency(a: &mut Agency) {
    a.liaison_contact.clear();
}

/// Units (stored JSON) with the positions `viewer` may not see blanked.
pub fn units(
    units: &[String],
    agencies: &[Agency],
    tasked: &[(String, String)],
    viewer: &Viewer,
) -> StoreResult<Vec<Unit>> {
    let regions: HashMap<_, _> = agencies.iter().map(|a| (a.id, a.region)).collect();
    let mut out = Vec::with_capacity(units.len());
    for json in units {
        let mut u: Unit = serde_json::from_str(json)?;
        if viewer.needles().is_some() {
            let id = u.id.to_string();
            let through = tasked.iter().filter(|(unit, _)| *unit == id);
            let region = regions
                .get(&u.agency_id)
                .copied()
                .unwrap_or(Region::National);
            let audience = marking::position_audience(&u, region, through.map(|(_, a)| a.as_str()));
            if !viewer.admits(&audience) {
                u.last_position = None;
            }
        }
        out.push(u);
    }
    Ok(out)
}

/// Who may see `unit`'s position now, as the writer records with its event.
pub async fn position_audience(db: &mut impl Sql, unit: &Unit) -> StoreResult<String> {
    let agency = db
        .texts(
            "SELECT data FROM agencies WHERE id = $1",
            vec![Bind::Text(unit.agency_id.to_string())],
        )
        .await?;
    let region = match agency.first() {
        Some(json) => serde_json::from_str::<Agency>(json)?.region,
        None => Region::National,
    };
    let sql = "SELECT i.audience FROM tasks t JOIN incidents i ON i.id = t.incident_id \
               WHERE t.unit_id = $1 AND t.is_open";
    let tasked = db.texts(sql, vec![Bind::Text(unit.id.to_string())]).await?;
    Ok(marking::position_audience(
        unit,
        region,
        tasked.iter().map(String::as_str),
    ))
}
