//! The incident: an unplanned interruption or reduction in quality of a service (ITIL).
//!
//! Lifecycle: new -> assigned -> in_progress <-> pending -> resolved -> closed, with reopen from
//! resolved and cancel from any open state. `decide` turns a command into events, `evolve` folds
//! events into state; both are pure.

mod command;
mod decide;
mod event;
mod evolve;
mod monitoring;
mod notification;
mod notification_evolve;
mod sla;
mod state;
#[cfg(test)]
mod tests;
mod thresholds;
#[cfg(test)]
mod thresholds_tests;

pub use command::{
    AddComment, AssignIncident, ChangeStatus, IncidentCommand, LinkIncident, OpenIncident,
    UpdateIncident,
};
pub use decide::{decide, DecisionContext};
pub use event::{Escalated, IncidentEvent, UnknownEvent};
pub use evolve::{evolve, replay};
pub use monitoring::{AttachedAlarm, MonitorCommand, Monitoring};
pub use notification::{
    Delivered, DeliveryFailed, DeliveryOutcome, Notification, NotificationState,
    NotificationStatus, Recipient, Retried,
};
pub use sla::{IncidentSla, SlaApplied, SlaSummary};
pub use state::{
    Comment, FieldChanges, Incident, IncidentId, Link, LinkKind, PendingReason, Resolution,
    ResolutionCode, Status, Visibility,
};
