//! The top line: centre, officer, role, link state, seq, outbox, clocks.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use time::{OffsetDateTime, UtcOffset};
use unicode_width::UnicodeWidthStr;

use crate::console::action::Link;
use crate::console::state::App;

/// Libya keeps UTC+2 all year (Africa/Tripoli has had no DST since 2013).
const LIBYA: UtcOffset = match UtcOffset::from_hms(2, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

pub fn clock(now: OffsetDateTime) -> String {
    let utc = now.to_offset(UtcOffset::UTC);
    let lyt = now.to_offset(LIBYA);
    format!(
        "{:02}:{:02}:{:02}Z  {:02}:{:02} LYT",
        utc.hour(),
        utc.minute(),
        utc.second(),
        lyt.hour(),
        lyt.minute()
    )
}

pub fn hhmm(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!("{:02}:{:02}Z", t.hour(), t.minute())
}

pub fn link_label(app: &App) -> String {
    match &app.link {
        Link::Connecting => "CONNECTING".into(),
        Link::Live => "LIVE".into(),
        Link::Reconnecting { since, attempt } => {
            format!(
                "RECONNECTING {}s (try {attempt})",
                (app.now - *since).whole_seconds().max(0)
            )
        }
        Link::Offline { since, attempt: 0 } => format!("OFFLINE since {}", hhmm(*since)),
        Link::Offline { since, attempt } => {
            format!("OFFLINE since {} (try {attempt})", hhmm(*since))
        }
        Link::TokenRefused { .. } => "TOKEN REFUSED".into(),
    }
}

/// The link state with what it does not cover: a live stream whose sends fail.
pub fn link_state(app: &App) -> String {
    match (&app.link, &app.sends_failing) {
        (Link::Live, Some((since, _))) => format!("LIVE · SENDS FAILING since {}", hhmm(*since)),
        _ => link_label(app),
    }
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let link_style = if app.link_healthy() {
        app.theme.live
    } else {
        app.theme.offline
    };
    let right = format!("{} ", clock(app.now));
    let room = (area.width as usize).saturating_sub(right.width());
    // The link state, seq and clock always show; the rest gives way on narrow terminals.
    let troubles = match app.troubles() {
        0 => String::new(),
        n => format!(" · {n} CONFLICT/REFUSED"),
    };
    let tail = format!(
        " · seq {} · outbox {}{troubles} ",
        app.mirror.seq,
        app.pending()
    );
    let fixed = link_state(app).width() + tail.width();
    let who = match &app.me {
        Some(me) => [
            format!(
                " TANDEM  {} · {} {} · ",
                me.centre,
                role_title(me.role),
                me.name
            ),
            format!(" {} · {} {} · ", me.centre, role_title(me.role), me.name),
            format!(" {} · {} · ", me.centre, me.name),
        ]
        .into_iter()
        .find(|w| w.width() + fixed <= room)
        .unwrap_or_else(|| format!(" {} · ", me.centre)),
        None => " TANDEM  signing in… · ".into(),
    };
    let left = vec![
        Span::raw(who),
        Span::styled(link_state(app), link_style),
        Span::raw(tail),
    ];
    let used: usize = left.iter().map(|s| s.content.width()).sum();
    let gap = (area.width as usize).saturating_sub(used + right.width());
    let mut spans = left;
    spans.push(Span::raw(" ".repeat(gap)));
    spans.push(Span::raw(right));
    f.render_widget(
        Paragraph::new(Line::from(spans)).style(app.theme.header),
        area,
    );
}

fn role_title(r: crate::model::Role) -> &'static str {
    use crate::model::Role::*;
    match r {
        Observer => "Observer",
        DutyOfficer => "Duty officer",
        Supervisor => "Supervisor",
        Liaison => "Liaison",
        System => "System",
    }
}
