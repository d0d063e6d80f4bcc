//! The attention queue: what needs one officer now, each item with why and
//! what to do about it. The rules are pure functions of the record — an
//! incident, a task, a shift, one event — so the server, the benches and the
//! tests all derive the same items; the server gathers and pushes them.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    Centre, Event, EventKind, Incident, IncidentStatus, Severity, Shift, Task, TaskStatus,
};

/// Items kept per queue: the officer has a feed for the rest.
pub const QUEUE_MAX: usize = 100;

/// Why an item is in the queue, most pressing first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// A handover of a shift of my centre waits for my acknowledgement.
    HandoverWaiting,
    /// A critical or high incident of my centre nobody has acknowledged.
    Unacknowledged,
    /// The other centre offers to hand an incident over to mine.
    Offered,
    /// The other centre asks to take over an incident of mine.
    TransferRequested,
    /// A task of my centre's incident was declined.
    TaskDeclined,
    /// A task of my centre's incident is past its due time.
    TaskOverdue,
    /// The other centre changed an incident my centre owns.
    ChangedElsewhere,
    /// A task of my centre's incident was done.
    TaskDone,
}

impl Rule {
    /// What the officer is expected to do, as the console's help says it.
    pub fn act(self) -> &'static str {
        match self {
            Rule::HandoverWaiting => "acknowledge the handover",
            Rule::Unacknowledged => "acknowledge it",
            Rule::Offered => "accept or decline the handover",
            Rule::TransferRequested => "agree or refuse the transfer",
            Rule::TaskDeclined => "find another agency",
            Rule::TaskOverdue => "chase the agency",
            Rule::ChangedElsewhere => "look at the change",
            Rule::TaskDone => "close the task out",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AttentionItem {
    /// Stable while the cause lasts: what seen-marks are kept by.
    pub key: String,
    pub rule: Rule,
    /// One line: what happened.
    pub why: String,
    /// The incident it is about (absent for a shift's handover).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_id: Option<Uuid>,
    /// The shift whose handover waits (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// Marked seen by this officer.
    #[serde(default)]
    pub seen: bool,
    /// Not for this officer (the one who ended the shift waits on others).
    #[serde(skip)]
    pub not_for: Option<Uuid>,
}

/// `GET /api/v1/attention` and the stream's `attention` frame.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AttentionQueue {
    /// Most pressing first, then newest.
    pub items: Vec<AttentionItem>,
    /// Items not yet marked seen: the header's count.
    pub unseen: u32,
}

/// `POST /api/v1/attention/seen`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkSeen {
    /// Item keys, as the queue gave them (at most 500).
    pub items: Vec<String>,
}

/// Whether `key` has the shape of a key the rules give (`new:ID`,
/// `overdue:ID`, `ack:ID`, `handover:ID:SECONDS`, `seq:N`): seen-marks are
/// kept for nothing else, so an officer cannot fill the table with text.
pub fn is_key(key: &str) -> bool {
    let id = |s: &str| s.parse::<Uuid>().is_ok();
    let number = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
    match key.split_once(':') {
        Some(("new" | "overdue" | "ack", rest)) => id(rest),
        Some(("handover", rest)) => rest
            .split_once(':')
            .is_some_and(|(i, at)| id(i) && number(at.trim_start_matches('-'))),
        Some(("seq", n)) => number(n),
        _ => false,
    }
}

fn item(rule: Rule, key: String, why: String, at: OffsetDateTime) -> AttentionItem {
    AttentionItem {
        key,
        rule,
        why,
        incident_id: None,
        shift_id: None,
        at,
        seen: false,
        not_for: None,
    }
}

/// What an open incident asks of `centre`'s officers by its state alone.
pub fn from_incident(i: &Incident, centre: Centre) -> Vec<AttentionItem> {
    let mut out = Vec::new();
    if !i.status.is_open() {
        return out;
    }
    let about = |mut it: AttentionItem| {
        it.incident_id = Some(i.id);
        it
    };
    if i.centre == centre && i.status == IncidentStatus::Reported && i.severity >= Severity::High {
        out.push(about(item(
            Rule::Unacknowledged,
            format!("new:{}", i.id),
            format!(
                "{} {} not acknowledged: {}",
                i.reference,
                i.severity.as_str(),
                i.title
            ),
            i.reported_at,
        )));
    }
    if let Some(h) = i.handover.as_deref().filter(|h| h.awaits() == centre) {
        let (rule, why) = if i.centre == centre {
            let what = format!("{} asks to take over {}", h.asked_by, i.reference);
            (Rule::TransferRequested, what)
        } else {
            let what = format!("{} offers {} to {centre}", h.asked_by, i.reference);
            (Rule::Offered, what)
        };
        let note = if h.note.is_empty() {
            String::new()
        } else {
            format!(": {}", h.note)
        };
        let key = format!("handover:{}:{}", i.id, h.at.unix_timestamp());
        out.push(about(item(rule, key, format!("{why}{note}"), h.at)));
    }
    out
}

/// An open task of `reference` (an incident of the centre) past its due time.
pub fn from_task(t: &Task, reference: &str, now: OffsetDateTime) -> Option<AttentionItem> {
    let due = t.due_at.filter(|d| *d < now && t.status.is_open())?;
    let mut it = item(
        Rule::TaskOverdue,
        format!("overdue:{}", t.id),
        format!("{reference} task overdue: {}", t.title),
        due,
    );
    it.incident_id = Some(t.incident_id);
    Some(it)
}

/// An ended shift's handover not yet acknowledged, for everyone of its
/// centre but the officer who left it.
pub fn from_shift(s: &Shift) -> Option<AttentionItem> {
    let ended = s.ended_at.filter(|_| s.acknowledged_by.is_none())?;
    let mut it = item(
        Rule::HandoverWaiting,
        format!("ack:{}", s.id),
        format!("{} handed over the shift: acknowledge it", s.officer_name),
        ended,
    );
    it.shift_id = Some(s.id);
    it.not_for = Some(s.officer_id);
    Some(it)
}

/// What one event tells `centre`, given what the server knows around it.
pub struct EventContext<'a> {
    /// The incident the event is about (its owner and reference).
    pub incident_centre: Centre,
    pub reference: &'a str,
    /// The acting officer, when an officer acted.
    pub actor_name: Option<&'a str>,
    pub actor_centre: Option<Centre>,
    /// The incident as it was before, for an `incident.updated`.
    pub before: Option<&'a Incident>,
}

/// Whether an event can raise an item by itself (the rest are read as state).
pub fn may_raise(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::IncidentUpdated
            | EventKind::NoteAdded
            | EventKind::TaskCreated
            | EventKind::TaskUpdated
    )
}

/// The item one event raises for `centre`, if any: a change by the other
/// centre to an incident `centre` owns, or a task of its declined or done.
pub fn from_event(e: &Event, cx: &EventContext, centre: Centre) -> Option<AttentionItem> {
    if cx.incident_centre != centre || !may_raise(e.kind) {
        return None;
    }
    let at = OffsetDateTime::parse(&e.at, &time::format_description::well_known::Rfc3339).ok()?;
    let key = format!("seq:{}", e.seq);
    let elsewhere = cx.actor_centre.is_some_and(|c| c != centre);
    let who = match (cx.actor_name, cx.actor_centre) {
        (Some(n), Some(c)) => format!("{n} ({c})"),
        _ => "the other centre".into(),
    };
    let (rule, why) = match e.kind {
        EventKind::TaskUpdated => {
            let t: Task = e.entity().ok()?;
            match t.status {
                TaskStatus::Declined => {
                    let reason = t.reason.map(|r| format!(" ({r})")).unwrap_or_default();
                    let why = format!("{} task declined: {}{reason}", cx.reference, t.title);
                    (Rule::TaskDeclined, why)
                }
                TaskStatus::Done => (
                    Rule::TaskDone,
                    format!("{} task done: {}", cx.reference, t.title),
                ),
                // Accepting and working a task is the agencies' routine.
                _ => return None,
            }
        }
        _ if !elsewhere => return None,
        EventKind::NoteAdded => {
            let n: super::Note = e.entity().ok()?;
            let text = super::validate::excerpt(&n.text, 80);
            (
                Rule::ChangedElsewhere,
                format!("{who}: note on {}: {text}", cx.reference),
            )
        }
        EventKind::TaskCreated => {
            let t: Task = e.entity().ok()?;
            (
                Rule::ChangedElsewhere,
                format!("{who}: task requested on {}: {}", cx.reference, t.title),
            )
        }
        _ => {
            let now: Incident = e.entity().ok()?;
            let what = cx.before.map(|b| changes(b, &now)).unwrap_or_default();
            let what = if what.is_empty() {
                "updated".into()
            } else {
                what
            };
            (
                Rule::ChangedElsewhere,
                format!("{who}: {} {what}", cx.reference),
            )
        }
    };
    let mut it = item(rule, key, why, at);
    it.incident_id = Some(incident_of(e)?);
    Some(it)
}

/// The incident an event is about: the incident itself, or a note's or a task's.
pub fn incident_of(e: &Event) -> Option<Uuid> {
    #[derive(Deserialize)]
    struct Of {
        incident_id: Uuid,
    }
    match e.entity {
        super::EntityKind::Incident => Some(e.entity_id),
        super::EntityKind::Note | super::EntityKind::Task => {
            Some(e.entity::<Of>().ok()?.incident_id)
        }
        _ => None,
    }
}

/// The fields a duty officer cares to see changed, `severity critical → medium`.
fn changes(a: &Incident, b: &Incident) -> String {
    let mut parts = Vec::new();
    if a.severity != b.severity {
        let verb = if b.severity < a.severity {
            "downgraded"
        } else {
            "raised"
        };
        parts.push(format!(
            "severity {verb} {} → {}",
            a.severity.as_str(),
            b.severity.as_str()
        ));
    }
    if a.status != b.status {
        parts.push(format!(
            "status {} → {}",
            a.status.as_str(),
            b.status.as_str()
        ));
    }
    if a.lead_agency_id != b.lead_agency_id {
        parts.push("lead agency changed".into());
    }
    if a.tlp != b.tlp || a.shared_with != b.shared_with {
        parts.push(format!("marking {} → {}", a.tlp.label(), b.tlp.label()));
    }
    if a.title != b.title || a.description != b.description || a.location != b.location {
        parts.push("details edited".into());
    }
    parts.join(", ")
}

/// One officer's queue from their centre's items: theirs only, seen-marks
/// applied, most pressing first, then newest.
pub fn for_officer(
    centre_items: &[AttentionItem],
    me: Uuid,
    seen: &HashSet<String>,
) -> AttentionQueue {
    let mut items: Vec<AttentionItem> = centre_items
        .iter()
        .filter(|i| i.not_for != Some(me))
        .map(|i| AttentionItem {
            seen: seen.contains(&i.key),
            ..i.clone()
        })
        .collect();
    items.sort_by(|a, b| a.rule.cmp(&b.rule).then(b.at.cmp(&a.at)));
    items.truncate(QUEUE_MAX);
    let unseen = items.iter().filter(|i| !i.seen).count();
    AttentionQueue {
        items,
        unseen: u32::try_from(unseen).unwrap_or(u32::MAX),
    }
}

#[cfg(test)]
#[path = "attention_tests.rs"]
mod tests;
