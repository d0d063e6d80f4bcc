//! One incident in full: fields, agencies, tasks, and its timeline (every
//! note and change, who and when).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use uuid::Uuid;

use super::header::hhmm;
use crate::console::state::App;
use crate::console::theme::severity_label;
use crate::model::{EntityKind, Event, EventKind, Incident, Note, Task};

pub fn draw(f: &mut Frame, app: &App, id: Uuid, scroll: u16, area: Rect) {
    let Some(i) = app.incident(&id) else {
        f.render_widget(
            Paragraph::new("this incident is no longer in view (Esc)").style(app.theme.dim),
            area,
        );
        return;
    };
    let block = super::pane_block(
        app,
        format!("{} — detail (Esc back, j/k scroll)", i.reference),
        true,
    );
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut lines = fields(app, i);
    lines.push(Line::raw(""));
    lines.push(Line::styled("Tasks", app.theme.unacked));
    let mut tasks: Vec<&Task> = app
        .tasks_of
        .get(&id)
        .into_iter()
        .flatten()
        .filter_map(|t| app.mirror.tasks.get(t).map(|b| &**b))
        .collect();
    tasks.sort_by_key(|t| t.created_at);
    if tasks.is_empty() {
        lines.push(Line::styled("  none", app.theme.dim));
    }
    for t in tasks {
        let late = if t.is_overdue(app.now) {
            "  OVERDUE"
        } else {
            ""
        };
        let reason = t
            .reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        lines.push(Line::raw(format!(
            "  {:<11} {:<9} {}{reason}{late}",
            t.status.to_string().replace('_', " "),
            app.agency_code(Some(t.agency_id)),
            t.title
        )));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Timeline", app.theme.unacked));
    match &app.detail {
        Some(d) if d.incident.id == id => lines.extend(timeline(app, &d.timeline)),
        _ => lines.push(Line::styled("  loading…", app.theme.dim)),
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        inner,
    );
}

fn fields<'a>(app: &App, i: &'a Incident) -> Vec<Line<'a>> {
    let overdue = if app.is_overdue(&i.id) {
        "  OVERDUE"
    } else {
        ""
    };
    let supporting = i
        .supporting_agency_ids
        .iter()
        .map(|a| app.agency_code(Some(*a)).to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let loc = &i.location;
    let mut out = vec![
        Line::from(vec![
            Span::styled(severity_label(i.severity), app.theme.severity(i.severity)),
            Span::styled(format!("  {}{overdue}", i.title), app.theme.unacked),
        ]),
        Line::raw(format!(
            "Status     {}{}",
            i.status,
            i.dismiss_reason
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        )),
        Line::raw(format!(
            "Category   {}      Source {}",
            i.category.to_string().replace('_', " "),
            i.source
        )),
        Line::raw(format!(
            "Centre     {}      Lead {}      Supporting {}",
            i.centre,
            app.agency_code(i.lead_agency_id),
            if supporting.is_empty() {
                "—".into()
            } else {
                supporting
            }
        )),
        Line::raw(format!(
            "Location   {:.4}, {:.4}  {}{}",
            loc.lat,
            loc.lon,
            loc.sector.as_deref().unwrap_or(""),
            loc.crossing
                .as_deref()
                .map(|c| format!(" · crossing {c}"))
                .unwrap_or_default()
        )),
        Line::raw(format!(
            "Occurred   {}   reported {} by {}",
            hhmm(i.occurred_at),
            hhmm(i.reported_at),
            app.officer_name(&i.created_by.to_string())
        )),
    ];
    if let Some(d) = i.duplicate_of.and_then(|d| app.incident(&d)) {
        out.push(Line::raw(format!("Duplicate of {}", d.reference)));
    }
    if !i.tags.is_empty() {
        out.push(Line::raw(format!("Tags       {}", i.tags.join(", "))));
    }
    if !i.description.is_empty() {
        out.push(Line::raw(""));
        out.extend(i.description.lines().map(|l| Line::raw(l.to_string())));
    }
    out
}

/// Lines describing each event; incident updates are shown as what changed.
fn timeline(app: &App, events: &[Event]) -> Vec<Line<'static>> {
    let mut previous: Option<Incident> = None;
    let mut out = Vec::new();
    for e in events {
        let who = app.officer_name(&e.actor);
        let when =
            time::OffsetDateTime::parse(&e.at, &time::format_description::well_known::Rfc3339)
                .map(hhmm)
                .unwrap_or_default();
        let what = match (e.entity, e.kind) {
            (EntityKind::Incident, kind) => {
                let Ok(now) = e.entity::<Incident>() else {
                    continue;
                };
                let text = match (&previous, kind) {
                    (Some(before), EventKind::IncidentUpdated) => changes(app, before, &now),
                    _ => format!(
                        "reported: {} {}",
                        now.severity,
                        now.category.to_string().replace('_', " ")
                    ),
                };
                previous = Some(now);
                text
            }
            (EntityKind::Note, _) => match e.entity::<Note>() {
                Ok(n) => format!("note: {}", n.text),
                Err(_) => continue,
            },
            (EntityKind::Task, kind) => match e.entity::<Task>() {
                Ok(t) => {
                    let verb = if kind == EventKind::TaskCreated {
                        "requested task"
                    } else {
                        "task now"
                    };
                    let reason = t
                        .reason
                        .as_deref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default();
                    format!(
                        "{verb} {} for {}: {}{reason}",
                        t.status.to_string().replace('_', " "),
                        app.agency_code(Some(t.agency_id)),
                        t.title
                    )
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

fn changes(app: &App, a: &Incident, b: &Incident) -> String {
    let mut parts = Vec::new();
    if a.status != b.status {
        parts.push(format!("status {} → {}", a.status, b.status));
    }
    if a.severity != b.severity {
        parts.push(format!("severity {} → {}", a.severity, b.severity));
    }
    if a.lead_agency_id != b.lead_agency_id {
        parts.push(format!(
            "lead {} → {}",
            app.agency_code(a.lead_agency_id),
            app.agency_code(b.lead_agency_id)
        ));
    }
    if a.centre != b.centre {
        parts.push(format!("handed over {} → {}", a.centre, b.centre));
    }
    if a.category != b.category {
        parts.push(format!("category {} → {}", a.category, b.category));
    }
    if a.title != b.title {
        parts.push(format!("title → {}", b.title));
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
