//! The ticket's SLA timers in its document.

use chrono::{DateTime, Utc};
use servicedesk_domain::incident::Incident;

/// The incident as JSON with `sla_timers` as of `now` (an empty list without an SLA).
pub(crate) fn document(incident: &Incident, now: DateTime<Utc>) -> serde_json::Value {
    let mut doc = serde_json::to_value(incident).unwrap_or_default();
    let timers = incident
        .sla
        .as_ref()
        .map(|sla| sla.timers(incident.priority, now))
        .unwrap_or_default();
    if let Some(object) = doc.as_object_mut() {
        object.insert(
            "sla_timers".to_owned(),
            serde_json::to_value(timers).unwrap_or_default(),
        );
    }
    doc
}
