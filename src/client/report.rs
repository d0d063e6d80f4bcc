//! `tandem report shift`: which window (a shift, `--from/--to`, `--last`,
//! `--day` in Libya time, the last 8 hours by default), the report fetched
//! through the API, rendered as Markdown, CSV or JSON; and the statistics
//! behind the trends screen.

use anyhow::{Context, bail};
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime, UtcOffset};
use uuid::Uuid;

use super::Client;
use crate::model::Centre;
use crate::model::report_render;

/// Libya's time, all year: UTC+2.
const LIBYA: UtcOffset = match UtcOffset::from_hms(2, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

#[derive(Debug, Default)]
pub struct Window {
    pub shift: Option<Uuid>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub last: Option<String>,
    pub day: Option<String>,
}

pub async fn render(
    client: &Client,
    centre: Centre,
    window: Window,
    format: &str,
) -> anyhow::Result<String> {
    let now = OffsetDateTime::now_utc();
    let (from, to) = match window.shift {
        Some(id) => {
            let mut all = client.shifts(centre, false).await?;
            all.extend(client.shifts(centre, true).await?);
            let s = all
                .into_iter()
                .find(|s| s.id == id)
                .with_context(|| format!("no shift {id} among {centre}'s last 50"))?;
            (s.started_at, s.ended_at.unwrap_or(now))
        }
        None => bounds(&window, now)?,
    };
    let report = client.shift_report(centre, from, to).await?;
    Ok(match format {
        "json" => serde_json::to_string_pretty(&report)? + "\n",
        "csv" => report_render::csv(&report),
        "html" => crate::model::report_html::html(&report),
        _ => report_render::markdown(&report),
    })
}

/// The window a command line names, `now` the default end.
pub fn bounds(w: &Window, now: OffsetDateTime) -> anyhow::Result<(OffsetDateTime, OffsetDateTime)> {
    let at = |name: &str, t: &str| {
        OffsetDateTime::parse(t, &Rfc3339)
            .with_context(|| format!("--{name} {t}: not an RFC 3339 time (2026-11-30T06:00:00Z)"))
    };
    if let Some(day) = &w.day {
        let date = Date::parse(
            day,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .with_context(|| format!("--day {day}: not a date (2026-11-30)"))?;
        let start = date
            .midnight()
            .assume_offset(LIBYA)
            .to_offset(UtcOffset::UTC);
        return Ok((start, start + Duration::days(1)));
    }
    if let Some(from) = &w.from {
        let to = match &w.to {
            Some(t) => at("to", t)?,
            None => now,
        };
        return Ok((at("from", from)?, to));
    }
    let span = match &w.last {
        Some(text) => span(text)?,
        None => Duration::hours(8),
    };
    Ok((now - span, now))
}

/// `8h`, `90m` or `2d`.
fn span(text: &str) -> anyhow::Result<Duration> {
    let t = text.trim();
    let (n, unit) = t.split_at(t.len().saturating_sub(1));
    let n: i64 = n
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .with_context(|| format!("--last {text}: a positive number then h, m or d (8h)"))?;
    Ok(match unit {
        "h" => Duration::hours(n),
        "m" => Duration::minutes(n),
        "d" => Duration::days(n),
        _ => bail!("--last {text}: a positive number then h, m or d (8h)"),
    })
}

impl Client {
    /// Incidents per bucket and SLA compliance (`GET /api/v1/stats`).
    pub async fn stats(
        &self,
        q: &crate::api::stats::StatsQuery,
    ) -> super::ClientResult<crate::api::stats::Stats> {
        self.send(self.request(reqwest::Method::GET, "/api/v1/stats").query(q))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_from_the_command_line() {
        let now = OffsetDateTime::parse("2026-11-30T12:00:00Z", &Rfc3339).unwrap();
        let w = Window {
            day: Some("2026-11-30".into()),
            ..Window::default()
        };
        let (from, to) = bounds(&w, now).unwrap();
        assert_eq!(from.format(&Rfc3339).unwrap(), "2026-11-29T22:00:00Z");
        assert_eq!(to - from, Duration::days(1));
        let w = Window {
            last: Some("90m".into()),
            ..Window::default()
        };
        assert_eq!(bounds(&w, now).unwrap().0, now - Duration::minutes(90));
        assert_eq!(
            bounds(&Window::default(), now).unwrap().0,
            now - Duration::hours(8)
        );
        for bad in ["8", "h", "-3h", "8w", ""] {
            let w = Window {
                last: Some(bad.into()),
                ..Window::default()
            };
            assert!(bounds(&w, now).is_err(), "{bad}");
        }
    }
}
