//! The wire types of the record's checks: `audit verify`'s report and
//! findings, the whole log as an auditor reads it, and a witness's alarm.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::model::Event;

/// `GET /api/v1/audit/verify`: the hash chain walked, and every current row
/// checked against the last event of its entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VerifyReport {
    /// No finding.
    pub ok: bool,
    pub events: u64,
    pub head: String,
    pub first_bad_seq: Option<u64>,
    /// Every finding, up to [`FINDINGS_MAX`] (`findings_total` counts them all).
    #[serde(default)]
    pub findings: Vec<Finding>,
    #[serde(default)]
    pub findings_total: u64,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VerifyQuery {
    /// `all` (default): the chain walked and the rows checked; `rows`: only
    /// the rows against the log (a witness walks the chain on its own copy).
    pub scope: Option<VerifyScope>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VerifyScope {
    #[default]
    All,
    Rows,
}

/// Findings listed in one report; the rest are only counted.
pub const FINDINGS_MAX: usize = 1000;

/// One thing in the record that is not as its log says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Finding {
    pub kind: FindingKind,
    /// The event concerned, for chain findings and where a row's last event is known.
    pub seq: Option<u64>,
    /// `incident 0193…`, for row findings.
    pub entity: Option<String>,
    pub expected: String,
    pub found: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = serde_json::to_value(self.kind).unwrap_or_default();
        write!(f, "{}", kind.as_str().unwrap_or("finding"))?;
        if let Some(seq) = self.seq {
            write!(f, " at seq {seq}")?;
        }
        if let Some(entity) = &self.entity {
            write!(f, " on {entity}")?;
        }
        write!(f, ": expected {}, found {}", self.expected, self.found)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// An event whose seq, link or hash does not hold.
    Chain,
    /// A row that differs from the entity in its last event.
    Row,
    /// A row no event wrote.
    RowWithoutEvent,
    /// An entity the log has and its table does not.
    MissingRow,
    /// An officer whose revocation differs from their events.
    Officer,
    /// A checkpoint that does not sign the head before it, or whose
    /// signature does not verify with its centre's trusted key.
    Checkpoint,
    /// A witness's copy and the server disagree about one seq: the event
    /// was changed (or dropped) after the witness received it, or the
    /// server now serves another history (a fork).
    Fork,
    /// The server's log ends before the witness's copy does: events the
    /// witness holds, perhaps below a signed checkpoint, were deleted.
    Truncation,
}

/// `GET /api/v1/audit/log`: the log itself, every event whole, in seq order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LogPage {
    /// The seq of the last event in the log now.
    pub head: u64,
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    /// Events after this seq (0: from the first).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// At most this many (1 to 5000; 1000 by default).
    #[param(minimum = 1, maximum = 5000)]
    pub limit: Option<u32>,
}

/// Most events in one page of the log.
pub const LOG_PAGE_MAX: u32 = 5000;

/// `POST /api/v1/audit/alarms`: what a witness found, recorded in the log
/// as a `witness.alarm` event for every console to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WitnessAlarm {
    /// Which witness: its centre and host, as its operator named it (≤ 100 characters).
    pub witness: String,
    /// The first findings (at most [`ALARM_FINDINGS_MAX`]).
    pub findings: Vec<Finding>,
    pub findings_total: u64,
}

/// Findings carried by one alarm; the rest are counted.
pub const ALARM_FINDINGS_MAX: usize = 20;

impl WitnessAlarm {
    /// Refuses what no witness would send: an empty or oversized alarm.
    pub fn validate(&self) -> Result<(), String> {
        let name = self.witness.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err("`witness`: 1 to 100 printable characters".into());
        }
        if self.findings.is_empty() || self.findings.len() > ALARM_FINDINGS_MAX {
            return Err(format!("`findings`: 1 to {ALARM_FINDINGS_MAX} findings"));
        }
        if self.findings_total < self.findings.len() as u64 {
            return Err("`findings_total` counts at least the findings listed".into());
        }
        for f in &self.findings {
            let long = [Some(&f.expected), Some(&f.found), f.entity.as_ref()]
                .into_iter()
                .flatten()
                .any(|t| t.chars().count() > 300);
            if long {
                return Err("a finding's texts are at most 300 characters each".into());
            }
        }
        Ok(())
    }
}
