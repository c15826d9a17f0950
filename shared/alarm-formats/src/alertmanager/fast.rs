//! The common case read straight into typed structs: a well-formed webhook is mapped without
//! building a `serde_json::Value` tree first (the tree and its copies were most of the parse
//! time under load). Anything this reader does not take (a wrong type, a missing field, a
//! duplicate key, an unknown status, a bad timestamp) returns `None`, and the field-by-field
//! reader in `alert` parses the body again to produce the same result or to name the fault.

use super::alert::{add_grafana, assemble, started_from, status_named};
use super::links;
use crate::canonical::{CanonicalAlarm, SourceKind};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Webhook {
    #[serde(default)]
    version: Option<Value>,
    #[serde(default, rename = "orgId")]
    org_id: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    alerts: Option<Vec<Alert>>,
}

#[derive(Deserialize)]
struct Alert {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    annotations: Option<BTreeMap<String, String>>,
    #[serde(default)]
    fingerprint: Option<String>,
    #[serde(default, rename = "startsAt")]
    starts_at: Option<String>,
    #[serde(default, rename = "generatorURL")]
    generator_url: Option<String>,
    #[serde(default, rename = "dashboardURL")]
    dashboard_url: Option<String>,
    #[serde(default, rename = "panelURL")]
    panel_url: Option<String>,
    #[serde(default, rename = "silenceURL")]
    silence_url: Option<String>,
    #[serde(default, rename = "imageURL")]
    image_url: Option<String>,
    #[serde(default)]
    values: Option<Value>,
    #[serde(default, rename = "valueString")]
    value_string: Option<Value>,
}

pub(super) fn parse(body: &[u8], received_at: DateTime<Utc>) -> Option<Vec<CanonicalAlarm>> {
    let webhook: Webhook = serde_json::from_slice(body).ok()?;
    let grafana_version = matches!(&webhook.version, Some(Value::String(v)) if v == "1");
    let source = if webhook.org_id.is_some() || grafana_version {
        SourceKind::Grafana
    } else {
        SourceKind::Alertmanager
    };
    webhook
        .alerts?
        .into_iter()
        .map(|alert| map_alert(alert, source, received_at))
        .collect()
}

fn map_alert(
    alert: Alert,
    source: SourceKind,
    received_at: DateTime<Utc>,
) -> Option<CanonicalAlarm> {
    let status = status_named(alert.status.as_deref()?)?;
    let labels = alert.labels?;
    let mut annotations = alert.annotations.unwrap_or_default();
    add_grafana(
        alert.values.as_ref(),
        alert.value_string.as_ref(),
        &mut annotations,
    );
    let links = links::links_from(
        alert.generator_url.as_deref(),
        &annotations,
        [
            alert.dashboard_url.as_deref(),
            alert.panel_url.as_deref(),
            alert.silence_url.as_deref(),
            alert.image_url.as_deref(),
        ],
    );
    Some(assemble(super::alert::Alert {
        source,
        status,
        sender_fingerprint: alert.fingerprint,
        started_at: started_from(alert.starts_at.as_deref()).ok()?,
        links,
        labels,
        annotations,
        received_at,
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use chrono::TimeZone;

    fn payloads(dir: &str) -> Vec<(String, Vec<u8>)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/payloads")
            .join(dir);
        let mut files: Vec<_> = std::fs::read_dir(&root)
            .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
            .collect()
    }

    /// Every real payload maps the same through the typed reader as through the field-by-field
    /// one, and the typed reader takes the well-formed ones (it is the fast path, not a no-op).
    #[test]
    fn the_typed_reader_agrees_with_the_field_reader_on_every_payload() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap();
        let mut taken = 0;
        for dir in ["alertmanager", "grafana"] {
            for (name, body) in payloads(dir) {
                let slow = super::super::parse_fields(&body, at);
                match super::parse(&body, at) {
                    Some(fast) => {
                        taken += 1;
                        assert_eq!(Ok(fast), slow, "{name}");
                    }
                    None => assert!(
                        slow.is_err(),
                        "{name}: the typed reader refused a payload the field reader took"
                    ),
                }
            }
        }
        assert!(taken >= 8, "only {taken} payloads took the fast path");
    }

    #[test]
    fn anything_unusual_is_left_to_the_field_reader() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap();
        for body in [
            r#"{"alerts":[{"status":"firing","labels":{"a":1}}]}"#,
            r#"{"alerts":[{"status":"burning","labels":{}}]}"#,
            r#"{"alerts":[{"labels":{}}]}"#,
            r#"{"alerts":[{"status":"firing","labels":{},"startsAt":"yesterday"}]}"#,
            r#"{"alerts":[{"status":"firing","status":"resolved","labels":{}}]}"#,
            r#"{"alerts":null}"#,
        ] {
            assert!(super::parse(body.as_bytes(), at).is_none(), "{body}");
        }
    }
}
