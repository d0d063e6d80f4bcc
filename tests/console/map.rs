//! The situational picture in TestBackend: the map (outline, incidents at
//! their cells, clusters, the selection panel, zoom and pan, the keys), the
//! map pane beside a wide feed, the sector board and the trends screen.

use crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use tandem::api::stats::{Series, SlaCompliance, Stats, StatsBy};
use tandem::console::action::{Action, ApiCall, Effect, NetEvent, Trends};
use tandem::console::app::{App, Screen, update};
use tandem::console::components::map::view::View;
use tandem::console::components::map::{MapScreen, areas};
use tandem::console::config::MapMarker;
use tandem::console::layout;
use tandem::model::*;
use tandem::reference::outlines::{LineKind, outlines};

use super::common::{render, render_buffer};
use super::fixture::*;

const ZUWARA: (f64, f64) = (32.9327858, 12.0806069);

/// The fixture with one more incident, critical and new, at Zuwara's coordinates.
fn with_zuwara(size: (u16, u16)) -> (Fixture, Incident) {
    let mut f = fixture(Role::DutyOfficer, size);
    let me = f.app.ctx.me.clone().unwrap();
    let mut z = incident(
        &me,
        9,
        "Boat leaving the beach at Zuwara",
        Severity::Critical,
        IncidentStatus::Reported,
        1,
    );
    z.location = Location {
        lat: ZUWARA.0,
        lon: ZUWARA.1,
        sector: Some("Zuwara".into()),
        crossing: None,
    };
    update(
        &mut f.app,
        Action::Net(NetEvent::Event(Box::new(event(
            101,
            EventKind::IncidentCreated,
            &z,
        )))),
    );
    // The new incident's toast would cover the top of the map.
    f.app.ctx.toasts.clear();
    (f, z)
}

fn map_of(app: &App) -> &MapScreen {
    match &app.screen {
        Screen::Map(m) => m,
        _ => panic!("the map is not open"),
    }
}

/// The map's area and where (lat, lon) falls in it, by the view the screen has.
fn cell_of(app: &App, w: u16, h: u16, lat: f64, lon: f64) -> (u16, u16) {
    let body = layout::screen(Rect::new(0, 0, w, h)).body;
    map_of(app)
        .view
        .frame(areas(body).map)
        .cell(lat, lon)
        .unwrap()
}

/// The symbols within one cell of (x, y).
fn around(buf: &ratatui::buffer::Buffer, (x, y): (u16, u16)) -> String {
    let mut s = String::new();
    for dy in [-1i32, 0, 1] {
        for dx in [-1i32, 0, 1] {
            let at = ((x as i32 + dx) as u16, (y as i32 + dy) as u16);
            if let Some(c) = buf.cell(at) {
                s.push_str(c.symbol());
            }
        }
    }
    s
}

fn is_braille(s: &str) -> bool {
    s.chars().any(|c| ('\u{2801}'..='\u{28FF}').contains(&c))
}

#[test]
fn the_map_draws_the_coast_and_an_incident_at_its_cell_at_both_sizes() {
    for (w, h) in [(80, 24), (200, 60)] {
        let (mut f, z) = with_zuwara((w, h));
        update(&mut f.app, key('v'));
        let buf = render_buffer(&f.app, w, h);
        // The coastline from Ras Ajdir to the Egyptian border, in Braille.
        let coast = &outlines()
            .lines
            .iter()
            .find(|(k, _)| *k == LineKind::Coast)
            .unwrap()
            .1;
        let samples: Vec<_> = coast.0.iter().step_by(10).collect();
        let drawn = samples
            .iter()
            .filter(|p| is_braille(&around(&buf, cell_of(&f.app, w, h, p.y, p.x))))
            .count();
        assert!(
            drawn * 10 >= samples.len() * 8,
            "{w}×{h}: coast drawn at {drawn} of {} points\n{}",
            samples.len(),
            render(&f.app, w, h).join("\n")
        );
        // The Zuwara incident: its glyph, within one cell of Zuwara's coordinates.
        let at = cell_of(&f.app, w, h, ZUWARA.0, ZUWARA.1);
        assert!(
            around(&buf, at).contains('▲'),
            "{w}×{h}: no ▲ near {at:?}: {}",
            around(&buf, at)
        );
        // Tab selects the incident nearest the cursor: Zuwara's, and the panel names it.
        update(&mut f.app, code(KeyCode::Tab));
        assert_eq!(map_of(&f.app).selected, Some(z.id));
        let s = render(&f.app, w, h).join("\n");
        assert!(s.contains("TRP-26-00009"), "{w}×{h}: {s}");
        assert!(s.contains("Boat leaving the beach"), "{w}×{h}: {s}");
        assert!(s.contains("© OpenStreetMap contributors"), "{w}×{h}: {s}");
        assert!(s.contains("Natural Earth"), "{w}×{h}: {s}");
        // The selection is shown reversed at its cell.
        let buf = render_buffer(&f.app, w, h);
        let at = cell_of(&f.app, w, h, ZUWARA.0, ZUWARA.1);
        assert!(
            buf.cell(at)
                .unwrap()
                .style()
                .add_modifier
                .contains(Modifier::REVERSED)
        );
    }
}

#[test]
fn several_incidents_in_one_cell_show_as_a_count_and_overdue_is_marked() {
    let mut f = fixture(Role::DutyOfficer, (120, 40));
    update(&mut f.app, key('v'));
    // The three open fixture incidents share 33.1°N 11.5°E (the closed one is not drawn).
    let at = cell_of(&f.app, 120, 40, 33.1, 11.5);
    let buf = render_buffer(&f.app, 120, 40);
    let cell = buf.cell(at).unwrap();
    assert_eq!(cell.symbol(), "3");
    assert!(
        cell.style().add_modifier.contains(Modifier::REVERSED),
        "one of them is overdue"
    );
    // The feed's filter applies: only the low one left, drawn as its glyph.
    colon(&mut f.app, "filter sev:low");
    update(&mut f.app, key('v'));
    let buf = render_buffer(&f.app, 120, 40);
    assert_eq!(buf.cell(at).unwrap().symbol(), "○");
}

#[test]
fn zoom_and_pan_keep_the_selection_and_triage_keys_act_on_it() {
    let (mut f, z) = with_zuwara((120, 40));
    update(&mut f.app, key('v'));
    update(&mut f.app, key('n'));
    assert_eq!(map_of(&f.app).selected, Some(z.id));
    let wide = map_of(&f.app)
        .view
        .frame(Rect::new(0, 0, 82, 36))
        .km_per_col;
    for k in ['+', '+', 'l', 'j', '-', 'h', 'k'] {
        update(&mut f.app, key(k));
        assert_eq!(map_of(&f.app).selected, Some(z.id), "after {k}");
    }
    let zoomed = map_of(&f.app)
        .view
        .frame(Rect::new(0, 0, 82, 36))
        .km_per_col;
    assert!(zoomed < wide, "{zoomed} < {wide}");
    // `c` centres on the selection: the cursor reads Zuwara's position.
    update(&mut f.app, key('c'));
    let s = render(&f.app, 120, 40).join("\n");
    assert!(s.contains("32.93°N 12.08°E ·"), "{s}");
    // `0` fits Libya again.
    update(&mut f.app, key('0'));
    assert_eq!(map_of(&f.app).view, View::fit());
    // `a` acknowledges the selection, as in the feed.
    let effects = update(&mut f.app, key('a'));
    let acked: Vec<_> = calls(&effects)
        .into_iter()
        .filter_map(|c| match c {
            ApiCall::PatchIncident { id, .. } => Some(id),
            _ => None,
        })
        .collect();
    assert_eq!(acked, [z.id]);
    // Enter opens the detail; Esc comes back to the map, selection kept.
    update(&mut f.app, code(KeyCode::Enter));
    assert!(matches!(&f.app.screen, Screen::Detail(d) if d.id == z.id));
    update(&mut f.app, code(KeyCode::Esc));
    assert_eq!(map_of(&f.app).selected, Some(z.id));
    update(&mut f.app, code(KeyCode::Esc));
    assert!(matches!(f.app.screen, Screen::Main));
}

#[test]
fn the_marker_follows_the_config_and_tiny_terminals_do_not_panic() {
    let (mut f, _) = with_zuwara((120, 40));
    f.app.ctx.map_marker = MapMarker::Dot;
    update(&mut f.app, key('v'));
    let s = render(&f.app, 120, 40).join("\n");
    assert!(!is_braille(&s), "no Braille with map_marker = dot");
    assert!(s.contains('•'), "dots instead: {s}");
    for (w, h) in [(1, 1), (10, 5), (80, 24), (81, 25), (400, 120)] {
        update(&mut f.app, Action::Resize(w, h));
        render(&f.app, w, h);
        for k in ['+', 'n', 'l', '-', 'c'] {
            update(&mut f.app, key(k));
            render(&f.app, w, h);
        }
    }
}

#[test]
fn a_wide_feed_has_the_map_beside_it_following_the_selection() {
    let (f, _) = with_zuwara((200, 50));
    let s = render(&f.app, 200, 50).join("\n");
    assert!(s.contains("Map"), "{s}");
    assert!(is_braille(&s));
    let selected = f.app.feed.visible_selection().unwrap();
    let i = f.app.ctx.incident(&selected).unwrap();
    // The pane's selection is reversed at its place.
    let buf = render_buffer(&f.app, 200, 50);
    let body = layout::screen(Rect::new(0, 0, 200, 50)).body;
    let pane = layout::main(body, layout::Pane::Feed).map.unwrap();
    let inner = Rect::new(pane.x + 1, pane.y + 1, pane.width - 2, pane.height - 2);
    let at = View::fit()
        .frame(inner)
        .cell(i.location.lat, i.location.lon)
        .unwrap();
    assert!(
        buf.cell(at)
            .unwrap()
            .style()
            .add_modifier
            .contains(Modifier::REVERSED)
    );
    // Narrower, no map pane.
    let s = render(&f.app, 160, 50).join("\n");
    assert!(!is_braille(&s), "no map below 180 columns");
}

#[test]
fn the_board_counts_each_place_and_enter_filters_the_feed_to_it() {
    let (mut f, _) = with_zuwara((120, 40));
    update(&mut f.app, key('b'));
    let s = render(&f.app, 120, 40).join("\n");
    let line = |name: &str| {
        s.lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("no {name} row: {s}"))
            .to_string()
    };
    let ras = line("Ras Ajdir ×");
    // Open: one critical (overdue), one high, one low; the closed one not counted.
    let cells: Vec<&str> = ras.split_whitespace().collect();
    assert!(ras.contains("1 OVERDUE"), "{ras}");
    assert_eq!(&cells[4..8], ["1", "1", "·", "1"], "{ras}");
    // Units based there: none on scene, three available (LBG-W's two, CUS-W's checkpoint).
    assert_eq!(&cells[10..12], ["·", "3"], "{ras}");
    let zuw = line("Zuwara  ");
    assert_eq!(
        zuw.split_whitespace().nth(2),
        Some("1"),
        "one critical: {zuw}"
    );
    assert!(!zuw.contains("OVERDUE"), "a minute old: {zuw}");
    // The pressing place first.
    let first = s.lines().position(|l| l.contains("Ras Ajdir ×")).unwrap();
    let zuwara = s.lines().position(|l| l.contains("Zuwara")).unwrap();
    assert!(first < zuwara);
    // F6 sorts by name.
    update(&mut f.app, code(KeyCode::F(6)));
    update(&mut f.app, code(KeyCode::F(6)));
    let s = render(&f.app, 120, 40).join("\n");
    assert!(s.contains("by name"), "{s}");
    let by_name = s.lines().position(|l| l.contains("Ajdabiya")).unwrap();
    assert!(by_name < s.lines().position(|l| l.contains("Zuwara")).unwrap());
    // Back to "pressing", Ras Ajdir on top: Enter shows it in the feed.
    update(&mut f.app, code(KeyCode::F(6)));
    update(&mut f.app, key('G'));
    update(&mut f.app, key('g'));
    update(&mut f.app, code(KeyCode::Enter));
    assert!(matches!(f.app.screen, Screen::Main));
    assert_eq!(f.app.feed.index.filter.source, "sector:ras_ajdir");
    assert_eq!(
        f.app.feed.index.len(),
        4,
        "every Ras Ajdir incident, closed too"
    );
}

fn stats(by: StatsBy, series: Vec<(&str, Vec<u32>)>) -> Stats {
    Stats {
        by,
        from: NOW - time::Duration::hours(72),
        to: NOW,
        bucket_seconds: 3600,
        incidents: series.iter().map(|(_, c)| c.iter().sum::<u32>()).sum(),
        series: series
            .into_iter()
            .map(|(k, counts)| Series {
                key: k.into(),
                total: counts.iter().sum(),
                counts,
            })
            .collect(),
        record_from: Some(NOW - time::Duration::days(30)),
        sla: vec![SlaCompliance {
            severity: Severity::Critical,
            met: 3,
            missed: 1,
            pending: 0,
        }],
    }
}

#[test]
fn trends_show_the_servers_figures_with_hotspots_and_sla() {
    let mut f = fixture(Role::DutyOfficer, (120, 40));
    let effects = colon(&mut f.app, "trends");
    assert!(effects.contains(&Effect::FetchTrends));
    assert!(
        render(&f.app, 120, 40)
            .join("\n")
            .contains("asking the server")
    );
    let mut fuel = vec![0; 72];
    fuel[71] = 3;
    fuel[40] = 2;
    let steady: Vec<u32> = (0..192).map(|h| u32::from(h % 6 == 0)).collect();
    let mut surge = steady.clone();
    for c in surge.iter_mut().skip(180) {
        *c = 1;
    }
    let trends = Trends {
        by_category: stats(StatsBy::Category, vec![("smuggling_fuel", fuel)]),
        by_sector: stats(StatsBy::Sector, vec![("Zuwara", surge), ("Ghat", steady)]),
    };
    update(
        &mut f.app,
        Action::Net(NetEvent::Trends(Ok(Box::new(trends)))),
    );
    let s = render(&f.app, 120, 40).join("\n");
    let line = |name: &str| {
        s.lines()
            .find(|l| l.contains(name))
            .unwrap_or("")
            .to_string()
    };
    assert!(line("fuel smuggling").contains("+50%"), "{s}");
    assert!(line("fuel smuggling").contains("3 last 24 h"), "{s}");
    assert!(s.contains("Zuwara: 14 in the last 24 h"), "{s}");
    assert!(line("Ghat").contains('['), "{s}");
    assert!(!line("Ghat").contains("HOTSPOT"), "{s}");
    assert!(line("critical").contains("75% met"), "{s}");

    // The same surge in a record that began yesterday: nothing to judge it by.
    let mut young = f.app.ctx.trends.clone().unwrap();
    young.by_sector.record_from = Some(NOW - time::Duration::hours(30));
    update(&mut f.app, Action::Net(NetEvent::Trends(Ok(young))));
    let s = render(&f.app, 120, 40).join("\n");
    assert!(!s.contains("HOTSPOT"), "{s}");
}

#[test]
fn trends_without_the_server_say_why() {
    let mut f = fixture(Role::DutyOfficer, (120, 40));
    colon(&mut f.app, "trends");
    update(
        &mut f.app,
        Action::Net(NetEvent::Trends(Err(
            "trends: the server did not answer".into()
        ))),
    );
    let s = render(&f.app, 120, 40).join("\n");
    assert!(s.contains("asking the server"), "{s}");
    assert!(s.contains("trends: the server did not answer"), "{s}");
}
