#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::alarm::canonical::SourceKind;
use crate::alarm::rules::AlarmRules;
use crate::DomainError;
use chrono::{TimeZone, Utc};

fn register() -> IntegrationCommand {
    IntegrationCommand::Register {
        id: IntegrationId(uuid::Uuid::from_u128(1)),
        name: "prometheus-eu".into(),
        kind: SourceKind::Alertmanager,
        key_sha256: "aa".repeat(32),
        key_hint: "3f9a".into(),
        defaults: IntegrationDefaults::default(),
        rules: AlarmRules::default(),
    }
}

fn run(commands: &[IntegrationCommand]) -> Result<Option<Integration>, DomainError> {
    let mut state = None;
    for c in commands {
        for e in decide(state.as_ref(), c)? {
            state = evolve(
                state,
                &e,
                Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap(),
            );
        }
    }
    Ok(state)
}

#[test]
fn register_change_rotate_revoke() {
    let state = run(&[
        register(),
        IntegrationCommand::Change {
            name: Some("prometheus-eu-1".into()),
            defaults: None,
            rules: Some(AlarmRules {
                warning_grace_seconds: 60,
                ..AlarmRules::default()
            }),
        },
        IntegrationCommand::RotateKey {
            key_sha256: "bb".repeat(32),
            key_hint: "77aa".into(),
        },
        IntegrationCommand::Revoke { reason: None },
    ])
    .unwrap()
    .unwrap();
    assert_eq!(state.name, "prometheus-eu-1");
    assert_eq!(state.rules.warning_grace_seconds, 60);
    assert_eq!(state.key_hint, "77aa");
    assert!(state.revoked);
    assert_eq!(state.version, 3);
}

#[test]
fn invalid_rules_are_refused_with_the_field() {
    let IntegrationCommand::Register {
        id,
        name,
        kind,
        key_sha256,
        key_hint,
        defaults,
        ..
    } = register()
    else {
        panic!()
    };
    let bad = IntegrationCommand::Register {
        id,
        name,
        kind,
        key_sha256,
        key_hint,
        defaults,
        rules: AlarmRules {
            recurrence_threshold: 1,
            ..AlarmRules::default()
        },
    };
    let Err(DomainError::Invalid(errors)) = run(&[bad]) else {
        panic!()
    };
    assert_eq!(errors[0].field, "recurrence_threshold");
}

#[test]
fn a_revoked_integration_changes_no_more() {
    let refused = run(&[
        register(),
        IntegrationCommand::Revoke { reason: None },
        IntegrationCommand::RotateKey {
            key_sha256: "cc".repeat(32),
            key_hint: "x".into(),
        },
    ]);
    assert!(matches!(refused, Err(DomainError::Refused(_))));
}

#[test]
fn an_unchanged_change_records_nothing() {
    let state = run(&[register()]).unwrap();
    let same = IntegrationCommand::Change {
        name: Some("prometheus-eu".into()),
        defaults: Some(IntegrationDefaults::default()),
        rules: None,
    };
    assert_eq!(decide(state.as_ref(), &same).unwrap(), vec![]);
}

#[test]
fn integration_events_round_trip() {
    let events = decide(None, &register()).unwrap();
    for e in events {
        assert_eq!(
            IntegrationEvent::from_stored(e.event_type(), 1, &e.to_json()).unwrap(),
            e
        );
    }
}
