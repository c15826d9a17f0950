//! One alert of a webhook group, mapped to a canonical alarm.

use super::{identity, links, severity};
use crate::canonical::{AlarmLink, AlarmStatus, CanonicalAlarm, ParseError, SourceKind};
use crate::hash::label_fingerprint;
use crate::json::{self, Obj};
use crate::time::{is_go_zero_time, parse_iso8601};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

pub(super) fn map_alert(
    alert: &Obj<'_>,
    source: SourceKind,
    received_at: DateTime<Utc>,
) -> Result<CanonicalAlarm, ParseError> {
    let status = status(alert)?;
    let labels = alert
        .opt_obj("labels")?
        .ok_or_else(|| json::required(&alert.field_path("labels")))?
        .as_string_map()?;
    let mut annotations = alert.string_map("annotations")?;
    add_grafana_values(alert, &mut annotations);

    let sender_fingerprint = alert.opt_str("fingerprint")?.map(str::to_owned);
    let links = links::links(alert, &annotations)?;
    Ok(assemble(Alert {
        source,
        status,
        sender_fingerprint,
        started_at: started_at(alert)?,
        links,
        labels,
        annotations,
        received_at,
    }))
}

/// What a reader took from one alert; [`assemble`] derives the rest, the same for both
/// readers (this field-by-field one and `fast`).
pub(super) struct Alert {
    pub source: SourceKind,
    pub status: AlarmStatus,
    pub sender_fingerprint: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub links: Vec<AlarmLink>,
    pub labels: BTreeMap<String, String>,
    /// With Grafana's values already added (see [`add_grafana`]).
    pub annotations: BTreeMap<String, String>,
    pub received_at: DateTime<Utc>,
}

pub(super) fn assemble(alert: Alert) -> CanonicalAlarm {
    let Alert {
        source,
        status,
        sender_fingerprint,
        started_at,
        links,
        labels,
        annotations,
        received_at,
    } = alert;
    // The sender's fingerprint wins: Grafana's covers private `__...__` labels it strips
    // before sending, so recomputing it from the visible labels would not match.
    let fingerprint = match sender_fingerprint.filter(|fp| !fp.trim().is_empty()) {
        Some(fp) => fp,
        None => label_fingerprint(&labels),
    };
    let host = identity::host(&labels);
    let configuration_item = identity::configuration_item(&labels).or_else(|| host.clone());
    CanonicalAlarm {
        source,
        severity: severity::severity_from_label(labels.get("severity").map(String::as_str)),
        status,
        lifecycle: None,
        summary: summary(&labels, &annotations, &fingerprint),
        host,
        configuration_item,
        service: identity::service(&labels),
        alarm_name: non_empty(labels.get("alertname")),
        links,
        started_at,
        fingerprint,
        labels,
        annotations,
        received_at,
    }
}

fn status(alert: &Obj<'_>) -> Result<AlarmStatus, ParseError> {
    let raw = alert
        .opt_str("status")?
        .ok_or_else(|| json::required(&alert.field_path("status")))?;
    status_named(raw).ok_or_else(|| {
        ParseError::new(
            alert.field_path("status"),
            format!("unknown alert status {raw:?}; expected firing or resolved"),
        )
    })
}

pub(super) fn status_named(raw: &str) -> Option<AlarmStatus> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "firing" => Some(AlarmStatus::Firing),
        "resolved" => Some(AlarmStatus::Resolved),
        _ => None,
    }
}

/// Annotation `summary`, else `description`, else `message`, else the alert name. An alert
/// with none of these (possible, just unusual) is named by its fingerprint so the summary is
/// never empty.
fn summary(
    labels: &BTreeMap<String, String>,
    annotations: &BTreeMap<String, String>,
    fingerprint: &str,
) -> String {
    ["summary", "description", "message"]
        .iter()
        .find_map(|key| non_empty(annotations.get(*key)))
        .or_else(|| non_empty(labels.get("alertname")))
        .unwrap_or_else(|| format!("alert {fingerprint}"))
}

/// `startsAt`; Go's zero time means "unknown", as does an absent field. A present but
/// unreadable timestamp is an error: it would silently reorder the alarm history.
fn started_at(alert: &Obj<'_>) -> Result<Option<DateTime<Utc>>, ParseError> {
    started_from(alert.opt_non_empty("startsAt")?).map_err(|raw| {
        ParseError::new(
            alert.field_path("startsAt"),
            format!("not an RFC 3339 timestamp: {raw:?}"),
        )
    })
}

/// `Err` carries the text that is not a timestamp.
pub(super) fn started_from(raw: Option<&str>) -> Result<Option<DateTime<Utc>>, String> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(None);
    };
    let time = parse_iso8601(raw).ok_or_else(|| raw.to_owned())?;
    Ok(Some(time).filter(|t| !is_go_zero_time(t)))
}

/// Grafana's query values, kept as annotations so a ticket can show what crossed the threshold.
/// The sender's own annotations win on a name clash.
fn add_grafana_values(alert: &Obj<'_>, annotations: &mut BTreeMap<String, String>) {
    add_grafana(alert.get("values"), alert.get("valueString"), annotations);
}

pub(super) fn add_grafana(
    values: Option<&serde_json::Value>,
    value_string: Option<&serde_json::Value>,
    annotations: &mut BTreeMap<String, String>,
) {
    if let Some(values) = values {
        annotations
            .entry("values".to_owned())
            .or_insert_with(|| json::stringify(values));
    }
    if let Some(value_string) = value_string {
        let text = json::stringify(value_string);
        if !text.is_empty() {
            annotations.entry("value_string".to_owned()).or_insert(text);
        }
    }
}

fn non_empty(value: Option<&String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty()).cloned()
}
