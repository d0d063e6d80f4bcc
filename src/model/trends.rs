//! What the trends screen reads off hourly counts: the last 24 hours
//! against the 24 before (change in %), and hotspots — sectors whose last
//! 24 hours exceed what their hourly mean over the 7 days before predicts by
//! two standard deviations.
//!
//! The test: with μ and σ the mean and standard deviation of the hourly
//! counts of the 168 hours before the last 24 (of those the record covers), a 24-hour total is expected around 24μ
//! with a standard deviation of √24·σ (hours taken as independent); a sector
//! is a hotspot when its last 24 hours exceed 24μ + 2·√24·σ, and hold at
//! least [`HOTSPOT_FLOOR`] incidents, so one report in a quiet sector is not
//! an alarm.

/// Fewest incidents in 24 hours that can make a hotspot.
pub const HOTSPOT_FLOOR: u32 = 3;

/// The last 24 hours of hourly `counts` (oldest first), and the 24 before.
pub fn last_two_days(counts: &[u32]) -> (u32, u32) {
    let n = counts.len();
    let sum = |from: usize, to: usize| counts.get(from..to).map_or(0, |s| s.iter().sum());
    let last = sum(n.saturating_sub(24), n);
    let before = sum(n.saturating_sub(48), n.saturating_sub(24));
    (last, before)
}

/// The change from `before` to `last` in %, `None` when there was nothing before.
pub fn change_pct(last: u32, before: u32) -> Option<f64> {
    (before > 0).then(|| (f64::from(last) - f64::from(before)) / f64::from(before) * 100.0)
}

/// Why a sector is a hotspot: its last 24 hours and what was expected.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hotspot {
    pub last_24h: u32,
    /// 24μ: the 24-hour total the week's hourly mean predicts.
    pub expected: f64,
    /// 24μ + 2·√24·σ: the threshold exceeded.
    pub threshold: f64,
}

/// Whether hourly `counts` (oldest first; the last 24 are the last day, the
/// 168 before them the week) make a hotspot, judging by the last `known`
/// hours of the week only: the hours the record covers (a week-old system
/// has no quiet week to compare with). Under a day known: no verdict.
pub fn hotspot(counts: &[u32], known: usize) -> Option<Hotspot> {
    let n = counts.len();
    let known = known.min(168).min(n.saturating_sub(24));
    if known < 24 {
        return None;
    }
    let week = counts.get(n - 24 - known..n - 24)?;
    let last_24h: u32 = counts.get(n - 24..)?.iter().sum();
    let hours = known as f64;
    let mean = week.iter().map(|c| f64::from(*c)).sum::<f64>() / hours;
    let var = week
        .iter()
        .map(|c| (f64::from(*c) - mean).powi(2))
        .sum::<f64>()
        / hours;
    let expected = 24.0 * mean;
    let threshold = expected + 2.0 * 24f64.sqrt() * var.sqrt();
    (last_24h >= HOTSPOT_FLOOR && f64::from(last_24h) > threshold).then_some(Hotspot {
        last_24h,
        expected,
        threshold,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_day_against_the_one_before() {
        let mut c = vec![0u32; 72];
        c[71] = 3; // this hour
        c[40] = 2; // 31 hours ago
        assert_eq!(last_two_days(&c), (3, 2));
        assert_eq!(change_pct(3, 2), Some(50.0));
        assert_eq!(change_pct(0, 4), Some(-100.0));
        assert_eq!(change_pct(5, 0), None);
        assert_eq!(last_two_days(&[1, 2]), (3, 0));
    }

    #[test]
    fn a_steady_sector_is_no_hotspot_and_a_surge_is() {
        // One incident every 6 hours for a week, and the same today.
        let steady: Vec<u32> = (0..192).map(|h| u32::from(h % 6 == 0)).collect();
        assert_eq!(hotspot(&steady, 168), None);
        // The same week, then 12 in the last day: well above 4 ± 2·√24·σ.
        let mut surge = steady.clone();
        for c in surge.iter_mut().skip(180) {
            *c = 1;
        }
        let h = hotspot(&surge, 168).expect("a surge");
        assert_eq!(h.last_24h, 14);
        assert!((h.expected - 28.0 / 168.0 * 24.0).abs() < 1e-9, "{h:?}");
        assert!(h.threshold < 14.0);
        // A quiet sector's one report is not an alarm, whatever its deviation.
        let mut quiet = vec![0u32; 192];
        quiet[191] = 2;
        assert_eq!(hotspot(&quiet, 168), None);
        assert_eq!(hotspot(&[5; 30], 168), None, "under a day to judge by");
        // A record two days old: the one day before is the week.
        let mut young = vec![0u32; 192];
        young[150] = 1;
        for c in young.iter_mut().skip(170) {
            *c = 1;
        }
        assert_eq!(hotspot(&young, 0), None, "nothing known before today");
        let h = hotspot(&young, 24).expect("against the day before");
        assert!((h.expected - 1.0).abs() < 1e-9, "{h:?}");
        // The quiet days before the record began do not make today a hotspot.
        assert!(hotspot(&young, 168).unwrap().expected < h.expected);
    }
}
