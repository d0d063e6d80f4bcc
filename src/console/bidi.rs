//! Right-to-left text for terminals that cannot show it. The console writes
//! text in logical order; a terminal without bidi support shows Arabic
//! reversed and unjoined. In `console` mode each visible string is shaped to
//! Arabic presentation forms (ar-reshaper) and put in display order
//! (unicode-bidi) before it is drawn.

use ar_reshaper::ArabicReshaper;
use ar_reshaper::prelude::{Language, LigaturesFlags, ReshaperConfig};
use unicode_bidi::BidiInfo;

use super::config::Bidi;

/// Built once: a reshaper holds its letter tables.
static RESHAPER: ArabicReshaper = ArabicReshaper::new(ReshaperConfig::new(
    Language::Arabic,
    LigaturesFlags::default(),
));

/// Whether `s` holds any right-to-left character (Arabic, Hebrew and their forms).
fn has_rtl(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c as u32,
            0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
    })
}

/// `s` as the terminal should receive it under `mode` (`Auto` is resolved at start).
pub fn visual(s: &str, mode: Bidi) -> String {
    if mode != Bidi::Console || !has_rtl(s) {
        return s.to_string();
    }
    let shaped = RESHAPER.reshape(s);
    let info = BidiInfo::new(&shaped, None);
    info.paragraphs
        .iter()
        .map(|p| info.reorder_line(p, p.range.clone()).into_owned())
        .collect::<Vec<_>>()
        .join("")
}

/// `Auto` made definite from the terminal the console runs in: terminals
/// known to do bidi themselves get the text as it is, every other one gets
/// it reordered and shaped by the console.
pub fn resolve(mode: Bidi, env: impl Fn(&str) -> Option<String>) -> Bidi {
    if mode != Bidi::Auto {
        return mode;
    }
    let vte_with_bidi = env("VTE_VERSION")
        .and_then(|v| v.parse::<u32>().ok())
        .is_some_and(|v| v >= 5800);
    if vte_with_bidi || env("KONSOLE_VERSION").is_some() || env("MLTERM").is_some() {
        Bidi::Terminal
    } else {
        Bidi::Console
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_mode_reorders_and_shapes_arabic() {
        let s = "قارب";
        let shown = visual(s, Bidi::Console);
        assert_ne!(shown, s, "unchanged");
        // Presentation forms, first letter (qaf) now last on the line.
        assert!(
            shown
                .chars()
                .all(|c| ('\u{FB50}'..='\u{FEFF}').contains(&c)),
            "{shown:?}"
        );
        assert!(shown.ends_with('\u{FED7}'), "{shown:?}");
        assert_eq!(visual(s, Bidi::Terminal), s);
    }

    #[test]
    fn mixed_text_keeps_latin_in_order() {
        let shown = visual("Boat قارب off Zuwara", Bidi::Console);
        assert!(shown.starts_with("Boat "), "{shown}");
        assert!(shown.ends_with(" off Zuwara"), "{shown}");
        assert_eq!(
            visual("TRP-26-00042 fuel", Bidi::Console),
            "TRP-26-00042 fuel"
        );
    }

    #[test]
    fn auto_trusts_only_terminals_known_to_do_bidi() {
        let none = |_: &str| None;
        assert_eq!(resolve(Bidi::Auto, none), Bidi::Console);
        let vte = |k: &str| (k == "VTE_VERSION").then(|| "7600".to_string());
        assert_eq!(resolve(Bidi::Auto, vte), Bidi::Terminal);
        assert_eq!(resolve(Bidi::Terminal, none), Bidi::Terminal);
    }
}
