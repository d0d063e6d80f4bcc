//! The triage SLA: how long an incident may wait for acknowledgement.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::{Incident, IncidentStatus, Severity};

/// Minutes allowed before acknowledgement, per severity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Sla {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
}

impl Default for Sla {
    fn default() -> Self {
        Sla {
            critical: 2,
            high: 5,
            medium: 15,
            low: 60,
        }
    }
}

impl Sla {
    pub fn limit(&self, severity: Severity) -> Duration {
        let minutes = match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
        };
        Duration::minutes(minutes.into())
    }

    /// When the incident becomes overdue if still unacknowledged.
    pub fn deadline(&self, incident: &Incident) -> OffsetDateTime {
        incident.reported_at + self.limit(incident.severity)
    }

    pub fn is_overdue(&self, incident: &Incident, now: OffsetDateTime) -> bool {
        incident.status == IncidentStatus::Reported && now > self.deadline(incident)
    }
}
