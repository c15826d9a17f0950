//! The legacy Events API v1, as `pd-nagios` and `pd-zabbix` still send it.
//!
//! Mapped onto the same [`PagerDutyEvent`]: `service_key` -> routing_key, `event_type` ->
//! event_action, `incident_key` -> dedup_key (fingerprint), `description` -> summary (required
//! for a trigger, at most 1024 characters), `details` -> annotations, `client_url` and
//! `contexts` (`{type: link|image, href, text, src, alt}`) -> links.
//!
//! v1 has no severity, source or component. Rather than call every v1 alarm the same, the
//! two agents' well-known `details` keys are used as hints:
//! - severity: `details.severity` as a PagerDuty name (critical/error/warning/info) or a
//!   Zabbix name (pd-zabbix sends `High` etc., mapped as in [`crate::zabbix`]), else
//!   `details.SERVICESTATE`/`HOSTSTATE` as a Nagios state (pd-nagios), else **error**
//!   (v1 triggers opened an incident, so "needs attention" is the honest default). An
//!   unrecognised hint falls back to error: details are free-form, not worth refusing over.
//! - host and configuration_item: `details.HOSTNAME` or `details.hostname`.
//! - alarm_name: `details.SERVICEDESC` (pd-nagios) or `details.name` (pd-zabbix trigger).

use super::event::{read_event, Dialect, PagerDutyApi};
use super::{details, limits, PagerDutyEvent};
use crate::canonical::{AlarmLink, AlarmStatus, CanonicalAlarm, ParseError, Severity, SourceKind};
use crate::json::{self, Obj};
use crate::nagios::CheckState;
use crate::zabbix::ZabbixSeverity;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::BTreeMap;

pub(super) fn parse(
    root: &Obj<'_>,
    received_at: DateTime<Utc>,
) -> Result<PagerDutyEvent, ParseError> {
    let dialect = Dialect {
        api: PagerDutyApi::V1,
        routing_key: "service_key",
        action: "event_type",
        dedup_key: "incident_key",
    };
    read_event(root, &dialect, received_at, trigger_alarm)
}

fn trigger_alarm(
    root: &Obj<'_>,
    dedup_key: Option<&str>,
    received_at: DateTime<Utc>,
) -> Result<CanonicalAlarm, ParseError> {
    let summary = root.req_str("description")?;
    limits::at_most("description", summary, limits::MAX_SUMMARY_CHARS)?;
    let details = root.get("details");
    let hints = match details {
        Some(Value::Object(map)) => map.clone(),
        _ => serde_json::Map::new(),
    };
    let host = hint(&hints, &["HOSTNAME", "hostname"]);
    Ok(CanonicalAlarm {
        source: SourceKind::Pagerduty,
        fingerprint: dedup_key.unwrap_or_default().to_owned(),
        severity: severity_hint(&hints),
        status: AlarmStatus::Firing,
        lifecycle: None,
        summary: summary.to_owned(),
        host: host.clone(),
        configuration_item: host,
        service: None,
        alarm_name: hint(&hints, &["SERVICEDESC", "name"]),
        labels: BTreeMap::new(),
        annotations: details::annotations(details),
        links: links(root)?,
        started_at: None,
        received_at,
    })
}

fn hint(details: &serde_json::Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter()
        .filter_map(|k| details.get(*k))
        .filter_map(Value::as_str)
        .map(str::trim)
        .find(|v| !v.is_empty())
        .map(str::to_owned)
}

fn severity_hint(details: &serde_json::Map<String, Value>) -> Severity {
    let from_severity = hint(details, &["severity"]).and_then(|s| {
        Severity::from_name(&s.to_ascii_lowercase())
            .or_else(|| ZabbixSeverity::from_text(&s).map(ZabbixSeverity::canonical))
    });
    let from_state = || {
        hint(details, &["SERVICESTATE", "HOSTSTATE"])
            .and_then(|s| CheckState::from_name(&s))
            .map(CheckState::severity)
    };
    from_severity.or_else(from_state).unwrap_or(Severity::Error)
}

fn links(root: &Obj<'_>) -> Result<Vec<AlarmLink>, ParseError> {
    let mut out = Vec::new();
    if let Some(client_url) = root.opt_non_empty("client_url")? {
        out.push(AlarmLink {
            href: client_url.to_owned(),
            text: root.opt_non_empty("client")?.map(str::to_owned),
        });
    }
    for (index, item) in root
        .opt_array("contexts")?
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let context = Obj::new(item, json::index_path("contexts", index))?;
        let link = match context.req_str("type")? {
            "link" => AlarmLink {
                href: context.req_str("href")?.to_owned(),
                text: context.opt_non_empty("text")?.map(str::to_owned),
            },
            "image" => {
                // v1, like v2, requires `src`; `href` is where clicking the image leads.
                let src = context.req_str("src")?;
                AlarmLink {
                    href: context.opt_non_empty("href")?.unwrap_or(src).to_owned(),
                    text: context.opt_non_empty("alt")?.map(str::to_owned),
                }
            }
            other => {
                return Err(ParseError::new(
                    context.field_path("type"),
                    format!("unknown context type {other:?}; allowed: link, image"),
                ))
            }
        };
        out.push(link);
    }
    Ok(out)
}
