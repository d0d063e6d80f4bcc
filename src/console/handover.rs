//! Handing an incident between the centres from the console: `:handover`
//! offers the selected incident to the other centre (when it is ours) or
//! requests it for ours (when it is theirs); the side that did not ask
//! answers with `:accept-handover` or `:decline-handover REASON`.

use super::action::Effect;
use super::command::{Arg, Verb};
use super::components::Outcome;
use super::context::{Context, Level};
use super::dialogs::{Confirmed, Dialog};
use crate::client::call::{ApiCall, HandoverStep};
use crate::model::{Act, Incident};

pub fn run(ctx: &mut Context, i: &Incident, verb: Verb, arg: &Arg) -> Option<Outcome> {
    let Some(me) = &ctx.me else {
        ctx.say(Level::Error, "not signed in yet");
        return Outcome::none();
    };
    let mine = me.centre;
    if let Err(e) = me.may(Act::TriageIncident) {
        ctx.say(Level::Error, e.to_string());
        return Outcome::none();
    }
    match verb {
        Verb::AcceptHandover | Verb::DeclineHandover => {
            let Some(h) = &i.handover else {
                ctx.say(
                    Level::Error,
                    format!("no handover of {} is waiting", i.reference),
                );
                return Outcome::none();
            };
            if h.awaits() != mine {
                ctx.say(
                    Level::Error,
                    format!("the handover of {} waits for {}", i.reference, h.awaits()),
                );
                return Outcome::none();
            }
            let (step, what) = match (verb, arg) {
                (Verb::AcceptHandover, _) => (
                    HandoverStep::Accept,
                    format!("accept {} for {}", i.reference, h.to),
                ),
                (_, Arg::Text(reason)) if !reason.trim().is_empty() => (
                    HandoverStep::Decline {
                        reason: reason.trim().to_string(),
                    },
                    format!("decline the handover of {}", i.reference),
                ),
                _ => {
                    ctx.say(
                        Level::Error,
                        "say why: :decline-handover REASON (the other centre reads it)",
                    );
                    return Outcome::none();
                }
            };
            Some(Outcome {
                effects: vec![Effect::Call(ApiCall::Handover {
                    id: i.id,
                    step,
                    what,
                })],
                ..Outcome::default()
            })
        }
        _ => {
            let to = match arg {
                Arg::Centre(c) => *c,
                _ if i.centre == mine => i.centre.other(),
                _ => mine,
            };
            if to == i.centre {
                ctx.say(
                    Level::Error,
                    format!("{} is already owned by {to}", i.reference),
                );
                return Outcome::none();
            }
            let (question, what) = if i.centre == mine {
                (
                    format!(
                        "Offer {} — {} — to {} ({})? It stays ours until {to} accepts.",
                        i.reference,
                        i.title,
                        to,
                        to.name()
                    ),
                    format!("offer {} to {to}", i.reference),
                )
            } else {
                (
                    format!(
                        "Request {} — {} — from {}? It moves when {} accepts.",
                        i.reference, i.title, i.centre, i.centre
                    ),
                    format!("request {} from {}", i.reference, i.centre),
                )
            };
            let call = ApiCall::Handover {
                id: i.id,
                step: HandoverStep::Ask {
                    to,
                    note: String::new(),
                },
                what,
            };
            Outcome::dialog(Dialog::confirm(
                question,
                "Hand over",
                Confirmed::Calls(vec![call]),
            ))
        }
    }
}
