//! Notifications of a ticket: queued in the same append as the event that calls for them (an
//! escalation level's `notify`), then sent, failed (to be tried again) or dead-lettered, each
//! an event in the ticket's history. The ticket keeps each one's state, so recording a
//! delivery twice (a redelivered outbox entry, a second notifier) changes nothing.

use crate::people::{Contact, ContactKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who answers to a name an escalation level gives in `notify`: a person, or each member of
/// a group, with their contact methods. Looked up by the caller (the decision does no IO).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// The name as `notify` gives it.
    pub name: String,
    pub person: String,
    pub contact: Contact,
}

/// A message to one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    /// Deterministic: the same cause and address give the same id (the receivers'
    /// idempotency key).
    pub id: uuid::Uuid,
    pub channel: ContactKind,
    pub to: String,
    pub person: String,
    pub subject: String,
    pub body: String,
    /// Why it is sent, e.g. `sla escalation: resolve at 150%`.
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotificationStatus {
    Queued,
    Sent,
    /// The last try failed; another is due at `next_attempt_at`.
    Failed,
    /// Every try failed; only a person's retry sends it again.
    Dead,
}

impl NotificationStatus {
    pub const NAMES: [&'static str; 4] = ["queued", "sent", "failed", "dead"];

    pub fn as_str(&self) -> &'static str {
        Self::NAMES[*self as usize]
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Queued, Self::Sent, Self::Failed, Self::Dead]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    /// Still to be delivered.
    pub fn is_pending(&self) -> bool {
        matches!(self, Self::Queued | Self::Failed)
    }
}

/// A notification and how it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationState {
    #[serde(flatten)]
    pub notification: Notification,
    pub status: NotificationStatus,
    pub attempts: u32,
    pub queued_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// What a try at delivering came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DeliveryOutcome {
    Sent,
    /// `retry_at` None: the last try; the notification goes to the dead letters.
    Failed {
        error: String,
        retry_at: Option<DateTime<Utc>>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivered {
    pub id: uuid::Uuid,
    pub attempt: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryFailed {
    pub id: uuid::Uuid,
    pub attempt: u32,
    pub error: String,
    /// None: dead-lettered.
    #[serde(default)]
    pub retry_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retried {
    pub id: uuid::Uuid,
    pub by: String,
}

impl Notification {
    /// The id of the message for `cause` (an event's identity on the ticket) to `contact`.
    pub fn id_for(
        incident: uuid::Uuid,
        cause: &str,
        person: &str,
        contact: &Contact,
    ) -> uuid::Uuid {
        const NAMESPACE: uuid::Uuid =
            uuid::Uuid::from_u128(0x5d0c_7a1e_0c05_4c1e_9a55_0071_f000_0001);
        let kind = serde_json::to_string(&contact.kind).unwrap_or_default();
        uuid::Uuid::new_v5(
            &NAMESPACE,
            format!("{incident}/{cause}/{person}/{kind}/{}", contact.address).as_bytes(),
        )
    }
}
