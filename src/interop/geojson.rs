//! Incidents as a GeoJSON FeatureCollection (RFC 7946): each a Feature with
//! a Point at its location — longitude first — and the incident's fields as
//! its properties. Written in pieces (the opening, features, the closing)
//! so a long export is streamed, never built whole.

use serde_json::{Value, json};

use crate::model::Incident;

pub const START: &str = "{\"type\":\"FeatureCollection\",\"features\":[";
pub const END: &str = "]}\n";

/// One Feature.
pub fn feature(i: &Incident) -> Value {
    let mut properties = serde_json::to_value(i).unwrap_or(Value::Null);
    if let Value::Object(p) = &mut properties {
        // The geometry carries the position; the rest of the location stays.
        if let Some(Value::Object(loc)) = p.get_mut("location") {
            loc.remove("lat");
            loc.remove("lon");
        }
    }
    json!({
        "type": "Feature",
        "id": i.id.to_string(),
        "geometry": {"type": "Point", "coordinates": [i.location.lon, i.location.lat]},
        "properties": properties,
    })
}

/// Features joined by commas; `first` says whether any came before.
pub fn features(incidents: &[Incident], first: bool) -> String {
    let mut out = String::new();
    for (n, i) in incidents.iter().enumerate() {
        if n > 0 || !first {
            out.push(',');
        }
        out.push_str(&feature(i).to_string());
    }
    out
}
