//! Text measured in display columns, never bytes or chars, so every script
//! (Arabic, CJK, combining marks) keeps the layout intact.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `s` cut to at most `width` columns, with `…` when cut; control characters dropped.
pub fn fit(s: &str, width: usize) -> String {
    if width == 0 {
        return String::new();
    }
    let clean = |c: &char| !c.is_control();
    if s.width() <= width && s.chars().all(|c| clean(&c)) {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    let total: usize = s
        .chars()
        .filter(clean)
        .map(|c| c.width().unwrap_or(0))
        .sum();
    let limit = if total > width { width - 1 } else { width };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_by_display_width() {
        assert_eq!(fit("hello world", 5), "hell…");
        assert_eq!(pad("ab", 4), "ab  ");
        // Wide CJK characters take two columns each.
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
