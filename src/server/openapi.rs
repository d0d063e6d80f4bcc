//! The OpenAPI 3 document, generated from the handlers and wire types
//! themselves, then completed in one place with what every operation shares:
//! its error answers (problem+json, by what the operation can meet) and the
//! formats of the `Idempotency-Key` and `If-Match` headers. A test checks
//! real answers against it.

use utoipa::openapi::path::{Operation, Parameter};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, RefOr, Response, Schema};
use utoipa::{Modify, OpenApi};

use super::{
    attention, audit, checkpoints, events, export, handover, me, presence, reports, routes, shifts,
    stats,
};
use crate::api::problem::CONTENT_TYPE as PROBLEM;
use crate::api::*;
use crate::model;

#[derive(OpenApi)]
#[openapi(
    info(title = "Tandem API", version = "1", description = "Shared backend of the Joint Border Security Centres"),
    paths(
        routes::healthz, me::me, me::rotate_token, routes::snapshot, events::stream,
        routes::search_incidents, routes::create_incident, routes::get_incident, routes::patch_incident,
        routes::add_note, routes::create_task, routes::merge,
        handover::ask, handover::accept, handover::decline, handover::takeover,
        routes::list_tasks, routes::patch_task, routes::agencies, routes::units, routes::patch_unit,
        audit::verify, audit::log, audit::raise_alarm, shifts::start, shifts::end, shifts::acknowledge, shifts::list, presence::list, attention::http::queue, attention::http::mark_seen, reports::shift, stats::stats, export::incidents, checkpoints::list, checkpoints::sign_now,
    ),
    components(schemas(
        Problem, Snapshot, CentreInfo, Me, RotateToken, IssuedToken, model::TokenInfo, model::token::Lockout, model::ownership::Handover, model::ownership::HandedOver, model::ownership::HandoverAsk, model::ownership::Reason, handover::Empty, IncidentDetail, MergeRequest, MergeResult, VerifyReport, crate::api::LogPage, crate::api::WitnessAlarm, crate::api::VerifyScope, crate::api::Shift, crate::api::Presence, crate::api::AttentionQueue, crate::api::AttentionItem, crate::api::MarkSeen, model::attention::Rule, crate::api::EndShift, crate::api::HandoverSummary, model::shift::SeverityCounts, model::shift::OpenIncident, model::shift::OverdueTask, model::shift::CommittedUnit, model::Post, model::report::ShiftReport, model::report::SlaLine, model::report::AgencyTasks, model::report::OnDuty, model::report::Bucket, crate::api::Finding, crate::api::FindingKind, model::checkpoint::Checkpoint, checkpoints::CheckpointEntry, Health, crate::api::Redacted, crate::api::Skip, model::Tlp,
        crate::api::stats::Stats, crate::api::stats::Series, crate::api::stats::SlaCompliance, crate::api::stats::StatsBy, crate::api::export::ExportFormat,
        Event, Incident, NewIncident, IncidentPatch, Note, NewNote, Task, NewTask, TaskPatch,
        Agency, Unit, UnitPatch, Officer, model::Location, model::Position,
        model::Centre, model::Category, model::Severity, model::IncidentStatus, model::Source,
        model::DismissReason, model::TaskStatus, model::Priority, model::UnitStatus,
        model::AgencyKind, model::Region, model::Capability, model::Role, model::EventKind, model::EntityKind,
    )),
    modifiers(&BearerAuth, &Shared),
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

/// What the server can answer besides success, by what an operation is.
struct Shared;

impl Modify for Shared {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let ops = [
                ("get", item.get.as_mut()),
                ("post", item.post.as_mut()),
                ("patch", item.patch.as_mut()),
            ];
            for (method, op) in ops {
                if let Some(op) = op {
                    complete(path, method, op);
                }
            }
        }
    }
}

fn complete(path: &str, method: &str, op: &mut Operation) {
    let mut codes: Vec<(u16, &str)> = vec![
        (414, "The request target is over 8 KiB"),
        (431, "Over 64 header fields or 16 KiB of headers"),
        (500, "The server failed; `instance` names the logged error"),
        (
            503,
            "The database is unavailable or the request took too long; retry",
        ),
    ];
    if path.starts_with("/api/v1") && !path.ends_with("/openapi.json") {
        codes.push((401, "No token, or one unknown, expired or revoked"));
        codes.push((
            429,
            "Too many failed sign-ins from this address or token prefix; `Retry-After` says when to try again",
        ));
    }
    if path.contains("{id}") {
        codes.push((400, "The path's id is not a UUID"));
        codes.push((404, "No such entity"));
    }
    if method == "get" && op.parameters.iter().flatten().any(is_query) {
        codes.push((422, "A query parameter is invalid; the detail names it"));
    }
    if method != "get" {
        codes.extend([
            (400, "The Idempotency-Key or If-Match header is missing or malformed, or the body is not JSON"),
            (403, "The officer's role may not do this"),
            (404, "The incident named is not there"),
            (409, "The lifecycle refuses the move"),
            (413, "The body is over 64 KiB"),
            (415, "The body is not application/json"),
            (422, "The body is invalid, or the Idempotency-Key was used for another request"),
            (507, "The server's disk is full; nothing was saved"),
        ]);
    }
    if method == "patch" {
        codes.extend([
            (412, "The version is stale; `current` holds the entity now"),
            (428, "If-Match is missing"),
        ]);
    }
    if path.ends_with("/events") {
        codes.extend([
            (400, "Last-Event-ID is not a seq"),
            (410, "The cursor is no longer served: take a new snapshot"),
            (429, "The officer holds too many event streams"),
        ]);
    }
    for (code, description) in codes {
        op.responses
            .responses
            .entry(code.to_string())
            .or_insert_with(|| RefOr::T(Response::new(description)));
    }
    // Every error is problem+json, whatever the handler's annotation said.
    for (code, response) in op.responses.responses.iter_mut() {
        if let (true, RefOr::T(r)) = (code.as_str() >= "400", response) {
            r.content.clear();
            r.content.insert(
                PROBLEM.to_string(),
                Content::new(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    "Problem",
                )))),
            );
        }
    }
    for p in op.parameters.iter_mut().flatten() {
        header_format(p);
    }
}

fn is_query(p: &Parameter) -> bool {
    p.parameter_in == utoipa::openapi::path::ParameterIn::Query
}

/// The formats the extractors enforce on the two headers every change carries.
fn header_format(p: &mut Parameter) {
    let schema = match p.name.as_str() {
        // HTTP drops spaces and tabs around a header's value before anyone
        // sees it, so the key's pattern allows them there and nowhere else.
        "Idempotency-Key" => ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[ \\t]*[!-~]([ -~]{0,198}[!-~])?[ \\t]*$")),
        "If-Match" => ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^\"[0-9]{1,19}\"$")),
        _ => return,
    };
    p.schema = Some(RefOr::T(Schema::Object(schema.build())));
    p.required = utoipa::openapi::Required::True;
}

pub async fn document() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
