//! The canonical alarm: what every monitoring format is parsed into, and what alarm events
//! store. The formats crate depends on this, never the reverse.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which kind of sender an alarm came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Alertmanager,
    Grafana,
    Pagerduty,
    Nagios,
    Icinga,
    Zabbix,
    /// The project's own canonical JSON.
    Generic,
}

/// Hosting contracts usually speak of two levels, "warning" and "error"; critical and info
/// bracket them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlarmStatus {
    Firing,
    Resolved,
    Acknowledged,
}

/// Sender-side lifecycle signals that are not a change of firing state (Nagios/Icinga
/// notification types). `None` for an ordinary problem/recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    FlappingStart,
    FlappingStop,
    DowntimeStart,
    DowntimeEnd,
    DowntimeCancelled,
    Custom,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlarmLink {
    pub href: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// One alarm, whatever format it arrived in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CanonicalAlarm {
    pub source: SourceKind,
    /// The sender's key where it has one (Alertmanager fingerprint, PagerDuty dedup_key,
    /// Zabbix event id), else a stable hash of the identifying labels.
    pub fingerprint: String,
    pub severity: Severity,
    pub status: AlarmStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Lifecycle>,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_item: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The alarm's name without instance labels (Alertmanager `alertname`, Nagios service
    /// description, Zabbix trigger name): recurrence groups by configuration item + name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarm_name: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub links: Vec<AlarmLink>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    pub received_at: DateTime<Utc>,
}
