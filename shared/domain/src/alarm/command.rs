use super::flapping::FlapThresholds;
use crate::alarm::canonical::CanonicalAlarm;
use crate::incident::IncidentId;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub enum AlarmCommand {
    /// A delivery from a monitoring system.
    Receive(Box<ReceiveAlarm>),
    /// The alarm policy tied this alarm to an incident (opened, joined or reopened).
    LinkIncident { incident: IncidentId },
    /// The incident it fed is over (closed, cancelled or resolved by a human): the next firing
    /// needs a decision of its own.
    UnlinkIncident { incident: IncidentId },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReceiveAlarm {
    pub integration: Uuid,
    pub alarm: CanonicalAlarm,
    pub flap_thresholds: FlapThresholds,
}
