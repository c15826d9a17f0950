use super::command::{AlarmCommand, ReceiveAlarm};
use super::event::{self as ev, AlarmEvent};
use super::flapping::flapping_after;
use super::state::{Alarm, AlarmSnapshot};
use crate::alarm::canonical::{AlarmStatus, Lifecycle};
use crate::DomainError;
use chrono::{DateTime, Utc};

/// Decides what a delivery or a policy command means for the alarm. Deliveries never fail:
/// whatever a monitoring system says is recorded for what it is (a resolve for an alarm never
/// seen is dropped, as PagerDuty does).
/// `_now` is part of the signature every `decide` has; deliveries carry their own receive time.
pub fn decide(
    state: Option<&Alarm>,
    command: &AlarmCommand,
    _now: DateTime<Utc>,
) -> Result<Vec<AlarmEvent>, DomainError> {
    match command {
        AlarmCommand::Receive(receive) => Ok(decide_delivery(state, receive)),
        AlarmCommand::LinkIncident { incident } => {
            let alarm = state.ok_or(DomainError::NotFound)?;
            if alarm.incident == Some(*incident) {
                return Ok(vec![]);
            }
            Ok(vec![AlarmEvent::AlarmIncidentLinked(ev::IncidentLink {
                incident: *incident,
            })])
        }
        AlarmCommand::UnlinkIncident { incident } => {
            let alarm = state.ok_or(DomainError::NotFound)?;
            if alarm.incident != Some(*incident) {
                return Ok(vec![]);
            }
            Ok(vec![AlarmEvent::AlarmIncidentUnlinked(ev::IncidentLink {
                incident: *incident,
            })])
        }
    }
}

/// What a delivery means for the alarm (`decide` of `AlarmCommand::Receive`, for callers that
/// keep the delivery themselves).
pub fn decide_delivery(state: Option<&Alarm>, receive: &ReceiveAlarm) -> Vec<AlarmEvent> {
    let incoming = &receive.alarm;
    let at = incoming.received_at;
    let current = state.map(|a| a.status);
    let mut events = Vec::new();
    match (current, incoming.status) {
        (None | Some(AlarmStatus::Resolved), AlarmStatus::Firing) => {
            events.push(AlarmEvent::AlarmRaised(Box::new(ev::Raised {
                snapshot: snapshot(receive),
                received_at: at,
            })));
        }
        (Some(AlarmStatus::Firing | AlarmStatus::Acknowledged), AlarmStatus::Firing) => {
            events.push(AlarmEvent::AlarmRepeated(ev::Repeated {
                count: 1,
                last_seen: at,
            }));
            if let Some(alarm) = state {
                if alarm.snapshot.severity != incoming.severity {
                    events.push(AlarmEvent::AlarmSeverityChanged(ev::SeverityChanged {
                        from: alarm.snapshot.severity,
                        to: incoming.severity,
                    }));
                }
            }
        }
        (Some(AlarmStatus::Firing | AlarmStatus::Acknowledged), AlarmStatus::Resolved) => {
            events.push(AlarmEvent::AlarmResolved(ev::Resolved { received_at: at }));
        }
        (Some(AlarmStatus::Firing), AlarmStatus::Acknowledged) => {
            events.push(AlarmEvent::AlarmAcknowledged(ev::Acknowledged {
                received_at: at,
            }));
        }
        // Resolving or acknowledging what is not firing: a retry or a stray; nothing changes.
        (None | Some(AlarmStatus::Resolved), AlarmStatus::Resolved | AlarmStatus::Acknowledged)
        | (Some(AlarmStatus::Acknowledged), AlarmStatus::Acknowledged) => {}
    }
    if state.is_none() && events.is_empty() {
        return events;
    }
    match incoming.lifecycle {
        Some(Lifecycle::FlappingStart) if !state.is_some_and(|a| a.flapping) => {
            events.push(AlarmEvent::AlarmFlappingStarted(ev::Flapping {
                percent: None,
            }));
            return events;
        }
        Some(Lifecycle::FlappingStop) if state.is_some_and(|a| a.flapping) => {
            events.push(AlarmEvent::AlarmFlappingStopped(ev::Flapping {
                percent: None,
            }));
            return events;
        }
        Some(
            lifecycle @ (Lifecycle::DowntimeStart
            | Lifecycle::DowntimeEnd
            | Lifecycle::DowntimeCancelled
            | Lifecycle::Custom),
        ) => {
            events.push(AlarmEvent::AlarmLifecycleNoted(ev::LifecycleNoted {
                lifecycle,
                received_at: at,
            }));
        }
        _ => {}
    }
    events.extend(flapping_change(state, &events, receive));
    events
}

/// Runs the new state changes through the flap detector and reports a crossing. Works on a
/// copy of the history only (the same records `evolve` makes): this runs for every delivery.
fn flapping_change(
    state: Option<&Alarm>,
    events: &[AlarmEvent],
    receive: &ReceiveAlarm,
) -> Option<AlarmEvent> {
    let was_flapping = state.is_some_and(|a| a.flapping);
    let mut history = match state {
        Some(alarm) => alarm.history.clone(),
        // A new alarm exists only once raised.
        None if matches!(events.first(), Some(AlarmEvent::AlarmRaised(_))) => Default::default(),
        None => return None,
    };
    for event in events {
        match event {
            AlarmEvent::AlarmRaised(_) => history.record(true),
            AlarmEvent::AlarmRepeated(r) => {
                for _ in 0..r.count.min(super::flapping::HISTORY as u64) {
                    history.record(true);
                }
            }
            AlarmEvent::AlarmResolved(_) => history.record(false),
            _ => {}
        }
    }
    let percent = history.percent_change();
    match (
        was_flapping,
        flapping_after(was_flapping, percent, receive.flap_thresholds),
    ) {
        (false, true) => Some(AlarmEvent::AlarmFlappingStarted(ev::Flapping {
            percent: Some(percent),
        })),
        (true, false) => Some(AlarmEvent::AlarmFlappingStopped(ev::Flapping {
            percent: Some(percent),
        })),
        _ => None,
    }
}

fn snapshot(receive: &ReceiveAlarm) -> AlarmSnapshot {
    let a = &receive.alarm;
    AlarmSnapshot {
        integration: receive.integration,
        source: a.source,
        fingerprint: a.fingerprint.clone(),
        severity: a.severity,
        summary: a.summary.clone(),
        host: a.host.clone(),
        configuration_item: a.configuration_item.clone(),
        service: a.service.clone(),
        alarm_name: a.alarm_name.clone(),
        labels: a.labels.clone(),
        annotations: a.annotations.clone(),
        links: a.links.clone(),
        started_at: a.started_at,
    }
}
