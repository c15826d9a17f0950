use super::state::{FieldChanges, IncidentId, Link, PendingReason, ResolutionCode, Visibility};
use crate::sla::ThresholdReached;
use crate::{Impact, Priority, Urgency};
use serde::{Deserialize, Serialize};

pub use crate::codec::UnknownEvent;

/// Facts about an incident, in the past tense. Each variant's payload is the event's `data`;
/// the variant name is its `type`. Adding a field with a default is backwards compatible;
/// anything else bumps `SCHEMA_VERSION` and gets an upcaster in `from_stored`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncidentEvent {
    IncidentOpened(Opened),
    IncidentUpdated(Updated),
    IncidentAssigned(Assigned),
    IncidentWorkStarted(WorkStarted),
    IncidentPended(Pended),
    IncidentResolved(Resolved),
    IncidentClosed(Closed),
    IncidentReopened(Reopened),
    IncidentCancelled(Cancelled),
    CommentAdded(CommentAdded),
    IncidentLinked(Linked),
    IncidentUnlinked(Linked),
    IncidentAlarmAttached(AlarmAttached),
    IncidentAlarmCleared(AlarmCleared),
    IncidentFlappingChanged(FlappingChanged),
    IncidentRecovered(Recovered),
    IncidentRefired(AlarmCleared),
    IncidentSlaApplied(super::sla::SlaApplied),
    SlaWarningReached(ThresholdReached),
    SlaBreached(ThresholdReached),
    SlaEscalated(Escalated),
    NotificationQueued(super::notification::Notification),
    NotificationSent(super::notification::Delivered),
    NotificationFailed(super::notification::DeliveryFailed),
    NotificationRetried(super::notification::Retried),
}

impl IncidentEvent {
    /// Events monitoring causes; every other event after the opening means a person acted.
    pub fn is_monitoring(&self) -> bool {
        matches!(
            self,
            Self::IncidentAlarmAttached(_)
                | Self::IncidentAlarmCleared(_)
                | Self::IncidentFlappingChanged(_)
                | Self::IncidentRecovered(_)
                | Self::IncidentRefired(_)
        )
    }

    /// Events no person caused: monitoring's, and the SLA's (applied by contract, thresholds
    /// reached by the clock). Only the others count as someone having worked on the ticket.
    pub fn is_automatic(&self) -> bool {
        self.is_monitoring()
            || matches!(
                self,
                Self::IncidentSlaApplied(_)
                    | Self::SlaWarningReached(_)
                    | Self::SlaBreached(_)
                    | Self::SlaEscalated(_)
                    | Self::NotificationQueued(_)
                    | Self::NotificationSent(_)
                    | Self::NotificationFailed(_)
            )
    }
}

/// An escalation level reached, with what it did: `raise_priority` and `reassign_group` only
/// when they changed something, and whom it asked to be told (the notifier delivers that).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalated {
    pub reached: ThresholdReached,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raise_priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reassign_group: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notify: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmAttached {
    pub alarm: super::monitoring::AttachedAlarm,
}

/// Names the alarm (`IncidentAlarmCleared`: it recovered; `IncidentRefired`: it fired again and
/// reopened the incident).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmCleared {
    pub alarm: crate::alarm::AlarmId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlappingChanged {
    pub flapping: bool,
}

/// Resolved by monitoring: every alarm recovered and nobody had touched the incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recovered {
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opened {
    pub id: IncidentId,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub caller: Option<String>,
    #[serde(default)]
    pub customer: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub configuration_item: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    pub impact: Impact,
    pub urgency: Urgency,
    pub priority: Priority,
    #[serde(default)]
    pub assignment_group: Option<String>,
    #[serde(default)]
    pub assignee: Option<String>,
    pub opened_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarm: Option<super::monitoring::AttachedAlarm>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Updated {
    pub changes: FieldChanges,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assigned {
    pub assignment_group: Option<String>,
    pub assignee: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkStarted {
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pended {
    pub reason: PendingReason,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolved {
    pub code: ResolutionCode,
    pub notes: String,
    pub resolved_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closed {
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reopened {
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancelled {
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentAdded {
    pub comment_id: uuid::Uuid,
    pub visibility: Visibility,
    pub body: String,
    pub author: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Linked {
    pub link: Link,
}

crate::event_codec!(IncidentEvent {
    IncidentOpened,
    IncidentUpdated,
    IncidentAssigned,
    IncidentWorkStarted,
    IncidentPended,
    IncidentResolved,
    IncidentClosed,
    IncidentReopened,
    IncidentCancelled,
    CommentAdded,
    IncidentLinked,
    IncidentUnlinked,
    IncidentAlarmAttached,
    IncidentAlarmCleared,
    IncidentFlappingChanged,
    IncidentRecovered,
    IncidentRefired,
    IncidentSlaApplied,
    SlaWarningReached,
    SlaBreached,
    SlaEscalated,
    NotificationQueued,
    NotificationSent,
    NotificationFailed,
    NotificationRetried,
});

impl IncidentEvent {
    pub const SCHEMA_VERSION: u32 = 1;
}
