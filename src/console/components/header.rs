//! The top line: centre, officer, role, link state (and what it does not
//! cover: failing sends), seq, outbox, the record as this console checked
//! it, what needs the officer's attention, who is on duty at both centres
//! where there is room, and the clock in UTC and Libya time.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::console::action::Link;
use crate::console::context::Context;
use crate::console::fmt;

pub fn link_label(ctx: &Context) -> String {
    match &ctx.link {
        Link::Connecting => "CONNECTING".into(),
        Link::Live => "LIVE".into(),
        Link::Reconnecting { since, attempt } => format!(
            "RECONNECTING {}s (try {attempt})",
            (ctx.now - *since).whole_seconds().max(0)
        ),
        Link::Offline { since, attempt: 0 } => format!("OFFLINE since {}", fmt::hhmm(*since)),
        Link::Offline { since, attempt } => {
            format!("OFFLINE since {} (try {attempt})", fmt::hhmm(*since))
        }
        Link::TokenRefused { .. } => "TOKEN REFUSED".into(),
    }
}

/// The link state with what it does not cover: a live stream whose sends fail.
pub fn link_state(ctx: &Context) -> String {
    match (&ctx.link, &ctx.sends_failing) {
        (Link::Live, Some((since, _))) => {
            format!("LIVE · SENDS FAILING since {}", fmt::hhmm(*since))
        }
        _ => link_label(ctx),
    }
}

/// `TRP: Salem DO · Amal SUP │ BEN: Fatima DO`, then the same as counts;
/// nothing when nobody's shift is known.
pub fn on_duty(ctx: &Context) -> Vec<String> {
    if ctx.on_duty.is_empty() {
        return Vec::new();
    }
    let centres = crate::model::Centre::ALL;
    let names: Vec<String> = centres
        .iter()
        .map(|c| {
            let here: Vec<String> = ctx
                .on_duty
                .iter()
                .filter(|s| s.centre == *c)
                .map(|s| {
                    // The given name, past a rank (`Col.`, `Maj.`).
                    let first = s
                        .officer_name
                        .split_whitespace()
                        .find(|w| !w.ends_with('.'))
                        .unwrap_or("?");
                    // A shift forgotten (13 h on) says so, in words.
                    let late = if ctx.now > s.end_due_at && s.ended_at.is_none() {
                        " (end overdue)"
                    } else {
                        ""
                    };
                    format!("{} {}{late}", ctx.text(first), post(s.post))
                })
                .collect();
            let list = if here.is_empty() {
                "—".into()
            } else {
                here.join(" · ")
            };
            format!("{c}: {list}")
        })
        .collect();
    let counts: Vec<String> = centres
        .iter()
        .map(|c| {
            format!(
                "{c} {}",
                ctx.on_duty.iter().filter(|s| s.centre == *c).count()
            )
        })
        .collect();
    vec![
        format!(" {} ", names.join(" │ ")),
        format!(" on duty {} ", counts.join(" │ ")),
    ]
}

fn post(p: crate::model::Post) -> &'static str {
    match p {
        crate::model::Post::DutyOfficer => "DO",
        crate::model::Post::Supervisor => "SUP",
        crate::model::Post::LiaisonDesk => "LIA",
    }
}

pub fn draw(f: &mut Frame, ctx: &Context, area: Rect) {
    let link_style = if ctx.link_healthy() {
        ctx.theme.live
    } else {
        ctx.theme.offline
    };
    let right = format!("{} ", fmt::clock(ctx.now));
    let room = (area.width as usize).saturating_sub(right.width());
    // The link state, seq and clock always show; the rest gives way on narrow terminals.
    let troubles = match ctx.troubles() {
        0 => String::new(),
        n => format!(" · {n} CONFLICT/REFUSED"),
    };
    let expiring = match ctx.token_expires {
        Some(t) if t <= ctx.now => " · TOKEN EXPIRED".to_string(),
        Some(t) if t - ctx.now <= time::Duration::hours(1) => {
            format!(" · TOKEN EXPIRES {} (:rotate-token)", fmt::hhmm(t))
        }
        _ => String::new(),
    };
    // Outbox troubles are counted once, above.
    let attention = match ctx.attention.unseen {
        0 => String::new(),
        n => format!(" · ATTENTION {n}"),
    };
    let tail = format!(
        " · seq {} · outbox {}{troubles}{attention}{expiring} ",
        ctx.mirror.seq,
        ctx.pending()
    );
    // The record as this console could check it (a light witness), never silently.
    let record = &ctx.mirror.record;
    let (record_text, record_style) = match (record.mismatch, record.checkpoint) {
        (Some(seq), _) => (format!(" RECORD MISMATCH seq {seq} "), ctx.theme.error),
        (None, Some(seq)) => (format!(" record ✓ seq {seq} "), ctx.theme.ok),
        (None, None) => (String::new(), ctx.theme.ok),
    };
    let fixed = link_state(ctx).width() + tail.width() + record_text.width();
    let who = match &ctx.me {
        Some(me) => {
            let role = fmt::role(me.role);
            let name = ctx.text(&me.name);
            [
                format!(" TANDEM  {} · {role} {name} · ", me.centre),
                format!(" {} · {role} {name} · ", me.centre),
                format!(" {} · {name} · ", me.centre),
            ]
            .into_iter()
            .find(|w| w.width() + fixed <= room)
            .unwrap_or_else(|| format!(" {} · ", me.centre))
        }
        None => " TANDEM  signing in… · ".into(),
    };
    let mut left = vec![
        Span::raw(who),
        Span::styled(link_state(ctx), link_style),
        Span::raw(tail),
        Span::styled(record_text, record_style),
    ];
    // Who is on duty gives way first: names, else counts, else nothing.
    let used: usize = left.iter().map(|s| s.content.width()).sum();
    let spare = (area.width as usize).saturating_sub(used + right.width());
    if let Some(duty) = on_duty(ctx).into_iter().find(|d| d.width() < spare) {
        left.push(Span::raw(duty));
    }
    let used: usize = left.iter().map(|s| s.content.width()).sum();
    let gap = (area.width as usize).saturating_sub(used + right.width());
    let mut spans = left;
    spans.push(Span::raw(" ".repeat(gap)));
    spans.push(Span::raw(right));
    f.render_widget(
        Paragraph::new(Line::from(spans)).style(ctx.theme.header),
        area,
    );
}
