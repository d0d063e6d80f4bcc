//! The situational picture's server side, on both stores
//! (`TANDEM_TEST_STORE=postgres`): an incident's sector and crossing filled
//! from its position, and `/stats` counting per bucket, per category, sector
//! and severity, SLA compliance, need-to-know, and refusing bad queries.

mod common;

use common::{TestServer, new_incident};
use serde_json::json;
use tandem::api::stats::{Stats, StatsBy, StatsQuery};
use tandem::client::new_key;
use tandem::model::{Category, Incident, Location, Role, Severity, Tlp};

fn at(lat: f64, lon: f64) -> Location {
    Location {
        lat,
        lon,
        sector: None,
        crossing: None,
    }
}

async fn report(
    ts: &TestServer,
    role: Role,
    cat: Category,
    sev: Severity,
    loc: Location,
) -> Incident {
    let mut new = new_incident("Reported on the radio");
    new.category = cat;
    new.severity = sev;
    new.location = loc;
    ts.client(role)
        .create_incident(&new_key(), &new)
        .await
        .unwrap()
}

async fn acknowledge(ts: &TestServer, i: &Incident) {
    ts.client(Role::DutyOfficer)
        .patch_incident(
            &new_key(),
            i.id,
            i.version,
            &serde_json::from_value(json!({"status": "acknowledged"})).unwrap(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn an_incident_without_a_sector_gets_it_from_its_position() {
    let ts = TestServer::start().await;
    let duty = Role::DutyOfficer;
    let near_ras_ajdir = report(
        &ts,
        duty,
        Category::SmugglingFuel,
        Severity::High,
        at(33.14, 11.67),
    )
    .await;
    assert_eq!(near_ras_ajdir.location.sector.as_deref(), Some("Ras Ajdir"));
    assert_eq!(
        near_ras_ajdir.location.crossing.as_deref(),
        Some("Ras Ajdir")
    );
    let zuwara = report(
        &ts,
        duty,
        Category::Maritime,
        Severity::Low,
        at(32.9327858, 12.0806069),
    )
    .await;
    assert_eq!(zuwara.location.sector.as_deref(), Some("Zuwara"));
    assert_eq!(zuwara.location.crossing, None, "Ras Ajdir is 50 km away");
    // What the reporter names stands.
    let mut named = at(33.14, 11.67);
    named.sector = Some("Tripoli".into());
    let named = report(&ts, duty, Category::Other, Severity::Low, named).await;
    assert_eq!(named.location.sector.as_deref(), Some("Tripoli"));
    assert_eq!(named.location.crossing.as_deref(), Some("Ras Ajdir"));
    // Moved to Kufra: the new position's sector, in the log and the search.
    let moved = ts
        .client(duty)
        .patch_incident(
            &new_key(),
            zuwara.id,
            zuwara.version,
            &serde_json::from_value(json!({"location": {"lat": 24.2, "lon": 23.3}})).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(moved.location.sector.as_deref(), Some("Kufra"));
    assert_eq!(moved.location.crossing.as_deref(), Some("Kufra"));
    // Deep desert: no sector, and nothing refused for it.
    let nowhere = report(&ts, duty, Category::Other, Severity::Low, at(26.5, 18.5)).await;
    assert_eq!(nowhere.location.sector, None);
    ts.shutdown().await;
}

async fn stats(ts: &TestServer, role: Role, by: StatsBy) -> Stats {
    let q = StatsQuery {
        window: Some("72h".into()),
        bucket: Some("1h".into()),
        by: Some(by),
    };
    ts.client(role).stats(&q).await.unwrap()
}

fn series<'a>(s: &'a Stats, key: &str) -> &'a tandem::api::stats::Series {
    s.series
        .iter()
        .find(|x| x.key == key)
        .unwrap_or_else(|| panic!("no series `{key}` in {:?}", s.series))
}

#[tokio::test]
async fn stats_count_per_bucket_by_category_sector_and_severity() {
    let ts = TestServer::start().await;
    let duty = Role::DutyOfficer;
    report(
        &ts,
        duty,
        Category::SmugglingFuel,
        Severity::High,
        at(33.14, 11.67),
    )
    .await;
    let fuel_zuw = report(
        &ts,
        duty,
        Category::SmugglingFuel,
        Severity::Low,
        at(32.93, 12.08),
    )
    .await;
    let boat = report(
        &ts,
        duty,
        Category::Maritime,
        Severity::Critical,
        at(32.95, 12.1),
    )
    .await;
    // The critical one acknowledged at once: within its SLA.
    acknowledge(&ts, &boat).await;
    // The low one reported three hours ago and never acknowledged: past its hour.
    ts.raw_execute(&format!(
        "UPDATE incidents SET reported_at_ms = reported_at_ms - 10800000 WHERE id = '{}'",
        fuel_zuw.id
    ))
    .await;

    let by_cat = stats(&ts, duty, StatsBy::Category).await;
    assert_eq!(by_cat.incidents, 3);
    assert_eq!(by_cat.bucket_seconds, 3600);
    assert_eq!((by_cat.to - by_cat.from).whole_hours(), 72);
    let fuel = series(&by_cat, "smuggling_fuel");
    assert_eq!(fuel.total, 2);
    assert_eq!(fuel.counts.len(), 72);
    assert_eq!(fuel.counts[71], 1, "this hour: Ras Ajdir");
    assert_eq!(fuel.counts[68], 1, "three hours back: Zuwara");
    assert_eq!(fuel.counts.iter().sum::<u32>(), 2);
    assert_eq!(series(&by_cat, "maritime").total, 1);
    assert_eq!(by_cat.series[0].key, "smuggling_fuel", "most first");

    let by_sector = stats(&ts, duty, StatsBy::Sector).await;
    assert_eq!(series(&by_sector, "Zuwara").total, 2);
    assert_eq!(series(&by_sector, "Ras Ajdir").total, 1);

    let by_sev = stats(&ts, duty, StatsBy::Severity).await;
    for (k, n) in [("critical", 1), ("high", 1), ("low", 1)] {
        assert_eq!(series(&by_sev, k).total, n, "{k}");
    }
    let sla = |s: Severity| by_sev.sla.iter().find(|r| r.severity == s).unwrap();
    assert_eq!(
        (sla(Severity::Critical).met, sla(Severity::Critical).missed),
        (1, 0)
    );
    assert_eq!(sla(Severity::High).pending, 1, "{:?}", sla(Severity::High));
    assert_eq!(sla(Severity::Low).missed, 1);
    assert_eq!(by_sev.sla[0].severity, Severity::Critical);
    // The record began with the Zuwara report, three hours back.
    let began = by_sev.record_from.expect("the record's first report");
    assert!((by_sev.to - began).whole_hours() >= 3 && (by_sev.to - began).whole_hours() <= 4);

    // Need-to-know: a TLP:RED incident counts for the supervisor who may see it, not the duty officer.
    let mut red = new_incident("Informant's report");
    red.tlp = Tlp::Red;
    red.location = at(32.9, 13.18);
    ts.client(Role::Supervisor)
        .create_incident(&new_key(), &red)
        .await
        .unwrap();
    assert_eq!(
        stats(&ts, Role::Supervisor, StatsBy::Sector)
            .await
            .incidents,
        4
    );
    let seen_by_duty = stats(&ts, duty, StatsBy::Sector).await;
    assert_eq!(seen_by_duty.incidents, 3);
    assert!(seen_by_duty.series.iter().all(|s| s.key != "Tripoli"));
    ts.shutdown().await;
}

#[tokio::test]
async fn bad_stats_queries_are_refused_and_name_the_parameter() {
    let ts = TestServer::start().await;
    let http = reqwest::Client::new();
    for (query, says) in [
        ("window=abc", "not a duration"),
        ("window=32d&bucket=1d", "31 days"),
        ("window=90m", "whole number"),
        ("window=30d&bucket=1m", "buckets"),
        ("by=colour", "by"),
        ("bucket=0h", "empty"),
        ("window=99999999999999999999h", "not a duration"),
        ("colour=red", "colour"),
    ] {
        let res = http
            .get(format!("{}/api/v1/stats?{query}", ts.url))
            .bearer_auth(ts.token(Role::DutyOfficer))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 422, "{query}");
        let body = res.text().await.unwrap();
        assert!(body.contains(says), "{query}: {body}");
    }
    let res = http
        .get(format!("{}/api/v1/stats", ts.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    ts.shutdown().await;
}

#[tokio::test]
async fn rows_written_before_the_upgrade_are_counted_after_it() {
    let ts = TestServer::start().await;
    let duty = Role::DutyOfficer;
    let boat = report(
        &ts,
        duty,
        Category::Maritime,
        Severity::Critical,
        at(32.93, 12.08),
    )
    .await;
    acknowledge(&ts, &boat).await;
    report(&ts, duty, Category::Other, Severity::Low, at(33.14, 11.67)).await;
    // As rows stood before migration 0008: no sector or triage columns filled.
    ts.raw_execute("UPDATE incidents SET sector = NULL, triaged_at_ms = NULL")
        .await;
    let before = stats(&ts, duty, StatsBy::Sector).await;
    assert_eq!(series(&before, "").total, 2, "{:?}", before.series);
    // The migration's backfill, as it runs on this store, fills them from the JSON.
    let store = if common::postgres_requested() {
        "postgres"
    } else {
        "sqlite"
    };
    let migration = std::fs::read_to_string(format!(
        "{}/src/store/{store}/migrations/0008_stats.sql",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let update = migration
        .split(';')
        .find(|s| {
            s.trim_start()
                .lines()
                .any(|l| l.starts_with("UPDATE incidents"))
        })
        .unwrap();
    ts.raw_execute(update).await;
    let after = stats(&ts, duty, StatsBy::Sector).await;
    assert_eq!(series(&after, "Zuwara").total, 1, "{:?}", after.series);
    assert_eq!(series(&after, "Ras Ajdir").total, 1);
    let critical = after
        .sla
        .iter()
        .find(|r| r.severity == Severity::Critical)
        .unwrap();
    assert_eq!(
        critical.met, 1,
        "the acknowledgement read back from the JSON"
    );
    ts.shutdown().await;
}
