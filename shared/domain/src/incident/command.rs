use super::state::{
    FieldChanges, IncidentId, LinkKind, PendingReason, ResolutionCode, Status, Visibility,
};
use crate::{Impact, Urgency};

/// What someone asks of an incident. Values are already validated (parsed at the edge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncidentCommand {
    Open(OpenIncident),
    Update(UpdateIncident),
    Assign(AssignIncident),
    ChangeStatus(ChangeStatus),
    AddComment(AddComment),
    Link(LinkIncident),
    Unlink(LinkIncident),
    Monitor(super::monitoring::MonitorCommand),
    /// Put the ticket on this contract's SLA (at opening, or when what chose it changed).
    ApplySla(super::sla::SlaApplied),
    /// Record the SLA thresholds reached by now (the scheduler's command; idempotent), with
    /// who answers to the names its escalation levels notify.
    CheckSla(Vec<super::notification::Recipient>),
    /// Record how a try at delivering a notification went (the notifier's; idempotent).
    RecordDelivery {
        id: uuid::Uuid,
        attempt: u32,
        outcome: super::notification::DeliveryOutcome,
    },
    /// Send a failed or dead-lettered notification again.
    RetryNotification {
        id: uuid::Uuid,
        by: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenIncident {
    pub id: IncidentId,
    pub title: String,
    pub description: String,
    pub caller: Option<String>,
    pub customer: Option<String>,
    pub service: Option<String>,
    pub configuration_item: Option<String>,
    pub category: Option<String>,
    pub impact: Impact,
    pub urgency: Urgency,
    pub assignment_group: Option<String>,
    pub assignee: Option<String>,
    pub opened_by: String,
    /// The alarm that opened it, when monitoring did.
    pub alarm: Option<super::monitoring::AttachedAlarm>,
}

/// Descriptive fields to change; priority is derived, never set here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateIncident {
    pub changes: FieldChanges,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignIncident {
    pub assignment_group: Option<String>,
    pub assignee: Option<String>,
}

/// A move to a target status; what it means depends on where the incident is
/// (in_progress from resolved is a reopen, from pending a resume).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeStatus {
    pub to: Status,
    pub pending_reason: Option<PendingReason>,
    pub resolution_code: Option<ResolutionCode>,
    pub note: Option<String>,
    pub by: String,
}

impl ChangeStatus {
    pub fn to(to: Status, by: &str) -> Self {
        Self {
            to,
            pending_reason: None,
            resolution_code: None,
            note: None,
            by: by.to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddComment {
    pub comment_id: uuid::Uuid,
    pub visibility: Visibility,
    pub body: String,
    pub author: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkIncident {
    pub kind: LinkKind,
    pub target: IncidentId,
}
