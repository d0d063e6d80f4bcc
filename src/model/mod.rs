//! The domain: entities, vocabularies and every rule about how they may change.
//!
//! Pure by design — no I/O, no async — so the server, the store and the
//! console all apply exactly the same rules.

pub mod attention;
pub mod chain;
pub mod checkpoint;
mod enums;
mod error;
pub mod event;
pub mod handover_summary;
pub mod incident;
pub mod lifecycle;
pub mod marking;
pub mod note;
pub mod officer;
pub mod ownership;
pub mod report;
pub mod report_html;
pub mod report_render;
pub mod roster;
pub mod shift;
pub mod sla;
pub mod task;
pub mod token;
pub mod trends;
pub mod validate;

pub use enums::*;
pub use error::DomainError;
pub use event::Event;
pub use incident::{Incident, IncidentPatch, Location, NewIncident};
pub use marking::{Tlp, Viewer};
pub use note::{NewNote, Note};
pub use officer::{Act, Officer};
pub use roster::{Agency, Position, Unit, UnitPatch};
pub use shift::Shift;
pub use sla::Sla;
pub use task::{NewTask, Task, TaskPatch};
pub use token::TokenInfo;
