//! How things read on screen: the label of every vocabulary (never the wire
//! spelling), times in UTC and Libya time with the date when it is not
//! today, ages, and text fitted to display columns. A leaf: it depends on
//! nothing else in the console.

use time::{OffsetDateTime, UtcOffset};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::model::{
    Capability, Category, DismissReason, IncidentStatus, Priority, Region, Role, Severity, Source,
    TaskStatus, UnitStatus,
};

/// Libya keeps UTC+2 all year (Africa/Tripoli has had no DST since 2013).
pub const LIBYA: UtcOffset = match UtcOffset::from_hms(2, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// The header's clock: `14:02:11Z  16:02 LYT`.
pub fn clock(now: OffsetDateTime) -> String {
    let utc = now.to_offset(UtcOffset::UTC);
    let lyt = now.to_offset(LIBYA);
    format!(
        "{:02}:{:02}:{:02}Z  {:02}:{:02} LYT",
        utc.hour(),
        utc.minute(),
        utc.second(),
        lyt.hour(),
        lyt.minute()
    )
}

/// `14:02Z`.
pub fn hhmm(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!("{:02}:{:02}Z", t.hour(), t.minute())
}

/// A time as a duty officer reads it in a list: `14:02Z` today, `29 Nov 14:02Z` otherwise.
pub fn when(t: OffsetDateTime, now: OffsetDateTime) -> String {
    let (t, today) = (t.to_offset(UtcOffset::UTC), now.to_offset(UtcOffset::UTC));
    if t.date() == today.date() {
        hhmm(t)
    } else {
        format!("{} {}", day(t), hhmm(t))
    }
}

/// [`when`] with Libya time beside it: `29 Nov 14:02Z (16:02 LYT)`.
pub fn when_both(t: OffsetDateTime, now: OffsetDateTime) -> String {
    let lyt = t.to_offset(LIBYA);
    format!(
        "{} ({:02}:{:02} LYT)",
        when(t, now),
        lyt.hour(),
        lyt.minute()
    )
}

fn day(t: OffsetDateTime) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = MONTHS
        .get(usize::from(u8::from(t.month())).saturating_sub(1))
        .copied()
        .unwrap_or("?");
    format!("{} {m}", t.day())
}

/// Age as a duty officer reads it: 45s, 12m, 3h, 2d.
pub fn age(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=172_799 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// `s` cut to at most `width` columns, with `…` when cut; control characters dropped.
pub fn fit(s: &str, width: usize) -> String {
    if width == 0 {
        return String::new();
    }
    let clean = |c: &char| !c.is_control();
    if s.width() <= width && s.chars().all(|c| clean(&c)) {
        return s.to_string();
    }
    let total: usize = s
        .chars()
        .filter(clean)
        .map(|c| c.width().unwrap_or(0))
        .sum();
    let limit = if total > width { width - 1 } else { width };
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars().filter(clean) {
        let w = c.width().unwrap_or(0);
        if used + w > limit {
            break;
        }
        out.push(c);
        used += w;
    }
    if total > width {
        out.push('…');
    }
    out
}

/// `s` fitted and padded with spaces to exactly `width` columns.
pub fn pad(s: &str, width: usize) -> String {
    let mut f = fit(s, width);
    let w = f.width();
    f.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    f
}

/// The severity as four letters, always shown so colour is never the only signal.
pub fn severity_short(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRIT",
        Severity::High => "HIGH",
        Severity::Medium => "MED ",
        Severity::Low => "LOW ",
    }
}

pub fn severity(s: Severity) -> &'static str {
    s.as_str()
}

pub fn category(c: Category) -> &'static str {
    match c {
        Category::SmugglingFuel => "fuel smuggling",
        Category::SmugglingWeapons => "arms smuggling",
        Category::SmugglingDrugs => "drug smuggling",
        Category::SmugglingGoods => "goods smuggling",
        Category::HumanTrafficking => "human trafficking",
        Category::IrregularMigration => "irregular migration",
        Category::ArmedIncursion => "armed incursion",
        Category::BorderViolation => "border violation",
        Category::Maritime => "maritime",
        Category::Rescue => "rescue",
        Category::Other => "other",
    }
}

/// Incident status; an unacknowledged report reads as NEW, as its row says.
pub fn status(s: IncidentStatus) -> &'static str {
    match s {
        IncidentStatus::Reported => "new",
        IncidentStatus::Acknowledged => "acknowledged",
        IncidentStatus::Responding => "responding",
        IncidentStatus::Contained => "contained",
        IncidentStatus::Closed => "closed",
        IncidentStatus::Dismissed => "dismissed",
    }
}

pub fn task_status(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Requested => "requested",
        TaskStatus::Accepted => "accepted",
        TaskStatus::InProgress => "in progress",
        TaskStatus::Blocked => "blocked",
        TaskStatus::Done => "done",
        TaskStatus::Declined => "declined",
        TaskStatus::Cancelled => "cancelled",
    }
}

pub fn unit_status(s: UnitStatus) -> &'static str {
    match s {
        UnitStatus::Available => "available",
        UnitStatus::Assigned => "assigned",
        UnitStatus::EnRoute => "en route",
        UnitStatus::OnScene => "on scene",
        UnitStatus::Returning => "returning",
        UnitStatus::OutOfService => "out of service",
        UnitStatus::OffDuty => "off duty",
    }
}

/// The marking in five columns, always as text (never colour alone).
pub fn tlp_short(t: crate::model::Tlp) -> &'static str {
    use crate::model::Tlp;
    match t {
        Tlp::Clear => "CLEAR",
        Tlp::Green => "GREEN",
        Tlp::Amber => "AMBER",
        Tlp::AmberStrict => "AMB+S",
        Tlp::Red => "RED",
    }
}

pub fn reason(r: DismissReason) -> &'static str {
    match r {
        DismissReason::FalseAlarm => "false alarm",
        DismissReason::Duplicate => "duplicate",
        DismissReason::OutOfScope => "out of scope",
    }
}

pub fn priority(p: Priority) -> &'static str {
    p.as_str()
}

pub fn capability(c: Capability) -> &'static str {
    c.as_str()
}

pub fn source(s: Source) -> &'static str {
    match s {
        Source::FieldUnit => "field unit",
        Source::AgencyReport => "agency report",
        Source::Sensor => "sensor",
        Source::CapFeed => "CAP feed",
        Source::Public => "public",
    }
}

pub fn region_letter(r: Region) -> &'static str {
    match r {
        Region::East => "E",
        Region::West => "W",
        Region::South => "S",
        Region::National => "N",
    }
}

pub fn role(r: Role) -> &'static str {
    match r {
        Role::Observer => "Observer",
        Role::DutyOfficer => "Duty officer",
        Role::Supervisor => "Supervisor",
        Role::Liaison => "Liaison",
        Role::System => "System",
        Role::Auditor => "Auditor",
    }
}

/// A vocabulary's value from what an officer typed: its label or its wire
/// spelling, any case, `_` or space alike (`fuel smuggling`, `in_progress`).
pub fn parse_label<T>(text: &str, all: &[T], label: fn(T) -> &'static str) -> Option<T>
where
    T: Copy + std::fmt::Display,
{
    let want = text.trim().replace('_', " ").to_lowercase();
    all.iter().copied().find(|v| {
        label(*v).to_lowercase() == want || v.to_string().replace('_', " ").to_lowercase() == want
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn no_label_shows_the_wire_spelling() {
        let all: Vec<&str> = Category::ALL
            .iter()
            .map(|c| category(*c))
            .chain(IncidentStatus::ALL.iter().map(|s| status(*s)))
            .chain(TaskStatus::ALL.iter().map(|s| task_status(*s)))
            .chain(UnitStatus::ALL.iter().map(|s| unit_status(*s)))
            .chain(DismissReason::ALL.iter().map(|r| reason(*r)))
            .chain(Source::ALL.iter().map(|s| source(*s)))
            .chain(Role::ALL.iter().map(|r| role(*r)))
            .collect();
        for l in all {
            assert!(!l.contains('_'), "`{l}`");
        }
    }

    #[test]
    fn labels_and_wire_spellings_both_parse() {
        let c = |t| parse_label(t, Category::ALL, category);
        assert_eq!(c("fuel smuggling"), Some(Category::SmugglingFuel));
        assert_eq!(c("smuggling_fuel"), Some(Category::SmugglingFuel));
        assert_eq!(c("Smuggling Fuel"), Some(Category::SmugglingFuel));
        assert_eq!(
            parse_label("new", IncidentStatus::ALL, status),
            Some(IncidentStatus::Reported)
        );
        assert_eq!(parse_label("piracy", Category::ALL, category), None);
    }

    #[test]
    fn times_carry_the_date_when_not_today() {
        let now = datetime!(2026-11-30 14:00 UTC);
        assert_eq!(when(datetime!(2026-11-30 09:05 UTC), now), "09:05Z");
        assert_eq!(when(datetime!(2026-11-28 23:59 UTC), now), "28 Nov 23:59Z");
        assert_eq!(
            when_both(datetime!(2026-11-28 23:59 UTC), now),
            "28 Nov 23:59Z (01:59 LYT)"
        );
        assert_eq!(clock(now), "14:00:00Z  16:00 LYT");
    }

    #[test]
    fn fits_by_display_width() {
        assert_eq!(fit("hello world", 5), "hell…");
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(fit("漢字漢字", 5).width(), 5);
        assert!(fit("تهريب وقود قرب رأس اجدير", 10).width() <= 10);
        assert_eq!(fit("a\u{7}b", 5), "ab");
        assert_eq!(pad("漢", 3).width(), 3);
    }

    #[test]
    fn ages() {
        assert_eq!(age(5), "5s");
        assert_eq!(age(125), "2m");
        assert_eq!(age(7300), "2h");
        assert_eq!(age(200_000), "2d");
    }
}
