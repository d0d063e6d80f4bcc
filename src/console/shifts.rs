//! `:shift start`, `:shift end [NOTE]` and `:ack-handover`: the officer's
//! own shift from the console (`:shift end` alone opens the handover
//! dialog: what the handover will hold, and a note field). The network side finds the shift concerned
//! (the officer's open one; the last handover of their centre still
//! waiting), acts, and the answer comes back as a message naming what the
//! handover holds.

use uuid::Uuid;

use super::action::Effect;
pub use super::action::ShiftStep;
use super::components::Outcome;
use super::context::{Context, Level};
use super::dialogs::Dialog;
use super::dialogs::line::{LineDialog, Purpose};
use crate::api::{HandoverSummary, Shift};
use crate::client::{Client, new_key};
use crate::model::handover_summary::Summarizer;

/// `:shift start|end [NOTE]`.
pub fn ask(ctx: &mut Context, arg: &str) -> Option<Outcome> {
    let arg = arg.trim();
    let (word, rest) = arg.split_once(char::is_whitespace).unwrap_or((arg, ""));
    let step = match word {
        "start" if rest.trim().is_empty() => ShiftStep::Start,
        // No note yet: the dialog shows what the handover will hold and takes one.
        "end" if rest.trim().is_empty() => {
            let preview = format!("as it stands: {}", preview(ctx).one_line(None));
            return Outcome::dialog(Dialog::Line(LineDialog::new(
                Purpose::Handover { preview },
                "",
            )));
        }
        "end" => ShiftStep::End {
            note: rest.trim().to_string(),
        },
        _ => {
            ctx.say(
                Level::Error,
                "`:shift` opens the shift screen; `:shift start` starts your shift; \
                 `:shift end [NOTE]` ends it with a handover note",
            );
            return None;
        }
    };
    Some(effect(ctx, step))
}

/// The handover as it would be generated now, from what this console holds.
fn preview(ctx: &Context) -> HandoverSummary {
    let centre = ctx
        .me
        .as_ref()
        .map_or(crate::model::Centre::Trp, |m| m.centre);
    let mut sum = Summarizer::new(centre, ctx.now);
    ctx.mirror.incidents.values().for_each(|i| sum.incident(i));
    ctx.mirror.tasks.values().for_each(|t| sum.task(t));
    sum.finish(ctx.mirror.units.values())
}

/// `:ack-handover`.
pub fn acknowledge(ctx: &mut Context) -> Option<Outcome> {
    Some(effect(ctx, ShiftStep::Acknowledge))
}

fn effect(ctx: &mut Context, step: ShiftStep) -> Outcome {
    ctx.say(Level::Info, "asking the server…");
    Outcome {
        effects: vec![Effect::Shift(step)],
        ..Outcome::default()
    }
}

/// The server's answer, as the officer reads it.
pub fn answered(ctx: &mut Context, result: Result<String, String>) {
    match result {
        Ok(text) => ctx.say(Level::Info, text),
        Err(why) => ctx.say(Level::Error, why),
    }
}

/// Carries out `step` for officer `me` (of `centre`); the message to show.
pub async fn perform(
    client: &Client,
    me: &crate::model::Officer,
    step: ShiftStep,
) -> Result<String, String> {
    let fail = |e: crate::client::ClientError| e.to_string();
    match step {
        ShiftStep::Start => {
            let s = client.start_shift(&new_key()).await.map_err(fail)?;
            Ok(format!(
                "on shift at {} as {} from {}; end it with :shift end NOTE",
                s.centre,
                s.post.as_str().replace('_', " "),
                hhmm(&s)
            ))
        }
        ShiftStep::End { note } => {
            let open = client.shifts(me.centre, true).await.map_err(fail)?;
            let Some(mine) = open.iter().find(|s| s.officer_id == me.id) else {
                return Err("you are not on shift: nothing to end (:shift start)".into());
            };
            let s = client
                .end_shift(&new_key(), mine.id, &note)
                .await
                .map_err(fail)?;
            Ok(format!(
                "shift ended; handover not yet acknowledged — {}",
                s.handover_line()
            ))
        }
        ShiftStep::Acknowledge => {
            let ended = client.shifts(me.centre, false).await.map_err(fail)?;
            let Some(waiting) = waiting_for(&ended, me.id) else {
                return Err(format!(
                    "no handover of {} waits for acknowledgement",
                    me.centre
                ));
            };
            let s = client
                .acknowledge_handover(&new_key(), waiting)
                .await
                .map_err(fail)?;
            Ok(format!(
                "handover from {} acknowledged — {}",
                s.officer_name,
                s.handover_line()
            ))
        }
    }
}

/// The newest ended shift of another officer whose handover nobody took.
fn waiting_for(ended: &[Shift], me: Uuid) -> Option<Uuid> {
    ended
        .iter()
        .find(|s| s.officer_id != me && s.acknowledged_at.is_none())
        .map(|s| s.id)
}

fn hhmm(s: &Shift) -> String {
    format!("{:02}:{:02}Z", s.started_at.hour(), s.started_at.minute())
}
