//! The repeat journal: repeats of firing alarms, written once per ingest batch as one event
//! listing every alarm that repeated in it (how often, first and last seen), instead of one
//! `AlarmRepeated` in each alarm's own stream.
//!
//! Why: under load nearly every delivery is a repeat, and an event in an alarm's own stream
//! lands on that stream's page of the log's `(stream, version)` index, a different page for
//! each alarm. One journal event per batch costs one row however many alarms it covers. The
//! alarm's own stream keeps every change of state (raised, resolved, severity, flapping,
//! links); the journal only adds to counts and `last_seen`.
//!
//! Folding an alarm's own stream without the journal gives its exact state except
//! `occurrences`, `last_seen` and the repeats in its flap history; the read model adds the
//! journal's counts, and the ingestor keeps the live values in memory.

use super::event::Repeated;
use super::state::{Alarm, AlarmId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The one stream the journal is written to. Not `alarm-...`: that prefix names alarm streams.
pub const REPEATS_STREAM: &str = "alarm_repeats";

#[derive(Debug, Clone, PartialEq)]
pub enum AlarmJournalEvent {
    AlarmsRepeated(RepeatedAlarms),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepeatedAlarms {
    pub repeats: Vec<JournaledRepeat>,
}

/// The repeats of one alarm within one batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournaledRepeat {
    pub alarm: AlarmId,
    pub count: u64,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

crate::event_codec!(AlarmJournalEvent { AlarmsRepeated });

impl AlarmJournalEvent {
    pub const SCHEMA_VERSION: u32 = 1;
}

/// A batch's repeats, merged per alarm in the order alarms first repeated.
#[derive(Debug, Default)]
pub struct RepeatJournal {
    repeats: Vec<JournaledRepeat>,
    index: std::collections::HashMap<AlarmId, usize>,
}

impl RepeatJournal {
    pub fn add(&mut self, alarm: AlarmId, repeated: &Repeated) {
        match self.index.get(&alarm) {
            Some(&i) => {
                if let Some(entry) = self.repeats.get_mut(i) {
                    entry.count += repeated.count;
                    entry.last_seen = entry.last_seen.max(repeated.last_seen);
                }
            }
            None => {
                self.index.insert(alarm, self.repeats.len());
                self.repeats.push(JournaledRepeat {
                    alarm,
                    count: repeated.count,
                    first_seen: repeated.last_seen,
                    last_seen: repeated.last_seen,
                });
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.repeats.is_empty()
    }

    /// The journal event for the batch, None when nothing repeated.
    pub fn into_event(self) -> Option<AlarmJournalEvent> {
        (!self.repeats.is_empty()).then_some(AlarmJournalEvent::AlarmsRepeated(RepeatedAlarms {
            repeats: self.repeats,
        }))
    }
}

/// Splits a delivery's events into those for the alarm's own stream and its repeat, which
/// goes to the journal.
pub fn split_repeat(events: Vec<super::AlarmEvent>) -> (Vec<super::AlarmEvent>, Option<Repeated>) {
    let mut own = Vec::with_capacity(events.len());
    let mut repeat: Option<Repeated> = None;
    for event in events {
        match event {
            super::AlarmEvent::AlarmRepeated(r) => {
                repeat = Some(match repeat {
                    Some(before) => Repeated {
                        count: before.count + r.count,
                        last_seen: before.last_seen.max(r.last_seen),
                    },
                    None => r,
                });
            }
            other => own.push(other),
        }
    }
    (own, repeat)
}

/// What a journaled repeat does to the alarm: what `AlarmRepeated` does, except that the
/// alarm's stream version stays (the journal is another stream).
pub fn apply_repeat(alarm: &mut Alarm, count: u64, last_seen: DateTime<Utc>) {
    super::evolve::count_repeats(alarm, count, last_seen);
}
