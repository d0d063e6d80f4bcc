//! Drawing the feed's rows and its header: which columns fit the width,
//! each row's markers and styles, the sort arrow and the legend.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::client::outbox::EntryState;
use crate::console::command::Column;
use crate::console::context::Context;
use crate::console::facts::Sort;
use crate::console::fmt::{self, age, fit, pad};
use crate::model::Incident;

/// A column: (name, header, width).
pub type Col = (&'static str, &'static str, usize);

/// Optional columns, dropped right to left as the width shrinks: (name, header, width).
const OPTIONAL: &[Col] = &[
    ("age", "AGE", 4),
    ("status", "STATUS", 12),
    ("category", "CATEGORY", 19),
    ("sector", "SECTOR", 12),
];
/// marker(2) + SEV(4) + flag(7) + reference(12) + TLP(5) + separators.
pub const FIXED: usize = 2 + 4 + 1 + 7 + 1 + 12 + 1 + 5 + 1;
const TITLE_MIN: usize = 16;
/// The optional columns that fit beside the fixed ones and a readable title.
pub fn columns(width: usize) -> Vec<Col> {
    let mut room = width.saturating_sub(FIXED + TITLE_MIN);
    let mut shown = Vec::new();
    for c in OPTIONAL {
        if room < c.2 + 1 {
            break;
        }
        room -= c.2 + 1;
        shown.push(*c);
    }
    shown
}

/// How one row stands: selected, marked for a bulk change, overdue.
pub struct Look {
    pub selected: bool,
    pub marked: bool,
    pub overdue: bool,
}

/// One incident's row, `width` columns wide.
pub fn row<'a>(ctx: &Context, i: &'a Incident, look: Look, cols: &[Col], width: usize) -> Line<'a> {
    let Look {
        selected,
        marked,
        overdue,
    } = look;
    let unacked = i.acknowledged_at.is_none() && i.status.is_open();
    let theme = &ctx.theme;
    let mut base = if overdue {
        theme.overdue
    } else if unacked {
        theme.unacked
    } else {
        Style::default()
    };
    if selected {
        base = base.patch(theme.selected);
    }
    // Second column: marked, or this officer's change on its way (~) or in trouble (!).
    let own = match ctx.outbox_state(&i.id) {
        Some(EntryState::Pending) => "~",
        Some(_) => "!",
        None => " ",
    };
    let marker = format!(
        "{}{}",
        if selected { "▶" } else { " " },
        if marked { "*" } else { own }
    );
    let flag = if overdue {
        "OVERDUE"
    } else if unacked {
        "NEW"
    } else {
        ""
    };
    // One span for everything in the row's own style: a frame sets ~60 rows.
    let mut rest = String::with_capacity(width * 2);
    rest.push(' ');
    rest.push_str(&pad(flag, 7));
    rest.push(' ');
    rest.push_str(&pad(&i.reference, 12));
    rest.push(' ');
    let mut after = String::with_capacity(width * 2);
    let mut used = FIXED;
    for (name, _, w) in cols {
        let text = match *name {
            "age" => age((ctx.now - i.reported_at).whole_seconds()),
            "status" => fmt::status(i.status).to_string(),
            "category" => fmt::category(i.category).to_string(),
            _ => i.location.sector.clone().unwrap_or_default(),
        };
        after.push(' ');
        after.push_str(&pad(&text, *w));
        used += w + 1;
    }
    let title_w = width.saturating_sub(used + 1);
    after.push(' ');
    after.push_str(&pad(&fit(&ctx.text(&i.title), title_w), title_w));
    Line::from(vec![
        Span::styled(marker, if marked { theme.marked } else { base }),
        Span::styled(fmt::severity_short(i.severity), theme.severity(i.severity)),
        Span::styled(rest, base),
        Span::styled(fmt::tlp_short(i.tlp), theme.tlp(i.tlp)),
        Span::styled(after, base),
    ])
}

/// The header row: column names, the sort's arrow, and the markers' legend when it fits.
pub fn header(ctx: &Context, sort: Sort, cols: &[Col], width: usize) -> Line<'static> {
    let arrow = |c: Column| match (sort.column, sort.descending) {
        (Some(s), false) if s == c => "▲",
        (Some(s), true) if s == c => "▼",
        _ => "",
    };
    let mut text = format!(
        "  {}{} {} {}",
        pad("SEV", 3),
        pad(arrow(Column::Severity), 1),
        pad("FLAG", 7),
        pad(&format!("REFERENCE{}", arrow(Column::Reference)), 12)
    );
    text.push_str(" TLP  ");
    for (name, head, w) in cols {
        let col = match *name {
            "age" => Some(Column::Age),
            "status" => Some(Column::Status),
            "category" => Some(Column::Category),
            _ => None,
        };
        let a = col.map(arrow).unwrap_or("");
        text.push_str(&format!(" {}", pad(&format!("{head}{a}"), *w)));
    }
    let legend = "TITLE ~ sending ! needs review * marked";
    let title = if width.saturating_sub(text.len()) > legend.len() + 2 {
        legend
    } else {
        "TITLE"
    };
    text.push_str(&format!(" {title}"));
    Line::styled(pad(&text, width), ctx.theme.dim)
}

#[cfg(test)]
mod tests {
    use super::columns;

    #[test]
    fn columns_drop_by_priority() {
        let names = |w| columns(w).iter().map(|c| c.0).collect::<Vec<_>>();
        assert_eq!(names(200), vec!["age", "status", "category", "sector"]);
        assert_eq!(names(78), vec!["age", "status"]);
        assert!(columns(30).is_empty());
    }
}
