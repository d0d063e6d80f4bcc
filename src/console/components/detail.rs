//! One incident in full: fields, agencies, tasks, and its timeline (every
//! note and change, who and when). Times carry the date when not today, and
//! Libya time beside UTC.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use uuid::Uuid;

use super::scroll::Scroller;
use super::{Component, Go, Outcome};
use crate::api::IncidentDetail;
use crate::console::command::{Cmd, Verb};
use crate::console::context::Context;
use crate::console::fmt;
use crate::console::keymap::Layer;
use crate::console::widgets::pane_block;
use crate::model::{EntityKind, Event, EventKind, Incident, Note, Task};

#[derive(Debug)]
pub struct DetailScreen {
    pub id: Uuid,
    /// The incident's notes and timeline, once fetched.
    pub detail: Option<IncidentDetail>,
    scroller: Scroller,
}

impl DetailScreen {
    pub fn new(id: Uuid) -> DetailScreen {
        DetailScreen {
            id,
            detail: None,
            scroller: Scroller::default(),
        }
    }

    pub fn scroll(&self) -> u16 {
        self.scroller.scroll
    }

    fn lines(&self, ctx: &Context) -> Vec<Line<'static>> {
        let Some(i) = ctx.incident(&self.id) else {
            return vec![Line::raw("this incident is no longer in view (Esc)")];
        };
        let mut lines = fields(ctx, i);
        lines.push(Line::raw(""));
        lines.push(Line::styled("Tasks", ctx.theme.unacked));
        let tasks = ctx.tasks_of(&self.id);
        if tasks.is_empty() {
            lines.push(Line::styled("  none", ctx.theme.dim));
        }
        for t in tasks {
            let late = if t.is_overdue(ctx.now) {
                "  OVERDUE"
            } else {
                ""
            };
            let reason = t
                .reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            let due = t
                .due_at
                .map(|d| format!(", due {}", fmt::when(d, ctx.now)))
                .unwrap_or_default();
            lines.push(Line::raw(format!(
                "  {} {} {}{reason}{due}{late}",
                fmt::pad(fmt::task_status(t.status), 11),
                fmt::pad(ctx.agency_code(Some(t.agency_id)), 8),
                ctx.text(&t.title)
            )));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled("Timeline", ctx.theme.unacked));
        match &self.detail {
            Some(d) if d.incident.id == self.id => lines.extend(timeline(ctx, &d.timeline)),
            _ => lines.push(Line::styled("  loading…", ctx.theme.dim)),
        }
        lines
    }
}

impl Component for DetailScreen {
    fn layer(&self) -> Layer {
        Layer::Detail
    }

    fn command(&mut self, cmd: &Cmd, ctx: &mut Context) -> Option<Outcome> {
        if cmd.verb == Verb::Back {
            return Outcome::go(Go::Main);
        }
        let lines = self.lines(ctx);
        self.scroller.command(cmd, ctx, lines)
    }

    fn draw(&self, f: &mut Frame, area: Rect, ctx: &Context, _: bool) {
        let reference = ctx
            .incident(&self.id)
            .map(|i| i.reference.clone())
            .unwrap_or_default();
        let block = pane_block(
            &ctx.theme,
            format!("{reference} — detail (Esc back · j/k scroll · / search)"),
            true,
        );
        let inner = block.inner(area);
        f.render_widget(block, area);
        if ctx.incident(&self.id).is_none() {
            f.render_widget(
                Paragraph::new("this incident is no longer in view (Esc)").style(ctx.theme.dim),
                inner,
            );
            return;
        }
        self.scroller.draw(f, inner, ctx, self.lines(ctx));
    }

    fn incident(&self) -> Option<Uuid> {
        Some(self.id)
    }
}

fn fields(ctx: &Context, i: &Incident) -> Vec<Line<'static>> {
    let overdue =
        if ctx.sla.deadline(i) < ctx.now && i.status == crate::model::IncidentStatus::Reported {
            "  OVERDUE"
        } else {
            ""
        };
    let supporting = i
        .supporting_agency_ids
        .iter()
        .map(|a| ctx.agency_code(Some(*a)).to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let loc = &i.location;
    let mut out = vec![
        Line::from(vec![
            Span::styled(
                fmt::severity_short(i.severity),
                ctx.theme.severity(i.severity),
            ),
            Span::styled(
                format!("  {}{overdue}", ctx.text(&i.title)),
                ctx.theme.unacked,
            ),
        ]),
        Line::raw(format!(
            "Status     {}{}",
            fmt::status(i.status),
            i.dismiss_reason
                .map(|r| format!(" ({})", fmt::reason(r)))
                .unwrap_or_default()
        )),
        Line::raw(format!(
            "Category   {}      Source {}",
            fmt::category(i.category),
            fmt::source(i.source)
        )),
        Line::raw(format!(
            "Centre     {}      Lead {}      Supporting {}",
            i.centre,
            ctx.agency_code(i.lead_agency_id),
            if supporting.is_empty() {
                "—".into()
            } else {
                supporting
            }
        )),
        marking(ctx, i),
        Line::raw(format!(
            "Location   {:.4}, {:.4}  {}{}",
            loc.lat,
            loc.lon,
            ctx.text(loc.sector.as_deref().unwrap_or("")),
            loc.crossing
                .as_deref()
                .map(|c| format!(" · crossing {}", ctx.text(c)))
                .unwrap_or_default()
        )),
        Line::raw(format!(
            "Occurred   {}",
            fmt::when_both(i.occurred_at, ctx.now)
        )),
        Line::raw(format!(
            "Reported   {} by {}",
            fmt::when_both(i.reported_at, ctx.now),
            ctx.officer_name(&i.created_by.to_string())
        )),
    ];
    if let Some(h) = &i.handover {
        let asked = if h.asked_by == h.from {
            "offered"
        } else {
            "requested"
        };
        let note = if h.note.is_empty() {
            String::new()
        } else {
            format!(": {}", ctx.text(&h.note))
        };
        out.push(Line::styled(
            format!(
                "HANDOVER   {} → {} {asked} by {} {}{note} — waits for {} (:accept-handover, :decline-handover REASON)",
                h.from,
                h.to,
                ctx.officer_name(&h.officer_id.to_string()),
                fmt::when(h.at, ctx.now),
                h.awaits()
            ),
            ctx.theme.unacked,
        ));
    }
    if let Some(at) = i.acknowledged_at {
        out.push(Line::raw(format!(
            "Acknowledged {}",
            fmt::when_both(at, ctx.now)
        )));
    }
    if let Some(d) = i.duplicate_of {
        let r = ctx
            .incident(&d)
            .map(|d| d.reference.clone())
            .unwrap_or_else(|| "restricted".into());
        out.push(Line::raw(format!("Duplicate of {r}")));
    }
    if !i.tags.is_empty() {
        out.push(Line::raw(format!("Tags       {}", i.tags.join(", "))));
    }
    if !i.description.is_empty() {
        out.push(Line::raw(""));
        out.extend(i.description.lines().map(|l| Line::raw(ctx.text(l))));
    }
    out
}

/// Lines describing each event; incident updates are shown as what changed.
fn timeline(ctx: &Context, events: &[Event]) -> Vec<Line<'static>> {
    let mut previous: Option<Incident> = None;
    let mut out = Vec::new();
    for e in events {
        let when =
            time::OffsetDateTime::parse(&e.at, &time::format_description::well_known::Rfc3339)
                .map(|t| fmt::when(t, ctx.now))
                .unwrap_or_default();
        let mut who = ctx.officer_at(&e.actor);
        let what = match (e.entity, e.kind) {
            (EntityKind::Incident, kind) => {
                let Ok(now) = e.entity::<Incident>() else {
                    continue;
                };
                let text = match (&previous, kind) {
                    (Some(before), EventKind::IncidentUpdated) => changes(ctx, before, &now),
                    _ => {
                        // The report is the reporter's, whoever entered it.
                        let reporter = ctx.officer_at(&now.created_by.to_string());
                        if reporter != who {
                            who = format!("{reporter} (entered by {who})");
                        }
                        format!(
                            "reported: {} {}",
                            fmt::severity(now.severity),
                            fmt::category(now.category)
                        )
                    }
                };
                previous = Some(now);
                text
            }
            (EntityKind::Note, _) => match e.entity::<Note>() {
                Ok(n) => format!("note: {}", ctx.text(&n.text)),
                Err(_) => continue,
            },
            (EntityKind::Task, kind) => match e.entity::<Task>() {
                Ok(t) => {
                    let agency = ctx.agency_code(Some(t.agency_id)).to_string();
                    let reason = t
                        .reason
                        .as_deref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default();
                    if kind == EventKind::TaskCreated {
                        format!("asked {agency} for a task: {}", ctx.text(&t.title))
                    } else {
                        format!(
                            "task of {agency} now {}: {}{reason}",
                            fmt::task_status(t.status),
                            ctx.text(&t.title)
                        )
                    }
                }
                Err(_) => continue,
            },
            _ => continue,
        };
        for (n, line) in what.lines().enumerate() {
            let prefix = if n == 0 {
                format!("  {when}  {who}: ")
            } else {
                "      ".to_string()
            };
            out.push(Line::raw(format!("{prefix}{line}")));
        }
    }
    out
}

/// `Marking    TLP:AMBER  shared with ISA, GACS`, in the marking's colour.
fn marking(ctx: &Context, i: &Incident) -> Line<'static> {
    let shared: Vec<String> = i
        .shared_with
        .iter()
        .map(|id| match ctx.mirror.agencies.get(id) {
            Some(a) => a.code.clone(),
            None => ctx.officer_name(&id.to_string()),
        })
        .collect();
    let mut spans = vec![
        Span::raw("Marking    "),
        Span::styled(i.tlp.label(), ctx.theme.tlp(i.tlp)),
    ];
    if !shared.is_empty() {
        spans.push(Span::raw(format!("  shared with {}", shared.join(", "))));
    }
    Line::from(spans)
}

fn changes(ctx: &Context, a: &Incident, b: &Incident) -> String {
    let mut parts = Vec::new();
    if a.tlp != b.tlp || a.shared_with != b.shared_with {
        parts.push(format!("marking {} → {}", a.tlp.label(), b.tlp.label()));
    }
    if a.status != b.status {
        parts.push(format!(
            "status {} → {}",
            fmt::status(a.status),
            fmt::status(b.status)
        ));
    }
    if a.severity != b.severity {
        parts.push(format!(
            "severity {} → {}",
            fmt::severity(a.severity),
            fmt::severity(b.severity)
        ));
    }
    if a.lead_agency_id != b.lead_agency_id {
        parts.push(format!(
            "lead {} → {}",
            ctx.agency_code(a.lead_agency_id),
            ctx.agency_code(b.lead_agency_id)
        ));
    }
    if a.centre != b.centre {
        parts.push(format!("handed over {} → {}", a.centre, b.centre));
    }
    if a.category != b.category {
        parts.push(format!(
            "category {} → {}",
            fmt::category(a.category),
            fmt::category(b.category)
        ));
    }
    if a.title != b.title {
        parts.push(format!("title → {}", ctx.text(&b.title)));
    }
    if a.location != b.location {
        parts.push("location changed".into());
    }
    if a.description != b.description {
        parts.push("description changed".into());
    }
    if parts.is_empty() {
        parts.push("updated".into());
    }
    parts.join(", ")
}
