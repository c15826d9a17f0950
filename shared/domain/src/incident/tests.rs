//! Given (past events) / when (a command) / then (new events or an error).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::event as ev;
use super::*;
use crate::{DomainError, Impact, Priority, PriorityMatrix, Urgency};
use chrono::{DateTime, TimeZone, Utc};

fn t(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 9, minute, 0).unwrap()
}

fn ctx() -> DecisionContext {
    DecisionContext {
        now: t(59),
        priority_matrix: PriorityMatrix::default(),
    }
}

fn id() -> IncidentId {
    IncidentId(uuid::Uuid::from_u128(7))
}

fn open_cmd() -> OpenIncident {
    OpenIncident {
        id: id(),
        title: "Mail server unreachable".into(),
        description: "SMTP times out".into(),
        caller: Some("carol".into()),
        customer: Some("acme".into()),
        service: Some("mail".into()),
        configuration_item: Some("mx1".into()),
        category: None,
        impact: Impact::High,
        urgency: Urgency::Medium,
        assignment_group: None,
        assignee: None,
        opened_by: "alice".into(),
        alarm: None,
    }
}

fn opened() -> IncidentEvent {
    decide(None, &IncidentCommand::Open(open_cmd()), &ctx())
        .unwrap()
        .remove(0)
}

fn assigned() -> IncidentEvent {
    IncidentEvent::IncidentAssigned(ev::Assigned {
        assignment_group: Some("ops".into()),
        assignee: Some("bob".into()),
    })
}

fn started() -> IncidentEvent {
    IncidentEvent::IncidentWorkStarted(ev::WorkStarted { note: None })
}

fn resolved() -> IncidentEvent {
    IncidentEvent::IncidentResolved(ev::Resolved {
        code: ResolutionCode::PermanentFix,
        notes: "replaced disk".into(),
        resolved_by: "bob".into(),
    })
}

struct Given(Vec<IncidentEvent>);

fn given(events: Vec<IncidentEvent>) -> Given {
    Given(events)
}

impl Given {
    fn state(&self) -> Option<Incident> {
        replay(self.0.iter().enumerate().map(|(i, e)| (e, t(i as u32))))
    }

    fn when(&self, command: IncidentCommand) -> Result<Vec<IncidentEvent>, DomainError> {
        decide(self.state().as_ref(), &command, &ctx())
    }
}

fn to(status: Status) -> IncidentCommand {
    IncidentCommand::ChangeStatus(ChangeStatus::to(status, "bob"))
}

#[test]
fn opening_derives_priority_from_impact_and_urgency() {
    let events = given(vec![])
        .when(IncidentCommand::Open(open_cmd()))
        .unwrap();
    let IncidentEvent::IncidentOpened(o) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(o.priority, Priority::P2);
    let state = given(events).state().unwrap();
    assert_eq!(state.status, Status::New);
    assert_eq!(state.version, 0);
    assert_eq!(state.opened_at, t(0));
}

#[test]
fn opening_twice_is_refused() {
    assert_eq!(
        given(vec![opened()]).when(IncidentCommand::Open(open_cmd())),
        Err(DomainError::AlreadyExists)
    );
}

#[test]
fn commands_on_a_missing_incident_are_not_found() {
    assert_eq!(
        given(vec![]).when(to(Status::Closed)),
        Err(DomainError::NotFound)
    );
}

#[test]
fn assigning_a_new_incident_makes_it_assigned() {
    let cmd = IncidentCommand::Assign(AssignIncident {
        assignment_group: Some("ops".into()),
        assignee: Some("bob".into()),
    });
    let events = given(vec![opened()]).when(cmd.clone()).unwrap();
    assert_eq!(events, vec![assigned()]);
    let state = given(vec![opened(), assigned()]).state().unwrap();
    assert_eq!(state.status, Status::Assigned);
    assert_eq!(state.assignee.as_deref(), Some("bob"));
    // the same assignment again changes nothing
    assert_eq!(given(vec![opened(), assigned()]).when(cmd), Ok(vec![]));
}

#[test]
fn assigning_nobody_is_invalid() {
    let cmd = IncidentCommand::Assign(AssignIncident {
        assignment_group: None,
        assignee: None,
    });
    assert!(matches!(
        given(vec![opened()]).when(cmd),
        Err(DomainError::Invalid(_))
    ));
}

#[test]
fn full_lifecycle_new_to_closed() {
    let mut history = vec![opened(), assigned()];
    for (cmd, expected) in [
        (to(Status::InProgress), Status::InProgress),
        (
            IncidentCommand::ChangeStatus(ChangeStatus {
                pending_reason: Some(PendingReason::AwaitingVendor),
                ..ChangeStatus::to(Status::Pending, "bob")
            }),
            Status::Pending,
        ),
        (to(Status::InProgress), Status::InProgress),
        (
            IncidentCommand::ChangeStatus(ChangeStatus {
                resolution_code: Some(ResolutionCode::Workaround),
                note: Some("restarted".into()),
                ..ChangeStatus::to(Status::Resolved, "bob")
            }),
            Status::Resolved,
        ),
        (to(Status::Closed), Status::Closed),
    ] {
        let events = given(history.clone()).when(cmd).unwrap();
        history.extend(events);
        assert_eq!(given(history.clone()).state().unwrap().status, expected);
    }
    let done = given(history.clone()).state().unwrap();
    assert_eq!(done.version, 6);
    assert!(done.closed_at.is_some());
    assert_eq!(done.resolution.unwrap().code, ResolutionCode::Workaround);
}

#[test]
fn illegal_transition_names_the_allowed_ones() {
    let err = given(vec![opened()]).when(to(Status::Closed)).unwrap_err();
    assert_eq!(
        err,
        DomainError::IllegalTransition {
            from: Status::New,
            to: Status::Closed,
            allowed: vec![Status::Resolved, Status::Cancelled],
        }
    );
    assert!(err
        .to_string()
        .contains("allowed from new: resolved, cancelled"));
}

#[test]
fn pending_needs_a_reason() {
    let err = given(vec![opened(), assigned()])
        .when(to(Status::Pending))
        .unwrap_err();
    let DomainError::Invalid(fields) = err else {
        panic!()
    };
    assert_eq!(fields[0].field, "pending_reason");
}

#[test]
fn resolving_needs_code_and_notes() {
    let err = given(vec![opened(), assigned()])
        .when(to(Status::Resolved))
        .unwrap_err();
    let DomainError::Invalid(fields) = err else {
        panic!()
    };
    let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, vec!["resolution_code", "note"]);
}

#[test]
fn reopening_a_resolved_incident_returns_it_to_its_assignee() {
    let history = vec![opened(), assigned(), started(), resolved()];
    let events = given(history.clone()).when(to(Status::InProgress)).unwrap();
    assert!(matches!(events[0], IncidentEvent::IncidentReopened(_)));
    let state = given([history, events].concat()).state().unwrap();
    assert_eq!(state.status, Status::InProgress);
    assert_eq!(state.reopen_count, 1);
    assert_eq!(state.resolution, None);
}

#[test]
fn closed_incidents_are_final() {
    let history = vec![
        opened(),
        resolved(),
        IncidentEvent::IncidentClosed(ev::Closed { note: None }),
    ];
    assert!(matches!(
        given(history.clone()).when(to(Status::InProgress)),
        Err(DomainError::IllegalTransition { allowed, .. }) if allowed.is_empty()
    ));
    let comment = IncidentCommand::AddComment(AddComment {
        comment_id: uuid::Uuid::from_u128(1),
        visibility: Visibility::Customer,
        body: "hello".into(),
        author: "bob".into(),
    });
    assert!(matches!(
        given(history).when(comment),
        Err(DomainError::NotAllowedInStatus { .. })
    ));
}

#[test]
fn cancel_from_any_open_state() {
    for history in [
        vec![opened()],
        vec![opened(), assigned()],
        vec![opened(), assigned(), started()],
    ] {
        let events = given(history.clone()).when(to(Status::Cancelled)).unwrap();
        let state = given([history, events].concat()).state().unwrap();
        assert_eq!(state.status, Status::Cancelled);
    }
}

#[test]
fn update_records_only_real_changes_and_rederives_priority() {
    let update = IncidentCommand::Update(UpdateIncident {
        changes: FieldChanges {
            title: Some("Mail server unreachable".into()),
            urgency: Some(Urgency::High),
            service: Some(None),
            ..FieldChanges::default()
        },
    });
    let events = given(vec![opened()]).when(update).unwrap();
    let IncidentEvent::IncidentUpdated(u) = &events[0] else {
        panic!()
    };
    assert_eq!(u.changes.title, None, "unchanged title is not recorded");
    assert_eq!(u.changes.urgency, Some(Urgency::High));
    assert_eq!(u.changes.priority, Some(Priority::P1));
    assert_eq!(
        u.changes.service,
        Some(None),
        "clearing a field is a change"
    );
    let state = given([vec![opened()], events].concat()).state().unwrap();
    assert_eq!(state.priority, Priority::P1);
    assert_eq!(state.service, None);
}

#[test]
fn update_without_changes_produces_nothing() {
    let update = IncidentCommand::Update(UpdateIncident {
        changes: FieldChanges {
            impact: Some(Impact::High),
            ..FieldChanges::default()
        },
    });
    assert_eq!(given(vec![opened()]).when(update), Ok(vec![]));
}

#[test]
fn comments_and_work_notes_are_kept_apart_by_visibility() {
    let note = AddComment {
        comment_id: uuid::Uuid::from_u128(9),
        visibility: Visibility::Internal,
        body: "disk at 99%".into(),
        author: "bob".into(),
    };
    let events = given(vec![opened()])
        .when(IncidentCommand::AddComment(note))
        .unwrap();
    let state = given([vec![opened()], events].concat()).state().unwrap();
    assert_eq!(state.comments.len(), 1);
    assert_eq!(state.comments[0].visibility, Visibility::Internal);
    assert_eq!(state.comments[0].at, t(1));
}

#[test]
fn links_are_idempotent_and_never_to_self() {
    let other = IncidentId(uuid::Uuid::from_u128(8));
    let link = LinkIncident {
        kind: LinkKind::Parent,
        target: other,
    };
    let events = given(vec![opened()])
        .when(IncidentCommand::Link(link.clone()))
        .unwrap();
    assert_eq!(events.len(), 1);
    let history = [vec![opened()], events].concat();
    assert_eq!(
        given(history.clone()).when(IncidentCommand::Link(link.clone())),
        Ok(vec![])
    );
    let unlinked = given(history.clone())
        .when(IncidentCommand::Unlink(link))
        .unwrap();
    assert!(given([history, unlinked].concat())
        .state()
        .unwrap()
        .links
        .is_empty());
    let self_link = LinkIncident {
        kind: LinkKind::Related,
        target: id(),
    };
    assert!(matches!(
        given(vec![opened()]).when(IncidentCommand::Link(self_link)),
        Err(DomainError::Invalid(_))
    ));
}

#[test]
fn events_round_trip_through_their_stored_form() {
    for event in [opened(), assigned(), started(), resolved()] {
        let back = IncidentEvent::from_stored(event.event_type(), 1, &event.to_json()).unwrap();
        assert_eq!(back, event);
    }
    assert!(IncidentEvent::from_stored("NoSuchEvent", 1, "{}").is_err());
    let clearing = IncidentEvent::IncidentUpdated(ev::Updated {
        changes: FieldChanges {
            service: Some(None),
            ..FieldChanges::default()
        },
    });
    let back = IncidentEvent::from_stored("IncidentUpdated", 1, &clearing.to_json()).unwrap();
    assert_eq!(
        back, clearing,
        "a cleared field must stay cleared when read back"
    );
    assert!(IncidentEvent::from_stored("IncidentClosed", 99, "{}").is_err());
}

mod monitoring {
    use super::*;
    use crate::alarm::AlarmId;

    fn alarm(n: u128) -> AttachedAlarm {
        AttachedAlarm {
            alarm: AlarmId(uuid::Uuid::from_u128(n)),
            fingerprint: format!("fp{n}"),
            summary: "disk full".into(),
            cleared: false,
            occurrences: None,
            last_seen: None,
        }
    }

    fn opened_by_monitoring() -> IncidentEvent {
        let open = OpenIncident {
            alarm: Some(alarm(1)),
            opened_by: "integration:prometheus".into(),
            ..open_cmd()
        };
        decide(None, &IncidentCommand::Open(open), &ctx())
            .unwrap()
            .remove(0)
    }

    fn monitor(command: MonitorCommand) -> IncidentCommand {
        IncidentCommand::Monitor(command)
    }

    fn clear(n: u128) -> IncidentCommand {
        monitor(MonitorCommand::Clear {
            alarm: AlarmId(uuid::Uuid::from_u128(n)),
            resolve: true,
        })
    }

    #[test]
    fn recovery_resolves_an_untouched_incident_as_recovered() {
        let history = vec![opened_by_monitoring()];
        let state = given(history.clone()).state().unwrap();
        assert!(state.monitoring.opened_by_monitoring);
        assert!(!state.monitoring.human_touched);
        let events = given(history.clone()).when(clear(1)).unwrap();
        assert_eq!(events.len(), 2);
        let state = given([history.clone(), events].concat()).state().unwrap();
        assert_eq!(state.status, Status::Resolved);
        assert_eq!(state.resolution.unwrap().code, ResolutionCode::Recovered);
        assert!(state.monitoring.all_cleared());
        // clearing twice changes nothing
        let after = [
            history,
            given(vec![opened_by_monitoring()]).when(clear(1)).unwrap(),
        ]
        .concat();
        assert_eq!(given(after).when(clear(1)), Ok(vec![]));
    }

    #[test]
    fn a_touched_incident_only_notes_the_recovery() {
        let history = vec![opened_by_monitoring(), assigned()];
        assert!(
            given(history.clone())
                .state()
                .unwrap()
                .monitoring
                .human_touched
        );
        let events = given(history).when(clear(1)).unwrap();
        assert_eq!(events.len(), 1, "cleared, not resolved: {events:?}");
    }

    #[test]
    fn a_storm_incident_resolves_only_when_every_alarm_cleared() {
        let mut history = vec![opened_by_monitoring()];
        history.extend(
            given(history.clone())
                .when(monitor(MonitorCommand::Attach(alarm(2))))
                .unwrap(),
        );
        history.extend(given(history.clone()).when(clear(1)).unwrap());
        assert_eq!(given(history.clone()).state().unwrap().status, Status::New);
        history.extend(given(history.clone()).when(clear(2)).unwrap());
        assert_eq!(given(history).state().unwrap().status, Status::Resolved);
    }

    #[test]
    fn refiring_reopens_a_resolved_incident_and_flapping_is_marked() {
        let mut history = vec![opened_by_monitoring()];
        history.extend(given(history.clone()).when(clear(1)).unwrap());
        let refire = monitor(MonitorCommand::Refire {
            alarm: AlarmId(uuid::Uuid::from_u128(1)),
        });
        history.extend(given(history.clone()).when(refire.clone()).unwrap());
        let state = given(history.clone()).state().unwrap();
        assert_eq!(state.status, Status::New);
        assert_eq!(state.reopen_count, 1);
        assert!(!state.monitoring.all_cleared());
        assert!(
            !state.monitoring.human_touched,
            "monitoring's own moves are not a person's"
        );
        assert_eq!(
            given(history.clone()).when(refire),
            Ok(vec![]),
            "an open incident needs no reopen"
        );
        let flap = given(history.clone())
            .when(monitor(MonitorCommand::SetFlapping(true)))
            .unwrap();
        assert!(
            given([history, flap].concat())
                .state()
                .unwrap()
                .monitoring
                .flapping
        );
    }
}

#[test]
fn the_stored_event_trait_reads_and_writes_like_the_enum() {
    use crate::codec::StoredEvent;
    let event = opened();
    assert_eq!(
        <IncidentEvent as StoredEvent>::event_type(&event),
        "IncidentOpened"
    );
    assert_eq!(<IncidentEvent as StoredEvent>::SCHEMA_VERSION, 1);
    let json = <IncidentEvent as StoredEvent>::to_json(&event);
    assert_eq!(
        <IncidentEvent as StoredEvent>::from_stored("IncidentOpened", 1, &json).unwrap(),
        event
    );
}
