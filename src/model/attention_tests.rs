use super::*;
use crate::model::ownership::HandoverAsk;
use crate::model::shift::HandoverSummary;
use crate::model::{Category, Location, NewIncident, Officer, Role};
use serde_json::value::RawValue;

fn now() -> OffsetDateTime {
    time::macros::datetime!(2026-11-30 12:00 UTC)
}

fn officer(centre: Centre, role: Role) -> Officer {
    Officer {
        id: Uuid::new_v4(),
        name: format!("{centre} officer"),
        role,
        centre,
        agency_id: None,
    }
}

fn incident(severity: Severity) -> Incident {
    NewIncident {
        tlp: Default::default(),
        shared_with: Vec::new(),
        title: "Fuel convoy".into(),
        category: Category::SmugglingFuel,
        severity,
        location: Location {
            lat: 33.1,
            lon: 11.5,
            sector: None,
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
    .into_incident(
        &officer(Centre::Trp, Role::DutyOfficer),
        Uuid::new_v4(),
        "TRP-26-00001".into(),
        now(),
    )
    .unwrap()
}

fn rules(items: &[AttentionItem]) -> Vec<Rule> {
    items.iter().map(|i| i.rule).collect()
}

#[test]
fn a_new_high_incident_asks_its_own_centre_only_until_acknowledged() {
    let high = incident(Severity::High);
    assert_eq!(
        rules(&from_incident(&high, Centre::Trp)),
        [Rule::Unacknowledged]
    );
    assert!(from_incident(&high, Centre::Ben).is_empty());
    assert!(from_incident(&incident(Severity::Medium), Centre::Trp).is_empty());
    let mut acked = high.clone();
    acked.status = IncidentStatus::Acknowledged;
    assert!(from_incident(&acked, Centre::Trp).is_empty());
}

#[test]
fn an_offer_asks_the_receiving_centre_and_a_request_asks_the_owner() {
    let mut i = incident(Severity::Low);
    i.status = IncidentStatus::Acknowledged;
    let ask = HandoverAsk {
        to: Centre::Ben,
        note: "their sector".into(),
    };
    let offered = i
        .handover_asked(&ask, &officer(Centre::Trp, Role::DutyOfficer), now())
        .unwrap();
    assert_eq!(
        rules(&from_incident(&offered, Centre::Ben)),
        [Rule::Offered]
    );
    assert!(from_incident(&offered, Centre::Trp).is_empty());
    let requested = i
        .handover_asked(&ask, &officer(Centre::Ben, Role::DutyOfficer), now())
        .unwrap();
    let items = from_incident(&requested, Centre::Trp);
    assert_eq!(rules(&items), [Rule::TransferRequested]);
    assert!(
        items[0]
            .why
            .contains("BEN asks to take over TRP-26-00001: their sector")
    );
    assert!(from_incident(&requested, Centre::Ben).is_empty());
}

fn event(kind: EventKind, seq: u64, actor: &str, data: &impl Serialize, id: Uuid) -> Event {
    Event {
        seq,
        at: "2026-11-30T12:05:00Z".into(),
        actor: actor.into(),
        kind,
        entity: match kind {
            EventKind::TaskCreated | EventKind::TaskUpdated => crate::model::EntityKind::Task,
            EventKind::NoteAdded => crate::model::EntityKind::Note,
            _ => crate::model::EntityKind::Incident,
        },
        entity_id: id,
        version: 2,
        data: RawValue::from_string(serde_json::to_string(data).unwrap()).unwrap(),
        prev_hash: String::new(),
        hash: String::new(),
    }
}

#[test]
fn a_downgrade_by_the_other_centre_is_named_and_one_by_ourselves_is_not() {
    let before = incident(Severity::Critical);
    let mut after = before.clone();
    after.severity = Severity::Medium;
    let e = event(EventKind::IncidentUpdated, 7, "x", &after, after.id);
    let cx = |centre| EventContext {
        incident_centre: Centre::Trp,
        reference: "TRP-26-00001",
        actor_name: Some("Fatima Al-Barasi"),
        actor_centre: Some(centre),
        before: Some(&before),
    };
    let it = from_event(&e, &cx(Centre::Ben), Centre::Trp).unwrap();
    assert_eq!(it.rule, Rule::ChangedElsewhere);
    assert_eq!(it.key, "seq:7");
    assert_eq!(
        it.why,
        "Fatima Al-Barasi (BEN): TRP-26-00001 severity downgraded critical → medium"
    );
    assert_eq!(it.incident_id, Some(after.id));
    assert!(from_event(&e, &cx(Centre::Trp), Centre::Trp).is_none());
    // Nor does BEN's own queue hear of it: the incident is TRP's.
    assert!(from_event(&e, &cx(Centre::Ben), Centre::Ben).is_none());
}

#[test]
fn a_declined_task_asks_the_owner_whoever_declined_it() {
    let i = incident(Severity::Low);
    let mut t = crate::model::NewTask {
        agency_id: Uuid::new_v4(),
        title: "Intercept".into(),
        unit_id: None,
        priority: None,
        due_at: Some(now() - time::Duration::minutes(5)),
        tlp: Default::default(),
        shared_with: vec![],
    }
    .into_task(
        i.id,
        &officer(Centre::Trp, Role::DutyOfficer),
        Uuid::new_v4(),
        now() - time::Duration::hours(1),
    )
    .unwrap();
    assert_eq!(
        from_task(&t, &i.reference, now()).unwrap().rule,
        Rule::TaskOverdue
    );
    t.status = TaskStatus::Declined;
    t.reason = Some("no boat".into());
    assert!(
        from_task(&t, &i.reference, now()).is_none(),
        "closed tasks are not overdue"
    );
    let e = event(EventKind::TaskUpdated, 9, "x", &t, t.id);
    let cx = EventContext {
        incident_centre: Centre::Trp,
        reference: &i.reference,
        actor_name: Some("Liaison"),
        actor_centre: Some(Centre::Trp),
        before: None,
    };
    let it = from_event(&e, &cx, Centre::Trp).unwrap();
    assert_eq!(it.rule, Rule::TaskDeclined);
    assert_eq!(it.incident_id, Some(i.id));
    assert!(it.why.ends_with("Intercept (no boat)"), "{}", it.why);
}

#[test]
fn a_handover_waits_at_the_top_for_everyone_but_its_author_and_seen_marks_count() {
    let out = officer(Centre::Trp, Role::DutyOfficer);
    let shift = Shift::start(&out, Uuid::new_v4(), now())
        .unwrap()
        .end(&out, "quiet", HandoverSummary::default(), now())
        .unwrap();
    let waiting = from_shift(&shift).unwrap();
    let high = from_incident(&incident(Severity::High), Centre::Trp);
    let mut all = high.clone();
    all.push(waiting.clone());
    let me = Uuid::new_v4();
    let q = for_officer(&all, me, &HashSet::new());
    assert_eq!(
        rules(&q.items),
        [Rule::HandoverWaiting, Rule::Unacknowledged]
    );
    assert_eq!(q.unseen, 2);
    assert_eq!(
        rules(&for_officer(&all, out.id, &HashSet::new()).items),
        [Rule::Unacknowledged]
    );
    let seen = HashSet::from([high[0].key.clone()]);
    let q = for_officer(&all, me, &seen);
    assert_eq!(q.unseen, 1);
    assert!(q.items[1].seen);
    let acked = shift
        .acknowledge(&officer(Centre::Trp, Role::Supervisor), now())
        .unwrap();
    assert!(from_shift(&acked).is_none());
}

#[test]
fn only_keys_of_the_rules_shape_are_keys() {
    let id = Uuid::new_v4();
    let i = incident(Severity::High);
    for item in from_incident(&i, Centre::Trp) {
        assert!(is_key(&item.key), "{}", item.key);
    }
    for good in [
        format!("ack:{id}"),
        format!("handover:{id}:1796040005"),
        "seq:42".into(),
    ] {
        assert!(is_key(&good), "{good}");
    }
    for bad in [
        "",
        "seq:",
        "seq:4x",
        "new:not-an-id",
        "note:1",
        "new",
        &"x".repeat(300),
    ] {
        assert!(!is_key(bad), "{bad}");
    }
}
