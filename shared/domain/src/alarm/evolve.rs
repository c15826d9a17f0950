use super::event::AlarmEvent;
use super::state::{Alarm, AlarmId};
use crate::alarm::canonical::AlarmStatus;
use chrono::{DateTime, Utc};

/// Applies one event (`at`: the envelope's `occurred_at`). An alarm begins with `AlarmRaised`;
/// anything before it leaves the state empty, so folding never fails on history.
pub fn evolve(state: Option<Alarm>, event: &AlarmEvent, at: DateTime<Utc>) -> Option<Alarm> {
    use AlarmEvent as E;
    let mut alarm = match (state, event) {
        (None, E::AlarmRaised(raised)) => {
            let mut alarm = Alarm {
                id: AlarmId::for_key(raised.snapshot.integration, &raised.snapshot.fingerprint),
                version: 0,
                status: AlarmStatus::Firing,
                snapshot: raised.snapshot.clone(),
                occurrences: 1,
                first_seen: raised.received_at,
                last_seen: raised.received_at,
                firing_since: Some(raised.received_at),
                last_resolved_at: None,
                flapping: false,
                incident: None,
                incidents: Vec::new(),
                history: Default::default(),
            };
            alarm.history.record(true);
            return Some(alarm);
        }
        (None, _) => return None,
        (Some(alarm), _) => alarm,
    };
    alarm.version += 1;
    match event {
        E::AlarmRaised(raised) => {
            alarm.status = AlarmStatus::Firing;
            alarm.snapshot = raised.snapshot.clone();
            alarm.occurrences += 1;
            alarm.last_seen = raised.received_at;
            alarm.firing_since = Some(raised.received_at);
            alarm.history.record(true);
        }
        E::AlarmRepeated(repeated) => count_repeats(&mut alarm, repeated.count, repeated.last_seen),
        E::AlarmSeverityChanged(changed) => alarm.snapshot.severity = changed.to,
        E::AlarmResolved(resolved) => {
            alarm.status = AlarmStatus::Resolved;
            alarm.occurrences += 1;
            alarm.last_seen = resolved.received_at;
            alarm.firing_since = None;
            alarm.last_resolved_at = Some(resolved.received_at);
            alarm.history.record(false);
        }
        E::AlarmAcknowledged(ack) => {
            alarm.status = AlarmStatus::Acknowledged;
            alarm.occurrences += 1;
            alarm.last_seen = ack.received_at;
        }
        E::AlarmFlappingStarted(_) => alarm.flapping = true,
        E::AlarmFlappingStopped(_) => alarm.flapping = false,
        E::AlarmLifecycleNoted(noted) => {
            alarm.occurrences += 1;
            alarm.last_seen = noted.received_at;
        }
        E::AlarmIncidentLinked(link) => {
            alarm.incident = Some(link.incident);
            if !alarm.incidents.iter().any(|(id, _)| *id == link.incident) {
                alarm.incidents.push((link.incident, at));
            }
        }
        E::AlarmIncidentUnlinked(link) => {
            if alarm.incident == Some(link.incident) {
                alarm.incident = None;
            }
        }
    }
    Some(alarm)
}

/// Repeats are check results like any other: each goes into the flap history.
pub(super) fn count_repeats(alarm: &mut Alarm, count: u64, last_seen: DateTime<Utc>) {
    alarm.occurrences += count;
    alarm.last_seen = alarm.last_seen.max(last_seen);
    for _ in 0..count.min(super::flapping::HISTORY as u64) {
        alarm.history.record(true);
    }
}

pub fn replay<'a>(
    events: impl IntoIterator<Item = (&'a AlarmEvent, DateTime<Utc>)>,
) -> Option<Alarm> {
    events
        .into_iter()
        .fold(None, |state, (event, at)| evolve(state, event, at))
}
