//! Field-level checks shared by every entity: text, coordinates, tags.
//!
//! Text is kept exactly as given (Arabic and any other script round-trip),
//! but control characters are refused: they break terminals and logs.

use super::DomainError;

pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 10_000;
pub const TAG_MAX: usize = 40;
pub const TAGS_MAX: usize = 20;

/// A required single-line text: trimmed non-empty, at most `max` characters, no control characters.
pub fn line(field: &str, value: &str, max: usize) -> Result<(), DomainError> {
    if value.trim().is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(DomainError::invalid(
            field,
            format!(
                "must not contain control characters (found U+{:04X})",
                c as u32
            ),
        ));
    }
    length(field, value, max)
}

/// A multi-line free text: may be empty; newlines and tabs allowed, other control characters not.
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
    length(field, value, max)
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
