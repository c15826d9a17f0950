use super::state::AlarmSnapshot;
use crate::alarm::canonical::{Lifecycle, Severity};
use crate::incident::IncidentId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Facts about an alarm. `decide` reports a repeat as `AlarmRepeated`; the ingestor records
/// repeats in the batch's repeat journal (see `journal`) rather than in the alarm's stream,
/// where only logs written before the journal hold them.
#[derive(Debug, Clone, PartialEq)]
pub enum AlarmEvent {
    AlarmRaised(Box<Raised>),
    AlarmRepeated(Repeated),
    AlarmSeverityChanged(SeverityChanged),
    AlarmResolved(Resolved),
    AlarmAcknowledged(Acknowledged),
    AlarmFlappingStarted(Flapping),
    AlarmFlappingStopped(Flapping),
    AlarmLifecycleNoted(LifecycleNoted),
    AlarmIncidentLinked(IncidentLink),
    AlarmIncidentUnlinked(IncidentLink),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Raised {
    pub snapshot: AlarmSnapshot,
    pub received_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repeated {
    pub count: u64,
    pub last_seen: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityChanged {
    pub from: Severity,
    pub to: Severity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolved {
    pub received_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledged {
    pub received_at: DateTime<Utc>,
}

/// `percent` is the weighted state change that crossed a threshold; None when the sender
/// itself reported the flapping (Nagios FLAPPINGSTART).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flapping {
    pub percent: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleNoted {
    pub lifecycle: Lifecycle,
    pub received_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentLink {
    pub incident: IncidentId,
}

crate::event_codec!(AlarmEvent {
    AlarmRaised,
    AlarmRepeated,
    AlarmSeverityChanged,
    AlarmResolved,
    AlarmAcknowledged,
    AlarmFlappingStarted,
    AlarmFlappingStopped,
    AlarmLifecycleNoted,
    AlarmIncidentLinked,
    AlarmIncidentUnlinked,
});

impl AlarmEvent {
    pub const SCHEMA_VERSION: u32 = 1;
}
