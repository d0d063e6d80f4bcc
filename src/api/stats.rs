//! `GET /api/v1/stats`: incidents counted per bucket of time over a window,
//! per category, sector or severity, with SLA compliance per severity —
//! the wire types and the reading of the query's durations.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use crate::model::Severity;

/// Longest window counted.
pub const MAX_WINDOW_S: i64 = 31 * 86_400;
/// Most buckets in one answer.
pub const MAX_BUCKETS: i64 = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatsBy {
    #[default]
    Category,
    Sector,
    Severity,
}

impl StatsBy {
    pub fn as_str(self) -> &'static str {
        match self {
            StatsBy::Category => "category",
            StatsBy::Sector => "sector",
            StatsBy::Severity => "severity",
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// How far back: `72h`, `7d`, `90m` (at most 31 days; 72h by default).
    #[param(pattern = "^[0-9]{1,6}[mhd]$")]
    pub window: Option<String>,
    /// The width of each count: `1h`, `15m`, `1d` (1h by default; at most
    /// 1,000 buckets, and the window a whole number of them).
    #[param(pattern = "^[0-9]{1,6}[mhd]$")]
    pub bucket: Option<String>,
    /// What each series is: `category` (default), `sector` or `severity`.
    pub by: Option<StatsBy>,
}

/// Reads `90m`, `72h`, `7d` as seconds.
pub fn duration_s(what: &str, text: &str) -> Result<i64, String> {
    let bad = || format!("{what} `{text}` is not a duration such as 90m, 72h or 7d");
    let unit = match text.chars().last() {
        Some('m') => 60,
        Some('h') => 3_600,
        Some('d') => 86_400,
        _ => return Err(bad()),
    };
    let digits = &text[..text.len() - 1];
    if digits.is_empty() || digits.len() > 6 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let n: i64 = digits.parse().map_err(|_| bad())?;
    if n == 0 {
        return Err(format!("{what} `{text}` is empty"));
    }
    Ok(n * unit)
}

impl StatsQuery {
    /// The window and the bucket in seconds, checked.
    pub fn spans(&self) -> Result<(i64, i64), String> {
        let window = duration_s("window", self.window.as_deref().unwrap_or("72h"))?;
        let bucket = duration_s("bucket", self.bucket.as_deref().unwrap_or("1h"))?;
        if window > MAX_WINDOW_S {
            return Err("the window is at most 31 days (31d)".into());
        }
        if bucket > window || window % bucket != 0 {
            return Err("the window must be a whole number of buckets".into());
        }
        if window / bucket > MAX_BUCKETS {
            return Err(format!(
                "{} buckets asked; at most {MAX_BUCKETS} (widen the bucket)",
                window / bucket
            ));
        }
        Ok((window, bucket))
    }
}

/// One series: the incidents of one key reported in each bucket, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Series {
    /// The category, sector or severity (`""` for incidents with no sector).
    pub key: String,
    pub counts: Vec<u32>,
    pub total: u32,
}

/// How the incidents of one severity reported in the window met the SLA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SlaCompliance {
    pub severity: Severity,
    /// Triaged (acknowledged, or dismissed) within the SLA.
    pub met: u32,
    /// Triaged late, or still waiting past it.
    pub missed: u32,
    /// Still waiting, within the SLA.
    pub pending: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    pub by: StatsBy,
    /// The first bucket's start (buckets are aligned to their width).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub from: OffsetDateTime,
    /// The end of the last bucket (which holds now).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub to: OffsetDateTime,
    pub bucket_seconds: i64,
    /// Series with at least one incident, most incidents first.
    pub series: Vec<Series>,
    /// Per severity, critical first.
    pub sla: Vec<SlaCompliance>,
    /// Incidents reported in the window, as the asking officer may see them.
    pub incidents: u32,
    /// When the record's first incident was reported: hours before it are
    /// empty because nothing was recorded, not because nothing happened.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub record_from: Option<OffsetDateTime>,
}

impl Stats {
    /// Hours of the week before the last 24 that the record covers, for
    /// [`crate::model::trends::hotspot`].
    pub fn known_week_hours(&self) -> usize {
        let Some(first) = self.record_from else {
            return 0;
        };
        let covered = (self.to - first).whole_hours() - 24;
        covered.clamp(0, 168) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(window: &str, bucket: &str) -> Result<(i64, i64), String> {
        StatsQuery {
            window: Some(window.into()),
            bucket: Some(bucket.into()),
            by: None,
        }
        .spans()
    }

    #[test]
    fn spans_are_read_and_bounded() {
        assert_eq!(StatsQuery::default().spans(), Ok((72 * 3600, 3600)));
        assert_eq!(q("7d", "1d"), Ok((7 * 86400, 86400)));
        assert!(q("72x", "1h").unwrap_err().contains("not a duration"));
        assert!(q("h", "1h").is_err());
        assert!(q("0h", "1h").unwrap_err().contains("empty"));
        assert!(q("32d", "1d").unwrap_err().contains("31 days"));
        assert!(q("90m", "1h").unwrap_err().contains("whole number"));
        assert!(q("30d", "1m").unwrap_err().contains("buckets"));
        assert!(q("٣h", "1h").is_err(), "only ASCII digits");
        assert!(q("9999999h", "1h").is_err());
    }
}
