use super::*;
use crate::model::Role;
use crate::model::lifecycle::check_transition;
use IncidentStatus::*;

fn officer(role: Role) -> Officer {
    Officer {
        id: Uuid::new_v4(),
        name: "Salem".into(),
        role,
        centre: Centre::Trp,
        agency_id: None,
    }
}

fn now() -> OffsetDateTime {
    time::macros::datetime!(2026-11-29 12:00 UTC)
}

fn new_incident() -> NewIncident {
    NewIncident {
        tlp: Default::default(),
        shared_with: Vec::new(),
        title: "تهريب وقود قرب رأس اجدير".into(),
        category: Category::SmugglingFuel,
        severity: Severity::High,
        location: Location {
            lat: 33.1495,
            lon: 11.5679,
            sector: Some("Ras Ajdir".into()),
            crossing: None,
        },
        description: String::new(),
        source: None,
        occurred_at: None,
        centre: None,
        lead_agency_id: None,
        supporting_agency_ids: vec![],
        tags: vec![],
    }
}

fn incident_in(status: IncidentStatus) -> Incident {
    let mut i = new_incident()
        .into_incident(
            &officer(Role::DutyOfficer),
            Uuid::new_v4(),
            "TRP-26-00001".into(),
            now(),
        )
        .unwrap();
    i.status = status;
    i
}

/// What the lifecycle says for one move, per role: Ok, Forbidden, or refused as a transition.
#[derive(Debug, PartialEq)]
enum Verdict {
    Allowed,
    Forbidden,
    Refused,
}

fn expected(from: IncidentStatus, to: IncidentStatus, role: Role) -> Verdict {
    let open = |s: IncidentStatus| s.is_open();
    let order = [Reported, Acknowledged, Responding, Contained, Closed];
    let pos = |s| order.iter().position(|x| *x == s);
    if from == to {
        return Verdict::Refused;
    }
    if !open(from) {
        return match (to, role) {
            (Acknowledged, Role::Supervisor) => Verdict::Allowed,
            (Acknowledged, _) => Verdict::Forbidden,
            _ => Verdict::Refused,
        };
    }
    let triage = matches!(role, Role::DutyOfficer | Role::Supervisor);
    match to {
        // Ending what units are out on is a supervisor's call.
        Dismissed if matches!(from, Responding | Contained) && role != Role::Supervisor => {
            Verdict::Forbidden
        }
        Dismissed if triage => Verdict::Allowed,
        Dismissed => Verdict::Forbidden,
        Closed if role == Role::Supervisor => Verdict::Allowed,
        Closed => Verdict::Forbidden,
        _ if pos(to) > pos(from) && triage => Verdict::Allowed,
        _ if pos(to) > pos(from) => Verdict::Forbidden,
        _ => Verdict::Refused,
    }
}

#[test]
fn every_transition_for_every_role_matches_the_lifecycle() {
    let mut allowed = 0;
    for &from in IncidentStatus::ALL {
        for &to in IncidentStatus::ALL {
            for &role in Role::ALL {
                let actor = officer(role);
                let got = match check_transition(from, to, &actor) {
                    Ok(()) => Verdict::Allowed,
                    Err(e) if e.is_forbidden() => Verdict::Forbidden,
                    Err(DomainError::Transition { .. }) => Verdict::Refused,
                    Err(e) => panic!("unexpected error {e}"),
                };
                assert_eq!(got, expected(from, to, role), "{from} -> {to} as {role}");
                if got == Verdict::Allowed {
                    allowed += 1;
                }
            }
        }
    }
    // 6 forward moves for two roles; 4 dismissals for supervisors, 2 for duty officers;
    // 4 closes and 2 reopens for supervisors.
    assert_eq!(allowed, 6 * 2 + 4 + 2 + 4 + 2);
}

#[test]
fn patch_applies_transition_and_bumps_version() {
    let i = incident_in(Reported);
    let o = officer(Role::DutyOfficer);
    let p = IncidentPatch {
        status: Some(Acknowledged),
        severity: Some(Severity::Critical),
        ..Default::default()
    };
    let next = i.patched(&p, &o, now()).unwrap();
    assert_eq!(next.status, Acknowledged);
    assert_eq!(next.severity, Severity::Critical);
    assert_eq!(next.version, i.version + 1);
    assert_eq!(next.acknowledged_at, Some(now()));
    assert_eq!(next.updated_by, o.id);
}

#[test]
fn dismiss_needs_a_reason_and_duplicate_needs_a_target() {
    let i = incident_in(Acknowledged);
    let o = officer(Role::DutyOfficer);
    let mut p = IncidentPatch {
        status: Some(Dismissed),
        ..Default::default()
    };
    let field = |e: DomainError| match e {
        DomainError::Invalid { field, .. } => field,
        other => panic!("not a field refusal: {other}"),
    };
    assert_eq!(
        field(i.patched(&p, &o, now()).unwrap_err()),
        "dismiss_reason"
    );
    p.dismiss_reason = Some(DismissReason::Duplicate);
    assert_eq!(field(i.patched(&p, &o, now()).unwrap_err()), "duplicate_of");
    p.duplicate_of = Some(i.id);
    let e = i.patched(&p, &o, now()).unwrap_err();
    assert!(e.to_string().contains("cannot duplicate itself"), "{e}");
    p.duplicate_of = Some(Uuid::new_v4());
    let d = i.patched(&p, &o, now()).unwrap();
    assert_eq!(d.status, Dismissed);
    assert_eq!(d.closed_at, Some(now()));
}

#[test]
fn reopen_clears_dismissal() {
    let mut i = incident_in(Dismissed);
    i.dismiss_reason = Some(DismissReason::FalseAlarm);
    i.closed_at = Some(now());
    let p = IncidentPatch {
        status: Some(Acknowledged),
        ..Default::default()
    };
    assert!(
        i.patched(&p, &officer(Role::DutyOfficer), now())
            .unwrap_err()
            .is_forbidden()
    );
    let r = i.patched(&p, &officer(Role::Supervisor), now()).unwrap();
    assert_eq!(
        (r.status, r.dismiss_reason, r.closed_at),
        (Acknowledged, None, None)
    );
}

#[test]
fn refuses_bad_fields_and_changes_nothing() {
    let i = incident_in(Reported);
    let o = officer(Role::DutyOfficer);
    let cases = [
        (
            IncidentPatch {
                title: Some("x".repeat(201)),
                ..Default::default()
            },
            "title",
        ),
        (
            IncidentPatch {
                title: Some("bell\u{7}".into()),
                ..Default::default()
            },
            "title",
        ),
        (
            IncidentPatch {
                location: Some(Location {
                    lat: 95.0,
                    lon: 0.0,
                    sector: None,
                    crossing: None,
                }),
                ..Default::default()
            },
            "location.lat",
        ),
        (IncidentPatch::default(), "body"),
    ];
    for (p, named) in cases {
        match i.patched(&p, &o, now()) {
            Err(DomainError::Invalid { field, .. }) => assert_eq!(field, named, "{p:?}"),
            other => panic!("{p:?}: {other:?}"),
        }
    }
    // Ownership never moves by PATCH, whoever asks: it moves by handover.
    let handover = IncidentPatch {
        centre: Some(Centre::Ben),
        ..Default::default()
    };
    for role in [Role::DutyOfficer, Role::Supervisor] {
        match i.patched(&handover, &officer(role), now()) {
            Err(DomainError::Invalid { field, .. }) => assert_eq!(field, "centre"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn only_the_owning_centre_triages() {
    let i = incident_in(Acknowledged);
    let mut ben = officer(Role::Supervisor);
    ben.centre = Centre::Ben;
    let p = IncidentPatch {
        severity: Some(Severity::Low),
        ..Default::default()
    };
    let e = i.patched(&p, &ben, now()).unwrap_err();
    assert!(e.is_forbidden());
    assert!(e.to_string().contains("owned by TRP"), "{e}");
    assert!(i.patched(&p, &officer(Role::DutyOfficer), now()).is_ok());
}

#[test]
fn unicode_round_trips_exactly() {
    let i = incident_in(Reported);
    let json = serde_json::to_string(&i).unwrap();
    let back: Incident = serde_json::from_str(&json).unwrap();
    assert_eq!(back, i);
    assert_eq!(back.title, "تهريب وقود قرب رأس اجدير");
}

#[test]
fn unknown_enum_values_and_fields_are_refused() {
    let bad = r#"{"title":"t","category":"piracy","severity":"high","location":{"lat":1,"lon":1}}"#;
    let e = serde_json::from_str::<NewIncident>(bad).unwrap_err();
    assert!(e.to_string().contains("piracy"), "{e}");
    let extra = r#"{"title":"t","category":"maritime","severity":"high","location":{"lat":1,"lon":1},"colour":"red"}"#;
    let e = serde_json::from_str::<NewIncident>(extra).unwrap_err();
    assert!(e.to_string().contains("colour"), "{e}");
}

#[test]
fn references_are_zero_padded() {
    assert_eq!(reference(Centre::Trp, 2026, 42), "TRP-26-00042");
    assert_eq!(reference(Centre::Ben, 2031, 12345), "BEN-31-12345");
}
