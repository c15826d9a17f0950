use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A place in the global order. 0 is "before the first event"; the first event is at 1.
pub type Position = u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    User,
    Integration,
    System,
}

/// Who caused an event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: String,
}

impl Actor {
    pub fn user(id: impl Into<String>) -> Self {
        Self {
            kind: ActorKind::User,
            id: id.into(),
        }
    }

    pub fn system(id: impl Into<String>) -> Self {
        Self {
            kind: ActorKind::System,
            id: id.into(),
        }
    }

    /// The actor as backends store it: `"<kind>:<id>"`, e.g. `"user:alice"`.
    pub fn tag(&self) -> String {
        let kind = match self.kind {
            ActorKind::User => "user",
            ActorKind::Integration => "integration",
            ActorKind::System => "system",
        };
        format!("{kind}:{}", self.id)
    }

    /// Reads a [`tag`](Self::tag) back; splits at the first ':' only, so ids may contain ':'.
    pub fn from_tag(text: &str) -> Result<Self, String> {
        let (kind, id) = text
            .split_once(':')
            .ok_or_else(|| format!("malformed actor: {text}"))?;
        let kind = match kind {
            "user" => ActorKind::User,
            "integration" => ActorKind::Integration,
            "system" => ActorKind::System,
            other => return Err(format!("unknown actor kind: {other}")),
        };
        Ok(Self {
            kind,
            id: id.to_owned(),
        })
    }
}

/// The version a writer expects the stream to be at; the append fails with a conflict otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// No check.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream must exist, at any version.
    StreamExists,
    /// The stream's last event must have exactly this version.
    Exact(u64),
}

impl ExpectedVersion {
    /// Whether a stream at `current` (None: no stream) meets this expectation; the conflict
    /// every backend reports when it does not.
    pub fn check(self, stream: &str, current: Option<u64>) -> Result<(), crate::StoreError> {
        let ok = match self {
            Self::Any => true,
            Self::NoStream => current.is_none(),
            Self::StreamExists => current.is_some(),
            Self::Exact(version) => current == Some(version),
        };
        if ok {
            return Ok(());
        }
        Err(crate::StoreError::Conflict {
            stream: stream.to_owned(),
            expected: match self {
                Self::Any => "any version".to_owned(),
                Self::NoStream => "no stream".to_owned(),
                Self::StreamExists => "an existing stream".to_owned(),
                Self::Exact(version) => version.to_string(),
            },
            actual: current,
        })
    }
}

/// An event to append. `data` is JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub event_id: Uuid,
    pub event_type: String,
    pub schema_version: u32,
    pub occurred_at: DateTime<Utc>,
    pub actor: Actor,
    pub correlation_id: Uuid,
    pub causation_id: Option<Uuid>,
    pub data: String,
}

/// An event as the log holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    pub position: Position,
    pub stream: String,
    /// Per stream, from 0.
    pub version: u64,
    pub event_id: Uuid,
    pub event_type: String,
    pub schema_version: u32,
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub actor: Actor,
    pub correlation_id: Uuid,
    pub causation_id: Option<Uuid>,
    pub data: String,
}

/// Where an append landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// Version of the last event appended (the stream's new version).
    pub version: u64,
    /// Global position of the last event appended.
    pub position: Position,
}

/// One stream's share of an [`EventStore::append_many`](crate::EventStore::append_many).
#[derive(Debug, Clone, PartialEq)]
pub struct StreamAppend {
    pub stream: String,
    pub expected: ExpectedVersion,
    pub events: Vec<NewEvent>,
}
