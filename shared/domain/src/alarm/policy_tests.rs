//! Given an alarm and what is known of its incident, when the policy looks, then these reactions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::event::{self as ev, AlarmEvent};
use super::policy::{incident_id_for, react, IncidentFacts, Reaction, Situation};
use super::rules::{AlarmRules, RecoveryAction};
use super::state::{Alarm, AlarmSnapshot};
use super::{evolve, replay};
use crate::alarm::canonical::{AlarmStatus, Severity, SourceKind};
use crate::incident::{IncidentId, Status};
use crate::{Impact, Urgency};
use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

fn t(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 2, 0, 0).unwrap() + Duration::minutes(minute)
}

fn alarm(severity: Severity) -> Alarm {
    let raised = AlarmEvent::AlarmRaised(Box::new(ev::Raised {
        snapshot: AlarmSnapshot {
            integration: Uuid::from_u128(1),
            source: SourceKind::Zabbix,
            fingerprint: "zabbix:14032:www".into(),
            severity,
            summary: "Agent unreachable".into(),
            host: Some("www".into()),
            configuration_item: Some("www".into()),
            service: None,
            alarm_name: Some("Agent ping".into()),
            labels: Default::default(),
            annotations: Default::default(),
            links: vec![],
            started_at: None,
        },
        received_at: t(0),
    }));
    replay([(&raised, t(0))]).unwrap()
}

fn with(alarm: Alarm, event: AlarmEvent, minute: i64) -> Alarm {
    evolve(Some(alarm), &event, t(minute)).unwrap()
}

fn linked(alarm: Alarm, incident: IncidentId) -> Alarm {
    with(
        alarm,
        AlarmEvent::AlarmIncidentLinked(ev::IncidentLink { incident }),
        0,
    )
}

fn resolved(alarm: Alarm, minute: i64) -> Alarm {
    with(
        alarm,
        AlarmEvent::AlarmResolved(ev::Resolved {
            received_at: t(minute),
        }),
        minute,
    )
}

fn facts(id: IncidentId, status: Status) -> IncidentFacts {
    IncidentFacts {
        id,
        status,
        opened_by_monitoring: true,
        human_touched: false,
        resolved_at: None,
        flapping: false,
    }
}

fn look(
    alarm: &Alarm,
    minute: i64,
    incident: Option<IncidentFacts>,
    rules: &AlarmRules,
) -> Vec<Reaction> {
    react(&Situation {
        alarm,
        now: t(minute),
        rules,
        incident,
        storm_incident: None,
    })
}

fn incident() -> IncidentId {
    IncidentId(Uuid::from_u128(77))
}

#[test]
fn a_critical_alarm_opens_a_p1_incident_once() {
    let a = alarm(Severity::Critical);
    let rules = AlarmRules::default();
    let first = look(&a, 0, None, &rules);
    assert_eq!(
        first,
        vec![Reaction::Open {
            incident: incident_id_for(&a),
            impact: Impact::High,
            urgency: Urgency::High
        }]
    );
    assert_eq!(
        look(&a, 1, None, &rules),
        first,
        "looking again gives the same incident id"
    );
    let attached = linked(a, incident_id_for(&alarm(Severity::Critical)));
    let open = facts(attached.incident.unwrap(), Status::New);
    assert!(
        look(&attached, 2, Some(open), &rules).is_empty(),
        "repeats open nothing new"
    );
}

#[test]
fn a_warning_waits_out_its_grace_time() {
    let a = alarm(Severity::Warning);
    let rules = AlarmRules::default();
    assert_eq!(look(&a, 5, None, &rules), vec![Reaction::RecheckAt(t(15))]);
    assert!(matches!(
        look(&a, 15, None, &rules)[0],
        Reaction::Open {
            impact: Impact::Medium,
            ..
        }
    ));
    let cleared = resolved(a, 10);
    assert!(
        look(&cleared, 15, None, &rules).is_empty(),
        "a warning that cleared in time opens nothing"
    );
}

#[test]
fn a_warning_rising_to_error_opens_at_once() {
    let a = with(
        alarm(Severity::Warning),
        AlarmEvent::AlarmSeverityChanged(ev::SeverityChanged {
            from: Severity::Warning,
            to: Severity::Error,
        }),
        2,
    );
    assert!(matches!(
        look(&a, 2, None, &AlarmRules::default())[0],
        Reaction::Open { .. }
    ));
}

#[test]
fn info_never_opens() {
    assert!(look(&alarm(Severity::Info), 600, None, &AlarmRules::default()).is_empty());
}

#[test]
fn recovery_resolves_an_untouched_monitoring_incident_and_only_notes_otherwise() {
    let a = resolved(linked(alarm(Severity::Critical), incident()), 20);
    let rules = AlarmRules::default();
    assert_eq!(
        look(&a, 20, Some(facts(incident(), Status::New)), &rules),
        vec![Reaction::Clear {
            incident: incident(),
            resolve: true
        }]
    );
    let touched = IncidentFacts {
        human_touched: true,
        ..facts(incident(), Status::InProgress)
    };
    assert_eq!(
        look(&a, 20, Some(touched), &rules),
        vec![Reaction::Clear {
            incident: incident(),
            resolve: false
        }]
    );
    let note_only = AlarmRules {
        recovery: RecoveryAction::NoteOnly,
        ..AlarmRules::default()
    };
    assert_eq!(
        look(&a, 20, Some(facts(incident(), Status::New)), &note_only),
        vec![Reaction::Clear {
            incident: incident(),
            resolve: false
        }]
    );
}

#[test]
fn firing_again_within_the_reopen_window_reopens() {
    let a = resolved(linked(alarm(Severity::Critical), incident()), 20);
    let again = with(
        a,
        AlarmEvent::AlarmRaised(Box::new(ev::Raised {
            snapshot: alarm(Severity::Critical).snapshot,
            received_at: t(50),
        })),
        50,
    );
    let recovered = IncidentFacts {
        resolved_at: Some(t(21)),
        ..facts(incident(), Status::Resolved)
    };
    let rules = AlarmRules::default();
    assert_eq!(
        look(&again, 50, Some(recovered.clone()), &rules),
        vec![Reaction::Reopen {
            incident: incident()
        }]
    );
    // past the window: a new incident, with an id of its own
    let late = look(&again, 200, Some(recovered), &rules);
    let Reaction::Open { incident: new, .. } = late[0] else {
        panic!("{late:?}")
    };
    assert_ne!(new, incident());
    assert_ne!(
        new,
        incident_id_for(&alarm(Severity::Critical)),
        "each firing period has its own id"
    );
}

#[test]
fn alarms_of_a_host_in_a_storm_join_one_incident() {
    let a = alarm(Severity::Error);
    let storm = IncidentId(Uuid::from_u128(3));
    let reactions = react(&Situation {
        alarm: &a,
        now: t(1),
        rules: &AlarmRules::default(),
        incident: None,
        storm_incident: Some(storm),
    });
    assert_eq!(reactions, vec![Reaction::Join { incident: storm }]);
}

#[test]
fn flapping_alarms_open_nothing_and_mark_their_incident() {
    let flapping = with(
        alarm(Severity::Critical),
        AlarmEvent::AlarmFlappingStarted(ev::Flapping {
            percent: Some(40.0),
        }),
        3,
    );
    assert!(look(&flapping, 3, None, &AlarmRules::default()).is_empty());
    let attached = linked(flapping, incident());
    assert_eq!(
        look(
            &attached,
            3,
            Some(facts(incident(), Status::New)),
            &AlarmRules::default()
        ),
        vec![Reaction::Flapping {
            incident: incident(),
            flapping: true
        }]
    );
}

#[test]
fn rules_are_validated() {
    assert!(AlarmRules::default().validate().is_ok());
    let bad = AlarmRules {
        flap_low_percent: 30.0,
        warning_grace_seconds: -1,
        ..AlarmRules::default()
    };
    let Err(crate::DomainError::Invalid(errors)) = bad.validate() else {
        panic!()
    };
    assert_eq!(errors.len(), 2);
}

#[test]
fn acknowledged_alarms_still_count_as_firing() {
    let acked = with(
        alarm(Severity::Critical),
        AlarmEvent::AlarmAcknowledged(ev::Acknowledged { received_at: t(1) }),
        1,
    );
    assert_eq!(acked.status, AlarmStatus::Acknowledged);
    assert!(matches!(
        look(&acked, 1, None, &AlarmRules::default())[0],
        Reaction::Open { .. }
    ));
}

#[test]
fn the_third_incident_within_the_window_makes_a_problem() {
    use super::policy::recurring;
    let rules = AlarmRules::default();
    let i = |n: u128| IncidentId(Uuid::from_u128(n));
    let mut a = alarm(Severity::Critical);
    a = with(
        a,
        AlarmEvent::AlarmIncidentLinked(ev::IncidentLink { incident: i(1) }),
        0,
    );
    assert_eq!(
        recurring(&a, i(2), t(60), &rules),
        None,
        "two incidents are not yet a pattern"
    );
    a = with(
        a,
        AlarmEvent::AlarmIncidentLinked(ev::IncidentLink { incident: i(2) }),
        60,
    );
    let (problem, incidents) = recurring(&a, i(3), t(120), &rules).unwrap();
    assert_eq!(incidents, vec![i(1), i(2), i(3)]);
    a = with(
        a,
        AlarmEvent::AlarmIncidentLinked(ev::IncidentLink { incident: i(3) }),
        120,
    );
    let (same, more) = recurring(&a, i(4), t(180), &rules).unwrap();
    assert_eq!(
        same, problem,
        "later incidents of the run join the same problem"
    );
    assert_eq!(more.len(), 4);
    // eight days later the first ones fall out of the window
    let late = t(8 * 24 * 60);
    assert_eq!(recurring(&a, i(5), late, &rules), None);
}

#[test]
fn alarms_of_one_item_and_name_recur_together_across_fingerprints() {
    use super::policy::recurring_on_item;
    let rules = AlarmRules::default();
    let i = |n: u128| IncidentId(Uuid::from_u128(n));
    // the same check on the same item under three fingerprints (one per mount point, say)
    let sibling = |fp: &str, incident: u128, minute: i64| {
        let mut a = alarm(Severity::Critical);
        a.snapshot.fingerprint = fp.into();
        a.id = super::AlarmId::for_key(a.snapshot.integration, fp);
        with(
            a,
            AlarmEvent::AlarmIncidentLinked(ev::IncidentLink {
                incident: i(incident),
            }),
            minute,
        )
    };
    let first = sibling("fp-a", 1, 0);
    let second = sibling("fp-b", 2, 60);
    let mut third = alarm(Severity::Critical);
    third.snapshot.fingerprint = "fp-c".into();
    third.id = super::AlarmId::for_key(third.snapshot.integration, "fp-c");

    assert_eq!(
        recurring_on_item(&third, i(3), std::slice::from_ref(&first), t(120), &rules),
        None,
        "two incidents are not yet a pattern"
    );
    let (problem, incidents, key) = recurring_on_item(
        &third,
        i(3),
        &[first.clone(), second.clone()],
        t(120),
        &rules,
    )
    .unwrap();
    assert_eq!(incidents, vec![i(1), i(2), i(3)]);
    assert_eq!(key, "www/Agent ping");
    // a storm's incident fed by two of them counts once; the problem stays the same
    let also_on_one = sibling("fp-d", 1, 5);
    let (same, again, _) =
        recurring_on_item(&third, i(3), &[first, second, also_on_one], t(120), &rules).unwrap();
    assert_eq!((same, again.len()), (problem, 3));
    // an alarm without a configuration item or a name recurs only by its fingerprint
    third.snapshot.alarm_name = None;
    assert_eq!(recurring_on_item(&third, i(3), &[], t(120), &rules), None);
}
