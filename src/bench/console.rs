//! The console with 100k incidents and 200k tasks in its state: frame time,
//! event apply time, re-filter time, memory.

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::value::RawValue;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{ms, percentile, reset_peak_rss, rss_mib};
use crate::api::Snapshot;
use crate::console::action::{Action, Link, NetEvent};
use crate::console::app::{App, update};
use crate::console::config::{Bidi, Config};
use crate::console::keymap::Keymap;
use crate::console::{app::sync, view};
use crate::demo::rng::Rng;
use crate::model::{
    Centre, EntityKind, Event, EventKind, Incident, Officer, Priority, Role, Severity, Task,
    TaskStatus,
};
use crate::reference::Seed;

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

pub fn console(incidents: usize, tasks_per_incident: usize) -> anyhow::Result<String> {
    let now = OffsetDateTime::now_utc();
    let me = Officer {
        id: Uuid::now_v7(),
        name: "Bench".into(),
        role: Role::DutyOfficer,
        centre: Centre::Trp,
        agency_id: None,
    };
    let seed = Seed::embedded();
    let (agencies, units): (Vec<_>, Vec<_>) = seed.records(now)?.into_iter().unzip();
    let mut rng = Rng::new(7);
    let mut snap = Snapshot {
        seq: 1,
        head_hash: None,
        agencies: agencies.clone(),
        units: units.into_iter().flatten().collect(),
        officers: vec![me.clone()],
        ..Default::default()
    };
    for n in 0..incidents {
        let r = crate::demo::scenario::report(&seed.place, &mut rng);
        let new = crate::api::NewIncident {
            tlp: Default::default(),
            shared_with: Vec::new(),
            title: r.title,
            category: r.category,
            severity: r.severity,
            // Spread around the place (±0.5°), as reports are.
            location: crate::model::Location {
                lat: r.place.lat + (rng.below(1000) as f64 - 500.0) / 1000.0,
                lon: r.place.lon + (rng.below(1000) as f64 - 500.0) / 1000.0,
                sector: Some(r.place.name.clone()),
                crossing: None,
            },
            description: r.description,
            source: Some(r.source),
            occurred_at: None,
            centre: Some(r.place.centre),
            lead_agency_id: None,
            supporting_agency_ids: vec![],
            tags: vec![],
        };
        let reported = now - time::Duration::seconds(rng.below(72 * 3600) as i64);
        let inc = new.into_incident(
            &me,
            Uuid::now_v7(),
            format!("TRP-26-{:06}", n + 1),
            reported,
        )?;
        for _ in 0..tasks_per_incident {
            snap.tasks.push(Task {
                tlp: Default::default(),
                shared_with: Vec::new(),
                id: Uuid::now_v7(),
                incident_id: inc.id,
                agency_id: agencies[rng.below(agencies.len())].id,
                unit_id: None,
                title: "Send a patrol to verify the report".into(),
                priority: Priority::Normal,
                due_at: Some(now + time::Duration::minutes(30)),
                status: TaskStatus::Requested,
                reason: None,
                version: 1,
                created_by: me.id,
                created_at: now,
                updated_at: now,
            });
        }
        snap.incidents.push(inc);
    }
    let ids: Vec<Uuid> = snap.incidents.iter().map(|i| i.id).collect();
    let mut app = App::new(
        &Config::default(),
        Keymap::new(&Default::default()).map_err(anyhow::Error::msg)?,
        seed.place.clone(),
        now,
    );
    // Arabic reshaped and reordered by the console: the dearer of the two modes.
    app.ctx.bidi = Bidi::Console;
    update(&mut app, Action::Resize(200, 60));
    update(&mut app, Action::Net(NetEvent::Me(me.clone())));
    update(&mut app, Action::Net(NetEvent::Link(Link::Live)));
    let (rss_snapshot, _) = rss_mib();
    reset_peak_rss();
    let t0 = Instant::now();
    update(&mut app, Action::Net(NetEvent::Snapshot(Box::new(snap))));
    let load = t0.elapsed();
    // As the engine does after every snapshot.
    crate::console::memory::release_free();
    let (rss, load_peak) = rss_mib();

    // Frames.
    let mut terminal = Terminal::new(TestBackend::new(200, 60))?;
    let mut frames = Vec::new();
    for i in 0..300 {
        if i % 3 == 0 {
            update(
                &mut app,
                Action::Key(crossterm::event::KeyEvent::from(
                    crossterm::event::KeyCode::Char('j'),
                )),
            );
        }
        let t = Instant::now();
        terminal.draw(|f| view::draw(f, &app))?;
        frames.push(t.elapsed());
    }
    frames.sort();
    // The tasks pane listing every open task (200k of them here).
    app.tasks.all = true;
    let mut all_frames = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        terminal.draw(|f| view::draw(f, &app))?;
        all_frames.push(t.elapsed());
    }
    app.tasks.all = false;
    all_frames.sort();
    // The map screen: all of Libya, then zoomed and panned around.
    let key = |c: char| {
        Action::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char(c),
        ))
    };
    update(&mut app, key('v'));
    let mut map_frames = Vec::new();
    for i in 0..300 {
        if i % 3 == 0 {
            update(&mut app, key(['+', 'l', 'j', '-', 'h', 'k'][(i / 3) % 6]));
        }
        let t = Instant::now();
        terminal.draw(|f| view::draw(f, &app))?;
        map_frames.push(t.elapsed());
    }
    map_frames.sort();
    update(&mut app, key('v'));
    // The sector board: every incident counted into its place's row.
    update(&mut app, key('b'));
    let mut board_frames = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        terminal.draw(|f| view::draw(f, &app))?;
        board_frames.push(t.elapsed());
    }
    board_frames.sort();
    update(&mut app, key('b'));

    // Events: severity changes of random incidents, prepared before timing.
    let mut events = Vec::new();
    let first = app.ctx.mirror.seq + 1;
    for seq in first..first + 20_000 {
        let id = ids[rng.below(ids.len())];
        let mut inc: Incident = (*app.ctx.mirror.incidents[&id]).clone();
        inc.severity = Severity::ALL[rng.below(4)];
        inc.version += 1;
        events.push(Event {
            seq,
            at: String::new(),
            actor: me.id.to_string(),
            kind: EventKind::IncidentUpdated,
            entity: EntityKind::Incident,
            entity_id: id,
            version: inc.version,
            data: RawValue::from_string(serde_json::to_string(&inc)?)?,
            prev_hash: String::new(),
            hash: String::new(),
        });
        // Keep the prepared copies current so versions stay consistent.
        app.ctx.mirror.incidents.insert(id, Box::new(inc));
    }
    let mut applies = Vec::with_capacity(events.len());
    for e in events {
        let t = Instant::now();
        sync::apply_event(&mut app, &e);
        applies.push(t.elapsed());
    }
    applies.sort();

    let mut filters = Vec::new();
    let mut each = Vec::new();
    for f in [
        "sev>=high",
        "fuel",
        "status:reported cat:smuggling_fuel",
        "Zuwara sev>=medium",
        "زوارة",
        "",
    ] {
        let t = Instant::now();
        let _ = app.feed.set_filter(f, &app.ctx);
        filters.push(t.elapsed());
        each.push(format!("`{f}` {}", ms(t.elapsed())));
    }
    filters.sort();
    let (rss_after, peak) = rss_mib();
    Ok(format!(
        "console: {incidents} incidents + {} tasks in state (snapshot applied in {} ms); 200x60 frame (feed, roster, tasks, map pane) median {} (p99 {}), {} with all open tasks listed; \
         map screen 200x60 frame median {} (p99 {}); sector board frame median {}; \
         one event applied median {} (p99 {}); re-filter median {} (max {}; {}); RSS {rss_snapshot:.0} MiB holding the decoded snapshot, peak {load_peak:.0} MiB while building the state from it, {rss:.0} MiB after load, {rss_after:.0} MiB at end, peak {peak:.0} MiB",
        incidents * tasks_per_incident,
        load.as_millis(),
        ms(percentile(&frames, 0.5)),
        ms(percentile(&frames, 0.99)),
        ms(percentile(&all_frames, 0.5)),
        ms(percentile(&map_frames, 0.5)),
        ms(percentile(&map_frames, 0.99)),
        ms(percentile(&board_frames, 0.5)),
        us(percentile(&applies, 0.5)),
        us(percentile(&applies, 0.99)),
        ms(percentile(&filters, 0.5)),
        ms(*filters.last().unwrap_or(&Duration::ZERO)),
        each.join(", "),
    ))
}
