//! Given (past events) / when (a delivery or policy command) / then (new events).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::event as ev;
use super::flapping::FlapThresholds;
use super::*;
use crate::alarm::canonical::{AlarmStatus, CanonicalAlarm, Lifecycle, Severity, SourceKind};
use crate::incident::IncidentId;
use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

fn t(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap() + Duration::minutes(minute)
}

fn integration() -> Uuid {
    Uuid::from_u128(42)
}

fn delivery(status: AlarmStatus, severity: Severity, minute: i64) -> ReceiveAlarm {
    ReceiveAlarm {
        integration: integration(),
        alarm: CanonicalAlarm {
            source: SourceKind::Alertmanager,
            fingerprint: "a1bc48475b20e73d".into(),
            severity,
            status,
            lifecycle: None,
            summary: "Disk almost full".into(),
            host: Some("db1".into()),
            configuration_item: Some("db1".into()),
            service: Some("postgres".into()),
            alarm_name: Some("DiskFull".into()),
            labels: Default::default(),
            annotations: Default::default(),
            links: vec![],
            started_at: None,
            received_at: t(minute),
        },
        flap_thresholds: FlapThresholds::default(),
    }
}

struct Given(Vec<AlarmEvent>);

impl Given {
    fn state(&self) -> Option<Alarm> {
        replay(self.0.iter().enumerate().map(|(i, e)| (e, t(i as i64))))
    }

    fn when(&self, command: AlarmCommand) -> Vec<AlarmEvent> {
        decide(self.state().as_ref(), &command, t(99)).unwrap()
    }

    fn then_state(mut self, command: AlarmCommand) -> Alarm {
        let events = self.when(command);
        self.0.extend(events);
        self.state().unwrap()
    }
}

fn given(events: Vec<AlarmEvent>) -> Given {
    Given(events)
}

fn receive(status: AlarmStatus, severity: Severity, minute: i64) -> AlarmCommand {
    AlarmCommand::Receive(Box::new(delivery(status, severity, minute)))
}

fn raised() -> AlarmEvent {
    given(vec![])
        .when(receive(AlarmStatus::Firing, Severity::Critical, 0))
        .remove(0)
}

#[test]
fn first_firing_raises_the_alarm() {
    let events = given(vec![]).when(receive(AlarmStatus::Firing, Severity::Critical, 0));
    assert_eq!(events.len(), 1);
    let AlarmEvent::AlarmRaised(r) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(r.snapshot.fingerprint, "a1bc48475b20e73d");
    let alarm = given(events).state().unwrap();
    assert_eq!(alarm.status, AlarmStatus::Firing);
    assert_eq!(alarm.occurrences, 1);
    assert_eq!(
        alarm.id,
        AlarmId::for_key(integration(), "a1bc48475b20e73d")
    );
}

#[test]
fn repeats_are_counted_not_raised_again() {
    let events = given(vec![raised()]).when(receive(AlarmStatus::Firing, Severity::Critical, 5));
    assert_eq!(
        events,
        vec![AlarmEvent::AlarmRepeated(ev::Repeated {
            count: 1,
            last_seen: t(5)
        })]
    );
    let alarm =
        given(vec![raised()]).then_state(receive(AlarmStatus::Firing, Severity::Critical, 5));
    assert_eq!(alarm.occurrences, 2);
    assert_eq!(alarm.last_seen, t(5));
    assert_eq!(alarm.first_seen, t(0));
}

#[test]
fn a_changed_severity_is_recorded() {
    let events = given(vec![raised()]).when(receive(AlarmStatus::Firing, Severity::Warning, 5));
    assert!(
        events.contains(&AlarmEvent::AlarmSeverityChanged(ev::SeverityChanged {
            from: Severity::Critical,
            to: Severity::Warning
        }))
    );
}

#[test]
fn resolving_clears_and_a_second_resolve_changes_nothing() {
    let resolved =
        given(vec![raised()]).when(receive(AlarmStatus::Resolved, Severity::Critical, 9));
    assert_eq!(
        resolved,
        vec![AlarmEvent::AlarmResolved(ev::Resolved {
            received_at: t(9)
        })]
    );
    let history = [vec![raised()], resolved].concat();
    assert!(given(history.clone())
        .when(receive(AlarmStatus::Resolved, Severity::Critical, 10))
        .is_empty());
    let alarm = given(history).state().unwrap();
    assert_eq!(alarm.status, AlarmStatus::Resolved);
    assert_eq!(alarm.firing_since, None);
}

#[test]
fn a_resolve_for_an_unknown_alarm_is_dropped() {
    assert!(given(vec![])
        .when(receive(AlarmStatus::Resolved, Severity::Critical, 0))
        .is_empty());
    assert!(given(vec![])
        .when(receive(AlarmStatus::Acknowledged, Severity::Critical, 0))
        .is_empty());
}

#[test]
fn firing_again_after_resolve_raises_again() {
    let history = vec![
        raised(),
        AlarmEvent::AlarmResolved(ev::Resolved { received_at: t(1) }),
    ];
    let events = given(history).when(receive(AlarmStatus::Firing, Severity::Error, 30));
    assert!(matches!(events[0], AlarmEvent::AlarmRaised(_)));
}

#[test]
fn acknowledgement_of_a_firing_alarm() {
    let alarm =
        given(vec![raised()]).then_state(receive(AlarmStatus::Acknowledged, Severity::Critical, 3));
    assert_eq!(alarm.status, AlarmStatus::Acknowledged);
    let again = given(vec![
        raised(),
        AlarmEvent::AlarmAcknowledged(ev::Acknowledged { received_at: t(3) }),
    ])
    .when(receive(AlarmStatus::Acknowledged, Severity::Critical, 4));
    assert!(again.is_empty());
}

#[test]
fn rapid_state_changes_start_flapping_and_calm_stops_it() {
    let mut history = vec![];
    let mut started = None;
    for i in 0..21 {
        let status = if i % 2 == 0 {
            AlarmStatus::Firing
        } else {
            AlarmStatus::Resolved
        };
        let events = given(history.clone()).when(receive(status, Severity::Critical, i));
        if started.is_none()
            && events
                .iter()
                .any(|e| matches!(e, AlarmEvent::AlarmFlappingStarted(_)))
        {
            started = Some(i);
        }
        history.extend(events);
    }
    let started = started.expect("alternating states must start flapping");
    assert!(
        started > 2,
        "a fresh alarm does not flap at once (started at {started})"
    );
    assert!(given(history.clone()).state().unwrap().flapping);
    // steady firing for a while: the weighted change decays below the low threshold
    let mut stopped = false;
    for i in 21..60 {
        let events =
            given(history.clone()).when(receive(AlarmStatus::Firing, Severity::Critical, i));
        stopped |= events
            .iter()
            .any(|e| matches!(e, AlarmEvent::AlarmFlappingStopped(_)));
        history.extend(events);
    }
    assert!(stopped);
    assert!(!given(history).state().unwrap().flapping);
}

#[test]
fn sender_reported_flapping_is_taken_as_is() {
    let mut start = delivery(AlarmStatus::Firing, Severity::Critical, 2);
    start.alarm.lifecycle = Some(Lifecycle::FlappingStart);
    let alarm = given(vec![raised()]).then_state(AlarmCommand::Receive(Box::new(start)));
    assert!(alarm.flapping);
}

#[test]
fn linking_an_incident_is_idempotent() {
    let incident = IncidentId(Uuid::from_u128(5));
    let events = given(vec![raised()]).when(AlarmCommand::LinkIncident { incident });
    assert_eq!(events.len(), 1);
    let history = [vec![raised()], events].concat();
    assert!(given(history.clone())
        .when(AlarmCommand::LinkIncident { incident })
        .is_empty());
    let alarm = given(history.clone()).state().unwrap();
    assert_eq!(alarm.incident, Some(incident));
    assert_eq!(alarm.incidents.len(), 1);
    let unlinked = given(history).then_state(AlarmCommand::UnlinkIncident { incident });
    assert_eq!(unlinked.incident, None);
    assert_eq!(
        unlinked.incidents.len(),
        1,
        "the history of caused incidents stays"
    );
}

#[test]
fn alarm_events_round_trip() {
    for event in [
        raised(),
        AlarmEvent::AlarmRepeated(ev::Repeated {
            count: 7,
            last_seen: t(3),
        }),
        AlarmEvent::AlarmFlappingStarted(ev::Flapping {
            percent: Some(31.5),
        }),
    ] {
        let back = AlarmEvent::from_stored(event.event_type(), 1, &event.to_json()).unwrap();
        assert_eq!(back, event);
    }
}

mod repeat_journal {
    use super::*;
    use crate::alarm::journal::{apply_repeat, split_repeat, AlarmJournalEvent, RepeatJournal};

    fn receive(status: AlarmStatus, minute: i64) -> AlarmCommand {
        AlarmCommand::Receive(Box::new(delivery(status, Severity::Critical, minute)))
    }

    #[test]
    fn a_repeat_goes_to_the_journal_and_a_state_change_to_the_stream() {
        let given = Given(vec![]);
        let raised = given.when(receive(AlarmStatus::Firing, 0));
        let (own, repeat) = split_repeat(raised);
        assert!(matches!(own.as_slice(), [AlarmEvent::AlarmRaised(_)]));
        assert!(repeat.is_none());

        let given = Given(own);
        let (own, repeat) = split_repeat(given.when(receive(AlarmStatus::Firing, 1)));
        assert!(
            own.is_empty(),
            "a plain repeat writes nothing to the alarm's stream"
        );
        assert_eq!(repeat.map(|r| (r.count, r.last_seen)), Some((1, t(1))));
    }

    #[test]
    fn a_batch_merges_the_repeats_of_one_alarm() {
        let (a, b) = (AlarmId(Uuid::from_u128(1)), AlarmId(Uuid::from_u128(2)));
        let mut journal = RepeatJournal::default();
        for (alarm, minute) in [(a, 1), (b, 2), (a, 3), (a, 2)] {
            journal.add(
                alarm,
                &ev::Repeated {
                    count: 1,
                    last_seen: t(minute),
                },
            );
        }
        let Some(AlarmJournalEvent::AlarmsRepeated(batch)) = journal.into_event() else {
            panic!("no journal event");
        };
        let summary: Vec<_> = batch
            .repeats
            .iter()
            .map(|r| (r.alarm, r.count, r.first_seen, r.last_seen))
            .collect();
        assert_eq!(summary, vec![(a, 3, t(1), t(3)), (b, 1, t(2), t(2))]);
        assert!(RepeatJournal::default().into_event().is_none());
    }

    #[test]
    fn a_journaled_repeat_counts_without_moving_the_stream_version() {
        let mut alarm = Given(vec![]).then_state(receive(AlarmStatus::Firing, 0));
        let version = alarm.version;
        apply_repeat(&mut alarm, 5, t(7));
        assert_eq!(alarm.version, version);
        assert_eq!(alarm.occurrences, 6);
        assert_eq!(alarm.last_seen, t(7));
    }

    #[test]
    fn journaled_repeats_count_in_the_flap_history() {
        let mut given = Given(vec![]);
        for (status, minute) in [
            (AlarmStatus::Firing, 0),
            (AlarmStatus::Resolved, 1),
            (AlarmStatus::Firing, 2),
        ] {
            let (own, _) = split_repeat(given.when(receive(status, minute)));
            given.0.extend(own);
        }
        let mut alarm = given.state().unwrap();
        let changing = alarm.history.percent_change();
        assert!(changing > 0.0);
        apply_repeat(&mut alarm, 20, t(3));
        assert_eq!(
            alarm.history.percent_change(),
            0.0,
            "20 steady states since"
        );
    }
}
