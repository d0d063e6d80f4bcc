//! The shift report: what happened at one centre between two instants —
//! counts by category, severity and sector, the new incidents, what is still
//! open and for how long, triage SLA compliance by severity, tasks per
//! agency, handovers between the centres, who was on duty and the handover
//! notes. Built from plain lists, so the server and the tests compute it the
//! same way.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::shift::{OpenIncident, SeverityCounts};
use super::{Agency, Centre, Incident, Post, Severity, Shift, Sla, Task, TaskStatus};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ShiftReport {
    pub centre: Centre,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub from: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub to: OffsetDateTime,
    /// Incidents of the centre reported in the window.
    pub new_incidents: u32,
    pub by_category: BTreeMap<String, u32>,
    pub by_severity: SeverityCounts,
    /// By sector (`—` for none).
    pub by_sector: BTreeMap<String, u32>,
    /// Open now, most severe and oldest first (at most 200).
    pub still_open: Vec<OpenIncident>,
    /// Acknowledged within the triage SLA, per severity, of those reported in the window.
    pub sla: Vec<SlaLine>,
    /// Tasks asked in the window, per agency.
    pub tasks: Vec<AgencyTasks>,
    /// Incidents handed over between the centres in the window, or waiting
    /// on a handover asked in it.
    pub handovers: Vec<OpenIncident>,
    /// Shifts of the centre overlapping the window.
    pub on_duty: Vec<OnDuty>,
    /// The width of each bucket of `per_bucket`: an hour, or a day over four days.
    #[serde(default)]
    pub bucket_minutes: u32,
    /// New incidents per bucket from `from`, by severity (for the charts).
    #[serde(default)]
    pub per_bucket: Vec<Bucket>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Bucket {
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub start: OffsetDateTime,
    pub by_severity: SeverityCounts,
}

/// Hourly buckets up to four days, daily beyond; never more than this many.
const BUCKETS_MAX: i64 = 400;

/// The buckets of `[from, to)`: their width in minutes and their starts.
fn buckets(from: OffsetDateTime, to: OffsetDateTime) -> (u32, Vec<Bucket>) {
    let span = (to - from).whole_minutes().max(0);
    let width: i64 = if span <= 96 * 60 { 60 } else { 1440 };
    let n = ((span + width - 1) / width).clamp(0, BUCKETS_MAX);
    let list = (0..n)
        .map(|k| Bucket {
            start: from + time::Duration::minutes(k * width),
            by_severity: SeverityCounts::default(),
        })
        .collect();
    (width as u32, list)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SlaLine {
    pub severity: Severity,
    pub incidents: u32,
    pub acknowledged_in_time: u32,
    /// 100 when there were none.
    pub percent: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AgencyTasks {
    pub agency_id: Uuid,
    pub agency: String,
    pub requested: u32,
    pub accepted: u32,
    pub declined: u32,
    pub overdue: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OnDuty {
    pub officer_name: String,
    pub post: Post,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<OffsetDateTime>,
    pub handover_note: Option<String>,
}

/// Most open incidents listed one by one.
const OPEN_LISTED: usize = 200;

/// The report of `centre` over `[from, to)`, from the centre's incidents
/// (those of the window and those open now), the tasks asked of them, the
/// centre's shifts and the agencies (for their codes).
pub struct Inputs<'a> {
    pub centre: Centre,
    pub from: OffsetDateTime,
    pub to: OffsetDateTime,
    pub now: OffsetDateTime,
    pub incidents: &'a [Incident],
    pub tasks: &'a [Task],
    pub shifts: &'a [Shift],
    pub agencies: &'a [Agency],
    pub sla: Sla,
}

pub fn build(i: Inputs<'_>) -> ShiftReport {
    let in_window = |t: OffsetDateTime| t >= i.from && t < i.to;
    let ours = || i.incidents.iter().filter(|x| x.centre == i.centre);
    let mut r = ShiftReport {
        centre: i.centre,
        from: i.from,
        to: i.to,
        new_incidents: 0,
        by_category: BTreeMap::new(),
        by_severity: SeverityCounts::default(),
        by_sector: BTreeMap::new(),
        still_open: Vec::new(),
        sla: Vec::new(),
        tasks: Vec::new(),
        handovers: Vec::new(),
        on_duty: Vec::new(),
        bucket_minutes: 0,
        per_bucket: Vec::new(),
    };
    (r.bucket_minutes, r.per_bucket) = buckets(i.from, i.to);
    let width = i64::from(r.bucket_minutes.max(1));
    let mut sla: BTreeMap<Severity, (u32, u32)> = BTreeMap::new();
    for x in ours().filter(|x| in_window(x.reported_at)) {
        r.new_incidents += 1;
        *r.by_category.entry(x.category.as_str().into()).or_default() += 1;
        r.by_severity.add(x.severity);
        let k = (x.reported_at - i.from).whole_minutes() / width;
        if let Some(b) = usize::try_from(k)
            .ok()
            .and_then(|k| r.per_bucket.get_mut(k))
        {
            b.by_severity.add(x.severity);
        }
        let sector = x.location.sector.clone().unwrap_or_else(|| "—".into());
        *r.by_sector.entry(sector).or_default() += 1;
        let line = sla.entry(x.severity).or_default();
        line.0 += 1;
        let deadline = i.sla.deadline(x);
        if x.acknowledged_at.is_some_and(|a| a <= deadline) {
            line.1 += 1;
        }
    }
    r.sla = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ]
    .into_iter()
    .map(|s| {
        let (n, ok) = sla.get(&s).copied().unwrap_or((0, 0));
        let percent = if n == 0 {
            100.0
        } else {
            f64::from(ok) * 100.0 / f64::from(n)
        };
        SlaLine {
            severity: s,
            incidents: n,
            acknowledged_in_time: ok,
            percent: (percent * 10.0).round() / 10.0,
        }
    })
    .collect();
    let item = |x: &Incident| OpenIncident {
        id: x.id,
        reference: x.reference.clone(),
        title: x.title.clone(),
        severity: x.severity,
        status: x.status,
        age_minutes: (i.now - x.reported_at).whole_minutes(),
        overdue: i.sla.is_overdue(x, i.now),
        last_note: None,
    };
    let mut open: Vec<OpenIncident> = ours().filter(|x| x.status.is_open()).map(item).collect();
    open.sort_by_key(|o| {
        (
            std::cmp::Reverse(o.severity),
            std::cmp::Reverse(o.age_minutes),
        )
    });
    open.truncate(OPEN_LISTED);
    r.still_open = open;
    r.handovers = i
        .incidents
        .iter()
        .filter(|x| {
            let ours = |from: Centre, to: Centre| from == i.centre || to == i.centre;
            let waiting = x
                .handover
                .as_ref()
                .is_some_and(|h| ours(h.from, h.to) && in_window(h.at));
            let done = x
                .handed_over
                .as_ref()
                .is_some_and(|h| ours(h.from, h.to) && in_window(h.at));
            waiting || done
        })
        .map(item)
        .collect();
    let mine: std::collections::HashSet<Uuid> = ours().map(|x| x.id).collect();
    let mut per_agency: BTreeMap<Uuid, AgencyTasks> = BTreeMap::new();
    for t in i
        .tasks
        .iter()
        .filter(|t| mine.contains(&t.incident_id) && in_window(t.created_at))
    {
        let code = i
            .agencies
            .iter()
            .find(|a| a.id == t.agency_id)
            .map_or_else(|| t.agency_id.to_string(), |a| a.code.clone());
        let line = per_agency.entry(t.agency_id).or_insert(AgencyTasks {
            agency_id: t.agency_id,
            agency: code,
            requested: 0,
            accepted: 0,
            declined: 0,
            overdue: 0,
        });
        line.requested += 1;
        match t.status {
            TaskStatus::Declined => line.declined += 1,
            TaskStatus::Requested | TaskStatus::Cancelled => {}
            _ => line.accepted += 1,
        }
        if t.status.is_open() && t.due_at.is_some_and(|d| d < i.now) {
            line.overdue += 1;
        }
    }
    r.tasks = per_agency.into_values().collect();
    r.on_duty = i
        .shifts
        .iter()
        .filter(|s| {
            s.centre == i.centre && s.started_at < i.to && s.ended_at.is_none_or(|e| e > i.from)
        })
        .map(|s| OnDuty {
            officer_name: s.officer_name.clone(),
            post: s.post,
            started_at: s.started_at,
            ended_at: s.ended_at,
            handover_note: s.handover_note.clone(),
        })
        .collect();
    r
}
