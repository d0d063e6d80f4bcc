//! The shift report as text: Markdown to read or print, CSV for a
//! spreadsheet (one section per table, `section,key,value…` rows).

use super::report::ShiftReport;

pub fn markdown(r: &ShiftReport) -> String {
    let mut out = String::new();
    let t = |x: time::OffsetDateTime| {
        x.replace_nanosecond(0)
            .unwrap_or(x)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    out.push_str(&format!(
        "# Shift report — {} ({})\n\n{} to {}\n\n",
        r.centre.name(),
        r.centre,
        t(r.from),
        t(r.to)
    ));
    out.push_str(&format!("## New incidents: {}\n\n", r.new_incidents));
    let s = r.by_severity;
    out.push_str(&format!(
        "| critical | high | medium | low |\n|---:|---:|---:|---:|\n| {} | {} | {} | {} |\n\n",
        s.critical, s.high, s.medium, s.low
    ));
    table(&mut out, "By category", "category", r.by_category.iter());
    table(&mut out, "By sector", "sector", r.by_sector.iter());
    out.push_str("## Triage SLA (acknowledged in time)\n\n| severity | incidents | in time | % |\n|---|---:|---:|---:|\n");
    for l in &r.sla {
        out.push_str(&format!(
            "| {} | {} | {} | {:.1} |\n",
            l.severity, l.incidents, l.acknowledged_in_time, l.percent
        ));
    }
    out.push_str(&format!("\n## Still open: {}\n\n", r.still_open.len()));
    if !r.still_open.is_empty() {
        out.push_str(
            "| reference | severity | status | age (h) | title |\n|---|---|---|---:|---|\n",
        );
        for o in &r.still_open {
            out.push_str(&format!(
                "| {} | {}{} | {} | {:.1} | {} |\n",
                o.reference,
                o.severity,
                if o.overdue { " OVERDUE" } else { "" },
                o.status,
                o.age_minutes as f64 / 60.0,
                cell(&o.title)
            ));
        }
    }
    out.push_str("\n## Tasks per agency\n\n| agency | requested | accepted | declined | overdue |\n|---|---:|---:|---:|---:|\n");
    for a in &r.tasks {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            cell(&a.agency),
            a.requested,
            a.accepted,
            a.declined,
            a.overdue
        ));
    }
    out.push_str(&format!(
        "\n## Handovers between the centres: {}\n\n",
        r.handovers.len()
    ));
    for h in &r.handovers {
        out.push_str(&format!("- {} {}\n", h.reference, cell(&h.title)));
    }
    out.push_str(
        "\n## On duty\n\n| officer | post | from | to | handover note |\n|---|---|---|---|---|\n",
    );
    for d in &r.on_duty {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            cell(&d.officer_name),
            d.post,
            t(d.started_at),
            d.ended_at.map(t).unwrap_or_else(|| "on duty".into()),
            cell(d.handover_note.as_deref().unwrap_or(""))
        ));
    }
    out
}

fn table<'a>(
    out: &mut String,
    title: &str,
    key: &str,
    rows: impl Iterator<Item = (&'a String, &'a u32)>,
) {
    out.push_str(&format!(
        "## {title}\n\n| {key} | incidents |\n|---|---:|\n"
    ));
    for (k, n) in rows {
        out.push_str(&format!("| {} | {n} |\n", cell(k)));
    }
    out.push('\n');
}

/// Text safe in a Markdown table cell: one line, no pipe.
fn cell(text: &str) -> String {
    text.replace(['\n', '\r'], " ").replace('|', "\\|")
}

pub fn csv(r: &ShiftReport) -> String {
    let mut out = String::from("section,key,value\n");
    let mut row = |section: &str, key: &str, value: String| {
        out.push_str(&format!(
            "{},{},{}\n",
            field(section),
            field(key),
            field(&value)
        ));
    };
    row("window", "centre", r.centre.to_string());
    row("window", "new_incidents", r.new_incidents.to_string());
    let s = r.by_severity;
    for (k, v) in [
        ("critical", s.critical),
        ("high", s.high),
        ("medium", s.medium),
        ("low", s.low),
    ] {
        row("severity", k, v.to_string());
    }
    for (k, v) in &r.by_category {
        row("category", k, v.to_string());
    }
    for (k, v) in &r.by_sector {
        row("sector", k, v.to_string());
    }
    for l in &r.sla {
        row(
            "sla_percent",
            l.severity.as_str(),
            format!("{:.1}", l.percent),
        );
    }
    for o in &r.still_open {
        row(
            "still_open",
            &o.reference,
            format!("{} {} {} min", o.severity, o.status, o.age_minutes),
        );
    }
    for a in &r.tasks {
        row(
            "tasks",
            &a.agency,
            format!(
                "{} requested, {} accepted, {} declined, {} overdue",
                a.requested, a.accepted, a.declined, a.overdue
            ),
        );
    }
    for h in &r.handovers {
        row("handover", &h.reference, h.title.clone());
    }
    for d in &r.on_duty {
        row(
            "on_duty",
            &d.officer_name,
            d.handover_note.clone().unwrap_or_default(),
        );
    }
    out
}

/// RFC 4180: quoted when it holds a comma, a quote or a line break; a
/// leading `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet does
/// not run it as a formula.
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}
