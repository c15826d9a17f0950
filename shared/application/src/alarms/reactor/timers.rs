//! Rechecks due by the injected clock, each alarm once however many times it asked.

use chrono::{DateTime, Utc};
use servicedesk_domain::alarm::AlarmId;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Default)]
pub(super) struct Timers {
    due: BTreeMap<DateTime<Utc>, BTreeSet<AlarmId>>,
}

impl Timers {
    pub(super) fn at(&mut self, when: DateTime<Utc>, alarm: AlarmId) {
        self.due.entry(when).or_default().insert(alarm);
    }

    /// The alarms due at or before `now`, each once; later ones stay.
    pub(super) fn take_due(&mut self, now: DateTime<Utc>) -> BTreeSet<AlarmId> {
        let later = self
            .due
            .split_off(&(now + chrono::Duration::microseconds(1)));
        let due = std::mem::replace(&mut self.due, later);
        due.into_values().flatten().collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_alarm_is_due_once_at_its_time_and_not_before() {
        let now = DateTime::parse_from_rfc3339("2026-12-04T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let (a, b) = (
            AlarmId(uuid::Uuid::from_u128(1)),
            AlarmId(uuid::Uuid::from_u128(2)),
        );
        let mut timers = Timers::default();
        timers.at(now + chrono::Duration::minutes(15), a);
        timers.at(now + chrono::Duration::minutes(10), a);
        timers.at(now + chrono::Duration::minutes(20), b);
        assert!(timers.take_due(now).is_empty());
        let due = timers.take_due(now + chrono::Duration::minutes(15));
        assert_eq!(due.into_iter().collect::<Vec<_>>(), vec![a]);
        assert!(timers
            .take_due(now + chrono::Duration::minutes(19))
            .is_empty());
        let due = timers.take_due(now + chrono::Duration::minutes(20));
        assert_eq!(due.into_iter().collect::<Vec<_>>(), vec![b]);
    }
}
