//! Need-to-know: TLP 2.0 handling markings, who each one admits, and who
//! may change one.
//!
//! A marking becomes an *audience*: a short list of tags, each naming a
//! group of officers (`*` everyone, `o` every centre officer, `o:TRP` the
//! officers of one centre, `s:TRP` its supervisors, `a:ID` the liaisons of an
//! agency, `u:ID` one officer). A viewer holds the tags that name them; they
//! see an entity when the two lists share one. The store keeps each entity's
//! audience as text (` tag tag `) beside its row and each event's beside the
//! event, so a search, a snapshot and the event stream filter with a
//! substring test instead of re-deciding the rules per row.
//!
//! "Officers" are every role but liaisons: liaisons speak for an agency and
//! see what is shared with it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Centre, DomainError, Incident, Officer, Role, Task, Unit};

/// The Traffic Light Protocol 2.0 marking of an incident or a task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Tlp {
    #[serde(rename = "clear")]
    Clear,
    #[default]
    #[serde(rename = "green")]
    Green,
    #[serde(rename = "amber")]
    Amber,
    #[serde(rename = "amber+strict")]
    AmberStrict,
    #[serde(rename = "red")]
    Red,
}

impl utoipa::PartialSchema for Tlp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(Tlp::ALL.iter().map(|t| t.as_str())))
            .into()
    }
}

impl utoipa::ToSchema for Tlp {}

impl Tlp {
    pub const ALL: &'static [Tlp] = &[
        Tlp::Clear,
        Tlp::Green,
        Tlp::Amber,
        Tlp::AmberStrict,
        Tlp::Red,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Tlp::Clear => "clear",
            Tlp::Green => "green",
            Tlp::Amber => "amber",
            Tlp::AmberStrict => "amber+strict",
            Tlp::Red => "red",
        }
    }

    /// How restrictive: a higher rank admits fewer.
    fn rank(self) -> u8 {
        self as u8
    }

    /// `TLP:AMBER+STRICT`, as the marking is written on documents.
    pub fn label(self) -> String {
        format!("TLP:{}", self.as_str().to_uppercase())
    }
}

impl std::fmt::Display for Tlp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for Tlp {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Tlp, DomainError> {
        let wanted = s
            .trim()
            .trim_start_matches("TLP:")
            .trim_start_matches("tlp:");
        Tlp::ALL
            .iter()
            .copied()
            .find(|t| t.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| DomainError::UnknownValue {
                what: "Tlp",
                value: s.to_string(),
                expected: Tlp::ALL
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// Agencies (or officers) an entity is shared with, beyond what its marking gives.
pub const SHARED_MAX: usize = 20;

/// A `shared_with` list without repeats, at most [`SHARED_MAX`] ids.
pub fn shared_with(ids: &[Uuid]) -> Result<Vec<Uuid>, DomainError> {
    let mut seen = std::collections::HashSet::new();
    let distinct: Vec<Uuid> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
    if distinct.len() > SHARED_MAX {
        return Err(DomainError::invalid(
            "shared_with",
            format!(
                "names {} agencies or officers; the limit is {SHARED_MAX}",
                distinct.len()
            ),
        ));
    }
    Ok(distinct)
}

/// Everyone: the audience of what carries no restriction.
pub const EVERYONE: &str = " * ";

/// Tags separated by spaces, with a space before the first and after the
/// last, so ` tag ` matches whole tags only.
#[derive(Default)]
struct Tags(String);

impl Tags {
    fn add(&mut self, tag: impl std::fmt::Display) -> &mut Tags {
        use std::fmt::Write as _;
        if self.0.is_empty() {
            self.0.push(' ');
        }
        let _ = write!(self.0, "{tag} ");
        self
    }

    fn shared(&mut self, ids: &[Uuid]) -> &mut Tags {
        // An id names an agency or an officer; ids are unique across both,
        // so naming it both ways admits exactly the one it is.
        for id in ids {
            self.add(format_args!("a:{id}")).add(format_args!("u:{id}"));
        }
        self
    }

    fn done(&mut self) -> String {
        std::mem::take(&mut self.0)
    }
}

/// Who may see an entity with this marking, owned by `centre`, led by `lead`.
fn audience(
    tlp: Tlp,
    centre: Centre,
    lead: Option<Uuid>,
    supporting: &[Uuid],
    shared: &[Uuid],
    creator: Uuid,
) -> String {
    let mut t = Tags::default();
    match tlp {
        Tlp::Clear | Tlp::Green => return EVERYONE.to_string(),
        Tlp::Amber => {
            t.add("o");
            for a in lead.iter().chain(supporting) {
                t.add(format_args!("a:{a}"));
            }
        }
        Tlp::AmberStrict => {
            t.add(format_args!("o:{centre}"));
            if let Some(a) = lead {
                t.add(format_args!("a:{a}"));
            }
        }
        Tlp::Red => {
            t.add(format_args!("s:{centre}"));
        }
    }
    // Whoever wrote it keeps seeing it.
    t.shared(shared).add(format_args!("u:{creator}")).done()
}

pub fn incident_audience(i: &Incident) -> String {
    audience(
        i.tlp,
        i.centre,
        i.lead_agency_id,
        &i.supporting_agency_ids,
        &i.shared_with,
        i.created_by,
    )
}

/// A task is seen by whoever sees both it and its incident, and by the
/// liaisons of the agency asked to do it when the task's own marking admits
/// them: an agency learns what it is asked to do, not the intelligence behind it.
pub fn task_audience(t: &Task, of: &Incident) -> String {
    task_audience_in(t, &incident_audience(of), of.centre)
}

/// [`task_audience`] from what the store keeps of the incident: its
/// audience and its owning centre.
pub fn task_audience_in(t: &Task, incident_audience: &str, centre: Centre) -> String {
    let own = audience(
        t.tlp,
        centre,
        Some(t.agency_id),
        &[],
        &t.shared_with,
        t.created_by,
    );
    let mut tags = meet(incident_audience, &own);
    let asked = format!("a:{}", t.agency_id);
    if admits_tag(&own, "*") || admits_tag(&own, &asked) {
        tags.push(asked);
    }
    tags.sort();
    tags.dedup();
    if tags.iter().any(|t| t == "*") {
        return EVERYONE.to_string();
    }
    let mut out = Tags::default();
    for tag in tags {
        out.add(tag);
    }
    out.done()
}

/// Who sees a unit's position: its agency, the officers of the centre its
/// agency's region belongs to (both for southern and national agencies), and
/// the officers who see an incident it is tasked to (`tasked`: those
/// incidents' audiences).
pub fn position_audience<'a>(
    u: &Unit,
    region: super::Region,
    tasked: impl IntoIterator<Item = &'a str>,
) -> String {
    let mut t = Tags::default();
    t.add(format_args!("a:{}", u.agency_id));
    match region {
        super::Region::West => t.add(format_args!("o:{}", Centre::Trp)),
        super::Region::East => t.add(format_args!("o:{}", Centre::Ben)),
        super::Region::South | super::Region::National => t.add("o"),
    };
    // The officers among those who see the incident, not its agencies' liaisons.
    for audience in tasked {
        for tag in audience.split_whitespace() {
            match tag {
                "*" => t.add("o"),
                _ if tag.starts_with("a:") => &mut t,
                _ => t.add(tag),
            };
        }
    }
    t.done()
}

/// Whether an event on `entity` may reach an officer with fields blanked
/// (a unit's position, an agency's contacts) rather than whole or not at
/// all; its `hash` is then of what they were not sent.
pub fn maskable(entity: super::EntityKind) -> bool {
    matches!(entity, super::EntityKind::Unit | super::EntityKind::Agency)
}

/// Who sees an agency's contact details: officers and its own liaisons.
pub fn contacts_audience(agency: Uuid) -> String {
    Tags::default()
        .add("o")
        .add(format_args!("a:{agency}"))
        .done()
}

/// A shift and its handover: the officers of its centre and its officer.
pub fn shift_audience(centre: Centre, officer: Uuid) -> String {
    Tags::default()
        .add(format_args!("o:{centre}"))
        .add(format_args!("u:{officer}"))
        .done()
}

/// Whether an audience text holds `tag`.
fn admits_tag(audience: &str, tag: &str) -> bool {
    audience.split_whitespace().any(|t| t == tag)
}

/// The tags admitting only those both audiences admit. Exact for the
/// group tags; an officer named in one is kept only where the other names
/// them too or admits everyone (whether a group holds them is not known here).
fn meet(a: &str, b: &str) -> Vec<String> {
    let mut out = Vec::new();
    for x in a.split_whitespace() {
        for y in b.split_whitespace() {
            if let Some(m) = meet_tag(x, y) {
                out.push(m.to_string());
            }
        }
    }
    out
}

fn meet_tag<'a>(x: &'a str, y: &'a str) -> Option<&'a str> {
    if x == y || y == "*" {
        return Some(x);
    }
    if x == "*" {
        return Some(y);
    }
    // Inclusion among the officers' groups: o ⊇ o:C ⊇ s:C.
    let within = |small: &str, big: &str| match big.split_once(':') {
        None => big == "o" && (small.starts_with("o:") || small.starts_with("s:")),
        Some(("o", c)) => small == format!("s:{c}"),
        _ => false,
    };
    if within(x, y) {
        Some(x)
    } else if within(y, x) {
        Some(y)
    } else {
        None
    }
}

/// The tags naming one officer; what they may see shares a tag with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Viewer {
    /// `None` sees everything (the operator at the command line).
    tags: Option<Vec<String>>,
}

impl Viewer {
    pub fn of(o: &Officer) -> Viewer {
        if o.role == Role::Auditor {
            return Viewer::everything();
        }
        let mut tags = vec![" * ".to_string(), format!(" u:{} ", o.id)];
        if o.role == Role::Liaison {
            if let Some(a) = o.agency_id {
                tags.push(format!(" a:{a} "));
            }
        } else {
            tags.push(" o ".into());
            tags.push(format!(" o:{} ", o.centre));
            if o.role == Role::Supervisor {
                tags.push(format!(" s:{} ", o.centre));
            }
        }
        Viewer { tags: Some(tags) }
    }

    /// What every duty officer of `centre` sees: what a handover may list.
    pub fn officers_of(centre: Centre) -> Viewer {
        let tags = vec![" * ".into(), " o ".into(), format!(" o:{centre} ")];
        Viewer { tags: Some(tags) }
    }

    /// Sees everything: the admin command line, verification, export.
    pub fn everything() -> Viewer {
        Viewer { tags: None }
    }

    /// The tags as ` tag ` needles, or `None` when nothing is hidden from this viewer.
    pub fn needles(&self) -> Option<&[String]> {
        self.tags.as_deref()
    }

    pub fn admits(&self, audience: &str) -> bool {
        match &self.tags {
            None => true,
            Some(tags) => tags.iter().any(|t| audience.contains(t.as_str())),
        }
    }

    pub fn sees_incident(&self, i: &Incident) -> bool {
        self.admits(&incident_audience(i))
    }
}

/// Who may change a marking from `from` to `to` on an entity owned by
/// `owner`: anyone who sees it (and may write at all) may restrict it, only
/// the owning centre's supervisor may open it up — a lower level or a wider
/// `shared_with`.
pub fn check_change(
    actor: &Officer,
    owner: Centre,
    from: (Tlp, &[Uuid]),
    to: (Tlp, &[Uuid]),
) -> Result<(), DomainError> {
    if actor.role == Role::Observer {
        return Err(DomainError::Forbidden(
            "an observer may not change a handling marking".into(),
        ));
    }
    let lowered = to.0.rank() < from.0.rank() || to.1.iter().any(|id| !from.1.contains(id));
    if lowered && !(actor.role == Role::Supervisor && actor.centre == owner) {
        return Err(DomainError::Forbidden(format!(
            "only a supervisor of {owner} may lower a marking or share it wider \
             (from {} to {})",
            from.0.label(),
            to.0.label()
        )));
    }
    Ok(())
}

#[cfg(test)]
#[path = "marking_tests.rs"]
mod tests;
