//! A scrolled text screen with `/` search (help, detail, messages): the
//! scroll position, the query, and which match is current.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::Outcome;
use crate::console::command::{Arg, Cmd, Verb};
use crate::console::context::{Context, Level};
use crate::console::dialogs::{Dialog, LineDialog, Purpose};
use crate::console::layout;
use crate::console::widgets::wrap::wrap;

#[derive(Debug, Default, Clone)]
pub struct Scroller {
    pub scroll: u16,
    query: Option<String>,
    /// Which match (by line) the search is on.
    at: usize,
}

fn plain(line: &Line) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

impl Scroller {
    fn hits(&self, lines: &[Line]) -> Vec<usize> {
        let Some(q) = self.query.as_deref().map(str::to_lowercase) else {
            return Vec::new();
        };
        lines
            .iter()
            .enumerate()
            .filter(|(_, l)| plain(l).to_lowercase().contains(&q))
            .map(|(n, _)| n)
            .collect()
    }

    fn go_to_hit(&mut self, lines: &[Line], ctx: &mut Context, by: isize) {
        let hits = self.hits(lines);
        if hits.is_empty() {
            if let Some(q) = &self.query {
                ctx.say(Level::Info, format!("`{q}` is not on this screen"));
            }
            return;
        }
        self.at = (self.at as isize + by).rem_euclid(hits.len() as isize) as usize;
        self.scroll = hits[self.at].min(u16::MAX as usize) as u16;
        ctx.say(
            Level::Info,
            format!("match {} of {}", self.at + 1, hits.len()),
        );
    }

    /// Scrolling and searching keys over `lines`, the screen's text, as
    /// wrapped on a full page at this terminal size.
    pub fn command(
        &mut self,
        cmd: &Cmd,
        ctx: &mut Context,
        lines: Vec<Line<'static>>,
    ) -> Option<Outcome> {
        let page = layout::page(ctx.size);
        let lines = wrap(lines, page.width as usize);
        let last = lines.len().saturating_sub(page.height as usize);
        let last = last.min(u16::MAX as usize) as u16;
        let step = page.height.saturating_sub(1).max(1);
        match cmd.verb {
            Verb::Down => self.scroll = self.scroll.saturating_add(1).min(last),
            Verb::Up => self.scroll = self.scroll.saturating_sub(1),
            Verb::PageDown => self.scroll = self.scroll.saturating_add(step).min(last),
            Verb::PageUp => self.scroll = self.scroll.saturating_sub(step),
            Verb::Top => self.scroll = 0,
            Verb::Bottom => self.scroll = last,
            Verb::Search => match &cmd.arg {
                Arg::Text(t) if !t.is_empty() => {
                    self.query = Some(t.clone());
                    self.at = 0;
                    self.go_to_hit(&lines, ctx, 0);
                }
                _ => {
                    return Outcome::dialog(Dialog::Line(LineDialog::new(Purpose::Search, "")));
                }
            },
            Verb::SearchNext => self.go_to_hit(&lines, ctx, 1),
            Verb::SearchPrev => self.go_to_hit(&lines, ctx, -1),
            _ => return None,
        }
        self.scroll = self.scroll.min(last);
        Outcome::none()
    }

    /// Draws `lines` scrolled, the matching ones marked.
    pub fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context, lines: Vec<Line<'static>>) {
        let mut lines = wrap(lines, area.width as usize);
        for n in self.hits(&lines) {
            if let Some(l) = lines.get_mut(n) {
                *l = l.clone().style(ctx.theme.marked);
            }
        }
        f.render_widget(Paragraph::new(lines).scroll((self.scroll, 0)), area);
    }
}
