//! The closed vocabularies of the domain: centres, kinds, statuses, severities.
//!
//! Every enum serialises as its listed text and refuses unknown values, so an
//! unknown category in a request fails with serde's message naming the
//! expected values instead of being stored.

use serde::{Deserialize, Serialize};

/// Declares a string-like enum with `as_str`, `ALL` and `FromStr`, so the
/// wire spelling, the database spelling and the console spelling are one.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        // Written out rather than derived: the derive cannot see the wire
        // spelling through this macro and documented the Rust names.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::model::DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(wanted))
                    .ok_or_else(|| crate::model::DomainError::UnknownValue {
                        what: stringify!($name),
                        value: s.to_string(),
                        expected: $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                    })
            }
        }
    };
}

vocabulary! {
    /// A Joint Border Security Centre; owns incidents in its area of responsibility.
    Centre { Trp = "TRP", Ben = "BEN" }
}

impl Centre {
    pub fn name(self) -> &'static str {
        match self {
            Centre::Trp => "Tripoli JBSC",
            Centre::Ben => "Benghazi JBSC",
        }
    }

    pub fn other(self) -> Centre {
        match self {
            Centre::Trp => Centre::Ben,
            Centre::Ben => Centre::Trp,
        }
    }
}

vocabulary! {
    AgencyKind {
        Military = "military", Police = "police", CoastGuard = "coast_guard", Customs = "customs",
        Immigration = "immigration", Intelligence = "intelligence", Civil = "civil",
    }
}

vocabulary! {
    Region { East = "east", West = "west", South = "south", National = "national" }
}

vocabulary! {
    UnitStatus {
        Available = "available", Assigned = "assigned", EnRoute = "en_route", OnScene = "on_scene",
        Returning = "returning", OutOfService = "out_of_service", OffDuty = "off_duty",
    }
}

vocabulary! {
    Capability {
        Patrol = "patrol", Boat = "boat", Aircraft = "aircraft", Checkpoint = "checkpoint",
        Surveillance = "surveillance", Investigation = "investigation", Medical = "medical",
    }
}

vocabulary! {
    /// What an officer may do. `auditor` reads the whole record, need-to-know
    /// aside, and changes nothing: the account a centre's witness
    /// (`tandem witness`) follows the log with.
    Role {
        Observer = "observer", DutyOfficer = "duty_officer", Supervisor = "supervisor",
        Liaison = "liaison", System = "system", Auditor = "auditor",
    }
}

impl Role {
    /// Stands shifts and works the picture: has an attention queue.
    pub fn triages(self) -> bool {
        matches!(self, Role::DutyOfficer | Role::Supervisor | Role::Liaison)
    }
}

vocabulary! {
    /// Where an officer sits for a shift.
    Post { DutyOfficer = "duty_officer", Supervisor = "supervisor", LiaisonDesk = "liaison_desk" }
}

vocabulary! {
    Category {
        SmugglingFuel = "smuggling_fuel", SmugglingWeapons = "smuggling_weapons",
        SmugglingDrugs = "smuggling_drugs", SmugglingGoods = "smuggling_goods",
        HumanTrafficking = "human_trafficking", IrregularMigration = "irregular_migration",
        ArmedIncursion = "armed_incursion", BorderViolation = "border_violation",
        Maritime = "maritime", Rescue = "rescue", Other = "other",
    }
}

vocabulary! {
    /// EUROSUR's four impact levels; its "very high" is our `critical`.
    Severity { Low = "low", Medium = "medium", High = "high", Critical = "critical" }
}

vocabulary! {
    IncidentStatus {
        Reported = "reported", Acknowledged = "acknowledged", Responding = "responding",
        Contained = "contained", Closed = "closed", Dismissed = "dismissed",
    }
}

impl IncidentStatus {
    pub fn is_open(self) -> bool {
        !matches!(self, IncidentStatus::Closed | IncidentStatus::Dismissed)
    }
}

vocabulary! {
    Source {
        FieldUnit = "field_unit", AgencyReport = "agency_report", Sensor = "sensor",
        CapFeed = "cap_feed", Public = "public",
    }
}

vocabulary! {
    DismissReason { FalseAlarm = "false_alarm", Duplicate = "duplicate", OutOfScope = "out_of_scope" }
}

vocabulary! {
    TaskStatus {
        Requested = "requested", Accepted = "accepted", InProgress = "in_progress", Blocked = "blocked",
        Done = "done", Declined = "declined", Cancelled = "cancelled",
    }
}

impl TaskStatus {
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            TaskStatus::Done | TaskStatus::Declined | TaskStatus::Cancelled
        )
    }
}

vocabulary! {
    Priority { Low = "low", Normal = "normal", High = "high", Urgent = "urgent" }
}

vocabulary! {
    EventKind {
        IncidentCreated = "incident.created", IncidentUpdated = "incident.updated",
        NoteAdded = "note.added", TaskCreated = "task.created", TaskUpdated = "task.updated",
        AgencyCreated = "agency.created", UnitCreated = "unit.created", UnitUpdated = "unit.updated",
        OfficerCreated = "officer.created", OfficerRevoked = "officer.revoked",
        TokenIssued = "token.issued", TokenUpdated = "token.updated",
        AuthLockedOut = "auth.locked_out", AuditFindings = "audit.findings",
        AuditCheckpoint = "audit.checkpoint", WitnessAlarm = "witness.alarm",
        ShiftStarted = "shift.started", ShiftEnded = "shift.ended",
        HandoverAcknowledged = "handover.acknowledged",
    }
}

vocabulary! {
    EntityKind {
        Incident = "incident", Note = "note", Task = "task", Agency = "agency", Unit = "unit",
        Officer = "officer", Token = "token", Access = "access", Audit = "audit",
        Shift = "shift",
    }
}
