//! What both accepted body shapes boil down to, and its canonical alarm.

use super::severity::ZabbixSeverity;
use crate::canonical::{AlarmLink, AlarmStatus, CanonicalAlarm, Lifecycle, SourceKind};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

pub(super) struct ZabbixEvent {
    pub(super) fingerprint: String,
    pub(super) host: String,
    pub(super) summary: String,
    pub(super) alarm_name: Option<String>,
    pub(super) severity: ZabbixSeverity,
    pub(super) status: AlarmStatus,
    pub(super) lifecycle: Option<Lifecycle>,
    pub(super) tags: BTreeMap<String, String>,
    pub(super) annotations: BTreeMap<String, String>,
    pub(super) link: Option<String>,
    pub(super) started_at: Option<DateTime<Utc>>,
}

impl ZabbixEvent {
    pub(super) fn into_alarm(self, received_at: DateTime<Utc>) -> CanonicalAlarm {
        let tag = |names: &[&str]| {
            names
                .iter()
                .find_map(|name| self.tags.get(*name))
                .filter(|v| !v.trim().is_empty())
                .cloned()
        };
        let configuration_item = tag(&["configuration_item", "ci"]).unwrap_or(self.host.clone());
        let service = tag(&["service"]);
        let mut labels = self.tags;
        // Average and High both map to error; the label keeps the difference visible.
        labels.insert(
            "zabbix_severity".to_owned(),
            self.severity.name().to_owned(),
        );
        CanonicalAlarm {
            source: SourceKind::Zabbix,
            fingerprint: self.fingerprint,
            severity: self.severity.canonical(),
            status: self.status,
            lifecycle: self.lifecycle,
            summary: self.summary,
            host: Some(self.host),
            configuration_item: Some(configuration_item),
            service,
            alarm_name: self.alarm_name,
            labels,
            annotations: self.annotations,
            links: self
                .link
                .map(|href| AlarmLink {
                    href,
                    text: Some("Zabbix event".to_owned()),
                })
                .into_iter()
                .collect(),
            started_at: self.started_at,
            received_at,
        }
    }
}
