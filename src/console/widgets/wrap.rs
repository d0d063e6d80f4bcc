//! Word wrap with a hanging indent, done before scrolling so that a scroll
//! position and a search match count the same lines the officer sees.
//! A continuation line starts under the text, not under the key or label
//! column: under the first span's end when the line has several spans,
//! under its leading spaces otherwise.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub fn wrap(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    let width = width.max(8);
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if line.width() <= width {
            out.push(line);
        } else {
            wrap_one(line, width, &mut out);
        }
    }
    out
}

fn indent_of(line: &Line) -> usize {
    match &line.spans[..] {
        [first, _, ..] => first.width(),
        _ => {
            let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
            text.len() - text.trim_start_matches(' ').len()
        }
    }
}

fn wrap_one(line: Line<'static>, width: usize, out: &mut Vec<Line<'static>>) {
    // An indent never takes more than half the room.
    let indent = indent_of(&line).min(width / 2);
    let base = line.style;
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used = 0usize;
    // Whether the line being filled is a continuation with nothing on it yet.
    let mut at_start = false;
    let mut next_line = |current: &mut Vec<Span<'static>>, used: &mut usize| {
        out.push(Line::from(std::mem::take(current)).style(base));
        current.push(Span::raw(" ".repeat(indent)));
        *used = indent;
    };
    for span in line.spans {
        let style = span.style;
        for mut word in span.content.split_inclusive(' ') {
            if used + word.width() > width && !at_start && used > indent {
                next_line(&mut current, &mut used);
                at_start = true;
            }
            if at_start {
                word = word.trim_start_matches(' ');
                if word.is_empty() {
                    continue;
                }
                at_start = false;
            }
            // A word longer than the room is cut wherever it must be.
            let mut piece = String::new();
            for c in word.chars() {
                let cw = c.width().unwrap_or(0);
                if used + cw > width && used > indent {
                    push(&mut current, std::mem::take(&mut piece), style);
                    next_line(&mut current, &mut used);
                }
                piece.push(c);
                used += cw;
            }
            push(&mut current, piece, style);
        }
    }
    out.push(Line::from(current).style(base));
}

fn push(current: &mut Vec<Span<'static>>, text: String, style: Style) {
    if !text.is_empty() {
        current.push(Span::styled(text, style));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(l: &Line) -> String {
        l.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn continuation_lines_hang_under_the_text() {
        let line = Line::from(vec![
            Span::raw("  Enter      "),
            Span::raw("open: incident detail, an agency's units, all tasks"),
        ]);
        let lines = wrap(vec![line], 40);
        let shown: Vec<String> = lines.iter().map(text).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(shown.iter().all(|l| l.width() <= 40), "{shown:?}");
        assert!(shown[1].starts_with(&" ".repeat(13)), "{shown:?}");
        assert!(!shown[1][13..].starts_with(' '), "{shown:?}");
        let joined: String = shown.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
        assert_eq!(
            joined.split_whitespace().collect::<Vec<_>>(),
            "Enter open: incident detail, an agency's units, all tasks"
                .split_whitespace()
                .collect::<Vec<_>>(),
            "no word lost"
        );
    }

    #[test]
    fn a_long_word_is_cut_and_short_lines_pass() {
        let lines = wrap(vec![Line::raw("x".repeat(25)), Line::raw("short")], 10);
        let shown: Vec<String> = lines.iter().map(text).collect();
        assert_eq!(
            shown,
            vec![
                "x".repeat(10),
                "x".repeat(10),
                "x".repeat(5),
                "short".into()
            ]
        );
    }
}
