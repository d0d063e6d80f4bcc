//! `/stats` in the database: incidents reported in a window counted per
//! bucket and key, and how each severity met the SLA — one grouped scan of
//! the covering `incidents_stats` index, need-to-know applied in the query.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::StoreResult;
use super::columns::millis;
use super::read::{Sql, seen_by};
use super::reader::Reader;
use super::sql::Bind;
use crate::api::stats::{Series, SlaCompliance, Stats, StatsBy};
use crate::model::{Severity, Sla, Viewer};

/// The counts of `[to - window, to)` in buckets of `bucket` seconds, `to`
/// being the end of the bucket holding `now`.
pub async fn stats<R: Reader>(
    r: &R,
    by: StatsBy,
    window_s: i64,
    bucket_s: i64,
    now: OffsetDateTime,
    sla: &Sla,
    viewer: &Viewer,
) -> StoreResult<Stats> {
    let bucket_ms = bucket_s * 1000;
    let to_ms = (millis(now).div_euclid(bucket_ms) + 1) * bucket_ms;
    let from_ms = to_ms - window_s * 1000;
    let buckets = (window_s / bucket_s) as usize;
    let key = match by {
        StatsBy::Category => "category",
        StatsBy::Severity => "severity",
        StatsBy::Sector => "COALESCE(sector, '')",
    };
    // One scan of the covering index: per key, bucket, severity and how the
    // SLA went (met: triaged within it; pending: waiting, still within it;
    // missed: the rest), summed here.
    let limit = "(CASE severity WHEN 'critical' THEN $4 WHEN 'high' THEN $5 \
                 WHEN 'medium' THEN $6 ELSE $7 END)";
    let mut sql = Sql::new(&format!(
        "SELECT {key} || '|' || CAST((reported_at_ms - $1) / $2 AS TEXT) || '|' || severity || '|' || \
           CASE WHEN triaged_at_ms IS NOT NULL AND triaged_at_ms - reported_at_ms <= {limit} THEN 'met' \
                WHEN triaged_at_ms IS NULL AND $8 - reported_at_ms <= {limit} THEN 'pending' \
                ELSE 'missed' END, \
         CAST(COUNT(*) AS TEXT) \
         FROM incidents WHERE reported_at_ms >= $1 AND reported_at_ms < $3"
    ));
    let limit = |s: Severity| Bind::Int(sla.limit(s).whole_milliseconds() as i64);
    sql.binds = vec![
        Bind::Int(from_ms),
        Bind::Int(bucket_ms),
        Bind::Int(to_ms),
        limit(Severity::Critical),
        limit(Severity::High),
        limit(Severity::Medium),
        limit(Severity::Low),
        Bind::Int(millis(now)),
    ];
    seen_by::<R>(&mut sql, "audience", viewer);
    sql.push(" GROUP BY 1");
    let mut series: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut sla_rows: Vec<SlaCompliance> = Severity::ALL
        .iter()
        .rev()
        .map(|s| SlaCompliance {
            severity: *s,
            met: 0,
            missed: 0,
            pending: 0,
        })
        .collect();
    for (k, n) in r.pairs(sql.text, sql.binds).await? {
        let n: u32 = n.parse().unwrap_or(0);
        // The key may hold `|` (a sector's name): the last three fields are ours.
        let mut fields = k.rsplitn(4, '|');
        let (Some(outcome), Some(severity), Some(at), Some(name)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let at: usize = at.parse().unwrap_or(usize::MAX);
        let counts = series
            .entry(name.to_string())
            .or_insert_with(|| vec![0; buckets]);
        if let Some(c) = counts.get_mut(at) {
            *c = c.saturating_add(n);
        }
        if let Some(row) = sla_rows
            .iter_mut()
            .find(|r| r.severity.as_str() == severity)
        {
            match outcome {
                "met" => row.met += n,
                "pending" => row.pending += n,
                _ => row.missed += n,
            }
        }
    }
    let mut series: Vec<Series> = series
        .into_iter()
        .map(|(key, counts)| Series {
            total: counts.iter().sum(),
            key,
            counts,
        })
        .collect();
    series.sort_by(|a, b| b.total.cmp(&a.total).then(a.key.cmp(&b.key)));
    let incidents = series.iter().map(|s| s.total).sum();
    // The first report of the record (its index's first entry).
    let first_ms = r
        .int(
            "SELECT COALESCE(MIN(reported_at_ms), -1) FROM incidents".into(),
            vec![],
        )
        .await?;
    let at = |ms: i64| {
        OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    };
    Ok(Stats {
        by,
        from: at(from_ms),
        to: at(to_ms),
        bucket_seconds: bucket_s,
        series,
        sla: sla_rows,
        incidents,
        record_from: (first_ms >= 0).then(|| at(first_ms)),
    })
}
