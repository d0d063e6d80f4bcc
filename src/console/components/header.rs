//! The top line: centre, officer, role, link state (and what it does not
//! cover: failing sends), seq, outbox, the record as this console checked
//! it, and the clock in UTC and Libya time.

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
    let tail = format!(
        " · seq {} · outbox {}{troubles}{expiring} ",
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
    let left = vec![
        Span::raw(who),
        Span::styled(link_state(ctx), link_style),
        Span::raw(tail),
        Span::styled(record_text, record_style),
    ];
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
