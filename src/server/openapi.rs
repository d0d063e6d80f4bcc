//! The OpenAPI 3 document, generated from the handlers and wire types themselves.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{events, routes};
use crate::api::*;
use crate::model;

#[derive(OpenApi)]
#[openapi(
    info(title = "Tandem API", version = "1", description = "Shared backend of the Joint Border Security Centres"),
    paths(
        routes::healthz, routes::me, routes::snapshot, events::stream,
        routes::search_incidents, routes::create_incident, routes::get_incident, routes::patch_incident,
        routes::add_note, routes::create_task, routes::merge,
        routes::list_tasks, routes::patch_task, routes::agencies, routes::units, routes::patch_unit,
        routes::verify,
    ),
    components(schemas(
        Problem, Snapshot, CentreInfo, IncidentDetail, MergeRequest, MergeResult, VerifyReport, Health,
        Event, Incident, NewIncident, IncidentPatch, Note, NewNote, Task, NewTask, TaskPatch,
        Agency, Unit, UnitPatch, Officer, model::Location, model::Position,
        model::Centre, model::Category, model::Severity, model::IncidentStatus, model::Source,
        model::DismissReason, model::TaskStatus, model::Priority, model::UnitStatus,
        model::AgencyKind, model::Region, model::Capability, model::Role, model::EventKind, model::EntityKind,
    )),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn document() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
