//! Field-level checks shared by every entity: text, coordinates, tags.
//!
//! Text is kept exactly as given (Arabic and any other script round-trip),
//! but control characters are refused: they break terminals and logs.

use super::DomainError;

pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 10_000;
pub const TAG_MAX: usize = 40;
pub const TAGS_MAX: usize = 20;

/// A required single-line text: at least one visible character, at most
/// `max` characters, no control characters, bidi controls only in balanced use.
pub fn line(field: &str, value: &str, max: usize) -> Result<(), DomainError> {
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(DomainError::invalid(
            field,
            format!(
                "must not contain control characters (found U+{:04X})",
                c as u32
            ),
        ));
    }
    visible(field, value)?;
    bidi(field, value)?;
    length(field, value, max)
}

/// A multi-line free text: may be empty; newlines and tabs allowed, other
/// control characters not; bidi controls only in balanced use on each line.
pub fn text(field: &str, value: &str, max: usize) -> Result<(), DomainError> {
    if let Some(c) = value
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Err(DomainError::invalid(
            field,
            format!(
                "must not contain control characters (found U+{:04X})",
                c as u32
            ),
        ));
    }
    value.lines().try_for_each(|l| bidi(field, l))?;
    length(field, value, max)
}

/// Free text that must say something: [`text`] with a visible character.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<(), DomainError> {
    visible(field, value)?;
    text(field, value, max)
}

/// Characters that draw nothing: white space and Unicode's default-ignorable
/// code points (zero-width spaces and joiners, bidi marks, variation
/// selectors, fillers, tags).
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c as u32,
            0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
            | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x2800 | 0x3164
            | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

fn visible(field: &str, value: &str) -> Result<(), DomainError> {
    if value.chars().all(is_invisible) {
        return Err(DomainError::invalid(
            field,
            "must contain at least one visible character",
        ));
    }
    Ok(())
}

/// Bidi embeddings and overrides (U+202A–U+202E) can make text display as
/// something other than what it says, so they are refused; isolates
/// (U+2066–U+2068, closed by U+2069) are kept when every one is closed.
fn bidi(field: &str, line: &str) -> Result<(), DomainError> {
    let mut open = 0usize;
    for c in line.chars() {
        match c {
            '\u{202A}'..='\u{202E}' => {
                return Err(DomainError::invalid(
                    field,
                    format!(
                        "must not contain bidi embedding or override characters (found U+{:04X}); \
                         they can make text display as something else",
                        c as u32
                    ),
                ));
            }
            '\u{2066}'..='\u{2068}' => open += 1,
            '\u{2069}' => {
                open = open.checked_sub(1).ok_or_else(|| {
                    DomainError::invalid(
                        field,
                        "closes a bidi isolate (U+2069) that was never opened",
                    )
                })?
            }
            _ => {}
        }
    }
    if open > 0 {
        return Err(DomainError::invalid(
            field,
            "leaves a bidi isolate (U+2066–U+2068) open; close it with U+2069",
        ));
    }
    Ok(())
}

fn length(field: &str, value: &str, max: usize) -> Result<(), DomainError> {
    let n = value.chars().count();
    if n > max {
        return Err(DomainError::invalid(
            field,
            format!("is {n} characters long; the limit is {max}"),
        ));
    }
    Ok(())
}

/// Text from a request or a parser, fit to quote back in an error: control
/// characters dropped, cut to `max` characters.
pub fn excerpt(text: &str, max: usize) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    match clean.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &clean[..cut]),
        None => clean,
    }
}

pub fn latitude(lat: f64) -> Result<(), DomainError> {
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err(DomainError::invalid(
            "location.lat",
            format!("{lat} is outside -90..90"),
        ));
    }
    Ok(())
}

pub fn longitude(lon: f64) -> Result<(), DomainError> {
    if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
        return Err(DomainError::invalid(
            "location.lon",
            format!("{lon} is outside -180..180"),
        ));
    }
    Ok(())
}

/// Most agencies an incident names as supporting.
pub const SUPPORTING_MAX: usize = 30;

/// A list of supporting agencies without repeats (first mention kept), at most [`SUPPORTING_MAX`].
pub fn supporting_agencies(ids: &[uuid::Uuid]) -> Result<Vec<uuid::Uuid>, DomainError> {
    let mut seen = std::collections::HashSet::new();
    let distinct: Vec<uuid::Uuid> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
    if distinct.len() > SUPPORTING_MAX {
        return Err(DomainError::invalid(
            "supporting_agency_ids",
            format!(
                "names {} agencies; the limit is {SUPPORTING_MAX}",
                distinct.len()
            ),
        ));
    }
    Ok(distinct)
}

/// A time a request gives, inside `[earliest, latest]`; the refusal names the bound.
pub fn time_within(
    field: &str,
    t: time::OffsetDateTime,
    earliest: time::OffsetDateTime,
    latest: time::OffsetDateTime,
) -> Result<(), DomainError> {
    let show = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| "?".into())
    };
    if t < earliest {
        return Err(DomainError::invalid(
            field,
            format!(
                "{} is too early; the earliest accepted is {}",
                show(t),
                show(earliest)
            ),
        ));
    }
    if t > latest {
        return Err(DomainError::invalid(
            field,
            format!(
                "{} is too late; the latest accepted is {}",
                show(t),
                show(latest)
            ),
        ));
    }
    Ok(())
}

pub fn tags(tags: &[String]) -> Result<(), DomainError> {
    if tags.len() > TAGS_MAX {
        return Err(DomainError::invalid(
            "tags",
            format!("{} tags given; the limit is {TAGS_MAX}", tags.len()),
        ));
    }
    tags.iter().try_for_each(|t| line("tags", t, TAG_MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_empty_long_and_control_text() {
        assert!(line("title", "   ", 200).is_err());
        assert!(line("title", &"x".repeat(201), 200).is_err());
        assert!(line("title", &"x".repeat(200), 200).is_ok());
        assert!(line("title", "a\u{7}b", 200).is_err());
        assert!(line("title", "a\nb", 200).is_err());
        assert!(text("description", "a\nb\tc", 200).is_ok());
        assert!(text("description", "a\u{1b}[2J", 200).is_err());
    }

    #[test]
    fn refuses_text_that_shows_nothing_or_shows_something_else() {
        assert!(line("title", "\u{200B}\u{200D}\u{2060}", 200).is_err());
        assert!(line("title", "\u{202E}\u{202E}", 200).is_err());
        assert!(line("title", "invoice \u{202E}fdp.exe", 200).is_err());
        assert!(text("description", "ok\nbad \u{202D}x", 200).is_err());
        assert!(line("title", "\u{2067}قارب\u{2069} off Zuwara", 200).is_ok());
        assert!(line("title", "\u{2067}open isolate", 200).is_err());
        assert!(line("title", "stray \u{2069}", 200).is_err());
        // Marks that shape Arabic are not display spoofing.
        assert!(line("title", "زوارة\u{200F} 12", 200).is_ok());
        assert!(required_text("text", " \u{200B} ", 200).is_err());
        assert!(text("description", "", 200).is_ok());
    }

    #[test]
    fn supporting_agencies_are_deduplicated_and_capped() {
        let a = uuid::Uuid::from_u128(1);
        let b = uuid::Uuid::from_u128(2);
        assert_eq!(supporting_agencies(&[a, b, a, a]).unwrap(), vec![a, b]);
        assert!(supporting_agencies(&vec![a; 1500]).is_ok());
        let many: Vec<_> = (0..31).map(uuid::Uuid::from_u128).collect();
        assert!(supporting_agencies(&many).is_err());
    }

    #[test]
    fn counts_characters_not_bytes() {
        // 200 Arabic letters are 400 bytes but a valid title.
        assert!(line("title", &"ع".repeat(200), 200).is_ok());
    }

    #[test]
    fn coordinates_in_range() {
        assert!(latitude(32.9).is_ok());
        assert!(latitude(90.1).is_err());
        assert!(latitude(f64::NAN).is_err());
        assert!(longitude(-180.0).is_ok());
        assert!(longitude(181.0).is_err());
    }
}
