use super::flapping::StateHistory;
use crate::alarm::canonical::{AlarmLink, AlarmStatus, Severity, SourceKind};
use crate::incident::IncidentId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

crate::stream_id!(
    /// Deterministic from (integration, fingerprint): the same key always lands in the same stream,
    /// whichever request or process sees it first.
    AlarmId,
    "alarm-"
);

impl AlarmId {
    const NAMESPACE: Uuid = Uuid::from_u128(0x5e_7c_1d_e5_4a_1a_4d_0b_9c_3e_0a_1a_2b_3c_4d_5e);

    pub fn for_key(integration: Uuid, fingerprint: &str) -> Self {
        let mut name = integration.as_bytes().to_vec();
        name.extend_from_slice(fingerprint.as_bytes());
        Self(Uuid::new_v5(&Self::NAMESPACE, &name))
    }
}

/// What the alarm said when it (re)started firing: the descriptive part of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlarmSnapshot {
    pub integration: Uuid,
    pub source: SourceKind,
    pub fingerprint: String,
    pub severity: Severity,
    pub summary: String,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub configuration_item: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub alarm_name: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub links: Vec<AlarmLink>,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alarm {
    pub id: AlarmId,
    pub version: u64,
    pub status: AlarmStatus,
    #[serde(flatten)]
    pub snapshot: AlarmSnapshot,
    /// Deliveries received, the retried and repeated ones included.
    pub occurrences: u64,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// When the current firing period began (None while resolved).
    pub firing_since: Option<DateTime<Utc>>,
    pub last_resolved_at: Option<DateTime<Utc>>,
    pub flapping: bool,
    /// The incident this alarm currently feeds, if any.
    pub incident: Option<IncidentId>,
    /// Every incident this alarm has caused, oldest first, with when it was linked.
    pub incidents: Vec<(IncidentId, DateTime<Utc>)>,
    #[serde(skip_serializing_if = "StateHistory::is_empty", default)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub history: StateHistory,
}
