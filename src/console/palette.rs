//! The `:` command line: every triage act by name, with Tab completion.

use super::action::Effect;
use super::state::{App, Level, Screen};
use super::{navigate, triage};
use crate::model::{Centre, DismissReason, IncidentStatus, Priority, Severity};

/// Command names with their argument kind, for completion and `:help`.
pub const COMMANDS: &[(&str, Arg, &str)] = &[
    ("ack", Arg::None, "acknowledge"),
    ("sev", Arg::Severity, "sev LEVEL"),
    ("status", Arg::Status, "status STATUS"),
    ("lead", Arg::Agency, "lead AGENCY"),
    ("note", Arg::Text, "note TEXT"),
    ("task", Arg::Agency, "task AGENCY TITLE"),
    ("dismiss", Arg::Reason, "dismiss REASON [REFERENCE]"),
    ("dup", Arg::Reference, "dup REFERENCE"),
    ("handover", Arg::Centre, "handover CENTRE"),
    ("filter", Arg::Text, "filter EXPR (empty clears)"),
    ("new", Arg::None, "report a new incident"),
    ("messages", Arg::None, "message history"),
    (
        "outbox",
        Arg::None,
        "pending, conflicted and refused changes",
    ),
    ("help", Arg::None, "help"),
    ("quit", Arg::None, "quit"),
];

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arg {
    None,
    Severity,
    Status,
    Agency,
    Text,
    Reason,
    Reference,
    Centre,
}

fn candidates(app: &App, arg: Arg) -> Vec<String> {
    match arg {
        Arg::Severity => Severity::ALL.iter().map(|s| s.to_string()).collect(),
        Arg::Status => IncidentStatus::ALL.iter().map(|s| s.to_string()).collect(),
        Arg::Agency => app.agencies().iter().map(|a| a.code.clone()).collect(),
        Arg::Reason => DismissReason::ALL.iter().map(|s| s.to_string()).collect(),
        Arg::Centre => Centre::ALL.iter().map(|s| s.to_string()).collect(),
        Arg::Reference => app
            .feed
            .window(None, 200)
            .filter_map(|id| app.incident(&id))
            .map(|i| i.reference.clone())
            .collect(),
        Arg::None | Arg::Text => Vec::new(),
    }
}

fn common_prefix(words: &[String]) -> String {
    let Some(first) = words.first() else {
        return String::new();
    };
    let mut n = first.len();
    for w in &words[1..] {
        n = n.min(
            first
                .bytes()
                .zip(w.bytes())
                .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
                .count(),
        );
    }
    first[..n].to_string()
}

/// Completes the last word of `line`; returns the new line and the options left.
pub fn complete(app: &App, line: &str) -> (String, Vec<String>) {
    let (head, last) = match line.rfind(' ') {
        Some(i) => (&line[..=i], &line[i + 1..]),
        None => ("", line),
    };
    let options: Vec<String> = if head.is_empty() {
        COMMANDS.iter().map(|(n, ..)| n.to_string()).collect()
    } else {
        let cmd = head.split_whitespace().next().unwrap_or("");
        let word_index = head.split_whitespace().count();
        match COMMANDS.iter().find(|(n, ..)| *n == cmd) {
            Some((_, arg, _)) if word_index == 1 => candidates(app, *arg),
            _ => Vec::new(),
        }
    };
    let lower = last.to_lowercase();
    let hits: Vec<String> = options
        .into_iter()
        .filter(|o| o.to_lowercase().starts_with(&lower))
        .collect();
    match hits.len() {
        0 => (line.to_string(), hits),
        1 => (format!("{head}{} ", hits[0]), Vec::new()),
        _ => {
            let prefix = common_prefix(&hits);
            let completed = if prefix.len() > last.len() {
                prefix
            } else {
                last.to_string()
            };
            (format!("{head}{completed}"), hits)
        }
    }
}

fn parse<T: std::str::FromStr<Err = crate::model::DomainError>>(
    app: &mut App,
    v: &str,
) -> Option<T> {
    match v.parse() {
        Ok(x) => Some(x),
        Err(e) => {
            app.say(Level::Error, e.to_string());
            None
        }
    }
}

/// Runs one command line (without the leading `:`).
pub fn run(app: &mut App, line: &str) -> Vec<Effect> {
    let line = line.trim();
    let (cmd, rest) = line
        .split_once(' ')
        .map(|(c, r)| (c, r.trim()))
        .unwrap_or((line, ""));
    let target = app.target().map(|i| i.id);
    match cmd {
        "" => Vec::new(),
        "ack" => triage::ack(app),
        "sev" => match parse::<Severity>(app, rest) {
            Some(s) => triage::severity(app, s),
            None => Vec::new(),
        },
        "status" => match (parse::<IncidentStatus>(app, rest), target) {
            (Some(IncidentStatus::Dismissed), _) => {
                app.say(Level::Error, "use :dismiss REASON to dismiss");
                Vec::new()
            }
            (Some(s), Some(id)) => triage::set_status(app, id, s),
            _ => Vec::new(),
        },
        "lead" => match target {
            Some(id) => triage::set_lead(app, id, rest),
            None => Vec::new(),
        },
        "note" => match target {
            Some(id) => triage::add_note(app, id, rest),
            None => Vec::new(),
        },
        "task" => match (rest.split_once(' '), target) {
            (Some((agency, title)), Some(id)) => {
                triage::create_task(app, id, agency, title.trim(), Priority::Normal, None)
            }
            _ => {
                app.say(Level::Error, "usage: :task AGENCY TITLE");
                Vec::new()
            }
        },
        "dismiss" => {
            let (reason, reference) = rest.split_once(' ').unwrap_or((rest, ""));
            match (parse::<DismissReason>(app, reason), target) {
                (Some(DismissReason::Duplicate), Some(id)) if !reference.is_empty() => {
                    triage::duplicate_of(app, id, reference)
                }
                (Some(r), Some(id)) => triage::dismiss(app, id, r),
                _ => Vec::new(),
            }
        }
        "dup" => match target {
            Some(id) => triage::duplicate_of(app, id, rest),
            None => Vec::new(),
        },
        "handover" => {
            let centre = if rest.is_empty() {
                None
            } else {
                parse::<Centre>(app, rest)
            };
            if !rest.is_empty() && centre.is_none() {
                return Vec::new();
            }
            triage::handover(app, centre)
        }
        "filter" => {
            navigate::set_filter(app, rest);
            Vec::new()
        }
        "new" => triage::incident_form(app),
        "messages" => {
            app.screen = Screen::Messages { scroll: 0 };
            Vec::new()
        }
        "outbox" => {
            app.screen = Screen::Outbox { selected: 0 };
            Vec::new()
        }
        "help" => {
            app.screen = Screen::Help { scroll: 0 };
            Vec::new()
        }
        "quit" | "q" => navigate::quit(app),
        other => {
            let names: Vec<&str> = COMMANDS.iter().map(|(n, ..)| *n).collect();
            app.say(
                Level::Error,
                format!("unknown command `{other}`; commands: {}", names.join(", ")),
            );
            Vec::new()
        }
    }
}
