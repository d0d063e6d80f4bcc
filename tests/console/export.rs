//! `:export`: what the feed shows, in its order, as CSV or GeoJSON, from
//! the console's own state; bad lines refused with the usage.

use tandem::console::action::Effect;
use tandem::interop::csv::{BOM, COLUMNS};
use tandem::model::Role;

use super::fixture::*;

fn exported(effects: &[Effect]) -> (&std::path::Path, &[u8]) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Export { path, bytes, .. } => Some((path.as_path(), bytes.as_slice())),
            _ => None,
        })
        .expect("an export effect")
}

#[test]
fn export_writes_what_the_feed_shows_in_its_order() {
    let mut f = fixture(Role::DutyOfficer, (120, 40));
    let effects = colon(&mut f.app, "export csv /tmp/feed.csv");
    let (path, bytes) = exported(&effects);
    assert_eq!(path, std::path::Path::new("/tmp/feed.csv"));
    assert!(bytes.starts_with(BOM));
    let mut r = csv::Reader::from_reader(&bytes[BOM.len()..]);
    assert_eq!(r.headers().unwrap(), COLUMNS.as_slice());
    let refs: Vec<String> = r.records().map(|r| r.unwrap()[0].to_string()).collect();
    // The feed's order: the overdue critical first, the closed one last.
    assert_eq!(refs.len(), 4);
    assert_eq!(refs[0], f.overdue_critical.reference);
    // Arabic comes through.
    assert!(String::from_utf8_lossy(bytes).contains("قارب مهاجرين قبالة زوارة"));

    // Filtered: only what shows.
    colon(&mut f.app, "filter sev:low");
    let effects = colon(&mut f.app, "export geojson ~/low.geojson");
    let (path, bytes) = exported(&effects);
    assert!(path.ends_with("low.geojson") && path.is_absolute());
    let doc: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    let features = doc["features"].as_array().unwrap();
    assert_eq!(features.len(), 1);
    assert_eq!(
        features[0]["properties"]["reference"],
        f.fresh_low.reference.as_str()
    );
    assert_eq!(features[0]["geometry"]["coordinates"][0], 11.5);
}

#[test]
fn a_bad_export_line_says_how() {
    let mut f = fixture(Role::DutyOfficer, (120, 40));
    for line in ["export", "export pdf out.pdf", "export csv"] {
        let effects = colon(&mut f.app, line);
        assert!(
            !effects.iter().any(|e| matches!(e, Effect::Export { .. })),
            "{line}"
        );
        let said = &f.app.ctx.messages.last().unwrap().text;
        assert!(said.contains(":export csv FILE"), "{line}: {said}");
    }
}
