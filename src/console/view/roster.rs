//! The agency roster: unit counts by status; Enter drills into one agency's units.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{fit, pad};
use crate::console::state::{App, Pane};
use crate::model::{Region, UnitStatus};

fn region_letter(r: Region) -> &'static str {
    match r {
        Region::East => "E",
        Region::West => "W",
        Region::South => "S",
        Region::National => "N",
    }
}

fn status_short(s: UnitStatus) -> &'static str {
    match s {
        UnitStatus::Available => "avail",
        UnitStatus::Assigned => "assigned",
        UnitStatus::EnRoute => "en route",
        UnitStatus::OnScene => "on scene",
        UnitStatus::Returning => "returning",
        UnitStatus::OutOfService => "out of svc",
        UnitStatus::OffDuty => "off duty",
    }
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let focused = app.pane == Pane::Roster;
    match app.roster_agency.and_then(|a| app.mirror.agencies.get(&a)) {
        Some(agency) => {
            let mut units: Vec<_> = app
                .mirror
                .units
                .values()
                .filter(|u| u.agency_id == agency.id)
                .collect();
            units.sort_by(|a, b| a.callsign.cmp(&b.callsign));
            let block = super::pane_block(
                app,
                format!("{} units — {} (Esc back)", agency.code, agency.name),
                focused,
            );
            let inner = block.inner(area);
            f.render_widget(block, area);
            let w = inner.width as usize;
            let skip = app
                .roster_selected
                .saturating_sub(inner.height.saturating_sub(1) as usize);
            let lines: Vec<Line> = units
                .iter()
                .enumerate()
                .skip(skip)
                .take(inner.height as usize)
                .map(|(n, u)| {
                    let style = if focused && n == app.roster_selected {
                        app.theme.selected
                    } else {
                        Default::default()
                    };
                    let text = format!(
                        "{} {} {} {}",
                        pad(&u.callsign, 11),
                        pad(status_short(u.status), 10),
                        pad(&u.capability.to_string(), 12),
                        u.home_sector
                    );
                    Line::from(Span::styled(pad(&text, w), style))
                })
                .collect();
            f.render_widget(Paragraph::new(lines), inner);
        }
        None => {
            let block = super::pane_block(app, "Agency roster".into(), focused);
            let inner = block.inner(area);
            f.render_widget(block, area);
            let w = inner.width as usize;
            let agencies = app.agencies();
            let skip = app
                .roster_selected
                .saturating_sub(inner.height.saturating_sub(1) as usize);
            let lines: Vec<Line> = agencies
                .iter()
                .enumerate()
                .skip(skip)
                .take(inner.height as usize)
                .map(|(n, a)| {
                    let mut counts = [0usize; 7];
                    for u in app.mirror.units.values().filter(|u| u.agency_id == a.id) {
                        counts[UnitStatus::ALL
                            .iter()
                            .position(|s| *s == u.status)
                            .unwrap_or(0)] += 1;
                    }
                    let summary = UnitStatus::ALL
                        .iter()
                        .zip(counts)
                        .filter(|(_, c)| *c > 0)
                        .map(|(s, c)| format!("{c} {}", status_short(*s)))
                        .collect::<Vec<_>>()
                        .join(" · ");
                    let style = if focused && n == app.roster_selected {
                        app.theme.selected
                    } else {
                        Default::default()
                    };
                    let name = format!("{} ({})", a.code, region_letter(a.region));
                    Line::from(Span::styled(
                        pad(
                            &format!("{} {}", pad(&name, 14), fit(&summary, w.saturating_sub(15))),
                            w,
                        ),
                        style,
                    ))
                })
                .collect();
            f.render_widget(Paragraph::new(lines), inner);
        }
    }
}
