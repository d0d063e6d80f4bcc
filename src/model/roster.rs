//! Agencies and their units: who is in the room and what they can send.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::validate;
use super::{AgencyKind, Capability, DomainError, Region, UnitStatus};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Agency {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub name_ar: String,
    pub kind: AgencyKind,
    pub region: Region,
    pub liaison_contact: String,
    pub radio_channel: String,
    pub version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Position {
    #[schema(minimum = -90, maximum = 90)]
    pub lat: f64,
    #[schema(minimum = -180, maximum = 180)]
    pub lon: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Unit {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub callsign: String,
    pub capability: Capability,
    pub home_sector: String,
    pub status: UnitStatus,
    pub last_position: Option<Position>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    pub version: u64,
}

/// `PATCH /api/v1/units/{id}`: any of status, position, home sector.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitPatch {
    pub status: Option<UnitStatus>,
    pub last_position: Option<Position>,
    #[schema(min_length = 1, max_length = 80)]
    pub home_sector: Option<String>,
}

impl UnitPatch {
    /// What can be said of the patch alone, before any state is looked at.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self == &UnitPatch::default() {
            return Err(DomainError::invalid("body", "names no field to change"));
        }
        if let Some(h) = &self.home_sector {
            validate::line("home_sector", h, 80)?;
        }
        match &self.last_position {
            Some(p) => p.validate(),
            None => Ok(()),
        }
    }
}

impl Position {
    pub fn validate(&self) -> Result<(), DomainError> {
        validate::latitude(self.lat)?;
        validate::longitude(self.lon)
    }
}

impl Agency {
    pub fn validate(&self) -> Result<(), DomainError> {
        validate::line("code", &self.code, 16)?;
        validate::line("name", &self.name, validate::TITLE_MAX)?;
        validate::text("name_ar", &self.name_ar, validate::TITLE_MAX)?;
        validate::text(
            "liaison_contact",
            &self.liaison_contact,
            validate::TITLE_MAX,
        )?;
        validate::text("radio_channel", &self.radio_channel, 40)
    }
}

impl Unit {
    pub fn validate(&self) -> Result<(), DomainError> {
        validate::line("callsign", &self.callsign, 40)?;
        validate::line("home_sector", &self.home_sector, 80)?;
        if let Some(p) = &self.last_position {
            p.validate()?;
        }
        Ok(())
    }

    /// The unit after `patch`; any status may follow any other (units report reality).
    pub fn patched(&self, patch: &UnitPatch, now: OffsetDateTime) -> Result<Unit, DomainError> {
        patch.validate()?;
        let mut next = self.clone();
        if let Some(s) = patch.status {
            next.status = s;
        }
        if let Some(p) = patch.last_position {
            next.last_position = Some(p);
        }
        if let Some(h) = &patch.home_sector {
            next.home_sector = h.clone();
        }
        next.validate()?;
        next.version += 1;
        next.updated_at = now;
        Ok(next)
    }
}
