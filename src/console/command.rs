//! The one vocabulary of the console: every action is a [`Cmd`] — a verb and
//! its argument. Keys bind to commands (`keymap`), the `:` line parses into
//! them ([`parse`]), dialogs finish by producing them, and the help screen is
//! generated from the same table, so help cannot list what does not work.

use crate::console::fmt;
use crate::model::{Centre, DismissReason, IncidentStatus, Severity, Tlp};

/// What an argument is, for parsing, completion and usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    None,
    Severity,
    Status,
    Agency,
    Text,
    Reason,
    Reference,
    Centre,
    Column,
    /// `AGENCY TITLE`.
    Task,
    /// `LEVEL [AGENCY…]`.
    Marking,
}

macro_rules! verbs {
    ($($variant:ident = $name:literal, $arg:ident, $palette:literal, $usage:literal, $help:literal;)+) => {
        /// Everything the console can be asked to do.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Verb { $($variant),+ }

        impl Verb {
            pub const ALL: &'static [Verb] = &[$(Verb::$variant),+];
            /// The name on the `:` line and in `[keys]`.
            pub fn name(self) -> &'static str { match self { $(Verb::$variant => $name),+ } }
            pub fn arg(self) -> ArgKind { match self { $(Verb::$variant => ArgKind::$arg),+ } }
            /// Whether it can be typed on the `:` line (moving around is keys only).
            pub fn on_palette(self) -> bool { match self { $(Verb::$variant => $palette),+ } }
            /// How it is typed on the `:` line.
            pub fn usage(self) -> &'static str { match self { $(Verb::$variant => $usage),+ } }
            pub fn help(self) -> &'static str { match self { $(Verb::$variant => $help),+ } }
        }
    };
}

verbs! {
    Down = "down", None, false, "", "move down";
    Up = "up", None, false, "", "move up";
    Top = "top", None, false, "", "first row";
    Bottom = "bottom", None, false, "", "last row";
    PageDown = "page-down", None, false, "", "page down";
    PageUp = "page-up", None, false, "", "page up";
    NextPane = "next-pane", None, false, "", "next pane";
    PrevPane = "prev-pane", None, false, "", "previous pane";
    Open = "open", None, false, "", "open: incident detail, an agency's units, all tasks or the selected incident's";
    Back = "back", None, false, "", "back / close / clear marks, then the filter";
    Ack = "ack", None, true, "ack", "acknowledge (the marked rows, or the selected one)";
    Severity = "sev", Severity, true, "sev LEVEL", "set severity: critical, high, medium, low";
    Status = "status", Status, true, "status [STATUS]", "change status (only the moves open to you)";
    Lead = "lead", Agency, true, "lead [AGENCY]", "set the lead agency";
    Tlp = "tlp", Marking, true, "tlp MARKING [AGENCY…]", "handling marking: clear, green, amber, amber+strict, red; agencies named share it";
    Note = "note", Text, true, "note [TEXT]", "add a note";
    Task = "task", Task, true, "task [AGENCY TITLE]", "request a task from an agency";
    New = "new", None, true, "new", "report a new incident";
    Dismiss = "dismiss", Reason, true, "dismiss [REASON [REFERENCE]]", "dismiss: false alarm, duplicate (of REFERENCE), out of scope";
    Duplicate = "dup", Reference, true, "dup [REFERENCE]", "mark as a duplicate of another incident";
    Handover = "handover", Centre, true, "handover [CENTRE]", "offer the incident to the other centre, or request it for yours";
    AcceptHandover = "accept-handover", None, true, "accept-handover", "accept the handover that waits for your centre";
    DeclineHandover = "decline-handover", Text, true, "decline-handover REASON", "decline the handover that waits for your centre";
    Mark = "mark", None, true, "mark", "mark / unmark the row for a bulk change";
    Filter = "filter", Text, true, "filter [EXPR]", "filter the feed (empty clears)";
    NextUnacked = "next-unacked", None, true, "next-unacked", "next unacknowledged incident";
    PrevUnacked = "prev-unacked", None, true, "prev-unacked", "previous unacknowledged incident";
    Sort = "sort", Column, true, "sort COLUMN", "sort the focused list by a column (again: reverse); overdue rows stay on top";
    Copy = "copy", None, true, "copy", "copy the selected reference to the clipboard";
    Search = "search", Text, true, "search [TEXT]", "search the help, detail or messages screen";
    SearchNext = "search-next", None, false, "", "next match";
    SearchPrev = "search-prev", None, false, "", "previous match";
    Palette = "command", None, false, "", "command line";
    Help = "help", None, true, "help", "this help";
    Messages = "messages", None, true, "messages", "message history";
    Me = "me", None, true, "me", "who you are signed in as, and when your token expires";
    Shift = "shift", Text, true, "shift [start or end [NOTE]]", "the shift screen; start your shift, or end it (the handover dialog shows what stays open and takes your note)";
    Attention = "attention", None, true, "attention", "what needs you now, most pressing first";
    Seen = "mark-seen", None, true, "mark-seen", "on the attention screen: mark the item seen";
    AckHandover = "ack-handover", None, true, "ack-handover", "acknowledge the last handover of your centre";
    RotateToken = "rotate-token", None, true, "rotate-token", "a new token for yourself, kept for the next start (the old one works 10 minutes more)";
    Outbox = "outbox", None, true, "outbox", "the outbox: pending, conflicted and refused changes";
    Export = "export", Text, true, "export csv|geojson FILE", "write the incidents the feed shows (its filter, its order) to FILE as CSV or GeoJSON";
    Map = "map", None, true, "map", "the map of Libya: incidents (the feed's filter applies), units, sectors and crossings";
    Board = "board", None, true, "board", "the sector board: open incidents, overdue and units per sector and crossing";
    Trends = "trends", None, true, "trends", "trends: incidents per hour over 72 h by category and sector, SLA compliance, hotspots";
    ZoomIn = "zoom-in", None, false, "", "zoom in";
    ZoomOut = "zoom-out", None, false, "", "zoom out";
    PanLeft = "pan-west", None, false, "", "pan west";
    PanRight = "pan-east", None, false, "", "pan east";
    PanUp = "pan-north", None, false, "", "pan north";
    PanDown = "pan-south", None, false, "", "pan south";
    Fit = "fit", None, false, "", "fit Libya";
    Centre = "centre", None, false, "", "centre on the selection";
    NextNearest = "next-nearest", None, false, "", "next incident in view, nearest the cursor first";
    PrevNearest = "prev-nearest", None, false, "", "previous incident in view";
    Reapply = "reapply", None, true, "reapply", "in the outbox: re-apply a conflicted change on the current version";
    Discard = "discard", None, true, "discard", "in the outbox: discard a change";
    Quit = "quit", None, true, "quit", "quit (asks while changes are undelivered)";
}

/// A column a list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Severity,
    Age,
    Reference,
    Status,
    Category,
    Sector,
    Title,
}

impl Column {
    pub const ALL: &'static [Column] = &[
        Column::Severity,
        Column::Age,
        Column::Reference,
        Column::Status,
        Column::Category,
        Column::Sector,
        Column::Title,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Column::Severity => "severity",
            Column::Age => "age",
            Column::Reference => "reference",
            Column::Status => "status",
            Column::Category => "category",
            Column::Sector => "sector",
            Column::Title => "title",
        }
    }
}

/// A command's argument, parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    None,
    Severity(Severity),
    Status(IncidentStatus),
    Agency(String),
    Text(String),
    Reason(DismissReason, Option<String>),
    Reference(String),
    Centre(Centre),
    Column(Column),
    Task { agency: String, title: String },
    Marking { tlp: Tlp, agencies: Vec<String> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cmd {
    pub verb: Verb,
    pub arg: Arg,
}

impl Cmd {
    pub const fn bare(verb: Verb) -> Cmd {
        Cmd {
            verb,
            arg: Arg::None,
        }
    }

    pub fn with(verb: Verb, arg: Arg) -> Cmd {
        Cmd { verb, arg }
    }
}

/// Parses a `:` line (without the colon). Errors are sentences for the
/// officer, naming what was typed and what would do.
pub fn parse(line: &str) -> Result<Cmd, String> {
    let line = line.trim();
    let (name, rest) = line
        .split_once(' ')
        .map(|(c, r)| (c, r.trim()))
        .unwrap_or((line, ""));
    let verb = Verb::ALL
        .iter()
        .copied()
        .find(|v| v.on_palette() && v.name().eq_ignore_ascii_case(name))
        .or(match name {
            "q" => Some(Verb::Quit),
            "acknowledge" => Some(Verb::Ack),
            "severity" => Some(Verb::Severity),
            _ => None,
        })
        .ok_or_else(|| {
            format!(
                "unknown command `{}`; commands: {}",
                fmt::fit(name, 30),
                palette_names().join(", ")
            )
        })?;
    if rest.is_empty() {
        return match verb.arg() {
            // `:filter` alone clears the filter (the `/` key opens its prompt).
            _ if verb == Verb::Filter => Ok(Cmd::with(verb, Arg::Text(String::new()))),
            // A severity must be named; the others open their dialog.
            ArgKind::Severity | ArgKind::Column | ArgKind::Marking => {
                Err(format!("usage: :{}", verb.usage()))
            }
            _ => Ok(Cmd::bare(verb)),
        };
    }
    let arg = match verb.arg() {
        ArgKind::None => return Err(format!("`:{}` takes nothing after it", verb.name())),
        ArgKind::Severity => Arg::Severity(
            fmt::parse_label(rest, Severity::ALL, fmt::severity)
                .ok_or_else(|| unknown("severity", rest, MOST_SEVERE_FIRST, fmt::severity))?,
        ),
        ArgKind::Status => Arg::Status(
            fmt::parse_label(rest, IncidentStatus::ALL, fmt::status)
                .ok_or_else(|| unknown("status", rest, IncidentStatus::ALL, fmt::status))?,
        ),
        ArgKind::Agency => Arg::Agency(rest.to_string()),
        ArgKind::Text => Arg::Text(rest.to_string()),
        ArgKind::Reference => Arg::Reference(rest.to_string()),
        ArgKind::Centre => Arg::Centre(
            rest.parse::<Centre>()
                .map_err(|_| format!("unknown centre `{}`; use TRP or BEN", fmt::fit(rest, 20)))?,
        ),
        ArgKind::Column => Arg::Column(
            Column::ALL
                .iter()
                .copied()
                .find(|c| c.name().eq_ignore_ascii_case(rest))
                .ok_or_else(|| {
                    let names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
                    format!(
                        "unknown column `{}`; use {}",
                        fmt::fit(rest, 20),
                        names.join(", ")
                    )
                })?,
        ),
        ArgKind::Reason => reason(rest)?,
        ArgKind::Marking => {
            let mut words = rest.split_whitespace();
            let level = words.next().unwrap_or_default();
            let tlp = level.parse::<Tlp>().map_err(|_| {
                format!(
                    "unknown marking `{}`; use clear, green, amber, amber+strict or red",
                    fmt::fit(level, 20)
                )
            })?;
            Arg::Marking {
                tlp,
                agencies: words.map(str::to_string).collect(),
            }
        }
        ArgKind::Task => match rest.split_once(' ') {
            Some((agency, title)) if !title.trim().is_empty() => Arg::Task {
                agency: agency.to_string(),
                title: title.trim().to_string(),
            },
            _ => return Err(format!("usage: :{}", verb.usage())),
        },
    };
    Ok(Cmd::with(verb, arg))
}

/// `false alarm`, `false_alarm`, `duplicate TRP-26-00042`, `out of scope`.
fn reason(rest: &str) -> Result<Arg, String> {
    let lower = rest.to_lowercase().replace('_', " ");
    for r in DismissReason::ALL {
        if let Some(tail) = lower.strip_prefix(fmt::reason(*r)) {
            let reference = rest[rest.len() - tail.len()..].trim();
            return Ok(Arg::Reason(
                *r,
                (!reference.is_empty()).then(|| reference.to_string()),
            ));
        }
    }
    Err(unknown("reason", rest, DismissReason::ALL, fmt::reason))
}

/// Severities as officers say them, and as help lists them.
const MOST_SEVERE_FIRST: &[Severity] = &[
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
];

fn unknown<T: Copy>(what: &str, given: &str, all: &[T], label: fn(T) -> &'static str) -> String {
    let names: Vec<&str> = all.iter().map(|v| label(*v)).collect();
    format!(
        "unknown {what} `{}`; use {}",
        fmt::fit(given, 30),
        names.join(", ")
    )
}

/// The names of every command the `:` line takes.
pub fn palette_names() -> Vec<&'static str> {
    Verb::ALL
        .iter()
        .filter(|v| v.on_palette())
        .map(|v| v.name())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_into_commands() {
        assert_eq!(
            parse("sev high").unwrap(),
            Cmd::with(Verb::Severity, Arg::Severity(Severity::High))
        );
        assert_eq!(
            parse("status new").unwrap(),
            Cmd::with(Verb::Status, Arg::Status(IncidentStatus::Reported))
        );
        assert_eq!(
            parse("dismiss false alarm").unwrap().arg,
            Arg::Reason(DismissReason::FalseAlarm, None)
        );
        assert_eq!(
            parse("dismiss duplicate TRP-26-00042").unwrap().arg,
            Arg::Reason(DismissReason::Duplicate, Some("TRP-26-00042".into()))
        );
        assert_eq!(
            parse("task LCG-W Intercept the boat").unwrap().arg,
            Arg::Task {
                agency: "LCG-W".into(),
                title: "Intercept the boat".into()
            }
        );
        assert_eq!(parse("status").unwrap(), Cmd::bare(Verb::Status));
        assert_eq!(parse("q").unwrap(), Cmd::bare(Verb::Quit));
    }

    #[test]
    fn refusals_name_what_would_do_and_no_type() {
        let e = parse("dismiss bogus").unwrap_err();
        assert!(e.contains("false alarm, duplicate, out of scope"), "{e}");
        assert!(!e.contains("DismissReason"), "{e}");
        let e = parse("sev very_high").unwrap_err();
        assert!(e.contains("critical, high, medium, low"), "{e}");
        assert!(parse("frobnicate").unwrap_err().contains("unknown command"));
        assert!(parse("sev").unwrap_err().contains("usage: :sev LEVEL"));
    }
}
