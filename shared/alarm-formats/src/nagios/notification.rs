//! Notification types and what they do to the alarm's status.

use super::types::{CheckState, NotificationType};
use crate::canonical::{AlarmStatus, Lifecycle};

impl NotificationType {
    pub const NAMES: [&'static str; 12] = [
        "PROBLEM",
        "RECOVERY",
        "ACKNOWLEDGEMENT",
        "FLAPPINGSTART",
        "FLAPPINGSTOP",
        "FLAPPINGEND",
        "FLAPPINGDISABLED",
        "DOWNTIMESTART",
        "DOWNTIMEEND",
        "DOWNTIMECANCELLED",
        "DOWNTIMEREMOVED",
        "CUSTOM",
    ];

    /// Case-insensitive; `_`, `-` and spaces are ignored (Icinga 2 writes `FlappingStart`
    /// in some places, `FLAPPINGSTART` in others).
    pub(crate) fn from_text(text: &str) -> Option<NotificationType> {
        let name: String = text
            .chars()
            .filter(|c| !matches!(c, '_' | '-' | ' '))
            .collect::<String>()
            .to_ascii_uppercase();
        Some(match name.as_str() {
            "PROBLEM" => NotificationType::Problem,
            "RECOVERY" => NotificationType::Recovery,
            "ACKNOWLEDGEMENT" | "ACKNOWLEDGMENT" => NotificationType::Acknowledgement,
            "FLAPPINGSTART" => NotificationType::FlappingStart,
            "FLAPPINGSTOP" | "FLAPPINGEND" => NotificationType::FlappingStop,
            "FLAPPINGDISABLED" => NotificationType::FlappingDisabled,
            "DOWNTIMESTART" => NotificationType::DowntimeStart,
            "DOWNTIMEEND" => NotificationType::DowntimeEnd,
            "DOWNTIMECANCELLED" | "DOWNTIMEREMOVED" => NotificationType::DowntimeCancelled,
            "CUSTOM" => NotificationType::Custom,
            _ => return None,
        })
    }

    /// Problem, recovery and acknowledgement change the alarm's status. The others are
    /// lifecycle signals: the check's current state says whether the alarm is still firing
    /// (a flapping check that stopped flapping in OK is resolved; one stuck in CRITICAL is not).
    pub(crate) fn status_and_lifecycle(
        self,
        state: CheckState,
    ) -> (AlarmStatus, Option<Lifecycle>) {
        let by_state = if state.is_ok() {
            AlarmStatus::Resolved
        } else {
            AlarmStatus::Firing
        };
        match self {
            NotificationType::Problem => (AlarmStatus::Firing, None),
            NotificationType::Recovery => (AlarmStatus::Resolved, None),
            NotificationType::Acknowledgement => (AlarmStatus::Acknowledged, None),
            NotificationType::FlappingStart => (by_state, Some(Lifecycle::FlappingStart)),
            NotificationType::FlappingStop | NotificationType::FlappingDisabled => {
                (by_state, Some(Lifecycle::FlappingStop))
            }
            NotificationType::DowntimeStart => (by_state, Some(Lifecycle::DowntimeStart)),
            NotificationType::DowntimeEnd => (by_state, Some(Lifecycle::DowntimeEnd)),
            NotificationType::DowntimeCancelled => (by_state, Some(Lifecycle::DowntimeCancelled)),
            NotificationType::Custom => (by_state, Some(Lifecycle::Custom)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_parses() {
        for name in NotificationType::NAMES {
            assert!(NotificationType::from_text(name).is_some(), "{name}");
        }
        assert_eq!(
            NotificationType::from_text("FlappingEnd"),
            Some(NotificationType::FlappingStop)
        );
        assert_eq!(NotificationType::from_text("OUTAGE"), None);
    }

    #[test]
    fn lifecycle_status_follows_state() {
        assert_eq!(
            NotificationType::FlappingStop.status_and_lifecycle(CheckState::Ok),
            (AlarmStatus::Resolved, Some(Lifecycle::FlappingStop))
        );
        assert_eq!(
            NotificationType::FlappingStart.status_and_lifecycle(CheckState::Critical),
            (AlarmStatus::Firing, Some(Lifecycle::FlappingStart))
        );
        assert_eq!(
            NotificationType::DowntimeStart.status_and_lifecycle(CheckState::Down),
            (AlarmStatus::Firing, Some(Lifecycle::DowntimeStart))
        );
    }
}
