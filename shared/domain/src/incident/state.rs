use crate::{Impact, Priority, Urgency};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

crate::stream_id!(
    /// An incident's identity; its event stream is `incident-<uuid>`.
    IncidentId,
    "incident-"
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    Assigned,
    InProgress,
    Pending,
    Resolved,
    Closed,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Self::New,
        Self::Assigned,
        Self::InProgress,
        Self::Pending,
        Self::Resolved,
        Self::Closed,
        Self::Cancelled,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Assigned => "assigned",
            Self::InProgress => "in_progress",
            Self::Pending => "pending",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Closed and cancelled incidents are final: nothing changes them any more.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Closed | Self::Cancelled)
    }

    /// Open means someone still owes work: not resolved, closed or cancelled.
    pub fn is_open(&self) -> bool {
        !matches!(self, Self::Resolved | Self::Closed | Self::Cancelled)
    }

    /// Target statuses reachable through a status change (assignment is its own command).
    pub fn allowed_targets(&self) -> Vec<Status> {
        use Status::*;
        match self {
            New => vec![Resolved, Cancelled],
            Assigned => vec![InProgress, Pending, Resolved, Cancelled],
            InProgress => vec![Pending, Resolved, Cancelled],
            Pending => vec![InProgress, Resolved, Cancelled],
            Resolved => vec![InProgress, Closed],
            Closed | Cancelled => vec![],
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PendingReason {
    AwaitingCustomer,
    AwaitingVendor,
    AwaitingChange,
    AwaitingProblem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResolutionCode {
    /// The cause was removed.
    PermanentFix,
    /// Service restored, cause still present (usually a problem exists).
    Workaround,
    /// Monitoring reported recovery before anyone acted.
    Recovered,
    Duplicate,
    NotReproducible,
    /// The caller solved it or withdrew it.
    CallerResolved,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Resolution {
    pub code: ResolutionCode,
    pub notes: String,
    pub resolved_by: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// A comment the customer sees.
    Customer,
    /// A work note for the service desk only.
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comment {
    pub id: uuid::Uuid,
    pub visibility: Visibility,
    pub body: String,
    pub author: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// The target is this incident's parent.
    Parent,
    /// The target is a child of this incident.
    Child,
    /// This incident duplicates the target.
    DuplicateOf,
    Related,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Link {
    pub kind: LinkKind,
    pub target: IncidentId,
}

/// The editable descriptive fields; `None` means "unchanged" in an update.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChanges {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "set_or_clear"
    )]
    pub caller: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "set_or_clear"
    )]
    pub customer: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "set_or_clear"
    )]
    pub service: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "set_or_clear"
    )]
    pub configuration_item: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "set_or_clear"
    )]
    pub category: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<Impact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<Urgency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
}

/// Keeps `null` apart from "absent": `Some(None)` clears a field, `None` leaves it alone.
fn set_or_clear<'de, D: serde::Deserializer<'de>>(
    de: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(de).map(Some)
}

impl FieldChanges {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The incident as its events made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Incident {
    pub id: IncidentId,
    /// The stream version of the last event applied (0 after opening); the ETag.
    pub version: u64,
    pub status: Status,
    pub title: String,
    pub description: String,
    pub caller: Option<String>,
    pub customer: Option<String>,
    pub service: Option<String>,
    pub configuration_item: Option<String>,
    pub category: Option<String>,
    pub impact: Impact,
    pub urgency: Urgency,
    pub priority: Priority,
    pub assignment_group: Option<String>,
    pub assignee: Option<String>,
    pub pending_reason: Option<PendingReason>,
    pub resolution: Option<Resolution>,
    pub comments: Vec<Comment>,
    pub links: Vec<Link>,
    pub opened_by: String,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub reopen_count: u32,
    #[serde(default)]
    pub monitoring: super::monitoring::Monitoring,
    /// The SLA the ticket runs on and its clocks (none without a contract).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<super::sla::IncidentSla>,
    /// Every notification sent about the ticket, and how it stands.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notifications: Vec<super::notification::NotificationState>,
}
