//! What a Nagios/Icinga notification tells beyond the canonical alarm: the rules need the
//! state type (a SOFT state may still recover on its own) and the state as the sender spelled it.

use crate::canonical::CanonicalAlarm;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NagiosNotification {
    pub alarm: CanonicalAlarm,
    pub notification_type: NotificationType,
    pub object: CheckObject,
    pub state: CheckState,
    /// The state exactly as sent (`CRITICAL`, `critical`, `2`).
    pub raw_state: String,
    /// HARD or SOFT when the sender said; `None` when it did not.
    pub state_type: Option<StateType>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationType {
    Problem,
    Recovery,
    Acknowledgement,
    FlappingStart,
    /// FLAPPINGSTOP, or Icinga 2's FLAPPINGEND.
    FlappingStop,
    FlappingDisabled,
    DowntimeStart,
    DowntimeEnd,
    /// DOWNTIMECANCELLED, or Icinga 2's DOWNTIMEREMOVED.
    DowntimeCancelled,
    Custom,
}

/// What was checked: a host, or a service on a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckObject {
    Host,
    Service,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckState {
    // Service states.
    Ok,
    Warning,
    Critical,
    Unknown,
    // Host states.
    Up,
    Down,
    Unreachable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StateType {
    /// Confirmed after the configured number of check attempts.
    Hard,
    /// Not yet confirmed: the check is being retried.
    Soft,
}
