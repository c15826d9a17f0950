//! Prometheus Alertmanager webhook (`version: "4"`) and Grafana-managed alerting's webhook
//! contact point (the same shape, `version: "1"`, plus `orgId`, `title`, `state`, `message` and
//! per-alert `values`, `valueString`, `dashboardURL`, `panelURL`, `silenceURL`, `imageURL`).
//!
//! One webhook carries a *group* of alerts; each becomes its own [`CanonicalAlarm`], decided by
//! the alert's own `status` and `fingerprint`. The group's `status` is ignored on purpose: a
//! "firing" group can hold resolved alerts (see Grafana's mixed-group payload), and the group
//! key only says how the sender batched notifications, not which alarm is which.
//!
//! Leniency: unknown fields anywhere are ignored (newer Alertmanagers add top-level
//! `notification_reason`, `routeLabels`; Grafana OnCall adds `numFiring`). What the mapping
//! needs is strict: a missing `alerts`, or an alert without `labels` or `status`, or a status
//! other than firing/resolved, is a [`ParseError`] naming the field. An empty `alerts` array
//! yields no alarms. `endsAt` is ignored: Prometheus sends a *future* `endsAt` on firing
//! alerts, so it says nothing about resolution; the per-alert status does.

mod alert;
mod fast;
mod identity;
mod links;
mod severity;

pub use severity::severity_from_label;

use crate::canonical::{CanonicalAlarm, ParseError, SourceKind};
use crate::json::{self, Obj};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Parses an Alertmanager or Grafana webhook body into one alarm per alert, in order.
pub fn parse(body: &[u8], received_at: DateTime<Utc>) -> Result<Vec<CanonicalAlarm>, ParseError> {
    match fast::parse(body, received_at) {
        Some(alarms) => Ok(alarms),
        None => parse_fields(body, received_at),
    }
}

/// Field by field through `serde_json::Value`, so that an error can name the path at fault.
fn parse_fields(
    body: &[u8],
    received_at: DateTime<Utc>,
) -> Result<Vec<CanonicalAlarm>, ParseError> {
    let value = json::parse_body(body)?;
    let root = Obj::new(&value, "")?;
    let source = detect_source(&root);
    let alerts = root
        .opt_array("alerts")?
        .ok_or_else(|| json::required("alerts"))?;
    alerts
        .iter()
        .enumerate()
        .map(|(index, alert)| {
            let alert = Obj::new(alert, json::index_path("alerts", index))?;
            alert::map_alert(&alert, source, received_at)
        })
        .collect()
}

/// Grafana when the payload looks like Grafana's: it always sends `orgId` and `version: "1"`;
/// Alertmanager sends `version: "4"` and never `orgId`.
fn detect_source(root: &Obj<'_>) -> SourceKind {
    let grafana_version = matches!(root.get("version"), Some(Value::String(v)) if v == "1");
    if root.has("orgId") || grafana_version {
        SourceKind::Grafana
    } else {
        SourceKind::Alertmanager
    }
}
