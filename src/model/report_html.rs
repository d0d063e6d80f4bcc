//! The shift report as one self-contained, printable HTML file: the tables
//! of the Markdown report, and two charts drawn as inline SVG by plotters —
//! new incidents per hour (or day) stacked by severity, and by sector.
//! Nothing is fetched: no script, no font, no stylesheet outside the file.

use plotters::prelude::*;

use super::Severity;
use super::report::ShiftReport;

const WIDTH: u32 = 900;
const HEIGHT: u32 = 320;

/// Severities bottom to top, with their colour; the legend names each, so
/// colour is never the only signal.
const STACK: [(Severity, RGBColor); 4] = [
    (Severity::Low, RGBColor(120, 160, 120)),
    (Severity::Medium, RGBColor(220, 180, 60)),
    (Severity::High, RGBColor(230, 120, 40)),
    (Severity::Critical, RGBColor(190, 30, 30)),
];

pub fn html(r: &ShiftReport) -> String {
    let t = |x: time::OffsetDateTime| {
        x.replace_nanosecond(0)
            .unwrap_or(x)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let title = format!("Shift report — {} ({})", r.centre.name(), r.centre);
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>{CSS}</style></head><body>\n<h1>{}</h1>\n<p>{} to {}</p>\n",
        esc(&title),
        esc(&title),
        t(r.from),
        t(r.to)
    );
    let s = r.by_severity;
    out.push_str(&format!(
        "<h2>New incidents: {}</h2>\n<table><tr><th>critical</th><th>high</th><th>medium</th><th>low</th></tr><tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr></table>\n",
        r.new_incidents, s.critical, s.high, s.medium, s.low
    ));
    let per = if r.bucket_minutes >= 1440 {
        "day"
    } else {
        "hour"
    };
    out.push_str(&format!(
        "<h2>New incidents per {per}, by severity</h2>\n<figure>{}</figure>\n",
        per_bucket_chart(r)
    ));
    out.push_str(&format!(
        "<h2>New incidents by sector</h2>\n<figure>{}</figure>\n",
        sector_chart(r)
    ));
    table(&mut out, "By category", &["category", "incidents"], {
        r.by_category
            .iter()
            .map(|(k, v)| vec![k.clone(), v.to_string()])
            .collect()
    });
    table(
        &mut out,
        "Triage SLA (acknowledged in time)",
        &["severity", "incidents", "in time", "%"],
        r.sla
            .iter()
            .map(|l| {
                vec![
                    l.severity.to_string(),
                    l.incidents.to_string(),
                    l.acknowledged_in_time.to_string(),
                    format!("{:.1}", l.percent),
                ]
            })
            .collect(),
    );
    let open = |list: &[super::shift::OpenIncident]| -> Vec<Vec<String>> {
        list.iter()
            .map(|o| {
                let flag = if o.overdue { " OVERDUE" } else { "" };
                vec![
                    o.reference.clone(),
                    format!("{}{flag}", o.severity),
                    o.status.to_string(),
                    format!("{:.1}", o.age_minutes as f64 / 60.0),
                    o.title.clone(),
                ]
            })
            .collect()
    };
    let columns = ["reference", "severity", "status", "age (h)", "title"];
    table(
        &mut out,
        &format!("Still open: {}", r.still_open.len()),
        &columns,
        open(&r.still_open),
    );
    table(
        &mut out,
        "Tasks per agency",
        &["agency", "requested", "accepted", "declined", "overdue"],
        r.tasks
            .iter()
            .map(|a| {
                vec![
                    a.agency.clone(),
                    a.requested.to_string(),
                    a.accepted.to_string(),
                    a.declined.to_string(),
                    a.overdue.to_string(),
                ]
            })
            .collect(),
    );
    table(
        &mut out,
        "Handovers between the centres",
        &columns,
        open(&r.handovers),
    );
    table(
        &mut out,
        "Officers on duty",
        &["officer", "post", "from", "to", "handover note"],
        r.on_duty
            .iter()
            .map(|d| {
                vec![
                    d.officer_name.clone(),
                    d.post.as_str().replace('_', " "),
                    t(d.started_at),
                    d.ended_at.map(t).unwrap_or_else(|| "on duty".into()),
                    d.handover_note.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    );
    out.push_str("</body></html>\n");
    out
}

const CSS: &str = "body{font-family:sans-serif;margin:2em;color:#111}\
table{border-collapse:collapse;margin:0 0 1.5em}\
th,td{border:1px solid #999;padding:2px 8px;text-align:left}\
td:dir(rtl){text-align:right}\
figure{margin:0 0 1.5em}\
@media print{body{margin:0}h2{break-after:avoid}table,figure{break-inside:avoid}}";

fn table(out: &mut String, title: &str, columns: &[&str], rows: Vec<Vec<String>>) {
    out.push_str(&format!("<h2>{}</h2>\n", esc(title)));
    if rows.is_empty() {
        out.push_str("<p>none</p>\n");
        return;
    }
    out.push_str("<table><tr>");
    for c in columns {
        out.push_str(&format!("<th>{}</th>", esc(c)));
    }
    out.push_str("</tr>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td dir=\"auto\">{}</td>", esc(&cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

/// Text as HTML character data or an attribute value.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn count(c: &super::shift::SeverityCounts, s: Severity) -> u32 {
    match s {
        Severity::Critical => c.critical,
        Severity::High => c.high,
        Severity::Medium => c.medium,
        Severity::Low => c.low,
    }
}

/// Stacked bars: one per bucket, one segment per severity.
fn per_bucket_chart(r: &ShiftReport) -> String {
    let totals: Vec<u32> = r
        .per_bucket
        .iter()
        .map(|b| STACK.iter().map(|(s, _)| count(&b.by_severity, *s)).sum())
        .collect();
    let top = totals.iter().copied().max().unwrap_or(0).max(1);
    let n = r.per_bucket.len().max(1) as u32;
    let daily = r.bucket_minutes >= 1440;
    let label = |k: &u32| {
        r.per_bucket
            .get(*k as usize)
            .map(|b| {
                if daily {
                    format!("{:02}-{:02}", b.start.month() as u8, b.start.day())
                } else {
                    format!("{:02}h", b.start.hour())
                }
            })
            .unwrap_or_default()
    };
    svg(|root| {
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d((0u32..n).into_segmented(), 0u32..top + 1)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(24.min(n as usize))
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(k) => label(k),
                _ => String::new(),
            })
            .y_desc("incidents")
            .draw()?;
        for (level, (severity, colour)) in STACK.iter().enumerate() {
            let bars = r.per_bucket.iter().enumerate().filter_map(|(k, b)| {
                let below: u32 = STACK[..level]
                    .iter()
                    .map(|(s, _)| count(&b.by_severity, *s))
                    .sum();
                let here = count(&b.by_severity, *severity);
                (here > 0).then(|| {
                    let k = k as u32;
                    Rectangle::new(
                        [
                            (SegmentValue::Exact(k), below),
                            (SegmentValue::Exact(k + 1), below + here),
                        ],
                        colour.filled(),
                    )
                })
            });
            chart
                .draw_series(bars)?
                .label(severity.as_str())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled())
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
        Ok(())
    })
}

/// One bar per sector, most incidents first.
fn sector_chart(r: &ShiftReport) -> String {
    let mut sectors: Vec<(&String, &u32)> = r.by_sector.iter().collect();
    sectors.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    sectors.truncate(20);
    let top = sectors.first().map_or(1, |s| *s.1).max(1);
    let n = sectors.len().max(1) as u32;
    svg(|root| {
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d((0u32..n).into_segmented(), 0u32..top + 1)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n as usize)
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(k) => sectors
                    .get(*k as usize)
                    .map(|s| s.0.clone())
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .y_desc("incidents")
            .draw()?;
        chart.draw_series(sectors.iter().enumerate().map(|(k, (_, v))| {
            let k = k as u32;
            Rectangle::new(
                [
                    (SegmentValue::Exact(k), 0),
                    (SegmentValue::Exact(k + 1), **v),
                ],
                RGBColor(60, 100, 170).filled(),
            )
        }))?;
        Ok(())
    })
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// Draws into an SVG document held in memory; a chart that cannot be
/// drawn says so in its place rather than failing the report.
fn svg(draw: impl FnOnce(Area<'_>) -> Result<(), Box<dyn std::error::Error + '_>>) -> String {
    let mut buf = String::new();
    let result = {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        let drawn = root
            .fill(&WHITE)
            .map_err(|e| e.to_string())
            .and_then(|()| draw(root.clone()).map_err(|e| e.to_string()));
        drawn.and_then(|()| root.present().map_err(|e| e.to_string()))
    };
    match result {
        Ok(()) => buf,
        Err(e) => format!("<p>(the chart could not be drawn: {})</p>", esc(&e)),
    }
}
