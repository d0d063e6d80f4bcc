use super::*;
use crate::model::{Centre, Role};

fn officer(role: Role, centre: Centre, agency: Option<Uuid>) -> Officer {
    Officer {
        id: Uuid::now_v7(),
        name: "t".into(),
        role,
        centre,
        agency_id: agency,
    }
}

struct World {
    lead: Uuid,
    supporting: Uuid,
    listed: Uuid,
    other: Uuid,
    creator: Officer,
}

fn world() -> World {
    World {
        lead: Uuid::from_u128(1),
        supporting: Uuid::from_u128(2),
        listed: Uuid::from_u128(3),
        other: Uuid::from_u128(4),
        creator: officer(Role::DutyOfficer, Centre::Trp, None),
    }
}

fn incident(w: &World, tlp: Tlp) -> Incident {
    let json = serde_json::json!({
        "id": Uuid::now_v7(), "reference": "TRP-26-00001", "title": "t", "description": "",
        "category": "smuggling_fuel", "severity": "high", "status": "reported", "source": "field_unit",
        "location": {"lat": 32.0, "lon": 12.0}, "occurred_at": "2026-11-30T10:00:00Z",
        "reported_at": "2026-11-30T10:00:00Z", "centre": "TRP", "lead_agency_id": w.lead,
        "supporting_agency_ids": [w.supporting], "tags": [], "tlp": tlp,
        "shared_with": [w.listed], "acknowledged_at": null, "dismiss_reason": null,
        "duplicate_of": null, "closed_at": null, "version": 1, "created_by": w.creator.id,
        "updated_by": w.creator.id, "updated_at": "2026-11-30T10:00:00Z"
    });
    serde_json::from_value(json).unwrap()
}

/// The rules of README's "Security model" table, one row per viewer.
#[test]
fn each_marking_admits_exactly_the_documented_viewers() {
    use Role::*;
    let w = world();
    let viewers: Vec<(&str, Officer)> = vec![
        ("duty TRP", officer(DutyOfficer, Centre::Trp, None)),
        ("duty BEN", officer(DutyOfficer, Centre::Ben, None)),
        ("supervisor TRP", officer(Supervisor, Centre::Trp, None)),
        ("supervisor BEN", officer(Supervisor, Centre::Ben, None)),
        ("observer BEN", officer(Observer, Centre::Ben, None)),
        ("liaison lead", officer(Liaison, Centre::Trp, Some(w.lead))),
        (
            "liaison supporting",
            officer(Liaison, Centre::Trp, Some(w.supporting)),
        ),
        (
            "liaison listed",
            officer(Liaison, Centre::Ben, Some(w.listed)),
        ),
        (
            "liaison other",
            officer(Liaison, Centre::Trp, Some(w.other)),
        ),
        ("creator", w.creator.clone()),
    ];
    // Columns in the order of `viewers`.
    let table: [(Tlp, [bool; 10]); 5] = [
        (Tlp::Clear, [true; 10]),
        (Tlp::Green, [true; 10]),
        (
            Tlp::Amber,
            [true, true, true, true, true, true, true, true, false, true],
        ),
        (
            Tlp::AmberStrict,
            [
                true, false, true, false, false, true, false, true, false, true,
            ],
        ),
        (
            Tlp::Red,
            [
                false, false, true, false, false, false, false, true, false, true,
            ],
        ),
    ];
    for (tlp, expected) in table {
        let i = incident(&w, tlp);
        for ((who, o), want) in viewers.iter().zip(expected) {
            assert_eq!(Viewer::of(o).sees_incident(&i), want, "{tlp} seen by {who}");
        }
    }
    assert!(Viewer::everything().sees_incident(&incident(&w, Tlp::Red)));
}

#[test]
fn an_officer_listed_by_id_sees_a_red_incident() {
    let mut w = world();
    let named = officer(Role::DutyOfficer, Centre::Ben, None);
    w.listed = named.id;
    assert!(Viewer::of(&named).sees_incident(&incident(&w, Tlp::Red)));
}

fn task(w: &World, agency: Uuid, tlp: Tlp) -> Task {
    let json = serde_json::json!({
        "id": Uuid::now_v7(), "incident_id": Uuid::now_v7(), "agency_id": agency,
        "unit_id": null, "title": "t", "priority": "normal", "due_at": null,
        "status": "requested", "reason": null, "tlp": tlp, "shared_with": [],
        "version": 1, "created_by": w.creator.id,
        "created_at": "2026-11-30T10:00:00Z", "updated_at": "2026-11-30T10:00:00Z"
    });
    serde_json::from_value(json).unwrap()
}

#[test]
fn a_task_needs_its_incident_seen_except_by_the_agency_asked() {
    let w = world();
    let strict = incident(&w, Tlp::AmberStrict);
    let asked = officer(Role::Liaison, Centre::Trp, Some(w.other));
    let ben = officer(Role::DutyOfficer, Centre::Ben, None);
    let trp = officer(Role::DutyOfficer, Centre::Trp, None);
    let green_task = task(&w, w.other, Tlp::Green);
    let aud = task_audience(&green_task, &strict);
    assert!(
        Viewer::of(&asked).admits(&aud),
        "the agency asked sees its task"
    );
    assert!(!Viewer::of(&asked).sees_incident(&strict));
    assert!(
        !Viewer::of(&ben).admits(&aud),
        "the incident is hidden from BEN"
    );
    assert!(Viewer::of(&trp).admits(&aud));
    // A red task on a green incident: the owning supervisors and its creator only.
    let red_task = task(&w, w.other, Tlp::Red);
    let aud = task_audience(&red_task, &incident(&w, Tlp::Green));
    assert!(!Viewer::of(&asked).admits(&aud));
    assert!(!Viewer::of(&trp).admits(&aud));
    assert!(Viewer::of(&w.creator).admits(&aud));
    let sup = officer(Role::Supervisor, Centre::Trp, None);
    assert!(Viewer::of(&sup).admits(&aud));
    // The creator of a red incident sees the green task they add to it.
    let aud = task_audience(&green_task, &incident(&w, Tlp::Red));
    assert!(Viewer::of(&w.creator).admits(&aud));
    assert!(!Viewer::of(&trp).admits(&aud));
}

#[test]
fn raising_is_anyones_lowering_is_the_owning_supervisors() {
    let listed = [Uuid::from_u128(9)];
    let duty_ben = officer(Role::DutyOfficer, Centre::Ben, None);
    let sup_ben = officer(Role::Supervisor, Centre::Ben, None);
    let sup_trp = officer(Role::Supervisor, Centre::Trp, None);
    let observer = officer(Role::Observer, Centre::Trp, None);
    let up = ((Tlp::Green, &[][..]), (Tlp::Red, &[][..]));
    let down = ((Tlp::Red, &[][..]), (Tlp::Amber, &[][..]));
    let wider = ((Tlp::Red, &[][..]), (Tlp::Red, &listed[..]));
    let narrower = ((Tlp::Red, &listed[..]), (Tlp::Red, &[][..]));
    assert!(check_change(&duty_ben, Centre::Trp, up.0, up.1).is_ok());
    assert!(check_change(&duty_ben, Centre::Trp, narrower.0, narrower.1).is_ok());
    for (from, to) in [down, wider] {
        assert!(
            check_change(&duty_ben, Centre::Trp, from, to)
                .unwrap_err()
                .is_forbidden()
        );
        assert!(
            check_change(&sup_ben, Centre::Trp, from, to)
                .unwrap_err()
                .is_forbidden()
        );
        assert!(check_change(&sup_trp, Centre::Trp, from, to).is_ok());
    }
    assert!(check_change(&observer, Centre::Trp, up.0, up.1).is_err());
}

#[test]
fn markings_parse_as_written_on_documents() {
    assert_eq!("TLP:AMBER+STRICT".parse::<Tlp>().unwrap(), Tlp::AmberStrict);
    assert_eq!("red".parse::<Tlp>().unwrap(), Tlp::Red);
    assert!("orange".parse::<Tlp>().is_err());
    assert_eq!(Tlp::AmberStrict.label(), "TLP:AMBER+STRICT");
    assert_eq!(
        serde_json::to_string(&Tlp::AmberStrict).unwrap(),
        "\"amber+strict\""
    );
    assert_eq!(Tlp::default(), Tlp::Green);
}

#[test]
fn unit_positions_follow_agency_centre_and_tasking() {
    let agency = Uuid::from_u128(7);
    let unit: Unit = serde_json::from_value(serde_json::json!({
        "id": Uuid::now_v7(), "agency_id": agency, "callsign": "C-1", "capability": "boat",
        "home_sector": "s", "status": "available", "last_position": null,
        "updated_at": "2026-11-30T10:00:00Z", "version": 1
    }))
    .unwrap();
    let w = world();
    let amber = incident(&w, Tlp::Amber);
    let west = position_audience(
        &unit,
        crate::model::Region::West,
        [incident_audience(&amber).as_str()],
    );
    let trp = officer(Role::DutyOfficer, Centre::Trp, None);
    let ben = officer(Role::DutyOfficer, Centre::Ben, None);
    let own = officer(Role::Liaison, Centre::Ben, Some(agency));
    let stranger = officer(Role::Liaison, Centre::Ben, Some(w.other));
    assert!(Viewer::of(&trp).admits(&west));
    assert!(Viewer::of(&own).admits(&west));
    assert!(!Viewer::of(&stranger).admits(&west));
    // BEN officers see it through the amber incident it is tasked to.
    assert!(Viewer::of(&ben).admits(&west));
    let untasked = position_audience(&unit, crate::model::Region::West, []);
    assert!(!Viewer::of(&ben).admits(&untasked));
    // Tasked to a green incident: every officer, still no other agency.
    let green = position_audience(&unit, crate::model::Region::West, [EVERYONE]);
    assert!(Viewer::of(&ben).admits(&green));
    assert!(!Viewer::of(&stranger).admits(&green));
}
