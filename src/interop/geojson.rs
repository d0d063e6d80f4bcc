//! Incidents as a GeoJSON FeatureCollection (RFC 7946): each a Feature with
//! a Point at its location — longitude first — and the incident's fields
//! (the location's too) as its properties. Written in pieces (the opening, features, the closing)
//! so a long export is streamed, never built whole.

use serde_json::json;

use crate::model::Incident;

pub const START: &str = "{\"type\":\"FeatureCollection\",\"features\":[";
pub const END: &str = "]}\n";

/// One Feature, appended to `out`: written straight from the incident, no
/// intermediate JSON tree (a long export spends its time here).
pub fn feature(out: &mut String, i: &Incident) {
    let geometry = json!({"type": "Point", "coordinates": [i.location.lon, i.location.lat]});
    let properties = serde_json::to_string(i).unwrap_or_else(|_| "{}".into());
    out.push_str("{\"type\":\"Feature\",\"id\":\"");
    out.push_str(&i.id.to_string());
    out.push_str("\",\"geometry\":");
    out.push_str(&geometry.to_string());
    out.push_str(",\"properties\":");
    out.push_str(&properties);
    out.push('}');
}

/// Features joined by commas; `first` says whether none came before.
pub fn features(incidents: &[Incident], first: bool) -> String {
    let mut out = String::with_capacity(incidents.len() * 1024);
    for (n, i) in incidents.iter().enumerate() {
        if n > 0 || !first {
            out.push(',');
        }
        feature(&mut out, i);
    }
    out
}
