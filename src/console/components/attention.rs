//! The attention screen: what needs the officer now, as the server pushed
//! it, with the console's own outbox troubles on top. Enter goes to what an
//! item is about, `x` marks it seen, and every triage key acts on the
//! incident of the selected item as it does in the feed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use uuid::Uuid;

use super::outbox::OutboxScreen;
use super::shift::ShiftScreen;
use super::{Component, Go, Outcome, list_move};
use crate::console::action::Effect;
use crate::console::command::{Cmd, Verb};
use crate::console::context::Context;
use crate::console::fmt::{self, pad};
use crate::console::keymap::Layer;
use crate::console::widgets::pane_block;
use crate::model::attention::{AttentionItem, Rule};

#[derive(Debug, Default)]
pub struct AttentionScreen {
    selected: usize,
    /// The incident of the selected item, for the triage keys.
    incident: Option<Uuid>,
}

/// One row: the outbox's troubles (the console's own), or a server item.
enum Row<'a> {
    Outbox(usize),
    Item(&'a AttentionItem),
}

fn rows(ctx: &Context) -> Vec<Row<'_>> {
    let troubles = ctx.troubles();
    let mut rows = Vec::new();
    if troubles > 0 {
        rows.push(Row::Outbox(troubles));
    }
    rows.extend(ctx.attention.items.iter().map(Row::Item));
    rows
}

/// Items needing the officer: unseen ones, and outbox troubles (the header's count).
pub fn count(ctx: &Context) -> usize {
    ctx.attention.unseen as usize + ctx.troubles()
}

/// The key (or command) that acts on an item.
fn act_key(ctx: &Context, rule: Rule) -> String {
    let key = |name: &str| ctx.keymap.first_key(name).unwrap_or_default();
    match rule {
        Rule::HandoverWaiting => ":ack-handover".into(),
        Rule::Unacknowledged => key("ack"),
        Rule::Offered | Rule::TransferRequested => ":accept-handover · :decline-handover".into(),
        Rule::TaskDeclined => key("task"),
        _ => key("open"),
    }
}

fn label(rule: Rule) -> &'static str {
    match rule {
        Rule::HandoverWaiting => "HANDOVER",
        Rule::Unacknowledged => "UNACKED",
        Rule::Offered => "OFFERED",
        Rule::TransferRequested => "TRANSFER",
        Rule::TaskDeclined => "DECLINED",
        Rule::TaskOverdue => "OVERDUE",
        Rule::ChangedElsewhere => "CHANGED",
        Rule::TaskDone => "DONE",
    }
}

impl AttentionScreen {
    pub fn new(ctx: &Context) -> AttentionScreen {
        let mut s = AttentionScreen::default();
        s.follow(ctx);
        s
    }

    fn follow(&mut self, ctx: &Context) {
        let rows = rows(ctx);
        self.selected = self.selected.min(rows.len().saturating_sub(1));
        self.incident = match rows.get(self.selected) {
            Some(Row::Item(i)) => i.incident_id,
            _ => None,
        };
    }
}

impl Component for AttentionScreen {
    fn layer(&self) -> Layer {
        Layer::Attention
    }

    fn command(&mut self, cmd: &Cmd, ctx: &mut Context) -> Option<Outcome> {
        let len = rows(ctx).len();
        if list_move(&mut self.selected, cmd.verb, len) {
            self.follow(ctx);
            return Outcome::none();
        }
        match cmd.verb {
            Verb::Back | Verb::Attention => Outcome::go(Go::Main),
            Verb::Open => match rows(ctx).get(self.selected)? {
                Row::Outbox(_) => Outcome::page(OutboxScreen::default()),
                Row::Item(i) if i.rule == Rule::HandoverWaiting => Outcome::page(ShiftScreen),
                Row::Item(i) => Outcome::go(Go::Detail(i.incident_id?)),
            },
            Verb::Seen => {
                let key = match rows(ctx).get(self.selected) {
                    Some(Row::Item(item)) => item.key.clone(),
                    _ => return Outcome::none(),
                };
                // Shown seen at once; the server's answer replaces the queue.
                if let Some(i) = ctx.attention.items.iter_mut().find(|i| i.key == key)
                    && !i.seen
                {
                    i.seen = true;
                    ctx.attention.unseen = ctx.attention.unseen.saturating_sub(1);
                }
                self.selected = (self.selected + 1).min(len.saturating_sub(1));
                self.follow(ctx);
                Some(Outcome {
                    effects: vec![Effect::MarkSeen(vec![key])],
                    ..Outcome::default()
                })
            }
            _ => None,
        }
    }

    fn incident(&self) -> Option<Uuid> {
        self.incident
    }

    fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context, _: bool) {
        let title = format!(
            "Attention — {} to see · Enter goes to it · {} marks seen · Esc back",
            count(ctx),
            ctx.keymap.first_key("mark-seen").unwrap_or_default()
        );
        let block = pane_block(&ctx.theme, title, true);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let rows = rows(ctx);
        if rows.is_empty() {
            f.render_widget(
                Paragraph::new("nothing needs you now").style(ctx.theme.dim),
                inner,
            );
            return;
        }
        let width = inner.width as usize;
        let mut lines = Vec::new();
        for (n, row) in rows.iter().enumerate() {
            let (text, mut style) = match row {
                Row::Outbox(k) => (
                    format!(
                        "! OUTBOX    {k} change(s) conflicted or refused — Enter opens the outbox"
                    ),
                    ctx.theme.error,
                ),
                Row::Item(i) => {
                    let dot = if i.seen { " " } else { "●" };
                    let style = if i.seen {
                        ctx.theme.dim
                    } else {
                        Style::default().add_modifier(Modifier::BOLD)
                    };
                    let age = fmt::when(i.at, ctx.now);
                    (
                        format!("{dot} {:<9} {age:>13}  {}", label(i.rule), ctx.text(&i.why)),
                        style,
                    )
                }
            };
            let marker = if n == self.selected {
                style = style.patch(ctx.theme.selected);
                "▶ "
            } else {
                "  "
            };
            lines.push(Line::styled(pad(&format!("{marker}{text}"), width), style));
        }
        // The selected item's act on the last line.
        let room = (inner.height as usize).saturating_sub(2);
        let skip = self.selected.saturating_sub(room.saturating_sub(1));
        let mut shown: Vec<Line> = lines.into_iter().skip(skip).take(room).collect();
        if let Some(Row::Item(i)) = rows.get(self.selected) {
            shown.push(Line::raw(""));
            shown.push(Line::styled(
                fmt::fit(
                    &format!("to do: {} — {}", i.rule.act(), act_key(ctx, i.rule)),
                    width,
                ),
                ctx.theme.dim,
            ));
        }
        f.render_widget(Paragraph::new(shown), inner);
    }
}
