//! What monitoring knows about an incident: the alarms that feed it, whether they cleared,
//! flapping, and whether a person has touched it (which decides if a recovery may resolve it).

use crate::alarm::AlarmId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Monitoring {
    pub opened_by_monitoring: bool,
    pub alarms: Vec<AttachedAlarm>,
    pub flapping: bool,
    /// Anything but monitoring changed the incident since it was opened.
    pub human_touched: bool,
}

impl Monitoring {
    pub fn all_cleared(&self) -> bool {
        self.alarms.iter().all(|a| a.cleared)
    }

    pub fn attached(&self, alarm: AlarmId) -> Option<&AttachedAlarm> {
        self.alarms.iter().find(|a| a.alarm == alarm)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachedAlarm {
    pub alarm: AlarmId,
    pub fingerprint: String,
    pub summary: String,
    #[serde(default)]
    pub cleared: bool,
    /// Deliveries of the alarm so far, repeats included, and when it was last seen: filled in
    /// when the incident is read (they change with every repeat), never recorded in events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurrences: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<chrono::DateTime<chrono::Utc>>,
}

/// What the alarm policy asks of an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MonitorCommand {
    /// Another alarm of the same host joins (a storm), or an alarm fires again on an open one.
    Attach(AttachedAlarm),
    /// The alarm recovered; `resolve` when the rules let a recovery resolve an untouched incident.
    Clear {
        alarm: AlarmId,
        resolve: bool,
    },
    SetFlapping(bool),
    /// The alarm fired again within the reopen window of the incident it had resolved.
    Refire {
        alarm: AlarmId,
    },
}
