//! The outbox screen: every change not yet delivered, in conflict or
//! refused; a conflict shows what the officer meant beside how the incident
//! is now, field by field; `r` re-applies on the current version, `x`
//! discards, each after a confirmation.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::{Component, Go, Outcome, step};
use crate::api::IncidentPatch;
use crate::client::outbox::{Entry, EntryState};
use crate::console::action::ApiCall;
use crate::console::command::{Cmd, Verb};
use crate::console::context::{Context, Level};
use crate::console::dialogs::{Confirmed, Dialog};
use crate::console::fmt::{self, pad};
use crate::console::keymap::Layer;
use crate::console::widgets::pane_block;
use crate::model::Incident;

#[derive(Debug, Default)]
pub struct OutboxScreen {
    selected: usize,
}

/// The fields a patch sets, as (field, what the officer wants, what is there now).
pub fn differences(
    ctx: &Context,
    patch: &IncidentPatch,
    now: &Incident,
) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut field = |name: &str, want: Option<String>, is: String| {
        if let Some(w) = want
            && w != is
        {
            out.push((name.to_string(), w, is));
        }
    };
    field(
        "status",
        patch.status.map(|s| fmt::status(s).into()),
        fmt::status(now.status).into(),
    );
    field(
        "severity",
        patch.severity.map(|s| fmt::severity(s).into()),
        fmt::severity(now.severity).into(),
    );
    field(
        "lead",
        patch
            .lead_agency_id
            .map(|a| ctx.agency_code(Some(a)).into()),
        ctx.agency_code(now.lead_agency_id).into(),
    );
    field(
        "centre",
        patch.centre.map(|c| c.to_string()),
        now.centre.to_string(),
    );
    field(
        "category",
        patch.category.map(|c| fmt::category(c).into()),
        fmt::category(now.category).into(),
    );
    field("title", patch.title.clone(), now.title.clone());
    field(
        "dismissed as",
        patch.dismiss_reason.map(|r| fmt::reason(r).into()),
        now.dismiss_reason
            .map(|r| fmt::reason(r).into())
            .unwrap_or_else(|| "—".into()),
    );
    out
}

/// An entry as lines: what, its state, and for a conflict the differing fields.
fn describe(ctx: &Context, e: &Entry) -> Vec<String> {
    let state = match &e.state {
        EntryState::Pending => "pending ".to_string(),
        EntryState::Conflict { .. } => "CONFLICT".to_string(),
        EntryState::Refused { status, .. } => format!("REFUSED {status}"),
    };
    let mut lines = vec![format!(
        "{state}  {}  {}",
        fmt::when(e.created_at, ctx.now),
        e.call.what()
    )];
    match (&e.state, &e.call) {
        (EntryState::Conflict { current }, ApiCall::PatchIncident { patch, .. }) => {
            match serde_json::from_value::<Incident>(current.clone()) {
                Ok(now) => {
                    lines.push(format!(
                        "    changed first by {} at {} (version {}):",
                        ctx.officer_name(&now.updated_by.to_string()),
                        fmt::when(now.updated_at, ctx.now),
                        now.version
                    ));
                    let diff = differences(ctx, patch, &now);
                    if diff.is_empty() {
                        lines.push("    it already is as you wanted".into());
                    }
                    for (field, want, is) in diff {
                        lines.push(format!("    {field}: you want {want} · it is now {is}"));
                    }
                }
                Err(_) => lines.push("    the current state could not be read".into()),
            }
        }
        (EntryState::Refused { reason, .. }, _) => lines.push(format!("    server: {reason}")),
        _ => {}
    }
    lines
}

impl Component for OutboxScreen {
    fn layer(&self) -> Layer {
        Layer::Outbox
    }

    fn command(&mut self, cmd: &Cmd, ctx: &mut Context) -> Option<Outcome> {
        let len = ctx.outbox.len();
        match cmd.verb {
            Verb::Down => self.selected = step(self.selected, 1, len),
            Verb::Up => self.selected = step(self.selected, -1, len),
            Verb::Top => self.selected = 0,
            Verb::Bottom => self.selected = len.saturating_sub(1),
            Verb::Back | Verb::Outbox => return Outcome::go(Go::Main),
            Verb::Reapply => return reapply(ctx, self.selected),
            Verb::Discard => {
                let e = ctx.outbox.get(self.selected)?;
                let warning = if e.state == EntryState::Pending {
                    " It has not been delivered."
                } else {
                    ""
                };
                return Outcome::dialog(Dialog::confirm(
                    format!("Discard \"{}\"?{warning}", e.call.what()),
                    "Discard",
                    Confirmed::Discard(e.seq),
                ));
            }
            _ => return None,
        }
        Outcome::none()
    }

    fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context, _: bool) {
        let keys = format!(
            "{} re-apply on current · {} discard · Esc back",
            ctx.keymap.first_key("reapply").unwrap_or_default(),
            ctx.keymap.first_key("discard").unwrap_or_default()
        );
        let title = format!(
            "Outbox — {} pending, {} to review · {keys}",
            ctx.pending(),
            ctx.troubles()
        );
        let block = pane_block(&ctx.theme, title, true);
        let inner = block.inner(area);
        f.render_widget(block, area);
        if ctx.outbox.is_empty() {
            f.render_widget(
                Paragraph::new("nothing waiting: every change was delivered").style(ctx.theme.dim),
                inner,
            );
            return;
        }
        let mut lines = Vec::new();
        for (n, e) in ctx.outbox.iter().enumerate() {
            let mut style = match e.state {
                EntryState::Pending => Style::default(),
                _ => ctx.theme.error,
            };
            let marker = if n == self.selected {
                style = style.patch(ctx.theme.selected);
                "▶ "
            } else {
                "  "
            };
            for (i, text) in describe(ctx, e).into_iter().enumerate() {
                if i == 0 {
                    lines.push(Line::styled(
                        pad(&format!("{marker}{text}"), inner.width as usize),
                        style,
                    ));
                } else {
                    lines.push(Line::raw(text));
                }
            }
        }
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}

/// `r`: offer to send a conflicted change again on the current version.
fn reapply(ctx: &mut Context, selected: usize) -> Option<Outcome> {
    let e = ctx.outbox.get(selected)?.clone();
    let (
        EntryState::Conflict { current },
        ApiCall::PatchIncident {
            id, patch, what, ..
        },
    ) = (&e.state, &e.call)
    else {
        ctx.say(
            Level::Error,
            "only a conflicted change can be re-applied; discard a refused one",
        );
        return Outcome::none();
    };
    let version = current
        .get("version")
        .and_then(|v| v.as_u64())
        .or_else(|| ctx.mirror.incidents.get(id).map(|i| i.version))?;
    let call = ApiCall::PatchIncident {
        id: *id,
        version,
        patch: patch.clone(),
        what: what.clone(),
    };
    Outcome::dialog(Dialog::confirm(
        format!(
            "Re-apply \"{what}\" on the current version {version}? This overrides the other change."
        ),
        "Re-apply",
        Confirmed::Reapply { seq: e.seq, call },
    ))
}
