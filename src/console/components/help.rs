//! The help screen, generated from the live keymap's layers and the command
//! table: it lists exactly the keys and commands that work.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::scroll::Scroller;
use super::{Component, Go, Outcome};
use crate::console::command::{Cmd, Verb};
use crate::console::context::Context;
use crate::console::fmt::pad;
use crate::console::keymap::{Keymap, Layer};
use crate::console::widgets::pane_block;

#[derive(Debug, Default)]
pub struct HelpScreen {
    scroller: Scroller,
}

/// Every command the `:` line takes, as help lists them: (usage, what it does).
pub fn commands() -> Vec<(&'static str, &'static str)> {
    Verb::ALL
        .iter()
        .filter(|v| v.on_palette())
        .map(|v| (v.usage(), v.help()))
        .collect()
}

pub fn lines(ctx: &Context) -> Vec<Line<'static>> {
    let mut out = vec![
        Line::styled("Row markers", ctx.theme.unacked),
        Line::raw(
            "  ▶ selected   * marked for a bulk change   ~ your change is being sent   ! your change needs review (o)",
        ),
        Line::raw(
            "  NEW not yet acknowledged   OVERDUE waited past the triage SLA   CRIT HIGH MED LOW severity",
        ),
        Line::raw(""),
    ];
    for (layer, keys) in ctx.keymap.help() {
        out.push(Line::styled(
            format!("Keys — {}", layer.title()),
            ctx.theme.unacked,
        ));
        for (k, help) in keys {
            out.push(Line::from(vec![
                Span::styled(pad(&format!("  {k}"), 18), ctx.theme.unacked),
                Span::raw(help),
            ]));
        }
        out.push(Line::raw(""));
    }
    out.push(Line::styled("Commands (:)", ctx.theme.unacked));
    for (usage, help) in commands() {
        out.push(Line::from(vec![
            Span::styled(pad(&format!("  :{usage}"), 32), ctx.theme.unacked),
            Span::raw(help),
        ]));
    }
    out.push(Line::raw(""));
    out.push(Line::styled("In dialogs", ctx.theme.unacked));
    for line in [
        "  Enter send / pick / run   Esc cancel   Tab, ↑↓ next field   ←/→ move in a choice",
        "  type to narrow a choice or a picker (LCG finds the coast guards); Backspace widens",
        "  on the : line: Tab completes, ↑↓ earlier lines; a refused line stays to be corrected",
        "  filter: text, sev>=high (also > < <= =), status:new,ack, cat:fuel, centre:BEN, agency:LCG-W, overdue",
    ] {
        out.push(Line::raw(line));
    }
    out.push(Line::raw(""));
    out.push(Line::raw(
        "Ctrl-C always quits. The mouse wheel scrolls and a click selects (mouse = false in the config turns it off).",
    ));
    out
}

/// The README's key and command tables, from the same sources as the help
/// screen (a test keeps the README equal to this).
pub fn markdown(keymap: &Keymap) -> String {
    let mut out = String::from("| where | keys | does |\n|---|---|---|\n");
    for (layer, keys) in keymap.help() {
        for (k, help) in keys {
            let keys: Vec<String> = k.split(' ').map(|k| format!("`{k}`")).collect();
            out.push_str(&format!(
                "| {} | {} | {help} |\n",
                layer.title(),
                keys.join(" ")
            ));
        }
    }
    out.push_str("\n| command | does |\n|---|---|\n");
    for (usage, help) in commands() {
        out.push_str(&format!("| `:{usage}` | {help} |\n"));
    }
    out
}

impl Component for HelpScreen {
    fn layer(&self) -> Layer {
        Layer::Help
    }

    fn command(&mut self, cmd: &Cmd, ctx: &mut Context) -> Option<Outcome> {
        if matches!(cmd.verb, Verb::Back | Verb::Help | Verb::Quit) {
            return Outcome::go(Go::Main);
        }
        let lines = lines(ctx);
        self.scroller.command(cmd, ctx, lines)
    }

    fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context, _: bool) {
        let block = pane_block(
            &ctx.theme,
            "Help — keys from the live keymap · Esc back · / search".into(),
            true,
        );
        let inner = block.inner(area);
        f.render_widget(block, area);
        self.scroller.draw(f, inner, ctx, lines(ctx));
    }
}
