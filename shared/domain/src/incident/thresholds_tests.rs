//! Given a ticket's events at their instants, when the scheduler checks at an instant, then
//! the threshold events it records: each once, in the order they fell due.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::event as ev;
use super::notification::{DeliveryOutcome, NotificationStatus, Recipient};
use super::*;
use crate::calendar::CalendarSpec;
use crate::sla::{SlaSpec, Threshold, TimerKind};
use crate::{Impact, Priority, PriorityMatrix, Urgency};
use chrono::{DateTime, Duration, TimeZone, Utc};

/// Monday 7 December 2026, 09:00 UTC.
fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap()
}

fn minutes(m: i64) -> DateTime<Utc> {
    monday() + Duration::minutes(m)
}

fn sla(extra: serde_json::Value) -> SlaSpec {
    let mut spec = serde_json::json!({
        "name": "Gold",
        "targets": [
            {"ticket_type": "incident", "priority": "P2", "respond_seconds": 1800,
             "resolve_seconds": 14400, "update_every_seconds": 3600},
            {"ticket_type": "incident", "priority": "P1", "respond_seconds": 900,
             "resolve_seconds": 3600}
        ]
    });
    for (k, v) in extra.as_object().unwrap() {
        spec[k] = v.clone();
    }
    let spec: SlaSpec = serde_json::from_value(spec).unwrap();
    spec.validate().unwrap();
    spec
}

fn applied(spec: SlaSpec, calendar: Option<CalendarSpec>) -> IncidentEvent {
    IncidentEvent::IncidentSlaApplied(SlaApplied {
        contract: uuid::Uuid::from_u128(1),
        sla: uuid::Uuid::from_u128(2),
        spec,
        calendar,
    })
}

fn opened(alarm: bool) -> IncidentEvent {
    let open = OpenIncident {
        id: IncidentId(uuid::Uuid::from_u128(7)),
        title: "Web shop down".into(),
        description: String::new(),
        caller: None,
        customer: Some("acme".into()),
        service: Some("shop".into()),
        configuration_item: Some("web1".into()),
        category: None,
        impact: Impact::High,
        urgency: Urgency::Medium,
        assignment_group: None,
        assignee: None,
        opened_by: "monitoring".into(),
        alarm: alarm.then(|| AttachedAlarm {
            alarm: crate::alarm::AlarmId(uuid::Uuid::from_u128(9)),
            fingerprint: "shop-down".into(),
            summary: "ShopDown".into(),
            cleared: false,
            occurrences: None,
            last_seen: None,
        }),
    };
    let ctx = DecisionContext {
        now: minutes(0),
        priority_matrix: PriorityMatrix::default(),
    };
    decide(None, &IncidentCommand::Open(open), &ctx)
        .unwrap()
        .remove(0)
}

struct Given(Vec<(IncidentEvent, DateTime<Utc>)>);

impl Given {
    fn state(&self) -> Incident {
        replay(self.0.iter().map(|(e, at)| (e, *at))).unwrap()
    }

    fn check_at(&self, now: DateTime<Utc>) -> Vec<IncidentEvent> {
        let ctx = DecisionContext {
            now,
            priority_matrix: PriorityMatrix::default(),
        };
        decide(
            Some(&self.state()),
            &IncidentCommand::CheckSla(Vec::new()),
            &ctx,
        )
        .unwrap()
    }

    fn and(mut self, events: Vec<IncidentEvent>, at: DateTime<Utc>) -> Self {
        self.0.extend(events.into_iter().map(|e| (e, at)));
        self
    }
}

fn given(sla_spec: SlaSpec) -> Given {
    Given(vec![
        (opened(false), minutes(0)),
        (applied(sla_spec, None), minutes(0)),
    ])
}

/// (event type, timer, due_at) of each event.
fn shape(events: &[IncidentEvent]) -> Vec<(&'static str, TimerKind, DateTime<Utc>)> {
    events
        .iter()
        .map(|e| match e {
            IncidentEvent::SlaWarningReached(r) => ("warning", r.timer, r.due_at),
            IncidentEvent::SlaBreached(r) => ("breach", r.timer, r.due_at),
            IncidentEvent::SlaEscalated(x) => ("escalation", x.reached.timer, x.reached.due_at),
            other => panic!("not a threshold event: {other:?}"),
        })
        .collect()
}

#[test]
fn nothing_is_due_before_the_warning_share_and_the_warning_fires_at_it() {
    let ticket = given(sla(serde_json::json!({})));
    assert_eq!(ticket.state().priority, Priority::P2);
    assert!(ticket.check_at(minutes(22)).is_empty());
    // 75% of 30 minutes: 22:30
    assert_eq!(
        shape(&ticket.check_at(minutes(23))),
        vec![(
            "warning",
            TimerKind::Respond,
            minutes(22) + Duration::seconds(30)
        )]
    );
}

#[test]
fn a_recorded_threshold_is_not_recorded_again() {
    let ticket = given(sla(serde_json::json!({})));
    let first = ticket.check_at(minutes(31));
    assert_eq!(
        shape(&first),
        vec![
            (
                "warning",
                TimerKind::Respond,
                minutes(22) + Duration::seconds(30)
            ),
            ("breach", TimerKind::Respond, minutes(30)),
        ]
    );
    let ticket = ticket.and(first, minutes(31));
    assert!(ticket.check_at(minutes(31)).is_empty());
    assert!(ticket.check_at(minutes(40)).is_empty());
}

#[test]
fn a_catch_up_after_downtime_records_every_threshold_in_the_order_it_fell_due() {
    let ticket = given(sla(serde_json::json!({})));
    let events = ticket.check_at(minutes(5 * 60));
    assert_eq!(
        shape(&events),
        vec![
            (
                "warning",
                TimerKind::Respond,
                minutes(22) + Duration::seconds(30)
            ),
            ("breach", TimerKind::Respond, minutes(30)),
            ("warning", TimerKind::Update, minutes(45)),
            ("breach", TimerKind::Update, minutes(60)),
            ("warning", TimerKind::Resolve, minutes(180)),
            ("breach", TimerKind::Resolve, minutes(240)),
        ]
    );
    let state = ticket.and(events, minutes(300)).state();
    assert_eq!(state.sla.unwrap().reached.len(), 6);
}

#[test]
fn a_customer_update_starts_the_update_timer_over_and_its_thresholds_fire_again() {
    let assign = IncidentEvent::IncidentAssigned(ev::Assigned {
        assignment_group: Some("ops".into()),
        assignee: Some("bob".into()),
    });
    let ticket = given(sla(serde_json::json!({}))).and(vec![assign], minutes(5));
    let warned = ticket.check_at(minutes(46));
    assert_eq!(
        shape(&warned),
        vec![("warning", TimerKind::Update, minutes(45))]
    );
    let comment = IncidentEvent::CommentAdded(ev::CommentAdded {
        comment_id: uuid::Uuid::from_u128(3),
        visibility: Visibility::Customer,
        body: "We are on it".into(),
        author: "bob".into(),
    });
    let ticket = ticket
        .and(warned, minutes(46))
        .and(vec![comment], minutes(50));
    assert!(ticket.check_at(minutes(90)).is_empty());
    let again = ticket.check_at(minutes(96));
    assert_eq!(
        shape(&again),
        vec![("warning", TimerKind::Update, minutes(95))]
    );
    let IncidentEvent::SlaWarningReached(r) = &again[0] else {
        panic!()
    };
    assert_eq!(r.cycle, 1);
}

#[test]
fn an_escalation_level_raises_the_priority_reassigns_and_asks_for_a_notification() {
    let spec = sla(serde_json::json!({"escalations": [
        {"name": "duty manager", "timer": "resolve", "at_percent": 50, "priorities": ["P2"],
         "raise_priority": "P1", "reassign_group": "second-level", "notify": ["duty-manager"]}
    ]}));
    let assign = IncidentEvent::IncidentAssigned(ev::Assigned {
        assignment_group: Some("ops".into()),
        assignee: Some("bob".into()),
    });
    let comment = IncidentEvent::CommentAdded(ev::CommentAdded {
        comment_id: uuid::Uuid::from_u128(3),
        visibility: Visibility::Customer,
        body: "On it".into(),
        author: "bob".into(),
    });
    let ticket = given(spec)
        .and(vec![assign], minutes(1))
        .and(vec![comment.clone()], minutes(40))
        .and(vec![comment.clone()], minutes(80));
    let events = ticket.check_at(minutes(121));
    let IncidentEvent::SlaEscalated(escalated) = events.last().unwrap() else {
        panic!("{events:?}")
    };
    assert_eq!(escalated.reached.threshold, Threshold::Escalation(0));
    assert_eq!(escalated.reached.due_at, minutes(120));
    assert_eq!(escalated.raise_priority, Some(Priority::P1));
    assert_eq!(escalated.reassign_group.as_deref(), Some("second-level"));
    assert_eq!(escalated.notify, vec!["duty-manager".to_owned()]);
    let ticket = ticket.and(events, minutes(121));
    let state = ticket.state();
    assert_eq!(state.priority, Priority::P1);
    assert_eq!(state.assignment_group.as_deref(), Some("second-level"));
    assert_eq!(state.assignee, None);
    // P1 resolves in one hour: two hours have run, so its thresholds are recorded at once
    // (with the instants the business time passed them), and the P2-only level does not
    // apply to a P1.
    let next = ticket.check_at(minutes(121));
    assert_eq!(
        shape(&next),
        vec![
            ("warning", TimerKind::Resolve, minutes(45)),
            ("breach", TimerKind::Resolve, minutes(60)),
        ]
    );
}

#[test]
fn a_level_after_the_deadline_on_business_hours_falls_in_the_next_business_morning() {
    let calendar: CalendarSpec = serde_json::from_value(serde_json::json!({
        "name": "office", "time_zone": "UTC",
        "weekly": {"mon": [["09:00", "18:00"]], "tue": [["09:00", "18:00"]]}
    }))
    .unwrap();
    let spec = sla(serde_json::json!({"escalations": [
        {"timer": "resolve", "at_percent": 150, "notify": ["duty-manager"]}
    ]}));
    let ticket = Given(vec![
        (opened(false), minutes(8 * 60)), // Monday 17:00
        (applied(spec, Some(calendar)), minutes(8 * 60)),
    ]);
    let state = ticket.state();
    let resolve = state
        .sla
        .as_ref()
        .unwrap()
        .timers(state.priority, minutes(480))
        .into_iter()
        .find(|t| t.target == TimerKind::Resolve)
        .unwrap();
    // resolve: 4h of business time: 1h Monday, 3h Tuesday -> Tuesday 12:00;
    // the escalation at 6h -> Tuesday 14:00, never Monday night.
    let tuesday = |h: u32| Utc.with_ymd_and_hms(2026, 12, 8, h, 0, 0).unwrap();
    assert_eq!(resolve.due_at, Some(tuesday(12)));
    let events = ticket.check_at(tuesday(15));
    let escalation = shape(&events)
        .into_iter()
        .find(|(kind, ..)| *kind == "escalation")
        .unwrap();
    assert_eq!(escalation, ("escalation", TimerKind::Resolve, tuesday(14)));
    assert!(ticket
        .check_at(Utc.with_ymd_and_hms(2026, 12, 7, 23, 0, 0).unwrap())
        .iter()
        .all(|e| !matches!(e, IncidentEvent::SlaEscalated(_))));
}

#[test]
fn pending_pauses_by_reason_as_the_sla_says() {
    let spec = sla(serde_json::json!({"pause_by_reason": {"awaiting_vendor": false}}));
    let pend = |reason| IncidentEvent::IncidentPended(ev::Pended { reason, note: None });
    let assign = IncidentEvent::IncidentAssigned(ev::Assigned {
        assignment_group: None,
        assignee: Some("bob".into()),
    });
    let vendor = given(spec.clone())
        .and(vec![assign.clone()], minutes(1))
        .and(vec![pend(PendingReason::AwaitingVendor)], minutes(60));
    let resolve = |g: &Given| {
        let s = g.state();
        let sla = s.sla.unwrap();
        sla.timers(s.priority, minutes(200))
            .into_iter()
            .find(|t| t.target == TimerKind::Resolve)
            .unwrap()
    };
    assert_eq!(resolve(&vendor).elapsed_seconds, 200 * 60);
    let customer = given(spec)
        .and(vec![assign], minutes(1))
        .and(vec![pend(PendingReason::AwaitingCustomer)], minutes(60));
    let view = resolve(&customer);
    assert_eq!((view.elapsed_seconds, view.paused), (60 * 60, true));
}

#[test]
fn sla_events_do_not_count_as_someone_working_so_monitoring_still_recovers_the_incident() {
    let ticket = Given(vec![
        (opened(true), minutes(0)),
        (applied(sla(serde_json::json!({})), None), minutes(0)),
    ]);
    let warned = ticket.check_at(minutes(23));
    let ticket = ticket.and(warned, minutes(23));
    let state = ticket.state();
    assert!(!state.monitoring.human_touched);
    let ctx = DecisionContext {
        now: minutes(24),
        priority_matrix: PriorityMatrix::default(),
    };
    let clear = IncidentCommand::Monitor(MonitorCommand::Clear {
        alarm: crate::alarm::AlarmId(uuid::Uuid::from_u128(9)),
        resolve: true,
    });
    let events = decide(Some(&state), &clear, &ctx).unwrap();
    assert!(matches!(
        events.last(),
        Some(IncidentEvent::IncidentRecovered(_))
    ));
}

#[test]
fn the_summary_names_the_next_threshold_and_moves_on_once_it_is_recorded() {
    let ticket = given(sla(serde_json::json!({})));
    let state = ticket.state();
    let sla = state.sla.as_ref().unwrap();
    let summary = sla.summary(state.priority, minutes(0));
    assert_eq!(
        summary.next_threshold_at,
        Some(minutes(22) + Duration::seconds(30))
    );
    assert_eq!(summary.due_at, Some(minutes(30)));
    assert!(!summary.breached);
    let reached = ticket.check_at(minutes(31));
    let ticket = ticket.and(reached, minutes(31));
    let state = ticket.state();
    let summary = state
        .sla
        .as_ref()
        .unwrap()
        .summary(state.priority, minutes(31));
    assert_eq!(summary.next_threshold_at, Some(minutes(45)));
    assert!(summary.breached);
}

#[test]
fn a_closed_ticket_reaches_nothing() {
    let ticket = given(sla(serde_json::json!({}))).and(
        vec![IncidentEvent::IncidentCancelled(ev::Cancelled {
            reason: None,
        })],
        minutes(1),
    );
    assert!(ticket.check_at(minutes(600)).is_empty());
}

fn decide_at(ticket: &Given, command: IncidentCommand, now: DateTime<Utc>) -> Vec<IncidentEvent> {
    let ctx = DecisionContext {
        now,
        priority_matrix: PriorityMatrix::default(),
    };
    decide(Some(&ticket.state()), &command, &ctx).unwrap()
}

#[test]
fn an_escalation_queues_its_notifications_in_the_same_decision_and_each_is_delivered_once() {
    use crate::people::{Contact, ContactKind};
    let spec = sla(serde_json::json!({"escalations": [
        {"timer": "respond", "at_percent": 100, "notify": ["network"]}
    ]}));
    let recipient = |person: &str, kind, address: &str| Recipient {
        name: "network".into(),
        person: person.into(),
        contact: Contact {
            kind,
            address: address.into(),
        },
    };
    let directory = vec![
        recipient("bob", ContactKind::Email, "bob@example.com"),
        recipient("bob", ContactKind::Sms, "+4915112345678"),
        recipient(
            "carol",
            ContactKind::Webhook,
            "https://chat.example.com/hook",
        ),
    ];
    let ticket = given(spec);
    let events = decide_at(
        &ticket,
        IncidentCommand::CheckSla(directory.clone()),
        minutes(31),
    );
    let kinds: Vec<&str> = events.iter().map(|e| e.event_type()).collect();
    assert_eq!(
        kinds,
        vec![
            "SlaWarningReached",
            "SlaBreached",
            "SlaEscalated",
            "NotificationQueued",
            "NotificationQueued",
            "NotificationQueued"
        ]
    );
    let IncidentEvent::NotificationQueued(first) = &events[3] else {
        panic!()
    };
    assert_eq!(
        (first.channel, first.to.as_str()),
        (ContactKind::Email, "bob@example.com")
    );
    assert!(first.subject.contains("Web shop down"), "{}", first.subject);
    let id = first.id;
    let ticket = ticket.and(events, minutes(31));
    assert!(decide_at(&ticket, IncidentCommand::CheckSla(directory), minutes(32)).is_empty());

    // the first try fails and is retried; a stale or repeated outcome records nothing
    let failed = IncidentCommand::RecordDelivery {
        id,
        attempt: 1,
        outcome: DeliveryOutcome::Failed {
            error: "421 try later".into(),
            retry_at: Some(minutes(33)),
        },
    };
    let events = decide_at(&ticket, failed.clone(), minutes(32));
    assert_eq!(events.len(), 1);
    let ticket = ticket.and(events, minutes(32));
    assert!(
        decide_at(&ticket, failed, minutes(32)).is_empty(),
        "the same try twice"
    );
    let state = ticket.state();
    let n = state
        .notifications
        .iter()
        .find(|n| n.notification.id == id)
        .unwrap();
    assert_eq!(
        (n.status, n.attempts, n.next_attempt_at),
        (NotificationStatus::Failed, 1, Some(minutes(33)))
    );
    let sent = IncidentCommand::RecordDelivery {
        id,
        attempt: 2,
        outcome: DeliveryOutcome::Sent,
    };
    let decided = decide_at(&ticket, sent.clone(), minutes(33));
    let ticket = ticket.and(decided, minutes(33));
    assert!(
        decide_at(&ticket, sent, minutes(34)).is_empty(),
        "sent once"
    );
    let state = ticket.state();
    let n = state
        .notifications
        .iter()
        .find(|n| n.notification.id == id)
        .unwrap();
    assert_eq!(
        (n.status, n.sent_at),
        (NotificationStatus::Sent, Some(minutes(33)))
    );
    assert!(
        !state.monitoring.human_touched,
        "notifications are no one's work on the ticket"
    );

    // the last try dead-letters; a person's retry queues it again
    let other = state.notifications[1].notification.id;
    let dead = IncidentCommand::RecordDelivery {
        id: other,
        attempt: 1,
        outcome: DeliveryOutcome::Failed {
            error: "gateway down".into(),
            retry_at: None,
        },
    };
    let decided = decide_at(&ticket, dead, minutes(34));
    let ticket = ticket.and(decided, minutes(34));
    assert_eq!(
        ticket.state().notifications[1].status,
        NotificationStatus::Dead
    );
    let retry = IncidentCommand::RetryNotification {
        id: other,
        by: "alice".into(),
    };
    let decided = decide_at(&ticket, retry, minutes(40));
    let ticket = ticket.and(decided, minutes(40));
    let again = &ticket.state().notifications[1];
    assert_eq!(
        (again.status, again.next_attempt_at),
        (NotificationStatus::Queued, Some(minutes(40)))
    );
}
