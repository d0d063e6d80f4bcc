//! Incidents: creation, edits and the status lifecycle, enforced here and only here.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::marking::{self, Tlp};
use super::officer::{Act, Officer};
use super::validate;
use super::{Category, Centre, DismissReason, DomainError, IncidentStatus, Severity, Source};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Location {
    #[schema(minimum = -90, maximum = 90)]
    pub lat: f64,
    #[schema(minimum = -180, maximum = 180)]
    pub lon: f64,
    /// The sector (or crossing area) it lies in; when not given, the server
    /// fills it from the position and the sectors' areas.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 80)]
    pub sector: Option<String>,
    /// The border crossing within 25 km; filled from the position when not given.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 80)]
    pub crossing: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Incident {
    pub id: Uuid,
    /// `CENTRE-YY-NNNNN`, read aloud on the radio; gap-free per centre and year.
    pub reference: String,
    pub title: String,
    pub description: String,
    pub category: Category,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub source: Source,
    pub location: Location,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub reported_at: OffsetDateTime,
    pub centre: Centre,
    pub lead_agency_id: Option<Uuid>,
    pub supporting_agency_ids: Vec<Uuid>,
    pub tags: Vec<String>,
    /// Handling marking (TLP 2.0): who may see it (README, "Security model").
    #[serde(default)]
    pub tlp: Tlp,
    /// Agencies (or officers) it is shared with beyond what its marking admits.
    #[serde(default)]
    pub shared_with: Vec<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub acknowledged_at: Option<OffsetDateTime>,
    pub dismiss_reason: Option<DismissReason>,
    pub duplicate_of: Option<Uuid>,
    /// When it last became closed or dismissed; `None` while open.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<OffsetDateTime>,
    /// A handover waiting for the other side's answer (boxed: rare, and
    /// the console holds 100k incidents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handover: Option<Box<super::ownership::Handover>>,
    /// The last time it changed centre (boxed, as `handover`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handed_over: Option<Box<super::ownership::HandedOver>>,
    pub version: u64,
    pub created_by: Uuid,
    pub updated_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

/// `POST /api/v1/incidents`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIncident {
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub location: Location,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: String,
    #[serde(default)]
    pub source: Option<Source>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub occurred_at: Option<OffsetDateTime>,
    /// Owning centre; defaults to the reporting officer's.
    #[serde(default)]
    pub centre: Option<Centre>,
    #[serde(default)]
    pub lead_agency_id: Option<Uuid>,
    #[serde(default)]
    pub supporting_agency_ids: Vec<Uuid>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub tags: Vec<String>,
    /// `green` when not given.
    #[serde(default)]
    pub tlp: Tlp,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub shared_with: Vec<Uuid>,
}

/// `PATCH /api/v1/incidents/{id}`: any mutable field; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentPatch {
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    pub status: Option<IncidentStatus>,
    /// Required when `status` is `dismissed`.
    pub dismiss_reason: Option<DismissReason>,
    /// Required when `dismiss_reason` is `duplicate`.
    pub duplicate_of: Option<Uuid>,
    pub location: Option<Location>,
    pub lead_agency_id: Option<Uuid>,
    pub supporting_agency_ids: Option<Vec<Uuid>>,
    #[schema(max_items = 20)]
    pub tags: Option<Vec<String>>,
    /// Raised by anyone who sees the incident; lowered only by the owning
    /// centre's supervisor.
    pub tlp: Option<Tlp>,
    /// Replaces the list; adding to it is lowering the marking.
    #[schema(max_items = 20)]
    pub shared_with: Option<Vec<Uuid>>,
    /// Refused: ownership moves by handover (`POST …/handover`).
    pub centre: Option<Centre>,
    /// Closing or dismissing an incident that still has open tasks: `cancel`
    /// cancels them in the same change; without it the change is refused
    /// (409) with the list.
    pub open_tasks: Option<OpenTasks>,
}

/// What becomes of an incident's open tasks when it is closed or dismissed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OpenTasks {
    Cancel,
}

/// How long ago an incident may have happened when it is reported.
pub const OCCURRED_WITHIN: time::Duration = time::Duration::days(366);
/// How far ahead of the server's clock a reporter's clock may run.
pub const CLOCK_SKEW: time::Duration = time::Duration::minutes(5);

/// `CENTRE-YY-NNNNN`.
pub fn reference(centre: Centre, year: i32, n: u32) -> String {
    format!("{}-{:02}-{:05}", centre, year.rem_euclid(100), n)
}

impl Location {
    pub fn validate(&self) -> Result<(), DomainError> {
        validate::latitude(self.lat)?;
        validate::longitude(self.lon)?;
        if let Some(s) = &self.sector {
            validate::line("location.sector", s, 80)?;
        }
        if let Some(c) = &self.crossing {
            validate::line("location.crossing", c, 80)?;
        }
        Ok(())
    }
}

impl IncidentPatch {
    /// Whether the patch changes nothing but the handling marking.
    pub fn only_marks(&self) -> bool {
        IncidentPatch {
            tlp: None,
            shared_with: None,
            ..self.clone()
        } == IncidentPatch::default()
    }

    /// What can be said of the patch alone, before any state is looked at:
    /// a malformed change is refused (422) before a stale version (412).
    pub fn validate(&self) -> Result<(), DomainError> {
        if self == &IncidentPatch::default() {
            return Err(DomainError::invalid("body", "names no field to change"));
        }
        if self.open_tasks.is_some()
            && !matches!(
                self.status,
                Some(IncidentStatus::Closed | IncidentStatus::Dismissed)
            )
        {
            return Err(DomainError::invalid(
                "open_tasks",
                "only goes with status closed or dismissed",
            ));
        }
        if let Some(t) = &self.title {
            validate::line("title", t, validate::TITLE_MAX)?;
        }
        if let Some(d) = &self.description {
            validate::text("description", d, validate::TEXT_MAX)?;
        }
        if let Some(l) = &self.location {
            l.validate()?;
        }
        if let Some(tags) = &self.tags {
            validate::tags(tags)?;
        }
        if let Some(s) = &self.supporting_agency_ids {
            validate::supporting_agencies(s)?;
        }
        Ok(())
    }
}

impl NewIncident {
    /// Builds the incident this request describes, as `actor` reports it now.
    pub fn into_incident(
        self,
        actor: &Officer,
        id: Uuid,
        reference: String,
        now: OffsetDateTime,
    ) -> Result<Incident, DomainError> {
        actor.may(Act::CreateIncident)?;
        validate::line("title", &self.title, validate::TITLE_MAX)?;
        validate::text("description", &self.description, validate::TEXT_MAX)?;
        self.location.validate()?;
        validate::tags(&self.tags)?;
        let supporting_agency_ids = validate::supporting_agencies(&self.supporting_agency_ids)?;
        let shared_with = marking::shared_with(&self.shared_with)?;
        let occurred_at = self.occurred_at.unwrap_or(now);
        validate::time_within(
            "occurred_at",
            occurred_at,
            now - OCCURRED_WITHIN,
            now + CLOCK_SKEW,
        )?;
        Ok(Incident {
            id,
            reference,
            title: self.title,
            description: self.description,
            category: self.category,
            severity: self.severity,
            status: IncidentStatus::Reported,
            source: self.source.unwrap_or(Source::AgencyReport),
            location: self.location,
            occurred_at,
            reported_at: now,
            centre: self.centre.unwrap_or(actor.centre),
            lead_agency_id: self.lead_agency_id,
            supporting_agency_ids,
            tags: self.tags,
            tlp: self.tlp,
            shared_with,
            acknowledged_at: None,
            dismiss_reason: None,
            duplicate_of: None,
            closed_at: None,
            handover: None,
            handed_over: None,
            version: 1,
            created_by: actor.id,
            updated_by: actor.id,
            updated_at: now,
        })
    }
}

impl Incident {
    /// The incident after `patch` by `actor`, or the reason it is refused.
    /// Whether referenced agencies and incidents exist is the store's to check.
    pub fn patched(
        &self,
        patch: &IncidentPatch,
        actor: &Officer,
        now: OffsetDateTime,
    ) -> Result<Incident, DomainError> {
        patch.validate()?;
        let mut next = self.clone();
        if patch.tlp.is_some() || patch.shared_with.is_some() {
            next.tlp = patch.tlp.unwrap_or(self.tlp);
            if let Some(s) = &patch.shared_with {
                next.shared_with = marking::shared_with(s)?;
            }
            marking::check_change(
                actor,
                self.centre,
                (self.tlp, &self.shared_with),
                (next.tlp, &next.shared_with),
            )?;
        }
        // A marking is the one thing the other centre may change.
        if !patch.only_marks() {
            super::ownership::require_owner(self, actor)?;
        }
        let edits_fields = patch.title.is_some()
            || patch.description.is_some()
            || patch.category.is_some()
            || patch.severity.is_some()
            || patch.location.is_some()
            || patch.lead_agency_id.is_some()
            || patch.supporting_agency_ids.is_some()
            || patch.tags.is_some();
        if edits_fields {
            actor.may(Act::TriageIncident)?;
        }
        if let Some(t) = &patch.title {
            next.title = t.clone();
        }
        if let Some(d) = &patch.description {
            next.description = d.clone();
        }
        if let Some(l) = &patch.location {
            next.location = l.clone();
        }
        if let Some(tags) = &patch.tags {
            next.tags = tags.clone();
        }
        next.category = patch.category.unwrap_or(next.category);
        next.severity = patch.severity.unwrap_or(next.severity);
        next.lead_agency_id = patch.lead_agency_id.or(next.lead_agency_id);
        if let Some(s) = &patch.supporting_agency_ids {
            next.supporting_agency_ids = validate::supporting_agencies(s)?;
        }
        if patch.centre.is_some() {
            return Err(DomainError::invalid(
                "centre",
                "ownership moves by handover, which the other centre accepts: \
                 POST /api/v1/incidents/{id}/handover {\"to\": CENTRE}",
            ));
        }
        if patch.dismiss_reason.is_some() && patch.status != Some(IncidentStatus::Dismissed) {
            return Err(DomainError::invalid(
                "dismiss_reason",
                "only goes with status dismissed",
            ));
        }
        if let Some(to) = patch.status {
            next.move_to(to, patch.dismiss_reason, patch.duplicate_of, actor, now)?;
        } else if patch.duplicate_of.is_some() {
            return Err(DomainError::invalid(
                "duplicate_of",
                "only goes with dismiss_reason duplicate",
            ));
        }
        next.version += 1;
        next.updated_by = actor.id;
        next.updated_at = now;
        Ok(next)
    }
}

#[cfg(test)]
#[path = "incident_tests.rs"]
mod tests;
