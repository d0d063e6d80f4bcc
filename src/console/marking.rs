//! `:tlp LEVEL [AGENCY…]`: the handling marking of the selected incident.
//! The server decides who may raise or lower it; the console only turns the
//! words into a change, refusing unknown agencies before anything is sent.

use super::context::{Context, Level};
use super::fmt;
use crate::model::{Incident, IncidentPatch, Tlp};

/// The change `:tlp` asks for, or `None` (said why) when it cannot be made.
/// Naming agencies replaces the list the incident is shared with; naming
/// none keeps it.
pub fn run(
    ctx: &mut Context,
    i: &Incident,
    tlp: Tlp,
    agencies: &[String],
) -> Option<IncidentPatch> {
    let mut ids = Vec::with_capacity(agencies.len());
    for code in agencies {
        match ctx.agency_by_code(code) {
            Some(a) => ids.push(a.id),
            None => {
                ctx.say(
                    Level::Error,
                    format!("no agency with code `{}`", fmt::fit(code, 20)),
                );
                return None;
            }
        }
    }
    if tlp == i.tlp && ids.is_empty() {
        ctx.say(
            Level::Info,
            format!("{} is already {}", i.reference, tlp.label()),
        );
        return None;
    }
    Some(IncidentPatch {
        tlp: Some(tlp),
        shared_with: (!ids.is_empty()).then_some(ids),
        ..IncidentPatch::default()
    })
}
