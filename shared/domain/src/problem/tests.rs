#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::incident::IncidentId;
use crate::DomainError;
use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

fn t(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 10, minute, 0).unwrap()
}

fn open() -> ProblemCommand {
    ProblemCommand::Open {
        id: ProblemId(Uuid::from_u128(1)),
        title: "Recurring: disk full on db1".into(),
        description: String::new(),
        configuration_item: Some("db1".into()),
        service: None,
        recurrence_key: Some("db1/DiskFull".into()),
        opened_by: "system:recurrence".into(),
    }
}

fn given(commands: &[ProblemCommand]) -> (Option<Problem>, Vec<ProblemEvent>) {
    let mut state = None;
    let mut all = Vec::new();
    for (i, c) in commands.iter().enumerate() {
        let events = decide(state.as_ref(), c).unwrap();
        for e in &events {
            state = evolve(state, e, t(i as u32));
        }
        all.extend(events);
    }
    (state, all)
}

#[test]
fn lifecycle_to_closed_with_a_workaround() {
    let (state, _) = given(&[
        open(),
        ProblemCommand::StartInvestigation { note: None },
        ProblemCommand::RecordKnownError {
            workaround: "purge /var/log".into(),
            root_cause: None,
        },
        ProblemCommand::Resolve {
            resolution: "log rotation fixed".into(),
        },
        ProblemCommand::Close { note: None },
    ]);
    let p = state.unwrap();
    assert_eq!(p.status, ProblemStatus::Closed);
    assert_eq!(p.workaround.as_deref(), Some("purge /var/log"));
    assert_eq!(p.version, 4);
}

#[test]
fn linking_incidents_is_idempotent() {
    let incident = IncidentId(Uuid::from_u128(9));
    let (state, events) = given(&[
        open(),
        ProblemCommand::LinkIncident { incident },
        ProblemCommand::LinkIncident { incident },
    ]);
    assert_eq!(events.len(), 2);
    assert_eq!(state.unwrap().incidents, vec![incident]);
}

#[test]
fn closing_an_unresolved_problem_is_refused() {
    let (state, _) = given(&[open()]);
    let refused = decide(state.as_ref(), &ProblemCommand::Close { note: None });
    assert!(matches!(
        refused,
        Err(DomainError::NotAllowedInStatus { .. })
    ));
}

#[test]
fn problem_events_round_trip() {
    let (_, events) = given(&[
        open(),
        ProblemCommand::StartInvestigation {
            note: Some("x".into()),
        },
    ]);
    for e in events {
        assert_eq!(
            ProblemEvent::from_stored(e.event_type(), 1, &e.to_json()).unwrap(),
            e
        );
    }
}
