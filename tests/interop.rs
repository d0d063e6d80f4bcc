//! Interchange on both stores (`TANDEM_TEST_STORE=postgres`): the incidents
//! export as GeoJSON (RFC 7946: lon, lat) and CSV (RFC 4180, read back by a
//! CSV parser: Arabic, quotes, commas, newlines), streamed past one page,
//! need-to-know applied, bad requests refused, and `tandem export` writing
//! the file.

mod common;

use common::{TestServer, new_incident};
use serde_json::Value;
use tandem::api::export::{ExportFormat, ExportQuery};
use tandem::bench::proxy::Proxy;
use tandem::client::{Client, new_key};
use tandem::interop::csv::{BOM, COLUMNS};
use tandem::model::{Location, Role, Tlp};

const TRICKY: &str = "Said \"three boats\", then:\nmore at dawn, near زوارة";
const ARABIC: &str = "قارب مهاجرين قبالة زوارة";

async fn get(ts: &TestServer, role: Role, query: &str, accept: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .get(format!("{}/api/v1/export/incidents{query}", ts.url))
        .bearer_auth(ts.token(role));
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    req.send().await.unwrap()
}

/// Two incidents worth exporting, and one TLP:RED the duty officer may not see.
async fn world(ts: &TestServer) {
    let duty = ts.client(Role::DutyOfficer);
    let mut arabic = new_incident(ARABIC);
    arabic.description = TRICKY.into();
    arabic.location = Location {
        lat: 32.9327858,
        lon: 12.0806069,
        sector: None,
        crossing: None,
    };
    duty.create_incident(&new_key(), &arabic).await.unwrap();
    duty.create_incident(&new_key(), &new_incident("Fuel trucks, Ras Ajdir"))
        .await
        .unwrap();
    let mut red = new_incident("Informant's report");
    red.tlp = Tlp::Red;
    ts.client(Role::Supervisor)
        .create_incident(&new_key(), &red)
        .await
        .unwrap();
}

#[tokio::test]
async fn geojson_is_a_feature_collection_with_lon_lat_points() {
    let ts = TestServer::start().await;
    world(&ts).await;
    let res = get(&ts, Role::DutyOfficer, "", Some("application/geo+json")).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "application/geo+json");
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["type"], "FeatureCollection");
    let features = doc["features"].as_array().unwrap();
    assert_eq!(
        features.len(),
        2,
        "the red one is not the duty officer's to see"
    );
    let zuwara = features
        .iter()
        .find(|f| f["properties"]["title"] == ARABIC)
        .unwrap();
    assert_eq!(zuwara["type"], "Feature");
    assert_eq!(zuwara["geometry"]["type"], "Point");
    // RFC 7946: longitude first.
    assert_eq!(zuwara["geometry"]["coordinates"][0], 12.0806069);
    assert_eq!(zuwara["geometry"]["coordinates"][1], 32.9327858);
    assert_eq!(zuwara["properties"]["location"]["sector"], "Zuwara");
    assert_eq!(zuwara["properties"]["description"], TRICKY);
    assert!(
        zuwara["properties"]["reference"]
            .as_str()
            .unwrap()
            .starts_with("TRP-")
    );
    // The supervisor's export holds the red one.
    let all: Value = get(&ts, Role::Supervisor, "?format=geojson", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["features"].as_array().unwrap().len(), 3);
    ts.shutdown().await;
}

#[tokio::test]
async fn csv_round_trips_arabic_quotes_commas_and_newlines() {
    let ts = TestServer::start().await;
    world(&ts).await;
    let res = get(&ts, Role::DutyOfficer, "?bom=true", Some("text/csv")).await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let body = res.bytes().await.unwrap();
    assert!(
        body.starts_with(BOM),
        "the byte-order mark first when asked"
    );
    let mut r = csv::Reader::from_reader(&body[BOM.len()..]);
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, COLUMNS);
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let col = |name: &str| COLUMNS.iter().position(|c| *c == name).unwrap();
    let zuwara = rows.iter().find(|r| &r[col("title")] == ARABIC).unwrap();
    assert_eq!(&zuwara[col("description")], TRICKY);
    assert_eq!(&zuwara[col("sector")], "Zuwara");
    assert_eq!(&zuwara[col("lat")], "32.9327858");
    assert_eq!(&zuwara[col("lon")], "12.0806069");
    // Without `bom`, none.
    let plain = get(&ts, Role::DutyOfficer, "?format=csv", None)
        .await
        .bytes()
        .await
        .unwrap();
    assert!(plain.starts_with(b"reference,title,"));
    ts.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_export_is_streamed_whole_past_one_page_and_a_cut_leaves_nothing() {
    let ts = TestServer::start().await;
    let duty = ts.client(Role::DutyOfficer);
    let n = 620;
    for chunk in (0..n).collect::<Vec<_>>().chunks(40) {
        let posts = chunk.iter().map(|k| {
            let duty = duty.clone();
            async move {
                duty.create_incident(&new_key(), &new_incident(&format!("Report {k}")))
                    .await
                    .unwrap()
            }
        });
        futures::future::join_all(posts).await;
    }
    let doc: Value = get(&ts, Role::DutyOfficer, "?format=geojson", None)
        .await
        .json()
        .await
        .unwrap();
    let refs: std::collections::HashSet<&str> = doc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["reference"].as_str().unwrap())
        .collect();
    assert_eq!(refs.len(), n, "every incident once, across pages");
    let csv = get(&ts, Role::DutyOfficer, "?format=csv&q=report%201", None)
        .await
        .bytes()
        .await
        .unwrap();
    let rows = csv::Reader::from_reader(&csv[..]).records().count();
    assert_eq!(
        rows,
        1 + 10 + 100,
        "the search's filter applies: Report 1, 1x and 1xx"
    );

    // The link drops 50 kB in: the export fails clearly and leaves no file, whole or part.
    let target = ts.url.trim_start_matches("http://").parse().unwrap();
    let proxy = Proxy::start(target).await.unwrap();
    proxy.chop_after(50_000);
    let client = Client::new(&proxy.url(), ts.token(Role::DutyOfficer)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("all.geojson");
    let q = ExportQuery {
        format: Some(ExportFormat::Geojson),
        ..Default::default()
    };
    let err = client.export_incidents(&q, &out).await.unwrap_err();
    assert!(format!("{err:#}").contains("cut short"), "{err:#}");
    assert!(proxy.bytes_to_client() >= 50_000);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing left behind"
    );
    // Whole again once the link is.
    proxy.chop_after(0);
    client.export_incidents(&q, &out).await.unwrap();
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(doc["features"].as_array().unwrap().len(), n);
    ts.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_exports_are_refused_and_the_command_line_writes_the_file() {
    let ts = TestServer::start().await;
    world(&ts).await;
    let res = get(&ts, Role::DutyOfficer, "", Some("text/html")).await;
    assert_eq!(res.status().as_u16(), 406);
    assert!(res.text().await.unwrap().contains("text/csv"));
    // Asking for nothing in particular: GeoJSON.
    let res = get(&ts, Role::DutyOfficer, "", None).await;
    assert_eq!(res.headers()["content-type"], "application/geo+json");
    for (query, says) in [
        ("?format=xml", "format"),
        ("?format=csv&since=yesterday", "since"),
        ("?format=csv&colour=red", "colour"),
    ] {
        let res = get(&ts, Role::DutyOfficer, query, None).await;
        assert_eq!(res.status().as_u16(), 422, "{query}");
        assert!(res.text().await.unwrap().contains(says), "{query}");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("incidents.geojson");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["export", "incidents", "--format", "geojson", "--out"])
        .arg(&out)
        .args(["--server", &ts.url, "--token", ts.token(Role::DutyOfficer)])
        .args(["--config", "/nonexistent/config.toml"])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(doc["features"].as_array().unwrap().len(), 2);
    assert!(!dir.path().join("incidents.geojson.part").exists());
    ts.shutdown().await;
}
